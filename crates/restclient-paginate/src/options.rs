//! [`PaginateOptions`]: how a run paginates.

use restclient_select::Selector;

use crate::{Checkpoint, Paginator, ResponseHook};

/// How to paginate: the paginator, the record path, and the response hooks.
#[derive(Debug, Clone)]
pub struct PaginateOptions {
    /// The paginator; `None` detects one from the first response (dlt §3.2).
    pub paginator: Option<Box<dyn Paginator>>,
    /// Where the records are; `None` detects it from the first response (dlt §3.1).
    pub data_selector: Option<Selector>,
    /// Hooks run on every response, in order.
    pub response_hooks: Vec<ResponseHook>,
    /// Fail on a status ≥ 400. `None` (default) does as dlt: fail unless response hooks are given.
    pub raise_for_status: Option<bool>,
    /// Stop cleanly after this many pages (`None`, the default: no cap). The last page's
    /// [`checkpoint`](crate::Page::checkpoint) still holds the next request, so a capped run can be
    /// continued. `Some(0)` is a [`PaginateError::Config`](crate::PaginateError::Config) error.
    pub max_pages: Option<usize>,
    /// Up to this many requests in flight (default 1: one at a time, as dlt). The pages, their
    /// order and the requests that fetch them are the same at every value; see
    /// [`PaginateExt`](crate::PaginateExt) ("Fetching ahead"). Above 1 the stream must be polled
    /// inside a tokio runtime (requests run on spawned tasks). `0` is a
    /// [`PaginateError::Config`](crate::PaginateError::Config) error.
    pub concurrency: usize,
    /// Continue from a checkpoint taken after a page of an earlier run of the same request and
    /// options ([`Page::checkpoint`](crate::Page::checkpoint)): the run sends the recorded next
    /// request and yields the pages that followed. A checkpoint of another run is refused before
    /// any request; see [`Checkpoint`].
    pub resume: Option<Checkpoint>,
}

impl Default for PaginateOptions {
    fn default() -> Self {
        PaginateOptions {
            paginator: None,
            data_selector: None,
            response_hooks: Vec::new(),
            raise_for_status: None,
            max_pages: None,
            concurrency: 1,
            resume: None,
        }
    }
}
