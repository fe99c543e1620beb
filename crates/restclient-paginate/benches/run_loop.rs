//! The run loop's own cost per page, one request at a time: send (an in-memory service answering
//! at once), check, read (one scan of a 100-record body), advance, and the page handed over. No
//! network, so what it measures is what the loop adds around the paginator.
#![allow(missing_docs, clippy::unwrap_used)]

use bytes::Bytes;
use criterion::{Criterion, criterion_group, criterion_main};
use futures_util::StreamExt;
use restclient_core::{BoxError, Request};
use restclient_paginate::{OffsetPaginator, PaginateExt, PaginateOptions};
use restclient_select::Selector;

const PAGES: usize = 200;

fn body() -> Bytes {
    let items: Vec<String> = (0..100)
        .map(|i| format!(r#"{{"id":{i},"name":"record {i}","tags":["a","b"],"score":{i}.5}}"#))
        .collect();
    Bytes::from(format!(r#"{{"data":[{}],"total":1000000000}}"#, items.join(",")))
}

fn bench(c: &mut Criterion) {
    let body = body();
    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let service = tower::service_fn(move |_request: Request| {
        let response = http::Response::new(body.clone());
        async move { Ok::<_, BoxError>(response) }
    });
    let data = Selector::parse("data").unwrap();
    c.bench_function("run_loop/offset_200_pages", |b| {
        b.iter(|| {
            let options = PaginateOptions {
                paginator: Some(Box::new(OffsetPaginator::with_limit(100))),
                data_selector: Some(data.clone()),
                ..Default::default()
            };
            let request = http::Request::get("http://api.test/items?q=x")
                .body(Bytes::new())
                .unwrap();
            rt.block_on(async {
                let mut pages = service.clone().paginate(request, options).take(PAGES);
                let mut records = 0;
                while let Some(page) = pages.next().await {
                    records += page.unwrap().records.len();
                }
                assert_eq!(records, PAGES * 100);
            })
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
