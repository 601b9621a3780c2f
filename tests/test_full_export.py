"""Full exports: every hit of a search with its full text, past the 5,000-hit cap of the page
exports, as CSV (UTF-8 with BOM; a semicolon variant), XLSX and JSON lines; and /api/hits,
every hit a page at a time with a cursor."""

from __future__ import annotations

import base64
import csv
import io
import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from berita_search.index.article import Article
from berita_search.index.dates import WIB
from berita_search.index.readers import read_paths
from berita_search.index.writer import index_records
from berita_search.search.cursor import cursor_page, decode_cursor, encode_cursor
from berita_search.search.engine import SearchEngine, SearchRequest
from berita_search.search.fullexport import FULL_KEYS
from berita_search.search.output import XLSX_CELL_CHARS, spreadsheet_cell
from berita_search.search.requests import RequestError
from berita_search.web.app import create_app
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from starlette.testclient import TestClient

from tests.test_watch import clickid, write_rows


@pytest.fixture(scope="module")
def engine(news_index: Path) -> SearchEngine:
    engine = SearchEngine(news_index, cache_size=0)
    yield engine
    engine.close()


def paged_ids(engine: SearchEngine, request: SearchRequest) -> list[str]:
    """The ranking through the page searches (search(), page by page): an independent path."""
    ids: list[str] = []
    page = 1
    while True:
        result = engine.search(SearchRequest(**{**request.__dict__, "page": page, "limit": 100, "facets": False}))
        ids += [h.id for h in result.hits]
        if page >= result.last_page:
            return ids
        page += 1


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "berita_search.search.cli", *args], capture_output=True, text=True, timeout=600
    )


def test_the_full_csv_holds_every_hit_with_its_whole_text(engine: SearchEngine, tmp_path: Path) -> None:
    request = SearchRequest(q="indonesia")
    expected = paged_ids(engine, request)
    assert len(expected) > 200
    out = tmp_path / "full.csv"
    done = run_cli("export", "--index", engine.location, "indonesia", "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert done.stderr.startswith(f"berita-search: {len(expected):,} articles exported")
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert tuple(rows[0]) == FULL_KEYS
    assert sorted(r["id"] for r in rows) == sorted(expected)
    assert len({r["id"] for r in rows}) == len(rows)
    for row in rows[:50]:
        article = engine.article(row["id"])
        # As a spreadsheet shows them: text that starts like a formula gets a leading quote.
        assert row["body"] == spreadsheet_cell(article.body) and row["title"] == spreadsheet_cell(article.title)
        assert row["published"] == (article.published or "")
    assert max(len(r["body"]) for r in rows) > 2_000  # whole bodies, not snippets
    scores = [float(r["score"]) for r in rows]
    assert scores == sorted(scores, reverse=True)


def test_the_semicolon_variant_and_the_workbook(engine: SearchEngine, tmp_path: Path) -> None:
    done = run_cli(
        "export", "--index", engine.location, "indonesia", "--format", "csv-semicolon", "--sort", "relevance"
    )
    rows = list(csv.DictReader(io.StringIO(done.stdout.lstrip("\ufeff")), delimiter=";"))
    assert len(rows) == len(paged_ids(engine, SearchRequest(q="indonesia")))
    assert all("," in r["score"] and "." not in r["score"] for r in rows if r["score"] not in ("", "0"))
    workbook = tmp_path / "full.xlsx"
    assert (
        run_cli("export", "--index", engine.location, "indonesia", "--format", "xlsx", "-o", str(workbook)).returncode
        == 0
    )
    values = list(load_workbook(workbook, read_only=True).active.iter_rows(values_only=True))
    assert values[0] == FULL_KEYS
    assert [v[0] for v in values[1:]] == [r["id"] for r in rows]
    assert run_cli("export", "--index", engine.location, "indonesia", "--format", "xlsx").returncode == 2
    jsonl = run_cli("export", "--index", engine.location, "--reporter", "sarah meiliana", "--format", "jsonl")
    lines = [json.loads(line) for line in jsonl.stdout.splitlines()]
    assert lines and all(tuple(line) == FULL_KEYS for line in lines) and lines[0]["score"] is None


def test_long_bodies_are_cut_in_workbooks_only_and_say_so(tmp_path: Path) -> None:
    body = ("Kalimat panjang tentang banjir di pesisir utara. " * 1_200).strip()
    assert len(body) > XLSX_CELL_CHARS
    article = Article(
        title="Laporan sangat panjang",
        body=body,
        url="https://contoh.test/panjang",
        source="contoh.test",
        published=datetime(2023, 9, 3, 9, 0, tzinfo=WIB),
        published_has_time=True,
    )
    index_dir = tmp_path / "index"
    assert index_records(index_dir, [article]).added == 1
    out = tmp_path / "long.xlsx"
    assert run_cli("export", "--index", str(index_dir), "banjir", "--format", "xlsx", "-o", str(out)).returncode == 0
    cell = list(load_workbook(out, read_only=True).active.iter_rows(values_only=True))[1][FULL_KEYS.index("body")]
    assert len(cell) == XLSX_CELL_CHARS and cell.endswith(f" [dipotong: {len(body)} karakter]")
    assert body.startswith(cell[: -len(f" [dipotong: {len(body)} karakter]")])
    text = run_cli("export", "--index", str(index_dir), "banjir").stdout
    assert next(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))["body"] == body


def test_web_full_exports_stream_every_hit_and_neutralise_formulas(tmp_path_factory: pytest.TempPathFactory) -> None:
    from tests.web_fixtures import build_web_index

    engine = SearchEngine(build_web_index(tmp_path_factory), cache_size=0)
    try:
        client = TestClient(create_app(engine))
        response = client.get("/ekspor-lengkap.csv", params={"q": "rumus OR indonesia", "pemisah": "titikkoma"})
        assert response.status_code == 200
        assert response.headers["content-disposition"] == 'attachment; filename="berita-lengkap-rumus-or-indonesia.csv"'
        rows = list(csv.DictReader(io.StringIO(response.text.lstrip("\ufeff")), delimiter=";"))
        assert sorted(r["id"] for r in rows) == sorted(paged_ids(engine, SearchRequest(q="rumus OR indonesia")))
        formula = next(r for r in rows if "HYPERLINK" in r["title"])
        assert formula["title"].startswith("'=HYPERLINK(")
        workbook = client.get("/ekspor-lengkap.xlsx", params={"q": "rumus"})
        sheet = load_workbook(io.BytesIO(workbook.content), read_only=True).active
        titles = [v[1] for v in sheet.iter_rows(values_only=True)][1:]
        assert titles and all(t.startswith("'=") for t in titles if "HYPERLINK" in t)
        assert client.get("/ekspor-lengkap.csv", params={"q": "kim", "pemisah": "pipa"}).status_code == 400
        busy = TestClient(create_app(engine, export_slots=0)).get("/ekspor-lengkap.csv", params={"q": "kim"})
        assert busy.status_code == 503 and busy.headers["retry-after"] == "10"
    finally:
        engine.close()


# ---------------------------------------------------------------- cursor pages


def walk(client: TestClient, params: dict[str, str], limit: int) -> tuple[list[str], int]:
    ids: list[str] = []
    cursor = ""
    pages = 0
    while True:
        response = client.get("/api/hits", params={**params, "limit": str(limit), "cursor": cursor})
        assert response.status_code == 200, response.text
        body = response.json()
        ids += [h["id"] for h in body["hits"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            return ids, body["total"]
        assert len(body["hits"]) == limit


@pytest.mark.parametrize(("sort", "collapse"), [("relevance", "1"), ("newest", "0"), ("oldest", "1")])
def test_the_cursor_walks_every_hit_once_past_the_page_cap(engine: SearchEngine, sort: str, collapse: str) -> None:
    client = TestClient(create_app(engine))
    ids, total = walk(client, {"q": "indonesia", "sort": sort, "collapse": collapse}, limit=37)
    request = SearchRequest(q="indonesia", sort=sort, collapse=collapse == "1")
    assert len(ids) == len(set(ids)) == total
    assert set(ids) == set(paged_ids(engine, request))
    _parsed, ranked = engine.iterate(request)
    assert ids == [r.stored["id"] for r in ranked]


@settings(max_examples=15, deadline=None)
@given(limit=st.integers(1, 60), sort=st.sampled_from(["relevance", "newest", "oldest"]), collapse=st.booleans())
def test_any_page_size_gives_the_same_order(engine: SearchEngine, limit: int, sort: str, collapse: bool) -> None:
    request = SearchRequest(q="gempa OR banjir", sort=sort, collapse=collapse)
    _parsed, ranked = engine.iterate(request)
    expected = [r.stored["id"] for r in ranked]
    found: list[str] = []
    cursor = ""
    while True:
        page = cursor_page(engine, request, cursor, limit)
        found += [h.id for h in page.hits]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert found == expected and len(found) == page.counts.total


def test_a_cursor_belongs_to_its_search(engine: SearchEngine) -> None:
    client = TestClient(create_app(engine))
    first = client.get("/api/hits", params={"q": "indonesia", "limit": "5"}).json()
    cursor = first["next_cursor"]
    other = client.get("/api/hits", params={"q": "jakarta", "limit": "5", "cursor": cursor})
    assert other.status_code == 400
    assert other.json()["message"] == "Kursor tidak sah untuk pencarian ini; mulai lagi tanpa kursor."
    for bad in ("!!!", "a" * 401, base64.urlsafe_b64encode(b"[1,2,3]").decode(), "W10"):
        assert client.get("/api/hits", params={"q": "indonesia", "cursor": bad}).status_code == 400, bad
    request = SearchRequest(q="indonesia")
    assert decode_cursor(request, encode_cursor(request, (1.5, "abc"))) == (1.5, "abc")
    with pytest.raises(RequestError):
        decode_cursor(SearchRequest(q="indonesia", sort="newest"), encode_cursor(request, (1.5, "abc")))


def test_a_walk_survives_new_commits_without_repeating(tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    assert not index_records(index_dir, read_paths([write_rows(tmp_path / "a.jsonl", clickid(0, 300))])).failed
    engine = SearchEngine(index_dir, cache_size=0)
    try:
        request = SearchRequest(q="film", sort="oldest", collapse=False)
        first = cursor_page(engine, request, "", 20)
        _p, ranked = engine.iterate(request)
        before = [r.stored["id"] for r in ranked]
        assert len(before) > 40
        # More articles arrive between two pages.
        assert not index_records(index_dir, read_paths([write_rows(tmp_path / "b.jsonl", clickid(300, 600))])).failed
        _p, ranked = engine.iterate(request)
        now = [r.stored["id"] for r in ranked]
        seen = [h.id for h in first.hits]
        cursor = first.next_cursor
        while cursor:
            page = cursor_page(engine, request, cursor, 20)
            seen += [h.id for h in page.hits]
            cursor = page.next_cursor
        assert len(seen) == len(set(seen)), "nothing is repeated"
        position = now.index(seen[19])
        # The rest of the walk is the current ranking after the last hit read.
        assert seen[20:] == now[position + 1 :]
        assert set(before) <= set(seen)
    finally:
        engine.close()


@pytest.mark.slow
def test_the_whole_clickid_corpus_exports_past_the_cap(clickid_index, tmp_path: Path) -> None:  # noqa: ANN001
    index_dir = clickid_index()
    engine = SearchEngine(index_dir, cache_size=0)
    articles = engine.search(SearchRequest(date_from="1744", collapse=False, limit=1)).articles
    engine.close()
    assert articles > 20_000
    out = tmp_path / "all.csv"
    done = run_cli("export", "--index", str(index_dir), "--from", "1744", "--no-collapse", "-o", str(out))
    assert done.returncode == 0, done.stderr
    with out.open(encoding="utf-8-sig", newline="") as handle:
        ids = [row["id"] for row in csv.DictReader(handle)]
    assert len(ids) == len(set(ids)) == articles
