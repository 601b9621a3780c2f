"""What the research workflow asks of the Whoosh index: every match of a search in order,
however many (full exports, cursor pages, feeds); a search's summary (batch search); article
ids by prefix.

The order is total and does not depend on how the index is split into segments: by the sort's
key (score, publication time or the time an article was added), then by article id. A hit's
``sort_key`` is that pair; a search given it as ``SearchSpec.after`` resumes right after that
hit, also on a later commit of the index (OpenSearch's ``search_after`` does the same with the
same pair). Undated articles come after the dated ones in both date orders.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np
from berita_search.index.fields import FACETS
from berita_search.index.schema import ADDED_FIELD
from berita_search.search.backends.base import RankedArticle, SearchSpec, Summary
from berita_search.search.backends.whoosh_query import Compiler
from whoosh import query as Q

if TYPE_CHECKING:
    from berita_search.search.backends.whoosh import _Snapshot

ITERATION_SORTS = ("relevance", "newest", "oldest", "added")
_LAST = (1, 0)  # the key of an article without the sort's value (undated, or added before stamps)


def _raw_column(snap: _Snapshot, name: str) -> list[int | None]:
    """A numeric column's raw values by document number; None where a segment lacks it."""
    values: list[int | None] = []
    for leaf, _offset in snap.searcher.leaf_searchers():
        reader = leaf.reader()
        if name in reader.schema and reader.has_column(name):
            values.extend(reader.column_reader(name, translate=False))
        else:
            values.extend([None] * reader.doc_count_all())
    return values


def _dated(snap: _Snapshot) -> list[bool]:
    """Whether each document has a dateline (a year), by document number."""
    year = snap.columns()["year"]
    return np.asarray([bool(label) for label in year.labels], dtype=bool)[year.codes].tolist()


def _order(snap: _Snapshot, spec: SearchSpec, matched: list[int], scores: list[float] | None) -> list:
    """(key, docnum) of every match, ascending key first: keys compare as tuples, so a score
    sorted best first is (0, -score) and a missing value (1, 0)."""
    if spec.sort == "relevance":
        assert scores is not None
        ranked = [((0, -score), docnum) for docnum, score in zip(matched, scores, strict=True)]
    elif spec.sort in ("newest", "oldest"):
        published = _raw_column(snap, "published")
        years = _dated(snap)  # false for an undated article, whatever its column holds
        sign = -1 if spec.sort == "newest" else 1
        ranked = [
            ((0, sign * published[d]) if years[d] and published[d] is not None else _LAST, d)  # type: ignore[operator]
            for d in matched
        ]
    elif spec.sort == "added":
        added = _raw_column(snap, ADDED_FIELD)
        ranked = [((0, -added[d]) if added[d] else _LAST, d) for d in matched]  # type: ignore[operator]
    else:
        raise ValueError(f"unknown sort {spec.sort!r}")
    ranked.sort()
    return ranked


def _public_key(sort: str, key: tuple[int, Any]) -> Any:
    """The key as a hit carries it (and a cursor spells it): None for a missing value."""
    if key == _LAST:
        return None
    value = key[1]
    if sort in ("relevance", "newest", "added"):
        value = -value
    return float(value) if sort == "relevance" else int(value)


def _internal_key(sort: str, value: Any) -> tuple[int, Any]:
    if value is None:
        return _LAST
    if sort == "relevance":
        return (0, -float(value))
    return (0, -int(value)) if sort in ("newest", "added") else (0, int(value))


def iterate(snap: _Snapshot, spec: SearchSpec, filter_query: Any) -> Iterator[RankedArticle]:
    """Every match of ``spec`` after ``spec.after`` (from the first when None), in order; with
    ``spec.collapse`` one per story (its best-placed copy), with the story's copies counted."""
    if spec.sort not in ITERATION_SORTS:
        raise ValueError(f"unknown sort {spec.sort!r}")
    from berita_search.search.backends.whoosh import COPY_COLUMN, _Deadline

    searcher = snap.searcher
    compiler = Compiler(searcher)
    query = compiler.ranking(spec.plan, spec.proximity, spec.phrases)
    if query is Q.NullQuery:
        return
    filter_q = filter_query(compiler, spec.filters)
    scores: list[float] | None = None
    if spec.sort == "relevance":
        # Every match scored as arrays, Whoosh's BM25F scores (tests/test_ranking_identity.py).
        found, found_scores = snap.ranked(query, filter_q, _Deadline(None))
        scores = found_scores.tolist()
    else:
        found = snap.matching(compiler.plan(spec.plan), filter_q, _Deadline(None))
    if not len(found):
        return
    matched: list[int] = found.tolist()
    column = snap.columns()[COPY_COLUMN]
    dup_keys: list[int] = column.codes.tolist()
    counts = column.counts(found).tolist() if spec.collapse else []
    ranked = _order(snap, spec, matched, scores)
    keys = [key for key, _ in ranked]
    seen: set[Any] = set()
    start = 0
    skip_through: str | None = None  # in the first group: ids up to this one were read before
    if spec.after is not None:
        value, last_id = spec.after
        key = _internal_key(spec.sort, value)
        start = bisect_left(keys, key)
        if start < len(keys) and keys[start] == key:
            skip_through = str(last_id)
        if spec.collapse:
            seen.update(dup_keys[d] for _, d in ranked[:start])
    reader = searcher.reader()
    position = start
    while position < len(ranked):
        key = keys[position]
        end = bisect_right(keys, key, position)
        group = [d for _, d in ranked[position:end]]
        if len(group) > 1 or skip_through is not None:
            # Equal keys in id order: read the ids first (the stored text is read again when yielded).
            ids = {d: reader.stored_fields(d)["id"] for d in group}
            group.sort(key=ids.__getitem__)
            if skip_through is not None:
                passed = [d for d in group if ids[d] <= skip_through]
                if spec.collapse:
                    seen.update(dup_keys[d] for d in passed)
                group = [d for d in group if ids[d] > skip_through]
                skip_through = None
        public = _public_key(spec.sort, key)
        score = float(public) if spec.sort == "relevance" and public is not None else 0.0
        for docnum in group:
            story = dup_keys[docnum]
            if spec.collapse:
                if story in seen:
                    continue
                seen.add(story)
            stored = dict(reader.stored_fields(docnum))
            yield RankedArticle(stored, score, counts[story] if spec.collapse else 1, (public, stored["id"]))
        position = end


def ids_with_prefix(snap: _Snapshot, prefix: str, limit: int) -> list[str]:
    """Live article ids starting with ``prefix``, at most ``limit`` of them, in order."""
    reader = snap.searcher.reader()
    found: list[str] = []
    for term in reader.expand_prefix("id", prefix):
        word = term.decode("utf-8") if isinstance(term, bytes) else str(term)
        if snap.searcher.document_number(id=word) is None:  # a deleted version's term
            continue
        found.append(word)
        if len(found) >= limit:
            break
    return found


def summarize(snap: _Snapshot, spec: SearchSpec, filter_query: Any) -> Summary:
    """Counts, first and last publication and facets of every match, without ranking."""
    from berita_search.search.backends.whoosh import COPY_COLUMN, _Deadline, _facet_items

    searcher = snap.searcher
    compiler = Compiler(searcher)
    query = compiler.plan(spec.plan)
    if query is Q.NullQuery:
        return Summary(0, 0, None, None, {})
    found = snap.matching(query, filter_query(compiler, spec.filters), _Deadline(spec.budget))
    matched: list[int] = found.tolist()
    columns = snap.columns()
    stories = int(np.count_nonzero(columns[COPY_COLUMN].counts(found)))
    years = _dated(snap)
    first: tuple[int, int] | None = None  # (published, docnum)
    last: tuple[int, int] | None = None
    leaves = [(offset, leaf.reader()) for leaf, offset in searcher.leaf_searchers()]
    starts = [offset for offset, _ in leaves]
    for index, (offset, reader) in enumerate(leaves):
        if not reader.has_column("published"):
            continue
        end = starts[index + 1] if index + 1 < len(starts) else None
        lo = bisect_left(matched, offset)
        hi = bisect_left(matched, end) if end is not None else len(matched)
        published = reader.column_reader("published", translate=False)
        for docnum in matched[lo:hi]:
            if not years[docnum]:
                continue
            value = (published[docnum - offset], docnum)
            if first is None or value < first:
                first = value
            if last is None or value[0] > last[0] or (value[0] == last[0] and value[1] < last[1]):
                last = value
    stored = searcher.reader().stored_fields
    facets: dict[str, list[tuple[str, int]]] = {}
    if spec.facets:
        for facet in FACETS:
            facets[facet.name] = _facet_items(facet, columns[facet.name], found)
    return Summary(
        len(matched),
        stories,
        stored(first[1]).get("published_iso") if first else None,
        stored(last[1]).get("published_iso") if last else None,
        facets,
    )
