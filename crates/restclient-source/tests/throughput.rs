//! The bench shape on a 20 ms server, for a rough local measurement:
//! `cargo test -p restclient-source --release --test throughput -- --ignored --nocapture`.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

mod common;

use std::time::{Duration, Instant};

use common::{source, temp_dir};
use restclient_source::RunOptions;
use restclient_testkit::{RecordedRequest, Reply, TestServer};
use serde_json::{Value, json};

const DELAY: Duration = Duration::from_millis(20);

fn page(r: &RecordedRequest) -> usize {
    r.query_param("page").and_then(|p| p.parse().ok()).unwrap_or(1)
}

/// A parent of 20 pages × 50 records whose 1000 children have 2 pages each, and two independent
/// resources of 10 pages: 2040 requests, each answered after 20 ms.
fn serve(server: &TestServer) {
    server.route("/parents", |r: &RecordedRequest| {
        let p = page(r);
        let data: Vec<Value> = (0..50)
            .map(|i| json!({"id": (p - 1) * 50 + i, "name": "x"}))
            .collect();
        Reply::json(&json!({"data": data, "total_pages": 20})).delay(DELAY)
    });
    for id in 0..1000 {
        server.route(&format!("/parents/{id}/children"), move |r: &RecordedRequest| {
            let p = page(r);
            Reply::json(
                &json!({"data": [{"child": id, "page": p}, {"child": id, "page": p}], "total_pages": 2}),
            )
            .delay(DELAY)
        });
    }
    for name in ["a", "b"] {
        server.route(&format!("/{name}"), |r: &RecordedRequest| {
            Reply::json(&json!({"data": [{"p": page(r)}], "total_pages": 10})).delay(DELAY)
        });
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement, not a test: about 10 s"]
async fn bench_shape() {
    let server = TestServer::start().await;
    serve(&server);
    let config = json!({
        "client": {"base_url": server.base_url(), "paginator": {"type": "page_number", "base_page": 1, "total_path": "total_pages"}},
        "resource_defaults": {"endpoint": {"data_selector": "data"}},
        "resources": [
            "parents",
            {"name": "children", "endpoint": {"path": "parents/{id}/children", "paginator": {"type": "page_number", "base_page": 1, "total_path": "total_pages"},
                                              "params": {"id": {"type": "resolve", "resource": "parents", "field": "id"}}}},
            "a", "b"
        ]
    });
    let src = source(config);
    for (concurrency, with_state) in [(8, false), (16, false), (16, true)] {
        server.clear_requests();
        let dir = temp_dir("bench");
        let started = Instant::now();
        let summary = src
            .run(&RunOptions {
                concurrency,
                // --state: every page's output fsynced and the state replaced
                state_file: with_state.then(|| dir.join("state.json")),
                ..RunOptions::new(&dir)
            })
            .await
            .unwrap();
        let elapsed = started.elapsed();
        assert!(summary.is_success());
        let requests = server.requests().len();
        assert_eq!(requests, 2040);
        let sequential = DELAY * requests as u32;
        println!(
            "concurrency {concurrency}{}: {requests} requests in {elapsed:.2?} ({:.0} req/s); one at a time would take at least {sequential:.1?} ({:.1}x)",
            if with_state { " with --state" } else { "" },
            requests as f64 / elapsed.as_secs_f64(),
            sequential.as_secs_f64() / elapsed.as_secs_f64()
        );
    }
}
