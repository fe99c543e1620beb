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
//! | (ours) | an absolute http(s) URL under the top-level key `@odata.nextLink` | [`JsonLinkPaginator`] on `$['@odata.nextLink']` | 1.0 |
//! | 5 | always | [`SinglePagePaginator`], with [`Detection::warning`] when the body says there is more | 0.0 |
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
//!
//! The page loop reads the first body with [`body_value`]: a lone surrogate escape, which Python
//! decodes and serde_json refuses, reads as U+FFFD; a body no `Value` can hold (`1E400`, deep
//! nesting) is read as a single page with a [`Detection::warning`] saying so ([`unreadable`]),
//! never in silence.
//!
//! # More pages likely: OData next links and warnings (differs from dlt)
//! dlt's detectors miss some common shapes and then read page 1 only, in silence (dlt #2505).
//! Two additions, both only where dlt would settle on a single page, so records and requests stay
//! dlt's everywhere else (see [`more_pages`] for the exact rules):
//! - An absolute http(s) URL under the top-level key `@odata.nextLink` (OData) is a JSON link:
//!   [`JsonLinkPaginator`] on `$['@odata.nextLink']`, score 1.0.
//! - When the first response still says there is more (`has_more: true`, `hasMore`, a next-like
//!   key holding a token or a link, a total above the records read — those the caller's data
//!   selector reads, when the page loop has one), detection stays a single
//!   page but [`Detection::warning`] says which field and which paginator to configure; it is also
//!   logged at WARN.

use http::HeaderMap;
use restclient_select::Selector;
use serde_json::Value;

mod body;
pub mod more_pages;

pub use body::{body_value, unreadable};

use crate::link_header::{find_rel, parse_link_headers};
use crate::values::{float_to_i64, python_int_str};
use crate::{
    HeaderLinkPaginator, JsonLinkPaginator, JsonResponseCursorPaginator, PageNumberPaginator, Paginator,
    SinglePagePaginator,
};

/// Which paginator auto-detection chose, how sure it was (dlt's score), and whether the response
/// suggests more pages than detection could follow.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Detection {
    /// The paginator's [`name`](Paginator::name): `"header_link"`, `"json_link"`, `"page_number"`,
    /// `"cursor"` or `"single_page"`.
    pub paginator: &'static str,
    /// What it reads, e.g. `json_link(next_url_path="links.nextPage")`.
    pub description: String,
    /// dlt's score: 1.0 for links, 0.5 for page numbers and cursors, 0.0 for the fallback.
    pub score: f32,
    /// Set when detection settled on a single page but the response says more pages are likely:
    /// names the field and suggests the paginator to configure (see [`more_pages`]). Logged at
    /// WARN too; callers may surface it (the CLI prints it on stderr).
    pub warning: Option<String>,
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
    detect_and_log(headers, body, None)
}

/// [`detect_paginator`] for a caller that already selected the page's records: `records_read`
/// is their number, compared with a total in the body for [`Detection::warning`].
/// ([`detect_paginator`] counts them by dlt's record detection instead.)
///
/// ```
/// use restclient_paginate::detect::detect_paginator_with_records;
/// let body = serde_json::json!({"result": {"rows": [1, 2]}, "meta": {"total_count": 40}});
/// let (_, detection) = detect_paginator_with_records(&http::HeaderMap::new(), &body, 2);
/// assert_eq!(detection.paginator, "single_page");
/// assert!(detection.warning.unwrap().contains("`meta.total_count: 40` (2 records read)"));
/// ```
pub fn detect_paginator_with_records(
    headers: &HeaderMap,
    body: &Value,
    records_read: usize,
) -> (Box<dyn Paginator>, Detection) {
    detect_and_log(headers, body, Some(records_read))
}

fn detect_and_log(
    headers: &HeaderMap,
    body: &Value,
    records_read: Option<usize>,
) -> (Box<dyn Paginator>, Detection) {
    let (paginator, detection): (Box<dyn Paginator>, Detection) = detect(headers, body, records_read);
    if let Some(warning) = &detection.warning {
        tracing::warn!(paginator = %detection.description, "{warning}");
    }
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

fn detect(headers: &HeaderMap, body: &Value, records_read: Option<usize>) -> (Box<dyn Paginator>, Detection) {
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
                        warning: None,
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
                warning: None,
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
                warning: None,
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
                warning: None,
            },
        );
    }
    // ours: an absolute OData next link, where dlt would read one page only (deviation 17)
    if more_pages::odata_next_link(body) {
        let path = more_pages::odata_next_link_path();
        let description = format!(r#"json_link(next_url_path="{}")"#, path.as_str());
        return (
            Box::new(JsonLinkPaginator::from_selector(path)),
            Detection {
                paginator: "json_link",
                description,
                score: 1.0,
                warning: None,
            },
        );
    }
    // 5. fallback
    single_page(more_pages::warning(body, records_read))
}

/// The fallback: one page, with `warning` when something says there is more.
fn single_page(warning: Option<String>) -> (Box<dyn Paginator>, Detection) {
    (
        Box::new(SinglePagePaginator::new()),
        Detection {
            paginator: "single_page",
            description: "single_page".to_owned(),
            score: 0.0,
            warning,
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
mod tests;
