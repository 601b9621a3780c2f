"""Shared paths and a small real index built once per test session."""

from __future__ import annotations

import itertools
import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from berita_search.index.article import Article

# Real OpenSearch clusters (session fixtures opensearch_one_node, opensearch_three_nodes): started
# only when a test asks for one.
pytest_plugins = ["tests.opensearch_fixtures"]

# Markers by module (see pyproject.toml): `make check` runs the rest, in about two minutes.
MODULE_MARKERS = {
    "test_browser": "browser",
    "test_opensearch_cluster": "opensearch",
    "test_opensearch_backend": "opensearch",
    "test_faults": "faults",
    "test_bad_input_matrix": "faults",
    "test_concurrency": "slow",
    "test_properties": "slow",
    "test_corpus_text": "slow",
    "test_mapped_files": "slow",
    # Whole-corpus indexes or many index builds: out of `make check`'s minute.
    "test_coverage": "slow",
    "test_timeline_cli": "slow",
    "test_full_export": "slow",
    "test_phrase_identity": "slow",
    "test_watch": "slow",
}


@pytest.hookimpl(tryfirst=True)  # node ids made distinct before other hooks read them (--deselect)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        marker = MODULE_MARKERS.get(item.module.__name__.rsplit(".", 1)[-1]) if item.module else None
        if marker:
            item.add_marker(marker)
    distinct_node_ids(items)


def distinct_node_ids(items: list[pytest.Item]) -> None:
    """xdist schedules tests by node id: items sharing one would run once. Schemathesis names
    each operation's item (``test[GET /api/search]``), but pytest 9.2 builds the id without
    that name, so its items are given the name's brackets; any other shared id stops the run."""
    counts = Counter(item.nodeid for item in items)
    for item in items:
        if counts[item.nodeid] > 1 and item.name.endswith("]") and "[" not in item.nodeid:
            from _pytest.nodeid import NodeId  # only on the pytest that builds such ids

            item._id = NodeId.parse(item.nodeid + item.name[item.name.index("[") :])
    shared = [nodeid for nodeid, count in Counter(item.nodeid for item in items).items() if count > 1]
    if shared:
        raise pytest.UsageError(f"tests share a node id, and xdist would run only one of each: {shared[:3]}")


# `make test` runs the suite in two processes (pytest-xdist, `-n 2 --dist loadgroup`). A group
# runs in one process, so what a group builds once is built once: each module is a group, the
# modules with tests that need an OpenSearch cluster are one group (one set of JVMs; the backend
# contract compares both backends in some tests and one per parameter in others), and the modules that
# index the whole clickid corpus are one group (one 22,000-article index). The groups are told
# by node id: the controller never collects, and xdist's own `xdist_group` marks are lost on
# pytest 9's node ids.
OPENSEARCH_MODULES = {"test_contract", "test_opensearch_backend", "test_opensearch_cluster", "test_properties"}
WHOLE_CLICKID_MODULES = {
    "test_coverage",
    "test_entity_search",
    "test_full_export",
    "test_hostile_queries",
    "test_timeline_cli",
}


def run_group(nodeid: str) -> str:
    module = Path(nodeid.partition("::")[0]).stem
    if module in OPENSEARCH_MODULES:
        return "opensearch"
    return "whole-clickid" if module in WHOLE_CLICKID_MODULES else module


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object:
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class GroupScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return run_group(nodeid)

    return GroupScheduling(config, log)


REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
SEED = SHARED / "seed" / "000_d41e4b651be29f01.txt"
CLICKID = SHARED / "corpus" / "clickid"
CLICKID_JSONL = CLICKID / "clickid_raw_articles.derived.jsonl"
INDOSUM = SHARED / "corpus" / "indosum-dev"
SAMPLE = REPO / "sample"


def require_shared() -> None:
    # CI has ../shared beside the clone; a missing folder is a broken set-up, not a skip.
    assert SEED.exists(), f"shared data missing: {SEED} (tests read ../shared beside the repo)"


def clickid_rows(limit: int | None = None) -> list[dict]:
    require_shared()
    with CLICKID_JSONL.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in itertools.islice(fh, limit)]


@pytest.fixture(scope="session")
def clickid_index(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Path]:
    """Indexes of the first ``n`` clickid articles (all of them for None), with files read
    ``before`` and ``after`` them and ``articles`` written last, built once per session for
    each combination asked for, in the product's own way (worker processes as the CLI would
    choose them)."""
    from berita_search.index.readers import read_paths
    from berita_search.index.writer import default_workers, index_records

    built: dict[tuple[object, ...], Path] = {}

    def build(
        n: int | None = None,
        *,
        before: tuple[Path, ...] = (),
        after: tuple[Path, ...] = (),
        articles: tuple[Article, ...] = (),
        batch_size: int | None = None,
    ) -> Path:
        key = (n, before, after, tuple(a.id for a in articles), batch_size)
        if key not in built:
            require_shared()
            folder = tmp_path_factory.mktemp(f"clickid-{n or 'all'}")
            source = CLICKID_JSONL
            if n is not None:
                source = folder / "clickid-subset.jsonl"
                with CLICKID_JSONL.open(encoding="utf-8") as src, source.open("w", encoding="utf-8") as dst:
                    dst.writelines(itertools.islice(src, n))
            index_dir = folder / "index"
            workers = default_workers(source.stat().st_size)
            records = itertools.chain(read_paths([*before, source, *after]), articles)
            summary = index_records(index_dir, records, batch_size=batch_size, workers=workers)
            assert not summary.failed, summary.failed[:3]
            built[key] = index_dir
        return built[key]

    return build


@pytest.fixture(scope="session")
def sample_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled sample indexed through the command line, as `make demo` does it. Tests only
    read it (re-indexing the same files changes nothing)."""
    from tests.cli_runner import run_cli

    index_dir = tmp_path_factory.mktemp("sample") / "index"
    done = run_cli("index", "--index", str(index_dir), str(SAMPLE))
    assert done.returncode == 0, done.stderr
    assert "added 297, updated 0, unchanged 0, duplicates 0, failed 0" in done.stdout
    return index_dir


@pytest.fixture(scope="session")
def news_index(clickid_index: Callable[..., Path]) -> Path:
    """The seed page, the first 1,500 clickid articles, the sample folder (every publisher in
    the file order is not reached) and ``news_extra_articles``: the contract suite's Whoosh side."""
    from tests.web_fixtures import news_extra_articles

    return clickid_index(1500, before=(SEED,), after=(SAMPLE,), articles=tuple(news_extra_articles()))
