//! An in-memory API for every paginator style: `n` records with ids 0..n, `size` per page.
//! The property tests drive it through `tower::service_fn` for speed; the real-HTTP tests cover
//! each paginator on the wire.

use bytes::Bytes;
use restclient_core::{Request, Response};
use restclient_paginate::*;
use serde_json::{Value, json};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    OffsetTotal,
    OffsetEmptyStop,
    PageNumberTotal,
    JsonLink,
    HeaderLink,
    Cursor,
    HeaderCursor,
    /// POST, offset and limit in the JSON body (`paging.offset`), total in the response.
    OffsetBody,
    /// A JSON link (`/x?pos=N`) that auto-detection finds.
    DetectedLink,
}

impl Style {
    pub const ALL: [Style; 9] = [
        Style::OffsetTotal,
        Style::OffsetEmptyStop,
        Style::PageNumberTotal,
        Style::JsonLink,
        Style::HeaderLink,
        Style::Cursor,
        Style::HeaderCursor,
        Style::OffsetBody,
        Style::DetectedLink,
    ];
}

fn param(req: &Request, name: &str) -> Option<i64> {
    form_urlencoded::parse(req.uri().query().unwrap_or("").as_bytes())
        .find(|(k, _)| k == name)
        .and_then(|(_, v)| v.parse().ok())
}

fn body_param(req: &Request, name: &str) -> Option<i64> {
    let body: Value = serde_json::from_slice(req.body()).ok()?;
    body["paging"][name].as_i64()
}

/// The first request of a run in `style` against `url`.
pub fn first_request(style: Style, url: &str) -> Request {
    match style {
        Style::OffsetBody => http::Request::post(url)
            .body(Bytes::from(r#"{"q":"x"}"#))
            .unwrap(),
        _ => http::Request::get(url).body(Bytes::new()).unwrap(),
    }
}

/// The API's answer to `req`.
pub fn respond(style: Style, n: i64, size: i64, req: &Request) -> Response {
    let start = match style {
        Style::OffsetTotal | Style::OffsetEmptyStop => param(req, "offset").unwrap_or(0),
        Style::OffsetBody => body_param(req, "offset").unwrap_or(0),
        Style::PageNumberTotal => (param(req, "page").unwrap_or(1) - 1) * size,
        Style::JsonLink | Style::HeaderLink | Style::DetectedLink => param(req, "pos").unwrap_or(0),
        Style::Cursor | Style::HeaderCursor => param(req, "cursor").unwrap_or(0),
    };
    let end = (start + size).min(n).max(start);
    let data: Vec<i64> = (start..end).collect();
    let more = end < n;
    let mut body = json!({"data": data});
    let mut builder = http::Response::builder();
    match style {
        Style::OffsetTotal | Style::OffsetBody => body["total"] = json!(n),
        Style::OffsetEmptyStop => {}
        Style::PageNumberTotal => body["total"] = json!((n + size - 1) / size),
        Style::JsonLink => {
            body["next"] = if more {
                json!(format!("?pos={end}"))
            } else {
                json!(null)
            }
        }
        Style::DetectedLink => {
            body["next"] = if more {
                json!(format!("/x?pos={end}"))
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

/// The paginator for `style` (for `DetectedLink`, the one detection finds).
pub fn paginator(style: Style, size: i64) -> Box<dyn Paginator> {
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
        Style::OffsetBody => Box::new(
            OffsetConfig {
                offset_body_path: Some("paging.offset".into()),
                limit_body_path: Some("paging.limit".into()),
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
        Style::JsonLink | Style::DetectedLink => Box::new(JsonLinkPaginator::default()),
        Style::HeaderLink => Box::new(HeaderLinkPaginator::default()),
        Style::Cursor => Box::new(CursorConfig::default().build().unwrap()),
        Style::HeaderCursor => Box::new(HeaderCursorConfig::default().build().unwrap()),
    }
}

/// How many requests dlt 1.31 makes for the same case.
pub fn dlt_requests(style: Style, n: i64, size: i64) -> i64 {
    let pages = (n + size - 1) / size;
    match style {
        // an empty page also ends the run, so an empty API still costs one request
        Style::OffsetEmptyStop => pages + 1,
        _ => pages.max(1),
    }
}
