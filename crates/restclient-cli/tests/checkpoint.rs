//! `--checkpoint FILE`: a run killed with SIGKILL at any instant and started again with the same
//! command leaves every record in the output exactly once, in order — for every paginator style,
//! and with `--concurrency 8`. Kill instants come from a seeded generator (mid-request, mid-body,
//! between pages, during the checkpoint write: wherever the clock falls), so a failure replays.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::{STYLES, command, restclient, styled_api};
use restclient_testkit::TestServer;

const RECORDS: usize = 120;

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("restclient-cli-cp-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn args<'a>(url: &'a str, paginator: &'a str, out: &'a str, cp: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "paginate",
        url,
        "--paginator",
        paginator,
        "--output",
        out,
        "--checkpoint",
        cp,
        "--quiet",
        "--backoff-factor",
        "0.001",
    ];
    args.extend_from_slice(extra);
    args
}

/// A small xorshift: the kill instants of a test are a function of its seed.
fn next(seed: &mut u64) -> u64 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    *seed
}

/// Starts the command, kills it with SIGKILL after a seeded delay, again and again, then lets a
/// last run finish; returns how many runs were killed before they finished.
fn kill_and_resume(args: &[&str], seed: u64, kills: usize) -> usize {
    let mut seed = seed.max(1);
    let mut killed = 0;
    let deadline = Instant::now() + common::DEADLINE;
    for _ in 0..kills {
        let mut child = command(args).spawn().unwrap();
        let after = Duration::from_micros(next(&mut seed) % 60_000);
        std::thread::sleep(after);
        if child.try_wait().unwrap().is_some() {
            // Finished before the kill: start over from nothing for the next round.
            break;
        }
        child.kill().unwrap();
        child.wait().unwrap();
        killed += 1;
        assert!(Instant::now() < deadline, "the kill loop ran out of time");
    }
    let last = common::run(command(args));
    assert!(last.status.success(), "the resumed run failed: {}", last.stderr);
    killed
}

fn check_output(out: &Path, cp: &Path, context: &str) {
    let text = std::fs::read_to_string(out).unwrap();
    assert_eq!(
        common::ids(&text),
        (0..RECORDS as u64).collect::<Vec<_>>(),
        "{context}"
    );
    assert!(
        !cp.exists(),
        "the checkpoint is removed after success ({context})"
    );
}

#[test]
fn killed_at_seeded_instants_every_style_resumes_with_each_record_once() {
    let mut total_kills = 0;
    for (i, (style, paginator)) in STYLES.iter().enumerate() {
        let server = TestServer::start_background();
        let api = styled_api(style, RECORDS);
        server.route("/items", move |r: &restclient_testkit::RecordedRequest| {
            api(r).delay(Duration::from_millis(4))
        });
        let dir = temp_dir(style);
        let (out, cp) = (dir.join("out.ndjson"), dir.join("cp.json"));
        let url = server.url("/items");
        let (out_s, cp_s) = (out.to_str().unwrap(), cp.to_str().unwrap());
        for concurrency in ["1", "8"] {
            if concurrency == "8" && !matches!(*style, "offset" | "page_number") {
                continue;
            }
            let argv = args(&url, paginator, out_s, cp_s, &["--concurrency", concurrency]);
            for cycle in 0..common::soak_cycles() {
                let _ = std::fs::remove_file(&out);
                let seed = 0x5EED + i as u64 + (cycle << 8);
                let kills = kill_and_resume(&argv, seed, 8);
                total_kills += kills;
                let context = format!("{style} --concurrency {concurrency}, seed {seed:#x}, {kills} kills");
                check_output(&out, &cp, &context);
            }
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
    assert!(
        total_kills >= 8,
        "the runs were too fast to be killed: {total_kills} kills"
    );
}

#[test]
fn a_checkpoint_of_another_run_or_a_corrupt_one_touches_nothing() {
    let server = TestServer::start_background();
    server.route("/items", styled_api("offset", 30));
    server.route("/other", styled_api("offset", 30));
    let dir = temp_dir("refuse");
    let (out, cp) = (dir.join("out.ndjson"), dir.join("cp.json"));
    let (out_s, cp_s) = (out.to_str().unwrap(), cp.to_str().unwrap());
    let paginator = STYLES[0].1;
    let url = server.url("/items");

    // A run that stops after 1 page keeps its checkpoint (it is not finished).
    restclient(&args(&url, paginator, out_s, cp_s, &["--max-pages", "1"])).success();
    assert!(cp.exists());
    let before = (std::fs::read(&out).unwrap(), std::fs::read(&cp).unwrap());

    let other = server.url("/other");
    for argv in [
        args(&other, paginator, out_s, cp_s, &[]),
        args(&url, paginator, out_s, cp_s, &["--param", "q=1"]),
        args(
            &url,
            r#"{"type":"offset","limit":5,"total_path":"total"}"#,
            out_s,
            cp_s,
            &[],
        ),
        args(&url, paginator, out_s, cp_s, &["--data-selector", "$.data[*]"]),
    ] {
        server.clear_requests();
        let run = restclient(&argv);
        let line = run.failure_line();
        assert!(line.contains("another run"), "{line}");
        assert_eq!(server.requests().len(), 0, "refused before any request");
        assert_eq!(
            (std::fs::read(&out).unwrap(), std::fs::read(&cp).unwrap()),
            before
        );
    }

    for corrupt in [
        "",
        "{\"version\":1,",
        "[]",
        "{\"version\":1,\"output_len\":3,\"checkpoint\":{\"version\":7}}",
    ] {
        std::fs::write(&cp, corrupt).unwrap();
        let run = restclient(&args(&url, paginator, out_s, cp_s, &[]));
        let line = run.failure_line();
        assert!(line.contains("cp.json") && line.contains("not usable"), "{line}");
        assert_eq!(std::fs::read(&out).unwrap(), before.0, "the output is untouched");
    }

    // The same command as the first goes on from page 2 once the checkpoint is put back.
    std::fs::write(&cp, &before.1).unwrap();
    restclient(&args(&url, paginator, out_s, cp_s, &[])).success();
    let text = std::fs::read_to_string(&out).unwrap();
    assert_eq!(common::ids(&text), (0..30).collect::<Vec<_>>());
    assert!(!cp.exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn checkpoint_needs_an_output_file() {
    let run = restclient(&["paginate", "http://127.0.0.1:9/x", "--checkpoint", "cp.json"]);
    assert_eq!(run.code(), 2);
    assert!(run.failure_line().contains("--output"));
}

#[test]
fn a_checkpoint_holds_no_secret() {
    let server = TestServer::start_background();
    server.route("/items", styled_api("cursor", 30));
    let dir = temp_dir("secret");
    let (out, cp) = (dir.join("out.ndjson"), dir.join("cp.json"));
    let url = server.url("/items");
    let argv = args(
        &url,
        STYLES[3].1,
        out.to_str().unwrap(),
        cp.to_str().unwrap(),
        &[
            "--max-pages",
            "2",
            "--param",
            "api_key=k-CP-SECRET-9",
            "--header",
            "Authorization: Bearer t-CP-SECRET-8",
        ],
    );
    restclient(&argv).success();
    let saved = std::fs::read_to_string(&cp).unwrap();
    assert!(!saved.contains("CP-SECRET"), "{saved}");
    assert!(saved.contains("page_token=c20"), "the cursor is kept: {saved}");
    // Resuming refills the key from the command and sends the headers again.
    server.clear_requests();
    let argv: Vec<&str> = argv
        .iter()
        .copied()
        .filter(|a| *a != "--max-pages" && *a != "2")
        .collect();
    restclient(&argv).success();
    let first = &server.requests()[0];
    assert_eq!(first.query_param("api_key").as_deref(), Some("k-CP-SECRET-9"));
    assert_eq!(first.header("authorization"), Some("Bearer t-CP-SECRET-8"));
    assert_eq!(
        common::ids(&std::fs::read_to_string(&out).unwrap()),
        (0..30).collect::<Vec<_>>()
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
