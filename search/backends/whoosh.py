"""The embedded backend: a Whoosh index in a folder, nothing to run.

Each commit of the index is read through a ``_Snapshot``: a searcher and the facet and
copy columns of every document, shared by the threads serving requests and closed when
the last request using it ends after a newer commit arrived. (Whoosh's ``refresh()``
closes the readers a running search still uses.)
"""

from __future__ import annotations

import heapq
import threading
import time
from collections import OrderedDict
from collections.abc import Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
from berita_search.index.fields import ENTITY_FIELDS, FACETS, Facet, Kind
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
from berita_search.search.backends.whoosh_arrays import CommitView, Evaluation, SegmentView
from berita_search.search.backends.whoosh_query import Compiler
from rapidfuzz import process
from rapidfuzz.distance import OSA
from whoosh import query as Q
from whoosh import scoring, sorting
from whoosh.collectors import TimeLimit, WrappingCollector
from whoosh.index import Index
from whoosh.searching import Searcher

COPY_COLUMN = "dup_key"
RECENT_MATCHES = 4  # match lists a snapshot keeps for the tallies that follow a search (a page's series)


@dataclass
class _Column:
    """A facet or copy column of a commit as ordinals indexing ``labels``.

    One value a document: ``codes[docnum]``. Several (an entity facet's names): ``offsets`` is
    given, and document d holds ``codes[offsets[d]:offsets[d + 1]]``, at least one value (the
    label None when it has none), so that a count over documents is still one ``bincount``.
    """

    codes: np.ndarray
    labels: list[Any]
    offsets: np.ndarray | None = None

    @classmethod
    def of(cls, values: list[Any]) -> _Column:
        ordinals: dict[Any, int] = {}
        codes = np.fromiter((ordinals.setdefault(v, len(ordinals)) for v in values), dtype=np.int64, count=len(values))
        return cls(codes, list(ordinals))

    @classmethod
    def of_many(cls, values: list[tuple[Any, ...]]) -> _Column:
        """The column of documents holding several values each (none: an empty tuple)."""
        ordinals: dict[Any, int] = {None: 0}
        offsets = np.zeros(len(values) + 1, dtype=np.int64)
        np.cumsum(np.fromiter((max(len(v), 1) for v in values), np.int64, len(values)), out=offsets[1:])
        every = (ordinals.setdefault(v, len(ordinals)) for held in values for v in held or (None,))
        return cls(np.fromiter(every, dtype=np.int64, count=int(offsets[-1])), list(ordinals), offsets)

    def label(self, docnum: int) -> Any:
        if self.offsets is None:
            return self.labels[self.codes[docnum]]
        held = self.codes[self.offsets[docnum] : self.offsets[docnum + 1]].tolist()
        return tuple(self.labels[code] for code in held if self.labels[code] is not None)

    def positions(self, docnums: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(which of ``docnums``, where in ``codes``) for every value the documents hold."""
        if self.offsets is None:
            return np.arange(len(docnums)), docnums
        starts = self.offsets[docnums]
        lengths = self.offsets[docnums + 1] - starts
        owner = np.repeat(np.arange(len(docnums)), lengths)
        within = np.arange(len(owner)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        return owner, starts[owner] + within

    def counts(self, docnums: np.ndarray) -> np.ndarray:
        """How many of ``docnums`` (distinct document numbers) hold each label (by ordinal)."""
        if self.offsets is not None and len(docnums) * 8 > len(self.offsets):
            # Many documents: select their values by a mask over every value, cheaper than
            # gathering each document's run of values one by one.
            chosen = np.zeros(len(self.offsets) - 1, dtype=bool)
            chosen[docnums] = True
            return np.bincount(self.codes[chosen[self._owners]], minlength=len(self.labels))
        _owner, at = self.positions(docnums)
        return np.bincount(self.codes[at], minlength=len(self.labels))

    @cached_property
    def _owners(self) -> np.ndarray:
        """The document of each entry of ``codes`` (several values a document)."""
        assert self.offsets is not None
        return np.repeat(np.arange(len(self.offsets) - 1, dtype=np.int64), np.diff(self.offsets))

    @cached_property
    def facet_order(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(shown, texts, rank) of the labels: whether each is a value a facet lists (not
        empty), its text, and its place in the texts' order. Computed once per commit, so
        that listing a facet of tens of thousands of names is array work."""
        texts = np.array([str(label) for label in self.labels], dtype=object)
        shown = np.fromiter((label not in (None, "", b"") for label in self.labels), dtype=bool, count=len(texts))
        rank = np.empty(len(texts), dtype=np.int64)
        rank[np.argsort(texts, kind="stable")] = np.arange(len(texts))
        return shown, texts, rank


@dataclass
class _Snapshot:
    """One commit of the index as the searches of that commit see it: the searcher, each
    segment's arrays and deletions, and the facet and copy columns, read once per commit
    (under a lock: the threads serving requests share it) and read-only after."""

    searcher: Searcher
    generation: int
    index_dir: Path
    users: int = 0
    superseded: bool = False
    _columns: dict[str, _Column] | None = None
    _view: CommitView | None = None
    _words: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _days: _Column | None = None  # the dateline day of every document (tallies)
    _recent: OrderedDict[Any, np.ndarray] = field(default_factory=OrderedDict)  # (plan, filters) -> matches
    _combined: dict[tuple[str, ...], _Column] = field(default_factory=dict)  # tallies' keys, as value tuples

    def columns(self) -> dict[str, _Column]:
        """Facet and copy keys of every document as ordinals, so that counting a result set's
        facets is one ``bincount`` per facet."""
        with self._lock:
            if self._columns is None:
                names = {f.name: facet_column(f.name) for f in FACETS} | {COPY_COLUMN: COPY_COLUMN}
                values: dict[str, list[Any]] = {name: [] for name in names}
                for leaf, _offset in self.searcher.leaf_searchers():
                    reader = leaf.reader()
                    for name, column in names.items():
                        if name in ENTITY_FIELDS:
                            values[name].extend(_entity_column(reader, name))
                            continue
                        # A segment without the column (or an index without segments) has none.
                        present = column in reader.schema and reader.has_column(column)  # older indexes lack some
                        found = reader.column_reader(column) if present else None
                        values[name].extend(found if found is not None else [None] * reader.doc_count_all())
                self._columns = {
                    name: _Column.of_many(held) if name in ENTITY_FIELDS else _Column.of(held)
                    for name, held in values.items()
                }
            return self._columns

    def days(self) -> _Column:
        """The dateline day ("2019-09-17") of every document, None when undated: read once per
        commit from the ``day`` terms, the very terms the date filters match."""
        with self._lock:
            if self._days is None:
                total = self.searcher.doc_count_all()
                codes = np.zeros(total, dtype=np.int64)
                labels: list[Any] = [None]
                for leaf, offset in self.searcher.leaf_searchers():
                    reader = leaf.reader()
                    if DAY not in reader.schema:
                        continue
                    for term in reader.lexicon(DAY):
                        value = term.decode("utf-8") if isinstance(term, bytes) else str(term)
                        docs = np.fromiter(reader.postings(DAY, term).all_ids(), dtype=np.int64)
                        codes[docs + offset] = len(labels)
                        labels.append(value)
                self._days = _Column(codes, labels)
            return self._days

    def combined(self, keys: tuple[str, ...]) -> _Column:
        """Per document, its values of ``keys`` as one ordinal whose label is the tuple of values
        (None for no value): a tally is then one ``bincount`` over the matches. Built once per
        commit and key set."""
        with self._lock:
            found = self._combined.get(keys)
        if found is not None:
            return found
        columns = [self.days() if key == DAY else self.columns()[key] for key in keys]
        total = self.searcher.doc_count_all()
        # One row per combination of values a document holds (one per document unless a key is
        # an entity facet, whose names each count the document), coded in mixed radix.
        docs = np.arange(total, dtype=np.int64)
        code = np.zeros(total, dtype=np.int64)
        spellings: list[list[str | None]] = []
        scale = 1
        for column in columns:
            # The labels as a tally spells them, empty ones as None, each spelling one ordinal.
            spelled = [None if v in (None, "", b"") else str(v) for v in column.labels]
            ordinals: dict[str | None, int] = {}
            recode = np.fromiter((ordinals.setdefault(v, len(ordinals)) for v in spelled), np.int64, len(spelled))
            row, where = column.positions(docs)
            docs, code = docs[row], code[row] + recode[column.codes[where]] * scale
            scale *= max(len(ordinals), 1)
            spellings.append(list(ordinals))
        unique, inverse = np.unique(code, return_inverse=True)
        labels: list[Any] = []
        for value in unique.tolist():
            parts = []
            for spelled in spellings:
                value, at = divmod(value, len(spelled)) if spelled else (value, 0)
                parts.append(spelled[at] if spelled else None)
            labels.append(tuple(parts))
        codes = inverse.reshape(-1).astype(np.int64)
        if len(docs) == total:
            combined = _Column(codes, labels)
        else:  # rows are in document order: offsets from each document's row count
            offsets = np.zeros(total + 1, dtype=np.int64)
            np.cumsum(np.bincount(docs, minlength=total), out=offsets[1:])
            combined = _Column(codes, labels, offsets)
        with self._lock:
            self._combined[keys] = combined
        return combined

    def remember_matches(self, key: Any, matched: np.ndarray) -> None:
        """Keep a search's matches for a tally of the same search (the page's series) to reuse."""
        with self._lock:
            self._recent[key] = matched
            self._recent.move_to_end(key)
            while len(self._recent) > RECENT_MATCHES:
                self._recent.popitem(last=False)

    def recent_matches(self, key: Any) -> np.ndarray | None:
        with self._lock:
            return self._recent.get(key)

    def words_starting(self, fieldname: str, initial: str) -> list[str]:
        """The field's words starting with ``initial``, read once per commit."""
        key = (fieldname, initial)
        with self._lock:
            words = self._words.get(key)
        if words is None:
            from_bytes = self.searcher.schema[fieldname].from_bytes
            words = [from_bytes(b) for b in self.searcher.reader().expand_prefix(fieldname, initial)]
            with self._lock:
                self._words[key] = words
        return words

    def view(self) -> CommitView:
        """The commit as the array evaluation reads it."""
        with self._lock:
            if self._view is None:
                self._view = CommitView.of(
                    [SegmentView.open(leaf, offset, self.index_dir) for leaf, offset in self.searcher.leaf_searchers()],
                    self.index_dir,
                )
            return self._view

    def matching(self, query: Q.Query, filter_q: Q.Query | None, deadline: _Deadline) -> np.ndarray:
        """Every live document matching the query and filter, unscored, in document order."""
        deadline.check()
        view = self.view()
        evaluation = Evaluation(view, self.searcher, deadline.check)
        docs = evaluation.docs(query)
        if filter_q is not None and len(docs):
            docs = docs[np.isin(docs, evaluation.docs(filter_q), assume_unique=True)]
        return view.live(docs)

    def ranked(self, query: Q.Query, filter_q: Q.Query | None, deadline: _Deadline) -> tuple[np.ndarray, np.ndarray]:
        """(document numbers, scores) of every live match, in document order."""
        deadline.check()
        view = self.view()
        evaluation = Evaluation(view, self.searcher, deadline.check)
        docs, scores = evaluation.scored(query)
        if filter_q is not None and len(docs):
            keep = np.isin(docs, evaluation.docs(filter_q), assume_unique=True)
            docs, scores = docs[keep], scores[keep]
        if view.deleted is not None and len(docs):
            keep = ~np.isin(docs, view.deleted, assume_unique=True)
            docs, scores = docs[keep], scores[keep]
        return docs, scores


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
        return _Snapshot(searcher, latest if generation is None else generation, self.index_dir)

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
            dup_codes = columns[COPY_COLUMN].codes
            if spec.sort == "relevance":
                # Every match scored as arrays: the matches are the result set that totals,
                # facets and copies count, and the head of their ranking is the page.
                matched, scores = snap.ranked(query, filter_q, deadline)
                top: list[tuple[int, float]] | None = None
            else:
                matched = snap.matching(compiler.plan(spec.plan), filter_q, deadline)
                top = self._sorted_top(searcher, dup_codes, query, filter_q, spec, len(matched), deadline)
            copies = columns[COPY_COLUMN].counts(matched)
            snap.remember_matches((spec.plan, spec.filters), matched)
            ranked: list[RankedArticle] = []
            seen: set[int] = set()
            for docnum, score in top if top is not None else _best_first(matched, scores, spec, dup_codes):
                key = int(dup_codes[docnum])
                if spec.collapse:
                    if key in seen:
                        continue
                    seen.add(key)
                stored = searcher.stored_fields(docnum)
                ranked.append(RankedArticle(stored, float(score or 0.0), int(copies[key]) if spec.collapse else 1))
                if len(ranked) >= spec.top:
                    break
            facets: dict[str, list[tuple[str, int]]] = {}
            if spec.facets:
                for facet in FACETS:
                    facets[facet.name] = _facet_items(facet, columns[facet.name], matched)
            stories = int(np.count_nonzero(copies))
            return Matches(len(matched), stories, ranked, facets, compiler.notes, snap.generation)

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
            return len(snap.matching(query, filter_q, _Deadline(spec.budget)))

    def _sorted_top(
        self,
        searcher: Searcher,
        dup_codes: np.ndarray,
        query: Q.Query,
        filter_q: Q.Query | None,
        spec: SearchSpec,
        matched: int,
        deadline: _Deadline,
    ) -> list[tuple[int, float]]:
        """The first ``spec.top`` hits by date (stories, when collapsing): fetch more until enough."""
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
            hits = [(results[i].docnum, results[i].score) for i in range(results.scored_length())]
            if not spec.collapse or limit >= matched:
                return hits
            if len({int(dup_codes[d]) for d, _s in hits}) >= wanted:
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
                matched = snap.matching(query, filter_q, _Deadline(spec.budget))
                snap.remember_matches((spec.plan, spec.filters), matched)
            combined = snap.combined(keys)
            counts = combined.counts(matched)
            labels = combined.labels
            return Tally(keys, {labels[i]: int(counts[i]) for i in np.flatnonzero(counts).tolist()}, snap.generation)

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
            dup_keys = snap.columns()[COPY_COLUMN].codes
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
        """Whoosh's ``suggest("body", word, limit, maxdist=2, prefix=1)``, answered from a
        per-commit list of the body's words by first letter and rapidfuzz's edit distance:
        Whoosh merged every segment's lexicon and ran its Python edit distance on each word,
        seconds per rare word at 200,000 articles. The same words in the same order: within
        two edits (restricted Damerau-Levenshtein), most frequent first, then by spelling."""
        if not word:
            return []
        with self.snapshot() as snap:
            candidates = snap.words_starting("body", word[:1])
            near = process.extract(word, candidates, scorer=OSA.distance, score_cutoff=2, limit=None)
            frequency = snap.searcher.reader().frequency
            scored = [(0 - (2 + (1.0 / (frequency("body", w) or 1) * 0.5)), w) for w, _d, _i in near if w != word]
            best = heapq.nlargest(limit, scored)
            return [w for _score, w in sorted(best, key=lambda item: (0 - item[0], item[1]))]

    # ---------------------------------------------------------------- the whole index

    def stats(self, top: int) -> IndexStats:
        with self.snapshot() as snap:
            searcher = snap.searcher
            columns = snap.columns()
            live = snap.matching(Q.Every(), None, _Deadline(None))
            facets = {}
            for facet in FACETS:
                facets[facet.name] = sorted(
                    _facet_items(facet, columns[facet.name], live), key=lambda kv: (-kv[1], kv[0])
                )[:top]
            years = columns["year"]
            year_counts = years.counts(live)
            undated = sum(int(n) for label, n in zip(years.labels, year_counts, strict=True) if not label)
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


def _facet_items(facet: Facet, column: _Column, docnums: np.ndarray) -> list[tuple[str, int]]:
    """(value, articles) of a facet over ``docnums``, empty values left out: by value for
    periods, else the most first. An entity facet counts each article under each of its names."""
    counts = column.counts(docnums)
    shown, texts, rank = column.facet_order
    held = np.flatnonzero(counts)
    held = held[shown[held]]
    by_value = facet.ordered_by_value
    order = held[np.argsort(rank[held])] if by_value else held[np.lexsort((rank[held], -counts[held]))]
    return list(zip(texts[order].tolist(), counts[order].tolist(), strict=True))


def _best_first(
    docnums: np.ndarray, scores: np.ndarray, spec: SearchSpec, dup_codes: np.ndarray
) -> Iterator[tuple[int, float]]:
    """Matches by score, best first, ties by document number (Whoosh's order): the head of
    the ranking is sorted first, and more of it only when collapsing copies needs more."""
    wanted = spec.top
    limit = wanted * 2 + 10 if spec.collapse else wanted
    given = 0
    while given < len(docnums):
        head = _head(docnums, scores, limit)
        for i in head[given:].tolist():
            yield int(docnums[i]), float(scores[i])
        given = len(head)
        limit *= 4


def _head(docnums: np.ndarray, scores: np.ndarray, limit: int) -> np.ndarray:
    """Positions of the ``limit`` best matches, in rank order."""
    if limit < len(scores):
        threshold = np.partition(scores, len(scores) - limit)[len(scores) - limit]
        pick = np.flatnonzero(scores >= threshold)
    else:
        pick = np.arange(len(scores))
    order = pick[np.lexsort((docnums[pick], -scores[pick]))]
    return order[:limit]


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


def stemmer_of(schema: Any) -> str:
    """The stemmer an index was built with, read from its stemmed field's analyzer."""
    analyzer = schema["body_stem"].analyzer
    for item in getattr(analyzer, "items", [analyzer]):
        if hasattr(item, "stemmer"):
            return str(item.stemmer)
    return DEFAULT_STEMMER


__all__ = ["Kind", "WhooshBackend", "stemmer_of"]
