//! `--checkpoint FILE`: a run that survives `kill -9`.
//!
//! The durability rule (design.md): after each page, write its records, flush and fsync the
//! output, *then* replace FILE atomically (a temp file in the same folder, fsync, rename, fsync the
//! folder) with the output's length and the library's [`Checkpoint`] after that page. Whenever the
//! process dies, FILE names a length the output really has, and every record up to it. On start,
//! an existing FILE is read first; the output is cut back to the recorded length only once the
//! library has accepted the checkpoint as this run's, and pagination goes on from the recorded
//! request. FILE is removed after a successful run.
//!
//! A FILE that is not a checkpoint (corrupt, truncated, another version) is an error that touches
//! nothing. It holds no secret: the library's checkpoint masks the user's credentials.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use restclient::paginate::Checkpoint;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The version of FILE's format this build writes and reads.
const VERSION: u32 = 1;

/// What FILE holds.
#[derive(Debug)]
pub(crate) struct Saved {
    /// The output's length after the last page written.
    pub(crate) output_len: u64,
    /// Where the library continues.
    pub(crate) checkpoint: Checkpoint,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct OnDisk {
    version: u32,
    output_len: u64,
    checkpoint: Value,
}

/// The checkpoint file of one run.
#[derive(Debug)]
pub(crate) struct CheckpointFile {
    path: PathBuf,
}

impl CheckpointFile {
    pub(crate) fn new(path: &Path) -> CheckpointFile {
        CheckpointFile {
            path: path.to_owned(),
        }
    }

    /// The saved state, `None` when there is no FILE (a fresh run).
    ///
    /// # Errors
    /// A message naming FILE when it cannot be read or is not a checkpoint of this format.
    pub(crate) fn load(&self) -> Result<Option<Saved>, String> {
        let text = match fs::read_to_string(&self.path) {
            Ok(text) => text,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(format!("cannot read checkpoint {}: {e}", self.path.display())),
        };
        let invalid = |why: String| {
            format!(
                "checkpoint {} is not usable ({why}); remove it to start over",
                self.path.display()
            )
        };
        let disk: OnDisk = serde_json::from_str(&text).map_err(|e| invalid(e.to_string()))?;
        if disk.version != VERSION {
            return Err(invalid(format!(
                "format version {}, this build reads {VERSION}",
                disk.version
            )));
        }
        let checkpoint =
            Checkpoint::from_json(&disk.checkpoint.to_string()).map_err(|e| invalid(e.to_string()))?;
        Ok(Some(Saved {
            output_len: disk.output_len,
            checkpoint,
        }))
    }

    /// Replaces FILE atomically with the state after a page whose records are durable.
    pub(crate) fn save(&self, output_len: u64, checkpoint: &Checkpoint) -> io::Result<()> {
        let checkpoint: Value = serde_json::from_str(
            &checkpoint
                .to_json()
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string()))?,
        )?;
        let disk = OnDisk {
            version: VERSION,
            output_len,
            checkpoint,
        };
        let bytes = serde_json::to_vec(&disk)?;
        let temp = self.temp_path();
        {
            let mut file = File::create(&temp)?;
            file.write_all(&bytes)?;
            file.sync_all()?;
        }
        fs::rename(&temp, &self.path)?;
        sync_folder(&self.path)
    }

    /// Removes FILE after a successful run.
    pub(crate) fn remove(&self) -> io::Result<()> {
        match fs::remove_file(&self.path) {
            Ok(()) => sync_folder(&self.path),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e),
        }
    }

    fn temp_path(&self) -> PathBuf {
        let mut name = self.path.file_name().unwrap_or_default().to_owned();
        name.push(".tmp");
        self.path.with_file_name(name)
    }
}

/// Makes a rename or removal in `path`'s folder durable.
fn sync_folder(path: &Path) -> io::Result<()> {
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    File::open(folder)?.sync_all()
}

/// Opens the output of a resumed run: cut back to `len`, positioned at its end.
///
/// # Errors
/// When the output is missing or shorter than `len` (it was changed since the checkpoint).
pub(crate) fn reopen_output(path: &Path, len: u64) -> io::Result<File> {
    let mut file = OpenOptions::new().write(true).open(path)?;
    let actual = file.metadata()?.len();
    if actual < len {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("the output holds {actual} bytes, fewer than the {len} the checkpoint recorded"),
        ));
    }
    file.set_len(len)?;
    file.seek(SeekFrom::Start(len))?;
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("restclient-cp-{}-{name}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn a_missing_file_is_a_fresh_run_and_corrupt_ones_are_named_errors() {
        let dir = temp_dir("load");
        let file = CheckpointFile::new(&dir.join("cp.json"));
        assert!(file.load().unwrap().is_none());
        for (content, why) in [
            ("{\"version\":1,\"output_len\":", "EOF"),
            ("not json", "expected"),
            (
                "{\"version\":2,\"output_len\":0,\"checkpoint\":{}}",
                "format version 2",
            ),
            (
                "{\"version\":1,\"output_len\":0,\"checkpoint\":{\"version\":1}}",
                "invalid checkpoint",
            ),
        ] {
            fs::write(dir.join("cp.json"), content).unwrap();
            let e = file.load().unwrap_err();
            assert!(e.contains("cp.json") && e.contains(why), "{content}: {e}");
        }
        file.remove().unwrap();
        file.remove().unwrap();
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn reopening_cuts_back_and_refuses_a_short_output() {
        let dir = temp_dir("reopen");
        let path = dir.join("out.ndjson");
        fs::write(&path, "1\n2\n3").unwrap();
        let mut file = reopen_output(&path, 4).unwrap();
        file.write_all(b"9\n").unwrap();
        drop(file);
        assert_eq!(fs::read_to_string(&path).unwrap(), "1\n2\n9\n");
        assert!(reopen_output(&path, 100).is_err());
        assert_eq!(
            fs::read_to_string(&path).unwrap(),
            "1\n2\n9\n",
            "a refused reopen changes nothing"
        );
        fs::remove_dir_all(&dir).unwrap();
    }
}
