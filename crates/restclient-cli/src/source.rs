//! `restclient run CONFIG`: a declarative source of many resources (dlt's `rest_api` shape),
//! driven by `restclient-source`. This module only parses the options, shows progress and prints
//! the outcome; the library does the work.
//!
//! Exit status: `0` when every selected resource finished; `1` when any failed (stderr names
//! each, with the HTTP status and the URL), or the state or output could not be written; `2` for
//! a config that cannot be read or is invalid (named by resource and key), before any request.

use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::time::Duration;

use restclient::core::redact;
use restclient_source::{Progress, RunOptions, SourceError, run_config};

use crate::Failure;
use crate::cli::RunArgs;
use crate::input;

/// How often the progress lines are redrawn.
const REDRAW: Duration = Duration::from_millis(200);

/// `restclient run`.
pub(crate) fn run(args: RunArgs, logging: bool) -> Result<(), Failure> {
    let options = options(&args)?;
    let progress = options.progress.clone();
    let show = !args.quiet && !logging && std::io::stderr().is_terminal();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::Runtime(format!("cannot start the async runtime: {e}")))?;
    let result = runtime.block_on(async {
        let run = run_config(&args.config, &options);
        tokio::pin!(run);
        let mut lines = StatusLines::default();
        let mut tick = tokio::time::interval(REDRAW);
        loop {
            tokio::select! {
                result = &mut run => {
                    lines.clear();
                    break result;
                }
                _ = tick.tick(), if show => {
                    if let Some(progress) = &progress {
                        lines.draw(&progress.status_lines());
                    }
                }
            }
        }
    });
    runtime.shutdown_timeout(Duration::from_millis(100));
    let summary = result.map_err(|e| match e {
        SourceError::Read { .. }
        | SourceError::Parse { .. }
        | SourceError::MissingEnv { .. }
        | SourceError::Invalid { .. }
        | SourceError::Client(_) => Failure::Usage(redact::redact_text(&e.to_string()).into_owned()),
        other => Failure::Runtime(redact::redact_text(&other.to_string()).into_owned()),
    })?;
    if !args.quiet {
        let mut err = std::io::stderr().lock();
        for r in &summary.resources {
            let outcome = if r.failure.is_some() { "FAILED" } else { "ok" };
            let _ = writeln!(
                err,
                "{}: {} pages, {} records, {outcome}",
                r.name, r.pages, r.records
            );
        }
    }
    if summary.is_success() {
        return Ok(());
    }
    // One line per failed resource; the last is the failure main() prints.
    let mut lines: Vec<String> = summary
        .failure_lines()
        .iter()
        .map(|l| redact::redact_text(l).into_owned())
        .collect();
    let last = lines.pop().unwrap_or_else(|| "a resource failed".to_owned());
    for line in lines {
        eprintln!("error: {line}");
    }
    Err(Failure::Runtime(last))
}

/// The library's options from the command line; every number is checked first.
fn options(args: &RunArgs) -> Result<RunOptions, Failure> {
    let concurrency = input::check_count("--concurrency", args.concurrency)?;
    let max_rps = args.max_rps.map(input::check_rps).transpose()?;
    let seconds = |option: &str, value: Option<f64>, positive: bool| {
        value
            .map(|v| input::parse_seconds(option, v, positive).map(|d| d.as_secs_f64()))
            .transpose()
    };
    Ok(RunOptions {
        output_dir: args.output_dir.clone(),
        resources: args.resources.clone(),
        state_file: args.state.clone(),
        concurrency,
        max_rps,
        max_attempts: args.max_attempts.map(|n| n.max(1)),
        backoff_factor: args.backoff_factor.map(input::check_factor).transpose()?,
        max_retry_delay: seconds("--max-retry-delay", args.max_retry_delay, false)?,
        timeout: seconds("--timeout", args.timeout, true)?,
        quiet: args.quiet,
        progress: Some(Arc::new(Progress::new())),
    })
}

/// Progress lines redrawn in place on a terminal.
#[derive(Debug, Default)]
struct StatusLines {
    shown: usize,
}

impl StatusLines {
    fn draw(&mut self, lines: &[String]) {
        let mut err = std::io::stderr().lock();
        self.erase(&mut err);
        for line in lines {
            let _ = writeln!(err, "{line}");
        }
        self.shown = lines.len();
    }

    fn clear(&mut self) {
        let mut err = std::io::stderr().lock();
        self.erase(&mut err);
        self.shown = 0;
    }

    /// Moves up over the lines drawn last and clears them.
    fn erase(&self, out: &mut impl Write) {
        if self.shown > 0 {
            let _ = write!(out, "\x1b[{}A\x1b[J", self.shown);
        }
    }
}
