//! The [`Paginator`] trait: dlt's three moments, plus the selectors a paginator reads.

use std::fmt;

use http::{HeaderMap, StatusCode};
use restclient_core::Request;
use restclient_select::{Document, RawRecord, Selector};
use serde::{Deserialize, Serialize};

use crate::{PaginateError, PaginatorConfig};

/// What a paginator sees of one response: the request that fetched it, the response head, the
/// body's lazy [`Document`] and the records already selected from it.
///
/// Nothing here is parsed twice: the document was scanned once for every selector the page needs
/// (the records' and the paginator's own, from [`Paginator::selectors`]).
#[derive(Debug, Clone, Copy)]
pub struct PageContext<'a> {
    /// The request that fetched this page.
    pub request: &'a Request,
    /// The response status.
    pub status: StatusCode,
    /// The response headers.
    pub headers: &'a HeaderMap,
    /// The response body, scanned for the page's selectors.
    pub document: &'a Document,
    /// The page's records (dlt's `data`); empty for `null` or `[]`.
    pub records: &'a [RawRecord],
}

/// A paginator: decides how the first request looks, reads each response, and writes the next
/// request. The same three moments as dlt's `BasePaginator`:
///
/// 1. [`init_request`](Paginator::init_request) once, before the first request (not called for a
///    paginator chosen by auto-detection, as in dlt);
/// 2. [`update_state`](Paginator::update_state) with every response;
/// 3. [`update_request`](Paginator::update_request) while [`has_next_page`](Paginator::has_next_page).
///
/// Values a paginator reads from the body (a total, a cursor, a next link) must be named in
/// [`selectors`](Paginator::selectors), so the page's single scan gathers them; then
/// `page.document.first(&selector)` is a lookup.
///
/// The trait is object-safe: configs build a `Box<dyn Paginator>`, cloned with
/// [`box_clone`](Paginator::box_clone) so every run starts fresh. Its state is plain data
/// ([`PaginatorState`]), so a run can be saved and resumed.
///
/// # Example: a cursor that travels in a POST body
///
/// ```
/// use restclient_core::Request;
/// use restclient_paginate::{PageContext, PaginateError, Paginator, PaginatorState, set_body_path};
/// use restclient_select::Selector;
///
/// #[derive(Debug, Clone)]
/// struct BodyCursor {
///     path: Selector,               // where the next cursor is in the response
///     cursor: Option<String>,
/// }
///
/// impl Paginator for BodyCursor {
///     fn name(&self) -> &'static str { "body_cursor" }
///     fn selectors(&self) -> Vec<Selector> { vec![self.path.clone()] }
///     fn update_state(&mut self, page: &PageContext<'_>) -> Result<(), PaginateError> {
///         let found = page.document.first(&self.path)?;
///         self.cursor = found.and_then(|c| c.as_str().map(|s| s.into_owned())).filter(|c| !c.is_empty());
///         Ok(())
///     }
///     fn update_request(&mut self, request: &mut Request) -> Result<(), PaginateError> {
///         let cursor = self.cursor.clone().unwrap_or_default();
///         set_body_path(request, "page.after", serde_json::Value::String(cursor))
///     }
///     fn has_next_page(&self) -> bool { self.cursor.is_some() }
///     fn state(&self) -> PaginatorState {
///         PaginatorState::Custom { name: "body_cursor".into(), value: serde_json::json!(self.cursor) }
///     }
///     fn restore(&mut self, state: &PaginatorState) -> Result<(), PaginateError> {
///         if let PaginatorState::Custom { value, .. } = state {
///             self.cursor = value.as_str().map(str::to_owned);
///         }
///         Ok(())
///     }
///     fn box_clone(&self) -> Box<dyn Paginator> { Box::new(self.clone()) }
/// }
///
/// let paginator: Box<dyn Paginator> =
///     Box::new(BodyCursor { path: Selector::parse("meta.after").unwrap(), cursor: None });
/// assert_eq!(paginator.name(), "body_cursor");
/// ```
pub trait Paginator: fmt::Debug + Send + Sync {
    /// A short name: the config type (`"offset"`, `"json_link"`, ...) for built-in paginators.
    fn name(&self) -> &'static str;

    /// The body paths this paginator reads, gathered in the page's single scan.
    fn selectors(&self) -> Vec<Selector> {
        Vec::new()
    }

    /// Prepares the first request (and resets the state, so a paginator can be reused).
    fn init_request(&mut self, request: &mut Request) -> Result<(), PaginateError> {
        let _ = request;
        Ok(())
    }

    /// Reads one response. An error ends the run before this page is yielded (dlt P06).
    fn update_state(&mut self, page: &PageContext<'_>) -> Result<(), PaginateError>;

    /// Turns the request that fetched the last page into the request for the next one. Called only
    /// while [`has_next_page`](Paginator::has_next_page) is true.
    fn update_request(&mut self, request: &mut Request) -> Result<(), PaginateError>;

    /// Whether there is another page to fetch.
    fn has_next_page(&self) -> bool;

    /// The requests that follow `next` (the request [`update_request`](Paginator::update_request)
    /// or [`init_request`](Paginator::init_request) just wrote), in order, that this paginator
    /// can name without seeing their responses; at most `count`. A prefetch driver sends them
    /// ahead (`PaginateOptions::concurrency`).
    ///
    /// Nothing depends on the answer being right: before a prefetched response is used, the
    /// driver checks that the request derived page by page is the same one, and sends the right
    /// one otherwise. A wrong guess costs a request, never a record. The default, for paginators
    /// that learn the next request from the response (links, cursors), names none.
    ///
    /// Offset and page-number paginators name requests up to the total once a response stated
    /// one, or up to `maximum_offset` / `maximum_page`; with neither (an empty page or
    /// `has_more` ends them) they guess that every page is followed by another.
    fn requests_ahead(&self, next: &Request, count: usize) -> Vec<Request> {
        let _ = (next, count);
        Vec::new()
    }

    /// The declarative config that builds this paginator afresh (its parameters, not its
    /// state); `None` for a paginator that has none (custom ones). Checkpoints use it to tell
    /// runs apart and to rebuild a paginator that auto-detection chose.
    fn config(&self) -> Option<PaginatorConfig> {
        None
    }

    /// A snapshot of the state, plain data.
    fn state(&self) -> PaginatorState;

    /// Restores a snapshot taken by [`state`](Paginator::state) of the same kind of paginator.
    fn restore(&mut self, state: &PaginatorState) -> Result<(), PaginateError>;

    /// Clones the paginator behind a box.
    fn box_clone(&self) -> Box<dyn Paginator>;
}

impl Clone for Box<dyn Paginator> {
    fn clone(&self) -> Self {
        self.box_clone()
    }
}

/// A paginator's state as plain data: `Clone`, comparable, and serializable, so a run can be
/// saved and resumed.
///
/// ```
/// use restclient_paginate::PaginatorState;
/// let s = PaginatorState::Range { current: 20, total: Some(25), has_next_page: true };
/// let json = serde_json::to_string(&s).unwrap();
/// assert_eq!(json, r#"{"kind":"range","current":20,"total":25,"has_next_page":true}"#);
/// assert_eq!(serde_json::from_str::<PaginatorState>(&json).unwrap(), s);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum PaginatorState {
    /// [`SinglePagePaginator`](crate::SinglePagePaginator).
    SinglePage {
        /// Whether a (first) page is still to come.
        has_next_page: bool,
    },
    /// [`OffsetPaginator`](crate::OffsetPaginator) and [`PageNumberPaginator`](crate::PageNumberPaginator):
    /// the value for the next request.
    Range {
        /// The offset or page number the next request carries.
        current: i64,
        /// The last total read, if any.
        total: Option<i64>,
        /// Whether there is a next page.
        has_next_page: bool,
    },
    /// [`JsonLinkPaginator`](crate::JsonLinkPaginator) and [`HeaderLinkPaginator`](crate::HeaderLinkPaginator).
    NextUrl {
        /// The next link as found (unresolved); `None` ends pagination.
        next_url: Option<String>,
    },
    /// [`JsonResponseCursorPaginator`](crate::JsonResponseCursorPaginator) and
    /// [`HeaderCursorPaginator`](crate::HeaderCursorPaginator).
    Cursor {
        /// The cursor for the next request (a JSON string or number).
        cursor: Option<serde_json::Value>,
        /// Whether there is a next page.
        has_next_page: bool,
    },
    /// A custom paginator's state.
    Custom {
        /// The paginator's name.
        name: String,
        /// Its state.
        value: serde_json::Value,
    },
}

pub(crate) fn wrong_state(expected: &str, got: &PaginatorState) -> PaginateError {
    PaginateError::config(format!(
        "cannot restore a {expected} paginator from state {got:?}"
    ))
}
