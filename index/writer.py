"""Writing Articles into the index: stable ids, change detection, batched commits."""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import queue
import shutil
import signal
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from berita_search.index import mapped_files
from berita_search.index.analysis import fold
from berita_search.index.annotations import annotation_fields
from berita_search.index.article import Article
from berita_search.index.copies import (
    COPY_BANDS_FIELD,
    COPY_OPENING_FIELD,
    CopyDecision,
    CopyFinder,
    IndexCopyFinder,
    copy_opening,
)
from berita_search.index.desks import desk_of
from berita_search.index.orphans import (
    BUSY_MESSAGE,
    RUN_LOCK_NAME,
    STAGING_NAME,
    IndexBusyError,
    Orphan,
    remove_orphans,
    run_lock,
)
from berita_search.index.postings_arrays import PostingsCapture, write_groups
from berita_search.index.records import Failure, Note, Record, Skipped, Unchanged
from berita_search.index.schema import (
    ADDED_FIELD,
    added_field,
    allow_legacy_schema_pickles,
    build_schema,
    copy_bands_field,
    copy_opening_field,
)
from berita_search.index.whoosh_internals import (
    InliningCodec,
    cleanup_failed_commit,
    committed_segments,
    finish_segment,
    watching_segment_writer,
)
from whoosh import index as whoosh_index
from whoosh.codec.base import Segment
from whoosh.filedb.filestore import FileStorage
from whoosh.index import LockError
from whoosh.reading import SegmentReader
from whoosh.writing import NO_MERGE, IndexWriter, SegmentWriter

INDEX_ENV = "BERITA_SEARCH_INDEX"
DEFAULT_INDEX_DIR = "berita-index"
BATCH_SIZE = 1000
JOB_SIZE = 250  # articles per message to a worker
PARALLEL_MIN_BYTES = 5_000_000  # about 2,000 articles: below this, starting workers costs more than it saves
MAX_WORKERS = 4
MERGE_FACTOR = 10
# Posting lists shorter than this are written into their term's entry (one-article words,
# word pairs, band terms and date terms are most of a segment's terms).
INLINE_LIMIT = 2
MAX_MERGED_ARTICLES = 10_000
PARALLEL_BATCH_SIZE = 6_000  # with workers: one segment per worker and commit, small enough for its pool
_PR_SET_PDEATHSIG = 1  # linux/prctl.h

__all__ = ["BUSY_MESSAGE", "RUN_LOCK_NAME", "STAGING_NAME", "IndexBusyError", "index_records", "open_index"]


@dataclass
class IndexSummary:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    skipped: list[Skipped] = field(default_factory=list)  # documentation, files of unsupported types
    failed: list[Failure] = field(default_factory=list)
    duplicate_of: list[Failure] = field(default_factory=list)  # repeated ids: where, and the first copy
    notes: list[Note] = field(default_factory=list)  # records kept with a change (a cut body, a bad byte)
    dates_flagged: int = 0
    orphans_removed: list[Orphan] = field(default_factory=list)  # what interrupted runs had left
    seconds: float = 0.0

    @property
    def seen(self) -> int:
        return self.added + self.updated + self.unchanged + self.duplicates + len(self.failed)


def index_dir_from(option: str | None) -> Path:
    return Path(option or os.environ.get(INDEX_ENV) or DEFAULT_INDEX_DIR)


def open_index(index_dir: Path, create: bool = False) -> whoosh_index.Index:
    mapped_files.install()  # segments are read where they are mapped, not copied into memory
    allow_legacy_schema_pickles()
    if whoosh_index.exists_in(str(index_dir)):
        return whoosh_index.open_dir(str(index_dir))
    if not create:
        raise FileNotFoundError(f"no index at {index_dir} (run 'berita-search index' first)")
    index_dir.mkdir(parents=True, exist_ok=True)
    return whoosh_index.create_in(str(index_dir), build_schema())


def article_fields(
    article: Article,
    article_id: str,
    content_hash: str,
    copy: CopyDecision,
    added: int | None = None,
    entities: bool = True,
) -> dict[str, object]:
    """The document of an article; ``copy`` (from ``CopyFinder.decide``) says which story it is a copy of;
    ``added`` is its ``ADDED_FIELD`` stamp. Without ``entities`` its people, places and quotes are
    left for ``annotate`` (the indexing workers find them, in parallel)."""
    published = article.published
    doc: dict[str, object] = {
        "id": article_id,
        # The raw row's digest too: a re-run skips an identical row without parsing it.
        "id_hash": f"{article_id}:{content_hash}:{article.row_digest}",
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
        "desk": (desk := desk_of(article.source, article.category, article.subcategory)),
        "desk_key": fold(desk),
        "subcategory": article.subcategory,
        "source": article.source,
        "source_key": fold(article.source),
        "tags": ",".join(article.tags),
        "date_note": article.date_note,
        "dup_key": copy.dup_key,
        COPY_BANDS_FIELD: " ".join(copy.bands),
        "origin": article.origin,
    }
    if entities:
        annotate(doc)
    if added is not None:
        doc[ADDED_FIELD] = added
    if article.reporter:
        doc["reporter_facet"] = article.reporter
    if published is not None:
        doc["published"] = published.replace(tzinfo=None)
        doc["published_iso"] = published.isoformat() if article.published_has_time else published.date().isoformat()
        doc["year"] = f"{published.year:04d}"
        doc["month"] = f"{published.year:04d}-{published.month:02d}"
        doc["day"] = published.date().isoformat()
    return {k: v for k, v in doc.items() if v != ""}


def annotate(fields: dict[str, object], known: set[str] | None = None) -> dict[str, object]:
    """``fields`` with the people, organisations, places and quotes of the article's title and body
    (``index.annotations``); only the ``known`` fields when given (an index written before them)."""
    made = annotation_fields(str(fields.get("title") or ""), str(fields.get("body") or ""))
    fields.update(made if known is None else {k: v for k, v in made.items() if k in known})
    return fields


def analysed_fields(fields: dict[str, object], known: set[str]) -> dict[str, object]:
    """``fields`` with what a Whoosh indexing worker finds in the article's text: its
    annotations and the opening later copies are compared on (``index.copies``). Only the
    ``known`` fields: an index written before one of them does without it."""
    annotate(fields, known)
    if COPY_OPENING_FIELD in known:
        title, body = str(fields.get("title") or ""), str(fields.get("body") or "")
        fields[COPY_OPENING_FIELD] = copy_opening(str(fields["id"]), title, body)
    return fields


ProgressCallback = Callable[[IndexSummary, str], None]


def arrays_segment_writer(ix: whoosh_index.Index, locked: bool = True, **options: Any) -> SegmentWriter:
    """Whoosh's segment writer, also writing each segment's postings as arrays
    (``index.postings_arrays``): for new articles and for merges alike."""
    options.setdefault("codec", InliningCodec(inlinelimit=INLINE_LIMIT))
    return watching_segment_writer(ix, PostingsCapture, locked=locked, **options)


def _open_writer(ix: whoosh_index.Index, wait_seconds: float) -> IndexWriter:
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            return arrays_segment_writer(ix)
        except LockError:
            if time.monotonic() >= deadline:
                raise IndexBusyError(BUSY_MESSAGE) from None
            time.sleep(0.5)


def _commit(ix: whoosh_index.Index, writer: IndexWriter, staged: list[Segment] | None = None) -> None:
    """Merge small segments and write the table of contents, naming ``staged`` segments too
    (finished by worker processes and already moved into the index folder); then group the
    arrays of the segments now settled."""
    try:
        writer.commit(mergetype=lambda w, segments: tiered_merge(w, segments) + (staged or []))
    except BaseException:
        # Whoosh releases its write lock when a commit fails with an Exception; an interrupt
        # (Ctrl-C) must release it too, so that what the commit wrote can be removed at once.
        if not getattr(writer, "is_closed", True):
            with contextlib.suppress(Exception):
                cleanup_failed_commit(writer)
        raise
    group_settled_segments(ix)


def group_settled_segments(ix: whoosh_index.Index) -> None:
    """After a commit: the postings arrays of settled segments, those ``tiered_merge`` will not
    merge again, grouped so that a search looks a term up once per group
    (``index.postings_arrays.write_groups``). The caller holds the run lock."""
    segments = committed_segments(ix)
    # MERGE_FACTOR segments of more than MAX_MERGED_ARTICLES / MERGE_FACTOR live articles each
    # exceed MAX_MERGED_ARTICLES, so such a segment is never merged again.
    settled = {s.segment_id() for s in segments if s.doc_count() * MERGE_FACTOR > MAX_MERGED_ARTICLES}
    write_groups(Path(ix.storage.folder), [(s.segment_id(), s.doc_count_all()) for s in segments], settled)


def tiered_merge(writer: SegmentWriter, segments: list[Segment]) -> list[Segment]:
    """A Whoosh merge policy: MERGE_FACTOR segments of one size tier become one segment.

    Tiers are powers of MERGE_FACTOR in live articles, so each article is rewritten about
    log10(index size / batch size) times in the index's life. Whoosh's MERGE_SMALL merges
    every small segment at nearly every commit, which made merging most of the indexing
    time. A Whoosh merge costs about as much as indexing the articles afresh (all 22,136
    clickid articles into one segment: 117 s), so segments are not merged past
    MAX_MERGED_ARTICLES. Segments whose articles were all replaced are
    dropped.
    """
    tiers: dict[int, list[Segment]] = {}
    for segment in segments:
        live = segment.doc_count()
        if live > 0:
            tiers.setdefault(_size_tier(live), []).append(segment)
    kept: list[Segment] = []
    for group in tiers.values():
        if len(group) >= MERGE_FACTOR and sum(s.doc_count() for s in group) <= MAX_MERGED_ARTICLES:
            for segment in group:
                writer.add_reader(SegmentReader(writer.storage, writer.schema, segment))
        else:
            kept.extend(group)
    return kept


def _size_tier(articles: int) -> int:
    tier = 0
    while articles >= MERGE_FACTOR:
        articles //= MERGE_FACTOR
        tier += 1
    return tier


def default_workers(input_bytes: int | None = None) -> int:
    """Worker processes for a run: one per core (at most MAX_WORKERS); none for small inputs."""
    if input_bytes is not None and input_bytes < PARALLEL_MIN_BYTES:
        return 1
    return max(1, min(os.cpu_count() or 1, MAX_WORKERS))


def index_records(
    index_dir: Path,
    records: Iterable[Record],
    batch_size: int | None = None,
    progress: ProgressCallback | None = None,
    wait_seconds: float = 0.0,
    on_wait: Callable[[str], None] | None = None,
    workers: int = 1,
    known_rows: dict[str, str] | None = None,
) -> IndexSummary:
    """Add, update or skip each record; commit every ``batch_size`` changes (by default
    BATCH_SIZE, or PARALLEL_BATCH_SIZE with workers).

    A run that is interrupted keeps every committed batch, and a re-run skips those
    articles as unchanged, so indexing resumes rather than restarts. A second run on the
    same index waits up to ``wait_seconds`` (telling ``on_wait``), then raises IndexBusyError.
    With ``workers`` > 1, that many processes analyse articles and write segments while
    this one reads the input, decides what changed, merges and commits. ``known_rows``, the
    mapping given to ``read_paths``, is filled with the index's row digests before the first
    record is read, so that rows indexed before come back Unchanged without being parsed.
    """
    started = time.perf_counter()
    if batch_size is None:
        batch_size = PARALLEL_BATCH_SIZE if workers > 1 else BATCH_SIZE
    index_dir.mkdir(parents=True, exist_ok=True)
    with run_lock(index_dir, wait_seconds, on_wait):
        summary = _index_locked(index_dir, records, batch_size, progress, wait_seconds, workers, known_rows)
    summary.seconds = time.perf_counter() - started
    return summary


def articles_to_write(
    records: Iterable[Record],
    summary: IndexSummary,
    indexed_hashes: Mapping[str, str],
    progress: ProgressCallback | None,
) -> Iterator[tuple[Article, str, str]]:
    """The articles of a run that need writing, each with its id and content hash, for every
    backend's writer. Everything else is counted in ``summary`` here: notes, failed and skipped
    files, a second record of an id already read in this run, and articles unchanged since they
    were indexed. ``progress`` is told after each record, once the caller has written it."""
    seen: dict[str, str] = {}  # id -> origin of its first record in this run
    for record in records:
        if isinstance(record, Note):
            summary.notes.append(record)
            continue
        if isinstance(record, Failure):
            summary.failed.append(record)
        elif isinstance(record, Skipped):
            summary.skipped.append(record)
        elif record.id in seen:
            summary.duplicates += 1
            summary.duplicate_of.append(Failure(record.origin, f"same id as {seen[record.id]}, not indexed"))
        elif isinstance(record, Unchanged):  # the very row this article was indexed from
            seen[record.id] = record.origin
            summary.unchanged += 1
        else:
            seen[record.id] = record.origin
            content_hash = record.content_hash()
            if record.date_note:
                summary.dates_flagged += 1
            if indexed_hashes.get(record.id) == content_hash:
                summary.unchanged += 1
            else:
                yield record, record.id, content_hash
        if progress:
            progress(summary, record.origin)


def _index_locked(
    index_dir: Path,
    records: Iterable[Record],
    batch_size: int,
    progress: ProgressCallback | None,
    wait_seconds: float,
    workers: int,
    known_rows: dict[str, str] | None,
) -> IndexSummary:
    summary = IndexSummary()
    summary.orphans_removed = remove_orphans(index_dir) or []  # what killed runs left behind
    ix = open_index(index_dir, create=True)
    _add_copy_fields(ix, wait_seconds)
    stamps = AddedStamps(_prepare_added(ix, wait_seconds))
    indexed, rows = _indexed_hashes(ix)
    if known_rows is not None:
        known_rows.update(rows)  # the reader skips these rows without parsing them
    copies = IndexCopyFinder(ix)
    sink: _InProcessSink | _WorkerSink
    if workers > 1:
        sink = _WorkerSink(ix, index_dir, workers, batch_size, wait_seconds, copies)
    else:
        sink = _InProcessSink(ix, batch_size, wait_seconds, copies)
    # An index written before a field existed (the desk) takes the fields its schema has:
    # re-indexing into a new folder fills the new ones.
    known_fields = set(ix.schema.names())
    try:
        for record, article_id, content_hash in articles_to_write(records, summary, indexed, progress):
            replaces = article_id in indexed
            copy = copies.decide(record, article_id, content_hash)
            # People, places and quotes are found where the article is analysed: in the workers.
            fields = article_fields(record, article_id, content_hash, copy, added=stamps.next(), entities=False)
            if not known_fields.issuperset(fields):
                fields = {k: v for k, v in fields.items() if k in known_fields}
            sink.add(fields, article_id if replaces else None)
            if replaces:
                summary.updated += 1
            else:
                summary.added += 1
        sink.finish()
        remove_orphans(index_dir)  # an empty last batch's cancelled segment files
    except BaseException:
        sink.abandon()
        # The partial segment of the failed batch (on a full disk, the space it holds);
        # skipped if the failed writer still holds Whoosh's lock: the next run removes it.
        with contextlib.suppress(Exception):
            remove_orphans(index_dir)
        raise
    finally:
        copies.close()
    return summary


class AddedStamps:
    """The stamps of ``index.schema.ADDED_FIELD`` for the articles of one run: the clock in
    microseconds, never repeating and never going back. Articles are stamped in the order they
    are read and committed in that order (in batches), so every article a commit writes
    carries a larger stamp than every article committed before it."""

    def __init__(self, newest: int) -> None:
        self.last = newest

    def next(self) -> int:
        self.last = max(time.time_ns() // 1000, self.last + 1)
        return self.last


def newest_added(reader: Any) -> int:
    """The largest ``ADDED_FIELD`` stamp in an index (0 when no article carries one)."""
    if ADDED_FIELD not in reader.schema:  # written before stamps
        return 0
    newest = 0
    for leaf, _offset in reader.leaf_readers():
        if leaf.has_column(ADDED_FIELD) and leaf.doc_count_all():
            newest = max(newest, max(leaf.column_reader(ADDED_FIELD, translate=False)))
    return newest


def _prepare_added(ix: whoosh_index.Index, wait_seconds: float) -> int:
    """The newest stamp in the index. An index written before stamps existed gains the field
    first, in a commit of its own that writes no article: its articles stay unstamped, which
    is older than any stamp."""
    if ADDED_FIELD in ix.schema:
        with ix.reader() as reader:
            return newest_added(reader)
    writer = _open_writer(ix, wait_seconds)
    try:
        writer.add_field(ADDED_FIELD, added_field())
    except BaseException:
        writer.cancel()
        raise
    writer.commit(mergetype=NO_MERGE)
    return 0


def _add_copy_fields(ix: whoosh_index.Index, wait_seconds: float) -> None:
    """Indexes written before copy bands existed get the field; their articles have no bands,
    so only articles indexed from now on find them as copies (rebuild to compare all). Those
    written before copy openings get that column; their articles are compared on their text."""
    missing = {COPY_BANDS_FIELD: copy_bands_field, COPY_OPENING_FIELD: copy_opening_field}
    missing = {name: make for name, make in missing.items() if name not in ix.schema}
    if not missing:
        return
    writer = _open_writer(ix, wait_seconds)
    for name, make in missing.items():
        writer.add_field(name, make())
    writer.commit(merge=False)


class _InProcessSink:
    """Analyse and write in this process, committing every ``batch_size`` changes."""

    def __init__(self, ix: whoosh_index.Index, batch_size: int, wait_seconds: float, copies: CopyFinder) -> None:
        self.ix = ix
        self.batch_size = batch_size
        self.wait_seconds = wait_seconds
        self.copies = copies
        self.writer = _open_writer(ix, wait_seconds)
        self.pending = 0
        self.known = set(ix.schema.names())

    def add(self, fields: dict[str, object], replaces: str | None) -> None:
        analysed_fields(fields, self.known)
        if replaces is not None:
            self.writer.update_document(**fields)
        else:
            self.writer.add_document(**fields)
        self.pending += 1
        if self.pending >= self.batch_size:
            self.copies.batch_ended()
            self.copies.release()
            _commit(self.ix, self.writer)
            self.copies.batch_committed()
            self.writer = _open_writer(self.ix, self.wait_seconds)
            self.pending = 0

    def finish(self) -> None:
        if self.pending:
            _commit(self.ix, self.writer)
        else:
            self.writer.cancel()

    def abandon(self) -> None:
        with contextlib.suppress(Exception):  # a writer whose commit failed is already closed
            self.writer.cancel()


class IndexWorkerError(RuntimeError):
    """A worker process failed or stopped while writing a segment."""


@dataclass
class _Batch:
    replaces: list[str]  # ids whose older versions the batch's articles replace
    awaited: int  # workers yet to hand in their segment
    segments: list[Segment] = field(default_factory=list)


class _WorkerSink:
    """Worker processes analyse articles and write segments; this process commits them.

    Each worker keeps one segment open and adds the jobs (JOB_SIZE articles) it is sent, in
    turn, while this process reads on. Every ``batch_size`` articles, each worker is asked to
    finish its segment in the staging folder and start another; once all have, one commit
    deletes the older versions of updated articles, moves the new segments into the index
    and writes the table of contents. The workers go on with the next jobs meanwhile. As in
    the single-process path, a killed run keeps every committed batch and nothing else.
    """

    def __init__(
        self,
        ix: whoosh_index.Index,
        index_dir: Path,
        workers: int,
        batch_size: int,
        wait_seconds: float,
        copies: CopyFinder,
    ) -> None:
        self.ix = ix
        self.copies = copies
        self.index_dir = index_dir
        self.batch_size = batch_size
        self.wait_seconds = wait_seconds
        self.staging = index_dir / STAGING_NAME
        self.staging_storage = FileStorage(str(self.staging))
        # Spawned, not forked: the parent may run threads (a web test, a progress bar).
        context = multiprocessing.get_context("spawn")
        self.results: multiprocessing.Queue = context.Queue()
        self.queues: list[multiprocessing.Queue] = [context.Queue(maxsize=2) for _ in range(workers)]
        self.processes = [
            context.Process(target=_segment_worker, args=(str(self.staging), jobs, self.results), daemon=True)
            for jobs in self.queues
        ]
        self.started = False  # at the first changed article: a run of unchanged ones needs no workers
        self.job: list[dict[str, object]] = []
        self.turn = 0
        self.batch_articles = 0
        self.batch_replaces: list[str] = []
        self.finishing: _Batch | None = None

    def add(self, fields: dict[str, object], replaces: str | None) -> None:
        self.job.append(fields)
        if replaces is not None:
            self.batch_replaces.append(replaces)
        self.batch_articles += 1
        if len(self.job) >= JOB_SIZE:
            self._send_job()
            self._collect(wait=False)
        if self.batch_articles >= self.batch_size:
            self._end_batch()

    def finish(self) -> None:
        if self.batch_articles:
            self._end_batch()
        self._collect(wait=True)
        self._stop()

    def abandon(self) -> None:
        self._stop(kill=True)

    def _send(self, worker: int, message: object) -> None:
        if not self.started:
            shutil.rmtree(self.staging, ignore_errors=True)  # what a killed run left; we hold the run lock
            self.staging.mkdir()
            whoosh_index.create_in(str(self.staging), self.ix.schema)
            for process in self.processes:
                process.start()
            self.started = True
        while True:
            try:
                self.queues[worker].put(message, timeout=0.5)
                return
            except queue.Full:
                self._collect(wait=False)

    def _send_job(self) -> None:
        if self.job:
            self._send(self.turn, ("add", self.job))
            self.turn = (self.turn + 1) % len(self.queues)
            self.job = []

    def _end_batch(self) -> None:
        self._send_job()
        self._collect(wait=True)  # one batch finishing at a time, so commits stay in order
        self.copies.batch_ended()
        self.finishing = _Batch(self.batch_replaces, awaited=len(self.queues))
        self.batch_replaces, self.batch_articles = [], 0
        for worker in range(len(self.queues)):
            self._send(worker, ("finish", None))

    def _collect(self, wait: bool) -> None:
        """Take what the workers report. A failure stops the run at once; the finishing
        batch's segments are taken as they come, and the batch committed when all are in.
        With ``wait``, returns only when no batch is finishing."""
        while True:
            waiting = wait and self.finishing is not None
            try:
                kind, payload = self.results.get(timeout=0.5) if waiting else self.results.get_nowait()
            except queue.Empty:
                self._check_workers()
                if waiting:
                    continue
                return
            if kind == "error":
                _raise_worker_error(payload)
            batch = self.finishing
            if batch is None:  # pragma: no cover - segments only come after a finish request
                raise IndexWorkerError("an indexing worker sent a segment nobody asked for")
            if payload is not None:
                batch.segments.append(payload)
            batch.awaited -= 1
            if batch.awaited == 0:
                self.finishing = None
                self._commit(batch)

    def _check_workers(self) -> None:
        for process in self.processes if self.started else []:
            if not process.is_alive():
                raise IndexWorkerError(f"an indexing worker stopped (exit code {process.exitcode})")

    def _commit(self, batch: _Batch) -> None:
        writer = _open_writer(self.ix, self.wait_seconds)
        try:
            for article_id in batch.replaces:
                writer.delete_by_term("id", article_id)
            # Into the index folder before the table of contents names them; if the run dies
            # in between, the next commit deletes them as unnamed files.
            for segment in batch.segments:
                for name in segment.list_files(self.staging_storage):
                    os.replace(self.staging / name, self.index_dir / name)
        except BaseException:
            with contextlib.suppress(Exception):
                writer.cancel()
            raise
        self.copies.release()
        _commit(self.ix, writer, batch.segments)
        self.copies.batch_committed()

    def _stop(self, kill: bool = False) -> None:
        if not self.started:
            self.processes = []
        for worker, process in enumerate(self.processes):
            if not kill:
                with contextlib.suppress(Exception):
                    self.queues[worker].put(None, timeout=5)
            else:
                process.terminate()
        for process in self.processes:
            process.join(timeout=10)
            if process.is_alive():
                process.kill()
                process.join()
        for channel in [*self.queues, self.results]:
            channel.close()
            channel.cancel_join_thread()
        shutil.rmtree(self.staging, ignore_errors=True)


def _die_with(parent: int) -> None:
    """Have the kernel kill this process when its parent dies (Linux).

    A parent killed while sending a job leaves half a message in the pipe, and a read of it
    would wait forever; polling ``os.getppid()`` between jobs cannot catch that.
    """
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # it died before the request took effect
        os._exit(1)


def _segment_worker(staging: str, jobs: multiprocessing.Queue, results: multiprocessing.Queue) -> None:
    """A worker process: adds each job's articles to its open segment; ``finish`` writes it.

    A failure is reported at once (a full disk must stop the run, not leave it waiting for
    a segment that never comes); the worker then drops its jobs until the parent stops it.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides what an interrupt means
    parent = os.getppid()
    _die_with(parent)
    ix = whoosh_index.open_dir(staging)
    known = set(ix.schema.names())  # the index's: one written before entities takes none
    writer: SegmentWriter | None = None
    failed = False
    while True:
        try:
            message = jobs.get(timeout=1.0)
        except queue.Empty:
            if os.getppid() != parent:  # the parent was killed: nobody will commit our work
                return
            continue
        if message is None:
            return
        kind, docs = message
        if failed:
            continue
        try:
            if kind == "add":
                writer = writer or arrays_segment_writer(ix, locked=False, compact_pool=True)
                for fields in docs:
                    writer.add_document(**analysed_fields(fields, known))
            elif kind == "finish":
                segment = finish_segment(writer)
                writer = None
                results.put(("segment", segment))
        except Exception as error:
            failed, writer = True, None
            results.put(("error", (getattr(error, "errno", None), getattr(error, "strerror", None), repr(error))))


def _raise_worker_error(error: tuple[int | None, str | None, str]) -> None:
    """A worker's failure, raised in the parent: an OSError as the OSError it was (a full
    disk reads 'No space left on device'), anything else as IndexWorkerError."""
    number, text, description = error
    if number is not None:
        raise OSError(number, text or os.strerror(number))
    raise IndexWorkerError(f"an indexing worker failed: {description}")


def _indexed_hashes(ix: whoosh_index.Index) -> tuple[dict[str, str], dict[str, str]]:
    """(article id -> content hash, row digest -> article id) of every live document, read
    once per run.

    One pass over the ``id_hash`` lexicon answers every lookup of the run from two dicts,
    instead of a searcher query per article.
    """
    indexed: dict[str, str] = {}
    rows: dict[str, str] = {}
    with ix.reader() as reader:
        if "id_hash" not in reader.schema or reader.doc_count() == 0:
            return indexed, rows
        # Segment by segment: a deleted document's term stays in its segment's lexicon until the
        # segment is merged, and is told from a live one by that segment's postings alone. Asked
        # of the whole reader, each term was looked up in every segment: at a million articles
        # (334 segments) and any deletion, more than ten minutes before the first article.
        for leaf, _base in reader.leaf_readers():
            if "id_hash" not in leaf.schema:
                continue
            deleted = leaf.has_deletions()
            for term in leaf.lexicon("id_hash"):
                if deleted and not leaf.postings("id_hash", term).is_active():
                    continue
                # "id:hash:digest"; indexes written before row digests hold "id:hash".
                article_id, content_hash, *digest = term.decode("utf-8").split(":")
                indexed[article_id] = content_hash
                if digest and digest[0]:
                    rows[digest[0]] = article_id
    return indexed, rows
