"""Whoosh and OpenSearch side by side on the same articles: do they agree?

    python -m bench.parity --whoosh DIR --opensearch-url URL [--opensearch-index ALIAS]

For every query of the relevance topics (``bench/relevance/clickid.topics.tsv``) and of the
speed bench's query mix (``bench.speed.query_mix``), through the engine on each backend:
articles and stories (copies collapsed), which must agree exactly, facets, and the overlap of
the top ten (the share of Whoosh's top ten that OpenSearch also ranks in its top ten).
Results go to ``bench/results/parity.json``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path
from typing import Any

from bench.corpus import REPO

RESULTS = REPO / "bench" / "results"


def parity_queries(per_class: int = 25) -> dict[str, list[str]]:
    """The query sets: relevance topics, and the speed mix by class."""
    from bench import speed
    from bench.relevance import read_topics

    sets = {"topics": list(read_topics().values())}
    sets.update({f"mix:{cls}": queries for cls, queries in speed.query_mix(per_class).queries.items()})
    return sets


def compare(engines: dict[str, Any], sets: dict[str, list[str]]) -> dict[str, Any]:
    """Totals, stories, facets and top-ten overlap of each query on the two engines."""
    from berita_search.search.engine import SearchRequest

    rows = []
    for set_name, queries in sets.items():
        for q in queries:
            found = {}
            for name, engine in engines.items():
                started = time.perf_counter()
                result = engine.search(SearchRequest(q=q, limit=10))
                found[name] = (result, (time.perf_counter() - started) * 1000)
            (a, _), (b, _) = found["whoosh"], found["opensearch"]
            top_a, top_b = [h.id for h in a.hits], [h.id for h in b.hits]
            rows.append(
                {
                    "set": set_name,
                    "query": q,
                    "articles": [a.articles, b.articles],
                    "stories": [a.stories, b.stories],
                    "facets_equal": a.facets == b.facets,
                    "overlap": len(set(top_a) & set(top_b)) / len(top_a) if top_a else None,
                    "same_order": top_a == top_b,
                }
            )
    overlaps = [r["overlap"] for r in rows if r["overlap"] is not None]
    exact = [r for r in rows if r["articles"][0] == r["articles"][1] and r["stories"][0] == r["stories"][1]]
    return {
        "queries": len(rows),
        "totals_exact": len(exact),
        "facets_equal": sum(r["facets_equal"] for r in rows),
        "overlap_mean": statistics.mean(overlaps) if overlaps else None,
        "overlap_min": min(overlaps) if overlaps else None,
        "same_top_ten_order": sum(r["same_order"] for r in rows),
        "by_set": {
            name: {
                "queries": len(group),
                "totals_exact": sum(r in exact for r in group),
                "overlap_mean": statistics.mean(o)
                if (o := [r["overlap"] for r in group if r["overlap"] is not None])
                else None,
            }
            for name in sets
            if (group := [r for r in rows if r["set"] == name])
        },
        "differences": [r for r in rows if r not in exact or not r["facets_equal"] or (r["overlap"] or 1) < 0.8],
    }


def print_summary(report: dict[str, Any]) -> None:
    print(
        f"{report['queries']} queries: totals (articles and stories) equal for {report['totals_exact']}, "
        f"facets equal for {report['facets_equal']}; top-10 overlap mean {report['overlap_mean']:.3f}, "
        f"min {report['overlap_min']:.2f}; same top-10 order for {report['same_top_ten_order']}"
    )
    for name, row in report["by_set"].items():
        mean = row["overlap_mean"]
        print(
            f"  {name:<16}{row['queries']:>5} queries, totals equal {row['totals_exact']:>4}, overlap {mean:.3f}"
            if mean is not None
            else f"  {name}"
        )
    for row in report["differences"][:20]:
        print(
            f"  differs: {row['query']!r} articles {row['articles']} stories {row['stories']} overlap {row['overlap']}"
        )


def main() -> None:
    from berita_search.search.backends.opensearch import OpenSearchBackend
    from berita_search.search.backends.opensearch_client import OpenSearchSettings
    from berita_search.search.engine import SearchEngine

    parser = argparse.ArgumentParser(prog="python -m bench.parity", description=__doc__.split("\n\n")[0])
    parser.add_argument("--whoosh", type=Path, required=True, help="the Whoosh index folder")
    parser.add_argument("--opensearch-url", required=True)
    parser.add_argument("--opensearch-index", default="berita-search")
    parser.add_argument("--per-class", type=int, default=25)
    args = parser.parse_args()
    settings = OpenSearchSettings.from_environment(args.opensearch_url, index=args.opensearch_index)
    engines = {
        "whoosh": SearchEngine(args.whoosh, cache_size=0),
        "opensearch": SearchEngine(OpenSearchBackend(settings), cache_size=0),
    }
    report = compare(engines, parity_queries(args.per_class))
    print_summary(report)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "parity.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
