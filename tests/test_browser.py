"""End to end in Debian's Chromium: search, filter by a facet, open the article; save a search,
keep an article in a collection and copy its citation.

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
from berita_search.search import citation
from berita_search.search.engine import SearchEngine
from berita_search.search.state import StateStore
from berita_search.search.workflow import Workflow
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
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, SearchEngine, StateStore]]:
    engine = SearchEngine(build_web_index(tmp_path_factory))
    store = StateStore(tmp_path_factory.mktemp("browser-state") / "state.sqlite3")
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(engine, state_store=store), host="127.0.0.1", port=port, log_level="warning", lifespan="off"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the web server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", engine, store
    server.should_exit = True
    thread.join(timeout=10)
    engine.close()


@pytest.fixture(scope="module")
def base_url(served: tuple[str, SearchEngine, StateStore]) -> str:
    return served[0]


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
            expect(page.locator("figure.coverage svg:visible")).to_have_count(1)
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


def test_save_a_search_collect_and_cite_in_chromium(served: tuple[str, SearchEngine, StateStore]) -> None:
    from playwright.sync_api import expect, sync_playwright

    base_url, engine, store = served
    workflow = Workflow(engine, store)
    executable = chromium_path()
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID")
            context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url)
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

            # Save the search under a name: it is listed under Pantauan with nothing new yet.
            page.goto(base_url + "/?q=Kim+Jong+Un")
            form = page.locator("form.save-search")
            form.get_by_label("Nama").fill("Kim dan Putin")
            form.get_by_role("button", name="Simpan & pantau").click()
            page.wait_for_url(re.compile(r".*/pantau/\d+$"))
            (saved,) = workflow.saved_searches()
            assert (saved.name, saved.params["q"]) == ("Kim dan Putin", "Kim Jong Un")
            assert page.url.endswith(f"/pantau/{saved.id}")
            expect(page.locator("main")).to_contain_text("Kim dan Putin")
            page.screenshot(path=str(ARTIFACTS / "saved-search.png"), full_page=True)

            # Keep the seed article in a new collection with a note and tags.
            page.goto(base_url + f"/artikel/{SEED_ID}?q=Kim+Jong+Un")
            collect = page.locator("form.collect-form")
            collect.get_by_label("Koleksi").fill("Surat Kim")
            collect.get_by_label("Catatan").fill("Kutipan tentang amunisi")
            collect.get_by_label("Tag").fill("rusia, korea utara")
            collect.get_by_role("button", name="Tambahkan ke koleksi").click()
            page.wait_for_url(f"**/artikel/{SEED_ID}?q=Kim+Jong+Un#koleksi")
            holding = page.locator("section.collect ul.holding li")
            expect(holding).to_have_count(1)
            expect(holding.first.get_by_role("link", name="Surat Kim")).to_be_visible()
            expect(holding.first).to_contain_text("Kutipan tentang amunisi")
            (kept,) = workflow.collections()
            items = workflow.collection(kept.id).items
            assert [(i.article_id, i.note, i.tags) for i in items] == [
                (SEED_ID, "Kutipan tentang amunisi", ["rusia", "korea utara"])
            ]

            # Copy the citation as a reader would: select the box, copy, paste into the search box.
            box = page.locator("#kutipan-biasa")
            box.click()
            page.keyboard.press("Control+A")
            page.keyboard.press("Control+C")
            expected = citation.plain(engine.article(SEED_ID))
            assert page.evaluate("navigator.clipboard.readText()") == expected
            page.screenshot(path=str(ARTIFACTS / "article-collect-cite.png"), full_page=True)

            page.get_by_role("link", name="Surat Kim").click()
            page.wait_for_url(f"**/koleksi/{kept.id}")
            expect(page.locator(f'[data-id="{SEED_ID}"]')).to_be_visible()
            assert not errors, errors
        finally:
            browser.close()
    for name in ("saved-search.png", "article-collect-cite.png"):
        assert (ARTIFACTS / name).stat().st_size > 10_000


def test_coverage_chart_and_compare_view_in_chromium(base_url: str) -> None:
    """The chart on the search page and the compare page, at desktop and phone width: one drawing
    shown per width, its data table, bars that open their period's results, nothing wider than a phone."""
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="id-ID")
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

            page.goto(base_url + "/?q=artis&by=source&interval=day")
            chart = page.locator("figure.coverage svg:visible")
            expect(chart).to_have_count(1)
            expect(chart).to_have_attribute("role", "img")
            expect(page.locator("figure.coverage .legend")).to_contain_text("lainnya")
            assert page.locator("table.data tbody tr").count() >= 1
            page.locator("figure.coverage").screenshot(path=str(ARTIFACTS / "coverage-split.png"))
            # A bar opens the results of its period: the same search narrowed to its dates.
            chart.locator("a").first.click()
            page.wait_for_url(re.compile(r".*[?&]from=\d{4}-\d{2}-\d{2}&to=\d{4}-\d{2}-\d{2}.*"))
            expect(page.locator("#jumlah")).to_contain_text("artikel")

            page.goto(base_url + "/liputan?q=artis&q=banjir&interval=day")
            expect(page.get_by_role("heading", name="Liputan dari waktu ke waktu")).to_be_visible()
            expect(page.locator("figure.coverage svg:visible")).to_have_count(1)
            expect(page.locator("ul.totals")).to_contain_text("“artis”")
            expect(page.locator("ul.totals")).to_contain_text("“banjir”")
            page.screenshot(path=str(ARTIFACTS / "coverage-compare.png"), full_page=True)
            page.locator("figure.coverage").screenshot(path=str(ARTIFACTS / "coverage-compare-chart.png"))
            page.goto(base_url + "/liputan?q=artis&q=banjir&interval=day&share=1")
            expect(page.locator("figure.coverage")).to_contain_text("Proporsi")

            page.set_viewport_size({"width": 390, "height": 844})
            page.goto(base_url + "/liputan?q=artis&q=banjir&interval=day")
            expect(page.locator("figure.coverage svg:visible")).to_have_count(1)
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
            page.screenshot(path=str(ARTIFACTS / "coverage-compare-mobile.png"), full_page=True)
            page.goto(base_url + "/?q=artis&by=source")
            expect(page.locator("figure.coverage svg:visible")).to_have_count(1)
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
            page.locator("figure.coverage").screenshot(path=str(ARTIFACTS / "coverage-split-mobile.png"))
            assert not errors, errors
        finally:
            browser.close()
    for name in (
        "coverage-split.png",
        "coverage-compare.png",
        "coverage-compare-mobile.png",
        "coverage-split-mobile.png",
    ):
        assert (ARTIFACTS / name).stat().st_size > 5_000
