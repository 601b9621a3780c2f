"""What readers yield besides articles, the limits of one record, and how a file is named in
reports.

Every reader yields Article records and these: a Failure (not indexed, with the reason), a
Note (kept, with a change the user should know of), a Skipped file (left out on purpose) or
Unchanged (already indexed from the very same raw row, not parsed again).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from berita_search.index.article import Article

# Part of every row digest: bump it when parsing changes what a row becomes, so that
# re-runs parse rows again instead of trusting the digests of the old parser's output.
# 2: date notes in Bahasa Indonesia, implausible dates dropped, bylines that never take a
# sentence, Mac Roman mojibake repaired inside clean text, capped titles and labels.
READER_VERSION = "2"

MAX_FIELD_CHARS = 5_000_000  # one article body (or page); longer ones are cut, not dropped
MAX_TITLE_CHARS = 1_000  # real headlines stay under 300
MAX_LABEL_CHARS = 10_000  # caption, category, source, tags, date and time cells


@dataclass(slots=True)
class Failure:
    """A file, line or row that was not indexed."""

    origin: str  # file, with line or row where there is one
    reason: str


@dataclass(slots=True)
class Note:
    """A record that was kept with a change worth telling (a cut body, a replaced byte)."""

    origin: str
    reason: str


@dataclass(slots=True)
class Skipped:
    """A file left out on purpose: documentation, or a type no reader handles."""

    origin: str
    reason: str


@dataclass(slots=True)
class Unchanged:
    """A row or page whose raw text is already indexed as this article: it was not parsed again."""

    origin: str
    id: str


Record = Article | Failure | Note | Skipped | Unchanged
KnownRows = Mapping[str, str]  # row digest -> id of the article indexed from that row


def row_digest(raw: object) -> str:
    """Fingerprint of a row (a dict of cells) or a page (bytes), before any parsing."""
    data = raw if isinstance(raw, bytes) else repr(raw).encode("utf-8", "surrogatepass")
    return hashlib.blake2b(READER_VERSION.encode() + b"\x1e" + data, digest_size=12).hexdigest()


_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def quote_name(name: str | os.PathLike[str]) -> str:
    """A file name as reports print it: as written when it is plain, else in double quotes
    with backslash escapes, so that a newline or a control character in a name can never
    forge a line of a report or reorder what a terminal shows.

    Bytes that were not UTF-8 (kept by the file system as surrogate escapes) show as \\xNN.
    """
    text = os.fspath(name)
    if text and text == text.strip() and all(ch.isprintable() and ch not in _ESCAPES for ch in text):
        return text
    out = []
    for ch in text:
        code = ord(ch)
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif 0xDC80 <= code <= 0xDCFF:  # an undecodable byte of the name
            out.append(f"\\x{code - 0xDC00:02x}")
        elif ch.isprintable() or ch == " ":
            out.append(ch)
        elif code <= 0xFF:
            out.append(f"\\x{code:02x}")
        elif code <= 0xFFFF:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    return '"' + "".join(out) + '"'


def origin_of(path: Path) -> str:
    """The origin of records read from a file: its name, quoted for reports."""
    return quote_name(path)
