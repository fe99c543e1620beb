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
pub struct RetryLayer<P = StandardRetryPolicy> {
    policy: Arc<P>,
}

impl<P> Clone for RetryLayer<P> {
    fn clone(&self) -> Self {
        RetryLayer {
            policy: Arc::clone(&self.policy),
        }
    }
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
pub struct Retry<S, P = StandardRetryPolicy> {
    inner: S,
    policy: Arc<P>,
}

// Not derived: the policy is shared behind an `Arc`, so it need not be `Clone` itself.
impl<S: Clone, P> Clone for Retry<S, P> {
    fn clone(&self) -> Self {
        Retry {
            inner: self.inner.clone(),
            policy: Arc::clone(&self.policy),
        }
    }
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
        // Absent means the first attempt (every reader defaults to 1); inserting it anyway would
        // allocate an extension map on every request.
        if attempt > 1 {
            this.extensions_mut().insert(Attempts(attempt));
        }
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
                    if attempt > 1 {
                        response.extensions_mut().insert(Attempts(attempt));
                    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::HttpClient;
    use bytes::Bytes;
    use proptest::prelude::*;
    use restclient_testkit::{Reply, Sequence, TestServer, fail_times};
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicU32, Ordering};

    fn get(url: &str) -> Request {
        http::Request::get(url).body(Bytes::new()).unwrap()
    }

    fn response(status: u16, retry_after: Option<&str>) -> Response {
        let mut builder = http::Response::builder().status(status);
        if let Some(v) = retry_after {
            builder = builder.header("retry-after", v);
        }
        builder.body(Bytes::new()).unwrap()
    }

    /// A real client with fast retries (no waits) against the test server.
    fn fast(attempts: u32) -> Retry<HttpClient> {
        let client = HttpClient::builder()
            .request_timeout(Duration::from_millis(100))
            .build()
            .unwrap();
        Retry::new(
            client,
            StandardRetryPolicy::new()
                .max_attempts(attempts)
                .backoff_factor(0.0),
        )
    }

    async fn send<S>(service: &S, request: Request) -> Result<Response, BoxError>
    where
        S: Service<Request, Response = Response, Error = BoxError> + Clone,
    {
        service.clone().oneshot(request).await
    }

    fn attempts(response: &Response) -> u32 {
        response.extensions().get::<Attempts>().map_or(1, |a| a.0)
    }

    #[tokio::test]
    async fn every_retried_status_is_retried() {
        let server = TestServer::start().await;
        let retry = fast(5);
        for status in [429, 500, 501, 502, 503, 504, 599] {
            let path = format!("/s{status}");
            server.route(&path, fail_times(1, Reply::status(status), Reply::text("ok")));
            let response = send(&retry, get(&server.url(&path))).await.unwrap();
            assert_eq!(response.status(), 200, "{status}");
            assert_eq!(server.hits(&path), 2, "{status}");
            assert_eq!(attempts(&response), 2);
        }
    }

    #[tokio::test]
    async fn other_4xx_are_not_retried() {
        let server = TestServer::start().await;
        let retry = fast(5);
        for status in [400, 401, 403, 404, 408, 409, 422] {
            let path = format!("/s{status}");
            server.route(&path, Reply::status(status).header("retry-after", "1"));
            let response = send(&retry, get(&server.url(&path))).await.unwrap();
            assert_eq!(response.status().as_u16(), status);
            assert_eq!(server.hits(&path), 1, "{status}: exactly one request");
            assert_eq!(attempts(&response), 1);
        }
    }

    #[tokio::test]
    async fn exhausted_on_status_returns_the_last_response() {
        let server = TestServer::start().await;
        server.route("/down", Reply::status(500).body("boom"));
        let response = send(&fast(5), get(&server.url("/down"))).await.unwrap();
        assert_eq!(response.status(), 500);
        assert_eq!(response.body(), "boom");
        assert_eq!(attempts(&response), 5);
        assert_eq!(server.hits("/down"), 5);
        let err =
            restclient_core::StatusError::from_response(&http::Method::GET, &server.url("/down"), &response);
        assert!(err.to_string().ends_with("(after 5 attempts)"), "{err}");
    }

    #[tokio::test]
    async fn zero_and_one_attempts_mean_one_request() {
        let server = TestServer::start().await;
        for n in [0, 1] {
            let path = format!("/n{n}");
            server.route(&path, fail_times(1, Reply::status(503), Reply::text("ok")));
            let response = send(&fast(n), get(&server.url(&path))).await.unwrap();
            assert_eq!(response.status(), 503);
            assert_eq!(server.hits(&path), 1);
        }
    }

    #[tokio::test]
    async fn post_body_is_resent() {
        let server = TestServer::start().await;
        server.route("/p", fail_times(1, Reply::status(503), Reply::text("ok")));
        let request = http::Request::post(server.url("/p"))
            .body(Bytes::from_static(b"{\"a\":1}"))
            .unwrap();
        let response = send(&fast(5), request).await.unwrap();
        assert_eq!(response.status(), 200);
        let log = server.requests();
        assert_eq!(log.len(), 2);
        assert!(
            log.iter()
                .all(|r| r.method == http::Method::POST && r.text() == "{\"a\":1}")
        );
    }

    #[tokio::test]
    async fn timeout_then_success() {
        let server = TestServer::start().await;
        server.route(
            "/t",
            fail_times(
                1,
                Reply::text("late").delay(Duration::from_millis(400)),
                Reply::text("ok"),
            ),
        );
        let response = send(&fast(5), get(&server.url("/t"))).await.unwrap();
        assert_eq!(response.body(), "ok");
        assert_eq!(server.hits("/t"), 2);
    }

    #[tokio::test]
    async fn stalled_body_then_success() {
        let server = TestServer::start().await;
        server.route(
            "/t",
            fail_times(
                1,
                Reply::text("abcdef").stall_after_bytes(2, Duration::from_millis(400)),
                Reply::text("ok"),
            ),
        );
        let response = send(&fast(5), get(&server.url("/t"))).await.unwrap();
        assert_eq!(response.body(), "ok");
        assert_eq!(server.hits("/t"), 2);
    }

    #[tokio::test]
    async fn connection_reset_then_success() {
        let server = TestServer::start().await;
        server.route(
            "/close",
            fail_times(2, Reply::close_connection(), Reply::text("ok")),
        );
        server.route(
            "/cut",
            fail_times(
                1,
                Reply::text("0123456789").close_after_bytes(3),
                Reply::text("ok"),
            ),
        );
        let retry = fast(5);
        assert_eq!(
            send(&retry, get(&server.url("/close"))).await.unwrap().body(),
            "ok"
        );
        assert_eq!(server.hits("/close"), 3);
        assert_eq!(send(&retry, get(&server.url("/cut"))).await.unwrap().body(), "ok");
        assert_eq!(server.hits("/cut"), 2);
    }

    #[tokio::test]
    async fn exhausted_on_errors_reports_attempts_and_cause() {
        let server = TestServer::start().await;
        server.route("/close", Reply::close_connection());
        let err = send(&fast(3), get(&server.url("/close?token=SECRET")))
            .await
            .unwrap_err();
        assert_eq!(server.hits("/close"), 3);
        let err = TransportError::from_box(err);
        assert!(
            matches!(err, TransportError::RetriesExhausted { attempts: 3, .. }),
            "{err:?}"
        );
        assert!(err.is_connect());
        assert_eq!(err.attempts(), Some(3));
        assert!(!format!("{err:?}").contains("SECRET"));
        assert!(err.url().unwrap().contains("token=***"));
    }

    #[tokio::test]
    async fn non_retryable_errors_pass_through_once() {
        let calls = Arc::new(AtomicU32::new(0));
        let counter = calls.clone();
        let service = tower::service_fn(move |_r: Request| {
            counter.fetch_add(1, Ordering::SeqCst);
            async { Err::<Response, _>(std::io::Error::other("bad input")) }
        });
        let err = RetryLayer::default()
            .layer(service)
            .oneshot(get("http://h/"))
            .await
            .unwrap_err();
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert!(err.downcast_ref::<std::io::Error>().is_some());
    }

    #[tokio::test(start_paused = true)]
    async fn foreign_connection_errors_are_retried_with_backoff() {
        let calls = Arc::new(AtomicU32::new(0));
        let counter = calls.clone();
        let service = tower::service_fn(move |_r: Request| {
            let n = counter.fetch_add(1, Ordering::SeqCst);
            async move {
                if n < 2 {
                    Err(std::io::Error::from(std::io::ErrorKind::ConnectionReset))
                } else {
                    Ok(response(200, None))
                }
            }
        });
        let start = tokio::time::Instant::now();
        let policy = StandardRetryPolicy::new().backoff_factor(0.05);
        let response = RetryLayer::new(policy)
            .layer(service)
            .oneshot(get("http://h/"))
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(calls.load(Ordering::SeqCst), 3);
        assert_eq!(start.elapsed(), Duration::from_millis(150), "0.05 + 0.1");
    }

    type Scripted = tower::util::BoxCloneService<Request, Response, BoxError>;

    /// A service answering with `replies` in order (the last repeats), recording when each call came.
    fn scripted(replies: Vec<Response>) -> (Scripted, Arc<Mutex<Vec<tokio::time::Instant>>>) {
        let times = Arc::new(Mutex::new(Vec::new()));
        let log = times.clone();
        let replies = Arc::new(replies);
        let service = tower::service_fn(move |_r: Request| {
            let mut log = log.lock().unwrap();
            log.push(tokio::time::Instant::now());
            let reply = replies[(log.len() - 1).min(replies.len() - 1)].clone();
            async move { Ok::<_, BoxError>(reply) }
        });
        (tower::util::BoxCloneService::new(service), times)
    }

    fn waits(times: &Mutex<Vec<tokio::time::Instant>>) -> Vec<Duration> {
        let times = times.lock().unwrap();
        times.windows(2).map(|w| w[1] - w[0]).collect()
    }

    #[tokio::test(start_paused = true)]
    async fn default_schedule_waits_1_2_4_8() {
        let (service, times) = scripted(vec![response(500, None)]);
        let response = RetryLayer::default()
            .layer(service)
            .oneshot(get("http://h/"))
            .await
            .unwrap();
        assert_eq!(response.status(), 500);
        assert_eq!(attempts(&response), 5);
        assert_eq!(waits(&times), [1, 2, 4, 8].map(Duration::from_secs));
    }

    #[tokio::test(start_paused = true)]
    async fn retry_after_forms() {
        let cap = Duration::from_secs(300);
        let cases: [(&str, Option<Duration>); 6] = [
            ("1", Some(Duration::from_secs(1))),
            ("2.5", Some(Duration::from_millis(2500))),
            ("0", None),
            ("-3", None),
            ("Wed, 21 Oct 2015 07:28:00 GMT", None), // in the past
            ("soon", None),
        ];
        for (value, expected) in cases {
            let (service, times) = scripted(vec![response(503, Some(value)), response(200, None)]);
            let policy = StandardRetryPolicy::new()
                .backoff_factor(0.05)
                .max_retry_delay(cap);
            RetryLayer::new(policy)
                .layer(service)
                .oneshot(get("http://h/"))
                .await
                .unwrap();
            let expected = expected.unwrap_or(Duration::from_millis(50));
            assert_eq!(waits(&times), [expected], "Retry-After: {value}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn retry_after_applies_to_500_and_is_capped() {
        let (service, times) = scripted(vec![response(500, Some("99999")), response(200, None)]);
        let policy = StandardRetryPolicy::new().max_retry_delay(Duration::from_millis(300));
        RetryLayer::new(policy)
            .layer(service)
            .oneshot(get("http://h/"))
            .await
            .unwrap();
        assert_eq!(waits(&times), [Duration::from_millis(300)]);
    }

    #[test]
    fn retry_after_http_date() {
        let now = SystemTime::now();
        let ahead = httpdate::fmt_http_date(now + Duration::from_secs(3));
        let wait = parse_retry_after(&ahead, now).unwrap();
        assert!(
            wait > Duration::from_secs(2) && wait <= Duration::from_secs(3),
            "{wait:?}"
        );
        let past = httpdate::fmt_http_date(now - Duration::from_secs(3));
        assert_eq!(parse_retry_after(&past, now), None);
        assert_eq!(parse_retry_after("", now), None);
        assert_eq!(parse_retry_after(".", now), None);
        assert_eq!(parse_retry_after("1.2.3", now), None);
        assert_eq!(
            parse_retry_after("99999999999999999999999", now),
            Some(Duration::from_secs(u64::MAX))
        );
    }

    /// Wraps the standard policy, records each computed delay and waits none of it.
    #[derive(Debug)]
    struct Recording(StandardRetryPolicy, Arc<Mutex<Vec<Duration>>>);

    impl RetryPolicy for Recording {
        fn max_attempts(&self) -> u32 {
            self.0.max_attempts
        }
        fn should_retry(&self, outcome: &Outcome<'_>) -> bool {
            self.0.should_retry(outcome)
        }
        fn delay(&self, attempt: u32, outcome: &Outcome<'_>) -> Duration {
            self.1.lock().unwrap().push(self.0.delay(attempt, outcome));
            Duration::ZERO
        }
    }

    #[tokio::test]
    async fn retry_after_from_a_real_server() {
        let server = TestServer::start().await;
        let date = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(120));
        server.route(
            "/ra",
            Sequence::new([
                Reply::status(429).header("retry-after", "7"),
                Reply::status(503).header("retry-after", "0.5"),
                Reply::status(503).header("retry-after", &date),
                Reply::status(500).header("retry-after", "0"),
                Reply::text("ok"),
            ]),
        );
        let delays = Arc::new(Mutex::new(Vec::new()));
        let policy = Recording(
            StandardRetryPolicy::new().max_retry_delay(Duration::from_secs(60)),
            delays.clone(),
        );
        let client = HttpClient::builder().build().unwrap();
        let response = RetryLayer::new(policy)
            .layer(client)
            .oneshot(get(&server.url("/ra")))
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let delays = delays.lock().unwrap().clone();
        assert_eq!(delays[0], Duration::from_secs(7));
        assert_eq!(delays[1], Duration::from_millis(500));
        assert_eq!(
            delays[2],
            Duration::from_secs(60),
            "a date 2 min ahead, capped at 60 s"
        );
        assert_eq!(
            delays[3],
            Duration::from_secs(8),
            "0 falls back to the 4th backoff"
        );
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

        /// Any header text parses to a positive wait or to nothing, never a panic; whole seconds
        /// read back exactly.
        #[test]
        fn retry_after_never_panics(value in "\\PC{0,40}", seconds in 1u64..1_000_000) {
            let now = SystemTime::now();
            if let Some(wait) = parse_retry_after(&value, now) {
                prop_assert!(!wait.is_zero());
            }
            prop_assert_eq!(parse_retry_after(&format!(" {seconds} "), now), Some(Duration::from_secs(seconds)));
        }
    }
}
