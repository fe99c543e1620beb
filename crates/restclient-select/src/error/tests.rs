//! Malformed bodies: the error says where (byte offset, line, column).

use bytes::Bytes;

use crate::test_support::sel;
use crate::{Document, Query, SelectError};

#[test]
fn malformed_json_reports_offset_line_column() {
    let cases: [(&[u8], usize, usize, usize); 6] = [
        (b"{\"a\": [1, 2,]}", 12, 1, 13),
        (b"{\n  \"a\": tru\n}", 13, 3, 1),
        (b"", 0, 1, 1),
        (b"{\"a\": 1} x", 9, 1, 10),
        (b"{\"a\": \"\xff\"}", 7, 1, 8),
        (b"[1, 2", 4, 1, 5),
    ];
    for (body, offset, line, column) in cases {
        match Document::parse(Bytes::from_static(body), &Query::new([&sel("a")])) {
            Err(SelectError::MalformedJson {
                offset: o,
                line: l,
                column: c,
                reason,
            }) => {
                assert_eq!((o, l, c), (offset, line, column), "{body:?}: {reason}");
                assert!(!reason.contains(" at line "), "{reason}");
            }
            other => panic!("{body:?}: {other:?}"),
        }
    }
}
