//! The demo's multi-resource run: the example config `shop.yaml` of `restclient-source` (a parent
//! with children, endpoints that override the client's paginator, an incremental resource) run
//! twice against the embedded API with one state file, as `restclient run` would.

use std::time::{Duration, Instant};

use restclient_source::{Format, RestApiConfig, RunOptions, RunSummary, Source};

use crate::demo::server::sizes;

/// The example config, the same file the crate's docs and tests read.
const SHOP: &str = include_str!("../../../restclient-source/examples/shop.yaml");

/// What each resource of the first run must hold.
fn expected() -> Vec<(&'static str, usize)> {
    let customer_orders = (1..=sizes::CUSTOMERS).map(sizes::customer_orders).sum();
    vec![
        ("customers", sizes::CUSTOMERS),
        ("customer_orders", customer_orders),
        ("orders", sizes::ORDERS),
        ("events", sizes::EVENTS),
        ("countries", super::data::COUNTRY_COUNT),
    ]
}

/// One run's summary and time.
struct Outcome {
    summary: RunSummary,
    elapsed: Duration,
}

async fn run_once(source: &Source, options: &RunOptions) -> Result<Outcome, String> {
    let started = Instant::now();
    let summary = source.run(options).await.map_err(|e| e.to_string())?;
    Ok(Outcome {
        summary,
        elapsed: started.elapsed(),
    })
}

/// Runs the config twice (the second run continues the incremental resource) and prints a table;
/// `Err` lists what did not match.
pub(crate) async fn tour(base_url: &str) -> Result<(), String> {
    let lookup = |name: &str| (name == "DEMO_URL").then(|| base_url.to_owned());
    let config = RestApiConfig::from_str_with_env(SHOP, Format::Yaml, &lookup).map_err(|e| e.to_string())?;
    let source = Source::from_config(config).map_err(|e| e.to_string())?;
    let dir = std::env::temp_dir().join(format!("restclient-demo-{}", std::process::id()));
    let options = RunOptions {
        state_file: Some(dir.join("state.json")),
        ..RunOptions::new(dir.join("out"))
    };
    let first = run_once(&source, &options).await;
    let second = run_once(&source, &options).await;
    let _ = std::fs::remove_dir_all(&dir);
    let (first, second) = (first?, second?);

    println!(
        "\nA declarative source (restclient run examples/shop.yaml): {} resources at once, \
         concurrency {}, twice with one state file",
        expected().len(),
        options.concurrency
    );
    println!(
        "{:<18} {:>7} {:>9} {:>14}  check",
        "resource", "pages", "records", "2nd run new"
    );
    let mut wrong = Vec::new();
    for (name, records) in expected() {
        let (Some(one), Some(two)) = (first.summary.get(name), second.summary.get(name)) else {
            wrong.push(format!("{name}: not in the summary"));
            continue;
        };
        // The incremental resource starts where the first run ended: only its last record again,
        // which dlt's boundary rule drops.
        let second_expected = if name == "events" { 0 } else { records };
        let check = match (&one.failure, &two.failure) {
            (Some(f), _) | (_, Some(f)) => format!("FAILED: {f}"),
            _ if one.records as usize != records || two.records as usize != second_expected => {
                format!("FAILED: expected {records} then {second_expected} records")
            }
            _ => "ok".to_owned(),
        };
        println!(
            "{name:<18} {:>7} {:>9} {:>14}  {check}",
            one.pages, one.records, two.records
        );
        if check != "ok" {
            wrong.push(name.to_owned());
        }
    }
    println!(
        "first run {:.1} ms, second {:.1} ms",
        first.elapsed.as_secs_f64() * 1e3,
        second.elapsed.as_secs_f64() * 1e3
    );
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "the source run did not read what the API served: {}",
            wrong.join(", ")
        ))
    }
}
