"""Set semantics of the query language, stated as properties over the index's own words.

Words are drawn from the index's vocabulary at several document frequencies, with fields,
phrases taken from real articles, prefixes and date filters; every page of the ranking is
read, with copies collapsed and without. The same properties hold on the OpenSearch backend
(the same articles in three shards on a real node), with fewer examples.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from berita_search.index.article import Article
from berita_search.index.readers import record_to_article
from berita_search.index.stopwords import STOPWORDS
from berita_search.index.writer import index_records, open_index
from berita_search.search.engine import MAX_LIMIT, SearchEngine, SearchRequest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opensearch.cluster import Cluster
from tests.backend_fixtures import BACKEND_NAMES, build_opensearch, opensearch_engine
from tests.conftest import clickid_rows

# Each example reads every page and the whole export of four searches: about 2.5 s on Whoosh.
EXAMPLES = {"whoosh": 16, "opensearch": 8}
EVERYTHING = 100_000
ARTICLES = 2_500
BATCH = 120  # many small commits: several segments, each with its own first document


@pytest.fixture(scope="module")
def whoosh_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchEngine]:
    index_dir = tmp_path_factory.mktemp("segmented") / "index"
    rows = clickid_rows(ARTICLES)
    summary = index_records(index_dir, (record_to_article(r, f"row {i}") for i, r in enumerate(rows)), batch_size=BATCH)
    assert summary.added > ARTICLES * 0.95 and not summary.failed
    assert len(open_index(index_dir)._segments()) >= 5
    engine = SearchEngine(index_dir, cache_size=0)
    yield engine
    engine.close()


@pytest.fixture(scope="module")
def opensearch_properties_engine(opensearch_one_node: Cluster) -> Iterator[SearchEngine]:
    rows = clickid_rows(ARTICLES)
    articles = (record_to_article(r, f"row {i}") for i, r in enumerate(rows))
    engine = opensearch_engine(
        build_opensearch(opensearch_one_node, "properties", articles, shards=3, batch_size=BATCH)
    )
    yield engine
    engine.close()


@pytest.fixture(scope="module", params=BACKEND_NAMES)
def engine(
    request: pytest.FixtureRequest, whoosh_engine: SearchEngine, opensearch_properties_engine: SearchEngine
) -> SearchEngine:
    return whoosh_engine if request.param == "whoosh" else opensearch_properties_engine


def test_an_excluded_word_is_excluded_from_a_segments_first_match(tmp_path: Path) -> None:
    """The excluded word's postings start before the first match: whoosh3 kept that match."""
    index_records(
        tmp_path,
        [
            Article(title="Palu berbenah", body="Warga Palu membangun kembali rumah mereka.", url="https://a.id/1"),
            Article(title="Gempa di Palu", body="Gempa mengguncang Palu pagi ini.", url="https://a.id/2"),
            Article(title="Gempa di Lombok", body="Gempa mengguncang Lombok.", url="https://a.id/3"),
        ],
    )
    engine = SearchEngine(tmp_path, cache_size=0)
    lombok = Article(title="Gempa di Lombok", body="Gempa mengguncang Lombok.", url="https://a.id/3").id
    for q in ("gempa NOT palu", "gempa TANPA palu", "gempa -palu"):
        result = engine.search(SearchRequest(q=q))
        assert [h.id for h in result.hits] == [lombok], q
        assert result.total == 1


def _vocabulary(engine: SearchEngine) -> dict[str, list[str]]:
    """Body words by document frequency: common, middling and rare."""
    searcher = engine.backend.ix.searcher()
    docs = searcher.doc_count()
    bands: dict[str, list[str]] = {"high": [], "mid": [], "low": []}
    for word_bytes, info in searcher.reader().iter_field("body"):
        word = word_bytes.decode("utf-8") if isinstance(word_bytes, bytes) else word_bytes
        if word in STOPWORDS or not word.isalpha() or len(word) < 3:
            continue
        share = info.doc_frequency() / docs
        band = "high" if share >= 0.08 else "mid" if share >= 0.01 else "low" if info.doc_frequency() >= 2 else None
        if band:
            bands[band].append(word)
    assert all(len(words) >= 10 for words in bands.values()), {k: len(v) for k, v in bands.items()}
    return bands


def _phrases(engine: SearchEngine) -> list[str]:
    """Two-word phrases that occur in real titles."""
    searcher = engine.backend.ix.searcher()
    phrases = []
    for fields in searcher.all_stored_fields():
        words = [w for w in fields.get("title", "").lower().split() if w.isalpha() and w not in STOPWORDS]
        if len(words) >= 2:
            phrases.append(f'"{words[0]} {words[1]}"')
        if len(phrases) >= 200:
            break
    return phrases


@pytest.fixture(scope="module")
def terms(whoosh_engine: SearchEngine) -> st.SearchStrategy[str]:
    bands = _vocabulary(whoosh_engine)
    word = st.sampled_from(bands["high"]) | st.sampled_from(bands["mid"]) | st.sampled_from(bands["low"])
    return st.one_of(
        word,
        word.map(lambda w: f"judul:{w}"),
        word.map(lambda w: f"isi:{w}"),
        word.map(lambda w: f"{w[:4]}*"),
        st.sampled_from(_phrases(whoosh_engine)),
    )


DATE_FILTERS = st.sampled_from([{}, {"date_from": "2019-09"}, {"date_to": "2019-09-15"}, {"date_from": "2019"}])


def every_page(engine: SearchEngine, q: str, collapse: bool, **filters: object) -> tuple[list[str], int]:
    """Ids of every page of the ranking, in order, and the total the first page reported."""
    first = engine.search(SearchRequest(q=q, limit=MAX_LIMIT, collapse=collapse, facets=False, **filters))
    found = [h.id for h in first.hits]
    for page in range(2, min(first.pages, 100) + 1):
        result = engine.search(
            SearchRequest(q=q, page=page, limit=MAX_LIMIT, collapse=collapse, facets=False, **filters)
        )
        found.extend(h.id for h in result.hits)
    return found, first.total


def matches(engine: SearchEngine, q: str, **filters: object) -> set[str]:
    """Every article matching, copies included."""
    return {h.id for h in engine.export(SearchRequest(q=q, collapse=False, **filters), cap=EVERYTHING).hits}


@pytest.fixture(scope="module")
def pairs(whoosh_engine: SearchEngine, terms: st.SearchStrategy[str]) -> st.SearchStrategy[tuple[str, str]]:
    """Independent pairs, and pairs of words from one article: their sets overlap, which is
    where exclusion and intersection can go wrong. (The words come from the Whoosh index; the
    OpenSearch index holds the same articles.)"""
    vocabulary = {w for words in _vocabulary(whoosh_engine).values() for w in words}
    together = []
    for fields in whoosh_engine.backend.ix.searcher().all_stored_fields():
        words = sorted({w for w in fields.get("body", "").lower().split() if w in vocabulary})
        if len(words) >= 2:
            together.append(words)
    cooccurring = st.sampled_from(together).flatmap(
        lambda words: st.lists(st.sampled_from(words), min_size=2, max_size=2, unique=True).map(tuple)
    )
    return st.tuples(terms, terms) | cooccurring


def run(test, engine: SearchEngine, pairs: st.SearchStrategy[tuple[str, str]]) -> None:  # noqa: ANN001
    backend = "whoosh" if hasattr(engine.backend, "ix") else "opensearch"
    settings(
        max_examples=EXAMPLES[backend],
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )(given(pair=pairs, filters=DATE_FILTERS)(lambda pair, filters: test(*pair, filters)))()


def test_exclusion_never_lists_an_excluded_article(
    engine: SearchEngine, pairs: st.SearchStrategy[tuple[str, str]]
) -> None:
    def check(a: str, b: str, filters: dict[str, str]) -> None:
        excluded = matches(engine, b, **filters)
        for form in (f"{a} TANPA {b}", f"{a} NOT {b}", f"{a} -{b}"):
            for collapse in (True, False):
                listed, _total = every_page(engine, form, collapse, **filters)
                assert not set(listed) & excluded, (form, collapse)
            assert matches(engine, form, **filters) == matches(engine, a, **filters) - excluded, form

    run(check, engine, pairs)


def test_and_is_intersection_and_or_is_union(engine: SearchEngine, pairs: st.SearchStrategy[tuple[str, str]]) -> None:
    def check(a: str, b: str, filters: dict[str, str]) -> None:
        hits_a, hits_b = matches(engine, a, **filters), matches(engine, b, **filters)
        for form in (f"{a} DAN {b}", f"{a} {b}"):
            listed, total = every_page(engine, form, False, **filters)
            assert set(listed) <= hits_a & hits_b, form
            assert total == len(hits_a & hits_b) == len(listed), form
        _listed, total_or = every_page(engine, f"{a} ATAU {b}", False, **filters)
        assert total_or == len(hits_a | hits_b)
        _listed, total_not = every_page(engine, f"{a} TANPA {b}", False, **filters)
        assert total_not == len(hits_a) - len(hits_a & hits_b)

    run(check, engine, pairs)


def test_pages_total_and_export_are_one_set(engine: SearchEngine, pairs: st.SearchStrategy[tuple[str, str]]) -> None:
    def check(a: str, b: str, filters: dict[str, str]) -> None:
        for q in (a, f"{a} ATAU {b}"):
            everything = matches(engine, q, **filters)
            listed, total = every_page(engine, q, False, **filters)
            assert len(listed) == len(set(listed)) == total == len(everything)
            assert set(listed) == everything
            collapsed, stories = every_page(engine, q, True, **filters)
            assert len(collapsed) == len(set(collapsed)) == stories
            assert set(collapsed) <= everything

    run(check, engine, pairs)
