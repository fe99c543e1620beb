//! The command line, exactly as `cli-contract.md` states it (clap derive).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// restclient: paginate REST APIs from the shell, dlt-compatible, fast, constant memory.
#[derive(Debug, Parser)]
#[command(name = "restclient", version, about, long_about = None)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Fetch all pages; one JSON record per line (NDJSON) on stdout.
    Paginate(PaginateArgs),
    /// One request; the response body on stdout (a 4xx/5xx fails, as with curl --fail).
    Get(GetArgs),
    /// Start an embedded demo API on 127.0.0.1, paginate every style, print a summary.
    Demo(DemoArgs),
}

/// Options shared by `paginate` and `get`: request, auth, transport, output.
#[derive(Debug, Args)]
pub(crate) struct RequestArgs {
    /// Absolute URL, or a path joined to --base-url.
    #[arg(value_name = "URL")]
    pub(crate) url: Option<String>,

    /// Base URL that a relative URL is joined to.
    #[arg(long, value_name = "URL")]
    pub(crate) base_url: Option<String>,

    /// Query parameter, repeatable (order kept).
    #[arg(long = "param", value_name = "KEY=VALUE")]
    pub(crate) params: Vec<String>,

    /// Request header, repeatable.
    #[arg(long = "header", value_name = "Name: value")]
    pub(crate) headers: Vec<String>,

    /// Auth as dlt's dict: {"type":"bearer","token":..} | api_key | http_basic | oauth2_client_credentials.
    #[arg(long, value_name = "JSON")]
    pub(crate) auth: Option<String>,

    /// HTTP method: GET or POST.
    #[arg(long, value_name = "GET|POST", default_value = "GET")]
    pub(crate) method: String,

    /// JSON request body.
    #[arg(long, value_name = "BODY")]
    pub(crate) json: Option<String>,

    /// Attempts in total, the first included.
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub(crate) max_attempts: u32,

    /// Exponential backoff multiplier (seconds).
    #[arg(long, value_name = "F", default_value_t = 1.0)]
    pub(crate) backoff_factor: f64,

    /// Cap on any single retry wait, Retry-After included (seconds).
    #[arg(long, value_name = "S", default_value_t = 300.0)]
    pub(crate) max_retry_delay: f64,

    /// Connect and read timeout (seconds).
    #[arg(long, value_name = "S", default_value_t = 60.0)]
    pub(crate) timeout: f64,

    /// Write to FILE instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,

    /// Start at most R requests per second, retries included, across everything in flight.
    #[arg(long, value_name = "R", allow_negative_numbers = true)]
    pub(crate) max_rps: Option<f64>,

    /// No progress line on stderr.
    #[arg(long, short = 'q')]
    pub(crate) quiet: bool,
}

/// `restclient paginate URL [options]`.
#[derive(Debug, Args)]
pub(crate) struct PaginateArgs {
    #[command(flatten)]
    pub(crate) request: RequestArgs,

    /// dlt's declarative paginator dict, or a bare type name; absent: auto-detect as dlt does.
    #[arg(long, value_name = "JSON")]
    pub(crate) paginator: Option<String>,

    /// JSONPath to the records; absent: auto-detect as dlt does.
    #[arg(long, value_name = "PATH")]
    pub(crate) data_selector: Option<String>,

    /// One JSON array per page per line instead of one record per line.
    #[arg(long)]
    pub(crate) pages: bool,

    /// Up to N requests in flight; the output is identical to N=1.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub(crate) concurrency: usize,

    /// Stop after N pages (exit 0).
    #[arg(long, value_name = "N")]
    pub(crate) max_pages: Option<usize>,

    /// Resumable run: FILE holds where to continue after the last page written (needs --output).
    #[arg(long, value_name = "FILE")]
    pub(crate) checkpoint: Option<PathBuf>,
}

/// `restclient get URL [options]`.
#[derive(Debug, Args)]
pub(crate) struct GetArgs {
    #[command(flatten)]
    pub(crate) request: RequestArgs,
}

/// `restclient demo`.
#[derive(Debug, Args)]
pub(crate) struct DemoArgs {
    /// Keep the demo API running (until Ctrl-C) and print commands to try against it.
    #[arg(long)]
    pub(crate) serve: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn clap_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn defaults_match_the_contract() {
        let cli = Cli::try_parse_from(["restclient", "paginate", "http://h/x"]).unwrap();
        let Command::Paginate(p) = cli.command else {
            panic!("paginate")
        };
        let r = p.request;
        assert_eq!(r.max_attempts, 5);
        assert_eq!(r.backoff_factor, 1.0);
        assert_eq!(r.max_retry_delay, 300.0);
        assert_eq!(r.timeout, 60.0);
        assert_eq!(r.method, "GET");
        assert!(r.output.is_none() && !r.quiet && !p.pages);
        assert_eq!(p.concurrency, 1);
        assert!(p.max_pages.is_none() && p.checkpoint.is_none() && r.max_rps.is_none());
    }

    #[test]
    fn repeatable_options_keep_order() {
        let cli = Cli::try_parse_from([
            "restclient",
            "get",
            "/x",
            "--param",
            "a=1",
            "--param",
            "b=2",
            "--header",
            "X-A: 1",
            "--header",
            "X-B: 2",
        ])
        .unwrap();
        let Command::Get(g) = cli.command else {
            panic!("get")
        };
        assert_eq!(g.request.params, ["a=1", "b=2"]);
        assert_eq!(g.request.headers, ["X-A: 1", "X-B: 2"]);
    }
}
