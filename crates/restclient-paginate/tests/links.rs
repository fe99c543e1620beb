//! Link-following, single page, hooks, status and transport errors against a real server.
#![allow(clippy::unwrap_used)] // test helpers and responders outside #[test] functions

mod common;

use common::*;
use restclient_paginate::*;
use restclient_testkit::{RecordedRequest, Reply, TestServer};
use serde_json::json;

#[tokio::test]
async fn json_link_absolute_then_stop() {
    // scenario 1
    let server = TestServer::start().await;
    let base = server.url("/p01");
    server.route("/p01", move |r: &RecordedRequest| {
        let page: i64 = r.query_param("page").map_or(1, |p| p.parse().unwrap());
        let mut body = json!({"data": items(page * 10, page * 10 + 2)});
        if page < 3 {
            body["next"] = json!(format!("{base}?page={}", page + 1));
        }
        Reply::json(&body)
    });
    let (pages, err) = collect(
        get(&server.url("/p01")),
        opts(JsonLinkPaginator::default(), "data"),
    )
    .await;
    assert!(err.is_none(), "{err:?}");
    assert_eq!(queries(&server, "/p01"), ["", "page=2", "page=3"]);
    assert_eq!(records(&pages)[2], vec![json!({"id": 30}), json!({"id": 31})]);
    assert_eq!(pages[0].paginator, "json_link");
    assert!(pages[0].has_next_page && !pages[2].has_next_page);
    assert_eq!(pages[1].request.uri().query(), Some("page=2"));
}

#[tokio::test]
async fn json_link_relative_forms_and_dropped_params() {
    // scenarios 2 and 3
    let server = TestServer::start().await;
    let next = |n: Option<&str>| Reply::json(&json!({"data": [1], "next": n}));
    server.route("/api/v1/items", |r: &RecordedRequest| {
        match r.query_param("page").as_deref() {
            None => Reply::json(&json!({"data": [1], "next": "/api/v1/items?page=2"})),
            Some("2") => Reply::json(&json!({"data": [2], "next": "?page=3"})),
            Some("3") => Reply::json(&json!({"data": [3], "next": "items?page=4"})),
            _ => Reply::json(&json!({"data": [4], "next": "../v2/items?page=5"})),
        }
    });
    server.route("/api/v2/items", next(None));
    let (pages, err) = collect(
        get(&server.url("/api/v1/items?q=x")),
        opts(JsonLinkPaginator::default(), "data"),
    )
    .await;
    assert!(err.is_none());
    let seen: Vec<String> = server.requests().iter().map(|r| r.uri.to_string()).collect();
    assert_eq!(
        seen,
        [
            "/api/v1/items?q=x",
            "/api/v1/items?page=2",
            "/api/v1/items?page=3",
            "/api/v1/items?page=4",
            "/api/v2/items?page=5"
        ]
    );
    assert_eq!(pages.len(), 5);
}

#[tokio::test]
async fn json_link_bracket_path_and_nested_detection_paths() {
    // scenario 9
    let server = TestServer::start().await;
    let url = server.url("/p70?skip=1");
    server.route("/p70", move |r: &RecordedRequest| {
        if r.query().is_empty() {
            Reply::json(&json!({"value": [1], "@odata.nextLink": url}))
        } else {
            Reply::json(&json!({"value": [2]}))
        }
    });
    let p = JsonLinkPaginator::new("['@odata.nextLink']").unwrap();
    let (pages, err) = collect(get(&server.url("/p70")), opts(p, "value")).await;
    assert!(err.is_none());
    assert_eq!(records(&pages), [vec![json!(1)], vec![json!(2)]]);
}

#[tokio::test]
async fn json_link_empty_or_non_string_ends_pagination() {
    // scenarios 10 and 11, our deviation (table row 1)
    for next in [
        json!(""),
        json!(false),
        json!(0),
        json!({"href": "/x"}),
        json!(null),
    ] {
        let server = TestServer::start().await;
        server.route("/p93", Reply::json(&json!({"data": [1], "next": next})));
        let (pages, err) = collect(
            get(&server.url("/p93")),
            opts(JsonLinkPaginator::default(), "data"),
        )
        .await;
        assert!(err.is_none(), "{next}: {err:?}");
        assert_eq!(pages.len(), 1, "{next}");
        assert_eq!(server.hits("/p93"), 1);
    }
}

#[tokio::test]
async fn json_link_invalid_url_is_typed_error_after_the_page() {
    let server = TestServer::start().await;
    server.route(
        "/bad",
        Reply::json(&json!({"data": [1], "next": "ftp://h/x?token=s3cr3t"})),
    );
    let (pages, err) = collect(
        get(&server.url("/bad")),
        opts(JsonLinkPaginator::default(), "data"),
    )
    .await;
    assert_eq!(pages.len(), 1);
    let err = err.unwrap();
    assert!(matches!(err, PaginateError::InvalidNextUrl { .. }), "{err}");
    assert!(!err.to_string().contains("s3cr3t"), "{err}");
}

#[tokio::test]
async fn self_referencing_link_is_a_loop_error() {
    // scenario 12, our deviation (table row 8)
    let server = TestServer::start().await;
    let me = server.url("/p61?api_key=k3y");
    server.route("/p61", Reply::json(&json!({"data": [1], "next": me})));
    let (pages, err) = collect(
        get(&server.url("/p61?api_key=k3y")),
        opts(JsonLinkPaginator::default(), "data"),
    )
    .await;
    assert_eq!(pages.len(), 1);
    assert_eq!(server.hits("/p61"), 1);
    let err = err.unwrap();
    assert!(matches!(err, PaginateError::Loop { .. }), "{err}");
    assert!(err.to_string().contains("api_key=***"), "{err}");
}

#[tokio::test]
async fn header_link_prev_next_and_several_headers() {
    // scenario 5
    let server = TestServer::start().await;
    let abs = server.url("/p04");
    server.route("/p04", move |r: &RecordedRequest| match r.query() {
        "" => Reply::json(&json!([1, 2])).header(
            "link",
            &format!("<{abs}?page=1>; rel=\"prev\", <{abs}?page=2>; rel=\"next\""),
        ),
        "page=2" => Reply::json(&json!([3]))
            .header("link", "</p04?page=9>; rel=\"last\"")
            .header("link", "</p04?page=3>; rel=\"next\""),
        _ => Reply::json(&json!([4])),
    });
    let (pages, err) = collect(
        get(&server.url("/p04")),
        opts(HeaderLinkPaginator::default(), "$"),
    )
    .await;
    assert!(err.is_none());
    assert_eq!(queries(&server, "/p04"), ["", "page=2", "page=3"]);
    assert_eq!(
        records(&pages),
        [vec![json!(1), json!(2)], vec![json!(3)], vec![json!(4)]]
    );
}

#[tokio::test]
async fn header_link_rel_matching_is_exact() {
    // scenarios 6, 7, 8
    let server = TestServer::start().await;
    server.route("/p85", |r: &RecordedRequest| match r.query() {
        "" => Reply::json(&json!([1])).header("link", "</p85?page=2>; rel=next"),
        _ => Reply::json(&json!([2])).header("link", "</p85?page=3>; rel=\"Next\""),
    });
    server.route(
        "/last",
        Reply::json(&json!([1])).header("link", "</last?p=2>; rel=\"next last\""),
    );
    server.route("/custom", |r: &RecordedRequest| match r.query() {
        "" => Reply::json(&json!([1])).header("link", "</custom?p=2>; rel=\"nextPage\""),
        _ => Reply::json(&json!([2])),
    });
    collect(
        get(&server.url("/p85")),
        opts(HeaderLinkPaginator::default(), "$"),
    )
    .await;
    assert_eq!(server.hits("/p85"), 2);
    collect(
        get(&server.url("/last")),
        opts(HeaderLinkPaginator::default(), "$"),
    )
    .await;
    assert_eq!(server.hits("/last"), 1);
    collect(
        get(&server.url("/custom")),
        opts(HeaderLinkPaginator::new("nextPage"), "$"),
    )
    .await;
    assert_eq!(server.hits("/custom"), 2);
}

#[tokio::test]
async fn broken_link_header_is_a_typed_error() {
    let server = TestServer::start().await;
    server.route(
        "/broken",
        Reply::json(&json!([1])).header("link", "<http://h/?p=2; rel=next"),
    );
    let (pages, err) = collect(
        get(&server.url("/broken")),
        opts(HeaderLinkPaginator::default(), "$"),
    )
    .await;
    assert!(pages.is_empty());
    assert!(
        matches!(err, Some(PaginateError::InvalidLinkHeader { .. })),
        "{err:?}"
    );
}

#[tokio::test]
async fn single_page_ignores_links() {
    // scenario 14
    let server = TestServer::start().await;
    server.route(
        "/p66",
        Reply::json(&json!({"data": [1], "next": "/p66?x=2"})).header("link", "</p66?p=2>; rel=next"),
    );
    let (pages, err) = collect(get(&server.url("/p66")), opts(SinglePagePaginator::new(), "data")).await;
    assert!(err.is_none());
    assert_eq!(pages.len(), 1);
    assert_eq!(server.hits("/p66"), 1);
    assert_eq!(
        pages[0].paginator_state,
        PaginatorState::SinglePage { has_next_page: false }
    );
}

#[tokio::test]
async fn status_errors_hooks_and_ignore() {
    // scenarios 92, 103, 104
    let server = TestServer::start().await;
    server.route(
        "/gone",
        Reply::json(&json!({"data": ["from-404"]})).with_status(404),
    );
    let (pages, err) = collect(
        get(&server.url("/gone?token=t0k3n")),
        opts(SinglePagePaginator::new(), "data"),
    )
    .await;
    assert!(pages.is_empty());
    let err = err.unwrap();
    assert_eq!(
        err.to_string(),
        format!(
            "404 Client Error: Not Found for url: {}",
            server.url("/gone?token=***")
        )
    );
    assert!(matches!(&err, PaginateError::Status(s) if s.status() == 404));

    // a custom hook replaces the default raise: the 404 body is data
    let mut o = opts(SinglePagePaginator::new(), "data");
    o.response_hooks
        .push(ResponseHook::new(|_| Ok(HookAction::Continue)));
    let (pages, err) = collect(get(&server.url("/gone")), o).await;
    assert!(err.is_none());
    assert_eq!(records(&pages), [vec![json!("from-404")]]);

    // a hook that stops on 404: page 1 only, no error
    server.route("/two", |r: &RecordedRequest| match r.query() {
        "" => Reply::json(&json!({"data": [1], "next": "/two?p=2"})),
        _ => Reply::status(404),
    });
    let mut o = opts(JsonLinkPaginator::default(), "data");
    o.response_hooks.push(ResponseHook::new(|r| {
        Ok(if r.status() == 404 {
            HookAction::Stop
        } else {
            HookAction::Continue
        })
    }));
    let (pages, err) = collect(get(&server.url("/two")), o).await;
    assert!(err.is_none());
    assert_eq!(pages.len(), 1);

    // a failing hook
    let mut o = opts(SinglePagePaginator::new(), "data");
    o.response_hooks.push(ResponseHook::new(|_| Err("nope".into())));
    let (_, err) = collect(get(&server.url("/two")), o).await;
    assert!(matches!(err, Some(PaginateError::Hook(_))));
}

#[tokio::test]
async fn non_json_and_transport_errors() {
    // scenario 84
    let server = TestServer::start().await;
    server.route("/text", Reply::text("not json"));
    server.route("/empty", Reply::status(204));
    for path in ["/text", "/empty"] {
        let (pages, err) = collect(get(&server.url(path)), opts(SinglePagePaginator::new(), "$")).await;
        assert!(pages.is_empty());
        assert!(matches!(err, Some(PaginateError::Select(_))), "{err:?}");
    }
    // also with detection
    let (_, err) = collect(get(&server.url("/text")), PaginateOptions::default()).await;
    assert!(matches!(err, Some(PaginateError::Select(_))), "{err:?}");

    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}/x?api_key=s3cr3t");
    let (_, err) = collect(get(&url), opts(SinglePagePaginator::new(), "$")).await;
    let err = err.unwrap();
    assert!(matches!(err, PaginateError::Transport { .. }), "{err}");
    assert!(err.to_string().contains("api_key=***") && !err.to_string().contains("s3cr3t"));
}
