//! Per-page paginator cost: `update_state` + `update_request` on an already-scanned page, and the
//! whole per-page step (one scan of a 100-record body, records, state, next request).
#![allow(missing_docs, clippy::unwrap_used)]

use std::hint::black_box;

use bytes::Bytes;
use criterion::{Criterion, criterion_group, criterion_main};
use http::HeaderMap;
use restclient_paginate::{CursorConfig, JsonLinkPaginator, OffsetConfig, PageContext, Paginator};
use restclient_select::{Document, Query, Selector};

fn body(records: usize) -> Bytes {
    let items: Vec<String> = (0..records)
        .map(|i| format!(r#"{{"id":{i},"name":"record {i}","tags":["a","b"],"score":{i}.5}}"#))
        .collect();
    Bytes::from(format!(
        r#"{{"data":[{}],"total":100000,"has_more":true,"next":"/items?page=2","cursors":{{"next":"abc{records}"}}}}"#,
        items.join(",")
    ))
}

fn cases() -> Vec<(&'static str, Box<dyn Paginator>)> {
    vec![
        (
            "offset_total_has_more",
            Box::new(
                OffsetConfig {
                    has_more_path: Some("has_more".into()),
                    ..OffsetConfig::new(100)
                }
                .build()
                .unwrap(),
            ),
        ),
        ("json_link", Box::new(JsonLinkPaginator::default())),
        ("cursor", Box::new(CursorConfig::default().build().unwrap())),
    ]
}

fn bench(c: &mut Criterion) {
    let data = Selector::parse("data").unwrap();
    let body = body(100);
    let headers = HeaderMap::new();
    let request = http::Request::get("http://api.test/items?q=x")
        .body(Bytes::new())
        .unwrap();

    let mut group = c.benchmark_group("update_state+update_request");
    for (name, paginator) in cases() {
        let selectors = paginator.selectors();
        let query = Query::new(std::iter::once(&data).chain(selectors.iter()));
        let doc = Document::parse(body.clone(), &query).unwrap();
        let records = doc.records(&data).unwrap();
        group.bench_function(name, |b| {
            let mut p = paginator.clone();
            b.iter(|| {
                let mut next = request.clone();
                p.update_state(&PageContext {
                    request: &request,
                    status: http::StatusCode::OK,
                    headers: &headers,
                    document: &doc,
                    records: &records,
                })
                .unwrap();
                p.update_request(&mut next).unwrap();
                black_box(next)
            })
        });
    }
    group.finish();

    let mut group = c.benchmark_group("page_step_100_records");
    for (name, paginator) in cases() {
        let selectors = paginator.selectors();
        let query = Query::new(std::iter::once(&data).chain(selectors.iter()));
        group.bench_function(name, |b| {
            let mut p = paginator.clone();
            b.iter(|| {
                let doc = Document::parse(body.clone(), &query).unwrap();
                let records = doc.records(&data).unwrap();
                let mut next = request.clone();
                p.update_state(&PageContext {
                    request: &request,
                    status: http::StatusCode::OK,
                    headers: &headers,
                    document: &doc,
                    records: &records,
                })
                .unwrap();
                p.update_request(&mut next).unwrap();
                black_box((records.len(), next))
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
