//! Cycles stop with a typed error naming the repeated URL; `max_pages` stops cleanly
//! (issue 11 §3, deviation row 8).
#![allow(clippy::unwrap_used)] // test helpers and responders outside #[test] functions

mod common;

use common::*;
use restclient_paginate::*;
use restclient_testkit::{RecordedRequest, Reply, TestServer};
use serde_json::json;

#[tokio::test]
async fn a_cycle_of_links_is_a_loop_naming_the_url() {
    // A -> B -> A: no request repeats the one just before it, yet the run would never end.
    let server = TestServer::start().await;
    let a = server.url("/cycle?page=a&token=s3cr3t");
    let b = server.url("/cycle?page=b&token=s3cr3t");
    server.route("/cycle", move |r: &RecordedRequest| {
        let next = if r.query_param("page").as_deref() == Some("a") {
            &b
        } else {
            &a
        };
        Reply::json(&json!({"data": [r.query_param("page")], "next": next}))
    });
    let (pages, err) = collect(
        get(&server.url("/cycle?page=a&token=s3cr3t")),
        opts(JsonLinkPaginator::default(), "data"),
    )
    .await;
    assert_eq!(records(&pages), [[json!("a")], [json!("b")]]);
    assert_eq!(server.hits("/cycle"), 2, "the repeated request is never sent");
    let err = err.unwrap();
    let PaginateError::Loop { url, page, .. } = &err else {
        panic!("{err}")
    };
    assert_eq!(*page, 0, "it repeats the first page's request");
    assert!(url.contains("page=a") && url.contains("token=***"), "{url}");
    assert!(!err.to_string().contains("s3cr3t"), "{err}");
    assert!(err.to_string().contains("page=a"), "{err}");
}

#[tokio::test]
async fn a_cursor_that_comes_back_after_several_pages_is_a_loop() {
    // cursors 1 -> 2 -> 3 -> 1
    let server = TestServer::start().await;
    server.route("/c", |r: &RecordedRequest| {
        let at: i64 = r.query_param("cursor").map_or(0, |c| c.parse().unwrap());
        let next = if at == 3 { 1 } else { at + 1 };
        Reply::json(&json!({"data": [at], "cursors": {"next": next.to_string()}}))
    });
    let (pages, err) = collect(
        get(&server.url("/c")),
        opts(CursorConfig::default().build().unwrap(), "data"),
    )
    .await;
    assert_eq!(records(&pages), [[json!(0)], [json!(1)], [json!(2)], [json!(3)]]);
    assert_eq!(queries(&server, "/c"), ["", "cursor=1", "cursor=2", "cursor=3"]);
    let err = err.unwrap();
    assert!(matches!(err, PaginateError::Loop { page: 1, .. }), "{err}");
    assert!(err.to_string().contains("cursor=1"), "{err}");
}

#[tokio::test]
async fn max_pages_stops_cleanly_after_n_pages() {
    let server = TestServer::start().await;
    server.route("/o", |r: &RecordedRequest| {
        let offset: i64 = r.query_param("offset").unwrap().parse().unwrap();
        Reply::json(&json!({"data": items(offset, (offset + 10).min(95)), "total": 95}))
    });
    for (cap, want) in [(1, 1), (3, 3), (10, 10), (50, 10)] {
        server.clear_requests();
        let options = PaginateOptions {
            max_pages: Some(cap),
            ..opts(OffsetPaginator::with_limit(10), "data")
        };
        let (pages, err) = collect(get(&server.url("/o")), options).await;
        assert!(err.is_none(), "{err:?}");
        assert_eq!(pages.len(), want, "cap {cap}");
        assert_eq!(server.hits("/o"), want, "no request after the cap");
        assert_eq!(pages.last().unwrap().has_next_page, cap < 10);
    }
}

#[tokio::test]
async fn max_pages_hides_a_loop_it_never_reaches_and_zero_is_an_error() {
    let server = TestServer::start().await;
    let me = server.url("/self");
    server.route("/self", Reply::json(&json!({"data": [1], "next": me})));
    let options = PaginateOptions {
        max_pages: Some(1),
        ..opts(JsonLinkPaginator::default(), "data")
    };
    let (pages, err) = collect(get(&server.url("/self")), options).await;
    assert_eq!((pages.len(), err.is_none()), (1, true));

    let options = PaginateOptions {
        max_pages: Some(0),
        ..opts(JsonLinkPaginator::default(), "data")
    };
    let (pages, err) = collect(get(&server.url("/self")), options).await;
    assert!(pages.is_empty());
    let err = err.unwrap();
    assert!(matches!(err, PaginateError::Config(_)), "{err}");
    assert!(err.to_string().contains("max_pages"), "{err}");
    assert_eq!(server.hits("/self"), 1, "no request for max_pages 0");
}
