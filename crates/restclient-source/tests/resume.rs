//! Kill and resume: a run stopped at many points (the server failing for good, or the run
//! dropped mid-flight) and started again with the same state file writes every record exactly
//! once, in order, for a parent with children and grandchildren and for plain resources.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use common::{source, temp_dir};
use restclient_source::{RunOptions, Source, State};
use restclient_testkit::{RecordedRequest, Reply, TestServer};
use serde_json::{Value, json};

const USERS: u64 = 12;

/// Requests the server still answers; below zero every request gets a 500.
type Budget = Arc<AtomicI64>;

fn spend(budget: &Budget) -> bool {
    budget.fetch_sub(1, Ordering::SeqCst) > 0
}

fn param(r: &RecordedRequest, name: &str) -> Option<u64> {
    r.query_param(name).and_then(|v| v.parse().ok())
}

fn guarded(
    budget: &Budget,
    reply: impl Fn(&RecordedRequest) -> Value + Send + Sync + 'static,
) -> impl Fn(&RecordedRequest) -> Reply + Send + Sync + 'static {
    let budget = budget.clone();
    move |r: &RecordedRequest| {
        if spend(&budget) {
            Reply::json(&reply(r))
        } else {
            Reply::status(500)
        }
    }
}

/// users (3 pages) → posts (2 pages per user) → comments (1 page per post);
/// users → tags (a cursor, 2 pages per user); items (a next link, 5 pages, incremental);
/// orders (page numbers up to a total, 6 pages).
fn api(server: &TestServer, budget: &Budget) {
    server.route(
        "/users",
        guarded(budget, |r| {
            let page = param(r, "page").unwrap_or(1);
            let users: Vec<Value> = (1..=4)
                .map(|i| json!({"id": (page - 1) * 4 + i, "name": format!("u{}", (page - 1) * 4 + i)}))
                .collect();
            json!({"data": users, "total_pages": 3})
        }),
    );
    for user in 1..=USERS {
        server.route(
            &format!("/users/{user}/posts"),
            guarded(budget, move |r| {
                let offset = param(r, "offset").unwrap_or(0);
                let total = 3 + user % 2;
                let posts: Vec<Value> = (offset..(offset + 2).min(total))
                    .map(|k| json!({"id": user * 10 + k, "user": user}))
                    .collect();
                json!({"posts": posts, "total": total})
            }),
        );
        server.route(
            &format!("/users/{user}/tags"),
            guarded(budget, move |r| match r.query_param("cursor").as_deref() {
                None => json!({"tags": [{"u": user, "t": "a"}, {"u": user, "t": "b"}], "next": "2"}),
                Some(_) => json!({"tags": [{"u": user, "t": "c"}], "next": null}),
            }),
        );
        for k in 0..4 {
            let post = user * 10 + k;
            server.route(
                &format!("/posts/{post}/comments"),
                guarded(
                    budget,
                    move |_| json!([{"post": post, "c": 1}, {"post": post, "c": 2}]),
                ),
            );
        }
    }
    server.route(
        "/orders",
        guarded(budget, |r| {
            let page = param(r, "page").unwrap_or(1);
            json!({"data": [{"o": page * 2}, {"o": page * 2 + 1}], "total_pages": 6})
        }),
    );
    for o in 2..=13 {
        server.route(
            &format!("/orders/{o}/lines"),
            guarded(budget, move |_| json!([{"o": o, "l": 1}, {"o": o, "l": 2}])),
        );
    }
    let base = server.base_url();
    server.route(
        "/items",
        guarded(budget, move |r| {
            let page = param(r, "page").unwrap_or(0);
            // the largest cursor value comes first: the saved last value needs every page's
            let items: Vec<Value> = if page == 0 {
                vec![json!({"t": 100}), json!({"t": 1}), json!({"t": 2})]
            } else {
                (0..3).map(|i| json!({"t": page * 3 + i})).collect()
            };
            let next = (page < 4).then(|| format!("{base}/items?page={}", page + 1));
            json!({"items": items, "next": next})
        }),
    );
}

fn config(base: &str) -> Value {
    json!({
        "client": {"base_url": base},
        "resources": [
            {"name": "users", "endpoint": {"data_selector": "data",
                "paginator": {"type": "page_number", "base_page": 1, "total_path": "total_pages"}}},
            {"name": "posts", "endpoint": {"path": "users/{uid}/posts", "data_selector": "posts",
                "params": {"uid": {"type": "resolve", "resource": "users", "field": "id"}},
                "paginator": {"type": "offset", "limit": 2, "total_path": "total"}},
             "include_from_parent": ["name"]},
            {"name": "comments", "endpoint": {"path": "posts/{resources.posts.id}/comments",
                "paginator": "single_page"}, "include_from_parent": ["user"]},
            {"name": "tags", "endpoint": {"path": "users/{resources.users.id}/tags", "data_selector": "tags",
                "paginator": {"type": "cursor", "cursor_path": "next", "cursor_param": "cursor"}}},
            {"name": "items", "endpoint": {"path": "items", "data_selector": "items",
                "paginator": {"type": "json_link", "next_url_path": "next"},
                "incremental": {"cursor_path": "t", "initial_value": 0}}},
            // a total known from the first page: later pages are fetched ahead, concurrently
            // and its children resume from checkpoints: it resumes from the page they need
            {"name": "orders", "endpoint": {"path": "orders", "data_selector": "data",
                "paginator": {"type": "page_number", "base_page": 1, "total_path": "total_pages"},
                "incremental": {"cursor_path": "o", "initial_value": 0}}},
            {"name": "order_lines", "endpoint": {"path": "orders/{resources.orders.o}/lines",
                "paginator": "single_page"}},
        ]
    })
}

const RESOURCES: [&str; 7] = [
    "users",
    "posts",
    "comments",
    "tags",
    "items",
    "orders",
    "order_lines",
];

fn outputs(dir: &Path) -> Vec<String> {
    RESOURCES
        .iter()
        .map(|r| std::fs::read_to_string(dir.join(format!("{r}.ndjson"))).unwrap_or_default())
        .collect()
}

/// The outputs of one uninterrupted run, and its request count.
async fn reference(src: &Source, server: &TestServer, budget: &Budget) -> (Vec<String>, usize) {
    budget.store(i64::MAX / 2, Ordering::SeqCst);
    server.clear_requests();
    let dir = temp_dir("resume-ref");
    let summary = src
        .run(&RunOptions {
            concurrency: 4,
            ..RunOptions::new(&dir)
        })
        .await
        .unwrap();
    assert!(summary.is_success(), "{summary:?}");
    let out = outputs(&dir);
    assert_eq!(out[0].lines().count(), 12);
    assert_eq!(out[1].lines().count(), 42);
    assert_eq!(out[2].lines().count(), 84);
    assert_eq!(out[3].lines().count(), 36);
    assert_eq!(out[4].lines().count(), 15);
    assert_eq!(out[5].lines().count(), 12);
    assert_eq!(out[6].lines().count(), 24);
    (out, server.requests().len())
}

/// Returns once `done` holds, or after 2000 polls of 1 ms (bounded).
async fn until(done: impl Fn() -> bool) {
    for _ in 0..2000 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

fn options(dir: &Path, state: &Path) -> RunOptions {
    RunOptions {
        concurrency: 4,
        state_file: Some(state.to_owned()),
        ..RunOptions::new(dir)
    }
}

/// After the interrupted runs: one more finishes them (unless they did), with the reference
/// outputs and the incremental value of the whole data set, and no unfinished run left.
async fn finish_and_check(
    src: &Source,
    dir: &Path,
    state: &Path,
    budget: &Budget,
    expected: &[String],
    at: &str,
) {
    budget.store(i64::MAX / 2, Ordering::SeqCst);
    if State::load(state).unwrap().run.is_some() {
        let summary = src.run(&options(dir, state)).await.unwrap();
        assert!(summary.is_success(), "{at}: {summary:?}");
    }
    let got = outputs(dir);
    for (i, name) in RESOURCES.iter().enumerate() {
        assert_eq!(got[i], expected[i], "{at}: {name} differs");
    }
    let saved = State::load(state).unwrap();
    assert!(saved.run.is_none(), "{at}: {saved:?}");
    assert_eq!(
        saved.resources["items"].incremental["t"].last_value,
        Some(json!(100)),
        "{at}"
    );
    assert_eq!(
        saved.resources["orders"].incremental["o"].last_value,
        Some(json!(13)),
        "{at}: a parent resumed mid-way keeps the value of every page"
    );
}

#[tokio::test]
async fn a_server_failing_for_good_at_any_request_then_a_resumed_run() {
    let server = TestServer::start().await;
    let budget: Budget = Arc::new(AtomicI64::new(0));
    api(&server, &budget);
    let src = source(config(&server.base_url()));
    let (expected, total) = reference(&src, &server, &budget).await;
    for n in (0..total).step_by(5) {
        let dir = temp_dir("resume-fail");
        let state = dir.join("state.json");
        server.clear_requests();
        // fails for good after n requests; then again, n / 2 requests into the resumed run
        for budget_left in [n, n / 2] {
            budget.store(i64::try_from(budget_left).unwrap(), Ordering::SeqCst);
            let summary = src.run(&options(&dir, &state)).await.unwrap();
            if summary.is_success() {
                break;
            }
            assert!(State::load(&state).unwrap().run.is_some(), "n = {n}");
        }
        finish_and_check(
            &src,
            &dir,
            &state,
            &budget,
            &expected,
            &format!("failing after {n}"),
        )
        .await;
        // a leaf continues from its checkpoint: each failed run costs at most one page again
        assert!(server.hits("/items") <= 5 + 2, "{}", server.hits("/items"));
    }
}

#[tokio::test]
async fn a_run_dropped_at_any_point_then_resumed() {
    let server = TestServer::start().await;
    let budget: Budget = Arc::new(AtomicI64::new(0));
    api(&server, &budget);
    let src = source(config(&server.base_url()));
    let (expected, total) = reference(&src, &server, &budget).await;
    budget.store(i64::MAX / 2, Ordering::SeqCst);
    for n in (1..total).step_by(4) {
        let dir = temp_dir("resume-drop");
        let state = dir.join("state.json");
        // dropped once n requests went out, then again n / 2 + 1 requests into the resumed run
        for more in [n, n / 2 + 1] {
            server.clear_requests();
            let opts = options(&dir, &state);
            let run = src.run(&opts);
            let stop = until(|| server.requests().len() >= more);
            let finished = tokio::select! {
                summary = run => summary.unwrap().is_success(),
                () = stop => false,
            };
            if finished {
                break;
            }
        }
        finish_and_check(
            &src,
            &dir,
            &state,
            &budget,
            &expected,
            &format!("dropped after {n}"),
        )
        .await;
    }
}

#[tokio::test]
async fn an_unfinished_run_is_continued_only_with_the_same_resources() {
    let server = TestServer::start().await;
    let budget: Budget = Arc::new(AtomicI64::new(10));
    api(&server, &budget);
    let src = source(config(&server.base_url()));
    let dir = temp_dir("resume-selection");
    let state = dir.join("state.json");
    assert!(!src.run(&options(&dir, &state)).await.unwrap().is_success());
    let other = RunOptions {
        resources: vec!["items".into()],
        ..options(&dir, &state)
    };
    let err = src.run(&other).await.unwrap_err().to_string();
    assert!(
        err.contains("unfinished run") && err.contains("comments"),
        "{err}"
    );
    // an output shorter than the state says is not the run's output
    std::fs::write(dir.join("users.ndjson"), "").unwrap();
    let progress = State::load(&state).unwrap().run.unwrap();
    if progress.resources.get("users").is_some_and(|p| p.output_len > 0) {
        let err = src.run(&options(&dir, &state)).await.unwrap_err().to_string();
        assert!(err.contains("not the output of the run"), "{err}");
    }
}

/// A parent of 20 pages whose child resumes from checkpoints: a run dropped once the child is
/// well into them resumes the parent from the page holding the first record the child still
/// needs, not from its first page; every record exactly once, in order.
#[tokio::test]
async fn a_parent_resumes_from_the_page_its_children_still_need() {
    const PAGES: u64 = 20;
    let server = TestServer::start().await;
    server.route("/parents", |r: &RecordedRequest| {
        let page = param(r, "page").unwrap_or(1);
        let rows: Vec<Value> = (0..5).map(|i| json!({"id": (page - 1) * 5 + i})).collect();
        Reply::json(&json!({"data": rows, "total_pages": PAGES}))
    });
    for id in 0..PAGES * 5 {
        server.route(
            &format!("/parents/{id}/kids"),
            Reply::json(&json!([{"p": id, "k": 1}, {"p": id, "k": 2}])),
        );
    }
    let src = source(json!({
        "client": {"base_url": server.base_url()},
        "resources": [
            {"name": "parents", "endpoint": {"data_selector": "data",
                "paginator": {"type": "page_number", "base_page": 1, "total_path": "total_pages"}}},
            {"name": "kids", "endpoint": {"path": "parents/{resources.parents.id}/kids",
                "paginator": "single_page"}},
        ]
    }));
    let read = |dir: &Path| -> Vec<String> {
        ["parents", "kids"]
            .iter()
            .map(|r| std::fs::read_to_string(dir.join(format!("{r}.ndjson"))).unwrap_or_default())
            .collect()
    };
    let reference = temp_dir("replay-ref");
    assert!(src.run(&RunOptions::new(&reference)).await.unwrap().is_success());
    let expected = read(&reference);
    assert_eq!(expected[1].lines().count(), 200);

    let dir = temp_dir("replay");
    let state = dir.join("state.json");
    server.clear_requests();
    let opts = options(&dir, &state);
    let stop = until(|| {
        server
            .requests()
            .iter()
            .filter(|r| r.path().ends_with("/kids"))
            .count()
            >= 50
    });
    tokio::select! {
        summary = src.run(&opts) => panic!("finished before it was dropped: {summary:?}"),
        () = stop => {}
    }

    // where the parent must start again: the last replay point at or below what it still needs
    let saved = State::load(&state).unwrap().run.unwrap();
    let (parents, kids) = (&saved.resources["parents"], &saved.resources["kids"]);
    assert!(
        kids.parent_index >= 20,
        "the child got well into its parents: {kids:?}"
    );
    let need = kids.parent_index.min(parents.records);
    let point = parents.replay.iter().rev().find(|p| p.records <= need).unwrap();
    assert!(point.pages >= 4, "{point:?}");
    assert!(
        parents.replay.len() <= 20,
        "pruned as the child goes: {}",
        parents.replay.len()
    );

    server.clear_requests();
    let summary = src.run(&opts).await.unwrap();
    assert!(summary.is_success(), "{summary:?}");
    assert_eq!(read(&dir), expected, "every record exactly once, in order");
    // (the dropped run's last state write may land after the read above, moving the point on)
    let hits = server.hits("/parents");
    assert!(
        (1..=usize::try_from(PAGES - point.pages).unwrap()).contains(&hits),
        "the parent's pages from the point on, and no others: {hits} from page {}",
        point.pages + 1
    );
    assert!(State::load(&state).unwrap().run.is_none());
}
