//! The clients a bench compares, and how each one is started and read.

use std::fmt;
use std::path::PathBuf;

use serde_json::Value;

use super::dlt::DltEnv;
use super::exec::Measured;
use super::raw::Mode;
use super::style::Style;

/// One column of the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Client {
    /// The `restclient` CLI, NDJSON to /dev/null.
    Restclient,
    /// dlt's Python `RESTClient.paginate`.
    Dlt,
    /// A raw loop of `xtask bench-raw`.
    Raw(Mode),
}

impl Client {
    /// Report order.
    pub(crate) const ALL: [Client; 5] = [
        Client::Restclient,
        Client::Dlt,
        Client::Raw(Mode::RawValue),
        Client::Raw(Mode::Value),
        Client::Raw(Mode::Bytes),
    ];

    /// Column title.
    pub(crate) fn title(self) -> &'static str {
        match self {
            Client::Restclient => "restclient",
            Client::Dlt => "dlt 1.31",
            Client::Raw(Mode::RawValue) => "raw &RawValue",
            Client::Raw(Mode::Value) => "raw Value",
            Client::Raw(Mode::Bytes) => "raw bytes",
            Client::Raw(Mode::InFlight) => "raw &RawValue, 16 in flight",
        }
    }

    /// Records one run of this client reads at `page_size`, before `--scale`. Sized so that each
    /// run takes about a second or two: dlt is one to two orders of magnitude slower.
    pub(crate) fn base_records(self, page_size: usize) -> u64 {
        let (small, medium, large) = match self {
            Client::Restclient | Client::Raw(Mode::RawValue | Mode::InFlight) => {
                (100_000, 500_000, 1_000_000)
            }
            Client::Raw(Mode::Bytes) => (200_000, 2_000_000, 4_000_000),
            Client::Raw(Mode::Value) => (50_000, 200_000, 300_000),
            Client::Dlt => (10_000, 50_000, 60_000),
        };
        match page_size {
            0..=30 => small,
            31..=300 => medium,
            _ => large,
        }
    }
}

impl fmt::Display for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.title())
    }
}

/// Where the programs are.
#[derive(Debug, Clone)]
pub(crate) struct Programs {
    /// `target/release/restclient`, if it built.
    pub(crate) restclient: Option<PathBuf>,
    /// `target/release/xtask` (server, raw loops, measuring wrapper).
    pub(crate) xtask: PathBuf,
    /// The dlt venv, if it could be made.
    pub(crate) dlt: Option<DltEnv>,
}

impl Programs {
    /// The command line of one client run (`None` if the client is unavailable).
    pub(crate) fn argv(
        &self,
        client: Client,
        style: Style,
        url: &str,
        page_size: usize,
        output: &str,
    ) -> Option<Vec<String>> {
        let paginator = style.paginator_json(page_size);
        match client {
            Client::Restclient => {
                let exe = self.restclient.as_ref()?.display().to_string();
                Some(vec![
                    exe,
                    "paginate".into(),
                    url.into(),
                    "--paginator".into(),
                    paginator,
                    "--data-selector".into(),
                    style.data_selector().into(),
                    "--quiet".into(),
                    "--output".into(),
                    output.into(),
                ])
            }
            Client::Dlt => Some(self.dlt.as_ref()?.argv(url, &paginator, style.data_selector())),
            Client::Raw(mode) => Some(vec![
                self.xtask.display().to_string(),
                "bench-raw".into(),
                "--mode".into(),
                mode.name().into(),
                "--style".into(),
                style.name().into(),
                "--page-size".into(),
                page_size.to_string(),
                url.into(),
            ]),
        }
    }
}

/// One measured run, reduced to what the report needs.
#[derive(Debug, Clone)]
pub(crate) struct Sample {
    /// Records read.
    pub(crate) records: u64,
    /// Pages read.
    pub(crate) pages: u64,
    /// Seconds of pagination.
    pub(crate) seconds: f64,
    /// Peak RSS in KiB.
    pub(crate) maxrss_kib: i64,
    /// CPU seconds (user + system) the client spent.
    pub(crate) cpu_s: f64,
}

impl Sample {
    /// Records per second.
    pub(crate) fn records_per_s(&self) -> f64 {
        self.records as f64 / self.seconds
    }

    /// Pages per second.
    pub(crate) fn pages_per_s(&self) -> f64 {
        self.pages as f64 / self.seconds
    }

    /// Records per CPU second: less sensitive than the wall-clock rate to other load on the machine.
    pub(crate) fn records_per_cpu_s(&self) -> f64 {
        self.records as f64 / self.cpu_s
    }
}

/// Turns the wrapper's report into a [`Sample`], checking the client read every record.
///
/// The Rust clients are timed (wall and CPU) from spawn to exit by the wrapper, process start
/// included; dlt times its own pagination loop, so Python's start-up and the ~1 s import of dlt are
/// *not* counted against it.
pub(crate) fn sample(
    client: Client,
    expected: u64,
    page_size: usize,
    m: &Measured,
) -> Result<Sample, String> {
    m.succeeded()?;
    let pages_expected = expected.div_ceil(page_size as u64);
    let own: Option<Value> = m.stdout.lines().rev().find_map(|l| serde_json::from_str(l).ok());
    let field = |name: &str| own.as_ref().and_then(|v| v.get(name)).and_then(Value::as_f64);
    let (records, pages, seconds, cpu_s) = match client {
        Client::Restclient => (expected, pages_expected, m.wall_s, m.cpu_s),
        Client::Raw(Mode::Bytes) => (
            expected,
            field("pages").map_or(pages_expected, |p| p as u64),
            m.wall_s,
            m.cpu_s,
        ),
        Client::Raw(_) => (
            field("records").ok_or("no counts on stdout")? as u64,
            field("pages").ok_or("no counts on stdout")? as u64,
            m.wall_s,
            m.cpu_s,
        ),
        Client::Dlt => (
            field("records").ok_or("no counts on stdout")? as u64,
            field("pages").ok_or("no counts on stdout")? as u64,
            field("seconds").ok_or("no time on stdout")?,
            field("cpu_seconds").ok_or("no CPU time on stdout")?,
        ),
    };
    if records != expected {
        return Err(format!("read {records} records, expected {expected}"));
    }
    Ok(Sample {
        records,
        pages,
        seconds: seconds.max(1e-9),
        maxrss_kib: m.maxrss_kib,
        cpu_s: cpu_s.max(1e-6),
    })
}
