//! Reading a response body: every wait for a chunk bounded by `request_timeout` (dlt's meaning),
//! the decoded size bounded by `max_body_size`, a single-chunk body kept without a copy.

use bytes::{Bytes, BytesMut};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use restclient_core::redact::redact_uri;
use tower_http::decompression::DecompressionBody;

use super::Config;
use crate::error::{TimeoutPhase, TransportError, is_retryable_error};

/// Reads the whole body, waiting at most `request_timeout` for each chunk.
pub(super) async fn read_body(
    body: DecompressionBody<Incoming>,
    config: &Config,
    uri: &http::Uri,
) -> Result<Bytes, TransportError> {
    let mut body = std::pin::pin!(body);
    let mut first: Option<Bytes> = None;
    let mut rest = BytesMut::new();
    let mut total = 0usize;
    // Bounded: every turn either ends, fails, or consumes a frame of a finite body, and waits at
    // most `request_timeout`.
    loop {
        let frame = match config.request_timeout {
            Some(limit) => {
                tokio::time::timeout(limit, body.frame())
                    .await
                    .map_err(|_| TransportError::Timeout {
                        url: redact_uri(uri),
                        phase: TimeoutPhase::Body,
                        after: limit,
                    })?
            }
            None => body.frame().await,
        };
        let Some(frame) = frame else { break };
        let frame = frame.map_err(|source| {
            if is_retryable_error(source.as_ref()) {
                TransportError::Body {
                    url: redact_uri(uri),
                    source,
                }
            } else {
                TransportError::Decode {
                    url: redact_uri(uri),
                    source,
                }
            }
        })?;
        let Ok(data) = frame.into_data() else {
            continue; // trailers
        };
        total = total.saturating_add(data.len());
        if total > config.max_body_size {
            return Err(TransportError::BodyTooLarge {
                url: redact_uri(uri),
                limit: config.max_body_size,
            });
        }
        // Keep a single-chunk body as it came (no copy); join longer ones.
        match first.take() {
            None if rest.is_empty() => first = Some(data),
            None => rest.extend_from_slice(&data),
            Some(previous) => {
                rest.reserve(previous.len() + data.len());
                rest.extend_from_slice(&previous);
                rest.extend_from_slice(&data);
            }
        }
    }
    Ok(match first {
        Some(only) => only,
        None => rest.freeze(),
    })
}
