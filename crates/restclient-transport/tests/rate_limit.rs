//! The rate-limit layer: its rate on a paused clock, shared pauses from 429s and rate-limit
//! headers, the adaptive in-flight limit, and a shared pause over real HTTP.
#![allow(clippy::unwrap_used)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use restclient_core::{BoxError, Request, Response};
use restclient_testkit::{RateLimited, Reply, Sequence, TestServer};
use restclient_transport::{HttpClient, RateLimit, RateLimitLayer, RetryLayer, StandardRetryPolicy};
use tokio::time::Instant;
use tower::{Layer, ServiceExt};

type Mock = tower::util::BoxCloneService<Request, Response, BoxError>;

/// What the mock API saw: when each call came, and how many were in flight at most.
#[derive(Default)]
struct Log {
    calls: Mutex<Vec<Instant>>,
    in_flight: AtomicUsize,
    most_in_flight: AtomicUsize,
}

impl Log {
    fn calls(&self) -> Vec<Instant> {
        self.calls.lock().unwrap().clone()
    }
}

/// A mock API: call `n` (from 0) is answered by `reply(n)` after `latency`.
fn mock(latency: Duration, reply: impl Fn(usize) -> Response + Send + Sync + 'static) -> (Mock, Arc<Log>) {
    let log = Arc::new(Log::default());
    let seen = log.clone();
    let reply = Arc::new(reply);
    let service = tower::service_fn(move |_r: Request| {
        let log = seen.clone();
        let reply = reply.clone();
        async move {
            let n = {
                let mut calls = log.calls.lock().unwrap();
                calls.push(Instant::now());
                calls.len() - 1
            };
            let now = log.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
            log.most_in_flight.fetch_max(now, Ordering::SeqCst);
            tokio::time::sleep(latency).await;
            log.in_flight.fetch_sub(1, Ordering::SeqCst);
            Ok::<_, BoxError>(reply(n))
        }
    });
    (tower::util::BoxCloneService::new(service), log)
}

fn status(code: u16) -> Response {
    http::Response::builder().status(code).body(Bytes::new()).unwrap()
}

fn with_headers(code: u16, headers: &[(&str, &str)]) -> Response {
    let mut builder = http::Response::builder().status(code);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder.body(Bytes::new()).unwrap()
}

fn get(url: &str) -> Request {
    http::Request::get(url).body(Bytes::new()).unwrap()
}

/// Sends `count` requests at once through clones of `service`, each from its own task; the
/// statuses in the order the responses came.
async fn send_all(service: &RateLimit<Mock>, count: usize) -> Vec<u16> {
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..count {
        // The `Oneshot` future itself is spawned: an `async` block around it trips rustc's
        // "higher-ranked lifetime error" when proving it `Send`.
        tasks.spawn(service.clone().oneshot(get(&format!("http://api/{i}"))));
    }
    let mut statuses = Vec::new();
    while let Some(done) = tasks.join_next().await {
        statuses.push(done.unwrap().unwrap().status().as_u16());
    }
    statuses
}

#[tokio::test(start_paused = true)]
async fn holds_its_rate_across_clones_on_a_paused_clock() {
    let (api, log) = mock(Duration::ZERO, |_| status(200));
    let layer = RateLimitLayer::builder().max_rps(10.0).build().unwrap();
    let service = layer.layer(api);
    let start = Instant::now();
    let statuses = send_all(&service, 50).await;
    assert!(statuses.iter().all(|s| *s == 200));
    let calls = log.calls();
    assert_eq!(calls.len(), 50);
    // The first goes at once, the other 49 a tenth of a second apart: 4.9 s of virtual time.
    let elapsed = start.elapsed();
    assert!(
        elapsed >= Duration::from_millis(4900) && elapsed < Duration::from_millis(5000),
        "{elapsed:?}"
    );
    for pair in calls.windows(2) {
        let gap = pair[1] - pair[0];
        assert!(gap >= Duration::from_millis(99), "{gap:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn a_burst_goes_at_once_then_the_rate_holds() {
    let (api, log) = mock(Duration::ZERO, |_| status(200));
    let layer = RateLimitLayer::builder().max_rps(4.0).burst(4).build().unwrap();
    let start = Instant::now();
    send_all(&layer.layer(api), 8).await;
    let calls = log.calls();
    assert!(
        calls[..4].iter().all(|t| *t == start),
        "a full bucket lets 4 go at once"
    );
    assert_eq!(calls[7] - start, Duration::from_secs(1), "then one every 250 ms");
}

#[tokio::test(start_paused = true)]
async fn retries_count_against_the_rate() {
    // Every even call fails with 503: each request takes two attempts.
    let (api, log) = mock(Duration::ZERO, |n| status(if n % 2 == 0 { 503 } else { 200 }));
    let limits = RateLimitLayer::builder().max_rps(10.0).build().unwrap();
    let retry = RetryLayer::new(StandardRetryPolicy::new().backoff_factor(0.0));
    let service = retry.layer(limits.layer(api));
    let start = Instant::now();
    for i in 0..10 {
        let response = service
            .clone()
            .oneshot(get(&format!("http://api/{i}")))
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
    }
    assert_eq!(log.calls().len(), 20);
    assert_eq!(
        start.elapsed(),
        Duration::from_millis(1900),
        "20 attempts at 10 per second"
    );
}

#[tokio::test(start_paused = true)]
async fn a_429_with_retry_after_on_one_clone_pauses_the_others() {
    let (api, log) = mock(Duration::ZERO, |n| {
        if n == 0 {
            with_headers(429, &[("retry-after", "3")])
        } else {
            status(200)
        }
    });
    let layer = RateLimitLayer::builder().max_in_flight(4).build().unwrap();
    let first = layer.layer(api.clone());
    let second = layer.layer(api);
    let start = Instant::now();
    let response = first.oneshot(get("http://api/a")).await.unwrap();
    assert_eq!(response.status(), 429);
    assert_eq!(layer.snapshot().paused_for, Some(Duration::from_secs(3)));
    // A request on another service of the same layer, from another task.
    let other = tokio::spawn(second.oneshot(get("http://api/b")));
    assert_eq!(other.await.unwrap().unwrap().status(), 200);
    let calls = log.calls();
    assert_eq!(
        calls[1] - start,
        Duration::from_secs(3),
        "the second waited out the pause"
    );
    let snapshot = layer.snapshot();
    assert_eq!((snapshot.throttled, snapshot.pauses), (1, 1));
}

#[tokio::test(start_paused = true)]
async fn rate_limit_headers_pause_every_request() {
    type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], u64);
    let cases: [Case<'_>; 4] = [
        (
            "X-RateLimit delta",
            &[("x-ratelimit-remaining", "0"), ("x-ratelimit-reset", "4")],
            4,
        ),
        ("IETF RateLimit", &[("ratelimit", "\"default\";r=0;t=5")], 5),
        (
            "IETF RateLimit with policy window",
            &[
                ("ratelimit", "\"default\";r=0"),
                ("ratelimit-policy", "\"default\";q=100;w=6"),
            ],
            6,
        ),
        (
            "older RateLimit-Remaining",
            &[("ratelimit-remaining", "0"), ("ratelimit-reset", "2")],
            2,
        ),
    ];
    for (name, headers, seconds) in cases {
        let headers: Vec<(String, String)> = headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
        let (api, log) = mock(Duration::ZERO, move |n| {
            let pairs: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
            // The quota is spent on a 200: the pause comes before any request fails.
            if n == 0 {
                with_headers(200, &pairs)
            } else {
                status(200)
            }
        });
        let service = RateLimitLayer::default().layer(api);
        let start = Instant::now();
        send_all(&service, 1).await;
        send_all(&service, 3).await;
        let calls = log.calls();
        assert_eq!(calls.len(), 4, "{name}");
        for later in &calls[1..] {
            assert_eq!(*later - start, Duration::from_secs(seconds), "{name}");
        }
    }
}

#[tokio::test(start_paused = true)]
async fn epoch_resets_and_absurd_pauses_are_capped() {
    let far = std::time::SystemTime::now()
        .duration_since(std::time::SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 86_400;
    let (api, log) = mock(Duration::ZERO, move |n| match n {
        0 => with_headers(
            200,
            &[
                ("x-ratelimit-remaining", "0"),
                ("x-ratelimit-reset", &far.to_string()),
            ],
        ),
        1 => with_headers(429, &[("retry-after", "99999999")]),
        _ => status(200),
    });
    let layer = RateLimitLayer::builder()
        .max_pause(Duration::from_secs(2))
        .build()
        .unwrap();
    let service = layer.layer(api);
    let start = Instant::now();
    send_all(&service, 1).await;
    send_all(&service, 1).await;
    send_all(&service, 1).await;
    let calls = log.calls();
    assert_eq!(
        calls[1] - start,
        Duration::from_secs(2),
        "a reset a day ahead, cut to 2 s"
    );
    assert_eq!(
        calls[2] - calls[1],
        Duration::from_secs(2),
        "Retry-After cut to 2 s"
    );
}

#[tokio::test(start_paused = true)]
async fn headers_can_be_ignored() {
    let (api, log) = mock(Duration::ZERO, |n| {
        if n == 0 {
            with_headers(429, &[("retry-after", "30")])
        } else {
            status(200)
        }
    });
    let service = RateLimitLayer::builder()
        .respect_headers(false)
        .build()
        .unwrap()
        .layer(api);
    let start = Instant::now();
    send_all(&service, 2).await;
    assert!(log.calls().iter().all(|t| *t == start));
}

#[tokio::test(start_paused = true)]
async fn adaptive_limit_halves_on_429_and_grows_back() {
    // Calls 0..8 are answered with 429 (after 1 s), every later one with 200.
    let (api, log) = mock(Duration::from_secs(1), |n| status(if n < 8 { 429 } else { 200 }));
    let layer = RateLimitLayer::builder().max_in_flight(8).build().unwrap();
    let service = layer.layer(api);
    let statuses = send_all(&service, 8).await;
    assert!(statuses.iter().all(|s| *s == 429));
    assert_eq!(log.most_in_flight.load(Ordering::SeqCst), 8);
    assert_eq!(
        layer.snapshot().in_flight_limit,
        Some(4),
        "eight 429s from one window halve once"
    );

    // Now at most 4 go at once: 22 requests, 1 s each. The first 4 start together, and as they
    // succeed the limit grows back by one per window of successes: 4 + 5 + 6 + 7 = 22 bring it
    // back to 8.
    let start = Instant::now();
    send_all(&service, 22).await;
    let calls = log.calls();
    let first_wave = calls[8..].iter().filter(|t| **t == start).count();
    assert_eq!(first_wave, 4, "the halved limit holds");
    assert_eq!(
        layer.snapshot().in_flight_limit,
        Some(8),
        "grown back to the maximum"
    );
    assert_eq!(layer.snapshot().throttled, 8);

    // Another 429 halves again, from 8.
    let (api, _) = mock(Duration::ZERO, |_| status(429));
    send_all(&layer.layer(api), 1).await;
    assert_eq!(layer.snapshot().in_flight_limit, Some(4));
}

#[tokio::test]
async fn a_shared_pause_over_real_http() {
    let server = TestServer::start().await;
    server.route(
        "/items",
        Sequence::new([Reply::status(429).header("retry-after", "0.3"), Reply::text("ok")]),
    );
    let client = HttpClient::builder().build().unwrap();
    let layer = RateLimitLayer::builder().max_in_flight(2).build().unwrap();
    let (first, second) = (layer.layer(client.clone()), layer.layer(client));
    let start = std::time::Instant::now();
    let response = first.oneshot(get(&server.url("/items"))).await.unwrap();
    assert_eq!(response.status(), 429);
    let url = server.url("/items");
    let response = tokio::spawn(second.oneshot(get(&url))).await.unwrap().unwrap();
    assert_eq!(response.status(), 200);
    let waited = start.elapsed();
    assert!(
        waited >= Duration::from_millis(300) && waited < Duration::from_secs(5),
        "{waited:?}"
    );
    assert_eq!(server.hits("/items"), 2);
    assert_eq!(layer.snapshot().throttled, 1);
}

/// Sends `count` requests at once through clones of the real stack; their statuses.
async fn send_all_http<S>(stack: &S, url: &str, count: usize) -> Vec<u16>
where
    S: tower::Service<Request, Response = Response, Error = BoxError> + Clone + Send + 'static,
    S::Future: Send,
{
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..count {
        tasks.spawn(stack.clone().oneshot(get(&format!("{url}?page={i}"))));
    }
    let mut statuses = Vec::new();
    while let Some(done) = tasks.join_next().await {
        statuses.push(done.unwrap().unwrap().status().as_u16());
    }
    statuses
}

#[tokio::test]
async fn just_under_the_servers_rate_no_request_is_refused() {
    let server = TestServer::start().await;
    let limited = RateLimited::new(Reply::text("ok"), 50.0, 2);
    let stats = limited.stats();
    server.route("/items", limited);
    let limits = RateLimitLayer::builder()
        .max_rps(40.0)
        .max_in_flight(8)
        .build()
        .unwrap();
    let client = HttpClient::builder().build().unwrap();
    let stack = RetryLayer::default().layer(limits.layer(client));
    let start = std::time::Instant::now();
    let statuses = send_all_http(&stack, &server.url("/items"), 20).await;
    let elapsed = start.elapsed();
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    assert_eq!((stats.passed(), stats.throttled()), (20, 0));
    // 19 gaps of 25 ms; the upper bound only guards against a hang on a busy machine.
    assert!(
        elapsed >= Duration::from_millis(470) && elapsed < Duration::from_secs(10),
        "{elapsed:?}"
    );
}

#[tokio::test]
async fn over_the_servers_rate_every_request_still_arrives_once() {
    let server = TestServer::start().await;
    let limited = RateLimited::new(Reply::text("ok"), 50.0, 1).fractional_retry_after(true);
    let stats = limited.stats();
    server.route("/items", limited);
    let limits = RateLimitLayer::builder().max_in_flight(8).build().unwrap();
    let client = HttpClient::builder().build().unwrap();
    let retry = RetryLayer::new(StandardRetryPolicy::new().max_attempts(20).backoff_factor(0.01));
    let stack = retry.layer(limits.layer(client));
    let statuses = send_all_http(&stack, &server.url("/items"), 20).await;
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    assert_eq!(stats.passed(), 20, "every request answered exactly once");
    assert!(stats.throttled() > 0, "8 at once against a burst of 1");
    assert_eq!(limits.snapshot().throttled as usize, stats.throttled());
    assert_eq!(server.hits("/items"), stats.passed() + stats.throttled());
}

/// The real stack's futures can be moved into spawned tasks, `async` blocks included (checked at
/// compile time; the test mocks above answer with `BoxError`, which rustc cannot prove `Send`
/// inside an `async` block, as with `Retry`).
#[test]
fn the_real_stack_can_be_spawned() {
    fn assert_send<T: Send + 'static>(_: T) {}
    let client = HttpClient::builder().build().unwrap();
    let limits = RateLimitLayer::builder().max_rps(1.0).build().unwrap();
    let stack = RetryLayer::default().layer(limits.layer(client));
    assert_send(async move { stack.oneshot(get("http://api/")).await });
}
