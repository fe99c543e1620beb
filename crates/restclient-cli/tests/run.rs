//! `restclient run CONFIG` through the binary: files per resource in dlt's order, failures named
//! per resource, invalid configs refused before any request, and a run killed with SIGKILL that
//! finishes with every record exactly once.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::{command, restclient};
use restclient_testkit::{OffsetApi, RecordedRequest, Reply, Responder, TestServer};
use serde_json::json;

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("restclient-cli-run-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Users (offset, 35) → each user's posts (page_number, 3 per user in pages of 2), plus tags.
fn shop(server: &TestServer, delay: Duration) {
    let users = OffsetApi::new(35).with_total();
    server.route("/users", move |r: &RecordedRequest| users.respond(r).delay(delay));
    server.route("/tags", Reply::json(&json!({"tags": [{"t": "a"}, {"t": "b"}]})));
    for user in 0..35 {
        server.route(&format!("/users/{user}/posts"), move |r: &RecordedRequest| {
            let page: usize = r.query_param("page").and_then(|p| p.parse().ok()).unwrap_or(1);
            let posts: Vec<_> = ((page - 1) * 2..(page * 2).min(3))
                .map(|k| json!({"post": format!("{user}-{k}")}))
                .collect();
            Reply::json(&json!({"posts": posts, "pages": 2})).delay(delay)
        });
    }
}

fn config(dir: &Path, server: &TestServer) -> PathBuf {
    let config = json!({
        "client": {"base_url": server.base_url(), "headers": {"Authorization": "Bearer ${RC_RUN_TOKEN}"}},
        "resources": [
            {"name": "users", "endpoint": {"path": "users", "data_selector": "data",
                "paginator": {"type": "offset", "limit": 10, "total_path": "total"}}},
            {"name": "posts", "include_from_parent": ["id"],
             "endpoint": {"path": "users/{user_id}/posts", "data_selector": "posts",
                "params": {"user_id": {"type": "resolve", "resource": "users", "field": "id"}},
                "paginator": {"type": "page_number", "base_page": 1, "total_path": "pages"}}},
            {"name": "tags", "endpoint": {"path": "tags", "paginator": "single_page"}}
        ]
    });
    let path = dir.join("shop.json");
    std::fs::write(&path, config.to_string()).unwrap();
    path
}

fn expected_posts() -> Vec<String> {
    (0..35)
        .flat_map(|u| (0..3).map(move |k| json!({"post": format!("{u}-{k}"), "_users_id": u}).to_string()))
        .collect()
}

fn read_lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

fn run_args<'a>(config: &'a str, out: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "run",
        config,
        "--output-dir",
        out,
        "--quiet",
        "--backoff-factor",
        "0.001",
    ];
    args.extend_from_slice(extra);
    args
}

#[test]
fn writes_each_resource_in_dlts_fifo_order() {
    let server = TestServer::start_background();
    shop(&server, Duration::ZERO);
    let dir = temp_dir("ok");
    let cfg = config(&dir, &server);
    let out = dir.join("out");
    let mut cmd = command(&run_args(
        cfg.to_str().unwrap(),
        out.to_str().unwrap(),
        &["--concurrency", "16"],
    ));
    cmd.env("RC_RUN_TOKEN", "t-RUN-SECRET-1");
    let run = common::run(cmd).success();
    assert!(run.stdout.is_empty() && run.stderr.is_empty(), "{}", run.stderr);
    let users: Vec<u64> = common::ids(&std::fs::read_to_string(out.join("users.ndjson")).unwrap());
    assert_eq!(users, (0..35).collect::<Vec<_>>());
    let posts: Vec<serde_json::Value> = read_lines(&out.join("posts.ndjson"))
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let want: Vec<serde_json::Value> = expected_posts()
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(posts, want, "every user's posts, users in order");
    assert_eq!(
        read_lines(&out.join("tags.ndjson")),
        [r#"{"t":"a"}"#, r#"{"t":"b"}"#]
    );
    assert!(
        server
            .requests()
            .iter()
            .all(|r| r.header("authorization") == Some("Bearer t-RUN-SECRET-1"))
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_failed_resource_is_named_and_the_others_finish() {
    let server = TestServer::start_background();
    shop(&server, Duration::ZERO);
    server.route("/tags", Reply::status(503));
    let dir = temp_dir("fail");
    let cfg = config(&dir, &server);
    let out = dir.join("out");
    let mut cmd = command(&run_args(
        cfg.to_str().unwrap(),
        out.to_str().unwrap(),
        &["--max-attempts", "2"],
    ));
    cmd.env("RC_RUN_TOKEN", "t-RUN-SECRET-2");
    let run = common::run(cmd);
    assert_eq!(run.code(), 1);
    let line = run.failure_line();
    assert!(
        line.contains("tags") && line.contains("503") && line.contains("/tags"),
        "{line}"
    );
    assert!(!run.stderr.contains("t-RUN-SECRET-2"));
    assert_eq!(read_lines(&out.join("posts.ndjson")).len(), 105);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn an_invalid_config_is_refused_before_any_request() {
    let server = TestServer::start_background();
    let dir = temp_dir("invalid");
    let out = dir.join("out");
    for (config, needle) in [
        (
            json!({"client": {"base_url": server.base_url()}, "resources": [{"name": "a", "endpoint": {"path": "x", "paginator": {"type": "nope"}}}]}),
            "a",
        ),
        (
            json!({"client": {"base_url": server.base_url()}, "resources": [{"name": "c", "endpoint": {"path": "u/{id}", "params": {"id": {"type": "resolve", "resource": "missing", "field": "id"}}}}]}),
            "missing",
        ),
        (
            json!({"client": {"base_url": "${RC_RUN_UNSET_VAR}"}, "resources": ["a"]}),
            "RC_RUN_UNSET_VAR",
        ),
    ] {
        let path = dir.join("bad.json");
        std::fs::write(&path, config.to_string()).unwrap();
        let run = restclient(&run_args(path.to_str().unwrap(), out.to_str().unwrap(), &[]));
        assert_eq!(run.code(), 2, "{}", run.stderr);
        assert!(run.failure_line().contains(needle), "{}", run.stderr);
    }
    let run = restclient(&["run", dir.join("none.yaml").to_str().unwrap()]);
    assert_eq!(run.code(), 2);
    let run = restclient(&run_args(
        dir.join("bad.json").to_str().unwrap(),
        out.to_str().unwrap(),
        &["--concurrency", "0"],
    ));
    assert_eq!(run.code(), 2);
    assert_eq!(server.requests().len(), 0);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn killed_runs_resume_from_the_state_with_each_record_once() {
    let server = TestServer::start_background();
    shop(&server, Duration::from_millis(8));
    let dir = temp_dir("kill");
    let cfg = config(&dir, &server);
    let out = dir.join("out");
    let state = dir.join("state.json");
    let args = run_args(
        cfg.to_str().unwrap(),
        out.to_str().unwrap(),
        &["--state", state.to_str().unwrap(), "--concurrency", "4"],
    );
    for cycle in 0..common::soak_cycles() {
        let _ = std::fs::remove_dir_all(&out);
        let _ = std::fs::remove_file(&state);
        kill_and_resume(&args, 0xC0FFEE + cycle, &out, &state);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Kills the run at seeded instants up to 8 times, lets it finish, and checks every output.
fn kill_and_resume(args: &[&str], seed: u64, out: &Path, state: &Path) {
    let mut seed = seed;
    let mut kills = 0;
    let deadline = Instant::now() + common::DEADLINE;
    for _ in 0..8 {
        let mut cmd = command(args);
        cmd.env("RC_RUN_TOKEN", "t-RUN-SECRET-3");
        let mut child = cmd.spawn().unwrap();
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        std::thread::sleep(Duration::from_micros(20_000 + seed % 120_000));
        if child.try_wait().unwrap().is_some() {
            break;
        }
        child.kill().unwrap();
        child.wait().unwrap();
        kills += 1;
        assert!(Instant::now() < deadline);
    }
    let mut cmd = command(args);
    cmd.env("RC_RUN_TOKEN", "t-RUN-SECRET-3");
    common::run(cmd).success();
    assert!(kills > 0, "the run finished before any kill");
    let posts: Vec<serde_json::Value> = read_lines(&out.join("posts.ndjson"))
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let want: Vec<serde_json::Value> = expected_posts()
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(posts, want, "after {kills} kills");
    assert_eq!(
        common::ids(&std::fs::read_to_string(out.join("users.ndjson")).unwrap()),
        (0..35).collect::<Vec<_>>()
    );
    assert_eq!(read_lines(&out.join("tags.ndjson")).len(), 2);
    let saved = std::fs::read_to_string(state).unwrap_or_default();
    assert!(!saved.contains("t-RUN-SECRET-3"), "{saved}");
}
