//! What a run tells: live per-resource counters while it runs ([`Progress`]) and a summary at
//! the end ([`RunSummary`]).

use std::fmt;
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// Why a resource did not finish.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ResourceFailure {
    /// One line, secrets redacted.
    pub message: String,
    /// The HTTP status, when a response caused it.
    pub status: Option<u16>,
    /// The URL concerned, secrets redacted.
    pub url: Option<String>,
    /// The client's error, when the failure is one (tagged with the resource name), for its
    /// predicates (`is_timeout()`, ...).
    pub error: Option<Arc<restclient::Error>>,
}

impl ResourceFailure {
    pub(crate) fn from_error(error: restclient::Error, resource: &str) -> ResourceFailure {
        ResourceFailure {
            message: error.to_string(),
            status: error.status().map(|s| s.as_u16()),
            url: error.url().map(str::to_owned),
            error: Some(Arc::new(error.with_resource(resource))),
        }
    }

    pub(crate) fn message(message: impl Into<String>) -> ResourceFailure {
        ResourceFailure {
            message: restclient::core::redact::redact_text(&message.into()).into_owned(),
            status: None,
            url: None,
            error: None,
        }
    }
}

impl fmt::Display for ResourceFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(url) = &self.url
            && !self.message.contains(url.as_str())
        {
            write!(f, " (url: {url})")?;
        }
        Ok(())
    }
}

/// One resource at the end of a run.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ResourceSummary {
    /// The resource.
    pub name: String,
    /// Whether its records were written (selected); a parent run only for its children is not.
    pub written: bool,
    /// Pages received (for a child, over all its request chains).
    pub pages: u64,
    /// Records kept (after incremental filtering).
    pub records: u64,
    /// `None` when it finished.
    pub failure: Option<ResourceFailure>,
}

/// The result of a run: one entry per resource that ran, in config order.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct RunSummary {
    /// Per resource.
    pub resources: Vec<ResourceSummary>,
}

impl RunSummary {
    /// One line per failed resource for stderr, e.g.
    /// `resource posts failed: HTTP 500 Internal Server Error (url: http://…/users/7/posts)`.
    pub fn failure_lines(&self) -> Vec<String> {
        self.failures()
            .filter_map(|r| {
                r.failure
                    .as_ref()
                    .map(|f| format!("resource {} failed: {f}", r.name))
            })
            .collect()
    }

    /// Whether every resource finished.
    pub fn is_success(&self) -> bool {
        self.resources.iter().all(|r| r.failure.is_none())
    }

    /// The resources that failed.
    pub fn failures(&self) -> impl Iterator<Item = &ResourceSummary> {
        self.resources.iter().filter(|r| r.failure.is_some())
    }

    /// The summary of `name`.
    pub fn get(&self, name: &str) -> Option<&ResourceSummary> {
        self.resources.iter().find(|r| r.name == name)
    }
}

/// Where a resource is in a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResourceStatus {
    /// Not started (a child waits for its parent's first record).
    Waiting,
    /// Requesting pages.
    Running,
    /// Finished.
    Done,
    /// Failed.
    Failed,
}

/// Live counters of every resource of a run, for a progress display. Create one, pass it in
/// [`RunOptions::progress`](crate::RunOptions::progress), and read [`snapshot`](Self::snapshot)
/// on a timer.
#[derive(Debug, Default)]
pub struct Progress {
    resources: Mutex<Vec<Arc<Counters>>>,
}

/// One resource's counters at one instant.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ResourceProgress {
    /// The resource.
    pub name: String,
    /// Pages received so far.
    pub pages: u64,
    /// Records kept so far.
    pub records: u64,
    /// Its status.
    pub status: ResourceStatus,
    /// Time since its first request (zero before it).
    pub elapsed: Duration,
}

#[derive(Debug)]
pub(crate) struct Counters {
    name: String,
    pages: AtomicU64,
    records: AtomicU64,
    status: AtomicU8,
    started: OnceLock<Instant>,
    ended: OnceLock<Instant>,
}

impl Counters {
    pub(crate) fn page(&self) {
        let _ = self.started.get_or_init(Instant::now);
        self.status.store(1, Ordering::Relaxed);
        self.pages.fetch_add(1, Ordering::Relaxed);
    }

    /// Starts from what an interrupted run had counted.
    pub(crate) fn preset(&self, pages: u64, records: u64) {
        self.pages.store(pages, Ordering::Relaxed);
        self.records.store(records, Ordering::Relaxed);
    }

    pub(crate) fn records(&self, n: usize) {
        self.records.fetch_add(n as u64, Ordering::Relaxed);
    }

    pub(crate) fn end(&self, failed: bool) {
        let _ = self.ended.get_or_init(Instant::now);
        self.status.store(if failed { 3 } else { 2 }, Ordering::Relaxed);
    }

    pub(crate) fn totals(&self) -> (u64, u64) {
        (
            self.pages.load(Ordering::Relaxed),
            self.records.load(Ordering::Relaxed),
        )
    }
}

impl Progress {
    /// An empty progress; a run fills it.
    pub fn new() -> Progress {
        Progress::default()
    }

    pub(crate) fn register(&self, name: &str) -> Arc<Counters> {
        let counters = Arc::new(Counters {
            name: name.to_owned(),
            pages: AtomicU64::new(0),
            records: AtomicU64::new(0),
            status: AtomicU8::new(0),
            started: OnceLock::new(),
            ended: OnceLock::new(),
        });
        self.resources
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(counters.clone());
        counters
    }

    /// Lines for a terminal: one per running resource with its pages, records and record rate
    /// (`posts: 311 pages, 4410 records, 1520 rec/s`), then one counting the others
    /// (`2 done, 1 failed, 1 waiting`) when there are any.
    pub fn status_lines(&self) -> Vec<String> {
        let mut lines = Vec::new();
        let (mut done, mut failed, mut waiting) = (0, 0, 0);
        for r in self.snapshot() {
            match r.status {
                ResourceStatus::Running => {
                    let secs = r.elapsed.as_secs_f64();
                    let rate = if secs > 0.0 { r.records as f64 / secs } else { 0.0 };
                    lines.push(format!(
                        "{}: {} pages, {} records, {rate:.0} rec/s",
                        r.name, r.pages, r.records
                    ));
                }
                ResourceStatus::Done => done += 1,
                ResourceStatus::Failed => failed += 1,
                ResourceStatus::Waiting => waiting += 1,
            }
        }
        let others: Vec<String> = [(done, "done"), (failed, "failed"), (waiting, "waiting")]
            .iter()
            .filter(|(n, _)| *n > 0)
            .map(|(n, what)| format!("{n} {what}"))
            .collect();
        if !others.is_empty() {
            lines.push(others.join(", "));
        }
        lines
    }

    /// Every resource's counters now.
    pub fn snapshot(&self) -> Vec<ResourceProgress> {
        let resources = self.resources.lock().unwrap_or_else(|e| e.into_inner());
        resources
            .iter()
            .map(|c| ResourceProgress {
                name: c.name.clone(),
                pages: c.pages.load(Ordering::Relaxed),
                records: c.records.load(Ordering::Relaxed),
                status: match c.status.load(Ordering::Relaxed) {
                    0 => ResourceStatus::Waiting,
                    1 => ResourceStatus::Running,
                    2 => ResourceStatus::Done,
                    _ => ResourceStatus::Failed,
                },
                elapsed: match (c.started.get(), c.ended.get()) {
                    (Some(s), Some(e)) => e.duration_since(*s),
                    (Some(s), None) => s.elapsed(),
                    _ => Duration::ZERO,
                },
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_lines_show_running_resources_and_count_the_rest() {
        let progress = Progress::new();
        let posts = progress.register("posts");
        let users = progress.register("users");
        let _tags = progress.register("tags");
        assert_eq!(progress.status_lines(), ["3 waiting"]);
        posts.page();
        posts.records(5);
        users.page();
        users.end(false);
        let lines = progress.status_lines();
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert!(
            lines[0].starts_with("posts: 1 pages, 5 records, "),
            "{}",
            lines[0]
        );
        assert!(lines[0].ends_with(" rec/s"), "{}", lines[0]);
        assert_eq!(lines[1], "1 done, 1 waiting");
    }
}
