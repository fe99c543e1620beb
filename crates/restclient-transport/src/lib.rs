//! The HTTP layer of restclient: a pooled rustls client and the tower layers around it.
//!
//! - [`HttpClient`]: hyper-util's pooled client over rustls (ring, webpki roots), HTTP/1.1 and
//!   HTTP/2, keep-alive, buffered bodies with a size limit, dlt's per-read timeout, redirects,
//!   decompression and default headers.
//! - [`RetryLayer`]: dlt's retry rules (429/5xx, connection errors, timeouts; `Retry-After`;
//!   capped exponential backoff) on any `Service<http::Request<Bytes>>`, with a [`RetryPolicy`]
//!   trait for your own rules.
//! - [`RateLimitLayer`]: client-side limits shared by every clone: a token bucket (`max_rps`),
//!   pauses that the API's `Retry-After`/`RateLimit` headers ask for, and an adaptive (AIMD)
//!   in-flight limit.
//! - [`TraceLayer`]: a `tracing` span and one INFO line per attempt, secrets redacted.
//! - [`RuntimeSettings`]: dlt's `RUNTIME__REQUEST_*` settings and defaults.
//! - [`TransportError`]: the one error type.
//!
//! # The stack
//!
//! Outermost first: **Retry → Auth → Trace → HttpClient**. Auth (the `restclient-auth` crate) sits
//! inside retry so that every attempt carries fresh credentials; any layer of yours goes there too.
//! A [`RateLimitLayer`] goes right inside retry (Retry → RateLimit → Auth → …), so that every
//! attempt counts against the limits.
//! The per-attempt timeouts live in [`HttpClient`] (they must cover the body read, which a tower
//! timeout over the head cannot). [`default_stack`] builds the stack without auth:
//!
//! ```
//! use restclient_transport::{RuntimeSettings, default_stack};
//! use tower::{Service, ServiceExt};
//!
//! # async fn run() -> Result<(), restclient_core::BoxError> {
//! let settings = RuntimeSettings::from_env()?; // dlt defaults, overridden by RUNTIME__REQUEST_*
//! let mut stack = default_stack(&settings)?;
//! let request = http::Request::get("https://api.example.com/items").body(bytes::Bytes::new())?;
//! let response = stack.ready().await?.call(request).await?;
//! # let _ = response; Ok(()) }
//! ```
//!
//! With layers of your own between retry and the client, assemble it with tower's
//! `ServiceBuilder`:
//!
//! ```
//! use restclient_transport::{HttpClient, RetryLayer, RuntimeSettings, TraceLayer};
//! use tower::ServiceBuilder;
//!
//! let settings = RuntimeSettings::default();
//! let client = HttpClient::builder().settings(&settings).build().unwrap();
//! let stack = ServiceBuilder::new()
//!     .layer(RetryLayer::from_settings(&settings))
//!     // .layer(auth_layer)  -- restclient-auth goes here
//!     .layer(TraceLayer::new())
//!     .service(client);
//! # let _ = stack;
//! ```

pub mod client;
pub mod error;
pub mod rate_limit;
pub mod retry;
pub mod settings;
pub mod trace;

pub use client::{
    DEFAULT_MAX_BODY_SIZE, DEFAULT_MAX_REDIRECTS, DEFAULT_USER_AGENT, HttpClient, HttpClientBuilder,
};
pub use error::{TimeoutPhase, TransportError, is_retryable_error};
pub use rate_limit::{
    DEFAULT_MAX_PAUSE, RateLimit, RateLimitBuilder, RateLimitError, RateLimitLayer, RateLimitSnapshot,
};
pub use retry::{Outcome, Retry, RetryLayer, RetryPolicy, StandardRetryPolicy, parse_retry_after};
/// A DER-encoded certificate, for [`HttpClientBuilder::add_root_certificate`] (rustls's type).
pub use rustls::pki_types::CertificateDer;
pub use settings::{
    ENV_BACKOFF_FACTOR, ENV_MAX_ATTEMPTS, ENV_MAX_RETRY_DELAY, ENV_REQUEST_TIMEOUT, RuntimeSettings,
};
pub use trace::{Trace, TraceLayer};

/// The stack [`default_stack`] builds: retry around tracing around the client.
pub type DefaultStack = Retry<Trace<HttpClient>>;

/// Builds Retry → Trace → [`HttpClient`] from `settings` (retry attempts, backoff, cap and the
/// request timeout), with the client's other defaults.
///
/// # Errors
/// [`TransportError::Tls`] if the TLS configuration cannot be built.
pub fn default_stack(settings: &RuntimeSettings) -> Result<DefaultStack, TransportError> {
    let client = HttpClient::builder().settings(settings).build()?;
    Ok(stack_with_client(settings, client))
}

/// Like [`default_stack`], around a client you configured.
pub fn stack_with_client(settings: &RuntimeSettings, client: HttpClient) -> DefaultStack {
    use tower::Layer;
    RetryLayer::from_settings(settings).layer(TraceLayer::new().layer(client))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn send_sync_clone<T: Send + Sync + Clone + 'static>() {}

    #[test]
    fn stack_types_are_shareable() {
        send_sync_clone::<HttpClient>();
        send_sync_clone::<DefaultStack>();
        send_sync_clone::<RateLimitLayer>();
        send_sync_clone::<RateLimit<HttpClient>>();
        fn send_sync<T: Send + Sync + 'static>() {}
        send_sync::<TransportError>();
        let stack = default_stack(&RuntimeSettings::default()).unwrap();
        assert!(format!("{stack:?}").contains("HttpClient"));
    }
}
