"""Every use of whoosh3's private API, in one place.

Each function below reaches into a name Whoosh does not publish, says why, and was checked
against ``CHECKED_VERSION`` (pinned in pyproject.toml). ``tests/test_whoosh_internals.py``
fails loudly when another version is installed or one of these names is gone, so an upgrade
starts by reading this module. Two more private uses live in their own modules, because they
are whole replacements rather than calls: ``mapped_files.install`` (wraps
``BufferFile.__init__`` so segment files are read in place) and the matchers of
``search.backends.whoosh_query`` and ``whoosh_phrases`` (subclasses of Whoosh's matchers).
The segment writer that shows each posting it writes to the postings arrays
(``watching_segment_writer``) is here.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from importlib.metadata import version
from typing import Any, Protocol

from berita_search.index.posting_pool import CompactPostingPool
from whoosh.codec.base import Segment
from whoosh.codec.whoosh3 import W3Codec, W3PostingsWriter, W3Segment, W3TermInfo
from whoosh.filedb.filestore import OverlayStorage
from whoosh.index import Index
from whoosh.scoring import BM25F
from whoosh.writing import IndexWriter, SegmentWriter

CHECKED_VERSION = "3.54.0"

# The private names used here and in the modules above, by the class that holds them: the
# test checks that each still exists.
PRIVATE_NAMES: dict[str, tuple[str, ...]] = {
    "whoosh.writing.SegmentWriter": (
        "_finalize_segment",
        "_flush_segment",
        "_added",
        "_cleanup_on_error",
        "pool",
    ),
    "whoosh.writing.PostingPool": ("iter_postings", "add", "cleanup"),
    "whoosh.codec.whoosh3.W3PostingsWriter": ("_terminfo", "_inlinelimit", "_ids", "_weights", "_values"),
    "whoosh.codec.whoosh3.W3Codec": ("_blocklimit", "_compression", "_inlinelimit"),
    "whoosh.scoring.BM25F": ("_field_B",),
    "whoosh.index.FileIndex": ("_segments",),
    "whoosh.query.spans.SpanNear2": ("_span_context",),
    "whoosh.filedb.structfile.BufferFile": ("__init__",),
}


def installed_version() -> str:
    return version("whoosh3")


def committed_segments(ix: Index) -> list[Segment]:
    """The segments the latest table of contents names. ``check`` opens each one by itself
    (a reader over all of them would fail at the first damaged one without naming it)."""
    return list(ix._segments())


def cleanup_failed_commit(writer: IndexWriter) -> None:
    """Release the write lock and remove the files of a commit that an interrupt (not an
    Exception, which Whoosh handles itself) stopped half-way."""
    writer._cleanup_on_error()


def unlocked_segment_writer(ix: Index, **options: Any) -> SegmentWriter:
    """A segment writer that does not take the index's write lock: worker processes write
    segments in parallel while the parent holds the lock and commits them."""
    return SegmentWriter(ix, _lk=False, **options)


def column_extent(leaf: Any, fieldname: str) -> tuple[str, int, int] | None:
    """Where one segment's column of ``fieldname`` is on disk: the path of the file holding it,
    the column's first byte in that file and its length; None when the segment has no such
    column. A compound segment (``.seg``) holds its columns as parts of one file: Whoosh's
    reader of such a segment overlays the compound storage (``OverlayStorage.a``) on the
    index's folder, and the compound storage knows each part's range."""
    segment = leaf.segment() if hasattr(leaf, "segment") else None
    storage = leaf.storage() if segment is not None else None
    if segment is None or storage is None:
        return None
    name = W3Codec.column_filename(segment, fieldname)
    if isinstance(storage, OverlayStorage):
        if storage.a.file_exists(name):
            offset, length = storage.a.range(name)
            compound = segment.make_filename(segment.COMPOUND_EXT)
            return os.path.join(storage.b.folder, compound), offset, length
        storage = storage.b
    if not storage.file_exists(name) or not hasattr(storage, "folder"):
        return None
    return os.path.join(storage.folder, name), 0, storage.file_length(name)


def finish_segment(writer: SegmentWriter | None) -> Segment | None:
    """Close a worker's segment and return it for the parent's commit (None if it holds
    nothing); Whoosh only does this inside its own commit."""
    if writer is None or not writer._added:
        return None
    return writer._finalize_segment()


def span_context(near: Any, context: Any) -> Any:
    """The scoring context Whoosh gives the words of a span query: the pair-filtered phrase
    matcher builds the same one for its own words."""
    return near._span_context(context)


def bm25f_field_b(weighting: BM25F, fieldname: str) -> float:
    """BM25F's B for one field (a ``<field>_B`` keyword of its constructor, else its B), as
    its ``scorer`` picks it: the array ranking scores with the very same parameter."""
    return float(weighting._field_B.get(fieldname, weighting.B))


class PostingsWatcher(Protocol):
    def wrap(self, postings: Iterator[tuple]) -> Iterator[tuple]: ...

    def write(self, folder: str, segment_id: str, doc_count: int) -> None: ...


class _WatchingSegmentWriter(SegmentWriter):
    """Whoosh's segment writer, showing every posting of the segment it writes (new articles
    and merges alike) to a watcher, and telling it when the segment is assembled."""

    def __init__(
        self, ix: Index, watcher_factory: Callable[[Any], PostingsWatcher], compact_pool: bool = False, **options: Any
    ) -> None:
        self.watcher_factory = watcher_factory
        super().__init__(ix, **options)
        if compact_pool:
            # Whoosh's add_document and _flush_segment reach the pool through this attribute.
            self.pool = CompactPostingPool()

    def _flush_segment(self) -> None:
        # Whoosh hands the pool's postings, sorted by (field, term, document), to the field
        # writer in this method; the watcher sees them on the way.
        self._watcher = self.watcher_factory(self.schema)
        pool: Any = self.pool  # Whoosh's pool or index.posting_pool's
        original = pool.iter_postings
        pool.iter_postings = lambda: self._watcher.wrap(original())
        try:
            super()._flush_segment()
        finally:
            del pool.iter_postings

    def _finalize_segment(self) -> Segment:
        segment = super()._finalize_segment()
        # After the compound file is assembled, so the watcher's file stays one of its own.
        self._watcher.write(self.storage.folder, segment.segment_id(), segment.doc_count_all())
        return segment


def watching_segment_writer(
    ix: Index,
    watcher_factory: Callable[[Any], PostingsWatcher],
    locked: bool = True,
    compact_pool: bool = False,
    **options: Any,
) -> SegmentWriter:
    """A segment writer whose postings a watcher made by ``watcher_factory(schema)`` sees as
    they are written, and is asked to ``write`` its own file once the segment is assembled.
    ``locked=False`` is ``unlocked_segment_writer``'s writer (worker processes);
    ``compact_pool`` holds its postings in ``index.posting_pool``'s arrays, for a writer that
    only adds articles."""
    return _WatchingSegmentWriter(ix, watcher_factory, compact_pool=compact_pool, _lk=locked, **options)


class _InliningPostingsWriter(W3PostingsWriter):
    """whoosh3's postings writer, inlining short posting lists as it means to: its
    ``finish_postings`` calls ``terminfo.set_inline``, a method W3TermInfo names
    ``set_inlined``, so whoosh3 only runs with inlining off (its default limit, 1, never
    inlines). A rare word's postings then sit in its term entry instead of a compressed block
    of their own in the postings file; Whoosh's reader already reads them there."""

    def finish_postings(self) -> W3TermInfo:
        terminfo: W3TermInfo = self._terminfo  # type: ignore[has-type]
        if not self.written() and len(self) < self._inlinelimit:
            terminfo.add_block(self)
            # Whoosh's reader of inlined postings answers "" (a str) for a posting without a
            # value, which its own merge then refuses: each posting gets its empty bytes.
            values = self._values or [b""] * len(self._ids)
            terminfo.set_inlined(self._ids, self._weights, values)
            self._terminfo = None
            return terminfo
        return super().finish_postings()


class InliningCodec(W3Codec):
    """whoosh3's codec writing posting lists shorter than ``inlinelimit`` into the term entry.
    Its segments name Whoosh's own codec (with the same settings): reading an inlined list
    needs nothing of this class, so indexes stay readable without it."""

    def postings_writer(self, dbfile: Any, byteids: bool = False) -> W3PostingsWriter:
        return _InliningPostingsWriter(
            dbfile,
            blocklimit=self._blocklimit,
            byteids=byteids,
            compression=self._compression,
            inlinelimit=self._inlinelimit,
        )

    def new_segment(self, storage: Any, indexname: str) -> W3Segment:
        plain = W3Codec(blocklimit=self._blocklimit, compression=self._compression, inlinelimit=self._inlinelimit)
        return W3Segment(plain, indexname)
