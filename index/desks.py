"""The common desk of an outlet's category (``index/data/desks.tsv``), filled in at index time.

Outlets name one desk differently (kompas.com ``News``, tempo.co ``Nasional``; okezone.com
``Sports``, tempo.co ``Sport``, kompas.com ``Bola``): the desk is the one name a reader counts and
filters by across outlets, while the outlet's own category stays searchable as it was written.
"""

from __future__ import annotations

from functools import cache

from berita_search.index.analysis import fold
from berita_search.index.wordlists import data_lines

DESK_FILE = "desks.tsv"
ANY = "*"
NO_DESK = "-"


def desk_key(value: str) -> str:
    """A source, category or subcategory as the table matches it: folded, spaces collapsed."""
    return fold(" ".join(value.split()))


@cache
def desk_table() -> dict[tuple[str, str, str], str]:
    """(source, category, subcategory) -> desk, each key folded, ``*`` for any."""
    table: dict[tuple[str, str, str], str] = {}
    for number, line in enumerate(data_lines(DESK_FILE), 1):
        cells = line.split("\t")
        if len(cells) != 4 or not all(c.strip() for c in cells):
            raise ValueError(f"{DESK_FILE}: entry {number} is not four tab-separated cells: {line!r}")
        source, category, subcategory, desk = (c.strip() for c in cells)
        key = tuple(c if c == ANY else desk_key(c) for c in (source, category, subcategory))
        if key in table:
            raise ValueError(f"{DESK_FILE}: entry {number} repeats {source}/{category}/{subcategory}")
        table[key] = desk  # type: ignore[index]
    return table


def desk_of(source: str, category: str, subcategory: str = "") -> str:
    """The common desk of an article's category ("" when the table names none)."""
    if not category.strip():
        return ""
    table = desk_table()
    s, c, sub = desk_key(source), desk_key(category), desk_key(subcategory)
    for key in ((s, c, sub), (s, c, ANY), (ANY, c, sub), (ANY, c, ANY)):
        desk = table.get(key)
        if desk is not None:
            return "" if desk == NO_DESK else desk
    return ""


def desks() -> list[str]:
    """Every desk the table names, in the order it first names them."""
    return list(dict.fromkeys(d for d in desk_table().values() if d != NO_DESK))
