//! The core's errors as the package's exceptions (`restclient.exceptions`).
//!
//! | core error | Python exception |
//! |---|---|
//! | an exception raised by a Python hook | that exception, unchanged |
//! | `is_status()` (pagination, OAuth token endpoint) | `HTTPError`, `.response` carries status, URL and body |
//! | `is_request()`, `is_auth()`: connection, timeout, TLS, body, token request | `RequestError` (`.is_timeout`, `.is_connect`) |
//! | `is_decode()`: a body that is not JSON | `SelectError` |
//! | `is_paginator()`, `is_checkpoint()`: missing total, loop, bad link | `PaginatorError` |
//! | `is_config()`: paginator, auth, selector, URL, header, setting | `ConfigError` |
//!
//! Messages are the core's: one line, URLs and secrets redacted.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyModule;
use restclient::Error;
use restclient::core::StatusError;

use crate::response::Response;

static EXCEPTIONS: PyOnceLock<Py<PyModule>> = PyOnceLock::new();

/// An instance of `restclient.exceptions.<name>(message)` as a `PyErr`.
fn raise(py: Python<'_>, name: &str, message: &str) -> PyErr {
    let made = EXCEPTIONS
        .get_or_try_init(py, || {
            PyModule::import(py, "restclient.exceptions").map(Bound::unbind)
        })
        .and_then(|module| module.bind(py).getattr(name))
        .and_then(|class| class.call1((message,)));
    match made {
        Ok(instance) => PyErr::from_value(instance),
        Err(e) => e,
    }
}

/// A `SelectError` with `message`.
pub(crate) fn select_error(py: Python<'_>, message: &str) -> PyErr {
    raise(py, "SelectError", message)
}

/// An `HTTPError` with `message` (the caller sets `.response`).
pub(crate) fn http_error(py: Python<'_>, message: &str) -> PyErr {
    raise(py, "HTTPError", message)
}

/// A `ConfigError` with `message`.
pub(crate) fn config_error(py: Python<'_>, message: &str) -> PyErr {
    raise(py, "ConfigError", message)
}

/// Whether `err` is an `IgnoreResponseException`: ours, or one of the same name from another
/// package (dlt's own, in a hook written for dlt).
pub(crate) fn is_ignore_response(py: Python<'_>, err: &PyErr) -> bool {
    err.get_type(py).mro().iter().any(|class| {
        class
            .getattr("__name__")
            .is_ok_and(|name| name.eq("IgnoreResponseException").unwrap_or(false))
    })
}

/// The exception a Python hook raised, if it caused `error`.
fn python_cause(py: Python<'_>, error: &Error) -> Option<PyErr> {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(error);
    // Bounded by the depth of the cause chain.
    while let Some(e) = cause {
        if let Some(err) = e.downcast_ref::<PyErr>() {
            return Some(err.clone_ref(py));
        }
        cause = e.source();
    }
    None
}

/// The status error behind `error`, if any: the URL and the start of the body it keeps.
fn status_error(error: &Error) -> Option<&StatusError> {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(error);
    // Bounded by the depth of the cause chain.
    while let Some(e) = cause {
        if let Some(status) = e.downcast_ref::<StatusError>() {
            return Some(status);
        }
        cause = e.source();
    }
    None
}

/// The Python exception for a core error.
pub(crate) fn to_py(py: Python<'_>, error: Error) -> PyErr {
    if let Some(err) = python_cause(py, &error) {
        return err;
    }
    let message = error.to_string();
    if let Some(status) = error.status() {
        // dlt's message, exactly: "404 Client Error: Not Found for url: ..." (the page is in `.page`)
        let (message, url, body) = match status_error(&error) {
            Some(s) if error.is_status() => (s.to_string(), s.url().to_owned(), s.body().to_owned()),
            Some(s) => (message, s.url().to_owned(), s.body().to_owned()),
            None => (message, error.url().unwrap_or_default().to_owned(), String::new()),
        };
        let err = raise(py, "HTTPError", &message);
        let response = Response::from_status(status, url, body);
        if let Ok(response) = Py::new(py, response) {
            // a failed setattr leaves the exception without `.response`, still an HTTPError
            let _ = err.value(py).setattr("response", response);
        }
        let _ = err.value(py).setattr("page", error.page());
        return err;
    }
    let name = if error.is_config() {
        "ConfigError"
    } else if error.is_decode() {
        "SelectError"
    } else if error.is_paginator() || error.is_checkpoint() {
        "PaginatorError"
    } else if error.is_request() || error.is_auth() || error.is_timeout() || error.is_connect() {
        "RequestError"
    } else {
        "RESTClientException"
    };
    let err = raise(py, name, &message);
    let _ = err.value(py).setattr("page", error.page());
    if name == "RequestError" {
        let value = err.value(py);
        let _ = value.setattr("is_timeout", error.is_timeout());
        let _ = value.setattr("is_connect", error.is_connect());
    }
    err
}
