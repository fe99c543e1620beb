//! Medians, ratios, targets and the markdown report.

use std::collections::HashMap;
use std::fmt::Write as _;

use super::client::{Client, Sample};
use super::raw::Mode;
use super::style::Style;
use super::{latency, rate_limit, source};

/// All runs of one client on one style and page size.
#[derive(Debug, Default, Clone)]
pub(crate) struct Cell {
    /// Successful repetitions.
    pub(crate) samples: Vec<Sample>,
    /// Why a run failed or was skipped (the last reason).
    pub(crate) error: Option<String>,
}

impl Cell {
    /// Median records/s, if any run succeeded.
    pub(crate) fn records_per_s(&self) -> Option<f64> {
        median(self.samples.iter().map(Sample::records_per_s).collect())
    }

    /// Median pages/s.
    pub(crate) fn pages_per_s(&self) -> Option<f64> {
        median(self.samples.iter().map(Sample::pages_per_s).collect())
    }

    /// Median records per CPU second.
    pub(crate) fn records_per_cpu_s(&self) -> Option<f64> {
        median(self.samples.iter().map(Sample::records_per_cpu_s).collect())
    }

    /// Highest peak RSS over the repetitions, in MiB.
    pub(crate) fn peak_rss_mib(&self) -> Option<f64> {
        self.samples
            .iter()
            .map(|s| s.maxrss_kib as f64 / 1024.0)
            .reduce(f64::max)
    }

    /// `min–max` of the records/s of the repetitions.
    pub(crate) fn spread(&self) -> String {
        let rates: Vec<f64> = self.samples.iter().map(Sample::records_per_s).collect();
        match (
            rates.iter().copied().reduce(f64::min),
            rates.iter().copied().reduce(f64::max),
        ) {
            (Some(lo), Some(hi)) if rates.len() > 1 => format!("{}–{}", rate(lo), rate(hi)),
            _ => "–".to_owned(),
        }
    }
}

/// The median (mean of the middle two for an even count).
pub(crate) fn median(mut values: Vec<f64>) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    Some(if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    })
}

/// `1,234,567`-style rate with no decimals, or `k`/`M` for readability.
pub(crate) fn rate(v: f64) -> String {
    if v >= 1e6 {
        format!("{:.2} M", v / 1e6)
    } else if v >= 1e4 {
        format!("{:.0} k", v / 1e3)
    } else if v >= 1e3 {
        format!("{:.1} k", v / 1e3)
    } else {
        format!("{v:.1}")
    }
}

fn opt(v: Option<f64>, f: impl Fn(f64) -> String) -> String {
    v.map_or_else(|| "–".to_owned(), f)
}

/// Everything one bench measured.
#[derive(Debug, Default)]
pub(crate) struct Results {
    /// Machine and toolchain lines.
    pub(crate) machine: Vec<String>,
    /// The command that produced the report.
    pub(crate) command: String,
    /// Repetitions per cell.
    pub(crate) reps: usize,
    /// Styles and page sizes of the matrix.
    pub(crate) styles: Vec<Style>,
    /// Page sizes of the matrix.
    pub(crate) sizes: Vec<usize>,
    /// Mean record size served.
    pub(crate) record_bytes: usize,
    /// Server check lines (wrk).
    pub(crate) server_check: Vec<String>,
    /// Records/s the server delivered to wrk, per page size.
    pub(crate) server_capacity: Vec<(usize, f64)>,
    /// 1-minute load average when the bench started.
    pub(crate) load_before: String,
    /// 1-minute load average when the runs ended.
    pub(crate) load_after: String,
    /// Columns that were skipped entirely, with the reason.
    pub(crate) skipped: Vec<(Client, String)>,
    /// Per style, page size, client.
    pub(crate) cells: HashMap<(Style, usize, Client), Cell>,
    /// The latency section.
    pub(crate) latency: Option<latency::Section>,
    /// The rate-limit section.
    pub(crate) rate_limit: Option<rate_limit::Section>,
    /// The source section.
    pub(crate) source: Option<source::Section>,
    /// Memory run: (records, cell).
    pub(crate) memory: Vec<(u64, Cell)>,
    /// Page size of the memory run.
    pub(crate) memory_page_size: usize,
    /// Extra notes.
    pub(crate) notes: Vec<String>,
}

impl Results {
    fn cell(&self, style: Style, size: usize, client: Client) -> Option<&Cell> {
        self.cells.get(&(style, size, client))
    }

    fn rate(&self, style: Style, size: usize, client: Client) -> Option<f64> {
        self.cell(style, size, client).and_then(Cell::records_per_s)
    }

    fn ratio(&self, style: Style, size: usize, other: Client) -> Option<f64> {
        Some(self.rate(style, size, Client::Restclient)? / self.rate(style, size, other)?)
    }

    /// Renders the report.
    pub(crate) fn markdown(&self) -> String {
        let mut md = String::new();
        self.write(&mut md);
        md
    }

    fn write(&self, md: &mut String) {
        let _ = writeln!(md, "# restclient benchmark\n");
        let _ = writeln!(md, "Command: `{}`  ", self.command);
        for line in &self.machine {
            let _ = writeln!(md, "{line}  ");
        }
        let _ = writeln!(
            md,
            "Load average (1 min): {} at the start, {} at the end of the runs  ",
            self.load_before, self.load_after
        );
        let _ = writeln!(
            md,
            "Records of {} bytes on average (id, name, email, two timestamps, a nested address, \
             a tag array), served by `xtask bench-server` (hyper 1, HTTP/1, one thread, \
             127.0.0.1, pages sliced from one pre-rendered buffer). Every client is a separate \
             process; peak RSS is its `ru_maxrss`. Medians of {} repetition(s).\n",
            self.record_bytes, self.reps
        );
        for (client, why) in &self.skipped {
            let _ = writeln!(md, "**{client} column skipped:** {why}\n");
        }
        self.write_server(md);
        if !self.cells.is_empty() {
            self.write_throughput(md);
            self.write_details(md);
        }
        if let Some(latency) = &self.latency {
            latency.write(md);
        }
        if let Some(rate_limit) = &self.rate_limit {
            rate_limit.write(md);
        }
        if let Some(source) = &self.source {
            source.write(md);
        }
        self.write_memory(md);
        self.write_targets(md);
        if !self.notes.is_empty() {
            let _ = writeln!(md, "## Notes\n");
            for note in &self.notes {
                let _ = writeln!(md, "- {note}");
            }
            md.push('\n');
        }
    }

    fn write_server(&self, md: &mut String) {
        let _ = writeln!(md, "## Server check\n");
        for line in &self.server_check {
            let _ = writeln!(md, "- {line}");
        }
        for &(size, served) in &self.server_capacity {
            let fastest = self
                .styles
                .iter()
                .flat_map(|&s| {
                    [Client::Restclient, Client::Raw(Mode::RawValue)].map(|c| self.rate(s, size, c))
                })
                .flatten()
                .reduce(f64::max);
            if let Some(fastest) = fastest {
                let server_us = 1e6 * size as f64 / served;
                let client_us = 1e6 * size as f64 / fastest;
                let verdict = if served >= 3.0 * fastest {
                    "it is not the bottleneck".to_owned()
                } else {
                    format!(
                        "**not negligible**: the server's {server_us:.0} µs per request (hyper's \
                         floor; no JSON work) is part of every sequential round trip of \
                         {client_us:.0} µs, which compresses the ratios between clients at this \
                         page size"
                    )
                };
                let _ = writeln!(
                    md,
                    "- page size {size}: the server delivers {:.1}× the records/s of the fastest \
                     restclient or `&RawValue` run ({}) — {verdict}",
                    served / fastest,
                    rate(fastest),
                );
            }
        }
        md.push('\n');
    }

    fn write_throughput(&self, md: &mut String) {
        let _ = writeln!(md, "## Throughput (records/s, median)\n");
        let cols: Vec<Client> = Client::ALL.to_vec();
        let mut head = "| style | page size |".to_owned();
        for c in &cols {
            let _ = write!(head, " {c} |");
        }
        head.push_str(" restclient / dlt | restclient / raw &RawValue | same, per CPU-s |");
        let _ = writeln!(md, "{head}");
        let _ = writeln!(md, "|---|--:|{}", "--:|".repeat(cols.len() + 3));
        for &size in &self.sizes {
            for &style in &self.styles {
                let mut row = format!("| {style} | {size} |");
                for &c in &cols {
                    let cell = self.cell(style, size, c);
                    let text = match cell {
                        Some(cell) if !cell.samples.is_empty() => opt(cell.records_per_s(), rate),
                        Some(cell) if cell.error.is_some() => "failed".to_owned(),
                        _ => "–".to_owned(),
                    };
                    let _ = write!(row, " {text} |");
                }
                let raw = Client::Raw(Mode::RawValue);
                let cpu_ratio = || {
                    let cpu = |c| self.cell(style, size, c).and_then(Cell::records_per_cpu_s);
                    Some(cpu(Client::Restclient)? / cpu(raw)?)
                };
                let _ = write!(
                    row,
                    " {} | {} | {} |",
                    opt(self.ratio(style, size, Client::Dlt), |r| format!("{r:.1}×")),
                    opt(self.ratio(style, size, raw), |r| format!("{r:.2}×")),
                    opt(cpu_ratio(), |r| format!("{r:.2}×"))
                );
                let _ = writeln!(md, "{row}");
            }
        }
        md.push('\n');
    }

    fn write_details(&self, md: &mut String) {
        let _ = writeln!(md, "## Per client: pages/s, CPU and peak RSS\n");
        let _ = writeln!(
            md,
            "| style | page size | client | records/run | records/s (median) | min–max | pages/s | \
             records per CPU-s | peak RSS MiB |"
        );
        let _ = writeln!(md, "|---|--:|---|--:|--:|--:|--:|--:|--:|");
        let mut errors = Vec::new();
        for &size in &self.sizes {
            for &style in &self.styles {
                for c in Client::ALL {
                    let Some(cell) = self.cell(style, size, c) else {
                        continue;
                    };
                    if let Some(err) = &cell.error {
                        errors.push(format!("{style}, page size {size}, {c}: {err}"));
                    }
                    if cell.samples.is_empty() {
                        continue;
                    }
                    let _ = writeln!(
                        md,
                        "| {style} | {size} | {c} | {} | {} | {} | {} | {} | {} |",
                        cell.samples[0].records,
                        opt(cell.records_per_s(), rate),
                        cell.spread(),
                        opt(cell.pages_per_s(), rate),
                        opt(cell.records_per_cpu_s(), rate),
                        opt(cell.peak_rss_mib(), |m| format!("{m:.1}")),
                    );
                }
            }
        }
        md.push('\n');
        if !errors.is_empty() {
            let _ = writeln!(md, "Failed runs:\n");
            for e in errors {
                let _ = writeln!(md, "- {e}");
            }
            md.push('\n');
        }
    }

    fn memory_verdict(&self) -> Option<(f64, f64, f64)> {
        let mut rss: Vec<(u64, f64)> = self
            .memory
            .iter()
            .filter_map(|(n, cell)| Some((*n, cell.peak_rss_mib()?)))
            .collect();
        rss.sort_by_key(|(n, _)| *n);
        let (first, last) = (rss.first()?, rss.last()?);
        if first.0 == last.0 {
            return None;
        }
        Some((first.1, last.1, last.0 as f64))
    }

    fn write_memory(&self, md: &mut String) {
        if self.memory.is_empty() {
            return;
        }
        let _ = writeln!(
            md,
            "## Memory run (restclient CLI, offset, page size {})\n",
            self.memory_page_size
        );
        let _ = writeln!(md, "| records | peak RSS MiB | records/s |");
        let _ = writeln!(md, "|--:|--:|--:|");
        for (n, cell) in &self.memory {
            let rss = match cell.peak_rss_mib() {
                Some(m) => format!("{m:.1}"),
                None => format!("– ({})", cell.error.as_deref().unwrap_or("not run")),
            };
            let _ = writeln!(md, "| {n} | {rss} | {} |", opt(cell.records_per_s(), rate));
        }
        md.push('\n');
    }

    fn write_targets(&self, md: &mut String) {
        let _ = writeln!(md, "## Targets\n");
        for &size in &self.sizes {
            let want = if size >= 1000 { 15.0 } else { 12.0 };
            self.target_line(md, size, Client::Dlt, want, "dlt's records/s");
        }
        for &size in &self.sizes {
            self.target_line(
                md,
                size,
                Client::Raw(Mode::RawValue),
                0.9,
                "the `&RawValue` loop's records/s",
            );
        }
        if let Some(latency) = &self.latency {
            latency.write_targets(md);
        }
        if let Some(rate_limit) = &self.rate_limit {
            rate_limit.write_targets(md);
        }
        if let Some(source) = &self.source {
            source.write_targets(md);
        }
        if self.memory.is_empty() {
            md.push('\n');
            return;
        }
        let line = match self.memory_verdict() {
            Some((small, big, n)) => {
                let flat = big <= small * 1.1 + 1.0;
                let met = big < 30.0 && flat;
                format!(
                    "{}: CLI peak RSS under 30 MiB for {n:.0} records and not growing with the \
                     record count — {big:.1} MiB (vs {small:.1} MiB for the smaller run{})",
                    verdict(met),
                    if flat { "" } else { "; it grows" }
                )
            }
            None => "not measured: CLI peak RSS under 30 MiB for a million records".to_owned(),
        };
        let _ = writeln!(md, "- {line}");
        md.push('\n');
    }

    fn target_line(&self, md: &mut String, size: usize, other: Client, want: f64, what: &str) {
        let ratios: Vec<(Style, Option<f64>)> = self
            .styles
            .iter()
            .map(|&s| (s, self.ratio(s, size, other)))
            .collect();
        let measured: Vec<(Style, f64)> = ratios.iter().filter_map(|(s, r)| Some((*s, (*r)?))).collect();
        let line = if measured.is_empty() {
            format!("not measured: restclient ≥ {want}× {what} at page size {size}")
        } else {
            let worst = measured
                .iter()
                .copied()
                .reduce(|a, b| if b.1 < a.1 { b } else { a });
            let all = measured.len() == ratios.len();
            let met = measured.iter().all(|(_, r)| *r >= want);
            let list = measured
                .iter()
                .map(|(s, r)| format!("{s} {r:.2}×"))
                .collect::<Vec<_>>()
                .join(", ");
            let status = if met && all {
                verdict(true).to_owned()
            } else if met {
                "met where measured".to_owned()
            } else {
                verdict(false).to_owned()
            };
            format!(
                "{status}: restclient ≥ {want}× {what} at page size {size} — worst {} ({list})",
                worst.map_or_else(String::new, |(s, r)| format!("{r:.2}× ({s})"))
            )
        };
        let _ = writeln!(md, "- {line}");
    }
}

/// `**met**` or `**NOT met**`.
pub(crate) fn verdict(met: bool) -> &'static str {
    if met { "**met**" } else { "**NOT met**" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even() {
        assert_eq!(median(vec![3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(vec![4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(median(vec![]), None);
    }

    #[test]
    fn targets_are_judged_per_style() {
        let mut r = Results {
            styles: vec![Style::Offset, Style::Cursor],
            sizes: vec![100],
            ..Results::default()
        };
        let s = |rate: f64| Sample {
            records: rate as u64,
            pages: 1,
            seconds: 1.0,
            maxrss_kib: 1024,
            cpu_s: 1.0,
        };
        for (style, rc) in [(Style::Offset, 1300.0), (Style::Cursor, 1100.0)] {
            for (client, v) in [
                (Client::Restclient, rc),
                (Client::Dlt, 100.0),
                (Client::Raw(Mode::RawValue), 1200.0),
            ] {
                r.cells.insert(
                    (style, 100, client),
                    Cell {
                        samples: vec![s(v)],
                        error: None,
                    },
                );
            }
        }
        let md = r.markdown();
        assert!(
            md.contains(
                "**NOT met**: restclient ≥ 12× dlt's records/s at page size 100 — worst 11.00× (cursor)"
            ),
            "{md}"
        );
        assert!(
            md.contains("**met**: restclient ≥ 0.9× the `&RawValue` loop's"),
            "{md}"
        );
    }
}
