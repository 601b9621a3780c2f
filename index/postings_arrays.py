"""Each segment's postings again, as flat arrays in a file beside it, for searching at array speed.

Whoosh keeps postings as pickled, compressed blocks of 128, decoded one Python object at a
time: about a microsecond per posting, so a common word over 200,000 articles cost tens of
milliseconds per field before anything was scored. While Whoosh writes a segment (new
articles or a merge), every posting of the searched fields passes through its pool in
(field, term, document) order; ``PostingsCapture`` records them on the way, and the segment
gets a ``<segment id>.arrays`` file: per field, the terms (by a 64-bit hash, sorted), where
each term's documents and weights start, and each document's length byte as Whoosh stores
it. Readers memory-map the file: a term's postings are two array slices.

The file is named like the segment's own files, so Whoosh deletes it with the segment and
the index's orphan sweep keeps it while the segment lives. Segments without one (indexes
written before, or a field not captured) are read through Whoosh, with the same results.
"""

from __future__ import annotations

import hashlib
import json
import mmap
import os
from array import array
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
from whoosh.fields import NUMERIC
from whoosh.util.numeric import byte_to_length

EXTENSION = "arrays"
MAGIC = b"BSARRAY1"
_ALIGN = 8
# Fields never searched by word through the arrays: unique ids (one posting per term), word
# pairs (a phrase filter read through Whoosh) and numeric fields (the trie terms of the date
# and of the added stamp). The copy finder's band terms are kept: it looks them up while
# indexing.
_SKIPPED = frozenset({"id", "id_hash", "dup_key"})
# byte -> length, as Whoosh decodes the length byte it stores per document and field
_BYTE_LENGTHS = [byte_to_length(b) for b in range(256)]
LENGTH_OF_BYTE = np.asarray(_BYTE_LENGTHS, dtype=np.float64)
_LENGTH_BOUNDS = np.asarray(_BYTE_LENGTHS, dtype=np.int64)


def captured(schema: Any, fieldname: str) -> bool:
    """Whether a field's postings go into the arrays."""
    if fieldname in _SKIPPED or fieldname.endswith("_pairs") or fieldname not in schema:
        return False
    field = schema[fieldname]
    return bool(field.indexed) and not isinstance(field, NUMERIC)


def term_hash(tbytes: bytes) -> int:
    return int.from_bytes(hashlib.blake2b(tbytes, digest_size=8).digest(), "little")


def length_bytes(lengths: np.ndarray) -> np.ndarray:
    """Whoosh's ``length_to_byte`` over an array of field lengths."""
    return np.minimum(np.searchsorted(_LENGTH_BOUNDS, lengths, side="left"), 255).astype(np.uint8)


def file_name(segment_id: str) -> str:
    return f"{segment_id}.{EXTENSION}"


class PostingsCapture:
    """Records the postings of a segment being written, as Whoosh's pool hands them over."""

    def __init__(self, schema: Any) -> None:
        self.schema = schema
        self.fields: dict[str, tuple[list[bytes], array, array, array]] = {}

    def wrap(self, postings: Iterator[tuple]) -> Iterator[tuple]:
        """``postings`` unchanged, recorded on the way (sorted by field, term, document)."""
        current_field = None
        capturing = False
        last_term = None
        terms: list[bytes] = []
        starts = docs = weights = array("Q")
        for posting in postings:
            fieldname = posting[0]
            if fieldname != current_field:
                current_field, last_term = fieldname, None
                capturing = captured(self.schema, fieldname)
                if capturing:
                    terms, starts, docs, weights = self.fields.setdefault(
                        fieldname, ([], array("Q"), array("I"), array("f"))
                    )
            if capturing:
                tbytes = posting[1]
                if tbytes != last_term:
                    terms.append(tbytes)
                    starts.append(len(docs))
                    last_term = tbytes
                docs.append(posting[2])
                weights.append(posting[3])
            yield posting

    def write(self, folder: str, segment_id: str, doc_count: int) -> None:
        """The arrays file of the segment, written whole under a temporary name, then renamed."""
        directory = Path(folder)
        parts: list[tuple[str, np.ndarray]] = []
        header: dict[str, Any] = {"docs": doc_count, "fields": {}}
        doc_type = np.uint16 if doc_count <= 0xFFFF else np.uint32
        for name, (terms, starts, docs, weights) in sorted(self.fields.items()):
            hashes = np.fromiter((term_hash(t) for t in terms), dtype=np.uint64, count=len(terms))
            start = np.frombuffer(starts, dtype=np.uint64) if len(starts) else np.zeros(0, np.uint64)
            doc_array = np.frombuffer(docs, dtype=np.uint32) if len(docs) else np.zeros(0, np.uint32)
            weight_array = np.frombuffer(weights, dtype=np.float32) if len(weights) else np.zeros(0, np.float32)
            count = np.diff(np.append(start, np.uint64(len(doc_array))))
            order = np.argsort(hashes, kind="stable")
            hashes, start, count = hashes[order], start[order], count[order]
            unique = bool(len(hashes) < 2 or np.all(hashes[1:] != hashes[:-1]))
            integral = bool(np.all(weight_array == np.floor(weight_array))) and (
                len(weight_array) == 0 or float(weight_array.max()) < 65536
            )
            info: dict[str, Any] = {"unique": unique, "weights": "u2" if integral else "f4"}
            field_parts = [
                ("hashes", hashes),
                ("starts", start),
                ("counts", count.astype(np.uint32)),
                ("docs", doc_array.astype(doc_type)),
                ("weights", weight_array.astype(np.uint16) if integral else weight_array),
            ]
            if self.schema[name].scorable:
                totals = np.bincount(doc_array, weights=weight_array.astype(np.float64), minlength=doc_count)
                field_parts.append(("lengths", length_bytes(np.rint(totals).astype(np.int64))))
            for key, values in field_parts:
                info[key] = len(parts)
                parts.append((f"{name}.{key}", np.ascontiguousarray(values)))
            header["fields"][name] = info
        layout = []
        offset = 0
        for _key, values in parts:
            layout.append([values.dtype.str, int(values.size), offset])
            offset += -(-values.nbytes // _ALIGN) * _ALIGN
        header["arrays"] = layout
        header["size"] = offset
        head = json.dumps(header).encode("utf-8")
        head += b" " * (-(len(MAGIC) + 8 + len(head)) % _ALIGN)
        path = directory / file_name(segment_id)
        temporary = path.with_name(path.name + ".tmp")
        with open(temporary, "wb") as fh:
            fh.write(MAGIC + len(head).to_bytes(8, "little") + head)
            for _key, values in parts:
                data = values.tobytes()
                fh.write(data + b"\0" * (-len(data) % _ALIGN))
        os.replace(temporary, path)


_EMPTY_DOCS = np.zeros(0, dtype=np.int64)
_EMPTY_WEIGHTS = np.zeros(0, dtype=np.float64)


class SegmentArrays:
    """The arrays file of one segment, memory-mapped and read only."""

    def __init__(self, buffer: Any, header: dict[str, Any], base: int) -> None:
        self.doc_count: int = header["docs"]
        self._fields: dict[str, dict[str, Any]] = header["fields"]
        self._arrays = [
            np.frombuffer(buffer, dtype=np.dtype(dtype), count=size, offset=base + offset)
            for dtype, size, offset in header["arrays"]
        ]

    @classmethod
    def open(cls, directory: Path, segment_id: str, doc_count: int) -> SegmentArrays | None:
        """The segment's arrays, or None when it has none (or a file that does not fit it)."""
        path = directory / file_name(segment_id)
        try:
            with open(path, "rb") as fh:
                if os.fstat(fh.fileno()).st_size < len(MAGIC) + 8:
                    return None
                buffer = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        except (FileNotFoundError, ValueError):
            return None
        try:
            if buffer[: len(MAGIC)] != MAGIC:
                return None
            head_size = int.from_bytes(buffer[len(MAGIC) : len(MAGIC) + 8], "little")
            base = len(MAGIC) + 8 + head_size
            header = json.loads(bytes(buffer[len(MAGIC) + 8 : base]))
            if header.get("docs") != doc_count or base + header["size"] != len(buffer):
                return None
            return cls(buffer, header, base)
        except (ValueError, KeyError):
            return None

    def has_field(self, fieldname: str) -> bool:
        info = self._fields.get(fieldname)
        return info is not None and info["unique"]

    def postings(self, fieldname: str, tbytes: bytes) -> tuple[np.ndarray, np.ndarray]:
        """(documents, weights) of a term in a captured field; empty when the term is absent."""
        info = self._fields[fieldname]
        hashes = self._arrays[info["hashes"]]
        key = np.uint64(term_hash(tbytes))
        at = int(np.searchsorted(hashes, key))
        if at >= len(hashes) or hashes[at] != key:
            return _EMPTY_DOCS, _EMPTY_WEIGHTS
        start = int(self._arrays[info["starts"]][at])
        end = start + int(self._arrays[info["counts"]][at])
        docs = self._arrays[info["docs"]][start:end].astype(np.int64)
        weights = self._arrays[info["weights"]][start:end].astype(np.float32).astype(np.float64)
        return docs, weights

    def docs_of_terms(self, fieldname: str, hashes: np.ndarray) -> np.ndarray:
        """The documents of every term among ``hashes`` (``term_hash`` values) in a captured
        field, one entry per term a document has: a document with two of them comes twice."""
        info = self._fields[fieldname]
        term_hashes = self._arrays[info["hashes"]]
        at = np.searchsorted(term_hashes, hashes)
        inside = at < len(term_hashes)
        at = at[inside]
        at = at[term_hashes[at] == hashes[inside]]
        if not len(at):
            return _EMPTY_DOCS
        starts, counts = self._arrays[info["starts"]][at], self._arrays[info["counts"]][at]
        docs = self._arrays[info["docs"]]
        return np.concatenate([docs[int(s) : int(s) + int(c)] for s, c in zip(starts, counts, strict=True)])

    def lengths(self, fieldname: str) -> np.ndarray | None:
        """Each document's length byte in a scorable captured field."""
        info = self._fields.get(fieldname)
        if info is None or "lengths" not in info:
            return None
        return self._arrays[info["lengths"]]


def _segment_postings(reader: Any) -> Iterator[tuple]:
    """A segment's postings of the captured fields in the pool's order (field, term,
    document), read back through Whoosh; deleted documents are left out (searches drop
    them anyway)."""
    schema = reader.schema
    for fieldname in sorted(reader.indexed_field_names()):
        if not captured(schema, fieldname):
            continue
        for tbytes in reader.lexicon(fieldname):
            matcher = reader.postings(fieldname, tbytes)
            while matcher.is_active():
                yield fieldname, tbytes, matcher.id(), matcher.weight(), None
                matcher.next()


def write_missing(ix: Any, directory: Path) -> int:
    """Arrays for every segment of the index that has none (written before they existed),
    read back from Whoosh's postings (about a minute per 20,000 articles). The caller holds
    the index's run lock. Returns how many segments got arrays."""
    written = 0
    with ix.reader() as top:
        for reader, _base in top.leaf_readers():
            segment = reader.segment() if hasattr(reader, "segment") else None
            if segment is None or (directory / file_name(segment.segment_id())).exists():
                continue
            capture = PostingsCapture(reader.schema)
            for _posting in capture.wrap(_segment_postings(reader)):
                pass
            capture.write(str(directory), segment.segment_id(), segment.doc_count_all())
            written += 1
    return written
