"""Snippets: the best passage of a body with the searched words marked.

Whoosh's fragmenter and scorer pick the passage; matching is done here because a word
matches through either form the index holds: its folded surface form (``Kim``) or its root
(``bertukar`` for the query ``tukar``).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from berita_search.index.analysis import surface_analyzer
from berita_search.index.stemming import get_stemmer
from berita_search.index.stopwords import STOPWORDS
from whoosh.analysis import Token
from whoosh.highlight import BasicFragmentScorer, ContextFragmenter, Fragment, top_fragments

if TYPE_CHECKING:
    from berita_search.search.querylang import ParsedQuery

SNIPPET_CHARS = 240
_SPACE_RUN = re.compile(r"\s+")
_ANALYZER = surface_analyzer()
_FRAGMENTER = ContextFragmenter(maxchars=SNIPPET_CHARS, surround=70, charlimit=200_000)
_SCORER = BasicFragmentScorer()


@dataclass
class Snippet:
    """A passage as (text, matched) segments, rendered plain, for terminals or as HTML."""

    segments: list[tuple[str, bool]]

    def plain(self) -> str:
        return "".join(text for text, _ in self.segments)

    def html(self) -> str:
        # Escaped first, so article text can never inject markup.
        return "".join(f"<mark>{html.escape(t)}</mark>" if m else html.escape(t) for t, m in self.segments)

    def ansi(self) -> str:
        return "".join(f"\x1b[1;33m{t}\x1b[0m" if m else t for t, m in self.segments)

    @property
    def matched_words(self) -> list[str]:
        return [t for t, m in self.segments if m]


def mark_tokens(text: str, words: set[str], stems: set[str]) -> Iterator[Token]:
    """Tokens of ``text`` with ``matched`` set where the surface form or the root was searched."""
    stem = get_stemmer("sastrawi")
    for token in _ANALYZER(text, chars=True, removestops=False):
        surface = token.text
        token.matched = (surface in words and (surface not in STOPWORDS or len(words) == 1)) or (
            surface not in STOPWORDS and stem(surface) in stems
        )
        yield token


def mark_text(text: str, parsed: ParsedQuery) -> Snippet:
    """The whole text with matches marked (the article page)."""
    segments: list[tuple[str, bool]] = []
    index = 0
    for token in mark_tokens(text, parsed.words, parsed.stems):
        if token.matched:  # set by mark_tokens
            if token.startchar > index:
                segments.append((text[index : token.startchar], False))
            segments.append((text[token.startchar : token.endchar], True))
            index = token.endchar
    if index < len(text):
        segments.append((text[index:], False))
    return Snippet(segments)


def make_snippet(text: str, parsed: ParsedQuery, fragments: int = 1) -> Snippet:
    """The best passage (or the opening, when nothing in the body matched)."""
    if not text:
        return Snippet([])
    chosen: list[Fragment] = []
    if parsed.words or parsed.stems:
        tokens = mark_tokens(text, parsed.words, parsed.stems)
        chosen = top_fragments(
            _FRAGMENTER.fragment_tokens(text, tokens), fragments, _SCORER, order=lambda f: f.startchar, minscore=1
        )
    if not chosen:
        opening = text[:SNIPPET_CHARS]
        cut = opening.rfind(" ") if len(text) > SNIPPET_CHARS else len(opening)
        return Snippet(
            [
                (
                    " ".join(opening[: cut if cut > 0 else SNIPPET_CHARS].split())
                    + ("…" if len(text) > SNIPPET_CHARS else ""),
                    False,
                )
            ]
        )
    segments: list[tuple[str, bool]] = []
    for number, fragment in enumerate(chosen):
        if number or fragment.startchar > 0:
            segments.append(("…", False))
        index = fragment.startchar
        for token in sorted(fragment.matches, key=lambda t: t.startchar):
            if token.startchar < index:
                continue
            segments.append((text[index : token.startchar], False))
            segments.append((text[token.startchar : token.endchar], True))
            index = token.endchar
        segments.append((text[index : fragment.endchar], False))
    if chosen[-1].endchar < len(text):
        segments.append(("…", False))
    # Paragraph breaks read as spaces inside a one-line snippet.
    return Snippet([(_SPACE_RUN.sub(" ", t), m) for t, m in segments if t])
