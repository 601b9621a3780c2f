"""Batch search: a list of names or phrases, one line each (or a CSV column), checked against
the archive at once.

Each line is searched as an exact phrase (a single word as that word), or, when asked, in the
query language. Its row gives the matching articles and stories, the first and last
publication dates and the outlets that carry it most, and the search's link. No line is
ranked: a summary costs one pass over its matches.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

from berita_search.index.decoding import BinaryFileError, decode_bytes
from berita_search.search.engine import SearchEngine
from berita_search.search.messages import Message
from berita_search.search.querylang import MAX_QUERY_CHARS
from berita_search.search.requests import RequestError, SearchRequest

MAX_LINES = 1_000  # per batch from the command line
WEB_MAX_LINES = 500  # per upload: one request must not hold a server worker for minutes
WEB_MAX_BYTES = 256 * 1024
MAX_LINE_CHARS = 200
TOP_OUTLETS = 3
BATCH_KEYS = ("line", "name", "query", "articles", "stories", "first", "last", "top_sources", "link")


@dataclass(frozen=True)
class BatchRow:
    line: int  # in the file, counting from 1 (the header row counts in a CSV)
    name: str  # as written
    query: str  # as searched
    articles: int
    stories: int
    first: str | None  # ISO 8601 of the earliest dated match
    last: str | None
    top_sources: tuple[tuple[str, int], ...]
    link: str  # the search on the web page, a path and query string

    def as_dict(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "name": self.name,
            "query": self.query,
            "articles": self.articles,
            "stories": self.stories,
            "first": self.first,
            "last": self.last,
            "top_sources": "; ".join(f"{name} ({count})" for name, count in self.top_sources),
            "link": self.link,
        }


def as_phrase(name: str) -> str:
    """A name as an exact phrase of the query language (a single word stays a word)."""
    words = name.replace('"', " ").split()
    return words[0] if len(words) == 1 else '"' + " ".join(words) + '"'


def read_names(
    data: bytes, column: str | None = None, csv_file: bool = False, max_lines: int = MAX_LINES
) -> list[tuple[int, str]]:
    """(line number, name) of each non-empty line, or of a CSV column (``column`` names it; the
    first column by default), in order, each name once. Lines starting with '#' are comments."""
    try:
        text, _note = decode_bytes(data)
    except BinaryFileError as error:
        raise RequestError(Message.of("batch_unreadable", reason=str(error))) from None
    names: list[tuple[int, str]] = []
    seen: set[str] = set()

    def keep(number: int, value: str) -> None:
        name = " ".join("".join(ch for ch in value if ch.isprintable()).split())
        if not name or name.startswith("#") or name.casefold() in seen:
            return
        if len(name) > MAX_LINE_CHARS:
            raise RequestError(Message.of("batch_line_too_long", line=number, limit=MAX_LINE_CHARS))
        seen.add(name.casefold())
        names.append((number, name))
        if len(names) > max_lines:
            raise RequestError(Message.of("batch_too_many", limit=max_lines))

    if csv_file or column is not None:
        sample = text[:4096]
        delimiter = (
            "\t"
            if sample.count("\t") > sample.count(",") and sample.count("\t") > sample.count(";")
            else (";" if sample.count(";") > sample.count(",") else ",")
        )
        reader = csv.reader(io.StringIO(text), delimiter=delimiter)
        header = next(reader, None)
        if header is None:
            raise RequestError(Message.of("batch_empty"))
        labels = [h.strip() for h in header]
        if column is None:
            position = 0
        else:
            matches = [i for i, label in enumerate(labels) if label.casefold() == column.strip().casefold()]
            if not matches:
                raise RequestError(
                    Message.of("batch_column_unknown", column=column[:60], columns=", ".join(labels)[:300])
                )
            position = matches[0]
        for number, row in enumerate(reader, start=2):
            if position < len(row):
                keep(number, row[position])
    else:
        for number, line in enumerate(text.splitlines(), start=1):
            keep(number, line)
    if not names:
        raise RequestError(Message.of("batch_empty"))
    return names


def batch_search(
    engine: SearchEngine, names: list[tuple[int, str]], template: SearchRequest | None = None, as_query: bool = False
) -> Iterator[BatchRow]:
    """A row per name, in order; ``template`` carries the filters every line shares (dates,
    outlet...). Made as read, so a long batch prints as it goes."""
    template = template or SearchRequest()
    for number, name in names:
        query = name[:MAX_QUERY_CHARS] if as_query else as_phrase(name)
        request = replace(template, q=query, page=1, limit=1)
        request.validate()
        parsed = engine.parse(query)
        spec = engine.spec_of(request, parsed, top=1, facets=True)
        summary = engine.backend.summarize(spec) if spec is not None else None
        params = [("q", query)]
        for key, value in (("from", template.date_from), ("to", template.date_to)):
            if value:
                params.append((key, value))
        for key in ("reporter", "category", "source", "desk"):
            params.extend((key, value) for value in template.values(key))
        yield BatchRow(
            line=number,
            name=name,
            query=query,
            articles=summary.articles if summary else 0,
            stories=summary.stories if summary else 0,
            first=summary.first_published if summary else None,
            last=summary.last_published if summary else None,
            top_sources=tuple(summary.facets.get("source", [])[:TOP_OUTLETS]) if summary else (),
            link="/?" + urlencode(params),
        )
