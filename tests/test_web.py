"""The web search box and JSON API, through Starlette's TestClient over a real index."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from berita_search.index.article import Article
from berita_search.index.dates import WIB
from berita_search.index.writer import index_records
from berita_search.search.engine import EXPORT_CAP, MAX_LIMIT, MAX_PAGE, SearchEngine
from berita_search.search.querylang import MAX_QUERY_CHARS
from berita_search.web.app import create_app
from berita_search.web.params import SearchState, state_from
from starlette.testclient import TestClient

from tests.web_fixtures import HOSTILE_TITLE, SEED_ID, build_web_index, duplicate_articles, hostile_articles

HOSTILE_ID = hostile_articles()[0].id
FORMULA_ID = hostile_articles()[1].id
DUP_IDS = {a.id for a in duplicate_articles()}


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchEngine]:
    engine = SearchEngine(build_web_index(tmp_path_factory))
    yield engine
    engine.close()


@pytest.fixture(scope="module")
def client(engine: SearchEngine) -> TestClient:
    return TestClient(create_app(engine), raise_server_exceptions=False)


def hit_ids(html: str) -> list[str]:
    return re.findall(r'<li class="hit" data-id="([0-9a-f]{16})">', html)


def hrefs(html: str) -> list[str]:
    return [h.replace("&amp;", "&") for h in re.findall(r'href="([^"]*)"', html)]


def api(client: TestClient, **params: object) -> dict:
    response = client.get("/api/search", params=params)
    assert response.status_code == 200, response.text
    return response.json()


# ---------------------------------------------------------------- pages


def test_home_page_offers_the_box_and_describes_the_archive(client: TestClient, engine: SearchEngine) -> None:
    response = client.get("/")
    assert response.status_code == 200
    html = response.text
    assert '<html lang="id">' in html
    assert '<label for="q"' in html and 'id="q" name="q" type="search"' in html
    for landmark in ("<header", "<main", "<footer", 'role="search"'):
        assert landmark in html
    documents = engine.stats()["documents"]
    assert f"{documents:,}".replace(",", ".") + " artikel" in html
    assert "Cari di arsip berita" in html
    # Example queries are links that run a search (tests/test_web_trust.py checks what they find).
    assert any(h.startswith("/?q=") for h in hrefs(html.split("Contoh:")[1]))


def test_search_page_puts_the_seed_first_with_its_metadata(client: TestClient) -> None:
    html = client.get("/", params={"q": "Kim Jong Un"}).text
    ids = hit_ids(html)
    assert ids[0] == SEED_ID
    first = html.split(f'data-id="{SEED_ID}"')[1].split("</li>")[0]
    assert "Vladimir Putin dan Kim Jong Un Bertukar Surat" in first
    assert "Kamis, 31 Agustus 2023 12:34 WIB" in first
    assert 'datetime="2023-08-31T12:34:00+07:00"' in first
    assert "Sarah Meiliana Gunawan" in first and "Dunia" in first
    assert "<mark>Kim</mark> <mark>Jong</mark> <mark>Un</mark>" in first
    assert f'href="/artikel/{SEED_ID}?q=Kim+Jong+Un"' in first
    assert re.search(r"<strong>\d+</strong> berita, <strong>\d+</strong> artikel untuk “Kim Jong Un”", html)


def test_total_matches_the_api(client: TestClient) -> None:
    data = api(client, q="artis")
    assert data["total"] == data["stories"] > 20
    html = client.get("/", params={"q": "artis"}).text
    assert f"<strong>{data['stories']}</strong> berita, <strong>{data['articles']}</strong> artikel" in html


@pytest.mark.parametrize("sort", ["newest", "oldest"])
def test_sort_orders_by_date(client: TestClient, sort: str) -> None:
    data = api(client, q="artis", sort=sort, limit=30)
    dates = [h["published"][:10] for h in data["hits"] if h["published"]]
    assert len(dates) >= 20
    assert dates == sorted(dates, reverse=sort == "newest")
    html = client.get("/", params={"q": "artis", "sort": sort}).text
    assert hit_ids(html)[:5] == [h["id"] for h in api(client, q="artis", sort=sort, limit=5)["hits"]]
    label = {"newest": "Terbaru", "oldest": "Terlama"}[sort]
    assert f'<strong aria-current="true">{label}</strong>' in html
    assert f'<option value="{sort}" selected>' in html


def test_pagination_walks_the_results(client: TestClient) -> None:
    page1 = client.get("/", params={"q": "artis", "limit": 10}).text
    page2 = client.get("/", params={"q": "artis", "limit": 10, "page": 2}).text
    ids1, ids2 = hit_ids(page1), hit_ids(page2)
    assert len(ids1) == 10 and ids2 and not set(ids1) & set(ids2)
    assert "/?q=artis&limit=10&page=2" in hrefs(page1)
    assert '<strong aria-current="page">2</strong>' in page2
    assert 'rel="prev" href="/?q=artis&amp;limit=10"' in page2
    assert ids2 == [h["id"] for h in api(client, q="artis", limit=10, page=2)["hits"]]


def test_did_you_mean_offers_the_corrected_query(client: TestClient) -> None:
    html = client.get("/", params={"q": "Pyongyangg"}).text
    assert "Maksud Anda:" in html
    assert "/?q=Pyongyang" in hrefs(html)
    assert api(client, q="Pyongyangg")["suggestion"] == "Pyongyang"  # in the case typed
    assert SEED_ID in hit_ids(client.get("/?q=pyongyang").text)


def test_near_duplicates_collapse_and_can_be_shown(client: TestClient) -> None:
    html = client.get("/", params={"q": "banjir rob semarang"}).text
    ids = hit_ids(html)
    assert len(set(ids) & DUP_IDS) == 1
    assert "+1 salinan serupa disembunyikan" in html
    assert "/?q=banjir+rob+semarang&collapse=0" in hrefs(html)
    expanded = client.get("/", params={"q": "banjir rob semarang", "collapse": "0"}).text
    assert set(hit_ids(expanded)) >= DUP_IDS
    assert "Semua salinan ditampilkan" in expanded  # the chip that undoes it
    assert {h["id"] for h in api(client, q="banjir rob semarang", collapse=0)["hits"]} >= DUP_IDS


def test_facets_filter_and_show_removable_chips(client: TestClient, engine: SearchEngine) -> None:
    html = client.get("/", params={"q": "artis"}).text
    facets = html.split('<aside class="facets"')[1]
    for heading in ("Kategori", "Reporter", "Sumber"):
        assert f"<h2>{heading}</h2>" in facets
    link = next(h for h in hrefs(facets) if "category=" in h)
    (category,) = state_from(dict(re.findall(r"([^?&=]+)=([^&]*)", link.split("?")[1]))).category
    filtered = client.get(link).text
    ids = hit_ids(filtered)
    assert ids
    for article_id in ids:
        article = engine.article(article_id)
        assert article is not None and article.category.casefold() == category.casefold()
    assert '<ul class="chips" aria-label="Filter aktif">' in filtered
    chip_remove = re.search(r'<a href="([^"]+)" aria-label="Hapus filter Kategori: ', filtered)
    assert chip_remove and chip_remove.group(1).replace("&amp;", "&") == "/?q=artis"
    assert 'class="active" aria-current="true"' in filtered


@pytest.mark.parametrize(
    ("param", "value", "key"),
    [("reporter", "Sarah Meiliana Gunawan", "reporter"), ("category", "dunia", "category"), ("source", "", "source")],
)
def test_api_filters(client: TestClient, engine: SearchEngine, param: str, value: str, key: str) -> None:
    if not value:
        value = api(client, q="artis")["facets"]["source"] and next(iter(api(client, q="artis")["facets"]["source"]))
    data = api(client, q="", **{param: value})
    assert data["total"] > 0
    assert all(value.casefold().split()[0] in h[key].casefold() for h in data["hits"])
    if param != "source":
        assert SEED_ID in {h["id"] for h in data["hits"]}
    # A filter alone lists articles newest first.
    assert data["sort"] == "newest"


def test_filter_only_search_page(client: TestClient) -> None:
    html = client.get("/", params={"category": "Dunia"}).text
    assert SEED_ID in hit_ids(html)
    assert "Kategori: Dunia" in html


def test_coverage_chart_bars_narrow_to_their_period(client: TestClient) -> None:
    html = client.get("/", params={"q": "Kim Jong Un"}).text
    figure = html.split('<figure class="coverage"')[1].split("</figure>")[0]
    # Two articles a day apart: by day, each bar a link to its day.
    assert figure.count("<svg") == 2 and "Jumlah artikel per hari" in figure
    bar_link = "/?q=Kim+Jong+Un&from=2023-08-31&to=2023-08-31"
    assert bar_link in hrefs(figure)
    assert "<title>31 Agu 2023 · “Kim Jong Un”: 1 artikel" in figure
    narrowed = client.get(bar_link).text
    assert hit_ids(narrowed) == [SEED_ID]
    assert "Dari: 2023-08-31" in narrowed and "Sampai: 2023-08-31" in narrowed
    # By month on request: the bar of August 2023 leaves the September article out.
    monthly = client.get("/", params={"q": "Kim Jong Un", "interval": "month"}).text
    assert "Jumlah artikel per bulan" in monthly
    month_link = "/?q=Kim+Jong+Un&from=2023-08&to=2023-08"
    assert month_link in hrefs(monthly)
    narrowed = client.get(month_link).text
    assert hit_ids(narrowed)[0] == SEED_ID and HOSTILE_ID not in hit_ids(narrowed)
    # Over four years, months are picked by themselves, the empty ones drawn as zero.
    years = client.get("/", params={"q": "banjir"}).text
    assert "Jumlah artikel per bulan" in years and "Maret 2019" in years and "Januari 2021" in years


def test_date_range_inputs(client: TestClient) -> None:
    html = client.get("/", params={"q": "Kim Jong Un", "from": "2023-08-01", "to": "2023-08-31"}).text
    assert 'name="from" type="text" value="2023-08-01"' in html
    assert 'name="to" type="text" value="2023-08-31"' in html
    assert hit_ids(html) == [SEED_ID]
    data = api(client, q="Pyongyang", **{"from": "2023-09"})
    assert SEED_ID not in {h["id"] for h in data["hits"]} and HOSTILE_ID in {h["id"] for h in data["hits"]}
    data = api(client, q="artis", to="2019-03")
    assert data["hits"] and all(h["published"] < "2019-04" for h in data["hits"])


def test_article_page_shows_full_text_marked(client: TestClient, engine: SearchEngine) -> None:
    response = client.get(f"/artikel/{SEED_ID}", params={"q": "Kim Jong Un"})
    assert response.status_code == 200
    html = response.text
    article = engine.article(SEED_ID)
    assert article is not None
    assert "<mark>Kim</mark> <mark>Jong</mark> <mark>Un</mark>" in html
    assert "Kamis, 31 Agustus 2023 12:34 WIB" in html
    assert "Sarah Meiliana Gunawan" in html and "Dunia" in html
    # The whole body, paragraph by paragraph, not a snippet.
    last_paragraph = article.body.split("\n\n")[-1].strip()
    assert last_paragraph[-60:] in html
    assert html.count("<p>") >= article.body.count("\n\n")
    assert "Artikel terkait" in html
    assert len(re.findall(r'<li><a href="/artikel/[0-9a-f]{16}">', html)) >= 1
    assert 'href="/?q=Kim+Jong+Un">‹ Kembali ke hasil' in html
    assert "/?reporter=Sarah+Meiliana+Gunawan" in hrefs(html)


def test_article_page_links_the_source_safely(client: TestClient) -> None:
    html = client.get(f"/artikel/{HOSTILE_ID}").text
    assert 'href="https://contoh.test/berita/xss" rel="noopener noreferrer nofollow"' in html
    # A javascript: URL from the data is never a live link.
    formula = client.get(f"/artikel/{FORMULA_ID}").text
    assert 'href="javascript:' not in formula
    assert "javascript:alert(4)" in formula  # still shown as text


@pytest.mark.parametrize("article_id", ["0000000000000000", "nope", "../../etc/passwd", "<script>"])
def test_unknown_article_is_404(client: TestClient, article_id: str) -> None:
    page = client.get(f"/artikel/{article_id}")
    assert page.status_code == 404
    assert "Artikel ini tidak ada" in page.text or "Halaman ini tidak ada" in page.text
    assert "root:" not in page.text
    data = client.get(f"/api/articles/{article_id}")
    assert data.status_code == 404
    if data.url.path.startswith("/api/"):  # a path with ../ is normalised before it reaches the app
        assert data.json()["message"]


# ---------------------------------------------------------------- API


def test_api_search_shape(client: TestClient) -> None:
    data = api(client, q="Kim Jong Un")
    assert {"query", "total", "page", "limit", "hits", "facets", "suggestion"} <= set(data)
    assert data["query"] == "Kim Jong Un" and data["page"] == 1 and data["limit"] == 10
    assert data["hits"][0]["id"] == SEED_ID
    assert set(data["hits"][0]) == {
        "id",
        "title",
        "url",
        "source",
        "category",
        "reporter",
        "published",
        "score",
        "snippet",
    }
    assert data["hits"][0]["published"] == "2023-08-31T12:34:00+07:00"
    assert "Kim Jong Un" in data["hits"][0]["snippet"] and "<mark>" not in data["hits"][0]["snippet"]
    assert set(data["facets"]) == {"category", "desk", "reporter", "source", "year", "month"}
    assert data["facets"]["category"]["Dunia"] == 1
    assert data["facets"]["month"]["2023-08"] >= 1
    assert data["total"] == len(data["hits"]) == sum(data["facets"]["month"].values())


def test_api_limit_and_page(client: TestClient) -> None:
    data = api(client, q="artis", limit=3, page=2)
    assert data["limit"] == 3 and data["page"] == 2 and len(data["hits"]) == 3
    everything = api(client, q="artis", limit=9)
    assert [h["id"] for h in data["hits"]] == [h["id"] for h in everything["hits"][3:6]]


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 0},
        {"limit": MAX_LIMIT + 1},
        {"limit": "sepuluh"},
        {"page": 0},
        {"page": MAX_PAGE + 1},
        {"page": "-1"},
        {"sort": "random"},
        {"from": "kemarin"},
        {"to": "2023-02-30"},
        {"collapse": "maybe"},
        {"q": "a" * (MAX_QUERY_CHARS + 1)},
        {"reporter": "x" * 1000},
    ],
)
def test_api_rejects_out_of_range_parameters(client: TestClient, params: dict) -> None:
    response = client.get("/api/search", params={"q": "artis", **params})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["message"]
    page = client.get("/", params={"q": "artis", **params})
    assert page.status_code == 400
    assert "Permintaan tidak dapat diproses" in page.text and "Traceback" not in page.text
    assert 'role="search"' in page.text  # the search page, with its form, not a dead end


def test_api_accepts_the_bounds(client: TestClient) -> None:
    assert api(client, q="a" * MAX_QUERY_CHARS)["total"] == 0
    assert api(client, q="artis", limit=MAX_LIMIT)["limit"] == MAX_LIMIT
    # Past the last page there is no page: said, not shown as an empty range (test_web_trust.py).
    assert client.get("/api/search", params={"q": "artis", "page": MAX_PAGE}).status_code == 404


def test_api_article(client: TestClient) -> None:
    data = client.get(f"/api/articles/{SEED_ID}").json()
    assert data["id"] == SEED_ID
    assert data["title"].startswith("Vladimir Putin dan Kim Jong Un")
    assert data["published"] == "2023-08-31T12:34:00+07:00"
    assert data["published_display"] == "Kamis, 31 Agustus 2023 12:34 WIB"
    assert "Shoigu" in data["body"] and isinstance(data["tags"], list)
    assert data["related"] and all(re.fullmatch(r"[0-9a-f]{16}", r["id"]) for r in data["related"])
    assert "origin" not in data  # a path on the server, not the reader's business


def test_openapi_describes_the_api(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    assert {"/api/search", "/api/articles/{id}"} <= set(spec["paths"])
    names = {p["name"] for p in spec["paths"]["/api/search"]["get"]["parameters"]}
    assert {"q", "page", "limit", "sort", "from", "to", "reporter", "category", "source"} <= names


# ---------------------------------------------------------------- export


def test_export_csv_has_every_hit_not_just_the_page(client: TestClient) -> None:
    total = api(client, q="artis")["total"]
    response = client.get("/ekspor.csv", params={"q": "artis", "limit": 5, "page": 2})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert 'filename="berita-artis.csv"' in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text.lstrip("\ufeff"))))
    assert len(rows) == total
    assert set(rows[0]) == {"id", "title", "url", "source", "category", "reporter", "published", "score", "snippet"}
    assert {r["id"] for r in rows} >= {h["id"] for h in api(client, q="artis", limit=5, page=2)["hits"]}


def test_export_json_and_its_cap(client: TestClient) -> None:
    data = json.loads(client.get("/ekspor.json", params={"q": "Pyongyang", "sort": "newest"}).text)
    assert data["cap"] == EXPORT_CAP and data["truncated"] is False
    assert data["count"] == len(data["hits"]) >= 2
    assert data["hits"][0]["id"] == HOSTILE_ID  # newest first
    assert data["filters"] == {"sort": "newest"}
    html = client.get("/", params={"q": "Kim Jong Un"}).text
    assert f"maks. {EXPORT_CAP:,}".replace(",", ".") in html
    assert "/ekspor.csv?q=Kim+Jong+Un" in hrefs(html) and "/ekspor.json?q=Kim+Jong+Un" in hrefs(html)


def test_export_neutralises_spreadsheet_formulas(client: TestClient) -> None:
    text = client.get("/ekspor.csv", params={"q": "rumus"}).text
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(text.lstrip("\ufeff")))}
    assert rows[FORMULA_ID]["title"].startswith("'=HYPERLINK")


# ---------------------------------------------------------------- safety


def test_hostile_title_is_escaped_everywhere(client: TestClient) -> None:
    pages = [
        client.get("/", params={"q": "script"}).text,
        client.get("/", params={"q": "Pyongyang"}).text,
        client.get(f"/artikel/{HOSTILE_ID}", params={"q": "serangan"}).text,
        client.get("/", params={"category": "Uji <i>"}).text,
    ]
    for html in pages:
        assert "<script" not in html.lower()
        assert "<img" not in html and "<b " not in html and "<i>" not in html
    assert HOSTILE_ID in hit_ids(pages[0]) and HOSTILE_ID in hit_ids(pages[3])
    assert "Bahaya &lt;script&gt;alert(1)&lt;/script&gt; di judul" in pages[0]
    assert "Penguji &lt;img src=x onerror=alert(3)&gt;" in pages[0]
    # Highlighting still works on escaped text.
    assert "<mark>serangan</mark>" in pages[2]
    assert (
        "&lt;b onmouseover=&#34;alert(2)&#34;&gt;" in pages[2]
        or "&lt;b onmouseover=&quot;alert(2)&quot;&gt;" in pages[2]
    )
    data = api(client, q="script")
    assert HOSTILE_TITLE in {h["title"] for h in data["hits"]}  # JSON carries the text as it is


def test_hostile_query_is_escaped(client: TestClient) -> None:
    q = '"><script>alert(1)</script>'
    response = client.get("/", params={"q": q})
    assert response.status_code == 200
    html = response.text
    assert "<script" not in html.lower()
    assert 'value="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in html
    # Also through the chips and facet links of a filter.
    html = client.get("/", params={"q": "artis", "reporter": "<script>x</script>"}).text
    assert "<script" not in html.lower()


def test_security_headers_on_every_response(client: TestClient) -> None:
    for url in (
        "/",
        "/?q=kim",
        f"/artikel/{SEED_ID}",
        "/api/search?q=kim",
        "/nope",
        "/api/search?limit=0",
        "/static/style.css",
    ):
        headers = client.get(url).headers
        csp = headers["content-security-policy"]
        assert "default-src 'self'" in csp and "script-src 'none'" in csp and "frame-ancestors 'none'" in csp
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"
        assert headers["referrer-policy"] == "same-origin"


def test_no_inline_styles_or_scripts_and_no_external_assets(client: TestClient) -> None:
    for url in ("/", "/?q=kim+jong+un", f"/artikel/{SEED_ID}?q=kim"):
        html = client.get(url).text
        assert " style=" not in html and "<style" not in html and "<script" not in html
        assert not re.search(r'(src|href)="(https?:)?//', html.replace('href="https://contoh.test', ""))


def test_unknown_routes_are_404_without_detail(client: TestClient) -> None:
    page = client.get("/wp-admin/../../etc/passwd")
    assert page.status_code == 404 and "Halaman ini tidak ada." in page.text
    data = client.get("/api/unknown")
    assert data.status_code == 404 and set(data.json()) == {"message", "status"}


@pytest.mark.parametrize("url", ["/", "/api/search", f"/api/articles/{SEED_ID}", "/ekspor.csv"])
def test_read_only(client: TestClient, url: str) -> None:
    for method in ("post", "put", "delete"):
        assert getattr(client, method)(url).status_code == 405


def test_server_errors_hide_details(engine: SearchEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    app_client = TestClient(create_app(engine), raise_server_exceptions=False)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret /srv/path details")

    monkeypatch.setattr(engine, "search", broken)
    page = app_client.get("/", params={"q": "kim"})
    assert page.status_code == 500
    assert "secret" not in page.text and "Traceback" not in page.text
    assert "Terjadi kesalahan" in page.text
    data = app_client.get("/api/search", params={"q": "kim"})
    assert data.status_code == 500 and "secret" not in data.text and data.json()["message"]
    assert data.headers["x-frame-options"] == "DENY"


def test_new_commits_are_searchable_without_a_restart(tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    first = Article(
        title="Gempa Guncang Cianjur", body="Gempa bermagnitudo 5,6 mengguncang Cianjur.", url="https://a.test/1"
    )
    index_records(index_dir, [first])
    live = TestClient(create_app(SearchEngine(index_dir)))
    assert live.get("/api/search", params={"q": "tsunami"}).json()["total"] == 0
    later = Article(
        title="Peringatan Tsunami Dicabut",
        body="BMKG mencabut peringatan tsunami.",
        url="https://a.test/2",
        published=datetime(2023, 9, 3, 7, 0, tzinfo=WIB),
        published_has_time=True,
    )
    index_records(index_dir, [later])
    data = live.get("/api/search", params={"q": "tsunami"}).json()
    assert [h["id"] for h in data["hits"]] == [later.id]
    assert live.get(f"/artikel/{later.id}").status_code == 200


# ---------------------------------------------------------------- permalinks


def test_every_state_is_in_the_url() -> None:
    state = state_from(
        {
            "q": "kim",
            "page": "3",
            "limit": "50",
            "sort": "oldest",
            "from": "2023-08",
            "to": "2023-09",
            "reporter": "Sarah",
            "category": "Dunia",
            "source": "rmol.id",
            "collapse": "0",
        }
    )
    again = state_from(dict(pair.split("=", 1) for pair in state.query_string().split("&")))
    assert again == state
    # Changing anything but the page starts again at page 1.
    assert "page=" not in state.url(sort="newest")
    assert state.url(page=4).endswith("page=4")
    assert SearchState().url() == "/"


def test_search_form_round_trips_filters(client: TestClient) -> None:
    html = client.get("/", params={"q": "kim", "category": "Dunia", "limit": 5, "collapse": 0}).text
    assert '<input type="hidden" name="category" value="Dunia">' in html
    assert '<input type="hidden" name="limit" value="5">' in html
    assert '<input type="hidden" name="collapse" value="0">' in html
