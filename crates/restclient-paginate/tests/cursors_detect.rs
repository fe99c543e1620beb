//! Cursor paginators and auto-detection against a real server (spec scenarios 49–79).
#![allow(clippy::unwrap_used)] // test helpers and responders outside #[test] functions

mod common;

use common::*;
use restclient_paginate::*;
use restclient_testkit::{RecordedRequest, Reply, Sequence, TestServer};
use serde_json::json;

#[tokio::test]
async fn json_cursor_string_then_int_then_null() {
    // scenario 49
    let server = TestServer::start().await;
    server.route(
        "/p15",
        Sequence::new([
            Reply::json(&json!({"data": [1], "next_cursor": "abc"})),
            Reply::json(&json!({"data": [2], "next_cursor": 5})),
            Reply::json(&json!({"data": [3], "next_cursor": null})),
        ]),
    );
    let p = CursorConfig {
        cursor_path: "next_cursor".into(),
        ..Default::default()
    }
    .build()
    .unwrap();
    let (pages, err) = collect(get(&server.url("/p15?q=1")), opts(p, "data")).await;
    assert!(err.is_none());
    assert_eq!(
        queries(&server, "/p15"),
        ["q=1", "q=1&cursor=abc", "q=1&cursor=5"]
    );
    assert_eq!(
        pages[1].paginator_state,
        PaginatorState::Cursor {
            cursor: Some(json!(5)),
            has_next_page: true
        }
    );
}

#[tokio::test]
async fn falsy_cursors_stop_and_objects_are_errors() {
    // scenario 50
    for cursor in [json!(0), json!(""), json!(false), json!({}), json!([])] {
        let server = TestServer::start().await;
        server.route(
            "/c",
            Reply::json(&json!({"data": [1], "cursors": {"next": cursor}})),
        );
        let p = CursorConfig::default().build().unwrap();
        let (pages, err) = collect(get(&server.url("/c")), opts(p, "data")).await;
        assert!(err.is_none(), "{cursor}");
        assert_eq!(pages.len(), 1);
    }
    for cursor in [json!({"a": 1}), json!([1])] {
        let server = TestServer::start().await;
        server.route(
            "/c",
            Reply::json(&json!({"data": [1], "cursors": {"next": cursor}})),
        );
        let (pages, err) = collect(
            get(&server.url("/c")),
            opts(CursorConfig::default().build().unwrap(), "data"),
        )
        .await;
        assert!(pages.is_empty());
        assert!(
            matches!(err, Some(PaginateError::InvalidCursor { .. })),
            "{err:?}"
        );
    }
}

#[tokio::test]
async fn cursor_in_post_body() {
    // scenario 51
    let server = TestServer::start().await;
    server.route("/p16", |r: &RecordedRequest| {
        let next = match r.json()["pagination"]["cursor"].as_str() {
            None => json!("c2"),
            Some("c2") => json!("c3"),
            _ => json!(null),
        };
        Reply::json(&json!({"data": [1], "meta": {"next": next}}))
    });
    let p = CursorConfig {
        cursor_path: "meta.next".into(),
        cursor_body_path: Some("pagination.cursor".into()),
        ..Default::default()
    }
    .build()
    .unwrap();
    collect(
        post_json(&server.url("/p16"), json!({"query": "x"})),
        opts(p, "data"),
    )
    .await;
    let bodies: Vec<String> = server.requests_to("/p16").iter().map(|r| r.text()).collect();
    assert_eq!(
        bodies,
        [
            r#"{"query":"x"}"#,
            r#"{"query":"x","pagination":{"cursor":"c2"}}"#,
            r#"{"query":"x","pagination":{"cursor":"c3"}}"#
        ]
    );
}

#[tokio::test]
async fn cursor_empty_page_has_more_and_null_data() {
    // scenarios 52, 53, 54
    let seq = || {
        Sequence::new([
            Reply::json(&json!({"data": [1], "cursors": {"next": "a"}})),
            Reply::json(&json!({"data": [], "cursors": {"next": "b"}})),
            Reply::json(&json!({"data": [3], "cursors": {"next": null}})),
        ])
    };
    let server = TestServer::start().await;
    server.route("/default", seq());
    server.route("/stop", seq());
    collect(
        get(&server.url("/default")),
        opts(CursorConfig::default().build().unwrap(), "data"),
    )
    .await;
    assert_eq!(server.hits("/default"), 3);
    let p = CursorConfig {
        stop_after_empty_page: true,
        ..Default::default()
    }
    .build()
    .unwrap();
    collect(get(&server.url("/stop")), opts(p, "data")).await;
    assert_eq!(server.hits("/stop"), 2);

    server.route(
        "/p18",
        Reply::json(&json!({"data": [1], "cursors": {"next": "x"}, "has_more": false})),
    );
    let p = CursorConfig {
        has_more_path: Some("has_more".into()),
        ..Default::default()
    }
    .build()
    .unwrap();
    collect(get(&server.url("/p18")), opts(p, "data")).await;
    assert_eq!(server.hits("/p18"), 1);

    server.route(
        "/p96",
        Sequence::new([
            Reply::json(&json!({"users": items(0, 10), "next_token": "t"})),
            Reply::json(&json!({"users": items(10, 14), "next_token": "u"})),
            Reply::json(&json!({"users": null, "next_token": null})),
        ]),
    );
    let p = CursorConfig {
        cursor_path: "next_token".into(),
        ..Default::default()
    }
    .build()
    .unwrap();
    let (pages, _) = collect(get(&server.url("/p96")), opts(p, "users")).await;
    assert_eq!(
        pages.iter().map(|p| p.records.len()).collect::<Vec<_>>(),
        [10, 4, 0]
    );
}

#[tokio::test]
async fn header_cursor_case_insensitive_and_empty_stops() {
    // scenarios 55, 56 (our deviation), 57
    let server = TestServer::start().await;
    server.route(
        "/p19",
        Sequence::new([
            Reply::json(&json!([1])).header("x-next-token", "t2"),
            Reply::json(&json!([2])).header("x-next-token", "t3"),
            Reply::json(&json!([3])),
        ]),
    );
    let p = HeaderCursorConfig {
        cursor_key: "X-Next-Token".into(),
        ..Default::default()
    }
    .build()
    .unwrap();
    let (pages, err) = collect(get(&server.url("/p19")), opts(p, "$")).await;
    assert!(err.is_none());
    assert_eq!(pages.len(), 3);
    assert_eq!(queries(&server, "/p19"), ["", "cursor=t2", "cursor=t3"]);

    server.route("/p20", Reply::json(&json!([1])).header("next", ""));
    collect(
        get(&server.url("/p20")),
        opts(HeaderCursorConfig::default().build().unwrap(), "$"),
    )
    .await;
    assert_eq!(server.hits("/p20"), 1);

    server.route("/pages", |r: &RecordedRequest| {
        let page: u32 = r.query_param("page").map_or(1, |p| p.parse().unwrap());
        let reply = Reply::json(&json!([page]));
        if page < 5 {
            reply.header("cursor", &(page + 1).to_string())
        } else {
            reply
        }
    });
    let p = HeaderCursorConfig {
        cursor_key: "cursor".into(),
        cursor_param: "page".into(),
    }
    .build()
    .unwrap();
    let (pages, _) = collect(get(&server.url("/pages")), opts(p, "$")).await;
    assert_eq!(pages.len(), 5);

    // the same cursor twice is a loop
    server.route("/stuck", Reply::json(&json!([1])).header("next", "same"));
    let (pages, err) = collect(
        get(&server.url("/stuck")),
        opts(HeaderCursorConfig::default().build().unwrap(), "$"),
    )
    .await;
    assert_eq!(pages.len(), 2);
    assert!(matches!(err, Some(PaginateError::Loop { .. })));
}

#[test]
fn cursor_validation() {
    // scenario 58
    let err = CursorConfig {
        cursor_param: Some("cursor".into()),
        cursor_body_path: Some("page".into()),
        ..Default::default()
    }
    .build()
    .unwrap_err();
    assert!(err.to_string().contains("not both"));
    assert!(
        CursorConfig {
            cursor_param: Some(String::new()),
            ..Default::default()
        }
        .build()
        .is_err()
    );
    assert!(
        HeaderCursorConfig {
            cursor_param: String::new(),
            ..Default::default()
        }
        .build()
        .is_err()
    );
}

async fn detect_run(server: &TestServer, path: &str) -> (Vec<Page>, Option<PaginateError>) {
    collect(get(&server.url(path)), PaginateOptions::default()).await
}

#[tokio::test]
async fn detection_end_to_end() {
    let server = TestServer::start().await;
    // 59: Link beats JSON next
    server.route("/p21", |r: &RecordedRequest| match r.query() {
        "" => Reply::json(&json!({"data": [1], "next": "/p21?json=1"}))
            .header("link", "</p21?link=1>; rel=\"next\""),
        _ => Reply::json(&json!({"data": [2]})),
    });
    let (pages, _) = detect_run(&server, "/p21").await;
    assert_eq!(pages[0].detected.as_ref().unwrap().paginator, "header_link");
    assert_eq!(queries(&server, "/p21"), ["", "link=1"]);
    assert!(pages[1].detected.is_none());

    // 61: totalPages → page number, dlt's quirk: "", page=1, page=2
    server.route(
        "/p23",
        Reply::json(&json!({"data": [1], "meta": {"totalPages": 3}})),
    );
    let (pages, _) = detect_run(&server, "/p23").await;
    assert_eq!(queries(&server, "/p23"), ["", "page=1", "page=2"]);
    let d = pages[0].detected.clone().unwrap();
    assert_eq!((d.paginator, d.score), ("page_number", 0.5));
    assert_eq!(pages[0].data_selector.as_str(), sel("data").as_str());

    // our deviation (row 5): the response states page 1 → continue from 2
    server.route(
        "/stated",
        Reply::json(&json!({"data": [1], "page": 1, "total_pages": 3})),
    );
    detect_run(&server, "/stated").await;
    assert_eq!(queries(&server, "/stated"), ["", "page=2", "page=3"]);

    // 62, 63, 65: cursors
    server.route("/p24", |r: &RecordedRequest| match r.query() {
        "" => Reply::json(&json!({"results": [1], "next_cursor": "abc"})),
        _ => Reply::json(&json!({"results": [2], "next_cursor": null})),
    });
    detect_run(&server, "/p24").await;
    assert_eq!(queries(&server, "/p24"), ["", "cursor=abc"]);
    server.route("/p25", |r: &RecordedRequest| match r.query() {
        "" => Reply::json(&json!({"next": "?page=2"})),
        _ => Reply::json(&json!({"next": null})),
    });
    detect_run(&server, "/p25").await;
    assert_eq!(server.requests_to("/p25")[1].query(), "cursor=%3Fpage%3D2");

    // 64, 68, 71, 72: single page
    for (path, body, n) in [
        ("/p75", json!({"next": null, "data": [1]}), 1),
        (
            "/p95",
            json!({"data": [1], "total": 50, "offset": 0, "limit": 10}),
            1,
        ),
        ("/p26", json!([1, 2, 3]), 3),
        ("/p27", json!({"id": 1, "name": "x"}), 1),
    ] {
        server.route(path, Reply::json(&body));
        let (pages, err) = detect_run(&server, path).await;
        assert!(err.is_none());
        assert_eq!(server.hits(path), 1, "{path}");
        assert_eq!(pages[0].records.len(), n, "{path}");
        assert_eq!(pages[0].detected.as_ref().unwrap().paginator, "single_page");
    }

    // 66: nested href
    server.route("/p77", |r: &RecordedRequest| match r.query() {
        "" => Reply::json(&json!({"items": [1], "pagination": {"next": {"href": "/p77?page=2"}}})),
        _ => Reply::json(&json!({"items": [2], "pagination": {"next": null}})),
    });
    let (pages, _) = detect_run(&server, "/p77").await;
    assert_eq!(
        pages[0].detected.as_ref().unwrap().description,
        r#"json_link(next_url_path="pagination.next.href")"#
    );
    assert_eq!(pages.len(), 2);

    // 67: {"pages": 1} → one request
    server.route("/p78", Reply::json(&json!({"data": [1], "pages": 1})));
    detect_run(&server, "/p78").await;
    assert_eq!(server.hits("/p78"), 1);

    // 78: selector fixed after page 1
    server.route("/p92", |r: &RecordedRequest| match r.query() {
        "" => Reply::json(&json!({"data": [1], "next": "/p92?p=2"})),
        _ => Reply::json(&json!({"results": [2]})),
    });
    let (pages, _) = detect_run(&server, "/p92").await;
    assert_eq!(records(&pages), [vec![json!(1)], vec![]]);
}

#[tokio::test]
async fn default_paginator_follows_next_page() {
    // scenario 79
    let server = TestServer::start().await;
    let abs = server.url("/posts");
    server.route("/posts", move |r: &RecordedRequest| {
        let page: i64 = r.query_param("page").map_or(1, |p| p.parse().unwrap());
        let mut body = json!({"data": items(page * 10, page * 10 + 10), "page": page, "total_pages": 5});
        if page < 5 {
            body["next_page"] = json!(format!("{abs}?page={}", page + 1));
        }
        Reply::json(&body)
    });
    let (pages, err) = detect_run(&server, "/posts").await;
    assert!(err.is_none());
    assert_eq!(pages.len(), 5);
    assert_eq!(pages[0].detected.as_ref().unwrap().paginator, "json_link");
}

#[tokio::test]
async fn config_built_paginators_run() {
    let server = TestServer::start().await;
    server.route("/cfg", |r: &RecordedRequest| {
        let offset: i64 = r.query_param("skip").unwrap().parse().unwrap();
        Reply::json(&json!({"data": items(offset, (offset + 2).min(5)), "count": 5}))
    });
    let cfg: PaginatorConfig = serde_json::from_value(json!({
        "type": "offset", "limit": 2, "offset_param": "skip", "limit_param": "take", "total_path": "count"
    }))
    .unwrap();
    let o = PaginateOptions {
        paginator: cfg.build().unwrap(),
        data_selector: Some(sel("data")),
        ..Default::default()
    };
    let (pages, _) = collect(get(&server.url("/cfg")), o).await;
    assert_eq!(pages.iter().map(|p| p.records.len()).sum::<usize>(), 5);
    assert_eq!(queries(&server, "/cfg")[1], "skip=2&take=2");
}
