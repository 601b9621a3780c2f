"""The query language: one parser for the CLI and the web.

Syntax (Google and Lucene habits, with Indonesian operator words and field names):

    kim jong un                 all words must match, best first
    "kim jong un"               exact phrase;  "putin kim"~5  within five words
    putin OR kim, putin ATAU kim
    putin NOT kim, putin TANPA kim, putin -kim
    (putin OR kim) DAN senjata
    judul:, isi:, reporter:/penulis:/wartawan:, kategori:/rubrik:, sumber:/media:, tag:
    tanggal:2023-08-31  tanggal:2023-08  tanggal:2023  tanggal:"31 Agustus 2023"
    tanggal:[2023-08-01 TO 2023-09-30]  tanggal:[2023-08 TO]  tanggal:>2023-08
    senja*   shoigu~   shoigu~2

The text is parsed with Whoosh's QueryParser over a schema of raw fields, then each node
is rewritten into queries on the real index fields through the Indonesian analyzers.
Malformed input never raises: it becomes a literal search, with a message saying what was
set aside.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from berita_search.index.analysis import analyze, fold, stem_analyzer, surface_analyzer
from berita_search.index.dates import MONTHS
from berita_search.index.schema import DEFAULT_STEMMER
from berita_search.index.stopwords import STOPWORDS
from berita_search.search.phrases import PairPhrase
from whoosh import query as Q
from whoosh.analysis import SpaceSeparatedTokenizer
from whoosh.fields import TEXT, Schema
from whoosh.matching import AndNotMatcher
from whoosh.qparser import (
    FieldAliasPlugin,
    FuzzyTermPlugin,
    GtLtPlugin,
    OperatorsPlugin,
    PlusMinusPlugin,
    QueryParser,
)
from whoosh.qparser.syntax import AndGroup

MAX_QUERY_CHARS = 500
MAX_CLAUSES = 64

# Per-field weights: the title counts most, exact words above their roots.
TEXT_FIELDS: dict[str, list[tuple[str, float, bool]]] = {
    # name -> [(index field, boost, stemmed)]
    "text": [
        ("title", 3.0, False),
        ("body", 1.0, False),
        ("caption", 0.5, False),
        ("title_stem", 1.2, True),
        ("body_stem", 0.4, True),
    ],
    "title": [("title", 3.0, False), ("title_stem", 1.2, True)],
    "body": [("body", 1.0, False), ("body_stem", 0.4, True)],
    "caption": [("caption", 1.0, False)],
}
PHRASE_FIELDS = {
    "text": [("title", 3.0), ("body", 1.0), ("caption", 0.5)],
    "title": [("title", 3.0)],
    "body": [("body", 1.0)],
    "caption": [("caption", 1.0)],
}
ALIASES = {
    "title": ["judul", "headline"],
    "body": ["isi", "konten", "content"],
    "caption": ["keterangan", "foto"],
    "reporter": ["penulis", "wartawan", "author", "oleh"],
    "category": ["kategori", "rubrik", "kanal"],
    "source": ["sumber", "media", "outlet"],
    "date": ["tanggal", "tgl", "published", "waktu"],
    "tags": ["tag", "topik"],
}
KNOWN_FIELDS = set(ALIASES) | {a for names in ALIASES.values() for a in names}


class RankedOr(Q.Or):
    """Whoosh's Or, always matched as a tree of unions that can skip low-scoring blocks.

    On a segment of 5,000 articles or fewer Whoosh's automatic choice scores every match up
    front (``ArrayUnionMatcher``); an index written as several such segments then answered
    common-word searches 2 to 5 times slower than the same index as one segment.
    """

    matcher_type = Q.Or.DEFAULT_MATCHER


class _ExcludingMatcher(AndNotMatcher):
    """Whoosh's AndNotMatcher, with the first document checked against the exclusion too.

    whoosh3's ``_find_first`` only excludes the first candidate when the excluded matcher
    happens to start on the same document; when it starts earlier, the segment's first
    candidate was kept even if it held the excluded word (one leak per segment: ``gempa NOT
    palu`` listed articles about Palu). ``replace()`` keeps this class.
    """

    def _find_first(self) -> None:
        a, b = self.a, self.b
        if a.is_active() and b.is_active():
            if b.id() < a.id():
                b.skip_to(a.id())
            if b.is_active() and a.id() == b.id():
                self._find_next()


class Excluding(Q.AndNot):
    """``a`` without the documents matching ``b``, matched by ``_ExcludingMatcher``."""

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        scored = self.a.matcher(searcher, context)
        excluded = self.b.matcher(searcher, searcher.boolean_context())
        return _ExcludingMatcher(scored, excluded)


class QueryError(ValueError):
    """A query that cannot be searched at all (only produced for empty input)."""


@dataclass
class ParsedQuery:
    query: Q.Query
    text: str
    messages: list[str] = field(default_factory=list)
    # Folded surface words and stems the user searched for, for snippets and highlighting.
    words: set[str] = field(default_factory=set)
    stems: set[str] = field(default_factory=set)
    phrases: list[list[str]] = field(default_factory=list)
    # The user's plain words as typed, in order, for "did you mean".
    plain_words: list[str] = field(default_factory=list)


def _raw_schema() -> Schema:
    # Words are only split on spaces here; the Indonesian analysis happens in the rewrite.
    raw = SpaceSeparatedTokenizer()
    return Schema(**{name: TEXT(analyzer=raw) for name in ["text", *ALIASES]})


_RAW_SCHEMA = _raw_schema()


def _make_parser() -> QueryParser:
    parser = QueryParser("text", _RAW_SCHEMA, group=AndGroup)
    parser.add_plugin(FieldAliasPlugin(ALIASES))
    parser.add_plugin(FuzzyTermPlugin())
    # '-word' excludes; a hyphen inside a word (Jong-un, 2023-08) is part of the word.
    parser.add_plugin(PlusMinusPlugin(plusexpr=r"(?!x)x", minusexpr=r"(?:^|(?<=[\s(]))-(?=\S)"))
    parser.add_plugin(GtLtPlugin())
    parser.replace_plugin(
        OperatorsPlugin(
            And=r"(?<=\s)(AND|DAN|&&)(?=\s)",
            Or=r"(?<=\s)(OR|ATAU|\|\|)(?=\s)",
            Not=r"(^|(?<=(\s|[()])))(NOT|TANPA)(?=\s)",
            AndNot=None,
            AndMaybe=None,
            Require=None,
        )
    )
    return parser


_PARSER = _make_parser()
_SURFACE = surface_analyzer()


@lru_cache(maxsize=8)
def _stemmed_analyzer(stemmer: str):  # noqa: ANN202 - a Whoosh composite analyzer
    return stem_analyzer(stemmer)


class _Rewriter:
    def __init__(self, parsed: ParsedQuery, stemmer: str) -> None:
        self.parsed = parsed
        self.clauses = 0
        self.stemmed = _stemmed_analyzer(stemmer)

    def note(self, message: str) -> None:
        if message not in self.parsed.messages:
            self.parsed.messages.append(message)

    # -- words and phrases

    def words_query(self, fieldname: str, raw: str, boost: float = 1.0) -> Q.Query:
        """A typed word: one token, or several (Jong-un, COVID-19) searched as a phrase."""
        tokens = analyze(raw, _SURFACE)
        if not tokens:
            return Q.NullQuery
        if len(tokens) > 1:
            return self.phrase_query(fieldname, tokens, slop=1, boost=boost)
        word = tokens[0]
        if fieldname == "text" and word not in self.parsed.plain_words:
            self.parsed.plain_words.append(word)
        if word in STOPWORDS and fieldname in ("text", "title", "body"):
            self.parsed.words.add(word)
            return _Stop(word)
        return self.term_query(fieldname, word, boost)

    def term_query(self, fieldname: str, word: str, boost: float = 1.0) -> Q.Query:
        self.clauses += 1
        self.parsed.words.add(word)
        stems = analyze(word, self.stemmed)
        stem = stems[0] if stems else word
        self.parsed.stems.add(stem)
        subqueries: list[Q.Query] = []
        for index_field, weight, stemmed in TEXT_FIELDS[fieldname]:
            subqueries.append(Q.Term(index_field, stem if stemmed else word, boost=weight))
        return _either(subqueries, boost)

    def phrase_query(self, fieldname: str, words: list[str], slop: int = 1, boost: float = 1.0) -> Q.Query:
        self.clauses += 1
        words = [w for w in words if w]
        if not words:
            return Q.NullQuery
        self.parsed.words.update(words)
        self.parsed.phrases.append(words)
        if len(words) == 1:
            return self.term_query(fieldname, words[0], boost)
        subqueries: list[Q.Query] = [
            PairPhrase(index_field, words, slop=slop, boost=weight) for index_field, weight in PHRASE_FIELDS[fieldname]
        ]
        return _either(subqueries, boost)

    # -- metadata fields

    def reporter_query(self, raw: str) -> Q.Query:
        words = analyze(raw, _SURFACE)
        if not words:
            return Q.NullQuery
        return Q.And([Q.Term("reporter", w) for w in words])

    def key_query(self, keyfield: str, raw: str) -> Q.Query:
        value = fold(" ".join(raw.split()))
        return Q.Term(keyfield, value) if value else Q.NullQuery

    def date_query(self, raw: str) -> Q.Query:
        span = parse_date_span(raw)
        if span is None:
            self.note(f'tanggal tidak dikenali: {raw!r} (contoh: 2023-08-31, 2023-08, "31 Agustus 2023")')
            return Q.NullQuery
        return date_span_query(span[0].date(), span[1].date())

    def date_range(self, start: str | None, end: str | None, startexcl: bool, endexcl: bool) -> Q.Query:
        lo = parse_date_span(start) if start else None
        hi = parse_date_span(end) if end else None
        if (start and lo is None) or (end and hi is None):
            self.note(f"rentang tanggal tidak dikenali: [{start or ''} TO {end or ''}]")
            return Q.NullQuery
        low = (lo[1] + timedelta(microseconds=1)) if (lo and startexcl) else (lo[0] if lo else None)
        high = (hi[0] - timedelta(microseconds=1)) if (hi and endexcl) else (hi[1] if hi else None)
        if low is None and high is None:
            return Q.NullQuery
        return date_span_query(low.date() if low else None, high.date() if high else None)

    # -- the walk

    def rewrite(self, node: Q.Query) -> Q.Query:
        if self.clauses > MAX_CLAUSES:
            self.note(f"kueri terlalu panjang: hanya {MAX_CLAUSES} istilah pertama yang dipakai")
            return Q.NullQuery
        fieldname = getattr(node, "fieldname", None)
        if isinstance(node, Q.Not):
            inner = self.rewrite(node.query)
            return Q.NullQuery if inner is Q.NullQuery or isinstance(inner, _Stop) else Q.Not(inner)
        if isinstance(node, (Q.And, Q.Or, Q.AndNot, Q.AndMaybe, Q.Require)):
            return self.compound(node)
        if fieldname == "date":
            return self.date_node(node)
        if isinstance(node, Q.Phrase):
            return self.field_text(fieldname, " ".join(node.words), phrase=True, slop=node.slop, boost=node.boost)
        if isinstance(node, Q.FuzzyTerm):
            return self.fuzzy(fieldname, node)
        if isinstance(node, (Q.Prefix, Q.Wildcard)):
            return self.wildcard(fieldname, node)
        if isinstance(node, Q.Term):
            return self.field_text(fieldname, str(node.text), phrase=False, boost=node.boost)
        if isinstance(node, Q.TermRange):
            self.note(f"rentang hanya untuk tanggal: {node}")
            return Q.NullQuery
        if node is Q.NullQuery or isinstance(node, Q.Every):
            return Q.NullQuery
        self.note(f"bagian kueri diabaikan: {node}")
        return Q.NullQuery

    def compound(self, node: Q.Query) -> Q.Query:
        if isinstance(node, (Q.AndNot, Q.AndMaybe, Q.Require)):
            left, right = self.rewrite(node.a), self.rewrite(node.b)
            if isinstance(node, Q.AndNot):
                return Excluding(left, right) if right is not Q.NullQuery else left
            return type(node)(left, right)
        children = [self.rewrite(child) for child in node.subqueries]
        children = [c for c in children if c is not Q.NullQuery]
        if isinstance(node, Q.Or):
            children = [c.as_terms() if isinstance(c, _Stop) else c for c in children]
            return RankedOr(children, boost=node.boost) if children else Q.NullQuery
        positives = [c for c in children if not isinstance(c, (Q.Not, _Stop))]
        stops = [c for c in children if isinstance(c, _Stop)]
        negatives = [c for c in children if isinstance(c, Q.Not)]
        if not positives and stops:
            # A query of nothing but function words still searches for them.
            positives = [s.as_terms() for s in stops]
        if not positives:
            if negatives:
                self.note("kueri hanya berisi pengecualian; tambahkan kata yang dicari")
            return Q.NullQuery
        if negatives:
            return Excluding(_and(positives, node.boost), _either([n.query for n in negatives]))
        return _and(positives, node.boost)

    def field_text(self, fieldname: str | None, raw: str, phrase: bool, slop: int = 1, boost: float = 1.0) -> Q.Query:
        fieldname = fieldname or "text"
        if fieldname == "reporter":
            return self.reporter_query(raw)
        if fieldname == "category":
            return self.key_query("category_key", raw)
        if fieldname == "source":
            return self.key_query("source_key", raw)
        if fieldname == "tags":
            value = " ".join(raw.lower().split())
            return Q.Term("tags", value) if value else Q.NullQuery
        if phrase:
            return self.phrase_query(fieldname, analyze(raw, _SURFACE), slop=slop, boost=boost)
        return self.words_query(fieldname, raw, boost)

    def fuzzy(self, fieldname: str | None, node: Q.FuzzyTerm) -> Q.Query:
        fieldname = fieldname if fieldname in TEXT_FIELDS else "text"
        tokens = analyze(str(node.text), _SURFACE)
        if not tokens:
            return Q.NullQuery
        word = tokens[0]
        self.clauses += 1
        self.parsed.words.add(word)
        maxdist = max(1, min(int(node.maxdist), 2))
        prefix = 1 if len(word) > 3 else 0
        return _either(
            [
                Q.FuzzyTerm(f, word, boost=w, maxdist=maxdist, prefixlength=prefix)
                for f, w, stemmed in TEXT_FIELDS[fieldname]
                if not stemmed
            ]
        )

    def wildcard(self, fieldname: str | None, node: Q.Query) -> Q.Query:
        fieldname = fieldname if fieldname in TEXT_FIELDS else "text"
        pattern = str(node.text) + ("*" if isinstance(node, Q.Prefix) else "")
        stem = pattern.rstrip("*?")
        folded = fold(stem) if stem else ""
        if len(folded) < 2 or "*" in stem or "?" in stem:
            self.note(f"pola terlalu pendek atau rumit: {pattern!r}; dicari sebagai kata biasa")
            return self.words_query(fieldname, pattern.replace("*", " ").replace("?", " "))
        self.clauses += 1
        self.parsed.words.add(folded)
        return _either([Q.Prefix(f, folded, boost=w) for f, w, stemmed in TEXT_FIELDS[fieldname] if not stemmed])

    def date_node(self, node: Q.Query) -> Q.Query:
        if isinstance(node, Q.TermRange):
            return self.date_range(node.start, node.end, node.startexcl, node.endexcl)
        if isinstance(node, Q.Phrase):
            return self.date_query(" ".join(node.words))
        text = getattr(node, "text", None)
        if text is None:
            self.note(f"tanggal tidak dikenali: {node}")
            return Q.NullQuery
        return self.date_query(str(text))


class _Stop(Q.Term):
    """A function word: dropped from keyword searches unless it is all there is."""

    def __init__(self, word: str) -> None:
        super().__init__("body", word)

    def as_terms(self) -> Q.Query:
        return RankedOr([Q.Term("title", self.text, boost=3.0), Q.Term("body", self.text)])


def _either(subqueries: list[Q.Query], boost: float = 1.0) -> Q.Query:
    if len(subqueries) == 1:
        q = subqueries[0]
        if boost != 1.0:
            q = q.with_boost(q.boost * boost)
        return q
    return RankedOr(subqueries, boost=boost)


def _and(subqueries: list[Q.Query], boost: float = 1.0) -> Q.Query:
    if len(subqueries) == 1 and boost == 1.0:
        return subqueries[0]
    return Q.And(subqueries, boost=boost)


_ISO_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_ISO_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_YEAR = re.compile(r"^(\d{4})$")
_WORDS_DATE = re.compile(r"^(?:(\d{1,2})\s+)?([A-Za-z]+)\.?\s+(\d{4})$")
_NUMERIC_DAY = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$")


def parse_date_span(text: str) -> tuple[datetime, datetime] | None:
    """The first and last instant of the day, month or year a user wrote.

    2023-08-31, 2023-08, 2023, 31/08/2023, '31 Agustus 2023', 'Agustus 2023', 'Aug 2023'.
    Returns None for anything else, including impossible dates such as 2023-02-30.
    """
    text = " ".join(str(text).strip().strip("\"'").split()).lower()
    try:
        if m := _ISO_DAY.match(text):
            start = datetime(int(m[1]), int(m[2]), int(m[3]))
            return start, start + timedelta(days=1) - timedelta(microseconds=1)
        if m := _NUMERIC_DAY.match(text):
            start = datetime(int(m[3]), int(m[2]), int(m[1]))
            return start, start + timedelta(days=1) - timedelta(microseconds=1)
        if m := _ISO_MONTH.match(text):
            return _month_span(int(m[1]), int(m[2]))
        if m := _YEAR.match(text):
            year = int(m[1])
            return datetime(year, 1, 1), datetime(year, 12, 31, 23, 59, 59, 999999)
        if m := _WORDS_DATE.match(text):
            month = MONTHS.get(m[2])
            if month is None:
                return None
            if m[1]:
                start = datetime(int(m[3]), month, int(m[1]))
                return start, start + timedelta(days=1) - timedelta(microseconds=1)
            return _month_span(int(m[3]), month)
    except ValueError:
        return None
    return None


EARLIEST_DAY = date(1900, 1, 1)  # the indexer refuses earlier and future dates as impossible


def date_span_query(first: date | None, last: date | None) -> Q.Query:
    """Articles published from day ``first`` to day ``last`` (inclusive; None is open).

    The span is cut into whole years, whole months and single days, each one indexed term
    (``year``, ``month``, ``day`` fields), so a month is one posting list where a numeric
    range over timestamps would union dozens.
    """
    latest = date(date.today().year + 1, 12, 31)
    day = max(first or EARLIEST_DAY, EARLIEST_DAY)
    last = min(last or latest, latest)
    terms: list[Q.Query] = []
    while day <= last:
        month_end = date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])
        if day.month == 1 and day.day == 1 and date(day.year, 12, 31) <= last:
            terms.append(Q.Term("year", f"{day.year:04d}"))
            day = date(day.year + 1, 1, 1)
        elif day.day == 1 and month_end <= last:
            terms.append(Q.Term("month", f"{day.year:04d}-{day.month:02d}"))
            day = month_end + timedelta(days=1)
        else:
            terms.append(Q.Term("day", day.isoformat()))
            day += timedelta(days=1)
    if not terms:
        return Q.NullQuery
    return terms[0] if len(terms) == 1 else Q.Or(terms)


def _month_span(year: int, month: int) -> tuple[datetime, datetime]:
    last = calendar.monthrange(year, month)[1]
    return datetime(year, month, 1), datetime(year, month, last, 23, 59, 59, 999999)


_PLUS = re.compile(r"(?:^|(?<=[\s(]))\+(?=\S)")
_SYNTAX_CHARS = re.compile(r"[\"()\[\]{}:^~*?\\+\-!&|<>=]")


def parse_query(text: str, stemmer: str = DEFAULT_STEMMER) -> ParsedQuery:
    """Parse what a user typed. Never raises for any string; empty input gives NullQuery.

    ``stemmer`` must be the one the index was built with (``SearchEngine`` reads it from
    the schema).
    """
    original = text or ""
    text = original.replace("\x00", " ")
    parsed = ParsedQuery(Q.NullQuery, original)
    if len(text) > MAX_QUERY_CHARS:
        text = text[:MAX_QUERY_CHARS]
        parsed.messages.append(f"kueri dipotong menjadi {MAX_QUERY_CHARS} karakter")
    if not text.strip():
        return parsed
    try:
        # '+word' is the default already (every word must match).
        tree = _PARSER.parse(_PLUS.sub("", text))
        rewriter = _Rewriter(parsed, stemmer)
        result = rewriter.rewrite(tree)
        if isinstance(result, _Stop):
            result = result.as_terms()
        parsed.query = result.normalize() if result is not Q.NullQuery else Q.NullQuery
    except Exception as exc:  # the parser must never take the tool down
        literal = _SYNTAX_CHARS.sub(" ", text)
        parsed.messages.append(f"sintaks kueri tidak dapat dibaca ({type(exc).__name__}); dicari sebagai teks biasa")
        parsed.words.clear()
        parsed.stems.clear()
        parsed.phrases.clear()
        parsed.plain_words.clear()
        try:
            rewriter = _Rewriter(parsed, stemmer)
            parts = [rewriter.words_query("text", w) for w in literal.split()[:MAX_CLAUSES]]
            parts = [p.as_terms() if isinstance(p, _Stop) else p for p in parts if p is not Q.NullQuery]
            parsed.query = _and(parts).normalize() if parts else Q.NullQuery
        except Exception:
            parsed.query = Q.NullQuery
    return parsed
