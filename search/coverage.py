"""Coverage over time and across outlets: how many articles a search found in each day, week,
month or year, split by outlet (or desk, category, reporter), as a share of everything published,
and for up to five searches side by side. The CLI, the web page and the API all read ``Coverage``.

Counting: articles, the unit of the facets (copies of one story each count). Each article falls in
the period of its dateline day: the day the date filters (``from``/``to``, ``tanggal:``) match, so a
period's count is exactly what its link to the results finds. That is the article's own wall-clock
date, the date in Asia/Jakarta for every WIB dateline (and for dates given without a time); an
article dated in WITA or WIT counts on its own dateline's day. Weeks run Monday to Sunday. Empty
periods count zero; undated articles are counted apart. The series of a search sum to its total,
and the series of a split (its top values, then "others" holding the rest, articles without a
value included) sum to the search's series.

The share divides each period's count by every article in the archive in that period (per value
when split), from the outlets the ``source`` filter keeps (all outlets without one): the search's
share of what was published, so that a day when everyone published more is not read as a day of
more attention.
"""

from __future__ import annotations

import threading
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Hashable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from berita_search.index.dates import MONTH_NAMES_ID
from berita_search.search import plan as P
from berita_search.search.backends.base import DAY, SearchSpec, SearchTimeout, Tally
from berita_search.search.engine import SEARCH_BUDGET_SECONDS, SearchEngine
from berita_search.search.messages import Language, Message
from berita_search.search.querylang import parse_date_span
from berita_search.search.requests import INTERVALS, CoverageRequest, SearchRequest

AUTO_MAX_PERIODS = 130  # an interval picked by the span gives at most this many periods
MAX_PERIODS = 1_000  # an interval asked for that gives more is widened, with a note
INTERVAL_NAMES: dict[Language, dict[str, str]] = {
    "id": {"day": "hari", "week": "minggu", "month": "bulan", "year": "tahun"},
    "en": {"day": "day", "week": "week", "month": "month", "year": "year"},
}
OTHERS_LABEL: dict[Language, str] = {"id": "lainnya", "en": "others"}
MONTH_ABBR_ID = [m[:3] if m != "Agustus" else "Agu" for m in MONTH_NAMES_ID]
CSV_KEYS = ("query", "by", "kind", "value", "period", "first_day", "last_day", "articles", "all_articles", "share")
CACHE_SIZE = 64  # coverages and denominators kept per service (each valid for one commit of the index)


# ---------------------------------------------------------------- periods


@dataclass(frozen=True)
class Period:
    key: str  # the first day ("2019-09-09") for days and weeks, "2019-09" for months, "2019" for years
    first: date
    last: date  # both included; clipped to the request's dates
    date_from: str  # the from/to of the search that finds exactly this period's articles
    date_to: str

    def label(self, language: Language = "id") -> str:
        """'10 Sep 2019', '9–15 Sep 2019', 'September 2019', '2019' (ISO dates in English)."""
        first, last = self.first, self.last
        if language == "en":
            return first.isoformat() if first == last else f"{first.isoformat()}–{last.isoformat()}"
        if first == last:
            return short_day(first)
        if first.day == 1 and next_start(first, "month") == last + timedelta(days=1):
            return f"{MONTH_NAMES_ID[first.month - 1]} {first.year}"
        if (first.month, first.day, last.month, last.day) == (1, 1, 12, 31) and first.year == last.year:
            return str(first.year)
        if first.year != last.year:
            return f"{short_day(first)}–{short_day(last)}"
        if first.month != last.month:
            return f"{first.day} {MONTH_ABBR_ID[first.month - 1]}–{short_day(last)}"
        return f"{first.day}–{short_day(last)}"

    def tick(self, interval: str, with_year: bool = False) -> str:
        """A short label under the axis: '10 Sep', '10 Sep 19' (``with_year``, for days and weeks
        of a chart that spans more than one year), 'Sep 19', '2019'."""
        if interval == "year":
            return str(self.first.year)
        if interval == "month":
            return f"{MONTH_ABBR_ID[self.first.month - 1]} {self.first.year % 100:02d}"
        year = f" {self.first.year % 100:02d}" if with_year else ""
        return f"{self.first.day} {MONTH_ABBR_ID[self.first.month - 1]}{year}"


def short_day(day: date) -> str:
    return f"{day.day} {MONTH_ABBR_ID[day.month - 1]} {day.year}"


def period_start(day: date, interval: str) -> date:
    if interval == "week":
        return day - timedelta(days=day.weekday())
    if interval == "month":
        return day.replace(day=1)
    if interval == "year":
        return date(day.year, 1, 1)
    return day


def next_start(start: date, interval: str) -> date:
    if interval == "week":
        return start + timedelta(days=7)
    if interval == "month":
        return date(start.year + start.month // 12, start.month % 12 + 1, 1)
    if interval == "year":
        return date(start.year + 1, 1, 1)
    return start + timedelta(days=1)


def period_count(first: date, last: date, interval: str) -> int:
    """How many periods of ``interval`` the days ``first`` to ``last`` touch."""
    if interval == "day":
        return (last - first).days + 1
    if interval == "week":
        return (period_start(last, "week") - period_start(first, "week")).days // 7 + 1
    if interval == "month":
        return (last.year - first.year) * 12 + last.month - first.month + 1
    return last.year - first.year + 1


def periods_between(first: date, last: date, interval: str) -> list[Period]:
    """Every period from the one holding ``first`` to the one holding ``last``, the first and last
    cut to those days."""
    periods = []
    start = period_start(first, interval)
    while start <= last:
        end = next_start(start, interval) - timedelta(days=1)
        a, b = max(start, first), min(end, last)
        whole = (a, b) == (start, end)
        if interval == "month" and whole:
            span = (f"{a.year:04d}-{a.month:02d}",) * 2
        elif interval == "year" and whole:
            span = (f"{a.year:04d}",) * 2
        else:
            span = (a.isoformat(), b.isoformat())
        key = span[0] if interval in ("month", "year") and whole else start.isoformat()
        periods.append(Period(key, a, b, *span))
        start = end + timedelta(days=1)
    return periods


def auto_interval(first: date, last: date) -> str:
    """The finest interval that draws the span in at most AUTO_MAX_PERIODS periods."""
    return next((i for i in INTERVALS if period_count(first, last, i) <= AUTO_MAX_PERIODS), "year")


# ---------------------------------------------------------------- series


@dataclass
class Series:
    """One line or one stack of bars: a search, or one value of its split, or the rest."""

    query_index: int  # which of the compared searches
    query: str
    kind: str  # "all" (the whole search), "value" (one value of the split) or "others" (the rest)
    value: str  # the split's value ("" for all and others)
    counts: list[int]  # matching articles per period
    base: list[int]  # every article per period (of the value, from the kept outlets): the share's divisor
    others_of: tuple[str, ...] = ()  # for "others": the values drawn separately, which it excludes

    @property
    def total(self) -> int:
        return sum(self.counts)

    @property
    def base_total(self) -> int:
        return sum(self.base)

    @property
    def shares(self) -> list[float | None]:
        """Count over all articles, per period; None where nothing at all was published."""
        return [c / b if b else None for c, b in zip(self.counts, self.base, strict=True)]

    @property
    def share_total(self) -> float | None:
        return self.total / self.base_total if self.base_total else None

    def label(self, language: Language = "id") -> str:
        if self.kind == "others":
            return OTHERS_LABEL[language]
        if self.kind == "value":
            return self.value
        return f"“{self.query}”" if self.query else ("(saringan saja)" if language == "id" else "(filters only)")


@dataclass
class SearchTotal:
    """One compared search: its articles, how many have no date (in no period), and what was said."""

    query: str
    articles: int
    undated: int
    messages: list[Message] = field(default_factory=list)

    @property
    def dated(self) -> int:
        return self.articles - self.undated


@dataclass
class Coverage:
    request: CoverageRequest
    interval: str  # the interval drawn ("" when there is no dated article)
    auto: bool  # picked by the span, not asked for
    periods: list[Period]
    series: list[Series]
    searches: list[SearchTotal]
    notes: list[Message] = field(default_factory=list)
    complete: bool = True  # False when a count ran past its budget and was refused
    generation: Hashable = None

    @property
    def messages(self) -> list[Message]:
        said = [*self.request.filters.notes, *self.notes]
        for search in self.searches:
            said.extend(m for m in search.messages if m not in said)
        return said

    @property
    def max_count(self) -> int:
        """The tallest bar: per period, the sum of a search's series."""
        sums: dict[tuple[int, int], int] = {}
        for series in self.series:
            for i, count in enumerate(series.counts):
                sums[series.query_index, i] = sums.get((series.query_index, i), 0) + count
        return max(sums.values(), default=0)

    def series_of(self, query_index: int) -> list[Series]:
        return [s for s in self.series if s.query_index == query_index]

    def period_total(self, query_index: int, period: int) -> int:
        return sum(s.counts[period] for s in self.series_of(query_index))

    def period_base(self, query_index: int, period: int) -> int:
        return sum(s.base[period] for s in self.series_of(query_index))

    def whole(self, query_index: int) -> Series:
        """A search's series summed over its split (the search itself): what its period links find."""
        parts = self.series_of(query_index)
        size = len(self.periods)
        counts = [sum(s.counts[i] for s in parts) for i in range(size)]
        base = [sum(s.base[i] for s in parts) for i in range(size)]
        return Series(query_index, self.searches[query_index].query, "all", "", counts, base)

    def peak(self, query_index: int) -> tuple[Period, int] | None:
        if not self.periods:
            return None
        totals = [self.period_total(query_index, i) for i in range(len(self.periods))]
        best = max(range(len(totals)), key=lambda i: (totals[i], -i))
        return (self.periods[best], totals[best]) if totals[best] else None

    # -- machine output (the CLI's --csv/--json, the web's downloads and the API)

    def rows(self) -> Iterator[dict[str, Any]]:
        """One row per series and period, with the keys of CSV_KEYS."""
        for series in self.series:
            for period, count, base in zip(self.periods, series.counts, series.base, strict=True):
                yield {
                    "query": series.query,
                    "by": self.request.by,
                    "kind": series.kind,
                    "value": series.value,
                    "period": period.key,
                    "first_day": period.first.isoformat(),
                    "last_day": period.last.isoformat(),
                    "articles": count,
                    "all_articles": base,
                    "share": round(count / base, 6) if base else None,
                }

    def document(self, language: Language = "id") -> dict[str, Any]:
        """The whole coverage as one JSON object."""
        request = self.request
        return {
            "interval": self.interval,
            "auto_interval": self.auto,
            "by": request.by,
            "top": request.top,
            "from": request.filters.date_from,
            "to": request.filters.date_to,
            "searches": [
                {"query": s.query, "articles": s.articles, "dated": s.dated, "undated": s.undated}
                for s in self.searches
            ],
            "periods": [
                {
                    "period": p.key,
                    "first_day": p.first.isoformat(),
                    "last_day": p.last.isoformat(),
                    "label": p.label(language),
                }
                for p in self.periods
            ],
            "series": [
                {
                    "query": s.query,
                    "kind": s.kind,
                    "value": s.value,
                    "label": s.label(language),
                    "total": s.total,
                    "all_articles_total": s.base_total,
                    "share_total": round(s.share_total, 6) if s.share_total is not None else None,
                    "articles": s.counts,
                    "all_articles": s.base,
                    "share": [round(x, 6) if x is not None else None for x in s.shares],
                }
                for s in self.series
            ],
            "complete": self.complete,
            "messages": [m.text(language) for m in self.messages],
        }


# ---------------------------------------------------------------- computing


class CoverageService:
    """Computes coverages over one engine, keeping the recent ones (and the archive's own counts per
    day, the shares' divisors) while the index is unchanged."""

    def __init__(self, engine: SearchEngine, cache_size: int = CACHE_SIZE) -> None:
        self.engine = engine
        self.cache_size = cache_size
        self._cache: OrderedDict[Hashable, tuple[Hashable, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def _cached(self, key: Hashable, generation: Hashable) -> Any:
        with self._lock:
            found = self._cache.get(key)
            if found is not None and found[0] == generation:
                self._cache.move_to_end(key)
                return found[1]
        return None

    def _keep(self, key: Hashable, generation: Hashable, value: Any) -> None:
        if self.cache_size <= 0:
            return
        with self._lock:
            self._cache[key] = (generation, value)
            self._cache.move_to_end(key)
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)

    def coverage(self, request: CoverageRequest, budget: float | None = SEARCH_BUDGET_SECONDS) -> Coverage:
        request.validate()
        generation = self.engine.backend.generation()
        key = ("coverage", repr(request))
        cached = self._cached(key, generation)
        if cached is not None:
            return cached
        result = self._compute(request, budget)
        if result.complete:
            self._keep(key, result.generation, result)
        return result

    def _compute(self, request: CoverageRequest, budget: float | None) -> Coverage:
        keys = (DAY, request.by) if request.by else (DAY,)
        searches: list[SearchTotal] = []
        tallies: list[Tally] = []
        try:
            for query in request.queries:
                parsed, spec = self.engine.search_spec(request.search(query), budget=budget)
                if spec is None:
                    searches.append(SearchTotal(query, 0, 0, parsed.messages))
                    tallies.append(Tally(keys, {}))
                    continue
                tally = self.engine.backend.tally(spec, keys)
                undated = sum(c for values, c in tally.counts.items() if values[0] is None)
                searches.append(SearchTotal(query, tally.articles, undated, parsed.messages))
                tallies.append(tally)
            base = self._base(request, keys, budget)
        except SearchTimeout:
            refused = Message.of("search_refused", seconds=f"{budget:g}")
            return Coverage(request, "", False, [], [], searches, [refused], complete=False)
        notes: list[Message] = self.engine.missing_facet_notes(request.filters, request.by)
        interval, auto, periods = self._periods(request, tallies, notes)
        index = _Locator(periods)
        bases = _per_period(base.counts, index, len(periods))  # the divisors, once for every compared search
        series: list[Series] = []
        for number, (query, tally) in enumerate(zip(request.queries, tallies, strict=True)):
            series.extend(_series_of(number, query, tally, bases, index, len(periods), request))
        generation = next((t.generation for t in tallies if t.generation is not None), base.generation)
        return Coverage(request, interval, auto, periods, series, searches, notes, generation=generation)

    def _base(self, request: CoverageRequest, keys: tuple[str, ...], budget: float | None) -> Tally:
        """Every article by day (and value), from the outlets the source filter keeps."""
        outlets = SearchRequest(
            source=request.filters.source, exclude=tuple(e for e in request.filters.exclude if e[0] == "source")
        )
        filters = tuple(self.engine.filters(outlets))
        generation = self.engine.backend.generation()
        key = ("base", keys, filters)
        cached = self._cached(key, generation)
        if cached is not None:
            return cached
        tally = self.engine.backend.tally(SearchSpec(plan=P.Everything(), filters=filters, budget=budget), keys)
        self._keep(key, tally.generation, tally)
        return tally

    def _periods(
        self, request: CoverageRequest, tallies: list[Tally], notes: list[Message]
    ) -> tuple[str, bool, list[Period]]:
        """The interval and periods: the request's dates where given, else the matches' first and
        last day; the interval asked for, or picked by the span, widened when it draws too many."""
        days = [date.fromisoformat(values[0]) for t in tallies for values in t.counts if values[0] is not None]
        lo = parse_date_span(request.filters.date_from) if request.filters.date_from else None
        hi = parse_date_span(request.filters.date_to) if request.filters.date_to else None
        first = lo[0].date() if lo else min(days, default=None)
        last = hi[1].date() if hi else max(days, default=None)
        if first is None or last is None or first > last:
            return request.interval, not request.interval, []
        interval = request.interval or auto_interval(first, last)
        count = period_count(first, last, interval)
        if request.interval and count > MAX_PERIODS:
            wider = next(
                (i for i in INTERVALS[INTERVALS.index(interval) :] if period_count(first, last, i) <= MAX_PERIODS),
                "year",
            )
            notes.append(
                Message.of(
                    "interval_widened",
                    periods_id=f"{count:,}".replace(",", "."),
                    periods_en=f"{count:,}",
                    limit=MAX_PERIODS,
                    wanted_id=INTERVAL_NAMES["id"][interval],
                    wanted_en=INTERVAL_NAMES["en"][interval],
                    used_id=INTERVAL_NAMES["id"][wider],
                    used_en=INTERVAL_NAMES["en"][wider],
                )
            )
            interval = wider
        # Periods are whole at an end the request leaves open: the span is the matches', not the reader's.
        if not lo:
            first = period_start(first, interval)
        if not hi:
            last = next_start(period_start(last, interval), interval) - timedelta(days=1)
        return interval, not request.interval, periods_between(first, last, interval)


class _Locator:
    """Which period a day ("2019-09-17") falls in: found by bisection, remembered per day."""

    def __init__(self, periods: list[Period]) -> None:
        self.periods = periods
        self.firsts = [p.first for p in periods]
        self.found: dict[str, int | None] = {}

    def get(self, day: str) -> int | None:
        if day not in self.found:
            when = date.fromisoformat(day)
            position = bisect_right(self.firsts, when) - 1
            inside = position >= 0 and when <= self.periods[position].last
            self.found[day] = position if inside else None
        return self.found[day]


@dataclass
class _PerPeriod:
    """Counts by (day, value) gathered into one list per value, a number per period, and their sum."""

    by_value: dict[Any, list[int]]
    totals: list[int]


def _per_period(counts: dict[tuple[str | None, ...], int], index: _Locator, size: int) -> _PerPeriod:
    gathered: dict[Any, list[int]] = {}
    totals = [0] * size
    for values, count in counts.items():
        position = index.get(values[0]) if values[0] is not None else None
        if position is None:
            continue
        value = values[1] if len(values) > 1 else None
        gathered.setdefault(value, [0] * size)[position] += count
        totals[position] += count
    return _PerPeriod(gathered, totals)


def _series_of(
    number: int, query: str, tally: Tally, bases: _PerPeriod, index: _Locator, size: int, request: CoverageRequest
) -> list[Series]:
    gathered = _per_period(tally.counts, index, size)
    counts = gathered.by_value
    base_all = bases.totals
    if not request.by:
        return [Series(number, query, "all", "", counts.get(None, [0] * size), base_all)]
    totals: dict[Any, int] = {value: sum(c) for value, c in counts.items() if value is not None}
    totals = {value: total for value, total in totals.items() if total}
    top = sorted(totals, key=lambda v: (-totals[v], v))[: request.top]
    zeros = [0] * size
    series = [Series(number, query, "value", v, counts[v], bases.by_value.get(v, zeros)) for v in top]
    # The rest is the whole less the values drawn apart: no pass over every other value.
    rest = [t - sum(s.counts[i] for s in series) for i, t in enumerate(gathered.totals)]
    rest_base = [b - sum(s.base[i] for s in series) for i, b in enumerate(base_all)]
    # "Others" is kept, at zero, while other values published anything: its share (none of them
    # carried the story) is news too, and the split's divisors still sum to the whole's.
    if any(rest) or any(rest_base) or not series:
        series.append(Series(number, query, "others", "", rest, rest_base, tuple(top)))
    return series
