//! Record detection: where a page's records are when no data selector was given (dlt's
//! `find_response_page_data`, spec §3.1).
//!
//! The walk itself runs over the raw body (the scan module's `DetectSeed`): every list under at most
//! three keys, depth-first in key order, descending into objects only. This module picks one of the
//! lists by dlt's rules and turns it into an exact key path, so keys with dots or spaces work
//! (dlt joins them with `.` unescaped and breaks on them).

use serde::de::DeserializeSeed;

use crate::document::body_str;
use crate::record::JsonKind;
use crate::scan::{Candidate, DetectSeed};
use crate::{Document, RawRecord, SelectError, Selector};

/// The record keys of dlt's detection, in no particular order: the first list (depth-first) whose
/// own key is one of these is the page's records. Exact and case-sensitive.
pub const RECORD_KEYS: [&str; 11] = [
    "data", "items", "results", "entries", "records", "rows", "entities", "payload", "content", "objects",
    "values",
];

impl Document {
    /// dlt's record detection (`find_response_page_data`, spec §3.1) on this page: returns the
    /// detected path, to be used for every later page, and this page's records.
    ///
    /// - A body that is not an object: `$`, records as [`Document::records`] gives them.
    /// - An object: every list under at most 3 keys, found depth-first in key order through objects
    ///   only; the first whose own key is a [`RECORD_KEYS`] entry wins, else the first list.
    /// - No list: `$`, and the whole object is the one record.
    ///
    /// The detected path is an exact key path ([`Selector::from_keys`]), so keys with dots or
    /// spaces work (dlt joins them with `.` unescaped).
    ///
    /// ```
    /// # use restclient_select::{Document, Query, Selector};
    /// let doc = Document::parse(bytes::Bytes::from(r#"{"meta": {"tags": ["x"]}, "records": [1, 2]}"#), &Query::new([])).unwrap();
    /// let (selector, records) = doc.detect_records().unwrap();
    /// assert_eq!(selector, Selector::parse("records").unwrap());
    /// assert_eq!(records.len(), 2);
    /// ```
    pub fn detect_records(&self) -> Result<(Selector, Vec<RawRecord>), SelectError> {
        let root = self.root();
        if root.kind() != JsonKind::Object {
            return Ok((Selector::root(), self.records(&Selector::root())?));
        }
        let text = body_str(self.body())?;
        let mut candidates: Vec<Candidate> = Vec::new();
        let mut de = serde_json::Deserializer::from_str(text);
        DetectSeed {
            body: text.as_bytes(),
            path: Vec::new(),
            out: &mut candidates,
        }
        .deserialize(&mut de)
        .map_err(|e| SelectError::malformed(self.body(), &e))?;
        let chosen = candidates
            .iter()
            .position(|c| c.keys.last().is_some_and(|k| RECORD_KEYS.contains(&k.as_str())))
            .or(if candidates.is_empty() { None } else { Some(0) });
        match chosen.and_then(|i| candidates.into_iter().nth(i)) {
            Some(c) => {
                let records = c
                    .elements
                    .into_iter()
                    .map(|r| RawRecord::new(self.body().slice(r)))
                    .collect();
                Ok((Selector::from_keys(c.keys), records))
            }
            None => Ok((Selector::root(), vec![root])),
        }
    }
}

#[cfg(test)]
mod tests;
