//! A buffered response.

use std::borrow::Cow;

use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode, Uri};
use restclient_core::StatusError;
use serde::de::DeserializeOwned;

use crate::Error;

/// A response with its whole body, returned by [`RequestBuilder::send`](crate::RequestBuilder::send).
///
/// Like dlt's `get()`, a 4xx or 5xx status is *not* an error (retries have already run); call
/// [`error_for_status`](Response::error_for_status) to make it one.
#[derive(Debug)]
pub struct Response {
    inner: http::Response<Bytes>,
    method: Method,
    url: Uri,
}

impl Response {
    pub(crate) fn new(inner: http::Response<Bytes>, method: Method, request_url: Uri) -> Response {
        let url = restclient_core::response_uri(&inner)
            .cloned()
            .unwrap_or(request_url);
        Response { inner, method, url }
    }

    /// The status.
    pub fn status(&self) -> StatusCode {
        self.inner.status()
    }

    /// The headers.
    pub fn headers(&self) -> &HeaderMap {
        self.inner.headers()
    }

    /// The URL the response came from, after redirects.
    pub fn url(&self) -> &Uri {
        &self.url
    }

    /// The body.
    pub fn body(&self) -> &Bytes {
        self.inner.body()
    }

    /// The body as text (invalid UTF-8 replaced).
    pub fn text(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(self.inner.body())
    }

    /// The body deserialised from JSON.
    ///
    /// # Errors
    /// An error with [`Error::is_decode`] when the body is not JSON of that shape.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, Error> {
        Ok(serde_json::from_slice(self.inner.body())?)
    }

    /// `Ok(self)` for a status below 400, otherwise an error with [`Error::is_status`] naming the status and the
    /// redacted URL.
    ///
    /// # Errors
    /// On a 4xx or 5xx status.
    pub fn error_for_status(self) -> Result<Response, Error> {
        if self.status().as_u16() >= 400 {
            let url = self.url.to_string();
            return Err(StatusError::from_response(&self.method, &url, &self.inner).into());
        }
        Ok(self)
    }

    /// The underlying `http::Response`.
    pub fn into_http(self) -> http::Response<Bytes> {
        self.inner
    }
}
