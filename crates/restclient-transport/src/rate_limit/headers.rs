//! Reading an API's rate-limit headers as "how long until the next request may go".
//!
//! A response asks every request of the client to wait when it says the quota is spent and when
//! it comes back:
//!
//! - `Retry-After` on a **429** (seconds, decimal seconds or an HTTP date; the retry layer's own
//!   parser, [`parse_retry_after`]). On other statuses `Retry-After` is left to the retry policy.
//! - `X-RateLimit-Remaining: 0` with `X-RateLimit-Reset` (GitHub, Twitter, many others), and the
//!   older IETF draft's `RateLimit-Remaining: 0` with `RateLimit-Reset`. The reset is read by
//!   magnitude: below 10⁹ it is a delay in seconds (10⁹ s is 31 years), up to 10¹² it is a Unix
//!   time in seconds, beyond that a Unix time in milliseconds.
//! - The IETF `RateLimit` field (draft-ietf-httpapi-ratelimit-headers): a list of policies such as
//!   `"default";r=0;t=5`; a policy with `r=0` (nothing remaining) pauses for its `t` seconds, or,
//!   without `t`, for the window `w` of the policy of the same name in `RateLimit-Policy`
//!   (`"default";q=100;w=60`). Draft 7's single dictionary (`limit=100, remaining=0, reset=5`) is
//!   read too.
//!
//! Several signals in one response: the longest wait wins. Anything that does not parse is
//! ignored (never an error, never a panic): a wrong header must not stop a pipeline that would
//! otherwise run. Remaining quota above zero asks for no pause: the token bucket and the adaptive
//! in-flight limit handle pacing.

use std::time::{Duration, SystemTime};

use http::{HeaderMap, HeaderName, StatusCode};

use crate::retry::parse_retry_after;

/// Reset values from here on are Unix times in seconds rather than delays.
const EPOCH_SECONDS_FROM: f64 = 1e9;
/// Reset values from here on are Unix times in milliseconds.
const EPOCH_MILLIS_FROM: f64 = 1e12;

/// How long the response asks every request to wait, if it asks at all (before any cap).
// Parsed once: looking a header up by `&str` parses and hashes the name on every response.
const X_RATELIMIT_REMAINING: HeaderName = HeaderName::from_static("x-ratelimit-remaining");
const X_RATELIMIT_RESET: HeaderName = HeaderName::from_static("x-ratelimit-reset");
const RATELIMIT_REMAINING: HeaderName = HeaderName::from_static("ratelimit-remaining");
const RATELIMIT_RESET: HeaderName = HeaderName::from_static("ratelimit-reset");
const RATELIMIT: HeaderName = HeaderName::from_static("ratelimit");

pub(crate) fn requested_pause(status: StatusCode, headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let mut longest: Option<Duration> = None;
    let mut consider = |wait: Option<Duration>| {
        if let Some(wait) = wait.filter(|w| !w.is_zero()) {
            longest = Some(longest.map_or(wait, |l| l.max(wait)));
        }
    };
    if status == StatusCode::TOO_MANY_REQUESTS {
        for value in headers.get_all(http::header::RETRY_AFTER) {
            consider(value.to_str().ok().and_then(|v| parse_retry_after(v, now)));
        }
    }
    for (remaining, reset) in [
        (&X_RATELIMIT_REMAINING, &X_RATELIMIT_RESET),
        (&RATELIMIT_REMAINING, &RATELIMIT_RESET),
    ] {
        if header_text(headers, remaining).is_some_and(is_zero) {
            consider(header_text(headers, reset).and_then(|v| parse_reset(v, now)));
        }
    }
    for value in headers.get_all(&RATELIMIT) {
        if let Ok(value) = value.to_str() {
            consider(ratelimit_field_pause(value, headers));
        }
    }
    longest
}

fn header_text<'a>(headers: &'a HeaderMap, name: &HeaderName) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// A count of zero (`0`, ` 0 `, `0.0`); anything else, unparsable included, is not.
fn is_zero(value: &str) -> bool {
    number(value).is_some_and(|n| n == 0.0)
}

/// A finite, non-negative decimal number.
fn number(value: &str) -> Option<f64> {
    let value = value.trim();
    // `f64::from_str` accepts `inf`, `NaN` and exponents; a header count has only digits and a dot.
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return None;
    }
    value.parse::<f64>().ok().filter(|n| n.is_finite() && *n >= 0.0)
}

fn seconds(value: f64) -> Option<Duration> {
    Duration::try_from_secs_f64(value).ok()
}

/// A reset value: a delay in seconds, or a Unix time in seconds or milliseconds (by magnitude).
pub(crate) fn parse_reset(value: &str, now: SystemTime) -> Option<Duration> {
    let n = number(value)?;
    if n < EPOCH_SECONDS_FROM {
        return seconds(n);
    }
    let epoch_seconds = if n < EPOCH_MILLIS_FROM { n } else { n / 1000.0 };
    let at = SystemTime::UNIX_EPOCH.checked_add(seconds(epoch_seconds)?)?;
    at.duration_since(now).ok()
}

/// One member of a structured-field list or dictionary: its bare item (a policy name) and its
/// `key=value` parameters, both as text.
#[derive(Debug, Default)]
struct Member<'a> {
    name: Option<&'a str>,
    params: Vec<(&'a str, &'a str)>,
}

impl<'a> Member<'a> {
    fn param(&self, key: &str) -> Option<&'a str> {
        self.params
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|&(_, v)| v)
    }
}

/// Splits `text` on `separator` outside double-quoted strings (policy names may hold commas).
fn split_unquoted(text: &str, separator: u8) -> impl Iterator<Item = &str> {
    let mut in_quotes = false;
    let mut escaped = false;
    let mut start = 0;
    let mut parts = Vec::new();
    for (i, b) in text.bytes().enumerate() {
        match b {
            _ if escaped => escaped = false,
            b'\\' if in_quotes => escaped = true,
            b'"' => in_quotes = !in_quotes,
            _ if b == separator && !in_quotes => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts.into_iter()
}

/// The members of a structured-field list (`a;k=v, b;k=v`), leniently: unparsable pieces are kept
/// as text and simply match nothing later.
fn members(field: &str) -> Vec<Member<'_>> {
    split_unquoted(field, b',')
        .map(|member| {
            let mut parsed = Member::default();
            for (i, part) in split_unquoted(member, b';').enumerate() {
                let part = part.trim();
                match part.split_once('=') {
                    Some((key, value)) => parsed.params.push((key.trim(), value.trim())),
                    None if i == 0 && !part.is_empty() => parsed.name = Some(part),
                    None => {}
                }
            }
            parsed
        })
        .collect()
}

/// The pause one `RateLimit` field asks for: the longest reset among policies with nothing left.
fn ratelimit_field_pause(field: &str, headers: &HeaderMap) -> Option<Duration> {
    let members = members(field);
    let mut longest: Option<Duration> = None;
    // Draft 7: one dictionary, `limit=100, remaining=0, reset=5`: each member is a bare key=value.
    let dictionary = |key: &str| {
        members
            .iter()
            .filter(|m| m.name.is_none())
            .find_map(|m| m.param(key))
    };
    if dictionary("remaining").is_some_and(is_zero) {
        longest = dictionary("reset").and_then(number).and_then(seconds);
    }
    // Later drafts: a list of named policies, `"default";r=0;t=5`.
    for member in members.iter().filter(|m| m.name.is_some()) {
        if !member.param("r").is_some_and(is_zero) {
            continue;
        }
        let wait = match member.param("t") {
            Some(t) => number(t).and_then(seconds),
            None => policy_window(headers, member.name.unwrap_or_default()),
        };
        if let Some(wait) = wait {
            longest = Some(longest.map_or(wait, |l| l.max(wait)));
        }
    }
    longest
}

/// The window `w` of the `RateLimit-Policy` entry named `name`.
fn policy_window(headers: &HeaderMap, name: &str) -> Option<Duration> {
    headers
        .get_all("ratelimit-policy")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|field| {
            members(field)
                .into_iter()
                .map(|m| (m.name, m.param("w")))
                .collect::<Vec<_>>()
        })
        .find(|(policy, _)| *policy == Some(name))
        .and_then(|(_, window)| window)
        .and_then(number)
        .and_then(seconds)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(
                http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                http::HeaderValue::from_str(value).unwrap(),
            );
        }
        map
    }

    fn pause(status: u16, pairs: &[(&str, &str)]) -> Option<Duration> {
        requested_pause(
            StatusCode::from_u16(status).unwrap(),
            &headers(pairs),
            SystemTime::now(),
        )
    }

    const S: fn(u64) -> Duration = Duration::from_secs;

    #[test]
    fn retry_after_counts_on_429_only() {
        assert_eq!(pause(429, &[("retry-after", "3")]), Some(S(3)));
        assert_eq!(
            pause(429, &[("retry-after", "0.5")]),
            Some(Duration::from_millis(500))
        );
        assert_eq!(pause(503, &[("retry-after", "3")]), None);
        assert_eq!(pause(429, &[("retry-after", "0")]), None);
        assert_eq!(pause(429, &[]), None);
    }

    #[test]
    fn x_ratelimit_delta_epoch_and_millis() {
        let now = SystemTime::now();
        let epoch = now.duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs() + 30;
        let pairs = |reset: String| headers(&[("x-ratelimit-remaining", "0"), ("x-ratelimit-reset", &reset)]);
        let delta = requested_pause(StatusCode::OK, &pairs("7".into()), now);
        assert_eq!(delta, Some(S(7)));
        let at = requested_pause(StatusCode::OK, &pairs(epoch.to_string()), now).unwrap();
        assert!(at > S(28) && at <= S(30), "{at:?}");
        let millis = requested_pause(StatusCode::OK, &pairs((epoch * 1000).to_string()), now).unwrap();
        assert!(millis > S(28) && millis <= S(30), "{millis:?}");
        let past = requested_pause(StatusCode::OK, &pairs((epoch - 60).to_string()), now);
        assert_eq!(past, None, "a reset in the past asks for no wait");
        assert_eq!(
            pause(200, &[("x-ratelimit-remaining", "5"), ("x-ratelimit-reset", "7")]),
            None,
            "quota left: no pause"
        );
        assert_eq!(
            pause(200, &[("x-ratelimit-remaining", "0")]),
            None,
            "no reset: no pause"
        );
    }

    #[test]
    fn older_ietf_remaining_and_reset() {
        assert_eq!(
            pause(200, &[("ratelimit-remaining", "0"), ("ratelimit-reset", "4")]),
            Some(S(4))
        );
        assert_eq!(
            pause(200, &[("ratelimit", "limit=100, remaining=0, reset=6")]),
            Some(S(6))
        );
        assert_eq!(
            pause(200, &[("ratelimit", "limit=100, remaining=3, reset=6")]),
            None
        );
    }

    #[test]
    fn ietf_ratelimit_field() {
        assert_eq!(pause(200, &[("ratelimit", "\"default\";r=0;t=5")]), Some(S(5)));
        assert_eq!(pause(200, &[("ratelimit", "\"default\";r=10;t=5")]), None);
        assert_eq!(
            pause(
                200,
                &[(
                    "ratelimit",
                    "\"hour\";r=100;t=3000, \"burst, short\";r=0;t=2, \"day\";r=0;t=9"
                )]
            ),
            Some(S(9)),
            "the longest spent policy wins; quoted commas do not split"
        );
        assert_eq!(
            pause(
                200,
                &[
                    ("ratelimit", "\"default\";r=0"),
                    ("ratelimit-policy", "\"other\";q=5;w=1, \"default\";q=100;w=60"),
                ]
            ),
            Some(S(60)),
            "without t, the policy's window"
        );
        assert_eq!(pause(200, &[("ratelimit", "\"default\";r=0")]), None);
    }

    #[test]
    fn the_longest_signal_wins() {
        assert_eq!(
            pause(
                429,
                &[
                    ("retry-after", "2"),
                    ("x-ratelimit-remaining", "0"),
                    ("x-ratelimit-reset", "8"),
                    ("ratelimit", "\"default\";r=0;t=5"),
                ]
            ),
            Some(S(8))
        );
    }

    #[test]
    fn odd_numbers_are_ignored() {
        for reset in [
            "inf",
            "NaN",
            "-5",
            "1e3",
            "",
            "  ",
            "5s",
            "1.2.3",
            "99999999999999999999999999",
        ] {
            let got = pause(
                200,
                &[("x-ratelimit-remaining", "0"), ("x-ratelimit-reset", reset)],
            );
            assert!(got.is_none() || reset.starts_with("999"), "{reset:?}: {got:?}");
        }
        assert_eq!(
            pause(
                200,
                &[("x-ratelimit-remaining", "none"), ("x-ratelimit-reset", "5")]
            ),
            None
        );
    }

    proptest! {
        /// Any header text gives a pause or none, never a panic.
        #[test]
        fn parsers_never_panic(
            a in "\\PC{0,40}",
            b in "[ -~]{0,40}",
            c in "[0-9.;=,\" a-z]{0,60}",
            status in 100u16..600,
        ) {
            let now = SystemTime::now();
            let _ = parse_reset(&a, now);
            let _ = ratelimit_field_pause(&a, &HeaderMap::new());
            let _ = ratelimit_field_pause(&c, &HeaderMap::new());
            let mut map = HeaderMap::new();
            for name in ["retry-after", "x-ratelimit-remaining", "x-ratelimit-reset", "ratelimit-remaining",
                         "ratelimit-reset", "ratelimit", "ratelimit-policy"] {
                for value in [&b, &c] {
                    if let Ok(value) = http::HeaderValue::from_str(value) {
                        map.append(name, value);
                    }
                }
            }
            let status = StatusCode::from_u16(status).unwrap();
            if let Some(wait) = requested_pause(status, &map, now) {
                prop_assert!(!wait.is_zero());
            }
        }
    }
}
