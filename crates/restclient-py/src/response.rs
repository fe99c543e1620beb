//! The response and request objects Python sees (requests' names: `status_code`, `url`,
//! `headers`, `text`, `content`, `json()`, `raise_for_status()`).
//!
//! Both hold the core's values as they are (the body as shared `Bytes`) and build Python objects
//! only when an attribute is read.

use bytes::Bytes;
use http::{HeaderMap, StatusCode};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyDict, PyList, PyModule, PyString};

use crate::{convert, errors};

static TYPES: PyOnceLock<Py<PyModule>> = PyOnceLock::new();

/// A class of `restclient._types`.
pub(crate) fn types_class<'py>(py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyAny>> {
    TYPES
        .get_or_try_init(py, || {
            PyModule::import(py, "restclient._types").map(Bound::unbind)
        })?
        .bind(py)
        .getattr(name)
}

/// `restclient._types.Headers` (case-insensitive, repeated headers joined by `", "` as requests
/// does) from a header map.
fn headers_to_py<'py>(py: Python<'py>, headers: &HeaderMap) -> PyResult<Bound<'py, PyAny>> {
    let pairs = headers
        .iter()
        .map(|(name, value)| {
            (
                name.as_str(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect::<Vec<_>>();
    types_class(py, "Headers")?.call1((pairs,))
}

/// The body decoded as requests would for JSON APIs: the charset the `Content-Type` names,
/// otherwise UTF-8; undecodable bytes replaced.
fn decode_body<'py>(py: Python<'py>, headers: &HeaderMap, body: &[u8]) -> PyResult<Bound<'py, PyAny>> {
    let charset = headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|ct| {
            ct.split(';')
                .filter_map(|part| part.trim().split_once('='))
                .find(|(k, _)| k.trim().eq_ignore_ascii_case("charset"))
                .map(|(_, v)| v.trim().trim_matches('"').to_owned())
        });
    match charset {
        Some(charset) if !charset.eq_ignore_ascii_case("utf-8") => {
            let decoded = PyBytes::new(py, body).call_method1("decode", (charset.as_str(), "replace"));
            match decoded {
                Ok(text) => Ok(text),
                Err(_) => Ok(PyString::new(py, &String::from_utf8_lossy(body)).into_any()),
            }
        }
        _ => Ok(PyString::new(py, &String::from_utf8_lossy(body)).into_any()),
    }
}

/// An HTTP response: status, final URL, headers and the whole body. 4xx and 5xx are returned,
/// not raised; [`raise_for_status`](Response::raise_for_status) raises them.
#[pyclass(frozen, module = "restclient", name = "Response")]
pub(crate) struct Response {
    status: StatusCode,
    url: String,
    headers: HeaderMap,
    body: Bytes,
    headers_py: PyOnceLock<Py<PyAny>>,
}

impl std::fmt::Debug for Response {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Response")
            .field("status", &self.status)
            .field("url", &restclient::core::redact::redact_url(&self.url))
            .finish_non_exhaustive()
    }
}

impl Response {
    /// From the parts of a core response.
    pub(crate) fn new(status: StatusCode, url: String, headers: HeaderMap, body: Bytes) -> Response {
        Response {
            status,
            url,
            headers,
            body,
            headers_py: PyOnceLock::new(),
        }
    }

    /// The response an `HTTPError` carries: status, redacted URL and the start of the body.
    pub(crate) fn from_status(status: StatusCode, url: String, body: String) -> Response {
        Response::new(status, url, HeaderMap::new(), Bytes::from(body))
    }

    /// From a facade response.
    pub(crate) fn from_facade(response: restclient::Response) -> Response {
        let url = response.url().to_string();
        let http = response.into_http();
        let status = http.status();
        let (parts, body) = http.into_parts();
        Response::new(status, url, parts.headers, body)
    }

    fn message(&self) -> String {
        let side = if self.status.as_u16() < 500 {
            "Client"
        } else {
            "Server"
        };
        let reason = self.status.canonical_reason().unwrap_or("Unknown Status");
        format!(
            "{} {side} Error: {reason} for url: {}",
            self.status.as_u16(),
            restclient::core::redact::redact_url(&self.url)
        )
    }
}

#[pymethods]
impl Response {
    /// The status code.
    #[getter]
    fn status_code(&self) -> u16 {
        self.status.as_u16()
    }

    /// The reason phrase of the status.
    #[getter]
    fn reason(&self) -> &'static str {
        self.status.canonical_reason().unwrap_or("")
    }

    /// Whether the status is below 400.
    #[getter]
    fn ok(&self) -> bool {
        self.status.as_u16() < 400
    }

    /// The URL the response came from, after redirects.
    #[getter]
    fn url(&self) -> &str {
        &self.url
    }

    /// The headers, case-insensitive.
    #[getter]
    fn headers(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        self.headers_py
            .get_or_try_init(py, || headers_to_py(py, &self.headers).map(Bound::unbind))
            .map(|h| h.clone_ref(py))
    }

    /// The body as bytes.
    #[getter]
    fn content<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.body)
    }

    /// The body as text.
    #[getter]
    fn text<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        decode_body(py, &self.headers, &self.body)
    }

    /// The body parsed as JSON (`SelectError`, a `ValueError`, when it is not JSON).
    fn json<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        convert::json_to_py(py, &self.body)
    }

    /// Raises `HTTPError` (with this response) for a status of 400 or more.
    fn raise_for_status(slf: &Bound<'_, Self>) -> PyResult<()> {
        let this = slf.get();
        if this.status.as_u16() < 400 {
            return Ok(());
        }
        let py = slf.py();
        let err = errors::http_error(py, &this.message());
        let _ = err.value(py).setattr("response", slf);
        Err(err)
    }

    fn __bool__(&self) -> bool {
        self.ok()
    }

    fn __repr__(&self) -> String {
        format!("<Response [{}]>", self.status.as_u16())
    }
}

/// The request that fetched a page: method, URL (without its query), the query as `params`,
/// headers and the JSON body.
#[pyclass(frozen, module = "restclient", name = "Request")]
pub(crate) struct Request {
    method: String,
    uri: http::Uri,
    headers: HeaderMap,
    body: Bytes,
}

impl std::fmt::Debug for Request {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("url", &restclient::core::redact::redact_uri(&self.uri))
            .finish_non_exhaustive()
    }
}

impl Request {
    /// From the core request that fetched a page.
    pub(crate) fn from_http(request: &http::Request<Bytes>) -> Request {
        Request {
            method: request.method().as_str().to_owned(),
            uri: request.uri().clone(),
            headers: request.headers().clone(),
            body: request.body().clone(),
        }
    }
}

#[pymethods]
impl Request {
    /// The method.
    #[getter]
    fn method(&self) -> &str {
        &self.method
    }

    /// The URL without its query string (see `params`).
    #[getter]
    fn url(&self) -> String {
        let full = self.uri.to_string();
        match full.split_once('?') {
            Some((base, _)) => base.to_owned(),
            None => full,
        }
    }

    /// The whole URL, query included.
    #[getter]
    fn full_url(&self) -> String {
        self.uri.to_string()
    }

    /// The query parameters (a repeated name maps to a list of its values).
    #[getter]
    fn params<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let params = PyDict::new(py);
        let query = self.uri.query().unwrap_or("");
        for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
            match params.get_item(name.as_ref())? {
                None => params.set_item(name.as_ref(), value.as_ref())?,
                Some(existing) => {
                    if let Ok(list) = existing.cast::<PyList>() {
                        list.append(value.as_ref())?;
                    } else {
                        params.set_item(
                            name.as_ref(),
                            PyList::new(py, [existing, PyString::new(py, &value).into_any()])?,
                        )?;
                    }
                }
            }
        }
        Ok(params)
    }

    /// The headers sent (before auth was applied), case-insensitive.
    #[getter]
    fn headers<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        headers_to_py(py, &self.headers)
    }

    /// The JSON body, or `None` when the body is empty or not JSON.
    #[getter]
    fn json<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyAny>> {
        if self.body.is_empty() {
            return None;
        }
        convert::json_to_py(py, &self.body).ok()
    }

    /// The raw body.
    #[getter]
    fn body<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.body)
    }

    fn __repr__(&self) -> String {
        format!("<Request [{}]>", self.method)
    }
}
