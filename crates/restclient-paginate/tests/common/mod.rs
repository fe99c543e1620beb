//! Shared helpers: a real HTTP client as a tower service, and a collector.
#![allow(dead_code, unreachable_pub, missing_docs, clippy::unwrap_used)]

pub mod styles;

use bytes::Bytes;
use futures_util::StreamExt;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use restclient_core::{BoxError, Request, Response};
use restclient_paginate::{Page, PaginateError, PaginateExt, PaginateOptions, Paginator};
use restclient_select::Selector;
use restclient_testkit::TestServer;
use serde_json::{Value, json};

/// hyper-util's legacy client, buffering the body: the smallest real transport.
pub fn client() -> impl tower::Service<
    Request,
    Response = Response,
    Error = BoxError,
    Future = impl Future<Output = Result<Response, BoxError>> + Send,
> + Clone
+ Send
+ 'static {
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    tower::service_fn(move |req: Request| {
        let client = client.clone();
        async move {
            let (parts, body) = req.into_parts();
            let resp = client
                .request(http::Request::from_parts(parts, Full::new(body)))
                .await?;
            let (parts, body) = resp.into_parts();
            let bytes = body.collect().await?.to_bytes();
            Ok::<_, BoxError>(http::Response::from_parts(parts, bytes))
        }
    })
}

/// [`client`] with a tiny retry: up to 5 attempts on a connection error, a broken body, a 429 or a
/// 5xx, 1 ms apart (the last response is returned as is).
pub fn retrying_client() -> impl tower::Service<
    Request,
    Response = Response,
    Error = BoxError,
    Future = impl Future<Output = Result<Response, BoxError>> + Send,
> + Clone
+ Send
+ 'static {
    let inner = client();
    tower::service_fn(move |req: Request| {
        let inner = inner.clone();
        async move {
            let mut attempt = 0;
            loop {
                attempt += 1;
                let result = tower::ServiceExt::oneshot(inner.clone(), req.clone()).await;
                let transient = match &result {
                    Ok(r) => r.status() == 429 || r.status().is_server_error(),
                    Err(_) => true,
                };
                if !transient || attempt == 5 {
                    return result;
                }
                tokio::time::sleep(std::time::Duration::from_millis(1)).await;
            }
        }
    })
}

pub fn get(url: &str) -> Request {
    http::Request::get(url).body(Bytes::new()).unwrap()
}

pub fn post_json(url: &str, body: Value) -> Request {
    http::Request::post(url)
        .header("content-type", "application/json")
        .body(Bytes::from(serde_json::to_vec(&body).unwrap()))
        .unwrap()
}

pub fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap()
}

pub fn opts(paginator: impl Paginator + 'static, data: &str) -> PaginateOptions {
    PaginateOptions {
        paginator: Some(Box::new(paginator)),
        data_selector: Some(sel(data)),
        ..Default::default()
    }
}

/// Every page until the end or the first error (at most 50 pages, so a bug cannot hang a test).
pub async fn collect(request: Request, options: PaginateOptions) -> (Vec<Page>, Option<PaginateError>) {
    collect_via(client(), request, options).await
}

/// [`collect`] over any service.
pub async fn collect_via<S: PaginateExt>(
    service: S,
    request: Request,
    options: PaginateOptions,
) -> (Vec<Page>, Option<PaginateError>) {
    let mut stream = service.paginate(request, options);
    let mut pages = Vec::new();
    while let Some(item) = stream.next().await {
        match item {
            Ok(page) => pages.push(page),
            Err(e) => {
                assert!(stream.next().await.is_none(), "an error ends the stream");
                return (pages, Some(e));
            }
        }
        assert!(pages.len() < 50, "runaway pagination");
    }
    (pages, None)
}

/// The records of each page, as JSON values.
pub fn records(pages: &[Page]) -> Vec<Vec<Value>> {
    pages
        .iter()
        .map(|p| p.records.iter().map(|r| r.to_value().unwrap()).collect())
        .collect()
}

/// The raw query strings the server saw on `path`.
pub fn queries(server: &TestServer, path: &str) -> Vec<String> {
    server
        .requests_to(path)
        .iter()
        .map(|r| r.query().to_owned())
        .collect()
}

pub fn items(from: i64, to: i64) -> Value {
    Value::Array((from..to).map(|i| json!({"id": i})).collect())
}
