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

StemFunction = Callable[[str], str]
STEMMERS = ("sastrawi", "tala", "light", "none")

_PARTICLES = ("lah", "kah", "tah", "pun")
_POSSESSIVES = ("nya", "ku", "mu")
# Words whose ending only looks like a particle or possessive.
_LIGHT_KEEP = frozenset(
    [
        "sekolah",
        "masalah",
        "jumlah",
        "istilah",
        "olah",
        "kalah",
        "salah",
        "allah",
        "wilayah",
        "sejarah",
        "adalah",
        "ialah",
        "daerah",
        "lembah",
        "rumah",
        "tanah",
        "darah",
        "marah",
        "ramah",
        "ibadah",
        "indah",
        "nikah",
        "tanya",
        "hanya",
        "punya",
        "karunia",
        "dunia",
        "manusia",
        "usia",
        "bahaya",
        "biaya",
        "budaya",
        "raya",
        "jaya",
        "soekarnoputra",
        "surabaya",
        "ketua",
        "mutu",
        "ilmu",
        "waktu",
        "buku",
        "temu",
        "tamu",
        "jamu",
        "palu",
        "ragu",
        "madu",
        "baku",
        "laku",
        "satu",
        "ibu",
        "guru",
        "tunggu",
        "ratu",
        "batu",
        "rindu",
        "kayu",
        "bantu",
        "mampu",
        "semu",
        "tahu",
        "malu",
        "penyanyi",
        "nyanyi",
        "upaya",
    ]
)


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


# Rare roots in Sastrawi's dictionary that capture common news words; without them the
# stemmer finds the intended root: mengunjungi -> kunjung (not unjung), mengecek -> cek,
# berupa -> rupa, penyelidikan -> selidik, penyidikan -> sidik, perampokan -> rampok,
# perawat -> rawat, berangkat -> angkat.
SASTRAWI_DROPPED_ROOTS = frozenset(["unjung", "ecek", "kecek", "upa", "lidi", "sidi", "ampo", "awat", "berangkat"])


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
