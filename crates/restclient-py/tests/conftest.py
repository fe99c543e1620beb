"""A scripted API server on 127.0.0.1 (a ``http.server`` thread) and helpers to run the same
pagination through dlt 1.31's ``RESTClient`` and through ours.

Every endpoint serves the same 23 records, paginated in a different style. The server logs every
request it receives (method, path, query, the headers that matter, the body), so a test can
compare what both clients sent, not only what they got.
"""

import json
import signal
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

import pytest

ITEMS = [
    {
        "id": i,
        "name": f"item {i} é",
        "value": i * 1.5 + 0.1,
        "big": 2**64 + i,
        "tags": ["a", "b"][: i % 3],
        "nested": {"z": i, "a": None, "m": i % 2 == 0},
    }
    for i in range(23)
]

#: Headers worth comparing between the two clients (the User-Agent differs on purpose).
LOGGED_HEADERS = ("authorization", "x-api-key", "content-type", "x-custom", "cookie")


class Request:
    def __init__(self, handler, body):
        split = urlsplit(handler.path)
        self.method = handler.command
        self.path = split.path
        self.query = parse_qsl(split.query, keep_blank_values=True)
        self.params = dict(self.query)
        self.headers = handler.headers
        self.raw_body = body
        self.body = None
        if body:
            ctype = handler.headers.get("Content-Type", "")
            if "json" in ctype:
                self.body = json.loads(body)
            elif "form" in ctype:
                self.body = dict(parse_qsl(body.decode()))
            else:
                self.body = body.decode()

    def log_entry(self):
        headers = {h: self.headers[h] for h in LOGGED_HEADERS if self.headers.get(h) is not None}
        return (self.method, self.path, tuple(sorted(self.query)), tuple(sorted(headers.items())), json.dumps(self.body, sort_keys=True))


def reply(status=200, body=None, headers=None, raw=None):
    return status, headers or {}, raw if raw is not None else json.dumps(body).encode()


class Server:
    def __init__(self):
        self.log = []
        self.counters = {}
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def handle_any(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                req = Request(self, body)
                with server.lock:
                    server.log.append(req.log_entry())
                status, headers, payload = server.route(req)
                self.send_response(status)
                headers.setdefault("Content-Type", "application/json")
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_DELETE = handle_any

            def log_message(self, *args):
                pass

        class Quiet(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address):
                pass  # a client that gave up (the timeout tests) is not the server's problem

        self.httpd = Quiet(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def take_log(self):
        with self.lock:
            log, self.log = self.log, []
            self.counters = {}
        return log

    def count(self, key):
        with self.lock:
            self.counters[key] = self.counters.get(key, 0) + 1
            return self.counters[key]

    # --- the endpoints -------------------------------------------------------------------------

    def route(self, req):
        parts = req.path.strip("/").split("/")
        handler = getattr(self, "ep_" + parts[0], None)
        if handler is None:
            return reply(404, {"error": "no such endpoint"})
        return handler(req, *parts[1:])

    def ep_offset(self, req, *_):
        offset = int(req.params.get("offset", 0))
        limit = int(req.params.get("limit", 10))
        return reply(body={"items": ITEMS[offset : offset + limit], "total": len(ITEMS)})

    def ep_rows(self, req, *_):
        """Offset pages of records dlt can load (no integers beyond 64 bits)."""
        offset = int(req.params.get("offset", 0))
        limit = int(req.params.get("limit", 10))
        rows = [{k: v for k, v in item.items() if k != "big"} for item in ITEMS[offset : offset + limit]]
        return reply(body={"items": rows, "total": len(ITEMS)})

    def ep_offset_nototal(self, req, *_):
        offset = int(req.params.get("offset", 0))
        limit = int(req.params.get("limit", 10))
        return reply(body={"items": ITEMS[offset : offset + limit]})

    def ep_offset_body(self, req, *_):
        page = (req.body or {}).get("page", {})
        offset, limit = int(page.get("offset", 0)), int(page.get("limit", 10))
        return reply(body={"items": ITEMS[offset : offset + limit], "total": len(ITEMS)})

    def ep_page(self, req, *_):
        page = int(req.params.get("page", 1))
        size = 5
        pages = (len(ITEMS) + size - 1) // size
        return reply(body={"data": ITEMS[(page - 1) * size : page * size], "total_pages": pages})

    def _link_page(self, req):
        page = int(req.params.get("page", 1))
        size = 7
        rows = ITEMS[(page - 1) * size : page * size]
        more = page * size < len(ITEMS)
        return page, rows, more

    def ep_json_link(self, req, *_):
        page, rows, more = self._link_page(req)
        nxt = f"{self.url}/json_link?page={page + 1}" if more else None
        return reply(body={"results": rows, "next": nxt})

    def ep_json_link_rel(self, req, *_):
        page, rows, more = self._link_page(req)
        nxt = f"json_link_rel?page={page + 1}" if more else None
        return reply(body={"results": rows, "meta": {"next_page": nxt}})

    def ep_header_link(self, req, *_):
        page, rows, more = self._link_page(req)
        headers = {}
        if more:
            headers["Link"] = f'<{self.url}/header_link?page={page + 1}>; rel="next", <{self.url}/header_link?page=1>; rel="first"'
        return reply(body=rows, headers=headers)

    def ep_cursor(self, req, *_):
        start = int(req.params.get("cursor", "c0")[1:])
        rows = ITEMS[start : start + 6]
        nxt = f"c{start + 6}" if start + 6 < len(ITEMS) else None
        return reply(body={"items": rows, "cursors": {"next": nxt}})

    def ep_cursor_body(self, req, *_):
        start = int(((req.body or {}).get("cursor") or "c0")[1:])
        rows = ITEMS[start : start + 6]
        nxt = f"c{start + 6}" if start + 6 < len(ITEMS) else None
        return reply(body={"items": rows, "next_cursor": nxt})

    def ep_header_cursor(self, req, *_):
        start = int(req.params.get("cursor", "0"))
        rows = ITEMS[start : start + 8]
        headers = {"Next": str(start + 8)} if start + 8 < len(ITEMS) else {}
        return reply(body={"items": rows}, headers=headers)

    def ep_single(self, req, *_):
        return reply(body=ITEMS[:4])

    def ep_status(self, req, code="500", *_):
        return reply(int(code), {"error": f"status {code}", "items": []})

    def ep_flaky(self, req, key="k", failures="2", *_):
        n = self.count(("flaky", key))
        if n <= int(failures):
            return reply(503, {"error": "try again"})
        return reply(body={"items": ITEMS[:3]})

    def ep_slow(self, req, seconds="1", *_):
        time.sleep(float(seconds))
        return reply(body={"items": ITEMS[:2]})

    def ep_slow_offset(self, req, seconds="0.3", *_):
        time.sleep(float(seconds))
        return self.ep_offset(req)

    def ep_token(self, req, *_):
        n = self.count("token")
        form = req.body or {}
        if form.get("client_secret") != "s3cret":
            return reply(401, {"error": "bad client"})
        return reply(body={"access_token": f"tok-{n}", "expires_in": 3600})

    def ep_protected(self, req, *_):
        auth = req.headers.get("Authorization")
        key = req.headers.get("X-API-Key") or req.params.get("api_key")
        if not auth and not key:
            return reply(401, {"error": "no credentials"})
        offset = int(req.params.get("offset", 0))
        return reply(body={"items": ITEMS[offset : offset + 10], "total": len(ITEMS)})

    def ep_raw(self, req, *_):
        return reply(raw=RAW_JSON)

    def ep_notjson(self, req, *_):
        return reply(raw=b"<html>nope</html>", headers={"Content-Type": "text/html"})


#: A body whose parse is easy to get subtly wrong.
RAW_JSON = (
    b'{"items": [{"b": 1, "a": 2, "b": 3}, -0, -0.0, 1e400, 123456789012345678901234567890,'
    b' -98765432109876543210, 0.1, 2.2250738585072014e-308, 5e-324, 1.7976931348623157e308,'
    b' 9007199254740993, 0.30000000000000004, 1E2, "\\u00e9\\ud83d\\ude00\\n", "caf\xc3\xa9",'
    b' [], {}, [[[]]], true, false, null, 1.5e-7, 100000000000000000000.0]}'
)


@pytest.fixture(scope="session")
def server():
    s = Server()
    yield s
    s.httpd.shutdown()


#: No test may take longer than this (a hang fails the test instead of the CI run).
TEST_TIMEOUT = 60


def _timed_out(signum, frame):
    raise TimeoutError(f"test took longer than {TEST_TIMEOUT}s")


@pytest.fixture(autouse=True)
def _fresh_log(server, monkeypatch):
    """Every test starts with an empty request log, fast retries and no dlt config surprises,
    and is stopped after TEST_TIMEOUT seconds (waits in restclient wake for signals)."""
    server.take_log()
    previous = signal.signal(signal.SIGALRM, _timed_out)
    signal.alarm(TEST_TIMEOUT)
    monkeypatch.setenv("RUNTIME__REQUEST_BACKOFF_FACTOR", "0.01")
    monkeypatch.setenv("RUNTIME__REQUEST_MAX_RETRY_DELAY", "0.05")
    monkeypatch.setenv("RUNTIME__REQUEST_TIMEOUT", "5")
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def dlt_names():
    from dlt.sources.helpers.rest_client import RESTClient, paginators, auth

    return RESTClient, paginators, auth


def our_names():
    import restclient
    from restclient import paginators, auth

    return restclient.RESTClient, paginators, auth


def page_summary(pages):
    """What a run yielded: per page its records, status and URL."""
    return [(list(p), p.response.status_code, p.response.url) for p in pages]


class Both:
    """Runs one scenario with dlt's client and with ours; returns both outcomes and request logs."""

    def __init__(self, server):
        self.server = server

    def run(self, scenario):
        """``scenario(RESTClient, paginators, auth)`` returns a value or raises; the outcome is
        ``("ok", value)`` or ``("error", exception)``."""
        results = {}
        for name, names in (("dlt", dlt_names()), ("ours", our_names())):
            self.server.take_log()
            try:
                outcome = ("ok", scenario(*names))
            except Exception as e:  # noqa: BLE001 - the outcome is compared by the test
                outcome = ("error", e)
            results[name] = (outcome, self.server.take_log())
        return results["dlt"], results["ours"]


@pytest.fixture
def both(server):
    return Both(server)
