//! [`OffsetPaginator`]: `offset` and `limit` in the query or the body (dlt §2.5).

use restclient_core::Request;
use restclient_select::Selector;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::range::{RangeEngine, RangeStops, parse_path};
use crate::request::Placement;
use crate::{PageContext, PaginateError, Paginator, PaginatorConfig, PaginatorState};

/// The parameters of an [`OffsetPaginator`], exactly dlt's constructor arguments and defaults.
///
/// In a declarative config, JSON `null` for an optional field turns its default off:
/// `{"type": "offset", "limit": 10, "total_path": null}`.
///
/// ```
/// use restclient_paginate::{OffsetConfig, Paginator};
/// let p = OffsetConfig { maximum_offset: Some(100), ..OffsetConfig::new(50) }.build().unwrap();
/// assert_eq!(p.name(), "offset");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OffsetConfig {
    /// Page size, sent as `limit`; also the step. Required.
    pub limit: i64,
    /// The first offset (default 0).
    #[serde(default)]
    pub offset: i64,
    /// Query parameter for the offset (default `"offset"` when no body path is given).
    #[serde(default)]
    pub offset_param: Option<String>,
    /// Query parameter for the limit (default `"limit"` when no body path is given).
    #[serde(default)]
    pub limit_param: Option<String>,
    /// JSONPath of the total number of items (default `"total"`; `None` turns it off).
    #[serde(default = "default_total")]
    pub total_path: Option<String>,
    /// Exclusive upper bound of the offset.
    #[serde(default)]
    pub maximum_offset: Option<i64>,
    /// Stop at the first empty page (default true).
    #[serde(default = "yes", deserialize_with = "null_is_false")]
    pub stop_after_empty_page: bool,
    /// JSONPath of a boolean that can veto the next page.
    #[serde(default)]
    pub has_more_path: Option<String>,
    /// Dotted body path for the offset instead of a query parameter.
    #[serde(default)]
    pub offset_body_path: Option<String>,
    /// Dotted body path for the limit instead of a query parameter.
    #[serde(default)]
    pub limit_body_path: Option<String>,
}

pub(crate) fn default_total() -> Option<String> {
    Some("total".to_owned())
}

pub(crate) fn yes() -> bool {
    true
}

/// A flag where JSON `null` is Python `None`, which dlt reads as falsy (`"stop_after_empty_page": null`).
pub(crate) fn null_is_false<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    Ok(Option::<bool>::deserialize(deserializer)?.unwrap_or(false))
}

impl OffsetConfig {
    /// dlt's defaults with the given `limit`.
    pub fn new(limit: i64) -> OffsetConfig {
        OffsetConfig {
            limit,
            offset: 0,
            offset_param: None,
            limit_param: None,
            total_path: default_total(),
            maximum_offset: None,
            stop_after_empty_page: true,
            has_more_path: None,
            offset_body_path: None,
            limit_body_path: None,
        }
    }

    /// Validates the parameters (as dlt does at construction) and builds the paginator.
    pub fn build(self) -> Result<OffsetPaginator, PaginateError> {
        OffsetPaginator::new(self)
    }
}

/// Offset pagination: every request carries `offset` and `limit`; the offset grows by `limit`.
///
/// Stops on an empty page (unless `stop_after_empty_page` is false), once `offset >= total`,
/// once `offset >= maximum_offset`, or when `has_more` is false.
///
/// ```
/// use restclient_paginate::{OffsetPaginator, Paginator};
/// let mut p = OffsetPaginator::with_limit(10);
/// let mut req = http::Request::get("http://h/items?q=x").body(bytes::Bytes::new()).unwrap();
/// p.init_request(&mut req).unwrap();
/// assert_eq!(req.uri(), "http://h/items?q=x&offset=0&limit=10");
/// ```
#[derive(Debug, Clone)]
pub struct OffsetPaginator {
    engine: RangeEngine,
    limit: i64,
    limit_placement: Placement,
    config: OffsetConfig,
}

impl OffsetPaginator {
    /// Builds from a config, rejecting what dlt rejects.
    pub fn new(config: OffsetConfig) -> Result<OffsetPaginator, PaginateError> {
        let placement = Placement::resolve(
            config.offset_param.as_deref(),
            config.offset_body_path.as_deref(),
            "offset",
            "offset",
        )?;
        let limit_placement = Placement::resolve(
            config.limit_param.as_deref(),
            config.limit_body_path.as_deref(),
            "limit",
            "limit",
        )?;
        let engine = RangeEngine::new(
            placement,
            config.offset,
            config.limit,
            0,
            "items",
            RangeStops {
                maximum_value: config.maximum_offset,
                total_path: parse_path("total_path", config.total_path.as_deref())?,
                has_more_path: parse_path("has_more_path", config.has_more_path.as_deref())?,
                stop_after_empty_page: config.stop_after_empty_page,
            },
        );
        engine.check_termination("maximum_offset")?;
        Ok(OffsetPaginator {
            engine,
            limit: config.limit,
            limit_placement,
            config,
        })
    }

    /// dlt's defaults with the given `limit` (total read from `total`).
    pub fn with_limit(limit: i64) -> OffsetPaginator {
        OffsetPaginator {
            engine: RangeEngine::new(
                Placement::Query("offset".to_owned()),
                0,
                limit,
                0,
                "items",
                RangeStops {
                    maximum_value: None,
                    total_path: Some(Selector::from_keys(["total"])),
                    has_more_path: None,
                    stop_after_empty_page: true,
                },
            ),
            limit,
            limit_placement: Placement::Query("limit".to_owned()),
            config: OffsetConfig::new(limit),
        }
    }

    /// The parameters it was built from.
    pub fn config(&self) -> &OffsetConfig {
        &self.config
    }

    /// The offset the next request carries.
    pub fn current_offset(&self) -> i64 {
        self.engine.current
    }

    fn place(&self, request: &mut Request) -> Result<(), PaginateError> {
        self.engine.place_current(request)?;
        self.limit_placement.apply(request, &Value::from(self.limit))
    }
}

impl Paginator for OffsetPaginator {
    fn name(&self) -> &'static str {
        "offset"
    }

    fn selectors(&self) -> Vec<Selector> {
        self.engine.selectors()
    }

    fn init_request(&mut self, request: &mut Request) -> Result<(), PaginateError> {
        self.engine.init();
        self.place(request)
    }

    fn update_state(&mut self, page: &PageContext<'_>) -> Result<(), PaginateError> {
        self.engine.update_state(page)
    }

    fn update_request(&mut self, request: &mut Request) -> Result<(), PaginateError> {
        self.place(request)
    }

    fn has_next_page(&self) -> bool {
        self.engine.has_next
    }

    fn requests_ahead(&self, next: &Request, count: usize) -> Vec<Request> {
        self.engine.requests_ahead(next, count)
    }

    fn config(&self) -> Option<PaginatorConfig> {
        Some(PaginatorConfig::Offset(self.config.clone()))
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
