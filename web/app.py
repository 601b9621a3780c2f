"""The web search box and JSON API: a thin front-end over ``search.engine``.

Every page is a GET that reads the index; nothing here writes. Pages are rendered on the
server and work without JavaScript; every state lives in the URL.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import re
from collections.abc import Callable
from datetime import date
from functools import wraps
from pathlib import Path
from typing import Any

from berita_search.index.dates import MONTH_NAMES_ID
from berita_search.search.engine import (
    CACHE_ENV,
    EXPORT_CAP,
    JSON_KEYS,
    MAX_LIMIT,
    MAX_PAGE,
    MAX_RESULTS_DEPTH,
    RESULT_CACHE_SIZE,
    Hit,
    RequestError,
    SearchEngine,
)
from berita_search.search.querylang import MAX_QUERY_CHARS
from berita_search.search.snippets import Snippet, mark_text
from berita_search.web.openapi import ARTICLE_KEYS, openapi_spec
from berita_search.web.params import API_LIMIT, FILTERS, WEB_LIMIT, SearchState, state_from
from berita_search.web.timeline import build_timeline
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HERE = Path(__file__).resolve().parent
log = logging.getLogger("berita_search.web")

# Ids are blake2b digests in hex; anything else cannot name an article.
ARTICLE_ID = re.compile(r"^[0-9a-f]{16}$")
FACET_NAMES = ("category", "reporter", "source")
API_FACETS = (*FACET_NAMES, "month")
FACETS_SHOWN = 12
EXAMPLES = ('"Kim Jong Un"', "putin ATAU kim", "judul:pemilu", "banjir tanggal:2019-04")
RELATED = 5
SORT_LABELS = {"relevance": "Relevansi", "newest": "Terbaru", "oldest": "Terlama"}
FILTER_LABELS = {"category": "Kategori", "reporter": "Reporter", "source": "Sumber"}

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

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in SECURITY_HEADERS if k not in names]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def thousands(value: int) -> str:
    """1234567 -> 1.234.567, the Indonesian way."""
    return f"{value:,}".replace(",", ".")


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
        EXPORT_CAP=EXPORT_CAP,
        MAX_QUERY_CHARS=MAX_QUERY_CHARS,
    )
    return env


def day_of(iso: str | None) -> str:
    """'2023-08-31T12:34:00+07:00' -> '31 Agustus 2023'."""
    if not iso:
        return ""
    day = date.fromisoformat(iso[:10])
    return f"{day.day} {MONTH_NAMES_ID[day.month - 1]} {day.year}"


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path in ("/openapi.json", "/ekspor.json")


def hit_json(hit: Hit) -> dict[str, Any]:
    return hit.to_json()


def safe_cell(value: Any) -> Any:
    """A CSV cell a spreadsheet will not run as a formula (article text is untrusted)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def export_name(state: SearchState, suffix: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", state.q.lower()).strip("-")[:60] or "hasil"
    return f"berita-{slug}.{suffix}"


def create_app(engine: SearchEngine) -> Starlette:
    env = make_env()

    def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        html = env.get_template(name).render(request=request, **context)
        return HTMLResponse(html, status_code=status)

    def error_response(request: Request, status: int, message: str) -> Response:
        if wants_json(request):
            return JSONResponse({"message": message, "status": status}, status_code=status)
        titles = {400: "Permintaan tidak dapat diproses", 404: "Tidak ditemukan", 405: "Metode tidak diizinkan"}
        title = titles.get(status, "Terjadi kesalahan")
        return render(request, "error.html", status=status, title=title, message=message, status_code=status)

    def guarded(endpoint: Callable[[Request], Response]) -> Callable[[Request], Response]:
        """Usage errors become a 400 with a message; anything else a 500 without details."""

        @wraps(endpoint)
        def run(request: Request) -> Response:
            try:
                return endpoint(request)
            except RequestError as exc:
                return error_response(request, 400, str(exc))
            except HTTPException:
                raise
            except Exception:
                log.exception("error serving %s", request.url.path)
                return error_response(request, 500, "Terjadi kesalahan di server. Coba lagi sebentar lagi.")

        return run

    # ------------------------------------------------------------ pages

    @guarded
    def search_page(request: Request) -> Response:
        state = state_from(request.query_params, WEB_LIMIT)
        if not state.active:
            stats = engine.stats(top=8)
            return render(
                request,
                "home.html",
                state=state,
                stats=stats,
                first_day=day_of(stats["first_published"]),
                last_day=day_of(stats["last_published"]),
                examples=EXAMPLES,
            )
        result = engine.search(state.request())
        facets = {name: result.facets.get(name, [])[:FACETS_SHOWN] for name in FACET_NAMES}
        chips = [
            (f"{FILTER_LABELS[name]}: {getattr(state, name)}", state.url(**{name: ""}))
            for name in FILTERS
            if getattr(state, name)
        ]
        if state.date_from:
            chips.append((f"Dari: {state.date_from}", state.url(date_from="")))
        if state.date_to:
            chips.append((f"Sampai: {state.date_to}", state.url(date_to="")))
        if not state.collapse:
            chips.append(("Semua salinan ditampilkan", state.url(collapse=True)))
        last_page = min(result.pages, MAX_PAGE, MAX_RESULTS_DEPTH // state.limit)
        window = range(max(1, state.page - 3), min(last_page, state.page + 3) + 1)
        first = (state.page - 1) * state.limit + 1
        return render(
            request,
            "search.html",
            state=state,
            result=result,
            facets=facets,
            chips=chips,
            timeline=build_timeline(result.facets.get("month", [])),
            last_page=last_page,
            window=window,
            first=first,
            last=first + len(result.hits) - 1,
        )

    def find_article(request: Request) -> dict[str, Any] | None:
        article_id = request.path_params["article_id"]
        return engine.article(article_id) if ARTICLE_ID.match(article_id) else None

    @guarded
    def article_page(request: Request) -> Response:
        article = find_article(request)
        if article is None:
            return error_response(request, 404, "Artikel ini tidak ada di indeks.")
        q = request.query_params.get("q", "")[:MAX_QUERY_CHARS]
        parsed = engine.parse(q) if q.strip() else None
        body = article.get("body", "")
        body_marked = mark_text(body, parsed) if parsed else Snippet([(body, False)])
        title = article.get("title", "")
        title_marked = mark_text(title, parsed) if parsed else Snippet([(title, False)])
        back = SearchState(q=q).url() if q.strip() else "/"
        return render(
            request,
            "article.html",
            article=article,
            title_marked=title_marked,
            body=paragraphs(body_marked),
            tags=[t for t in str(article.get("tags") or "").split(",") if t.strip()],
            related=engine.related(article["id"], limit=RELATED),
            q=q,
            back=back,
            state=SearchState(q=q),
        )

    @guarded
    def export_csv(request: Request) -> Response:
        state = state_from(request.query_params, WEB_LIMIT)
        result = engine.export(state.request(facets=False))
        buffer = io.StringIO()
        # The BOM lets spreadsheet programs read the file as UTF-8.
        buffer.write("\ufeff")
        writer = csv.DictWriter(buffer, fieldnames=list(JSON_KEYS))
        writer.writeheader()
        for hit in result.hits:
            writer.writerow({k: safe_cell(v) for k, v in hit_json(hit).items()})
        return Response(
            buffer.getvalue(),
            media_type="text/csv; charset=utf-8",
            headers={"content-disposition": f'attachment; filename="{export_name(state, "csv")}"'},
        )

    @guarded
    def export_json(request: Request) -> Response:
        state = state_from(request.query_params, WEB_LIMIT)
        result = engine.export(state.request(facets=False))
        body = {
            "query": state.q,
            "filters": {k: v for k, v in state.params() if k not in ("q", "page", "limit")},
            "cap": EXPORT_CAP,
            "count": len(result.hits),
            "truncated": len(result.hits) >= EXPORT_CAP,
            "hits": [hit_json(h) for h in result.hits],
        }
        return Response(
            json.dumps(body, ensure_ascii=False, indent=1),
            media_type="application/json",
            headers={"content-disposition": f'attachment; filename="{export_name(state, "json")}"'},
        )

    # ------------------------------------------------------------ API

    @guarded
    def api_search(request: Request) -> Response:
        state = state_from(request.query_params, API_LIMIT)
        result = engine.search(state.request())
        return JSONResponse(
            {
                "query": state.q,
                "total": result.total,
                "page": state.page,
                "pages": result.pages,
                "limit": state.limit,
                "sort": result.request.sort,
                "hits": [hit_json(h) for h in result.hits],
                "facets": {name: dict(result.facets.get(name, [])) for name in API_FACETS},
                "suggestion": result.suggestion,
                "messages": [m.text("id") for m in result.messages],
            }
        )

    @guarded
    def api_article(request: Request) -> Response:
        article = find_article(request)
        if article is None:
            return error_response(request, 404, "Artikel ini tidak ada di indeks.")
        data = {key: article.get(key) or "" for key in ARTICLE_KEYS}
        data["tags"] = [t for t in str(article.get("tags") or "").split(",") if t.strip()]
        data["published"] = article.get("published")
        data["related"] = [
            {"id": h.id, "title": h.title, "published": h.published}
            for h in engine.related(article["id"], limit=RELATED)
        ]
        return JSONResponse(data)

    def openapi(request: Request) -> Response:
        return JSONResponse(openapi_spec(MAX_LIMIT, MAX_PAGE, MAX_QUERY_CHARS, API_LIMIT))

    # ------------------------------------------------------------ errors

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        messages = {
            404: "Halaman ini tidak ada.",
            405: "Hanya GET yang diizinkan: layanan ini hanya membaca.",
        }
        return error_response(request, exc.status_code, messages.get(exc.status_code, "Permintaan ditolak."))

    routes = [
        Route("/", search_page, name="search"),
        Route("/artikel/{article_id}", article_page, name="article"),
        Route("/ekspor.csv", export_csv, name="export_csv"),
        Route("/ekspor.json", export_json, name="export_json"),
        Route("/api/search", api_search, name="api_search"),
        Route("/api/articles/{article_id}", api_article, name="api_article"),
        Route("/openapi.json", openapi, name="openapi"),
        Mount("/static", app=StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(routes=routes, exception_handlers={HTTPException: http_error})
    app.add_middleware(SecurityHeaders)
    app.state.engine = engine
    return app


def app_from_environment() -> Starlette:
    """The app for one of several server processes: the backend (index folder or cluster) and
    cache size come from the environment (see ``berita-search serve``)."""
    from berita_search.search.backends import backend_from_environment

    cache_size = int(os.environ.get(CACHE_ENV) or RESULT_CACHE_SIZE)
    return create_app(SearchEngine(backend_from_environment(), cache_size=cache_size))
