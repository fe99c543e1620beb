//! [`AuthLayer`] and [`Auth`]: apply an [`Authenticate`] strategy to every request of a stack.
//!
//! The layer works with any `tower::Service<http::Request<Bytes>, Response =
//! http::Response<Bytes>>` whose error converts into a [`BoxError`]; its own error is a
//! `BoxError` holding either the inner service's error or an auth [`AuthError`](crate::AuthError) (see [`AuthError::find_in`](crate::AuthError::find_in)).
//!
//! # Placement
//!
//! Put auth *inside* retry: `Retry -> Auth -> Timeout -> ... -> client`. Each attempt then passes
//! through auth again, so a retried request carries credentials that are valid now (an OAuth token
//! that expired between attempts is refreshed). Auth's own requests (the OAuth token request) go to
//! the service inside auth, through the timeout and any layers below.
//!
//! # Scope
//!
//! By default every request is authenticated. [`AuthLayer::scoped_to`] limits that to one
//! [`Origin`]; requests elsewhere pass through untouched.
//!
//! # Example
//!
//! ```
//! use restclient_auth::{AuthLayer, BearerToken, Origin};
//! use restclient_core::{BoxError, Request, Response};
//! use tower::{Service, ServiceBuilder, ServiceExt};
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! let echo = tower::service_fn(|req: Request| async move {
//!     let auth = req.headers().get("authorization").cloned();
//!     let mut response = Response::new(bytes::Bytes::new());
//!     if let Some(auth) = auth {
//!         response.headers_mut().insert("x-seen", auth);
//!     }
//!     Ok::<_, BoxError>(response)
//! });
//! let mut service = ServiceBuilder::new()
//!     .layer(AuthLayer::new(BearerToken::new("tkn").unwrap())
//!         .scoped_to(Origin::from_url("https://api.example.com").unwrap()))
//!     .service(echo);
//!
//! let req = http::Request::get("https://api.example.com/items").body(bytes::Bytes::new()).unwrap();
//! let response = service.ready().await.unwrap().call(req).await.unwrap();
//! assert_eq!(response.headers()["x-seen"], "Bearer tkn");
//!
//! let elsewhere = http::Request::get("https://cdn.example.net/x").body(bytes::Bytes::new()).unwrap();
//! let response = service.ready().await.unwrap().call(elsewhere).await.unwrap();
//! assert!(response.headers().get("x-seen").is_none());
//! # }
//! ```

use std::fmt;
use std::sync::Arc;
use std::task::{Context, Poll};

use restclient_core::{BoxError, Request, Response};
use tower::{Layer, Service};

use crate::{AuthClient, Authenticate, Origin, ResponseFuture};

/// Applies an [`Authenticate`] strategy to every request (of one [`Origin`], when scoped).
///
/// `AuthLayer<dyn Authenticate>` (the default type) holds any strategy chosen at run time;
/// `AuthLayer<BearerToken>` a known one. Cloning is cheap: the strategy sits behind an `Arc`, so
/// clones share it (and an OAuth token cache).
pub struct AuthLayer<A: ?Sized = dyn Authenticate> {
    auth: Arc<A>,
    scope: Option<Origin>,
}

impl<A: Authenticate> AuthLayer<A> {
    /// Authenticates every request with `auth`.
    pub fn new(auth: A) -> Self {
        AuthLayer::from_arc(Arc::new(auth))
    }
}

impl<A: Authenticate + ?Sized> AuthLayer<A> {
    /// Authenticates every request with a shared strategy, such as the [`SharedAuth`](crate::SharedAuth)
    /// built from an [`AuthConfig`](crate::AuthConfig).
    pub fn from_arc(auth: Arc<A>) -> Self {
        AuthLayer { auth, scope: None }
    }

    /// Authenticates only requests to `origin`; others pass through without credentials.
    pub fn scoped_to(mut self, origin: Origin) -> Self {
        self.scope = Some(origin);
        self
    }

    /// Authenticates requests to every origin again (dlt's behaviour).
    pub fn unscoped(mut self) -> Self {
        self.scope = None;
        self
    }

    /// The strategy.
    pub fn auth(&self) -> &Arc<A> {
        &self.auth
    }

    /// The origin credentials are limited to, if any.
    pub fn scope(&self) -> Option<&Origin> {
        self.scope.as_ref()
    }
}

impl<A: ?Sized> Clone for AuthLayer<A> {
    fn clone(&self) -> Self {
        AuthLayer {
            auth: Arc::clone(&self.auth),
            scope: self.scope.clone(),
        }
    }
}

impl<A: Authenticate + ?Sized> fmt::Debug for AuthLayer<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthLayer")
            .field("auth", &self.auth)
            .field("scope", &self.scope)
            .finish()
    }
}

impl<S, A> Layer<S> for AuthLayer<A>
where
    S: Service<Request, Response = Response> + Clone + Send + Sync + 'static,
    S::Error: Into<BoxError>,
    S::Future: Send + 'static,
    A: Authenticate + ?Sized,
{
    type Service = Auth<S, A>;

    fn layer(&self, inner: S) -> Auth<S, A> {
        Auth {
            client: AuthClient::new(inner.clone()),
            inner,
            auth: Arc::clone(&self.auth),
            scope: self.scope.clone(),
        }
    }
}

/// The service made by [`AuthLayer`]: authenticates each request, then calls `inner`.
pub struct Auth<S, A: ?Sized = dyn Authenticate> {
    inner: S,
    auth: Arc<A>,
    scope: Option<Origin>,
    client: AuthClient,
}

impl<S, A> Auth<S, A>
where
    S: Service<Request, Response = Response> + Clone + Send + Sync + 'static,
    S::Error: Into<BoxError>,
    S::Future: Send + 'static,
    A: Authenticate,
{
    /// Wraps `inner`, authenticating every request with `auth`.
    pub fn new(inner: S, auth: A) -> Self {
        AuthLayer::new(auth).layer(inner)
    }
}

impl<S, A: ?Sized> Auth<S, A> {
    /// The inner service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// The inner service, mutably. (Auth's own requests go through a clone taken when the layer
    /// was applied.)
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.inner
    }

    /// The inner service, unwrapped.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S: Clone, A: ?Sized> Clone for Auth<S, A> {
    fn clone(&self) -> Self {
        Auth {
            inner: self.inner.clone(),
            auth: Arc::clone(&self.auth),
            scope: self.scope.clone(),
            client: self.client.clone(),
        }
    }
}

impl<S: fmt::Debug, A: Authenticate + ?Sized> fmt::Debug for Auth<S, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Auth")
            .field("inner", &self.inner)
            .field("auth", &self.auth)
            .field("scope", &self.scope)
            .finish()
    }
}

impl<S, A> Service<Request> for Auth<S, A>
where
    S: Service<Request, Response = Response> + Clone,
    S::Error: Into<BoxError>,
    A: Authenticate + ?Sized,
{
    type Response = Response;
    type Error = BoxError;
    type Future = ResponseFuture<S>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, request: Request) -> ResponseFuture<S> {
        // Take the service that poll_ready made ready, leaving a clone in its place.
        let clone = self.inner.clone();
        let mut ready = std::mem::replace(&mut self.inner, clone);
        if let Some(scope) = &self.scope
            && !scope.matches(request.uri())
        {
            return ResponseFuture::calling(ready.call(request));
        }
        let mut auth = self.auth.authenticate(request, &self.client);
        match auth.take_ready() {
            Some(Ok(request)) => ResponseFuture::calling(ready.call(request)),
            Some(Err(error)) => ResponseFuture::failed(error),
            None => {
                // Release the reservation while the strategy does I/O; see ResponseFuture.
                drop(ready);
                ResponseFuture::authenticating(auth, self.inner.clone())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{get, http_client, send};
    use crate::{AuthError, BearerToken, OAuth2ClientCredentials, auth_fn};
    use restclient_testkit::{Reply, TestServer};
    use serde_json::json;

    #[tokio::test]
    async fn scoped_auth_sends_no_credentials_to_other_origins() {
        // row 15: dlt sends credentials to every URL
        let api = TestServer::start().await;
        let other = TestServer::start().await;
        api.route("/token", Reply::json(&json!({"access_token": "T1"})));
        api.route("/r", Reply::text("ok"));
        other.route("/r", Reply::text("ok"));
        let origin = Origin::from_url(&api.base_url()).unwrap();
        for auth in [
            Arc::new(BearerToken::new("tkn").unwrap()) as Arc<dyn Authenticate>,
            Arc::new(OAuth2ClientCredentials::new(api.url("/token"), "id", "sec").unwrap()),
        ] {
            api.clear_requests();
            other.clear_requests();
            let layer = AuthLayer::from_arc(auth).scoped_to(origin.clone());
            let mut svc = layer.layer(http_client());
            send(&mut svc, get(&other.url("/r"))).await.unwrap();
            send(&mut svc, get(&api.url("/r"))).await.unwrap();
            assert_eq!(other.requests()[0].header("authorization"), None);
            assert!(api.requests_to("/r")[0].header("authorization").is_some());

            let mut unscoped = layer.unscoped().layer(http_client());
            send(&mut unscoped, get(&other.url("/r"))).await.unwrap();
            assert!(other.requests()[1].header("authorization").is_some());
        }
    }

    #[tokio::test]
    async fn a_failing_strategy_fails_the_call_without_sending() {
        let server = TestServer::start().await;
        server.route("/r", Reply::text("ok"));
        let failing = auth_fn(|_r: &mut Request| Err::<(), BoxError>("no credentials today".into()));
        let mut svc = AuthLayer::new(failing).layer(http_client());
        let err = send(&mut svc, get(&server.url("/r"))).await.unwrap_err();
        assert!(matches!(AuthError::find_in(&err), Some(AuthError::Custom { .. })));
        assert_eq!(server.hits("/r"), 0);
        let _inner: &crate::test_support::HttpService = svc.get_ref();
    }
}
