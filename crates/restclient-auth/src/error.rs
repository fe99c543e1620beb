//! The one error type of this crate.
//!
//! Every message names what failed (the strategy, the field, the token URL, the HTTP status) and
//! never a credential: URLs are redacted with [`restclient_core::redact`], errors from below are
//! passed through [`redact_text`](restclient_core::redact::redact_text), and config errors describe
//! a wrong value by its kind ("a number"), never by its content.

use std::fmt;

use restclient_core::{BoxError, StatusError, redact};

/// Why authentication could not be set up or applied.
///
/// `Debug` prints the (redacted) message, never the fields of the error below it, so even
/// `{:?}` of a transport error carrying a URL with a key shows no secret.
#[derive(thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// A credential cannot be sent in a header (control characters, say). The value is not shown.
    #[error("the {what} is not a valid HTTP header value")]
    InvalidCredential {
        /// Which credential, e.g. "bearer token".
        what: &'static str,
    },

    /// A header or cookie name is not valid.
    #[error("`{name}` is not a valid {what} name")]
    InvalidName {
        /// "header" or "cookie".
        what: &'static str,
        /// The rejected name.
        name: String,
    },

    /// A URL (token URL, scope origin) could not be parsed.
    #[error("invalid {what}: {url}")]
    InvalidUrl {
        /// Which URL, e.g. "OAuth access_token_url".
        what: &'static str,
        /// The URL, redacted.
        url: String,
    },

    /// The token request could not be sent or got no response (connection refused, timeout...).
    #[error("OAuth token request to {url} failed: {message}")]
    TokenRequest {
        /// The token URL, redacted.
        url: String,
        /// The error from the service below auth, redacted.
        message: String,
        /// That error.
        #[source]
        source: BoxError,
    },

    /// The token endpoint answered with a 4xx or 5xx status.
    #[error("OAuth token request failed: {0}")]
    TokenStatus(#[source] StatusError),

    /// The token response is 2xx but has no usable `access_token` (dlt would send `Bearer None`).
    #[error("OAuth token response from {url} has no `access_token`")]
    MissingAccessToken {
        /// The token URL, redacted.
        url: String,
    },

    /// The token response is not the JSON object expected, or its `expires_in` is not a number.
    #[error("invalid OAuth token response from {url}: {reason}")]
    InvalidTokenResponse {
        /// The token URL, redacted.
        url: String,
        /// What is wrong with it (never the body itself).
        reason: &'static str,
    },

    /// A declarative auth config is invalid.
    #[error("invalid auth config: {0}")]
    Config(String),

    /// A custom strategy failed.
    #[error("custom auth failed: {message}")]
    Custom {
        /// The error, redacted.
        message: String,
        /// That error.
        #[source]
        source: BoxError,
    },

    /// An [`AuthFuture`](crate::AuthFuture) was polled again after it completed.
    #[error("auth future polled after completion")]
    Polled,
}

impl fmt::Debug for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("AuthError")
            .field(&redact::redact_text(&self.to_string()))
            .finish()
    }
}

impl AuthError {
    /// The HTTP status of a failed token request, if that is what this is.
    pub fn status(&self) -> Option<http::StatusCode> {
        match self {
            AuthError::TokenStatus(e) => Some(e.status()),
            _ => None,
        }
    }

    /// Whether the error is an invalid auth configuration (a credential, header name, URL or
    /// dict that cannot be used), found before any request.
    pub fn is_config_error(&self) -> bool {
        matches!(
            self,
            AuthError::InvalidCredential { .. }
                | AuthError::InvalidName { .. }
                | AuthError::InvalidUrl { .. }
                | AuthError::Config(_)
        )
    }

    /// Whether the error came from fetching an OAuth token.
    pub fn is_token_error(&self) -> bool {
        matches!(
            self,
            AuthError::TokenRequest { .. }
                | AuthError::TokenStatus(_)
                | AuthError::MissingAccessToken { .. }
                | AuthError::InvalidTokenResponse { .. }
        )
    }

    /// The auth error inside a boxed error from [`Auth`](crate::Auth), if it is one (auth errors
    /// reach callers boxed, beside the inner service's errors).
    pub fn find_in(error: &BoxError) -> Option<&AuthError> {
        error.downcast_ref::<AuthError>()
    }

    /// Wraps the error of a custom strategy; its message is redacted.
    pub fn custom(source: impl Into<BoxError>) -> AuthError {
        let source = source.into();
        AuthError::Custom {
            message: redact::redact_text(&source.to_string()).into_owned(),
            source,
        }
    }

    pub(crate) fn token_request(url: &str, source: BoxError) -> AuthError {
        AuthError::TokenRequest {
            url: redact::redact_url(url),
            message: redact::redact_text(&source.to_string()).into_owned(),
            source,
        }
    }
}
