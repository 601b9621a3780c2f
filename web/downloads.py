"""Responses a browser saves as a file: the header that names the file, and a whole body at once."""

from __future__ import annotations

from starlette.responses import Response

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"


def attachment(filename: str) -> dict[str, str]:
    """The headers that have a browser save the response as ``filename`` (ASCII, no quotes)."""
    return {"content-disposition": f'attachment; filename="{filename}"'}


def download(body: str | bytes, filename: str, media_type: str = CSV_MEDIA_TYPE) -> Response:
    """A whole file in one response; text is sent as UTF-8."""
    data = body.encode("utf-8") if isinstance(body, str) else body
    return Response(data, media_type=media_type, headers=attachment(filename))
