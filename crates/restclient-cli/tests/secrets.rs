//! Secrets off the command line: `--auth @FILE`, `--auth @-`, `${NAME}` in `--auth`, `--header` and
//! `--param`, and `RESTCLIENT_AUTH`. A secret given these ways reaches the API, and never the
//! command line of the process, its stdout or its stderr.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod common;

use common::{command, run};
use restclient_testkit::{Reply, TestServer};
use serde_json::json;

const SECRET: &str = "tok-OFF-ARGV-31337";

fn server() -> TestServer {
    let server = TestServer::start_background();
    server.route("/data", Reply::json(&json!({"data": [{"id": 1}]})));
    server
}

fn temp_file(name: &str, content: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("restclient-secrets-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("auth.json");
    std::fs::write(&path, content).unwrap();
    path
}

/// Asserts the secret reached the server as a bearer token and nowhere else.
#[track_caller]
fn check(server: &TestServer, args: &[&str], out: &common::Run) {
    assert!(out.status.success(), "{}", out.stderr);
    assert_eq!(
        server.requests_to("/data")[0].header("authorization"),
        Some(format!("Bearer {SECRET}").as_str())
    );
    assert!(
        args.iter().all(|a| !a.contains(SECRET)),
        "the test itself put the secret on argv"
    );
    assert!(!out.stdout.contains(SECRET) && !out.stderr.contains(SECRET));
}

#[test]
fn auth_from_a_file() {
    let server = server();
    let file = temp_file("file", &json!({"type": "bearer", "token": SECRET}).to_string());
    let auth = format!("@{}", file.display());
    let url = server.url("/data");
    let args = [
        "paginate",
        url.as_str(),
        "--paginator",
        "single_page",
        "--auth",
        auth.as_str(),
    ];
    let out = run(command(&args));
    check(&server, &args, &out);
    assert_eq!(out.lines(), [r#"{"id":1}"#]);
}

#[test]
fn auth_from_stdin() {
    let server = server();
    let url = server.url("/data");
    let args = [
        "paginate",
        url.as_str(),
        "--paginator",
        "single_page",
        "--auth",
        "@-",
    ];
    let input = json!({"type": "bearer", "token": SECRET}).to_string();
    let out = common::run_with_stdin(command(&args), Some(&input));
    check(&server, &args, &out);
}

#[test]
fn auth_from_the_environment_variable_and_references() {
    let server = server();
    let url = server.url("/data");
    let args = ["paginate", url.as_str(), "--paginator", "single_page"];
    let mut cmd = command(&args);
    cmd.env(
        "RESTCLIENT_AUTH",
        json!({"type": "bearer", "token": SECRET}).to_string(),
    );
    check(&server, &args, &run(cmd));

    server.clear_requests();
    let args = [
        "paginate",
        url.as_str(),
        "--paginator",
        "single_page",
        "--auth",
        r#"{"type":"bearer","token":"${RC_TEST_TOKEN}"}"#,
    ];
    let mut cmd = command(&args);
    cmd.env("RC_TEST_TOKEN", SECRET);
    check(&server, &args, &run(cmd));
}

#[test]
fn references_in_headers_and_params() {
    let server = server();
    let url = server.url("/data");
    let args = [
        "paginate",
        url.as_str(),
        "--paginator",
        "single_page",
        "--header",
        "Authorization: Bearer ${RC_TEST_TOKEN}",
        "--param",
        "api_key=${RC_TEST_TOKEN}",
    ];
    let mut cmd = command(&args);
    cmd.env("RC_TEST_TOKEN", SECRET);
    check(&server, &args, &run(cmd));
    assert_eq!(
        server.requests_to("/data")[0].query_param("api_key").as_deref(),
        Some(SECRET)
    );
}

#[test]
fn an_unset_reference_is_a_usage_error_naming_it_before_any_request() {
    let server = server();
    let url = server.url("/data");
    for args in [
        vec![
            "paginate",
            url.as_str(),
            "--auth",
            r#"{"token":"${RC_TEST_UNSET_1}"}"#,
        ],
        vec!["paginate", url.as_str(), "--header", "X-Key: ${RC_TEST_UNSET_1}"],
        vec!["get", url.as_str(), "--param", "k=${RC_TEST_UNSET_1}"],
    ] {
        let out = run(command(&args));
        assert_eq!(out.code(), 2, "{args:?}");
        let line = out.failure_line();
        assert!(line.contains("RC_TEST_UNSET_1"), "{line}");
    }
    assert_eq!(server.hits("/data"), 0);
}

#[test]
fn a_secret_in_a_failing_run_is_masked_on_stderr() {
    let server = TestServer::start_background();
    server.route("/data", Reply::status(401));
    let url = server.url("/data");
    let args = ["paginate", url.as_str(), "--param", "token=${RC_TEST_TOKEN}"];
    let mut cmd = command(&args);
    cmd.env("RC_TEST_TOKEN", SECRET);
    let out = run(cmd);
    let line = out.failure_line();
    assert!(line.contains("401") && !line.contains(SECRET), "{line}");
}
