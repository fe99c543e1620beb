//! The one error type of this crate.

/// Everything that can go wrong while compiling a path or reading a document.
///
/// ```
/// use restclient_select::{SelectError, Selector};
///
/// let err = Selector::parse("data.").unwrap_err();
/// assert!(matches!(err, SelectError::InvalidPath { .. }));
/// assert!(err.to_string().contains("data."));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SelectError {
    /// The path could not be compiled. Raised by [`Selector::parse`](crate::Selector::parse), so a bad
    /// path fails before the first request.
    #[error("invalid JSONPath `{path}`: {reason}")]
    InvalidPath {
        /// The path as given.
        path: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The body is not valid JSON (or not UTF-8).
    #[error("malformed JSON at byte {offset} (line {line}, column {column}): {reason}")]
    MalformedJson {
        /// Byte offset into the body where the problem was detected.
        offset: usize,
        /// One-based line.
        line: usize,
        /// One-based column (in bytes).
        column: usize,
        /// What the parser found.
        reason: String,
    },
    /// A record could not be turned into the requested Rust type.
    #[error("cannot deserialize record: {0}")]
    Deserialize(#[source] serde_json::Error),
    /// jsonpath_lib failed (or panicked) while evaluating a full JSONPath.
    #[error("cannot evaluate JSONPath `{path}`: {reason}")]
    Evaluate {
        /// The path as given.
        path: String,
        /// What went wrong.
        reason: String,
    },
}

impl SelectError {
    pub(crate) fn invalid_path(path: &str, reason: impl Into<String>) -> Self {
        SelectError::InvalidPath {
            path: path.to_owned(),
            reason: reason.into(),
        }
    }

    /// Builds [`SelectError::MalformedJson`] from a serde_json error over `body`.
    pub(crate) fn malformed(body: &[u8], err: &serde_json::Error) -> Self {
        let line = err.line().max(1);
        let column = err.column();
        let offset = line_col_to_offset(body, line, column);
        let reason = strip_position(&err.to_string());
        SelectError::MalformedJson {
            offset,
            line,
            column: column.max(1),
            reason,
        }
    }

    /// Builds [`SelectError::MalformedJson`] for invalid UTF-8 at `offset`.
    pub(crate) fn bad_utf8(body: &[u8], offset: usize) -> Self {
        let before = body.get(..offset).unwrap_or(body);
        let line = 1 + before.iter().filter(|b| **b == b'\n').count();
        let line_start = before.iter().rposition(|b| *b == b'\n').map_or(0, |p| p + 1);
        SelectError::MalformedJson {
            offset,
            line,
            column: offset - line_start + 1,
            reason: "invalid UTF-8".to_owned(),
        }
    }
}

/// serde_json reports one-based lines and columns; turn them back into a byte offset.
fn line_col_to_offset(body: &[u8], line: usize, column: usize) -> usize {
    let mut start = 0;
    let mut current = 1;
    if line > 1 {
        for (i, b) in body.iter().enumerate() {
            if *b == b'\n' {
                current += 1;
                if current == line {
                    start = i + 1;
                    break;
                }
            }
        }
    }
    (start + column.saturating_sub(1)).min(body.len())
}

/// serde_json appends " at line X column Y"; we report those fields separately.
fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(p) => msg[..p].to_owned(),
        None => msg.to_owned(),
    }
}

#[cfg(test)]
mod tests;
