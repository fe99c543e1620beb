//! `cargo xtask bench`: restclient side by side with dlt and with raw hyper loops, in one run.
//!
//! The bench builds the CLI and xtask in release, starts `xtask bench-server` on 127.0.0.1, checks
//! with `wrk` (when installed) that the server is far faster than any client, then runs every client
//! as its own process, through `xtask bench-exec`, for each style × page size × repetition:
//! the `restclient` CLI writing NDJSON to /dev/null, dlt 1.31's `RESTClient.paginate` in a venv it
//! makes itself, and three raw loops (`&RawValue`, `Value`, bytes only). Then a latency run (20 ms
//! per response) and a memory run (the CLI over 100k and 1M records). The markdown report goes to
//! stdout and to `target/bench-report.md`, and states each target as met or not.
//!
//! Record counts differ per client (dlt is one to two orders of magnitude slower), so the report
//! compares rates, never times. Nothing reaches beyond 127.0.0.1.

mod client;
mod dataset;
pub(crate) mod dlt;
pub(crate) mod exec;
pub(crate) mod raw;
mod report;
pub(crate) mod server;
pub(crate) mod style;

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

use client::{Client, Programs, Sample};
use exec::Measured;
use raw::Mode;
use report::{Cell, LatencyRun, Results};
use style::Style;

type BoxError = Box<dyn std::error::Error>;

/// Records the benchmark server pre-renders; longer runs wrap around.
const POOL: usize = 100_000;

/// Options of `cargo xtask bench`.
#[derive(Debug, clap::Args)]
pub(crate) struct BenchArgs {
    /// Smoke run: page size 100 only, one repetition, fewer records.
    #[arg(long)]
    quick: bool,
    /// Styles to run (comma-separated): offset, page_number, cursor, json_link, header_link.
    #[arg(long, value_delimiter = ',')]
    styles: Vec<Style>,
    /// Page sizes to run (comma-separated); default 10,100,1000.
    #[arg(long, value_delimiter = ',')]
    sizes: Vec<usize>,
    /// Repetitions per cell (the report shows the median); default 3, 1 with --quick.
    #[arg(long)]
    reps: Option<usize>,
    /// Multiply every run's record count by this.
    #[arg(long)]
    scale: Option<f64>,
    /// Skip the dlt column.
    #[arg(long)]
    no_dlt: bool,
    /// Skip the latency run.
    #[arg(long)]
    no_latency: bool,
    /// Skip the memory run.
    #[arg(long)]
    no_memory: bool,
    /// Skip the wrk check of the server.
    #[arg(long)]
    no_wrk: bool,
    /// Do not build; use the release binaries already in the target directory.
    #[arg(long)]
    no_build: bool,
    /// Let the server and the clients run on any core instead of pinning them all to core 0.
    #[arg(long)]
    no_pin: bool,
    /// Kill any single client run after this many seconds.
    #[arg(long, default_value_t = 300)]
    timeout: u64,
}

/// Pins this process (and so every process it starts) to core 0.
///
/// On this kind of VM a wake-up that crosses cores is expensive and its cost varies: unpinned, the
/// same client measured 0.19 s in one run and 0.9 s in the next, as the scheduler put client and
/// server on one core or on two. On one core every client pays the same, and the rates compare
/// the clients' own work.
fn pin_to_core_zero() -> bool {
    let mut cpus = nix::sched::CpuSet::new();
    cpus.set(0).is_ok() && nix::sched::sched_setaffinity(nix::unistd::Pid::from_raw(0), &cpus).is_ok()
}

fn workspace_root() -> PathBuf {
    let xtask = Path::new(env!("CARGO_MANIFEST_DIR"));
    xtask.parent().unwrap_or(xtask).to_path_buf()
}

fn cargo() -> Command {
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.current_dir(workspace_root());
    cmd
}

/// The workspace's target directory, as cargo sees it (CARGO_TARGET_DIR, config, or `target/`).
fn target_dir() -> Result<PathBuf, BoxError> {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        let dir = PathBuf::from(dir);
        return Ok(if dir.is_absolute() {
            dir
        } else {
            workspace_root().join(dir)
        });
    }
    let out = cargo()
        .args(["metadata", "--format-version", "1", "--no-deps"])
        .stderr(Stdio::inherit())
        .output()?;
    if !out.status.success() {
        return Err("cargo metadata failed".into());
    }
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    let dir = meta["target_directory"]
        .as_str()
        .ok_or("cargo metadata: no target_directory")?;
    Ok(PathBuf::from(dir))
}

/// Builds in release. Returns why the CLI is unavailable, if it is.
fn build() -> Result<Option<String>, BoxError> {
    eprintln!("bench: cargo build --release -p restclient-cli -p xtask");
    let status = cargo()
        .args(["build", "--release", "-p", "restclient-cli", "-p", "xtask"])
        .status()?;
    if status.success() {
        return Ok(None);
    }
    eprintln!("bench: the CLI does not build; building xtask alone and skipping the CLI column");
    let status = cargo().args(["build", "--release", "-p", "xtask"]).status()?;
    if !status.success() {
        return Err("cargo build --release -p xtask failed".into());
    }
    Ok(Some(
        "`cargo build --release -p restclient-cli` failed".to_owned(),
    ))
}

/// The server subprocess; killed when dropped.
struct Server {
    child: Child,
    _stdin: Option<ChildStdin>,
    origin: String,
    record_bytes: usize,
}

impl Server {
    fn start(xtask: &Path) -> Result<Server, BoxError> {
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
fn measure(xtask: &Path, argv: &[String], timeout: u64) -> Result<Measured, String> {
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

fn scaled(n: u64, scale: f64) -> u64 {
    ((n as f64 * scale).round() as u64).max(1)
}

/// Checks that the CLI reads every record of every style, writing to a file.
fn validate_cli(
    programs: &Programs,
    origin: &str,
    style: Style,
    size: usize,
    scratch: &Path,
) -> Result<(), String> {
    let n = (size as u64) * 2 + (size as u64).div_ceil(2);
    let url = style.url(origin, n, size, 0);
    let out = scratch.display().to_string();
    let argv = programs
        .argv(Client::Restclient, style, &url, size, &out)
        .ok_or("no CLI")?;
    let m = measure(&programs.xtask, &argv, 60)?;
    if m.exit != Some(0) {
        let last = m.stderr.lines().rev().find(|l| !l.trim().is_empty());
        return Err(format!("exit {:?}: {}", m.exit, last.unwrap_or("(no stderr)")));
    }
    let text = std::fs::read_to_string(scratch).map_err(|e| format!("{out}: {e}"))?;
    let lines: Vec<&str> = text.lines().collect();
    if lines.len() as u64 != n {
        return Err(format!("wrote {} NDJSON lines for {n} records", lines.len()));
    }
    let last: serde_json::Value =
        serde_json::from_str(lines[lines.len() - 1]).map_err(|e| format!("bad NDJSON: {e}"))?;
    if last.get("id").and_then(serde_json::Value::as_u64) != Some(n - 1) {
        return Err(format!("last record is not id {}: {last}", n - 1));
    }
    Ok(())
}

/// Runs wrk against one page of each size: report lines and, per page size, records/s served.
fn wrk_check(origin: &str, sizes: &[usize], record_bytes: usize) -> (Vec<String>, Vec<(usize, f64)>) {
    let available = Command::new("wrk")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok();
    if !available {
        let why = "wrk not installed: server throughput not checked (`apt-get install wrk` on a \
                   dev machine)";
        return (vec![why.to_owned()], Vec::new());
    }
    let mut served = Vec::new();
    let mut lines = vec![format!(
        "`wrk -t1 -c4 -d3s` on one page (offset style); wrk and the one-thread server share the \
         machine's cores. Records of {record_bytes} B."
    )];
    for &size in sizes {
        let url = format!(
            "{}?offset=0&limit={size}",
            Style::Offset.url(origin, 1_000_000, size, 0)
        );
        let out = Command::new("wrk").args(["-t1", "-c4", "-d3s", &url]).output();
        let text = match out {
            Ok(o) => String::from_utf8_lossy(&o.stdout).into_owned(),
            Err(e) => {
                lines.push(format!("page size {size}: wrk failed: {e}"));
                continue;
            }
        };
        let reqs = text
            .lines()
            .find_map(|l| l.trim().strip_prefix("Requests/sec:"))
            .and_then(|v| v.trim().parse::<f64>().ok());
        match reqs {
            Some(r) => {
                served.push((size, r * size as f64));
                lines.push(format!(
                    "page size {size}: {} requests/s = {} records/s served ({:.0} µs per page)",
                    report::rate(r),
                    report::rate(r * size as f64),
                    1e6 / r
                ));
            }
            None => lines.push(format!("page size {size}: could not read wrk's output")),
        }
    }
    (lines, served)
}

/// The 1-minute load average: other work on the machine makes every figure noisier.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "?".to_owned())
}

fn machine() -> Vec<String> {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("model name"))
                .map(|v| v.trim_start_matches([' ', '\t', ':']).to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("MemTotal:"))
                .and_then(|v| v.trim().trim_end_matches(" kB").parse::<u64>().ok())
        })
        .map_or_else(String::new, |kb| format!(", {} GiB RAM", kb / 1024 / 1024));
    let cmd_out = |prog: &str, args: &[&str]| {
        Command::new(prog)
            .args(args)
            .current_dir(workspace_root())
            .output()
            .ok()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            .unwrap_or_default()
    };
    vec![
        format!("Machine: {cpu}, {cores} cores{mem}, Linux {}", kernel.trim()),
        format!(
            "Toolchain: {}; date: {}",
            cmd_out("rustc", &["--version"]),
            cmd_out("date", &["-u", "+%Y-%m-%d %H:%M UTC"])
        ),
    ]
}

fn run_cell(
    programs: &Programs,
    client: Client,
    style: Style,
    size: usize,
    n: u64,
    url: &str,
    timeout: u64,
) -> Result<Sample, String> {
    let argv = programs
        .argv(client, style, url, size, "/dev/null")
        .ok_or("unavailable")?;
    let m = measure(&programs.xtask, &argv, timeout)?;
    client::sample(client, n, size, &m)
}

fn progress(label: &str, result: &Result<Sample, String>) {
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

fn record(cell: &mut Cell, result: Result<Sample, String>) {
    match result {
        Ok(sample) => cell.samples.push(sample),
        Err(e) => cell.error = Some(e),
    }
}

/// Runs the whole bench.
pub(crate) fn run(args: &BenchArgs) -> Result<(), BoxError> {
    let started = Instant::now();
    let quick = args.quick;
    let reps = args.reps.unwrap_or(if quick { 1 } else { 3 }).max(1);
    let scale = args.scale.unwrap_or(if quick { 0.3 } else { 1.0 });
    let styles = if args.styles.is_empty() {
        Style::ALL.to_vec()
    } else {
        args.styles.clone()
    };
    let sizes = if !args.sizes.is_empty() {
        args.sizes.clone()
    } else if quick {
        vec![100]
    } else {
        vec![10, 100, 1000]
    };

    let target = target_dir()?;
    let cli_problem = if args.no_build { None } else { build()? };
    // Every process started from here on (server, wrk, clients) inherits the pin.
    let pinned = !args.no_pin && pin_to_core_zero();
    let release = target.join("release");
    let restclient = release.join("restclient");
    let mut results = Results {
        machine: machine(),
        load_before: load_average(),
        command: std::iter::once("cargo xtask bench".to_owned())
            .chain(std::env::args().skip(2))
            .collect::<Vec<_>>()
            .join(" "),
        reps,
        styles: styles.clone(),
        sizes: sizes.clone(),
        ..Results::default()
    };
    let restclient = match cli_problem {
        Some(why) => {
            results.skipped.push((Client::Restclient, why));
            None
        }
        None if restclient.is_file() => Some(restclient),
        None => {
            results
                .skipped
                .push((Client::Restclient, format!("{} not found", restclient.display())));
            None
        }
    };
    let dlt = if args.no_dlt {
        results.skipped.push((Client::Dlt, "--no-dlt given".to_owned()));
        None
    } else {
        match dlt::prepare(&target.join("bench-venv")) {
            Ok(env) => Some(env),
            Err(why) => {
                eprintln!("bench: dlt unavailable, skipping its column: {why}");
                results.skipped.push((Client::Dlt, why));
                None
            }
        }
    };
    let programs = Programs {
        restclient,
        xtask: release.join("xtask"),
        dlt,
    };

    let server = Server::start(&programs.xtask)?;
    results.record_bytes = server.record_bytes;
    eprintln!(
        "bench: server on {} ({} B records)",
        server.origin, server.record_bytes
    );
    if args.no_wrk {
        results.server_check = vec!["not checked (--no-wrk)".to_owned()];
    } else {
        (results.server_check, results.server_capacity) =
            wrk_check(&server.origin, &sizes, server.record_bytes);
    }
    for line in &results.server_check {
        eprintln!("bench: {line}");
    }

    // The CLI must read every record of every style before its speed means anything.
    let mut cli_broken = std::collections::HashMap::new();
    if programs.restclient.is_some() {
        let scratch = target.join("bench-validate.ndjson");
        for &style in &styles {
            for &size in &sizes {
                if let Err(e) = validate_cli(&programs, &server.origin, style, size, &scratch) {
                    eprintln!("bench: restclient fails {style} at page size {size}: {e}");
                    cli_broken.insert((style, size), format!("validation: {e}"));
                }
            }
        }
        let _ = std::fs::remove_file(&scratch);
    }

    let clients: Vec<Client> = Client::ALL
        .into_iter()
        .filter(|c| !results.skipped.iter().any(|(s, _)| s == c))
        .collect();
    for rep in 1..=reps {
        for &size in &sizes {
            for &style in &styles {
                for &client in &clients {
                    let cell = results.cells.entry((style, size, client)).or_default();
                    if client == Client::Restclient
                        && let Some(e) = cli_broken.get(&(style, size))
                    {
                        cell.error = Some(e.clone());
                        continue;
                    }
                    let n = scaled(client.base_records(size), scale);
                    let url = style.url(&server.origin, n, size, 0);
                    let result = run_cell(&programs, client, style, size, n, &url, args.timeout);
                    progress(
                        &format!("[{rep}/{reps}] {style} page {size} {client} ({n} records)"),
                        &result,
                    );
                    record(cell, result);
                }
            }
        }
    }

    if !args.no_latency {
        let (delay_ms, page_size) = (20, 100);
        let pages = if quick { 20 } else { 50 };
        let records = (pages * page_size) as u64;
        let mut lat = LatencyRun {
            delay_ms,
            page_size,
            records,
            cells: Vec::new(),
        };
        for client in [
            Client::Restclient,
            Client::Dlt,
            Client::Raw(Mode::RawValue),
            Client::Raw(Mode::Bytes),
        ] {
            if !clients.contains(&client) {
                continue;
            }
            let mut cell = Cell::default();
            let url = Style::Offset.url(&server.origin, records, page_size, delay_ms);
            for rep in 1..=reps.min(3) {
                let result = run_cell(
                    &programs,
                    client,
                    Style::Offset,
                    page_size,
                    records,
                    &url,
                    args.timeout,
                );
                progress(&format!("[latency {rep}] {client}"), &result);
                record(&mut cell, result);
            }
            lat.cells.push((client, cell));
        }
        results.latency = Some(lat);
    }

    if !args.no_memory && programs.restclient.is_some() {
        let page_size = 1000;
        results.memory_page_size = page_size;
        let counts: [u64; 2] = if quick {
            [20_000, 200_000]
        } else {
            [100_000, 1_000_000]
        };
        for n in counts {
            let mut cell = Cell::default();
            let url = Style::Offset.url(&server.origin, n, page_size, 0);
            let result = run_cell(
                &programs,
                Client::Restclient,
                Style::Offset,
                page_size,
                n,
                &url,
                args.timeout,
            );
            progress(&format!("[memory] restclient ({n} records)"), &result);
            record(&mut cell, result);
            results.memory.push((n, cell));
        }
    }
    drop(server);
    results.load_after = load_average();

    results.notes.push(
        "restclient and the raw loops are timed from process spawn to exit (start-up included); \
         dlt times only its pagination loop, so Python's start-up and dlt's import are not \
         counted against it."
            .to_owned(),
    );
    results.notes.push(if pinned {
        "The server, wrk and every client ran pinned to core 0, so they share one core: rates \
         include the server's time and compare what each client costs (`--no-pin` lets them \
         spread, at the price of run-to-run swings from cross-core wake-ups)."
            .to_owned()
    } else {
        "Processes were not pinned: small-page rates swing with cross-core wake-ups.".to_owned()
    });
    results.notes.push(
        "Record counts per run differ by client (dlt is far slower); compare rates, not times.".to_owned(),
    );
    results.notes.push(format!(
        "The whole bench took {:.0} s.",
        started.elapsed().as_secs_f64()
    ));
    let md = results.markdown();
    let path = target.join("bench-report.md");
    std::fs::write(&path, &md)?;
    println!("{md}");
    eprintln!("bench: report written to {}", path.display());
    Ok(())
}

/// How long `bench-exec` lets a client run, as parsed from its flag.
pub(crate) fn timeout(secs: u64) -> Duration {
    Duration::from_secs(secs)
}
