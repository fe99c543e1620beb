//! Project automation, in Rust rather than shell: `cargo xtask <command>`.
//!
//! - `fuzz`: the cargo-fuzz targets in `fuzz/`, one at a time (see [`fuzz`]).
//! - `ci`: everything `.ci/run` checks: fmt, clippy, the aws-lc-rs guard, docs, tests (see [`ci`]).
//! - `bench`: restclient side by side with dlt and raw hyper loops (see [`mod@bench`]).
//! - `bench-server`, `bench-raw`, `bench-exec`: the bench's own subprocesses.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod bench;
mod ci;
mod fuzz;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "xtask", about = "Project automation: cargo xtask <command>")]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Debug, Subcommand)]
enum Cmd {
    /// Everything CI checks: fmt, clippy, the aws-lc-rs guard, docs, then every test.
    Ci(ci::CiArgs),
    /// Run the cargo-fuzz targets one at a time (not part of CI).
    Fuzz(fuzz::FuzzArgs),
    /// Benchmark the restclient CLI against dlt and raw hyper loops; report to target/bench-report.md.
    Bench(bench::BenchArgs),
    /// The benchmark API server on 127.0.0.1 (runs until its stdin closes).
    #[command(hide = true)]
    BenchServer {
        /// Port (0: any free port).
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// Records to pre-render.
        #[arg(long, default_value_t = 100_000)]
        pool: usize,
    },
    /// A raw pagination loop on hyper-util and serde_json.
    #[command(hide = true)]
    BenchRaw {
        /// raw-value, value or bytes.
        #[arg(long)]
        mode: bench::raw::Mode,
        /// Pagination style of the URL.
        #[arg(long)]
        style: bench::style::Style,
        /// Records per page.
        #[arg(long)]
        page_size: usize,
        /// The first page's URL (without the style's query parameter).
        url: String,
    },
    /// Run a command and report its wall time and peak RSS as JSON.
    #[command(hide = true)]
    BenchExec {
        /// Kill the command after this many seconds.
        #[arg(long, default_value_t = 300)]
        timeout: u64,
        /// The command and its arguments.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true, required = true)]
        argv: Vec<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result: Result<(), String> = match cli.command {
        Cmd::Ci(args) => ci::run(&args),
        Cmd::Fuzz(args) => fuzz::run(&args),
        Cmd::Bench(args) => bench::run(&args).map_err(|e| e.to_string()),
        Cmd::BenchServer { port, pool } => bench::server::run(port, pool).map_err(|e| e.to_string()),
        Cmd::BenchRaw {
            mode,
            style,
            page_size,
            url,
        } => bench::raw::run(mode, style, &url, page_size).map_err(|e| e.to_string()),
        Cmd::BenchExec { timeout, argv } => {
            bench::exec::run(&argv, bench::timeout(timeout)).map_err(|e| e.to_string())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}
