//! The facade against real servers on 127.0.0.1.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

use std::time::Duration;

use futures_util::TryStreamExt;
use restclient::prelude::*;
use restclient_testkit::{OffsetApi, RecordedRequest, Reply, Sequence, TestServer};
use serde_json::json;

/// `/items?offset=&limit=` over `total` records `{"id": i}`.
fn offset_route(server: &TestServer, path: &str, total: usize) {
    server.route(path, OffsetApi::new(total as i64).with_total());
}

fn fast(builder: RestClientBuilder) -> RestClientBuilder {
    builder
        .backoff_factor(0.001)
        .max_retry_delay(Duration::from_millis(10))
}

async fn ids(pages: restclient::Pages) -> Vec<u64> {
    let pages: Vec<Page> = pages.try_collect().await.unwrap();
    pages
        .iter()
        .flat_map(|p| p.records_as::<serde_json::Value>().unwrap())
        .map(|v| v["id"].as_u64().unwrap())
        .collect()
}

#[tokio::test]
async fn paginates_with_auth_params_and_headers() {
    let server = TestServer::start().await;
    offset_route(&server, "/api/items", 25);
    let client = RestClient::builder()
        .base_url(server.url("/api/"))
        .header("X-Client", "a")
        .header("X-Both", "client")
        .auth(BearerToken::new("tok-123456").unwrap())
        .paginator(OffsetPaginator::with_limit(10))
        .data_selector("data")
        .build()
        .unwrap();
    let pages = client
        .paginate("/items")
        .param("q", "x y")
        .header("X-Both", "call")
        .pages();
    assert_eq!(ids(pages).await, (0..25).collect::<Vec<_>>());
    let log = server.requests();
    assert_eq!(log.len(), 3);
    let queries: Vec<_> = log.iter().map(|r| r.query().to_owned()).collect();
    assert_eq!(
        queries,
        [
            "q=x+y&offset=0&limit=10",
            "q=x+y&offset=10&limit=10",
            "q=x+y&offset=20&limit=10"
        ]
    );
    for r in &log {
        assert_eq!(r.header("authorization"), Some("Bearer tok-123456"));
        assert_eq!(r.header("x-client"), Some("a"));
        assert_eq!(r.header("x-both"), Some("call"));
    }
    assert_eq!(server.connections(), 1, "one pooled connection for every page");
}

#[tokio::test]
async fn each_pagination_starts_from_a_fresh_paginator_even_concurrently() {
    let server = TestServer::start().await;
    offset_route(&server, "/items", 30);
    let client = RestClient::builder()
        .base_url(server.base_url())
        .paginator(OffsetPaginator::with_limit(7))
        .build()
        .unwrap();
    let tasks: Vec<_> = (0..4)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { ids(client.paginate("/items").pages()).await })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap(), (0..30).collect::<Vec<_>>());
    }
}

#[tokio::test]
async fn credentials_stay_on_the_base_origin() {
    let api = TestServer::start().await;
    let elsewhere = TestServer::start().await;
    let next = elsewhere.url("/more");
    api.route("/start", Reply::json(&json!({"data": [{"id": 0}], "next": next})));
    elsewhere.route("/more", Reply::json(&json!({"data": [{"id": 1}], "next": null})));
    let client = RestClient::builder()
        .base_url(api.base_url())
        .auth(ApiKey::header("X-Api-Key", "key-abcdef").unwrap())
        .build()
        .unwrap();
    let pages = client
        .paginate("/start")
        .paginator(JsonLinkPaginator::default())
        .pages();
    assert_eq!(ids(pages).await, [0, 1]);
    assert_eq!(api.requests()[0].header("x-api-key"), Some("key-abcdef"));
    assert_eq!(elsewhere.requests()[0].header("x-api-key"), None);

    let everywhere = RestClient::builder()
        .base_url(api.base_url())
        .auth(ApiKey::header("X-Api-Key", "key-abcdef").unwrap())
        .auth_everywhere(true)
        .build()
        .unwrap();
    let pages = everywhere
        .paginate("/start")
        .paginator(JsonLinkPaginator::default())
        .pages();
    assert_eq!(ids(pages).await, [0, 1]);
    assert_eq!(elsewhere.requests()[1].header("x-api-key"), Some("key-abcdef"));
}

#[tokio::test]
async fn auto_detects_paginator_and_records() {
    let server = TestServer::start().await;
    let base = server.base_url();
    server.route("/p", move |r: &RecordedRequest| {
        let page: u64 = r.query_param("page").and_then(|p| p.parse().ok()).unwrap_or(1);
        let next = (page < 3).then(|| format!("{base}/p?page={}", page + 1));
        Reply::json(&json!({"count": 3, "next": next, "results": [{"id": page}]}))
    });
    let client = RestClient::builder().base_url(server.base_url()).build().unwrap();
    let pages: Vec<Page> = client.paginate("/p").pages().try_collect().await.unwrap();
    assert_eq!(pages.len(), 3);
    assert_eq!(pages[0].paginator, "json_link");
    assert!(pages[0].detected.is_some());
    assert_eq!(pages[0].data_selector.to_string(), "results");
}

#[tokio::test]
async fn retries_then_succeeds_and_errors_name_status_and_redacted_url() {
    let server = TestServer::start().await;
    server.route(
        "/flaky",
        Sequence::new([
            Reply::status(503),
            Reply::status(500),
            Reply::json(&json!([{"id": 1}])),
        ]),
    );
    server.route("/missing", Reply::status(404).body("nope"));
    let client = fast(RestClient::builder().base_url(server.base_url()))
        .build()
        .unwrap();
    assert_eq!(ids(client.paginate("/flaky").pages()).await, [1]);
    assert_eq!(server.hits("/flaky"), 3);

    let err = client
        .paginate("/missing")
        .param("api_key", "very-secret-key")
        .pages()
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(http::StatusCode::NOT_FOUND));
    let message = err.to_string();
    assert!(
        message.starts_with("404 Client Error: Not Found for url: http://127.0.0.1:"),
        "{message}"
    );
    assert!(message.contains("api_key=***"), "{message}");
    assert!(!message.contains("very-secret-key"));
    assert_eq!(server.hits("/missing"), 1, "a 404 is not retried");
}

#[tokio::test]
async fn get_returns_error_responses_and_error_for_status_raises() {
    let server = TestServer::start().await;
    server.route("/gone", Reply::status(410).body("gone"));
    server.route("/user", Reply::json(&json!({"id": 7, "name": "x"})));
    let client = fast(RestClient::builder().base_url(server.base_url()))
        .build()
        .unwrap();
    let response = client.get("/gone").send().await.unwrap();
    assert_eq!(response.status(), 410);
    assert_eq!(response.text(), "gone");
    let err = response.error_for_status().unwrap_err();
    assert!(err.to_string().starts_with("410 Client Error: Gone for url:"));

    #[derive(serde::Deserialize)]
    struct User {
        id: u32,
    }
    let user: User = client.get("/user").send().await.unwrap().json().unwrap();
    assert_eq!(user.id, 7);

    let posted = client.post("/user").json(&json!({"a": 1})).send().await.unwrap();
    assert_eq!(posted.status(), 200);
    let last = server.requests().pop().unwrap();
    assert_eq!(last.method, http::Method::POST);
    assert_eq!(last.json(), json!({"a": 1}));
    assert_eq!(last.header("content-type"), Some("application/json"));
}

#[tokio::test]
async fn connection_refused_is_a_connect_error_after_retries() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let client = fast(RestClient::builder()).max_attempts(3).build().unwrap();
    let err = client
        .get(&format!("http://127.0.0.1:{port}/x?token=abcdefgh"))
        .send()
        .await
        .unwrap_err();
    assert!(err.is_connect(), "{err:?}");
    let message = err.to_string();
    assert!(message.contains("3 attempts"), "{message}");
    assert_eq!(
        err.url(),
        Some(format!("http://127.0.0.1:{port}/x?token=***").as_str())
    );
    assert_eq!(
        message.matches("127.0.0.1").count(),
        1,
        "the URL is named once: {message}"
    );
    assert!(
        message.contains("token=***") && !message.contains("abcdefgh"),
        "{message}"
    );
}

#[tokio::test]
async fn typed_record_stream() {
    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Item {
        id: u32,
    }
    let server = TestServer::start().await;
    offset_route(&server, "/items", 12);
    let client = RestClient::builder().base_url(server.base_url()).build().unwrap();
    let items: Vec<Item> = client
        .paginate("/items")
        .paginator(OffsetPaginator::with_limit(5))
        .data_selector("data")
        .records_as::<Item>()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(items.len(), 12);
    assert_eq!(items[11], Item { id: 11 });
}

#[tokio::test]
async fn declarative_configs_and_build_errors() {
    let server = TestServer::start().await;
    offset_route(&server, "/items", 4);
    let paginator: PaginatorConfig = serde_json::from_str(r#"{"type":"offset","limit":2}"#).unwrap();
    let auth: AuthConfig =
        serde_json::from_str(r#"{"type":"api_key","name":"k","api_key":"query-key-1","location":"query"}"#)
            .unwrap();
    let client = RestClient::builder()
        .base_url(server.base_url())
        .paginator_config(paginator)
        .auth_config(auth)
        .data_selector("$.data")
        .build()
        .unwrap();
    assert_eq!(ids(client.paginate("/items").pages()).await, [0, 1, 2, 3]);
    assert_eq!(server.requests()[0].query(), "offset=0&limit=2&k=query-key-1");
    assert!(!format!("{client:?}").contains("query-key-1"));

    let bad_selector = RestClient::builder()
        .data_selector("$..[?(@.a == $)]")
        .build()
        .unwrap_err();
    assert!(bad_selector.is_config(), "{bad_selector}");
    let bad_header = RestClient::builder()
        .header("bad header", "x")
        .build()
        .unwrap_err();
    assert!(bad_header.to_string().contains("invalid header name"));
    let bad_base = RestClient::builder().base_url("ftp://h").build().unwrap_err();
    assert!(bad_base.to_string().contains("base URL"));
    let no_stop = serde_json::from_str::<PaginatorConfig>(
        r#"{"type":"offset","limit":10,"total_path":null,"stop_after_empty_page":false}"#,
    );
    assert!(no_stop.unwrap_err().to_string().contains("must be provided"));
    let relative = RestClient::new()
        .unwrap()
        .get("/no-base")
        .send()
        .await
        .unwrap_err();
    assert!(relative.to_string().contains("base URL"));
}

#[tokio::test]
async fn user_layers_and_replacement_services() {
    let server = TestServer::start().await;
    server.route("/x", Reply::json(&json!([1, 2])));
    let client = RestClient::builder()
        .base_url(server.base_url())
        .layer(tower::util::MapRequestLayer::new(
            |mut r: restclient::core::Request| {
                r.headers_mut()
                    .insert("x-layer", http::HeaderValue::from_static("yes"));
                r
            },
        ))
        .build()
        .unwrap();
    client.get("/x").send().await.unwrap();
    assert_eq!(server.requests()[0].header("x-layer"), Some("yes"));

    let canned = tower::service_fn(|r: restclient::core::Request| async move {
        let body = format!("[\"{}\"]", r.uri().path());
        Ok::<_, std::convert::Infallible>(http::Response::new(bytes::Bytes::from(body)))
    });
    let offline = RestClient::builder()
        .base_url("http://nowhere.invalid")
        .service(canned)
        .build()
        .unwrap();
    let pages: Vec<Page> = offline.paginate("/a/b").pages().try_collect().await.unwrap();
    assert_eq!(pages[0].records()[0].as_bytes(), br#""/a/b""#);
}

#[tokio::test]
async fn module_level_paginate_goes_to_exactly_the_url() {
    let server = TestServer::start().await;
    server.route("/all", Reply::json(&json!([{"id": 1}, {"id": 2}])));
    let pages = restclient::paginate(&server.url("/all"))
        .unwrap()
        .param("a", "1")
        .pages();
    let pages: Vec<Page> = pages.try_collect().await.unwrap();
    assert_eq!(pages.len(), 1);
    assert_eq!(pages[0].records().len(), 2);
    assert_eq!(server.requests()[0].uri.to_string(), "/all?a=1");
}

#[tokio::test]
async fn paths_with_spaces_and_non_ascii_are_percent_encoded_like_requests() {
    // §1.10: join_url does not encode; requests' requote_uri encodes when the request is prepared
    let server = TestServer::start().await;
    server.route("/items/a%20b/%C3%A9", |_r: &RecordedRequest| {
        Reply::json(&json!([{"id": 1}]))
    });
    let client = RestClient::builder().base_url(server.url("/")).build().unwrap();
    let response = client.get("/items/a b/é?q=x y").send().await.unwrap();
    assert_eq!(response.status(), 200);
    let pages = client.paginate("items/a b/é").data_selector("$").pages();
    assert_eq!(ids(pages).await, [1]);
    let log = server.requests();
    assert_eq!(log.len(), 2);
    assert_eq!(log[0].path(), "/items/a%20b/%C3%A9");
    assert_eq!(log[0].query(), "q=x%20y");
}

#[tokio::test]
async fn a_caller_content_type_is_kept_with_a_json_body() {
    // requests (§1.3) adds `Content-Type: application/json` only when the headers have none
    let server = TestServer::start().await;
    server.route("/x", |_r: &RecordedRequest| Reply::json(&json!([])));
    let client = RestClient::builder().base_url(server.url("/")).build().unwrap();
    client
        .post("/x")
        .header("Content-Type", "application/vnd.api+json")
        .json(&json!({"a": 1}))
        .send()
        .await
        .unwrap();
    client.post("/x").json(&json!({"a": 1})).send().await.unwrap();
    let log = server.requests();
    assert_eq!(log[0].header("content-type"), Some("application/vnd.api+json"));
    assert_eq!(log[0].json(), json!({"a": 1}));
    assert_eq!(log[1].header("content-type"), Some("application/json"));
}

#[tokio::test]
async fn errors_say_where_and_keep_their_kind_from_send_and_pages() {
    let server = TestServer::start().await;
    server.route(
        "/items",
        Sequence::new([
            Reply::json(&json!({"data": [{"id": 1}], "next": server.url("/items?page=2&token=t-WHERE-1")})),
            Reply::json_text("{\"data\": [1,"),
        ]),
    );
    let client = fast(RestClient::builder()).build().unwrap();
    let mut pages = client
        .paginate(&server.url("/items"))
        .paginator_config(serde_json::from_value(json!({"type": "json_link"})).unwrap())
        .pages();
    assert!(pages.try_next().await.unwrap().is_some());
    let error = pages.try_next().await.unwrap_err();
    assert!(error.is_decode(), "{error}");
    assert_eq!(error.page(), Some(1));
    assert_eq!(error.url().unwrap(), server.url("/items?page=2&token=***"));
    assert!(!format!("{error} {error:?}").contains("t-WHERE-1"));

    // A timeout is a timeout whether it came from send() or from a page stream.
    server.route("/slow", Reply::json(&json!([])).delay(Duration::from_secs(2)));
    let client = fast(RestClient::builder())
        .max_attempts(1)
        .timeout(Duration::from_millis(50))
        .build()
        .unwrap();
    let sent = client.get(&server.url("/slow")).send().await.unwrap_err();
    let paged = client
        .paginate(&server.url("/slow"))
        .pages()
        .try_next()
        .await
        .unwrap_err();
    for error in [&sent, &paged] {
        assert!(
            error.is_timeout() && error.is_request() && !error.is_status(),
            "{error}"
        );
        assert_eq!(error.url(), Some(server.url("/slow").as_str()));
    }
    assert_eq!(paged.page(), Some(0));
}
