//! The lazy `Document` scan and record detection over any bytes, then paginator detection and the
//! more-pages warning over the same body when it is JSON.
#![no_main]

use bytes::Bytes;
use http::HeaderMap;
use libfuzzer_sys::fuzz_target;
use restclient_paginate::detect::more_pages;
use restclient_paginate::detect_paginator;
use restclient_select::{Document, Query, RECORD_KEYS, Selector};
use serde_json::Value;

/// dlt's record detection (spec §3.1) over a `Value`: every list under at most 3 keys,
/// depth-first through objects; the first with a record key, else the first.
fn model(value: &Value, path: &mut Vec<String>, out: &mut Vec<(Vec<String>, bool)>) {
    if let Value::Object(map) = value {
        for (key, child) in map {
            path.push(key.clone());
            match child {
                Value::Array(_) => out.push((path.clone(), RECORD_KEYS.contains(&key.as_str()))),
                Value::Object(_) if path.len() < 3 => model(child, path, out),
                _ => {}
            }
            path.pop();
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let selectors: Vec<Selector> = ["data", "a.b", "a[-1]", "$['@odata.nextLink']", "items[0].id", "$"]
        .iter()
        .filter_map(|p| Selector::parse(p).ok())
        .collect();
    let body = Bytes::copy_from_slice(data);
    let scanned = Document::parse(body.clone(), &Query::new(&selectors));
    let tree = serde_json::from_slice::<Value>(data);
    // The scan accepts whatever serde_json decodes, and only valid JSON text in UTF-8. (It may
    // accept more: strings it skips are not decoded, so a lone surrogate escape, which Python
    // reads and serde_json cannot, passes where no selector reads it.)
    if tree.is_ok() {
        assert!(
            scanned.is_ok(),
            "serde_json decodes it, the scan says {:?}",
            scanned.as_ref().err()
        );
    }
    if scanned.is_ok() {
        assert!(
            std::str::from_utf8(data).is_ok(),
            "accepted text that is not UTF-8"
        );
        let text = serde_json::from_slice::<Box<serde_json::value::RawValue>>(data);
        assert!(text.is_ok(), "accepted text that is not JSON: {text:?}");
    }
    let Ok(doc) = scanned else {
        return;
    };
    let lazy = Document::parse(body, &Query::new([])).expect("valid once, valid twice");
    for s in &selectors {
        let a = doc
            .records(s)
            .map(|r| r.iter().map(|r| r.as_bytes().to_vec()).collect::<Vec<_>>());
        let b = lazy
            .records(s)
            .map(|r| r.iter().map(|r| r.as_bytes().to_vec()).collect::<Vec<_>>());
        // The same records; an escaped string selected directly is re-encoded by one path and
        // sliced by the other (documented: the same value, maybe spelled differently).
        if let (Ok(a), Ok(b)) = (&a, &b)
            && a != b
        {
            assert_eq!(a.len(), b.len(), "{s}");
            for (x, y) in a.iter().zip(b) {
                if let (Ok(vx), Ok(vy)) = (
                    serde_json::from_slice::<Value>(x),
                    serde_json::from_slice::<Value>(y),
                ) {
                    assert_eq!(vx, vy, "{s}");
                }
            }
        }
        // (one may fail where the other did not: a string serde_json cannot decode, read
        // directly by one path, skipped raw by the other; that is a clear error, checked below)
        for err in [a.err(), b.err()].into_iter().flatten() {
            assert!(err.to_string().starts_with("malformed JSON at byte"), "{err}");
        }
        let _ = doc.first(s);
    }
    // Known limit: detection decodes the object keys on its walk, so a key serde_json cannot
    // decode (a lone surrogate escape) is a clear error there, not a panic.
    let (selector, records) = match doc.detect_records() {
        Ok(found) => found,
        Err(e) => {
            let shown = e.to_string();
            assert!(shown.contains("surrogate") || shown.contains("hex escape"), "{e}");
            return;
        }
    };
    // the detected path gives the same records on the same page
    let again: Vec<Vec<u8>> = doc
        .records(&selector)
        .expect("selects")
        .iter()
        .map(|r| r.as_bytes().to_vec())
        .collect();
    let detected: Vec<Vec<u8>> = records.iter().map(|r| r.as_bytes().to_vec()).collect();
    assert_eq!(again, detected, "{selector}");
    let Ok(value) = tree else {
        return;
    };
    if value.is_object() {
        let mut found = Vec::new();
        model(&value, &mut Vec::new(), &mut found);
        let pick = found.iter().find(|(_, rec)| *rec).or(found.first());
        let expected = pick.map_or_else(Selector::root, |(keys, _)| Selector::from_keys(keys.clone()));
        assert_eq!(selector, expected);
    } else {
        assert_eq!(selector, Selector::root());
    }
    let (_, detection) = detect_paginator(&HeaderMap::new(), &value);
    if detection.paginator != "single_page" {
        assert_eq!(detection.warning, None);
    }
    let _ = more_pages::warning(&value, Some(records.len()));
});
