//! Incremental loading across runs with a state file; secrets stay out of output, state and errors.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::{Arc, Mutex};

use common::{lines, source, temp_dir};
use restclient_source::{RestApiConfig, RunOptions, Source, State};
use restclient_testkit::{RecordedRequest, Reply, TestServer};
use serde_json::{Value, json};

/// `/events?since=S[&until=U]`: the events with `S <= t (< U)`, oldest first, two per page.
fn events_api(server: &TestServer, events: Arc<Mutex<Vec<Value>>>) {
    server.route("/events", move |r: &RecordedRequest| {
        let since: i64 = r
            .query_param("since")
            .and_then(|s| s.parse().ok())
            .unwrap_or(i64::MIN);
        let until: i64 = r
            .query_param("until")
            .and_then(|s| s.parse().ok())
            .unwrap_or(i64::MAX);
        let page: usize = r.query_param("page").and_then(|s| s.parse().ok()).unwrap_or(0);
        let all: Vec<Value> = events
            .lock()
            .unwrap()
            .iter()
            .filter(|e| (since..until).contains(&e["t"].as_i64().unwrap()))
            .cloned()
            .collect();
        let chunk: Vec<Value> = all.iter().skip(page * 2).take(2).cloned().collect();
        Reply::json(&json!({"data": chunk}))
    });
}

fn ev(id: u32, t: i64) -> Value {
    json!({"id": id, "t": t})
}

fn config(base: &str, incremental: Value, params: Value) -> Value {
    json!({
        "client": {"base_url": base, "paginator": {"type": "page_number", "total_path": null}},
        "resources": [{"name": "events", "primary_key": "id",
                       "endpoint": {"path": "events", "data_selector": "data", "params": params, "incremental": incremental}}]
    })
}

#[tokio::test]
async fn the_second_run_starts_where_the_first_ended_and_drops_what_it_saw() {
    let server = TestServer::start().await;
    let events = Arc::new(Mutex::new(vec![ev(1, 1), ev(2, 2), ev(3, 3), ev(4, 3)]));
    events_api(&server, events.clone());
    let dir = temp_dir("incr");
    let state_file = dir.join("state.json");
    let src = source(config(
        &server.base_url(),
        json!({"start_param": "since", "cursor_path": "t", "initial_value": 0}),
        json!({}),
    ));
    let options = RunOptions {
        state_file: Some(state_file.clone()),
        ..RunOptions::new(dir.join("run1"))
    };
    assert!(src.run(&options).await.unwrap().is_success());
    assert_eq!(
        lines(&dir.join("run1"), "events"),
        [ev(1, 1), ev(2, 2), ev(3, 3), ev(4, 3)]
    );
    assert_eq!(
        server.requests_to("/events")[0].query_param("since").as_deref(),
        Some("0")
    );
    let state = State::load(&state_file).unwrap();
    let saved = &state.resources["events"].incremental["t"];
    assert_eq!(saved.last_value, Some(json!(3)));
    assert_eq!(saved.unique_hashes.len(), 2, "ids 3 and 4 sit at the last value");

    // new events arrive, one of them at the boundary value
    events.lock().unwrap().extend([ev(5, 3), ev(6, 4)]);
    server.clear_requests();
    let options = RunOptions {
        state_file: Some(state_file.clone()),
        ..RunOptions::new(dir.join("run2"))
    };
    assert!(src.run(&options).await.unwrap().is_success());
    assert_eq!(
        server.requests_to("/events")[0].query_param("since").as_deref(),
        Some("3")
    );
    assert_eq!(
        lines(&dir.join("run2"), "events"),
        [ev(5, 3), ev(6, 4)],
        "each record exactly once over the two runs"
    );
    assert_eq!(
        State::load(&state_file).unwrap().resources["events"].incremental["t"].last_value,
        Some(json!(4))
    );

    // a failed run keeps the state it had
    server.route("/events", Reply::status(503));
    let options = RunOptions {
        state_file: Some(state_file.clone()),
        ..RunOptions::new(dir.join("run3"))
    };
    let summary = src.run(&options).await.unwrap();
    assert_eq!(
        summary.get("events").unwrap().failure.as_ref().unwrap().status,
        Some(503)
    );
    assert_eq!(
        State::load(&state_file).unwrap().resources["events"].incremental["t"].last_value,
        Some(json!(4))
    );
}

#[tokio::test]
async fn an_incremental_param_and_an_end_value_window() {
    let server = TestServer::start().await;
    let events = Arc::new(Mutex::new(
        (1..=8).map(|i| ev(i, i64::from(i))).collect::<Vec<_>>(),
    ));
    events_api(&server, events);
    let dir = temp_dir("incr-param");
    let state_file = dir.join("state.json");

    // the param form
    let src = source(config(
        &server.base_url(),
        Value::Null,
        json!({"since": {"type": "incremental", "cursor_path": "t", "initial_value": 6}}),
    ));
    let options = RunOptions {
        state_file: Some(state_file.clone()),
        ..RunOptions::new(&dir)
    };
    assert!(src.run(&options).await.unwrap().is_success());
    assert_eq!(lines(&dir, "events"), [ev(6, 6), ev(7, 7), ev(8, 8)]);
    assert_eq!(
        State::load(&state_file).unwrap().resources["events"].incremental["t"].last_value,
        Some(json!(8))
    );

    // an end value: [initial, end) every time, no state
    let window_state = dir.join("window-state.json");
    let src = source(config(
        &server.base_url(),
        json!({"start_param": "since", "end_param": "until", "cursor_path": "t", "initial_value": 2, "end_value": 5}),
        json!({}),
    ));
    for _ in 0..2 {
        let options = RunOptions {
            state_file: Some(window_state.clone()),
            ..RunOptions::new(&dir)
        };
        assert!(src.run(&options).await.unwrap().is_success());
        assert_eq!(lines(&dir, "events"), [ev(2, 2), ev(3, 3), ev(4, 4)]);
    }
    assert!(!window_state.exists(), "no state is kept with an end value");
    let last = server.requests_to("/events").pop().unwrap();
    assert_eq!(
        (
            last.query_param("since").as_deref(),
            last.query_param("until").as_deref()
        ),
        (Some("2"), Some("5"))
    );
}

#[tokio::test]
async fn secrets_stay_out_of_outputs_state_and_errors() {
    let server = TestServer::start().await;
    let events = Arc::new(Mutex::new(vec![ev(1, 1)]));
    events_api(&server, events);
    server.route("/private", Reply::status(401).body("{\"detail\": \"bad key\"}"));
    // a leaf whose second page fails: its checkpoint stays in the state file
    server.route("/paged", |r: &RecordedRequest| {
        match r.query_param("page").as_deref() {
            None | Some("1") => Reply::json(&json!({"data": [{"p": 1}], "total_pages": 2})),
            _ => Reply::status(500),
        }
    });
    let secret = "k3y-V4lue-never-shown";
    let bearer = "b34rer-never-shown";
    let env = |name: &str| match name {
        "KEY" => Some(secret.to_owned()),
        "TOKEN" => Some(bearer.to_owned()),
        _ => None,
    };
    let config = json!({
        "client": {"base_url": server.base_url(), "auth": {"type": "api_key", "name": "api_key", "api_key": "${KEY}", "location": "query"},
                   "headers": {"X-Token": "${TOKEN}"}},
        "resources": [
            {"name": "events", "primary_key": "id", "endpoint": {"data_selector": "data", "paginator": "single_page",
                "incremental": {"start_param": "since", "cursor_path": "t", "initial_value": 0}}},
            {"name": "private", "endpoint": {"paginator": "single_page", "params": {"sig": "${TOKEN}"}}},
            {"name": "paged", "endpoint": {"data_selector": "data", "params": {"sig": "${TOKEN}", "token": "${TOKEN}"},
                "paginator": {"type": "page_number", "base_page": 1, "total_path": "total_pages"}}},
        ]
    });
    let src = Source::from_config(RestApiConfig::from_value_with_env(config, &env).unwrap())
        .unwrap()
        .with_runtime(common::no_retries());
    let dir = temp_dir("secrets");
    let state_file = dir.join("state.json");
    let summary = src
        .run(&RunOptions {
            state_file: Some(state_file.clone()),
            ..RunOptions::new(&dir)
        })
        .await
        .unwrap();
    // the requests did carry the credentials
    let sent = &server.requests_to("/private")[0];
    assert_eq!(sent.query_param("api_key").as_deref(), Some(secret));
    assert_eq!(sent.header("x-token"), Some(bearer));
    let failure = summary
        .get("private")
        .unwrap()
        .failure
        .clone()
        .expect("401 fails the resource");
    assert_eq!(failure.status, Some(401));
    let mut seen = format!("{failure} {failure:?} {summary:?} {src:?}");
    seen.push_str(&std::fs::read_to_string(&state_file).unwrap());
    for entry in std::fs::read_dir(&dir).unwrap() {
        seen.push_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap_or_default());
    }
    assert!(seen.contains("401"), "{seen}");
    assert!(seen.contains("\"checkpoint\""), "a checkpoint is kept: {seen}");
    assert!(!seen.contains(secret) && !seen.contains(bearer), "{seen}");
}

#[tokio::test]
async fn the_start_value_placeholder_in_params() {
    let server = TestServer::start().await;
    let events = Arc::new(Mutex::new(vec![ev(1, 10), ev(2, 20), ev(3, 30)]));
    events_api(&server, events);
    let dir = temp_dir("incr-placeholder");
    let state_file = dir.join("state.json");
    let src = source(config(
        &server.base_url(),
        json!({"cursor_path": "t", "initial_value": 15}),
        json!({"since": "{incremental.start_value}", "label": "from-{incremental.initial_value}"}),
    ));
    for (expected_since, expected) in [("15", vec![ev(2, 20), ev(3, 30)]), ("30", vec![])] {
        server.clear_requests();
        let options = RunOptions {
            state_file: Some(state_file.clone()),
            ..RunOptions::new(&dir)
        };
        assert!(src.run(&options).await.unwrap().is_success());
        let first = &server.requests_to("/events")[0];
        assert_eq!(first.query_param("since").as_deref(), Some(expected_since));
        assert_eq!(first.query_param("label").as_deref(), Some("from-15"));
        assert_eq!(lines(&dir, "events"), expected);
    }
}
