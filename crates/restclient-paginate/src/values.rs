//! Reading small values from a page the way dlt (Python) does: `int()` for totals and str2bool for
//! `has_more`.

use restclient_select::{JsonKind, RawRecord, Selector};

use crate::error::excerpt;
use crate::{PageContext, PaginateError};

/// Python `int()` over a JSON value: integers as is, floats truncated toward zero, `true`/`false`
/// as 1/0, strings holding a (signed, possibly `_`-separated, whitespace-padded) integer.
/// `None` for everything Python rejects (`"25.0"`, `"abc"`, `null`, lists, objects) and for values
/// outside `i64`.
pub(crate) fn python_int(record: &RawRecord) -> Option<i64> {
    match record.kind() {
        JsonKind::Bool => Some(i64::from(record.is_truthy())),
        JsonKind::Number => {
            let text = std::str::from_utf8(record.as_bytes()).ok()?.trim();
            if let Ok(i) = text.parse::<i64>() {
                return Some(i);
            }
            float_to_i64(text.parse::<f64>().ok()?)
        }
        JsonKind::String => python_int_str(&record.as_str()?),
        _ => None,
    }
}

/// Python `int(float)`: truncates toward zero; `None` outside `i64`.
pub(crate) fn float_to_i64(f: f64) -> Option<i64> {
    let f = f.trunc();
    // 2^63 is exactly representable; i64::MAX is not (it rounds up to 2^63): compare strictly.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    (-LIMIT..LIMIT).contains(&f).then_some(f as i64)
}

/// Python `int(str)`: surrounding whitespace, an optional sign, ASCII digits with single `_`
/// between digits.
pub(crate) fn python_int_str(text: &str) -> Option<i64> {
    let t = text.trim();
    let (negative, digits) = match t.as_bytes().first()? {
        b'-' => (true, &t[1..]),
        b'+' => (false, &t[1..]),
        _ => (false, t),
    };
    if digits.is_empty()
        || digits.starts_with('_')
        || digits.ends_with('_')
        || digits.contains("__")
        || !digits.bytes().all(|b| b.is_ascii_digit() || b == b'_')
    {
        return None;
    }
    let clean: String = digits.chars().filter(|c| *c != '_').collect();
    let n: i64 = clean.parse().ok()?;
    Some(if negative { -n } else { n })
}

/// dlt 1.31's `has_more` veto, shared by range and cursor paginators: with a `has_more_path`, the
/// flag is read on every page (even after another condition stopped, so a missing flag is still
/// an error) and can only turn `has_next` off, never on.
pub(crate) fn has_more_veto(
    path: Option<&Selector>,
    page: &PageContext<'_>,
    has_next: bool,
) -> Result<bool, PaginateError> {
    let Some(path) = path else {
        return Ok(has_next);
    };
    let found = page.document.first(path)?;
    let more = has_more(found.as_ref(), path.as_str())?;
    Ok(has_next && more)
}

/// dlt's has_more rules: a bool as is, a string through str2bool (case-insensitive
/// `yes/true/t/y/1`, `no/false/f/n/0`), anything else "not a bool"; missing or `null` "not found".
fn has_more(found: Option<&RawRecord>, path: &str) -> Result<bool, PaginateError> {
    let record = match found {
        Some(r) if !r.is_null() => r,
        _ => {
            return Err(PaginateError::MissingHasMore {
                path: path.to_owned(),
            });
        }
    };
    let invalid = || PaginateError::InvalidHasMore {
        path: path.to_owned(),
        excerpt: excerpt(record.as_bytes()),
    };
    match record.kind() {
        JsonKind::Bool => Ok(record.is_truthy()),
        JsonKind::String => {
            let s = record.as_str().ok_or_else(invalid)?.to_lowercase();
            match s.as_str() {
                "yes" | "true" | "t" | "y" | "1" => Ok(true),
                "no" | "false" | "f" | "n" | "0" => Ok(false),
                _ => Err(invalid()),
            }
        }
        _ => Err(invalid()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_int_strings() {
        for (s, v) in [
            ("25", Some(25)),
            (" 25\n", Some(25)),
            ("+7", Some(7)),
            ("-3", Some(-3)),
            ("1_000", Some(1000)),
            ("1__0", None),
            ("_1", None),
            ("25.0", None),
            ("abc", None),
            ("", None),
            ("-", None),
        ] {
            assert_eq!(python_int_str(s), v, "{s:?}");
        }
    }
}
