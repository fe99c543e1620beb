//! The `restclient` command-line tool: paginate REST APIs from the shell.
//!
//! The command line is a contract (`cli-contract.md`): option names, defaults, output format and
//! exit behaviour are fixed; they are only ever extended compatibly.
//!
//! ```text
//! restclient paginate URL [options]   all pages, one JSON record per line (NDJSON) on stdout
//! restclient get URL [options]        one request, the response body on stdout
//! restclient demo                     embedded demo API on 127.0.0.1, every style, a summary
//! ```
//!
//! # Exit status
//! - `0`: success (also when the reader of stdout goes away early, as with `| head`).
//! - `1`: the request or pagination failed (HTTP status, connection, timeout, bad response, write).
//! - `2`: bad command line (unknown option, invalid JSON in `--paginator`/`--auth`/`--json`, bad
//!   `--param`/`--header`, invalid data selector or paginator/auth config).
//!
//! On failure stderr gets exactly one line, `error: ...`, naming the HTTP status and the URL when
//! there is one, with secrets redacted.

// Printing to stdout and stderr is this crate's job.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod checkpoint;
mod cli;
mod demo;
mod input;
mod logging;
mod output;
mod progress;

use std::process::ExitCode;

use clap::Parser;

/// How a command failed: a message for stderr and the exit status.
#[derive(Debug)]
pub(crate) enum Failure {
    /// Bad command line: exit 2.
    Usage(String),
    /// The request, pagination or output failed: exit 1.
    Runtime(String),
}

impl From<input::UsageError> for Failure {
    fn from(e: input::UsageError) -> Self {
        Failure::Usage(e.0)
    }
}

fn main() -> ExitCode {
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return clap_failure(&e),
    };
    let logging = logging::init();
    let result = match cli.command {
        cli::Command::Paginate(args) => run::paginate(args, logging),
        cli::Command::Get(args) => run::get(args),
        cli::Command::Demo(args) => demo::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(message)) => {
            eprintln!("error: {}", one_line(&message));
            ExitCode::from(2)
        }
        Err(Failure::Runtime(message)) => {
            eprintln!("error: {}", one_line(&message));
            ExitCode::FAILURE
        }
    }
}

/// Help and version go to stdout with exit 0; a parse error becomes one line and exit 2.
fn clap_failure(e: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    match e.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = e.print();
            if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            }
        }
        _ => {
            let rendered = e.render().to_string();
            let first = rendered
                .lines()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("error: invalid command line");
            let first = first.strip_prefix("error: ").unwrap_or(first);
            eprintln!("error: {} (see 'restclient --help')", first.trim());
            ExitCode::from(2)
        }
    }
}

/// Messages are printed as one line, whatever a library put in them.
fn one_line(message: &str) -> String {
    let mut line = message.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.is_empty() {
        line.push_str("failed");
    }
    line
}

mod run;
