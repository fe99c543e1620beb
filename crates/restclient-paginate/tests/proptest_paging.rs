//! Property: for random record counts, page sizes and styles, every record is read exactly once,
//! in order, pagination terminates, and the request count equals dlt's for the same case.
//! The server is an in-memory `tower::service_fn` for speed; the real-HTTP tests cover each
//! paginator on the wire.
#![allow(clippy::unwrap_used)] // test helpers and responders outside #[test] functions

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use bytes::Bytes;
use futures_util::StreamExt;
use proptest::prelude::*;
use restclient_core::{BoxError, Request, Response};
use restclient_paginate::*;
use restclient_select::Selector;
use serde_json::json;

#[derive(Debug, Clone, Copy)]
enum Style {
    OffsetTotal,
    OffsetEmptyStop,
    PageNumberTotal,
    JsonLink,
    HeaderLink,
    Cursor,
    HeaderCursor,
}

fn param(req: &Request, name: &str) -> Option<i64> {
    form_urlencoded::parse(req.uri().query().unwrap_or("").as_bytes())
        .find(|(k, _)| k == name)
        .and_then(|(_, v)| v.parse().ok())
}

/// The API: `n` records with ids 0..n, `size` per page, paginated in `style`.
fn respond(style: Style, n: i64, size: i64, req: &Request) -> Response {
    let start = match style {
        Style::OffsetTotal | Style::OffsetEmptyStop => param(req, "offset").unwrap_or(0),
        Style::PageNumberTotal => (param(req, "page").unwrap_or(1) - 1) * size,
        Style::JsonLink | Style::HeaderLink => param(req, "pos").unwrap_or(0),
        Style::Cursor | Style::HeaderCursor => param(req, "cursor").unwrap_or(0),
    };
    let end = (start + size).min(n).max(start);
    let data: Vec<i64> = (start..end).collect();
    let more = end < n;
    let mut body = json!({"data": data});
    let mut builder = http::Response::builder();
    match style {
        Style::OffsetTotal => body["total"] = json!(n),
        Style::OffsetEmptyStop => {}
        Style::PageNumberTotal => body["total"] = json!((n + size - 1) / size),
        Style::JsonLink => {
            body["next"] = if more {
                json!(format!("?pos={end}"))
            } else {
                json!(null)
            }
        }
        Style::HeaderLink => {
            if more {
                builder = builder.header("link", format!("</x?pos={end}>; rel=\"next\""));
            }
        }
        Style::Cursor => {
            body["cursors"] = json!({"next": if more { json!(end.to_string()) } else { json!(null) }})
        }
        Style::HeaderCursor => {
            if more {
                builder = builder.header("next", end.to_string());
            }
        }
    }
    builder.body(Bytes::from(body.to_string())).unwrap()
}

fn paginator(style: Style, size: i64) -> Box<dyn Paginator> {
    match style {
        Style::OffsetTotal => Box::new(OffsetPaginator::with_limit(size)),
        Style::OffsetEmptyStop => Box::new(
            OffsetConfig {
                total_path: None,
                ..OffsetConfig::new(size)
            }
            .build()
            .unwrap(),
        ),
        Style::PageNumberTotal => Box::new(
            PageNumberConfig {
                base_page: 1,
                ..Default::default()
            }
            .build()
            .unwrap(),
        ),
        Style::JsonLink => Box::new(JsonLinkPaginator::default()),
        Style::HeaderLink => Box::new(HeaderLinkPaginator::default()),
        Style::Cursor => Box::new(CursorConfig::default().build().unwrap()),
        Style::HeaderCursor => Box::new(HeaderCursorConfig::default().build().unwrap()),
    }
}

/// How many requests dlt 1.31 makes for the same case.
fn dlt_requests(style: Style, n: i64, size: i64) -> i64 {
    let pages = (n + size - 1) / size;
    match style {
        // an empty page also ends the run, so an empty API still costs one request
        Style::OffsetEmptyStop => pages + 1,
        _ => pages.max(1),
    }
}

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
