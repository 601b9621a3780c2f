"""The clickid vocabulary behind the stemmer's data and its labelled word lists.

    python -m bench.stem_vocabulary evidence   # rewrite index/data/root_evidence.tsv
    python -m bench.stem_vocabulary heldout    # the words drawn for tests/data/stem_heldout.tsv
    python -m bench.stem_vocabulary dev        # the words drawn for tests/data/stem_dev.tsv

Words are counted by document: the clickid articles as the readers repair them (title and
body), split and folded as the surface analyzer does. ``evidence`` writes, for every root
that another root can be mistaken for at a nasal prefix or before -an/-kan, the number of
articles with its unambiguous forms (see ``index.stemming.resolve_boundaries``). The two
draws print the words that were labelled by hand, one per line with their band, so that
anyone can check how the lists were chosen; the roots themselves were never derived from a
stemmer.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from berita_search.index.analysis import fold, icu_words
from berita_search.index.protected import PROTECTED
from berita_search.index.readers import record_to_article
from berita_search.index.stemming import (
    ROOT_EVIDENCE_FILE,
    boundary_readings,
    boundary_roots,
    sastrawi_roots,
    sastrawi_stemmer,
)
from berita_search.index.stopwords import STOPWORDS
from berita_search.index.wordlists import data_path

from bench.corpus import CLICKID, REPO

TESTS_DATA = REPO / "tests" / "data"
# Looks affixed: the held-out list's candidates (many such words are roots).
_AFFIXED = re.compile(r"^(me|pe|di|ber|be|ter|ke|se|per)|(kan|an|i|nya|lah|kah|pun|ku|mu)$")
BANDS = {"high": (100, None), "mid": (10, 99), "low": (2, 9)}
HELDOUT_SEED, HELDOUT_PER_BAND = 20240611, 160
DEV_SEED, DEV_PER_BAND = 7, {"high": None, "mid": 80, "low": 80}  # None: every word of the band

EVIDENCE_HEADER = """\
# Corpus evidence for the default stemmer's two ambiguous boundaries (index.stemming,
# resolve_boundaries): for each root that another root can be mistaken for at a nasal prefix
# (mengawal: kawal or awal) or before -an/-kan (kerusakan: rusak or rusa), the number of
# clickid articles (CC BY 4.0, {articles:,} articles) holding forms of it that no nasal or
# suffix hides. Roots with no such article are left out (zero).
# Regenerate: python -m bench.stem_vocabulary evidence
# root	bare (the root as a word)	di+root(+nya)	di+root+kan(+nya)	di+root+i(+nya)
"""


@dataclass
class Vocabulary:
    articles: int = 0
    document_frequency: Counter[str] = field(default_factory=Counter)
    occurrences: Counter[str] = field(default_factory=Counter)
    lower_case: Counter[str] = field(default_factory=Counter)
    documents: list[frozenset[str]] = field(default_factory=list)


def clickid_vocabulary(keep_documents: bool = False) -> Vocabulary:
    vocabulary = Vocabulary()
    with CLICKID.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            try:
                article = record_to_article(json.loads(line), f"{CLICKID.name}:{number}")
            except ValueError:
                continue
            vocabulary.articles += 1
            words: set[str] = set()
            for text in (article.title or "", article.body or ""):
                for start, end in icu_words(text):
                    raw = text[start:end]
                    word = fold(raw)
                    if not word:
                        continue
                    vocabulary.occurrences[word] += 1
                    if raw[:1].islower():
                        vocabulary.lower_case[word] += 1
                    words.add(word)
            vocabulary.document_frequency.update(words)
            if keep_documents:
                vocabulary.documents.append(frozenset(words))
    return vocabulary


def labelled_words(name: str) -> set[str]:
    path = TESTS_DATA / name
    if not path.exists():
        return set()
    lines = path.read_text(encoding="utf-8").splitlines()
    return {line.split("\t")[0] for line in lines if line.strip() and not line.startswith("#")}


def candidates(vocabulary: Vocabulary, exclude: set[str]) -> list[tuple[str, int]]:
    """Plain lower-case words that look affixed: not names, codes, stopwords or listed words."""
    found = []
    for word, df in vocabulary.document_frequency.items():
        if not (word.isascii() and word.isalpha() and len(word) >= 5):
            continue
        if vocabulary.lower_case[word] / vocabulary.occurrences[word] < 0.8:
            continue
        if word in exclude or word in STOPWORDS or word in PROTECTED or not _AFFIXED.search(word):
            continue
        found.append((word, df))
    return found


def in_band(df: int, band: str) -> bool:
    low, high = BANDS[band]
    return df >= low and (high is None or df <= high)


def draw_heldout(vocabulary: Vocabulary) -> dict[str, list[str]]:
    pool = candidates(vocabulary, labelled_words("stem_gold.tsv"))
    rng = random.Random(HELDOUT_SEED)
    return {band: rng.sample(sorted(w for w, df in pool if in_band(df, band)), HELDOUT_PER_BAND) for band in BANDS}


def draw_dev(vocabulary: Vocabulary) -> dict[str, list[str]]:
    """Words with two dictionary readings at a boundary, none from the gold or held-out lists."""
    exclude = labelled_words("stem_gold.tsv") | labelled_words("stem_heldout.tsv")
    stem, roots = sastrawi_stemmer(), sastrawi_roots()
    pool = []
    for word, df in candidates(vocabulary, exclude):
        if df < 2:
            continue
        readings = boundary_readings(word, stem(word), roots)
        if sum(len(r) for r in readings.values()) > 1:
            pool.append((word, df))
    rng = random.Random(DEV_SEED)
    drawn = {}
    for band, size in DEV_PER_BAND.items():
        words = sorted(w for w, df in pool if in_band(df, band))
        drawn[band] = words if size is None else rng.sample(words, size)
    return drawn


def write_evidence(vocabulary: Vocabulary, target: Path) -> int:
    roots = boundary_roots(sastrawi_roots())
    # Each form word -> the (root, column) it counts for.
    forms: dict[str, list[tuple[str, int]]] = {}
    for root in roots:
        for column, words in enumerate(
            (
                [root],
                [f"di{root}", f"di{root}nya"],
                [f"di{root}kan", f"di{root}kannya"],
                [f"di{root}i", f"di{root}inya"],
            )
        ):
            for word in words:
                forms.setdefault(word, []).append((root, column))
    counts: dict[str, list[int]] = {}
    for document in vocabulary.documents:
        hits = {hit for word in document & forms.keys() for hit in forms[word]}
        for root, column in hits:
            counts.setdefault(root, [0, 0, 0, 0])[column] += 1
    lines = [f"{root}\t" + "\t".join(map(str, counts[root])) for root in sorted(counts)]
    target.write_text(EVIDENCE_HEADER.format(articles=vocabulary.articles) + "\n".join(lines) + "\n", encoding="utf-8")
    return len(lines)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.stem_vocabulary", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["evidence", "heldout", "dev"])
    args = parser.parse_args()
    vocabulary = clickid_vocabulary(keep_documents=args.command == "evidence")
    if args.command == "evidence":
        target = data_path(ROOT_EVIDENCE_FILE)
        written = write_evidence(vocabulary, target)
        print(f"{written} roots from {vocabulary.articles:,} articles -> {target}")
        return
    drawn = draw_heldout(vocabulary) if args.command == "heldout" else draw_dev(vocabulary)
    for band, words in drawn.items():
        for word in words:
            print(f"{word}\t{band}\t{vocabulary.document_frequency[word]}")


if __name__ == "__main__":
    main()
