"""Stemmer accuracy on hand-checked lists of Indonesian words with their roots.

* ``stem_gold.tsv``: 511 news words, names and places. In-sample: its names and places are
  also on the protected list, and its failures were fixed one by one.
* ``stem_heldout.tsv``: 432 words drawn at random from the clickid vocabulary in three
  frequency bands. Held out: never used to tune any rule, exception or choice.
* ``stem_dev.tsv``: 194 words at the two ambiguous boundaries (a nasal prefix before a vowel;
  ``-kan`` after one k), drawn apart from the held-out list: the list the boundary rule was
  tuned on.

Each stemmer is scored word by word through the same tokenizing and folding the index uses,
so reduplicated forms (``anak-anak``, ``anak2``) count too. The default stemmer must keep its
measured accuracy, and names and places must come through whole.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from berita_search.index.analysis import analyze, fold, surface_analyzer
from berita_search.index.protected import PROTECTED
from berita_search.index.schema import DEFAULT_STEMMER
from berita_search.index.stemming import (
    STEMMERS,
    boundary_readings,
    boundary_roots,
    get_stemmer,
    sastrawi_roots,
    sastrawi_stemmer,
)
from berita_search.index.wordlists import DATA_DIR, data_lines
from hypothesis import example, given, settings
from hypothesis import strategies as st

DATA = Path(__file__).parent / "data"
GOLD = DATA / "stem_gold.tsv"
HELDOUT = DATA / "stem_heldout.tsv"
DEV = DATA / "stem_dev.tsv"
DERIVED = ("prefix", "suffix", "confix", "clitic")
# Measured on each list: the default may not fall below it. Held out: 413/432 (0.956) with
# Sastrawi's first reading at the two boundaries, 418/432 (0.968) with the boundary rule.
DEFAULT_MIN_ACCURACY = 0.99
HELDOUT_MIN_ACCURACY = 0.965
# Tuned on: 113/194 (0.582) with Sastrawi's first reading, 184/194 (0.948) with the rule.
DEV_MIN_ACCURACY = 0.94


def labelled(path: Path) -> list[tuple[str, str, str]]:
    """(word, root, kind) of each row; further columns (band, df) are notes."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            word, root, kind = line.split("\t")[:3]
            rows.append((word, root, kind))
    return rows


def gold() -> list[tuple[str, str, str]]:
    return labelled(GOLD)


def stem_phrase(word: str, stemmer: str) -> str:
    """Stems of a word's tokens, repeats merged: 'anak-anak' -> 'anak'."""
    stem = get_stemmer(stemmer)
    out: list[str] = []
    for token in analyze(word, surface_analyzer()):
        s = stem(token)
        if not out or out[-1] != s:
            out.append(s)
    return " ".join(out)


def accuracy(stemmer: str, path: Path = GOLD) -> tuple[float, dict[str, tuple[int, int]], list[tuple[str, str, str]]]:
    total: Counter[str] = Counter()
    right: Counter[str] = Counter()
    wrong: list[tuple[str, str, str]] = []
    for word, root, kind in labelled(path):
        got = stem_phrase(word, stemmer)
        total[kind] += 1
        if got == root:
            right[kind] += 1
        else:
            wrong.append((word, root, got))
    overall = sum(right.values()) / sum(total.values())
    return overall, {k: (right[k], total[k]) for k in total}, wrong


def test_gold_list_is_large_and_well_formed() -> None:
    rows = gold()
    assert len(rows) >= 300
    assert len({w for w, _, _ in rows}) == len(rows)
    kinds = Counter(kind for _, _, kind in rows)
    for kind in ("prefix", "confix", "suffix", "clitic", "redup", "loanword", "name", "place", "acronym"):
        assert kinds[kind] >= 5, kind


def accuracy_table(path: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, float]:
    lines = []
    scores = {}
    for stemmer in STEMMERS:
        overall, per_kind, _ = accuracy(stemmer, path)
        scores[stemmer] = overall
        kinds = " ".join(f"{k}={r}/{t}" for k, (r, t) in sorted(per_kind.items()))
        derived = [per_kind[k] for k in DERIVED if k in per_kind]
        if "prefix" in per_kind:
            kinds = f"derived {sum(r for r, _ in derived) / sum(t for _, t in derived):.3f}  {kinds}"
        lines.append(f"{stemmer:9} {overall:.3f}  {kinds}")
    with capsys.disabled():
        print(f"\nstemmer accuracy on tests/data/{path.name}\n" + "\n".join(lines))
    return scores


def test_accuracy_per_stemmer(capsys: pytest.CaptureFixture[str]) -> None:
    scores = accuracy_table(GOLD, capsys)
    assert scores[DEFAULT_STEMMER] >= DEFAULT_MIN_ACCURACY
    # Every real stemmer must do better than leaving words alone.
    assert scores["sastrawi"] > scores["none"] and scores["tala"] > scores["none"]


def test_labelled_lists_are_apart_and_large() -> None:
    gold_words = {w for w, _, _ in gold()}
    heldout = labelled(HELDOUT)
    dev = labelled(DEV)
    heldout_words, dev_words = {w for w, _, _ in heldout}, {w for w, _, _ in dev}
    assert len(heldout_words) == len(heldout) and len(dev_words) == len(dev)
    assert not heldout_words & gold_words and not heldout_words & dev_words and not dev_words & gold_words
    assert sum(1 for _, _, kind in heldout if kind in DERIVED) >= 300
    assert len(dev) >= 150


def test_heldout_accuracy_per_stemmer(capsys: pytest.CaptureFixture[str]) -> None:
    """The held-out list is scored, never tuned on (see its header): an honest accuracy."""
    scores = accuracy_table(HELDOUT, capsys)
    assert scores[DEFAULT_STEMMER] >= HELDOUT_MIN_ACCURACY
    assert scores["sastrawi"] > scores["tala"] > scores["light"] > scores["none"]


def test_dev_accuracy_per_stemmer(capsys: pytest.CaptureFixture[str]) -> None:
    scores = accuracy_table(DEV, capsys)
    assert scores[DEFAULT_STEMMER] >= DEV_MIN_ACCURACY


# ---------------------------------------------------------------- the two ambiguous boundaries


@pytest.mark.parametrize(
    ("word", "root"),
    [
        # Nasal before a vowel: the passive with the same suffix decides (dikawal, diawali).
        ("mengawal", "kawal"),
        ("mengawali", "awal"),
        ("memakan", "makan"),
        ("memadamkan", "padam"),
        ("pemadaman", "padam"),
        ("mengurus", "urus"),
        ("menanti", "nanti"),
        # -kan after one k: ke-, pe- nouns take -an; di-, me- verbs take -kan unless the corpus
        # spells the word with kk; bare words by the verb the corpus has.
        ("kerusakan", "rusak"),
        ("penegakan", "tegak"),
        ("dikatakan", "kata"),
        ("dibekukan", "beku"),
        ("diletakan", "letak"),
        ("desakan", "desak"),
        ("carikan", "cari"),
        ("mematikan", "mati"),
    ],
)
def test_ambiguous_boundaries_in_the_default(word: str, root: str) -> None:
    assert stem_phrase(word, DEFAULT_STEMMER) == root


def _with_prefix(prefix: str, root: str) -> str:
    """meN-/peN- joined to a root as Indonesian spells it (k, p, t, s drop after the nasal)."""
    head = prefix[:2]
    first = root[0]
    if first in "aiueogh":
        return f"{head}ng{root}"
    if first == "k":
        return f"{head}ng{root[1:]}"
    if first == "p":
        return f"{head}m{root[1:]}"
    if first == "b":
        return f"{head}m{root}"
    if first == "t":
        return f"{head}n{root[1:]}"
    if first in "dcj":
        return f"{head}n{root}"
    if first == "s":
        return f"{head}ny{root[1:]}"
    return f"{head}{root}"


_FRAMES = {
    "meN-": lambda r: _with_prefix("me", r),
    "meN-kan": lambda r: _with_prefix("me", r) + "kan",
    "meN-i": lambda r: _with_prefix("me", r) + "i",
    "peN-an": lambda r: _with_prefix("pe", r) + "an",
    "di-kan": lambda r: f"di{r}kan",
    "ke-an": lambda r: f"ke{r}an",
    "-an": lambda r: f"{r}an",
    "-nya": lambda r: f"{r}nya",
}
_BOUNDARY_ROOTS = sorted(r for r in boundary_roots(sastrawi_roots()) if len(r) >= 3 and r.isalpha())


@settings(max_examples=300, deadline=None)
@given(root=st.sampled_from(_BOUNDARY_ROOTS), frame=st.sampled_from(sorted(_FRAMES)))
@example(root="tarak", frame="-an")  # "tarakan", a protected place name
def test_boundary_choice_is_a_reading_sastrawi_offered(root: str, frame: str) -> None:
    """The rule only chooses among the dictionary readings of the word; it never invents one.
    A protected word (index/data/protected.txt) is left whole instead."""
    word = _FRAMES[frame](root)
    stem = get_stemmer("sastrawi")
    if len(word) <= 3 or not word.isalpha():
        return
    if word in PROTECTED:
        assert stem(word) == word
        return
    first = sastrawi_stemmer()(word)
    readings = [r for rs in boundary_readings(word, first, sastrawi_roots()).values() for r in rs]
    result = stem(word)
    assert result == first or result in readings
    assert result == first or result in sastrawi_roots()


@settings(max_examples=200, deadline=None)
@given(root=st.sampled_from(_BOUNDARY_ROOTS), prefix=st.sampled_from(["ber", "ter", "di", ""]))
def test_words_without_either_boundary_keep_sastrawis_root(root: str, prefix: str) -> None:
    word = f"{prefix}{root}nya"
    if word.removesuffix("nya").endswith("kan"):
        return  # -kan after the root: a boundary
    assert get_stemmer("sastrawi")(word) == sastrawi_stemmer()(word)


@pytest.mark.parametrize("stemmer", ["sastrawi", "tala", "light"])
def test_names_and_places_stay_whole(stemmer: str) -> None:
    for word, root, kind in gold():
        if kind in ("name", "place"):
            assert stem_phrase(word, stemmer) == root, (stemmer, word)


def test_acronyms_and_agent_nouns_stay_whole_in_the_default() -> None:
    for word, root, kind in gold():
        if kind in ("acronym", "whole"):
            assert stem_phrase(word, DEFAULT_STEMMER) == root, word


@pytest.mark.parametrize(
    ("word", "root"),
    [
        ("menteri", "menteri"),
        ("pemilu", "pemilu"),
        ("bekasi", "bekasi"),
        ("bali", "bali"),
        ("relawan", "relawan"),
        ("mengunjungi", "kunjung"),
        ("pertukaran", "tukar"),
        ("bertukar", "tukar"),
        ("persenjataan", "senjata"),
    ],
)
def test_known_failures_are_fixed_in_the_default(word: str, root: str) -> None:
    assert stem_phrase(word, DEFAULT_STEMMER) == root


@pytest.mark.parametrize(
    "name", ["stopwords.txt", "protected.txt", "light_keep.txt", "sastrawi_dropped_roots.txt", "common_words.txt"]
)
def test_word_lists_are_headed_folded_and_unique(name: str) -> None:
    """Tokens reach the lists folded: an entry that folding changes can never match."""
    text = (DATA_DIR / name).read_text(encoding="utf-8")
    assert text.startswith("# "), "every list opens with a header saying where it came from"
    entries = data_lines(name)
    assert entries, name
    assert [w for w in entries if fold(w) != w or w != w.strip()] == []
    assert len(set(entries)) == len(entries)
