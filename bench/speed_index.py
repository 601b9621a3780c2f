"""One indexing job, run in its own process so that its peak memory is its own.

    python -m bench.speed_index KIND CORPUS_FILE INDEX_DIR

KIND is ``product`` (the berita-search pipeline), ``plain`` (Whoosh with its
StandardAnalyzer and one writer), ``tantivy``, ``fts5``, ``bm25s`` or ``opensearch`` (the product's
pipeline into the cluster at $BERITA_SEARCH_OPENSEARCH_URL; INDEX_DIR is then the alias name).
Prints one JSON object.
"""

from __future__ import annotations

import json
import sqlite3
import sys
import time
from collections.abc import Iterator
from pathlib import Path


def _raw(path: Path) -> Iterator[dict]:
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def _text(row: dict) -> tuple[str, str, str]:
    return str(row.get("url") or ""), str(row.get("title") or ""), str(row.get("content") or "")


def product(corpus: Path, index_dir: Path) -> dict:
    from berita_search.index.readers import read_paths
    from berita_search.index.writer import default_workers, index_records

    # As the CLI runs it: one worker process per core for an input this size.
    workers = default_workers(corpus.stat().st_size)
    known_rows: dict[str, str] = {}
    summary = index_records(index_dir, read_paths([corpus], known_rows), workers=workers, known_rows=known_rows)
    for failure in summary.failed[:5]:
        print(f"failed: {failure.origin}: {failure.reason}", file=sys.stderr)
    return {
        "workers": workers,
        "docs": summary.added + summary.updated + summary.unchanged,
        "added": summary.added + summary.updated,
        "unchanged": summary.unchanged,
        "failed": len(summary.failed),
    }


def plain(corpus: Path, index_dir: Path) -> dict:
    from whoosh import index
    from whoosh.analysis import StandardAnalyzer
    from whoosh.fields import ID, TEXT, Schema

    schema = Schema(
        id=ID(stored=True, unique=True),
        title=TEXT(analyzer=StandardAnalyzer(), stored=True),
        body=TEXT(analyzer=StandardAnalyzer(), stored=True),
    )
    index_dir.mkdir(parents=True, exist_ok=True)
    ix = index.create_in(str(index_dir), schema)
    writer = ix.writer()
    count = 0
    for row in _raw(corpus):
        url, title, body = _text(row)
        writer.add_document(id=url or str(count), title=title, body=body)
        count += 1
    writer.commit()
    return {"docs": count, "added": count}


def tantivy_job(corpus: Path, index_dir: Path) -> dict:
    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_text_field("title", stored=True)
    builder.add_text_field("body", stored=False)
    index_dir.mkdir(parents=True, exist_ok=True)
    ix = tantivy.Index(builder.build(), path=str(index_dir))
    writer = ix.writer(heap_size=200_000_000)
    count = 0
    for row in _raw(corpus):
        _url, title, body = _text(row)
        writer.add_document(tantivy.Document(title=title, body=body))
        count += 1
    writer.commit()
    writer.wait_merging_threads()
    return {"docs": count, "added": count}


def fts5(corpus: Path, index_dir: Path) -> dict:
    index_dir.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(index_dir / "fts.db")
    db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS docs USING fts5(title, body)")
    count = 0
    with db:
        for row in _raw(corpus):
            _url, title, body = _text(row)
            db.execute("INSERT INTO docs(title, body) VALUES (?, ?)", (title, body))
            count += 1
    db.close()
    return {"docs": count, "added": count}


def bm25s_job(corpus: Path, index_dir: Path) -> dict:
    """bm25s, a Python peer: numpy sparse matrices of precomputed BM25 scores."""
    import bm25s

    texts = []
    for row in _raw(corpus):
        _url, title, body = _text(row)
        texts.append(f"{title}\n{body}")
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize(texts, stopwords=None, show_progress=False), show_progress=False)
    retriever.save(str(index_dir))
    return {"docs": len(texts), "added": len(texts)}


def opensearch(corpus: Path, index_dir: Path) -> dict:
    from berita_search.index.readers import read_paths
    from berita_search.search.backends.opensearch_client import OpenSearchSettings, make_client
    from berita_search.search.backends.opensearch_writer import index_records_opensearch

    settings = OpenSearchSettings.from_environment(index=index_dir.name)
    known_rows: dict[str, str] = {}
    summary = index_records_opensearch(settings, read_paths([corpus], known_rows), known_rows=known_rows)
    stats = make_client(settings).indices.stats(index=settings.index, metric="store")
    return {
        "docs": summary.added + summary.updated + summary.unchanged,
        "added": summary.added + summary.updated,
        "unchanged": summary.unchanged,
        "failed": len(summary.failed),
        "index_mb": stats["_all"]["primaries"]["store"]["size_in_bytes"] / 2**20,
    }


JOBS = {
    "product": product,
    "plain": plain,
    "tantivy": tantivy_job,
    "fts5": fts5,
    "bm25s": bm25s_job,
    "opensearch": opensearch,
}


def main() -> None:
    kind, corpus, index_dir = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    started = time.perf_counter()
    result = JOBS[kind](corpus, index_dir)
    result["seconds"] = time.perf_counter() - started
    print(json.dumps(result))


if __name__ == "__main__":
    main()
