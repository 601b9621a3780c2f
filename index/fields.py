"""Every field of an article, defined once.

How a field is named in the query language, how it is weighted when words are searched,
whether it is stored, faceted, filtered or shown, and its label on Indonesian pages: the
Whoosh schema (``index.schema``), the OpenSearch mapping, the query parser, the engine's
facets and filters, the web's chips and the API's documents all read this table.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Kind(Enum):
    TEXT = "text"  # analysed words: exact (surface) forms, optionally roots, phrases
    NAME = "name"  # a person's name: any of its parts, any case
    KEY = "key"  # one exact value, any case (a category, a publisher)
    TAGS = "tags"  # several exact values
    DATE = "date"  # the publication date
    STORED = "stored"  # shown, never searched


@dataclass(frozen=True)
class Field:
    name: str  # the English name: JSON key, API parameter, query-language name
    label: str  # Indonesian, for pages
    kind: Kind
    aliases: tuple[str, ...] = ()  # other query-language names
    weight: float = 1.0  # TEXT: weight of the exact form when words are ranked
    stem_weight: float | None = None  # TEXT: weight of the root form; None when roots are not indexed
    in_all_text: bool = False  # searched by words typed without a field
    facet: bool = False  # counted in the result's facets and filterable by value
    hit_key: bool = False  # a key of each hit in JSON and CSV output


FIELDS: tuple[Field, ...] = (
    Field("id", "Id", Kind.STORED, hit_key=True),
    Field("title", "Judul", Kind.TEXT, ("judul", "headline"), 3.0, 1.2, in_all_text=True, hit_key=True),
    Field("url", "URL", Kind.STORED, hit_key=True),
    Field("source", "Sumber", Kind.KEY, ("sumber", "media", "outlet"), facet=True, hit_key=True),
    Field("category", "Kategori", Kind.KEY, ("kategori", "rubrik", "kanal"), facet=True, hit_key=True),
    # The common newsroom desk of the outlet's own category (index/data/desks.tsv), filled at index time.
    Field("desk", "Desk", Kind.KEY, ("meja",), facet=True),
    Field("subcategory", "Subkategori", Kind.STORED),
    Field("reporter", "Reporter", Kind.NAME, ("penulis", "wartawan", "author", "oleh"), facet=True, hit_key=True),
    Field("published", "Tanggal", Kind.DATE, ("tanggal", "tgl", "date", "waktu"), hit_key=True),
    Field("body", "Isi", Kind.TEXT, ("isi", "konten", "content"), 1.0, 0.4, in_all_text=True),
    Field("caption", "Keterangan foto", Kind.TEXT, ("keterangan", "foto"), 0.5, in_all_text=True),
    Field("tags", "Tag", Kind.TAGS, ("tag", "topik")),
    Field("date_note", "Catatan tanggal", Kind.STORED),
)
BY_NAME = {f.name: f for f in FIELDS}
TEXT_FIELDS = tuple(f for f in FIELDS if f.kind is Kind.TEXT)
ALL_TEXT = tuple(f.name for f in TEXT_FIELDS if f.in_all_text)
# Every name the query language accepts before a colon, and the field it means.
QUERY_NAMES = {name: f.name for f in FIELDS if f.kind is not Kind.STORED for name in (f.name, *f.aliases)}
# Filters that take one value of a field (the CLI's --reporter, the web's reporter=).
FILTER_FIELDS = tuple(f.name for f in FIELDS if f.facet)
HIT_KEYS = (*(f.name for f in FIELDS if f.hit_key), "score", "snippet")


@dataclass(frozen=True)
class Facet:
    name: str  # key in results and the API
    label: str
    ordered_by_value: bool  # periods sort by value; names by count


FACETS: tuple[Facet, ...] = (
    *(Facet(f.name, f.label, False) for f in FIELDS if f.facet),
    Facet("year", "Tahun", True),
    Facet("month", "Bulan", True),
)
FACET_NAMES = tuple(f.name for f in FACETS)
