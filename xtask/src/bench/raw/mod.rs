//! Raw pagination loops on our stack's parts (`xtask bench-raw`): the hyper-util legacy client over
//! HTTP/1 and `serde_json`, with no paginator, selector or stream abstraction. They are the yardstick
//! for restclient's own overhead:
//!
//! - `raw-value`: deserialise each page into `Vec<&RawValue>` (validates the JSON, builds no tree).
//!   This is the limit the restclient CLI is measured against.
//! - `value`: build a `serde_json::Value` tree of every page (what a naive client does).
//! - `bytes`: only read the body; the next page is found by a scan of the body's last bytes.
//! - `raw-value-x16`: as `raw-value`, with [`IN_FLIGHT`] requests in flight over the offsets or
//!   page numbers it can name ahead (see [`ahead`]); other styles run sequentially.
//!
//! Each loop knows its style's next-page rule directly. It prints one JSON line with its counts.

mod ahead;

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;
use std::time::Instant;

use bytes::Bytes;
use http::Uri;
use http_body_util::{BodyExt as _, Empty};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde::Deserialize;
use serde_json::value::RawValue;

use super::style::Style;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What a raw loop does with each page body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Mode {
    /// `Vec<&RawValue>`.
    RawValue,
    /// `serde_json::Value`.
    Value,
    /// Read the bytes only.
    Bytes,
    /// `Vec<&RawValue>` with [`IN_FLIGHT`] requests in flight.
    InFlight,
}

/// Requests the `raw-value-x16` loop keeps in flight.
pub(crate) const IN_FLIGHT: usize = 16;

impl Mode {
    /// Flag value.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Mode::RawValue => "raw-value",
            Mode::Value => "value",
            Mode::Bytes => "bytes",
            Mode::InFlight => "raw-value-x16",
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Mode {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [Mode::RawValue, Mode::Value, Mode::Bytes, Mode::InFlight]
            .into_iter()
            .find(|m| m.name() == s)
            .ok_or_else(|| format!("unknown mode {s:?}: raw-value, value, bytes or raw-value-x16"))
    }
}

/// The fields a page carries besides its records.
#[derive(Debug, Default)]
pub(super) struct PageInfo {
    pub(super) records: usize,
    pub(super) total: Option<u64>,
    pub(super) total_pages: Option<u64>,
    next: Option<String>,
}

#[derive(Deserialize)]
struct RawPage<'a> {
    #[serde(borrow)]
    data: Vec<&'a RawValue>,
    total: Option<u64>,
    total_pages: Option<u64>,
    #[serde(borrow)]
    next_cursor: Option<Cow<'a, str>>,
    #[serde(borrow)]
    next: Option<Cow<'a, str>>,
}

pub(super) fn parse_raw_value(style: Style, body: &[u8]) -> Result<PageInfo, BoxError> {
    if style == Style::HeaderLink {
        let records: Vec<&RawValue> = serde_json::from_slice(body)?;
        return Ok(PageInfo {
            records: records.len(),
            ..PageInfo::default()
        });
    }
    let page: RawPage<'_> = serde_json::from_slice(body)?;
    Ok(PageInfo {
        records: page.data.len(),
        total: page.total,
        total_pages: page.total_pages,
        next: page.next_cursor.or(page.next).map(Cow::into_owned),
    })
}

fn parse_value(style: Style, body: &[u8]) -> Result<PageInfo, BoxError> {
    let value: serde_json::Value = serde_json::from_slice(body)?;
    let records = if style == Style::HeaderLink {
        &value
    } else {
        &value["data"]
    };
    let next = value
        .get("next_cursor")
        .or_else(|| value.get("next"))
        .and_then(|v| v.as_str())
        .map(str::to_owned);
    Ok(PageInfo {
        records: records.as_array().map_or(0, Vec::len),
        total: value.get("total").and_then(serde_json::Value::as_u64),
        total_pages: value.get("total_pages").and_then(serde_json::Value::as_u64),
        next,
    })
}

/// Finds `"key":value` among the last bytes of the body, without parsing it.
fn tail_field<'a>(body: &'a [u8], key: &str) -> Option<&'a str> {
    let tail = &body[body.len().saturating_sub(256)..];
    let tail = std::str::from_utf8(tail).ok()?;
    let pat = format!("\"{key}\":");
    let at = tail.rfind(&pat)? + pat.len();
    let value = &tail[at..];
    let end = value.find([',', '}']).unwrap_or(value.len());
    Some(value[..end].trim_matches('"'))
}

fn parse_bytes(style: Style, body: &[u8], page_size: usize) -> PageInfo {
    let num = |key| tail_field(body, key).and_then(|v| v.parse().ok());
    let next = match style {
        Style::Cursor => tail_field(body, "next_cursor"),
        Style::JsonLink => tail_field(body, "next"),
        _ => None,
    }
    .filter(|v| *v != "null")
    .map(str::to_owned);
    PageInfo {
        // Not counted (the orchestrator knows how many records the run has), but an empty page
        // must end a run that states no total.
        records: if body.starts_with(b"{\"data\":[]") {
            0
        } else {
            page_size
        },
        total: num("total"),
        total_pages: num("total_pages"),
        next,
    }
}

pub(super) fn with_query(base: &str, key: &str, value: impl fmt::Display) -> String {
    format!("{base}?{key}={value}")
}

fn next_link(headers: &http::HeaderMap) -> Option<String> {
    let link = headers.get(http::header::LINK)?.to_str().ok()?;
    link.split(',').find_map(|part| {
        let (url, params) = part.split_once(';')?;
        params.contains("rel=\"next\"").then(|| {
            url.trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .to_owned()
        })
    })
}

/// Runs one raw loop over `url` and prints `{"records":..,"pages":..,"bytes":..,"seconds":..}`.
pub(crate) fn run(mode: Mode, style: Style, url: &str, page_size: usize) -> Result<(), BoxError> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let started = Instant::now();
    let (records, pages, bytes) = if mode == Mode::InFlight && style.can_fetch_ahead() {
        rt.block_on(ahead::paginate(style, url, page_size, IN_FLIGHT))?
    } else {
        rt.block_on(paginate(mode, style, url, page_size))?
    };
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "{}",
        serde_json::json!({"records": records, "pages": pages, "bytes": bytes, "seconds": seconds})
    );
    Ok(())
}

async fn paginate(
    mode: Mode,
    style: Style,
    url: &str,
    page_size: usize,
) -> Result<(u64, u64, u64), BoxError> {
    let client: Client<_, Empty<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
    let (mut records, mut pages, mut bytes) = (0u64, 0u64, 0u64);
    let mut next = Some(match style {
        Style::Offset | Style::OffsetNoTotal => format!("{url}?offset=0&limit={page_size}"),
        Style::PageNumber => with_query(url, "page", 1),
        _ => url.to_owned(),
    });
    let (mut offset, mut page) = (0u64, 1u64);
    while let Some(target) = next.take() {
        let uri: Uri = target.parse()?;
        let response = client.get(uri).await?;
        let (parts, body) = response.into_parts();
        if !parts.status.is_success() {
            return Err(format!("HTTP {} from {target}", parts.status).into());
        }
        let body = body.collect().await?.to_bytes();
        bytes += body.len() as u64;
        pages += 1;
        let info = match mode {
            Mode::RawValue | Mode::InFlight => parse_raw_value(style, &body)?,
            Mode::Value => parse_value(style, &body)?,
            Mode::Bytes => parse_bytes(style, &body, page_size),
        };
        records += info.records as u64;
        if info.records == 0 {
            break;
        }
        next = match style {
            Style::Offset | Style::OffsetNoTotal => {
                offset += page_size as u64;
                // Without a total the run ends on the empty page, above.
                let more = match info.total {
                    Some(total) => offset < total,
                    None if style == Style::OffsetNoTotal => true,
                    None => return Err("page without total".into()),
                };
                more.then(|| format!("{url}?offset={offset}&limit={page_size}"))
            }
            Style::PageNumber => {
                page += 1;
                let total = info.total_pages.ok_or("page without total_pages")?;
                (page <= total).then(|| with_query(url, "page", page))
            }
            Style::Cursor => info.next.map(|cursor| with_query(url, "cursor", cursor)),
            Style::JsonLink => info.next,
            Style::HeaderLink => next_link(&parts.headers),
        };
    }
    Ok((records, pages, bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tail_scan_finds_the_last_fields() {
        let body = br#"{"data":[{"next":"x"}],"next_cursor":"cur_0000000a"}"#;
        assert_eq!(tail_field(body, "next_cursor"), Some("cur_0000000a"));
        let body = br#"{"data":[],"total":1000}"#;
        assert_eq!(tail_field(body, "total"), Some("1000"));
    }

    #[test]
    fn link_header_next() {
        let mut headers = http::HeaderMap::new();
        headers.insert(
            http::header::LINK,
            http::HeaderValue::from_static(r#"<http://a/b?after=10>; rel="next", <http://a/b>; rel="first""#),
        );
        assert_eq!(next_link(&headers).as_deref(), Some("http://a/b?after=10"));
    }
}
