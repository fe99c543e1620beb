//! `--concurrency`, `--max-rps` and `--max-pages` through the binary: the output is the same at
//! every N, byte for byte, under faults too; nothing is requested past a known end; bad values are
//! usage errors.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod common;

use common::{STYLES, restclient, styled_api};
use restclient_testkit::{RateLimited, SeededFaults, TestServer};

const FAST_RETRIES: [&str; 4] = ["--backoff-factor", "0.001", "--max-attempts", "8"];

fn paginate(server: &TestServer, paginator: &str, extra: &[&str]) -> common::Run {
    let url = server.url("/items");
    let mut args = vec!["paginate", url.as_str(), "--paginator", paginator, "--quiet"];
    args.extend_from_slice(&FAST_RETRIES);
    args.extend_from_slice(extra);
    restclient(&args)
}

#[test]
fn every_style_gives_the_same_bytes_at_every_concurrency_under_faults() {
    for (seed, (style, paginator)) in STYLES.iter().enumerate() {
        let server = TestServer::start_background();
        server.route(
            "/items",
            SeededFaults::new(styled_api(style, 73), seed as u64 + 1, 2),
        );
        let reference = paginate(&server, paginator, &[]).success().stdout;
        assert_eq!(common::ids(&reference), (0..73).collect::<Vec<_>>(), "{style}");
        for n in ["2", "4", "8"] {
            let out = paginate(&server, paginator, &["--concurrency", n]).success();
            assert_eq!(out.stdout, reference, "{style} at --concurrency {n}");
        }
    }
}

#[test]
fn nothing_is_requested_past_a_known_total_and_at_most_n_minus_1_without_one() {
    let (style, paginator) = STYLES[0];
    let server = TestServer::start_background();
    server.route("/items", styled_api(style, 95));
    paginate(&server, paginator, &["--concurrency", "8"]).success();
    let offsets: Vec<usize> = server
        .requests_to("/items")
        .iter()
        .map(|r| r.query_param("offset").unwrap().parse().unwrap())
        .collect();
    assert_eq!(offsets.len(), 10, "{offsets:?}");
    assert!(offsets.iter().all(|&o| o < 95), "{offsets:?}");

    let (style, paginator) = STYLES[1];
    let server = TestServer::start_background();
    server.route("/items", styled_api(style, 95));
    let out = paginate(&server, paginator, &["--concurrency", "8"]).success();
    assert_eq!(common::ids(&out.stdout).len(), 95);
    // Pages 0..=9 are needed (the 10th is the empty one that ends the run); at most 7 more.
    let past_end = server.hits("/items").saturating_sub(11);
    assert!(past_end <= 7, "{} requests", server.hits("/items"));
}

#[test]
fn max_pages_stops_cleanly() {
    let (style, paginator) = STYLES[0];
    let server = TestServer::start_background();
    server.route("/items", styled_api(style, 95));
    for n in ["1", "4"] {
        for concurrency in ["1", "8"] {
            let out = paginate(
                &server,
                paginator,
                &["--max-pages", n, "--concurrency", concurrency],
            )
            .success();
            let want: usize = n.parse::<usize>().unwrap() * 10;
            assert_eq!(common::ids(&out.stdout), (0..want as u64).collect::<Vec<_>>());
        }
    }
}

#[test]
fn max_rps_under_the_servers_rate_gets_no_429() {
    let (style, paginator) = STYLES[0];
    let server = TestServer::start_background();
    let limited = RateLimited::new(styled_api(style, 120), 50.0, 2);
    let stats = limited.stats();
    server.route("/items", limited);
    let out = paginate(&server, paginator, &["--concurrency", "4", "--max-rps", "40"]).success();
    assert_eq!(common::ids(&out.stdout), (0..120).collect::<Vec<_>>());
    assert_eq!(stats.throttled(), 0, "429s sent");

    // Without a limit the server refuses some, and every record still arrives exactly once.
    let server = TestServer::start_background();
    let limited = RateLimited::new(styled_api(style, 400), 100.0, 5).fractional_retry_after(true);
    let stats = limited.stats();
    server.route("/items", limited);
    let out = paginate(
        &server,
        paginator,
        &["--concurrency", "8", "--max-retry-delay", "1"],
    )
    .success();
    assert_eq!(common::ids(&out.stdout), (0..400).collect::<Vec<_>>());
    assert!(stats.passed() >= 40, "{} passed", stats.passed());
    // Every refusal was retried (each record exactly once, above), and the pace the client learns
    // from the 429s' Retry-After keeps them a minority (the first burst of 8 makes most of them).
    assert!(
        stats.throttled() <= stats.passed(),
        "{} refused, {} passed",
        stats.throttled(),
        stats.passed()
    );
}

#[test]
fn bad_values_are_usage_errors_before_any_request() {
    let server = TestServer::start_background();
    server.route("/items", styled_api("offset", 5));
    for (args, needle) in [
        (vec!["--concurrency", "0"], "--concurrency"),
        (vec!["--max-pages", "0"], "--max-pages"),
        (vec!["--max-rps", "-1"], "--max-rps"),
        (vec!["--max-rps", "0"], "--max-rps"),
        (vec!["--max-rps", "nan"], "--max-rps"),
    ] {
        let out = paginate(&server, STYLES[0].1, &args);
        assert_eq!(out.code(), 2, "{args:?}: {}", out.stderr);
        let line = out.failure_line();
        assert!(line.contains(needle), "{line}");
    }
    assert_eq!(server.hits("/items"), 0);
}
