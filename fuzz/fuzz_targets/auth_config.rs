//! Auth configs from any JSON: read, built, and never showing a secret in `Debug` or in an error.
//!
//! The secret oracle is differential: the same config is read again with every secret value
//! masked (each letter and digit shifted by one, so it stays as valid or invalid as before). A
//! secret that shows in the output of the first read but not in that of the masked one was
//! printed; one that shows in both is boilerplate (a field name such as `client_secret`, say).
#![no_main]

use libfuzzer_sys::fuzz_target;
use restclient_auth::AuthConfig;
use restclient_fuzz::Json;
use serde_json::Value;

/// The fields whose values are secrets.
const SECRET_FIELDS: [&str; 6] = [
    "token",
    "api_key",
    "password",
    "username",
    "client_id",
    "client_secret",
];

fn shift(c: char) -> char {
    match c {
        'z' => 'a',
        'Z' => 'A',
        '9' => '0',
        c if c.is_ascii_alphanumeric() => char::from(c as u8 + 1),
        c => c,
    }
}

/// The secret values of a config dict, and the dict with them masked.
fn secrets_and_masked(value: &Value) -> (Vec<String>, Value) {
    let mut masked = value.clone();
    let mut secrets = Vec::new();
    if let Some(map) = masked.as_object_mut() {
        for (key, v) in map.iter_mut() {
            if let (true, Some(s)) = (SECRET_FIELDS.contains(&key.as_str()), v.as_str())
                && s.chars().filter(char::is_ascii_alphanumeric).count() >= 4
            {
                secrets.push(s.to_owned());
                *v = Value::String(s.chars().map(shift).collect());
            }
        }
    }
    (secrets, masked)
}

/// Everything a caller can see of reading (and building) a config.
fn shown(value: &Value) -> String {
    match AuthConfig::from_value(value) {
        Ok(config) => {
            let _ = config.kind();
            let built = match config.build() {
                Ok(_) => String::new(),
                Err(e) => format!("{e} / {e:?}"),
            };
            format!("{config:?} / {built}")
        }
        Err(e) => format!("{e} / {e:?}"),
    }
}

/// Every `Secret` registers its value with `restclient_core::redact` for good, and registering
/// costs more as the registry grows: over millions of inputs the fuzzer would slow to a crawl. So
/// secret values are drawn from a bounded set: at most 4 characters, each the representative of
/// its class (lower, upper, digit, space, control, non-ASCII, other), which is what validation
/// looks at.
fn bounded(s: &str) -> String {
    s.chars()
        .take(4)
        .map(|c| match c {
            'a'..='z' => 'a',
            'A'..='Z' => 'B',
            '0'..='9' => '7',
            ' ' => ' ',
            c if c.is_control() => '\n',
            c if !c.is_ascii() => 'é',
            _ => '-',
        })
        .collect()
}

fn bound_secrets(value: &mut Value) {
    if let Some(map) = value.as_object_mut() {
        for (key, v) in map.iter_mut() {
            if let (true, Some(s)) = (SECRET_FIELDS.contains(&key.as_str()), v.as_str()) {
                *v = Value::String(bounded(s));
            }
        }
    }
}

fuzz_target!(|json: Json| {
    let mut value = json.to_value();
    bound_secrets(&mut value);
    let (secrets, masked) = secrets_and_masked(&value);
    let plain = shown(&value);
    if secrets.is_empty() {
        return;
    }
    let other = shown(&masked);
    for s in &secrets {
        assert!(
            !plain.contains(s.as_str()) || other.contains(s.as_str()),
            "secret {s:?} shown in {plain}\n(masked: {other})"
        );
    }
});
