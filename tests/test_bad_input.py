"""Bad input: every file, line or row that cannot be indexed is reported with where and why,
and everything else in the same run is indexed."""

from __future__ import annotations

import json
import os
import random
import sys
import time
from pathlib import Path

import pytest
from berita_search.index.readers import MAX_FIELD_CHARS, Article, Failure, read_paths
from berita_search.index.writer import IndexSummary, index_records
from whoosh import index as whoosh_index

BODY = "Pemerintah Kabupaten Bogor menyiapkan posko banjir di tiga kecamatan. Warga diminta waspada."


def run(tmp_path: Path, *paths: Path) -> IndexSummary:
    return index_records(tmp_path / "ix", read_paths(list(paths)))


def failures(summary: IndexSummary) -> list[tuple[str, str]]:
    return [(f.origin, f.reason) for f in summary.failed]


def notes(summary: IndexSummary) -> list[tuple[str, str]]:
    return [(f.origin, f.reason) for f in summary.notes]


def titles(tmp_path: Path) -> dict[str, dict]:
    ix = whoosh_index.open_dir(str(tmp_path / "ix"))
    with ix.searcher() as searcher:
        return {fields["title"]: fields for fields in searcher.all_stored_fields()}


def jsonl(path: Path, *rows: dict) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def cli_main(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    from berita_search.search.cli import main

    old = sys.argv
    sys.argv = ["berita-search", *args]
    code = 0
    try:
        main()
    except SystemExit as exited:
        code = int(exited.code or 0)
    finally:
        sys.argv = old
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# ---------------------------------------------------------------- not text at all


@pytest.mark.parametrize("name", ["photo.txt", "dump.jsonl", "sheet.csv"])
def test_binary_files_with_nul_bytes(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    summary = run(tmp_path, path)
    assert failures(summary) == [(str(path), "binary file (contains NUL bytes), not text")]
    assert summary.added == 0


def test_binary_file_without_nul_bytes(tmp_path: Path) -> None:
    path = tmp_path / "noise.txt"
    path.write_bytes(bytes(range(1, 256)) * 8)
    summary = run(tmp_path, path)
    assert failures(summary) == [(str(path), "binary file (mostly control bytes), not text")]


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.txt", b"", "empty file"),
        ("empty.jsonl", b"", "empty file"),
        ("empty.csv", b"", "empty file"),
        ("blank.txt", b"\n \n\t\n", "empty file"),
        ("blank.jsonl", b"\n\n  \n", "no records (only blank lines)"),
        ("blank.csv", b"  \n", "empty file"),
    ],
)
def test_empty_and_blank_files(tmp_path: Path, name: str, content: bytes, reason: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    summary = run(tmp_path, path)
    assert failures(summary) == [(str(path), reason)]


def test_paths_that_do_not_exist(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = jsonl(tmp_path / "good.jsonl", {"title": "Posko banjir dibuka", "content": BODY})
    missing = tmp_path / "nowhere" / "arsip.jsonl"
    code, out, err = cli_main(["index", "--index", str(tmp_path / "ix"), str(missing), str(good)], capsys)
    assert code == 1
    assert "added 1, updated 0, unchanged 0, duplicates 0, failed 1" in out
    assert f"  failed: {missing}: no such file or directory" in err.splitlines()
    assert "Traceback" not in err


# ---------------------------------------------------------------- encodings


def test_invalid_utf8_bytes_are_replaced_and_noted(tmp_path: Path) -> None:
    path = tmp_path / "damaged.jsonl"
    good = json.dumps({"title": "Kafe Café dibuka", "content": BODY}, ensure_ascii=False).encode("utf-8")
    damaged = good.replace(b"dibuka", b"dib\xffka")
    path.write_bytes(good.replace(b"Kafe", b"Toko") + b"\n" + damaged + b"\n")
    summary = run(tmp_path, path)
    assert summary.added == 2 and not summary.failed
    assert notes(summary) == [(f"{path}:line 2", "invalid UTF-8 (1 bytes replaced)")]
    assert "Kafe Café dib\ufffdka" in titles(tmp_path)  # the valid UTF-8 around it is kept as written


@pytest.mark.parametrize(
    ("encoding", "title"),
    [("latin-1", "Kabupatén Bogor siapkan posko Café"), ("cp1252", "“Banjir” di Bogor – warga mengungsi €5")],
)
def test_latin1_and_windows_1252_text(tmp_path: Path, encoding: str, title: str) -> None:
    path = tmp_path / f"{encoding}.txt"
    path.write_bytes(f"{title}\n\nSenin, 4 Maret 2024 10:00 WIB\n\n{BODY}".encode(encoding))
    summary = run(tmp_path, path)
    assert summary.added == 1 and not summary.failed
    assert notes(summary) == [(str(path), "decoded as Windows-1252")]
    stored = titles(tmp_path)[title]
    assert stored["published_iso"].startswith("2024-03-04T10:00")


def test_windows_1252_csv(tmp_path: Path) -> None:
    path = tmp_path / "ekspor.csv"
    path.write_bytes(f"judul;isi;tanggal\n“Kutipan” – judul;{BODY};04/03/2024\n".encode("cp1252"))
    summary = run(tmp_path, path)
    assert summary.added == 1
    assert notes(summary) == [(str(path), "decoded as Windows-1252")]
    assert "“Kutipan” – judul" in titles(tmp_path)


@pytest.mark.parametrize("name", ["bom.txt", "bom.jsonl", "bom.csv"])
def test_byte_order_mark(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    title = "Judul dengan tanda BOM"
    if name.endswith(".txt"):
        content = f"{title}\n\nSenin, 4 Maret 2024 10:00 WIB\n\n{BODY}"
    elif name.endswith(".jsonl"):
        content = json.dumps({"judul": title, "isi": BODY}) + "\n"
    else:
        content = f"judul,isi\n{title},{BODY}\n"
    path.write_bytes(b"\xef\xbb\xbf" + content.encode("utf-8"))
    summary = run(tmp_path, path)
    assert summary.added == 1 and not summary.failed and not summary.notes
    assert title in titles(tmp_path)  # not '\ufeffJudul...', and the CSV header 'judul' is recognised


# ---------------------------------------------------------------- size and structure


def test_fifty_megabyte_article_is_cut_and_noted(tmp_path: Path) -> None:
    rnd = random.Random(7)
    words = ["pemerintah", "kota", "jakarta", "banjir", "warga", "presiden", "menteri", "ekonomi", "pasar", "harga"]
    sentence = " ".join(rnd.choice(words) for _ in range(40)) + ". "
    body = (sentence * (50 * 2**20 // len(sentence) + 1))[: 50 * 2**20]
    path = jsonl(tmp_path / "besar.jsonl", {"title": "Artikel sangat panjang", "content": body})
    assert path.stat().st_size > 50 * 2**20
    started = time.monotonic()
    summary = run(tmp_path, path)
    assert time.monotonic() - started < 60
    assert summary.added == 1 and not summary.failed
    assert notes(summary) == [
        (f"{path}:line 1", f"body cut to {MAX_FIELD_CHARS:,} of {50 * 2**20:,} characters"),
    ]
    stored = titles(tmp_path)["Artikel sangat panjang"]
    assert MAX_FIELD_CHARS - 100 <= len(stored["body"]) <= MAX_FIELD_CHARS


def test_jsonl_with_a_broken_line_in_the_middle(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "arsip.jsonl"
    lines = [json.dumps({"title": f"Berita nomor {n}", "content": f"{BODY} {n}"}) for n in range(1, 6)]
    lines[2] = lines[2][:40]  # line 3 cut off mid-string
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, err = cli_main(["index", "--index", str(tmp_path / "ix"), str(path)], capsys)
    assert code == 1
    assert "added 4, updated 0, unchanged 0, duplicates 0, failed 1" in out
    assert err.splitlines() == [
        f"  failed: {path}:line 3: invalid JSON (Unterminated string starting at: line 1 column 40 (char 39))"
    ]
    assert set(titles(tmp_path)) == {"Berita nomor 1", "Berita nomor 2", "Berita nomor 4", "Berita nomor 5"}


def test_jsonl_line_that_is_not_an_object(tmp_path: Path) -> None:
    path = tmp_path / "arsip.jsonl"
    path.write_text(f'{json.dumps({"title": "Satu", "content": BODY})}\n[1, 2]\n"teks"\n', encoding="utf-8")
    summary = run(tmp_path, path)
    assert summary.added == 1
    assert failures(summary) == [
        (f"{path}:line 2", "expected a JSON object, got list"),
        (f"{path}:line 3", "expected a JSON object, got str"),
    ]


def test_csv_with_missing_and_extra_columns(tmp_path: Path) -> None:
    path = tmp_path / "ekspor.csv"
    path.write_text(
        "judul,isi,tanggal\n"
        f"Baris lengkap,{BODY},2024-03-04\n"
        "Baris tanpa isi dan tanggal\n"
        f"Baris berlebih,{BODY} lebih,2024-03-05,kolom liar,lagi\n"
        f"Baris terakhir,{BODY} akhir,2024-03-06\n",
        encoding="utf-8",
    )
    summary = run(tmp_path, path)
    assert failures(summary) == [(f"{path}:row 4", "5 cells but the header names 3 columns; row not indexed")]
    assert notes(summary) == [(f"{path}:row 3", "1 of 3 columns; the missing ones are left empty")]
    assert set(titles(tmp_path)) == {"Baris lengkap", "Baris tanpa isi dan tanggal", "Baris terakhir"}


def test_csv_without_a_title_or_content_column(tmp_path: Path) -> None:
    path = tmp_path / "angka.csv"
    path.write_text("kota,jumlah\nBogor,3\n", encoding="utf-8")
    summary = run(tmp_path, path)
    assert failures(summary) == [(str(path), "no title or content column among: kota, jumlah")]


@pytest.mark.parametrize(
    ("date", "note"),
    [
        ("kemarin sore", "unreadable date 'kemarin sore'"),
        ("2024-02-30", "unreadable date '2024-02-30'"),
        ("31/13/2023", "unreadable date '31/13/2023'"),
        ("2999-01-01", "impossible date '2999-01-01' (in the future)"),
        ("1066-10-14", "impossible date '1066-10-14' (before 1900)"),
    ],
)
def test_unparseable_and_impossible_dates_are_kept_and_flagged(tmp_path: Path, date: str, note: str) -> None:
    path = jsonl(tmp_path / "tanggal.jsonl", {"title": "Berita bertanggal aneh", "content": BODY, "date": date})
    summary = run(tmp_path, path)
    assert summary.added == 1 and summary.dates_flagged == 1 and not summary.failed
    stored = titles(tmp_path)["Berita bertanggal aneh"]
    assert stored["date_note"] == note
    assert "published" not in stored  # no made-up date to sort or filter by


def test_duplicate_ids_within_one_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = jsonl(
        tmp_path / "ganda.jsonl",
        {"title": "Asli", "content": BODY, "url": "https://contoh.id/berita/1"},
        {"title": "Lain", "content": BODY + " lain", "url": "https://contoh.id/berita/2"},
        {"title": "Salinan", "content": BODY, "url": "https://www.contoh.id/berita/1/?utm_source=wa"},
    )
    code, out, err = cli_main(["index", "--index", str(tmp_path / "ix"), str(path)], capsys)
    assert code == 0
    assert "added 2, updated 0, unchanged 0, duplicates 1, failed 0" in out
    assert f"  duplicate: {path}:line 3: same id as {path}:line 1, not indexed" in err.splitlines()
    assert set(titles(tmp_path)) == {"Asli", "Lain"}


def test_directory_of_ten_thousand_tiny_files(tmp_path: Path) -> None:
    folder = tmp_path / "kiriman"
    folder.mkdir()
    for n in range(10_000):
        name = f"{n:05d}.txt"
        if n % 1000 == 999:
            (folder / name).write_bytes(b"")  # a few empty ones among them
        else:
            (folder / name).write_text(f"Kabar singkat nomor {n} dari desa\n\nWarga desa {n} kerja bakti.\n")
    started = time.monotonic()
    summary = run(tmp_path, folder)
    elapsed = time.monotonic() - started
    assert summary.added == 9_990
    assert failures(summary) == [(str(folder / f"{n:05d}.txt"), "empty file") for n in range(999, 10_000, 1000)]
    assert elapsed < 60, f"{elapsed:.1f} s for 10,000 tiny files"
    ix = whoosh_index.open_dir(str(tmp_path / "ix"))
    assert ix.doc_count() == 9_990


def test_unreadable_file_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = jsonl(tmp_path / "rahasia.jsonl", {"title": "Rahasia", "content": BODY})
    if os.geteuid() == 0:
        # Root reads files whatever their permission bits: refuse the open as the kernel would.
        real_open = Path.open

        def refusing_open(self: Path, *args: object, **kwargs: object):  # noqa: ANN202
            if self == path:
                raise PermissionError(13, "Permission denied", str(self))
            return real_open(self, *args, **kwargs)

        monkeypatch.setattr(Path, "open", refusing_open)
    path.chmod(0)
    try:
        summary = run(tmp_path, path)
    finally:
        path.chmod(0o644)
    assert failures(summary) == [(str(path), "cannot read: Permission denied")]


def test_readers_never_raise_on_random_bytes(tmp_path: Path) -> None:
    rnd = random.Random(11)
    for n in range(60):
        suffix = [".txt", ".jsonl", ".csv", ".json"][n % 4]
        path = tmp_path / f"acak{n}{suffix}"
        path.write_bytes(bytes(rnd.randrange(256) for _ in range(rnd.randrange(1, 3000))))
        records = list(read_paths([path]))
        assert records and all(isinstance(r, Article | Failure) for r in records)
