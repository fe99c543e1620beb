//! Following a next link (dlt's `BaseNextUrlPaginator.update_request`, §2.6).

use http::Uri;
use restclient_core::{Request, redact};

use crate::error::EXCERPT_LEN;
use crate::paginator::wrong_state;
use crate::{PaginateError, PaginatorState};

/// The state both link paginators share (dlt's `BaseNextUrlPaginator`): the next link, if any.
#[derive(Debug, Clone, Default)]
pub(crate) struct NextLink(Option<String>);

impl NextLink {
    /// Sets the link found in the last response; `None` ends pagination.
    pub(crate) fn set(&mut self, link: Option<String>) {
        self.0 = link;
    }

    /// Whether there is a link to follow.
    pub(crate) fn is_some(&self) -> bool {
        self.0.is_some()
    }

    /// Points `request` at the link, if there is one.
    pub(crate) fn follow(&self, request: &mut Request) -> Result<(), PaginateError> {
        match &self.0 {
            Some(link) => follow_link(request, link),
            None => Ok(()),
        }
    }

    /// The state to save.
    pub(crate) fn state(&self) -> PaginatorState {
        PaginatorState::NextUrl {
            next_url: self.0.clone(),
        }
    }

    /// Restores saved state; `paginator` names the paginator in the error for any other state.
    pub(crate) fn restore(&mut self, paginator: &str, state: &PaginatorState) -> Result<(), PaginateError> {
        match state {
            PaginatorState::NextUrl { next_url } => {
                self.0 = next_url.clone();
                Ok(())
            }
            other => Err(wrong_state(paginator, other)),
        }
    }
}

/// Points `request` at `reference`, resolved (RFC 3986) against the URL `request` was sent to.
///
/// The whole URL is replaced, so the caller's original query parameters are not re-sent: the link
/// must carry them (dlt #1514). Method, headers and body are kept.
///
/// ```
/// # use restclient_paginate::follow_link;
/// let mut req = http::Request::get("http://h/api/v1/items?page=3&q=x").body(bytes::Bytes::new()).unwrap();
/// follow_link(&mut req, "../v2/items?page=4").unwrap();
/// assert_eq!(req.uri(), "http://h/api/v2/items?page=4");
/// ```
pub fn follow_link(request: &mut Request, reference: &str) -> Result<(), PaginateError> {
    let invalid = |reason: String| PaginateError::InvalidNextUrl {
        url: shorten(&redact::redact_url(reference)),
        reason,
    };
    // The common case, an absolute link that is already a valid URI, needs no resolution.
    if let Ok(uri) = reference.parse::<Uri>()
        && matches!(uri.scheme_str(), Some("http" | "https"))
        && uri.host().is_some()
    {
        *request.uri_mut() = uri;
        return Ok(());
    }
    let base = url::Url::parse(&request.uri().to_string());
    let resolved = match base {
        Ok(base) => base.join(reference),
        Err(_) => url::Url::parse(reference),
    }
    .map_err(|e| invalid(e.to_string()))?;
    if !matches!(resolved.scheme(), "http" | "https") {
        return Err(invalid(format!(
            "the scheme `{}` is not http or https",
            resolved.scheme()
        )));
    }
    let uri: Uri = resolved
        .as_str()
        .parse()
        .map_err(|e: http::uri::InvalidUri| invalid(e.to_string()))?;
    *request.uri_mut() = uri;
    Ok(())
}

fn shorten(text: &str) -> String {
    if text.len() <= 2 * EXCERPT_LEN {
        return text.to_owned();
    }
    let mut cut = 2 * EXCERPT_LEN;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}…", &text[..cut])
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    #[test]
    fn relative_forms_resolve_like_dlt() {
        let mut r = http::Request::get("http://h/api/v1/items")
            .body(Bytes::new())
            .unwrap();
        for (reference, expected) in [
            ("/api/v1/items?page=2", "http://h/api/v1/items?page=2"),
            ("?page=3", "http://h/api/v1/items?page=3"),
            ("items?page=4", "http://h/api/v1/items?page=4"),
            ("../v2/items?page=5", "http://h/api/v2/items?page=5"),
            ("https://other/x?y=1", "https://other/x?y=1"),
        ] {
            follow_link(&mut r, reference).unwrap();
            assert_eq!(r.uri(), expected);
        }
        assert!(matches!(
            follow_link(&mut r, "ftp://x/y"),
            Err(PaginateError::InvalidNextUrl { .. })
        ));
        assert!(matches!(
            follow_link(&mut r, "http://[::1"),
            Err(PaginateError::InvalidNextUrl { .. })
        ));
    }
}
