//! `restclient._native.Client`: a core [`RestClient`] configured from the Python shell's
//! arguments, with `paginate` and `request`.
//!
//! The Python shell (`python/restclient/client.py`) turns dlt's arguments into plain values
//! first: paginators and auth into dlt's declarative dicts as JSON, params and headers into
//! pairs, `json=`/`data=` into a body and its kind. Settings left as `None` fall back to the
//! `RUNTIME__*` environment and dlt's defaults.

use std::sync::Arc;

use bytes::Bytes;
use pyo3::prelude::*;
use restclient::{AuthConfig, ClientConfig, Method, PaginatorConfig, RestClient, RestClientBuilder};
use tokio::runtime::Runtime;

use crate::pages::PageIter;
use crate::response::Response;
use crate::{errors, hooks, runtime};

/// A REST API client (the Rust half of `restclient.RESTClient`).
#[pyclass(frozen, module = "restclient._native")]
pub(crate) struct Client {
    client: RestClient,
    /// Its own thread-less runtime at `concurrency=1`, the shared one above (see `runtime`).
    runtime: Arc<Runtime>,
    concurrency: usize,
    max_rps: Option<f64>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("client", &self.client)
            .field("concurrency", &self.concurrency)
            .field("max_rps", &self.max_rps)
            .finish_non_exhaustive()
    }
}

fn paginator_config(py: Python<'_>, json: &str) -> PyResult<PaginatorConfig> {
    let value: serde_json::Value = serde_json::from_str(json)
        .map_err(|e| errors::config_error(py, &format!("invalid paginator config: {e}")))?;
    PaginatorConfig::from_value(value).map_err(|e| errors::to_py(py, e.into()))
}

fn auth_config(py: Python<'_>, json: &str) -> PyResult<AuthConfig> {
    AuthConfig::from_json(json).map_err(|e| errors::to_py(py, e.into()))
}

fn method(py: Python<'_>, name: &str) -> PyResult<Method> {
    Method::from_bytes(name.to_ascii_uppercase().as_bytes())
        .map_err(|_| errors::config_error(py, &format!("invalid HTTP method {name:?}")))
}

/// The body with its content type: `json` (application/json), `form`
/// (application/x-www-form-urlencoded) or raw (none).
fn body(py: Python<'_>, body: &[u8], kind: Option<&str>) -> PyResult<(Bytes, Option<&'static str>)> {
    let content_type = match kind {
        Some("json") => Some("application/json"),
        Some("form") => Some("application/x-www-form-urlencoded"),
        None | Some("raw") => None,
        Some(other) => return Err(errors::config_error(py, &format!("unknown body kind {other:?}"))),
    };
    Ok((Bytes::copy_from_slice(body), content_type))
}

/// Validates a paginator config (JSON: a dlt dict or type name); `ConfigError` when invalid.
#[pyfunction]
pub(crate) fn check_paginator(py: Python<'_>, config: &str) -> PyResult<()> {
    paginator_config(py, config).map(drop)
}

/// Validates an auth config (JSON: a dlt dict); `ConfigError` when invalid.
#[pyfunction]
pub(crate) fn check_auth(py: Python<'_>, config: &str) -> PyResult<()> {
    auth_config(py, config).map(drop)
}

#[pymethods]
impl Client {
    #[new]
    #[pyo3(signature = (
        base_url=None, headers=None, auth=None, paginator=None, data_selector=None,
        max_attempts=None, backoff_factor=None, max_retry_delay=None, timeout=None,
        concurrency=1, max_rps=None,
    ))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        base_url: Option<String>,
        headers: Option<Vec<(String, String)>>,
        auth: Option<&str>,
        paginator: Option<&str>,
        data_selector: Option<String>,
        max_attempts: Option<u32>,
        backoff_factor: Option<f64>,
        max_retry_delay: Option<f64>,
        timeout: Option<f64>,
        concurrency: usize,
        max_rps: Option<f64>,
    ) -> PyResult<Client> {
        if concurrency == 0 {
            return Err(errors::config_error(py, "`concurrency` must be at least 1"));
        }
        // one mapping from settings to a client, the CLI's and the source runner's: it checks
        // the seconds and the rate too
        let mut config = ClientConfig::default();
        config.base_url = base_url;
        config.headers = headers.unwrap_or_default().into_iter().collect();
        config.auth = auth.map(|auth| auth_config(py, auth)).transpose()?;
        config.paginator = paginator.map(|p| paginator_config(py, p)).transpose()?;
        config.data_selector = data_selector;
        config.max_attempts = max_attempts;
        config.backoff_factor = backoff_factor;
        config.max_retry_delay = max_retry_delay;
        config.timeout = timeout;
        config.max_rps = max_rps;
        let builder = RestClientBuilder::from_config(config);
        // the HTTP client is built inside the runtime it will run on
        let runtime = if concurrency == 1 {
            runtime::current_thread()?
        } else {
            runtime::shared()?
        };
        let client = {
            let _entered = runtime.enter();
            builder.build().map_err(|e| errors::to_py(py, e))?
        };
        Ok(Client {
            client,
            runtime,
            concurrency,
            max_rps,
        })
    }

    /// The concurrency given at construction.
    #[getter]
    fn concurrency(&self) -> usize {
        self.concurrency
    }

    /// The request rate cap given at construction.
    #[getter]
    fn max_rps(&self) -> Option<f64> {
        self.max_rps
    }

    /// Every page of `path`; see `RESTClient.paginate`.
    #[pyo3(signature = (
        path, method="GET", params=None, headers=None, body=None, body_kind=None, auth=None,
        paginator=None, data_selector=None, hooks=None, raise_for_status=None,
    ))]
    #[allow(clippy::too_many_arguments)]
    fn paginate(
        &self,
        py: Python<'_>,
        path: &str,
        method: &str,
        params: Option<Vec<(String, String)>>,
        headers: Option<Vec<(String, String)>>,
        body: Option<&[u8]>,
        body_kind: Option<&str>,
        auth: Option<&str>,
        paginator: Option<&str>,
        data_selector: Option<&str>,
        hooks: Option<Vec<Py<PyAny>>>,
        raise_for_status: Option<bool>,
    ) -> PyResult<PageIter> {
        let mut builder = self
            .client
            .paginate(path)
            .method(self::method(py, method)?)
            .params(params.unwrap_or_default())
            .concurrency(self.concurrency);
        for (name, value) in headers.unwrap_or_default() {
            builder = builder.header(&name, &value);
        }
        if let Some(body) = body {
            let (bytes, content_type) = self::body(py, body, body_kind)?;
            builder = builder.body(bytes, content_type);
        }
        if let Some(auth) = auth {
            builder = builder.auth_config(auth_config(py, auth)?);
        }
        if let Some(paginator) = paginator {
            builder = builder.paginator_config(paginator_config(py, paginator)?);
        }
        if let Some(selector) = data_selector {
            builder = builder.data_selector(selector);
        }
        if let Some(hooks) = hooks.filter(|h| !h.is_empty()) {
            builder = builder.hook(hooks::response_hook(hooks));
        }
        if let Some(raise) = raise_for_status {
            builder = builder.raise_for_status(raise);
        }
        PageIter::new(builder.pages(), self.runtime.clone(), self.concurrency)
    }

    /// One request; the response is returned whatever its status.
    #[pyo3(signature = (path, method="GET", params=None, headers=None, body=None, body_kind=None, auth=None))]
    #[allow(clippy::too_many_arguments)]
    fn request(
        &self,
        py: Python<'_>,
        path: &str,
        method: &str,
        params: Option<Vec<(String, String)>>,
        headers: Option<Vec<(String, String)>>,
        body: Option<&[u8]>,
        body_kind: Option<&str>,
        auth: Option<&str>,
    ) -> PyResult<Response> {
        let mut builder = self
            .client
            .request(self::method(py, method)?, path)
            .params(params.unwrap_or_default());
        for (name, value) in headers.unwrap_or_default() {
            builder = builder.header(&name, &value);
        }
        if let Some(body) = body {
            let (bytes, content_type) = self::body(py, body, body_kind)?;
            builder = builder.body(bytes, content_type);
        }
        if let Some(auth) = auth {
            builder = builder.auth_config(auth_config(py, auth)?);
        }
        match runtime::block_on(py, &self.runtime, builder.send())? {
            Ok(response) => Ok(Response::from_facade(response)),
            Err(error) => Err(errors::to_py(py, error)),
        }
    }
}
