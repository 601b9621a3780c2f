"""The same articles in both backends: a Whoosh folder and an index on a real OpenSearch cluster,
each written by the product's own writer. Used by the contract suite and the property tests."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from berita_search.index.readers import Record
from berita_search.index.writer import IndexSummary, index_records
from berita_search.search.backends.opensearch import OpenSearchBackend
from berita_search.search.backends.opensearch_client import OpenSearchSettings, make_client
from berita_search.search.backends.opensearch_writer import index_records_opensearch
from berita_search.search.backends.whoosh import WhooshBackend
from berita_search.search.engine import SearchEngine

from opensearch.cluster import Cluster

BACKEND_NAMES = ("whoosh", "opensearch")


def settings_for(cluster: Cluster, alias: str, **overrides: Any) -> OpenSearchSettings:
    return OpenSearchSettings(urls=tuple(cluster.urls), index=alias, **overrides)


def drop_alias(cluster: Cluster, alias: str) -> None:
    """Remove an alias's indices and lock (a previous run of the same test in this cluster)."""
    client = make_client(settings_for(cluster, alias))
    client.indices.delete(index=f"{alias}-v*,{alias}-lock", params={"ignore_unavailable": "true"})
    client.close()


def build_whoosh(folder: Path, records: Iterable[Record], **options: Any) -> IndexSummary:
    summary = index_records(folder, records, **options)
    assert not summary.failed, summary.failed[:3]
    return summary


def build_opensearch(
    cluster: Cluster, alias: str, records: Iterable[Record], shards: int = 3, replicas: int | None = 0, **options: Any
) -> OpenSearchSettings:
    drop_alias(cluster, alias)
    settings = settings_for(cluster, alias)
    summary = index_records_opensearch(settings, records, shards=shards, replicas=replicas, **options)
    assert not summary.failed, summary.failed[:3]
    return settings


def whoosh_engine(folder: Path) -> SearchEngine:
    return SearchEngine(WhooshBackend(folder), cache_size=0)


def opensearch_engine(settings: OpenSearchSettings) -> SearchEngine:
    # Generations are asked for at every search: a test sees a write at once.
    return SearchEngine(OpenSearchBackend(settings, generation_ttl=0.0), cache_size=0)


def top_overlap(first: list[str], second: list[str], depth: int = 10) -> float:
    """Share of the first list's top ``depth`` also in the second's."""
    head = first[:depth]
    return len(set(head) & set(second[:depth])) / len(head) if head else 1.0


EngineFactory = Callable[[str], SearchEngine]
