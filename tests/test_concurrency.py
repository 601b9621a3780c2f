"""The server under concurrent requests while a writer commits: every answer is the answer.

``berita-search serve`` starts on an index folder before its first commit; eight client
threads send a mixed query set while batches of clickid articles are committed. Each API
response names the commit that answered it (``x-index-generation``); after each commit the
test computes, in one thread, the answer of every query for that commit. Every response
must be a 200 equal to the single-threaded answer for its commit: same total, same ids in
the same order, same scores.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from berita_search.index.readers import record_to_article
from berita_search.index.writer import index_records, open_index
from berita_search.search.backends.whoosh import WhooshBackend
from berita_search.search.engine import SearchEngine, SearchRequest

from tests.conftest import clickid_rows

QUERIES = [
    "jokowi",
    "presiden",
    "jakarta",
    '"wakil presiden"',
    "KPK TANPA revisi",
    "gempa NOT palu",
    "banjir OR longsor",
    "polisi -jakarta",
    "pemerintah*",
    "judul:harga",
    "prabowo~",
    "indonesia tanggal:2019-09",
]
CLIENTS = 8
MAX_REQUESTS_PER_CLIENT = 1500  # bounded load: clients stop here, or soon after the last commit
PAUSE = 0.03  # seconds between a client's requests, so that the load spans the commits
AFTER_LAST_COMMIT = 5  # requests each client sends once the writer is done
BATCHES = 4
BATCH_ROWS = 400
SECONDS_CAP = 240


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _answer(payload: dict[str, Any]) -> tuple[int, list[tuple[str, float]]]:
    return payload["total"], [(h["id"], h["score"]) for h in payload["hits"]]


def _expected(index_dir: Path) -> tuple[int, dict[str, tuple[int, list[tuple[str, float]]]]]:
    """The single-threaded answer of every query on the index's current commit."""
    backend = WhooshBackend(index_dir)
    engine = SearchEngine(backend, cache_size=0)
    answers = {}
    generation = backend.generation()
    for q in QUERIES:
        result = engine.search(SearchRequest(q=q, limit=10))
        assert result.generation == generation
        answers[q] = (result.total, [(h.id, round(h.score, 4)) for h in result.hits])
    engine.close()
    return int(generation), answers  # type: ignore[call-overload]


@pytest.fixture
def server_on_empty_index(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[tuple[str, Path]]:
    workers = request.param
    index_dir = tmp_path / "index"
    open_index(index_dir, create=True)  # a folder before its first commit
    port = _free_port()
    command = [sys.executable, "-m", "berita_search.search.cli", "serve", "--index", str(index_dir)]
    command += ["--port", str(port), "--workers", str(workers), "--cache-size", "64"]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/search?q=x", timeout=5).read()
                break
            except (urllib.error.URLError, ConnectionError):
                assert server.poll() is None, server.stderr.read() if server.stderr else ""
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.3)
        yield base, index_dir
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    assert server.stderr is not None
    errors = server.stderr.read()
    assert "Traceback" not in errors, errors


@pytest.mark.parametrize("server_on_empty_index", [1, 2], indirect=True, ids=["one-process", "two-workers"])
def test_concurrent_answers_equal_single_threaded_answers_while_a_writer_commits(
    server_on_empty_index: tuple[str, Path],
) -> None:
    base, index_dir = server_on_empty_index
    rows = clickid_rows(BATCHES * BATCH_ROWS)
    expected: dict[int, dict[str, tuple[int, list[tuple[str, float]]]]] = {}
    generation, answers = _expected(index_dir)
    expected[generation] = answers
    responses: list[tuple[str, int, str | None, dict[str, Any] | str]] = []
    stop = time.monotonic() + SECONDS_CAP
    writer_done = threading.Event()

    def client(number: int) -> None:
        after = 0
        for i in range(MAX_REQUESTS_PER_CLIENT):
            if time.monotonic() > stop or after >= AFTER_LAST_COMMIT:
                return
            after += writer_done.is_set()
            q = QUERIES[(number * 7 + i) % len(QUERIES)]
            url = f"{base}/api/search?" + urllib.parse.urlencode({"q": q, "limit": 10})
            try:
                with urllib.request.urlopen(url, timeout=60) as response:
                    payload = json.loads(response.read())
                    responses.append((q, response.status, response.headers["x-index-generation"], payload))
            except urllib.error.HTTPError as error:
                responses.append((q, error.code, None, error.read().decode("utf-8", "replace")))
            time.sleep(PAUSE)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for batch in range(BATCHES):
        chunk = rows[batch * BATCH_ROWS : (batch + 1) * BATCH_ROWS]
        articles = [record_to_article(r, f"row {batch * BATCH_ROWS + i}") for i, r in enumerate(chunk)]
        index_records(index_dir, articles, batch_size=BATCH_ROWS)
        generation, answers = _expected(index_dir)  # before the next commit
        expected[generation] = answers
        time.sleep(0.5)
    writer_done.set()
    for thread in threads:
        thread.join()

    assert len(expected) == BATCHES + 1
    failures = [(q, status, body) for q, status, _g, body in responses if status != 200]
    assert failures == []
    seen_generations = {int(g) for _q, _s, g, _p in responses if g is not None}
    assert len(seen_generations) >= 2, "the commits happened outside the load"
    assert seen_generations <= set(expected)
    differences = [
        (q, g)
        for q, _s, g, payload in responses
        if _answer(payload) != expected[int(g)][q]  # type: ignore[arg-type, index]
    ]
    assert differences == []
    # The last commit's answers were asked for too: the server picked it up.
    assert max(seen_generations) == max(expected)


def test_one_engine_gives_every_thread_the_single_threaded_answer(news_index: Path) -> None:
    """Threads of one server process share the engine, its searcher and its mapped files."""
    engine = SearchEngine(news_index, cache_size=0)

    def answer(q: str) -> tuple[int, list[tuple[str, float]]]:
        result = engine.search(SearchRequest(q=q, limit=20))
        return result.total, [(h.id, round(h.score, 4)) for h in result.hits]

    expected = {q: answer(q) for q in QUERIES}
    wrong: list[tuple[str, object]] = []

    def client(number: int) -> None:
        for i in range(24):
            q = QUERIES[(number * 5 + i) % len(QUERIES)]
            try:
                got: object = answer(q)
            except Exception as error:  # noqa: BLE001 - any failure is a wrong answer
                got = repr(error)
            if got != expected[q]:
                wrong.append((q, got))

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as a busy server does
    try:
        threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
        engine.close()
    assert wrong == []
