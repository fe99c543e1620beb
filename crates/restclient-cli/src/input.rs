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

/// A count that must be at least 1 (`--concurrency`, `--max-pages`).
pub(crate) fn check_count(option: &str, n: usize) -> Result<usize, UsageError> {
    if n == 0 {
        Err(usage(format!("{option} must be at least 1, got 0")))
    } else {
        Ok(n)
    }
}

/// `--max-rps`: a finite number of requests per second above zero.
pub(crate) fn check_rps(rps: f64) -> Result<f64, UsageError> {
    if rps.is_finite() && rps > 0.0 {
        Ok(rps)
    } else {
        Err(usage(format!(
            "--max-rps must be a number of requests per second > 0, got {rps}"
        )))
    }
}

/// `--backoff-factor`: finite and not negative.
pub(crate) fn check_factor(factor: f64) -> Result<f64, UsageError> {
    if factor.is_finite() && factor >= 0.0 {
        Ok(factor)
    } else {
        Err(usage(format!("--backoff-factor must be >= 0, got {factor}")))
    }
}

/// Where the auth JSON comes from: `--auth JSON`, `--auth @FILE`, `--auth @-` (standard input), or
/// else the `RESTCLIENT_AUTH` environment variable. The last three keep the secret off the command
/// line, where every local user could read it in `ps` and the shell keeps it in its history.
pub(crate) fn auth_text(arg: Option<&str>) -> Result<Option<String>, UsageError> {
    let Some(arg) = arg else {
        return Ok(std::env::var(AUTH_ENV).ok().filter(|v| !v.trim().is_empty()));
    };
    let Some(path) = arg.strip_prefix('@') else {
        return Ok(Some(arg.to_owned()));
    };
    let read = if path == "-" {
        std::io::read_to_string(std::io::stdin())
    } else {
        std::fs::read_to_string(path)
    };
    // The error names the file, never its content.
    read.map(Some)
        .map_err(|e| usage(format!("--auth @{path}: cannot read the auth JSON: {e}")))
}

/// The environment variable read for the auth JSON when `--auth` is absent.
pub(crate) const AUTH_ENV: &str = "RESTCLIENT_AUTH";

/// `${NAME}` in a value given on the command line, read from the environment.
pub(crate) fn expand(option: &str, value: &str) -> Result<String, UsageError> {
    restclient::core::env::expand(value)
        .map(std::borrow::Cow::into_owned)
        .map_err(|e| usage(format!("{option}: {e}")))
}

/// `${NAME}` in every string of the auth JSON.
pub(crate) fn expand_json(option: &str, value: &mut Value) -> Result<(), UsageError> {
    match value {
        Value::String(s) => *s = expand(option, s)?,
        Value::Array(items) => items.iter_mut().try_for_each(|v| expand_json(option, v))?,
        Value::Object(map) => map.values_mut().try_for_each(|v| expand_json(option, v))?,
        _ => {}
    }
    Ok(())
}

/// Registers every credential the user gave as a secret (`restclient::core::redact`), so no
/// message, log line or `Debug` output can show it: the auth JSON's credential fields, and the
/// values of sensitive `--header`s and `--param`s.
pub(crate) mod secrets {
    use restclient::core::redact;
    use serde_json::Value;

    pub(crate) fn auth(auth: &Value) {
        fn walk(key: Option<&str>, value: &Value) {
            match value {
                Value::String(s) if key.is_some_and(redact::is_secret_field) => redact::register_secret(s),
                Value::Number(n) if key.is_some_and(redact::is_secret_field) => {
                    redact::register_secret(&n.to_string());
                }
                Value::Array(items) => items.iter().for_each(|v| walk(key, v)),
                Value::Object(map) => map.iter().for_each(|(k, v)| walk(Some(k), v)),
                _ => {}
            }
        }
        walk(None, auth);
    }

    pub(crate) fn header(name: &str, value: &str) {
        if redact::is_sensitive_header(name) {
            redact::register_secret(value);
            // `Authorization: Bearer xyz`: the credential alone may appear too.
            if let Some((_, credential)) = value.split_once(' ') {
                redact::register_secret(credential.trim());
            }
        }
    }

    pub(crate) fn param(name: &str, value: &str) {
        if redact::is_sensitive_param(name) {
            redact::register_secret(value);
        }
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
    fn every_user_secret_is_registered() {
        secrets::auth(
            &json!({"type":"oauth2_client_credentials","client_id":"cid-1","client_secret":"cs-XYZ",
            "access_token_url":"http://h/token","access_token_request_data":{"scope":"read","refresh_token":"rt-9"},
            "default_token_expiration": 3600}),
        );
        secrets::header("Authorization", "Bearer tok-123");
        secrets::header("Accept", "application/json");
        secrets::param("api_key", "k-456");
        secrets::param("page", "2");
        let m = restclient::core::redact::redact_text(
            "cid-1 cs-XYZ tok-123 k-456 rt-9 application/json http://h/token read 3600",
        );
        assert_eq!(m, "*** *** *** *** *** application/json http://h/token read 3600");
    }

    #[test]
    fn auth_comes_from_a_file_or_the_environment() {
        let dir = std::env::temp_dir().join(format!("restclient-auth-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("auth.json");
        std::fs::write(&file, r#"{"type":"bearer","token":"from-file"}"#).unwrap();
        let text = auth_text(Some(&format!("@{}", file.display()))).unwrap().unwrap();
        assert!(text.contains("from-file"));
        let e = auth_text(Some("@/nonexistent/auth.json")).unwrap_err().0;
        assert!(e.contains("/nonexistent/auth.json"), "{e}");
        assert_eq!(auth_text(Some("{}")).unwrap().as_deref(), Some("{}"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn references_expand_inside_the_auth_json() {
        let mut auth = json!({"type": "bearer", "token": "${PATH}", "n": [1, "${PATH}"]});
        expand_json("--auth", &mut auth).unwrap();
        let path = std::env::var("PATH").unwrap();
        assert_eq!(auth["token"], json!(path));
        assert_eq!(auth["n"][1], json!(path));
        let mut auth = json!({"token": "${RESTCLIENT_TEST_UNSET_VAR}"});
        let e = expand_json("--auth", &mut auth).unwrap_err().0;
        assert!(
            e.starts_with("--auth: ") && e.contains("RESTCLIENT_TEST_UNSET_VAR"),
            "{e}"
        );
    }
}
