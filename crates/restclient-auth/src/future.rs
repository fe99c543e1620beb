//! The response future of [`Auth`](crate::Auth).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use pin_project_lite::pin_project;
use restclient_core::{BoxError, Request, Response};
use tower::Service;
use tower::util::{Oneshot, ServiceExt};

use crate::{AuthError, AuthFuture};

pin_project! {
    /// The future of [`Auth`](crate::Auth): authenticate (when that needs I/O), then call the
    /// inner service.
    pub struct ResponseFuture<S>
    where
        S: Service<Request>,
    {
        #[pin]
        state: State<S>,
    }
}

pin_project! {
    #[project = StateProj]
    enum State<S>
    where
        S: Service<Request>,
    {
        // Credentials were added on the spot; the inner service, already ready, was called.
        Calling { #[pin] future: S::Future },
        // The strategy is doing I/O (an OAuth token request). The inner service is not reserved
        // meanwhile: a fresh clone is made ready afterwards, so a token request going through
        // a concurrency limit below auth cannot wait on a slot that this request holds.
        Authenticating { future: AuthFuture, service: Option<S> },
        Oneshot { #[pin] future: Oneshot<S, Request> },
        Failed { error: Option<AuthError> },
    }
}

impl<S: Service<Request>> ResponseFuture<S> {
    pub(crate) fn calling(future: S::Future) -> Self {
        ResponseFuture {
            state: State::Calling { future },
        }
    }

    pub(crate) fn authenticating(future: AuthFuture, service: S) -> Self {
        ResponseFuture {
            state: State::Authenticating {
                future,
                service: Some(service),
            },
        }
    }

    pub(crate) fn failed(error: AuthError) -> Self {
        ResponseFuture {
            state: State::Failed { error: Some(error) },
        }
    }
}

impl<S> Future for ResponseFuture<S>
where
    S: Service<Request, Response = Response>,
    S::Error: Into<BoxError>,
{
    type Output = Result<Response, BoxError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        loop {
            let mut this = self.as_mut().project();
            match this.state.as_mut().project() {
                StateProj::Calling { future } => return future.poll(cx).map_err(Into::into),
                StateProj::Oneshot { future } => return future.poll(cx).map_err(Into::into),
                StateProj::Failed { error } => {
                    let error = error.take().unwrap_or(AuthError::Polled);
                    return Poll::Ready(Err(error.into()));
                }
                StateProj::Authenticating { future, service } => {
                    let request = match ready!(Pin::new(future).poll(cx)) {
                        Ok(request) => request,
                        Err(error) => return Poll::Ready(Err(error.into())),
                    };
                    let Some(service) = service.take() else {
                        return Poll::Ready(Err(AuthError::Polled.into()));
                    };
                    this.state.set(State::Oneshot {
                        future: service.oneshot(request),
                    });
                }
            }
        }
    }
}

impl<S: Service<Request>> fmt::Debug for ResponseFuture<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match &self.state {
            State::Calling { .. } => "calling",
            State::Authenticating { .. } => "authenticating",
            State::Oneshot { .. } => "calling",
            State::Failed { .. } => "failed",
        };
        f.debug_struct("ResponseFuture").field("state", &state).finish()
    }
}
