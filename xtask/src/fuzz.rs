//! `cargo xtask fuzz`: runs every cargo-fuzz target in `fuzz/`, one after the other, and reports
//! executions and crashes per target.
//!
//! The fuzz crate is its own workspace (not a member of the root one), so CI never builds it and
//! its runs stay out of CI's time budget; CI keeps the proptests.
//!
//! Policy:
//! - cargo-fuzz is installed with `cargo install cargo-fuzz` when `cargo fuzz` is missing.
//! - `cargo fuzz run` passes nightly-only `-Z` flags to rustc; on the stable toolchain this
//!   command sets `RUSTC_BOOTSTRAP=1` for that child process, and nowhere else.
//! - Targets run one at a time (the machine is shared): each for `--seconds` (libFuzzer
//!   `-max_total_time`) or `--runs` executions (`-runs`), whichever comes first. The corpus grows in
//!   `fuzz/corpus/<target>`, seeded from the committed `fuzz/seeds/<target>`; a dictionary
//!   `fuzz/dicts/<target>.dict` is used when present. Crashes land in `fuzz/artifacts/<target>/`,
//!   the full libFuzzer log in `fuzz/artifacts/<target>.log` (corpus and artifacts are not
//!   committed).
//! - The sanitizer defaults to none: the code is safe Rust (`unsafe_code` is forbidden), so the
//!   fuzzer looks for panics, overflows (debug assertions stay on) and broken invariants, and runs
//!   several times faster without AddressSanitizer. `--sanitizer address` turns it back on.
//! - The exit status is a failure when any target crashed; the summary names the artifact to
//!   reproduce it with `cargo fuzz run <target> <artifact>`.

use std::fmt::Write as _;
use std::fs::{self, File};
use std::io::{BufRead, BufReader, Write as _};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

/// Options of `cargo xtask fuzz`.
#[derive(Debug, clap::Args)]
pub(crate) struct FuzzArgs {
    /// Seconds per target (libFuzzer `-max_total_time`).
    #[arg(long, default_value_t = 60)]
    seconds: u64,
    /// Stop a target after this many executions (libFuzzer `-runs`); the time limit still applies.
    #[arg(long)]
    runs: Option<u64>,
    /// Run only this target (repeatable); default: every target `cargo fuzz list` shows.
    #[arg(long = "target")]
    targets: Vec<String>,
    /// `none` (default) or `address`.
    #[arg(long, default_value = "none")]
    sanitizer: String,
    /// Further libFuzzer flags, after `--` (e.g. `-- -max_len=8192`).
    #[arg(last = true)]
    libfuzzer_args: Vec<String>,
}

/// What one target's run came to.
#[derive(Debug)]
struct Outcome {
    target: String,
    executions: Option<u64>,
    seconds: f64,
    crash: Option<String>,
}

/// Runs the targets and prints the summary; an error when a target crashed or could not run.
pub(crate) fn run(args: &FuzzArgs) -> Result<(), String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .ok_or("xtask has no parent directory")?
        .to_path_buf();
    let fuzz_dir = root.join("fuzz");
    ensure_cargo_fuzz()?;
    let targets = if args.targets.is_empty() {
        list_targets(&fuzz_dir)?
    } else {
        args.targets.clone()
    };
    let mut outcomes = Vec::new();
    for target in &targets {
        println!("== fuzz {target}: up to {} s", args.seconds);
        outcomes.push(run_target(&fuzz_dir, target, args)?);
    }
    println!("{}", summary(&outcomes));
    let crashed: Vec<&str> = outcomes
        .iter()
        .filter(|o| o.crash.is_some())
        .map(|o| o.target.as_str())
        .collect();
    if crashed.is_empty() {
        Ok(())
    } else {
        Err(format!("crashes in: {}", crashed.join(", ")))
    }
}

/// `cargo fuzz` with the environment it needs on stable.
fn cargo_fuzz() -> Command {
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()));
    command.arg("fuzz").env("RUSTC_BOOTSTRAP", "1");
    command
}

fn ensure_cargo_fuzz() -> Result<(), String> {
    let present = cargo_fuzz()
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if present {
        return Ok(());
    }
    println!("== cargo-fuzz is missing: cargo install cargo-fuzz");
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()))
        .args(["install", "cargo-fuzz"])
        .status()
        .map_err(|e| format!("cannot run cargo install: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("cargo install cargo-fuzz failed ({status})"))
    }
}

fn list_targets(fuzz_dir: &Path) -> Result<Vec<String>, String> {
    let output = cargo_fuzz()
        .arg("list")
        .arg("--fuzz-dir")
        .arg(fuzz_dir)
        .output()
        .map_err(|e| format!("cannot run cargo fuzz list: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "cargo fuzz list failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect())
}

fn run_target(fuzz_dir: &Path, target: &str, args: &FuzzArgs) -> Result<Outcome, String> {
    let corpus = fuzz_dir.join("corpus").join(target);
    let artifacts = fuzz_dir.join("artifacts").join(target);
    for dir in [&corpus, &artifacts] {
        fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let log_path = fuzz_dir.join("artifacts").join(format!("{target}.log"));
    let mut log = File::create(&log_path).map_err(|e| format!("{}: {e}", log_path.display()))?;

    let mut command = cargo_fuzz();
    command
        .arg("run")
        .arg("--fuzz-dir")
        .arg(fuzz_dir)
        .arg("--sanitizer")
        .arg(&args.sanitizer)
        .arg(target)
        .arg(&corpus);
    let seeds = fuzz_dir.join("seeds").join(target);
    if seeds.is_dir() {
        command.arg(&seeds);
    }
    command
        .arg("--")
        .arg(format!("-max_total_time={}", args.seconds))
        .arg(format!("-artifact_prefix={}/", artifacts.display()))
        .arg("-print_final_stats=1");
    if let Some(runs) = args.runs {
        command.arg(format!("-runs={runs}"));
    }
    let dict = fuzz_dir.join("dicts").join(format!("{target}.dict"));
    if dict.is_file() {
        command.arg(format!("-dict={}", dict.display()));
    }
    command.args(&args.libfuzzer_args);

    let started = Instant::now();
    let mut child = command
        .stdout(Stdio::inherit())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run cargo fuzz run {target}: {e}"))?;
    let mut executions = None;
    let mut crash = None;
    if let Some(stderr) = child.stderr.take() {
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            let _ = writeln!(log, "{line}");
            if let Some(n) = line.strip_prefix("stat::number_of_executed_units:") {
                executions = n.trim().parse().ok();
            }
            if let Some(path) = line.split("Test unit written to ").nth(1) {
                crash = Some(path.trim().to_owned());
            }
            if is_worth_showing(&line) {
                println!("   {line}");
            }
        }
    }
    let status = child
        .wait()
        .map_err(|e| format!("cargo fuzz run {target}: {e}"))?;
    if !status.success() && crash.is_none() {
        crash = Some(format!(
            "exited with {status} without an artifact; see {}",
            log_path.display()
        ));
    }
    Ok(Outcome {
        target: target.to_owned(),
        executions,
        seconds: started.elapsed().as_secs_f64(),
        crash,
    })
}

/// Progress and failure lines of libFuzzer and of the build, not the per-input chatter.
fn is_worth_showing(line: &str) -> bool {
    line.contains("pulse")
        || line.contains("DONE")
        || line.starts_with("error")
        || line.contains("panicked")
        || line.contains("==ERROR")
        || line.contains("Test unit written")
        || line.starts_with("stat::number_of_executed_units")
}

fn summary(outcomes: &[Outcome]) -> String {
    let mut out = String::from("\n| target | executions | seconds | result |\n|---|---:|---:|---|\n");
    for o in outcomes {
        let executions = o.executions.map_or_else(|| "?".to_owned(), |n| n.to_string());
        let result = o
            .crash
            .as_ref()
            .map_or_else(|| "no crash".to_owned(), |c| format!("CRASH: {c}"));
        let _ = writeln!(
            out,
            "| {} | {executions} | {:.0} | {result} |",
            o.target, o.seconds
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    #[test]
    fn the_summary_shows_executions_and_crashes() {
        let table = summary(&[
            Outcome {
                target: "a".into(),
                executions: Some(10),
                seconds: 1.2,
                crash: None,
            },
            Outcome {
                target: "b".into(),
                executions: None,
                seconds: 3.0,
                crash: Some("fuzz/artifacts/b/crash-1".into()),
            },
        ]);
        assert!(table.contains("| a | 10 | 1 | no crash |"), "{table}");
        assert!(
            table.contains("| b | ? | 3 | CRASH: fuzz/artifacts/b/crash-1 |"),
            "{table}"
        );
    }

    #[test]
    fn worth_showing_keeps_progress_and_failures_only() {
        assert!(is_worth_showing(
            "#65536\tpulse  cov: 10 ft: 20 corp: 3/9b exec/s: 100 rss: 40Mb"
        ));
        assert!(is_worth_showing(
            "#10000000\tDONE   cov: 10 ft: 20 corp: 3/9b exec/s: 100"
        ));
        assert!(!is_worth_showing("#2\tINITED cov: 10 ft: 11 corp: 1/1b"));
        assert!(is_worth_showing("thread '<unnamed>' panicked at src/lib.rs:1:1:"));
        assert!(!is_worth_showing("#12\tNEW    cov: 10 ft: 11 corp: 2/3b"));
    }

    #[test]
    fn the_paths_it_uses_are_under_fuzz() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(PathBuf::from);
        let fuzz = root.map(|r| r.join("fuzz")).unwrap_or_default();
        assert!(fuzz.join("Cargo.toml").is_file(), "{}", fuzz.display());
    }
}
