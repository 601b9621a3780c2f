"""Batch search: each line of a list (or a CSV column) against the archive, its counts, first
and last dates and top outlets checked against page-by-page searches of the same phrase; the
same rows on the command line and through the upload form."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from berita_search.search.batch import BATCH_KEYS, TOP_OUTLETS, as_phrase, batch_search, read_names
from berita_search.search.engine import SearchEngine, SearchRequest
from berita_search.search.requests import RequestError
from berita_search.web.app import create_app
from starlette.testclient import TestClient

from tests.web_fixtures import build_web_index

NAMES = ["Kim Jong Un", "Putin", "Semarang", "Zzyzx Qwertyuiop", "indonesia"]


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> SearchEngine:
    engine = SearchEngine(build_web_index(tmp_path_factory), cache_size=0)
    yield engine
    engine.close()


def every_hit(engine: SearchEngine, request: SearchRequest) -> list:
    hits: list = []
    page = 1
    while True:
        result = engine.search(SearchRequest(**{**request.__dict__, "page": page, "limit": 100, "facets": False}))
        hits += result.hits
        if page >= result.last_page:
            return hits
        page += 1


def expected_row(engine: SearchEngine, name: str) -> dict:
    phrase = as_phrase(name)
    articles = every_hit(engine, SearchRequest(q=phrase, collapse=False))
    stories = every_hit(engine, SearchRequest(q=phrase, collapse=True))
    oldest = engine.search(SearchRequest(q=phrase, sort="oldest", collapse=False, limit=1, facets=False)).hits
    newest = engine.search(SearchRequest(q=phrase, sort="newest", collapse=False, limit=1, facets=False)).hits
    return {
        "articles": len(articles),
        "stories": len(stories),
        "first": oldest[0].published if oldest and oldest[0].published else None,
        "last": newest[0].published if newest and newest[0].published else None,
        "sources": Counter(h.source for h in articles if h.source),
    }


def test_each_line_counts_what_its_phrase_finds(engine: SearchEngine) -> None:
    text = "\n".join(["# daftar narasumber", "", *NAMES, "kim  jong un", "  Putin  "]) + "\n"
    names = read_names(text.encode("utf-8"))
    # Comments, blanks and repeats (any case, any spacing) are left out; line numbers are the file's.
    assert names == [(3, "Kim Jong Un"), (4, "Putin"), (5, "Semarang"), (6, "Zzyzx Qwertyuiop"), (7, "indonesia")]
    rows = list(batch_search(engine, names))
    assert [r.name for r in rows] == NAMES
    for row in rows:
        expected = expected_row(engine, row.name)
        assert (row.articles, row.stories) == (expected["articles"], expected["stories"]), row.name
        assert (row.first, row.last) == (expected["first"], expected["last"]), row.name
        counts = expected["sources"]
        assert len(row.top_sources) == min(TOP_OUTLETS, len(counts))
        assert [count for _name, count in row.top_sources] == sorted(counts.values(), reverse=True)[:TOP_OUTLETS]
        assert all(counts[name] == count for name, count in row.top_sources)
        assert row.link.startswith("/?q=")
    by_name = {r.name: r for r in rows}
    assert by_name["Kim Jong Un"].articles >= 2 and by_name["indonesia"].articles > 50
    assert by_name["Semarang"].stories < by_name["Semarang"].articles, "copies are counted once as stories"
    assert by_name["Zzyzx Qwertyuiop"].articles == 0 and by_name["Zzyzx Qwertyuiop"].first is None


def test_filters_apply_to_every_line(engine: SearchEngine) -> None:
    template = SearchRequest(date_from="2023-09", date_to="2023-09")
    (row,) = batch_search(engine, [(1, "Kim Jong Un")], template)
    september = every_hit(
        engine, SearchRequest(q='"Kim Jong Un"', date_from="2023-09", date_to="2023-09", collapse=False)
    )
    assert row.articles == len(september) and row.articles < expected_row(engine, "Kim Jong Un")["articles"]
    assert all(h.published.startswith("2023-09") for h in september)
    assert "from=2023-09" in row.link and "to=2023-09" in row.link


def test_a_csv_column_by_name_and_bad_lists() -> None:
    data = b"no;nama;jabatan\n1;Sri Mulyani;menteri\n2;Prabowo Subianto;presiden\n3;;kosong\n"
    assert read_names(data, "NAMA") == [(2, "Sri Mulyani"), (3, "Prabowo Subianto")]
    assert read_names(data, csv_file=True) == [(2, "1"), (3, "2"), (4, "3")]
    with pytest.raises(RequestError) as caught:
        read_names(data, "alamat")
    assert caught.value.message.code == "batch_column_unknown" and "no, nama, jabatan" in caught.value.text("en")
    for bad, code in (
        (b"\n# hanya komentar\n\n", "batch_empty"),
        (b"x" * 201, "batch_line_too_long"),
        ("\n".join(f"nama {i}" for i in range(11)).encode(), "batch_too_many"),
        (b"\x00\x01\x02binary\x00" * 50, "batch_unreadable"),
    ):
        with pytest.raises(RequestError) as caught:
            read_names(bad, max_lines=10)
        assert caught.value.message.code == code
        assert "\n" not in caught.value.text("en") and caught.value.text("id")


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "berita_search.search.cli", *args], capture_output=True, text=True, timeout=300
    )


def test_batch_on_the_command_line(engine: SearchEngine, tmp_path: Path) -> None:
    names = tmp_path / "nama.txt"
    names.write_text("\n".join(NAMES) + "\n", encoding="utf-8")
    expected = {name: expected_row(engine, name) for name in NAMES}
    done = run_cli("batch", "--index", engine.location, str(names), "--json")
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [tuple(line) for line in lines] == [BATCH_KEYS] * len(NAMES)
    assert [(line["name"], line["articles"]) for line in lines] == [(n, expected[n]["articles"]) for n in NAMES]
    assert lines[0]["link"].startswith("http://127.0.0.1:8000/?q=")
    table = run_cli("batch", "--index", engine.location, str(names), "--csv", "--base-url", "https://arsip.test/")
    rows = list(csv.DictReader(io.StringIO(table.stdout.lstrip("\ufeff"))))
    assert table.stdout.startswith("\ufeff") and [r["name"] for r in rows] == NAMES
    assert rows[0]["link"].startswith("https://arsip.test/?q=")
    human = run_cli("batch", "--index", engine.location, str(names))
    found = sum(1 for n in NAMES if expected[n]["articles"])
    assert human.stderr.strip() == f"{found:,} of {len(NAMES):,} lines found in the archive."
    missing = run_cli("batch", "--index", engine.location, str(tmp_path / "tidak-ada.txt"))
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1 and "cannot read" in missing.stderr
    (tmp_path / "kosong.txt").write_text("\n\n", encoding="utf-8")
    empty = run_cli("batch", "--index", engine.location, str(tmp_path / "kosong.txt"))
    assert empty.returncode != 0 and empty.stderr.count("\n") == 1 and "Traceback" not in empty.stderr


def test_the_upload_form(engine: SearchEngine) -> None:
    client = TestClient(create_app(engine))
    form = client.get("/massal")
    assert form.status_code == 200
    token = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
    expected = {name: expected_row(engine, name) for name in NAMES}
    sent = client.post(
        "/massal",
        data={"csrf": token},
        files={"berkas": ("nama.csv", ("nama\n" + "\n".join(NAMES) + "\n").encode("utf-8"), "text/csv")},
    )
    assert sent.status_code == 200
    cells = re.findall(
        r'<tr>\s*<td class="number">(\d+)</td>\s*<td>(.*?)</td>\s*<td class="number">([\d.]+)</td>', sent.text
    )
    assert [re.sub(r"<[^>]+>", "", name) for _line, name, _count in cells] == NAMES
    assert [int(count.replace(".", "")) for _l, _n, count in cells] == [expected[n]["articles"] for n in NAMES]
    found = sum(1 for n in NAMES if expected[n]["articles"])
    assert f"{found} dari {len(NAMES)} baris ditemukan di arsip." in sent.text
    typed = client.post("/massal", data={"csrf": token, "daftar": "Putin\nSemarang", "format": "csv"})
    assert typed.headers["content-disposition"] == 'attachment; filename="pencarian-massal.csv"'
    rows = list(csv.DictReader(io.StringIO(typed.text.lstrip("\ufeff"))))
    assert [(r["name"], int(r["articles"])) for r in rows] == [
        ("Putin", expected["Putin"]["articles"]),
        ("Semarang", expected["Semarang"]["articles"]),
    ]
    empty = client.post("/massal", data={"csrf": token, "daftar": "  \n"})
    assert empty.status_code == 400 and 'role="alert"' in empty.text
