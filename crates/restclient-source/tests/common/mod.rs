//! Helpers shared by the integration tests.
#![allow(dead_code, clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use restclient_source::{RestApiConfig, RuntimeConfig, Source};
use serde_json::Value;

/// A fresh, empty folder under the system temp dir.
pub(crate) fn temp_dir(name: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "rs-source-{name}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Fast retries: one attempt, no waiting.
pub(crate) fn no_retries() -> RuntimeConfig {
    RuntimeConfig::from_toml_str(
        "[runtime]\nrequest_max_attempts = 1\nrequest_backoff_factor = 0\nrequest_timeout = 10\n",
    )
    .unwrap()
}

/// A source from a JSON config (no environment), with fast retries.
pub(crate) fn source(config: Value) -> Source {
    let config = RestApiConfig::from_value_with_env(config, &|_| None).unwrap();
    Source::from_config(config).unwrap().with_runtime(no_retries())
}

/// The error a config gives.
pub(crate) fn config_error(config: Value) -> restclient_source::SourceError {
    let config = RestApiConfig::from_value_with_env(config, &|_| None).unwrap();
    Source::from_config(config).unwrap_err()
}

/// The records of `dir/<resource>.ndjson`, one per line.
pub(crate) fn lines(dir: &Path, resource: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(dir.join(format!("{resource}.ndjson"))).unwrap();
    text.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}
