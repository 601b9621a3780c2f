"""Hostile requests to the web app: traversal, unknown routes, out-of-range parameters,
markup in queries and in indexed text. Every response carries the security headers."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import datetime

import pytest
from berita_search.index.article import Article
from berita_search.index.dates import WIB
from berita_search.index.readers import read_paths
from berita_search.index.writer import index_records
from berita_search.search.engine import SearchEngine
from starlette.testclient import TestClient

from tests.conftest import CLICKID_JSONL, REPO, require_shared

MARKUP_TITLE = 'Awas <script>alert("judul")</script> banjir'
MARKUP_BODY = 'Banjir melanda <img src=x onerror=alert("isi")> kampung. Warga <b>mengungsi</b> & menunggu.'
REQUIRED_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
}
LEAKS = ["Traceback", str(REPO), "site-packages", "starlette", "uvicorn", 'File "']


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    from berita_search.web.app import create_app

    require_shared()
    folder = tmp_path_factory.mktemp("web-hostile")
    subset = folder / "subset.jsonl"
    with CLICKID_JSONL.open(encoding="utf-8") as src, subset.open("w", encoding="utf-8") as dst:
        dst.writelines(itertools.islice(src, 60))
    marked = Article(
        title=MARKUP_TITLE,
        body=MARKUP_BODY,
        url="https://contoh.test/banjir-markup",
        source="Contoh",
        reporter='Penguji "<svg onload=alert(1)>"',
        published=datetime(2024, 3, 4, 9, 0, tzinfo=WIB),
        published_has_time=True,
    )
    index_dir = folder / "ix"
    index_records(index_dir, itertools.chain(read_paths([subset]), [marked]))
    engine = SearchEngine(index_dir)
    with TestClient(create_app(engine), raise_server_exceptions=False) as test_client:
        test_client.marked_id = marked.id  # type: ignore[attr-defined]
        yield test_client
    engine.close()


def assert_security_headers(response) -> None:  # noqa: ANN001
    for name, value in REQUIRED_HEADERS.items():
        assert response.headers.get(name) == value, (response.url, name)
    csp = response.headers.get("content-security-policy", "")
    assert "script-src 'none'" in csp and "frame-ancestors 'none'" in csp


def assert_no_detail(response) -> None:  # noqa: ANN001
    for leak in LEAKS:
        assert leak not in response.text, (response.url, leak)


# ---------------------------------------------------------------- traversal


@pytest.mark.parametrize(
    "path",
    [
        "/static/../../pyproject.toml",
        "/static/%2e%2e/%2e%2e/pyproject.toml",
        "/static/..%2f..%2fpyproject.toml",
        "/static/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "/static/....//....//etc/passwd",
        "/static//etc/passwd",
        "/static/%00../app.py",
        "/static/../app.py",
        "/static/..%5c..%5cpyproject.toml",
        "/artikel/..%2f..%2fetc%2fpasswd",
        "/artikel/../../etc/passwd",
        "/api/articles/..%2f..%2fpyproject.toml",
        "/api/articles/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "/ekspor.csv/../../etc/passwd",
        "/templates/base.html",
        "/web/app.py",
    ],
)
def test_path_traversal_fails(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert 400 <= response.status_code < 500, (path, response.status_code)
    for secret in ("root:x:0:0", "[project]", "def create_app", "{% block"):
        assert secret not in response.text
    assert_no_detail(response)
    assert_security_headers(response)


# ---------------------------------------------------------------- unknown routes


@pytest.mark.parametrize(
    "path", ["/admin", "/api", "/api/nope", "/.git/config", "/wp-login.php", "/artikel", "/api/articles/", "/%ff"]
)
def test_unknown_routes_are_404_without_detail(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404, (path, response.status_code)
    assert_no_detail(response)
    assert_security_headers(response)


def test_unknown_article_is_404_without_detail(client: TestClient) -> None:
    for path in ["/artikel/0000000000000000", "/api/articles/0000000000000000"]:
        response = client.get(path)
        assert response.status_code == 404
        assert_no_detail(response)


def test_wrong_method_is_4xx(client: TestClient) -> None:
    response = client.post("/api/search?q=banjir", content=b"x" * 1000)
    assert response.status_code == 405
    assert_no_detail(response)
    assert_security_headers(response)


# ---------------------------------------------------------------- parameters


BAD_PARAMS = [
    {"page": "-1"},
    {"page": "0"},
    {"page": "101"},
    {"page": "99999999999999999999999999999"},
    {"page": "1e9"},
    {"page": "abc"},
    {"limit": "-5"},
    {"limit": "0"},
    {"limit": "100000"},
    {"limit": "99999999999999999999999999999"},
    {"limit": "NaN"},
    {"page": "100", "limit": "101"},
    {"sort": "<script>"},
    {"from": "kemarin<script>"},
]


@pytest.mark.parametrize("route", ["/", "/api/search", "/ekspor.csv", "/ekspor.json"])
@pytest.mark.parametrize("params", BAD_PARAMS, ids=lambda p: ",".join(f"{k}={v[:12]}" for k, v in p.items()))
def test_out_of_range_parameters_are_rejected(client: TestClient, route: str, params: dict[str, str]) -> None:
    response = client.get(route, params={"q": "banjir", **params})
    assert 400 <= response.status_code < 500, (route, params, response.status_code)
    if response.headers["content-type"].startswith("text/html"):
        assert "<script>" not in response.text  # a JSON message may quote it: data, served as nosniff JSON
    assert_no_detail(response)
    assert_security_headers(response)


def test_oversized_query_is_answered(client: TestClient) -> None:
    response = client.get("/api/search", params={"q": "banjir " * 5000})
    assert response.status_code in (200, 400, 414)
    assert_no_detail(response)


# ---------------------------------------------------------------- escaping


def test_markup_in_the_query_is_escaped(client: TestClient) -> None:
    query = '<script>alert("q")</script><img src=x onerror=alert(2)>'
    response = client.get("/", params={"q": query})
    assert response.status_code == 200
    assert "<script>alert" not in response.text
    assert "<img src=x" not in response.text
    assert "&lt;script&gt;" in response.text
    assert_security_headers(response)


def test_markup_in_indexed_text_is_escaped_in_results_and_article(client: TestClient) -> None:
    for path, params in [("/", {"q": "banjir kampung"}), (f"/artikel/{client.marked_id}", {})]:  # type: ignore[attr-defined]
        response = client.get(path, params=params)
        assert response.status_code == 200, path
        assert client.marked_id in response.text or path != "/"  # type: ignore[attr-defined]
        for raw in ["<script>alert", "<img src=x", "<svg onload", "<b>mengungsi"]:
            assert raw not in response.text, (path, raw)
        assert "&lt;script&gt;" in response.text
        assert_security_headers(response)


def test_json_api_returns_text_as_data(client: TestClient) -> None:
    response = client.get(f"/api/articles/{client.marked_id}")  # type: ignore[attr-defined]
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["title"] == MARKUP_TITLE
    assert_security_headers(response)
