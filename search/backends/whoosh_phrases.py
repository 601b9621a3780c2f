"""Exact phrases through word pairs: the same matches as a phrase query, far fewer reads.

A plain Whoosh phrase query intersects the postings of its words and then decodes the
positions of every document that holds all of them: for common words, thousands of
documents per query. ``"wakil presiden"`` can only match a document holding the word pair
``wakil presiden``, and pairs of common words are indexed (``<field>_pairs``, presence only).
``PairPhrase`` intersects the pair postings first and reads positions only for the
documents left, verifying every match exactly as Whoosh's phrase query does. A pair with a
rarer word is not indexed (``index.analysis.PairFilter``): that word's own postings are the
narrow filter, and a phrase with no indexed pair runs as the plain phrase query. The pairs are
a filter, never a source of matches, and they add nothing to the score, so the results and
their scores are those of ``whoosh.query.Phrase`` (``tests/test_phrase_identity.py``).

Phrases with a slop (``"putin kim"~5``), and indexes built before the pair fields existed,
fall back to the plain phrase query.
"""

from __future__ import annotations

from typing import Any

from berita_search.index.analysis import pair_filter_of, pair_term
from berita_search.index.whoosh_internals import span_context
from whoosh import matching
from whoosh.matching import IntersectionMatcher, WrappingMatcher
from whoosh.query import Phrase, SpanNear2, Term
from whoosh.query.spans import SpanWrappingMatcher
from whoosh.util import make_binary_tree


def pair_field_of(fieldname: str) -> str:
    return f"{fieldname}_pairs"


class _Unscored(WrappingMatcher):
    """A filter inside an intersection: matches like its child, adds nothing to the score."""

    def _replacement(self, newchild: matching.Matcher) -> _Unscored:
        return _Unscored(newchild)

    def supports_block_quality(self) -> bool:
        return False

    def score(self) -> float:
        return 0.0

    def max_quality(self) -> float:
        return 0.0


class _PairFilteredNear(SpanNear2.SpanNear2Matcher):
    """``SpanNear2``'s exact span check, over documents that hold every word pair."""

    def __init__(self, ms: list[Any], pairs: Any, slop: int = 1, ordered: bool = True, mindist: int = 1) -> None:
        self.ms = ms
        self.pairs = pairs
        self.slop = slop
        self.ordered = ordered
        self.mindist = mindist
        words = make_binary_tree(IntersectionMatcher, ms)
        # whoosh3's stubs call IntersectionMatcher abstract; it is the class Whoosh itself uses here.
        SpanWrappingMatcher.__init__(self, IntersectionMatcher(pairs, words))

    def copy(self) -> _PairFilteredNear:
        return self.__class__(
            [m.copy() for m in self.ms], self.pairs.copy(), slop=self.slop, ordered=self.ordered, mindist=self.mindist
        )


class PairPhrase(Phrase):
    """``whoosh.query.Phrase`` with a word-pair pre-filter for exact (slop 1) phrases."""

    def matcher(self, searcher: Any, context: Any = None) -> matching.Matcher:
        fieldname = self.fieldname
        pairfield = pair_field_of(fieldname)
        schema = searcher.schema
        if self.slop != 1 or len(self.words) < 2 or fieldname not in schema or pairfield not in schema:
            return super().matcher(searcher, context)
        field = schema[fieldname]
        if not field.format or not field.format.supports("positions"):
            return super().matcher(searcher, context)
        reader = searcher.reader()
        terms: list[Term] = []
        for word in self.words:
            try:
                btext = field.to_bytes(word)
            except ValueError:
                return matching.NullMatcher()
            if (fieldname, btext) not in reader:
                return matching.NullMatcher()
            terms.append(Term(fieldname, btext))
        pair_filter = pair_filter_of(schema[pairfield].analyzer)
        pair_matchers = []
        pairs_seen: set[str] = set()
        for first, second in zip(self.words, self.words[1:], strict=False):
            text = pair_term(first, second)
            if text in pairs_seen or (pair_filter is not None and not pair_filter.indexes(first, second)):
                continue
            pairs_seen.add(text)
            btext = schema[pairfield].to_bytes(text)
            if (pairfield, btext) not in reader:
                return matching.NullMatcher()
            pair_matchers.append(reader.postings(pairfield, btext))
        if not pair_matchers:
            # A rarer word in every pair: its own postings are the narrow filter.
            return super().matcher(searcher, context)
        near = SpanNear2(terms, slop=1, ordered=True, mindist=1)
        near_context = span_context(near, context)
        ms = [t.matcher(searcher, near_context) for t in terms]
        pairs = _Unscored(make_binary_tree(IntersectionMatcher, pair_matchers))
        m: matching.Matcher = _PairFilteredNear(ms, pairs, slop=1, ordered=True, mindist=1)
        if self.boost != 1.0:
            m = WrappingMatcher(m, boost=self.boost)
        return m
