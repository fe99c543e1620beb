//! Retrying with dlt's rules: which failures are retried, how often, and how long to wait.
//!
//! # The policy
//!
//! An attempt is retried when the response status is 429 or any 5xx (501 and 599 included), or
//! when the attempt failed with a connection error (refused, reset, cut off in the middle of the
//! body, TLS handshake) or a timeout. Every other status, 408 and all other 4xx included, is
//! returned at once, after exactly one request. Any method is retried, POST included, with the
//! same body.
//!
//! `max_attempts` counts all attempts, the first included: 5 means one try and four retries; 0 and
//! 1 both mean a single attempt. The wait after failed attempt *n* is
//! `min(max_retry_delay, backoff_factor × 2^(n−1))`, so 1, 2, 4, 8 seconds by default, with no
//! jitter unless [`StandardRetryPolicy::jitter`] asks for it.
//!
//! A `Retry-After` header on a retried response replaces the backoff: integer seconds, decimal
//! seconds (dlt ignores decimals; we honour them), or an HTTP date. A value of zero or less (`0`,
//! a date in the past) or one that does not parse falls back to the backoff. The wait is capped by
//! `max_retry_delay`, as every wait is.
//!
//! # Errors and the last response
//!
//! When attempts run out on a response (a 500 five times), that last response is returned as `Ok`,
//! as dlt's `get()` does; callers turn a status ≥ 400 into a
//! [`StatusError`](restclient_core::StatusError). Every response carries an
//! [`Attempts`] extension. When attempts run out on an error, the error is
//! [`TransportError::RetriesExhausted`] with the attempt count and the last error as its source
//! (after a single attempt, the error itself). Errors that are not retried pass through unchanged.
//!
//! Each attempt's request carries an [`Attempts`] extension too, holding its 1-based number, so
//! layers below (tracing, auth) know which attempt they see.
//!
//! # Defaults
//!
//! dlt's: 5 attempts, backoff factor 1, 300 s cap, `Retry-After` respected, no jitter.
//!
//! # Example
//!
//! ```
//! use bytes::Bytes;
//! use restclient_transport::{RetryLayer, StandardRetryPolicy};
//! use std::sync::{Arc, atomic::{AtomicU32, Ordering}};
//! use std::time::Duration;
//! use tower::{Layer, Service, ServiceExt};
//!
//! # #[tokio::main(flavor = "current_thread", start_paused = true)] async fn main() {
//! let calls = Arc::new(AtomicU32::new(0));
//! let counter = calls.clone();
//! let flaky = tower::service_fn(move |_req: http::Request<Bytes>| {
//!     let n = counter.fetch_add(1, Ordering::SeqCst);
//!     async move {
//!         let status = if n < 2 { 503 } else { 200 };
//!         Ok::<_, std::convert::Infallible>(
//!             http::Response::builder().status(status).body(Bytes::new()).unwrap(),
//!         )
//!     }
//! });
//! let policy = StandardRetryPolicy::new().backoff_factor(0.05);
//! let mut service = RetryLayer::new(policy).layer(flaky);
//!
//! let request = http::Request::get("http://localhost/").body(Bytes::new()).unwrap();
//! let response = service.ready().await.unwrap().call(request).await.unwrap();
//! assert_eq!(response.status(), 200);
//! assert_eq!(calls.load(Ordering::SeqCst), 3);
//! # }
//! ```

use std::error::Error as StdError;
use std::fmt;
use std::future::Future;
use std::hash::{BuildHasher, Hasher};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime};

use restclient_core::{Attempts, BoxError, Request, Response};
use tower::{Layer, Service, ServiceExt};

use crate::error::{TransportError, is_retryable_error};
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

/// dlt's retry policy; see the [module docs](self).
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

/// Parses a `Retry-After` value as dlt does, plus decimals: integer seconds, decimal seconds, or
/// an HTTP date (minus `now`). `None` when it does not parse or is zero or less (in the past).
///
/// ```
/// use restclient_transport::parse_retry_after;
/// use std::time::{Duration, SystemTime};
///
/// let now = SystemTime::now();
/// assert_eq!(parse_retry_after(" 3 ", now), Some(Duration::from_secs(3)));
/// assert_eq!(parse_retry_after("1.5", now), Some(Duration::from_millis(1500)));
/// assert_eq!(parse_retry_after("0", now), None);
/// assert_eq!(parse_retry_after("-1", now), None);
/// assert_eq!(parse_retry_after("soon", now), None);
/// ```
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    let numeric = !value.is_empty()
        && value.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && value.bytes().filter(|&b| b == b'.').count() <= 1
        && value.bytes().any(|b| b.is_ascii_digit());
    let wait = if numeric {
        if value.contains('.') {
            let seconds: f64 = value.parse().ok()?;
            Duration::try_from_secs_f64(seconds).unwrap_or(Duration::MAX)
        } else {
            // All digits: too many for u64 is "very long", which the cap then bounds.
            Duration::from_secs(value.parse::<u64>().unwrap_or(u64::MAX))
        }
    } else {
        let date = httpdate::parse_http_date(value).ok()?;
        date.duration_since(now).ok()?
    };
    (!wait.is_zero()).then_some(wait)
}

/// Applies [`Retry`] to a service; see the [module docs](self).
#[derive(Clone)]
pub struct RetryLayer<P = StandardRetryPolicy> {
    policy: Arc<P>,
}

impl<P: fmt::Debug> fmt::Debug for RetryLayer<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RetryLayer")
            .field("policy", &self.policy)
            .finish()
    }
}

impl Default for RetryLayer {
    fn default() -> Self {
        RetryLayer::new(StandardRetryPolicy::default())
    }
}

impl RetryLayer {
    /// dlt's policy with attempts, backoff factor and cap from `settings`.
    pub fn from_settings(settings: &RuntimeSettings) -> RetryLayer {
        RetryLayer::new(StandardRetryPolicy::from_settings(settings))
    }
}

impl<P: RetryPolicy> RetryLayer<P> {
    /// A layer retrying by `policy`.
    pub fn new(policy: P) -> Self {
        RetryLayer {
            policy: Arc::new(policy),
        }
    }

    /// The policy.
    pub fn policy(&self) -> &P {
        &self.policy
    }
}

impl<S, P> Layer<S> for RetryLayer<P> {
    type Service = Retry<S, P>;

    fn layer(&self, inner: S) -> Self::Service {
        Retry {
            inner,
            policy: self.policy.clone(),
        }
    }
}

/// Retries requests that fail by its [`RetryPolicy`]; see the [module docs](self).
///
/// It wraps any `Service<http::Request<Bytes>, Response = http::Response<Bytes>>` that is `Clone`
/// and whose error converts into a [`BoxError`]; its own error is a [`BoxError`]
/// ([`TransportError::from_box`] turns it back into a [`TransportError`]).
#[derive(Clone)]
pub struct Retry<S, P = StandardRetryPolicy> {
    inner: S,
    policy: Arc<P>,
}

impl<S: fmt::Debug, P: fmt::Debug> fmt::Debug for Retry<S, P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Retry")
            .field("inner", &self.inner)
            .field("policy", &self.policy)
            .finish()
    }
}

impl<S, P> Retry<S, P> {
    /// Wraps `inner` with `policy`.
    pub fn new(inner: S, policy: P) -> Self {
        Retry {
            inner,
            policy: Arc::new(policy),
        }
    }

    /// The inner service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// The inner service, mutably.
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.inner
    }

    /// Unwraps the inner service.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S, P> Service<Request> for Retry<S, P>
where
    S: Service<Request, Response = Response> + Clone + Send + 'static,
    S::Error: Into<BoxError>,
    S::Future: Send + 'static,
    P: RetryPolicy,
{
    type Response = Response;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Response, BoxError>> + Send + 'static>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        // The service that was driven to readiness goes into the future; a clone stays here.
        let clone = self.inner.clone();
        let inner = std::mem::replace(&mut self.inner, clone);
        Box::pin(run(inner, self.policy.clone(), request))
    }
}

async fn run<S, P>(mut inner: S, policy: Arc<P>, request: Request) -> Result<Response, BoxError>
where
    S: Service<Request, Response = Response>,
    S::Error: Into<BoxError>,
    P: RetryPolicy,
{
    let max_attempts = policy.max_attempts().max(1);
    let mut attempt = 1u32;
    // Bounded: `attempt` grows by one per turn and the loop returns once it reaches max_attempts.
    loop {
        let mut this = request.clone();
        this.extensions_mut().insert(Attempts(attempt));
        let result = if attempt == 1 {
            inner.call(this).await.map_err(Into::into)
        } else {
            let ready: Result<&mut S, BoxError> = inner.ready().await.map_err(Into::into);
            match ready {
                Ok(ready) => ready.call(this).await.map_err(Into::into),
                Err(e) => Err(e),
            }
        };
        let (retry, wait) = {
            let outcome = match &result {
                Ok(response) => Outcome::Response(response),
                Err(error) => Outcome::Error(error.as_ref()),
            };
            let retry = policy.should_retry(&outcome);
            let wait = (retry && attempt < max_attempts).then(|| policy.delay(attempt, &outcome));
            (retry, wait)
        };
        let Some(wait) = wait else {
            return match result {
                Ok(mut response) => {
                    response.extensions_mut().insert(Attempts(attempt));
                    Ok(response)
                }
                Err(source) if retry && attempt > 1 => Err(Box::new(TransportError::RetriesExhausted {
                    attempts: attempt,
                    source,
                })),
                Err(error) => Err(error),
            };
        };
        match &result {
            Ok(response) => tracing::debug!(
                attempt,
                status = response.status().as_u16(),
                wait_ms = wait.as_millis() as u64,
                "retrying"
            ),
            Err(error) => tracing::debug!(
                attempt,
                error = %restclient_core::redact::redact_text(&error.to_string()),
                wait_ms = wait.as_millis() as u64,
                "retrying"
            ),
        }
        drop(result);
        tokio::time::sleep(wait).await;
        attempt += 1;
    }
}
