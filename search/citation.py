"""Citations of one article, to paste into a story, a note or a reference manager.

Three forms of the same facts (outlet, title, reporter, publication date, URL, date accessed):
a plain line in Indonesian (``Sarah Meiliana. “Judul”. Kompas, 31 Agustus 2023. https://...
(diakses 5 Desember 2024).``), BibTeX (biblatex's ``@online``) and CSL-JSON (what Zotero,
Mendeley and pandoc read). A missing fact is left out, never invented.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from typing import Any

from berita_search.index.analysis import fold
from berita_search.index.dates import MONTH_NAMES_ID, WIB
from berita_search.search.engine import ArticleRecord

STYLES = ("plain", "bibtex", "csl")
_BIBTEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "%": r"\%",
    "&": r"\&",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def today_in_jakarta() -> date:
    return datetime.now(WIB).date()


def day_id(day: date) -> str:
    """31 Agustus 2023."""
    return f"{day.day} {MONTH_NAMES_ID[day.month - 1]} {day.year}"


def published_day(article: ArticleRecord) -> date | None:
    return date.fromisoformat(article.published[:10]) if article.published else None


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    return text if not text or text[-1] in ".?!" else text + "."


def plain(article: ArticleRecord, accessed: date | None = None) -> str:
    """Reporter. “Title”. Outlet, date. URL (diakses date)."""
    accessed = accessed or today_in_jakarta()
    parts: list[str] = []
    if article.reporter:
        parts.append(_sentence(article.reporter))
    title = " ".join(article.title.split()) or "(tanpa judul)"
    parts.append(f"“{title}”.")
    published = published_day(article)
    where = ", ".join(p for p in (" ".join(article.source.split()), day_id(published) if published else "") if p)
    if where:
        parts.append(_sentence(where))
    if article.url:
        parts.append(f"{article.url.strip()} (diakses {day_id(accessed)}).")
    else:
        parts.append(f"Diakses {day_id(accessed)}.")
    return " ".join(parts)


def bibtex_text(value: str) -> str:
    """Text inside a BibTeX field: the characters BibTeX and LaTeX treat specially escaped."""
    value = " ".join(value.split())
    return "".join(_BIBTEX_SPECIAL.get(ch, ch) for ch in value)


def bibtex_key(article: ArticleRecord) -> str:
    """outlet + year + first title word, letters and digits only (``kompas2019jokowi``), then the
    id's first characters so two keys never clash."""
    outlet = re.sub(r"[^a-z0-9]", "", fold(article.source.split(".")[0]))[:20]
    published = published_day(article)
    words = [re.sub(r"[^a-z0-9]", "", fold(w)) for w in article.title.split()]
    first = next((w for w in words if len(w) > 3), next((w for w in words if w), ""))[:20]
    return f"{outlet or 'berita'}{published.year if published else ''}{first}-{article.id[:6]}"


def bibtex(article: ArticleRecord, accessed: date | None = None) -> str:
    accessed = accessed or today_in_jakarta()
    published = published_day(article)
    fields: list[tuple[str, str]] = [("title", bibtex_text(article.title) or "(tanpa judul)")]
    if article.reporter:
        # In double braces: a name is kept whole, never split into given and family names.
        fields.append(("author", "{" + bibtex_text(article.reporter) + "}"))
    if article.source:
        fields.append(("organization", bibtex_text(article.source)))
    if published:
        fields.append(("date", published.isoformat()))
    if article.url:
        # The URL field is verbatim in biblatex: only the braces that would end it are escaped.
        fields.append(("url", article.url.strip().replace("{", "%7B").replace("}", "%7D")))
    fields.append(("urldate", accessed.isoformat()))
    fields.append(("langid", "indonesian"))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@online{{{bibtex_key(article)},\n{body}\n}}"


def csl(article: ArticleRecord, accessed: date | None = None) -> dict[str, Any]:
    accessed = accessed or today_in_jakarta()
    item: dict[str, Any] = {"id": article.id, "type": "article-newspaper", "title": " ".join(article.title.split())}
    if article.reporter:
        item["author"] = [{"literal": " ".join(article.reporter.split())}]
    if article.source:
        item["container-title"] = " ".join(article.source.split())
    published = published_day(article)
    if published:
        item["issued"] = {"date-parts": [[published.year, published.month, published.day]]}
    if article.url:
        item["URL"] = article.url.strip()
    item["accessed"] = {"date-parts": [[accessed.year, accessed.month, accessed.day]]}
    item["language"] = "id"
    return item


def csl_json(article: ArticleRecord, accessed: date | None = None) -> str:
    """A CSL-JSON document: a list of one item."""
    return json.dumps([csl(article, accessed)], ensure_ascii=False, indent=2)


def cite(article: ArticleRecord, style: str, accessed: date | None = None) -> str:
    if style == "plain":
        return plain(article, accessed)
    if style == "bibtex":
        return bibtex(article, accessed)
    if style == "csl":
        return csl_json(article, accessed)
    raise ValueError(f"unknown citation style {style!r} (choose {', '.join(STYLES)})")
