//! The transport's one error type, and the classification the retry layer uses.
//!
//! Every URL an error carries is redacted with [`restclient_core::redact`] when the error is built,
//! so neither `Display` nor `Debug` can show a secret query parameter.

use std::error::Error as StdError;
use std::time::Duration;

use restclient_core::{BoxError, StatusError};

/// Where a timeout struck.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TimeoutPhase {
    /// Connecting, or waiting for the response head (status line and headers).
    Head,
    /// Waiting for the next chunk of the response body.
    Body,
    /// The optional total deadline of one attempt.
    Total,
}

impl std::fmt::Display for TimeoutPhase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            TimeoutPhase::Head => "waiting for the response",
            TimeoutPhase::Body => "waiting for the response body",
            TimeoutPhase::Total => "the total deadline of the attempt was reached",
        })
    }
}

/// Everything that can go wrong in the transport.
///
/// Ask it what happened with [`is_timeout`](Self::is_timeout), [`is_connect`](Self::is_connect),
/// [`status`](Self::status) and [`url`](Self::url) (already redacted), as with reqwest's error.
///
/// ```
/// use restclient_transport::{TimeoutPhase, TransportError};
/// use std::time::Duration;
///
/// let err = TransportError::Timeout {
///     url: "https://api.example.com/items?api_key=***".into(),
///     phase: TimeoutPhase::Head,
///     after: Duration::from_secs(60),
/// };
/// assert!(err.is_timeout());
/// assert_eq!(err.url(), Some("https://api.example.com/items?api_key=***"));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// The server answered with a 4xx or 5xx status (callers turn such responses into this).
    #[error(transparent)]
    Status(#[from] StatusError),
    /// No data arrived in time.
    #[error("request timed out after {after:?} ({phase}): {url}")]
    Timeout {
        /// The redacted URL.
        url: String,
        /// Which wait timed out.
        phase: TimeoutPhase,
        /// The timeout that expired.
        after: Duration,
    },
    /// The connection could not be made, or broke before the response head arrived.
    #[error("connection error: {url}")]
    Connect {
        /// The redacted URL.
        url: String,
        /// The cause (hyper, io, TLS handshake).
        #[source]
        source: BoxError,
    },
    /// The connection broke while the body was being read.
    #[error("the response body was cut off: {url}")]
    Body {
        /// The redacted URL.
        url: String,
        /// The cause.
        #[source]
        source: BoxError,
    },
    /// The (decoded) response body exceeds the configured maximum.
    #[error("response body larger than the limit of {limit} bytes: {url}")]
    BodyTooLarge {
        /// The redacted URL.
        url: String,
        /// The limit in bytes.
        limit: usize,
    },
    /// The body could not be decompressed (not retried, as in dlt).
    #[error("could not decode the response body: {url}")]
    Decode {
        /// The redacted URL.
        url: String,
        /// The cause.
        #[source]
        source: BoxError,
    },
    /// The request URL cannot be sent (no scheme or host, or a scheme other than http/https).
    #[error("invalid URL ({reason}): {url}")]
    InvalidUrl {
        /// The redacted URL.
        url: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// More redirects than allowed.
    #[error("too many redirects (more than {max}): {url}")]
    Redirect {
        /// The redacted URL of the redirect that was refused.
        url: String,
        /// The limit.
        max: usize,
    },
    /// The TLS configuration could not be built.
    #[error("TLS configuration error")]
    Tls(#[source] rustls::Error),
    /// A root certificate given to [`HttpClientBuilder::add_root_certificate`] or
    /// [`HttpClientBuilder::add_root_certificates_pem`] cannot be used (reported by
    /// [`HttpClientBuilder::build`]).
    ///
    /// [`HttpClientBuilder::add_root_certificate`]: crate::HttpClientBuilder::add_root_certificate
    /// [`HttpClientBuilder::add_root_certificates_pem`]: crate::HttpClientBuilder::add_root_certificates_pem
    /// [`HttpClientBuilder::build`]: crate::HttpClientBuilder::build
    #[error("invalid root certificate (added root number {position}): {reason}")]
    InvalidRootCertificate {
        /// Which `add_root_certificate*` call it came from, counting from 1.
        position: usize,
        /// What is wrong with it.
        reason: String,
    },
    /// A runtime setting (from the environment) is invalid.
    #[error("invalid value {value:?} for {variable}: {reason}")]
    InvalidSetting {
        /// The variable name, e.g. `RUNTIME__REQUEST_TIMEOUT`.
        variable: &'static str,
        /// The value found.
        value: String,
        /// Why it was refused.
        reason: &'static str,
    },
    /// A rate-limit setting cannot work (from [`RateLimitBuilder::build`](crate::RateLimitBuilder::build)).
    #[error(transparent)]
    RateLimit(#[from] crate::rate_limit::RateLimitError),
    /// Every attempt failed; `source` is the last cause.
    #[error("giving up after {attempts} attempts")]
    RetriesExhausted {
        /// How many attempts were made.
        attempts: u32,
        /// The error of the last attempt.
        #[source]
        source: BoxError,
    },
    /// Any other failure of the HTTP exchange.
    #[error("request failed: {url}")]
    Request {
        /// The redacted URL.
        url: String,
        /// The cause.
        #[source]
        source: BoxError,
    },
}

impl TransportError {
    /// Turns a boxed error from a tower stack back into a `TransportError`: the error itself when it
    /// is one, otherwise a [`TransportError::Request`] around it (with an empty URL).
    pub fn from_box(error: BoxError) -> TransportError {
        match error.downcast::<TransportError>() {
            Ok(e) => *e,
            Err(other) => match other.downcast::<StatusError>() {
                Ok(s) => TransportError::Status(*s),
                Err(other) => TransportError::Request {
                    url: String::new(),
                    source: other,
                },
            },
        }
    }

    /// True for a timeout, also when it was the last cause of [`RetriesExhausted`](Self::RetriesExhausted).
    pub fn is_timeout(&self) -> bool {
        match self {
            TransportError::Timeout { .. } => true,
            TransportError::RetriesExhausted { source, .. } => chain_has(source.as_ref(), |e| {
                e.downcast_ref::<TransportError>()
                    .is_some_and(TransportError::is_timeout)
                    || is_foreign_timeout(e)
            }),
            _ => false,
        }
    }

    /// True when the connection failed or broke (before or during the response), also as the last
    /// cause of [`RetriesExhausted`](Self::RetriesExhausted).
    pub fn is_connect(&self) -> bool {
        match self {
            TransportError::Connect { .. } | TransportError::Body { .. } => true,
            TransportError::RetriesExhausted { source, .. } => chain_has(source.as_ref(), |e| {
                e.downcast_ref::<TransportError>()
                    .is_some_and(TransportError::is_connect)
            }),
            _ => false,
        }
    }

    /// The HTTP status, for a [`Status`](Self::Status) error.
    pub fn status(&self) -> Option<http::StatusCode> {
        match self {
            TransportError::Status(s) => Some(s.status()),
            _ => None,
        }
    }

    /// The URL, secrets redacted, when the error concerns one request.
    pub fn url(&self) -> Option<&str> {
        match self {
            TransportError::Status(s) => Some(s.url()),
            TransportError::Timeout { url, .. }
            | TransportError::Connect { url, .. }
            | TransportError::Body { url, .. }
            | TransportError::BodyTooLarge { url, .. }
            | TransportError::Decode { url, .. }
            | TransportError::InvalidUrl { url, .. }
            | TransportError::Redirect { url, .. }
            | TransportError::Request { url, .. } => Some(url).filter(|u| !u.is_empty()).map(|u| u.as_str()),
            TransportError::RetriesExhausted { source, .. } => source
                .downcast_ref::<TransportError>()
                .and_then(TransportError::url),
            TransportError::Tls(_)
            | TransportError::InvalidRootCertificate { .. }
            | TransportError::InvalidSetting { .. }
            | TransportError::RateLimit(_) => None,
        }
    }

    /// How many attempts were made, for [`RetriesExhausted`](Self::RetriesExhausted) and
    /// [`Status`](Self::Status).
    pub fn attempts(&self) -> Option<u32> {
        match self {
            TransportError::RetriesExhausted { attempts, .. } => Some(*attempts),
            TransportError::Status(s) => Some(s.attempts()),
            _ => None,
        }
    }
}

fn chain_has(error: &(dyn StdError + 'static), pred: impl Fn(&(dyn StdError + 'static)) -> bool) -> bool {
    let mut current = Some(error);
    // A source chain is finite in practice; the bound guards against a cyclic `source()`.
    for _ in 0..64 {
        let Some(e) = current else { return false };
        if pred(e) {
            return true;
        }
        current = e.source();
    }
    false
}

fn is_foreign_timeout(e: &(dyn StdError + 'static)) -> bool {
    e.is::<tokio::time::error::Elapsed>()
        || e.is::<tower::timeout::error::Elapsed>()
        || e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::TimedOut)
        || e.downcast_ref::<hyper::Error>()
            .is_some_and(hyper::Error::is_timeout)
}

/// Whether an error is one that dlt retries: a connection error (refused, reset, cut mid-body, TLS
/// handshake) or a timeout.
///
/// It looks through the whole `source()` chain, so it classifies errors from any service: this
/// crate's [`TransportError`], hyper and hyper-util errors, `std::io::Error`, and tokio's and
/// tower's timeout errors. [`TransportError::RetriesExhausted`] is never retryable again.
///
/// ```
/// use restclient_transport::is_retryable_error;
/// let reset = std::io::Error::from(std::io::ErrorKind::ConnectionReset);
/// assert!(is_retryable_error(&reset));
/// let other = std::io::Error::other("disk full");
/// assert!(!is_retryable_error(&other));
/// ```
pub fn is_retryable_error(error: &(dyn StdError + 'static)) -> bool {
    if let Some(own) = error.downcast_ref::<TransportError>() {
        return match own {
            TransportError::Timeout { .. } | TransportError::Connect { .. } | TransportError::Body { .. } => {
                true
            }
            TransportError::Request { source, .. } => is_retryable_error(source.as_ref()),
            _ => false,
        };
    }
    chain_has(error, |e| {
        if is_foreign_timeout(e) {
            return true;
        }
        if e.downcast_ref::<hyper_util::client::legacy::Error>()
            .is_some_and(hyper_util::client::legacy::Error::is_connect)
        {
            return true;
        }
        if let Some(h) = e.downcast_ref::<hyper::Error>() {
            // Everything hyper reports about the exchange itself (closed, reset, incomplete
            // message, canceled) is a connection problem; misuse and parse errors are not.
            return !h.is_user() && !h.is_parse();
        }
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            use std::io::ErrorKind::*;
            // `io::Error::other(e)` hides `e` from `source()`; look at it directly.
            if io.get_ref().is_some_and(|inner| is_retryable_error(inner)) {
                return true;
            }
            return matches!(
                io.kind(),
                ConnectionRefused
                    | ConnectionReset
                    | ConnectionAborted
                    | NotConnected
                    | BrokenPipe
                    | UnexpectedEof
                    | TimedOut
                    | HostUnreachable
                    | NetworkUnreachable
                    | AddrNotAvailable
            );
        }
        false
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification() {
        let timeout = TransportError::Timeout {
            url: "u".into(),
            phase: TimeoutPhase::Body,
            after: Duration::from_secs(1),
        };
        assert!(is_retryable_error(&timeout));
        assert!(timeout.is_timeout());
        let too_large = TransportError::BodyTooLarge {
            url: "u".into(),
            limit: 1,
        };
        assert!(!is_retryable_error(&too_large));
        let exhausted = TransportError::RetriesExhausted {
            attempts: 5,
            source: Box::new(timeout),
        };
        assert!(!is_retryable_error(&exhausted));
        assert!(exhausted.is_timeout());
        assert_eq!(exhausted.url(), Some("u"));
        let wrapped: BoxError = Box::new(std::io::Error::from(std::io::ErrorKind::ConnectionRefused));
        assert!(is_retryable_error(wrapped.as_ref()));
        assert!(!is_retryable_error(&std::io::Error::other("nope")));
    }

    #[test]
    fn from_box_round_trips() {
        let e: BoxError = Box::new(TransportError::Redirect {
            url: "http://h/".into(),
            max: 3,
        });
        assert!(matches!(
            TransportError::from_box(e),
            TransportError::Redirect { max: 3, .. }
        ));
        let other = TransportError::from_box("boom".into());
        assert!(matches!(other, TransportError::Request { .. }));
        assert_eq!(other.url(), None);
    }
}
