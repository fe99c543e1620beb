//! Paginator configs from any JSON: read, validated, built, and written back unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;
use restclient_fuzz::Json;
use restclient_paginate::PaginatorConfig;

fuzz_target!(|json: Json| {
    let value = json.to_value();
    let from_text = value.to_string().parse::<PaginatorConfig>();
    let config = match PaginatorConfig::from_value(value) {
        Ok(config) => config,
        Err(e) => {
            let _ = e.to_string();
            assert!(
                from_text.is_err(),
                "the same JSON as text was accepted: {from_text:?}"
            );
            return;
        }
    };
    assert_eq!(from_text.as_ref().ok(), Some(&config));
    // validated when read, so it builds
    let paginator = config.build().expect("a config that was read builds");
    assert_eq!(paginator.is_none(), config == PaginatorConfig::Auto);
    // written back, it reads the same
    let back = PaginatorConfig::from_value(config.to_value()).expect("to_value reads back");
    assert_eq!(back, config);
    let text = serde_json::to_string(&config).expect("serializes");
    let again: PaginatorConfig = serde_json::from_str(&text).expect("deserializes");
    assert_eq!(again, config);
});
