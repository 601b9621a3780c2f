"""`berita-search timeline` on the clickid archive: JSON, CSV and the text chart, checked against
the articles as read from the corpus file and against the search's own total."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from berita_search.index.tabular import record_to_article
from berita_search.search.cli import cli
from berita_search.search.engine import SearchEngine
from berita_search.search.requests import SearchRequest
from click.testing import CliRunner, Result

from tests.conftest import CLICKID_JSONL, require_shared


@pytest.fixture(scope="module")
def index_dir(clickid_index) -> Path:  # noqa: ANN001 - the session factory
    return clickid_index()


@pytest.fixture(scope="module")
def engine(index_dir: Path) -> Iterator[SearchEngine]:
    engine = SearchEngine(index_dir, cache_size=0)
    yield engine
    engine.close()


@pytest.fixture(scope="module")
def days_by_source() -> Counter[tuple[str, str]]:
    """(source, "YYYY-MM-DD") -> articles, read from the corpus file without the index."""
    require_shared()
    with CLICKID_JSONL.open(encoding="utf-8") as fh:
        found = [record_to_article(json.loads(line), f"line {n}") for n, line in enumerate(fh, 1) if line.strip()]
    return Counter((a.source, a.published.date().isoformat()) for a in found if a.published)


def timeline(index_dir: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["timeline", "--index", str(index_dir), *args])


def test_json_days_of_an_outlet_are_its_articles_from_the_corpus(
    index_dir: Path, days_by_source: Counter[tuple[str, str]]
) -> None:
    done = timeline(index_dir, "--source", "posmetro-medan.com", "--interval", "day", "--json")
    assert done.exit_code == 0, done.output
    document = json.loads(done.output)
    expected = {day: n for (source, day), n in days_by_source.items() if source == "posmetro-medan.com"}
    (series,) = document["series"]
    got = {p["period"]: n for p, n in zip(document["periods"], series["articles"], strict=True)}
    # Every day from the first to the last is drawn, the empty ones as zero.
    assert {m: n for m, n in got.items() if n} == expected
    assert len(got) > len(expected) and set(got.values()) - set(expected.values()) == {0}
    assert len(got) == (date.fromisoformat(max(expected)) - date.fromisoformat(min(expected))).days + 1
    assert document["searches"][0]["dated"] == sum(expected.values()) == series["total"]


@pytest.mark.parametrize("query", ["kpk", "gempa", '"revisi uu kpk"', "jokowi ATAU prabowo"])
def test_csv_rows_of_a_split_sum_to_the_search_total(index_dir: Path, engine: SearchEngine, query: str) -> None:
    done = timeline(index_dir, query, "--by", "source", "--top", "3", "--interval", "day", "--csv")
    assert done.exit_code == 0, done.output
    rows = list(csv.DictReader(io.StringIO(done.output)))
    values = {r["value"] for r in rows if r["kind"] == "value"}
    assert 1 <= len(values) <= 3 and {r["kind"] for r in rows} <= {"value", "others"}
    undated = json.loads(timeline(index_dir, query, "--interval", "day", "--json").output)["searches"][0]["undated"]
    total = engine.search(SearchRequest(q=query, collapse=False)).articles
    assert sum(int(r["articles"]) for r in rows) + undated == total
    # Each outlet drawn apart has exactly the articles the search finds in it.
    for value in values:
        own = engine.search(SearchRequest(q=query, source=value, collapse=False)).articles
        assert sum(int(r["articles"]) for r in rows if r["value"] == value) == own, value


def test_text_chart_one_line_per_period_ending_with_its_count(index_dir: Path, engine: SearchEngine) -> None:
    done = timeline(index_dir, "kpk", "--interval", "week", "--by", "source", "--top", "2")
    assert done.exit_code == 0, done.output
    lines = done.output.splitlines()
    assert lines[0].startswith("“kpk”: ") and " articles" in lines[0]
    total = int(lines[0].split(": ")[1].split()[0].replace(",", ""))
    assert lines[1].startswith("Articles per week (asked), ")
    periods = int(lines[1].rsplit(", ", 1)[1].split()[0])
    rows = lines[3:]
    assert len(rows) == periods
    assert all(row[:4].isdigit() and row[4] == "-" for row in rows)
    counted = sum(int(row.rsplit(" ", 1)[-1].replace(",", "")) for row in rows)
    assert total == engine.search(SearchRequest(q="kpk", collapse=False)).articles
    undated = lines[0].split("(")[1].split()[0].replace(",", "") if "undated" in lines[0] else "0"
    assert counted + int(undated) == total
    assert "others" in lines[2] and lines[2].count("  ") >= 2  # the legend: two outlets and the rest


def test_compare_in_share_gives_each_search_its_column_and_total(index_dir: Path, engine: SearchEngine) -> None:
    done = timeline(index_dir, "kpk", "--compare", "revisi uu", "--normalise", "--interval", "month", "--json")
    assert done.exit_code == 0, done.output
    document = json.loads(done.output)
    assert [s["query"] for s in document["searches"]] == ["kpk", "revisi uu"]
    for search, series in zip(document["searches"], document["series"], strict=True):
        assert search["articles"] == engine.search(SearchRequest(q=search["query"], collapse=False)).articles
        assert series["total"] == search["dated"]
        for count, base, share in zip(series["articles"], series["all_articles"], series["share"], strict=True):
            assert share is None if base == 0 else share == round(count / base, 6)
    text = timeline(index_dir, "kpk", "--compare", "revisi uu", "--normalise", "--interval", "month")
    assert text.exit_code == 0
    assert "“kpk”" in text.output and "“revisi uu”" in text.output and "%" in text.output
    assert text.output.splitlines()[-1].count("total ") == 2


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("kpk", "--interval", "hour"), "'hour' is not one of"),
        (("kpk", *[a for q in ("a", "b", "c", "d", "e") for a in ("--compare", q)]), "5"),
        (("kpk", "--json", "--csv"), "choose one of --json and --csv"),
        (("kpk", "--by", "source", "--top", "0"), "1"),
        ((), "give a query or a filter"),
    ],
)
def test_bad_requests_are_one_line_and_exit_2(tmp_path: Path, args: tuple[str, ...], said: str) -> None:
    # Refused before any index is opened: the folder need not exist.
    done = timeline(tmp_path / "no-index", *args)
    assert done.exit_code == 2, done.output
    assert said in done.output and "Traceback" not in done.output
    assert len([line for line in done.output.splitlines() if "error:" in line.casefold()]) == 1


def test_a_search_without_articles_exits_1(index_dir: Path) -> None:
    done = timeline(index_dir, "zzqxjv")
    assert done.exit_code == 1
    assert "0 articles" in done.output and "No dated article to draw." in done.output
