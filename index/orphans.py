"""The run lock, and files in an index folder that no table of contents names.

A run killed during a commit or a merge leaves segment files that no table of contents
names, Whoosh's sorting runs in ``MAIN.tmp`` and worker segments in ``.staging``; Whoosh
deletes unnamed segments only when a later commit succeeds, so a series of killed runs
grew one folder from 141 MB to 853 MB. They are removed at the start of the next run and by
``berita-search check --repair``, only while this process holds both the run lock and
Whoosh's write lock, and never a file that any table of contents on disk names (so never
one that a reader of the current or an older generation still uses).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from whoosh.fields import ID, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC

INDEX_NAME = "MAIN"  # Whoosh's default index name, which open_dir and create_in use
RUN_LOCK_NAME = "berita-search.lock"
WHOOSH_LOCK_NAME = f"{INDEX_NAME}_WRITELOCK"
# Worker processes write their segments here; a commit moves them into the index. Whoosh
# deletes every index file that the new table of contents does not name, so a segment still
# being written must not sit in the index folder while another batch commits.
STAGING_NAME = ".staging"
_TOC = re.compile(rf"^_{INDEX_NAME}_(\d+)\.toc$")
_TOC_BEING_WRITTEN = re.compile(rf"^_{INDEX_NAME}_\d+\.toc\.[\d.]+$")  # Whoosh writes '<toc>.<time>', then renames
_SEGMENT_FILE = re.compile(rf"^({INDEX_NAME}_[0-9a-z]+)\.[A-Za-z0-9_.]+$")
_WORK_FOLDERS = {f"{INDEX_NAME}.tmp", STAGING_NAME}  # only ever used by a running writer

BUSY_MESSAGE = "another 'berita-search index' is writing to this index"


class IndexBusyError(RuntimeError):
    """Another process holds the index's write lock."""


@contextlib.contextmanager
def run_lock(
    index_dir: Path, wait_seconds: float = 0.0, on_wait: Callable[[str], None] | None = None
) -> Iterator[None]:
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


@contextlib.contextmanager
def _flock(path: Path, hold: bool) -> Iterator[bool]:
    """Try an exclusive lock without waiting: True when nobody held it (and, with ``hold``,
    this process holds it until the block ends). A lock file that cannot be opened (a
    read-only folder) counts as free: no writer can work there."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT if hold else os.O_RDONLY, 0o644)
    except OSError as exc:
        if hold or exc.errno not in (errno.ENOENT, errno.EROFS, errno.EACCES):
            raise
        yield True
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        if not hold:
            fcntl.flock(fd, fcntl.LOCK_UN)
        yield True
    finally:
        os.close(fd)


def writer_at_work(index_dir: Path) -> bool:
    """Whether a writer (berita-search or any Whoosh writer) holds this index right now."""
    for name in (RUN_LOCK_NAME, WHOOSH_LOCK_NAME):
        with _flock(index_dir / name, hold=False) as free:
            if not free:
                return True
    return False


@dataclass(frozen=True, slots=True)
class Orphan:
    path: Path
    bytes: int


def _size(path: Path) -> int:
    if path.is_dir() and not path.is_symlink():
        return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())
    return path.lstat().st_size


def find_orphans(index_dir: Path) -> list[Orphan]:
    """Files and work folders in an index folder that no table of contents on disk names.

    Raises what reading a table of contents raises: when one cannot be read, which files it
    names is unknown, and nothing may be called an orphan.
    """
    try:
        names = sorted(os.listdir(index_dir))
    except FileNotFoundError:
        return []
    generations = [int(m.group(1)) for name in names if (m := _TOC.match(name))]
    if not generations:
        return []  # not an index: nothing here is ours to judge
    storage = FileStorage(str(index_dir), readonly=True)
    named: set[str] = set()
    for generation in generations:
        # A stand-in schema: reading the pickled one would load every analyzer.
        toc = TOC.read(storage, INDEX_NAME, generation, schema=Schema(id=ID()))
        named.update(segment.segment_id() for segment in toc.segments)
    orphans = []
    for name in names:
        segment = _SEGMENT_FILE.match(name)
        if segment and segment.group(1) not in named or name in _WORK_FOLDERS or _TOC_BEING_WRITTEN.match(name):
            path = index_dir / name
            with contextlib.suppress(FileNotFoundError):
                orphans.append(Orphan(path, _size(path)))
    return orphans


def remove_orphans(index_dir: Path) -> list[Orphan] | None:
    """Remove what find_orphans finds, holding Whoosh's write lock; None (and nothing
    removed) when another writer holds it or a table of contents does not read. The caller
    holds the run lock."""
    with _flock(index_dir / WHOOSH_LOCK_NAME, hold=True) as free:
        if not free:
            return None
        try:
            orphans = find_orphans(index_dir)
        except Exception:  # a table of contents that does not read: which files it names is unknown
            return None
        for orphan in orphans:
            if orphan.path.is_dir() and not orphan.path.is_symlink():
                shutil.rmtree(orphan.path, ignore_errors=True)
            else:
                with contextlib.suppress(FileNotFoundError):
                    orphan.path.unlink()
        return orphans
