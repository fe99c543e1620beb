//! `PaginateLayer` outermost in a tower stack over the testkit (issue 10 §6).
#![allow(clippy::unwrap_used)] // test helpers and responders outside #[test] functions

mod common;

use std::time::Duration;

use common::*;
use futures_util::TryStreamExt;
use http::HeaderValue;
use restclient_core::Request;
use restclient_paginate::*;
use restclient_testkit::{OffsetApi, SeededFaults, TestServer};
use tower::{Layer, Service, ServiceBuilder, ServiceExt};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_service_builder_stack_paginates_each_page_through_the_layers_below() {
    for concurrency in [1, 4] {
        // a fresh server each time, so both runs meet the same faults
        let server = TestServer::start().await;
        server.route("/items", SeededFaults::new(OffsetApi::new(45).with_total(), 3, 2));
        let options = PaginateOptions {
            concurrency,
            ..opts(OffsetPaginator::with_limit(10), "data")
        };
        let mut stack = ServiceBuilder::new()
            .layer(PaginateLayer::new(options))
            // below the paginator: every page's request gets the header and its own deadline
            .map_request(|mut request: Request| {
                request
                    .headers_mut()
                    .insert("x-layer", HeaderValue::from_static("seen"));
                request
            })
            .timeout(Duration::from_secs(10))
            .service(retrying_client());
        let pages: Vec<Page> = stack
            .ready()
            .await
            .unwrap()
            .call(get(&server.url("/items")))
            .await
            .unwrap()
            .try_collect()
            .await
            .unwrap();
        let ids: Vec<i64> = pages
            .iter()
            .flat_map(|p| {
                p.records
                    .iter()
                    .map(|r| r.to_value().unwrap()["id"].as_i64().unwrap())
            })
            .collect();
        assert_eq!(ids, (0..45).collect::<Vec<_>>(), "N={concurrency}");
        let requests = server.requests_to("/items");
        assert!(requests.len() > 5, "faults were retried below the paginator");
        assert!(requests.iter().all(|r| r.header("x-layer") == Some("seen")));
    }
}

#[tokio::test]
async fn the_layer_from_a_config_and_a_bad_selector() {
    let server = TestServer::start().await;
    server.route("/items", OffsetApi::new(25).with_total());
    let config: PaginatorConfig = r#"{"type": "offset", "limit": 10}"#.parse().unwrap();
    let layer = PaginateLayer::from_config(&config, Some("data")).unwrap();
    assert_eq!(
        layer.options().paginator.as_ref().map(|p| p.name()),
        Some("offset")
    );
    let mut paginate = layer.layer(client());
    // each call starts a fresh run
    for _ in 0..2 {
        let pages: Vec<Page> = paginate
            .call(get(&server.url("/items")))
            .await
            .unwrap()
            .try_collect()
            .await
            .unwrap();
        assert_eq!(
            pages.iter().map(|p| p.records.len()).collect::<Vec<_>>(),
            [10, 10, 5]
        );
    }
    let err = PaginateLayer::from_config(&config, Some("$[?(")).unwrap_err();
    assert!(matches!(err, PaginateError::Select(_)), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paginate_over_auth_over_retry_over_the_http_client() {
    use restclient_auth::{AuthLayer, BearerToken};
    use restclient_transport::{HttpClient, RetryLayer, StandardRetryPolicy};

    let mut baseline = None;
    for concurrency in [1, 4] {
        let server = TestServer::start().await;
        server.route(
            "/items",
            SeededFaults::new(OffsetApi::new(45).with_total(), 11, 2),
        );
        let options = PaginateOptions {
            concurrency,
            ..opts(OffsetPaginator::with_limit(10), "data")
        };
        let policy = StandardRetryPolicy::new().max_attempts(5).backoff_factor(0.001);
        let mut stack = ServiceBuilder::new()
            .layer(PaginateLayer::new(options))
            .layer(AuthLayer::new(BearerToken::new("t0ken-for-the-stack").unwrap()))
            .layer(RetryLayer::new(policy))
            .service(HttpClient::new().unwrap());
        let pages: Vec<Page> = stack
            .ready()
            .await
            .unwrap()
            .call(get(&server.url("/items")))
            .await
            .unwrap()
            .try_collect()
            .await
            .unwrap();
        let got: Vec<(String, Vec<serde_json::Value>)> = pages
            .iter()
            .map(|p| {
                let records = p.records.iter().map(|r| r.to_value().unwrap()).collect();
                (p.request.uri().path_and_query().unwrap().to_string(), records)
            })
            .collect();
        assert_eq!(got.iter().map(|(_, r)| r.len()).sum::<usize>(), 45);
        let requests = server.requests_to("/items");
        assert!(
            requests.len() > pages.len(),
            "faults were retried below the paginator"
        );
        assert!(
            requests
                .iter()
                .all(|r| r.header("authorization") == Some("Bearer t0ken-for-the-stack")),
            "every attempt is authenticated"
        );
        match &baseline {
            None => baseline = Some(got),
            Some(want) => assert_eq!(&got, want, "N={concurrency}"),
        }
    }
}
