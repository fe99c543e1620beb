//! Building one request ([`RequestBuilder`]) or a pagination ([`PaginateBuilder`]).

use std::fmt;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_core::Stream;
use futures_util::StreamExt;
use http::{HeaderMap, HeaderName, HeaderValue, Method};
use restclient_auth::{AuthConfig, Authenticate, SharedAuth};
use restclient_core::{Request, Response as HttpResponse, redact};
use restclient_paginate::{
    Checkpoint, HookAction, Page, PageStream, PaginateExt, PaginateOptions, Paginator, PaginatorConfig,
    ResponseHook,
};
use restclient_select::Selector;
use serde::de::DeserializeOwned;
use tower::ServiceExt;

use crate::{Error, Response, RestClient, url};

/// What one call sends, before it becomes an `http::Request`. Builder errors wait here until the
/// call is made, so the builders stay chainable.
struct CallSpec {
    client: RestClient,
    method: Method,
    path: String,
    params: Vec<(String, String)>,
    headers: HeaderMap,
    body: Option<(Bytes, Option<HeaderValue>)>,
    auth: Option<SharedAuth>,
    error: Option<Error>,
}

impl CallSpec {
    fn new(client: RestClient, method: Method, path: &str) -> CallSpec {
        let auth = client.inner.auth.clone();
        CallSpec {
            client,
            method,
            path: path.to_owned(),
            params: Vec::new(),
            headers: HeaderMap::new(),
            body: None,
            auth,
            error: None,
        }
    }

    fn fail(&mut self, error: Error) {
        self.error.get_or_insert(error);
    }

    fn header(&mut self, name: &str, value: &str) {
        match (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            (Ok(n), Ok(v)) => {
                self.headers.insert(n, v);
            }
            _ => self.fail(Error::config(format!(
                "invalid header {name:?}: {}",
                redact::redact_header(name, value.as_bytes())
            ))),
        }
    }

    fn json(&mut self, body: &impl serde::Serialize) {
        match serde_json::to_vec(body) {
            Ok(bytes) => {
                self.body = Some((
                    Bytes::from(bytes),
                    Some(HeaderValue::from_static("application/json")),
                ));
            }
            Err(e) => self.fail(Error::from(e)),
        }
    }

    fn auth_config(&mut self, config: &AuthConfig) {
        match config.build() {
            Ok(auth) => self.auth = Some(auth),
            Err(e) => self.fail(e.into()),
        }
    }

    /// The URL (joined, with params) and the request.
    fn into_request(self) -> Result<(RestClient, Option<SharedAuth>, String, Request), Error> {
        if let Some(e) = self.error {
            return Err(e);
        }
        let joined = url::join_url(self.client.base_url(), &self.path)?;
        let full = url::with_params(&joined, &self.params);
        let request = self
            .client
            .build_request(self.method, &full, &self.headers, self.body)?;
        Ok((self.client, self.auth, full, request))
    }
}

macro_rules! common_setters {
    () => {
        /// Adds a query parameter (repeatable; order kept, after any query the path has).
        pub fn param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
            self.spec.params.push((name.into(), value.into()));
            self
        }

        /// Adds several query parameters.
        pub fn params<K: Into<String>, V: Into<String>>(
            mut self,
            params: impl IntoIterator<Item = (K, V)>,
        ) -> Self {
            self.spec
                .params
                .extend(params.into_iter().map(|(k, v)| (k.into(), v.into())));
            self
        }

        /// Sets a header for this call; it wins over the client's header of the same name.
        pub fn header(mut self, name: &str, value: &str) -> Self {
            self.spec.header(name, value);
            self
        }

        /// Sends `body` as JSON (`Content-Type: application/json`).
        pub fn json(mut self, body: &impl serde::Serialize) -> Self {
            self.spec.json(body);
            self
        }

        /// Sends raw bytes with an optional content type.
        pub fn body(mut self, body: impl Into<Bytes>, content_type: Option<&'static str>) -> Self {
            self.spec.body = Some((body.into(), content_type.map(HeaderValue::from_static)));
            self
        }

        /// Sends `pairs` form-encoded (`application/x-www-form-urlencoded`).
        pub fn form<K: AsRef<str>, V: AsRef<str>>(mut self, pairs: impl IntoIterator<Item = (K, V)>) -> Self {
            let mut form = form_urlencoded::Serializer::new(String::new());
            for (k, v) in pairs {
                form.append_pair(k.as_ref(), v.as_ref());
            }
            self.spec.body = Some((
                Bytes::from(form.finish()),
                Some(HeaderValue::from_static(
                    "application/x-www-form-urlencoded",
                )),
            ));
            self
        }

        /// Authenticates this call with `auth` instead of the client's.
        pub fn auth(mut self, auth: impl Authenticate) -> Self {
            self.spec.auth = Some(Arc::new(auth));
            self
        }

        /// Authenticates this call as a dlt auth dict says, instead of the client's auth.
        pub fn auth_config(mut self, config: AuthConfig) -> Self {
            self.spec.auth_config(&config);
            self
        }

        /// Sends this call without credentials.
        pub fn no_auth(mut self) -> Self {
            self.spec.auth = None;
            self
        }
    };
}

/// One request; [`send`](RequestBuilder::send) it.
///
/// ```no_run
/// # async fn run(client: restclient::RestClient) -> Result<(), restclient::Error> {
/// let user: serde_json::Value = client.get("/users/42").send().await?.error_for_status()?.json()?;
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until it is sent"]
pub struct RequestBuilder {
    spec: CallSpec,
}

impl fmt::Debug for RequestBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestBuilder")
            .field("method", &self.spec.method)
            .field("path", &redact::redact_url(&self.spec.path))
            .finish_non_exhaustive()
    }
}

impl RequestBuilder {
    pub(crate) fn new(client: RestClient, method: Method, path: &str) -> RequestBuilder {
        RequestBuilder {
            spec: CallSpec::new(client, method, path),
        }
    }

    common_setters!();

    /// Sends the request through retry, auth and the client, and buffers the response.
    ///
    /// A 4xx/5xx response is returned, not an error (dlt's `get()`); see
    /// [`Response::error_for_status`].
    ///
    /// # Errors
    /// An invalid URL or setting, an auth failure, or a transport failure after retries.
    pub async fn send(self) -> Result<Response, Error> {
        let method = self.spec.method.clone();
        let (client, auth, full_url, request) = self.spec.into_request()?;
        let uri = request.uri().clone();
        let stack = client.stack(auth.as_ref(), &full_url)?;
        let response: HttpResponse = stack
            .oneshot(request)
            .await
            .map_err(|e| Error::from_stack(e, &full_url))?;
        Ok(Response::new(response, method, uri))
    }
}

/// Every page of one endpoint: configure, then take [`pages`](PaginateBuilder::pages) or
/// [`records_as`](PaginateBuilder::records_as).
///
/// The paginator, data selector and auth default to the client's; each call can override them.
/// With no paginator anywhere, one is detected from the first response as dlt does, and with no
/// data selector the records are found as dlt finds them.
#[must_use = "a pagination does nothing until its pages are polled"]
pub struct PaginateBuilder {
    spec: CallSpec,
    paginator: Option<Box<dyn Paginator>>,
    data_selector: Option<Selector>,
    hooks: Vec<ResponseHook>,
    raise_for_status: Option<bool>,
    max_pages: Option<usize>,
    concurrency: usize,
    resume: Option<Checkpoint>,
}

impl fmt::Debug for PaginateBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PaginateBuilder")
            .field("method", &self.spec.method)
            .field("path", &redact::redact_url(&self.spec.path))
            .field("paginator", &self.paginator)
            .field("data_selector", &self.data_selector)
            .finish_non_exhaustive()
    }
}

impl PaginateBuilder {
    pub(crate) fn new(client: RestClient, path: &str) -> PaginateBuilder {
        // A fresh copy per call: two paginations never share paginator state.
        let paginator = client.inner.paginator.clone();
        let data_selector = client.inner.data_selector.clone();
        PaginateBuilder {
            spec: CallSpec::new(client, Method::GET, path),
            paginator,
            data_selector,
            hooks: Vec::new(),
            raise_for_status: None,
            max_pages: None,
            concurrency: 1,
            resume: None,
        }
    }

    common_setters!();

    /// The HTTP method (default `GET`; `POST` for body pagination).
    pub fn method(mut self, method: Method) -> Self {
        self.spec.method = method;
        self
    }

    /// The paginator for this call.
    pub fn paginator(mut self, paginator: impl Paginator + 'static) -> Self {
        self.paginator = Some(Box::new(paginator));
        self
    }

    /// The paginator for this call, as a dlt paginator dict or name; `"auto"` detects one.
    pub fn paginator_config(mut self, config: PaginatorConfig) -> Self {
        match config.build() {
            Ok(p) => self.paginator = p,
            Err(e) => self.spec.fail(e.into()),
        }
        self
    }

    /// The JSONPath to the records for this call.
    pub fn data_selector(mut self, path: &str) -> Self {
        match Selector::parse(path) {
            Ok(s) => self.data_selector = Some(s),
            Err(e) => self.spec.fail(e.into()),
        }
        self
    }

    /// Runs `hook` on every response before it is parsed; [`HookAction::Stop`] ends the
    /// pagination quietly (dlt's `IgnoreResponseException`). As in dlt, once any hook is given
    /// error statuses are no longer raised unless [`raise_for_status`](Self::raise_for_status)
    /// says so.
    pub fn hook(
        mut self,
        hook: impl Fn(&HttpResponse) -> Result<HookAction, restclient_core::BoxError> + Send + Sync + 'static,
    ) -> Self {
        self.hooks.push(ResponseHook::new(hook));
        self
    }

    /// Whether a 4xx/5xx response ends the pagination with an error (default: yes, unless hooks
    /// are given).
    pub fn raise_for_status(mut self, raise: bool) -> Self {
        self.raise_for_status = Some(raise);
        self
    }

    /// Up to `n` requests in flight for this pagination (default 1, as dlt). The pages, their
    /// order and their records are the same at every `n`: offset and page-number paginators that
    /// know their total (or a maximum) fetch the next pages ahead and never past the end; without
    /// a total at most `n - 1` requests go past the end and their pages are dropped; cursors and
    /// links learn the next request from the previous response, so for them `n > 1` only overlaps
    /// the next request with the consumer's work on the current page. `0` is a config error.
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n;
        self
    }

    /// Continues the run a [`Page::checkpoint`] was taken from: the recorded next request is sent
    /// (with this call's headers and auth, which a checkpoint never holds) and the pages that
    /// followed are yielded. A checkpoint of another run (URL, params, body, paginator or
    /// selector) is refused before any request with an error for which
    /// [`Error::is_checkpoint`] holds.
    pub fn resume(mut self, checkpoint: Checkpoint) -> Self {
        self.resume = Some(checkpoint);
        self
    }

    /// Stops cleanly after `n` pages (`0` is a config error).
    pub fn max_pages(mut self, n: usize) -> Self {
        self.max_pages = Some(n);
        self
    }

    /// The pages, streamed: nothing collected, memory bounded by the pages in flight.
    pub fn pages(self) -> Pages {
        let options = PaginateOptions {
            paginator: self.paginator,
            data_selector: self.data_selector,
            response_hooks: self.hooks,
            raise_for_status: self.raise_for_status,
            max_pages: self.max_pages,
            concurrency: self.concurrency,
            resume: self.resume,
        };
        let started = self
            .spec
            .into_request()
            .and_then(|(client, auth, full_url, request)| {
                let stack = client.stack(auth.as_ref(), &full_url)?;
                Ok(stack.paginate(request, options))
            });
        match started {
            Ok(stream) => Pages {
                stream: Some(stream),
                error: None,
                yielded: 0,
            },
            Err(error) => Pages {
                stream: None,
                error: Some(error),
                yielded: 0,
            },
        }
    }

    /// Every record of every page, deserialised into `T` straight from its bytes.
    pub fn records_as<T: DeserializeOwned + Send + 'static>(
        self,
    ) -> impl Stream<Item = Result<T, Error>> + Send + 'static {
        self.pages().flat_map(|page| {
            let items: Vec<Result<T, Error>> = match page {
                Ok(page) => page
                    .records()
                    .iter()
                    .map(|r| r.deserialize::<T>().map_err(Error::from))
                    .collect(),
                Err(e) => vec![Err(e)],
            };
            futures_util::stream::iter(items)
        })
    }
}

/// The stream of [`Page`]s from [`PaginateBuilder::pages`]. An error is the last item.
#[must_use = "streams do nothing unless polled"]
pub struct Pages {
    stream: Option<PageStream>,
    error: Option<Error>,
    /// Pages yielded so far: the index of the page an error happened on.
    yielded: usize,
}

impl fmt::Debug for Pages {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pages").finish_non_exhaustive()
    }
}

impl Stream for Pages {
    type Item = Result<Page, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if let Some(error) = self.error.take() {
            return Poll::Ready(Some(Err(error)));
        }
        let this = &mut *self;
        let Some(stream) = this.stream.as_mut() else {
            return Poll::Ready(None);
        };
        let item = std::task::ready!(stream.poll_next_unpin(cx));
        Poll::Ready(item.map(|result| match result {
            Ok(page) => {
                this.yielded += 1;
                Ok(page)
            }
            // Say where: the page being fetched and its URL, whatever the error's kind.
            Err(e) => {
                let (page, url) = match stream.failed_at() {
                    Some((page, url)) => (page, url.map(ToString::to_string)),
                    None => (this.yielded, None),
                };
                Err(Error::from(e).at_page(page, url.as_deref()))
            }
        }))
    }
}

/// Typed access to a page's records.
pub trait PageExt {
    /// The records deserialised into `T`, straight from their bytes.
    ///
    /// # Errors
    /// An error with [`Error::is_decode`] when a record does not fit `T`.
    fn records_as<T: DeserializeOwned>(&self) -> Result<Vec<T>, Error>;
}

impl PageExt for Page {
    fn records_as<T: DeserializeOwned>(&self) -> Result<Vec<T>, Error> {
        self.records()
            .iter()
            .map(|r| r.deserialize::<T>().map_err(Error::from))
            .collect()
    }
}
