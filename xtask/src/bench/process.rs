//! Processes of a bench: the server, and one measured client run under `xtask bench-exec`.

use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};

use super::client::{self, Client, Programs, Sample};
use super::exec::Measured;
use super::report::{self, Cell};
use super::style::Style;
use super::{BoxError, POOL};

/// The server subprocess; killed when dropped.
pub(super) struct Server {
    child: Child,
    _stdin: Option<ChildStdin>,
    pub(super) origin: String,
    pub(super) record_bytes: usize,
}

impl Server {
    pub(super) fn start(xtask: &Path) -> Result<Server, BoxError> {
        let mut child = Command::new(xtask)
            .args(["bench-server", "--port", "0", "--pool", &POOL.to_string()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()?;
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().ok_or("server: no stdout")?;
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line)?;
        let mut server = Server {
            child,
            _stdin: stdin,
            origin: String::new(),
            record_bytes: 0,
        };
        let mut words = line.split_whitespace();
        server.origin = words
            .find(|w| w.starts_with("http://127.0.0.1:"))
            .ok_or_else(|| format!("server did not start: {line:?}"))?
            .to_owned();
        server.record_bytes = line
            .split_whitespace()
            .find_map(|w| w.strip_prefix("mean_record_bytes="))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        Ok(server)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `argv` under `xtask bench-exec` and returns what the wrapper measured.
pub(super) fn measure(xtask: &Path, argv: &[String], timeout: u64) -> Result<Measured, String> {
    let out = Command::new(xtask)
        .args(["bench-exec", "--timeout", &timeout.to_string(), "--"])
        .args(argv)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("bench-exec: {e}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(stdout.trim()).map_err(|e| {
        let err = String::from_utf8_lossy(&out.stderr);
        format!("bench-exec: {e}: {}", err.trim())
    })
}

pub(super) fn scaled(n: u64, scale: f64) -> u64 {
    ((n as f64 * scale).round() as u64).max(1)
}

/// Checks that the CLI (with `extra` flags) reads every record of `style`, in order, to a file.
pub(super) fn validate_cli(
    programs: &Programs,
    origin: &str,
    style: Style,
    size: usize,
    scratch: &Path,
    extra: &[String],
) -> Result<(), String> {
    let n = (size as u64) * 2 + (size as u64).div_ceil(2);
    let url = style.url(origin, n, size, 0);
    let out = scratch.display().to_string();
    let mut argv = programs
        .argv(Client::Restclient, style, &url, size, &out)
        .ok_or("no CLI")?;
    argv.extend(extra.iter().cloned());
    let m = measure(&programs.xtask, &argv, 60)?;
    if m.exit != Some(0) {
        let last = m.stderr.lines().rev().find(|l| !l.trim().is_empty());
        return Err(format!("exit {:?}: {}", m.exit, last.unwrap_or("(no stderr)")));
    }
    let text = std::fs::read_to_string(scratch).map_err(|e| format!("{out}: {e}"))?;
    check_ids(&text, n)
}

/// Checks that NDJSON `text` holds the records `0..n` by id, each once and in order.
pub(super) fn check_ids(text: &str, n: u64) -> Result<(), String> {
    let mut count = 0u64;
    for (i, line) in text.lines().enumerate() {
        let record: serde_json::Value =
            serde_json::from_str(line).map_err(|e| format!("line {}: bad NDJSON: {e}", i + 1))?;
        let id = record.get("id").and_then(serde_json::Value::as_u64);
        if id != Some(i as u64) {
            return Err(format!("line {} holds id {id:?}, expected {i}", i + 1));
        }
        count += 1;
    }
    if count != n {
        return Err(format!("wrote {count} records, expected {n}"));
    }
    Ok(())
}

/// One client run: what to read and how.
#[derive(Debug, Clone)]
pub(super) struct Job<'a> {
    /// Which client.
    pub(super) client: Client,
    /// Pagination style of `url`.
    pub(super) style: Style,
    /// Records per page.
    pub(super) size: usize,
    /// Records the run must read.
    pub(super) n: u64,
    /// First URL.
    pub(super) url: &'a str,
    /// Flags appended to the client's command line (`--concurrency 16`).
    pub(super) extra: Vec<String>,
}

impl<'a> Job<'a> {
    /// A run of `client` with no extra flags.
    pub(super) fn new(client: Client, style: Style, size: usize, n: u64, url: &'a str) -> Self {
        Job {
            client,
            style,
            size,
            n,
            url,
            extra: Vec::new(),
        }
    }
}

/// Runs `job` (output to /dev/null) and checks it read every record.
pub(super) fn run_cell(programs: &Programs, job: &Job<'_>, timeout: u64) -> Result<Sample, String> {
    let mut argv = programs
        .argv(job.client, job.style, job.url, job.size, "/dev/null")
        .ok_or("unavailable")?;
    argv.extend(job.extra.iter().cloned());
    let m = measure(&programs.xtask, &argv, timeout)?;
    client::sample(job.client, job.n, job.size, &m)
}

pub(super) fn progress(label: &str, result: &Result<Sample, String>) {
    match result {
        Ok(s) => eprintln!(
            "bench: {label}: {} records/s, {} pages/s, {:.1} MiB",
            report::rate(s.records_per_s()),
            report::rate(s.pages_per_s()),
            s.maxrss_kib as f64 / 1024.0
        ),
        Err(e) => eprintln!("bench: {label}: FAILED: {e}"),
    }
}

pub(super) fn record(cell: &mut Cell, result: Result<Sample, String>) {
    match result {
        Ok(sample) => cell.samples.push(sample),
        Err(e) => cell.error = Some(e),
    }
}

/// What every section of a bench needs to start its runs.
#[derive(Debug)]
pub(super) struct Bench<'a> {
    /// The programs.
    pub(super) programs: &'a Programs,
    /// The server's origin, `http://127.0.0.1:PORT`.
    pub(super) origin: &'a str,
    /// Kill a run after this many seconds.
    pub(super) timeout: u64,
    /// Repetitions per cell.
    pub(super) reps: usize,
    /// Record-count multiplier.
    pub(super) scale: f64,
    /// Smoke run.
    pub(super) quick: bool,
    /// A directory for outputs that are checked (`target/bench-scratch`).
    pub(super) scratch: &'a Path,
}

impl Bench<'_> {
    /// Runs `job` `reps` times into one cell, reporting each run on stderr as `label`.
    pub(super) fn cell(&self, job: &Job<'_>, label: &str) -> Cell {
        let mut cell = Cell::default();
        for rep in 1..=self.reps {
            let result = run_cell(self.programs, job, self.timeout);
            progress(&format!("[{label} {rep}/{}]", self.reps), &result);
            record(&mut cell, result);
        }
        cell
    }
}
