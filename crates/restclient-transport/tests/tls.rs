//! The HTTPS path against a real TLS server on 127.0.0.1: a CA made at test time with rcgen,
//! tokio-rustls (ring) and hyper-util's auto server (HTTP/1.1 and HTTP/2 by ALPN).
#![allow(clippy::unwrap_used)]

use std::error::Error as StdError;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};
use restclient_transport::{HttpClient, RetryLayer, StandardRetryPolicy, TransportError, is_retryable_error};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tower::{Layer, ServiceExt};

/// Every test finishes well within this, or fails.
const LIMIT: Duration = Duration::from_secs(5);

/// A test CA and a server certificate it signed for `localhost` and `127.0.0.1`.
struct Pki {
    ca_der: CertificateDer<'static>,
    ca_pem: String,
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
}

fn pki() -> Pki {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "restclient test CA");
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
    let mut params = CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()]).unwrap();
    params.distinguished_name.push(DnType::CommonName, "localhost");
    let key = KeyPair::generate().unwrap();
    let cert = params.signed_by(&key, &ca).unwrap();
    Pki {
        ca_der: ca.der().clone(),
        ca_pem: ca.pem(),
        chain: vec![cert.der().clone()],
        key: PrivatePkcs8KeyDer::from(key.serialize_der()).into(),
    }
}

/// A local HTTPS server answering `hello` to everything, counting TCP connections and recording
/// the HTTP version of each request.
struct TlsServer {
    addr: SocketAddr,
    connections: Arc<AtomicUsize>,
    versions: Arc<Mutex<Vec<http::Version>>>,
    task: tokio::task::JoinHandle<()>,
}

impl TlsServer {
    /// `alpn`: the protocols the server offers, e.g. `[b"h2", b"http/1.1"]`.
    async fn start(pki: &Pki, alpn: &[&[u8]]) -> TlsServer {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(pki.chain.clone(), pki.key.clone_key())
            .unwrap();
        config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
        let acceptor = TlsAcceptor::from(Arc::new(config));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let connections = Arc::new(AtomicUsize::new(0));
        let versions = Arc::new(Mutex::new(Vec::new()));
        let (count, log) = (connections.clone(), versions.clone());
        let task = tokio::spawn(async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    return;
                };
                count.fetch_add(1, Ordering::SeqCst);
                let acceptor = acceptor.clone();
                let log = log.clone();
                tokio::spawn(async move {
                    // A client that refuses our certificate ends the handshake: nothing to serve.
                    let Ok(tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    let service = service_fn(move |request: http::Request<Incoming>| {
                        log.lock().unwrap().push(request.version());
                        let body = format!("hello {}", request.uri().path());
                        async move { Ok::<_, hyper::Error>(http::Response::new(Full::new(Bytes::from(body)))) }
                    });
                    let _ = auto::Builder::new(TokioExecutor::new())
                        .serve_connection(TokioIo::new(tls), service)
                        .await;
                });
            }
        });
        TlsServer {
            addr,
            connections,
            versions,
            task,
        }
    }

    fn url(&self, host: &str, path: &str) -> String {
        format!("https://{host}:{}{path}", self.addr.port())
    }

    fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    fn versions(&self) -> Vec<http::Version> {
        self.versions.lock().unwrap().clone()
    }
}

impl Drop for TlsServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

const BOTH: &[&[u8]] = &[b"h2", b"http/1.1"];
const HTTP1: &[&[u8]] = &[b"http/1.1"];

fn get(url: &str) -> http::Request<Bytes> {
    http::Request::get(url).body(Bytes::new()).unwrap()
}

fn trusting(pki: &Pki) -> HttpClient {
    HttpClient::builder()
        .request_timeout(LIMIT)
        .add_root_certificate(pki.ca_der.clone())
        .build()
        .unwrap()
}

/// Whether `rustls::Error::InvalidCertificate(UnknownIssuer)` is somewhere in the chain, also
/// inside (nested) `io::Error`s, whose `source()` skips the error they wrap.
fn unknown_issuer_in_chain(error: &(dyn StdError + 'static)) -> bool {
    let mut current = Some(error);
    while let Some(e) = current {
        if let Some(rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer)) =
            e.downcast_ref::<rustls::Error>()
        {
            return true;
        }
        let wrapped = e.downcast_ref::<std::io::Error>().and_then(|io| io.get_ref());
        if wrapped.is_some_and(|inner| unknown_issuer_in_chain(inner)) {
            return true;
        }
        current = e.source();
    }
    false
}

#[tokio::test]
async fn https_get_with_the_ca_trusted_speaks_http2() {
    tokio::time::timeout(LIMIT, async {
        let pki = pki();
        let server = TlsServer::start(&pki, BOTH).await;
        let client = trusting(&pki);
        for host in ["localhost", "127.0.0.1"] {
            let response = client
                .clone()
                .oneshot(get(&server.url(host, "/items")))
                .await
                .unwrap();
            assert_eq!(response.status(), 200);
            assert_eq!(response.body(), "hello /items");
            assert_eq!(
                response.version(),
                http::Version::HTTP_2,
                "ALPN chose h2 ({host})"
            );
        }
        assert_eq!(server.versions(), [http::Version::HTTP_2; 2]);
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn a_pem_root_works_too_and_http1_is_negotiated_when_the_server_offers_only_it() {
    tokio::time::timeout(LIMIT, async {
        let pki = pki();
        let server = TlsServer::start(&pki, HTTP1).await;
        let client = HttpClient::builder()
            .request_timeout(LIMIT)
            .add_root_certificates_pem(&pki.ca_pem)
            .build()
            .unwrap();
        let response = client
            .oneshot(get(&server.url("localhost", "/pem")))
            .await
            .unwrap();
        assert_eq!(response.body(), "hello /pem");
        assert_eq!(response.version(), http::Version::HTTP_11);
        assert_eq!(server.versions(), [http::Version::HTTP_11]);
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn connections_are_reused_over_http2_and_http1() {
    tokio::time::timeout(LIMIT, async {
        let pki = pki();
        for alpn in [BOTH, HTTP1] {
            let server = TlsServer::start(&pki, alpn).await;
            let client = trusting(&pki);
            for i in 0..5 {
                let path = format!("/page/{i}");
                let response = client
                    .clone()
                    .oneshot(get(&server.url("127.0.0.1", &path)))
                    .await
                    .unwrap();
                assert_eq!(response.body(), format!("hello {path}").as_str());
            }
            assert_eq!(server.versions().len(), 5);
            assert_eq!(
                server.connections(),
                1,
                "one TLS connection for 5 requests ({alpn:?})"
            );
        }
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn an_untrusted_certificate_is_a_retryable_connect_error() {
    tokio::time::timeout(LIMIT, async {
        let pki = pki();
        let server = TlsServer::start(&pki, BOTH).await;
        // Only the webpki roots: the test CA is unknown.
        let client = HttpClient::builder().request_timeout(LIMIT).build().unwrap();
        let url = server.url("localhost", "/secret?token=SECRET");
        let err = client.clone().oneshot(get(&url)).await.unwrap_err();
        assert!(matches!(err, TransportError::Connect { .. }), "{err:?}");
        assert!(err.is_connect());
        assert!(!err.is_timeout());
        assert!(is_retryable_error(&err));
        assert!(
            unknown_issuer_in_chain(&err),
            "the cause is the certificate: {err:?}"
        );
        assert!(!format!("{err:?}").contains("SECRET"));
        assert!(server.versions().is_empty(), "no request got through");

        // The retry layer retries it as a connection error, then gives up.
        let policy = StandardRetryPolicy::new().max_attempts(2).backoff_factor(0.001);
        let err = RetryLayer::new(policy)
            .layer(client)
            .oneshot(get(&url))
            .await
            .unwrap_err();
        let err = TransportError::from_box(err);
        assert!(
            matches!(err, TransportError::RetriesExhausted { attempts: 2, .. }),
            "{err:?}"
        );
        assert!(err.is_connect());
        assert_eq!(server.connections(), 3, "one handshake per attempt");
        assert!(server.versions().is_empty());
    })
    .await
    .unwrap();
}
