//! Joining a base URL and a path, exactly as dlt's `join_url` does.

use crate::Error;

/// Whether `path` is a full URL that ignores the base (dlt: scheme `http` or `https`).
pub(crate) fn is_absolute(path: &str) -> bool {
    let lower = |n: usize| path.get(..n).map(str::to_ascii_lowercase);
    lower(7).as_deref() == Some("http://") || lower(8).as_deref() == Some("https://")
}

/// dlt's `join_url`: not RFC 3986 resolution. Trailing `/`s of the base and leading `/`s of the
/// path collapse into one; an empty base gives the path, an empty path gives the base.
///
/// `http://h/api/v1` + `/users` is `http://h/api/v1/users`.
pub(crate) fn join_url(base: Option<&str>, path: &str) -> Result<String, Error> {
    if is_absolute(path) {
        return Ok(path.to_owned());
    }
    let Some(base) = base else {
        return Err(Error::invalid_url(path, "a relative path needs a base URL"));
    };
    if base.is_empty() {
        return Ok(path.to_owned());
    }
    if path.is_empty() {
        return Ok(base.to_owned());
    }
    Ok(format!(
        "{}/{}",
        base.trim_end_matches('/'),
        path.trim_start_matches('/')
    ))
}

/// requests' `requote_uri`: percent-encodes (UTF-8) every byte that is neither unreserved nor one
/// of `!#$%&'()*+,/:;=?@[]~`, so a path or query with spaces or non-ASCII text is sent encoded, as
/// dlt sends it (§1.10: no encoding at join time, requests encodes later). A `%` that does not
/// start a `%XX` escape makes every `%` encoded too.
pub(crate) fn requote_uri(url: &str) -> std::borrow::Cow<'_, str> {
    const SAFE: &[u8] = b"!#$%&'()*+,/:;=?@[]~-._";
    let bytes = url.as_bytes();
    let valid_escapes = bytes.iter().enumerate().all(|(i, b)| {
        *b != b'%'
            || (bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit))
    });
    let keep = |b: u8| b.is_ascii_alphanumeric() || (SAFE.contains(&b) && (b != b'%' || valid_escapes));
    if bytes.iter().all(|b| keep(*b)) {
        return std::borrow::Cow::Borrowed(url);
    }
    let mut out = String::with_capacity(url.len() + 16);
    for &b in bytes {
        if keep(b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Appends form-encoded `params` to `url`'s query, after what it already has (dlt: `/p?z=1` with
/// `{a: 1}` gives `?z=1&a=1`). The fragment is dropped, as requests does.
pub(crate) fn with_params(url: &str, params: &[(String, String)]) -> String {
    let url = url.split('#').next().unwrap_or(url);
    if params.is_empty() {
        return url.to_owned();
    }
    let mut query = form_urlencoded::Serializer::new(String::new());
    query.extend_pairs(params);
    let query = query.finish();
    let separator = match url.find('?') {
        None => "?",
        Some(i) if i + 1 == url.len() || url.ends_with('&') => "",
        Some(_) => "&",
    };
    format!("{url}{separator}{query}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dlt_join_url_table() {
        let j = |b: &str, p: &str| join_url(Some(b), p).unwrap();
        assert_eq!(j("http://example.com///", "//p"), "http://example.com/p");
        assert_eq!(j("http://example.com", "///"), "http://example.com/");
        assert_eq!(j("/", "p"), "/p");
        assert_eq!(j("example.com", "path"), "example.com/path");
        assert_eq!(j("http://h/api/v1/", "/p59"), "http://h/api/v1/p59");
        assert_eq!(j("http://h/api/v1", "p59"), "http://h/api/v1/p59");
        assert_eq!(j("", "http-ish"), "http-ish");
        assert_eq!(j("http://h/x", ""), "http://h/x");
        assert_eq!(j("http://h/api", "my://protocol"), "http://h/api/my://protocol");
        assert_eq!(j("http://h/api", "HTTPS://other/x"), "HTTPS://other/x");
        assert!(join_url(None, "/rel").is_err());
    }

    #[test]
    fn requote_like_requests() {
        assert_eq!(requote_uri("http://h/p?a=1&b=%2F"), "http://h/p?a=1&b=%2F");
        assert_eq!(
            requote_uri("http://h/a b/é?q=x y"),
            "http://h/a%20b/%C3%A9?q=x%20y"
        );
        assert_eq!(requote_uri("http://h/100%"), "http://h/100%25");
        assert_eq!(requote_uri("http://h/{id}|x"), "http://h/%7Bid%7D%7Cx");
    }

    #[test]
    fn params_follow_the_existing_query() {
        let p = |k: &str, v: &str| (k.to_owned(), v.to_owned());
        assert_eq!(
            with_params("http://h/p?z=1", &[p("a", "1")]),
            "http://h/p?z=1&a=1"
        );
        assert_eq!(
            with_params("http://h/p", &[p("d", "x y/é")]),
            "http://h/p?d=x+y%2F%C3%A9"
        );
        assert_eq!(
            with_params("http://h/p?", &[p("a", "1"), p("a", "2")]),
            "http://h/p?a=1&a=2"
        );
        assert_eq!(with_params("http://h/p#f", &[]), "http://h/p");
    }
}
