//! The Python package `restclient`: dlt's `RESTClient` API over the Rust core.
//!
//! This crate is the extension module `restclient._native`; the Python package around it
//! (`python/restclient`) holds the thin class shells dlt users import (paginators, auth, the
//! exceptions, `PageData`) and hands every request to this module. The contract is
//! `shared/python-api.md`.
//!
//! What happens in Rust, and why:
//! - **Network work** runs on one tokio runtime for the whole module (`runtime`), with the GIL
//!   released while Rust waits, so other Python threads keep running.
//! - **Records become Python objects here**, straight from the bytes of each record (jiter's
//!   Python builder), exactly as `json.loads` would build them (`convert`).
//! - **Fetch-ahead**: with `concurrency > 1` a task keeps fetching pages while Python consumes the
//!   current one (`pages`).
//! - **Errors** of the core map to the package's exception classes (`errors`); an exception a
//!   Python hook raised comes back out unchanged.

mod client;
mod convert;
mod errors;
mod hooks;
mod pages;
mod response;
mod runtime;

use pyo3::prelude::*;

/// The extension module `restclient._native`.
#[pymodule]
#[pyo3(name = "_native")]
fn native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<client::Client>()?;
    m.add_class::<pages::PageIter>()?;
    m.add_class::<response::Response>()?;
    m.add_class::<response::Request>()?;
    m.add_function(wrap_pyfunction!(convert::loads, m)?)?;
    m.add_function(wrap_pyfunction!(client::check_paginator, m)?)?;
    m.add_function(wrap_pyfunction!(client::check_auth, m)?)?;
    Ok(())
}
