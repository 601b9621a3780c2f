"""Indonesian stemmers compared by the relevance harness, behind one interface.

* ``sastrawi``: dictionary-based Nazief-Adriani (pysastrawi), with a guard list, and corpus
  evidence where two roots fit the same word (see ``resolve_boundaries``).
* ``tala``: the rule-based Tala stemmer as Snowball implements it (PyStemmer).
* ``light``: inflectional only: particles (-lah, -kah, -pun) and possessives (-ku, -mu, -nya).
* ``none``: folding only.

Stemmers are slow and news vocabularies repeat, so every stem is cached.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache, lru_cache
from typing import NamedTuple

from berita_search.index.protected import PROTECTED
from berita_search.index.wordlists import data_lines, read_words

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


@cache
def sastrawi_roots() -> frozenset[str]:
    """Sastrawi's root dictionary without the dropped roots."""
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    return frozenset(w for w in StemmerFactory().get_words() if w and w not in SASTRAWI_DROPPED_ROOTS)


@cache
def sastrawi_stemmer() -> StemFunction:
    """Sastrawi's own stemmer over ``sastrawi_roots()``, before any boundary is resolved."""
    from Sastrawi.Dictionary.ArrayDictionary import ArrayDictionary
    from Sastrawi.Stemmer.Stemmer import Stemmer as SastrawiStemmer

    return SastrawiStemmer(ArrayDictionary(sorted(sastrawi_roots()))).stem


def _sastrawi() -> StemFunction:
    stem, roots, evidence = sastrawi_stemmer(), sastrawi_roots(), root_evidence()

    def stem_word(word: str) -> str:
        return resolve_boundaries(word, stem(word), roots, evidence)

    return stem_word


# ------------------------------------------------------------------ ambiguous boundaries
#
# Sastrawi takes the first root its rules find in the dictionary. At two boundaries both
# readings are often dictionary words, and the first is often the wrong one:
#
# * a nasal prefix before a vowel hides the root's first letter or keeps it: mengawal is
#   meng-kawal but mengawali is meng-awal-i; memakan is me-makan, memasak is me-masak (not
#   pasak); pemadam is pe-padam (not madam);
# * "-kan" after a vowel is the suffix -kan or a root in k with -an: dikatakan is di-kata-kan,
#   kerusakan is ke-rusak-an (not rusa), penegakan is pe-tegak-an (not tega).
#
# The suffix is settled by which affixes go together (Indonesian has pe(N)-an, per-an, ke-an
# and se-an but no pe-kan or ke-kan; me(N)-kan, di-kan and ter-kan but no me-an or di-an),
# where the corpus does not show the word to be a misspelt -kkan (diletakan); the nasal by the
# corpus: the root whose forms without the nasal, the passive di- form with the same suffix
# first (dikawal against diawal for mengawal, diawali against dikawali for mengawali), are
# found in more articles. Those counts come from the clickid corpus (ROOT_EVIDENCE_FILE,
# written by ``python -m bench.stem_vocabulary evidence``).

# Each nasal with the root's first letter it replaces, and what the nasal leaves when the root
# keeps its own first letter (memakan: makan, menanti: nanti, menyanyi: nyanyi).
_NASALS = (("ng", "k", ""), ("m", "p", "m"), ("n", "t", "n"), ("ny", "s", "ny"))
_VOWELS = ("a", "i", "u", "e", "o")
_NASAL_PREFIXES = ("me", "pe", "keme", "kepe", "seme", "sepe")  # kepemimpinan, sepengetahuan
_INFLECTIONS = re.compile(r"(?:nya|ku|mu)?(?:lah|kah|pun)?$")
_UNINFLECTED = re.compile(r"^(.{4,}?)(?:nya|ku|mu)?(?:lah|kah|pun)?$")
_NOMINAL_PREFIXES = ("pe", "ke", "se")  # their confixes end in -an, never -kan
_VERBAL_PREFIXES = ("me", "di", "ter", "ku", "kau")  # with -kan, never with a bare -an
ROOT_EVIDENCE_FILE = "root_evidence.tsv"


class Evidence(NamedTuple):
    """Articles of the corpus with forms of a root that no nasal prefix or suffix hides."""

    bare: int  # the root as a word
    passive: int  # di + root (+ nya)
    passive_kan: int  # di + root + kan (+ nya)
    passive_i: int  # di + root + i (+ nya)

    def with_suffix(self, suffix: str) -> int:
        return self.passive_kan if suffix == "kan" else self.passive_i if suffix == "i" else self.passive


NO_EVIDENCE = Evidence(0, 0, 0, 0)


@cache
def root_evidence() -> dict[str, Evidence]:
    table: dict[str, Evidence] = {}
    for line in data_lines(ROOT_EVIDENCE_FILE):
        root, *counts = line.split("\t")
        table[root] = Evidence(*map(int, counts))
    return table


def nasal_readings(word: str, root: str) -> tuple[list[str], str]:
    """``root``, and the other root its nasal prefix could hide, with the suffix that follows.

    mengawali, awal: (["awal", "kawal"], "i"); memakan, makan: (["makan", "pakan"], "").
    Without a nasal prefix before a vowel: ([root], "").
    """
    for nasal, consonant, kept in _NASALS:
        for head, other in ((consonant, kept), (kept, consonant)):
            rest = root[len(head) :]
            if root.startswith(head) and rest.startswith(_VOWELS):
                for prefix in _NASAL_PREFIXES:
                    if word.startswith(f"{prefix}{nasal}{rest}"):
                        suffix = _INFLECTIONS.sub("", word[len(prefix) + len(nasal) + len(rest) :], count=1)
                        return [root, other + rest], suffix
    return [root], ""


def suffix_readings(base: str, root: str) -> tuple[str, str] | None:
    """(the root before -an, the root before -kan) when ``base`` ends in -kan after one k."""
    if len(root) < 3 or not base.endswith("kan") or base.endswith("kkan"):
        return None
    # root[1:]: a nasal prefix may have replaced the first letter.
    if root.endswith("k") and base[:-2].endswith(root[1:]):
        return root, root[:-1]
    if not root.endswith("k") and base[:-3].endswith(root[1:]):
        return root + "k", root
    return None


def _uninflected(word: str) -> str:
    """``word`` without a possessive or particle: kerusakannya -> kerusakan."""
    match = _UNINFLECTED.match(word)
    return match.group(1) if match else word


def boundary_readings(word: str, root: str, roots: frozenset[str]) -> dict[str, list[str]]:
    """The dictionary roots ``word`` can be read as at the two boundaries, by the suffix read.

    Keys "an" and "kan" when the word ends in -kan after one k and both readings are roots;
    else the one key "" (no suffix choice), whose list starts with ``root``.
    """
    split = suffix_readings(_uninflected(word), root)
    if split is not None:
        with_an = [r for r in nasal_readings(word, split[0])[0] if r in roots]
        with_kan = [r for r in nasal_readings(word, split[1])[0] if r in roots]
        if with_an and with_kan:
            return {"an": with_an, "kan": with_kan}
    readings = nasal_readings(word, root)[0]
    return {"": [r for r in readings if r == root or r in roots]}


def resolve_boundaries(word: str, root: str, roots: frozenset[str], evidence: dict[str, Evidence]) -> str:
    """Sastrawi's ``root`` of ``word``, or the other reading at a nasal or -an/-kan boundary."""
    readings = boundary_readings(word, root, roots)
    if "" in readings:
        return _likelier(readings[""], nasal_readings(word, root)[1], root, evidence)
    with_an, with_kan = readings["an"], readings["kan"]

    def best(candidates: list[str], suffix: str) -> int:
        return max(evidence.get(r, NO_EVIDENCE).with_suffix(suffix) for r in candidates)

    base = _uninflected(word)
    if base == with_an[0] + "an":
        # No prefix: a noun in -an (desakan) or an imperative in -kan (carikan); the
        # corpus's passives tell which verb it belongs to (didesak, dicarikan).
        suffix = "kan" if best(with_kan, "kan") > best(with_an, "") else "an"
    elif word.startswith(_NOMINAL_PREFIXES):
        suffix = "an"
    elif word.startswith(_VERBAL_PREFIXES):
        # -an here is a misspelt -kkan (diletakan) only where the corpus spells it so.
        suffix = "an" if best(with_an, "kan") > best(with_kan, "kan") else "kan"
    else:
        # ber- takes both -an and -kan: Sastrawi's reading stands.
        suffix = "an" if root in with_an else "kan"
    if suffix == "an":
        return _likelier(with_an, "", root, evidence)
    return _likelier(with_kan, "kan", root, evidence)


def _likelier(readings: list[str], suffix: str, root: str, evidence: dict[str, Evidence]) -> str:
    """The reading whose unambiguous forms the corpus has most; Sastrawi's on a tie."""
    if len(readings) == 1:
        return readings[0]

    def weight(reading: str) -> tuple[int, int, int, bool]:
        found = evidence.get(reading, NO_EVIDENCE)
        passives = found.passive + found.passive_kan + found.passive_i
        return found.with_suffix(suffix), passives, found.bare, reading == root

    return max(readings, key=weight)


def boundary_roots(roots: frozenset[str]) -> set[str]:
    """The roots another root can be mistaken for at a nasal prefix or before -an/-kan."""
    found: set[str] = set()
    for root in roots:
        partners = [root + "k", root[:-1] if root.endswith("k") else ""]
        for _, consonant, kept in _NASALS:
            for head, other in ((consonant, kept), (kept, consonant)):
                rest = root[len(head) :]
                if root.startswith(head) and rest.startswith(_VOWELS):
                    partners.append(other + rest)
        hits = [p for p in partners if p in roots]
        if hits:
            found.add(root)
            found.update(hits)
    return found


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
