"""Search requests and their validation: one place for the CLI, the web and the API.

A bad parameter raises ``RequestError`` carrying a ``Message`` (a code and its values), so
the web and the API say it in Indonesian and the CLI in English. What validation changes
rather than refuses (a reversed date range, put in order) is kept as a note on the request.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from berita_search.index.fields import BY_NAME, FILTER_FIELDS
from berita_search.search.messages import Language, Message
from berita_search.search.querylang import MAX_QUERY_CHARS, parse_date_span

MAX_LIMIT = 100
MAX_PAGE = 100
MAX_RESULTS_DEPTH = 10_000
EXPORT_CAP = 5_000  # hits in one CSV, JSON or XLSX export
SORTS = ("relevance", "newest", "oldest")
MAX_PARAM_CHARS = 200  # other short text parameters (filters, dates) are bounded like the query

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


@dataclass
class SearchRequest:
    q: str = ""
    page: int = 1
    limit: int = 10
    sort: str = "relevance"
    date_from: str | None = None
    date_to: str | None = None
    reporter: str | None = None
    category: str | None = None
    source: str | None = None
    collapse: bool = True
    facets: bool = True
    snippets: bool = True
    notes: tuple[Message, ...] = ()  # what validation changed, said to the reader with the results

    def validate(self) -> None:
        """Refuse what cannot be searched; put a reversed date range in order, with a note."""
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


def _text(params: Mapping[str, str], name: str, limit: int = MAX_PARAM_CHARS) -> str:
    value = params.get(name, "")
    if len(value) > limit:
        label = BY_NAME[name].label if name in BY_NAME else _LABELS[name]
        raise RequestError(Message.of("text_too_long", label=label, name=name, limit=limit))
    # Control characters have no place in a query and only confuse logs and CSV cells.
    return "".join(ch for ch in value if ch.isprintable() or ch == " ").strip()


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
        **{name: _text(params, name) or None for name in FILTER_FIELDS},  # type: ignore[arg-type]
    )
    request.validate()
    return request


def choice_param(params: Mapping[str, str], name: str, choices: tuple[str, ...]) -> str:
    """An optional parameter that names one of ``choices`` (empty when absent)."""
    value = params.get(name, "")
    if value and value not in choices:
        raise RequestError(Message.of("facet_unknown", value=value[:MAX_PARAM_CHARS]))
    return value
