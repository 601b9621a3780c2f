"""Benchmark corpora: the clickid articles, and a scale corpus made from them on the fly."""

from __future__ import annotations

import itertools
import json
import os
import random
import re
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CLICKID = Path(
    os.environ.get("BERITA_BENCH_CLICKID", REPO.parent / "shared/corpus/clickid/clickid_raw_articles.derived.jsonl")
)
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def clickid_rows(limit: int | None = None) -> Iterator[dict]:
    with CLICKID.open(encoding="utf-8") as fh:
        for line in itertools.islice(fh, limit):
            if line.strip():
                yield json.loads(line)


def _permute(text: str, rng: random.Random) -> str:
    """Swap a few neighbouring sentences: same words, different positions and pairs."""
    sentences = _SENTENCE.split(text)
    for _ in range(max(1, len(sentences) // 4)):
        if len(sentences) < 2:
            break
        i = rng.randrange(len(sentences) - 1)
        sentences[i], sentences[i + 1] = sentences[i + 1], sentences[i]
    return " ".join(sentences)


def scale_rows(total: int) -> Iterator[dict]:
    """``total`` articles cycled from clickid: distinct URLs, dates over ten years, permuted text."""
    produced = 0
    for copy in itertools.count():
        for number, row in enumerate(clickid_rows()):
            if produced >= total:
                return
            produced += 1
            if copy == 0:
                yield row
                continue
            rng = random.Random(copy * 1_000_003 + number)
            out = dict(row)
            url = str(row.get("url") or f"https://bench.invalid/{number}")
            out["url"] = re.sub(r"(\.html?)?$", f"-r{copy}\\1", url, count=1)
            out["date"] = f"{rng.randrange(2015, 2025)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"
            words = str(row.get("title") or "").split()
            if len(words) > 3:
                i = rng.randrange(len(words) - 1)
                words[i], words[i + 1] = words[i + 1], words[i]
                out["title"] = " ".join(words)
            out["content"] = _permute(str(row.get("content") or ""), rng)
            yield out


def write_jsonl(rows: Iterator[dict], path: Path) -> int:
    count = 0
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
    return count


def corpus_file(name: str, workdir: Path) -> Path:
    """The JSONL file of a corpus: ``clickid`` as it is, ``scale:N`` written into ``workdir``."""
    if name == "clickid":
        return CLICKID
    size = int(name.split(":", 1)[1])
    path = workdir / f"scale-{size}.jsonl"
    if not path.exists():
        write_jsonl(scale_rows(size), path)
    return path
