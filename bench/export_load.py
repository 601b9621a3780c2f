"""Exports under load: one 5,000-hit export, then several at once, against `berita-search serve`.

    .venv/bin/python -m bench.export_load --index /work/idx/clickid [--clients 8] [--query indonesia]

Starts the server on loopback in a child process (result cache off), samples its resident
memory every 0.1 s, and prints each export's status, time to the first byte, time and size,
the server's peak memory and the CPU seconds it spent (a figure other load on the machine
does not inflate, unlike the times).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

from bench.speed import tree_rss_mb


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process (Linux /proc), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def fetch(url: str) -> dict[str, Any]:
    started = time.perf_counter()
    size = 0
    first_byte = None
    with httpx.stream("GET", url, timeout=600) as response:
        for chunk in response.iter_bytes():
            if first_byte is None:
                first_byte = time.perf_counter() - started
            size += len(chunk)
        status = response.status_code
    return {
        "status": status,
        "first_byte_s": round(first_byte or 0.0, 2),
        "seconds": round(time.perf_counter() - started, 2),
        "bytes": size,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--query", default="indonesia")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--format", default="csv", choices=["csv", "json", "xlsx"])
    args = parser.parse_args()

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "berita_search.search.cli", "serve", "--index", str(args.index), "--port", str(port)]
        + ["--cache-size", "0"],
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(base + "/", timeout=5)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        url = f"{base}/ekspor.{args.format}?q={args.query}"
        idle = tree_rss_mb(server.pid)
        peak = [idle]
        sampling = [True]

        def sample() -> None:
            while sampling[0]:
                peak[0] = max(peak[0], tree_rss_mb(server.pid))
                time.sleep(0.1)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        cpu_start = cpu_seconds(server.pid)
        one = fetch(url)
        cpu_one = cpu_seconds(server.pid) - cpu_start
        peak_one = peak[0]
        cpu_start = cpu_seconds(server.pid)
        with ThreadPoolExecutor(args.clients) as pool:
            many = list(pool.map(fetch, [url] * args.clients))
        cpu_many = cpu_seconds(server.pid) - cpu_start
        sampling[0] = False
        sampler.join()
        report = {
            "query": args.query,
            "format": args.format,
            "idle_mb": round(idle, 1),
            "one": one,
            "peak_mb_one": round(peak_one, 1),
            "cpu_s_one": round(cpu_one, 1),
            "concurrent": many,
            "peak_mb_concurrent": round(peak[0], 1),
            "cpu_s_concurrent": round(cpu_many, 1),
        }
        print(json.dumps(report, indent=1))
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
