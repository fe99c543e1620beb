//! What the rate-limit layer costs per request when nothing makes it wait: a mock service that
//! answers at once, bare and behind `RateLimitLayer` with each knob (a rate far above what is
//! sent, so no request sleeps). `cargo bench -p restclient-transport --bench rate_limit`.
#![allow(missing_docs, clippy::unwrap_used)]

use std::convert::Infallible;
use std::hint::black_box;

use bytes::Bytes;
use criterion::{Criterion, criterion_group, criterion_main};
use restclient_core::{Request, Response};
use restclient_transport::RateLimitLayer;
use tower::util::BoxCloneService;
use tower::{Layer, ServiceExt};

type Mock = BoxCloneService<Request, Response, Infallible>;

fn mock() -> Mock {
    BoxCloneService::new(tower::service_fn(|_r: Request| async {
        Ok::<_, Infallible>(
            http::Response::builder()
                .status(200)
                .header("x-ratelimit-remaining", "4999")
                .header("x-ratelimit-reset", "1700000000")
                .body(Bytes::new())
                .unwrap(),
        )
    }))
}

fn request() -> Request {
    http::Request::get("https://api.example.com/items?page=2")
        .body(Bytes::new())
        .unwrap()
}

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    let mut group = c.benchmark_group("rate_limit_overhead");
    group.bench_function("bare", |b| {
        let service = mock();
        b.iter(|| {
            runtime
                .block_on(service.clone().oneshot(black_box(request())))
                .unwrap()
        });
    });
    let layers = [
        ("headers_only", RateLimitLayer::default()),
        (
            "in_flight_16",
            RateLimitLayer::builder().max_in_flight(16).build().unwrap(),
        ),
        (
            "rps_1e9_burst_1e6",
            RateLimitLayer::builder()
                .max_rps(1e9)
                .burst(1_000_000)
                .build()
                .unwrap(),
        ),
        (
            "all_knobs",
            RateLimitLayer::builder()
                .max_rps(1e9)
                .burst(1_000_000)
                .max_in_flight(16)
                .build()
                .unwrap(),
        ),
    ];
    for (name, layer) in layers {
        group.bench_function(name, |b| {
            let service = layer.layer(mock());
            b.iter(|| {
                runtime
                    .block_on(service.clone().oneshot(black_box(request())))
                    .unwrap()
            });
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
