"""Whoosh queries evaluated as arrays over a whole commit: the matching documents, and their
BM25F scores computed exactly as Whoosh's matchers compute them.

Whoosh ranks by walking matchers document by document in Python, and the unscored pass
that counts totals, facets and copies walked every match again. Here a term's postings are
two array slices (``index.postings_arrays``, or Whoosh's postings decoded once where a
segment has no arrays), its scores one vectorised BM25F over them, and boolean structure
is sorted-array union, intersection and difference with score sums. Scores are Whoosh's:
the same idf and average field length from the searcher, the same length bytes, the same
floating-point operations per term (``tests/test_ranking_identity.py``); only the order in
which a document's term scores are added may differ, which moves a score by at most a unit
in its last place.

An exact phrase matches the documents holding every word and each of its indexed word pairs
where the words stand side by side: only those documents' positions are read. A phrase of two
common words, on an index whose word pairs are exact (``index.analysis.PairFilter``), is
its pair, and reads no positions. Its score is Whoosh's phrase score, its words' scores added.
A phrase with a slop is matched the same way, from the positions of the documents holding
every word. Positions are read from the groups' and segments' arrays
(``index.postings_arrays``), and every candidate is decided in a few array operations. Other
queries no array evaluates are matched by their own Whoosh matcher, segment by segment, and
their scores read from it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from berita_search.index.analysis import pair_filter_of, pair_term
from berita_search.index.postings_arrays import LENGTH_OF_BYTE, SegmentArrays, commit_units, length_bytes, term_hash
from berita_search.index.whoosh_internals import bm25f_field_b
from berita_search.search.backends.whoosh_phrases import PairPhrase, pair_field_of
from berita_search.search.backends.whoosh_query import WordSet
from whoosh import formats, scoring
from whoosh import query as Q

Docs = np.ndarray  # sorted, unique int64 document numbers within a segment
Scores = np.ndarray  # float64, aligned with Docs
_NO_DOCS = np.zeros(0, dtype=np.int64)
_NO_SCORES = np.zeros(0, dtype=np.float64)


@dataclass
class SegmentView:
    """One segment of a commit as the array evaluation reads it."""

    leaf: Any  # Whoosh's searcher of this segment (its parent is the commit's searcher)
    offset: int  # its first document's number in the commit
    doc_count: int  # documents, deleted ones included
    arrays: SegmentArrays | None
    deleted: np.ndarray | None  # sorted numbers of deleted documents, None when there are none
    segment_id: str | None = None

    @classmethod
    def open(cls, leaf: Any, offset: int, index_dir: Path) -> SegmentView:
        reader = leaf.reader()
        count = reader.doc_count_all()
        segment = reader.segment() if hasattr(reader, "segment") else None
        arrays = SegmentArrays.open(index_dir, segment.segment_id(), count) if segment is not None else None
        deleted = _deleted(reader, segment, count)
        return cls(leaf, offset, count, arrays, deleted, segment.segment_id() if segment is not None else None)

    def postings(self, fieldname: str, tbytes: bytes) -> tuple[Docs, np.ndarray]:
        """(documents, weights) of one term in this segment."""
        if self.arrays is not None and self.arrays.has_field(fieldname):
            return self.arrays.postings(fieldname, tbytes)
        reader = self.leaf.reader()
        if (fieldname, tbytes) not in reader:
            return _NO_DOCS, _NO_SCORES
        matcher = reader.postings(fieldname, tbytes)
        if isinstance(reader.schema[fieldname].format, formats.Existence):  # word pairs: every weight is 1
            found = np.fromiter(matcher.all_ids(), dtype=np.int64)
            return found, np.ones(len(found), dtype=np.float64)
        docs: list[int] = []
        weights: list[float] = []
        while matcher.is_active():
            docs.append(matcher.id())
            weights.append(matcher.weight())
            matcher.next()
        return np.asarray(docs, dtype=np.int64), np.asarray(weights, dtype=np.float64)

    def length_bytes(self, fieldname: str) -> np.ndarray:
        """Every document's length byte in a field, as Whoosh stores it."""
        if self.arrays is not None and (stored := self.arrays.lengths(fieldname)) is not None:
            return stored
        length = self.leaf.doc_field_length  # None for a document without the field: never scored
        return length_bytes(np.asarray([length(d, fieldname, 1) or 0 for d in range(self.doc_count)], dtype=np.int64))

    def holds_together(self, fieldname: str, terms: list[bytes]) -> bool:
        """Whether some document of this segment holds every term in the field (True when
        the arrays cannot tell): a phrase can only match such a document."""
        if self.arrays is None or not self.arrays.has_field(fieldname):
            return True
        common: np.ndarray | None = None
        for term in terms:
            docs = self.arrays.docs_of_terms(fieldname, np.array([term_hash(term)], dtype=np.uint64))
            common = docs if common is None else common[np.isin(common, docs, assume_unique=True)]
            if not len(common):
                return False
        return True

    def adjacent(
        self, fieldname: str, terms: list[bytes], docs: Docs, check: Callable[[], None], slop: int = 1
    ) -> list[int]:
        """Those of ``docs`` (each holding every term) where the terms stand in order, each at
        most ``slop`` positions after the one before (1: side by side, an exact phrase), as
        Whoosh's span matcher (``SpanNear2``, ordered) decides it, reading these documents'
        positions through Whoosh: for a segment whose arrays hold no positions."""
        reader = self.leaf.reader()
        matchers = [reader.postings(fieldname, term) for term in terms]
        found: list[int] = []
        for n, doc in enumerate(docs.tolist()):
            if n % 256 == 0:
                check()
            # The positions where a run of the terms so far can end. Whoosh's spans also keep
            # where each run starts, which never decides whether the next term extends it.
            ends: set[int] | None = None
            for matcher in matchers:
                if matcher.is_active() and matcher.id() < doc:
                    matcher.skip_to(doc)
                if not matcher.is_active() or matcher.id() != doc:
                    ends = None
                    break
                positions = matcher.value_as("positions")
                if ends is None:
                    ends = set(positions)
                elif slop == 1:
                    ends = {end + 1 for end in ends}.intersection(positions)
                else:
                    ends = {end + gap for end in ends for gap in range(1, slop + 1)}.intersection(positions)
                if not ends:
                    break
            if ends:
                found.append(doc)
        return found

    def matched(self, query: Q.Query, top: Any, scored: bool, check: Callable[[], None]) -> tuple[Docs, Scores]:
        """A query no array evaluates (a phrase), by its own Whoosh matcher over this segment."""
        check()  # array work is milliseconds; a matcher walk is where a search can run long
        context = top.context() if scored else self.leaf.boolean_context()
        matcher = query.matcher(self.leaf, context)
        docs: list[int] = []
        scores: list[float] = []
        while matcher.is_active():
            docs.append(matcher.id())
            if scored:
                scores.append(matcher.score())
            if len(docs) % 256 == 0:
                check()
            matcher.next()
        return np.asarray(docs, dtype=np.int64), np.asarray(scores, dtype=np.float64)


@dataclass
class CommitView:
    """Every segment of a commit as one: document numbers are the commit's.

    Evaluating a query segment by segment cost its whole tree of array operations once per
    segment, about 0.2 ms a segment even for a rare word, and an index has a segment per
    3,000 articles (67 at 200,000). Here a term's postings are gathered from every segment
    into one pair of arrays, and the tree is evaluated once for the commit. Where the arrays
    of consecutive segments are grouped (``index.postings_arrays.write_groups``), a term is
    one lookup per group. Field lengths are one array per field, gathered once per commit;
    queries no array evaluates still run Whoosh's matcher segment by segment.
    """

    segments: list[SegmentView]
    doc_count: int
    deleted: np.ndarray | None  # sorted numbers of deleted documents, None when there are none
    # (group arrays or None, first document, segments): the commit as groups and lone segments
    units: list[tuple[SegmentArrays | None, int, list[SegmentView]]] = field(default_factory=list)
    _lengths: dict[str, np.ndarray] = field(default_factory=dict)

    @classmethod
    def of(cls, segments: list[SegmentView], index_dir: Path | None = None) -> CommitView:
        deleted = [s.deleted + s.offset for s in segments if s.deleted is not None]
        count = sum(s.doc_count for s in segments)
        units: list[tuple[SegmentArrays | None, int, list[SegmentView]]] = []
        ids = [s.segment_id for s in segments]
        if index_dir is not None and segments and all(ids):
            for unit in commit_units(index_dir, [(str(s.segment_id), s.doc_count) for s in segments]):
                members = segments[unit.first : unit.first + unit.count]
                units.append((unit.arrays, members[0].offset, members))
        else:
            units = [(None, s.offset, [s]) for s in segments]
        return cls(segments, count, np.concatenate(deleted) if deleted else None, units)

    def postings(self, fieldname: str, tbytes: bytes) -> tuple[Docs, np.ndarray]:
        docs: list[np.ndarray] = []
        weights: list[np.ndarray] = []
        for group, offset, members in self.units:
            if group is not None and group.has_field(fieldname):
                group_docs, group_weights = group.postings(fieldname, tbytes)
                if len(group_docs):
                    docs.append(group_docs + offset)
                    weights.append(group_weights)
                continue
            for segment in members:
                segment_docs, segment_weights = segment.postings(fieldname, tbytes)
                if len(segment_docs):
                    docs.append(segment_docs + segment.offset)
                    weights.append(segment_weights)
        if not docs:
            return _NO_DOCS, _NO_SCORES
        if len(docs) == 1:
            return docs[0], weights[0]
        return np.concatenate(docs), np.concatenate(weights)

    def lengths(self, fieldname: str, docs: Docs) -> np.ndarray:
        stored = self._lengths.get(fieldname)
        if stored is None:
            stored = self._lengths[fieldname] = np.concatenate(
                [s.length_bytes(fieldname) for s in self.segments] or [np.zeros(0, dtype=np.uint8)]
            )
        return LENGTH_OF_BYTE[stored[docs]]

    def live(self, docs: Docs) -> Docs:
        if self.deleted is None or not len(docs):
            return docs
        return docs[~np.isin(docs, self.deleted, assume_unique=True)]

    def adjacent(
        self, fieldname: str, terms: list[bytes], docs: Docs, check: Callable[[], None], slop: int = 1
    ) -> Docs:
        """Those of ``docs`` (each holding every term) where the terms stand in order, each at
        most ``slop`` positions after the one before (``SegmentView.adjacent``). Positions come
        from the groups' and segments' arrays, and every document is decided at once; a
        segment without them is read through Whoosh."""
        # Groups holding the field's positions, and segments: (first document, arrays or None, segment)
        sources: list[tuple[int, SegmentArrays | None, SegmentView | None]] = []
        for group, offset, members in self.units:
            if group is not None and group.has_positions(fieldname):
                sources.append((offset, group, None))
                continue
            for segment in members:
                held = segment.arrays is not None and segment.arrays.has_positions(fieldname)
                sources.append((segment.offset, segment.arrays if held else None, segment))
        starts = np.asarray([offset for offset, _arrays, _segment in sources], dtype=np.int64)
        where = np.searchsorted(starts, docs, side="right") - 1
        found: list[int] = []
        # per term: (document << 32 | position) of each of its positions in ``docs``, sorted
        keys: list[list[np.ndarray]] = [[] for _term in terms]
        for index in np.unique(where).tolist():
            offset, arrays, segment = sources[index]
            local = docs[where == index] - offset
            if arrays is None:
                assert segment is not None
                found.extend(offset + doc for doc in segment.adjacent(fieldname, terms, local, check, slop))
                continue
            for term, term_keys in zip(terms, keys, strict=True):
                holder, positions = arrays.positions(fieldname, term, local)
                term_keys.append(((holder + offset) << 32) | positions)
        check()
        matched = _runs([np.concatenate(term_keys) for term_keys in keys], slop) if keys[0] else _NO_DOCS
        if not found:
            return matched
        return np.unique(np.concatenate((matched, np.asarray(found, dtype=np.int64))))

    def matched(self, query: Q.Query, top: Any, scored: bool, check: Callable[[], None]) -> tuple[Docs, Scores]:
        docs: list[np.ndarray] = []
        scores: list[np.ndarray] = []
        # A phrase matches only where its words meet in one document: segments where they do
        # not are skipped by their arrays, before Whoosh builds a matcher for each (most of a
        # phrase's time at 200,000 articles).
        needed = _phrase_terms(query, top.schema)
        for segment in self.segments:
            if needed is not None and not segment.holds_together(*needed):
                continue
            segment_docs, segment_scores = segment.matched(query, top, scored, check)
            docs.append(segment_docs + segment.offset)
            scores.append(segment_scores)
        if not docs:
            return _NO_DOCS, _NO_SCORES
        return np.concatenate(docs), np.concatenate(scores)


class Evaluation:
    """Evaluates queries over a commit; ``check`` raises when the search is out of time."""

    def __init__(self, view: CommitView, top: Any, check: Callable[[], None]) -> None:
        self.view = view
        self.top = top  # the commit's searcher: idf and average lengths are over the whole index
        self.check = check
        weighting = top.weighting
        self.bm25 = isinstance(weighting, scoring.BM25F) and type(weighting) is scoring.BM25F
        self.weighting = weighting

    # ------------------------------------------------------------ unscored

    def docs(self, query: Q.Query) -> Docs:
        """The commit's documents matching ``query`` (deleted ones included)."""
        if isinstance(query, Q.Term):
            tbytes = self._bytes(query)
            return self.view.postings(query.fieldname, tbytes)[0] if tbytes is not None else _NO_DOCS
        if isinstance(query, WordSet):
            return self._word_set_docs(query)
        if isinstance(query, Q.Or):
            parts = [self.docs(q) for q in query.subqueries]
            return _union(parts)
        if isinstance(query, Q.And):
            positives = [q for q in query.subqueries if not isinstance(q, Q.Not)]
            result = _intersection([self.docs(q) for q in positives]) if positives else self._all()
            for negative in (q for q in query.subqueries if isinstance(q, Q.Not)):
                result = _difference(result, self.docs(negative.query))
            return result
        if isinstance(query, Q.AndNot):
            return _difference(self.docs(query.a), self.docs(query.b))
        if isinstance(query, Q.AndMaybe):
            return self.docs(query.a)
        if isinstance(query, Q.Every):
            return self._all()
        if query is Q.NullQuery:
            return _NO_DOCS
        if (phrase := self._phrase(query)) is not None:
            return self._phrase_docs(phrase, [self.view.postings(phrase.fieldname, t)[0] for t in phrase.terms])
        return self._matched(query, scored=False)[0]

    # ------------------------------------------------------------ scored

    def scored(self, query: Q.Query) -> tuple[Docs, Scores]:
        """The commit's documents matching ``query`` and Whoosh's score for each."""
        if isinstance(query, Q.Term) and self.bm25:
            docs, scores = self._term(query)
        elif isinstance(query, WordSet):
            docs = self._word_set_docs(query)
            return docs, np.full(len(docs), float(query.boost or 1.0))
        elif isinstance(query, Q.Or) and type(query).matcher is Q.Or.matcher and not query.scale:
            if len(query.subqueries) == 1:  # Whoosh matches a lone clause without the compound's boost
                return self.scored(query.subqueries[0])
            docs, scores = _sum_union([self.scored(q) for q in query.subqueries])
        elif isinstance(query, Q.And) and not any(isinstance(q, Q.Not) for q in query.subqueries):
            if len(query.subqueries) == 1:
                return self.scored(query.subqueries[0])
            docs, scores = _sum_intersection([self.scored(q) for q in query.subqueries])
        elif isinstance(query, Q.AndNot):
            docs, scores = self.scored(query.a)
            keep = ~np.isin(docs, self.docs(query.b), assume_unique=True)
            return docs[keep], scores[keep]
        elif isinstance(query, Q.AndMaybe):
            docs, scores = self.scored(query.a)
            if not len(docs):
                return docs, scores
            bonus_docs, bonus = self.scored(query.b)
            at = np.searchsorted(docs, bonus_docs)
            inside = at < len(docs)
            inside[inside] = docs[at[inside]] == bonus_docs[inside]
            scores = scores.copy()
            scores[at[inside]] = scores[at[inside]] + bonus[inside]
            return docs, scores
        elif query is Q.NullQuery:
            return _NO_DOCS, _NO_SCORES
        elif self.bm25 and (phrase := self._phrase(query)) is not None:
            words = [self._term(Q.Term(phrase.fieldname, t)) for t in phrase.words]
            docs = self._phrase_docs(phrase, [d for d, _s in words])
            # Whoosh's phrase score: its words' term scores, added as its tree of intersections adds them.
            scores = _tree_sum([s[np.searchsorted(d, docs)] for d, s in words]) if len(docs) else _NO_SCORES
        else:
            return self._matched(query, scored=True)
        if query.boost != 1.0 and len(scores):
            scores = scores * query.boost
        return docs, scores

    def _term(self, query: Q.Term) -> tuple[Docs, Scores]:
        tbytes = self._bytes(query)
        if tbytes is None:
            return _NO_DOCS, _NO_SCORES
        fieldname = query.fieldname
        docs, weights = self.view.postings(fieldname, tbytes)
        if not len(docs):
            return docs, weights
        if not self.top.schema[fieldname].scorable:
            return docs, weights  # Whoosh's WeightScorer: the weight is the score
        weighting = self.weighting
        B = bm25f_field_b(weighting, fieldname)  # noqa: N806 - BM25's names
        K1 = weighting.K1  # noqa: N806
        idf = self.top.idf(fieldname, tbytes)
        avgfl = self.top.avg_field_length(fieldname) or 1
        fl = self.view.lengths(fieldname, docs)
        # whoosh.scoring.bm25, operation for operation
        return docs, idf * ((weights * (K1 + 1)) / (weights + K1 * ((1 - B) + B * fl / avgfl)))

    def _phrase(self, query: Q.Query) -> _Phrase | None:
        """A phrase of a positional field, as the arrays evaluate it; None for other queries
        and for words the field cannot hold (Whoosh's matcher answers those)."""
        schema = self.top.schema
        needed = _phrase_terms(query, schema)
        if needed is None or not isinstance(query, Q.Phrase) or query.slop < 1 or len(query.words) < 2:
            return None
        fieldname, terms = needed
        if not (schema[fieldname].format and schema[fieldname].format.supports("positions")):
            return None
        pairfield = pair_field_of(fieldname)
        pair_filter = pair_filter_of(schema[pairfield].analyzer) if pairfield in schema else None
        pairs: list[bytes] = []
        # Word pairs stand for words side by side: they narrow an exact phrase only.
        if isinstance(query, PairPhrase) and pair_filter is not None and query.slop == 1:
            for first, second in zip(query.words, query.words[1:], strict=False):
                if pair_filter.indexes(first, second):
                    pairs.append(schema[pairfield].to_bytes(pair_term(first, second)))
        # Two words whose pair the index holds exactly where they stand side by side: the pair
        # is the match, and no position need be read.
        exact = len(terms) == 2 and len(pairs) == 1 and pair_filter is not None and pair_filter.exact
        return _Phrase(fieldname, list(query.words), terms, pairfield, pairs, exact, query.slop)

    def _phrase_docs(self, phrase: _Phrase, word_docs: list[Docs]) -> Docs:
        """The documents holding the phrase, from its words' documents: its word pairs narrow
        them, then the positions of the rest are read, unless the pair is the match."""
        candidates = _intersection(word_docs + [self.view.postings(phrase.pairfield, p)[0] for p in phrase.pairs])
        if phrase.exact or not len(candidates):
            return candidates
        return self.view.adjacent(phrase.fieldname, phrase.terms, candidates, self.check, phrase.slop)

    def _bytes(self, query: Q.Term) -> bytes | None:
        schema = self.top.schema
        if query.fieldname not in schema:
            return None
        try:
            return schema[query.fieldname].to_bytes(query.text)
        except ValueError:
            return None

    def _word_set_docs(self, query: WordSet) -> Docs:
        schema = self.top.schema
        if query.fieldname not in schema:
            return _NO_DOCS
        to_bytes = schema[query.fieldname].to_bytes
        return _union([self.view.postings(query.fieldname, to_bytes(w))[0] for w in query.words])

    def _all(self) -> Docs:
        return np.arange(self.view.doc_count, dtype=np.int64)

    def _matched(self, query: Q.Query, scored: bool) -> tuple[Docs, Scores]:
        """Any other query, by its own Whoosh matcher over each segment."""
        return self.view.matched(query, self.top, scored, self.check)


def _phrase_terms(query: Q.Query, schema: Any) -> tuple[str, list[bytes]] | None:
    """(field, terms) every match of a phrase query holds; None for other queries."""
    if not isinstance(query, Q.Phrase) or query.fieldname not in schema:
        return None
    to_bytes = schema[query.fieldname].to_bytes
    try:
        return query.fieldname, [to_bytes(word) for word in query.words]
    except ValueError:
        return None


@dataclass
class _Phrase:
    fieldname: str
    words: list[str]
    terms: list[bytes]  # the words as the field stores them
    pairfield: str
    pairs: list[bytes]  # its word pairs the index holds: every match holds each of them
    exact: bool  # holding the one pair is matching the phrase
    slop: int = 1  # each word at most this many positions after the one before


def _runs(keys: list[np.ndarray], slop: int) -> Docs:
    """The documents where each term stands at most ``slop`` positions after the one before,
    from each term's sorted (document << 32 | position) keys. A run of the terms so far can end
    at a position of the next term when the nearest end before that position is within ``slop``
    of it: only where runs end decides whether the next term extends them (Whoosh's ordered
    ``SpanNear2`` also keeps where they start)."""
    ends = keys[0]
    for term_keys in keys[1:]:
        if not len(ends):
            break
        before = np.searchsorted(ends, term_keys, side="left") - 1
        near = before >= 0
        near[near] = term_keys[near] - ends[before[near]] <= slop  # another document's end is 2**32 away
        ends = term_keys[near]
    docs = ends >> 32
    return docs[np.concatenate(([True], docs[1:] != docs[:-1]))] if len(docs) else docs  # sorted already


def _tree_sum(parts: list[Scores]) -> Scores:
    """Parts added in the order of ``whoosh.util.make_binary_tree``: a float sum's rounding
    depends on its order, and Whoosh's phrase matcher is such a tree of intersections."""
    if len(parts) == 1:
        return parts[0]
    half = len(parts) // 2
    return _tree_sum(parts[:half]) + _tree_sum(parts[half:])


def _union(parts: list[Docs]) -> Docs:
    parts = [p for p in parts if len(p)]
    if not parts:
        return _NO_DOCS
    if len(parts) == 1:
        return parts[0]
    return np.unique(np.concatenate(parts))


def _intersection(parts: list[Docs]) -> Docs:
    if not parts:
        return _NO_DOCS
    parts = sorted(parts, key=len)
    result = parts[0]
    for part in parts[1:]:
        if not len(result):
            break
        result = result[np.isin(result, part, assume_unique=True)]
    return result


def _difference(docs: Docs, excluded: Docs) -> Docs:
    if not len(docs) or not len(excluded):
        return docs
    return docs[~np.isin(docs, excluded, assume_unique=True)]


def _sum_union(parts: list[tuple[Docs, Scores]]) -> tuple[Docs, Scores]:
    """Documents matching any part; each one's score the sum of the parts it matches."""
    parts = [p for p in parts if len(p[0])]
    if not parts:
        return _NO_DOCS, _NO_SCORES
    if len(parts) == 1:
        return parts[0]
    docs = np.concatenate([d for d, _s in parts])
    scores = np.concatenate([s for _d, s in parts])
    unique, inverse = np.unique(docs, return_inverse=True)
    return unique, np.bincount(inverse, weights=scores, minlength=len(unique))


def _sum_intersection(parts: list[tuple[Docs, Scores]]) -> tuple[Docs, Scores]:
    """Documents matching every part, each one's score the sum of the parts' scores."""
    if not parts:
        return _NO_DOCS, _NO_SCORES
    docs = _intersection([d for d, _s in parts])
    total = np.zeros(len(docs), dtype=np.float64)
    for part_docs, part_scores in parts:
        total += part_scores[np.searchsorted(part_docs, docs)] if len(docs) else 0.0
    return docs, total


def _deleted(reader: Any, segment: Any, count: int) -> np.ndarray | None:
    """Sorted numbers of a segment's deleted documents; None when it has none."""
    if not reader.has_deletions():
        return None
    if segment is not None and hasattr(segment, "deleted_docs"):
        return np.asarray(sorted(segment.deleted_docs()), dtype=np.int64)
    return np.asarray([d for d in range(count) if reader.is_deleted(d)], dtype=np.int64)
