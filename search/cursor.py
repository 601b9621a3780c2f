"""Paging through every hit of a search with a cursor, past the page cap.

A cursor is opaque to clients: the last hit's sort key (the sort's value and the article id)
and a digest of the search it belongs to, in URL-safe base64. The next page resumes right after
that hit (``SearchSpec.after``; OpenSearch's ``search_after`` takes the same pair), so pages
stay consistent while articles are added: a new article appears where it sorts, nothing is
repeated or skipped. A cursor of another search is refused.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass, replace
from typing import Any

from berita_search.search.engine import Hit, SearchEngine, SearchResult
from berita_search.search.messages import Message
from berita_search.search.requests import RequestError, SearchRequest

CURSOR_VERSION = 1
MAX_CURSOR_CHARS = 400


def _search_digest(request: SearchRequest) -> str:
    """What makes two requests the same search (not the page or the page size)."""
    identity = [
        request.q,
        request.sort,
        request.date_from,
        request.date_to,
        request.reporter,
        request.category,
        request.source,
        request.collapse,
        request.added_after,
        request.added_upto,
    ]
    text = json.dumps(identity, ensure_ascii=False)
    return hashlib.blake2b(text.encode("utf-8"), digest_size=6).hexdigest()


def encode_cursor(request: SearchRequest, sort_key: tuple[Any, ...]) -> str:
    value, article_id = sort_key
    data = json.dumps([CURSOR_VERSION, _search_digest(request), value, article_id], separators=(",", ":"))
    return base64.urlsafe_b64encode(data.encode("utf-8")).decode("ascii").rstrip("=")


def decode_cursor(request: SearchRequest, cursor: str) -> tuple[Any, ...] | None:
    """The sort key a cursor resumes after; None for an empty cursor (the first page)."""
    cursor = cursor.strip()
    if not cursor:
        return None
    invalid = RequestError(Message.of("cursor_invalid"))
    if len(cursor) > MAX_CURSOR_CHARS:
        raise invalid
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("utf-8"))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise invalid from None
    if not isinstance(data, list) or len(data) != 4 or data[0] != CURSOR_VERSION:
        raise invalid
    _version, digest, value, article_id = data
    if digest != _search_digest(request) or not isinstance(article_id, str):
        raise invalid
    if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
        raise invalid
    return (value, article_id)


@dataclass
class CursorPage:
    counts: SearchResult  # the whole result's counts (its hits are not these)
    hits: list[Hit]
    next_cursor: str | None  # None after the last hit


def cursor_page(engine: SearchEngine, request: SearchRequest, cursor: str, limit: int) -> CursorPage:
    """``limit`` hits after the cursor (from the first for an empty one)."""
    after = decode_cursor(request, cursor)
    counts = engine.search(replace(request, page=1, limit=1, facets=False, snippets=False))
    parsed, ranked = engine.iterate(replace(request, page=1), after=after)
    hits: list[Hit] = []
    last_key: tuple[Any, ...] | None = None
    more = False
    try:
        for item in ranked:
            if len(hits) >= limit:
                more = True
                break
            hits.append(engine.hit_of(item, parsed, request))
            last_key = item.sort_key
    finally:
        close = getattr(ranked, "close", None)
        if close is not None:
            close()
    next_cursor = encode_cursor(request, last_key) if more and last_key is not None else None
    return CursorPage(counts, hits, next_cursor)
