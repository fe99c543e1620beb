//! governor's clock, read from tokio's timer.
//!
//! governor measures time through its `Clock` trait; its own clocks read the system's monotonic
//! clock, which a test's paused tokio clock (`#[tokio::test(start_paused = true)]`) does not move.
//! [`TokioClock`] reads `tokio::time::Instant` instead, so the token bucket and the `sleep`s that
//! wait for it run on one clock: real time in production, virtual time in tests.

use std::sync::{Arc, OnceLock};

use governor::clock::Clock;
use governor::nanos::Nanos;

/// Nanoseconds since the clock was first read, on tokio's clock. Clones share the origin.
#[derive(Debug, Clone, Default)]
pub(crate) struct TokioClock {
    origin: Arc<OnceLock<tokio::time::Instant>>,
}

impl TokioClock {
    /// The instant on tokio's clock that `at` (a reading of this clock) stands for.
    pub(crate) fn instant(&self, at: Nanos) -> tokio::time::Instant {
        *self.origin.get_or_init(tokio::time::Instant::now) + std::time::Duration::from(at)
    }
}

impl Clock for TokioClock {
    type Instant = Nanos;

    fn now(&self) -> Nanos {
        let origin = *self.origin.get_or_init(tokio::time::Instant::now);
        Nanos::from(tokio::time::Instant::now().saturating_duration_since(origin))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test(start_paused = true)]
    async fn follows_the_paused_clock() {
        let clock = TokioClock::default();
        let start = clock.now();
        tokio::time::sleep(Duration::from_secs(3)).await;
        let later = clock.now();
        assert_eq!(
            Duration::from(later) - Duration::from(start),
            Duration::from_secs(3)
        );
        assert_eq!(
            clock.instant(later) - clock.instant(start),
            Duration::from_secs(3)
        );
    }
}
