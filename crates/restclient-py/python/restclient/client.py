"""``RESTClient`` and the module function ``paginate``, with dlt's signatures.

This layer only turns dlt's arguments into plain values (paginator and auth as dlt dicts, params
and headers as pairs, ``json=``/``data=`` as a body); the extension module does the rest.
"""

import json as _json
from urllib.parse import urlencode

from . import _native, auth as _auth, paginators as _paginators

__all__ = ["RESTClient", "paginate"]


class _Default(float):
    """A default setting: shown as its value, but lets ``RUNTIME__*`` environment settings win."""

    def __repr__(self):
        value = float(self)
        return repr(int(value)) if value.is_integer() else repr(value)


def _given(value):
    return None if isinstance(value, _Default) else value


def _pairs(mapping):
    """Headers or params as ``[(name, value), ...]``: lists repeat a name, ``None`` is left out
    (as requests does), other values become ``str``."""
    if not mapping:
        return None
    items = mapping.items() if hasattr(mapping, "items") else mapping
    pairs = []
    for name, value in items:
        values = value if isinstance(value, (list, tuple)) else [value]
        for v in values:
            if v is None:
                continue
            if isinstance(v, bytes):
                v = v.decode("utf-8")
            pairs.append((str(name), v if isinstance(v, str) else str(v)))
    return pairs


def _body(json, data):
    """``(bytes, kind)`` for the request body, as requests encodes ``json=`` and ``data=``."""
    if json and data:
        raise ValueError(
            "Cannot use both 'json' and 'data' parameters simultaneously. Use 'json' for JSON "
            "payloads or 'data' for form-encoded/raw data."
        )
    if data:
        if isinstance(data, bytes):
            return data, "raw"
        if isinstance(data, str):
            return data.encode("utf-8"), "raw"
        items = data.items() if hasattr(data, "items") else data
        return urlencode(list(items), doseq=True).encode("ascii"), "form"
    if json is not None:
        return _json.dumps(json, allow_nan=False).encode("utf-8"), "json"
    return None, None


def _response_hooks(hooks):
    """``(functions, raise_for_status)``: as in dlt, giving a ``"response"`` hook turns off the
    default raise on 4xx/5xx."""
    if not hooks or "response" not in hooks:
        return None, None
    functions = hooks["response"]
    if callable(functions):
        functions = [functions]
    return list(functions or []), False


_REQUEST_KWARGS = {"headers", "params", "json", "data", "auth", "hooks"}


class RESTClient:
    """A REST API client with dlt's ``RESTClient`` API (``dlt.sources.helpers.rest_client``).

    ``concurrency`` > 1 fetches pages ahead in Rust while Python consumes the current one (same
    pages, same order). ``max_attempts``, ``backoff_factor``, ``max_retry_delay`` and ``timeout``
    (seconds) default to dlt's values or the ``RUNTIME__REQUEST_*`` environment settings.
    """

    def __init__(
        self,
        base_url,
        headers=None,
        auth=None,
        paginator=None,
        data_selector=None,
        *,
        max_attempts=_Default(5),
        backoff_factor=_Default(1),
        max_retry_delay=_Default(300),
        timeout=_Default(60),
        concurrency=1,
        max_rps=None,
    ):
        self.base_url = base_url
        self.headers = headers
        self.auth = auth
        self.paginator = paginator
        self.data_selector = data_selector
        self.concurrency = concurrency
        self.max_rps = max_rps
        max_attempts = _given(max_attempts)
        self._client = _native.Client(
            base_url=base_url,
            headers=_pairs(headers),
            auth=_auth._to_json(auth),
            paginator=_paginators._to_json(paginator),
            data_selector=data_selector,
            max_attempts=None if max_attempts is None else int(max_attempts),
            backoff_factor=_given(backoff_factor),
            max_retry_delay=_given(max_retry_delay),
            timeout=_given(timeout),
            concurrency=int(concurrency),
            max_rps=max_rps,
        )

    def paginate(
        self,
        path="",
        method="GET",
        params=None,
        json=None,
        auth=None,
        paginator=None,
        data_selector=None,
        hooks=None,
        headers=None,
        *,
        data=None,
    ):
        """Every page of ``path`` as ``PageData``, with dlt's semantics (see the package docs)."""
        body, kind = _body(json, data)
        functions, raise_for_status = _response_hooks(hooks)
        return self._client.paginate(
            path,
            method,
            params=_pairs(params),
            headers=_pairs(headers),
            body=body,
            body_kind=kind,
            auth=_auth._to_json(auth),
            paginator=_paginators._to_json(paginator) if paginator else None,
            data_selector=data_selector,
            hooks=functions,
            raise_for_status=raise_for_status,
        )

    def request(self, path="", method="GET", **kwargs):
        """One request; the response is returned whatever its status (retries have run)."""
        unknown = set(kwargs) - _REQUEST_KWARGS
        if unknown:
            raise TypeError(
                f"request() got unsupported keyword arguments {sorted(unknown)}; "
                f"supported: {sorted(_REQUEST_KWARGS)}"
            )
        body, kind = _body(kwargs.get("json"), kwargs.get("data"))
        response = self._client.request(
            path,
            method,
            params=_pairs(kwargs.get("params")),
            headers=_pairs(kwargs.get("headers")),
            body=body,
            body_kind=kind,
            auth=_auth._to_json(kwargs.get("auth")),
        )
        functions, _ = _response_hooks(kwargs.get("hooks"))
        for hook in functions or ():
            hook(response)
        return response

    def get(self, path, params=None, **kwargs):
        """``GET path``; see ``request``."""
        return self.request(path, method="GET", params=params, **kwargs)

    def post(self, path, json=None, *, data=None, **kwargs):
        """``POST path`` with a JSON or form body; see ``request``."""
        return self.request(path, method="POST", json=json, data=data, **kwargs)

    def __repr__(self):
        return f"<RESTClient base_url={self.base_url!r}>"


def paginate(
    url,
    method="GET",
    headers=None,
    params=None,
    json=None,
    auth=None,
    paginator=None,
    data_selector=None,
    hooks=None,
    *,
    data=None,
):
    """Every page of exactly ``url`` (dlt's module-level ``paginate``)."""
    client = RESTClient(base_url=url, headers=headers)
    return client.paginate(
        path="",
        method=method,
        params=params,
        json=json,
        auth=auth,
        paginator=paginator,
        data_selector=data_selector,
        hooks=hooks,
        data=data,
    )


