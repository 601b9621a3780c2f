"""One count everywhere: the headline, the facets, the timeline and the API agree, and each
number says its unit (stories, with copies collapsed, or articles).

The ground truth is the articles themselves: a search's export without collapsing lists every
matching article, so the counts are checked against the values those articles carry.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Iterator

import pytest
from berita_search.index.analysis import analyze, surface_analyzer
from berita_search.index.stopwords import STOPWORDS
from berita_search.search.engine import SearchEngine
from berita_search.web.app import create_app
from starlette.testclient import TestClient

from tests.cli_runner import run_cli
from tests.web_fixtures import build_web_index, duplicate_articles

SINGLE_VALUED = ("category", "reporter", "source", "year", "month")
MISSING_LABELS = {
    "category": "(tanpa kategori)",
    "desk": "(tanpa desk)",
    "reporter": "(tanpa reporter)",
    "source": "(tanpa sumber)",
}


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchEngine]:
    engine = SearchEngine(build_web_index(tmp_path_factory))
    yield engine
    engine.close()


@pytest.fixture(scope="module")
def client(engine: SearchEngine) -> TestClient:
    return TestClient(create_app(engine), raise_server_exceptions=False)


def number(text: str) -> int:
    return int(text.replace(".", ""))


def title_words(engine: SearchEngine, how_many: int) -> list[str]:
    """The index's most common title words: searches that find many articles, and the two copies."""
    counts: Counter[str] = Counter()
    with engine.backend.ix.searcher() as searcher:
        for stored in searcher.all_stored_fields():
            words = analyze(stored.get("title", ""), surface_analyzer())
            counts.update({w for w in words if w not in STOPWORDS and len(w) > 3 and w.isalpha()})
    return [w for w, _ in counts.most_common(how_many)]


def queries(engine: SearchEngine) -> list[dict[str, str]]:
    found = [{"q": w} for w in title_words(engine, 30)]
    found += [{"q": "banjir rob semarang"}, {"q": "Kim Jong Un"}, {"q": "artis"}, {"q": "rumus"}]
    stats = engine.stats(top=3)
    found += [{"category": v} for v, _ in stats["facets"]["category"]]
    found += [{"source": v} for v, _ in stats["facets"]["source"]]
    found += [{"q": "banjir", "from": "2019-09"}, {"q": "Pyongyang"}]
    return found


def exported(client: TestClient, params: dict[str, str], collapse: str) -> list[dict[str, str]]:
    response = client.get("/ekspor.csv", params={**params, "collapse": collapse})
    assert response.status_code == 200, response.text
    return list(csv.DictReader(io.StringIO(response.text.lstrip("\ufeff"))))


@pytest.mark.slow
def test_counts_agree_for_many_searches(client: TestClient, engine: SearchEngine) -> None:
    checked = 0
    with_copies = 0
    with_undated = 0
    for params in queries(engine):
        data = client.get("/api/search", params=params).json()
        articles_rows = exported(client, params, "0")
        stories_rows = exported(client, params, "1")
        # The API's two counts are the articles and the stories the exports list.
        assert data["articles"] == len(articles_rows), params
        assert data["stories"] == len(stories_rows), params
        assert data["total"] == data["stories"], params  # copies collapsed by default
        assert client.get("/api/search", params={**params, "collapse": 0}).json()["total"] == data["articles"]
        if not data["articles"]:
            continue
        checked += 1
        with_copies += data["articles"] > data["stories"]
        with_undated += data["missing"]["month"] > 0
        # Each single-valued facet plus the articles lacking a value is every article.
        for name in SINGLE_VALUED:
            key = {"year": "published", "month": "published"}.get(name, name)
            lacking = sum(1 for row in articles_rows if not row[key])
            counts = data["facets"][name]
            assert sum(counts.values()) + lacking == data["articles"], (params, name)
            assert data["missing"][name] == lacking, (params, name)
        for name, value in (("category", "category"), ("source", "source")):
            truth = Counter(row[value] for row in articles_rows if row[value])
            assert data["facets"][name] == dict(truth), (params, name)

        html = client.get("/", params=params).text
        headline = re.search(
            r'<p id="jumlah"><strong>([\d.]+)</strong> berita, <strong>([\d.]+)</strong> artikel', html
        )
        assert headline, (params, html[:2000])
        assert (number(headline[1]), number(headline[2])) == (data["stories"], data["articles"])
        # The chart's table holds the dated articles, every one in one period.
        table = html.split('<table class="data">')[1].split("</table>")[0] if '<table class="data">' in html else ""
        body = table.split("<tbody>")[1].split("</tbody>")[0] if table else ""
        cells = [number(n) for n in re.findall(r"<td>(?:<a [^>]*>)?([\d.]+)", body)]
        assert sum(cells) == data["articles"] - data["missing"]["month"], params
        assert "jumlah artikel per " in table
        # Articles lacking a category, a reporter or a publisher are counted on the page too.
        facets = html.split('<aside class="facets"')[1]
        assert "Jumlah artikel" in facets
        for name, label in MISSING_LABELS.items():
            lacking = data["missing"][name]
            shown = re.search(re.escape(label) + r'\s*<span class="count">([\d.]+)</span>', facets)
            if lacking:
                assert shown and number(shown[1]) == lacking, (params, name)
            else:
                assert not shown, (params, name)
        # Without collapsing, the headline counts articles only.
        plain = client.get("/", params={**params, "collapse": "0"}).text
        assert re.search(rf'<p id="jumlah"><strong>{data["articles"]:,}</strong> artikel'.replace(",", "."), plain)
    assert checked >= 30 and with_copies >= 1 and with_undated >= 1


def test_copies_make_stories_fewer_than_articles(client: TestClient) -> None:
    data = client.get("/api/search", params={"q": "banjir rob semarang"}).json()
    ids = {a.id for a in duplicate_articles()}
    assert data["articles"] == data["stories"] + 1
    assert len({h["id"] for h in data["hits"]} & ids) == 1
    assert data["facets"]["source"]["satu.test"] == data["facets"]["source"]["dua.test"] == 1


def test_cli_headline_says_stories_and_articles(engine: SearchEngine) -> None:
    done = run_cli("query", "--index", engine.location, "banjir rob semarang")
    first = done.stdout.splitlines()[0]
    assert re.match(r"\d+ stories, \d+ articles for “banjir rob semarang” \(1–\d+, page 1 of 1\)$", first), first
    stories, articles = map(int, re.findall(r"\d+", first)[:2])
    assert articles == stories + 1
