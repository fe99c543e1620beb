//! The source section (issue 14 §4): `restclient run CONFIG` against dlt's `rest_api_source` over
//! the same config, on the 20 ms server, in the same run.
//!
//! The config (JSON, written to the scratch directory) has four resources on the bench server,
//! every response waiting [`DELAY_MS`]:
//!
//! - `parents`: page number with a total, [`PARENT_PAGES`] pages of 50 records;
//! - `children`: for each parent record, `p/{parent_id}/offset/100/50/20` (a `resolve` param on the
//!   parent's `id`), offset with a total: 2 pages of 50 records, `include_from_parent: ["id"]`;
//! - `events` (cursor) and `accounts` (offset with a total): 20 pages of 100 records each,
//!   independent of the others.
//!
//! The CLI runs at `--concurrency 16` and at its default (8), writing NDJSON to a scratch
//! directory that is then checked (records per resource; parents by id, in order). dlt iterates
//! the source (extraction only, no pipeline; its import is not timed). Targets: at 16 at least
//! 10× dlt's records/s, at the default at least 6×.
//!
//! It needs `restclient run` (issue 14). When the CLI has no `run` subcommand the section says so
//! and, if asked for by `--only source`, still measures dlt's side, and restclient-source's own
//! `run` example (the library's `run_config` at its default concurrency, 8; no CLI glue) when
//! `cargo build --release -p restclient-source --example run` has built it.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::{Value, json};

use super::process::{Bench, check_ids, measure};
use super::report::{median, rate, verdict};

/// Milliseconds the server waits before every response.
const DELAY_MS: u64 = 20;
/// Pages of the parent resource (50 records each).
const PARENT_PAGES: u64 = 20;
const DLT_SCRIPT: &str = include_str!("dlt_source.py");

/// Records each resource must produce, by name.
fn expected(parent_pages: u64) -> BTreeMap<&'static str, u64> {
    let parents = parent_pages * 50;
    BTreeMap::from([
        ("parents", parents),
        ("children", parents * 100),
        ("events", 2000),
        ("accounts", 2000),
    ])
}

/// dlt's `RESTAPIConfig` over the bench server at `origin`.
fn config(origin: &str, parent_pages: u64) -> Value {
    let parents = parent_pages * 50;
    json!({
        "client": {"base_url": format!("{origin}/")},
        "resources": [
            {
                "name": "parents",
                "endpoint": {
                    "path": format!("page_number/{parents}/50/{DELAY_MS}"),
                    "data_selector": "data",
                    "paginator": {"type": "page_number", "base_page": 1, "page_param": "page",
                                  "total_path": "total_pages"}
                }
            },
            {
                "name": "children",
                "endpoint": {
                    "path": format!("p/{{parent_id}}/offset/100/50/{DELAY_MS}"),
                    "params": {"parent_id": {"type": "resolve", "resource": "parents", "field": "id"}},
                    "data_selector": "data",
                    "paginator": {"type": "offset", "limit": 50, "total_path": "total"}
                },
                "include_from_parent": ["id"]
            },
            {
                "name": "events",
                "endpoint": {
                    "path": format!("cursor/2000/100/{DELAY_MS}"),
                    "data_selector": "data",
                    "paginator": {"type": "cursor", "cursor_path": "next_cursor",
                                  "cursor_param": "cursor"}
                }
            },
            {
                "name": "accounts",
                "endpoint": {
                    "path": format!("offset/2000/100/{DELAY_MS}"),
                    "data_selector": "data",
                    "paginator": {"type": "offset", "limit": 100, "total_path": "total"}
                }
            }
        ]
    })
}

/// One client of the section.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Runner {
    /// `restclient run` at `--concurrency N` (`None`: the default).
    Restclient(Option<usize>),
    /// restclient-source's `run` example (`run_config`, default concurrency), while the CLI has
    /// no `run`.
    Example,
    /// dlt's `rest_api_source`.
    Dlt,
}

impl std::fmt::Display for Runner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Runner::Restclient(Some(n)) => write!(f, "restclient run --concurrency {n}"),
            Runner::Restclient(None) => f.write_str("restclient run (default concurrency, 8)"),
            Runner::Example => {
                f.write_str("restclient-source example `run` (library, default concurrency 8)")
            }
            Runner::Dlt => f.write_str("dlt 1.31 rest_api_source"),
        }
    }
}

/// A run's wall seconds (or why it failed).
type Runs = Vec<Result<f64, String>>;

/// The section's results.
#[derive(Debug, Default)]
pub(crate) struct Section {
    /// Records of one run, all resources.
    pub(crate) records: u64,
    /// Requests of one run.
    pub(crate) requests: u64,
    /// Per runner.
    pub(crate) rows: Vec<(Runner, Runs)>,
    /// Why restclient's side did not run, if it did not.
    pub(crate) no_run: Option<String>,
}

/// Whether the CLI at `exe` has a `run` subcommand.
pub(crate) fn cli_has_run(exe: Option<&PathBuf>) -> Result<(), String> {
    let exe = exe.ok_or("the CLI is unavailable")?;
    let status = Command::new(exe)
        .args(["run", "--help"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map_err(|e| format!("{}: {e}", exe.display()))?;
    if status.success() {
        Ok(())
    } else {
        Err("the CLI has no `run` subcommand yet; this part needs `restclient run` (issue 14)".to_owned())
    }
}

/// Checks the CLI's output directory against the expected counts.
fn check_output(dir: &Path, want: &BTreeMap<&'static str, u64>) -> Result<(), String> {
    for (name, &n) in want {
        let path = dir.join(format!("{name}.ndjson"));
        let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        if *name == "parents" {
            check_ids(&text, n).map_err(|e| format!("{name}: {e}"))?;
        } else if text.lines().count() as u64 != n {
            return Err(format!("{name}: {} records, expected {n}", text.lines().count()));
        }
    }
    Ok(())
}

/// restclient-source's `run` example, next to the release xtask, if built.
fn example(bench: &Bench<'_>) -> Option<PathBuf> {
    let path = bench.programs.xtask.parent()?.join("examples").join("run");
    path.is_file().then_some(path)
}

fn run_restclient(
    bench: &Bench<'_>,
    config: &Path,
    runner: Runner,
    want: &BTreeMap<&'static str, u64>,
) -> Result<f64, String> {
    let out = bench.scratch.join("source-out");
    let _ = std::fs::remove_dir_all(&out);
    let argv = match runner {
        Runner::Restclient(concurrency) => {
            let exe = bench.programs.restclient.as_ref().ok_or("no CLI")?;
            let mut argv = vec![
                exe.display().to_string(),
                "run".to_owned(),
                config.display().to_string(),
                "--output-dir".to_owned(),
                out.display().to_string(),
                "--quiet".to_owned(),
            ];
            if let Some(n) = concurrency {
                argv.extend(["--concurrency".to_owned(), n.to_string()]);
            }
            argv
        }
        Runner::Dlt => return Err("not a restclient runner".to_owned()),
        Runner::Example => {
            let exe = example(bench).ok_or("the run example is not built")?;
            vec![
                exe.display().to_string(),
                config.display().to_string(),
                out.display().to_string(),
            ]
        }
    };
    let m = measure(&bench.programs.xtask, &argv, bench.timeout)?;
    m.succeeded()?;
    let checked = check_output(&out, want);
    let _ = std::fs::remove_dir_all(&out);
    checked.map(|()| m.wall_s)
}

fn run_dlt(bench: &Bench<'_>, config: &Path, want: &BTreeMap<&'static str, u64>) -> Result<f64, String> {
    let env = bench.programs.dlt.as_ref().ok_or("dlt is unavailable")?;
    let script = bench.scratch.join("dlt_source.py");
    std::fs::write(&script, DLT_SCRIPT).map_err(|e| format!("{}: {e}", script.display()))?;
    let argv = vec![
        env.python.display().to_string(),
        script.display().to_string(),
        config.display().to_string(),
    ];
    let m = measure(&bench.programs.xtask, &argv, bench.timeout)?;
    m.succeeded()?;
    let own: Value = m
        .stdout
        .lines()
        .rev()
        .find_map(|l| serde_json::from_str(l).ok())
        .ok_or("no counts on stdout")?;
    for (name, &n) in want {
        let got = own["records"][name].as_u64().unwrap_or(0);
        if got != n {
            return Err(format!("{name}: {got} records, expected {n}"));
        }
    }
    own["seconds"]
        .as_f64()
        .ok_or_else(|| "no time on stdout".to_owned())
}

/// Runs the section; `with_dlt_alone` measures dlt even when the CLI cannot `run`.
pub(crate) fn run(bench: &Bench<'_>, with_dlt_alone: bool) -> Result<Section, String> {
    let parent_pages = if bench.quick { 4 } else { PARENT_PAGES };
    let want = expected(parent_pages);
    let config_path = bench.scratch.join("source.json");
    let text =
        serde_json::to_string_pretty(&config(bench.origin, parent_pages)).map_err(|e| e.to_string())?;
    std::fs::write(&config_path, text).map_err(|e| format!("{}: {e}", config_path.display()))?;
    let parents = parent_pages * 50;
    let mut section = Section {
        records: want.values().sum(),
        requests: parent_pages + parents * 2 + 20 + 20,
        rows: Vec::new(),
        no_run: cli_has_run(bench.programs.restclient.as_ref()).err(),
    };
    if section.no_run.is_some() && !with_dlt_alone {
        return Ok(section);
    }
    let mut runners = vec![Runner::Dlt];
    if section.no_run.is_none() {
        runners.splice(0..0, [Runner::Restclient(Some(16)), Runner::Restclient(None)]);
    } else if example(bench).is_some() {
        runners.insert(0, Runner::Example);
    }
    for runner in runners {
        let mut runs = Vec::new();
        for rep in 1..=bench.reps {
            let result = match runner {
                Runner::Dlt => run_dlt(bench, &config_path, &want),
                other => run_restclient(bench, &config_path, other, &want),
            };
            match &result {
                Ok(s) => eprintln!(
                    "bench: [source {runner} {rep}/{}] {:.2} s, {} records/s",
                    bench.reps,
                    s,
                    rate(section.records as f64 / s)
                ),
                Err(e) => eprintln!("bench: [source {runner} {rep}/{}] FAILED: {e}", bench.reps),
            }
            runs.push(result);
        }
        section.rows.push((runner, runs));
    }
    Ok(section)
}

impl Section {
    fn median_rate(&self, runner: Runner) -> Option<f64> {
        let (_, runs) = self.rows.iter().find(|(r, _)| *r == runner)?;
        let rates = runs
            .iter()
            .filter_map(|r| r.as_ref().ok())
            .map(|s| self.records as f64 / s)
            .collect();
        median(rates)
    }

    /// The section's table.
    pub(crate) fn write(&self, md: &mut String) {
        let _ = writeln!(
            md,
            "## Source run (`restclient run` against dlt's `rest_api_source`)\n"
        );
        let _ = writeln!(
            md,
            "One config, four resources on the server with {DELAY_MS} ms per response: a parent \
             (page number, 50-record pages), a child per parent record (2 pages of 50, \
             `include_from_parent`), and two independent resources (cursor, offset; 20 pages of \
             100). {} records in {} requests per run. restclient writes NDJSON per resource \
             (checked afterwards); dlt iterates the source (extraction only; its import is not \
             timed).\n",
            self.records, self.requests
        );
        if let Some(why) = &self.no_run {
            let _ = writeln!(md, "restclient not run: {why}\n");
        }
        if self.rows.is_empty() {
            return;
        }
        let _ = writeln!(md, "| client | records/s (median) | seconds per run | × dlt |");
        let _ = writeln!(md, "|---|--:|---|--:|");
        let dlt = self.median_rate(Runner::Dlt);
        for (runner, runs) in &self.rows {
            let times = runs
                .iter()
                .map(|r| match r {
                    Ok(s) => format!("{s:.2}"),
                    Err(e) => format!("failed: {e}"),
                })
                .collect::<Vec<_>>()
                .join(", ");
            let own = self.median_rate(*runner);
            let x = match (own, dlt) {
                (Some(a), Some(b)) => format!("{:.1}×", a / b),
                _ => "–".to_owned(),
            };
            let _ = writeln!(
                md,
                "| {runner} | {} | {times} | {x} |",
                own.map_or_else(|| "–".to_owned(), rate)
            );
        }
        md.push('\n');
    }

    /// The section's target lines.
    pub(crate) fn write_targets(&self, md: &mut String) {
        let dlt = self.median_rate(Runner::Dlt);
        for (runner, want) in [
            (Runner::Restclient(Some(16)), 10.0),
            (Runner::Restclient(None), 6.0),
        ] {
            let line = match (self.median_rate(runner), dlt) {
                (Some(a), Some(b)) => format!(
                    "{}: source run, {runner} ≥ {want}× dlt's rest_api_source — {:.1}×",
                    verdict(a / b >= want),
                    a / b
                ),
                _ => format!(
                    "not measured: source run, {runner} ≥ {want}× dlt's rest_api_source{}",
                    self.no_run
                        .as_ref()
                        .map_or_else(String::new, |why| format!(" ({why})"))
                ),
            };
            let _ = writeln!(md, "- {line}");
        }
        if let (Some(a), Some(b)) = (self.median_rate(Runner::Example), dlt) {
            let _ = writeln!(
                md,
                "- {} (provisional, the library without the CLI): source run, {} ≥ 6× dlt's \
                 rest_api_source — {:.1}×",
                verdict(a / b >= 6.0),
                Runner::Example,
                a / b
            );
        }
    }
}
