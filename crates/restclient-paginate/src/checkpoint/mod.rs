//! Checkpoints: where a run stands after a page, as plain data, so a run killed at any instant
//! continues exactly where it stopped.
//!
//! Every [`Page`](crate::Page) carries the checkpoint to continue after it
//! ([`Page::checkpoint`](crate::Page::checkpoint)); a run given one in
//! [`PaginateOptions::resume`] sends the recorded next request and yields exactly the pages that
//! would have followed, with the same requests. Write a page's records durably first, then the
//! checkpoint: whenever the process dies, the records are in the output exactly once.
//!
//! A checkpoint holds:
//! - the **next request**: method, URL and body, and the body's `Content-Type`. Other headers are
//!   not stored: authentication and user headers come from the command, so they are taken from
//!   the resumed run's initial request. A query value under a sensitive name
//!   ([`restclient_core::redact`]) that the user gave (the initial request carries it) or that
//!   is a registered secret is stored masked and refilled from the resumed run's initial request
//!   (or left for auth to add again); values the paginator wrote, such as a `page_token`
//!   cursor, are kept, since the run cannot continue without them;
//! - the paginator's name and [`PaginatorState`] (a next link in it is stored redacted: the next
//!   request already carries it), and the paginator auto-detection chose, if it did, so a resumed
//!   run does not detect again;
//! - the record path (given or detected) and the index of the next page;
//! - a **fingerprint** of the run's configuration: the initial method, URL with query
//!   (sensitive values masked), body, the paginator's name and parameters, and the record path.
//!   A checkpoint whose fingerprint differs from the run's is refused with
//!   [`PaginateError::CheckpointMismatch`] before any request.
//!
//! No secret is in a checkpoint. With `concurrency` above 1 the checkpoint of each page is still
//! the one after that page in order. The loop-detection memory is not kept: a resumed run starts
//! remembering requests from its first one. A run that failed after its last page (its next
//! request could not be built, or it looped) records that failure, and resuming reports it again
//! ([`PaginateError::CheckpointedFailure`]).
//!
//! ```
//! use restclient_paginate::{Checkpoint, PaginateError};
//! let err = Checkpoint::from_json(r#"{"version": 99}"#).unwrap_err();
//! assert!(matches!(err, PaginateError::InvalidCheckpoint { .. }));
//! assert!(err.to_string().contains("version 99"));
//! ```

mod fingerprint;
mod resume;

use restclient_core::Request;
use serde::{Deserialize, Serialize};

use crate::{PaginateError, PaginateOptions, PaginatorConfig, PaginatorState};

pub(crate) use fingerprint::RunIdentity;
pub(crate) use resume::ResumePoint;

/// The checkpoint format this build writes and reads.
pub const CHECKPOINT_VERSION: u32 = 1;

/// Where a run stands after a page; see the [module docs](self). Serialize it with
/// [`to_json`](Checkpoint::to_json) (or any serde format) and read it back with
/// [`from_json`](Checkpoint::from_json).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Checkpoint {
    version: u32,
    fingerprint: String,
    /// The run, redacted, for error messages.
    run: String,
    /// The index of the page the next request fetches (pages read so far).
    page_index: usize,
    next: Option<NextRequest>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    failed: Option<String>,
    paginator: String,
    paginator_state: PaginatorState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    detected_paginator: Option<PaginatorConfig>,
    data_selector: String,
}

/// The next request, without its headers; the URL's sensitive values masked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct NextRequest {
    method: String,
    url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    content_type: Option<String>,
    /// The body when it is UTF-8 text (JSON, form data).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    body: String,
    /// The body when it is not UTF-8.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    body_bytes: Option<Vec<u8>>,
}

impl Checkpoint {
    /// The checkpoint as JSON.
    pub fn to_json(&self) -> Result<String, PaginateError> {
        serde_json::to_string(self).map_err(|e| invalid(format!("cannot serialize: {e}")))
    }

    /// Reads a checkpoint written by [`to_json`](Checkpoint::to_json). Text that is not JSON, a
    /// version other than [`CHECKPOINT_VERSION`], an unknown field or paginator state is a
    /// [`PaginateError::InvalidCheckpoint`].
    pub fn from_json(text: &str) -> Result<Checkpoint, PaginateError> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| invalid(format!("not JSON: {e}")))?;
        check_version(value.get("version").and_then(serde_json::Value::as_u64))?;
        serde_json::from_value(value).map_err(|e| invalid(e.to_string()))
    }

    /// The fingerprint of the run's configuration it belongs to (16 hex digits).
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// The index of the page the next request fetches: how many pages were read before it.
    pub fn page_index(&self) -> usize {
        self.page_index
    }

    /// Whether the run was over after this page (nothing is left to fetch).
    pub fn is_finished(&self) -> bool {
        self.next.is_none() && self.failed.is_none()
    }

    /// The next request's URL, sensitive values masked; `None` when the run was over.
    pub fn next_url(&self) -> Option<&str> {
        self.next.as_ref().map(|n| n.url.as_str())
    }

    /// The paginator's name.
    pub fn paginator(&self) -> &str {
        &self.paginator
    }

    /// The paginator's state after the page.
    pub fn paginator_state(&self) -> &PaginatorState {
        &self.paginator_state
    }

    /// The record path (given or detected).
    pub fn data_selector(&self) -> &str {
        &self.data_selector
    }

    /// Checks, without sending anything, that this checkpoint belongs to the run that `request`
    /// and `options` describe (the paginator and record path as given, `None` when detected):
    /// [`PaginateError::CheckpointMismatch`] or [`PaginateError::InvalidCheckpoint`] otherwise.
    /// Resuming checks the same; call this to refuse a checkpoint before touching any output.
    pub fn verify(&self, request: &Request, options: &PaginateOptions) -> Result<(), PaginateError> {
        let identity = RunIdentity::of(
            request,
            options.paginator.as_deref(),
            options.data_selector.as_ref(),
        );
        self.check_belongs(&identity)
    }

    fn check_belongs(&self, identity: &RunIdentity) -> Result<(), PaginateError> {
        check_version(Some(u64::from(self.version)))?;
        if self.fingerprint != identity.fingerprint {
            return Err(PaginateError::CheckpointMismatch {
                checkpoint: format!("{} [fingerprint {}]", self.run, self.fingerprint),
                run: format!("{} [fingerprint {}]", identity.description, identity.fingerprint),
            });
        }
        Ok(())
    }
}

fn check_version(version: Option<u64>) -> Result<(), PaginateError> {
    match version {
        Some(v) if v == u64::from(CHECKPOINT_VERSION) => Ok(()),
        Some(v) => Err(invalid(format!(
            "version {v} is not supported (this build reads version {CHECKPOINT_VERSION})"
        ))),
        None => Err(invalid("no `version` number")),
    }
}

pub(crate) fn invalid(reason: impl Into<String>) -> PaginateError {
    PaginateError::InvalidCheckpoint {
        reason: reason.into(),
    }
}
