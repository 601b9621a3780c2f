"""The workflow's SQLite file: migrations in order, write-ahead logging, writers that wait for
each other, and a damaged, foreign, newer or missing file said in one line, the index untouched."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from berita_search.search.engine import SearchEngine
from berita_search.search.state import LATEST_VERSION, MIGRATIONS, StateError, StateStore, migrate, state_path_for
from berita_search.search.workflow import Workflow

from tests.web_fixtures import SEED_ID, build_web_index


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> SearchEngine:
    engine = SearchEngine(build_web_index(tmp_path_factory), cache_size=0)
    yield engine
    engine.close()


def index_fingerprint(index_dir: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(index_dir.iterdir()) if p.is_file()}


def test_a_new_file_has_every_step_in_order_and_uses_wal(engine: SearchEngine, tmp_path: Path) -> None:
    store = StateStore(tmp_path / "state.sqlite3")
    assert Workflow(engine, store).saved_searches() == []
    assert not store.path.exists(), "reading creates nothing"
    Workflow(engine, store).save_search("Kim", {"q": "kim jong un"})
    with sqlite3.connect(store.path) as db:
        steps = db.execute("SELECT version, name FROM schema_migrations ORDER BY version").fetchall()
        assert steps == [(v, name) for v, name, _sql in MIGRATIONS]
        assert steps[-1][0] == LATEST_VERSION == 3
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert {"saved_search", "collection", "collection_item", "item_tag", "schema_migrations"} <= tables


def test_an_older_file_is_brought_up_to_date_and_keeps_its_records(engine: SearchEngine, tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path, isolation_level=None)
    assert migrate(db, path, upto=1) == 1
    db.execute(
        "INSERT INTO saved_search (name, params, created_at, baseline_added, seen_added) VALUES (?, ?, ?, ?, ?)",
        ("Lama", json.dumps({"q": "kim"}), "2024-01-01T00:00:00Z", 5, 7),
    )
    db.close()
    workflow = Workflow(engine, StateStore(path))
    (saved,) = workflow.saved_searches()  # read through the upgrade
    assert (saved.name, saved.params, saved.baseline_added, saved.seen_added) == ("Lama", {"q": "kim"}, 5, 7)
    info, article, added = workflow.add_to_collection("Baru", SEED_ID, "catatan", "a, b")
    assert added and article.id == SEED_ID
    with sqlite3.connect(path) as check:
        assert [r[0] for r in check.execute("SELECT version FROM schema_migrations ORDER BY version")] == [1, 2, 3]


def test_a_file_from_a_newer_version_is_refused(engine: SearchEngine, tmp_path: Path) -> None:
    path = tmp_path / "newer.sqlite3"
    db = sqlite3.connect(path, isolation_level=None)
    migrate(db, path)
    db.execute("INSERT INTO schema_migrations (version, name) VALUES (99, 'from the future')")
    db.close()
    with pytest.raises(StateError, match=r"written by a newer berita-search \(schema 99; this one knows 3\)"):
        Workflow(engine, StateStore(path)).saved_searches()
    with pytest.raises(StateError, match="newer"):
        Workflow(engine, StateStore(path)).save_search("x", {"q": "kim"})


@pytest.mark.parametrize("content", [b"this is not a database\n" * 50, b"SQLite format 3\x00" + b"\xff" * 4000])
def test_a_damaged_file_is_one_line_and_the_index_is_untouched(
    engine: SearchEngine, tmp_path: Path, content: bytes
) -> None:
    index_dir = Path(engine.location)
    before = index_fingerprint(index_dir)
    path = tmp_path / "damaged.sqlite3"
    path.write_bytes(content)
    workflow = Workflow(engine, StateStore(path))
    for action in (workflow.saved_searches, lambda: workflow.save_search("x", {"q": "kim"}), workflow.collections):
        with pytest.raises(StateError) as caught:
            action()
        message = str(caught.value)
        assert "\n" not in message and str(path) in message
        assert "damaged or not a SQLite database" in message and "the index is not affected" in message
    assert path.read_bytes() == content, "a damaged file is left as it was"
    assert index_fingerprint(index_dir) == before
    assert engine.article(SEED_ID) is not None


def test_the_cli_says_a_damaged_state_file_in_one_line(tmp_path: Path, engine: SearchEngine) -> None:
    path = tmp_path / "damaged.sqlite3"
    path.write_bytes(b"not a database at all\n" * 20)
    done = subprocess.run(
        [sys.executable, "-m", "berita_search.search.cli", "saved", "--index", engine.location, "--state", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"berita-search: error: the state file {path} is damaged")
    assert "Traceback" not in done.stderr
    missing_folder = tmp_path / "no-such-folder" / "state.sqlite3"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "berita_search.search.cli",
            "save",
            "--index",
            engine.location,
            "--state",
            str(missing_folder),
            "K",
            "kim",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert (
        done.stderr.strip()
        == f"berita-search: error: cannot create the state file {missing_folder}: its folder does not exist"
    )


def test_writers_in_threads_and_processes_wait_for_each_other(engine: SearchEngine, tmp_path: Path) -> None:
    store = StateStore(tmp_path / "busy.sqlite3")
    workflow = Workflow(engine, store)
    workflow.add_to_collection("Bersama", SEED_ID)
    errors: list[BaseException] = []

    def note(n: int) -> None:
        try:
            for i in range(15):
                Workflow(engine, StateStore(store.path)).add_to_collection("Bersama", SEED_ID, f"catatan {n}-{i}")
                Workflow(engine, StateStore(store.path)).save_search(f"cari {n}-{i}", {"q": f"kim {n} {i}"})
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=note, args=(n,)) for n in range(4)]
    script = (
        "import sqlite3, sys\n"
        "db = sqlite3.connect(sys.argv[1], timeout=5, isolation_level=None)\n"
        "for i in range(200):\n"
        "    db.execute('BEGIN IMMEDIATE'); db.execute('UPDATE collection SET created_at = created_at'); db.execute('COMMIT')\n"
    )
    other = subprocess.Popen([sys.executable, "-c", script, str(store.path)])
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert other.wait(timeout=120) == 0
    assert errors == []
    assert len(workflow.saved_searches()) == 60
    (holding,) = workflow.collections_holding(SEED_ID)
    assert holding[1].note.startswith("catatan ")


def test_the_state_file_sits_beside_the_index_folder(tmp_path: Path) -> None:
    assert state_path_for(tmp_path / "berita-index") == tmp_path / "berita-index.workflow.sqlite3"
    assert state_path_for(tmp_path / "berita-index" / "") == tmp_path / "berita-index.workflow.sqlite3"
