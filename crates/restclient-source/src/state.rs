//! The state file (`--state FILE`): what the next run starts from.
//!
//! ```json
//! {"version": 1,
//!  "resources": {
//!    "events": {"incremental": {"updated_at": {"initial_value": "2024-01-01", "last_value": "2024-03-09",
//!                                              "unique_hashes": ["..."], "start_value": "2024-01-01"}}}},
//!  "run": {"selection": ["events", "posts"],
//!          "resources": {
//!            "users":  {"output_len": 0, "pages": 20, "records": 1000,
//!                       "replay": [{"pages": 19, "records": 950, "checkpoint": {"...": "..."}}]},
//!            "posts":  {"output_len": 81234, "pages": 311, "records": 4410, "parent_index": 155,
//!                       "checkpoint": {"version": 1, "fingerprint": "...", "...": "..."}},
//!            "events": {"output_len": 5120, "pages": 3, "records": 300, "checkpoint": {"...": "..."},
//!                       "incremental": {"last_value": "2024-03-02", "...": "..."}}}}}
//! ```
//!
//! - `resources.<name>.incremental` holds dlt's per-cursor state (keyed by cursor path, as dlt's
//!   `resource_state["incremental"][cursor_path]`): the committed values the next run starts from.
//! - `run` is there while a run is unfinished (killed, or a resource failed): the `selection` of
//!   resources it writes, and per resource its [`RunProgress`]. The next run with this state file
//!   continues that run (see the crate docs, *Kill and resume*); when every resource of it has
//!   finished, the incremental values it ended with are committed to `resources` and `run` is
//!   removed, in one replacement of the file.
//!
//! Only values from records, the config's cursor values, output lengths, counts and the
//! library's [`Checkpoint`]s (which hold no secret) are stored: never a header or a credential.
//!
//! The file is replaced atomically: written to a temporary file in the same folder, flushed to
//! disk, renamed over the old one, and the folder flushed, so a crash leaves the old state or the
//! new one, never a mix.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use restclient::paginate::Checkpoint;
use serde::{Deserialize, Serialize};

use crate::SourceError;
pub use crate::incremental::IncrementalState;

/// The state file's layout version.
pub const STATE_VERSION: u32 = 1;

/// The whole state file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct State {
    /// Always [`STATE_VERSION`].
    pub version: u32,
    /// Per resource name.
    #[serde(default)]
    pub resources: BTreeMap<String, ResourceState>,
    /// The unfinished run, if there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run: Option<RunState>,
}

impl Default for State {
    fn default() -> Self {
        State {
            version: STATE_VERSION,
            resources: BTreeMap::new(),
            run: None,
        }
    }
}

/// One resource's state.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ResourceState {
    /// Incremental state per cursor path.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub incremental: BTreeMap<String, IncrementalState>,
}

/// An unfinished run: what it writes and how far each of its resources got.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RunState {
    /// The resources the run writes (sorted); a run continuing it must write the same ones.
    pub selection: Vec<String>,
    /// Per resource that ran.
    #[serde(default)]
    pub resources: BTreeMap<String, RunProgress>,
}

/// How far one resource of an unfinished run got: everything here is durable in its output.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RunProgress {
    /// Whether the resource finished (its output is complete).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub done: bool,
    /// The length of its output file holding exactly `records` records (0 when not written).
    pub output_len: u64,
    /// Pages received.
    pub pages: u64,
    /// Records kept, in output order (also counted for a resource that is not written).
    pub records: u64,
    /// A child that resumes from its checkpoint: the index of the parent record whose request
    /// chain is in progress (the chains of the records before it are complete in the output).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub parent_index: u64,
    /// A resource that resumes from its checkpoint: the library's checkpoint after its last
    /// written page (a child's: of the chain of `parent_index`); `None`: from the start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkpoint: Option<Checkpoint>,
    /// The incremental state so far (when `done`: the state to commit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incremental: Option<(String, IncrementalState)>,
    /// A top-level parent whose children resume from checkpoints: where its pages can be
    /// requested again from, oldest first, back to the first page its children still need.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub replay: Vec<ReplayPoint>,
}

/// A place a parent can resume from: the start of one of its pages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ReplayPoint {
    /// Pages received before it.
    pub pages: u64,
    /// Records kept before it: the number of the page's first record.
    pub records: u64,
    /// The library's checkpoint that requests the page.
    pub checkpoint: Checkpoint,
    /// The incremental state reached before it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incremental: Option<(String, IncrementalState)>,
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's signature
fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl State {
    /// Reads `path`; a missing file is an empty state.
    ///
    /// # Errors
    /// An unreadable file, or one that is not a state file of this version.
    pub fn load(path: &Path) -> Result<State, SourceError> {
        let text = match std::fs::read(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(State::default()),
            Err(e) => return Err(state_error(path, format!("cannot read: {e}"))),
        };
        let state: State = serde_json::from_slice(&text)
            .map_err(|e| state_error(path, format!("not a restclient state file: {e}")))?;
        if state.version != STATE_VERSION {
            return Err(state_error(
                path,
                format!(
                    "version {} (this restclient reads version {STATE_VERSION})",
                    state.version
                ),
            ));
        }
        Ok(state)
    }

    /// Replaces `path` atomically with this state.
    ///
    /// # Errors
    /// When the file cannot be written or renamed.
    pub fn save(&self, path: &Path) -> Result<(), SourceError> {
        let bytes = serde_json::to_vec_pretty(self).map_err(|e| state_error(path, e.to_string()))?;
        write_atomically(path, &bytes).map_err(|e| state_error(path, format!("cannot write: {e}")))
    }
}

fn state_error(path: &Path, message: String) -> SourceError {
    SourceError::State {
        path: path.to_owned(),
        message,
    }
}

/// Temp file in the same folder, fsync, rename, fsync the folder.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
        _ => PathBuf::from("."),
    };
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{file_name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&tmp, path)?;
        // The rename is durable once the folder is; not every platform can open a folder.
        if let Ok(folder) = std::fs::File::open(&dir) {
            let _ = folder.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("rs-state-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn missing_is_empty_and_a_save_reads_back() {
        let dir = temp_dir("roundtrip");
        let path = dir.join("state.json");
        assert_eq!(State::load(&path).unwrap(), State::default());
        let mut state = State::default();
        let mut r = ResourceState::default();
        r.incremental.insert(
            "t".into(),
            IncrementalState {
                initial_value: Some(json!(1)),
                last_value: Some(json!(5)),
                unique_hashes: vec!["h".into()],
                start_value: Some(json!(1)),
            },
        );
        state.resources.insert("events".into(), r);
        state.run = Some(RunState {
            selection: vec!["events".into()],
            resources: BTreeMap::from([(
                "events".into(),
                RunProgress {
                    output_len: 10,
                    pages: 1,
                    records: 2,
                    ..RunProgress::default()
                },
            )]),
        });
        state.save(&path).unwrap();
        assert_eq!(State::load(&path).unwrap(), state);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("\"version\": 1"), "{text}");
        // no temporary file left behind
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
    }

    #[test]
    fn foreign_files_are_refused() {
        let dir = temp_dir("foreign");
        let path = dir.join("state.json");
        std::fs::write(&path, "[1, 2]").unwrap();
        assert!(
            State::load(&path)
                .unwrap_err()
                .to_string()
                .contains("not a restclient state file")
        );
        std::fs::write(&path, r#"{"version": 7, "resources": {}}"#).unwrap();
        assert!(State::load(&path).unwrap_err().to_string().contains("version 7"));
    }
}
