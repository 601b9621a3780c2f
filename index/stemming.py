"""Indonesian stemmers compared by the relevance harness, behind one interface.

* ``sastrawi``: dictionary-based Nazief-Adriani (pysastrawi), with a guard list.
* ``tala``: the rule-based Tala stemmer as Snowball implements it (PyStemmer).
* ``light``: inflectional only: particles (-lah, -kah, -pun) and possessives (-ku, -mu, -nya).
* ``none``: folding only.

Stemmers are slow and news vocabularies repeat, so every stem is cached.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, lru_cache

from berita_search.index.protected import PROTECTED
from berita_search.index.wordlists import read_words

StemFunction = Callable[[str], str]
STEMMERS = ("sastrawi", "tala", "light", "none")

_PARTICLES = ("lah", "kah", "tah", "pun")
_POSSESSIVES = ("nya", "ku", "mu")
# Words whose ending only looks like a particle or possessive (index/data/light_keep.txt).
_LIGHT_KEEP = read_words("light_keep.txt")


def _light(word: str) -> str:
    if word in _LIGHT_KEEP or len(word) <= 4:
        return word
    for suffix in _PARTICLES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            word = word[: -len(suffix)]
            break
    if word in _LIGHT_KEEP:
        return word
    for suffix in _POSSESSIVES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


# Rare roots in Sastrawi's dictionary that capture common news words, such as unjung for
# mengunjungi (index/data/sastrawi_dropped_roots.txt).
SASTRAWI_DROPPED_ROOTS = read_words("sastrawi_dropped_roots.txt")


def _sastrawi() -> StemFunction:
    from Sastrawi.Dictionary.ArrayDictionary import ArrayDictionary
    from Sastrawi.Stemmer.Stemmer import Stemmer as SastrawiStemmer
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    words = [w for w in StemmerFactory().get_words() if w and w not in SASTRAWI_DROPPED_ROOTS]
    return SastrawiStemmer(ArrayDictionary(words)).stem


def _guarded(stem: StemFunction) -> StemFunction:
    @lru_cache(maxsize=300_000)
    def guarded(word: str) -> str:
        # Numbers, codes and very short words have no affixes worth removing.
        if len(word) <= 3 or word in PROTECTED or not word.isalpha():
            return word
        result = stem(word)
        return result or word

    return guarded


@cache
def get_stemmer(name: str) -> StemFunction:
    if name == "sastrawi":
        return _guarded(_sastrawi())
    if name == "tala":
        import Stemmer

        snowball = Stemmer.Stemmer("indonesian")
        return _guarded(snowball.stemWord)
    if name == "light":
        return _guarded(_light)
    if name == "none":
        return lambda word: word
    raise ValueError(f"unknown stemmer {name!r}; choose one of {', '.join(STEMMERS)}")
