"""Collections: articles kept with a note and tags, by id, id prefix or URL; bounded input;
listed, exported (CSV, XLSX) and shown on the article page; the same on the command line.
Also ``show`` by URL or id prefix, and citations."""

from __future__ import annotations

import csv
import html
import io
import json
import re
import subprocess
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from berita_search.search import citation
from berita_search.search.engine import SearchEngine, SearchRequest
from berita_search.search.requests import RequestError
from berita_search.search.state import StateStore
from berita_search.search.workflow import (
    COLLECTION_KEYS,
    ITEMS_MAX,
    NOTE_MAX,
    TAGS_MAX,
    NotFoundError,
    Workflow,
    collection_rows,
    find_article,
)
from berita_search.web.app import create_app
from openpyxl import load_workbook
from starlette.testclient import TestClient

from tests.web_fixtures import HOSTILE_TITLE, SEED_ID, build_web_index


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> SearchEngine:
    engine = SearchEngine(build_web_index(tmp_path_factory), cache_size=0)
    yield engine
    engine.close()


def with_url(engine: SearchEngine, count: int) -> list:
    """Articles of the index that have a web URL and a source, best first for a common word."""
    hits = engine.search(SearchRequest(q="indonesia", limit=100, facets=False)).hits
    found = [engine.article(h.id) for h in hits if h.url.startswith("https://") and h.source]
    assert len(found) >= count
    return found[:count]


def test_articles_are_kept_with_notes_and_tags(engine: SearchEngine, tmp_path: Path) -> None:
    workflow = Workflow(engine, StateStore(tmp_path / "state.sqlite3"))
    first, second = with_url(engine, 2)
    info, article, added = workflow.add_to_collection(
        "Liputan Banjir", first.id, "Kutipan bupati\nparagraf 3", "Sumber, kutipan, sumber"
    )
    assert added and article.id == first.id and info.items == 1
    # By URL in another form (no scheme's www, a tracking parameter, a trailing slash): the same article.
    url = first.url.replace("https://www.", "http://").rstrip("/") + "/?utm_source=wa"
    info, article, added = workflow.add_to_collection("liputan banjir", url, "diganti", ["Baru"])
    assert not added and article.id == first.id and info.items == 1 and info.name == "Liputan Banjir"
    workflow.add_to_collection("Liputan Banjir", second.id[:8])
    kept = workflow.collection("LIPUTAN BANJIR")
    assert [i.article_id for i in kept.items] == [first.id, second.id]
    assert kept.items[0].note == "diganti" and kept.items[0].tags == ["baru"]
    assert kept.items[1].note == "" and kept.items[1].tags == []
    assert [(c.name, i.note) for c, i in workflow.collections_holding(first.id)] == [("Liputan Banjir", "diganti")]
    assert workflow.collections_holding(SEED_ID) == []
    rows = list(collection_rows(kept))
    assert [r["id"] for r in rows] == [first.id, second.id]
    assert rows[0]["body"] == first.body and rows[0]["in_index"] is True and rows[0]["tags"] == "baru"
    workflow.remove_from_collection(kept.info.id, second.id)
    assert [i.article_id for i in workflow.collection(kept.info.id).items] == [first.id]
    with pytest.raises(NotFoundError, match="is not in collection"):
        workflow.remove_from_collection(kept.info.id, second.id)
    deleted = workflow.delete_collection("Liputan Banjir")
    assert deleted.items == 1 and workflow.collections() == [] and workflow.collections_holding(first.id) == []


def test_tags_are_trimmed_folded_and_kept_once_in_order() -> None:
    from berita_search.search.workflow import checked_tags

    assert checked_tags(" Sumber , kutipan,SUMBER,, data  publik ") == ["sumber", "kutipan", "data publik"]
    assert checked_tags(["a, b", "c"]) == ["a", "b", "c"]


@pytest.mark.parametrize(
    ("collection", "note", "tags", "code"),
    [
        ("", "", "", "name_empty"),
        ("x" * 101, "", "", "name_too_long"),
        ("ok", "n" * (NOTE_MAX + 1), "", "note_too_long"),
        ("ok", "", ",".join(f"t{i}" for i in range(TAGS_MAX + 1)), "too_many_tags"),
        ("ok", "", "t" * 41, "tag_too_long"),
    ],
)
def test_bounds_are_said_in_both_languages(
    engine: SearchEngine, tmp_path: Path, collection: str, note: str, tags: str, code: str
) -> None:
    workflow = Workflow(engine, StateStore(tmp_path / "state.sqlite3"))
    with pytest.raises(RequestError) as caught:
        workflow.add_to_collection(collection, SEED_ID, note, tags)
    assert caught.value.message.code == code
    assert caught.value.text("id") and caught.value.text("en") and "\n" not in caught.value.text("en")
    assert workflow.collections() == []


def test_a_full_collection_takes_no_more(engine: SearchEngine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from berita_search.search import workflow as module

    monkeypatch.setattr(module, "ITEMS_MAX", 2)
    workflow = Workflow(engine, StateStore(tmp_path / "state.sqlite3"))
    first, second, third = with_url(engine, 3)
    workflow.add_to_collection("Kecil", first.id)
    workflow.add_to_collection("Kecil", second.id)
    workflow.add_to_collection("Kecil", second.id, "catatan baru")  # already there: an update, allowed
    with pytest.raises(RequestError, match="already holds 2 articles"):
        workflow.add_to_collection("Kecil", third.id)
    assert ITEMS_MAX == 5_000


def test_articles_by_prefix_and_url(engine: SearchEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    from berita_search.search import workflow as module

    (article,) = with_url(engine, 1)
    assert find_article(engine, article.id.upper()).id == article.id
    assert find_article(engine, article.id[:6]).id == article.id
    assert find_article(engine, article.url).id == article.id
    with pytest.raises(RequestError, match="too short"):
        find_article(engine, article.id[:3])
    with pytest.raises(NotFoundError):
        find_article(engine, "https://contoh.test/tidak-ada")
    # One hex digit is the prefix of many ids: ambiguous, with how many it matches.
    monkeypatch.setattr(module, "ID_PREFIX_MIN", 1)
    digit = article.id[0]
    count = len(engine.backend.ids_with_prefix(digit, 10_000))
    assert count > 1 and all(i.startswith(digit) for i in engine.backend.ids_with_prefix(digit, 10_000))
    with pytest.raises(RequestError, match=rf"id prefix '{digit}' matches {count} articles"):
        find_article(engine, digit)


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "berita_search.search.cli", *args], capture_output=True, text=True, timeout=300
    )


def test_collections_on_the_command_line(engine: SearchEngine, tmp_path: Path) -> None:
    index = ["--index", engine.location, "--state", str(tmp_path / "state.sqlite3")]
    first, second = with_url(engine, 2)
    done = run_cli(
        "collect", *index, "Pemilu", first.url, "--note", "Kutipan KPU", "--tag", "kpu", "--tag", "data, angka"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"Added {first.id} “{first.title}” in collection 1 “Pemilu” (1 articles)."
    assert run_cli("collect", *index, "Pemilu", second.id[:7]).returncode == 0
    listed = run_cli("collections", *index, "--json")
    assert json.loads(listed.stdout) == {
        "id": 1,
        "name": "Pemilu",
        "created_at": json.loads(listed.stdout)["created_at"],
        "items": 2,
    }
    shown = run_cli("collection", *index, "pemilu")
    assert f"  {first.id}  {first.title}" in shown.stdout and "    tags: kpu, data, angka" in shown.stdout
    assert "    note: Kutipan KPU" in shown.stdout
    exported = run_cli("collection", *index, "1", "--csv")
    assert exported.stdout.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(exported.stdout.lstrip("\ufeff"))))
    assert tuple(rows[0]) == COLLECTION_KEYS
    assert [r["id"] for r in rows] == [first.id, second.id] and rows[0]["note"] == "Kutipan KPU"
    assert rows[0]["body"] == first.body
    workbook = tmp_path / "pemilu.xlsx"
    assert run_cli("collection", *index, "Pemilu", "--xlsx", str(workbook)).returncode == 0
    sheet = load_workbook(workbook, read_only=True).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == COLLECTION_KEYS and [v[0] for v in values[1:]] == [first.id, second.id]
    bad = run_cli("collect", *index, "Pemilu", first.id, "--note", "x" * 2001)
    assert (
        bad.returncode == 2
        and bad.stderr.strip() == "berita-search: error: the note is too long (at most 2000 characters)"
    )
    missing = run_cli("collect", *index, "Pemilu", "ffffffffffffffff")
    assert missing.returncode == 1 and "no article 'ffffffffffffffff' in the index" in missing.stderr
    removed = run_cli("collection", *index, "Pemilu", "--remove", second.id)
    assert removed.returncode == 0 and "(1 articles left)" in removed.stdout
    assert run_cli("collection", *index, "Pemilu", "--delete").returncode == 0
    assert run_cli("collection", *index, "Pemilu").returncode == 1


def test_show_takes_a_url_or_an_id_prefix(engine: SearchEngine) -> None:
    (article,) = with_url(engine, 1)
    for ref in (article.id, article.id[:5], article.url, article.url.replace("https://", "http://") + "?utm_medium=x"):
        done = run_cli("show", "--index", engine.location, ref, "--json")
        assert done.returncode == 0, (ref, done.stderr)
        assert json.loads(done.stdout)["id"] == article.id
    done = run_cli("show", "--index", engine.location, "https://contoh.test/tidak-ada")
    assert done.returncode == 1 and "no article with id or URL" in done.stderr


def test_citations_say_what_the_article_says(engine: SearchEngine) -> None:
    seed = engine.article(SEED_ID)
    assert seed is not None
    day = date(2024, 12, 5)
    assert citation.plain(seed, day) == (
        "Sarah Meiliana Gunawan. “Vladimir Putin dan Kim Jong Un Bertukar Surat, Bahas Amunisi untuk Perang”. "
        "31 Agustus 2023. Diakses 5 Desember 2024."
    )
    (article,) = with_url(engine, 1)
    plain = citation.plain(article, day)
    assert (
        plain.startswith(f"“{article.title}”. {article.source}, ")
        if not article.reporter
        else article.reporter in plain
    )
    assert plain.endswith(f"{article.url} (diakses 5 Desember 2024).")
    published = date.fromisoformat(article.published[:10])
    assert f"{published.day} " in plain and str(published.year) in plain
    csl = json.loads(citation.csl_json(article, day))
    assert csl == [
        {
            "id": article.id,
            "type": "article-newspaper",
            "title": article.title,
            **({"author": [{"literal": article.reporter}]} if article.reporter else {}),
            "container-title": article.source,
            "issued": {"date-parts": [[published.year, published.month, published.day]]},
            "URL": article.url,
            "accessed": {"date-parts": [[2024, 12, 5]]},
            "language": "id",
        }
    ]
    bibtex = citation.bibtex(article, day)
    assert bibtex.startswith("@online{") and f"  url = {{{article.url}}}," in bibtex
    assert f"  date = {{{published.isoformat()}}}," in bibtex and "  urldate = {2024-12-05}," in bibtex


def test_bibtex_escapes_what_tex_would_read(engine: SearchEngine) -> None:
    hostile = next(
        h
        for h in engine.search(SearchRequest(q="judul:bahaya", limit=5, facets=False)).hits
        if h.title == HOSTILE_TITLE
    )
    article = engine.article(hostile.id)
    tricky = replace(article, title="50% naik & {turun} #1 $2 _x ~y ^z \\w")
    entry = citation.bibtex(tricky, date(2024, 1, 2))
    assert (
        r"  title = {50\% naik \& \{turun\} \#1 \$2 \_x \textasciitilde{}y \textasciicircum{}z \textbackslash{}w},"
        in entry
    )
    assert entry.count("{") == entry.count("}")
    assert "Penguji <img src=x onerror=alert(3)>" in entry  # the reporter, verbatim (no TeX specials in it)


def test_the_article_page_keeps_collects_and_cites(engine: SearchEngine, tmp_path: Path) -> None:
    store = StateStore(tmp_path / "web.sqlite3")
    client = TestClient(create_app(engine, state_store=store))
    (article,) = with_url(engine, 1)
    page = client.get(f"/artikel/{article.id}?q=indonesia")
    assert page.status_code == 200 and "belum ada di koleksi mana pun" in page.text
    token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    assert f'name="kembali" value="/artikel/{article.id}?q=indonesia"' in page.text
    sent = client.post(
        "/koleksi/tambah",
        data={
            "csrf": token,
            "artikel": article.id,
            "koleksi": "Riset <b>A</b>",
            "catatan": "<i>penting</i>",
            "tag": "satu, dua",
            "kembali": f"/artikel/{article.id}?q=indonesia",
        },
        follow_redirects=False,
    )
    assert sent.status_code == 303 and sent.headers["location"] == f"/artikel/{article.id}?q=indonesia#koleksi"
    page = client.get(f"/artikel/{article.id}")
    assert '<a href="/koleksi/1">Riset &lt;b&gt;A&lt;/b&gt;</a>' in page.text
    assert "&lt;i&gt;penting&lt;/i&gt;" in page.text and '<span class="tag">dua</span>' in page.text
    plain = re.search(r'<textarea id="kutipan-biasa"[^>]*>(.*?)</textarea>', page.text, re.S).group(1)
    assert html.unescape(plain) == citation.plain(article)
    listing = client.get("/koleksi/1")
    assert f'data-id="{article.id}"' in listing.text
    exported = client.get("/koleksi/1.csv?pemisah=titikkoma")
    assert exported.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(exported.text.lstrip("\ufeff")), delimiter=";"))
    assert [r["id"] for r in rows] == [article.id] and rows[0]["note"] == "<i>penting</i>"
    bib = client.get(f"/artikel/{article.id}/kutipan.bib")
    assert bib.status_code == 200 and bib.text == citation.bibtex(article)
    assert json.loads(client.get(f"/artikel/{article.id}/kutipan.json").text)[0]["id"] == article.id
    # Going back only ever leads to this article's page, never to another site.
    for back in ("https://evil.test/", "//evil.test/x", f"/artikel/{article.id}/../../x\\y"):
        sent = client.post(
            "/koleksi/tambah",
            data={"csrf": token, "artikel": article.id, "koleksi": "Riset <b>A</b>", "kembali": back},
            follow_redirects=False,
        )
        assert sent.headers["location"] == f"/artikel/{article.id}#koleksi"
    removed = client.post(
        "/koleksi/1/hapus-artikel", data={"csrf": token, "artikel": article.id}, follow_redirects=False
    )
    assert removed.status_code == 303
    after = client.get(f"/artikel/{article.id}").text
    assert "belum ada di koleksi mana pun" in after, re.search(
        r'<section class="collect".*?</section>', after, re.S
    ).group(0)
    assert client.post("/koleksi/1/hapus", data={"csrf": token}, follow_redirects=False).status_code == 303
    assert client.get("/koleksi/1").status_code == 404
