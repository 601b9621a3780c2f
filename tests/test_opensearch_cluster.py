"""Real OpenSearch 2.19.6 nodes from opensearch/cluster.py, on clickid articles.

The documents are what the product will send: ids from `Article.id`, the title as the
project's own analysis produced it (tokens joined by spaces, indexed with a whitespace
analyzer), category and publisher as keywords. Every expected hit and count is worked out here
in Python from the same articles, not read back from OpenSearch.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from berita_search.index.analysis import analyze, stem_analyzer
from berita_search.index.article import Article
from berita_search.index.readers import record_to_article

from opensearch.cluster import Cluster
from tests.conftest import CLICKID_JSONL, require_shared
from tests.opensearch_fixtures import opensearch_client

# Every 40th clickid article: 554 articles from all nine publishers.
ARTICLE_STEP = 40
INDEX = {
    "settings": {"analysis": {"analyzer": {"tokens": {"type": "custom", "tokenizer": "whitespace"}}}},
    "mappings": {
        "dynamic": "strict",
        "properties": {
            "title_tokens": {"type": "text", "analyzer": "tokens"},
            "category": {"type": "keyword"},
            "source": {"type": "keyword"},
        },
    },
}
# The failover load: a fixed number of searches from a few threads, capped in time.
LOAD_REQUESTS = 300
LOAD_THREADS = 4
LOAD_PAUSE = 0.05  # seconds between one thread's requests: the load spans the node's loss
KILL_AFTER = 100  # requests answered before the node is killed
LOAD_TIME_CAP = 120.0
# opensearch-py 3 takes a `timeout` argument as the HTTP request's own timeout unless
# `request_timeout` is given too; only then is it sent as the API's `timeout` parameter.


@pytest.fixture(scope="module")
def articles() -> list[Article]:
    require_shared()
    with CLICKID_JSONL.open(encoding="utf-8") as fh:
        rows = [json.loads(line) for line in itertools.islice(fh, 0, None, ARTICLE_STEP)]
    found = [record_to_article(row, f"clickid line {i * ARTICLE_STEP + 1}") for i, row in enumerate(rows)]
    assert len(found) == 554 and len({a.id for a in found}) == 554
    return found


@pytest.fixture(scope="module")
def documents(articles: list[Article]) -> dict[str, dict]:
    analyzer = stem_analyzer()
    docs = {}
    for article in articles:
        tokens = analyze(article.title, analyzer)
        assert all(token and not any(c.isspace() for c in token) for token in tokens), tokens
        docs[article.id] = {"title_tokens": " ".join(tokens), "category": article.category, "source": article.source}
    return docs


def create_and_fill(client, name: str, documents: dict[str, dict], shards: int, replicas: int) -> None:
    settings = {**INDEX["settings"], "number_of_shards": shards, "number_of_replicas": replicas}
    client.indices.create(index=name, body={**INDEX, "settings": settings})
    lines = []
    for doc_id, doc in documents.items():
        lines.append(json.dumps({"index": {"_index": name, "_id": doc_id}}))
        lines.append(json.dumps(doc, ensure_ascii=False))
    response = client.bulk(body="\n".join(lines) + "\n", refresh="wait_for")
    statuses = Counter(item["index"]["status"] for item in response["items"])
    assert response["errors"] is False and statuses == {201: len(documents)}, statuses


def hit_ids(response: dict) -> set[str]:
    return {hit["_id"] for hit in response["hits"]["hits"]}


# ---------------------------------------------------------------------------------------------
# One node


def test_one_node_term_queries_and_aggregation_are_exact(opensearch_one_node: Cluster, documents: dict[str, dict]):
    client = opensearch_client(opensearch_one_node)
    health = client.cluster.health(wait_for_status="green", timeout="30s", request_timeout=60)
    assert (health["status"], health["number_of_nodes"]) == ("green", 1)
    assert {p["component"] for p in client.cat.plugins(format="json")} == {
        "org.opensearch.analysis.common.CommonAnalysisPlugin",
        "org.opensearch.index.reindex.ReindexPlugin",
        "org.opensearch.transport.Netty4Plugin",
    }

    create_and_fill(client, "articles", documents, shards=1, replicas=0)
    assert client.count(index="articles")["count"] == len(documents) == 554

    # The whitespace analyzer keeps the project's tokens as they are: a term query on one token
    # finds exactly the titles whose token list holds it.
    token_df = Counter(t for doc in documents.values() for t in set(doc["title_tokens"].split(" ")))
    for token, _ in token_df.most_common(3) + [("jokowi", 0), ("kpk", 0)]:
        expected = {i for i, doc in documents.items() if token in doc["title_tokens"].split(" ")}
        assert expected, token
        response = client.search(
            index="articles",
            body={"query": {"term": {"title_tokens": token}}, "size": 1000, "track_total_hits": True},
        )
        assert response["hits"]["total"] == {"value": len(expected), "relation": "eq"}, token
        assert hit_ids(response) == expected, token

    # Two tokens, both required.
    both = {i for i, doc in documents.items() if {"presiden", "jokowi"} <= set(doc["title_tokens"].split(" "))}
    response = client.search(
        index="articles",
        body={
            "query": {
                "bool": {"filter": [{"term": {"title_tokens": "presiden"}}, {"term": {"title_tokens": "jokowi"}}]}
            },
            "size": 1000,
        },
    )
    assert both and hit_ids(response) == both

    # A keyword field matches the whole value, case and all.
    news = {i for i, doc in documents.items() if doc["category"] == "News"}
    response = client.search(index="articles", body={"query": {"term": {"category": "News"}}, "size": 1000})
    assert len(news) == 79 and hit_ids(response) == news
    assert client.count(index="articles", body={"query": {"term": {"category": "news"}}})["count"] == 0

    # Facet counts: one shard, so the terms aggregation is exact for every value.
    categories = Counter(doc["category"] for doc in documents.values())
    sources = Counter(doc["source"] for doc in documents.values())
    response = client.search(
        index="articles",
        body={
            "size": 0,
            "aggs": {
                "category": {"terms": {"field": "category", "size": 1000}},
                "source": {"terms": {"field": "source", "size": 100}},
            },
        },
    )
    for name, expected_counts in (("category", categories), ("source", sources)):
        agg = response["aggregations"][name]
        assert {b["key"]: b["doc_count"] for b in agg["buckets"]} == dict(expected_counts), name
        assert agg["sum_other_doc_count"] == 0 and agg["doc_count_error_upper_bound"] == 0
    assert sources["okezone.com"] == 116 and len(sources) == 9


# ---------------------------------------------------------------------------------------------
# Three nodes


def shard_table(client, index: str) -> list[dict]:
    return client.cat.shards(index=index, format="json", h="shard,prirep,state,node")


def test_three_nodes_spread_primaries_and_replicas(opensearch_three_nodes: Cluster, documents: dict[str, dict]):
    client = opensearch_client(opensearch_three_nodes)
    health = client.cluster.health(wait_for_status="green", wait_for_nodes="3", timeout="60s", request_timeout=90)
    assert (health["status"], health["number_of_nodes"]) == ("green", 3)
    names = {n["name"] for n in client.cat.nodes(format="json", h="name")}
    assert names == {"node-0", "node-1", "node-2"}

    create_and_fill(client, "spread", documents, shards=3, replicas=1)
    client.cluster.health(index="spread", wait_for_status="green", timeout="60s", request_timeout=90)
    table = shard_table(client, "spread")
    assert len(table) == 6 and {row["state"] for row in table} == {"STARTED"}
    by_shard: dict[str, dict[str, str]] = {}
    for row in table:
        by_shard.setdefault(row["shard"], {})[row["prirep"]] = row["node"]
    assert sorted(by_shard) == ["0", "1", "2"]
    for shard, copies in by_shard.items():
        assert set(copies) == {"p", "r"}, (shard, copies)
        assert copies["p"] != copies["r"], f"shard {shard}: primary and replica both on {copies['p']}"
    assert {copies["p"] for copies in by_shard.values()} == names, by_shard
    assert client.count(index="spread")["count"] == len(documents)


def test_three_nodes_survive_a_killed_node(opensearch_three_nodes: Cluster, documents: dict[str, dict]):
    cluster = opensearch_three_nodes
    client = opensearch_client(cluster)
    if not client.indices.exists(index="failover"):
        create_and_fill(client, "failover", documents, shards=3, replicas=1)
    client.cluster.health(index="failover", wait_for_status="green", timeout="60s", request_timeout=90)

    categories = Counter(doc["category"] for doc in documents.values())
    queries = [(category, count) for category, count in categories.most_common(12)]
    # The elected cluster manager: losing it also costs an election.
    manager = client.cat.cluster_manager(format="json")[0]["node"]
    victim = next(node for node in cluster.nodes if node.name == manager)

    lock = threading.Lock()
    issued = answered = answered_after_kill = 0
    failures: list[str] = []
    killed = threading.Event()
    enough_answered = threading.Event()
    deadline = time.monotonic() + LOAD_TIME_CAP

    def worker() -> None:
        nonlocal issued, answered, answered_after_kill
        while time.monotonic() < deadline:
            with lock:
                n = issued
                if n >= LOAD_REQUESTS:
                    return
                issued += 1
            category, expected = queries[n % len(queries)]
            try:
                response = client.search(
                    index="failover",
                    body={"query": {"term": {"category": category}}, "size": 0, "track_total_hits": True},
                    allow_partial_search_results="false",
                )
                shards = response["_shards"]
                if response["hits"]["total"]["value"] != expected or shards["failed"] or shards["successful"] != 3:
                    with lock:
                        failures.append(f"request {n}: {category!r} gave {response['hits']['total']} / {shards}")
            except Exception as error:  # every failure is counted and reported, none ends the load
                with lock:
                    failures.append(f"request {n}: {category!r} raised {error!r}")
            with lock:
                answered += 1
                answered_after_kill += killed.is_set()
                if answered >= KILL_AFTER:
                    enough_answered.set()
            time.sleep(LOAD_PAUSE)

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=LOAD_THREADS) as pool:
        futures = [pool.submit(worker) for _ in range(LOAD_THREADS)]
        assert enough_answered.wait(LOAD_TIME_CAP), "the load never reached the kill point"
        cluster.kill_node(victim.index)
        killed.set()
        for future in futures:
            future.result(timeout=LOAD_TIME_CAP)
    load_seconds = time.monotonic() - started

    print(
        f"failover load: {answered} searches in {load_seconds:.1f} s, {answered_after_kill} after {victim.name} "
        f"(the elected cluster manager) was killed, {len(failures)} failed; resident memory of the others: "
        + ", ".join(f"{n.name} {(n.rss_kib() or 0) // 1024} MiB" for n in cluster.nodes if n.alive())
    )
    assert answered == LOAD_REQUESTS, f"{answered} of {LOAD_REQUESTS} requests in {load_seconds:.0f} s"
    assert failures == []
    assert answered_after_kill >= LOAD_REQUESTS // 2, f"only {answered_after_kill} requests ran after the kill"

    # The kill was real: the cluster lost the node, and still holds every document.
    survivors = opensearch_client(cluster)
    health = survivors.cluster.health(wait_for_nodes="2", timeout="60s", request_timeout=90)
    assert health["number_of_nodes"] == 2 and health["status"] in ("yellow", "green"), health
    assert victim.name not in {n["name"] for n in survivors.cat.nodes(format="json", h="name")}
    assert survivors.count(index="failover")["count"] == len(documents)

    restarted = time.monotonic()
    cluster.restart_node(victim.index)
    health = survivors.cluster.health(wait_for_status="green", wait_for_nodes="3", timeout="60s", request_timeout=90)
    print(f"{victim.name} restarted and the cluster green again in {time.monotonic() - restarted:.1f} s")
    assert (health["status"], health["number_of_nodes"], health["timed_out"]) == ("green", 3, False)
    assert survivors.count(index="failover")["count"] == len(documents)
    # Every shard has both copies (the balancer may be moving one back to the returning node).
    copies = Counter((row["shard"], row["prirep"]) for row in shard_table(survivors, "failover"))
    assert copies == {(str(shard), kind): 1 for shard in range(3) for kind in "pr"}, copies
    assert {row["state"] for row in shard_table(survivors, "failover")} <= {"STARTED", "RELOCATING"}
