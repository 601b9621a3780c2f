"""The contract both backends keep: the query layer's checks, by article id and by count, on
the same articles in a Whoosh folder and in an OpenSearch index (three shards on a real node),
each written by the product's writer, searched through the same engine and web app.

Expected ids come from the articles themselves, read again here (words, phrases and slops are
checked against the analysed text in Python), and the two backends are compared with each other:
totals, story counts and facets exactly, rankings by their top ten.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest
from berita_search.index.analysis import analyze
from berita_search.index.article import Article
from berita_search.index.copies import CopyFinder
from berita_search.index.readers import read_file, read_paths, record_to_article
from berita_search.search.backends.base import SearchSpec
from berita_search.search.coverage import CoverageService
from berita_search.search.engine import EXPORT_CAP, RequestError, SearchEngine, SearchRequest
from berita_search.search.requests import CoverageRequest
from berita_search.web.app import create_app
from starlette.testclient import TestClient

from opensearch.cluster import Cluster
from tests.backend_fixtures import (
    BACKEND_NAMES,
    build_opensearch,
    build_whoosh,
    opensearch_engine,
    top_overlap,
    whoosh_engine,
)
from tests.conftest import CLICKID_JSONL, SAMPLE, SEED, require_shared
from tests.web_fixtures import HOSTILE_TITLE, SEED_ID, duplicate_articles, hostile_articles

CLICKID_ROWS = 1500
ALIAS = "contract"
HOSTILE_ID = hostile_articles()[0].id
FORMULA_ID = hostile_articles()[1].id


def undated_articles() -> list[Article]:
    """Articles without a date: where they sort must be the same on both backends."""
    return [
        Article(
            title=f"Banjir rob tanpa tanggal {n}",
            body="Banjir rob merendam pesisir utara. Tanggal terbit tidak terbaca.",
            url=f"https://contoh.test/tanpa-tanggal/{n}",
            source="contoh.test",
            category="Daerah",
            date_note="tanggal tidak terbaca",
        )
        for n in (1, 2)
    ]


def extra_articles() -> list[Article]:
    return [*hostile_articles(), *duplicate_articles(), *undated_articles()]


# ---------------------------------------------------------------- the articles, in both backends


@pytest.fixture(scope="module")
def subset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require_shared()
    path = tmp_path_factory.mktemp("contract") / "clickid-subset.jsonl"
    with CLICKID_JSONL.open(encoding="utf-8") as src, path.open("w", encoding="utf-8") as dst:
        dst.writelines(itertools.islice(src, CLICKID_ROWS))
    return path


def records(subset: Path) -> Iterator[object]:
    yield from read_paths([SEED, subset, SAMPLE])
    yield from extra_articles()


@pytest.fixture(scope="module")
def articles(subset: Path) -> dict[str, Article]:
    """The indexed articles, read again independently, by id."""
    found = list(read_file(SEED))
    with subset.open(encoding="utf-8") as fh:
        found += [record_to_article(json.loads(line), "x") for line in fh]
    for path in sorted(SAMPLE.iterdir()):
        if path.suffix in {".jsonl", ".csv", ".txt"}:
            found += list(read_file(path))
    found += extra_articles()
    return {a.id: a for a in found if isinstance(a, Article)}


@pytest.fixture(scope="module")
def story_keys(subset: Path) -> dict[str, str]:
    """Each article's story key as the copy rule decides it over the whole run in one go
    (index.copies with no store: every article compared with each earlier one sharing a
    band), whatever batches and commits each backend's writer made of the run."""
    finder = CopyFinder()
    keys: dict[str, str] = {}
    for record in records(subset):
        if isinstance(record, Article) and record.id not in keys:
            keys[record.id] = finder.decide(record, record.id, record.content_hash()).dup_key
    return keys


@pytest.fixture(scope="module")
def whoosh_folder(tmp_path_factory: pytest.TempPathFactory, subset: Path) -> Path:
    folder = tmp_path_factory.mktemp("contract-whoosh") / "index"
    build_whoosh(folder, records(subset))
    return folder


@pytest.fixture(scope="module")
def opensearch_settings(opensearch_one_node: Cluster, subset: Path):  # noqa: ANN201
    return build_opensearch(opensearch_one_node, ALIAS, records(subset), shards=3)


@pytest.fixture(scope="module")
def engines(whoosh_folder: Path, opensearch_settings) -> Iterator[dict[str, SearchEngine]]:  # noqa: ANN001
    found = {"whoosh": whoosh_engine(whoosh_folder), "opensearch": opensearch_engine(opensearch_settings)}
    yield found
    for engine in found.values():
        engine.close()


@pytest.fixture(scope="module", params=BACKEND_NAMES)
def engine(request: pytest.FixtureRequest, engines: dict[str, SearchEngine]) -> SearchEngine:
    return engines[request.param]


@pytest.fixture(scope="module")
def client(engine: SearchEngine) -> TestClient:
    return TestClient(create_app(engine), raise_server_exceptions=False)


def ids(engine: SearchEngine, q: str, **kwargs: object) -> list[str]:
    return [h.id for h in engine.search(SearchRequest(q=q, limit=100, **kwargs)).hits]


def containing(articles: dict[str, Article], *words: str, field: str = "all") -> set[str]:
    def text(a: Article) -> str:
        return {"title": a.title, "body": a.body}.get(field, f"{a.title}\n{a.body}\n{a.caption}").lower()

    return {i for i, a in articles.items() if all(w.lower() in text(a) for w in words)}


def holds_phrase(tokens: list[str], words: list[str], slop: int) -> bool:
    """Every word within ``slop`` positions after the one before, in order (the query language's rule)."""
    ends = {p for p, t in enumerate(tokens) if t == words[0]}
    for word in words[1:]:
        ends = {p for p, t in enumerate(tokens) if t == word and any(1 <= p - e <= slop for e in ends)}
    return bool(ends)


def phrase_matches(articles: dict[str, Article], words: list[str], slop: int) -> set[str]:
    return {
        i
        for i, a in articles.items()
        if any(holds_phrase(analyze(text), words, slop) for text in (a.title, a.body, a.caption) if text)
    }


# ---------------------------------------------------------------- words, phrases, operators


def test_words_must_all_match_and_phrase_is_first(engine: SearchEngine) -> None:
    assert ids(engine, "Kim Jong Un")[0] == SEED_ID
    assert ids(engine, '"Kim Jong Un"')[0] == SEED_ID
    assert SEED_ID in ids(engine, "Kim Jong-un")
    assert SEED_ID in ids(engine, "pertukaran surat")


def test_and_or_not_in_english_and_indonesian(engine: SearchEngine, articles: dict[str, Article]) -> None:
    jokowi, prabowo = set(ids(engine, "jokowi")), set(ids(engine, "prabowo"))
    assert jokowi and prabowo and jokowi <= containing(articles, "jokowi")
    assert set(ids(engine, "jokowi prabowo")) == set(ids(engine, "jokowi DAN prabowo")) == jokowi & prabowo
    assert set(ids(engine, "jokowi OR prabowo")) == set(ids(engine, "jokowi ATAU prabowo")) == jokowi | prabowo
    only = jokowi - prabowo
    assert set(ids(engine, "jokowi -prabowo")) == set(ids(engine, "jokowi NOT prabowo")) == only
    assert set(ids(engine, "jokowi TANPA prabowo")) == only
    assert set(ids(engine, "(jokowi OR prabowo) DAN papua")) == (jokowi | prabowo) & set(ids(engine, "papua"))


@pytest.mark.parametrize(
    ("words", "slop"),
    [(["putin", "kim"], 5), (["presiden", "jokowi"], 3), (["kim", "jong", "un"], 2), (["polisi", "tersangka"], 6),
     (["dki", "jakarta"], 1), (["wakil", "presiden", "kh"], 3), (["putin", "kim"], 1)],
)  # fmt: skip
def test_phrases_and_slop_match_the_text(
    engine: SearchEngine, articles: dict[str, Article], words: list[str], slop: int
) -> None:
    q = f'"{" ".join(words)}"' + (f"~{slop}" if slop != 1 else "")
    expected = phrase_matches(articles, words, slop)
    found = engine.search(SearchRequest(q=q, limit=100, collapse=False))
    assert found.total == len(expected), q
    assert set(engine_export_ids(engine, q)) == expected, q


def engine_export_ids(engine: SearchEngine, q: str, **kwargs: object) -> list[str]:
    return [h.id for h in engine.export(SearchRequest(q=q, collapse=False, **kwargs)).hits]


def test_prefix_proximity_fuzzy(engine: SearchEngine, articles: dict[str, Article]) -> None:
    assert SEED_ID in ids(engine, "senja*")
    assert ids(engine, '"putin kim"~5') == [SEED_ID]
    assert ids(engine, '"putin kim"') == []  # not adjacent in the text
    assert SEED_ID in ids(engine, "shoigu~")
    assert SEED_ID in ids(engine, "shoygu~")
    prefixed = {
        i
        for i, a in articles.items()
        if any(t.startswith("senja") for t in analyze(f"{a.title}\n{a.body}\n{a.caption}"))
    }
    assert set(engine_export_ids(engine, "senja*")) == prefixed


def test_field_aliases(engine: SearchEngine, articles: dict[str, Article]) -> None:
    in_titles = set(ids(engine, "judul:jokowi"))
    assert in_titles and in_titles <= containing(articles, "jokowi", field="title")
    assert ids(engine, 'reporter:"Sarah Meiliana"') == [SEED_ID]
    assert ids(engine, "penulis:gunawan") == [SEED_ID]
    assert ids(engine, "wartawan:SARAH") == [SEED_ID]
    assert ids(engine, "kategori:dunia putin") == [SEED_ID]
    assert SEED_ID not in ids(engine, "rubrik:selebriti putin")
    by_source = ids(engine, "sumber:tribunnews.com jokowi")
    assert by_source and all(articles[i].source == "tribunnews.com" for i in by_source)
    assert set(ids(engine, "media:TRIBUNNEWS.COM jokowi")) == set(by_source)


def test_reporter_category_source_filters(engine: SearchEngine, articles: dict[str, Article]) -> None:
    annesa = {i for i, a in articles.items() if a.reporter == "Annesa K. Ramadhany"}
    assert len(annesa) > 10
    found = engine.search(SearchRequest(q="", reporter="annesa ramadhany", limit=100, collapse=False))
    assert {h.id for h in found.hits} == annesa and found.total == len(annesa)
    news = {i for i, a in articles.items() if a.category.casefold() == "nasional"}
    assert set(engine_export_ids(engine, "", category="NASIONAL")) == news
    tribun = {
        i
        for i, a in articles.items()
        if a.source == "tribunnews.com" and "jokowi" in analyze(f"{a.title}\n{a.body}\n{a.caption}")
    }
    assert set(engine_export_ids(engine, "jokowi", source="tribunnews.com")) == tribun


def test_coverage_by_day_and_outlet_with_several_values_and_an_exclusion(
    engine: SearchEngine, articles: dict[str, Article]
) -> None:
    """Backend.tally through the coverage series: each matching article in its dateline day and outlet."""
    outlets = ("tribunnews.com", "kompas.com")
    filters = SearchRequest(source=outlets, exclude=(("category", "Nasional"),), collapse=False)
    matching = [
        a
        for a in articles.values()
        if a.source in outlets
        and a.category.casefold() != "nasional"
        and "jokowi" in analyze(f"{a.title}\n{a.body}\n{a.caption}")
    ]
    assert len({a.source for a in matching}) == 2
    assert engine.search(SearchRequest(q="jokowi", source=outlets, exclude=filters.exclude)).articles == len(matching)
    coverage = CoverageService(engine, cache_size=0).coverage(
        CoverageRequest(queries=("jokowi",), filters=filters, interval="day", by="source", top=10)
    )
    (search,) = coverage.searches
    assert search.articles == len(matching) and search.undated == sum(1 for a in matching if not a.published)
    expected = Counter((a.published.date().isoformat(), a.source) for a in matching if a.published)
    assert {s.kind for s in coverage.series} == {"value"}
    for series in coverage.series:
        assert series.counts == [expected[(p.key, series.value)] for p in coverage.periods], series.value


@pytest.mark.parametrize(
    "date_query",
    ["tanggal:2023-08-31", "tanggal:2023-08", "tanggal:2023", 'tanggal:"31 Agustus 2023"', 'tanggal:"Agustus 2023"',
     "tanggal:[2023-08-01 TO 2023-09-30]", "tanggal:[2023-08 TO]", "tanggal:>2023-07", "tanggal:31/08/2023"],
)  # fmt: skip
def test_date_forms(engine: SearchEngine, date_query: str) -> None:
    assert ids(engine, f"putin {date_query}") == [SEED_ID]


def test_date_ranges_exclude_outside(engine: SearchEngine, articles: dict[str, Article]) -> None:
    expected = {
        i
        for i in containing(articles, "jokowi")
        if articles[i].published
        and datetime(2019, 9, 1) <= articles[i].published.replace(tzinfo=None) < datetime(2019, 9, 16)
    }
    found = set(engine_export_ids(engine, "jokowi tanggal:[2019-09-01 TO 2019-09-15]"))
    assert found and found <= expected
    assert ids(engine, "putin tanggal:[TO 2023-08-30]") == []
    within = set(engine_export_ids(engine, "jokowi", date_from="2019-09-01", date_to="2019-09-15"))
    assert within == found


def test_title_ranks_above_body(engine: SearchEngine, articles: dict[str, Article]) -> None:
    hits = ids(engine, "prabowo")
    in_title = [i for i in hits if "prabowo" in articles[i].title.lower()]
    body_only = [i for i in hits if i not in in_title]
    assert in_title and body_only
    assert max(hits.index(i) for i in in_title) < min(hits.index(i) for i in body_only)


def test_sorting_by_date_and_undated_articles(engine: SearchEngine, articles: dict[str, Article]) -> None:
    newest = ids(engine, "jokowi", sort="newest")
    dates = [articles[i].published for i in newest if articles[i].published]
    assert dates == sorted(dates, reverse=True)
    oldest = ids(engine, "jokowi", sort="oldest")
    assert [articles[i].published for i in oldest if articles[i].published] == sorted(dates)
    undated = {a.id for a in undated_articles()}
    for sort in ("newest", "oldest"):
        listed = ids(engine, "banjir rob", sort=sort, collapse=False)
        assert undated <= set(listed)
        # Both backends place undated articles as the Whoosh index sorts them: as if newest.
        positions = sorted(listed.index(i) for i in undated)
        assert positions == ([0, 1] if sort == "newest" else [len(listed) - 2, len(listed) - 1]), (sort, positions)


# ---------------------------------------------------------------- counts, facets, copies


def test_facets_count_the_whole_result_set(engine: SearchEngine, articles: dict[str, Article]) -> None:
    result = engine.search(SearchRequest(q="jokowi", limit=5, collapse=False))
    assert result.total > 5
    assert set(result.facets) == {"category", "desk", "reporter", "source", "year", "month"}
    matched = set(engine_export_ids(engine, "jokowi"))
    assert len(matched) == result.total
    expected = Counter(articles[i].source for i in matched if articles[i].source)
    assert dict(result.facets["source"]) == dict(expected)
    assert dict(result.facets["year"]) == dict(Counter(f"{articles[i].published.year:04d}" for i in matched))
    assert [k for k, _ in result.facets["month"]] == sorted(k for k, _ in result.facets["month"])


def test_copies_collapse_and_story_counts(
    engine: SearchEngine, articles: dict[str, Article], story_keys: dict[str, str]
) -> None:
    title = "Terlalu Banyak Makan Sate Kambing, Penyebab Rossa Harus Dirawat di Singapura"
    copies = {i for i, a in articles.items() if a.title == title}
    assert len(copies) == 2
    for facets in (True, False):
        collapsed = engine.search(SearchRequest(q=f'judul:"{title}"', facets=facets))
        assert collapsed.total == 1 and len(collapsed.hits) == 1 and collapsed.hits[0].duplicates == 1
        assert (collapsed.articles, collapsed.stories) == (2, 1)
    expanded = engine.search(SearchRequest(q=f'judul:"{title}"', collapse=False))
    assert expanded.total == 2 and {h.id for h in expanded.hits} == copies
    # Every article of a reporter: stories are the distinct copy keys, worked out here.
    annesa = [a for a in articles.values() if a.reporter == "Annesa K. Ramadhany"]
    result = engine.search(SearchRequest(q="", reporter="annesa ramadhany", limit=100))
    assert result.articles == len(annesa)
    assert result.stories == result.total == len({story_keys[a.id] for a in annesa}) < len(annesa)
    assert sum(h.duplicates for h in result.hits) == len(annesa) - result.stories


def test_did_you_mean(engine: SearchEngine) -> None:
    result = engine.search(SearchRequest(q="Jokowl"))
    assert result.total == 0 and result.suggestion == "Jokowi"  # the case the user typed
    assert engine.search(SearchRequest(q="jokowi")).suggestion is None
    assert engine.search(SearchRequest(q="Pyongyangg")).suggestion == "Pyongyang"


def test_related_articles(engine: SearchEngine, articles: dict[str, Article], story_keys: dict[str, str]) -> None:
    anchor = ids(engine, "judul:wiranto")[0]
    related = engine.related(anchor, limit=5)
    assert related and anchor not in [h.id for h in related]
    assert any("wiranto" in (articles[h.id].title + articles[h.id].body).lower() for h in related)
    keys = [story_keys[articles[h.id].id] for h in related]
    assert story_keys[articles[anchor].id] not in keys and len(set(keys)) == len(keys)  # one per story


def test_article(engine: SearchEngine, articles: dict[str, Article]) -> None:
    article = engine.article(SEED_ID)
    assert article is not None
    seed = articles[SEED_ID]
    assert (article.title, article.body, article.reporter) == (seed.title, seed.body, seed.reporter)
    assert article.published == "2023-08-31T12:34:00+07:00"
    assert article.published_display == "Kamis, 31 Agustus 2023 12:34 WIB"
    assert engine.article("0000000000000000") is None


def test_paging_and_bounds(engine: SearchEngine) -> None:
    first = engine.search(SearchRequest(q="jokowi", limit=5, page=1, collapse=False))
    second = engine.search(SearchRequest(q="jokowi", limit=5, page=2, collapse=False))
    assert first.total == second.total and first.pages == -(-first.total // 5)
    assert not {h.id for h in first.hits} & {h.id for h in second.hits}
    for bad in [{"limit": 0}, {"limit": 101}, {"page": 0}, {"page": 101}, {"sort": "random"}, {"date_from": "kemarin"}]:
        with pytest.raises(RequestError):
            engine.search(SearchRequest(q="jokowi", **bad))


def test_iterate_is_the_ranking_without_a_cap(engine: SearchEngine, articles: dict[str, Article]) -> None:
    """Every article through the iterator: the ranking's articles and order, ties (and the
    undated articles, last) in id order, the same on both backends; a walk resumed after any
    hit's ``sort_key`` goes on with the next one."""
    plan = engine.parse("").plan
    assert plan is None
    from berita_search.search import plan as P

    for collapse in (False, True):
        spec = SearchSpec(plan=P.Everything(), sort="newest", collapse=collapse, top=len(articles))
        listed = list(engine.backend.iterate(spec))
        ranked = [r.stored["id"] for r in engine.backend.search(spec).ranked]
        ids = [r.stored["id"] for r in listed]
        stories = len({r.stored.get("dup_key", r.stored["id"]) for r in listed})
        assert len(ids) == (stories if collapse else len(articles)) == len(set(ids)) == len(ranked)
        dated = [(r.stored["published_iso"], r.stored["id"]) for r in listed if r.stored.get("published_iso")]
        undated = [r.stored["id"] for r in listed if not r.stored.get("published_iso")]
        assert ids == [i for _d, i in dated] + undated and undated == sorted(undated)
        if not collapse:
            assert set(ids) == set(ranked) and len(undated) == 2
            walked = [r.stored["id"] for r in engine.backend.iterate(replace(spec, after=listed[9].sort_key))]
            assert walked == ids[10:]
    spec = SearchSpec(plan=engine.parse("jokowi").plan, proximity=("jokowi",), top=2000, collapse=False)
    listed = list(engine.backend.iterate(spec))
    ranked = engine.backend.search(spec).ranked
    assert [r.stored["id"] for r in listed] == [
        i for _s, i in sorted((-r.score, r.stored["id"]) for r in listed)
    ]  # best first, ties by id
    assert {r.stored["id"] for r in listed} == {r.stored["id"] for r in ranked}


def test_stats(engine: SearchEngine, articles: dict[str, Article]) -> None:
    stats = engine.stats()
    assert stats["documents"] == len(articles)
    assert stats["undated"] == sum(1 for a in articles.values() if a.published is None) == 2
    assert stats["last_published"] == "2023-09-02T09:00:00+07:00"
    categories = Counter(a.category for a in articles.values() if a.category)
    top = sorted(categories.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
    assert stats["facets"]["category"] == top


# ---------------------------------------------------------------- the backends side by side

SIDE_BY_SIDE = [
    "jokowi", "prabowo", "kim jong un", '"kim jong un"', "pertukaran surat", "senja*", "shoigu~", "artis",
    "banjir jakarta", "presiden jokowi papua", '"presiden jokowi"~3', "gempa -palu", "judul:gempa", "isi:korupsi",
    "kpk revisi undang", "(jokowi OR prabowo) DAN papua", "reporter:annesa", "kategori:selebriti", "tanggal:2019-09",
    "jokowi tanggal:[2019-09-01 TO 2019-09-15]", "yang", "pemindahan ibu kota", "polisi", "korea",
]  # fmt: skip


def test_backends_agree_on_totals_stories_facets_and_top_ten(engines: dict[str, SearchEngine]) -> None:
    overlaps = []
    for q in SIDE_BY_SIDE:
        results = {name: e.search(SearchRequest(q=q, limit=10)) for name, e in engines.items()}
        whoosh, cluster = results["whoosh"], results["opensearch"]
        assert (whoosh.articles, whoosh.stories) == (cluster.articles, cluster.stories), q
        assert whoosh.facets == cluster.facets, q
        if "*" in q:
            # A prefix matches at a constant score (the hostile-query bounds): its ties are in
            # index order on Whoosh and in shard order on the cluster, so only the set is compared.
            assert whoosh.total == cluster.total, q
            continue
        overlaps.append((top_overlap([h.id for h in whoosh.hits], [h.id for h in cluster.hits]), q))
    assert sum(o for o, _ in overlaps) / len(overlaps) >= 0.9, overlaps
    assert min(overlaps) >= (0.6, ""), overlaps
    assert engines["whoosh"].stats() | {"index": ""} == engines["opensearch"].stats() | {"index": ""}


def test_backends_store_the_same_articles(engines: dict[str, SearchEngine], articles: dict[str, Article]) -> None:
    keys = ("id", "title", "body", "url", "source", "category", "subcategory", "reporter", "caption", "tags",
            "date_note", "published_iso", "origin")  # fmt: skip
    for article_id in list(articles)[::50] + [SEED_ID, HOSTILE_ID]:
        found = [engines[name].backend.article(article_id) for name in BACKEND_NAMES]
        assert all(found), article_id
        shown = [{k: a.get(k) for k in keys} for a in found if a]
        assert shown[1:] == shown[:1], {k: [s[k] for s in shown] for k in keys if shown[0][k] != shown[-1][k]}


# ---------------------------------------------------------------- the web app on each backend


def api(client: TestClient, **params: object) -> dict:
    response = client.get("/api/search", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def hit_ids(html: str) -> list[str]:
    return re.findall(r'<li class="hit" data-id="([0-9a-f]{16})">', html)


def test_web_search_page_and_api(client: TestClient) -> None:
    html = client.get("/", params={"q": "Kim Jong Un"}).text
    assert hit_ids(html)[0] == SEED_ID
    first = html.split(f'data-id="{SEED_ID}"')[1].split("</li>")[0]
    assert "Kamis, 31 Agustus 2023 12:34 WIB" in first and "<mark>Kim</mark> <mark>Jong</mark> <mark>Un</mark>" in first
    data = api(client, q="Kim Jong Un")
    assert data["hits"][0]["id"] == SEED_ID and data["facets"]["category"]["Dunia"] == 1
    assert data["total"] == sum(data["facets"]["month"].values())
    data = api(client, q="artis")
    stories, articles = data["stories"], data["articles"]
    assert data["total"] == stories > 20 and articles >= stories
    stories_shown, articles_shown = (f"{n:,}".replace(",", ".") for n in (stories, articles))
    counts = f"<strong>{stories_shown}</strong> berita, <strong>{articles_shown}</strong> artikel"
    assert counts in client.get("/", params={"q": "artis"}).text


def test_web_filters_collapse_and_suggestion(client: TestClient) -> None:
    data = api(client, q="", category="dunia")
    assert SEED_ID in {h["id"] for h in data["hits"]} and data["sort"] == "newest"
    dup_ids = {a.id for a in duplicate_articles()}
    html = client.get("/", params={"q": "banjir rob semarang"}).text
    assert len(set(hit_ids(html)) & dup_ids) == 1 and "+1 salinan serupa disembunyikan" in html
    assert {h["id"] for h in api(client, q="banjir rob semarang", collapse=0)["hits"]} >= dup_ids
    assert api(client, q="Pyongyangg")["suggestion"] == "Pyongyang"
    data = api(client, q="Pyongyang", **{"from": "2023-09"})
    assert SEED_ID not in {h["id"] for h in data["hits"]} and HOSTILE_ID in {h["id"] for h in data["hits"]}


def test_web_article_and_export(client: TestClient) -> None:
    page = client.get(f"/artikel/{SEED_ID}", params={"q": "Kim Jong Un"})
    assert page.status_code == 200 and "Artikel terkait" in page.text
    assert "<mark>Kim</mark> <mark>Jong</mark> <mark>Un</mark>" in page.text
    assert client.get("/artikel/0000000000000000").status_code == 404
    data = client.get(f"/api/articles/{SEED_ID}").json()
    assert data["published"] == "2023-08-31T12:34:00+07:00" and data["related"]
    total = api(client, q="artis", collapse=0)["total"]
    rows = list(
        csv.DictReader(
            io.StringIO(client.get("/ekspor.csv", params={"q": "artis", "collapse": 0}).text.lstrip("\ufeff"))
        )
    )
    assert len(rows) == total
    exported = json.loads(client.get("/ekspor.json", params={"q": "Pyongyang", "sort": "newest"}).text)
    assert exported["cap"] == EXPORT_CAP and exported["hits"][0]["id"] == HOSTILE_ID
    assert HOSTILE_TITLE in {h["title"] for h in api(client, q="script")["hits"]}
    assert "<script" not in client.get("/", params={"q": "script"}).text.lower()
