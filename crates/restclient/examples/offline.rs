//! Paginates a small API served on 127.0.0.1 by the testkit: runs offline.
//!
//! ```sh
//! cargo run -p restclient --example offline
//! ```
#![allow(clippy::print_stdout, clippy::unwrap_used)]

use futures_util::TryStreamExt;
use restclient::prelude::*;
use restclient_testkit::{RecordedRequest, Reply, TestServer};
use serde_json::json;

#[derive(Debug, serde::Deserialize)]
struct User {
    id: u32,
    name: String,
}

#[tokio::main]
async fn main() -> Result<(), restclient::Error> {
    // An API with 23 users, 10 per page, behind a bearer token.
    let server = TestServer::start().await;
    server.route("/v1/users", |r: &RecordedRequest| {
        if r.header("authorization") != Some("Bearer demo-token") {
            return Reply::status(401);
        }
        let offset: u32 = r.query_param("offset").and_then(|v| v.parse().ok()).unwrap_or(0);
        let users: Vec<_> = (offset..(offset + 10).min(23))
            .map(|id| json!({"id": id, "name": format!("user {id}")}))
            .collect();
        Reply::json(&json!({"data": users, "total": 23}))
    });

    let client = RestClient::builder()
        .base_url(server.url("/v1"))
        .auth(BearerToken::new("demo-token").unwrap())
        .paginator(OffsetPaginator::with_limit(10))
        .data_selector("data")
        .build()?;

    // Raw pages: records are the body's own bytes.
    let mut pages = client.paginate("/users").pages();
    while let Some(page) = pages.try_next().await? {
        println!(
            "page {} from {}: {} records",
            page.index,
            page.url,
            page.records().len()
        );
    }

    // Typed records, deserialised straight from the bytes.
    let users: Vec<User> = client
        .paginate("/users")
        .records_as::<User>()
        .try_collect()
        .await?;
    println!(
        "{} users, last: {:?}",
        users.len(),
        users.last().map(|u| (&u.name, u.id))
    );
    Ok(())
}
