"""What the coverage chart adds to a search page: a daily series split by outlet, timed after the
page's own search (as the web page runs them), for the common words of the corpus.

    .venv/bin/python -m bench.coverage --index DIR            # an index already built
    .venv/bin/python -m bench.coverage --scale 200000         # builds the scale corpus's index first

Prints milliseconds (p50, p95) of the search, of the coverage after it, and of the first coverage
after opening the index (the day column and the share's divisors read once per commit), and
writes ``bench/results/coverage-*.json``.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from bench.corpus import REPO, corpus_file
from bench.speed import percentiles, query_mix


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.coverage", description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, help="an index to time (else one is built)")
    parser.add_argument("--scale", type=int, default=200_000, help="articles in the scale corpus to build")
    parser.add_argument("--words", type=int, default=60, help="common words timed")
    parser.add_argument("--year", default="2019", help="the year of the daily series")
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()

    from berita_search.index.readers import read_paths
    from berita_search.index.writer import default_workers, index_records
    from berita_search.search.coverage import CoverageService
    from berita_search.search.engine import SearchEngine
    from berita_search.search.requests import CoverageRequest, SearchRequest

    index_dir = args.index
    corpus = "given"
    if index_dir is None:
        workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bench-coverage-"))
        source = corpus_file(f"scale:{args.scale}", workdir)
        index_dir = workdir / f"index-{args.scale}"
        corpus = f"scale:{args.scale}"
        if not index_dir.exists():
            started = time.perf_counter()
            index_records(index_dir, read_paths([source]), workers=default_workers(source.stat().st_size))
            print(f"indexed {source} in {time.perf_counter() - started:.0f} s")

    words = query_mix(args.words).queries["term_hi"]
    # The engine's result cache is off so that every search is computed; the service keeps, as the web
    # page's does, the share's divisors (one per commit), and each word is timed once, so that no
    # series comes from its cache.
    engine = SearchEngine(index_dir, cache_size=0)
    service = CoverageService(engine)
    filters = {"date_from": args.year, "date_to": args.year}

    def page(word: str) -> tuple[float, float, int, int]:
        started = time.perf_counter()
        result = engine.search(SearchRequest(q=word, **filters))
        searched = time.perf_counter()
        coverage = service.coverage(
            CoverageRequest(queries=(word,), filters=SearchRequest(**filters), interval="day", by="source")
        )
        done = time.perf_counter()
        assert coverage.complete and coverage.searches[0].articles == result.articles, word
        return (searched - started) * 1000, (done - searched) * 1000, len(coverage.periods), result.articles

    first = page(words[0])
    searches, coverages = [], []
    for word in words[1:]:
        search_ms, coverage_ms, _, _ = page(word)
        searches.append(search_ms)
        coverages.append(coverage_ms)
    run = {
        "corpus": corpus,
        "index": str(index_dir),
        "articles": engine.stats(1)["documents"],
        "words": words,
        "periods": first[2],
        "first_coverage_ms": round(first[1], 1),
        "search_ms": {k: round(v, 1) for k, v in percentiles(searches).items()},
        "coverage_ms": {k: round(v, 1) for k, v in percentiles(coverages).items()},
    }
    print(json.dumps(run, ensure_ascii=False, indent=1))
    out = REPO / "bench" / "results" / f"coverage-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(run, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    engine.close()


if __name__ == "__main__":
    main()
