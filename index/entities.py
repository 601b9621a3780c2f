"""People, organisations and places named in an article, by rules suited to Indonesian news.

``extract_entities(title, body)`` returns one ``Entity`` per distinct thing named, with a canonical
name: the alias table's (``data/aliases.tsv``: Jokowi = Joko Widodo, KPK = Komisi Pemberantasan
Korupsi), the place gazetteer's (``data/places_*.tsv``: Kabupaten Bogor = Bogor), an acronym's
spelled-out form when the article gives it ("Badan Pusat Statistik (BPS)"), else the longest form
of the name in the article ("Laode M Syarif" then "Syarif" is one person).

How a capitalised run of words is read, left to right:

* an alias (any kind) or a gazetteer place, longest first;
* a role or rank (Presiden, Kapolda, Ketua, AKBP, ...) then a name: a person (``role-title``);
* an organisation head (Komisi, Kementerian, Partai, PT, Badan, Polda, Universitas, ...) and the
  words after it, a following place included (``org-pattern``); a name followed by Group,
  Foundation, FC... (``org-pattern``); an acronym spelled out in the article or written twice
  (``org-acronym``);
* Desa, Kecamatan, Kabupaten, Pulau, Sungai... and a name: a place (``place-pattern``);
* two or more name words that are not ordinary words (``data/lexical_words.txt``): a person
  (``capitalised``); a single name word is a person only when a role, a said-verb or a longer
  name of the same article vouches for it;
* two or three capitals with an age or "berinisial": a person's initials (``initials``).

The title is read only for names the body or the tables confirm: Indonesian titles capitalise
every word. Offsets are into ``article_text(title, body)``: the title, a blank line, the body.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from rapidfuzz.distance import Levenshtein

DATA = Path(__file__).with_name("data")

PERSON, ORGANISATION, PLACE = "person", "organisation", "place"
OTHER = "other"  # a work, a product, an event: a kind of names_learned.tsv, never of an entity


@dataclass(frozen=True, slots=True)
class Entity:
    kind: str  # "person" | "organisation" | "place"
    canonical: str
    mentions: tuple[tuple[int, int], ...]  # (start, end) in article_text(title, body)
    rule: str  # the rule family that found it first: alias, role-title, org-pattern, ...


@dataclass(slots=True)
class Mention:
    start: int
    end: int
    kind: str
    name: str  # as written, titles stripped
    rule: str
    role: str = ""  # folded role word in front of a person ("kapolres"), for resolving "kata Kapolres"
    canonical: str = ""
    canonical_hint: str = ""  # a table's name for a spelled-out form the run could not join


@dataclass(slots=True)
class Analysis:
    """Everything the quote extraction needs besides the entities."""

    text: str
    body_offset: int
    entities: list[Entity]
    mentions: list[Mention]  # resolved, sorted by start; canonical filled in
    roles: dict[str, str] = field(default_factory=dict)  # folded role word -> person canonical


def article_text(title: str, body: str) -> str:
    return f"{title}\n\n{body}"


# ----------------------------------------------------------------------------- folding

_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_SINGLE_LETTER_RUN = re.compile(r"\b(?:[a-z] )+[a-z]\b")


@lru_cache(maxsize=100_000)
def fold_name(name: str) -> str:
    """The form two spellings of one name share: 'B.J. Habibie' = 'bj habibie', 'Newell’s' = 'newell s'."""
    text = unicodedata.normalize("NFKD", name.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _NON_ALNUM.sub(" ", text).strip()
    if not text.isascii() or not text:
        # Non-Latin names (Cyrillic, Hangul) keep their letters.
        text = " ".join(re.findall(r"\w+", unicodedata.normalize("NFKC", name.casefold())))
    return _SINGLE_LETTER_RUN.sub(lambda m: m.group(0).replace(" ", ""), text)


# ----------------------------------------------------------------------------- word lists


def _word_lines() -> dict[str, list[str]]:
    """The sections of data/words.txt: '[name]' then lines of words."""
    sections: dict[str, list[str]] = {}
    current: list[str] = []
    for line in (DATA / "words.txt").read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        if line.startswith("["):
            current = sections.setdefault(line.strip("[] "), [])
        else:
            current.append(line.strip())
    return sections


_WORDS_LINES = _word_lines()
# Each section as a set of words.
_WORDS = {name: frozenset(w for line in lines for w in line.split()) for name, lines in _WORDS_LINES.items()}

# Roles and titles that stand before a person's name (folded). Multi-word roles are read word by
# word: "Juru Bicara", "Wakil Ketua", "Kepala Biro".
ROLE_WORDS = _WORDS["role_words"]
# Role words that may also be the first word of a name ("Putri Dewi", "Raja Seberang"): only a role
# when a name follows and they are not the whole run.
_AMBIGUOUS_ROLES = frozenset({"putri", "raja", "ratu", "sultan", "pangeran", "habib", "mas", "bang", "om"})

# Words that open an organisation's name (folded).
ORG_HEADS = _WORDS["org_heads"]
# Heads that are an organisation on their own when nothing follows: "KPU", "Bawaslu".
# Words that close an organisation's name: "Ciputra Group", "Garda Satwa Foundation".
ORG_TAILS = _WORDS["org_tails"]
# Words that make what follows a place: the prefix is dropped from the canonical name when it is
# administrative, kept when it names a feature (Sungai Cipakancilan, Laut Merah).
PLACE_ADMIN_PREFIXES = _WORDS["place_admin_prefixes"]
PLACE_FEATURE_PREFIXES = _WORDS["place_feature_prefixes"]
# Words that open the name of a building, a work or a product: what follows names no person.
FACILITY_WORDS = _WORDS["facility_words"]
# English words that do not occur in people's names: a run with one of them is a title or a slogan.
ENGLISH_NOT_NAMES = _WORDS["english_not_names"]
# Lower-case words allowed inside a name run when a capitalised word follows.
NAME_PARTICLES = _WORDS["name_particles"]
ORG_CONNECTORS = _WORDS["org_connectors"]
# Capitalised words that are never part of a name: weekdays, months, openers of sentences the
# corpus list may miss, and words of bylines.
NOT_NAME = _WORDS["not_name"]
# Acronyms that are not organisations (laws, times, currencies, school levels, ...).
NOT_ORG_ACRONYMS = _WORDS["not_org_acronyms"]
# Names of kinds of organisation, not of one ("Pemerintah Daerah", "Badan Usaha Milik Negara").
GENERIC_ORGS = frozenset(" ".join(line.split()) for line in _WORDS_LINES.get("generic_orgs", []))
# Heads of a unit whose parent organisation follows: "Biro Penerangan Masyarakat Mabes Polri" is Polri.
SUBUNIT_HEADS = _WORDS["subunit_heads"]
# Said-verbs after which a capitalised word is a speaker (shared with the quote extraction).
SAID_VERBS = _WORDS["said_verbs"]
# Lower-case words before a name that make it a person ("aktris X", "kata X"), or not ("merek X").
_PERSON_BEFORE = _WORDS["person_before"]
_NOT_PERSON_BEFORE = _WORDS["not_person_before"]

# A word: letters, digits inside, apostrophes and hyphens inside; "B.J." as one word.
_WORD = re.compile(r"(?:[A-Z]\.){2,}|[^\W_](?:[\w'’&]|-(?=\w)(?!nya\b))*")
_ACRONYM = re.compile(r"^[A-Z][A-Z0-9&\-]*[A-Z0-9]$|^[A-Z]{2,}[a-z]?$")
_INITIAL = re.compile(r"^(?:[A-Z]|(?:[A-Z]\.){2,})$")
ABBREVIATIONS = frozenset(
    ["dr", "ir", "h", "hj", "prof", "drs", "dra", "st", "kab", "kec", "prov", "kel", "pol", "purn"]
)  # written with a dot inside names
_ROMAN = re.compile(r"^(?:I|II|III|IV|V|VI|VII|VIII|IX|X|XI|XII)$")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;\"“”‘’'(\[\n•\-–—]\s*)$")
_DEFINITION = re.compile(r"\(\s*([A-Z][A-Za-z0-9\-&]{1,11})\s*\)")
_AGE_OR_INITIALS = re.compile(r"^\s*\(\s*[1-9]\d\s*(?:tahun|th)?\s*\)")
_INISIAL_BEFORE = re.compile(r"(?:berinisial|inisial|inisialnya|insial)\s*$", re.IGNORECASE)
_SAID_AFTER = re.compile(r"^\s*,?\s*(?:(?:me|ber)?\w+kan|me\w+|kata|ujar|ucap|tutur|jelas|lanjut|tambah)\b")
_PLACE_QUALIFIERS = _WORDS["place_qualifiers"]
_LOCATIVE = re.compile(r"(?:^|\s)(?:di|ke|kawasan|wilayah|daerah|asal|kota|desa)\s$", re.IGNORECASE)
_GAP_JOIN = re.compile(r"^[ \t]$|^\. ?$|^ ?- ?$")


def _read_table(name: str) -> list[list[str]]:
    rows = []
    for line in (DATA / name).read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            rows.append(line.split("\t"))
    return rows


_INITIAL_DOT = re.compile(r"(?<=\b[A-Z])\.(?=\s*[A-Z])")


@lru_cache(maxsize=100_000)
def _surface_key(text: str) -> str:
    """How a run of words is looked up in the tables: single spaces, initials without dots."""
    if "." not in text and "’" not in text:
        return " ".join(text.split())
    text = _INITIAL_DOT.sub(". ", text.replace("’", "'"))
    return " ".join(text.replace(".", " ").split())


@dataclass(frozen=True, slots=True)
class _Tables:
    aliases: dict[str, tuple[str, str]]  # surface key -> (kind, canonical)
    aliases_folded: dict[str, tuple[str, str]]  # folded key -> (kind, canonical), for words not in capitals
    places: dict[str, str]  # surface key -> canonical
    longest: int  # most words in any alias or place
    lexical: frozenset[str]
    # First word (lower case, first part of a dotted key) -> most words of a name starting with it:
    # most capitalised words start no name of the tables, and are passed over at once.
    alias_first: dict[str, int]
    place_first: dict[str, int]
    learnt: dict[str, str]  # folded name -> kind the corpus gives it (data/names_learned.tsv), "other" included
    given_names: frozenset[str]  # folded first words of two or more learnt people's names
    person_words: frozenset[str]  # folded words of learnt people's names that are not ordinary words
    verb_stems: frozenset[str]  # verbs without their me- prefix ("ramaikan" of "meramaikan"), not names
    # The tables' names written with a small first letter ("detikcom", "tvOne"), which no run holds.
    lower_aliases: re.Pattern[str] | None
    # Surface keys of countries, provinces and states: no person's name ends with one.
    regions: frozenset[str]
    lower_stems: tuple[str, ...]


@lru_cache(maxsize=1)
def tables() -> _Tables:
    aliases: dict[str, tuple[str, str]] = {}
    alias_forms: dict[str, tuple[str, str]] = {}  # as written in the table
    folded: dict[str, tuple[str, str]] = {}
    folded_forms: list[str] = []
    longest = 1
    for kind, canonical, *rest in _read_table("aliases.tsv"):
        forms = [canonical] + [f for f in (rest[0].split("|") if rest else []) if f]
        for form in forms:
            key = _surface_key(form)
            aliases.setdefault(key, (kind, canonical))
            alias_forms.setdefault(form, (kind, canonical))
            if not form.isupper():
                folded.setdefault(fold_name(form), (kind, canonical))
                folded_forms.append(form)
            longest = max(longest, len(key.split()))
    places: dict[str, str] = {}
    regions: set[str] = set()
    for name in ("places_id.tsv", "places_world.tsv"):
        for canonical, kind, *rest in _read_table(name):
            for form in [canonical] + [f for f in (rest[0].split("|") if rest else []) if f]:
                places.setdefault(_surface_key(form), canonical)
                longest = max(longest, len(form.split()))
                if kind in ("negara", "provinsi", "negara bagian") and (form == canonical or len(form) > 6):
                    regions.add(_surface_key(form))  # not "Babel", "Jabar": a surname may be one
    lexical = (
        frozenset(
            line.strip()
            for line in (DATA / "lexical_words.txt").read_text(encoding="utf-8").splitlines()
            if line and not line.startswith("#")
        )
        | _WORDS["portfolio_words"]
    )
    alias_first: dict[str, int] = {}
    for key in list(aliases) + list(folded) + [form.lower() for form in folded_forms]:
        words = key.split()
        alias_first[_first_word(words[0])] = max(alias_first.get(_first_word(words[0]), 0), len(words))
    place_first: dict[str, int] = {}
    for key in places:
        words = key.split()
        place_first[_first_word(words[0])] = max(place_first.get(_first_word(words[0]), 0), len(words))
    learnt: dict[str, str] = {}
    first_words: Counter[str] = Counter()
    for name, kind, _votes in _read_table("names_learned.tsv"):
        key = fold_name(name)
        if kind == PERSON and name.isupper():
            continue  # "AFP", "AH": initials and agencies are read by their own rules
        if kind == PERSON and " " not in key and _NOMINALISATION.match(key):
            continue  # "Perhubungan", "Kemaritiman": a portfolio after "Menteri", learnt as a name
        learnt[key] = kind
        if kind == PERSON and " " in key:
            first_words[key.split(" ", 1)[0]] += 1
    given = frozenset(w for w, n in first_words.items() if n >= 2 and w not in lexical)
    person_words = frozenset(
        word
        for key, kind in learnt.items()
        if kind == PERSON
        for word in key.split()
        if len(word) > 2 and word not in lexical and learnt.get(word, PERSON) == PERSON
    )
    stems = frozenset(stem for stem in _verb_stems(lexical) if stem not in person_words and stem not in lexical)
    lower = sorted({form for form in alias_forms if form[:1].islower()}, key=len, reverse=True)
    lower_aliases = re.compile(r"\b(?:" + "|".join(map(re.escape, lower)) + r")\b") if lower else None
    # Their stems, looked for with ``in`` first: most articles name none of them.
    lower_stems = tuple(sorted({form[:4] for form in lower}))
    return _Tables(
        aliases,
        folded,
        places,
        longest,
        lexical,
        alias_first,
        place_first,
        learnt,
        given,
        person_words,
        stems,
        lower_aliases,
        frozenset(regions),
        lower_stems,
    )


def _verb_stems(lexical: frozenset[str]) -> set[str]:
    """The bare forms of the me- verbs among the ordinary words: titles write "Ramaikan", "Kenalkan",
    "Galang" for "meramaikan", "mengenalkan", "menggalang"."""
    stems = set()
    for word in lexical:
        if not word.startswith("me") or len(word) < 6:
            continue
        rest = word[2:]
        if rest[0] in "rlwymn":
            stems.add(rest)
        if word.startswith("mem"):
            rest = word[3:]
            if rest[0] in "bfv" or rest.startswith("per"):
                stems.add(rest)
            elif rest[0] in "aeiou":
                stems.add("p" + rest)
        elif word.startswith("meng"):
            rest = word[4:]
            if rest[:1] in ("g", "h", "k"):
                stems.add(rest)
            elif rest[:1] in ("a", "e", "i", "o", "u"):
                stems.update(("k" + rest, rest))
        elif word.startswith("meny"):
            rest = word[4:]
            if rest[:1] in ("a", "e", "i", "o", "u"):
                stems.add("s" + rest)
        elif word.startswith("men"):
            rest = word[3:]
            if rest[0] in "djcz":
                stems.add(rest)
            elif rest[0] in "aeiou":
                stems.add("t" + rest)
    return stems


def _first_word(word: str) -> str:
    return word.lower().split(".", 1)[0]


# ----------------------------------------------------------------------------- tokens and runs


@dataclass(slots=True)
class _Token:
    start: int
    end: int
    text: str
    low: str
    cap: bool  # starts with a capital
    acronym: bool
    sentence_start: bool
    fold_first: str  # the folded first part, to look the word up in the tables' first words
    name: bool  # may be part of a person's name (_word_is_name)


def _name_part(start: int, text: str, sentence_start: bool) -> _Token:
    """One side of a hyphenated word, as a capitalised name word of its own."""
    return _Token(start, start + len(text), text, text.lower(), True, False, sentence_start, text.lower(), True)


_JOINERS = NAME_PARTICLES | ORG_CONNECTORS
# Only the words a run can hold: capitalised ones, joiners and short numbers (the rest is skipped
# by the regex engine, not by Python).
_CAPITAL = "A-Z\u00c0-\u00d6\u00d8-\u00de\u0100-\u017f\u0400-\u042f"
# The capital first, then the check that no letter stands before it: the regex engine then skips to
# the next capital by itself. "B.J." is one word.
_RUN_WORD = re.compile(
    rf"[{_CAPITAL}](?<!\w[{_CAPITAL}])(?:(?:\.[A-Z])+\.|(?:[\w'’&]|-(?=\w)(?!nya\b))*"
    r"(?:\.(?:com|co\.id|co|id|net|tv)\b)?)"
)
_SENTENCE_OPENERS = frozenset(".!?:;\"“”‘’'([\n•-–—")


def _tokens(text: str) -> list[_Token]:
    out = []
    append = out.append
    info = _word_info
    openers = _SENTENCE_OPENERS
    for m in _RUN_WORD.finditer(text):
        start = m.start()
        word, low, acronym, fold_first, name = info(m.group())
        # The first non-space character before the word (up to three spaces back) says whether a
        # sentence starts here; most words have one space before them.
        k = start - 1
        if k >= 0 and text[k] in " \t":
            k -= 1
            while k >= 0 and k > start - 4 and text[k] in " \t":
                k -= 1
        # A comma glued to a capital joins two sentences whose stop the page lost ("...nya,Menurut Wiranto").
        opens = k < 0 or text[k] in openers or k == start - 1 and text[k] == ","
        append(_Token(start, start + len(word), word, low, True, acronym, opens, fold_first, name))
    return out


@lru_cache(maxsize=300_000)
def _word_info(word: str) -> tuple[str, str, bool, str, bool]:
    """What a capitalised word is on its own: (word, lower case, acronym, first part, name word)."""
    head, dash, tail = word.rpartition("-")
    if (
        dash
        and tail[:1].islower()
        and tail != head.lower()[-len(tail) :]
        and len(tail) >= 4
        and (tail in tables().lexical or tail in ROLE_WORDS)
    ):
        # "Marginson-direktur": a name and an ordinary word; not "Karo-karo", not "Yun-ho".
        word = head
    low = word.lower()
    acronym = len(word) >= 2 and bool(_ACRONYM.match(word)) and not _ROMAN.match(word)
    return word, low, acronym, low.split(".", 1)[0], not acronym and _word_is_name(word)


def _joined(text: str, left: _Token, right: _Token) -> bool:
    """Two words belong to one run when only a space (or an initial's dot) stands between them."""
    gap = text[left.end : right.start]
    if gap == " ":
        return True
    return gap in (".", ". ") and (bool(_INITIAL.match(left.text)) or left.low in ABBREVIATIONS)


_DOMAIN = re.compile(r"\.(?:com|co\.id|co|id|net|tv)$")
_CHANNEL = re.compile(r"^(?:[A-Z][a-z]+TV|TV[A-Z][a-z]+)$")
_JOIN_GAP = re.compile(r" ([a-z&]{1,6}|\d{1,4})( |-)")
_CLOSING_NUMBER = re.compile(r" (\d{1,3})\b(?![.,:\-–/]\d)")


def _small_token(text: str, start: int, word: str) -> _Token:
    return _Token(start, start + len(word), word, word, False, False, False, word, word in NAME_PARTICLES)


def _runs(text: str, tokens: list[_Token]) -> list[list[_Token]]:
    """Maximal runs of capitalised words, with particles, connectors and numbers between them."""
    runs: list[list[_Token]] = []
    current: list[_Token] = []

    def close() -> None:
        nonlocal current
        if current:
            # "NCT 127", "Densus 88", "SLTP 4": a number closing a run.
            number = _CLOSING_NUMBER.match(text, current[-1].end)
            if number:
                current.append(_small_token(text, number.start(1), number.group(1)))
            runs.append(current)
            current = []

    for token in tokens:
        if not current:
            if token.low not in _NOT_OPENING:
                current.append(token)
            continue
        previous = current[-1]
        if _joined(text, previous, token):
            current.append(token)
            continue
        gap = _JOIN_GAP.fullmatch(text, previous.end, token.start)
        if gap:
            word = gap.group(1)
            if gap.group(2) == "-" and word.isdigit():
                pass  # a particle joins by a hyphen ("Salem Mohammed al-Zaabi", "BEM se-Bogor"), a number not
            elif (
                word in NAME_PARTICLES
                or word.isdigit()
                or word in ORG_CONNECTORS
                and any(t.low in ORG_HEADS for t in current)
            ):
                current.append(_small_token(text, gap.start(1), word))
                current.append(token)
                continue
        close()
        if token.low not in _NOT_OPENING:
            current.append(token)
    close()
    return runs


# Words that open no run; "Jalan", "Gedung" do, so that what follows is read as their name.
_NOT_OPENING = NOT_NAME - FACILITY_WORDS


# ----------------------------------------------------------------------------- reading runs


def _key(tokens: list[_Token]) -> str:
    text = " ".join([t.text for t in tokens])
    return _surface_key(text) if "." in text or "’" in text else text


def _is_name_word(token: _Token, lexical: frozenset[str]) -> bool:
    return token.name


# Words no name is made of: nouns made from verbs ("Pencanangan", "Kesehatan", "Pipanisasi").
_NOMINALISATION = re.compile(r"^(?:pe[mn]?g?|per|ke)[a-z]{3,}an$|^[a-z]{3,}isasi$")


@lru_cache(maxsize=200_000)
def _word_is_name(word: str) -> bool:
    """Whether a capitalised word (not an acronym) may be part of a person's name."""
    low = word.lower()
    if any(ch.isdigit() for ch in word) or _ROMAN.match(word):
        return False
    if low in ROLE_WORDS and low not in _AMBIGUOUS_ROLES:
        return False
    if low in ORG_HEADS or low in ORG_TAILS or low in NOT_NAME:
        return False
    if low in PLACE_ADMIN_PREFIXES or low in PLACE_FEATURE_PREFIXES or low in FACILITY_WORDS:
        return False
    if low in ENGLISH_NOT_NAMES and len(low) > 3:
        return False  # "Times Higher Education Phil Baty": a body's name, then the person
    if low in NAME_PARTICLES:
        return True
    if len(word) == 1 or _INITIAL.match(word):
        return True  # an initial: "Laode M Syarif"
    t = tables()
    if low in t.lexical or low in t.verb_stems:
        return False  # "Ramaikan", "Kenalkan": a title's verb without its prefix
    if _NOMINALISATION.match(low) and low not in t.person_words:
        return False
    # "Anacondanya", "Instagramnya": a word with -nya is a common noun or a pronoun's.
    return not (low.endswith("nya") and len(low) >= 8)


def _place_match(tokens: list[_Token], i: int, t: _Tables) -> int:
    if i >= len(tokens):
        return i
    most = t.place_first.get(tokens[i].fold_first, 0)
    for j in range(min(len(tokens), i + most), i, -1):
        if _key(tokens[i:j]) in t.places:
            return j
    return i


def _alias_match(tokens: list[_Token], i: int, t: _Tables) -> int:
    if i >= len(tokens):
        return i
    most = t.alias_first.get(tokens[i].fold_first, 0)
    for j in range(min(len(tokens), i + most), i, -1):
        key = _key(tokens[i:j])
        hit = t.aliases.get(key)
        if hit is None and not all(tok.acronym for tok in tokens[i:j]):
            hit = t.aliases_folded.get(fold_name(key))
        if hit is not None:
            return j
    return i


def _alias_of(tokens: list[_Token], t: _Tables) -> tuple[str, str] | None:
    key = _key(tokens)
    hit = t.aliases.get(key)
    if hit is None and not all(tok.acronym for tok in tokens):
        hit = t.aliases_folded.get(fold_name(key))
    return hit


# Balinese names open with "I": "I Putu Suardana", "I Gusti Ngurah Rai".
_BALINESE = frozenset(
    ["putu", "made", "ketut", "nyoman", "wayan", "gede", "kadek", "komang", "gusti", "ngurah", "nengah"]
)


def _name_suffix(tokens: list[_Token], lexical: frozenset[str]) -> int:
    """Index where the trailing run of name words starts (len(tokens) when there is none)."""
    k = len(tokens)
    while k > 0:
        if _is_name_word(tokens[k - 1], lexical):
            k -= 1
        elif k > 1 and k < len(tokens) and tokens[k - 2].fold_first in tables().given_names and tokens[k - 1].cap:
            k -= 2  # an ordinary word between a given name and the rest: "Budi Karya Sumadi"
        elif k < len(tokens) and tokens[k - 1].text == "I" and tokens[k].low in _BALINESE:
            k -= 1
        else:
            break
    while k < len(tokens) and tokens[k].low in NAME_PARTICLES:
        k += 1
    return k


def _admin_place_end(run: list[_Token], i: int, t: _Tables) -> int:
    """End of a place named after its prefix at run[i] ("Kabupaten Bogor", "Desa Cilebut Timur"): a
    gazetteer name, else two words (three with Timur, Baru...); i + 1 when no name follows."""
    j = i + 1
    k = _place_match(run, j, t)
    if k > j:
        return k
    while (
        j < len(run)
        and run[j].cap
        and run[j].low not in ROLE_WORDS
        and run[j].low not in ORG_HEADS
        and (j - i <= 2 or run[j].low in _PLACE_QUALIFIERS)
    ):
        j += 1
    return j


# Korean names: a family name, then one or two syllables each written as a word ("Lee Dong Gun",
# "Song Hye Kyo", "Kim Bum"), whose syllables are often ordinary Indonesian words ("dong", "sang").
_KOREAN_SURNAMES = _WORDS["korean_surnames"]
_KOREAN_SYLLABLE = re.compile(
    r"^(?:[BCDGHJKMNPRSTWY]|Ch|Jj|Kk|Pp|Ss|Tt|Sh)?"
    r"(?:[aeiou]|ae|eo|eu|oe|ui|wa|wi|wo|ya|yeo|yo|yu|ye|oo|ee|ou|you|yeou)"
    r"(?:ng|n|m|l|k|p|t|b|g)?$"
    r"|^(?:[AEIOU]|Ae|Eo|Eu|Oe|Ui|Wa|Wi|Wo|Ya|Yeo|Yo|Yu|Ye|Oo|Ee|You)(?:ng|n|m|l|k|p|t|b|g|h)?$"
)


def _korean_name_end(run: list[_Token], i: int) -> int:
    """End of a Korean name opening at run[i] (a family name), or i when none does."""
    k = i + 1
    while (
        k < len(run)
        and k <= i + 2
        and run[k].cap
        and run[k].text != run[i].text
        and _KOREAN_SYLLABLE.match(run[k].text)
    ):
        k += 1
    return k if k > i + 1 else i


class _Reader:
    def __init__(self, text: str, body_offset: int) -> None:
        self.text = text
        self.body_offset = body_offset
        self.t = tables()
        self.mentions: list[Mention] = []

    def add(self, tokens: list[_Token], kind: str, rule: str, role: str = "") -> None:
        if not tokens:
            return
        name = " ".join(tok.text for tok in tokens).strip(" -")
        self.mentions.append(Mention(tokens[0].start, tokens[-1].end, kind, name, rule, role))

    def read(self, run: list[_Token], persons: bool = True) -> None:
        t = self.t
        lexical = t.lexical
        alias_first, place_first = t.alias_first, t.place_first
        # Sentence openers that are ordinary words ("Sementara", "Menurut", "Kabut Asap").
        while run and run[0].sentence_start and run[0].low in lexical and _alias_match(run, 0, t) == 0:
            if (
                _place_match(run, 0, t) > 0
                or run[0].low in ORG_HEADS
                or run[0].low in ROLE_WORDS
                or run[0].low in FACILITY_WORDS
            ):
                break
            run = run[1:]
        i = 0
        while i < len(run):
            token = run[i]
            if (token.low in NAME_PARTICLES or token.low in ORG_CONNECTORS) and not (
                token.cap and i + 1 < len(run) and run[i + 1].name and run[i + 1].cap
            ):
                i += 1  # a particle opens a name only written with a capital: "Al Chaidar"
                continue
            if token.text in _KOREAN_SURNAMES:
                k = _korean_name_end(run, i)
                if k > i + 1 and _place_match(run, i, t) == i and _alias_match(run, i, t) == i:
                    if persons:
                        self.add(run[i:k], PERSON, "capitalised")
                    i = k
                    continue
            # Aliases, longest first; an organisation keeps a place that follows it.
            j = _alias_match(run, i, t) if token.fold_first in alias_first else i
            if j > i:
                kind = (_alias_of(run[i:j], t) or ("", ""))[0]
                # "Iriana Joko Widodo" is not Joko Widodo; in a title every word is capitalised, so
                # "Catatan Kritis Laode M Syarif" is.
                in_title = run[0].start < self.body_offset
                longer_name = (
                    kind == PERSON
                    and not in_title
                    and (
                        j < len(run) and _is_name_word(run[j], lexical) or i > 0 and _is_name_word(run[i - 1], lexical)
                    )
                )
                if not longer_name:
                    if kind == ORGANISATION and j < len(run) and run[j].low in ORG_TAILS:
                        # "Alibaba Group", "Arema FC": the table's name and the kind of body after it
                        k = self.org_tail_end(run, j)
                        self.add(run[i:k], ORGANISATION, "org-pattern")
                        i = k
                        continue
                    alias_end = j
                    if kind == ORGANISATION and j < len(run):
                        k = _place_match(run, j, t)
                        # "Basarnas Ternate", "Partai Golkar Pasangkayu": a body's office in a place; not
                        # "Mabes Polri Jakarta Selatan", where the capital is where the body sits, nor
                        # "AirNav Indonesia", the country all of them are in.
                        if k > j and not t.places[_key(run[j:k])].startswith(("Jakarta", "Indonesia")):
                            j = k
                        elif k == j and run[j].low in PLACE_ADMIN_PREFIXES:
                            # "TP PKK Provinsi Jawa Barat", "BPBD Kabupaten Bogor", "PKK Desa Cilebut Timur"
                            j = _admin_place_end(run, j, t)
                    if kind == ORGANISATION or persons:
                        self.add(run[i:j], kind, "alias")
                        if j > alias_end:
                            place = " ".join(tok.text for tok in run[alias_end:j])
                            if run[alias_end].low in ("kabupaten", "kota", "kab") and j > alias_end + 1:
                                # "Kabupaten Pasangkayu" is the place "Pasangkayu" (the Kota of it too)
                                place = _place_canonical(place, t)
                            self.mentions[-1].canonical_hint = f"{_alias_of(run[i:alias_end], t)[1]} {place}"
                    i = j
                    continue
            if token.low in FACILITY_WORDS:
                i += 1
                while i < len(run) and (_is_name_word(run[i], lexical) or self.weak(run[i])):
                    i += 1
                continue
            if self.is_role(run, i):
                self.read_role(run, i, persons)
                return
            if token.low in ORG_HEADS or token.acronym and token.low.startswith(("dprd", "polda", "polres", "polsek")):
                i = self.read_org(run, i)
                continue
            if token.low in PLACE_ADMIN_PREFIXES or token.low in PLACE_FEATURE_PREFIXES:
                j = _admin_place_end(run, i, t)
                if j > i + 1:
                    self.add(run[i:j], PLACE, "place-pattern")
                    i = j
                    continue
            j = _place_match(run, i, t) if token.fold_first in place_first else i
            if j > i:
                if j < len(run) and (run[j].low in ORG_TAILS or run[j].low in ("putra", "putera")):
                    # "Bali United", "Kalteng Putra": a club
                    k = self.org_tail_end(run, j + 1 if run[j].low in ("putra", "putera") else j)
                    self.add(run[i:k], ORGANISATION, "org-pattern")
                    i = k
                    continue
                # A place right after a name word is a surname ("Hotman Paris"), not a place.
                if not (i > 0 and _is_name_word(run[i - 1], lexical)):
                    self.add(run[i:j], PLACE, "gazetteer")
                    i = j
                    continue
            if _DOMAIN.search(token.text) or _CHANNEL.match(token.text):
                # A news site or a channel: "Tribunjogja.com", "MolaTV", "TVOne".
                self.add(run[i : i + 1], ORGANISATION, "org-pattern")
                i += 1
                continue
            if token.acronym:
                if i + 1 < len(run) and run[i + 1].low in ORG_TAILS:
                    k = self.org_tail_end(run, i + 1)
                    self.add(run[i:k], ORGANISATION, "org-pattern")
                    i = k
                    continue
                learnt = t.learnt.get(token.low)
                if token.low in NOT_ORG_ACRONYMS:
                    pass  # "SAR", "BBM": an activity, a thing
                elif learnt == ORGANISATION:
                    self.add(run[i : i + 1], ORGANISATION, "learnt")
                elif learnt != OTHER:
                    self.add(run[i : i + 1], ORGANISATION, "org-acronym")
                i += 1
                continue
            if token.low in ORG_TAILS:
                # "University College London": English names put the kind of body first.
                k = i
                while k < len(run) and run[k].low in ORG_TAILS:
                    k += 1
                end = _place_match(run, k, t)
                if end > k:
                    self.add(run[i:end], ORGANISATION, "org-pattern")
                    i = end
                    continue
            # A run of name words; ordinary words may open it ("Boy William", "Lady Gaga").
            j = i
            while j < len(run) and not _is_name_word(run[j], lexical) and self.weak(run[j]):
                j += 1
            if j < len(run) and _is_name_word(run[j], lexical):
                while j < len(run) and _is_name_word(run[j], lexical):
                    k = _alias_match(run, j, t) if run[j].fold_first in alias_first else j
                    if j > i and k > j and (_alias_of(run[j:k], t) or ("",))[0] != PERSON:
                        break
                    if j > i and run[j].fold_first in place_first and _place_match(run, j, t) > j:
                        k = _place_match(run, j, t)
                        if _key(run[j:k]) in t.regions:
                            break  # "Matrix Hong Kong", "Islam Indonesia": a name, then a country or province
                    j += 1
            else:
                j = i
            if j > i:
                if j < len(run) and run[j].low in ORG_TAILS:
                    k = self.org_tail_end(run, j)
                    self.add(run[i:k], ORGANISATION, "org-pattern")
                    i = k
                    continue
                if j < len(run) and run[j].low in FACILITY_WORDS:
                    i = j + 1  # "Carrow Road", "Kediri Memorial Park": a place's name, not a person's
                    continue
                names = run[i:j]
                while names and names[-1].low in NAME_PARTICLES:
                    names = names[:-1]
                if any(tok.low in ENGLISH_NOT_NAMES for tok in names):
                    i = j
                    continue
                while len(names) > 1 and _INITIAL.match(names[-1].text):
                    names = names[:-1]
                learnt = t.learnt.get(fold_name(" ".join([tok.text for tok in names]))) if names else None
                if learnt is None and len(names) >= 2:
                    # "Borussia Dortmund": a word the corpus knows as an organisation and none of a person
                    kinds = {t.learnt.get(tok.low) for tok in names}
                    if ORGANISATION in kinds and not any(tok.low in t.person_words for tok in names):
                        learnt = ORGANISATION
                if learnt in (ORGANISATION, PLACE):
                    self.add(names, learnt, "learnt")
                elif learnt == OTHER:
                    pass  # a work, a product, an event
                elif names and _LOCATIVE.search(self.text[max(0, names[0].start - 12) : names[0].start]):
                    self.add(names, PLACE, "place-pattern")
                elif persons and names:
                    self.add_people(names)
                i = j
                continue
            i += 1  # an ordinary capitalised word inside a run

    def add_people(self, names: list[_Token]) -> None:
        """A run of name words; two people joined by a hyphen ("Andy Hui-Jacqueline Wong",
        "Jokowi-Ma'ruf Amin") are two, but not a hyphenated given name ("Kim Jung-Hwan")."""
        for p, token in enumerate(names):
            if "-" not in token.text:
                continue
            head, dash, tail = token.text.partition("-")
            if not dash or not head[:1].isupper() or not tail[:1].isupper() or p + 1 == len(names):
                continue
            left = [*names[:p], _name_part(token.start, head, token.sentence_start)]
            right = [_name_part(token.end - len(tail), tail, False), *names[p + 1 :]]
            if len(left) >= 2 or (_alias_of(left, self.t) or ("",))[0] == PERSON:
                self.add(left, PERSON, "capitalised" if len(left) >= 2 else "single")
                self.add(right, PERSON, "capitalised")
                return
        self.add(names, PERSON, "capitalised" if len(names) >= 2 else "single")

    def weak(self, token: _Token) -> bool:
        """An ordinary word that may still open a name ("Boy", "Lady")."""
        return (
            token.cap
            and not token.sentence_start
            and not token.acronym
            and token.low not in ROLE_WORDS
            and token.low not in ORG_HEADS
            and token.low not in ORG_TAILS
            and token.low not in FACILITY_WORDS
            and token.low not in NOT_NAME
            and token.low not in NAME_PARTICLES
            and not any(ch.isdigit() for ch in token.text)
        )

    def is_role(self, run: list[_Token], i: int) -> bool:
        token = run[i]
        if token.low not in ROLE_WORDS:
            return False
        # "Putri Dewi", "Raja Seberang": a name, not a role, when a name word follows.
        return not (token.low in _AMBIGUOUS_ROLES and i + 1 < len(run) and _is_name_word(run[i + 1], self.t.lexical))

    def read_role(self, run: list[_Token], i: int, persons: bool) -> None:
        """A role phrase ("Kasubbag Humas Polres Bogor AKP") and the person named after it."""
        t = self.t
        lexical = t.lexical
        rest = run[i + 1 :]
        k = _name_suffix(rest, lexical)
        # A place or an organisation inside the trailing words belongs to the role ("Ketua DPRD
        # Jabar Taufik Hidayat"), and so does the word after a head ("Rektor Universitas Oxford X").
        p = k
        while p < len(rest):
            end = max(_place_match(rest, p, t), self.org_alias_end(rest, p))
            if end > p:
                k = p = end
            else:
                p += 1
        if (
            0 < k < len(rest)
            and rest[k - 1].low in ORG_HEADS
            and not rest[k - 1].acronym
            and self.org_alias_end(rest, k - 1) == k - 1
            and len(rest) - k >= 2
        ):
            k += 1
        # "Sekretaris DKM Al-Munawaroh Ruslan A. Suhady", "Presiden Direktur Biznet Adi Kusma": the
        # organisation's last word, then a name that opens with a given name. But a first word the
        # corpus knows as a person's opens the name ("Menko Luhut Binsar Pandjaitan").
        if len(rest) - k >= 3 and t.learnt.get(fold_name(rest[k].text)) != PERSON:
            k = next((p for p in range(k, len(rest) - 1) if rest[p].fold_first in t.given_names), k)
        name = rest[k:]
        complement = rest[:k]
        while name and (name[-1].low in NAME_PARTICLES or len(name) > 1 and _INITIAL.match(name[-1].text)):
            name = name[:-1]
        if complement and complement[-1].low in ("pt", "cv") and name:
            # "Direktur Operasional PT Bumi Hijau Lestari": the company, not a person.
            self.read(complement[:-1], persons=False)
            self.add(complement[-1:] + name, ORGANISATION, "org-pattern")
            return
        role = run[i].low
        vouching = {tok.low for tok in run[i : i + 1 + len(complement)]}
        if (
            name
            and len(name) == 1
            and not vouching & _SELF_CONTAINED_ROLES
            and t.learnt.get(fold_name(name[0].text)) != PERSON
        ):
            # "Lurah Terjun", "Kapolres Taput", "Owner Lanccelot": the role's territory or company (but
            # "Menteri Basuki", a name the corpus knows).
            if complement:
                self.read(complement, persons=False)
            if role in _TERRITORIAL_ROLES:
                self.add(name, PLACE, "place-pattern")
            elif name[0].low not in lexical:
                self.add(name, ORGANISATION, "org-pattern")
            return
        if complement:
            self.read(complement, persons=False)
        if name and persons:
            self.add(name, PERSON, "role-title", role)

    def org_alias_end(self, tokens: list[_Token], p: int) -> int:
        j = _alias_match(tokens, p, self.t)
        if j > p and (_alias_of(tokens[p:j], self.t) or ("",))[0] == ORGANISATION:
            return j
        return p

    def org_tail_end(self, run: list[_Token], j: int) -> int:
        k = j
        while k < len(run) and (
            run[k].low in ORG_TAILS
            or k + 1 < len(run)
            and run[k].low in ("of", "the", "and", "for", "&")
            and run[k + 1].cap
            or run[k].cap
            and run[k - 1].low in ("of", "the", "and", "for", "&")
        ):
            k += 1
        if k < len(run) and run[k].low == "indonesia":
            k += 1  # "Schneider Electric Indonesia": a company's arm here carries the country in its name
        return k

    def read_org(self, run: list[_Token], i: int) -> int:
        """An organisation from its head word: the words after it, up to a person's name or a role."""
        t = self.t
        lexical = t.lexical
        if run[i].low == "bea" and not (i + 1 < len(run) and run[i + 1].low == "cukai"):
            return i + 1  # "Bea Balik Nama" is a tax, "Bea Cukai" the customs
        j = i + 1
        while j < len(run):
            token = run[j]
            if (
                token.low in ROLE_WORDS
                and token.low not in ORG_HEADS
                and not (
                    # "Pekerjaan Umum", "Pemberdayaan Perempuan dan Anak": a word of the name, not a role
                    (token.low in _NAME_ROLE_WORDS or run[j - 1].low in ("dan", "&"))
                    and not (j + 1 < len(run) and run[j + 1].name)
                )
            ):
                break
            facility = token.low in FACILITY_WORDS and run[i].low not in ("pt", "cv")  # "PT Sarana Menara Nusantara"
            if token.low in t.verb_stems or facility or token.low in ("nomor", "tahun"):
                break  # "DPRD Jabar Umumkan ...", "Persipura Liga 1", "Peraturan Pemerintah Nomor 79 Tahun"
            if (
                token.low in _PARENT_HEADS
                and j > i + 1
                and token.low != run[i].low
                and not (run[i].low in SUBUNIT_HEADS and token.low in _POLICE_HEADS)
            ):
                # "Sekolah Vokasi Universitas Gadjah Mada": a unit, then the body it belongs to (but a
                # police unit is read as its force: "Biro Penerangan Masyarakat Mabes Polri").
                break
            if token.low in ("dan", "&") and j + 1 < len(run):
                ahead = run[j + 1 : j + 5]
                if run[j + 1].low in ORG_HEADS or any(tok.low in ORG_TAILS for tok in ahead):
                    break
            j += 1
        # A trailing person: two or more name words ("Komisi II DPR Zainudin Amali").
        k = _name_suffix(run[i + 1 : j], lexical) + i + 1
        trailing = run[k:j]
        if (
            len(trailing) >= 2
            and k > i + 1
            and run[i].low not in ("pt", "cv")
            and not any(_place_match(run, p, t) > p for p in range(k, j))
        ):
            j = k
        span = run[i:j]
        while len(span) > 1 and (
            span[-1].low in ORG_CONNECTORS or span[-1].low in NAME_PARTICLES or span[-1].low in PLACE_ADMIN_PREFIXES
        ):
            span = span[:-1]
        if run[i].low in SUBUNIT_HEADS:
            for p in range(i + 1, i + len(span)):
                end = self.org_alias_end(run, p)
                if end > p:
                    self.add(run[p:end], ORGANISATION, "alias")
                    if j < len(run) and run[j].low in ROLE_WORDS:
                        self.read_role(run, j, True)
                        return len(run)
                    return i + len(span)
        if len(span) == 1 and (not span[0].acronym or span[0].low in NOT_ORG_ACRONYMS):
            return i + 1  # "Komisi", "SMA" alone are words, not names
        self.add(span, ORGANISATION, "org-pattern")
        if j < len(run) and run[j].low in ROLE_WORDS:
            self.read_role(run, j, True)
            return len(run)
        return i + len(span)


_PARENT_HEADS = _WORDS["parent_heads"]
# Role words that are also words of bodies' names ("Kementerian Pekerjaan Umum", "Badan Pelaksana").
_NAME_ROLE_WORDS = frozenset({"umum", "pelaksana", "ahli"})
_POLICE_HEADS = frozenset({"mabes", "polda", "polres", "polresta", "polrestabes"})
# Roles whose next single word is their territory or portfolio, not a name ("Menteri Keuangan").
_ROLES_WITH_COMPLEMENT = _WORDS["roles_with_complement"]
_SELF_CONTAINED_ROLES = _WORDS["self_contained_roles"]
_TERRITORIAL_ROLES = _WORDS["territorial_roles"]


# ----------------------------------------------------------------------------- resolving


def _strip_org(name: str) -> str:
    name = re.sub(r"^PT\.?\s+|\s*\(Persero\)|\s+Tbk\.?$|\s+\(Persero\)\s+Tbk\.?$", "", name).strip()
    return name


def _place_canonical(name: str, t: _Tables) -> str:
    words = name.split()
    if words and words[0].lower() in PLACE_ADMIN_PREFIXES and len(words) > 1:
        words = words[1:]
        if words and words[0].lower() in ("adm", "administrasi"):
            words = words[1:]
    elif words and words[0].lower() in ("pulau", "kepulauan") and _surface_key(" ".join(words[1:])) in t.places:
        words = words[1:]
    stripped = " ".join(words)
    return t.places.get(_surface_key(stripped)) or t.places.get(_surface_key(name)) or stripped


def _definitions(text: str, mentions: list[Mention], t: _Tables) -> dict[str, str]:
    """Acronyms the article spells out: 'Badan Pusat Statistik (BPS)' -> BPS = Badan Pusat Statistik."""
    found: dict[str, str] = {}
    ends = {m.end: m for m in mentions if m.kind == ORGANISATION}
    orgs = [m for m in mentions if m.kind == ORGANISATION]
    for match in _DEFINITION.finditer(text):
        acronym = match.group(1)
        before = text[: match.start()].rstrip()
        mention = ends.get(len(before))
        alias = t.aliases.get(acronym)
        if alias is not None and alias[1] == acronym:
            alias = None  # the table names it by the acronym ("BPBD"): the article's spelled-out form wins
        words = [w for w in re.findall(r"[\w'’-]+", before[-90:]) if w[0].isupper()][-len(acronym) :]
        spelled = " ".join(words)
        if (
            alias
            and len(words) == len(acronym)
            and "".join(w[0] for w in words).upper() == acronym.upper()
            and fold_name(spelled)
            != fold_name(" ".join(w for w in re.findall(r"[\w'’-]+", alias[1]) if w[0].isupper()))
        ):
            # "Pajak Kendaraan Bermotor (PKB)" is not the party the table knows as PKB.
            found[acronym] = ""
            continue
        if alias and alias[0] == ORGANISATION:
            # The table knows it: a spelled-out form broken by commas ("Badan Meteorologi,
            # Klimatologi, dan Geofisika") is that organisation too, and so is one spelled out a little
            # differently right before it ("Badan Pengkajian Penerapan Teknologi (BPPT)").
            for m in orgs:
                if match.start() - 120 < m.start < match.start() and fold_name(alias[1]).startswith(fold_name(m.name)):
                    m.canonical_hint = alias[1]
            if mention is not None and alias[1].split()[0] == mention.name.split()[0]:
                mention.canonical_hint = alias[1]
            continue
        if mention is None or mention.name == acronym:
            continue
        initials = "".join(w[0] for w in mention.name.split() if w[0].isupper())
        if acronym[0].upper() == mention.name[0].upper() or initials[:2].upper() == acronym[:2].upper():
            found[acronym] = mention.name
    return found


_NUMBERED = re.compile(r"^\S+ (?:[IVX]+|\d+)$")


def _short_organisations(mentions: list[Mention], body_offset: int) -> None:
    """A short form of one longer organisation of the article is that organisation: "Dortmund" and
    "Borussia Dortmund", "DPRD" and "DPRD Jawa Barat", "Komisi V" and "Komisi V DPR". A place that opens
    the name of a club of the article is the club: "Madura" and "Madura United"."""
    names = {m.canonical for m in mentions if m.kind == ORGANISATION and m.start >= body_offset}
    if len(names) < 2:
        return
    longer_of: dict[str, set[str]] = defaultdict(set)
    for name in names:
        words = name.split()
        for k in range(1, len(words)):
            longer_of[" ".join(words[:k])].add(name)
            longer_of[" ".join(words[k:])].add(name)
    for m in mentions:
        if m.kind == PERSON or " " in m.canonical and not _NUMBERED.match(m.canonical):
            continue  # names of several words are whole, but "Komisi V"
        if True:
            owners = longer_of.get(m.canonical)
            if not owners or len(owners) != 1:
                continue
            owner = next(iter(owners))
            if m.rule == "alias" and not owner.startswith(m.canonical + " "):
                continue  # a table's name is only the same body in a place: "Persipura Jayapura"
            if m.kind == PLACE:
                # Only a club's: "Madura United", "Persipura Jayapura" is a club in a place.
                if owner.split()[0] != m.canonical or owner.split()[-1].lower() not in ORG_TAILS:
                    continue
                m.kind = ORGANISATION
            m.canonical = owner


def _known_not_person(name: str, t: _Tables) -> bool:
    """A single word the tables or the corpus know as something else: "Gunungkidul", "Aramco"."""
    if name in t.places or name in t.aliases:
        return True
    learnt = t.learnt.get(fold_name(name))
    return learnt is not None and learnt != PERSON


def _vouched(text: str, m: Mention) -> str:
    """Why a single capitalised word is a person, or '' when nothing says so."""
    after = text[m.end : m.end + 120]
    before = text[max(0, m.start - 60) : m.start]
    if m.role:
        return "role-title"
    if _AGE_OR_INITIALS.match(after):
        return "initials" if m.name.isupper() else _speaker_unless_thing(text, m)
    if m.name.isupper():
        return "initials" if _INISIAL_BEFORE.search(before) else ""
    if _SAID_BEFORE.search(before) or _SPEAKER_AFTER.match(after):
        return _speaker_unless_thing(text, m)
    if _ACTS_AFTER.match(after) and _ROLE_APPOSITION.search(text, max(0, m.start - 160), m.start):
        return "role-title"  # "Kepala Bidang ... BPBD Provinsi Sumatera Selatan, Ansori mengharapkan"
    return ""


def _speaker_unless_thing(text: str, m: Mention) -> str:
    """'speaker', but not after "televisi Fox, mengatakan", "warga Sorogan": a channel, a place."""
    previous = _WORD_BEFORE.search(text, max(0, m.start - 30), m.start)
    return "" if previous and previous.group(1).lower() in _NOT_PERSON_BEFORE else "speaker"


_SAY_WORDS = (
    "kata|ujar|ucap|tutur|jelas|ungkap|tegas|imbuh|tambah|terang|sebut|papar|beber|lanjut|pungkas|tandas|tulis"
    "|sambung|jawab|menurut|dikatakan|dijelaskan|diterangkan|ditambahkan"
)
# "kata Lurah Terjun, Erliana", "ujar Herman": a said-verb, at most a role phrase, then the name.
_SAID_BEFORE = re.compile(
    r"\b(?:"
    + _SAY_WORDS
    + r")\s+(?:[A-Z][\w.-]*,?\s+|(?!(?:yaitu|yakni|dan|serta|seperti|antara|atau|saat|ketika|dalam|di|kepada|usai|seusai|sebagai|melalui|dilansir|pada|dengan|yang|untuk|dari)\s)[a-z]{2,12}\s+){0,6}$"
)
# "Soni yang tampak ... mengatakan", "Asep, saksi di TKP mengatakan", "Herman (30), warga ... mengaku".
_SPEAKER_AFTER = re.compile(
    r"^(?:\s*\(\d{1,3}\))?(?:\s*,[^,.;\"“”]{0,80},?|\s+yang\s[^,.;\"“”]{0,80})?\s*(?:juga\s+|pun\s+|lantas\s+|lalu\s+)?"
    r"(?:mengatakan|menuturkan|menjelaskan|mengungkapkan|menegaskan|menambahkan|menerangkan|menyebutkan|menyebut"
    r"|memaparkan|membeberkan|menyatakan|mengaku|mengakui|menceritakan|bercerita|berujar|berkata|mengatakan)\b"
)


# A role's phrase set off by a comma before a single name, in one sentence: "Wakil Ketua DPRD DKI
# sementara, Syarif menerima ..."; the name then does something ("Syarif menerima", "Ansori,"). A
# phrase holding a verb ("Direktur ... mengatakan, Sigra sudah diproduksi") is a clause, not a role.
_ROLE_APPOSITION = re.compile(
    r"\b(?:"
    + "|".join(sorted((w.capitalize() for w in _ROLES_WITH_COMPLEMENT), key=len, reverse=True))
    + r")\s(?:(?!\b(?:me|ber)[a-z]+\b)[^.;:!?\"“”\n]){2,150},\s*$"
)
_ACTS_AFTER = re.compile(r"^\s*,?\s+[a-z]")
_QUALIFIER_GAP = re.compile(r"\s*(?:\([^()]{1,15}\)\s*)?")
_NICKNAME = re.compile(
    r"\b(?P<short>[A-Z][\w'’]+)\s*(?:--|—|–|,|\()\s*(?:sapaan akrab|sapaan|panggilan akrab|akrab disapa)\s+"
    r"(?P<full>[A-Z][\w'’]+(?:\s+[A-Z][\w'’]+){1,3})"
    r"|(?P<full2>[A-Z][\w'’]+(?:\s+[A-Z][\w'’]+){1,3}),?\s+(?:atau\s+)?(?:yang\s+)?(?:akrab|biasa|kerap)\s+"
    r"(?:disapa|dipanggil)\s+(?P<short2>[A-Z][\w'’]+)"
    r"|\b(?:yang|atau)\s+(?:akrab|biasa|kerap)\s+(?:disapa|dipanggil)\s+(?P<short3>[A-Z][\w'’]+)"
)


def _nicknames(text: str, mentions: list[Mention]) -> dict[str, str]:
    """'Emil --sapaan akrab Ridwan Kamil--', 'Laura ... yang biasa disapa Lolly': short name -> full name;
    'Alberto Goncalves ... Pemain yang akrab disapa Beto': the last full name before it."""
    found: dict[str, str] = {}
    if "sapa" not in text and "panggil" not in text:
        return found
    for match in _NICKNAME.finditer(text):
        short = match.group("short") or match.group("short2")
        full = match.group("full") or match.group("full2")
        if short is None:
            short = match.group("short3")
            before = [
                m
                for m in mentions
                if m.kind == PERSON and " " in m.canonical and match.start() - 300 < m.end <= match.start()
            ]
            if not before:
                continue
            full = max(before, key=lambda m: m.end).canonical
        alias = tables().aliases.get(full)
        found[short] = alias[1] if alias and alias[0] == PERSON else full
    return found


# Words of a piece about a drama, a film or a cartoon, where "Woo Seo Ri (Shin Hye Sun)" is a role
# and its actor.
_SCREEN_WORDS = re.compile(
    r"\b(?:drama|episode|sinopsis|memerankan|diperankan|berperan|karakter|film|serial|anime|manga|webtoon)\b",
    re.IGNORECASE,
)
# What follows a role's name: the actor's name in brackets, or the brackets of a dropped link "(,)".
_PLAYED_BY = re.compile(r"[ \t]*\((?:[ \t]*,?[ \t]*\)|(?=[A-Z]))")


def _misspelt_people(mentions: list[Mention]) -> dict[str, str]:
    """'Iman Nahrawi' -> 'Imam Nahrawi': two names of the article alike but for one letter of one
    word of four letters or more are one person, written as most often. Shorter words differ
    between people ("Kim Ji Won", "Kim Ji Woo")."""
    counts = Counter(m.canonical for m in mentions if m.kind == PERSON)
    if len(counts) < 2:
        return {}
    tabled = {m.canonical for m in mentions if m.kind == PERSON and m.rule == "alias"}
    # A name of the alias table is spelt right; else the commoner spelling (among equals the first).
    names = sorted(counts, key=lambda name: (name not in tabled, -counts[name]))
    words = {name: fold_name(name).split() for name in names}
    found: dict[str, str] = {}
    for i, kept in enumerate(names):
        if kept in found or len(words[kept]) < 2:
            continue
        for other in names[i + 1 :]:
            if other in found or other in tabled or len(words[other]) != len(words[kept]):
                continue
            differ = [(a, b) for a, b in zip(words[kept], words[other], strict=True) if a != b]
            if len(differ) == 1 and min(map(len, differ[0])) >= 4 and _one_letter_apart(*differ[0]):
                found[other] = kept
    return found


def _screen_characters(text: str, mentions: list[Mention]) -> set[str]:
    """Canonical names of the fictional characters of a drama or film piece: a name written with
    its actor's name (another person) or a dropped link right after it, in brackets. Characters
    are not people of the archive (and not speakers)."""
    if not _SCREEN_WORDS.search(text):
        return set()
    people = [m for m in mentions if m.kind == PERSON]
    characters: set[str] = set()
    for m in mentions:
        if m.kind != PERSON or m.rule in ("alias", "role-title", "byline"):
            continue
        played = _PLAYED_BY.match(text, m.end)
        if played is None:
            continue
        if played.group().endswith(")"):
            characters.add(m.canonical)
            continue
        # The actor's name, or its end ("Yang Se Jong", read as "Se Jong"), closes the brackets.
        if any(
            played.end() <= p.start <= played.end() + 6
            and text[p.end : p.end + 1] == ")"
            and p.canonical != m.canonical
            for p in people
        ):
            characters.add(m.canonical)
    return characters


def _resolve(text: str, body_offset: int, mentions: list[Mention]) -> Analysis:
    t = tables()
    definitions = _definitions(text, mentions, t)

    place_at = {m.start: m for m in mentions if m.kind == PLACE}
    org_ends: dict[int, Mention] = {}
    for m in mentions:
        if m.kind == ORGANISATION:
            gap = _QUALIFIER_GAP.match(text, m.end)
            if gap:
                org_ends[gap.end()] = m
    kept: list[Mention] = []
    for m in mentions:
        if m.kind == ORGANISATION:
            if m.rule == "org-acronym":
                after = text[m.end : m.end + 20]
                before = text[max(0, m.start - 20) : m.start]
                if len(m.name) <= 3 and (_AGE_OR_INITIALS.match(after) or _INISIAL_BEFORE.search(before)):
                    m.kind, m.rule, m.canonical = PERSON, "initials", m.name
                elif definitions.get(m.name):
                    m.canonical = _strip_org(definitions[m.name])
                    m.canonical_hint = "defined"
                else:
                    continue  # an acronym neither in the tables nor spelled out: too often not a name
            else:
                if m.name.lower() in GENERIC_ORGS:
                    continue
                if definitions.get(m.name) == "":
                    continue  # an acronym the article spells out as something else
                hit = t.aliases.get(_surface_key(m.name))
                m.canonical = hit[1] if hit and hit[0] == ORGANISATION else _strip_org(m.name)
                if m.canonical_hint:
                    m.canonical = m.canonical_hint
                head = m.name.split()[0]
                if definitions.get(head) and len(m.name.split()) > 1:
                    m.canonical = definitions[head] + m.name[len(head) :]
                elif definitions.get(m.name) and hit and hit[1] == m.name:
                    m.canonical = _strip_org(definitions[m.name])
                # "Badan Pajak dan Retribusi Daerah (BPRD) Provinsi DKI Jakarta": the place after the
                # acronym belongs to the name.
                follow = _DEFINITION.match(text, m.end + 1) if text[m.end : m.end + 1] == " " else None
                if follow and follow.group(1) not in t.aliases:
                    place = place_at.get(follow.end() + 1)
                    if place is not None:
                        m.canonical = f"{m.canonical} {place.name}"
                        place.canonical_hint = "part"
        elif m.kind == PLACE:
            if m.canonical_hint == "part":
                continue
            org = org_ends.get(m.start)
            if org is not None and org.rule == "alias" and not m.name.startswith("Jakarta"):
                # "Kemendagri (...) Republik Indonesia": the organisation's own qualifier; but "Mabes
                # Polri Jakarta Selatan" is where the body sits, a place of the article.
                continue
            hit = t.places.get(_surface_key(m.name))
            m.canonical = hit or _place_canonical(m.name, t)
        else:
            hit = t.aliases.get(_surface_key(m.name)) or t.aliases_folded.get(fold_name(m.name))
            if hit and hit[0] == ORGANISATION:
                m.kind, m.canonical = ORGANISATION, hit[1]
            elif hit and hit[0] == PERSON:
                m.canonical = hit[1]
            else:
                m.canonical = _strip_titles(m.name)
        if m.canonical:
            kept.append(m)

    # A spelled-out acronym is the organisation of its spelled-out form, whatever that became.
    final_of = {m.name: m.canonical for m in kept if m.kind == ORGANISATION and m.rule != "org-acronym"}
    spelled = {v for v in definitions.values() if v}
    kept = [
        m
        for m in kept
        if not (
            m.canonical_hint == "defined" and definitions[m.name] in spelled and definitions[m.name] not in final_of
        )
    ]
    for m in kept:
        if m.canonical_hint == "defined" and definitions[m.name] in final_of:
            m.canonical = final_of[definitions[m.name]]

    _short_organisations(kept, body_offset)

    # The title confirms, it does not discover (Indonesian titles capitalise every word).
    body = [m for m in kept if m.start >= body_offset]
    title = [m for m in kept if m.start < body_offset]

    # People: a shorter name that is part of exactly one longer name of the article is that person.
    words_of: dict[str, set[str]] = {}
    for m in body + [m for m in title if m.kind == PERSON and m.rule in ("alias", "capitalised", "role-title")]:
        if m.kind == PERSON and m.rule != "single":
            words_of.setdefault(m.canonical, set()).update(fold_name(m.canonical).split())
            words_of[m.canonical].update(fold_name(m.name).split())
    by_word: dict[str, set[str]] = defaultdict(set)
    for canonical, words in words_of.items():
        for word in words:
            by_word[word].add(canonical)

    owners_of: dict[str, str | None] = {}

    def owner(m: Mention) -> str | None:
        if m.canonical not in owners_of:
            owners_of[m.canonical] = find_owner(m.canonical)
        return owners_of[m.canonical]

    def find_owner(canonical: str) -> str | None:
        words = fold_name(canonical).split()
        if not words:
            return None
        owners = set.intersection(*(by_word.get(w, set()) for w in words))
        owners.discard(canonical)
        if not owners and len(words) == 1 and len(words[0]) >= 4 and words[0] not in by_word:
            # "Alex" after "Alexander Marwata", "Harry" after "Hary Sukmono": a short or misspelt
            # form of one full name of the article.
            owners = {o for w, found in by_word.items() if _same_name_word(words[0], w) for o in found}
        longer = [o for o in owners if len(fold_name(o).split()) > len(words)]
        # "Atalia Praratya" inside "Atalia Praratya Kamil" is the same owner, not a second one.
        longest = [o for o in longer if not any(o != other and words_of[o] < words_of[other] for other in longer)]
        return longest[0] if len(longest) == 1 else None

    nicknames = _nicknames(text, body)
    for m in body:
        if m.kind == PERSON and m.rule == "single" and m.name in nicknames:
            m.canonical, m.rule = nicknames[m.name], "capitalised"
    resolved: list[Mention] = []
    unvouched: list[Mention] = []
    for m in body:
        if m.kind == PLACE and m.rule == "place-pattern" and " " not in m.name:
            # "setia ke Ainun" after "Hasri Ainun Besari": "ke" before a person, not a place (but
            # "di Donetsk" after "Shakhtar Donetsk", a club's place, is the place).
            full = find_owner(m.name)
            if full is not None and fold_name(full).split()[-1] != fold_name(m.name):
                m.kind, m.canonical, m.rule = PERSON, full, "capitalised"
        if m.kind == PERSON:
            full = owner(m)
            if full is not None:
                m.canonical = full
                if m.rule == "single":
                    m.rule = "capitalised"
            elif m.rule == "single":
                m.rule = "" if _known_not_person(m.name, t) else _vouched(text, m)
                if not m.rule:
                    unvouched.append(m)
                    continue
        resolved.append(m)
    # A single name vouched for once is that person wherever else it is written.
    vouched = {fold_name(m.canonical): m.rule for m in resolved if m.kind == PERSON}
    listed = _listed_names(text, unvouched) if len(unvouched) >= 4 else set()
    for m in unvouched:
        rule = vouched.get(fold_name(m.canonical)) or ("capitalised" if id(m) in listed else "")
        if rule:
            m.rule = rule
            resolved.append(m)
    resolved.sort(key=lambda m: m.start)
    characters = _screen_characters(text, resolved)
    if characters:
        resolved = [m for m in resolved if not (m.kind == PERSON and m.canonical in characters)]
    places = {fold_name(m.canonical) for m in resolved if m.kind == PLACE}
    organisations = {fold_name(m.canonical) for m in resolved if m.kind == ORGANISATION}
    for m in resolved:
        if m.kind == PERSON and m.rule != "alias":
            folded = fold_name(m.canonical)
            if folded in places:
                m.kind = PLACE
            elif folded in organisations:
                m.kind = ORGANISATION
    known = {(m.kind, fold_name(m.canonical)) for m in resolved}
    for m in title:
        if m.kind == PERSON:
            full = owner(m)
            if full is not None:
                m.canonical = full
        if (m.kind, fold_name(m.canonical)) in known or m.rule in ("alias", "gazetteer"):
            resolved.append(m)
    misspelt = _misspelt_people(resolved)
    for m in resolved:
        if m.kind == PERSON and m.canonical in misspelt:
            m.canonical = misspelt[m.canonical]
    return _entities(text, body_offset, resolved)


def _same_name_word(short: str, word: str) -> bool:
    """``short`` is the start of ``word`` (Alex, Alexander) or one letter off it (Harry, Hary)."""
    if short[0] != word[0] or len(word) < 4:
        return False
    return word.startswith(short) or _one_letter_apart(short, word)


def _one_letter_apart(a: str, b: str) -> bool:
    """One letter changed, added or dropped (Iman, Imam; Par, Park)."""
    return Levenshtein.distance(a, b, score_cutoff=1) == 1


_HONORIFICS = re.compile(
    r"^(?:(?:Dr|Drs|Dra|Ir|Prof|H|Hj|KH|K\.H|Kh|Bapak|Pak|Ibu|Bu|Kang|Mbak|Mas|Bang|Eyang|Ustaz|Ustad|Habib|Chef|Sir|Mr|Mrs|Ms)\.?\s+)+"
)
_DEGREES = re.compile(
    r",?\s+(?:S\.?[A-Z][a-zA-Z]*|M\.?[A-Z][a-zA-Z]*|MPsi|SH|MH|MM|MA|MSi|MBA|PhD|Ph\.D|A\.?\s?Md(?:\.?\s?[A-Z][a-z]+)?)\.?$"
)


def _strip_titles(name: str) -> str:
    name = _HONORIFICS.sub("", name)
    name = _DEGREES.sub("", name)
    return name.strip(" ,.-")


def _said_verb_follows(after: str) -> bool:
    word = re.match(r"^\s*,?\s*(\w+)", after)
    if not word:
        return False
    w = word.group(1).lower()
    return w in _INDIRECT_VERBS or w in SAID_VERBS


_INDIRECT_AFTER = re.compile(
    r"\b(?:mengatakan|menuturkan|menjelaskan|mengungkapkan|menegaskan|menambahkan|menerangkan|menyebutkan"
    r"|memaparkan|membeberkan|menyatakan|mengaku|mengakui|menceritakan|bercerita|berujar|berkata)\b"
)
_INDIRECT_VERBS = _WORDS["indirect_verbs"]


def _organisation_key(name: str) -> str:
    """'DPRD Jabar' and 'DPRD Jawa Barat' are one organisation: its place by the gazetteer's name."""
    words = name.split()
    places = tables().places
    for k in (3, 2, 1):
        if len(words) > k and " ".join(words[-k:]) in places:
            return fold_name(" ".join(words[:-k]) + " " + places[" ".join(words[-k:])])
    return fold_name(name)


def _entities(text: str, body_offset: int, mentions: list[Mention]) -> Analysis:
    groups: dict[tuple[str, str], list[Mention]] = {}
    for m in sorted(mentions, key=lambda m: m.start):
        key = _organisation_key(m.canonical) if m.kind == ORGANISATION else fold_name(m.canonical)
        groups.setdefault((m.kind, key), []).append(m)
    entities = []
    roles: dict[str, str] = {}
    t = tables()
    canonicals = {key: max((m.canonical for m in group), key=lambda c: (len(c), c)) for key, group in groups.items()}
    first_rules = {key: min(group, key=lambda m: _RULE_ORDER.get(m.rule, 99)).rule for key, group in groups.items()}
    # Capitalised words alone are too often a product, a club, a programme: a person needs more.
    doubtful = {
        key
        for key, group in groups.items()
        if key[0] == PERSON
        and first_rules[key] == "capitalised"
        and not _group_evidence(text, canonicals[key], group, t)
    }
    if doubtful:
        _listed_with_people(text, groups, doubtful)
    dropped = {id(m) for key in doubtful for m in groups[key]}
    for key, group in groups.items():
        if key in doubtful:
            continue
        kind, canonical, first_rule = key[0], canonicals[key], first_rules[key]
        for m in group:
            m.canonical = canonical
            if m.role and kind == PERSON:
                roles.setdefault(m.role, canonical)
        entities.append(Entity(kind, canonical, tuple((m.start, m.end) for m in group), first_rule))
    ordered = sorted((m for m in mentions if id(m) not in dropped), key=lambda m: m.start)
    return Analysis(text, body_offset, entities, ordered, roles)


# Between two names of one list: "X, Y dan Z", "X serta Y".
_LIST_GAP = re.compile(r"\s*(?:,\s*(?:dan\s+|serta\s+)?|\s(?:dan|serta)\s)\s*")


def _listed_names(text: str, singles: list[Mention]) -> set[int]:
    """Single names listed four or more in a row ("Pyatov, Bolbat, Matviyenko, dan Stepanenko"): a
    line-up, a band's members; ids of their mentions."""
    found: set[int] = set()
    chain: list[Mention] = []
    for m in sorted(singles, key=lambda m: m.start):
        if chain and not _LIST_GAP.fullmatch(text, chain[-1].end, m.start):
            if len(chain) >= 4:
                found.update(id(c) for c in chain)
            chain = []
        chain.append(m)
    if len(chain) >= 4:
        found.update(id(c) for c in chain)
    return found


def _listed_with_people(
    text: str, groups: dict[tuple[str, str], list[Mention]], doubtful: set[tuple[str, str]]
) -> None:
    """Names listed with people are people: "Sophia Latjuba, Shawn Andrian, dan ..." (removes them from
    ``doubtful``)."""
    people = sorted(
        ((m.start, m.end, key) for key, group in groups.items() if key[0] == PERSON for m in group),
        key=lambda item: item[0],
    )
    changed = True
    while changed:
        changed = False
        for (_s1, end, left), (start, _e2, right) in zip(people, people[1:], strict=False):
            if (left in doubtful) != (right in doubtful) and _LIST_GAP.fullmatch(text, end, start):
                doubtful.discard(left)
                doubtful.discard(right)
                changed = True


def _group_evidence(text: str, canonical: str, group: list[Mention], t: _Tables) -> bool:
    """Whether one mention of a person is more than capital letters, or the article calls the person by
    the last name alone ("Alexis Sanchez" ... "Sanchez")."""
    if any(_person_evidence(text, m, t) for m in group):
        return True
    words = canonical.split()
    # The last name alone, or a middle one that is no ordinary word ("Affan" of "Yanditya Affan Almada").
    return len(words) >= 2 and any(
        m.name == words[-1] or m.name in words[1:] and m.name.lower() not in t.lexical for m in group
    )


# "Direktur Utama PT Mahaka Media Tbk, Adrian Syarkawie": a role, a comma, the name.
_ROLE_BEFORE = re.compile(r"(?:^|[^\w\s]\s*|\s)([A-Z][\w-]*)(?: [A-Z(][\w().&'-]*){0,10},\s*$")
# "Andreas Raditya, General Manager ...": the name, a comma, a role.
_ROLE_AFTER = re.compile(r"\s*,\s*([A-Za-z]+)")
# "AK (Alvaro Khadafi)": initials, then the name in brackets.
_INITIALS_BEFORE = re.compile(r"\b([A-Z]{2,4})\s*\(\s*$")


# The word before a name: "aktris X", "kata X", "Jalan X".
_WORD_BEFORE = re.compile(r"([^\W\d_]+)[ ,]*$")


def _person_evidence(text: str, m: Mention, t: _Tables) -> bool:
    """Whether something besides capital letters says this mention is a person."""
    before = _WORD_BEFORE.search(text, max(0, m.start - 30), m.start)
    previous = before.group(1).lower() if before else ""
    if previous in FACILITY_WORDS or previous in _NOT_PERSON_BEFORE:
        return False  # "Jalan Ahmad Yani", "merek Coca Cola", "klub Tira Persikabo"
    if m.role or m.rule in ("role-title", "initials", "speaker"):
        return True
    key = fold_name(m.name)
    if t.learnt.get(key) == PERSON:
        return True
    words = key.split()
    if len(words) >= 2 and any(word in t.person_words for word in words):
        return True
    if previous in _PERSON_BEFORE or _vouched(text, m):
        return True
    role = _ROLE_BEFORE.search(text, max(0, m.start - 100), m.start)
    if role and role.group(1).lower() in ROLE_WORDS:
        return True
    role = _ROLE_AFTER.match(text, m.end)
    if role and role.group(1).lower() in ROLE_WORDS:
        return True
    initials = _INITIALS_BEFORE.search(text, max(0, m.start - 8), m.start)
    return bool(initials) and initials.group(1) == "".join(w[0] for w in m.name.split()).upper()


_RULE_ORDER = {
    "alias": 0,
    "gazetteer": 1,
    "role-title": 2,
    "org-pattern": 3,
    "place-pattern": 4,
    "learnt": 5,
    "org-acronym": 5,
    "initials": 6,
    "byline": 6,
    "speaker": 7,
    "capitalised": 8,
}


@lru_cache(maxsize=32)
def analyse(title: str, body: str) -> Analysis:
    """Entities and their mentions (cached: the quote extraction reads the same analysis)."""
    text = article_text(title, body)
    body_offset = len(title) + 2
    reader = _Reader(text, body_offset)
    tokens = _tokens(text)
    for token in tokens:
        if token.start >= body_offset:
            break
        token.sentence_start = True  # a title capitalises every word, as a sentence does its first
    for run in _runs(text, tokens):
        reader.read(run)
    reader.mentions.extend(_credits(text, body_offset))
    t = reader.t
    if t.lower_aliases is not None and any(stem in text for stem in t.lower_stems):
        for match in t.lower_aliases.finditer(text):
            kind = t.aliases[_surface_key(match.group())][0]
            reader.mentions.append(Mention(match.start(), match.end(), kind, match.group(), "alias"))
    return _resolve(text, body_offset, reader.mentions)


# The reporters' names closing an article: "... kata Rifai.,ANDITA RAHMA | AVIT HIDAYAT".
_CREDITS = re.compile(r"[A-Z][A-Z'.-]+(?: [A-Z][A-Z'.-]+)*(?:\s*\|\s*[A-Z][A-Z'.-]+(?: [A-Z][A-Z'.-]+)*)+\s*$")
_CREDIT = re.compile(r"[A-Z][A-Z'.-]+(?: [A-Z][A-Z'.-]+)*")


def _credits(text: str, body_offset: int) -> list[Mention]:
    """People among the credits in capitals at the end of the body; the sources named there too
    ("MARCA | ANTARA") are not read."""
    if "|" not in text[-200:]:
        return []
    match = _CREDITS.search(text, max(body_offset, len(text) - 200))
    if not match:
        return []
    t = tables()
    found = []
    for item in _CREDIT.finditer(text, match.start(), match.end()):
        words = item.group().lower().split()
        if 2 <= len(words) <= 4 and (words[0] in t.given_names or any(w in t.person_words for w in words)):
            name = " ".join(w.capitalize() for w in item.group().split())
            found.append(Mention(item.start(), item.end(), PERSON, name, "byline", canonical=name))
    return found


def extract_entities(title: str, body: str) -> list[Entity]:
    """People, organisations and places of one article, each once, with its mentions."""
    return list(analyse(title, body).entities)
