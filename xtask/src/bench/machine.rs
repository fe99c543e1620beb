//! The machine and the build: where things are, how to build them, what the report says about
//! the machine, and whether the server outruns every client (wrk).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::BoxError;
use super::report;
use super::style::Style;

/// Pins this process (and so every process it starts) to core 0.
///
/// On this kind of VM a wake-up that crosses cores is expensive and its cost varies: unpinned, the
/// same client measured 0.19 s in one run and 0.9 s in the next, as the scheduler put client and
/// server on one core or on two. On one core every client pays the same, and the rates compare
/// the clients' own work.
pub(super) fn pin_to_core_zero() -> bool {
    let mut cpus = nix::sched::CpuSet::new();
    cpus.set(0).is_ok() && nix::sched::sched_setaffinity(nix::unistd::Pid::from_raw(0), &cpus).is_ok()
}

pub(super) fn workspace_root() -> PathBuf {
    let xtask = Path::new(env!("CARGO_MANIFEST_DIR"));
    xtask.parent().unwrap_or(xtask).to_path_buf()
}

pub(super) fn cargo() -> Command {
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.current_dir(workspace_root());
    cmd
}

/// The workspace's target directory, as cargo sees it (CARGO_TARGET_DIR, config, or `target/`).
pub(super) fn target_dir() -> Result<PathBuf, BoxError> {
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
pub(super) fn build() -> Result<Option<String>, BoxError> {
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

/// Runs wrk against one page of each size: report lines and, per page size, records/s served.
pub(super) fn wrk_check(
    origin: &str,
    sizes: &[usize],
    record_bytes: usize,
) -> (Vec<String>, Vec<(usize, f64)>) {
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
pub(super) fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "?".to_owned())
}

pub(super) fn machine() -> Vec<String> {
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
