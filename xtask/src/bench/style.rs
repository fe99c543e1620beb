//! The five pagination styles the benchmark server speaks, and how each client is told about them.

use std::fmt;
use std::str::FromStr;

/// One pagination style: how the server splits the dataset and how a client finds the next page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Style {
    /// `?offset=&limit=`, body `{"data":[...],"total":N}`.
    Offset,
    /// `?offset=&limit=`, body `{"data":[...]}`: no total, the run ends on an empty page. Only in
    /// the latency run (not in [`Style::ALL`]).
    OffsetNoTotal,
    /// `?page=` (from 1), body `{"data":[...],"total_pages":P}`.
    PageNumber,
    /// `?cursor=`, body `{"data":[...],"next_cursor":"..."|null}`.
    Cursor,
    /// body `{"data":[...],"next":"http://..."|null}`.
    JsonLink,
    /// top-level array body, `Link: <http://...>; rel="next"` header.
    HeaderLink,
}

impl Style {
    /// Every style, in report order.
    pub(crate) const ALL: [Style; 5] = [
        Style::Offset,
        Style::PageNumber,
        Style::Cursor,
        Style::JsonLink,
        Style::HeaderLink,
    ];

    /// The styles of the latency run: the two that state a total, offset without one, cursor.
    pub(crate) const LATENCY: [Style; 4] = [
        Style::Offset,
        Style::PageNumber,
        Style::OffsetNoTotal,
        Style::Cursor,
    ];

    /// Whether a client can have several requests of one run in flight (offset and page number).
    pub(crate) fn can_fetch_ahead(self) -> bool {
        matches!(self, Style::Offset | Style::PageNumber | Style::OffsetNoTotal)
    }

    /// The name used in URLs, flags and the report.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Style::Offset => "offset",
            Style::OffsetNoTotal => "offset_no_total",
            Style::PageNumber => "page_number",
            Style::Cursor => "cursor",
            Style::JsonLink => "json_link",
            Style::HeaderLink => "header_link",
        }
    }

    /// dlt's declarative paginator dict for this style, given to both the CLI and the dlt script.
    pub(crate) fn paginator_json(self, page_size: usize) -> String {
        match self {
            Style::Offset => {
                format!(r#"{{"type":"offset","limit":{page_size},"total_path":"total"}}"#)
            }
            Style::OffsetNoTotal => {
                format!(r#"{{"type":"offset","limit":{page_size},"total_path":null}}"#)
            }
            Style::PageNumber => {
                r#"{"type":"page_number","base_page":1,"page_param":"page","total_path":"total_pages"}"#
                    .to_owned()
            }
            Style::Cursor => {
                r#"{"type":"cursor","cursor_path":"next_cursor","cursor_param":"cursor"}"#.to_owned()
            }
            Style::JsonLink => r#"{"type":"json_link","next_url_path":"next"}"#.to_owned(),
            Style::HeaderLink => r#"{"type":"header_link"}"#.to_owned(),
        }
    }

    /// The JSONPath to the records.
    pub(crate) fn data_selector(self) -> &'static str {
        match self {
            Style::HeaderLink => "$",
            _ => "data",
        }
    }

    /// The first URL of a run: everything the server needs (style, record count, page size, added
    /// latency) is in the path, so every paginator carries it along unchanged.
    pub(crate) fn url(self, base: &str, records: u64, page_size: usize, delay_ms: u64) -> String {
        format!("{base}/{}/{records}/{page_size}/{delay_ms}", self.name())
    }
}

impl fmt::Display for Style {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Style {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Style::ALL
            .into_iter()
            .chain([Style::OffsetNoTotal])
            .find(|style| style.name() == s || style.name().replace('_', "-") == s)
            .ok_or_else(|| {
                format!(
                    "unknown style {s:?}; expected one of {}",
                    Style::ALL.map(Style::name).join(", ")
                )
            })
    }
}
