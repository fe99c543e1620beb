use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use base64::Engine;
use restclient_core::{BoxError, Response};
use restclient_testkit::{Reply, Sequence, TestServer};
use serde_json::json;
use tower::{Layer, ServiceExt};

use super::*;
use crate::AuthLayer;
use crate::test_support::{RetryOn5xx, get, http_client, send};

const SECRET: &str = "oauth-client-secret-xyz";

fn oauth(server: &TestServer, token_path: &str) -> OAuth2ClientCredentials {
    OAuth2ClientCredentials::new(server.url(token_path), "cid-123", SECRET).unwrap()
}

fn token(t: &str, expires_in: serde_json::Value) -> Reply {
    Reply::json(&json!({"access_token": t, "token_type": "bearer", "expires_in": expires_in}))
}

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect()
}

#[tokio::test]
async fn token_fetched_once_and_reused_with_merged_form() {
    // scenario 111
    let server = TestServer::start().await;
    server.route("/token", token("T1", json!(3600)));
    server.route("/r", Reply::text("ok"));
    let auth = oauth(&server, "/token")
        .with_access_token_request_data([("scope", "read"), ("grant_type", "override")]);
    let mut svc = AuthLayer::new(auth).layer(http_client());
    for _ in 0..3 {
        let r = send(&mut svc, get(&server.url("/r"))).await.unwrap();
        assert_eq!(r.status(), 200);
    }
    let token_requests = server.requests_to("/token");
    assert_eq!(token_requests.len(), 1);
    let t = &token_requests[0];
    assert_eq!(t.method, http::Method::POST);
    assert_eq!(
        t.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(
        t.form(),
        pairs(&[
            ("client_id", "cid-123"),
            ("client_secret", SECRET),
            ("grant_type", "override"),
            ("scope", "read"),
        ])
    );
    assert_eq!(t.header("authorization"), None);
    for r in server.requests_to("/r") {
        assert_eq!(r.header("authorization"), Some("Bearer T1"));
    }
}

#[tokio::test]
async fn expires_in_zero_fetches_a_token_per_request() {
    // scenario 112
    let server = TestServer::start().await;
    server.route(
        "/token",
        Sequence::new([
            token("T1", json!(0)),
            token("T2", json!(0)),
            token("T3", json!(0)),
        ]),
    );
    server.route("/r", Reply::text("ok"));
    let mut svc = AuthLayer::new(oauth(&server, "/token")).layer(http_client());
    for _ in 0..3 {
        send(&mut svc, get(&server.url("/r"))).await.unwrap();
    }
    assert_eq!(server.hits("/token"), 3);
    let seen: Vec<_> = server
        .requests_to("/r")
        .iter()
        .map(|r| r.header("authorization").unwrap().to_owned())
        .collect();
    assert_eq!(seen, ["Bearer T1", "Bearer T2", "Bearer T3"]);
}

#[tokio::test]
async fn token_endpoint_401_names_status_and_url_never_the_secret() {
    // scenario 113
    let server = TestServer::start().await;
    server.route(
        "/token401",
        Reply::status(401).body(format!("bad client_secret={SECRET}")),
    );
    server.route("/r", Reply::text("ok"));
    let auth = oauth(&server, "/token401");
    let mut svc = AuthLayer::new(auth.clone()).layer(http_client());
    let err = send(&mut svc, get(&server.url("/r"))).await.unwrap_err();
    let auth_err = AuthError::find_in(&err).unwrap();
    assert_eq!(auth_err.status(), Some(http::StatusCode::UNAUTHORIZED));
    assert!(auth_err.is_token_error());
    let msg = err.to_string();
    assert!(msg.contains("401 Client Error: Unauthorized"), "{msg}");
    assert!(msg.contains(&server.url("/token401")), "{msg}");
    for text in [msg, format!("{err:?}"), format!("{auth:?}"), format!("{svc:?}")] {
        assert!(!text.contains(SECRET), "{text}");
        assert!(!text.contains("cid-123"), "{text}");
    }
    if let AuthError::TokenStatus(status) = auth_err {
        assert!(!status.body().contains(SECRET));
    }
    assert_eq!(server.hits("/token401"), 1);
    assert_eq!(server.hits("/r"), 0);
}

#[tokio::test]
async fn missing_access_token_is_an_error_naming_the_url() {
    // row 13 (dlt: `Bearer None`)
    let server = TestServer::start().await;
    server.route("/token", Reply::json(&json!({"expires_in": 60})));
    server.route("/bad", Reply::text("<html>not json</html>"));
    let client = AuthClient::new(http_client());
    let err = oauth(&server, "/token")
        .authenticate(get(&server.url("/r")), &client)
        .await
        .unwrap_err();
    assert!(matches!(err, AuthError::MissingAccessToken { .. }));
    assert!(err.to_string().contains(&server.url("/token")));
    let err = oauth(&server, "/bad")
        .authenticate(get(&server.url("/r")), &client)
        .await
        .unwrap_err();
    assert!(matches!(err, AuthError::InvalidTokenResponse { .. }), "{err}");
}

#[tokio::test]
async fn twenty_concurrent_requests_share_one_refresh() {
    let server = TestServer::start().await;
    server.route(
        "/token",
        Sequence::new([
            token("T0", json!(0)),
            token("T1", json!(3600)).delay(Duration::from_millis(50)),
            token("T-unexpected", json!(3600)),
        ]),
    );
    server.route("/r", Reply::text("ok"));
    let svc = AuthLayer::new(oauth(&server, "/token")).layer(http_client());
    // First request: T0, which expires at once.
    svc.clone().oneshot(get(&server.url("/r"))).await.unwrap();
    assert_eq!(server.hits("/token"), 1);
    server.clear_requests();

    let calls = (0..20).map(|_| svc.clone().oneshot(get(&server.url("/r"))));
    let results = futures_util::future::join_all(calls).await;
    assert!(results.iter().all(|r| r.is_ok()));
    assert_eq!(server.hits("/token"), 1);
    let resources = server.requests_to("/r");
    assert_eq!(resources.len(), 20);
    assert!(
        resources
            .iter()
            .all(|r| r.header("authorization") == Some("Bearer T1"))
    );
}

#[tokio::test]
async fn basic_header_client_auth_like_zoom() {
    // scenario 120
    let server = TestServer::start().await;
    server.route("/token", token("Z1", json!(3600)));
    server.route("/r", Reply::text("ok"));
    let auth = oauth(&server, "/token")
        .with_client_auth(ClientAuthMethod::BasicHeader)
        .with_access_token_request_data([("grant_type", "account_credentials"), ("account_id", "acc-1")]);
    let mut svc = AuthLayer::new(auth).layer(http_client());
    send(&mut svc, get(&server.url("/r"))).await.unwrap();
    let t = &server.requests_to("/token")[0];
    let basic = t.header("authorization").unwrap().strip_prefix("Basic ").unwrap();
    let decoded = base64::engine::general_purpose::STANDARD.decode(basic).unwrap();
    assert_eq!(decoded, format!("cid-123:{SECRET}").as_bytes());
    assert_eq!(
        t.form(),
        pairs(&[("grant_type", "account_credentials"), ("account_id", "acc-1")])
    );
    assert_eq!(
        server.requests_to("/r")[0].header("authorization"),
        Some("Bearer Z1")
    );
}

#[tokio::test]
async fn custom_token_request_closure_is_used_verbatim() {
    let server = TestServer::start().await;
    server.route("/token", token("C1", json!(3600)));
    server.route("/r", Reply::text("ok"));
    let url = server.url("/token");
    let auth = oauth(&server, "/unused").with_token_request(move |o| {
        let body = format!("assertion=x&client={}", o.client_id().expose());
        Ok(http::Request::post(url.as_str())
            .header("x-custom", "1")
            .body(Bytes::from(body))
            .unwrap())
    });
    let mut svc = AuthLayer::new(auth).layer(http_client());
    send(&mut svc, get(&server.url("/r"))).await.unwrap();
    let t = &server.requests_to("/token")[0];
    assert_eq!(t.header("x-custom"), Some("1"));
    assert_eq!(t.text(), "assertion=x&client=cid-123");
    assert_eq!(server.hits("/unused"), 0);
}

#[tokio::test]
async fn token_request_goes_through_the_inner_stack() {
    let server = TestServer::start().await;
    server.route("/token", token("T1", json!(3600)));
    server.route("/r", Reply::text("ok"));
    let inner = tower::ServiceBuilder::new()
        .map_request(|mut r: Request| {
            r.headers_mut().insert("x-inner", HeaderValue::from_static("yes"));
            r
        })
        .service(http_client());
    let mut svc = AuthLayer::new(oauth(&server, "/token")).layer(inner);
    send(&mut svc, get(&server.url("/r"))).await.unwrap();
    assert_eq!(server.requests_to("/token")[0].header("x-inner"), Some("yes"));
}

#[tokio::test]
async fn inside_retry_every_attempt_gets_a_fresh_token() {
    // scenario 116 adapted: row 7, auth runs on every attempt.
    let server = TestServer::start().await;
    server.route(
        "/token",
        Sequence::new([
            token("T1", json!(0)),
            token("T2", json!(0)),
            token("T3", json!(0)),
        ]),
    );
    server.route(
        "/r",
        Sequence::new([Reply::status(503), Reply::status(503), Reply::text("ok")]),
    );
    let auth = AuthLayer::new(oauth(&server, "/token"));
    let mut svc = tower::ServiceBuilder::new()
        .layer(tower::retry::RetryLayer::new(RetryOn5xx(5)))
        .layer(auth)
        .service(http_client());
    let r = send(&mut svc, get(&server.url("/r"))).await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(server.hits("/token"), 3);
    let seen: Vec<_> = server
        .requests_to("/r")
        .iter()
        .map(|r| r.header("authorization").unwrap().to_owned())
        .collect();
    assert_eq!(seen, ["Bearer T1", "Bearer T2", "Bearer T3"]);
}

#[tokio::test]
async fn retry_below_auth_retries_the_token_request() {
    // scenario 118
    let server = TestServer::start().await;
    server.route(
        "/token",
        Sequence::new([Reply::status(503), token("T1", json!(3600))]),
    );
    server.route("/r", Reply::text("ok"));
    let mut svc = tower::ServiceBuilder::new()
        .layer(AuthLayer::new(oauth(&server, "/token")))
        .layer(tower::retry::RetryLayer::new(RetryOn5xx(2)))
        .service(http_client());
    send(&mut svc, get(&server.url("/r"))).await.unwrap();
    assert_eq!(server.hits("/token"), 2);
    assert_eq!(
        server.requests_to("/r")[0].header("authorization"),
        Some("Bearer T1")
    );
}

/// A token endpoint in memory that counts its calls, for tests on a paused clock.
fn counting_endpoint(body: serde_json::Value) -> (AuthClient, Arc<AtomicUsize>) {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&calls);
    let client = AuthClient::new(tower::service_fn(move |_r: Request| {
        let n = counter.fetch_add(1, Ordering::SeqCst);
        let mut body = body.clone();
        body["access_token"] = json!(format!("T{n}"));
        async move { Ok::<_, BoxError>(Response::new(Bytes::from(body.to_string()))) }
    }));
    (client, calls)
}

async fn bearer(auth: &OAuth2ClientCredentials, client: &AuthClient) -> String {
    let r = auth.authenticate(get("http://api.test/r"), client).await.unwrap();
    r.headers()["authorization"].to_str().unwrap().to_owned()
}

#[tokio::test(start_paused = true)]
async fn string_expires_in_is_honoured() {
    // scenario 117
    let (client, calls) = counting_endpoint(json!({"expires_in": "1"}));
    let auth = OAuth2ClientCredentials::new("http://auth.test/token", "id", "secret").unwrap();
    assert_eq!(bearer(&auth, &client).await, "Bearer T0");
    tokio::time::advance(Duration::from_millis(500)).await;
    assert_eq!(bearer(&auth, &client).await, "Bearer T0");
    tokio::time::advance(Duration::from_millis(600)).await;
    assert_eq!(bearer(&auth, &client).await, "Bearer T1");
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[tokio::test(start_paused = true)]
async fn default_expiration_applies_without_expires_in() {
    let (client, calls) = counting_endpoint(json!({}));
    let auth = OAuth2ClientCredentials::new("http://auth.test/token", "id", "secret")
        .unwrap()
        .with_default_token_expiration(Duration::from_secs(10));
    assert_eq!(bearer(&auth, &client).await, "Bearer T0");
    tokio::time::advance(Duration::from_secs(9)).await;
    assert_eq!(bearer(&auth, &client).await, "Bearer T0");
    tokio::time::advance(Duration::from_secs(1)).await;
    assert_eq!(bearer(&auth, &client).await, "Bearer T1");
    auth.invalidate();
    assert_eq!(bearer(&auth, &client).await, "Bearer T2");
    assert_eq!(calls.load(Ordering::SeqCst), 3);
    // dlt's default is an hour
    let default = OAuth2ClientCredentials::new("http://a/t", "i", "s").unwrap();
    assert_eq!(default.default_token_expiration(), Duration::from_secs(3600));
}

#[test]
fn expires_in_forms() {
    let d = Duration::from_secs(7);
    let parse = |body: &str| parse_token_response("http://a/t", body.as_bytes(), d);
    assert_eq!(parse(r#"{"access_token":"a"}"#).unwrap().2, d);
    assert_eq!(parse(r#"{"access_token":"a","expires_in":null}"#).unwrap().2, d);
    assert_eq!(
        parse(r#"{"access_token":"a","expires_in":" 60 "}"#).unwrap().2,
        Duration::from_secs(60)
    );
    assert_eq!(
        parse(r#"{"access_token":"a","expires_in":-5}"#).unwrap().2,
        Duration::ZERO
    );
    assert_eq!(
        parse(r#"{"access_token":"a","expires_in":1.5}"#).unwrap().2,
        Duration::from_millis(1500)
    );
    assert!(parse(r#"{"access_token":"a","expires_in":"soon"}"#).is_err());
    assert!(parse(r#"{"access_token":"","expires_in":1}"#).is_err());
    assert!(parse(r#"{"access_token":"a\nb"}"#).is_err());
    assert!(parse(r#"[1]"#).is_err());
}

#[test]
fn a_fetched_token_is_masked_while_it_is_cached() {
    let d = Duration::from_secs(7);
    let (token, header, _) =
        parse_token_response("http://a/t", br#"{"access_token":"zz-fetched-token-zz"}"#, d).unwrap();
    assert!(header.is_sensitive());
    let echoed = "401: invalid token zz-fetched-token-zz";
    assert_eq!(redact::redact_text(echoed), "401: invalid token ***");
    assert_eq!(token.expose(), "zz-fetched-token-zz");
}

#[test]
fn invalid_token_url_is_rejected_without_secrets() {
    let err = OAuth2ClientCredentials::new("/relative?client_secret=zzz-url-secret", "i", "s").unwrap_err();
    assert!(err.to_string().contains("access_token_url"));
    assert!(!err.to_string().contains("zzz-url-secret"));
}
