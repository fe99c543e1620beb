//! [`Page`]: one response, read.

use std::fmt;

use bytes::Bytes;
use http::{HeaderMap, StatusCode, Uri};
use restclient_core::{Request, redact};
use restclient_select::{RawRecord, Selector};

use crate::checkpoint::ResumePoint;
use crate::detect::Detection;
use crate::{Checkpoint, PaginatorState};

/// One page: its records (zero-copy slices of the body), the request that fetched it, the
/// response head, and the paginator's state after reading it.
#[non_exhaustive]
pub struct Page {
    /// The records (dlt's `PageData` list): empty for `null` or `[]`.
    pub records: Vec<RawRecord>,
    /// The request that fetched this page.
    pub request: Request,
    /// The response status.
    pub status: StatusCode,
    /// The response headers.
    pub headers: HeaderMap,
    /// The URL the response came from (after redirects when the transport reports it).
    pub url: Uri,
    /// The whole response body (the records point into it).
    pub body: Bytes,
    /// The record path used (given or detected).
    pub data_selector: Selector,
    /// The paginator's [`name`](crate::Paginator::name).
    pub paginator: &'static str,
    /// The paginator's state after reading this page.
    pub paginator_state: PaginatorState,
    /// Whether the paginator will fetch another page.
    pub has_next_page: bool,
    /// On the first page, which paginator auto-detection chose (`None` when one was given).
    pub detected: Option<Detection>,
    /// The page's position in the run, from 0.
    pub index: usize,
    /// What the checkpoint after this page is made of.
    pub(crate) resume: ResumePoint,
}

impl Page {
    /// The records as a slice.
    pub fn records(&self) -> &[RawRecord] {
        &self.records
    }

    /// The checkpoint to continue after this page: give it to
    /// [`PaginateOptions::resume`](crate::PaginateOptions::resume) and the run yields exactly the
    /// pages that follow this one. Its next request is `None` when the run is over.
    pub fn checkpoint(&self) -> Checkpoint {
        self.resume
            .checkpoint(self.paginator, &self.paginator_state, &self.data_selector)
    }

    /// Takes the records.
    pub fn into_records(self) -> Vec<RawRecord> {
        self.records
    }
}

impl fmt::Debug for Page {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Page")
            .field("index", &self.index)
            .field("records", &self.records.len())
            .field("status", &self.status)
            .field("url", &redact::redact_uri(&self.url))
            .field("paginator", &self.paginator)
            .field("paginator_state", &self.paginator_state)
            .field("detected", &self.detected)
            .finish_non_exhaustive()
    }
}
