//! The state every clone of a [`RateLimitLayer`](super::RateLimitLayer) and its services shares
//! behind one `Arc`: the token bucket, the pause the API asked for, the adaptive in-flight limit
//! and a few counters.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use governor::middleware::NoOpMiddleware;
use governor::nanos::Nanos;
use governor::state::{InMemoryState, NotKeyed};
use governor::{Quota, RateLimiter};
use restclient_core::Response;
use tokio::time::Instant;

use super::adaptive::{AdaptiveLimit, InFlight};
use super::clock::TokioClock;
use super::headers::requested_pause;

type Limiter = RateLimiter<NotKeyed, InMemoryState, TokioClock, NoOpMiddleware<Nanos>>;

/// What the layer knows, shared by all its clones.
#[derive(Debug)]
pub(crate) struct Shared {
    bucket: Option<Bucket>,
    /// A pace learned from 429s: see [`Learned`].
    learned: Mutex<Learned>,
    adaptive: Option<Arc<AdaptiveLimit>>,
    pause: Mutex<Option<Instant>>,
    max_pause: Duration,
    respect_headers: bool,
    throttled: AtomicU64,
    pauses: AtomicU64,
}

/// governor's GCRA limiter on tokio's clock, and a FIFO gate so that one waiter at a time watches
/// it (the others queue instead of all waking for every token).
pub(crate) struct Bucket {
    limiter: Limiter,
    clock: TokioClock,
    gate: tokio::sync::Mutex<()>,
    rps: f64,
    burst: u32,
}

impl fmt::Debug for Bucket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Bucket")
            .field("rps", &self.rps)
            .field("burst", &self.burst)
            .finish_non_exhaustive()
    }
}

impl Bucket {
    /// A bucket of `burst` tokens refilled at `rps` per second; `quota` is already validated.
    pub(crate) fn new(quota: Quota, rps: f64, burst: u32) -> Bucket {
        let clock = TokioClock::default();
        Bucket {
            limiter: RateLimiter::direct_with_clock(quota, clock.clone()),
            clock,
            gate: tokio::sync::Mutex::new(()),
            rps,
            burst,
        }
    }

    /// Waits for a token and takes it.
    async fn take(&self) {
        let _turn = self.gate.lock().await;
        // Bounded: each turn takes the token or sleeps until governor says it is due.
        loop {
            match self.limiter.check() {
                Ok(()) => return,
                Err(not_until) => {
                    tokio::time::sleep_until(self.clock.instant(not_until.earliest_possible())).await;
                }
            }
        }
    }
}

/// A pace learned from the API when no rate was configured. A 429's `Retry-After` of `d` says
/// roughly "one request per `d`" for a token-bucket server: from then on requests start at most
/// one per `d`, instead of all of them firing when a pause ends and most being refused again. The
/// interval is capped at [`MAX_LEARNED_INTERVAL`]: a longer wait describes a quota window or a
/// server that rounds up to whole seconds, not a pace (the pause itself still honours it). Every
/// [`RELAX_AFTER`] successes in a row halve the interval, so the pace climbs back to the server's
/// within a few dozen requests and is forgotten below a millisecond; the next 429 teaches it again.
#[derive(Debug, Default)]
struct Learned {
    interval: Option<Duration>,
    bucket: Option<Arc<Bucket>>,
    successes: u32,
}

/// The longest interval learned from one `Retry-After` (4 requests per second).
const MAX_LEARNED_INTERVAL: Duration = Duration::from_millis(250);
/// Successes in a row that shorten a learned interval.
const RELAX_AFTER: u32 = 8;

impl Learned {
    fn set(&mut self, interval: Option<Duration>) {
        self.successes = 0;
        self.interval = interval.filter(|i| *i >= Duration::from_millis(1));
        self.bucket = self.interval.and_then(|interval| {
            let quota = Quota::with_period(interval)?;
            Some(Arc::new(Bucket::new(quota, 1.0 / interval.as_secs_f64(), 1)))
        });
    }

    fn throttled(&mut self, wait: Duration) {
        let interval = wait.min(MAX_LEARNED_INTERVAL);
        if self.interval.is_none_or(|current| interval > current) {
            tracing::debug!(
                interval_ms = interval.as_millis() as u64,
                "rate limit: pace learned from a 429"
            );
            self.set(Some(interval));
        }
        self.successes = 0;
    }

    fn succeeded(&mut self) {
        let Some(interval) = self.interval else { return };
        self.successes += 1;
        if self.successes >= RELAX_AFTER {
            self.set(Some(interval / 2));
        }
    }
}

/// A request admitted past the limits; it holds the request's place in flight until dropped.
#[derive(Debug)]
pub(crate) struct Admission {
    in_flight: Option<InFlight>,
}

/// What a [`RateLimitLayer`](super::RateLimitLayer) has seen and decided so far, for logs and tests.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RateLimitSnapshot {
    /// The adaptive in-flight limit now, `None` when in-flight requests are not limited.
    pub in_flight_limit: Option<usize>,
    /// The configured maximum in flight, `None` for unlimited.
    pub max_in_flight: Option<usize>,
    /// How much longer every request waits because of a response's rate-limit headers.
    pub paused_for: Option<Duration>,
    /// 429 responses seen.
    pub throttled: u64,
    /// Pauses taken from response headers.
    pub pauses: u64,
}

impl Shared {
    pub(crate) fn new(
        bucket: Option<Bucket>,
        max_in_flight: Option<usize>,
        max_pause: Duration,
        respect_headers: bool,
    ) -> Shared {
        Shared {
            bucket,
            learned: Mutex::default(),
            adaptive: max_in_flight.map(|max| Arc::new(AdaptiveLimit::new(max))),
            pause: Mutex::new(None),
            max_pause,
            respect_headers,
            throttled: AtomicU64::new(0),
            pauses: AtomicU64::new(0),
        }
    }

    /// Waits until a request may go: a place in flight, then no pause and a token.
    pub(crate) async fn admit(&self) -> Admission {
        let in_flight = match &self.adaptive {
            Some(limit) => Some(limit.acquire().await),
            None => None,
        };
        // Bounded in time: each turn returns, or waits for a pause or a token that lie ahead, and
        // pauses are capped by `max_pause`.
        loop {
            while let Some(until) = self.paused_until() {
                tokio::time::sleep_until(until).await;
            }
            if let Some(bucket) = &self.bucket {
                bucket.take().await;
            }
            let learned = self.learned().bucket.clone();
            if let Some(bucket) = learned {
                bucket.take().await;
            }
            // A response may have asked for a pause while this request waited for its token.
            if self.paused_until().is_none() {
                return Admission { in_flight };
            }
        }
    }

    fn learned(&self) -> std::sync::MutexGuard<'_, Learned> {
        self.learned.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The end of the current pause, if one lies ahead.
    fn paused_until(&self) -> Option<Instant> {
        let pause = *self.pause.lock().unwrap_or_else(PoisonError::into_inner);
        pause.filter(|until| *until > Instant::now())
    }

    /// Learns from a response: pauses, halving or growing the in-flight limit.
    pub(crate) fn observe(&self, response: &Response, admission: &Admission) {
        let status = response.status();
        let throttled = status == http::StatusCode::TOO_MANY_REQUESTS;
        if self.respect_headers
            && let Some(wait) = requested_pause(status, response.headers(), SystemTime::now())
        {
            self.pause_for(wait.min(self.max_pause));
            // Without a configured rate, a 429's wait is the best estimate of the API's pace.
            if throttled && self.bucket.is_none() {
                self.learned().throttled(wait);
            }
        } else if (status.is_success() || status.is_redirection()) && self.bucket.is_none() {
            self.learned().succeeded();
        }
        if throttled {
            self.throttled.fetch_add(1, Ordering::Relaxed);
        }
        if let (Some(limit), Some(place)) = (&self.adaptive, &admission.in_flight) {
            if throttled {
                limit.decrease(place.generation());
            } else if status.is_success() || status.is_redirection() {
                limit.increase();
            }
        }
    }

    fn pause_for(&self, wait: Duration) {
        if wait.is_zero() {
            return;
        }
        let Some(until) = Instant::now().checked_add(wait) else {
            return; // beyond what the clock can hold; `max_pause` keeps real waits far below
        };
        let mut pause = self.pause.lock().unwrap_or_else(PoisonError::into_inner);
        if pause.is_none_or(|current| current < until) {
            *pause = Some(until);
            self.pauses.fetch_add(1, Ordering::Relaxed);
            tracing::debug!(
                wait_ms = wait.as_millis() as u64,
                "rate limit: pausing every request"
            );
        }
    }

    pub(crate) fn snapshot(&self) -> RateLimitSnapshot {
        RateLimitSnapshot {
            in_flight_limit: self.adaptive.as_ref().map(|l| l.current()),
            max_in_flight: self.adaptive.as_ref().map(|l| l.max()),
            paused_for: self
                .paused_until()
                .map(|until| until.saturating_duration_since(Instant::now())),
            throttled: self.throttled.load(Ordering::Relaxed),
            pauses: self.pauses.load(Ordering::Relaxed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pace_is_learned_from_429s_and_relaxed_by_successes() {
        let mut learned = Learned::default();
        learned.succeeded();
        assert_eq!(learned.interval, None, "nothing to relax before a 429");
        learned.throttled(Duration::from_millis(20));
        assert_eq!(learned.interval, Some(Duration::from_millis(20)));
        assert!(learned.bucket.is_some());
        learned.throttled(Duration::from_millis(5));
        assert_eq!(
            learned.interval,
            Some(Duration::from_millis(20)),
            "the slowest pace heard wins"
        );
        for _ in 0..RELAX_AFTER {
            learned.succeeded();
        }
        assert_eq!(learned.interval, Some(Duration::from_millis(10)));
        learned.throttled(Duration::from_secs(60));
        assert_eq!(
            learned.interval,
            Some(MAX_LEARNED_INTERVAL),
            "a quota window is not a pace"
        );
        let mut learned = Learned::default();
        learned.throttled(Duration::from_micros(1_200));
        for _ in 0..RELAX_AFTER {
            learned.succeeded();
        }
        assert_eq!(learned.interval, None, "forgotten below a millisecond");
        assert!(learned.bucket.is_none());
    }
}
