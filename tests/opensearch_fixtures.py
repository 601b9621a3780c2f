"""Real OpenSearch 2.19.6 clusters for tests: one node and three nodes, each started once per
session through `opensearch/cluster.py` when a test first asks for it, and stopped after the
last collected test that names it (so the rest of the suite runs without idle JVMs), or at the
end of the session, also when a test fails. The nodes also stop by themselves if the test
process is killed outright.

Missing Java or Maven fails the test that asks for a cluster, with the reason: never a skip.
Use them from any test module (`tests/conftest.py` loads this module as a plugin); a test that
only reaches a cluster through `request.getfixturevalue` is not seen by the early stop.

    def test_x(opensearch_one_node):
        client = opensearch_client(opensearch_one_node)
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from opensearch.cluster import Cluster, ClusterError, build, start

if TYPE_CHECKING:
    from opensearchpy import OpenSearch


CLUSTER_FIXTURES = ("opensearch_one_node", "opensearch_three_nodes")
# The last test that names each cluster fixture, and the clusters now running, by fixture name.
_last_user: dict[str, str] = {}
_running: dict[str, Cluster] = {}


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # trylast: after deselection (-k, -m) and any reordering, so this is the order that runs.
    _last_user.clear()
    for item in items:
        names = [n for n in CLUSTER_FIXTURES if n in getattr(item, "fixturenames", ())]
        if not names and item.get_closest_marker("opensearch"):
            # Marked but asking for its cluster at run time (a backend parameter): the one node.
            names = ["opensearch_one_node"]
        for name in names:
            _last_user[name] = item.nodeid


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    try:
        return (yield)  # the test's own fixtures are torn down first: they may still need the cluster
    finally:
        for name, nodeid in _last_user.items():
            if nodeid == item.nodeid and name in _running:
                _running.pop(name).stop()


def _start(nodes: int, tmp_path_factory: pytest.TempPathFactory) -> Cluster:
    try:
        build(quiet=True)
        return start(nodes=nodes, state_dir=tmp_path_factory.mktemp(f"opensearch-{nodes}"), owner_pid=os.getpid())
    except ClusterError as error:
        pytest.fail(f"cannot start a {nodes}-node OpenSearch cluster: {error}", pytrace=False)


@pytest.fixture(scope="session")
def opensearch_one_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    cluster = _running["opensearch_one_node"] = _start(1, tmp_path_factory)
    try:
        yield cluster
    finally:
        _running.pop("opensearch_one_node", None)
        cluster.stop()


@pytest.fixture(scope="session")
def opensearch_three_nodes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    cluster = _running["opensearch_three_nodes"] = _start(3, tmp_path_factory)
    try:
        yield cluster
    finally:
        _running.pop("opensearch_three_nodes", None)
        cluster.stop()


def opensearch_client(cluster: Cluster, **options: object) -> OpenSearch:
    """A client that knows every node of the cluster and retries on another one when a node is
    unreachable, times out or answers 502/503/504."""
    settings: dict[str, object] = {
        "max_retries": len(cluster.nodes) + 2,
        "retry_on_timeout": True,
        "retry_on_status": (502, 503, 504),
        "timeout": 15,
        "pool_maxsize": 8,  # connections kept per node, for tests that search from several threads
    }
    settings.update(options)
    # Imported here so that a test environment without the client still runs every other test.
    from opensearchpy import OpenSearch

    return OpenSearch(hosts=cluster.urls, **settings)
