//! Fetching ahead: up to N requests in flight, pages yielded strictly in order.
//!
//! The run itself stays sequential: the paginator reads page k (and writes the request for
//! k + 1) before it sees page k + 1, exactly as with one request at a time. What changes is only
//! *when* requests go out:
//!
//! - After each page is read, and before it is yielded, the driver sends the next request, so it
//!   travels while the consumer handles the page (every paginator style gains this overlap).
//! - Behind it, up to N - 1 requests that the paginator can name without their responses
//!   ([`Paginator::requests_ahead`](crate::Paginator::requests_ahead)): offset and page number
//!   within a stated total or a maximum, speculatively when neither bounds them. Each runs on its
//!   own tokio task over a clone of the service, so its retries happen on their own.
//! - Before a response in flight is used for page k + 1, its request is compared with the one
//!   the paginator derived from page k (method, URL, headers, body). When they differ, every
//!   request in flight is dropped and the right one is sent: correctness never rests on the
//!   guess. Responses to requests past the end are dropped unread.
//! - A request that fails for good fails the run at its own position, after the pages before it
//!   and before any page after it, as it would one at a time. When the stream ends or is dropped,
//!   the tasks still in flight are aborted.
//!
//! So the pages, their order and the requests that fetched them are those of a run with one
//! request at a time; only requests past the end (at most N - 1, none when a total bounds them)
//! are extra.

use std::collections::VecDeque;

use restclient_core::{BoxError, Request, Response, redact};
use tokio::task::JoinHandle;
use tower::Service;

use crate::run::{Run, send};
use crate::{Page, PaginateError};

/// The prefetch driver: the service, the width N, and the requests in flight in page order.
#[derive(Debug)]
pub(crate) struct Prefetch<S> {
    service: S,
    width: usize,
    in_flight: VecDeque<InFlight>,
}

/// One request on its way; dropping it aborts the task.
#[derive(Debug)]
struct InFlight {
    request: Request,
    task: JoinHandle<Result<Response, PaginateError>>,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl<S> Prefetch<S>
where
    S: Service<Request, Response = Response> + Clone + Send + 'static,
    S::Error: Into<BoxError>,
    S::Future: Send + 'static,
{
    pub(crate) fn new(service: S, width: usize) -> Prefetch<S> {
        Prefetch {
            service,
            width,
            in_flight: VecDeque::with_capacity(width),
        }
    }

    /// One page of `run`, `None` at the end.
    pub(crate) async fn step(&mut self, run: &mut Run) -> Option<Result<Page, PaginateError>> {
        // The first request (or the first after a hook or a resume) is not in flight yet.
        if let Some(next) = run.next_request()
            && !self
                .in_flight
                .front()
                .is_some_and(|f| same_request(&f.request, next))
        {
            self.schedule(run.requests_from_next(self.width));
        }
        let request = match run.take_next() {
            None => {
                self.in_flight.clear();
                return None;
            }
            Some(Err(e)) => {
                self.in_flight.clear();
                return Some(Err(e));
            }
            Some(Ok(request)) => request,
        };
        let response = self.response(&request).await;
        let item = run.finish(request, response);
        // Send the next request (and those named after it) before the page is handed over.
        if run.next_request().is_some() {
            self.schedule(run.requests_from_next(self.width));
        } else {
            self.in_flight.clear();
        }
        item
    }

    /// Keeps the requests in flight that match the front of `wanted`, drops the others, and
    /// sends the rest of `wanted`.
    fn schedule(&mut self, wanted: Vec<Request>) {
        let keep = self
            .in_flight
            .iter()
            .zip(&wanted)
            .take_while(|(flying, want)| same_request(&flying.request, want))
            .count();
        self.in_flight.truncate(keep);
        for request in wanted.into_iter().skip(keep) {
            let mut service = self.service.clone();
            let sent = request.clone();
            let task = tokio::spawn(async move { send(&mut service, sent).await });
            self.in_flight.push_back(InFlight { request, task });
        }
    }

    /// The response to `request`: from the front of the queue when it was sent ahead, else sent
    /// now (after dropping every guess).
    async fn response(&mut self, request: &Request) -> Result<Response, PaginateError> {
        match self.in_flight.pop_front() {
            Some(mut flying) if same_request(&flying.request, request) => match (&mut flying.task).await {
                Ok(response) => response,
                Err(e) => Err(PaginateError::Transport {
                    url: redact::redact_uri(request.uri()),
                    source: format!("the request task failed: {e}").into(),
                }),
            },
            _ => {
                self.in_flight.clear();
                send(&mut self.service.clone(), request.clone()).await
            }
        }
    }
}

/// The same request: method, URL, headers and body.
fn same_request(a: &Request, b: &Request) -> bool {
    a.method() == b.method() && a.uri() == b.uri() && a.headers() == b.headers() && a.body() == b.body()
}
