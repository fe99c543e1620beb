//! Incremental loading, as dlt's `Incremental` with JSON rows (`dlt/extract/incremental`).
//!
//! # Values
//! - **start value**: the `last_value` the previous successful run saved for this resource and
//!   cursor path, else `initial_value`. It is sent as `start_param`; `end_value` as `end_param`.
//!   With `end_value` set, no state is read or written: the run covers `[initial_value,
//!   end_value)` every time.
//! - **last value**: the "latest" cursor value seen (`max` by default, `min` with
//!   `last_value_func: "min"`), saved at the end of a successful run.
//!
//! # Which records are kept (in output order)
//! 1. A record without the cursor (or with `null` there) fails the resource, or is kept or
//!    dropped as `on_cursor_value_missing` says (`raise`, `include`, `exclude`).
//! 2. Beyond `end_value` it is dropped; equal to it, dropped unless `range_end: "closed"`.
//! 3. Before the start value it is dropped; equal to it, dropped with `range_start: "open"`, and
//!    otherwise dropped when it was already seen by the previous run: its primary key
//!    (`incremental.primary_key`, else the resource's `primary_key`), or the whole record when there
//!    is none, hashes to one the state keeps. The state keeps the hashes of the records at the last
//!    value. `primary_key: []` turns this off; so do `range_start: "open"` and `end_value`.
//! 4. With `row_order` (`asc`/`desc`) a top-level resource stops paginating after the page where
//!    the data crossed the end (asc) or the start (desc).
//!
//! # Differences from dlt
//! - Cursor values compare as JSON: numbers with numbers, strings with strings (ISO dates compare
//!   as text, as dlt compares the strings an API returns). Other pairs fail the resource.
//! - `last_value_func` is `max` or `min` (no callables); `lag`, `convert` and external
//!   schedulers are not supported and rejected when the config is read.
//! - The saved hashes are those of the records at the final last value; dlt also keeps the
//!   previous run's hashes after the last value moved on, where they can no longer match.

mod spec;

use std::collections::HashSet;
use std::sync::Arc;

use base64::Engine;
use restclient::select::{Document, Query};
use restclient::{RawRecord, Selector};
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub(crate) use spec::{IncrementalSpec, RowOrder, columns};

use spec::{OnMissing, compare};

/// What the state file keeps for one cursor (dlt's `IncrementalColumnState`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IncrementalState {
    /// The config's `initial_value`.
    pub initial_value: Option<Value>,
    /// The latest cursor value the run saw: the next run's start value.
    pub last_value: Option<Value>,
    /// Hashes of the records at `last_value` (their primary key, or the whole record).
    #[serde(default)]
    pub unique_hashes: Vec<String>,
    /// The start value of the run that saved this state.
    pub start_value: Option<Value>,
}

/// Why a record could not be filtered.
#[derive(Debug, thiserror::Error)]
pub(crate) enum IncrementalError {
    #[error("the cursor `{path}` is missing or null in a record (on_cursor_value_missing = raise)")]
    CursorMissing { path: String },
    #[error("the cursor `{path}` holds {found}, which does not compare with the {against} ({kind})")]
    NotComparable {
        path: String,
        found: &'static str,
        against: &'static str,
        kind: &'static str,
    },
    #[error("the primary key column `{column}` is missing in a record")]
    PrimaryKeyMissing { column: String },
    #[error("a record is not valid JSON: {0}")]
    Record(String),
}

/// One resource's incremental filter for one run.
#[derive(Debug)]
pub(crate) struct IncrementalFilter {
    spec: Arc<IncrementalSpec>,
    primary_key: Option<Vec<(String, Selector)>>,
    query: Query,
    dedup: bool,
    start_value: Option<Value>,
    last_value: Option<Value>,
    start_hashes: HashSet<String>,
    /// Hashes of this run's records at `last_value`.
    last_hashes: Vec<String>,
    /// Set on the first record beyond the end value.
    pub(crate) end_out_of_range: bool,
    /// Set on the first record before the start value.
    pub(crate) start_out_of_range: bool,
}

impl IncrementalFilter {
    /// A filter starting from `saved` (ignored when `end_value` is set).
    pub(crate) fn new(
        spec: Arc<IncrementalSpec>,
        resource_primary_key: Option<&[String]>,
        saved: Option<&IncrementalState>,
    ) -> IncrementalFilter {
        let key = spec.primary_key.as_deref().or(resource_primary_key);
        let dedup = !spec.range_start_open && spec.end_value.is_none() && key.is_none_or(|k| !k.is_empty());
        let primary_key: Option<Vec<(String, Selector)>> = key.map(|k| {
            k.iter()
                .map(|c| (c.clone(), Selector::from_keys([c.as_str()])))
                .collect()
        });
        let mut selectors = vec![spec.cursor.clone()];
        selectors.extend(primary_key.iter().flatten().map(|(_, s)| s.clone()));
        let query = Query::new(selectors.iter());
        let saved = saved.filter(|_| spec.end_value.is_none());
        let start_value = match saved {
            Some(state) => state.last_value.clone(),
            None => spec.initial_value.clone(),
        };
        let start_hashes: HashSet<String> = saved
            .map(|s| s.unique_hashes.iter().cloned().collect())
            .unwrap_or_default();
        IncrementalFilter {
            last_value: start_value.clone(),
            start_value,
            start_hashes,
            last_hashes: Vec::new(),
            spec,
            primary_key,
            query,
            dedup,
            end_out_of_range: false,
            start_out_of_range: false,
        }
    }

    /// Continues from the state an interrupted run of the same resource had reached (its
    /// [`state`](Self::state) then); the start value and the previous run's hashes stay.
    pub(crate) fn restore(&mut self, reached: &IncrementalState) {
        self.last_value.clone_from(&reached.last_value);
        self.last_hashes.clone_from(&reached.unique_hashes);
    }

    /// The value sent as the start param.
    pub(crate) fn start_value(&self) -> Option<&Value> {
        self.start_value.as_ref()
    }

    /// The settings.
    pub(crate) fn spec(&self) -> &IncrementalSpec {
        &self.spec
    }

    /// Whether a sorted resource can stop paginating (dlt's `can_close`).
    pub(crate) fn can_close(&self) -> bool {
        match self.spec.row_order {
            Some(RowOrder::Asc) => self.end_out_of_range,
            Some(RowOrder::Desc) => self.start_out_of_range,
            None => false,
        }
    }

    /// Whether `record` is kept; updates the last value.
    pub(crate) fn keep(&mut self, record: &RawRecord) -> Result<bool, IncrementalError> {
        let doc = Document::parse(record.bytes().clone(), &self.query)
            .map_err(|e| IncrementalError::Record(e.to_string()))?;
        let cursor = doc
            .first(&self.spec.cursor)
            .map_err(|e| IncrementalError::Record(e.to_string()))?
            .map(|r| r.to_value())
            .transpose()
            .map_err(|e| IncrementalError::Record(e.to_string()))?
            .filter(|v| !v.is_null());
        let Some(row) = cursor else {
            return match self.spec.on_missing {
                OnMissing::Raise => Err(IncrementalError::CursorMissing {
                    path: self.spec.cursor_path.clone(),
                }),
                OnMissing::Include => Ok(true),
                OnMissing::Exclude => Ok(false),
            };
        };
        let spec = Arc::clone(&self.spec);
        let comparable = |against: &Value, name: &'static str| {
            compare(&row, against)
                .map(|_| ())
                .ok_or_else(|| IncrementalError::NotComparable {
                    path: spec.cursor_path.clone(),
                    found: crate::error::kind(&row),
                    against: name,
                    kind: crate::error::kind(against),
                })
        };
        let equal = |a: &Value, b: &Value| compare(a, b) == Some(std::cmp::Ordering::Equal);

        if let Some(end) = &spec.end_value {
            comparable(end, "end value")?;
            if spec.better(&row, end) || (spec.range_end_open && equal(&row, end)) {
                self.end_out_of_range = true;
                return Ok(false);
            }
        }
        let last_value = self.last_value.clone();
        if let Some(last) = &last_value {
            comparable(last, "last value")?;
        }
        match &last_value {
            Some(last) if !spec.better(&row, last) => {
                // not later than the last value: check it against the start
                if let Some(start) = &self.start_value {
                    if equal(&row, start) {
                        if spec.range_start_open {
                            self.start_out_of_range = true;
                            return Ok(false);
                        }
                        if self.dedup {
                            let hash = self.hash(&doc, record)?;
                            if self.start_hashes.contains(&hash) {
                                self.start_out_of_range = true;
                                return Ok(false);
                            }
                        }
                    } else if spec.better(start, &row) {
                        self.start_out_of_range = true;
                        return Ok(false);
                    }
                }
                if self.dedup && equal(&row, last) {
                    let hash = self.hash(&doc, record)?;
                    self.last_hashes.push(hash);
                }
            }
            _ => {
                self.last_value = Some(row);
                self.last_hashes.clear();
                if self.dedup {
                    let hash = self.hash(&doc, record)?;
                    self.last_hashes.push(hash);
                }
            }
        }
        Ok(true)
    }

    /// The state to save after a successful run; `None` with `end_value` (dlt keeps none).
    pub(crate) fn state(&self) -> Option<IncrementalState> {
        if self.spec.end_value.is_some() {
            return None;
        }
        let mut hashes: Vec<String> = Vec::new();
        if self.dedup {
            let moved = match (&self.last_value, &self.start_value) {
                (Some(a), Some(b)) => compare(a, b) != Some(std::cmp::Ordering::Equal),
                (None, None) => false,
                _ => true,
            };
            if !moved {
                hashes.extend(self.start_hashes.iter().cloned());
            }
            hashes.extend(self.last_hashes.iter().cloned());
            hashes.sort();
            hashes.dedup();
        }
        Some(IncrementalState {
            initial_value: self.spec.initial_value.clone(),
            last_value: self.last_value.clone(),
            unique_hashes: hashes,
            start_value: self.start_value.clone(),
        })
    }

    /// The record's identity: a hash of its primary key values, or of the whole record.
    fn hash(&self, doc: &Document, record: &RawRecord) -> Result<String, IncrementalError> {
        let identity = match &self.primary_key {
            Some(columns) => {
                let mut values = Vec::with_capacity(columns.len());
                for (column, selector) in columns {
                    let value = doc
                        .first(selector)
                        .ok()
                        .flatten()
                        .and_then(|r| r.to_value().ok())
                        .ok_or_else(|| IncrementalError::PrimaryKeyMissing {
                            column: column.clone(),
                        })?;
                    values.push(value);
                }
                if values.len() == 1 {
                    values.remove(0)
                } else {
                    Value::Array(values)
                }
            }
            None => record
                .to_value()
                .map_err(|e| IncrementalError::Record(e.to_string()))?,
        };
        let mut canonical = Vec::new();
        write_canonical(&identity, &mut canonical);
        let digest = ring::digest::digest(&ring::digest::SHA256, &canonical);
        Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest.as_ref()[..16]))
    }
}

/// JSON with object keys sorted (dlt hashes `json.dumps(row, sort_keys=True)`).
fn write_canonical(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push(b'{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                out.extend_from_slice(Value::String(key.clone()).to_string().as_bytes());
                out.push(b':');
                write_canonical(&map[key], out);
            }
            out.push(b'}');
        }
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_canonical(item, out);
            }
            out.push(b']');
        }
        other => out.extend_from_slice(other.to_string().as_bytes()),
    }
}

#[cfg(test)]
mod tests;
