//! Keeping the state file's `run` section up to date while a run goes on (`--state FILE`).
//!
//! A driver writes a page's records to its output, hands them to the operating system, then
//! reports how far it got ([`RunProgress`]: the output's length, the record count, its
//! checkpoint). One writer task takes the reports, flushes the reported outputs to disk, then
//! replaces the state file atomically. It takes every report that came in while it was writing
//! at once (group commit), so drivers never wait for a disk; the state may lag behind the
//! outputs, never run ahead of them, and a resumed run cuts each output back to the length the
//! state holds. The disk work runs on tokio's blocking pool, so the run goes on meanwhile; one
//! lock ([`STATE_IO`]) orders it with the next run's reading of the state, so a write of a run
//! that was dropped lands before another run of this process reads the file.

use std::collections::{BTreeSet, HashMap};
use std::fs::File;
use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::{Mutex, mpsc};

use super::replay::{self, Families};
use crate::SourceError;
use crate::state::{RunProgress, State};

/// Held while a state file is read or written.
pub(crate) static STATE_IO: Mutex<()> = Mutex::const_new(());

/// A driver's handle for reporting its progress.
#[derive(Debug, Clone)]
pub(crate) struct Reporter {
    name: String,
    tx: mpsc::UnboundedSender<(String, RunProgress)>,
}

impl Reporter {
    /// Reports `progress`; its output must already hold (in the OS) what it counts.
    pub(crate) fn report(&self, progress: RunProgress) {
        // A writer that stopped has failed; the run reports that at its end.
        let _ = self.tx.send((self.name.clone(), progress));
    }
}

/// The task replacing the state file as reports come in.
#[derive(Debug)]
pub(crate) struct StateWriter {
    path: PathBuf,
    state: State,
    /// Parents keeping replay points, pruned on every save.
    families: Families,
    files: HashMap<String, Arc<(PathBuf, File)>>,
    rx: mpsc::UnboundedReceiver<(String, RunProgress)>,
    tx: Option<mpsc::UnboundedSender<(String, RunProgress)>>,
}

impl StateWriter {
    /// A writer of `state` (which holds the `run` section) to `path`; `families`: the parents
    /// that keep replay points, and their children.
    pub(crate) fn new(path: PathBuf, state: State, families: Families) -> StateWriter {
        let (tx, rx) = mpsc::unbounded_channel();
        StateWriter {
            path,
            state,
            families,
            files: HashMap::new(),
            rx,
            tx: Some(tx),
        }
    }

    /// A reporter for `name`, whose output file (if any) is flushed to disk before a report of
    /// it is saved.
    pub(crate) fn reporter(&mut self, name: &str, file: Option<(PathBuf, File)>) -> Reporter {
        if let Some(file) = file {
            self.files.insert(name.to_owned(), Arc::new(file));
        }
        Reporter {
            name: name.to_owned(),
            tx: self.tx.clone().unwrap_or_else(|| mpsc::unbounded_channel().0),
        }
    }

    /// Saves the state as it is now (the run's start).
    pub(crate) fn save(&self) -> Result<(), SourceError> {
        self.state.save(&self.path)
    }

    /// Saves reports until every reporter is gone; the final state.
    pub(crate) async fn run(mut self) -> Result<State, SourceError> {
        drop(self.tx.take());
        while let Some(first) = self.rx.recv().await {
            let mut dirty = BTreeSet::new();
            let mut next = Some(first);
            while let Some((name, mut progress)) = next {
                if let Some(run) = &mut self.state.run {
                    replay::merge(run.resources.get(&name), &mut progress);
                    run.resources.insert(name.clone(), progress);
                }
                dirty.insert(name);
                next = self.rx.try_recv().ok();
            }
            if let Some(run) = &mut self.state.run {
                replay::prune(run, &self.families);
            }
            let files: Vec<_> = dirty.iter().filter_map(|n| self.files.get(n).cloned()).collect();
            let (path, state) = (self.path.clone(), self.state.clone());
            let guard = STATE_IO.lock().await;
            tokio::task::spawn_blocking(move || {
                let _guard = guard;
                for output in files {
                    let (path, file) = &*output;
                    file.sync_data().map_err(|source| SourceError::Output {
                        path: path.clone(),
                        source,
                    })?;
                }
                state.save(&path)
            })
            .await
            .map_err(|e| SourceError::State {
                path: self.path.clone(),
                message: format!("its writer ended abruptly: {e}"),
            })??;
        }
        Ok(self.state)
    }
}
