"""Facets with several values (either of them), across facets (all of them), exclusions (a click or
``-sumber:`` in the query), the counts that adding a value brings, and the desk: checked by id."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from berita_search.index.desks import desk_of, desk_table, desks
from berita_search.index.fields import FIELDS
from berita_search.index.readers import read_paths
from berita_search.index.schema import build_schema
from berita_search.index.writer import index_records
from berita_search.search.coverage import CoverageService
from berita_search.search.engine import SearchEngine
from berita_search.search.requests import MAX_FILTER_VALUES, CoverageRequest, SearchRequest
from berita_search.web.app import create_app
from starlette.testclient import TestClient
from whoosh import index as whoosh_index

from tests.conftest import SAMPLE
from tests.web_fixtures import build_web_index


@pytest.fixture(scope="module")
def engine(news_index: Path) -> Iterator[SearchEngine]:
    engine = SearchEngine(news_index, cache_size=0)
    yield engine
    engine.close()


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    return TestClient(create_app(SearchEngine(build_web_index(tmp_path_factory))), raise_server_exceptions=False)


def ids(engine: SearchEngine, request: SearchRequest) -> set[str]:
    request.collapse = False
    return {hit.id for hit in engine.export(request).hits}


def hrefs(html: str) -> list[str]:
    return [h.replace("&amp;", "&") for h in re.findall(r'href="([^"]*)"', html)]


def test_values_of_one_facet_are_either_and_facets_are_all(engine: SearchEngine) -> None:
    kapanlagi = ids(engine, SearchRequest(q="film", source="kapanlagi.com"))
    tribun = ids(engine, SearchRequest(q="film", source="tribunnews.com"))
    assert kapanlagi and tribun and not kapanlagi & tribun
    either = ids(engine, SearchRequest(q="film", source=("kapanlagi.com", "tribunnews.com")))
    assert either == kapanlagi | tribun
    category = engine.search(SearchRequest(q="film", collapse=False)).facets["category"][0][0]
    in_category = ids(engine, SearchRequest(q="film", category=category))
    both = ids(engine, SearchRequest(q="film", source=("kapanlagi.com", "tribunnews.com"), category=category))
    assert both == either & in_category and both


def test_exclusions_by_click_and_in_the_query_language_agree(engine: SearchEngine) -> None:
    everything = ids(engine, SearchRequest(q="film"))
    kapanlagi = ids(engine, SearchRequest(q="film", source="kapanlagi.com"))
    clicked = ids(engine, SearchRequest(q="film", exclude=(("source", "kapanlagi.com"),)))
    typed = ids(engine, SearchRequest(q="film -sumber:kapanlagi.com"))
    assert clicked == typed == everything - kapanlagi and clicked
    # Any case, and several at once; a filter by exclusions alone lists everything else.
    two = ids(engine, SearchRequest(q="film", exclude=(("source", "KAPANLAGI.COM"), ("source", "tribunnews.com"))))
    assert two == everything - kapanlagi - ids(engine, SearchRequest(q="film", source="tribunnews.com"))
    alone = engine.search(SearchRequest(exclude=(("source", "kapanlagi.com"),), collapse=False))
    all_articles = engine.search(SearchRequest(date_from="1744", collapse=False)).articles
    undated = engine.search(SearchRequest(source="kapanlagi.com", collapse=False))
    assert alone.articles + undated.articles == all_articles + undated.missing("month")


def test_options_say_what_adding_a_value_brings(engine: SearchEngine) -> None:
    result = engine.search(SearchRequest(q="film", source="kapanlagi.com", collapse=False))
    options = dict(result.facet_options["source"])
    assert set(result.facet_options) == {"source"}
    for source, count in options.items():
        assert count == engine.search(SearchRequest(q="film", source=source, collapse=False)).articles, source
    assert options["kapanlagi.com"] == result.articles
    # The result's own facets still count its articles: one count everywhere.
    assert dict(result.facets["source"]) == {"kapanlagi.com": result.articles}


def test_too_many_values_are_refused(client: TestClient) -> None:
    many = [("source", f"media{n}.test") for n in range(MAX_FILTER_VALUES + 1)]
    response = client.get("/api/search", params=[("q", "kim"), *many])
    assert response.status_code == 400
    assert response.json()["message"] == f"Sumber: paling banyak {MAX_FILTER_VALUES} nilai sekaligus."


def test_facet_clicks_add_values_exclude_and_undo(client: TestClient) -> None:
    page = client.get("/", params={"q": "artis"}).text
    sources = page.split('id="saring-source"')[1].split("</section>")[0]
    first, second = re.findall(r'<a href="[^"]*">([^<]+)</a>\s*<span class="count">', sources)[:2]
    one = client.get("/", params={"q": "artis", "source": first}).text
    facet = one.split('id="saring-source"')[1].split("</section>")[0]
    assert "salah satunya cocok" in facet  # the counts are the other values', to add
    add = "/?" + urlencode([("q", "artis"), ("source", first), ("source", second)])
    assert add in hrefs(facet)
    data = client.get(
        "/api/search", params=[("q", "artis"), ("source", first), ("source", second), ("collapse", "0")]
    ).json()
    alone = [
        client.get("/api/search", params={"q": "artis", "source": s, "collapse": "0"}).json()["articles"]
        for s in (first, second)
    ]
    assert data["articles"] == sum(alone) and set(data["facets"]["source"]) == {first, second}
    assert data["options"]["source"][second] == alone[1]
    both = client.get(add).text
    chips = both.split('aria-label="Filter aktif"')[1].split("</ul>")[0]
    assert f"Sumber: {first}" in chips and f"Sumber: {second}" in chips
    # The exclusion link of a value, and the chip that takes it back.
    excluded_link = "/?" + urlencode([("q", "artis"), ("not_source", first)])
    assert excluded_link in hrefs(page)
    excluded = client.get(excluded_link)
    assert excluded.status_code == 200 and f"Kecuali sumber: {first}" in excluded.text
    assert "/?q=artis" in hrefs(excluded.text.split('aria-label="Filter aktif"')[1].split("</ul>")[0])
    result = client.get("/api/search", params={"q": "artis", "not_source": first, "collapse": "0"}).json()
    everything = client.get("/api/search", params={"q": "artis", "collapse": "0"}).json()
    assert first not in result["facets"]["source"]
    assert result["articles"] == everything["articles"] - everything["facets"]["source"][first]


def test_the_desk_table_reads_and_maps_outlets_names() -> None:
    table = desk_table()
    assert len(table) > 60 and "Olahraga" in desks() and "-" not in desks()
    assert (
        desk_of("kompas.com", "Bola") == desk_of("okezone.com", "Sports") == desk_of("tempo.co", "Sport") == "Olahraga"
    )
    assert desk_of("kompas.com", "News", "Regional") == "Daerah"
    assert desk_of("kompas.com", "News", "Megapolitan") == "Metropolitan"
    assert desk_of("okezone.com", "News", "Nasional") == desk_of("tempo.co", "Nasional") == "Nasional"
    assert desk_of("sindonews.com", "Autotekno", "Mobil") == "Otomotif"
    assert desk_of("sindonews.com", "Autotekno", "Gadget") == "Teknologi"
    assert desk_of("tempo.co", "Fokus") == ""  # special reports: too mixed to name a desk
    assert desk_of("contoh.test", "Rubrik Tak Dikenal") == desk_of("contoh.test", "") == ""
    assert desk_of("TEMPO.CO", "  sport ") == "Olahraga"  # any case, spaces collapsed


def test_an_index_written_before_desks_works_and_says_so(tmp_path: Path) -> None:
    """An older index has no desk field: indexing into it, searching, filtering and splitting by
    desk all work; the desk finds nothing, and a note says to re-index."""
    schema = build_schema()
    for name in ("desk", "desk_key"):
        schema.remove(name)
    folder = tmp_path / "old"
    folder.mkdir()
    whoosh_index.create_in(str(folder), schema)
    summary = index_records(folder, read_paths([SAMPLE]))
    assert summary.added > 100 and not summary.failed
    engine = SearchEngine(folder, cache_size=0)
    assert not engine.facet_in_index("desk") and engine.facet_in_index("source")
    plain = engine.search(SearchRequest(q="artis"))
    assert plain.articles > 0 and plain.facets["desk"] == [] and not plain.messages
    by_desk = engine.search(SearchRequest(q="artis", desk="Hiburan"))
    assert by_desk.articles == 0 and [m.code for m in by_desk.messages] == ["index_without_desks"]
    coverage = CoverageService(engine).coverage(CoverageRequest(queries=("artis",), by="desk"))
    assert [s.kind for s in coverage.series] == ["others"] and coverage.series[0].total == coverage.searches[0].dated
    assert "index_without_desks" in [m.code for m in coverage.messages]
    client = TestClient(create_app(engine), raise_server_exceptions=False)
    page = client.get("/", params={"q": "artis"})
    assert page.status_code == 200 and 'id="saring-desk"' not in page.text and 'id="saring-source"' in page.text
    filtered = client.get("/", params={"q": "artis", "desk": "Hiburan"})
    assert filtered.status_code == 200 and "indeks ini dibuat sebelum ada desk" in filtered.text
    assert any(f.name == "desk" for f in FIELDS)


def test_a_new_index_fills_the_desk(client: TestClient) -> None:
    data = client.get("/api/search", params={"q": "", "desk": "Hiburan", "collapse": "0"}).json()
    assert data["articles"] > 0 and set(data["facets"]["desk"]) == {"Hiburan"}
    page = client.get("/", params={"q": "artis"}).text
    assert 'id="saring-desk"' in page
