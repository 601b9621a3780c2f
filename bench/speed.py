"""Indexing and query timings for the product and its anchors."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.corpus import REPO, clickid_rows

CLASSES = ("term_hi", "term_mid", "term_lo", "and2", "phrase2", "phrase3", "filtered")
_WORD = re.compile(r"[^\W\d_]{3,}")
_NAME = re.compile(r"(?<=\s)([A-Z][a-z]{2,}(?: [A-Z][a-z]{2,}){1,2})\b")


# ---------------------------------------------------------------- indexing


def dir_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants (Linux /proc), in MB."""
    return tree_memory_mb(pid)[0]


def tree_memory_mb(pid: int) -> tuple[float, float]:
    """Resident memory of a process and all its descendants (Linux /proc), in MB, and the
    anonymous part of it: what is left when the pages of mapped files (the index's own files,
    which the kernel may drop and read again) are not counted."""
    total_kb, anon_kb, stack = 0, 0, [pid]
    while stack:
        current = stack.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:  # it just exited
            continue
        match = re.search(r"^VmRSS:\s+(\d+)", status, re.M)
        total_kb += int(match.group(1)) if match else 0
        match = re.search(r"^RssAnon:\s+(\d+)", status, re.M)
        anon_kb += int(match.group(1)) if match else 0
        stack.extend(int(child) for child in children)
    return total_kb / 1024, anon_kb / 1024


def run_index_job(kind: str, corpus: Path, index_dir: Path) -> dict[str, Any]:
    """Run one indexing job in a child process; its rate, peak memory (RSS) and index size.

    Peak memory is the largest sum over the job's process tree (it may start worker
    processes), sampled every 0.2 s.
    """
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.speed_index", kind, str(corpus), str(index_dir)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    peak = [0.0, 0.0]  # resident, anonymous
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.2):
            resident, anonymous = tree_memory_mb(proc.pid)
            peak[0], peak[1] = max(peak[0], resident), max(peak[1], anonymous)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out = proc.stdout.read()
    done.set()
    sampler.join()
    _pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        return {"kind": kind, "error": f"exit {proc.returncode}"}
    result = json.loads(out.strip().splitlines()[-1])
    result["kind"] = kind
    result["docs_per_s"] = result["docs"] / result["seconds"] if result["seconds"] else 0.0
    # Sampled, not ru_maxrss: a forked child's ru_maxrss starts at its parent's resident size,
    # so every job would report at least this benchmark process's own memory.
    result["peak_mb"] = peak[0] or usage.ru_maxrss / 1024
    result["peak_anon_mb"] = peak[1]
    result["cpu_s"] = usage.ru_utime + usage.ru_stime
    result.setdefault("index_mb", dir_bytes(index_dir) / 2**20)  # a cluster job reports its own
    return result


# ---------------------------------------------------------------- the query mix


@dataclass
class Mix:
    queries: dict[str, list[str]] = field(default_factory=dict)
    filters: dict[str, str] = field(default_factory=dict)


def query_mix(per_class: int, sample: int = 3000) -> Mix:
    """Queries drawn from the corpus: terms by document frequency, pairs, names, filters."""
    from berita_search.index.stopwords import STOPWORDS

    df: Counter[str] = Counter()
    names: Counter[str] = Counter()
    titles: list[list[str]] = []
    categories: Counter[str] = Counter()
    for row in clickid_rows(sample):
        title = str(row.get("title") or "")
        text = title + " " + str(row.get("content") or "")
        df.update({w.lower() for w in _WORD.findall(text)})
        names.update(_NAME.findall(" " + title))
        titles.append([w.lower() for w in _WORD.findall(title)])
        if row.get("category"):
            categories[str(row["category"]).strip().title()] += 1
    ranked = [w for w, _ in df.most_common() if w not in STOPWORDS and len(w) >= 4]
    step = lambda words: words[:: max(1, len(words) // per_class)][:per_class]  # noqa: E731
    hi = step(ranked[:200])
    mid = step(ranked[1000:4000])
    lo = step([w for w in ranked if df[w] == 2])
    midset = set(ranked[300:8000])
    ands: list[str] = []
    for words in titles:
        good = [w for w in words if w in midset]
        if len(good) >= 2 and len(ands) < per_class:
            ands.append(f"{good[0]} {good[1]}")
    two = [n for n, _ in names.most_common() if len(n.split()) == 2][:per_class]
    three = [n for n, _ in names.most_common() if len(n.split()) == 3][:per_class]
    mix = Mix()
    mix.queries = {
        "term_hi": hi,
        "term_mid": mid,
        "term_lo": lo,
        "and2": ands,
        "phrase2": [f'"{n}"' for n in two],
        "phrase3": [f'"{n}"' for n in three],
        "filtered": [f"judul:{w} tanggal:[2019-01 TO 2019-12]" for w in step(ranked[200:2000])],
    }
    mix.filters = {"category": categories.most_common(1)[0][0] if categories else ""}
    return mix


# ---------------------------------------------------------------- timing


def percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {"n": 0}
    ordered = sorted(values)

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]

    return {"n": len(ordered), "p50": pct(50), "p95": pct(95), "p99": pct(99), "mean": sum(ordered) / len(ordered)}


def time_queries(run: Callable[[str, str], object], mix: Mix, repeat: int = 2) -> dict[str, dict[str, float]]:
    """Milliseconds per query, per class; one warm-up pass first."""
    for cls, queries in mix.queries.items():
        for q in queries:
            run(cls, q)
    out: dict[str, dict[str, float]] = {}
    groups: dict[str, list[float]] = {"all": [], "terms": [], "phrases": [], "keywords": []}
    for cls, queries in mix.queries.items():
        times: list[float] = []
        for _ in range(repeat):
            for q in queries:
                started = time.perf_counter()
                answered = run(cls, q)
                if answered is not None:  # None: a query this system does not answer
                    times.append((time.perf_counter() - started) * 1000)
        out[cls] = percentiles(times)
        groups["all"] += times
        if cls.startswith("term_"):
            groups["terms"] += times
        if cls.startswith("phrase"):
            groups["phrases"] += times
        if cls in KEYWORD_CLASSES:
            groups["keywords"] += times
    for name, times in groups.items():
        out[name] = percentiles(times)
    return out


def product_runners(index_dir: Path, mix: Mix) -> tuple[Callable[[str, str], object], Callable[[str, str], object]]:
    """(core, page): the ranked top 10 alone (with its stored fields, no facets, copies,
    snippets or suggestions), and the full first page the web shows."""
    from berita_search.search.backends.base import SearchSpec
    from berita_search.search.engine import SearchEngine, SearchRequest

    engine = SearchEngine(index_dir, cache_size=0)  # every timed page is computed

    def core(cls: str, q: str) -> object:
        parsed = engine.parse(q)
        if parsed.plan is None:
            return 0
        spec = SearchSpec(
            plan=parsed.plan,
            proximity=tuple(parsed.proximity),
            phrases=bool(parsed.phrases),
            top=10,
            collapse=False,
            facets=False,
        )
        return len(engine.backend.search(spec).ranked)

    def page(cls: str, q: str) -> object:
        request = SearchRequest(q=q)
        if cls == "filtered":
            request.category = mix.filters.get("category") or None
        return engine.search(request).total

    return core, page


def opensearch_runners(settings: Any, mix: Mix) -> tuple[Callable[[str, str], object], Callable[[str, str], object]]:
    """(core, page) on the cluster: the ranked top 10 alone (one search request, no counts,
    no stored fields), and the full first page through the engine."""
    from berita_search.search.backends import opensearch_query as OQ
    from berita_search.search.backends.opensearch import OpenSearchBackend
    from berita_search.search.engine import SearchEngine, SearchRequest

    backend = OpenSearchBackend(settings)
    engine = SearchEngine(backend, cache_size=0)

    def core(cls: str, q: str) -> object:
        parsed = engine.parse(q)
        query = OQ.fit_expansions(OQ.ranking_query(parsed.plan, tuple(parsed.proximity), bool(parsed.phrases)))
        body = {"query": query, "size": 10, "track_total_hits": False, "_source": False}
        return len(backend._search(body)["hits"]["hits"])

    def page(cls: str, q: str) -> object:
        request = SearchRequest(q=q)
        if cls == "filtered":
            request.category = mix.filters.get("category") or None
        return engine.search(request).total

    return core, page


def _plain_words(q: str) -> tuple[str, list[str]]:
    """(kind, words) of a mix query, for the anchors' own query syntax."""
    if q.startswith('"'):
        return "phrase", q.strip('"').lower().split()
    if q.startswith("judul:"):
        return "title", [q.split()[0].split(":", 1)[1]]
    return "and", q.lower().split()


def _anchor_query_text(q: str, required: str) -> str:
    """A mix query in an anchor engine's syntax; ``required`` marks a word that must match."""
    kind, words = _plain_words(q)
    if kind == "phrase":
        return '"' + " ".join(words) + '"'
    if kind == "title":
        return f"title:{words[0]}"
    return " ".join(f"{required}{w}" for w in words)


def tantivy_runner(index_dir: Path) -> Callable[[str, str], object]:
    import tantivy

    ix = tantivy.Index.open(str(index_dir))
    ix.reload()
    searcher = ix.searcher()

    def run(cls: str, q: str) -> object:
        # Tantivy's parser ORs bare words: '+' makes each one required.
        query = ix.parse_query(_anchor_query_text(q, required="+"), ["title", "body"])
        hits = searcher.search(query, 10).hits
        return [searcher.doc(addr)["title"] for _score, addr in hits]

    return run


def whoosh_core_runner(index_dir: Path) -> Callable[[str, str], object]:
    """The product's ranked query through Whoosh's own top-10 collector (the ranking before
    the array evaluation), for comparison."""
    from berita_search.search.backends.whoosh import WhooshBackend
    from berita_search.search.backends.whoosh_query import ranking_query
    from berita_search.search.querylang import parse_query

    backend = WhooshBackend(index_dir)

    def run(cls: str, q: str) -> object:
        parsed = parse_query(q, backend.stemmer)
        with backend.snapshot() as snap:
            return snap.searcher.search(ranking_query(parsed, snap.searcher), limit=10, terms=False).scored_length()

    return run


KEYWORD_CLASSES = ("term_hi", "term_mid", "term_lo", "and2")  # what a bag-of-words engine answers alike


def bm25s_runner(index_dir: Path) -> Callable[[str, str], object]:
    import bm25s

    retriever = bm25s.BM25.load(str(index_dir), mmap=True)

    def run(cls: str, q: str) -> object:
        if cls not in KEYWORD_CLASSES:
            return None
        tokens = bm25s.tokenize([q], stopwords=None, show_progress=False)
        docs, _scores = retriever.retrieve(tokens, k=10, show_progress=False, n_threads=1)
        return docs.shape

    return run


def fts5_runner(index_dir: Path) -> Callable[[str, str], object]:
    db = sqlite3.connect(index_dir / "fts.db", check_same_thread=False)

    def run(cls: str, q: str) -> object:
        text = _anchor_query_text(q, required="")
        rows = db.execute(
            "SELECT title, snippet(docs, 1, '[', ']', '…', 20) FROM docs WHERE docs MATCH ? ORDER BY rank LIMIT 10",
            (text,),
        ).fetchall()
        return len(rows)

    return run


def installed(module: str) -> bool:
    try:
        __import__(module)
    except ImportError:
        return False
    return True
