//! Retrying against the test server: which statuses and failures are retried, how often, the
//! last response or error when attempts run out, and `Retry-After` from real responses.
#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use restclient_core::{Attempts, BoxError, Request, Response};
use restclient_testkit::{Reply, Sequence, TestServer, fail_times};
use restclient_transport::{
    HttpClient, Outcome, Retry, RetryLayer, RetryPolicy, StandardRetryPolicy, TransportError,
};
use tower::{Layer, Service, ServiceExt};

fn get(url: &str) -> Request {
    http::Request::get(url).body(Bytes::new()).unwrap()
}

/// A real client with fast retries (no waits) against the test server.
fn fast(attempts: u32) -> Retry<HttpClient> {
    let client = HttpClient::builder()
        .request_timeout(Duration::from_millis(100))
        .build()
        .unwrap();
    Retry::new(
        client,
        StandardRetryPolicy::new()
            .max_attempts(attempts)
            .backoff_factor(0.0),
    )
}

async fn send<S>(service: &S, request: Request) -> Result<Response, BoxError>
where
    S: Service<Request, Response = Response, Error = BoxError> + Clone,
{
    service.clone().oneshot(request).await
}

fn attempts(response: &Response) -> u32 {
    response.extensions().get::<Attempts>().map_or(1, |a| a.0)
}

#[tokio::test]
async fn every_retried_status_is_retried() {
    let server = TestServer::start().await;
    let retry = fast(5);
    for status in [429, 500, 501, 502, 503, 504, 599] {
        let path = format!("/s{status}");
        server.route(&path, fail_times(1, Reply::status(status), Reply::text("ok")));
        let response = send(&retry, get(&server.url(&path))).await.unwrap();
        assert_eq!(response.status(), 200, "{status}");
        assert_eq!(server.hits(&path), 2, "{status}");
        assert_eq!(attempts(&response), 2);
    }
}

#[tokio::test]
async fn other_4xx_are_not_retried() {
    let server = TestServer::start().await;
    let retry = fast(5);
    for status in [400, 401, 403, 404, 408, 409, 422] {
        let path = format!("/s{status}");
        server.route(&path, Reply::status(status).header("retry-after", "1"));
        let response = send(&retry, get(&server.url(&path))).await.unwrap();
        assert_eq!(response.status().as_u16(), status);
        assert_eq!(server.hits(&path), 1, "{status}: exactly one request");
        assert_eq!(attempts(&response), 1);
    }
}

#[tokio::test]
async fn exhausted_on_status_returns_the_last_response() {
    let server = TestServer::start().await;
    server.route("/down", Reply::status(500).body("boom"));
    let response = send(&fast(5), get(&server.url("/down"))).await.unwrap();
    assert_eq!(response.status(), 500);
    assert_eq!(response.body(), "boom");
    assert_eq!(attempts(&response), 5);
    assert_eq!(server.hits("/down"), 5);
    let err =
        restclient_core::StatusError::from_response(&http::Method::GET, &server.url("/down"), &response);
    assert!(err.to_string().ends_with("(after 5 attempts)"), "{err}");
}

#[tokio::test]
async fn zero_and_one_attempts_mean_one_request() {
    let server = TestServer::start().await;
    for n in [0, 1] {
        let path = format!("/n{n}");
        server.route(&path, fail_times(1, Reply::status(503), Reply::text("ok")));
        let response = send(&fast(n), get(&server.url(&path))).await.unwrap();
        assert_eq!(response.status(), 503);
        assert_eq!(server.hits(&path), 1);
    }
}

#[tokio::test]
async fn post_body_is_resent() {
    let server = TestServer::start().await;
    server.route("/p", fail_times(1, Reply::status(503), Reply::text("ok")));
    let request = http::Request::post(server.url("/p"))
        .body(Bytes::from_static(b"{\"a\":1}"))
        .unwrap();
    let response = send(&fast(5), request).await.unwrap();
    assert_eq!(response.status(), 200);
    let log = server.requests();
    assert_eq!(log.len(), 2);
    assert!(
        log.iter()
            .all(|r| r.method == http::Method::POST && r.text() == "{\"a\":1}")
    );
}

#[tokio::test]
async fn timeout_then_success() {
    let server = TestServer::start().await;
    server.route(
        "/t",
        fail_times(
            1,
            Reply::text("late").delay(Duration::from_millis(400)),
            Reply::text("ok"),
        ),
    );
    let response = send(&fast(5), get(&server.url("/t"))).await.unwrap();
    assert_eq!(response.body(), "ok");
    assert_eq!(server.hits("/t"), 2);
}

#[tokio::test]
async fn stalled_body_then_success() {
    let server = TestServer::start().await;
    server.route(
        "/t",
        fail_times(
            1,
            Reply::text("abcdef").stall_after_bytes(2, Duration::from_millis(400)),
            Reply::text("ok"),
        ),
    );
    let response = send(&fast(5), get(&server.url("/t"))).await.unwrap();
    assert_eq!(response.body(), "ok");
    assert_eq!(server.hits("/t"), 2);
}

#[tokio::test]
async fn connection_reset_then_success() {
    let server = TestServer::start().await;
    server.route(
        "/close",
        fail_times(2, Reply::close_connection(), Reply::text("ok")),
    );
    server.route(
        "/cut",
        fail_times(
            1,
            Reply::text("0123456789").close_after_bytes(3),
            Reply::text("ok"),
        ),
    );
    let retry = fast(5);
    assert_eq!(
        send(&retry, get(&server.url("/close"))).await.unwrap().body(),
        "ok"
    );
    assert_eq!(server.hits("/close"), 3);
    assert_eq!(send(&retry, get(&server.url("/cut"))).await.unwrap().body(), "ok");
    assert_eq!(server.hits("/cut"), 2);
}

#[tokio::test]
async fn exhausted_on_errors_reports_attempts_and_cause() {
    let server = TestServer::start().await;
    server.route("/close", Reply::close_connection());
    let err = send(&fast(3), get(&server.url("/close?token=SECRET")))
        .await
        .unwrap_err();
    assert_eq!(server.hits("/close"), 3);
    let err = TransportError::from_box(err);
    assert!(
        matches!(err, TransportError::RetriesExhausted { attempts: 3, .. }),
        "{err:?}"
    );
    assert!(err.is_connect());
    assert_eq!(err.attempts(), Some(3));
    assert!(!format!("{err:?}").contains("SECRET"));
    assert!(err.url().unwrap().contains("token=***"));
}

/// Wraps the standard policy, records each computed delay and waits none of it.
#[derive(Debug)]
struct Recording(StandardRetryPolicy, Arc<Mutex<Vec<Duration>>>);

impl RetryPolicy for Recording {
    fn max_attempts(&self) -> u32 {
        RetryPolicy::max_attempts(&self.0)
    }
    fn should_retry(&self, outcome: &Outcome<'_>) -> bool {
        self.0.should_retry(outcome)
    }
    fn delay(&self, attempt: u32, outcome: &Outcome<'_>) -> Duration {
        self.1.lock().unwrap().push(self.0.delay(attempt, outcome));
        Duration::ZERO
    }
}

#[tokio::test]
async fn retry_after_from_a_real_server() {
    let server = TestServer::start().await;
    let date = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(120));
    server.route(
        "/ra",
        Sequence::new([
            Reply::status(429).header("retry-after", "7"),
            Reply::status(503).header("retry-after", "0.5"),
            Reply::status(503).header("retry-after", &date),
            Reply::status(500).header("retry-after", "0"),
            Reply::text("ok"),
        ]),
    );
    let delays = Arc::new(Mutex::new(Vec::new()));
    let policy = Recording(
        StandardRetryPolicy::new().max_retry_delay(Duration::from_secs(60)),
        delays.clone(),
    );
    let client = HttpClient::builder().build().unwrap();
    let response = RetryLayer::new(policy)
        .layer(client)
        .oneshot(get(&server.url("/ra")))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let delays = delays.lock().unwrap().clone();
    assert_eq!(delays[0], Duration::from_secs(7));
    assert_eq!(delays[1], Duration::from_millis(500));
    assert_eq!(
        delays[2],
        Duration::from_secs(60),
        "a date 2 min ahead, capped at 60 s"
    );
    assert_eq!(
        delays[3],
        Duration::from_secs(8),
        "0 falls back to the 4th backoff"
    );
}
