//! A response body, validated once and navigated lazily.

use std::ops::Range;
use std::sync::OnceLock;

use bytes::Bytes;
use serde::de::DeserializeSeed;
use serde_json::value::RawValue;

use crate::record::JsonKind;
use crate::scan::{Capture, NodeSeed, Scan, Where};
use crate::selector::{Compiled, eval_full};
use crate::{Query, RawRecord, SelectError, Selector};

/// A response body (`Bytes`), validated as JSON once and navigated lazily.
///
/// [`Document::parse`] makes one pass over the body: it validates all of it and gathers the
/// matches of every plain selector in the [`Query`], parsing only the objects and arrays on the way
/// to them. Records come out as zero-copy [`RawRecord`] slices of the body.
///
/// ```
/// use bytes::Bytes;
/// use restclient_select::{Document, Query, Selector};
///
/// let records = Selector::parse("data").unwrap();
/// let next = Selector::parse("links.next").unwrap();
/// let query = Query::new([&records, &next]);
///
/// let body = Bytes::from(r#"{"data": [{"id": 1}, {"id": 2}], "links": {"next": "/p?page=2"}}"#);
/// let doc = Document::parse(body, &query).unwrap();
/// let recs = doc.records(&records).unwrap();
/// assert_eq!(recs.len(), 2);
/// assert_eq!(recs[1].as_bytes(), br#"{"id": 2}"#);
/// let link = doc.first(&next).unwrap().unwrap();
/// assert_eq!(link.as_str().as_deref(), Some("/p?page=2"));
/// ```
#[derive(Debug)]
pub struct Document {
    body: Bytes,
    query: Query,
    caps: Vec<Option<Capture>>,
    tree: OnceLock<Result<serde_json::Value, String>>,
}

/// The body as `&str`, validated.
pub(crate) fn body_str(body: &Bytes) -> Result<&str, SelectError> {
    std::str::from_utf8(body).map_err(|e| SelectError::bad_utf8(body, e.valid_up_to()))
}

/// Runs the scan of `query` over `body` (already known to be UTF-8).
fn scan(
    body: &Bytes,
    text: &str,
    query: &Query,
    raw_terminals: bool,
) -> Result<Vec<Option<Capture>>, SelectError> {
    let inner = query.inner();
    let mut scan = Scan {
        nodes: &inner.nodes,
        body: text.as_bytes(),
        caps: vec![None; inner.selectors.len()],
        raw_terminals,
    };
    let mut de = serde_json::Deserializer::from_str(text);
    NodeSeed {
        scan: &mut scan,
        node: 0,
    }
    .deserialize(&mut de)
    .and_then(|()| de.end())
    .map_err(|e| SelectError::malformed(body, &e))?;
    Ok(scan.caps)
}

impl Document {
    /// Validates `body` as JSON and gathers the matches of every plain selector in `query`, in one
    /// pass. Malformed JSON (or invalid UTF-8) is [`SelectError::MalformedJson`] with the byte
    /// offset, line and column.
    ///
    /// ```
    /// use restclient_select::{Document, Query, SelectError};
    /// let err = Document::parse(bytes::Bytes::from("{\"a\": [1, 2,]}"), &Query::new([])).unwrap_err();
    /// assert!(matches!(err, SelectError::MalformedJson { offset: 12, line: 1, .. }), "{err}");
    /// ```
    pub fn parse(body: Bytes, query: &Query) -> Result<Document, SelectError> {
        let text = body_str(&body)?;
        let mut caps = scan(&body, text, query, false)?;
        if caps.iter().any(|c| {
            matches!(
                c,
                Some(Capture {
                    at: Where::Unknown,
                    ..
                })
            )
        }) {
            // The scan could not place a target (never seen on valid JSON): re-scan taking raw
            // spans, which are always exact.
            let raw = scan(&body, text, query, true)?;
            for (cap, raw) in caps.iter_mut().zip(raw) {
                if matches!(
                    cap,
                    Some(Capture {
                        at: Where::Unknown,
                        ..
                    })
                ) {
                    *cap = raw;
                }
            }
        }
        Ok(Document {
            body,
            query: query.clone(),
            caps,
            tree: OnceLock::new(),
        })
    }

    /// The whole body.
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// The whole document as one record (the body without surrounding whitespace).
    pub fn root(&self) -> RawRecord {
        let b = &self.body;
        let start = b
            .iter()
            .position(|c| !matches!(c, b' ' | b'\t' | b'\n' | b'\r'))
            .unwrap_or(b.len());
        let end = b
            .iter()
            .rposition(|c| !matches!(c, b' ' | b'\t' | b'\n' | b'\r'))
            .map_or(start, |p| p + 1);
        RawRecord::new(b.slice(start..end.max(start)))
    }

    fn record(&self, at: &Where) -> RawRecord {
        match at {
            Where::Span(r) => RawRecord::new(self.body.slice(r.clone())),
            Where::Owned(b) => RawRecord::new(b.clone()),
            // Document::parse replaces every Unknown; this keeps the type total
            Where::Unknown => RawRecord::new(Bytes::from_static(b"null")),
        }
    }

    /// The plain selector's capture: from the scan if the query had it, else a fresh walk.
    fn capture(&self, selector: &Selector) -> Result<Option<Capture>, SelectError> {
        if let Some(slot) = self.query.slot(selector) {
            return Ok(self.caps.get(slot).cloned().flatten());
        }
        let query = Query::new([selector]);
        let text = body_str(&self.body)?;
        let mut caps = scan(&self.body, text, &query, false)?;
        let mut cap = caps.pop().flatten();
        if matches!(
            cap,
            Some(Capture {
                at: Where::Unknown,
                ..
            })
        ) {
            cap = scan(&self.body, text, &query, true)?.pop().flatten();
        }
        Ok(cap)
    }

    fn tree(&self) -> Result<&serde_json::Value, SelectError> {
        self.tree
            .get_or_init(|| serde_json::from_slice(&self.body).map_err(|e| e.to_string()))
            .as_ref()
            .map_err(|reason| SelectError::Evaluate {
                path: "$".to_owned(),
                reason: reason.clone(),
            })
    }

    /// dlt's selector match list: every value the path matches, in document order. A plain
    /// selector matches at most one value.
    ///
    /// ```
    /// # use restclient_select::{Document, Query, Selector};
    /// let doc = Document::parse(bytes::Bytes::from(r#"{"data": [{"id": 1}, {"id": 2}]}"#), &Query::new([])).unwrap();
    /// let ids = doc.select(&Selector::parse("data[*].id").unwrap()).unwrap();
    /// assert_eq!(ids.iter().map(|r| r.as_bytes()).collect::<Vec<_>>(), [b"1", b"2"]);
    /// assert!(doc.select(&Selector::parse("nope").unwrap()).unwrap().is_empty());
    /// ```
    pub fn select(&self, selector: &Selector) -> Result<Vec<RawRecord>, SelectError> {
        match selector.compiled() {
            Compiled::Plain(_) => Ok(self
                .capture(selector)?
                .map(|c| vec![self.record(&c.at)])
                .unwrap_or_default()),
            Compiled::Full { compiled, .. } => {
                let tree = self.tree()?;
                eval_full(selector, compiled, tree)?
                    .into_iter()
                    .map(|v| {
                        serde_json::to_vec(v)
                            .map(|b| RawRecord::new(Bytes::from(b)))
                            .map_err(|e| SelectError::Evaluate {
                                path: selector.as_str().to_owned(),
                                reason: e.to_string(),
                            })
                    })
                    .collect()
            }
        }
    }

    /// The first match, if any.
    pub fn first(&self, selector: &Selector) -> Result<Option<RawRecord>, SelectError> {
        match selector.compiled() {
            Compiled::Plain(_) => Ok(self.capture(selector)?.map(|c| self.record(&c.at))),
            Compiled::Full { .. } => Ok(self.select(selector)?.into_iter().next()),
        }
    }

    /// The page's records, as dlt's `extract_response`: when the path has exactly one match, that
    /// value is unwrapped: `null` gives no records, an array gives its elements, anything else is one
    /// record. Zero matches give no records; several matches are the records.
    ///
    /// ```
    /// # use restclient_select::{Document, Query, Selector};
    /// let doc = |s: &str| Document::parse(bytes::Bytes::from(s.to_owned()), &Query::new([])).unwrap();
    /// let sel = |s: &str| Selector::parse(s).unwrap();
    /// let recs = |d: &Document, s: &str| -> Vec<String> {
    ///     d.records(&sel(s)).unwrap().iter().map(|r| String::from_utf8_lossy(r.as_bytes()).into_owned()).collect()
    /// };
    /// assert_eq!(recs(&doc(r#"{"d": [[1, 2]]}"#), "d"), ["[1, 2]"]);
    /// assert_eq!(recs(&doc(r#"{"d": {"x": 1}}"#), "d"), [r#"{"x": 1}"#]);
    /// assert_eq!(recs(&doc("42"), "$"), ["42"]);
    /// assert!(recs(&doc("null"), "$").is_empty());
    /// ```
    pub fn records(&self, selector: &Selector) -> Result<Vec<RawRecord>, SelectError> {
        if selector.is_plain() {
            let Some(cap) = self.capture(selector)? else {
                return Ok(Vec::new());
            };
            if let Some(elements) = &cap.elements {
                return Ok(elements
                    .iter()
                    .map(|r| RawRecord::new(self.body.slice(r.clone())))
                    .collect());
            }
            return unwrap_one(self.record(&cap.at));
        }
        let mut matches = self.select(selector)?;
        if matches.len() == 1
            && let Some(one) = matches.pop()
        {
            return unwrap_one(one);
        }
        Ok(matches)
    }
}

/// One match unwrapped as dlt does: null -> none, array -> elements, else itself.
fn unwrap_one(one: RawRecord) -> Result<Vec<RawRecord>, SelectError> {
    match one.kind() {
        JsonKind::Null => Ok(Vec::new()),
        JsonKind::Array => split_array(&one),
        _ => Ok(vec![one]),
    }
}

/// The elements of an array record, as zero-copy slices of it.
pub(crate) fn split_array(array: &RawRecord) -> Result<Vec<RawRecord>, SelectError> {
    let bytes = array.bytes();
    let elements: Vec<&RawValue> =
        serde_json::from_slice(bytes).map_err(|e| SelectError::malformed(bytes, &e))?;
    Ok(elements
        .into_iter()
        .map(|raw| RawRecord::new(sub(bytes, raw.get())))
        .collect())
}

/// `s` as a slice of `bytes` when it borrows from them (it always does here), else a copy.
fn sub(bytes: &Bytes, s: &str) -> Bytes {
    let range: Option<Range<usize>> = (s.as_ptr() as usize)
        .checked_sub(bytes.as_ptr() as usize)
        .map(|start| start..start + s.len())
        .filter(|r| r.end <= bytes.len());
    match range {
        Some(r) => bytes.slice(r),
        None => Bytes::copy_from_slice(s.as_bytes()),
    }
}

#[cfg(test)]
mod tests;
