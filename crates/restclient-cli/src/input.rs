//! Checking what the user typed, before any request: each problem becomes one clear line that
//! never repeats a value that could be a secret.

use std::time::Duration;

use serde_json::Value;

/// A problem with the command line: exit status 2, one line on stderr.
#[derive(Debug)]
pub(crate) struct UsageError(pub(crate) String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn usage(message: impl Into<String>) -> UsageError {
    UsageError(message.into())
}

/// `--param KEY=VALUE`: split at the first `=`. The value may be empty, the key may not.
pub(crate) fn parse_param(raw: &str) -> Result<(String, String), UsageError> {
    match raw.split_once('=') {
        Some((key, value)) if !key.is_empty() => Ok((key.to_owned(), value.to_owned())),
        Some(_) => Err(usage("--param expects KEY=VALUE, got an empty KEY")),
        // No '=': the text is a key (never a value), safe to show.
        None => Err(usage(format!("--param expects KEY=VALUE, got {raw:?} (no '=')"))),
    }
}

/// `--header "Name: value"`: split at the first `:`, surrounding whitespace trimmed.
pub(crate) fn parse_header(raw: &str, index: usize) -> Result<(String, String), UsageError> {
    let Some((name, value)) = raw.split_once(':') else {
        // The text may be a bare token: do not repeat it.
        return Err(usage(format!(
            "--header #{index} expects \"Name: value\" (no ':' found)"
        )));
    };
    let name = name.trim();
    let value = value.trim();
    if http::HeaderName::from_bytes(name.as_bytes()).is_err() {
        return Err(usage(format!(
            "--header #{index}: {name:?} is not a valid header name"
        )));
    }
    if http::HeaderValue::from_str(value).is_err() {
        return Err(usage(format!(
            "--header #{index} ({name}): the value is not a valid header value"
        )));
    }
    Ok((name.to_owned(), value.to_owned()))
}

/// `--paginator`: a JSON dict, a JSON string, or a bare type name such as `header_link`.
pub(crate) fn parse_paginator(raw: &str) -> Result<Value, UsageError> {
    let trimmed = raw.trim();
    if !trimmed.is_empty() && trimmed.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return Ok(Value::String(trimmed.to_owned()));
    }
    let value: Value =
        serde_json::from_str(trimmed).map_err(|e| usage(format!("--paginator is not valid JSON: {e}")))?;
    match value {
        Value::Object(_) | Value::String(_) => Ok(value),
        _ => Err(usage(
            "--paginator must be a JSON object such as {\"type\":\"offset\",\"limit\":100} or a type name",
        )),
    }
}

/// `--auth`: a JSON dict (dlt's `type` defaults to `bearer`).
pub(crate) fn parse_auth(raw: &str) -> Result<Value, UsageError> {
    // serde_json's syntax errors name a line and column, never the text.
    let value: Value =
        serde_json::from_str(raw.trim()).map_err(|e| usage(format!("--auth is not valid JSON: {e}")))?;
    match value {
        Value::Object(_) => Ok(value),
        _ => Err(usage(
            "--auth must be a JSON object such as {\"type\":\"bearer\",\"token\":\"...\"}",
        )),
    }
}

/// `--json BODY`.
pub(crate) fn parse_json_body(raw: &str) -> Result<Value, UsageError> {
    serde_json::from_str(raw).map_err(|e| usage(format!("--json is not valid JSON: {e}")))
}

/// The HTTP methods the contract allows, in any case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HttpMethod {
    Get,
    Post,
}

pub(crate) fn parse_method(raw: &str) -> Result<HttpMethod, UsageError> {
    match raw.to_ascii_uppercase().as_str() {
        "GET" => Ok(HttpMethod::Get),
        "POST" => Ok(HttpMethod::Post),
        _ => Err(usage(format!("--method must be GET or POST, got {raw:?}"))),
    }
}

/// A number of seconds from the command line; `positive` forbids zero.
pub(crate) fn parse_seconds(option: &str, seconds: f64, positive: bool) -> Result<Duration, UsageError> {
    let ok = seconds.is_finite() && (seconds > 0.0 || (!positive && seconds == 0.0));
    let duration = ok.then(|| Duration::try_from_secs_f64(seconds).ok()).flatten();
    duration.ok_or_else(|| {
        let expected = if positive { "> 0" } else { ">= 0" };
        usage(format!(
            "{option} must be a number of seconds {expected}, got {seconds}"
        ))
    })
}

/// `--backoff-factor`: finite and not negative.
pub(crate) fn check_factor(factor: f64) -> Result<f64, UsageError> {
    if factor.is_finite() && factor >= 0.0 {
        Ok(factor)
    } else {
        Err(usage(format!("--backoff-factor must be >= 0, got {factor}")))
    }
}

/// Header and parameter names whose values are credentials.
fn is_sensitive_name(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    [
        "auth",
        "key",
        "token",
        "secret",
        "password",
        "pwd",
        "cookie",
        "session",
        "sig",
        "credential",
    ]
    .iter()
    .any(|word| name.contains(word))
}

/// Auth fields that hold credentials (dlt's sensitive names, plus anything named like a secret);
/// not `access_token_url` or `default_token_expiration`.
fn is_secret_auth_field(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    matches!(
        key.as_str(),
        "token"
            | "api_key"
            | "password"
            | "pwd"
            | "client_id"
            | "client_secret"
            | "access_token"
            | "refresh_token"
            | "secret"
            | "key"
            | "private_key"
            | "private_key_passphrase"
    ) || key.contains("secret")
        || key.contains("password")
}

/// Removes known secret values from a message before it reaches stderr.
///
/// The library already redacts its own messages; this is the CLI's second line of defence, fed
/// with every value the user gave that could be a credential: all string and number values of
/// `--auth` under credential fields, values of credential-like `--header`s and `--param`s.
#[derive(Debug, Default)]
pub(crate) struct Scrubber {
    secrets: Vec<String>,
}

/// Values shorter than this are not scrubbed: replacing every `a` in a message helps nobody.
const MIN_SECRET_LEN: usize = 3;

impl Scrubber {
    pub(crate) fn add(&mut self, value: &str) {
        if value.len() >= MIN_SECRET_LEN && !self.secrets.iter().any(|s| s == value) {
            self.secrets.push(value.to_owned());
            // Longest first, so a secret containing another is replaced whole.
            self.secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        }
    }

    pub(crate) fn add_auth(&mut self, auth: &Value) {
        fn walk(scrubber: &mut Scrubber, key: Option<&str>, value: &Value) {
            match value {
                Value::String(s) if key.is_some_and(is_secret_auth_field) => scrubber.add(s),
                Value::Number(n) if key.is_some_and(is_secret_auth_field) => {
                    scrubber.add(&n.to_string());
                }
                Value::Array(items) => items.iter().for_each(|v| walk(scrubber, key, v)),
                Value::Object(map) => map.iter().for_each(|(k, v)| walk(scrubber, Some(k), v)),
                _ => {}
            }
        }
        walk(self, None, auth);
    }

    pub(crate) fn add_header(&mut self, name: &str, value: &str) {
        if is_sensitive_name(name) {
            self.add(value);
            // `Authorization: Bearer xyz`: the credential alone may appear too.
            if let Some((_, credential)) = value.split_once(' ') {
                self.add(credential.trim());
            }
        }
    }

    pub(crate) fn add_param(&mut self, name: &str, value: &str) {
        if is_sensitive_name(name) {
            self.add(value);
        }
    }

    pub(crate) fn scrub(&self, message: &str) -> String {
        let mut out = message.to_owned();
        for secret in &self.secrets {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), "***");
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn params_split_at_the_first_equals() {
        assert_eq!(parse_param("a=b=c").unwrap(), ("a".into(), "b=c".into()));
        assert_eq!(parse_param("a=").unwrap(), ("a".into(), String::new()));
        assert!(parse_param("=secret").unwrap_err().0.contains("empty KEY"));
        assert!(!parse_param("=secret").unwrap_err().0.contains("secret"));
        assert!(parse_param("novalue").is_err());
    }

    #[test]
    fn headers_need_a_colon_and_never_echo_the_value() {
        assert_eq!(parse_header("X-A:  1 ", 1).unwrap(), ("X-A".into(), "1".into()));
        assert_eq!(
            parse_header("Authorization: Bearer a:b", 1).unwrap().1,
            "Bearer a:b"
        );
        let e = parse_header("Bearer s3cr3t", 2).unwrap_err().0;
        assert!(e.contains("#2") && !e.contains("s3cr3t"), "{e}");
        assert!(parse_header("Bad Name: x", 1).is_err());
        let e = parse_header("X-K: s3cr3t\u{7f}", 1).unwrap_err().0;
        assert!(!e.contains("s3cr3t"), "{e}");
    }

    #[test]
    fn paginator_accepts_dicts_strings_and_bare_names() {
        assert_eq!(parse_paginator("header_link").unwrap(), json!("header_link"));
        assert_eq!(parse_paginator("\"auto\"").unwrap(), json!("auto"));
        assert_eq!(
            parse_paginator(r#"{"type":"offset","limit":2}"#).unwrap(),
            json!({"type":"offset","limit":2})
        );
        assert!(parse_paginator("{bad").is_err());
        assert!(parse_paginator("[1]").is_err());
    }

    #[test]
    fn auth_must_be_an_object() {
        assert!(parse_auth(r#"{"type":"bearer","token":"t"}"#).is_ok());
        assert!(
            parse_auth("not json")
                .unwrap_err()
                .0
                .starts_with("--auth is not valid JSON")
        );
        assert!(parse_auth("\"bearer\"").is_err());
    }

    #[test]
    fn methods_and_seconds() {
        assert_eq!(parse_method("post").unwrap(), HttpMethod::Post);
        assert!(parse_method("PUT").is_err());
        assert_eq!(
            parse_seconds("--timeout", 1.5, true).unwrap(),
            Duration::from_millis(1500)
        );
        assert!(parse_seconds("--timeout", 0.0, true).is_err());
        assert!(parse_seconds("--max-retry-delay", 0.0, false).is_ok());
        assert!(parse_seconds("--timeout", f64::NAN, true).is_err());
        assert!(parse_seconds("--timeout", -1.0, false).is_err());
        assert!(check_factor(-0.5).is_err());
    }

    #[test]
    fn scrubber_removes_every_user_secret() {
        let mut s = Scrubber::default();
        s.add_auth(&json!({"type":"oauth2_client_credentials","client_id":"cid-1","client_secret":"cs-XYZ",
            "access_token_url":"http://h/token","access_token_request_data":{"scope":"read","refresh_token":"rt-9"},
            "default_token_expiration": 3600}));
        s.add_header("Authorization", "Bearer tok-123");
        s.add_header("Accept", "application/json");
        s.add_param("api_key", "k-456");
        s.add_param("page", "2");
        let m = s.scrub("cid-1 cs-XYZ tok-123 k-456 rt-9 application/json http://h/token read 3600");
        assert_eq!(m, "*** *** *** *** *** application/json http://h/token read 3600");
    }
}
