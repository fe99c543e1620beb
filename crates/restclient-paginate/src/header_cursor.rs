//! [`HeaderCursorPaginator`]: a cursor from a response header (dlt §2.10).

use restclient_core::Request;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::excerpt;
use crate::paginator::wrong_state;
use crate::request::set_query_param;
use crate::{PageContext, PaginateError, Paginator, PaginatorConfig, PaginatorState};

/// The parameters of a [`HeaderCursorPaginator`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeaderCursorConfig {
    /// The response header holding the next cursor (default `"next"`), matched case-insensitively.
    #[serde(default = "default_key")]
    pub cursor_key: String,
    /// The query parameter the cursor is sent as (default `"cursor"`).
    #[serde(default = "default_param")]
    pub cursor_param: String,
}

fn default_key() -> String {
    "next".to_owned()
}

fn default_param() -> String {
    "cursor".to_owned()
}

impl Default for HeaderCursorConfig {
    fn default() -> Self {
        HeaderCursorConfig {
            cursor_key: default_key(),
            cursor_param: default_param(),
        }
    }
}

impl HeaderCursorConfig {
    /// Validates the parameters and builds the paginator.
    pub fn build(self) -> Result<HeaderCursorPaginator, PaginateError> {
        HeaderCursorPaginator::new(self)
    }
}

/// Reads a cursor from the response header `cursor_key` and sends it as `?cursor_param=`.
///
/// A missing header ends pagination. Several headers of that name are joined with `", "`.
///
/// # Differs from dlt
/// dlt sends an empty header value as `cursor=`; here an empty (or all-whitespace) value ends
/// pagination.
///
/// ```
/// use restclient_paginate::{HeaderCursorConfig, Paginator};
/// let p = HeaderCursorConfig { cursor_key: "X-Next-Token".into(), ..Default::default() }.build().unwrap();
/// assert_eq!(p.name(), "header_cursor");
/// ```
#[derive(Debug, Clone)]
pub struct HeaderCursorPaginator {
    key: http::HeaderName,
    param: String,
    cursor: Option<String>,
}

impl HeaderCursorPaginator {
    /// Builds from a config; the header name must be a valid header name and the parameter
    /// non-empty.
    pub fn new(config: HeaderCursorConfig) -> Result<HeaderCursorPaginator, PaginateError> {
        let key = http::HeaderName::from_bytes(config.cursor_key.as_bytes()).map_err(|_| {
            PaginateError::config(format!(
                "`cursor_key` `{}` is not a valid header name",
                config.cursor_key
            ))
        })?;
        if config.cursor_param.is_empty() {
            return Err(PaginateError::config("`cursor_param` must not be empty"));
        }
        Ok(HeaderCursorPaginator {
            key,
            param: config.cursor_param,
            cursor: None,
        })
    }
}

impl Paginator for HeaderCursorPaginator {
    fn name(&self) -> &'static str {
        "header_cursor"
    }

    fn init_request(&mut self, _request: &mut Request) -> Result<(), PaginateError> {
        self.cursor = None;
        Ok(())
    }

    fn update_state(&mut self, page: &PageContext<'_>) -> Result<(), PaginateError> {
        let mut joined: Option<String> = None;
        for value in page.headers.get_all(&self.key) {
            let text = value.to_str().map_err(|_| PaginateError::InvalidCursor {
                path: self.key.to_string(),
                excerpt: excerpt(value.as_bytes()),
                reason: "the header is not visible ASCII text".to_owned(),
            })?;
            match &mut joined {
                Some(j) => {
                    j.push_str(", ");
                    j.push_str(text);
                }
                None => joined = Some(text.to_owned()),
            }
        }
        self.cursor = joined.filter(|c| !c.trim().is_empty());
        Ok(())
    }

    fn update_request(&mut self, request: &mut Request) -> Result<(), PaginateError> {
        match &self.cursor {
            Some(cursor) => set_query_param(request, &self.param, cursor),
            None => Ok(()),
        }
    }

    fn has_next_page(&self) -> bool {
        self.cursor.is_some()
    }

    fn config(&self) -> Option<PaginatorConfig> {
        Some(PaginatorConfig::HeaderCursor(HeaderCursorConfig {
            cursor_key: self.key.as_str().to_owned(),
            cursor_param: self.param.clone(),
        }))
    }

    fn state(&self) -> PaginatorState {
        PaginatorState::Cursor {
            cursor: self.cursor.clone().map(Value::String),
            has_next_page: self.cursor.is_some(),
        }
    }

    fn restore(&mut self, state: &PaginatorState) -> Result<(), PaginateError> {
        match state {
            PaginatorState::Cursor { cursor, .. } => {
                self.cursor = cursor.as_ref().map(crate::request::param_text);
                Ok(())
            }
            other => Err(wrong_state("header_cursor", other)),
        }
    }

    fn box_clone(&self) -> Box<dyn Paginator> {
        Box::new(self.clone())
    }
}
