//! The latency section (issue 12 §3): what fetching ahead buys on an API that takes 20 ms a page.
//!
//! Every response of this section waits [`DELAY_MS`] on the server, so a sequential client is
//! bound by round trips (at most 50 pages/s) and only requests in flight make it faster. On the
//! same server, in the same run, for offset and page number with a total, offset without one and
//! cursor (100-record pages), it runs: the restclient CLI at `--concurrency 1, 4, 16`, dlt 1.31
//! (one request at a time, as it always is), the raw `&RawValue` loop sequentially, and the raw
//! loop with 16 requests in flight over the offsets or page numbers it can name ahead (not for
//! cursor, which cannot). Before any timing, the CLI must read every record of every style in
//! order at `--concurrency 16`.
//!
//! Runs are sized so that each takes one to two seconds: 100 pages for a sequential client,
//! 400 at 4 in flight, 1000 at 16. The report gives records/s and the ratios the targets name,
//! and states each target as met or not:
//!
//! - offset and page number with a total, at 16 in flight: ≥ 10× dlt and ≥ 0.85× the raw
//!   16-in-flight loop;
//! - cursor: within 5 % of the raw sequential loop (at `--concurrency 1` and at 16, where the
//!   next request can only overlap with writing).

use std::fmt::{self, Write as _};

use super::client::Client;
use super::process::{Bench, Job, validate_cli};
use super::raw::{IN_FLIGHT, Mode};
use super::report::{Cell, rate, verdict};
use super::style::Style;

/// Milliseconds the server waits before every response of this section.
pub(crate) const DELAY_MS: u64 = 20;
/// Records per page.
const PAGE_SIZE: usize = 100;

/// One row of the section: a client and how many requests it may have in flight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Runner {
    /// The CLI at `--concurrency N`.
    Restclient(usize),
    /// dlt's `RESTClient.paginate`.
    Dlt,
    /// The raw `&RawValue` loop, one request at a time.
    RawSequential,
    /// The raw `&RawValue` loop, [`IN_FLIGHT`] requests in flight.
    RawInFlight,
}

impl Runner {
    const ALL: [Runner; 6] = [
        Runner::Restclient(1),
        Runner::Restclient(4),
        Runner::Restclient(16),
        Runner::Dlt,
        Runner::RawSequential,
        Runner::RawInFlight,
    ];

    fn client(self) -> Client {
        match self {
            Runner::Restclient(_) => Client::Restclient,
            Runner::Dlt => Client::Dlt,
            Runner::RawSequential => Client::Raw(Mode::RawValue),
            Runner::RawInFlight => Client::Raw(Mode::InFlight),
        }
    }

    /// Requests in flight this runner can have on `style`.
    fn in_flight(self, style: Style) -> usize {
        let n = match self {
            Runner::Restclient(n) => n,
            Runner::Dlt | Runner::RawSequential => 1,
            Runner::RawInFlight => IN_FLIGHT,
        };
        if style.can_fetch_ahead() { n } else { 1 }
    }

    /// Pages of one run: about 1–2 s of round trips at this runner's concurrency.
    fn pages(self, style: Style) -> u64 {
        match self.in_flight(style) {
            1 => 100,
            2..=4 => 400,
            _ => 1000,
        }
    }
}

impl fmt::Display for Runner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Runner::Restclient(n) => write!(f, "restclient --concurrency {n}"),
            Runner::Dlt => f.write_str("dlt 1.31"),
            Runner::RawSequential => f.write_str("raw &RawValue, sequential"),
            Runner::RawInFlight => write!(f, "raw &RawValue, {IN_FLIGHT} in flight"),
        }
    }
}

/// The section's results.
#[derive(Debug, Default)]
pub(crate) struct Section {
    /// Per style and runner.
    pub(crate) cells: Vec<(Style, Runner, Cell)>,
    /// Runners left out entirely, with the reason.
    pub(crate) skipped: Vec<(String, String)>,
}

/// Runs the section. `available` says which clients the bench could start.
pub(crate) fn run(bench: &Bench<'_>, available: &[Client]) -> Section {
    let mut section = Section::default();
    let mut runners = Vec::new();
    for runner in Runner::ALL {
        // Both raw loops are xtask's own, as is the sequential one in the throughput columns.
        let client = match runner.client() {
            Client::Raw(_) => Client::Raw(Mode::RawValue),
            other => other,
        };
        if available.contains(&client) {
            runners.push(runner);
        } else {
            section
                .skipped
                .push((runner.to_string(), "client unavailable".to_owned()));
        }
    }
    let scratch = bench.scratch.join("latency-validate.ndjson");
    for style in Style::LATENCY {
        let broken = if available.contains(&Client::Restclient) {
            let extra = ["--concurrency".to_owned(), IN_FLIGHT.to_string()];
            validate_cli(bench.programs, bench.origin, style, PAGE_SIZE, &scratch, &extra).err()
        } else {
            None
        };
        for &runner in &runners {
            if runner == Runner::RawInFlight && !style.can_fetch_ahead() {
                continue;
            }
            if let (Runner::Restclient(_), Some(e)) = (runner, &broken) {
                let cell = Cell {
                    samples: Vec::new(),
                    error: Some(format!("validation at --concurrency 16: {e}")),
                };
                section.cells.push((style, runner, cell));
                continue;
            }
            let records = super::process::scaled(runner.pages(style) * PAGE_SIZE as u64, bench.scale);
            let url = style.url(bench.origin, records, PAGE_SIZE, DELAY_MS);
            let mut job = Job::new(runner.client(), style, PAGE_SIZE, records, &url);
            if let Runner::Restclient(n) = runner {
                job.extra = vec!["--concurrency".to_owned(), n.to_string()];
            }
            let cell = bench.cell(&job, &format!("latency {style} {runner} ({records} records)"));
            section.cells.push((style, runner, cell));
        }
    }
    let _ = std::fs::remove_file(&scratch);
    section
}

impl Section {
    fn rate(&self, style: Style, runner: Runner) -> Option<f64> {
        self.cells
            .iter()
            .find(|(s, r, _)| *s == style && *r == runner)
            .and_then(|(_, _, cell)| cell.records_per_s())
    }

    fn ratio(&self, style: Style, runner: Runner, other: Runner) -> Option<f64> {
        Some(self.rate(style, runner)? / self.rate(style, other)?)
    }

    /// The section's tables.
    pub(crate) fn write(&self, md: &mut String) {
        let _ = writeln!(
            md,
            "## Latency: fetching ahead ({DELAY_MS} ms added to every response, page size \
             {PAGE_SIZE})\n"
        );
        let _ = writeln!(
            md,
            "One request at a time waits a round trip per page: at most {:.0} pages/s \
             ({:.0} records/s). With N in flight the ceiling is N times that. Offset without a \
             total ends on an empty page (restclient sends at most N-1 requests past the end); \
             cursor learns each request from the previous response, so it stays sequential at \
             any `--concurrency` (N only overlaps the next request with writing).\n",
            1000.0 / DELAY_MS as f64,
            1000.0 / DELAY_MS as f64 * PAGE_SIZE as f64,
        );
        let _ = writeln!(
            md,
            "| style | client | in flight | records/run | records/s (median) | min–max | of the \
             ceiling | × dlt | × raw sequential | × raw {IN_FLIGHT} in flight |"
        );
        let _ = writeln!(md, "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|");
        let mut errors = Vec::new();
        for (style, runner, cell) in &self.cells {
            let (style, runner) = (*style, *runner);
            if let Some(e) = &cell.error {
                errors.push(format!("{style}, {runner}: {e}"));
            }
            let in_flight = runner.in_flight(style);
            let Some(rps) = cell.records_per_s() else {
                let _ = writeln!(md, "| {style} | {runner} | {in_flight} | – | failed | | | | | |");
                continue;
            };
            let ceiling = in_flight as f64 * 1000.0 / DELAY_MS as f64 * PAGE_SIZE as f64;
            let x = |other: Runner| {
                if other == runner {
                    "1".to_owned()
                } else {
                    self.ratio(style, runner, other)
                        .map_or_else(|| "–".to_owned(), |r| format!("{r:.2}×"))
                }
            };
            let _ = writeln!(
                md,
                "| {style} | {runner} | {in_flight} | {} | {} | {} | {:.0} % | {} | {} | {} |",
                cell.samples.first().map_or(0, |s| s.records),
                rate(rps),
                cell.spread(),
                100.0 * rps / ceiling,
                x(Runner::Dlt),
                x(Runner::RawSequential),
                x(Runner::RawInFlight),
            );
        }
        md.push('\n');
        for (runner, why) in &self.skipped {
            let _ = writeln!(md, "- {runner} not run: {why}");
        }
        if !errors.is_empty() {
            let _ = writeln!(md, "Failed runs:\n");
            for e in errors {
                let _ = writeln!(md, "- {e}");
            }
        }
        md.push('\n');
    }

    /// The section's target lines.
    pub(crate) fn write_targets(&self, md: &mut String) {
        let fast = Runner::Restclient(IN_FLIGHT);
        for style in [Style::Offset, Style::PageNumber] {
            for (other, want, what) in [
                (Runner::Dlt, 10.0, "dlt"),
                (Runner::RawInFlight, 0.85, "the raw 16-in-flight loop"),
            ] {
                let line = match self.ratio(style, fast, other) {
                    Some(r) => format!(
                        "{}: {style} with a total, restclient --concurrency 16 ≥ {want}× {what} — \
                         {r:.2}×",
                        verdict(r >= want)
                    ),
                    None => format!(
                        "not measured: {style} with a total, restclient --concurrency 16 ≥ \
                         {want}× {what}"
                    ),
                };
                let _ = writeln!(md, "- {line}");
            }
        }
        for n in [1, IN_FLIGHT] {
            let line = match self.ratio(Style::Cursor, Runner::Restclient(n), Runner::RawSequential) {
                Some(r) => format!(
                    "{}: cursor, restclient --concurrency {n} within 5 % of the raw sequential \
                     loop (≥ 0.95×) — {r:.3}×",
                    verdict(r >= 0.95)
                ),
                None => format!(
                    "not measured: cursor, restclient --concurrency {n} within 5 % of the raw \
                     sequential loop"
                ),
            };
            let _ = writeln!(md, "- {line}");
        }
    }
}
