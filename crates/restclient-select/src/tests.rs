//! Unit and property tests for the whole crate.

use bytes::Bytes;
use proptest::prelude::*;
use serde_json::{Value, json};

use crate::selector::{Step, parse_plain};
use crate::{Document, JsonKind, Query, RawRecord, SelectError, Selector};

fn sel(path: &str) -> Selector {
    Selector::parse(path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn doc(body: &str) -> Document {
    Document::parse(Bytes::from(body.to_owned()), &Query::new([])).unwrap()
}

fn doc_with(body: &str, selectors: &[&Selector]) -> Document {
    Document::parse(
        Bytes::from(body.to_owned()),
        &Query::new(selectors.iter().copied()),
    )
    .unwrap()
}

fn values(records: &[RawRecord]) -> Vec<Value> {
    records.iter().map(|r| r.to_value().unwrap()).collect()
}

fn records(body: &str, path: &str) -> Vec<Value> {
    let s = sel(path);
    // the same answer from the one-pass scan and from a lazy walk
    let scanned = values(&doc_with(body, &[&s]).records(&s).unwrap());
    let walked = values(&doc(body).records(&s).unwrap());
    assert_eq!(scanned, walked, "{path} over {body}");
    scanned
}

fn steps(path: &str) -> Vec<Step> {
    parse_plain(path).unwrap().unwrap()
}

fn key(k: &str) -> Step {
    Step::Key(k.to_owned())
}

// ---------------------------------------------------------------- path forms

#[test]
fn plain_path_forms() {
    assert_eq!(steps("results.posts"), [key("results"), key("posts")]);
    assert_eq!(steps("$.a.b"), [key("a"), key("b")]);
    assert_eq!(steps("a[0].b"), [key("a"), Step::Index(0), key("b")]);
    assert_eq!(steps("a[-1]"), [key("a"), Step::Index(-1)]);
    assert_eq!(steps("['@odata.nextLink']"), [key("@odata.nextLink")]);
    assert_eq!(steps("$['@odata.nextLink']"), [key("@odata.nextLink")]);
    assert_eq!(steps("[\"x y\"]"), [key("x y")]);
    assert_eq!(steps("many-results"), [key("many-results")]);
    assert_eq!(steps("$"), Vec::<Step>::new());
    assert_eq!(steps(" data "), [key("data")]);
    assert_eq!(steps("$[0][1]"), [Step::Index(0), Step::Index(1)]);
    assert_eq!(steps("a['b.c'].d"), [key("a"), key("b.c"), key("d")]);
    assert_eq!(steps(r"['it\'s']"), [key("it's")]);
    assert_eq!(steps(r#"["say \"hi\""]"#), [key("say \"hi\"")]);
    assert_eq!(steps(r"['back\\slash']"), [key("back\\slash")]);
    assert_eq!(
        steps("_links.next.href"),
        [key("_links"), key("next"), key("href")]
    );
    assert_eq!(steps("a.0"), [key("a"), key("0")]);
    for p in [
        "results.posts",
        "$.a.b",
        "a[0].b",
        "['@odata.nextLink']",
        "many-results",
        "$",
    ] {
        assert!(sel(p).is_plain(), "{p}");
    }
}

#[test]
fn full_jsonpath_forms() {
    for p in [
        "data[*].id",
        "$..id",
        "$.a[?(@.b == 1)]",
        "a[1:]",
        "['a','b']",
        "$.*",
        "a.*.b",
        "$..[0]",
    ] {
        let s = sel(p);
        assert!(!s.is_plain(), "{p}");
    }
    let d = doc(r#"{"data": [{"id": 1, "k": "x"}, {"id": 2, "k": "y"}], "a": {"id": 3}}"#);
    let ids = |p: &str| values(&d.select(&sel(p)).unwrap());
    assert_eq!(ids("data[*].id"), [json!(1), json!(2)]);
    assert_eq!(ids("$..id"), [json!(1), json!(2), json!(3)]);
    assert_eq!(ids("$.data[?(@.k == 'y')].id"), [json!(2)]);
    assert_eq!(ids("data[1:]"), [json!({"id": 2, "k": "y"})]);
}

#[test]
fn invalid_paths_fail_at_parse_naming_path_and_problem() {
    for (path, problem) in [
        ("", "empty"),
        ("   ", "empty"),
        ("data.", "empty key"),
        (".data", "starts with '.'"),
        ("a b", "whitespace"),
        ("a[", "unclosed"),
        ("a[0", "unclosed"),
        ("a[]", "empty brackets"),
        ("['x", "unterminated"),
        ("['x'", "expected ']'"),
        ("a]", "unexpected"),
        ("$a", "unexpected"),
        ("a[99999999999999999999]", "out of range"),
        ("a[?(@.b == $.x)]", "`$`"),
        ("$.a[?($.x == 1)]", "`$`"),
        ("a[::0]", "step"),
        ("a[0:1:0]", "step"),
        ("$..", "not valid JSONPath"),
        ("a[?(@.b >)]", "not valid JSONPath"),
    ] {
        match Selector::parse(path) {
            Err(SelectError::InvalidPath { path: p, reason }) => {
                assert_eq!(p, path);
                assert!(reason.contains(problem), "{path}: {reason}");
                let msg = Selector::parse(path).unwrap_err().to_string();
                assert!(msg.contains(&format!("`{path}`")), "{msg}");
            }
            other => panic!("{path}: expected InvalidPath, got {other:?}"),
        }
    }
}

#[test]
fn jsonpath_lib_panics_are_contained() {
    // bypass the parse-time guard to prove evaluation itself cannot panic out
    let compiled = jsonpath_lib::Compiled::compile("$.a[?($.x == 1)]").unwrap();
    let s = sel("a");
    let value = json!({"a": [{"b": 1}], "x": 1});
    let err = crate::selector::eval_full(&s, &compiled, &value).unwrap_err();
    assert!(matches!(err, SelectError::Evaluate { .. }), "{err}");
}

#[test]
fn selector_identity_display_and_serde() {
    let a = sel("a.b");
    assert_eq!(a, sel("$.a.b"));
    assert_eq!(a, sel("['a']['b']"));
    assert_eq!(a, Selector::from_keys(["a", "b"]));
    assert_ne!(a, sel("a['b.c']"));
    assert_eq!(sel("$.a.b").to_string(), "$.a.b");
    assert_eq!(format!("{:?}", sel("a.b")), "Selector(\"a.b\")");
    let mut set = std::collections::HashSet::new();
    set.insert(sel("$.a.b"));
    assert!(set.contains(&a));
    assert_eq!(sel("data[*].id"), sel("$.data[*].id"));

    let json = serde_json::to_string(&sel("$['x y'].z")).unwrap();
    assert_eq!(json, r#""$['x y'].z""#);
    let back: Selector = serde_json::from_str(&json).unwrap();
    assert_eq!(back, sel("$['x y'].z"));
    assert!(serde_json::from_str::<Selector>(r#""a b""#).is_err());
    assert_eq!("a.b".parse::<Selector>().unwrap(), a);
}

#[test]
fn from_keys_renders_exact_key_paths() {
    assert_eq!(Selector::from_keys(["data"]).as_str(), "data");
    assert_eq!(
        Selector::from_keys(["a", "b.c", "x y"]).as_str(),
        "a['b.c']['x y']"
    );
    assert_eq!(Selector::from_keys(["it's"]).as_str(), r"['it\'s']");
    assert_eq!(
        Selector::from_keys(["@odata.nextLink"]).as_str(),
        "['@odata.nextLink']"
    );
    assert_eq!(Selector::from_keys(["0"]).as_str(), "['0']");
    for keys in [
        vec!["a", "b.c"],
        vec!["x y", "it's", "\\"],
        vec![""],
        vec!["$", "*", "[0]"],
    ] {
        let s = Selector::from_keys(keys.clone());
        assert_eq!(sel(s.as_str()), s, "{keys:?}");
        assert!(s.is_plain());
    }
}

// ---------------------------------------------------------------- dlt extract_response (§1.5)

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
fn record_kinds_and_truthiness() {
    let cases = [
        ("null", JsonKind::Null, false),
        ("true", JsonKind::Bool, true),
        ("false", JsonKind::Bool, false),
        ("0", JsonKind::Number, false),
        ("0.0", JsonKind::Number, false),
        ("-0e3", JsonKind::Number, false),
        ("7", JsonKind::Number, true),
        ("\"\"", JsonKind::String, false),
        ("\"a\"", JsonKind::String, true),
        ("[]", JsonKind::Array, false),
        ("[ \n ]", JsonKind::Array, false),
        ("[0]", JsonKind::Array, true),
        ("{}", JsonKind::Object, false),
        ("{\"a\":1}", JsonKind::Object, true),
    ];
    for (json, kind, truthy) in cases {
        let r = doc(json).root();
        assert_eq!(r.kind(), kind, "{json}");
        assert_eq!(r.is_truthy(), truthy, "{json}");
        assert_eq!(r.is_null(), kind == JsonKind::Null);
    }
    assert_eq!(doc(r#""a\u00e9\n""#).root().as_str().as_deref(), Some("aé\n"));
    assert!(matches!(
        doc(r#""plain""#).root().as_str(),
        Some(std::borrow::Cow::Borrowed("plain"))
    ));
    assert_eq!(doc("1").root().as_str(), None);
    assert!(doc("[1]").root().deserialize::<Vec<String>>().is_err());
}

// ---------------------------------------------------------------- malformed bodies

#[test]
fn malformed_json_reports_offset_line_column() {
    let cases: [(&[u8], usize, usize, usize); 6] = [
        (b"{\"a\": [1, 2,]}", 12, 1, 13),
        (b"{\n  \"a\": tru\n}", 13, 3, 1),
        (b"", 0, 1, 1),
        (b"{\"a\": 1} x", 9, 1, 10),
        (b"{\"a\": \"\xff\"}", 7, 1, 8),
        (b"[1, 2", 4, 1, 5),
    ];
    for (body, offset, line, column) in cases {
        match Document::parse(Bytes::from_static(body), &Query::new([&sel("a")])) {
            Err(SelectError::MalformedJson {
                offset: o,
                line: l,
                column: c,
                reason,
            }) => {
                assert_eq!((o, l, c), (offset, line, column), "{body:?}: {reason}");
                assert!(!reason.contains(" at line "), "{reason}");
            }
            other => panic!("{body:?}: {other:?}"),
        }
    }
}

// ---------------------------------------------------------------- detection (§3.1)

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

// ---------------------------------------------------------------- properties

fn key_strategy() -> impl Strategy<Value = String> {
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

fn json_strategy() -> impl Strategy<Value = Value> {
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

    #[test]
    fn from_keys_round_trips(keys in prop::collection::vec(".{0,8}", 0..4)) {
        let s = Selector::from_keys(keys.clone());
        let back = Selector::parse(s.as_str()).unwrap();
        prop_assert_eq!(back.steps(), s.steps());
    }

    #[test]
    fn parse_never_panics(path in ".{0,40}") {
        let _ = Selector::parse(&path);
    }

    #[test]
    fn parse_never_panics_on_pathlike_text(path in "[$.\\[\\]'\"*?@()a-c0-9:,=<> -]{0,24}") {
        if let Ok(s) = Selector::parse(&path) {
            let d = Document::parse(Bytes::from_static(br#"{"a": [{"b": 1}, {"c": [2]}], "b": {"c": 3}}"#), &Query::new([&s])).unwrap();
            let _ = d.select(&s);
            let _ = d.records(&s);
        }
    }

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
