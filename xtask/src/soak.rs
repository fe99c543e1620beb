//! `cargo xtask soak [--cycles N]`: the long version of the SIGKILL tests. CI kills each
//! checkpointed `paginate` run (every paginator style, and `--concurrency 8`) and a `run` of a
//! parent/child source up to 8 times with one seed; this runs N cycles of that, each with its own
//! seed, and checks every record exactly once after each.

use std::process::Command;

/// Options of `cargo xtask soak`.
#[derive(Debug, clap::Args)]
pub(crate) struct SoakArgs {
    /// Kill-and-resume cycles per test (each up to 8 kills with its own seed).
    #[arg(long, default_value_t = 50)]
    cycles: u64,
}

/// Runs the CLI's SIGKILL tests with `RESTCLIENT_SOAK_CYCLES` set.
pub(crate) fn run(args: &SoakArgs) -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let status = Command::new(cargo)
        .args([
            "test",
            "-p",
            "restclient-cli",
            "--test",
            "checkpoint",
            "--test",
            "run",
            "killed",
        ])
        .env("RESTCLIENT_SOAK_CYCLES", args.cycles.to_string())
        .status()
        .map_err(|e| format!("cannot run cargo test: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("the soak failed ({status})"))
    }
}
