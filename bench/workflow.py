"""The research workflow's two measured targets.

    .venv/bin/python -m bench.workflow export --index DIR [--format csv|xlsx] [--query Q]
    .venv/bin/python -m bench.workflow export --scale 100000 --workdir /tmp/bench-scale
    .venv/bin/python -m bench.workflow batch --index DIR [--lines 1000]

``export`` runs ``berita-search export`` with full text over every article (``--from 1744
--no-collapse`` unless a query is given) in a child process, samples its resident memory every
0.1 s, and prints rows, seconds, peak resident memory, the resident memory during the first 5%
of the time, and the peak of the process's private memory (resident memory also counts the
index's memory-mapped pages as they are read); target: a peak under 300 MB at 100,000 hits. ``--scale N`` first
indexes the scale corpus of ``bench.corpus`` (N articles cycled from clickid) into
``--workdir``, once.

``batch`` draws ``--lines`` names from the clickid titles (runs of two or three capitalised
words, the most frequent first, ties by name; the list is written beside the results), runs
``berita-search batch`` on them and prints the time and how many lines were found; target:
1,000 lines in under 60 s on two cores.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

from bench.corpus import clickid_rows, corpus_file
from bench.speed import tree_rss_mb

RESULTS = Path(__file__).resolve().parent / "results"
CLI = [sys.executable, "-m", "berita_search.search.cli"]
_NAME = re.compile(r"\b(?:[A-Z][a-z]+ ){1,2}[A-Z][a-z]+\b")


class Sampler(threading.Thread):
    """Peak resident memory of a process tree, sampled every 0.1 s."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.samples: list[tuple[float, float]] = []
        self.private_mb = 0.0  # peak of the process's own memory (RssAnon), without mapped index files
        self.done = threading.Event()

    def run(self) -> None:
        start = time.monotonic()
        while not self.done.is_set():
            self.samples.append((time.monotonic() - start, tree_rss_mb(self.pid)))
            try:
                found = re.search(r"^RssAnon:\s+(\d+)", Path(f"/proc/{self.pid}/status").read_text(), re.M)
            except OSError:  # it just exited
                found = None
            if found:
                self.private_mb = max(self.private_mb, int(found.group(1)) / 1024)
            self.done.wait(0.1)


def count_lines(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(1 for _ in handle)


def ensure_scale_index(size: int, workdir: Path) -> Path:
    index_dir = workdir / f"index-{size}"
    if (index_dir / "bench-complete").exists():
        return index_dir
    workdir.mkdir(parents=True, exist_ok=True)
    source = corpus_file(f"scale:{size}", workdir)
    print(f"indexing {size:,} articles into {index_dir} ...", file=sys.stderr)
    started = time.monotonic()
    subprocess.run([*CLI, "index", "--index", str(index_dir), str(source)], check=True, stdout=subprocess.DEVNULL)
    print(f"indexed in {time.monotonic() - started:.0f} s", file=sys.stderr)
    (index_dir / "bench-complete").write_text("ok\n")
    return index_dir


def bench_export(index_dir: Path, export_format: str, query: str, out_dir: Path) -> dict:
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / f"full-export.{export_format}"
    scope = [query] if query else ["--from", "1744", "--no-collapse"]
    command = [*CLI, "export", "--index", str(index_dir), *scope, "--format", export_format, "-o", str(out)]
    started = time.monotonic()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    sampler = Sampler(child.pid)
    sampler.start()
    _out, err = child.communicate()
    seconds = time.monotonic() - started
    sampler.done.set()
    sampler.join()
    if child.returncode != 0:
        raise SystemExit(f"export failed ({child.returncode}): {err.strip()}")
    rows = int(re.search(r"([\d,]+) articles exported", err).group(1).replace(",", ""))
    peaks = [mb for _t, mb in sampler.samples]
    early = [mb for t, mb in sampler.samples if t <= seconds * 0.05] or peaks[:1]
    return {
        "format": export_format,
        "rows": rows,
        "seconds": round(seconds, 1),
        "peak_mb": round(max(peaks), 1),
        # Resident memory counts the index's memory-mapped pages read so far (page cache, shared
        # and reclaimable); the process's own memory is the private part.
        "peak_private_mb": round(sampler.private_mb, 1),
        "early_mb": round(max(early), 1),
        "file_mb": round(out.stat().st_size / 2**20, 1),
        "target_peak_mb": 300,
    }


def batch_names(count: int) -> list[str]:
    found: Counter[str] = Counter()
    for row in clickid_rows():
        found.update(_NAME.findall(str(row.get("title") or "")))
    ranked = sorted(found.items(), key=lambda item: (-item[1], item[0]))
    return [name for name, _n in ranked[:count]]


def bench_batch(index_dir: Path, lines: int, out_dir: Path) -> dict:
    out_dir.mkdir(parents=True, exist_ok=True)
    names = batch_names(lines)
    listing = out_dir / f"batch-{len(names)}.txt"
    listing.write_text("\n".join(names) + "\n", encoding="utf-8")
    started = time.monotonic()
    done = subprocess.run(
        [*CLI, "batch", "--index", str(index_dir), str(listing), "--json"], capture_output=True, text=True
    )
    seconds = time.monotonic() - started
    if done.returncode != 0:
        raise SystemExit(f"batch failed ({done.returncode}): {done.stderr.strip()}")
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    return {
        "lines": len(rows),
        "found": sum(1 for r in rows if r["articles"]),
        "articles_total": sum(r["articles"] for r in rows),
        "seconds": round(seconds, 1),
        "target_seconds": 60,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="bench.workflow", description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=["export", "batch"])
    parser.add_argument("--index", type=Path, help="An index folder (export: or --scale).")
    parser.add_argument("--scale", type=int, help="Export: index this many scale articles first.")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/berita-bench-workflow"))
    parser.add_argument("--format", dest="export_format", default="csv", choices=["csv", "xlsx", "jsonl"])
    parser.add_argument("--query", default="", help="Export: this search instead of every article.")
    parser.add_argument("--lines", type=int, default=1_000)
    args = parser.parse_args(argv)
    if args.index is None and not (args.what == "export" and args.scale):
        parser.error("--index is needed (or --scale for export)")
    index_dir = args.index or ensure_scale_index(args.scale, args.workdir)
    if args.what == "export":
        result = bench_export(index_dir, args.export_format, args.query, args.workdir)
        verdict = "ok" if result["peak_mb"] < 300 else "OVER"
        print(
            f"export {result['format']}: {result['rows']:,} rows in {result['seconds']} s, "
            f"peak resident {result['peak_mb']} MB (first 5%: {result['early_mb']} MB; target < 300 MB: {verdict}), "
            f"peak private {result['peak_private_mb']} MB, file {result['file_mb']} MB"
        )
    else:
        result = bench_batch(index_dir, args.lines, args.workdir)
        verdict = "ok" if result["seconds"] < 60 else "OVER"
        print(
            f"batch: {result['lines']:,} lines in {result['seconds']} s (target < 60 s: {verdict}), "
            f"{result['found']:,} found, {result['articles_total']:,} articles in all"
        )
    RESULTS.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (RESULTS / f"workflow-{args.what}-{stamp}.json").write_text(
        json.dumps({**result, "index": str(index_dir)}, indent=2) + "\n"
    )


if __name__ == "__main__":
    main()
