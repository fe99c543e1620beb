//! From a config to a checked plan: every resource merged with the defaults, compiled (paths,
//! params, paginators, selectors, auth, incremental) and linked to its parent. Everything that can
//! be wrong with a config is found here, before any request.

mod compile;
mod graph;
mod merge;
pub(crate) mod template;

use std::sync::Arc;

use http::Method;
use restclient::{AuthConfig, ClientConfig, PaginatorConfig, Selector};
use serde_json::{Map, Value};

use crate::SourceError;
use crate::config::RestApiConfig;
use crate::error::kind;
use crate::incremental::IncrementalSpec;
use template::Template;

/// The checked plan of a whole source.
#[derive(Debug)]
pub(crate) struct Plan {
    pub(crate) client: ClientConfig,
    /// In config order.
    pub(crate) resources: Vec<Arc<ResourcePlan>>,
}

/// One query parameter of an endpoint.
#[derive(Debug, Clone)]
pub(crate) enum Param {
    /// Fixed values (a list repeats the parameter); strings may hold `{resources...}` or
    /// `{incremental...}` placeholders.
    Static(Vec<Template>),
    /// A `resolve` param not bound in the path: the parent's value goes in the query.
    Resolve,
    /// The incremental start value (omitted while it is `None`).
    IncrementalStart,
    /// The incremental end value.
    IncrementalEnd,
}

/// A parent field a child request needs.
#[derive(Debug, Clone)]
pub(crate) struct ResolvedParam {
    /// The param name, or the expression `resources.P.F`.
    pub(crate) name: String,
    /// The field's JSONPath in the parent record.
    pub(crate) field: String,
    pub(crate) selector: Selector,
}

/// dlt's `response_actions` entry; the action is always `ignore` (the only one a file can say).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ResponseAction {
    pub(crate) status_code: Option<u16>,
    pub(crate) content: Option<String>,
}

/// One resource, merged and checked.
#[derive(Debug)]
pub(crate) struct ResourcePlan {
    pub(crate) name: String,
    pub(crate) parent: Option<String>,
    pub(crate) method: Method,
    pub(crate) path: Template,
    pub(crate) params: Vec<(String, Param)>,
    pub(crate) json: Option<Value>,
    pub(crate) data: Option<Value>,
    pub(crate) headers: Vec<(String, Template)>,
    /// `None`: the client's paginator, else detection.
    pub(crate) paginator: Option<PaginatorConfig>,
    pub(crate) data_selector: Option<Selector>,
    pub(crate) response_actions: Vec<ResponseAction>,
    pub(crate) incremental: Option<Arc<IncrementalSpec>>,
    pub(crate) auth: Option<AuthConfig>,
    pub(crate) resolved: Vec<ResolvedParam>,
    pub(crate) include_from_parent: Vec<String>,
    pub(crate) selected: bool,
    pub(crate) primary_key: Option<Vec<String>>,
    /// Loader keys (`write_disposition`, `columns`, ...): carried, not used.
    pub(crate) hints: Map<String, Value>,
}

impl Plan {
    /// Merges, compiles and links every resource of `config`.
    pub(crate) fn build(config: &RestApiConfig) -> Result<Plan, SourceError> {
        let client = compile_client(&config.client)?;
        let mut resources: Vec<ResourcePlan> = Vec::with_capacity(config.resources.len());
        for (index, raw) in config.resources.iter().enumerate() {
            let (name, merged) = merge::merge_resource(raw, &config.resource_defaults, index)?;
            if resources.iter().any(|r| r.name == name) {
                return Err(SourceError::invalid(Some(&name), "name", "is already defined"));
            }
            resources.push(compile::compile_resource(name, merged)?);
        }
        graph::check(&resources)?;
        Ok(Plan {
            client,
            resources: resources.into_iter().map(Arc::new).collect(),
        })
    }

    /// The resource called `name`.
    pub(crate) fn get(&self, name: &str) -> Option<&Arc<ResourcePlan>> {
        self.resources.iter().find(|r| r.name == name)
    }
}

/// The `client` section as the facade's [`ClientConfig`]: dlt's keys (`base_url`, `headers`,
/// `auth`, `paginator`) and the facade's own (`data_selector`, retry settings, `auth_everywhere`).
fn compile_client(client: &Map<String, Value>) -> Result<ClientConfig, SourceError> {
    let bad = |key: &str, message: String| SourceError::invalid(None, format!("client.{key}"), message);
    let mut checked = client.clone();
    // Checked here first so that no message quotes a value (a header may hold a credential).
    match client.get("base_url") {
        None | Some(Value::Null | Value::String(_)) => {}
        Some(other) => return Err(bad("base_url", format!("must be a string, got {}", kind(other)))),
    }
    let headers = string_map(client.get("headers")).map_err(|m| bad("headers", m))?;
    checked.insert(
        "headers".to_owned(),
        Value::Object(headers.into_iter().map(|(k, v)| (k, Value::String(v))).collect()),
    );
    for key in ["auth", "paginator"] {
        let Some(value) = checked.remove(key).filter(|v| !v.is_null()) else {
            continue;
        };
        match key {
            "auth" => {
                compile::auth(&value).map_err(|m| bad("auth", m))?;
            }
            _ => {
                PaginatorConfig::from_value(value.clone()).map_err(|e| bad("paginator", e.to_string()))?;
            }
        }
        checked.insert(key.to_owned(), value);
    }
    serde_json::from_value(Value::Object(checked))
        .map_err(|e| SourceError::invalid(None, "client", e.to_string()))
}

/// A dict of strings (headers); numbers and booleans are written as Python would.
pub(crate) fn string_map(value: Option<&Value>) -> Result<Vec<(String, String)>, String> {
    match value {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Object(map)) => map
            .iter()
            .map(|(k, v)| match v {
                Value::String(s) => Ok((k.clone(), s.clone())),
                Value::Number(_) | Value::Bool(_) => Ok((k.clone(), template::python_str(v))),
                other => Err(format!("`{k}` must be a string, got {}", kind(other))),
            })
            .collect(),
        Some(other) => Err(format!("must be a dict, got {}", kind(other))),
    }
}
