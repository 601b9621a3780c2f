"""Rows of hits for JSON, CSV and XLSX: the same keys and the same safe cells from the CLI,
the web exports and the API."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from datetime import datetime
from pathlib import Path

import pytest
from berita_search.index.article import Article
from berita_search.index.dates import WIB
from berita_search.index.fields import HIT_KEYS
from berita_search.index.writer import index_records
from berita_search.search.engine import SearchEngine
from berita_search.web.app import create_app
from openpyxl import load_workbook
from starlette.testclient import TestClient

from tests.cli_runner import run_cli

# Cells a spreadsheet would run: a formula, a DDE-style call, arithmetic, a leading tab.
FORMULAS = {
    "title": '=HYPERLINK("http://contoh.test/x","klik") judul rumus',
    "reporter": "@SUM(1+1)*cmd|' /C calc'!A0",
    "category": "+1+1",
    "source": "-2+3",
}


@pytest.fixture(scope="module")
def formula_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    index_dir = tmp_path_factory.mktemp("formulas") / "index"
    articles = [
        Article(
            title=FORMULAS["title"],
            body="Sel lembar kerja yang diawali tanda sama dengan dijalankan sebagai rumus oleh program.",
            url="https://contoh.test/rumus",
            source=FORMULAS["source"],
            category=FORMULAS["category"],
            reporter=FORMULAS["reporter"],
            published=datetime(2023, 9, 2, 9, 0, tzinfo=WIB),
            published_has_time=True,
        ),
        Article(
            title="\tTab di depan judul rumus",
            body="Rumus lain dengan tab di depan dan karakter kendali \x0b di tengah.",
            url="https://contoh.test/tab",
            source="contoh.test",
        ),
    ]
    summary = index_records(index_dir, articles)
    assert summary.added == 2
    return index_dir


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return run_cli(*args)


def assert_neutral(value: str) -> None:
    assert value[:1] not in ("=", "+", "-", "@", "\t", "\r"), value
    assert value.startswith("'"), value


def test_csv_from_the_command_line_neutralises_formulas(formula_index: Path) -> None:
    done = cli("query", "--index", str(formula_index), "rumus", "--csv")
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert list(rows[0]) == list(HIT_KEYS)
    row = next(r for r in rows if "HYPERLINK" in r["title"])
    for key, raw in FORMULAS.items():
        assert row[key] == "'" + raw, key
    assert_neutral(next(r for r in rows if "Tab" in r["title"])["title"])


def test_the_web_export_and_the_command_line_write_the_same_rows(formula_index: Path) -> None:
    done = cli("query", "--index", str(formula_index), "rumus", "--csv", "--limit", "100")
    client = TestClient(create_app(SearchEngine(formula_index)))
    web = client.get("/ekspor.csv", params={"q": "rumus"}).text.lstrip("\ufeff")
    strip_score = lambda rows: [{k: v for k, v in r.items() if k != "score"} for r in rows]  # noqa: E731
    assert strip_score(csv.DictReader(io.StringIO(web))) == strip_score(csv.DictReader(io.StringIO(done.stdout)))


def test_json_keeps_the_text_as_it_is(formula_index: Path) -> None:
    done = cli("query", "--index", str(formula_index), "rumus", "--json")
    hits = [json.loads(line) for line in done.stdout.splitlines()]
    assert all(tuple(h) == HIT_KEYS for h in hits)
    assert FORMULAS["title"] in {h["title"] for h in hits}  # JSON is data, not a spreadsheet


def test_xlsx_from_the_command_line_and_the_web(formula_index: Path, tmp_path: Path) -> None:
    target = tmp_path / "hasil.xlsx"
    done = cli("query", "--index", str(formula_index), "rumus", "--xlsx", str(target))
    assert done.returncode == 0, done.stderr
    assert "2 hits written to" in done.stderr
    client = TestClient(create_app(SearchEngine(formula_index)))
    response = client.get("/ekspor.xlsx", params={"q": "rumus"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert 'filename="berita-rumus.xlsx"' in response.headers["content-disposition"]
    web_file = tmp_path / "web.xlsx"
    web_file.write_bytes(response.content)
    csv_rows = list(csv.DictReader(io.StringIO(cli("query", "--index", str(formula_index), "rumus", "--csv").stdout)))
    for path in (target, web_file):
        sheet = load_workbook(path, read_only=True).active
        rows = [[c.value for c in row] for row in sheet.iter_rows()]
        assert tuple(rows[0]) == HIT_KEYS
        assert len(rows) == 3
        as_text = [{k: ("" if v is None else str(v)) for k, v in zip(HIT_KEYS, r, strict=True)} for r in rows[1:]]
        assert [r["id"] for r in as_text] == [r["id"] for r in csv_rows]
        assert [r["title"] for r in as_text] == [r["title"] for r in csv_rows]
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                assert cell.data_type != "f"
                if isinstance(cell.value, str) and cell.value:
                    assert cell.value[:1] not in ("=", "+", "-", "@", "\t")


def test_one_neutralising_function() -> None:
    from berita_search.search.output import spreadsheet_cell

    for raw in ("=1+1", "+1", "-1", "@A1", "\t=1", "\r=1", " =1+1", "\n=1"):
        assert spreadsheet_cell(raw).startswith("'"), raw
    for safe in ("Jakarta", "", "1,5 juta", "'kutip"):
        assert spreadsheet_cell(safe) == safe
    assert spreadsheet_cell(3.5) == 3.5 and spreadsheet_cell(None) is None
