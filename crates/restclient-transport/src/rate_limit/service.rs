//! [`RateLimit`]: the service that waits for the limits, sends, and learns from the response.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use restclient_core::{Request, Response};
use tower::Service;

use super::state::{RateLimitSnapshot, Shared};

/// Holds each request until the client's limits allow it; see the [module docs](crate::rate_limit).
///
/// Made by [`RateLimitLayer`](super::RateLimitLayer); every clone shares the layer's state. It
/// wraps any `Service<http::Request<Bytes>, Response = http::Response<Bytes>>` that is `Clone`, and
/// keeps the inner service's error type: waiting cannot fail.
pub struct RateLimit<S> {
    inner: S,
    shared: Arc<Shared>,
}

impl<S> RateLimit<S> {
    pub(super) fn new(inner: S, shared: Arc<Shared>) -> RateLimit<S> {
        RateLimit { inner, shared }
    }

    /// What the shared state has seen and decided so far.
    pub fn snapshot(&self) -> RateLimitSnapshot {
        self.shared.snapshot()
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

impl<S: Clone> Clone for RateLimit<S> {
    fn clone(&self) -> Self {
        RateLimit {
            inner: self.inner.clone(),
            shared: Arc::clone(&self.shared),
        }
    }
}

impl<S: fmt::Debug> fmt::Debug for RateLimit<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RateLimit")
            .field("inner", &self.inner)
            .field("state", &self.shared)
            .finish()
    }
}

impl<S> Service<Request> for RateLimit<S>
where
    S: Service<Request, Response = Response> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
{
    type Response = Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Response, S::Error>> + Send + 'static>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        // The service that was driven to readiness goes into the future; a clone stays here. It is
        // called only once the limits allow, so that nothing (not even a connection) starts early.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let shared = Arc::clone(&self.shared);
        Box::pin(async move {
            let admission = shared.admit().await;
            let result = inner.call(request).await;
            if let Ok(response) = &result {
                shared.observe(response, &admission);
            }
            // The place in flight is freed only now, after the response was read.
            drop(admission);
            result
        })
    }
}
