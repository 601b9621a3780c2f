"""Scraped pages (.txt): crumb, photo caption, category, title, date line with byline, body,
then site furniture (Populer, UPDATE, Selengkapnya) that is dropped."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from berita_search.index.article import Article
from berita_search.index.bylines import dateline_reporter, finish_body, title_case_name
from berita_search.index.dates import DAY_PATTERN, NOTE_NO_DATE_LINE, ParsedDate, parse_date, publication_date
from berita_search.index.decoding import decode_bytes
from berita_search.index.records import (
    MAX_FIELD_CHARS,
    MAX_TITLE_CHARS,
    Failure,
    KnownRows,
    Note,
    Record,
    Unchanged,
    row_digest,
)
from berita_search.index.text import clean_line, clean_text, fix_mojibake

_FURNITURE_HEADINGS = re.compile(
    r"^(populer|terpopuler|paling populer|update|terkini|berita terkini|berita terkait|artikel terkait|"
    r"baca juga|rekomendasi|selengkapnya|tags?|topik|komentar|bagikan|share|video pilihan|"
    r"most popular|trending|lainnya|berita lainnya|simak juga|lihat juga|pilihan redaksi)\s*:?$",
    re.IGNORECASE,
)
_CREDIT = re.compile(r"(/\s*(Net|Ist|Istimewa|RMOL|Antara|Dok|AFP|Reuters|AP)\.?$|\b(Foto|Photo)\s*:)", re.IGNORECASE)
# A furniture list's date: 'Kamis, 31 Agustus 2023 | 12:34 WIB'.
_DATE_ONLY = re.compile(
    rf"^(?:(?:{DAY_PATTERN}),?\s+)?\d{{1,2}}\s+[A-Za-z]+\.?\s+\d{{4}}"
    r"(?:\s*[|,]?\s*\d{1,2}[:.]\d{2}(?:\s*(?:WIB|WITA|WIT))?)?$",
    re.IGNORECASE,
)


def _is_title_like(p: str) -> bool:
    words = p.split()
    return 3 <= len(words) <= 40 and len(p) <= 300 and not p.endswith((".", ":")) or p.endswith("?") and len(words) >= 3


def _is_category_like(p: str) -> bool:
    words = p.split()
    return 1 <= len(words) <= 3 and len(p) <= 40 and not re.search(r"[.,:;!?\d]", p)


def _is_title_like_sentence(p: str) -> bool:
    """A dated headline is not a date line: a date line is mostly date, zone and byline."""
    stripped = re.sub(r"(?i)\b(laporan|reporter|penulis|oleh)\s*:.*$", "", p)
    stripped = re.sub(r"[\d|:.,/\-]+|\b(WIB|WITA|WIT)\b", " ", stripped)
    return len(stripped.split()) > 4


def parse_raw_page(text: str, origin: str) -> Article:
    """One scraped page: crumb, caption, category, title, date line, body, site furniture."""
    paragraphs = [p for p in clean_text(fix_mojibake(text)).split("\n\n") if p.strip()]
    if not paragraphs:
        raise ValueError("empty page")
    date_index = None
    parsed: ParsedDate | None = None
    for i, p in enumerate(paragraphs[:30]):
        if len(p) <= 160 and (candidate := parse_date(p)) is not None and not _is_title_like_sentence(p):
            date_index, parsed = i, candidate
            break
    reporter = ""
    category = ""
    caption = ""
    if date_index is not None:
        reporter = dateline_reporter(paragraphs[date_index])
        head = paragraphs[:date_index]
        rest = paragraphs[date_index + 1 :]
        title_pos = max((i for i, p in enumerate(head) if _is_title_like(p)), default=len(head) - 1)
        title = head[title_pos] if head else ""
        before = head[:title_pos]
        if before and _is_category_like(before[-1]):
            category = before.pop()
        captions = [p for p in before if _CREDIT.search(p) or len(p.split()) > 3]
        caption = " ".join(captions)
    else:
        # No date line: the first title-like paragraph heads the article.
        title_pos = next((i for i, p in enumerate(paragraphs[:10]) if _is_title_like(p)), 0)
        title = paragraphs[title_pos]
        rest = paragraphs[title_pos + 1 :]
        if title_pos and _is_category_like(paragraphs[title_pos - 1]):
            category = paragraphs[title_pos - 1]
    # Furniture: a heading such as 'Populer', or a list of (headline, date) pairs.
    body_paras: list[str] = []
    for i, p in enumerate(rest):
        if _FURNITURE_HEADINGS.match(p):
            break
        if _DATE_ONLY.match(p):
            if body_paras and _is_title_like(body_paras[-1]):
                body_paras.pop()
            break
        if i + 1 < len(rest) and _DATE_ONLY.match(rest[i + 1]) and _is_title_like(p):
            break
        body_paras.append(p)
    body, trailing_reporter, outlet = finish_body("\n\n".join(body_paras))
    reporter = reporter or trailing_reporter
    if not title and not body:
        raise ValueError("no title or body found")
    published, date_note = publication_date(parsed, [], missing=NOTE_NO_DATE_LINE)
    return Article(
        title=clean_line(title),
        body=body,
        source=outlet,
        category=title_case_name(category) if category else "",
        reporter=reporter,
        published=published.value if published else None,
        published_has_time=bool(published and published.has_time),
        caption=clean_line(caption),
        date_note=date_note,
        origin=origin,
    )


def read_raw_file(path: Path, origin: str, known: KnownRows | None = None) -> Iterator[Record]:
    data = path.read_bytes()
    digest = row_digest(data)
    if known and (article_id := known.get(digest)):
        yield Unchanged(origin, article_id)
        return
    text, note = decode_bytes(data)
    if not text.strip():
        yield Failure(origin, "empty file")
        return
    if note:
        yield Note(origin, note)
    if len(text) > MAX_FIELD_CHARS:
        yield Note(origin, f"page cut to {MAX_FIELD_CHARS:,} of {len(text):,} characters")
        text = text[:MAX_FIELD_CHARS]
    try:
        article = parse_raw_page(text, origin)
    except ValueError as exc:
        yield Failure(origin, str(exc))
        return
    if len(article.title) > MAX_TITLE_CHARS:
        yield Note(origin, f"title cut to {MAX_TITLE_CHARS:,} of {len(article.title):,} characters")
        article.title = article.title[:MAX_TITLE_CHARS]
    article.row_digest = digest
    yield article
