//! What makes two runs the same run: the fingerprint of a run's configuration.

use std::hash::Hasher;

use fnv::FnvHasher;
use restclient_core::{Request, redact};
use restclient_select::Selector;

use crate::Paginator;

/// A run's identity: a stable fingerprint of what it fetches, and a short redacted description
/// for error messages.
#[derive(Clone)]
pub(crate) struct RunIdentity {
    pub(crate) fingerprint: String,
    pub(crate) description: String,
    /// The initial request's raw query: the values a checkpoint masks are the user's own.
    pub(crate) initial_query: String,
}

// By hand: the initial query may hold a secret, and two runs are the same run whatever the
// secret's value.
impl std::fmt::Debug for RunIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunIdentity")
            .field("fingerprint", &self.fingerprint)
            .field("description", &self.description)
            .finish_non_exhaustive()
    }
}

impl PartialEq for RunIdentity {
    fn eq(&self, other: &Self) -> bool {
        self.fingerprint == other.fingerprint && self.description == other.description
    }
}

impl RunIdentity {
    /// The identity of a run that starts with `request` (as given, before the paginator touches
    /// it), with the paginator and record path as given (`None`: detected).
    ///
    /// The fingerprint covers the method, the URL with its query (sensitive values masked, so a
    /// rotated key does not orphan a checkpoint), the body, the paginator's name and parameters
    /// (or, for a paginator without a config, its initial state) and the record path. Headers
    /// are left out: they carry credentials, which may change between runs. FNV-1a over
    /// length-prefixed fields, so it is the same in every process and build.
    pub(crate) fn of(
        request: &Request,
        paginator: Option<&dyn Paginator>,
        selector: Option<&Selector>,
    ) -> RunIdentity {
        let url = redact::redact_uri(request.uri());
        let paginator_text = match paginator {
            None => "auto".to_owned(),
            Some(p) => match p.config() {
                Some(config) => config.to_value().to_string(),
                None => format!(
                    "{}:{}",
                    p.name(),
                    serde_json::to_string(&p.state()).unwrap_or_default()
                ),
            },
        };
        let selector_text = selector.map_or("auto", Selector::as_str);
        let mut hasher = FnvHasher::default();
        for field in [
            request.method().as_str().as_bytes(),
            url.as_bytes(),
            request.body().as_ref(),
            paginator_text.as_bytes(),
            selector_text.as_bytes(),
        ] {
            hasher.write(&(field.len() as u64).to_le_bytes());
            hasher.write(field);
        }
        let paginator_name = paginator.map_or("auto", |p| p.name());
        RunIdentity {
            initial_query: request.uri().query().unwrap_or("").to_owned(),
            fingerprint: format!("{:016x}", hasher.finish()),
            description: format!(
                "{} {url} (paginator {paginator_name}, data selector `{selector_text}`)",
                request.method()
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{OffsetPaginator, PageNumberConfig};
    use bytes::Bytes;

    fn get(uri: &str) -> Request {
        http::Request::get(uri).body(Bytes::new()).unwrap()
    }

    #[test]
    fn stable_and_sensitive_to_what_is_fetched_not_to_secrets() {
        let offset = OffsetPaginator::with_limit(10);
        let data = Selector::parse("data").ok();
        let id =
            |uri: &str, p: Option<&dyn Paginator>, s: Option<&Selector>| RunIdentity::of(&get(uri), p, s);
        let base = id("http://h/i?q=1&api_key=one", Some(&offset), data.as_ref());
        // pinned: the fingerprint must not change between builds, or checkpoints are orphaned
        assert_eq!(base.fingerprint, "31557d34a4a252c2", "{base:?}");
        assert_eq!(
            base,
            id("http://h/i?q=1&api_key=two", Some(&offset), data.as_ref())
        );
        assert!(!base.description.contains("one"), "{}", base.description);
        for other in [
            id("http://h/i?q=2&api_key=one", Some(&offset), data.as_ref()),
            id("http://h/j?q=1&api_key=one", Some(&offset), data.as_ref()),
            id("http://h/i?q=1&api_key=one", None, data.as_ref()),
            id("http://h/i?q=1&api_key=one", Some(&offset), None),
            id(
                "http://h/i?q=1&api_key=one",
                Some(&OffsetPaginator::with_limit(20)),
                data.as_ref(),
            ),
            id(
                "http://h/i?q=1&api_key=one",
                Some(&PageNumberConfig::default().build().unwrap()),
                data.as_ref(),
            ),
        ] {
            assert_ne!(base.fingerprint, other.fingerprint, "{other:?}");
        }
    }
}
