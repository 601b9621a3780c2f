"""Query plans compiled into Whoosh queries over the schema of ``index.schema``."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterator
from typing import Any

from berita_search.index.fields import BY_NAME, Kind
from berita_search.index.schema import ADDED_FIELD, key_field, stem_field
from berita_search.search import plan as P
from berita_search.search.backends.whoosh_phrases import PairPhrase
from berita_search.search.messages import Message
from berita_search.search.querylang import ParsedQuery, date_periods
from whoosh import query as Q
from whoosh.matching import AndNotMatcher, ListMatcher, NullMatcher, ReadTooFar

MAX_PROXIMITY_WORDS = 8


class RankedOr(Q.Or):
    """Whoosh's Or, always matched as a tree of unions that can skip low-scoring blocks.

    On a segment of 5,000 articles or fewer Whoosh's automatic choice scores every match up
    front (``ArrayUnionMatcher``); an index written as several such segments then answered
    common-word searches 2 to 5 times slower than the same index as one segment.
    """

    matcher_type = Q.Or.DEFAULT_MATCHER


class _ExcludingMatcher(AndNotMatcher):
    """Whoosh's AndNotMatcher, with the first document checked against the exclusion too.

    whoosh3's ``_find_first`` only excludes the first candidate when the excluded matcher
    happens to start on the same document; when it starts earlier, the segment's first
    candidate was kept even if it held the excluded word (one leak per segment: ``gempa NOT
    palu`` listed articles about Palu). ``replace()`` keeps this class.
    """

    def _find_first(self) -> None:
        a, b = self.a, self.b
        if a.is_active() and b.is_active():
            if b.id() < a.id():
                b.skip_to(a.id())
            if b.is_active() and a.id() == b.id():
                self._find_next()


class Excluding(Q.AndNot):
    """``a`` without the documents matching ``b``, matched by ``_ExcludingMatcher``."""

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        scored = self.a.matcher(searcher, context)
        excluded = self.b.matcher(searcher, searcher.boolean_context())
        return _ExcludingMatcher(scored, excluded)


def _either(subqueries: list[Q.Query], boost: float = 1.0) -> Q.Query:
    if len(subqueries) == 1:
        q = subqueries[0]
        if boost != 1.0:
            q = q.with_boost(getattr(q, "boost", 1.0) * boost)
        return q
    return RankedOr(subqueries, boost=boost)


def _all(subqueries: list[Q.Query], boost: float = 1.0) -> Q.Query:
    if len(subqueries) == 1 and boost == 1.0:
        return subqueries[0]
    return Q.And(subqueries, boost=boost)


class _ConstantListMatcher(ListMatcher):
    """A sorted list of documents, each scored the same; skips by bisection."""

    _ids: list[int]
    _i: int

    def skip_to(self, id: int) -> None:  # noqa: A002 - Whoosh's name
        if not self.is_active():
            raise ReadTooFar
        if id > self.id():
            self._i = bisect_left(self._ids, id, self._i)

    def score(self) -> float:
        return float(self._all_weights or 1.0)


class WordSet(Q.Query):
    """Articles holding any of ``words`` in one field, all scored ``boost``.

    A prefix or fuzzy word's expansion, matched as one list of documents made by set
    union of the words' postings (Lucene's constant-score rewrite): a union matcher over
    hundreds of words, walked document by document in Python, took minutes (``ke* me*``).
    """

    def __init__(self, fieldname: str, words: tuple[str, ...], boost: float = 1.0) -> None:
        self.fieldname = fieldname
        self.words = words
        self.boost = boost

    def __eq__(self, other: object) -> bool:
        return (
            type(other) is type(self)
            and other.fieldname == self.fieldname
            and other.words == self.words
            and other.boost == self.boost
        )

    def __hash__(self) -> int:
        return hash((self.fieldname, self.words, self.boost))

    def __repr__(self) -> str:
        return f"WordSet({self.fieldname!r}, {len(self.words)} words, boost={self.boost})"

    def field(self) -> str:
        return self.fieldname

    def is_leaf(self) -> bool:
        return True

    def with_boost(self, boost: float) -> WordSet:
        return WordSet(self.fieldname, self.words, boost)

    def normalize(self) -> Q.Query:
        return self if self.words else Q.NullQuery

    def terms(self, phrases: bool = False) -> Iterator[tuple[str, str]]:
        for word in self.words:
            yield self.fieldname, word

    def estimate_size(self, ixreader: Any) -> int:
        return sum(ixreader.doc_frequency(self.fieldname, w) for w in self.words)

    def docs_in(self, reader: Any) -> set[int]:
        """Documents of one segment holding any of the words."""
        docs: set[int] = set()
        for word in self.words:
            if (self.fieldname, word) in reader:
                docs.update(reader.postings(self.fieldname, word).all_ids())
        return docs

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        ids = sorted(self.docs_in(searcher.reader()))
        return _ConstantListMatcher(ids, all_weights=self.boost) if ids else NullMatcher()


def _no_match() -> Q.Query:
    """Matches no article and, unlike ``NullQuery``, is never dropped from a conjunction: no
    article's id is empty."""
    return Q.Term("id", "")


class Compiler:
    """Plans into Whoosh queries for one searcher, whose lexicon expands prefixes and fuzzy
    words; what it had to cut short is said in ``notes``."""

    def __init__(self, searcher: Any, check: Callable[[], None] = lambda: None) -> None:
        self.reader = searcher.reader()
        self.notes: list[Message] = []
        self.check = check  # raises when the search has run out of time

    def note(self, code: str, **values: Any) -> None:
        message = Message.of(code, **values)
        if message not in self.notes:
            self.notes.append(message)

    def widespread(self, fieldname: str, words: Any, limit: int) -> tuple[tuple[str, ...], int]:
        """The ``limit`` words found in most documents, and how many words there were."""
        frequency = self.reader.doc_frequency
        found = sorted(((frequency(fieldname, w), w) for w in words), key=lambda fw: (-fw[0], fw[1]))
        return tuple(w for _f, w in found[:limit]), len(found)

    def node(self, node: P.Node) -> Q.Query:
        """One plan node as a Whoosh query (not normalised)."""
        if isinstance(node, P.Term):
            exact: list[Q.Query] = [Q.Term(f, node.word, boost=BY_NAME[f].weight) for f in node.fields]
            roots: list[Q.Query] = [
                Q.Term(stem_field(f), node.stem, boost=weight)
                for f in node.fields
                if node.stem is not None and (weight := BY_NAME[f].stem_weight) is not None
            ]
            return _either(exact + roots, node.boost)
        if isinstance(node, P.Phrase):
            phrases: list[Q.Query] = [
                PairPhrase(f, list(node.words), slop=node.slop, boost=BY_NAME[f].weight) for f in node.fields
            ]
            return _either(phrases, node.boost)
        if isinstance(node, P.Prefix):
            self.check()
            sets = []
            for f in node.fields:
                words, found = self.widespread(f, self.reader.expand_prefix(f, node.prefix), node.limit)
                if found > node.limit:
                    self.note("expansion_cut", pattern=f"{node.prefix}*", found=found, kept=node.limit)
                sets.append(WordSet(f, words, boost=BY_NAME[f].weight))
            return _either([s.normalize() for s in sets], node.boost)
        if isinstance(node, P.Fuzzy):
            # One walk of the body's lexicon (a superset of the other fields' words, and each
            # walk is the costly part), then the variants each field holds.
            self.check()
            nearby = list(self.reader.terms_within("body", node.word, node.distance, prefix=node.prefix_length))
            self.check()
            sets = []
            for f in node.fields:
                present = [w for w in nearby if (f, w) in self.reader]
                words, found = self.widespread(f, present, node.limit)
                if found > node.limit:
                    self.note("expansion_cut", pattern=f"{node.word}~{node.distance}", found=found, kept=node.limit)
                sets.append(WordSet(f, words, boost=BY_NAME[f].weight))
            return _either([s.normalize() for s in sets], node.boost)
        if isinstance(node, P.Name):
            return Q.And([Q.Term(node.field, part) for part in node.parts])
        if isinstance(node, P.Exact):
            kind = BY_NAME[node.field].kind
            return Q.Term(key_field(node.field) if kind is Kind.KEY else node.field, node.value)
        if isinstance(node, P.DateSpan):
            terms: list[Q.Query] = [Q.Term(period, value) for period, value in date_periods(node.first, node.last)]
            if not terms:
                return _no_match()
            return terms[0] if len(terms) == 1 else Q.Or(terms)
        if isinstance(node, P.AddedSpan):
            if ADDED_FIELD not in self.reader.schema:  # an index written before stamps: none is new
                return _no_match()
            return Q.NumericRange(ADDED_FIELD, node.after, node.upto, startexcl=node.after is not None)
        if isinstance(node, P.Or):
            return RankedOr([self.node(c) for c in node.children], boost=node.boost)
        if isinstance(node, P.And):
            positives = [self.node(c) for c in node.children if not isinstance(c, P.Not)]
            negatives = [self.node(c.child) for c in node.children if isinstance(c, P.Not)]
            if negatives:
                return Excluding(_all(positives, node.boost), _either(negatives))
            return _all(positives, node.boost)
        if isinstance(node, P.Not):
            return Q.Not(self.node(node.child))
        if isinstance(node, P.Everything):
            return Q.Every()
        if isinstance(node, P.Nothing):
            return _no_match()
        raise TypeError(f"not a plan node: {node!r}")

    def plan(self, node: P.Node | None) -> Q.Query:
        return self.node(node).normalize() if node is not None else Q.NullQuery

    def ranking(self, node: P.Node | None, proximity: tuple[str, ...], phrases: bool) -> Q.Query:
        """The query, plus a bonus for its plain words appearing together (a phrase or near)."""
        query = self.plan(node)
        words = list(proximity)
        if query is Q.NullQuery or len(words) < 2 or len(words) > MAX_PROXIMITY_WORDS or phrases:
            return query
        bonus = RankedOr(
            [
                PairPhrase("title", words, slop=1, boost=4.0),
                PairPhrase("body", words, slop=1, boost=2.0),
                Q.Phrase("body", words, slop=4, boost=1.0),
            ]
        )
        return Q.AndMaybe(query, bonus)


def ranking_query(parsed: ParsedQuery, searcher: Any) -> Q.Query:
    """The ranked query of a parsed search, as the engine runs it (for benchmarks and harnesses)."""
    return Compiler(searcher).ranking(parsed.plan, tuple(parsed.proximity), bool(parsed.phrases))
