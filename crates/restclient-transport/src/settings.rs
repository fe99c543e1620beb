//! dlt's `[runtime]` request settings, with dlt's defaults, readable from the environment.

use std::time::Duration;

use crate::TransportError;

/// The request settings dlt reads from its `[runtime]` section.
///
/// | field | default | environment variable |
/// |---|---|---|
/// | `max_attempts` | 5 | `RUNTIME__REQUEST_MAX_ATTEMPTS` |
/// | `backoff_factor` | 1.0 | `RUNTIME__REQUEST_BACKOFF_FACTOR` |
/// | `max_retry_delay` | 300 s | `RUNTIME__REQUEST_MAX_RETRY_DELAY` (seconds, decimals allowed) |
/// | `request_timeout` | 60 s | `RUNTIME__REQUEST_TIMEOUT` (seconds, decimals allowed) |
///
/// Settings given in code win over the environment: read the environment first, then override
/// fields (or call builder methods on [`RetryLayer`](crate::RetryLayer) and
/// [`HttpClientBuilder`](crate::HttpClientBuilder) after applying the settings).
///
/// ```
/// use restclient_transport::RuntimeSettings;
/// use std::time::Duration;
///
/// let settings = RuntimeSettings::from_lookup(|name| match name {
///     "RUNTIME__REQUEST_TIMEOUT" => Some("0.5".to_owned()),
///     _ => None,
/// })
/// .unwrap();
/// assert_eq!(settings.request_timeout, Duration::from_millis(500));
/// assert_eq!(settings.max_attempts, 5);
/// let settings = RuntimeSettings { max_attempts: 2, ..settings }; // code wins
/// # assert_eq!(settings.max_attempts, 2);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RuntimeSettings {
    /// Attempts in all, the first included; 0 and 1 both mean one attempt.
    pub max_attempts: u32,
    /// The backoff multiplier: the wait after failed attempt n is `backoff_factor * 2^(n-1)` seconds.
    pub backoff_factor: f64,
    /// The cap on any single wait, `Retry-After` included.
    pub max_retry_delay: Duration,
    /// The connect timeout and the timeout of every wait for data (head and each body chunk).
    pub request_timeout: Duration,
}

impl Default for RuntimeSettings {
    fn default() -> Self {
        RuntimeSettings {
            max_attempts: 5,
            backoff_factor: 1.0,
            max_retry_delay: Duration::from_secs(300),
            request_timeout: Duration::from_secs(60),
        }
    }
}

/// `RUNTIME__REQUEST_MAX_ATTEMPTS`
pub const ENV_MAX_ATTEMPTS: &str = "RUNTIME__REQUEST_MAX_ATTEMPTS";
/// `RUNTIME__REQUEST_BACKOFF_FACTOR`
pub const ENV_BACKOFF_FACTOR: &str = "RUNTIME__REQUEST_BACKOFF_FACTOR";
/// `RUNTIME__REQUEST_MAX_RETRY_DELAY`
pub const ENV_MAX_RETRY_DELAY: &str = "RUNTIME__REQUEST_MAX_RETRY_DELAY";
/// `RUNTIME__REQUEST_TIMEOUT`
pub const ENV_REQUEST_TIMEOUT: &str = "RUNTIME__REQUEST_TIMEOUT";

impl RuntimeSettings {
    /// The defaults, overridden by whichever `RUNTIME__REQUEST_*` variables are set.
    ///
    /// # Errors
    /// [`TransportError::InvalidSetting`] naming the variable when a value does not parse or is
    /// out of range.
    pub fn from_env() -> Result<RuntimeSettings, TransportError> {
        RuntimeSettings::from_lookup(|name| std::env::var(name).ok())
    }

    /// Like [`from_env`](Self::from_env), reading variables through `lookup` (for tests and for
    /// configuration sources other than the process environment).
    ///
    /// # Errors
    /// As [`from_env`](Self::from_env).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<RuntimeSettings, TransportError> {
        let mut settings = RuntimeSettings::default();
        if let Some(v) = lookup(ENV_MAX_ATTEMPTS) {
            settings.max_attempts = v.trim().parse().map_err(|_| TransportError::InvalidSetting {
                variable: ENV_MAX_ATTEMPTS,
                value: v.clone(),
                reason: "expected a whole number of attempts (0 or more)",
            })?;
        }
        if let Some(v) = lookup(ENV_BACKOFF_FACTOR) {
            settings.backoff_factor = parse_non_negative(&v).ok_or(TransportError::InvalidSetting {
                variable: ENV_BACKOFF_FACTOR,
                value: v.clone(),
                reason: "expected a number 0 or greater",
            })?;
        }
        if let Some(v) = lookup(ENV_MAX_RETRY_DELAY) {
            settings.max_retry_delay = parse_seconds(&v, false).ok_or(TransportError::InvalidSetting {
                variable: ENV_MAX_RETRY_DELAY,
                value: v.clone(),
                reason: "expected seconds, 0 or greater",
            })?;
        }
        if let Some(v) = lookup(ENV_REQUEST_TIMEOUT) {
            settings.request_timeout = parse_seconds(&v, true).ok_or(TransportError::InvalidSetting {
                variable: ENV_REQUEST_TIMEOUT,
                value: v.clone(),
                reason: "expected seconds greater than 0",
            })?;
        }
        Ok(settings)
    }
}

fn parse_non_negative(value: &str) -> Option<f64> {
    let v: f64 = value.trim().parse().ok()?;
    (v.is_finite() && v >= 0.0).then_some(v)
}

fn parse_seconds(value: &str, positive: bool) -> Option<Duration> {
    let v = parse_non_negative(value)?;
    if positive && v == 0.0 {
        return None;
    }
    Duration::try_from_secs_f64(v).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }

    #[test]
    fn defaults_match_dlt() {
        let s = RuntimeSettings::from_lookup(|_| None).unwrap();
        assert_eq!(s, RuntimeSettings::default());
        assert_eq!(s.max_attempts, 5);
        assert_eq!(s.backoff_factor, 1.0);
        assert_eq!(s.max_retry_delay, Duration::from_secs(300));
        assert_eq!(s.request_timeout, Duration::from_secs(60));
    }

    #[test]
    fn reads_every_variable() {
        let s = RuntimeSettings::from_lookup(vars(&[
            (ENV_MAX_ATTEMPTS, "2"),
            (ENV_BACKOFF_FACTOR, "3"),
            (ENV_MAX_RETRY_DELAY, "0.3"),
            (ENV_REQUEST_TIMEOUT, " 7 "),
        ]))
        .unwrap();
        assert_eq!(s.max_attempts, 2);
        assert_eq!(s.backoff_factor, 3.0);
        assert_eq!(s.max_retry_delay, Duration::from_millis(300));
        assert_eq!(s.request_timeout, Duration::from_secs(7));
    }

    #[test]
    fn invalid_values_name_the_variable() {
        for (name, value) in [
            (ENV_MAX_ATTEMPTS, "five"),
            (ENV_MAX_ATTEMPTS, "-1"),
            (ENV_BACKOFF_FACTOR, "-0.5"),
            (ENV_MAX_RETRY_DELAY, "inf"),
            (ENV_REQUEST_TIMEOUT, "0"),
            (ENV_REQUEST_TIMEOUT, "NaN"),
        ] {
            let err = RuntimeSettings::from_lookup(vars(&[(name, value)])).unwrap_err();
            let msg = err.to_string();
            assert!(msg.contains(name), "{msg}");
            assert!(msg.contains(value), "{msg}");
        }
    }
}
