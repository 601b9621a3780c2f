"""An Atom feed (RFC 4287) of a saved search's new matches, for feed readers and newsroom chats.

Written with the standard library's ElementTree: the feed has the elements RFC 4287 requires
(feed: id, title, updated, author; each entry: id, title, updated, an alternate link and a
summary), and every text goes through the XML serializer, never through string formatting.
An entry's id names the article and the version that made it new, so a corrected article
comes back as a new entry, as it does in ``watch``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import UTC, datetime
from urllib.parse import urlencode

from berita_search.search.engine import Hit
from berita_search.search.workflow import SavedSearch, added_time

ATOM_NS = "http://www.w3.org/2005/Atom"
ATOM_MEDIA_TYPE = "application/atom+xml; charset=utf-8"
TAG_AUTHORITY = "berita-search,2024"  # RFC 4151 tag URIs: stable ids whatever host serves the feed
_XML_UNSAFE = {c: None for c in range(32) if c not in (9, 10, 13)}

ET.register_namespace("", ATOM_NS)


def _text(value: str) -> str:
    """Text an XML 1.0 document can hold (control characters dropped)."""
    return value.translate(_XML_UNSAFE)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _sub(parent: ET.Element, name: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM_NS}}}{name}", attributes)
    if text is not None:
        element.text = _text(text)
    return element


def saved_search_feed(saved: SavedSearch, hits: Sequence[Hit], base_url: str) -> bytes:
    """The feed document of a saved search: ``hits`` are its new matches, most recently added
    first; ``base_url`` is where the web pages are (``http://127.0.0.1:8000``)."""
    base = base_url.rstrip("/")
    feed = ET.Element(f"{{{ATOM_NS}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": "id"})
    _sub(feed, "id", f"tag:{TAG_AUTHORITY}:pantau:{saved.id}:{saved.created_at}")
    _sub(feed, "title", f"Berita Search: {saved.name}")
    subtitle = f"Artikel baru yang cocok dengan “{saved.query}”" if saved.query else "Artikel baru yang cocok"
    _sub(feed, "subtitle", subtitle)
    created = datetime.fromisoformat(saved.created_at.replace("Z", "+00:00"))
    newest = max((time for h in hits if (time := added_time(h.added)) is not None), default=created)
    _sub(feed, "updated", _iso(newest))
    author = _sub(feed, "author")
    _sub(author, "name", "Berita Search")
    _sub(feed, "generator", "berita-search")
    _sub(feed, "link", rel="self", type="application/atom+xml", href=f"{base}/pantau/{saved.id}.atom")
    _sub(feed, "link", rel="alternate", type="text/html", href=f"{base}/pantau/{saved.id}")
    _sub(feed, "link", rel="related", type="text/html", href=f"{base}/?{urlencode(saved.params)}")
    for hit in hits:
        entry = _sub(feed, "entry")
        _sub(entry, "id", f"tag:{TAG_AUTHORITY}:artikel:{hit.id}:{hit.added or 0}")
        _sub(entry, "title", hit.title or "(tanpa judul)")
        added = added_time(hit.added) or created
        _sub(entry, "updated", _iso(added))
        if hit.published and "T" in hit.published:
            _sub(entry, "published", _iso(datetime.fromisoformat(hit.published)))
        _sub(entry, "link", rel="alternate", type="text/html", href=f"{base}/artikel/{hit.id}")
        if hit.url.startswith(("http://", "https://")):
            _sub(entry, "link", rel="via", href=hit.url)
        if hit.reporter:
            _sub(_sub(entry, "author"), "name", hit.reporter)
        if hit.source:
            _sub(entry, "category", term=_text(hit.source), label=_text(hit.source))
        parts = [hit.published_display, hit.source, hit.snippet.plain()]
        _sub(entry, "summary", " · ".join(p for p in parts if p), type="text")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
