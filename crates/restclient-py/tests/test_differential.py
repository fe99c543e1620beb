"""dlt 1.31's RESTClient and ours, side by side on the same server: the same pages, records and
request logs, for every paginator, auth type, hooks, errors and retries."""

import pytest

from conftest import ITEMS, page_summary


def same(both, scenario):
    """Runs `scenario` with both clients; asserts identical results and request logs."""
    (dlt_outcome, dlt_log), (our_outcome, our_log) = both.run(scenario)
    assert dlt_outcome[0] == "ok", f"dlt failed: {dlt_outcome[1]!r}"
    assert our_outcome[0] == "ok", f"ours failed: {our_outcome[1]!r}"
    assert our_outcome[1] == dlt_outcome[1]
    assert our_log == dlt_log
    assert len(our_log) > 0
    return our_outcome[1], our_log


def paginate_all(path, **kw):
    def scenario(RESTClient, P, A):
        client_kw = kw.pop("client", {}) if "client" in kw else {}
        client = RESTClient(base_url=kw.get("base_url", ""), **client_kw)
        return page_summary(client.paginate(path, **kw.get("call", {})))

    return scenario


def run_pages(make_client, path, **call):
    def scenario(RESTClient, P, A):
        client = make_client(RESTClient, P, A)
        call_kw = {k: (v(P, A) if callable(v) else v) for k, v in call.items()}
        return page_summary(client.paginate(path, **call_kw))

    return scenario


def all_records(summary):
    return [r for records, _, _ in summary for r in records]


# --- paginators --------------------------------------------------------------------------------

PAGINATOR_CASES = {
    "offset_total": ("/offset", lambda P: P.OffsetPaginator(limit=10), "items", {}),
    "offset_limit_7": ("/offset", lambda P: P.OffsetPaginator(limit=7, total_path="total"), "items", {}),
    "offset_no_total": ("/offset_nototal", lambda P: P.OffsetPaginator(limit=10, total_path=None), "items", {}),
    "offset_max": ("/offset_nototal", lambda P: P.OffsetPaginator(limit=5, total_path=None, maximum_offset=15), "items", {}),
    "offset_params": ("/offset", lambda P: P.OffsetPaginator(limit=10, offset=3, offset_param="offset", limit_param="limit"), "items", {"params": {"q": "x", "tag": ["a", "b"]}}),
    "page_number": ("/page", lambda P: P.PageNumberPaginator(base_page=1, total_path="total_pages"), "data", {}),
    "page_number_max": ("/page", lambda P: P.PageNumberPaginator(base_page=1, page=2, total_path=None, maximum_page=4), "data", {}),
    "json_link": ("/json_link", lambda P: P.JSONLinkPaginator(next_url_path="next"), "results", {}),
    "json_link_relative": ("/json_link_rel", lambda P: P.JSONLinkPaginator(next_url_path="meta.next_page"), "results", {}),
    "header_link": ("/header_link", lambda P: P.HeaderLinkPaginator(), "$", {}),
    "cursor": ("/cursor", lambda P: P.JSONResponseCursorPaginator(cursor_path="cursors.next", cursor_param="cursor"), "items", {}),
    "header_cursor": ("/header_cursor", lambda P: P.HeaderCursorPaginator(cursor_key="next", cursor_param="cursor"), "items", {}),
    "single_page": ("/single", lambda P: P.SinglePagePaginator(), None, {}),
}


@pytest.mark.parametrize("case", sorted(PAGINATOR_CASES))
def test_paginator(both, server, case):
    path, make, selector, call = PAGINATOR_CASES[case]

    def scenario(RESTClient, P, A):
        client = RESTClient(base_url=server.url)
        return page_summary(client.paginate(path, paginator=make(P), data_selector=selector, **call))

    summary, log = same(both, scenario)
    records = all_records(summary)
    assert records, "the scenario yields records"
    assert all(r in ITEMS for r in records)


def test_paginator_on_client_and_per_call_headers(both, server):
    def scenario(RESTClient, P, A):
        client = RESTClient(
            base_url=server.url + "/",
            headers={"X-Custom": "client", "X-API-Key": "k1"},
            paginator=P.OffsetPaginator(limit=9),
            data_selector="items",
        )
        first = page_summary(client.paginate("offset", headers={"X-Custom": "call"}))
        second = page_summary(client.paginate("/offset"))
        return first, second

    (first, second), _ = same(both, scenario)
    assert first == second


@pytest.mark.parametrize(
    "config",
    [
        {"type": "offset", "limit": 10},
        {"type": "offset", "limit": 4, "total_path": None, "maximum_offset": 12},
        {"type": "page_number", "base_page": 1, "total_path": "total_pages"},
        {"type": "json_link", "next_url_path": "next"},
        {"type": "cursor", "cursor_path": "cursors.next"},
        "header_link",
        "single_page",
    ],
    ids=repr,
)
def test_paginator_dicts_and_names(both, server, config):
    paths = {"offset": "/offset", "page_number": "/page", "json_link": "/json_link", "cursor": "/cursor"}
    name = config if isinstance(config, str) else config["type"]
    path = paths.get(name, "/header_link" if name == "header_link" else "/single")
    selector = {"offset": "items", "page_number": "data", "json_link": "results", "cursor": "items"}.get(name)

    def scenario(RESTClient, P, A):
        from dlt.sources.rest_api.config_setup import create_paginator

        paginator = config
        if "dlt" in RESTClient.__module__:
            paginator = create_paginator(dict(config) if isinstance(config, dict) else config)
        client = RESTClient(base_url=server.url)
        return page_summary(client.paginate(path, paginator=paginator, data_selector=selector))

    same(both, scenario)


def test_post_body_pagination(both, server):
    def scenario(RESTClient, P, A):
        client = RESTClient(base_url=server.url)
        offset = page_summary(
            client.paginate(
                "/offset_body",
                method="POST",
                json={"filter": {"active": True}, "page": {}},
                paginator=P.OffsetPaginator(limit=6, offset_body_path="page.offset", limit_body_path="page.limit"),
                data_selector="items",
            )
        )
        cursor = page_summary(
            client.paginate(
                "/cursor_body",
                method="POST",
                json={"filter": "x"},
                paginator=P.JSONResponseCursorPaginator(cursor_path="next_cursor", cursor_body_path="cursor"),
                data_selector="items",
            )
        )
        return offset, cursor

    same(both, scenario)


@pytest.mark.parametrize("path", ["/json_link", "/offset", "/single", "/header_link", "/page"])
def test_auto_detection(both, server, path):
    def scenario(RESTClient, P, A):
        return page_summary(RESTClient(base_url=server.url).paginate(path))

    same(both, scenario)


def test_module_paginate(both, server):
    def scenario(RESTClient, P, A):
        if "dlt" in RESTClient.__module__:
            from dlt.sources.helpers.rest_client import paginate
        else:
            from restclient import paginate
        return page_summary(
            paginate(server.url + "/offset", params={"q": "1"}, paginator=P.OffsetPaginator(limit=8), data_selector="items")
        )

    same(both, scenario)


# --- auth --------------------------------------------------------------------------------------

AUTH_CASES = {
    "bearer": lambda A: A.BearerTokenAuth(token="t0ken"),
    "api_key_header": lambda A: A.APIKeyAuth(name="X-API-Key", api_key="k3y", location="header"),
    "api_key_query": lambda A: A.APIKeyAuth(name="api_key", api_key="k3y", location="query"),
    "http_basic": lambda A: A.HttpBasicAuth(username="user", password="p@ss:word"),
}


@pytest.mark.parametrize("case", sorted(AUTH_CASES))
@pytest.mark.parametrize("where", ["client", "call"])
def test_auth(both, server, case, where):
    def scenario(RESTClient, P, A):
        auth = AUTH_CASES[case](A)
        client = RESTClient(base_url=server.url, auth=auth if where == "client" else None)
        pages = client.paginate(
            "/protected",
            paginator=P.OffsetPaginator(limit=10),
            data_selector="items",
            auth=auth if where == "call" else None,
        )
        return page_summary(pages)

    summary, log = same(both, scenario)
    assert len(log) == 3


def test_oauth2_client_credentials(both, server):
    def scenario(RESTClient, P, A):
        auth = A.OAuth2ClientCredentials(
            access_token_url=server.url + "/token",
            client_id="cid",
            client_secret="s3cret",
            access_token_request_data={"scope": "read"},
        )
        client = RESTClient(base_url=server.url, auth=auth)
        return page_summary(client.paginate("/protected", paginator=P.OffsetPaginator(limit=10), data_selector="items"))

    summary, log = same(both, scenario)
    token_requests = [entry for entry in log if entry[1] == "/token"]
    assert len(token_requests) == 1


def test_auth_dicts(both, server):
    def scenario(RESTClient, P, A):
        config = {"type": "api_key", "name": "X-API-Key", "api_key": "k3y"}
        if "dlt" in RESTClient.__module__:
            from dlt.sources.rest_api.config_setup import create_auth

            config = create_auth(config)
        client = RESTClient(base_url=server.url, auth=config)
        return page_summary(client.paginate("/protected", paginator=P.SinglePagePaginator(), data_selector="items"))

    same(both, scenario)


# --- hooks -------------------------------------------------------------------------------------


def test_hook_sees_every_response(both, server):
    def scenario(RESTClient, P, A):
        seen = []

        def hook(response, *args, **kwargs):
            seen.append((response.status_code, response.url, response.json()["total"]))

        client = RESTClient(base_url=server.url)
        pages = page_summary(
            client.paginate("/offset", paginator=P.OffsetPaginator(limit=10), data_selector="items", hooks={"response": [hook]})
        )
        return pages, seen

    (pages, seen), _ = same(both, scenario)
    assert len(seen) == 3


def test_hook_ignore_response_ends_quietly(both, server):
    def scenario(RESTClient, P, A):
        if "dlt" in RESTClient.__module__:
            from dlt.sources.helpers.rest_client.exceptions import IgnoreResponseException
        else:
            from restclient.exceptions import IgnoreResponseException

        def stop_on_404(response, *args, **kwargs):
            if response.status_code == 404:
                raise IgnoreResponseException

        client = RESTClient(base_url=server.url)
        return page_summary(client.paginate("/status/404", paginator=P.SinglePagePaginator(), hooks={"response": [stop_on_404]}))

    pages, _ = same(both, scenario)
    assert pages == []


def test_hook_with_dlts_own_ignore_exception_works_with_ours(server):
    """A hook written for dlt (raising dlt's IgnoreResponseException) keeps working."""
    from dlt.sources.helpers.rest_client.exceptions import IgnoreResponseException as DltIgnore

    from restclient import RESTClient
    from restclient.paginators import SinglePagePaginator

    def stop(response, *args, **kwargs):
        raise DltIgnore

    pages = list(RESTClient(server.url).paginate("/single", paginator=SinglePagePaginator(), hooks={"response": [stop]}))
    assert pages == []


def test_hook_turns_off_the_status_check(both, server):
    """As in dlt, any response hook replaces the default raise: the error body is parsed as data."""

    def scenario(RESTClient, P, A):
        client = RESTClient(base_url=server.url)
        return page_summary(
            client.paginate("/status/404", paginator=P.SinglePagePaginator(), data_selector="error", hooks={"response": [lambda r, *a, **k: None]})
        )

    pages, _ = same(both, scenario)
    assert pages[0][0] == ["status 404"]


def test_hook_exception_propagates_unchanged(server):
    from restclient import RESTClient

    class Boom(Exception):
        pass

    def hook(response, *args, **kwargs):
        raise Boom("from the hook")

    with pytest.raises(Boom, match="from the hook"):
        list(RESTClient(server.url).paginate("/single", hooks={"response": hook}))


# --- errors and retries ------------------------------------------------------------------------


def outcome_pair(both, scenario):
    (dlt_outcome, dlt_log), (our_outcome, our_log) = both.run(scenario)
    return dlt_outcome, our_outcome, dlt_log, our_log


@pytest.mark.parametrize("code", [400, 401, 404, 422])
def test_client_error_raises_http_error_at_once(both, server, code):
    def scenario(RESTClient, P, A):
        return page_summary(RESTClient(base_url=server.url).paginate(f"/status/{code}", paginator=P.SinglePagePaginator()))

    dlt_outcome, our_outcome, dlt_log, our_log = outcome_pair(both, scenario)
    assert dlt_outcome[0] == our_outcome[0] == "error"
    import requests

    from restclient.exceptions import HTTPError

    assert isinstance(dlt_outcome[1], requests.HTTPError)
    assert isinstance(our_outcome[1], HTTPError)
    assert our_outcome[1].response.status_code == dlt_outcome[1].response.status_code == code
    assert str(our_outcome[1]) == str(dlt_outcome[1])
    assert our_outcome[1].page == 0
    assert our_log == dlt_log and len(our_log) == 1


def test_server_error_retried_then_raised(both, server):
    def scenario(RESTClient, P, A):
        return page_summary(RESTClient(base_url=server.url).paginate("/status/503", paginator=P.SinglePagePaginator()))

    dlt_outcome, our_outcome, dlt_log, our_log = outcome_pair(both, scenario)
    assert dlt_outcome[0] == our_outcome[0] == "error"
    assert our_outcome[1].response.status_code == dlt_outcome[1].response.status_code == 503
    assert str(our_outcome[1]).startswith(str(dlt_outcome[1]))
    assert our_log == dlt_log and len(our_log) == 5


def test_retry_then_success(both, server):
    def scenario(RESTClient, P, A):
        client = RESTClient(base_url=server.url)
        return page_summary(client.paginate("/flaky/a/2", paginator=P.SinglePagePaginator(), data_selector="items"))

    _, log = same(both, scenario)
    assert len(log) == 3


def test_max_attempts_from_environment(both, server, monkeypatch):
    monkeypatch.setenv("RUNTIME__REQUEST_MAX_ATTEMPTS", "2")

    def scenario(RESTClient, P, A):
        return RESTClient(base_url=server.url).get("/status/500").status_code

    status, log = same(both, scenario)
    assert status == 500 and len(log) == 2


def test_missing_total_is_a_value_error(both, server):
    def scenario(RESTClient, P, A):
        return page_summary(RESTClient(base_url=server.url).paginate("/offset_nototal", paginator=P.OffsetPaginator(limit=10), data_selector="items"))

    dlt_outcome, our_outcome, dlt_log, our_log = outcome_pair(both, scenario)
    assert dlt_outcome[0] == our_outcome[0] == "error"
    assert isinstance(dlt_outcome[1], ValueError) and isinstance(our_outcome[1], ValueError)
    assert "Total `items` not found" in str(our_outcome[1])
    assert our_log == dlt_log


def test_body_not_json(both, server):
    def scenario(RESTClient, P, A):
        return page_summary(RESTClient(base_url=server.url).paginate("/notjson", paginator=P.SinglePagePaginator()))

    dlt_outcome, our_outcome, dlt_log, our_log = outcome_pair(both, scenario)
    assert dlt_outcome[0] == our_outcome[0] == "error"
    assert isinstance(dlt_outcome[1], ValueError) and isinstance(our_outcome[1], ValueError)
    assert our_log == dlt_log


def test_connection_refused_is_a_request_error():
    from restclient import RESTClient, RequestError

    with pytest.raises(RequestError) as raised:
        list(RESTClient("http://127.0.0.1:9", max_attempts=2, backoff_factor=0).paginate("/x"))
    assert raised.value.is_connect


def test_timeout_is_a_request_error(server):
    from restclient import RESTClient, RequestError

    with pytest.raises(RequestError) as raised:
        RESTClient(server.url, timeout=0.2, max_attempts=1).get("/slow/1")
    assert raised.value.is_timeout


# --- single requests ---------------------------------------------------------------------------


def test_get_and_post(both, server):
    def scenario(RESTClient, P, A):
        client = RESTClient(base_url=server.url, headers={"X-Custom": "c"})
        got = client.get("/offset", params={"offset": 2, "limit": 3})
        posted = client.post("/offset_body", json={"page": {"offset": 5, "limit": 2}})
        form = client.post("/offset_body", data={"a": "1", "b": ["x", "y"]})
        missing = client.get("/status/404")
        return [
            (r.status_code, r.json(), r.text == r.content.decode(), r.headers["content-type"], r.url, r.ok)
            for r in (got, posted, form, missing)
        ]

    same(both, scenario)


def test_raise_for_status(server):
    from restclient import HTTPError, RESTClient

    response = RESTClient(server.url).get("/status/404")
    assert response.status_code == 404 and not response.ok
    with pytest.raises(HTTPError) as raised:
        response.raise_for_status()
    assert raised.value.response is response
    assert str(raised.value) == f"404 Client Error: Not Found for url: {server.url}/status/404"


def test_json_and_data_together_is_a_value_error(server):
    from restclient import RESTClient

    with pytest.raises(ValueError, match="Cannot use both"):
        RESTClient(server.url).post("/x", json={"a": 1}, data={"b": 2})
