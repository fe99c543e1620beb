//! `Retry-After` values: any text, at any "now".
#![no_main]

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use libfuzzer_sys::fuzz_target;
use restclient_transport::parse_retry_after;

fuzz_target!(|input: (u32, &str)| {
    let (seconds, value) = input;
    let now = UNIX_EPOCH + Duration::from_secs(u64::from(seconds) * 8);
    let wait = parse_retry_after(value, now);
    // a wait is never zero: zero and past dates are "absent" (dlt 1.31)
    assert_ne!(wait, Some(Duration::ZERO), "{value:?}");
    // whole seconds are read exactly
    let trimmed = value.trim();
    if !trimmed.is_empty() && trimmed.bytes().all(|b| b.is_ascii_digit()) {
        match trimmed.parse::<u64>() {
            Ok(0) => assert_eq!(wait, None, "{value:?}"),
            Ok(n) => assert_eq!(wait, Some(Duration::from_secs(n)), "{value:?}"),
            Err(_) => assert!(wait.is_some(), "{value:?}"),
        }
    }
    let _ = parse_retry_after(value, SystemTime::now());
});
