"""Every use of whoosh3's private API, in one place.

Each function below reaches into a name Whoosh does not publish, says why, and was checked
against ``CHECKED_VERSION`` (pinned in pyproject.toml). ``tests/test_whoosh_internals.py``
fails loudly when another version is installed or one of these names is gone, so an upgrade
starts by reading this module. Two more private uses live in their own modules, because they
are whole replacements rather than calls: ``mapped_files.install`` (wraps
``BufferFile.__init__`` so segment files are read in place) and the matchers of
``search.backends.whoosh_query`` and ``whoosh_phrases`` (subclasses of Whoosh's matchers).
"""

from __future__ import annotations

from importlib.metadata import version
from typing import Any

from whoosh.codec.base import Segment
from whoosh.index import Index
from whoosh.writing import IndexWriter, SegmentWriter

CHECKED_VERSION = "3.54.0"

# The private names used here and in the modules above, by the class that holds them: the
# test checks that each still exists.
PRIVATE_NAMES: dict[str, tuple[str, ...]] = {
    "whoosh.writing.SegmentWriter": ("_finalize_segment", "_added", "_cleanup_on_error"),
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
