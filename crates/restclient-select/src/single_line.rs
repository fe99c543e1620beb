//! [`write_single_line`]: a JSON value on one line, for NDJSON output.
//!
//! Records go out exactly as the server sent them. The only rewrite is for a record that contains
//! a raw line break (a pretty-printed body), which would break the one-record-per-line format. JSON
//! strings cannot hold a raw line break (control characters must be escaped), so such a byte is
//! always whitespace between tokens, and dropping the whitespace outside strings keeps numbers, key
//! order and escapes exactly as they came, with no `Value` tree built.

use std::io::{self, Write};

/// Writes one JSON value (its surrounding whitespace trimmed) without any raw line break: verbatim,
/// or compacted when it holds one. No newline is added.
///
/// ```
/// let mut out = Vec::new();
/// restclient_select::write_single_line(&mut out, b"{\n  \"a\": \"x y\",\n  \"b\": [1, 2]\n}").unwrap();
/// assert_eq!(out, br#"{"a":"x y","b":[1,2]}"#);
/// ```
pub fn write_single_line(out: &mut impl Write, json: &[u8]) -> io::Result<()> {
    let json = json.trim_ascii();
    // Inside a JSON value a raw line break can only be whitespace; one SIMD scan finds it.
    if memchr::memchr2(b'\n', b'\r', json).is_none() {
        return out.write_all(json);
    }
    let mut in_string = false;
    let mut escaped = false;
    let mut start = 0;
    for (i, &byte) in json.iter().enumerate() {
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
            out.write_all(&json[start..i])?;
            start = i + 1;
        }
    }
    out.write_all(&json[start..])
}
