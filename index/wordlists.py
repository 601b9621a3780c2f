"""Word lists kept as text in ``index/data/``, each read once.

One entry a line; lines starting with ``#`` are comments (every file opens with a header
saying what the list is for and where it came from).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).with_name("data")


def data_path(name: str) -> Path:
    return DATA_DIR / name


def data_lines(name: str) -> list[str]:
    """The entries of a data file, comments and blank lines left out."""
    lines = data_path(name).read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]


@cache
def read_words(name: str) -> frozenset[str]:
    return frozenset(line.strip() for line in data_lines(name))
