//! [`JsonResponseCursorPaginator`]: a cursor from the body, sent back as a parameter or in the body
//! (dlt §2.9).

use restclient_core::Request;
use restclient_select::{JsonKind, RawRecord, Selector};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::excerpt;
use crate::paginator::wrong_state;
use crate::range::parse_path;
use crate::request::Placement;
use crate::values::has_more_veto;
use crate::{PageContext, PaginateError, Paginator, PaginatorConfig, PaginatorState};

/// The parameters of a [`JsonResponseCursorPaginator`], exactly dlt's constructor arguments.
///
/// ```
/// use restclient_paginate::CursorConfig;
/// let both = CursorConfig { cursor_param: Some("c".into()), cursor_body_path: Some("page".into()), ..Default::default() };
/// assert!(both.build().unwrap_err().to_string().contains("not both"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CursorConfig {
    /// JSONPath of the next cursor (default `"cursors.next"`).
    #[serde(default = "default_cursor_path")]
    pub cursor_path: String,
    /// Query parameter for the cursor (default `"cursor"` when no body path is given).
    #[serde(default)]
    pub cursor_param: Option<String>,
    /// Dotted body path for the cursor instead of a query parameter (POST pagination).
    #[serde(default)]
    pub cursor_body_path: Option<String>,
    /// Stop at the first empty page (default **false**).
    #[serde(default, deserialize_with = "crate::offset::null_is_false")]
    pub stop_after_empty_page: bool,
    /// JSONPath of a boolean that can veto the next page.
    #[serde(default)]
    pub has_more_path: Option<String>,
}

fn default_cursor_path() -> String {
    "cursors.next".to_owned()
}

impl Default for CursorConfig {
    fn default() -> Self {
        CursorConfig {
            cursor_path: default_cursor_path(),
            cursor_param: None,
            cursor_body_path: None,
            stop_after_empty_page: false,
            has_more_path: None,
        }
    }
}

impl CursorConfig {
    /// Validates the parameters and builds the paginator.
    pub fn build(self) -> Result<JsonResponseCursorPaginator, PaginateError> {
        JsonResponseCursorPaginator::new(self)
    }
}

/// Reads a cursor at `cursor_path` and sends it as `cursor_param` (or at `cursor_body_path`).
///
/// The first request carries no cursor. Every falsy cursor (`null`, missing, `""`, `0`, `false`)
/// ends pagination, as in dlt; an object or array cursor is a [`PaginateError::InvalidCursor`].
/// With `stop_after_empty_page` an empty page stops; `has_more` can veto.
///
/// ```
/// use restclient_paginate::{CursorConfig, Paginator};
/// let p = CursorConfig { cursor_path: "next_cursor".into(), ..Default::default() }.build().unwrap();
/// assert_eq!(p.name(), "cursor");
/// ```
#[derive(Debug, Clone)]
pub struct JsonResponseCursorPaginator {
    path: Selector,
    placement: Placement,
    stop_after_empty_page: bool,
    has_more_path: Option<Selector>,
    cursor: Option<Value>,
    has_next: bool,
}

impl JsonResponseCursorPaginator {
    /// Builds from a config, rejecting what dlt rejects (and empty parameter names).
    pub fn new(config: CursorConfig) -> Result<JsonResponseCursorPaginator, PaginateError> {
        if config.cursor_param.is_some() && config.cursor_body_path.is_some() {
            return Err(PaginateError::config(
                "Either 'cursor_param' or 'cursor_body_path' must be provided, not both.",
            ));
        }
        let placement = Placement::resolve(
            config.cursor_param.as_deref(),
            config.cursor_body_path.as_deref(),
            "cursor",
            "cursor",
        )?;
        let path = parse_path("cursor_path", Some(&config.cursor_path))?
            .ok_or_else(|| PaginateError::config("`cursor_path` is required"))?;
        Ok(JsonResponseCursorPaginator {
            path,
            placement,
            stop_after_empty_page: config.stop_after_empty_page,
            has_more_path: parse_path("has_more_path", config.has_more_path.as_deref())?,
            cursor: None,
            has_next: true,
        })
    }

    /// A detected cursor paginator: cursor at `path`, sent as `cursor`.
    pub(crate) fn detected(path: Selector) -> JsonResponseCursorPaginator {
        JsonResponseCursorPaginator {
            path,
            placement: Placement::Query("cursor".to_owned()),
            stop_after_empty_page: false,
            has_more_path: None,
            cursor: None,
            has_next: true,
        }
    }

    /// The path of the cursor.
    pub fn cursor_path(&self) -> &Selector {
        &self.path
    }
}

/// A truthy JSON scalar as a cursor value; `None` for falsy ones; an error for objects/arrays.
pub(crate) fn cursor_value(record: &RawRecord, path: &str) -> Result<Option<Value>, PaginateError> {
    if !record.is_truthy() {
        return Ok(None);
    }
    let invalid = |reason: &str| PaginateError::InvalidCursor {
        path: path.to_owned(),
        excerpt: excerpt(record.as_bytes()),
        reason: reason.to_owned(),
    };
    match record.kind() {
        JsonKind::String | JsonKind::Number | JsonKind::Bool => record
            .to_value()
            .map(Some)
            .map_err(|_| invalid("not a JSON scalar")),
        JsonKind::Object | JsonKind::Array => Err(invalid(
            "a cursor must be a string or a number, not an object or array",
        )),
        JsonKind::Null => Ok(None),
    }
}

impl Paginator for JsonResponseCursorPaginator {
    fn name(&self) -> &'static str {
        "cursor"
    }

    fn selectors(&self) -> Vec<Selector> {
        std::iter::once(&self.path)
            .chain(self.has_more_path.iter())
            .cloned()
            .collect()
    }

    fn init_request(&mut self, _request: &mut Request) -> Result<(), PaginateError> {
        self.cursor = None;
        self.has_next = true;
        Ok(())
    }

    fn update_state(&mut self, page: &PageContext<'_>) -> Result<(), PaginateError> {
        // 1. the cursor, if truthy
        self.cursor = match page.document.first(&self.path)? {
            Some(record) => cursor_value(&record, self.path.as_str())?,
            None => None,
        };
        self.has_next = self.cursor.is_some();
        // 2. empty page
        if self.stop_after_empty_page && page.records.is_empty() {
            self.has_next = false;
        }
        // 3. has_more veto
        self.has_next = has_more_veto(self.has_more_path.as_ref(), page, self.has_next)?;
        Ok(())
    }

    fn update_request(&mut self, request: &mut Request) -> Result<(), PaginateError> {
        match &self.cursor {
            Some(cursor) => self.placement.apply(request, cursor),
            None => Ok(()),
        }
    }

    fn has_next_page(&self) -> bool {
        self.has_next
    }

    fn config(&self) -> Option<PaginatorConfig> {
        let (cursor_param, cursor_body_path) = match &self.placement {
            Placement::Query(name) => (Some(name.clone()), None),
            Placement::Body(path) => (None, Some(path.clone())),
        };
        Some(PaginatorConfig::Cursor(CursorConfig {
            cursor_path: self.path.as_str().to_owned(),
            cursor_param,
            cursor_body_path,
            stop_after_empty_page: self.stop_after_empty_page,
            has_more_path: self.has_more_path.as_ref().map(|p| p.as_str().to_owned()),
        }))
    }

    fn state(&self) -> PaginatorState {
        PaginatorState::Cursor {
            cursor: self.cursor.clone(),
            has_next_page: self.has_next,
        }
    }

    fn restore(&mut self, state: &PaginatorState) -> Result<(), PaginateError> {
        match state {
            PaginatorState::Cursor {
                cursor,
                has_next_page,
            } => {
                self.cursor = cursor.clone();
                self.has_next = *has_next_page;
                Ok(())
            }
            other => Err(wrong_state("cursor", other)),
        }
    }

    fn box_clone(&self) -> Box<dyn Paginator> {
        Box::new(self.clone())
    }
}
