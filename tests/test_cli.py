"""The berita-search command end to end, as a user runs it."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
from pathlib import Path

import pytest
from berita_search.index.readers import read_file
from berita_search.search.engine import JSON_KEYS

from tests.cli_runner import run_cli
from tests.conftest import SAMPLE, SEED, require_shared


def run(*args: str, env_index: Path | None = None) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, env={"BERITA_SEARCH_INDEX": str(env_index)} if env_index is not None else None)


@pytest.fixture(scope="module")
def sample_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    index_dir = tmp_path_factory.mktemp("cli") / "index"
    done = run("index", "--index", str(index_dir), str(SAMPLE))
    assert done.returncode == 0, done.stderr
    assert "added 297, updated 0, unchanged 0, duplicates 0, failed 0" in done.stdout
    return index_dir


@pytest.fixture(scope="module")
def seed_id() -> str:
    require_shared()
    (record,) = list(read_file(SEED))
    return record.id


def test_demo_query_puts_the_seed_first(sample_index: Path) -> None:
    done = run("query", "--index", str(sample_index), "Kim Jong Un")
    assert done.returncode == 0
    lines = done.stdout.splitlines()
    assert re.match(r"\d+ stories, \d+ articles for “Kim Jong Un” \(1–\d+, page 1 of \d+\)$", lines[0])
    assert lines[2] == "1. Vladimir Putin dan Kim Jong Un Bertukar Surat, Bahas Amunisi untuk Perang"
    assert lines[3] == "   Kamis, 31 Agustus 2023 12:34 WIB · Sarah Meiliana Gunawan · Dunia"
    assert "\x1b[" not in done.stdout  # no colour when piped


def test_reindexing_the_sample_changes_nothing(sample_index: Path) -> None:
    done = run("index", str(SAMPLE), env_index=sample_index)
    assert done.returncode == 0
    assert "added 0, updated 0, unchanged 297, duplicates 0, failed 0" in done.stdout


def test_json_lines_have_exactly_the_documented_keys(sample_index: Path, seed_id: str) -> None:
    done = run("query", "--index", str(sample_index), "putin", "--json")
    assert done.returncode == 0
    hits = [json.loads(line) for line in done.stdout.splitlines()]
    assert hits and tuple(hits[0]) == JSON_KEYS
    assert hits[0]["id"] == seed_id
    assert hits[0]["published"] == "2023-08-31T12:34:00+07:00"
    assert isinstance(hits[0]["score"], float)


def test_csv_output(sample_index: Path, seed_id: str) -> None:
    done = run("query", "--index", str(sample_index), "putin", "--csv")
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert rows[0]["id"] == seed_id and list(rows[0]) == list(JSON_KEYS)


def test_filters_and_facets(sample_index: Path, seed_id: str) -> None:
    done = run(
        "query",
        "--index",
        str(sample_index),
        "putin",
        "--category",
        "DUNIA",
        "--from",
        "2023-08",
        "--to",
        "2023-08-31",
        "--reporter",
        "sarah gunawan",
        "--json",
    )
    assert [json.loads(line)["id"] for line in done.stdout.splitlines()] == [seed_id]
    done = run("query", "--index", str(sample_index), "putin", "--facets")
    assert "Article counts:" in done.stdout
    assert "category: Dunia (1)" in done.stdout
    assert "month: 2023-08 (1)" in done.stdout


def test_exit_codes(sample_index: Path) -> None:
    assert run("query", "--index", str(sample_index), "zzzyyyxxx").returncode == 1
    bad = run("query", "--index", str(sample_index), "putin", "--limit", "0")
    assert bad.returncode == 2
    assert bad.stderr.strip() == "berita-search: error: limit must be a whole number between 1 and 100"
    missing = run("query", "--index", str(sample_index.parent / "nope"), "putin")
    assert missing.returncode == 2 and "no index at" in missing.stderr and "Traceback" not in missing.stderr
    assert run("query", "--index", str(sample_index), "putin", "--sort", "random").returncode == 2


def test_show_and_stats(sample_index: Path, seed_id: str) -> None:
    shown = run("show", "--index", str(sample_index), seed_id)
    assert shown.returncode == 0
    assert shown.stdout.startswith("Vladimir Putin dan Kim Jong Un Bertukar Surat")
    assert "Reporter: Sarah Meiliana Gunawan" in shown.stdout
    assert "dari Korea Utara." in shown.stdout
    assert run("show", "--index", str(sample_index), "0000").returncode == 1
    stats = json.loads(run("stats", "--index", str(sample_index), "--json").stdout)
    assert stats["documents"] == 297
    assert stats["last_published"] == "2023-08-31T12:34:00+07:00"


def test_did_you_mean_on_the_command_line(sample_index: Path) -> None:
    done = run("query", "--index", str(sample_index), "jokowl")
    assert done.returncode == 1
    assert "Did you mean: jokowi" in done.stdout
