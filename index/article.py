"""The one Article record every reader produces and the index stores."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Query parameters that only track the click, never select the article.
_TRACKING_PARAMS = re.compile(r"^(utm_|fbclid$|gclid$|ref$|source$|page$|_ga$)")


@dataclass(slots=True)
class Article:
    title: str
    body: str
    url: str = ""
    source: str = ""
    category: str = ""
    subcategory: str = ""
    reporter: str = ""
    published: datetime | None = None  # timezone-aware, in the article's own zone
    published_has_time: bool = False  # False when only the day is known
    caption: str = ""
    tags: list[str] = field(default_factory=list)
    # Why the date is missing or was corrected; empty when the date is plain.
    date_note: str = ""
    # Where the record came from, for error messages and the summary.
    origin: str = ""
    # Fingerprint of the raw row or page it was parsed from (see index.readers.row_digest).
    row_digest: str = ""

    @property
    def id(self) -> str:
        return article_id(self.url, self.title, self.body)

    def content_hash(self) -> str:
        """Hash of everything that is indexed: a changed hash means re-index."""
        parts = [
            self.title,
            self.body,
            self.url,
            self.source,
            self.category,
            self.subcategory,
            self.reporter,
            self.published.isoformat() if self.published else "",
            str(self.published_has_time),
            self.caption,
            "\x1f".join(self.tags),
            self.date_note,
        ]
        return hashlib.blake2b("\x1e".join(parts).encode("utf-8"), digest_size=12).hexdigest()


def normalize_url(url: str) -> str:
    """The canonical form two copies of one article's URL share."""
    url = url.strip()
    if not url:
        return ""
    parts = urlsplit(url if "://" in url else "http://" + url)
    host = (parts.hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    if host.startswith("m.") or host.startswith("amp."):
        host = host.split(".", 1)[1]
    path = re.sub(r"/+", "/", parts.path).rstrip("/") or "/"
    path = re.sub(r"/amp$", "", path)
    query = [(k, v) for k, v in parse_qsl(parts.query) if not _TRACKING_PARAMS.match(k)]
    return urlunsplit(("https", host, path, urlencode(sorted(query)), ""))


_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:(?!\d)")  # 'javascript:', 'mailto:'; not 'host:8080'
_HOST = re.compile(r"^[\w\-]+(?:\.[\w\-]+)+$|^[0-9a-f]*:[0-9a-f:.]*$")  # a dotted name, or IPv6


def usable_url(url: str) -> bool:
    """Whether a URL names a web page: http(s) with a host ('kompas.com/read/...' without a
    scheme too). 'javascript:void(0)', '#' or '-' name none, and would give every article
    that carries them one id."""
    url = url.strip()
    if "://" not in url:
        if _SCHEME.match(url):
            return False
        url = "http://" + url
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:  # a malformed port or IPv6 address
        return False
    return parts.scheme.lower() in ("http", "https") and bool(_HOST.match(host))


def article_id(url: str, title: str, body: str) -> str:
    """Stable id: from the normalised URL, or from the text when there is no usable URL."""
    if usable_url(url):
        key = "url:" + normalize_url(url)
    else:
        words = " ".join((title + "\n" + body).split()).casefold()
        key = "text:" + words
    return hashlib.blake2b(key.encode("utf-8"), digest_size=8).hexdigest()
