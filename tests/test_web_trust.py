"""What the pages claim is what was searched: date ranges, pages, sort, scores, the way back,
examples and facets, in the web, the API and the CLI alike."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
from collections.abc import Iterator
from html import unescape
from urllib.parse import parse_qsl, urlsplit

import pytest
from berita_search.search.engine import SearchEngine
from berita_search.web.app import create_app
from starlette.testclient import TestClient

from tests.cli_runner import run_cli
from tests.web_fixtures import SEED_ID, build_web_index


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchEngine]:
    engine = SearchEngine(build_web_index(tmp_path_factory))
    yield engine
    engine.close()


@pytest.fixture(scope="module")
def client(engine: SearchEngine) -> TestClient:
    return TestClient(create_app(engine), raise_server_exceptions=False)


def cli(engine: SearchEngine, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, "--index", engine.location)


def hit_ids(html: str) -> list[str]:
    return re.findall(r'<li class="hit" data-id="([0-9a-f]{16})">', html)


def hrefs(html: str) -> list[str]:
    return [unescape(h) for h in re.findall(r'href="([^"]*)"', html)]


def api(client: TestClient, **params: object) -> dict:
    response = client.get("/api/search", params=params)
    assert response.status_code == 200, response.text
    return response.json()


# ---------------------------------------------------------------- reversed date range


def test_a_reversed_range_is_searched_in_order_with_a_note(client: TestClient) -> None:
    ordered = api(client, q="artis", **{"from": "2019-09-01", "to": "2019-09-10"}, limit=100)
    reversed_ = api(client, q="artis", **{"from": "2019-09-10", "to": "2019-09-01"}, limit=100)
    everything = api(client, q="artis")
    assert 0 < ordered["total"] < everything["total"]
    assert reversed_["total"] == ordered["total"]
    assert [h["id"] for h in reversed_["hits"]] == [h["id"] for h in ordered["hits"]]
    assert any("terbalik" in m for m in reversed_["messages"])
    html = client.get("/", params={"q": "artis", "from": "2019-09-10", "to": "2019-09-01"}).text
    assert "Dari: 2019-09-01" in html and "Sampai: 2019-09-10" in html  # the chips say what was searched
    assert 'name="from" type="text" value="2019-09-01"' in html
    assert re.search(r'class="note"[^>]*>Catatan: Rentang tanggal terbalik', html)
    index = str(client.app.state.engine.location)  # type: ignore[attr-defined]
    done = run_cli(
        "query", "artis", "--from", "2019-09-10", "--to", "2019-09-01", "--json", "--limit", "100", "--index", index
    )
    assert [json.loads(line)["id"] for line in done.stdout.splitlines()] == [h["id"] for h in ordered["hits"]]
    assert "note: date range reversed" in done.stderr


# ---------------------------------------------------------------- a bad date in the form


def test_a_bad_date_keeps_the_search_page_and_the_form(client: TestClient) -> None:
    response = client.get("/", params={"q": "banjir rob", "from": "2019-09-31", "category": "Daerah", "sort": "oldest"})
    assert response.status_code == 400
    html = response.text
    assert 'class="searchbar"' in html and 'role="search"' in html
    assert 'value="banjir rob"' in html and 'name="from" type="text" value="2019-09-31"' in html
    assert '<input type="hidden" name="category" value="Daerah">' in html
    assert '<option value="oldest" selected>' in html
    message = re.search(r'<p class="problem"[^>]*>(.*?)</p>', html, re.S)
    assert message, html
    assert "Tanggal “Dari” tidak terbaca: 2019-09-31" in unescape(message[1])
    assert "from" not in unescape(message[1]).replace("“Dari”", "")


@pytest.mark.parametrize("params", [{"from": "2019-09-31"}, {"page": "nol"}, {"limit": "0"}, {"sort": "x"}])
def test_errors_speak_indonesian_on_the_web_and_english_on_the_command_line(
    client: TestClient, engine: SearchEngine, params: dict[str, str]
) -> None:
    data = client.get("/api/search", params={"q": "banjir", **params})
    assert data.status_code == 400
    message = data.json()["message"]
    assert not re.search(r"\b(must|between|unreadable|one of)\b", message), message
    option = {"from": "--from", "page": "--page", "limit": "--limit", "sort": "--sort"}[next(iter(params))]
    done = cli(engine, "query", "banjir", option, next(iter(params.values())))
    assert done.returncode == 2
    assert done.stderr.startswith("berita-search: error: ") or "Invalid value" in done.stderr
    assert not re.search(r"\b(harus|tidak|antara|contoh)\b", done.stderr), done.stderr


def test_the_command_line_speaks_english(engine: SearchEngine) -> None:
    done = cli(engine, "query", "jokowl")
    assert "Did you mean: jokowi" in done.stdout and "Maksud" not in done.stdout
    done = cli(engine, "query", "banjir rob semarang")
    assert "similar copies hidden" in done.stdout and "salinan" not in done.stdout
    assert re.search(r"^\d+ stories, \d+ articles for ", done.stdout, re.M)
    shown = cli(engine, "show", SEED_ID)
    assert "Date: Kamis, 31 Agustus 2023 12:34 WIB" in shown.stdout  # the article's date stays Indonesian
    assert "Category: Dunia" in shown.stdout and "Kategori" not in shown.stdout


# ---------------------------------------------------------------- past the last page


def test_past_the_last_page_is_said_not_shown_as_a_range(client: TestClient, engine: SearchEngine) -> None:
    data = api(client, q="artis", limit=20)
    last = data["pages"]
    assert last == -(-data["total"] // 20) >= 2
    page = client.get("/", params={"q": "artis", "page": last + 3})
    assert page.status_code == 404
    assert re.search(rf"Halaman {last + 3} tidak ada", page.text)
    assert "–" not in re.search(r'<p id="jumlah">.*?</p>', page.text, re.S)[0]
    assert f"/?q=artis&page={last}" in hrefs(page.text)
    response = client.get("/api/search", params={"q": "artis", "limit": 20, "page": last + 3})
    assert response.status_code == 404 and f"Halaman {last + 3} tidak ada" in response.json()["message"]
    done = cli(engine, "query", "artis", "--limit", "20", "--page", str(last + 3))
    assert done.returncode == 1
    assert f"no page {last + 3}: the last page is {last}" in done.stderr
    # The last page itself is fine, and says what it holds.
    html = client.get("/", params={"q": "artis", "page": last}).text
    first_number = (last - 1) * 20 + 1
    assert f"({first_number}–{data['total']}, halaman {last} dari {last})" in html


def test_pages_past_the_cap_are_not_offered(engine: SearchEngine) -> None:
    from berita_search.search.engine import MAX_PAGE
    from berita_search.search.requests import SearchRequest

    result = engine.search(SearchRequest(q="", category="", source="", date_from="1900", limit=1))
    assert result.total > MAX_PAGE
    assert result.last_page == MAX_PAGE
    done = cli(engine, "query", "--from", "1900", "--limit", "1")
    assert f"page 1 of {MAX_PAGE}" in done.stdout.splitlines()[0]


# ---------------------------------------------------------------- sort


def test_a_filter_only_search_shows_the_sort_it_used(client: TestClient) -> None:
    html = client.get("/", params={"category": "Dunia"}).text
    assert '<option value="newest" selected>' in html
    assert '<option value="relevance" selected>' not in html
    assert '<strong aria-current="true">Terbaru</strong>' in html
    assert api(client, category="Dunia")["sort"] == "newest"


def test_scores_are_empty_when_sorted_by_date(client: TestClient) -> None:
    rows = list(csv.DictReader(io.StringIO(client.get("/ekspor.csv?q=artis&sort=newest").text.lstrip("\ufeff"))))
    assert rows and all(r["score"] == "" for r in rows)
    ranked = list(csv.DictReader(io.StringIO(client.get("/ekspor.csv?q=artis").text.lstrip("\ufeff"))))
    assert all(float(r["score"]) > 0 for r in ranked)
    exported = json.loads(client.get("/ekspor.json?q=artis&sort=oldest").text)
    assert all(h["score"] is None for h in exported["hits"])
    assert all(h["score"] is None for h in api(client, q="artis", sort="newest")["hits"])


# ---------------------------------------------------------------- back to the results


def test_back_to_the_results_keeps_the_whole_search(client: TestClient) -> None:
    params = {"q": "artis", "sort": "oldest", "from": "2019", "category": "Selebriti", "limit": "5", "page": "2"}
    html = client.get("/", params=params).text
    link = next(h for h in hrefs(html) if h.startswith("/artikel/"))
    article = client.get(link).text
    back = re.search(r'<p class="back"><a href="([^"]+)">‹ Kembali ke hasil</a>', article)
    assert back, article[:3000]
    assert dict(parse_qsl(urlsplit(unescape(back[1])).query)) == params
    assert hit_ids(client.get(unescape(back[1])).text) == hit_ids(html)


# ---------------------------------------------------------------- examples


def test_home_page_examples_come_from_the_index_and_find_something(client: TestClient, engine: SearchEngine) -> None:
    html = client.get("/").text
    about = html.split('<section class="about"')[1]
    examples = [h for h in hrefs(about.split("Contoh:")[1].split("</p>")[0]) if h.startswith("/?")]
    assert len(examples) >= 4
    for link in examples:
        found = client.get(link).text
        assert hit_ids(found), link
    stats = engine.stats(top=1000)
    queries = [dict(parse_qsl(urlsplit(link).query)).get("q", "") for link in examples]
    top_reporter = stats["facets"]["reporter"][0][0]
    assert any(top_reporter in q for q in queries), queries
    latest_month = max(month for month, _ in stats["facets"]["month"])
    assert latest_month == "2023-09"  # the hand-made articles of web_fixtures
    assert f"tanggal:{latest_month}" in queries


# ---------------------------------------------------------------- all values of a facet


def test_a_facet_shows_every_value_on_request(client: TestClient) -> None:
    everything = api(client, q="", **{"from": "1900"})["facets"]["category"]
    assert len(everything) > 12
    html = client.get("/", params={"from": "1900"}).text
    categories = html.split("<h2>Kategori</h2>")[1].split("</section>")[0]
    assert len(re.findall(r'<span class="count">', categories)) <= 13  # twelve, and maybe the missing ones
    more = next(h for h in hrefs(categories) if "expand=category" in h)
    assert f"tampilkan semua ({len(everything)})" in categories
    expanded = client.get(more).text
    listed = expanded.split("<h2>Kategori</h2>")[1].split("</section>")[0]
    names = [unescape(n) for n in re.findall(r'<a href="[^"]*category=[^"]*">([^<]+)</a>', listed)]
    assert sorted(names) == sorted(everything)
    counts = [int(n.replace(".", "")) for n in re.findall(r'<span class="count">([\d.]+)</span>', listed)]
    assert sum(counts) == sum(everything.values()) + api(client, q="", **{"from": "1900"})["missing"]["category"]
    assert "tampilkan 12 teratas" in listed
    assert "<script" not in expanded
