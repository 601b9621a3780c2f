"""The speed benchmark suite: ``python -m bench`` (or ``make bench``).

    python -m bench --quick              clickid only, fewer queries
    python -m bench                      clickid, then a 200,000-article scale corpus
    python -m bench --scale 50000        a smaller scale corpus
    python -m bench --scale 1000000 --no-web   a million articles, the product alone
    python -m bench --profile            also profile indexing and the first page (pyinstrument)
    python -m bench --no-opensearch      leave out the OpenSearch rows

Prints a table and writes bench/results/speed-<time>.json. Every figure is shown beside a
ratio to a baseline measured in the same run (plain Whoosh, Tantivy, SQLite FTS5), because
absolute numbers on a shared machine are noisy. The OpenSearch rows come from a one-node
cluster the run starts on loopback (``opensearch/cluster.py``) and stops at the end: the same
corpus indexed by the product's writer, the same query mix through the engine, the same web
load, and the two backends' agreement on the relevance topics and the mix (``bench.parity``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import speed
from bench.corpus import REPO, corpus_file

RESULTS = REPO / "bench" / "results"
MILLION = 1_000_000


def _size(corpus: str) -> int:
    """Articles in a scale corpus (``scale:N``); 0 for clickid."""
    return int(corpus.split(":", 1)[1]) if corpus.startswith("scale:") else 0


WEB_RUNS = (
    ("web", "web"),
    ("web_uncached", "web, result cache off"),
    ("opensearch_web", "web on OpenSearch"),
    ("opensearch_web_uncached", "web on OpenSearch, result cache off"),
)  # result key, label


def bench_corpus(name: str, args: argparse.Namespace, workdir: Path, cluster: Any | None = None) -> dict[str, Any]:
    corpus = corpus_file(name, workdir)
    out: dict[str, Any] = {"corpus": name, "file": str(corpus), "indexing": {}, "queries": {}}
    anchors = [
        k for k, mod in (("tantivy", "tantivy"), ("fts5", "sqlite3"), ("bm25s", "bm25s")) if speed.installed(mod)
    ]
    # At a million articles the product alone: its own targets are absolute.
    product_only = args.no_anchors or _size(name) >= MILLION
    if product_only:
        anchors = []
    baselines = [] if product_only else ["plain", *anchors]
    dirs = {kind: workdir / f"{name.replace(':', '-')}-{kind}" for kind in ["product", *baselines]}
    print(f"[{name}] indexing with the product pipeline …", flush=True)
    out["indexing"]["product"] = first = speed.run_index_job("product", corpus, dirs["product"])
    if "error" in first or first.get("failed") or not first.get("docs"):
        # Timing searches over an index that lacks the corpus would report nonsense.
        raise SystemExit(f"[{name}] the product did not index the corpus: {first}")
    print(f"[{name}] re-indexing the unchanged corpus …", flush=True)
    out["indexing"]["product_reindex"] = speed.run_index_job("product", corpus, dirs["product"])
    for kind in baselines:
        print(f"[{name}] indexing: {kind} …", flush=True)
        out["indexing"][kind] = speed.run_index_job(kind, corpus, dirs[kind])
    mix = speed.query_mix(args.per_class)
    out["mix"] = mix.queries
    core, page = speed.product_runners(dirs["product"], mix)
    print(f"[{name}] queries …", flush=True)
    out["queries"]["product_core"] = speed.time_queries(core, mix, args.repeat)
    out["queries"]["product_page"] = speed.time_queries(page, mix, args.repeat)
    if not product_only:
        out["queries"]["whoosh_core"] = speed.time_queries(speed.whoosh_core_runner(dirs["product"]), mix, args.repeat)
    if "tantivy" in anchors:
        out["queries"]["tantivy"] = speed.time_queries(speed.tantivy_runner(dirs["tantivy"]), mix, args.repeat)
    if "fts5" in anchors:
        out["queries"]["fts5"] = speed.time_queries(speed.fts5_runner(dirs["fts5"]), mix, args.repeat)
    if "bm25s" in anchors:
        out["queries"]["bm25s"] = speed.time_queries(speed.bm25s_runner(dirs["bm25s"]), mix, args.repeat)
    web_here = name == "clickid" or args.web_at_scale or (_size(name) < MILLION and not args.no_web_at_scale)
    if not args.no_web and web_here:
        from bench.load import run_load

        print(f"[{name}] web load …", flush=True)
        queries = [q for qs in mix.queries.values() for q in qs if not q.startswith("judul:")]
        load = {"clients": 8, "requests": args.web_requests, "seconds": args.web_seconds}
        out["web"] = run_load(dirs["product"], queries, **load)
        print(f"[{name}] web load, result cache off …", flush=True)
        out["web_uncached"] = run_load(dirs["product"], queries, cache_size=0, **load)
    if cluster is not None:
        bench_opensearch(name, corpus, cluster, dirs["product"], mix, args, out)
    if args.profile:
        profile(dirs["product"], mix, corpus, workdir, name)
    if not args.keep:
        for d in dirs.values():
            shutil.rmtree(d, ignore_errors=True)
    return out


def start_cluster(workdir: Path) -> Any | None:
    """A one-node OpenSearch cluster for the run, or None (with the reason) when it cannot start."""
    import os

    from opensearch.cluster import ClusterError, start

    print("starting a one-node OpenSearch cluster …", flush=True)
    try:
        return start(nodes=1, state_dir=workdir / "opensearch", owner_pid=os.getpid())
    except ClusterError as error:
        print(f"OpenSearch rows left out: {error}", flush=True)
        return None


def bench_opensearch(
    name: str,
    corpus: Path,
    cluster: Any,
    whoosh_dir: Path,
    mix: speed.Mix,
    args: argparse.Namespace,
    out: dict[str, Any],
) -> None:
    """The OpenSearch rows: indexing, re-indexing unchanged, queries, web load and agreement."""
    from berita_search.search.backends.opensearch_client import URL_ENV, OpenSearchSettings, make_client

    alias = f"bench-{name.replace(':', '-')}"
    settings = OpenSearchSettings(urls=tuple(cluster.urls), index=alias)
    client = make_client(settings)
    client.indices.delete(index=f"{alias}-v*,{alias}-lock", params={"ignore_unavailable": "true"})
    import os

    os.environ[URL_ENV] = cluster.url  # for the indexing jobs and the server
    print(f"[{name}] indexing into OpenSearch …", flush=True)
    out["indexing"]["opensearch"] = speed.run_index_job("opensearch", corpus, Path(alias))
    print(f"[{name}] re-indexing the unchanged corpus into OpenSearch …", flush=True)
    out["indexing"]["opensearch_reindex"] = speed.run_index_job("opensearch", corpus, Path(alias))
    out["opensearch_server_mb"] = (cluster.nodes[0].rss_kib() or 0) / 1024
    core, page = speed.opensearch_runners(settings, mix)
    print(f"[{name}] queries on OpenSearch …", flush=True)
    out["queries"]["opensearch_core"] = speed.time_queries(core, mix, args.repeat)
    out["queries"]["opensearch_page"] = speed.time_queries(page, mix, args.repeat)
    if not args.no_web and (name == "clickid" or args.web_at_scale):
        from bench.load import run_load

        queries = [q for qs in mix.queries.values() for q in qs if not q.startswith("judul:")]
        load = {"clients": 8, "requests": args.web_requests, "seconds": args.web_seconds}
        backend = {"backend_args": ["--backend", "opensearch"], "env": settings.environment()}
        print(f"[{name}] web load on OpenSearch …", flush=True)
        out["opensearch_web"] = run_load(None, queries, **load, **backend)
        print(f"[{name}] web load on OpenSearch, result cache off …", flush=True)
        out["opensearch_web_uncached"] = run_load(None, queries, cache_size=0, **load, **backend)
    from berita_search.search.backends.opensearch import OpenSearchBackend
    from berita_search.search.engine import SearchEngine

    from bench import parity

    print(f"[{name}] Whoosh and OpenSearch side by side …", flush=True)
    engines = {
        "whoosh": SearchEngine(whoosh_dir, cache_size=0),
        "opensearch": SearchEngine(OpenSearchBackend(settings), cache_size=0),
    }
    sets = {"topics": parity.parity_queries(args.per_class)["topics"]} if name == "clickid" else {}
    sets.update({f"mix:{cls}": queries for cls, queries in mix.queries.items()})
    out["parity"] = parity.compare(engines, sets)
    if not args.keep:
        client.indices.delete(index=f"{alias}-v*,{alias}-lock", params={"ignore_unavailable": "true"})


def profile(index_dir: Path, mix: speed.Mix, corpus: Path, workdir: Path, name: str) -> None:
    """pyinstrument profiles of indexing 1,500 articles and of the first-page mix."""
    import itertools

    from berita_search.index.readers import read_paths
    from berita_search.index.writer import index_records
    from pyinstrument import Profiler

    RESULTS.mkdir(parents=True, exist_ok=True)
    profiler = Profiler(interval=0.002)
    target = workdir / "profile-index"
    with profiler:
        index_records(target, itertools.islice(read_paths([corpus]), 1500))
    (RESULTS / f"profile-index-{name.replace(':', '-')}.txt").write_text(profiler.output_text(unicode=True))
    _core, page = speed.product_runners(index_dir, mix)
    profiler = Profiler(interval=0.0005)
    with profiler:
        for cls, queries in mix.queries.items():
            for q in queries:
                page(cls, q)
    (RESULTS / f"profile-page-{name.replace(':', '-')}.txt").write_text(profiler.output_text(unicode=True))


# ---------------------------------------------------------------- report


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}x" if a and b else "-"


def targets(run: dict[str, Any]) -> list[dict[str, Any]]:
    """Every target of the issue this run can judge, with its status. At clickid the older
    targets; at 200,000 articles (any scale corpus under a million) and at a million the
    issue's own."""
    rows: list[dict[str, Any]] = []

    def row(corpus: str, target: str, value: str, met: bool | None) -> None:
        # None: a figure shown for information, with no target to meet.
        rows.append({"corpus": corpus, "target": target, "value": value, "met": None if met is None else bool(met)})

    for c in run["corpora"]:
        name, ix, qs = c["corpus"], c["indexing"], c["queries"]
        size = _size(name)
        million = size >= MILLION
        first, again, plain = ix.get("product", {}), ix.get("product_reindex", {}), ix.get("plain", {})
        if first.get("docs_per_s") and plain.get("docs_per_s"):
            r = first["docs_per_s"] / plain["docs_per_s"]
            row(
                name,
                "indexing >= 2x plain Whoosh",
                f"{first['docs_per_s']:.0f}/s vs {plain['docs_per_s']:.0f}/s = {r:.2f}x",
                r >= 2,
            )
        if first.get("peak_mb") and name != "clickid":
            limit_mb = 2048 if million else 1536
            # Judged on resident memory; its anonymous part is shown beside it (the rest is pages
            # of the index's mapped files, which the kernel may drop).
            anonymous = f" ({first['peak_anon_mb']:.0f} MB anonymous)" if first.get("peak_anon_mb") else ""
            row(
                name,
                f"peak memory < {limit_mb / 1024:g} GB",
                f"{first['peak_mb']:.0f} MB{anonymous}",
                first["peak_mb"] < limit_mb,
            )
        if million and first.get("seconds"):
            row(name, "indexed in <= 40 minutes", f"{first['seconds'] / 60:.1f} min", first["seconds"] <= 2400)
        if first.get("seconds") and again.get("seconds"):
            r = first["seconds"] / again["seconds"]
            row(
                name,
                "re-index unchanged >= 20x faster",
                f"{first['seconds']:.1f} s vs {again['seconds']:.2f} s = {r:.1f}x",
                r >= 20,
            )
        core = qs.get("product_core", {})
        if core.get("phrases", {}).get("n") and core.get("terms", {}).get("n"):
            p, t = core["phrases"]["p95"], core["terms"]["p95"]
            row(name, "phrase p95 <= 2x single-term p95", f"{p:.1f} ms vs {t:.1f} ms = {p / t:.2f}x", p <= 2 * t)
        page = qs.get("product_page", {}).get("all", {})
        page_limit = 50 if name == "clickid" else 250 if million else 100
        if page.get("n"):
            row(name, f"first page p95 <= {page_limit} ms", f"{page['p95']:.1f} ms", page["p95"] <= page_limit)
        core_all = core.get("all", {})
        if core_all.get("n") and name != "clickid":
            core_limit = 100 if million else 40
            row(name, f"core top-10 p95 <= {core_limit} ms", f"{core_all['p95']:.1f} ms", core_all["p95"] <= core_limit)
        peer = qs.get("bm25s", {}).get("keywords", {})
        if peer.get("n") and core.get("keywords", {}).get("n"):
            ours, theirs = core["keywords"]["p95"], peer["p95"]
            row(
                name,
                "core top-10 p95 <= 2x bm25s (keywords)",
                f"{ours:.1f} ms vs {theirs:.1f} ms = {ours / theirs:.2f}x",
                ours <= 2 * theirs,
            )
        os_first, os_page = ix.get("opensearch", {}), qs.get("opensearch_page", {}).get("all", {})
        if os_first.get("docs_per_s") and first.get("docs_per_s"):
            rows.append(
                {
                    "corpus": name,
                    "target": "OpenSearch indexing (no target)",
                    "value": f"{os_first['docs_per_s']:.0f}/s vs Whoosh {first['docs_per_s']:.0f}/s",
                    "met": None,
                }
            )
        if os_page.get("n"):
            rows.append(
                {
                    "corpus": name,
                    "target": "OpenSearch first page p95 (no target)",
                    "value": f"{os_page['p95']:.1f} ms (p50 {os_page['p50']:.1f} ms)",
                    "met": None,
                }
            )
        agreement = c.get("parity")
        if agreement:
            rows.append(
                {
                    "corpus": name,
                    "target": "backends: totals exact, top-10 overlap >= 0.8",
                    "value": f"{agreement['totals_exact']}/{agreement['queries']} exact, overlap "
                    f"{agreement['overlap_mean']:.3f} (min {agreement['overlap_min']:.2f})",
                    "met": agreement["totals_exact"] == agreement["queries"] and agreement["overlap_mean"] >= 0.8,
                }
            )
        for key, label in WEB_RUNS:
            web = c.get(key)
            if web:
                floor = 40 if key == "web_uncached" and name != "clickid" else 100
                row(
                    name,
                    f"{label} >= {floor} req/s, 0 errors"
                    if not key.startswith("opensearch")
                    else f"{label} (no target)",
                    f"{web['requests_per_s']:.0f} req/s, {web['errors']} errors of {web['requests']}",
                    (web["requests_per_s"] >= floor and web["errors"] == 0)
                    if not key.startswith("opensearch")
                    else None,
                )
    return rows


def print_table(run: dict[str, Any]) -> None:
    for c in run["corpora"]:
        print(f"\n== {c['corpus']} ==")
        ix = c["indexing"]
        plain = ix.get("plain", {}).get("docs_per_s", 0)
        print(
            f"{'indexing':<18}{'docs':>8}{'docs/s':>10}{'vs plain':>10}{'seconds':>10}{'peak MB':>10}{'index MB':>10}"
        )
        if ix.get("product", {}).get("workers"):
            print(f"(product: {ix['product']['workers']} worker processes, as the CLI runs on this machine)")
        for kind, r in ix.items():
            if "error" in r:
                print(f"{kind:<18} {r['error']}")
                continue
            print(
                f"{kind:<18}{r['docs']:>8}{r['docs_per_s']:>10.0f}{_ratio(r['docs_per_s'], plain):>10}"
                f"{r['seconds']:>10.1f}{r['peak_mb']:>10.0f}{r['index_mb']:>10.1f}"
            )
        qs = c["queries"]
        print(f"\n{'query p50/p95/p99 ms':<22}" + "".join(f"{k:>24}" for k in qs))
        classes = [*speed.CLASSES, "terms", "phrases", "keywords", "all"]
        for cls in classes:
            cells = []
            for system in qs.values():
                s = system.get(cls, {})
                cells.append(f"{s['p50']:.1f}/{s['p95']:.1f}/{s['p99']:.1f}" if s.get("n") else "-")
            print(f"{cls:<22}" + "".join(f"{x:>24}" for x in cells))
        if any(a in qs for a in ("tantivy", "fts5", "bm25s", "whoosh_core")):
            for anchor in ("whoosh_core", "tantivy", "fts5", "bm25s"):
                if anchor in qs:
                    ratios = [
                        f"{cls}={_ratio(qs['product_core'][cls].get('p95', 0), qs[anchor][cls].get('p95', 0))}"
                        for cls in ("terms", "phrases", "keywords", "all")
                    ]
                    print(f"core p95 / {anchor} p95: " + ", ".join(ratios))
            for anchor in ("tantivy", "fts5", "bm25s"):
                if anchor in ix and "docs_per_s" in ix[anchor]:
                    print(f"indexing product / {anchor}: {ix['product']['docs_per_s'] / ix[anchor]['docs_per_s']:.4f}x")
        for key, label in WEB_RUNS:
            web = c.get(key)
            if web:
                lat = web["latency_ms"]
                print(
                    f"{label}: {web['requests']} requests, {web['clients']} clients, {web['requests_per_s']:.0f} req/s, "
                    f"{web['errors']} errors, latency p50/p95/p99 {lat['p50']:.1f}/{lat['p95']:.1f}/{lat['p99']:.1f} ms"
                )
    print("\n== targets ==")
    print(f"load average at the end: {run.get('load_end', '-')} (at the start: {run.get('load_start', '-')})")
    for row in run["targets"]:
        mark = "INFO" if row["met"] is None else "MET " if row["met"] else "GAP "
        print(f"{mark} {row['corpus']:<14}{row['target']:<46}{row['value']}")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="clickid only, fewer queries")
    parser.add_argument("--scale", type=int, default=200_000, help="articles in the scale corpus (0: none)")
    parser.add_argument("--per-class", type=int, default=None, help="queries per class")
    parser.add_argument("--repeat", type=int, default=3, help="timed passes over the mix")
    parser.add_argument("--no-anchors", action="store_true", help="skip Tantivy and SQLite FTS5")
    parser.add_argument("--no-web", action="store_true", help="skip the web load")
    parser.add_argument("--web-at-scale", action="store_true", help="also load the web at a million articles")
    parser.add_argument("--no-web-at-scale", action="store_true", help="load the web at clickid only")
    parser.add_argument("--web-requests", type=int, default=2000)
    parser.add_argument("--web-seconds", type=float, default=60.0)
    parser.add_argument("--profile", action="store_true", help="pyinstrument profiles into bench/results/")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark indexes")
    parser.add_argument("--no-opensearch", action="store_true", help="leave out the OpenSearch rows")
    parser.add_argument("--workdir", type=Path, default=None, help="where indexes and scale corpora go")
    args = parser.parse_args()
    if args.per_class is None:
        args.per_class = 10 if args.quick else 25
    if args.quick:
        args.repeat = min(args.repeat, 2)
        args.web_requests = min(args.web_requests, 600)
    corpora = ["clickid"] + ([] if args.quick or args.scale <= 0 else [f"scale:{args.scale}"])
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="berita-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    run: dict[str, Any] = {
        "started": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "load_start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "args": vars(args) | {"workdir": str(workdir)},
    }
    run["corpora"] = []
    cluster = None if args.no_opensearch else start_cluster(workdir)
    try:
        for name in corpora:
            run["corpora"].append(bench_corpus(name, args, workdir, cluster))
    finally:
        run["load_end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
        if cluster is not None:
            cluster.stop()
        run["targets"] = targets(run)
        RESULTS.mkdir(parents=True, exist_ok=True)
        path = RESULTS / f"speed-{time.strftime('%Y%m%d-%H%M%S')}.json"
        path.write_text(json.dumps(run, indent=2, ensure_ascii=False, default=str))
        print_table(run)
        print(f"\nresults: {path}")
        if args.workdir is None and not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
