//! The rate-limit section (issue 12 §3): does `--max-rps` keep a client under an API's limit, and
//! does a client without it still get every record?
//!
//! The server route of this section is limited by a token bucket of [`SERVER_RPS`] requests per
//! second (bursts of [`SERVER_BURST`]); beyond it, it answers 429 with `Retry-After` in whole
//! seconds, rounded up, as most APIs do. Every response also waits 20 ms, as in the latency
//! section. Each run gets a fresh bucket and the server counts what it let through and what it
//! refused. Two runs of the CLI at `--concurrency 8`, offset with a total, 100-record pages, each
//! writing to a file that is then checked record by record (ids `0..n`, each once, in order):
//!
//! - `--max-rps` just under the server's rate ([`CLIENT_RPS`]): targets zero 429s and a total time
//!   within 1.3× the ideal (the pages at the server's rate, `pages / SERVER_RPS`);
//! - no `--max-rps`: every record exactly once, and the share of requests refused (the issue asks
//!   for a small share; no number is set, so the report gives the share and the time).

use std::fmt::Write as _;
use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::time::Duration;

use super::client::Client;
use super::process::{Bench, check_ids, measure};
use super::report::{median, verdict};
use super::style::Style;

/// Requests per second the server's bucket allows.
pub(crate) const SERVER_RPS: f64 = 100.0;
/// Requests the server's bucket lets through at once after a quiet spell.
pub(crate) const SERVER_BURST: u32 = 10;
/// `--max-rps` of the limited run: just under the server's rate.
pub(crate) const CLIENT_RPS: f64 = 95.0;
/// `--concurrency` of both runs.
const CONCURRENCY: usize = 8;
const PAGE_SIZE: usize = 100;
const DELAY_MS: u64 = 20;

/// One measured run of the CLI against a fresh bucket.
#[derive(Debug, Clone)]
pub(crate) struct Outcome {
    /// Requests the bucket let through.
    pub(crate) passed: u64,
    /// Requests answered 429.
    pub(crate) throttled: u64,
    /// Wall time of the CLI.
    pub(crate) seconds: f64,
    /// Whether every record arrived once, in order (else why not).
    pub(crate) records: Result<(), String>,
}

/// One row: the runs with or without `--max-rps`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Row {
    /// `--max-rps`, if given.
    pub(crate) max_rps: Option<f64>,
    /// Each repetition (or why it failed).
    pub(crate) runs: Vec<Result<Outcome, String>>,
}

impl Row {
    fn ok(&self) -> impl Iterator<Item = &Outcome> {
        self.runs.iter().filter_map(|r| r.as_ref().ok())
    }

    fn median_seconds(&self) -> Option<f64> {
        median(self.ok().map(|o| o.seconds).collect())
    }
}

/// The section's results.
#[derive(Debug, Clone, Default)]
pub(crate) struct Section {
    /// Records per run.
    pub(crate) records: u64,
    /// With `--max-rps`, then without.
    pub(crate) rows: Vec<Row>,
    /// Why the section did not run, if it did not.
    pub(crate) skipped: Option<String>,
}

impl Section {
    fn pages(&self) -> u64 {
        self.records.div_ceil(PAGE_SIZE as u64)
    }

    fn ideal_seconds(&self) -> f64 {
        self.pages() as f64 / SERVER_RPS
    }
}

/// Asks the server how many requests bucket `key` let through and refused.
fn bucket_stats(origin: &str, key: &str) -> Result<(u64, u64), String> {
    let addr = origin.trim_start_matches("http://");
    let mut stream = TcpStream::connect(addr).map_err(|e| format!("stats: {e}"))?;
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    write!(
        stream,
        "GET /stats/{key} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .map_err(|e| format!("stats: {e}"))?;
    let mut response = String::new();
    stream
        .read_to_string(&mut response)
        .map_err(|e| format!("stats: {e}"))?;
    let body = response.split_once("\r\n\r\n").map_or("", |(_, body)| body);
    let v: serde_json::Value = serde_json::from_str(body).map_err(|e| format!("stats: {e}: {response:?}"))?;
    let field = |name: &str| v.get(name).and_then(serde_json::Value::as_u64);
    match (field("passed"), field("throttled")) {
        (Some(p), Some(t)) => Ok((p, t)),
        _ => Err(format!("stats: unexpected answer {body:?}")),
    }
}

fn run_once(bench: &Bench<'_>, records: u64, max_rps: Option<f64>, key: &str) -> Result<Outcome, String> {
    let base = format!("{}/rl/{SERVER_RPS}/{SERVER_BURST}/{key}", bench.origin);
    let url = Style::Offset.url(&base, records, PAGE_SIZE, DELAY_MS);
    let out = bench.scratch.join(format!("rate-limit-{key}.ndjson"));
    let mut argv = bench
        .programs
        .argv(
            Client::Restclient,
            Style::Offset,
            &url,
            PAGE_SIZE,
            &out.display().to_string(),
        )
        .ok_or("no CLI")?;
    argv.extend(["--concurrency".to_owned(), CONCURRENCY.to_string()]);
    if let Some(rps) = max_rps {
        argv.extend(["--max-rps".to_owned(), rps.to_string()]);
    }
    let m = measure(&bench.programs.xtask, &argv, bench.timeout)?;
    let text = std::fs::read_to_string(&out).unwrap_or_default();
    let _ = std::fs::remove_file(&out);
    let (passed, throttled) = bucket_stats(bench.origin, key)?;
    let records = if m.timed_out {
        Err(format!("timed out after {:.0} s", m.wall_s))
    } else if m.exit != Some(0) {
        let last = m.stderr.lines().rev().find(|l| !l.trim().is_empty());
        Err(format!("exit {:?}: {}", m.exit, last.unwrap_or("(no stderr)")))
    } else {
        check_ids(&text, records)
    };
    Ok(Outcome {
        passed,
        throttled,
        seconds: m.wall_s,
        records,
    })
}

/// Runs the section (needs the CLI).
pub(crate) fn run(bench: &Bench<'_>) -> Section {
    let pages = if bench.quick { 100 } else { 300 };
    let records = pages * PAGE_SIZE as u64;
    let mut section = Section {
        records,
        ..Section::default()
    };
    if bench.programs.restclient.is_none() {
        section.skipped = Some("the CLI is unavailable".to_owned());
        return section;
    }
    for (i, max_rps) in [Some(CLIENT_RPS), None].into_iter().enumerate() {
        let mut row = Row {
            max_rps,
            runs: Vec::new(),
        };
        for rep in 1..=bench.reps {
            let key = format!("run{i}-{rep}-{}", std::process::id());
            let outcome = run_once(bench, records, max_rps, &key);
            match &outcome {
                Ok(o) => eprintln!(
                    "bench: [rate limit {rep}/{}] --max-rps {max_rps:?}: {:.2} s, {} passed, {} \
                     throttled, records: {}",
                    bench.reps,
                    o.seconds,
                    o.passed,
                    o.throttled,
                    o.records
                        .as_ref()
                        .map_or_else(Clone::clone, |()| "all, in order".to_owned())
                ),
                Err(e) => eprintln!("bench: [rate limit {rep}] FAILED: {e}"),
            }
            row.runs.push(outcome);
        }
        section.rows.push(row);
    }
    section
}

impl Section {
    /// The section's table.
    pub(crate) fn write(&self, md: &mut String) {
        let _ = writeln!(md, "## Rate limits\n");
        if let Some(why) = &self.skipped {
            let _ = writeln!(md, "Not run: {why}\n");
            return;
        }
        let _ = writeln!(
            md,
            "The server's route allows {SERVER_RPS:.0} requests/s (token bucket, bursts of \
             {SERVER_BURST}) and answers 429 with `Retry-After` in whole seconds beyond that; \
             every response waits {DELAY_MS} ms. The CLI reads {} records ({} pages of \
             {PAGE_SIZE}, offset with a total) at `--concurrency {CONCURRENCY}` into a file that \
             is checked record by record. Ideal time: {} pages at {SERVER_RPS:.0}/s = {:.2} s. \
             One line per repetition.\n",
            self.records,
            self.pages(),
            self.pages(),
            self.ideal_seconds()
        );
        let _ = writeln!(
            md,
            "| flags | requests let through | 429s | share of 429s | time | × ideal | records |"
        );
        let _ = writeln!(md, "|---|--:|--:|--:|--:|--:|---|");
        for row in &self.rows {
            let flags = match row.max_rps {
                Some(r) => format!("`--concurrency {CONCURRENCY} --max-rps {r}`"),
                None => format!("`--concurrency {CONCURRENCY}`"),
            };
            for run in &row.runs {
                match run {
                    Ok(o) => {
                        let share = o.throttled as f64 / (o.passed + o.throttled).max(1) as f64;
                        let _ = writeln!(
                            md,
                            "| {flags} | {} | {} | {:.1} % | {:.2} s | {:.2}× | {} |",
                            o.passed,
                            o.throttled,
                            100.0 * share,
                            o.seconds,
                            o.seconds / self.ideal_seconds(),
                            match &o.records {
                                Ok(()) => "each once, in order".to_owned(),
                                Err(e) => format!("**{e}**"),
                            }
                        );
                    }
                    Err(e) => {
                        let _ = writeln!(md, "| {flags} | – | – | – | – | – | failed: {e} |");
                    }
                }
            }
        }
        md.push('\n');
    }

    /// The section's target lines.
    pub(crate) fn write_targets(&self, md: &mut String) {
        if self.skipped.is_some() {
            let _ = writeln!(md, "- not measured: rate limits (the CLI is unavailable)");
            return;
        }
        let ideal = self.ideal_seconds();
        for row in &self.rows {
            let ok: Vec<&Outcome> = row.ok().collect();
            let failed = row.runs.len() - ok.len();
            let all_records = failed == 0 && ok.iter().all(|o| o.records.is_ok());
            let throttled: u64 = ok.iter().map(|o| o.throttled).sum();
            let requests: u64 = ok.iter().map(|o| o.passed + o.throttled).sum();
            let time = row.median_seconds();
            match row.max_rps {
                Some(rps) => {
                    let _ = writeln!(
                        md,
                        "- {}: `--max-rps {rps}` (server {SERVER_RPS:.0}/s) provokes zero 429s — \
                         {throttled} over {} run(s)",
                        verdict(throttled == 0 && !ok.is_empty()),
                        ok.len()
                    );
                    let line = match time {
                        Some(t) => format!(
                            "{}: `--max-rps {rps}` takes at most 1.3× the ideal {ideal:.2} s — \
                             median {t:.2} s = {:.2}×",
                            verdict(t <= 1.3 * ideal),
                            t / ideal
                        ),
                        None => "not measured: time with --max-rps".to_owned(),
                    };
                    let _ = writeln!(md, "- {line}");
                }
                None => {
                    let _ = writeln!(
                        md,
                        "- {}: without `--max-rps`, every record exactly once, in order — in {} \
                         of {} run(s); 429s were {:.1} % of requests ({throttled} of {requests}; \
                         the issue sets no number), median time {}",
                        verdict(all_records && !ok.is_empty()),
                        ok.iter().filter(|o| o.records.is_ok()).count(),
                        row.runs.len(),
                        100.0 * throttled as f64 / requests.max(1) as f64,
                        time.map_or_else(
                            || "–".to_owned(),
                            |t| format!("{t:.2} s = {:.2}× ideal", t / ideal)
                        )
                    );
                }
            }
        }
    }
}
