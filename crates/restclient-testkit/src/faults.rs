//! [`SeededFaults`]: transient failures that depend on a seed and the request, not on timing.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::{RecordedRequest, Reply, Responder};

/// Wraps a responder so that the first few attempts at each request target (path and query) fail
/// with a transient fault: `503`, `429` with `Retry-After: 0`, a connection closed before the
/// response, or a body cut short. How many attempts fail (0 to `max_failures`) and how is decided
/// by the seed and the target alone, so a client that retries sees the same faults whatever the
/// order or concurrency of its requests.
///
/// ```
/// use restclient_testkit::{OffsetApi, SeededFaults};
/// let flaky = SeededFaults::new(OffsetApi::new(50).with_total(), 7, 2);
/// # let _ = flaky;
/// ```
#[derive(Debug)]
pub struct SeededFaults<R> {
    inner: R,
    seed: u64,
    max_failures: u64,
    attempts: Mutex<HashMap<String, u64>>,
}

impl<R: Responder> SeededFaults<R> {
    /// Up to `max_failures` failed attempts per target, chosen by `seed`.
    pub fn new(inner: R, seed: u64, max_failures: u64) -> SeededFaults<R> {
        SeededFaults {
            inner,
            seed,
            max_failures,
            attempts: Mutex::new(HashMap::new()),
        }
    }

    /// How many attempts at `target` fail.
    pub fn failures_for(&self, target: &str) -> u64 {
        mix(self.seed, target) % (self.max_failures + 1)
    }
}

impl<R: Responder> Responder for SeededFaults<R> {
    fn respond(&self, request: &RecordedRequest) -> Reply {
        let target = request.uri.to_string();
        let attempt = {
            let mut attempts = self.attempts.lock().unwrap_or_else(|e| e.into_inner());
            let n = attempts.entry(target.clone()).or_insert(0);
            *n += 1;
            *n
        };
        let reply = self.inner.respond(request);
        if attempt > self.failures_for(&target) {
            return reply;
        }
        match mix(self.seed ^ attempt, &target) % 4 {
            0 => Reply::status(503),
            1 => Reply::status(429).header("retry-after", "0"),
            2 => Reply::close_connection(),
            _ => {
                let cut = reply.body.len() / 2;
                reply.close_after_bytes(cut)
            }
        }
    }
}

/// A SplitMix64-style mix of the seed and the bytes of `text`.
fn mix(seed: u64, text: &str) -> u64 {
    let mut h = seed ^ 0x9E37_79B9_7F4A_7C15;
    for byte in text.bytes() {
        h = (h ^ u64::from(byte)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        h ^= h >> 31;
    }
    h = (h ^ (h >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    h = (h ^ (h >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    h ^ (h >> 31)
}
