"""Relevance harness: every analyzer variant and a plain-Whoosh baseline, side by side.

    .venv/bin/python -m bench.relevance                 # build (or reuse) the index, score, print
    .venv/bin/python -m bench.relevance --rebuild       # re-index from the corpora
    .venv/bin/python -m bench.relevance pool            # candidate lists for judging clickid topics
    .venv/bin/python -m bench.relevance backends        # the product on Whoosh and on OpenSearch, side by side

Collection: the 3,463 distinct IndoSum dev articles mixed with a fixed random sample of
CLICK-ID articles (``--distractors``, seed 13) plus every CLICK-ID article judged in
``bench/relevance/clickid.qrels``. One Whoosh index holds, for every document, the product's
surface fields (``title``, ``body`` and their word pairs), one pair of stemmed fields per
stemmer (``title_stem__tala`` ...) and the baseline's fields (``std_title``, ``std_body``:
``StandardAnalyzer``). A variant's query is the product's query (``parse_query`` and
``ranking_query``) with the stemmed fields renamed to that stemmer's, so every variant is
scored against the same documents and the same statistics.

Sets:

* ``indosum-5w``: known-item search; the query is the first five words of the article's
  human-written summary, the one relevant document is the article. MRR@10, Recall@100.
* ``indosum-full`` (``--full``): the same with the whole summary (saturates; for reference).
* ``clickid``: judged topics (``clickid.topics.tsv``) and graded qrels (``clickid.qrels``).
  nDCG@10, MAP, Recall@100.

Measures are computed by ir-measures. Results go to ``bench/results/relevance.json``.

``backends`` indexes the same collection with the product's writers into a Whoosh folder and
into OpenSearch (a one-node cluster started for the run, or ``--opensearch-url``), runs every
set through each backend as the engine does (the ranked top 100, copies not collapsed), and
prints both backends' measures, their top-10 overlap and whether their totals agree. Results go
to ``bench/results/relevance-backends.json``.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from berita_search.index.analysis import pair_analyzer, stem_analyzer, surface_analyzer
from berita_search.index.readers import record_to_article
from berita_search.index.schema import DEFAULT_STEMMER, pair_field
from whoosh import index as whoosh_index
from whoosh import query as Q
from whoosh import scoring
from whoosh.analysis import StandardAnalyzer
from whoosh.fields import ID, TEXT, Schema
from whoosh.qparser import MultifieldParser

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
INDOSUM = SHARED / "corpus" / "indosum-dev"
CLICKID = SHARED / "corpus" / "clickid" / "clickid_raw_articles.derived.jsonl"
DATA = Path(__file__).resolve().parent / "relevance"
TOPICS = DATA / "clickid.topics.tsv"
QRELS = DATA / "clickid.qrels"
RESULTS = Path(__file__).resolve().parent / "results"
STEMMERS = ("sastrawi", "tala", "light", "none")
SEED = 13
DEPTH = 100
QUERY_WORDS = 5
_WORD = re.compile(r"\w", re.UNICODE)
_SYNTAX = re.compile(r"[\"()\[\]{}:^~*?\\+!&|<>=]")


# ------------------------------------------------------------------ the collection


@dataclass
class Doc:
    id: str
    title: str
    body: str


@dataclass
class KnownItem:
    qid: str
    doc_id: str
    summary: list[str]


def indosum_docs() -> tuple[list[Doc], list[KnownItem]]:
    docs: dict[str, Doc] = {}
    items: list[KnownItem] = []
    for path in sorted(INDOSUM.glob("dev.0*.jsonl")):
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                row = json.loads(line)
                article = record_to_article(row, f"{path.name}")
                if article.id in docs:
                    continue
                docs[article.id] = Doc(article.id, article.title, article.body)
                words = [tok for sent in row["summary"] for tok in sent if _WORD.search(tok)]
                items.append(KnownItem(f"is{len(items):04d}", article.id, words))
    return list(docs.values()), items


def clickid_docs() -> list[Doc]:
    docs: dict[str, Doc] = {}
    with CLICKID.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            try:
                article = record_to_article(json.loads(line), f"{CLICKID.name}:{number}")
            except ValueError:
                continue
            docs.setdefault(article.id, Doc(article.id, article.title, article.body))
    return list(docs.values())


def judged_ids() -> set[str]:
    if not QRELS.exists():
        return set()
    return {line.split()[2] for line in QRELS.read_text(encoding="utf-8").splitlines() if line.strip()}


def collection(distractors: int) -> tuple[list[Doc], list[KnownItem]]:
    indosum, items = indosum_docs()
    clickid = clickid_docs()
    sample = random.Random(SEED).sample(clickid, min(distractors, len(clickid)))
    keep = {d.id for d in sample} | judged_ids()
    known = {d.id for d in indosum}
    return indosum + [d for d in clickid if d.id in keep and d.id not in known], items


# ------------------------------------------------------------------ the index


def bench_schema() -> Schema:
    surface = surface_analyzer()
    fields: dict[str, Any] = {
        "id": ID(stored=True, unique=True),
        "title": TEXT(analyzer=surface, stored=True, phrase=True),
        "body": TEXT(analyzer=surface, phrase=True),
        "caption": TEXT(analyzer=surface),
        "std_title": TEXT(analyzer=StandardAnalyzer()),
        "std_body": TEXT(analyzer=StandardAnalyzer()),
        "title_pairs": pair_field(pair_analyzer()),
        "body_pairs": pair_field(pair_analyzer()),
        "caption_pairs": pair_field(pair_analyzer()),
    }
    for stemmer in STEMMERS:
        if stemmer != "none":
            fields[f"title_stem__{stemmer}"] = TEXT(analyzer=stem_analyzer(stemmer))
            fields[f"body_stem__{stemmer}"] = TEXT(analyzer=stem_analyzer(stemmer))
    return Schema(**fields)


def build_index(index_dir: Path, docs: list[Doc]) -> whoosh_index.Index:
    index_dir.mkdir(parents=True, exist_ok=True)
    ix = whoosh_index.create_in(str(index_dir), bench_schema())
    writer = ix.writer(limitmb=256)
    started = time.monotonic()
    for n, doc in enumerate(docs, 1):
        fields: dict[str, str] = {"id": doc.id, "title": doc.title, "body": doc.body}
        fields["std_title"], fields["std_body"] = doc.title, doc.body
        fields["title_pairs"], fields["body_pairs"] = doc.title, doc.body
        for stemmer in STEMMERS:
            if stemmer != "none":
                fields[f"title_stem__{stemmer}"] = doc.title
                fields[f"body_stem__{stemmer}"] = doc.body
        writer.add_document(**fields)
        if n % 1000 == 0:
            print(f"  indexed {n:,}/{len(docs):,} ({time.monotonic() - started:.0f} s)", file=sys.stderr)
    writer.commit()
    return ix


def open_or_build(distractors: int, rebuild: bool) -> tuple[whoosh_index.Index, list[KnownItem]]:
    docs, items = collection(distractors)
    key = f"relevance-index-d{distractors}-n{len(docs)}"
    index_dir = RESULTS / key
    if not rebuild and whoosh_index.exists_in(str(index_dir)):
        ix = whoosh_index.open_dir(str(index_dir))
        if ix.doc_count() == len(docs):
            return ix, items
    print(f"building {index_dir} ({len(docs):,} documents)", file=sys.stderr)
    return build_index(index_dir, docs), items


# ------------------------------------------------------------------ variants


Searcher = Callable[[Any, str], list[tuple[str, float]]]


def _rename(query: Q.Query, stemmer: str, weights: dict[str, float] | None) -> Q.Query:
    """The product's query with its stemmed fields pointed at ``stemmer``'s fields."""
    if isinstance(query, Q.Term) and query.fieldname in ("title_stem", "body_stem"):
        boost = weights.get(query.fieldname, query.boost) if weights else query.boost
        if stemmer == "none":
            # With no stemmer the stemmed field holds the surface words.
            return Q.Term(query.fieldname.removesuffix("_stem"), query.text, boost=boost)
        return Q.Term(f"{query.fieldname}__{stemmer}", query.text, boost=boost)
    if isinstance(query, Q.Term) and weights and query.fieldname in weights:
        return Q.Term(query.fieldname, query.text, boost=weights[query.fieldname])
    if isinstance(query, Q.BinaryQuery):
        return type(query)(_rename(query.a, stemmer, weights), _rename(query.b, stemmer, weights))
    if isinstance(query, Q.CompoundQuery):
        return type(query)([_rename(q, stemmer, weights) for q in query.subqueries], boost=query.boost)
    if isinstance(query, Q.Not):
        return Q.Not(_rename(query.query, stemmer, weights))
    return query


def product_variant(stemmer: str, weights: dict[str, float] | None = None) -> Searcher:
    from berita_search.search.backends.whoosh_query import ranking_query
    from berita_search.search.querylang import parse_query

    def run(searcher: Any, text: str) -> list[tuple[str, float]]:
        parsed = parse_query(text, stemmer if stemmer != "none" else "none")
        query = _rename(ranking_query(parsed, searcher), stemmer, weights)
        if query is Q.NullQuery:
            return []
        return [(hit["id"], hit.score) for hit in searcher.search(query, limit=DEPTH)]

    return run


def baseline_variant(ix: whoosh_index.Index) -> Searcher:
    parser = MultifieldParser(["std_title", "std_body"], ix.schema)

    def run(searcher: Any, text: str) -> list[tuple[str, float]]:
        query = parser.parse(text)
        return [(hit["id"], hit.score) for hit in searcher.search(query, limit=DEPTH)]

    return run


def variants(ix: whoosh_index.Index, extra: bool) -> dict[str, Searcher]:
    found: dict[str, Searcher] = {"baseline (Whoosh standard)": baseline_variant(ix)}
    for stemmer in STEMMERS:
        label = f"{stemmer}{' (default)' if stemmer == DEFAULT_STEMMER else ''}"
        found[label] = product_variant(stemmer)
    if extra:
        # Weight experiments: the stemmed fields' share of the score.
        for title_stem, body_stem in ((0.6, 0.2), (2.4, 0.8)):
            found[f"{DEFAULT_STEMMER} stem×{title_stem}/{body_stem}"] = product_variant(
                DEFAULT_STEMMER, {"title_stem": title_stem, "body_stem": body_stem}
            )
    return found


# ------------------------------------------------------------------ sets and scoring


def clean_query(words: list[str]) -> str:
    text = " ".join(_SYNTAX.sub(" ", w) for w in words)
    # Upper-case operator words of the query language are plain words here.
    return " ".join(w.lower() if w in {"AND", "OR", "NOT", "DAN", "ATAU", "TANPA"} else w for w in text.split())


def read_topics() -> dict[str, str]:
    topics: dict[str, str] = {}
    if TOPICS.exists():
        for line in TOPICS.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                qid, text = line.split("\t")[:2]
                topics[qid] = text
    return topics


def read_qrels() -> list[Any]:
    import ir_measures

    return list(ir_measures.read_trec_qrels(str(QRELS)))


def run_set(searcher: Any, search: Searcher, queries: dict[str, str]) -> Iterator[Any]:
    import ir_measures

    for qid, text in queries.items():
        for rank, (doc_id, score) in enumerate(search(searcher, text)):
            yield ir_measures.ScoredDoc(qid, doc_id, score - rank * 1e-9)


def score(ix: whoosh_index.Index, items: list[KnownItem], full: bool, extra: bool) -> dict[str, dict[str, dict]]:
    import ir_measures
    from ir_measures import MAP, RR, R, nDCG

    sets: dict[str, tuple[dict[str, str], list[Any], list[Any]]] = {}
    known_qrels = [ir_measures.Qrel(item.qid, item.doc_id, 1) for item in items]
    sets["indosum-5w"] = (
        {item.qid: clean_query(item.summary[:QUERY_WORDS]) for item in items},
        known_qrels,
        [RR @ 10, R @ 100],
    )
    if full:
        sets["indosum-full"] = (
            {item.qid: clean_query(item.summary) for item in items},
            known_qrels,
            [RR @ 10, R @ 100],
        )
    topics = read_topics()
    if topics:
        sets["clickid"] = (topics, read_qrels(), [nDCG @ 10, MAP, R @ 100])
    table: dict[str, dict[str, dict]] = {}
    with ix.searcher(weighting=scoring.BM25F()) as searcher:
        for label, search in variants(ix, extra).items():
            table[label] = {}
            for set_name, (queries, qrels, measures) in sets.items():
                started = time.monotonic()
                run = list(run_set(searcher, search, queries))
                values = ir_measures.calc_aggregate(measures, qrels, run)
                table[label][set_name] = {str(m): round(float(values[m]), 4) for m in measures}
                table[label][set_name]["seconds"] = round(time.monotonic() - started, 1)
                print(f"  {label:32} {set_name:13} {table[label][set_name]}", file=sys.stderr)
    return table


def print_table(table: dict[str, dict[str, dict]]) -> None:
    columns = [(s, m) for s, measures in next(iter(table.values())).items() for m in measures if m != "seconds"]
    header = f"{'variant':34}" + "".join(f"{s + ' ' + m:>22}" for s, m in columns)
    print(header)
    print("-" * len(header))
    for label, sets in table.items():
        print(f"{label:34}" + "".join(f"{sets[s][m]:>22.4f}" for s, m in columns))


# ------------------------------------------------------------------ pooling for judges


def pool(ix: whoosh_index.Index, depth: int, out: Path) -> None:
    """Candidates per topic: the top ``depth`` of every variant, plus title grep hits."""
    topics = read_topics()
    judged: dict[tuple[str, str], str] = {}
    if QRELS.exists():
        for line in QRELS.read_text(encoding="utf-8").splitlines():
            if line.strip():
                qid, _, doc_id, rel = line.split()
                judged[(qid, doc_id)] = rel
    with ix.searcher(weighting=scoring.BM25F()) as searcher, out.open("w", encoding="utf-8") as fh:
        for qid, text in topics.items():
            candidates: dict[str, None] = {}
            for search in variants(ix, extra=False).values():
                for doc_id, _ in search(searcher, text)[:depth]:
                    candidates.setdefault(doc_id, None)
            fh.write(f"## {qid}\t{text}\n")
            for doc_id in candidates:
                stored = searcher.document(id=doc_id)
                body = " ".join((stored or {}).get("title", "").split())
                fh.write(f"{judged.get((qid, doc_id), '?')}\t{doc_id}\t{body[:150]}\n")
    print(f"wrote {out}", file=sys.stderr)


# ------------------------------------------------------------------ the product on each backend


def collection_articles(distractors: int) -> tuple[list[Any], list[KnownItem]]:
    """The collection of ``collection()`` as the readers' Article records (ids, dates, sources)."""
    docs, items = collection(distractors)
    wanted = {d.id for d in docs}
    found: dict[str, Any] = {}
    sources = [*sorted(INDOSUM.glob("dev.0*.jsonl")), CLICKID]
    for path in sources:
        with path.open(encoding="utf-8") as fh:
            for number, line in enumerate(fh, 1):
                try:
                    article = record_to_article(json.loads(line), f"{path.name}:{number}")
                except ValueError:
                    continue
                if article.id in wanted and article.id not in found:
                    found[article.id] = article
    return [found[d.id] for d in docs if d.id in found], items


def backend_searchers(distractors: int, opensearch_url: str | None) -> tuple[dict[str, Any], list[KnownItem], Any]:
    """The product's engine on each backend over the collection, built once and kept in
    bench/results (the OpenSearch index in the cluster). Returns the engines, the known items and
    the cluster this run started (or None)."""
    import os

    from berita_search.index.writer import index_records
    from berita_search.search.backends.opensearch import OpenSearchBackend
    from berita_search.search.backends.opensearch_client import OpenSearchSettings, make_client
    from berita_search.search.backends.opensearch_writer import index_records_opensearch
    from berita_search.search.backends.whoosh import WhooshBackend

    articles, items = collection_articles(distractors)
    folder = RESULTS / f"relevance-product-d{distractors}-n{len(articles)}"
    if not whoosh_index.exists_in(str(folder)) or whoosh_index.open_dir(str(folder)).doc_count() != len(articles):
        print(f"building {folder} ({len(articles):,} articles)", file=sys.stderr)
        index_records(folder, articles)
    cluster = None
    if opensearch_url is None:
        from opensearch.cluster import start

        print("starting a one-node OpenSearch cluster", file=sys.stderr)
        cluster = start(nodes=1, state_dir=RESULTS / "relevance-opensearch", owner_pid=os.getpid())
        opensearch_url = cluster.url
    settings = OpenSearchSettings.from_environment(opensearch_url, index=f"relevance-d{distractors}")
    client = make_client(settings)
    if not client.indices.exists_alias(name=settings.index) or client.count(index=settings.index)["count"] != len(
        articles
    ):
        print(f"indexing {len(articles):,} articles into OpenSearch {settings.location}", file=sys.stderr)
        client.indices.delete(index=f"{settings.index}-v*,{settings.index}-lock", params={"ignore_unavailable": "true"})
        index_records_opensearch(settings, articles)
    return {"whoosh": WhooshBackend(folder), "opensearch": OpenSearchBackend(settings)}, items, cluster


def backend_variant(backend: Any) -> Searcher:
    """The engine's ranking on a backend: the parsed query, its filters none, copies kept apart."""
    from berita_search.search.backends.base import SearchSpec
    from berita_search.search.querylang import parse_query

    def run(_searcher: Any, text: str) -> list[tuple[str, float]]:
        parsed = parse_query(text, backend.stemmer)
        if parsed.plan is None:
            return []
        spec = SearchSpec(
            plan=parsed.plan,
            proximity=tuple(parsed.proximity),
            phrases=bool(parsed.phrases),
            top=DEPTH,
            collapse=False,
            facets=False,
        )
        return [(r.stored["id"], r.score) for r in backend.search(spec).ranked]

    return run


def score_backends(distractors: int, opensearch_url: str | None) -> dict[str, Any]:
    import ir_measures
    from ir_measures import MAP, RR, R, nDCG

    backends, items, cluster = backend_searchers(distractors, opensearch_url)
    try:
        sets: dict[str, tuple[dict[str, str], list[Any], list[Any]]] = {
            "indosum-5w": (
                {item.qid: clean_query(item.summary[:QUERY_WORDS]) for item in items},
                [ir_measures.Qrel(item.qid, item.doc_id, 1) for item in items],
                [RR @ 10, R @ 100],
            ),
        }
        if topics := read_topics():
            sets["clickid"] = (topics, read_qrels(), [nDCG @ 10, MAP, R @ 100])
        table: dict[str, Any] = {name: {} for name in backends}
        agreement: dict[str, Any] = {}
        for set_name, (queries, qrels, measures) in sets.items():
            runs = {}
            for name, backend in backends.items():
                started = time.monotonic()
                search = backend_variant(backend)
                ranked = {qid: search(None, text) for qid, text in queries.items()}
                runs[name] = ranked
                scored = [
                    ir_measures.ScoredDoc(qid, doc_id, score - rank * 1e-9)
                    for qid, hits in ranked.items()
                    for rank, (doc_id, score) in enumerate(hits)
                ]
                values = ir_measures.calc_aggregate(measures, qrels, scored)
                table[name][set_name] = {str(m): round(float(values[m]), 4) for m in measures}
                table[name][set_name]["seconds"] = round(time.monotonic() - started, 1)
                print(f"  {name:12} {set_name:13} {table[name][set_name]}", file=sys.stderr)
            overlaps = []
            for qid in queries:
                first = [d for d, _ in runs["whoosh"][qid][:10]]
                second = {d for d, _ in runs["opensearch"][qid][:10]}
                if first:
                    overlaps.append(len(set(first) & second) / len(first))
            agreement[set_name] = {
                "queries": len(queries),
                "top10_overlap_mean": round(sum(overlaps) / len(overlaps), 4) if overlaps else None,
                "top10_overlap_min": round(min(overlaps), 2) if overlaps else None,
            }
        return {"table": table, "agreement": agreement}
    finally:
        for backend in backends.values():
            backend.close()
        if cluster is not None:
            cluster.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.relevance", description=__doc__.split("\n")[0])
    parser.add_argument("command", nargs="?", default="score", choices=["score", "pool", "backends"])
    parser.add_argument("--distractors", type=int, default=6000, help="CLICK-ID sample size (default 6000)")
    parser.add_argument("--rebuild", action="store_true", help="re-index even if a cached index exists")
    parser.add_argument("--full", action="store_true", help="also score whole summaries as queries")
    parser.add_argument("--weights", action="store_true", help="also score stemmed-field weight variants")
    parser.add_argument("--depth", type=int, default=20, help="pool depth per variant (pool)")
    parser.add_argument("--opensearch-url", default=None, help="backends: a running cluster (default: start one)")
    args = parser.parse_args(argv)
    RESULTS.mkdir(parents=True, exist_ok=True)
    if args.command == "backends":
        report = score_backends(args.distractors, args.opensearch_url)
        print_table(report["table"])
        for set_name, row in report["agreement"].items():
            print(f"{set_name}: top-10 overlap mean {row['top10_overlap_mean']}, min {row['top10_overlap_min']}")
        (RESULTS / "relevance-backends.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
        return 0
    ix, items = open_or_build(args.distractors, args.rebuild)
    if args.command == "pool":
        pool(ix, args.depth, RESULTS / "clickid.pool.txt")
        return 0
    table = score(ix, items, args.full, args.weights)
    print_table(table)
    report = {
        "collection": {"documents": ix.doc_count(), "indosum_queries": len(items), "distractors": args.distractors},
        "default_stemmer": DEFAULT_STEMMER,
        "table": table,
    }
    (RESULTS / "relevance.json").write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
