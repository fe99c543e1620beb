//! Pagination for restclient: the [`Paginator`] trait, every paginator dlt 1.31 ships,
//! auto-detection, declarative config, and the adapter that turns one request into a stream of
//! pages over any `tower::Service`.
//!
//! | paginator | config `type` | reads | stops when |
//! |---|---|---|---|
//! | [`SinglePagePaginator`] | `single_page` | nothing | after the first page |
//! | [`JsonLinkPaginator`] | `json_link` | a URL in the body (`next`) | no link |
//! | [`HeaderLinkPaginator`] | `header_link` | the RFC 8288 `Link` header (`rel="next"`) | no link |
//! | [`OffsetPaginator`] | `offset` | `total` | empty page, `offset ≥ total`, `maximum_offset`, `has_more` false |
//! | [`PageNumberPaginator`] | `page_number` | `total` (pages) | empty page, `page ≥ total + base_page`, `maximum_page`, `has_more` false |
//! | [`JsonResponseCursorPaginator`] | `cursor` | a cursor in the body (`cursors.next`) | falsy cursor, `has_more` false, empty page if asked |
//! | [`HeaderCursorPaginator`] | `header_cursor` | a response header (`next`) | no (or empty) header |
//!
//! Paginators read the few values they need through the page's [`Document`](restclient_select::Document),
//! scanned once for every selector the page needs; records stay raw ([`RawRecord`](restclient_select::RawRecord)).
//!
//! # Runs: fetching ahead, caps, checkpoints
//! [`PaginateOptions`] also says how a run goes: [`concurrency`](PaginateOptions::concurrency)
//! keeps up to N requests in flight and still yields the pages of a one-at-a-time run, in order
//! (see [`PaginateExt`]); [`max_pages`](PaginateOptions::max_pages) caps the run; every page
//! carries the [`Checkpoint`] to continue after it ([`Page::checkpoint`]), and
//! [`resume`](PaginateOptions::resume) continues from one (see [`checkpoint`]).
//!
//! Pagination composes with tower two ways: [`PaginateExt::paginate`] on any service, or
//! [`PaginateLayer`] outermost in a `ServiceBuilder` stack (see [`layer`]).
//!
//! # Differences from dlt
//! Everything follows dlt 1.31 except these deliberate choices:
//! - **Next links** ([`JsonLinkPaginator`]): only a non-empty string is a link; `""`, `false`, `0`
//!   or any other non-string value ends pagination (dlt follows them and crashes on the next request).
//! - **Header cursors** ([`HeaderCursorPaginator`]): an empty header ends pagination (dlt sends
//!   `cursor=`). JSON cursors stop on every falsy value, as in dlt.
//! - **Detected page numbers** ([`detect`]): as dlt, unless the first response states its current
//!   page (`page`, `current_page`, `pageNumber`); then pagination continues from that page + 1.
//! - **Loops** (row 8; [`PaginateExt`]): a next request identical to one already sent in the run
//!   (method, URL with query, body) ends the run with [`PaginateError::Loop`], naming the repeated
//!   URL (redacted) and the page it first fetched, instead of repeating forever. That covers a
//!   paginator that did not advance (a self-referencing next link), an A → B → A cycle of links
//!   and a cursor that comes back after several pages. The run remembers the newest 65,536
//!   requests as 64-bit fingerprints; the memory is not kept in a checkpoint, so a resumed run
//!   starts remembering from its first request.
//! - **Page cap**: [`PaginateOptions::max_pages`] ends the run cleanly after N pages.
//! - **Paths that are not JSONPath** (row 16): `next_url_path`, `cursor_path`, `total_path`,
//!   `has_more_path` and data selectors whose unquoted keys hold JSONPath syntax or whitespace
//!   (`@odata.nextLink`) are refused when the config is built, with the quoted form to write
//!   (`$['@odata.nextLink']`); dlt reads them as matching nothing and silently returns page 1.
//! - **OData and more-pages signs** (row 17; [`detect`]): an absolute `@odata.nextLink` is detected
//!   as a JSON link; when detection settles on a single page but the response says there is more
//!   (`has_more: true`, a token-like `next`, a total above the records read), the first page's
//!   [`Detection::warning`] names the field and the paginator to configure (also logged at WARN).
//! - **Fetching ahead** ([`PaginateOptions::concurrency`]) and **checkpoints** ([`Checkpoint`]):
//!   dlt has neither; the pages and requests are dlt's at every concurrency.
//! - A cursor that is an object or array, a malformed `Link` header, and a next link that is not a
//!   valid http(s) URL are typed errors.
//!
//! # Example
//! ```
//! use restclient_paginate::{PaginatorConfig, PaginateOptions};
//!
//! let config: PaginatorConfig = serde_json::from_str(r#"{"type": "page_number", "base_page": 1, "total_path": "meta.pages"}"#).unwrap();
//! let options = PaginateOptions { paginator: config.build().unwrap(), ..Default::default() };
//! assert_eq!(options.paginator.as_ref().map(|p| p.name()), Some("page_number"));
//! // service.paginate(request, options) -> Stream<Item = Result<Page, PaginateError>>
//! ```

pub mod checkpoint;
pub mod config;
mod cursor;
pub mod detect;
mod error;
mod header_cursor;
mod header_link;
mod hooks;
mod json_link;
pub mod layer;
mod link_header;
mod next_url;
mod offset;
mod options;
mod page;
mod page_number;
mod paginator;
mod prefetch;
mod range;
mod request;
mod run;
mod seen;
mod single_page;
mod stream;
mod values;

pub use checkpoint::{CHECKPOINT_VERSION, Checkpoint};
pub use config::PaginatorConfig;
pub use cursor::{CursorConfig, JsonResponseCursorPaginator};
pub use detect::{Detection, detect_paginator};
pub use error::PaginateError;
pub use header_cursor::{HeaderCursorConfig, HeaderCursorPaginator};
pub use header_link::{HeaderLinkConfig, HeaderLinkPaginator};
pub use hooks::{HookAction, ResponseHook};
pub use json_link::{JsonLinkConfig, JsonLinkPaginator};
pub use layer::{Paginate, PaginateLayer};
pub use link_header::{Link, parse_link_headers};
pub use next_url::follow_link;
pub use offset::{OffsetConfig, OffsetPaginator};
pub use options::PaginateOptions;
pub use page::Page;
pub use page_number::{PageNumberConfig, PageNumberPaginator};
pub use paginator::{PageContext, Paginator, PaginatorState};
pub use request::{Placement, set_body_path, set_query_param};
pub use single_page::SinglePagePaginator;
pub use stream::{PageStream, PaginateExt};
