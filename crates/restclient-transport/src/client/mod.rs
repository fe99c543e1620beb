//! The HTTP client: a pooled hyper-util client over rustls, as a `tower::Service`.
//!
//! [`HttpClient`] sends an `http::Request<Bytes>` and answers with an `http::Response<Bytes>` whose
//! body is fully buffered. On the way it:
//!
//! - adds the default headers that the request does not already carry: `User-Agent:
//!   restclient/<version>`, `Accept: */*`, your own, and `Accept-Encoding` for the decoders below
//!   (tower-http's `set_header`);
//! - follows redirects like Python requests (tower-http's `follow_redirect`): up to 30 (then
//!   [`TransportError::Redirect`]); 301/302 turn a POST into a body-less GET, 303 turns anything but
//!   HEAD into a body-less GET, 307/308 keep method and body; `Authorization`, `Cookie` and
//!   `Proxy-Authorization` are dropped on a redirect to another origin;
//! - decompresses gzip, deflate, br and zstd bodies (tower-http's `decompression`);
//! - buffers the body up to a maximum size (default 100 MiB, [`TransportError::BodyTooLarge`] beyond);
//! - records the final URL as a [`ResponseUri`] response extension.
//!
//! # Timeouts
//!
//! `request_timeout` has dlt's meaning: it bounds connecting and every wait for data (the response
//! head, then each body chunk), not the whole transfer, so a slow but steady download never times
//! out. The wait for the head includes connecting when a new connection is needed. An optional
//! `total_timeout` bounds a whole attempt besides. Both give [`TransportError::Timeout`].
//!
//! # Connections
//!
//! HTTPS uses rustls with the `ring` provider and the webpki (Mozilla) roots, plus any root
//! certificates you add (a corporate CA: [`HttpClientBuilder::add_root_certificate`],
//! [`HttpClientBuilder::add_root_certificates_pem`]); HTTP/2 is negotiated by ALPN, plain HTTP
//! speaks HTTP/1.1. Connections are kept alive and pooled; clones of a client
//! share the pool, so clone freely.
//!
//! # Where each part lives
//!
//! - this module: [`HttpClient`] and its `Service` impl (URL check, size check, total deadline);
//! - `builder`: [`HttpClientBuilder`], TLS roots and the assembly of the inner stack;
//! - `exchange`: one hyper exchange up to the response head, under the head timeout;
//! - `body`: reading the body with a timeout per chunk and the size limit;
//! - `redirect`: Python requests' redirect rules over tower-http's `FollowRedirect`.
//!
//! # Example
//!
//! ```no_run
//! use restclient_transport::HttpClient;
//! use std::time::Duration;
//! use tower::{Service, ServiceExt};
//!
//! # async fn run() -> Result<(), restclient_transport::TransportError> {
//! let mut client = HttpClient::builder()
//!     .request_timeout(Duration::from_secs(10))
//!     .max_body_size(16 * 1024 * 1024)
//!     .build()?;
//! let request = http::Request::get("https://api.example.com/items").body(bytes::Bytes::new()).unwrap();
//! let response = client.ready().await?.call(request).await?;
//! println!("{} bytes", response.body().len());
//! # Ok(()) }
//! ```

mod body;
mod builder;
mod exchange;
mod redirect;

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::header::CONTENT_LENGTH;
use http_body_util::Full;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use restclient_core::redact::redact_uri;
use restclient_core::{Request, Response, ResponseUri};
use tower::Service;
use tower_http::decompression::Decompression;
use tower_http::follow_redirect::{FollowRedirect, RequestUri};
use tower_http::set_header::request::SetMultipleRequestHeader;

use crate::error::{TimeoutPhase, TransportError};
use body::read_body;
pub use builder::HttpClientBuilder;
use exchange::Exchange;
use redirect::RedirectPolicy;

/// The default `User-Agent`: `restclient/<version>`.
pub const DEFAULT_USER_AGENT: &str = concat!("restclient/", env!("CARGO_PKG_VERSION"));
/// The default maximum body size: 100 MiB.
pub const DEFAULT_MAX_BODY_SIZE: usize = 100 * 1024 * 1024;
/// The default redirect limit (Python requests' `DEFAULT_REDIRECT_LIMIT`).
pub const DEFAULT_MAX_REDIRECTS: usize = 30;

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;
type HyperClient = Client<HttpsConnector<HttpConnector>, Full<Bytes>>;
type Stack = SetMultipleRequestHeader<
    FollowRedirect<Decompression<Exchange>, RedirectPolicy>,
    http::Request<Full<Bytes>>,
>;

/// A pooled HTTP/1.1 + HTTP/2 client over rustls that buffers response bodies; see the
/// [module docs](crate::client).
///
/// Build one with [`HttpClient::builder`]. It is a
/// `Service<http::Request<Bytes>, Response = http::Response<Bytes>, Error = TransportError>`,
/// always ready, and cheap to clone (clones share the connection pool).
#[derive(Clone)]
pub struct HttpClient {
    stack: Stack,
    config: Arc<Config>,
}

#[derive(Debug)]
struct Config {
    request_timeout: Option<Duration>,
    total_timeout: Option<Duration>,
    max_body_size: usize,
}

impl fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpClient")
            .field("request_timeout", &self.config.request_timeout)
            .field("total_timeout", &self.config.total_timeout)
            .field("max_body_size", &self.config.max_body_size)
            .finish_non_exhaustive()
    }
}

impl HttpClient {
    /// A builder with dlt's defaults (60 s request timeout, 30 redirects, 100 MiB bodies).
    pub fn builder() -> HttpClientBuilder {
        HttpClientBuilder::default()
    }

    /// A client with the defaults.
    ///
    /// # Errors
    /// [`TransportError::Tls`] if the TLS configuration cannot be built.
    pub fn new() -> Result<HttpClient, TransportError> {
        HttpClient::builder().build()
    }
}

impl Service<Request> for HttpClient {
    type Response = Response;
    type Error = TransportError;
    type Future = BoxFuture<Result<Response, TransportError>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.stack.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        // URLs are redacted only when an error needs one: redaction costs more than a small page.
        if let Err(reason) = check_url(request.uri()) {
            return Box::pin(std::future::ready(Err(TransportError::InvalidUrl {
                url: redact_uri(request.uri()),
                reason,
            })));
        }
        let original_uri = request.uri().clone();
        let deadline_uri = self.config.total_timeout.map(|_| original_uri.clone());
        let request = request.map(Full::new);
        let sent = self.stack.call(request);
        let config = self.config.clone();
        let work = async move {
            let response = sent.await?;
            let (mut parts, body) = response.into_parts();
            let final_uri = parts
                .extensions
                .remove::<RequestUri>()
                .map_or(original_uri, |u| u.0);
            let announced = parts
                .headers
                .get(CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<u64>().ok());
            if announced.is_some_and(|n| n > config.max_body_size as u64) {
                return Err(TransportError::BodyTooLarge {
                    url: redact_uri(&final_uri),
                    limit: config.max_body_size,
                });
            }
            let body = read_body(body, &config, &final_uri).await?;
            parts.extensions.insert(ResponseUri(final_uri));
            Ok(http::Response::from_parts(parts, body))
        };
        match self.config.total_timeout {
            None => Box::pin(work),
            Some(limit) => Box::pin(async move {
                tokio::time::timeout(limit, work).await.unwrap_or_else(|_| {
                    Err(TransportError::Timeout {
                        url: deadline_uri.as_ref().map(redact_uri).unwrap_or_default(),
                        phase: TimeoutPhase::Total,
                        after: limit,
                    })
                })
            }),
        }
    }
}

fn check_url(uri: &http::Uri) -> Result<(), &'static str> {
    match uri.scheme_str() {
        Some("http" | "https") => {}
        Some(_) => return Err("the scheme must be http or https"),
        None => return Err("the URL must be absolute (no scheme)"),
    }
    if uri.host().is_none_or(str::is_empty) {
        return Err("the URL has no host");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::is_retryable_error;
    use tower::ServiceExt;

    #[tokio::test]
    async fn invalid_urls_fail_before_sending() {
        let client = HttpClient::builder().build().unwrap();
        for url in ["/relative", "ftp://example.com/file"] {
            let request = http::Request::get(url).body(Bytes::new()).unwrap();
            let err = client.clone().oneshot(request).await.unwrap_err();
            assert!(matches!(err, TransportError::InvalidUrl { .. }), "{url}: {err:?}");
            assert!(!is_retryable_error(&err));
        }
    }

    #[test]
    fn builds_without_a_runtime_and_debug_is_short() {
        let client = HttpClient::new().unwrap();
        let shown = format!("{client:?}");
        assert!(shown.starts_with("HttpClient"), "{shown}");
    }
}
