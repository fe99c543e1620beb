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
