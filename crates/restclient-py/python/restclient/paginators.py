"""Paginators with dlt's constructor arguments and defaults.

Each class is a description: the Rust core runs the pagination. A paginator can also be given as
dlt's declarative dict (``{"type": "offset", "limit": 100}``) or a bare type name
(``"header_link"``) anywhere a paginator is taken. Invalid arguments raise ``ConfigError`` (a
``ValueError``) at construction, as dlt raises ``ValueError``.
"""

import json as _json

from . import _native
from .exceptions import ConfigError

__all__ = [
    "BasePaginator",
    "SinglePagePaginator",
    "OffsetPaginator",
    "PageNumberPaginator",
    "JSONLinkPaginator",
    "HeaderLinkPaginator",
    "JSONResponseCursorPaginator",
    "HeaderCursorPaginator",
]


class BasePaginator:
    """Base of every paginator. Subclasses that implement their own ``update_state`` and
    ``update_request`` in Python are not supported yet: pagination runs in Rust."""

    _type = None

    def __init__(self):
        self._has_next_page = True
        self._params = {}

    @property
    def has_next_page(self):
        return self._has_next_page

    def init_request(self, request):
        pass

    def update_state(self, response, data=None):
        raise NotImplementedError

    def update_request(self, request):
        raise NotImplementedError

    def _config(self):
        if self._type is None:
            raise ConfigError(
                f"{type(self).__name__}: custom paginators written in Python are not supported; "
                "use one of restclient.paginators or a dlt paginator dict"
            )
        return {"type": self._type, **self._params}

    def _configure(self, **params):
        self._params = params
        for name, value in params.items():
            setattr(self, name, value)
        _native.check_paginator(_json.dumps(self._config()))

    def __str__(self):
        return f"{type(self).__name__} at {id(self):x}"

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self._params.items())
        return f"{type(self).__name__}({args})"


class SinglePagePaginator(BasePaginator):
    """One request, one page."""

    _type = "single_page"

    def __init__(self):
        super().__init__()
        self._configure()


class OffsetPaginator(BasePaginator):
    """``offset``/``limit`` in the query (or the body); stops on an empty page, the total or
    ``maximum_offset``."""

    _type = "offset"

    def __init__(
        self,
        limit,
        offset=0,
        offset_param=None,
        limit_param=None,
        total_path="total",
        maximum_offset=None,
        stop_after_empty_page=True,
        *,
        has_more_path=None,
        offset_body_path=None,
        limit_body_path=None,
    ):
        super().__init__()
        self._configure(
            limit=limit,
            offset=offset,
            offset_param=offset_param,
            limit_param=limit_param,
            total_path=total_path,
            maximum_offset=maximum_offset,
            stop_after_empty_page=stop_after_empty_page,
            has_more_path=has_more_path,
            offset_body_path=offset_body_path,
            limit_body_path=limit_body_path,
        )


class PageNumberPaginator(BasePaginator):
    """A page number in the query (or the body); stops on an empty page, the total or
    ``maximum_page``."""

    _type = "page_number"

    def __init__(
        self,
        base_page=0,
        page=None,
        page_param=None,
        total_path="total",
        maximum_page=None,
        stop_after_empty_page=True,
        *,
        has_more_path=None,
        page_body_path=None,
    ):
        super().__init__()
        self._configure(
            base_page=base_page,
            page=page,
            page_param=page_param,
            total_path=total_path,
            maximum_page=maximum_page,
            stop_after_empty_page=stop_after_empty_page,
            has_more_path=has_more_path,
            page_body_path=page_body_path,
        )


class JSONLinkPaginator(BasePaginator):
    """Follows the next URL found at ``next_url_path`` in the body."""

    _type = "json_link"

    def __init__(self, next_url_path="next"):
        super().__init__()
        self._configure(next_url_path=next_url_path)


class HeaderLinkPaginator(BasePaginator):
    """Follows the ``Link`` header's ``rel="next"`` URL."""

    _type = "header_link"

    def __init__(self, links_next_key="next"):
        super().__init__()
        self._configure(links_next_key=links_next_key)


class JSONResponseCursorPaginator(BasePaginator):
    """Sends the cursor found at ``cursor_path`` in the body as ``cursor_param`` (or at
    ``cursor_body_path`` in the request body)."""

    _type = "cursor"

    def __init__(
        self,
        cursor_path="cursors.next",
        cursor_param=None,
        cursor_body_path=None,
        *,
        stop_after_empty_page=False,
        has_more_path=None,
    ):
        super().__init__()
        self._configure(
            cursor_path=cursor_path,
            cursor_param=cursor_param,
            cursor_body_path=cursor_body_path,
            stop_after_empty_page=stop_after_empty_page,
            has_more_path=has_more_path,
        )


class HeaderCursorPaginator(BasePaginator):
    """Sends the cursor found in the response header ``cursor_key`` as ``cursor_param``."""

    _type = "header_cursor"

    def __init__(self, cursor_key="next", cursor_param="cursor"):
        super().__init__()
        self._configure(cursor_key=cursor_key, cursor_param=cursor_param)


def _to_json(paginator):
    """The paginator as the JSON of a dlt paginator dict or name, or ``None``."""
    if paginator is None:
        return None
    if isinstance(paginator, BasePaginator):
        return _json.dumps(paginator._config())
    if isinstance(paginator, (str, dict)):
        return _json.dumps(paginator)
    raise ConfigError(
        f"a paginator is a restclient.paginators instance, a dlt paginator dict or a type name, "
        f"got {type(paginator).__name__}"
    )
