//! Selecting values and records in a document: dlt's `extract_response` (§1.5), plain selection
//! semantics, zero-copy records, and bodies that must never panic.

use bytes::Bytes;
use proptest::prelude::*;
use serde_json::{Value, json};

use crate::test_support::{doc, doc_with, records, sel};
use crate::{Document, Query, SelectError, Selector};

#[test]
fn extract_response_table() {
    assert_eq!(records(r#"{"data": [1]}"#, "nope"), Vec::<Value>::new());
    assert_eq!(records(r#"{"data": [{"id": 1}]}"#, "data[*].id"), [json!(1)]);
    assert_eq!(
        records(r#"{"data": [{"id": 1}, {"id": 2}]}"#, "data[*].id"),
        [json!(1), json!(2)]
    );
    assert_eq!(records(r#"{"d": [[1, 2]]}"#, "d"), [json!([1, 2])]);
    assert_eq!(records("[1, 2]", "$"), [json!(1), json!(2)]);
    assert_eq!(records("42", "$"), [json!(42)]);
    assert_eq!(records("null", "$"), Vec::<Value>::new());
    assert_eq!(records("[]", "$"), Vec::<Value>::new());
    assert_eq!(records(r#"{"d": {"x": 1}}"#, "d"), [json!({"x": 1})]);
    assert_eq!(
        records(r#"{"users": null, "next_token": null}"#, "users"),
        Vec::<Value>::new()
    );
    assert_eq!(
        records(r#"{"many-results": [1, 2]}"#, "many-results"),
        [json!(1), json!(2)]
    );
    assert_eq!(records(r#"{"s": "x"}"#, "s"), [json!("x")]);
    assert_eq!(records(r#"{"a": [[], {}]}"#, "a[0]"), Vec::<Value>::new());
    assert_eq!(records(r#"{"a": [[], {}]}"#, "a[1]"), [json!({})]);
    // a full path with one match that is a list is unwrapped too
    assert_eq!(records(r#"{"a": {"b": [1, 2]}}"#, "$..b"), [json!(1), json!(2)]);
}

#[test]
fn plain_selection_semantics() {
    let body = r#"{"a": [{"b": 1}, {"b": 2}], "o": {"0": 5}, "n": null, "s": "str",
                  "@odata.nextLink": "https://x/y?$skip=2", "x y": {"z": true}}"#;
    let first = |p: &str| doc(body).first(&sel(p)).unwrap().map(|r| r.to_value().unwrap());
    assert_eq!(first("a[0].b"), Some(json!(1)));
    assert_eq!(first("a[-1].b"), Some(json!(2)));
    assert_eq!(first("a[-2].b"), Some(json!(1)));
    assert_eq!(first("a[-3]"), None); // Python: out of range, no match
    assert_eq!(first("a[2]"), None);
    assert_eq!(first("a.b"), None); // a key on a list matches nothing
    assert_eq!(first("o[0]"), None); // an index on an object matches nothing
    assert_eq!(first("o.0"), Some(json!(5)));
    assert_eq!(first("n.x"), None);
    assert_eq!(first("s.x"), None);
    assert_eq!(first("['@odata.nextLink']"), Some(json!("https://x/y?$skip=2")));
    assert_eq!(first("['x y'].z"), Some(json!(true)));
    assert_eq!(first("n"), Some(json!(null)));
}

#[test]
fn records_are_zero_copy_slices_of_the_body() {
    let s = sel("data");
    let body = Bytes::from_static(b"{ \"data\" : [ {\"a\": [1, {}]} ,\n \"x\" , 3 ] }");
    let d = Document::parse(body.clone(), &Query::new([&s])).unwrap();
    let recs = d.records(&s).unwrap();
    assert_eq!(recs.len(), 3);
    let range = body.as_ptr() as usize..body.as_ptr() as usize + body.len();
    for r in &recs {
        assert!(range.contains(&(r.as_bytes().as_ptr() as usize)));
    }
    assert_eq!(recs[0].as_bytes(), br#"{"a": [1, {}]}"#);
    assert_eq!(recs[1].as_bytes(), br#""x""#);
    let whole = d.first(&s).unwrap().unwrap();
    assert_eq!(whole.as_bytes(), b"[ {\"a\": [1, {}]} ,\n \"x\" , 3 ]");
    assert!(range.contains(&(whole.as_bytes().as_ptr() as usize)));
    assert_eq!(d.root().as_bytes(), &body[..]);
    // an object target is a slice too, found back over its first key
    let o = sel("o");
    let d = doc_with(r#"{"o": { "k\"\\" : {"z": 1}, "w": 2 } }"#, &[&o]);
    assert_eq!(
        d.first(&o).unwrap().unwrap().as_bytes(),
        br#"{ "k\"\\" : {"z": 1}, "w": 2 }"#
    );
}

#[test]
fn duplicate_keys_last_one_wins() {
    let body = r#"{"a": {"b": 1}, "a": {"c": 2}, "d": [1], "d": [2, 3]}"#;
    for (path, expected) in [("a.b", None), ("a.c", Some(json!(2))), ("d", Some(json!([2, 3])))] {
        let s = sel(path);
        let scanned = doc_with(body, &[&s, &sel("a")]).first(&s).unwrap();
        assert_eq!(scanned.map(|r| r.to_value().unwrap()), expected, "{path}");
    }
    assert_eq!(records(body, "d"), [json!(2), json!(3)]);
}

#[test]
fn undecodable_strings_pass_where_skipped_and_fail_clearly_where_read() {
    // A lone surrogate escape is valid JSON text that Python (dlt) decodes but serde_json cannot.
    // Records are bytes, so it passes through them untouched; a value the client must read as a
    // string (a next link, say) is a clear MalformedJson error naming the position.
    let body = r#"{"next": "x\ud83ay", "data": [{"s": "\ud83a"}]}"#;
    let data = sel("data");
    let d = doc_with(body, &[&data]);
    let recs = d.records(&data).unwrap();
    assert_eq!(recs[0].as_bytes(), br#"{"s": "\ud83a"}"#);
    let next = sel("next");
    let err = Document::parse(Bytes::from(body.to_owned()), &Query::new([&next])).unwrap_err();
    match err {
        SelectError::MalformedJson { offset, line, .. } => {
            assert_eq!((offset, line), (17, 1), "{err}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn python_s_non_standard_numbers_are_refused_naming_where() {
    // json.loads (dlt) reads NaN, Infinity and -Infinity; they are not JSON (RFC 8259), and a
    // record passed through with one would be refused by every JSON reader downstream. A
    // deviation: refused as malformed JSON at their position, wherever they are.
    for (body, column) in [
        (r#"{"data": [{"x": NaN}]}"#, 17),
        (r#"{"data": [1], "m": Infinity}"#, 20),
        (r#"{"data": [1], "m": -Infinity}"#, 21),
    ] {
        let err = Document::parse(Bytes::from(body), &Query::new([&sel("data")])).unwrap_err();
        match err {
            SelectError::MalformedJson {
                line: 1, column: c, ..
            } => assert_eq!(c, column, "{body}: {err}"),
            other => panic!("{body}: {other:?}"),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn document_parse_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..64)) {
        let s = sel("a.b");
        if let Ok(d) = Document::parse(Bytes::from(bytes), &Query::new([&s, &sel("a[-1]")])) {
            let _ = d.records(&s);
            let _ = d.detect_records();
        }
    }

    #[test]
    fn document_parse_never_panics_on_jsonish(text in "[\\[\\]{}\":,0-9a-z \\\\.eE+-]{0,48}") {
        let s = sel("a");
        if let Ok(d) = Document::parse(Bytes::from(text), &Query::new([&s, &Selector::root()])) {
            let _ = d.records(&s);
            let _ = d.records(&Selector::root());
            let _ = d.detect_records();
        }
    }
}
