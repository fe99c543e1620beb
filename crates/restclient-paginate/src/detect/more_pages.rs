//! When detection settles on a single page but the response says there is more (deviation 17).
//!
//! dlt's detectors recognise a `Link` header, `next…` keys and a total of *pages*. Anything else
//! falls back to a single page, silently: an OData `@odata.nextLink`, Stripe's `has_more: true`,
//! a `total` of *records* above the records read. We keep dlt's choice (so records and requests
//! stay exactly dlt's) with one exception, and say so otherwise:
//!
//! - **OData** ([`odata_next_link`]): an absolute http(s) URL under the top-level key
//!   `@odata.nextLink` is unambiguous, so it is detected as a JSON link on `$['@odata.nextLink']`.
//!   A relative one, or one nested under another key, only gets the warning.
//! - **The warning** ([`warning`]), built from the first response's body when detection found
//!   nothing. The body's objects are searched depth-first in key order (lists, and so records,
//!   are not searched) for these signals, the first of each kind counting:
//!
//!   | signal | keys (compared lower-cased, letters and digits only) | value |
//!   |---|---|---|
//!   | more pages | `has_more`, `hasMore`, `has_more_pages`, `has_more_items`, `has_more_results`, `has_next`, `hasNextPage` | `true` |
//!   | next link or token | a key holding `next` but not starting with it (dlt's detector reads those), that is `next` alone (`__next`) or ends in `link`, `url`, `uri`, `href`, `token`, `cursor`, `page` or `marker` (`@odata.nextLink`, `paging_next_cursor`); or `continuation`, `continuation_token`, `page_token`, `paging_token`, `resumption_token` | a non-empty string (a link when it starts with `http` or `/`, or the key names a link) or a number |
//!   | total records | `total_count`, `total_items`, `total_results`, `total_records`, `total_elements`, `total_hits`, `total_entries`, `total_size`, `num_found`; `total` and `count` only at the top level or under `meta`, `metadata`, `pagination`, `paging`, `page_info`, `page`, `pager`, `result_info` | an integer larger than the records read (plus an `offset`, `skip` or `start` beside it), unless a `next…` key is `null`, `""` or `false` or a more-pages key is `false` |
//!
//!   The warning names every signal found and suggests a paginator: a JSON link for a link, a
//!   cursor for a token, else an offset paginator with the page's record count as `limit`, reading
//!   the total and `has_more` found. Values of links and tokens are never quoted (a link may carry
//!   a key in its query).

use bytes::Bytes;
use restclient_select::{Document, Query, Selector};
use serde_json::{Map, Value, json};

/// The top-level key of OData's next link.
pub const ODATA_NEXT_LINK: &str = "@odata.nextLink";

/// The path a detected OData link is read at, as a config would spell it.
const ODATA_NEXT_LINK_PATH: &str = "$['@odata.nextLink']";

/// True when `body` holds an absolute http(s) URL under the top-level key `@odata.nextLink`.
///
/// ```
/// use restclient_paginate::detect::more_pages::odata_next_link;
/// let odata = serde_json::json!({"value": [1], "@odata.nextLink": "https://h/Products?$skip=1"});
/// assert!(odata_next_link(&odata));
/// assert!(!odata_next_link(&serde_json::json!({"@odata.nextLink": "Products?$skip=1"})));
/// ```
pub fn odata_next_link(body: &Value) -> bool {
    body.get(ODATA_NEXT_LINK)
        .and_then(Value::as_str)
        .and_then(|s| url::Url::parse(s).ok())
        .is_some_and(|u| matches!(u.scheme(), "http" | "https"))
}

/// `$['@odata.nextLink']`, compiled.
pub(crate) fn odata_next_link_path() -> Selector {
    Selector::parse(ODATA_NEXT_LINK_PATH).unwrap_or_else(|_| Selector::from_keys([ODATA_NEXT_LINK]))
}

/// The warning for a response on which detection found no paginator, or `None` when nothing in
/// it suggests more pages. `records_read`: the page's record count if the caller knows it, else
/// it is counted by dlt's record detection.
///
/// ```
/// use restclient_paginate::detect::more_pages::warning;
/// let stripe = serde_json::json!({"object": "list", "data": [{"id": "a"}], "has_more": true});
/// let w = warning(&stripe, None).unwrap();
/// assert!(w.contains("`has_more: true`"), "{w}");
/// assert!(w.contains(r#"{"type":"offset","limit":1,"total_path":null,"has_more_path":"has_more"}"#), "{w}");
/// assert_eq!(warning(&serde_json::json!({"data": [1], "has_more": false}), None), None);
/// ```
pub fn warning(body: &Value, records_read: Option<usize>) -> Option<String> {
    let mut signals = Signals::default();
    if let Value::Object(map) = body {
        signals.search(map, &mut Vec::new());
    }
    if signals.next.is_none() && signals.has_more.is_none() && signals.total.is_none() {
        return None;
    }
    let records = records_read.unwrap_or_else(|| count_records(body));
    // a total is a signal only when the records read so far fall short of it, and nothing says
    // this is the last page (a later page fetched directly counts from its offset)
    if signals.says_last
        || signals
            .total
            .as_ref()
            .is_some_and(|(_, total, offset)| *total <= offset.saturating_add(records as u64))
    {
        signals.total = None;
    }
    let mut facts = Vec::new();
    if let Some(next) = &signals.next {
        let what = if next.link {
            "a next link"
        } else {
            "a next-page token"
        };
        facts.push(format!("`{}` holding {what}", display_path(&next.keys)));
    }
    if let Some(keys) = &signals.has_more {
        facts.push(format!("`{}: true`", display_path(keys)));
    }
    if let Some((keys, total, _)) = &signals.total {
        let noun = if records == 1 { "record" } else { "records" };
        facts.push(format!(
            "`{}: {total}` ({records} {noun} read)",
            display_path(keys)
        ));
    }
    if facts.is_empty() {
        return None;
    }
    let (suggestion, note) = suggestion(&signals, records);
    Some(format!(
        "the response has {} but no paginator was detected, so only this page is read; configure one, e.g. {suggestion}{note}",
        facts.join(", ")
    ))
}

/// The paginator config to suggest, as compact JSON, and a note on it.
fn suggestion(signals: &Signals, records: usize) -> (String, &'static str) {
    let has_more = signals.has_more.as_deref().map(display_path);
    let mut config = Map::new();
    match &signals.next {
        Some(next) if next.link => {
            config.insert("type".into(), json!("json_link"));
            config.insert("next_url_path".into(), json!(display_path(&next.keys)));
            return (Value::Object(config).to_string(), "");
        }
        Some(next) => {
            config.insert("type".into(), json!("cursor"));
            config.insert("cursor_path".into(), json!(display_path(&next.keys)));
            config.insert("cursor_param".into(), json!("cursor"));
            if let Some(h) = has_more {
                config.insert("has_more_path".into(), json!(h));
            }
            let note = " (cursor_param: the query parameter the API reads the token from)";
            return (Value::Object(config).to_string(), note);
        }
        None => {}
    }
    config.insert("type".into(), json!("offset"));
    config.insert("limit".into(), json!(if records == 0 { 100 } else { records }));
    let total = signals.total.as_ref().map(|(keys, _, _)| display_path(keys));
    config.insert("total_path".into(), total.map_or(Value::Null, Value::String));
    if let Some(h) = has_more {
        config.insert("has_more_path".into(), json!(h));
    }
    (
        Value::Object(config).to_string(),
        " (or a page_number or cursor paginator, whichever the API takes)",
    )
}

/// The page's records by dlt's detection, counted (the body is re-encoded once, on this path
/// only).
fn count_records(body: &Value) -> usize {
    let Ok(bytes) = serde_json::to_vec(body) else {
        return 0;
    };
    Document::parse(Bytes::from(bytes), &Query::new([]))
        .and_then(|doc| doc.detect_records())
        .map_or(0, |(_, records)| records.len())
}

/// A key path as a config spells it: `meta.total`, `$['@odata.nextLink']`.
fn display_path(keys: &[String]) -> String {
    let rendered = Selector::from_keys(keys.iter().map(String::as_str));
    let text = rendered.as_str();
    if text.starts_with('[') {
        format!("${text}")
    } else {
        text.to_owned()
    }
}

#[derive(Debug)]
struct NextSignal {
    keys: Vec<String>,
    link: bool,
}

#[derive(Debug, Default)]
struct Signals {
    next: Option<NextSignal>,
    has_more: Option<Vec<String>>,
    /// The total, and the offset beside it, if any.
    total: Option<(Vec<String>, u64, u64)>,
    /// The body says there is no next page: `next: null` (or `""`, `false`), `has_more: false`.
    says_last: bool,
}

const HAS_MORE_KEYS: [&str; 6] = [
    "hasmore",
    "hasmorepages",
    "hasmoreitems",
    "hasmoreresults",
    "hasnext",
    "hasnextpage",
];
const NEXT_ENDINGS: [&str; 8] = ["link", "url", "uri", "href", "token", "cursor", "page", "marker"];
const TOKEN_KEYS: [&str; 5] = [
    "continuation",
    "continuationtoken",
    "pagetoken",
    "pagingtoken",
    "resumptiontoken",
];
const TOTAL_KEYS: [&str; 9] = [
    "totalcount",
    "totalitems",
    "totalresults",
    "totalrecords",
    "totalelements",
    "totalhits",
    "totalentries",
    "totalsize",
    "numfound",
];
const PAGING_PARENTS: [&str; 8] = [
    "meta",
    "metadata",
    "pagination",
    "paging",
    "pageinfo",
    "page",
    "pager",
    "resultinfo",
];

/// Lower-cased, letters and digits only: `@odata.nextLink` -> `odatanextlink`.
fn normalize(key: &str) -> String {
    key.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

impl Signals {
    fn search(&mut self, map: &Map<String, Value>, path: &mut Vec<String>) {
        let parent = path.last().map(|k| normalize(k));
        for (key, value) in map {
            let norm = normalize(key);
            if self.has_more.is_none()
                && HAS_MORE_KEYS.contains(&norm.as_str())
                && value == &Value::Bool(true)
            {
                self.has_more = Some(keys_with(path, key));
            }
            if self.next.is_none()
                && is_next_like(key, &norm)
                && let Some(link) = next_value_is_link(&norm, value)
            {
                self.next = Some(NextSignal {
                    keys: keys_with(path, key),
                    link,
                });
            }
            if self.total.is_none()
                && is_total_key(&norm, parent.as_deref())
                && let Some(total) = value.as_u64()
            {
                let offset = ["offset", "skip", "start"]
                    .iter()
                    .find_map(|k| map.get(*k).and_then(Value::as_u64))
                    .unwrap_or(0);
                self.total = Some((keys_with(path, key), total, offset));
            }
            let empty = matches!(value, Value::Null | Value::Bool(false)) || value.as_str() == Some("");
            if (key.to_lowercase().starts_with("next") && empty)
                || (HAS_MORE_KEYS.contains(&norm.as_str()) && value == &Value::Bool(false))
            {
                self.says_last = true;
            }
            if let Value::Object(inner) = value {
                path.push(key.clone());
                self.search(inner, path);
                path.pop();
            }
        }
    }
}

fn keys_with(path: &[String], key: &str) -> Vec<String> {
    let mut keys = path.to_vec();
    keys.push(key.to_owned());
    keys
}

/// A key naming a next page that dlt's detector does not read (it reads keys starting `next`).
fn is_next_like(key: &str, norm: &str) -> bool {
    if key.to_lowercase().starts_with("next") || norm.starts_with("has") || norm.starts_with("is") {
        return false;
    }
    norm == "next"
        || (norm.contains("next") && NEXT_ENDINGS.iter().any(|e| norm.ends_with(e)))
        || TOKEN_KEYS.contains(&norm)
}

/// `Some(is_link)` when a next-like key's value points somewhere: a non-empty string (a link
/// when it looks like one, as dlt's detector decides, or when the key names a link) or a number.
fn next_value_is_link(norm: &str, value: &Value) -> Option<bool> {
    match value {
        Value::String(s) if !s.is_empty() => Some(
            s.starts_with("http")
                || s.starts_with('/')
                || ["link", "url", "uri", "href"].iter().any(|e| norm.ends_with(e)),
        ),
        Value::Number(_) => Some(false),
        _ => None,
    }
}

/// A key holding the total number of records.
fn is_total_key(norm: &str, parent: Option<&str>) -> bool {
    TOTAL_KEYS.contains(&norm)
        || (matches!(norm, "total" | "count") && parent.is_none_or(|p| PAGING_PARENTS.contains(&p)))
}
