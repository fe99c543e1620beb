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
        })
    }

    /// Writes one page's kept records.
    pub(crate) async fn write(&mut self, records: Vec<RawRecord>) -> Result<(), SourceError> {
        match self {
            Sink::File { path, out } => {
                for record in &records {
                    write_line(out, record.as_bytes()).map_err(|source| SourceError::Output {
                        path: path.clone(),
                        source,
                    })?;
                }
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
        if let Sink::File { path, out } = self {
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

/// One record and a newline; compacted only when it holds a raw line break.
fn write_line(out: &mut impl Write, record: &[u8]) -> io::Result<()> {
    let record = record.trim_ascii();
    if memchr::memchr2(b'\n', b'\r', record).is_some() {
        let mut in_string = false;
        let mut escaped = false;
        let mut start = 0;
        for (i, &byte) in record.iter().enumerate() {
            if in_string {
                if escaped {
                    escaped = false;
                } else if byte == b'\\' {
                    escaped = true;
                } else if byte == b'"' {
                    in_string = false;
                }
            } else if byte == b'"' {
                in_string = true;
            } else if matches!(byte, b' ' | b'\t' | b'\n' | b'\r') {
                out.write_all(&record[start..i])?;
                start = i + 1;
            }
        }
        out.write_all(&record[start..])?;
    } else {
        out.write_all(record)?;
    }
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
