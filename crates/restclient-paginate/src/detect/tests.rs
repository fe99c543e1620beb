//! Detection by dlt's rules (§3.2), and our additions: OData next links and the "more pages
//! are likely" warning.

use super::*;
use serde_json::json;

fn name(body: Value) -> String {
    detect(&HeaderMap::new(), &body, None).1.description
}

#[test]
fn dlt_detection_table() {
    let cases = [
        (
            json!({"data":[1],"pagination":{"offset":0,"limit":2,"total":9}}),
            "single_page",
        ),
        (
            json!({"items":[1],"page_info":{"total_pages":3}}),
            r#"page_number(total_path="page_info.total_pages", base_page=0)"#,
        ),
        (
            json!({"products":[1],"next_cursor":"x"}),
            r#"cursor(cursor_path="next_cursor", cursor_param="cursor")"#,
        ),
        (
            json!({"results":[1],"cursors":{"next":"n","previous":"p"}}),
            r#"cursor(cursor_path="cursors.next", cursor_param="cursor")"#,
        ),
        (
            json!({"entries":[1],"next_id":33}),
            r#"cursor(cursor_path="next_id", cursor_param="cursor")"#,
        ),
        (
            json!({"count":1,"next":"https://h/x?page=2","previous":null,"results":[1]}),
            r#"json_link(next_url_path="next")"#,
        ),
        (
            json!({"_embedded":{"items":[1]},"_links":{"self":{"href":"/a"},"next":{"href":"/b"}},"page":{"totalPages":3}}),
            r#"json_link(next_url_path="_links.next.href")"#,
        ),
        (
            json!({"items":[1],"meta":{"totalPages":2},"links":{"firstPage":"/a","nextPage":"/b"}}),
            r#"json_link(next_url_path="links.nextPage")"#,
        ),
        (
            json!({"data":[1],"pagination":{"currentPage":1,"pageSize":1,"totalPages":4}}),
            r#"page_number(total_path="pagination.totalPages", base_page=0)"#,
        ),
        (
            json!({"page":1,"per_page":1,"total":10,"pages":10,"data":[1]}),
            r#"page_number(total_path="pages", base_page=1)"#,
        ),
        (json!({"articles":[1],"paging":{"total":60}}), "single_page"),
        (
            json!({"feed":[1],"offset":0,"limit":1,"total_count":5}),
            "single_page",
        ),
        (json!([1, 2]), "single_page"),
        (json!({"id":1}), "single_page"),
        (
            json!({"next":"page2"}),
            r#"cursor(cursor_path="next", cursor_param="cursor")"#,
        ),
        (json!({"next":null,"data":[1]}), "single_page"),
        (
            json!({"total_pages":"2"}),
            r#"page_number(total_path="total_pages", base_page=0)"#,
        ),
        (json!({"total_pages":"x"}), "single_page"),
        (
            json!({"nextPageToken":"abc"}),
            r#"cursor(cursor_path="nextPageToken", cursor_param="cursor")"#,
        ),
        (
            json!({"a.b":{"next":"/x"}}),
            r#"json_link(next_url_path="a.b.next")"#,
        ),
    ];
    for (body, expected) in cases {
        assert_eq!(name(body.clone()), expected, "{body}");
    }
}

#[test]
fn link_header_wins() {
    let mut headers = HeaderMap::new();
    headers.insert("link", "<http://h/?p=2>; rel=\"next\"".parse().unwrap());
    let (_, d) = detect(&headers, &json!({"next": "http://h/x"}), None);
    assert_eq!(d.paginator, "header_link");
    headers.insert("link", "broken".parse().unwrap());
    let (_, d) = detect(&headers, &json!([1]), None);
    assert_eq!(d.paginator, "single_page");
}

// ---------------------------------------------------------------- OData (deviation 17)

#[test]
fn an_absolute_odata_next_link_is_a_json_link() {
    for url in [
        "https://services.odata.org/V4/Northwind/Northwind.svc/Products?$skiptoken=20",
        "HTTP://h/p?$skip=2",
    ] {
        let body = json!({"@odata.context": "x", "value": [1], "@odata.nextLink": url});
        let (paginator, d) = detect(&HeaderMap::new(), &body, None);
        assert_eq!(d.paginator, "json_link", "{url}");
        assert_eq!(
            d.description,
            r#"json_link(next_url_path="$['@odata.nextLink']")"#
        );
        assert_eq!(d.score, 1.0);
        assert_eq!(d.warning, None);
        assert_eq!(paginator.selectors(), [Selector::from_keys(["@odata.nextLink"])]);
        assert_eq!(paginator.selectors()[0].as_str(), "$['@odata.nextLink']");
    }
}

#[test]
fn dlt_choices_come_before_the_odata_link() {
    // wherever dlt detects something, it stays dlt's choice
    let link = "https://h/p?$skip=2";
    let (_, d) = detect(
        &HeaderMap::new(),
        &json!({"value": [1], "@odata.nextLink": link, "total_pages": 3}),
        None,
    );
    assert_eq!(d.paginator, "page_number");
    let (_, d) = detect(
        &HeaderMap::new(),
        &json!({"value": [1], "@odata.nextLink": link, "next": "abc"}),
        None,
    );
    assert_eq!(d.paginator, "cursor");
    let mut headers = HeaderMap::new();
    headers.insert("link", "<http://h/?p=2>; rel=\"next\"".parse().unwrap());
    let (_, d) = detect(&headers, &json!({"value": [1], "@odata.nextLink": link}), None);
    assert_eq!(d.paginator, "header_link");
}

#[test]
fn other_odata_links_are_not_followed_but_warned_about() {
    for (body, path) in [
        (
            json!({"value": [1], "@odata.nextLink": "Products?$skip=1"}),
            "$['@odata.nextLink']",
        ),
        (
            json!({"value": [1], "@odata.nextLink": "ftp://h/x"}),
            "$['@odata.nextLink']",
        ),
        (
            json!({"d": {"results": [1], "@odata.nextLink": "https://h/p?$skip=1"}}),
            "d['@odata.nextLink']",
        ),
        (
            json!({"value": [1], "Orders@odata.nextLink": "https://h/p?$skip=1"}),
            "$['Orders@odata.nextLink']",
        ),
    ] {
        let (_, d) = detect(&HeaderMap::new(), &body, None);
        assert_eq!(d.paginator, "single_page", "{body}");
        let w = d.warning.unwrap_or_else(|| panic!("no warning for {body}"));
        assert!(w.contains(&format!("`{path}` holding a next link")), "{w}");
        let suggested = json!({"type": "json_link", "next_url_path": path}).to_string();
        assert!(w.contains(&suggested), "{w}");
    }
}

// ---------------------------------------------------------------- the "more pages" warning

/// The suggested config in a warning, read back as a config.
fn suggested_config(warning: &str) -> crate::PaginatorConfig {
    let start = warning.find("e.g. {").map(|i| i + 5).expect("a suggestion");
    let mut de = serde_json::Deserializer::from_str(&warning[start..]).into_iter::<Value>();
    let value = de.next().expect("JSON").expect("valid JSON");
    crate::PaginatorConfig::from_value(value).unwrap_or_else(|e| panic!("{warning}: {e}"))
}

#[test]
fn warns_where_the_response_says_there_is_more() {
    let cases = [
        // Stripe
        (
            json!({"object": "list", "data": [{"id": 1}, {"id": 2}], "has_more": true, "url": "/v1/x"}),
            vec!["`has_more: true`"],
            r#"{"type":"offset","limit":2,"total_path":null,"has_more_path":"has_more"}"#,
        ),
        (
            json!({"items": [1], "hasMore": true}),
            vec!["`hasMore: true`"],
            r#"{"type":"offset","limit":1,"total_path":null,"has_more_path":"hasMore"}"#,
        ),
        (
            json!({"data": [1], "meta": {"hasNextPage": true}}),
            vec!["`meta.hasNextPage: true`"],
            r#""has_more_path":"meta.hasNextPage""#,
        ),
        // OData v2
        (
            json!({"d": {"results": [1], "__next": "https://h/x?$skiptoken=2"}}),
            vec!["`d.__next` holding a next link"],
            r#"{"type":"json_link","next_url_path":"d.__next"}"#,
        ),
        (
            json!({"value": [1], "continuationToken": "abc"}),
            vec!["`continuationToken` holding a next-page token"],
            r#"{"type":"cursor","cursor_path":"continuationToken","cursor_param":"cursor"}"#,
        ),
        (
            json!({"data": [1], "paging": {"page_token": 7, "has_more": true}}),
            vec![
                "`paging.page_token` holding a next-page token",
                "`paging.has_more: true`",
            ],
            r#"{"type":"cursor","cursor_path":"paging.page_token","cursor_param":"cursor","has_more_path":"paging.has_more"}"#,
        ),
        // spec scenario 68: offset is never detected
        (
            json!({"data": [1, 2], "total": 100, "offset": 0, "limit": 2}),
            vec!["`total: 100` (2 records read)"],
            r#"{"type":"offset","limit":2,"total_path":"total"}"#,
        ),
        (
            json!({"data": [1], "pagination": {"offset": 0, "limit": 1, "total": 9}}),
            vec!["`pagination.total: 9` (1 record read)"],
            r#""total_path":"pagination.total""#,
        ),
        (
            json!({"articles": [1], "paging": {"total": 60}}),
            vec!["`paging.total: 60`"],
            r#""total_path":"paging.total""#,
        ),
        (
            json!({"feed": [1], "offset": 0, "limit": 1, "total_count": 5}),
            vec!["`total_count: 5` (1 record read)"],
            r#""total_path":"total_count""#,
        ),
        (
            json!({"results": [1, 2], "meta": {"totalCount": 3}, "has_more": true}),
            vec!["`has_more: true`", "`meta.totalCount: 3` (2 records read)"],
            r#"{"type":"offset","limit":2,"total_path":"meta.totalCount","has_more_path":"has_more"}"#,
        ),
        (
            json!({"data": [1, 2], "total": 100, "offset": 50, "limit": 2}),
            vec!["`total: 100` (2 records read)"],
            r#"{"type":"offset","limit":2,"total_path":"total"}"#,
        ),
        (
            json!({"rows": [], "count": 10}),
            vec!["`count: 10` (0 records read)"],
            r#"{"type":"offset","limit":100,"total_path":"count"}"#,
        ),
        // keys with dots are spelled so that a config reads them
        (
            json!({"a.b": {"has_more": true}, "data": [1]}),
            vec!["`$['a.b'].has_more: true`"],
            r#""has_more_path":"$['a.b'].has_more""#,
        ),
    ];
    for (body, facts, suggestion) in cases {
        let (_, d) = detect(&HeaderMap::new(), &body, None);
        assert_eq!(d.paginator, "single_page", "{body}");
        assert_eq!(d.score, 0.0, "{body}");
        let w = d.warning.unwrap_or_else(|| panic!("no warning for {body}"));
        assert!(w.starts_with("the response has "), "{w}");
        assert!(
            w.contains("but no paginator was detected, so only this page is read"),
            "{w}"
        );
        for fact in facts {
            assert!(w.contains(fact), "{body}: {fact} not in {w}");
        }
        assert!(w.contains(suggestion), "{body}: {suggestion} not in {w}");
        // the suggestion is a config the client accepts
        suggested_config(&w);
    }
}

#[test]
fn no_warning_where_nothing_says_there_is_more() {
    for body in [
        json!([1, 2]),
        json!({"id": 1, "name": "x"}),
        json!({"next": null, "data": [1]}),
        json!({"total_pages": "x"}),
        json!({"data": [1], "has_more": false}),
        json!({"data": [1], "hasMore": "true"}),
        json!({"data": [1, 2], "total": 2}),
        json!({"data": [1, 2, 3], "total_count": 2}),
        // a later page fetched directly: its offset, or an explicit end, accounts for the total
        json!({"data": [1, 2, 3], "total": 100, "offset": 97, "limit": 10}),
        json!({"count": 10, "next": null, "previous": "/p3", "results": [1, 2, 3]}),
        json!({"data": [1], "has_more": false, "total_count": 50}),
        // an order's total is not a record count: a float, or under a parent that is not paging
        json!({"id": 7, "total": 129.99, "items": [1, 2]}),
        json!({"order": {"total": 129, "lines": [1]}}),
        // records (inside lists) are not searched
        json!({"data": [{"next_link": "https://h/x", "has_more": true, "total_count": 100}]}),
        // empty or null next values
        json!({"value": [1], "@odata.nextLink": null}),
        json!({"value": [1], "@odata.nextLink": ""}),
        json!({"value": [1], "continuation": ""}),
        // GraphQL's last page: an end cursor is always there, hasNextPage says whether to go on
        json!({"edges": [1], "pageInfo": {"hasNextPage": false, "endCursor": "abc"}}),
        json!({"data": [1], "prev_page_url": "/p0", "context": "next"}),
        Value::Null,
    ] {
        let (_, d) = detect(&HeaderMap::new(), &body, None);
        assert_eq!(d.paginator, "single_page", "{body}");
        assert_eq!(d.warning, None, "{body}");
    }
}

#[test]
fn detected_paginators_never_carry_the_warning() {
    for body in [
        json!({"data": [1], "has_more": true, "next_cursor": "x"}),
        json!({"data": [1], "total": 100, "next": "https://h/p2"}),
        json!({"data": [1], "total": 100, "meta": {"total_pages": 9}}),
        json!({"value": [1], "@odata.nextLink": "https://h/p2", "@odata.count": 100}),
    ] {
        let (_, d) = detect(&HeaderMap::new(), &body, None);
        assert_ne!(d.paginator, "single_page", "{body}");
        assert_eq!(d.warning, None, "{body}");
    }
}

#[test]
fn the_caller_s_record_count_is_the_one_compared() {
    // a custom data selector may read other records than dlt's detection would
    let body = json!({"result": {"rows": [1, 2], "other": [1, 2, 3, 4, 5]}, "total": 5});
    // (every public call runs under the capturing subscriber: see `logs`)
    let mut found = Vec::new();
    let logged = logs::warnings_while(|| {
        found.push(detect_paginator_with_records(&HeaderMap::new(), &body, 2).1);
        found.push(detect_paginator_with_records(&HeaderMap::new(), &body, 5).1);
        // detection's own count: the first list, `rows`
        found.push(detect_paginator(&HeaderMap::new(), &body).1);
    });
    let warnings: Vec<Option<String>> = found.into_iter().map(|d| d.warning).collect();
    assert!(
        warnings[0]
            .as_ref()
            .unwrap()
            .contains("`total: 5` (2 records read)")
    );
    assert_eq!(warnings[1], None);
    assert!(warnings[2].as_ref().unwrap().contains("(2 records read)"));
    assert_eq!(logged.len(), 2, "{logged:?}");
}

#[test]
fn link_and_token_values_are_never_quoted() {
    let body = json!({"data": [1], "odata.nextLink": "https://h/p?api_key=s3cr3t-v4lue"});
    let (_, d) = detect(&HeaderMap::new(), &body, None);
    let w = d.warning.unwrap();
    assert!(!w.contains("s3cr3t"), "{w}");
    assert!(w.contains("`$['odata.nextLink']` holding a next link"), "{w}");
}

// ---------------------------------------------------------------- logging

mod logs {
    use std::sync::{Arc, Mutex};

    use tracing::field::{Field, Visit};
    use tracing::span::{Attributes, Id, Record};
    use tracing::{Event, Level, Metadata, Subscriber};

    /// Collects every event's level and message.
    ///
    /// tracing caches, per callsite, whether anyone listens; a test thread that reaches a callsite
    /// first with no subscriber can cache "never" while this one is being set. So every test here
    /// that calls the logging entry points does it under this subscriber, and it rebuilds the cache.
    #[derive(Clone, Default)]
    pub(super) struct Capture(pub(super) Arc<Mutex<Vec<(Level, String)>>>);

    struct Message<'a>(&'a mut String);

    impl Visit for Message<'_> {
        fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
            if field.name() == "message" {
                *self.0 = format!("{value:?}");
            }
        }
    }

    impl Subscriber for Capture {
        fn enabled(&self, _: &Metadata<'_>) -> bool {
            true
        }
        fn new_span(&self, _: &Attributes<'_>) -> Id {
            Id::from_u64(1)
        }
        fn record(&self, _: &Id, _: &Record<'_>) {}
        fn record_follows_from(&self, _: &Id, _: &Id) {}
        fn event(&self, event: &Event<'_>) {
            let mut message = String::new();
            event.record(&mut Message(&mut message));
            if let Ok(mut events) = self.0.lock() {
                events.push((*event.metadata().level(), message));
            }
        }
        fn enter(&self, _: &Id) {}
        fn exit(&self, _: &Id) {}
    }

    pub(super) fn warnings_while(f: impl FnOnce()) -> Vec<String> {
        let capture = Capture::default();
        tracing::subscriber::with_default(capture.clone(), || {
            // other tests may have hit the callsites with no subscriber at the same moment and
            // cached "never"; recompute with this one in place
            tracing::callsite::rebuild_interest_cache();
            f();
        });
        let events = capture.0.lock().map(|e| e.clone()).unwrap_or_default();
        events
            .into_iter()
            .filter(|(level, _)| *level == Level::WARN)
            .map(|(_, message)| message)
            .collect()
    }
}

#[test]
fn the_warning_is_logged_once_where_it_applies_and_nowhere_else() {
    let stripe = json!({"data": [{"id": 1}], "has_more": true});
    let mut detection = None;
    let warnings = logs::warnings_while(|| detection = Some(detect_paginator(&HeaderMap::new(), &stripe).1));
    let expected = detection.and_then(|d| d.warning).expect("a warning");
    assert_eq!(warnings, [expected]);

    for body in [
        json!({"data": [1], "has_more": false}),
        json!({"id": 1}),
        json!({"value": [1], "@odata.nextLink": "https://h/p2"}),
        json!({"data": [1], "next": "https://h/p2", "has_more": true}),
    ] {
        let warnings = logs::warnings_while(|| {
            detect_paginator(&HeaderMap::new(), &body);
        });
        assert_eq!(warnings, Vec::<String>::new(), "{body}");
    }
}
