//! [`OffsetApi`]: the offset-paginated API that paginator tests keep re-creating.

use serde_json::{Map, Value, json};

use crate::{RecordedRequest, Reply, Responder};

/// An API over `items` records `{"id": i}`, paginated by the query parameters `offset` (default
/// 0) and `limit` (default 10): it answers `{"data": [...]}` with the records in
/// `offset..offset + limit`, plus `"total": items` when [`with_total`](OffsetApi::with_total)
/// and any [`extra`](OffsetApi::extra) fields. Past the end the page is empty.
///
/// ```
/// use restclient_testkit::{OffsetApi, TestServer};
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let server = TestServer::start().await;
/// server.route("/items", OffsetApi::new(25).with_total());
/// // GET /items?offset=20&limit=10 -> {"data":[{"id":20},...,{"id":24}],"total":25}
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct OffsetApi {
    items: i64,
    total: bool,
    extra: Map<String, Value>,
}

impl OffsetApi {
    /// An API over `items` records, without a total.
    pub fn new(items: i64) -> OffsetApi {
        OffsetApi {
            items,
            total: false,
            extra: Map::new(),
        }
    }

    /// Adds `"total": items` to every page.
    pub fn with_total(mut self) -> OffsetApi {
        self.total = true;
        self
    }

    /// Merges the fields of `fields` (a JSON object) into every page.
    pub fn extra(mut self, fields: Value) -> OffsetApi {
        if let Value::Object(map) = fields {
            self.extra.extend(map);
        }
        self
    }

    /// The page body for `offset` and `limit`.
    pub fn page(&self, offset: i64, limit: i64) -> Value {
        let end = offset.saturating_add(limit.max(0)).min(self.items).max(offset);
        let data: Vec<Value> = (offset..end).map(|i| json!({"id": i})).collect();
        let mut body = Map::new();
        body.insert("data".to_owned(), Value::Array(data));
        if self.total {
            body.insert("total".to_owned(), json!(self.items));
        }
        body.extend(self.extra.clone());
        Value::Object(body)
    }
}

impl Responder for OffsetApi {
    fn respond(&self, request: &RecordedRequest) -> Reply {
        let number = |name: &str, default: i64| match request.query_param(name) {
            None => Ok(default),
            Some(v) => v.parse::<i64>().map_err(|_| name.to_owned()),
        };
        match (number("offset", 0), number("limit", 10)) {
            (Ok(offset), Ok(limit)) => Reply::json(&self.page(offset, limit)),
            (Err(name), _) | (_, Err(name)) => {
                Reply::json(&json!({"error": format!("`{name}` is not an integer")})).with_status(400)
            }
        }
    }
}
