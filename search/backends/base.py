"""What the engine asks of a search backend, and what a backend answers.

The engine (``search.engine``) keeps validation, paging, caching, snippets and output
records; a backend matches, ranks, counts and stores, and holds no presentation. Whoosh on
disk is the default backend; OpenSearch is the other.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

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
    sort: str = "relevance"  # relevance, newest or oldest
    top: int = 10  # hits wanted from the head of the ranking (one per story when collapsing)
    collapse: bool = True  # one hit per story: copies counted under their best hit
    facets: bool = True  # count facets over every match
    budget: float | None = None  # seconds the search may take before it is refused


@dataclass
class RankedArticle:
    stored: StoredArticle
    score: float
    copies: int = 1  # matching articles of this story (this one included) when collapsing


@dataclass
class Matches:
    articles: int  # matching articles, copies included
    stories: int  # distinct stories among them
    ranked: list[RankedArticle]  # best first; with collapse one per story; at most ``top``
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)  # article counts
    notes: list[Message] = field(default_factory=list)  # what was cut short (an expansion's words)
    generation: Hashable = None  # the commit these matches were read from


@dataclass
class IndexStats:
    documents: int
    undated: int
    first_published: str | None
    last_published: str | None
    facets: dict[str, list[tuple[str, int]]]
    location: str


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
        """Every match in the order ``search`` ranks them, one per story when collapsing (with its
        copies counted), however many: for exports past any cap. ``spec.top`` and
        ``spec.facets`` are ignored."""
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

    def stats(self, top: int) -> IndexStats: ...

    def close(self) -> None: ...
