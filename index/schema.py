"""The Whoosh schema: searchable text in exact and stemmed forms, exact facets, date facets."""

from __future__ import annotations

import sys

from berita_search.index import analysis
from berita_search.index.analysis import pair_analyzer, stem_analyzer, surface_analyzer
from berita_search.index.copies import COPY_BANDS_FIELD
from whoosh.fields import DATETIME, ID, KEYWORD, STORED, TEXT, Schema
from whoosh.formats import Existence

DEFAULT_STEMMER = "sastrawi"
# Fields whose exact phrases are accelerated by a word-pair field named "<field>_pairs".
PAIR_FIELDS = ("title", "body", "caption")


def build_schema(stemmer: str = DEFAULT_STEMMER) -> Schema:
    surface = surface_analyzer()
    stemmed = stem_analyzer(stemmer)
    schema = Schema(
        id=ID(stored=True, unique=True),
        # id and content hash together: an article whose pair is present is unchanged.
        id_hash=ID(),
        url=ID(stored=True),
        title=TEXT(analyzer=surface, stored=True, phrase=True),
        title_stem=TEXT(analyzer=stemmed, phrase=False),
        body=TEXT(analyzer=surface, stored=True, phrase=True),
        body_stem=TEXT(analyzer=stemmed, phrase=False),
        caption=TEXT(analyzer=surface, stored=True, phrase=True),
        # Reporter: searchable by any of the name's parts, exact for filters and facets.
        reporter=TEXT(analyzer=surface, stored=True, phrase=True),
        reporter_facet=ID(stored=False, sortable=True),
        category=ID(stored=True, sortable=True),
        category_key=ID(),
        subcategory=ID(stored=True),
        source=ID(stored=True, sortable=True),
        source_key=ID(),
        tags=KEYWORD(stored=True, commas=True, lowercase=True, scorable=True),
        # Wall-clock time in the article's own zone, so date filters match the dateline.
        published=DATETIME(stored=True, sortable=True),
        published_iso=STORED(),
        year=ID(sortable=True),
        month=ID(sortable=True),
        # The local day, so that date spans are a few year, month and day terms.
        day=ID(),
        date_note=ID(stored=True),
        # Copies of one story (syndicated, re-posted, lightly edited) share it: collapsed in
        # results. Decided by index.copies, which finds candidates by their copy_bands.
        dup_key=ID(sortable=True),
        origin=STORED(),
    )
    pairs = pair_analyzer()
    for name in PAIR_FIELDS:
        schema.add(f"{name}_pairs", pair_field(pairs))
    schema.add(COPY_BANDS_FIELD, copy_bands_field())
    return schema


def copy_bands_field() -> KEYWORD:
    """MinHash band terms of an article's opening and title (see ``index.copies``): presence only."""
    field = KEYWORD(lowercase=False, scorable=False)
    field.format = Existence()
    return field


def pair_field(analyzer: object) -> TEXT:
    """Word pairs of a text field: presence only, never scored (see ``search.phrases``)."""
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
