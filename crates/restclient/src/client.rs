//! [`RestClient`] and its builder.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use http::{HeaderMap, HeaderName, HeaderValue, Method};
use restclient_auth::{AuthConfig, AuthLayer, Authenticate, Origin, SharedAuth};
use restclient_core::{BoxError, Request, Response, redact};
use restclient_paginate::{Paginator, PaginatorConfig};
use restclient_select::Selector;
use restclient_transport::{
    HttpClient, RateLimitLayer, RetryLayer, RetryPolicy, RuntimeSettings, StandardRetryPolicy, TraceLayer,
};
use tower::util::BoxCloneSyncService;
use tower::{Layer, Service, ServiceExt};

use crate::request::{PaginateBuilder, RequestBuilder};
use crate::{Error, url};

/// The type-erased request/response service every client stack is made of.
pub type HttpService = BoxCloneSyncService<Request, Response, BoxError>;

type Wrap = Arc<dyn Fn(HttpService) -> HttpService + Send + Sync>;

/// A REST API client: base URL, default headers, auth, paginator, data selector, retries and
/// timeouts, over a pooled HTTP client.
///
/// Cheap to clone, `Send + Sync`: clones share the connection pool, the OAuth token and the
/// configuration, so one client serves many concurrent paginations. Each [`paginate`]
/// call starts from a fresh copy of the configured paginator.
///
/// The stack each request goes through, outermost first: **retry → auth → your layers → trace →
/// HTTP client** (or your service). Auth sits inside retry, so every attempt carries fresh
/// credentials, and is scoped to the base URL's origin unless [`auth_everywhere`] says otherwise.
///
/// ```no_run
/// use futures_util::TryStreamExt;
/// use restclient::prelude::*;
///
/// # async fn run() -> Result<(), restclient::Error> {
/// let client = RestClient::builder()
///     .base_url("https://api.example.com/v1")
///     .auth(BearerToken::new("s3cr3t")?)
///     .paginator(OffsetPaginator::with_limit(100))
///     .data_selector("data")
///     .build()?;
/// let mut pages = client.paginate("/users").param("active", "true").pages();
/// while let Some(page) = pages.try_next().await? {
///     println!("{} users", page.records().len());
/// }
/// # Ok(()) }
/// ```
///
/// [`paginate`]: RestClient::paginate
/// [`auth_everywhere`]: RestClientBuilder::auth_everywhere
#[derive(Clone)]
pub struct RestClient {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) base_url: Option<String>,
    pub(crate) headers: HeaderMap,
    pub(crate) auth: Option<SharedAuth>,
    pub(crate) auth_everywhere: bool,
    pub(crate) paginator: Option<Box<dyn Paginator>>,
    pub(crate) data_selector: Option<Selector>,
    /// Everything below auth: the user's layers, tracing and the HTTP client (or the user's service).
    service: HttpService,
    retry: Wrap,
    /// Rate limits and 429 pauses, one state shared by every call and clone.
    rate_limit: RateLimitLayer,
    /// The whole stack with the client's own auth, assembled once by `build()` and shared by every
    /// call and clone; `None` when auth is scoped to each call's URL (no absolute base URL).
    stack: Option<HttpService>,
    settings: RuntimeSettings,
}

impl fmt::Debug for RestClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.inner;
        f.debug_struct("RestClient")
            .field("base_url", &inner.base_url.as_deref().map(redact::redact_url))
            .field("headers", &redact::redact_headers(&inner.headers))
            .field("auth", &inner.auth)
            .field("paginator", &inner.paginator)
            .field("data_selector", &inner.data_selector)
            .field("settings", &inner.settings)
            .finish_non_exhaustive()
    }
}

impl RestClient {
    /// A builder with dlt's defaults (settings from `RUNTIME__REQUEST_*` when set).
    pub fn builder() -> RestClientBuilder {
        RestClientBuilder::default()
    }

    /// A client with every default and no base URL: requests take absolute URLs.
    ///
    /// # Errors
    /// When a `RUNTIME__REQUEST_*` variable is invalid or TLS cannot be set up.
    pub fn new() -> Result<RestClient, Error> {
        RestClient::builder().build()
    }

    /// A `GET` request to `path` (joined to the base URL unless absolute).
    pub fn get(&self, path: &str) -> RequestBuilder {
        self.request(Method::GET, path)
    }

    /// A `POST` request to `path`.
    pub fn post(&self, path: &str) -> RequestBuilder {
        self.request(Method::POST, path)
    }

    /// A request with any method to `path`.
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        RequestBuilder::new(self.clone(), method, path)
    }

    /// Every page of `path`: see [`PaginateBuilder`].
    pub fn paginate(&self, path: &str) -> PaginateBuilder {
        PaginateBuilder::new(self.clone(), path)
    }

    /// The base URL, if one was set.
    pub fn base_url(&self) -> Option<&str> {
        self.inner.base_url.as_deref()
    }

    /// The runtime settings in force (dlt defaults, then environment, then code).
    pub fn settings(&self) -> &RuntimeSettings {
        &self.inner.settings
    }

    /// The stack for one call: the client's own, assembled once, unless the call brings its own
    /// auth or the auth scope depends on the call's URL.
    pub(crate) fn stack(&self, auth: Option<&SharedAuth>, first_url: &str) -> Result<HttpService, Error> {
        let inner = &self.inner;
        let own_auth = match (auth, &inner.auth) {
            (None, None) => true,
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            _ => false,
        };
        match &inner.stack {
            Some(stack) if own_auth => Ok(stack.clone()),
            _ => assemble(
                &inner.service,
                &inner.retry,
                &inner.rate_limit,
                auth,
                inner.auth_everywhere,
                inner.base_url.as_deref(),
                first_url,
            ),
        }
    }

    /// Builds an `http::Request` for `method url?params` with client headers, then call headers.
    pub(crate) fn build_request(
        &self,
        method: Method,
        url: &str,
        headers: &HeaderMap,
        body: Option<(bytes::Bytes, Option<HeaderValue>)>,
    ) -> Result<Request, Error> {
        let uri: http::Uri = url::requote_uri(url)
            .parse()
            .map_err(|e: http::uri::InvalidUri| Error::invalid_url(url, &e.to_string()))?;
        if uri.scheme().is_none() || uri.host().is_none() {
            return Err(Error::invalid_url(
                url,
                "the URL needs a scheme and a host (or set a base URL)",
            ));
        }
        let mut request = Request::new(bytes::Bytes::new());
        *request.method_mut() = method;
        *request.uri_mut() = uri;
        let all = request.headers_mut();
        for (name, value) in &self.inner.headers {
            all.insert(name, value.clone());
        }
        for (name, value) in headers {
            all.insert(name, value.clone());
        }
        if let Some((body, content_type)) = body {
            // requests sets its Content-Type only when the caller's headers have none
            if let Some(content_type) = content_type
                && !all.contains_key(http::header::CONTENT_TYPE)
            {
                all.insert(http::header::CONTENT_TYPE, content_type);
            }
            *request.body_mut() = body;
        }
        Ok(request)
    }
}

/// The one place the stack is assembled, outermost first: retry → rate limit → (scoped) auth →
/// the service (the user's layers → trace → HTTP client). The rate limit sits inside retry so
/// every attempt counts, and outside auth so an OAuth token request waits its turn too.
fn assemble(
    service: &HttpService,
    retry: &Wrap,
    rate_limit: &RateLimitLayer,
    auth: Option<&SharedAuth>,
    auth_everywhere: bool,
    base_url: Option<&str>,
    first_url: &str,
) -> Result<HttpService, Error> {
    let below_retry = match auth {
        None => service.clone(),
        Some(auth) => {
            let mut layer = AuthLayer::from_arc(auth.clone());
            if !auth_everywhere {
                let scope_url = base_url.filter(|b| url::is_absolute(b)).unwrap_or(first_url);
                layer = layer.scoped_to(Origin::from_url(scope_url)?);
            }
            boxed(layer.layer(service.clone()))
        }
    };
    Ok(retry(boxed(rate_limit.layer(below_retry))))
}

fn boxed<S>(service: S) -> HttpService
where
    S: Service<Request, Response = Response> + Clone + Send + Sync + 'static,
    S::Error: Into<BoxError>,
    S::Future: Send + 'static,
{
    BoxCloneSyncService::new(service.map_err(Into::into))
}

enum AuthSource {
    Strategy(SharedAuth),
    Config(AuthConfig),
}

enum PaginatorSource {
    Paginator(Box<dyn Paginator>),
    Config(PaginatorConfig),
}

/// Configures a [`RestClient`]. Every setting is checked by [`build`](RestClientBuilder::build).
///
/// Runtime settings start at dlt's defaults (5 attempts, backoff factor 1, 300 s cap, 60 s
/// timeout), are overridden by `RUNTIME__REQUEST_MAX_ATTEMPTS`, `RUNTIME__REQUEST_BACKOFF_FACTOR`,
/// `RUNTIME__REQUEST_MAX_RETRY_DELAY` and `RUNTIME__REQUEST_TIMEOUT`, and those by the methods here.
#[derive(Default)]
#[must_use]
pub struct RestClientBuilder {
    base_url: Option<String>,
    headers: Vec<(String, String)>,
    auth: Option<AuthSource>,
    auth_everywhere: bool,
    paginator: Option<PaginatorSource>,
    data_selector: Option<String>,
    max_attempts: Option<u32>,
    backoff_factor: Option<f64>,
    max_retry_delay: Option<Duration>,
    timeout: Option<Duration>,
    total_timeout: Option<Duration>,
    max_body_size: Option<usize>,
    max_redirects: Option<usize>,
    max_rps: Option<f64>,
    max_in_flight: Option<usize>,
    retry: Option<Wrap>,
    layers: Vec<Wrap>,
    service: Option<HttpService>,
    /// A setting that could not be taken (from a config); `build()` reports it.
    invalid: Option<String>,
}

impl fmt::Debug for RestClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RestClientBuilder")
            .field("base_url", &self.base_url.as_deref().map(redact::redact_url))
            .field("layers", &self.layers.len())
            .finish_non_exhaustive()
    }
}

impl RestClientBuilder {
    /// Records a setting that cannot be used; [`build`](RestClientBuilder::build) reports the first.
    pub(crate) fn invalid(mut self, message: String) -> Self {
        self.invalid.get_or_insert(message);
        self
    }

    /// The root URL relative paths are joined to, as dlt's `join_url` does
    /// (`https://h/api/v1` + `/users` → `https://h/api/v1/users`).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// A header sent with every request; a call's own header of the same name wins.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Authenticates every request with `auth` (bearer, API key, basic, OAuth2 or your own).
    pub fn auth(mut self, auth: impl Authenticate) -> Self {
        self.auth = Some(AuthSource::Strategy(Arc::new(auth)));
        self
    }

    /// Authenticates every request as a dlt auth dict says (`{"type": "bearer", "token": ...}`).
    pub fn auth_config(mut self, config: AuthConfig) -> Self {
        self.auth = Some(AuthSource::Config(config));
        self
    }

    /// Sends credentials to every origin, not only the base URL's (dlt's behaviour). Off by default:
    /// a `next` link to another host is followed without them.
    pub fn auth_everywhere(mut self, everywhere: bool) -> Self {
        self.auth_everywhere = everywhere;
        self
    }

    /// The default paginator; each pagination starts from a fresh copy. Absent: auto-detect.
    pub fn paginator(mut self, paginator: impl Paginator + 'static) -> Self {
        self.paginator = Some(PaginatorSource::Paginator(Box::new(paginator)));
        self
    }

    /// The default paginator as a dlt paginator dict or name (`"header_link"`, `{"type": "offset", ...}`).
    pub fn paginator_config(mut self, config: PaginatorConfig) -> Self {
        self.paginator = Some(PaginatorSource::Config(config));
        self
    }

    /// The default JSONPath to the records. Absent: auto-detect from the first page.
    pub fn data_selector(mut self, path: impl Into<String>) -> Self {
        self.data_selector = Some(path.into());
        self
    }

    /// Attempts in all, the first included (dlt default 5; 0 and 1 mean one attempt).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = Some(attempts);
        self
    }

    /// The backoff multiplier: wait `factor × 2^(n−1)` seconds after failed attempt n (default 1).
    pub fn backoff_factor(mut self, factor: f64) -> Self {
        self.backoff_factor = Some(factor);
        self
    }

    /// The cap on any single wait, `Retry-After` included (default 300 s).
    pub fn max_retry_delay(mut self, cap: Duration) -> Self {
        self.max_retry_delay = Some(cap);
        self
    }

    /// dlt's `request_timeout`: bounds connecting and every wait for data (default 60 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Starts at most `rps` requests per second, retries and OAuth token requests included, across
    /// every call and clone of the client (a token bucket; see
    /// [`restclient_transport::rate_limit`]). Off by default. Whatever this says, a 429 with
    /// `Retry-After` or a `RateLimit`/`X-RateLimit` header saying the quota is spent pauses every
    /// request of the client until the time it names.
    pub fn max_rps(mut self, rps: f64) -> Self {
        self.max_rps = Some(rps);
        self
    }

    /// At most `n` requests in flight across every call and clone of the client. A 429 halves the
    /// number allowed (down to 1); each success gives one back, up to `n`. Unlimited by default.
    pub fn max_in_flight(mut self, n: usize) -> Self {
        self.max_in_flight = Some(n);
        self
    }

    /// An optional deadline for a whole attempt, body included.
    pub fn total_timeout(mut self, timeout: Duration) -> Self {
        self.total_timeout = Some(timeout);
        self
    }

    /// The largest response body accepted (default 100 MiB).
    pub fn max_body_size(mut self, bytes: usize) -> Self {
        self.max_body_size = Some(bytes);
        self
    }

    /// How many redirects to follow (default 30; 0 follows none).
    pub fn max_redirects(mut self, max: usize) -> Self {
        self.max_redirects = Some(max);
        self
    }

    /// Replaces dlt's retry rules with your own policy (the settings' attempts and backoff then
    /// come from it).
    pub fn retry_policy(mut self, policy: impl RetryPolicy) -> Self {
        let layer = RetryLayer::new(policy);
        self.retry = Some(Arc::new(move |s| boxed(layer.layer(s))));
        self
    }

    /// Adds a tower layer of yours between auth and the HTTP client. Layers added first are outermost.
    pub fn layer<L>(mut self, layer: L) -> Self
    where
        L: Layer<HttpService> + Send + Sync + 'static,
        L::Service: Service<Request, Response = Response> + Clone + Send + Sync + 'static,
        <L::Service as Service<Request>>::Error: Into<BoxError>,
        <L::Service as Service<Request>>::Future: Send + 'static,
    {
        self.layers.push(Arc::new(move |s| boxed(layer.layer(s))));
        self
    }

    /// Sends requests through `service` instead of the built-in HTTP client (dlt's `session`):
    /// retry, auth and your layers still wrap it; timeouts, redirects and decompression are then
    /// the service's business.
    pub fn service<S>(mut self, service: S) -> Self
    where
        S: Service<Request, Response = Response> + Clone + Send + Sync + 'static,
        S::Error: Into<BoxError>,
        S::Future: Send + 'static,
    {
        self.service = Some(boxed(service));
        self
    }

    /// Checks everything and builds the client.
    ///
    /// # Errors
    /// An invalid header, data selector, paginator or auth config, base URL, or runtime setting.
    pub fn build(self) -> Result<RestClient, Error> {
        if let Some(message) = self.invalid {
            return Err(Error::config(message));
        }
        let mut settings = RuntimeSettings::from_env()?;
        if let Some(v) = self.max_attempts {
            settings.max_attempts = v;
        }
        if let Some(v) = self.backoff_factor {
            if !(v.is_finite() && v >= 0.0) {
                return Err(Error::config(format!(
                    "backoff factor must be a finite number ≥ 0, got {v}"
                )));
            }
            settings.backoff_factor = v;
        }
        if let Some(v) = self.max_retry_delay {
            settings.max_retry_delay = v;
        }
        if let Some(v) = self.timeout {
            if v.is_zero() {
                return Err(Error::config("timeout must be greater than 0"));
            }
            settings.request_timeout = v;
        }
        if let Some(base) = &self.base_url
            && !base.is_empty()
            && !url::is_absolute(base)
        {
            return Err(Error::invalid_url(
                base,
                "the base URL must start with http:// or https://",
            ));
        }
        let mut headers = HeaderMap::new();
        for (name, value) in &self.headers {
            let header_name = HeaderName::from_bytes(name.trim().as_bytes())
                .map_err(|_| Error::config(format!("invalid header name {name:?}")))?;
            let header_value = HeaderValue::from_str(value.trim()).map_err(|_| {
                Error::config(format!(
                    "invalid value for header {name:?}: {}",
                    redact::redact_header(name, value.as_bytes())
                ))
            })?;
            headers.insert(header_name, header_value);
        }
        let data_selector = self.data_selector.as_deref().map(Selector::parse).transpose()?;
        let paginator = match self.paginator {
            None => None,
            Some(PaginatorSource::Paginator(p)) => Some(p),
            Some(PaginatorSource::Config(config)) => config.build()?,
        };
        let auth = match self.auth {
            None => None,
            Some(AuthSource::Strategy(a)) => Some(a),
            Some(AuthSource::Config(config)) => Some(config.build()?),
        };
        // Tracing wraps the client before the one box that erases its type.
        let mut service = match self.service {
            Some(service) => boxed(TraceLayer::new().layer(service)),
            None => {
                let mut http = HttpClient::builder().settings(&settings);
                if let Some(v) = self.total_timeout {
                    http = http.total_timeout(v);
                }
                if let Some(v) = self.max_body_size {
                    http = http.max_body_size(v);
                }
                if let Some(v) = self.max_redirects {
                    http = http.max_redirects(v).follow_redirects(v > 0);
                }
                boxed(TraceLayer::new().layer(http.build()?))
            }
        };
        for wrap in self.layers.iter().rev() {
            service = wrap(service);
        }
        let retry = self.retry.unwrap_or_else(|| {
            let layer = RetryLayer::new(StandardRetryPolicy::from_settings(&settings));
            Arc::new(move |s| boxed(layer.layer(s)))
        });
        let rate_limit = RateLimitLayer::builder()
            .settings(&settings)
            .max_rps(self.max_rps)
            .max_in_flight(self.max_in_flight)
            .build()
            .map_err(|e| Error::config(e.to_string()))?;
        // Auth scoped to a base URL (or to nothing) is the same for every call: assemble it once.
        let absolute_base = self.base_url.as_deref().filter(|b| url::is_absolute(b));
        let stack = match (&auth, absolute_base) {
            (None, _) => Some(assemble(&service, &retry, &rate_limit, None, true, None, "")?),
            (Some(_), _) if self.auth_everywhere => Some(assemble(
                &service,
                &retry,
                &rate_limit,
                auth.as_ref(),
                true,
                None,
                "",
            )?),
            (Some(_), Some(base)) => Some(assemble(
                &service,
                &retry,
                &rate_limit,
                auth.as_ref(),
                false,
                Some(base),
                base,
            )?),
            (Some(_), None) => None,
        };
        Ok(RestClient {
            inner: Arc::new(Inner {
                base_url: self.base_url,
                headers,
                auth,
                auth_everywhere: self.auth_everywhere,
                paginator,
                data_selector,
                service,
                retry,
                rate_limit,
                stack,
                settings,
            }),
        })
    }
}
