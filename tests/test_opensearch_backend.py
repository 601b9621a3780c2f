"""The OpenSearch backend's own duties on real nodes: the same terms as the Whoosh index, the
writer (refused articles, retries on 429 and 503, resuming after a kill, one writer at a time,
rebuilds behind the alias), the command line, and a lost node under load on three nodes."""

from __future__ import annotations

import itertools
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from berita_search.index.readers import Unchanged, read_paths, record_to_article
from berita_search.index.writer import IndexBusyError, index_records, open_index
from berita_search.search.backends.opensearch import OpenSearchBackend
from berita_search.search.backends.opensearch_client import make_client
from berita_search.search.backends.opensearch_mapping import TOKEN_FIELDS, index_body
from berita_search.search.backends.opensearch_writer import (
    BulkSender,
    WriterLease,
    _Item,
    current_index,
    index_records_opensearch,
    reindex_opensearch,
)
from berita_search.search.engine import SearchEngine, SearchRequest

from opensearch.cluster import Cluster
from tests.backend_fixtures import build_opensearch, drop_alias, opensearch_engine, settings_for
from tests.conftest import CLICKID_JSONL, SAMPLE, SEED, clickid_rows, require_shared
from tests.web_fixtures import SEED_ID

PARITY_STEP = 150  # every 150th clickid article: 148 articles


def write_rows(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def subset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require_shared()
    path = tmp_path_factory.mktemp("os-backend") / "clickid-1500.jsonl"
    with CLICKID_JSONL.open(encoding="utf-8") as src, path.open("w", encoding="utf-8") as dst:
        dst.writelines(itertools.islice(src, 1500))
    return path


# ---------------------------------------------------------------- the same terms


def test_both_backends_index_the_same_terms(opensearch_one_node: Cluster, tmp_path: Path) -> None:
    """For a sample of clickid articles, the terms of every token and keyword field: read from
    the Whoosh index's postings and from the OpenSearch index itself (field data built from its
    inverted index), per article and field; and, for some of each, how often the article holds them."""
    require_shared()
    with CLICKID_JSONL.open(encoding="utf-8") as fh:
        rows = [json.loads(line) for line in itertools.islice(fh, 0, None, PARITY_STEP)]
    articles = {a.id: a for a in (record_to_article(r, f"line {i * PARITY_STEP + 1}") for i, r in enumerate(rows))}
    assert len(articles) > 140
    index_records(tmp_path / "whoosh", articles.values())
    settings = build_opensearch(opensearch_one_node, "parity", articles.values(), shards=1)
    client = make_client(settings)
    index = current_index(client, "parity")
    keyword_fields = ["category", "category_key", "source", "source_key", "reporter_facet", "tags", "year", "month", "day", "dup_key", "id_hash"]  # fmt: skip
    fields = [*TOKEN_FIELDS, *keyword_fields]
    client.indices.put_mapping(
        index=index,
        body={
            "properties": {f: {**index_body()["mappings"]["properties"][f], "fielddata": True} for f in TOKEN_FIELDS}
        },
    )

    ix = open_index(tmp_path / "whoosh")
    whoosh_terms: dict[tuple[str, str], dict[str, int]] = {}
    with ix.searcher() as searcher:
        reader = searcher.reader()
        ids = {docnum: stored["id"] for docnum, stored in reader.iter_docs()}
        for field in fields:
            if field not in reader.schema:
                continue
            for term in reader.lexicon(field):
                postings = reader.postings(field, term)
                text = term.decode("utf-8")
                items = (
                    postings.items_as("frequency")
                    if postings.supports("frequency")
                    else ((d, 1) for d in postings.all_ids())
                )
                for docnum, frequency in items:
                    whoosh_terms.setdefault((ids[docnum], field), {})[text] = int(frequency)
    compared = mismatched = 0
    for article_id in articles:
        body = {
            "query": {"term": {"id": article_id}},
            "size": 0,
            "aggs": {f: {"terms": {"field": f, "size": 20_000}} for f in fields},
        }
        aggregations = client.search(index=index, body=body)["aggregations"]
        for field in fields:
            indexed = {str(b["key"]) for b in aggregations[field]["buckets"]}
            expected = set(whoosh_terms.get((article_id, field), {}))
            compared += 1
            mismatched += indexed != expected
            assert indexed == expected, (article_id, field, sorted(indexed ^ expected)[:10])
    assert compared == len(articles) * len(fields) and mismatched == 0
    # Frequencies, from the BM25 explanation of a term query, for a few terms of each field.
    for article_id in list(articles)[:12]:
        for field in TOKEN_FIELDS:
            for term, frequency in sorted(whoosh_terms.get((article_id, field), {}).items())[:3]:
                explained = client.explain(
                    index=index,
                    id=article_id,
                    routing=_routing(client, index, article_id),
                    body={"query": {"term": {field: term}}},
                )
                assert _frequency(explained["explanation"]) == frequency, (article_id, field, term)
    print(
        f"term parity: {len(articles)} articles, {len(fields)} fields, {compared} field sets compared, {mismatched} differ"
    )


def _routing(client, index: str, article_id: str) -> str:  # noqa: ANN001
    return client.search(index=index, body={"query": {"term": {"id": article_id}}, "_source": False})["hits"]["hits"][
        0
    ]["_routing"]


def _frequency(explanation: dict) -> int:
    if explanation.get("description", "").startswith("freq, occurrences of term within document"):
        return int(explanation["value"])
    for detail in explanation.get("details", []):
        found = _frequency(detail)
        if found >= 0:
            return found
    return -1


# ---------------------------------------------------------------- the writer


def test_a_refused_article_is_reported_and_the_others_kept(opensearch_one_node: Cluster, tmp_path: Path) -> None:
    rows = [
        {"url": "https://contoh.test/a", "title": "Banjir di Semarang", "content": "Air naik.", "category": "Daerah"},
        # A category no keyword field can hold: 9,000 four-byte characters are under the readers'
        # cap on a label (10,000 characters) and over Lucene's 32,766-byte term limit.
        {
            "url": "https://contoh.test/b",
            "title": "Gempa di Cianjur",
            "content": "Tanah bergetar.",
            "category": "\U0001f30b" * 9_000,
        },
        {
            "url": "https://contoh.test/c",
            "title": "Kebakaran di Bandung",
            "content": "Api padam.",
            "category": "Daerah",
        },
    ]
    path = write_rows(tmp_path / "rows.jsonl", rows)
    drop_alias(opensearch_one_node, "refused")
    settings = settings_for(opensearch_one_node, "refused")
    summary = index_records_opensearch(settings, read_paths([path]))
    assert (summary.added, summary.updated, len(summary.failed)) == (2, 0, 1)
    (failure,) = summary.failed
    assert failure.origin == f"{path}:line 2"
    assert failure.reason.startswith("OpenSearch refused the article:") and "immense term" in failure.reason
    engine = opensearch_engine(settings)
    assert engine.search(SearchRequest(q="", category="daerah")).total == 2
    assert engine.search(SearchRequest(q="gempa")).total == 0


def test_busy_and_unavailable_shards_are_retried(opensearch_one_node: Cluster, subset: Path) -> None:
    """429 from a read-only-allow-delete block, 503 from a primary that cannot be placed: both
    sent again with growing pauses until the cluster takes them, nothing lost."""
    client = make_client(settings_for(opensearch_one_node, "retries"))
    docs = [record_to_article(r, "x") for r in clickid_rows(40)]
    from berita_search.index.copies import CopyFinder
    from berita_search.index.writer import article_fields
    from berita_search.search.backends.opensearch_mapping import document

    def items(index: str) -> list[_Item]:
        found = []
        copies = CopyFinder()
        for n, article in enumerate(docs):
            copy = copies.decide(article, article.id, article.content_hash())
            doc = document(article_fields(article, article.id, article.content_hash(), copy), n)
            found.append(
                _Item(
                    {"index": {"_index": index, "_id": doc["id"], "routing": doc["dup_key"]}}, doc, f"row {n}", "added"
                )
            )
        return found

    for name, block, unblock in (
        ("retry-busy", {"index.blocks.read_only_allow_delete": True}, {"index.blocks.read_only_allow_delete": None}),
        (
            "retry-unplaced",
            {"index.routing.allocation.require._name": "nowhere"},
            {"index.routing.allocation.require._name": None},
        ),
    ):
        client.indices.delete(index=name, params={"ignore_unavailable": "true"})
        body = index_body(shards=1, replicas=0)
        if name == "retry-unplaced":
            body["settings"]["index"]["routing.allocation.require._name"] = "nowhere"
        # Created without waiting for its primary: one of them cannot be placed until unblocked.
        client.indices.create(index=name, body=body, params={"wait_for_active_shards": "0"})
        if name == "retry-busy":
            client.indices.put_settings(index=name, body=block)
        timer = threading.Timer(2.0, lambda n=name, u=unblock: client.indices.put_settings(index=n, body=u))
        timer.start()
        sender = BulkSender(client, name, bulk_timeout="500ms")
        started = time.monotonic()
        try:
            for item in items(name):
                assert sender.add(item) is None
            assert sender.send() is None
            outcome = sender.wait()
        finally:
            timer.join()
            sender.close()
        assert outcome is not None and outcome.failed == [], outcome.failed[:2]
        assert sender.retried >= len(docs), name  # every article was refused at least once
        assert time.monotonic() - started >= 2.0
        client.indices.refresh(index=name)
        assert client.count(index=name)["count"] == len(docs), name
        client.indices.delete(index=name)


def cli(*args: str, env: dict[str, str] | None = None, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "berita_search.search.cli", *args],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, **(env or {})},
        **kwargs,  # type: ignore[arg-type]
    )


def test_a_killed_run_resumes_and_unchanged_rows_are_skipped(opensearch_one_node: Cluster, subset: Path) -> None:
    alias = "resume"
    drop_alias(opensearch_one_node, alias)
    env = {**os.environ, "BERITA_SEARCH_OPENSEARCH_INDEX": alias, "BERITA_SEARCH_BACKEND": "opensearch"}
    env["BERITA_SEARCH_OPENSEARCH_URL"] = opensearch_one_node.url
    client = make_client(settings_for(opensearch_one_node, alias))
    process = subprocess.Popen(
        [sys.executable, "-m", "berita_search.search.cli", "index", "--batch-size", "100", str(subset)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            if client.indices.exists_alias(name=alias) and client.count(index=alias)["count"] >= 300:
                break
            assert process.poll() is None, "the run ended before it was killed"
            time.sleep(0.2)
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    client.indices.refresh(index=alias)
    kept = client.count(index=alias)["count"]
    assert 300 <= kept < 1500
    # The killed run's lease names a process that is gone: the next run takes it at once.
    done = cli("index", str(subset), env=env)
    assert done.returncode == 0, done.stderr
    counts = {k: int(v.replace(",", "")) for k, v in re.findall(r"(added|unchanged) ([\d,]+)", done.stdout)}
    added, unchanged = counts["added"], counts["unchanged"]
    assert unchanged == kept and added > 0
    total = client.count(index=alias)["count"]
    assert total == added + unchanged == len({record_to_article(r, "x").id for r in clickid_rows(1500)})
    check = cli("check", env=env)
    assert check.returncode == 0 and f"Read {total:,} articles, {total:,} distinct ids" in check.stdout
    # A third run: every row is recognised by its raw digest and not parsed again.
    known: dict[str, str] = {}
    settings = settings_for(opensearch_one_node, alias)
    seen_unchanged = []

    def records():  # noqa: ANN202
        for record in read_paths([subset], known):
            seen_unchanged.append(isinstance(record, Unchanged))
            yield record

    summary = index_records_opensearch(settings, records(), known_rows=known)
    assert (summary.added, summary.updated, summary.unchanged) == (0, 0, total)
    assert len(known) == total and all(seen_unchanged)


def test_one_writer_at_a_time(opensearch_one_node: Cluster) -> None:
    alias = "lease"
    drop_alias(opensearch_one_node, alias)
    settings = settings_for(opensearch_one_node, alias)
    client = make_client(settings)
    article = record_to_article(next(iter(clickid_rows(1))), "row 1")
    holder = WriterLease(client, alias, wait_seconds=0, on_wait=None)
    holder.acquire()
    try:
        with pytest.raises(IndexBusyError):
            index_records_opensearch(settings, [article])
        waited: list[str] = []
        threading.Timer(1.5, holder.release).start()
        summary = index_records_opensearch(settings, [article], wait_seconds=30, on_wait=waited.append)
        assert summary.added == 1 and waited and "waiting up to 30 s" in waited[0]
    finally:
        holder.release()
    # A lease left by a process that no longer exists is taken over at once.
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    client.index(
        index=f"{alias}-lock",
        id=WriterLease.DOC_ID,
        body={"token": "old", "host": os.uname().nodename, "pid": int(gone.stdout), "expires": time.time() + 600},
        params={"refresh": "true"},
    )
    assert index_records_opensearch(settings, [article]).unchanged == 1


def test_rebuild_moves_the_alias_without_interrupting_searches(opensearch_one_node: Cluster, subset: Path) -> None:
    alias = "rebuild"
    articles = [record_to_article(r, f"row {i}") for i, r in enumerate(clickid_rows(600))]
    settings = build_opensearch(opensearch_one_node, alias, articles, shards=2)
    engine = opensearch_engine(settings)
    queries = ["jokowi", "artis", '"rumah sakit"', "korea", "polisi"]
    before = {
        q: (engine.search(SearchRequest(q=q)).total, [h.id for h in engine.search(SearchRequest(q=q)).hits])
        for q in queries
    }
    client = make_client(settings)
    old = current_index(client, alias)
    stop = threading.Event()
    seen: list[tuple[str, int]] = []
    errors: list[str] = []

    def search() -> None:
        reader = opensearch_engine(settings)
        for q in itertools.cycle(queries):
            if stop.is_set():
                return
            try:
                seen.append((q, reader.search(SearchRequest(q=q)).total))
            except Exception as error:  # counted: none may happen
                errors.append(repr(error))

    thread = threading.Thread(target=search)
    thread.start()
    try:
        rebuilt = reindex_opensearch(settings)
    finally:
        stop.set()
        thread.join(timeout=60)
    assert errors == [] and len(seen) > 5
    assert {total for q, total in seen if q == "jokowi"} == {before["jokowi"][0]}
    assert (rebuilt.old_index, rebuilt.removed_old) == (old, True)
    assert rebuilt.new_index == f"{alias}-v2" == current_index(client, alias) and not client.indices.exists(index=old)
    assert rebuilt.summary.added == len(articles) and not rebuilt.summary.failed
    after = {
        q: (engine.search(SearchRequest(q=q)).total, [h.id for h in engine.search(SearchRequest(q=q)).hits])
        for q in queries
    }
    assert after == before
    # From files: the new index holds exactly what they hold.
    first = write_rows(subset.parent / "rebuild-200.jsonl", list(clickid_rows(200)))
    rebuilt = reindex_opensearch(settings, read_paths([first]), keep_old=True)
    assert client.count(index=alias)["count"] == rebuilt.summary.added == 200
    assert client.indices.exists(index=rebuilt.old_index)


# ---------------------------------------------------------------- the command line


def test_command_line_chooses_the_backend(opensearch_one_node: Cluster, tmp_path: Path) -> None:
    drop_alias(opensearch_one_node, "cli")
    env = {"BERITA_SEARCH_OPENSEARCH_INDEX": "cli"}
    url = opensearch_one_node.url
    done = cli("index", "--backend", "opensearch", "--opensearch-url", url, str(SEED), str(SAMPLE), env=env)
    assert done.returncode == 0, done.stderr
    assert f"Indexed into {url}/cli" in done.stdout and "added 297, updated 0, unchanged 0, duplicates 1" in done.stdout
    by_option = cli("query", "--backend", "opensearch", "--opensearch-url", url, "Kim Jong Un", "--json", env=env)
    assert by_option.returncode == 0 and json.loads(by_option.stdout.splitlines()[0])["id"] == SEED_ID
    by_env = cli(
        "show",
        SEED_ID,
        "--json",
        env={**env, "BERITA_SEARCH_BACKEND": "opensearch", "BERITA_SEARCH_OPENSEARCH_URL": url},
    )
    assert by_env.returncode == 0 and json.loads(by_env.stdout)["published"] == "2023-08-31T12:34:00+07:00"
    stats = cli("stats", "--json", "--backend", "opensearch", "--opensearch-url", url, env=env)
    assert json.loads(stats.stdout)["documents"] == 297
    # Whoosh stays the default: an empty folder is "no index", not the cluster.
    whoosh = cli("query", "--index", str(tmp_path / "none"), "kim", env={**env, "BERITA_SEARCH_OPENSEARCH_URL": url})
    assert whoosh.returncode == 2 and "no index at" in whoosh.stderr
    for args, code, message in (
        (
            ["--backend", "opensearch", "--opensearch-url", "http://127.0.0.1:1"],
            1,
            "cannot reach OpenSearch at http://127.0.0.1:1",
        ),
        (["--backend", "lucene"], 2, "'lucene' is not one of"),
        (
            ["--backend", "opensearch", "--opensearch-url", "http://u:secret@127.0.0.1:1"],
            2,
            "BERITA_SEARCH_OPENSEARCH_PASSWORD",
        ),
    ):
        failed = cli("query", *args, "kim", env=env)
        assert failed.returncode == code and message in failed.stderr, failed.stderr
        assert (
            len(failed.stderr.strip().splitlines()) == 1
            and "Traceback" not in failed.stderr
            and "secret" not in failed.stderr
        )


def test_served_with_several_processes(opensearch_one_node: Cluster) -> None:
    import http.client
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **os.environ,
        "BERITA_SEARCH_OPENSEARCH_INDEX": "cli",
        "BERITA_SEARCH_OPENSEARCH_URL": opensearch_one_node.url,
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "berita_search.search.cli",
            "serve",
            "--backend",
            "opensearch",
            "--workers",
            "2",
            "--port",
            str(port),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                connection.request("GET", "/api/search?q=Kim+Jong+Un")
                response = connection.getresponse()
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, (
                    server.stderr.read() if server.stderr else ""
                )
                time.sleep(0.3)
        assert response.status == 200
        assert json.loads(response.read())["hits"][0]["id"] == SEED_ID
    finally:
        server.terminate()
        server.wait(timeout=30)


# ---------------------------------------------------------------- three nodes

LOAD_REQUESTS = 240
LOAD_THREADS = 4
KILL_AFTER = 60
LOAD_TIME_CAP = 150.0
FAILOVER_QUERIES = ["jokowi", "artis", "korea", '"rumah sakit"', "polisi tersangka", "banjir"]


def test_a_lost_node_fails_no_search(opensearch_three_nodes: Cluster) -> None:
    """The product's own backend on 3 primaries with 1 replica each: the elected cluster manager
    is killed during a bounded search load; every search answers, with the same counts, and the
    cluster is green again once the node is back."""
    cluster = opensearch_three_nodes
    articles = [record_to_article(r, f"row {i}") for i, r in enumerate(clickid_rows(800))]
    settings = build_opensearch(cluster, "failover-product", articles, shards=3, replicas=1)
    client = make_client(settings)
    client.cluster.health(
        index="failover-product", wait_for_status="green", params={"timeout": "60s", "request_timeout": 90}
    )
    shards = client.cat.shards(index=current_index(client, "failover-product"), format="json", h="shard,prirep,node")
    assert len(shards) == 6 and len({row["node"] for row in shards if row["prirep"] == "p"}) == 3
    engine = SearchEngine(OpenSearchBackend(settings), cache_size=0)
    expected = {q: engine.search(SearchRequest(q=q)).articles for q in FAILOVER_QUERIES}
    assert all(expected.values())
    manager = client.cat.cluster_manager(format="json")[0]["node"]
    victim = next(node for node in cluster.nodes if node.name == manager)

    lock = threading.Lock()
    issued = answered = after_kill = 0
    failures: list[str] = []
    killed, enough = threading.Event(), threading.Event()
    deadline = time.monotonic() + LOAD_TIME_CAP

    def worker() -> None:
        nonlocal issued, answered, after_kill
        while time.monotonic() < deadline:
            with lock:
                if issued >= LOAD_REQUESTS:
                    return
                n, issued = issued, issued + 1
            q = FAILOVER_QUERIES[n % len(FAILOVER_QUERIES)]
            try:
                result = engine.search(SearchRequest(q=q))
                if result.articles != expected[q]:
                    with lock:
                        failures.append(f"{q!r}: {result.articles} articles, expected {expected[q]}")
            except Exception as error:  # every failure is counted and reported
                with lock:
                    failures.append(f"{q!r}: {error!r}")
            with lock:
                answered += 1
                after_kill += killed.is_set()
                if answered >= KILL_AFTER:
                    enough.set()
            time.sleep(0.05)

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=LOAD_THREADS) as pool:
        futures = [pool.submit(worker) for _ in range(LOAD_THREADS)]
        assert enough.wait(LOAD_TIME_CAP)
        cluster.kill_node(victim.index)
        killed.set()
        for future in futures:
            future.result(timeout=LOAD_TIME_CAP)
    seconds = time.monotonic() - started
    print(
        f"product failover: {answered} searches in {seconds:.1f} s, {after_kill} after {victim.name} (cluster manager) "
        f"was killed, {len(failures)} failed"
    )
    assert failures == [], failures
    assert answered == LOAD_REQUESTS and after_kill >= LOAD_REQUESTS // 2
    survivors = make_client(settings)
    assert survivors.count(index="failover-product")["count"] == len({a.id for a in articles})
    restarted = time.monotonic()
    cluster.restart_node(victim.index)
    health = survivors.cluster.health(
        index="failover-product",
        wait_for_status="green",
        wait_for_nodes="3",
        params={"timeout": "90s", "request_timeout": 120},
    )
    print(f"{victim.name} back and the index green in {time.monotonic() - restarted:.1f} s")
    assert (health["status"], health["number_of_nodes"], health["timed_out"]) == ("green", 3, False)
    assert {q: engine.search(SearchRequest(q=q)).articles for q in FAILOVER_QUERIES} == expected
    counts = Counter(
        (row["shard"], row["prirep"])
        for row in survivors.cat.shards(
            index=current_index(survivors, "failover-product"), format="json", h="shard,prirep"
        )
    )
    assert counts == {(str(s), kind): 1 for s in range(3) for kind in "pr"}
