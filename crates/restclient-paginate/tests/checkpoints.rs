//! Checkpoints over real HTTP: resuming sends only what is left, a checkpoint of another run or a
//! broken one is refused before any request, secrets stay out (issue 13 §1).
#![allow(clippy::unwrap_used)] // test helpers and responders outside #[test] functions

mod common;

use common::*;
use restclient_paginate::*;
use restclient_testkit::{OffsetApi, RecordedRequest, Reply, TestServer};
use serde_json::json;

fn offset_opts() -> PaginateOptions {
    opts(OffsetPaginator::with_limit(10), "data")
}

#[tokio::test]
async fn a_resumed_run_sends_only_the_requests_left() {
    let server = TestServer::start().await;
    server.route("/items", OffsetApi::new(45).with_total());
    let url = server.url("/items?token=s3cr3t-token&q=1");
    let (pages, err) = collect(get(&url), offset_opts()).await;
    assert!(err.is_none());
    assert_eq!(pages.len(), 5);
    let json = pages[1].checkpoint().to_json().unwrap();
    assert!(!json.contains("s3cr3t"), "{json}");
    assert!(json.contains("token=***"), "{json}");
    let checkpoint = Checkpoint::from_json(&json).unwrap();
    assert_eq!(
        checkpoint.next_url(),
        Some(&*server.url("/items?token=***&q=1&offset=20&limit=10"))
    );
    checkpoint.verify(&get(&url), &offset_opts()).unwrap();

    server.clear_requests();
    let options = PaginateOptions {
        resume: Some(checkpoint),
        ..offset_opts()
    };
    let (resumed, err) = collect(get(&url), options).await;
    assert!(err.is_none(), "{err:?}");
    assert_eq!(records(&resumed), records(&pages[2..]));
    assert_eq!(resumed.iter().map(|p| p.index).collect::<Vec<_>>(), [2, 3, 4]);
    assert_eq!(
        queries(&server, "/items"),
        [
            "token=s3cr3t-token&q=1&offset=20&limit=10",
            "token=s3cr3t-token&q=1&offset=30&limit=10",
            "token=s3cr3t-token&q=1&offset=40&limit=10",
        ],
        "the secret is refilled from this run's request"
    );
    // the last page's checkpoint is finished: resuming from it fetches nothing
    let last = pages[4].checkpoint();
    assert!(last.is_finished() && last.next_url().is_none());
    server.clear_requests();
    let (none, err) = collect(
        get(&url),
        PaginateOptions {
            resume: Some(last),
            ..offset_opts()
        },
    )
    .await;
    assert!(none.is_empty() && err.is_none());
    assert_eq!(server.hits("/items"), 0);
}

#[tokio::test]
async fn a_checkpoint_of_another_run_is_refused_before_any_request() {
    let server = TestServer::start().await;
    server.route("/items", OffsetApi::new(45).with_total());
    server.route("/other", OffsetApi::new(45).with_total());
    let (pages, _) = collect(get(&server.url("/items?q=1")), offset_opts()).await;
    let checkpoint = pages[0].checkpoint();
    let runs = [
        (get(&server.url("/other?q=1")), offset_opts()),
        (get(&server.url("/items?q=2")), offset_opts()),
        (
            get(&server.url("/items?q=1")),
            opts(OffsetPaginator::with_limit(20), "data"),
        ),
        (
            get(&server.url("/items?q=1")),
            opts(OffsetPaginator::with_limit(10), "$.data"),
        ),
        (
            get(&server.url("/items?q=1")),
            PaginateOptions {
                data_selector: None,
                ..offset_opts()
            },
        ),
        (
            post_json(&server.url("/items?q=1"), json!({"a": 1})),
            offset_opts(),
        ),
    ];
    server.clear_requests();
    for (request, options) in runs {
        let verified = checkpoint.verify(&request, &options).unwrap_err();
        let options = PaginateOptions {
            resume: Some(checkpoint.clone()),
            ..options
        };
        let (pages, err) = collect(request, options).await;
        assert!(pages.is_empty());
        let err = err.unwrap();
        assert!(matches!(err, PaginateError::CheckpointMismatch { .. }), "{err}");
        assert_eq!(err.to_string(), verified.to_string());
        assert!(err.to_string().contains("belongs to another run"), "{err}");
    }
    assert!(server.requests().is_empty(), "nothing was sent");
}

#[tokio::test]
async fn a_broken_checkpoint_is_a_clear_error_before_any_request() {
    let server = TestServer::start().await;
    server.route("/items", OffsetApi::new(45).with_total());
    let (pages, _) = collect(get(&server.url("/items")), offset_opts()).await;
    let good: serde_json::Value = serde_json::from_str(&pages[0].checkpoint().to_json().unwrap()).unwrap();

    let mut wrong_version = good.clone();
    wrong_version["version"] = json!(2);
    let mut unknown_state = good.clone();
    unknown_state["paginator_state"] = json!({"kind": "teleport", "to": 9});
    let mut truncated = good.to_string();
    truncated.truncate(truncated.len() / 2);
    for (text, says) in [
        ("not json".to_owned(), "not JSON"),
        (truncated, "not JSON"),
        (wrong_version.to_string(), "version 2 is not supported"),
        (unknown_state.to_string(), "teleport"),
        (json!({"version": 1}).to_string(), "missing field"),
    ] {
        let err = Checkpoint::from_json(&text).unwrap_err();
        assert!(matches!(err, PaginateError::InvalidCheckpoint { .. }), "{err}");
        assert!(err.to_string().contains(says), "{err} / {says}");
    }

    // readable, but its state is not the paginator's: refused when resuming
    let mut cursor_state = good.clone();
    cursor_state["paginator_state"] = json!({"kind": "cursor", "cursor": "x", "has_next_page": true});
    let checkpoint = Checkpoint::from_json(&cursor_state.to_string()).unwrap();
    server.clear_requests();
    let options = PaginateOptions {
        resume: Some(checkpoint),
        ..offset_opts()
    };
    let (pages, err) = collect(get(&server.url("/items")), options).await;
    assert!(pages.is_empty());
    let err = err.unwrap();
    assert!(matches!(err, PaginateError::InvalidCheckpoint { .. }), "{err}");
    assert!(
        err.to_string().contains("cannot restore the `offset` paginator"),
        "{err}"
    );
    assert_eq!(server.hits("/items"), 0);
}

#[tokio::test]
async fn a_capped_run_continues_from_its_last_checkpoint() {
    let server = TestServer::start().await;
    server.route("/items", OffsetApi::new(45).with_total());
    let capped = PaginateOptions {
        max_pages: Some(2),
        ..offset_opts()
    };
    let (first, _) = collect(get(&server.url("/items")), capped).await;
    assert_eq!(first.len(), 2);
    let checkpoint = first[1].checkpoint();
    assert!(!checkpoint.is_finished());
    let options = PaginateOptions {
        resume: Some(checkpoint),
        ..offset_opts()
    };
    let (rest, err) = collect(get(&server.url("/items")), options).await;
    assert!(err.is_none());
    let ids: Vec<i64> = first
        .iter()
        .chain(&rest)
        .flat_map(|p| {
            p.records
                .iter()
                .map(|r| r.to_value().unwrap()["id"].as_i64().unwrap())
        })
        .collect();
    assert_eq!(ids, (0..45).collect::<Vec<_>>());
}

#[tokio::test]
async fn a_detected_paginator_is_not_detected_again_and_a_failure_is_kept() {
    let server = TestServer::start().await;
    // detection sees a JSON link on page 0 only; page 1 links back to page 0 (a loop)
    let first = server.url("/d?p=0");
    server.route("/d", move |r: &RecordedRequest| {
        match r.query_param("p").as_deref() {
            Some("0") => Reply::json(&json!({"items": [0], "next": "/d?p=1"})),
            _ => Reply::json(&json!({"items": [1], "next": first})),
        }
    });
    let auto = PaginateOptions::default();
    let (pages, err) = collect(get(&server.url("/d?p=0")), auto.clone()).await;
    assert_eq!(pages.len(), 2);
    assert!(matches!(err, Some(PaginateError::Loop { .. })));

    // after page 0: the detected json_link paginator and record path travel in the checkpoint
    let options = PaginateOptions {
        resume: Some(Checkpoint::from_json(&pages[0].checkpoint().to_json().unwrap()).unwrap()),
        ..auto.clone()
    };
    let (resumed, err) = collect(get(&server.url("/d?p=0")), options).await;
    assert!(resumed[0].detected.is_none() && resumed[0].paginator == "json_link");
    assert_eq!(resumed[0].data_selector.as_str(), "items");
    // the loop memory starts again with the resumed run (documented): page 0's request is new to
    // it, so the cycle is followed once more before it is seen
    assert_eq!(records(&resumed), [[json!(1)], [json!(0)]]);
    assert!(
        matches!(err, Some(PaginateError::Loop { page: 1, .. })),
        "{err:?}"
    );

    // after page 1 the run had failed: resuming reports that failure, sending nothing
    server.clear_requests();
    let options = PaginateOptions {
        resume: Some(pages[1].checkpoint()),
        ..auto
    };
    let (none, err) = collect(get(&server.url("/d?p=0")), options).await;
    assert!(none.is_empty());
    let err = err.unwrap();
    assert!(
        matches!(err, PaginateError::CheckpointedFailure { page: 1, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("pagination loop"), "{err}");
    assert_eq!(server.hits("/d"), 0);
}
