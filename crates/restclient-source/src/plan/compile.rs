//! One merged resource dict → a checked [`ResourcePlan`](super::ResourcePlan).

use std::sync::Arc;

use http::Method;
use restclient::{AuthConfig, PaginatorConfig, Selector};
use serde_json::{Map, Value};

use super::template::{Template, python_str};
use super::{Param, ResolvedParam, ResourcePlan, ResponseAction};
use crate::SourceError;
use crate::error::kind;
use crate::incremental::{IncrementalSpec, columns};

/// Keys a loader uses (dlt's resource hints): accepted and carried, not used here.
const HINT_KEYS: [&str; 14] = [
    "write_disposition",
    "primary_key",
    "merge_key",
    "columns",
    "table_name",
    "schema_contract",
    "table_format",
    "file_format",
    "references",
    "nested_hints",
    "parent_table_name",
    "max_table_nesting",
    "parallelized",
    "description",
];

const ENDPOINT_KEYS: [&str; 11] = [
    "path",
    "method",
    "params",
    "json",
    "data",
    "paginator",
    "data_selector",
    "response_actions",
    "incremental",
    "auth",
    "headers",
];

const INCREMENTAL_FIELDS: [&str; 4] = ["initial_value", "start_value", "last_value", "end_value"];

/// Reads an auth dict as dlt's `create_auth` does (a dict without `type` is bearer).
pub(super) fn auth(value: &Value) -> Result<AuthConfig, String> {
    match value {
        Value::Object(_) => serde_json::from_value(value.clone()).map_err(|e| e.to_string()),
        Value::String(_) => Err(
            "an auth type alone needs dlt's secrets lookup; give a dict with its fields \
             (e.g. {\"type\": \"bearer\", \"token\": \"${TOKEN}\"})"
                .to_owned(),
        ),
        other => Err(format!("must be a dict, got {}", kind(other))),
    }
}

pub(super) fn compile_resource(
    name: String,
    mut merged: Map<String, Value>,
) -> Result<ResourcePlan, SourceError> {
    let r = Some(name.as_str());
    let bad = |key: &str, message: String| SourceError::invalid(r, key, message);
    let Some(Value::Object(endpoint)) = merged.remove("endpoint") else {
        return Err(bad("endpoint", "must be a dict".into()));
    };
    merged.remove("name");
    let include_from_parent = match merged.remove("include_from_parent") {
        None | Some(Value::Null) => Vec::new(),
        Some(v) => {
            columns(&v).ok_or_else(|| bad("include_from_parent", "must be a list of field names".into()))?
        }
    };
    let selected = match merged.remove("selected") {
        None | Some(Value::Null) => true,
        Some(Value::Bool(b)) => b,
        Some(other) => {
            return Err(bad(
                "selected",
                format!("must be true or false, got {}", kind(&other)),
            ));
        }
    };
    if merged.contains_key("processing_steps") {
        return Err(bad(
            "processing_steps",
            "is not supported in a config file (Python callables in dlt)".into(),
        ));
    }
    if let Some(key) = merged.keys().find(|k| !HINT_KEYS.contains(&k.as_str())) {
        return Err(bad(key, "unknown key for a resource".into()));
    }
    let primary_key = match merged.get("primary_key") {
        None | Some(Value::Null) => None,
        Some(v) => Some(
            columns(v).ok_or_else(|| bad("primary_key", "must be a column name or a list of them".into()))?,
        ),
    };

    if let Some(key) = endpoint.keys().find(|k| !ENDPOINT_KEYS.contains(&k.as_str())) {
        return Err(bad(
            &format!("endpoint.{key}"),
            format!("unknown key; an endpoint has {ENDPOINT_KEYS:?}"),
        ));
    }
    let mut path = match endpoint.get("path") {
        Some(Value::String(p)) => Template::parse(p).map_err(|m| bad("endpoint.path", m))?,
        Some(other) => {
            return Err(bad(
                "endpoint.path",
                format!("must be a string, got {}", kind(other)),
            ));
        }
        None => return Err(bad("endpoint.path", "is required".into())),
    };
    let method = match endpoint.get("method") {
        None | Some(Value::Null) => Method::GET,
        Some(Value::String(m)) => match m.to_ascii_uppercase().as_str() {
            "GET" => Method::GET,
            "POST" => Method::POST,
            "PUT" => Method::PUT,
            "PATCH" => Method::PATCH,
            "DELETE" => Method::DELETE,
            _ => {
                return Err(bad(
                    "endpoint.method",
                    "must be GET, POST, PUT, PATCH or DELETE".into(),
                ));
            }
        },
        Some(other) => {
            return Err(bad(
                "endpoint.method",
                format!("must be a string, got {}", kind(other)),
            ));
        }
    };

    // params: static values, resolve and incremental bindings
    let mut params: Vec<(String, Param)> = Vec::new();
    let mut resolved: Vec<ResolvedParam> = Vec::new();
    let mut parents: Vec<(String, String)> = Vec::new(); // (parent, key that names it)
    let mut incremental: Option<IncrementalSpec> = None;
    match endpoint.get("params") {
        None | Some(Value::Null) => {}
        Some(Value::Object(map)) => {
            for (key, value) in map {
                let at = format!("endpoint.params.{key}");
                match value {
                    Value::Null => {}
                    Value::Object(binding) => match binding.get("type").and_then(Value::as_str) {
                        Some("resolve") => {
                            let field_of = |k: &str| match binding.get(k) {
                                Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
                                _ => Err(bad(
                                    &format!("{at}.{k}"),
                                    "a resolve param needs `resource` and `field` strings".into(),
                                )),
                            };
                            let parent = field_of("resource")?;
                            let field = field_of("field")?;
                            if let Some(extra) = binding
                                .keys()
                                .find(|k| !["type", "resource", "field"].contains(&k.as_str()))
                            {
                                return Err(bad(
                                    &format!("{at}.{extra}"),
                                    "unknown key; resolve takes `resource` and `field`".into(),
                                ));
                            }
                            let selector = Selector::parse(&field)
                                .map_err(|e| bad(&format!("{at}.field"), e.to_string()))?;
                            parents.push((parent, at.clone()));
                            resolved.push(ResolvedParam {
                                name: key.clone(),
                                field,
                                selector,
                            });
                            params.push((key.clone(), Param::Resolve));
                        }
                        Some("incremental") => {
                            if incremental.is_some() {
                                return Err(bad(
                                    &at,
                                    "only one incremental param is allowed per endpoint".into(),
                                ));
                            }
                            incremental = Some(IncrementalSpec::from_param(&name, key, binding)?);
                            params.push((key.clone(), Param::IncrementalStart));
                        }
                        _ => {
                            return Err(bad(
                                &at,
                                "a dict param must have `type` \"resolve\" or \"incremental\"".into(),
                            ));
                        }
                    },
                    Value::Array(items) => {
                        let mut values = Vec::with_capacity(items.len());
                        for item in items {
                            values.push(static_value(item).map_err(|m| bad(&at, m))?);
                        }
                        params.push((key.clone(), Param::Static(values)));
                    }
                    scalar => params.push((
                        key.clone(),
                        Param::Static(vec![static_value(scalar).map_err(|m| bad(&at, m))?]),
                    )),
                }
            }
        }
        Some(other) => {
            return Err(bad(
                "endpoint.params",
                format!("must be a dict, got {}", kind(other)),
            ));
        }
    }
    match (endpoint.get("incremental"), &incremental) {
        (None | Some(Value::Null), _) => {}
        (Some(_), Some(_)) => {
            tracing::warn!(resource = %name, "both an incremental param and endpoint.incremental: the param is used, as dlt does");
        }
        (Some(v), None) => {
            let spec = IncrementalSpec::from_endpoint(&name, v)?;
            for (param, kind) in [
                (&spec.start_param, Param::IncrementalStart),
                (&spec.end_param, Param::IncrementalEnd),
            ] {
                if let Some(param) = param {
                    match params.iter_mut().find(|(k, _)| k == param) {
                        Some(entry) => entry.1 = kind,
                        None => params.push((param.clone(), kind)),
                    }
                }
            }
            incremental = Some(spec);
        }
    }

    // the path: bind static params, keep resolve params and context expressions
    let resolve_names: Vec<String> = resolved.iter().map(|r| r.name.clone()).collect();
    let path_fields: Vec<String> = path.fields().map(str::to_owned).collect();
    let mut bound_in_path: Vec<String> = Vec::new();
    for field in &path_fields {
        if field.starts_with("resources.") || field.starts_with("incremental.") {
            continue;
        }
        if resolve_names.contains(field) {
            bound_in_path.push(field.clone());
            continue;
        }
        match params.iter().position(|(k, _)| k == field) {
            Some(i) => match &params[i].1 {
                Param::Static(values) if values.len() == 1 && values[0].is_literal() => {
                    let text = values[0].render(&|_| None);
                    params.remove(i);
                    path.bind(field, &text);
                }
                _ => {
                    return Err(bad(
                        "endpoint.path",
                        format!("`{{{field}}}` can only be bound to a plain value or a resolve param"),
                    ));
                }
            },
            None if field.contains('.') => {
                return Err(bad(
                    "endpoint.path",
                    format!(
                        "`{{{field}}}` is not a valid placeholder; valid names start with `resources.` or `incremental.`"
                    ),
                ));
            }
            None => {
                return Err(bad(
                    "endpoint.path",
                    format!(
                        "`{{{field}}}` needs a param named `{field}` in `endpoint.params`, and there is none"
                    ),
                ));
            }
        }
    }
    // resolve params not in the path stay query params (more than dlt allows: documented)
    params.retain(|(k, p)| !(matches!(p, Param::Resolve) && bound_in_path.contains(k)));

    // expressions in path, params, json, data and headers
    let headers: Vec<(String, Template)> = super::string_map(endpoint.get("headers"))
        .map_err(|m| bad("endpoint.headers", m))?
        .into_iter()
        .map(|(k, v)| {
            Template::parse(&v)
                .map(|t| (k.clone(), t))
                .map_err(|m| bad(&format!("endpoint.headers.{k}"), m))
        })
        .collect::<Result<_, _>>()?;
    let json = endpoint.get("json").filter(|v| !v.is_null()).cloned();
    let data = endpoint.get("data").filter(|v| !v.is_null()).cloned();
    if let Some(d) = &data
        && !matches!(d, Value::Object(_) | Value::String(_))
    {
        return Err(bad(
            "endpoint.data",
            format!("must be a dict (sent as a form) or a string, got {}", kind(d)),
        ));
    }
    let mut expressions: Vec<(String, String)> = Vec::new(); // (expression, key)
    for field in path.fields() {
        expressions.push((field.to_owned(), "endpoint.path".to_owned()));
    }
    for (key, param) in &params {
        if let Param::Static(values) = param {
            for t in values {
                expressions.extend(
                    t.fields()
                        .map(|f| (f.to_owned(), format!("endpoint.params.{key}"))),
                );
            }
        }
    }
    for (key, t) in &headers {
        expressions.extend(
            t.fields()
                .map(|f| (f.to_owned(), format!("endpoint.headers.{key}"))),
        );
    }
    for (label, body) in [("endpoint.json", &json), ("endpoint.data", &data)] {
        if let Some(body) = body {
            collect_fields(body, &mut |f| expressions.push((f, label.to_owned())))
                .map_err(|m| bad(label, m))?;
        }
    }
    for (expr, key) in expressions {
        if resolve_names.contains(&expr) && key == "endpoint.path" {
            continue;
        }
        if let Some(rest) = expr.strip_prefix("resources.") {
            let Some((parent, field)) = rest
                .split_once('.')
                .filter(|(p, f)| !p.is_empty() && !f.is_empty())
            else {
                return Err(bad(
                    &key,
                    format!("`{{{expr}}}`: expected `resources.<resource>.<field>`"),
                ));
            };
            if !resolved.iter().any(|r| r.name == expr) {
                let selector = Selector::parse(field).map_err(|e| bad(&key, e.to_string()))?;
                resolved.push(ResolvedParam {
                    name: expr.clone(),
                    field: field.to_owned(),
                    selector,
                });
                parents.push((parent.to_owned(), key));
            }
        } else if let Some(field) = expr.strip_prefix("incremental.") {
            if incremental.is_none() {
                return Err(bad(
                    &key,
                    format!("`{{{expr}}}` needs an incremental config on this endpoint"),
                ));
            }
            if !INCREMENTAL_FIELDS.contains(&field) {
                return Err(bad(
                    &key,
                    format!("`{{{expr}}}`: the incremental values are {INCREMENTAL_FIELDS:?}"),
                ));
            }
        } else {
            return Err(bad(
                &key,
                format!(
                    "`{{{expr}}}` is not valid here; placeholders must start with `resources.` or `incremental.` (write `{{{{` for a literal brace)"
                ),
            ));
        }
    }
    let parent = match parents.as_slice() {
        [] => None,
        [(first, _), rest @ ..] => {
            if let Some((other, key)) = rest.iter().find(|(p, _)| p != first) {
                return Err(bad(
                    key,
                    format!("a resource has one parent; this names `{other}` besides `{first}`"),
                ));
            }
            Some(first.clone())
        }
    };
    if parent.is_none() && !include_from_parent.is_empty() {
        return Err(bad(
            "include_from_parent",
            "is set but the resource does not depend on another resource".into(),
        ));
    }

    let paginator = match endpoint.get("paginator") {
        None | Some(Value::Null) => None,
        Some(v) => Some(
            PaginatorConfig::from_value(v.clone()).map_err(|e| bad("endpoint.paginator", e.to_string()))?,
        ),
    };
    let data_selector = match endpoint.get("data_selector") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => {
            Some(Selector::parse(s).map_err(|e| bad("endpoint.data_selector", e.to_string()))?)
        }
        Some(other) => {
            return Err(bad(
                "endpoint.data_selector",
                format!("must be a JSONPath string, got {}", kind(other)),
            ));
        }
    };
    let response_actions = match endpoint.get("response_actions") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, v)| response_action(v).map_err(|m| bad(&format!("endpoint.response_actions[{i}]"), m)))
            .collect::<Result<_, _>>()?,
        Some(other) => {
            return Err(bad(
                "endpoint.response_actions",
                format!("must be a list, got {}", kind(other)),
            ));
        }
    };
    let auth = match endpoint.get("auth") {
        None | Some(Value::Null) => None,
        Some(v) => Some(auth(v).map_err(|m| bad("endpoint.auth", m))?),
    };
    Ok(ResourcePlan {
        name,
        parent,
        method,
        path,
        params,
        json,
        data,
        headers,
        paginator,
        data_selector,
        response_actions,
        incremental: incremental.map(Arc::new),
        auth,
        resolved,
        include_from_parent,
        selected,
        primary_key,
        hints: merged,
    })
}

/// A scalar param value as a template (numbers and booleans as Python writes them).
fn static_value(value: &Value) -> Result<Template, String> {
    match value {
        Value::String(s) => Template::parse(s),
        Value::Number(_) | Value::Bool(_) => {
            Template::parse(&python_str(value).replace('{', "{{").replace('}', "}}"))
        }
        other => Err(format!(
            "a param value must be a string, number, boolean or a list of those, got {}",
            kind(other)
        )),
    }
}

/// Every placeholder field in the strings (keys included) of a JSON body.
fn collect_fields(value: &Value, found: &mut dyn FnMut(String)) -> Result<(), String> {
    match value {
        Value::String(s) => {
            for f in Template::parse(s)?.fields() {
                found(f.to_owned());
            }
        }
        Value::Array(items) => {
            for item in items {
                collect_fields(item, found)?;
            }
        }
        Value::Object(map) => {
            for (k, v) in map {
                for f in Template::parse(k)?.fields() {
                    found(f.to_owned());
                }
                collect_fields(v, found)?;
            }
        }
        _ => {}
    }
    Ok(())
}

fn response_action(value: &Value) -> Result<ResponseAction, String> {
    let Value::Object(map) = value else {
        return Err(format!("must be a dict, got {}", kind(value)));
    };
    if let Some(key) = map
        .keys()
        .find(|k| !["status_code", "content", "action"].contains(&k.as_str()))
    {
        return Err(format!(
            "unknown key `{key}`; an action has `status_code`, `content` and `action`"
        ));
    }
    match map.get("action") {
        Some(Value::String(a)) if a == "ignore" => {}
        Some(Value::String(_)) => return Err("the only `action` a config can give is \"ignore\"".into()),
        _ => return Err("`action` is required (\"ignore\")".into()),
    }
    let status_code = match map.get("status_code") {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) => Some(
            n.as_u64()
                .and_then(|c| u16::try_from(c).ok())
                .filter(|c| (100..=599).contains(c)),
        ),
        Some(Value::String(s)) => Some(s.trim().parse::<u16>().ok().filter(|c| (100..=599).contains(c))),
        Some(_) => Some(None),
    }
    .map(|code| code.ok_or_else(|| "`status_code` must be an HTTP status (100-599)".to_owned()))
    .transpose()?;
    let content = match map.get("content") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(other) => return Err(format!("`content` must be a string, got {}", kind(other))),
    };
    if status_code.is_none() && content.is_none() {
        return Err("give `status_code`, `content` or both".into());
    }
    Ok(ResponseAction { status_code, content })
}
