//! Authentication for restclient, as a tower layer.
//!
//! An [`Authenticate`] strategy adds credentials to a request: a header, a query parameter or a
//! cookie. [`AuthLayer`] applies one to every request that goes through a stack of
//! `tower::Service<http::Request<Bytes>>`. Put it *inside* the retry layer and every attempt
//! carries fresh credentials (dlt applies auth once per page and resends the same credentials on
//! retries; we deliberately differ, see row 7 of the behaviour table).
//!
//! Built-in strategies, with dlt's parameters and defaults:
//!
//! | strategy | effect |
//! |---|---|
//! | [`BearerToken`] | `Authorization: Bearer <token>` |
//! | [`ApiKey`] | `<name>: <key>` (default name `Authorization`), or `name=key` appended to the query, or a cookie |
//! | [`HttpBasic`] | `Authorization: Basic base64(utf8("user:password"))` |
//! | [`OAuth2ClientCredentials`] | fetches, caches and refreshes a token, then `Authorization: Bearer <token>` |
//! | [`auth_fn`], [`async_auth_fn`] | your closure |
//!
//! Every credential is a [`Secret`]: `Debug` of every strategy, error and config prints `***`
//! instead of it.
//!
//! # Scope
//!
//! [`AuthLayer::scoped_to`] limits credentials to one [`Origin`] (scheme, host, port). A request to
//! any other origin — a `next` link that points to another host, say — passes through untouched.
//! The facade scopes auth to the base URL's origin by default (dlt sends credentials everywhere).
//!
//! # Requests of its own
//!
//! OAuth needs to send a token request. [`Authenticate::authenticate`] receives an [`AuthClient`],
//! a cloneable handle to the service *inside* the auth layer, so the token request goes through the
//! same timeout and retry layers as any other request below auth. Simple strategies ignore it.
//!
//! # Declarative config
//!
//! [`AuthConfig`] deserialises dlt's auth dicts and [`AuthConfig::build`] turns one into a
//! [`SharedAuth`] (`Arc<dyn Authenticate>`) that [`AuthLayer::from_arc`] layers.
//!
//! # Example
//!
//! ```
//! use restclient_auth::{AuthConfig, AuthLayer, Origin};
//!
//! let config: AuthConfig = serde_json::from_str(r#"{"type": "bearer", "token": "s3cr3t"}"#).unwrap();
//! let layer = AuthLayer::from_arc(config.build().unwrap())
//!     .scoped_to(Origin::from_url("https://api.example.com/v1").unwrap());
//! assert!(!format!("{layer:?}").contains("s3cr3t"));
//! // let service = tower::ServiceBuilder::new().layer(retry).layer(layer).service(transport);
//! ```

pub mod api_key;
pub mod basic;
pub mod bearer;
mod client;
pub mod config;
pub mod custom;
mod error;
mod future;
pub mod layer;
pub mod oauth2;
pub mod scope;

#[cfg(test)]
mod test_support;

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

pub use api_key::{ApiKey, ApiKeyLocation};
pub use basic::HttpBasic;
pub use bearer::BearerToken;
pub use client::AuthClient;
pub use config::{AUTH_TYPES, AuthConfig};
pub use custom::{AsyncAuthFn, AuthFn, async_auth_fn, auth_fn};
pub use error::AuthError;
pub use future::ResponseFuture;
pub use layer::{Auth, AuthLayer};
pub use oauth2::{ClientAuthMethod, OAuth2ClientCredentials};
pub use restclient_core::{BoxError, Request, Response, Secret};
pub use scope::Origin;

/// Any authentication strategy, chosen at run time: what [`AuthConfig::build`] returns and what
/// the facade layers.
pub type SharedAuth = Arc<dyn Authenticate>;

/// A strategy that adds credentials to a request.
///
/// It takes the request by value and gives it back, changed, through an [`AuthFuture`]. A strategy
/// that needs no I/O returns [`AuthFuture::ready`], which costs no allocation; one that does (OAuth)
/// returns [`AuthFuture::new`] and may send requests of its own through `client`.
///
/// The trait is object safe: `Arc<dyn Authenticate>` ([`SharedAuth`]) is itself an `Authenticate`.
///
/// ```
/// use restclient_auth::{AuthClient, AuthFuture, Authenticate, Request};
///
/// /// Sends `X-Tenant: <id>` (not a secret, so `Debug` may show it).
/// #[derive(Debug)]
/// struct Tenant(&'static str);
///
/// impl Authenticate for Tenant {
///     fn authenticate(&self, mut request: Request, _client: &AuthClient) -> AuthFuture {
///         request.headers_mut().insert("x-tenant", http::HeaderValue::from_static(self.0));
///         AuthFuture::ready(Ok(request))
///     }
/// }
/// ```
pub trait Authenticate: fmt::Debug + Send + Sync + 'static {
    /// Adds credentials to `request`. `client` sends requests through the service inside the auth
    /// layer (for token requests); most strategies ignore it.
    fn authenticate(&self, request: Request, client: &AuthClient) -> AuthFuture;
}

impl<A: Authenticate + ?Sized> Authenticate for Arc<A> {
    fn authenticate(&self, request: Request, client: &AuthClient) -> AuthFuture {
        (**self).authenticate(request, client)
    }
}

impl<A: Authenticate + ?Sized> Authenticate for Box<A> {
    fn authenticate(&self, request: Request, client: &AuthClient) -> AuthFuture {
        (**self).authenticate(request, client)
    }
}

type BoxedAuthFuture = Pin<Box<dyn Future<Output = Result<Request, AuthError>> + Send + 'static>>;

/// The result of [`Authenticate::authenticate`]: the authenticated request, now or later.
///
/// A ready result is not boxed, so a strategy that only sets a header costs no allocation, and
/// the layer calls the inner service straight away.
#[must_use = "futures do nothing unless polled"]
pub struct AuthFuture {
    kind: AuthFutureKind,
}

// The ready variant holds the request inline on purpose: boxing it would cost the allocation
// per request that this type exists to avoid.
#[allow(clippy::large_enum_variant)]
enum AuthFutureKind {
    Ready(Option<Result<Request, AuthError>>),
    Boxed(BoxedAuthFuture),
}

impl AuthFuture {
    /// A result that is already known.
    pub fn ready(result: Result<Request, AuthError>) -> AuthFuture {
        AuthFuture {
            kind: AuthFutureKind::Ready(Some(result)),
        }
    }

    /// A result that needs I/O (boxed).
    pub fn new(future: impl Future<Output = Result<Request, AuthError>> + Send + 'static) -> AuthFuture {
        AuthFuture {
            kind: AuthFutureKind::Boxed(Box::pin(future)),
        }
    }

    /// The result, if it was created with [`AuthFuture::ready`] and not yet polled to completion.
    pub(crate) fn take_ready(&mut self) -> Option<Result<Request, AuthError>> {
        match &mut self.kind {
            AuthFutureKind::Ready(result) => result.take(),
            AuthFutureKind::Boxed(_) => None,
        }
    }
}

impl fmt::Debug for AuthFuture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match &self.kind {
            AuthFutureKind::Ready(Some(_)) => "ready",
            AuthFutureKind::Ready(None) => "done",
            AuthFutureKind::Boxed(_) => "pending",
        };
        f.debug_struct("AuthFuture").field("state", &state).finish()
    }
}

impl Future for AuthFuture {
    type Output = Result<Request, AuthError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // Both variants are Unpin (an Option and a Pin<Box>), so AuthFuture is Unpin.
        match &mut self.get_mut().kind {
            AuthFutureKind::Ready(result) => match result.take() {
                Some(result) => Poll::Ready(result),
                None => Poll::Ready(Err(AuthError::Polled)),
            },
            AuthFutureKind::Boxed(future) => future.as_mut().poll(cx),
        }
    }
}
