//! The raw loop with requests in flight: the yardstick for restclient's `--concurrency`.
//!
//! The first page comes alone (its total says where the run ends); then up to `in_flight` requests
//! for the following offsets or page numbers are kept in flight, each on its own task, and their
//! pages are parsed strictly in order, as a client that writes records in order must. Without a
//! total the loop keeps requesting ahead until a page comes back empty, then drops what is still
//! in flight (at most `in_flight - 1` requests past the end).

use std::collections::VecDeque;

use bytes::Bytes;
use http::Uri;
use http_body_util::{BodyExt as _, Empty};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use tokio::task::JoinHandle;

use super::{BoxError, parse_raw_value, with_query};
use crate::bench::style::Style;

type Http = Client<HttpConnector, Empty<Bytes>>;

async fn fetch(client: Http, target: String) -> Result<Bytes, BoxError> {
    let uri: Uri = target.parse()?;
    let response = client.get(uri).await?;
    let (parts, body) = response.into_parts();
    if !parts.status.is_success() {
        return Err(format!("HTTP {} from {target}", parts.status).into());
    }
    Ok(body.collect().await?.to_bytes())
}

/// Reads every page of `url` with up to `in_flight` requests in flight; returns records, pages
/// and bytes.
pub(super) async fn paginate(
    style: Style,
    url: &str,
    page_size: usize,
    in_flight: usize,
) -> Result<(u64, u64, u64), BoxError> {
    let client: Http = Client::builder(TokioExecutor::new()).build_http();
    let page_url = |index: u64| match style {
        Style::PageNumber => with_query(url, "page", index + 1),
        _ => format!("{url}?offset={}&limit={page_size}", index * page_size as u64),
    };
    let first = fetch(client.clone(), page_url(0)).await?;
    let info = parse_raw_value(style, &first)?;
    let (mut records, mut pages, mut bytes) = (info.records as u64, 1u64, first.len() as u64);
    if info.records == 0 {
        return Ok((records, pages, bytes));
    }
    // Pages in the run, when the first page says.
    let end = match style {
        Style::Offset => Some(info.total.ok_or("page without total")?.div_ceil(page_size as u64)),
        Style::PageNumber => Some(info.total_pages.ok_or("page without total_pages")?),
        _ => None,
    };
    let mut next = 1u64;
    let mut queue: VecDeque<JoinHandle<Result<Bytes, BoxError>>> = VecDeque::new();
    loop {
        while queue.len() < in_flight && end.is_none_or(|end| next < end) {
            queue.push_back(tokio::spawn(fetch(client.clone(), page_url(next))));
            next += 1;
        }
        let Some(oldest) = queue.pop_front() else {
            break;
        };
        let body = oldest.await??;
        let info = parse_raw_value(style, &body)?;
        pages += 1;
        bytes += body.len() as u64;
        records += info.records as u64;
        if info.records == 0 {
            for request in queue.drain(..) {
                request.abort();
            }
            break;
        }
    }
    Ok((records, pages, bytes))
}
