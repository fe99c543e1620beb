"""restclient: dlt's ``RESTClient`` API over a Rust core.

Change one import in a dlt pipeline and keep the rest::

    from restclient import RESTClient           # was: from dlt.sources.helpers.rest_client import RESTClient
    from restclient.paginators import OffsetPaginator

    client = RESTClient(base_url="https://api.example.com", paginator=OffsetPaginator(limit=100))
    for page in client.paginate("/users"):
        ...

Requests, retries, pagination and JSON parsing run in Rust with the GIL released; records are
plain ``dict``/``list``/``str``/``int``/``float``/``bool``/``None`` objects, exactly what
``json.loads`` gives.
"""

from ._native import __version__
from ._types import PageData
from .client import RESTClient, paginate
from .exceptions import (
    ConfigError,
    HTTPError,
    IgnoreResponseException,
    PaginatorError,
    RequestError,
    RESTClientException,
    SelectError,
)

__all__ = [
    "RESTClient",
    "PageData",
    "paginate",
    "__version__",
    "RESTClientException",
    "HTTPError",
    "RequestError",
    "PaginatorError",
    "SelectError",
    "ConfigError",
    "IgnoreResponseException",
]
