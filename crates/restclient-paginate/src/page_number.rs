//! [`PageNumberPaginator`]: a page number in the query or the body (dlt §2.4).

use restclient_core::Request;
use restclient_select::Selector;
use serde::{Deserialize, Serialize};

use crate::offset::{default_total, null_is_false, yes};
use crate::range::{RangeEngine, RangeStops, parse_path};
use crate::request::Placement;
use crate::{PageContext, PaginateError, Paginator, PaginatorConfig, PaginatorState};

/// The parameters of a [`PageNumberPaginator`], exactly dlt's constructor arguments and defaults.
///
/// ```
/// use restclient_paginate::PageNumberConfig;
/// let cfg: PageNumberConfig = serde_json::from_str(r#"{"base_page": 1, "total_path": null, "maximum_page": 3}"#).unwrap();
/// assert_eq!(cfg.total_path, None);
/// cfg.build().unwrap();
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageNumberConfig {
    /// The number of the first page (default 0); also the base of `total`.
    #[serde(default)]
    pub base_page: i64,
    /// The page to start from (default `base_page`).
    #[serde(default)]
    pub page: Option<i64>,
    /// Query parameter (default `"page"` when no body path is given).
    #[serde(default)]
    pub page_param: Option<String>,
    /// JSONPath of the total number of **pages** (default `"total"`; `None` turns it off).
    #[serde(default = "default_total")]
    pub total_path: Option<String>,
    /// Exclusive upper bound of the page number.
    #[serde(default)]
    pub maximum_page: Option<i64>,
    /// Stop at the first empty page (default true).
    #[serde(default = "yes", deserialize_with = "null_is_false")]
    pub stop_after_empty_page: bool,
    /// JSONPath of a boolean that can veto the next page.
    #[serde(default)]
    pub has_more_path: Option<String>,
    /// Dotted body path for the page number instead of a query parameter.
    #[serde(default)]
    pub page_body_path: Option<String>,
}

impl Default for PageNumberConfig {
    fn default() -> Self {
        PageNumberConfig {
            base_page: 0,
            page: None,
            page_param: None,
            total_path: default_total(),
            maximum_page: None,
            stop_after_empty_page: true,
            has_more_path: None,
            page_body_path: None,
        }
    }
}

impl PageNumberConfig {
    /// Validates the parameters (as dlt does at construction) and builds the paginator.
    pub fn build(self) -> Result<PageNumberPaginator, PaginateError> {
        PageNumberPaginator::new(self)
    }
}

/// Page-number pagination: the first request carries `page` (or `base_page`), each next one adds 1.
///
/// `total_path` counts **pages**: paging stops once the next page number ≥ `total + base_page`.
/// `maximum_page` is exclusive. An empty page stops unless `stop_after_empty_page` is false, and
/// `has_more` can veto.
///
/// ```
/// use restclient_paginate::{PageNumberConfig, Paginator};
/// let mut p = PageNumberConfig { base_page: 1, ..Default::default() }.build().unwrap();
/// let mut req = http::Request::get("http://h/items").body(bytes::Bytes::new()).unwrap();
/// p.init_request(&mut req).unwrap();
/// assert_eq!(req.uri(), "http://h/items?page=1");
/// ```
#[derive(Debug, Clone)]
pub struct PageNumberPaginator {
    engine: RangeEngine,
    config: PageNumberConfig,
}

impl PageNumberPaginator {
    /// Builds from a config, rejecting what dlt rejects.
    pub fn new(config: PageNumberConfig) -> Result<PageNumberPaginator, PaginateError> {
        let placement = Placement::resolve(
            config.page_param.as_deref(),
            config.page_body_path.as_deref(),
            "page",
            "page",
        )?;
        let initial = config.page.unwrap_or(config.base_page);
        let engine = RangeEngine::new(
            placement,
            initial,
            1,
            config.base_page,
            "pages",
            RangeStops {
                maximum_value: config.maximum_page,
                total_path: parse_path("total_path", config.total_path.as_deref())?,
                has_more_path: parse_path("has_more_path", config.has_more_path.as_deref())?,
                stop_after_empty_page: config.stop_after_empty_page,
            },
        );
        engine.check_termination("maximum_page")?;
        Ok(PageNumberPaginator { engine, config })
    }

    /// A paginator chosen by auto-detection: base `base_page`, total pages at `total_path`.
    pub(crate) fn detected(base_page: i64, total_path: Selector) -> PageNumberPaginator {
        let config = PageNumberConfig {
            base_page,
            total_path: Some(total_path.as_str().to_owned()),
            ..PageNumberConfig::default()
        };
        PageNumberPaginator {
            engine: RangeEngine::new(
                Placement::Query("page".to_owned()),
                base_page,
                1,
                base_page,
                "pages",
                RangeStops {
                    maximum_value: None,
                    total_path: Some(total_path),
                    has_more_path: None,
                    stop_after_empty_page: true,
                },
            ),
            config,
        }
    }

    /// The parameters it was built from.
    pub fn config(&self) -> &PageNumberConfig {
        &self.config
    }

    /// The page number the next request carries.
    pub fn current_page(&self) -> i64 {
        self.engine.current
    }
}

impl Paginator for PageNumberPaginator {
    fn name(&self) -> &'static str {
        "page_number"
    }

    fn selectors(&self) -> Vec<Selector> {
        self.engine.selectors()
    }

    fn init_request(&mut self, request: &mut Request) -> Result<(), PaginateError> {
        self.engine.init();
        self.engine.place_current(request)
    }

    fn update_state(&mut self, page: &PageContext<'_>) -> Result<(), PaginateError> {
        self.engine.update_state(page)
    }

    fn update_request(&mut self, request: &mut Request) -> Result<(), PaginateError> {
        self.engine.place_current(request)
    }

    fn has_next_page(&self) -> bool {
        self.engine.has_next
    }

    fn requests_ahead(&self, next: &Request, count: usize) -> Vec<Request> {
        self.engine.requests_ahead(next, count)
    }

    fn config(&self) -> Option<PaginatorConfig> {
        Some(PaginatorConfig::PageNumber(self.config.clone()))
    }

    fn state(&self) -> PaginatorState {
        self.engine.state()
    }

    fn restore(&mut self, state: &PaginatorState) -> Result<(), PaginateError> {
        self.engine.restore(state)
    }

    fn box_clone(&self) -> Box<dyn Paginator> {
        Box::new(self.clone())
    }
}
