//! Our additions to auto-detection against a real server: OData's absolute `@odata.nextLink` is
//! followed (deviation 17), and a single-page detection on a response that says there is more
//! carries a warning, while records and requests stay dlt's.
#![allow(clippy::unwrap_used)] // test helpers and responders outside #[test] functions

mod common;

use common::*;
use restclient_paginate::*;
use restclient_testkit::{RecordedRequest, Reply, TestServer};
use serde_json::json;

#[tokio::test]
async fn an_absolute_odata_next_link_is_followed() {
    let server = TestServer::start().await;
    let next = server.url("/odata/Products?$skip=2");
    server.route("/odata/Products", move |r: &RecordedRequest| {
        if r.query().is_empty() {
            Reply::json(&json!({"@odata.context": "m", "value": [1, 2], "@odata.nextLink": next}))
        } else {
            Reply::json(&json!({"@odata.context": "m", "value": [3]}))
        }
    });
    let (pages, err) = collect(get(&server.url("/odata/Products")), PaginateOptions::default()).await;
    assert!(err.is_none(), "{err:?}");
    assert_eq!(records(&pages), [vec![json!(1), json!(2)], vec![json!(3)]]);
    assert_eq!(queries(&server, "/odata/Products"), ["", "$skip=2"]);
    let d = pages[0].detected.clone().unwrap();
    assert_eq!(d.paginator, "json_link");
    assert_eq!(
        d.description,
        r#"json_link(next_url_path="$['@odata.nextLink']")"#
    );
    assert_eq!(d.warning, None);
}

#[tokio::test]
async fn single_page_detections_warn_only_where_the_response_says_there_is_more() {
    let server = TestServer::start().await;
    // Stripe-like: one request, the same records as dlt, and a warning naming `has_more`
    server.route(
        "/stripe",
        Reply::json(&json!({"object": "list", "data": [{"id": "a"}], "has_more": true})),
    );
    let (pages, err) = collect(get(&server.url("/stripe")), PaginateOptions::default()).await;
    assert!(err.is_none(), "{err:?}");
    assert_eq!(records(&pages), [vec![json!({"id": "a"})]]);
    assert_eq!(server.hits("/stripe"), 1);
    let d = pages[0].detected.clone().unwrap();
    assert_eq!(d.paginator, "single_page");
    assert!(d.warning.unwrap().contains("`has_more: true`"));

    // the last page of the same API: nothing to say
    server.route(
        "/last",
        Reply::json(&json!({"object": "list", "data": [{"id": "z"}], "has_more": false, "total": 1})),
    );
    let (pages, err) = collect(get(&server.url("/last")), PaginateOptions::default()).await;
    assert!(err.is_none(), "{err:?}");
    assert_eq!(server.hits("/last"), 1);
    assert_eq!(pages[0].detected.clone().unwrap().warning, None);
}

#[tokio::test]
async fn bodies_serde_json_refuses_but_python_reads_are_never_a_silent_single_page() {
    let server = TestServer::start().await;
    // A lone surrogate (Python decodes it) beside a next link: the link is still followed.
    let next = server.url("/s?p=2");
    server.route("/s", move |r: &RecordedRequest| {
        if r.query().is_empty() {
            Reply::json_text(format!(r#"{{"data": [{{"n": "x\ud83ay"}}], "next": "{next}"}}"#))
        } else {
            Reply::json(&json!({"data": [{"n": 2}], "next": null}))
        }
    });
    let (pages, err) = collect(get(&server.url("/s")), PaginateOptions::default()).await;
    assert!(err.is_none(), "{err:?}");
    assert_eq!(pages.len(), 2);
    assert_eq!(pages[0].records()[0].as_bytes(), br#"{"n": "x\ud83ay"}"#);
    assert_eq!(pages[0].detected.clone().unwrap().paginator, "json_link");
    assert_eq!(queries(&server, "/s"), ["", "p=2"]);

    // A number beyond f64 (Python's inf): one page, as before, but with a warning saying why.
    server.route(
        "/inf",
        Reply::json_text(r#"{"data": [1], "score": 1E400, "next_page": "/inf?p=2"}"#),
    );
    let (pages, err) = collect(get(&server.url("/inf")), PaginateOptions::default()).await;
    assert!(err.is_none(), "{err:?}");
    assert_eq!(records(&pages), [vec![json!(1)]]);
    let d = pages[0].detected.clone().unwrap();
    assert_eq!(d.paginator, "single_page");
    let warning = d.warning.unwrap();
    assert!(
        warning.contains("could not be read to detect a paginator"),
        "{warning}"
    );
}

#[tokio::test]
async fn with_a_data_selector_the_warning_counts_the_records_it_selects() {
    let server = TestServer::start().await;
    // dlt's detection would count `rows` (2 of 5: "more pages"); the caller reads `other` (5 of 5)
    let body = json!({"result": {"rows": [1, 2], "other": [1, 2, 3, 4, 5]}, "total": 5});
    server.route("/r", Reply::json(&body));
    let detected = |selector: Option<&str>| {
        let options = PaginateOptions {
            data_selector: selector.map(|s| restclient_select::Selector::parse(s).unwrap()),
            ..PaginateOptions::default()
        };
        let url = server.url("/r");
        async move {
            let (pages, err) = collect(get(&url), options).await;
            assert!(err.is_none(), "{err:?}");
            pages[0].detected.clone().unwrap()
        }
    };
    assert_eq!(detected(Some("result.other")).await.warning, None);
    let rows = detected(Some("result.rows")).await.warning.unwrap();
    assert!(rows.contains("`total: 5` (2 records read)"), "{rows}");
    let own = detected(None).await.warning.unwrap();
    assert!(own.contains("(2 records read)"), "{own}");
}
