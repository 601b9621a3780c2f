"""End to end in Debian's Chromium: search, filter by a facet, open the article.

Screenshots land in test-artifacts/ at the repository root, which ``make test`` keeps.
"""

from __future__ import annotations

import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from berita_search.search.engine import SearchEngine
from berita_search.web.app import create_app

from tests.conftest import REPO
from tests.web_fixtures import SEED_ID, build_web_index

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    # A missing browser is a broken set-up, not a reason to skip: tests/ensure-chromium.sh installs it.
    found = CHROMIUM if CHROMIUM.exists() else shutil.which("chromium")
    assert found, "chromium is not installed: run 'bash tests/ensure-chromium.sh' (make test does this)"
    return str(found)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    engine = SearchEngine(build_web_index(tmp_path_factory))
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(engine), host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the web server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    engine.close()


def test_search_facet_and_article_in_chromium(base_url: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    executable = chromium_path()
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="id-ID")
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

            page.goto(base_url + "/")
            expect(page.get_by_role("heading", name="Cari di arsip berita")).to_be_visible()
            box = page.get_by_label("Kata kunci")
            expect(box).to_be_focused()
            box.fill("Kim Jong Un")
            box.press("Enter")
            page.wait_for_url("**/?q=Kim+Jong+Un**")

            hits = page.locator("li.hit")
            expect(hits.first).to_have_attribute("data-id", SEED_ID)
            expect(hits.first.locator("h2")).to_contain_text("Vladimir Putin dan Kim Jong Un Bertukar Surat")
            expect(hits.first.locator(".meta")).to_contain_text("Kamis, 31 Agustus 2023 12:34 WIB")
            expect(hits.first.locator(".snippet mark").first).to_have_text("Kim")
            expect(page.locator("figure.timeline svg")).to_be_visible()
            before = hits.count()
            assert before >= 2, "the facet test needs more than one hit to narrow"
            page.screenshot(path=str(ARTIFACTS / "search.png"), full_page=True)

            # The category facet narrows the results to the seed's rubric.
            page.locator("aside.facets").get_by_role("link", name="Dunia", exact=True).click()
            page.wait_for_url("**category=Dunia**")
            chips = page.get_by_role("list", name="Filter aktif")
            expect(chips).to_contain_text("Kategori: Dunia")
            expect(hits).to_have_count(1)
            expect(page.locator("#jumlah")).to_contain_text("1 berita, 1 artikel untuk “Kim Jong Un” (1–1,")
            expect(hits.first).to_have_attribute("data-id", SEED_ID)
            page.screenshot(path=str(ARTIFACTS / "search-filtered.png"), full_page=True)

            hits.first.locator("h2 a").click()
            page.wait_for_url(f"**/artikel/{SEED_ID}**")
            heading = page.get_by_role("heading", level=1)
            expect(heading).to_contain_text("Bertukar Surat")
            expect(page.locator("article .body mark").first).to_have_text("Kim")
            expect(page.locator("article")).to_contain_text("Sarah Meiliana Gunawan")
            expect(page.get_by_role("heading", name="Artikel terkait")).to_be_visible()
            page.screenshot(path=str(ARTIFACTS / "article.png"), full_page=True)

            # Back to the results through the link, with the query and the filter kept.
            page.get_by_role("link", name="‹ Kembali ke hasil").click()
            page.wait_for_url("**/?q=Kim+Jong+Un&category=Dunia")
            expect(page.get_by_label("Kata kunci")).to_have_value("Kim Jong Un")
            expect(chips).to_contain_text("Kategori: Dunia")

            # Every category of a broad search, on request, without a script.
            page.goto(base_url + "/?from=2019")
            expect(page.locator("#jumlah")).to_contain_text(" berita, ")
            expect(page.locator("aside.facets .unit")).to_have_text("Jumlah artikel")
            more = page.get_by_role("link", name=re.compile(r"^tampilkan semua \(\d+\)$")).first
            more.click()
            page.wait_for_url("**expand=category**")
            categories = page.locator("#saring-category li")
            assert categories.count() > 12
            expect(page.get_by_role("link", name="tampilkan 12 teratas")).to_be_visible()
            page.screenshot(path=str(ARTIFACTS / "search-facets-all.png"), full_page=True)

            # Small screens: one column, still usable.
            page.set_viewport_size({"width": 390, "height": 844})
            page.goto(base_url + "/?q=banjir+rob+semarang")
            expect(hits.first).to_be_visible()
            expect(page.locator("#jumlah")).to_contain_text("1 berita, 2 artikel")
            page.screenshot(path=str(ARTIFACTS / "search-mobile.png"), full_page=True)
            page.goto(base_url + "/?from=2019&expand=category")
            expect(page.locator("#saring-category")).to_be_visible()
            assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than a phone
            page.locator("aside.facets").screenshot(path=str(ARTIFACTS / "search-facets-all-mobile.png"))

            # A date the calendar lacks: the same page, the form as typed, the reason in Indonesian.
            page.goto(base_url + "/?q=banjir&from=2019-09-31")
            expect(page.get_by_label("Kata kunci")).to_have_value("banjir")
            expect(page.get_by_role("alert")).to_contain_text("Tanggal “Dari” tidak terbaca: 2019-09-31")
            page.screenshot(path=str(ARTIFACTS / "search-bad-date-mobile.png"), full_page=True)
            # The browser reports the 400 status itself; that one is expected.
            errors[:] = [e for e in errors if "status of 400" not in e]

            assert not errors, errors
        finally:
            browser.close()
    for name in (
        "search.png",
        "search-filtered.png",
        "article.png",
        "search-facets-all.png",
        "search-mobile.png",
        "search-facets-all-mobile.png",
        "search-bad-date-mobile.png",
    ):
        assert (ARTIFACTS / name).stat().st_size > 10_000
