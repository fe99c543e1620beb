"""The exceptions restclient raises.

``RESTClientException`` is the base of all of them. ``PaginatorError``, ``SelectError`` and
``ConfigError`` are also ``ValueError``\\ s, as the errors dlt raises in those places are.
"""

__all__ = [
    "RESTClientException",
    "HTTPError",
    "RequestError",
    "PaginatorError",
    "SelectError",
    "ConfigError",
    "IgnoreResponseException",
]


class RESTClientException(Exception):
    """Base of every restclient exception. ``.page`` is the page (from 0) a pagination failed
    on, when it failed during one."""

    page = None


class HTTPError(RESTClientException):
    """A response with a status of 400 or more (after retries).

    ``.response`` has ``.status_code``, ``.url`` and ``.text``.
    """

    def __init__(self, *args, response=None):
        super().__init__(*args)
        self.response = response


class RequestError(RESTClientException):
    """The request could not be completed: connection, timeout, TLS, body, retries exhausted.

    ``.is_timeout`` and ``.is_connect`` say which.
    """

    is_timeout = False
    is_connect = False


class PaginatorError(RESTClientException, ValueError):
    """The paginator cannot go on: a missing or invalid total, a bad next link or cursor, a loop."""


class SelectError(RESTClientException, ValueError):
    """A body is not JSON, or a data selector is invalid."""


class ConfigError(RESTClientException, ValueError):
    """Invalid configuration: a paginator, auth, URL, header or setting."""


class IgnoreResponseException(RESTClientException):
    """Raise it from a response hook to end the pagination quietly (as in dlt)."""
