"""Search requests and their validation: one place for the CLI, the web and the API.

A bad parameter raises ``RequestError`` carrying a ``Message`` (a code and its values), so
the web and the API say it in Indonesian and the CLI in English. What validation changes
rather than refuses (a reversed date range, put in order) is kept as a note on the request.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from berita_search.index.fields import BY_NAME, FILTER_FIELDS
from berita_search.search.messages import Language, Message
from berita_search.search.querylang import MAX_QUERY_CHARS, parse_date_span

MAX_LIMIT = 100
MAX_PAGE = 100
MAX_RESULTS_DEPTH = 10_000
EXPORT_CAP = 5_000  # hits in one CSV, JSON or XLSX export
SORTS = ("relevance", "newest", "oldest")
MAX_PARAM_CHARS = 200  # other short text parameters (filters, dates) are bounded like the query
MAX_FILTER_VALUES = 20  # values of one filter at once (either of them), and exclusions of one field
EXCLUDE_PREFIX = "not_"  # not_source=okezone.com: a filter's exclusions as URL parameters

# The dates ``from`` and ``to`` take: a year, a month or a day of the calendar, 1744 (the first
# Indonesian newspaper, the indexer's earliest plausible date) to 2099 (spaces around allowed),
# and nothing else, so that the OpenAPI pattern and what is accepted are the same set of strings.
_YEAR = r"(?:174[4-9]|17[5-9]\d|1[89]\d\d|20\d\d)"
# Leap years: the last two digits divisible by 4 but not 00, and 2000 (1800 and 1900 are not).
_LEAP_YEAR = rf"(?={_YEAR})(?:(?:17|18|19|20)(?:[02468][48]|[13579][26]|[2468]0)|2000)"
DATE_PATTERN = (
    rf"^ *(?:{_YEAR}(?:-(?:0[1-9]|1[0-2]))?"
    rf"|{_YEAR}-(?:0[13578]|1[02])-(?:0[1-9]|[12]\d|3[01])"
    rf"|{_YEAR}-(?:0[469]|11)-(?:0[1-9]|[12]\d|30)"
    rf"|{_YEAR}-02-(?:0[1-9]|1\d|2[0-8])"
    rf"|{_LEAP_YEAR}-02-29) *$"
)
_DATE = re.compile(DATE_PATTERN)
DATE_PARAM_PATTERN = rf"^ *$|{DATE_PATTERN}"  # as a URL parameter: blank is no limit
_LABELS = {"q": "Kueri", "from": "Tanggal “Dari”", "to": "Tanggal “Sampai”"}  # parameters outside the field table
_WHOLE_NUMBER = re.compile(r"[0-9]{1,6}")


class RequestError(ValueError):
    """A request with an out-of-range or malformed parameter: a usage error."""

    def __init__(self, message: Message) -> None:
        super().__init__(message.text("en"))
        self.message = message

    def text(self, language: Language) -> str:
        return self.message.text(language)


def readable_date(value: str) -> bool:
    return _DATE.fullmatch(value) is not None


FilterValues = tuple[str, ...]


def filter_values(value: str | Iterable[str] | None) -> FilterValues:
    """A filter's values as a tuple: one value (a str) or several, blanks and repeats left out."""
    if value is None:
        return ()
    items = [value] if isinstance(value, str) else list(value)
    return tuple(dict.fromkeys(v for v in items if v and v.strip()))


@dataclass
class SearchRequest:
    """One search. Each filter (``index.fields.FILTER_FIELDS``) takes one value or several, any of
    which may match (OR within a filter, AND across filters); ``exclude`` takes (field, value)
    pairs no matching article may have."""

    q: str = ""
    page: int = 1
    limit: int = 10
    sort: str = "relevance"
    date_from: str | None = None
    date_to: str | None = None
    reporter: FilterValues = ()
    category: FilterValues = ()
    source: FilterValues = ()
    collapse: bool = True
    facets: bool = True
    snippets: bool = True
    notes: tuple[Message, ...] = ()  # what validation changed, said to the reader with the results
    # Only articles whose current version entered the index after ``added_after`` and at or before
    # ``added_upto`` (stamps of ``index.schema.ADDED_FIELD``): what is new to a saved search.
    added_after: int | None = None
    added_upto: int | None = None
    desk: FilterValues = ()
    exclude: tuple[tuple[str, str], ...] = field(default=())

    def __post_init__(self) -> None:
        self._normalise_filters()

    def _normalise_filters(self) -> None:
        # One value given as a string (SearchRequest(source="tempo.co")) is a filter of one value.
        for name in FILTER_FIELDS:
            setattr(self, name, filter_values(getattr(self, name)))
        self.exclude = tuple(dict.fromkeys((name, value) for name, value in self.exclude if value and value.strip()))

    def values(self, name: str) -> FilterValues:
        """The values of one filter (empty when it is not set)."""
        return getattr(self, name)

    def excluded(self, name: str) -> FilterValues:
        return tuple(value for field_name, value in self.exclude if field_name == name)

    @property
    def has_filters(self) -> bool:
        return bool(self.date_from or self.date_to or self.exclude or any(self.values(n) for n in FILTER_FIELDS))

    def validate(self) -> None:
        """Refuse what cannot be searched; put a reversed date range in order, with a note."""
        self._normalise_filters()
        for name in FILTER_FIELDS:
            if len(self.values(name)) > MAX_FILTER_VALUES or len(self.excluded(name)) > MAX_FILTER_VALUES:
                raise RequestError(Message.of("too_many_values", label=BY_NAME[name].label, limit=MAX_FILTER_VALUES))
        if any(name not in FILTER_FIELDS for name, _ in self.exclude):
            raise RequestError(
                Message.of("facet_unknown", value=next(n for n, _ in self.exclude if n not in FILTER_FIELDS))
            )
        if not 1 <= self.limit <= MAX_LIMIT:
            raise RequestError(Message.of("limit_range", high=MAX_LIMIT))
        if not 1 <= self.page <= MAX_PAGE:
            raise RequestError(Message.of("page_range", high=MAX_PAGE))
        if self.page * self.limit > MAX_RESULTS_DEPTH:
            raise RequestError(Message.of("too_deep", depth=MAX_RESULTS_DEPTH))
        if self.sort not in SORTS:
            raise RequestError(Message.of("sort_unknown"))
        for end in ("from", "to"):
            value = getattr(self, f"date_{end}")
            if value and not readable_date(value):
                raise RequestError(Message.of(f"date_unreadable_{end}", value=value))
            setattr(self, f"date_{end}", value.strip(" ") if value else None)
        if self.date_from and self.date_to:
            first, last = parse_date_span(self.date_from), parse_date_span(self.date_to)
            if first and last and first[0] > last[1]:
                self.date_from, self.date_to = self.date_to, self.date_from
                self.notes = (*self.notes, Message.of("date_range_reversed", first=self.date_from, last=self.date_to))


def _whole_number(params: Mapping[str, str], name: str, default: int, code: str, high: int) -> int:
    raw = params.get(name)
    if raw is None:
        return default
    if not _WHOLE_NUMBER.fullmatch(raw):
        raise RequestError(Message.of(code, high=high))
    return int(raw)


def _text(params: Mapping[str, str], name: str, limit: int = MAX_PARAM_CHARS, label_of: str | None = None) -> str:
    value = params.get(name, "")
    if len(value) > limit:
        label_name = label_of or name
        label = BY_NAME[label_name].label if label_name in BY_NAME else _LABELS[label_name]
        raise RequestError(Message.of("text_too_long", label=label, name=name, limit=limit))
    # Control characters have no place in a query and only confuse logs and CSV cells.
    return "".join(ch for ch in value if ch.isprintable() or ch == " ").strip()


def _all_values(params: Mapping[str, str], name: str) -> list[str]:
    """Every value of a repeated URL parameter (``source=a&source=b``)."""
    getlist = getattr(params, "getlist", None)
    if getlist is not None:
        return list(getlist(name))
    return [params[name]] if name in params else []


def _texts(params: Mapping[str, str], name: str) -> FilterValues:
    """The values of a repeated text parameter, each checked as ``_text`` checks one."""
    values = _all_values(params, name)
    if len(values) > MAX_FILTER_VALUES:
        label = BY_NAME[name.removeprefix(EXCLUDE_PREFIX)].label
        raise RequestError(Message.of("too_many_values", label=label, limit=MAX_FILTER_VALUES))
    return filter_values(_text({name: value}, name, label_of=name.removeprefix(EXCLUDE_PREFIX)) for value in values)


def _date(params: Mapping[str, str], end: str) -> str | None:
    value = params.get(end, "")
    if len(value) > MAX_PARAM_CHARS:
        raise RequestError(Message.of("text_too_long", label=_LABELS[end], name=end, limit=MAX_PARAM_CHARS))
    # A date is read as typed: a stray character is an error, not something to guess around.
    return value if value.strip(" ") else None


def request_from_params(params: Mapping[str, str], default_limit: int = 10) -> SearchRequest:
    """A validated request from URL parameters (the web and the API)."""
    q = _text(params, "q", MAX_QUERY_CHARS)
    # A parameter given is a parameter checked: an empty sort or page is as wrong as a misspelt one.
    sort = params.get("sort", "relevance")
    if sort not in SORTS:
        raise RequestError(Message.of("sort_unknown"))
    collapse = params.get("collapse", "1")
    if collapse not in ("0", "1"):
        raise RequestError(Message.of("collapse_invalid"))
    request = SearchRequest(
        q=q,
        page=_whole_number(params, "page", 1, "page_range", MAX_PAGE),
        limit=_whole_number(params, "limit", default_limit, "limit_range", MAX_LIMIT),
        sort=sort,
        date_from=_date(params, "from"),
        date_to=_date(params, "to"),
        collapse=collapse != "0",
        exclude=tuple((name, value) for name in FILTER_FIELDS for value in _texts(params, EXCLUDE_PREFIX + name)),
        **{name: _texts(params, name) for name in FILTER_FIELDS},  # type: ignore[arg-type]
    )
    request.validate()
    return request


def choice_param(params: Mapping[str, str], name: str, choices: tuple[str, ...], code: str = "facet_unknown") -> str:
    """An optional parameter that names one of ``choices`` (empty when absent)."""
    value = params.get(name, "")
    if value and value not in choices:
        raise RequestError(Message.of(code, value=value[:MAX_PARAM_CHARS], choices=", ".join(choices)))
    return value


# ---------------------------------------------------------------- coverage over time (search.coverage)

INTERVALS = ("day", "week", "month", "year")
SPLITS = FILTER_FIELDS  # what a series may be split by: source, category, desk, reporter
LAYOUTS = ("stacked", "multiples")
MAX_COMPARE = 5  # searches on one chart
MAX_TOP = 10  # values of a split drawn separately (the rest is one "others" series)
DEFAULT_TOP = 5


@dataclass
class CoverageRequest:
    """Articles over time for up to ``MAX_COMPARE`` searches sharing ``filters`` (dates, sources,
    categories ...; its own ``q`` is not used), optionally split by a facet's values."""

    queries: tuple[str, ...] = ("",)
    filters: SearchRequest = field(default_factory=SearchRequest)
    interval: str = ""  # day, week, month or year; "" picks one by the span
    by: str = ""  # a facet of SPLITS, or "" for none
    top: int = DEFAULT_TOP
    share: bool = False  # the chart's measure: share of all articles (counts are always computed too)
    layout: str = "stacked"  # a split as stacked bars or small multiples

    def validate(self) -> None:
        self.queries = tuple(q for q in self.queries if q.strip()) or ("",)
        if len(self.queries) > MAX_COMPARE:
            raise RequestError(Message.of("compare_too_many", limit=MAX_COMPARE))
        if self.interval and self.interval not in INTERVALS:
            raise RequestError(Message.of("interval_unknown"))
        if self.by and self.by not in SPLITS:
            raise RequestError(Message.of("split_unknown", choices=", ".join(SPLITS)))
        if not 1 <= self.top <= MAX_TOP:
            raise RequestError(Message.of("top_range", high=MAX_TOP))
        if self.layout not in LAYOUTS:
            raise RequestError(Message.of("layout_unknown"))
        self.filters.validate()

    def search(self, query: str) -> SearchRequest:
        """One of the compared searches, with the shared filters."""
        return replace(self.filters, q=query, page=1, facets=False, snippets=False, notes=())


def coverage_request_from_params(params: Mapping[str, str]) -> CoverageRequest:
    """A validated coverage request from URL parameters: ``q`` repeated for each compared search."""
    given = _all_values(params, "q")
    if len(given) > MAX_COMPARE:  # blank boxes count: the page's form sends exactly MAX_COMPARE
        raise RequestError(Message.of("compare_too_many", limit=MAX_COMPARE))
    queries = tuple(_text({"q": q}, "q", MAX_QUERY_CHARS) for q in given)
    share = params.get("share", "0")
    if share not in ("0", "1"):
        raise RequestError(Message.of("share_invalid"))
    request = CoverageRequest(
        queries=queries or ("",),
        filters=replace(request_from_params(params), q=""),
        interval=choice_param(params, "interval", INTERVALS, "interval_unknown"),
        by=choice_param(params, "by", SPLITS, "split_unknown"),
        top=_whole_number(params, "top", DEFAULT_TOP, "top_range", MAX_TOP),
        share=share == "1",
        layout=choice_param(params, "layout", LAYOUTS, "layout_unknown") or "stacked",
    )
    request.validate()
    return request
