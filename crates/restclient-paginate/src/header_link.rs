//! [`HeaderLinkPaginator`]: the next page's URL is in the `Link` header (dlt §2.7).

use restclient_core::Request;
use serde::{Deserialize, Serialize};

use crate::link_header::{find_rel, parse_link_headers};
use crate::next_url::NextLink;
use crate::{PageContext, PaginateError, Paginator, PaginatorConfig, PaginatorState};

/// The parameters of a [`HeaderLinkPaginator`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeaderLinkConfig {
    /// The `rel` of the next link (default `"next"`), matched exactly and case-sensitively.
    #[serde(default = "default_rel")]
    pub links_next_key: String,
}

fn default_rel() -> String {
    "next".to_owned()
}

impl Default for HeaderLinkConfig {
    fn default() -> Self {
        HeaderLinkConfig {
            links_next_key: default_rel(),
        }
    }
}

impl HeaderLinkConfig {
    /// Builds the paginator.
    pub fn build(self) -> HeaderLinkPaginator {
        HeaderLinkPaginator::new(self.links_next_key)
    }
}

/// Follows the RFC 8288 `Link` header's link whose `rel` is `links_next_key`.
///
/// Several links per header and several `Link` headers are read; `rel=next` and `rel="next"` are
/// the same, but the match is exact and case-sensitive as in dlt (`rel="Next"` and
/// `rel="next last"` do not match). No such link ends pagination; a header that is not valid
/// RFC 8288 is a [`PaginateError::InvalidLinkHeader`].
///
/// ```
/// use restclient_paginate::{HeaderLinkPaginator, Paginator};
/// assert_eq!(HeaderLinkPaginator::default().name(), "header_link");
/// ```
#[derive(Debug, Clone)]
pub struct HeaderLinkPaginator {
    rel: String,
    next: NextLink,
}

impl HeaderLinkPaginator {
    /// A paginator following the link with `rel = links_next_key`.
    pub fn new(links_next_key: impl Into<String>) -> HeaderLinkPaginator {
        HeaderLinkPaginator {
            rel: links_next_key.into(),
            next: NextLink::default(),
        }
    }
}

impl Default for HeaderLinkPaginator {
    fn default() -> Self {
        HeaderLinkPaginator::new(default_rel())
    }
}

impl Paginator for HeaderLinkPaginator {
    fn name(&self) -> &'static str {
        "header_link"
    }

    fn init_request(&mut self, _request: &mut Request) -> Result<(), PaginateError> {
        self.next.set(None);
        Ok(())
    }

    fn update_state(&mut self, page: &PageContext<'_>) -> Result<(), PaginateError> {
        let links = parse_link_headers(page.headers)?;
        self.next.set(
            find_rel(&links, &self.rel)
                .filter(|url| !url.is_empty())
                .map(str::to_owned),
        );
        Ok(())
    }

    fn update_request(&mut self, request: &mut Request) -> Result<(), PaginateError> {
        self.next.follow(request)
    }

    fn has_next_page(&self) -> bool {
        self.next.is_some()
    }

    fn config(&self) -> Option<PaginatorConfig> {
        Some(PaginatorConfig::HeaderLink(HeaderLinkConfig {
            links_next_key: self.rel.clone(),
        }))
    }

    fn state(&self) -> PaginatorState {
        self.next.state()
    }

    fn restore(&mut self, state: &PaginatorState) -> Result<(), PaginateError> {
        self.next.restore("header_link", state)
    }

    fn box_clone(&self) -> Box<dyn Paginator> {
        Box::new(self.clone())
    }
}
