//! One `tracing` span and one INFO line per request attempt, with secrets redacted.
//!
//! [`Trace`] opens an `http.request` span with the method, the URL (redacted by
//! [`restclient_core::redact`]) and the attempt number (from the [`Attempts`] request extension
//! that [`Retry`](crate::Retry) sets; 1 without it), and records the status and duration when the
//! response arrives. It then logs one line: at INFO for a response, at WARN for an error.
//!
//! Put it inside the retry layer so that every attempt gets its own line:
//!
//! ```
//! use restclient_transport::{RetryLayer, TraceLayer};
//! use tower::ServiceBuilder;
//! # use bytes::Bytes;
//! # let http = tower::service_fn(|_r: http::Request<Bytes>| async {
//! #     Ok::<_, std::convert::Infallible>(http::Response::new(Bytes::new()))
//! # });
//! let service = ServiceBuilder::new()
//!     .layer(RetryLayer::default())
//!     .layer(TraceLayer::new())
//!     .service(http);
//! # let _ = service;
//! ```

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use restclient_core::redact::{redact_text, redact_uri};
use restclient_core::{Attempts, Request, Response};
use tower::{Layer, Service};
use tracing::Instrument;

/// Applies [`Trace`] to a service.
#[derive(Debug, Clone, Copy, Default)]
pub struct TraceLayer {
    _private: (),
}

impl TraceLayer {
    /// A tracing layer.
    pub fn new() -> Self {
        TraceLayer::default()
    }
}

impl<S> Layer<S> for TraceLayer {
    type Service = Trace<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Trace { inner }
    }
}

/// Traces each request; see the [module docs](self).
#[derive(Debug, Clone)]
pub struct Trace<S> {
    inner: S,
}

impl<S> Trace<S> {
    /// Wraps `inner`.
    pub fn new(inner: S) -> Self {
        Trace { inner }
    }

    /// The inner service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// The inner service, mutably.
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.inner
    }

    /// Unwraps the inner service.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S> Service<Request> for Trace<S>
where
    S: Service<Request, Response = Response>,
    S::Error: fmt::Display,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Response, S::Error>> + Send + 'static>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        // Nobody listens: skip the redaction and the span, which cost more than a small page.
        if !tracing::enabled!(tracing::Level::WARN) {
            return Box::pin(self.inner.call(request));
        }
        let attempt = request.extensions().get::<Attempts>().map_or(1, |a| a.0);
        let method = request.method().clone();
        let url = redact_uri(request.uri());
        let span = tracing::info_span!(
            "http.request",
            method = %method,
            url = %url,
            attempt,
            status = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
        );
        let future = {
            let _entered = span.enter();
            self.inner.call(request)
        };
        let start = tokio::time::Instant::now();
        let recorder = span.clone();
        Box::pin(
            async move {
                let result = future.await;
                let elapsed = start.elapsed().as_millis() as u64;
                recorder.record("duration_ms", elapsed);
                match &result {
                    Ok(response) => {
                        let status = response.status().as_u16();
                        recorder.record("status", status);
                        tracing::info!("{method} {url} -> {status} ({elapsed} ms, attempt {attempt})");
                    }
                    Err(error) => {
                        let error = redact_text(&error.to_string()).into_owned();
                        tracing::warn!("{method} {url} failed: {error} ({elapsed} ms, attempt {attempt})");
                    }
                }
                result
            }
            .instrument(span),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;
    use std::sync::{Arc, Mutex};
    use tower::ServiceExt;
    use tracing::field::{Field, Visit};
    use tracing::span::{Attributes, Id, Record};
    use tracing::{Event, Metadata, Subscriber};

    /// Collects every span field and event message as text.
    #[derive(Default, Clone)]
    struct Capture(Arc<Mutex<Vec<String>>>);

    struct Text<'a>(&'a mut String);
    impl Visit for Text<'_> {
        fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
            self.0.push_str(&format!("{}={:?} ", field.name(), value));
        }
    }

    impl Subscriber for Capture {
        fn enabled(&self, _: &Metadata<'_>) -> bool {
            true
        }
        fn new_span(&self, span: &Attributes<'_>) -> Id {
            let mut line = format!("span {} ", span.metadata().name());
            span.record(&mut Text(&mut line));
            self.0.lock().unwrap().push(line);
            Id::from_u64(1)
        }
        fn record(&self, _: &Id, values: &Record<'_>) {
            let mut line = String::from("record ");
            values.record(&mut Text(&mut line));
            self.0.lock().unwrap().push(line);
        }
        fn record_follows_from(&self, _: &Id, _: &Id) {}
        fn event(&self, event: &Event<'_>) {
            let mut line = format!("{} ", event.metadata().level());
            event.record(&mut Text(&mut line));
            self.0.lock().unwrap().push(line);
        }
        fn enter(&self, _: &Id) {}
        fn exit(&self, _: &Id) {}
    }

    #[tokio::test]
    async fn one_redacted_line_per_attempt() {
        let capture = Capture::default();
        let _guard = tracing::subscriber::set_default(capture.clone());
        let service = TraceLayer::new().layer(tower::service_fn(|_r: Request| async {
            let response = http::Response::builder().status(503).body(Bytes::new()).unwrap();
            Ok::<_, std::convert::Infallible>(response)
        }));
        let mut request = http::Request::get("http://h/x?api_key=SECRET&page=2")
            .body(Bytes::new())
            .unwrap();
        request.extensions_mut().insert(Attempts(3));
        service.oneshot(request).await.unwrap();
        let lines = capture.0.lock().unwrap().clone();
        let all = lines.join("\n");
        assert!(!all.contains("SECRET"), "{all}");
        assert!(all.contains("api_key=***&page=2"), "{all}");
        assert!(all.contains("attempt=3"), "{all}");
        let info: Vec<_> = lines.iter().filter(|l| l.starts_with("INFO")).collect();
        assert_eq!(info.len(), 1, "{all}");
        assert!(info[0].contains("-> 503"), "{all}");
    }
}
