"""Query plans compiled into Whoosh queries over the schema of ``index.schema``."""

from __future__ import annotations

from typing import Any

from berita_search.index.fields import BY_NAME, Kind
from berita_search.index.schema import key_field, stem_field
from berita_search.search import plan as P
from berita_search.search.backends.whoosh_phrases import PairPhrase
from berita_search.search.querylang import ParsedQuery, date_periods
from whoosh import query as Q
from whoosh.matching import AndNotMatcher

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
            q = q.with_boost(q.boost * boost)
        return q
    return RankedOr(subqueries, boost=boost)


def _all(subqueries: list[Q.Query], boost: float = 1.0) -> Q.Query:
    if len(subqueries) == 1 and boost == 1.0:
        return subqueries[0]
    return Q.And(subqueries, boost=boost)


def compile_node(node: P.Node) -> Q.Query:
    """One plan node as a Whoosh query (not normalised)."""
    if isinstance(node, P.Term):
        exact = [Q.Term(f, node.word, boost=BY_NAME[f].weight) for f in node.fields]
        roots = [
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
        return _either([Q.Prefix(f, node.prefix, boost=BY_NAME[f].weight) for f in node.fields], node.boost)
    if isinstance(node, P.Fuzzy):
        return _either(
            [
                Q.FuzzyTerm(
                    f, node.word, boost=BY_NAME[f].weight, maxdist=node.distance, prefixlength=node.prefix_length
                )
                for f in node.fields
            ],
            node.boost,
        )
    if isinstance(node, P.Name):
        return Q.And([Q.Term(node.field, part) for part in node.parts])
    if isinstance(node, P.Exact):
        kind = BY_NAME[node.field].kind
        return Q.Term(key_field(node.field) if kind is Kind.KEY else node.field, node.value)
    if isinstance(node, P.DateSpan):
        terms: list[Q.Query] = [Q.Term(period, value) for period, value in date_periods(node.first, node.last)]
        if not terms:
            return Q.NullQuery
        return terms[0] if len(terms) == 1 else Q.Or(terms)
    if isinstance(node, P.Or):
        return RankedOr([compile_node(c) for c in node.children], boost=node.boost)
    if isinstance(node, P.And):
        positives = [compile_node(c) for c in node.children if not isinstance(c, P.Not)]
        negatives = [compile_node(c.child) for c in node.children if isinstance(c, P.Not)]
        if negatives:
            return Excluding(_all(positives, node.boost), _either(negatives))
        return _all(positives, node.boost)
    if isinstance(node, P.Not):
        return Q.Not(compile_node(node.child))
    if isinstance(node, P.Everything):
        return Q.Every()
    if isinstance(node, P.Nothing):
        return Q.NullQuery
    raise TypeError(f"not a plan node: {node!r}")


def compile_plan(node: P.Node | None) -> Q.Query:
    return compile_node(node).normalize() if node is not None else Q.NullQuery


def ranking_query(parsed: ParsedQuery) -> Q.Query:
    """The user's query, plus a bonus for its words appearing together (a phrase or near)."""
    return ranking_query_of(parsed.plan, tuple(parsed.proximity), bool(parsed.phrases))


def ranking_query_of(node: P.Node | None, proximity: tuple[str, ...], phrases: bool) -> Q.Query:
    query = compile_plan(node)
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
