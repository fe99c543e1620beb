//! Retry and timeout settings from dlt's `.dlt/config.toml` `[runtime]` section.
//!
//! dlt reads `request_max_attempts`, `request_backoff_factor`, `request_max_retry_delay` and
//! `request_timeout` from `[runtime]` in `.dlt/config.toml` of the working directory, and an
//! environment variable (`RUNTIME__REQUEST_TIMEOUT`, ...) wins over the file. So here: a value
//! from the file is applied only when its variable is not set (the facade reads the variables
//! itself). Other sections and keys are ignored, as they concern the rest of dlt.
//!
//! ```
//! use restclient_source::RuntimeConfig;
//! let rt = RuntimeConfig::from_toml_str("[runtime]\nrequest_max_attempts = 2\nrequest_timeout = 1.5\n").unwrap();
//! assert_eq!(rt.request_max_attempts, Some(2));
//! assert_eq!(rt.request_timeout, Some(1.5));
//! ```

use restclient::ClientConfig;
use serde::Deserialize;
use std::path::{Path, PathBuf};

use crate::SourceError;

/// dlt's `[runtime]` request settings; `None` where the file says nothing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct RuntimeConfig {
    /// Attempts in all, the first included.
    pub request_max_attempts: Option<u32>,
    /// The backoff multiplier.
    pub request_backoff_factor: Option<f64>,
    /// The cap on one wait, in seconds.
    pub request_max_retry_delay: Option<f64>,
    /// Connect and read timeout, in seconds.
    pub request_timeout: Option<f64>,
}

#[derive(Deserialize)]
struct DltConfigFile {
    #[serde(default)]
    runtime: Option<RuntimeConfig>,
}

impl RuntimeConfig {
    /// Reads `DIR/config.toml` (dlt's settings folder is `.dlt` in the working directory); no
    /// file means no settings.
    ///
    /// # Errors
    /// An unreadable file, invalid TOML, or a `[runtime]` value of the wrong type.
    pub fn from_dlt_dir(dir: &Path) -> Result<RuntimeConfig, SourceError> {
        let path = dir.join("config.toml");
        match std::fs::read_to_string(&path) {
            Ok(text) => RuntimeConfig::parse(&text, &path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(RuntimeConfig::default()),
            Err(source) => Err(SourceError::Read { path, source }),
        }
    }

    /// Reads the settings from the text of a dlt `config.toml`.
    ///
    /// # Errors
    /// Invalid TOML or a value of the wrong type.
    pub fn from_toml_str(text: &str) -> Result<RuntimeConfig, SourceError> {
        RuntimeConfig::parse(text, &PathBuf::from("config.toml"))
    }

    fn parse(text: &str, path: &Path) -> Result<RuntimeConfig, SourceError> {
        let file: DltConfigFile = toml::from_str(text).map_err(|e| SourceError::Parse {
            path: path.to_owned(),
            message: e.message().to_owned(),
        })?;
        let config = file.runtime.unwrap_or_default();
        for (key, value) in [
            ("request_backoff_factor", config.request_backoff_factor),
            ("request_max_retry_delay", config.request_max_retry_delay),
            ("request_timeout", config.request_timeout),
        ] {
            if let Some(v) = value
                && !(v.is_finite() && v >= 0.0)
            {
                return Err(SourceError::invalid(
                    None,
                    format!("runtime.{key}"),
                    format!("must be a number ≥ 0 (in {})", path.display()),
                ));
            }
        }
        Ok(config)
    }

    /// Fills the retry settings the client section leaves unset and whose `RUNTIME__*` variable
    /// is not set either (the section wins, then the variable, then the file — dlt's order for
    /// the last two).
    pub(crate) fn apply(&self, config: &mut ClientConfig) {
        let unset = |name: &str| std::env::var_os(name).is_none();
        if config.max_attempts.is_none() && unset("RUNTIME__REQUEST_MAX_ATTEMPTS") {
            config.max_attempts = self.request_max_attempts;
        }
        if config.backoff_factor.is_none() && unset("RUNTIME__REQUEST_BACKOFF_FACTOR") {
            config.backoff_factor = self.request_backoff_factor;
        }
        if config.max_retry_delay.is_none() && unset("RUNTIME__REQUEST_MAX_RETRY_DELAY") {
            config.max_retry_delay = self.request_max_retry_delay;
        }
        if config.timeout.is_none() && unset("RUNTIME__REQUEST_TIMEOUT") {
            config.timeout = self.request_timeout.filter(|t| *t > 0.0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_runtime_and_ignores_other_sections() {
        let rt = RuntimeConfig::from_toml_str(
            "[sources.x]\na = 1\n[runtime]\nrequest_max_attempts = 3\nrequest_backoff_factor = 0.5\nrequest_max_retry_delay = 10\nlog_level = \"INFO\"\n",
        )
        .unwrap();
        assert_eq!(rt.request_max_attempts, Some(3));
        assert_eq!(rt.request_backoff_factor, Some(0.5));
        assert_eq!(rt.request_max_retry_delay, Some(10.0));
        assert_eq!(rt.request_timeout, None);
    }

    #[test]
    fn no_file_no_settings_and_bad_values_are_errors() {
        let dir = std::env::temp_dir().join(format!("rs-runtime-none-{}", std::process::id()));
        assert_eq!(
            RuntimeConfig::from_dlt_dir(&dir).unwrap(),
            RuntimeConfig::default()
        );
        let err = RuntimeConfig::from_toml_str("[runtime]\nrequest_timeout = -1\n").unwrap_err();
        assert!(err.to_string().contains("runtime.request_timeout"), "{err}");
        let err = RuntimeConfig::from_toml_str("[runtime]\nrequest_max_attempts = \"x\"\n").unwrap_err();
        assert!(matches!(err, SourceError::Parse { .. }), "{err}");
    }
}
