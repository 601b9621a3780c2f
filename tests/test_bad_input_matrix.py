"""The bad-input matrix: one folder of files that used to stop a whole run (deep JSON,
broken and looping symbolic links, pipes and devices, UTF-16, unusable URLs, a file name
that forges a report line), indexed by the CLI with and without worker processes. Each bad
file or line is one failure with its reason; everything else is indexed, and identically in
every mode."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from berita_search.index.schema import ADDED_FIELD
from whoosh import index as whoosh_index

from tests.conftest import REPO

CLI = [sys.executable, "-c", "from berita_search.search.cli import main; main()"]
BODY = "Pemerintah Kabupaten Bogor menyiapkan posko banjir di tiga kecamatan. Warga diminta waspada."
FORGED = "  failed: palsu.jsonl: forged"


def line(title: str, **more: object) -> str:
    return json.dumps({"title": title, "content": f"{BODY} {title}.", **more}, ensure_ascii=False)


def nested(depth: int) -> object:
    value: object = "dasar"
    for _ in range(depth):
        value = [value]
    return value


def page(title: str) -> str:
    return f"Nasional\n\n{title}\n\nSenin, 4 Maret 2024 10:00 WIB\n\n{BODY}\n\nPenulis: Dewi Safitri"


def build_matrix(root: Path) -> tuple[list[Path], dict[str, str], set[str]]:
    """The paths to index, the failures expected (printed origin -> reason) and the titles
    expected in the index."""
    folder = root / "kiriman"
    folder.mkdir()
    failures: dict[str, str] = {}
    titles: set[str] = set()

    (folder / "01-baik.jsonl").write_text(line("Kabar baik satu") + "\n" + line("Kabar baik dua") + "\n")
    titles |= {"Kabar baik satu", "Kabar baik dua"}

    brackets = folder / "02-kurung.jsonl"
    brackets.write_text(line("Sebelum kurung") + "\n" + "[" * 100_000 + "\n" + line("Sesudah kurung") + "\n")
    failures[f"{brackets}:line 2"] = "invalid JSON (nested more than 64 levels deep)"
    titles |= {"Sebelum kurung", "Sesudah kurung"}

    deep = folder / "03-dalam.jsonl"
    deep.write_text(
        line("Sebelum nilai dalam") + "\n" + json.dumps({"title": "Nilai dalam", "content": nested(900)}) + "\n"
    )
    failures[f"{deep}:line 2"] = "invalid JSON (nested more than 64 levels deep)"
    titles.add("Sebelum nilai dalam")

    dangling = folder / "04-putus.jsonl"
    dangling.symlink_to(root / "tidak-ada.jsonl")
    failures[str(dangling)] = f"broken symbolic link (to {root / 'tidak-ada.jsonl'})"

    loop = folder / "05-lingkar.jsonl"
    loop.symlink_to(loop)
    failures[str(loop)] = "symbolic link loop"

    pipe = folder / "06-pipa.jsonl"
    os.mkfifo(pipe)
    failures[str(pipe)] = "not a regular file (a named pipe)"

    (folder / "07-utf16.txt").write_bytes(page("Halaman dalam UTF-16 dari arsip lama").encode("utf-16"))
    (folder / "08-utf16be.jsonl").write_bytes(b"\xfe\xff" + (line("Baris UTF-16 BE") + "\n").encode("utf-16-be"))
    (folder / "09-utf16.csv").write_bytes(f"judul;isi\nTabel UTF-16 dari Excel;{BODY}\n".encode("utf-16"))
    titles |= {"Halaman dalam UTF-16 dari arsip lama", "Baris UTF-16 BE", "Tabel UTF-16 dari Excel"}

    links = [line(f"Tautan mati {n}", url="javascript:void(0)") for n in range(1, 4)]
    (folder / "10-tautan.jsonl").write_text("\n".join(links) + "\n")
    titles |= {f"Tautan mati {n}" for n in range(1, 4)}

    forged = folder / f"11-berita\n{FORGED}.jsonl"
    forged.write_bytes(b"\x00\x01\x02 bukan teks")
    failures['"' + str(forged).replace("\n", "\\n") + '"'] = "binary file (contains NUL bytes), not text"

    undecodable = folder / os.fsdecode(b"12-berita-\xff.jsonl")  # a name that is not UTF-8
    undecodable.write_bytes(b"\x00\x01\x02 bukan teks")
    failures['"' + str(undecodable).replace("\udcff", "\\xff") + '"'] = "binary file (contains NUL bytes), not text"

    outside_pipe = root / "pipa-luar.txt"
    os.mkfifo(outside_pipe)
    failures[str(outside_pipe)] = "not a regular file (a named pipe)"
    failures["/dev/null"] = "not a regular file (a character device)"
    return [folder, outside_pipe, Path("/dev/null")], failures, titles


def stored(index_dir: Path) -> dict[str, dict]:
    ix = whoosh_index.open_dir(str(index_dir))
    with ix.searcher() as searcher:
        return {fields["id"]: fields for fields in searcher.all_stored_fields()}


def without_stamps(documents: dict[str, dict]) -> dict[str, dict]:
    return {i: {k: v for k, v in doc.items() if k != ADDED_FIELD} for i, doc in documents.items()}


MODES = {"1": ["--workers", "1"], "2": ["--workers", "2"], "auto": []}  # auto: the worker path's input sizing


@pytest.fixture(scope="module")
def matrix(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, str], set[str], dict]:
    """The expected failures and titles, and the matrix indexed once in each mode:
    mode -> (the CLI run, the stored documents by id)."""
    root = tmp_path_factory.mktemp("matrix")
    paths, failures, titles = build_matrix(root)
    runs = {}
    for mode, option in MODES.items():
        index_dir = root / f"ix-{mode}"
        args = ["index", "--index", str(index_dir), *option, *map(str, paths)]
        done = subprocess.run([*CLI, *args], cwd=REPO, capture_output=True, text=True, timeout=300)
        runs[mode] = (done, stored(index_dir) if index_dir.exists() else {})
    return failures, titles, runs


@pytest.mark.parametrize("mode", sorted(MODES))
def test_bad_input_matrix(matrix: tuple[dict[str, str], set[str], dict], mode: str) -> None:
    failures, titles, runs = matrix
    done, documents = runs[mode]
    assert "Traceback" not in done.stderr and "error:" not in done.stderr, done.stderr
    assert done.returncode == 1
    summary = done.stdout.splitlines()[0]
    assert f": added {len(titles)}, updated 0, unchanged 0, duplicates 0, failed {len(failures)}" in summary
    reported = [row for row in done.stderr.splitlines() if row.startswith("  failed: ")]
    assert sorted(reported) == sorted(f"  failed: {origin}: {reason}" for origin, reason in failures.items())
    # Every line of the report is one the report meant to print: none is forged by a file name.
    assert all(row.startswith(("  failed: ", "  note: ")) for row in done.stderr.splitlines()), done.stderr
    assert not any(row.startswith(FORGED) for row in done.stderr.splitlines())
    assert {doc["title"] for doc in documents.values()} == titles


def test_the_matrix_indexes_alike_with_and_without_workers(matrix: tuple[dict[str, str], set[str], dict]) -> None:
    runs = matrix[2]
    one = runs["1"][1]
    assert len(one) == len(matrix[1])
    for mode in ("2", "auto"):
        other = runs[mode][1]
        # Every stored field of every article, but the time each was written: every article has
        # one, and no two share it.
        for documents in (one, other):
            stamps = [doc[ADDED_FIELD] for doc in documents.values()]
            assert len(set(stamps)) == len(stamps) == len(documents) and all(s > 0 for s in stamps)
        assert without_stamps(other) == without_stamps(one)
