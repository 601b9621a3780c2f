"""Precision, recall and speed of the entity and quote extraction (index/entities.py, index/quotes.py).

    python -m bench.entities                 # scores on the labelled dev and held-out parts
    python -m bench.entities --errors dev    # also list dev errors (never look at held-out ones)
    python -m bench.entities --part dev      # only the dev scores (while tuning)
    python -m bench.entities --speed         # also time the extraction over the whole clickid corpus
    python -m bench.entities --draw          # print the seeded draw the labelled articles came from
    python -m bench.entities --lexicon       # rewrite index/data/lexical_words.txt from the corpus

Labels: tests/data/entities_labelled.txt (its header says how they were drawn and labelled).

Scoring, per article:
- Entities: the set of (kind, folded canonical name) predicted against the labelled set. Names are
  folded with ``fold_name``: case and accents folded, every run of non-alphanumerics is one space,
  runs of single letters are joined ("B.J. Habibie" = "BJ Habibie", "Laode M. Syarif" = "Laode M
  Syarif"). A rule family's precision counts the entities it produced; its recall is the share of
  the labelled entities of that kind it found (families overlap, so these do not add up).
- Quotes: a predicted quote matches a labelled one when their spans in the body overlap and the
  folded speaker names are equal (both None when the article names no speaker). Each labelled quote
  matches at most one predicted quote.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from berita_search.index.article import Article
from berita_search.index.entities import extract_entities, fold_name
from berita_search.index.quotes import extract_quotes
from berita_search.index.readers import read_paths

REPO = Path(__file__).resolve().parent.parent
LABELS = REPO / "tests" / "data" / "entities_labelled.txt"
CLICKID_JSONL = REPO.parent / "shared" / "corpus" / "clickid" / "clickid_raw_articles.derived.jsonl"
DRAW_SEED = 20190917
DRAW_PER_OUTLET = 12
DEV_PER_OUTLET = 6
# Later draws, added to the dev part: 6 more per outlet each, from the articles earlier draws left.
LATER_DRAW_SEEDS = (20240611, 20240612)
LATER_DRAW_PER_OUTLET = 6
KIND_OF_LETTER = {"P": "person", "O": "organisation", "L": "place"}
PERSON_KIND, ORGANISATION_KIND, PLACE_KIND, OTHER_KIND = "person", "organisation", "place", "other"
OPPONENT = "opponent"
KINDS = ("person", "organisation", "place")


@dataclass
class LabelledQuote:
    kind: str  # "direct" | "indirect"
    paragraph: int
    speaker: str | None
    anchor: str
    span: tuple[int, int] = (0, 0)


@dataclass
class LabelledArticle:
    article_id: str
    part: str
    source: str
    entities: set[tuple[str, str]] = field(default_factory=set)  # (kind, canonical as labelled)
    quotes: list[LabelledQuote] = field(default_factory=list)


class LabelError(ValueError):
    pass


def parse_labels(path: Path = LABELS) -> list[LabelledArticle]:
    articles: list[LabelledArticle] = []
    current: LabelledArticle | None = None
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.rstrip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("@ "):
            _, article_id, part, source = line.split(maxsplit=3)
            if part not in ("dev", "heldout"):
                raise LabelError(f"{path.name}:{number}: part must be dev or heldout, not {part!r}")
            current = LabelledArticle(article_id, part, source)
            articles.append(current)
            continue
        if current is None:
            raise LabelError(f"{path.name}:{number}: item before the first '@' line")
        letter, rest = line[0], line[2:]
        if letter in KIND_OF_LETTER:
            current.entities.add((KIND_OF_LETTER[letter], rest.strip()))
        elif letter == "Q":
            head, _, anchor = rest.partition(" | ")
            kind_letter, paragraph, speaker = head.split(maxsplit=2)
            current.quotes.append(
                LabelledQuote(
                    "direct" if kind_letter == "d" else "indirect",
                    int(paragraph),
                    None if speaker.strip() == "-" else speaker.strip(),
                    anchor,
                )
            )
        else:
            raise LabelError(f"{path.name}:{number}: unknown item {line[:20]!r}")
    return articles


def read_clickid(path: Path = CLICKID_JSONL) -> list[Article]:
    return [record for record in read_paths([path]) if isinstance(record, Article)]


def draw(articles: list[Article]) -> list[tuple[str, str, Article]]:
    """The documented draws. First: per outlet (sorted), 12 articles by rng.sample over the outlet's
    articles sorted by id, the first 6 dev and the last 6 held-out. Then, for each later seed (all
    dev): per outlet, 6 by rng.sample over the articles earlier draws left, sorted by id."""
    by_outlet: dict[str, list[Article]] = defaultdict(list)
    for article in articles:
        by_outlet[article.source].append(article)
    rng = random.Random(DRAW_SEED)
    drawn: list[tuple[str, str, Article]] = []
    for outlet in sorted(by_outlet):
        pool = sorted(by_outlet[outlet], key=lambda a: a.id)
        for index, article in enumerate(rng.sample(pool, DRAW_PER_OUTLET)):
            drawn.append(("dev" if index < DEV_PER_OUTLET else "heldout", outlet, article))
    for seed in LATER_DRAW_SEEDS:
        taken = {article.id for _part, _outlet, article in drawn}
        rng = random.Random(seed)
        for outlet in sorted(by_outlet):
            pool = sorted((a for a in by_outlet[outlet] if a.id not in taken), key=lambda a: a.id)
            drawn.extend(("dev", outlet, article) for article in rng.sample(pool, LATER_DRAW_PER_OUTLET))
    return drawn


def locate_quotes(labelled: LabelledArticle, body: str) -> None:
    """Turn each quote's anchor into a span of the body; a missing anchor is a labelling error."""
    paragraph_starts = [0]
    for paragraph in body.split("\n\n")[:-1]:
        paragraph_starts.append(paragraph_starts[-1] + len(paragraph) + 2)
    for quote in labelled.quotes:
        start_text, _, end_text = quote.anchor.partition(" ... ")
        origin = paragraph_starts[quote.paragraph] if quote.paragraph < len(paragraph_starts) else len(body)
        start = body.find(start_text, origin)
        if start < 0:
            raise LabelError(f"{labelled.article_id}: quote anchor not in the body: {start_text!r}")
        end = start + len(start_text)
        if end_text:
            end_at = body.find(end_text, end)
            if end_at < 0:
                raise LabelError(f"{labelled.article_id}: quote end not in the body: {end_text!r}")
            end = end_at + len(end_text)
        quote.span = (start, end)


@dataclass
class Tally:
    predicted: int = 0
    correct: int = 0
    gold: int = 0
    found: int = 0

    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 0.0

    def recall(self) -> float:
        return self.found / self.gold if self.gold else 0.0


@dataclass
class Scores:
    entities: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    families: dict[tuple[str, str], Tally] = field(default_factory=lambda: defaultdict(Tally))
    quotes: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    errors: list[str] = field(default_factory=list)


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def score(labelled: Iterable[LabelledArticle], articles: dict[str, Article]) -> Scores:
    scores = Scores()
    for gold in labelled:
        article = articles[gold.article_id]
        entities = extract_entities(article.title, article.body)
        gold_keys = {(kind, fold_name(name)) for kind, name in gold.entities}
        predicted_keys = {(e.kind, fold_name(e.canonical)) for e in entities}
        for kind in KINDS:
            tally = scores.entities[kind]
            gold_of_kind = {k for k in gold_keys if k[0] == kind}
            tally.gold += len(gold_of_kind)
            tally.found += len(gold_of_kind & predicted_keys)
        for entity in entities:
            key = (entity.kind, fold_name(entity.canonical))
            hit = key in gold_keys
            scores.entities[entity.kind].predicted += 1
            scores.entities[entity.kind].correct += hit
            family = scores.families[(entity.kind, entity.rule)]
            family.predicted += 1
            family.correct += hit
            family.found += hit
            if not hit:
                scores.errors.append(f"{gold.article_id} entity FP {entity.kind} {entity.canonical!r} ({entity.rule})")
        for kind, name in sorted(gold_keys - predicted_keys):
            scores.errors.append(f"{gold.article_id} entity FN {kind} {name!r}")
        for (kind, _rule), family in scores.families.items():
            family.gold = scores.entities[kind].gold

        quotes = extract_quotes(article.title, article.body, entities)
        unmatched = list(gold.quotes)
        for quote in quotes:
            family = scores.quotes[quote.rule]
            family.predicted += 1
            scores.quotes["all"].predicted += 1
            speaker = fold_name(quote.speaker_canonical) if quote.speaker_canonical else None
            match = next(
                (
                    g
                    for g in unmatched
                    if _overlaps(g.span, (quote.start, quote.end))
                    and (fold_name(g.speaker) if g.speaker else None) == speaker
                ),
                None,
            )
            if match is not None:
                unmatched.remove(match)
                family.correct += 1
                family.found += 1
                scores.quotes["all"].correct += 1
                scores.quotes["all"].found += 1
                scores.quotes[match.kind].found += 1
            else:
                scores.errors.append(
                    f"{gold.article_id} quote FP [{quote.paragraph}] {quote.speaker_canonical!r} "
                    f"as {quote.speaker_as_written!r} ({quote.rule}): {quote.text[:70]!r}"
                )
        for g in gold.quotes:
            scores.quotes["all"].gold += 1
            scores.quotes[g.kind].gold += 1
        for g in unmatched:
            scores.errors.append(f"{gold.article_id} quote FN [{g.paragraph}] {g.speaker!r}: {g.anchor[:70]!r}")
        for rule, family in scores.quotes.items():
            if rule not in ("all", "direct", "indirect"):
                family.gold = scores.quotes["all"].gold
    return scores


def _row(name: str, tally: Tally, with_precision: bool = True) -> str:
    precision = f"{tally.precision():6.3f}" if with_precision and tally.predicted else "     -"
    return f"  {name:<34} {tally.predicted:>5} {tally.correct:>5} {precision} {tally.found:>5}/{tally.gold:<5} {tally.recall():6.3f}"


def report(part: str, scores: Scores) -> str:
    lines = [f"== {part}", f"  {'entities':<34} {'pred':>5} {'ok':>5} {'prec':>6} {'found/gold':>11} {'recall':>6}"]
    total = Tally()
    for kind in KINDS:
        tally = scores.entities[kind]
        lines.append(_row(kind, tally))
        total.predicted += tally.predicted
        total.correct += tally.correct
        total.gold += tally.gold
        total.found += tally.found
    lines.append(_row("all entities", total))
    lines.append("  by rule family")
    for (kind, rule), tally in sorted(scores.families.items()):
        lines.append(_row(f"{kind} / {rule}", tally))
    lines.append(f"  {'quote-speaker pairs':<34}")
    lines.append(_row("all quotes", scores.quotes["all"]))
    for kind in ("direct", "indirect"):
        lines.append(_row(f"{kind} (recall only)", scores.quotes[kind], with_precision=False))
    for rule, tally in sorted(scores.quotes.items()):
        if rule not in ("all", "direct", "indirect"):
            lines.append(_row(f"rule {rule}", tally))
    return "\n".join(lines)


def evaluate(articles: list[Article] | None = None) -> dict[str, Scores]:
    labelled = parse_labels()
    wanted = {a.article_id for a in labelled}
    pool = articles if articles is not None else read_clickid()
    by_id = {a.id: a for a in pool if a.id in wanted}
    missing = wanted - by_id.keys()
    if missing:
        raise LabelError(f"labelled articles not in the corpus: {sorted(missing)[:5]}")
    for item in labelled:
        locate_quotes(item, by_id[item.article_id].body)
    return {part: score([a for a in labelled if a.part == part], by_id) for part in ("dev", "heldout")}


LEXICON = REPO / "index" / "data" / "lexical_words.txt"
LEXICON_HEADER = """# Words of the clickid corpus that are ordinary words, not names: written in lower case at least
# 10 times, and at least a fifth as often as capitalised inside a sentence. Capitalised, they still
# open sentences or stand in titles and organisation names, but not in a person's name.
# Regenerate: python -m bench.entities --lexicon
"""
_LEXICON_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_LEXICON_SENTENCE_START = re.compile(r'(?:^|[.!?:"“”(]\s*)$')


def lexicon(articles: Iterable[Article]) -> list[str]:
    """Words written in lower case at least 10 times and at least a fifth as often as capitalised mid-sentence."""
    lower: Counter[str] = Counter()
    capitalised: Counter[str] = Counter()
    for article in articles:
        for paragraph in article.body.split("\n\n"):
            for match in _LEXICON_WORD.finditer(paragraph):
                word = match.group()
                if word.islower():
                    lower[word] += 1
                elif word[0].isupper() and not _LEXICON_SENTENCE_START.search(
                    paragraph[max(0, match.start() - 3) : match.start()]
                ):
                    capitalised[word.lower()] += 1
    return sorted(w for w, count in lower.items() if count >= 10 and count * 5 >= capitalised.get(w, 0))


NAMES = REPO / "index" / "data" / "names_learned.tsv"
NAMES_HEADER = """# Names the clickid corpus itself says are people, organisations, places or other things (works,
# products, events), learnt from the words around them, never from labels: a person after a
# said-verb ("kata X", "X mengatakan"), an age ("X (45)"), a title or rank only people hold
# ("AKBP X", "Presiden X") or a word only people take ("aktris X", "istri X"); an organisation after "klub", "perusahaan", "partai", "melawan", ...; a place after
# "kota", "warga", "asal", ...; another thing after "film", "lagu", "merek", "aplikasi", "jalan", ...
# A name is listed with the kind of at least two of its contexts and two thirds of them. The
# labelled articles (tests/data/entities_labelled.txt, dev and held-out) are left out of the
# count, so that the scores measure text the table has not seen.
# Columns: name as most often written<TAB>kind<TAB>votes person,organisation,place,other
# Regenerate: python -m bench.entities --names
"""
_NAME_WORD = r"(?:[A-Z][\w'’]*(?:-[\w'’]+)*\.?)"
# Left contexts: the lower-case word right before a name, and the kind it vouches for.
_LEFT_CONTEXTS = {
    PERSON_KIND: "kata ujar ucap ungkap tutur jelas lanjut tambah terang tegas papar sambung pungkas imbuh tandas"
    " beber bernama disapa aktor aktris penyanyi pedangdut rapper presenter komedian selebgram youtuber istri"
    " suami sosok tokoh tersangka terdakwa korban pelaku saksi almarhum almarhumah mendiang",
    ORGANISATION_KIND: "klub tim grup band boyband girlband perusahaan maskapai partai operator emiten startup produsen"
    " raksasa lembaga organisasi kelompok stasiun bank",
    # An opponent is a team or a fighter: an organisation only when no context says person.
    OPPONENT: "vs melawan kontra menghadapi menjamu",
    PLACE_KIND: "asal kawasan wilayah kota daerah warga negara menuju provinsi kabupaten desa kecamatan",
    OTHER_KIND: "film lagu program acara ajang aplikasi berjudul merek brand produk album single drama festival"
    " tagar satelit seri proyek kapal pesawat jalan gedung stadion hotel",
}
_LEFT_KIND = {word: kind for kind, words in _LEFT_CONTEXTS.items() for word in words.split()}
_LEFT_WORD = re.compile(r"(?:^|\s)([a-z]+)\s$")
_RIGHT_PERSON = re.compile(
    r"\s*\(\d{1,2}\)|,?\s+(?:mengatakan|menjelaskan|menuturkan|mengungkapkan|menegaskan|menambahkan|menyebutkan"
    r"|berkata|mengaku|menyatakan|bercerita|berujar)\b"
)


def _plain_name_word(word: str, known, not_in_name: frozenset[str]) -> bool:  # type: ignore[no-untyped-def]
    """A word that can only be part of a person's name: no role, head, ordinary word, acronym or known name."""
    low = word.lower()
    return not (
        low in not_in_name or low in known.lexical or word.isupper() or word in known.aliases or word in known.places
    )


def learn_names(articles: Iterable[Article], leave_out: set[str]) -> list[tuple[str, str, Counter[str]]]:
    """(name, kind, votes) for every name whose contexts agree on its kind (see NAMES_HEADER)."""
    from berita_search.index import entities as rules

    known = rules.tables()
    lexical = known.lexical
    not_in_name = (
        rules.ROLE_WORDS
        | rules.ORG_HEADS
        | rules.PLACE_ADMIN_PREFIXES
        | rules.PLACE_FEATURE_PREFIXES
        | rules.FACILITY_WORDS
    )
    person_titles = rules._SELF_CONTAINED_ROLES - {"pelatih", "mantan", "rekan", "sahabat", "pacar", "kekasih"}
    particles = "|".join(sorted(rules.NAME_PARTICLES))
    name_run = re.compile(_NAME_WORD + r"(?:\s(?:(?:" + particles + r")\s)?" + _NAME_WORD + r")*")
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    forms: dict[str, Counter[str]] = defaultdict(Counter)
    for article in articles:
        if article.id in leave_out:
            continue
        for paragraph in article.body.split("\n\n"):
            for match in name_run.finditer(paragraph):
                words = [w if re.fullmatch(r"[A-Z]\.", w) else w.rstrip(".") for w in match.group().split()]
                while words and words[-1].lower() in rules.NOT_NAME:
                    words.pop()
                left = _LEFT_WORD.search(paragraph, max(0, match.start() - 30), match.start())
                kind = _LEFT_KIND.get(left.group(1)) if left else None
                if kind:
                    # The name starts right after the context word and stops before a role or a head.
                    if not words or words[0].lower() in not_in_name or words[0].lower() in rules.NOT_NAME:
                        continue
                    end = next(
                        (
                            i
                            for i, w in enumerate(words)
                            if w.lower() in not_in_name or w.lower() in rules.NOT_ORG_ACRONYMS
                        ),
                        len(words),
                    )
                    words = words[:end]
                    if kind == PLACE_KIND and words and words[0].isupper():
                        continue  # "di TKP": an acronym after "di" is a place too rarely
                    while len(words) > 1 and words[-1].lower() in lexical:
                        words.pop()  # "Bali United Pertandingan": a sentence's first word after the name
                elif _RIGHT_PERSON.match(paragraph, match.end()):
                    # The whole run before the verb is the name, but for an ordinary word opening the
                    # sentence; a run with a role, an organisation or a place in it is left out ("Dirjen
                    # Perhubungan Udara X mengatakan").
                    if words and words[0].lower() in lexical:
                        words = words[1:]
                    if not all(_plain_name_word(w, known, not_in_name) for w in words):
                        continue
                    kind = PERSON_KIND
                else:
                    # A title or rank that only people hold, then the name: "AKBP Horas Marpaung".
                    titled = next((i for i, w in enumerate(words[:-1]) if w.lower() in person_titles), None)
                    if titled is not None:
                        end = titled + 1
                        while end < len(words) and _plain_name_word(words[end], known, not_in_name):
                            end += 1
                        words = words[titled + 1 : end]
                        kind = PERSON_KIND
                if not kind or not words:
                    continue
                name = " ".join(words)
                key = fold_name(name)
                if len(key) > 2:  # not "G" of "Grup G"
                    votes[key][kind] += 1
                    forms[key][name] += 1
    # First words of people's names ("Conor" of "Conor McGregor"): an opponent with one is a fighter.
    given = Counter(
        key.split()[0] for key, counts in votes.items() if counts[PERSON_KIND] >= 2 and len(key.split()) >= 2
    )
    learnt = []
    for key, counts in votes.items():
        opponent = counts.pop(OPPONENT, 0)
        if not counts[PERSON_KIND] and given[key.split()[0]] < 2:
            counts[ORGANISATION_KIND] += opponent
        if not counts:
            continue
        kind, count = counts.most_common(1)[0]
        if count >= 2 and count * 3 >= sum(counts.values()) * 2:
            learnt.append((forms[key].most_common(1)[0][0], kind, counts))
    return sorted(learnt)


def time_extraction(articles: list[Article]) -> tuple[float, float]:
    """CPU milliseconds per article for entities alone and for entities plus quotes."""
    start = time.process_time()
    for article in articles:
        extract_entities(article.title, article.body)
    entities_only = time.process_time() - start
    start = time.process_time()
    for article in articles:
        extract_quotes(article.title, article.body, extract_entities(article.title, article.body))
    both = time.process_time() - start
    return 1000 * entities_only / len(articles), 1000 * both / len(articles)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.entities", description=__doc__.splitlines()[0])
    parser.add_argument("--errors", choices=["dev"], help="list the errors of the dev part")
    parser.add_argument(
        "--part", choices=["dev", "heldout", "both"], default="both", help="which part's scores to print"
    )
    parser.add_argument("--speed", action="store_true", help="time the extraction over the whole corpus")
    parser.add_argument("--draw", action="store_true", help="print the seeded draw of labelled articles")
    parser.add_argument("--lexicon", action="store_true", help="rewrite index/data/lexical_words.txt")
    parser.add_argument("--names", action="store_true", help="rewrite index/data/names_learned.tsv")
    args = parser.parse_args(argv)
    if not CLICKID_JSONL.exists():
        print(f"error: corpus not found: {CLICKID_JSONL}", file=sys.stderr)
        return 2
    articles = read_clickid()
    if args.lexicon:
        words = lexicon(articles)
        LEXICON.write_text(LEXICON_HEADER + "\n".join(words) + "\n", encoding="utf-8")
        print(f"{len(words)} words written to {LEXICON}")
        return 0
    if args.names:
        learnt = learn_names(articles, {item.article_id for item in parse_labels()})
        lines = [
            f"{name}\t{kind}\t{','.join(str(votes[k]) for k in (PERSON_KIND, ORGANISATION_KIND, PLACE_KIND, OTHER_KIND))}"
            for name, kind, votes in learnt
        ]
        NAMES.write_text(NAMES_HEADER + "\n".join(lines) + "\n", encoding="utf-8")
        print(f"{len(lines)} names written to {NAMES}")
        return 0
    if args.draw:
        for part, outlet, article in draw(articles):
            print(part, outlet, article.id, article.title[:70])
        return 0
    try:
        results = evaluate(articles)
    except LabelError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for part in ("dev", "heldout"):
        if args.part in (part, "both"):
            print(report(part, results[part]))
    if args.errors:
        print("== dev errors")
        print("\n".join(results["dev"].errors))
    if args.speed:
        # Warm the caches (alias tables, fold) first, as a long indexing run would have them.
        time_extraction(articles[:200])
        entities_ms, both_ms = time_extraction(articles)
        print(f"== speed over {len(articles)} clickid articles (CPU time)")
        print(f"  entities: {entities_ms:.3f} ms/article; entities + quotes: {both_ms:.3f} ms/article")
    return 0


if __name__ == "__main__":
    sys.exit(main())
