//! Property: for random record counts, page sizes and styles, every record is read exactly once,
//! in order, pagination terminates, and the request count equals dlt's for the same case.
//! The server is an in-memory `tower::service_fn` for speed; the real-HTTP tests cover each
//! paginator on the wire.
#![allow(clippy::unwrap_used)] // test helpers and responders outside #[test] functions

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use bytes::Bytes;
use common::styles::{Style, dlt_requests, first_request, paginator, respond};
use futures_util::StreamExt;
use proptest::prelude::*;
use restclient_core::{BoxError, Request};
use restclient_paginate::*;
use restclient_select::Selector;

fn style() -> impl Strategy<Value = Style> {
    prop_oneof![
        Just(Style::OffsetTotal),
        Just(Style::OffsetEmptyStop),
        Just(Style::PageNumberTotal),
        Just(Style::JsonLink),
        Just(Style::HeaderLink),
        Just(Style::Cursor),
        Just(Style::HeaderCursor),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn every_record_once_in_order(style in style(), n in 0i64..80, size in 1i64..12, detect_records in any::<bool>()) {
        let calls = Arc::new(AtomicUsize::new(0));
        let counter = calls.clone();
        let service = tower::service_fn(move |req: Request| {
            counter.fetch_add(1, Ordering::SeqCst);
            let resp = respond(style, n, size, &req);
            async move { Ok::<_, BoxError>(resp) }
        });
        let options = PaginateOptions {
            paginator: Some(paginator(style, size)),
            data_selector: (!detect_records).then(|| Selector::parse("data").unwrap()),
            ..Default::default()
        };
        let request = http::Request::get("http://api.test/x").body(Bytes::new()).unwrap();
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let ids: Vec<i64> = rt.block_on(async {
            let mut stream = service.paginate(request, options);
            let mut ids = Vec::new();
            let mut pages = 0;
            while let Some(page) = stream.next().await {
                let page = page.unwrap();
                ids.extend(page.records.iter().map(|r| r.deserialize::<i64>().unwrap()));
                pages += 1;
                assert!(pages <= 200, "no termination");
            }
            ids
        });
        prop_assert_eq!(ids, (0..n).collect::<Vec<_>>());
        prop_assert_eq!(calls.load(Ordering::SeqCst) as i64, dlt_requests(style, n, size));
    }
}

/// The record ids of every page and the number of requests, with `concurrency` requests in flight.
fn run_at(style: Style, n: i64, size: i64, concurrency: usize) -> (Vec<Vec<i64>>, usize) {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let service = tower::service_fn(move |req: Request| {
        counter.fetch_add(1, Ordering::SeqCst);
        let resp = respond(style, n, size, &req);
        async move { Ok::<_, BoxError>(resp) }
    });
    let options = PaginateOptions {
        paginator: (style != Style::DetectedLink).then(|| paginator(style, size)),
        data_selector: Some(Selector::parse("data").unwrap()),
        concurrency,
        ..Default::default()
    };
    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let pages = rt.block_on(async {
        let mut stream = service.paginate(first_request(style, "http://api.test/x"), options);
        let mut pages = Vec::new();
        while let Some(page) = stream.next().await {
            let page = page.unwrap();
            pages.push(
                page.records
                    .iter()
                    .map(|r| r.deserialize::<i64>().unwrap())
                    .collect(),
            );
            assert!(pages.len() <= 200, "no termination");
        }
        pages
    });
    (pages, calls.load(Ordering::SeqCst))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// Fetching ahead changes no page, sends nothing past a stated total, and at most N - 1
    /// requests past an end it cannot know.
    #[test]
    fn the_same_pages_at_any_concurrency(
        style in proptest::sample::select(Style::ALL.to_vec()),
        n in 0i64..80,
        size in 1i64..12,
        concurrency in 2usize..10,
    ) {
        let (sequential, sequential_calls) = run_at(style, n, size, 1);
        let (ahead, calls) = run_at(style, n, size, concurrency);
        prop_assert_eq!(&ahead, &sequential);
        prop_assert_eq!(sequential_calls as i64, dlt_requests(style, n, size));
        match style {
            Style::OffsetTotal | Style::PageNumberTotal | Style::OffsetBody => prop_assert_eq!(calls, sequential_calls),
            _ => prop_assert!(calls < sequential_calls + concurrency, "{} past the end", calls - sequential_calls),
        }
    }
}
