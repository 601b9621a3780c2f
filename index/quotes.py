"""Who said what: direct and indirect quotes of an article's body, with their speakers.

``extract_quotes(title, body)`` finds

* direct quotes, in quotation marks, attributed by a said-verb after them
  (``"...," kata Hadi``, ``ujarnya``, ``tutur Kapolres``) or before them
  (``Hadi mengatakan, "..."``), or by the speaker's name alone (``"...," Direktur X, Senin``);
  a quote with no attribution that follows an attributed one continues its speaker
  (rules ``said-verb``, ``said-before``, ``name-after``, ``continuation``);
* indirect quotes: ``X mengatakan(,| bahwa) ...`` and the other me- verbs (``indirect``),
  ``Menurut X, ...`` (``menurut``), ``..., kata X, ...`` and ``Dikatakan X, ...`` (``kata-inline``).

A speaker is resolved to a person of ``entities.analyse``: the name written, a pronoun (ia, dia,
beliau, -nya) or a role word (Kapolres) to the person it points back to, a surname to the full
name. Quotes whose speaker is an organisation or an unnamed person keep ``speaker_canonical`` None.
Offsets and paragraph numbers are of the body (paragraphs are separated by blank lines).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from berita_search.index.entities import ABBREVIATIONS, PERSON, SAID_VERBS, Analysis, Mention, analyse


@dataclass(frozen=True, slots=True)
class Quote:
    text: str
    speaker_canonical: str | None
    speaker_as_written: str
    paragraph: int
    kind: str  # "direct" | "indirect"
    start: int  # offsets into the body
    end: int
    rule: str


_SAY = r"(?:kata|ujar|ucap|tutur|jelas|ungkap|tegas|imbuh|tambah|terang|sebut|papar|beber|lanjut|pungkas|tandas|tulis|cerita|sambung|jawab|kilah|seloroh|timpal|tanya|aku|keluh|pinta|pesan|tutup|sindir|cibir|balas|komentar|teriak|seru|urai|tukas|tutup)"
_SAY_VERB = re.compile(r"^\s*[,.]?\s*(?:(?P<verb>" + _SAY + r")(?P<nya>nya)?|(?P<other>[a-z]{3,}nya))\b", re.IGNORECASE)
_INDIRECT = (
    r"(?:mengatakan|menuturkan|menjelaskan|mengungkapkan|menegaskan|menambahkan|menerangkan|menyebutkan|menyebut"
    r"|memaparkan|membeberkan|menyatakan|mengaku|mengakui|menceritakan|bercerita|berujar|berucap|berkata|menulis"
    r"|melanjutkan|mengungkap|menandaskan|menukas|menutukan|menyatakam)"
)
_QUOTE_OPEN = '"“”'
_QUOTED = re.compile(r"[\"“”]([^\"“”]{2,})[\"”“]")
_BEFORE_VERB = re.compile(
    r"\b(?P<verb>" + _INDIRECT + r"|kata|ujar|ucap|tutur|menambahkan|katanya)\s*[,:;]?\s*$", re.IGNORECASE
)
_INDIRECT_CLAUSE = re.compile(
    r"\b(?P<verb>"
    + _INDIRECT
    + r")(?P<marker>\s*,|\s*:|\s+bahwa|\s+jika|\s+kalau|(?=\s+[a-zA-Z]))\s*(?P<clause>[^\"“”]{8,}?)(?=[.!?](?:\s|$)|$)",
)
_MENURUT = re.compile(
    r"(?:^|(?<=[,.;]\s)|(?<=^)|(?<=\s)(?<!yang\s)(?=menurutnya\b))(?:Namun\s+|Sementara\s+|Nah\s+)?[Mm]enurut(?:nya\s*,?|\s+(?P<who>[^,.\"“”]{2,90}?)\s*,)"
    r"\s*(?P<clause>[^\"“”]{8,}?)(?=[.!?](?:\s|$)|$)"
)
_INLINE = re.compile(
    r"(?:^|(?<=[,.;]\s)|(?<=\.\s))(?:(?:Namun|Sebab|Bahkan|Tapi|Sementara|Menurutnya|Saat ini)\s*,?\s*)?"
    r"(?:[Kk]ata(?:nya)?|[Dd]ikatakan|[Dd]ijelaskan|[Dd]iterangkan|[Dd]itambahkan|[Dd]iungkapkan|[Dd]isebutkan|lanjut|tambah|imbuh)"
    r"(?:\s+(?P<who>[^,.\"“”]{2,120}?))?\s*,\s*(?P<clause>[^\"“”]{8,}?)(?=[.!?](?:\s|$)|$)"
)
# "Pembangunan tersebut lanjut Bahron, menelan ...": the same inside a sentence, with a name.
_INLINE_INSIDE = re.compile(
    r"(?<=\s)(?<![,.;]\s)(?:lanjut|tambah|imbuh)\s+(?P<who>[A-Z][^,.\"“”]{1,119}?)\s*,\s*(?P<clause>[^\"“”]{8,}?)"
    r"(?=[.!?](?:\s|$)|$)"
)
_SENTENCE_BREAK = re.compile(r"[.!?](?:\s|$)")
_PRONOUN = re.compile(r"^\s*(?:ia|dia|beliau|nya|dirinya)\b", re.IGNORECASE)
_LEADING_PRONOUN = re.compile(r"\b(?:ia|dia|beliau)\s*(?:pun|juga|lantas|lalu|kemudian|pun)?\s*$", re.IGNORECASE)
_WORDS = re.compile(r"\w+")
# '"...," jawab , singkat': the speaker's name was a link the scraper dropped; the person is the one
# the article is speaking of.
_DROPPED_NAME = re.compile(r"^\s*[,.]")
# '"...," kata jenderal polisi bintang dua tersebut': a description of someone already named.
_DESCRIPTION = re.compile(r"^\s*(?:[\w.'/-]+\s+){1,9}(?:ini|tersebut|itu)\s*$")
# Verbs that report speech without a comma or "bahwa" after them ("Imam mengatakan pihaknya ...").
_VERBS_WITHOUT_MARKER = frozenset(
    [
        "mengatakan",
        "menuturkan",
        "menjelaskan",
        "mengungkapkan",
        "menegaskan",
        "mengaku",
        "mengakui",
        "menyatakan",
        "menyebut",
        "menyebutkan",
        "memaparkan",
        "menerangkan",
    ]
)
# What a reported clause opens with when no comma or "bahwa" marks it: a small word, or up to three
# capitalised words and then a small one ("Kemendagri mengevaluasi", "BMKG akan", "Kota Kediri dinilai").
_CLAUSE_WITHOUT_MARKER = re.compile(r"^(?:[a-z]|(?:[A-Z][\w.-]*\s+){1,3}[a-z])")
_NOT_SPEECH_AFTER_SEBUT = re.compile(r"^\s*(?:sebagai|dengan|nama)\b", re.IGNORECASE)
# "menyebut ular raksasa tersebut sebagai Tangkaluk": naming, not speech.
_NAMING_AFTER_SEBUT = re.compile(r"^\s*(?:\S+\s+){0,5}?sebagai\b", re.IGNORECASE)


class _Speakers:
    """Persons of the article in body coordinates, to resolve names, pronouns and roles."""

    def __init__(self, analysis: Analysis, body: str) -> None:
        self.body = body
        offset = analysis.body_offset
        self.persons: list[Mention] = [m for m in analysis.mentions if m.kind == PERSON and m.start >= offset]
        self.others: list[Mention] = [m for m in analysis.mentions if m.kind != PERSON and m.start >= offset]
        self.offset = offset
        self.starts = [m.start - offset for m in self.persons]
        self.roles = analysis.roles
        self.last_speaker: tuple[str | None, str, int] | None = None  # canonical, as written, paragraph

    def person_in(self, start: int, end: int, last: bool = True) -> Mention | None:
        hits = [m for m in self.persons if start <= m.start - self.offset and m.end - self.offset <= end]
        if not hits:
            return None
        return hits[-1] if last else hits[0]

    def organisation_in(self, start: int, end: int) -> Mention | None:
        hits = [m for m in self.others if start <= m.start - self.offset and m.end - self.offset <= end]
        return hits[-1] if hits else None

    def before(self, position: int) -> Mention | None:
        index = bisect.bisect_left(self.starts, position)
        return self.persons[index - 1] if index else None

    def role(self, text: str) -> tuple[str, str] | None:
        for word in _WORDS.findall(text)[:3]:
            canonical = self.roles.get(word.lower())
            if canonical:
                return canonical, word
        return None

    def back_reference(self, position: int, paragraph: int) -> tuple[str | None, str]:
        """The person a pronoun or -nya points to: a recent speaker, else the last person named."""
        if self.last_speaker and paragraph - self.last_speaker[2] <= 2 and self.last_speaker[0]:
            last_person = self.before(position)
            speaker_para = self.last_speaker[2]
            if (
                last_person is None
                or self._paragraph_of(last_person) <= speaker_para
                or self._paragraph_of(last_person) < paragraph
            ):
                return self.last_speaker[0], self.last_speaker[1]
        mention = self.before(position)
        if mention is None:
            return None, ""
        # "Erick juga menganggap Habibie Bapak Inovasi. '...,' tutur dia": the subject of the
        # sentence that last named someone, not the last name in it.
        subject = self.subject_of(mention)
        return subject.canonical, subject.name

    def subject_of(self, mention: Mention) -> Mention:
        """The first person of the sentence ``mention`` is in."""
        start = mention.start - self.offset
        sentence_start = max(self.body.rfind(". ", 0, start), self.body.rfind("\n", 0, start)) + 1
        index = bisect.bisect_left(self.starts, sentence_start)
        return self.persons[index] if index < len(self.persons) and self.starts[index] <= start else mention

    paragraph_starts: list[int] = []

    def _paragraph_of(self, mention: Mention) -> int:
        return bisect.bisect_right(self.paragraph_starts, mention.start - self.offset) - 1


def _speaker_from(segment: str, seg_start: int, speakers: _Speakers, paragraph: int, position: int):
    """The speaker named in ``segment`` (body offsets from ``seg_start``), or a pronoun's person."""
    mention = speakers.person_in(seg_start, seg_start + len(segment), last=False)
    if mention is not None:
        return mention.canonical, mention.name
    if _PRONOUN.match(segment) or not segment.strip() or _DROPPED_NAME.match(segment):
        return speakers.back_reference(position, paragraph)
    role = speakers.role(segment)
    if role:
        return role
    if _DESCRIPTION.match(segment):
        return speakers.back_reference(position, paragraph)
    return None, segment.strip()[:60]


def extract_quotes(title: str, body: str, entities: object = None) -> list[Quote]:
    """The quotes of one article's body, in order. ``entities`` is accepted for symmetry and unused:
    the analysis of ``entities.analyse`` (cached) is read instead."""
    analysis = analyse(title, body)
    speakers = _Speakers(analysis, body)
    paragraphs = body.split("\n\n")
    starts = [0]
    for paragraph in paragraphs[:-1]:
        starts.append(starts[-1] + len(paragraph) + 2)
    speakers.paragraph_starts = starts
    quotes: list[Quote] = []
    direct_spans: list[tuple[int, int]] = []

    def paragraph_of(position: int) -> int:
        return bisect.bisect_right(starts, position) - 1

    def add(text: str, start: int, end: int, speaker: tuple[str | None, str], kind: str, rule: str) -> None:
        # The span and the text without the commas and spaces around the quote.
        while start < end and body[start] in " ,\n":
            start += 1
        while end > start and body[end - 1] in " ,\n":
            end -= 1
        text = " ".join(body[start:end].split())
        if len(_WORDS.findall(text)) < 2:
            return
        paragraph = paragraph_of(start)
        quotes.append(Quote(text, speaker[0], speaker[1], paragraph, kind, start, end, rule))
        speakers.last_speaker = (speaker[0], speaker[1], paragraph)

    # Every candidate in the order of the text, so that a pronoun or -nya finds the speaker of the
    # quote just before it, direct or indirect.
    direct_matches = [m for start, end in _quote_chunks(paragraphs, starts) for m in _QUOTED.finditer(body, start, end)]
    direct_matches = [m for m in direct_matches if len(_WORDS.findall(m.group(1))) >= 2]
    direct_spans = [(m.start(), m.end()) for m in direct_matches]

    def inside_direct(position: int) -> bool:
        index = bisect.bisect_right(direct_spans, (position, len(body) + 1)) - 1
        return index >= 0 and direct_spans[index][0] <= position < direct_spans[index][1]

    events: list[tuple[int, int, str, re.Match[str], int]] = [(m.start(), 0, "direct", m, -1) for m in direct_matches]
    for index, paragraph_text in enumerate(paragraphs):
        base = starts[index]
        patterns = [("inline", _INLINE), ("indirect", _INDIRECT_CLAUSE)]
        if "enurut" in paragraph_text:
            patterns.insert(0, ("menurut", _MENURUT))
        if "lanjut " in paragraph_text or "tambah " in paragraph_text or "imbuh " in paragraph_text:
            patterns.insert(1, ("inline", _INLINE_INSIDE))
        for name, pattern in patterns:
            for match in pattern.finditer(paragraph_text):
                if not inside_direct(base + match.start()) and not inside_direct(base + match.start("clause")):
                    events.append((base + match.start(), 1, name, match, index))
    events.sort(key=lambda event: (event[0], event[1]))

    state = {"previous_end": -1, "previous_speaker": None}

    def direct(match: re.Match[str]) -> None:
        inner = match.group(1)
        start, end = match.start(1), match.end(1)
        paragraph = paragraph_of(start)
        after = body[match.end() : match.end() + 160]
        para_start = starts[paragraph]
        before = body[para_start : match.start()]
        speaker = None
        rule = ""
        say = _SAY_VERB.match(after)
        previous_speaker = state["previous_speaker"]
        previous_end = state["previous_end"]
        if say and not (say.group("other") and say.group("other").lower() in ("nya", "lainnya", "sebelumnya")):
            rest_start = match.end() + say.end()
            rest = body[rest_start : rest_start + 160]
            rest = rest[: _end_of_sentence(rest)]
            if say.group("nya") or say.group("other"):
                speaker = speakers.back_reference(match.start(), paragraph)
            else:
                speaker = _speaker_from(rest, rest_start, speakers, paragraph, match.start())
            rule = "said-verb"
        elif _BEFORE_VERB.search(before[-80:]):
            verb = _BEFORE_VERB.search(before[-80:])
            sentence_start = max(before.rfind(". ", 0, len(before) - 80 + verb.start()) + 2, 0)
            subject = before[sentence_start : len(before) - 80 + verb.start() if len(before) > 80 else verb.start()]
            seg_start = para_start + sentence_start
            mention = speakers.person_in(seg_start, seg_start + len(subject))
            if mention is not None:
                speaker = (mention.canonical, mention.name)
            elif verb.group("verb").lower().startswith("kata") and verb.group("verb").lower() != "katanya":
                speaker = (None, subject.strip()[-60:])
            else:
                speaker = speakers.back_reference(match.start(), paragraph)
            rule = "said-before"
        else:
            # The name in the same paragraph: '"...," Direktur Utama X, Senin' (not the next paragraph's subject).
            name_after = re.match(r"^[ \t]*,?[ \t]*(?P<who>[A-Z][^.,\"“”\n]{2,100})", after)
            mention = speakers.person_in(match.end(), match.end() + name_after.end()) if name_after else None
            if mention is not None and not re.match(r"^\s*,?\s*(?:dan|serta)\b", after):
                speaker = (mention.canonical, mention.name)
                rule = "name-after"
            elif previous_speaker is not None and (
                paragraph_of(previous_end) >= paragraph - 1
                and not before.strip(" ,")
                or paragraph_of(previous_end) == paragraph
            ):
                speaker = previous_speaker
                rule = "continuation"
        if speaker is None:
            return
        if rule == "continuation" and quotes and quotes[-1].kind == "direct" and quotes[-1].paragraph == paragraph:
            # A second quoted sentence of the same paragraph lengthens the quote.
            last = quotes.pop()
            end = end - len(inner) + len(inner.rstrip(" ,\n"))
            text = " ".join(body[last.start : end].split())
            quotes.append(
                Quote(
                    text,
                    last.speaker_canonical,
                    last.speaker_as_written,
                    paragraph,
                    "direct",
                    last.start,
                    end,
                    last.rule,
                )
            )
            state["previous_end"] = end
            return
        add(inner, start, end, speaker, "direct", rule)
        state["previous_end"], state["previous_speaker"] = end, speaker

    def menurut(match: re.Match[str], index: int) -> None:
        base = starts[index]
        who = match.group("who")
        if who is None:
            speaker = speakers.back_reference(base + match.start(), index)
        else:
            who_start = base + match.start("who")
            if re.match(r"^(?:data|penelitian|pantauan|hasil|catatan|survei|laporan|jadwal|kurs)\b", who, re.I):
                return
            speaker = _speaker_from(who, who_start, speakers, index, base + match.start())
            if speaker[0] is None and not _PRONOUN.match(who) and not re.match(r"^(?:mereka|para)\b", who):
                org = speakers.organisation_in(who_start, who_start + len(who))
                if org is None and not re.search(r"\b(?:warga|polisi|pihak|gurunya|keterangan)\b", who, re.I):
                    return
        add(
            match.group("clause"),
            base + match.start("clause"),
            base + match.end("clause"),
            speaker,
            "indirect",
            "menurut",
        )

    def inline(match: re.Match[str], index: int) -> None:
        base = starts[index]
        who = match.group("who") or ""
        if who and len(who.split()) > 12:
            return
        who_start = base + (match.start("who") if match.group("who") else match.start())
        if not who or _PRONOUN.match(who):
            speaker = speakers.back_reference(base + match.start(), index)
        else:
            speaker = _speaker_from(who, who_start, speakers, index, base + match.start())
            if speaker[0] is None:
                return
        add(
            match.group("clause"),
            base + match.start("clause"),
            base + match.end("clause"),
            speaker,
            "indirect",
            "kata-inline",
        )

    def indirect(match: re.Match[str], index: int) -> None:
        base = starts[index]
        paragraph_text = paragraphs[index]
        position = base + match.start()
        clause = match.group("clause")
        verb = match.group("verb").lower()
        marker = match.group("marker").strip()
        if not marker and (verb not in _VERBS_WITHOUT_MARKER or _NOT_SPEECH_AFTER_SEBUT.match(clause)):
            return
        if not marker and verb.startswith("menyebut") and _NAMING_AFTER_SEBUT.match(clause):
            return
        if not marker and not _CLAUSE_WITHOUT_MARKER.match(clause):
            return
        sentence_start = _sentence_start(paragraph_text, match.start())
        subject = paragraph_text[sentence_start : match.start()]
        if not subject.strip() and sentence_start == 0 and index > 0:
            speaker = speakers.back_reference(position, index)
        else:
            seg_start = base + sentence_start
            mention = speakers.person_in(seg_start, seg_start + len(subject))
            if mention is not None:
                speaker = (mention.canonical, mention.name)
            elif _LEADING_PRONOUN.search(subject) or re.search(r"\bnya\s*$", subject):
                speaker = speakers.back_reference(position, index)
            else:
                role = speakers.role(subject.strip().split(",")[-1]) if subject.strip() else None
                if role:
                    speaker = role
                elif speakers.organisation_in(seg_start, seg_start + len(subject)) or re.search(
                    r"\b(?:mereka|polisi|pihak\w*|kepolisian|warga|netizen|warganet|perempuan|mahasiswa|pemerintah|jaksa|hakim"
                    r"|majelis|sumber|tim|penyidik)\b",
                    subject,
                    re.I,
                ):
                    speaker = (None, subject.strip()[-60:])
                else:
                    return
        clause_start = base + match.start("clause")
        add(clause, clause_start, clause_start + len(clause), speaker, "indirect", "indirect-verb")

    handlers = {"menurut": menurut, "inline": inline, "indirect": indirect}
    for _position, _order, name, match, index in events:
        if name == "direct":
            direct(match)
        else:
            handlers[name](match, index)
    quotes.sort(key=lambda q: q.start)
    return quotes


def _quote_chunks(paragraphs: list[str], starts: list[int]) -> list[tuple[int, int]]:
    """Spans of the body whose quotation marks pair up among themselves: a paragraph, or two or more
    running paragraphs whose marks are odd in number each (a quote the scraper split in two). A stray
    mark then spoils one paragraph's quotes, not those of all the paragraphs after it."""
    chunks: list[tuple[int, int]] = []
    open_chunk = False
    for index, paragraph in enumerate(paragraphs):
        marks = _quote_marks(paragraph)
        if not marks and not open_chunk:
            continue
        end = starts[index] + len(paragraph)
        if open_chunk:
            chunks[-1] = (chunks[-1][0], end)
            if marks % 2:
                open_chunk = False
            continue
        chunks.append((starts[index], end))
        open_chunk = marks % 2 == 1 and index + 1 < len(paragraphs) and _quote_marks(paragraphs[index + 1]) % 2 == 1
    return chunks


def _quote_marks(paragraph: str) -> int:
    return paragraph.count('"') + paragraph.count("“") + paragraph.count("”")


_SENTENCE_END = re.compile(r"[.!?](?:\s|$)|[\"“”]|\n")


def _end_of_sentence(text: str) -> int:
    for match in _SENTENCE_END.finditer(text):
        if match.group().startswith("."):
            # "kata Irjen Pol. Luki Hermawan", "Ruslan A. Suhady": a dot inside a name ends no sentence.
            word_start = match.start()
            while word_start and text[word_start - 1].isalnum():
                word_start -= 1
            word = text[word_start : match.start()]
            in_name = (len(word) == 1 and word.isupper()) or word.lower() in ABBREVIATIONS
            if in_name and re.match(r"\.\s*[A-Z]", text[match.start() : match.start() + 3]):
                continue
        return match.start()
    return len(text)


def _end_of_clause(text: str) -> int:
    match = re.search(r"[,.;]\s|\(|$", text)
    return match.start() if match else len(text)


def _sentence_start(text: str, position: int) -> int:
    best = 0
    for match in _SENTENCE_BREAK.finditer(text, 0, position):
        best = match.end()
    return best


__all__ = ["Quote", "extract_quotes", "SAID_VERBS"]
