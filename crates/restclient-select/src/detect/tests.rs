//! Record detection (dlt §3.1): the rules, exact key paths, and a value model it must match.

use bytes::Bytes;
use proptest::prelude::*;
use serde_json::{Value, json};

use crate::test_support::{doc, doc_with, json_strategy, sel, values};
use crate::{Document, Query, Selector};

fn detect(body: &str) -> (Selector, Vec<Value>) {
    let (s, recs) = doc(body).detect_records().unwrap();
    (s, values(&recs))
}

#[test]
fn detection_rules() {
    // not an object: the whole body
    assert_eq!(detect("[1, 2]"), (Selector::root(), vec![json!(1), json!(2)]));
    assert_eq!(detect("42"), (Selector::root(), vec![json!(42)]));
    assert_eq!(detect("null"), (Selector::root(), vec![]));
    // P27: no list, the whole object is one record
    assert_eq!(
        detect(r#"{"id": 1, "name": "x"}"#),
        (Selector::root(), vec![json!({"id": 1, "name": "x"})])
    );
    // P28: a record key beats an earlier list
    assert_eq!(
        detect(r#"{"meta": {"tags": ["x"]}, "records": [1, 2]}"#),
        (sel("records"), vec![json!(1), json!(2)])
    );
    // P29: otherwise the first list depth-first (not the least nested)
    assert_eq!(
        detect(r#"{"a": {"b": [1, 2]}, "c": [3]}"#),
        (sel("a.b"), vec![json!(1), json!(2)])
    );
    // P30: depth limit of 3 keys
    assert_eq!(
        detect(r#"{"a": {"b": {"c": {"d": [1]}}}}"#),
        (Selector::root(), vec![json!({"a": {"b": {"c": {"d": [1]}}}})])
    );
    assert_eq!(
        detect(r#"{"a": {"b": {"c": [7]}}}"#),
        (sel("a.b.c"), vec![json!(7)])
    );
    // P30: record keys are case-sensitive; a nested record key first wins over a later one
    assert_eq!(
        detect(r#"{"Data": [1], "other": [2]}"#),
        (sel("Data"), vec![json!(1)])
    );
    assert_eq!(
        detect(r#"{"other": [2], "data": [1]}"#),
        (sel("data"), vec![json!(1)])
    );
    assert_eq!(
        detect(r#"{"x": {"items": [5]}, "data": [1]}"#),
        (sel("x.items"), vec![json!(5)])
    );
    // P92: a null record key is not a list
    assert_eq!(
        detect(r#"{"items": null, "next": null}"#),
        (Selector::root(), vec![json!({"items": null, "next": null})])
    );
    // lists inside lists are not descended; an empty list still counts
    assert_eq!(
        detect(r#"{"x": [[{"data": [1]}]]}"#),
        (sel("x"), vec![json!([{"data": [1]}])])
    );
    assert_eq!(detect(r#"{"results": [], "n": 1}"#), (sel("results"), vec![]));
    // every record key qualifies
    for k in crate::RECORD_KEYS {
        let body = format!(r#"{{"a": [0], "{k}": [1]}}"#);
        assert_eq!(detect(&body), (Selector::from_keys([k]), vec![json!(1)]), "{k}");
    }
    // a second exclusion-style name is just another key
    assert_eq!(
        detect(r#"{"meta": [1], "links": [2]}"#),
        (sel("meta"), vec![json!(1)])
    );
}

#[test]
fn repeated_keys_keep_their_first_place_and_last_value_as_python() {
    // found by fuzzing: the list under a key that a later duplicate replaced was detected
    let body = r#"{"next": [{"id": 0}, {"id": 2}], "meta": {"total": 30}, "next": "https://h/p?page=3"}"#;
    let (s, recs) = detect(body);
    assert_eq!(s, Selector::root());
    assert_eq!(recs.len(), 1);
    // json.loads: {"a": [3], "b": [2]}, so `a` (a list again, in first place) is the first list
    assert_eq!(
        detect(r#"{"a": [1], "b": [2], "a": [3]}"#),
        (sel("a"), vec![json!(3)])
    );
    assert_eq!(
        detect(r#"{"a": [1], "b": [2], "a": 3}"#),
        (sel("b"), vec![json!(2)])
    );
    assert_eq!(
        detect(r#"{"x": {"items": [1]}, "data": [2], "x": {"other": [3]}}"#),
        (sel("data"), vec![json!(2)])
    );
    assert_eq!(
        detect(r#"{"x": {"rows": [1]}, "data": [2], "x": {"rows": [3]}}"#),
        (sel("x.rows"), vec![json!(3)])
    );
    // the detected path selects the same records on the same page
    for body in [
        r#"{"a": [1], "b": [2], "a": [3]}"#,
        r#"{"next": [1], "next": "x", "data": {"d": [4]}, "data": {"d": [5, 6]}}"#,
    ] {
        let (s, recs) = detect(body);
        assert_eq!(values(&doc(body).records(&s).unwrap()), recs, "{body}");
    }
}

#[test]
fn strings_serde_json_cannot_decode_do_not_stop_detection() {
    // found by fuzzing: a lone surrogate escape (Python reads it) in a string detection skips made
    // detection fail while `Document::parse` had accepted the body
    let body = r#"{"meta": {"title": "x\ud83ay", "n": 1}, "data": [{"s": "\ud83a"}, 2], "k": "\udc00"}"#;
    let (s, recs) = doc(body).detect_records().unwrap();
    assert_eq!(s, sel("data"));
    assert_eq!(recs.len(), 2);
    assert_eq!(recs[0].as_bytes(), br#"{"s": "\ud83a"}"#);
    assert_eq!(values(&recs[1..]), [json!(2)]);
}

#[test]
fn an_undecodable_key_on_the_detection_walk_is_a_clear_error() {
    // found by fuzzing; a known limit: detection decodes the keys it walks, and serde_json cannot
    // decode a lone surrogate (Python can). The body parses; detecting in it fails naming where.
    let body = r#"{"data": [1], "meta": {"t\ud83d\ud0e0x": true}}"#;
    let err = doc(body).detect_records().unwrap_err();
    assert!(
        matches!(err, crate::SelectError::MalformedJson { line: 1, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("surrogate"), "{err}");
}

#[test]
fn detection_keeps_exact_key_paths() {
    // row 3: dlt's unescaped "a.b" / "x y" break; ours are exact
    let (s, recs) = detect(r#"{"odd.key": {"x y": [1, 2]}}"#);
    assert_eq!(s, Selector::from_keys(["odd.key", "x y"]));
    assert_eq!(recs, [json!(1), json!(2)]);
    assert_eq!(s.as_str(), "['odd.key']['x y']");
    // the detected selector selects the same records on the next page, through the scan
    let page2 = r#"{"odd.key": {"x y": [3]}}"#;
    assert_eq!(values(&doc_with(page2, &[&s]).records(&s).unwrap()), [json!(3)]);
    let reparsed = sel(s.as_str());
    assert_eq!(values(&doc(page2).records(&reparsed).unwrap()), [json!(3)]);
}

#[test]
fn detected_selector_is_kept_for_later_pages_p92() {
    let (s, first) = detect(r#"{"data": [1], "next": "/p2"}"#);
    assert_eq!(first, [json!(1)]);
    assert_eq!(
        values(&doc(r#"{"results": [2]}"#).records(&s).unwrap()),
        Vec::<Value>::new()
    );
}

#[test]
fn detection_table_scenario_70() {
    let table = [
        (
            r#"{"data": [1], "pagination": {"offset": 0, "limit": 1, "total": 9}}"#,
            "data",
        ),
        (r#"{"items": [1], "page_info": {"total_pages": 3}}"#, "items"),
        (r#"{"products": [1], "next_cursor": "c"}"#, "products"),
        (
            r#"{"results": [1], "cursors": {"next": "n", "previous": null}}"#,
            "results",
        ),
        (r#"{"entries": [1], "next_id": 33}"#, "entries"),
        (
            r#"{"count": 9, "next": "https://x/p2", "previous": null, "results": [1]}"#,
            "results",
        ),
        (
            r#"{"_embedded": {"items": [1]}, "_links": {"self": {"href": "/p1"}, "next": {"href": "/p2"}}, "page": {"totalPages": 3}}"#,
            "_embedded.items",
        ),
        (
            r#"{"items": [1], "meta": {"totalPages": 3}, "links": {"firstPage": "/p1", "nextPage": "/p2"}}"#,
            "items",
        ),
        (
            r#"{"data": [1], "pagination": {"currentPage": 1, "pageSize": 1, "totalPages": 3}}"#,
            "data",
        ),
        (
            r#"{"page": 1, "per_page": 1, "total": 9, "pages": 10, "data": [1]}"#,
            "data",
        ),
        (r#"{"articles": [1], "paging": {"total": 9}}"#, "articles"),
        (
            r#"{"feed": [1], "offset": 0, "limit": 1, "total_count": 9}"#,
            "feed",
        ),
        ("[1]", "$"),
    ];
    for (body, path) in table {
        let (s, recs) = detect(body);
        assert_eq!(s, sel(path), "{body}");
        assert_eq!(recs, [json!(1)], "{body}");
    }
    let (s, recs) = detect(r#"{"id": 1}"#);
    assert_eq!((s, recs), (Selector::root(), vec![json!({"id": 1})]));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn detection_matches_a_value_model(value in json_strategy()) {
        let body = Bytes::from(serde_json::to_vec(&value).unwrap());
        let d = Document::parse(body, &Query::new([])).unwrap();
        let (s, recs) = d.detect_records().unwrap();
        // the detected path, applied to the same page, gives the same records
        prop_assert_eq!(values(&d.records(&s).unwrap()), values(&recs));
        if let Value::Object(_) = value {
            let mut found: Vec<(Vec<String>, bool)> = Vec::new();
            model_lists(&value, &mut Vec::new(), &mut found);
            let pick = found.iter().find(|(_, rec)| *rec).or(found.first());
            match pick {
                Some((keys, _)) => prop_assert_eq!(s, Selector::from_keys(keys.clone())),
                None => prop_assert_eq!(s, Selector::root()),
            }
        } else {
            prop_assert_eq!(s, Selector::root());
        }
    }
}

fn model_lists(v: &Value, path: &mut Vec<String>, out: &mut Vec<(Vec<String>, bool)>) {
    if let Value::Object(m) = v {
        for (k, child) in m {
            path.push(k.clone());
            match child {
                Value::Array(_) => {
                    out.push((path.clone(), crate::RECORD_KEYS.contains(&k.as_str())));
                }
                Value::Object(_) if path.len() < 3 => model_lists(child, path, out),
                _ => {}
            }
            path.pop();
        }
    }
}
