"""Coverage over time on the clickid archive, checked by article id and count.

The ground truth is the articles as read from the corpus file, independently of the index: each
matching article (the search's export, copies shown) falls in the period of its own dateline day.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from berita_search.index.article import Article
from berita_search.index.dates import WIB, WITA
from berita_search.index.desks import desk_of
from berita_search.index.tabular import record_to_article
from berita_search.index.writer import index_records
from berita_search.search.coverage import (
    AUTO_MAX_PERIODS,
    MAX_PERIODS,
    CoverageService,
    auto_interval,
    period_count,
    periods_between,
)
from berita_search.search.engine import SearchEngine
from berita_search.search.requests import CoverageRequest, RequestError, SearchRequest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import CLICKID_JSONL, require_shared

# Searches of the test set: words common and rare, phrases, OR, exclusions in the query language,
# fields, dates, and filters alone (one value, several, exclusions, the desk).
QUERY_SET: list[dict[str, object]] = [
    {"q": "kpk"},
    {"q": "revisi uu"},
    {"q": '"revisi uu kpk"'},
    {"q": "demo mahasiswa"},
    {"q": "gempa"},
    {"q": "karhutla"},
    {"q": "persib"},
    {"q": "jokowi ATAU prabowo"},
    {"q": "kpk -sumber:okezone.com"},
    {"q": "judul:kpk"},
    {"q": "banjir", "date_from": "2019-09"},
    {"q": "pernikahan", "source": ("kapanlagi.com", "wowkeren.com")},
    {"q": "timnas", "exclude": (("source", "okezone.com"),)},
    {"source": "posmetro-medan.com"},
    {"desk": "Olahraga", "date_to": "2019-09-12"},
    {"category": ("Bola", "Sport"), "date_from": "2019-09-15"},
]


@pytest.fixture(scope="module")
def engine(clickid_index) -> SearchEngine:  # noqa: ANN001 - the session factory
    return SearchEngine(clickid_index(), cache_size=0)


@pytest.fixture(scope="module")
def service(engine: SearchEngine) -> CoverageService:
    return CoverageService(engine, cache_size=0)


@pytest.fixture(scope="module")
def articles() -> dict[str, Article]:
    """Every clickid article as the reader makes it, by id: the dates and outlets the counts must match."""
    require_shared()
    with CLICKID_JSONL.open(encoding="utf-8") as fh:
        found = [record_to_article(json.loads(line), f"line {n}") for n, line in enumerate(fh, 1) if line.strip()]
    return {a.id: a for a in found}


def request_of(params: dict[str, object]) -> SearchRequest:
    return SearchRequest(**{k: v for k, v in params.items()}, collapse=False)  # type: ignore[arg-type]


def matching_ids(engine: SearchEngine, params: dict[str, object]) -> list[str]:
    result = engine.export(request_of(params))
    assert len(result.hits) == result.articles, "the test set's searches must fit one export"
    return [hit.id for hit in result.hits]


def day_of(article: Article) -> str | None:
    return article.published.date().isoformat() if article.published else None


def test_series_equal_the_articles_of_each_period_for_the_test_set(
    engine: SearchEngine, service: CoverageService, articles: dict[str, Article]
) -> None:
    checked = with_split_rest = 0
    for params in QUERY_SET:
        ids = matching_ids(engine, params)
        assert ids, params
        total = engine.search(request_of(params)).articles
        assert total == len(ids), params
        truth = Counter(day_of(articles[i]) for i in ids)
        coverage = service.coverage(
            CoverageRequest(queries=(str(params.get("q", "")),), filters=request_of(params), interval="day")
        )
        (series,) = coverage.series
        (search,) = coverage.searches
        # The series sums to the search's total: every article in exactly one period, or undated.
        assert search.articles == total and series.total + search.undated == total, params
        assert search.undated == truth[None], params
        # Day by day, the ids of the articles dated that day; empty days are zeros, none is skipped.
        days = [p.first for p in coverage.periods]
        assert days == [days[0] + timedelta(days=n) for n in range(len(days))], params
        assert all(p.first == p.last for p in coverage.periods)
        assert dict(zip([d.isoformat() for d in days], series.counts, strict=True)) == {
            d.isoformat(): truth[d.isoformat()] for d in days
        }, params
        # Split by outlet: the top five and "others" sum to the series in every period, and each
        # outlet's numbers are its own articles of the day.
        split = service.coverage(
            CoverageRequest(
                queries=(str(params.get("q", "")),), filters=request_of(params), interval="day", by="source"
            )
        )
        assert [p.key for p in split.periods] == [p.key for p in coverage.periods]
        for i in range(len(split.periods)):
            assert sum(s.counts[i] for s in split.series) == series.counts[i], params
        by_outlet = Counter((day_of(articles[i]), articles[i].source) for i in ids)
        for s in split.series:
            if s.kind == "value":
                expected = [by_outlet[(p.key, s.value)] for p in split.periods]
                assert s.counts == expected, (params, s.value)
            else:
                with_split_rest += sum(s.counts) > 0
        checked += 1
    assert checked == len(QUERY_SET) and with_split_rest >= 3


def test_weeks_run_monday_to_sunday_and_months_sum_their_days(service: CoverageService) -> None:
    filters = SearchRequest(date_from="2019-09-01", date_to="2019-10-31")
    by_day = service.coverage(CoverageRequest(queries=("kpk",), filters=filters, interval="day"))
    daily = {p.key: c for p, c in zip(by_day.periods, by_day.series[0].counts, strict=True)}
    by_week = service.coverage(CoverageRequest(queries=("kpk",), filters=filters, interval="week"))
    # 1 September 2019 was a Sunday: the first week is that one day, cut to the request's dates.
    first = by_week.periods[0]
    assert (first.first, first.last, first.date_from, first.date_to) == (
        date(2019, 9, 1),
        date(2019, 9, 1),
        "2019-09-01",
        "2019-09-01",
    )
    for period, count in zip(by_week.periods, by_week.series[0].counts, strict=True):
        assert period.first.weekday() == 0 or period is first
        assert period.last.weekday() == 6 or period is by_week.periods[-1]
        span = [period.first + timedelta(days=n) for n in range((period.last - period.first).days + 1)]
        assert count == sum(daily[d.isoformat()] for d in span)
    by_month = service.coverage(CoverageRequest(queries=("kpk",), filters=filters, interval="month"))
    assert [p.key for p in by_month.periods] == ["2019-09", "2019-10"]
    assert [(p.date_from, p.date_to) for p in by_month.periods] == [("2019-09", "2019-09"), ("2019-10", "2019-10")]
    assert by_month.series[0].counts == [
        sum(c for k, c in daily.items() if k.startswith("2019-09")),
        sum(c for k, c in daily.items() if k.startswith("2019-10")),
    ]
    assert sum(by_month.series[0].counts) == sum(by_week.series[0].counts) == sum(daily.values())


def test_each_period_links_to_exactly_its_articles(engine: SearchEngine, service: CoverageService) -> None:
    coverage = service.coverage(CoverageRequest(queries=("kpk",), filters=SearchRequest(), by="source", top=3))
    assert coverage.auto and coverage.interval == "week"  # May to October: 24 weeks
    busiest = sorted(range(len(coverage.periods)), key=lambda i: -coverage.period_total(0, i))[:3]
    for i in busiest:
        period = coverage.periods[i]
        found = engine.search(
            SearchRequest(q="kpk", date_from=period.date_from, date_to=period.date_to, collapse=False)
        ).articles
        assert found == coverage.period_total(0, i) > 0
        for s in coverage.series:
            if s.kind == "value":
                request = SearchRequest(q="kpk", source=s.value, date_from=period.date_from, date_to=period.date_to)
            else:
                # "others": the outlets not drawn apart, articles without one included.
                excluded = tuple(("source", v) for v in s.others_of)
                request = SearchRequest(q="kpk", exclude=excluded, date_from=period.date_from, date_to=period.date_to)
            assert engine.search(request).articles == s.counts[i], (period, s.kind, s.value)


def test_share_divides_by_everything_the_outlet_published(engine: SearchEngine, service: CoverageService) -> None:
    coverage = service.coverage(
        CoverageRequest(queries=("kpk",), filters=SearchRequest(date_from="2019-09"), interval="day", by="source")
    )
    checked = 0
    for s in coverage.series:
        if s.kind != "value":
            continue
        for i, period in enumerate(coverage.periods):
            if not s.counts[i]:
                continue
            published = engine.search(
                SearchRequest(source=s.value, date_from=period.date_from, date_to=period.date_to)
            ).articles
            assert s.base[i] == published and s.shares[i] == s.counts[i] / published
            checked += 1
            break
    assert checked == 5
    # Without a split, the divisor is every article of the period; with a source filter, the
    # outlets it keeps.
    whole = service.coverage(
        CoverageRequest(queries=("kpk",), filters=SearchRequest(date_from="2019-09-17", date_to="2019-09-17"))
    )
    assert whole.series[0].base == [engine.search(SearchRequest(date_from="2019-09-17", date_to="2019-09-17")).articles]
    kept = service.coverage(
        CoverageRequest(
            queries=("kpk",),
            filters=SearchRequest(source=("tempo.co", "kompas.com"), date_from="2019-09-17", date_to="2019-09-17"),
        )
    )
    both = engine.search(SearchRequest(source=("tempo.co", "kompas.com"), date_from="2019-09-17", date_to="2019-09-17"))
    assert kept.series[0].base == [both.articles] and 0 < kept.series[0].counts[0] < both.articles


def test_compared_searches_each_keep_their_total(engine: SearchEngine, service: CoverageService) -> None:
    queries = ("kpk", "revisi uu", "demo mahasiswa", "gempa", "karhutla")
    coverage = service.coverage(CoverageRequest(queries=queries, filters=SearchRequest()))
    assert [s.query for s in coverage.series] == list(queries)
    for search, series, query in zip(coverage.searches, coverage.series, queries, strict=True):
        articles = engine.search(SearchRequest(q=query, collapse=False)).articles
        assert search.articles == articles == series.total + search.undated
    # One span for all: from the week of the earliest match to the week of the latest.
    assert coverage.periods[0].first.weekday() == 0 and coverage.periods[-1].last.weekday() == 6
    with pytest.raises(RequestError):
        CoverageRequest(queries=(*queries, "banjir")).validate()


def test_desks_join_the_outlets_names_and_keep_them_searchable(
    engine: SearchEngine, articles: dict[str, Article]
) -> None:
    sport = engine.export(SearchRequest(desk="olahraga", collapse=False))
    truth = {i for i, a in articles.items() if desk_of(a.source, a.category, a.subcategory) == "Olahraga"}
    assert {h.id for h in sport.hits} == truth
    assert Counter((h.source, h.category) for h in sport.hits) >= Counter(
        {("kompas.com", "Bola"): 1, ("okezone.com", "Sports"): 1, ("okezone.com", "Bola"): 1, ("tempo.co", "Sport"): 1}
    )
    # The outlet's own name is still what kategori: finds.
    bola = engine.search(SearchRequest(q="kategori:bola", collapse=False, limit=1))
    assert bola.articles == sum(1 for a in articles.values() if a.category.casefold() == "bola") < sport.articles
    # The query language and the facet agree.
    assert engine.search(SearchRequest(q="desk:Olahraga", collapse=False)).articles == sport.articles
    assert engine.search(SearchRequest(q="meja:olahraga", collapse=False)).articles == sport.articles
    facets = dict(engine.search(SearchRequest(source="okezone.com", collapse=False)).facets["desk"])
    assert facets["Olahraga"] == sum(
        1 for a in articles.values() if a.source == "okezone.com" and a.category in ("Sports", "Bola")
    )


def test_intervals_by_span() -> None:
    start = date(2019, 9, 1)
    assert auto_interval(start, start) == "day"
    assert auto_interval(start, start + timedelta(days=AUTO_MAX_PERIODS - 1)) == "day"
    assert auto_interval(start, start + timedelta(days=AUTO_MAX_PERIODS)) == "week"
    assert auto_interval(date(2015, 1, 1), date(2019, 12, 31)) == "month"
    assert auto_interval(date(1900, 1, 1), date(2019, 12, 31)) == "year"
    assert period_count(date(2019, 9, 1), date(2019, 9, 2), "week") == 2  # a Sunday, then a Monday
    months = periods_between(date(2019, 1, 15), date(2019, 3, 31), "month")
    assert [(p.date_from, p.date_to, p.label()) for p in months] == [
        ("2019-01-15", "2019-01-31", "15–31 Jan 2019"),
        ("2019-02", "2019-02", "Februari 2019"),
        ("2019-03", "2019-03", "Maret 2019"),
    ]
    weeks = periods_between(date(2019, 9, 30), date(2019, 10, 6), "week")
    assert [(p.key, p.label()) for p in weeks] == [("2019-09-30", "30 Sep–6 Okt 2019")]
    # Axis labels: days and weeks carry the year only where the chart spans several years.
    assert [p.tick("week") for p in weeks] == ["30 Sep"]
    assert [p.tick("week", with_year=True) for p in weeks] == ["30 Sep 19"]
    assert [p.tick("month") for p in months] == ["Jan 19", "Feb 19", "Mar 19"]


def test_an_interval_that_draws_too_many_periods_is_widened_with_a_note(service: CoverageService) -> None:
    coverage = service.coverage(
        CoverageRequest(queries=("kpk",), filters=SearchRequest(date_from="2000", date_to="2019"), interval="day")
    )
    assert coverage.interval == "month" and len(coverage.periods) == 240 <= MAX_PERIODS
    assert [m.code for m in coverage.notes] == ["interval_widened"]
    assert coverage.notes[0].text("en").startswith("7,305 periods by day are too many for one chart (at most 1000)")
    assert coverage.notes[0].text("id").startswith("7.305 periode per hari terlalu banyak")
    assert sum(coverage.series[0].counts) == coverage.searches[0].dated


def test_days_are_the_datelines_days_even_across_zones(tmp_path: Path) -> None:
    """00:30 WITA on 2 September is 23:30 WIB on 1 September: counted on the 2nd, its dateline's
    day and the day the date filter finds it on, so that a bar and its link agree."""
    made = [
        Article(
            title=f"Berita {n}",
            body=f"Isi berita nomor {n} tentang pelabuhan Makassar.",
            url=f"https://contoh.test/{n}",
            source="contoh.test",
            published=when,
            published_has_time=True,
        )
        for n, when in enumerate(
            [
                datetime(2019, 9, 2, 0, 30, tzinfo=WITA),
                datetime(2019, 9, 1, 23, 50, tzinfo=WIB),
                datetime(2019, 9, 4, 9, 0, tzinfo=WIB),
            ]
        )
    ]
    index_records(tmp_path / "index", made)
    engine = SearchEngine(tmp_path / "index", cache_size=0)
    coverage = CoverageService(engine).coverage(CoverageRequest(queries=("pelabuhan",)))
    assert coverage.interval == "day"
    assert [(p.key, c) for p, c in zip(coverage.periods, coverage.series[0].counts, strict=True)] == [
        ("2019-09-01", 1),
        ("2019-09-02", 1),
        ("2019-09-03", 0),
        ("2019-09-04", 1),
    ]
    assert engine.search(SearchRequest(q="pelabuhan", date_from="2019-09-02", date_to="2019-09-02")).articles == 1


WORDS = ["kpk", "revisi", "demo", "presiden", "jakarta", "gempa", "timnas", "film", "harga", "polisi", "artis", "papua"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    words=st.lists(st.sampled_from(WORDS), min_size=1, max_size=2, unique=True),
    either=st.booleans(),
    by=st.sampled_from(["source", "category", "desk"]),
    interval=st.sampled_from(["", "day", "week", "month"]),
    top=st.integers(1, 6),
)
def test_splits_sum_to_the_series_and_the_series_to_the_total(
    engine: SearchEngine, service: CoverageService, words: list[str], either: bool, by: str, interval: str, top: int
) -> None:
    query = " ATAU ".join(words) if either else " ".join(words)
    filters = SearchRequest()
    whole = service.coverage(CoverageRequest(queries=(query,), filters=filters, interval=interval))
    split = service.coverage(CoverageRequest(queries=(query,), filters=filters, interval=interval, by=by, top=top))
    articles = engine.search(SearchRequest(q=query, collapse=False, limit=1)).articles
    assert whole.searches[0].articles == split.searches[0].articles == articles
    assert whole.series[0].total + whole.searches[0].undated == articles
    assert len([s for s in split.series if s.kind == "value"]) <= top
    for i in range(len(whole.periods)):
        assert sum(s.counts[i] for s in split.series) == whole.series[0].counts[i]
        assert sum(s.base[i] for s in split.series) == whole.series[0].base[i]
