"""Precision and recall of the copy rule on the judged clickid pairs.

    python -m bench.copies                 the rule (index.copies.copy_score) on each pair
    python -m bench.copies --index DIR     also what an index of clickid decided: a pair is
                                           called a copy when both articles share a dup_key

The pairs and how they were drawn, judged and split are in tests/data/copy_pairs.tsv.
Prints one line per part (tuning, heldout).

Measured note (no rule change shipped). Today's rule: tuning precision 1.000 (29/29), recall
0.453 (29/64); held out 1.000 (32/32), 0.471 (32/68). Signals measured on the tuning pairs
alone: word 3-, 5- and 8-shingle containment (share of the smaller shingle set found in the
other) over the first 300 words and over the whole body, the smallest coverage of each third
of the shorter body (opening shared, then a different article), the longest common word run,
capitalised words of one opening missing from the other body, the title's word Jaccard, and
today's figures guard. The best rule at tuning precision >= 0.98 was: figures agree, and
5-shingle containment of the first 300 words >= 0.95, or >= 0.40 when the titles share >= 0.30
of their words: tuning 0.980 (49/50), recall 0.766 (49/64); held out precision 0.915 (43/47),
recall 0.632 (43/68), short of the precision goal, so it was not shipped. Tuning alone
predicted this: choosing that grid's rule on one random half of the tuning pairs and scoring
it on the other (20 splits) gave precision 0.91 (no false copy allowed on the chosen half)
and 0.89 (one allowed). The best rule with no false copy on all tuning pairs finds 31/64,
two more than today: too little to change the rule for. Look-alikes that stay inside the
copies' range whatever the signal (5-shingle containment 0.60-0.94, figures agreeing): a
roundup reprinting one league report (0.92), an update adding the line-ups (0.85), profiles
and condolences under a template opening (0.83, 0.71), a shared background paragraph
followed by a different story (0.60-0.66); names disagreed in copies as often as in these
(sentence-initial words, days, restored names), and the longest common run was longer in
template pairs (119-389 words) than in many copies (22-78). With about 60 copies per part,
one false copy is already precision 0.98: certifying the goal needs more judged pairs in the
0.5-0.95 containment range.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from berita_search.index.article import article_id
from berita_search.index.copies import copy_score, copy_text
from berita_search.index.readers import record_to_article
from whoosh import index as whoosh_index

REPO = Path(__file__).resolve().parent.parent
PAIRS = REPO / "tests" / "data" / "copy_pairs.tsv"
CLICKID = REPO.parent / "shared" / "corpus" / "clickid" / "clickid_raw_articles.derived.jsonl"


def judged_pairs() -> list[dict[str, str]]:
    lines = [line for line in PAIRS.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    header = lines[0].split("\t")
    return [dict(zip(header, line.split("\t"), strict=True)) for line in lines[1:]]


def index_dup_keys(index_dir: Path) -> dict[str, str]:
    ix = whoosh_index.open_dir(str(index_dir))
    with ix.reader() as reader:
        column = reader.column_reader("dup_key")
        return {reader.stored_fields(d)["id"]: column[d] for d in reader.all_doc_ids()}


def scores(said: list[tuple[bool, bool]]) -> str:
    true_pos = sum(1 for s, y in said if s and y)
    called, copies = sum(1 for s, _ in said if s), sum(1 for _, y in said if y)
    precision = true_pos / called if called else 1.0
    return f"precision {precision:.3f} ({true_pos}/{called}), recall {true_pos / copies:.3f} ({true_pos}/{copies})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, help="an index of the clickid corpus")
    args = parser.parse_args()
    pairs = judged_pairs()
    wanted = {p[k] for p in pairs for k in ("id_a", "id_b")}
    texts = {}
    with CLICKID.open(encoding="utf-8") as fh:
        for line in fh:
            raw = json.loads(line)
            if article_id(raw.get("url") or "", "", "") in wanted:
                article = record_to_article(raw, "clickid")
                texts[article.id] = copy_text(article.title, article.body)
    keys = index_dup_keys(args.index) if args.index else {}
    for part in ("tuning", "heldout"):
        chosen = [p for p in pairs if p["part"] == part]
        truth = [p["label"] == "copy" for p in chosen]
        rule = [copy_score(texts[p["id_a"]], texts[p["id_b"]]) is not None for p in chosen]
        print(f"{part:8} {len(chosen)} pairs  rule: {scores(list(zip(rule, truth, strict=True)))}")
        if keys:
            indexed = [keys[p["id_a"]] == keys[p["id_b"]] for p in chosen]
            print(f"{'':8} {'':{len(str(len(chosen))) + 6}} index: {scores(list(zip(indexed, truth, strict=True)))}")


if __name__ == "__main__":
    main()
