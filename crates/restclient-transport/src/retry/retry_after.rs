//! The `Retry-After` header (RFC 9110 §10.2.3): delay seconds or an HTTP date. dlt reads whole
//! seconds and dates; decimals are honoured here too. One parser serves the retry policy and the
//! rate limiter.

use std::time::{Duration, SystemTime};

/// Parses a `Retry-After` value as dlt does, plus decimals: integer seconds, decimal seconds, or
/// an HTTP date (minus `now`). `None` when it does not parse or is zero or less (in the past).
///
/// ```
/// use restclient_transport::parse_retry_after;
/// use std::time::{Duration, SystemTime};
///
/// let now = SystemTime::now();
/// assert_eq!(parse_retry_after(" 3 ", now), Some(Duration::from_secs(3)));
/// assert_eq!(parse_retry_after("1.5", now), Some(Duration::from_millis(1500)));
/// assert_eq!(parse_retry_after("0", now), None);
/// assert_eq!(parse_retry_after("-1", now), None);
/// assert_eq!(parse_retry_after("soon", now), None);
/// ```
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    let numeric = !value.is_empty()
        && value.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && value.bytes().filter(|&b| b == b'.').count() <= 1
        && value.bytes().any(|b| b.is_ascii_digit());
    let wait = if numeric {
        if value.contains('.') {
            let seconds: f64 = value.parse().ok()?;
            Duration::try_from_secs_f64(seconds).unwrap_or(Duration::MAX)
        } else {
            // All digits: too many for u64 is "very long", which the cap then bounds.
            Duration::from_secs(value.parse::<u64>().unwrap_or(u64::MAX))
        }
    } else {
        let date = httpdate::parse_http_date(value).ok()?;
        date.duration_since(now).ok()?
    };
    (!wait.is_zero()).then_some(wait)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn retry_after_http_date() {
        let now = SystemTime::now();
        let ahead = httpdate::fmt_http_date(now + Duration::from_secs(3));
        let wait = parse_retry_after(&ahead, now).unwrap();
        assert!(
            wait > Duration::from_secs(2) && wait <= Duration::from_secs(3),
            "{wait:?}"
        );
        let past = httpdate::fmt_http_date(now - Duration::from_secs(3));
        assert_eq!(parse_retry_after(&past, now), None);
        assert_eq!(parse_retry_after("", now), None);
        assert_eq!(parse_retry_after(".", now), None);
        assert_eq!(parse_retry_after("1.2.3", now), None);
        assert_eq!(
            parse_retry_after("99999999999999999999999", now),
            Some(Duration::from_secs(u64::MAX))
        );
    }

    proptest! {
        /// Any header text parses to a positive wait or to nothing, never a panic; whole seconds
        /// read back exactly.
        #[test]
        fn retry_after_never_panics(value in "\\PC{0,40}", seconds in 1u64..1_000_000) {
            let now = SystemTime::now();
            if let Some(wait) = parse_retry_after(&value, now) {
                prop_assert!(!wait.is_zero());
            }
            prop_assert_eq!(parse_retry_after(&format!(" {seconds} "), now), Some(Duration::from_secs(seconds)));
        }
    }
}
