//! Helpers shared by the unit tests of this crate: compile a path, parse a body, read records as
//! values, and the JSON strategy of the property tests.

use bytes::Bytes;
use proptest::prelude::*;
use serde_json::{Value, json};

use crate::{Document, Query, RawRecord, Selector};

pub(crate) fn sel(path: &str) -> Selector {
    Selector::parse(path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

pub(crate) fn doc(body: &str) -> Document {
    Document::parse(Bytes::from(body.to_owned()), &Query::new([])).unwrap()
}

pub(crate) fn doc_with(body: &str, selectors: &[&Selector]) -> Document {
    Document::parse(
        Bytes::from(body.to_owned()),
        &Query::new(selectors.iter().copied()),
    )
    .unwrap()
}

pub(crate) fn values(records: &[RawRecord]) -> Vec<Value> {
    records.iter().map(|r| r.to_value().unwrap()).collect()
}

pub(crate) fn records(body: &str, path: &str) -> Vec<Value> {
    let s = sel(path);
    // the same answer from the one-pass scan and from a lazy walk
    let scanned = values(&doc_with(body, &[&s]).records(&s).unwrap());
    let walked = values(&doc(body).records(&s).unwrap());
    assert_eq!(scanned, walked, "{path} over {body}");
    scanned
}

pub(crate) fn key_strategy() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("a".to_owned()),
        Just("b".to_owned()),
        Just("data".to_owned()),
        Just("d.e".to_owned()),
        Just("x y".to_owned()),
        Just("k-1".to_owned()),
        Just("0".to_owned()),
    ]
}

pub(crate) fn json_strategy() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i32>().prop_map(|n| json!(n)),
        // exact binary fractions: serde_json's default float parsing is not round-trip exact
        (-4000i32..4000).prop_map(|n| json!(f64::from(n) / 4.0)),
        "[a-z\"\\\\/\u{e9}\n]{0,6}".prop_map(Value::String),
    ];
    leaf.prop_recursive(5, 64, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec((key_strategy(), inner), 0..5)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}
