"""The postings of a segment of new articles, held as arrays until the segment is written.

Whoosh's segment writer gathers every posting of a segment in a pool and hands them to its
postings writer sorted by field, term and document when the segment is flushed. Its own pool
(``whoosh.writing.PostingPool``) keeps each posting as a tuple of Python objects, about 220
bytes, and spills sorted runs to temporary files past its size limit. An indexing worker's
6,000-article segment holds about 2.7 million postings: 580 MB of worker memory at the limit
it ran with, and spilling cost a third of the indexing rate. This pool keeps a posting in
about 30 bytes of arrays and sorts them with numpy.

It never spills, so it serves writers that only add articles (the indexing workers, whose
segments are bounded by the batch); a merge writes every posting of the merged segments and
keeps Whoosh's pool.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator

import numpy as np

# Postings handed back per slice of the sort order: a Python list of a whole segment's order
# would cost 36 bytes a posting.
_SLICE = 1 << 16


class CompactPostingPool:
    """The part of Whoosh's ``PostingPool`` a segment writer uses (``add``, ``iter_postings``,
    ``cleanup``), for the postings of new documents."""

    def __init__(self) -> None:
        self._empty()

    def _empty(self) -> None:
        # Each distinct (field, term) gets a number; a posting keeps its term's number.
        self._term_numbers: dict[str, dict[bytes, int]] = {}
        self._term_field: list[str] = []
        self._term_bytes: list[bytes] = []
        self._terms = array("I")
        self._docs = array("I")
        self._weights = array("d")
        # Every posting's value, one after another; a posting's value ends where it says.
        self._values = bytearray()
        self._value_ends = array("Q")
        self._without_value: set[int] = set()  # postings whose value is None, not bytes

    def add(self, item: tuple) -> None:
        """One posting: (field name, term bytes, document number, weight, value bytes or None)."""
        fieldname, tbytes, docnum, weight, vbytes = item
        numbers = self._term_numbers.get(fieldname)
        if numbers is None:
            numbers = self._term_numbers[fieldname] = {}
        number = numbers.get(tbytes)
        if number is None:
            number = numbers[tbytes] = len(self._term_bytes)
            self._term_field.append(fieldname)
            self._term_bytes.append(tbytes)
        self._terms.append(number)
        self._docs.append(docnum)
        self._weights.append(weight)
        if vbytes is None:
            self._without_value.add(len(self._docs) - 1)
        else:
            self._values += vbytes
        self._value_ends.append(len(self._values))

    def iter_postings(self) -> Iterator[tuple]:
        """Every posting as Whoosh's pool gives it back: a tuple, sorted by field name, term
        and document number (postings equal in all three stay in the order they came)."""
        rank = np.empty(len(self._term_bytes), dtype=np.int64)
        next_rank = 0
        for fieldname in sorted(self._term_numbers):
            for _, number in sorted(self._term_numbers[fieldname].items()):
                rank[number] = next_rank
                next_rank += 1
        terms = np.frombuffer(self._terms, dtype=np.uint32) if self._terms else np.empty(0, np.uint32)
        docs = np.frombuffer(self._docs, dtype=np.uint32) if self._docs else np.empty(0, np.uint32)
        order = np.lexsort((docs, rank[terms]))
        del rank, terms, docs  # views of the arrays: they must be gone before the arrays change
        return self._postings(order)

    def _postings(self, order: np.ndarray) -> Iterator[tuple]:
        fields, term_bytes = self._term_field, self._term_bytes
        terms, docs, weights, ends = self._terms, self._docs, self._weights, self._value_ends
        values = bytes(self._values)
        self._values = bytearray()
        without_value = self._without_value
        for first in range(0, len(order), _SLICE):
            for i in order[first : first + _SLICE].tolist():
                term = terms[i]
                value = None if i in without_value else values[ends[i - 1] if i else 0 : ends[i]]
                yield (fields[term], term_bytes[term], docs[i], weights[i], value)

    def cleanup(self) -> None:
        """Nothing on disk to remove; the arrays are let go."""
        self._empty()
