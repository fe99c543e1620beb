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
//! # Where each part lives
//!
//! - this module: the [`Retry`] service and its attempt loop;
//! - `layer`: [`RetryLayer`], to put [`Retry`] into a tower stack;
//! - `policy`: the [`RetryPolicy`] trait, the [`Outcome`] it judges, and dlt's
//!   [`StandardRetryPolicy`] (status and error classification, backoff, jitter);
//! - `retry_after`: [`parse_retry_after`], shared with the rate limiter.
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

mod layer;
mod policy;
mod retry_after;

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use restclient_core::{Attempts, BoxError, Request, Response};
use tower::{Service, ServiceExt};

use crate::error::TransportError;
pub use layer::RetryLayer;
pub use policy::{Outcome, RetryPolicy, StandardRetryPolicy};
pub use retry_after::parse_retry_after;

/// Retries requests that fail by its [`RetryPolicy`]; see the [module docs](crate::retry).
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
    use bytes::Bytes;
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::time::Duration;
    use tower::Layer;

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

    fn attempts(response: &Response) -> u32 {
        response.extensions().get::<Attempts>().map_or(1, |a| a.0)
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
}
