//! Retries, HTTP and transport errors, bad command lines: exit status and the one stderr line.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod common;

use common::restclient;
use restclient_testkit::{Reply, Sequence, TestServer, fail_times};
use serde_json::json;

fn ok_page() -> Reply {
    Reply::json(&json!({"data": [{"id": 1}]}))
}

#[test]
fn transient_failures_are_retried() {
    let server = TestServer::start_background();
    server.route("/flaky", fail_times(2, Reply::status(503), ok_page()));
    server.route("/reset", fail_times(1, Reply::close_connection(), ok_page()));
    server.route(
        "/limited",
        Sequence::new([Reply::status(429).header("Retry-After", "0.05"), ok_page()]),
    );
    for path in ["/flaky", "/reset", "/limited"] {
        let run = restclient(&[
            "paginate",
            &server.url(path),
            "--paginator",
            "single_page",
            "--backoff-factor",
            "0.01",
        ])
        .success();
        assert_eq!(run.lines(), [r#"{"id":1}"#], "{path}");
    }
    assert_eq!(server.hits("/flaky"), 3);
}

#[test]
fn exhausted_retries_fail_with_status_and_url() {
    let server = TestServer::start_background();
    server.route("/down", Reply::status(503));
    let run = restclient(&[
        "paginate",
        &server.url("/down"),
        "--param",
        "page=1",
        "--max-attempts",
        "3",
        "--backoff-factor",
        "0.01",
    ]);
    assert_eq!(run.code(), 1);
    let line = run.failure_line();
    assert!(line.contains("503"), "{line}");
    assert!(line.contains(&server.url("/down")), "{line}");
    assert_eq!(server.hits("/down"), 3);
}

#[test]
fn a_client_error_is_not_retried_and_secrets_are_redacted() {
    let server = TestServer::start_background();
    let run = restclient(&[
        "paginate",
        &server.url("/missing"),
        "--param",
        "api_key=k-SECRET-8",
        "--param",
        "page=2",
        "--header",
        "Authorization: Bearer tok-SECRET-8",
        "--backoff-factor",
        "0.01",
    ]);
    let line = run.failure_line();
    assert!(line.contains("404"), "{line}");
    assert!(line.contains("/missing"), "{line}");
    assert!(line.contains("api_key=***"), "{line}");
    assert!(!run.stderr.contains("SECRET"), "{}", run.stderr);
    assert_eq!(server.hits("/missing"), 1);
}

#[test]
fn an_error_mid_pagination_keeps_the_records_already_written() {
    let server = TestServer::start_background();
    let next = server.url("/p2");
    server.route(
        "/p1",
        ok_page().header("Link", &format!("<{next}>; rel=\"next\"")),
    );
    server.route("/p2", Reply::status(500));
    let run = restclient(&[
        "paginate",
        &server.url("/p1"),
        "--max-attempts",
        "2",
        "--backoff-factor",
        "0.01",
    ]);
    assert_eq!(run.lines(), [r#"{"id":1}"#]);
    let line = run.failure_line();
    assert!(line.contains("500") && line.contains("/p2"), "{line}");
}

#[test]
fn connection_refused_and_timeouts_fail_with_the_url() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}/nothing");
    let run = restclient(&["paginate", &url, "--max-attempts", "1"]);
    assert_eq!(run.code(), 1);
    let line = run.failure_line();
    assert!(line.contains(&format!("127.0.0.1:{port}")), "{line}");

    let server = TestServer::start_background();
    server.route("/slow", ok_page().delay(std::time::Duration::from_secs(5)));
    let started = std::time::Instant::now();
    let run = restclient(&[
        "paginate",
        &server.url("/slow"),
        "--timeout",
        "0.2",
        "--max-attempts",
        "1",
    ]);
    let line = run.failure_line();
    assert!(line.contains("/slow"), "{line}");
    assert!(started.elapsed() < std::time::Duration::from_secs(4));
}

#[test]
fn a_body_that_is_not_json_fails() {
    let server = TestServer::start_background();
    server.route("/html", Reply::text("<html>oops</html>"));
    let run = restclient(&["paginate", &server.url("/html")]);
    assert_eq!(run.code(), 1);
    run.failure_line();
}

#[test]
fn bad_command_lines_are_usage_errors_on_one_line() {
    let cases: &[&[&str]] = &[
        &["paginate", "http://127.0.0.1:9/x", "--paginator", "{not json"],
        &[
            "paginate",
            "http://127.0.0.1:9/x",
            "--paginator",
            r#"{"type":"no_such"}"#,
        ],
        &[
            "paginate",
            "http://127.0.0.1:9/x",
            "--paginator",
            r#"{"type":"offset"}"#,
        ],
        &["paginate", "http://127.0.0.1:9/x", "--auth", "not json"],
        &["paginate", "http://127.0.0.1:9/x", "--param", "novalue"],
        &["paginate", "http://127.0.0.1:9/x", "--header", "no colon here"],
        &["paginate", "http://127.0.0.1:9/x", "--data-selector", "$[?("],
        &["paginate", "http://127.0.0.1:9/x", "--json", "{"],
        &["paginate", "http://127.0.0.1:9/x", "--method", "PUT"],
        &["paginate", "http://127.0.0.1:9/x", "--timeout", "-1"],
        &["paginate", "http://127.0.0.1:9/x", "--max-attempts", "many"],
        &["paginate", "http://127.0.0.1:9/x", "--no-such-option"],
        &["paginate", "/relative/without/base"],
        &["frobnicate"],
    ];
    for args in cases {
        let run = restclient(args);
        let line = run.failure_line();
        assert_eq!(run.code(), 2, "{args:?}: {line}");
        assert_eq!(run.stdout, "", "{args:?}");
    }
}

#[test]
fn help_and_version_succeed() {
    let run = restclient(&["--help"]).success();
    assert!(run.stdout.contains("paginate") && run.stdout.contains("demo"));
    let run = restclient(&["paginate", "--help"]).success();
    for option in [
        "--base-url",
        "--paginator",
        "--data-selector",
        "--param",
        "--header",
        "--auth",
        "--method",
        "--json",
        "--max-attempts",
        "--backoff-factor",
        "--max-retry-delay",
        "--timeout",
        "--output",
        "--pages",
        "--quiet",
    ] {
        assert!(run.stdout.contains(option), "{option} missing from help");
    }
    restclient(&["--version"]).success();
}

/// Every failure the page loop can meet names the URL of the page (secrets masked) and the page.
#[test]
fn every_failure_names_the_url_and_page_it_happened_on() {
    let server = TestServer::start_background();
    let page1 = |next: &str| json!({"data": [{"id": 1}], "total": 20, "next": next});
    // page 2 of each route is the broken one
    let cases: Vec<(&str, Reply, &str, &str)> = vec![
        (
            "/malformed",
            Reply::json_text("{\"data\": [1, }"),
            "malformed JSON",
            "json_link",
        ),
        (
            "/html",
            Reply::text("<html><body>hi</body></html>").header("content-type", "text/html"),
            "malformed JSON",
            "json_link",
        ),
        (
            "/utf8",
            Reply::json_text(b"{\"data\": [\"\xff\xfe\"]}".to_vec()),
            "malformed JSON",
            "json_link",
        ),
        ("/status", Reply::status(500), "500 Server Error", "json_link"),
    ];
    for (path, broken, needle, _) in &cases {
        let next = server.url(&format!("{path}?page=2&api_key=k-URL-SECRET-1"));
        server.route(path, Sequence::new([Reply::json(&page1(&next)), broken.clone()]));
        let run = restclient(&[
            "paginate",
            &server.url(path),
            "--paginator",
            r#"{"type":"json_link","next_url_path":"next"}"#,
            "--data-selector",
            "data",
            "--max-attempts",
            "1",
        ]);
        let line = run.failure_line();
        assert!(line.contains(needle), "{path}: {line}");
        assert!(
            line.contains(&format!("{path}?page=2&api_key=***")),
            "{path}: {line}"
        );
        assert!(line.contains("page 2"), "{path}: {line}");
        assert!(!line.contains("k-URL-SECRET-1"), "{line}");
        assert_eq!(run.lines(), [r#"{"id":1}"#], "{path}: the first page is kept");
    }

    // A next link that cannot be followed names itself and the page it would have been.
    let next = server.url("/badlink?page=2");
    server.route(
        "/badlink",
        Sequence::new([
            Reply::json(&page1(&next)),
            Reply::json(&json!({"data": [{"id": 2}], "next": "ftp://h/x?api_key=k-URL-SECRET-2"})),
        ]),
    );
    let run = restclient(&[
        "paginate",
        &server.url("/badlink"),
        "--paginator",
        r#"{"type":"json_link"}"#,
    ]);
    let line = run.failure_line();
    assert!(
        line.contains("ftp://h/x?api_key=***") && line.contains("page 3"),
        "{line}"
    );
    assert!(!line.contains("k-URL-SECRET-2"), "{line}");
    assert_eq!(run.lines(), [r#"{"id":1}"#, r#"{"id":2}"#]);

    // A missing total on page 2 of an offset run.
    server.route(
        "/offset",
        Sequence::new([
            Reply::json(&json!({"data": [{"id": 1}], "total": 5})),
            Reply::json(&json!({"data": [{"id": 2}]})),
        ]),
    );
    let run = restclient(&[
        "paginate",
        &server.url("/offset"),
        "--paginator",
        r#"{"type":"offset","limit":1,"total_path":"total"}"#,
    ]);
    let line = run.failure_line();
    assert!(
        line.contains("Total") && line.contains("/offset?offset=1&limit=1") && line.contains("page 2"),
        "{line}"
    );
}
