//! Test helpers: a real HTTP client (hyper-util's legacy client, body buffered) as a tower
//! service, and small request builders.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use restclient_core::{BoxError, Request, Response};
use tower::util::BoxCloneSyncService;
use tower::{Service, ServiceExt};

pub(crate) type HttpService = BoxCloneSyncService<Request, Response, BoxError>;

/// A plain HTTP/1 client over TCP that buffers each response body.
pub(crate) fn http_client() -> HttpService {
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    BoxCloneSyncService::new(tower::service_fn(move |request: Request| {
        let client = client.clone();
        async move {
            let response = client.request(request.map(Full::new)).await?;
            let (parts, body) = response.into_parts();
            let body = body.collect().await?.to_bytes();
            Ok::<_, BoxError>(Response::from_parts(parts, body))
        }
    }))
}

pub(crate) fn get(url: &str) -> Request {
    http::Request::get(url).body(Bytes::new()).unwrap()
}

/// Sends one request through `service`.
pub(crate) async fn send<S>(service: &mut S, request: Request) -> Result<Response, BoxError>
where
    S: Service<Request, Response = Response, Error = BoxError>,
{
    service.ready().await?.call(request).await
}

/// A tower retry policy for tests: retries a 5xx response up to `n` times, at once.
#[derive(Clone, Debug)]
pub(crate) struct RetryOn5xx(pub(crate) usize);

impl tower::retry::Policy<Request, Response, BoxError> for RetryOn5xx {
    type Future = std::future::Ready<()>;

    fn retry(
        &mut self,
        _request: &mut Request,
        result: &mut Result<Response, BoxError>,
    ) -> Option<Self::Future> {
        match result {
            Ok(response) if response.status().is_server_error() && self.0 > 0 => {
                self.0 -= 1;
                Some(std::future::ready(()))
            }
            _ => None,
        }
    }

    fn clone_request(&mut self, request: &Request) -> Option<Request> {
        Some(request.clone())
    }
}
