//! Every `--auth` type through the binary, and that no credential reaches stderr.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod common;

use common::restclient;
use restclient_testkit::{RecordedRequest, Reply, TestServer};
use serde_json::json;

fn data_route(server: &TestServer) {
    server.route("/data", Reply::json(&json!({"data": [{"id": 1}]})));
}

fn paginate_with_auth(server: &TestServer, auth: &str) -> common::Run {
    restclient(&[
        "paginate",
        &server.url("/data"),
        "--paginator",
        "single_page",
        "--auth",
        auth,
    ])
}

fn only_request(server: &TestServer) -> RecordedRequest {
    let requests = server.requests_to("/data");
    assert_eq!(requests.len(), 1);
    requests[0].clone()
}

#[test]
fn bearer_token_and_dlts_default_type() {
    let server = TestServer::start_background();
    data_route(&server);
    for auth in [
        r#"{"type":"bearer","token":"tok-SECRET-1"}"#,
        r#"{"token":"tok-SECRET-1"}"#,
    ] {
        server.clear_requests();
        paginate_with_auth(&server, auth).success();
        assert_eq!(
            only_request(&server).header("authorization"),
            Some("Bearer tok-SECRET-1"),
            "{auth}"
        );
    }
}

#[test]
fn api_key_in_header_query_and_cookie() {
    let server = TestServer::start_background();
    data_route(&server);
    paginate_with_auth(
        &server,
        r#"{"type":"api_key","name":"X-API-Key","api_key":"k-SECRET-2","location":"header"}"#,
    )
    .success();
    assert_eq!(only_request(&server).header("x-api-key"), Some("k-SECRET-2"));

    server.clear_requests();
    paginate_with_auth(
        &server,
        r#"{"type":"api_key","name":"api_key","api_key":"k-SECRET-2","location":"query"}"#,
    )
    .success();
    assert_eq!(
        only_request(&server).query_param("api_key").as_deref(),
        Some("k-SECRET-2")
    );

    server.clear_requests();
    paginate_with_auth(
        &server,
        r#"{"type":"api_key","name":"session","api_key":"k-SECRET-2","location":"cookie"}"#,
    )
    .success();
    let cookie = only_request(&server)
        .header("cookie")
        .unwrap_or_default()
        .to_owned();
    assert!(cookie.contains("session=k-SECRET-2"), "{cookie}");
}

#[test]
fn http_basic() {
    let server = TestServer::start_background();
    data_route(&server);
    paginate_with_auth(
        &server,
        r#"{"type":"http_basic","username":"user","password":"pass"}"#,
    )
    .success();
    // base64("user:pass")
    assert_eq!(
        only_request(&server).header("authorization"),
        Some("Basic dXNlcjpwYXNz")
    );
}

fn oauth_routes(server: &TestServer) {
    server.route("/token", |r: &RecordedRequest| {
        let form = r.form();
        let has = |k: &str, v: &str| form.iter().any(|(fk, fv)| fk == k && fv == v);
        if has("grant_type", "client_credentials")
            && has("client_id", "cid")
            && has("client_secret", "cs-SECRET-3")
        {
            Reply::json(&json!({"access_token": "at-SECRET-4", "expires_in": 3600}))
        } else {
            Reply::status(401).body("{\"error\":\"invalid_client\"}")
        }
    });
    server.route("/data", |r: &RecordedRequest| {
        if r.header("authorization") == Some("Bearer at-SECRET-4") {
            Reply::json(&json!({"data": [{"id": 1}, {"id": 2}]}))
        } else {
            Reply::status(401)
        }
    });
}

#[test]
fn oauth2_client_credentials_fetches_and_uses_a_token() {
    let server = TestServer::start_background();
    oauth_routes(&server);
    let auth = json!({
        "type": "oauth2_client_credentials",
        "access_token_url": server.url("/token"),
        "client_id": "cid",
        "client_secret": "cs-SECRET-3",
        "access_token_request_data": {"scope": "read"},
        "default_token_expiration": 3600,
    })
    .to_string();
    let run = paginate_with_auth(&server, &auth).success();
    assert_eq!(run.lines().len(), 2);
    let token_requests = server.requests_to("/token");
    assert_eq!(token_requests.len(), 1);
    assert!(
        token_requests[0]
            .form()
            .contains(&("scope".to_owned(), "read".to_owned()))
    );
}

#[test]
fn a_rejected_token_request_names_the_token_url_but_no_secret() {
    let server = TestServer::start_background();
    oauth_routes(&server);
    let auth = json!({
        "type": "oauth2_client_credentials",
        "access_token_url": server.url("/token"),
        "client_id": "cid",
        "client_secret": "cs-WRONG-SECRET",
    })
    .to_string();
    let run = restclient(&[
        "paginate",
        &server.url("/data"),
        "--paginator",
        "single_page",
        "--auth",
        &auth,
        "--max-attempts",
        "1",
    ]);
    let line = run.failure_line();
    assert!(line.contains("401"), "{line}");
    assert!(line.contains("/token"), "{line}");
    assert!(!line.contains("cs-WRONG-SECRET"), "{line}");
}

#[test]
fn a_401_with_credentials_never_shows_them() {
    let server = TestServer::start_background();
    server.route("/data", Reply::status(401));
    for auth in [
        r#"{"type":"bearer","token":"tok-SECRET-5"}"#,
        r#"{"type":"api_key","name":"key","api_key":"k-SECRET-5","location":"query"}"#,
        r#"{"type":"api_key","name":"my_custom_key","api_key":"k-SECRET-6","location":"query"}"#,
        r#"{"type":"http_basic","username":"user","password":"pw-SECRET-5"}"#,
    ] {
        let run = paginate_with_auth(&server, auth);
        assert_eq!(run.code(), 1);
        let line = run.failure_line();
        assert!(line.contains("401") && line.contains("/data"), "{line}");
        for secret in ["tok-SECRET-5", "k-SECRET-5", "k-SECRET-6", "pw-SECRET-5"] {
            assert!(!run.stderr.contains(secret), "{auth}: {}", run.stderr);
        }
    }
}

#[test]
fn a_bad_auth_config_is_a_usage_error_without_the_secret() {
    for auth in [
        r#"{"type":"bearer","token":"tok-SECRET-7""#,
        r#"{"type":"no_such_auth","token":"tok-SECRET-7"}"#,
        r#"{"type":"bearer","token":"tok-SECRET-7","unexpected":1}"#,
    ] {
        let run = restclient(&["paginate", "http://127.0.0.1:9/x", "--auth", auth]);
        let line = run.failure_line();
        assert_eq!(run.code(), 2, "{auth}: {line}");
        assert!(!line.contains("tok-SECRET-7"), "{line}");
    }
}
