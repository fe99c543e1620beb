//! What the fuzz targets share: JSON built from the fuzzer's bytes, biased toward the keys and
//! values restclient's parsers look at, so mutations reach deep into configs and selections
//! instead of failing at the first brace.

use libfuzzer_sys::arbitrary::{self, Arbitrary};
use serde_json::{Map, Number, Value};

/// Words the generated JSON draws its keys and strings from (besides arbitrary text): config
/// types and options, record and pagination keys, paths, URLs.
pub const WORDS: &[&str] = &[
    // paginator configs
    "type",
    "auto",
    "single_page",
    "json_link",
    "json_response",
    "header_link",
    "header_cursor",
    "cursor",
    "offset",
    "page_number",
    "next_url_path",
    "cursor_path",
    "cursor_param",
    "cursor_body_path",
    "total_path",
    "has_more_path",
    "limit",
    "offset_param",
    "limit_param",
    "offset_body_path",
    "limit_body_path",
    "maximum_offset",
    "page",
    "page_param",
    "page_body_path",
    "base_page",
    "maximum_page",
    "stop_after_empty_page",
    "links_next_key",
    "cursor_key",
    // auth configs
    "bearer",
    "api_key",
    "http_basic",
    "oauth2_client_credentials",
    "token",
    "name",
    "location",
    "header",
    "query",
    "param",
    "cookie",
    "username",
    "password",
    "access_token_url",
    "client_id",
    "client_secret",
    "access_token_request_data",
    "default_token_expiration",
    "client_auth",
    "body",
    "basic",
    "Authorization",
    // bodies
    "data",
    "items",
    "results",
    "entries",
    "records",
    "rows",
    "value",
    "values",
    "meta",
    "links",
    "next",
    "nextPage",
    "next_cursor",
    "nextPageToken",
    "href",
    "url",
    "total",
    "total_pages",
    "totalPages",
    "pages",
    "has_more",
    "hasMore",
    "count",
    "total_count",
    "continuationToken",
    "@odata.nextLink",
    "__next",
    "_links",
    "_embedded",
    "pagination",
    "paging",
    "id",
    // paths and links
    "$",
    "$.data",
    "data[0]",
    "a[-1].b",
    "$['@odata.nextLink']",
    "['x y']",
    "$..id",
    "data[*].id",
    "$.a[?(@.b == 1)]",
    "a[1:]",
    "meta.total",
    "https://h/p?page=2",
    "/p2",
    "?page=2",
    "",
];

/// A JSON value as the fuzzer describes it.
#[derive(Debug, Arbitrary)]
pub enum Json {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// a small integer (limits, pages)
    Small(i8),
    /// any integer
    Int(i64),
    /// any unsigned integer
    Unsigned(u64),
    /// a float (non-finite ones become `null`)
    Float(f64),
    /// a string
    Str(Text),
    /// an array
    Array(Vec<Json>),
    /// an object; repeated keys: the last wins
    Object(Vec<(Text, Json)>),
}

/// A string: one of [`WORDS`] or arbitrary text.
#[derive(Debug, Arbitrary)]
pub enum Text {
    /// `WORDS[i % WORDS.len()]`
    Word(u8),
    /// anything
    Any(String),
}

impl Text {
    /// The string.
    pub fn to_string_value(&self) -> String {
        match self {
            Text::Word(i) => WORDS[usize::from(*i) % WORDS.len()].to_owned(),
            Text::Any(s) => s.clone(),
        }
    }
}

/// Deeper than this becomes `null`: real bodies come through serde_json, which stops at 128.
const MAX_DEPTH: usize = 48;

impl Json {
    /// The `serde_json::Value`.
    pub fn to_value(&self) -> Value {
        self.value_at(0)
    }

    fn value_at(&self, depth: usize) -> Value {
        if depth > MAX_DEPTH {
            return Value::Null;
        }
        match self {
            Json::Null => Value::Null,
            Json::Bool(b) => Value::Bool(*b),
            Json::Small(n) => Value::from(*n),
            Json::Int(n) => Value::from(*n),
            Json::Unsigned(n) => Value::from(*n),
            Json::Float(f) => Number::from_f64(*f).map_or(Value::Null, Value::Number),
            Json::Str(t) => Value::String(t.to_string_value()),
            Json::Array(items) => Value::Array(items.iter().map(|j| j.value_at(depth + 1)).collect()),
            Json::Object(entries) => {
                let mut map = Map::new();
                for (k, v) in entries {
                    map.insert(k.to_string_value(), v.value_at(depth + 1));
                }
                Value::Object(map)
            }
        }
    }
}
