//! The facade's one error type: opaque, with predicates, like reqwest's.
//!
//! Every failure of the facade — a bad config, an HTTP error, a timeout, a malformed page, an auth
//! failure — is an [`Error`]. What happened is asked with predicates ([`Error::is_status`],
//! [`Error::is_timeout`], ...), never by matching on variants, so new kinds of failure can be added
//! without breaking callers. The same failure gives the same kind whether it came from
//! [`RequestBuilder::send`](crate::RequestBuilder::send) or from a page stream.
//!
//! Each error also says *where*: the URL of the request it concerns ([`Error::url`], secrets
//! redacted), and, during a pagination, the page number ([`Error::page`]) and, in a source run,
//! the resource ([`Error::resource`]).

use std::error::Error as StdError;
use std::fmt;

use restclient_auth::AuthError;
use restclient_core::{BoxError, StatusError, redact};
use restclient_paginate::PaginateError;
use restclient_select::SelectError;
use restclient_transport::TransportError;

/// Everything that can go wrong in restclient, in one opaque type.
///
/// Its `Display` is one line that names the HTTP status (if any) and the URL with secrets redacted,
/// followed by the chain of causes and where it happened — fit to print as is:
///
/// ```text
/// 404 Client Error: Not Found for url: http://127.0.0.1:8080/items?api_key=***
/// request to http://127.0.0.1:9/items failed: giving up after 5 attempts: connection error
/// malformed JSON at byte 39 (line 1, column 40): expected value (url: http://127.0.0.1:8080/items?page=3, page 3)
/// ```
///
/// ```
/// # fn check(error: restclient::Error) {
/// if error.is_status() {
///     eprintln!("the API said {:?} for {:?}", error.status(), error.url());
/// } else if error.is_timeout() || error.is_connect() {
///     eprintln!("network trouble: {error}");
/// }
/// # }
/// ```
pub struct Error {
    inner: Box<Inner>,
}

struct Inner {
    kind: Kind,
    /// The one-line description of this level (the causes follow from `source`).
    message: String,
    url: Option<String>,
    page: Option<usize>,
    resource: Option<String>,
    source: Option<BoxError>,
}

/// What kind of failure; private so kinds can be added.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Invalid client, call, paginator, auth or selector configuration, or an invalid URL.
    Config,
    /// A 4xx or 5xx response.
    Status,
    /// The request could not be completed: connection, timeout, TLS, body, retries exhausted.
    Request,
    /// Authentication failed at run time (an OAuth token request, say).
    Auth,
    /// The paginator could not go on: missing total, invalid cursor or link, a loop.
    Paginator,
    /// A body or record is not the JSON expected.
    Decode,
    /// A response hook failed.
    Hook,
    /// A checkpoint is malformed or belongs to another run.
    Checkpoint,
}

impl Error {
    fn new(kind: Kind, message: impl Into<String>, source: Option<BoxError>) -> Error {
        Error {
            inner: Box::new(Inner {
                kind,
                message: message.into(),
                url: None,
                page: None,
                resource: None,
                source,
            }),
        }
    }

    /// An invalid configuration (client, call, paginator, selector, ...).
    pub(crate) fn config(message: impl Into<String>) -> Error {
        Error::new(
            Kind::Config,
            format!("invalid configuration: {}", message.into()),
            None,
        )
    }

    /// A URL that cannot be formed or used.
    pub(crate) fn invalid_url(url: &str, reason: &str) -> Error {
        let url = redact::redact_url(url);
        Error::new(Kind::Config, format!("invalid URL {url}: {reason}"), None).with_url(url)
    }

    /// A boxed error from a request stack (transport, auth, or a layer of the user's), for the
    /// request to `url`.
    pub(crate) fn from_stack(error: BoxError, url: &str) -> Error {
        let error = match error.downcast::<AuthError>() {
            Ok(auth) => Error::from(*auth),
            Err(other) => Error::from(TransportError::from_box(other)),
        };
        if error.inner.url.is_some() {
            error
        } else {
            error.with_url(redact::redact_url(url))
        }
    }

    /// Sets the URL (already redacted) the error concerns.
    fn with_url(mut self, url: String) -> Error {
        if !url.is_empty() {
            self.inner.url = Some(url);
        }
        self
    }

    /// Adds where a pagination failed: the page number (from 0) and, when the error does not
    /// know it yet, the URL of that page's request (redacted here).
    #[doc(hidden)]
    pub fn at_page(mut self, page: usize, url: Option<&str>) -> Error {
        self.inner.page.get_or_insert(page);
        if self.inner.url.is_none()
            && let Some(url) = url
        {
            self = self.with_url(redact::redact_url(url));
        }
        self
    }

    /// Names the resource of a source run the error happened in.
    pub fn with_resource(mut self, resource: impl Into<String>) -> Error {
        self.inner.resource = Some(resource.into());
        self
    }

    /// Whether the error is a 4xx or 5xx response.
    pub fn is_status(&self) -> bool {
        self.inner.kind == Kind::Status
    }

    /// Whether a timeout caused the error (connect, a read, or the total deadline).
    pub fn is_timeout(&self) -> bool {
        self.transport().is_some_and(TransportError::is_timeout)
    }

    /// Whether a connection failure caused the error (refused, reset, broken mid-body).
    pub fn is_connect(&self) -> bool {
        self.transport().is_some_and(TransportError::is_connect)
    }

    /// Whether the request could not be completed (connection, timeout, TLS, body, retries).
    pub fn is_request(&self) -> bool {
        self.inner.kind == Kind::Request
    }

    /// Whether a body or record is not the JSON expected (malformed page, wrong record shape).
    pub fn is_decode(&self) -> bool {
        self.inner.kind == Kind::Decode
    }

    /// Whether a configuration, URL, selector, paginator or auth setting is invalid.
    pub fn is_config(&self) -> bool {
        self.inner.kind == Kind::Config
    }

    /// Whether the paginator could not go on (missing total, invalid cursor or link, a loop).
    pub fn is_paginator(&self) -> bool {
        self.inner.kind == Kind::Paginator
    }

    /// Whether authentication failed at run time (an OAuth token request, say).
    pub fn is_auth(&self) -> bool {
        self.inner.kind == Kind::Auth
    }

    /// Whether a response hook failed.
    pub fn is_hook(&self) -> bool {
        self.inner.kind == Kind::Hook
    }

    /// Whether a checkpoint was malformed or written for another run.
    pub fn is_checkpoint(&self) -> bool {
        self.inner.kind == Kind::Checkpoint
    }

    /// The HTTP status, when the error comes from a response (also an OAuth token response).
    pub fn status(&self) -> Option<http::StatusCode> {
        let mut cause: Option<&(dyn StdError + 'static)> = self.inner.source.as_deref().map(|e| e as _);
        // Bounded by the depth of the cause chain, which is finite.
        while let Some(e) = cause {
            if let Some(s) = e.downcast_ref::<StatusError>() {
                return Some(s.status());
            }
            if let Some(s) = e
                .downcast_ref::<TransportError>()
                .and_then(TransportError::status)
            {
                return Some(s);
            }
            cause = e.source();
        }
        None
    }

    /// The URL the error concerns, secrets redacted, when there is one.
    pub fn url(&self) -> Option<&str> {
        self.inner.url.as_deref()
    }

    /// The page a pagination failed on, counted from 0 like [`Page::index`](crate::Page) (its
    /// `Display` counts from 1), when it failed during one.
    pub fn page(&self) -> Option<usize> {
        self.inner.page
    }

    /// The resource of a source run the error happened in.
    pub fn resource(&self) -> Option<&str> {
        self.inner.resource.as_deref()
    }

    fn transport(&self) -> Option<&TransportError> {
        let mut cause: Option<&(dyn StdError + 'static)> = self.inner.source.as_deref().map(|e| e as _);
        while let Some(e) = cause {
            if let Some(t) = e.downcast_ref::<TransportError>() {
                return Some(t);
            }
            cause = e.source();
        }
        None
    }
}

impl fmt::Display for Error {
    /// The headline, then every cause not already spelled out in it, joined by `": "`, then where
    /// it happened when the line does not say so yet.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.inner;
        let mut line = inner.message.clone();
        // The source is the headline's own error: its causes follow.
        let mut cause = inner.source.as_deref().and_then(StdError::source);
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
        let mut place = Vec::new();
        if let Some(resource) = &inner.resource {
            place.push(format!("resource {resource}"));
        }
        if let Some(url) = self.url().filter(|url| !line.contains(url)) {
            place.push(format!("url: {url}"));
        }
        if let Some(page) = inner.page {
            // Counted from 1 for people; `page()` is the 0-based `Page::index`.
            place.push(format!("page {}", page + 1));
        }
        if !place.is_empty() {
            line.push_str(&format!(" ({})", place.join(", ")));
        }
        // Causes come from other crates; mask any registered secret that slipped into one.
        f.write_str(&redact::redact_text(&line))
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.inner;
        let mut d = f.debug_struct("restclient::Error");
        d.field("kind", &inner.kind);
        if let Some(url) = &inner.url {
            d.field("url", url);
        }
        if let Some(page) = inner.page {
            d.field("page", &page);
        }
        if let Some(resource) = &inner.resource {
            d.field("resource", resource);
        }
        // The message, not the source's own Debug: only redacted text leaves this type.
        d.field("message", &redact::redact_text(&self.to_string()));
        d.finish()
    }
}

impl StdError for Error {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.inner.source.as_deref().map(|e| e as _)
    }
}

impl From<StatusError> for Error {
    fn from(e: StatusError) -> Self {
        let url = e.url().to_owned();
        Error::new(Kind::Status, e.to_string(), Some(Box::new(e))).with_url(url)
    }
}

impl From<AuthError> for Error {
    fn from(e: AuthError) -> Self {
        if let AuthError::TokenStatus(s) = e {
            // A token endpoint's 4xx/5xx: an auth failure that still knows its status.
            let url = s.url().to_owned();
            let message = format!("authentication failed: {s}");
            return Error::new(Kind::Auth, message, Some(Box::new(AuthError::TokenStatus(s)))).with_url(url);
        }
        let kind = if e.is_config_error() {
            Kind::Config
        } else {
            Kind::Auth
        };
        Error::new(kind, format!("authentication failed: {e}"), Some(Box::new(e)))
    }
}

impl From<SelectError> for Error {
    fn from(e: SelectError) -> Self {
        let kind = match e {
            SelectError::InvalidPath { .. } => Kind::Config,
            _ => Kind::Decode,
        };
        Error::new(kind, e.to_string(), Some(Box::new(e)))
    }
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        Error::new(Kind::Decode, format!("invalid JSON: {e}"), Some(Box::new(e)))
    }
}

impl From<TransportError> for Error {
    fn from(e: TransportError) -> Self {
        match e {
            TransportError::Status(s) => Error::from(s),
            TransportError::InvalidSetting { .. } | TransportError::InvalidRootCertificate { .. } => {
                Error::new(
                    Kind::Config,
                    format!("invalid configuration: {e}"),
                    Some(Box::new(e)),
                )
            }
            other => {
                let url = other.url().unwrap_or_default().to_owned();
                let message = if url.is_empty() {
                    format!("request failed: {other}")
                } else {
                    format!("request to {url} failed: {other}")
                };
                Error::new(Kind::Request, message, Some(Box::new(other))).with_url(url)
            }
        }
    }
}

impl From<PaginateError> for Error {
    fn from(e: PaginateError) -> Self {
        match e {
            PaginateError::Status(s) => Error::from(s),
            PaginateError::Select(s) => Error::from(s),
            PaginateError::Transport { url, source } => Error::from_stack(source, &url),
            PaginateError::Config(_) => Error::new(
                Kind::Config,
                format!("invalid configuration: {e}"),
                Some(Box::new(e)),
            ),
            PaginateError::Hook(_) => Error::new(Kind::Hook, e.to_string(), Some(Box::new(e))),
            PaginateError::CheckpointMismatch { .. } | PaginateError::InvalidCheckpoint { .. } => {
                Error::new(Kind::Checkpoint, e.to_string(), Some(Box::new(e)))
            }
            other => Error::new(Kind::Paginator, other.to_string(), Some(Box::new(other))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_have_their_predicates() {
        let e = Error::config("timeout must be greater than 0");
        assert!(e.is_config() && !e.is_status() && e.url().is_none());
        assert_eq!(
            e.to_string(),
            "invalid configuration: timeout must be greater than 0"
        );

        let e = Error::invalid_url("ftp://h/x?token=abc", "the URL needs http");
        assert!(e.is_config());
        assert_eq!(e.url(), Some("ftp://h/x?token=***"));
        assert_eq!(
            e.to_string(),
            "invalid URL ftp://h/x?token=***: the URL needs http"
        );
    }

    #[test]
    fn place_is_named_once() {
        let e = Error::from(SelectError::MalformedJson {
            offset: 3,
            line: 1,
            column: 4,
            reason: "expected value".into(),
        })
        .at_page(2, Some("http://h/items?page=3&api_key=k"));
        assert!(e.is_decode());
        assert_eq!(e.page(), Some(2));
        assert_eq!(e.url(), Some("http://h/items?page=3&api_key=***"));
        let line = e.to_string();
        assert!(
            line.ends_with("(url: http://h/items?page=3&api_key=***, page 3)"),
            "{line}"
        );
        let e = e.with_resource("users");
        assert!(e.to_string().contains("(resource users, url: "), "{e}");
        assert_eq!(e.resource(), Some("users"));
    }

    #[test]
    fn debug_is_redacted_and_names_the_kind() {
        let e = Error::invalid_url("http://h/?password=pw-123456", "bad");
        let debug = format!("{e:?}");
        assert!(
            debug.contains("Config") && !debug.contains("pw-123456"),
            "{debug}"
        );
    }
}
