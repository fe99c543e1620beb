//! The benchmark API server (`xtask bench-server`): hyper 1.x over HTTP/1 on 127.0.0.1.
//!
//! Every route is `/{style}/{records}/{page_size}/{delay_ms}` plus the style's own query parameter,
//! so one server answers every run of a bench and every paginator carries the run's shape along
//! in the URL. Two optional prefixes: `/p/{id}` (ignored; a child resource's path names its parent
//! with it) and `/rl/{rps}/{burst}/{bucket}` (a token bucket, see [`super::limit`]: beyond its
//! rate, 429 with `Retry-After`); `GET /stats/{bucket}` reports what a bucket let through. Pages are assembled from zero-copy slices of the pre-rendered [`Dataset`]: a response
//! costs a few small allocations, no JSON work, so the server stays far ahead of any client (the
//! bench checks this with `wrk`). It runs on one thread, leaving the other core to the client, and
//! exits when its standard input closes, so it never outlives the bench that started it.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response, StatusCode, header};
use http_body::{Body, Frame, SizeHint};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::io::AsyncReadExt as _;
use tokio::net::TcpListener;

use super::dataset::Dataset;
use super::limit::Buckets;
use super::style::Style;

/// A response body made of ready chunks, with an exact length (so hyper sends `Content-Length`).
#[derive(Debug)]
pub(crate) struct Chunks {
    parts: VecDeque<Bytes>,
    remaining: u64,
}

impl Chunks {
    fn new(parts: Vec<Bytes>) -> Chunks {
        let remaining = parts.iter().map(|b| b.len() as u64).sum();
        Chunks {
            parts: parts.into(),
            remaining,
        }
    }
}

impl Body for Chunks {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        let next = self.parts.pop_front();
        if let Some(chunk) = &next {
            self.remaining -= chunk.len() as u64;
        }
        Poll::Ready(next.map(|chunk| Ok(Frame::data(chunk))))
    }

    fn is_end_stream(&self) -> bool {
        self.parts.is_empty()
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.remaining)
    }
}

struct State {
    data: Dataset,
    /// Token buckets of the rate-limited routes.
    limits: Buckets,
    /// `http://127.0.0.1:PORT`, for next links.
    origin: String,
}

/// Runs the server until standard input closes. Prints `listening on http://127.0.0.1:PORT` and the
/// mean record size on stdout once it accepts connections.
pub(crate) fn run(port: u16, pool: usize) -> Result<(), Box<dyn std::error::Error>> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], port))).await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(State {
            data: Dataset::new(pool),
            limits: Buckets::default(),
            origin: format!("http://{addr}"),
        });
        println!(
            "listening on {} records={} mean_record_bytes={}",
            state.origin,
            state.data.pool(),
            state.data.mean_record_bytes()
        );
        tokio::spawn(async {
            // Exit when the parent goes away (stdin reaches EOF or fails).
            let mut stdin = tokio::io::stdin();
            let mut buf = [0u8; 64];
            while matches!(stdin.read(&mut buf).await, Ok(n) if n > 0) {}
            std::process::exit(0);
        });
        loop {
            let (stream, _) = listener.accept().await?;
            let _ = stream.set_nodelay(true);
            let state = Arc::clone(&state);
            tokio::spawn(async move {
                let service = service_fn(move |req| {
                    let state = Arc::clone(&state);
                    async move { Ok::<_, Infallible>(handle(&state, &req).await) }
                });
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    })
}

fn reply(status: StatusCode, msg: String) -> Response<Chunks> {
    let mut resp = Response::new(Chunks::new(vec![Bytes::from(msg)]));
    *resp.status_mut() = status;
    resp
}

fn not_found(msg: &str) -> Response<Chunks> {
    reply(StatusCode::NOT_FOUND, msg.to_owned())
}

fn query_param<'a>(query: &'a str, name: &str) -> Option<&'a str> {
    query
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

async fn handle(state: &State, req: &Request<Incoming>) -> Response<Chunks> {
    let full_path = req.uri().path();
    let mut segs = full_path.trim_start_matches('/').split('/').peekable();
    if segs.peek() == Some(&"stats") {
        segs.next();
        let key = segs.next().unwrap_or("");
        return match state.limits.stats(key) {
            Some((passed, throttled)) => reply(
                StatusCode::OK,
                format!(r#"{{"passed":{passed},"throttled":{throttled}}}"#),
            ),
            None => not_found("no such bucket"),
        };
    }
    // Prefixes: `p/{tag}` (a parent's id in a child path, ignored) and
    // `rl/{rps}/{burst}/{bucket}` (a token bucket shared by every request naming it).
    let mut limit = None;
    loop {
        match segs.peek() {
            Some(&"p") => {
                segs.next();
                segs.next();
            }
            Some(&"rl") => {
                segs.next();
                let (Some(rps), Some(burst), Some(key)) = (segs.next(), segs.next(), segs.next()) else {
                    return not_found("expected /rl/{rps}/{burst}/{bucket}/...");
                };
                let (Ok(rps), Ok(burst)) = (rps.parse::<f64>(), burst.parse::<u32>()) else {
                    return not_found("bad rate limit");
                };
                limit = Some((key, rps, burst));
            }
            _ => break,
        }
    }
    if let Some((key, rps, burst)) = limit
        && let Err(wait) = state.limits.take(key, rps, burst)
    {
        // Whole seconds, rounded up, as most APIs send it.
        let secs = wait.as_secs_f64().ceil().max(1.0);
        let mut resp = reply(StatusCode::TOO_MANY_REQUESTS, "rate limited".to_owned());
        resp.headers_mut()
            .insert(header::RETRY_AFTER, header::HeaderValue::from(secs as u64));
        return resp;
    }
    let (Some(style), Some(n), Some(size), Some(delay)) =
        (segs.next(), segs.next(), segs.next(), segs.next())
    else {
        return not_found("expected /{style}/{records}/{page_size}/{delay_ms}");
    };
    let (Ok(style), Ok(n), Ok(size), Ok(delay)) = (
        style.parse::<Style>(),
        n.parse::<u64>(),
        size.parse::<u64>(),
        delay.parse::<u64>(),
    ) else {
        return not_found("bad route");
    };
    let size = size.max(1);
    let query = req.uri().query().unwrap_or("");
    let num = |name: &str| query_param(query, name).and_then(|v| v.parse::<u64>().ok());
    let offset = match style {
        Style::Offset | Style::OffsetNoTotal => num("offset").unwrap_or(0),
        Style::PageNumber => num("page").unwrap_or(1).saturating_sub(1) * size,
        Style::Cursor => query_param(query, "cursor")
            .and_then(|c| c.strip_prefix("cur_"))
            .and_then(|c| u64::from_str_radix(c, 16).ok())
            .unwrap_or(0),
        Style::JsonLink | Style::HeaderLink => num("after").unwrap_or(0),
    };
    let limit = match style {
        Style::Offset | Style::OffsetNoTotal => num("limit").unwrap_or(size),
        _ => size,
    };
    let count = limit.min(n.saturating_sub(offset));
    let next = offset + count;
    let more = count > 0 && next < n;
    let path = full_path;

    let mut parts = Vec::with_capacity(5);
    parts.push(Bytes::from_static(match style {
        Style::HeaderLink => b"[",
        _ => b"{\"data\":[",
    }));
    state.data.records(offset, count as usize, &mut parts);
    let tail = match style {
        Style::Offset => format!("],\"total\":{n}}}"),
        Style::OffsetNoTotal => "]}".to_owned(),
        Style::PageNumber => format!("],\"total_pages\":{}}}", n.div_ceil(size)),
        Style::Cursor if more => format!("],\"next_cursor\":\"cur_{next:08x}\"}}"),
        Style::Cursor => "],\"next_cursor\":null}".to_owned(),
        Style::JsonLink if more => {
            format!("],\"next\":\"{}{path}?after={next}\"}}", state.origin)
        }
        Style::JsonLink => "],\"next\":null}".to_owned(),
        Style::HeaderLink => "]".to_owned(),
    };
    parts.push(Bytes::from(tail));

    if delay > 0 {
        // tokio's timer rounds up to whole milliseconds (20 ms becomes ~21); a blocking-pool thread
        // sleeps to within tens of microseconds, so the latency run's ideal is really 1/delay.
        let delay = Duration::from_millis(delay);
        let _ = tokio::task::spawn_blocking(move || std::thread::sleep(delay)).await;
    }
    let mut resp = Response::new(Chunks::new(parts));
    let headers = resp.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json"),
    );
    if style == Style::HeaderLink && more {
        let link = format!("<{}{path}?after={next}>; rel=\"next\"", state.origin);
        if let Ok(value) = header::HeaderValue::from_str(&link) {
            headers.insert(header::LINK, value);
        }
    }
    resp
}
