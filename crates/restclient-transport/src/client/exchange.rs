//! The innermost service: one hyper exchange up to the response head. The head timeout covers
//! connecting too (a new connection is made inside the exchange); hyper's errors become
//! [`TransportError::Connect`] when retrying could help, [`TransportError::Request`] otherwise.

use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use restclient_core::redact::redact_uri;
use tower::Service;

use super::{BoxFuture, HyperClient};
use crate::error::{TimeoutPhase, TransportError, is_retryable_error};

/// The innermost service: one hyper exchange up to the response head, under `request_timeout`.
#[derive(Clone, Debug)]
pub(super) struct Exchange {
    pub(super) client: HyperClient,
    pub(super) head_timeout: Option<Duration>,
}

impl Service<http::Request<Full<Bytes>>> for Exchange {
    type Response = http::Response<Incoming>;
    type Error = TransportError;
    type Future = BoxFuture<Result<Self::Response, TransportError>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        // The legacy client queues requests internally; it is always ready.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<Full<Bytes>>) -> Self::Future {
        let uri = request.uri().clone();
        let sent = self.client.request(request);
        let limit = self.head_timeout;
        Box::pin(async move {
            let result = match limit {
                Some(limit) => {
                    tokio::time::timeout(limit, sent)
                        .await
                        .map_err(|_| TransportError::Timeout {
                            url: redact_uri(&uri),
                            phase: TimeoutPhase::Head,
                            after: limit,
                        })?
                }
                None => sent.await,
            };
            result.map_err(|e| {
                if e.is_connect() || is_retryable_error(&e) {
                    TransportError::Connect {
                        url: redact_uri(&uri),
                        source: Box::new(e),
                    }
                } else {
                    TransportError::Request {
                        url: redact_uri(&uri),
                        source: Box::new(e),
                    }
                }
            })
        })
    }
}
