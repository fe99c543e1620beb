//! The page loop as named steps. For every response, in order (dlt §1.4):
//!
//! 1. **send**: the request goes through the service (its retry, auth and timeout layers);
//! 2. **check**: the response hooks run, one may end pagination cleanly ([`HookAction::Stop`],
//!    dlt's `IgnoreResponseException`) or fail; then a status ≥ 400 is a
//!    [`PaginateError::Status`] unless response hooks were given (a custom hook replaces dlt's
//!    default `raise_for_status`; [`PaginateOptions::raise_for_status`] overrides);
//! 3. **read**: the body is scanned **once** for every selector the page needs (records, total,
//!    cursor, ...); on the first page the record path and the paginator are detected when not
//!    given;
//! 4. **advance**: the paginator reads the page (an error here ends the run before the page is
//!    yielded) and the next request is prepared; then the page is yielded.
//!
//! [`Run`] holds everything but the service, so a driver decides when and how requests go out:
//! one at a time ([`crate::stream`]) or several ahead, and the run's position after *advance* is
//! complete (the next request and the paginator's state).
//!
//! # Differs from dlt
//! A next request already sent in the run (method, URL with query, body; see [`crate::seen`]) is
//! a [`PaginateError::Loop`] after the page, instead of an endless loop. [`Page::request`] is the
//! request that fetched the page (dlt's `page.request` is the already-advanced shared request).
//! [`PaginateOptions::max_pages`] ends the run cleanly after that many pages.

use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use http::Uri;
use http::response::Parts;
use restclient_core::{BoxError, Request, Response, StatusError, redact, response_uri};
use restclient_select::{Document, Query, RawRecord, Selector};
use tower::{Service, ServiceExt};

use crate::checkpoint::{ResumePoint, RunIdentity};
use crate::detect::{self, Detection, detect_paginator};
use crate::seen::SentRequests;
use crate::{
    HookAction, Page, PageContext, PaginateError, PaginateOptions, Paginator, PaginatorConfig, ResponseHook,
};

/// A pagination run: where it stands (the next request) and what it reads pages with.
#[derive(Debug)]
pub(crate) struct Run {
    paginator: Option<Box<dyn Paginator>>,
    selector: Option<Selector>,
    /// Every path the page's single scan gathers: the records' and the paginator's.
    query: Query,
    hooks: Vec<ResponseHook>,
    raise: bool,
    /// The next request to send; `None` once the run is over.
    next: Option<Request>,
    /// An error to report after the page just yielded (a failed next request, a loop).
    pending_error: Option<PaginateError>,
    index: usize,
    /// The requests sent so far, to stop on a loop.
    sent: SentRequests,
    /// Pages left before the cap, when there is one.
    pages_left: Option<usize>,
    /// What the run's checkpoints are checked against.
    identity: Arc<RunIdentity>,
    /// The paginator auto-detection chose, as config, for checkpoints.
    detected: Option<Arc<PaginatorConfig>>,
    /// Where the run failed, once it has: shared with the [`PageStream`](crate::PageStream).
    pub(crate) failure: Arc<OnceLock<FailureSite>>,
}

/// Where a run failed: the page it was fetching and that page's request URL (when it had one).
#[derive(Debug, Clone)]
pub(crate) struct FailureSite {
    pub(crate) page: usize,
    pub(crate) url: Option<Uri>,
}

/// A response that passed the checks, read: its records selected, its body scanned.
struct ReadPage {
    url: Uri,
    parts: Parts,
    body: Bytes,
    document: Document,
    selector: Selector,
    records: Vec<RawRecord>,
    detected: Option<Detection>,
}

impl Run {
    /// A run whose first request is `request`; the paginator prepares it.
    pub(crate) fn start(mut request: Request, options: PaginateOptions) -> Run {
        let PaginateOptions {
            mut paginator,
            data_selector,
            response_hooks,
            raise_for_status,
            max_pages,
            concurrency,
            resume,
        } = options;
        let identity = Arc::new(RunIdentity::of(
            &request,
            paginator.as_deref(),
            data_selector.as_ref(),
        ));
        let raise = raise_for_status.unwrap_or(response_hooks.is_empty());
        let mut run = Run {
            paginator: None,
            selector: None,
            query: Query::new([]),
            hooks: response_hooks,
            raise,
            next: None,
            pending_error: None,
            index: 0,
            sent: SentRequests::default(),
            pages_left: max_pages,
            identity,
            detected: None,
            failure: Arc::default(),
        };
        if let Some(checkpoint) = resume {
            match checkpoint.resume(&request, paginator, data_selector, &run.identity) {
                Ok(resumed) => {
                    run.paginator = Some(resumed.paginator);
                    run.selector = Some(resumed.selector);
                    run.detected = resumed.detected;
                    run.next = resumed.next;
                    run.pending_error = resumed.failure;
                    run.index = resumed.index;
                }
                Err(e) => run.pending_error = Some(e),
            }
        } else {
            if let Some(p) = paginator.as_mut()
                && let Err(e) = p.init_request(&mut request)
            {
                run.pending_error = Some(e);
            }
            run.paginator = paginator;
            run.selector = data_selector;
            run.next = Some(request);
        }
        if max_pages == Some(0) {
            run.pending_error = Some(PaginateError::config("`max_pages` must be at least 1"));
        }
        if concurrency == 0 {
            run.pending_error = Some(PaginateError::config("`concurrency` must be at least 1"));
        }
        if let Some(first) = &run.next {
            run.sent.insert(first, run.index);
        }
        run.rebuild_query();
        run
    }

    fn rebuild_query(&mut self) {
        let paginator_paths = self.paginator.as_ref().map(|p| p.selectors()).unwrap_or_default();
        self.query = Query::new(self.selector.iter().chain(paginator_paths.iter()));
    }

    /// The request to send next, `None` at the end, or the error that ends the run first.
    pub(crate) fn take_next(&mut self) -> Option<Result<Request, PaginateError>> {
        if let Some(e) = self.pending_error.take() {
            let _ = self.failure.set(FailureSite {
                page: self.index,
                url: self.next.as_ref().map(|r| r.uri().clone()),
            });
            self.next = None;
            return Some(Err(e));
        }
        self.next.take().map(Ok)
    }

    /// The request to send next, unless the run is over or about to fail.
    pub(crate) fn next_request(&self) -> Option<&Request> {
        match self.pending_error {
            Some(_) => None,
            None => self.next.as_ref(),
        }
    }

    /// The next request and the ones the paginator can name after it: at most `width` in all,
    /// and no more than the pages left under `max_pages`.
    pub(crate) fn requests_from_next(&self, width: usize) -> Vec<Request> {
        let Some(next) = self.next_request() else {
            return Vec::new();
        };
        let mut ahead = width.saturating_sub(1);
        if let Some(left) = self.pages_left {
            ahead = ahead.min(left.saturating_sub(1));
        }
        let mut requests = vec![next.clone()];
        if let Some(paginator) = &self.paginator
            && ahead > 0
        {
            requests.extend(paginator.requests_ahead(next, ahead).into_iter().take(ahead));
        }
        requests
    }

    /// Turns the outcome of sending `request` (the one [`take_next`](Run::take_next) returned)
    /// into the page, `None` when a hook ended the run. Every error ends the run.
    pub(crate) fn finish(
        &mut self,
        request: Request,
        response: Result<Response, PaginateError>,
    ) -> Option<Result<Page, PaginateError>> {
        let uri = request.uri().clone();
        let page = response.and_then(|response| self.page(request, response));
        if page.is_err() {
            let _ = self.failure.set(FailureSite {
                page: self.index,
                url: Some(uri),
            });
        }
        if !matches!(page, Ok(Some(_))) {
            self.next = None;
            self.pending_error = None;
        }
        page.transpose()
    }

    fn page(&mut self, request: Request, response: Response) -> Result<Option<Page>, PaginateError> {
        let Some(response) = self.check(&request, response)? else {
            return Ok(None);
        };
        let read = self.read(&request, response)?;
        let has_next_page = self.advance(&request, &read)?;
        let resume = ResumePoint {
            identity: self.identity.clone(),
            detected: self.detected.clone(),
            next: self.next.clone(),
            failed: self.pending_error.as_ref().map(ToString::to_string),
            next_index: self.index + 1,
        };
        self.apply_cap();
        let paginator = self.paginator.as_ref().ok_or_else(no_paginator)?;
        let page = Page {
            records: read.records,
            paginator: paginator.name(),
            paginator_state: paginator.state(),
            request,
            status: read.parts.status,
            headers: read.parts.headers,
            url: read.url,
            body: read.body,
            data_selector: read.selector,
            has_next_page,
            detected: read.detected,
            index: self.index,
            resume,
        };
        self.index += 1;
        Ok(Some(page))
    }

    /// Step 2: the hooks, then the status. `None` when a hook ends the run.
    fn check(&self, request: &Request, response: Response) -> Result<Option<Response>, PaginateError> {
        for hook in &self.hooks {
            match hook.call(&response).map_err(PaginateError::Hook)? {
                HookAction::Continue => {}
                HookAction::Stop => {
                    tracing::info!(status = %response.status(), "a response hook ended pagination");
                    return Ok(None);
                }
            }
        }
        let status = response.status();
        if self.raise && (status.is_client_error() || status.is_server_error()) {
            let url = response_uri(&response).unwrap_or_else(|| request.uri());
            let shown = url.to_string();
            return Err(StatusError::from_response(request.method(), &shown, &response).into());
        }
        Ok(Some(response))
    }

    /// Step 3: the body scanned once; the paginator and the record path detected on the first
    /// page when not given.
    fn read(&mut self, request: &Request, response: Response) -> Result<ReadPage, PaginateError> {
        let url = response_uri(&response)
            .cloned()
            .unwrap_or_else(|| request.uri().clone());
        let (parts, body) = response.into_parts();

        // first page: detect the paginator (a Value parse of this one body, once per run)
        let mut detected = None;
        if self.paginator.is_none() {
            let (paginator, detection) = match detect::body_value(&body) {
                // with the caller's data selector, the warning compares a total with the records
                // it selects (one more scan, of the first page only)
                Ok(value) => match &self.selector {
                    Some(selector) => {
                        let first = Document::parse(body.clone(), &Query::new([selector]))?;
                        let records = first.records(selector)?.len();
                        detect::detect_paginator_with_records(&parts.headers, &value, records)
                    }
                    None => detect_paginator(&parts.headers, &value),
                },
                Err(reason) => {
                    // a malformed body: let the selector crate describe it
                    Document::parse(body.clone(), &Query::new([]))?;
                    // valid JSON no Value can hold: one page, with a warning saying why
                    detect::unreadable(&reason)
                }
            };
            self.detected = paginator.config().map(Arc::new);
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
        Ok(ReadPage {
            url,
            parts,
            body,
            document,
            selector,
            records,
            detected,
        })
    }

    /// Step 4: the paginator reads the page and writes the next request. Returns whether the
    /// paginator has a next page; a failure to build that request (or a loop) is reported after
    /// this page.
    fn advance(&mut self, request: &Request, read: &ReadPage) -> Result<bool, PaginateError> {
        let paginator = self.paginator.as_mut().ok_or_else(no_paginator)?;
        paginator.update_state(&PageContext {
            request,
            status: read.parts.status,
            headers: &read.parts.headers,
            document: &read.document,
            records: &read.records,
        })?;
        let has_next_page = paginator.has_next_page();
        if has_next_page {
            let mut next = request.clone();
            match paginator.update_request(&mut next) {
                Ok(()) => match self.sent.insert(&next, self.index + 1) {
                    Some(page) => {
                        self.pending_error = Some(PaginateError::Loop {
                            method: next.method().clone(),
                            url: redact::redact_uri(next.uri()),
                            page,
                        });
                    }
                    None => self.next = Some(next),
                },
                Err(e) => self.pending_error = Some(e),
            }
        } else {
            tracing::info!(pages = self.index + 1, "pagination finished");
        }
        Ok(has_next_page)
    }

    /// Ends the run cleanly once `max_pages` pages were read.
    fn apply_cap(&mut self) {
        if let Some(left) = &mut self.pages_left {
            *left = left.saturating_sub(1);
            if *left == 0 && (self.next.is_some() || self.pending_error.is_some()) {
                tracing::info!(pages = self.index + 1, "stopping at `max_pages`");
                self.next = None;
                self.pending_error = None;
            }
        }
    }
}

/// Step 1: one request through the service (readiness, then the call); a failure names the URL.
pub(crate) async fn send<S>(service: &mut S, request: Request) -> Result<Response, PaginateError>
where
    S: Service<Request, Response = Response>,
    S::Error: Into<BoxError>,
{
    tracing::debug!(method = %request.method(), url = %redact::redact_uri(request.uri()), "requesting page");
    let transport = |source: BoxError, uri: &Uri| PaginateError::Transport {
        url: redact::redact_uri(uri),
        source,
    };
    let ready = match service.ready().await {
        Ok(ready) => ready,
        Err(e) => return Err(transport(e.into(), request.uri())),
    };
    let uri = request.uri().clone();
    ready.call(request).await.map_err(|e| transport(e.into(), &uri))
}

fn no_paginator() -> PaginateError {
    // `read` sets the paginator (given or detected) before anything asks for it.
    PaginateError::config("no paginator after reading the page")
}
