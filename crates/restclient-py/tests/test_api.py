"""The package's surface as the contract (shared/python-api.md) names it: imports, signatures and
defaults as dlt's, dicts and type names accepted, bad input rejected with clear errors."""

import inspect

import pytest


def test_names():
    import restclient
    from restclient import auth, exceptions, paginators

    for name in ["RESTClient", "PageData", "paginate", "__version__", "RESTClientException", "HTTPError",
                 "RequestError", "PaginatorError", "SelectError", "ConfigError", "IgnoreResponseException"]:
        assert hasattr(restclient, name), name
    for name in ["BasePaginator", "SinglePagePaginator", "OffsetPaginator", "PageNumberPaginator", "JSONLinkPaginator",
                 "HeaderLinkPaginator", "JSONResponseCursorPaginator", "HeaderCursorPaginator"]:
        assert issubclass(getattr(paginators, name), paginators.BasePaginator), name
    for name in ["AuthConfigBase", "BearerTokenAuth", "APIKeyAuth", "HttpBasicAuth", "OAuth2ClientCredentials"]:
        assert issubclass(getattr(auth, name), auth.AuthConfigBase), name
    for name in ["HTTPError", "RequestError", "PaginatorError", "SelectError", "ConfigError", "IgnoreResponseException"]:
        assert issubclass(getattr(exceptions, name), exceptions.RESTClientException), name
    assert restclient.__version__.count(".") == 2
    assert issubclass(restclient.PageData, list)


def test_client_signature_is_the_contracts():
    from restclient import RESTClient

    sig = inspect.signature(RESTClient)
    assert str(sig) == (
        "(base_url, headers=None, auth=None, paginator=None, data_selector=None, *, max_attempts=5, "
        "backoff_factor=1, max_retry_delay=300, timeout=60, concurrency=1, max_rps=None)"
    )
    assert str(inspect.signature(RESTClient.paginate)) == (
        "(self, path='', method='GET', params=None, json=None, auth=None, paginator=None, data_selector=None, "
        "hooks=None, headers=None, *, data=None)"
    )


@pytest.mark.parametrize(
    "ours, theirs",
    [
        ("SinglePagePaginator", "SinglePagePaginator"),
        ("OffsetPaginator", "OffsetPaginator"),
        ("PageNumberPaginator", "PageNumberPaginator"),
        ("JSONLinkPaginator", "JSONLinkPaginator"),
        ("HeaderLinkPaginator", "HeaderLinkPaginator"),
        ("JSONResponseCursorPaginator", "JSONResponseCursorPaginator"),
        ("HeaderCursorPaginator", "HeaderCursorPaginator"),
    ],
)
def test_paginator_signatures_match_dlt(ours, theirs):
    from dlt.sources.helpers.rest_client import paginators as dlt_paginators

    from restclient import paginators

    def shape(cls):
        return [(p.name, p.kind, p.default) for p in inspect.signature(cls).parameters.values()]

    assert shape(getattr(paginators, ours)) == shape(getattr(dlt_paginators, theirs))


@pytest.mark.parametrize("name", ["BearerTokenAuth", "APIKeyAuth", "HttpBasicAuth"])
def test_auth_parameters_match_dlt(name):
    from dlt.sources.helpers.rest_client import auth as dlt_auth

    from restclient import auth

    ours = inspect.signature(getattr(auth, name)).parameters
    theirs = inspect.signature(getattr(dlt_auth, name)).parameters
    assert {k: p.default for k, p in ours.items()} == {k: p.default for k, p in theirs.items() if k in ours}
    assert list(ours) == [k for k in theirs if k in ours]


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda P: P.OffsetPaginator(limit=10, total_path=None, stop_after_empty_page=False), "must be provided"),
        (lambda P: P.PageNumberPaginator(page_param="p", page_body_path="b"), "not both"),
        (lambda P: P.JSONResponseCursorPaginator(cursor_param="c", cursor_body_path="b"), "not both"),
    ],
)
def test_invalid_paginators_raise_value_errors_at_construction(make, match):
    from restclient import ConfigError, paginators

    with pytest.raises(ConfigError, match=match):
        make(paginators)
    with pytest.raises(ValueError):
        make(paginators)


@pytest.mark.parametrize(
    "paginator, match",
    [
        ("offset", "requires arguments"),
        ("nope", "invalid value"),
        ({"type": "offset", "limit": 1, "limitt": 2}, "limitt"),
        (42, "paginator"),
    ],
    ids=repr,
)
def test_invalid_paginator_configs(server, paginator, match):
    from restclient import ConfigError, RESTClient

    with pytest.raises(ConfigError, match=match):
        RESTClient(server.url, paginator=paginator)


def test_invalid_auth_configs(server):
    from restclient import ConfigError, RESTClient

    with pytest.raises(ConfigError, match="Incorrect auth object type"):
        RESTClient(server.url, auth=object())
    with pytest.raises(ConfigError, match="token"):
        RESTClient(server.url, auth={"type": "bearer"})


def test_secrets_do_not_leak(server):
    from restclient import RESTClient
    from restclient.auth import BearerTokenAuth

    auth = BearerTokenAuth(token="sup3r-s3cret")
    assert "sup3r-s3cret" not in repr(auth)
    client = RESTClient(server.url, auth=auth)
    assert "sup3r-s3cret" not in repr(client)
    with pytest.raises(Exception) as raised:
        list(client.paginate("/status/404?token=sup3r-s3cret"))
    assert "sup3r-s3cret" not in str(raised.value)


def test_invalid_settings(server):
    from restclient import ConfigError, RESTClient

    with pytest.raises(ConfigError):
        RESTClient(server.url, timeout=-1)
    with pytest.raises(ConfigError):
        RESTClient(server.url, concurrency=0)
    with pytest.raises(ConfigError):
        RESTClient(server.url, max_rps=0)
    with pytest.raises(ConfigError, match="base URL"):
        RESTClient("ftp://example.invalid")


def test_relative_path_without_base_url_is_a_config_error():
    from restclient import ConfigError, RESTClient

    with pytest.raises(ConfigError):
        list(RESTClient(None).paginate("/x"))


def test_page_data_attributes(server):
    from restclient import PageData, RESTClient
    from restclient.paginators import OffsetPaginator

    pages = list(RESTClient(server.url, paginator=OffsetPaginator(limit=10), data_selector="items").paginate("/offset", params={"q": "x"}))
    page = pages[1]
    assert isinstance(page, PageData) and isinstance(page, list) and len(page) == 10
    assert page.request.method == "GET"
    assert page.request.url == server.url + "/offset"
    assert page.request.params == {"q": "x", "offset": "10", "limit": "10"}
    assert page.response.status_code == 200
    assert page.response.headers["CONTENT-TYPE"] == "application/json"
    assert page.response.json()["total"] == 23
    assert page.paginator.has_next_page is True
    assert pages[-1].paginator.has_next_page is False
    assert page.paginator.name == "offset"


def test_iterator_after_an_error_is_exhausted(server):
    from restclient import HTTPError, RESTClient

    pages = RESTClient(server.url).paginate("/status/404")
    with pytest.raises(HTTPError):
        next(pages)
    with pytest.raises(StopIteration):
        next(pages)


def test_unsupported_request_kwargs_are_type_errors(server):
    from restclient import RESTClient

    with pytest.raises(TypeError, match="verify"):
        RESTClient(server.url).get("/offset", verify=False)
