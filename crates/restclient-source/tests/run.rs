//! Runs over real test servers: merge rules, parents and children, order, faults, response actions.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{Duration, Instant};

use common::{lines, source, temp_dir};
use futures_util::StreamExt;
use restclient_source::{Progress, ResourceStatus, RunOptions, SourceEvent};
use restclient_testkit::{RecordedRequest, Reply, TestServer};
use serde_json::{Value, json};

fn page_param(r: &RecordedRequest, name: &str, default: usize) -> usize {
    r.query_param(name)
        .and_then(|p| p.parse().ok())
        .unwrap_or(default)
}

#[tokio::test]
async fn endpoint_over_defaults_over_client() {
    let server = TestServer::start().await;
    server.route("/users", |r: &RecordedRequest| {
        let page = page_param(r, "page", 1);
        Reply::json(&json!({"items": [{"id": page * 10 + 1}, {"id": page * 10 + 2}], "total_pages": 3}))
    });
    server.route("/orders", |r: &RecordedRequest| {
        let offset = page_param(r, "offset", 0);
        let data: Vec<Value> = if offset < 4 {
            vec![json!({"o": offset}), json!({"o": offset + 1})]
        } else {
            vec![]
        };
        Reply::json(&json!({"data": data, "items": ["wrong"]}))
    });
    server.route(
        "/tags",
        Reply::json(&json!({"items": [{"t": "a"}], "total_pages": 9})),
    );
    server.route("/detected", |r: &RecordedRequest| {
        Reply::json(&match r.query_param("cursor") {
            None => json!({"results": [1, 2], "next": format!("{}?cursor=2", "/detected")}),
            Some(_) => json!({"results": [3], "next": null}),
        })
    });
    let src = source(json!({
        "client": {"base_url": server.base_url(), "headers": {"X-Client": "c"},
                   "paginator": {"type": "page_number", "base_page": 1, "total_path": "total_pages"}},
        "resource_defaults": {"endpoint": {"params": {"per_page": 2, "sort": "asc"}, "data_selector": "items"}},
        "resources": [
            "users",
            {"name": "orders", "endpoint": {"params": {"sort": "desc"}, "data_selector": "data",
                                            "paginator": {"type": "offset", "limit": 2, "total_path": null}}},
            {"name": "tags", "endpoint": {"path": "tags", "paginator": "single_page", "headers": {"X-Endpoint": "e"}}},
        ]
    }));
    let dir = temp_dir("merge");
    let summary = src.run(&RunOptions::new(&dir)).await.unwrap();
    assert!(summary.is_success(), "{summary:?}");

    assert_eq!(lines(&dir, "users").len(), 6, "client paginator: 3 pages");
    let users = server.requests_to("/users");
    assert_eq!(users.len(), 3);
    assert_eq!(
        users[0].query(),
        "per_page=2&sort=asc&page=1",
        "defaults' params, then the paginator's"
    );
    assert_eq!(users[0].header("x-client"), Some("c"));

    let orders = lines(&dir, "orders");
    assert_eq!(
        orders,
        [json!({"o": 0}), json!({"o": 1}), json!({"o": 2}), json!({"o": 3})]
    );
    let first = &server.requests_to("/orders")[0];
    assert_eq!(
        first.query_param("sort").as_deref(),
        Some("desc"),
        "the endpoint's param wins"
    );
    assert_eq!(
        first.query_param("per_page").as_deref(),
        Some("2"),
        "the defaults' param stays"
    );
    assert_eq!(
        first.query_param("page"),
        None,
        "the endpoint's paginator replaces the client's"
    );

    assert_eq!(lines(&dir, "tags"), [json!({"t": "a"})]);
    assert_eq!(server.hits("/tags"), 1);
    let tags = &server.requests_to("/tags")[0];
    assert_eq!(
        (tags.header("x-client"), tags.header("x-endpoint")),
        (Some("c"), Some("e"))
    );
    assert_eq!(summary.get("users").unwrap().pages, 3);
    assert_eq!(summary.get("orders").unwrap().records, 4);

    // no paginator anywhere: detected
    let src = source(json!({"client": {"base_url": server.base_url()}, "resources": ["detected"]}));
    let dir = temp_dir("detect");
    assert!(src.run(&RunOptions::new(&dir)).await.unwrap().is_success());
    assert_eq!(lines(&dir, "detected"), [json!(1), json!(2), json!(3)]);
}

/// users (3 pages of 4) → posts (2 pages each, random delays) → comments (1 page each).
fn blog(server: &TestServer) {
    server.route("/users", |r: &RecordedRequest| {
        let page = page_param(r, "page", 1);
        let users: Vec<Value> = (0..4)
            .map(|i| json!({"id": (page - 1) * 4 + i + 1, "name": format!("user{}", (page - 1) * 4 + i + 1)}))
            .collect();
        Reply::json(&json!({"data": users, "total_pages": 3}))
    });
    for user in 1..=12usize {
        let base = server.base_url();
        server.route(&format!("/users/{user}/posts"), move |r: &RecordedRequest| {
            let second = r.query_param("after").is_some();
            let ids: Vec<Value> = (0..2)
                .map(|k| json!({"id": format!("u{user}-p{}", k + usize::from(second) * 2), "title": "t"}))
                .collect();
            let next = if second {
                Value::Null
            } else {
                json!(format!("{base}/users/{user}/posts?after=x"))
            };
            // deterministic jitter: later users often answer first
            let delay = ((user * 7 + usize::from(second) * 5) % 13) as u64 * 3;
            Reply::json(&json!({"posts": ids, "next": next})).delay(Duration::from_millis(delay))
        });
        for k in 0..4 {
            server.route(
                &format!("/posts/u{user}-p{k}/comments"),
                move |_: &RecordedRequest| {
                    Reply::json(&json!([{"c": format!("u{user}-p{k}-c")}]))
                        .delay(Duration::from_millis(((user + k) % 5) as u64 * 2))
                },
            );
        }
    }
}

fn blog_config(base: &str) -> Value {
    json!({
        "client": {"base_url": base},
        "resources": [
            {"name": "users", "endpoint": {"path": "users", "data_selector": "data",
                                           "paginator": {"type": "page_number", "base_page": 1, "total_path": "total_pages"}}},
            {"name": "posts", "endpoint": {"path": "users/{user_id}/posts", "data_selector": "posts",
                                           "paginator": {"type": "json_link", "next_url_path": "next"},
                                           "params": {"user_id": {"type": "resolve", "resource": "users", "field": "id"}}},
             "include_from_parent": ["name"]},
            {"name": "comments", "endpoint": {"path": "posts/{resources.posts.id}/comments"}},
        ]
    })
}

fn expected_posts() -> Vec<Value> {
    let mut out = Vec::new();
    for user in 1..=12 {
        for k in 0..4 {
            out.push(
                json!({"id": format!("u{user}-p{k}"), "title": "t", "_users_name": format!("user{user}")}),
            );
        }
    }
    out
}

#[tokio::test]
async fn children_come_in_parent_order_whatever_finishes_first() {
    let server = TestServer::start().await;
    blog(&server);
    for concurrency in [1, 3, 16] {
        let dir = temp_dir("fifo");
        let progress = std::sync::Arc::new(Progress::new());
        let options = RunOptions {
            concurrency,
            progress: Some(progress.clone()),
            ..RunOptions::new(&dir)
        };
        let summary = source(blog_config(&server.base_url()))
            .run(&options)
            .await
            .unwrap();
        assert!(summary.is_success(), "{summary:?}");
        assert_eq!(lines(&dir, "users").len(), 12);
        assert_eq!(
            lines(&dir, "posts"),
            expected_posts(),
            "concurrency {concurrency}"
        );
        let comments: Vec<Value> = lines(&dir, "comments");
        let expected: Vec<Value> = (1..=12)
            .flat_map(|u| (0..4).map(move |k| json!({"c": format!("u{u}-p{k}-c")})))
            .collect();
        assert_eq!(comments, expected, "three levels, concurrency {concurrency}");
        assert_eq!(summary.get("posts").unwrap().pages, 24);
        let snapshot = progress.snapshot();
        assert_eq!(snapshot.len(), 3);
        assert!(
            snapshot.iter().all(|p| p.status == ResourceStatus::Done),
            "{snapshot:?}"
        );
    }
}

#[tokio::test]
async fn parents_with_zero_and_one_page() {
    let server = TestServer::start().await;
    server.route("/empty", Reply::json(&json!({"data": []})));
    server.route("/one", Reply::json(&json!({"data": [{"id": 1}, {"id": 2}]})));
    server.route("/kids/1", Reply::json(&json!({"k": 1})));
    server.route("/kids/2", Reply::json(&json!({"k": 2})));
    let src = source(json!({
        "client": {"base_url": server.base_url(), "paginator": "single_page"},
        "resources": [
            {"name": "empty", "endpoint": {"data_selector": "data"}},
            {"name": "empty_kids", "endpoint": {"path": "kids/{id}", "params": {"id": {"type": "resolve", "resource": "empty", "field": "id"}}}},
            {"name": "one", "endpoint": {"data_selector": "data"}, "selected": false},
            {"name": "kids", "endpoint": {"path": "kids/{id}", "params": {"id": {"type": "resolve", "resource": "one", "field": "id"}}}},
        ]
    }));
    let dir = temp_dir("zero-one");
    let summary = src.run(&RunOptions::new(&dir)).await.unwrap();
    assert!(summary.is_success(), "{summary:?}");
    assert!(lines(&dir, "empty").is_empty());
    assert!(lines(&dir, "empty_kids").is_empty());
    assert!(
        !dir.join("one.ndjson").exists(),
        "a parent that is not selected writes nothing"
    );
    assert_eq!(
        lines(&dir, "kids"),
        [json!({"k": 1}), json!({"k": 2})],
        "single entity path: the whole body"
    );
    assert!(!summary.get("one").unwrap().written);
}

#[tokio::test]
async fn single_entity_path_ignores_the_client_paginator() {
    let server = TestServer::start().await;
    server.route("/items", Reply::json(&json!([{"id": 5}])));
    server.route(
        "/items/5",
        Reply::json(&json!({"id": 5, "next": "/items/5?again=1"})),
    );
    let src = source(json!({
        "client": {"base_url": server.base_url(), "paginator": {"type": "json_link", "next_url_path": "next"}},
        "resources": [
            {"name": "items", "endpoint": {"paginator": "single_page"}},
            {"name": "item", "endpoint": {"path": "items/{id}", "params": {"id": {"type": "resolve", "resource": "items", "field": "id"}}}},
        ]
    }));
    let dir = temp_dir("single");
    assert!(src.run(&RunOptions::new(&dir)).await.unwrap().is_success());
    assert_eq!(
        lines(&dir, "item"),
        [json!({"id": 5, "next": "/items/5?again=1"})]
    );
    assert_eq!(
        server.hits("/items/5"),
        1,
        "a single page, though the client paginator would follow `next`"
    );
}

#[tokio::test]
async fn a_failed_resource_stops_only_what_depends_on_it() {
    let server = TestServer::start().await;
    blog(&server);
    server.route("/users/7/posts", Reply::status(500).body("{\"error\": \"boom\"}"));
    server.route("/other", Reply::json(&json!([{"x": 1}])));
    let mut config = blog_config(&server.base_url());
    config["resources"]
        .as_array_mut()
        .unwrap()
        .push(json!({"name": "other", "endpoint": {"paginator": "single_page"}}));
    let dir = temp_dir("fault");
    let summary = source(config)
        .run(&RunOptions {
            concurrency: 4,
            ..RunOptions::new(&dir)
        })
        .await
        .unwrap();
    assert!(!summary.is_success());
    let posts = summary
        .get("posts")
        .unwrap()
        .failure
        .as_ref()
        .expect("posts failed");
    assert_eq!(posts.status, Some(500));
    assert!(
        posts.url.as_deref().unwrap().ends_with("/users/7/posts"),
        "{posts:?}"
    );
    let comments = summary
        .get("comments")
        .unwrap()
        .failure
        .as_ref()
        .expect("comments failed with posts");
    assert!(comments.message.contains("`posts` failed"), "{comments:?}");
    assert!(summary.get("users").unwrap().failure.is_none());
    assert!(summary.get("other").unwrap().failure.is_none());
    assert_eq!(lines(&dir, "users").len(), 12);
    assert_eq!(lines(&dir, "other"), [json!({"x": 1})]);
    // what was written before the failure is in order: users 1..6 complete
    let written = lines(&dir, "posts");
    assert_eq!(written, expected_posts()[..written.len()].to_vec());
    assert!(written.len() <= 24);
}

#[tokio::test]
async fn response_actions_ignore_by_status_and_by_content() {
    let server = TestServer::start().await;
    server.route("/users", Reply::json(&json!([{"id": 1}, {"id": 2}, {"id": 3}])));
    server.route("/users/1/posts", Reply::json(&json!([{"p": 1}])));
    server.route("/users/2/posts", Reply::status(404));
    server.route("/users/3/posts", Reply::json(&json!([{"p": 3}])));
    server.route("/feed", |r: &RecordedRequest| {
        Reply::json(&match r.query_param("page").as_deref() {
            None | Some("0") => json!({"data": [1, 2]}),
            Some("1") => json!({"data": [3], "note": "rate limit reached"}),
            _ => json!({"data": [4]}),
        })
    });
    let src = source(json!({
        "client": {"base_url": server.base_url()},
        "resources": [
            {"name": "users", "endpoint": {"paginator": "single_page"}},
            {"name": "posts", "endpoint": {"path": "users/{id}/posts", "paginator": "single_page",
                                           "params": {"id": {"type": "resolve", "resource": "users", "field": "id"}},
                                           "response_actions": [{"status_code": 404, "action": "ignore"}]}},
            {"name": "feed", "endpoint": {"data_selector": "data",
                                          "paginator": {"type": "page_number", "total_path": null, "maximum_page": 5},
                                          "response_actions": [{"content": "rate limit", "action": "ignore"}]}},
        ]
    }));
    let dir = temp_dir("actions");
    let summary = src.run(&RunOptions::new(&dir)).await.unwrap();
    assert!(summary.is_success(), "{summary:?}");
    assert_eq!(lines(&dir, "posts"), [json!({"p": 1}), json!({"p": 3})]);
    assert_eq!(
        lines(&dir, "feed"),
        [json!(1), json!(2)],
        "a content match on a 200 ends pagination"
    );
    // pages 0..=5 are known in advance and fetched ahead; the content match still ends the output
    assert!(
        (2..=6).contains(&server.hits("/feed")),
        "{}",
        server.hits("/feed")
    );
}

#[tokio::test]
async fn resolve_in_query_and_typed_json_bodies() {
    let server = TestServer::start().await;
    server.route(
        "/accounts",
        Reply::json(&json!([{"id": 7, "tags": ["a", "b"]}, {"id": 8, "tags": []}])),
    );
    server.route("/search", |r: &RecordedRequest| {
        Reply::json(&json!([{"got": r.json()}]))
    });
    server.route("/balances", |r: &RecordedRequest| {
        Reply::json(&json!([{"account": r.query_param("account_id")}]))
    });
    let src = source(json!({
        "client": {"base_url": server.base_url(), "paginator": "single_page"},
        "resources": [
            "accounts",
            {"name": "search", "endpoint": {"path": "search", "method": "POST",
                                            "json": {"id": "{resources.accounts.id}", "label": "acct-{resources.accounts.id}", "tags": "{resources.accounts.tags}"}}},
            {"name": "balances", "endpoint": {"path": "balances",
                                              "params": {"account_id": {"type": "resolve", "resource": "accounts", "field": "id"}}}},
        ]
    }));
    let dir = temp_dir("query");
    assert!(src.run(&RunOptions::new(&dir)).await.unwrap().is_success());
    assert_eq!(
        lines(&dir, "search"),
        [
            json!({"got": {"id": 7, "label": "acct-7", "tags": ["a", "b"]}}),
            json!({"got": {"id": 8, "label": "acct-8", "tags": []}})
        ]
    );
    assert!(
        server
            .requests_to("/search")
            .iter()
            .all(|r| r.method == http::Method::POST)
    );
    assert_eq!(
        lines(&dir, "balances"),
        [json!({"account": "7"}), json!({"account": "8"})]
    );
}

#[tokio::test]
async fn a_resource_filter_runs_the_parents_it_needs_without_writing_them() {
    let server = TestServer::start().await;
    blog(&server);
    let src = source(blog_config(&server.base_url()));
    let dir = temp_dir("filter");
    let options = RunOptions {
        resources: vec!["posts".into()],
        ..RunOptions::new(&dir)
    };
    let summary = src.run(&options).await.unwrap();
    assert!(summary.is_success());
    assert_eq!(lines(&dir, "posts"), expected_posts());
    assert!(!dir.join("users.ndjson").exists());
    assert!(
        !dir.join("comments.ndjson").exists(),
        "children not asked for do not run"
    );
    assert_eq!(server.hits("/posts/u1-p0/comments"), 0);
    let err = src
        .run(&RunOptions {
            resources: vec!["nope".into()],
            ..RunOptions::new(&dir)
        })
        .await
        .unwrap_err();
    assert_eq!(err.resource(), Some("nope"));
}

#[tokio::test]
async fn requests_in_flight_never_exceed_the_cap() {
    let server = TestServer::start().await;
    let starts = std::sync::Arc::new(std::sync::Mutex::new(Vec::<Instant>::new()));
    const DELAY: Duration = Duration::from_millis(40);
    for name in ["a", "b", "c"] {
        let starts = starts.clone();
        server.route(&format!("/{name}"), move |r: &RecordedRequest| {
            starts.lock().unwrap().push(Instant::now());
            let page = page_param(r, "page", 0);
            Reply::json(&json!({"data": if page < 4 { json!([{"p": page}]) } else { json!([]) }}))
                .delay(DELAY)
        });
    }
    let src = source(json!({
        "client": {"base_url": server.base_url(), "paginator": {"type": "page_number", "total_path": null}},
        "resource_defaults": {"endpoint": {"data_selector": "data"}},
        "resources": ["a", "b", "c"]
    }));
    for cap in [1usize, 2] {
        starts.lock().unwrap().clear();
        let dir = temp_dir("cap");
        assert!(
            src.run(&RunOptions {
                concurrency: cap,
                ..RunOptions::new(&dir)
            })
            .await
            .unwrap()
            .is_success()
        );
        let mut times = starts.lock().unwrap().clone();
        times.sort();
        // without a total, fetching ahead sends at most cap - 1 requests past each end
        assert!(
            (15..=15 + 3 * (cap - 1)).contains(&times.len()),
            "{}",
            times.len()
        );
        // a request is in flight for at least DELAY after its start
        let most = times
            .iter()
            .map(|s| times.iter().filter(|t| **t >= *s && **t < *s + DELAY).count())
            .max()
            .unwrap();
        assert!(most <= cap, "cap {cap}: {most} in flight");
        if cap == 2 {
            assert_eq!(most, 2, "independent resources run concurrently");
        }
    }
}

#[tokio::test]
async fn the_stream_form_delivers_every_resource_then_the_summary() {
    let server = TestServer::start().await;
    blog(&server);
    let src = source(blog_config(&server.base_url()));
    let mut stream = src.stream(RunOptions {
        concurrency: 4,
        ..RunOptions::default()
    });
    let mut posts = Vec::new();
    let mut users = 0;
    let mut finished = None;
    // bounded: the run has a finite number of pages
    while let Some(event) = stream.next().await {
        match event.unwrap() {
            SourceEvent::Records { resource, records } => {
                assert!(finished.is_none(), "records after the summary");
                match &*resource {
                    "posts" => posts.extend(records.iter().map(|r| r.to_value().unwrap())),
                    "users" => users += records.len(),
                    _ => {}
                }
            }
            SourceEvent::Finished(summary) => finished = Some(summary),
            _ => {}
        }
    }
    assert!(finished.unwrap().is_success());
    assert_eq!(users, 12);
    assert_eq!(posts, expected_posts());
}

#[tokio::test]
async fn next_links_do_not_carry_the_first_requests_params() {
    let server = TestServer::start().await;
    let base = server.base_url();
    server.route("/links", move |r: &RecordedRequest| {
        Reply::json(&match r.query_param("p").as_deref() {
            None => json!({"data": [1], "next": format!("{base}/links?p=2")}),
            _ => json!({"data": [2], "next": null}),
        })
    });
    let src = source(json!({
        "client": {"base_url": server.base_url()},
        "resources": [{"name": "links", "endpoint": {"params": {"per_page": 5, "q": "x"}, "data_selector": "data",
                                                     "paginator": {"type": "json_link", "next_url_path": "next"}}}]
    }));
    let dir = temp_dir("links");
    assert!(src.run(&RunOptions::new(&dir)).await.unwrap().is_success());
    assert_eq!(lines(&dir, "links"), [json!(1), json!(2)]);
    let sent = server.requests_to("/links");
    assert_eq!(sent[0].query(), "per_page=5&q=x");
    assert_eq!(
        sent[1].query(),
        "p=2",
        "the next link as given, as dlt clears params after the first request"
    );
}

#[tokio::test]
async fn max_rps_spaces_the_requests() {
    let server = TestServer::start().await;
    server.route("/r", |r: &RecordedRequest| {
        let page = page_param(r, "page", 0);
        Reply::json(&json!({"data": if page < 5 { json!([page]) } else { json!([]) }}))
    });
    let src = source(json!({
        "client": {"base_url": server.base_url(), "paginator": {"type": "page_number", "total_path": null}},
        "resources": [{"name": "r", "endpoint": {"data_selector": "data"}}]
    }));
    let dir = temp_dir("rps");
    let started = Instant::now();
    let options = RunOptions {
        max_rps: Some(50.0),
        concurrency: 4,
        ..RunOptions::new(&dir)
    };
    assert!(src.run(&options).await.unwrap().is_success());
    // 6 requests at 50/s: the last starts at least 100 ms after the first
    assert!(
        started.elapsed() >= Duration::from_millis(100),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(server.hits("/r"), 6);
}

#[tokio::test]
async fn endpoint_auth_form_data_and_header_placeholders() {
    let server = TestServer::start().await;
    server.route("/teams", Reply::json(&json!([{"id": "t1", "region": "eu"}])));
    server.route("/members", |r: &RecordedRequest| {
        Reply::json(&json!([{"form": r.form(), "auth": r.header("authorization"), "key": r.query_param("key"), "region": r.header("x-region")}]))
    });
    let src = source(json!({
        "client": {"base_url": server.base_url(), "paginator": "single_page", "auth": {"type": "bearer", "token": "client-token-1"}},
        "resources": [
            "teams",
            {"name": "members", "endpoint": {"path": "members", "method": "POST",
                                             "data": {"team": "{resources.teams.id}", "limit": 10},
                                             "headers": {"X-Region": "{resources.teams.region}"},
                                             "auth": {"type": "api_key", "name": "key", "api_key": "endpoint-key-1", "location": "query"}}},
        ]
    }));
    let dir = temp_dir("auth-data");
    let summary = src.run(&RunOptions::new(&dir)).await.unwrap();
    assert!(summary.is_success(), "{summary:?}");
    assert_eq!(
        server.requests_to("/teams")[0].header("authorization"),
        Some("Bearer client-token-1")
    );
    assert_eq!(
        lines(&dir, "members"),
        [
            json!({"form": [["team", "t1"], ["limit", "10"]], "auth": null, "key": "endpoint-key-1", "region": "eu"})
        ],
        "the endpoint's auth replaces the client's"
    );
}

#[tokio::test]
async fn command_line_retry_settings_win_and_failures_read_as_one_line_each() {
    let server = TestServer::start().await;
    server.route(
        "/flaky",
        restclient_testkit::fail_times(2, Reply::status(500), Reply::json(&json!([{"a": 1}]))),
    );
    server.route("/broken", Reply::status(503));
    let src = source(json!({
        "client": {"base_url": server.base_url(), "paginator": "single_page", "max_attempts": 1},
        "resources": ["flaky", "broken"]
    }));
    let dir = temp_dir("cli-overrides");
    let options = RunOptions {
        max_attempts: Some(3),
        backoff_factor: Some(0.0),
        progress: Some(std::sync::Arc::new(Progress::new())),
        ..RunOptions::new(&dir)
    };
    let summary = src.run(&options).await.unwrap();
    assert!(summary.get("flaky").unwrap().failure.is_none(), "{summary:?}");
    assert_eq!(lines(&dir, "flaky"), [json!({"a": 1})]);
    assert_eq!(server.hits("/broken"), 3);
    let failed = summary.failure_lines();
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert!(
        failed[0].starts_with("resource broken failed:")
            && failed[0].contains("503")
            && failed[0].contains("/broken"),
        "{}",
        failed[0]
    );
    let lines = options.progress.as_ref().unwrap().status_lines();
    assert_eq!(lines, ["1 done, 1 failed"]);
}
