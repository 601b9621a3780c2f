"""The per-thread segmentation memo: one ICU pass serves the surface, stem and pair fields of
a text, and every analyzer must give exactly the tokens it gives without the memo, whatever
flags Whoosh calls it with and in whatever order."""

from __future__ import annotations

import itertools
import pickle
import threading
from collections.abc import Iterator

import pytest
from berita_search.index import analysis
from berita_search.index.analysis import (
    _SENTENCE_END,
    _capitalisation_is_informative,
    icu_words,
    pair_analyzer,
    stem_analyzer,
    surface_analyzer,
)
from berita_search.index.readers import Article, read_paths
from berita_search.index.schema import build_schema
from whoosh.analysis import Token

from tests.conftest import SAMPLE, clickid_rows

FLAGS = [
    {"positions": True, "chars": True, "mode": "index"},
    {"positions": True, "mode": "index"},
    {"mode": "index"},
    {"mode": "query"},
    {"removestops": False, "positions": True},
    {"keeporiginal": True, "chars": True, "start_char": 7, "start_pos": 3},
]

Row = tuple[object, ...]


def _texts() -> list[str]:
    texts: list[str] = []
    for record in read_paths([SAMPLE / "clickid-sample.jsonl", SAMPLE / "rmol-2023-08-31-putin-kim.txt"]):
        if isinstance(record, Article):
            texts += [record.title, record.body, record.caption]
    try:
        rows = clickid_rows(200)
    except pytest.skip.Exception:
        rows = []
    texts += [str(row.get(key) or "") for row in rows for key in ("title", "content")]
    texts += ["", "Warganet ramai 😂🔥 membahas 𝐏𝐮𝐭𝐢𝐧 di Twitter", "anak2 Société Путин x²"]
    return texts


TEXTS = _texts()


def _rows(tokens: Iterator[Token], flags: dict[str, object]) -> list[Row]:
    # Tokens are reused between yields: copy what each one says.
    out: list[Row] = []
    for t in tokens:
        row: tuple[object, ...] = (t.text, t.stopped, t.boost, getattr(t, "name", None))
        if flags.get("positions"):
            row += (t.pos,)
        if flags.get("chars"):
            row += (t.startchar, t.endchar)
        if flags.get("keeporiginal"):
            row += (t.original,)
        out.append(row)
    return out


def _unmemoised_segments(value: str) -> list[tuple[str, int, int, bool]]:
    """The segmentation as computed before the memo: straight from ICU, every call."""
    found: list[tuple[str, int, int, bool]] = []
    previous_end = 0
    for pos, (start, end) in enumerate(icu_words(value)):
        text = value[start:end]
        found.append(
            (text, start, end, text[:1].isupper() and pos > 0 and not _SENTENCE_END.search(value, previous_end, start))
        )
        previous_end = end
    return found


ANALYZERS = {"surface": surface_analyzer(), "stem": stem_analyzer(), "pairs": pair_analyzer()}


def _expected() -> dict[tuple[int, str, int], list[Row]]:
    return {
        (i, name, f): _rows(analyzer(text, **FLAGS[f]), FLAGS[f])
        for i, text in enumerate(TEXTS)
        for name, analyzer in ANALYZERS.items()
        for f in range(len(FLAGS))
    }


@pytest.mark.slow
def test_memoised_tokens_equal_unmemoised_tokens(monkeypatch: pytest.MonkeyPatch) -> None:
    assert len(TEXTS) > 20
    with monkeypatch.context() as m:
        m.setattr(analysis, "_segments", _unmemoised_segments)
        expected = _expected()
    # The order an indexer uses (surface, stem, pairs of one text), then shuffled orders that
    # interleave texts and flags, so hits, misses and evictions all occur.
    for i, text in enumerate(TEXTS):
        for name, analyzer in ANALYZERS.items():
            assert _rows(analyzer(text, **FLAGS[0]), FLAGS[0]) == expected[(i, name, 0)], (name, text[:60])
    keys = list(expected)
    for step, (i, name, f) in enumerate(itertools.chain(keys[::-1], keys[::7], keys[::3])):
        got = _rows(ANALYZERS[name](TEXTS[i], **FLAGS[f]), FLAGS[f])
        assert got == expected[(i, name, f)], (step, name, FLAGS[f], TEXTS[i][:60])


def test_names_follow_capitalisation_per_call() -> None:
    # A Title Case headline marks no names; the same words in running text do.
    headline = "Presiden Joko Widodo Kunjungi Jakarta Hari Ini"
    running = "Kemarin presiden bertemu Joko Widodo di kota Jakarta untuk rapat"
    assert not _capitalisation_is_informative(headline)
    stem = ANALYZERS["stem"]
    assert not any(row[3] for row in _rows(stem(headline), {}))
    names = [row[0] for row in _rows(stem(running), {}) if row[3]]
    assert names == ["joko", "widodo", "jakarta"]


def test_memo_is_per_thread_and_bounded() -> None:
    results: dict[int, list[Row]] = {}
    text = TEXTS[1]

    def work(k: int) -> None:
        for other in TEXTS[:20]:
            list(ANALYZERS["surface"](other))
        results[k] = _rows(ANALYZERS["stem"](text, positions=True), {"positions": True})

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r == results[0] for r in results.values())
    assert len(analysis._local.segments) <= analysis._MEMO_SIZE


def test_schema_with_memoised_analyzers_pickles() -> None:
    schema = pickle.loads(pickle.dumps(build_schema()))
    text = TEXTS[1]
    for field in ("body", "body_stem", "body_pairs"):
        assert [t.text for t in schema[field].analyzer(text)] == [t.text for t in build_schema()[field].analyzer(text)]
