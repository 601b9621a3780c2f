"""Query plans compiled into the OpenSearch query DSL, matching and scoring as the Whoosh compiler
(``search.backends.whoosh_query``) does over the same fields (``search.backends.opensearch_mapping``).

Scores add up the way Whoosh's do: an ``Or`` is a ``bool`` of ``should`` clauses, an ``And`` of
``must`` clauses, each word a BM25 ``term`` query boosted by its field's weight. A phrase
matches exactly as Whoosh's (every word within ``slop`` positions after the one before, in
order) and scores as the sum of its words, as Whoosh's span queries do; the nearness bonus is
the same optional phrases. Keys, names in filters and date periods are the same terms.
"""

from __future__ import annotations

import json
from typing import Any

from berita_search.index.fields import BY_NAME, Kind
from berita_search.index.schema import ADDED_FIELD, key_field, stem_field
from berita_search.search import plan as P
from berita_search.search.backends.whoosh_query import MAX_PROXIMITY_WORDS
from berita_search.search.querylang import date_periods

Query = dict[str, Any]
MATCH_NONE: Query = {"match_none": {}}
MATCH_ALL: Query = {"match_all": {}}


def _boosted(query: Query, boost: float) -> Query:
    """``query`` with its score multiplied by ``boost``."""
    if boost == 1.0:
        return query
    ((kind, body),) = query.items()
    if kind == "term":
        ((field, spec),) = body.items()
        return {"term": {field: {**spec, "boost": spec.get("boost", 1.0) * boost}}}
    if kind == "bool":
        return {"bool": {**body, "boost": body.get("boost", 1.0) * boost}}
    return {"bool": {"must": [query], "boost": boost}}


def term(field: str, value: str, boost: float = 1.0) -> Query:
    return {"term": {field: {"value": value, "boost": boost}}} if boost != 1.0 else {"term": {field: value}}


def _merged(queries: list[Query], clause: str) -> list[Query]:
    """Clauses of one ``bool`` kind with nested ones of the same kind lifted and repeats dropped,
    as Whoosh's ``normalize()`` does to ``And`` and ``Or`` (``jokowi jokowi`` scores once)."""
    flat: list[Query] = []
    for query in queries:
        body = query.get("bool")
        if (
            body is not None
            and set(body) <= {clause, "minimum_should_match"}
            and body.get("minimum_should_match", 1) == 1
        ):
            flat.extend(body[clause])
        else:
            flat.append(query)
    unique: list[Query] = []
    seen: set[str] = set()
    for query in flat:
        key = json.dumps(query, sort_keys=True)
        if key not in seen:
            seen.add(key)
            unique.append(query)
    return unique


def _either(queries: list[Query], boost: float = 1.0) -> Query:
    """Any of ``queries``, scores added (Whoosh's ``Or``)."""
    queries = [q for q in _merged(queries, "should") if q != MATCH_NONE]
    if not queries:
        return MATCH_NONE
    if len(queries) == 1:
        return _boosted(queries[0], boost)
    body: dict[str, Any] = {"should": queries, "minimum_should_match": 1}
    if boost != 1.0:
        body["boost"] = boost
    return {"bool": body}


def _all(queries: list[Query], boost: float = 1.0) -> Query:
    queries = _merged(queries, "must")
    if MATCH_NONE in queries:
        return MATCH_NONE
    if len(queries) == 1:
        return _boosted(queries[0], boost)
    body: dict[str, Any] = {"must": queries}
    if boost != 1.0:
        body["boost"] = boost
    return {"bool": body}


def phrase_match(field: str, words: tuple[str, ...] | list[str], slop: int) -> Query:
    """Documents holding ``words`` in order in ``field``, each at most ``slop`` positions after
    the one before (1: adjacent), unscored. Whoosh's ``slop`` is per pair of neighbours; a
    Lucene span with a slop counts all gaps together, so neighbours are nested from the right:
    the innermost span starts at each possible position of its first word with the nearest
    next word, and each outer word takes the nearest inner span after it, which finds a match
    whenever one exists."""
    if slop < 1:
        return MATCH_NONE  # no two words can be less than one position apart
    if slop == 1:
        return {"match_phrase": {field: {"query": " ".join(words), "slop": 0}}}
    span: Query = {"span_term": {field: words[-1]}}
    for word in reversed(words[:-1]):
        span = {"span_near": {"clauses": [{"span_term": {field: word}}, span], "slop": slop - 1, "in_order": True}}
    return span


def phrase(field: str, words: tuple[str, ...] | list[str], slop: int, boost: float) -> Query:
    """A phrase in one field, scored as the sum of its words' scores (as Whoosh scores phrases)."""
    matched = phrase_match(field, words, slop)
    if matched == MATCH_NONE:
        return MATCH_NONE
    return _boosted({"bool": {"filter": [matched], "must": [term(field, word) for word in words]}}, boost)


# Lucene refuses a query of more than ``indices.query.bool.max_clause_count`` (1,024 by default)
# leaf clauses in all; expanded words that earn a score share what the rest leaves of this.
MAX_QUERY_CLAUSES = 1_000
SCORED_EXPANSIONS = "_scored_expansions"  # a compile-time mark: replaced by ``fit_expansions``


def expanded(kind: str, field: str, spec: dict[str, Any], limit: int, boost: float) -> Query:
    """A prefix or fuzzy word in one field. It matches every indexed word it stands for, as
    Whoosh's does (a constant-score filter: no clause limit), and scores as the sum of its
    words' scores, as Whoosh's ``Or`` of terms does, over at most ``limit`` of them (the
    closest, then the first in term order), fewer when the query's clause budget is short."""
    matching = {kind: {field: {**spec, "rewrite": "constant_score"}}}
    scoring = {
        kind: {field: {**spec, "rewrite": f"top_terms_{max(1, limit)}", "boost": boost, SCORED_EXPANSIONS: limit}}
    }
    if kind == "fuzzy":
        scoring[kind][field]["max_expansions"] = max(1, limit)
    return {"bool": {"filter": [matching], "should": [scoring]}}


def fit_expansions(query: Query) -> Query:
    """``query`` with each scored expansion's word count cut to fit ``MAX_QUERY_CLAUSES``."""
    leaves = 0
    expansions: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        nonlocal leaves
        if isinstance(node, list):
            for item in node:
                walk(item)
            return
        if not isinstance(node, dict):
            return
        for kind, body in node.items():
            if kind in ("prefix", "fuzzy"):
                (spec,) = body.values()
                if SCORED_EXPANSIONS in spec:
                    expansions.append(spec)
                else:
                    leaves += 1
            elif kind in ("term", "match_phrase", "span_term", "match_all", "match_none", "ids", "more_like_this"):
                leaves += 1
            else:
                walk(body)

    walk(query)
    if expansions:
        share = max(1, (MAX_QUERY_CLAUSES - leaves) // len(expansions))
        for spec in expansions:
            words = min(int(spec.pop(SCORED_EXPANSIONS)), share)
            spec["rewrite"] = f"top_terms_{words}"
            if "max_expansions" in spec:
                spec["max_expansions"] = words
    return query


def compile_node(node: P.Node) -> Query:
    """One plan node as an OpenSearch query."""
    if isinstance(node, P.Term):
        exact = [term(f, node.word, BY_NAME[f].weight) for f in node.fields]
        roots = [
            term(stem_field(f), node.stem, weight)
            for f in node.fields
            if node.stem is not None and (weight := BY_NAME[f].stem_weight) is not None
        ]
        return _either(exact + roots, node.boost)
    if isinstance(node, P.Phrase):
        return _either([phrase(f, node.words, node.slop, BY_NAME[f].weight) for f in node.fields], node.boost)
    if isinstance(node, P.Prefix):
        return _either(
            [expanded("prefix", f, {"value": node.prefix}, node.limit, BY_NAME[f].weight) for f in node.fields],
            node.boost,
        )
    if isinstance(node, P.Fuzzy):
        spec = {
            "value": node.word,
            "fuzziness": node.distance,
            "prefix_length": node.prefix_length,
            "transpositions": False,  # Whoosh counts a swap of two letters as two edits
        }
        return _either([expanded("fuzzy", f, spec, node.limit, BY_NAME[f].weight) for f in node.fields], node.boost)
    if isinstance(node, P.Name):
        return _all([term(node.field, part) for part in node.parts])
    if isinstance(node, P.Exact):
        kind = BY_NAME[node.field].kind
        # Whoosh scores a key (an unscored field) 1 per match.
        return {
            "constant_score": {"filter": term(key_field(node.field) if kind is Kind.KEY else node.field, node.value)}
        }
    if isinstance(node, P.AddedSpan):
        # Articles written before stamps carry none: a range never matches them, as in Whoosh.
        bounds: dict[str, int] = {}
        if node.after is not None:
            bounds["gt"] = node.after
        if node.upto is not None:
            bounds["lte"] = node.upto
        return {
            "constant_score": {
                "filter": {"range": {ADDED_FIELD: bounds}} if bounds else {"exists": {"field": ADDED_FIELD}}
            }
        }
    if isinstance(node, P.DateSpan):
        periods = [term(period, value) for period, value in date_periods(node.first, node.last)]
        if not periods:
            return MATCH_NONE
        return {"constant_score": {"filter": periods[0] if len(periods) == 1 else {"bool": {"should": periods}}}}
    if isinstance(node, P.Or):
        return _either([compile_node(c) for c in node.children], node.boost)
    if isinstance(node, P.And):
        positives = [compile_node(c) for c in node.children if not isinstance(c, P.Not)]
        negatives = [compile_node(c.child) for c in node.children if isinstance(c, P.Not)]
        if not negatives:
            return _all(positives, node.boost)
        required = _all(positives)
        if required == MATCH_NONE:
            return MATCH_NONE
        body: dict[str, Any] = {"must": [required], "must_not": negatives}
        if node.boost != 1.0:
            body["boost"] = node.boost
        return {"bool": body}
    if isinstance(node, P.Not):
        return {"bool": {"must": [MATCH_ALL], "must_not": [compile_node(node.child)]}}
    if isinstance(node, P.Everything):
        return MATCH_ALL
    if isinstance(node, P.Nothing):
        return MATCH_NONE
    raise TypeError(f"not a plan node: {node!r}")


def compile_plan(node: P.Node | None) -> Query:
    return compile_node(node) if node is not None else MATCH_NONE


def is_nothing(query: Query) -> bool:
    return query == MATCH_NONE


def ranking_query(node: P.Node | None, proximity: tuple[str, ...], phrases: bool) -> Query:
    """The plan, plus a bonus for its words appearing together (as ``whoosh_query.ranking_query_of``)."""
    query = compile_plan(node)
    words = list(proximity)
    if is_nothing(query) or len(words) < 2 or len(words) > MAX_PROXIMITY_WORDS or phrases:
        return query
    bonus = _either(
        [
            phrase("title", words, 1, 4.0),
            phrase("body", words, 1, 2.0),
            phrase("body", words, 4, 1.0),
        ]
    )
    return {"bool": {"must": [query], "should": [bonus]}}


def filter_query(filters: tuple[P.Node, ...]) -> list[Query]:
    """Filters as unscored clauses."""
    return [compile_node(f) for f in filters]
