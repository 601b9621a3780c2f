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

A committed candidate is compared on its stored opening (``copy_opening``: what the rule
reads, kept in the ``COPY_OPENING_FIELD`` column at index time: its title words, its figures
and a 64-bit id for each shingle of its opening), not on its text: a story repeated across an
archive has dozens of earlier copies, and segmenting each of them again for every new copy made
the copy finder the bottleneck of indexing at a million articles. The shingle ids make the
comparison a sorted-array intersection instead of building sets of word tuples. An article
indexed before the column existed is read from its stored text.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import os
import zlib
from array import array
from collections import Counter, OrderedDict, deque
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from berita_search.index.analysis import fold, icu_words, surface_words
from berita_search.index.postings_arrays import SegmentArrays, commit_units, term_hash
from berita_search.index.whoosh_internals import column_extent

if TYPE_CHECKING:
    from berita_search.index.article import Article
    from whoosh.index import Index
    from whoosh.reading import IndexReader

COPY_BANDS_FIELD = "copy_bands"
COPY_OPENING_FIELD = "copy_opening"

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
# clickid these 16 terms an article bring together 180 of the 183 pairs the rule accepts
# (the misses have a rewritten headline and lead), at 0.4 candidate pairs an article; 28
# terms grew the index by a quarter.
LSH_LEAD_WORDS = 40
LSH_TEXT_WORDS = 100
BODY_BANDS, BODY_ROWS = 4, 4
TITLE_BANDS, TITLE_ROWS = 12, 2
# Candidates compared with one article, most shared bands first: a long run of one
# recurring headline makes every day's article a candidate of the next.
CANDIDATE_LIMIT = 64
_SEED = b"berita-search copies"


class CopyText:
    """What the rule compares of one article. The opening is read as far as it is needed:
    the band terms need LSH_TEXT_WORDS words; the rule, which only runs on candidates,
    _KEPT_WORDS. A text read back from a stored opening has no words: its length, figures
    and shingle ids are what the rule reads."""

    __slots__ = ("_body", "_ids", "_length", "_numbers", "_words", "title")

    def __init__(self, title: str, body: str, read: int = LSH_TEXT_WORDS) -> None:
        """``read``: words of the body read at once; _KEPT_WORDS for a text the rule will compare."""
        self.title: frozenset[str] = frozenset(_words(title, None))
        self._body: str | None = body if read < _KEPT_WORDS else None
        self._words = tuple(_words(body, read))
        self._numbers: tuple[tuple[int, str], ...] | None = None
        self._length: int | None = None
        self._ids: np.ndarray | None = None

    @classmethod
    def of_words(
        cls, title: Iterable[str], words: Iterable[str], numbers: Iterable[tuple[int, str]] | None = None
    ) -> CopyText:
        """The text whose folded title words are ``title``, whose opening is ``words`` (at most
        _KEPT_WORDS) and its figures ``numbers`` (position, figure; found from the words when
        not given)."""
        text = cls.__new__(cls)
        text.title = frozenset(title)
        text._body = None
        text._words = tuple(words)
        text._numbers = None if numbers is None else tuple((i, n) for i, n in numbers)
        text._length = None
        text._ids = None
        return text

    @classmethod
    def of_opening(
        cls, title: Iterable[str], length: int, numbers: Iterable[tuple[int, str]], ids: np.ndarray
    ) -> CopyText:
        """The text read back from ``COPY_OPENING_FIELD``: its title words, the number of words
        of its opening, their figures and the ids of their shingles (``shingle_ids``)."""
        text = cls.of_words(title, (), numbers)
        text._length = length
        text._ids = ids
        return text

    def figures(self) -> tuple[tuple[int, str], ...]:
        """The figures of ``words`` with their positions, leading zeros dropped."""
        if self._numbers is None:
            self._numbers = tuple((i, w.lstrip("0") or "0") for i, w in enumerate(self.words) if _is_number(w))
        return self._numbers

    @property
    def words(self) -> tuple[str, ...]:
        """The folded words of the body's opening, the first _KEPT_WORDS (none for a stored opening)."""
        if self._body is not None:
            if len(self._words) >= LSH_TEXT_WORDS:
                self._words = tuple(_words(self._body, _KEPT_WORDS))
            self._body = None
        return self._words

    @property
    def length(self) -> int:
        """How many words ``words`` holds."""
        return self._length if self._length is not None else len(self.words)

    @property
    def shingle_ids(self) -> np.ndarray:
        """The ids of the word 3-shingles of the first OPENING_WORDS words (``shingle_ids``)."""
        if self._ids is None:
            self._ids = shingle_ids(self.words[:OPENING_WORDS])
        return self._ids

    def numbers(self, within: int) -> set[str]:
        """The figures among the first ``within`` words of ``words``, leading zeros dropped.
        Found once per text: the rule asks for them at two widths for every candidate."""
        return {number for i, number in self.figures() if i < within}

    @property
    def lead(self) -> tuple[str, ...]:
        """The first LSH_TEXT_WORDS words (or all, when the body is shorter)."""
        return self._words[:LSH_TEXT_WORDS]

    @property
    def comparable(self) -> bool:
        return (self._length if self._length is not None else len(self._words)) >= MIN_WORDS


def _words(text: str, limit: int | None) -> list[str]:
    """The first ``limit`` folded words of ``text``: the words of the index's surface
    analysis (ICU segmentation, then ``fold``) without its token objects. ICU segments all
    it is given, so it is given a prefix long enough for ``limit`` words of news text
    (about 7 characters a word), and more when that fell short. Words near the cut are not
    trusted: ICU looks ahead (``1.000`` cut after ``1.`` would be ``1``)."""
    chars = len(text) if limit is None else limit * 16
    while True:
        prefix = text[:chars]
        trusted = len(prefix) if len(prefix) == len(text) else len(prefix) - _CUT_MARGIN
        words: list[str] = []
        for start, end in icu_words(prefix):
            if end > trusted:
                break
            word = fold(prefix[start:end])
            if word:
                words.append(word)
                if len(words) == limit:
                    return words
        if len(prefix) == len(text):
            return words
        chars *= 4


_CUT_MARGIN = 64


def copy_text(title: str, body: str) -> CopyText:
    return CopyText(title, body)


def copy_opening(article_id: str, title: str, body: str) -> bytes:
    """What the rule reads of an article, for ``COPY_OPENING_FIELD``: a version byte, then the
    length of a JSON list (its id, its title's folded words, the number of folded words of its
    opening, their figures with positions), the list, and the 64-bit ids of the opening's
    shingles (about 2.6 KB an article on clickid). Found where the article is analysed: in the
    indexing workers."""
    # The whole texts are segmented, once: the worker analyses both fields next, from the same memo.
    text = CopyText.of_words(surface_words(title), surface_words(body, _KEPT_WORDS))
    opening = [article_id, sorted(text.title), text.length, text.figures()]
    head = json.dumps(opening, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return _OPENING_IDS + len(head).to_bytes(4, "little") + head + text.shingle_ids.astype("<u8").tobytes()


# The first byte of an opening holding shingle ids. The openings written before them are
# compressed JSON, whose first byte (zlib's header) is 0x78; they are still read.
_OPENING_IDS = b"\x02"


def read_copy_opening(value: bytes) -> tuple[str, CopyText] | None:
    """The id and text of a ``copy_opening`` value; None for an article indexed without one."""
    if not value:
        return None
    if value[:1] != _OPENING_IDS:  # words rather than shingle ids: the ids are found from them
        article_id, title, words, numbers = json.loads(zlib.decompress(value))
        return article_id, CopyText.of_words(title, words, numbers)
    end = 5 + int.from_bytes(value[1:5], "little")
    article_id, title, length, numbers = json.loads(value[5:end])
    ids = np.frombuffer(value, dtype="<u8", offset=end).astype(np.uint64, copy=False)
    return article_id, CopyText.of_opening(title, length, numbers, ids)


def _is_number(word: str) -> bool:
    # A word of letters holds no digit: most words are answered without a loop.
    return not word.isalpha() and any(c.isdigit() for c in word)


# Each word's 64-bit hash, kept for the words met most: an article's 300 words are mostly
# words met before. Cleared when full, so that the run's memory does not grow with its vocabulary.
_WORD_IDS: dict[str, int] = {}
_WORD_IDS_KEPT = 200_000
_SHINGLE_MIX = np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F)


def _word_ids(words: tuple[str, ...]) -> list[int]:
    known = _WORD_IDS.get
    found = [known(w) for w in words]
    if None not in found:
        return found  # type: ignore[return-value]
    if len(_WORD_IDS) >= _WORD_IDS_KEPT:
        _WORD_IDS.clear()
    for i, value in enumerate(found):
        if value is None:
            digest = hashlib.blake2b(words[i].encode("utf-8"), digest_size=8, salt=b"shingles").digest()
            found[i] = _WORD_IDS[words[i]] = int.from_bytes(digest, "little")
    return found  # type: ignore[return-value]


def shingle_ids(words: tuple[str, ...]) -> np.ndarray:
    """A 64-bit id for each word 3-shingle of ``words``, in order, and 0 for a shingle met
    earlier in them, so that the ids of the first n shingles, zeros left out, are the set of the
    first n + 2 words' shingles. An id mixes the three words' hashes (a*x + b*y + z mod 2**64):
    two different shingles share one with a chance of about 2**-64, so the rule's
    similarities are the ones of the shingles themselves."""
    if len(words) < SHINGLE:
        return np.zeros(0, np.uint64)
    hashes = np.array(_word_ids(words), dtype=np.uint64)
    a, b = _SHINGLE_MIX
    ids = hashes[:-2] * a + hashes[1:-1] * b + hashes[2:]  # uint64 products wrap: mod 2**64
    ids[ids == 0] = 1
    _, first = np.unique(ids, return_index=True)
    kept = np.zeros_like(ids)
    kept[first] = ids[first]
    return kept


# The sorted shingle ids of one text's opening by width: an article compared with many
# candidates (dozens when a story recurs) sorts its own once a width, not once a candidate.
ShingleMemo = dict[int, np.ndarray]


def text_similarity(a: CopyText, b: CopyText, memo: ShingleMemo | None = None) -> float:
    """Jaccard of the word 3-shingles of both openings, cut to the shorter one. ``memo``: the
    shingles of ``a`` already sorted, for comparing ``a`` with many texts."""
    width = min(OPENING_WORDS, a.length, b.length)
    count = max(0, width - SHINGLE + 1)
    own = memo.get(width) if memo is not None else None
    if own is None:
        own = np.sort(a.shingle_ids[:count])
        own = own[np.searchsorted(own, 1) :]  # the repeats (0) left out
        if memo is not None:
            memo[width] = own
    theirs = b.shingle_ids[:count]
    theirs = theirs[theirs != 0]
    if not len(own):
        return 0.0
    at = np.minimum(np.searchsorted(own, theirs), len(own) - 1)
    shared = int(np.count_nonzero(own[at] == theirs))
    return shared / (len(own) + len(theirs) - shared)


def title_similarity(a: CopyText, b: CopyText) -> float:
    union = len(a.title | b.title)
    return len(a.title & b.title) / union if union else 0.0


def figures_disagree(a: CopyText, b: CopyText) -> bool:
    """Both leads carry a number the other opening lacks: another day, another score."""
    width = min(OPENING_WORDS, a.length, b.length) + LEAD_WORDS
    a_lead, b_lead = a.numbers(LEAD_WORDS), b.numbers(LEAD_WORDS)
    return bool(a_lead - b.numbers(width)) and bool(b_lead - a.numbers(width))


def is_copy(a: CopyText, b: CopyText) -> bool:
    """The rule (see the module docstring)."""
    return copy_score(a, b) is not None


def copy_score(a: CopyText, b: CopyText, memo: ShingleMemo | None = None) -> float | None:
    """The text similarity of two copies, or None when they are not copies."""
    if not (a.comparable and b.comparable) or figures_disagree(a, b):
        return None
    similarity = text_similarity(a, b, memo)
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
    return np.array([zlib.crc32(x) for x in items], np.uint64)


def _minhash(hashes: np.ndarray, kind: bytes, count: int) -> np.ndarray:
    """MinHash values of a set (given by its items' hashes), one per hash function."""
    a, b = _permutations(kind, count)
    return ((hashes[:, None] * a + b) >> np.uint64(32)).min(axis=0)  # uint64 products wrap: mod 2**64


def _shingle_hashes(words: tuple[str, ...]) -> np.ndarray:
    """Hashes of the word 3-shingles, in order (a repeat changes no minimum)."""
    return _item_hashes(" ".join(words[i : i + SHINGLE]).encode("utf-8") for i in range(len(words) - SHINGLE + 1))


def band_terms(text: CopyText) -> list[str]:
    """The MinHash band terms indexed for an article (none when it cannot be a copy)."""
    if not text.comparable:
        return []
    shingles = _shingle_hashes(text.lead)
    lead = _minhash(shingles[: LSH_LEAD_WORDS - SHINGLE + 1], b"lead", BODY_BANDS * BODY_ROWS)
    terms = _band_terms("s", lead.reshape(BODY_BANDS, BODY_ROWS))
    if text.title:
        opening = _minhash(shingles, b"text", TITLE_BANDS)
        title = _minhash(_item_hashes(w.encode("utf-8") for w in text.title), b"title", TITLE_BANDS * TITLE_ROWS)
        rows = np.concatenate([title.reshape(TITLE_BANDS, TITLE_ROWS), opening.reshape(TITLE_BANDS, 1)], axis=1)
        terms += _band_terms("t", rows)
    return terms


def _band_terms(family: str, rows: np.ndarray) -> list[str]:
    """One term per band (row): its values and the band's number hashed together, 40 bits."""
    bands, width = rows.shape
    a, b = _permutations(family.encode("ascii"), width + bands)
    mixed = (rows * a[:width]).sum(axis=1, dtype=np.uint64) + a[width:] * b[width:]
    return [f"{family}{value >> 24:010x}" for value in mixed.tolist()]


def new_story_key(article_id: str, content_hash: str) -> str:
    """The key of an article that copies nothing known: new for each version of it."""
    return hashlib.blake2b(f"{article_id}:{content_hash}".encode(), digest_size=8).hexdigest()


@dataclass(slots=True, eq=False)
class KnownArticle:
    """An article met earlier in this run and not yet readable from the index."""

    article_id: str
    dup_key: str
    text: CopyText
    bands: tuple[str, ...]


@dataclass(slots=True)
class Candidate:
    article_id: str
    shared_bands: int
    known: KnownArticle | None = None  # met in this run, or:
    docnum: int = -1  # in the index, with its opening:
    text: CopyText | None = None
    stored: dict[str, Any] | None = None  # or its stored fields, indexed before openings were


@dataclass(frozen=True, slots=True)
class CopyDecision:
    dup_key: str
    bands: list[str]
    copy_of: str | None  # the id of the article it copies, if any


class _BandFilter:
    """A Bloom filter of the band terms in the index.

    Nearly every band of a new article is in no other article, and a term lookup costs
    about 15 microseconds in each segment (an index of a million articles has a hundred
    segments: merges stop at MAX_MERGED_ARTICLES). The filter answers most of them from
    memory, about 10 bits a term: 20 MB for a million articles. It has no false negatives,
    so it changes no decision, only how fast it is made.
    """

    BITS_PER_TERM = 10
    HASHES = 7
    MIN_CAPACITY = 1 << 16

    def __init__(self) -> None:
        self._filters: list[bytearray] = []  # when one is full, a twice larger one follows
        self._capacity = 0
        self._count = 0

    def add(self, terms: Iterable[str | bytes]) -> None:
        values = np.array([_term_value(t) for t in terms], dtype=np.uint64)
        while len(values):
            if self._count >= self._capacity:
                self._capacity = max(self.MIN_CAPACITY, 2 * self._capacity, len(values))
                self._filters.append(bytearray(self._capacity * self.BITS_PER_TERM // 8 + 1))
                self._count = 0
            room = self._capacity - self._count
            chunk, values = values[:room], values[room:]
            bits = np.frombuffer(self._filters[-1], dtype=np.uint8)
            size = np.uint64(len(bits) * 8)
            first, step = chunk * _MIX_1, (chunk * _MIX_2) | np.uint64(1)  # uint64 products wrap
            for i in range(self.HASHES):
                position = (first + np.uint64(i) * step) % size
                np.bitwise_or.at(
                    bits, position >> np.uint64(3), (np.uint64(1) << (position & np.uint64(7))).astype(np.uint8)
                )
            self._count += len(chunk)

    def might_contain(self, term: str) -> bool:
        value = _term_value(term)
        first, step = value * int(_MIX_1) & _MASK64, (value * int(_MIX_2) & _MASK64) | 1
        for bits in self._filters:
            size = len(bits) * 8
            if all(bits[(p := (first + i * step & _MASK64) % size) >> 3] >> (p & 7) & 1 for i in range(self.HASHES)):
                return True
        return False


_MIX_1, _MIX_2 = np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F)
_MASK64 = (1 << 64) - 1


def _term_value(term: str | bytes) -> int:
    """A band term ("s" or "t" and 10 hex digits) as a number, its family in bit 40."""
    if isinstance(term, bytes):
        term = term.decode("ascii")
    return int(term[1:], 16) | ((term[0] == "t") << 40)


class CopyFinder:
    """Decides each article's ``dup_key`` during one indexing run.

    Every article is compared with the articles stored before the run and those met
    earlier in it, whichever path writes them: the ones already committed are read from
    the store (``_stored_candidates``; none here, an index in ``IndexCopyFinder``), the rest
    are kept here until their batch is committed. So the keys do not depend on batch sizes
    or worker processes, and memory holds at most the uncommitted batches. On its own (no
    store) it decides a sequence of articles as one uncommitted run.
    """

    def __init__(self) -> None:
        self._current: list[KnownArticle] = []
        self._ended: deque[list[KnownArticle]] = deque()
        self._by_band: dict[str, list[KnownArticle]] = {}
        self._by_id: dict[str, KnownArticle] = {}

    def close(self) -> None:
        pass

    def decide(self, article: Article, article_id: str, content_hash: str) -> CopyDecision:
        text = copy_text(article.title, article.body)
        bands = band_terms(text)
        # The most similar copy; among equals the smallest key, then id, so the choice is stable.
        best: tuple[float, str, str] | None = None
        memo: ShingleMemo = {}
        for candidate in self._candidates(article_id, bands):
            score = copy_score(text, self._text(candidate), memo)
            if score is None:
                continue
            rank = (-score, self._dup_key(candidate), candidate.article_id)
            if best is None or rank < best:
                best = rank
        if best is None:
            decision = CopyDecision(new_story_key(article_id, content_hash), bands, None)
        else:
            decision = CopyDecision(best[1], bands, best[2])
        known = KnownArticle(article_id, decision.dup_key, text, tuple(bands))
        self._current.append(known)
        self._by_id[article_id] = known
        for band in bands:
            self._by_band.setdefault(band, []).append(known)
        return decision

    def _candidates(self, article_id: str, bands: list[str]) -> list[Candidate]:
        """The articles sharing a band with this one, most shared bands first, then by id."""
        if not bands:
            return []
        wanted = set(bands)
        found: dict[str, Candidate] = {}
        for known in {id(k): k for band in bands for k in self._by_band.get(band, ())}.values():
            if known.article_id != article_id:
                shared = sum(1 for b in known.bands if b in wanted)
                found[known.article_id] = Candidate(known.article_id, shared, known=known)
        for candidate in self._stored_candidates(bands):
            # Skip this article's own older version, and articles whose newer version is kept here.
            if candidate.article_id != article_id and candidate.article_id not in self._by_id:
                found[candidate.article_id] = candidate
        ranked = sorted(found.values(), key=lambda c: (-c.shared_bands, c.article_id))
        return ranked[:CANDIDATE_LIMIT]

    def _stored_candidates(self, bands: list[str]) -> list[Candidate]:
        """The committed articles sharing a band with ``bands`` and how many they share."""
        return []

    def _text(self, candidate: Candidate) -> CopyText:
        return candidate.known.text if candidate.known is not None else self._stored_text(candidate)

    def _dup_key(self, candidate: Candidate) -> str:
        """Asked only of the candidates that pass the rule."""
        return candidate.known.dup_key if candidate.known is not None else self._stored_dup_key(candidate)

    def _stored_text(self, candidate: Candidate) -> CopyText:
        """What the rule reads of a committed candidate (from ``_stored_candidates``)."""
        raise NotImplementedError

    def _stored_dup_key(self, candidate: Candidate) -> str:
        """The ``dup_key`` of a committed candidate."""
        raise NotImplementedError

    def _committed(self, committed: list[KnownArticle]) -> None:
        """``committed`` can now be read from the store."""

    def release(self) -> None:
        """A commit is about to run: let go of what can be read again after it (the index's pages)."""

    def batch_ended(self) -> None:
        """The articles decided since the last call form a batch that is being committed."""
        self._ended.append(self._current)
        self._current = []

    def batch_committed(self) -> None:
        """The oldest ended batch is committed: read it from the store from now on."""
        if not self._ended:
            return
        committed = self._ended.popleft()
        self._committed(committed)
        for known in committed:
            if self._by_id.get(known.article_id) is known:
                del self._by_id[known.article_id]
            for band in known.bands:
                group = self._by_band.get(band)
                if group is not None:
                    group.remove(known)
                    if not group:  # an emptied band is dropped, or the run's memory grows with every article
                        del self._by_band[band]


class _OpeningColumn:
    """One segment's ``copy_opening`` column, read with ``os.pread``.

    Whoosh reads a column through the segment's memory map, and a page read through a map
    stays in the process's resident memory until the map is closed: reading a few dozen
    candidates' openings an article, from every segment of the archive, the copy finder held
    most of the index's opening columns (940 MB at 800,000 articles) between two commits. Read
    with ``pread``, the pages stay in the page cache, shared and reclaimable, and out of the
    indexing process. The column's layout is Whoosh's ``VarBytesColumn``: the values, then
    their lengths (and, in a long column, their offsets) as big-endian arrays, then the
    arrays' type codes (the last byte "X" when the offsets were written)."""

    def __init__(self, path: str, base: int, length: int, doccount: int) -> None:
        self._path = path
        self._fd: int | None = None
        try:
            last = base + length - 1
            tail = os.pread(self._file(), min(3, length), last - min(3, length) + 1)
            end, offsets = last, None
            if tail.endswith(b"X"):
                lengths_code, offsets_code = chr(tail[0]), chr(tail[1])
                end = last - 2 - doccount * array(offsets_code).itemsize
                offsets = self._array(offsets_code, end, doccount)
            else:
                lengths_code = chr(tail[-1])
            lengths = self._array(lengths_code, end - doccount * array(lengths_code).itemsize, doccount)
            if offsets is None:
                offsets = np.concatenate(([0], np.cumsum(lengths[:-1], dtype=np.int64)))
        except BaseException:
            self.close()
            raise
        self._starts = base + offsets.astype(np.int64)
        self._lengths = lengths.astype(np.int64)

    def _file(self) -> int:
        if self._fd is None:
            self._fd = os.open(self._path, os.O_RDONLY)
        return self._fd

    def _array(self, code: str, start: int, count: int) -> np.ndarray:
        size = array(code).itemsize
        kind = "i" if code.islower() else "u"
        return np.frombuffer(os.pread(self._file(), count * size, start), dtype=f">{kind}{size}")

    def __getitem__(self, docnum: int) -> bytes:
        length = int(self._lengths[docnum])
        return os.pread(self._file(), length, int(self._starts[docnum])) if length else b""

    def close(self) -> None:
        """Close its file, which the next read opens again."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


# Opening columns whose files are kept open at once (one a segment; an archive of a million
# articles has about 330 segments, more than a quarter of the usual limit of 1,024 files).
OPEN_COLUMN_FILES = 128


@dataclass(slots=True)
class _BandSegment:
    """One segment of the reader the copy finder reads committed articles from."""

    reader: Any  # Whoosh's reader of the segment (None for a group of segments, read by its arrays)
    base: int  # its first document's number in the commit
    arrays: SegmentArrays | None  # its postings arrays, when they hold the band terms
    deleted: frozenset[int]


class IndexCopyFinder(CopyFinder):
    """A ``CopyFinder`` over a Whoosh index: committed articles are found by their band terms
    in the ``copy_bands`` field (the reader is renewed after each commit).

    The terms are looked up in each segment's postings arrays (``index.postings_arrays``):
    one ``searchsorted`` a segment for all of an article's bands. Asking Whoosh instead cost
    about 15 microseconds per band and segment, twice (is it there, then its postings), and
    an index has a segment per 3,000 articles: at 200,000 articles with copies, tens of
    milliseconds an article, in the one process that feeds the workers."""

    def __init__(self, ix: Index) -> None:
        super().__init__()
        self._ix = ix
        self._reader: IndexReader | None = None
        self._dup_keys: Any = None
        self._folder = Path(ix.storage.folder)
        self._arrays: dict[str, SegmentArrays | None] = {}  # by segment id, kept across commits
        self._segments: list[_BandSegment] = []
        # The reader's segments, by first document number, and their opening columns, opened
        # when a candidate is first read from them (None: a segment written without the column)
        # and kept by segment id across commits, as segments do not change.
        self._leaf_bases: list[int] = []
        self._leaves: list[Any] = []
        self._leaf_ids: list[str] = []
        self._openings: dict[str, _OpeningColumn | None] = {}
        self._open_files: OrderedDict[str, None] = OrderedDict()  # columns with an open file, oldest first
        self._open_reader()
        self._in_index = _BandFilter()
        if self._reader is not None and self._dup_keys is not None:
            for segment in getattr(self._reader, "readers", None) or [self._reader]:
                if COPY_BANDS_FIELD in segment.schema:
                    self._in_index.add(segment.lexicon(COPY_BANDS_FIELD))
            # Reading every segment's band terms mapped their pages (1.4 GB of an index of
            # 800,000 articles): the first decision opens the reader again without them.
            self.release()

    def _open_reader(self) -> None:
        reader = self._ix.reader()
        self._reader = reader
        searchable = COPY_BANDS_FIELD in reader.schema and reader.doc_count() > 0
        self._dup_keys = reader.column_reader("dup_key") if searchable and reader.has_column("dup_key") else None
        self._segments = []
        self._leaf_bases, self._leaves, self._leaf_ids = [], [], []
        if self._dup_keys is None:
            return
        arrays_by_id: dict[str, SegmentArrays | None] = {}
        for leaf, base in reader.leaf_readers():
            segment = leaf.segment() if hasattr(leaf, "segment") else None
            segment_id = segment.segment_id() if segment is not None else f"at {base}"
            self._leaf_bases.append(base)
            self._leaves.append(leaf)
            self._leaf_ids.append(segment_id)
            arrays = None
            if segment is not None:
                arrays = self._arrays.get(segment_id)
                if segment_id not in self._arrays:
                    arrays = SegmentArrays.open(self._folder, segment_id, leaf.doc_count_all())
                arrays_by_id[segment_id] = arrays
                if arrays is not None and not arrays.has_field(COPY_BANDS_FIELD):
                    arrays = None
            self._segments.append(_BandSegment(leaf, base, arrays, leaf.deleted_docs_set))
        self._arrays = arrays_by_id  # segments merged away are forgotten
        for gone in self._openings.keys() - set(self._leaf_ids):
            column = self._openings.pop(gone)
            self._open_files.pop(gone, None)
            if column is not None:  # its file may be deleted: an open descriptor keeps it on disk
                column.close()
        self._segments = self._grouped(self._segments)

    def _grouped(self, segments: list[_BandSegment]) -> list[_BandSegment]:
        """The segments with those whose arrays are grouped (``write_groups``) read as one:
        one lookup a group instead of one a segment."""
        if not segments or any(not hasattr(s.reader, "segment") for s in segments):
            return segments
        ids = [(s.reader.segment().segment_id(), s.reader.doc_count_all()) for s in segments]
        units: list[_BandSegment] = []
        for unit in commit_units(self._folder, ids):
            members = segments[unit.first : unit.first + unit.count]
            if unit.arrays is None or not unit.arrays.has_field(COPY_BANDS_FIELD):
                units.extend(members)
                continue
            base = members[0].base
            deleted = frozenset(d + m.base - base for m in members for d in m.deleted)
            units.append(_BandSegment(None, base, unit.arrays, deleted))
        return units

    def close(self) -> None:
        self.release()
        for column in self._openings.values():
            if column is not None:
                column.close()
        self._openings = {}
        self._open_files.clear()

    def release(self) -> None:
        """Close the reader before a commit: its mapped pages of the index (about 300 MB at
        150,000 articles) would otherwise add to the commit's own, grouping arrays among them.
        ``batch_committed`` opens it again, or the next decision does."""
        if self._reader is not None:
            self._reader.close()
            self._reader = None

    def _stored_candidates(self, bands: list[str]) -> list[Candidate]:
        if self._reader is None:  # released before a commit
            self._open_reader()
        reader = self._reader
        if reader is None or self._dup_keys is None:
            return []
        present = [band for band in bands if self._in_index.might_contain(band)]
        if not present:
            return []
        hashes = np.array([term_hash(band.encode("ascii")) for band in present], dtype=np.uint64)
        hits: Counter[int] = Counter()
        for segment in self._segments:
            if segment.arrays is not None:
                docs = segment.arrays.docs_of_terms(COPY_BANDS_FIELD, hashes).tolist()
            else:  # a segment written before its band terms went into its arrays
                leaf = segment.reader
                docs = [
                    docnum
                    for band in present
                    if (COPY_BANDS_FIELD, band) in leaf
                    for docnum in leaf.postings(COPY_BANDS_FIELD, band).all_ids()
                ]
            deleted = segment.deleted
            hits.update(segment.base + docnum for docnum in docs if docnum not in deleted)
        found = []
        for docnum, count in hits.items():
            opening = self._opening(docnum)
            if opening is not None:
                found.append(Candidate(opening[0], count, docnum=docnum, text=opening[1]))
                continue
            stored = reader.stored_fields(docnum)
            stored_id = stored.get("id")
            if stored_id:
                found.append(Candidate(stored_id, count, docnum=docnum, stored=stored))
        return found

    def _opening(self, docnum: int) -> tuple[str, CopyText] | None:
        """The stored opening of a committed article, or None when it was indexed without one."""
        leaf_number = bisect.bisect_right(self._leaf_bases, docnum) - 1
        segment_id = self._leaf_ids[leaf_number]
        if segment_id not in self._openings:
            leaf = self._leaves[leaf_number]
            extent = column_extent(leaf, COPY_OPENING_FIELD) if COPY_OPENING_FIELD in leaf.schema else None
            self._openings[segment_id] = None if extent is None else _OpeningColumn(*extent, leaf.doc_count_all())
        column = self._openings[segment_id]
        if column is None:
            return None
        if segment_id in self._open_files:
            self._open_files.move_to_end(segment_id)
        else:
            self._open_files[segment_id] = None
            if len(self._open_files) > OPEN_COLUMN_FILES:
                oldest = self._open_files.popitem(last=False)[0]
                closing = self._openings.get(oldest)
                if closing is not None:
                    closing.close()
        return read_copy_opening(column[docnum - self._leaf_bases[leaf_number]])

    def _stored_text(self, candidate: Candidate) -> CopyText:
        if candidate.text is None:
            stored = candidate.stored or {}
            # A candidate is compared at once: its whole opening is read in one pass.
            candidate.text = CopyText(stored.get("title", ""), stored.get("body", ""), read=_KEPT_WORDS)
        return candidate.text

    def _stored_dup_key(self, candidate: Candidate) -> str:
        dup_key = self._dup_keys[candidate.docnum]
        return dup_key.decode("utf-8") if isinstance(dup_key, bytes) else dup_key

    def _committed(self, committed: list[KnownArticle]) -> None:
        self._in_index.add(band for known in committed for band in known.bands)
        self.release()
        self._open_reader()
