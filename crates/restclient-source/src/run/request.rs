//! One request chain's first request, from a resource's plan and the values it depends on (its
//! parent record's fields, the incremental values).

use std::collections::HashMap;

use restclient::select::{Document, Query};
use restclient::{HookAction, PaginateBuilder, RawRecord, RestClient};
use serde_json::{Map, Value};

use crate::plan::template::{Template, python_str};
use crate::plan::{Param, ResourcePlan, ResponseAction};

/// The values placeholders and bound params read.
#[derive(Debug, Default, Clone)]
pub(crate) struct Bindings {
    /// Resolve param names and `resources.P.F` expressions → the parent's value.
    pub(crate) resolved: HashMap<String, Value>,
    /// `initial_value`, `start_value`, `last_value`, `end_value`.
    pub(crate) incremental: HashMap<&'static str, Value>,
}

impl Bindings {
    fn lookup(&self, field: &str) -> Option<Value> {
        if let Some(name) = field.strip_prefix("incremental.") {
            // an unset value formats as Python's None
            return Some(self.incremental.get(name).cloned().unwrap_or(Value::Null));
        }
        self.resolved.get(field).cloned()
    }

    /// The incremental values of a run starting at `start`.
    pub(crate) fn with_incremental(
        mut self,
        initial: Option<&Value>,
        start: Option<&Value>,
        end: Option<&Value>,
    ) -> Self {
        for (name, value) in [
            ("initial_value", initial),
            ("start_value", start),
            ("last_value", start),
            ("end_value", end),
        ] {
            if let Some(v) = value {
                self.incremental.insert(name, v.clone());
            }
        }
        self
    }
}

/// Reads the parent fields a child needs from one parent record.
pub(crate) fn resolve_parent(
    plan: &ResourcePlan,
    query: &Query,
    record: &RawRecord,
) -> Result<HashMap<String, Value>, String> {
    let parent = plan.parent.as_deref().unwrap_or_default();
    let doc = Document::parse(record.bytes().clone(), query).map_err(|e| e.to_string())?;
    let mut values = HashMap::with_capacity(plan.resolved.len());
    for resolved in &plan.resolved {
        let value = doc
            .first(&resolved.selector)
            .map_err(|e| e.to_string())?
            .map(|r| r.to_value())
            .transpose()
            .map_err(|e| e.to_string())?;
        let Some(value) = value else {
            return Err(format!(
                "a record of `{parent}` has no field `{}` to bind to `{}`; its fields are {}",
                resolved.field,
                resolved.name,
                field_names(&doc)
            ));
        };
        values.insert(resolved.name.clone(), value);
    }
    Ok(values)
}

/// dlt's `include_from_parent`: the parent's top-level fields, named `_<parent>_<field>`.
pub(crate) fn parent_fields(plan: &ResourcePlan, record: &RawRecord) -> Result<Vec<(String, Value)>, String> {
    if plan.include_from_parent.is_empty() {
        return Ok(Vec::new());
    }
    let parent = plan.parent.as_deref().unwrap_or_default();
    let Ok(Value::Object(map)) = record.to_value() else {
        return Err(format!(
            "a record of `{parent}` is not a dict, so `include_from_parent` has no fields to take"
        ));
    };
    plan.include_from_parent
        .iter()
        .map(|field| match map.get(field) {
            Some(v) => Ok((format!("_{parent}_{field}"), v.clone())),
            None => Err(format!(
                "a record of `{parent}` has no field `{field}` for `include_from_parent`; its fields are {:?}",
                map.keys().collect::<Vec<_>>()
            )),
        })
        .collect()
}

fn field_names(doc: &Document) -> String {
    match doc.root().to_value() {
        Ok(Value::Object(map)) => format!("{:?}", map.keys().collect::<Vec<_>>()),
        _ => "none (it is not a dict)".to_owned(),
    }
}

/// The pagination of `plan` with `bindings` filled in.
pub(crate) fn paginate(client: &RestClient, plan: &ResourcePlan, bindings: &Bindings) -> PaginateBuilder {
    let lookup = |f: &str| bindings.lookup(f);
    let path = plan.path.render(&lookup);
    let mut b = client.paginate(&path).method(plan.method.clone());
    for (name, param) in &plan.params {
        match param {
            Param::Static(values) => {
                for t in values {
                    b = b.param(name.as_str(), t.render(&lookup));
                }
            }
            Param::Resolve => {
                if let Some(v) = bindings.resolved.get(name) {
                    b = b.param(name.as_str(), python_str(v));
                }
            }
            Param::IncrementalStart => {
                if let Some(v) = bindings.incremental.get("start_value") {
                    b = b.param(name.as_str(), python_str(v));
                }
            }
            Param::IncrementalEnd => {
                if let Some(v) = bindings.incremental.get("end_value") {
                    b = b.param(name.as_str(), python_str(v));
                }
            }
        }
    }
    for (name, value) in &plan.headers {
        b = b.header(name, &value.render(&lookup));
    }
    if let Some(json) = &plan.json {
        b = b.json(&expand_json(json, &lookup));
    }
    match &plan.data {
        Some(Value::Object(map)) => {
            let pairs: Vec<(String, String)> = map
                .iter()
                .map(|(k, v)| (render_str(k, &lookup), python_str(&expand_json(v, &lookup))))
                .collect();
            b = b.form(pairs);
        }
        Some(Value::String(s)) => b = b.body(render_str(s, &lookup), None),
        _ => {}
    }
    if let Some(paginator) = &plan.paginator {
        b = b.paginator_config(paginator.clone());
    }
    if let Some(selector) = &plan.data_selector {
        b = b.data_selector(selector.as_str());
    }
    if let Some(auth) = &plan.auth {
        b = b.auth_config(auth.clone());
    }
    if !plan.response_actions.is_empty() {
        let actions = plan.response_actions.clone();
        b = b
            .hook(move |response| {
                Ok(if actions.iter().any(|a| matches(a, response)) {
                    HookAction::Stop
                } else {
                    HookAction::Continue
                })
            })
            .raise_for_status(true);
    }
    b
}

/// dlt's `_handle_response_action`: status and content must both match when both are given.
fn matches(action: &ResponseAction, response: &http::Response<bytes::Bytes>) -> bool {
    action.status_code.is_none_or(|c| response.status().as_u16() == c)
        && action
            .content
            .as_ref()
            .is_none_or(|c| memchr::memmem::find(response.body(), c.as_bytes()).is_some())
}

fn render_str(text: &str, lookup: &dyn Fn(&str) -> Option<Value>) -> String {
    Template::parse(text).map_or_else(|_| text.to_owned(), |t| t.render(lookup))
}

/// Fills placeholders in a JSON body; a string that is exactly one placeholder takes the value
/// itself, keeping its type (dlt's `preserve_value_type`).
pub(crate) fn expand_json(value: &Value, lookup: &dyn Fn(&str) -> Option<Value>) -> Value {
    match value {
        Value::String(s) => match Template::parse(s) {
            Ok(t) => match t.single_field().and_then(lookup) {
                Some(v) => v,
                None => Value::String(t.render(lookup)),
            },
            Err(_) => value.clone(),
        },
        Value::Array(items) => Value::Array(items.iter().map(|v| expand_json(v, lookup)).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (render_str(k, lookup), expand_json(v, lookup)))
                .collect::<Map<String, Value>>(),
        ),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_bodies_keep_the_type_of_a_lone_placeholder() {
        let bindings = Bindings {
            resolved: HashMap::from([
                ("resources.p.id".to_owned(), json!(42)),
                ("resources.p.tags".to_owned(), json!(["a"])),
            ]),
            ..Default::default()
        };
        let body = json!({"id": "{resources.p.id}", "label": "item-{resources.p.id}", "tags": ["{resources.p.tags}"], "{{k}}": 1});
        let out = expand_json(&body, &|f| bindings.lookup(f));
        assert_eq!(
            out,
            json!({"id": 42, "label": "item-42", "tags": [["a"]], "{k}": 1})
        );
    }

    #[test]
    fn incremental_values_format_as_python() {
        let b = Bindings::default().with_incremental(Some(&json!(1)), Some(&json!(5)), None);
        assert_eq!(b.lookup("incremental.start_value"), Some(json!(5)));
        assert_eq!(b.lookup("incremental.last_value"), Some(json!(5)));
        assert_eq!(b.lookup("incremental.end_value"), Some(json!(null)));
        assert_eq!(b.lookup("resources.x.y"), None);
    }
}
