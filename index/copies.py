"""Which articles are copies of one story, and so share a ``dup_key``.

A copy is the same story told in (nearly) the same text: a syndicated article on another
outlet, a repost under a new headline, a press release pasted by two sites with light
edits. A recurring headline over a different day's figures (a prayer schedule, a gold
price), a different match under a template sentence, or an article that shares only its
background paragraph with another is not. The rule decides on the body text, with the
title as a supporting signal; it was tuned and checked on judged clickid pairs
(``tests/data/copy_pairs.tsv``, which says how).

The rule, on the folded words of each body's opening (the first ``OPENING_WORDS``):

* both bodies have at least ``MIN_WORDS`` words (a title alone never makes a copy);
* the leads agree on their figures: it is not the case that both leads (the first
  ``LEAD_WORDS`` words) hold a number the other opening lacks (a copy may drop a date; a
  different day's schedule changes the figures on both sides);
* the openings share their word 3-shingles (Jaccard over the first ``min(len)`` words):
  at least ``SAME_TEXT``, or at least ``SHARED_TEXT`` when the titles share at least
  ``SAME_TITLE`` of their words.

Candidates are found without holding every article in memory: MinHash band terms
(``band_terms``) are indexed in the ``copy_bands`` field, and an article is compared only
with the articles that share a band with it, in the index (read through an
``IndexReader``) or earlier in the same run and not yet committed. An article that passes
the rule with a candidate takes that candidate's ``dup_key``; otherwise it starts its own.
"""

from __future__ import annotations

import hashlib
from collections import Counter, deque
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np
from berita_search.index.analysis import surface_analyzer

if TYPE_CHECKING:
    from berita_search.index.article import Article
    from whoosh.index import Index
    from whoosh.reading import IndexReader

COPY_BANDS_FIELD = "copy_bands"

OPENING_WORDS = 300  # the part of each body the rule compares
LEAD_WORDS = 50  # where the figures must agree
MIN_WORDS = 20
SHINGLE = 3
# The loosest thresholds that kept precision at 0.98 or more on the tuning pairs of
# tests/data/copy_pairs.tsv (1.00 there, recall 0.45; held out: 1.00 and 0.47). Any looser
# text threshold let in look-alikes: a league roundup reprinting one report (0.86), an
# update adding line-ups, profiles sharing a template introduction.
SAME_TEXT = 0.90
SHARED_TEXT = 0.40
SAME_TITLE = 0.60
# Words kept per article: the opening, and a margin so that a figure moved a little later
# in one copy's lead is still found in the other.
_KEPT_WORDS = OPENING_WORDS + LEAD_WORDS
# MinHash band terms. "s" bands (BODY_BANDS of BODY_ROWS values over the 3-shingles of
# the first LSH_LEAD_WORDS words) bring near-identical openings together; "t" bands
# (TITLE_BANDS, each TITLE_ROWS values over the title's words and one over the shingles of
# the first LSH_TEXT_WORDS words) bring similar titles over shared text together. On
# clickid they bring together 181 of the 183 pairs the rule accepts (the two misses: a
# headline and a lead both rewritten), at 1.2 candidate pairs an article.
LSH_LEAD_WORDS = 40
LSH_TEXT_WORDS = 100
BODY_BANDS, BODY_ROWS = 8, 4
TITLE_BANDS, TITLE_ROWS = 20, 2
# Candidates compared with one article, most shared bands first: a long run of one
# recurring headline makes every day's article a candidate of the next.
CANDIDATE_LIMIT = 64
_SEED = b"berita-search copies"


@dataclass(frozen=True, slots=True)
class CopyText:
    """What the rule compares, computed once per article."""

    words: tuple[str, ...]  # folded body words, the first _KEPT_WORDS
    title: frozenset[str]  # folded title words

    @property
    def comparable(self) -> bool:
        return len(self.words) >= MIN_WORDS


@lru_cache(maxsize=1)
def _analyzer() -> Any:
    return surface_analyzer()


def copy_text(title: str, body: str) -> CopyText:
    # The whole body goes to the tokenizer, which segments it once and remembers it: the
    # index fields analysed right after this reuse that segmentation.
    analyzer = _analyzer()
    words: list[str] = []
    for token in analyzer(body):
        words.append(token.text)
        if len(words) >= _KEPT_WORDS:
            break
    return CopyText(tuple(words), frozenset(t.text for t in analyzer(title)))


def _is_number(word: str) -> bool:
    return any(c.isdigit() for c in word)


def _numbers(words: Iterable[str]) -> set[str]:
    return {w.lstrip("0") or "0" for w in words if _is_number(w)}


def _shingles(words: tuple[str, ...]) -> set[tuple[str, ...]]:
    return {words[i : i + SHINGLE] for i in range(len(words) - SHINGLE + 1)}


def _jaccard(a: set[Any] | frozenset[Any], b: set[Any] | frozenset[Any]) -> float:
    union = len(a | b)
    return len(a & b) / union if union else 0.0


def text_similarity(a: CopyText, b: CopyText) -> float:
    """Jaccard of the word 3-shingles of both openings, cut to the shorter one."""
    width = min(OPENING_WORDS, len(a.words), len(b.words))
    return _jaccard(_shingles(a.words[:width]), _shingles(b.words[:width]))


def title_similarity(a: CopyText, b: CopyText) -> float:
    return _jaccard(a.title, b.title)


def figures_disagree(a: CopyText, b: CopyText) -> bool:
    """Both leads carry a number the other opening lacks: another day, another score."""
    width = min(OPENING_WORDS, len(a.words), len(b.words)) + LEAD_WORDS
    a_lead, b_lead = _numbers(a.words[:LEAD_WORDS]), _numbers(b.words[:LEAD_WORDS])
    return bool(a_lead - _numbers(b.words[:width])) and bool(b_lead - _numbers(a.words[:width]))


def is_copy(a: CopyText, b: CopyText) -> bool:
    """The rule (see the module docstring)."""
    return copy_score(a, b) is not None


def copy_score(a: CopyText, b: CopyText) -> float | None:
    """The text similarity of two copies, or None when they are not copies."""
    if not (a.comparable and b.comparable) or figures_disagree(a, b):
        return None
    similarity = text_similarity(a, b)
    needed = SHARED_TEXT if title_similarity(a, b) >= SAME_TITLE else SAME_TEXT
    return similarity if similarity >= needed else None


@lru_cache(maxsize=8)
def _permutations(kind: bytes, count: int) -> tuple[np.ndarray, np.ndarray]:
    """Multiply-shift hash functions ((a*h + b) mod 2**64) >> 32, a odd, from a fixed seed."""
    words = [hashlib.blake2b(_SEED + kind + i.to_bytes(4, "little"), digest_size=16).digest() for i in range(count)]
    a = np.array([int.from_bytes(w[:8], "little") | 1 for w in words], dtype=np.uint64)
    b = np.array([int.from_bytes(w[8:], "little") for w in words], dtype=np.uint64)
    return a, b


def _item_hashes(items: Iterable[bytes]) -> np.ndarray:
    return np.array([int.from_bytes(hashlib.blake2b(x, digest_size=8).digest(), "little") for x in items], np.uint64)


def _minhash(hashes: np.ndarray, kind: bytes, count: int) -> np.ndarray:
    """MinHash values of a set (given by its items' hashes), one per hash function."""
    a, b = _permutations(kind, count)
    return ((hashes[:, None] * a + b) >> np.uint64(32)).min(axis=0)  # uint64 products wrap: mod 2**64


def _shingle_hashes(words: tuple[str, ...]) -> np.ndarray:
    return _item_hashes({" ".join(words[i : i + SHINGLE]).encode("utf-8") for i in range(len(words) - SHINGLE + 1)})


def band_terms(text: CopyText) -> list[str]:
    """The MinHash band terms indexed for an article (none when it cannot be a copy)."""
    if not text.comparable:
        return []
    lead = _minhash(_shingle_hashes(text.words[:LSH_LEAD_WORDS]), b"lead", BODY_BANDS * BODY_ROWS)
    terms = _band_terms("s", lead.reshape(BODY_BANDS, BODY_ROWS))
    if text.title:
        opening = _minhash(_shingle_hashes(text.words[:LSH_TEXT_WORDS]), b"text", TITLE_BANDS)
        title = _minhash(_item_hashes(w.encode("utf-8") for w in text.title), b"title", TITLE_BANDS * TITLE_ROWS)
        rows = np.concatenate([title.reshape(TITLE_BANDS, TITLE_ROWS), opening.reshape(TITLE_BANDS, 1)], axis=1)
        terms += _band_terms("t", rows)
    return terms


def _band_terms(family: str, rows: np.ndarray) -> list[str]:
    """One term per band (row): its values and the band's number hashed together, 48 bits."""
    bands, width = rows.shape
    a, b = _permutations(family.encode("ascii"), width + bands)
    mixed = (rows * a[:width]).sum(axis=1, dtype=np.uint64) + a[width:] * b[width:]
    return [f"{family}{value >> 16:012x}" for value in mixed.tolist()]


def new_story_key(article_id: str, content_hash: str) -> str:
    """The key of an article that copies nothing known: new for each version of it."""
    return hashlib.blake2b(f"{article_id}:{content_hash}".encode(), digest_size=8).hexdigest()


@dataclass(slots=True, eq=False)
class _Known:
    """An article met earlier in this run and not yet readable from the index."""

    article_id: str
    dup_key: str
    text: CopyText
    bands: frozenset[str]


@dataclass(frozen=True, slots=True)
class CopyDecision:
    dup_key: str
    bands: list[str]
    copy_of: str | None  # the id of the article it copies, if any


class CopyFinder:
    """Decides each article's ``dup_key`` during one indexing run.

    Every article is compared with the articles indexed before the run and those met
    earlier in it, whichever path writes them: the ones already committed are read from
    the index (the reader is renewed after each commit), the rest are kept here until
    their batch is committed. So the keys do not depend on batch sizes or worker
    processes, and memory holds at most the uncommitted batches.
    """

    def __init__(self, ix: Index) -> None:
        self._ix = ix
        self._reader: IndexReader | None = None
        self._dup_keys: Any = None
        self._open_reader()
        self._current: list[_Known] = []
        self._ended: deque[list[_Known]] = deque()
        self._by_band: dict[str, list[_Known]] = {}
        self._by_id: dict[str, _Known] = {}

    def _open_reader(self) -> None:
        reader = self._ix.reader()
        self._reader = reader
        searchable = COPY_BANDS_FIELD in reader.schema and reader.doc_count() > 0
        self._dup_keys = reader.column_reader("dup_key") if searchable and reader.has_column("dup_key") else None

    def close(self) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None

    def decide(self, article: Article, article_id: str, content_hash: str) -> CopyDecision:
        text = copy_text(article.title, article.body)
        bands = band_terms(text)
        # The most similar copy; among equals the smallest key, then id, so the choice is stable.
        best: tuple[float, str, str] | None = None
        for candidate in self._candidates(article_id, bands):
            score = copy_score(text, candidate.text)
            if score is None:
                continue
            rank = (-score, candidate.dup_key, candidate.article_id)
            if best is None or rank < best:
                best = rank
        if best is None:
            decision = CopyDecision(new_story_key(article_id, content_hash), bands, None)
        else:
            decision = CopyDecision(best[1], bands, best[2])
        known = _Known(article_id, decision.dup_key, text, frozenset(bands))
        self._current.append(known)
        self._by_id[article_id] = known
        for band in bands:
            self._by_band.setdefault(band, []).append(known)
        return decision

    def _candidates(self, article_id: str, bands: list[str]) -> list[_Known]:
        """The articles sharing a band with this one, most shared bands first, then by id."""
        if not bands:
            return []
        shared: dict[str, tuple[int, _Known | tuple[int, dict[str, Any]]]] = {}
        for known in {id(k): k for band in bands for k in self._by_band.get(band, ())}.values():
            if known.article_id != article_id:
                shared[known.article_id] = (len(known.bands.intersection(bands)), known)
        reader = self._reader
        if reader is not None and self._dup_keys is not None:
            hits: Counter[int] = Counter()
            for band in bands:
                if (COPY_BANDS_FIELD, band) in reader:
                    hits.update(reader.postings(COPY_BANDS_FIELD, band).all_ids())
            for docnum, count in hits.items():
                stored = reader.stored_fields(docnum)
                stored_id = stored.get("id")
                # Skip this article's own older version, and articles whose newer version is kept here.
                if stored_id and stored_id != article_id and stored_id not in self._by_id:
                    shared[stored_id] = (count, (docnum, stored))
        ranked = sorted(shared.items(), key=lambda item: (-item[1][0], item[0]))[:CANDIDATE_LIMIT]
        return [found if isinstance(found, _Known) else self._indexed(key, *found) for key, (_, found) in ranked]

    def _indexed(self, article_id: str, docnum: int, stored: dict[str, Any]) -> _Known:
        dup_key = self._dup_keys[docnum]
        if isinstance(dup_key, bytes):
            dup_key = dup_key.decode("utf-8")
        text = copy_text(stored.get("title", ""), stored.get("body", ""))
        return _Known(article_id, dup_key, text, frozenset())

    def batch_ended(self) -> None:
        """The articles decided since the last call form a batch that is being committed."""
        self._ended.append(self._current)
        self._current = []

    def batch_committed(self) -> None:
        """The oldest ended batch is committed: read it from the index from now on."""
        if not self._ended:
            return
        self.close()
        self._open_reader()
        for known in self._ended.popleft():
            if self._by_id.get(known.article_id) is known:
                del self._by_id[known.article_id]
            for band in known.bands:
                group = self._by_band.get(band)
                if group is not None:
                    group.remove(known)
                    if not group:
                        del self._by_band[band]
