//! Choosing a paginator from the first response (dlt's `PaginatorFactory`, §3.2).
//!
//! Detectors run in dlt's order; the first hit wins:
//!
//! | order | condition | paginator | score |
//! |---|---|---|---|
//! | 1 | a `Link` header with `rel="next"` | [`HeaderLinkPaginator`] | 1.0 |
//! | 2 | a `next…` key (depth-first, any depth) holding a string that starts with `http` or `/` | [`JsonLinkPaginator`] on that path | 1.0 |
//! | 3 | a `total_pages` / `pages` / `totalpages` key (case-insensitive) whose value `int()` accepts | [`PageNumberPaginator`] with that total path | 0.5 |
//! | 4 | a `next…` key holding any other scalar | [`JsonResponseCursorPaginator`] on that path, param `cursor` | 0.5 |
//! | 5 | always | [`SinglePagePaginator`] | 0.0 |
//!
//! Offset pagination is never detected. A `next…` key holding an object is looked into for its
//! first `href…`/`url…` key (`_links.next.href`). Detected paths are key sequences
//! ([`Selector::from_keys`]), exact for keys with dots or spaces.
//!
//! # Differs from dlt
//! A detected page-number paginator starts, like dlt's, with no page parameter on the first
//! request and then sends 1, 2, … (reading page 1 twice on 1-based APIs) — unless the first
//! response states its current page as `page`, `current_page` or `pageNumber` (beside the total,
//! or at the top level): then that page is the base and pagination continues from it + 1.
//!
//! A broken `Link` header during detection is logged and treated as no link.

use http::HeaderMap;
use restclient_select::Selector;
use serde_json::Value;

use crate::link_header::{find_rel, parse_link_headers};
use crate::values::{float_to_i64, python_int_str};
use crate::{
    HeaderLinkPaginator, JsonLinkPaginator, JsonResponseCursorPaginator, PageNumberPaginator, Paginator,
    SinglePagePaginator,
};

/// Which paginator auto-detection chose, and how sure it was (dlt's score).
#[derive(Debug, Clone, PartialEq)]
pub struct Detection {
    /// The paginator's [`name`](Paginator::name): `"header_link"`, `"json_link"`, `"page_number"`,
    /// `"cursor"` or `"single_page"`.
    pub paginator: &'static str,
    /// What it reads, e.g. `json_link(next_url_path="links.nextPage")`.
    pub description: String,
    /// dlt's score: 1.0 for links, 0.5 for page numbers and cursors, 0.0 for the fallback.
    pub score: f32,
}

/// Chooses a paginator from the first response's headers and body, by dlt's rules.
///
/// ```
/// use restclient_paginate::detect_paginator;
/// let body = serde_json::json!({"items": [1], "links": {"nextPage": "/i?p=2"}});
/// let (_, detection) = detect_paginator(&http::HeaderMap::new(), &body);
/// assert_eq!(detection.description, r#"json_link(next_url_path="links.nextPage")"#);
/// assert_eq!(detection.score, 1.0);
/// ```
pub fn detect_paginator(headers: &HeaderMap, body: &Value) -> (Box<dyn Paginator>, Detection) {
    let (paginator, detection): (Box<dyn Paginator>, Detection) = detect(headers, body);
    if detection.score >= 1.0 {
        tracing::info!(paginator = %detection.description, score = detection.score, "paginator detected");
    } else if detection.score <= 0.0 {
        if body.is_array() {
            tracing::warn!(
                paginator = %detection.description,
                "Fallback `paginator` used: single page. Please provide paginator manually."
            );
        } else {
            tracing::info!(paginator = %detection.description, "no pagination detected; single page");
        }
    } else {
        tracing::warn!(
            paginator = %detection.description,
            score = detection.score,
            "paginator detected; please verify the `paginator` settings"
        );
    }
    (paginator, detection)
}

fn detect(headers: &HeaderMap, body: &Value) -> (Box<dyn Paginator>, Detection) {
    // 1. Link header
    match parse_link_headers(headers) {
        Ok(links) => {
            if find_rel(&links, "next").is_some_and(|u| !u.is_empty()) {
                return (
                    Box::new(HeaderLinkPaginator::default()),
                    Detection {
                        paginator: "header_link",
                        description: r#"header_link(links_next_key="next")"#.to_owned(),
                        score: 1.0,
                    },
                );
            }
        }
        Err(e) => tracing::warn!(error = %e, "ignoring a broken Link header during detection"),
    }
    let next = find_next_page_path(body, &mut Vec::new());
    // 2. JSON link
    if let Some((keys, Value::String(s))) = &next
        && (s.starts_with("http") || s.starts_with('/'))
    {
        let path = Selector::from_keys(keys.iter().map(String::as_str));
        let description = format!(r#"json_link(next_url_path="{}")"#, keys.join("."));
        return (
            Box::new(JsonLinkPaginator::from_selector(path)),
            Detection {
                paginator: "json_link",
                description,
                score: 1.0,
            },
        );
    }
    // 3. page number
    if let Some((keys, value)) = find_total_pages_path(body, &mut Vec::new())
        && value_int(value).is_some()
    {
        let base = stated_page(body, &keys).unwrap_or(0);
        let path = Selector::from_keys(keys.iter().map(String::as_str));
        let description = format!(
            r#"page_number(total_path="{}", base_page={base})"#,
            keys.join(".")
        );
        return (
            Box::new(PageNumberPaginator::detected(base, path)),
            Detection {
                paginator: "page_number",
                description,
                score: 0.5,
            },
        );
    }
    // 4. cursor
    if let Some((keys, _)) = &next {
        let path = Selector::from_keys(keys.iter().map(String::as_str));
        let description = format!(
            r#"cursor(cursor_path="{}", cursor_param="cursor")"#,
            keys.join(".")
        );
        return (
            Box::new(JsonResponseCursorPaginator::detected(path)),
            Detection {
                paginator: "cursor",
                description,
                score: 0.5,
            },
        );
    }
    // 5. fallback
    (
        Box::new(SinglePagePaginator::new()),
        Detection {
            paginator: "single_page",
            description: "single_page".to_owned(),
            score: 0.0,
        },
    )
}

fn is_scalar(v: &Value) -> bool {
    // Python's isinstance(v, (str, int, float)) is true for bools too
    matches!(v, Value::String(_) | Value::Number(_) | Value::Bool(_))
}

/// dlt's `find_next_page_path`: depth-first over objects, keys matching `^next` (lower-cased).
fn find_next_page_path<'a>(value: &'a Value, path: &mut Vec<String>) -> Option<(Vec<String>, &'a Value)> {
    let Value::Object(map) = value else {
        return None;
    };
    for (key, v) in map {
        if key.to_lowercase().starts_with("next") {
            match v {
                Value::Object(inner) => {
                    for (inner_key, inner_value) in inner {
                        let k = inner_key.to_lowercase();
                        if (k.starts_with("href") || k.starts_with("url")) && is_scalar(inner_value) {
                            let mut keys = path.clone();
                            keys.push(key.clone());
                            keys.push(inner_key.clone());
                            return Some((keys, inner_value));
                        }
                    }
                }
                v if is_scalar(v) => {
                    let mut keys = path.clone();
                    keys.push(key.clone());
                    return Some((keys, v));
                }
                _ => {}
            }
        }
        if v.is_object() {
            path.push(key.clone());
            let found = find_next_page_path(v, path);
            path.pop();
            if found.is_some() {
                return found;
            }
        }
    }
    None
}

/// dlt's `find_total_pages_path`: depth-first, key (lower-cased) `total_pages`, `pages` or
/// `totalpages`, scalar value.
fn find_total_pages_path<'a>(value: &'a Value, path: &mut Vec<String>) -> Option<(Vec<String>, &'a Value)> {
    let Value::Object(map) = value else {
        return None;
    };
    for (key, v) in map {
        if matches!(
            key.to_lowercase().as_str(),
            "total_pages" | "pages" | "totalpages"
        ) && is_scalar(v)
        {
            let mut keys = path.clone();
            keys.push(key.clone());
            return Some((keys, v));
        }
        if v.is_object() {
            path.push(key.clone());
            let found = find_total_pages_path(v, path);
            path.pop();
            if found.is_some() {
                return found;
            }
        }
    }
    None
}

/// Python `int()` over a scalar `Value`.
fn value_int(value: &Value) -> Option<i64> {
    match value {
        Value::Bool(b) => Some(i64::from(*b)),
        Value::Number(n) => n.as_i64().or_else(|| float_to_i64(n.as_f64()?)),
        Value::String(s) => python_int_str(s),
        _ => None,
    }
}

/// Our deviation: the current page the first response states, beside the total or at the top.
fn stated_page(body: &Value, total_keys: &[String]) -> Option<i64> {
    const KEYS: [&str; 3] = ["page", "current_page", "pageNumber"];
    let parent_keys = total_keys.split_last().map_or(&[][..], |(_, p)| p);
    let mut parent = body;
    for k in parent_keys {
        parent = parent.get(k)?;
    }
    let read = |obj: &Value| {
        KEYS.iter()
            .find_map(|k| obj.get(*k).filter(|v| !v.is_boolean()).and_then(value_int))
            .filter(|p| *p >= 0)
    };
    read(parent).or_else(|| read(body))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn name(body: Value) -> String {
        detect(&HeaderMap::new(), &body).1.description
    }

    #[test]
    fn dlt_detection_table() {
        let cases = [
            (
                json!({"data":[1],"pagination":{"offset":0,"limit":2,"total":9}}),
                "single_page",
            ),
            (
                json!({"items":[1],"page_info":{"total_pages":3}}),
                r#"page_number(total_path="page_info.total_pages", base_page=0)"#,
            ),
            (
                json!({"products":[1],"next_cursor":"x"}),
                r#"cursor(cursor_path="next_cursor", cursor_param="cursor")"#,
            ),
            (
                json!({"results":[1],"cursors":{"next":"n","previous":"p"}}),
                r#"cursor(cursor_path="cursors.next", cursor_param="cursor")"#,
            ),
            (
                json!({"entries":[1],"next_id":33}),
                r#"cursor(cursor_path="next_id", cursor_param="cursor")"#,
            ),
            (
                json!({"count":1,"next":"https://h/x?page=2","previous":null,"results":[1]}),
                r#"json_link(next_url_path="next")"#,
            ),
            (
                json!({"_embedded":{"items":[1]},"_links":{"self":{"href":"/a"},"next":{"href":"/b"}},"page":{"totalPages":3}}),
                r#"json_link(next_url_path="_links.next.href")"#,
            ),
            (
                json!({"items":[1],"meta":{"totalPages":2},"links":{"firstPage":"/a","nextPage":"/b"}}),
                r#"json_link(next_url_path="links.nextPage")"#,
            ),
            (
                json!({"data":[1],"pagination":{"currentPage":1,"pageSize":1,"totalPages":4}}),
                r#"page_number(total_path="pagination.totalPages", base_page=0)"#,
            ),
            (
                json!({"page":1,"per_page":1,"total":10,"pages":10,"data":[1]}),
                r#"page_number(total_path="pages", base_page=1)"#,
            ),
            (json!({"articles":[1],"paging":{"total":60}}), "single_page"),
            (
                json!({"feed":[1],"offset":0,"limit":1,"total_count":5}),
                "single_page",
            ),
            (json!([1, 2]), "single_page"),
            (json!({"id":1}), "single_page"),
            (
                json!({"next":"page2"}),
                r#"cursor(cursor_path="next", cursor_param="cursor")"#,
            ),
            (json!({"next":null,"data":[1]}), "single_page"),
            (
                json!({"total_pages":"2"}),
                r#"page_number(total_path="total_pages", base_page=0)"#,
            ),
            (json!({"total_pages":"x"}), "single_page"),
            (
                json!({"nextPageToken":"abc"}),
                r#"cursor(cursor_path="nextPageToken", cursor_param="cursor")"#,
            ),
            (
                json!({"a.b":{"next":"/x"}}),
                r#"json_link(next_url_path="a.b.next")"#,
            ),
        ];
        for (body, expected) in cases {
            assert_eq!(name(body.clone()), expected, "{body}");
        }
    }

    #[test]
    fn link_header_wins() {
        let mut headers = HeaderMap::new();
        headers.insert("link", "<http://h/?p=2>; rel=\"next\"".parse().unwrap());
        let (_, d) = detect(&headers, &json!({"next": "http://h/x"}));
        assert_eq!(d.paginator, "header_link");
        headers.insert("link", "broken".parse().unwrap());
        let (_, d) = detect(&headers, &json!([1]));
        assert_eq!(d.paginator, "single_page");
    }
}
