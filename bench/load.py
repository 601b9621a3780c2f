"""Web load: the query mix against ``berita-search serve`` on loopback, 8 clients at once."""

from __future__ import annotations

import http.client
import itertools
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

from bench.corpus import REPO
from bench.speed import percentiles


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_ready(port: int, proc: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("server did not start")


def run_load(
    index_dir: Path | None,
    queries: list[str],
    clients: int = 8,
    requests: int = 2000,
    seconds: float = 60.0,
    cache_size: int | None = None,
    backend_args: list[str] | None = None,
    env: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Requests/s and latency percentiles; stops at ``requests`` or ``seconds``, whichever first.
    ``backend_args`` and ``env`` choose another backend than the Whoosh folder ``index_dir``."""
    port = free_port()
    server = Path(sys.executable).with_name("berita-search")
    command = [str(server)] if server.exists() else [sys.executable, "-m", "berita_search.search.cli"]
    proc = subprocess.Popen(
        # One server process per core, as a production deployment on this machine would run.
        [*command, "serve", *(["--index", str(index_dir)] if index_dir else []), *(backend_args or [])]
        + ["--host", "127.0.0.1", "--port", str(port)]
        + ["--workers", str(os.cpu_count() or 1)]
        + ([] if cache_size is None else ["--cache-size", str(cache_size)]),
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
    )
    try:
        _wait_ready(port, proc)
        # One warm-up pass, so the first requests do not time the opening of the index.
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for q in queries[:20]:
            conn.request("GET", "/api/search?q=" + quote(q))
            conn.getresponse().read()
        conn.close()
        counter = itertools.count()
        lock = threading.Lock()
        latencies: list[float] = []
        errors: list[str] = []
        deadline = time.monotonic() + seconds

        def client() -> None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            while time.monotonic() < deadline:
                number = next(counter)
                if number >= requests:
                    break
                q = queries[number % len(queries)]
                started = time.perf_counter()
                try:
                    conn.request("GET", "/api/search?q=" + quote(q))
                    response = conn.getresponse()
                    response.read()
                    ok = response.status == 200
                    detail = f"HTTP {response.status}"
                except (OSError, http.client.HTTPException) as exc:
                    ok, detail = False, type(exc).__name__
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    latencies.append(elapsed)
                    if not ok:
                        errors.append(detail)
            conn.close()

        started = time.perf_counter()
        threads = [threading.Thread(target=client) for _ in range(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - started
        return {
            "clients": clients,
            "requests": len(latencies),
            "errors": len(errors),
            "error_kinds": sorted(set(errors))[:5],
            "seconds": wall,
            "requests_per_s": len(latencies) / wall if wall else 0.0,
            "latency_ms": percentiles(latencies),
        }
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
