//! RFC 8288 `Link` header parsing.

use http::HeaderMap;
use http::header::LINK;

use crate::PaginateError;

/// One link of a `Link` header: its target and its parameters, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The target URI reference, as written between `<` and `>`.
    pub url: String,
    /// The parameters (`rel`, `title`, ...), names lower-cased, values unquoted.
    pub params: Vec<(String, String)>,
}

impl Link {
    /// The value of the parameter `name` (lower-case), if present.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Parses every `Link` header of a response (several headers are read in order, as if joined by
/// `", "`).
///
/// Parameter values are unquoted (`rel="next"` and `rel=next` are the same) and kept verbatim:
/// `rel="next last"` has the rel `next last`, as requests (and so dlt) reads it.
///
/// # Errors
/// [`PaginateError::InvalidLinkHeader`] for a header that is not text, a link that does not start
/// with `<url>`, an unclosed `<` or quote, or a parameter without a name.
///
/// ```
/// use restclient_paginate::parse_link_headers;
/// let mut headers = http::HeaderMap::new();
/// headers.append("link", r#"<https://h/?page=1>; rel="prev", <https://h/?page=3>; rel=next"#.parse().unwrap());
/// let links = parse_link_headers(&headers).unwrap();
/// assert_eq!(links[1].url, "https://h/?page=3");
/// assert_eq!(links[1].param("rel"), Some("next"));
/// ```
pub fn parse_link_headers(headers: &HeaderMap) -> Result<Vec<Link>, PaginateError> {
    let mut links = Vec::new();
    for value in headers.get_all(LINK) {
        let text = std::str::from_utf8(value.as_bytes()).map_err(|_| PaginateError::InvalidLinkHeader {
            reason: "the header is not UTF-8 text".to_owned(),
        })?;
        parse_link_value(text, &mut links)?;
    }
    Ok(links)
}

fn invalid(reason: impl Into<String>) -> PaginateError {
    PaginateError::InvalidLinkHeader {
        reason: reason.into(),
    }
}

/// Parses one header value into `out`.
fn parse_link_value(text: &str, out: &mut Vec<Link>) -> Result<(), PaginateError> {
    let mut rest = text.trim_start_matches(is_ws);
    loop {
        // empty list elements (`a, , b`) are allowed by the RFC's #rule
        rest = rest.trim_start_matches(|c| is_ws(c) || c == ',');
        if rest.is_empty() {
            return Ok(());
        }
        let Some(after_lt) = rest.strip_prefix('<') else {
            return Err(invalid(format!(
                "expected `<` at the start of a link, found `{}`",
                rest.chars().take(16).collect::<String>()
            )));
        };
        let close = after_lt
            .find('>')
            .ok_or_else(|| invalid("a `<` without its closing `>`"))?;
        let url = after_lt[..close].trim().to_owned();
        rest = &after_lt[close + 1..];
        let mut params = Vec::new();
        loop {
            rest = rest.trim_start_matches(is_ws);
            match rest.as_bytes().first() {
                None => break,
                Some(b',') => {
                    rest = &rest[1..];
                    break;
                }
                Some(b';') => rest = rest[1..].trim_start_matches(is_ws),
                Some(_) => {
                    return Err(invalid("expected `;` or `,` after a link or parameter"));
                }
            }
            // a trailing `;` before `,` or the end
            if rest.is_empty() || rest.starts_with(',') {
                continue;
            }
            let name_end = rest
                .find(|c: char| c == '=' || c == ';' || c == ',' || is_ws(c))
                .unwrap_or(rest.len());
            let name = rest[..name_end].to_ascii_lowercase();
            if name.is_empty() {
                return Err(invalid("a link parameter without a name"));
            }
            rest = rest[name_end..].trim_start_matches(is_ws);
            let value = if let Some(after_eq) = rest.strip_prefix('=') {
                let after_eq = after_eq.trim_start_matches(is_ws);
                if let Some(quoted) = after_eq.strip_prefix('"') {
                    let (value, used) = unquote(quoted)?;
                    rest = &quoted[used..];
                    value
                } else {
                    let end = after_eq.find([';', ',']).unwrap_or(after_eq.len());
                    rest = &after_eq[end..];
                    after_eq[..end].trim_end_matches(is_ws).to_owned()
                }
            } else {
                String::new()
            };
            params.push((name, value));
        }
        out.push(Link { url, params });
    }
}

/// Reads a quoted string after its opening quote: the value and the bytes used (closing quote
/// included).
fn unquote(text: &str) -> Result<(String, usize), PaginateError> {
    let mut value = String::new();
    let mut chars = text.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Ok((value, i + 1)),
            '\\' => match chars.next() {
                Some((_, escaped)) => value.push(escaped),
                None => break,
            },
            c => value.push(c),
        }
    }
    Err(invalid("a quoted parameter value without its closing quote"))
}

fn is_ws(c: char) -> bool {
    c == ' ' || c == '\t'
}

/// The URL of the link whose `rel` is exactly `rel` (case-sensitive, as dlt). When several match,
/// the last one wins, as in requests' `response.links`.
pub(crate) fn find_rel<'a>(links: &'a [Link], rel: &str) -> Option<&'a str> {
    links
        .iter()
        .rev()
        .find(|l| l.param("rel") == Some(rel))
        .map(|l| l.url.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(v: &str) -> Result<Vec<Link>, PaginateError> {
        let mut out = Vec::new();
        parse_link_value(v, &mut out).map(|()| out)
    }

    #[test]
    fn parses_several_links_and_params() {
        let links = parse(
            r#"<http://h/?a=1,2>; rel="prev"; title="x, y", </p?page=3>;rel=next ; type=text/html, <u>"#,
        )
        .unwrap();
        assert_eq!(links.len(), 3);
        assert_eq!(links[0].url, "http://h/?a=1,2");
        assert_eq!(links[0].param("title"), Some("x, y"));
        assert_eq!(find_rel(&links, "next"), Some("/p?page=3"));
        assert_eq!(links[1].param("type"), Some("text/html"));
        assert!(links[2].params.is_empty());
    }

    #[test]
    fn rel_matching_is_exact() {
        let links = parse(r#"<a>; rel="Next", <b>; rel="next last""#).unwrap();
        assert_eq!(find_rel(&links, "next"), None);
        assert_eq!(find_rel(&links, "Next"), Some("a"));
    }

    #[test]
    fn broken_headers_are_errors() {
        for bad in [
            "http://h/; rel=next",
            "<http://h/; rel=next",
            r#"<a>; rel="next"#,
            "<a> rel=next",
            "<a>; =next",
        ] {
            assert!(
                matches!(parse(bad), Err(PaginateError::InvalidLinkHeader { .. })),
                "{bad}"
            );
        }
        assert!(parse("").unwrap().is_empty());
        assert!(parse(" , ").unwrap().is_empty());
    }

    proptest::proptest! {
        /// Any header text gives links or a typed error, never a panic.
        #[test]
        fn arbitrary_headers_never_panic(value in "\\PC{0,120}") {
            let _ = parse(&value);
        }

        /// Well-formed links come back as written, in order, whatever the quoting.
        #[test]
        fn generated_links_round_trip(
            links in proptest::collection::vec(("[a-z0-9/?=&.:_-]{1,30}", "[a-z]{1,8}", proptest::bool::ANY), 1..5),
        ) {
            let header = links
                .iter()
                .map(|(url, rel, quoted)| {
                    if *quoted { format!("<{url}>; rel=\"{rel}\"") } else { format!("<{url}>;rel={rel}") }
                })
                .collect::<Vec<_>>()
                .join(", ");
            let parsed = parse(&header).unwrap();
            proptest::prop_assert_eq!(parsed.len(), links.len());
            for (link, (url, rel, _)) in parsed.iter().zip(&links) {
                proptest::prop_assert_eq!(&link.url, url);
                proptest::prop_assert_eq!(link.param("rel"), Some(rel.as_str()));
            }
        }
    }
}
