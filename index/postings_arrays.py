"""Each segment's postings again, as flat arrays in a file beside it, for searching at array speed.

Whoosh keeps postings as pickled, compressed blocks of 128, decoded one Python object at a
time: about a microsecond per posting, so a common word over 200,000 articles cost tens of
milliseconds per field before anything was scored. While Whoosh writes a segment (new
articles or a merge), every posting of the searched fields passes through its pool in
(field, term, document) order; ``PostingsCapture`` records them on the way, and the segment
gets a ``<segment id>.arrays`` file: per field, the terms (by a 64-bit hash, sorted), where
each term's documents and weights start, and each document's length byte as Whoosh stores
it; for a positional field, every posting's positions too. Readers memory-map the file: a
term's postings are two array slices, and its positions in some documents one gather.

The file is named like the segment's own files, so Whoosh deletes it with the segment and
the index's orphan sweep keeps it while the segment lives. Segments without one (indexes
written before, or a field not captured) are read through Whoosh, with the same results.

A search looks a term up in every segment, and an index keeps a segment per 3,000 articles
(Whoosh's merges cost about as much as indexing afresh, so settled segments are not merged).
A *group* is the arrays of GROUP_FACTOR consecutive settled segments, or of GROUP_FACTOR
consecutive groups, merged into one file of the same layout (``write_groups``, after each
commit): a term is one lookup per group. Its name begins with its first segment's id, so it
is deleted with that segment; a group whose segments are no longer consecutive in the commit
is not used, and groups merged into a larger one are deleted.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import mmap
import os
import re
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from pickle import loads
from typing import Any

import numpy as np
from berita_search.index.whoosh_internals import committed_segments
from whoosh import formats
from whoosh.fields import NUMERIC
from whoosh.system import _INT_SIZE
from whoosh.util.numeric import byte_to_length

EXTENSION = "arrays"
MAGIC = b"BSARRAY1"
_ALIGN = 8
GROUP_FACTOR = 8  # consecutive segments (or groups of one level) merged into a group
MAX_GROUP_ARTICLES = 250_000  # bounds the memory and time of one group's merge
_GROUP_CHUNK = 1 << 20  # postings gathered at a time while a group is written
_GROUP_FILE = re.compile(r"^(?P<first>[A-Za-z0-9_]+)\.g(?P<digest>[0-9a-f]{16})\." + EXTENSION + "$")
# Fields never searched by word through the arrays: unique ids (one posting per term) and
# numeric fields (the trie terms of the date and of the added stamp). Word pairs are kept (a
# phrase's filter), and so are the copy finder's band terms: it looks them up while indexing.
_SKIPPED = frozenset({"id", "id_hash", "dup_key"})
# byte -> length, as Whoosh decodes the length byte it stores per document and field
_BYTE_LENGTHS = [byte_to_length(b) for b in range(256)]
LENGTH_OF_BYTE = np.asarray(_BYTE_LENGTHS, dtype=np.float64)
_LENGTH_BOUNDS = np.asarray(_BYTE_LENGTHS, dtype=np.int64)
_NO_INTS = np.zeros(0, dtype=np.int64)


def captured(schema: Any, fieldname: str) -> bool:
    """Whether a field's postings go into the arrays."""
    if fieldname in _SKIPPED or fieldname not in schema:
        return False
    field = schema[fieldname]
    return bool(field.indexed) and not isinstance(field, NUMERIC)


def positional(schema: Any, fieldname: str) -> bool:
    """Whether a field's postings carry Whoosh's positions (its phrases read them)."""
    return type(schema[fieldname].format) is formats.Positions


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
        # positional fields: (frequency of each posting, the position deltas of all of them)
        self.positions: dict[str, tuple[array, array]] = {}

    def wrap(self, postings: Iterator[tuple]) -> Iterator[tuple]:
        """``postings`` unchanged, recorded on the way (sorted by field, term, document)."""
        current_field = None
        capturing = is_positional = False
        last_term = None
        terms: list[bytes] = []
        starts = docs = weights = array("Q")
        frequencies = deltas = array("I")
        for posting in postings:
            fieldname = posting[0]
            if fieldname != current_field:
                current_field, last_term = fieldname, None
                capturing = captured(self.schema, fieldname)
                is_positional = capturing and positional(self.schema, fieldname)
                if capturing:
                    terms, starts, docs, weights = self.fields.setdefault(
                        fieldname, ([], array("Q"), array("I"), array("f"))
                    )
                if is_positional:
                    frequencies, deltas = self.positions.setdefault(fieldname, (array("I"), array("I")))
            if capturing:
                tbytes = posting[1]
                if tbytes != last_term:
                    terms.append(tbytes)
                    starts.append(len(docs))
                    last_term = tbytes
                docs.append(posting[2])
                weights.append(posting[3])
                if is_positional:
                    # Whoosh's Positions value: the count, then the pickled list of deltas
                    # (``formats.Positions.decode_positions``); added up when the file is written.
                    value = posting[4]
                    found = loads(value[_INT_SIZE:] if value.endswith(b".") else value[_INT_SIZE:] + b".")
                    frequencies.append(len(found))
                    deltas.extend(found)
            yield posting

    def write(self, folder: str, segment_id: str, doc_count: int) -> None:
        """The arrays file of the segment, written whole under a temporary name, then renamed.
        Every captured field is in it, those without postings in this segment too: a search
        looks such a field up in the arrays, where it would ask Whoosh's term table."""
        directory = Path(folder)
        parts: list[tuple[str, np.ndarray]] = []
        header: dict[str, Any] = {"docs": doc_count, "fields": {}}
        doc_type = np.uint16 if doc_count <= 0xFFFF else np.uint32
        for name in sorted(set(self.fields) | {n for n in self.schema.names() if captured(self.schema, n)}):
            terms, starts, docs, weights = self.fields.get(name) or ([], array("Q"), array("I"), array("f"))
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
            if positional(self.schema, name):
                frequencies, deltas = self.positions.get(name) or (array("I"), array("I"))
                field_parts += _position_parts(frequencies, deltas, start, weight_array)
            for key, values in field_parts:
                info[key] = len(parts)
                parts.append((f"{name}.{key}", np.ascontiguousarray(values)))
            header["fields"][name] = info
        _write_file(directory / file_name(segment_id), header, [(v.dtype, v.size, _whole(v)) for _k, v in parts])


def _position_parts(
    frequencies: array, deltas: array, term_starts: np.ndarray, weights: np.ndarray
) -> list[tuple[str, np.ndarray]]:
    """A positional field's positions: every posting's, in posting order, and where each
    term's positions begin (``term_starts``: each term's first posting, in the file's order
    of terms).
    A reader finds a posting's positions from its weight, which is its frequency; a field
    where it is not gets no positions."""
    frequency = np.frombuffer(frequencies, dtype=np.uint32).astype(np.int64) if len(frequencies) else _NO_INTS
    if not np.array_equal(frequency, weights.astype(np.float64)):
        return []
    running = np.cumsum(np.frombuffer(deltas, dtype=np.uint32), dtype=np.int64) if len(deltas) else _NO_INTS
    before = np.concatenate(([0], np.cumsum(frequency)))  # positions before each posting
    # Deltas restart at each posting: subtract the running sum where the posting begins.
    positions = running - np.repeat(np.concatenate(([0], running))[before[:-1]], frequency)
    small = not len(positions) or int(positions.max()) <= 0xFFFF
    return [
        ("position_starts", before[term_starts.astype(np.int64)].astype(np.uint64)),
        ("positions", positions.astype(np.uint16 if small else np.uint32)),
    ]


def _whole(values: np.ndarray) -> Callable[[], Iterator[np.ndarray]]:
    return lambda: iter((values,))


def _write_file(
    path: Path, header: dict[str, Any], parts: list[tuple[np.dtype, int, Callable[[], Iterator[np.ndarray]]]]
) -> None:
    """An arrays file: the header (with each array's dtype, size and offset), then the arrays,
    each written as its producer yields it in pieces; under a temporary name, then renamed."""
    layout = []
    offset = 0
    for dtype, size, _produce in parts:
        layout.append([np.dtype(dtype).str, int(size), offset])
        offset += -(-int(size) * np.dtype(dtype).itemsize // _ALIGN) * _ALIGN
    header["arrays"] = layout
    header["size"] = offset
    head = json.dumps(header).encode("utf-8")
    head += b" " * (-(len(MAGIC) + 8 + len(head)) % _ALIGN)
    temporary = path.with_name(path.name + ".tmp")
    try:
        with open(temporary, "wb") as fh:
            fh.write(MAGIC + len(head).to_bytes(8, "little") + head)
            for dtype, size, produce in parts:
                written = 0
                for piece in produce():
                    data = np.ascontiguousarray(piece, dtype=dtype).tobytes()
                    fh.write(data)
                    written += len(data)
                if written != int(size) * np.dtype(dtype).itemsize:
                    raise ValueError(f"{path.name}: an array of {size} values was written as {written} bytes")
                fh.write(b"\0" * (-written % _ALIGN))
        os.replace(temporary, path)
    except BaseException:
        # Named like the segment's files, a partial file would outlive the run with its segment.
        with contextlib.suppress(OSError):
            os.remove(temporary)
        raise


_EMPTY_DOCS = np.zeros(0, dtype=np.int64)
_EMPTY_WEIGHTS = np.zeros(0, dtype=np.float64)


class SegmentArrays:
    """The arrays file of one segment, memory-mapped and read only."""

    def __init__(self, buffer: Any, header: dict[str, Any], base: int) -> None:
        self.doc_count: int = header["docs"]
        self.members: list[str] = header.get("members", [])  # a group's segment ids, in order
        self.level: int = header.get("level", 0)  # a group of segments is 1, a group of those 2
        self._fields: dict[str, dict[str, Any]] = header["fields"]
        self._buffer = buffer
        self._arrays = [
            np.frombuffer(buffer, dtype=np.dtype(dtype), count=size, offset=base + offset)
            for dtype, size, offset in header["arrays"]
        ]

    @classmethod
    def open(cls, directory: Path, segment_id: str, doc_count: int) -> SegmentArrays | None:
        """The segment's arrays, or None when it has none (or a file that does not fit it)."""
        return cls.open_file(directory / file_name(segment_id), doc_count)

    @classmethod
    def open_file(cls, path: Path, doc_count: int | None) -> SegmentArrays | None:
        """An arrays file of ``doc_count`` documents (any, when None); None when it does not fit."""
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
            if (doc_count is not None and header.get("docs") != doc_count) or base + header["size"] != len(buffer):
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
        found = self._term(info, tbytes)
        if found is None:
            return _EMPTY_DOCS, _EMPTY_WEIGHTS
        _at, start, end = found
        docs = self._arrays[info["docs"]][start:end].astype(np.int64)
        weights = self._arrays[info["weights"]][start:end].astype(np.float32).astype(np.float64)
        return docs, weights

    def _term(self, info: dict[str, Any], tbytes: bytes) -> tuple[int, int, int] | None:
        """(its place among the field's terms, where its postings start and end) of a term;
        None when the field does not hold it."""
        hashes = self._arrays[info["hashes"]]
        key = np.uint64(term_hash(tbytes))
        at = int(np.searchsorted(hashes, key))
        if at >= len(hashes) or hashes[at] != key:
            return None
        start = int(self._arrays[info["starts"]][at])
        return at, start, start + int(self._arrays[info["counts"]][at])

    def field_arrays(self, fieldname: str) -> tuple[np.ndarray, ...] | None:
        """(hashes, starts, counts, docs, weights) of a field held with unique term hashes."""
        info = self._fields.get(fieldname)
        if info is None or not info["unique"]:
            return None
        return tuple(self._arrays[info[key]] for key in ("hashes", "starts", "counts", "docs", "weights"))

    def position_arrays(self, fieldname: str) -> tuple[np.ndarray, np.ndarray] | None:
        """(position_starts, positions) of a positional field held with unique term hashes."""
        info = self._fields.get(fieldname)
        if info is None or not info["unique"] or "positions" not in info:
            return None
        return self._arrays[info["position_starts"]], self._arrays[info["positions"]]

    def current(self, schema: Any) -> bool:
        """Whether the file holds what a commit now records for ``schema``: every captured
        field (word pairs and fields without postings included), positions for positional ones."""
        for name in schema.names():
            if not captured(schema, name):
                continue
            info = self._fields.get(name)
            if info is None or (positional(schema, name) and "positions" not in info):
                return False
        return True

    def field_names(self) -> list[str]:
        return list(self._fields)

    def release(self) -> None:
        """Hand the file's pages read so far back to the kernel (they are read again if used):
        a group's merge reads every page of its parts once."""
        with contextlib.suppress(ValueError, OSError):
            self._buffer.madvise(mmap.MADV_DONTNEED)

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

    def has_positions(self, fieldname: str) -> bool:
        return self.position_arrays(fieldname) is not None

    def positions(self, fieldname: str, tbytes: bytes, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(document, position) of every position of a term in ``docs`` (sorted, each holding
        the term), in order: the documents repeated, once for each of their positions."""
        info = self._fields[fieldname]
        found = self._term(info, tbytes) if len(docs) else None
        if found is None:
            return _EMPTY_DOCS, _EMPTY_DOCS
        at, start, end = found
        term_docs = self._arrays[info["docs"]][start:end]
        frequency = self._arrays[info["weights"]][start:end].astype(np.int64)  # a weight is its frequency
        at_docs = np.searchsorted(term_docs, docs)
        if at_docs[-1] >= len(term_docs) or not np.array_equal(term_docs[at_docs], docs):
            raise ValueError(f"positions asked for documents without the term in {fieldname}")
        before = np.cumsum(frequency) - frequency
        counts = frequency[at_docs]
        first = int(self._arrays[info["position_starts"]][at])
        where = _ranges(before[at_docs] + first, counts)
        return np.repeat(docs.astype(np.int64), counts), self._arrays[info["positions"]][where].astype(np.int64)

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
        with_positions = positional(schema, fieldname)
        for tbytes in reader.lexicon(fieldname):
            matcher = reader.postings(fieldname, tbytes)
            while matcher.is_active():
                yield fieldname, tbytes, matcher.id(), matcher.weight(), matcher.value() if with_positions else None
                matcher.next()


def outdated_segments(ix: Any, directory: Path) -> list[str]:
    """The segments whose arrays are missing or lack what commits now record."""
    return [s.segment_id() for s in committed_segments(ix) if _to_write(directory, s, ix.schema, older=True)]


def _to_write(directory: Path, segment: Any, schema: Any, older: bool) -> bool:
    arrays = SegmentArrays.open(directory, segment.segment_id(), segment.doc_count_all())
    return arrays is None or (older and not arrays.current(schema))


def write_missing(ix: Any, directory: Path, older: bool = False) -> list[str]:
    """Arrays for every segment of the index that has none (written before they existed) or,
    with ``older``, whose arrays lack what commits now record (``SegmentArrays.current``),
    read back from Whoosh's postings (about a minute per 20,000 articles). Groups holding a
    rewritten segment are deleted: the next grouping merges them again. The caller holds the
    index's run lock. Returns the ids of the segments written."""
    written: list[str] = []
    with ix.reader() as top:
        for reader, _base in top.leaf_readers():
            segment = reader.segment() if hasattr(reader, "segment") else None
            if segment is None or not _to_write(directory, segment, reader.schema, older):
                continue
            count = segment.doc_count_all()
            capture = PostingsCapture(reader.schema)
            for _posting in capture.wrap(_segment_postings(reader)):
                pass
            capture.write(str(directory), segment.segment_id(), count)
            written.append(segment.segment_id())
    if written:
        segments = [(s.segment_id(), s.doc_count_all()) for s in committed_segments(ix)]
        for path, group, _first in _groups_on_disk(directory, segments):
            if group is not None and set(written).intersection(group.members):
                with contextlib.suppress(FileNotFoundError):
                    os.remove(path)
    return written


# ---------------------------------------------------------------- groups


def group_file_name(members: list[str]) -> str:
    digest = hashlib.blake2b("\n".join(members).encode("ascii"), digest_size=8).hexdigest()
    return f"{members[0]}.g{digest}.{EXTENSION}"


@dataclass(frozen=True)
class Unit:
    """A run of consecutive segments of a commit read as one: a group, or one segment."""

    first: int  # the run's first segment, by its place in the commit
    count: int  # segments in the run
    arrays: SegmentArrays | None  # the group's arrays; None for a lone segment

    @property
    def level(self) -> int:
        return self.arrays.level if self.arrays is not None else 0


def _groups_on_disk(
    directory: Path, segments: list[tuple[str, int]]
) -> Iterator[tuple[Path, SegmentArrays | None, int | None]]:
    """(path, arrays, first segment) of every group file whose first segment is in the commit
    (the others go with that segment); the first segment is None when the group does not fit
    the commit: its segments no longer stand together in this order, or it cannot be read."""
    position = {segment_id: n for n, (segment_id, _count) in enumerate(segments)}
    try:
        names = os.listdir(directory)
    except OSError:
        names = []
    for name in names:
        found = _GROUP_FILE.match(name)
        if found is None or found["first"] not in position:
            continue
        arrays = SegmentArrays.open_file(directory / name, None)
        first = position[found["first"]]
        covered = segments[first : first + len(arrays.members)] if arrays is not None else []
        fits = (
            arrays is not None
            and [segment_id for segment_id, _count in covered] == arrays.members
            and sum(count for _id, count in covered) == arrays.doc_count
        )
        yield directory / name, arrays, first if fits else None


def commit_units(directory: Path, segments: list[tuple[str, int]]) -> list[Unit]:
    """The commit's segments ((id, documents) in order) covered by the largest groups on disk
    whose segments stand together in this order; a segment no group covers is its own unit."""
    starting: dict[int, list[SegmentArrays]] = {}
    for _path, arrays, first in _groups_on_disk(directory, segments):
        if arrays is not None and first is not None:
            starting.setdefault(first, []).append(arrays)
    units: list[Unit] = []
    n = 0
    while n < len(segments):
        group = max(starting.get(n, []), key=lambda arrays: len(arrays.members), default=None)
        count = len(group.members) if group is not None else 1
        units.append(Unit(n, count, group))
        n += count
    return units


def write_groups(directory: Path, segments: list[tuple[str, int]], settled: set[str], factor: int | None = None) -> int:
    """Group the commit's settled segments ((id, documents) in order; ``settled`` names those
    that merging will leave alone): GROUP_FACTOR consecutive units of one level become a group
    of the next, as long as a group holds at most MAX_GROUP_ARTICLES. Groups whose segments no
    longer stand together are deleted (a reader that mapped one keeps its pages). The caller
    holds the index's run lock. Returns how many groups were written."""
    factor = factor or GROUP_FACTOR
    for path, _arrays, first in _groups_on_disk(directory, segments):
        if first is None:
            with contextlib.suppress(FileNotFoundError):
                os.remove(path)
    written = 0
    while True:
        run: list[Unit] = []
        made = False
        for unit in commit_units(directory, segments):
            members = segments[unit.first : unit.first + unit.count]
            groupable = (unit.arrays is not None or _has_arrays(directory, members[0])) and all(
                segment_id in settled for segment_id, _count in members
            )
            if not groupable or (run and run[0].level != unit.level):
                run = []
            if groupable:
                run.append(unit)
            if len(run) == factor:
                covered = segments[run[0].first : run[-1].first + run[-1].count]
                if sum(count for _id, count in covered) <= MAX_GROUP_ARTICLES:
                    made = _write_group(directory, run, covered, unit.level + 1)
                    written += int(made)
                    if made:
                        # The groups merged into the new one are no longer read: their space back.
                        for merged in (u.arrays for u in run if u.arrays is not None):
                            with contextlib.suppress(FileNotFoundError):
                                os.remove(directory / group_file_name(merged.members))
                        break
                run = run[1:]
        if not made:
            return written


def _has_arrays(directory: Path, segment: tuple[str, int]) -> bool:
    return (directory / file_name(segment[0])).exists()


def _write_group(directory: Path, run: list[Unit], covered: list[tuple[str, int]], level: int) -> bool:
    """Merge the arrays of ``run`` (consecutive units) into a group file. False when a member's
    arrays cannot be read. One field is merged at a time, and the parts' pages it read are
    handed back, so that merging a group of 200,000 articles stays within tens of megabytes
    besides the pages being read."""
    parts: list[SegmentArrays] = []
    for unit in run:
        if unit.arrays is not None:
            parts.append(unit.arrays)
            continue
        segment_id, count = covered[unit.first - run[0].first]
        arrays = SegmentArrays.open(directory, segment_id, count)
        if arrays is None:
            return False
        parts.append(arrays)
    offsets = np.cumsum([0] + [part.doc_count for part in parts])
    doc_count = int(offsets[-1])
    doc_type = np.dtype(np.uint16 if doc_count <= 0xFFFF else np.uint32)
    members = [segment_id for segment_id, _count in covered]
    header: dict[str, Any] = {"docs": doc_count, "fields": {}, "members": members, "level": level}
    layout: list[tuple[np.dtype, int, Callable[[], Iterator[np.ndarray]]]] = []
    names = sorted(set.intersection(*(set(part.field_names()) for part in parts)))
    merging: dict[str, _MergedField] = {}  # the one field being written

    def merged(name: str) -> _MergedField:
        if name not in merging:
            merging.clear()
            for part in parts:
                part.release()
            merging[name] = _MergedField(
                [f for part in parts if (f := part.field_arrays(name)) is not None],
                offsets,
                [part.position_arrays(name) for part in parts],
            )
        return merging[name]

    def produce(name: str, column: str) -> Callable[[], Iterator[np.ndarray]]:
        """The merged field's ``column``: a whole array (per term) or its pieces (per posting)."""

        def values() -> Iterator[np.ndarray]:
            value = getattr(merged(name), column)
            return value() if callable(value) else iter((value,))

        return values

    for name in names:
        fields = [part.field_arrays(name) for part in parts]
        if any(f is None for f in fields):
            continue  # a field some part holds with colliding hashes: read segment by segment
        held = [f for f in fields if f is not None]
        terms = len(np.unique(np.concatenate([f[0] for f in held])))
        total = sum(int(f[2].sum(dtype=np.int64)) for f in held)
        weight_type = np.dtype(np.uint16) if all(f[4].dtype == np.uint16 for f in held) else np.dtype(np.float32)
        info: dict[str, Any] = {"unique": True, "weights": "u2" if weight_type == np.uint16 else "f4"}
        columns: list[tuple[str, np.dtype, int, Callable[[], Iterator[np.ndarray]]]] = [
            ("hashes", np.dtype(np.uint64), terms, produce(name, "hashes")),
            ("starts", np.dtype(np.uint64), terms, produce(name, "starts")),
            ("counts", np.dtype(np.uint32), terms, produce(name, "counts")),
            ("docs", doc_type, total, produce(name, "docs")),
            ("weights", weight_type, total, produce(name, "weights")),
        ]
        held_positions = [part.position_arrays(name) for part in parts]
        if all(p is not None for p in held_positions):
            positions = sum(len(p[1]) for p in held_positions if p is not None)
            position_type = np.dtype(
                np.uint16 if all(p[1].dtype == np.uint16 for p in held_positions if p is not None) else np.uint32
            )
            columns += [
                ("position_starts", np.dtype(np.uint64), terms, produce(name, "position_starts")),
                ("positions", position_type, positions, produce(name, "positions")),
            ]
        for key, dtype, size, pieces in columns:
            info[key] = len(layout)
            layout.append((dtype, size, pieces))
        header["fields"][name] = info
    _write_file(directory / group_file_name(members), header, layout)
    return True


class _MergedField:
    """One field of several consecutive parts' arrays as one: each term's postings are its
    postings in each part, in the parts' order, documents shifted by the part's offset; its
    positions (where every part holds them) likewise."""

    def __init__(
        self,
        fields: list[tuple[np.ndarray, ...]],
        offsets: np.ndarray,
        positions: list[tuple[np.ndarray, np.ndarray] | None] | None = None,
    ) -> None:
        self.fields = fields
        self.offsets = offsets
        hashes = np.concatenate([f[0] for f in fields])
        part = np.repeat(np.arange(len(fields), dtype=np.int16), [len(f[0]) for f in fields])
        order = np.lexsort((part, hashes))  # by term, then by part: documents stay in order
        self.part = part[order]
        self.entry_starts = np.concatenate([f[1] for f in fields]).astype(np.int64)[order]
        self.entry_counts = np.concatenate([f[2] for f in fields]).astype(np.int64)[order]
        hashes = hashes[order]
        first = np.ones(len(hashes), dtype=bool)
        first[1:] = hashes[1:] != hashes[:-1]
        self.hashes = hashes[first]
        at = np.flatnonzero(first)
        self.counts = self._per_term(self.entry_counts, at)
        self.starts = np.cumsum(self.counts) - self.counts
        self.total = int(self.entry_counts.sum())
        self.position_parts: list[np.ndarray] = []
        if positions and all(p is not None for p in positions):
            held = [p for p in positions if p is not None]
            self.position_parts = [p[1] for p in held]
            # A term's positions in a part: as many as its postings' weights (its frequencies) add up to.
            spans = []
            for _hashes, starts, counts, _docs, weights in fields:
                running = np.concatenate(([0], np.cumsum(weights, dtype=np.int64)))
                begin = starts.astype(np.int64)
                spans.append(running[begin + counts.astype(np.int64)] - running[begin])
            self.entry_position_starts = np.concatenate([p[0] for p in held]).astype(np.int64)[order]
            self.entry_position_counts = np.concatenate(spans)[order]
            position_counts = self._per_term(self.entry_position_counts, at)
            self.position_starts = np.cumsum(position_counts) - position_counts

    @staticmethod
    def _per_term(entry_values: np.ndarray, at: np.ndarray) -> np.ndarray:
        return np.add.reduceat(entry_values, at) if len(at) else np.zeros(0, np.int64)

    def docs(self) -> Iterator[np.ndarray]:
        return self._gather([f[3] for f in self.fields], self.entry_starts, self.entry_counts, shift=True)

    def weights(self) -> Iterator[np.ndarray]:
        return self._gather([f[4] for f in self.fields], self.entry_starts, self.entry_counts, shift=False)

    def positions(self) -> Iterator[np.ndarray]:
        return self._gather(self.position_parts, self.entry_position_starts, self.entry_position_counts, shift=False)

    def _gather(
        self, columns: list[np.ndarray], entry_starts: np.ndarray, entry_counts: np.ndarray, shift: bool
    ) -> Iterator[np.ndarray]:
        """The merged entries' values from each part's ``columns`` (documents, weights or
        positions), a chunk of entries at a time; documents shifted by their part's offset."""
        ends = np.cumsum(entry_counts)
        entry = 0
        while entry < len(entry_counts):
            done = int(ends[entry - 1]) if entry else 0
            stop = max(int(np.searchsorted(ends, done + _GROUP_CHUNK, side="right")), entry + 1)
            counts = entry_counts[entry:stop]
            placed = np.cumsum(counts) - counts
            out = np.empty(int(counts.sum()), dtype=np.int64 if shift else np.float64)
            for n, column in enumerate(columns):
                mine = self.part[entry:stop] == n
                if not mine.any():
                    continue
                source = _ranges(entry_starts[entry:stop][mine], counts[mine])
                target = _ranges(placed[mine], counts[mine])
                values = column[source]
                out[target] = values.astype(np.int64) + int(self.offsets[n]) if shift else values
            yield out
            entry = stop


def _ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The positions start, start + 1, ..., start + count - 1 of every (start, count), concatenated."""
    total = int(counts.sum())
    if not total:
        return np.zeros(0, dtype=np.int64)
    shift = np.repeat(starts - (np.cumsum(counts) - counts), counts)
    return shift + np.arange(total, dtype=np.int64)
