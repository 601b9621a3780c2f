"""What the engine asks of a search backend, and what a backend answers.

The engine (``search.engine``) keeps validation, paging, caching, snippets and output
records; a backend matches, ranks, counts and stores, and holds no presentation. Whoosh on
disk is the default backend; OpenSearch is the other.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from berita_search.index.fields import FACET_NAMES
from berita_search.search import plan as P
from berita_search.search.messages import Message

StoredArticle = dict[str, Any]  # stored fields by name (``index.fields``), as the backend holds them


@dataclass(frozen=True)
class SearchSpec:
    """One search as a backend runs it."""

    plan: P.Node  # what must match (``Everything`` for a search by filters alone)
    filters: tuple[P.Node, ...] = ()  # must match too, without adding to the score
    proximity: tuple[str, ...] = ()  # words whose nearness to each other earns a bonus
    phrases: bool = False  # the query holds a phrase: no nearness bonus
    sort: str = "relevance"  # relevance, newest or oldest; ``iterate`` also takes "added" (newest version first)
    top: int = 10  # hits wanted from the head of the ranking (one per story when collapsing)
    collapse: bool = True  # one hit per story: copies counted under their best hit
    facets: bool = True  # count facets over every match
    budget: float | None = None  # seconds the search may take before it is refused
    # ``iterate`` only: resume after the hit whose ``sort_key`` this is (OpenSearch: search_after).
    after: tuple[Any, ...] | None = None


@dataclass
class RankedArticle:
    stored: StoredArticle
    score: float
    copies: int = 1  # matching articles of this story (this one included) when collapsing
    # From ``iterate``: (the sort's value, article id), the order's key; None for a missing value.
    sort_key: tuple[Any, ...] | None = None


@dataclass
class Matches:
    articles: int  # matching articles, copies included
    stories: int  # distinct stories among them
    ranked: list[RankedArticle]  # best first; with collapse one per story; at most ``top``
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)  # article counts
    notes: list[Message] = field(default_factory=list)  # what was cut short (an expansion's words)
    generation: Hashable = None  # the commit these matches were read from


@dataclass
class Summary:
    """A search's matches in brief, without ranking (a line of a batch search)."""

    articles: int
    stories: int
    first_published: str | None  # ISO 8601 of the earliest dated match
    last_published: str | None
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)  # article counts, if asked


@dataclass
class IndexStats:
    documents: int
    undated: int
    first_published: str | None
    last_published: str | None
    facets: dict[str, list[tuple[str, int]]]
    location: str


# What ``Backend.tally`` counts by: the dateline day ("2019-09-17", the day the date filters
# match: the article's own wall-clock date, which is Asia/Jakarta's for WIB datelines) and the facets.
DAY = "day"
TALLY_KEYS = (DAY, *FACET_NAMES)


@dataclass
class Tally:
    """Matching articles counted by combinations of values: ``counts[(v1, v2, ...)]`` is the number
    of articles whose first key is v1, second v2 ...; None stands for no value (an undated article, one
    without a source). Every matching article is counted once, so the counts sum to the articles."""

    keys: tuple[str, ...]
    counts: dict[tuple[str | None, ...], int]
    generation: Hashable = None  # the commit these counts were read from

    @property
    def articles(self) -> int:
        return sum(self.counts.values())


class SearchTimeout(RuntimeError):
    """A search that ran past its budget; nothing of it is returned."""


class Backend(Protocol):
    """A searchable archive of articles."""

    @property
    def stemmer(self) -> str:
        """The stemmer the archive was indexed with: queries must use the same."""
        ...

    @property
    def location(self) -> str: ...

    def generation(self) -> Hashable:
        """Identity of the current commit; changes whenever the archive does."""
        ...

    def search(self, spec: SearchSpec) -> Matches: ...

    def iterate(self, spec: SearchSpec) -> Iterator[RankedArticle]:
        """Every match, however many, ordered by the sort's value and then by article id (undated
        last), one per story when collapsing (with its copies counted); after ``spec.after``
        when given. ``spec.top``, ``spec.facets`` and ``spec.budget`` are ignored."""
        ...

    def summarize(self, spec: SearchSpec) -> Summary:
        """Counts, the earliest and latest publication among the matches, and the facets when
        ``spec.facets``; nothing ranked."""
        ...

    def last_added(self) -> int:
        """The newest ``added`` stamp in the archive (``index.schema.ADDED_FIELD``; 0 for none):
        every article written by a later commit carries a larger one."""
        ...

    def ids_with_prefix(self, prefix: str, limit: int) -> list[str]:
        """Article ids starting with ``prefix``, at most ``limit``, in order."""
        ...

    def article(self, article_id: str) -> StoredArticle | None: ...

    def related(self, article_id: str, limit: int) -> list[RankedArticle]:
        """Articles sharing the most distinctive words of this one, one per story."""
        ...

    def word_frequency(self, word: str) -> int:
        """Articles holding ``word`` (folded surface form) in their title or body."""
        ...

    def similar_words(self, word: str, limit: int) -> list[str]:
        """Indexed words within two edits of ``word``, the closest and most widespread first."""
        ...

    def count(self, spec: SearchSpec) -> int:
        """Matching articles, without ranking."""
        ...

    def tally(self, spec: SearchSpec, keys: tuple[str, ...]) -> Tally:
        """Every article matching ``spec.plan`` and ``spec.filters`` (as ``count`` matches them),
        counted by its values of ``keys`` (each one of ``TALLY_KEYS``: ``day``, or a facet name,
        counted on the same values as the facets). Unranked and never collapsed: ``sort``, ``top``,
        ``collapse`` and ``facets`` are ignored; ``budget`` applies (``SearchTimeout``)."""
        ...

    def stats(self, top: int) -> IndexStats: ...

    def close(self) -> None: ...
