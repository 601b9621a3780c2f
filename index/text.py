"""Repairing scraped text: mojibake, comma-joined paragraphs, stray whitespace."""

from __future__ import annotations

import re
import unicodedata

import ftfy

# Signatures of UTF-8 read as Windows-1252/Latin-1 (â€œ, Ã©, Â) or as Mac Roman (‚Äú, ¬†, √©).
_MOJIBAKE = re.compile(r"â€|Ã[\x80-\xbf\u0100-\u017f\u2000-\u206f]|Â[\s\xa0-\xbf]|‚Ä|¬†|√[\x80-\xff©®]|Ä[ìîôõ]")
_FTFY_CONFIG = ftfy.TextFixerConfig(uncurl_quotes=False, fix_line_breaks=True, normalization="NFC")
_ZERO_WIDTH = re.compile(r"[\u00ad\u200b-\u200f\u2060\ufeff]")  # and the soft hyphen: 'Sep\xadtember'


def _mac_roman(byte_values: range | list[int]) -> str:
    return "".join(re.escape(bytes([b]).decode("mac_roman")) for b in byte_values)


# One UTF-8 sequence read as Mac Roman, the way the CLICK-ID spreadsheets hold it: a lead byte
# then its continuation bytes, each shown as the Mac Roman glyph of the byte. Only leads that
# never stand before such glyphs in real text: ¬ √ ƒ ≈ (U+0080-U+017F: Latin letters, no-break
# space, °), ‚ (U+2000-U+2FFF: quotes, dashes, €, ™) and the Apple logo (emoji). ‘Skarsg√•rd’,
# ‘Audio‚Ñ¢’ and ‘Ant√≥nio’ are repaired wherever they stand, also inside otherwise clean text.
_CONTINUATION = _mac_roman(range(0x80, 0xC0))
_MAC_ROMAN_SEQUENCE = re.compile(
    rf"[{_mac_roman(range(0xC2, 0xC6))}][{_CONTINUATION}]"
    rf"|{_mac_roman([0xE2])}[{_CONTINUATION}]{{2}}"
    rf"|{_mac_roman([0xF0])}[{_CONTINUATION}]{{3}}"
)


def _decode_mac_roman(match: re.Match[str]) -> str:
    sequence = match.group(0)
    try:
        return sequence.encode("mac_roman").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return sequence


def fix_mojibake(text: str) -> str:
    """Undo double-decoded UTF-8. Clean text is returned untouched (the checks are cheap)."""
    if _MOJIBAKE.search(text):
        # Whole-text Mac Roman round trip first: exact where a whole cell was mis-decoded.
        try:
            text = text.encode("mac_roman").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            text = ftfy.fix_text(text, config=_FTFY_CONFIG)
    # What is left: Mac Roman sequences among clean text (mixed cells).
    return _MAC_ROMAN_SEQUENCE.sub(_decode_mac_roman, text)


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
