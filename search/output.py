"""Hits and articles as JSON, CSV and XLSX rows: the same keys and the same safe cells for the
CLI (``query --json/--csv/--xlsx``, ``show --json``), the web's exports and the API.

Article text is untrusted: a cell that starts like a formula (``=HYPERLINK(...)``, ``@SUM``,
``+1+1``) would run when a spreadsheet opens the file, so every spreadsheet cell goes
through ``spreadsheet_cell``. JSON carries the text as it is: it is data, not a sheet.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict, fields
from typing import IO, Any

from berita_search.index.fields import HIT_KEYS
from berita_search.search.engine import ArticleRecord, Hit

# The keys of one article in the API and ``show --json``, in the record's order.
ARTICLE_KEYS = tuple(f.name for f in fields(ArticleRecord))
SHEET_TITLE = "hasil"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FORMULA_STARTS = ("=", "+", "-", "@")
_CONTROL_STARTS = ("\t", "\r", "\n")
# A workbook cell holds at most 32,767 characters (Excel's limit); a longer body is cut, with a mark.
XLSX_CELL_CHARS = 32_767
XLSX_CUT_MARK = " [dipotong: {chars} karakter]"
_BLANKS = "".join(map(chr, range(33)))  # spaces and control characters a program may skip before a formula


def spreadsheet_cell(value: Any) -> Any:
    """A cell a spreadsheet will show as text, never run: a formula-like string gets a leading '."""
    if not isinstance(value, str) or not value:
        return value
    if value[:1] in _CONTROL_STARTS or value.lstrip(_BLANKS)[:1] in _FORMULA_STARTS:
        return "'" + value
    return value


def hit_row(hit: Hit, ranked: bool = True) -> dict[str, Any]:
    """One hit with the keys of ``index.fields.HIT_KEYS``; no score when the order is by date."""
    computed = {"score": round(hit.score, 4) if ranked else None, "snippet": hit.snippet.plain()}
    return {key: computed[key] if key in computed else getattr(hit, key) for key in HIT_KEYS}


def article_row(article: ArticleRecord) -> dict[str, Any]:
    """One article for the API and ``show --json``: tags as a list, every other field as text."""
    row = asdict(article)
    row["tags"] = list(article.tags)
    return row


def spreadsheet_row(row: dict[str, Any]) -> list[Any]:
    return [spreadsheet_cell(row[key]) for key in row]


# ---------------------------------------------------------------- CSV


def write_csv(
    rows: Iterable[dict[str, Any]],
    out: IO[str],
    header: bool = True,
    keys: tuple[str, ...] = HIT_KEYS,
    delimiter: str = ",",
) -> None:
    """Rows with ``keys`` as CSV; with ``delimiter=";"`` (spreadsheets in an Indonesian locale,
    where the comma is the decimal sign) fractional numbers get a decimal comma too."""
    writer = csv.writer(out, delimiter=delimiter)
    if header:
        writer.writerow(keys)
    for row in rows:
        cells = spreadsheet_row(row)
        if delimiter == ";":
            cells = [str(c).replace(".", ",") if isinstance(c, float) else c for c in cells]
        writer.writerow(cells)


def rows_csv(keys: tuple[str, ...], rows: Iterable[dict[str, Any]], bom: bool = True) -> str:
    """A CSV document of rows with the given keys (a coverage's series), the header first."""
    buffer = io.StringIO()
    if bom:
        buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(keys)
    for row in rows:
        writer.writerow([spreadsheet_cell(row[key]) for key in keys])
    return buffer.getvalue()


def csv_chunks(
    pages: Iterable[list[dict[str, Any]]], bom: bool = True, keys: tuple[str, ...] = HIT_KEYS, delimiter: str = ","
) -> Iterator[str]:
    """CSV text a page of rows at a time, the header first (with a BOM so spreadsheets read UTF-8)."""
    buffer = io.StringIO()
    if bom:
        buffer.write("\ufeff")
    write_csv([], buffer, keys=keys, delimiter=delimiter)
    yield buffer.getvalue()
    for rows in pages:
        buffer = io.StringIO()
        write_csv(rows, buffer, header=False, keys=keys, delimiter=delimiter)
        yield buffer.getvalue()


# ---------------------------------------------------------------- JSON


def json_line(row: dict[str, Any]) -> str:
    return json.dumps(row, ensure_ascii=False)


def json_document_chunks(head: dict[str, Any], pages: Iterable[list[dict[str, Any]]]) -> Iterator[str]:
    """One JSON object, ``head``'s keys then ``"hits": [...]``, a page of hits at a time."""
    opening = json.dumps(head, ensure_ascii=False, indent=1)
    yield opening[:-2] + ',\n "hits": ['  # the object stays open for the hits
    first = True
    for rows in pages:
        if rows:
            yield ("\n" if first else ",\n") + ",\n".join(json_line(r) for r in rows)
            first = False
    yield "\n ]\n}\n"


# ---------------------------------------------------------------- XLSX


def xlsx_text(value: str) -> str:
    """A string a workbook cell can hold: XML 1.0 characters only, at most XLSX_CELL_CHARS
    characters (longer text is cut, and says so at its end)."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if len(value) > XLSX_CELL_CHARS:
        mark = XLSX_CUT_MARK.format(chars=len(value))
        value = value[: XLSX_CELL_CHARS - len(mark)] + mark
    return value


def write_xlsx(pages: Iterable[list[dict[str, Any]]], out: IO[bytes] | str, keys: tuple[str, ...] = HIT_KEYS) -> int:
    """A workbook of one sheet, rows streamed to disk as they come (openpyxl's write-only mode).

    Returns the number of rows written, the header not counted.
    """
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(SHEET_TITLE)
    sheet.append(list(keys))
    written = 0
    for rows in pages:
        for row in rows:
            # Characters XML cannot hold are dropped before the formula check.
            sheet.append([spreadsheet_cell(xlsx_text(v) if isinstance(v, str) else v) for v in row.values()])
            written += 1
    workbook.save(out)
    return written
