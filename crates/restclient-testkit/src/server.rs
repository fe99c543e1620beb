use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use bytes::Bytes;
use futures_util::{StreamExt, stream};
use http::{Method, Request, Response, header};
use http_body_util::{BodyExt, Full, StreamBody, combinators::BoxBody};
use hyper::body::{Frame, Incoming};
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::reply::Fault;
use crate::{RecordedRequest, Reply, Responder};

type Body = BoxBody<Bytes, std::io::Error>;

/// Routes keyed by (method, or any; exact path).
type Routes = HashMap<(Option<Method>, String), Arc<dyn Responder>>;

/// A scripted HTTP server on `127.0.0.1:<ephemeral port>`; see the [crate docs](crate).
///
/// Requests to a path without a route get `404` with a JSON error body. Routes match the path
/// exactly (the query is ignored); [`route_method`](TestServer::route_method) narrows one to a method.
/// Dropping the server stops it and closes its connections.
#[derive(Debug)]
pub struct TestServer {
    addr: SocketAddr,
    state: Arc<State>,
    shutdown: watch::Sender<bool>,
}

#[derive(Default)]
struct State {
    routes: Mutex<Routes>,
    log: Mutex<Vec<RecordedRequest>>,
    connections: AtomicUsize,
}

impl std::fmt::Debug for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("State")
            .field("requests", &lock(&self.log).len())
            .field("connections", &self.connections.load(Ordering::SeqCst))
            .finish_non_exhaustive()
    }
}

// The server's own code never panics while holding these locks, but a test's responder closure
// may; the data stays usable either way.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl TestServer {
    /// Starts a server on the current tokio runtime.
    ///
    /// # Panics
    /// If no port on 127.0.0.1 can be bound (the test cannot run anyway).
    pub async fn start() -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind 127.0.0.1:0");
        Self::serve(listener)
    }

    /// Starts a server on a thread of its own, with its own runtime: for tests that are not async
    /// or whose client runs in another process.
    ///
    /// # Panics
    /// If the thread, runtime or socket cannot be created.
    pub fn start_background() -> TestServer {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::Builder::new()
            .name("restclient-testkit".into())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("test server runtime");
                runtime.block_on(async move {
                    let server = TestServer::start().await;
                    let mut stopped = server.shutdown.subscribe();
                    let handle = TestServer {
                        addr: server.addr,
                        state: server.state.clone(),
                        shutdown: server.shutdown.clone(),
                    };
                    let _ = tx.send(handle);
                    // Keep serving until the handle is dropped.
                    let _ = stopped.wait_for(|stop| *stop).await;
                    drop(server);
                });
            })
            .expect("spawn test server thread");
        rx.recv().expect("test server started")
    }

    fn serve(listener: TcpListener) -> TestServer {
        let addr = listener.local_addr().expect("local addr");
        let state = Arc::new(State::default());
        let (shutdown, mut stopped) = watch::channel(false);
        let accept_state = state.clone();
        tokio::spawn(async move {
            // Dropping the JoinSet (when the loop ends) aborts every connection task.
            let mut connections = tokio::task::JoinSet::new();
            loop {
                tokio::select! {
                    _ = stopped.changed() => break,
                    accepted = listener.accept() => {
                        let Ok((stream, _)) = accepted else { continue };
                        accept_state.connections.fetch_add(1, Ordering::SeqCst);
                        let state = accept_state.clone();
                        connections.spawn(async move {
                            let service = hyper::service::service_fn(move |req| handle(state.clone(), req));
                            let _ = auto::Builder::new(TokioExecutor::new())
                                .serve_connection(TokioIo::new(stream), service)
                                .await;
                        });
                    }
                }
                while connections.try_join_next().is_some() {}
            }
        });
        TestServer {
            addr,
            state,
            shutdown,
        }
    }

    /// The socket address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:<port>`, without a trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The absolute URL of `path` (which should start with `/`).
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// Answers requests to `path` (any method) with `responder`, replacing an earlier route.
    pub fn route(&self, path: &str, responder: impl Responder) -> &TestServer {
        lock(&self.state.routes).insert((None, path.to_owned()), Arc::new(responder));
        self
    }

    /// Answers `method` requests to `path` with `responder`; it wins over a [`route`](Self::route)
    /// for the same path.
    pub fn route_method(&self, method: Method, path: &str, responder: impl Responder) -> &TestServer {
        lock(&self.state.routes).insert((Some(method), path.to_owned()), Arc::new(responder));
        self
    }

    /// Every request received so far, in arrival order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.state.log).clone()
    }

    /// The requests received for `path`.
    pub fn requests_to(&self, path: &str) -> Vec<RecordedRequest> {
        lock(&self.state.log)
            .iter()
            .filter(|r| r.path() == path)
            .cloned()
            .collect()
    }

    /// How many requests `path` received.
    pub fn hits(&self, path: &str) -> usize {
        lock(&self.state.log).iter().filter(|r| r.path() == path).count()
    }

    /// Forgets the requests logged so far.
    pub fn clear_requests(&self) {
        lock(&self.state.log).clear();
    }

    /// How many TCP connections were accepted: a pooled client reuses them.
    pub fn connections(&self) -> usize {
        self.state.connections.load(Ordering::SeqCst)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
    }
}

async fn handle(state: Arc<State>, request: Request<Incoming>) -> Result<Response<Body>, std::io::Error> {
    let (parts, body) = request.into_parts();
    let body = body.collect().await.map(|b| b.to_bytes()).unwrap_or_default();
    let recorded = RecordedRequest {
        method: parts.method,
        uri: parts.uri,
        headers: parts.headers,
        body,
    };
    lock(&state.log).push(recorded.clone());
    let responder = {
        let routes = lock(&state.routes);
        let path = recorded.path().to_owned();
        routes
            .get(&(Some(recorded.method.clone()), path.clone()))
            .or_else(|| routes.get(&(None, path)))
            .cloned()
    };
    let reply = match responder {
        Some(responder) => responder.respond(&recorded),
        None => Reply::status(404)
            .header("content-type", "application/json")
            .body(format!("{{\"error\":\"no route for {}\"}}", recorded.path())),
    };
    if let Some(delay) = reply.delay {
        tokio::time::sleep(delay).await;
    }
    respond(reply)
}

fn respond(reply: Reply) -> Result<Response<Body>, std::io::Error> {
    let full_length = reply.body.len();
    let body: Body = match reply.fault {
        None => Full::new(reply.body).map_err(|e: Infallible| match e {}).boxed(),
        // An error from the service makes hyper drop the connection without a response.
        Some(Fault::CloseBeforeResponse) => {
            return Err(std::io::Error::new(
                std::io::ErrorKind::ConnectionAborted,
                "scripted close",
            ));
        }
        Some(Fault::CloseAfterBytes(n)) => {
            let head = reply.body.slice(..n.min(full_length));
            let frames = stream::iter([
                Ok(Frame::data(head)),
                Err(std::io::Error::new(
                    std::io::ErrorKind::ConnectionAborted,
                    "scripted close mid-body",
                )),
            ]);
            BodyExt::boxed(StreamBody::new(frames))
        }
        Some(Fault::StallAfterBytes(n, pause)) => {
            let split = n.min(full_length);
            let (head, tail) = (reply.body.slice(..split), reply.body.slice(split..));
            let first = stream::once(async move { Ok(Frame::data(head)) });
            let rest = stream::once(async move {
                tokio::time::sleep(pause).await;
                Ok(Frame::data(tail))
            });
            BodyExt::boxed(StreamBody::new(first.chain(rest)))
        }
    };
    let mut response = Response::new(body);
    *response.status_mut() = reply.status;
    for (name, value) in reply.headers {
        response.headers_mut().append(name, value);
    }
    if !response.headers().contains_key(header::CONTENT_LENGTH) {
        response
            .headers_mut()
            .insert(header::CONTENT_LENGTH, full_length.into());
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Sequence, fail_times};
    use http_body_util::Empty;
    use hyper_util::client::legacy::Client;
    use std::time::Duration;

    type TestClient = Client<hyper_util::client::legacy::connect::HttpConnector, Empty<Bytes>>;

    fn client() -> TestClient {
        Client::builder(TokioExecutor::new()).build_http()
    }

    async fn get(client: &TestClient, url: &str) -> Result<(u16, Bytes), String> {
        let response = client
            .get(url.parse().unwrap())
            .await
            .map_err(|e| e.to_string())?;
        let status = response.status().as_u16();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|e| e.to_string())?
            .to_bytes();
        Ok((status, body))
    }

    #[tokio::test]
    async fn canned_routes_log_and_404() {
        let server = TestServer::start().await;
        server.route("/a", Reply::json(&serde_json::json!({"x": 1})).header("x-h", "v"));
        let c = client();
        assert_eq!(
            get(&c, &server.url("/a?q=1")).await.unwrap(),
            (200, Bytes::from(r#"{"x":1}"#))
        );
        assert_eq!(get(&c, &server.url("/nope")).await.unwrap().0, 404);
        let log = server.requests();
        assert_eq!(log.len(), 2);
        assert_eq!(log[0].query_param("q").as_deref(), Some("1"));
        assert_eq!(server.hits("/a"), 1);
        assert_eq!(server.connections(), 1, "keep-alive reuses the connection");
    }

    #[tokio::test]
    async fn closures_sequences_and_fail_times() {
        let server = TestServer::start().await;
        server.route("/echo", |r: &RecordedRequest| Reply::text(r.query().to_owned()));
        server.route("/seq", Sequence::new([Reply::status(503), Reply::text("ok")]));
        server.route("/flaky", fail_times(1, Reply::status(500), Reply::text("fine")));
        let c = client();
        assert_eq!(get(&c, &server.url("/echo?a=b")).await.unwrap().1, "a=b");
        assert_eq!(get(&c, &server.url("/seq")).await.unwrap().0, 503);
        assert_eq!(get(&c, &server.url("/seq")).await.unwrap().0, 200);
        assert_eq!(get(&c, &server.url("/seq")).await.unwrap().0, 200);
        assert_eq!(get(&c, &server.url("/flaky")).await.unwrap().0, 500);
        assert_eq!(
            get(&c, &server.url("/flaky")).await.unwrap(),
            (200, Bytes::from("fine"))
        );
    }

    #[tokio::test]
    async fn faults_break_the_exchange() {
        let server = TestServer::start().await;
        server.route("/close", Reply::close_connection());
        server.route("/cut", Reply::text("0123456789").close_after_bytes(3));
        server.route(
            "/stall",
            Reply::text("abcdef").stall_after_bytes(2, Duration::from_millis(50)),
        );
        let c = client();
        assert!(get(&c, &server.url("/close")).await.is_err());
        assert!(get(&c, &server.url("/cut")).await.is_err());
        assert_eq!(get(&c, &server.url("/stall")).await.unwrap().1, "abcdef");
    }

    #[test]
    fn background_server_serves_until_dropped() {
        let server = TestServer::start_background();
        server.route("/x", Reply::text("bg"));
        let addr = server.addr();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            assert_eq!(get(&client(), &server.url("/x")).await.unwrap().1, "bg");
        });
        drop(server);
        std::thread::sleep(Duration::from_millis(50));
        assert!(
            std::net::TcpStream::connect(addr).is_err(),
            "listener closed after drop"
        );
    }
}
