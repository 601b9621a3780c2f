"""The Whoosh schema: searchable text in exact and stemmed forms, exact facets, date facets."""

from __future__ import annotations

import sys

from berita_search.index import analysis
from berita_search.index.analysis import pair_analyzer, stem_analyzer, surface_analyzer
from berita_search.index.copies import COPY_BANDS_FIELD, COPY_OPENING_FIELD
from berita_search.index.fields import FIELDS, Kind
from whoosh.columns import VarBytesColumn
from whoosh.fields import COLUMN, DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.formats import Existence

DEFAULT_STEMMER = "sastrawi"
# Fields whose exact phrases are accelerated by a word-pair field named "<field>_pairs".
PAIR_FIELDS = ("title", "body", "caption")
# When each article's current version entered the index: microseconds since 1970 (UTC), strictly
# increasing in the order articles are written, so every committed article carries a smaller
# stamp than any article a later commit writes. Saved searches tell new matches by it.
ADDED_FIELD = "added"
# Stored fields holding a JSON document (the quotes of an article): kept, never indexed as a term.
JSON_FIELDS = ("quotes",)


def stem_field(name: str) -> str:
    """The Whoosh field holding the roots of a text field's words."""
    return f"{name}_stem"


def key_field(name: str) -> str:
    """The Whoosh field holding a keyword field's folded value, for any-case matching."""
    return f"{name}_key"


def names_field(name: str) -> str:
    """The Whoosh field holding every name of an entity field's entities (``Kind.ENTITY``), for words."""
    return f"{name}_names"


def entity_column(name: str) -> str:
    """The Whoosh column holding an entity field's canonical names of each document, comma-separated:
    a facet's counts read it once per commit (walking the field's terms took seconds on 22,000 articles)."""
    return f"{name}_column"


def facet_column(facet: str) -> str:
    """The sortable Whoosh column counted for a facet (``index.fields.FACETS``)."""
    return {"reporter": "reporter_facet"}.get(facet, facet)


def build_schema(stemmer: str = DEFAULT_STEMMER) -> Schema:
    """The Whoosh fields of ``index.fields.FIELDS``, plus the bookkeeping an index needs."""
    surface = surface_analyzer()
    stemmed = stem_analyzer(stemmer)
    pairs = pair_analyzer()
    schema = Schema(
        id=ID(stored=True, unique=True),
        # id and content hash together: an article whose pair is present is unchanged.
        id_hash=ID(),
        # Copies of one story (syndicated, re-posted, lightly edited) share it: collapsed in
        # results. Decided by index.copies, which finds candidates by their copy_bands.
        dup_key=ID(sortable=True),
        origin=STORED(),
    )
    schema.add(ADDED_FIELD, added_field())
    for f in FIELDS:
        if f.name == "id":
            continue
        if f.kind is Kind.TEXT:
            # Quote words are stored with their quotes (the "quotes" field), not again here.
            schema.add(f.name, TEXT(analyzer=surface, stored=not f.per_quote, phrase=True))
            if f.stem_weight is not None:
                schema.add(stem_field(f.name), TEXT(analyzer=stemmed, phrase=False))
            if f.name in PAIR_FIELDS:
                schema.add(f"{f.name}_pairs", pair_field(pairs))
        elif f.kind is Kind.NAME:
            # Searchable by any of the name's parts; exact for filters and facets.
            schema.add(f.name, TEXT(analyzer=surface, stored=not f.per_quote, phrase=True))
            if f.facet:
                schema.add(facet_column(f.name), ID(stored=False, sortable=True))
        elif f.kind is Kind.KEY:
            schema.add(f.name, ID(stored=True, sortable=f.facet))
            schema.add(key_field(f.name), ID())
        elif f.kind is Kind.ENTITY:
            # Canonical names as written (stored, counted as a facet), folded (filters), and
            # every name of every entity (words: "orang:jokowi").
            schema.add(f.name, entity_field(lowercase=False, stored=True))
            schema.add(key_field(f.name), entity_field(lowercase=True, stored=False))
            schema.add(names_field(f.name), TEXT(analyzer=surface, phrase=True))
            schema.add(entity_column(f.name), COLUMN(VarBytesColumn()))
        elif f.kind is Kind.TAGS:
            schema.add(f.name, KEYWORD(stored=True, commas=True, lowercase=True, scorable=True))
        elif f.kind is Kind.DATE:
            # Wall-clock time in the article's own zone, so date filters match the dateline.
            schema.add(f.name, DATETIME(stored=True, sortable=True))
            schema.add(f"{f.name}_iso", STORED())
            # Year, month and local day: a date span is a few such terms.
            schema.add("year", ID(sortable=True))
            schema.add("month", ID(sortable=True))
            schema.add("day", ID())
        elif f.name in JSON_FIELDS:
            schema.add(f.name, STORED())
        else:
            schema.add(f.name, ID(stored=True))
    schema.add(COPY_BANDS_FIELD, copy_bands_field())
    schema.add(COPY_OPENING_FIELD, copy_opening_field())
    return schema


def entity_field(lowercase: bool, stored: bool) -> KEYWORD:
    """Several exact names, separated by commas (``Kind.ENTITY``): presence only, never scored."""
    field = KEYWORD(stored=stored, commas=True, lowercase=lowercase, scorable=False)
    field.format = Existence()
    return field


def added_field() -> NUMERIC:
    """The stamp of ``ADDED_FIELD``: searchable by range, sortable, shown in feeds."""
    return NUMERIC(int, bits=64, signed=False, stored=True, sortable=True)


def copy_opening_field() -> COLUMN:
    """What ``index.copies`` compares an article on, read back for its later copies."""
    return COLUMN(VarBytesColumn())


def copy_bands_field() -> KEYWORD:
    """MinHash band terms of an article's opening and title (see ``index.copies``): presence only."""
    field = KEYWORD(lowercase=False, scorable=False)
    field.format = Existence()
    return field


def pair_field(analyzer: object) -> TEXT:
    """Word pairs of a text field: presence only, never scored (see ``search.backends.whoosh_phrases``)."""
    field = TEXT(analyzer=analyzer, phrase=False)
    field.format = Existence()
    field.scorable = False
    return field


def allow_legacy_schema_pickles() -> None:
    """Let indexes written before the ``berita_search`` package name open.

    Whoosh pickles the schema, analyzers included, into the table of contents; older
    indexes name them ``index.analysis.*``. Unpickling imports that module by name, so the
    old names point at the same module, unless something else already owns them.
    """
    if "index" not in sys.modules and "index.analysis" not in sys.modules:
        from berita_search import index as package

        sys.modules["index"] = package
        sys.modules["index.analysis"] = analysis
