"""Bylines and datelines: who wrote an article, and the 'Jakarta, CNN Indonesia --' openers.

A byline pattern claims a line only where the line is a byline: at the body's edge, short,
and nothing after the name but other credits (editor, photo, 'Artikel ini tayang di ...',
a hashtag, initials). 'Oleh Lenovo, IdeaPad L340 dilepas seharga Rp 13,999 juta.' is a
sentence that begins like a byline; it stays in the text and names no reporter.
"""

from __future__ import annotations

import re

from berita_search.index.text import clean_text

MAX_BYLINE_CHARS = 100
MAX_NAME_WORDS = 6

_LABEL = re.compile(
    r"^\(?\s*(?P<label>Reporter|Penulis|Pewarta|Wartawan|Kontributor|Oleh"
    r"|Laporan(?:\s+wartawan\s+[\w.]+(?:\s+[A-Z][\w.]*)?\s*,)?)"
    r"(?:\s*:\s*|\s+)",
    re.IGNORECASE,
)
_EDITOR_LINE = re.compile(r"^\(?\s*(Editor|Penyunting|Redaktur)\s*:\s*[^\n]{2,80}\)?$", re.IGNORECASE)
_SOURCE_LINE = re.compile(r"^\(?\s*Sumber\s*:\s*[^\n]{2,80}\)?$", re.IGNORECASE)
_BYLINE_IN_DATELINE = re.compile(r"(?:LAPORAN|REPORTER|PENULIS|PEWARTA|OLEH)\s*:\s*(?P<name>[^|\n]+)", re.IGNORECASE)
# What may follow the name on a byline line: other credits, never a sentence.
_CREDIT = re.compile(
    r"^(?:(?:Editor|Penyunting|Redaktur|Foto|Fotografer|Video|Sumber|Grafis)\s*:.*"
    r"|Artikel ini (?:telah )?(?:tayang|terbit|dimuat)\b.*"
    r"|#\w.*"
    r"|[A-Za-z]{1,4}\.?)$",
    re.IGNORECASE,
)
_NAME_WORD = re.compile(r"^(?:[A-Z][\w'’.\-]*|bin|binti|van|von|de|da|dos|al|el)$")
_SEPARATORS = re.compile(r"\s*[|;,/]\s*")
_AND = re.compile(r"\s+(?:dan|and|&)\s+")
_ROLE = re.compile(r"^(?:[a-z]+\s+){1,2}(?=[A-Z])")  # 'videographer ', 'foto oleh ' before a name

# Outlet names as they open a body: 'Jakarta, CNN Indonesia --', 'KOMPAS.com -',
# 'TEMPO.CO, Jakarta -', 'Liputan6.com, Jakarta -'; any case.
_OUTLETS = (
    r"CNN Indonesia|Kompas\.com|Tempo\.co|detik(?:News|com|Finance|Sport|Inet)?|Liputan6\.com|Okezone|"
    r"Sindonews(?:\.com)?|VIVA(?:\.co\.id)?|Tribunnews\.com|Suara\.com|Antara(?: News)?|merdeka\.com|JPNN\.com|"
    r"RMOL(?:\.ID)?|Bisnis\.com|Kumparan|IDN Times|Republika\.co\.id|Fimela\.com|KapanLagi\.com|Wowkeren\.com"
)
_DATELINE = re.compile(
    rf"^(?:(?P<city1>[A-Z][A-Za-z .]{{1,30}}),\s*)?(?P<outlet>(?i:{_OUTLETS}))"
    rf"(?:,\s*(?P<city2>[A-Z][A-Za-z .]{{1,30}}))?\s*(?:--|—|–|-)\s+"
)
_INLINE_FURNITURE = re.compile(
    r"^(baca juga|simak juga|lihat juga|saksikan juga|ikuti (?:berita|kami)|follow )\b.*$|^\W*(advertisement|iklan|scroll to continue)\W*$",
    re.IGNORECASE,
)


def title_case_name(name: str) -> str:
    """'SARAH MEILIANA GUNAWAN' -> 'Sarah Meiliana Gunawan'; mixed case is left as written."""
    name = " ".join(name.strip(" .,;:-|()").split())
    if name.isupper() or name.islower():
        return " ".join(w[:1].upper() + w[1:].lower() for w in name.split())
    return name


def looks_like_name(text: str) -> bool:
    """A person's name or a desk as bylines write them: capitalised words, initials and
    particles such as 'bin', no digits, no sentence."""
    words = text.split()
    return (
        0 < len(words) <= MAX_NAME_WORDS
        and words[0][:1].isupper()
        and all(_NAME_WORD.match(w) for w in words)
        and not any(ch.isdigit() for ch in text)
    )


def clean_reporter(raw: str, label: str = "") -> str:
    """The reporter of an author cell or a byline: the first name, without credits after it."""
    parts = re.split(r"\s*(?:[|;/,#]|\bEditor\b|\bFoto\b|\bArtikel ini\b)\s*", raw, flags=re.IGNORECASE)
    # 'Kontributor Makassar, Hendra Cipto': the city comes first, then the name.
    contributor = label.lower().startswith("kontributor") or parts[0].lower().startswith("kontributor")
    raw = parts[1] if contributor and len(parts) > 1 and parts[1] else parts[0]
    name = title_case_name(raw)
    return name if 2 <= len(name) <= 80 and not any(ch.isdigit() for ch in name) else ""


def byline_reporter(line: str) -> str | None:
    """The reporter a byline line names ('' when it names none), or None when the line is
    not a byline and must stay in the text."""
    if len(line) >= MAX_BYLINE_CHARS:
        return None
    m = _LABEL.match(line)
    if not m:
        return None
    rest = line[m.end() :].strip().removesuffix(")").strip()
    parts = _SEPARATORS.split(rest)
    while parts and not parts[0]:
        parts.pop(0)
    if not parts:
        return None
    if m.group("label").lower().startswith("kontributor") or parts[0].lower().startswith("kontributor "):
        if len(parts) < 2:  # 'Kontributor Makassar' alone: a city, no name
            return None
        parts.pop(0)  # the contributor's city
    # 'Alfons Hartanto dan videographer Kevin Putra': the first is the reporter, the others
    # (with their role) are credits.
    name, *others = _AND.split(parts[0])
    # As written: 'Oleh karena itu ...' is no name, however it would be title-cased.
    if not looks_like_name(name) or not all(looks_like_name(_ROLE.sub("", other)) for other in others):
        return None
    if not all(_CREDIT.match(p) or looks_like_name(p) for p in parts[1:] if p):
        # A sentence follows the name ('Oleh Lenovo, IdeaPad L340 dilepas ...'), or a
        # description of the writer ('Moh. Shofan, aktivis Muhammadiyah'): text to keep.
        return None
    name = title_case_name(name)
    return name if 2 <= len(name) <= 80 else ""


def dateline_reporter(date_line: str) -> str:
    """'KAMIS, 31 AGUSTUS 2023 | 12:34 WIB | LAPORAN: SARAH MEILIANA GUNAWAN' -> the reporter."""
    m = _BYLINE_IN_DATELINE.search(date_line)
    if not m:
        return ""
    name = clean_reporter(m.group("name"))
    return name if looks_like_name(name) else ""


def _is_credit_line(line: str) -> bool:
    return len(line) < MAX_BYLINE_CHARS and bool(_EDITOR_LINE.match(line) or _SOURCE_LINE.match(line))


def strip_bylines(paragraphs: list[str]) -> tuple[list[str], str]:
    """Pull 'Penulis: X' style bylines (and editor/source credits) off the body's edges."""
    reporter = ""
    kept = list(paragraphs)
    while kept:  # trailing credits
        if (name := byline_reporter(kept[-1])) is not None:
            reporter = reporter or name
        elif not _is_credit_line(kept[-1]):
            break
        kept.pop()
    # A leading credit ('Oleh: Nama' opens opinion pieces).
    if kept and (name := byline_reporter(kept[0])) is not None:
        reporter = reporter or name
        kept.pop(0)
    return kept, reporter


def strip_dateline(body: str) -> tuple[str, str]:
    """Remove a 'Jakarta, CNN Indonesia --' opener; return (body, outlet name as written)."""
    m = _DATELINE.match(body)
    if not m:
        return body, ""
    return body[m.end() :], m.group("outlet")


def finish_body(text: str) -> tuple[str, str, str]:
    """Shared clean-up of a body: inline furniture, bylines, dateline. Returns (body, reporter, outlet)."""
    paragraphs = [p for p in clean_text(text).split("\n\n") if p and not _INLINE_FURNITURE.match(p)]
    paragraphs, reporter = strip_bylines(paragraphs)
    body = "\n\n".join(paragraphs)
    body, outlet = strip_dateline(body)
    return body.strip(), reporter, outlet
