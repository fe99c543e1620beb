//! The source's errors: a config that cannot run, and the setup of a run (output folder, state).
//!
//! What goes wrong *during* a run (a 404, a timeout) does not end the run: it is a
//! [`ResourceFailure`](crate::ResourceFailure) in the summary of the resource it stopped.
//!
//! No message quotes a configured value that could be a secret: config errors name the resource
//! and the key, and describe a wrong value by its kind.

use std::path::PathBuf;

/// Everything that stops a source before or around a run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SourceError {
    /// The config file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The config file is not valid JSON, YAML or TOML, or its extension is none of those.
    #[error("{}: {message}", path.display())]
    Parse {
        /// The file.
        path: PathBuf,
        /// The parser's message.
        message: String,
    },
    /// A `${NAME}` names an environment variable that is not set.
    #[error("environment variable `{name}` is not set (used at `{at}`)")]
    MissingEnv {
        /// The variable.
        name: String,
        /// Where in the config it is used (`resources[1].endpoint.params.token`).
        at: String,
    },
    /// The config is invalid: an unknown key or type, a bad JSONPath, a missing parent, a cycle.
    #[error("{}", invalid_message(.resource.as_deref(), .key, .message))]
    Invalid {
        /// The resource concerned (`None` for the client section or the whole config).
        resource: Option<String>,
        /// The key (`endpoint.paginator`, `client.auth`).
        key: String,
        /// What is wrong.
        message: String,
    },
    /// The HTTP client could not be built from the `client` section.
    #[error("client: {0}")]
    Client(#[source] restclient::Error),
    /// The output folder or a resource's output file could not be written.
    #[error("output {}: {source}", path.display())]
    Output {
        /// The file or folder.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The state file could not be read or written, or holds something else than state.
    #[error("state file {}: {message}", path.display())]
    State {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

fn invalid_message(resource: Option<&str>, key: &str, message: &str) -> String {
    match resource {
        Some(resource) => format!("resource `{resource}`: `{key}`: {message}"),
        None => format!("`{key}`: {message}"),
    }
}

impl SourceError {
    /// An invalid-config error about `key` of `resource`.
    pub(crate) fn invalid(
        resource: Option<&str>,
        key: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        SourceError::Invalid {
            resource: resource.map(str::to_owned),
            key: key.into(),
            message: message.into(),
        }
    }

    /// The resource an invalid-config error names.
    pub fn resource(&self) -> Option<&str> {
        match self {
            SourceError::Invalid { resource, .. } => resource.as_deref(),
            _ => None,
        }
    }

    /// The key an invalid-config error names.
    pub fn key(&self) -> Option<&str> {
        match self {
            SourceError::Invalid { key, .. } => Some(key),
            _ => None,
        }
    }
}

/// The kind of a JSON value, for messages that must not quote the value.
pub(crate) fn kind(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "a list",
        serde_json::Value::Object(_) => "a dict",
    }
}
