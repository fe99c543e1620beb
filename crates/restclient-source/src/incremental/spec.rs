//! Reading an incremental config: `{"type": "incremental", ...}` in params, or
//! `endpoint.incremental` with `start_param`/`end_param`.

use std::cmp::Ordering;

use restclient::Selector;
use serde_json::{Map, Value};

use crate::SourceError;
use crate::error::kind;

/// Which cursor value is "later": dlt's `last_value_func`, `max` by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LastValueFunc {
    Max,
    Min,
}

/// dlt's `on_cursor_value_missing`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OnMissing {
    Raise,
    Include,
    Exclude,
}

/// dlt's `row_order`: when the data is sorted, pagination can stop once out of range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RowOrder {
    Asc,
    Desc,
}

/// One resource's incremental settings, checked.
#[derive(Debug, Clone)]
pub(crate) struct IncrementalSpec {
    pub(crate) cursor_path: String,
    pub(crate) cursor: Selector,
    pub(crate) initial_value: Option<Value>,
    pub(crate) end_value: Option<Value>,
    pub(crate) last_value_func: LastValueFunc,
    /// `Some(vec![])` turns deduplication off; `None` uses the resource's `primary_key`.
    pub(crate) primary_key: Option<Vec<String>>,
    pub(crate) row_order: Option<RowOrder>,
    pub(crate) on_missing: OnMissing,
    pub(crate) range_start_open: bool,
    pub(crate) range_end_open: bool,
    pub(crate) start_param: Option<String>,
    pub(crate) end_param: Option<String>,
}

const ARGS: [&str; 10] = [
    "cursor_path",
    "initial_value",
    "last_value_func",
    "primary_key",
    "end_value",
    "row_order",
    "allow_external_schedulers",
    "on_cursor_value_missing",
    "range_start",
    "range_end",
];

impl IncrementalSpec {
    /// Reads `{"type": "incremental", ...}` given as the param `param` (its start param).
    pub(crate) fn from_param(
        resource: &str,
        param: &str,
        map: &Map<String, Value>,
    ) -> Result<Self, SourceError> {
        let key = format!("endpoint.params.{param}");
        if map.get("end_value").is_some_and(is_truthy) || map.get("end_param").is_some_and(is_truthy) {
            return Err(SourceError::invalid(
                Some(resource),
                key,
                "only `start_param` and `initial_value` are allowed in an incremental param; \
                 set `end_value` in `endpoint.incremental` instead",
            ));
        }
        let mut spec = IncrementalSpec::parse(resource, &key, map, &["type", "end_value", "end_param"])?;
        spec.start_param = Some(param.to_owned());
        Ok(spec)
    }

    /// Reads `endpoint.incremental`.
    pub(crate) fn from_endpoint(resource: &str, value: &Value) -> Result<Self, SourceError> {
        let key = "endpoint.incremental";
        let Value::Object(map) = value else {
            return Err(SourceError::invalid(
                Some(resource),
                key,
                format!("must be a dict, got {}", kind(value)),
            ));
        };
        let mut spec = IncrementalSpec::parse(resource, key, map, &["start_param", "end_param"])?;
        spec.start_param = opt_string(resource, key, map, "start_param")?;
        spec.end_param = opt_string(resource, key, map, "end_param")?;
        Ok(spec)
    }

    fn parse(
        resource: &str,
        key: &str,
        map: &Map<String, Value>,
        extra: &[&str],
    ) -> Result<Self, SourceError> {
        let bad = |sub: &str, message: String| {
            SourceError::invalid(Some(resource), format!("{key}.{sub}"), message)
        };
        for k in map.keys() {
            if k == "convert" || k == "transform" || k == "lag" {
                return Err(bad(
                    k,
                    "is not supported in a config file (a Python callable or a lag window in dlt)".into(),
                ));
            }
            if !ARGS.contains(&k.as_str()) && !extra.contains(&k.as_str()) {
                return Err(bad(k, format!("unknown key; incremental takes {ARGS:?}")));
            }
        }
        let cursor_path = match map.get("cursor_path") {
            Some(Value::String(p)) if !p.is_empty() => p.clone(),
            Some(other) => {
                return Err(bad(
                    "cursor_path",
                    format!("must be a JSONPath string, got {}", kind(other)),
                ));
            }
            None => return Err(bad("cursor_path", "is required".into())),
        };
        let cursor = Selector::parse(&cursor_path).map_err(|e| bad("cursor_path", e.to_string()))?;
        let non_null = |k: &str| map.get(k).filter(|v| !v.is_null()).cloned();
        let initial_value = non_null("initial_value");
        let end_value = non_null("end_value");
        let last_value_func = match map.get("last_value_func") {
            None | Some(Value::Null) => LastValueFunc::Max,
            Some(Value::String(s)) if s == "max" => LastValueFunc::Max,
            Some(Value::String(s)) if s == "min" => LastValueFunc::Min,
            Some(_) => return Err(bad("last_value_func", "must be \"max\" or \"min\"".into())),
        };
        let primary_key = match map.get("primary_key") {
            None | Some(Value::Null) => None,
            Some(v) => Some(
                columns(v)
                    .ok_or_else(|| bad("primary_key", "must be a column name or a list of them".into()))?,
            ),
        };
        let row_order = match map.get("row_order") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if s == "asc" => Some(RowOrder::Asc),
            Some(Value::String(s)) if s == "desc" => Some(RowOrder::Desc),
            Some(_) => return Err(bad("row_order", "must be \"asc\" or \"desc\"".into())),
        };
        let on_missing = match map.get("on_cursor_value_missing") {
            None | Some(Value::Null) => OnMissing::Raise,
            Some(Value::String(s)) if s == "raise" => OnMissing::Raise,
            Some(Value::String(s)) if s == "include" => OnMissing::Include,
            Some(Value::String(s)) if s == "exclude" => OnMissing::Exclude,
            Some(_) => {
                return Err(bad(
                    "on_cursor_value_missing",
                    "must be \"raise\", \"include\" or \"exclude\"".into(),
                ));
            }
        };
        let range = |k: &str, default_open: bool| match map.get(k) {
            None | Some(Value::Null) => Ok(default_open),
            Some(Value::String(s)) if s == "open" => Ok(true),
            Some(Value::String(s)) if s == "closed" => Ok(false),
            Some(_) => Err(bad(k, "must be \"open\" or \"closed\"".into())),
        };
        let range_start_open = range("range_start", false)?;
        let range_end_open = range("range_end", true)?;
        if map.get("allow_external_schedulers") == Some(&Value::Bool(true)) {
            return Err(bad(
                "allow_external_schedulers",
                "there is no external scheduler here".into(),
            ));
        }
        let spec = IncrementalSpec {
            cursor_path,
            cursor,
            initial_value,
            end_value,
            last_value_func,
            primary_key,
            row_order,
            on_missing,
            range_start_open,
            range_end_open,
            start_param: None,
            end_param: None,
        };
        if let Some(end) = &spec.end_value {
            let Some(initial) = &spec.initial_value else {
                return Err(bad(
                    "end_value",
                    "`initial_value` is required when using `end_value`".into(),
                ));
            };
            match compare(end, initial) {
                None => {
                    return Err(bad(
                        "end_value",
                        "`initial_value` and `end_value` are not comparable".into(),
                    ));
                }
                Some(_) if spec.better(initial, end) => {
                    let adj = if spec.last_value_func == LastValueFunc::Max {
                        "higher"
                    } else {
                        "lower"
                    };
                    return Err(bad("end_value", format!("must be {adj} than `initial_value`")));
                }
                Some(_) => {}
            }
        }
        Ok(spec)
    }

    /// Whether `a` is strictly "later" than `b` under `last_value_func` (`false` when not comparable).
    pub(crate) fn better(&self, a: &Value, b: &Value) -> bool {
        matches!(
            (compare(a, b), self.last_value_func),
            (Some(Ordering::Greater), LastValueFunc::Max) | (Some(Ordering::Less), LastValueFunc::Min)
        )
    }
}

fn opt_string(
    resource: &str,
    key: &str,
    map: &Map<String, Value>,
    sub: &str,
) -> Result<Option<String>, SourceError> {
    match map.get(sub) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(SourceError::invalid(
            Some(resource),
            format!("{key}.{sub}"),
            format!("must be a string, got {}", kind(other)),
        )),
    }
}

/// A column name or a list of names (dlt's `TColumnNames`).
pub(crate) fn columns(value: &Value) -> Option<Vec<String>> {
    match value {
        Value::String(s) => Some(vec![s.clone()]),
        Value::Array(items) => items.iter().map(|v| v.as_str().map(str::to_owned)).collect(),
        _ => None,
    }
}

/// Python truthiness of a config value.
fn is_truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

/// Python's ordering of two cursor values: numbers (booleans count as 0 and 1) with numbers,
/// strings with strings (by code point, which UTF-8 byte order is); anything else does not
/// compare (Python raises `TypeError`).
pub(crate) fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    fn num(v: &Value) -> Option<Num> {
        match v {
            Value::Bool(b) => Some(Num::Int(i128::from(*b))),
            Value::Number(n) => n
                .as_i64()
                .map(|i| Num::Int(i128::from(i)))
                .or_else(|| n.as_u64().map(|u| Num::Int(i128::from(u))))
                .or_else(|| n.as_f64().map(Num::Float)),
            _ => None,
        }
    }
    enum Num {
        Int(i128),
        Float(f64),
    }
    match (a, b) {
        (Value::String(x), Value::String(y)) => Some(x.cmp(y)),
        _ => match (num(a)?, num(b)?) {
            (Num::Int(x), Num::Int(y)) => Some(x.cmp(&y)),
            (Num::Int(x), Num::Float(y)) => (x as f64).partial_cmp(&y),
            (Num::Float(x), Num::Int(y)) => x.partial_cmp(&(y as f64)),
            (Num::Float(x), Num::Float(y)) => x.partial_cmp(&y),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn endpoint(v: Value) -> Result<IncrementalSpec, SourceError> {
        IncrementalSpec::from_endpoint("r", &v)
    }

    #[test]
    fn reads_endpoint_incremental() {
        let s = endpoint(json!({"start_param": "since", "end_param": "until", "cursor_path": "updated_at",
                                "initial_value": "2024-01-01", "end_value": "2024-02-01", "last_value_func": "max",
                                "primary_key": ["id", "v"], "row_order": "asc", "range_start": "open"}))
        .unwrap();
        assert_eq!(s.start_param.as_deref(), Some("since"));
        assert_eq!(s.end_param.as_deref(), Some("until"));
        assert_eq!(s.primary_key, Some(vec!["id".to_owned(), "v".to_owned()]));
        assert!(s.range_start_open && s.range_end_open);
        assert_eq!(s.row_order, Some(RowOrder::Asc));
    }

    #[test]
    fn param_form_refuses_end_values() {
        let err = IncrementalSpec::from_param(
            "r",
            "since",
            json!({"type": "incremental", "cursor_path": "t", "end_value": 3})
                .as_object()
                .unwrap(),
        )
        .unwrap_err();
        assert_eq!(err.key(), Some("endpoint.params.since"));
        let s = IncrementalSpec::from_param(
            "r",
            "since",
            json!({"type": "incremental", "cursor_path": "t", "initial_value": 1})
                .as_object()
                .unwrap(),
        )
        .unwrap();
        assert_eq!(s.start_param.as_deref(), Some("since"));
        assert_eq!(s.initial_value, Some(json!(1)));
    }

    #[test]
    fn errors_name_the_key() {
        let cases = [
            (json!({"initial_value": 1}), "endpoint.incremental.cursor_path"),
            (json!({"cursor_path": "a b"}), "endpoint.incremental.cursor_path"),
            (
                json!({"cursor_path": "t", "last_value_func": "median"}),
                "endpoint.incremental.last_value_func",
            ),
            (
                json!({"cursor_path": "t", "end_value": 5}),
                "endpoint.incremental.end_value",
            ),
            (
                json!({"cursor_path": "t", "initial_value": 9, "end_value": 5}),
                "endpoint.incremental.end_value",
            ),
            (
                json!({"cursor_path": "t", "initial_value": "a", "end_value": 5}),
                "endpoint.incremental.end_value",
            ),
            (
                json!({"cursor_path": "t", "convert": "f"}),
                "endpoint.incremental.convert",
            ),
            (json!({"cursor_path": "t", "lag": 3}), "endpoint.incremental.lag"),
            (
                json!({"cursor_path": "t", "bogus": 3}),
                "endpoint.incremental.bogus",
            ),
            (
                json!({"cursor_path": "t", "range_end": "half"}),
                "endpoint.incremental.range_end",
            ),
            (
                json!({"cursor_path": "t", "start_param": 4}),
                "endpoint.incremental.start_param",
            ),
        ];
        for (v, key) in cases {
            let err = endpoint(v.clone()).unwrap_err();
            assert_eq!(err.key(), Some(key), "{v}: {err}");
            assert_eq!(err.resource(), Some("r"));
        }
    }

    #[test]
    fn python_ordering() {
        assert_eq!(compare(&json!(1), &json!(1.0)), Some(Ordering::Equal));
        assert_eq!(compare(&json!(2), &json!(10)), Some(Ordering::Less));
        assert_eq!(
            compare(&json!("2024-02"), &json!("2024-10")),
            Some(Ordering::Less)
        );
        assert_eq!(compare(&json!(true), &json!(0)), Some(Ordering::Greater));
        assert_eq!(compare(&json!("1"), &json!(1)), None);
        assert_eq!(compare(&json!(null), &json!(null)), None);
        assert_eq!(compare(&json!(u64::MAX), &json!(-1)), Some(Ordering::Greater));
    }
}
