"""Precision and recall of the copy rule on the judged clickid pairs.

    python -m bench.copies                 the rule (index.copies.copy_score) on each pair
    python -m bench.copies --index DIR     also what an index of clickid decided: a pair is
                                           called a copy when both articles share a dup_key

The pairs and how they were drawn, judged and split are in tests/data/copy_pairs.tsv.
Prints one line per part (tuning, heldout).
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
