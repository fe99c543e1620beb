//! `restclient get` (curl --fail semantics) and `restclient demo`.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod common;

use common::restclient;
use restclient_testkit::{RecordedRequest, Reply, TestServer};

#[test]
fn get_writes_the_body_exactly() {
    let server = TestServer::start_background();
    server.route("/doc", |r: &RecordedRequest| {
        Reply::json_text(format!(
            "{{\n  \"q\": \"{}\"\n}}",
            r.query_param("q").unwrap_or_default()
        ))
    });
    let run = restclient(&["get", &server.url("/doc"), "--param", "q=hello"]).success();
    assert_eq!(run.stdout, "{\n  \"q\": \"hello\"\n}");
    assert_eq!(run.stderr, "");
}

#[test]
fn get_with_base_url_headers_and_output_file() {
    let server = TestServer::start_background();
    server.route("/v1/status", |r: &RecordedRequest| {
        Reply::text(r.header("x-trace").unwrap_or("none").to_owned())
    });
    let file = std::env::temp_dir().join(format!("restclient-get-{}.txt", std::process::id()));
    let run = restclient(&[
        "get",
        "status",
        "--base-url",
        &server.url("/v1"),
        "--header",
        "X-Trace: t1",
        "--output",
        file.to_str().unwrap(),
    ])
    .success();
    assert_eq!(run.stdout, "");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "t1");
    let _ = std::fs::remove_file(&file);
}

#[test]
fn get_fails_like_curl_fail_after_retries() {
    let server = TestServer::start_background();
    server.route("/boom", Reply::status(500).body("internal details"));
    let run = restclient(&[
        "get",
        &server.url("/boom"),
        "--param",
        "token=tok-SECRET-9",
        "--max-attempts",
        "2",
        "--backoff-factor",
        "0.01",
    ]);
    assert_eq!(run.code(), 1);
    assert_eq!(run.stdout, "", "no body on failure");
    let line = run.failure_line();
    assert!(line.contains("500 Server Error"), "{line}");
    assert!(line.contains("/boom?token=***"), "{line}");
    assert!(!run.stderr.contains("tok-SECRET-9"));
    assert_eq!(server.hits("/boom"), 2);
}

#[test]
fn get_404_names_status_and_url() {
    let server = TestServer::start_background();
    let run = restclient(&["get", &server.url("/x"), "--param", "api_key=k-SECRET-10"]);
    let line = run.failure_line();
    assert_eq!(
        line,
        format!(
            "error: 404 Client Error: Not Found for url: {}",
            server.url("/x?api_key=***")
        )
    );
    assert_eq!(server.hits("/x"), 1);
}

#[test]
fn get_with_auth() {
    let server = TestServer::start_background();
    server.route("/me", |r: &RecordedRequest| {
        Reply::text(r.header("authorization").unwrap_or("none").to_owned())
    });
    let run = restclient(&[
        "get",
        &server.url("/me"),
        "--auth",
        r#"{"type":"bearer","token":"tok-11"}"#,
    ])
    .success();
    assert_eq!(run.stdout, "Bearer tok-11");
}

#[test]
fn demo_runs_every_style_and_checks_itself() {
    let run = restclient(&["demo"]).success();
    for style in [
        "offset",
        "page_number",
        "cursor",
        "json_link",
        "header_link",
        "header_cursor",
        "single_page",
        "auto",
        "oauth2",
    ] {
        assert!(run.stdout.contains(style), "{style} missing:\n{}", run.stdout);
    }
    assert!(!run.stdout.contains("FAILED"), "{}", run.stdout);
    // nine paginator styles, then the five resources of the source run
    assert_eq!(run.stdout.matches("  ok").count(), 9 + 5, "{}", run.stdout);
    for resource in ["customers", "customer_orders", "orders", "events", "countries"] {
        assert!(
            run.stdout.contains(resource),
            "{resource} missing:\n{}",
            run.stdout
        );
    }
}
