//! RFC 8288 `Link` headers: any bytes, split into several headers at `\n`.
#![no_main]

use http::header::{HeaderMap, HeaderValue, LINK};
use libfuzzer_sys::fuzz_target;
use restclient_paginate::parse_link_headers;

fuzz_target!(|data: &[u8]| {
    let mut headers = HeaderMap::new();
    for part in data.split(|b| *b == b'\n') {
        if let Ok(value) = HeaderValue::from_bytes(part) {
            headers.append(LINK, value);
        }
    }
    match parse_link_headers(&headers) {
        Ok(links) => {
            for link in &links {
                for (name, _) in &link.params {
                    assert!(!name.is_empty(), "{links:?}");
                    assert_eq!(name, &name.to_ascii_lowercase(), "{links:?}");
                }
            }
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
});
