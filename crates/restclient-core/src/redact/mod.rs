//! Redaction of secrets in URLs, headers and free text.
//!
//! Two rules, applied everywhere restclient writes a URL or a message (errors, logs, `Debug`):
//!
//! 1. **By name.** A query parameter or header whose name is sensitive has its value replaced by
//!    [`MASK`]. A name is sensitive when it is one of dlt's eleven (`api_key`, `token`, `key`,
//!    `access_token`, `apikey`, `api-key`, `access-token`, `secret`, `password`, `pwd`,
//!    `client_secret`) or of a few more that carry credentials just as often ([`SENSITIVE_PARAMS`],
//!    [`SENSITIVE_HEADERS`]), or when it *contains* one of the [`SENSITIVE_WORDS`] (`x_auth_token`,
//!    `mykey`, `session_id`). Names match case-insensitively. This is the stricter of the two rules
//!    the project once had (the CLI matched words, the library exact names): a harmless parameter
//!    such as `keyword` is masked too, which costs a log line some detail and never leaks a secret.
//!    Unlike dlt, the rest of the query is kept byte for byte.
//! 2. **By value.** Every [`Secret`](crate::Secret) registers its value while it lives, and
//!    [`register_secret`] for the life of the process; any occurrence of a registered value in a
//!    URL, header or text is masked, whatever name it travels under. Values shorter than
//!    [`MIN_REGISTERED_LEN`] bytes are not registered, so a one-letter password cannot blank out
//!    every `a` in a message; they are still masked by name.
//!
//! ```
//! use restclient_core::redact::redact_url;
//! assert_eq!(
//!     redact_url("http://h/p?API_KEY=k&q=a%20b&token=#frag"),
//!     "http://h/p?API_KEY=***&q=a%20b&token=***#frag"
//! );
//! assert_eq!(redact_url("https://user:pa55@h/"), "https://user:***@h/");
//! ```

use std::borrow::Cow;

mod registry;

pub use registry::RETIRED_KEPT;
pub(crate) use registry::hold as hold_secret;

/// What a redacted value is replaced with.
pub const MASK: &str = "***";

/// Secret values shorter than this are masked by name only, never searched for in text.
pub const MIN_REGISTERED_LEN: usize = 3;

/// Words that make any parameter or header name containing them sensitive (case-insensitive).
pub const SENSITIVE_WORDS: &[&str] = &[
    "auth",
    "key",
    "token",
    "secret",
    "password",
    "passwd",
    "pwd",
    "cookie",
    "session",
    "sig",
    "credential",
];

/// Query parameter names whose values are always masked (case-insensitive): dlt's list and more.
pub const SENSITIVE_PARAMS: &[&str] = &[
    // dlt's SENSITIVE_PARAMS
    "api_key",
    "token",
    "key",
    "access_token",
    "apikey",
    "api-key",
    "access-token",
    "secret",
    "password",
    "pwd",
    "client_secret",
    // common beyond dlt's list
    "api_token",
    "auth_token",
    "refresh_token",
    "id_token",
    "client_assertion",
    "assertion",
    "signature",
    "sig",
    "passwd",
    "private_key",
    "session_token",
    "x-api-key",
];

/// Header names whose values are always masked (case-insensitive), besides [`SENSITIVE_PARAMS`].
pub const SENSITIVE_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
    "x-api-key",
    "x-auth-token",
    "x-access-token",
    "api-key",
];

/// Registers a secret value so that [`redact_text`] and friends mask it wherever it appears, for
/// the life of the process.
///
/// [`Secret::new`](crate::Secret::new) registers its value only for as long as the `Secret`
/// lives; call this for a credential that never becomes a `Secret` (one read from the command
/// line or the environment).
pub fn register_secret(value: &str) {
    if value.len() >= MIN_REGISTERED_LEN {
        registry::pin(value);
    }
}

/// Whether a query parameter name is sensitive: listed, or containing a sensitive word.
pub fn is_sensitive_param(name: &str) -> bool {
    SENSITIVE_PARAMS.iter().any(|s| s.eq_ignore_ascii_case(name)) || {
        let lower = name.to_ascii_lowercase();
        SENSITIVE_WORDS.iter().any(|word| lower.contains(word))
    }
}

/// Whether a field of an auth config holds a credential (`token`, `api_key`, `password`,
/// `client_id`, `client_secret`, ...), so that its value is registered as a secret. Sensitive
/// names, less those that name where or how long rather than what (`access_token_url`,
/// `default_token_expiration`), plus `client_id`, which dlt also treats as a credential.
pub fn is_secret_field(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    if lower == "client_id" {
        return true;
    }
    let describes_not_holds = lower.ends_with("_url") || lower.ends_with("_expiration") || lower == "type";
    is_sensitive_param(&lower) && !describes_not_holds
}

/// Whether a header name is sensitive.
pub fn is_sensitive_header(name: &str) -> bool {
    SENSITIVE_HEADERS.iter().any(|s| s.eq_ignore_ascii_case(name)) || is_sensitive_param(name)
}

/// Masks every registered secret value in `text`.
pub fn redact_text(text: &str) -> Cow<'_, str> {
    let mut out = Cow::Borrowed(text);
    registry::for_each(|secret| {
        if out.contains(secret) {
            out = Cow::Owned(out.replace(secret, MASK));
        }
    });
    out
}

/// Redacts a URL: userinfo passwords, sensitive query parameters, then registered secret values.
///
/// Works on any string, parseable or not, so even an invalid URL can go into an error message.
pub fn redact_url(url: &str) -> String {
    let (rest, fragment) = match url.find('#') {
        Some(i) => url.split_at(i),
        None => (url, ""),
    };
    let (base, query) = match rest.find('?') {
        Some(i) => (&rest[..i], Some(&rest[i + 1..])),
        None => (rest, None),
    };
    let mut out = String::with_capacity(url.len());
    out.push_str(&redact_userinfo(base));
    if let Some(query) = query {
        out.push('?');
        out.push_str(&redact_query(query));
    }
    out.push_str(fragment);
    redact_text(&out).into_owned()
}

/// Redacts a URI; see [`redact_url`].
pub fn redact_uri(uri: &http::Uri) -> String {
    redact_url(&uri.to_string())
}

/// Redacts a query string (without the leading `?`): values of sensitive names become [`MASK`].
pub fn redact_query(query: &str) -> String {
    let mut out = String::with_capacity(query.len());
    for (i, pair) in query.split('&').enumerate() {
        if i > 0 {
            out.push('&');
        }
        let raw_name = pair.split('=').next().unwrap_or(pair);
        let sensitive = form_urlencoded::parse(raw_name.as_bytes())
            .next()
            .is_some_and(|(name, _)| is_sensitive_param(&name));
        if sensitive {
            out.push_str(raw_name);
            out.push('=');
            out.push_str(MASK);
        } else {
            out.push_str(pair);
        }
    }
    out
}

/// Redacts one header value for display: sensitive names are masked (an `Authorization` keeps its
/// scheme, e.g. `Bearer ***`), any other value has registered secrets masked.
pub fn redact_header(name: &str, value: &[u8]) -> String {
    let text = String::from_utf8_lossy(value);
    if is_sensitive_header(name) {
        let has_scheme =
            name.eq_ignore_ascii_case("authorization") || name.eq_ignore_ascii_case("proxy-authorization");
        if has_scheme && let Some((scheme, _)) = text.split_once(' ') {
            return format!("{scheme} {MASK}");
        }
        return MASK.to_owned();
    }
    redact_text(&text).into_owned()
}

/// Redacts a whole header map for display, one `name: value` entry per header.
pub fn redact_headers(headers: &http::HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_owned(),
                redact_header(name.as_str(), value.as_bytes()),
            )
        })
        .collect()
}

fn redact_userinfo(base: &str) -> Cow<'_, str> {
    let Some(scheme_end) = base.find("://") else {
        return Cow::Borrowed(base);
    };
    let authority_start = scheme_end + 3;
    let authority_end = base[authority_start..]
        .find('/')
        .map_or(base.len(), |i| authority_start + i);
    let authority = &base[authority_start..authority_end];
    let Some(at) = authority.rfind('@') else {
        return Cow::Borrowed(base);
    };
    let userinfo = &authority[..at];
    let Some(colon) = userinfo.find(':') else {
        return Cow::Borrowed(base);
    };
    let password_start = authority_start + colon + 1;
    let password_end = authority_start + at;
    Cow::Owned(format!(
        "{}{MASK}{}",
        &base[..password_start],
        &base[password_end..]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn dlt_sanitize_url_examples() {
        assert_eq!(
            redact_url("http://h/p?api_key=secret123&other=value"),
            "http://h/p?api_key=***&other=value"
        );
        assert_eq!(
            redact_url("http://h/p?API_KEY=a&Token=b&ACCESS_TOKEN=c&x=1"),
            "http://h/p?API_KEY=***&Token=***&ACCESS_TOKEN=***&x=1"
        );
        assert_eq!(
            redact_url("http://h/p?api_key=&token=&other=value"),
            "http://h/p?api_key=***&token=***&other=value"
        );
        assert_eq!(
            redact_url("http://h/p?api_key=secret#section"),
            "http://h/p?api_key=***#section"
        );
    }

    #[test]
    fn names_outside_the_list_are_kept_and_query_is_not_reencoded() {
        assert_eq!(
            redact_url("http://h/?sub=1&q=a%20b+c"),
            "http://h/?sub=1&q=a%20b+c"
        );
    }

    #[test]
    fn percent_encoded_names_are_recognised() {
        assert_eq!(redact_url("http://h/?api%5Fkey=zz"), "http://h/?api%5Fkey=***");
    }

    #[test]
    fn userinfo_password_is_masked() {
        assert_eq!(
            redact_url("https://me:pw@h:8080/x?y=1"),
            "https://me:***@h:8080/x?y=1"
        );
        assert_eq!(redact_url("https://me@h/"), "https://me@h/");
    }

    #[test]
    fn a_dropped_secret_stays_masked_a_while_then_is_forgotten_so_the_registry_stays_bounded() {
        let secret = crate::Secret::new("zz-held-while-alive-zz");
        let clone = secret.clone();
        drop(secret);
        assert_eq!(
            redact_text("a zz-held-while-alive-zz b"),
            "a *** b",
            "a clone keeps it"
        );
        drop(clone);
        // an error displayed after its client is gone is still redacted
        assert_eq!(
            redact_text("a zz-held-while-alive-zz b"),
            "a *** b",
            "retired, kept"
        );
        for i in 0..=registry::RETIRED_KEPT {
            drop(crate::Secret::new(format!("zz-pushing-out-{i:03}")));
        }
        let _one_more = crate::Secret::new("zz-pushing-out-last");
        assert_eq!(
            redact_text("a zz-held-while-alive-zz b"),
            "a zz-held-while-alive-zz b"
        );

        // (one test, not two: the loop below would push out the value above in parallel)
        // rotating credentials in a long-lived process: the live ones and the last few dropped
        for i in 0..10_000 {
            let token = crate::Secret::new(format!("rotating-token-{i:05}"));
            assert_eq!(redact_text(&format!("t={}", token.expose())), "t=***");
        }
        // other tests register in parallel; far fewer than 10,000 remain
        assert!(registry::len() < 300, "{}", registry::len());
        let kept = crate::Secret::new("zz-kept-beside-pinned-zz");
        register_secret("zz-kept-beside-pinned-zz");
        drop(kept);
        for i in 0..=registry::RETIRED_KEPT {
            drop(crate::Secret::new(format!("zz-pushing-pinned-{i:03}")));
        }
        let _one_more = crate::Secret::new("zz-pushing-pinned-last");
        assert_eq!(redact_text("zz-kept-beside-pinned-zz"), MASK, "pinned stays");
    }

    #[test]
    fn registered_values_are_masked_anywhere() {
        register_secret("zz-registered-value-zz");
        assert_eq!(
            redact_url("http://h/zz-registered-value-zz/?x=zz-registered-value-zz"),
            "http://h/***/?x=***"
        );
        assert_eq!(
            redact_header("x-custom", b"pre zz-registered-value-zz"),
            "pre ***"
        );
    }

    #[test]
    fn names_containing_a_sensitive_word_are_masked() {
        assert_eq!(
            redact_url("http://h/?X_Auth_Token=a1&mykey=b2&session_id=c3&q=keep"),
            "http://h/?X_Auth_Token=***&mykey=***&session_id=***&q=keep"
        );
        assert!(is_sensitive_header("X-Session"));
        assert!(!is_sensitive_param("page") && !is_sensitive_param("limit"));
    }

    #[test]
    fn secret_fields_of_auth_configs() {
        for field in [
            "token",
            "api_key",
            "password",
            "client_id",
            "client_secret",
            "refresh_token",
        ] {
            assert!(is_secret_field(field), "{field}");
        }
        for field in [
            "type",
            "access_token_url",
            "default_token_expiration",
            "name",
            "location",
            "scope",
        ] {
            assert!(!is_secret_field(field), "{field}");
        }
    }

    #[test]
    fn short_values_are_not_registered() {
        register_secret("ab");
        assert_eq!(redact_text("abc"), "abc");
    }

    #[test]
    fn sensitive_headers_are_masked_keeping_the_scheme() {
        assert_eq!(redact_header("Authorization", b"Bearer abc.def"), "Bearer ***");
        assert_eq!(redact_header("authorization", b"opaque"), "***");
        assert_eq!(redact_header("X-API-Key", b"k"), "***");
        assert_eq!(redact_header("Accept", b"*/*"), "*/*");
    }

    proptest! {
        #[test]
        fn redaction_never_panics_and_masks_sensitive_values(s in "[^#]{0,80}", any in ".{0,80}", v in "[a-zA-Z0-9]{6,20}") {
            let _ = redact_url(&any);
            let url = format!("http://h/p?{s}&token={v}zq");
            let redacted = redact_url(&url);
            let needle = format!("token={v}zq");
            prop_assert!(!redacted.contains(&needle));
        }
    }
}
