"""Reading Whoosh's memory-mapped segment files in place instead of copying them.

Whoosh opens each part of a compound segment (``.seg``) as a ``BufferFile`` over a
memoryview of the mapped file, and whoosh3's ``BufferFile`` wraps that view in a
``BytesIO``, which copies it. Opening a reader therefore copied every segment's postings
and terms into memory: 2.4 GB of private memory for a 2.6 GB index of 200,000 articles, in
every indexing run and every server process. ``install()`` gives ``BufferFile`` a file
object that reads the mapped pages where they are (bytes, which ``BytesIO`` shares without
copying, keep the ``BytesIO``).
"""

from __future__ import annotations

import io
import threading
from typing import Any

from whoosh.filedb.structfile import BufferFile

_original_init = BufferFile.__init__


class MappedFile(io.RawIOBase):
    """A read-only, seekable file over a memoryview; reads copy only the bytes asked for.

    The position is kept per thread. The server's threads share one searcher, and so its
    segment files; Whoosh reads them as a seek then a read, and with one shared position a
    seek in one thread moved the file under another's read ("Damaged postings block").
    """

    def __init__(self, view: memoryview) -> None:
        super().__init__()
        self._view = view
        self._positions = threading.local()

    @property
    def _pos(self) -> int:
        return getattr(self._positions, "pos", 0)

    @_pos.setter
    def _pos(self, value: int) -> None:
        self._positions.pos = value

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        start = self._pos
        end = len(self._view) if size is None or size < 0 else min(start + size, len(self._view))
        self._pos = max(start, end)
        return self._view[start:end].tobytes()

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def readline(self, size: int | None = -1) -> bytes:
        view, start = self._view, self._pos
        limit = len(view) if size is None or size < 0 else min(len(view), start + size)
        end = start
        while end < limit:  # lines are rare in Whoosh's files (pickles of small headers)
            end += 1
            if view[end - 1] == 0x0A:
                break
        self._pos = end
        return view[start:end].tobytes()

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: len(self._view)}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def tell(self) -> int:
        return self._pos

    def close(self) -> None:
        self._view = memoryview(b"")  # BufferFile.close releases the view it was given
        super().close()


def _buffer_file_init(self: BufferFile, buf: Any, name: str | None = None, onclose: Any = None) -> None:
    mapped = isinstance(buf, memoryview)
    _original_init(self, b"" if mapped else buf, name=name, onclose=onclose)
    if mapped:
        self._buf = buf
        self.file = MappedFile(buf)


def install() -> None:
    """Make Whoosh read mapped segment files in place (idempotent)."""
    BufferFile.__init__ = _buffer_file_init
