"""File kinds and text decoding: which files are read at all, and bytes to text."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from berita_search.index.records import quote_name

# Files read whole (pages, CSV, XLSX, JSON arrays) are refused past this size; UTF-8 JSON Lines are
# read a line at a time, of any size, each line at most MAX_LINE_BYTES.
MAX_FILE_BYTES = 512 * 1024 * 1024
MAX_LINE_BYTES = 64 * 1024 * 1024


def too_large(size: int) -> str:
    """Why a file read whole is refused, and what to do instead."""
    return (
        f"file too large ({size // 2**20:,} MiB; files read whole stop at {MAX_FILE_BYTES // 2**20} MiB:"
        " split it, or export UTF-8 JSON Lines, which are read a line at a time)"
    )


RAW_SUFFIXES = {".txt", ".text"}
JSONL_SUFFIXES = {".jsonl", ".ndjson", ".json"}
CSV_SUFFIXES = {".csv", ".tsv"}
XLSX_SUFFIXES = {".xlsx", ".xlsm"}
SUPPORTED_SUFFIXES = RAW_SUFFIXES | JSONL_SUFFIXES | CSV_SUFFIXES | XLSX_SUFFIXES

_KINDS = [
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a folder"),
]


def file_status(path: Path) -> tuple[os.stat_result | None, str]:
    """(stat of the file, '') for a regular file, else (None, why it is not read).

    Pipes and devices are refused before anything opens them: a pipe would block the run
    and a device such as /dev/zero never ends.
    """
    try:
        status = os.stat(path)
    except FileNotFoundError:
        if os.path.islink(path):
            return None, f"broken symbolic link (to {quote_name(os.readlink(path))})"
        return None, "no such file or directory"
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return None, "symbolic link loop"
        return None, f"cannot read: {exc.strerror or exc}"
    if stat.S_ISREG(status.st_mode):
        return status, ""
    kind = next((name for test, name in _KINDS if test(status.st_mode)), "not a file")
    return None, f"not a regular file ({kind})"


class BinaryFileError(ValueError):
    pass


_CONTROL_BYTES = bytes(b for b in range(32) if b not in b"\t\n\r\f\x1a") + b"\x7f"
# Byte order marks of the encodings read besides UTF-8; UTF-32 first, its LE mark begins like UTF-16's.
_BOMS = [
    (b"\xff\xfe\x00\x00", "utf-32-le", "UTF-32"),
    (b"\x00\x00\xfe\xff", "utf-32-be", "UTF-32"),
    (b"\xff\xfe", "utf-16-le", "UTF-16"),
    (b"\xfe\xff", "utf-16-be", "UTF-16"),
]


def bom_encoding(head: bytes) -> tuple[str, str, int] | None:
    """(codec, name, BOM length) when the bytes open with a UTF-16 or UTF-32 byte order mark."""
    for bom, codec, name in _BOMS:
        if head.startswith(bom):
            return codec, name, len(bom)
    return None


def binary_reason(head: bytes) -> str:
    """Why the first bytes of a file are not text, or '' when they may be."""
    if bom_encoding(head):
        return ""
    if b"\x00" in head:
        return "binary file (contains NUL bytes), not text"
    if head and len(head) - len(head.translate(None, _CONTROL_BYTES)) > max(8, len(head) // 20):
        return "binary file (mostly control bytes), not text"
    return ""


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Text from bytes: UTF-8 (with or without BOM), UTF-16 or UTF-32 with a BOM, else
    Windows-1252. Returns (text, note)."""
    if marked := bom_encoding(data[:4]):
        codec, name, skip = marked
        text = data[skip:].decode(codec, errors="replace")
        if bad := text.count("\ufffd") - data[skip:].decode(codec, errors="ignore").count("\ufffd"):
            return text, f"invalid {name} ({bad} characters replaced)"
        return text, ""
    if reason := binary_reason(data[:8192]):
        raise BinaryFileError(reason)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), ""
    except UnicodeDecodeError:
        pass
    replaced = data.decode("utf-8", errors="replace")
    if any(ord(ch) > 127 and ch != "\ufffd" for ch in replaced):
        # Real UTF-8 sequences beside stray bytes: damaged UTF-8, not a legacy encoding.
        return replaced, f"invalid UTF-8 ({replaced.count(chr(0xFFFD))} bytes replaced)"
    # Old newsroom exports are often Windows-1252; undefined bytes fall back to Latin-1.
    try:
        return data.decode("cp1252"), "decoded as Windows-1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "decoded as Latin-1"
