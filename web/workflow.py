"""The research workflow on the web: saved searches and what is new to them (/pantau), their
Atom feeds, collections (/koleksi), batch search (/massal), full exports (/ekspor-lengkap.*),
paging every hit with a cursor (/api/hits) and citation downloads.

Changes are POST forms, never links. Every form carries the per-browser token of a
``SameSite=Strict`` cookie in a hidden field (double submit): a page on another site can
neither read the token nor make the browser send the cookie. Bodies are bounded before they
are read, and every name, note, tag and list is bounded by ``search.workflow``. There are no
accounts: the server binds to loopback, and a newsroom puts its own sign-in in front (README).
"""

from __future__ import annotations

import hmac
import re
import secrets
import tempfile
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlencode

from berita_search.index.dates import MONTH_NAMES_ID
from berita_search.index.fields import BY_NAME, FILTER_FIELDS
from berita_search.search import citation
from berita_search.search.batch import BATCH_KEYS, WEB_MAX_BYTES, WEB_MAX_LINES, batch_search, read_names
from berita_search.search.cursor import cursor_page
from berita_search.search.engine import ArticleRecord, SearchEngine
from berita_search.search.feed import ATOM_MEDIA_TYPE, saved_search_feed
from berita_search.search.fullexport import full_csv_chunks, full_rows, write_full_xlsx
from berita_search.search.messages import Message
from berita_search.search.output import XLSX_MEDIA_TYPE, csv_chunks, hit_row, write_xlsx
from berita_search.search.requests import EXCLUDE_PREFIX, MAX_LIMIT, RequestError
from berita_search.search.state import StateError
from berita_search.search.workflow import (
    COLLECTION_KEYS,
    NAME_MAX,
    NOTE_MAX,
    SEARCH_PARAMS,
    TAG_MAX,
    TAGS_MAX,
    NotFoundError,
    SavedSearch,
    Workflow,
    added_time,
    collection_rows,
)
from berita_search.web.downloads import attachment, download
from berita_search.web.params import WEB_LIMIT, state_from
from jinja2 import Environment
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers, UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.types import Message as ASGIMessage

CSRF_COOKIE = "bs_csrf"
CSRF_FIELD = "csrf"
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")  # secrets.token_urlsafe(32)
FORM_MAX_BYTES = 64 * 1024
# A saved search's form: its query, dates, sort and up to 20 values and 20 exclusions of each filter.
FORM_MAX_FIELDS = 200
UPLOAD_MAX_BYTES = WEB_MAX_BYTES + 64 * 1024  # the file and the rest of the form
UPLOAD_PATHS = ("/massal",)
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
NEW_PER_PAGE = 20
MAX_STAMP = 2**63 - 1
DELIMITER_PARAM = "pemisah"  # ?pemisah=titikkoma: CSV for spreadsheets in an Indonesian locale
DELIMITERS = {"koma": ",", "titikkoma": ";"}

Reject = Callable[[Request, int, str], Response]


# ---------------------------------------------------------------- forms: token and size


class FormGuard:
    """Gives each browser its form token (a ``SameSite=Strict``, ``HttpOnly`` cookie, made on
    the first visit) and bounds what a POST may send: a body over the limit is refused before
    it is parsed, and a request the browser marks as cross-site is refused outright. The token
    itself is compared with the form's by ``read_form``."""

    def __init__(self, app: ASGIApp, reject: Reject) -> None:
        self.app = app
        self.reject = reject

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        cookie = SimpleCookie()
        try:
            cookie.load(headers.get("cookie", ""))
        except Exception:  # a malformed Cookie header: a new token
            cookie = SimpleCookie()
        existing = cookie[CSRF_COOKIE].value if CSRF_COOKIE in cookie else ""
        token = existing if _TOKEN.match(existing) else secrets.token_urlsafe(32)
        scope.setdefault("state", {})["csrf"] = token
        scope["state"]["csrf_cookie"] = existing if _TOKEN.match(existing) else ""
        if scope["method"] not in SAFE_METHODS:
            if headers.get("sec-fetch-site", "") == "cross-site":
                await self._refuse(scope, receive, send, 403, Message.of("form_expired").text("id"))
                return
            limit = UPLOAD_MAX_BYTES if scope["path"] in UPLOAD_PATHS else FORM_MAX_BYTES
            said = Message.of("form_too_large", limit=limit // 1024).text("id")
            length = headers.get("content-length", "")
            if length and (not length.isdigit() or int(length) > limit):
                await self._refuse(scope, receive, send, 413, said)
                return
            body = bytearray()
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return
                body += message.get("body", b"")
                if len(body) > limit:
                    await self._refuse(scope, receive, send, 413, said)
                    return
                if not message.get("more_body", False):
                    break
            receive = _replay(bytes(body), receive)

        async def send_with_cookie(message: ASGIMessage) -> None:
            if message["type"] == "http.response.start" and token != existing:
                secure = "; Secure" if scope.get("scheme") == "https" else ""
                value = f"{CSRF_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict{secure}"
                message["headers"] = [*message.get("headers", []), (b"set-cookie", value.encode("latin-1"))]
            await send(message)

        await self.app(scope, receive, send_with_cookie)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, status: int, text: str) -> None:
        response = self.reject(Request(scope), status, text)
        response.headers["connection"] = "close"
        await response(scope, receive, send)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> ASGIMessage:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def read_form(request: Request) -> dict[str, Any]:
    """The form's fields (a field given twice: the first), after checking its token against the
    cookie's. Raises ``RequestError`` for a missing or wrong token."""
    form = await request.form(max_files=1, max_fields=FORM_MAX_FIELDS, max_part_size=UPLOAD_MAX_BYTES)
    fields: dict[str, Any] = {}
    for key, value in form.multi_items():
        fields.setdefault(key, value)
    # Every text field in order, repeats kept: a saved search's filters may repeat.
    request.state.form_pairs = [(key, value) for key, value in form.multi_items() if isinstance(value, str)]
    sent = fields.get(CSRF_FIELD, "")
    cookie = request.state.csrf_cookie
    if not isinstance(sent, str) or not cookie or not hmac.compare_digest(sent.encode(), cookie.encode()):
        raise RequestError(Message.of("form_expired"))
    return fields


def text_field(fields: dict[str, Any], name: str, limit: int = 10_000) -> str:
    value = fields.get(name, "")
    return value[:limit] if isinstance(value, str) else ""


# ---------------------------------------------------------------- helpers for templates


def day_id(iso: str | None) -> str:
    if not iso:
        return ""
    day = date.fromisoformat(iso[:10])
    return f"{day.day} {MONTH_NAMES_ID[day.month - 1]} {day.year}"


def utc_display(iso: str | None) -> str:
    """'2024-12-05T03:04:05Z' as '5 Desember 2024 10.04 WIB'."""
    if not iso:
        return "belum pernah"
    from datetime import datetime

    from berita_search.index.dates import WIB

    moment = datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(WIB)
    return f"{moment.day} {MONTH_NAMES_ID[moment.month - 1]} {moment.year} {moment:%H.%M} WIB"


def describe(saved: SavedSearch) -> str:
    """A saved search in words: the query, the dates, each filter's values and exclusions."""
    parts = [f"“{saved.query}”"] if saved.query else []
    for key, label in (("from", "dari"), ("to", "sampai")):
        parts += [f"{label} {value}" for value in saved.params.get(key, [])]
    for name in FILTER_FIELDS:
        label = BY_NAME[name].label.lower()
        if values := saved.params.get(name):
            parts.append(f"{label} {' atau '.join(values)}")
        if excluded := saved.params.get(EXCLUDE_PREFIX + name):
            parts.append(f"bukan {label} {' atau '.join(excluded)}")
    return ", ".join(parts)


@dataclass
class ArticlePanel:
    """What the article page shows beside the article: its collections and its citations."""

    article: ArticleRecord
    holding: list[Any] = field(default_factory=list)  # (CollectionInfo, CollectedArticle)
    names: list[str] = field(default_factory=list)  # every collection, for the form's list
    problem: str = ""  # why collections cannot be shown
    plain: str = ""
    bibtex: str = ""
    csl: str = ""


# ---------------------------------------------------------------- the routes


@dataclass
class WebTools:
    """What the workflow's pages borrow from the app: rendering, errors and export slots."""

    engine: SearchEngine
    workflow: Workflow | None  # None when there is nowhere to keep state (a remote index, no --state)
    env: Environment
    render: Callable[..., Response]
    error_response: Callable[..., Response]
    guarded: Callable[[Callable[[Request], Response]], Callable[[Request], Response]]
    slots: Any
    export_stream: Any


def install(tools: WebTools) -> list[BaseRoute]:
    """The workflow's routes, and its template helpers in ``tools.env``."""
    engine, env, render, error_response, guarded = (
        tools.engine,
        tools.env,
        tools.render,
        tools.error_response,
        tools.guarded,
    )
    env.globals.update(
        NAME_MAX=NAME_MAX,
        NOTE_MAX=NOTE_MAX,
        TAG_MAX=TAG_MAX,
        TAGS_MAX=TAGS_MAX,
        WEB_MAX_LINES=WEB_MAX_LINES,
        WEB_MAX_KB=WEB_MAX_BYTES // 1024,
        CSRF_FIELD=CSRF_FIELD,
        SEARCH_PARAMS=SEARCH_PARAMS,
        workflow_panel=lambda article: article_panel(article),
    )
    env.filters["day_id"] = day_id
    env.filters["utc_display"] = utc_display
    env.filters["added_display"] = lambda stamp: utc_display(
        time.isoformat().replace("+00:00", "Z") if (time := added_time(stamp)) is not None else None
    )

    def unavailable(reason: str) -> str:
        return Message.of("state_unavailable", reason=reason).text("id")

    def need_workflow() -> Workflow:
        if tools.workflow is None:
            raise StateError("server ini tidak punya berkas keadaan; jalankan serve dengan --state BERKAS")
        return tools.workflow

    def article_panel(article: ArticleRecord) -> ArticlePanel:
        panel = ArticlePanel(
            article,
            plain=citation.plain(article),
            bibtex=citation.bibtex(article),
            csl=citation.csl_json(article),
        )
        try:
            workflow = need_workflow()
            panel.holding = workflow.collections_holding(article.id)
            panel.names = [c.name for c in workflow.collections()]
        except StateError as exc:
            panel.problem = unavailable(str(exc))
        return panel

    def page(endpoint: Callable[[Request], Response]) -> Callable[[Request], Response]:
        """A GET page: the app's guard, and a state file that cannot be used as a 503 with why."""

        def run(request: Request) -> Response:
            try:
                return endpoint(request)
            except NotFoundError as exc:
                return error_response(request, 404, exc.text("id"))
            except StateError as exc:
                return error_response(request, 503, unavailable(str(exc)))

        run.__name__ = endpoint.__name__
        return guarded(run)

    def action(endpoint: Callable[[Request, dict[str, Any]], Response]) -> Callable[[Request], Awaitable[Response]]:
        """A POST: the form read and its token checked, then the change made in a worker thread."""
        checked = page(lambda request: endpoint(request, request.state.form))

        async def run(request: Request) -> Response:
            try:
                request.state.form = await read_form(request)
            except RequestError as exc:
                return error_response(request, 403, exc.text("id"))
            except Exception:  # an unparseable body: a bad request, not a server error
                return error_response(request, 400, "Formulir tidak dapat dibaca.")
            return await run_in_threadpool(checked, request)

        return run

    def see_other(path: str) -> Response:
        return RedirectResponse(path, status_code=303)

    def whole_number(text: str, high: int = MAX_STAMP) -> int:
        if not re.fullmatch(r"[0-9]{1,19}", text or "") or int(text) > high:
            raise NotFoundError(Message.of("saved_unknown", ref=text[:20]))
        return int(text)

    # ------------------------------------------------------------ saved searches

    @page
    def saved_list(request: Request) -> Response:
        workflow = need_workflow()
        rows = [(saved, workflow.whats_new(saved, limit=1).count) for saved in workflow.saved_searches()]
        return render(request, "pantau.html", rows=rows, describe=describe)

    @action
    def save_search(request: Request, fields: dict[str, Any]) -> Response:
        pairs = [(name, value[:1_000]) for name, value in request.state.form_pairs if name in SEARCH_PARAMS]
        query = next((value for name, value in pairs if name == "q"), "")
        saved = need_workflow().save_search(text_field(fields, "nama", 1_000) or query, pairs)
        return see_other(f"/pantau/{saved.id}")

    @page
    def saved_page(request: Request) -> Response:
        workflow = need_workflow()
        saved = workflow.saved_search(whole_number(request.path_params["saved_id"]))
        number = request.query_params.get("page", "1")
        page_number = int(number) if re.fullmatch(r"[0-9]{1,3}", number) and 1 <= int(number) <= 100 else 1
        new = workflow.whats_new(saved, limit=NEW_PER_PAGE, page=page_number)
        pages = max(1, -(-new.count // NEW_PER_PAGE))
        search_link = "/?" + urlencode(saved.pairs())
        return render(
            request,
            "pantau_satu.html",
            saved=saved,
            new=new,
            page_number=page_number,
            pages=min(pages, 100),
            search_link=search_link,
            description=describe(saved),
        )

    @action
    def mark_seen(request: Request, fields: dict[str, Any]) -> Response:
        workflow = need_workflow()
        saved = workflow.saved_search(whole_number(request.path_params["saved_id"]))
        # What the page showed, never past what the index holds now.
        upto = min(whole_number(text_field(fields, "upto", 20)), engine.backend.last_added())
        workflow.mark_seen(saved, upto)
        return see_other(f"/pantau/{saved.id}")

    @action
    def remove_search(request: Request, fields: dict[str, Any]) -> Response:
        need_workflow().remove_search(whole_number(request.path_params["saved_id"]))
        return see_other("/pantau")

    @page
    def saved_feed(request: Request) -> Response:
        workflow = need_workflow()
        saved = workflow.saved_search(whole_number(request.path_params["saved_id"]))
        body = saved_search_feed(saved, workflow.feed_hits(saved), str(request.base_url))
        return Response(body, media_type=ATOM_MEDIA_TYPE)

    # ------------------------------------------------------------ collections

    @page
    def collections_page(request: Request) -> Response:
        return render(request, "koleksi.html", collections=need_workflow().collections())

    def collection_ref(request: Request) -> int:
        text = request.path_params["collection_id"]
        if not re.fullmatch(r"[0-9]{1,12}", text):
            raise NotFoundError(Message.of("collection_unknown", ref=text[:20]))
        return int(text)

    @page
    def collection_page(request: Request) -> Response:
        kept = need_workflow().collection(collection_ref(request))
        return render(request, "koleksi_satu.html", kept=kept)

    def collection_export(kind: str) -> Callable[[Request], Response]:
        @page
        def endpoint(request: Request) -> Response:
            kept = need_workflow().collection(collection_ref(request))
            rows = list(collection_rows(kept))
            slug = re.sub(r"[^a-z0-9]+", "-", kept.info.name.lower()).strip("-")[:60] or "koleksi"
            if kind == "csv":
                delimiter = DELIMITERS.get(request.query_params.get(DELIMITER_PARAM, "koma"), ",")
                body = "".join(csv_chunks([rows], bom=True, keys=COLLECTION_KEYS, delimiter=delimiter))
                return download(body, f"koleksi-{slug}.csv")
            with tempfile.TemporaryFile() as spool:
                write_xlsx([rows], spool, keys=COLLECTION_KEYS)
                spool.seek(0)
                data = spool.read()
            return download(data, f"koleksi-{slug}.xlsx", XLSX_MEDIA_TYPE)

        return endpoint

    @action
    def collect(request: Request, fields: dict[str, Any]) -> Response:
        article_id = text_field(fields, "artikel", 40).strip().lower()
        name = text_field(fields, "koleksi", 1_000)
        _info, article, _added = need_workflow().add_to_collection(
            name or "", article_id, text_field(fields, "catatan", NOTE_MAX * 4), text_field(fields, "tag", 2_000)
        )
        back = text_field(fields, "kembali", 2_000)
        # Back to the article page the form was on (with its search), and only there.
        if not back.startswith(f"/artikel/{article.id}") or "//" in back or "\\" in back:
            back = f"/artikel/{article.id}"
        return see_other(back.split("#")[0] + "#koleksi")

    @action
    def uncollect(request: Request, fields: dict[str, Any]) -> Response:
        info = need_workflow().remove_from_collection(collection_ref(request), text_field(fields, "artikel", 40))
        return see_other(f"/koleksi/{info.id}")

    @action
    def delete_collection(request: Request, fields: dict[str, Any]) -> Response:
        need_workflow().delete_collection(collection_ref(request))
        return see_other("/koleksi")

    # ------------------------------------------------------------ batch search

    @page
    def batch_form(request: Request) -> Response:
        return render(request, "massal.html", rows=None, form={})

    async def batch_run(request: Request) -> Response:
        try:
            fields = await read_form(request)
        except RequestError as exc:
            return error_response(request, 403, exc.text("id"))
        except Exception:
            return error_response(request, 400, "Formulir tidak dapat dibaca.")
        upload = fields.get("berkas")
        data = b""
        filename = ""
        if isinstance(upload, UploadFile) and upload.filename:
            data = await upload.read(WEB_MAX_BYTES + 1)
            filename = upload.filename
        if not data:
            data = text_field(fields, "daftar", WEB_MAX_BYTES + 1).encode("utf-8")
        return await run_in_threadpool(batch_answer, request, fields, data, filename)

    def batch_answer(request: Request, fields: dict[str, Any], data: bytes, filename: str) -> Response:
        form: dict[str, Any] = {
            "daftar": text_field(fields, "daftar", WEB_MAX_BYTES),
            "kolom": text_field(fields, "kolom", 200),
            "kueri": text_field(fields, "kueri", 5) == "1",
            "from": text_field(fields, "from", 200),
            "to": text_field(fields, "to", 200),
            "source": text_field(fields, "source", 200),
        }
        try:
            if len(data) > WEB_MAX_BYTES:
                raise RequestError(Message.of("batch_too_large", limit=WEB_MAX_BYTES // 1024))
            column = form["kolom"].strip() or None
            names = read_names(
                data, column, csv_file=filename.lower().endswith((".csv", ".tsv")), max_lines=WEB_MAX_LINES
            )
            template = state_from({k: v for k, v in form.items() if k in ("from", "to", "source") and v}).request(
                facets=False
            )
            rows = list(batch_search(engine, names, template, as_query=form["kueri"]))
        except RequestError as exc:
            return render(request, "massal.html", status=400, rows=None, form=form, error=exc.text("id"))
        if text_field(fields, "format", 10) == "csv":
            body = "".join(csv_chunks([[row.as_dict() for row in rows]], bom=True, keys=BATCH_KEYS))
            return download(body, "pencarian-massal.csv")
        found = sum(1 for row in rows if row.articles)
        return render(request, "massal.html", rows=rows, form=form, found=found, day_id=day_id)

    # ------------------------------------------------------------ full exports

    def full_export(kind: str) -> Callable[[Request], Response]:
        @guarded
        def endpoint(request: Request) -> Response:
            state = state_from(request.query_params, WEB_LIMIT)
            delimiter = DELIMITERS.get(request.query_params.get(DELIMITER_PARAM, "koma"))
            if delimiter is None:
                raise RequestError(Message.of("facet_unknown", value=request.query_params[DELIMITER_PARAM][:50]))
            slots = tools.slots
            if not slots.try_acquire():
                busy = Message.of("exports_busy", slots=slots.size, seconds=10)
                return error_response(request, 503, busy.text("id"), {"Retry-After": "10"})
            try:
                rows = full_rows(engine, state.request(facets=False, snippets=False))
                slug = re.sub(r"[^a-z0-9]+", "-", state.q.lower()).strip("-")[:60] or "hasil"
                if kind == "csv":
                    chunks: Iterator[Any] = full_csv_chunks(rows, delimiter=delimiter)
                    media = "text/csv; charset=utf-8"
                else:
                    chunks = _xlsx_chunks(rows)
                    media = XLSX_MEDIA_TYPE
                return tools.export_stream(
                    chunks,
                    slots,
                    media_type=media,
                    headers=attachment(f"berita-lengkap-{slug}.{kind}"),
                )
            except BaseException:
                slots.release()
                raise

        return endpoint

    # ------------------------------------------------------------ cursor paging

    @guarded
    def api_hits(request: Request) -> Response:
        from starlette.datastructures import QueryParams
        from starlette.responses import JSONResponse

        # Every value of a repeated parameter (source=a&source=b), as the search page reads them.
        pairs = [(k, v) for k, v in request.query_params.multi_items() if k not in ("cursor", "page")]
        if "limit" not in request.query_params:
            pairs.append(("limit", str(MAX_LIMIT)))
        state = state_from(QueryParams(pairs), MAX_LIMIT)
        search = state.request(facets=False)
        result = cursor_page(engine, search, request.query_params.get("cursor", ""), state.limit)
        counts = result.counts
        return JSONResponse(
            {
                "query": state.q,
                "total": counts.total,
                "articles": counts.articles,
                "stories": counts.stories,
                "limit": state.limit,
                "sort": counts.request.sort,
                "hits": [hit_row(h, counts.request.sort == "relevance") for h in result.hits],
                "next_cursor": result.next_cursor,
                "messages": [m.text("id") for m in counts.messages],
            },
            headers={"x-index-generation": str(counts.generation)},
        )

    # ------------------------------------------------------------ citations

    def citation_download(kind: str) -> Callable[[Request], Response]:
        @page
        def endpoint(request: Request) -> Response:
            article_id = request.path_params["article_id"]
            article = engine.article(article_id) if re.fullmatch(r"[0-9a-f]{16}", article_id) else None
            if article is None:
                return error_response(request, 404, "Artikel ini tidak ada di indeks.")
            if kind == "bib":
                body, media = citation.bibtex(article), "application/x-bibtex; charset=utf-8"
            else:
                body, media = citation.csl_json(article), "application/vnd.citationstyles.csl+json; charset=utf-8"
            return download(body, f"kutipan-{article.id}.{kind}", media)

        return endpoint

    return [
        Route("/pantau", saved_list, methods=["GET"], name="saved_list"),
        Route("/pantau", save_search, methods=["POST"], name="save_search"),
        Route("/pantau/{saved_id}.atom", saved_feed, methods=["GET"], name="saved_feed"),
        Route("/pantau/{saved_id}", saved_page, methods=["GET"], name="saved_page"),
        Route("/pantau/{saved_id}/dilihat", mark_seen, methods=["POST"], name="mark_seen"),
        Route("/pantau/{saved_id}/hapus", remove_search, methods=["POST"], name="remove_search"),
        Route("/koleksi", collections_page, methods=["GET"], name="collections"),
        Route("/koleksi/tambah", collect, methods=["POST"], name="collect"),
        Route("/koleksi/{collection_id}.csv", collection_export("csv"), methods=["GET"], name="collection_csv"),
        Route("/koleksi/{collection_id}.xlsx", collection_export("xlsx"), methods=["GET"], name="collection_xlsx"),
        Route("/koleksi/{collection_id}", collection_page, methods=["GET"], name="collection"),
        Route("/koleksi/{collection_id}/hapus-artikel", uncollect, methods=["POST"], name="uncollect"),
        Route("/koleksi/{collection_id}/hapus", delete_collection, methods=["POST"], name="delete_collection"),
        Route("/massal", batch_form, methods=["GET"], name="batch"),
        Route("/massal", batch_run, methods=["POST"], name="batch_run"),
        Route("/ekspor-lengkap.csv", full_export("csv"), methods=["GET"], name="full_export_csv"),
        Route("/ekspor-lengkap.xlsx", full_export("xlsx"), methods=["GET"], name="full_export_xlsx"),
        Route("/api/hits", api_hits, methods=["GET"], name="api_hits"),
        Route("/artikel/{article_id}/kutipan.bib", citation_download("bib"), methods=["GET"], name="cite_bib"),
        Route("/artikel/{article_id}/kutipan.json", citation_download("json"), methods=["GET"], name="cite_csl"),
    ]


def _xlsx_chunks(rows: Iterator[dict[str, Any]]) -> Iterator[bytes]:
    """A workbook is a zip, whole only when saved: rows go to disk as they come, then out."""
    with tempfile.TemporaryFile() as spool:
        write_full_xlsx(rows, spool)
        spool.seek(0)
        while chunk := spool.read(64 * 1024):
            yield chunk
