//! One resource's run: its pages (a top-level resource) or its request chains (a child, one
//! chain per parent record), its incremental filter, its output, and the feed to its children.
//!
//! # Order
//! A child's chains run concurrently (up to a window of them), each sending its pages into its
//! own small buffer; the driver takes the chains' pages in parent-record order: every page of
//! the first parent record's chain, then the second's, and so on, whatever finished first. That
//! is dlt's `fifo` order. Memory stays bounded: at most `window` chains, each buffering at most
//! [`CHAIN_BUFFER`] pages, wait behind the one being written.
//!
//! # Requests in flight
//! Every page of every resource and chain is asked for under a permit of one semaphore (the
//! run's `concurrency`), given back when the page is in; waiting for a slow writer or a full
//! buffer holds no permit. The client itself caps the requests in flight at the same number
//! (its `max_in_flight`, which also shrinks after a 429 and grows back), so a top-level resource
//! that fetches pages ahead (offset and page-number paginators that know their total) stays
//! within the cap too.
//!
//! # Resuming
//! A driver numbers the records it keeps; with a [`Resume`] it writes only those its output does
//! not hold yet. A leaf (a resource none of whose children run) continues from its checkpoint: a
//! top-level one sends the checkpoint's next request, a child skips the parent records whose
//! chains are complete and continues the chain in progress from its checkpoint. A resource that
//! feeds children replays: a top-level parent of leaves from its replay point (see `replay`),
//! any other from its start; it feeds every record with its number (children skip those whose
//! chains are complete) and writes from the first record its output lacks.

use std::collections::VecDeque;
use std::sync::Arc;

use futures_util::StreamExt;
use restclient::paginate::Checkpoint;
use restclient::select::Query;
use restclient::{Page, Pages, RawRecord, RestClient};
use serde_json::Value;
use tokio::sync::{Semaphore, mpsc};

use super::checkpoint::Reporter;
use super::output::Sink;
use super::report::{Counters, ResourceFailure};
use super::request::{self, Bindings};
use crate::incremental::{IncrementalFilter, IncrementalState};
use crate::plan::ResourcePlan;
use crate::state::{ReplayPoint, RunProgress};

/// Pages one waiting chain may buffer.
pub(crate) const CHAIN_BUFFER: usize = 4;
/// Parent records waiting for a child driver.
pub(crate) const FEED_BUFFER: usize = 64;

/// What every driver of a run shares: one client (one pool, one token), one cap on requests.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) client: RestClient,
    pub(crate) permits: Semaphore,
    /// Pages a top-level resource fetches ahead (the facade's `concurrency`).
    pub(crate) fetch_ahead: usize,
    /// Chains a child runs ahead of the one it writes.
    pub(crate) window: usize,
}

/// From a parent driver to a child driver.
#[derive(Debug)]
pub(crate) enum Feed {
    /// A record kept by the parent, and its number (a resumed parent starts past 0).
    Record(u64, RawRecord),
    /// The parent failed: the child cannot finish.
    Failed(String),
}

#[derive(Debug)]
enum ChainEvent {
    /// A page's records, and the chain's checkpoint after it when the driver keeps one.
    Page(Vec<RawRecord>, Option<Box<Checkpoint>>),
    Done,
    Failed(ResourceFailure),
}

/// Where a driver starts, and what its output already holds.
#[derive(Debug, Default)]
pub(crate) struct Resume {
    /// Records the output holds: those numbered below are not written again.
    pub(crate) written: u64,
    /// The number of the next record kept.
    pub(crate) emitted: u64,
    /// Pages counted so far.
    pub(crate) pages: u64,
    /// A child: the first parent record to run a chain for.
    pub(crate) parent_index: u64,
    /// The checkpoint to continue from (a child: the chain of `parent_index`).
    pub(crate) checkpoint: Option<Checkpoint>,
    /// Whether this resource keeps checkpoints (it feeds no running child).
    pub(crate) leaf: bool,
    /// Whether this resource keeps replay points (a top-level parent of leaves; see `replay`).
    pub(crate) replay: bool,
}

/// How a driver ended.
#[derive(Debug)]
pub(crate) struct Outcome {
    pub(crate) failure: Option<ResourceFailure>,
    /// `(cursor_path, state)` to save, for a resource that finished.
    pub(crate) incremental: Option<(String, IncrementalState)>,
}

/// One resource's driver.
#[derive(Debug)]
pub(crate) struct Driver {
    pub(crate) plan: Arc<ResourcePlan>,
    pub(crate) shared: Arc<Shared>,
    pub(crate) sink: Sink,
    pub(crate) children: Vec<mpsc::Sender<Feed>>,
    pub(crate) filter: Option<IncrementalFilter>,
    pub(crate) counters: Arc<Counters>,
    pub(crate) resume: Resume,
    /// Reports progress to the state file (`--state` with file outputs).
    pub(crate) reporter: Option<Reporter>,
}

impl Driver {
    /// Runs to the end; a child reads its parent's records from `feed`.
    pub(crate) async fn run(mut self, feed: Option<mpsc::Receiver<Feed>>) -> Outcome {
        let mut result = match feed {
            None => self.run_top().await,
            Some(feed) => self.run_child(feed).await,
        };
        if let Err(e) = self.sink.finish() {
            result = result.and(Err(ResourceFailure::message(e.to_string())));
        }
        if result.is_ok()
            && let Err(e) = self.report(true, None, None, None)
        {
            result = Err(e);
        }
        let failure = result.err();
        if failure.is_some() {
            for child in &self.children {
                let _ = child.send(Feed::Failed(self.plan.name.clone())).await;
            }
        }
        self.counters.end(failure.is_some());
        let incremental = match (&failure, &self.filter) {
            (None, Some(filter)) => filter.state().map(|s| (filter.spec().cursor_path.clone(), s)),
            _ => None,
        };
        Outcome { failure, incremental }
    }

    fn bindings(&self) -> Bindings {
        match &self.filter {
            None => Bindings::default(),
            Some(f) => Bindings::default().with_incremental(
                f.spec().initial_value.as_ref(),
                f.start_value(),
                f.spec().end_value.as_ref(),
            ),
        }
    }

    async fn run_top(&mut self) -> Result<(), ResourceFailure> {
        let mut builder = request::paginate(&self.shared.client, &self.plan, &self.bindings())
            .concurrency(self.shared.fetch_ahead);
        if let Some(checkpoint) = self.resume.checkpoint.take() {
            if checkpoint.is_finished() {
                return Ok(()); // killed after its last page was saved
            }
            builder = builder.resume(checkpoint);
        }
        let mut pages = builder.pages();
        let keep_checkpoints = self.resume.leaf && self.reporter.is_some();
        let keep_replay = self.resume.replay && self.reporter.is_some();
        while let Some(page) = next_page(&self.shared, &mut pages).await {
            let page = page.map_err(|e| ResourceFailure::from_error(e, &self.plan.name))?;
            self.counters.page();
            self.resume.pages += 1;
            let checkpoint = (keep_checkpoints || keep_replay).then(|| page.checkpoint());
            let wrote = self.emit(page.into_records()).await?;
            if keep_replay {
                let point = checkpoint.map(|checkpoint| ReplayPoint {
                    pages: self.resume.pages,
                    records: self.resume.emitted,
                    checkpoint,
                    incremental: self.filter_state(),
                });
                self.report(false, None, None, point)?;
            } else if wrote || keep_checkpoints {
                self.report(false, None, checkpoint, None)?;
            }
            if self.filter.as_ref().is_some_and(IncrementalFilter::can_close) {
                tracing::info!(resource = %self.plan.name, "incremental: the sorted data left the range; pagination stops");
                break;
            }
        }
        Ok(())
    }

    async fn run_child(&mut self, mut feed: mpsc::Receiver<Feed>) -> Result<(), ResourceFailure> {
        let selectors: Vec<_> = self.plan.resolved.iter().map(|r| r.selector.clone()).collect();
        let query = Query::new(selectors.iter());
        let base = self.bindings();
        // Dropping the set (on any return) aborts the chains still running.
        let mut chains = tokio::task::JoinSet::new();
        let keep_checkpoints = self.resume.leaf && self.reporter.is_some();
        // (parent record index, its chain's events)
        let mut current: Option<(u64, mpsc::Receiver<ChainEvent>)> = None;
        let mut queued: VecDeque<(u64, mpsc::Receiver<ChainEvent>)> = VecDeque::new();
        let mut parent_done = false;
        enum Step {
            Chain(Option<ChainEvent>),
            Feed(Option<Feed>),
        }
        // Each turn takes one chain event or one parent record; both sources are finite.
        loop {
            if current.is_none() {
                current = queued.pop_front();
            }
            if current.is_none() && parent_done {
                return Ok(());
            }
            let in_flight = queued.len() + usize::from(current.is_some());
            let step = tokio::select! {
                biased;
                event = async { current.as_mut()?.1.recv().await }, if current.is_some() => Step::Chain(event),
                record = feed.recv(), if !parent_done && in_flight < self.shared.window => Step::Feed(record),
            };
            match step {
                Step::Chain(Some(ChainEvent::Page(records, checkpoint))) => {
                    self.counters.page();
                    self.resume.pages += 1;
                    let wrote = self.emit(records).await?;
                    if wrote || keep_checkpoints {
                        let index = current.as_ref().map_or(0, |c| c.0);
                        self.report(false, Some(index), checkpoint.map(|c| *c), None)?;
                    }
                }
                Step::Chain(Some(ChainEvent::Done)) => {
                    let index = current.take().map_or(0, |c| c.0);
                    if keep_checkpoints {
                        self.report(false, Some(index + 1), None, None)?;
                    }
                }
                Step::Chain(Some(ChainEvent::Failed(failure))) => return Err(failure),
                Step::Chain(None) => {
                    return Err(ResourceFailure::message(
                        "a request chain ended without finishing",
                    ));
                }
                Step::Feed(Some(Feed::Record(index, record))) => {
                    if index < self.resume.parent_index {
                        continue; // its chain is complete in the output
                    }
                    let resume = if index == self.resume.parent_index {
                        self.resume.checkpoint.take()
                    } else {
                        None
                    };
                    if resume.as_ref().is_some_and(Checkpoint::is_finished) {
                        continue; // killed after the chain's last page was saved
                    }
                    let (tx, rx) = mpsc::channel(CHAIN_BUFFER);
                    chains.spawn(chain(
                        self.shared.clone(),
                        self.plan.clone(),
                        query.clone(),
                        record,
                        base.clone(),
                        ChainStart {
                            resume,
                            keep_checkpoints,
                        },
                        tx,
                    ));
                    queued.push_back((index, rx));
                }
                Step::Feed(Some(Feed::Failed(parent))) => {
                    return Err(ResourceFailure::message(format!(
                        "its parent resource `{parent}` failed"
                    )));
                }
                Step::Feed(None) => parent_done = true,
            }
        }
    }

    /// Filters, writes and passes on one page's records, in order; whether any was written.
    async fn emit(&mut self, records: Vec<RawRecord>) -> Result<bool, ResourceFailure> {
        let kept = match &mut self.filter {
            None => records,
            Some(filter) => {
                let mut kept = Vec::with_capacity(records.len());
                for record in records {
                    if filter
                        .keep(&record)
                        .map_err(|e| ResourceFailure::message(format!("incremental: {e}")))?
                    {
                        kept.push(record);
                    }
                }
                kept
            }
        };
        self.counters.records(kept.len());
        let first = self.resume.emitted;
        if !self.children.is_empty() {
            for (number, record) in (first..).zip(&kept) {
                // A child that failed has dropped its receiver: stop feeding it.
                let mut alive = Vec::with_capacity(self.children.len());
                for child in self.children.drain(..) {
                    if child.send(Feed::Record(number, record.clone())).await.is_ok() {
                        alive.push(child);
                    }
                }
                self.children = alive;
            }
        }
        // records numbered below `written` are in the output already (a resumed run)
        self.resume.emitted += kept.len() as u64;
        let skip = usize::try_from(self.resume.written.saturating_sub(first))
            .unwrap_or(usize::MAX)
            .min(kept.len());
        let mut kept = kept;
        let to_write = kept.split_off(skip);
        if to_write.is_empty() {
            return Ok(false);
        }
        self.sink
            .write(to_write)
            .await
            .map_err(|e| ResourceFailure::message(e.to_string()))?;
        Ok(true)
    }

    /// Reports how far the resource got (after its output holds it), when the run keeps state.
    fn report(
        &mut self,
        done: bool,
        parent_index: Option<u64>,
        checkpoint: Option<Checkpoint>,
        replay: Option<ReplayPoint>,
    ) -> Result<(), ResourceFailure> {
        let Some(reporter) = &self.reporter else {
            return Ok(());
        };
        let output_len = self
            .sink
            .flush()
            .map_err(|e| ResourceFailure::message(e.to_string()))?;
        let incremental = match &self.filter {
            Some(filter) if done || self.resume.leaf => {
                filter.state().map(|s| (filter.spec().cursor_path.clone(), s))
            }
            _ => None,
        };
        reporter.report(RunProgress {
            done,
            output_len,
            pages: self.resume.pages,
            records: self.resume.emitted.max(self.resume.written),
            parent_index: parent_index.unwrap_or(0),
            checkpoint,
            incremental,
            replay: replay.into_iter().collect(),
        });
        Ok(())
    }

    /// The incremental state reached so far, for a replay point.
    fn filter_state(&self) -> Option<(String, IncrementalState)> {
        let filter = self.filter.as_ref()?;
        filter.state().map(|s| (filter.spec().cursor_path.clone(), s))
    }
}

/// How a chain starts.
#[derive(Debug)]
struct ChainStart {
    /// Continue from this checkpoint.
    resume: Option<Checkpoint>,
    /// Send the checkpoint after each page.
    keep_checkpoints: bool,
}

/// The next page, holding a permit while it is requested.
async fn next_page(shared: &Shared, pages: &mut Pages) -> Option<Result<Page, restclient::Error>> {
    let _permit = shared.permits.acquire().await.ok()?;
    pages.next().await
}

/// One parent record's request chain.
async fn chain(
    shared: Arc<Shared>,
    plan: Arc<ResourcePlan>,
    query: Query,
    parent: RawRecord,
    mut bindings: Bindings,
    start: ChainStart,
    tx: mpsc::Sender<ChainEvent>,
) {
    let result = async {
        bindings.resolved =
            request::resolve_parent(&plan, &query, &parent).map_err(ResourceFailure::message)?;
        let extra = request::parent_fields(&plan, &parent).map_err(ResourceFailure::message)?;
        let mut builder = request::paginate(&shared.client, &plan, &bindings);
        if let Some(checkpoint) = start.resume {
            builder = builder.resume(checkpoint);
        }
        let mut pages = builder.pages();
        while let Some(page) = next_page(&shared, &mut pages).await {
            let page = page.map_err(|e| ResourceFailure::from_error(e, &plan.name))?;
            let checkpoint = start.keep_checkpoints.then(|| Box::new(page.checkpoint()));
            let mut records = page.into_records();
            if !extra.is_empty() {
                records = records
                    .iter()
                    .map(|r| with_fields(r, &extra))
                    .collect::<Result<_, _>>()
                    .map_err(ResourceFailure::message)?;
            }
            if tx.send(ChainEvent::Page(records, checkpoint)).await.is_err() {
                return Ok(()); // the driver is gone
            }
        }
        Ok(())
    }
    .await;
    let _ = tx
        .send(match result {
            Ok(()) => ChainEvent::Done,
            Err(failure) => ChainEvent::Failed(failure),
        })
        .await;
}

/// The record with the parent's fields set (dlt's `child_record.update(parent_record)`).
fn with_fields(record: &RawRecord, fields: &[(String, Value)]) -> Result<RawRecord, String> {
    let Ok(Value::Object(mut map)) = record.to_value() else {
        return Err(
            "a child record is not a dict, so `include_from_parent` cannot add fields to it".to_owned(),
        );
    };
    for (k, v) in fields {
        map.insert(k.clone(), v.clone());
    }
    Ok(RawRecord::from_value(&Value::Object(map)))
}
