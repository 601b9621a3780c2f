"""The embedded backend: a Whoosh index in a folder, nothing to run.

Each commit of the index is read through a ``_Snapshot``: a searcher and the facet and
copy columns of every document, shared by the threads serving requests and closed when
the last request using it ends after a newer commit arrived. (Whoosh's ``refresh()``
closes the readers a running search still uses.)
"""

from __future__ import annotations

import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import product
from pathlib import Path
from typing import Any

from berita_search.index.fields import ENTITY_FIELDS, FACETS, Kind
from berita_search.index.schema import DEFAULT_STEMMER, entity_column, facet_column
from berita_search.index.writer import newest_added, open_index
from berita_search.search import plan as P
from berita_search.search.backends import whoosh_workflow
from berita_search.search.backends.base import (
    DAY,
    IndexStats,
    Matches,
    RankedArticle,
    SearchSpec,
    SearchTimeout,
    StoredArticle,
    Summary,
    Tally,
)
from berita_search.search.backends.whoosh_query import Compiler, WordSet
from berita_search.search.backends.whoosh_workflow import facet_counts
from whoosh import query as Q
from whoosh import scoring, sorting
from whoosh.collectors import TimeLimit, WrappingCollector
from whoosh.index import Index
from whoosh.searching import Searcher

COPY_COLUMN = "dup_key"
RECENT_MATCHES = 4  # match lists a snapshot keeps for the tallies that follow a search (a page's series)


@dataclass
class _Snapshot:
    """One commit of the index as the searches of that commit see it."""

    searcher: Searcher
    generation: int
    users: int = 0
    superseded: bool = False
    _columns: dict[str, list[Any]] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _days: list[str | None] | None = None  # the dateline day of every document (tallies)
    _recent: OrderedDict[Any, list[int]] = field(default_factory=OrderedDict)  # (plan, filters) -> matches
    _combined: dict[tuple[str, ...], list[tuple[Any, ...]]] = field(default_factory=dict)  # tallies' keys

    def columns(self) -> dict[str, list[Any]]:
        """Facet and copy keys of every document, read once per commit.

        Lists indexed by document number make counting a result set's facets a C-speed
        ``Counter(map(...))`` instead of a column read per document and field.
        """
        with self._lock:
            if self._columns is None:
                names = {f.name: facet_column(f.name) for f in FACETS} | {COPY_COLUMN: COPY_COLUMN}
                columns: dict[str, list[Any]] = {name: [] for name in names}
                for leaf, _offset in self.searcher.leaf_searchers():
                    reader = leaf.reader()
                    for name, column in names.items():
                        if name in ENTITY_FIELDS:
                            columns[name].extend(_entity_column(reader, name))
                            continue
                        # A segment without the column (or an index without segments) has none.
                        present = column in reader.schema and reader.has_column(column)  # older indexes lack some
                        values = reader.column_reader(column) if present else None
                        columns[name].extend(values if values is not None else [None] * reader.doc_count_all())
                self._columns = columns
            return self._columns

    def days(self) -> list[str | None]:
        """The dateline day ("2019-09-17") of every document, None when undated: read once per
        commit from the ``day`` terms, the very terms the date filters match."""
        with self._lock:
            if self._days is None:
                days: list[str | None] = []
                for leaf, offset in self.searcher.leaf_searchers():
                    reader = leaf.reader()
                    days.extend([None] * reader.doc_count_all())
                    if DAY not in reader.schema:
                        continue
                    for term in reader.lexicon(DAY):
                        value = term.decode("utf-8") if isinstance(term, bytes) else str(term)
                        for docnum in reader.postings(DAY, term).all_ids():
                            days[offset + docnum] = value
                self._days = days
            return self._days

    def combined(self, keys: tuple[str, ...]) -> list[tuple[Any, ...]]:
        """Per document, its values of ``keys`` as one shared tuple (None for no value; an entity
        facet's names as a tuple of them): a tally is then one C-level count over the matches.
        Built once per commit and key set."""
        with self._lock:
            found = self._combined.get(keys)
        if found is not None:
            return found
        columns = [self.days() if key == DAY else self.columns()[key] for key in keys]
        shared: dict[tuple[Any, ...], tuple[Any, ...]] = {}
        combined: list[tuple[Any, ...]] = []
        for raw in zip(*columns, strict=True):
            values = shared.get(raw)
            if values is None:
                values = shared[raw] = tuple(
                    v if isinstance(v, tuple) else None if v in (None, "", b"") else str(v) for v in raw
                )
            combined.append(values)
        with self._lock:
            self._combined[keys] = combined
        return combined

    def remember_matches(self, key: Any, matched: list[int]) -> None:
        """Keep a search's matches for a tally of the same search (the page's series) to reuse."""
        with self._lock:
            self._recent[key] = matched
            self._recent.move_to_end(key)
            while len(self._recent) > RECENT_MATCHES:
                self._recent.popitem(last=False)

    def recent_matches(self, key: Any) -> list[int] | None:
        with self._lock:
            return self._recent.get(key)


class WhooshBackend:
    def __init__(self, index_dir: Path) -> None:
        self.index_dir = index_dir
        self.ix: Index = open_index(index_dir)
        self._lock = threading.Lock()
        self._current = self._open_snapshot()
        self._stemmer = stemmer_of(self.ix.schema)

    # ---------------------------------------------------------------- commits

    def _open_snapshot(self) -> _Snapshot:
        latest = self.ix.latest_generation()
        searcher = self.ix.searcher(weighting=scoring.BM25F())
        # An index without segments has a reader without a generation: the one read just
        # before stands for it (if a commit came in between, the next search opens it).
        generation = searcher.reader().generation()
        return _Snapshot(searcher, latest if generation is None else generation)

    @contextmanager
    def snapshot(self) -> Iterator[_Snapshot]:
        """The latest commit, held open until the block ends."""
        with self._lock:
            current = self._current
            if self.ix.latest_generation() != current.generation:
                current.superseded = True
                if current.users == 0:
                    current.searcher.close()
                current = self._current = self._open_snapshot()
            current.users += 1
        try:
            yield current
        finally:
            with self._lock:
                current.users -= 1
                if current.superseded and current.users == 0:
                    current.searcher.close()

    def generation(self) -> Hashable:
        with self.snapshot() as snap:
            return snap.generation

    @property
    def stemmer(self) -> str:
        return self._stemmer

    @property
    def location(self) -> str:
        return str(self.index_dir)

    def close(self) -> None:
        with self._lock:
            self._current.superseded = True
            if self._current.users == 0:
                self._current.searcher.close()

    # ---------------------------------------------------------------- search

    def search(self, spec: SearchSpec) -> Matches:
        deadline = _Deadline(spec.budget)
        with self.snapshot() as snap:
            searcher = snap.searcher
            compiler = Compiler(searcher, deadline.check)
            query = compiler.ranking(spec.plan, spec.proximity, spec.phrases)
            if query is Q.NullQuery:
                return Matches(0, 0, [], notes=compiler.notes, generation=snap.generation)
            filter_q = _filter_query(compiler, spec.filters)
            columns = snap.columns()
            # One unscored pass over every match counts facets and copies; only the top of the
            # ranking is scored. (Whoosh's own grouping scores and collapses every match.)
            matched = _matching_docnums(searcher, compiler.plan(spec.plan), filter_q, deadline)
            snap.remember_matches((spec.plan, spec.filters), matched)
            dup_keys = columns[COPY_COLUMN]
            copies = Counter(map(dup_keys.__getitem__, matched))
            top = self._top(searcher, dup_keys, query, filter_q, spec, len(matched), deadline)
            ranked = []
            seen: set[Any] = set()
            for hit in top:
                key = dup_keys[hit.docnum]
                if spec.collapse:
                    if key in seen:
                        continue
                    seen.add(key)
                ranked.append(RankedArticle(hit.fields(), float(hit.score or 0.0), copies[key] if spec.collapse else 1))
                if len(ranked) >= spec.top:
                    break
            facets: dict[str, list[tuple[str, int]]] = {}
            if spec.facets:
                for facet in FACETS:
                    facets[facet.name] = facet_counts(facet, columns[facet.name], matched)
            return Matches(len(matched), len(copies), ranked, facets, compiler.notes, snap.generation)

    def iterate(self, spec: SearchSpec) -> Iterator[RankedArticle]:
        with self.snapshot() as snap:
            yield from whoosh_workflow.iterate(snap, spec, _filter_query)

    def summarize(self, spec: SearchSpec) -> Summary:
        with self.snapshot() as snap:
            return whoosh_workflow.summarize(snap, spec, _filter_query)

    def last_added(self) -> int:
        with self.snapshot() as snap:
            return newest_added(snap.searcher.reader())

    def ids_with_prefix(self, prefix: str, limit: int) -> list[str]:
        with self.snapshot() as snap:
            return whoosh_workflow.ids_with_prefix(snap, prefix, limit)

    def count(self, spec: SearchSpec) -> int:
        with self.snapshot() as snap:
            compiler = Compiler(snap.searcher)
            query = compiler.plan(spec.plan)
            if query is Q.NullQuery:
                return 0
            filter_q = _filter_query(compiler, spec.filters)
            return len(_matching_docnums(snap.searcher, query, filter_q, _Deadline(spec.budget)))

    def _top(
        self,
        searcher: Searcher,
        dup_keys: list[Any],
        query: Q.Query,
        filter_q: Q.Query | None,
        spec: SearchSpec,
        matched: int,
        deadline: _Deadline,
    ) -> list[Any]:
        """The best ``spec.top`` hits in order (stories, when collapsing): fetch more until enough."""
        sortedby = None
        if spec.sort != "relevance":
            sortedby = sorting.FieldFacet("published", reverse=spec.sort == "newest")
        wanted = spec.top
        limit = wanted * 2 + 10 if spec.collapse else wanted
        while True:
            collector = searcher.collector(limit=min(limit, max(matched, 1)), sortedby=sortedby, filter=filter_q)
            if deadline.end is not None:
                collector = _BudgetCollector(collector, deadline)
            try:
                searcher.search_with_collector(query, collector)
            except TimeLimit:
                raise SearchTimeout(deadline.budget) from None
            results = collector.results()
            # Not list(results): that asks len(), which re-runs the query to count every match.
            hits = [results[i] for i in range(results.scored_length())]
            if not spec.collapse or limit >= matched:
                return hits
            if len({dup_keys[h.docnum] for h in hits}) >= wanted:
                return hits
            limit *= 4

    # ---------------------------------------------------------------- tallies (coverage series)

    def tally(self, spec: SearchSpec, keys: tuple[str, ...]) -> Tally:
        with self.snapshot() as snap:
            matched = snap.recent_matches((spec.plan, spec.filters))
            if matched is None:
                compiler = Compiler(snap.searcher)
                query = compiler.plan(spec.plan)
                if query is Q.NullQuery:
                    return Tally(keys, {}, snap.generation)
                filter_q = _filter_query(compiler, spec.filters)
                matched = _matching_docnums(snap.searcher, query, filter_q, _Deadline(spec.budget))
                snap.remember_matches((spec.plan, spec.filters), matched)
            combined = snap.combined(keys)
            counts = Counter(map(combined.__getitem__, matched))
            if any(key in ENTITY_FIELDS for key in keys):
                return Tally(keys, expand_multi(counts), snap.generation)
            return Tally(keys, dict(counts), snap.generation)

    # ---------------------------------------------------------------- articles

    def article(self, article_id: str) -> StoredArticle | None:
        with self.snapshot() as snap:
            stored = snap.searcher.document(id=article_id)
            return dict(stored) if stored is not None else None

    def related(self, article_id: str, limit: int) -> list[RankedArticle]:
        with self.snapshot() as snap:
            searcher = snap.searcher
            docnum = searcher.document_number(id=article_id)
            if docnum is None:
                return []
            stored = searcher.reader().stored_fields(docnum)
            text = f"{stored.get('title', '')}\n{stored.get('body', '')}"
            results = searcher.more_like(docnum, "body_stem", text=text, top=limit * 3, numterms=12)
            dup_keys = snap.columns()[COPY_COLUMN]
            seen = {dup_keys[docnum]}
            related: list[RankedArticle] = []
            for hit in results:
                key = dup_keys[hit.docnum]
                if hit.docnum == docnum or key in seen:
                    continue
                seen.add(key)
                related.append(RankedArticle(hit.fields(), float(hit.score or 0.0)))
                if len(related) >= limit:
                    break
            return related

    # ---------------------------------------------------------------- words

    def word_frequency(self, word: str) -> int:
        with self.snapshot() as snap:
            reader = snap.searcher.reader()
            return max(reader.doc_frequency("body", word), reader.doc_frequency("title", word))

    def similar_words(self, word: str, limit: int) -> list[str]:
        with self.snapshot() as snap:
            return list(snap.searcher.suggest("body", word, limit=limit, maxdist=2, prefix=1))

    # ---------------------------------------------------------------- the whole index

    def stats(self, top: int) -> IndexStats:
        with self.snapshot() as snap:
            searcher = snap.searcher
            columns = snap.columns()
            live = _matching_docnums(searcher, Q.Every(), None, _Deadline(None))
            facets = {}
            for facet in FACETS:
                items = facet_counts(facet, columns[facet.name], live)
                facets[facet.name] = sorted(items, key=lambda kv: (-kv[1], kv[0]))[:top]
            undated = sum(1 for docnum in live if not columns["year"][docnum])
            first = last = None
            if len(live) > undated:
                # Undated articles sort as newest: only dated ones give the range.
                dated = Q.Every("year")
                oldest = searcher.search(dated, limit=1, sortedby="published")
                newest = searcher.search(dated, limit=1, sortedby="published", reverse=True)
                first = oldest[0].fields().get("published_iso")
                last = newest[0].fields().get("published_iso")
            return IndexStats(len(live), undated, first, last, facets, str(self.index_dir))


def _entity_column(reader: Any, name: str) -> list[tuple[str, ...]]:
    """The canonical names of an entity field (``Kind.ENTITY``) of every document of a segment,
    read from its column; empty for an index written before entities."""
    column = entity_column(name)
    empty: tuple[str, ...] = ()
    if column not in reader.schema or not reader.has_column(column):
        return [empty] * reader.doc_count_all()
    shared: dict[bytes, tuple[str, ...]] = {b"": empty}
    values = []
    for raw in reader.column_reader(column):
        found = shared.get(raw)
        if found is None:
            found = shared[raw] = tuple(raw.decode("utf-8").split(","))
        values.append(found)
    return values


def expand_multi(counts: Counter[tuple[Any, ...]]) -> dict[tuple[str | None, ...], int]:
    """Tally counts whose keys may hold an entity facet's names (a tuple): one count per name,
    None for an article without any."""
    expanded: Counter[tuple[str | None, ...]] = Counter()
    for key, count in counts.items():
        if any(isinstance(v, tuple) for v in key):
            options = [(v or (None,)) if isinstance(v, tuple) else (v,) for v in key]
            for combination in product(*options):
                expanded[combination] += count
        else:
            expanded[key] += count
    return dict(expanded)


def _filter_query(compiler: Compiler, filters: tuple[P.Node, ...]) -> Q.Query | None:
    queries = [compiler.plan(f) for f in filters]
    queries = [q for q in queries if q is not Q.NullQuery]
    if not queries:
        return None
    return queries[0] if len(queries) == 1 else Q.And(queries)


class _Deadline:
    """When a search must stop, in the processor time of the thread running it: the budget
    bounds a search's work, so searches waiting for their turn under load are not refused.
    Checked between posting lists and every few hundred matches."""

    def __init__(self, budget: float | None) -> None:
        self.budget = budget
        self.end = time.thread_time() + budget if budget is not None else None

    def check(self) -> None:
        if self.end is not None and time.thread_time() > self.end:
            raise SearchTimeout(self.budget)


class _BudgetCollector(WrappingCollector):
    """Stops the ranking with ``TimeLimit`` once the search's processor-time budget is spent."""

    def __init__(self, child: Any, deadline: _Deadline) -> None:
        super().__init__(child)
        self.deadline = deadline

    def collect_matches(self) -> None:
        child, check = self.child, self.deadline.check
        for count, docnum in enumerate(child.matches()):
            if count % 256 == 255:
                try:
                    check()
                except SearchTimeout:
                    raise TimeLimit from None
            child.collect(docnum)


def _matching_docnums(searcher: Searcher, query: Q.Query, filter_q: Q.Query | None, deadline: _Deadline) -> list[int]:
    """Every live document matching the query and filter, unscored, in document order."""
    combined = Q.And([query, filter_q]) if filter_q is not None else query
    matched: list[int] = []
    for leaf, offset in searcher.leaf_searchers():
        reader = leaf.reader()
        docs = _docset(leaf, combined, deadline)
        if reader.has_deletions():
            docs = {d for d in docs if not reader.is_deleted(d)}
        matched.extend(offset + d for d in sorted(docs))
    return matched


def _docset(leaf: Searcher, query: Q.Query, deadline: _Deadline) -> set[int]:
    """The documents of one segment that match: boolean structure as set operations.

    Whoosh's union and intersection matchers walk postings document by document in Python;
    sets of posting lists combine at C speed. Anything other than terms, word sets and
    boolean structure (phrases, ranges) uses its own matcher, checked against the deadline
    every few hundred matches.
    """
    deadline.check()
    if isinstance(query, Q.Term):
        if (query.fieldname, query.text) not in leaf.reader():
            return set()
        return set(leaf.reader().postings(query.fieldname, query.text).all_ids())
    if isinstance(query, WordSet):
        return query.docs_in(leaf.reader())
    if isinstance(query, Q.Or):
        result: set[int] = set()
        for sub in query.subqueries:
            result |= _docset(leaf, sub, deadline)
        return result
    if isinstance(query, Q.And):
        positives = [q for q in query.subqueries if not isinstance(q, Q.Not)]
        sets = sorted((_docset(leaf, q, deadline) for q in positives), key=len)
        result = set.intersection(*sets) if sets else set(range(leaf.reader().doc_count_all()))
        for negative in (q for q in query.subqueries if isinstance(q, Q.Not)):
            result -= _docset(leaf, negative.query, deadline)
        return result
    if isinstance(query, Q.AndNot):
        return _docset(leaf, query.a, deadline) - _docset(leaf, query.b, deadline)
    if isinstance(query, Q.AndMaybe):
        return _docset(leaf, query.a, deadline)
    if isinstance(query, Q.Every):
        return set(range(leaf.reader().doc_count_all()))
    matcher = query.matcher(leaf)
    docs: set[int] = set()
    while matcher.is_active():
        docs.add(matcher.id())
        if len(docs) % 256 == 0:
            deadline.check()
        matcher.next()
    return docs


def stemmer_of(schema: Any) -> str:
    """The stemmer an index was built with, read from its stemmed field's analyzer."""
    analyzer = schema["body_stem"].analyzer
    for item in getattr(analyzer, "items", [analyzer]):
        if hasattr(item, "stemmer"):
            return str(item.stemmer)
    return DEFAULT_STEMMER


__all__ = ["Kind", "WhooshBackend", "stemmer_of"]
