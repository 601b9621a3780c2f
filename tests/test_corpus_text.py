"""What the readers make of every CLICK-ID file (the JSONL and the raw CSV/XLSX): bylines that
never take a sentence, reporters that are names, and no mojibake left in any title or body."""

from __future__ import annotations

import json
import re

import pytest
from berita_search.index.readers import Article, parse_raw_page, read_paths, record_to_article

from tests.conftest import CLICKID, CLICKID_JSONL, INDOSUM, SAMPLE, require_shared


@pytest.fixture(scope="module")
def clickid_articles() -> list[Article]:
    require_shared()
    articles = [r for r in read_paths([CLICKID_JSONL, CLICKID / "raw_articles"]) if isinstance(r, Article)]
    assert len(articles) == 2 * 22_136  # the JSONL and the raw files hold the same rows
    return articles


# ---------------------------------------------------------------- reporters

PARTICLES = {"bin", "binti", "van", "von", "de", "da", "al", "el"}
DESK = re.compile(r"^(?:Tim|Redaksi|Desk)\b")


def looks_like_a_person_or_desk(value: str) -> bool:
    """Two to five capitalised words or initials ('Annesa K. Ramadhany'), or a desk ('Tim
    Redaksi'). A single word ('Lenovo') may be a brand: it must be explained."""
    words = value.split()
    if DESK.match(value):
        return True
    return 2 <= len(words) <= 5 and all(w in PARTICLES or re.fullmatch(r"[A-Z][a-z'’\-]+|[A-Z]\.?", w) for w in words)


# Reporter values that do not look like a name but are right, each with the reason.
EXPLAINED_REPORTERS: dict[str, str] = {}


def test_every_clickid_reporter_is_a_name_or_explained(clickid_articles: list[Article]) -> None:
    reporters: dict[str, list[str]] = {}
    for a in clickid_articles:
        if a.reporter:
            reporters.setdefault(a.reporter, []).append(a.origin)
    unexplained = {
        name: origins[:2]
        for name, origins in reporters.items()
        if not looks_like_a_person_or_desk(name) and name not in EXPLAINED_REPORTERS
    }
    assert unexplained == {}
    assert set(EXPLAINED_REPORTERS) <= set(reporters), "an explained value no longer occurs: drop it"
    # The CLICK-ID bodies' bylines, each read in the JSONL and in its raw file, checked by hand.
    assert {name: len(origins) for name, origins in reporters.items()} == {
        "Annesa K. Ramadhany": 150,
        "Eva Nur Fauziyah": 6,
        "Arini Valentya": 2,
        "Arini Valentya Chusni": 2,
        "Hendra Cipto": 2,
        "Fitri Haryanti Harsono": 2,
        "A Rauf Andar Adipati": 2,
    }


def test_a_sentence_that_opens_like_a_byline_stays_in_the_text() -> None:
    require_shared()
    url = "autotekno.sindonews.com/read/1438377/"
    with CLICKID_JSONL.open(encoding="utf-8") as fh:
        row = json.loads(next(line for line in fh if url in line))
    a = record_to_article(row, "sindonews")
    assert a.reporter == ""
    assert "Oleh Lenovo, IdeaPad L340 dilepas seharga Rp 13,999 juta." in a.body


@pytest.mark.parametrize(
    ("last_line", "reporter"),
    [
        ("Penulis: Annesa K. Ramadhany", "Annesa K. Ramadhany"),
        ("(Penulis: Dewi Safitri)", "Dewi Safitri"),
        ("Reporter: SARAH MEILIANA GUNAWAN | Editor: Andi Hartik", "Sarah Meiliana Gunawan"),
        ("Penulis : Kontributor Makassar, Hendra Cipto,Artikel ini tayang di Kompas.com dengan judul", "Hendra Cipto"),
        ("Penulis: Fitri Haryanti Harsono,#Growfearless with Fimela", "Fitri Haryanti Harsono"),
        ("Laporan Alfons Hartanto dan videographer Kevin Putra", "Alfons Hartanto"),
        ("Oleh Lenovo, IdeaPad L340 dilepas seharga Rp 13,999 juta.", ""),
        ("Oleh karena itu warga diminta tetap tenang", ""),
        ("Penulis lepas itu kini menetap di Bandung", ""),
        ("Wartawan senior itu meninggal dunia pada Senin pagi", ""),
    ],
)
def test_byline_lines(last_line: str, reporter: str) -> None:
    text = f"Judul Berita Hari Ini\n\nSenin, 4 Maret 2024 10:00 WIB\n\nWarga berkumpul di balai desa.\n\n{last_line}"
    a = parse_raw_page(text, "x")
    assert a.reporter == reporter
    if reporter:
        assert a.body == "Warga berkumpul di balai desa."
    else:
        assert a.body == f"Warga berkumpul di balai desa.\n\n{last_line}"  # the text stays, whole


def test_other_corpora_reporters_are_names() -> None:
    """IndoSum (5 files) and the sample hold other bylines; the same check, nothing explained."""
    require_shared()
    reporters = {r.reporter for r in read_paths([INDOSUM, SAMPLE]) if isinstance(r, Article) and r.reporter}
    assert reporters and [name for name in reporters if not looks_like_a_person_or_desk(name)] == []


# ---------------------------------------------------------------- mojibake

# What UTF-8 read as Windows-1252 or as Mac Roman looks like. Each pattern is one byte
# sequence's glyphs, which Indonesian news text never holds as such.
_MAC_CONTINUATION = "".join(bytes([b]).decode("mac_roman") for b in range(0x80, 0xC0))
MOJIBAKE_SIGNATURES = {
    "â€": "punctuation (“ ” ‘ ’ – —) read as Windows-1252: â€œ",
    "Ã[\x80-\xbf]": "accented letters read as Windows-1252: Ã©",
    "Â[\\s\xa0-\xbf]": "no-break space and Latin-1 symbols read as Windows-1252: Â ",
    "‚Ä": "punctuation read as Mac Roman: ‚Äú",
    "‚Ñ": "letterlike symbols read as Mac Roman: ‚Ñ¢ for ™",
    f"√[{_MAC_CONTINUATION}]": "accented letters read as Mac Roman: √© √• √≥",
    f"¬[{_MAC_CONTINUATION}]": "no-break space and Latin-1 symbols read as Mac Roman: ¬† ¬∞",
    f"[ƒ≈][{_MAC_CONTINUATION}]": "Latin Extended-A read as Mac Roman: ≈° for š",
    "\uf8ff": "emoji read as Mac Roman (the lead byte F0 is the Apple logo)",
}


def test_no_mojibake_in_any_clickid_title_or_body(clickid_articles: list[Article]) -> None:
    signatures = {pattern: re.compile(pattern) for pattern in MOJIBAKE_SIGNATURES}
    found = []
    for a in clickid_articles:
        for field in (a.title, a.body, a.caption):
            for pattern, rx in signatures.items():
                if m := rx.search(field):
                    found.append((a.origin, pattern, field[max(0, m.start() - 30) : m.end() + 30]))
    assert found == []
