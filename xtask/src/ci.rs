//! `cargo xtask ci`: everything `.ci/run` checks, in the same order, from any machine with the
//! pinned toolchain: formatting, lints, the supply-chain guard, docs, then every test — the Rust
//! ones, then the Python package's pytest suite against dlt 1.31 in a venv (see [`crate::python`]).
//!
//! Each step is one command, printed before it runs with the seconds elapsed so far; the first that
//! fails stops the run with its exit status.

use std::process::Command;
use std::time::Instant;

/// Options of `cargo xtask ci`.
#[derive(Debug, clap::Args)]
pub(crate) struct CiArgs {
    /// Skip formatting, lints and docs: run only the tests.
    #[arg(long)]
    tests_only: bool,
}

/// Runs the checks; `Err` names the step that failed.
pub(crate) fn run(args: &CiArgs) -> Result<(), String> {
    let started = Instant::now();
    let step = |name: &str, program: &str, argv: &[&str], env: &[(&str, &str)]| -> Result<(), String> {
        println!("=== {name} ({}s)", started.elapsed().as_secs());
        let mut command = Command::new(program);
        command.args(argv).envs(env.iter().copied());
        let status = command
            .status()
            .map_err(|e| format!("{name}: cannot run {program}: {e}"))?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("{name} failed ({status})"))
        }
    };
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    if !args.tests_only {
        step(
            "cargo fmt --all --check",
            &cargo,
            &["fmt", "--all", "--check"],
            &[],
        )?;
        step(
            "cargo clippy --workspace --all-targets -- -D warnings",
            &cargo,
            &["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"],
            &[],
        )?;
        aws_lc_guard(&cargo)?;
        step(
            "cargo doc --workspace --no-deps (warnings are errors)",
            &cargo,
            &["doc", "--workspace", "--no-deps"],
            &[("RUSTDOCFLAGS", "-D warnings")],
        )?;
    }
    step("cargo test --workspace", &cargo, &["test", "--workspace"], &[])?;
    println!(
        "=== python: the restclient package against dlt 1.31 ({}s)",
        started.elapsed().as_secs()
    );
    crate::python::ci()?;
    println!("=== done ({}s)", started.elapsed().as_secs());
    Ok(())
}

/// rustls must not pull aws-lc-rs: with both crypto providers on, rustls panics at run time.
fn aws_lc_guard(cargo: &str) -> Result<(), String> {
    println!("=== rustls must not pull aws-lc-rs");
    let found = Command::new(cargo)
        .args(["tree", "--workspace", "-e", "normal", "-i", "aws-lc-rs"])
        .output()
        .map_err(|e| format!("cannot run cargo tree: {e}"))?;
    // `cargo tree -i` fails when the package is not in the graph: that is the good case.
    if found.status.success() {
        return Err(format!(
            "aws-lc-rs is in the dependency graph:\n{}",
            String::from_utf8_lossy(&found.stdout)
        ));
    }
    Ok(())
}
