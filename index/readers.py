"""Readers: raw scraped pages, JSONL, CSV and XLSX exports, and directories of them.

Every reader yields Article records and Failure, Note, Skipped or Unchanged records
(index.records), never raises for bad content: one bad row or file is reported and the rest
go on. The readers themselves live by job: index.decoding (file kinds, bytes to text),
index.pages (scraped pages), index.tabular (JSONL/JSON, CSV/TSV, XLSX), index.bylines.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from berita_search.index.article import Article
from berita_search.index.decoding import (
    CSV_SUFFIXES,
    JSONL_SUFFIXES,
    MAX_FILE_BYTES,
    RAW_SUFFIXES,
    SUPPORTED_SUFFIXES,
    XLSX_SUFFIXES,
    BinaryFileError,
    file_status,
    too_large,
)
from berita_search.index.pages import parse_raw_page, read_raw_file
from berita_search.index.records import (
    MAX_FIELD_CHARS,
    MAX_TITLE_CHARS,
    READER_VERSION,
    Failure,
    KnownRows,
    Note,
    Record,
    Skipped,
    Unchanged,
    origin_of,
    quote_name,
    row_digest,
)
from berita_search.index.tabular import (
    estimate_xlsx_rows,
    read_csv_file,
    read_jsonl_file,
    read_xlsx_file,
    record_to_article,
)

__all__ = [
    "MAX_FIELD_CHARS",
    "MAX_FILE_BYTES",
    "MAX_TITLE_CHARS",
    "READER_VERSION",
    "SUPPORTED_SUFFIXES",
    "Article",
    "Failure",
    "KnownRows",
    "Note",
    "Record",
    "Skipped",
    "Unchanged",
    "estimate_records",
    "input_bytes",
    "iter_files",
    "parse_raw_page",
    "quote_name",
    "read_file",
    "read_paths",
    "record_to_article",
    "row_digest",
]

Reader = Callable[[Path, str, KnownRows | None], Iterator[Record]]
READERS: dict[str, Reader] = {
    **{s: read_raw_file for s in RAW_SUFFIXES},
    **{s: read_jsonl_file for s in JSONL_SUFFIXES},
    **{s: read_csv_file for s in CSV_SUFFIXES},
    **{s: read_xlsx_file for s in XLSX_SUFFIXES},
}


def read_file(path: Path, known: KnownRows | None = None) -> Iterator[Record]:
    """Records of one file, the reader picked by its suffix; rows in ``known`` are not parsed."""
    origin = origin_of(path)
    status, problem = file_status(path)
    if status is None:
        yield Failure(origin, problem)
        return
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        yield Failure(origin, f"unsupported file type {path.suffix or '(none)'!r}")
        return
    if status.st_size == 0:
        yield Failure(origin, "empty file")
        return
    if status.st_size > MAX_FILE_BYTES and reader is not read_jsonl_file:
        yield Failure(origin, too_large(status.st_size))
        return
    try:
        yield from reader(path, origin, known)
    except BinaryFileError as exc:
        yield Failure(origin, str(exc))
    except OSError as exc:
        yield Failure(origin, f"cannot read: {exc.strerror or exc}")
    except (RecursionError, MemoryError, ValueError) as exc:
        # Input no reader foresaw: this file stops here, the run goes on with the next.
        yield Failure(origin, f"unreadable ({type(exc).__name__}: {exc})"[:300])


def estimate_records(path: Path) -> int:
    """About how many records a file holds, cheaply, for a progress bar (never exact for CSV)."""
    suffix = path.suffix.lower()
    if file_status(path)[0] is None:
        return 1  # reported by read_file; a pipe must not be opened here
    try:
        if suffix in RAW_SUFFIXES:
            return 1
        if suffix in JSONL_SUFFIXES | CSV_SUFFIXES:
            lines = 0
            with path.open("rb") as fh:
                while chunk := fh.read(1 << 20):
                    lines += chunk.count(b"\n")
            return max(1, lines - (1 if suffix in CSV_SUFFIXES else 0))
        if suffix in XLSX_SUFFIXES:
            return estimate_xlsx_rows(path)
    except Exception:  # a damaged file is reported by its reader; the bar only needs a guess
        return 1
    return 0


def input_bytes(files: Iterable[Path]) -> int:
    """Bytes of the regular files among ``files``; the others are reported by read_file."""
    return sum(status.st_size for f in files if (status := file_status(f)[0]) is not None)


def iter_files(path: Path) -> Iterator[Path]:
    """Files under a path, in a stable order, skipping hidden files and folders. A path that
    is not a folder is yielded as it is, whatever it is: read_file says why it cannot be read."""
    if not path.is_dir():
        yield path
        return
    for root, dirs, files in os.walk(path):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith("."):
                yield Path(root) / name


_DOCUMENTATION = re.compile(
    r"^(readme|source|sources|license|licence|copying|notice|changelog|authors)([._-].*)?$", re.IGNORECASE
)


def read_paths(paths: Iterable[Path], known: KnownRows | None = None) -> Iterator[Record]:
    """Records of every file under the given paths; missing paths are failures.

    ``known`` maps row digests to the ids of articles already indexed from those rows (the
    writer fills it when the run starts, see ``index.writer.index_records``): such rows come
    back as Unchanged without being parsed, which makes re-running an unchanged input fast.
    """
    for path in paths:
        if not path.is_dir() and not os.path.lexists(path):
            yield Failure(origin_of(path), "no such file or directory")
            continue
        for file in iter_files(path):
            if path.is_dir() and _DOCUMENTATION.match(file.name):
                # A dataset's README or SOURCE notes are about the articles, not articles.
                yield Skipped(origin_of(file), "documentation file")
                continue
            if path.is_dir() and file.suffix.lower() not in SUPPORTED_SUFFIXES:
                # Inside a folder, files of other types (images, READMEs in other formats) are
                # noted, not errors.
                yield Skipped(origin_of(file), f"unsupported file type {file.suffix or '(none)'!r}")
                continue
            yield from read_file(file, known)
