"""Saved searches and what is new to them, by article id: after indexing more clickid articles,
exactly the matches those commits added (or changed) are new, in the workflow, the CLI, the
web page and the Atom feed; marking a look seen empties it; an article committed during a look
is new at the next one, never lost."""

from __future__ import annotations

import itertools
import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from berita_search.index.article import Article, article_id
from berita_search.index.copies import CopyFinder
from berita_search.index.readers import read_paths
from berita_search.index.schema import ADDED_FIELD, build_schema
from berita_search.index.writer import article_fields, index_records, open_index
from berita_search.search.engine import SearchEngine, SearchRequest
from berita_search.search.state import StateStore
from berita_search.search.workflow import Workflow
from berita_search.web.app import create_app
from starlette.testclient import TestClient
from whoosh import index as whoosh_index

from tests.conftest import CLICKID_JSONL, require_shared

ATOM = "{http://www.w3.org/2005/Atom}"
QUERY = "indonesia"


def write_rows(path: Path, rows: list[dict]) -> Path:
    with path.open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    return path


def clickid(start: int, stop: int) -> list[dict]:
    require_shared()
    with CLICKID_JSONL.open(encoding="utf-8") as source:
        return [json.loads(line) for line in itertools.islice(source, start, stop)]


def matching_ids(engine: SearchEngine, query: str) -> set[str]:
    """Every article matching ``query`` now, copies included (the whole ranking, not a page)."""
    _parsed, ranked = engine.iterate(SearchRequest(q=query, collapse=False))
    return {item.stored["id"] for item in ranked}


def ids_of(engine: SearchEngine, rows: list[dict]) -> dict[str, str]:
    """url -> article id (the hash of the normalised URL), each checked to be in the index."""
    found = {row["url"]: article_id(row["url"], "", "") for row in rows}
    assert all(engine.article(i) is not None for i in found.values())
    return found


def new_ids(workflow: Workflow, name: str) -> tuple[set[str], int]:
    saved = workflow.saved_search(name)
    new = workflow.whats_new(saved, limit=100)
    ids = {h.id for h in new.result.hits}
    assert len(ids) == new.count, "the test lists every new match on one page"
    return ids, new.upto


def validate_atom(document: bytes) -> ET.Element:
    """Well-formed XML in the Atom namespace with the elements RFC 4287 requires."""
    root = ET.fromstring(document)
    assert root.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert root.find(f"{ATOM}{required}") is not None and root.findtext(f"{ATOM}{required}").strip(), required
    feed_author = root.find(f"{ATOM}author/{ATOM}name")
    assert feed_author is not None and feed_author.text
    assert any(link.get("rel") == "self" for link in root.findall(f"{ATOM}link"))
    _rfc3339(root.findtext(f"{ATOM}updated"))
    entry_ids = []
    for entry in root.findall(f"{ATOM}entry"):
        for required in ("id", "title", "updated"):
            assert entry.findtext(f"{ATOM}{required}"), required
        _rfc3339(entry.findtext(f"{ATOM}updated"))
        alternate = [link for link in entry.findall(f"{ATOM}link") if link.get("rel", "alternate") == "alternate"]
        assert len(alternate) == 1 and alternate[0].get("href", "").startswith("http")
        assert entry.find(f"{ATOM}summary") is not None or entry.find(f"{ATOM}content") is not None
        entry_ids.append(entry.findtext(f"{ATOM}id"))
    assert len(entry_ids) == len(set(entry_ids)), "entry ids are unique"
    assert all(re.match(r"^tag:[a-z0-9.-]+,\d{4}:", i) for i in entry_ids)
    return root


def _rfc3339(text: str | None) -> datetime:
    assert text and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)", text), text
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def feed_article_ids(root: ET.Element) -> list[str]:
    """The article each entry links to (its alternate link, /artikel/{id})."""
    found = []
    for entry in root.findall(f"{ATOM}entry"):
        link = next(link for link in entry.findall(f"{ATOM}link") if link.get("rel") == "alternate")
        found.append(link.get("href", "").rsplit("/", 1)[-1])
    return found


@pytest.fixture(scope="module")
def watched(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """An index of 300 clickid articles with two saved searches, then 300 more articles and two
    changed ones indexed after the searches were saved. The tests below run in file order: the
    later ones index more articles and mark looks seen."""
    folder = tmp_path_factory.mktemp("watch")
    index_dir = folder / "index"
    first, second, third = clickid(0, 300), clickid(300, 600), clickid(600, 700)
    assert not index_records(index_dir, read_paths([write_rows(folder / "a.jsonl", first)])).failed
    engine = SearchEngine(index_dir, cache_size=0)
    workflow = Workflow(engine, StateStore(folder / "state.sqlite3"))
    workflow.save_search("Indonesia", {"q": QUERY})
    workflow.save_search("Film di kapanlagi", {"q": "film", "source": "kapanlagi.com", "sort": "newest"})
    before = {q: matching_ids(engine, q) for q in (QUERY, "film")}
    first_ids = ids_of(engine, first[:40])
    # Two articles change: one that did not match now mentions Indonesia; one that matched is corrected.
    not_matching = next(r for r in first[:40] if first_ids[r["url"]] not in before[QUERY])
    matching = next(r for r in first[:40] if first_ids[r["url"]] in before[QUERY])
    changed = [
        {**not_matching, "content": not_matching["content"] + " Kini ia tampil di Indonesia."},
        {**matching, "content": matching["content"] + " (Ralat: nama tempat diperbaiki.)"},
    ]
    summary = index_records(index_dir, read_paths([write_rows(folder / "b.jsonl", second + changed)]))
    assert (summary.added, summary.updated, summary.failed) == (300, 2, [])
    after = {q: matching_ids(engine, q) for q in (QUERY, "film")}
    yield {
        "folder": folder,
        "index_dir": index_dir,
        "engine": engine,
        "workflow": workflow,
        "before": before,
        "after": after,
        "changed": {first_ids[not_matching["url"]], first_ids[matching["url"]]},
        "third": third,
    }
    engine.close()


def test_new_matches_are_exactly_what_later_commits_added_or_changed(watched: dict) -> None:
    workflow, before, after = watched["workflow"], watched["before"], watched["after"]
    expected = (after[QUERY] - before[QUERY]) | (watched["changed"] & after[QUERY])
    assert len(after[QUERY] - before[QUERY]) > 20 and len(watched["changed"] & after[QUERY]) == 2
    found, _upto = new_ids(workflow, "Indonesia")
    assert found == expected
    # The untouched articles that matched all along are not new.
    assert not found & (before[QUERY] - watched["changed"])


def test_filters_of_a_saved_search_apply_to_what_is_new(watched: dict) -> None:
    engine, workflow = watched["engine"], watched["workflow"]
    kapanlagi = {
        i for i in watched["after"]["film"] - watched["before"]["film"] if engine.article(i).source == "kapanlagi.com"
    }
    assert kapanlagi
    found, _ = new_ids(workflow, "film di KAPANLAGI")  # names are found in any case
    assert found == kapanlagi


def test_the_feed_is_atom_and_holds_the_new_matches(watched: dict) -> None:
    workflow = watched["workflow"]
    saved = workflow.saved_search("Indonesia")
    expected, _ = new_ids(workflow, "Indonesia")
    client = TestClient(create_app(watched["engine"], state_store=workflow.store))
    response = client.get(f"/pantau/{saved.id}.atom")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/atom+xml")
    root = validate_atom(response.content)
    entries = feed_article_ids(root)
    assert set(entries) == expected and len(entries) == len(expected)
    # Most recently added first: the entries' times never increase down the feed.
    times = [_rfc3339(e.findtext(f"{ATOM}updated")) for e in root.findall(f"{ATOM}entry")]
    assert times == sorted(times, reverse=True)


def test_marking_seen_empties_the_list_and_later_commits_fill_it(watched: dict) -> None:
    engine, workflow, folder = watched["engine"], watched["workflow"], watched["folder"]
    saved = workflow.saved_search("Indonesia")
    look = workflow.whats_new(saved, limit=100)
    assert look.count > 0
    # An article is committed while the reader looks: it is new at the next look, not lost.
    during = matching_ids(engine, QUERY)
    third = watched["third"]
    assert not index_records(watched["index_dir"], read_paths([write_rows(folder / "c.jsonl", third)])).failed
    added_during = matching_ids(engine, QUERY) - during
    assert added_during
    workflow.mark_seen(saved, look.upto)
    found, _ = new_ids(workflow, "Indonesia")
    assert found == added_during
    workflow.mark_seen(workflow.saved_search("Indonesia"), engine.backend.last_added())
    assert new_ids(workflow, "Indonesia")[0] == set()
    # Re-indexing the files of the current versions changes nothing, so nothing becomes new.
    again = index_records(watched["index_dir"], read_paths([folder / "b.jsonl", folder / "c.jsonl"]))
    assert again.added == again.updated == 0
    assert new_ids(workflow, "Indonesia")[0] == set()


def test_stamps_increase_in_the_order_articles_are_committed(tmp_path: Path) -> None:
    rows = clickid(0, 120)
    source = write_rows(tmp_path / "rows.jsonl", rows)
    index_dir = tmp_path / "index"
    assert not index_records(index_dir, read_paths([source]), batch_size=25).failed  # five commits
    with open_index(index_dir).searcher() as searcher:
        by_url = {doc["url"]: doc[ADDED_FIELD] for doc in searcher.documents()}
    stamps = [by_url[row["url"]] for row in rows]
    assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)


def test_an_index_written_before_stamps_gains_them_and_only_later_articles_are_new(tmp_path: Path) -> None:
    index_dir = tmp_path / "old-index"
    index_dir.mkdir()
    schema = build_schema()
    schema.remove(ADDED_FIELD)
    old_rows, new_rows = clickid(0, 150), clickid(150, 300)
    # Written as the indexer wrote before stamps: the same fields, none of them 'added'.
    writer = whoosh_index.create_in(str(index_dir), schema).writer()
    copies = CopyFinder()
    for record in read_paths([write_rows(tmp_path / "old.jsonl", old_rows)]):
        if isinstance(record, Article):
            copy = copies.decide(record, record.id, record.content_hash())
            writer.add_document(**article_fields(record, record.id, record.content_hash(), copy))
    writer.commit()
    assert ADDED_FIELD not in open_index(index_dir).schema
    engine = SearchEngine(index_dir, cache_size=0)
    try:
        workflow = Workflow(engine, StateStore(tmp_path / "state.sqlite3"))
        assert engine.backend.last_added() == 0
        workflow.save_search("Film", {"q": "film"})
        old = matching_ids(engine, "film")
        assert len(old) > 10
        assert not index_records(index_dir, read_paths([write_rows(tmp_path / "new.jsonl", new_rows)])).failed
        assert ADDED_FIELD in open_index(index_dir).schema
        found, _ = new_ids(workflow, "Film")
        assert found == matching_ids(engine, "film") - old and found
    finally:
        engine.close()


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "berita_search.search.cli", *args], capture_output=True, text=True, timeout=300
    )


def test_watch_on_the_command_line(tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    first, second = clickid(0, 200), clickid(200, 400)
    assert run_cli("index", "--index", str(index_dir), str(write_rows(tmp_path / "a.jsonl", first))).returncode == 0
    saved = run_cli("save", "--index", str(index_dir), "Film", "film", "--sort", "newest")
    assert saved.returncode == 0, saved.stderr
    assert re.match(r"Saved search 1 “Film”: “film”, sorted newest\.", saved.stdout)
    assert (tmp_path / "index.workflow.sqlite3").exists()  # beside the index folder, not in it
    assert not any(p.name.endswith(".sqlite3") for p in index_dir.iterdir())
    nothing = run_cli("watch", "--index", str(index_dir))
    assert nothing.returncode == 1 and "0 new" in nothing.stdout
    engine = SearchEngine(index_dir, cache_size=0)
    before = matching_ids(engine, "film")
    assert run_cli("index", "--index", str(index_dir), str(write_rows(tmp_path / "b.jsonl", second))).returncode == 0
    expected = matching_ids(engine, "film") - before
    engine.close()
    assert expected
    peek = run_cli("watch", "--index", str(index_dir), "--peek", "--json", "--limit", "100")
    assert peek.returncode == 0, peek.stderr
    assert {json.loads(line)["id"] for line in peek.stdout.splitlines()} == expected
    shown = run_cli("watch", "--index", str(index_dir), "Film", "--limit", "100")
    assert shown.returncode == 0
    assert set(re.findall(r"^  ([0-9a-f]{16})  ", shown.stdout, re.M)) == expected
    assert f"{len(expected)} new since" in shown.stdout
    after = run_cli("watch", "--index", str(index_dir))
    assert after.returncode == 1 and "0 new" in after.stdout
    listed = run_cli("saved", "--index", str(index_dir), "--json")
    assert json.loads(listed.stdout)["new"] == 0
    removed = run_cli("unsave", "--index", str(index_dir), "film")
    assert removed.returncode == 0 and "Removed saved search 1" in removed.stdout
    unknown = run_cli("watch", "--index", str(index_dir), "Film")
    assert (
        unknown.returncode == 1
        and unknown.stderr.strip() == "berita-search: error: no saved search named or numbered 'Film'"
    )


def test_the_web_lists_new_matches_and_marks_them_seen(watched: dict, tmp_path: Path) -> None:
    engine = watched["engine"]
    workflow = Workflow(engine, StateStore(tmp_path / "web-state.sqlite3"))
    client = TestClient(create_app(engine, state_store=workflow.store))
    page = client.get("/?q=film")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    saved = client.post("/pantau", data={"csrf": token, "q": "film", "nama": "Film web"}, follow_redirects=False)
    assert saved.status_code == 303
    location = saved.headers["location"]
    assert re.fullmatch(r"/pantau/\d+", location)
    listing = client.get(location)
    assert "<strong>0</strong> artikel baru" in listing.text
    before = matching_ids(engine, "film")
    folder = tmp_path / "more"
    folder.mkdir()
    assert not index_records(
        watched["index_dir"], read_paths([write_rows(folder / "d.jsonl", clickid(700, 800))])
    ).failed
    expected = matching_ids(engine, "film") - before
    assert expected
    listing = client.get(location)
    assert set(re.findall(r'<li class="hit" data-id="([0-9a-f]{16})"', listing.text)) == expected
    overview = client.get("/pantau")
    assert re.search(rf'<td class="number"><strong>{len(expected)}</strong></td>', overview.text)
    upto = re.search(r'name="upto" value="(\d+)"', listing.text).group(1)
    marked = client.post(f"{location}/dilihat", data={"csrf": token, "upto": upto}, follow_redirects=False)
    assert marked.status_code == 303
    assert "<strong>0</strong> artikel baru" in client.get(location).text
