//! The facade's one error type.

use std::fmt;

use restclient_core::StatusError;
use restclient_transport::TransportError;

/// Everything that can go wrong in restclient, in one type.
///
/// Its `Display` is one line that names the HTTP status (if any) and the URL with secrets redacted,
/// followed by the chain of causes — fit to print as is:
///
/// ```text
/// 404 Client Error: Not Found for url: http://127.0.0.1:8080/items?api_key=***
/// request to http://127.0.0.1:9/items failed: giving up after 5 attempts: connection error: http://127.0.0.1:9/items
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The client or call configuration is invalid (found by `build()` or before the first request).
    Config(String),
    /// A URL could not be formed from the base URL and path.
    InvalidUrl {
        /// The URL, secrets redacted.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A 4xx or 5xx response (after retries).
    Status(StatusError),
    /// The request could not be completed (connection, timeout, body, retries exhausted).
    Request {
        /// The request URL, secrets redacted.
        url: String,
        /// The transport's error.
        source: TransportError,
    },
    /// Authentication failed (an OAuth token request, say) or its config is invalid.
    Auth(restclient_auth::Error),
    /// Pagination failed: a malformed page, a missing total, a loop, an invalid paginator config.
    Paginate(restclient_paginate::PaginateError),
    /// A selector is invalid or a body is not the JSON expected.
    Select(restclient_select::SelectError),
    /// A record or body could not be turned into the type asked for.
    Json(serde_json::Error),
}

impl Error {
    /// The HTTP status, when the error comes from a response.
    pub fn status(&self) -> Option<http::StatusCode> {
        match self {
            Error::Status(e) => Some(e.status()),
            Error::Request { source, .. } => source.status(),
            Error::Auth(e) => e.status(),
            Error::Paginate(restclient_paginate::PaginateError::Status(e)) => Some(e.status()),
            _ => None,
        }
    }

    /// The URL the error concerns, secrets redacted, when there is one.
    pub fn url(&self) -> Option<&str> {
        use restclient_paginate::PaginateError;
        match self {
            Error::Status(e) | Error::Paginate(PaginateError::Status(e)) => Some(e.url()),
            Error::Request { url, .. } | Error::InvalidUrl { url, .. } => Some(url.as_str()),
            Error::Paginate(PaginateError::Transport { url, .. }) => Some(url.as_str()),
            _ => None,
        }
        .filter(|url| !url.is_empty())
    }

    /// Whether a timeout caused the error.
    pub fn is_timeout(&self) -> bool {
        self.transport().is_some_and(TransportError::is_timeout)
    }

    /// Whether a connection failure caused the error.
    pub fn is_connect(&self) -> bool {
        self.transport().is_some_and(TransportError::is_connect)
    }

    fn transport(&self) -> Option<&TransportError> {
        let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(self);
        while let Some(e) = cause {
            if let Some(t) = e.downcast_ref::<TransportError>() {
                return Some(t);
            }
            cause = e.source();
        }
        None
    }

    fn headline(&self) -> String {
        match self {
            Error::Config(message) => format!("invalid configuration: {message}"),
            Error::InvalidUrl { url, reason } => format!("invalid URL {url}: {reason}"),
            Error::Status(e) => e.to_string(),
            Error::Request { url, source } => format!("request to {url} failed: {source}"),
            Error::Auth(e) => format!("authentication failed: {e}"),
            Error::Paginate(e) => e.to_string(),
            Error::Select(e) => e.to_string(),
            Error::Json(e) => format!("invalid JSON: {e}"),
        }
    }
}

impl fmt::Display for Error {
    /// The headline, then every cause not already spelled out in it, joined by `": "`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut line = self.headline();
        let mut cause = std::error::Error::source(self);
        // Bounded by the depth of the cause chain, which is finite.
        while let Some(e) = cause {
            let mut text = e.to_string();
            // Causes often end in the URL the headline already names: say it once.
            if let Some(url) = self.url() {
                text = text.replace(&format!(": {url}"), "");
            }
            if !text.is_empty() && !line.contains(&text) {
                line.push_str(": ");
                line.push_str(&text);
            }
            cause = e.source();
        }
        // Causes come from other crates; mask any registered secret that slipped into one.
        f.write_str(&restclient_core::redact::redact_text(&line))
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Config(_) | Error::InvalidUrl { .. } => None,
            Error::Status(e) => e.source(),
            Error::Request { source, .. } => Some(source),
            Error::Auth(e) => e.source(),
            Error::Paginate(e) => e.source(),
            Error::Select(e) => e.source(),
            Error::Json(e) => e.source(),
        }
    }
}

impl From<StatusError> for Error {
    fn from(e: StatusError) -> Self {
        Error::Status(e)
    }
}

impl From<restclient_auth::Error> for Error {
    fn from(e: restclient_auth::Error) -> Self {
        Error::Auth(e)
    }
}

impl From<restclient_paginate::PaginateError> for Error {
    fn from(e: restclient_paginate::PaginateError) -> Self {
        match e {
            restclient_paginate::PaginateError::Status(s) => Error::Status(s),
            other => Error::Paginate(other),
        }
    }
}

impl From<restclient_select::SelectError> for Error {
    fn from(e: restclient_select::SelectError) -> Self {
        Error::Select(e)
    }
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        Error::Json(e)
    }
}

impl From<TransportError> for Error {
    fn from(e: TransportError) -> Self {
        match e {
            TransportError::Status(s) => Error::Status(s),
            other => Error::Request {
                url: other.url().unwrap_or_default().to_owned(),
                source: other,
            },
        }
    }
}
