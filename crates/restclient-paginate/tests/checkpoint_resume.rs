//! Property: for every paginator style, cut point and concurrency, the checkpoint taken after
//! page k, serialized, read back and resumed, yields exactly pages k+1.. of the uninterrupted
//! run, with the same requests, and holds no secret (issue 13 §1).
#![allow(clippy::unwrap_used)] // test helpers and responders outside #[test] functions

mod common;

use bytes::Bytes;
use common::styles::{Style, first_request, paginator, respond};
use futures_util::StreamExt;
use proptest::prelude::*;
use restclient_core::{BoxError, Request};
use restclient_paginate::*;
use restclient_select::Selector;

/// A page as far as resuming must reproduce it: index, request (method, URL, Content-Type, body)
/// and record ids.
type Seen = (usize, String, String, Option<String>, Bytes, Vec<i64>);

fn seen(page: &Page) -> Seen {
    let r = &page.request;
    (
        page.index,
        r.method().to_string(),
        r.uri().to_string(),
        r.headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_owned()),
        r.body().clone(),
        page.records
            .iter()
            .map(|x| x.deserialize::<i64>().unwrap())
            .collect(),
    )
}

const URL: &str = "http://api.test/x?api_key=s3cr3t-key&q=1";

fn options(style: Style, size: i64, detect_records: bool, concurrency: usize) -> PaginateOptions {
    PaginateOptions {
        paginator: (style != Style::DetectedLink).then(|| paginator(style, size)),
        data_selector: (!detect_records).then(|| Selector::parse("data").unwrap()),
        concurrency,
        ..Default::default()
    }
}

fn run(style: Style, n: i64, size: i64, options: PaginateOptions) -> Vec<(Seen, String)> {
    let service = tower::service_fn(move |req: Request| {
        let resp = respond(style, n, size, &req);
        async move { Ok::<_, BoxError>(resp) }
    });
    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    rt.block_on(async {
        let mut stream = service.paginate(first_request(style, URL), options);
        let mut pages = Vec::new();
        while let Some(page) = stream.next().await {
            let page = page.unwrap();
            pages.push((seen(&page), page.checkpoint().to_json().unwrap()));
            assert!(pages.len() <= 200, "no termination");
        }
        pages
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn resuming_after_page_k_yields_exactly_the_pages_after_k(
        style in proptest::sample::select(Style::ALL.to_vec()),
        n in 0i64..60,
        size in 1i64..12,
        detect_records in any::<bool>(),
        first_concurrency in 1usize..5,
        resumed_concurrency in 1usize..5,
        cut in any::<proptest::sample::Index>(),
    ) {
        let whole = run(style, n, size, options(style, size, detect_records, first_concurrency));
        prop_assert!(!whole.is_empty());
        let k = cut.index(whole.len());
        let json = &whole[k].1;
        prop_assert!(!json.contains("s3cr3t"), "a secret in {}", json);
        let checkpoint = Checkpoint::from_json(json).unwrap();
        prop_assert_eq!(checkpoint.page_index(), k + 1);
        prop_assert_eq!(checkpoint.is_finished(), k + 1 == whole.len());
        let resumed = run(style, n, size, PaginateOptions {
            resume: Some(checkpoint),
            ..options(style, size, detect_records, resumed_concurrency)
        });
        let want: Vec<&Seen> = whole[k + 1..].iter().map(|(s, _)| s).collect();
        let got: Vec<&Seen> = resumed.iter().map(|(s, _)| s).collect();
        prop_assert_eq!(got, want);
        // and the checkpoints after the cut are those of the uninterrupted run
        let want: Vec<&String> = whole[k + 1..].iter().map(|(_, c)| c).collect();
        let got: Vec<&String> = resumed.iter().map(|(_, c)| c).collect();
        prop_assert_eq!(got, want);
    }
}
