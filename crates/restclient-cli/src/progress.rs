//! The progress line: pages, records and rate on stderr, only when stderr is a terminal.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Counts pages and records; draws a spinner line when enabled.
#[derive(Debug)]
pub(crate) struct Progress {
    bar: Option<ProgressBar>,
    started: Instant,
    pages: u64,
    records: u64,
}

impl Progress {
    /// A progress line if stderr is a terminal and neither `--quiet` nor request logs (which
    /// would interleave with it) are on; otherwise only counters.
    pub(crate) fn new(quiet: bool, logging: bool) -> Progress {
        let show = !quiet && !logging && std::io::stderr().is_terminal();
        let bar = show.then(|| {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            if let Ok(style) = ProgressStyle::with_template("{spinner} {msg}") {
                bar.set_style(style);
            }
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        Progress {
            bar,
            started: Instant::now(),
            pages: 0,
            records: 0,
        }
    }

    pub(crate) fn page(&mut self, records: usize) {
        self.pages += 1;
        self.records += records as u64;
        if let Some(bar) = &self.bar {
            bar.set_message(self.summary());
        }
    }

    pub(crate) fn pages(&self) -> u64 {
        self.pages
    }

    pub(crate) fn records(&self) -> u64 {
        self.records
    }

    fn summary(&self) -> String {
        let secs = self.started.elapsed().as_secs_f64();
        let rate = if secs > 0.0 {
            self.records as f64 / secs
        } else {
            0.0
        };
        format!(
            "{} pages, {} records, {:.0} records/s",
            self.pages, self.records, rate
        )
    }

    /// Leaves the final counts on the line (terminal only).
    pub(crate) fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_with_message(format!(
                "{} in {:.2}s",
                self.summary(),
                self.started.elapsed().as_secs_f64()
            ));
        }
    }

    /// Removes the line (before an error message).
    pub(crate) fn abandon(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
