//! Custom auth from a closure: [`auth_fn`] for a change made on the spot, [`async_auth_fn`] for
//! one that needs to wait or send requests.
//!
//! Implementing [`Authenticate`] yourself works too; these save the boilerplate. A closure's
//! `Debug` shows only that it is a closure, so the credentials it captured stay hidden.
//!
//! ```
//! use restclient_auth::{AuthLayer, auth_fn};
//! use restclient_core::{BoxError, Request, Secret};
//!
//! let key = Secret::new("k-123456");
//! let signed = auth_fn(move |request: &mut Request| {
//!     let value = http::HeaderValue::from_str(&format!("Custom {}", key.expose()))?;
//!     request.headers_mut().insert(http::header::AUTHORIZATION, value);
//!     Ok::<_, BoxError>(())
//! });
//! let layer = AuthLayer::new(signed);
//! assert!(!format!("{layer:?}").contains("k-123456"));
//! ```

use std::fmt;
use std::future::Future;

use restclient_core::{BoxError, Request};

use crate::{AuthClient, AuthError, AuthFuture, Authenticate};

/// A strategy made from a closure that changes the request in place; see [`auth_fn`].
#[derive(Clone)]
pub struct AuthFn<F> {
    f: F,
}

/// Wraps `f(&mut request) -> Result<(), E>` as an [`Authenticate`].
pub fn auth_fn<F, E>(f: F) -> AuthFn<F>
where
    F: Fn(&mut Request) -> Result<(), E> + Send + Sync + 'static,
    E: Into<BoxError>,
{
    AuthFn { f }
}

impl<F, E> Authenticate for AuthFn<F>
where
    F: Fn(&mut Request) -> Result<(), E> + Send + Sync + 'static,
    E: Into<BoxError>,
{
    fn authenticate(&self, mut request: Request, _client: &AuthClient) -> AuthFuture {
        AuthFuture::ready(match (self.f)(&mut request) {
            Ok(()) => Ok(request),
            Err(e) => Err(AuthError::custom(e)),
        })
    }
}

impl<F> fmt::Debug for AuthFn<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthFn").finish_non_exhaustive()
    }
}

/// A strategy made from an async closure; see [`async_auth_fn`].
#[derive(Clone)]
pub struct AsyncAuthFn<F> {
    f: F,
}

/// Wraps `f(request, client) -> impl Future<Output = Result<Request, E>>` as an [`Authenticate`].
///
/// `client` sends requests through the service inside the auth layer.
///
/// ```
/// use restclient_auth::async_auth_fn;
/// use restclient_core::{BoxError, Request};
///
/// let auth = async_auth_fn(|mut request: Request, _client| async move {
///     request.headers_mut().insert("x-nonce", http::HeaderValue::from_static("42"));
///     Ok::<_, BoxError>(request)
/// });
/// # let _ = auth;
/// ```
pub fn async_auth_fn<F, Fut, E>(f: F) -> AsyncAuthFn<F>
where
    F: Fn(Request, AuthClient) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Request, E>> + Send + 'static,
    E: Into<BoxError>,
{
    AsyncAuthFn { f }
}

impl<F, Fut, E> Authenticate for AsyncAuthFn<F>
where
    F: Fn(Request, AuthClient) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Request, E>> + Send + 'static,
    E: Into<BoxError>,
{
    fn authenticate(&self, request: Request, client: &AuthClient) -> AuthFuture {
        let future = (self.f)(request, client.clone());
        AuthFuture::new(async move { future.await.map_err(AuthError::custom) })
    }
}

impl<F> fmt::Debug for AsyncAuthFn<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsyncAuthFn").finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    #[tokio::test]
    async fn closures_change_the_request_and_errors_are_redacted() {
        let auth = auth_fn(|r: &mut Request| {
            r.headers_mut().insert("x-a", http::HeaderValue::from_static("1"));
            Ok::<_, BoxError>(())
        });
        let out = auth
            .authenticate(Request::new(Bytes::new()), &AuthClient::unavailable())
            .await
            .unwrap();
        assert_eq!(out.headers()["x-a"], "1");

        let secret = restclient_core::Secret::new("custom-secret-777");
        let failing = async_auth_fn(move |_r: Request, _c| {
            let msg = format!("bad {}", secret.expose());
            async move { Err::<Request, BoxError>(msg.into()) }
        });
        let err = failing
            .authenticate(Request::new(Bytes::new()), &AuthClient::unavailable())
            .await
            .unwrap_err();
        assert!(!err.to_string().contains("custom-secret-777"));
        assert!(!format!("{err:?}").contains("custom-secret-777"));
        assert!(!format!("{failing:?}").contains("custom-secret-777"));
    }
}
