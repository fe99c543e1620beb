//! Which outcomes are retried and how long to wait: the [`RetryPolicy`] trait and dlt's
//! [`StandardRetryPolicy`].
//!
//! dlt retries a response with status 429 or any 5xx, and an error that a new connection could
//! fix (refused, reset, cut off, TLS handshake, timeout); nothing else. The wait after failed
//! attempt *n* is `min(max_retry_delay, backoff_factor × 2^(n−1))`, replaced by the response's
//! `Retry-After` when it names a positive wait (capped the same way). Jitter is off by default, as
//! in dlt, and only ever shortens a backoff wait, never a `Retry-After` one.

use std::error::Error as StdError;
use std::hash::{BuildHasher, Hasher};
use std::time::{Duration, SystemTime};

use restclient_core::Response;

use super::parse_retry_after;
use crate::error::is_retryable_error;
use crate::settings::RuntimeSettings;

/// What an attempt produced, as a [`RetryPolicy`] sees it.
#[derive(Debug, Clone, Copy)]
pub enum Outcome<'a> {
    /// The service answered (any status).
    Response(&'a Response),
    /// The service failed.
    Error(&'a (dyn StdError + Send + Sync + 'static)),
}

/// Decides whether and when an attempt is retried. Implement it for your own rules, or use
/// [`StandardRetryPolicy`] (dlt's).
///
/// ```
/// use restclient_transport::{Outcome, RetryLayer, RetryPolicy};
/// use std::time::Duration;
///
/// /// Retries only 503, three times in all, every 100 ms.
/// #[derive(Debug)]
/// struct Only503;
///
/// impl RetryPolicy for Only503 {
///     fn max_attempts(&self) -> u32 { 3 }
///     fn should_retry(&self, outcome: &Outcome<'_>) -> bool {
///         matches!(outcome, Outcome::Response(r) if r.status() == 503)
///     }
///     fn delay(&self, _attempt: u32, _outcome: &Outcome<'_>) -> Duration {
///         Duration::from_millis(100)
///     }
/// }
/// let layer = RetryLayer::new(Only503);
/// # let _ = layer;
/// ```
pub trait RetryPolicy: Send + Sync + 'static {
    /// Attempts in all, the first included; 0 is treated as 1.
    fn max_attempts(&self) -> u32;

    /// Whether this outcome is worth another attempt (if attempts remain).
    fn should_retry(&self, outcome: &Outcome<'_>) -> bool;

    /// How long to wait after failed attempt `attempt` (1-based) before the next one.
    fn delay(&self, attempt: u32, outcome: &Outcome<'_>) -> Duration;
}

/// dlt's retry policy; see the [module docs](crate::retry).
///
/// ```
/// use restclient_transport::StandardRetryPolicy;
/// use std::time::Duration;
///
/// let policy = StandardRetryPolicy::new();
/// assert_eq!(
///     policy.schedule(),
///     [1, 2, 4, 8].map(Duration::from_secs).to_vec()
/// );
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct StandardRetryPolicy {
    max_attempts: u32,
    backoff_factor: f64,
    max_retry_delay: Duration,
    respect_retry_after: bool,
    jitter: f64,
}

impl Default for StandardRetryPolicy {
    fn default() -> Self {
        StandardRetryPolicy::from_settings(&RuntimeSettings::default())
    }
}

impl StandardRetryPolicy {
    /// dlt's defaults: 5 attempts, factor 1, 300 s cap, `Retry-After` respected, no jitter.
    pub fn new() -> StandardRetryPolicy {
        StandardRetryPolicy::default()
    }

    /// Attempts, factor and cap from dlt's runtime settings. Later builder calls win.
    pub fn from_settings(settings: &RuntimeSettings) -> StandardRetryPolicy {
        StandardRetryPolicy {
            max_attempts: settings.max_attempts,
            backoff_factor: settings.backoff_factor,
            max_retry_delay: settings.max_retry_delay,
            respect_retry_after: true,
            jitter: 0.0,
        }
    }

    /// Attempts in all, the first included (0 and 1 mean one attempt).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts;
        self
    }

    /// The backoff multiplier in seconds; negative or NaN means no wait.
    pub fn backoff_factor(mut self, factor: f64) -> Self {
        self.backoff_factor = factor;
        self
    }

    /// The cap on any single wait, `Retry-After` included.
    pub fn max_retry_delay(mut self, cap: Duration) -> Self {
        self.max_retry_delay = cap;
        self
    }

    /// Whether a `Retry-After` header replaces the backoff (default true).
    pub fn respect_retry_after(mut self, respect: bool) -> Self {
        self.respect_retry_after = respect;
        self
    }

    /// Randomises each backoff wait down by up to this fraction (clamped to 0..=1): a wait *w*
    /// becomes a random value in `[w × (1 − fraction), w]`. Default 0 (dlt has no jitter).
    /// `Retry-After` waits are not randomised.
    pub fn jitter(mut self, fraction: f64) -> Self {
        self.jitter = if fraction.is_nan() {
            0.0
        } else {
            fraction.clamp(0.0, 1.0)
        };
        self
    }

    /// Whether a status is retried: 429 and 500..=599.
    pub fn is_retryable_status(status: http::StatusCode) -> bool {
        status == http::StatusCode::TOO_MANY_REQUESTS || (500..=599).contains(&status.as_u16())
    }

    /// The backoff after failed attempt `attempt` (1-based), without jitter:
    /// `min(max_retry_delay, backoff_factor × 2^(attempt−1))`.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let exponent = attempt.saturating_sub(1).min(1023) as i32;
        let seconds = self.backoff_factor * 2f64.powi(exponent);
        if seconds.is_nan() || seconds <= 0.0 {
            return Duration::ZERO;
        }
        Duration::try_from_secs_f64(seconds)
            .unwrap_or(self.max_retry_delay)
            .min(self.max_retry_delay)
    }

    /// The waits of a request that fails every time: exactly `max(1, max_attempts) − 1` backoffs.
    pub fn schedule(&self) -> Vec<Duration> {
        (1..self.max_attempts.max(1)).map(|n| self.backoff(n)).collect()
    }

    fn jittered(&self, wait: Duration) -> Duration {
        if self.jitter == 0.0 || wait.is_zero() {
            return wait;
        }
        // A fresh `RandomState` is randomly keyed: enough randomness for spreading retries.
        let random = std::collections::hash_map::RandomState::new()
            .build_hasher()
            .finish();
        let unit = (random >> 11) as f64 / (1u64 << 53) as f64;
        wait.mul_f64(1.0 - self.jitter * unit)
    }
}

impl RetryPolicy for StandardRetryPolicy {
    fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    fn should_retry(&self, outcome: &Outcome<'_>) -> bool {
        match outcome {
            Outcome::Response(response) => Self::is_retryable_status(response.status()),
            Outcome::Error(error) => is_retryable_error(*error),
        }
    }

    fn delay(&self, attempt: u32, outcome: &Outcome<'_>) -> Duration {
        if let (true, Outcome::Response(response)) = (self.respect_retry_after, outcome) {
            let header = response
                .headers()
                .get(http::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok());
            if let Some(wait) = header.and_then(|v| parse_retry_after(v, SystemTime::now())) {
                return wait.min(self.max_retry_delay);
            }
        }
        self.jittered(self.backoff(attempt))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;
    use proptest::prelude::*;

    fn response(status: u16, retry_after: Option<&str>) -> Response {
        let mut builder = http::Response::builder().status(status);
        if let Some(v) = retry_after {
            builder = builder.header("retry-after", v);
        }
        builder.body(Bytes::new()).unwrap()
    }

    #[test]
    fn jitter_stays_within_the_backoff() {
        let policy = StandardRetryPolicy::new().jitter(0.5);
        let outcome_response = response(500, None);
        let outcome = Outcome::Response(&outcome_response);
        for _ in 0..50 {
            let wait = policy.delay(3, &outcome);
            assert!(
                wait <= Duration::from_secs(4) && wait >= Duration::from_secs(2),
                "{wait:?}"
            );
        }
        assert_eq!(StandardRetryPolicy::new().jitter(f64::NAN).jitter, 0.0);
    }

    #[test]
    fn odd_factors_never_panic() {
        for factor in [f64::NAN, -1.0, 0.0, f64::INFINITY, 1e300] {
            let policy = StandardRetryPolicy::new()
                .backoff_factor(factor)
                .max_attempts(2000);
            for wait in policy.schedule() {
                assert!(wait <= Duration::from_secs(300));
            }
        }
    }

    proptest! {
        #[test]
        fn schedule_is_monotone_capped_and_sized(
            attempts in 0u32..40,
            factor in 0.0f64..1000.0,
            cap_ms in 0u64..1_000_000,
        ) {
            let cap = Duration::from_millis(cap_ms);
            let policy = StandardRetryPolicy::new()
                .max_attempts(attempts)
                .backoff_factor(factor)
                .max_retry_delay(cap);
            let schedule = policy.schedule();
            prop_assert_eq!(schedule.len() as u32, attempts.max(1) - 1);
            prop_assert!(schedule.windows(2).all(|w| w[0] <= w[1]));
            prop_assert!(schedule.iter().all(|w| *w <= cap));
        }
    }
}
