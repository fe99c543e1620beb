//! One complete JSON value, kept as bytes until someone asks for more.

use std::borrow::Cow;

use bytes::Bytes;

use crate::SelectError;

/// The JSON type of a [`RawRecord`], read from its first byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JsonKind {
    /// `null`
    Null,
    /// `true` or `false`
    Bool,
    /// a number
    Number,
    /// a string
    String,
    /// an array
    Array,
    /// an object
    Object,
}

/// One complete JSON value as bytes: normally a zero-copy slice of the response body
/// ([`Bytes::slice_ref`]), parsed only on demand.
///
/// Records of a plain selector are always slices of the body. A number or an escaped string
/// selected directly (a total, a cursor) may be re-encoded, and full JSONPath matches are
/// re-serialised from a `Value` tree; either way the bytes hold the same JSON value.
///
/// ```
/// use bytes::Bytes;
/// use restclient_select::{Document, JsonKind, Query, Selector};
///
/// let sel = Selector::parse("data").unwrap();
/// let doc = Document::parse(Bytes::from(r#"{"data": [{"id": 1}, "x", 0]}"#), &Query::new([&sel])).unwrap();
/// let recs = doc.records(&sel).unwrap();
/// assert_eq!(recs[0].as_bytes(), br#"{"id": 1}"#);
/// assert_eq!(recs[0].kind(), JsonKind::Object);
/// assert_eq!(recs[1].as_str().as_deref(), Some("x"));
/// assert!(!recs[2].is_truthy());
/// #[derive(serde::Deserialize)]
/// struct Item { id: u32 }
/// assert_eq!(recs[0].deserialize::<Item>().unwrap().id, 1);
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct RawRecord {
    bytes: Bytes,
}

impl std::fmt::Debug for RawRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("RawRecord")
            .field(&String::from_utf8_lossy(&self.bytes))
            .finish()
    }
}

impl RawRecord {
    /// Wraps bytes that hold exactly one JSON value (no surrounding whitespace).
    pub(crate) fn new(bytes: Bytes) -> RawRecord {
        RawRecord { bytes }
    }

    /// A record holding `value`, written compactly. serde_json's output is one valid JSON value,
    /// so it is not scanned again (as [`Document::parse`](crate::Document::parse) would).
    ///
    /// ```
    /// let record = restclient_select::RawRecord::from_value(&serde_json::json!({"id": 1, "p": "x"}));
    /// assert_eq!(record.as_bytes(), br#"{"id":1,"p":"x"}"#);
    /// ```
    pub fn from_value(value: &serde_json::Value) -> RawRecord {
        // writing a Value into a Vec cannot fail (its keys are strings, its numbers finite)
        RawRecord::new(Bytes::from(value.to_string()))
    }

    /// The JSON text of the value.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The underlying `Bytes` (a slice of the body, shared, not copied).
    pub fn bytes(&self) -> &Bytes {
        &self.bytes
    }

    /// Gives up the record for its bytes.
    pub fn into_bytes(self) -> Bytes {
        self.bytes
    }

    /// Parses the record into a `serde_json::Value` tree (allocates; avoid on hot paths).
    ///
    /// ```
    /// # use restclient_select::{Document, Query, Selector};
    /// let doc = Document::parse(bytes::Bytes::from(r#"{"a": {"b": 2}}"#), &Query::new([])).unwrap();
    /// assert_eq!(doc.root().to_value().unwrap(), serde_json::json!({"a": {"b": 2}}));
    /// ```
    pub fn to_value(&self) -> Result<serde_json::Value, SelectError> {
        self.deserialize()
    }

    /// Deserialises the record straight from its bytes, with no `Value` in between.
    pub fn deserialize<T: serde::de::DeserializeOwned>(&self) -> Result<T, SelectError> {
        serde_json::from_slice(&self.bytes).map_err(SelectError::Deserialize)
    }

    /// The JSON type, from the first byte.
    pub fn kind(&self) -> JsonKind {
        match self.bytes.first() {
            Some(b'n') => JsonKind::Null,
            Some(b't' | b'f') => JsonKind::Bool,
            Some(b'"') => JsonKind::String,
            Some(b'[') => JsonKind::Array,
            Some(b'{') => JsonKind::Object,
            // a record always holds one value, and only numbers start otherwise
            _ => JsonKind::Number,
        }
    }

    /// True for `null`.
    pub fn is_null(&self) -> bool {
        self.kind() == JsonKind::Null
    }

    /// Python truthiness, as dlt tests values: `null`, `false`, `0`, `0.0`, `""`, `[]` and `{}` are
    /// falsy, everything else is truthy.
    ///
    /// ```
    /// # use restclient_select::{Document, Query};
    /// for (json, truthy) in [("0", false), ("-0.0", false), ("[ ]", false), ("\"\"", false), ("\"0\"", true), ("1e-9", true)] {
    ///     let doc = Document::parse(bytes::Bytes::from(json), &Query::new([])).unwrap();
    ///     assert_eq!(doc.root().is_truthy(), truthy, "{json}");
    /// }
    /// ```
    pub fn is_truthy(&self) -> bool {
        match self.kind() {
            JsonKind::Null => false,
            JsonKind::Bool => self.bytes.first() == Some(&b't'),
            JsonKind::Number => std::str::from_utf8(&self.bytes)
                .ok()
                .and_then(|s| s.parse::<f64>().ok())
                .is_none_or(|n| n != 0.0),
            JsonKind::String => self.bytes.len() > 2,
            JsonKind::Array | JsonKind::Object => self
                .bytes
                .iter()
                .skip(1)
                .any(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b']' | b'}')),
        }
    }

    /// The string, unescaped, if the record is a JSON string. Borrowed when it has no escapes.
    pub fn as_str(&self) -> Option<Cow<'_, str>> {
        if self.kind() != JsonKind::String {
            return None;
        }
        let inner = self.bytes.get(1..self.bytes.len().saturating_sub(1))?;
        if !inner.contains(&b'\\') {
            return std::str::from_utf8(inner).ok().map(Cow::Borrowed);
        }
        serde_json::from_slice::<String>(&self.bytes).ok().map(Cow::Owned)
    }
}

#[cfg(test)]
mod tests;
