"""The neutral query plan: what a search asks for, with every word already analysed.

The parser (``search.querylang``) produces a tree of these nodes; each backend compiles it
(``search.backends.whoosh_query`` into Whoosh queries, ``search.backends.opensearch_query``
into the OpenSearch query DSL). Nodes hold logical field names from ``index.fields``, never
index fields or engine objects, so both backends search the same words the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TypeAlias


@dataclass(frozen=True)
class Term:
    """One word in text fields: its folded surface form, and its root where roots are indexed
    (None for a function word, searched in its exact form only)."""

    fields: tuple[str, ...]
    word: str
    stem: str | None
    boost: float = 1.0


@dataclass(frozen=True)
class Phrase:
    """Words in order, at most ``slop - 1`` other words between neighbours (1: adjacent)."""

    fields: tuple[str, ...]
    words: tuple[str, ...]
    slop: int = 1
    boost: float = 1.0


@dataclass(frozen=True)
class Prefix:
    """Words starting with ``prefix``, expanded to at most ``limit`` of the most widespread."""

    fields: tuple[str, ...]
    prefix: str
    limit: int
    boost: float = 1.0


@dataclass(frozen=True)
class Fuzzy:
    """Words within ``distance`` edits of ``word`` sharing its first ``prefix_length`` letters,
    at most ``limit`` of them."""

    fields: tuple[str, ...]
    word: str
    distance: int
    prefix_length: int
    limit: int
    boost: float = 1.0


@dataclass(frozen=True)
class Name:
    """A person field holding every part of a name (``reporter:"sarah meiliana"``)."""

    field: str
    parts: tuple[str, ...]


@dataclass(frozen=True)
class Exact:
    """A keyword field equal to a folded value (``kategori:dunia``)."""

    field: str
    value: str


@dataclass(frozen=True)
class DateSpan:
    """Published from day ``first`` to day ``last``, both included; None leaves that end open."""

    first: date | None
    last: date | None


@dataclass(frozen=True)
class AddedSpan:
    """Articles whose current version entered the index after stamp ``after`` and at or before
    ``upto`` (``index.schema.ADDED_FIELD``); None leaves that end open. Articles indexed before
    stamps existed carry none and never match."""

    after: int | None
    upto: int | None


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]
    boost: float = 1.0


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]
    boost: float = 1.0


@dataclass(frozen=True)
class Not:
    """Only inside ``And``: the articles matching ``child`` are taken out."""

    child: Node


@dataclass(frozen=True)
class Everything:
    """Every article (a search by filters alone)."""


@dataclass(frozen=True)
class Nothing:
    """No article (an empty date range): never dropped the way a missing clause is."""


Node: TypeAlias = (
    Term | Phrase | Prefix | Fuzzy | Name | Exact | DateSpan | AddedSpan | And | Or | Not | Everything | Nothing
)


def all_of(nodes: list[Node]) -> Node:
    """Nodes that must all match, as one node."""
    if any(isinstance(n, Nothing) for n in nodes):
        return Nothing()
    nodes = [n for n in nodes if not isinstance(n, Everything)]
    if not nodes:
        return Everything()
    return nodes[0] if len(nodes) == 1 else And(tuple(nodes))
