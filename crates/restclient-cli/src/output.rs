//! Writing records: NDJSON (one record per line) or one JSON array per page per line.
//!
//! Each record's bytes go out exactly as the server sent them. The only rewrite is for a record
//! that contains a raw newline byte (a pretty-printed body), which would otherwise break the
//! one-record-per-line format: it is compacted. JSON strings cannot hold a raw newline (control
//! characters must be escaped), so such a byte is always whitespace between tokens, and compacting
//! means dropping the whitespace outside strings. That keeps numbers, key order and escapes exactly
//! as they came, and builds no `Value` tree.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use restclient::select::write_single_line;

/// Output buffer size: large enough that a page costs few write calls.
const BUFFER: usize = 256 * 1024;

/// Where records go, below the buffer: stdout, or a file that can be made durable.
pub(crate) trait Sink: Write + Send {
    /// Makes what was written durable (fsync); nothing for a pipe.
    fn sync(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Sink for io::Stdout {}

impl Sink for File {
    fn sync(&mut self) -> io::Result<()> {
        self.sync_data()
    }
}

/// Where records go: stdout (locked) or a file, buffered.
pub(crate) type Output = BufWriter<Box<dyn Sink>>;

/// Opens `--output FILE` (created or emptied), or stdout when there is none.
pub(crate) fn open(path: Option<&Path>) -> io::Result<Output> {
    let inner: Box<dyn Sink> = match path {
        Some(path) => Box::new(File::create(path)?),
        None => Box::new(io::stdout()),
    };
    Ok(BufWriter::with_capacity(BUFFER, inner))
}

/// Buffers an already open file (a resumed output, positioned where writing goes on).
pub(crate) fn buffered(file: File) -> Output {
    BufWriter::with_capacity(BUFFER, Box::new(file))
}

/// One line per record, or one JSON array per page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Layout {
    Records,
    Pages,
}

/// Writes pages of raw records in the chosen layout.
#[derive(Debug)]
pub(crate) struct RecordWriter<W: Write> {
    out: Counting<W>,
    layout: Layout,
    /// Whether records were written since the last flush.
    pending: bool,
}

/// Counts the bytes written through it: the output's length without asking the file system.
#[derive(Debug)]
struct Counting<W> {
    inner: W,
    written: u64,
}

impl<W: Write> Write for Counting<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.written += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl<W: Write> RecordWriter<W> {
    pub(crate) fn new(out: W, layout: Layout) -> Self {
        RecordWriter::starting_at(out, layout, 0)
    }

    /// A writer whose output already holds `len` bytes (a resumed run).
    pub(crate) fn starting_at(out: W, layout: Layout, len: u64) -> Self {
        RecordWriter {
            out: Counting {
                inner: out,
                written: len,
            },
            layout,
            pending: false,
        }
    }

    /// The output's length: bytes there before plus bytes written (buffered or not).
    pub(crate) fn len(&self) -> u64 {
        self.out.written
    }

    /// Writes one page into the buffer; [`flush`](Self::flush) sends it on.
    pub(crate) fn write_page<'a>(&mut self, records: impl IntoIterator<Item = &'a [u8]>) -> io::Result<()> {
        match self.layout {
            Layout::Records => {
                for record in records {
                    write_record(&mut self.out, record)?;
                    self.out.write_all(b"\n")?;
                }
            }
            Layout::Pages => {
                self.out.write_all(b"[")?;
                for (i, record) in records.into_iter().enumerate() {
                    if i > 0 {
                        self.out.write_all(b",")?;
                    }
                    write_record(&mut self.out, record)?;
                }
                self.out.write_all(b"]\n")?;
            }
        }
        self.pending = true;
        Ok(())
    }

    /// Whether written records wait in the buffer.
    pub(crate) fn has_pending(&self) -> bool {
        self.pending
    }

    /// Sends the buffered records on to the reader.
    pub(crate) fn flush(&mut self) -> io::Result<()> {
        self.pending = false;
        self.out.flush()
    }
}

impl RecordWriter<Output> {
    /// Flushes and fsyncs: every record written so far survives a crash. Returns the length.
    pub(crate) fn sync(&mut self) -> io::Result<u64> {
        self.flush()?;
        self.out.inner.get_mut().sync()?;
        Ok(self.len())
    }
}

/// Writes one record on one line (see [`write_single_line`]).
fn write_record(out: &mut impl Write, record: &[u8]) -> io::Result<()> {
    write_single_line(out, record)
}

/// True when writing failed because the reader went away (`restclient ... | head`).
pub(crate) fn is_broken_pipe(error: &io::Error) -> bool {
    error.kind() == io::ErrorKind::BrokenPipe
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(layout: Layout, pages: &[&[&str]]) -> String {
        let mut w = RecordWriter::new(Vec::new(), layout);
        for page in pages {
            w.write_page(page.iter().map(|r| r.as_bytes())).unwrap();
        }
        w.flush().unwrap();
        assert_eq!(w.len(), w.out.inner.len() as u64);
        String::from_utf8(w.out.inner).unwrap()
    }

    #[test]
    fn records_are_written_verbatim_one_per_line() {
        let out = render(
            Layout::Records,
            &[&[r#"{"a": 1.50, "b":"x"}"#, "2"], &[], &[r#""s""#]],
        );
        assert_eq!(out, "{\"a\": 1.50, \"b\":\"x\"}\n2\n\"s\"\n");
    }

    #[test]
    fn pages_become_arrays() {
        let out = render(Layout::Pages, &[&["1", r#"{"a":2}"#], &[]]);
        assert_eq!(out, "[1,{\"a\":2}]\n[]\n");
    }

    #[test]
    fn records_with_raw_newlines_are_compacted_exactly() {
        let pretty = "{\n  \"a b\": \"x \\\" y\\n\",\n  \"n\": 12345678901234567890123,\n  \"l\": [1, 2]\n}";
        let out = render(Layout::Records, &[&[pretty]]);
        assert_eq!(
            out,
            "{\"a b\":\"x \\\" y\\n\",\"n\":12345678901234567890123,\"l\":[1,2]}\n"
        );
        let value: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
        assert_eq!(value["a b"], "x \" y\n");
    }

    #[test]
    fn a_string_ending_in_a_backslash_does_not_confuse_compaction() {
        let pretty = "[\"a\\\\\",\n \"b c\"]";
        let out = render(Layout::Records, &[&[pretty]]);
        assert_eq!(out, "[\"a\\\\\",\"b c\"]\n");
    }
}
