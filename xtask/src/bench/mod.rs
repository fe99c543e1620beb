//! `cargo xtask bench`: restclient side by side with dlt and with raw hyper loops, in one run.
//!
//! The bench builds the CLI and xtask in release, starts `xtask bench-server` on 127.0.0.1, checks
//! with `wrk` (when installed) that the server is far faster than any client, then runs every client
//! as its own process, through `xtask bench-exec`, for each style × page size × repetition:
//! the `restclient` CLI writing NDJSON to /dev/null, dlt 1.31's `RESTClient.paginate` in a venv it
//! makes itself, and three raw loops (`&RawValue`, `Value`, bytes only). Then the latency section
//! (20 ms per response: the CLI at `--concurrency 1, 4, 16` beside dlt and raw loops, sequential
//! and 16 in flight; see [`latency`]), the rate-limit section (a token-bucket route answering 429
//! beyond its rate; see [`rate_limit`]), the source section (`restclient run` against dlt's
//! `rest_api_source` on one config with parents and children; see [`source`]) and a memory run (the CLI over 100k and 1M records).
//! `--only` picks sections. The markdown report goes to stdout and to `target/bench-report.md`,
//! and states each target as met or not.
//!
//! Record counts differ per client (dlt is one to two orders of magnitude slower), so the report
//! compares rates, never times. Nothing reaches beyond 127.0.0.1.

mod client;
mod dataset;
pub(crate) mod dlt;
pub(crate) mod exec;
mod latency;
mod limit;
mod machine;
mod process;
mod rate_limit;
pub(crate) mod raw;
mod report;
pub(crate) mod server;
mod source;
pub(crate) mod style;

use std::time::{Duration, Instant};

use client::{Client, Programs};
use machine::{build, load_average, machine, pin_to_core_zero, target_dir, wrk_check};
use process::{Bench, Job, Server, progress, record, run_cell, scaled, validate_cli};
use report::{Cell, Results};
use style::Style;

type BoxError = Box<dyn std::error::Error>;

/// Records the benchmark server pre-renders; longer runs wrap around.
const POOL: usize = 100_000;

/// A part of the bench, for `--only`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Section {
    /// Every style × page size × client at full speed (no added latency).
    Throughput,
    /// 20 ms per response: concurrency against dlt and the raw loops.
    Latency,
    /// A rate-limited route: `--max-rps` under the limit, and no limit at all.
    RateLimit,
    /// `restclient run` against dlt's `rest_api_source` on one config (needs `restclient run`;
    /// without it, `--only source` measures dlt's side alone).
    Source,
    /// The CLI's peak RSS over 100k and 1M records.
    Memory,
}

/// Options of `cargo xtask bench`.
#[derive(Debug, clap::Args)]
pub(crate) struct BenchArgs {
    /// Run only these sections (comma-separated): throughput, latency, rate-limit, source, memory.
    /// Default: all (source only when the CLI has `restclient run`).
    #[arg(long, value_delimiter = ',')]
    only: Vec<Section>,
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
    /// Skip the latency section.
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

impl BenchArgs {
    fn runs(&self, section: Section) -> bool {
        let skipped = match section {
            Section::Latency => self.no_latency,
            Section::Memory => self.no_memory,
            Section::Throughput | Section::RateLimit | Section::Source => false,
        };
        !skipped && (self.only.is_empty() || self.only.contains(&section))
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
    // Read before pinning, which leaves this process one core.
    let machine_lines = machine();
    // Every process started from here on (server, wrk, clients) inherits the pin.
    let pinned = !args.no_pin && pin_to_core_zero();
    let release = target.join("release");
    let restclient = release.join("restclient");
    let mut results = Results {
        machine: machine_lines,
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
    let throughput = args.runs(Section::Throughput);
    if !throughput {
        results.styles.clear();
        results.sizes.clear();
    }
    if throughput && programs.restclient.is_some() {
        let scratch = target.join("bench-validate.ndjson");
        for &style in &styles {
            for &size in &sizes {
                if let Err(e) = validate_cli(&programs, &server.origin, style, size, &scratch, &[]) {
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
    for rep in 1..=if throughput { reps } else { 0 } {
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
                    let job = Job::new(client, style, size, n, &url);
                    let result = run_cell(&programs, &job, args.timeout);
                    progress(
                        &format!("[{rep}/{reps}] {style} page {size} {client} ({n} records)"),
                        &result,
                    );
                    record(cell, result);
                }
            }
        }
    }

    let scratch = target.join("bench-scratch");
    std::fs::create_dir_all(&scratch)?;
    let bench = Bench {
        programs: &programs,
        origin: &server.origin,
        timeout: args.timeout,
        reps: reps.min(3),
        scale,
        quick,
        scratch: &scratch,
    };
    if args.runs(Section::Latency) {
        results.latency = Some(latency::run(&bench, &clients));
    }
    if args.runs(Section::RateLimit) {
        results.rate_limit = Some(rate_limit::run(&bench));
    }
    if args.runs(Section::Source) {
        let asked = args.only.contains(&Section::Source);
        results.source = Some(source::run(&bench, asked)?);
    }

    if args.runs(Section::Memory) && programs.restclient.is_some() {
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
            let job = Job::new(Client::Restclient, Style::Offset, page_size, n, &url);
            let result = run_cell(&programs, &job, args.timeout);
            progress(&format!("[memory] restclient ({n} records)"), &result);
            record(&mut cell, result);
            results.memory.push((n, cell));
        }
    }
    drop(server);
    let _ = std::fs::remove_dir_all(&scratch);
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
