"""Repairing scraped text: mojibake, comma-joined paragraphs, stray whitespace."""

from __future__ import annotations

import re
import unicodedata

import ftfy

# Signatures of UTF-8 read as Windows-1252/Latin-1 (â€œ, Ã©, Â) or as Mac Roman (‚Äú, ¬†, √©).
_MOJIBAKE = re.compile(r"â€|Ã[\x80-\xbf\u0100-\u017f\u2000-\u206f]|Â[\s\xa0-\xbf]|‚Ä|¬†|√[\x80-\xff©®]|Ä[ìîôõ]")
# A run of characters that Mac Roman maps the bytes of a UTF-8 sequence to.
_MAC_ROMAN_RUN = re.compile(r"[\u00a0-\u00ff\u0131-\u02dd\u03a9\u03c0\u2013-\u2260\u25ca\uf8ff\ufb01\ufb02]{2,4}")
_FTFY_CONFIG = ftfy.TextFixerConfig(uncurl_quotes=False, fix_line_breaks=True, normalization="NFC")
_ZERO_WIDTH = re.compile(r"[\u200b-\u200f\u2060\ufeff]")


def _mac_roman_run(match: re.Match[str]) -> str:
    run = match.group(0)
    try:
        return run.encode("mac_roman").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return run


def fix_mojibake(text: str) -> str:
    """Undo double-decoded UTF-8. Clean text is returned untouched (the check is cheap)."""
    if not _MOJIBAKE.search(text):
        return text
    # Whole-text Mac Roman round trip first: exact where a whole cell was mis-decoded.
    try:
        repaired = text.encode("mac_roman").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        repaired = ftfy.fix_text(text, config=_FTFY_CONFIG)
    if _MOJIBAKE.search(repaired):
        # Mixed cells: repair each mis-decoded run on its own.
        repaired = _MAC_ROMAN_RUN.sub(_mac_roman_run, repaired)
    return repaired


_PARA_JOIN = re.compile(
    r"(?<=[.!?\"”’)])\s*,+(?=\s*[\"“‘(A-Z0-9])"  # sentence end, comma(s), next paragraph
    r"|,{2,}"  # runs of commas left where paragraphs or dropped links were
)
_DROPPED_LINK = re.compile(r"(?<=[a-z]),(?=[a-z])")  # "membuat,khawatir": a link's text was lost
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_BLANKS = re.compile(r"\n\s*\n+")


def split_comma_paragraphs(text: str) -> str:
    """Turn scraper output 'Riau.,Penangkapan' back into two paragraphs."""
    text = _PARA_JOIN.sub("\n\n", text)
    text = _DROPPED_LINK.sub(" ", text)
    return text


def clean_text(text: str) -> str:
    """Normalise whitespace and invisible characters; keep paragraphs as blank-line breaks."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _ZERO_WIDTH.sub("", text)
    text = _SPACES.sub(" ", text)
    lines = [line.strip() for line in text.split("\n")]
    text = "\n".join(lines)
    text = _BLANKS.sub("\n\n", text)
    # Remove stray commas and dashes that a dropped dateline left at a paragraph start.
    text = re.sub(r"(?m)^[,\-–— ]+(?=\S)", "", text)
    return text.strip()


def clean_line(text: str) -> str:
    """One-line fields (title, reporter, category): repaired and on a single line."""
    return " ".join(_ZERO_WIDTH.sub("", fix_mojibake(text or "")).split())
