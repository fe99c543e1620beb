//! The small vocabulary every restclient crate speaks.
//!
//! - [`Request`] and [`Response`]: `http` types over a buffered [`Bytes`] body. A buffered body is
//!   cheap to clone, so a request can be retried and a response parsed without copying.
//! - [`BoxError`]: the error type tower stacks pass around.
//! - [`Secret`]: a credential whose `Debug` and `Display` never show the value.
//! - [`redact`]: URL, header and text redaction by parameter name and by known secret value.
//! - [`env`](mod@env): `${NAME}` references in configuration values, read from the environment.
//! - [`ResponseUri`]: the response extension that records the final URL of a response.
//! - [`StatusError`]: a 4xx/5xx response described safely, shared by transport, paginate and the facade.
//!
//! ```
//! use restclient_core::{Request, Secret, redact};
//!
//! let token = Secret::new("s3cr3t-token");
//! let request: Request = http::Request::get("https://api.example.com/items?api_key=abc&page=2")
//!     .body(bytes::Bytes::new())
//!     .unwrap();
//! assert_eq!(format!("{token:?}"), "Secret(\"***\")");
//! assert_eq!(
//!     redact::redact_uri(request.uri()),
//!     "https://api.example.com/items?api_key=***&page=2"
//! );
//! assert_eq!(redact::redact_text("got s3cr3t-token back"), "got *** back");
//! ```

pub mod env;
pub mod redact;
mod secret;
mod status;

pub use bytes::Bytes;
pub use secret::Secret;
pub use status::{Attempts, MAX_ERROR_BODY, StatusError};

/// A request with a buffered, cheaply cloneable body: what every restclient layer takes.
pub type Request = http::Request<Bytes>;

/// A response with its whole body buffered.
pub type Response = http::Response<Bytes>;

/// The boxed error that tower services exchange.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Response extension holding the URL the response finally came from (after redirects).
///
/// The transport sets it; paginators and error messages read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseUri(pub http::Uri);

/// The URL of a response: its [`ResponseUri`] extension when a transport set one.
pub fn response_uri(response: &Response) -> Option<&http::Uri> {
    response.extensions().get::<ResponseUri>().map(|u| &u.0)
}
