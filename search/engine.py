"""Executing searches: ranking, filters, facets, snippets, suggestions, related articles.

``SearchEngine`` is what the CLI and the web both call. It keeps one searcher open and
picks up new commits to the index without a restart.
"""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict
from dataclasses import astuple, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from berita_search.index.dates import format_id
from berita_search.index.schema import DEFAULT_STEMMER
from berita_search.index.writer import open_index
from berita_search.search.phrases import PairPhrase
from berita_search.search.querylang import ParsedQuery, RankedOr, date_span_query, parse_date_span, parse_query
from berita_search.search.snippets import Snippet, make_snippet
from whoosh import query as Q
from whoosh import scoring, sorting
from whoosh.searching import Searcher

MAX_LIMIT = 100
MAX_PAGE = 100
MAX_RESULTS_DEPTH = 10_000
RESULT_CACHE_SIZE = 512  # pages of results kept per server process
CACHE_ENV = "BERITA_SEARCH_CACHE_SIZE"  # how 'serve --workers N' hands its cache size to each process
EXPORT_CAP = 5_000  # hits in one CSV or JSON export  # page * limit may not reach past this
SORTS = ("relevance", "newest", "oldest")
FACET_FIELDS = {
    "category": "category",
    "reporter": "reporter_facet",
    "source": "source",
    "year": "year",
    "month": "month",
}
JSON_KEYS = ("id", "title", "url", "source", "category", "reporter", "published", "score", "snippet")


class RequestError(ValueError):
    """A request with an out-of-range or malformed parameter: a usage error."""


@dataclass
class SearchRequest:
    q: str = ""
    page: int = 1
    limit: int = 10
    sort: str = "relevance"
    date_from: str | None = None
    date_to: str | None = None
    reporter: str | None = None
    category: str | None = None
    source: str | None = None
    collapse: bool = True
    facets: bool = True
    snippets: bool = True

    def validate(self) -> None:
        if not 1 <= self.limit <= MAX_LIMIT:
            raise RequestError(f"limit must be between 1 and {MAX_LIMIT}")
        if not 1 <= self.page <= MAX_PAGE:
            raise RequestError(f"page must be between 1 and {MAX_PAGE}")
        if self.page * self.limit > MAX_RESULTS_DEPTH:
            raise RequestError(f"results deeper than {MAX_RESULTS_DEPTH} are not paged; narrow the search")
        if self.sort not in SORTS:
            raise RequestError(f"sort must be one of: {', '.join(SORTS)}")
        for name in ("date_from", "date_to"):
            value = getattr(self, name)
            if value and parse_date_span(value) is None:
                raise RequestError(f"unreadable date {value!r} (use 2023-08-31, 2023-08 or 2023)")


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

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "url": self.url,
            "source": self.source,
            "category": self.category,
            "reporter": self.reporter,
            "published": self.published,
            "score": round(self.score, 4),
            "snippet": self.snippet.plain(),
        }


@dataclass
class SearchResult:
    request: SearchRequest
    parsed: ParsedQuery
    total: int
    hits: list[Hit]
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    suggestion: str | None = None

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.request.limit))

    @property
    def messages(self) -> list[str]:
        return self.parsed.messages


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
    def __init__(self, index_dir: Path, cache_size: int = RESULT_CACHE_SIZE) -> None:
        self.index_dir = index_dir
        self.ix = open_index(index_dir)
        self._lock = threading.Lock()
        self._searcher: Searcher = self.ix.searcher(weighting=scoring.BM25F())
        # Recent pages of results, valid while the searcher they came from is current: the
        # same names are searched again and again in a newsroom, and paging re-asks a query.
        self.cache_size = cache_size
        self._results: OrderedDict[tuple[Any, ...], tuple[Searcher, SearchResult]] = OrderedDict()
        self._columns: dict[str, list[Any]] = {}
        self._columns_for: Searcher | None = None
        self.stemmer = stemmer_of(self.ix.schema)

    def parse(self, text: str) -> ParsedQuery:
        return parse_query(text, self.stemmer)

    def searcher(self) -> Searcher:
        """The open searcher, renewed when the index has a newer commit."""
        with self._lock:
            if not self._searcher.up_to_date():
                old = self._searcher
                self._searcher = old.refresh()
                self._results.clear()
            return self._searcher

    def close(self) -> None:
        self._searcher.close()

    def columns(self, searcher: Searcher) -> dict[str, list[Any]]:
        """Facet and near-duplicate keys of every document, read once per index commit.

        Lists indexed by document number make counting a result set's facets a C-speed
        ``Counter(map(...))`` instead of a column read per document and field.
        """
        with self._lock:
            if self._columns_for is not searcher:
                fields = {**FACET_FIELDS, "dup_key": "dup_key"}
                columns: dict[str, list[Any]] = {name: [] for name in fields}
                for leaf, _offset in searcher.leaf_searchers():
                    reader = leaf.reader()
                    for name, fieldname in fields.items():
                        columns[name].extend(reader.column_reader(fieldname))
                self._columns, self._columns_for = columns, searcher
            return self._columns

    def _top(
        self,
        searcher: Searcher,
        query: Q.Query,
        filter_q: Q.Query | None,
        request: SearchRequest,
        wanted: int,
        matched: int,
    ) -> list[Any]:
        """The best ``wanted`` hits in order, after collapsing copies: fetch more until enough."""
        kwargs: dict[str, Any] = {"filter": filter_q, "terms": False}
        if request.sort != "relevance":
            kwargs["sortedby"] = sorting.FieldFacet("published", reverse=request.sort == "newest")
        limit = wanted * 2 + 10 if request.collapse else wanted
        while True:
            results = searcher.search(query, limit=min(limit, max(matched, 1)), **kwargs)
            # Not list(results): that asks len(), which re-runs the query to count every match.
            hits = [results[i] for i in range(results.scored_length())]
            if not request.collapse or limit >= matched:
                return hits
            keys = {self._columns["dup_key"][h.docnum] for h in hits}
            if len(keys) >= wanted:
                return hits
            limit *= 4

    # ---------------------------------------------------------------- search

    def filter_query(self, request: SearchRequest) -> Q.Query | None:
        filters: list[Q.Query] = []
        if request.reporter:
            parsed = parse_query(f'reporter:"{_quote_free(request.reporter)}"')
            filters.append(parsed.query)
        if request.category:
            filters.append(parse_query(f'kategori:"{_quote_free(request.category)}"').query)
        if request.source:
            filters.append(parse_query(f'sumber:"{_quote_free(request.source)}"').query)
        if request.date_from or request.date_to:
            lo = parse_date_span(request.date_from) if request.date_from else None
            hi = parse_date_span(request.date_to) if request.date_to else None
            filters.append(date_span_query(lo[0].date() if lo else None, hi[1].date() if hi else None))
        filters = [f for f in filters if f is not Q.NullQuery]
        if not filters:
            return None
        return filters[0] if len(filters) == 1 else Q.And(filters)

    def search(self, request: SearchRequest) -> SearchResult:
        """One page of results; a repeated request on an unchanged index is answered from memory."""
        request.validate()
        key = astuple(request)  # before _run, which may change the sort of a filter-only search
        searcher = self.searcher()
        with self._lock:
            cached = self._results.get(key)
            if cached is not None and cached[0] is searcher:
                self._results.move_to_end(key)
                return cached[1]
        first = (request.page - 1) * request.limit
        result = self._run(request, first, first + request.limit, facets=request.facets, suggest=True)
        if self.cache_size > 0:
            with self._lock:
                self._results[key] = (searcher, result)
                while len(self._results) > self.cache_size:
                    self._results.popitem(last=False)
        return result

    def export(self, request: SearchRequest, cap: int = EXPORT_CAP) -> SearchResult:
        """Every hit of a search up to ``cap`` (not just one page), for CSV and JSON export."""
        SearchRequest(**{**request.__dict__, "page": 1, "limit": MAX_LIMIT}).validate()
        return self._run(request, 0, cap, facets=False, suggest=False)

    def _run(self, request: SearchRequest, first: int, last: int, facets: bool, suggest: bool) -> SearchResult:
        """Hits ``first`` to ``last`` of the ranking, with counts, facets and suggestion."""
        parsed = self.parse(request.q)
        query = ranking_query(parsed)
        filter_q = self.filter_query(request)
        if query is Q.NullQuery:
            if filter_q is None:
                return SearchResult(request, parsed, 0, [])
            # Filters alone (a reporter's articles, a month): list them, newest first.
            query = Q.Every()
            if request.sort == "relevance":
                request.sort = "newest"
        searcher = self.searcher()
        columns = self.columns(searcher)
        # One unscored pass over every match counts facets and copies; only the top of the
        # ranking is scored. (Whoosh's own grouping scores and collapses every match.)
        matched = list(
            _matching_docnums(searcher, parsed.query if parsed.query is not Q.NullQuery else query, filter_q)
        )
        dup_keys = columns["dup_key"]
        copies = Counter(map(dup_keys.__getitem__, matched))
        total = len(copies) if request.collapse else len(matched)
        top = self._top(searcher, query, filter_q, request, last, len(matched))
        if request.collapse:
            kept: list[Any] = []
            seen_keys: set[Any] = set()
            for hit in top:
                key = dup_keys[hit.docnum]
                if key not in seen_keys:
                    seen_keys.add(key)
                    kept.append(hit)
            top = kept
        hits = []
        for hit in top[first:last]:
            item = self._hit(hit.fields(), float(hit.score or 0.0), parsed, request.snippets)
            item.duplicates = copies[dup_keys[hit.docnum]] - 1 if request.collapse else 0
            hits.append(item)
        facet_counts: dict[str, list[tuple[str, int]]] = {}
        if facets:
            for name in FACET_FIELDS:
                counts = Counter(map(columns[name].__getitem__, matched))
                items = [(str(k), int(v)) for k, v in counts.items() if k not in (None, "", b"")]
                if name in ("year", "month"):
                    items.sort()
                else:
                    items.sort(key=lambda kv: (-kv[1], kv[0]))
                facet_counts[name] = items
        suggestion = self.suggest(parsed, request) if suggest and total < 3 else None
        return SearchResult(request, parsed, total, hits, facet_counts, suggestion)

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
        )

    # ---------------------------------------------------------------- "did you mean"

    def suggest(self, parsed: ParsedQuery, request: SearchRequest) -> str | None:
        """A corrected query when a typed word is not in the index and a close one is."""
        if not parsed.plain_words:
            return None
        searcher = self.searcher()
        text = request.q
        changed = False
        for word in parsed.plain_words:
            if searcher.doc_frequency("body", word) or searcher.doc_frequency("title", word):
                continue
            candidates = searcher.suggest("body", word, limit=1, maxdist=2, prefix=1)
            if not candidates:
                continue
            text = _replace_word(text, word, candidates[0])
            changed = True
        if not changed:
            return None
        corrected = self.parse(text)
        q = corrected.query
        if q is Q.NullQuery:
            return None
        found = searcher.search(q, limit=1, filter=self.filter_query(request))
        return text if found.scored_length() > 0 else None

    # ---------------------------------------------------------------- articles

    def article(self, article_id: str) -> dict[str, Any] | None:
        searcher = self.searcher()
        stored = searcher.document(id=article_id)
        if stored is None:
            return None
        iso, display = published_of(stored)
        return {**stored, "published": iso, "published_display": display}

    def related(self, article_id: str, limit: int = 5) -> list[Hit]:
        """More like this: articles sharing the most distinctive words of this one."""
        searcher = self.searcher()
        docnum = searcher.document_number(id=article_id)
        if docnum is None:
            return []
        stored = searcher.stored_fields(docnum)
        text = f"{stored.get('title', '')}\n{stored.get('body', '')}"
        results = searcher.more_like(docnum, "body_stem", text=text, top=limit * 3, numterms=12)
        hits: list[Hit] = []
        dup_keys = searcher.reader().column_reader("dup_key")
        seen_keys = {dup_keys[docnum]}
        for hit in results:
            fields = hit.fields()
            key = dup_keys[hit.docnum]
            if fields["id"] == article_id or key in seen_keys:
                continue
            seen_keys.add(key)
            hits.append(self._hit(fields, float(hit.score or 0.0), ParsedQuery(Q.NullQuery, ""), snippets=False))
            if len(hits) >= limit:
                break
        return hits

    def stats(self, top: int = 10) -> dict[str, Any]:
        searcher = self.searcher()
        everything = searcher.search(
            Q.Every(),
            limit=1,
            groupedby={n: sorting.FieldFacet(f, maptype=sorting.Count) for n, f in FACET_FIELDS.items()},
            terms=False,
        )
        facets = {}
        for name in FACET_FIELDS:
            groups = {str(k): v for k, v in everything.groups(name).items() if k not in (None, "", b"")}
            facets[name] = sorted(groups.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
        dates = [d for d in searcher.lexicon("year")]
        undated = searcher.doc_count() - sum(
            everything.groups("year").get(y, 0) for y in everything.groups("year") if y
        )
        first = last = None
        if dates:
            oldest = searcher.search(Q.Every(), limit=1, sortedby="published")
            newest = searcher.search(Q.Every(), limit=1, sortedby="published", reverse=True)
            first = published_of(oldest[0].fields())[0] if len(oldest) else None
            last = published_of(newest[0].fields())[0] if len(newest) else None
        return {
            "documents": searcher.doc_count(),
            "undated": undated,
            "first_published": first,
            "last_published": last,
            "facets": facets,
            "index": str(self.index_dir),
        }


def _matching_docnums(searcher: Searcher, query: Q.Query, filter_q: Q.Query | None) -> list[int]:
    """Every live document matching the query and filter, unscored, in document order."""
    combined = Q.And([query, filter_q]) if filter_q is not None else query
    matched: list[int] = []
    for leaf, offset in searcher.leaf_searchers():
        reader = leaf.reader()
        docs = _docset(leaf, combined)
        if reader.has_deletions():
            docs = {d for d in docs if not reader.is_deleted(d)}
        matched.extend(offset + d for d in sorted(docs))
    return matched


def _docset(leaf: Searcher, query: Q.Query) -> set[int]:
    """The documents of one segment that match: boolean structure as set operations.

    Whoosh's union and intersection matchers walk postings document by document in Python;
    sets of posting lists combine at C speed. Anything other than terms and boolean
    structure (phrases, prefixes, fuzzy terms, ranges) uses its own matcher.
    """
    if isinstance(query, Q.Term):
        if (query.fieldname, query.text) not in leaf.reader():
            return set()
        return set(leaf.reader().postings(query.fieldname, query.text).all_ids())
    if isinstance(query, Q.Or):
        result: set[int] = set()
        for sub in query.subqueries:
            result |= _docset(leaf, sub)
        return result
    if isinstance(query, Q.And):
        positives = [q for q in query.subqueries if not isinstance(q, Q.Not)]
        sets = sorted((_docset(leaf, q) for q in positives), key=len)
        result = set.intersection(*sets) if sets else set(range(leaf.reader().doc_count_all()))
        for negative in (q for q in query.subqueries if isinstance(q, Q.Not)):
            result -= _docset(leaf, negative.query)
        return result
    if isinstance(query, Q.AndNot):
        return _docset(leaf, query.a) - _docset(leaf, query.b)
    if isinstance(query, Q.AndMaybe):
        return _docset(leaf, query.a)
    if isinstance(query, Q.Every):
        return set(range(leaf.reader().doc_count_all()))
    matcher = query.matcher(leaf)
    return set(matcher.all_ids()) if matcher.is_active() else set()


def stemmer_of(schema: Any) -> str:
    """The stemmer an index was built with, read from its stemmed field's analyzer."""
    analyzer = schema["body_stem"].analyzer
    for item in getattr(analyzer, "items", [analyzer]):
        if hasattr(item, "stemmer"):
            return str(item.stemmer)
    return DEFAULT_STEMMER


def ranking_query(parsed: ParsedQuery) -> Q.Query:
    """The user's query, plus a bonus for its words appearing together (a phrase or near)."""
    query = parsed.query
    words = [w for w in parsed.plain_words]
    if query is Q.NullQuery or len(words) < 2 or len(words) > 8 or parsed.phrases:
        return query
    bonus = RankedOr(
        [
            PairPhrase("title", words, slop=1, boost=4.0),
            PairPhrase("body", words, slop=1, boost=2.0),
            Q.Phrase("body", words, slop=4, boost=1.0),
        ]
    )
    return Q.AndMaybe(query, bonus)


def _quote_free(text: str) -> str:
    return text.replace('"', " ").strip()


def _replace_word(text: str, word: str, replacement: str) -> str:
    import re

    from berita_search.index.analysis import fold

    def swap(match: re.Match[str]) -> str:
        return replacement if fold(match.group(0)) == word else match.group(0)

    return re.sub(r"[^\s\"()]+", swap, text)
