//! A real HTTP server on `127.0.0.1` for restclient's tests.
//!
//! [`TestServer`] is a hyper 1.x server (HTTP/1.1 and HTTP/2, keep-alive) on an ephemeral port that
//! tests script and inspect:
//!
//! - **routes** by path, answered by a canned [`Reply`], a closure, a [`Sequence`] of replies, or
//!   [`fail_times`] (fail N times, then succeed);
//! - a **request log** of [`RecordedRequest`]s (method, URI, headers, body) to assert on;
//! - **faults**: close the connection before the response ([`Reply::close_connection`]) or in the
//!   middle of the body ([`Reply::close_after_bytes`]), stall before the head ([`Reply::delay`]) or
//!   mid-body ([`Reply::stall_after_bytes`]).
//!
//! [`RateLimited`] puts a token bucket in front of any responder: 429 with `Retry-After` beyond
//! its rate, counting what it refused.
//!
//! It shuts down when dropped.
//!
//! Fixtures: [`OffsetApi`], the offset-paginated API every pagination test needs, and
//! [`SeededFaults`], transient faults chosen by a seed and the request (not by timing), for tests
//! that retry.
//!
//! ```
//! use restclient_testkit::{Reply, TestServer, fail_times};
//! use serde_json::json;
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! let server = TestServer::start().await;
//! server.route("/items", Reply::json(&json!({"data": [1, 2, 3]})));
//! server.route("/flaky", fail_times(2, Reply::status(503), Reply::json(&json!([]))));
//! // ... point the client under test at server.url("/items") ...
//! assert_eq!(server.requests().len(), 0);
//! # }
//! ```
//!
//! Tests whose client runs in another process (the CLI) or outside a runtime use
//! [`TestServer::start_background`], which runs the server on its own thread.

mod faults;
mod offset_api;
mod rate_limited;
mod recorded;
mod reply;
mod responder;
mod server;

pub use faults::SeededFaults;
pub use offset_api::OffsetApi;
pub use rate_limited::{RateLimited, RateLimitedStats};
pub use recorded::RecordedRequest;
pub use reply::Reply;
pub use responder::{FailTimes, Responder, Sequence, fail_times};
pub use server::TestServer;
