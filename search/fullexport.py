"""Whole result sets with full text, past any cap, streamed: CSV (comma, or semicolon for
spreadsheets in an Indonesian locale), XLSX and JSON lines.

The rows come from the backend's iterator (``Backend.iterate``), so an export holds one page of
articles at a time however many there are; the CLI's ``export`` and the web's
``/ekspor-lengkap.*`` share them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

from berita_search.search.engine import ArticleRecord, SearchEngine
from berita_search.search.output import csv_chunks, write_xlsx
from berita_search.search.requests import SearchRequest

# Every stored field of an article, the body last (it is long); the score when ranked.
FULL_KEYS = (
    "id",
    "title",
    "url",
    "source",
    "category",
    "subcategory",
    "reporter",
    "published",
    "tags",
    "date_note",
    "caption",
    "score",
    "body",
)
PAGE_ROWS = 100
DELIMITERS = {"comma": ",", "semicolon": ";"}


def full_row(article: ArticleRecord, score: float | None) -> dict[str, Any]:
    row = {key: getattr(article, key) for key in FULL_KEYS if key not in ("tags", "score")}
    row["tags"] = ", ".join(article.tags)
    row["score"] = round(score, 4) if score is not None else None
    return {key: row[key] for key in FULL_KEYS}


def full_rows(engine: SearchEngine, request: SearchRequest) -> Iterator[dict[str, Any]]:
    """Every hit of a search as a full row, in the search's order; nothing is read until asked."""
    _parsed, ranked = engine.iterate(request)
    scored = request.sort == "relevance"  # read after iterate: a search by filters alone sorts newest
    try:
        for item in ranked:
            yield full_row(ArticleRecord.from_stored(item.stored), item.score if scored else None)
    finally:
        close = getattr(ranked, "close", None)
        if close is not None:
            close()


def paged(rows: Iterable[dict[str, Any]], size: int = PAGE_ROWS) -> Iterator[list[dict[str, Any]]]:
    iterator = iter(rows)
    while page := list(islice(iterator, size)):
        yield page


def full_csv_chunks(rows: Iterable[dict[str, Any]], delimiter: str = ",") -> Iterator[str]:
    """UTF-8 CSV text with a byte order mark, a hundred rows at a time."""
    return csv_chunks(paged(rows), bom=True, keys=FULL_KEYS, delimiter=delimiter)


def write_full_xlsx(rows: Iterable[dict[str, Any]], out: Any) -> int:
    """A workbook of every row (a body past a cell's 32,767 characters is cut, with a mark)."""
    return write_xlsx(paged(rows), out, keys=FULL_KEYS)
