//! [`AuthClient`]: the handle through which a strategy sends requests of its own.

use std::fmt;
use std::sync::Arc;

use restclient_core::{BoxError, Request, Response};
use tower::util::BoxCloneSyncService;
use tower::{Service, ServiceExt};

type Inner = BoxCloneSyncService<Request, Response, BoxError>;

/// A cloneable handle to the service inside the auth layer.
///
/// [`Auth`](crate::Auth) creates one from a clone of its inner service and hands it to
/// [`Authenticate::authenticate`](crate::Authenticate::authenticate). An OAuth token request sent
/// through it goes through every layer below auth (timeout, retry when retry sits below auth,
/// decompression, the HTTP client), but not through auth itself. Cloning it is cheap (an `Arc`).
///
/// ```
/// use restclient_auth::AuthClient;
/// use restclient_core::{BoxError, Request, Response};
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let client = AuthClient::new(tower::service_fn(|_req: Request| async {
///     Ok::<_, BoxError>(Response::new(bytes::Bytes::from_static(b"{}")))
/// }));
/// let response = client.send(Request::new(bytes::Bytes::new())).await.unwrap();
/// assert_eq!(response.body().as_ref(), b"{}");
/// # }
/// ```
#[derive(Clone)]
pub struct AuthClient {
    inner: Arc<Inner>,
}

impl AuthClient {
    /// Wraps any cloneable service of buffered requests and responses.
    pub fn new<S>(service: S) -> AuthClient
    where
        S: Service<Request, Response = Response> + Clone + Send + Sync + 'static,
        S::Error: Into<BoxError>,
        S::Future: Send + 'static,
    {
        AuthClient {
            inner: Arc::new(BoxCloneSyncService::new(service.map_err(Into::into))),
        }
    }

    /// A client whose every request fails: for strategies that never send requests, and tests.
    pub fn unavailable() -> AuthClient {
        AuthClient::new(tower::service_fn(|_req: Request| async {
            Err::<Response, BoxError>("this AuthClient cannot send requests".into())
        }))
    }

    /// Sends one request through the inner service (waiting for it to be ready first).
    pub async fn send(&self, request: Request) -> Result<Response, BoxError> {
        let service: Inner = (*self.inner).clone();
        service.oneshot(request).await
    }
}

impl fmt::Debug for AuthClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthClient").finish_non_exhaustive()
    }
}
