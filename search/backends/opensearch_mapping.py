"""The OpenSearch index of the articles: its settings and mapping, derived from ``index.fields``,
and the document of an article.

The Indonesian analysis runs in Python, exactly as for the Whoosh index: every searchable
text field is sent as its tokens, analysed by the same Whoosh analyzers (``index.schema``),
joined by spaces and indexed with a whitespace tokenizer. So both backends hold the same
terms, at the same positions, with the same field lengths. Keys, facets, dates, the copy key
and the change-detection key are keyword fields. The article as read (title, body, ...) is
kept in ``_source`` under ``stored``, for the article page and snippets; the token fields are
left out of ``_source`` (they are rebuilt from ``stored`` by ``berita-search reindex``).

Field names are the Whoosh index's own (``title``, ``title_stem``, ``category_key``, ``year``
...), so a plan compiles to the same fields on both backends.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any

from berita_search.index.copies import COPY_BANDS_FIELD
from berita_search.index.fields import FACETS, FIELDS, Kind
from berita_search.index.schema import (
    ADDED_FIELD,
    DEFAULT_STEMMER,
    build_schema,
    facet_column,
    key_field,
    stem_field,
)

SCHEMA_VERSION = 3  # 2: copy_bands, copies decided on the text (index.copies); 3: added stamps
META_KEY = "berita_search"
TOKENIZER = "tokens"
ANALYZER = "tokens"
# Lucene refuses terms over 32,766 UTF-8 bytes; a longer "word" is split at this many
# characters by the tokenizer instead of failing the article (Whoosh keeps it whole).
MAX_TOKEN_CHARS = 8_000
# Whoosh BM25F's parameters (``whoosh.scoring.BM25F`` defaults, used by the Whoosh backend).
BM25_K1 = 1.2
BM25_B = 0.75
COPY_FIELD = "dup_key"  # the story key: copies share it; also the documents' routing
ORDER_FIELD = "seq"  # the order articles were written in: ties rank in it, as Whoosh's document numbers do
STORED_FIELD = "stored"  # the article as read, shown on pages: not indexed
DATE_PERIODS = ("year", "month", "day")


def token_fields() -> dict[str, str]:
    """Each OpenSearch field that holds analysed tokens, and the Whoosh field whose analyzer makes them."""
    fields: dict[str, str] = {}
    for f in FIELDS:
        if f.kind is Kind.TEXT:
            fields[f.name] = f.name
            if f.stem_weight is not None:
                fields[stem_field(f.name)] = stem_field(f.name)
        elif f.kind is Kind.NAME:
            fields[f.name] = f.name
    return fields


TOKEN_FIELDS = token_fields()
# Token fields whose positions are kept: phrases are matched in them.
POSITIONAL_FIELDS = tuple(f.name for f in FIELDS if f.kind in (Kind.TEXT, Kind.NAME))
KEYWORD_FIELDS: tuple[str, ...] = (
    "id",
    "id_hash",
    COPY_FIELD,
    *DATE_PERIODS,
    *(facet_column(f.name) for f in FIELDS if f.kind is Kind.NAME),
    *(name for f in FIELDS if f.kind is Kind.KEY for name in (f.name, key_field(f.name))),
    *(f.name for f in FIELDS if f.kind is Kind.TAGS),
)
# The keyword field counted for each facet (``index.fields.FACETS``), as the Whoosh backend counts its columns.
FACET_FIELDS = {facet.name: facet_column(facet.name) for facet in FACETS}


def index_body(stemmer: str = DEFAULT_STEMMER, shards: int = 1, replicas: int | None = None) -> dict[str, Any]:
    """Settings and mapping of a new articles index: ``shards`` primaries, each with ``replicas``
    copies (None: one copy once the cluster has a second node, none before)."""
    copies: dict[str, Any] = (
        {"number_of_replicas": replicas} if replicas is not None else {"auto_expand_replicas": "0-1"}
    )
    properties: dict[str, Any] = {}
    for name in TOKEN_FIELDS:
        properties[name] = {
            "type": "text",
            "analyzer": ANALYZER,
            # Stemmed fields are never searched as phrases: frequencies suffice, as in Whoosh.
            "index_options": "positions" if name in POSITIONAL_FIELDS else "freqs",
        }
    for name in KEYWORD_FIELDS:
        properties[name] = {"type": "keyword"}
    for f in FIELDS:
        if f.kind is Kind.DATE:
            # The wall-clock time in the article's own zone, as in the Whoosh index.
            properties[f.name] = {"type": "date", "format": "strict_date_hour_minute_second"}
    properties[COPY_BANDS_FIELD] = {"type": "keyword"}
    properties[ORDER_FIELD] = {"type": "long"}
    properties[ADDED_FIELD] = {"type": "long"}  # when this version was written (``index.schema.ADDED_FIELD``)
    properties[STORED_FIELD] = {"type": "object", "enabled": False}
    return {
        "settings": {
            "index": {
                "number_of_shards": shards,
                **copies,
                # Changes become visible when the writer refreshes after each batch, as a Whoosh
                # commit does; searches never see half a batch, and cached pages stay valid until then.
                "refresh_interval": "-1",
                "similarity": {"default": {"type": "BM25", "k1": BM25_K1, "b": BM25_B}},
            },
            "analysis": {
                "tokenizer": {TOKENIZER: {"type": "whitespace", "max_token_length": MAX_TOKEN_CHARS}},
                "analyzer": {ANALYZER: {"type": "custom", "tokenizer": TOKENIZER}},
            },
        },
        "mappings": {
            "dynamic": "strict",
            "_meta": {META_KEY: {"schema": SCHEMA_VERSION, "stemmer": stemmer}},
            "_source": {"excludes": list(TOKEN_FIELDS)},
            "properties": properties,
        },
    }


@lru_cache(maxsize=4)
def _analyzers(stemmer: str) -> dict[str, Any]:
    schema = build_schema(stemmer)
    return {name: schema[whoosh_name].analyzer for name, whoosh_name in TOKEN_FIELDS.items()} | {
        f.name: schema[f.name].analyzer for f in FIELDS if f.kind is Kind.TAGS
    }


def tokens(field: str, text: str, stemmer: str = DEFAULT_STEMMER) -> list[str]:
    """The terms the Whoosh index holds for ``text`` in ``field``, in order (stopped words left out)."""
    return [token.text for token in _analyzers(stemmer)[field](text, mode="index")]


# The fields the Whoosh index stores, shown on pages; the publication date as its ISO string
# (the engine reads that one; Whoosh also stores the naive datetime).
STORED_KEYS = (
    *(f"{f.name}_iso" if f.kind is Kind.DATE else f.name for f in FIELDS),
    "origin",
)
DATE_FIELD = next(f.name for f in FIELDS if f.kind is Kind.DATE)
DATE_FORMAT = "%Y-%m-%dT%H:%M:%S"


def document(fields: dict[str, Any], seq: int, stemmer: str = DEFAULT_STEMMER) -> dict[str, Any]:
    """The OpenSearch document of an article, from the Whoosh document ``index.writer.article_fields``
    makes (so both backends index the same values)."""
    doc: dict[str, Any] = {
        "id": fields["id"],
        "id_hash": fields["id_hash"],
        COPY_FIELD: fields[COPY_FIELD],
        # The MinHash band terms that find an article's copies (index.copies), one keyword each.
        COPY_BANDS_FIELD: str(fields.get(COPY_BANDS_FIELD) or "").split(),
        ORDER_FIELD: seq,
        STORED_FIELD: {key: fields[key] for key in STORED_KEYS if fields.get(key) not in (None, "")},
    }
    for name in TOKEN_FIELDS:
        source = name.removesuffix("_stem")
        if fields.get(source):
            words = tokens(name, str(fields[source]), stemmer)
            if words:
                doc[name] = " ".join(words)
    for name in KEYWORD_FIELDS:
        if name not in doc and fields.get(name) not in (None, ""):
            value = fields[name]
            doc[name] = tokens(name, value, stemmer) if name in _analyzers(stemmer) else value
    if isinstance(fields.get(DATE_FIELD), datetime):
        doc[DATE_FIELD] = fields[DATE_FIELD].strftime(DATE_FORMAT)
    if fields.get(ADDED_FIELD):
        doc[ADDED_FIELD] = int(fields[ADDED_FIELD])
    return doc


def stored_of(source: dict[str, Any]) -> dict[str, Any]:
    """The article as the Whoosh backend returns it (its stored fields), from a document's ``_source``."""
    return dict(source.get(STORED_FIELD) or {})


def fields_of(source: dict[str, Any]) -> dict[str, Any]:
    """The Whoosh document of an indexed article, rebuilt from its ``_source`` (for reindexing):
    the inverse of ``document`` for everything ``document`` reads."""
    stored = stored_of(source)
    fields: dict[str, Any] = dict(stored)
    fields["id"] = source["id"]
    fields["id_hash"] = source["id_hash"]
    fields[COPY_FIELD] = source[COPY_FIELD]
    fields[COPY_BANDS_FIELD] = " ".join(source.get(COPY_BANDS_FIELD) or ())
    for name in KEYWORD_FIELDS:
        if name in source and name not in fields:
            fields[name] = source[name]
    if source.get(DATE_FIELD):
        fields[DATE_FIELD] = datetime.strptime(source[DATE_FIELD], DATE_FORMAT)
    if source.get(ADDED_FIELD):
        fields[ADDED_FIELD] = int(source[ADDED_FIELD])
    return fields
