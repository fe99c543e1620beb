//! The embedded demo API: an in-process hyper server on `127.0.0.1:0`, one endpoint per
//! pagination style plus one behind OAuth2 client credentials. No network is needed.
//!
//! | endpoint | pagination | records |
//! |---|---|---|
//! | `GET /offset/customers?offset=&limit=` | `{"data": [..], "total": N}` | customers |
//! | `GET /page_number/orders?page=&per_page=` (1-based) | `{"orders": [..], "page": p, "total_pages": n}` | orders |
//! | `GET /cursor/events?cursor=` | `{"events": [..], "next_cursor": "..." \| null}` | events |
//! | `GET /json_link/products?page=` | `{"results": [..], "next": "http://..." \| null}` | products |
//! | `GET /header_link/users?page=` | a bare array, `Link: <..>; rel="next"` | users |
//! | `GET /header_cursor/invoices?cursor=` | `{"invoices": [..]}`, header `X-Next-Cursor` | invoices |
//! | `GET /single_page/countries` | `{"countries": [..]}` | countries |
//! | `POST /oauth/token` | client credentials in the form body → `{"access_token", "expires_in"}` | |
//! | `GET /oauth/reports?page=` (Bearer) | `{"data": [..], "meta": {"page", "total_pages"}}` | reports |

use std::collections::HashSet;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http::{Method, Request, Response, StatusCode, header};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use super::data;

/// How many records each endpoint serves and its page size.
pub(crate) mod sizes {
    /// Customers behind `/offset/customers`; default page size.
    pub(crate) const CUSTOMERS: usize = 500;
    pub(crate) const CUSTOMERS_LIMIT: usize = 50;
    /// Orders behind `/page_number/orders`; page size.
    pub(crate) const ORDERS: usize = 230;
    pub(crate) const ORDERS_PER_PAGE: usize = 25;
    /// Events behind `/cursor/events`; page size.
    pub(crate) const EVENTS: usize = 1_000;
    pub(crate) const EVENTS_PER_PAGE: usize = 100;
    /// Products behind `/json_link/products`; page size.
    pub(crate) const PRODUCTS: usize = 120;
    pub(crate) const PRODUCTS_PER_PAGE: usize = 20;
    /// Users behind `/header_link/users`; page size.
    pub(crate) const USERS: usize = 75;
    pub(crate) const USERS_PER_PAGE: usize = 15;
    /// Invoices behind `/header_cursor/invoices`; page size.
    pub(crate) const INVOICES: usize = 90;
    pub(crate) const INVOICES_PER_PAGE: usize = 30;
    /// Orders of customer `id` behind `/customers/{id}/orders` (1 to 4); page size.
    pub(crate) fn customer_orders(id: usize) -> usize {
        1 + id % 4
    }
    pub(crate) const CUSTOMER_ORDERS_PER_PAGE: usize = 2;
    /// Reports behind `/oauth/reports`; page size.
    pub(crate) const REPORTS: usize = 36;
    pub(crate) const REPORTS_PER_PAGE: usize = 12;
}

/// The OAuth2 client the demo API accepts.
pub(crate) const CLIENT_ID: &str = "demo-client";
/// Its secret.
pub(crate) const CLIENT_SECRET: &str = "demo-client-secret";

/// A running demo API; stops when dropped.
#[derive(Debug)]
pub(crate) struct DemoServer {
    addr: SocketAddr,
    state: Arc<State>,
    task: JoinHandle<()>,
}

#[derive(Debug, Default)]
struct State {
    base_url: String,
    tokens: Mutex<HashSet<String>>,
    issued: AtomicUsize,
    requests: AtomicUsize,
}

impl DemoServer {
    /// Binds `127.0.0.1:0` and serves on the current tokio runtime.
    pub(crate) async fn start() -> std::io::Result<DemoServer> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(State {
            base_url: format!("http://{addr}"),
            ..State::default()
        });
        let accept_state = state.clone();
        let task = tokio::spawn(async move {
            // Dropping the set (when this task is aborted) closes every connection.
            let mut connections = tokio::task::JoinSet::new();
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let state = accept_state.clone();
                connections.spawn(async move {
                    let service = hyper::service::service_fn(move |req| handle(state.clone(), req));
                    let _ = auto::Builder::new(TokioExecutor::new())
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
                while connections.try_join_next().is_some() {}
            }
        });
        Ok(DemoServer { addr, state, task })
    }

    /// `http://127.0.0.1:<port>`.
    pub(crate) fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Requests served so far.
    pub(crate) fn requests(&self) -> usize {
        self.state.requests.load(Ordering::Relaxed)
    }

    /// OAuth tokens issued so far.
    pub(crate) fn tokens_issued(&self) -> usize {
        self.state.issued.load(Ordering::Relaxed)
    }
}

impl Drop for DemoServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

type DemoResponse = Response<Full<Bytes>>;

fn json_response(status: StatusCode, body: &Value) -> DemoResponse {
    let mut response = Response::new(Full::new(Bytes::from(body.to_string())));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json"),
    );
    response
}

fn ok(body: &Value) -> DemoResponse {
    json_response(StatusCode::OK, body)
}

fn error(status: StatusCode, message: &str) -> DemoResponse {
    json_response(status, &json!({"error": message}))
}

/// A request the demo API refuses: a status and a message, sent as `{"error": message}`.
#[derive(Debug)]
struct Rejection {
    status: StatusCode,
    message: String,
}

fn reject(status: StatusCode, message: impl Into<String>) -> Rejection {
    Rejection {
        status,
        message: message.into(),
    }
}

/// The first value of a query parameter.
fn query<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// A non-negative integer parameter, `default` when absent; `Err` on garbage.
fn number(pairs: &[(String, String)], name: &str, default: usize) -> Result<usize, Rejection> {
    match query(pairs, name) {
        None | Some("") => Ok(default),
        Some(v) => v.parse().map_err(|_| {
            reject(
                StatusCode::BAD_REQUEST,
                format!("{name} must be a non-negative integer"),
            )
        }),
    }
}

/// Records `start..end` (clamped to `total`) made by `make`.
fn slice(total: usize, start: usize, len: usize, make: fn(usize) -> Value) -> Vec<Value> {
    (start.min(total)..start.saturating_add(len).min(total))
        .map(make)
        .collect()
}

/// Opaque cursors: the offset, disguised so nobody is tempted to compute them.
fn encode_cursor(offset: usize) -> String {
    format!("c{:x}", offset ^ 0x5eed)
}

fn decode_cursor(cursor: &str) -> Option<usize> {
    let hex = cursor.strip_prefix('c')?;
    usize::from_str_radix(hex, 16).ok().map(|x| x ^ 0x5eed)
}

async fn handle(state: Arc<State>, request: Request<Incoming>) -> Result<DemoResponse, Infallible> {
    state.requests.fetch_add(1, Ordering::Relaxed);
    let (parts, body) = request.into_parts();
    let pairs: Vec<(String, String)> = form_urlencoded::parse(parts.uri.query().unwrap_or("").as_bytes())
        .into_owned()
        .collect();
    let body = body.collect().await.map(|b| b.to_bytes()).unwrap_or_default();
    let response = match (parts.method.clone(), parts.uri.path()) {
        (Method::GET, "/") => Ok(ok(&index())),
        (Method::GET, "/offset/customers") => offset_customers(&pairs),
        (Method::GET, "/page_number/orders") => page_number_orders(&pairs),
        (Method::GET, "/cursor/events") => cursor_events(&pairs),
        (Method::GET, "/json_link/products") => json_link_products(&state, &pairs),
        (Method::GET, "/header_link/users") => header_link_users(&state, &pairs),
        (Method::GET, "/header_cursor/invoices") => header_cursor_invoices(&pairs),
        (Method::GET, path) if path.starts_with("/customers/") && path.ends_with("/orders") => {
            customer_orders(path, &pairs)
        }
        (Method::GET, "/single_page/countries") => Ok(ok(&json!({
            "countries": slice(data::COUNTRY_COUNT, 0, data::COUNTRY_COUNT, data::country)
        }))),
        (Method::POST, "/oauth/token") => Ok(token(&state, &body)),
        (Method::GET, "/oauth/reports") => oauth_reports(&state, &parts.headers, &pairs),
        (_, path) => Ok(error(
            StatusCode::NOT_FOUND,
            &format!("no endpoint {} {path}; GET / lists them", parts.method),
        )),
    };
    Ok(response.unwrap_or_else(|e| error(e.status, &e.message)))
}

fn index() -> Value {
    json!({
        "endpoints": [
            "/offset/customers", "/page_number/orders", "/cursor/events", "/json_link/products",
            "/header_link/users", "/header_cursor/invoices", "/single_page/countries",
            "/customers/{id}/orders", "/cursor/events?since=TIMESTAMP",
            "POST /oauth/token", "/oauth/reports"
        ]
    })
}

fn offset_customers(pairs: &[(String, String)]) -> Result<DemoResponse, Rejection> {
    let offset = number(pairs, "offset", 0)?;
    let limit = number(pairs, "limit", sizes::CUSTOMERS_LIMIT)?.min(1_000);
    Ok(ok(&json!({
        "data": slice(sizes::CUSTOMERS, offset, limit, data::customer),
        "total": sizes::CUSTOMERS,
        "offset": offset,
        "limit": limit,
    })))
}

fn page_number_orders(pairs: &[(String, String)]) -> Result<DemoResponse, Rejection> {
    let page = number(pairs, "page", 1)?.max(1);
    let per_page = number(pairs, "per_page", sizes::ORDERS_PER_PAGE)?.clamp(1, 1_000);
    Ok(ok(&json!({
        "orders": slice(sizes::ORDERS, (page - 1) * per_page, per_page, data::order),
        "page": page,
        "per_page": per_page,
        "total_pages": sizes::ORDERS.div_ceil(per_page),
    })))
}

/// `/cursor/events`: `since` (an RFC 3339 UTC timestamp) starts at the first event at or after it
/// (the events are in time order), for incremental loading.
fn cursor_events(pairs: &[(String, String)]) -> Result<DemoResponse, Rejection> {
    let start = match query(pairs, "cursor") {
        None | Some("") => match query(pairs, "since") {
            // Same-format UTC timestamps order as strings.
            Some(since) => (0..sizes::EVENTS)
                .find(|&i| data::event(i)["ts"].as_str().is_some_and(|ts| ts >= since))
                .unwrap_or(sizes::EVENTS),
            None => 0,
        },
        Some(c) => decode_cursor(c).ok_or_else(|| reject(StatusCode::BAD_REQUEST, "invalid cursor"))?,
    };
    let end = start + sizes::EVENTS_PER_PAGE;
    let next = (end < sizes::EVENTS).then(|| encode_cursor(end));
    Ok(ok(&json!({
        "events": slice(sizes::EVENTS, start, sizes::EVENTS_PER_PAGE, data::event),
        "next_cursor": next,
    })))
}

fn json_link_products(state: &State, pairs: &[(String, String)]) -> Result<DemoResponse, Rejection> {
    let page = number(pairs, "page", 1)?.max(1);
    let per = sizes::PRODUCTS_PER_PAGE;
    let next = (page * per < sizes::PRODUCTS)
        .then(|| format!("{}/json_link/products?page={}", state.base_url, page + 1));
    Ok(ok(&json!({
        "results": slice(sizes::PRODUCTS, (page - 1) * per, per, data::product),
        "count": sizes::PRODUCTS,
        "next": next,
    })))
}

fn header_link_users(state: &State, pairs: &[(String, String)]) -> Result<DemoResponse, Rejection> {
    let page = number(pairs, "page", 1)?.max(1);
    let per = sizes::USERS_PER_PAGE;
    let mut response = ok(&Value::Array(slice(
        sizes::USERS,
        (page - 1) * per,
        per,
        data::user,
    )));
    let last = sizes::USERS.div_ceil(per);
    let mut links = vec![format!(
        "<{}/header_link/users?page={last}>; rel=\"last\"",
        state.base_url
    )];
    if page < last {
        links.insert(
            0,
            format!(
                "<{}/header_link/users?page={}>; rel=\"next\"",
                state.base_url,
                page + 1
            ),
        );
    }
    if let Ok(value) = header::HeaderValue::from_str(&links.join(", ")) {
        response.headers_mut().insert(header::LINK, value);
    }
    Ok(response)
}

/// `/customers/{id}/orders?page=N`: a customer's orders (1 to 4 of them), two per page: the child
/// endpoint of a parent → child source run.
fn customer_orders(path: &str, pairs: &[(String, String)]) -> Result<DemoResponse, Rejection> {
    let id = path
        .strip_prefix("/customers/")
        .and_then(|rest| rest.strip_suffix("/orders"))
        .and_then(|id| id.parse::<usize>().ok())
        .filter(|id| (1..=sizes::CUSTOMERS).contains(id))
        .ok_or_else(|| reject(StatusCode::NOT_FOUND, "no such customer"))?;
    let page = number(pairs, "page", 1)?.max(1);
    let count = sizes::customer_orders(id);
    let per = sizes::CUSTOMER_ORDERS_PER_PAGE;
    let orders: Vec<Value> = ((page - 1) * per..(page * per).min(count))
        .map(|k| {
            let mut order = data::order(id * 4 + k);
            order["customer_id"] = json!(id);
            order
        })
        .collect();
    Ok(ok(
        &json!({"orders": orders, "page": page, "total_pages": count.div_ceil(per)}),
    ))
}

fn header_cursor_invoices(pairs: &[(String, String)]) -> Result<DemoResponse, Rejection> {
    let start = match query(pairs, "cursor") {
        None | Some("") => 0,
        Some(c) => decode_cursor(c).ok_or_else(|| reject(StatusCode::BAD_REQUEST, "invalid cursor"))?,
    };
    let end = start + sizes::INVOICES_PER_PAGE;
    let mut response = ok(&json!({
        "invoices": slice(sizes::INVOICES, start, sizes::INVOICES_PER_PAGE, data::invoice),
    }));
    if end < sizes::INVOICES
        && let Ok(value) = header::HeaderValue::from_str(&encode_cursor(end))
    {
        response.headers_mut().insert("x-next-cursor", value);
    }
    Ok(response)
}

/// `POST /oauth/token`: client credentials in the form body (dlt's client_secret_post).
fn token(state: &State, body: &[u8]) -> DemoResponse {
    let form: Vec<(String, String)> = form_urlencoded::parse(body).into_owned().collect();
    if query(&form, "grant_type") != Some("client_credentials") {
        return error(StatusCode::BAD_REQUEST, "unsupported_grant_type");
    }
    if query(&form, "client_id") != Some(CLIENT_ID) || query(&form, "client_secret") != Some(CLIENT_SECRET) {
        return error(StatusCode::UNAUTHORIZED, "invalid_client");
    }
    let n = state.issued.fetch_add(1, Ordering::Relaxed) + 1;
    let token = format!("demo-access-{n:04}-{:x}", n.wrapping_mul(0x9e37_79b9));
    if let Ok(mut tokens) = state.tokens.lock() {
        tokens.insert(token.clone());
    }
    ok(&json!({"access_token": token, "token_type": "bearer", "expires_in": 3600}))
}

fn oauth_reports(
    state: &State,
    headers: &http::HeaderMap,
    pairs: &[(String, String)],
) -> Result<DemoResponse, Rejection> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let known = token.is_some_and(|t| state.tokens.lock().is_ok_and(|tokens| tokens.contains(t)));
    if !known {
        return Err(reject(
            StatusCode::UNAUTHORIZED,
            "missing or unknown bearer token",
        ));
    }
    let page = number(pairs, "page", 1)?.max(1);
    let per = sizes::REPORTS_PER_PAGE;
    Ok(ok(&json!({
        "data": slice(sizes::REPORTS, (page - 1) * per, per, data::report),
        "meta": {"page": page, "total_pages": sizes::REPORTS.div_ceil(per)},
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip() {
        for offset in [0, 1, 100, 999, 123_456] {
            assert_eq!(decode_cursor(&encode_cursor(offset)), Some(offset));
        }
        assert_eq!(decode_cursor("zz"), None);
    }

    #[test]
    fn slices_are_clamped() {
        assert_eq!(slice(5, 3, 10, data::country).len(), 2);
        assert!(slice(5, 9, 10, data::country).is_empty());
    }
}
