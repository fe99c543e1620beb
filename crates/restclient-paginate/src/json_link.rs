//! [`JsonLinkPaginator`]: the next page's URL is in the body (dlt §2.8).

use restclient_core::Request;
use restclient_select::{JsonKind, Selector};
use serde::{Deserialize, Serialize};

use crate::next_url::NextLink;
use crate::range::parse_path;
use crate::{PageContext, PaginateError, Paginator, PaginatorConfig, PaginatorState};

/// The parameters of a [`JsonLinkPaginator`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JsonLinkConfig {
    /// JSONPath of the next link (default `"next"`). Keys with dots use bracket quoting:
    /// `"['@odata.nextLink']"`.
    #[serde(default = "default_next")]
    pub next_url_path: String,
}

fn default_next() -> String {
    "next".to_owned()
}

impl Default for JsonLinkConfig {
    fn default() -> Self {
        JsonLinkConfig {
            next_url_path: default_next(),
        }
    }
}

impl JsonLinkConfig {
    /// Compiles the path and builds the paginator.
    pub fn build(self) -> Result<JsonLinkPaginator, PaginateError> {
        JsonLinkPaginator::new(&self.next_url_path)
    }
}

/// Follows the URL found at `next_url_path` in each response, resolved against the URL that was
/// requested; the caller's query parameters are not re-sent (the link carries what it needs).
///
/// # Differs from dlt
/// dlt takes any value but `null` as a link, so `""`, `false` or `0` make the next request crash.
/// Here only a non-empty string is a link: any other value ends pagination (logged at WARN when
/// it is not `null`).
///
/// ```
/// use restclient_paginate::{JsonLinkPaginator, Paginator};
/// let p = JsonLinkPaginator::new("['@odata.nextLink']").unwrap();
/// assert_eq!(p.selectors()[0].as_str(), "['@odata.nextLink']");
/// ```
#[derive(Debug, Clone)]
pub struct JsonLinkPaginator {
    path: Selector,
    next: NextLink,
}

impl JsonLinkPaginator {
    /// A paginator reading the next link at the JSONPath `next_url_path`.
    pub fn new(next_url_path: &str) -> Result<JsonLinkPaginator, PaginateError> {
        let path = parse_path("next_url_path", Some(next_url_path))?
            .ok_or_else(|| PaginateError::config("`next_url_path` is required"))?;
        Ok(JsonLinkPaginator::from_selector(path))
    }

    /// A paginator reading the next link at `path`.
    pub fn from_selector(path: Selector) -> JsonLinkPaginator {
        JsonLinkPaginator {
            path,
            next: NextLink::default(),
        }
    }

    /// The path of the next link.
    pub fn next_url_path(&self) -> &Selector {
        &self.path
    }
}

impl Default for JsonLinkPaginator {
    fn default() -> Self {
        JsonLinkPaginator::from_selector(Selector::from_keys(["next"]))
    }
}

impl Paginator for JsonLinkPaginator {
    fn name(&self) -> &'static str {
        "json_link"
    }

    fn selectors(&self) -> Vec<Selector> {
        vec![self.path.clone()]
    }

    fn init_request(&mut self, _request: &mut Request) -> Result<(), PaginateError> {
        self.next.set(None);
        Ok(())
    }

    fn update_state(&mut self, page: &PageContext<'_>) -> Result<(), PaginateError> {
        self.next.set(None);
        let Some(found) = page.document.first(&self.path)? else {
            return Ok(());
        };
        match found.kind() {
            JsonKind::Null => {}
            JsonKind::String => {
                let link = found.as_str().map(|s| s.into_owned()).unwrap_or_default();
                if link.is_empty() {
                    tracing::warn!(path = %self.path, "the next link is an empty string; pagination ends");
                } else {
                    self.next.set(Some(link));
                }
            }
            kind => {
                tracing::warn!(path = %self.path, ?kind, "the next link is not a string; pagination ends");
            }
        }
        Ok(())
    }

    fn update_request(&mut self, request: &mut Request) -> Result<(), PaginateError> {
        self.next.follow(request)
    }

    fn has_next_page(&self) -> bool {
        self.next.is_some()
    }

    fn config(&self) -> Option<PaginatorConfig> {
        Some(PaginatorConfig::JsonLink(JsonLinkConfig {
            next_url_path: self.path.as_str().to_owned(),
        }))
    }

    fn state(&self) -> PaginatorState {
        self.next.state()
    }

    fn restore(&mut self, state: &PaginatorState) -> Result<(), PaginateError> {
        self.next.restore("json_link", state)
    }

    fn box_clone(&self) -> Box<dyn Paginator> {
        Box::new(self.clone())
    }
}
