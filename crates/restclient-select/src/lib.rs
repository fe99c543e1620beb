//! Selecting records and values in JSON response bodies, fast.
//!
//! Every page of a paginated extraction passes through here, so this crate decides how fast the
//! whole client is. Building a `serde_json::Value` tree per page costs more than the HTTP itself;
//! so records stay raw until someone asks:
//!
//! - [`Selector`]: a path compiled once (`results.posts`, `$.a[0].b`, `['@odata.nextLink']`, or full
//!   JSONPath). Paths of keys and indices are *plain* and walked over the raw bytes; anything else
//!   falls back to jsonpath_lib over a `Value` tree (correct everywhere, fast where paths are plain).
//! - [`Query`]: every plain path a page needs, compiled into one trie.
//! - [`Document`]: a body validated in one pass that also gathers the query's matches, descending
//!   only along the trie and skipping everything else.
//! - [`RawRecord`]: one JSON value as a zero-copy slice of the body; parse it on demand with
//!   [`RawRecord::deserialize`] or [`RawRecord::to_value`], or write [`RawRecord::as_bytes`] as is.
//! - [`Document::records`] unwraps matches exactly as dlt's `extract_response`, and
//!   [`Document::detect_records`] finds the records as dlt's detection does, returning an exact key
//!   path (dlt joins keys with `.` unescaped; ours work with any key).
//!
//! ```
//! use bytes::Bytes;
//! use restclient_select::{Document, Query, Selector};
//!
//! let data = Selector::parse("results").unwrap();
//! let total = Selector::parse("$.meta.total").unwrap();
//! let query = Query::new([&data, &total]); // once per pagination
//!
//! let body = Bytes::from(r#"{"meta": {"total": 2}, "results": [{"id": 1}, {"id": 2}]}"#);
//! let doc = Document::parse(body, &query).unwrap(); // once per page: one pass
//! let records = doc.records(&data).unwrap();
//! assert_eq!(records.len(), 2);
//! assert_eq!(doc.first(&total).unwrap().unwrap().deserialize::<u64>().unwrap(), 2);
//! ```
//!
//! # Differences from dlt
//!
//! - A detected record path is a key path, exact for keys with dots or spaces (dlt's breaks).
//! - A path whose unquoted keys hold JSONPath syntax or whitespace is refused by
//!   [`Selector::parse`], so it fails before any request. dlt reads `@odata.nextLink` as the keys
//!   `@odata` then `nextLink`, matches nothing and silently stops after page 1; jsonpath_lib would
//!   read `a:b` as `a`. The error says how to write the key: `$['@odata.nextLink']`.
//! - An integer or an escaped string selected directly is re-encoded rather than sliced: the same
//!   JSON value, possibly spelled differently (`"caf\u00e9"` reads back as `"café"`). Other
//!   numbers are sliced from the body as written (`1.50` stays `1.50`).
//! - Full JSONPath is evaluated by jsonpath_lib, not jsonpath-ng; plain paths agree with both.
//! - `NaN`, `Infinity` and `-Infinity`, which Python's `json.loads` (and so dlt) reads, are not
//!   JSON (RFC 8259): a body holding one is refused as malformed JSON naming its position. Passed
//!   through, such a record would be refused by every JSON reader downstream.
//! - A lone surrogate escape (`"\ud83a"`), which Python decodes and serde_json cannot, passes
//!   through records untouched (they are bytes); a value the client must read as a string there
//!   (a next link, a cursor) is a malformed-JSON error naming its position.

mod detect;
mod document;
mod error;
mod query;
mod record;
mod scan;
mod selector;
mod single_line;

pub use detect::RECORD_KEYS;
pub use document::Document;
pub use error::SelectError;
pub use query::Query;
pub use record::{JsonKind, RawRecord};
pub use selector::Selector;
pub use single_line::write_single_line;

#[cfg(test)]
mod test_support;
