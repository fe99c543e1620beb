"""Auth with dlt's constructor arguments and defaults.

Each class is a description; the Rust core applies it, scoped to the base URL's origin. Auth can
also be given as dlt's declarative dict (``{"type": "bearer", "token": "..."}``; no ``type`` means
bearer). Secrets never appear in ``repr`` or in error messages.
"""

import json as _json

from .exceptions import ConfigError

__all__ = [
    "AuthConfigBase",
    "BearerTokenAuth",
    "APIKeyAuth",
    "HttpBasicAuth",
    "OAuth2ClientCredentials",
]


class AuthConfigBase:
    """Base of every auth class."""

    _type = None
    _fields = ()

    def _config(self):
        if self._type is None:
            raise ConfigError(
                f"{type(self).__name__}: custom auth written in Python is not supported; "
                "use one of restclient.auth or a dlt auth dict"
            )
        config = {"type": self._type}
        for field in self._fields:
            value = getattr(self, field)
            if value is not None:
                config[field] = value
        return config

    def __bool__(self):
        return True

    def __repr__(self):
        return f"<{type(self).__name__} at {id(self):x}>"


class BearerTokenAuth(AuthConfigBase):
    """``Authorization: Bearer <token>``."""

    _type = "bearer"
    _fields = ("token",)

    def __init__(self, token=None):
        self.token = token


class APIKeyAuth(AuthConfigBase):
    """An API key in a header (default ``Authorization``), the query (``location="query"`` or
    ``"param"``) or a cookie."""

    _type = "api_key"
    _fields = ("name", "api_key", "location")

    def __init__(self, name="Authorization", api_key=None, location="header"):
        self.name = name
        self.api_key = api_key
        self.location = location


class HttpBasicAuth(AuthConfigBase):
    """``Authorization: Basic base64(username:password)``."""

    _type = "http_basic"
    _fields = ("username", "password")

    def __init__(self, username=None, password=None):
        self.username = username
        self.password = password


class OAuth2ClientCredentials(AuthConfigBase):
    """OAuth2 client credentials: a token fetched from ``access_token_url`` (client id and
    secret in the form body) before the first request and again when it expires."""

    _type = "oauth2_client_credentials"
    _fields = (
        "access_token",
        "access_token_url",
        "client_id",
        "client_secret",
        "access_token_request_data",
        "default_token_expiration",
    )

    def __init__(
        self,
        access_token=None,
        access_token_url=None,
        client_id=None,
        client_secret=None,
        access_token_request_data=None,
        default_token_expiration=3600,
        session=None,
    ):
        if session is not None:
            raise ConfigError("OAuth2ClientCredentials: a custom `session` is not supported")
        self.access_token = access_token
        self.access_token_url = access_token_url
        self.client_id = client_id
        self.client_secret = client_secret
        self.access_token_request_data = access_token_request_data or {}
        self.default_token_expiration = default_token_expiration


def _to_json(auth):
    """The auth as the JSON of a dlt auth dict, or ``None``."""
    if auth is None:
        return None
    if isinstance(auth, AuthConfigBase):
        return _json.dumps(auth._config())
    if isinstance(auth, dict):
        return _json.dumps(auth)
    if isinstance(auth, str):
        return _json.dumps({"type": auth})
    raise ConfigError(
        f"Incorrect auth object type '{type(auth).__name__}'. Expected str (auth type), dict (auth "
        "config), an instance of AuthConfigBase, or None."
    )
