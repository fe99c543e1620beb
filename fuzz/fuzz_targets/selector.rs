//! Selector compilation and selection: any path text over any JSON (valid, compact or pretty).
//! The one-pass scan and the lazy walk must agree, and a compiled path must read back the same.
#![no_main]

use bytes::Bytes;
use libfuzzer_sys::fuzz_target;
use restclient_fuzz::{Json, Text};
use restclient_select::{Document, Query, RawRecord, SelectError, Selector};

fn bytes(found: Result<Vec<RawRecord>, SelectError>) -> Result<Vec<Vec<u8>>, String> {
    found
        .map(|records| records.iter().map(|r| r.as_bytes().to_vec()).collect())
        .map_err(|e| e.to_string())
}

fuzz_target!(|input: (Text, Json, Option<Text>, bool)| {
    let (path, body, other, pretty) = input;
    let path = path.to_string_value();
    let Ok(selector) = Selector::parse(&path) else {
        return;
    };
    let reparsed = Selector::parse(selector.as_str()).expect("a compiled path parses again");
    assert_eq!(reparsed, selector);
    assert_eq!(reparsed.is_plain(), selector.is_plain());

    let value = body.to_value();
    let text = if pretty {
        serde_json::to_vec_pretty(&value)
    } else {
        serde_json::to_vec(&value)
    };
    let body = Bytes::from(text.expect("a Value serializes"));
    let mut selectors = vec![selector.clone()];
    if let Some(other) = other.and_then(|o| Selector::parse(&o.to_string_value()).ok()) {
        selectors.push(other);
    }
    let scanned = Document::parse(body.clone(), &Query::new(&selectors)).expect("valid JSON");
    let lazy = Document::parse(body, &Query::new([])).expect("valid JSON");
    for s in &selectors {
        assert_eq!(bytes(scanned.select(s)), bytes(lazy.select(s)), "select {s}");
        assert_eq!(bytes(scanned.records(s)), bytes(lazy.records(s)), "records {s}");
        let first = |d: &Document| {
            d.first(s)
                .map(|r| r.map(|r| r.as_bytes().to_vec()))
                .map_err(|e| e.to_string())
        };
        assert_eq!(first(&scanned), first(&lazy), "first {s}");
        // every record is one JSON value
        if let Ok(records) = scanned.records(s) {
            for r in records {
                r.to_value().expect("a record is valid JSON");
            }
        }
    }
});
