"""Reading a search from the URL and writing it back: every state of a page is a permalink.

The parameters are checked by ``search.requests`` (the same checks as the CLI's); this module
only maps them to and from the URL.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from urllib.parse import urlencode

from berita_search.index.fields import FILTER_FIELDS
from berita_search.search.messages import Message
from berita_search.search.querylang import MAX_QUERY_CHARS
from berita_search.search.requests import (
    MAX_LIMIT,
    MAX_PARAM_CHARS,
    SORTS,
    SearchRequest,
    choice_param,
    request_from_params,
)

WEB_LIMIT = 20
API_LIMIT = 10
FILTERS = FILTER_FIELDS  # category, reporter, source: the facets a click filters by
EXPANDABLE = FILTERS  # facets whose every value a page can list (``expand=``)


@dataclass(frozen=True)
class SearchState:
    """One search as the URL spells it; ``url()`` gives the permalink of a changed copy."""

    q: str = ""
    page: int = 1
    limit: int = WEB_LIMIT
    sort: str = "relevance"
    date_from: str = ""
    date_to: str = ""
    reporter: str = ""
    category: str = ""
    source: str = ""
    collapse: bool = True
    expand: str = ""  # a facet listed with every value, not only the first ones
    default_limit: int = WEB_LIMIT
    notes: tuple[Message, ...] = ()  # what validation changed (a reversed range put in order)

    @property
    def active(self) -> bool:
        """Whether there is anything to search for (a query or a filter)."""
        return bool(self.q.strip() or self.date_from or self.date_to or self.reporter or self.category or self.source)

    def request(self, *, facets: bool = True, snippets: bool = True) -> SearchRequest:
        return SearchRequest(
            q=self.q,
            page=self.page,
            limit=self.limit,
            sort=self.sort,
            date_from=self.date_from or None,
            date_to=self.date_to or None,
            reporter=self.reporter or None,
            category=self.category or None,
            source=self.source or None,
            collapse=self.collapse,
            facets=facets,
            snippets=snippets,
            notes=self.notes,
        )

    def params(self) -> list[tuple[str, str]]:
        """The query-string pairs of this state, defaults left out so permalinks stay short."""
        pairs: list[tuple[str, str]] = []
        if self.q:
            pairs.append(("q", self.q))
        for name, key in (("date_from", "from"), ("date_to", "to"), *((f, f) for f in FILTERS)):
            value = getattr(self, name)
            if value:
                pairs.append((key, value))
        if self.sort != "relevance":
            pairs.append(("sort", self.sort))
        if self.limit != self.default_limit:
            pairs.append(("limit", str(self.limit)))
        if not self.collapse:
            pairs.append(("collapse", "0"))
        if self.expand:
            pairs.append(("expand", self.expand))
        if self.page != 1:
            pairs.append(("page", str(self.page)))
        return pairs

    def query_string(self) -> str:
        return urlencode(self.params())

    def url(self, path: str = "/", **changes: object) -> str:
        """The permalink of this search with some fields changed; any change but a page turn starts at page 1."""
        if "page" not in changes:
            changes["page"] = 1
        qs = replace(self, **changes).query_string()  # type: ignore[arg-type]
        return f"{path}?{qs}" if qs else path

    def here(self, path: str = "/") -> str:
        """The permalink of this very page."""
        return self.url(path, page=self.page)


def state_from(params: Mapping[str, str], default_limit: int = WEB_LIMIT) -> SearchState:
    """A validated state from query parameters; raises ``RequestError`` with a message for people."""
    request = request_from_params(params, default_limit)
    return SearchState(
        q=request.q,
        page=request.page,
        limit=request.limit,
        sort=request.sort,
        date_from=request.date_from or "",
        date_to=request.date_to or "",
        collapse=request.collapse,
        expand=choice_param(params, "expand", EXPANDABLE),
        default_limit=default_limit,
        notes=request.notes,
        **{name: getattr(request, name) or "" for name in FILTERS},  # type: ignore[arg-type]
    )


def form_state(params: Mapping[str, str], default_limit: int = WEB_LIMIT) -> SearchState:
    """The search as typed, unchecked but bounded, to fill the form again beside an error."""

    def text(name: str, limit: int = MAX_PARAM_CHARS) -> str:
        return "".join(ch for ch in params.get(name, "")[:limit] if ch.isprintable())

    sort = params.get("sort", "")
    limit = params.get("limit", "")
    return SearchState(
        q=text("q", MAX_QUERY_CHARS),
        sort=sort if sort in SORTS else "relevance",
        date_from=text("from"),
        date_to=text("to"),
        collapse=params.get("collapse") != "0",
        limit=int(limit) if re.fullmatch(r"[0-9]{1,3}", limit) and 1 <= int(limit) <= MAX_LIMIT else default_limit,
        default_limit=default_limit,
        **{name: text(name) for name in FILTERS},  # type: ignore[arg-type]
    )
