"""Regenerate ``index/data/common_words.txt``: the words whose pairs are indexed for phrases.

    python -m bench.common_words [--top 1000]

The list is the ``--top`` surface words (folded, as the analyzer emits them) by the number
of clickid articles that contain them. A phrase made only of such words has a large
candidate set, so its word pairs are indexed; a phrase with any rarer word is already
narrowed by that word's postings (see ``index.analysis.PairFilter``).
"""

from __future__ import annotations

import argparse
from collections import Counter

from berita_search.index.analysis import COMMON_WORDS_FILE, analyze

from bench.corpus import REPO, clickid_rows

HEADER = """\
# Word pairs are indexed only when both words are on this list (index.analysis.PairFilter).
# The {top} most widespread words of the clickid corpus (CC BY 4.0), by document frequency,
# folded as the surface analyzer emits them. Regenerate: python -m bench.common_words
# Changing the list changes which pairs new indexes hold; every index keeps its own copy.
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=1000)
    args = parser.parse_args()
    document_frequency: Counter[str] = Counter()
    articles = 0
    for row in clickid_rows():
        articles += 1
        document_frequency.update(set(analyze(f"{row.get('title') or ''}\n{row.get('content') or ''}")))
    words = [word for word, _ in document_frequency.most_common(args.top)]
    last = document_frequency[words[-1]]
    target = REPO / COMMON_WORDS_FILE
    target.write_text(HEADER.format(top=args.top) + "\n".join(sorted(words)) + "\n", encoding="utf-8")
    print(f"{len(words)} words from {articles} articles (the rarest in {last / articles:.2%} of them) -> {target}")


if __name__ == "__main__":
    main()
