//! Runs a `rest_api` config: `cargo run -p restclient-source --example run -- CONFIG [OUT_DIR] [STATE_FILE]`.
//!
//! Prints one line per resource: pages, records, and why it failed if it did.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use restclient_source::{RunOptions, Source};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let Some(config) = args.next() else {
        eprintln!("usage: run CONFIG [OUT_DIR] [STATE_FILE]");
        std::process::exit(2);
    };
    let out = args.next().unwrap_or_else(|| "restclient-out".to_owned());
    let options = RunOptions {
        state_file: args.next().map(Into::into),
        ..RunOptions::new(out)
    };
    let source = Source::from_path(&config)?;
    let started = std::time::Instant::now();
    let summary = source.run(&options).await?;
    for r in &summary.resources {
        match &r.failure {
            None => println!("{:<20} {:>6} pages {:>8} records", r.name, r.pages, r.records),
            Some(f) => println!("{:<20} FAILED: {f}", r.name),
        }
    }
    println!("{:.2?}", started.elapsed());
    if !summary.is_success() {
        std::process::exit(1);
    }
    Ok(())
}
