"""Executing searches: validation, paging, copies, snippets, suggestions, related articles.

``SearchEngine`` is what the CLI and the web both call. It turns a request into a query
plan and filters, asks its backend (``search.backends``) for the ranked matches, counts and
facets, and makes the hits people read. Backends pick up new commits without a restart.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict, deque
from collections.abc import Hashable, Iterator
from dataclasses import astuple, dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from berita_search.index.analysis import analyze, fold, surface_analyzer
from berita_search.index.dates import format_id
from berita_search.index.fields import BY_NAME, FILTER_FIELDS, HIT_KEYS, Kind
from berita_search.search import plan as P
from berita_search.search.backends.base import Backend, Matches, RankedArticle, SearchSpec, SearchTimeout
from berita_search.search.messages import Message
from berita_search.search.querylang import ParsedQuery, parse_date_span, parse_query, span_node
from berita_search.search.requests import (  # noqa: F401  (callers import them from here too)
    EXPORT_CAP,
    MAX_LIMIT,
    MAX_PAGE,
    MAX_RESULTS_DEPTH,
    SORTS,
    RequestError,
    SearchRequest,
)
from berita_search.search.snippets import Snippet, make_snippet

RESULT_CACHE_SIZE = 512  # pages of results kept per server process
CACHE_ENV = "BERITA_SEARCH_CACHE_SIZE"  # how 'serve --workers N' hands its cache size to each process
# "Did you mean": a word found in fewer than SUGGEST_RARE articles is replaced by a close word
# found in SUGGEST_FACTOR times as many (and at least SUGGEST_MIN).
SUGGEST_RARE = 50
SUGGEST_FACTOR = 10
SUGGEST_MIN = 20
# A page whose search costs more processor time is refused: one request must not hold a worker
# for minutes. 1 s leaves room under the 2 s answer bound when a busy machine slows the rest.
SEARCH_BUDGET_SECONDS = 1.0
EXPORT_BUDGET_SECONDS = 15.0
JSON_KEYS = HIT_KEYS
EXPORT_PAGE = 100  # hits given snippets at a time while an export is read


@dataclass
class Hit:
    id: str
    title: str
    url: str
    source: str
    category: str
    reporter: str
    published: str | None  # ISO 8601: with offset when the time is known, else the day
    published_display: str
    score: float
    snippet: Snippet
    duplicates: int = 0  # near-duplicate copies collapsed under this hit
    date_note: str = ""
    added: int | None = None  # when this version entered the index (``index.schema.ADDED_FIELD``)


@dataclass
class SearchResult:
    request: SearchRequest
    parsed: ParsedQuery
    total: int
    hits: list[Hit]
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)  # counts of articles
    suggestion: str | None = None
    articles: int = 0  # matching articles, copies included
    stories: int = 0  # distinct stories among them: the total when copies are collapsed
    complete: bool = True  # False when the search ran past its time budget and was refused
    generation: Hashable = None  # the index commit the results come from
    as_reporter: tuple[str, int] | None = None  # the words as a reporter's name, and its articles
    # Per filter with values: the articles each value finds with that filter's own values let go
    # (``SearchEngine.facet_options``): what adding a value brings. Not counts of this result.
    facet_options: dict[str, list[tuple[str, int]]] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        """Pages of the whole result, however many can be shown (see ``last_page``)."""
        return max(1, -(-self.total // self.request.limit))

    @property
    def last_page(self) -> int:
        """The last page that can be asked for: results past the paging depth are not paged."""
        return min(self.pages, MAX_PAGE, MAX_RESULTS_DEPTH // self.request.limit)

    @property
    def past_end(self) -> bool:
        """A page after the last one was asked for (there are results, but none on it)."""
        return self.total > 0 and self.request.page > self.last_page

    @property
    def first(self) -> int:
        """The number of the first hit shown, counting from 1."""
        return (self.request.page - 1) * self.request.limit + 1

    @property
    def last(self) -> int:
        """The number of the last hit shown (``first - 1`` when none is)."""
        return self.first + len(self.hits) - 1

    @property
    def has_words(self) -> bool:
        """Whether the query has words to rank by (a search by filters alone has none)."""
        return self.parsed.plan is not None

    @property
    def ranked(self) -> bool:
        """Whether the hits are ranked by relevance, so that their scores mean something."""
        return self.request.sort == "relevance"

    def missing(self, facet: str) -> int:
        """Matching articles without a value for a single-valued facet (no category, no date)."""
        return self.articles - sum(count for _, count in self.facets.get(facet, []))

    @property
    def messages(self) -> list[Message]:
        return [*self.request.notes, *self.parsed.messages]


@dataclass(frozen=True)
class ArticleRecord:
    """One article as the index holds it: the fields of ``index.fields``, and its date for people."""

    id: str
    title: str
    url: str
    source: str
    category: str
    subcategory: str
    desk: str  # the common desk of the outlet's category (index/data/desks.tsv), "" when none
    reporter: str
    published: str | None  # ISO 8601: with offset when the time is known, else the day
    published_display: str  # Indonesian, "Kamis, 31 Agustus 2023 12:34 WIB" or "tanpa tanggal"
    body: str
    caption: str
    tags: tuple[str, ...]
    date_note: str

    @classmethod
    def from_stored(cls, stored: dict[str, Any]) -> ArticleRecord:
        iso, display = published_of(stored)
        text = {k: str(stored.get(k) or "") for k in ("title", "url", "source", "category", "subcategory", "desk")}
        return cls(
            id=stored["id"],
            **text,
            reporter=str(stored.get("reporter") or ""),
            published=iso,
            published_display=display,
            body=str(stored.get("body") or ""),
            caption=str(stored.get("caption") or ""),
            tags=tuple(t.strip() for t in str(stored.get("tags") or "").split(",") if t.strip()),
            date_note=str(stored.get("date_note") or ""),
        )


@dataclass
class Export:
    """An export's ranking: its counts now, its hits a page at a time, with snippets made as read."""

    result: SearchResult  # counts and request (its hits are handed out by ``pages``)
    count: int  # hits the pages hold: the total, or the export cap when there are more
    pages: Iterator[list[Hit]]


def _complete(parsed: ParsedQuery) -> bool:
    """False when the search was refused for running past its budget."""
    return not any(m.code == "search_refused" for m in parsed.messages)


def published_of(stored: dict[str, Any]) -> tuple[str | None, str]:
    """(ISO string, Indonesian display) of a stored document's publication date."""
    iso = stored.get("published_iso")
    if not iso:
        return None, "tanpa tanggal"
    value = datetime.fromisoformat(iso)
    has_time = "T" in iso
    if not has_time:
        return iso, format_id(value, has_time=False)
    return iso, format_id(value, has_time=True)


class SearchEngine:
    """The searches both front-ends run, over one backend (a Whoosh folder by default)."""

    def __init__(self, backend: Backend | Path, cache_size: int = RESULT_CACHE_SIZE) -> None:
        if isinstance(backend, Path):
            from berita_search.search.backends.whoosh import WhooshBackend

            backend = WhooshBackend(backend)
        self.backend: Backend = backend
        self._lock = threading.Lock()
        # Recent pages of results, valid while the commit they came from is current: the
        # same names are searched again and again in a newsroom, and paging re-asks a query.
        self.cache_size = cache_size
        self._results: OrderedDict[tuple[Any, ...], tuple[Hashable, SearchResult]] = OrderedDict()
        self._present: dict[str, tuple[Hashable, bool]] = {}  # facet -> (commit, whether any article has one)

    @property
    def location(self) -> str:
        return self.backend.location

    @property
    def stemmer(self) -> str:
        return self.backend.stemmer

    def parse(self, text: str) -> ParsedQuery:
        return parse_query(text, self.backend.stemmer)

    def close(self) -> None:
        self.backend.close()

    # ---------------------------------------------------------------- search

    def filters(self, request: SearchRequest, leave_out: str | None = None) -> list[P.Node]:
        """The request's filters (reporter, category, source, desk, dates) as plan nodes: any of a
        filter's values, every filter, none of the exclusions. ``leave_out`` names a filter whose
        values are not applied (its exclusions are), to count what else that filter could add."""
        nodes: list[P.Node] = []
        for name in FILTER_FIELDS:
            if name == leave_out:
                continue
            either = [n for value in request.values(name) if (n := filter_node(name, value)) is not None]
            if either:
                nodes.append(either[0] if len(either) == 1 else P.Or(tuple(either)))
        excluded = [n for name, value in request.exclude if (n := filter_node(name, value)) is not None]
        if excluded:
            nodes.append(P.And((P.Everything(), P.Not(excluded[0] if len(excluded) == 1 else P.Or(tuple(excluded))))))
        if request.date_from or request.date_to:
            lo = parse_date_span(request.date_from) if request.date_from else None
            hi = parse_date_span(request.date_to) if request.date_to else None
            nodes.append(span_node(lo[0].date() if lo else None, hi[1].date() if hi else None))
        if request.added_after is not None or request.added_upto is not None:
            nodes.append(P.AddedSpan(request.added_after, request.added_upto))
        return nodes

    def search(self, request: SearchRequest) -> SearchResult:
        """One page of results; a repeated request on an unchanged index is answered from memory."""
        request.validate()
        key = astuple(request)  # before _run, which may change the sort of a filter-only search
        generation = self.backend.generation()
        with self._lock:
            cached = self._results.get(key)
            if cached is not None and cached[0] == generation:
                self._results.move_to_end(key)
                return cached[1]
        first = (request.page - 1) * request.limit
        result = self._run(
            request, first, first + request.limit, facets=request.facets, suggest=True, budget=SEARCH_BUDGET_SECONDS
        )
        if self.cache_size > 0:
            with self._lock:
                self._results[key] = (result.generation, result)
                while len(self._results) > self.cache_size:
                    self._results.popitem(last=False)
        return result

    def export(self, request: SearchRequest, cap: int = EXPORT_CAP) -> SearchResult:
        """Every hit of a search up to ``cap`` (not just one page), in one list."""
        export = self.export_pages(request, cap)
        hits = [hit for page in export.pages for hit in page]
        return replace(export.result, hits=hits)

    def export_pages(self, request: SearchRequest, cap: int = EXPORT_CAP, page_size: int = EXPORT_PAGE) -> Export:
        """Every hit of a search up to ``cap``, ranked once now; hits and their snippets are made a
        page at a time as the pages are read, so an export streams without holding every passage."""
        request = replace(request, page=1, limit=MAX_LIMIT)
        request.validate()
        parsed, matches = self._rank(request, cap, facets=False, budget=EXPORT_BUDGET_SECONDS)
        if matches is None:
            return Export(SearchResult(request, parsed, 0, [], complete=_complete(parsed)), 0, iter(()))
        total = matches.stories if request.collapse else matches.articles
        result = SearchResult(
            request, parsed, total, [], {}, None, matches.articles, matches.stories, generation=matches.generation
        )
        waiting = deque(matches.ranked[:cap])  # an article leaves the queue when its hit is made
        count = len(waiting)

        def pages() -> Iterator[list[Hit]]:
            while waiting:
                yield [
                    self._ranked_hit(waiting.popleft(), parsed, request) for _ in range(min(page_size, len(waiting)))
                ]

        return Export(result, count, pages())

    def _run(
        self, request: SearchRequest, first: int, last: int, facets: bool, suggest: bool, budget: float | None
    ) -> SearchResult:
        """Hits ``first`` to ``last`` of the ranking, with counts, facets and suggestion."""
        parsed, matches = self._rank(request, last, facets, budget)
        if matches is None:
            return SearchResult(request, parsed, 0, [], complete=_complete(parsed))
        total = matches.stories if request.collapse else matches.articles
        hits = [self._ranked_hit(ranked, parsed, request) for ranked in matches.ranked[first:last]]
        reporter = self.as_reporter(parsed, request, matches.articles) if suggest else None
        # A byline typed in the box is a name, not a misspelling of a common word.
        suggestion = self.suggest(parsed, request, total) if suggest and reporter is None else None
        options = self.facet_options(request, budget) if facets else {}
        return SearchResult(
            request,
            parsed,
            total,
            hits,
            matches.facets,
            suggestion,
            matches.articles,
            matches.stories,
            generation=matches.generation,
            as_reporter=reporter,
            facet_options=options,
        )

    def _rank(
        self, request: SearchRequest, top: int, facets: bool, budget: float | None
    ) -> tuple[ParsedQuery, Matches | None]:
        """The query parsed, and the backend's matches: None when there is nothing to search or
        the search ran past its budget (a message says which)."""
        parsed, spec = self.search_spec(request, top, facets, budget)
        parsed.messages.extend(self.missing_facet_notes(request))
        if spec is None:
            return parsed, None
        if parsed.plan is None and request.sort == "relevance":
            # Filters alone (a reporter's articles, a month): list them, newest first.
            request.sort = "newest"
            spec = replace(spec, sort="newest")
        try:
            matches = self.backend.search(spec)
        except SearchTimeout:
            parsed.messages.append(Message.of("search_refused", seconds=f"{budget:g}"))
            return parsed, None
        parsed.messages.extend(m for m in matches.notes if m not in parsed.messages)
        return parsed, matches

    def search_spec(
        self, request: SearchRequest, top: int = 10, facets: bool = True, budget: float | None = None
    ) -> tuple[ParsedQuery, SearchSpec | None]:
        """The query parsed, and the search a backend runs for it: None when there is nothing to
        search (no words and no filter). Filters alone match every article they allow."""
        parsed = self.parse(request.q)
        return parsed, self.spec_of(request, parsed, top=top, facets=facets, budget=budget)

    def spec_of(
        self,
        request: SearchRequest,
        parsed: ParsedQuery,
        top: int = 10,
        facets: bool = False,
        budget: float | None = None,
    ) -> SearchSpec | None:
        """The backend's search for a request (None when there is nothing to search). A search by
        filters alone lists every article they keep, newest first."""
        filters = self.filters(request)
        plan = parsed.plan
        if plan is None:
            if not filters:
                return None
            # Filters alone (a reporter's articles, a month): list them, newest first.
            plan = P.Everything()
            if request.sort == "relevance":
                request.sort = "newest"
        if any(isinstance(f, P.Nothing) for f in filters):
            parsed.messages.append(
                Message.of("empty_date_range", first=request.date_from or "…", last=request.date_to or "…")
            )
        return SearchSpec(
            plan=plan,
            filters=tuple(filters),
            proximity=tuple(parsed.proximity),
            phrases=bool(parsed.phrases),
            sort=request.sort,
            top=top,
            collapse=request.collapse,
            facets=facets,
            budget=budget,
        )

    def iterate(
        self, request: SearchRequest, after: tuple[Any, ...] | None = None, sort: str | None = None
    ) -> tuple[ParsedQuery, Iterator[RankedArticle]]:
        """Every match of a search past any cap, in the backend's total order (the sort, then the
        article id), after the hit whose ``sort_key`` is ``after``; ``sort`` may also be "added"
        (the newest version first). Nothing is read until the iterator is."""
        request.validate()
        parsed = self.parse(request.q)
        spec = self.spec_of(request, parsed)
        if spec is None:
            return parsed, iter(())
        spec = replace(spec, sort=sort or spec.sort, after=after)
        return parsed, self.backend.iterate(spec)

    def hit_of(self, ranked: RankedArticle, parsed: ParsedQuery, request: SearchRequest) -> Hit:
        """A hit people read (snippet, date, copies) of one ranked article."""
        return self._ranked_hit(ranked, parsed, request)

    def facet_in_index(self, facet: str) -> bool:
        """Whether any article has a value of ``facet``: an index written before a facet existed (the
        desk) has none, and its filters and splits say so instead of silently finding nothing."""
        generation = self.backend.generation()
        with self._lock:
            known = self._present.get(facet)
        if known is None or known[0] != generation:
            tally = self.backend.tally(SearchSpec(plan=P.Everything()), (facet,))
            known = (tally.generation, any(values != (None,) for values in tally.counts))
            with self._lock:
                self._present[facet] = known
        return known[1]

    def missing_facet_notes(self, request: SearchRequest, split: str = "") -> list[Message]:
        """A note when the request filters or splits by the desk and the index has none."""
        uses_desk = bool(request.values("desk") or request.excluded("desk") or split == "desk")
        return [Message.of("index_without_desks")] if uses_desk and not self.facet_in_index("desk") else []

    def facet_options(self, request: SearchRequest, budget: float | None = None) -> dict[str, list[tuple[str, int]]]:
        """For each filter with values, the articles each of its values would find with the other
        filters kept and its own values let go: what adding a value (OR) to it brings. Counts of
        articles, the most first; empty when a count ran past the budget."""
        options: dict[str, list[tuple[str, int]]] = {}
        for name in FILTER_FIELDS:
            if not request.values(name):
                continue
            parsed = self.parse(request.q)
            filters = self.filters(request, leave_out=name)
            plan = parsed.plan if parsed.plan is not None else P.Everything()
            try:
                tally = self.backend.tally(SearchSpec(plan=plan, filters=tuple(filters), budget=budget), (name,))
            except SearchTimeout:
                return {}
            items = [(value, count) for (value,), count in tally.counts.items() if value is not None]
            options[name] = sorted(items, key=lambda kv: (-kv[1], kv[0]))
        return options

    def _ranked_hit(self, ranked: RankedArticle, parsed: ParsedQuery, request: SearchRequest) -> Hit:
        item = self._hit(ranked.stored, ranked.score, parsed, request.snippets)
        item.duplicates = ranked.copies - 1 if request.collapse else 0
        return item

    def _hit(self, stored: dict[str, Any], score: float, parsed: ParsedQuery, snippets: bool) -> Hit:
        iso, display = published_of(stored)
        return Hit(
            id=stored["id"],
            title=stored.get("title", ""),
            url=stored.get("url", ""),
            source=stored.get("source", ""),
            category=stored.get("category", ""),
            reporter=stored.get("reporter", ""),
            published=iso,
            published_display=display,
            score=score,
            snippet=make_snippet(stored.get("body", ""), parsed) if snippets else Snippet([]),
            date_note=stored.get("date_note", ""),
            added=stored.get("added"),
        )

    # ---------------------------------------------------------------- "did you mean"

    def suggest(self, parsed: ParsedQuery, request: SearchRequest, total: int) -> str | None:
        """The query with its rare words spelled as far more widespread close words, when that
        finds more: "Prabowo Subiyanto" (no article) as "Prabowo Subianto", "Yasona" (4) as
        "Yasonna" (174). Phrase words count too, and the whole query is corrected at once."""
        words = [*parsed.plain_words, *(w for phrase in parsed.phrases for w in phrase)]
        text = request.q
        changed = False
        for word in dict.fromkeys(words):
            frequency = self.backend.word_frequency(word)
            if frequency >= SUGGEST_RARE or len(word) < 4:
                continue
            best = max(
                ((self.backend.word_frequency(c), c) for c in self.backend.similar_words(word, limit=5) if c != word),
                default=None,
            )
            # An unknown word takes any known close word; a rare one only a far more widespread one.
            if best is None or (frequency and best[0] < max(SUGGEST_MIN, SUGGEST_FACTOR * frequency)):
                continue
            text = _replace_word(text, word, best[1])
            changed = True
        if not changed:
            return None
        corrected = self.parse(text)
        if corrected.plan is None:
            return None
        found = self.backend.count(SearchSpec(plan=corrected.plan, filters=tuple(self.filters(request))))
        return text if found > total else None

    def as_reporter(self, parsed: ParsedQuery, request: SearchRequest, total: int) -> tuple[str, int] | None:
        """A name typed in the search box that is a byline ("Annesa"): the reporter filter, and
        how many articles it finds, when that finds more than the words do."""
        words = parsed.plain_words
        if not 1 <= len(words) <= 3 or parsed.phrases or request.reporter or len(request.q) > 60:
            return None
        if not isinstance(parsed.plan, (P.Term, P.And)) or any(not w.isalpha() for w in words):
            return None
        name = " ".join(words)
        spec = SearchSpec(plan=P.Name("reporter", tuple(words)), filters=tuple(self.filters(request)))
        found = self.backend.count(spec)
        return (name, found) if found > total else None

    # ---------------------------------------------------------------- articles

    def article(self, article_id: str) -> ArticleRecord | None:
        stored = self.backend.article(article_id)
        return ArticleRecord.from_stored(stored) if stored is not None else None

    def related(self, article_id: str, limit: int = 5) -> list[Hit]:
        """More like this: articles sharing the most distinctive words of this one."""
        empty = ParsedQuery(None, "")
        return [self._hit(r.stored, r.score, empty, snippets=False) for r in self.backend.related(article_id, limit)]

    def stats(self, top: int = 10) -> dict[str, Any]:
        stats = self.backend.stats(top)
        return {
            "documents": stats.documents,
            "undated": stats.undated,
            "first_published": stats.first_published,
            "last_published": stats.last_published,
            "facets": stats.facets,
            "index": stats.location,
        }


def filter_node(name: str, value: str) -> P.Node | None:
    """One value of a filter as a plan node: a name's parts, or an exact key (any case)."""
    if BY_NAME[name].kind is Kind.NAME:
        parts = analyze(value, surface_analyzer())
        return P.Name(name, tuple(parts)) if parts else None
    folded = fold(" ".join(value.split()))
    return P.Exact(name, folded) if folded else None


def _quote_free(text: str) -> str:
    return text.replace('"', " ").strip()


def _replace_word(text: str, word: str, replacement: str) -> str:
    """``text`` with each spelling of ``word`` replaced, in the same case (Subiyanto -> Subianto)."""

    def swap(match: re.Match[str]) -> str:
        typed = match.group(0)
        if fold(typed) != word:
            return typed
        if typed.isupper() and len(typed) > 1:
            return replacement.upper()
        return replacement.capitalize() if typed[:1].isupper() else replacement

    return re.sub(r"[^\s\"()]+", swap, text)
