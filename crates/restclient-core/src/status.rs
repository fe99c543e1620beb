//! The error for a response whose status says it failed.

use std::fmt;

use crate::{Response, redact};

/// How much of an error body [`StatusError`] keeps (dlt's `http_max_error_body_length`).
pub const MAX_ERROR_BODY: usize = 8192;

/// A response with a 4xx or 5xx status, described safely: the URL is redacted, and the start of
/// the body (with registered secrets masked) is kept for the message.
///
/// Its `Display` follows dlt's format, `"{status} {Client|Server} Error: {reason} for url: {url}"`,
/// followed by `" (after N attempts)"` when the request was retried.
///
/// ```
/// use restclient_core::StatusError;
/// let response = http::Response::builder().status(404).body(bytes::Bytes::from("gone")).unwrap();
/// let err = StatusError::from_response(&http::Method::GET, "http://h/x?token=t0k3n", &response);
/// assert_eq!(err.to_string(), "404 Client Error: Not Found for url: http://h/x?token=***");
/// assert_eq!(err.body(), "gone");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct StatusError {
    status: http::StatusCode,
    method: http::Method,
    url: String,
    body: String,
    attempts: u32,
}

/// Response (and request) extension: how many attempts a retry layer made. Absent means one: the
/// retry layer sets it only from the second attempt on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attempts(pub u32);

impl StatusError {
    /// Describes a failed `response` to `method url`; `url` is redacted here.
    pub fn from_response(method: &http::Method, url: &str, response: &Response) -> StatusError {
        let body = String::from_utf8_lossy(response.body());
        let mut body = redact::redact_text(&body).into_owned();
        if body.len() > MAX_ERROR_BODY {
            let mut cut = MAX_ERROR_BODY;
            while !body.is_char_boundary(cut) {
                cut -= 1;
            }
            body.truncate(cut);
            body.push_str("… (truncated)");
        }
        StatusError {
            status: response.status(),
            method: method.clone(),
            url: redact::redact_url(url),
            body,
            attempts: response.extensions().get::<Attempts>().map_or(1, |a| a.0),
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> http::StatusCode {
        self.status
    }

    /// The request method.
    pub fn method(&self) -> &http::Method {
        &self.method
    }

    /// The URL, secrets redacted.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The start of the response body (at most [`MAX_ERROR_BODY`] bytes), secrets redacted.
    pub fn body(&self) -> &str {
        &self.body
    }

    /// How many attempts were made before giving up.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }
}

impl fmt::Display for StatusError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let side = if self.status.as_u16() < 500 {
            "Client"
        } else {
            "Server"
        };
        let reason = self.status.canonical_reason().unwrap_or("Unknown Status");
        write!(
            f,
            "{} {side} Error: {reason} for url: {}",
            self.status.as_u16(),
            self.url
        )?;
        if self.attempts > 1 {
            write!(f, " (after {} attempts)", self.attempts)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, body: &str) -> Response {
        http::Response::builder()
            .status(status)
            .body(bytes::Bytes::from(body.to_owned()))
            .unwrap()
    }

    #[test]
    fn message_matches_dlt_and_redacts() {
        let e = StatusError::from_response(
            &http::Method::GET,
            "http://h/p37?api_key=SECRET&page=1",
            &response(500, ""),
        );
        assert_eq!(
            e.to_string(),
            "500 Server Error: Internal Server Error for url: http://h/p37?api_key=***&page=1"
        );
    }

    #[test]
    fn attempts_and_long_bodies() {
        let mut r = response(429, &"é".repeat(MAX_ERROR_BODY));
        r.extensions_mut().insert(Attempts(5));
        let e = StatusError::from_response(&http::Method::POST, "http://h/", &r);
        assert!(e.to_string().ends_with("(after 5 attempts)"));
        assert!(e.body().ends_with("(truncated)"));
        assert!(e.body().len() <= MAX_ERROR_BODY + 20);
    }
}
