"""Shared paths and a small real index built once per test session."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from pathlib import Path

import pytest

# Real OpenSearch clusters (session fixtures opensearch_one_node, opensearch_three_nodes): started
# only when a test asks for one.
pytest_plugins = ["tests.opensearch_fixtures"]

# Markers by module (see pyproject.toml): `make check` runs the rest, in under a minute.
MODULE_MARKERS = {
    "test_browser": "browser",
    "test_opensearch_cluster": "opensearch",
    "test_contract": "opensearch",
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


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        marker = MODULE_MARKERS.get(item.module.__name__.rsplit(".", 1)[-1]) if item.module else None
        if marker:
            item.add_marker(marker)


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
    """Indexes of the first ``n`` clickid articles (all of them for None), built once per session
    for each combination asked for, in the product's own way (worker processes as the CLI
    would choose them)."""
    from berita_search.index.readers import read_paths
    from berita_search.index.writer import default_workers, index_records

    built: dict[tuple[object, ...], Path] = {}

    def build(n: int | None = None, *, extra: tuple[Path, ...] = (), batch_size: int | None = None) -> Path:
        key = (n, extra, batch_size)
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
            summary = index_records(index_dir, read_paths([*extra, source]), batch_size=batch_size, workers=workers)
            assert not summary.failed, summary.failed[:3]
            built[key] = index_dir
        return built[key]

    return build


@pytest.fixture(scope="session")
def news_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed page plus the first 1,500 clickid articles (every publisher in the file order
    is not reached, so the sample folder is added too)."""
    from berita_search.index.readers import read_paths
    from berita_search.index.writer import index_records

    require_shared()
    folder = tmp_path_factory.mktemp("news-index")
    subset = folder / "clickid-subset.jsonl"
    with CLICKID_JSONL.open(encoding="utf-8") as src, subset.open("w", encoding="utf-8") as dst:
        dst.writelines(itertools.islice(src, 1500))
    index_dir = folder / "index"
    summary = index_records(index_dir, read_paths([SEED, subset, SAMPLE]))
    assert not summary.failed, summary.failed[:3]
    return index_dir
