//! dlt's merge of a resource with `resource_defaults` (`_make_endpoint_resource`,
//! `_merge_resource_endpoints`) and its single-entity default (`_setup_single_entity_endpoint`).
//!
//! - A bare name `"users"` is `{"name": "users", "endpoint": {"path": "users"}}`; an endpoint that
//!   is a string is its path; an endpoint without a path uses the resource name.
//! - The merged endpoint is the defaults' endpoint updated by the resource's (key by key), except
//!   `params` and `json`, which are merged one level deep (the resource's keys win). Every other
//!   resource key replaces the default's (no deep merge, `columns` included).
//! - A path whose last segment holds a `{placeholder}` gets `data_selector: "$"` and the
//!   single-page paginator unless the merged endpoint sets them, even when the client sets a
//!   paginator.

use serde_json::{Map, Value};

use crate::SourceError;
use crate::error::kind;

/// A resource merged with the defaults: a dict whose `endpoint` is a dict with a `path`.
pub(crate) fn merge_resource(
    raw: &Value,
    defaults: &Map<String, Value>,
    index: usize,
) -> Result<(String, Map<String, Value>), SourceError> {
    let mut resource = match raw {
        Value::String(name) => {
            let mut m = Map::new();
            m.insert("name".to_owned(), Value::String(name.clone()));
            m.insert("endpoint".to_owned(), Value::Object(path_only(name)));
            m
        }
        Value::Object(m) => m.clone(),
        other => {
            return Err(SourceError::invalid(
                None,
                format!("resources[{index}]"),
                format!("a resource is a name or a dict, got {}", kind(other)),
            ));
        }
    };
    let name = match resource.get("name") {
        Some(Value::String(n)) if !n.is_empty() => n.clone(),
        Some(other) => {
            return Err(SourceError::invalid(
                None,
                format!("resources[{index}].name"),
                format!("must be a non-empty string, got {}", kind(other)),
            ));
        }
        None => {
            return Err(SourceError::invalid(
                None,
                format!("resources[{index}]"),
                "has no `name`",
            ));
        }
    };
    if name.contains(['/', '\\']) || name == "." || name == ".." {
        return Err(SourceError::invalid(
            Some(&name),
            "name",
            "a resource name becomes a file name: no `/`, `\\`, `.` or `..`",
        ));
    }
    let mut endpoint = match resource.remove("endpoint") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::String(path)) => path_only(&path),
        Some(Value::Object(e)) => e,
        Some(other) => {
            return Err(SourceError::invalid(
                Some(&name),
                "endpoint",
                format!("must be a path or a dict, got {}", kind(&other)),
            ));
        }
    };
    if !endpoint.contains_key("path") {
        endpoint.insert("path".to_owned(), Value::String(name.clone()));
    }

    let default_endpoint = match defaults.get("endpoint") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(e)) => e.clone(),
        Some(other) => {
            return Err(SourceError::invalid(
                None,
                "resource_defaults.endpoint",
                format!("must be a dict, got {}", kind(other)),
            ));
        }
    };
    let mut merged_endpoint = default_endpoint;
    for (key, value) in endpoint {
        match (key.as_str(), merged_endpoint.get_mut(&key), value) {
            ("params" | "json", Some(Value::Object(base)), Value::Object(over)) => {
                base.extend(over);
            }
            (_, _, value) => {
                merged_endpoint.insert(key, value);
            }
        }
    }
    setup_single_entity(&mut merged_endpoint);

    let mut merged = defaults.clone();
    merged.remove("endpoint");
    merged.extend(resource);
    merged.insert("endpoint".to_owned(), Value::Object(merged_endpoint));
    Ok((name, merged))
}

fn path_only(path: &str) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("path".to_owned(), Value::String(path.to_owned()));
    m
}

fn setup_single_entity(endpoint: &mut Map<String, Value>) {
    let Some(Value::String(path)) = endpoint.get("path") else {
        return;
    };
    if !single_entity_path(path) {
        return;
    }
    if endpoint.get("data_selector").is_none_or(Value::is_null) {
        endpoint.insert("data_selector".to_owned(), Value::String("$".to_owned()));
    }
    if endpoint.get("paginator").is_none_or(Value::is_null) {
        endpoint.insert("paginator".to_owned(), Value::String("single_page".to_owned()));
    }
}

/// dlt's `single_entity_path`: the last path segment (as `PurePosixPath(path).name` finds it)
/// contains `{name}` with `name` in `[A-Za-z0-9._-]+`.
pub(crate) fn single_entity_path(path: &str) -> bool {
    let Some(last) = path.split('/').rfind(|s| !s.is_empty() && *s != ".") else {
        return false;
    };
    let mut rest = last;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        if let Some(close) = after.find('}') {
            let name = &after[..close];
            if !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
            {
                return true;
            }
        }
        rest = after;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => panic!("not a dict"),
        }
    }

    #[test]
    fn single_entity_paths_as_dlt() {
        for p in [
            "/users/{user_id}",
            "/p/{id}.json",
            "/p/{id}_data",
            "/p/{id}?x=1",
            "/p/{id}/",
            "{id}",
        ] {
            assert!(single_entity_path(p), "{p}");
        }
        for p in [
            "/users/{user_id}/details",
            "/{}",
            "/users/{user id}",
            "/p/{id}/#section",
            "",
            "/",
        ] {
            assert!(!single_entity_path(p), "{p}");
        }
    }

    #[test]
    fn a_bare_name_is_name_and_path() {
        let (name, r) = merge_resource(&json!("users"), &Map::new(), 0).unwrap();
        assert_eq!(name, "users");
        assert_eq!(
            Value::Object(r),
            json!({"name": "users", "endpoint": {"path": "users"}})
        );
    }

    #[test]
    fn endpoint_over_defaults_with_params_and_json_one_level_deep() {
        let defaults = obj(json!({"primary_key": "id", "write_disposition": "append",
            "endpoint": {"params": {"per_page": 10, "sort": "asc"}, "json": {"a": {"x": 1}}, "data_selector": "data", "paginator": "header_link"}}));
        let (_, r) = merge_resource(
            &json!({"name": "r", "write_disposition": "merge",
                    "endpoint": {"params": {"sort": "desc"}, "json": {"a": {"y": 2}}, "paginator": {"type": "offset", "limit": 5}}}),
            &defaults,
            0,
        )
        .unwrap();
        assert_eq!(
            Value::Object(r),
            json!({"primary_key": "id", "write_disposition": "merge", "name": "r",
                   "endpoint": {"params": {"per_page": 10, "sort": "desc"}, "json": {"a": {"y": 2}}, "data_selector": "data",
                                "paginator": {"type": "offset", "limit": 5}, "path": "r"}})
        );
    }

    #[test]
    fn single_entity_defaults_unless_set() {
        let (_, r) = merge_resource(&json!({"name": "u", "endpoint": "users/{id}"}), &Map::new(), 0).unwrap();
        assert_eq!(r["endpoint"]["paginator"], "single_page");
        assert_eq!(r["endpoint"]["data_selector"], "$");
        let defaults = obj(json!({"endpoint": {"paginator": "header_link"}}));
        let (_, r) = merge_resource(
            &json!({"name": "u", "endpoint": {"path": "users/{id}", "data_selector": "item"}}),
            &defaults,
            0,
        )
        .unwrap();
        assert_eq!(r["endpoint"]["paginator"], "header_link");
        assert_eq!(r["endpoint"]["data_selector"], "item");
    }

    #[test]
    fn bad_shapes_name_the_place() {
        let err = merge_resource(&json!(3), &Map::new(), 2).unwrap_err();
        assert!(err.to_string().contains("resources[2]"), "{err}");
        let err = merge_resource(&json!({"endpoint": "x"}), &Map::new(), 1).unwrap_err();
        assert!(err.to_string().contains("has no `name`"), "{err}");
        let err = merge_resource(&json!({"name": "a", "endpoint": 4}), &Map::new(), 0).unwrap_err();
        assert_eq!(err.resource(), Some("a"));
        assert_eq!(err.key(), Some("endpoint"));
        let err = merge_resource(&json!("../x"), &Map::new(), 0).unwrap_err();
        assert_eq!(err.key(), Some("name"));
    }
}
