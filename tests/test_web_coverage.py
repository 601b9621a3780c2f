"""Coverage over time on the web and in the API: the search page's chart, the compare page, the
downloads and /api/coverage, all one computation (search.coverage) counted by article."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

import pytest
from berita_search.search.coverage import CSV_KEYS, CoverageService
from berita_search.search.engine import SearchEngine
from berita_search.search.requests import MAX_COMPARE, CoverageRequest, SearchRequest
from berita_search.web.app import create_app
from starlette.testclient import TestClient

from tests.web_fixtures import build_web_index


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchEngine]:
    engine = SearchEngine(build_web_index(tmp_path_factory))
    yield engine
    engine.close()


@pytest.fixture(scope="module")
def client(engine: SearchEngine) -> TestClient:
    return TestClient(create_app(engine), raise_server_exceptions=False)


def hrefs(html: str) -> list[str]:
    return [h.replace("&amp;", "&") for h in re.findall(r'href="([^"]*)"', html)]


def hit_ids(html: str) -> list[str]:
    return re.findall(r'<li class="hit" data-id="([0-9a-f]{16})">', html)


def number(text: str) -> int:
    return int(text.replace(".", ""))


def section(html: str, start: str, end: str) -> str:
    return html.split(start, 1)[1].split(end, 1)[0]


def test_the_search_page_draws_an_accessible_chart_with_its_table(client: TestClient, engine: SearchEngine) -> None:
    html = client.get("/", params={"q": "artis", "interval": "month"}).text
    figure = section(html, '<figure class="coverage"', "</figure>")
    # Two drawings of one chart, for a wide screen and a phone, each with a title and a description.
    assert re.findall(r'<svg class="plot (\w+)"', figure) == ["wide", "narrow"]
    assert figure.count('role="img"') == 2 and figure.count("<title id=") == 2 and figure.count("<desc id=") == 2
    description = re.search(r'<desc id="[^"]+">([^<]+)</desc>', figure)
    assert description and "artikel bertanggal, puncak" in description[1]
    data = client.get("/api/search", params={"q": "artis"}).json()
    dated = data["articles"] - data["missing"]["month"]
    assert f"{dated} artikel bertanggal" in description[1].replace(".", "")
    # The data table beside it: a row per month, every dated article counted once.
    table = section(html, '<table class="data">', "</table>")
    body = section(table, "<tbody>", "</tbody>")
    counts = [number(n) for n in re.findall(r"<td>(?:<a [^>]*>)?([\d.]+)", body)]
    assert sum(counts) == dated and len(counts) == body.count("<tr>")
    months = re.findall(r'<th scope="row">([^<]+)</th>', body)
    assert months[0] != months[-1] and all(re.fullmatch(r"[A-Z][a-z]+ \d{4}", m) for m in months)
    # Every bar links to its month's results, which hold exactly that many articles.
    for link, label in re.findall(r'<a href="([^"]+)" tabindex="-1"><title>([^<]+)</title>', figure)[:6]:
        found = client.get(
            "/api/search",
            params={**dict(re.findall(r"([^?&=]+)=([^&]*)", link.replace("&amp;", "&"))), "collapse": "0"},
        ).json()
        assert found["articles"] == number(re.search(r": ([\d.]+) artikel", label)[1]), (link, label)
    # Controls are links (no script), the current choice marked.
    controls = section(html, 'class="chart-controls"', "</nav>")
    assert '<strong aria-current="true">bulan</strong>' in controls
    assert "/?q=artis&interval=month&by=source" in hrefs(controls)


def test_a_split_stacks_outlets_and_others_holds_the_rest(client: TestClient, engine: SearchEngine) -> None:
    html = client.get("/", params={"q": "artis", "by": "source", "interval": "month"}).text
    legend = section(html, '<ul class="legend"', "</ul>")
    labels = re.findall(r'<a href="([^"]+)">([^<]+)</a> <span class="count">([\d.]+) artikel', legend)
    assert labels and labels[-1][1] in ("lainnya", labels[-1][1])
    total = sum(number(n) for _, _, n in labels)
    data = client.get("/api/search", params={"q": "artis"}).json()
    assert total == data["articles"] - data["missing"]["month"]
    for link, value, count in labels:
        found = client.get(link.replace("&amp;", "&").replace("/?", "/api/search?") + "&collapse=0").json()
        assert found["articles"] == number(count), value
        if value == "lainnya":
            assert "not_source=" in link


def test_compare_page_with_counts_shares_and_downloads(client: TestClient, engine: SearchEngine) -> None:
    params = [("q", "artis"), ("q", "Kim Jong Un"), ("q", "banjir")]
    html = client.get("/liputan", params=params).text
    assert "<script" not in html.lower()
    totals = section(html, '<ul class="plain totals">', "</ul>")
    found = re.findall(r"“([^”]+)”</a>: <strong>([\d.]+)</strong> artikel", totals)
    for query, count in found:
        assert number(count) == engine.search(SearchRequest(q=query, collapse=False)).articles
    assert [q for q, _ in found] == ["artis", "Kim Jong Un", "banjir"]
    figure = section(html, '<figure class="coverage"', "</figure>")
    assert figure.count('<path class="line') == 2 * 3  # a line per search, in both drawings
    # The five boxes of the form, filled in order.
    assert re.findall(r'<input name="q" type="search" value="([^"]*)"', html) == [
        "artis",
        "Kim Jong Un",
        "banjir",
        "",
        "",
    ]
    # CSV: a row per series and period; the same numbers as the API's JSON.
    csv_response = client.get("/liputan.csv", params=params)
    assert csv_response.headers["content-type"].startswith("text/csv")
    assert csv_response.headers["content-disposition"].startswith('attachment; filename="liputan-artis-kim-jong-un')
    rows = list(csv.DictReader(io.StringIO(csv_response.text.lstrip("\ufeff"))))
    assert tuple(rows[0]) == CSV_KEYS
    document = client.get("/api/coverage", params=params).json()
    assert [s["articles"] for s in document["searches"]] == [number(c) for _, c in found]
    for series in document["series"]:
        mine = [int(r["articles"]) for r in rows if r["query"] == series["query"]]
        assert mine == series["articles"] and sum(mine) == series["total"]
    assert client.get("/liputan.json", params=params).json() == document
    # The shares: the same searches, a share of all articles per period.
    shares = client.get("/liputan", params=[*params, ("share", "1")]).text
    assert "Proporsi dari semua artikel per" in shares


def test_coverage_requests_are_checked_in_indonesian(client: TestClient) -> None:
    six = [("q", f"kata{n}") for n in range(MAX_COMPARE + 1)]
    response = client.get("/api/coverage", params=six)
    assert response.status_code == 400
    assert response.json()["message"] == f"Paling banyak {MAX_COMPARE} pencarian dapat dibandingkan sekaligus."
    for params, said in (
        ({"q": "artis", "interval": "jam"}, "Interval tidak dikenal"),
        ({"q": "artis", "by": "judul"}, "Pemisah tidak dikenal: pilih source, category, desk, reporter."),
        ({"q": "artis", "top": "0"}, "Jumlah seri teratas harus bilangan bulat dari 1 sampai 10."),
        ({"q": "artis", "share": "ya"}, "Pilihan proporsi (share) harus 0 atau 1."),
    ):
        response = client.get("/api/coverage", params=params)
        assert response.status_code == 400 and response.json()["message"].startswith(said), params
        page = client.get("/liputan", params=params)
        assert page.status_code == 400 and said in page.text and 'role="alert"' in page.text
    assert client.get("/", params={"q": "artis", "interval": "jam"}).status_code == 400


def test_compare_boxes_and_series_escape_what_they_show(client: TestClient) -> None:
    hostile = '"><script>alert(1)</script>'
    html = client.get("/liputan", params=[("q", "artis"), ("q", hostile)]).text
    assert "<script" not in html.lower()
    assert "&lt;script&gt;" in html or "&#34;&gt;&lt;script" in html


def test_api_coverage_matches_the_service_and_the_search(client: TestClient, engine: SearchEngine) -> None:
    document = client.get("/api/coverage", params={"q": "banjir", "interval": "year", "by": "source"}).json()
    coverage = CoverageService(engine, cache_size=0).coverage(
        CoverageRequest(queries=("banjir",), interval="year", by="source")
    )
    assert document == coverage.document("id")
    assert document["interval"] == "year" and not document["auto_interval"]
    (search,) = document["searches"]
    assert search["articles"] == engine.search(SearchRequest(q="banjir", collapse=False)).articles
    assert sum(s["total"] for s in document["series"]) == search["dated"]
    # Every year from the first to the last, the empty ones zero.
    assert [p["period"] for p in document["periods"]] == [str(y) for y in range(2019, 2024)]
    per_year = [sum(s["articles"][i] for s in document["series"]) for i in range(5)]
    assert per_year[1:4] == [0, 0, 0] and per_year[0] > 0 and per_year[4] == 2  # the two Semarang copies
    semarang = [s for s in document["series"] if s["value"] in ("satu.test", "dua.test")]
    assert sorted(s["articles"][4] for s in semarang) == [1, 1]
