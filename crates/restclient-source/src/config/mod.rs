//! Reading a `rest_api` config: a file (JSON, YAML or TOML by extension) or a value, with
//! `${NAME}` read from the environment.
//!
//! The shape is dlt's `RESTAPIConfig`:
//!
//! ```json
//! {"client": {"base_url": "...", "headers": {..}, "auth": {..}, "paginator": {..} | "name"},
//!  "resource_defaults": {"endpoint": {"params": {..}, ..}, "primary_key": "id", ..},
//!  "resources": ["name" | {"name": "...", "endpoint": "path" | {..}, ..}]}
//! ```
//!
//! Loading checks only the outer shape (the three top-level keys and the client section);
//! [`Source::from_config`](crate::Source::from_config) merges and validates the resources.

mod env;
mod runtime;

use std::path::Path;

use serde_json::{Map, Value};

pub use runtime::RuntimeConfig;

use crate::SourceError;
use crate::error::kind;

/// The file formats a config may be written in, chosen by extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Format {
    /// `.json`
    Json,
    /// `.yaml`, `.yml` (YAML 1.1 via `serde_norway`)
    Yaml,
    /// `.toml`
    Toml,
}

impl Format {
    /// The format for a file name's extension, if it is one of ours.
    pub fn from_path(path: &Path) -> Option<Format> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "json" => Some(Format::Json),
            "yaml" | "yml" => Some(Format::Yaml),
            "toml" => Some(Format::Toml),
            _ => None,
        }
    }

    /// Parses `text` into a JSON value.
    fn parse(self, text: &str) -> Result<Value, String> {
        match self {
            Format::Json => serde_json::from_str(text).map_err(|e| e.to_string()),
            Format::Yaml => serde_norway::from_str(text).map_err(|e| e.to_string()),
            Format::Toml => toml::from_str::<toml::Table>(text)
                .map(|table| toml_to_json(toml::Value::Table(table)))
                .map_err(|e| e.to_string()),
        }
    }
}

/// TOML's date-times become strings (their TOML text), everything else maps one to one.
fn toml_to_json(value: toml::Value) -> Value {
    match value {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(items) => Value::Array(items.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(table) => {
            Value::Object(table.into_iter().map(|(k, v)| (k, toml_to_json(v))).collect())
        }
    }
}

/// A `rest_api` config, read and with `${NAME}` expanded, not yet validated.
#[derive(Clone)]
pub struct RestApiConfig {
    pub(crate) client: Map<String, Value>,
    pub(crate) resource_defaults: Map<String, Value>,
    pub(crate) resources: Vec<Value>,
}

impl std::fmt::Debug for RestApiConfig {
    /// Names only: the config holds credentials.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RestApiConfig")
            .field("resources", &self.resources.len())
            .finish_non_exhaustive()
    }
}

const TOP_KEYS: [&str; 3] = ["client", "resources", "resource_defaults"];
/// dlt's client keys, then the facade's ([`restclient::ClientConfig`]).
const CLIENT_KEYS: [&str; 14] = [
    "base_url",
    "headers",
    "auth",
    "paginator",
    "data_selector",
    "max_attempts",
    "backoff_factor",
    "max_retry_delay",
    "timeout",
    "request_max_attempts",
    "request_backoff_factor",
    "request_max_retry_delay",
    "request_timeout",
    "auth_everywhere",
];

impl RestApiConfig {
    /// Reads a config file; the extension (`.json`, `.yaml`/`.yml`, `.toml`) says the format.
    ///
    /// # Errors
    /// An unreadable file, an unknown extension, a parse error, an unset `${NAME}`, a wrong shape.
    pub fn from_path(path: impl AsRef<Path>) -> Result<RestApiConfig, SourceError> {
        let path = path.as_ref();
        let Some(format) = Format::from_path(path) else {
            return Err(SourceError::Parse {
                path: path.to_owned(),
                message: "the config must end in .json, .yaml, .yml or .toml".to_owned(),
            });
        };
        let text = std::fs::read_to_string(path).map_err(|source| SourceError::Read {
            path: path.to_owned(),
            source,
        })?;
        RestApiConfig::from_str_as(&text, format).map_err(|e| match e {
            SourceError::Parse { message, .. } => SourceError::Parse {
                path: path.to_owned(),
                message,
            },
            other => other,
        })
    }

    /// Reads a config from text in `format`.
    ///
    /// # Errors
    /// As [`from_path`](Self::from_path).
    pub fn from_str_as(text: &str, format: Format) -> Result<RestApiConfig, SourceError> {
        let value = format.parse(text).map_err(|message| SourceError::Parse {
            path: "<config>".into(),
            message,
        })?;
        RestApiConfig::from_value(value)
    }

    /// Reads a config from text in `format`, reading `${NAME}` through `lookup`.
    ///
    /// # Errors
    /// As [`from_path`](Self::from_path).
    pub fn from_str_with_env(
        text: &str,
        format: Format,
        lookup: &dyn Fn(&str) -> Option<String>,
    ) -> Result<RestApiConfig, SourceError> {
        let value = format.parse(text).map_err(|message| SourceError::Parse {
            path: "<config>".into(),
            message,
        })?;
        RestApiConfig::from_value_with_env(value, lookup)
    }

    /// Reads a config from a JSON value, expanding `${NAME}` from the process environment.
    ///
    /// # Errors
    /// An unset `${NAME}` or a wrong shape.
    pub fn from_value(value: Value) -> Result<RestApiConfig, SourceError> {
        RestApiConfig::from_value_with_env(value, &|name| std::env::var(name).ok())
    }

    /// Like [`from_value`](Self::from_value), reading variables through `lookup`.
    ///
    /// # Errors
    /// As [`from_value`](Self::from_value).
    pub fn from_value_with_env(
        mut value: Value,
        lookup: &dyn Fn(&str) -> Option<String>,
    ) -> Result<RestApiConfig, SourceError> {
        env::expand(&mut value, lookup)?;
        let Value::Object(mut top) = value else {
            return Err(SourceError::invalid(
                None,
                "config",
                format!(
                    "a config is a dict with `client` and `resources`, got {}",
                    kind(&value)
                ),
            ));
        };
        if let Some(key) = top.keys().find(|k| !TOP_KEYS.contains(&k.as_str())) {
            return Err(SourceError::invalid(
                None,
                key.clone(),
                format!("unknown key; a config has {TOP_KEYS:?}"),
            ));
        }
        let client = match top.remove("client") {
            Some(Value::Object(client)) => client,
            Some(other) => {
                return Err(SourceError::invalid(
                    None,
                    "client",
                    format!("must be a dict, got {}", kind(&other)),
                ));
            }
            None => return Err(SourceError::invalid(None, "client", "is required")),
        };
        if let Some(key) = client.keys().find(|k| !CLIENT_KEYS.contains(&k.as_str())) {
            return Err(SourceError::invalid(
                None,
                format!("client.{key}"),
                format!("unknown key; the client section has {CLIENT_KEYS:?}"),
            ));
        }
        let resource_defaults = match top.remove("resource_defaults") {
            None | Some(Value::Null) => Map::new(),
            Some(Value::Object(map)) => map,
            Some(other) => {
                return Err(SourceError::invalid(
                    None,
                    "resource_defaults",
                    format!("must be a dict, got {}", kind(&other)),
                ));
            }
        };
        let resources = match top.remove("resources") {
            Some(Value::Array(list)) if !list.is_empty() => list,
            Some(Value::Array(_)) => {
                return Err(SourceError::invalid(None, "resources", "the list is empty"));
            }
            Some(other) => {
                return Err(SourceError::invalid(
                    None,
                    "resources",
                    format!("must be a list, got {}", kind(&other)),
                ));
            }
            None => return Err(SourceError::invalid(None, "resources", "is required")),
        };
        Ok(RestApiConfig {
            client,
            resource_defaults,
            resources,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const JSON: &str = r#"{"client": {"base_url": "https://api.example.com/v1", "paginator": {"type": "page_number", "base_page": 1, "total_path": null}},
        "resource_defaults": {"primary_key": "id", "endpoint": {"params": {"per_page": 50}}},
        "resources": ["users", {"name": "posts", "endpoint": {"path": "users/{id}/posts", "params": {"id": {"type": "resolve", "resource": "users", "field": "id"}}},
                                "include_from_parent": ["name"], "selected": false, "write_disposition": "merge"}]}"#;

    const YAML: &str = "
client:
  base_url: https://api.example.com/v1
  paginator: {type: page_number, base_page: 1, total_path: null}
resource_defaults:
  primary_key: id
  endpoint:
    params:
      per_page: 50
resources:
  - users
  - name: posts
    endpoint:
      path: 'users/{id}/posts'
      params:
        id: {type: resolve, resource: users, field: id}
    include_from_parent: [name]
    selected: false
    write_disposition: merge
";

    // TOML has no null: a paginator without `total_path` here, compared after adding it back.
    const TOML: &str = r#"
resources = ["users", { name = "posts", include_from_parent = ["name"], selected = false, write_disposition = "merge", endpoint = { path = "users/{id}/posts", params = { id = { type = "resolve", resource = "users", field = "id" } } } }]

[client]
base_url = "https://api.example.com/v1"
paginator = { type = "page_number", base_page = 1 }

[resource_defaults]
primary_key = "id"
endpoint = { params = { per_page = 50 } }
"#;

    #[test]
    fn json_yaml_and_toml_read_the_same() {
        let j = RestApiConfig::from_str_as(JSON, Format::Json).unwrap();
        let y = RestApiConfig::from_str_as(YAML, Format::Yaml).unwrap();
        let mut t = RestApiConfig::from_str_as(TOML, Format::Toml).unwrap();
        t.client["paginator"]["total_path"] = Value::Null;
        for other in [&y, &t] {
            assert_eq!(
                Value::Object(j.client.clone()),
                Value::Object(other.client.clone())
            );
            assert_eq!(
                Value::Object(j.resource_defaults.clone()),
                Value::Object(other.resource_defaults.clone())
            );
            assert_eq!(j.resources, other.resources);
        }
    }

    #[test]
    fn formats_by_extension() {
        assert_eq!(Format::from_path(Path::new("a.JSON")), Some(Format::Json));
        assert_eq!(Format::from_path(Path::new("a.yml")), Some(Format::Yaml));
        assert_eq!(Format::from_path(Path::new("dir/a.toml")), Some(Format::Toml));
        assert_eq!(Format::from_path(Path::new("a.txt")), None);
        let err = RestApiConfig::from_path("nowhere.txt").unwrap_err();
        assert!(err.to_string().contains(".json, .yaml"), "{err}");
    }

    #[test]
    fn toml_datetimes_become_strings() {
        let t = RestApiConfig::from_str_as(
            "resources = [{ name = \"a\", endpoint = { params = { since = 2024-01-02T03:04:05Z } } }]\n[client]\nbase_url = \"http://x\"\n",
            Format::Toml,
        )
        .unwrap();
        assert_eq!(
            t.resources[0]["endpoint"]["params"]["since"],
            "2024-01-02T03:04:05Z"
        );
    }

    #[test]
    fn shape_errors_name_the_key() {
        let cases = [
            (json!([]), "`config`"),
            (json!({"resources": ["a"]}), "`client`"),
            (json!({"client": {}, "resources": []}), "`resources`"),
            (json!({"client": {}, "resources": "a"}), "`resources`"),
            (json!({"client": {}, "resources": ["a"], "extra": 1}), "`extra`"),
            (
                json!({"client": {"base_ur": "x"}, "resources": ["a"]}),
                "`client.base_ur`",
            ),
            (
                json!({"client": {}, "resources": ["a"], "resource_defaults": 3}),
                "`resource_defaults`",
            ),
        ];
        for (value, key) in cases {
            let err = RestApiConfig::from_value_with_env(value.clone(), &|_| None).unwrap_err();
            assert!(err.to_string().contains(key), "{value}: {err}");
        }
    }

    #[test]
    fn parse_errors_say_where() {
        let err = RestApiConfig::from_str_as("client:\n  base_url: [\n", Format::Yaml).unwrap_err();
        assert!(matches!(err, SourceError::Parse { .. }), "{err}");
        let err = RestApiConfig::from_str_as("{\"client\": ", Format::Json).unwrap_err();
        assert!(err.to_string().contains("line 1"), "{err}");
    }
}
