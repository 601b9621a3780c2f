"""People, organisations, places and quotes in the index: fields, facets, per-quote search, the
quotes view and its exports, index compatibility. Expected ids and quotes come from the
articles read again and extracted again here (index.entities, index.quotes), never from output."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from berita_search.index.analysis import analyze, surface_analyzer
from berita_search.index.annotations import annotation_fields, other_names, quotes_of, speaker_names
from berita_search.index.article import Article
from berita_search.index.copies import CopyDecision
from berita_search.index.readers import read_paths
from berita_search.index.schema import build_schema
from berita_search.index.writer import article_fields
from berita_search.search.engine import RequestError, SearchEngine, SearchRequest
from berita_search.web.app import create_app
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient
from whoosh import index as whoosh_index

from tests.cli_runner import run_cli
from tests.conftest import CLICKID_JSONL, SAMPLE, SEED

SURFACE = surface_analyzer()


def words(text: str) -> set[str]:
    return set(analyze(text, SURFACE))


@pytest.fixture(scope="module")
def engine(news_index: Path) -> Iterator[SearchEngine]:
    engine = SearchEngine(news_index, cache_size=0)
    yield engine
    engine.close()


@pytest.fixture(scope="module")
def annotated(news_index: Path) -> dict[str, dict[str, str]]:
    """Every indexed article's entity and quote fields, extracted again from the text read again."""
    folder = news_index.parent
    subset = folder / "clickid-subset.jsonl"
    found: dict[str, dict[str, str]] = {}
    for record in read_paths([SEED, subset, SAMPLE]):
        if isinstance(record, Article) and record.id not in found:
            found[record.id] = annotation_fields(record.title, record.body)
    return found


def names(fields: dict[str, str], kind: str) -> set[str]:
    return {n for n in fields.get(kind, "").split(",") if n}


def ids(engine: SearchEngine, **request: object) -> set[str]:
    result = engine.export(SearchRequest(collapse=False, **request))  # type: ignore[arg-type]
    return {hit.id for hit in result.hits}


# ---------------------------------------------------------------- entities


def test_a_person_filter_finds_exactly_the_articles_naming_them(
    engine: SearchEngine, annotated: dict[str, dict[str, str]]
) -> None:
    expected = {i for i, f in annotated.items() if "Joko Widodo" in names(f, "person")}
    assert len(expected) > 20
    assert ids(engine, person="Joko Widodo") == expected
    assert ids(engine, person="joko widodo") == expected  # any case
    result = engine.search(SearchRequest(person="Joko Widodo", collapse=False))
    assert result.total == len(expected)


def test_orang_finds_both_spellings_through_the_alias_table(
    engine: SearchEngine, annotated: dict[str, dict[str, str]]
) -> None:
    assert "Jokowi" in other_names()["Joko Widodo"]
    found = ids(engine, q="orang:jokowi")
    # Every article naming Joko Widodo, in whichever spelling it wrote.
    assert ids(engine, person="Joko Widodo") <= found
    # And only articles naming a person one of whose names holds the word.
    expected = {i for i, f in annotated.items() if "jokowi" in words(f.get("person_names", ""))}
    assert found == expected
    assert ids(engine, q="tokoh:jokowi") == found == ids(engine, q="person:JOKOWI")


def test_entity_facet_counts_equal_the_totals_of_the_filtered_searches(engine: SearchEngine) -> None:
    result = engine.search(SearchRequest(q="kpk", collapse=False))
    for name in ("person", "organisation", "place"):
        top = result.facets[name][:4]
        assert top, name
        for value, count in top:
            filtered = engine.search(SearchRequest(q="kpk", collapse=False, **{name: value}))  # type: ignore[arg-type]
            assert filtered.articles == count, (name, value)


def test_appears_with_is_the_search_s_people_and_organisations_without_the_person(engine: SearchEngine) -> None:
    result = engine.search(SearchRequest(q="orang:jokowi", collapse=False))
    appears = engine.appears_with(result)
    people = dict(appears["person"])
    assert "Joko Widodo" not in people and people
    for value, count in appears["person"][:3] + appears["organisation"][:3]:
        assert dict(result.facets["person"] + result.facets["organisation"])[value] == count
    assert engine.appears_with(engine.search(SearchRequest(q="banjir"))) == {}


def test_the_article_page_links_each_entity_and_anchors_paragraphs(
    engine: SearchEngine, annotated: dict[str, dict[str, str]]
) -> None:
    client = TestClient(create_app(engine))
    article_id = next(i for i, f in annotated.items() if names(f, "person") and f.get("quotes"))
    html = client.get(f"/artikel/{article_id}").text
    for person in names(annotated[article_id], "person"):
        assert f'href="/?{urlencode({"person": person})}"' in html.replace("&amp;", "&")
    for quote in quotes_of(annotated[article_id]["quotes"]):
        assert f'id="p{quote.paragraph}"' in html


# ---------------------------------------------------------------- quotes


def expected_quotes(annotated: dict[str, dict[str, str]], speaker: str, word: str) -> set[tuple[str, int, str]]:
    parts = words(speaker)
    return {
        (article_id, q.paragraph, q.text)
        for article_id, fields in annotated.items()
        for q in quotes_of(fields.get("quotes"))
        if parts <= words(" ; ".join(speaker_names(q))) and word in words(q.text)
    }


def found_quotes(engine: SearchEngine, query: str) -> list[tuple[str, int, str]]:
    _parsed, result = engine.quotes(SearchRequest(q=query))
    return [(h.article_id, h.quote.paragraph, h.quote.text) for h in result.quotes]


@pytest.mark.parametrize(("speaker", "word"), [("joko widodo", "kpk"), ("laode", "revisi"), ("febri", "pimpinan")])
def test_a_quote_search_finds_the_quotes_by_that_speaker_holding_the_word(
    engine: SearchEngine, annotated: dict[str, dict[str, str]], speaker: str, word: str
) -> None:
    expected = expected_quotes(annotated, speaker, word)
    found = found_quotes(engine, f'pembicara:"{speaker}" kutipan:{word}')
    assert len(found) == len(set(found)) == len(expected)
    assert set(found) == expected
    assert found_quotes(engine, f'speaker:"{speaker}" quote:{word}') == found


def test_per_quote_matching_is_stricter_than_per_article(
    engine: SearchEngine, annotated: dict[str, dict[str, str]]
) -> None:
    """An article where A is quoted and B said a word A did not: the article matches
    ``pembicara:A kutipan:word`` as an article, and none of its quotes does."""
    checked = 0
    for article_id, fields in annotated.items():
        quotes = [q for q in quotes_of(fields.get("quotes")) if q.speaker]
        for a in quotes:
            said_by_a = set().union(*(words(q.text) for q in quotes if q.speaker == a.speaker))
            other = [w for q in quotes if q.speaker != a.speaker for w in sorted(words(q.text) - said_by_a)]
            other = [w for w in other if w.isalpha() and len(w) > 4]
            if not other:
                continue
            query = f'pembicara:"{a.speaker}" kutipan:{other[0]}'
            assert article_id in ids(engine, q=query)
            assert article_id not in {i for i, _p, _t in found_quotes(engine, query)}
            checked += 1
            break
        if checked >= 5:
            break
    assert checked == 5


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_quote_search_invariant_over_speakers_and_words(
    engine: SearchEngine, annotated: dict[str, dict[str, str]], data: st.DataObject
) -> None:
    quotes = [q for f in annotated.values() for q in quotes_of(f.get("quotes")) if q.speaker]
    quote = data.draw(st.sampled_from(quotes))
    speaker_word = data.draw(st.sampled_from(sorted(words(quote.speaker))))
    word = data.draw(st.sampled_from(sorted(w for w in words(quote.text) if w.isalpha()) or ["x"]))
    found = found_quotes(engine, f"pembicara:{speaker_word} kutipan:{word}")
    assert set(found) == expected_quotes(annotated, speaker_word, word)
    assert found  # the drawn quote itself is one


def test_the_quotes_view_its_exports_and_the_api_agree(engine: SearchEngine) -> None:
    client = TestClient(create_app(engine))
    query = {"q": 'pembicara:"joko widodo"'}
    _parsed, result = engine.quotes(SearchRequest(q=query["q"]))
    assert result.total > 20
    page = client.get("/kutipan", params=query)
    assert page.status_code == 200
    assert f"<strong>{result.total}</strong> kutipan" in page.text
    rows = list(csv.DictReader(io.StringIO(client.get("/kutipan.csv", params=query).text.lstrip("\ufeff"))))
    document = client.get("/kutipan.json", params=query).json()
    assert len(rows) == document["total"] == len(document["quotes"]) == result.total
    assert [r["text"] for r in rows] == [q["text"] for q in document["quotes"]]
    pages, number = [], 1
    while True:
        api = client.get("/api/quotes", params={**query, "page": str(number), "limit": "10"}).json()
        assert api["total"] == result.total
        pages += api["quotes"]
        if number >= api["pages"]:
            break
        number += 1
    assert pages == document["quotes"]
    first = rows[0]
    assert f"/artikel/{first['article_id']}#p{first['paragraph']}" in page.text


def test_the_quotes_view_escapes_and_refuses_an_empty_search(engine: SearchEngine) -> None:
    client = TestClient(create_app(engine))
    page = client.get("/kutipan", params={"q": '<script>alert(1)</script> pembicara:"<b>x</b>"'})
    assert page.status_code == 200
    assert "<script>alert" not in page.text and "&lt;script&gt;" in page.text
    assert client.get("/kutipan").status_code == 200  # the form alone
    empty = client.get("/api/quotes")
    assert empty.status_code == 200 and empty.json()["total"] == 0 and "pembicara:" in empty.json()["messages"][0]
    with pytest.raises(RequestError):
        engine.quotes(SearchRequest(q=""))


def test_the_cli_prints_and_exports_the_same_quotes(news_index: Path, engine: SearchEngine) -> None:
    _parsed, result = engine.quotes(SearchRequest(q="pembicara:laode"))
    as_json = run_cli("quotes", "--index", str(news_index), "pembicara:laode", "--json")
    assert as_json.returncode == 0 and result.total > 0
    lines = [json.loads(line) for line in as_json.stdout.splitlines()]
    assert [line["text"] for line in lines] == [h.quote.text for h in result.quotes]
    as_csv = run_cli("quotes", "--index", str(news_index), "pembicara:laode", "--csv")
    assert len(list(csv.DictReader(io.StringIO(as_csv.stdout)))) == result.total
    empty = run_cli("quotes", "--index", str(news_index))
    assert empty.returncode == 2 and "Traceback" not in empty.stderr and "give a query" in empty.stderr


# ---------------------------------------------------------------- an index written before entities


def test_an_index_written_before_entities_opens_searches_and_says_to_reindex(tmp_path: Path) -> None:
    old_schema = build_schema()
    for name in ("person", "organisation", "place", "speaker", "quote", "quotes"):
        for field in [n for n in old_schema.names() if n == name or n.startswith(f"{name}_")]:
            old_schema.remove(field)
    folder = tmp_path / "old"
    folder.mkdir()
    ix = whoosh_index.create_in(str(folder), old_schema)
    writer = ix.writer()
    known = set(old_schema.names())
    for record in read_paths([SAMPLE]):
        if isinstance(record, Article):
            fields = article_fields(record, record.id, record.content_hash(), CopyDecision(record.id, [], None))
            writer.add_document(**{k: v for k, v in fields.items() if k in known})
    writer.commit()
    engine = SearchEngine(folder, cache_size=0)
    assert engine.search(SearchRequest(q="jokowi")).total > 0
    result = engine.search(SearchRequest(q="orang:jokowi"))
    assert result.total == 0
    assert any(m.code == "index_without_entities" for m in result.messages)
    assert result.facets["person"] == []
    _parsed, quotes = engine.quotes(SearchRequest(q="pembicara:jokowi"))
    assert quotes.total == 0 and any(m.code == "index_without_entities" for m in quotes.messages)
    page = TestClient(create_app(engine)).get("/", params={"q": "jokowi"})
    assert page.status_code == 200


@pytest.mark.slow
def test_the_whole_corpus_person_filter_matches_extraction(clickid_index) -> None:  # noqa: ANN001
    index_dir = clickid_index(None)
    engine = SearchEngine(index_dir, cache_size=0)
    expected: set[str] = set()
    for record in read_paths([CLICKID_JSONL]):
        if isinstance(record, Article) and "Joko Widodo" in annotation_fields(record.title, record.body).get(
            "person", ""
        ).split(","):
            expected.add(record.id)
    result = engine.search(SearchRequest(person="Joko Widodo", collapse=False, facets=False))
    assert result.total == result.articles == len(expected) > 1000
    assert engine.search(SearchRequest(q="orang:jokowi", collapse=False, facets=False)).total >= len(expected)
