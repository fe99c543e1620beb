//! The facade end to end: a real client against a testkit server on 127.0.0.1.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

use std::time::Duration;

use futures_util::StreamExt;
use restclient::prelude::*;
use restclient_testkit::{RecordedRequest, Reply, TestServer, fail_times};
use serde_json::{Value, json};

fn offset_api(total: usize) -> impl Fn(&RecordedRequest) -> Reply + Send + Sync + 'static {
    move |r| {
        let param = |name: &str, default: usize| {
            r.query_param(name)
                .and_then(|v| v.parse().ok())
                .unwrap_or(default)
        };
        let (offset, limit) = (param("offset", 0), param("limit", 10));
        let items: Vec<Value> = (offset..(offset + limit).min(total))
            .map(|i| json!({"id": i}))
            .collect();
        Reply::json(&json!({"data": items, "total": total}))
    }
}

fn offset_paginator(limit: usize) -> PaginatorConfig {
    serde_json::from_value(json!({"type": "offset", "limit": limit, "total_path": "total"})).unwrap()
}

async fn collect_ids(client: &RestClient, path: &str) -> Vec<i64> {
    let mut ids = Vec::new();
    let mut pages = std::pin::pin!(client.paginate(path).pages());
    while let Some(page) = pages.next().await {
        for record in page.unwrap().records() {
            let value: Value = serde_json::from_slice(record.as_bytes()).unwrap();
            ids.push(value["id"].as_i64().unwrap());
        }
    }
    ids
}

#[tokio::test]
async fn clones_paginate_concurrently_without_sharing_state() {
    let server = TestServer::start().await;
    server.route("/a", offset_api(25));
    server.route("/b", offset_api(7));
    let client = RestClient::builder()
        .base_url(server.base_url().as_str())
        .paginator_config(offset_paginator(4))
        .build()
        .unwrap();
    let other = client.clone();
    let (a, b) = tokio::join!(collect_ids(&client, "/a"), collect_ids(&other, "/b"));
    assert_eq!(a, (0..25).collect::<Vec<_>>());
    assert_eq!(b, (0..7).collect::<Vec<_>>());
}

#[tokio::test]
async fn retries_then_succeeds() {
    let server = TestServer::start().await;
    server.route(
        "/flaky",
        fail_times(2, Reply::status(502), Reply::json(&json!([{"id": 1}]))),
    );
    let client = RestClient::builder()
        .backoff_factor(0.01)
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    assert_eq!(collect_ids(&client, &server.url("/flaky")).await, [1]);
    assert_eq!(server.hits("/flaky"), 3);
}

#[tokio::test]
async fn paginate_errors_name_status_and_redacted_url() {
    let server = TestServer::start().await;
    let client = RestClient::builder().build().unwrap();
    let mut pages = std::pin::pin!(
        client
            .paginate(&server.url("/missing"))
            .param("api_key", "k-SECRET")
            .pages()
    );
    let error = pages.next().await.unwrap().unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(404));
    let message = error.to_string();
    assert!(message.contains("404"), "{message}");
    assert!(message.contains("/missing?api_key=***"), "{message}");
    assert!(!message.contains("k-SECRET"), "{message}");
    assert!(!format!("{error:?}").contains("k-SECRET"));
}

#[tokio::test]
async fn get_returns_error_responses_like_dlt() {
    let server = TestServer::start().await;
    server.route("/gone", Reply::status(410).body("gone"));
    let client = RestClient::builder().build().unwrap();
    let response = client.get(&server.url("/gone")).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 410);
    assert_eq!(&response.body()[..], b"gone");
}

#[tokio::test]
async fn auth_and_headers_reach_the_server() {
    let server = TestServer::start().await;
    server.route("/me", Reply::json(&json!({"data": [{"id": 1}]})));
    let auth: AuthConfig = serde_json::from_value(json!({"type": "bearer", "token": "t-1"})).unwrap();
    let client = RestClient::builder()
        .base_url(server.base_url().as_str())
        .header("X-A", "1")
        .auth_config(auth)
        .build()
        .unwrap();
    assert_eq!(collect_ids(&client, "/me").await, [1]);
    let request = &server.requests()[0];
    assert_eq!(request.header("authorization"), Some("Bearer t-1"));
    assert_eq!(request.header("x-a"), Some("1"));
}
