//! Where a resource's records go: `DIR/<resource>.ndjson`, a channel (the stream form), or
//! nowhere (a parent that is not selected).
//!
//! Each record is written as the server sent it, one per line. A record holding a raw line break
//! (a pretty-printed body) is compacted first: in JSON a raw newline can only be whitespace
//! between tokens, so dropping the whitespace outside strings keeps numbers, key order and escapes
//! exactly as they came.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use restclient::RawRecord;
use tokio::sync::mpsc;

use crate::{SourceError, SourceEvent};

const BUFFER: usize = 256 * 1024;

/// One resource's destination.
#[derive(Debug)]
pub(crate) enum Sink {
    File {
        path: PathBuf,
        out: BufWriter<File>,
        /// Bytes written so far (the file's length once flushed).
        len: u64,
    },
    Channel {
        resource: Arc<str>,
        tx: mpsc::Sender<Result<SourceEvent, SourceError>>,
    },
    Discard,
}

impl Sink {
    /// Creates (truncates) `dir/<resource>.ndjson`.
    pub(crate) fn file(dir: &Path, resource: &str) -> Result<Sink, SourceError> {
        let path = dir.join(format!("{resource}.ndjson"));
        let file = File::create(&path).map_err(|source| SourceError::Output {
            path: path.clone(),
            source,
        })?;
        Ok(Sink::File {
            path,
            out: BufWriter::with_capacity(BUFFER, file),
            len: 0,
        })
    }

    /// Opens `dir/<resource>.ndjson` to continue it: cut back to `len` bytes (what the state file
    /// says is complete), writing after them. A file shorter than `len` is an error: it is not
    /// the output the state describes.
    pub(crate) fn file_resumed(dir: &Path, resource: &str, len: u64) -> Result<Sink, SourceError> {
        let path = dir.join(format!("{resource}.ndjson"));
        let error = |source| SourceError::Output {
            path: path.clone(),
            source,
        };
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(error)?;
        let found = file.metadata().map_err(error)?.len();
        if found < len {
            return Err(error(io::Error::other(format!(
                "the state file says it holds {len} bytes, but it has {found}: \
                 not the output of the run the state file describes"
            ))));
        }
        file.set_len(len).map_err(error)?;
        io::Seek::seek(&mut file, io::SeekFrom::Start(len)).map_err(error)?;
        Ok(Sink::File {
            path,
            out: BufWriter::with_capacity(BUFFER, file),
            len,
        })
    }

    /// A second handle on the output file, for flushing it to disk from elsewhere.
    pub(crate) fn sync_handle(&self) -> Result<Option<(PathBuf, File)>, SourceError> {
        match self {
            Sink::File { path, out, .. } => out
                .get_ref()
                .try_clone()
                .map(|file| Some((path.clone(), file)))
                .map_err(|source| SourceError::Output {
                    path: path.clone(),
                    source,
                }),
            _ => Ok(None),
        }
    }

    /// Hands everything written to the operating system; the output's length (0 when not a
    /// file). The bytes are durable once the file is synced.
    pub(crate) fn flush(&mut self) -> Result<u64, SourceError> {
        match self {
            Sink::File { path, out, len } => {
                out.flush().map_err(|source| SourceError::Output {
                    path: path.clone(),
                    source,
                })?;
                Ok(*len)
            }
            _ => Ok(0),
        }
    }

    /// Writes one page's kept records.
    pub(crate) async fn write(&mut self, records: Vec<RawRecord>) -> Result<(), SourceError> {
        match self {
            Sink::File { path, out, len } => {
                let mut counted = Counted { out, written: 0 };
                for record in &records {
                    write_line(&mut counted, record.as_bytes()).map_err(|source| SourceError::Output {
                        path: path.clone(),
                        source,
                    })?;
                }
                *len += counted.written;
                Ok(())
            }
            Sink::Channel { resource, tx } => {
                if records.is_empty() {
                    return Ok(());
                }
                // A dropped receiver means the reader lost interest: nothing more to deliver.
                let _ = tx
                    .send(Ok(SourceEvent::Records {
                        resource: resource.clone(),
                        records,
                    }))
                    .await;
                Ok(())
            }
            Sink::Discard => Ok(()),
        }
    }

    /// Flushes a file to disk.
    pub(crate) fn finish(&mut self) -> Result<(), SourceError> {
        if let Sink::File { path, out, .. } = self {
            out.flush()
                .and_then(|()| out.get_ref().sync_data())
                .map_err(|source| SourceError::Output {
                    path: path.clone(),
                    source,
                })?;
        }
        Ok(())
    }
}

/// Counts the bytes written through it.
struct Counted<'a, W> {
    out: &'a mut W,
    written: u64,
}

impl<W: Write> Write for Counted<'_, W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.out.write(buf)?;
        self.written += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// One record and a newline; compacted only when it holds a raw line break.
fn write_line(out: &mut impl Write, record: &[u8]) -> io::Result<()> {
    restclient::select::write_single_line(out, record)?;
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verbatim_unless_a_raw_newline() {
        let mut out = Vec::new();
        write_line(&mut out, br#"{"a": 1, "b": "x y"}"#).unwrap();
        write_line(&mut out, b"{\n  \"a\": \"p q\\n\",\n  \"b\": [1, 2]\n}").unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "{\"a\": 1, \"b\": \"x y\"}\n{\"a\":\"p q\\n\",\"b\":[1,2]}\n"
        );
    }
}
