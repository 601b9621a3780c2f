"""Exports stream a page of the ranking at a time, and only a few run at once."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
from berita_search.search.engine import SearchEngine
from berita_search.search.requests import SearchRequest
from berita_search.web.app import create_app
from starlette.requests import ClientDisconnect
from starlette.testclient import TestClient

from tests.web_fixtures import build_web_index


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchEngine]:
    engine = SearchEngine(build_web_index(tmp_path_factory))
    yield engine
    engine.close()


def asgi_get(app: Any, path: str, query: str) -> tuple[int, dict[str, str], list[bytes]]:
    """One GET through the ASGI interface: the status, headers and every body message as sent."""
    messages: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        await asyncio.sleep(3600)  # the client never disconnects
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        messages.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 1),
        "server": ("testserver", 80),
    }
    asyncio.run(app(scope, receive, send))
    start = messages[0]
    headers = {k.decode(): v.decode() for k, v in start["headers"]}
    return start["status"], headers, [m["body"] for m in messages[1:] if m.get("body")]


@pytest.mark.parametrize("suffix", ["csv", "json"])
def test_exports_are_sent_a_page_at_a_time(engine: SearchEngine, suffix: str) -> None:
    app = create_app(engine)
    total = engine.search(SearchRequest(q="", date_from="1900", limit=1)).total
    assert total > 250
    status, headers, chunks = asgi_get(app, f"/ekspor.{suffix}", "from=1900")
    assert status == 200
    assert "content-length" not in headers  # streamed, not built whole first
    assert len(chunks) >= total // 100
    body = b"".join(chunks).decode("utf-8")
    if suffix == "csv":
        rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    else:
        data = json.loads(body)
        rows = data["hits"]
        assert data["count"] == len(rows) and data["truncated"] is False
    assert len(rows) == total
    assert len({r["id"] for r in rows}) == total


def test_the_stream_holds_the_ranking_of_a_normal_search(engine: SearchEngine) -> None:
    client = TestClient(create_app(engine))
    rows = list(csv.DictReader(io.StringIO(client.get("/ekspor.csv?q=artis").text.lstrip("\ufeff"))))
    first = client.get("/api/search", params={"q": "artis", "limit": 20}).json()
    pages = first["hits"]
    for page in range(2, first["pages"] + 1):
        pages += client.get("/api/search", params={"q": "artis", "limit": 20, "page": page}).json()["hits"]
    assert first["pages"] >= 2
    assert [r["id"] for r in rows] == [h["id"] for h in pages]
    assert [r["snippet"] for r in rows[:20]] == [h["snippet"] for h in pages[:20]]


def test_only_a_few_exports_run_at_once(engine: SearchEngine) -> None:
    app = create_app(engine, export_slots=2)
    client = TestClient(app)
    slots = app.state.export_slots
    assert slots.try_acquire() and slots.try_acquire()
    try:
        for suffix in ("csv", "json", "xlsx"):
            busy = client.get(f"/ekspor.{suffix}", params={"q": "artis"})
            assert busy.status_code == 503
            assert int(busy.headers["retry-after"]) > 0
            assert "unduhan" in busy.text and "coba lagi" in busy.text.lower()
        # Searching is not held up by exports.
        assert client.get("/api/search", params={"q": "artis"}).status_code == 200
    finally:
        slots.release()
        slots.release()
    assert client.get("/ekspor.csv", params={"q": "artis"}).status_code == 200
    # Finished exports give their place back, errors included.
    for _ in range(3):
        assert client.get("/ekspor.json", params={"q": "artis"}).status_code == 200
        assert client.get("/ekspor.csv", params={"q": "artis", "from": "kemarin"}).status_code == 400
    assert slots.available == 2


def test_an_abandoned_download_gives_its_place_back(engine: SearchEngine) -> None:
    app = create_app(engine, export_slots=1)
    scope_query = "from=1900"
    sent: list[dict[str, Any]] = []

    async def run() -> None:
        disconnected = asyncio.Event()

        async def receive() -> dict[str, Any]:
            await disconnected.wait()
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)
            if message.get("body"):
                raise OSError("the reader went away")  # as a closed socket does

        scope = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.4"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": "/ekspor.csv",
            "raw_path": b"/ekspor.csv",
            "query_string": scope_query.encode(),
            "root_path": "",
            "headers": [(b"host", b"testserver")],
            "client": ("127.0.0.1", 1),
            "server": ("testserver", 80),
        }
        with pytest.raises(ClientDisconnect):  # the server sees the reader gone; the slot must come back
            await app(scope, receive, send)

    asyncio.run(run())
    assert sent and sent[0]["status"] == 200
    assert app.state.export_slots.available == 1
