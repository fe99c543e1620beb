//! The first page's body as detection reads it: a `serde_json::Value`, as close to what
//! Python's `json.loads` gives dlt as a `Value` can be.
//!
//! JSON text serde_json refuses but Python reads comes in two kinds:
//! - **Lone surrogate escapes** (`"\ud83a"`): Python decodes them to a lone surrogate; a Rust
//!   string cannot hold one, so here they read as U+FFFD. Detection only compares keys and looks
//!   at the first characters of a next link, so the paginator chosen is dlt's; a value the
//!   paginator later has to read as a string fails there with an error naming its position.
//! - **Numbers beyond `f64`** (`1E400`, Python's `inf`) and nesting deeper than serde_json's
//!   limit of 128: no `Value` holds them. [`body_value`] then fails, and the page loop reads the
//!   page as a single page *with a warning saying why* ([`unreadable`]) instead of in silence.

use serde_json::Value;

use super::Detection;
use crate::Paginator;

/// Parses `body` for detection; lone surrogate escapes read as U+FFFD.
///
/// ```
/// use restclient_paginate::detect::body_value;
/// let v = body_value(br#"{"next": "x\ud83ay", "data": [1]}"#).unwrap();
/// assert_eq!(v["next"], "x\u{fffd}y");
/// assert!(body_value(br#"{"total_pages": 1E400}"#).is_err());
/// ```
pub fn body_value(body: &[u8]) -> Result<Value, serde_json::Error> {
    match serde_json::from_slice(body) {
        Ok(value) => Ok(value),
        Err(first) => match without_lone_surrogates(body) {
            Some(repaired) => serde_json::from_slice(&repaired),
            None => Err(first),
        },
    }
}

/// A single page, with a [`Detection::warning`] saying the first page could not be read for
/// detection and why (`reason`: the parser's message), so a caller never reads one page of a
/// paginated API in silence.
pub fn unreadable(reason: &serde_json::Error) -> (Box<dyn Paginator>, Detection) {
    let warning = format!(
        "the first page could not be read to detect a paginator ({reason}); reading it as a single \
         page: configure a paginator if the API has more"
    );
    tracing::warn!("{warning}");
    super::single_page(Some(warning))
}

/// `body` with every `\uXXXX` escape of an unpaired surrogate replaced by `\ufffd` (the same
/// length, so positions stay), or `None` when it holds none.
///
/// In JSON text a backslash only ever starts an escape inside a string, so walking escapes from
/// backslash to backslash needs no tracking of where strings begin and end.
fn without_lone_surrogates(body: &[u8]) -> Option<Vec<u8>> {
    let mut out: Option<Vec<u8>> = None;
    let mut i = 0;
    while i < body.len() {
        let Some(offset) = body[i..].iter().position(|&b| b == b'\\') else {
            break;
        };
        let at = i + offset;
        let Some(unit) = escaped_unit(body, at) else {
            i = at + 2; // any other escape is two bytes
            continue;
        };
        let paired = (0xD800..0xDC00).contains(&unit)
            && escaped_unit(body, at + 6).is_some_and(|low| (0xDC00..0xE000).contains(&low));
        if paired {
            i = at + 12;
        } else {
            if (0xD800..0xE000).contains(&unit) {
                out.get_or_insert_with(|| body.to_vec())[at..at + 6].copy_from_slice(br"\ufffd");
            }
            i = at + 6;
        }
    }
    out
}

/// The code unit of a `\uXXXX` escape starting at `at`, if one does.
fn escaped_unit(body: &[u8], at: usize) -> Option<u32> {
    let escape = body.get(at..at + 6)?;
    if &escape[..2] != br"\u" {
        return None;
    }
    let hex = std::str::from_utf8(&escape[2..]).ok()?;
    u32::from_str_radix(hex, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    #[test]
    fn lone_surrogates_read_as_replacement_characters() {
        let cases = [
            (r#"{"a": "\ud83a"}"#, json!({"a": "\u{fffd}"})),
            (r#"{"a": "\udc00x"}"#, json!({"a": "\u{fffd}x"})),
            (r#"{"a": "\ud83a\ud83a"}"#, json!({"a": "\u{fffd}\u{fffd}"})),
            // a pair stays a pair; an escaped backslash before `u` is no escape
            (r#"{"a": "\ud83d\ude00\ud800"}"#, json!({"a": "😀\u{fffd}"})),
            (
                r#"{"a": "\\ud800", "b": "\ud800"}"#,
                json!({"a": "\\ud800", "b": "\u{fffd}"}),
            ),
            (r#"{"\ud800k": 1}"#, json!({"\u{fffd}k": 1})),
        ];
        for (body, expected) in cases {
            assert_eq!(body_value(body.as_bytes()).unwrap(), expected, "{body}");
        }
    }

    #[test]
    fn other_refusals_stay_errors() {
        for body in [&br#"{"n": 1E400}"#[..], b"{\"a\": ", b"not json", &[b'['; 200]] {
            assert!(body_value(body).is_err(), "{body:?}");
        }
        let (paginator, detection) = unreadable(&body_value(br#"{"n": 1E400}"#).unwrap_err());
        assert_eq!(paginator.name(), "single_page");
        let warning = detection.warning.unwrap();
        assert!(
            warning.contains("could not be read to detect a paginator"),
            "{warning}"
        );
        assert!(warning.contains("number out of range"), "{warning}");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// Never panics; text serde_json reads is read unchanged.
        #[test]
        fn body_value_never_panics(text in r#"[\\u0-9a-fA-FdD"{}\[\]:, ]{0,40}"#) {
            let plain = serde_json::from_str::<Value>(&text).ok();
            let read = body_value(text.as_bytes()).ok();
            if plain.is_some() {
                prop_assert_eq!(read, plain);
            }
        }
    }
}
