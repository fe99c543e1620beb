//! The rate-limited routes of the bench server: one token bucket per bucket name.
//!
//! A bucket holds up to `burst` tokens and gains `rps` per second; a request takes one, or, when
//! none is left, is refused (the server answers 429 with `Retry-After`) and takes nothing. The
//! first request naming a bucket creates it full. Each bucket counts what it let through and
//! what it refused, so the bench can ask afterwards how many 429s a client provoked.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// One bucket's state.
#[derive(Debug)]
struct Bucket {
    tokens: f64,
    refilled: Instant,
    passed: u64,
    throttled: u64,
}

/// Every bucket of the server, by name.
#[derive(Debug, Default)]
pub(crate) struct Buckets {
    buckets: Mutex<HashMap<String, Bucket>>,
}

impl Buckets {
    /// Takes a token from bucket `key` (made with `rps` and `burst` if new), or says how long until
    /// the next token is due.
    pub(crate) fn take(&self, key: &str, rps: f64, burst: u32) -> Result<(), Duration> {
        let now = Instant::now();
        let burst = f64::from(burst.max(1));
        let rps = if rps.is_finite() && rps > 0.0 { rps } else { 1.0 };
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        let bucket = buckets.entry(key.to_owned()).or_insert(Bucket {
            tokens: burst,
            refilled: now,
            passed: 0,
            throttled: 0,
        });
        let gained = now.duration_since(bucket.refilled).as_secs_f64() * rps;
        bucket.tokens = (bucket.tokens + gained).min(burst);
        bucket.refilled = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            bucket.passed += 1;
            Ok(())
        } else {
            bucket.throttled += 1;
            Err(Duration::from_secs_f64((1.0 - bucket.tokens) / rps))
        }
    }

    /// Requests let through and refused by bucket `key`, if it exists.
    pub(crate) fn stats(&self, key: &str) -> Option<(u64, u64)> {
        let buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        buckets.get(key).map(|b| (b.passed, b.throttled))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_bucket_lets_its_burst_through_then_refuses() {
        let buckets = Buckets::default();
        for _ in 0..3 {
            assert!(buckets.take("a", 1.0, 3).is_ok());
        }
        let wait = buckets.take("a", 1.0, 3).expect_err("the bucket is empty");
        assert!(wait <= Duration::from_secs(1), "{wait:?}");
        assert_eq!(buckets.stats("a"), Some((3, 1)));
        assert_eq!(buckets.stats("b"), None);
    }
}
