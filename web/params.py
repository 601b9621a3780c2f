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
    DEFAULT_TOP,
    EXCLUDE_PREFIX,
    MAX_COMPARE,
    MAX_FILTER_VALUES,
    MAX_LIMIT,
    MAX_PARAM_CHARS,
    SORTS,
    CoverageRequest,
    SearchRequest,
    choice_param,
    coverage_request_from_params,
    request_from_params,
)

WEB_LIMIT = 20
API_LIMIT = 10
FILTERS = FILTER_FIELDS  # source, category, desk, reporter: the facets a click filters by
EXPANDABLE = FILTERS  # facets whose every value a page can list (``expand=``)


@dataclass(frozen=True)
class SearchState:
    """One search as the URL spells it; ``url()`` gives the permalink of a changed copy.

    Each filter holds its values (``source=a&source=b``: either); ``exclude`` the (filter, value)
    pairs left out (``not_source=c``). ``compare`` holds the searches after the first (``q`` repeated)
    and ``interval``, ``by``, ``share`` and ``layout`` how the coverage chart is drawn.
    """

    q: str = ""
    page: int = 1
    limit: int = WEB_LIMIT
    sort: str = "relevance"
    date_from: str = ""
    date_to: str = ""
    reporter: tuple[str, ...] = ()
    category: tuple[str, ...] = ()
    source: tuple[str, ...] = ()
    collapse: bool = True
    expand: str = ""  # a facet listed with every value, not only the first ones
    default_limit: int = WEB_LIMIT
    notes: tuple[Message, ...] = ()  # what validation changed (a reversed range put in order)
    desk: tuple[str, ...] = ()
    exclude: tuple[tuple[str, str], ...] = ()
    compare: tuple[str, ...] = ()
    interval: str = ""
    by: str = ""
    share: bool = False
    layout: str = ""

    def __post_init__(self) -> None:
        # One value given as a string (state.url(source="tempo.co"), "" for none) is a filter of one value.
        for name in FILTERS:
            value = getattr(self, name)
            if isinstance(value, str):
                object.__setattr__(self, name, (value,) if value else ())
        if isinstance(self.compare, str):
            object.__setattr__(self, "compare", (self.compare,) if self.compare else ())

    @property
    def active(self) -> bool:
        """Whether there is anything to search for (a query or a filter)."""
        return bool(
            self.q.strip()
            or any(q.strip() for q in self.compare)
            or self.date_from
            or self.date_to
            or self.exclude
            or any(self.values(name) for name in FILTERS)
        )

    def values(self, name: str) -> tuple[str, ...]:
        return getattr(self, name)

    def excluded(self, name: str) -> tuple[str, ...]:
        return tuple(value for field_name, value in self.exclude if field_name == name)

    def request(self, *, facets: bool = True, snippets: bool = True) -> SearchRequest:
        return SearchRequest(
            q=self.q,
            page=self.page,
            limit=self.limit,
            sort=self.sort,
            date_from=self.date_from or None,
            date_to=self.date_to or None,
            collapse=self.collapse,
            facets=facets,
            snippets=snippets,
            notes=self.notes,
            exclude=self.exclude,
            reporter=self.values("reporter"),
            category=self.values("category"),
            source=self.values("source"),
            desk=self.values("desk"),
        )

    def coverage_request(self, top: int = DEFAULT_TOP) -> CoverageRequest:
        """The coverage of this search (and of the compared ones), drawn as the URL asks."""
        return CoverageRequest(
            queries=(self.q, *self.compare),
            filters=self.request(facets=False, snippets=False),
            interval=self.interval,
            by=self.by,
            top=top,
            share=self.share,
            layout=self.layout or "stacked",
        )

    def params(self) -> list[tuple[str, str]]:
        """The query-string pairs of this state, defaults left out so permalinks stay short."""
        pairs: list[tuple[str, str]] = []
        if self.q or self.compare:
            pairs.append(("q", self.q))
        pairs.extend(("q", q) for q in self.compare)
        for name, key in (("date_from", "from"), ("date_to", "to")):
            value = getattr(self, name)
            if value:
                pairs.append((key, value))
        for name in FILTERS:
            pairs.extend((name, value) for value in self.values(name))
            pairs.extend((EXCLUDE_PREFIX + name, value) for value in self.excluded(name))
        if self.sort != "relevance":
            pairs.append(("sort", self.sort))
        if self.limit != self.default_limit:
            pairs.append(("limit", str(self.limit)))
        if not self.collapse:
            pairs.append(("collapse", "0"))
        if self.expand:
            pairs.append(("expand", self.expand))
        for name in ("interval", "by", "layout"):
            if getattr(self, name):
                pairs.append((name, getattr(self, name)))
        if self.share:
            pairs.append(("share", "1"))
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

    # -- facet clicks: a value added to its filter (either of them), taken out, or excluded

    def toggle_url(self, name: str, value: str, path: str = "/") -> str:
        """A click on a facet's value: added to the filter's values, or taken out when it is one."""
        values = self.values(name)
        changed = tuple(v for v in values if v != value) if value in values else (*values, value)
        return self.url(path, **{name: changed, "exclude": self._without_exclusion(name, value)})

    def exclude_url(self, name: str, value: str, path: str = "/") -> str:
        """A click on a value's exclusion: articles with it are left out."""
        kept = tuple(v for v in self.values(name) if v != value)
        return self.url(path, **{name: kept, "exclude": (*self._without_exclusion(name, value), (name, value))})

    def include_again_url(self, name: str, value: str, path: str = "/") -> str:
        return self.url(path, exclude=self._without_exclusion(name, value))

    def _without_exclusion(self, name: str, value: str) -> tuple[tuple[str, str], ...]:
        return tuple(e for e in self.exclude if e != (name, value))

    def without_filters_url(self, path: str = "/") -> str:
        empty: dict[str, object] = {name: () for name in FILTERS}
        return self.url(path, date_from="", date_to="", collapse=True, exclude=(), **empty)


def state_from(params: Mapping[str, str], default_limit: int = WEB_LIMIT) -> SearchState:
    """A validated state from query parameters; raises ``RequestError`` with a message for people."""
    request = request_from_params(params, default_limit)
    coverage = coverage_request_from_params(params)
    queries = [q for q in _queries(params)]
    share = params.get("share", "0")
    return SearchState(
        q=queries[0] if queries else request.q,
        page=request.page,
        limit=request.limit,
        sort=request.sort,
        date_from=request.date_from or "",
        date_to=request.date_to or "",
        collapse=request.collapse,
        expand=choice_param(params, "expand", EXPANDABLE),
        default_limit=default_limit,
        notes=request.notes,
        exclude=request.exclude,
        compare=tuple(queries[1:]),
        interval=coverage.interval,
        by=coverage.by,
        share=share == "1",
        layout=params.get("layout", ""),
        **{name: request.values(name) for name in FILTERS},
    )


def _queries(params: Mapping[str, str]) -> list[str]:
    """Every ``q`` as typed (bounded and cleaned as ``request_from_params`` does); blank ones after the first dropped."""
    getlist = getattr(params, "getlist", None)
    raw = list(getlist("q")) if getlist is not None else ([params["q"]] if "q" in params else [])
    cleaned = ["".join(ch for ch in q if ch.isprintable() or ch == " ").strip() for q in raw]
    return cleaned[:1] + [q for q in cleaned[1:] if q]


def form_state(params: Mapping[str, str], default_limit: int = WEB_LIMIT) -> SearchState:
    """The search as typed, unchecked but bounded, to fill the form again beside an error."""

    def text(name: str, limit: int = MAX_PARAM_CHARS) -> str:
        return "".join(ch for ch in params.get(name, "")[:limit] if ch.isprintable())

    def texts(name: str) -> tuple[str, ...]:
        getlist = getattr(params, "getlist", None)
        values = list(getlist(name)) if getlist is not None else ([params[name]] if name in params else [])
        cleaned = ("".join(ch for ch in v[:MAX_PARAM_CHARS] if ch.isprintable()) for v in values[:MAX_FILTER_VALUES])
        return tuple(dict.fromkeys(v for v in cleaned if v.strip()))

    sort = params.get("sort", "")
    limit = params.get("limit", "")
    queries = [q[:MAX_QUERY_CHARS] for q in _queries(params)]
    return SearchState(
        q=queries[0] if queries else "",
        compare=tuple(queries[1:MAX_COMPARE]),
        sort=sort if sort in SORTS else "relevance",
        date_from=text("from"),
        date_to=text("to"),
        collapse=params.get("collapse") != "0",
        limit=int(limit) if re.fullmatch(r"[0-9]{1,3}", limit) and 1 <= int(limit) <= MAX_LIMIT else default_limit,
        default_limit=default_limit,
        exclude=tuple((name, v) for name in FILTERS for v in texts(EXCLUDE_PREFIX + name)),
        **{name: texts(name) for name in FILTERS},  # type: ignore[arg-type]
    )
