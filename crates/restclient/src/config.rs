//! [`ClientConfig`]: a client as data, in the shape of dlt's `client` dict.
//!
//! The CLI, the declarative source runner and the Python package build their clients only through
//! this type and [`RestClientBuilder::from_config`], so a setting means the same everywhere.
//!
//! Keys are dlt's (`base_url`, `headers`, `auth`, `paginator`, `data_selector`) plus the runtime
//! settings dlt reads from `[runtime]` (`max_attempts`, `backoff_factor`, `max_retry_delay`,
//! `timeout`, in seconds) and restclient's own (`max_rps`, `max_in_flight`, `auth_everywhere`). Unknown keys are an
//! error naming the key, so a typo never silently drops a setting.
//!
//! ```
//! use restclient::{ClientConfig, RestClientBuilder};
//!
//! let config: ClientConfig = serde_json::from_value(serde_json::json!({
//!     "base_url": "https://api.example.com/v1",
//!     "headers": {"Accept": "application/json"},
//!     "auth": {"type": "bearer", "token": "s3cr3t-token"},
//!     "paginator": {"type": "offset", "limit": 100, "total_path": "meta.total"},
//!     "data_selector": "data",
//!     "max_attempts": 3,
//!     "timeout": 30
//! }))?;
//! let client = RestClientBuilder::from_config(config).build()?;
//! assert_eq!(client.base_url(), Some("https://api.example.com/v1"));
//! assert_eq!(client.settings().max_attempts, 3);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::time::Duration;

use indexmap::IndexMap;
use restclient_auth::AuthConfig;
use restclient_core::redact;
use restclient_paginate::PaginatorConfig;
use serde::Deserialize;

use crate::RestClientBuilder;

/// A client's configuration as plain data (serde): dlt's `client` dict and the runtime settings.
///
/// Every field is optional; absent ones keep the builder's defaults (dlt's, then
/// `RUNTIME__REQUEST_*`).
#[derive(Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ClientConfig {
    /// The root URL relative paths are joined to.
    pub base_url: Option<String>,
    /// Headers sent with every request, in order.
    #[serde(default)]
    pub headers: IndexMap<String, String>,
    /// dlt's auth dict (`{"type": "bearer", "token": ...}`).
    pub auth: Option<AuthConfig>,
    /// dlt's paginator dict or bare name; absent: auto-detect.
    pub paginator: Option<PaginatorConfig>,
    /// JSONPath to the records; absent: auto-detect.
    pub data_selector: Option<String>,
    /// Attempts in total, the first included (dlt: `request_max_attempts`).
    #[serde(alias = "request_max_attempts")]
    pub max_attempts: Option<u32>,
    /// Exponential backoff multiplier in seconds (dlt: `request_backoff_factor`).
    #[serde(alias = "request_backoff_factor")]
    pub backoff_factor: Option<f64>,
    /// Cap on any single retry wait, in seconds (dlt: `request_max_retry_delay`).
    #[serde(alias = "request_max_retry_delay")]
    pub max_retry_delay: Option<f64>,
    /// Connect and read timeout in seconds (dlt: `request_timeout`).
    #[serde(alias = "request_timeout")]
    pub timeout: Option<f64>,
    /// Start at most this many requests per second, retries included (off when absent).
    pub max_rps: Option<f64>,
    /// At most this many requests in flight; halved on a 429, grown back on success.
    pub max_in_flight: Option<usize>,
    /// Send credentials to every origin, not only the base URL's (dlt's behaviour).
    #[serde(default)]
    pub auth_everywhere: bool,
}

impl ClientConfig {
    /// A config with only a base URL.
    pub fn new(base_url: impl Into<String>) -> ClientConfig {
        ClientConfig {
            base_url: Some(base_url.into()),
            ..ClientConfig::default()
        }
    }
}

impl fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<(&str, String)> = self
            .headers
            .iter()
            .map(|(k, v)| (k.as_str(), redact::redact_header(k, v.as_bytes())))
            .collect();
        f.debug_struct("ClientConfig")
            .field("base_url", &self.base_url.as_deref().map(redact::redact_url))
            .field("headers", &headers)
            .field("auth", &self.auth)
            .field("paginator", &self.paginator)
            .field("data_selector", &self.data_selector)
            .field("max_attempts", &self.max_attempts)
            .field("backoff_factor", &self.backoff_factor)
            .field("max_retry_delay", &self.max_retry_delay)
            .field("timeout", &self.timeout)
            .field("max_rps", &self.max_rps)
            .field("max_in_flight", &self.max_in_flight)
            .field("auth_everywhere", &self.auth_everywhere)
            .finish()
    }
}

/// Seconds from a config as a `Duration`; invalid values are left for `build()` to report.
fn seconds(value: f64) -> Result<Duration, String> {
    Duration::try_from_secs_f64(value).map_err(|_| format!("{value} is not a number of seconds ≥ 0"))
}

impl RestClientBuilder {
    /// A builder holding everything `config` says; chain more settings, then
    /// [`build`](RestClientBuilder::build), which checks them all.
    pub fn from_config(config: ClientConfig) -> RestClientBuilder {
        let mut builder = RestClientBuilder::default();
        if let Some(base_url) = config.base_url {
            builder = builder.base_url(base_url);
        }
        for (name, value) in config.headers {
            builder = builder.header(name, value);
        }
        if let Some(auth) = config.auth {
            builder = builder.auth_config(auth);
        }
        if let Some(paginator) = config.paginator {
            builder = builder.paginator_config(paginator);
        }
        if let Some(selector) = config.data_selector {
            builder = builder.data_selector(selector);
        }
        if let Some(v) = config.max_attempts {
            builder = builder.max_attempts(v);
        }
        if let Some(v) = config.backoff_factor {
            builder = builder.backoff_factor(v);
        }
        if let Some(v) = config.max_retry_delay {
            builder = match seconds(v) {
                Ok(d) => builder.max_retry_delay(d),
                Err(why) => builder.invalid(format!("max_retry_delay: {why}")),
            };
        }
        if let Some(v) = config.timeout {
            builder = match seconds(v) {
                Ok(d) => builder.timeout(d),
                Err(why) => builder.invalid(format!("timeout: {why}")),
            };
        }
        if let Some(v) = config.max_rps {
            builder = builder.max_rps(v);
        }
        if let Some(v) = config.max_in_flight {
            builder = builder.max_in_flight(v);
        }
        builder.auth_everywhere(config.auth_everywhere)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn dlt_client_dicts_build() {
        let config: ClientConfig = serde_json::from_value(json!({
            "base_url": "http://127.0.0.1:1/api",
            "headers": {"X-A": "1"},
            "auth": {"type": "api_key", "name": "key", "api_key": "k-123456", "location": "query"},
            "paginator": "header_link",
            "request_max_attempts": 2,
            "request_backoff_factor": 0.5,
            "request_max_retry_delay": 3,
            "request_timeout": 4.5
        }))
        .unwrap();
        let client = RestClientBuilder::from_config(config).build().unwrap();
        let s = client.settings();
        assert_eq!(s.max_attempts, 2);
        assert_eq!(s.backoff_factor, 0.5);
        assert_eq!(s.max_retry_delay, Duration::from_secs(3));
        assert_eq!(s.request_timeout, Duration::from_millis(4500));
    }

    #[test]
    fn unknown_keys_and_bad_values_are_named() {
        let e = serde_json::from_value::<ClientConfig>(json!({"base_urll": "x"})).unwrap_err();
        assert!(e.to_string().contains("base_urll"), "{e}");
        let config: ClientConfig = serde_json::from_value(json!({"timeout": -1})).unwrap();
        let e = RestClientBuilder::from_config(config).build().unwrap_err();
        assert!(e.is_config() && e.to_string().contains("timeout"), "{e}");
        let config = serde_json::from_value::<ClientConfig>(json!({"paginator": {"type": "nope"}}));
        assert!(config.is_err());
    }

    #[test]
    fn debug_never_shows_secrets() {
        let config: ClientConfig = serde_json::from_value(json!({
            "base_url": "http://h/?api_key=abc-secret",
            "headers": {"Authorization": "Bearer tok-secret-1"},
            "auth": {"type": "bearer", "token": "tok-secret-2"}
        }))
        .unwrap();
        let debug = format!("{config:?}");
        for secret in ["abc-secret", "tok-secret-1", "tok-secret-2"] {
            assert!(!debug.contains(secret), "{debug}");
        }
    }
}
