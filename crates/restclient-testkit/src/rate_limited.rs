//! A rate-limited route: a token bucket in front of another responder, answering 429 with
//! `Retry-After` beyond its rate, as real APIs do.

use std::fmt;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use governor::clock::{Clock, MonotonicClock};
use governor::middleware::NoOpMiddleware;
use governor::state::{InMemoryState, NotKeyed};
use governor::{Quota, RateLimiter};

use crate::{RecordedRequest, Reply, Responder};

type Limiter = RateLimiter<NotKeyed, InMemoryState, MonotonicClock, NoOpMiddleware<std::time::Instant>>;

/// Lets `rps` requests per second through to `inner` (up to `burst` at once after a quiet
/// spell) and answers every other one with `429 Too Many Requests` and a `Retry-After` naming
/// when the next token is due. It runs on real (monotonic) time, like the server.
///
/// Keep a [`RateLimitedStats`] handle from [`stats`](Self::stats) before handing the responder
/// to a route, to count what it let through and what it refused.
///
/// ```
/// use restclient_testkit::{RateLimited, Reply, TestServer};
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let server = TestServer::start().await;
/// let limited = RateLimited::new(Reply::text("ok"), 20.0, 2);
/// let stats = limited.stats();
/// server.route("/items", limited);
/// // ... drive the client under test at server.url("/items") ...
/// assert_eq!(stats.throttled(), 0);
/// # }
/// ```
pub struct RateLimited<R> {
    inner: R,
    limiter: Limiter,
    clock: MonotonicClock,
    rps: f64,
    burst: u32,
    fractional_retry_after: bool,
    stats: RateLimitedStats,
}

/// What a [`RateLimited`] responder let through and refused, shared with the responder.
#[derive(Debug, Clone, Default)]
pub struct RateLimitedStats {
    counts: Arc<Counts>,
}

#[derive(Debug, Default)]
struct Counts {
    passed: AtomicUsize,
    throttled: AtomicUsize,
}

impl RateLimitedStats {
    /// Requests handed to the inner responder.
    pub fn passed(&self) -> usize {
        self.counts.passed.load(Ordering::SeqCst)
    }

    /// Requests answered with 429.
    pub fn throttled(&self) -> usize {
        self.counts.throttled.load(Ordering::SeqCst)
    }
}

impl<R> fmt::Debug for RateLimited<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RateLimited")
            .field("rps", &self.rps)
            .field("burst", &self.burst)
            .field("fractional_retry_after", &self.fractional_retry_after)
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

impl<R: Responder> RateLimited<R> {
    /// `rps` requests per second to `inner`, `burst` at once; 429 beyond.
    ///
    /// # Panics
    /// When `rps` is not a finite number above zero (and at most 10⁹), or `burst` is 0: a bug in
    /// the test.
    pub fn new(inner: R, rps: f64, burst: u32) -> RateLimited<R> {
        assert!(
            rps.is_finite() && rps > 0.0 && rps <= 1e9,
            "RateLimited needs a finite rate above zero, got {rps}"
        );
        let period = Duration::from_secs_f64(1.0 / rps);
        let burst_nz = NonZeroU32::new(burst).expect("RateLimited needs a burst of at least 1");
        let quota = Quota::with_period(period)
            .expect("a rate of at most 1e9 has a period of at least 1 ns")
            .allow_burst(burst_nz);
        let clock = MonotonicClock;
        RateLimited {
            inner,
            limiter: RateLimiter::direct_with_clock(quota, clock.clone()),
            clock,
            rps,
            burst,
            fractional_retry_after: false,
            stats: RateLimitedStats::default(),
        }
    }

    /// `Retry-After` in decimal seconds (`0.050`) instead of whole seconds rounded up (`1`, the
    /// only form RFC 9110 allows, and the only one dlt reads). Default off.
    pub fn fractional_retry_after(mut self, fractional: bool) -> Self {
        self.fractional_retry_after = fractional;
        self
    }

    /// A handle on the counts, shared with this responder.
    pub fn stats(&self) -> RateLimitedStats {
        self.stats.clone()
    }

    fn retry_after(&self, wait: Duration) -> String {
        if self.fractional_retry_after {
            format!("{:.3}", wait.as_secs_f64().max(0.001))
        } else {
            wait.as_secs_f64().ceil().max(1.0).to_string()
        }
    }
}

impl<R: Responder> Responder for RateLimited<R> {
    fn respond(&self, request: &RecordedRequest) -> Reply {
        match self.limiter.check() {
            Ok(()) => {
                self.stats.counts.passed.fetch_add(1, Ordering::SeqCst);
                self.inner.respond(request)
            }
            Err(not_until) => {
                self.stats.counts.throttled.fetch_add(1, Ordering::SeqCst);
                let wait = not_until.wait_time_from(self.clock.now());
                Reply::status(429)
                    .header("retry-after", &self.retry_after(wait))
                    .body("rate limit exceeded")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> RecordedRequest {
        RecordedRequest {
            method: http::Method::GET,
            uri: http::Uri::from_static("/items"),
            headers: http::HeaderMap::new(),
            body: bytes::Bytes::new(),
        }
    }

    fn retry_after(reply: &Reply) -> Option<&str> {
        reply
            .headers
            .iter()
            .find(|(name, _)| name == "retry-after")
            .and_then(|(_, value)| value.to_str().ok())
    }

    #[test]
    fn lets_the_burst_through_then_answers_429_until_a_token_is_due() {
        let limited = RateLimited::new(Reply::text("ok"), 20.0, 2);
        let stats = limited.stats();
        let replies: Vec<Reply> = (0..3).map(|_| limited.respond(&request())).collect();
        assert_eq!(replies[0].status, 200);
        assert_eq!(replies[1].status, 200);
        assert_eq!(replies[2].status, 429);
        assert_eq!(retry_after(&replies[2]), Some("1"), "whole seconds, rounded up");
        assert_eq!((stats.passed(), stats.throttled()), (2, 1));
        // One token every 50 ms.
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(limited.respond(&request()).status, 200);
        assert_eq!((stats.passed(), stats.throttled()), (3, 1));
    }

    #[test]
    fn fractional_retry_after_names_the_wait() {
        let limited = RateLimited::new(Reply::text("ok"), 10.0, 1).fractional_retry_after(true);
        assert_eq!(limited.respond(&request()).status, 200);
        let refused = limited.respond(&request());
        assert_eq!(refused.status, 429);
        let wait: f64 = retry_after(&refused).unwrap().parse().unwrap();
        assert!(wait > 0.0 && wait <= 0.1, "{wait}");
        assert!(format!("{limited:?}").contains("rps: 10.0"));
    }

    #[test]
    fn wraps_any_responder() {
        let limited = RateLimited::new(
            crate::Sequence::new([Reply::status(503), Reply::text("ok")]),
            1000.0,
            5,
        );
        assert_eq!(limited.respond(&request()).status, 503);
        assert_eq!(limited.respond(&request()).status, 200);
    }

    #[test]
    #[should_panic(expected = "finite rate above zero")]
    fn a_bad_rate_is_a_test_bug() {
        let _ = RateLimited::new(Reply::text("ok"), f64::NAN, 1);
    }
}
