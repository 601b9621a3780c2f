"""Writing Articles into the index: stable ids, change detection, batched commits."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.index import LockError
from whoosh.writing import IndexWriter

from index.analysis import fold
from index.article import Article
from index.readers import NOTE, Failure, Record
from index.schema import build_schema

INDEX_ENV = "BERITA_SEARCH_INDEX"
DEFAULT_INDEX_DIR = "berita-index"
BATCH_SIZE = 1000
RUN_LOCK_NAME = "berita-search.lock"
# Test hook: seconds to pause inside each commit, after the segment files are written and
# before the table of contents names them, so fault tests can kill a run mid-commit.
COMMIT_DELAY_ENV = "BERITA_SEARCH_TEST_COMMIT_DELAY"


class IndexBusyError(RuntimeError):
    """Another process holds the index's write lock."""


@dataclass
class IndexSummary:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    skipped: list[Failure] = field(default_factory=list)  # files of unsupported types
    failed: list[Failure] = field(default_factory=list)
    duplicate_of: list[Failure] = field(default_factory=list)  # repeated ids: where, and the first copy
    notes: list[Failure] = field(default_factory=list)  # records kept with a change (a cut body, a bad byte)
    dates_flagged: int = 0
    seconds: float = 0.0

    @property
    def seen(self) -> int:
        return self.added + self.updated + self.unchanged + self.duplicates + len(self.failed)


def index_dir_from(option: str | None) -> Path:
    return Path(option or os.environ.get(INDEX_ENV) or DEFAULT_INDEX_DIR)


def open_index(index_dir: Path, create: bool = False) -> whoosh_index.Index:
    if whoosh_index.exists_in(str(index_dir)):
        return whoosh_index.open_dir(str(index_dir))
    if not create:
        raise FileNotFoundError(f"no index at {index_dir} (run 'berita-search index' first)")
    index_dir.mkdir(parents=True, exist_ok=True)
    return whoosh_index.create_in(str(index_dir), build_schema())


def article_fields(article: Article, article_id: str, content_hash: str) -> dict[str, object]:
    published = article.published
    doc: dict[str, object] = {
        "id": article_id,
        "id_hash": f"{article_id}:{content_hash}",
        "url": article.url,
        "title": article.title,
        "title_stem": article.title,
        "body": article.body,
        "body_stem": article.body,
        "caption": article.caption,
        # Word pairs that accelerate exact phrases (index.schema.PAIR_FIELDS).
        "title_pairs": article.title,
        "body_pairs": article.body,
        "caption_pairs": article.caption,
        "reporter": article.reporter,
        "category": article.category,
        "category_key": fold(article.category),
        "subcategory": article.subcategory,
        "source": article.source,
        "source_key": fold(article.source),
        "tags": ",".join(article.tags),
        "date_note": article.date_note,
        "dup_key": near_duplicate_key(article),
        "origin": article.origin,
    }
    if article.reporter:
        doc["reporter_facet"] = article.reporter
    if published is not None:
        doc["published"] = published.replace(tzinfo=None)
        doc["published_iso"] = published.isoformat() if article.published_has_time else published.date().isoformat()
        doc["year"] = f"{published.year:04d}"
        doc["month"] = f"{published.year:04d}-{published.month:02d}"
        doc["day"] = published.date().isoformat()
    return {k: v for k, v in doc.items() if v != ""}


def near_duplicate_key(article: Article) -> str:
    """Copies of one story share their title and opening words, whatever their URL."""
    title = [fold(w) for w in article.title.split()]
    opening = [] if len(title) >= 6 else [fold(w) for w in article.body.split()[:20]]
    key = " ".join(title + ["|"] + opening)
    return hashlib.blake2b(key.encode("utf-8"), digest_size=8).hexdigest()


ProgressCallback = Callable[[IndexSummary, str], None]


BUSY_MESSAGE = "another 'berita-search index' is writing to this index"


@contextlib.contextmanager
def _run_lock(index_dir: Path, wait_seconds: float, on_wait: Callable[[str], None] | None) -> Iterator[None]:
    """Hold the index for a whole run, so two runs never interleave their batches.

    An ``flock``: the kernel releases it when the holder dies, so a killed run leaves no
    stale lock behind.
    """
    fd = os.open(index_dir / RUN_LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait_seconds
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise IndexBusyError(BUSY_MESSAGE) from None
                if on_wait and not told:
                    on_wait(f"{BUSY_MESSAGE}; waiting up to {wait_seconds:g} s")
                    told = True
                time.sleep(0.2)
        yield
    finally:
        os.close(fd)  # releases the lock


def _open_writer(ix: whoosh_index.Index, wait_seconds: float) -> IndexWriter:
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            return ix.writer()
        except LockError:
            if time.monotonic() >= deadline:
                raise IndexBusyError(BUSY_MESSAGE) from None
            time.sleep(0.5)


def _commit(writer: IndexWriter) -> None:
    delay = float(os.environ.get(COMMIT_DELAY_ENV) or 0)
    if delay > 0 and hasattr(writer, "_commit_toc"):
        write_toc = writer._commit_toc

        def slow_toc(*args: object, **kwargs: object) -> None:
            print(f"[test hook] committing, pausing {delay:g} s", file=sys.stderr, flush=True)
            time.sleep(delay)
            write_toc(*args, **kwargs)

        writer._commit_toc = slow_toc
    writer.commit()


def index_records(
    index_dir: Path,
    records: Iterable[Record],
    batch_size: int = BATCH_SIZE,
    progress: ProgressCallback | None = None,
    wait_seconds: float = 0.0,
    on_wait: Callable[[str], None] | None = None,
) -> IndexSummary:
    """Add, update or skip each record; commit every ``batch_size`` changes.

    A run that is interrupted keeps every committed batch, and a re-run skips those
    articles as unchanged, so indexing resumes rather than restarts. A second run on the
    same index waits up to ``wait_seconds`` (telling ``on_wait``), then raises IndexBusyError.
    """
    started = time.perf_counter()
    index_dir.mkdir(parents=True, exist_ok=True)
    with _run_lock(index_dir, wait_seconds, on_wait):
        summary = _index_locked(index_dir, records, batch_size, progress, wait_seconds)
    summary.seconds = time.perf_counter() - started
    return summary


def _index_locked(
    index_dir: Path,
    records: Iterable[Record],
    batch_size: int,
    progress: ProgressCallback | None,
    wait_seconds: float,
) -> IndexSummary:
    summary = IndexSummary()
    ix = open_index(index_dir, create=True)
    seen: dict[str, str] = {}  # id -> origin of its first record in this run
    writer = _open_writer(ix, wait_seconds)
    indexed = _indexed_hashes(ix)
    pending = 0
    try:
        for record in records:
            if isinstance(record, Failure):
                if record.reason.startswith(NOTE):
                    summary.notes.append(Failure(record.origin, record.reason.removeprefix(NOTE)))
                    continue
                (summary.skipped if record.reason.startswith("skipped:") else summary.failed).append(record)
                if progress:
                    progress(summary, record.origin)
                continue
            article_id = record.id
            if article_id in seen:
                summary.duplicates += 1
                summary.duplicate_of.append(Failure(record.origin, f"same id as {seen[article_id]}, not indexed"))
                if progress:
                    progress(summary, record.origin)
                continue
            seen[article_id] = record.origin
            content_hash = record.content_hash()
            if record.date_note:
                summary.dates_flagged += 1
            if indexed.get(article_id) == content_hash:
                summary.unchanged += 1
            else:
                fields = article_fields(record, article_id, content_hash)
                if article_id in indexed:
                    writer.update_document(**fields)
                    summary.updated += 1
                else:
                    writer.add_document(**fields)
                    summary.added += 1
                pending += 1
            if progress:
                progress(summary, record.origin)
            if pending >= batch_size:
                _commit(writer)
                writer = _open_writer(ix, wait_seconds)
                pending = 0
        if pending:
            _commit(writer)
        else:
            writer.cancel()
    except BaseException:
        with contextlib.suppress(Exception):  # a writer whose commit failed is already closed
            writer.cancel()
        raise
    return summary


def _indexed_hashes(ix: whoosh_index.Index) -> dict[str, str]:
    """Article id -> content hash of every live document, read once per run.

    A searcher kept open for these lookups would hold a copy of every segment it opens
    (Whoosh reads compound segment files into memory), so memory would grow with the index.
    """
    indexed: dict[str, str] = {}
    with ix.reader() as reader:
        if "id_hash" not in reader.schema or reader.doc_count() == 0:
            return indexed
        live = reader.has_deletions()
        for term in reader.lexicon("id_hash"):
            # A deleted document's term stays in the lexicon until its segment is merged.
            if live and not reader.postings("id_hash", term).is_active():
                continue
            article_id, _, content_hash = term.decode("utf-8").rpartition(":")
            indexed[article_id] = content_hash
    return indexed
