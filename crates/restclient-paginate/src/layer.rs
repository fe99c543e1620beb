//! Pagination as a tower [`Layer`]: [`PaginateLayer`] wraps a service into [`Paginate`], a
//! `Service<Request>` whose response is the [`PageStream`] of every page.
//!
//! One request becomes many, so the pagination layer goes **outermost**: the layers below it
//! (retry, auth, timeouts, rate limits, tower's own) see each page's request on its own, and each
//! page is retried or authenticated by itself. Every call paginates afresh with a clone of the
//! options (a fresh paginator) over a clone of the inner service, so the inner service must be
//! `Clone`. Calling is instant and never fails: errors arrive in the stream, as with
//! [`PaginateExt::paginate`], which this is the same as.
//!
//! ```
//! use std::time::Duration;
//! use bytes::Bytes;
//! use futures_util::TryStreamExt;
//! use restclient_core::{BoxError, Request};
//! use restclient_paginate::{PaginateLayer, PaginateOptions, PaginatorConfig};
//! use tower::{Service, ServiceBuilder, ServiceExt};
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), BoxError> {
//! // a stand-in for the HTTP client: two pages, linked by `next`
//! let client = tower::service_fn(|request: Request| async move {
//!     let body = match request.uri().query() {
//!         None => r#"{"data": [1, 2], "next": "/items?page=2"}"#,
//!         Some(_) => r#"{"data": [3], "next": null}"#,
//!     };
//!     Ok::<_, BoxError>(http::Response::new(Bytes::from(body)))
//! });
//! let paginator: PaginatorConfig = r#"{"type": "json_link"}"#.parse()?;
//! let mut service = ServiceBuilder::new()
//!     .layer(PaginateLayer::from_config(&paginator, Some("data"))?)
//!     .timeout(Duration::from_secs(30)) // every page's request has its own deadline
//!     .service(client);
//!
//! let request = http::Request::get("http://api.example/items").body(Bytes::new())?;
//! let pages = service.ready().await?.call(request).await?;
//! let records: Vec<usize> = pages.map_ok(|page| page.records.len()).try_collect().await?;
//! assert_eq!(records, [2, 1]);
//! # Ok(()) }
//! ```

use std::convert::Infallible;
use std::future::{Ready, ready};
use std::task::{Context, Poll};

use restclient_core::{BoxError, Request, Response};
use restclient_select::Selector;
use tower::{Layer, Service};

use crate::{PageStream, PaginateError, PaginateExt, PaginateOptions, PaginatorConfig};

/// A [`Layer`] that turns a service into a paginating one; see the [module docs](self).
#[derive(Debug, Clone, Default)]
pub struct PaginateLayer {
    options: PaginateOptions,
}

impl PaginateLayer {
    /// Paginates with these options (paginator, record path, hooks, concurrency, ...).
    pub fn new(options: PaginateOptions) -> PaginateLayer {
        PaginateLayer { options }
    }

    /// Paginates with the paginator a declarative config describes (`auto`: detected) and the
    /// records at `data_selector` (`None`: detected); the other options are the defaults.
    pub fn from_config(
        paginator: &PaginatorConfig,
        data_selector: Option<&str>,
    ) -> Result<PaginateLayer, PaginateError> {
        let data_selector = data_selector.map(Selector::parse).transpose()?;
        Ok(PaginateLayer::new(PaginateOptions {
            paginator: paginator.build()?,
            data_selector,
            ..Default::default()
        }))
    }

    /// The options each call starts from.
    pub fn options(&self) -> &PaginateOptions {
        &self.options
    }
}

impl<S> Layer<S> for PaginateLayer {
    type Service = Paginate<S>;

    fn layer(&self, inner: S) -> Paginate<S> {
        Paginate {
            inner,
            options: self.options.clone(),
        }
    }
}

/// A service that answers a request with the stream of its pages; built by [`PaginateLayer`].
#[derive(Debug, Clone)]
pub struct Paginate<S> {
    inner: S,
    options: PaginateOptions,
}

impl<S> Paginate<S> {
    /// Wraps `inner`, paginating with `options`.
    pub fn new(inner: S, options: PaginateOptions) -> Paginate<S> {
        Paginate { inner, options }
    }

    /// The inner service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// The inner service, mutably.
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.inner
    }

    /// Unwraps the inner service.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S> Service<Request> for Paginate<S>
where
    S: Service<Request, Response = Response> + Clone + Send + 'static,
    S::Error: Into<BoxError>,
    S::Future: Send + 'static,
{
    type Response = PageStream;
    type Error = Infallible;
    type Future = Ready<Result<PageStream, Infallible>>;

    /// Always ready: the inner service is made ready for each page's request inside the stream.
    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request) -> Self::Future {
        ready(Ok(self.inner.clone().paginate(request, self.options.clone())))
    }
}
