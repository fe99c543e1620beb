//! The pagination adapter: one request in, a [`Stream`] of [`Page`]s out.
//!
//! [`PaginateExt::paginate`] works on any cloneable `tower::Service<Request, Response = Response>`:
//! the transport with its retry, auth and timeout layers, or a test double. Pages are fetched
//! lazily and nothing is collected: memory stays constant whatever the page count. Each page goes
//! through four steps: send, check, read, advance (see `run.rs`); with
//! [`PaginateOptions::concurrency`] above 1 a driver sends requests ahead (see `prefetch.rs`).

use std::fmt;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};

use futures_core::Stream;
use http::Uri;
use restclient_core::{BoxError, Request, Response};
use tower::Service;

use crate::prefetch::Prefetch;
use crate::run::{FailureSite, Run, send};
use crate::{Page, PaginateError, PaginateOptions};

/// The stream of pages returned by [`PaginateExt::paginate`].
#[must_use = "streams do nothing unless polled"]
pub struct PageStream {
    inner: Pin<Box<dyn Stream<Item = Result<Page, PaginateError>> + Send>>,
    failure: Arc<OnceLock<FailureSite>>,
}

impl PageStream {
    /// After the stream yielded an error: the index of the page it was fetching and the URL of
    /// that page's request (not redacted; `None` when the run failed before it had one, as with
    /// an invalid configuration). Errors of some kinds do not carry these themselves (a
    /// malformed body, a missing total); this says where they happened.
    pub fn failed_at(&self) -> Option<(usize, Option<&Uri>)> {
        self.failure.get().map(|site| (site.page, site.url.as_ref()))
    }
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

/// Turns any cloneable request/response service into a paginating one.
///
/// The service must be `Clone` (as tower services usually are, and
/// [`BoxCloneSyncService`](tower::util::BoxCloneSyncService) is) because fetching ahead sends
/// requests over clones of it; with the default [`concurrency`](PaginateOptions::concurrency)
/// of 1 the service is never cloned. Wrap a service that is not `Clone` in
/// `tower::buffer::Buffer`.
///
/// # Fetching ahead
/// With `concurrency: N` above 1, up to N requests are in flight and pages are still yielded in
/// order: the paginator reads page k before page k + 1 exactly as with one request at a time,
/// the next request goes out as soon as a page is read (while the consumer handles it), and
/// offset and page-number paginators also send the requests they can name ahead: within the
/// total once the first response states it (never past the end), within `maximum_offset` /
/// `maximum_page`, or speculatively without either (at most N - 1 requests past the end, their
/// pages dropped). A prefetched response is used only if its request is the one derived page by
/// page; a request that fails for good ends the run at its position; dropping the stream aborts
/// what is in flight. Cursor and link styles cannot name requests ahead, so they gain only the
/// overlap with the consumer.
///
/// ```no_run
/// use futures_util::TryStreamExt;
/// use restclient_paginate::{OffsetPaginator, PaginateExt, PaginateOptions};
/// # async fn run<S>(service: S) -> Result<(), Box<dyn std::error::Error>>
/// # where S: tower::Service<restclient_core::Request, Response = restclient_core::Response> + Clone + Send + 'static,
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
    S: Service<Request, Response = Response> + Clone + Send + 'static,
    S::Error: Into<BoxError>,
    S::Future: Send + 'static,
{
    fn paginate(self, request: Request, options: PaginateOptions) -> PageStream {
        let width = options.concurrency;
        let run = Run::start(request, options);
        let failure = run.failure.clone();
        if width > 1 {
            let driver = Prefetch::new(self, width);
            let stream = futures_util::stream::unfold((driver, run), |(mut driver, mut run)| async move {
                let item = driver.step(&mut run).await?;
                Some((item, (driver, run)))
            });
            return PageStream {
                inner: Box::pin(stream),
                failure,
            };
        }
        let stream = futures_util::stream::unfold((self, run), |(mut service, mut run)| async move {
            let item = match run.take_next()? {
                Ok(request) => {
                    let response = send(&mut service, request.clone()).await;
                    run.finish(request, response)?
                }
                Err(e) => Err(e),
            };
            Some((item, (service, run)))
        });
        PageStream {
            inner: Box::pin(stream),
            failure,
        }
    }
}
