"""Readers: raw scraped pages, JSONL, CSV and XLSX exports, and directories of them.

Every reader yields Article records or Failure records, never raises for bad content: one
bad row or file is reported and the rest go on.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from berita_search.index.article import Article
from berita_search.index.dates import ParsedDate, epoch_date, parse_date, reconcile_with_url
from berita_search.index.text import clean_line, clean_text, fix_mojibake, split_comma_paragraphs

MAX_FILE_BYTES = 512 * 1024 * 1024
MAX_FIELD_CHARS = 5_000_000  # one article body; longer ones are cut, not dropped
csv.field_size_limit(MAX_FIELD_CHARS * 4)

RAW_SUFFIXES = {".txt", ".text"}
JSONL_SUFFIXES = {".jsonl", ".ndjson", ".json"}
CSV_SUFFIXES = {".csv", ".tsv"}
XLSX_SUFFIXES = {".xlsx", ".xlsm"}
SUPPORTED_SUFFIXES = RAW_SUFFIXES | JSONL_SUFFIXES | CSV_SUFFIXES | XLSX_SUFFIXES


@dataclass(slots=True)
class Failure:
    origin: str  # file, with line or row where there is one
    reason: str  # 'skipped: ...' for files left out on purpose, 'note: ...' for kept records


NOTE = "note: "

# Part of every row digest: bump it when parsing changes what a row becomes, so that
# re-runs parse rows again instead of trusting the digests of the old parser's output.
READER_VERSION = "1"


@dataclass(slots=True)
class Unchanged:
    """A row or page whose raw text is already indexed as this article: it was not parsed again."""

    origin: str
    id: str


Record = Article | Failure | Unchanged
KnownRows = Mapping[str, str]  # row digest -> id of the article indexed from that row


def row_digest(raw: object) -> str:
    """Fingerprint of a row (a dict of cells) or a page (bytes), before any parsing."""
    data = raw if isinstance(raw, bytes) else repr(raw).encode("utf-8", "surrogatepass")
    return hashlib.blake2b(READER_VERSION.encode() + b"\x1e" + data, digest_size=12).hexdigest()


# ---------------------------------------------------------------- decoding


class BinaryFileError(ValueError):
    pass


_CONTROL_BYTES = bytes(b for b in range(32) if b not in b"\t\n\r\f\x1a") + b"\x7f"


def binary_reason(head: bytes) -> str:
    """Why the first bytes of a file are not text, or '' when they may be."""
    if b"\x00" in head:
        return "binary file (contains NUL bytes), not text"
    if head and len(head) - len(head.translate(None, _CONTROL_BYTES)) > max(8, len(head) // 20):
        return "binary file (mostly control bytes), not text"
    return ""


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Text from bytes: UTF-8 (with or without BOM), else Windows-1252. Returns (text, note)."""
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


# ---------------------------------------------------------------- bylines, datelines

_NAME = r"[A-Z][\w'’.\-]*(?:\s+(?:[A-Z][\w'’.\-]*|bin|binti|van|de|al|el))*"
_BYLINE_LINE = re.compile(
    r"^\(?\s*(?P<label>Reporter|Penulis|Pewarta|Wartawan|Laporan(?: wartawan [\w .]+)?|Kontributor|Oleh)"
    r"\s*:?\s+(?P<name>[^\n()|]{3,80}?)\s*\)?\s*$",
    re.IGNORECASE,
)
_EDITOR_LINE = re.compile(r"^\(?\s*(Editor|Penyunting|Redaktur)\s*:\s*[^\n]{2,80}\)?$", re.IGNORECASE)
_SOURCE_LINE = re.compile(r"^\(?\s*Sumber\s*:\s*[^\n]{2,80}\)?$", re.IGNORECASE)
_BYLINE_IN_DATELINE = re.compile(r"(?:LAPORAN|REPORTER|PENULIS|PEWARTA|OLEH)\s*:\s*(?P<name>[^|\n]+)", re.IGNORECASE)
# 'Jakarta, CNN Indonesia --', 'KOMPAS.com -', 'TEMPO.CO, Jakarta -', 'Liputan6.com, Jakarta -'
_OUTLETS = (
    r"CNN Indonesia|KOMPAS\.com|Kompas\.com|TEMPO\.CO|Tempo\.co|detik(?:News|com|Finance|Sport|Inet)?|"
    r"Liputan6\.com|Okezone|SINDOnews(?:\.com)?|Sindonews(?:\.com)?|VIVA(?:\.co\.id)?|Tribunnews\.com|"
    r"TRIBUNNEWS\.COM|Suara\.com|ANTARA(?: News)?|Antara|merdeka\.com|JPNN\.com|RMOL(?:\.ID)?|"
    r"Bisnis\.com|Kumparan|kumparan|IDN Times|Republika\.co\.id|REPUBLIKA\.CO\.ID|Fimela\.com|"
    r"KapanLagi\.com|Wowkeren\.com|WowKeren\.com"
)
_DATELINE = re.compile(
    rf"^(?:(?P<city1>[A-Z][A-Za-z .]{{1,30}}),\s*)?(?P<outlet>{_OUTLETS})(?:,\s*(?P<city2>[A-Z][A-Za-z .]{{1,30}}))?\s*(?:--|—|–|-)\s+"
)
_FURNITURE_HEADINGS = re.compile(
    r"^(populer|terpopuler|paling populer|update|terkini|berita terkini|berita terkait|artikel terkait|"
    r"baca juga|rekomendasi|selengkapnya|tags?|topik|komentar|bagikan|share|video pilihan|"
    r"most popular|trending|lainnya|berita lainnya|simak juga|lihat juga|pilihan redaksi)\s*:?$",
    re.IGNORECASE,
)
_INLINE_FURNITURE = re.compile(
    r"^(baca juga|simak juga|lihat juga|saksikan juga|ikuti (?:berita|kami)|follow )\b.*$|^\W*(advertisement|iklan|scroll to continue)\W*$",
    re.IGNORECASE,
)
_CREDIT = re.compile(r"(/\s*(Net|Ist|Istimewa|RMOL|Antara|Dok|AFP|Reuters|AP)\.?$|\b(Foto|Photo)\s*:)", re.IGNORECASE)
_DATE_ONLY = re.compile(
    r"^(?:(?:Senin|Selasa|Rabu|Kamis|Jum'?at|Sabtu|Minggu|Ahad),?\s+)?\d{1,2}\s+[A-Za-z]+\.?\s+\d{4}"
    r"(?:\s*[|,]?\s*\d{1,2}[:.]\d{2}(?:\s*(?:WIB|WITA|WIT))?)?$",
    re.IGNORECASE,
)


def title_case_name(name: str) -> str:
    """'SARAH MEILIANA GUNAWAN' -> 'Sarah Meiliana Gunawan'; mixed case is left as written."""
    name = " ".join(name.strip(" .,;:-|()").split())
    if name.isupper() or name.islower():
        return " ".join(w[:1].upper() + w[1:].lower() for w in name.split())
    return name


def _clean_reporter(raw: str, label: str = "") -> str:
    parts = re.split(r"\s*(?:[|;/,#]|\bEditor\b|\bFoto\b|\bArtikel ini\b)\s*", raw, flags=re.IGNORECASE)
    # 'Kontributor Makassar, Hendra Cipto': the city comes first, then the name.
    contributor = label.lower().startswith("kontributor") or parts[0].lower().startswith("kontributor")
    raw = parts[1] if contributor and len(parts) > 1 and parts[1] else parts[0]
    name = title_case_name(raw)
    return name if 2 <= len(name) <= 80 and not any(ch.isdigit() for ch in name) else ""


def strip_bylines(paragraphs: list[str]) -> tuple[list[str], str]:
    """Pull 'Penulis: X' style bylines (and editor/source credits) off the body's edges."""
    reporter = ""
    kept = list(paragraphs)
    # Trailing credits
    while kept:
        last = kept[-1]
        m = _BYLINE_LINE.match(last)
        if m and len(last) < 100:
            reporter = reporter or _clean_reporter(m.group("name"), m.group("label"))
            kept.pop()
        elif (_EDITOR_LINE.match(last) or _SOURCE_LINE.match(last)) and len(last) < 100:
            kept.pop()
        else:
            break
    # Leading credit ('Oleh: Nama' opens opinion pieces)
    if kept:
        m = _BYLINE_LINE.match(kept[0])
        if m and len(kept[0]) < 100:
            reporter = reporter or _clean_reporter(m.group("name"))
            kept.pop(0)
    return kept, reporter


def strip_dateline(body: str) -> tuple[str, str]:
    """Remove a 'Jakarta, CNN Indonesia --' opener; return (body, outlet name)."""
    m = _DATELINE.match(body)
    if not m:
        return body, ""
    return body[m.end() :], m.group("outlet")


def finish_body(text: str) -> tuple[str, str, str]:
    """Shared clean-up of a body: inline furniture, bylines, dateline. Returns (body, reporter, outlet)."""
    paragraphs = [p for p in clean_text(text).split("\n\n") if p and not _INLINE_FURNITURE.match(p)]
    paragraphs, reporter = strip_bylines(paragraphs)
    body = "\n\n".join(paragraphs)
    body, outlet = strip_dateline(body)
    return body.strip(), reporter, outlet


# ---------------------------------------------------------------- raw pages


def _is_title_like(p: str) -> bool:
    words = p.split()
    return 3 <= len(words) <= 40 and len(p) <= 300 and not p.endswith((".", ":")) or p.endswith("?") and len(words) >= 3


def _is_category_like(p: str) -> bool:
    words = p.split()
    return 1 <= len(words) <= 3 and len(p) <= 40 and not re.search(r"[.,:;!?\d]", p)


def parse_raw_page(text: str, origin: str) -> Article:
    """One scraped page: crumb, caption, category, title, date line, body, site furniture."""
    paragraphs = [p for p in clean_text(fix_mojibake(text)).split("\n\n") if p.strip()]
    if not paragraphs:
        raise ValueError("empty page")
    date_index = None
    parsed: ParsedDate | None = None
    for i, p in enumerate(paragraphs[:30]):
        if len(p) <= 160 and (candidate := parse_date(p)) is not None and not _is_title_like_sentence(p):
            date_index, parsed = i, candidate
            break
    reporter = ""
    category = ""
    caption = ""
    if date_index is not None:
        dm = _BYLINE_IN_DATELINE.search(paragraphs[date_index])
        if dm:
            reporter = _clean_reporter(dm.group("name"))
        head = paragraphs[:date_index]
        rest = paragraphs[date_index + 1 :]
        title_pos = max((i for i, p in enumerate(head) if _is_title_like(p)), default=len(head) - 1)
        title = head[title_pos] if head else ""
        before = head[:title_pos]
        if before and _is_category_like(before[-1]):
            category = before.pop()
        captions = [p for p in before if _CREDIT.search(p) or len(p.split()) > 3]
        caption = " ".join(captions)
    else:
        # No date line: the first title-like paragraph heads the article.
        title_pos = next((i for i, p in enumerate(paragraphs[:10]) if _is_title_like(p)), 0)
        title = paragraphs[title_pos]
        rest = paragraphs[title_pos + 1 :]
        if title_pos and _is_category_like(paragraphs[title_pos - 1]):
            category = paragraphs[title_pos - 1]
    # Furniture: a heading such as 'Populer', or a list of (headline, date) pairs.
    body_paras: list[str] = []
    for i, p in enumerate(rest):
        if _FURNITURE_HEADINGS.match(p):
            break
        if _DATE_ONLY.match(p):
            if body_paras and _is_title_like(body_paras[-1]):
                body_paras.pop()
            break
        if i + 1 < len(rest) and _DATE_ONLY.match(rest[i + 1]) and _is_title_like(p):
            break
        body_paras.append(p)
    body, trailing_reporter, outlet = finish_body("\n\n".join(body_paras))
    reporter = reporter or trailing_reporter
    if not title and not body:
        raise ValueError("no title or body found")
    return Article(
        title=clean_line(title),
        body=body,
        source=outlet,
        category=title_case_name(category) if category else "",
        reporter=reporter,
        published=parsed.value if parsed else None,
        published_has_time=bool(parsed and parsed.has_time),
        caption=clean_line(caption),
        date_note="" if parsed else "no date line found",
        origin=origin,
    )


def _is_title_like_sentence(p: str) -> bool:
    """A dated headline is not a date line: a date line is mostly date, zone and byline."""
    stripped = re.sub(r"(?i)\b(laporan|reporter|penulis|oleh)\s*:.*$", "", p)
    stripped = re.sub(r"[\d|:.,/\-]+|\b(WIB|WITA|WIT)\b", " ", stripped)
    return len(stripped.split()) > 4


def read_raw_file(path: Path, origin: str, known: KnownRows | None = None) -> Iterator[Record]:
    data = path.read_bytes()
    digest = row_digest(data)
    if known and (article_id := known.get(digest)):
        yield Unchanged(origin, article_id)
        return
    text, note = decode_bytes(data)
    if not text.strip():
        yield Failure(origin, "empty file")
        return
    if note:
        yield Failure(origin, NOTE + note)
    if len(text) > MAX_FIELD_CHARS:
        yield Failure(origin, f"{NOTE}page cut to {MAX_FIELD_CHARS:,} of {len(text):,} characters")
        text = text[:MAX_FIELD_CHARS]
    try:
        article = parse_raw_page(text, origin)
    except ValueError as exc:
        yield Failure(origin, str(exc))
        return
    article.row_digest = digest
    yield article


# ---------------------------------------------------------------- tabular records

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


def record_to_article(raw: dict[str, Any], origin: str) -> Article:
    """A JSONL object or CSV/XLSX row with any of the known column names, as an Article."""
    fields: dict[str, Any] = {}
    extra_date = ""
    for key, value in raw.items():
        name = _KEY_TO_FIELD.get(_norm_key(key))
        if name and name not in fields and value not in (None, ""):
            fields[name] = value
        elif _norm_key(key) == "summary" and "body" not in fields:
            pass
    url = _as_text(fields.get("url")).strip()
    title = clean_line(_as_text(fields.get("title")))
    body_raw = fix_mojibake(_as_text(fields.get("body"))[:MAX_FIELD_CHARS])
    body, trailing_reporter, outlet = finish_body(split_comma_paragraphs(body_raw))
    if not title:
        title = _slug_title(url) or clean_line(re.split(r"(?<=[.!?])\s", body, maxsplit=1)[0])[:160]
    if not title and not body:
        raise ValueError("no title or body")
    date_text = _as_text(fields.get("date")).strip()
    time_text = _as_text(fields.get("time")).strip()
    parsed = parse_date(date_text, time_text) if date_text else None
    note = ""
    if date_text and parsed is None and date_text not in {"-", "--"}:
        note = f"unreadable date {date_text[:40]!r}"
    if parsed is not None and not _possible(parsed.value):
        note = f"impossible date {date_text[:40]!r} ({'in the future' if parsed.value.year > 1900 else 'before 1900'})"
        parsed = None
    if parsed is None and not date_text:
        parsed = epoch_date(_as_text(fields.get("id")))
    if url:
        parsed, url_note = reconcile_with_url(parsed, url)
        if url_note:
            note = f"{note}; {url_note}" if note else url_note
    if parsed is None and not note:
        note = "no date"
    reporter_raw = fields.get("reporter")
    if isinstance(reporter_raw, list):
        reporter_raw = ", ".join(map(str, reporter_raw))
    reporter = _clean_reporter(clean_line(_as_text(reporter_raw))) if reporter_raw else trailing_reporter
    tags_raw = fields.get("tags")
    if isinstance(tags_raw, list):
        tags = [clean_line(str(t)) for t in tags_raw if str(t).strip()]
    else:
        tags = [clean_line(t) for t in re.split(r"[,;|]", _as_text(tags_raw)) if t.strip()]
    source = clean_line(_as_text(fields.get("source"))) or outlet or (_source_from_url(url) if url else "")
    category = clean_line(_as_text(fields.get("category")))
    subcategory = clean_line(_as_text(fields.get("subcategory")))
    return Article(
        title=title,
        body=body,
        url=url,
        source=source.lower() if "." in source and " " not in source else source,
        category=_display_label(category),
        subcategory=_display_label(subcategory),
        reporter=reporter,
        published=parsed.value if parsed else None,
        published_has_time=bool(parsed and parsed.has_time),
        caption=clean_line(_as_text(fields.get("caption"))),
        tags=tags,
        date_note=note if note else extra_date,
        origin=origin,
    )


def _possible(value: datetime) -> bool:
    """A publication date an archive can hold: from 1900 to tomorrow."""
    now = datetime.now(value.tzinfo)
    return value.year >= 1900 and value <= now + timedelta(days=1)


def _raw_body_chars(raw: dict[str, Any]) -> int:
    for key, value in raw.items():
        if _KEY_TO_FIELD.get(_norm_key(key)) == "body" and value not in (None, ""):
            return len(value) if isinstance(value, str) else len(_as_text(value))
    return 0


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
        article = record_to_article(raw, where)
    except ValueError as exc:
        yield Failure(where, str(exc))
        return
    article.row_digest = digest
    if note:
        yield Failure(where, NOTE + note)
    if (chars := _raw_body_chars(raw)) > MAX_FIELD_CHARS:
        yield Failure(where, f"{NOTE}body cut to {MAX_FIELD_CHARS:,} of {chars:,} characters")
    yield article


def _display_label(label: str) -> str:
    """Facet labels: '-' means none; 'SELEBRITI' and 'selebriti' both show as 'Selebriti'."""
    label = label.strip()
    if label in {"-", "--", "n/a", "N/A"}:
        return ""
    if label.isupper() and len(label) > 4 or label.islower():
        return " ".join(w[:1].upper() + w[1:].lower() for w in label.split())
    return label


def _records(
    rows: Iterable[tuple[int, dict[str, Any]]], origin: str, unit: str, known: KnownRows | None = None
) -> Iterator[Record]:
    for number, row in rows:
        yield from _article_records(row, f"{origin}:{unit} {number}", known=known)


def read_jsonl_file(path: Path, origin: str, known: KnownRows | None = None) -> Iterator[Record]:
    with path.open("rb") as fh:
        head = fh.read(8192)
        if reason := binary_reason(head):
            yield Failure(origin, reason)
            return
        fh.seek(0)
        first = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
        if first == b"[":
            # A JSON array file rather than JSON Lines.
            try:
                items = json.loads(decode_bytes(fh.read())[0])
            except (json.JSONDecodeError, ValueError) as exc:
                yield Failure(origin, f"invalid JSON: {exc}")
                return
            yield from _json_items(enumerate(items, 1), origin, "item", known=known)
            return

        notes: dict[int, str] = {}

        def lines() -> Iterator[tuple[int, Any]]:
            for number, raw in enumerate(fh, 1):
                if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                    raw = raw[3:]
                if not raw.strip():
                    continue
                try:
                    text, note = decode_bytes(raw.rstrip(b"\r\n"))
                    if note:
                        notes[number] = note
                    yield number, json.loads(text)
                except (json.JSONDecodeError, ValueError) as exc:
                    yield number, exc

        found = False
        for record in _json_items(lines(), origin, "line", notes, known):
            found = True
            yield record
        if not found:
            yield Failure(origin, "no records (only blank lines)")


def _json_items(
    items: Iterable[tuple[int, Any]],
    origin: str,
    unit: str,
    notes: dict[int, str] | None = None,
    known: KnownRows | None = None,
) -> Iterator[Record]:
    for number, item in items:
        where = f"{origin}:{unit} {number}"
        if isinstance(item, Exception):
            yield Failure(where, f"invalid JSON ({item})")
        elif not isinstance(item, dict):
            yield Failure(where, f"expected a JSON object, got {type(item).__name__}")
        else:
            yield from _article_records(item, where, (notes or {}).pop(number, ""), known)


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
        yield Failure(origin, NOTE + note)
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


def read_xlsx_file(path: Path, origin: str, known: KnownRows | None = None) -> Iterator[Record]:
    try:
        import openpyxl
    except ImportError:  # pragma: no cover - openpyxl is a dependency
        yield Failure(origin, "reading .xlsx needs openpyxl")
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
        keys = [_norm_key(h) if h is not None else f"column_{i}" for i, h in enumerate(header)]

        def numbered() -> Iterator[tuple[int, dict[str, Any]]]:
            for number, values in enumerate(rows, 2):
                if values and any(v not in (None, "") for v in values):
                    yield number, dict(zip(keys, values, strict=False))

        yield from _records(numbered(), origin, "row", known)
    finally:
        workbook.close()


READERS = {
    **{s: read_raw_file for s in RAW_SUFFIXES},
    **{s: read_jsonl_file for s in JSONL_SUFFIXES},
    **{s: read_csv_file for s in CSV_SUFFIXES},
    **{s: read_xlsx_file for s in XLSX_SUFFIXES},
}


def read_file(path: Path, known: KnownRows | None = None) -> Iterator[Record]:
    """Records of one file, the reader picked by its suffix; rows in ``known`` are not parsed."""
    origin = str(path)
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        yield Failure(origin, f"unsupported file type {path.suffix or '(none)'!r}")
        return
    try:
        size = path.stat().st_size
        if size == 0:
            yield Failure(origin, "empty file")
            return
        if size > MAX_FILE_BYTES:
            yield Failure(origin, f"file too large ({size // 2**20} MiB)")
            return
        yield from reader(path, origin, known)
    except BinaryFileError as exc:
        yield Failure(origin, str(exc))
    except OSError as exc:
        yield Failure(origin, f"cannot read: {exc.strerror or exc}")


def estimate_records(path: Path) -> int:
    """About how many records a file holds, cheaply, for a progress bar (never exact for CSV)."""
    suffix = path.suffix.lower()
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
            import openpyxl

            workbook = openpyxl.load_workbook(path, read_only=True)
            try:
                return max(1, (workbook.worksheets[0].max_row or 2) - 1)
            finally:
                workbook.close()
    except Exception:  # a damaged file is reported by its reader; the bar only needs a guess
        return 1
    return 0


def iter_files(path: Path) -> Iterator[Path]:
    """Files under a path, in a stable order, skipping hidden files and folders."""
    if path.is_file():
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
        if not path.exists():
            yield Failure(str(path), "no such file or directory")
            continue
        for file in iter_files(path):
            if path.is_dir() and _DOCUMENTATION.match(file.name):
                # A dataset's README or SOURCE notes are about the articles, not articles.
                yield Failure(str(file), "skipped: documentation file")
                continue
            if path.is_dir() and file.suffix.lower() not in SUPPORTED_SUFFIXES:
                # Inside a folder, files of other types (images, READMEs in other formats) are
                # noted, not errors.
                yield Failure(str(file), f"skipped: unsupported file type {file.suffix or '(none)'!r}")
                continue
            yield from read_file(file, known)
