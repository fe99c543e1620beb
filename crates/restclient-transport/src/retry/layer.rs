//! [`RetryLayer`]: applies [`Retry`] with a shared policy. The policy lives behind an `Arc`, so the
//! layer and every service it makes share one policy and clone cheaply.

use std::fmt;
use std::sync::Arc;

use tower::Layer;

use super::{Retry, RetryPolicy, StandardRetryPolicy};
use crate::settings::RuntimeSettings;

/// Applies [`Retry`] to a service; see the [module docs](crate::retry).
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
