//! Across crates: a resource of a declarative source (`restclient-source`) and the same endpoint
//! paginated through the facade (`restclient`) read the same records, in the same order, with the
//! same requests (fetched ahead, so maybe in another order) — the source runner adds orchestration, never a different pagination.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

use futures_util::TryStreamExt;
use restclient::prelude::*;
use restclient_source::{RestApiConfig, RunOptions, Source};
use restclient_testkit::{OffsetApi, TestServer};
use serde_json::json;

#[tokio::test]
async fn a_source_resource_reads_what_the_facade_reads() {
    let server = TestServer::start().await;
    server.route("/items", OffsetApi::new(47).with_total());
    let paginator = json!({"type": "offset", "limit": 10, "total_path": "total"});

    let client = RestClient::builder().base_url(server.base_url()).build().unwrap();
    let pages: Vec<Page> = client
        .paginate("items")
        .paginator_config(serde_json::from_value(paginator.clone()).unwrap())
        .data_selector("data")
        .pages()
        .try_collect()
        .await
        .unwrap();
    let facade: String = pages
        .iter()
        .flat_map(|p| {
            p.records()
                .iter()
                .map(|r| format!("{}\n", String::from_utf8_lossy(r.as_bytes())))
        })
        .collect();
    let facade_requests: Vec<String> = server.requests().iter().map(|r| r.uri.to_string()).collect();
    server.clear_requests();

    let config = RestApiConfig::from_value_with_env(
        json!({
            "client": {"base_url": server.base_url(), "paginator": paginator},
            "resources": [{"name": "items", "endpoint": {"path": "items", "data_selector": "data"}}]
        }),
        &|_| None,
    )
    .unwrap();
    let dir = std::env::temp_dir().join(format!("restclient-e2e-{}", std::process::id()));
    let summary = Source::from_config(config)
        .unwrap()
        .run(&RunOptions::new(&dir))
        .await
        .unwrap();
    assert!(summary.is_success());
    let source = std::fs::read_to_string(dir.join("items.ndjson")).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(source, facade);
    assert_eq!(source.lines().count(), 47);
    // The same requests; the source fetches ahead, so they may arrive in another order.
    let mut source_requests: Vec<String> = server.requests().iter().map(|r| r.uri.to_string()).collect();
    let mut facade_requests = facade_requests;
    source_requests.sort();
    facade_requests.sort();
    assert_eq!(source_requests, facade_requests);
}
