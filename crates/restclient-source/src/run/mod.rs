//! Running a source: [`Source`], [`RunOptions`], and the stream form [`SourceStream`].

mod checkpoint;
mod driver;
mod output;
mod replay;
mod report;
mod request;

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures_core::Stream;
use restclient::{RawRecord, RestClient, RestClientBuilder};
use tokio::sync::{Semaphore, mpsc};

pub use report::{Progress, ResourceFailure, ResourceProgress, ResourceStatus, ResourceSummary, RunSummary};

use crate::SourceError;
use crate::config::{RestApiConfig, RuntimeConfig};
use crate::incremental::IncrementalFilter;
use crate::plan::Plan;
use crate::state::{RunProgress, RunState, State};
use checkpoint::StateWriter;
use driver::{Driver, FEED_BUFFER, Feed, Resume, Shared};
use output::Sink;

/// The default cap on requests in flight.
pub const DEFAULT_CONCURRENCY: usize = 8;

/// How to run a source. Build it with struct update syntax:
/// `RunOptions { concurrency: 16, ..RunOptions::new("out") }`.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Where `<resource>.ndjson` files go (default `restclient-out`); created if missing.
    pub output_dir: PathBuf,
    /// Only these resources (and the parents they need, which are then run but not written);
    /// empty: every selected resource.
    pub resources: Vec<String>,
    /// The state file: incremental values are read from it and saved to it; with
    /// [`Source::run`] it also holds the progress of an unfinished run, which the next run with
    /// the same file continues (see the crate docs, *Kill and resume*).
    pub state_file: Option<PathBuf>,
    /// Requests in flight across the whole run (default 8, at least 1).
    pub concurrency: usize,
    /// Start at most this many requests per second across the run, retries included (over the
    /// client section's `max_rps`).
    pub max_rps: Option<f64>,
    /// Attempts per request, the first included (the command line's `--max-attempts`): wins over
    /// the client section, `RUNTIME__*` variables and `.dlt/config.toml`.
    pub max_attempts: Option<u32>,
    /// The backoff multiplier (`--backoff-factor`), winning as `max_attempts` does.
    pub backoff_factor: Option<f64>,
    /// The cap on one retry wait in seconds (`--max-retry-delay`), winning as `max_attempts` does.
    pub max_retry_delay: Option<f64>,
    /// Connect and read timeout in seconds (`--timeout`), winning as `max_attempts` does.
    pub timeout: Option<f64>,
    /// For front ends: whether to show progress. The library itself prints nothing.
    pub quiet: bool,
    /// Live counters to display while the run goes on.
    pub progress: Option<Arc<Progress>>,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            output_dir: PathBuf::from("restclient-out"),
            resources: Vec::new(),
            state_file: None,
            concurrency: DEFAULT_CONCURRENCY,
            max_rps: None,
            max_attempts: None,
            backoff_factor: None,
            max_retry_delay: None,
            timeout: None,
            quiet: false,
            progress: None,
        }
    }
}

impl RunOptions {
    /// Options writing to `dir`, the rest default.
    pub fn new(output_dir: impl Into<PathBuf>) -> RunOptions {
        RunOptions {
            output_dir: output_dir.into(),
            ..RunOptions::default()
        }
    }
}

/// An item of [`Source::stream`].
#[derive(Debug)]
#[non_exhaustive]
pub enum SourceEvent {
    /// Records of one resource, in its output order (one page's worth, after filtering).
    Records {
        /// The resource.
        resource: Arc<str>,
        /// Its records, raw.
        records: Vec<RawRecord>,
    },
    /// The run is over (the state is saved); the last item.
    Finished(RunSummary),
}

/// A checked `rest_api` source, ready to run any number of times.
///
/// ```no_run
/// # async fn run() -> Result<(), restclient_source::SourceError> {
/// use restclient_source::{RunOptions, Source};
/// let source = Source::from_path("github.yaml")?;
/// let summary = source.run(&RunOptions::new("out")).await?;
/// for failed in summary.failures() {
///     eprintln!("{}: {}", failed.name, failed.failure.as_ref().map(|f| f.to_string()).unwrap_or_default());
/// }
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Source {
    plan: Arc<Plan>,
    runtime: RuntimeConfig,
}

impl std::fmt::Debug for Source {
    /// Resource names and settings only: the plan holds credentials.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Source")
            .field("resources", &self.resource_names())
            .field("runtime", &self.runtime)
            .finish_non_exhaustive()
    }
}

enum Mode {
    Files(PathBuf),
    Channel(mpsc::Sender<Result<SourceEvent, SourceError>>),
}

/// What `restclient run CONFIG` does: reads the config file (JSON, YAML or TOML; `${NAME}` from
/// the environment) and `.dlt/config.toml`'s `[runtime]`, checks it, and runs it with `options`.
///
/// # Errors
/// A bad config (naming the resource and key) or what stops a whole run (see [`Source::run`]);
/// a resource that fails is in the summary instead.
pub async fn run_config(config: impl AsRef<Path>, options: &RunOptions) -> Result<RunSummary, SourceError> {
    Source::from_path(config)?.run(options).await
}

impl Source {
    /// Reads, expands and checks a config file, with `[runtime]` settings from `.dlt/config.toml`
    /// in the working directory (when there is one).
    ///
    /// # Errors
    /// Any problem with the file or the config, before any request.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Source, SourceError> {
        let runtime = RuntimeConfig::from_dlt_dir(Path::new(".dlt"))?;
        Ok(Source::from_config(RestApiConfig::from_path(path)?)?.with_runtime(runtime))
    }

    /// Checks a config: merges every resource with the defaults, compiles paths, params,
    /// paginators, selectors, auth and incremental settings, links parents and children, and
    /// builds the client once to check it.
    ///
    /// # Errors
    /// The first problem found, naming the resource and key.
    pub fn from_config(config: RestApiConfig) -> Result<Source, SourceError> {
        let source = Source {
            plan: Arc::new(Plan::build(&config)?),
            runtime: RuntimeConfig::default(),
        };
        source.client(&RunOptions::default())?;
        Ok(source)
    }

    /// Uses these retry and timeout settings (dlt's `[runtime]`).
    #[must_use]
    pub fn with_runtime(mut self, runtime: RuntimeConfig) -> Source {
        self.runtime = runtime;
        self
    }

    /// The resource names, in config order.
    pub fn resource_names(&self) -> Vec<&str> {
        self.plan.resources.iter().map(|r| r.name.as_str()).collect()
    }

    /// A resource's loader keys (`primary_key`, `write_disposition`, `columns`, ...) after the
    /// merge with `resource_defaults`, as the config gave them.
    pub fn hints(&self, resource: &str) -> Option<&serde_json::Map<String, serde_json::Value>> {
        self.plan.get(resource).map(|r| &r.hints)
    }

    /// The parent of a resource, if it is a child.
    pub fn parent(&self, resource: &str) -> Option<&str> {
        self.plan.get(resource).and_then(|r| r.parent.as_deref())
    }

    /// The builder of the run's client: the `client` section and the `[runtime]` settings.
    fn client(&self, options: &RunOptions) -> Result<RestClient, SourceError> {
        let mut config = self.plan.client.clone();
        self.runtime.apply(&mut config);
        if let Some(rps) = options.max_rps {
            config.max_rps = Some(rps);
        }
        config.max_attempts = options.max_attempts.or(config.max_attempts);
        config.backoff_factor = options.backoff_factor.or(config.backoff_factor);
        config.max_retry_delay = options.max_retry_delay.or(config.max_retry_delay);
        config.timeout = options.timeout.or(config.timeout);
        config.max_in_flight = Some(options.concurrency.max(1));
        RestClientBuilder::from_config(config)
            .build()
            .map_err(SourceError::Client)
    }

    /// Runs every selected resource (see [`RunOptions`]), writing `DIR/<resource>.ndjson`.
    ///
    /// A resource that fails does not stop the others (its children fail with it); the summary
    /// says which failed and why. The state file is updated for the resources that finished.
    ///
    /// # Errors
    /// Only what stops the whole run: an unknown resource in the filter, an unreadable state
    /// file, an output folder that cannot be created.
    pub async fn run(&self, options: &RunOptions) -> Result<RunSummary, SourceError> {
        std::fs::create_dir_all(&options.output_dir).map_err(|source| SourceError::Output {
            path: options.output_dir.clone(),
            source,
        })?;
        self.execute(options, Mode::Files(options.output_dir.clone()))
            .await
    }

    /// Runs like [`run`](Self::run), delivering the records as a stream instead of files:
    /// [`SourceEvent::Records`] in each resource's order (resources interleave), then
    /// [`SourceEvent::Finished`]. Must be called inside a tokio runtime; the run stops early if
    /// the stream is dropped.
    pub fn stream(&self, options: RunOptions) -> SourceStream {
        let (tx, rx) = mpsc::channel(16);
        let source = self.clone();
        let task = tokio::spawn(async move {
            let result = source.execute(&options, Mode::Channel(tx.clone())).await;
            let _ = tx.send(result.map(SourceEvent::Finished)).await;
        });
        SourceStream { rx, task }
    }

    async fn execute(&self, options: &RunOptions, mode: Mode) -> Result<RunSummary, SourceError> {
        let plan = &self.plan;
        // which resources run, and which are written
        let mut written: BTreeSet<&str> = BTreeSet::new();
        if options.resources.is_empty() {
            written.extend(
                plan.resources
                    .iter()
                    .filter(|r| r.selected)
                    .map(|r| r.name.as_str()),
            );
        } else {
            for name in &options.resources {
                let Some(r) = plan.get(name) else {
                    return Err(SourceError::invalid(
                        Some(name),
                        "resources",
                        format!("no such resource; the config has {:?}", self.resource_names()),
                    ));
                };
                written.insert(r.name.as_str());
            }
        }
        let mut running: BTreeSet<&str> = BTreeSet::new();
        for name in &written {
            // Each step goes to a parent; the plan has no cycles, so this ends.
            let mut current = plan.get(name);
            while let Some(r) = current {
                if !running.insert(r.name.as_str()) {
                    break;
                }
                current = r.parent.as_deref().and_then(|p| plan.get(p));
            }
        }

        let mut state = match &options.state_file {
            Some(path) => {
                let _io = checkpoint::STATE_IO.lock().await;
                State::load(path)?
            }
            None => State::default(),
        };
        // With files and a state file, the run keeps its progress in the state (`run`).
        let tracked = match (&mode, &options.state_file) {
            (Mode::Files(_), Some(path)) => Some(path.clone()),
            _ => None,
        };
        let selection: Vec<String> = written.iter().map(|s| (*s).to_owned()).collect();
        let previous = match &tracked {
            Some(path) => match state.run.take() {
                Some(run) if run.selection != selection => {
                    return Err(SourceError::State {
                        path: path.clone(),
                        message: format!(
                            "it holds an unfinished run writing {:?}; run again with those resources to \
                             finish it, or remove its `run` entry to start over",
                            run.selection
                        ),
                    });
                }
                run => run,
            },
            None => None,
        };
        let progress_of = |name: &str| -> Option<&RunProgress> {
            previous.as_ref().and_then(|run| run.resources.get(name))
        };
        // A resumed run runs what is not done, and the parents feeding it.
        let mut needed: BTreeSet<&str> = BTreeSet::new();
        for name in &running {
            if progress_of(name).is_some_and(|p| p.done) {
                continue;
            }
            let mut current = plan.get(name);
            while let Some(r) = current {
                if !needed.insert(r.name.as_str()) {
                    break;
                }
                current = r.parent.as_deref().and_then(|p| plan.get(p));
            }
        }

        let shared = Arc::new(Shared {
            client: self.client(options)?,
            permits: Semaphore::new(options.concurrency.max(1)),
            fetch_ahead: options.concurrency.max(1),
            window: options.concurrency.max(1) * 2,
        });
        let progress = options.progress.clone().unwrap_or_default();
        let families = replay::families(plan, &needed);
        let mut writer = tracked.as_ref().map(|path| {
            let mut run_state = state.clone();
            run_state.run = Some(RunState {
                selection: selection.clone(),
                resources: previous.as_ref().map(|r| r.resources.clone()).unwrap_or_default(),
            });
            StateWriter::new(path.clone(), run_state, families.clone())
        });

        // feeds from parents to children
        let mut feeds_to: HashMap<&str, Vec<mpsc::Sender<Feed>>> = HashMap::new();
        let mut feed_of: HashMap<&str, mpsc::Receiver<Feed>> = HashMap::new();
        for r in plan.resources.iter().filter(|r| needed.contains(r.name.as_str())) {
            if let Some(parent) = &r.parent {
                let (tx, rx) = mpsc::channel(FEED_BUFFER);
                feeds_to.entry(parent.as_str()).or_default().push(tx);
                feed_of.insert(r.name.as_str(), rx);
            }
        }
        let mut tasks = Vec::new();
        let mut guard = AbortOnDrop(Vec::new());
        for r in plan
            .resources
            .iter()
            .filter(|r| running.contains(r.name.as_str()))
        {
            let name = r.name.as_str();
            let counters = progress.register(name);
            let resumed = progress_of(name).cloned().unwrap_or_default();
            if !needed.contains(name) {
                // finished by the run this one continues
                counters.preset(resumed.pages, resumed.records);
                counters.end(false);
                tasks.push((name, written.contains(name), counters, None));
                continue;
            }
            let leaf = !feeds_to.contains_key(name);
            let sink = match (&mode, written.contains(name)) {
                (_, false) => Sink::Discard,
                (Mode::Files(dir), true) if previous.is_some() => {
                    Sink::file_resumed(dir, name, resumed.output_len)?
                }
                (Mode::Files(dir), true) => Sink::file(dir, name)?,
                (Mode::Channel(tx), true) => Sink::Channel {
                    resource: Arc::from(name),
                    tx: tx.clone(),
                },
            };
            let mut filter = r.incremental.as_ref().map(|spec| {
                let saved = state
                    .resources
                    .get(name)
                    .and_then(|s| s.incremental.get(&spec.cursor_path));
                IncrementalFilter::new(spec.clone(), r.primary_key.as_deref(), saved)
            });
            // a leaf continues from its checkpoint; a parent from the first page its children
            // still need (one with a middle link among them: from its first page)
            let replay = families.get(name).filter(|_| writer.is_some());
            let resume = if previous.is_none() {
                Resume {
                    leaf,
                    replay: replay.is_some(),
                    ..Resume::default()
                }
            } else if leaf {
                if let (Some(filter), Some((_, reached))) = (&mut filter, &resumed.incremental) {
                    filter.restore(reached);
                }
                counters.preset(resumed.pages, resumed.records);
                Resume {
                    written: resumed.records,
                    emitted: resumed.records,
                    pages: resumed.pages,
                    parent_index: resumed.parent_index,
                    checkpoint: resumed.checkpoint.clone(),
                    leaf,
                    replay: false,
                }
            } else {
                let point = match (replay, &previous) {
                    (Some(children), Some(run)) => {
                        replay::start(&resumed.replay, replay::need(run, name, children))
                    }
                    _ => None,
                };
                match point {
                    Some(point) => {
                        if let (Some(filter), Some((_, reached))) = (&mut filter, &point.incremental) {
                            filter.restore(reached);
                        }
                        counters.preset(point.pages, point.records);
                        Resume {
                            written: resumed.records,
                            emitted: point.records,
                            pages: point.pages,
                            checkpoint: Some(point.checkpoint.clone()),
                            leaf,
                            replay: true,
                            ..Resume::default()
                        }
                    }
                    None => Resume {
                        written: resumed.records,
                        leaf,
                        replay: replay.is_some(),
                        ..Resume::default()
                    },
                }
            };
            let reporter = match &mut writer {
                Some(writer) => Some(writer.reporter(name, sink.sync_handle()?)),
                None => None,
            };
            let driver = Driver {
                plan: r.clone(),
                shared: shared.clone(),
                sink,
                children: feeds_to.remove(name).unwrap_or_default(),
                filter,
                counters: counters.clone(),
                resume,
                reporter,
            };
            let feed = feed_of.remove(name);
            let task = tokio::spawn(driver.run(feed));
            guard.0.push(task.abort_handle());
            tasks.push((name, written.contains(name), counters, Some(task)));
        }
        let writer = match writer {
            Some(writer) => {
                writer.save()?;
                let task = tokio::spawn(writer.run());
                guard.0.push(task.abort_handle());
                Some(task)
            }
            None => None,
        };

        let mut summary = RunSummary::default();
        let mut new_state = state.clone();
        let mut state_changed = false;
        for (name, was_written, counters, task) in tasks {
            let outcome = match task {
                None => driver::Outcome {
                    failure: None,
                    incremental: None,
                },
                Some(task) => match task.await {
                    Ok(outcome) => outcome,
                    Err(e) => driver::Outcome {
                        failure: Some(ResourceFailure::message(format!(
                            "the resource's task ended abruptly: {e}"
                        ))),
                        incremental: None,
                    },
                },
            };
            if let Some((cursor_path, incremental)) = outcome.incremental {
                new_state
                    .resources
                    .entry(name.to_owned())
                    .or_default()
                    .incremental
                    .insert(cursor_path, incremental);
                state_changed = true;
            }
            let (pages, records) = counters.totals();
            summary.resources.push(ResourceSummary {
                name: name.to_owned(),
                written: was_written,
                pages,
                records,
                failure: outcome.failure,
            });
        }
        match (writer, &tracked) {
            (Some(writer), Some(path)) => {
                let finished = match writer.await {
                    Ok(result) => result?,
                    Err(e) => {
                        return Err(SourceError::State {
                            path: path.clone(),
                            message: format!("its writer ended abruptly: {e}"),
                        });
                    }
                };
                commit(finished, path, summary.is_success())?;
            }
            _ => {
                if let Some(path) = &options.state_file
                    && state_changed
                {
                    new_state.save(path)?;
                }
            }
        }
        Ok(summary)
    }
}

/// The end of a run that keeps its progress: when every resource of it is done, its incremental
/// values are committed and the `run` entry goes (a state with nothing left is removed);
/// otherwise the state stays as the writer left it, for the next run to continue.
fn commit(mut state: State, path: &Path, complete: bool) -> Result<(), SourceError> {
    let Some(run) = state.run.take() else {
        return Ok(());
    };
    if !complete {
        state.run = Some(run);
        return state.save(path);
    }
    for (name, progress) in run.resources {
        if let Some((cursor_path, incremental)) = progress.incremental {
            state
                .resources
                .entry(name)
                .or_default()
                .incremental
                .insert(cursor_path, incremental);
        }
    }
    if state.resources.is_empty() {
        return match std::fs::remove_file(path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(SourceError::State {
                path: path.to_owned(),
                message: format!("cannot remove: {e}"),
            }),
            _ => Ok(()),
        };
    }
    state.save(path)
}

/// Aborts the run's tasks when the run itself is dropped (a dropped stream).
struct AbortOnDrop(Vec<tokio::task::AbortHandle>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        for handle in &self.0 {
            handle.abort();
        }
    }
}

/// The stream returned by [`Source::stream`].
#[derive(Debug)]
#[must_use = "streams do nothing unless polled"]
pub struct SourceStream {
    rx: mpsc::Receiver<Result<SourceEvent, SourceError>>,
    task: tokio::task::JoinHandle<()>,
}

impl Stream for SourceStream {
    type Item = Result<SourceEvent, SourceError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.rx.poll_recv(cx)
    }
}

impl Drop for SourceStream {
    fn drop(&mut self) {
        self.task.abort();
    }
}
