"""Indonesian analysis: the one definition used to index and to query every text field.

Two analyzers, built from the same pieces:

* ``surface_analyzer()``: ICU word segmentation, NFKC case folding, accent folding and
  transliteration, reduplication (``anak2`` = ``anak``). Stopwords stay indexed so that
  phrase queries match word for word.
* ``stem_analyzer(stemmer)``: the same, then stopwords removed (positions kept) and each
  word reduced to its root, with proper names protected.

Fields index both, and queries weight the exact (surface) form above the root, so that
``pertukaran`` finds ``bertukar`` while ``kementerian`` still ranks ``kementerian`` first.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Callable, Iterator
from functools import lru_cache
from pathlib import Path

import icu
from berita_search.index.stopwords import STOPWORDS
from berita_search.index.wordlists import read_words
from whoosh.analysis import Composable, Filter, Token, Tokenizer

_ICU_WORD_STATUS = 100  # rule status >= 100: the segment is a word or number, not space/punct
_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
_ASTRAL = re.compile(r"[\U00010000-\U0010FFFF]")
_APOSTROPHES = str.maketrans("", "", "'’ʼ`")
_REDUPLICATION_DIGIT = re.compile(r"^([^\W\d_]{2,})2$")  # anak2 -> anak
_SENTENCE_END = re.compile(r"[.!?:\n\"“”]")

_local = threading.local()


def _word_breaker() -> icu.BreakIterator:
    # BreakIterators hold state: one per thread.
    breaker = getattr(_local, "breaker", None)
    if breaker is None:
        breaker = _local.breaker = icu.BreakIterator.createWordInstance(icu.Locale("id_ID"))
    return breaker


def icu_words(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) offsets into ``text`` of each ICU word segment.

    ICU counts UTF-16 code units; texts with astral characters (emoji) are mapped back to
    Python string offsets so that every later token keeps its true position.
    """
    text = text.translate(_SUPERSCRIPTS)
    breaker = _word_breaker()
    ustr = icu.UnicodeString(text)
    breaker.setText(ustr)
    mapping: list[int] | None = None
    if _ASTRAL.search(text):
        mapping = []
        for index, ch in enumerate(text):
            mapping.append(index)
            if ord(ch) > 0xFFFF:
                mapping.append(index)
        mapping.append(len(text))
    start = breaker.first()
    for end in breaker:
        if breaker.getRuleStatus() >= _ICU_WORD_STATUS:
            if mapping is None:
                yield start, end
            else:
                yield mapping[start], mapping[end]
        start = end


@lru_cache(maxsize=1)
def _transliterator() -> icu.Transliterator:
    return icu.Transliterator.createInstance("Any-Latin; Latin-ASCII")


@lru_cache(maxsize=200_000)
def fold(word: str) -> str:
    """Case, width, accent and script folding: 'Société' -> 'societe', 'Путин' -> 'putin'."""
    word = unicodedata.normalize("NFKC", word).casefold().translate(_APOSTROPHES)
    if not word.isascii():
        word = _transliterator().transliterate(word).casefold()
    m = _REDUPLICATION_DIGIT.match(word)
    if m:
        word = m.group(1)
    return word


class IndonesianTokenizer(Tokenizer):
    """ICU word segmentation; each token carries whether it looks like a proper name."""

    def __init__(self, mark_names: bool = False) -> None:
        self.mark_names = mark_names

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.mark_names == self.mark_names

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: object,
    ) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            token.original = token.text = value
            token.boost = 1.0
            token.name = False
            if positions:
                token.pos = start_pos
            if chars:
                token.startchar, token.endchar = start_char, start_char + len(value)
            yield token
            return
        names = self.mark_names and _capitalisation_is_informative(value)
        for pos, (text, start, end, name_like) in enumerate(_segments(value)):
            token.text = text
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = text
            token.name = names and name_like
            if positions:
                token.pos = start_pos + pos
            if chars:
                token.startchar = start_char + start
                token.endchar = start_char + end
            yield token


# A field's text reaches the surface, stem and pair analyzers one after another: segment
# it once. Keyed by the string itself, so a hit always returns the same segmentation.
_MEMO_SIZE = 4


def _segments(value: str) -> list[tuple[str, int, int, bool]]:
    """(word, start, end, looks like a name) for each ICU word of ``value``, memoised per thread."""
    memo: dict[str, list[tuple[str, int, int, bool]]] | None = getattr(_local, "segments", None)
    if memo is None:
        memo = _local.segments = {}
    found = memo.get(value)
    if found is not None:
        return found
    found = []
    previous_end = 0
    for start, end in icu_words(value):
        text = value[start:end]
        # A capitalised word that does not open a sentence is taken for a name.
        name_like = bool(found) and text[:1].isupper() and not _SENTENCE_END.search(value, previous_end, start)
        found.append((text, start, end, name_like))
        previous_end = end
    if len(memo) >= _MEMO_SIZE:
        del memo[next(iter(memo))]
    memo[value] = found
    return found


def surface_words(value: str, limit: int | None = None) -> list[str]:
    """The first ``limit`` words of ``value`` as the surface analysis makes them (ICU segments,
    folded, empty ones dropped), from the memoised segmentation: nothing more to segment when
    the field is analysed next, as in an indexing worker."""
    words: list[str] = []
    for text, _start, _end, _name in _segments(value):
        word = fold(text)
        if word:
            words.append(word)
            if len(words) == limit:
                break
    return words


def _capitalisation_is_informative(text: str) -> bool:
    """Headlines in Title Case or ALL CAPS say nothing about which words are names."""
    sample = text[:400].split()
    if len(sample) < 4:
        return False
    capitalised = sum(1 for w in sample if w[:1].isupper())
    return capitalised / len(sample) < 0.5


class FoldFilter(Filter):
    """Lower-case, accent-fold and transliterate each token (see ``fold``)."""

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self)

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for token in tokens:
            token.text = fold(token.text)
            if token.text:
                yield token


class IndonesianStopFilter(Filter):
    """Drop function words but keep positions, so phrase distances stay true."""

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self)

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for token in tokens:
            if token.text in STOPWORDS:
                if not token.removestops:
                    token.stopped = True
                    yield token
                continue
            yield token


class StemFilter(Filter):
    """Reduce words to roots with the named stemmer; protected words and names stay whole."""

    def __init__(self, stemmer: str = "sastrawi") -> None:
        self.stemmer = stemmer

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.stemmer == self.stemmer

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        from berita_search.index.stemming import get_stemmer

        stem = get_stemmer(self.stemmer)
        for token in tokens:
            if not getattr(token, "name", False):
                token.text = stem(token.text)
            yield token


def surface_analyzer() -> Composable:
    return IndonesianTokenizer() | FoldFilter()


def stem_analyzer(stemmer: str = "sastrawi") -> Composable:
    return IndonesianTokenizer(mark_names=True) | FoldFilter() | IndonesianStopFilter() | StemFilter(stemmer)


def analyze(text: str, analyzer: Composable | None = None) -> list[str]:
    """Token texts of ``text``: a convenience for tests and the query layer."""
    return [t.text for t in (analyzer or surface_analyzer())(text)]


StemFunction = Callable[[str], str]


class PairFilter(Filter):
    """Two consecutive tokens as one term ``"kim jong"``: a phrase's necessary condition.

    Indexed beside a positional field, word pairs let a phrase query skip every document
    that lacks one of its pairs before positions are read (see ``search.backends.whoosh_phrases``). Only
    pairs of two common words are kept (``common``; None keeps every pair): a phrase with
    any rarer word is already narrowed by that word's own postings, and pairs of rare words
    would be most of the index's terms. The set travels with the index's schema, so queries
    always know which pairs an index holds.

    With ``folds`` the filter folds each word itself (``fold``, as ``FoldFilter`` does for the
    positional field) and pairs only words whose positions are adjacent there: a word that
    folds to nothing leaves a gap in the field's positions, and breaks the pair. Then a
    document holds the pair exactly when the two-word phrase matches it (``exact``). Indexes
    written before kept pairs across such a gap: for them the pair is only a filter.
    """

    def __init__(self, common: frozenset[str] | None = None, folds: bool = False) -> None:
        self.common = common
        self.folds = folds

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.common == self.common and other.exact == self.exact

    @property
    def exact(self) -> bool:
        """Whether holding a pair is the same as matching its two-word phrase."""
        return getattr(self, "folds", False)  # indexes written before the flag: a filter only

    def indexes(self, first: str, second: str) -> bool:
        common = getattr(self, "common", None)  # indexes written before the list kept every pair
        return common is None or (first in common and second in common)

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        common = getattr(self, "common", None)
        folds = self.exact
        previous: str | None = None
        for token in tokens:
            text = fold(token.text) if folds else token.text
            if not text:  # a gap in the positional field's positions: no phrase spans it
                previous = None
                continue
            first, previous = previous, text
            # self.indexes(first, previous), inlined: this runs once per indexed word.
            if first is not None and (common is None or (first in common and previous in common)):
                token.text = pair_term(first, previous)
                yield token


def pair_term(first: str, second: str) -> str:
    return f"{first} {second}"


COMMON_WORDS_FILE = "index/data/common_words.txt"


def common_words() -> frozenset[str]:
    """The words whose pairs are indexed (``bench/common_words.py`` makes the list)."""
    return read_words(Path(COMMON_WORDS_FILE).name)


def pair_analyzer(common: frozenset[str] | None = None) -> Composable:
    return IndonesianTokenizer() | PairFilter(common_words() if common is None else common, folds=True)


def pair_filter_of(analyzer: object) -> PairFilter | None:
    """The PairFilter inside an index's pair-field analyzer."""
    for item in getattr(analyzer, "items", [analyzer]):
        if isinstance(item, PairFilter):
            return item
    return None
