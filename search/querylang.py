"""The query language: one parser for the CLI and the web, producing a neutral query plan.

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

Whoosh's QueryParser reads the syntax over a schema of raw fields (names from
``index.fields``); each node is then rewritten into ``search.plan`` nodes holding words
already analysed the Indonesian way. Malformed input never raises: it becomes a literal
search, with a message saying what was set aside.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any, TypeAlias

from berita_search.index.analysis import analyze, fold, stem_analyzer, surface_analyzer
from berita_search.index.dates import FIRST_PLAUSIBLE_DAY, MONTHS
from berita_search.index.fields import ALL_TEXT, BY_NAME, FIELDS, Kind
from berita_search.index.schema import DEFAULT_STEMMER
from berita_search.index.stopwords import STOPWORDS
from berita_search.search import plan as P
from berita_search.search.messages import Message
from whoosh import query as Q
from whoosh.analysis import SpaceSeparatedTokenizer
from whoosh.fields import TEXT, Schema
from whoosh.qparser import (
    FieldAliasPlugin,
    FuzzyTermPlugin,
    GtLtPlugin,
    OperatorsPlugin,
    QueryParser,
)
from whoosh.qparser.syntax import AndGroup

MAX_QUERY_CHARS = 500
MAX_CLAUSES = 64
# Bounds on the work one query may ask for (each cut is said in a message).
MIN_PREFIX_LETTERS = 3  # "ke*" would stand for thousands of words
MAX_PREFIX_WORDS = 1_000  # words one prefix may stand for, the most widespread first
MAX_FUZZY_WORDS = 50  # spelling variants of one fuzzy word (Lucene's default)
MAX_FUZZY_TERMS = 8  # fuzzy words per query; each walks the whole lexicon
MAX_SLOP = 50  # words between a phrase's words
ALL = "text"  # the parser's name for words typed without a field


class QueryError(ValueError):
    """A query that cannot be searched at all (only produced for empty input)."""


@dataclass
class ParsedQuery:
    plan: P.Node | None  # None: nothing to search for
    text: str
    messages: list[Message] = field(default_factory=list)
    # Folded surface words and stems the user searched for, for snippets and highlighting.
    words: set[str] = field(default_factory=set)
    stems: set[str] = field(default_factory=set)
    phrases: list[list[str]] = field(default_factory=list)
    # The user's plain words as typed, in order, for "did you mean".
    plain_words: list[str] = field(default_factory=list)
    # Plain words outside exclusions, in order: their nearness to each other earns a bonus.
    proximity: list[str] = field(default_factory=list)


def _raw_schema() -> Schema:
    # Words are only split on spaces here; the Indonesian analysis happens in the rewrite.
    raw = SpaceSeparatedTokenizer()
    names = [ALL, *(f.name for f in FIELDS if f.kind is not Kind.STORED)]
    return Schema(**{name: TEXT(analyzer=raw) for name in names})  # a tokenizer is an analyzer


_RAW_SCHEMA = _raw_schema()


def _make_parser() -> QueryParser:
    parser = QueryParser(ALL, _RAW_SCHEMA, group=AndGroup)
    parser.add_plugin(FieldAliasPlugin({f.name: list(f.aliases) for f in FIELDS if f.aliases}))
    parser.add_plugin(FuzzyTermPlugin())
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
def _stemmed_analyzer(stemmer: str) -> Any:  # a Whoosh composite analyzer
    return stem_analyzer(stemmer)


@dataclass(frozen=True)
class _FunctionWord:
    """A function word: dropped from keyword searches unless it is all there is."""

    word: str

    def as_term(self) -> P.Term:
        return P.Term(("title", "body"), self.word, None)


_Rewritten: TypeAlias = P.Node | _FunctionWord | None


def _text_fields(fieldname: str) -> tuple[str, ...]:
    return ALL_TEXT if fieldname == ALL else (fieldname,)


class _Rewriter:
    def __init__(self, parsed: ParsedQuery, stemmer: str) -> None:
        self.parsed = parsed
        self.clauses = 0
        self.fuzzy_terms = 0
        self.negated = 0  # depth of NOT around the node being rewritten
        self.stemmed = _stemmed_analyzer(stemmer)

    def note(self, code: str, **values: object) -> None:
        message = Message.of(code, **values)
        if message not in self.parsed.messages:
            self.parsed.messages.append(message)

    # -- words and phrases

    def words_query(self, fieldname: str, raw: str, boost: float = 1.0) -> _Rewritten:
        """A typed word: one token, or several (Jong-un, COVID-19) searched as a phrase."""
        tokens = analyze(raw, _SURFACE)
        if not tokens:
            return None
        if len(tokens) > 1:
            return self.phrase_query(fieldname, tokens, slop=1, boost=boost)
        word = tokens[0]
        if fieldname == ALL:
            if word not in self.parsed.plain_words:
                self.parsed.plain_words.append(word)
            if not self.negated and word not in self.parsed.proximity:
                self.parsed.proximity.append(word)
        if word in STOPWORDS and fieldname in (ALL, "title", "body"):
            self.parsed.words.add(word)
            return _FunctionWord(word)
        return self.term_query(fieldname, word, boost)

    def term_query(self, fieldname: str, word: str, boost: float = 1.0) -> P.Node:
        self.clauses += 1
        self.parsed.words.add(word)
        stems = analyze(word, self.stemmed)
        stem = stems[0] if stems else word
        self.parsed.stems.add(stem)
        return P.Term(_text_fields(fieldname), word, stem, boost)

    def phrase_query(self, fieldname: str, words: list[str], slop: int = 1, boost: float = 1.0) -> _Rewritten:
        self.clauses += 1
        words = [w for w in words if w]
        if not words:
            return None
        self.parsed.words.update(words)
        self.parsed.phrases.append(words)
        if len(words) == 1:
            return self.term_query(fieldname, words[0], boost)
        return P.Phrase(_text_fields(fieldname), tuple(words), slop, boost)

    # -- metadata fields

    def name_query(self, fieldname: str, raw: str) -> _Rewritten:
        parts = analyze(raw, _SURFACE)
        return P.Name(fieldname, tuple(parts)) if parts else None

    def exact_query(self, fieldname: str, raw: str) -> _Rewritten:
        value = fold(" ".join(raw.split())) if BY_NAME[fieldname].kind is Kind.KEY else " ".join(raw.lower().split())
        return P.Exact(fieldname, value) if value else None

    def date_query(self, raw: str) -> _Rewritten:
        span = parse_date_span(raw)
        if span is None:
            self.note("date_unreadable", value=raw)
            return None
        return self.date_span(span[0].date(), span[1].date())

    def date_range(self, start: str | None, end: str | None, startexcl: bool, endexcl: bool) -> _Rewritten:
        lo = parse_date_span(start) if start else None
        hi = parse_date_span(end) if end else None
        if (start and lo is None) or (end and hi is None):
            self.note("date_range_unreadable", start=start or "", end=end or "")
            return None
        low = (lo[1] + timedelta(microseconds=1)) if (lo and startexcl) else (lo[0] if lo else None)
        high = (hi[0] - timedelta(microseconds=1)) if (hi and endexcl) else (hi[1] if hi else None)
        if low is None and high is None:
            return None
        return self.date_span(low.date() if low else None, high.date() if high else None)

    def date_span(self, first: date | None, last: date | None) -> P.Node:
        node = span_node(first, last)
        if isinstance(node, P.Nothing):
            self.note("empty_date_range", first=first or "…", last=last or "…")
        return node

    # -- the walk

    def rewrite(self, node: Q.Query) -> _Rewritten:
        if self.clauses > MAX_CLAUSES:
            self.note("too_many_terms", limit=MAX_CLAUSES)
            return None
        fieldname = getattr(node, "fieldname", None) or ALL
        if isinstance(node, Q.Not):
            self.negated += 1
            inner = self.rewrite(node.query)
            self.negated -= 1
            return None if inner is None or isinstance(inner, _FunctionWord) else P.Not(inner)
        if isinstance(node, (Q.And, Q.Or)):
            return self.compound(node)
        if isinstance(node, Q.AndNot):  # 'a -b'
            return self.excluding(node)
        if isinstance(node, (Q.AndMaybe, Q.Require)):  # not produced by this parser's operators
            return self.compound(Q.And([node.a, node.b]) if isinstance(node, Q.Require) else Q.And([node.a]))
        if fieldname == "published":
            return self.date_node(node)
        if isinstance(node, Q.Phrase):
            slop = node.slop
            if slop > MAX_SLOP:
                self.note("slop_cut", limit=MAX_SLOP)
                slop = MAX_SLOP
            return self.field_text(fieldname, " ".join(node.words), phrase=True, slop=slop, boost=node.boost)
        if isinstance(node, Q.FuzzyTerm):
            return self.fuzzy(fieldname, node)
        if isinstance(node, (Q.Prefix, Q.Wildcard)):
            return self.wildcard(fieldname, node)
        if isinstance(node, Q.Term):
            return self.field_text(fieldname, str(node.text), phrase=False, boost=node.boost)
        if isinstance(node, Q.TermRange):
            self.note("range_not_date", part=str(node))
            return None
        if node is Q.NullQuery or isinstance(node, Q.Every):
            return None
        self.note("part_ignored", part=str(node))
        return None

    def compound(self, node: Q.And | Q.Or) -> _Rewritten:
        rewritten = [self.rewrite(child) for child in node.subqueries]
        children = [c for c in rewritten if c is not None]
        if isinstance(node, Q.Or):
            if any(isinstance(c, P.Not) for c in children):
                # "a OR NOT b" would be nearly everything: an exclusion needs something to exclude from.
                self.note("only_exclusions")
            terms = [c.as_term() if isinstance(c, _FunctionWord) else c for c in children if not isinstance(c, P.Not)]
            if not terms:
                return None
            return terms[0] if len(terms) == 1 and node.boost == 1.0 else P.Or(tuple(terms), node.boost)
        positives: list[P.Node] = [c for c in children if not isinstance(c, (P.Not, _FunctionWord))]
        stops = [c for c in children if isinstance(c, _FunctionWord)]
        negatives = [c for c in children if isinstance(c, P.Not)]
        if not positives and stops:
            # A query of nothing but function words still searches for them.
            positives = [s.as_term() for s in stops]
        if not positives:
            if negatives:
                self.note("only_exclusions")
            return None
        if len(positives) == 1 and not negatives and node.boost == 1.0:
            return positives[0]
        return P.And((*positives, *negatives), node.boost)

    def excluding(self, node: Q.AndNot) -> _Rewritten:
        kept = self.rewrite(node.a)
        self.negated += 1
        excluded = self.rewrite(node.b)
        self.negated -= 1
        if isinstance(kept, _FunctionWord):
            kept = kept.as_term()
        if excluded is None or isinstance(excluded, _FunctionWord):
            return kept
        if kept is None:
            self.note("only_exclusions")
            return None
        children = kept.children if isinstance(kept, P.And) and kept.boost == 1.0 else (kept,)
        return P.And((*children, P.Not(excluded)))

    def field_text(self, fieldname: str, raw: str, phrase: bool, slop: int = 1, boost: float = 1.0) -> _Rewritten:
        kind = Kind.TEXT if fieldname == ALL else BY_NAME[fieldname].kind
        if kind is Kind.NAME:
            return self.name_query(fieldname, raw)
        if kind in (Kind.KEY, Kind.TAGS):
            return self.exact_query(fieldname, raw)
        if phrase:
            return self.phrase_query(fieldname, analyze(raw, _SURFACE), slop=slop, boost=boost)
        return self.words_query(fieldname, raw, boost)

    def fuzzy(self, fieldname: str, node: Q.FuzzyTerm) -> _Rewritten:
        fieldname = fieldname if _searches_text(fieldname) else ALL
        tokens = analyze(str(node.text), _SURFACE)
        if not tokens:
            return None
        word = tokens[0]
        self.clauses += 1
        self.parsed.words.add(word)
        # Edits allowed grow with the word, as Lucene's AUTO fuzziness: none for one or two
        # letters (every short word is a variant of every other), one up to five, then two.
        distance = min(max(1, int(node.maxdist)), 0 if len(word) <= 2 else 1 if len(word) <= 5 else 2)
        if distance == 0:
            self.note("fuzzy_too_short", word=word)
            return self.words_query(fieldname, word)
        self.fuzzy_terms += 1
        if self.fuzzy_terms > MAX_FUZZY_TERMS:
            self.note("too_many_fuzzy", limit=MAX_FUZZY_TERMS)
            return self.words_query(fieldname, word)
        # Variants share the first letter: a misspelling rarely starts wrong, and the walk of the
        # lexicon then covers one letter's words instead of all of them.
        return P.Fuzzy(_text_fields(fieldname), word, distance, 1, MAX_FUZZY_WORDS)

    def wildcard(self, fieldname: str, node: Q.Query) -> _Rewritten:
        fieldname = fieldname if _searches_text(fieldname) else ALL
        pattern = str(getattr(node, "text", "")) + ("*" if isinstance(node, Q.Prefix) else "")
        stem = pattern.rstrip("*?")
        folded = fold(stem) if stem else ""
        if len(folded) < MIN_PREFIX_LETTERS or "*" in stem or "?" in stem:
            self.note("pattern_too_short", pattern=pattern, letters=MIN_PREFIX_LETTERS)
            return self.words_query(fieldname, pattern.replace("*", " ").replace("?", " "))
        self.clauses += 1
        self.parsed.words.add(folded)
        return P.Prefix(_text_fields(fieldname), folded, MAX_PREFIX_WORDS)

    def date_node(self, node: Q.Query) -> _Rewritten:
        if isinstance(node, Q.TermRange):
            return self.date_range(node.start, node.end, node.startexcl, node.endexcl)
        if isinstance(node, Q.Phrase):
            return self.date_query(" ".join(node.words))
        text = getattr(node, "text", None)
        if text is None:
            self.note("date_unreadable", value=str(node))
            return None
        return self.date_query(str(text))


def _searches_text(fieldname: str) -> bool:
    return fieldname == ALL or (fieldname in BY_NAME and BY_NAME[fieldname].kind is Kind.TEXT)


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


def date_periods(first: date | None, last: date | None) -> list[tuple[str, str]]:
    """The span from day ``first`` to day ``last`` (inclusive; None is open) as whole years,
    whole months and single days: (``"year"``, ``"2023"``), (``"month"``, ``"2023-08"``),
    (``"day"``, ``"2023-08-31"``). Every article is indexed with its year, month and day, so a
    month is one posting list where a numeric range over timestamps would union dozens.
    """
    latest = date(date.today().year + 1, 12, 31)
    day = max(first or FIRST_PLAUSIBLE_DAY, FIRST_PLAUSIBLE_DAY)
    last = min(last or latest, latest)
    periods: list[tuple[str, str]] = []
    while day <= last:
        month_end = date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])
        if day.month == 1 and day.day == 1 and date(day.year, 12, 31) <= last:
            periods.append(("year", f"{day.year:04d}"))
            day = date(day.year + 1, 1, 1)
        elif day.day == 1 and month_end <= last:
            periods.append(("month", f"{day.year:04d}-{day.month:02d}"))
            day = month_end + timedelta(days=1)
        else:
            periods.append(("day", day.isoformat()))
            day += timedelta(days=1)
    return periods


def span_node(first: date | None, last: date | None) -> P.Node:
    """Published from ``first`` to ``last``; ``Nothing`` when no day of the archive's possible
    dates (1744 to the end of next year) lies between them, so an impossible range finds
    nothing instead of being dropped and finding everything."""
    return P.DateSpan(first, last) if date_periods(first, last) else P.Nothing()


def _month_span(year: int, month: int) -> tuple[datetime, datetime]:
    last = calendar.monthrange(year, month)[1]
    return datetime(year, month, 1), datetime(year, month, last, 23, 59, 59, 999999)


_PLUS = re.compile(r"(?:^|(?<=[\s(]))\+(?=\S)")
# '-word' excludes, as NOT does, at any depth ("(a -b) OR c"); a hyphen inside a word
# (Jong-un, 2023-08) is part of the word.
_MINUS = re.compile(r"(?:^|(?<=[\s(]))-(?=\S)")
_SYNTAX_CHARS = re.compile(r"[\"()\[\]{}:^~*?\\+\-!&|<>=]")


def parse_query(text: str, stemmer: str = DEFAULT_STEMMER) -> ParsedQuery:
    """Parse what a user typed. Never raises for any string; empty input gives no plan.

    ``stemmer`` must be the one the index was built with (the backend reads it from the
    index).
    """
    original = text or ""
    text = original.replace("\x00", " ")
    parsed = ParsedQuery(None, original)
    if len(text) > MAX_QUERY_CHARS:
        text = text[:MAX_QUERY_CHARS]
        parsed.messages.append(Message.of("query_cut", limit=MAX_QUERY_CHARS))
    if not text.strip():
        return parsed
    try:
        # '+word' is the default already (every word must match).
        tree = _PARSER.parse(_MINUS.sub("NOT ", _PLUS.sub("", text)))
        rewriter = _Rewriter(parsed, stemmer)
        result = rewriter.rewrite(tree)
        if isinstance(result, P.Not):
            rewriter.note("only_exclusions")
            result = None
        parsed.plan = result.as_term() if isinstance(result, _FunctionWord) else result
    except Exception as exc:  # the parser must never take the tool down
        literal = _SYNTAX_CHARS.sub(" ", text)
        parsed.messages.append(Message.of("syntax_unreadable", error=type(exc).__name__))
        parsed.words.clear()
        parsed.stems.clear()
        parsed.phrases.clear()
        parsed.plain_words.clear()
        parsed.proximity.clear()
        try:
            rewriter = _Rewriter(parsed, stemmer)
            parts = [rewriter.words_query(ALL, w) for w in literal.split()[:MAX_CLAUSES]]
            nodes = [p.as_term() if isinstance(p, _FunctionWord) else p for p in parts if p is not None]
            parsed.plan = (nodes[0] if len(nodes) == 1 else P.And(tuple(nodes))) if nodes else None
        except Exception:
            parsed.plan = None
    return parsed
