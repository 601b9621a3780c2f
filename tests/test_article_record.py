"""engine.article() gives a typed record of the article's fields, not the stored dict."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator

import pytest
from berita_search.index.fields import FIELDS
from berita_search.search.engine import ArticleRecord, SearchEngine
from berita_search.web.app import create_app
from starlette.testclient import TestClient

from tests.cli_runner import run_cli
from tests.web_fixtures import SEED_ID, build_web_index


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchEngine]:
    engine = SearchEngine(build_web_index(tmp_path_factory))
    yield engine
    engine.close()


def test_the_record_has_the_field_table_and_the_display_date(engine: SearchEngine) -> None:
    article = engine.article(SEED_ID)
    assert isinstance(article, ArticleRecord)
    names = [f.name for f in dataclasses.fields(ArticleRecord)]
    assert set(names) == {f.name for f in FIELDS} | {"published_display"}
    assert article.id == SEED_ID
    assert article.title.startswith("Vladimir Putin dan Kim Jong Un")
    assert article.published == "2023-08-31T12:34:00+07:00"
    assert article.published_display == "Kamis, 31 Agustus 2023 12:34 WIB"
    assert article.reporter == "Sarah Meiliana Gunawan" and article.category == "Dunia"
    assert isinstance(article.tags, tuple)
    assert "origin" not in names  # where the file was on the indexing machine is nobody's business
    assert engine.article("0000000000000000") is None


def test_show_and_the_api_print_the_record(engine: SearchEngine) -> None:
    done = run_cli("show", SEED_ID, "--json", "--index", engine.location)
    shown = json.loads(done.stdout)
    api = TestClient(create_app(engine)).get(f"/api/articles/{SEED_ID}").json()
    assert {k: v for k, v in api.items() if k != "related"} == shown
    assert shown["published_display"] == "Kamis, 31 Agustus 2023 12:34 WIB"
    assert shown["tags"] == list(engine.article(SEED_ID).tags)  # type: ignore[union-attr]
