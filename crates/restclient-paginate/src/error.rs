//! The one error type of this crate.

use restclient_core::{BoxError, StatusError, redact};
use restclient_select::SelectError;

/// Everything that can end a pagination run with an error, or reject a paginator at construction.
///
/// No variant embeds a response body: values read from a page appear as a short, redacted excerpt,
/// and URLs are redacted ([`restclient_core::redact`]).
///
/// ```
/// use restclient_paginate::{OffsetConfig, PaginateError};
/// let cfg = OffsetConfig { total_path: None, stop_after_empty_page: false, ..OffsetConfig::new(10) };
/// let err = cfg.build().unwrap_err();
/// assert!(matches!(err, PaginateError::Config(_)));
/// assert!(err.to_string().contains("must be provided"));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PaginateError {
    /// The response status was 4xx or 5xx (after the inner service's retries) and no response hook
    /// took over the status check.
    #[error(transparent)]
    Status(#[from] StatusError),
    /// The inner service failed (connection, timeout, ...).
    #[error("request to {url} failed: {source}")]
    Transport {
        /// The request URL, secrets redacted.
        url: String,
        /// What the service reported.
        #[source]
        source: BoxError,
    },
    /// The body is not JSON, or a selector could not be evaluated.
    #[error(transparent)]
    Select(#[from] SelectError),
    /// A range paginator's total is missing or null (dlt: "Total `items` not found ...").
    #[error("Total `{noun}` not found in the response at `{path}`")]
    MissingTotal {
        /// What the total counts: `items` (offset) or `pages` (page number).
        noun: &'static str,
        /// The total path.
        path: String,
    },
    /// A range paginator's total is not something Python's `int()` accepts.
    #[error("Total `{noun}` value {excerpt} at `{path}` is not an `int`")]
    InvalidTotal {
        /// What the total counts.
        noun: &'static str,
        /// The total path.
        path: String,
        /// The start of the value found (redacted).
        excerpt: String,
    },
    /// `has_more_path` matched nothing or `null`.
    #[error("Has more value not found in the response at `{path}`")]
    MissingHasMore {
        /// The has_more path.
        path: String,
    },
    /// The has_more value is neither a bool nor a string that str2bool accepts.
    #[error("'has_more' value {excerpt} at `{path}` is not a `bool`")]
    InvalidHasMore {
        /// The has_more path.
        path: String,
        /// The start of the value found (redacted).
        excerpt: String,
    },
    /// The `Link` header is not a valid RFC 8288 header.
    #[error("invalid Link header: {reason}")]
    InvalidLinkHeader {
        /// What is wrong with it.
        reason: String,
    },
    /// A next link could not be resolved into an http(s) URL.
    #[error("invalid next URL {url}: {reason}")]
    InvalidNextUrl {
        /// The link (redacted, shortened).
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A cursor is an object or array, or a header cursor is not text.
    #[error("invalid cursor {excerpt} at `{path}`: {reason}")]
    InvalidCursor {
        /// The cursor path or header name.
        path: String,
        /// The start of the value found (redacted).
        excerpt: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The paginator would send a request (method, URL with query, body) already sent in this
    /// run: it did not advance, or it went round a cycle (see the crate docs, "Loops").
    #[error("pagination loop: the next request {method} {url} repeats the request of page {page}")]
    Loop {
        /// The method.
        method: http::Method,
        /// The URL, secrets redacted.
        url: String,
        /// The page (from 0) the same request fetched before.
        page: usize,
    },
    /// A paginator could not place its value in the request body.
    #[error("cannot set `{path}` in the request body: {reason}")]
    RequestBody {
        /// The body path.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// A checkpoint that cannot be read or used: not JSON, another version, an unknown or
    /// mismatched paginator state, or a masked value this run cannot refill.
    #[error("invalid checkpoint: {reason}")]
    InvalidCheckpoint {
        /// What is wrong with it.
        reason: String,
    },
    /// The checkpoint was taken for another run (URL, params, body, paginator or selector), so
    /// resuming from it would mix two extractions. Nothing was sent.
    #[error(
        "the checkpoint belongs to another run: it continues {checkpoint}, but this run is {run}; remove the checkpoint to start over"
    )]
    CheckpointMismatch {
        /// The checkpoint's run (redacted) and fingerprint.
        checkpoint: String,
        /// This run (redacted) and fingerprint.
        run: String,
    },
    /// The checkpointed run had failed after its last page (the next request could not be built,
    /// or it looped); resuming meets the same failure.
    #[error("the checkpointed run failed after page {page}: {reason}")]
    CheckpointedFailure {
        /// The last page read (from 0).
        page: usize,
        /// The failure, as it was reported.
        reason: String,
    },
    /// An impossible or unknown paginator configuration.
    #[error("{0}")]
    Config(String),
    /// A response hook failed.
    #[error("response hook failed: {0}")]
    Hook(#[source] BoxError),
    /// A custom paginator failed.
    #[error("paginator failed: {0}")]
    Custom(#[source] BoxError),
}

impl PaginateError {
    pub(crate) fn config(msg: impl Into<String>) -> PaginateError {
        PaginateError::Config(msg.into())
    }
}

/// At most this many bytes of a value read from a page appear in an error.
pub(crate) const EXCERPT_LEN: usize = 64;

/// A short, redacted excerpt of a JSON value for an error message.
pub(crate) fn excerpt(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let text = redact::redact_text(&text);
    if text.len() <= EXCERPT_LEN {
        return text.into_owned();
    }
    let mut cut = EXCERPT_LEN;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}…", &text[..cut])
}
