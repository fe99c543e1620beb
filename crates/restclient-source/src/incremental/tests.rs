use super::*;
use serde_json::json;

fn record(v: Value) -> RawRecord {
    Document::parse(bytes::Bytes::from(v.to_string()), &Query::new([]))
        .unwrap()
        .root()
}

fn spec(v: Value) -> Arc<IncrementalSpec> {
    Arc::new(IncrementalSpec::from_endpoint("r", &v).unwrap())
}

fn kept(filter: &mut IncrementalFilter, rows: &[Value]) -> Vec<Value> {
    rows.iter()
        .filter(|r| filter.keep(&record((*r).clone())).unwrap())
        .cloned()
        .collect()
}

#[test]
fn first_run_keeps_from_initial_value_and_tracks_the_max() {
    let mut f = IncrementalFilter::new(
        spec(json!({"cursor_path": "t", "initial_value": 5})),
        Some(&["id".into()]),
        None,
    );
    assert_eq!(f.start_value(), Some(&json!(5)));
    let rows = [
        json!({"id": 1, "t": 4}),
        json!({"id": 2, "t": 5}),
        json!({"id": 3, "t": 9}),
        json!({"id": 4, "t": 7}),
        json!({"id": 5, "t": 9}),
    ];
    let out = kept(&mut f, &rows);
    assert_eq!(out, rows[1..].to_vec());
    let state = f.state().unwrap();
    assert_eq!(state.last_value, Some(json!(9)));
    assert_eq!(state.start_value, Some(json!(5)));
    assert_eq!(state.unique_hashes.len(), 2, "ids 3 and 5 sit at the last value");
}

#[test]
fn second_run_drops_what_the_first_saw_at_the_boundary() {
    let s = spec(json!({"cursor_path": "t", "initial_value": 0}));
    let pk = ["id".to_owned()];
    let mut first = IncrementalFilter::new(s.clone(), Some(&pk), None);
    kept(&mut first, &[json!({"id": 1, "t": 3}), json!({"id": 2, "t": 3})]);
    let saved = first.state().unwrap();
    let mut second = IncrementalFilter::new(s, Some(&pk), Some(&saved));
    assert_eq!(second.start_value(), Some(&json!(3)));
    let out = kept(
        &mut second,
        &[
            json!({"id": 1, "t": 3}),
            json!({"id": 2, "t": 3}),
            json!({"id": 3, "t": 3}),
            json!({"id": 0, "t": 2}),
            json!({"id": 4, "t": 4}),
        ],
    );
    assert_eq!(out, [json!({"id": 3, "t": 3}), json!({"id": 4, "t": 4})]);
    assert!(second.start_out_of_range);
    let state = second.state().unwrap();
    assert_eq!(state.last_value, Some(json!(4)));
    assert_eq!(state.unique_hashes.len(), 1);
}

#[test]
fn without_primary_key_the_whole_record_is_the_identity() {
    let s = spec(json!({"cursor_path": "t"}));
    let mut first = IncrementalFilter::new(s.clone(), None, None);
    kept(&mut first, &[json!({"t": "b", "x": 1})]);
    let saved = first.state().unwrap();
    let mut second = IncrementalFilter::new(s, None, Some(&saved));
    // same record with keys in another order: still the same identity
    let out = kept(
        &mut second,
        &[json!({"x": 1, "t": "b"}), json!({"t": "b", "x": 2})],
    );
    assert_eq!(out, [json!({"t": "b", "x": 2})]);
}

#[test]
fn end_value_is_exclusive_and_keeps_no_state() {
    let s = spec(json!({"cursor_path": "t", "initial_value": 1, "end_value": 3, "row_order": "asc"}));
    let mut f = IncrementalFilter::new(
        s,
        None,
        Some(&IncrementalState {
            initial_value: None,
            last_value: Some(json!(2)),
            unique_hashes: vec![],
            start_value: None,
        }),
    );
    assert_eq!(
        f.start_value(),
        Some(&json!(1)),
        "state is ignored with an end value"
    );
    let out = kept(
        &mut f,
        &[
            json!({"t": 0}),
            json!({"t": 1}),
            json!({"t": 2}),
            json!({"t": 3}),
            json!({"t": 4}),
        ],
    );
    assert_eq!(out, [json!({"t": 1}), json!({"t": 2})]);
    assert!(f.end_out_of_range && f.can_close());
    assert!(f.state().is_none());
    let s = spec(json!({"cursor_path": "t", "initial_value": 1, "end_value": 3, "range_end": "closed"}));
    let mut f = IncrementalFilter::new(s, None, None);
    assert_eq!(kept(&mut f, &[json!({"t": 3})]).len(), 1);
}

#[test]
fn min_open_start_and_missing_cursor_rules() {
    let s = spec(
        json!({"cursor_path": "t", "initial_value": 10, "last_value_func": "min", "range_start": "open"}),
    );
    let mut f = IncrementalFilter::new(s, None, None);
    let out = kept(
        &mut f,
        &[
            json!({"t": 10}),
            json!({"t": 11}),
            json!({"t": 8}),
            json!({"t": 9}),
        ],
    );
    assert_eq!(out, [json!({"t": 8}), json!({"t": 9})]);
    assert_eq!(f.state().unwrap().last_value, Some(json!(8)));
    assert!(
        f.state().unwrap().unique_hashes.is_empty(),
        "open start: no deduplication"
    );

    let mut f = IncrementalFilter::new(spec(json!({"cursor_path": "a.t"})), None, None);
    let err = f.keep(&record(json!({"a": {}}))).unwrap_err();
    assert!(err.to_string().contains("`a.t`"), "{err}");
    let mut f = IncrementalFilter::new(
        spec(json!({"cursor_path": "t", "on_cursor_value_missing": "include"})),
        None,
        None,
    );
    assert!(f.keep(&record(json!({"t": null}))).unwrap());
    let mut f = IncrementalFilter::new(
        spec(json!({"cursor_path": "t", "on_cursor_value_missing": "exclude"})),
        None,
        None,
    );
    assert!(!f.keep(&record(json!({"x": 1}))).unwrap());
}

#[test]
fn type_mismatch_and_missing_primary_key_are_errors() {
    let mut f = IncrementalFilter::new(spec(json!({"cursor_path": "t", "initial_value": 1})), None, None);
    let err = f.keep(&record(json!({"t": "x"}))).unwrap_err();
    assert!(err.to_string().contains("a string"), "{err}");
    let mut f = IncrementalFilter::new(spec(json!({"cursor_path": "t", "primary_key": "id"})), None, None);
    let err = f.keep(&record(json!({"t": 1}))).unwrap_err();
    assert!(err.to_string().contains("`id`"), "{err}");
    let mut f = IncrementalFilter::new(
        spec(json!({"cursor_path": "t", "primary_key": []})),
        Some(&["id".into()]),
        None,
    );
    assert!(
        f.keep(&record(json!({"t": 1}))).unwrap(),
        "an empty key turns deduplication off"
    );
}

proptest::proptest! {
    /// Splitting a sequence over two runs keeps each record once when the cursor never goes back.
    #[test]
    fn two_runs_keep_every_record_once(ts in proptest::collection::vec(0u8..6, 1..30), cut in 0usize..30) {
        let mut sorted = ts.clone();
        sorted.sort();
        let rows: Vec<Value> = sorted.iter().enumerate().map(|(i, t)| json!({"id": i, "t": t})).collect();
        let cut = cut.min(rows.len());
        let s = spec(json!({"cursor_path": "t"}));
        let pk = ["id".to_owned()];
        let mut first = IncrementalFilter::new(s.clone(), Some(&pk), None);
        let a = kept(&mut first, &rows[..cut]);
        let saved = first.state().unwrap();
        let mut second = IncrementalFilter::new(s, Some(&pk), Some(&saved));
        // the second run sees everything from the start value on, as an API filtering on it would
        let from: Vec<Value> = rows.iter().filter(|r| saved.last_value.as_ref().is_none_or(|lv| r["t"].as_u64() >= lv.as_u64())).cloned().collect();
        let b = kept(&mut second, &from);
        let mut all = a;
        all.extend(b);
        proptest::prop_assert_eq!(all, rows);
    }
}
