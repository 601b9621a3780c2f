"""The web's writing forms: a change needs a POST carrying the token of the browser's own
``SameSite=Strict`` cookie; a cross-site request, a missing or foreign token and an oversized
body are refused before anything is written, with a message in Indonesian and no trace."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from berita_search.search.engine import SearchEngine
from berita_search.search.state import StateStore
from berita_search.search.workflow import Workflow
from berita_search.web.app import create_app
from berita_search.web.workflow import CSRF_COOKIE, FORM_MAX_BYTES, UPLOAD_MAX_BYTES
from starlette.testclient import TestClient

from tests.web_fixtures import SEED_ID, build_web_index

EXPIRED = "Formulir kedaluwarsa atau tidak berasal dari halaman ini"


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> SearchEngine:
    engine = SearchEngine(build_web_index(tmp_path_factory), cache_size=0)
    yield engine
    engine.close()


@pytest.fixture()
def site(engine: SearchEngine, tmp_path: Path) -> tuple[TestClient, Workflow, str]:
    """A client that has loaded a page (so it holds its cookie), the workflow behind the app, and
    the token its forms carry."""
    store = StateStore(tmp_path / "state.sqlite3")
    client = TestClient(create_app(engine, state_store=store))
    page = client.get("/?q=kim")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    return client, Workflow(engine, store), token


def nothing_written(workflow: Workflow) -> bool:
    return workflow.saved_searches() == [] and workflow.collections() == []


def test_the_cookie_is_strict_http_only_and_matches_the_forms(engine: SearchEngine, tmp_path: Path) -> None:
    client = TestClient(create_app(engine, state_store=StateStore(tmp_path / "s.sqlite3")))
    first = client.get("/")
    cookie = first.headers["set-cookie"]
    token = re.search(rf"{CSRF_COOKIE}=([A-Za-z0-9_-]+)", cookie).group(1)
    assert len(token) == 43
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # plain HTTP on loopback: a Secure cookie would never come back
    page = client.get(f"/artikel/{SEED_ID}")
    assert "set-cookie" not in page.headers, "a browser keeps its token"
    assert f'name="csrf" value="{token}"' in page.text
    secure = TestClient(create_app(engine), base_url="https://testserver").get("/").headers["set-cookie"]
    assert "; Secure" in secure
    other = TestClient(create_app(engine)).get("/")
    assert re.search(rf"{CSRF_COOKIE}=([A-Za-z0-9_-]+)", other.headers["set-cookie"]).group(1) != token


@pytest.mark.parametrize(
    ("path", "fields"),
    [
        ("/pantau", {"q": "kim", "nama": "Kim"}),
        ("/koleksi/tambah", {"artikel": SEED_ID, "koleksi": "Riset"}),
        ("/massal", {"daftar": "Kim Jong Un"}),
    ],
)
def test_a_post_without_the_right_token_changes_nothing(
    site: tuple[TestClient, Workflow, str], path: str, fields: dict[str, str]
) -> None:
    client, workflow, token = site
    for sent in ({}, {"csrf": ""}, {"csrf": "x" * 43}, {"csrf": token[:-1] + ("A" if token[-1] != "A" else "B")}):
        response = client.post(path, data={**fields, **sent}, follow_redirects=False)
        assert response.status_code == 403, (path, sent)
        assert EXPIRED in response.text and "Traceback" not in response.text
    # The right token from a browser that lacks the cookie (another site's page posting here).
    stranger = TestClient(client.app)
    response = stranger.post(path, data={**fields, "csrf": token}, follow_redirects=False)
    assert response.status_code == 403
    assert nothing_written(workflow)


def test_a_cross_site_request_is_refused_even_with_the_token(site: tuple[TestClient, Workflow, str]) -> None:
    client, workflow, token = site
    response = client.post(
        "/pantau",
        data={"csrf": token, "q": "kim", "nama": "Kim"},
        headers={"sec-fetch-site": "cross-site"},
        follow_redirects=False,
    )
    assert response.status_code == 403 and EXPIRED in response.text
    assert nothing_written(workflow)
    same = client.post(
        "/pantau",
        data={"csrf": token, "q": "kim", "nama": "Kim"},
        headers={"sec-fetch-site": "same-origin"},
        follow_redirects=False,
    )
    assert same.status_code == 303
    assert [s.name for s in workflow.saved_searches()] == ["Kim"]


def test_oversized_bodies_are_refused_before_they_are_read(site: tuple[TestClient, Workflow, str]) -> None:
    client, workflow, token = site
    big = client.post(
        "/koleksi/tambah",
        data={"csrf": token, "artikel": SEED_ID, "koleksi": "Riset", "catatan": "x" * FORM_MAX_BYTES},
        follow_redirects=False,
    )
    assert big.status_code == 413 and "Kiriman terlalu besar (paling banyak 64 KB)." in big.text
    lying = client.post(
        "/pantau",
        content=b"csrf=" + token.encode(),
        headers={"content-type": "application/x-www-form-urlencoded", "content-length": str(10**9)},
        follow_redirects=False,
    )
    assert lying.status_code == 413
    upload = client.post(
        "/massal",
        data={"csrf": token},
        files={"berkas": ("nama.txt", b"Nama\n" * (UPLOAD_MAX_BYTES // 5 + 1), "text/plain")},
        follow_redirects=False,
    )
    assert upload.status_code == 413
    assert nothing_written(workflow)
    # Just under the bounds, the same forms work.
    fine = client.post(
        "/koleksi/tambah",
        data={"csrf": token, "artikel": SEED_ID, "koleksi": "Riset", "catatan": "catatan singkat"},
        follow_redirects=False,
    )
    assert fine.status_code == 303
    assert [c.name for c in workflow.collections()] == ["Riset"]


def test_changes_need_a_post(site: tuple[TestClient, Workflow, str]) -> None:
    client, workflow, token = site
    for path in ("/koleksi/tambah", "/pantau/1/hapus", "/koleksi/1/hapus"):
        response = client.get(path, params={"csrf": token, "artikel": SEED_ID, "koleksi": "Riset"})
        assert response.status_code in (404, 405), path
    assert nothing_written(workflow)
    saved = client.post("/pantau", data={"csrf": token, "q": "kim", "nama": "Kim"}, follow_redirects=False)
    assert saved.status_code == 303
    (kept,) = workflow.saved_searches()
    assert client.get(f"/pantau/{kept.id}/hapus").status_code == 405
    assert [s.name for s in workflow.saved_searches()] == ["Kim"]
    gone = client.post(f"/pantau/{kept.id}/hapus", data={"csrf": token}, follow_redirects=False)
    assert gone.status_code == 303 and workflow.saved_searches() == []


def test_the_server_binds_loopback_by_default() -> None:
    from berita_search.search.cli import cli

    serve = cli.commands["serve"]
    (host,) = [p for p in serve.params if p.name == "host"]
    assert host.default == "127.0.0.1"
