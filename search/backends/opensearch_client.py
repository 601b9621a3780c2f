"""Connecting to an OpenSearch cluster: where it is, how to log in, how to trust it.

Everything comes from options or the environment (``BERITA_SEARCH_OPENSEARCH_*``); passwords
only from the environment, never from the command line, where other users could read them.
TLS certificates are verified unless the URL is plain ``http://``; a private certificate
authority is given as a CA file.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

if TYPE_CHECKING:
    from opensearchpy import OpenSearch

URL_ENV = "BERITA_SEARCH_OPENSEARCH_URL"
INDEX_ENV = "BERITA_SEARCH_OPENSEARCH_INDEX"
USER_ENV = "BERITA_SEARCH_OPENSEARCH_USER"
PASSWORD_ENV = "BERITA_SEARCH_OPENSEARCH_PASSWORD"
CA_FILE_ENV = "BERITA_SEARCH_OPENSEARCH_CA_FILE"
DEFAULT_URL = "http://127.0.0.1:9200"
DEFAULT_INDEX = "berita-search"
REQUEST_TIMEOUT = 30.0
RETRY_STATUSES = (502, 503, 504)


class OpenSearchUnavailable(RuntimeError):
    """The cluster cannot be used: unreachable, refusing the login, untrusted, or missing a piece."""


@dataclass(frozen=True)
class OpenSearchSettings:
    """Where the articles live on a cluster. ``urls``: one or more nodes; the client spreads
    requests over them and retries on another when one fails."""

    urls: tuple[str, ...] = (DEFAULT_URL,)
    index: str = DEFAULT_INDEX  # the alias searches read; it points at a versioned index
    user: str | None = None
    password: str | None = None
    ca_file: str | None = None
    timeout: float = REQUEST_TIMEOUT

    @classmethod
    def from_environment(
        cls, url: str | None = None, environ: Mapping[str, str] | None = None, **overrides: Any
    ) -> OpenSearchSettings:
        env = os.environ if environ is None else environ
        text = url or env.get(URL_ENV) or DEFAULT_URL
        urls = tuple(part.strip().rstrip("/") for part in text.split(",") if part.strip())
        for candidate in urls:
            parts = urlsplit(candidate)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ValueError(f"not an OpenSearch URL: {_without_password(candidate)!r} (use http(s)://host:port)")
            if parts.password:
                raise ValueError(f"put the password in ${PASSWORD_ENV}, not in the URL")
        settings = cls(
            urls=urls,
            index=env.get(INDEX_ENV) or DEFAULT_INDEX,
            user=env.get(USER_ENV) or None,
            password=env.get(PASSWORD_ENV) or None,
            ca_file=env.get(CA_FILE_ENV) or None,
        )
        return settings if not overrides else cls(**{**settings.__dict__, **overrides})

    @property
    def location(self) -> str:
        """Where searches go, without any credentials: for messages and ``stats``."""
        return f"{_without_password(self.urls[0])}/{self.index}"

    def environment(self) -> dict[str, str]:
        """The variables that give these settings to another process (``serve --workers``)."""
        env = {URL_ENV: ",".join(self.urls), INDEX_ENV: self.index}
        for name, value in ((USER_ENV, self.user), (PASSWORD_ENV, self.password), (CA_FILE_ENV, self.ca_file)):
            if value:
                env[name] = value
        return env


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit((parts.scheme, f"{parts.username}@{netloc}", parts.path, parts.query, parts.fragment))


def make_client(settings: OpenSearchSettings, **options: Any) -> OpenSearch:
    """An opensearch-py client over every node of ``settings``: it retries a request on another
    node when one is unreachable, times out or answers 502/503/504."""
    try:
        from opensearchpy import OpenSearch
    except ImportError:  # the optional dependency
        raise OpenSearchUnavailable(
            "the OpenSearch backend needs opensearch-py: pip install 'berita-search[opensearch]'"
        ) from None
    if settings.ca_file and not os.path.isfile(settings.ca_file):
        raise OpenSearchUnavailable(f"no CA file at {settings.ca_file} (${CA_FILE_ENV})")
    config: dict[str, Any] = {
        "hosts": list(settings.urls),
        "timeout": settings.timeout,
        "max_retries": len(settings.urls) + 2,
        "retry_on_timeout": True,
        "retry_on_status": RETRY_STATUSES,
        "pool_maxsize": 16,  # connections per node: the web server searches from several threads
        "verify_certs": True,
        "ssl_show_warn": True,
    }
    if settings.ca_file:
        config["ca_certs"] = settings.ca_file
    if settings.user:
        config["http_auth"] = (settings.user, settings.password or "")
    config.update(options)
    return OpenSearch(**config)


def explain_failure(settings: OpenSearchSettings, error: BaseException) -> str:
    """One line saying why the cluster could not be used."""
    from opensearchpy import exceptions as errors

    where = _without_password(settings.urls[0]) + (
        f" (and {len(settings.urls) - 1} more)" if len(settings.urls) > 1 else ""
    )
    if isinstance(error, errors.SSLError):
        return f"TLS failed talking to OpenSearch at {where}: {error.info or error}; give the CA in ${CA_FILE_ENV}"
    if isinstance(error, errors.AuthenticationException):
        return f"OpenSearch at {where} refused the login (check ${USER_ENV} and ${PASSWORD_ENV})"
    if isinstance(error, errors.AuthorizationException):
        return f"OpenSearch at {where} does not allow this user to use index {settings.index!r}"
    if isinstance(error, errors.ConnectionError):
        return f"cannot reach OpenSearch at {where}: {error.info or error}"
    if isinstance(error, errors.TransportError):
        return f"OpenSearch at {where} answered {error.status_code}: {error.error}"
    return f"OpenSearch at {where}: {type(error).__name__}: {error}"
