//! The pagination adapter: one request in, a [`Stream`] of [`Page`]s out.
//!
//! [`PaginateExt::paginate`] works on any `tower::Service<Request, Response = Response>`: the
//! transport with its retry, auth and timeout layers, or a test double. Pages are fetched lazily,
//! one request at a time, and nothing is collected: memory stays constant whatever the page count.
//!
//! For every response, in order (dlt §1.4):
//!
//! 1. the response hooks run; one may end pagination cleanly ([`HookAction::Stop`], dlt's
//!    `IgnoreResponseException`) or fail;
//! 2. a status ≥ 400 is a [`PaginateError::Status`] unless response hooks were given (a custom hook
//!    replaces dlt's default `raise_for_status`; [`PaginateOptions::raise_for_status`] overrides);
//! 3. the body is scanned **once** for every selector the page needs (records, total, cursor, ...);
//!    on the first page the record path and the paginator are detected when not given;
//! 4. the paginator reads the page; an error here ends the run before the page is yielded;
//! 5. the next request is prepared, then the page is yielded.
//!
//! # Differs from dlt
//! A next request identical to the one just sent (method, URL with query, body) is a
//! [`PaginateError::Loop`] after the page, instead of an endless loop. [`Page::request`] is the
//! request that fetched the page (dlt's `page.request` is the already-advanced shared request).

use std::fmt;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_core::Stream;
use http::{HeaderMap, StatusCode, Uri};
use restclient_core::{BoxError, Request, Response, StatusError, redact, response_uri};
use restclient_select::{Document, Query, RawRecord, Selector};
use tower::{Service, ServiceExt};

use crate::detect::{Detection, detect_paginator};
use crate::{PageContext, PaginateError, Paginator, PaginatorState};

/// What a response hook decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HookAction {
    /// Carry on with this response.
    Continue,
    /// End pagination quietly; this response is not yielded (dlt's `IgnoreResponseException`).
    Stop,
}

type HookFn = dyn Fn(&Response) -> Result<HookAction, BoxError> + Send + Sync;

/// A function that sees every response before it is parsed.
///
/// ```
/// use restclient_paginate::{HookAction, ResponseHook};
/// // end pagination on 404 instead of failing
/// let hook = ResponseHook::new(|response| {
///     Ok(if response.status() == 404 { HookAction::Stop } else { HookAction::Continue })
/// });
/// # let _ = hook;
/// ```
#[derive(Clone)]
pub struct ResponseHook(Arc<HookFn>);

impl ResponseHook {
    /// Wraps a hook function.
    pub fn new(
        hook: impl Fn(&Response) -> Result<HookAction, BoxError> + Send + Sync + 'static,
    ) -> ResponseHook {
        ResponseHook(Arc::new(hook))
    }

    /// Runs the hook.
    pub fn call(&self, response: &Response) -> Result<HookAction, BoxError> {
        (self.0)(response)
    }
}

impl fmt::Debug for ResponseHook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ResponseHook(..)")
    }
}

/// How to paginate: the paginator, the record path, and the response hooks.
#[derive(Debug, Clone, Default)]
pub struct PaginateOptions {
    /// The paginator; `None` detects one from the first response (dlt §3.2).
    pub paginator: Option<Box<dyn Paginator>>,
    /// Where the records are; `None` detects it from the first response (dlt §3.1).
    pub data_selector: Option<Selector>,
    /// Hooks run on every response, in order.
    pub response_hooks: Vec<ResponseHook>,
    /// Fail on a status ≥ 400. `None` (default) does as dlt: fail unless response hooks are given.
    pub raise_for_status: Option<bool>,
}

/// One page: its records (zero-copy slices of the body), the request that fetched it, the
/// response head, and the paginator's state after reading it.
#[non_exhaustive]
pub struct Page {
    /// The records (dlt's `PageData` list): empty for `null` or `[]`.
    pub records: Vec<RawRecord>,
    /// The request that fetched this page.
    pub request: Request,
    /// The response status.
    pub status: StatusCode,
    /// The response headers.
    pub headers: HeaderMap,
    /// The URL the response came from (after redirects when the transport reports it).
    pub url: Uri,
    /// The whole response body (the records point into it).
    pub body: Bytes,
    /// The record path used (given or detected).
    pub data_selector: Selector,
    /// The paginator's [`name`](Paginator::name).
    pub paginator: &'static str,
    /// The paginator's state after reading this page.
    pub paginator_state: PaginatorState,
    /// Whether the paginator will fetch another page.
    pub has_next_page: bool,
    /// On the first page, which paginator auto-detection chose (`None` when one was given).
    pub detected: Option<Detection>,
    /// The page's position in the run, from 0.
    pub index: usize,
}

impl Page {
    /// The records as a slice.
    pub fn records(&self) -> &[RawRecord] {
        &self.records
    }

    /// Takes the records.
    pub fn into_records(self) -> Vec<RawRecord> {
        self.records
    }
}

impl fmt::Debug for Page {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Page")
            .field("index", &self.index)
            .field("records", &self.records.len())
            .field("status", &self.status)
            .field("url", &redact::redact_uri(&self.url))
            .field("paginator", &self.paginator)
            .field("paginator_state", &self.paginator_state)
            .field("detected", &self.detected)
            .finish_non_exhaustive()
    }
}

/// The stream of pages returned by [`PaginateExt::paginate`].
#[must_use = "streams do nothing unless polled"]
pub struct PageStream {
    inner: Pin<Box<dyn Stream<Item = Result<Page, PaginateError>> + Send>>,
}

impl fmt::Debug for PageStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PageStream(..)")
    }
}

impl Stream for PageStream {
    type Item = Result<Page, PaginateError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }
}

/// Turns any request/response service into a paginating one.
///
/// ```no_run
/// use futures_util::TryStreamExt;
/// use restclient_paginate::{OffsetPaginator, PaginateExt, PaginateOptions};
/// # async fn run<S>(service: S) -> Result<(), Box<dyn std::error::Error>>
/// # where S: tower::Service<restclient_core::Request, Response = restclient_core::Response> + Send + 'static,
/// #       S::Error: Into<restclient_core::BoxError>, S::Future: Send + 'static {
/// let request = http::Request::get("http://127.0.0.1:8080/items").body(bytes::Bytes::new())?;
/// let options = PaginateOptions {
///     paginator: Some(Box::new(OffsetPaginator::with_limit(100))),
///     data_selector: Some(restclient_select::Selector::parse("data")?),
///     ..Default::default()
/// };
/// let mut pages = service.paginate(request, options);
/// while let Some(page) = pages.try_next().await? {
///     for record in page.records() {
///         println!("{}", String::from_utf8_lossy(record.as_bytes()));
///     }
/// }
/// # Ok(()) }
/// ```
pub trait PaginateExt: Sized {
    /// Sends `request`, then the requests the paginator derives from each response, yielding one
    /// [`Page`] per response until the paginator stops, a hook stops, or an error occurs (the
    /// error is the last item).
    fn paginate(self, request: Request, options: PaginateOptions) -> PageStream;
}

impl<S> PaginateExt for S
where
    S: Service<Request, Response = Response> + Send + 'static,
    S::Error: Into<BoxError>,
    S::Future: Send + 'static,
{
    fn paginate(self, mut request: Request, options: PaginateOptions) -> PageStream {
        let PaginateOptions {
            paginator,
            data_selector,
            response_hooks,
            raise_for_status,
        } = options;
        let mut pending_error = None;
        let mut paginator = paginator;
        if let Some(p) = paginator.as_mut()
            && let Err(e) = p.init_request(&mut request)
        {
            pending_error = Some(e);
        }
        let raise = raise_for_status.unwrap_or(response_hooks.is_empty());
        let mut run = Run {
            service: self,
            next: Some(request),
            paginator,
            selector: data_selector,
            query: Query::new([]),
            hooks: response_hooks,
            raise,
            pending_error,
            index: 0,
        };
        run.rebuild_query();
        let stream = futures_util::stream::unfold(run, |mut run| async move {
            let item = run.step().await?;
            Some((item, run))
        });
        PageStream {
            inner: Box::pin(stream),
        }
    }
}

struct Run<S> {
    service: S,
    /// The next request to send; `None` once the run is over.
    next: Option<Request>,
    paginator: Option<Box<dyn Paginator>>,
    selector: Option<Selector>,
    query: Query,
    hooks: Vec<ResponseHook>,
    raise: bool,
    /// An error to report after the page just yielded (a failed next request, a loop).
    pending_error: Option<PaginateError>,
    index: usize,
}

impl<S> Run<S>
where
    S: Service<Request, Response = Response>,
    S::Error: Into<BoxError>,
{
    fn rebuild_query(&mut self) {
        let paginator_paths = self.paginator.as_ref().map(|p| p.selectors()).unwrap_or_default();
        self.query = Query::new(self.selector.iter().chain(paginator_paths.iter()));
    }

    /// One page, `None` at the end. Every error also ends the run.
    async fn step(&mut self) -> Option<Result<Page, PaginateError>> {
        if let Some(e) = self.pending_error.take() {
            self.next = None;
            return Some(Err(e));
        }
        let request = self.next.take()?;
        let result = self.fetch(request).await;
        result.transpose()
    }

    async fn fetch(&mut self, request: Request) -> Result<Option<Page>, PaginateError> {
        tracing::debug!(method = %request.method(), url = %redact::redact_uri(request.uri()), page = self.index, "requesting page");
        let transport = |source: BoxError, request: &Request| PaginateError::Transport {
            url: redact::redact_uri(request.uri()),
            source,
        };
        let service = self
            .service
            .ready()
            .await
            .map_err(|e| transport(e.into(), &request))?;
        let response = service
            .call(request.clone())
            .await
            .map_err(|e| transport(e.into(), &request))?;

        for hook in &self.hooks {
            match hook.call(&response).map_err(PaginateError::Hook)? {
                HookAction::Continue => {}
                HookAction::Stop => {
                    tracing::info!(status = %response.status(), "a response hook ended pagination");
                    return Ok(None);
                }
            }
        }
        let url = response_uri(&response)
            .cloned()
            .unwrap_or_else(|| request.uri().clone());
        if self.raise && (response.status().is_client_error() || response.status().is_server_error()) {
            let shown = url.to_string();
            return Err(StatusError::from_response(request.method(), &shown, &response).into());
        }
        let (parts, body) = response.into_parts();

        // first page: detect the paginator (a Value parse of this one body, once per run)
        let mut detected = None;
        if self.paginator.is_none() {
            let value: serde_json::Value = match serde_json::from_slice(&body) {
                Ok(v) => v,
                Err(_) => {
                    // let the selector crate describe the malformed body
                    Document::parse(body.clone(), &Query::new([]))?;
                    serde_json::Value::Null
                }
            };
            let (paginator, detection) = detect_paginator(&parts.headers, &value);
            self.paginator = Some(paginator);
            detected = Some(detection);
            self.rebuild_query();
        }

        let document = Document::parse(body.clone(), &self.query)?;
        let (selector, records) = match &self.selector {
            Some(selector) => (selector.clone(), document.records(selector)?),
            None => {
                let (selector, records) = document.detect_records()?;
                tracing::info!(data_selector = %selector, "record path detected");
                self.selector = Some(selector.clone());
                self.rebuild_query();
                (selector, records)
            }
        };

        let Some(paginator) = self.paginator.as_mut() else {
            // set above when it was missing
            return Ok(None);
        };
        paginator.update_state(&PageContext {
            request: &request,
            status: parts.status,
            headers: &parts.headers,
            document: &document,
            records: &records,
        })?;
        let has_next_page = paginator.has_next_page();
        if has_next_page {
            let mut next = request.clone();
            match paginator.update_request(&mut next) {
                Ok(()) if same_request(&next, &request) => {
                    self.pending_error = Some(PaginateError::Loop {
                        method: next.method().clone(),
                        url: redact::redact_uri(next.uri()),
                    });
                }
                Ok(()) => self.next = Some(next),
                Err(e) => self.pending_error = Some(e),
            }
        } else {
            tracing::info!(pages = self.index + 1, "pagination finished");
        }
        let page = Page {
            records,
            paginator: paginator.name(),
            paginator_state: paginator.state(),
            request,
            status: parts.status,
            headers: parts.headers,
            url,
            body,
            data_selector: selector,
            has_next_page,
            detected,
            index: self.index,
        };
        self.index += 1;
        Ok(Some(page))
    }
}

fn same_request(a: &Request, b: &Request) -> bool {
    a.method() == b.method() && a.uri() == b.uri() && a.body() == b.body()
}
