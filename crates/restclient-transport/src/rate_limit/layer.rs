//! [`RateLimitLayer`] and its [`RateLimitBuilder`]: the knobs, checked once when the layer is built.

use std::fmt;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use governor::Quota;
use tower::Layer;

use super::RateLimitError;
use super::service::RateLimit;
use super::state::{Bucket, RateLimitSnapshot, Shared};
use crate::settings::RuntimeSettings;

/// The default cap on a pause asked for by a response: dlt's `max_retry_delay` default, 300 s.
pub const DEFAULT_MAX_PAUSE: Duration = Duration::from_secs(300);

/// The longest `max_pause` accepted; longer caps are cut to it (a year is no rate limit).
const LONGEST_MAX_PAUSE: Duration = Duration::from_secs(365 * 24 * 3600);

/// Applies [`RateLimit`] to services; see the [module docs](crate::rate_limit).
///
/// All services this layer makes, and all their clones, share one state: one token bucket, one
/// pause, one in-flight limit. Clone the layer (or the services) to share it; build another layer
/// for an independent limit.
#[derive(Clone)]
pub struct RateLimitLayer {
    shared: Arc<Shared>,
}

impl fmt::Debug for RateLimitLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RateLimitLayer")
            .field("state", &self.shared)
            .finish()
    }
}

impl Default for RateLimitLayer {
    /// Header-aware pauses only: no token bucket, no in-flight limit, pauses capped at
    /// [`DEFAULT_MAX_PAUSE`].
    fn default() -> Self {
        RateLimitLayer {
            shared: Arc::new(Shared::new(None, None, DEFAULT_MAX_PAUSE, true)),
        }
    }
}

impl RateLimitLayer {
    /// A builder with the defaults: no rate, burst 1, no in-flight limit, header pauses on and
    /// capped at [`DEFAULT_MAX_PAUSE`].
    pub fn builder() -> RateLimitBuilder {
        RateLimitBuilder::default()
    }

    /// What the shared state has seen and decided so far.
    pub fn snapshot(&self) -> RateLimitSnapshot {
        self.shared.snapshot()
    }
}

impl<S> Layer<S> for RateLimitLayer {
    type Service = RateLimit<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RateLimit::new(inner, Arc::clone(&self.shared))
    }
}

/// Configures a [`RateLimitLayer`]; [`build`](Self::build) checks every value.
///
/// ```
/// use restclient_transport::{RateLimitError, RateLimitLayer};
/// use std::time::Duration;
///
/// let layer = RateLimitLayer::builder()
///     .max_rps(10.0)                      // at most 10 requests per second, retries included
///     .burst(2)                           // of which 2 may go at once after a quiet spell
///     .max_in_flight(16)                  // 16 in flight, halved on a 429, grown back on success
///     .max_pause(Duration::from_secs(60)) // obey rate-limit headers for at most a minute
///     .build()?;
/// # let _ = layer;
/// let err = RateLimitLayer::builder().max_rps(-1.0).build().unwrap_err();
/// assert!(matches!(err, RateLimitError::InvalidRate { .. }));
/// # Ok::<(), RateLimitError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RateLimitBuilder {
    max_rps: Option<f64>,
    burst: u32,
    max_in_flight: Option<usize>,
    max_pause: Duration,
    respect_headers: bool,
}

impl Default for RateLimitBuilder {
    fn default() -> Self {
        RateLimitBuilder {
            max_rps: None,
            burst: 1,
            max_in_flight: None,
            max_pause: DEFAULT_MAX_PAUSE,
            respect_headers: true,
        }
    }
}

impl RateLimitBuilder {
    /// The most requests per second, across every clone and every attempt (retries included);
    /// `None` for no rate. Must be finite and above zero, and at most 10⁹ (checked by
    /// [`build`](Self::build)).
    pub fn max_rps(mut self, rps: impl Into<Option<f64>>) -> Self {
        self.max_rps = rps.into();
        self
    }

    /// How many requests may go at once when the bucket is full (after a quiet spell); default 1,
    /// which spaces every request `1 / max_rps` apart. At least 1 (checked by [`build`](Self::build)).
    pub fn burst(mut self, burst: u32) -> Self {
        self.burst = burst;
        self
    }

    /// The most requests in flight at once, and the ceiling the adaptive limit grows back to;
    /// `None` (the default) for no limit and no adaptation. At least 1.
    pub fn max_in_flight(mut self, max: impl Into<Option<usize>>) -> Self {
        self.max_in_flight = max.into();
        self
    }

    /// The longest pause a response's headers can impose (default [`DEFAULT_MAX_PAUSE`]); longer
    /// requests are cut to it. Caps beyond a year are cut to a year.
    pub fn max_pause(mut self, cap: Duration) -> Self {
        self.max_pause = cap.min(LONGEST_MAX_PAUSE);
        self
    }

    /// Takes the pause cap from dlt's `max_retry_delay`, like the retry layer's cap.
    pub fn settings(self, settings: &RuntimeSettings) -> Self {
        self.max_pause(settings.max_retry_delay)
    }

    /// Whether `Retry-After` (on a 429) and the rate-limit headers pause every request (default
    /// true). Off, only the bucket and the in-flight limit act.
    pub fn respect_headers(mut self, respect: bool) -> Self {
        self.respect_headers = respect;
        self
    }

    /// Checks the values and builds the layer.
    ///
    /// # Errors
    /// [`RateLimitError::InvalidRate`] for a rate that is NaN, infinite, zero or less, or too high
    /// or too low to be a period in nanoseconds; [`RateLimitError::InvalidBurst`] for a burst of 0;
    /// [`RateLimitError::InvalidMaxInFlight`] for an in-flight maximum of 0.
    pub fn build(self) -> Result<RateLimitLayer, RateLimitError> {
        let bucket = match self.max_rps {
            None => None,
            Some(rps) => {
                let burst = NonZeroU32::new(self.burst).ok_or(RateLimitError::InvalidBurst)?;
                let quota = quota(rps)?.allow_burst(burst);
                Some(Bucket::new(quota, rps, self.burst))
            }
        };
        if self.max_in_flight == Some(0) {
            return Err(RateLimitError::InvalidMaxInFlight);
        }
        Ok(RateLimitLayer {
            shared: Arc::new(Shared::new(
                bucket,
                self.max_in_flight,
                self.max_pause,
                self.respect_headers,
            )),
        })
    }
}

/// One token every `1 / rps` seconds.
fn quota(rps: f64) -> Result<Quota, RateLimitError> {
    let invalid = |reason| RateLimitError::InvalidRate { rps, reason };
    if rps.is_nan() {
        return Err(invalid("not a number"));
    }
    if rps.is_infinite() {
        return Err(invalid("must be finite"));
    }
    if rps <= 0.0 {
        return Err(invalid("must be above zero"));
    }
    if rps > 1e9 {
        return Err(invalid("at most one request per nanosecond (1e9)"));
    }
    let period = Duration::try_from_secs_f64(1.0 / rps)
        .map_err(|_| invalid("too small: the period between requests overflows"))?;
    Quota::with_period(period).ok_or_else(|| invalid("at most one request per nanosecond (1e9)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_values_are_typed_errors() {
        for (rps, reason) in [
            (0.0, "above zero"),
            (-1.0, "above zero"),
            (f64::NAN, "not a number"),
            (f64::INFINITY, "finite"),
            (f64::NEG_INFINITY, "finite"),
            (2e9, "nanosecond"),
            (1e-300, "overflows"),
        ] {
            let err = RateLimitLayer::builder().max_rps(rps).build().unwrap_err();
            assert!(
                matches!(err, RateLimitError::InvalidRate { .. }),
                "{rps}: {err:?}"
            );
            let shown = err.to_string();
            assert!(shown.contains("max_rps") && shown.contains(reason), "{shown}");
        }
        let err = RateLimitLayer::builder()
            .max_rps(5.0)
            .burst(0)
            .build()
            .unwrap_err();
        assert_eq!(err, RateLimitError::InvalidBurst);
        let err = RateLimitLayer::builder().max_in_flight(0).build().unwrap_err();
        assert_eq!(err, RateLimitError::InvalidMaxInFlight);
        assert!(err.to_string().contains("max_in_flight"), "{err}");
    }

    #[test]
    fn good_values_build_and_debug_shows_the_knobs() {
        let layer = RateLimitLayer::builder()
            .max_rps(2.5)
            .burst(3)
            .max_in_flight(4)
            .max_pause(Duration::MAX)
            .build()
            .unwrap();
        let shown = format!("{layer:?}");
        assert!(
            shown.contains("rps: 2.5") && shown.contains("burst: 3"),
            "{shown}"
        );
        let snapshot = layer.snapshot();
        assert_eq!(snapshot.in_flight_limit, Some(4));
        assert_eq!(snapshot.max_in_flight, Some(4));
        assert_eq!(
            (snapshot.throttled, snapshot.pauses, snapshot.paused_for),
            (0, 0, None)
        );
        let defaults = RateLimitLayer::default().snapshot();
        assert_eq!(defaults.in_flight_limit, None);
        let settings = RuntimeSettings::default();
        assert_eq!(
            RateLimitLayer::builder().settings(&settings).max_pause,
            settings.max_retry_delay
        );
    }
}
