//! What `restclient run` does, as a template for a command line:
//! `cargo run -p restclient-source --example run -- CONFIG [OUT_DIR] [STATE_FILE]`.
//!
//! Status lines on stderr while it runs (when stderr is a terminal), one line per resource at the
//! end, one line per failed resource on stderr, and exit 1 when any failed.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::time::Duration;

use restclient_source::{Progress, RunOptions, run_config};

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let mut args = std::env::args().skip(1);
    let Some(config) = args.next() else {
        eprintln!("usage: run CONFIG [OUT_DIR] [STATE_FILE]");
        std::process::exit(2);
    };
    let progress = Arc::new(Progress::new());
    let options = RunOptions {
        output_dir: args.next().unwrap_or_else(|| "restclient-out".to_owned()).into(),
        state_file: args.next().map(Into::into),
        progress: Some(progress.clone()),
        ..RunOptions::default()
    };
    let started = std::time::Instant::now();
    let run = run_config(&config, &options);
    tokio::pin!(run);
    let show = std::io::stderr().is_terminal();
    let mut shown = 0;
    let mut tick = tokio::time::interval(Duration::from_millis(200));
    let result = loop {
        tokio::select! {
            result = &mut run => break result,
            _ = tick.tick(), if show => {
                let mut err = std::io::stderr().lock();
                // move up over the previous lines and clear them
                if shown > 0 {
                    let _ = write!(err, "\x1b[{shown}A\x1b[J");
                }
                let lines = progress.status_lines();
                for line in &lines {
                    let _ = writeln!(err, "{line}");
                }
                shown = lines.len();
            }
        }
    };
    if shown > 0 {
        eprint!("\x1b[{shown}A\x1b[J");
    }
    let summary = match result {
        Ok(summary) => summary,
        Err(e) => {
            eprintln!("restclient: {e}");
            std::process::exit(2);
        }
    };
    for r in &summary.resources {
        let state = if r.failure.is_some() { "FAILED" } else { "ok" };
        println!(
            "{:<20} {:>6} pages {:>8} records  {state}",
            r.name, r.pages, r.records
        );
    }
    println!("{:.2?}", started.elapsed());
    for line in summary.failure_lines() {
        eprintln!("restclient: {line}");
    }
    if !summary.is_success() {
        std::process::exit(1);
    }
}
