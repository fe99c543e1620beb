//! Offset and page-number pagination against a real server (spec scenarios 15–48).
#![allow(clippy::unwrap_used)] // test helpers and responders outside #[test] functions

mod common;

use common::*;
use restclient_paginate::*;
use restclient_testkit::{OffsetApi, RecordedRequest, Reply, TestServer};
use serde_json::{Value, json};

fn offsets(server: &TestServer, path: &str) -> Vec<String> {
    server
        .requests_to(path)
        .iter()
        .map(|r| r.query_param("offset").unwrap_or_default())
        .collect()
}

#[tokio::test]
async fn offset_with_total_and_user_params() {
    // scenario 15
    let server = TestServer::start().await;
    server.route("/p05", OffsetApi::new(25).extra(json!({"total": 25})));
    let (pages, err) = collect(
        get(&server.url("/p05?q=x")),
        opts(OffsetPaginator::with_limit(10), "data"),
    )
    .await;
    assert!(err.is_none(), "{err:?}");
    assert_eq!(
        queries(&server, "/p05"),
        [
            "q=x&offset=0&limit=10",
            "q=x&offset=10&limit=10",
            "q=x&offset=20&limit=10"
        ]
    );
    assert_eq!(
        pages.iter().map(|p| p.records.len()).collect::<Vec<_>>(),
        [10, 10, 5]
    );
    assert_eq!(
        pages[2].paginator_state,
        PaginatorState::Range {
            current: 30,
            total: Some(25),
            has_next_page: false
        }
    );
}

#[tokio::test]
async fn offset_missing_total_fails_before_the_page() {
    // scenario 16
    let server = TestServer::start().await;
    server.route("/p06", OffsetApi::new(25));
    let (pages, err) = collect(
        get(&server.url("/p06")),
        opts(OffsetPaginator::with_limit(10), "data"),
    )
    .await;
    assert!(pages.is_empty());
    let err = err.unwrap();
    assert!(
        matches!(err, PaginateError::MissingTotal { noun: "items", .. }),
        "{err}"
    );
    assert!(err.to_string().contains("not found"));
}

#[tokio::test]
async fn offset_without_total_stops_on_empty_page_or_maximum() {
    // scenarios 17, 18
    let server = TestServer::start().await;
    server.route("/p07", OffsetApi::new(25));
    let cfg = OffsetConfig {
        total_path: None,
        ..OffsetConfig::new(10)
    };
    let (pages, _) = collect(
        get(&server.url("/p07")),
        opts(cfg.clone().build().unwrap(), "data"),
    )
    .await;
    assert_eq!(
        pages.iter().map(|p| p.records.len()).collect::<Vec<_>>(),
        [10, 10, 5, 0]
    );
    let cfg = OffsetConfig {
        maximum_offset: Some(20),
        ..cfg
    };
    server.route("/p08", OffsetApi::new(100));
    collect(get(&server.url("/p08")), opts(cfg.build().unwrap(), "data")).await;
    assert_eq!(offsets(&server, "/p08"), ["0", "10"]);
}

#[tokio::test]
async fn has_more_values() {
    // scenarios 20–24, 39, 40
    type Case = (Vec<Value>, Option<i64>, Result<usize, &'static str>);
    let cases: Vec<Case> = vec![
        (vec![json!(true), json!("true"), json!("false")], None, Ok(3)),
        (
            vec![json!("YES"), json!("y"), json!("T"), json!("1")],
            Some(30),
            Ok(3),
        ),
        (vec![json!(1)], None, Err("not a `bool`")),
        (vec![json!(null)], None, Err("Has more value not found")),
        (vec![json!("invalid")], None, Err("not a `bool`")),
    ];
    for (values, max, expected) in cases {
        let server = TestServer::start().await;
        let vals = values.clone();
        server.route("/p09", move |r: &RecordedRequest| {
            let offset: usize = r.query_param("offset").unwrap().parse().unwrap();
            let i = offset / 10;
            Reply::json(
                &json!({"data": items(0, 10), "has_more": vals.get(i).cloned().unwrap_or(json!(false))}),
            )
        });
        let cfg = OffsetConfig {
            total_path: None,
            maximum_offset: max,
            has_more_path: Some("has_more".into()),
            ..OffsetConfig::new(10)
        };
        let (pages, err) = collect(get(&server.url("/p09")), opts(cfg.build().unwrap(), "data")).await;
        match expected {
            Ok(n) => {
                assert!(err.is_none(), "{values:?}: {err:?}");
                assert_eq!(server.hits("/p09"), n, "{values:?}");
                assert_eq!(pages.len(), n);
            }
            Err(msg) => {
                assert!(pages.is_empty());
                assert!(err.unwrap().to_string().contains(msg), "{values:?}");
            }
        }
    }
    // has_more can only veto: total 100 + has_more false → 1 request; total 10 + true → 1
    for (total, more) in [(100, false), (10, true)] {
        let server = TestServer::start().await;
        server.route(
            "/p69",
            OffsetApi::new(total).extra(json!({"total": total, "has_more": more})),
        );
        let cfg = OffsetConfig {
            has_more_path: Some("has_more".into()),
            ..OffsetConfig::new(10)
        };
        collect(get(&server.url("/p69")), opts(cfg.build().unwrap(), "data")).await;
        assert_eq!(server.hits("/p69"), 1);
    }
}

#[tokio::test]
async fn total_conversion_like_python_int() {
    // scenarios 25–29
    for (total, expected) in [
        (json!("25"), Ok(3)),
        (json!(25.9), Ok(3)),
        (json!(true), Ok(1)),
        (json!("25.0"), Err("is not an `int`")),
        (json!("invalid"), Err("is not an `int`")),
        (json!({"n": 25}), Err("is not an `int`")),
        (json!(null), Err("not found")),
    ] {
        let server = TestServer::start().await;
        server.route("/p10", OffsetApi::new(25).extra(json!({"total": total})));
        let (pages, err) = collect(
            get(&server.url("/p10")),
            opts(OffsetPaginator::with_limit(10), "data"),
        )
        .await;
        match expected {
            Ok(n) => {
                assert!(err.is_none(), "{total}: {err:?}");
                assert_eq!(pages.len(), n, "{total}");
            }
            Err(msg) => {
                let err = err.unwrap();
                assert!(err.to_string().contains(msg), "{total}: {err}");
                assert!(pages.is_empty());
            }
        }
    }
}

#[tokio::test]
async fn offset_start_rooted_total_and_empty_first_page() {
    // scenarios 36, 37, 38
    let server = TestServer::start().await;
    server.route("/p36", OffsetApi::new(3).extra(json!({"total": 3})));
    let cfg = OffsetConfig {
        offset: 5,
        ..OffsetConfig::new(2)
    };
    collect(get(&server.url("/p36")), opts(cfg.build().unwrap(), "data")).await;
    assert_eq!(queries(&server, "/p36"), ["offset=5&limit=2"]);

    server.route("/p37", OffsetApi::new(4).extra(json!({"meta": {"total": 4}})));
    let cfg = OffsetConfig {
        total_path: Some("$.meta.total".into()),
        ..OffsetConfig::new(2)
    };
    collect(get(&server.url("/p37")), opts(cfg.build().unwrap(), "data")).await;
    assert_eq!(offsets(&server, "/p37"), ["0", "2"]);

    server.route("/p67", Reply::json(&json!({"data": []})));
    let (pages, err) = collect(
        get(&server.url("/p67")),
        opts(OffsetPaginator::with_limit(10), "data"),
    )
    .await;
    assert!(err.is_none());
    assert_eq!(pages.len(), 1);
    assert!(pages[0].records.is_empty());
}

fn page_api(pages: i64, extra: Value) -> impl Fn(&RecordedRequest) -> Reply + Send + Sync {
    move |r: &RecordedRequest| {
        let page: i64 = r.query_param("page").map_or(0, |v| v.parse().unwrap());
        let mut body = json!({"data": [page], "total": pages});
        if let (Value::Object(b), Value::Object(e)) = (&mut body, &extra) {
            b.extend(e.clone());
        }
        Reply::json(&body)
    }
}

fn page_params(server: &TestServer, path: &str) -> Vec<String> {
    server
        .requests_to(path)
        .iter()
        .map(|r| r.query_param("page").unwrap_or_default())
        .collect()
}

#[tokio::test]
async fn page_number_bases_start_and_maximum() {
    // scenarios 30–33
    for (cfg, expected) in [
        (PageNumberConfig::default(), vec!["0", "1", "2"]),
        (
            PageNumberConfig {
                base_page: 1,
                ..Default::default()
            },
            vec!["1", "2", "3"],
        ),
        (
            PageNumberConfig {
                base_page: 1,
                page: Some(2),
                ..Default::default()
            },
            vec!["2", "3"],
        ),
        (
            PageNumberConfig {
                base_page: 1,
                maximum_page: Some(3),
                total_path: None,
                ..Default::default()
            },
            vec!["1", "2"],
        ),
    ] {
        let server = TestServer::start().await;
        server.route("/p11", page_api(3, json!({})));
        let (_, err) = collect(
            get(&server.url("/p11")),
            opts(cfg.clone().build().unwrap(), "data"),
        )
        .await;
        assert!(err.is_none());
        assert_eq!(page_params(&server, "/p11"), expected, "{cfg:?}");
    }
}

#[tokio::test]
async fn page_number_total_trap_and_zero_based() {
    // scenarios 34, 35
    let server = TestServer::start().await;
    server.route("/p84", Reply::json(&json!({"data": [1], "has_more": false})));
    let cfg = PageNumberConfig {
        has_more_path: Some("has_more".into()),
        ..Default::default()
    };
    let (pages, err) = collect(get(&server.url("/p84")), opts(cfg.build().unwrap(), "data")).await;
    assert!(pages.is_empty());
    assert!(err.unwrap().to_string().contains("Total `pages` not found"));

    server.route("/zero", |r: &RecordedRequest| {
        let page: i64 = r.query_param("page").unwrap().parse().unwrap();
        Reply::json(&json!({"data": items(page * 5, page * 5 + 5), "total_pages": 5}))
    });
    let cfg = PageNumberConfig {
        page: Some(0),
        total_path: Some("total_pages".into()),
        ..Default::default()
    };
    let (pages, _) = collect(get(&server.url("/zero")), opts(cfg.build().unwrap(), "data")).await;
    assert_eq!(pages.len(), 5);
    assert!(pages.iter().all(|p| p.records.len() == 5));
}

#[tokio::test]
async fn body_paths_for_post() {
    // scenarios 44, 45
    let server = TestServer::start().await;
    server.route("/p14", |r: &RecordedRequest| {
        let page = r.json()["paging"]["page"].as_i64().unwrap();
        Reply::json(&json!({"data": [page], "total": 3}))
    });
    let cfg = PageNumberConfig {
        base_page: 1,
        page_body_path: Some("paging.page".into()),
        ..Default::default()
    };
    let (pages, err) = collect(
        post_json(&server.url("/p14"), json!({"q": "x"})),
        opts(cfg.build().unwrap(), "data"),
    )
    .await;
    assert!(err.is_none(), "{err:?}");
    assert_eq!(pages.len(), 3);
    let seen = server.requests_to("/p14");
    for (i, r) in seen.iter().enumerate() {
        assert_eq!(r.method, http::Method::POST);
        assert_eq!(r.text(), format!(r#"{{"q":"x","paging":{{"page":{}}}}}"#, i + 1));
        assert_eq!(r.header("content-type"), Some("application/json"));
        assert_eq!(r.query(), "");
    }

    server.route("/p63", |r: &RecordedRequest| {
        let offset = r.json()["page"]["offset"].as_i64().unwrap();
        Reply::json(&json!({"data": items(offset, (offset + 2).min(5)), "total": 5}))
    });
    let cfg = OffsetConfig {
        offset_body_path: Some("page.offset".into()),
        limit_body_path: Some("page.size".into()),
        ..OffsetConfig::new(2)
    };
    collect(
        post_json(&server.url("/p63"), json!({"f": 1})),
        opts(cfg.build().unwrap(), "data"),
    )
    .await;
    let bodies: Vec<String> = server.requests_to("/p63").iter().map(|r| r.text()).collect();
    assert_eq!(
        bodies,
        [
            r#"{"f":1,"page":{"offset":0,"size":2}}"#,
            r#"{"f":1,"page":{"offset":2,"size":2}}"#,
            r#"{"f":1,"page":{"offset":4,"size":2}}"#
        ]
    );

    // offset in the query, limit in the body
    let cfg = OffsetConfig {
        limit_body_path: Some("size".into()),
        total_path: None,
        maximum_offset: Some(4),
        ..OffsetConfig::new(2)
    };
    server.route("/mixed", Reply::json(&json!({"data": [1]})));
    collect(
        post_json(&server.url("/mixed"), json!({})),
        opts(cfg.build().unwrap(), "data"),
    )
    .await;
    let seen = server.requests_to("/mixed");
    assert_eq!(
        seen.iter().map(|r| r.query().to_owned()).collect::<Vec<_>>(),
        ["offset=0", "offset=2"]
    );
    assert_eq!(seen[1].text(), r#"{"size":2}"#);
}

#[test]
fn construction_validation() {
    // scenarios 47, 48
    let err = OffsetConfig {
        total_path: None,
        stop_after_empty_page: false,
        ..OffsetConfig::new(10)
    }
    .build()
    .unwrap_err();
    assert!(err.to_string().contains("`maximum_offset`"), "{err}");
    assert!(
        PageNumberConfig {
            total_path: None,
            stop_after_empty_page: false,
            ..Default::default()
        }
        .build()
        .is_err()
    );
    for ok in [
        OffsetConfig {
            total_path: None,
            stop_after_empty_page: false,
            maximum_offset: Some(1),
            ..OffsetConfig::new(10)
        },
        OffsetConfig {
            total_path: None,
            stop_after_empty_page: false,
            has_more_path: Some("m".into()),
            ..OffsetConfig::new(10)
        },
    ] {
        ok.build().unwrap();
    }
    for bad in [
        OffsetConfig {
            offset_param: Some(String::new()),
            ..OffsetConfig::new(1)
        },
        OffsetConfig {
            offset_body_path: Some(String::new()),
            ..OffsetConfig::new(1)
        },
        OffsetConfig {
            offset_param: Some("o".into()),
            offset_body_path: Some("o".into()),
            ..OffsetConfig::new(1)
        },
        OffsetConfig {
            limit_param: Some(String::new()),
            ..OffsetConfig::new(1)
        },
    ] {
        assert!(bad.build().unwrap_err().to_string().contains("not both"));
    }
    let err = PageNumberConfig {
        page_param: Some(String::new()),
        ..Default::default()
    }
    .build()
    .unwrap_err();
    assert!(err.to_string().contains("'page_param' or 'page_body_path'"));
}

#[test]
fn init_request_resets_and_state_restores() {
    // scenario 41 (reset) and resume from saved state
    let mut p = PageNumberConfig {
        base_page: 1,
        total_path: None,
        ..Default::default()
    }
    .build()
    .unwrap();
    let mut req = get("http://h/x");
    p.init_request(&mut req).unwrap();
    p.restore(&PaginatorState::Range {
        current: 7,
        total: None,
        has_next_page: false,
    })
    .unwrap();
    assert!(!p.has_next_page());
    p.init_request(&mut req).unwrap();
    assert_eq!(
        p.state(),
        PaginatorState::Range {
            current: 1,
            total: None,
            has_next_page: true
        }
    );
    assert_eq!(req.uri(), "http://h/x?page=1");
    assert!(p.restore(&PaginatorState::NextUrl { next_url: None }).is_err());
    let boxed: Box<dyn Paginator> = Box::new(p);
    let copy = boxed.clone();
    assert_eq!(copy.state(), boxed.state());
}
