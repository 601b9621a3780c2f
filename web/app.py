"""Placeholder until the web issue lands: a JSON search endpoint over the engine."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from search.engine import RequestError, SearchEngine, SearchRequest


def create_app(engine: SearchEngine) -> Starlette:
    async def api_search(request: Request) -> JSONResponse:
        try:
            result = engine.search(SearchRequest(q=request.query_params.get("q", "")[:500]))
        except RequestError as exc:
            return JSONResponse({"message": str(exc)}, status_code=400)
        return JSONResponse({"total": result.total, "hits": [h.to_json() for h in result.hits]})

    return Starlette(routes=[Route("/api/search", api_search)])
