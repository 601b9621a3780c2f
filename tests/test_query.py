"""The query layer on a real index: every feature checked by article id."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from berita_search.index.readers import Article, read_file
from berita_search.search.engine import RequestError, SearchEngine, SearchRequest
from berita_search.search.querylang import parse_date_span, parse_query

from tests.conftest import CLICKID_JSONL, SAMPLE, SEED


@pytest.fixture(scope="module")
def engine(news_index: Path) -> SearchEngine:
    return SearchEngine(news_index)


@pytest.fixture(scope="module")
def articles() -> dict[str, Article]:
    """The same articles the index holds, read independently, by id."""
    records = list(read_file(SEED))
    with CLICKID_JSONL.open(encoding="utf-8") as fh:
        lines = list(itertools.islice(fh, 1500))
    from berita_search.index.readers import record_to_article

    records += [record_to_article(json.loads(line), "x") for line in lines]
    for path in sorted(SAMPLE.iterdir()):
        if path.suffix in {".jsonl", ".csv", ".txt"}:
            records += list(read_file(path))
    return {a.id: a for a in records if isinstance(a, Article)}


@pytest.fixture(scope="module")
def seed_id() -> str:
    (record,) = list(read_file(SEED))
    return record.id


def ids(engine: SearchEngine, q: str, **kwargs: object) -> list[str]:
    result = engine.search(SearchRequest(q=q, limit=100, **kwargs))
    return [h.id for h in result.hits]


def containing(articles: dict[str, Article], *words: str, field: str = "all") -> set[str]:
    def text(a: Article) -> str:
        return {"title": a.title, "body": a.body}.get(field, f"{a.title}\n{a.body}\n{a.caption}").lower()

    return {i for i, a in articles.items() if all(w.lower() in text(a) for w in words)}


@pytest.mark.parametrize(
    "text",
    ['"kim jong', "kim AND", "foo:bar putin", "tanggal:2023-02-31 putin", "((((", ")", '"', "NOT", "-", "* ?",
     "tanggal:[x TO y]", "judul:", "~~~", "a" * 2000, "kim^^^", "tanggal:", "[TO]", "\x00"],
)  # fmt: skip
def test_malformed_input_never_fails(engine: SearchEngine, text: str) -> None:
    result = engine.search(SearchRequest(q=text))
    assert result.total == result.stories <= result.articles
    assert len(result.hits) == min(result.total, 10)


def test_malformed_input_messages() -> None:
    assert "tanggal tidak dikenali" in parse_query("tanggal:2023-02-31 putin").messages[0].text("id")
    assert [m.text("id") for m in parse_query("a" * 600).messages] == ["kueri dipotong menjadi 500 karakter"]
    assert parse_date_span("2023-02-29") is None
    assert parse_date_span("2024-02-29") is not None


def test_snippets_mark_matched_words_through_analysis(engine: SearchEngine, seed_id: str) -> None:
    result = engine.search(SearchRequest(q="tukar kim"))
    hit = next(h for h in result.hits if h.id == seed_id)
    assert "bertukar" in hit.snippet.matched_words or "Kim" in hit.snippet.matched_words
    assert "<mark>" in hit.snippet.html()
    assert "<mark>" not in hit.snippet.plain()


def test_near_duplicates_collapse(engine: SearchEngine, articles: dict[str, Article]) -> None:
    title = "Terlalu Banyak Makan Sate Kambing, Penyebab Rossa Harus Dirawat di Singapura"
    copies = {i for i, a in articles.items() if a.title == title}
    assert len(copies) == 2
    for facets in (True, False):
        collapsed = engine.search(SearchRequest(q=f'judul:"{title}"', facets=facets))
        # The total counts stories: the copy is folded into its hit, not counted again.
        assert collapsed.total == 1 and len(collapsed.hits) == 1
        assert collapsed.hits[0].duplicates == 1
    expanded = engine.search(SearchRequest(q=f'judul:"{title}"', collapse=False))
    assert expanded.total == 2 and {h.id for h in expanded.hits} == copies


# ---------------------------------------------------------------- repeated searches


def test_repeated_search_is_answered_from_memory_until_the_index_changes(tmp_path: Path) -> None:
    from berita_search.index.readers import read_paths
    from berita_search.index.writer import index_records

    def write(name: str, rows: list[dict[str, str]]) -> Path:
        path = tmp_path / name
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
        return path

    row = {"url": "https://contoh.id/berita/1", "title": "Banjir rob di Semarang", "content": "Air laut naik."}
    index_dir = tmp_path / "ix"
    index_records(index_dir, read_paths([write("a.jsonl", [row])]))
    engine = SearchEngine(index_dir)
    first = engine.search(SearchRequest(q="banjir"))
    assert first.total == 1
    assert engine.search(SearchRequest(q="banjir")) is first  # the same page, not recomputed
    assert engine.search(SearchRequest(q="banjir", limit=5)) is not first
    more = {**row, "url": "https://contoh.id/berita/2", "title": "Banjir bandang di Garut"}
    index_records(index_dir, read_paths([write("b.jsonl", [more])]))
    after = engine.search(SearchRequest(q="banjir"))
    assert after is not first and after.total == 2  # a new commit empties the memory
    uncached = SearchEngine(index_dir, cache_size=0)
    assert uncached.search(SearchRequest(q="banjir")) is not uncached.search(SearchRequest(q="banjir"))


@pytest.mark.parametrize(
    ("q", "filters"),
    [
        ("jokowi tanggal:2099", {}),
        ("jokowi tanggal:[2023 TO 2019]", {}),
        ("jokowi", {"date_from": "2030"}),
        ("jokowi tanggal:[1700 TO 1743-12-31]", {}),
    ],
)
def test_an_empty_date_range_finds_nothing_and_says_so(engine: SearchEngine, q: str, filters: dict[str, str]) -> None:
    assert engine.search(SearchRequest(q="jokowi")).total > 0
    result = engine.search(SearchRequest(q=q, **filters))
    assert (result.total, result.articles, result.hits) == (0, 0, [])
    assert "empty_date_range" in [m.code for m in result.messages]


def test_a_misspelt_name_is_suggested_as_the_widespread_spelling(engine: SearchEngine) -> None:
    """Each letter dropped from widespread names in turn: the suggestion restores the name."""
    backend = engine.backend
    for name in ("jokowi", "jakarta", "presiden"):
        assert backend.word_frequency(name) >= 20, name
        for cut in range(1, len(name) - 1):
            typo = name[:cut] + name[cut + 1 :]
            if backend.word_frequency(typo) * 10 >= backend.word_frequency(name):
                continue  # a word of its own
            result = engine.search(SearchRequest(q=f"{typo.capitalize()} -zzzq"))
            assert result.suggestion == f"{name.capitalize()} -zzzq", typo


def test_a_rare_spelling_of_a_widespread_word_gets_a_suggestion(engine: SearchEngine) -> None:
    """Not only unknown words: a spelling found in a few articles, beside one in ten times as many."""
    backend = engine.backend
    with backend.snapshot() as snap:
        reader = snap.searcher.reader()
        common = {w.decode() if isinstance(w, bytes) else w: i.doc_frequency() for w, i in reader.iter_field("body")}
    pairs = [
        (rare, word)
        for word, frequency in common.items()
        if frequency >= 30 and len(word) >= 6 and word.isalpha()
        for rare in (word[:-1], word[:-2] + word[-1])
        if 1 <= common.get(rare, 0) * 10 < frequency and rare.isalpha()
    ]
    assert pairs, "no rare spelling beside a widespread word in the test index"
    rare, word = pairs[0]
    result = engine.search(SearchRequest(q=rare))
    assert result.total >= 1
    assert result.suggestion is not None and result.suggestion.lower() != rare
    assert engine.search(SearchRequest(q=result.suggestion)).total > result.total


def test_a_reporters_name_in_the_box_offers_the_reporter_filter(engine: SearchEngine) -> None:
    stats = engine.stats(top=30)
    for name, _articles in stats["facets"]["reporter"]:
        parts = name.split()
        if len(parts) > 3 or not all(p.isalpha() for p in parts):
            continue
        words_total = engine.search(SearchRequest(q=name)).articles
        by_filter = engine.search(SearchRequest(q="", reporter=name)).articles
        offered = engine.search(SearchRequest(q=name)).as_reporter
        if by_filter > words_total:
            assert offered == (name.lower(), by_filter), name
            assert engine.search(SearchRequest(q=name)).suggestion is None
            return
    raise AssertionError("no reporter whose name finds fewer articles as words than as a byline")


def test_an_exclusion_inside_parentheses_excludes(engine: SearchEngine) -> None:
    """'(a -b) OR c' is (a without b) or c, as '(a NOT b) OR c' is; it used to be searched as text."""
    a, b, c = (set(ids_all(engine, q)) for q in ("jokowi", "prabowo", "banjir"))
    for q in ("(jokowi -prabowo) OR banjir", "(jokowi NOT prabowo) OR banjir", "banjir OR (jokowi TANPA prabowo)"):
        result = engine.search(SearchRequest(q=q, collapse=False))
        assert result.messages == [], q
        assert set(ids_all(engine, q)) == (a - b) | c, q
    assert engine.search(SearchRequest(q="-prabowo")).total == 0


def ids_all(engine: SearchEngine, q: str) -> list[str]:
    return [h.id for h in engine.export(SearchRequest(q=q, collapse=False), cap=100_000).hits]


def test_a_date_before_any_newspaper_is_refused_with_a_message(engine: SearchEngine) -> None:
    with pytest.raises(RequestError) as refused:
        engine.search(SearchRequest(q="jokowi", date_to="0001-01-01"))
    assert refused.value.message.code == "date_unreadable_to"
