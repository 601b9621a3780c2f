"""The web search box and JSON API: a thin front-end over ``search.engine``.

Every page of the archive is a GET that reads the index; nothing writes the index. Saved
searches and collections (``web.workflow``) are POST forms writing their own state file. Pages
are rendered on the server and work without JavaScript; every search lives in the URL.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import tempfile
import threading
from collections import Counter
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass, replace
from datetime import date
from functools import wraps
from pathlib import Path
from typing import Any

from berita_search.index.analysis import analyze, common_words, surface_analyzer
from berita_search.index.dates import MONTH_NAMES_ID
from berita_search.index.fields import BY_NAME, ENTITY_FIELDS
from berita_search.index.stopwords import STOPWORDS
from berita_search.search.coverage import CSV_KEYS as COVERAGE_CSV_KEYS
from berita_search.search.coverage import INTERVAL_NAMES, Coverage, CoverageService, Period, Series
from berita_search.search.engine import (
    CACHE_ENV,
    EXPORT_CAP,
    RESULT_CACHE_SIZE,
    SearchEngine,
    SearchResult,
)
from berita_search.search.messages import Message
from berita_search.search.output import (
    XLSX_MEDIA_TYPE,
    article_row,
    csv_chunks,
    hit_row,
    json_document_chunks,
    rows_csv,
    write_xlsx,
)
from berita_search.search.querylang import MAX_QUERY_CHARS
from berita_search.search.quotes import CSV_KEYS as QUOTE_CSV_KEYS
from berita_search.search.quotes import QUOTES_PER_PAGE, QuoteResult
from berita_search.search.requests import (
    INTERVALS,
    MAX_COMPARE,
    SPLITS,
    RequestError,
    SearchRequest,
    coverage_request_from_params,
)
from berita_search.search.snippets import Snippet, mark_text
from berita_search.search.state import STATE_ENV, StateStore, state_path_for
from berita_search.search.workflow import Workflow
from berita_search.web.chart import MEASURE_LABELS, SPLIT_LABELS, build_chart, percent
from berita_search.web.downloads import attachment, download
from berita_search.web.openapi import openapi_spec
from berita_search.web.params import API_LIMIT, FILTERS, WEB_LIMIT, SearchState, form_state, state_from
from berita_search.web.workflow import FormGuard, WebTools
from berita_search.web.workflow import install as install_workflow
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Match, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.types import Message as ASGIMessage

HERE = Path(__file__).resolve().parent
log = logging.getLogger("berita_search.web")

# Ids are blake2b digests in hex; anything else cannot name an article.
ARTICLE_ID = re.compile(r"^[0-9a-f]{16}$")
API_FACETS = (*FILTERS, "year", "month")
FACETS_SHOWN = 12
# In the order of the sidebar: the article's metadata, then who and where it names.
FACETS_LISTED = ("category", "desk", "reporter", "source", *ENTITY_FIELDS)
API_ENTITY_VALUES = 100  # values of a facet with several per article given by the API, the most first
RELATED = 5
SORT_LABELS = {"relevance": "Relevansi", "newest": "Terbaru", "oldest": "Terlama"}
FILTER_LABELS = {name: BY_NAME[name].label for name in FILTERS}
MISSING_LABELS = {
    "category": "(tanpa kategori)",
    "desk": "(tanpa desk)",
    "reporter": "(tanpa reporter)",
    "source": "(tanpa sumber)",
}
EXPORT_SLOTS = 2  # exports running at once in one server process; others are asked to come back
EXPORT_RETRY_SECONDS = 10
XLSX_CHUNK = 64 * 1024

SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'self'; script-src 'none'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
        b"base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
]


class SecurityHeaders:
    """Adds the security headers to every response, errors included."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: ASGIMessage) -> None:
            if message["type"] == "http.response.start":
                names = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in SECURITY_HEADERS if k not in names]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class TrailingSlash:
    """``/api/search/`` is ``/api/search``: answered with a redirect to the path alone.

    Starlette's own slash redirect writes an absolute URL from the Host header, which lets
    anyone point a link at this site that lands on another. A path-only Location cannot.
    """

    def __init__(self, app: ASGIApp, routes: list[BaseRoute]) -> None:
        self.app = app
        self.routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and path != "/" and path.endswith("/"):
            bare = "/" + path.strip("/")  # one leading slash: never '//host', which is another site
            if bare != "/" and any(r.matches({**scope, "path": bare})[0] is not Match.NONE for r in self.routes):
                query = scope.get("query_string", b"").decode("latin-1")
                response = RedirectResponse(bare + (f"?{query}" if query else ""), status_code=308)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


class ExportSlots:
    """How many exports may run at once: each holds a thread and a core for many seconds."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._free = size
        self._lock = threading.Lock()

    def try_acquire(self) -> bool:
        with self._lock:
            if self._free == 0:
                return False
            self._free -= 1
            return True

    def release(self) -> None:
        with self._lock:
            self._free = min(self.size, self._free + 1)

    @property
    def available(self) -> int:
        return self._free


class ExportStream(StreamingResponse):
    """A streamed export that gives back its slot when it ends: finished, failed or abandoned."""

    def __init__(self, chunks: Iterator[str | bytes], slots: ExportSlots, **kwargs: Any) -> None:
        super().__init__(chunks, **kwargs)
        self.chunks = chunks
        self.slots = slots

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self.slots.release()
            close = getattr(self.chunks, "close", None)
            if close is not None:
                # A page still being made in a worker thread refuses: the generator ends there.
                with contextlib.suppress(ValueError):
                    close()


def thousands(value: int) -> str:
    """1234567 -> 1.234.567, the Indonesian way."""
    return f"{value:,}".replace(",", ".")


def numbered_paragraphs(snippet: Snippet) -> list[tuple[int, Markup]]:
    """A marked article body as numbered HTML paragraphs: numbers count the body's paragraphs
    (separated by a blank line) from 0, as the quotes' ``paragraph`` does (``index.quotes``)."""
    html = snippet.html()
    return [(n, Markup(p.strip().replace("\n", "<br>\n"))) for n, p in enumerate(html.split("\n\n")) if p.strip()]


def paragraphs(snippet: Snippet) -> list[Markup]:
    """A marked article body as HTML paragraphs; the markup comes from escaped text only."""
    html = snippet.html()
    return [Markup(p.strip().replace("\n", "<br>\n")) for p in re.split(r"\n\s*\n", html) if p.strip()]


def make_env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html", "svg"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["thousands"] = thousands
    env.filters["snippet_html"] = lambda s: Markup(s.html())
    env.globals.update(
        SORT_LABELS=SORT_LABELS,
        FILTER_LABELS=FILTER_LABELS,
        MISSING_LABELS=MISSING_LABELS,
        FACETS_SHOWN=FACETS_SHOWN,
        EXPORT_CAP=EXPORT_CAP,
        MAX_QUERY_CHARS=MAX_QUERY_CHARS,
        INTERVALS=INTERVALS,
        INTERVAL_NAMES=INTERVAL_NAMES["id"],
        SPLITS=SPLITS,
        SPLIT_LABELS=SPLIT_LABELS,
        MEASURE_LABELS=MEASURE_LABELS,
        MAX_COMPARE=MAX_COMPARE,
    )
    env.filters["percent"] = percent
    return env


def day_of(iso: str | None) -> str:
    """'2023-08-31T12:34:00+07:00' -> '31 Agustus 2023'."""
    if not iso:
        return ""
    day = date.fromisoformat(iso[:10])
    return f"{day.day} {MONTH_NAMES_ID[day.month - 1]} {day.year}"


def export_filters(state: SearchState) -> dict[str, str | list[str]]:
    """The filters of an export's head: a value, or a list of them where a filter has several."""
    gathered: dict[str, list[str]] = {}
    for key, value in state.params():
        if key not in ("q", "page", "limit", "expand"):
            gathered.setdefault(key, []).append(value)
    return {key: values[0] if len(values) == 1 else values for key, values in gathered.items()}


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path in (
        "/openapi.json",
        "/ekspor.json",
        "/liputan.json",
        "/kutipan.json",
    )


def export_name(state: SearchState, suffix: str, kind: str = "berita") -> str:
    words = " ".join((state.q, *state.compare))
    slug = re.sub(r"[^a-z0-9]+", "-", words.lower()).strip("-")[:60] or "hasil"
    return f"{kind}-{slug}.{suffix}"


@dataclass(frozen=True)
class FacetList:
    """One facet of the sidebar: the values shown, how many there are, and the articles without one.

    When the facet filters (its values are OR'ed), ``shown`` lists its values over the search without
    that filter (``SearchResult.facet_options``): the chosen ones, and what each other value would add.
    """

    shown: list[tuple[str, int]]
    available: int
    missing: int
    either: bool = False  # the counts are of the search without this facet's own filter


def facet_list(result: SearchResult, name: str, expanded: bool) -> FacetList:
    either = name in result.facet_options
    items = result.facet_options[name] if either else result.facets.get(name, [])
    return FacetList(items if expanded else items[:FACETS_SHOWN], len(items), result.missing(name), either)


def chips_of(state: SearchState, path: str = "/") -> list[tuple[str, str]]:
    """The active filters as (label, link that removes it), one per value and exclusion."""
    chips = []
    for name in FILTERS:
        for value in state.values(name):
            chips.append((f"{FILTER_LABELS[name]}: {value}", state.toggle_url(name, value, path)))
        for value in state.excluded(name):
            chips.append(
                (f"Kecuali {FILTER_LABELS[name].lower()}: {value}", state.include_again_url(name, value, path))
            )
    if state.date_from:
        chips.append((f"Dari: {state.date_from}", state.url(path, date_from="")))
    if state.date_to:
        chips.append((f"Sampai: {state.date_to}", state.url(path, date_to="")))
    if not state.collapse:
        chips.append(("Semua salinan ditampilkan", state.url(path, collapse=True)))
    return chips


def series_link(state: SearchState, coverage: Coverage, path: str = "/") -> Callable[[Series, Period | None], str]:
    """The results a series holds in a period (the chart's whole span for None): its search, the value
    of the split (or, for "others", the shown values excluded) and the period's dates."""
    by = coverage.request.by

    def link(series: Series, period: Period | None) -> str:
        changes: dict[str, object] = {"q": series.query, "compare": (), "interval": "", "expand": ""}
        if series.kind == "value":
            changes[by] = (series.value,)
            changes["exclude"] = tuple(e for e in state.exclude if e != (by, series.value))
        elif series.kind == "others":
            changes["exclude"] = (*state.exclude, *((by, v) for v in series.others_of if (by, v) not in state.exclude))
        if period is not None:
            changes["date_from"], changes["date_to"] = period.date_from, period.date_to
        elif coverage.periods:
            # The whole chart's span: the dated articles the series counts (undated ones are in no period).
            changes["date_from"], changes["date_to"] = coverage.periods[0].date_from, coverage.periods[-1].date_to
        return state.url(path, **changes)

    return link


def quoted(value: str) -> str:
    """A value as the query language reads it: in quotes when it has a space."""
    value = " ".join(value.replace('"', " ").split())
    return f'"{value}"' if " " in value else value


def index_examples(engine: SearchEngine) -> list[str]:
    """Example queries drawn from the index, each checked to find something: a frequent title
    word of the newest articles, two of them joined by ATAU, the busiest reporter, the largest
    category and the latest month."""
    stats = engine.stats(top=100_000)  # every month, to find the latest
    latest_month = max((month for month, _ in stats["facets"].get("month", [])), default="")
    candidates: list[str] = []
    if latest_month:
        # The newest hundred dated articles: what the archive has been writing about lately.
        recent = engine.search(SearchRequest(date_from="1900", sort="newest", limit=100, facets=False, snippets=False))
        words: Counter[str] = Counter()
        for hit in recent.hits:
            words.update({w for w in analyze(hit.title, surface_analyzer()) if len(w) > 3 and w.isalpha()})
        # Words of everyday prose ("jadi", "bikin") say little; the topics of the day are rarer words.
        everyday = STOPWORDS | common_words()
        common = sorted((w for w in words if w not in everyday), key=lambda w: (-words[w], w))[:2]
        if common:
            candidates.append(f"judul:{common[0]}")
        if len(common) == 2:
            candidates.append(f"{common[0]} ATAU {common[1]}")
    for name, prefix in (("reporter", "reporter"), ("category", "kategori")):
        if stats["facets"].get(name):
            candidates.append(f"{prefix}:{quoted(stats['facets'][name][0][0])}")
    if latest_month:
        candidates.append(f"tanggal:{latest_month}")
    found = []
    for query in candidates:
        request = SearchRequest(q=query, limit=1, facets=False, snippets=False)
        if engine.search(request).total > 0:
            found.append(query)
    return found


def default_state_store(engine: SearchEngine) -> StateStore | None:
    """Where saved searches and collections live: $BERITA_SEARCH_STATE, else beside the index
    folder; None for an index that is not a folder here (a cluster) without that variable."""
    if os.environ.get(STATE_ENV):
        return StateStore(Path(os.environ[STATE_ENV]))
    location = Path(engine.location)
    return StateStore(state_path_for(location)) if location.is_dir() else None


def create_app(
    engine: SearchEngine, export_slots: int = EXPORT_SLOTS, state_store: StateStore | None = None
) -> Starlette:
    env = make_env()
    slots = ExportSlots(export_slots)
    examples: dict[str, tuple[Hashable, list[str]]] = {}
    coverages = CoverageService(engine, cache_size=min(engine.cache_size, 64))

    def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        html = env.get_template(name).render(request=request, **context)
        return HTMLResponse(html, status_code=status)

    def error_response(request: Request, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
        if wants_json(request):
            return JSONResponse({"message": message, "status": status}, status_code=status, headers=headers)
        titles = {
            400: "Permintaan tidak dapat diproses",
            404: "Tidak ditemukan",
            405: "Metode tidak diizinkan",
            503: "Sedang sibuk",
        }
        title = titles.get(status, "Terjadi kesalahan")
        response = render(request, "error.html", status=status, title=title, message=message, status_code=status)
        response.headers.update(headers or {})
        return response

    def guarded(endpoint: Callable[[Request], Response]) -> Callable[[Request], Response]:
        """Usage errors become a 400 with a message; anything else a 500 without details."""

        @wraps(endpoint)
        def run(request: Request) -> Response:
            try:
                return endpoint(request)
            except RequestError as exc:
                return error_response(request, 400, exc.text("id"))
            except HTTPException:
                raise
            except Exception:
                log.exception("error serving %s", request.url.path)
                return error_response(request, 500, "Terjadi kesalahan di server. Coba lagi sebentar lagi.")

        return run

    def examples_now() -> list[str]:
        generation = engine.backend.generation()
        cached = examples.get("home")
        if cached is None or cached[0] != generation:
            cached = examples["home"] = (generation, index_examples(engine))
        return cached[1]

    # ------------------------------------------------------------ pages

    @guarded
    def search_page(request: Request) -> Response:
        try:
            state = state_from(request.query_params, WEB_LIMIT)
        except RequestError as exc:
            # The search page again, the form as it was typed, and what is wrong with it.
            state = form_state(request.query_params, WEB_LIMIT)
            return render(request, "search.html", status=400, state=state, sort=state.sort, error=exc.text("id"))
        if not state.active:
            stats = engine.stats(top=8)
            return render(
                request,
                "home.html",
                state=state,
                sort=state.sort,
                stats=stats,
                first_day=day_of(stats["first_published"]),
                last_day=day_of(stats["last_published"]),
                examples=examples_now(),
            )
        result = engine.search(state.request())
        facets = {
            name: facet_list(result, name, expanded=state.expand == name)
            for name in FACETS_LISTED
            if name != "desk" or engine.facet_in_index("desk")
        }
        chips = chips_of(state)
        appears = engine.appears_with(result)
        coverage = chart = link = None
        if result.total:
            # The search's coverage over time: the first search only (comparing is the coverage page's).
            coverage = coverages.coverage(replace(state, compare=()).coverage_request())
            link = series_link(state, coverage)
            chart = build_chart(coverage, state.share, link)
        window = range(max(1, state.page - 3), min(result.last_page, state.page + 3) + 1)
        past_end = None
        if result.past_end:
            past_end = Message.of("page_past_end", page=state.page, last_page=result.last_page).text("id")
        return render(
            request,
            "search.html",
            status=404 if past_end else 200,
            state=state,
            sort=result.request.sort,
            result=result,
            facets=facets,
            chips=chips,
            coverage=coverage,
            chart=chart,
            link=link,
            window=window,
            past_end=past_end,
            appears=appears,
        )

    @guarded
    def coverage_page(request: Request) -> Response:
        try:
            state = state_from(request.query_params, WEB_LIMIT)
        except RequestError as exc:
            state = form_state(request.query_params, WEB_LIMIT)
            return render(request, "coverage.html", status=400, state=state, sort=state.sort, error=exc.text("id"))
        coverage = chart = None
        if state.active:
            coverage = coverages.coverage(state.coverage_request())
            chart = build_chart(coverage, state.share, series_link(state, coverage))
        return render(
            request,
            "coverage.html",
            state=state,
            sort=state.sort,
            coverage=coverage,
            chart=chart,
            chips=chips_of(state, "/liputan"),
            link=series_link(state, coverage) if coverage else None,
            boxes=[*(state.q, *state.compare), *([""] * MAX_COMPARE)][:MAX_COMPARE],
        )

    def coverage_of(request: Request) -> Coverage:
        return coverages.coverage(coverage_request_from_params(request.query_params))

    @guarded
    def coverage_csv(request: Request) -> Response:
        coverage = coverage_of(request)
        state = state_from(request.query_params, WEB_LIMIT)
        return download(rows_csv(COVERAGE_CSV_KEYS, coverage.rows()), export_name(state, "csv", "liputan"))

    @guarded
    def coverage_json(request: Request) -> Response:
        coverage = coverage_of(request)
        state = state_from(request.query_params, WEB_LIMIT)
        return JSONResponse(
            coverage.document("id"),
            headers=attachment(export_name(state, "json", "liputan")),
        )

    @guarded
    def api_coverage(request: Request) -> Response:
        coverage = coverage_of(request)
        return JSONResponse(coverage.document("id"), headers={"x-index-generation": str(coverage.generation)})

    def find_article(request: Request) -> Any:
        article_id = request.path_params["article_id"]
        return engine.article(article_id) if ARTICLE_ID.match(article_id) else None

    @guarded
    def article_page(request: Request) -> Response:
        article = find_article(request)
        if article is None:
            return error_response(request, 404, "Artikel ini tidak ada di indeks.")
        try:
            # The search the reader came from, to mark its words and to go back to it.
            state = state_from(request.query_params, WEB_LIMIT)
        except RequestError:
            state = SearchState()
        parsed = engine.parse(state.q) if state.q.strip() else None
        body_marked = mark_text(article.body, parsed) if parsed else Snippet([(article.body, False)])
        title_marked = mark_text(article.title, parsed) if parsed else Snippet([(article.title, False)])
        return render(
            request,
            "article.html",
            article=article,
            title_marked=title_marked,
            body=numbered_paragraphs(body_marked),
            related=engine.related(article.id, limit=RELATED),
            back=state.here() if state.active else "/",
            searched=state.active,
            state=state,
            fresh=SearchState(),
        )

    # ------------------------------------------------------------ quotes (search.quotes)

    def quotes_of_state(state: SearchState, empty_allowed: bool = False) -> QuoteResult:
        """The quotes of a search; with ``empty_allowed`` (the API, the exports) a search without a
        query or a filter has none, with the message saying what to give, instead of a 400."""
        try:
            return engine.quotes(state.request(facets=False, snippets=False))[1]
        except RequestError as exc:
            if not empty_allowed or exc.message.code != "quotes_need_query":
                raise
            return QuoteResult([], 0, messages=[exc.message])

    @guarded
    def quotes_page(request: Request) -> Response:
        try:
            state = state_from(request.query_params, QUOTES_PER_PAGE)
        except RequestError as exc:
            state = form_state(request.query_params, WEB_LIMIT)
            return render(request, "kutipan.html", status=400, state=state, error=exc.text("id"))
        if not state.active:
            return render(request, "kutipan.html", state=state)
        try:
            result = quotes_of_state(state)
        except RequestError as exc:
            return render(request, "kutipan.html", status=400, state=state, error=exc.text("id"))
        number = state.page
        pages = max(1, -(-result.total // QUOTES_PER_PAGE))
        return render(
            request,
            "kutipan.html",
            status=404 if number > pages else 200,
            state=state,
            result=result,
            quotes=result.page(number, QUOTES_PER_PAGE),
            number=number,
            pages=pages,
            first=(number - 1) * QUOTES_PER_PAGE + 1,
            chips=chips_of(state, "/kutipan"),
        )

    @guarded
    def quotes_csv(request: Request) -> Response:
        state = state_from(request.query_params, WEB_LIMIT)
        result = quotes_of_state(state)
        return download(rows_csv(QUOTE_CSV_KEYS, result.rows()), export_name(state, "csv", "kutipan"))

    @guarded
    def quotes_json(request: Request) -> Response:
        state = state_from(request.query_params, WEB_LIMIT)
        result = quotes_of_state(state)
        document = {"query": state.q, "filters": export_filters(state), **result.document()}
        document["messages"] = [m.text("id") for m in result.messages]
        return JSONResponse(
            document,
            headers=attachment(export_name(state, "json", "kutipan")),
        )

    @guarded
    def api_quotes(request: Request) -> Response:
        state = state_from(request.query_params, QUOTES_PER_PAGE)
        limit, number = state.limit, state.page
        result = quotes_of_state(state, empty_allowed=True)
        return JSONResponse(
            {
                "query": state.q,
                "total": result.total,
                "articles": result.articles,
                "cut": result.cut,
                "page": number,
                "pages": max(1, -(-result.total // limit)),
                "limit": limit,
                "quotes": [hit.record() for hit in result.page(number, limit)],
                "messages": [m.text("id") for m in result.messages],
            }
        )

    # ------------------------------------------------------------ exports

    def export_rows(state: SearchState) -> tuple[SearchResult, int, Iterator[list[dict[str, Any]]]]:
        export = engine.export_pages(state.request(facets=False))
        ranked = export.result.ranked
        return export.result, export.count, ([hit_row(h, ranked) for h in page] for page in export.pages)

    def exporting(suffix: str, media_type: str, body: Callable[[SearchState], Iterator[str | bytes]]) -> Callable:
        @guarded
        def endpoint(request: Request) -> Response:
            state = state_from(request.query_params, WEB_LIMIT)
            if not slots.try_acquire():
                busy = Message.of("exports_busy", slots=slots.size, seconds=EXPORT_RETRY_SECONDS)
                return error_response(request, 503, busy.text("id"), {"Retry-After": str(EXPORT_RETRY_SECONDS)})
            try:
                chunks = body(state)
                return ExportStream(
                    chunks,
                    slots,
                    media_type=media_type,
                    headers=attachment(export_name(state, suffix)),
                )
            except BaseException:
                slots.release()
                raise

        return endpoint

    def csv_body(state: SearchState) -> Iterator[str]:
        _, _, pages = export_rows(state)
        return csv_chunks(pages)

    def json_body(state: SearchState) -> Iterator[str]:
        result, count, pages = export_rows(state)
        head = {
            "query": state.q,
            "filters": export_filters(state),
            "sort": result.request.sort,
            "cap": EXPORT_CAP,
            "total": result.total,
            "articles": result.articles,
            "stories": result.stories,
            "count": count,
            "truncated": count < result.total,
        }
        return json_document_chunks(head, pages)

    def xlsx_body(state: SearchState) -> Iterator[bytes]:
        _, _, pages = export_rows(state)

        def chunks() -> Iterator[bytes]:
            # A workbook is a zip, whole only when saved: rows go to disk as they come, then out.
            with tempfile.TemporaryFile() as spool:
                write_xlsx(pages, spool)
                spool.seek(0)
                while chunk := spool.read(XLSX_CHUNK):
                    yield chunk

        return chunks()

    # ------------------------------------------------------------ API

    @guarded
    def api_search(request: Request) -> Response:
        state = state_from(request.query_params, API_LIMIT)
        result = engine.search(state.request())
        if result.past_end:
            said = Message.of("page_past_end", page=state.page, last_page=result.last_page)
            return error_response(request, 404, said.text("id"))
        return JSONResponse(
            {
                "query": state.q,
                "total": result.total,
                "articles": result.articles,
                "stories": result.stories,
                "page": state.page,
                "pages": result.last_page,
                "limit": state.limit,
                "sort": result.request.sort,
                "hits": [hit_row(h, result.ranked) for h in result.hits],
                "facets": {
                    name: dict(result.facets.get(name, [])[: API_ENTITY_VALUES if name in ENTITY_FIELDS else None])
                    for name in API_FACETS
                },
                "appears_with": {name: dict(items) for name, items in engine.appears_with(result).items()},
                "missing": {name: result.missing(name) for name in API_FACETS},
                "options": {name: dict(items) for name, items in result.facet_options.items()},
                "suggestion": result.suggestion,
                "as_reporter": (
                    {"name": result.as_reporter[0], "articles": result.as_reporter[1]} if result.as_reporter else None
                ),
                "messages": [m.text("id") for m in result.messages],
            },
            # Which commit of the index answered: a reader can tell two answers apart.
            headers={"x-index-generation": str(result.generation)},
        )

    @guarded
    def api_article(request: Request) -> Response:
        article = find_article(request)
        if article is None:
            return error_response(request, 404, "Artikel ini tidak ada di indeks.")
        data = article_row(article)
        data["related"] = [
            {"id": h.id, "title": h.title, "published": h.published} for h in engine.related(article.id, limit=RELATED)
        ]
        return JSONResponse(data)

    def openapi(request: Request) -> Response:
        return JSONResponse(openapi_spec())

    # ------------------------------------------------------------ errors

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        messages = {
            404: "Halaman ini tidak ada.",
            405: "Metode ini tidak diizinkan di alamat ini.",
        }
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers.setdefault("Allow", "GET, HEAD")
        message = messages.get(exc.status_code, "Permintaan ditolak.")
        return error_response(request, exc.status_code, message, headers)

    routes: list[BaseRoute] = [
        Route("/", search_page, name="search"),
        Route("/artikel/{article_id}", article_page, name="article"),
        Route("/ekspor.csv", exporting("csv", "text/csv; charset=utf-8", csv_body), name="export_csv"),
        Route("/ekspor.json", exporting("json", "application/json", json_body), name="export_json"),
        Route("/ekspor.xlsx", exporting("xlsx", XLSX_MEDIA_TYPE, xlsx_body), name="export_xlsx"),
        Route("/kutipan", quotes_page, name="quotes"),
        Route("/kutipan.csv", quotes_csv, name="quotes_csv"),
        Route("/kutipan.json", quotes_json, name="quotes_json"),
        Route("/api/quotes", api_quotes, name="api_quotes"),
        Route("/liputan", coverage_page, name="coverage"),
        Route("/liputan.csv", coverage_csv, name="coverage_csv"),
        Route("/liputan.json", coverage_json, name="coverage_json"),
        Route("/api/search", api_search, name="api_search"),
        Route("/api/coverage", api_coverage, name="api_coverage"),
        Route("/api/articles/{article_id}", api_article, name="api_article"),
        Route("/openapi.json", openapi, name="openapi"),
        Mount("/static", app=StaticFiles(directory=HERE / "static"), name="static"),
    ]
    # The research workflow: saved searches, feeds, collections, batch search, full exports.
    store = state_store if state_store is not None else default_state_store(engine)
    workflow = Workflow(engine, store) if store is not None else None
    tools = WebTools(engine, workflow, env, render, error_response, guarded, slots, ExportStream)
    routes[-1:-1] = install_workflow(tools)
    app = Starlette(routes=routes, exception_handlers={HTTPException: http_error})
    app.router.redirect_slashes = False  # it builds absolute URLs from the Host header
    app.add_middleware(TrailingSlash, routes=routes)
    app.add_middleware(FormGuard, reject=error_response)
    app.add_middleware(SecurityHeaders)
    app.state.engine = engine
    app.state.export_slots = slots
    return app


def app_from_environment() -> Starlette:
    """The app for one of several server processes: the backend (index folder or cluster) and
    cache size come from the environment (see ``berita-search serve``)."""
    from berita_search.search.backends import backend_from_environment

    cache_size = int(os.environ.get(CACHE_ENV) or RESULT_CACHE_SIZE)
    return create_app(SearchEngine(backend_from_environment(), cache_size=cache_size))
