"""Tabular exports: JSON Lines (or a JSON array), CSV/TSV and XLSX, one article per row, with
column names in English or Indonesian."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from berita_search.index.article import Article, usable_url
from berita_search.index.bylines import clean_reporter, finish_body
from berita_search.index.dates import epoch_date, note_unreadable, parse_date, publication_date
from berita_search.index.decoding import (
    MAX_FILE_BYTES,
    MAX_LINE_BYTES,
    BinaryFileError,
    binary_reason,
    bom_encoding,
    decode_bytes,
    too_large,
)
from berita_search.index.records import (
    MAX_FIELD_CHARS,
    MAX_LABEL_CHARS,
    MAX_TITLE_CHARS,
    Failure,
    KnownRows,
    Note,
    Record,
    Unchanged,
    row_digest,
)
from berita_search.index.text import clean_line, fix_mojibake, split_comma_paragraphs

# A cell may be as long as its file: an over-long one is cut and noted like a JSON body,
# instead of failing the whole row.
csv.field_size_limit(MAX_FILE_BYTES)
MAX_URL_CHARS = 4_096
MAX_TAGS = 100
# JSON nests three or four levels in real exports (IndoSum: paragraphs, sentences, tokens).
MAX_JSON_DEPTH = 64
# What a workbook may unpack to before openpyxl reads it: it holds the shared strings of the
# whole workbook in memory (1 GB of them took 3.3 GB). The largest CLICK-ID part is 9 MB.
MAX_XLSX_PART_BYTES = 256 * 2**20
MAX_XLSX_UNPACKED_BYTES = 1024 * 2**20

FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "title": ("title", "judul", "headline", "heading", "judul_berita"),
    "body": (
        "content",
        "isi",
        "isi_berita",
        "body",
        "text",
        "teks",
        "konten",
        "article",
        "artikel",
        "berita",
        "paragraphs",
    ),
    "date": (
        "date",
        "tanggal",
        "published",
        "published_at",
        "publish_date",
        "pubdate",
        "datetime",
        "tgl",
        "waktu_terbit",
        "tanggal_terbit",
    ),
    "time": ("time", "jam", "waktu", "pukul"),
    "url": ("url", "tautan", "link", "source_url", "permalink", "alamat"),
    "category": ("category", "kategori", "rubrik", "kanal", "section", "channel"),
    "subcategory": ("sub_category", "subcategory", "subkategori", "sub_kategori", "subrubrik"),
    "reporter": ("author", "reporter", "penulis", "wartawan", "byline", "writer", "authors", "pewarta"),
    "source": ("source", "media", "publisher", "penerbit", "sumber", "site", "outlet"),
    "caption": ("caption", "keterangan_foto", "photo_caption", "image_caption"),
    "tags": ("tags", "tag", "keywords", "topik", "kata_kunci"),
    "id": ("id", "doc_id", "article_id"),
}
_KEY_TO_FIELD = {alias: name for name, aliases in FIELD_ALIASES.items() for alias in aliases}


def _norm_key(key: str) -> str:
    return re.sub(r"[\s\-]+", "_", str(key).strip().lower())


def _detokenize(tokens: Iterable[str]) -> str:
    """Tokenised text back to prose: 'Senin ( 27 / 3 ) .' -> 'Senin (27/3).'."""
    text = " ".join(tokens)
    text = re.sub(r"\s+([.,;:!?%)\]}])", r"\1", text)
    text = re.sub(r"([(\[{])\s+", r"\1", text)
    text = re.sub(r"(\d)\s*([/])\s*(\d)", r"\1\2\3", text)
    text = re.sub(r'"\s+(.*?)\s+"', r'"\1"', text)
    return text


def _as_text(value: Any) -> str:
    """Cell or JSON value as text; nested token lists (IndoSum) become paragraphs."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        if all(isinstance(v, str) for v in value):
            return _detokenize(value)
        parts = [_as_text(v) for v in value]
        depth_sentence = value and isinstance(value[0], list) and value[0] and isinstance(value[0][0], str)
        return (" " if depth_sentence else "\n\n").join(p for p in parts if p)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _slug_title(url: str) -> str:
    slug = urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]
    slug = re.sub(r"\.\w+$", "", slug)
    words = [w for w in re.split(r"[-_]+", slug) if w and not w.isdigit() and not re.fullmatch(r"[0-9a-f]{5,}", w)]
    return " ".join(words).capitalize() if len(words) >= 3 else ""


def _source_from_url(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    parts = host.split(".")
    for i, part in enumerate(parts):
        if (
            part not in {"www", "m", "amp", "news", "regional", "nasional", "megapolitan", "lifestyle"}
            and i < len(parts) - 1
        ):
            return ".".join(parts[i:])
    return host


def _display_label(label: str) -> str:
    """Facet labels: '-' means none; 'SELEBRITI' and 'selebriti' both show as 'Selebriti'."""
    label = label.strip()
    if label in {"-", "--", "n/a", "N/A"}:
        return ""
    if label.isupper() and len(label) > 4 or label.islower():
        return " ".join(w[:1].upper() + w[1:].lower() for w in label.split())
    return label


def record_to_article(raw: dict[str, Any], origin: str) -> Article:
    """A JSONL object or CSV/XLSX row with any of the known column names, as an Article."""
    return _row_to_article(raw, origin)[0]


def _row_to_article(raw: dict[str, Any], origin: str) -> tuple[Article, list[str]]:
    """The Article of a row and notes on what was changed to keep it (cut cells, an unusable URL)."""
    fields: dict[str, Any] = {}
    for key, value in raw.items():
        name = _KEY_TO_FIELD.get(_norm_key(key))
        if name and name not in fields and value not in (None, ""):
            fields[name] = value
    notes: list[str] = []

    def text_of(name: str, limit: int = MAX_LABEL_CHARS, what: str = "") -> str:
        text = _as_text(fields.get(name))
        if len(text) > limit:
            notes.append(f"{what or name} cut to {limit:,} of {len(text):,} characters")
            text = text[:limit]
        return text

    url = text_of("url").strip()
    if len(url) > MAX_URL_CHARS:
        notes.append(f"URL of {len(url):,} characters not kept; id from the text")
        url = ""
    elif url and not usable_url(url):
        notes.append(f"URL {url[:60]!r} names no web page; id from the text")
    title = clean_line(text_of("title", MAX_TITLE_CHARS))
    body_raw = fix_mojibake(text_of("body", MAX_FIELD_CHARS))
    body, trailing_reporter, outlet = finish_body(split_comma_paragraphs(body_raw))
    if not title:
        title = _slug_title(url) or clean_line(re.split(r"(?<=[.!?])\s", body, maxsplit=1)[0])[:160]
    if not title and not body:
        raise ValueError("no title or body")
    date_text = text_of("date").strip()
    time_text = text_of("time").strip()
    parsed = parse_date(date_text, time_text) if date_text else None
    findings = [note_unreadable(date_text)] if date_text and parsed is None and date_text not in {"-", "--"} else []
    if parsed is None and not date_text:
        parsed = epoch_date(_as_text(fields.get("id")))
    published, date_note = publication_date(parsed, findings, url if usable_url(url) else "")
    reporter_raw = fields.get("reporter")
    if isinstance(reporter_raw, list):
        fields["reporter"] = ", ".join(map(str, reporter_raw))
    reporter = clean_reporter(clean_line(text_of("reporter"))) if reporter_raw else trailing_reporter
    tags_raw = fields.get("tags")
    if isinstance(tags_raw, list):
        if len(tags_raw) > MAX_TAGS:
            notes.append(f"{len(tags_raw):,} tags; the first {MAX_TAGS} kept")
        tags = [clean_line(str(t)[:MAX_LABEL_CHARS]) for t in tags_raw[:MAX_TAGS] if str(t).strip()]
    else:
        tags = [clean_line(t) for t in re.split(r"[,;|]", text_of("tags")) if t.strip()]
    source = clean_line(text_of("source")) or outlet or (_source_from_url(url) if usable_url(url) else "")
    article = Article(
        title=title,
        body=body,
        url=url,
        source=source.lower() if "." in source and " " not in source else source,
        category=_display_label(clean_line(text_of("category"))),
        subcategory=_display_label(clean_line(text_of("subcategory"))),
        reporter=reporter,
        published=published.value if published else None,
        published_has_time=bool(published and published.has_time),
        caption=clean_line(text_of("caption")),
        tags=tags,
        date_note=date_note,
        origin=origin,
    )
    return article, notes


def _article_records(
    raw: dict[str, Any], where: str, note: str = "", known: KnownRows | None = None
) -> Iterator[Record]:
    """One row as an Article, with notes on what was changed to keep it; a Failure if it cannot
    be; Unchanged, without parsing, if the same row is already indexed."""
    digest = row_digest(raw)
    if known and (article_id := known.get(digest)):
        yield Unchanged(where, article_id)
        return
    try:
        article, notes = _row_to_article(raw, where)
    except ValueError as exc:
        yield Failure(where, str(exc))
        return
    article.row_digest = digest
    for text in [note, *notes] if note else notes:
        yield Note(where, text)
    yield article


def _records(
    rows: Iterable[tuple[int, dict[str, Any]]], origin: str, unit: str, known: KnownRows | None = None
) -> Iterator[Record]:
    for number, row in rows:
        yield from _article_records(row, f"{origin}:{unit} {number}", known=known)


# ---------------------------------------------------------------- JSON Lines and JSON arrays


class _TooDeep(ValueError):
    def __init__(self) -> None:
        super().__init__(f"nested more than {MAX_JSON_DEPTH} levels deep")


def _loads(text: str) -> Any:
    """json.loads, with nesting too deep to read (or to handle) as a ValueError, not a
    RecursionError that would stop the run."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise _TooDeep() from None
    stack = [(value, 1)] if isinstance(value, dict | list) else []
    while stack:  # without recursion: the depth is what is being checked
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item
        if depth > MAX_JSON_DEPTH:
            raise _TooDeep()
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return value


def read_jsonl_file(path: Path, origin: str, known: KnownRows | None = None) -> Iterator[Record]:
    with path.open("rb") as fh:
        head = fh.read(8192)
        if reason := binary_reason(head):
            yield Failure(origin, reason)
            return
        fh.seek(0)
        notes: dict[int, str] = {}
        lines: Iterable[tuple[int, Any]]
        wide = bool(bom_encoding(head))  # UTF-16 or UTF-32: lines are not byte lines
        array = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"["
        # Both are decoded whole; UTF-8 lines are read one at a time, of any number.
        if (wide or array) and (size := os.fstat(fh.fileno()).st_size) > MAX_FILE_BYTES:
            yield Failure(origin, too_large(size))
            return
        if wide:
            text, note = decode_bytes(fh.read())
            if note:
                yield Note(origin, note)
            if text.lstrip().startswith("["):
                yield from _json_array(text, origin, known)
                return
            lines = _parsed_lines(enumerate(text.split("\n"), 1))
        elif array:
            yield from _json_array(decode_bytes(fh.read())[0], origin, known)
            return
        else:
            lines = _parsed_lines(_byte_lines(fh, notes))
        found = False
        for record in _json_items(lines, origin, "line", notes, known):
            found = True
            yield record
        if not found:
            yield Failure(origin, "no records (only blank lines)")


def _json_array(text: str, origin: str, known: KnownRows | None) -> Iterator[Record]:
    """A JSON array file rather than JSON Lines."""
    try:
        items = _loads(text)
    except ValueError as exc:
        yield Failure(origin, f"invalid JSON: {exc}")
        return
    if not isinstance(items, list):
        items = [items]
    yield from _json_items(enumerate(items, 1), origin, "item", known=known)


class LineTooLong(ValueError):
    pass


def _byte_lines(fh: io.BufferedReader, notes: dict[int, str]) -> Iterator[tuple[int, str | Exception]]:
    for number, raw in enumerate(iter(lambda: fh.readline(MAX_LINE_BYTES + 1), b""), 1):
        if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            while (rest := fh.readline(2**20)) and not rest.endswith(b"\n"):
                pass  # the rest of the line, read in bounded pieces and dropped
            yield number, LineTooLong(f"line longer than {MAX_LINE_BYTES // 2**20} MiB")
            continue
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        if not raw.strip():
            continue
        try:
            text, note = decode_bytes(raw.rstrip(b"\r\n"))
        except BinaryFileError as exc:
            yield number, exc
            continue
        if note:
            notes[number] = note
        yield number, text


def _parsed_lines(lines: Iterable[tuple[int, str | Exception]]) -> Iterator[tuple[int, Any]]:
    for number, text in lines:
        if isinstance(text, Exception):
            yield number, text
            continue
        if not text.strip():
            continue
        try:
            yield number, _loads(text)
        except ValueError as exc:  # json.JSONDecodeError is one
            yield number, exc


def _json_items(
    items: Iterable[tuple[int, Any]],
    origin: str,
    unit: str,
    notes: dict[int, str] | None = None,
    known: KnownRows | None = None,
) -> Iterator[Record]:
    for number, item in items:
        where = f"{origin}:{unit} {number}"
        if isinstance(item, LineTooLong):
            yield Failure(where, str(item))
        elif isinstance(item, Exception):
            yield Failure(where, f"invalid JSON ({item})")
        elif not isinstance(item, dict):
            yield Failure(where, f"expected a JSON object, got {type(item).__name__}")
        else:
            yield from _article_records(item, where, (notes or {}).pop(number, ""), known)


# ---------------------------------------------------------------- CSV and TSV


def read_csv_file(path: Path, origin: str, known: KnownRows | None = None) -> Iterator[Record]:
    data = path.read_bytes()
    try:
        text, note = decode_bytes(data)
    except BinaryFileError as exc:
        yield Failure(origin, str(exc))
        return
    if not text.strip():
        yield Failure(origin, "empty file")
        return
    if note:
        yield Note(origin, note)
    # The header line decides the delimiter: spreadsheet exports in Indonesian locales use ';'.
    header_line = text.split("\n", 1)[0]
    delimiter = max(",;\t|", key=header_line.count) if path.suffix.lower() != ".tsv" else "\t"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as exc:
        yield Failure(origin, f"unreadable CSV header ({exc})")
        return
    keys = [_norm_key(h) for h in header]
    if not any(k in _KEY_TO_FIELD and _KEY_TO_FIELD[k] in {"title", "body"} for k in keys):
        yield Failure(origin, f"no title or content column among: {', '.join(header)[:200]}")
        return
    row_number = 1
    while True:
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            row_number += 1
            yield Failure(f"{origin}:row {row_number}", f"malformed CSV ({exc})")
            continue
        row_number += 1
        if not any(v.strip() for v in values):
            continue
        where = f"{origin}:row {row_number}"
        if len(values) > len(keys):
            # Extra cells shift every column after them (an unquoted delimiter in the text):
            # which cell is the date, which the body, cannot be told.
            yield Failure(where, f"{len(values)} cells but the header names {len(keys)} columns; row not indexed")
            continue
        note = (
            f"{len(values)} of {len(keys)} columns; the missing ones are left empty" if len(values) < len(keys) else ""
        )
        yield from _article_records(dict(zip(keys, values, strict=False)), where, note, known)


# ---------------------------------------------------------------- XLSX


def workbook_size_problem(path: Path) -> str:
    """Why a workbook is refused before it is parsed (it unpacks to too much), or ''.

    The sizes are those the zip directory declares; the zip reader never unpacks more than
    a member declares, so they bound what openpyxl can read.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError):
        return ""  # openpyxl says what is wrong with it
    if not members:
        return ""
    largest = max(members, key=lambda m: m.file_size)
    total = sum(m.file_size for m in members)
    mib = 2**20
    if largest.file_size > MAX_XLSX_PART_BYTES:
        return (
            f"spreadsheet too large when unpacked: {largest.filename} is {largest.file_size / mib:,.0f} MiB"
            f" (at most {MAX_XLSX_PART_BYTES // mib:,} MiB)"
        )
    if total > MAX_XLSX_UNPACKED_BYTES:
        return (
            f"spreadsheet too large when unpacked: {total / mib:,.0f} MiB"
            f" (at most {MAX_XLSX_UNPACKED_BYTES // mib:,} MiB)"
        )
    return ""


def read_xlsx_file(path: Path, origin: str, known: KnownRows | None = None) -> Iterator[Record]:
    import openpyxl

    if problem := workbook_size_problem(path):
        yield Failure(origin, problem)
        return
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for damaged files
        yield Failure(origin, f"unreadable spreadsheet ({type(exc).__name__}: {exc})")
        return
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if not header:
            yield Failure(origin, "empty spreadsheet")
            return
        keys = [_norm_key(str(h)) if h is not None else f"column_{i}" for i, h in enumerate(header)]

        def numbered() -> Iterator[tuple[int, dict[str, Any]]]:
            for number, values in enumerate(rows, 2):
                if values and any(v not in (None, "") for v in values):
                    yield number, dict(zip(keys, values, strict=False))

        yield from _records(numbered(), origin, "row", known)
    finally:
        workbook.close()


def estimate_xlsx_rows(path: Path) -> int:
    import openpyxl

    if workbook_size_problem(path):
        return 1
    workbook = openpyxl.load_workbook(path, read_only=True)
    try:
        return max(1, (workbook.worksheets[0].max_row or 2) - 1)
    finally:
        workbook.close()
