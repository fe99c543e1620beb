//! Python requests' redirect rules over tower-http's `FollowRedirect`: a limit that fails loudly
//! with [`TransportError::Redirect`] instead of returning the last 3xx, credentials
//! (`Authorization`, `Cookie`, `Proxy-Authorization`) dropped on a redirect to another origin, and
//! bodies replayed on 307/308 (they are `Bytes`, so cloning is cheap). The method rewrites (a POST
//! becoming a body-less GET on 301/302/303) are tower-http's own.

use bytes::Bytes;
use http_body_util::Full;
use restclient_core::redact::redact_uri;
use tower_http::follow_redirect::policy::{Action, Attempt, FilterCredentials, Policy};

use crate::error::TransportError;

/// requests' redirect rules on top of tower-http's `FollowRedirect`: a limit that fails loudly,
/// credentials dropped across origins, bodies replayed (they are `Bytes`).
#[derive(Clone, Debug)]
pub(super) struct RedirectPolicy {
    pub(super) follow: bool,
    pub(super) remaining: usize,
    pub(super) max: usize,
    pub(super) credentials: FilterCredentials,
}

impl Policy<Full<Bytes>, TransportError> for RedirectPolicy {
    fn redirect(&mut self, attempt: &Attempt<'_>) -> Result<Action, TransportError> {
        if !self.follow {
            return Ok(Action::Stop);
        }
        if self.remaining == 0 {
            return Err(TransportError::Redirect {
                url: redact_uri(attempt.location()),
                max: self.max,
            });
        }
        self.remaining -= 1;
        Policy::<Full<Bytes>, TransportError>::redirect(&mut self.credentials, attempt)
    }

    fn on_request(&mut self, request: &mut http::Request<Full<Bytes>>) {
        Policy::<Full<Bytes>, TransportError>::on_request(&mut self.credentials, request);
    }

    fn clone_body(&self, body: &Full<Bytes>) -> Option<Full<Bytes>> {
        Some(body.clone())
    }
}
