//! **restclient** reads every page of an HTTP API for you — pagination, authentication, retries
//! with backoff — and hands you the records. It is the Rust counterpart of dlt's `RESTClient`: the
//! same behaviour where dlt is right (`join_url`, paginators, detection, retry rules), documented
//! differences where it is not, records kept as raw bytes until you ask, and every piece a tower
//! layer or adapter you can use on its own.
//!
//! ```no_run
//! use futures_util::TryStreamExt;
//! use restclient::prelude::*;
//!
//! # async fn run() -> Result<(), restclient::Error> {
//! let client = RestClient::builder()
//!     .base_url("https://api.example.com/v1")
//!     .auth(BearerToken::new("s3cr3t")?)
//!     .paginator(OffsetPaginator::with_limit(100))
//!     .data_selector("data")
//!     .build()?;
//!
//! let mut pages = client.paginate("/users").pages();
//! while let Some(page) = pages.try_next().await? {
//!     for record in page.records() {
//!         println!("{}", String::from_utf8_lossy(record.as_bytes())); // the record's own bytes
//!     }
//! }
//! # Ok(()) }
//! ```
//!
//! The crates behind it, each usable alone:
//!
//! | crate | what |
//! |---|---|
//! | [`restclient_transport`] | pooled rustls HTTP client, dlt's retry rules as a tower layer, timeouts |
//! | [`restclient_auth`] | bearer, API key, basic, OAuth2 client credentials as a tower layer |
//! | [`restclient_select`] | lazy JSON documents, compiled selectors, zero-copy records |
//! | [`restclient_paginate`] | every dlt paginator, auto-detection, the page stream over any service |
//! | [`restclient_core`] | the shared vocabulary: `Secret`, redaction, request/response types |

mod client;
mod config;
mod error;
mod request;
mod response;
mod url;

pub use client::{HttpService, RestClient, RestClientBuilder};
pub use config::ClientConfig;
pub use error::Error;
pub use request::{PageExt, Pages, PaginateBuilder, RequestBuilder};
pub use response::Response;

pub use restclient_auth as auth;
pub use restclient_core as core;
pub use restclient_paginate as paginate;
pub use restclient_select as select;
pub use restclient_transport as transport;

pub use http::Method;
pub use restclient_auth::{ApiKey, AuthConfig, BearerToken, HttpBasic, OAuth2ClientCredentials};
pub use restclient_core::Secret;
pub use restclient_paginate::{
    HeaderCursorPaginator, HeaderLinkPaginator, HookAction, JsonLinkPaginator, JsonResponseCursorPaginator,
    OffsetPaginator, Page, PageNumberPaginator, Paginator, PaginatorConfig, SinglePagePaginator,
};
pub use restclient_select::{RawRecord, Selector};

use std::sync::OnceLock;

/// Every page of `url`, with a shared default client: dlt's module-level `paginate(url)`.
///
/// The request goes to exactly `url` (plus any params you add); the paginator and records are
/// detected unless you set them.
///
/// ```no_run
/// # async fn run() -> Result<(), restclient::Error> {
/// use futures_util::TryStreamExt;
/// let pages: Vec<restclient::Page> =
///     restclient::paginate("https://api.example.com/items")?.param("q", "x").pages().try_collect().await?;
/// # Ok(()) }
/// ```
///
/// # Errors
/// When the default client cannot be built (an invalid `RUNTIME__REQUEST_*` variable).
pub fn paginate(url: &str) -> Result<PaginateBuilder, Error> {
    static DEFAULT: OnceLock<RestClient> = OnceLock::new();
    let client = match DEFAULT.get() {
        Some(client) => client,
        None => {
            let client = RestClient::new()?;
            DEFAULT.get_or_init(|| client)
        }
    };
    Ok(client.paginate(url))
}

/// What a typical program needs: `use restclient::prelude::*;`.
pub mod prelude {
    pub use crate::{
        ApiKey, AuthConfig, BearerToken, ClientConfig, Error, HeaderCursorPaginator, HeaderLinkPaginator,
        HookAction, HttpBasic, JsonLinkPaginator, JsonResponseCursorPaginator, Method,
        OAuth2ClientCredentials, OffsetPaginator, Page, PageExt, PageNumberPaginator, Paginator,
        PaginatorConfig, RawRecord, RestClient, RestClientBuilder, Secret, Selector, SinglePagePaginator,
    };
}
