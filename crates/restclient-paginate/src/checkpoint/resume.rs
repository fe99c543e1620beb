//! Taking a checkpoint after a page, and continuing from one.

use std::sync::Arc;

use bytes::Bytes;
use http::header::CONTENT_TYPE;
use http::{HeaderValue, Method, Uri};
use restclient_core::Request;
use restclient_core::redact::{self, MASK};
use restclient_select::Selector;

use super::{CHECKPOINT_VERSION, Checkpoint, NextRequest, RunIdentity, invalid};
use crate::{PaginateError, Paginator, PaginatorConfig, PaginatorState};

/// What a page keeps to produce its checkpoint on demand (built only when asked).
#[derive(Debug, Clone)]
pub(crate) struct ResumePoint {
    pub(crate) identity: Arc<RunIdentity>,
    pub(crate) detected: Option<Arc<PaginatorConfig>>,
    /// The request for the next page; `None` when the run is over after this page.
    pub(crate) next: Option<Request>,
    /// Why the run fails after this page, if it does.
    pub(crate) failed: Option<String>,
    pub(crate) next_index: usize,
}

impl ResumePoint {
    pub(crate) fn checkpoint(
        &self,
        paginator: &str,
        state: &PaginatorState,
        selector: &Selector,
    ) -> Checkpoint {
        Checkpoint {
            version: CHECKPOINT_VERSION,
            fingerprint: self.identity.fingerprint.clone(),
            run: self.identity.description.clone(),
            page_index: self.next_index,
            next: self
                .next
                .as_ref()
                .map(|next| NextRequest::of(next, &self.identity.initial_query)),
            failed: self.failed.clone(),
            paginator: paginator.to_owned(),
            paginator_state: redacted_state(state),
            detected_paginator: self.detected.as_deref().cloned(),
            data_selector: selector.as_str().to_owned(),
        }
    }
}

/// A next link in the state is not needed to continue (the next request carries it).
fn redacted_state(state: &PaginatorState) -> PaginatorState {
    match state {
        PaginatorState::NextUrl { next_url: Some(url) } => PaginatorState::NextUrl {
            next_url: Some(redact::redact_url(url)),
        },
        other => other.clone(),
    }
}

impl NextRequest {
    fn of(request: &Request, initial_query: &str) -> NextRequest {
        let (body, body_bytes) = match std::str::from_utf8(request.body()) {
            Ok(text) => (text.to_owned(), None),
            Err(_) => (String::new(), Some(request.body().to_vec())),
        };
        NextRequest {
            method: request.method().as_str().to_owned(),
            url: mask_user_secrets(request.uri(), initial_query),
            content_type: request
                .headers()
                .get(CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
            body,
            body_bytes,
        }
    }

    /// The request again: headers from `initial` (auth and user headers come from the command),
    /// masked query values refilled from `initial`'s query.
    fn to_request(&self, initial: &Request) -> Result<Request, PaginateError> {
        let method = Method::from_bytes(self.method.as_bytes())
            .map_err(|_| invalid(format!("`{}` is not an HTTP method", self.method)))?;
        let url = refill_masked(&self.url, initial.uri().query().unwrap_or(""))?;
        let uri: Uri = url
            .parse()
            .map_err(|e| invalid(format!("the next URL is not valid: {e}")))?;
        let body = match &self.body_bytes {
            Some(bytes) => Bytes::from(bytes.clone()),
            None => Bytes::from(self.body.clone()),
        };
        let mut request = http::Request::new(body);
        *request.method_mut() = method;
        *request.uri_mut() = uri;
        *request.headers_mut() = initial.headers().clone();
        if let Some(content_type) = &self.content_type {
            let value = HeaderValue::from_str(content_type)
                .map_err(|_| invalid("the body's Content-Type is not a valid header value"))?;
            request.headers_mut().insert(CONTENT_TYPE, value);
        }
        Ok(request)
    }
}

/// The URL with the user's secrets masked: a query value under a sensitive name that the run's
/// initial request carries too (a `--param api_key=...`), or that is a registered secret (an
/// API key a next link echoes). Values the paginator wrote under a sensitive-looking name
/// (`page_token=...`, `nextPageToken=...`) are cursors, not credentials: they are kept, or the
/// run could not continue.
fn mask_user_secrets(uri: &Uri, initial_query: &str) -> String {
    let text = uri.to_string();
    let Some((base, query)) = text.split_once('?') else {
        return redact::redact_url(&text);
    };
    let masked: Vec<String> = query
        .split('&')
        .map(|pair| {
            let (raw_name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let user_given = initial_query.split('&').any(|p| p == pair);
            let registered = redact::redact_text(value) != value;
            if (user_given || registered) && redact::is_sensitive_param(&decoded_name(raw_name)) {
                format!("{raw_name}={MASK}")
            } else {
                pair.to_owned()
            }
        })
        .collect();
    // The path and host may not hold a registered secret either.
    format!("{}?{}", redact::redact_text(base), masked.join("&"))
}

fn decoded_name(raw: &str) -> String {
    form_urlencoded::parse(raw.as_bytes())
        .next()
        .map(|(name, _)| name.into_owned())
        .unwrap_or_default()
}

/// Puts back the query values that were masked, taking them (raw) from `initial_query`. A masked
/// value the initial request does not carry was a registered secret that auth added (an API key
/// in the query): it is left out, and the auth layer adds it again.
fn refill_masked(url: &str, initial_query: &str) -> Result<String, PaginateError> {
    let Some((base, rest)) = url.split_once('?') else {
        return Ok(url.to_owned());
    };
    let (query, fragment) = match rest.split_once('#') {
        Some((q, f)) => (q, Some(f)),
        None => (rest, None),
    };
    let pairs: Vec<&str> = query
        .split('&')
        .filter_map(|pair| match pair.split_once('=') {
            Some((raw_name, MASK)) => {
                let name = decoded_name(raw_name);
                initial_query
                    .split('&')
                    .find(|p| decoded_name(p.split('=').next().unwrap_or(p)) == name)
            }
            _ => Some(pair),
        })
        .collect();
    let mut out = base.to_owned();
    if !pairs.is_empty() {
        out.push('?');
        out.push_str(&pairs.join("&"));
    }
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(fragment);
    }
    Ok(out)
}

impl Checkpoint {
    /// Continues from this checkpoint in the run that starts with `initial` and these
    /// paginator and record path (as given: `None` when detected). Nothing is sent here.
    pub(crate) fn resume(
        &self,
        initial: &Request,
        paginator: Option<Box<dyn Paginator>>,
        selector: Option<Selector>,
        identity: &RunIdentity,
    ) -> Result<Resumed, PaginateError> {
        self.check_belongs(identity)?;
        let (mut paginator, detected) = match (paginator, &self.detected_paginator) {
            (Some(p), _) => (p, None),
            (None, Some(config)) => {
                let built = config
                    .build()
                    .map_err(|e| invalid(format!("the detected paginator: {e}")))?
                    .ok_or_else(|| invalid("the detected paginator is `auto`"))?;
                (built, Some(Arc::new(config.clone())))
            }
            (None, None) => return Err(invalid("it names no detected paginator to continue with")),
        };
        if paginator.name() != self.paginator {
            return Err(invalid(format!(
                "it holds the state of a `{}` paginator, this run's is `{}`",
                self.paginator,
                paginator.name()
            )));
        }
        paginator
            .restore(&self.paginator_state)
            .map_err(|e| invalid(format!("cannot restore the `{}` paginator: {e}", self.paginator)))?;
        let selector = match selector {
            Some(s) => s,
            None => Selector::parse(&self.data_selector)
                .map_err(|e| invalid(format!("the data selector: {e}")))?,
        };
        let next = self.next.as_ref().map(|n| n.to_request(initial)).transpose()?;
        let failure = self
            .failed
            .as_ref()
            .map(|reason| PaginateError::CheckpointedFailure {
                page: self.page_index.saturating_sub(1),
                reason: reason.clone(),
            });
        Ok(Resumed {
            paginator,
            selector,
            detected,
            next,
            failure,
            index: self.page_index,
        })
    }
}

/// A run's position rebuilt from a checkpoint.
#[derive(Debug)]
pub(crate) struct Resumed {
    pub(crate) paginator: Box<dyn Paginator>,
    pub(crate) selector: Selector,
    pub(crate) detected: Option<Arc<PaginatorConfig>>,
    pub(crate) next: Option<Request>,
    pub(crate) failure: Option<PaginateError>,
    pub(crate) index: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_detected_paginator_is_rebuilt_from_its_config() {
        use serde_json::json;
        let mut link = http::HeaderMap::new();
        link.insert("link", http::HeaderValue::from_static("</p?x=2>; rel=\"next\""));
        let cases = [
            (link, json!([1])),
            (
                http::HeaderMap::new(),
                json!({"a.b": {"@next": 1, "next": "/x?p=2"}}),
            ),
            (
                http::HeaderMap::new(),
                json!({"meta": {"total_pages": 3, "page": 1}}),
            ),
            (http::HeaderMap::new(), json!({"paging": {"next_cursor": "c 1"}})),
            (http::HeaderMap::new(), json!({"odd key": [1]})),
        ];
        for (headers, body) in cases {
            let (detected, detection) = crate::detect_paginator(&headers, &body);
            let config = detected.config().unwrap();
            let rebuilt = config.build().unwrap().unwrap();
            assert_eq!(rebuilt.name(), detection.paginator);
            assert_eq!(rebuilt.config(), Some(config.clone()), "{body}");
            let selectors = |p: &dyn Paginator| -> Vec<String> {
                p.selectors().iter().map(|s| s.as_str().to_owned()).collect()
            };
            assert_eq!(selectors(&*rebuilt), selectors(&*detected), "{body}");
            assert_eq!(rebuilt.state(), detected.state());
        }
    }

    #[test]
    fn masked_values_are_refilled_by_name() {
        assert_eq!(
            refill_masked("http://h/p?offset=10&api_key=***&q=a%20b", "api_key=k%2B1&q=x").unwrap(),
            "http://h/p?offset=10&api_key=k%2B1&q=a%20b"
        );
        assert_eq!(refill_masked("http://h/p", "token=t").unwrap(), "http://h/p");
        // a value auth added (not in the initial request) is left for auth to add again
        assert_eq!(
            refill_masked("http://h/p?sig=***&a=1", "token=t").unwrap(),
            "http://h/p?a=1"
        );
        assert_eq!(refill_masked("http://h/p?sig=***", "").unwrap(), "http://h/p");
    }

    #[test]
    fn only_the_users_secrets_are_masked_never_a_cursor() {
        let uri: Uri = "http://h/p?api_key=k-1&page_token=c-2&q=x".parse().unwrap();
        assert_eq!(
            mask_user_secrets(&uri, "api_key=k-1&q=x"),
            "http://h/p?api_key=***&page_token=c-2&q=x"
        );
        redact::register_secret("registered-key-77");
        let uri: Uri = "http://h/p?key=registered-key-77&cursor=a".parse().unwrap();
        assert_eq!(mask_user_secrets(&uri, ""), "http://h/p?key=***&cursor=a");
    }
}
