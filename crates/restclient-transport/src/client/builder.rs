//! [`HttpClientBuilder`]: the client's knobs, its TLS roots, and the assembly of the inner stack
//! (default headers → redirects → decompression → exchange).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use http::header::{ACCEPT, USER_AGENT};
use http::{HeaderMap, HeaderName, HeaderValue};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use tower_http::decompression::Decompression;
use tower_http::follow_redirect::FollowRedirect;
use tower_http::follow_redirect::policy::FilterCredentials;
use tower_http::set_header::request::SetMultipleRequestHeader;

use super::{
    Config, DEFAULT_MAX_BODY_SIZE, DEFAULT_MAX_REDIRECTS, DEFAULT_USER_AGENT, Exchange, HttpClient,
    HyperClient, RedirectPolicy,
};
use crate::error::TransportError;
use crate::settings::RuntimeSettings;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::is_retryable_error;

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
