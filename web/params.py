"""Reading a search from the URL and writing it back: every state of a page is a permalink."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from urllib.parse import urlencode

from berita_search.search.engine import MAX_LIMIT, MAX_PAGE, SORTS, RequestError, SearchRequest
from berita_search.search.querylang import MAX_QUERY_CHARS, parse_date_span

# Other short text parameters (filters, dates) are bounded like the query.
MAX_PARAM_CHARS = 200
WEB_LIMIT = 20
API_LIMIT = 10
FILTERS = ("category", "reporter", "source")


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
    default_limit: int = WEB_LIMIT

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


def _int(params: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = params.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise RequestError(f"{name} harus berupa bilangan bulat antara {low} dan {high}") from None
    if not low <= value <= high:
        raise RequestError(f"{name} harus antara {low} dan {high}")
    return value


def _text(params: Mapping[str, str], name: str, limit: int = MAX_PARAM_CHARS) -> str:
    value = params.get(name, "")
    if len(value) > limit:
        raise RequestError(f"{name} terlalu panjang (maksimal {limit} karakter)")
    # Control characters have no place in a query and only confuse logs and CSV cells.
    return "".join(ch for ch in value if ch.isprintable() or ch == " ").strip()


def state_from(params: Mapping[str, str], default_limit: int = WEB_LIMIT) -> SearchState:
    """A validated state from query parameters; raises ``RequestError`` with a message for people."""
    q = _text(params, "q", MAX_QUERY_CHARS)
    sort = params.get("sort", "").strip() or "relevance"
    if sort not in SORTS:
        raise RequestError(f"sort harus salah satu dari: {', '.join(SORTS)}")
    collapse_raw = params.get("collapse", "1").strip().lower()
    if collapse_raw not in ("", "0", "1", "true", "false"):
        raise RequestError("collapse harus 0 atau 1")
    state = SearchState(
        q=q,
        page=_int(params, "page", 1, 1, MAX_PAGE),
        limit=_int(params, "limit", default_limit, 1, MAX_LIMIT),
        sort=sort,
        date_from=_text(params, "from"),
        date_to=_text(params, "to"),
        reporter=_text(params, "reporter"),
        category=_text(params, "category"),
        source=_text(params, "source"),
        collapse=collapse_raw not in ("0", "false"),
        default_limit=default_limit,
    )
    for label, value in (("from", state.date_from), ("to", state.date_to)):
        if value and parse_date_span(value) is None:
            raise RequestError(f"tanggal {label} tidak terbaca: {value!r} (contoh: 2023-08-31, 2023-08 atau 2023)")
    # The engine's remaining checks (paging depth) come last.
    state.request().validate()
    return state
