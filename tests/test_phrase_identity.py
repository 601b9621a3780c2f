"""Word-pair accelerated phrases return exactly what Whoosh's phrase query returns."""

from __future__ import annotations

import itertools
import re
from collections import Counter
from pathlib import Path

import pytest
from berita_search.index.analysis import analyze, pair_filter_of
from berita_search.index.readers import read_paths
from berita_search.index.writer import index_records, open_index
from berita_search.search.backends.whoosh import WhooshBackend, _Deadline
from berita_search.search.backends.whoosh_arrays import Evaluation
from berita_search.search.backends.whoosh_phrases import PairPhrase
from whoosh import scoring
from whoosh.query import Phrase

from tests.conftest import CLICKID_JSONL, require_shared

ARTICLES = 2500
NAME = re.compile(r"(?<!^)(?<![.!?] )\b([A-Z][a-z]+(?: [A-Z][a-z]+){1,2})\b")


@pytest.fixture(scope="module")
def clickid_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require_shared()
    folder = tmp_path_factory.mktemp("phrase-identity")
    subset = folder / "clickid.jsonl"
    with CLICKID_JSONL.open(encoding="utf-8") as fh, subset.open("w", encoding="utf-8") as out:
        out.writelines(itertools.islice(fh, ARTICLES))
    index_records(folder / "index", read_paths([subset]))
    return folder / "index"


def _phrases(index_dir: Path) -> list[list[str]]:
    """Names from titles (2 and 3 words), frequent body word pairs and triples, and misses."""
    ix = open_index(index_dir)
    names: Counter[str] = Counter()
    grams: Counter[tuple[str, ...]] = Counter()
    with ix.searcher() as searcher:
        for number, stored in enumerate(searcher.all_stored_fields()):
            if number >= 600:
                break
            names.update(m.group(1) for m in NAME.finditer(stored.get("title", "")))
            words = analyze(stored.get("body", "")[:1500])
            grams.update(zip(words, words[1:], strict=False))
            grams.update(zip(words, words[1:], words[2:], strict=False))
    phrases = [analyze(name) for name, _ in names.most_common(60)]
    phrases += [list(gram) for gram, _ in grams.most_common(60)]
    phrases += [["kim", "jong", "un"], ["presiden", "joko", "widodo"], ["tidak", "ada", "yang"], ["un", "jong", "kim"]]
    phrases += [["di", "di"], ["yang", "yang", "yang"], ["jakarta", "jakarta"]]
    return [p for p in phrases if len(p) >= 2]


@pytest.mark.parametrize("fieldname", ["body", "title", "caption"])
def test_pair_phrases_match_plain_phrases(clickid_index: Path, fieldname: str) -> None:
    ix = open_index(clickid_index)
    phrases = _phrases(clickid_index)
    assert len(phrases) > 100
    # Both paths are compared: phrases narrowed by indexed pairs, and phrases of rarer words.
    pairs = pair_filter_of(ix.schema[f"{fieldname}_pairs"].analyzer)
    assert pairs is not None and pairs.common
    with_pairs = sum(any(pairs.indexes(a, b) for a, b in zip(p, p[1:], strict=False)) for p in phrases)
    assert 20 < with_pairs < len(phrases) - 20
    nonempty = 0
    with ix.searcher(weighting=scoring.BM25F()) as searcher:
        for words in phrases:
            for slop in (1, 3):
                plain = searcher.search(Phrase(fieldname, words, slop=slop, boost=2.0), limit=None, terms=False)
                fast = searcher.search(PairPhrase(fieldname, words, slop=slop, boost=2.0), limit=None, terms=False)
                expected = [(hit.docnum, hit.score) for hit in plain]
                got = [(hit.docnum, hit.score) for hit in fast]
                assert sorted(d for d, _ in got) == sorted(d for d, _ in expected), (fieldname, words, slop)
                assert dict(got) == pytest.approx(dict(expected), rel=1e-12), (fieldname, words, slop)
                assert len(plain) == len(fast)
                nonempty += bool(expected)
    if fieldname != "caption":  # clickid articles carry no captions
        assert nonempty > 20


def test_pair_phrases_inside_a_top_page(clickid_index: Path) -> None:
    """Ranked pages (top 10 with block-quality skipping) are the same too."""
    ix = open_index(clickid_index)
    with ix.searcher(weighting=scoring.BM25F()) as searcher:
        for words in _phrases(clickid_index)[:80]:
            plain = searcher.search(Phrase("body", words), limit=10, terms=False)
            fast = searcher.search(PairPhrase("body", words), limit=10, terms=False)
            assert [h.docnum for h in fast] == [h.docnum for h in plain], words
            assert plain.scored_length() == fast.scored_length()


@pytest.mark.parametrize("fieldname", ["body", "title"])
def test_array_phrases_match_plain_phrases(clickid_index: Path, fieldname: str) -> None:
    """The search's own evaluation: exact phrases from the arrays (two common words from their
    word pair alone, the rest from the positions of the documents holding every word), phrases
    with a slop from the positions too; matches and scores are Whoosh's phrase's."""
    backend = WhooshBackend(clickid_index)
    by_pair = by_positions = with_slop = nonempty = 0
    with backend.snapshot() as snap:
        searcher = snap.searcher
        view = snap.view()
        # Every segment's positions are read from its arrays, the way commits write them.
        assert all(s.arrays is not None and s.arrays.has_positions(fieldname) for s in view.segments)
        evaluation = Evaluation(view, searcher, lambda: None)
        for words in _phrases(clickid_index):
            for slop in (1, 3):
                query = PairPhrase(fieldname, words, slop=slop, boost=2.0)
                plain = searcher.search(Phrase(fieldname, words, slop=slop, boost=2.0), limit=None, terms=False)
                expected = {hit.docnum: hit.score for hit in plain}
                docs, scores = snap.ranked(query, None, _Deadline(None))
                assert dict(zip(docs.tolist(), scores.tolist(), strict=True)) == pytest.approx(
                    expected, rel=1e-12, abs=0
                ), (fieldname, words, slop)
                assert sorted(snap.matching(query, None, _Deadline(None)).tolist()) == sorted(expected), words
                if (plan := evaluation._phrase(query)) is not None:
                    by_pair += plan.exact
                    by_positions += not plan.exact and plan.slop == 1
                    with_slop += plan.slop > 1
                nonempty += bool(expected)
    backend.close()
    assert by_pair >= 20 and by_positions >= 60 and with_slop >= 100 and nonempty > 20
