//! `restclient demo`: starts the embedded demo API ([`server`]) on 127.0.0.1, paginates each of
//! its endpoints through the library exactly as `restclient paginate` would, and prints a summary
//! table. Every row checks its own page and record counts: a demo that silently read nothing
//! would be worse than none, so any mismatch makes the command fail.
//!
//! `restclient demo --serve` keeps the API up and prints commands to try against it.

mod data;
pub(crate) mod server;
mod source;

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use restclient::prelude::*;
use serde_json::{Value, json};

use crate::Failure;
use crate::cli::DemoArgs;
use server::{CLIENT_ID, CLIENT_SECRET, DemoServer, sizes};

/// One row of the tour: an endpoint, how to paginate it, what it must yield.
#[derive(Debug)]
struct Case {
    style: &'static str,
    path: &'static str,
    /// `--paginator`; `None` lets the client detect it.
    paginator: Option<Value>,
    data_selector: Option<&'static str>,
    oauth: bool,
    pages: usize,
    records: usize,
}

fn cases() -> Vec<Case> {
    let pages = |total: usize, per: usize| total.div_ceil(per);
    vec![
        Case {
            style: "offset",
            path: "/offset/customers",
            paginator: Some(
                json!({"type": "offset", "limit": sizes::CUSTOMERS_LIMIT, "total_path": "total"}),
            ),
            data_selector: Some("data"),
            oauth: false,
            pages: pages(sizes::CUSTOMERS, sizes::CUSTOMERS_LIMIT),
            records: sizes::CUSTOMERS,
        },
        Case {
            style: "page_number",
            path: "/page_number/orders",
            paginator: Some(json!({"type": "page_number", "base_page": 1, "total_path": "total_pages"})),
            data_selector: Some("orders"),
            oauth: false,
            pages: pages(sizes::ORDERS, sizes::ORDERS_PER_PAGE),
            records: sizes::ORDERS,
        },
        Case {
            style: "cursor",
            path: "/cursor/events",
            paginator: Some(
                json!({"type": "cursor", "cursor_path": "next_cursor", "cursor_param": "cursor"}),
            ),
            data_selector: Some("events"),
            oauth: false,
            pages: pages(sizes::EVENTS, sizes::EVENTS_PER_PAGE),
            records: sizes::EVENTS,
        },
        Case {
            style: "json_link",
            path: "/json_link/products",
            paginator: Some(json!({"type": "json_link", "next_url_path": "next"})),
            data_selector: Some("results"),
            oauth: false,
            pages: pages(sizes::PRODUCTS, sizes::PRODUCTS_PER_PAGE),
            records: sizes::PRODUCTS,
        },
        Case {
            style: "header_link",
            path: "/header_link/users",
            paginator: Some(json!("header_link")),
            data_selector: None,
            oauth: false,
            pages: pages(sizes::USERS, sizes::USERS_PER_PAGE),
            records: sizes::USERS,
        },
        Case {
            style: "header_cursor",
            path: "/header_cursor/invoices",
            paginator: Some(
                json!({"type": "header_cursor", "cursor_key": "X-Next-Cursor", "cursor_param": "cursor"}),
            ),
            data_selector: Some("invoices"),
            oauth: false,
            pages: pages(sizes::INVOICES, sizes::INVOICES_PER_PAGE),
            records: sizes::INVOICES,
        },
        Case {
            style: "single_page",
            path: "/single_page/countries",
            paginator: Some(json!("single_page")),
            data_selector: None,
            oauth: false,
            pages: 1,
            records: 12,
        },
        Case {
            style: "auto (detected)",
            path: "/json_link/products",
            paginator: None,
            data_selector: None,
            oauth: false,
            pages: pages(sizes::PRODUCTS, sizes::PRODUCTS_PER_PAGE),
            records: sizes::PRODUCTS,
        },
        Case {
            style: "oauth2 + page_number",
            path: "/oauth/reports",
            paginator: Some(json!({"type": "page_number", "base_page": 1, "total_path": "meta.total_pages"})),
            data_selector: Some("data"),
            oauth: true,
            pages: pages(sizes::REPORTS, sizes::REPORTS_PER_PAGE),
            records: sizes::REPORTS,
        },
    ]
}

/// The auth config of the OAuth2 row, as `--auth` would give it.
fn oauth_config(base_url: &str) -> Value {
    json!({
        "type": "oauth2_client_credentials",
        "access_token_url": format!("{base_url}/oauth/token"),
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
    })
}

/// What one row measured.
#[derive(Debug)]
struct Outcome {
    pages: usize,
    records: usize,
    elapsed: Duration,
    error: Option<String>,
}

/// No demo endpoint has more pages than this; more means a paginator that does not stop.
const PAGE_LIMIT: usize = 1_000;

async fn paginate_case(base_url: &str, case: &Case) -> Outcome {
    let started = Instant::now();
    let mut outcome = Outcome {
        pages: 0,
        records: 0,
        elapsed: Duration::ZERO,
        error: None,
    };
    let client = match build_client(base_url, case) {
        Ok(client) => client,
        Err(e) => {
            outcome.error = Some(e);
            return outcome;
        }
    };
    let mut pages = std::pin::pin!(client.paginate(case.path).pages());
    while let Some(page) = pages.next().await {
        match page {
            Ok(page) => {
                outcome.pages += 1;
                outcome.records += page.records().len();
            }
            Err(e) => {
                outcome.error = Some(e.to_string());
                break;
            }
        }
        if outcome.pages > PAGE_LIMIT {
            outcome.error = Some(format!(
                "more than {PAGE_LIMIT} pages: the paginator does not stop"
            ));
            break;
        }
    }
    outcome.elapsed = started.elapsed();
    outcome
}

fn build_client(base_url: &str, case: &Case) -> Result<RestClient, String> {
    let mut builder = RestClient::builder()
        .base_url(base_url)
        .max_attempts(3)
        .backoff_factor(0.01)
        .timeout(Duration::from_secs(10));
    if let Some(paginator) = &case.paginator {
        let paginator: PaginatorConfig =
            serde_json::from_value(paginator.clone()).map_err(|e| format!("paginator: {e}"))?;
        builder = builder.paginator_config(paginator);
    }
    if let Some(selector) = case.data_selector {
        builder = builder.data_selector(selector);
    }
    if case.oauth {
        let auth: AuthConfig =
            serde_json::from_value(oauth_config(base_url)).map_err(|e| format!("auth: {e}"))?;
        builder = builder.auth_config(auth);
    }
    builder.build().map_err(|e| e.to_string())
}

/// `restclient demo`.
pub(crate) fn run(args: &DemoArgs) -> Result<(), Failure> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Failure::Runtime(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(async {
        let server = DemoServer::start()
            .await
            .map_err(|e| Failure::Runtime(format!("cannot start the demo API on 127.0.0.1: {e}")))?;
        let base_url = server.base_url();
        if args.serve {
            return serve(&server).await;
        }
        tour(&server, &base_url).await
    })
}

async fn tour(server: &DemoServer, base_url: &str) -> Result<(), Failure> {
    println!("restclient demo: an embedded API at {base_url} (in-process, no network)\n");
    println!(
        "{:<22} {:<26} {:>6} {:>8} {:>10}  check",
        "style", "endpoint", "pages", "records", "time"
    );
    let started = Instant::now();
    let (mut pages, mut records, mut failed) = (0, 0, Vec::new());
    for case in cases() {
        let outcome = paginate_case(base_url, &case).await;
        let check = match &outcome.error {
            Some(e) => format!("FAILED: {e}"),
            None if outcome.pages != case.pages || outcome.records != case.records => {
                format!("FAILED: expected {} pages, {} records", case.pages, case.records)
            }
            None => "ok".to_owned(),
        };
        println!(
            "{:<22} {:<26} {:>6} {:>8} {:>8.1}ms  {check}",
            case.style,
            case.path,
            outcome.pages,
            outcome.records,
            outcome.elapsed.as_secs_f64() * 1e3
        );
        pages += outcome.pages;
        records += outcome.records;
        if check != "ok" {
            failed.push(case.style);
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    if server.tokens_issued() == 0 {
        failed.push("oauth2 (no token was requested)");
    }
    println!(
        "\n{pages} pages, {records} records, {} requests in {:.1} ms ({:.0} records/s)",
        server.requests(),
        elapsed * 1e3,
        records as f64 / elapsed.max(1e-9)
    );
    if !failed.is_empty() {
        return Err(Failure::Runtime(format!(
            "demo: {} of the styles did not read what the API served: {}",
            failed.len(),
            failed.join(", ")
        )));
    }
    source::tour(base_url)
        .await
        .map_err(|e| Failure::Runtime(format!("demo: {e}")))?;
    println!("\nTry it yourself: `restclient demo --serve` keeps this API up, then for example");
    println!(
        "  restclient paginate {base_url}/offset/customers --paginator '{{\"type\":\"offset\",\"limit\":100,\"total_path\":\"total\"}}'"
    );
    Ok(())
}

async fn serve(server: &DemoServer) -> Result<(), Failure> {
    let base = server.base_url();
    println!("restclient demo API at {base} (Ctrl-C to stop). Try:");
    for case in cases() {
        let mut command = format!("  restclient paginate {base}{}", case.path);
        if let Some(paginator) = &case.paginator {
            command.push_str(&format!(" --paginator '{paginator}'"));
        }
        if let Some(selector) = case.data_selector {
            command.push_str(&format!(" --data-selector {selector}"));
        }
        if case.oauth {
            command.push_str(&format!(" --auth '{}'", oauth_config(&base)));
        }
        println!("{command}");
    }
    // Flush before waiting: stdout may be a pipe.
    use std::io::Write;
    let _ = std::io::stdout().flush();
    tokio::signal::ctrl_c()
        .await
        .map_err(|e| Failure::Runtime(format!("waiting for Ctrl-C: {e}")))
}
