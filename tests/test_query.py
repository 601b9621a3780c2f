"""The query layer on a real index: every feature checked by article id."""

from __future__ import annotations

import itertools
import json
from datetime import datetime
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


def test_words_must_all_match_and_phrase_is_first(engine: SearchEngine, seed_id: str) -> None:
    assert ids(engine, "Kim Jong Un")[0] == seed_id
    assert ids(engine, '"Kim Jong Un"')[0] == seed_id
    assert seed_id in ids(engine, "Kim Jong-un")
    assert seed_id in ids(engine, "pertukaran surat")


def test_and_or_not_in_english_and_indonesian(engine: SearchEngine, articles: dict[str, Article]) -> None:
    jokowi = set(ids(engine, "jokowi"))
    prabowo = set(ids(engine, "prabowo"))
    assert jokowi and prabowo
    assert jokowi <= containing(articles, "jokowi")
    both = set(ids(engine, "jokowi prabowo"))
    assert both == set(ids(engine, "jokowi DAN prabowo")) == jokowi & prabowo
    assert set(ids(engine, "jokowi OR prabowo")) == set(ids(engine, "jokowi ATAU prabowo")) == jokowi | prabowo
    only = jokowi - prabowo
    assert set(ids(engine, "jokowi -prabowo")) == set(ids(engine, "jokowi NOT prabowo")) == only
    assert set(ids(engine, "jokowi TANPA prabowo")) == only
    assert set(ids(engine, "(jokowi OR prabowo) DAN papua")) == (jokowi | prabowo) & set(ids(engine, "papua"))


def test_field_aliases(engine: SearchEngine, articles: dict[str, Article], seed_id: str) -> None:
    in_titles = set(ids(engine, "judul:jokowi"))
    assert in_titles and in_titles <= containing(articles, "jokowi", field="title")
    assert ids(engine, 'reporter:"Sarah Meiliana"') == [seed_id]
    assert ids(engine, "penulis:gunawan") == [seed_id]
    assert ids(engine, "wartawan:SARAH") == [seed_id]
    assert ids(engine, "kategori:dunia putin") == [seed_id]
    assert seed_id not in ids(engine, "rubrik:selebriti putin")
    by_source = ids(engine, "sumber:tribunnews.com jokowi")
    assert by_source and all(articles[i].source == "tribunnews.com" for i in by_source)
    assert set(ids(engine, "media:TRIBUNNEWS.COM jokowi")) == set(by_source)


def test_reporter_facet_and_filter(engine: SearchEngine, articles: dict[str, Article]) -> None:
    annesa = {i for i, a in articles.items() if a.reporter == "Annesa K. Ramadhany"}
    assert len(annesa) > 10
    found = engine.search(SearchRequest(q="", reporter="annesa ramadhany", limit=100, collapse=False))
    assert {h.id for h in found.hits} == annesa
    # Two of her articles were posted twice under different URLs: collapsed, they are one hit each.
    collapsed = engine.search(SearchRequest(q="", reporter="annesa ramadhany", limit=100))
    assert collapsed.total == len(collapsed.hits) == len(annesa) - sum(h.duplicates for h in collapsed.hits)
    assert sum(h.duplicates for h in collapsed.hits) >= 1


@pytest.mark.parametrize(
    "date_query",
    ["tanggal:2023-08-31", "tanggal:2023-08", "tanggal:2023", 'tanggal:"31 Agustus 2023"', 'tanggal:"Agustus 2023"',
     "tanggal:[2023-08-01 TO 2023-09-30]", "tanggal:[2023-08 TO]", "tanggal:>2023-07", "tanggal:31/08/2023"],
)  # fmt: skip
def test_date_forms(engine: SearchEngine, seed_id: str, date_query: str) -> None:
    assert ids(engine, f"putin {date_query}") == [seed_id]


def test_date_ranges_exclude_outside(engine: SearchEngine, articles: dict[str, Article]) -> None:
    found = ids(engine, "jokowi tanggal:[2019-09-01 TO 2019-09-15]")
    expected = {
        i
        for i in containing(articles, "jokowi")
        if articles[i].published
        and datetime(2019, 9, 1) <= articles[i].published.replace(tzinfo=None) < datetime(2019, 9, 16)
    }
    assert found and set(found) <= expected
    assert ids(engine, "putin tanggal:[TO 2023-08-30]") == []


def test_prefix_proximity_fuzzy(engine: SearchEngine, seed_id: str) -> None:
    assert seed_id in ids(engine, "senja*")
    assert ids(engine, '"putin kim"~5') == [seed_id]
    assert ids(engine, '"putin kim"') == []  # not adjacent in the text
    assert seed_id in ids(engine, "shoigu~")
    assert seed_id in ids(engine, "shoygu~")


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


def test_title_ranks_above_body(engine: SearchEngine, articles: dict[str, Article]) -> None:
    hits = ids(engine, "prabowo")
    in_title = [i for i in hits if "prabowo" in articles[i].title.lower()]
    body_only = [i for i in hits if i not in in_title]
    assert in_title and body_only
    assert max(hits.index(i) for i in in_title) < min(hits.index(i) for i in body_only)


def test_sorting_by_date(engine: SearchEngine, articles: dict[str, Article]) -> None:
    newest = ids(engine, "jokowi", sort="newest")
    dates = [articles[i].published for i in newest if articles[i].published]
    assert dates == sorted(dates, reverse=True)
    oldest = ids(engine, "jokowi", sort="oldest")
    assert [articles[i].published for i in oldest if articles[i].published] == sorted(dates)


def test_snippets_mark_matched_words_through_analysis(engine: SearchEngine, seed_id: str) -> None:
    result = engine.search(SearchRequest(q="tukar kim"))
    hit = next(h for h in result.hits if h.id == seed_id)
    assert "bertukar" in hit.snippet.matched_words or "Kim" in hit.snippet.matched_words
    assert "<mark>" in hit.snippet.html()
    assert "<mark>" not in hit.snippet.plain()


def test_facets_count_the_whole_result_set(engine: SearchEngine) -> None:
    result = engine.search(SearchRequest(q="jokowi", limit=5, collapse=False))
    assert result.total > 5
    assert sum(count for _, count in result.facets["year"]) == result.total
    assert sum(count for _, count in result.facets["source"]) == result.total
    assert set(result.facets) == {"category", "desk", "reporter", "source", "year", "month"}


def test_did_you_mean(engine: SearchEngine) -> None:
    result = engine.search(SearchRequest(q="Jokowl"))
    assert result.total == 0
    assert result.suggestion == "Jokowi"  # in the case typed
    assert engine.search(SearchRequest(q="jokowi")).suggestion is None


def test_related_articles(engine: SearchEngine, articles: dict[str, Article]) -> None:
    anchor = ids(engine, "judul:wiranto")[0]
    related = engine.related(anchor, limit=5)
    assert related and anchor not in [h.id for h in related]
    assert any("wiranto" in (articles[h.id].title + articles[h.id].body).lower() for h in related)


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


def test_paging_and_bounds(engine: SearchEngine) -> None:
    first = engine.search(SearchRequest(q="jokowi", limit=5, page=1, collapse=False))
    second = engine.search(SearchRequest(q="jokowi", limit=5, page=2, collapse=False))
    assert first.total == second.total and first.pages == -(-first.total // 5)
    assert not {h.id for h in first.hits} & {h.id for h in second.hits}
    for bad in [{"limit": 0}, {"limit": 101}, {"page": 0}, {"page": 101}, {"sort": "random"}, {"date_from": "kemarin"}]:
        with pytest.raises(RequestError):
            engine.search(SearchRequest(q="jokowi", **bad))


def test_stats(engine: SearchEngine, articles: dict[str, Article]) -> None:
    stats = engine.stats()
    assert stats["documents"] > 1500
    assert stats["last_published"] == "2023-08-31T12:34:00+07:00"
    categories = [a.category for a in articles.values()]
    top = max(set(categories), key=categories.count)
    assert stats["facets"]["category"][0] == (top, categories.count(top))


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
