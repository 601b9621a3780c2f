"""The ordinal columns facets and tallies are counted from: one value a document, or several
(an entity facet's names), each counted as a plain Counter over the documents would count it."""

from __future__ import annotations

from collections import Counter
from itertools import product
from pathlib import Path

import numpy as np
import pytest
from berita_search.index.annotations import names_of
from berita_search.index.fields import ENTITY_FIELDS
from berita_search.search import plan as P
from berita_search.search.backends.base import DAY, SearchSpec
from berita_search.search.backends.whoosh import WhooshBackend, _Column
from hypothesis import given
from hypothesis import strategies as st

NAMES = st.sampled_from(["Joko Widodo", "Ma'ruf Amin", "Anies Baswedan", "Riau", "KPK"])
MANY = st.lists(st.lists(NAMES, unique=True, max_size=4).map(tuple), max_size=40)


@given(MANY, st.data())
def test_several_values_count_each_document_under_each_name(held: list[tuple[str, ...]], data: st.DataObject) -> None:
    column = _Column.of_many(held)
    docnums = sorted(data.draw(st.sets(st.integers(0, max(len(held) - 1, 0)), max_size=len(held))) if held else [])
    counts = column.counts(np.asarray(docnums, dtype=np.int64))
    found = {column.labels[i]: int(n) for i, n in enumerate(counts.tolist()) if n}
    expected = Counter(name for d in docnums for name in held[d] or (None,))
    assert found == dict(expected)
    assert [column.label(d) for d in range(len(held))] == held


@given(st.lists(st.one_of(st.none(), NAMES), max_size=40))
def test_one_value_counts_as_a_counter(values: list[str | None]) -> None:
    column = _Column.of(values)
    counts = column.counts(np.arange(len(values), dtype=np.int64))
    assert {column.labels[i]: int(n) for i, n in enumerate(counts.tolist()) if n} == dict(Counter(values))
    assert [column.label(d) for d in range(len(values))] == values


@pytest.mark.parametrize(
    "keys", [("person",), ("organisation", "category"), ("person", "place"), (DAY, "person")], ids=str
)
def test_tallies_with_entity_facets_count_every_combination(sample_index: Path, keys: tuple[str, ...]) -> None:
    """A tally over keys that include an entity facet counts each article once under each
    combination of its values (None for none), worked out here from the stored fields."""
    backend = WhooshBackend(sample_index)
    try:
        tally = backend.tally(SearchSpec(plan=P.Everything()), keys)
        expected: Counter[tuple[str | None, ...]] = Counter()
        with backend.snapshot() as snap:
            for fields in snap.searcher.all_stored_fields():
                options = []
                for key in keys:
                    if key in ENTITY_FIELDS:
                        options.append(names_of(fields.get(key)) or (None,))
                    elif key == DAY:
                        options.append((str(fields.get("published_iso") or "")[:10] or None,))
                    else:
                        options.append((fields.get(key) or None,))
                expected.update(product(*options))
        assert tally.counts == dict(expected)
        assert sum(expected.values()) > 297  # several names an article were counted
    finally:
        backend.close()
