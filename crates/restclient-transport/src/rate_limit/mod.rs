//! Client-side rate limits: keep below an API's limits instead of discovering them one 429 at a
//! time.
//!
//! # The policy
//!
//! A [`RateLimit`] service holds each request until three things allow it, in this order:
//!
//! 1. **A place in flight.** With a maximum in flight, a request first waits (first come, first
//!    served) for a place. The limit adapts, as TCP's congestion window does (AIMD): a 429 halves
//!    it, never below one, and it grows back by one per window of successful (2xx or 3xx)
//!    responses (as many as the current limit), up to the maximum: growing by one per success
//!    would double it every round trip and run straight back into the server's limit. A burst of 429s from requests sent under the same limit halves it once. Other
//!    statuses and errors leave it alone. The place is held until the response has been read.
//! 2. **No pause.** When a response says the quota is spent, every request of the client waits
//!    until the moment it names, instead of each one trying and failing by itself. A response
//!    says so with `Retry-After` on a 429, with `X-RateLimit-Remaining: 0` and
//!    `X-RateLimit-Reset` (delay seconds or a Unix time, told apart by size), with the IETF
//!    draft's `RateLimit: "default";r=0;t=5` (and `RateLimit-Policy`'s window when `t` is
//!    missing), or with the older `RateLimit-Remaining: 0` and `RateLimit-Reset`. The longest
//!    wait a response names wins; a pause is cut to `max_pause` (by default dlt's
//!    `max_retry_delay`, 300 s), so a broken header cannot stall a pipeline for days. Headers that
//!    do not parse are ignored.
//! 3. **A token.** With a rate, a token bucket (governor's GCRA) lets through `max_rps` requests
//!    per second, `burst` at once after a quiet spell (1 by default: requests evenly spaced).
//!    Tokens are handed out in arrival order.
//!    Without a rate, the client learns a pace from the API instead: a 429 whose `Retry-After` is
//!    `d` makes requests start at most one per `d` (an interval of at most 250 ms: a longer wait
//!    is a quota window or a rounded-up second, which the pause already honours), so that when a
//!    pause ends the waiting requests do not all fire and get refused again; every 8 successes
//!    in a row halve the interval, and below a millisecond it is forgotten.
//!
//! The service then sends the request and learns from the response (pause, halve, grow).
//!
//! # Where it goes
//!
//! Inside [`Retry`](crate::Retry), so that every attempt, retries included, waits for its place,
//! its pause and its token and counts against the rate: **Retry → RateLimit → Auth → Trace →
//! HttpClient**. All clones of a [`RateLimitLayer`], and of every service it made, share one state
//! behind an `Arc`: one bucket, one pause and one in-flight limit for the whole client, however
//! many tasks clone it. It works over any `Service<http::Request<Bytes>, Response =
//! http::Response<Bytes>>` that is `Clone`, and keeps that service's error type.
//!
//! The waits run on tokio's clock (governor reads it through a small clock adapter), so tests
//! with a paused clock (`#[tokio::test(start_paused = true)]`) see the rate in virtual time.
//!
//! # The knobs
//!
//! [`RateLimitLayer::builder`]: [`max_rps`](RateLimitBuilder::max_rps) (no rate by default),
//! [`burst`](RateLimitBuilder::burst) (1), [`max_in_flight`](RateLimitBuilder::max_in_flight)
//! (unlimited, no adaptation), [`max_pause`](RateLimitBuilder::max_pause) (300 s) or
//! [`settings`](RateLimitBuilder::settings) (dlt's `max_retry_delay`), and
//! [`respect_headers`](RateLimitBuilder::respect_headers) (on). [`RateLimitBuilder::build`] refuses
//! a rate that is NaN, infinite or not above zero, a burst of 0 and a maximum in flight of 0, with
//! a [`RateLimitError`]. [`RateLimitLayer::default()`] only obeys the headers.
//!
//! # Example
//!
//! ```
//! use bytes::Bytes;
//! use restclient_transport::{RateLimitLayer, RetryLayer};
//! use std::time::Duration;
//! use tower::{ServiceBuilder, ServiceExt};
//!
//! # #[tokio::main(flavor = "current_thread", start_paused = true)]
//! # async fn main() -> Result<(), restclient_core::BoxError> {
//! # let api = tower::service_fn(|_r: http::Request<Bytes>| async {
//! #     Ok::<_, std::convert::Infallible>(http::Response::new(Bytes::new()))
//! # });
//! let limits = RateLimitLayer::builder().max_rps(5.0).max_in_flight(8).build()?;
//! let client = ServiceBuilder::new()
//!     .layer(RetryLayer::default())
//!     .layer(limits.clone()) // inside retry: every attempt waits for a token
//!     // .layer(auth_layer).layer(TraceLayer::new())
//!     .service(api); // an HttpClient in real use
//!
//! let start = tokio::time::Instant::now();
//! for page in 1..=10 {
//!     let request = http::Request::get(format!("https://api.example.com/items?page={page}"))
//!         .body(Bytes::new())?;
//!     client.clone().oneshot(request).await?;
//! }
//! // The first request goes at once, the other nine 200 ms apart.
//! assert_eq!(start.elapsed(), Duration::from_millis(1800));
//! assert_eq!(limits.snapshot().throttled, 0);
//! # Ok(()) }
//! ```

mod adaptive;
mod clock;
mod headers;
mod layer;
mod service;
mod state;

pub use layer::{DEFAULT_MAX_PAUSE, RateLimitBuilder, RateLimitLayer};
pub use service::RateLimit;
pub use state::RateLimitSnapshot;

/// A rate-limit setting that cannot work, reported by [`RateLimitBuilder::build`].
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum RateLimitError {
    /// `max_rps` is NaN, infinite, zero or less, or beyond what a nanosecond clock can pace.
    #[error("invalid max_rps {rps}: {reason}")]
    InvalidRate {
        /// The value given.
        rps: f64,
        /// Why it was refused.
        reason: &'static str,
    },
    /// `burst` is 0.
    #[error("invalid burst 0: at least one request must be able to go")]
    InvalidBurst,
    /// `max_in_flight` is 0.
    #[error("invalid max_in_flight 0: at least 1 (None for no limit)")]
    InvalidMaxInFlight,
}
