"""HTTP details: no redirect built from the Host header, Allow on 405, and an OpenAPI document
that says exactly what the API takes and answers (checked by schemathesis, in process)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from importlib.metadata import version

import pytest
import schemathesis
from berita_search.search.engine import SearchEngine
from berita_search.web.app import create_app
from berita_search.web.openapi import openapi_spec
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance
from starlette.testclient import TestClient

from tests.web_fixtures import SEED_ID, build_web_index


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchEngine]:
    engine = SearchEngine(build_web_index(tmp_path_factory), cache_size=0)
    yield engine
    engine.close()


@pytest.fixture(scope="module")
def client(engine: SearchEngine) -> TestClient:
    return TestClient(create_app(engine), raise_server_exceptions=False)


@pytest.mark.parametrize("path", ["/api/search/", "/artikel/" + SEED_ID + "/", "/openapi.json/", "//evil.test/"])
def test_no_redirect_is_built_from_the_host_header(client: TestClient, path: str) -> None:
    response = client.get(path + "?q=kim", headers={"host": "evil.test"}, follow_redirects=False)
    location = response.headers.get("location", "")
    assert "evil.test" not in location, (path, response.status_code, location)
    if 300 <= response.status_code < 400:
        assert re.match(r"^/[^/\\]", location), location  # a path on this site, never another host
        followed = client.get(location)
        assert followed.status_code == 200


def test_a_trailing_slash_still_finds_the_page(client: TestClient) -> None:
    response = client.get("/api/search/?q=kim")
    assert response.status_code == 200 and response.json()["hits"]
    assert client.get("/nope/").status_code == 404


@pytest.mark.parametrize("path", ["/", "/api/search", f"/api/articles/{SEED_ID}", "/ekspor.csv", "/openapi.json"])
def test_405_says_what_is_allowed(client: TestClient, path: str) -> None:
    response = client.post(path)
    assert response.status_code == 405
    assert set(re.split(r",\s*", response.headers["allow"])) >= {"GET"}
    assert "POST" not in response.headers["allow"]


def test_openapi_matches_what_the_api_takes(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert spec["info"]["version"] == version("berita-search")
    params = {p["name"]: p["schema"] for p in spec["paths"]["/api/search"]["get"]["parameters"]}
    assert params["collapse"] == {"type": "integer", "enum": [0, 1], "default": 1}
    assert client.get("/api/search", params={"q": "kim", "collapse": "true"}).status_code == 400
    assert client.get("/api/search", params={"q": "kim", "collapse": "0"}).status_code == 200
    for name in ("from", "to"):
        pattern = re.compile(params[name]["pattern"])
        for good in ("2023", "2023-08", "2023-08-31", "2024-02-29", ""):
            assert pattern.search(good), good
            assert client.get("/api/search", params={"q": "kim", name: good}).status_code == 200, good
        for bad in ("2023-02-29", "2019-09-31", "2023-13", "kemarin", "31/08/2023", "9999-12-31", "2023-8"):
            assert not pattern.search(bad), bad
            assert client.get("/api/search", params={"q": "kim", name: bad}).status_code == 400, bad
    result = spec["components"]["schemas"]["SearchResult"]["properties"]
    assert {"total", "articles", "stories", "missing"} <= set(result)
    assert "artikel" in result["articles"]["description"] and "berita" in result["stories"]["description"]


class LateApp:
    """The app under test, bound once the test index exists (schemathesis reads the schema at import)."""

    app: object = None

    async def __call__(self, scope, receive, send) -> None:  # noqa: ANN001
        await self.app(scope, receive, send)  # type: ignore[misc]


LATE_APP = LateApp()
API_SCHEMA = schemathesis.openapi.from_dict(openapi_spec())
API_SCHEMA.app = LATE_APP


@pytest.fixture(scope="module")
def bound_app(engine: SearchEngine) -> Iterator[None]:
    LATE_APP.app = create_app(engine)
    yield
    LATE_APP.app = None


def test_the_served_document_is_the_one_checked(client: TestClient) -> None:
    assert client.get("/openapi.json").json() == openapi_spec()


@API_SCHEMA.parametrize()
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
    derandomize=True,
)
def test_the_api_keeps_its_openapi_promises(case, bound_app: None) -> None:  # noqa: ANN001
    if case.path == "/api/hits" and (case.query or {}).get("cursor"):
        # A cursor is opaque: only one the server issued is valid, so a generated one is refused
        # (400, checked in tests/test_full_export.py); every other promise still holds.
        case.call_and_validate(excluded_checks=[positive_data_acceptance])
        return
    case.call_and_validate()
