//! Fetching ahead (`concurrency` N): the same pages as N = 1, in order, under faults; no request
//! past a known end; at most N - 1 past an unknown one; a permanent failure at its position;
//! requests really in flight together (issue 12 §1).
#![allow(clippy::unwrap_used)] // test helpers and responders outside #[test] functions

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::*;
use restclient_paginate::*;
use restclient_testkit::{OffsetApi, RecordedRequest, Reply, Responder, SeededFaults, TestServer};
use serde_json::{Value, json};

const ITEMS: i64 = 95;
const SIZE: i64 = 10;

#[derive(Debug, Clone, Copy)]
enum Style {
    OffsetTotal,
    OffsetEmptyStop,
    OffsetMaximum,
    PageNumberTotal,
    Cursor,
    JsonLink,
}

const STYLES: [Style; 6] = [
    Style::OffsetTotal,
    Style::OffsetEmptyStop,
    Style::OffsetMaximum,
    Style::PageNumberTotal,
    Style::Cursor,
    Style::JsonLink,
];

/// One API answering every style by the path's name.
fn api(r: &RecordedRequest) -> Reply {
    let int = |name: &str| r.query_param(name).map(|v| v.parse::<i64>().unwrap());
    let page = |start: i64| {
        let end = (start + SIZE).min(ITEMS).max(start);
        (items(start, end), end)
    };
    let body = match r.path() {
        "/offset_total" => return OffsetApi::new(ITEMS).with_total().respond(r),
        "/offset_empty_stop" | "/offset_maximum" => return OffsetApi::new(ITEMS).respond(r),
        "/page_number" => {
            let (data, _) = page((int("page").unwrap() - 1) * SIZE);
            json!({"data": data, "total": (ITEMS + SIZE - 1) / SIZE})
        }
        "/cursor" => {
            let (data, end) = page(int("cursor").unwrap_or(0));
            let next = if end < ITEMS {
                json!(end.to_string())
            } else {
                Value::Null
            };
            json!({"data": data, "cursors": {"next": next}})
        }
        _ => {
            let (data, end) = page(int("pos").unwrap_or(0));
            let next = if end < ITEMS {
                json!(format!("/json_link?pos={end}"))
            } else {
                Value::Null
            };
            json!({"data": data, "next": next})
        }
    };
    Reply::json(&body)
}

fn setup(style: Style) -> (&'static str, Box<dyn Paginator>) {
    match style {
        Style::OffsetTotal => ("/offset_total", Box::new(OffsetPaginator::with_limit(SIZE))),
        Style::OffsetEmptyStop => (
            "/offset_empty_stop",
            Box::new(
                OffsetConfig {
                    total_path: None,
                    ..OffsetConfig::new(SIZE)
                }
                .build()
                .unwrap(),
            ),
        ),
        Style::OffsetMaximum => (
            "/offset_maximum",
            Box::new(
                OffsetConfig {
                    total_path: None,
                    maximum_offset: Some(70),
                    ..OffsetConfig::new(SIZE)
                }
                .build()
                .unwrap(),
            ),
        ),
        Style::PageNumberTotal => (
            "/page_number",
            Box::new(
                PageNumberConfig {
                    base_page: 1,
                    ..Default::default()
                }
                .build()
                .unwrap(),
            ),
        ),
        Style::Cursor => ("/cursor", Box::new(CursorConfig::default().build().unwrap())),
        Style::JsonLink => ("/json_link", Box::new(JsonLinkPaginator::default())),
    }
}

fn options(paginator: Box<dyn Paginator>, concurrency: usize) -> PaginateOptions {
    PaginateOptions {
        paginator: Some(paginator),
        data_selector: Some(sel("data")),
        concurrency,
        ..Default::default()
    }
}

/// What must not depend on N: each page's records, request, index and paginator state.
fn summary(pages: &[Page]) -> Vec<(usize, String, Vec<Value>, PaginatorState, bool)> {
    pages
        .iter()
        .map(|p| {
            (
                p.index,
                p.request.uri().path_and_query().unwrap().to_string(),
                p.records.iter().map(|r| r.to_value().unwrap()).collect(),
                p.paginator_state.clone(),
                p.has_next_page,
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_pages_at_every_concurrency_under_seeded_faults() {
    for seed in 0..3u64 {
        for style in STYLES {
            let mut baseline = None;
            for n in [1, 2, 4, 8] {
                // a fresh server per run, so every run meets the same faults
                let server = TestServer::start().await;
                let (path, paginator) = setup(style);
                server.route(path, SeededFaults::new(api, seed, 2));
                let (pages, err) =
                    collect_via(retrying_client(), get(&server.url(path)), options(paginator, n)).await;
                assert!(err.is_none(), "{style:?} seed {seed} N={n}: {err:?}");
                assert!(server.hits(path) > pages.len(), "faults were met and retried");
                let got = summary(&pages);
                let ids: Vec<Value> = got
                    .iter()
                    .flat_map(|p| p.2.iter().map(|r| r["id"].clone()))
                    .collect();
                let last = if matches!(style, Style::OffsetMaximum) {
                    70
                } else {
                    ITEMS
                };
                assert_eq!(
                    ids,
                    (0..last).map(|i| json!(i)).collect::<Vec<_>>(),
                    "{style:?} N={n}"
                );
                match &baseline {
                    None => baseline = Some(got),
                    Some(want) => assert_eq!(&got, want, "{style:?} seed {seed} N={n}"),
                }
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_request_past_a_known_end() {
    for style in [Style::OffsetTotal, Style::PageNumberTotal, Style::OffsetMaximum] {
        for n in [2, 8, 32] {
            let server = TestServer::start().await;
            let (path, paginator) = setup(style);
            server.route(path, api);
            let (pages, err) = collect_via(client(), get(&server.url(path)), options(paginator, n)).await;
            assert!(err.is_none(), "{err:?}");
            assert_eq!(
                server.hits(path),
                pages.len(),
                "{style:?} N={n}: one request per page"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_most_n_minus_1_requests_past_an_unknown_end() {
    // 95 items, no total: pages at offsets 0..=90 and the empty page at 100 end the run
    for n in [1, 2, 4, 8] {
        let server = TestServer::start().await;
        let (path, paginator) = setup(Style::OffsetEmptyStop);
        server.route(path, api);
        let (pages, err) = collect_via(client(), get(&server.url(path)), options(paginator, n)).await;
        assert!(err.is_none(), "{err:?}");
        assert_eq!(pages.len(), 11);
        let past_end = server.hits(path) - pages.len();
        assert!(past_end < n, "N={n}: {past_end} requests past the end");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_permanent_failure_ends_the_run_at_its_position() {
    for style in [Style::OffsetTotal, Style::OffsetEmptyStop, Style::Cursor] {
        for n in [1, 2, 4, 8] {
            let server = TestServer::start().await;
            let (path, paginator) = setup(style);
            // the fourth page (records 30..40) always fails
            server.route(path, |r: &RecordedRequest| {
                let at = ["offset", "cursor"].iter().find_map(|k| r.query_param(k));
                if at.as_deref() == Some("30") {
                    Reply::status(500)
                } else {
                    api(r)
                }
            });
            let (pages, err) =
                collect_via(retrying_client(), get(&server.url(path)), options(paginator, n)).await;
            assert_eq!(
                pages.len(),
                3,
                "{style:?} N={n}: the pages before the failure, no page after"
            );
            assert_eq!(pages.iter().map(|p| p.index).collect::<Vec<_>>(), [0, 1, 2]);
            let err = err.unwrap();
            assert!(
                matches!(&err, PaginateError::Status(e) if e.status() == 500),
                "{err}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_really_overlap() {
    // 160 items with a total, 16 pages, every response 50 ms late
    let arrivals = Arc::new(Mutex::new(Vec::<Instant>::new()));
    let max_overlap = |n: usize| {
        let arrivals = arrivals.clone();
        async move {
            arrivals.lock().unwrap().clear();
            let server = TestServer::start().await;
            let seen = arrivals.clone();
            let api = OffsetApi::new(160).with_total();
            server.route("/slow", move |r: &RecordedRequest| {
                seen.lock().unwrap().push(Instant::now());
                api.respond(r).delay(Duration::from_millis(50))
            });
            let options = options(Box::new(OffsetPaginator::with_limit(10)), n);
            let (pages, err) = collect_via(client(), get(&server.url("/slow")), options).await;
            assert!(err.is_none() && pages.len() == 16, "{err:?}");
            let times = arrivals.lock().unwrap().clone();
            // the most requests that reached the server within 40 ms of each other: all in flight together
            times
                .iter()
                .map(|t| {
                    times
                        .iter()
                        .filter(|u| **u >= *t && **u - *t < Duration::from_millis(40))
                        .count()
                })
                .max()
                .unwrap()
        }
    };
    assert_eq!(max_overlap(1).await, 1, "one at a time");
    let overlap = max_overlap(8).await;
    assert!(
        (6..=8).contains(&overlap),
        "N=8 kept {overlap} requests in flight"
    );
}

#[tokio::test]
async fn zero_concurrency_is_a_config_error_before_any_request() {
    let server = TestServer::start().await;
    server.route("/x", OffsetApi::new(5).with_total());
    let (pages, err) = collect(
        get(&server.url("/x")),
        options(Box::new(OffsetPaginator::with_limit(10)), 0),
    )
    .await;
    assert!(pages.is_empty());
    let err = err.unwrap();
    assert!(
        matches!(err, PaginateError::Config(_)) && err.to_string().contains("concurrency"),
        "{err}"
    );
    assert_eq!(server.hits("/x"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_the_stream_aborts_the_requests_in_flight() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let server = TestServer::start().await;
    let api = OffsetApi::new(200).with_total();
    server.route("/slow", move |r: &RecordedRequest| {
        api.respond(r).delay(Duration::from_millis(150))
    });
    let (started, finished) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let (s, f) = (started.clone(), finished.clone());
    let inner = client();
    let counting = tower::service_fn(move |request: restclient_core::Request| {
        let (s, f, inner) = (s.clone(), f.clone(), inner.clone());
        async move {
            s.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let response = tower::ServiceExt::oneshot(inner, request).await;
            f.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            response
        }
    });
    let mut stream = counting.paginate(
        get(&server.url("/slow")),
        options(Box::new(OffsetPaginator::with_limit(10)), 8),
    );
    let first = futures_util::StreamExt::next(&mut stream).await.unwrap().unwrap();
    assert_eq!(first.index, 0);
    // 8 requests went out as the page was handed over; let them start (bounded wait)
    for _ in 0..100 {
        if started.load(Ordering::SeqCst) == 9 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    drop(stream);
    // past the server's delay: any request not aborted would have finished by now
    tokio::time::sleep(Duration::from_millis(900)).await;
    assert_eq!(
        started.load(Ordering::SeqCst),
        9,
        "the first request, then 8 in flight"
    );
    assert_eq!(finished.load(Ordering::SeqCst), 1, "the 8 in flight were aborted");
}

/// Wall time of 40 pages from a server that answers in 20 ms, at several N. Run with
/// `cargo test -p restclient-paginate --test prefetch -- --ignored --nocapture`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement, not a check"]
async fn measure_fetch_ahead() {
    let server = TestServer::start().await;
    let api = OffsetApi::new(5000).with_total();
    server.route("/m", move |r: &RecordedRequest| {
        api.respond(r).delay(Duration::from_millis(20))
    });
    for n in [1, 2, 4, 8, 16] {
        let start = Instant::now();
        let (pages, err) = collect_via(
            client(),
            get(&server.url("/m")),
            PaginateOptions {
                max_pages: Some(40),
                ..options(Box::new(OffsetPaginator::with_limit(100)), n)
            },
        )
        .await;
        assert!(err.is_none() && pages.len() == 40);
        let elapsed = start.elapsed();
        println!(
            "N={n:>2}: 40 pages (4000 records) in {:>5} ms, {:>6.0} records/s",
            elapsed.as_millis(),
            4000.0 / elapsed.as_secs_f64()
        );
    }
}
