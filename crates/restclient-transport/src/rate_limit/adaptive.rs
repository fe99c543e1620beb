//! The adaptive in-flight limit: additive increase, multiplicative decrease (AIMD), as TCP does.
//!
//! Requests take a permit from a FIFO-fair tokio [`Semaphore`] before they are sent and give it
//! back when their response (or error) arrives. A 429 halves the limit (never below 1); each
//! successful response (2xx or 3xx) raises it by one, up to the configured maximum. Other
//! statuses and errors leave it alone: they say nothing about the rate.
//!
//! A burst of 429s from requests that were all sent under the same limit halves it once, not once
//! per response: each permit remembers the *generation* of the limit it was taken under, and only
//! a 429 from the current generation halves (and starts a new one). Sixteen requests in flight that
//! all hit the limit at once thus leave 8, not 1.
//!
//! Shrinking cannot take back permits that requests hold, so the permits to remove are recorded
//! as a debt and removed as they come back. At every moment
//! `available + held − debt = limit`.

use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The shared limit; see the [module docs](self).
#[derive(Debug)]
pub(crate) struct AdaptiveLimit {
    semaphore: Arc<Semaphore>,
    max: usize,
    state: Mutex<LimitState>,
}

#[derive(Debug)]
struct LimitState {
    limit: usize,
    /// Successes since the limit last grew: it grows by one per `limit` of them.
    credit: usize,
    /// Permits to forget as they come back, instead of returning them to the semaphore.
    debt: usize,
    /// Bumped on every decrease; see the module docs.
    generation: u64,
}

/// A request's place in flight; dropping it frees the place (or pays a debt).
#[derive(Debug)]
pub(crate) struct InFlight {
    permit: Option<OwnedSemaphorePermit>,
    limit: Arc<AdaptiveLimit>,
    generation: u64,
}

impl AdaptiveLimit {
    /// A limit starting at (and never above) `max`, which is at least 1.
    pub(crate) fn new(max: usize) -> AdaptiveLimit {
        let max = max.clamp(1, Semaphore::MAX_PERMITS);
        AdaptiveLimit {
            semaphore: Arc::new(Semaphore::new(max)),
            max,
            state: Mutex::new(LimitState {
                limit: max,
                credit: 0,
                debt: 0,
                generation: 0,
            }),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, LimitState> {
        // The state is a few integers updated together; a panic elsewhere cannot leave them torn.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The current limit.
    pub(crate) fn current(&self) -> usize {
        self.state().limit
    }

    /// The configured maximum.
    pub(crate) fn max(&self) -> usize {
        self.max
    }

    /// Waits (in FIFO order) for a place in flight.
    pub(crate) async fn acquire(self: &Arc<Self>) -> InFlight {
        // The semaphore is never closed, so `acquire_owned` cannot fail; without a permit the
        // request would merely go unlimited.
        let permit = self.semaphore.clone().acquire_owned().await.ok();
        let generation = self.state().generation;
        InFlight {
            permit,
            limit: Arc::clone(self),
            generation,
        }
    }

    /// A 429 from a request sent under `generation`: halves the limit once per generation.
    pub(crate) fn decrease(&self, generation: u64) {
        let mut state = self.state();
        if generation != state.generation {
            return;
        }
        state.generation += 1;
        let target = (state.limit / 2).max(1);
        state.credit = 0;
        let excess = state.limit - target;
        state.limit = target;
        let forgotten = self.semaphore.forget_permits(excess);
        state.debt += excess - forgotten;
        tracing::debug!(limit = target, "rate limit: 429, in-flight limit halved");
    }

    /// A successful response: one more place, up to the maximum.
    pub(crate) fn increase(&self) {
        let mut state = self.state();
        if state.limit >= self.max {
            return;
        }
        // One more in flight per window of successes (TCP's congestion avoidance), not per
        // success: growing by one per success doubles the limit every round trip and runs
        // straight back into the server's limit.
        state.credit += 1;
        if state.credit < state.limit {
            return;
        }
        state.credit = 0;
        state.limit += 1;
        if state.debt > 0 {
            state.debt -= 1;
        } else {
            self.semaphore.add_permits(1);
        }
    }
}

impl InFlight {
    /// The generation of the limit this place was taken under.
    pub(crate) fn generation(&self) -> u64 {
        self.generation
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        let Some(permit) = self.permit.take() else {
            return;
        };
        let mut state = self.limit.state();
        if state.debt > 0 {
            state.debt -= 1;
            permit.forget();
        }
        // Otherwise the permit goes back to the semaphore as it drops.
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn available(limit: &AdaptiveLimit) -> usize {
        limit.semaphore.available_permits()
    }

    #[tokio::test]
    async fn halves_to_one_and_grows_back_to_the_maximum() {
        let limit = Arc::new(AdaptiveLimit::new(8));
        for expected in [4, 2, 1, 1] {
            let generation = limit.acquire().await.generation();
            limit.decrease(generation);
            assert_eq!(limit.current(), expected);
            assert_eq!(available(&limit), expected);
        }
        for expected in 2..=8 {
            // a window of successes (the current limit) adds one
            for _ in 1..expected - 1 {
                limit.increase();
                assert_eq!(limit.current(), expected - 1);
            }
            limit.increase();
            assert_eq!(limit.current(), expected);
        }
        for _ in 0..8 {
            limit.increase();
        }
        assert_eq!(limit.current(), 8, "never above the maximum");
        assert_eq!(available(&limit), 8);
    }

    #[tokio::test]
    async fn one_halving_per_generation_and_debts_paid_on_return() {
        let limit = Arc::new(AdaptiveLimit::new(8));
        let mut held = Vec::new();
        for _ in 0..8 {
            held.push(limit.acquire().await);
        }
        assert_eq!(available(&limit), 0);
        for place in &held {
            limit.decrease(place.generation());
        }
        assert_eq!(limit.current(), 4, "eight 429s of one generation halve once");
        assert_eq!(limit.state().debt, 4);
        held.truncate(2);
        assert_eq!(
            available(&limit),
            2,
            "4 returned places paid the debt, 2 came back"
        );
        drop(held);
        assert_eq!(available(&limit), 4);
        assert_eq!(limit.state().debt, 0);
    }

    #[tokio::test]
    async fn growth_pays_the_debt_first() {
        let limit = Arc::new(AdaptiveLimit::new(4));
        let mut places = Vec::new();
        for _ in 0..4 {
            places.push(limit.acquire().await);
        }
        limit.decrease(places[0].generation());
        assert_eq!((limit.current(), limit.state().debt), (2, 2));
        limit.increase();
        limit.increase();
        assert_eq!((limit.current(), limit.state().debt), (3, 1));
        drop(places);
        assert_eq!(available(&limit), 3);
    }
}
