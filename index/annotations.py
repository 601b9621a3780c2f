"""The people, organisations, places and quotes of an article, as the index holds them.

``index.entities`` and ``index.quotes`` read an article; this module turns what they found into
the fields of ``index.fields`` (``Kind.ENTITY`` fields, ``speaker``, ``quote`` and the stored
``quotes``), once per article at index time, so that both backends index the same values.

An entity field holds, per article, the canonical names (a facet, and a filter any case) and,
for words, every name of each entity: the canonical one, the forms written in the article and
the other names the alias table gives it. ``orang:jokowi`` then finds the articles naming Joko
Widodo in either spelling, without the query needing the alias table (and an index keeps
answering the same way whatever alias table the searching machine has).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from berita_search.index.analysis import fold
from berita_search.index.entities import DATA, analyse, article_text
from berita_search.index.fields import ENTITY_FIELDS
from berita_search.index.quotes import extract_quotes
from berita_search.index.schema import entity_column, key_field, names_field

# An article naming hundreds of people (a list of candidates, results tables) is cut: the
# facets and the article page stay readable, and the index small.
MAX_ENTITIES_PER_KIND = 60
MAX_QUOTES = 80
MAX_QUOTE_CHARS = 2_000


@dataclass(frozen=True)
class StoredQuote:
    """One quote as the index stores it (the ``quotes`` field, JSON)."""

    text: str
    speaker: str  # canonical person, or "" when it could not be resolved
    as_written: str  # the speaker as the article names them ("ia", "Kapolres", "Laode")
    kind: str  # "direct" or "indirect"
    paragraph: int  # 0-based paragraph of the body (paragraphs are separated by a blank line)

    @property
    def speaker_shown(self) -> str:
        return self.speaker or self.as_written

    def as_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "speaker": self.speaker,
            "as_written": self.as_written,
            "kind": self.kind,
            "paragraph": self.paragraph,
        }


def quotes_of(stored: object) -> list[StoredQuote]:
    """The quotes of a stored ``quotes`` value (a JSON list); none for an article indexed before quotes."""
    if not stored:
        return []
    try:
        items = json.loads(str(stored))
    except ValueError:
        return []
    found = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and item.get("text"):
            found.append(
                StoredQuote(
                    str(item["text"]),
                    str(item.get("speaker") or ""),
                    str(item.get("as_written") or ""),
                    str(item.get("kind") or "direct"),
                    int(item.get("paragraph") or 0),
                )
            )
    return found


def speaker_names(quote: StoredQuote) -> tuple[str, ...]:
    """Every name a quote's speaker is searched by: canonical, as written, the alias table's others."""
    return (quote.speaker, quote.as_written, *other_names().get(quote.speaker, ()))


def names_of(stored: object) -> tuple[str, ...]:
    """The canonical names of a stored entity field (comma-separated)."""
    return tuple(n.strip() for n in str(stored or "").split(",") if n.strip())


@lru_cache(maxsize=1)
def other_names() -> dict[str, tuple[str, ...]]:
    """Canonical name -> the other names the alias table gives it (data/aliases.tsv)."""
    names: dict[str, list[str]] = {}
    for line in (DATA / "aliases.tsv").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        _kind, canonical, *rest = line.split("\t")
        forms = [f for f in (rest[0].split("|") if rest else []) if f and f != canonical]
        names.setdefault(canonical, []).extend(forms)
    return {k: tuple(dict.fromkeys(v)) for k, v in names.items()}


def _clean(name: str) -> str:
    # Commas separate the values of an entity field.
    return " ".join(name.replace(",", " ").split())


def annotation_fields(title: str, body: str) -> dict[str, Any]:
    """The entity and quote fields of one article (empty values left out). The rules never stop
    a run: an article they fail on is indexed without entities and quotes."""
    try:
        return _annotation_fields(title, body)
    except Exception:
        return {}


def _annotation_fields(title: str, body: str) -> dict[str, Any]:
    analysis = analyse(title, body)
    text = article_text(title, body)
    aliases = other_names()
    canonical: dict[str, list[str]] = {name: [] for name in ENTITY_FIELDS}
    words: dict[str, list[str]] = {name: [] for name in ENTITY_FIELDS}
    for entity in analysis.entities:
        shown = canonical.get(entity.kind)
        if shown is None or len(shown) >= MAX_ENTITIES_PER_KIND:
            continue
        name = _clean(entity.canonical)
        if not name:
            continue
        shown.append(name)
        forms = dict.fromkeys([name, *aliases.get(entity.canonical, ())])
        for start, end in entity.mentions[:5]:
            forms.setdefault(" ".join(text[start:end].split()))
        words[entity.kind].append(" ; ".join(forms))
    fields: dict[str, Any] = {}
    for name in ENTITY_FIELDS:
        unique = list(dict.fromkeys(canonical[name]))
        if unique:
            fields[name] = ",".join(unique)
            fields[key_field(name)] = ",".join(dict.fromkeys(fold(n) for n in unique))
            fields[names_field(name)] = " ; ".join(words[name])
            fields[entity_column(name)] = ",".join(unique).encode("utf-8")
    quotes = [
        StoredQuote(q.text[:MAX_QUOTE_CHARS], q.speaker_canonical or "", q.speaker_as_written, q.kind, q.paragraph)
        for q in extract_quotes(title, body, analysis)[:MAX_QUOTES]
    ]
    if quotes:
        fields["quotes"] = json.dumps([q.as_json() for q in quotes], ensure_ascii=False, separators=(",", ":"))
        speakers = dict.fromkeys(n for q in quotes for n in speaker_names(q) if n)
        fields["speaker"] = " ; ".join(speakers)
        fields["quote"] = "\n".join(q.text for q in quotes)
    return fields
