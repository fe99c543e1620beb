//! The one-pass scan: many selectors gathered at once, and agreement with a lazy walk, with
//! jsonpath_lib and with dlt's (Python) semantics of plain paths.

use bytes::Bytes;
use proptest::prelude::*;
use serde_json::{Value, json};

use crate::selector::Step;
use crate::test_support::{doc, doc_with, json_strategy, key_strategy, sel, values};
use crate::{Document, JsonKind, Query, Selector};

#[test]
fn scan_gathers_many_selectors_in_one_pass() {
    let body = r#"{"data": [{"id": 1}, {"id": 2}, {"id": 3}],
                  "meta": {"total": 30, "has_more": true, "cursor": "c\/3"},
                  "next": "https:\/\/api\/p?page=2", "pi": 1.50, "neg": -7, "f": false}"#;
    let all: Vec<Selector> = [
        "data",
        "data[0].id",
        "data[-1].id",
        "meta.total",
        "meta.has_more",
        "meta.cursor",
        "next",
        "pi",
        "neg",
        "f",
        "missing.deep",
        "$",
    ]
    .iter()
    .map(|p| sel(p))
    .collect();
    let scanned = doc_with(body, &all.iter().collect::<Vec<_>>());
    let lazy = doc(body);
    for s in &all {
        assert_eq!(
            values(&scanned.select(s).unwrap()),
            values(&lazy.select(s).unwrap()),
            "{s}"
        );
        assert_eq!(
            values(&scanned.records(s).unwrap()),
            values(&lazy.records(s).unwrap()),
            "{s}"
        );
    }
    let v = |p: &str| scanned.first(&sel(p)).unwrap().unwrap();
    assert_eq!(v("data").kind(), JsonKind::Array);
    assert_eq!(v("data[-1].id").as_bytes(), b"3");
    assert_eq!(v("meta.total").deserialize::<u64>().unwrap(), 30);
    assert!(v("meta.has_more").is_truthy());
    assert_eq!(v("meta.cursor").as_str().as_deref(), Some("c/3"));
    assert_eq!(v("next").as_str().as_deref(), Some("https://api/p?page=2"));
    assert_eq!(v("pi").to_value().unwrap(), json!(1.5));
    assert_eq!(v("neg").to_value().unwrap(), json!(-7));
    assert!(!v("f").is_truthy());
    assert_eq!(scanned.records(&sel("data")).unwrap().len(), 3);
    assert!(scanned.first(&sel("missing.deep")).unwrap().is_none());
}

#[test]
fn numbers_selected_directly_keep_their_exact_text() {
    // found by fuzzing: serde_json's float parsing is not exact, so re-encoding a float changed
    // it (`…777e-285` became `…773e-285`), and `-0` became `-0.0`; a big integer became a float
    for number in [
        "3.1480429087024777e-285",
        "-0",
        "-0.0",
        "1.50",
        "1E300",
        "18446744073709551616",
        "7",
    ] {
        let body = format!(r#"{{"n": {number}, "m": [{number}], "o": {{"p": {number}}}}}"#);
        for path in ["n", "m[0]", "m[-1]", "o.p"] {
            let s = sel(path);
            let scanned = doc_with(&body, &[&s]).first(&s).unwrap().unwrap();
            let lazy = doc(&body).first(&s).unwrap().unwrap();
            assert_eq!(scanned.as_bytes(), number.as_bytes(), "{path} in {body}");
            assert_eq!(lazy.as_bytes(), number.as_bytes(), "{path} in {body}");
        }
        // a number as the whole body, with and without other selectors in the query
        let root = Selector::root();
        let other = sel("a.b");
        for query in [vec![&root], vec![&root, &other]] {
            let d = Document::parse(Bytes::from(number.to_owned()), &Query::new(query)).unwrap();
            assert_eq!(d.first(&root).unwrap().unwrap().as_bytes(), number.as_bytes());
            let records = d.records(&root).unwrap();
            assert_eq!(records.len(), 1);
            assert_eq!(records[0].as_bytes(), number.as_bytes());
        }
    }
}

#[test]
fn empty_containers_selected_directly_keep_their_exact_text() {
    // found by fuzzing: `{\n}` selected through the scan came back as `{}`, through a lazy walk
    // as written
    for empty in ["{\n\n}", "[ ]", "{}", "[]", "[\n\t]"] {
        let body = format!(r#"{{"e": {empty}, "o": {{"p": {empty}}}}}"#);
        for path in ["e", "o.p"] {
            let s = sel(path);
            for d in [doc_with(&body, &[&s]), doc(&body)] {
                assert_eq!(
                    d.first(&s).unwrap().unwrap().as_bytes(),
                    empty.as_bytes(),
                    "{path}"
                );
                assert!(d.records(&s).unwrap().is_empty() || empty.starts_with('{'));
            }
        }
        let root = Selector::root();
        let d = Document::parse(Bytes::from(format!("\n{empty}\n")), &Query::new([&root])).unwrap();
        assert_eq!(d.first(&root).unwrap().unwrap().as_bytes(), empty.as_bytes());
    }
}

fn step_strategy() -> impl Strategy<Value = Step> {
    prop_oneof![
        key_strategy().prop_map(Step::Key),
        (-4i64..5).prop_map(Step::Index),
    ]
}

/// dlt (jsonpath-ng over Python values) semantics of a plain path. The flag says jsonpath_lib
/// answers differently: it wraps out-of-range negative indices and gives `null` for an index into
/// an object.
fn reference_walk<'v>(v: &'v Value, steps: &[Step]) -> (Option<&'v Value>, bool) {
    let mut cur = v;
    let mut negative_out_of_range = false;
    for step in steps {
        let next = match (step, cur) {
            (Step::Key(k), Value::Object(m)) => m.get(k),
            (Step::Index(i), Value::Array(a)) => {
                let len = a.len() as i64;
                let pos = if *i < 0 { len + i } else { *i };
                if pos < 0 {
                    negative_out_of_range = true;
                }
                usize::try_from(pos).ok().and_then(|p| a.get(p))
            }
            (Step::Index(_), Value::Object(_)) => {
                negative_out_of_range = true;
                None
            }
            _ => None,
        };
        match next {
            Some(n) => cur = n,
            None => return (None, negative_out_of_range),
        }
    }
    (Some(cur), false)
}

fn jsonpath_text(steps: &[Step]) -> String {
    let mut s = "$".to_owned();
    for step in steps {
        match step {
            Step::Key(k) => s.push_str(&format!("['{k}']")),
            Step::Index(i) => s.push_str(&format!("[{i}]")),
        }
    }
    s
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn lazy_scan_and_jsonpath_lib_agree(
        value in json_strategy(),
        paths in prop::collection::vec(prop::collection::vec(step_strategy(), 0..4), 1..4),
        pretty in any::<bool>(),
    ) {
        let body = if pretty { serde_json::to_vec_pretty(&value) } else { serde_json::to_vec(&value) };
        let body = Bytes::from(body.unwrap());
        let selectors: Vec<Selector> = paths.iter().map(|p| sel(&crate::selector::render(p))).collect();
        let scanned = Document::parse(body.clone(), &Query::new(&selectors)).unwrap();
        let lazy = Document::parse(body, &Query::new([])).unwrap();
        for (steps, s) in paths.iter().zip(&selectors) {
            let (expected, neg_oob) = reference_walk(&value, steps);
            let expected: Vec<Value> = expected.into_iter().cloned().collect();
            prop_assert_eq!(&values(&scanned.select(s).unwrap()), &expected, "{}", s);
            prop_assert_eq!(&values(&lazy.select(s).unwrap()), &expected, "{}", s);
            prop_assert_eq!(values(&scanned.records(s).unwrap()), values(&lazy.records(s).unwrap()));
            // where jsonpath_lib differs from Python (dlt), we follow dlt
            if !neg_oob {
                let compiled = jsonpath_lib::Compiled::compile(&jsonpath_text(steps)).unwrap();
                let lib: Vec<Value> = compiled.select(&value).unwrap().into_iter().cloned().collect();
                prop_assert_eq!(&lib, &expected, "{}", jsonpath_text(steps));
            }
        }
    }
}
