//! `restclient paginate` against testkit servers: every paginator type, auto-detection, data
//! selectors, the output layouts, request options.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod common;

use common::{command, restclient};
use restclient_testkit::{OffsetApi, RecordedRequest, Reply, TestServer};
use serde_json::{Value, json};

fn ids(records: &[Value]) -> Vec<i64> {
    records.iter().map(|r| r["id"].as_i64().unwrap()).collect()
}

fn num(r: &RecordedRequest, name: &str, default: usize) -> usize {
    r.query_param(name)
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
fn offset_paginator_reads_every_page() {
    let server = TestServer::start_background();
    server.route("/items", OffsetApi::new(10).with_total());
    let run = restclient(&[
        "paginate",
        &server.url("/items"),
        "--paginator",
        r#"{"type":"offset","limit":3,"total_path":"total"}"#,
    ])
    .success();
    assert_eq!(ids(&run.json_lines()), (0..10).collect::<Vec<_>>());
    let offsets: Vec<String> = server
        .requests()
        .iter()
        .map(|r| r.query_param("offset").unwrap_or_default())
        .collect();
    assert_eq!(offsets, ["0", "3", "6", "9"]);
    assert!(
        server
            .requests()
            .iter()
            .all(|r| r.query_param("limit").as_deref() == Some("3"))
    );
    assert_eq!(run.stderr, "", "nothing on stderr when it is not a terminal");
}

#[test]
fn page_number_paginator_counts_pages() {
    let server = TestServer::start_background();
    server.route("/orders", |r: &RecordedRequest| {
        let page = num(r, "page", 1);
        let items: Vec<Value> = (0..2).map(|i| json!({"id": page * 10 + i})).collect();
        Reply::json(&json!({"orders": items, "total_pages": 3}))
    });
    let run = restclient(&[
        "paginate",
        &server.url("/orders"),
        "--paginator",
        r#"{"type":"page_number","base_page":1,"total_path":"total_pages"}"#,
        "--data-selector",
        "orders",
    ])
    .success();
    assert_eq!(ids(&run.json_lines()), [10, 11, 20, 21, 30, 31]);
    let pages: Vec<String> = server
        .requests()
        .iter()
        .filter_map(|r| r.query_param("page"))
        .collect();
    assert_eq!(pages, ["1", "2", "3"]);
}

#[test]
fn cursor_paginator_follows_the_body_cursor() {
    let server = TestServer::start_background();
    server.route("/events", |r: &RecordedRequest| {
        match r.query_param("after").as_deref() {
            None => Reply::json(&json!({"items": [{"id": 1}, {"id": 2}], "meta": {"next": "c2"}})),
            Some("c2") => Reply::json(&json!({"items": [{"id": 3}], "meta": {"next": "c3"}})),
            Some("c3") => Reply::json(&json!({"items": [{"id": 4}], "meta": {"next": null}})),
            Some(_) => Reply::status(400),
        }
    });
    let run = restclient(&[
        "paginate",
        &server.url("/events"),
        "--paginator",
        r#"{"type":"cursor","cursor_path":"meta.next","cursor_param":"after"}"#,
    ])
    .success();
    assert_eq!(ids(&run.json_lines()), [1, 2, 3, 4]);
    assert_eq!(server.hits("/events"), 3);
}

#[test]
fn json_link_paginator_follows_next_urls() {
    let server = TestServer::start_background();
    let base = server.base_url();
    server.route("/products", move |r: &RecordedRequest| {
        let page = num(r, "page", 1);
        let next = (page < 3).then(|| format!("{base}/products?page={}", page + 1));
        Reply::json(&json!({"results": [{"id": page}], "paging": {"next": next}}))
    });
    let run = restclient(&[
        "paginate",
        &server.url("/products"),
        "--paginator",
        r#"{"type":"json_link","next_url_path":"paging.next"}"#,
    ])
    .success();
    assert_eq!(ids(&run.json_lines()), [1, 2, 3]);
}

fn header_link_route(server: &TestServer, pages: usize) {
    let base = server.base_url();
    server.route("/users", move |r: &RecordedRequest| {
        let page = num(r, "page", 1);
        let reply = Reply::json(&json!([{"id": page * 2 - 1}, {"id": page * 2}]));
        if page < pages {
            reply.header(
                "Link",
                &format!(
                    "<{base}/users?page={}>; rel=\"next\", <{base}/users?page={pages}>; rel=\"last\"",
                    page + 1
                ),
            )
        } else {
            reply
        }
    });
}

#[test]
fn header_link_paginator_as_dict_and_as_bare_name() {
    let server = TestServer::start_background();
    header_link_route(&server, 3);
    for paginator in [r#"{"type":"header_link"}"#, "header_link", r#""header_link""#] {
        server.clear_requests();
        let run = restclient(&["paginate", &server.url("/users"), "--paginator", paginator]).success();
        assert_eq!(ids(&run.json_lines()), [1, 2, 3, 4, 5, 6], "{paginator}");
        assert_eq!(server.hits("/users"), 3);
    }
}

#[test]
fn header_cursor_paginator_reads_the_header() {
    let server = TestServer::start_background();
    server.route("/invoices", |r: &RecordedRequest| {
        match r.query_param("cursor").as_deref() {
            None => Reply::json(&json!({"data": [{"id": 1}]})).header("X-Next", "abc"),
            Some("abc") => Reply::json(&json!({"data": [{"id": 2}]})).header("X-Next", "def"),
            Some("def") => Reply::json(&json!({"data": [{"id": 3}]})),
            Some(_) => Reply::status(400),
        }
    });
    let run = restclient(&[
        "paginate",
        &server.url("/invoices"),
        "--paginator",
        r#"{"type":"header_cursor","cursor_key":"x-next","cursor_param":"cursor"}"#,
    ])
    .success();
    assert_eq!(ids(&run.json_lines()), [1, 2, 3]);
}

#[test]
fn single_page_paginator_stops_after_one_request() {
    let server = TestServer::start_background();
    let next = server.url("/other");
    server.route(
        "/one",
        Reply::json(&json!({"data": [{"id": 1}, {"id": 2}], "next": next})),
    );
    let run = restclient(&["paginate", &server.url("/one"), "--paginator", "single_page"]).success();
    assert_eq!(ids(&run.json_lines()), [1, 2]);
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn auto_detects_header_links_and_a_bare_list() {
    let server = TestServer::start_background();
    header_link_route(&server, 2);
    let run = restclient(&["paginate", &server.url("/users")]).success();
    assert_eq!(ids(&run.json_lines()), [1, 2, 3, 4]);
    let run = restclient(&["paginate", &server.url("/users"), "--paginator", "auto"]).success();
    assert_eq!(run.lines().len(), 4);
}

#[test]
fn auto_detects_a_relative_json_link_and_the_records_key() {
    let server = TestServer::start_background();
    server.route("/feed", |r: &RecordedRequest| {
        let page = num(r, "page", 1);
        let next = (page < 2).then(|| format!("/feed?page={}", page + 1));
        Reply::json(
            &json!({"meta": {"count": 4}, "items": [{"id": page * 2 - 1}, {"id": page * 2}], "next": next}),
        )
    });
    let run = restclient(&["paginate", &server.url("/feed")]).success();
    assert_eq!(ids(&run.json_lines()), [1, 2, 3, 4]);
}

#[test]
fn a_body_without_pagination_is_one_page() {
    let server = TestServer::start_background();
    server.route("/one", Reply::json(&json!({"results": [{"id": 7}], "count": 1})));
    let run = restclient(&["paginate", &server.url("/one")]).success();
    assert_eq!(ids(&run.json_lines()), [7]);
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn explicit_data_selectors_in_dlt_and_jsonpath_form() {
    let server = TestServer::start_background();
    server.route(
        "/nested",
        Reply::json(&json!({"result": {"items": [{"id": 1}, {"id": 2}]}, "data": [{"id": 9}]})),
    );
    for selector in ["result.items", "$.result.items"] {
        let run = restclient(&[
            "paginate",
            &server.url("/nested"),
            "--paginator",
            "single_page",
            "--data-selector",
            selector,
        ])
        .success();
        assert_eq!(ids(&run.json_lines()), [1, 2], "{selector}");
    }
}

#[test]
fn records_are_written_as_they_came_and_pretty_ones_compacted() {
    let server = TestServer::start_background();
    let body = "{\"data\": [\n  {\n    \"a\": 1.50,\n    \"s\": \"x y\\n\"\n  },\n  {\"b\": 12345678901234567890123, \"c\": [1, 2]}\n]}";
    server.route("/pretty", Reply::json_text(body));
    let run = restclient(&["paginate", &server.url("/pretty"), "--paginator", "single_page"]).success();
    assert_eq!(
        run.lines(),
        [
            r#"{"a":1.50,"s":"x y\n"}"#,
            r#"{"b": 12345678901234567890123, "c": [1, 2]}"#
        ]
    );
}

#[test]
fn pages_layout_writes_one_array_per_page() {
    let server = TestServer::start_background();
    server.route("/items", OffsetApi::new(5).with_total());
    let run = restclient(&[
        "paginate",
        &server.url("/items"),
        "--paginator",
        r#"{"type":"offset","limit":2,"total_path":"total"}"#,
        "--pages",
    ])
    .success();
    assert_eq!(
        run.lines(),
        [
            r#"[{"id":0},{"id":1}]"#,
            r#"[{"id":2},{"id":3}]"#,
            r#"[{"id":4}]"#
        ]
    );
}

#[test]
fn output_file_receives_the_records() {
    let server = TestServer::start_background();
    server.route("/items", OffsetApi::new(4).with_total());
    let dir = std::env::temp_dir().join(format!("restclient-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("out.ndjson");
    let run = restclient(&[
        "paginate",
        &server.url("/items"),
        "--paginator",
        r#"{"type":"offset","limit":3}"#,
        "--output",
        file.to_str().unwrap(),
    ])
    .success();
    assert_eq!(run.stdout, "");
    let written = std::fs::read_to_string(&file).unwrap();
    assert_eq!(written, "{\"id\":0}\n{\"id\":1}\n{\"id\":2}\n{\"id\":3}\n");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn params_headers_base_url_method_and_json_body_reach_the_server() {
    let server = TestServer::start_background();
    server.route("/api/v1/search", Reply::json(&json!({"data": [{"id": 1}]})));
    restclient(&[
        "paginate",
        "/search",
        "--base-url",
        &server.url("/api/v1"),
        "--paginator",
        "single_page",
        "--param",
        "q=a b",
        "--param",
        "sort=id",
        "--param",
        "q=c",
        "--header",
        "X-Custom: one",
        "--header",
        "Accept-Language:de",
        "--method",
        "POST",
        "--json",
        r#"{"filter":{"x":1}}"#,
    ])
    .success();
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let r = &requests[0];
    assert_eq!(r.path(), "/api/v1/search");
    assert_eq!(r.method, http::Method::POST);
    assert_eq!(
        r.query_pairs(),
        [
            ("q".into(), "a b".into()),
            ("sort".into(), "id".into()),
            ("q".into(), "c".into())
        ]
    );
    assert_eq!(r.header("x-custom"), Some("one"));
    assert_eq!(r.header("accept-language"), Some("de"));
    assert_eq!(r.json(), json!({"filter": {"x": 1}}));
}

#[test]
fn a_closed_stdout_ends_quietly() {
    let server = TestServer::start_background();
    server.route("/many", OffsetApi::new(200_000).with_total());
    let mut cmd = command(&[
        "paginate",
        &server.url("/many"),
        "--paginator",
        r#"{"type":"offset","limit":1000}"#,
    ]);
    let mut child = cmd.spawn().unwrap();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    std::io::BufRead::read_line(&mut stdout, &mut first).unwrap();
    assert_eq!(first, "{\"id\":0}\n");
    drop(stdout);
    let status = common::wait(&mut child);
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(status.success(), "exit {status:?}, stderr {stderr}");
    assert_eq!(stderr, "");
    assert!(server.hits("/many") < 200, "stopped early");
}

#[test]
fn request_logs_appear_only_when_asked_for() {
    let server = TestServer::start_background();
    server.route("/items", OffsetApi::new(2).with_total());
    let args = [
        "paginate",
        &server.url("/items"),
        "--paginator",
        r#"{"type":"offset","limit":5}"#,
        "--param",
        "api_key=k-SECRET-77",
    ];
    let quiet = restclient(&args).success();
    assert_eq!(quiet.stderr, "");
    for (var, level) in [("RUNTIME__LOG_LEVEL", "INFO"), ("RUST_LOG", "info")] {
        let mut cmd = command(&args);
        cmd.env(var, level);
        let run = common::run(cmd).success();
        assert_eq!(run.lines().len(), 2);
        assert!(run.stderr.contains("/items"), "{var}: {}", run.stderr);
        assert!(!run.stderr.contains("k-SECRET-77"), "{var}: {}", run.stderr);
    }
}

#[test]
fn records_stream_out_while_a_slow_page_is_pending() {
    use std::io::{BufRead, BufReader};
    use std::time::{Duration, Instant};
    let server = TestServer::start_background();
    server.route("/slow", |r: &RecordedRequest| {
        let reply = Reply::json(&json!({"data": [{"id": num(r, "page", 0)}], "total_pages": 2}));
        // The second page takes long: the first must reach the reader before it arrives.
        if r.query_param("page").as_deref() == Some("1") {
            reply.delay(Duration::from_millis(1500))
        } else {
            reply
        }
    });
    let mut child = command(&[
        "paginate",
        &server.url("/slow"),
        "--paginator",
        r#"{"type":"page_number","total_path":"total_pages"}"#,
        "--data-selector",
        "data",
    ])
    .spawn()
    .unwrap();
    let started = Instant::now();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    let first_line_after = started.elapsed();
    let status = common::wait(&mut child);
    let exited_after = started.elapsed();
    assert!(status.success());
    assert_eq!(first.trim(), r#"{"id":0}"#);
    // Measured against the exit, not the clock, so a loaded machine cannot fail it.
    assert!(
        exited_after.saturating_sub(first_line_after) >= Duration::from_millis(1000),
        "the first page was held back until the second arrived ({first_line_after:?} of {exited_after:?})"
    );
}

/// Detection that settles on one page while the response says there is more warns on stderr,
/// naming the field; nowhere else.
#[test]
fn a_single_detected_page_with_signs_of_more_warns() {
    let server = TestServer::start_background();
    server.route(
        "/more",
        Reply::json(&json!({"items": [{"id": 1}], "has_more": true})),
    );
    server.route(
        "/done",
        Reply::json(&json!({"items": [{"id": 1}], "has_more": false})),
    );
    server.route("/plain", Reply::json(&json!([{"id": 1}])));
    let run = restclient(&["paginate", &server.url("/more")]).success();
    assert_eq!(run.lines(), [r#"{"id":1}"#]);
    let warning: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("warning: "))
        .collect();
    assert_eq!(warning.len(), 1, "{}", run.stderr);
    assert!(warning[0].contains("has_more"), "{}", warning[0]);
    for path in ["/done", "/plain"] {
        let run = restclient(&["paginate", &server.url(path)]).success();
        assert!(!run.stderr.contains("warning"), "{path}: {}", run.stderr);
    }
    let quiet = restclient(&["paginate", &server.url("/more"), "--quiet"]).success();
    assert!(quiet.stderr.is_empty(), "{}", quiet.stderr);
}
