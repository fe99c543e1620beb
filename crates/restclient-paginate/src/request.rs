//! Placing paginator values in a request: query parameters and JSON body paths (dlt §2.1).

use bytes::Bytes;
use http::{HeaderValue, Uri, header::CONTENT_TYPE};
use restclient_core::{Request, redact};
use serde_json::{Map, Value};

use crate::PaginateError;

/// Where a paginator writes a value: a query parameter or a dotted path in the JSON body.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Placement {
    /// `?name=value`: replaces an existing parameter of the same name in place, else appends.
    Query(String),
    /// A dot-separated key path in the JSON body (not JSONPath): intermediate objects are created,
    /// other keys are kept, and `Content-Type: application/json` is set.
    Body(String),
}

impl Placement {
    /// Resolves dlt's `(param, body_path)` pair: both `None` falls back to the query parameter
    /// `default`; both given, or either empty, is an error naming `what`.
    pub(crate) fn resolve(
        param: Option<&str>,
        body_path: Option<&str>,
        default: &str,
        what: &str,
    ) -> Result<Placement, PaginateError> {
        match (param, body_path) {
            (None, None) => Ok(Placement::Query(default.to_owned())),
            (Some(p), None) if !p.is_empty() => Ok(Placement::Query(p.to_owned())),
            (None, Some(b)) if !b.is_empty() => Ok(Placement::Body(b.to_owned())),
            _ => Err(PaginateError::config(format!(
                "Either '{what}_param' or '{what}_body_path' must be provided, not both."
            ))),
        }
    }

    /// Writes `value` into `request`.
    pub(crate) fn apply(&self, request: &mut Request, value: &Value) -> Result<(), PaginateError> {
        match self {
            Placement::Query(name) => {
                set_query_param(request, name, &param_text(value))?;
                Ok(())
            }
            Placement::Body(path) => set_body_path(request, path, value.clone()),
        }
    }
}

/// A JSON scalar as requests would send it in a query string (Python `str()`).
pub(crate) fn param_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Bool(true) => "True".to_owned(),
        Value::Bool(false) => "False".to_owned(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Sets `name=value` in the request's query. An existing parameter of that name is replaced where
/// it stands (later repeats are dropped); otherwise the pair is appended. The rest of the query is
/// kept byte for byte; the new pair is form-encoded as requests does (space as `+`).
///
/// ```
/// # use restclient_paginate::set_query_param;
/// let mut req = http::Request::get("http://h/p?z=1&page=3&q=a%20b").body(bytes::Bytes::new()).unwrap();
/// set_query_param(&mut req, "page", "4").unwrap();
/// set_query_param(&mut req, "limit", "x y").unwrap();
/// assert_eq!(req.uri(), "http://h/p?z=1&page=4&q=a%20b&limit=x+y");
/// ```
pub fn set_query_param(request: &mut Request, name: &str, value: &str) -> Result<(), PaginateError> {
    let uri = request.uri();
    let old = uri.query().unwrap_or("");
    // Runs once per page: build the new path and query in one buffer, parse it once.
    let mut path_and_query =
        String::with_capacity(uri.path().len() + old.len() + name.len() + value.len() + 3);
    path_and_query.push_str(uri.path());
    path_and_query.push('?');
    let query_start = path_and_query.len();
    let push_pair = |out: &mut String| {
        out.extend(form_urlencoded::byte_serialize(name.as_bytes()));
        out.push('=');
        out.extend(form_urlencoded::byte_serialize(value.as_bytes()));
    };
    let mut placed = false;
    if !old.is_empty() {
        for segment in old.split('&') {
            let key = segment.split_once('=').map_or(segment, |(key, _)| key);
            let same = key_is(key, name);
            if same && placed {
                continue;
            }
            if path_and_query.len() > query_start {
                path_and_query.push('&');
            }
            if same {
                placed = true;
                push_pair(&mut path_and_query);
            } else {
                path_and_query.push_str(segment);
            }
        }
    }
    if !placed {
        if path_and_query.len() > query_start {
            path_and_query.push('&');
        }
        push_pair(&mut path_and_query);
    }
    let invalid = |url: String, reason: String| PaginateError::InvalidNextUrl { url, reason };
    let path_and_query = http::uri::PathAndQuery::from_maybe_shared(Bytes::from(path_and_query))
        .map_err(|e| invalid(redact::redact_uri(request.uri()), e.to_string()))?;
    let mut parts = std::mem::take(request.uri_mut()).into_parts();
    parts.path_and_query = Some(path_and_query);
    *request.uri_mut() = Uri::from_parts(parts).map_err(|e| invalid(String::new(), e.to_string()))?;
    Ok(())
}

/// Whether a raw (still encoded) query key decodes to `name`.
fn key_is(raw: &str, name: &str) -> bool {
    if raw.bytes().any(|b| b == b'%' || b == b'+') {
        form_urlencoded::parse(raw.as_bytes())
            .next()
            .is_some_and(|(key, _)| key == name)
    } else {
        raw == name
    }
}

/// Sets the dot-separated `path` in the request's JSON body to `value` (dlt §2.1): an empty body
/// becomes `{}`, missing intermediate objects are created, other keys are kept, and the
/// `Content-Type` becomes `application/json`.
///
/// ```
/// # use restclient_paginate::set_body_path;
/// let mut req = http::Request::post("http://h/s").body(bytes::Bytes::from(r#"{"q":"x"}"#)).unwrap();
/// set_body_path(&mut req, "paging.page", serde_json::json!(2)).unwrap();
/// assert_eq!(req.body().as_ref(), br#"{"q":"x","paging":{"page":2}}"#);
/// ```
pub fn set_body_path(request: &mut Request, path: &str, value: Value) -> Result<(), PaginateError> {
    let err = |reason: &str| PaginateError::RequestBody {
        path: path.to_owned(),
        reason: reason.to_owned(),
    };
    let body = request.body();
    let mut doc: Value = if body.iter().all(u8::is_ascii_whitespace) {
        Value::Object(Map::new())
    } else {
        serde_json::from_slice(body).map_err(|_| err("the body is not JSON"))?
    };
    let keys: Vec<&str> = path.split('.').collect();
    let (last, parents) = keys.split_last().ok_or_else(|| err("empty path"))?;
    let mut node = doc
        .as_object_mut()
        .ok_or_else(|| err("the body is not a JSON object"))?;
    for key in parents {
        let child = node
            .entry((*key).to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
        node = child
            .as_object_mut()
            .ok_or_else(|| err("an intermediate key holds a value that is not an object"))?;
    }
    node.insert((*last).to_owned(), value);
    let bytes = serde_json::to_vec(&doc).map_err(|e| err(&e.to_string()))?;
    *request.body_mut() = Bytes::from(bytes);
    // As requests does for `json=`: a Content-Type the caller chose stays.
    request
        .headers_mut()
        .entry(CONTENT_TYPE)
        .or_insert(HeaderValue::from_static("application/json"));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(uri: &str) -> Request {
        http::Request::get(uri).body(Bytes::new()).unwrap()
    }

    #[test]
    fn query_merge_replaces_in_place_and_appends() {
        let mut r = req("http://h/p");
        set_query_param(&mut r, "offset", "0").unwrap();
        set_query_param(&mut r, "limit", "10").unwrap();
        assert_eq!(r.uri(), "http://h/p?offset=0&limit=10");
        set_query_param(&mut r, "offset", "10").unwrap();
        assert_eq!(r.uri(), "http://h/p?offset=10&limit=10");
        let mut r = req("http://h/p?a=1&a=2&b=3");
        set_query_param(&mut r, "a", "é/").unwrap();
        assert_eq!(r.uri(), "http://h/p?a=%C3%A9%2F&b=3");
    }

    #[test]
    fn body_path_rejects_non_objects() {
        let mut r = http::Request::post("http://h/").body(Bytes::from("[1]")).unwrap();
        assert!(set_body_path(&mut r, "a", Value::from(1)).is_err());
        let mut r = http::Request::post("http://h/")
            .body(Bytes::from(r#"{"a":1}"#))
            .unwrap();
        assert!(set_body_path(&mut r, "a.b", Value::from(1)).is_err());
        let mut r = req("http://h/");
        set_body_path(&mut r, "a.b.c", Value::from("x")).unwrap();
        assert_eq!(r.body().as_ref(), br#"{"a":{"b":{"c":"x"}}}"#);
        assert_eq!(r.headers()[CONTENT_TYPE], "application/json");
    }

    #[test]
    fn a_caller_content_type_is_kept_by_body_paths() {
        let mut r = http::Request::post("http://h/s")
            .header(CONTENT_TYPE, "application/vnd.api+json")
            .body(Bytes::from(r#"{"q":"x"}"#))
            .unwrap();
        set_body_path(&mut r, "page.number", serde_json::json!(2)).unwrap();
        assert_eq!(r.headers()[CONTENT_TYPE], "application/vnd.api+json");
        assert_eq!(r.body().as_ref(), br#"{"q":"x","page":{"number":2}}"#);
    }

    proptest::proptest! {
        /// The named parameter ends up once, with the new value, where it first stood (or last);
        /// every other parameter is kept in order.
        #[test]
        fn set_query_param_replaces_one_and_keeps_the_rest(
            pairs in proptest::collection::vec(("[a-c%+ ]{1,3}", "[a-z0-9 &=]{0,4}"), 0..6),
            name in "[a-c ]{1,2}",
            value in "[a-z0-9 &=/]{0,5}",
        ) {
            let mut query = form_urlencoded::Serializer::new(String::new());
            query.extend_pairs(&pairs);
            let mut request = req(&format!("http://h/p?{}", query.finish()));
            set_query_param(&mut request, &name, &value).unwrap();
            let got: Vec<(String, String)> =
                form_urlencoded::parse(request.uri().query().unwrap_or("").as_bytes()).into_owned().collect();
            let mut want: Vec<(String, String)> = Vec::new();
            let mut placed = false;
            for (k, v) in &pairs {
                if *k == name {
                    if !placed {
                        want.push((name.clone(), value.clone()));
                        placed = true;
                    }
                } else {
                    want.push((k.clone(), v.clone()));
                }
            }
            if !placed {
                want.push((name.clone(), value.clone()));
            }
            proptest::prop_assert_eq!(got, want);
        }
    }
}
