//! The client against the test server: default headers, decoding, the body limit, redirects,
//! timeouts, broken connections and keep-alive.
#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::time::Duration;

use bytes::Bytes;
use http::header::{ACCEPT, USER_AGENT};
use http::{HeaderName, HeaderValue};
use restclient_core::{Request, Response, ResponseUri};
use restclient_testkit::{RecordedRequest, Reply, TestServer};
use restclient_transport::{
    DEFAULT_USER_AGENT, HttpClient, TimeoutPhase, TransportError, is_retryable_error,
};
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
