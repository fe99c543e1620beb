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

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use http::header::{ACCEPT, CONTENT_LENGTH, USER_AGENT};
use http::{HeaderMap, HeaderName, HeaderValue};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use restclient_core::redact::redact_uri;
use restclient_core::{Request, Response, ResponseUri};
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use tower::Service;
use tower_http::decompression::{Decompression, DecompressionBody};
use tower_http::follow_redirect::policy::{Action, Attempt, FilterCredentials, Policy};
use tower_http::follow_redirect::{FollowRedirect, RequestUri};
use tower_http::set_header::request::SetMultipleRequestHeader;

use crate::error::{TimeoutPhase, TransportError, is_retryable_error};
use crate::settings::RuntimeSettings;

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
/// [module docs](self).
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

/// Configures an [`HttpClient`].
///
/// ```
/// use restclient_transport::{HttpClient, RuntimeSettings};
/// use std::time::Duration;
///
/// let client = HttpClient::builder()
///     .settings(&RuntimeSettings::default())         // request_timeout from dlt's settings
///     .total_timeout(Duration::from_secs(300))        // and a deadline per attempt
///     .max_redirects(5)
///     .default_header(http::header::ACCEPT, http::HeaderValue::from_static("application/json"))
///     .build()
///     .unwrap();
/// # let _ = client;
/// ```
#[derive(Debug, Clone)]
pub struct HttpClientBuilder {
    request_timeout: Option<Duration>,
    total_timeout: Option<Duration>,
    max_body_size: usize,
    max_redirects: usize,
    follow_redirects: bool,
    headers: HeaderMap,
    pool_idle_timeout: Option<Duration>,
    pool_max_idle_per_host: usize,
    extra_roots: Vec<ExtraRoot>,
}

/// A root certificate added to the builder, checked in [`HttpClientBuilder::build`].
#[derive(Clone)]
enum ExtraRoot {
    Der(CertificateDer<'static>),
    Pem(Arc<[u8]>),
}

impl fmt::Debug for ExtraRoot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExtraRoot::Der(der) => write!(f, "Der({} bytes)", der.len()),
            ExtraRoot::Pem(pem) => write!(f, "Pem({} bytes)", pem.len()),
        }
    }
}

impl Default for HttpClientBuilder {
    fn default() -> Self {
        let mut headers = HeaderMap::new();
        headers.insert(USER_AGENT, HeaderValue::from_static(DEFAULT_USER_AGENT));
        headers.insert(ACCEPT, HeaderValue::from_static("*/*"));
        HttpClientBuilder {
            request_timeout: Some(RuntimeSettings::default().request_timeout),
            total_timeout: None,
            max_body_size: DEFAULT_MAX_BODY_SIZE,
            max_redirects: DEFAULT_MAX_REDIRECTS,
            follow_redirects: true,
            headers,
            pool_idle_timeout: Some(Duration::from_secs(90)),
            pool_max_idle_per_host: 50,
            extra_roots: Vec::new(),
        }
    }
}

impl HttpClientBuilder {
    /// Takes `request_timeout` from dlt's runtime settings (the retry settings go to
    /// [`RetryLayer`](crate::RetryLayer)). Later builder calls win.
    pub fn settings(mut self, settings: &RuntimeSettings) -> Self {
        self.request_timeout = Some(settings.request_timeout);
        self
    }

    /// The connect timeout and the timeout of each wait for data; `None` waits forever.
    /// Default 60 s.
    pub fn request_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.request_timeout = timeout.into();
        self
    }

    /// A deadline for a whole attempt (connect, head and full body); default none.
    pub fn total_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.total_timeout = timeout.into();
        self
    }

    /// The largest (decoded) body accepted, in bytes. Default [`DEFAULT_MAX_BODY_SIZE`].
    pub fn max_body_size(mut self, bytes: usize) -> Self {
        self.max_body_size = bytes;
        self
    }

    /// How many redirects to follow before failing with [`TransportError::Redirect`]. Default 30.
    pub fn max_redirects(mut self, max: usize) -> Self {
        self.max_redirects = max;
        self
    }

    /// Whether to follow redirects at all; when off, 3xx responses are returned as they are.
    pub fn follow_redirects(mut self, follow: bool) -> Self {
        self.follow_redirects = follow;
        self
    }

    /// Sends `name: value` on every request that has no `name` header of its own. Replaces the
    /// default of the same name (`User-Agent`, `Accept`).
    pub fn default_header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.insert(name, value);
        self
    }

    /// Adds every header of `headers` as a [default header](Self::default_header).
    pub fn default_headers(mut self, headers: HeaderMap) -> Self {
        for (name, value) in headers {
            if let Some(name) = name {
                self.headers.insert(name, value);
            }
        }
        self
    }

    /// How long an idle pooled connection is kept; `None` keeps it until the server closes it.
    /// Default 90 s.
    pub fn pool_idle_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.pool_idle_timeout = timeout.into();
        self
    }

    /// How many idle connections are kept per host. Default 50 (dlt's `max_connections`).
    pub fn pool_max_idle_per_host(mut self, max: usize) -> Self {
        self.pool_max_idle_per_host = max;
        self
    }

    /// Also trusts `certificate` (DER-encoded X.509) as a root for HTTPS, in addition to the
    /// webpki (Mozilla) roots: for a corporate or private CA, or a test server's self-signed
    /// certificate. Call it once per certificate; see
    /// [`add_root_certificates_pem`](Self::add_root_certificates_pem) for PEM files.
    ///
    /// The certificate is checked in [`build`](Self::build), which fails with
    /// [`TransportError::InvalidRootCertificate`] if it cannot be parsed.
    ///
    /// ```no_run
    /// use restclient_transport::HttpClient;
    ///
    /// # fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// let der: Vec<u8> = std::fs::read("/etc/ssl/private-ca.der")?;
    /// let client = HttpClient::builder().add_root_certificate(der).build()?;
    /// # let _ = client; Ok(()) }
    /// ```
    pub fn add_root_certificate(mut self, certificate: impl Into<CertificateDer<'static>>) -> Self {
        self.extra_roots.push(ExtraRoot::Der(certificate.into()));
        self
    }

    /// Also trusts every certificate of a PEM bundle (`-----BEGIN CERTIFICATE-----` blocks; other
    /// blocks such as keys are skipped) as a root for HTTPS, in addition to the webpki (Mozilla)
    /// roots. This is the format corporate CA bundles usually come in.
    ///
    /// The bundle is checked in [`build`](Self::build), which fails with
    /// [`TransportError::InvalidRootCertificate`] if it cannot be read, holds no certificate, or
    /// holds one that cannot be parsed.
    ///
    /// ```no_run
    /// use restclient_transport::HttpClient;
    ///
    /// # fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// let bundle = std::fs::read("/etc/ssl/corporate-ca-bundle.pem")?;
    /// let client = HttpClient::builder().add_root_certificates_pem(bundle).build()?;
    /// # let _ = client; Ok(()) }
    /// ```
    pub fn add_root_certificates_pem(mut self, pem: impl AsRef<[u8]>) -> Self {
        self.extra_roots.push(ExtraRoot::Pem(Arc::from(pem.as_ref())));
        self
    }

    /// Builds the client. It needs no runtime until the first request.
    ///
    /// # Errors
    /// [`TransportError::InvalidRootCertificate`] if an added root certificate cannot be used;
    /// [`TransportError::Tls`] if the TLS configuration cannot be built.
    pub fn build(self) -> Result<HttpClient, TransportError> {
        let roots = root_store(&self.extra_roots)?;
        // An explicit provider: with `ClientConfig::builder()` rustls would pick a process-wide
        // default, and panics when more than one provider is compiled in.
        let tls =
            rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
                .with_safe_default_protocol_versions()
                .map_err(TransportError::Tls)?
                .with_root_certificates(roots)
                .with_no_client_auth();
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_nodelay(true);
        http.set_connect_timeout(self.request_timeout);
        // ALPN (`h2`, `http/1.1`) is set by `enable_http2` below.
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .enable_http2()
            .wrap_connector(http);
        let client: HyperClient = Client::builder(TokioExecutor::new())
            .timer(TokioTimer::new())
            .pool_timer(TokioTimer::new())
            .pool_idle_timeout(self.pool_idle_timeout)
            .pool_max_idle_per_host(self.pool_max_idle_per_host)
            .build(https);
        let exchange = Exchange {
            client,
            head_timeout: self.request_timeout,
        };
        let policy = RedirectPolicy {
            follow: self.follow_redirects,
            remaining: self.max_redirects,
            max: self.max_redirects,
            credentials: FilterCredentials::new(),
        };
        let redirects = FollowRedirect::with_policy(Decompression::new(exchange), policy);
        let defaults = self
            .headers
            .into_iter()
            .filter_map(|(name, value)| name.map(|n| (n, value).into()))
            .collect();
        let stack = SetMultipleRequestHeader::if_not_present(redirects, defaults);
        Ok(HttpClient {
            stack,
            config: Arc::new(Config {
                request_timeout: self.request_timeout,
                total_timeout: self.total_timeout,
                max_body_size: self.max_body_size,
            }),
        })
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

/// The webpki (Mozilla) roots plus the extra ones, each checked.
fn root_store(extra: &[ExtraRoot]) -> Result<rustls::RootCertStore, TransportError> {
    let mut roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    for (i, root) in extra.iter().enumerate() {
        let invalid = |reason: String| TransportError::InvalidRootCertificate {
            position: i + 1,
            reason,
        };
        match root {
            ExtraRoot::Der(der) => roots
                .add(der.clone())
                .map_err(|e| invalid(format!("not a usable DER X.509 certificate ({e})")))?,
            ExtraRoot::Pem(pem) => {
                let mut found = 0usize;
                for (n, cert) in CertificateDer::pem_slice_iter(pem).enumerate() {
                    let cert = cert.map_err(|e| invalid(format!("unreadable PEM ({e})")))?;
                    roots.add(cert).map_err(|e| {
                        invalid(format!(
                            "certificate {} of the PEM bundle is not a usable X.509 certificate ({e})",
                            n + 1
                        ))
                    })?;
                    found += 1;
                }
                if found == 0 {
                    return Err(invalid(
                        "the PEM data holds no `-----BEGIN CERTIFICATE-----` block".to_owned(),
                    ));
                }
            }
        }
    }
    Ok(roots)
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

/// Reads the whole body, waiting at most `request_timeout` for each chunk.
async fn read_body(
    body: DecompressionBody<Incoming>,
    config: &Config,
    uri: &http::Uri,
) -> Result<Bytes, TransportError> {
    let mut body = std::pin::pin!(body);
    let mut first: Option<Bytes> = None;
    let mut rest = BytesMut::new();
    let mut total = 0usize;
    // Bounded: every turn either ends, fails, or consumes a frame of a finite body, and waits at
    // most `request_timeout`.
    loop {
        let frame = match config.request_timeout {
            Some(limit) => {
                tokio::time::timeout(limit, body.frame())
                    .await
                    .map_err(|_| TransportError::Timeout {
                        url: redact_uri(uri),
                        phase: TimeoutPhase::Body,
                        after: limit,
                    })?
            }
            None => body.frame().await,
        };
        let Some(frame) = frame else { break };
        let frame = frame.map_err(|source| {
            if is_retryable_error(source.as_ref()) {
                TransportError::Body {
                    url: redact_uri(uri),
                    source,
                }
            } else {
                TransportError::Decode {
                    url: redact_uri(uri),
                    source,
                }
            }
        })?;
        let Ok(data) = frame.into_data() else {
            continue; // trailers
        };
        total = total.saturating_add(data.len());
        if total > config.max_body_size {
            return Err(TransportError::BodyTooLarge {
                url: redact_uri(uri),
                limit: config.max_body_size,
            });
        }
        // Keep a single-chunk body as it came (no copy); join longer ones.
        match first.take() {
            None if rest.is_empty() => first = Some(data),
            None => rest.extend_from_slice(&data),
            Some(previous) => {
                rest.reserve(previous.len() + data.len());
                rest.extend_from_slice(&previous);
                rest.extend_from_slice(&data);
            }
        }
    }
    Ok(match first {
        Some(only) => only,
        None => rest.freeze(),
    })
}

/// The innermost service: one hyper exchange up to the response head, under `request_timeout`.
#[derive(Clone, Debug)]
struct Exchange {
    client: HyperClient,
    head_timeout: Option<Duration>,
}

impl Service<http::Request<Full<Bytes>>> for Exchange {
    type Response = http::Response<Incoming>;
    type Error = TransportError;
    type Future = BoxFuture<Result<Self::Response, TransportError>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        // The legacy client queues requests internally; it is always ready.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<Full<Bytes>>) -> Self::Future {
        let uri = request.uri().clone();
        let sent = self.client.request(request);
        let limit = self.head_timeout;
        Box::pin(async move {
            let result = match limit {
                Some(limit) => {
                    tokio::time::timeout(limit, sent)
                        .await
                        .map_err(|_| TransportError::Timeout {
                            url: redact_uri(&uri),
                            phase: TimeoutPhase::Head,
                            after: limit,
                        })?
                }
                None => sent.await,
            };
            result.map_err(|e| {
                if e.is_connect() || is_retryable_error(&e) {
                    TransportError::Connect {
                        url: redact_uri(&uri),
                        source: Box::new(e),
                    }
                } else {
                    TransportError::Request {
                        url: redact_uri(&uri),
                        source: Box::new(e),
                    }
                }
            })
        })
    }
}

/// requests' redirect rules on top of tower-http's `FollowRedirect`: a limit that fails loudly,
/// credentials dropped across origins, bodies replayed (they are `Bytes`).
#[derive(Clone, Debug)]
struct RedirectPolicy {
    follow: bool,
    remaining: usize,
    max: usize,
    credentials: FilterCredentials,
}

impl Policy<Full<Bytes>, TransportError> for RedirectPolicy {
    fn redirect(&mut self, attempt: &Attempt<'_>) -> Result<Action, TransportError> {
        if !self.follow {
            return Ok(Action::Stop);
        }
        if self.remaining == 0 {
            return Err(TransportError::Redirect {
                url: redact_uri(attempt.location()),
                max: self.max,
            });
        }
        self.remaining -= 1;
        Policy::<Full<Bytes>, TransportError>::redirect(&mut self.credentials, attempt)
    }

    fn on_request(&mut self, request: &mut http::Request<Full<Bytes>>) {
        Policy::<Full<Bytes>, TransportError>::on_request(&mut self.credentials, request);
    }

    fn clone_body(&self, body: &Full<Bytes>) -> Option<Full<Bytes>> {
        Some(body.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use restclient_testkit::{RecordedRequest, Reply, TestServer};
    use std::io::Write;
    use tower::ServiceExt;

    fn get(url: &str) -> Request {
        http::Request::get(url).body(Bytes::new()).unwrap()
    }

    fn client() -> HttpClient {
        HttpClient::builder().build().unwrap()
    }

    async fn send(client: &HttpClient, request: Request) -> Result<Response, TransportError> {
        client.clone().oneshot(request).await
    }

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(data).unwrap();
        encoder.finish().unwrap()
    }

    #[tokio::test]
    async fn default_headers_and_response_uri() {
        let server = TestServer::start().await;
        server.route("/items", Reply::text("hello"));
        let response = send(&client(), get(&server.url("/items?page=1"))).await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.body(), "hello");
        assert_eq!(
            response.extensions().get::<ResponseUri>().unwrap().0,
            server.url("/items?page=1").as_str()
        );
        let seen = &server.requests()[0];
        assert_eq!(seen.header("user-agent"), Some(DEFAULT_USER_AGENT));
        assert!(DEFAULT_USER_AGENT.starts_with("restclient/"));
        assert_eq!(seen.header("accept"), Some("*/*"));
        let encodings = seen.header("accept-encoding").unwrap();
        for e in ["gzip", "deflate", "br", "zstd"] {
            assert!(encodings.contains(e), "{encodings}");
        }
    }

    #[tokio::test]
    async fn request_headers_win_over_defaults() {
        let server = TestServer::start().await;
        server.route("/h", Reply::text("ok"));
        let client = HttpClient::builder()
            .default_header(
                HeaderName::from_static("x-team"),
                HeaderValue::from_static("data"),
            )
            .default_header(ACCEPT, HeaderValue::from_static("application/json"))
            .build()
            .unwrap();
        let mut request = get(&server.url("/h"));
        request
            .headers_mut()
            .insert(USER_AGENT, HeaderValue::from_static("mine/1"));
        send(&client, request).await.unwrap();
        let seen = &server.requests()[0];
        assert_eq!(seen.header("user-agent"), Some("mine/1"));
        assert_eq!(seen.header("x-team"), Some("data"));
        assert_eq!(seen.header("accept"), Some("application/json"));
    }

    #[tokio::test]
    async fn gzip_bodies_are_decoded() {
        let server = TestServer::start().await;
        let text = "{\"data\": [1, 2, 3]}".repeat(100);
        server.route(
            "/gz",
            Reply::status(200)
                .header("content-encoding", "gzip")
                .body(gzip(text.as_bytes())),
        );
        let response = send(&client(), get(&server.url("/gz"))).await.unwrap();
        assert_eq!(response.body(), text.as_bytes());
    }

    #[tokio::test]
    async fn deflate_br_and_zstd_bodies_are_decoded() {
        let text = "{\"data\": [1, 2, 3]}".repeat(100);
        let deflate = {
            // HTTP's `deflate` is the zlib format (RFC 9110 §8.4.1.2).
            let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
            encoder.write_all(text.as_bytes()).unwrap();
            encoder.finish().unwrap()
        };
        let br = {
            let mut out = Vec::new();
            let mut encoder = brotli::CompressorWriter::new(&mut out, 4096, 5, 22);
            encoder.write_all(text.as_bytes()).unwrap();
            drop(encoder);
            out
        };
        let zstd = zstd::encode_all(text.as_bytes(), 3).unwrap();
        let server = TestServer::start().await;
        for (encoding, body) in [("deflate", deflate), ("br", br), ("zstd", zstd)] {
            assert_ne!(body.as_slice(), text.as_bytes());
            let path = format!("/{encoding}");
            server.route(
                &path,
                Reply::status(200).header("content-encoding", encoding).body(body),
            );
            let response = send(&client(), get(&server.url(&path))).await.unwrap();
            assert_eq!(response.body(), text.as_bytes(), "{encoding}");
        }
    }

    #[tokio::test]
    async fn bad_gzip_is_a_decode_error_not_retryable() {
        let server = TestServer::start().await;
        server.route(
            "/gz",
            Reply::status(200)
                .header("content-encoding", "gzip")
                .body("not gzip at all"),
        );
        let err = send(&client(), get(&server.url("/gz"))).await.unwrap_err();
        assert!(matches!(err, TransportError::Decode { .. }), "{err:?}");
        assert!(!is_retryable_error(&err));
    }

    #[tokio::test]
    async fn body_limit() {
        let server = TestServer::start().await;
        server.route("/big", Reply::text(vec![b'x'; 2000]));
        server.route(
            "/bomb",
            Reply::status(200)
                .header("content-encoding", "gzip")
                .body(gzip(&[0u8; 100_000])),
        );
        server.route("/fits", Reply::text(vec![b'x'; 1000]));
        let client = HttpClient::builder().max_body_size(1000).build().unwrap();
        for path in ["/big", "/bomb"] {
            let err = send(&client, get(&server.url(path))).await.unwrap_err();
            assert!(
                matches!(err, TransportError::BodyTooLarge { limit: 1000, .. }),
                "{path}: {err:?}"
            );
            assert!(err.to_string().contains("1000 bytes"), "{err}");
        }
        let ok = send(&client, get(&server.url("/fits"))).await.unwrap();
        assert_eq!(ok.body().len(), 1000);
    }

    #[tokio::test]
    async fn redirect_301_turns_post_into_get_without_body() {
        let server = TestServer::start().await;
        server.route("/old", Reply::status(301).header("location", "/new"));
        server.route("/new", Reply::text("moved"));
        let request = http::Request::post(server.url("/old"))
            .header("content-type", "application/json")
            .body(Bytes::from_static(b"{\"a\":1}"))
            .unwrap();
        let response = send(&client(), request).await.unwrap();
        assert_eq!(response.body(), "moved");
        assert_eq!(
            response.extensions().get::<ResponseUri>().unwrap().0,
            server.url("/new").as_str()
        );
        let log = server.requests();
        assert_eq!(log[1].method, http::Method::GET);
        assert!(log[1].body.is_empty());
        assert_eq!(log[1].header("content-type"), None);
    }

    #[tokio::test]
    async fn redirect_307_keeps_method_and_body() {
        let server = TestServer::start().await;
        server.route("/old", Reply::status(307).header("location", "/new"));
        server.route("/new", |r: &RecordedRequest| Reply::text(r.text()));
        let request = http::Request::post(server.url("/old"))
            .body(Bytes::from_static(b"payload"))
            .unwrap();
        let response = send(&client(), request).await.unwrap();
        assert_eq!(response.body(), "payload");
        assert_eq!(server.requests()[1].method, http::Method::POST);
    }

    #[tokio::test]
    async fn too_many_redirects_is_an_error() {
        let server = TestServer::start().await;
        server.route(
            "/loop",
            Reply::status(302).header("location", "/loop?token=SECRET"),
        );
        let client = HttpClient::builder().max_redirects(3).build().unwrap();
        let err = send(&client, get(&server.url("/loop"))).await.unwrap_err();
        assert!(matches!(err, TransportError::Redirect { max: 3, .. }), "{err:?}");
        assert!(!format!("{err} {err:?}").contains("SECRET"));
        assert_eq!(server.hits("/loop"), 4, "the first request and 3 redirects");

        let off = HttpClient::builder().follow_redirects(false).build().unwrap();
        let response = send(&off, get(&server.url("/loop"))).await.unwrap();
        assert_eq!(response.status(), 302);
    }

    #[tokio::test]
    async fn authorization_is_dropped_across_origins_only() {
        let a = TestServer::start().await;
        let b = TestServer::start().await;
        a.route("/same", Reply::status(302).header("location", "/end"));
        a.route("/end", Reply::text("a"));
        a.route("/cross", Reply::status(302).header("location", &b.url("/end")));
        b.route("/end", Reply::text("b"));
        for path in ["/same", "/cross"] {
            let mut request = get(&a.url(path));
            request
                .headers_mut()
                .insert("authorization", HeaderValue::from_static("Bearer t"));
            request
                .headers_mut()
                .insert("x-api-key", HeaderValue::from_static("k"));
            send(&client(), request).await.unwrap();
        }
        let same = &a.requests_to("/end")[0];
        assert_eq!(same.header("authorization"), Some("Bearer t"));
        let cross = &b.requests_to("/end")[0];
        assert_eq!(cross.header("authorization"), None);
        assert_eq!(
            cross.header("x-api-key"),
            Some("k"),
            "custom headers are kept, as requests does"
        );
    }

    #[tokio::test]
    async fn slow_head_times_out() {
        let server = TestServer::start().await;
        server.route("/slow", Reply::text("late").delay(Duration::from_millis(300)));
        let client = HttpClient::builder()
            .request_timeout(Duration::from_millis(40))
            .build()
            .unwrap();
        let err = send(&client, get(&server.url("/slow?api_key=SECRET")))
            .await
            .unwrap_err();
        assert!(err.is_timeout(), "{err:?}");
        assert!(matches!(
            err,
            TransportError::Timeout {
                phase: TimeoutPhase::Head,
                ..
            }
        ));
        assert!(is_retryable_error(&err));
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains("SECRET"), "{shown}");
        assert!(shown.contains("api_key=***"), "{shown}");
    }

    #[tokio::test]
    async fn stalled_body_chunk_times_out_but_steady_body_does_not() {
        let server = TestServer::start().await;
        server.route(
            "/stall",
            Reply::text("abcdef").stall_after_bytes(2, Duration::from_millis(300)),
        );
        server.route(
            "/pause",
            Reply::text("abcdef").stall_after_bytes(2, Duration::from_millis(20)),
        );
        let client = HttpClient::builder()
            .request_timeout(Duration::from_millis(150))
            .build()
            .unwrap();
        let err = send(&client, get(&server.url("/stall"))).await.unwrap_err();
        assert!(
            matches!(
                err,
                TransportError::Timeout {
                    phase: TimeoutPhase::Body,
                    ..
                }
            ),
            "{err:?}"
        );
        let ok = send(&client, get(&server.url("/pause"))).await.unwrap();
        assert_eq!(ok.body(), "abcdef");
    }

    #[tokio::test]
    async fn total_deadline_bounds_the_whole_attempt() {
        let server = TestServer::start().await;
        server.route(
            "/pause",
            Reply::text("abcdef").stall_after_bytes(2, Duration::from_millis(200)),
        );
        let client = HttpClient::builder()
            .request_timeout(Duration::from_secs(5))
            .total_timeout(Duration::from_millis(50))
            .build()
            .unwrap();
        let err = send(&client, get(&server.url("/pause"))).await.unwrap_err();
        assert!(
            matches!(
                err,
                TransportError::Timeout {
                    phase: TimeoutPhase::Total,
                    ..
                }
            ),
            "{err:?}"
        );
    }

    #[tokio::test]
    async fn broken_connections_are_connection_errors() {
        let server = TestServer::start().await;
        server.route("/close", Reply::close_connection());
        server.route("/cut", Reply::text("0123456789").close_after_bytes(3));
        let err = send(&client(), get(&server.url("/close"))).await.unwrap_err();
        assert!(err.is_connect(), "{err:?}");
        assert!(is_retryable_error(&err));
        // hyper may flush the head with the first chunk, so the cut shows up before or in the body.
        let err = send(&client(), get(&server.url("/cut"))).await.unwrap_err();
        assert!(
            matches!(err, TransportError::Body { .. } | TransportError::Connect { .. }),
            "{err:?}"
        );
        assert!(err.is_connect());
        assert!(is_retryable_error(&err));
    }

    #[tokio::test]
    async fn connection_refused_is_a_connect_error() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        drop(listener);
        let err = send(&client(), get(&format!("http://{addr}/")))
            .await
            .unwrap_err();
        assert!(matches!(err, TransportError::Connect { .. }), "{err:?}");
        assert!(err.is_connect());
        assert!(is_retryable_error(&err));
    }

    #[tokio::test]
    async fn tls_handshake_failure_is_a_retryable_connect_error() {
        // The test server speaks plain HTTP, so the rustls (ring) handshake fails.
        let server = TestServer::start().await;
        let url = format!("https://{}/x", server.addr());
        let err = send(&client(), get(&url)).await.unwrap_err();
        assert!(matches!(err, TransportError::Connect { .. }), "{err:?}");
        assert!(is_retryable_error(&err));
    }

    #[tokio::test]
    async fn invalid_urls_fail_before_sending() {
        for url in ["/relative", "ftp://example.com/file"] {
            let err = send(&client(), get(url)).await.unwrap_err();
            assert!(matches!(err, TransportError::InvalidUrl { .. }), "{url}: {err:?}");
            assert!(!is_retryable_error(&err));
        }
    }

    #[tokio::test]
    async fn keep_alive_reuses_one_connection() {
        let server = TestServer::start().await;
        server.route("/a", Reply::text("a"));
        let client = client();
        for _ in 0..3 {
            send(&client, get(&server.url("/a"))).await.unwrap();
        }
        assert_eq!(server.hits("/a"), 3);
        assert_eq!(server.connections(), 1);
    }

    #[test]
    fn builds_without_a_runtime_and_debug_is_short() {
        let client = HttpClient::new().unwrap();
        let shown = format!("{client:?}");
        assert!(shown.starts_with("HttpClient"), "{shown}");
    }

    fn root_error(builder: HttpClientBuilder) -> (usize, String) {
        match builder.build() {
            Err(TransportError::InvalidRootCertificate { position, reason }) => (position, reason),
            other => panic!("expected InvalidRootCertificate, got {other:?}"),
        }
    }

    #[test]
    fn invalid_root_certificates_fail_at_build() {
        let (position, reason) =
            root_error(HttpClient::builder().add_root_certificate(b"not a certificate".to_vec()));
        assert_eq!(position, 1);
        assert!(reason.contains("DER"), "{reason}");

        let (position, reason) = root_error(
            HttpClient::builder()
                .add_root_certificates_pem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
                .add_root_certificates_pem(""),
        );
        assert_eq!(position, 1, "a PEM without certificates is refused");
        assert!(reason.contains("no `-----BEGIN CERTIFICATE-----`"), "{reason}");

        let garbage = "-----BEGIN CERTIFICATE-----\nAAAAAAAA\n-----END CERTIFICATE-----\n";
        let (_, reason) = root_error(HttpClient::builder().add_root_certificates_pem(garbage));
        assert!(reason.contains("certificate 1 of the PEM bundle"), "{reason}");

        let broken = "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n";
        let err = HttpClient::builder()
            .add_root_certificates_pem(broken)
            .build()
            .unwrap_err();
        assert!(err.to_string().starts_with("invalid root certificate"), "{err}");
        assert_eq!(err.url(), None);
        assert!(!is_retryable_error(&err));
    }
}
