use std::time::Duration;

use bytes::Bytes;
use http::{HeaderName, HeaderValue, StatusCode};

/// A scripted answer: status, headers, body, an optional delay and an optional fault.
///
/// ```
/// use restclient_testkit::Reply;
/// use std::time::Duration;
///
/// let ok = Reply::json(&serde_json::json!({"data": []})).header("Link", "</p?page=2>; rel=\"next\"");
/// let slow = Reply::text("late").delay(Duration::from_millis(200));
/// let rate_limited = Reply::status(429).header("Retry-After", "1");
/// let broken = Reply::text("0123456789").close_after_bytes(4);
/// # let _ = (ok, slow, rate_limited, broken);
/// ```
#[derive(Debug, Clone)]
pub struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) headers: Vec<(HeaderName, HeaderValue)>,
    pub(crate) body: Bytes,
    pub(crate) delay: Option<Duration>,
    pub(crate) fault: Option<Fault>,
}

#[derive(Debug, Clone)]
pub(crate) enum Fault {
    /// Drop the connection without sending a response.
    CloseBeforeResponse,
    /// Send the head (with the full Content-Length) and `after` body bytes, then drop the connection.
    CloseAfterBytes(usize),
    /// Send the head and `after` body bytes, wait `pause`, then send the rest.
    StallAfterBytes(usize, Duration),
}

impl Reply {
    /// An empty reply with this status.
    ///
    /// # Panics
    /// On a status outside 100..=999 (a bug in the test).
    pub fn status(status: u16) -> Reply {
        Reply {
            status: StatusCode::from_u16(status).expect("test reply status must be 100..=999"),
            headers: Vec::new(),
            body: Bytes::new(),
            delay: None,
            fault: None,
        }
    }

    /// `200 OK` with a JSON body and `Content-Type: application/json`.
    pub fn json(value: &serde_json::Value) -> Reply {
        Reply::status(200)
            .header("content-type", "application/json")
            .body(value.to_string())
    }

    /// `200 OK` with a JSON body given as text (for malformed or hand-formatted JSON).
    pub fn json_text(text: impl Into<Bytes>) -> Reply {
        Reply::status(200)
            .header("content-type", "application/json")
            .body(text)
    }

    /// `200 OK` with a plain-text body.
    pub fn text(text: impl Into<Bytes>) -> Reply {
        Reply::status(200).header("content-type", "text/plain").body(text)
    }

    /// A reply that closes the connection before any response is sent.
    pub fn close_connection() -> Reply {
        Reply {
            fault: Some(Fault::CloseBeforeResponse),
            ..Reply::status(200)
        }
    }

    /// Replaces the status.
    ///
    /// # Panics
    /// On a status outside 100..=999.
    pub fn with_status(mut self, status: u16) -> Reply {
        self.status = StatusCode::from_u16(status).expect("test reply status must be 100..=999");
        self
    }

    /// Adds a header (repeatable: the same name twice sends two headers).
    ///
    /// # Panics
    /// On an invalid header name or value.
    pub fn header(mut self, name: &str, value: &str) -> Reply {
        let name = HeaderName::from_bytes(name.as_bytes()).expect("valid test header name");
        let value = HeaderValue::from_str(value).expect("valid test header value");
        self.headers.push((name, value));
        self
    }

    /// Sets the body.
    pub fn body(mut self, body: impl Into<Bytes>) -> Reply {
        self.body = body.into();
        self
    }

    /// Waits this long before sending the response head.
    pub fn delay(mut self, delay: Duration) -> Reply {
        self.delay = Some(delay);
        self
    }

    /// Sends the head (announcing the full length) and the first `n` body bytes, then drops the
    /// connection.
    pub fn close_after_bytes(mut self, n: usize) -> Reply {
        self.fault = Some(Fault::CloseAfterBytes(n));
        self
    }

    /// Sends the head and the first `n` body bytes, waits `pause`, then sends the rest.
    pub fn stall_after_bytes(mut self, n: usize, pause: Duration) -> Reply {
        self.fault = Some(Fault::StallAfterBytes(n, pause));
        self
    }
}
