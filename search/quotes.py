"""Who said what: the quotes of a search, matched quote by quote.

A search names quote fields (``index.fields.QUOTE_FIELDS``: ``pembicara:``/``speaker:`` and
``kutipan:``/``quote:``). The backend finds the articles whose speakers and quote words match
(every quote of an article is indexed in one article-level field); then each stored quote of
those articles is checked against the quote-level parts of the query on its own, so that
``pembicara:laode kutipan:revisi`` lists the quotes Laode spoke holding "revisi", not those of
an article where Laode said one thing and someone else the other.

Only the parts of the query on quote fields are checked per quote; the rest (words, titles,
dates, filters) chose the articles. Under an OR with an article-level part, a quote-level part
counts as met (the article matched). The quotes of a search are counted, paged and exported
from one list, so the page, the export and the API give the same counts.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from berita_search.index.analysis import analyze, surface_analyzer
from berita_search.index.annotations import StoredQuote, quotes_of, speaker_names
from berita_search.index.fields import QUOTE_FIELDS
from berita_search.search import plan as P
from berita_search.search.backends.base import RankedArticle
from berita_search.search.messages import Message
from rapidfuzz.distance import Levenshtein

MAX_QUOTE_ARTICLES = 5_000  # articles whose quotes one search reads, newest first
QUOTES_PER_PAGE = 20
MAX_QUOTES_PAGE = 100
CSV_KEYS = ("article_id", "published", "source", "title", "url", "speaker", "as_written", "kind", "paragraph", "text")


@dataclass(frozen=True)
class QuoteHit:
    """One quote of a search, with the article it was said in."""

    article_id: str
    title: str
    url: str
    source: str
    published: str | None
    published_display: str
    quote: StoredQuote

    def record(self) -> dict[str, object]:
        """The quote as one JSON object or CSV row (``CSV_KEYS``)."""
        return {
            "article_id": self.article_id,
            "published": self.published,
            "source": self.source,
            "title": self.title,
            "url": self.url,
            "speaker": self.quote.speaker,
            "as_written": self.quote.as_written,
            "kind": self.quote.kind,
            "paragraph": self.quote.paragraph,
            "text": self.quote.text,
        }


@dataclass
class QuoteResult:
    """Every quote of a search (up to the articles read), newest article first, in text order."""

    quotes: list[QuoteHit]
    articles: int  # articles read (those the search matched, up to MAX_QUOTE_ARTICLES)
    cut: bool = False  # more articles matched than were read
    messages: list[Message] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.quotes)

    def page(self, number: int, size: int) -> list[QuoteHit]:
        first = (number - 1) * size
        return self.quotes[first : first + size]

    def rows(self) -> list[dict[str, object]]:
        """Every quote as a row of ``CSV_KEYS`` (``search.output.rows_csv`` writes them)."""
        return [hit.record() for hit in self.quotes]

    def document(self) -> dict[str, object]:
        return {
            "total": self.total,
            "articles": self.articles,
            "cut": self.cut,
            "quotes": [q.record() for q in self.quotes],
        }


def _words(text: str) -> tuple[str, ...]:
    return tuple(analyze(text, surface_analyzer()))


@lru_cache(maxsize=4096)
def _quote_words(text: str) -> tuple[str, ...]:
    return _words(text)


def _speaker_words(quote: StoredQuote) -> tuple[str, ...]:
    return _quote_words(" ; ".join(speaker_names(quote)))


def _within(word: str, candidate: str, distance: int, prefix: int) -> bool:
    if candidate[:prefix] != word[:prefix] or abs(len(candidate) - len(word)) > distance:
        return False
    return Levenshtein.distance(word, candidate, score_cutoff=distance) <= distance


def _phrase_in(words: tuple[str, ...], phrase: tuple[str, ...], slop: int) -> bool:
    """``phrase`` in order, at most ``slop - 1`` other words between neighbours."""
    starts = [i for i, w in enumerate(words) if w == phrase[0]]
    for start in starts:
        position, found = start, True
        for part in phrase[1:]:
            following = [j for j in range(position + 1, min(len(words), position + slop + 1)) if words[j] == part]
            if not following:
                found = False
                break
            position = following[0]
        if found:
            return True
    return False


def _fields_check(fields: tuple[str, ...]) -> bool | None:
    """True when a node is on quote fields only; None when on none of them (article-level)."""
    on_quotes = [f in QUOTE_FIELDS for f in fields]
    if all(on_quotes):
        return True
    return None


def quote_matches(node: P.Node, quote: StoredQuote) -> bool | None:
    """Whether one quote meets the quote-level parts of a plan; None when the node has none
    (it was decided for the whole article)."""
    if isinstance(node, P.Name):
        if node.field not in QUOTE_FIELDS:
            return None
        words = _speaker_words(quote)
        return all(part in words for part in node.parts)
    if isinstance(node, (P.Term, P.Phrase, P.Prefix, P.Fuzzy)):
        if _fields_check(node.fields) is None:
            return None
        words = _quote_words(quote.text)
        if isinstance(node, P.Term):
            return node.word in words
        if isinstance(node, P.Phrase):
            return _phrase_in(words, node.words, node.slop)
        if isinstance(node, P.Prefix):
            return any(w.startswith(node.prefix) for w in words)
        return any(_within(node.word, w, node.distance, node.prefix_length) for w in words)
    if isinstance(node, P.And):
        results = [quote_matches(c, quote) for c in node.children]
        decided = [r for r in results if r is not None]
        return all(decided) if decided else None
    if isinstance(node, P.Or):
        results = [quote_matches(c, quote) for c in node.children]
        if any(r is None for r in results):
            return None  # an article-level alternative: the article matched, every quote stands
        return any(results)
    if isinstance(node, P.Not):
        inner = quote_matches(node.child, quote)
        return None if inner is None else not inner
    return None


def has_quote_parts(node: P.Node | None) -> bool:
    """Whether a plan names a quote field anywhere."""
    if node is None:
        return False
    if isinstance(node, P.Name):
        return node.field in QUOTE_FIELDS
    if isinstance(node, (P.Term, P.Phrase, P.Prefix, P.Fuzzy)):
        return any(f in QUOTE_FIELDS for f in node.fields)
    if isinstance(node, (P.And, P.Or)):
        return any(has_quote_parts(c) for c in node.children)
    if isinstance(node, P.Not):
        return has_quote_parts(node.child)
    return False


Published = Callable[[dict[str, Any]], tuple[str | None, str]]


def collect_quotes(plan: P.Node | None, articles: Iterator[RankedArticle], published: Published) -> QuoteResult:
    """The quotes of ``articles`` (in their order) that meet the quote-level parts of ``plan``.

    ``published`` makes (ISO, display) of a stored article (``search.engine.published_of``).
    """
    hits: list[QuoteHit] = []
    read = 0
    cut = False
    for ranked in articles:
        if read >= MAX_QUOTE_ARTICLES:
            cut = True
            break
        read += 1
        stored = ranked.stored
        quotes = quotes_of(stored.get("quotes"))
        if not quotes:
            continue
        iso, display = published(stored)
        for quote in quotes:
            if plan is not None and quote_matches(plan, quote) is False:
                continue
            hits.append(
                QuoteHit(
                    str(stored.get("id", "")),
                    str(stored.get("title", "")),
                    str(stored.get("url", "")),
                    str(stored.get("source", "")),
                    iso,
                    display,
                    quote,
                )
            )
    messages = [Message.of("quotes_cut", limit=MAX_QUOTE_ARTICLES)] if cut else []
    return QuoteResult(hits, read, cut, messages)


def json_lines(result: QuoteResult) -> Iterator[str]:
    for hit in result.quotes:
        yield json.dumps(hit.record(), ensure_ascii=False)
