//! The one-pass scan: a serde `DeserializeSeed` that descends only along the query trie, skips
//! everything else with `IgnoredAny`, and records where each selector's target sits in the body.

use std::collections::HashMap;
use std::fmt;
use std::ops::Range;

use bytes::Bytes;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use crate::query::Node;

/// Where a selector's target is.
#[derive(Debug, Clone)]
pub(crate) enum Where {
    /// A slice of the body.
    Span(Range<usize>),
    /// The same JSON value, re-encoded (integers, escaped strings, literals).
    Owned(Bytes),
    /// The scan could not tell; resolved by a raw re-scan.
    Unknown,
}

/// One selector's match.
#[derive(Debug, Clone)]
pub(crate) struct Capture {
    pub(crate) at: Where,
    /// For an array target: its elements, gathered in the same pass.
    pub(crate) elements: Option<Vec<Range<usize>>>,
}

pub(crate) struct Scan<'q, 'b> {
    pub(crate) nodes: &'q [Node],
    pub(crate) body: &'b [u8],
    pub(crate) caps: Vec<Option<Capture>>,
    /// Capture every target as a raw span (exact bytes, no element gathering).
    pub(crate) raw_terminals: bool,
}

/// Byte offset of a sub-slice of the body. `s` always borrows from the body the scan reads.
fn offset(body: &[u8], s: &str) -> Option<Range<usize>> {
    let start = (s.as_ptr() as usize).checked_sub(body.as_ptr() as usize)?;
    let end = start.checked_add(s.len())?;
    (end <= body.len()).then_some(start..end)
}

fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// Position of the last non-whitespace byte before `pos`.
fn back_ws(body: &[u8], pos: usize) -> Option<usize> {
    body.get(..pos)?.iter().rposition(|b| !is_ws(*b))
}

/// Position of the first non-whitespace byte at or after `pos`.
fn fwd_ws(body: &[u8], pos: usize) -> Option<usize> {
    body.get(pos..)?.iter().position(|b| !is_ws(*b)).map(|p| p + pos)
}

/// Span of an array from its first and last elements (the body is valid JSON around them).
fn array_span(body: &[u8], first: &Range<usize>, last: &Range<usize>) -> Option<Range<usize>> {
    let open = back_ws(body, first.start)?;
    let close = fwd_ws(body, last.end)?;
    (body[open] == b'[' && body[close] == b']').then_some(open..close + 1)
}

/// Span of an object from its first and last member values: back over `"key" :`.
fn object_span(body: &[u8], first: &Range<usize>, last: &Range<usize>) -> Option<Range<usize>> {
    let colon = back_ws(body, first.start)?;
    if body[colon] != b':' {
        return None;
    }
    let close_quote = back_ws(body, colon)?;
    if body[close_quote] != b'"' {
        return None;
    }
    // the opening quote is the first '"' before it preceded by an even run of backslashes
    let mut i = close_quote;
    let open_quote = loop {
        i = body.get(..i)?.iter().rposition(|b| *b == b'"')?;
        let slashes = body[..i].iter().rev().take_while(|b| **b == b'\\').count();
        if slashes % 2 == 0 {
            break i;
        }
    };
    let open = back_ws(body, open_quote)?;
    let close = fwd_ws(body, last.end)?;
    (body[open] == b'{' && body[close] == b'}').then_some(open..close + 1)
}

impl Scan<'_, '_> {
    fn set(&mut self, node: usize, cap: Capture) {
        for slot in &self.nodes[node].terminal {
            if let Some(c) = self.caps.get_mut(*slot) {
                *c = Some(cap.clone());
            }
        }
    }

    fn clear(&mut self, node: usize) {
        for slot in &self.nodes[node].subtree {
            if let Some(c) = self.caps.get_mut(*slot) {
                *c = None;
            }
        }
    }
}

/// Scans the value at `node`.
pub(crate) struct NodeSeed<'s, 'q, 'b> {
    pub(crate) scan: &'s mut Scan<'q, 'b>,
    pub(crate) node: usize,
}

impl<'de, 's, 'q, 'b> DeserializeSeed<'de> for NodeSeed<'s, 'q, 'b>
where
    'de: 'b,
{
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        let node = &self.scan.nodes[self.node];
        if !node.terminal.is_empty() {
            if node.has_children() || self.scan.raw_terminals {
                let raw: &'de RawValue = serde::Deserialize::deserialize(d)?;
                let at = offset(self.scan.body, raw.get()).map_or(Where::Unknown, Where::Span);
                self.scan.set(self.node, Capture { at, elements: None });
                if node.has_children() {
                    let mut de = serde_json::Deserializer::from_str(raw.get());
                    ChildrenSeed {
                        scan: self.scan,
                        node: self.node,
                    }
                    .deserialize(&mut de)
                    .map_err(de::Error::custom)?;
                }
                return Ok(());
            }
            let cap = d.deserialize_any(TerminalVisitor { body: self.scan.body })?;
            self.scan.set(self.node, cap);
            return Ok(());
        }
        d.deserialize_any(NodeVisitor {
            scan: self.scan,
            node: self.node,
        })
    }
}

/// Descends into the children of `node` only (its own capture is done).
struct ChildrenSeed<'s, 'q, 'b> {
    scan: &'s mut Scan<'q, 'b>,
    node: usize,
}

impl<'de, 's, 'q, 'b> DeserializeSeed<'de> for ChildrenSeed<'s, 'q, 'b>
where
    'de: 'b,
{
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(NodeVisitor {
            scan: self.scan,
            node: self.node,
        })
    }
}

struct NodeVisitor<'s, 'q, 'b> {
    scan: &'s mut Scan<'q, 'b>,
    node: usize,
}

macro_rules! ignore_scalars {
    () => {
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok(())
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Ok(())
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Ok(())
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok(())
        }
        fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
            Ok(())
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(())
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(())
        }
    };
}

impl<'de, 's, 'q, 'b> Visitor<'de> for NodeVisitor<'s, 'q, 'b>
where
    'de: 'b,
{
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    ignore_scalars!();

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let nodes = self.scan.nodes;
        let node = &nodes[self.node];
        if node.keys.is_empty() {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            return Ok(());
        }
        while let Some(found) = map.next_key_seed(KeySeed { node })? {
            match found {
                Some(child) => {
                    // a repeated key replaces the earlier value, as in Python and serde_json
                    self.scan.clear(child);
                    map.next_value_seed(NodeSeed {
                        scan: &mut *self.scan,
                        node: child,
                    })?;
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let nodes = self.scan.nodes;
        let node = &nodes[self.node];
        if node.indices.is_empty() {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            return Ok(());
        }
        if node.has_negative {
            let mut all: Vec<&'de RawValue> = Vec::new();
            while let Some(raw) = seq.next_element::<&'de RawValue>()? {
                all.push(raw);
            }
            let len = i64::try_from(all.len()).unwrap_or(i64::MAX);
            for (index, child) in &node.indices {
                let pos = if *index < 0 { len + index } else { *index };
                let Some(raw) = usize::try_from(pos).ok().and_then(|p| all.get(p)) else {
                    continue;
                };
                let mut de = serde_json::Deserializer::from_str(raw.get());
                NodeSeed {
                    scan: &mut *self.scan,
                    node: *child,
                }
                .deserialize(&mut de)
                .map_err(de::Error::custom)?;
            }
            return Ok(());
        }
        let mut i: i64 = 0;
        loop {
            let child = node.indices.iter().find(|(idx, _)| *idx == i).map(|(_, c)| *c);
            let more = match child {
                Some(child) => seq
                    .next_element_seed(NodeSeed {
                        scan: &mut *self.scan,
                        node: child,
                    })?
                    .is_some(),
                None => seq.next_element::<IgnoredAny>()?.is_some(),
            };
            if !more {
                return Ok(());
            }
            i = i.saturating_add(1);
        }
    }
}

/// Reads an object key and says which child of `node` it leads to, without allocating.
struct KeySeed<'n> {
    node: &'n Node,
}

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = Option<usize>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<usize>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed<'_> {
    type Value = Option<usize>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Option<usize>, E> {
        Ok(self.node.keys.iter().find(|(k, _)| k == v).map(|(_, c)| *c))
    }
}

/// Captures a selector's target; an array's elements are gathered in the same pass.
struct TerminalVisitor<'b> {
    body: &'b [u8],
}

fn owned(bytes: &'static [u8]) -> Capture {
    Capture {
        at: Where::Owned(Bytes::from_static(bytes)),
        elements: None,
    }
}

fn encoded(v: Vec<u8>) -> Capture {
    Capture {
        at: Where::Owned(Bytes::from(v)),
        elements: None,
    }
}

impl<'de, 'b> Visitor<'de> for TerminalVisitor<'b>
where
    'de: 'b,
{
    type Value = Capture;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Capture, E> {
        Ok(owned(if v { b"true" } else { b"false" }))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Capture, E> {
        Ok(owned(b"null"))
    }
    fn visit_none<E: de::Error>(self) -> Result<Capture, E> {
        Ok(owned(b"null"))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Capture, E> {
        Ok(encoded(v.to_string().into_bytes()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Capture, E> {
        Ok(encoded(v.to_string().into_bytes()))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Capture, E> {
        // serde_json's float parsing is not exact (`3.1480429087024777e-285` reads back as
        // `…773e-285`), `-0` is a float, and an integer beyond u64 arrives here too: re-encoding
        // would change the number, so the raw re-scan slices it from the body instead.
        Ok(Capture {
            at: Where::Unknown,
            elements: None,
        })
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Capture, E> {
        let at = offset(self.body, v)
            .and_then(|r| {
                let span = r.start.checked_sub(1)?..r.end + 1;
                (self.body.get(span.start) == Some(&b'"') && self.body.get(r.end) == Some(&b'"'))
                    .then_some(span)
            })
            .map_or(Where::Unknown, Where::Span);
        Ok(Capture { at, elements: None })
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Capture, E> {
        Ok(encoded(serde_json::to_vec(v).map_err(E::custom)?))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Capture, A::Error> {
        let mut elements = Vec::new();
        let mut unknown = false;
        while let Some(raw) = seq.next_element::<&'de RawValue>()? {
            match offset(self.body, raw.get()) {
                Some(r) => elements.push(r),
                None => unknown = true,
            }
        }
        if unknown {
            return Ok(Capture {
                at: Where::Unknown,
                elements: None,
            });
        }
        let at = match (elements.first(), elements.last()) {
            (Some(first), Some(last)) => {
                array_span(self.body, first, last).map_or(Where::Unknown, Where::Span)
            }
            // an empty array has no element to find its brackets by: the raw re-scan slices it
            _ => Where::Unknown,
        };
        Ok(Capture {
            at,
            elements: Some(elements),
        })
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Capture, A::Error> {
        let mut first: Option<Range<usize>> = None;
        let mut last: Option<Range<usize>> = None;
        let mut unknown = false;
        while map.next_key::<IgnoredAny>()?.is_some() {
            let raw: &'de RawValue = map.next_value()?;
            match offset(self.body, raw.get()) {
                Some(r) => {
                    if first.is_none() {
                        first = Some(r.clone());
                    }
                    last = Some(r);
                }
                None => unknown = true,
            }
        }
        let at = match (first, last) {
            _ if unknown => Where::Unknown,
            (Some(first), Some(last)) => {
                object_span(self.body, &first, &last).map_or(Where::Unknown, Where::Span)
            }
            _ => Where::Unknown,
        };
        Ok(Capture { at, elements: None })
    }
}

/// Record detection (dlt's `find_response_page_data`): every list under at most 3 keys, depth-first
/// in key order, descending into objects only.
pub(crate) struct Candidate {
    pub(crate) keys: Vec<String>,
    pub(crate) elements: Vec<Range<usize>>,
}

pub(crate) struct DetectSeed<'c, 'b> {
    pub(crate) body: &'b [u8],
    pub(crate) path: Vec<String>,
    pub(crate) out: &'c mut Vec<Candidate>,
}

/// Maximum number of keys above a detected list.
pub(crate) const DETECT_DEPTH: usize = 3;

impl<'de, 'b> DeserializeSeed<'de> for DetectSeed<'_, 'b>
where
    'de: 'b,
{
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, 'b> Visitor<'de> for DetectSeed<'_, 'b>
where
    'de: 'b,
{
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    ignore_scalars!();

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        if self.path.is_empty() {
            // a top-level list is handled by the caller; just skip it
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            return Ok(());
        }
        let mut elements = Vec::new();
        while let Some(raw) = seq.next_element::<&'de RawValue>()? {
            if let Some(r) = offset(self.body, raw.get()) {
                elements.push(r);
            }
        }
        self.out.push(Candidate {
            keys: self.path,
            elements,
        });
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        if self.path.len() >= DETECT_DEPTH {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            return Ok(());
        }
        // A repeated key keeps its first place and takes its last value, as a Python dict (and
        // serde_json's preserve_order map) does: gather each key's lists apart, then in order.
        let mut per_key: Vec<Vec<Candidate>> = Vec::new();
        let mut place: HashMap<String, usize> = HashMap::new();
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            let mut found = Vec::new();
            let mut path = self.path.clone();
            path.push(key.to_string());
            // Only lists and objects matter. Taken raw first, scalars are skipped without being
            // decoded, so a string serde_json cannot decode (a lone surrogate `\ud83a`, which
            // Python reads) fails detection no more than it fails `Document::parse`.
            let raw: &'de RawValue = map.next_value()?;
            if matches!(raw.get().as_bytes().first(), Some(b'[' | b'{')) {
                let mut de = serde_json::Deserializer::from_str(raw.get());
                DetectSeed {
                    body: self.body,
                    path,
                    out: &mut found,
                }
                .deserialize(&mut de)
                .map_err(de::Error::custom)?;
            }
            match place.get(key.as_ref()) {
                Some(&i) => per_key[i] = found,
                None => {
                    place.insert(key.into_owned(), per_key.len());
                    per_key.push(found);
                }
            }
        }
        self.out.extend(per_key.into_iter().flatten());
        Ok(())
    }
}

#[cfg(test)]
mod tests;
