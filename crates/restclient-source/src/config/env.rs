//! `${NAME}` in config strings: read from the environment when the config is loaded.
//!
//! Every string value anywhere in the config (not keys) may hold `${NAME}` references, with the
//! rules of [`restclient::core::env`] (the CLI's): `NAME` is `[A-Za-z_][A-Za-z0-9_]*`, any other
//! `$` is kept, `$${NAME}` is a literal `${NAME}`, and an unset variable is an error — here naming
//! the variable and where in the config it is used. (dlt has no `${}` syntax; it is ours.)
//!
//! Values read this way are registered as secrets (masked in every error and log) unless they
//! sit where a secret never goes and an address must stay readable: `client.base_url`, a
//! resource's name and its endpoint path.

use std::cell::RefCell;

use serde_json::Value;

use crate::SourceError;

/// Expands `${NAME}` in every string of `value`, reading variables through `lookup`.
pub(crate) fn expand(value: &mut Value, lookup: &dyn Fn(&str) -> Option<String>) -> Result<(), SourceError> {
    let mut at = String::new();
    walk(value, &mut at, lookup)
}

fn walk(
    value: &mut Value,
    at: &mut String,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<(), SourceError> {
    match value {
        Value::String(text) => {
            if let Some(expanded) = expand_str(text, at, lookup)? {
                *text = expanded;
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                let len = at.len();
                at.push_str(&format!("[{i}]"));
                walk(item, at, lookup)?;
                at.truncate(len);
            }
        }
        Value::Object(map) => {
            for (key, item) in map.iter_mut() {
                let len = at.len();
                if !at.is_empty() {
                    at.push('.');
                }
                at.push_str(key);
                walk(item, at, lookup)?;
                at.truncate(len);
            }
        }
        _ => {}
    }
    Ok(())
}

/// Whether a value at `at` is an address or a name rather than a possible credential.
fn is_public_place(at: &str) -> bool {
    if at == "client.base_url" {
        return true;
    }
    let Some(rest) = at.strip_prefix("resources[") else {
        return false;
    };
    let Some((_, rest)) = rest.split_once(']') else {
        return false;
    };
    matches!(rest, "" | ".name" | ".endpoint" | ".endpoint.path")
}

/// The expanded text, or `None` when `text` holds no `${`.
fn expand_str(
    text: &str,
    at: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<String>, SourceError> {
    if !text.contains("${") {
        return Ok(None);
    }
    let used = RefCell::new(Vec::new());
    let expanded = restclient::core::env::expand_with(text, |name| {
        let value = lookup(name)?;
        used.borrow_mut().push(value.clone());
        Some(value)
    })
    .map_err(|e| SourceError::MissingEnv {
        name: e.name().to_owned(),
        at: at.to_owned(),
    })?;
    if !is_public_place(at) {
        for value in used.into_inner() {
            restclient::core::redact::register_secret(&value);
        }
    }
    Ok(Some(expanded.into_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn env(name: &str) -> Option<String> {
        match name {
            "TOKEN" => Some("tok-123456".to_owned()),
            "HOST" => Some("http://127.0.0.1:1".to_owned()),
            "EMPTY" => Some(String::new()),
            _ => None,
        }
    }

    #[test]
    fn expands_every_string_and_keeps_the_rest() {
        let mut v = json!({"client": {"base_url": "${HOST}/v1", "auth": {"token": "${TOKEN}"}},
                           "resources": ["a", {"name": "b", "endpoint": {"params": {"x": "${EMPTY}-${TOKEN}", "n": 1, "p": "$.data"}}}]});
        expand(&mut v, &env).unwrap();
        assert_eq!(v["client"]["base_url"], "http://127.0.0.1:1/v1");
        assert_eq!(v["client"]["auth"]["token"], "tok-123456");
        assert_eq!(v["resources"][1]["endpoint"]["params"]["x"], "-tok-123456");
        assert_eq!(v["resources"][1]["endpoint"]["params"]["p"], "$.data");
        assert_eq!(v["resources"][1]["endpoint"]["params"]["n"], 1);
    }

    #[test]
    fn unset_names_the_variable_and_the_place() {
        let mut v = json!({"resources": [{"name": "b", "endpoint": {"headers": {"X": "${NOPE_1}"}}}]});
        let err = expand(&mut v, &env).unwrap_err();
        assert_eq!(
            err.to_string(),
            "environment variable `NOPE_1` is not set (used at `resources[0].endpoint.headers.X`)"
        );
    }

    #[test]
    fn other_dollars_stay_and_double_dollar_escapes() {
        for kept in ["${}", "${1A}", "${A", "${A-B}", "$5"] {
            let mut v = json!({"k": kept});
            expand(&mut v, &env).unwrap();
            assert_eq!(v["k"], kept);
        }
        let mut v = json!({"k": "$${TOKEN}"});
        expand(&mut v, &env).unwrap();
        assert_eq!(v["k"], "${TOKEN}");
    }

    #[test]
    fn public_places() {
        assert!(is_public_place("client.base_url"));
        assert!(is_public_place("resources[3].endpoint.path"));
        assert!(is_public_place("resources[0]"));
        assert!(!is_public_place("resources[0].endpoint.params.key"));
        assert!(!is_public_place("client.auth.token"));
    }
}
