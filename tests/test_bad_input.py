"""Bad input: every file, line or row that cannot be indexed is reported with where and why,
and everything else in the same run is indexed."""

from __future__ import annotations

import hashlib
import json
import os
import random
import sys
import time
import zipfile
from pathlib import Path

import pytest
from berita_search.index.article import article_id
from berita_search.index.decoding import MAX_FILE_BYTES, MAX_LINE_BYTES, too_large
from berita_search.index.readers import MAX_FIELD_CHARS, Article, Failure, read_paths
from berita_search.index.writer import IndexSummary, index_records
from whoosh import index as whoosh_index

TITLE_CAP = 1_000  # titles are cut there, like bodies at MAX_FIELD_CHARS
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


@pytest.mark.slow
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


def test_json_lines_past_the_file_limit_are_read_a_line_at_a_time(tmp_path: Path) -> None:
    # A million-article export is about 2 GB of JSON Lines: no file-size limit for them, a line
    # limit instead. Nine lines of 60 MiB (JSON whitespace between the fields) pass 512 MiB.
    path = tmp_path / "arsip.jsonl"
    padding = b" " * (60 * 2**20)
    with path.open("wb") as fh:
        for n in range(1, 10):
            fh.write(b'{"title": "Berita nomor %d",' % n + padding + b'"content": "%s %d"}\n' % (BODY.encode(), n))
        fh.write(b'{"title": "Terlalu panjang", "content": "' + b"x" * (MAX_LINE_BYTES + 10) + b'"}\n')
        fh.write(json.dumps({"title": "Berita terakhir", "content": BODY}).encode() + b"\n")
    assert path.stat().st_size > MAX_FILE_BYTES
    summary = run(tmp_path, path)
    assert summary.added == 10
    assert failures(summary) == [(f"{path}:line 10", f"line longer than {MAX_LINE_BYTES // 2**20} MiB")]
    assert set(titles(tmp_path)) == {f"Berita nomor {n}" for n in range(1, 10)} | {"Berita terakhir"}


@pytest.mark.parametrize("name, head", [("arsip.csv", b"title,content\n"), ("arsip.json", b"[" + b" " * 8192)])
def test_files_read_whole_past_the_limit_are_refused_with_what_to_do(tmp_path: Path, name: str, head: bytes) -> None:
    path = tmp_path / name
    with path.open("wb") as fh:
        fh.write(head)
        fh.truncate(MAX_FILE_BYTES + 2**20)  # sparse: refused before its body is read
    jsonl(tmp_path / "lain.jsonl", {"title": "Berita lain", "content": BODY})
    summary = run(tmp_path, tmp_path)
    assert failures(summary) == [(str(path), too_large(MAX_FILE_BYTES + 2**20))]
    assert "split it, or export UTF-8 JSON Lines" in too_large(MAX_FILE_BYTES + 2**20)
    assert set(titles(tmp_path)) == {"Berita lain"}


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
        ("kemarin sore", "tanggal tidak terbaca: 'kemarin sore'; disimpan tanpa tanggal"),
        ("2024-02-30", "tanggal tidak terbaca: '2024-02-30'; disimpan tanpa tanggal"),
        ("31/13/2023", "tanggal tidak terbaca: '31/13/2023'; disimpan tanpa tanggal"),
        ("2999-01-01", "tanggal tidak masuk akal: 2999-01-01; disimpan tanpa tanggal"),
        ("1066-10-14", "tanggal tidak masuk akal: 1066-10-14; disimpan tanpa tanggal"),
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


@pytest.mark.slow
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


# ---------------------------------------------------------------- cells, titles and workbooks too large


@pytest.mark.slow
def test_csv_cell_over_the_size_cap_is_cut_and_noted(tmp_path: Path) -> None:
    """A cell larger than the CSV reader's field limit used to fail its whole row."""
    body = ("Warga desa bergotong royong membersihkan saluran air. " * 400_000)[:21_000_000]
    title = "Judul " + "sangat panjang " * 200
    path = tmp_path / "ekspor.csv"
    path.write_text(f"judul,isi\n{title},{body}\nBaris biasa,{BODY}\n", encoding="utf-8")
    summary = run(tmp_path, path)
    assert summary.added == 2 and not summary.failed
    assert notes(summary) == [
        (f"{path}:row 2", f"title cut to {TITLE_CAP:,} of {len(title):,} characters"),
        (f"{path}:row 2", f"body cut to {MAX_FIELD_CHARS:,} of {len(body):,} characters"),
    ]
    stored = titles(tmp_path)
    assert "Baris biasa" in stored
    (long_title,) = [t for t in stored if t != "Baris biasa"]
    assert len(long_title) <= TITLE_CAP and title.startswith(long_title)
    assert MAX_FIELD_CHARS - 100 <= len(stored[long_title]["body"]) <= MAX_FIELD_CHARS


def test_huge_title_is_cut_like_a_body(tmp_path: Path) -> None:
    """A 6 MB title took seconds per megabyte to analyse and made a page as large."""
    title = ("Banjir besar melanda Jakarta dan sekitarnya " * 150_000)[: 6 * 2**20]
    path = jsonl(tmp_path / "judul.jsonl", {"title": title, "content": BODY})
    started = time.monotonic()
    summary = run(tmp_path, path)
    assert time.monotonic() - started < 10
    assert summary.added == 1 and not summary.failed
    assert notes(summary) == [(f"{path}:line 1", f"title cut to {TITLE_CAP:,} of {len(title):,} characters")]
    (stored,) = titles(tmp_path)
    assert stored == title[:TITLE_CAP].strip()


def test_page_title_is_cut_like_a_body(tmp_path: Path) -> None:
    title = "Kabar " + "panjang " * 20_000  # no full stop: a title-like paragraph, 160,006 characters
    path = tmp_path / "halaman.txt"
    path.write_text(f"{title}\n\nSenin, 4 Maret 2024 10:00 WIB\n\n{BODY}", encoding="utf-8")
    summary = run(tmp_path, path)
    assert summary.added == 1
    assert notes(summary) == [(str(path), f"title cut to {TITLE_CAP:,} of {len(title.strip()):,} characters")]
    (stored,) = titles(tmp_path)
    assert len(stored) <= TITLE_CAP


def shared_strings_bomb(path: Path, unpacked_bytes: int) -> None:
    """A valid workbook (header 'judul', 'isi' and one row) whose shared strings, all but four
    of them unused, unpack to ``unpacked_bytes``."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    kinds = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{kinds}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{kinds}.worksheet+xml"/>'
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{kinds}.sharedStrings+xml"/></Types>',
        )
        archive.writestr(
            "_rels/.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{main}" xmlns:r="{rel}"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
        )
        cells = [f'<c r="{ref}" t="s"><v>{n}</v></c>' for n, ref in enumerate(["A1", "B1", "A2", "B2"])]
        archive.writestr(
            "xl/worksheets/sheet1.xml",
            f'<worksheet xmlns="{main}"><sheetData><row r="1">{"".join(cells[:2])}</row>'
            f'<row r="2">{"".join(cells[2:])}</row></sheetData></worksheet>',
        )
        filler = b"<si><t>" + b"A" * 1000 + b"</t></si>"
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as strings:
            strings.write(f'<sst xmlns="{main}"><si><t>judul</t></si><si><t>isi</t></si>'.encode())
            strings.write(f"<si><t>Judul dari bom</t></si><si><t>{BODY}</t></si>".encode())
            for _ in range(unpacked_bytes // (len(filler) * 1000)):
                strings.write(filler * 1000)
            strings.write(b"</sst>")


def test_workbook_that_unpacks_too_far_is_refused_before_parsing(tmp_path: Path) -> None:
    """Shared strings that unpack to 1 GB took 3.3 GB of memory: a workbook part may unpack to
    256 MiB at most (the largest in CLICK-ID is 9 MB), checked before anything is parsed."""
    bomb = tmp_path / "bom.xlsx"
    shared_strings_bomb(bomb, 257 * 2**20)
    assert bomb.stat().st_size < 2 * 2**20
    small = tmp_path / "kecil.xlsx"
    shared_strings_bomb(small, 0)
    good = jsonl(tmp_path / "baik.jsonl", {"title": "Berita baik", "content": BODY})
    summary = run(tmp_path, bomb, small, good)
    assert failures(summary) == [
        (str(bomb), "spreadsheet too large when unpacked: xl/sharedStrings.xml is 257 MiB (at most 256 MiB)")
    ]
    assert set(titles(tmp_path)) == {"Judul dari bom", "Berita baik"}  # the small workbook reads


# ---------------------------------------------------------------- ids


@pytest.mark.parametrize("url", ["javascript:void(0)", "#", "-", "about:blank", "mailto:redaksi@contoh.id"])
def test_unusable_urls_give_ids_from_the_text(tmp_path: Path, url: str) -> None:
    """Every 'javascript:' URL gave one id, so each later article was dropped as a duplicate."""
    rows = [{"title": f"Berita nomor {n}", "content": f"{BODY} {n}", "url": url} for n in range(1, 4)]
    path = jsonl(tmp_path / "tautan.jsonl", *rows)
    summary = run(tmp_path, path)
    assert (summary.added, summary.duplicates, len(summary.failed)) == (3, 0, 0)
    stored = titles(tmp_path)
    for n, row in enumerate(rows, 1):
        assert stored[row["title"]]["id"] == article_id("", row["title"], BODY + f" {n}")
    assert notes(summary) == [
        (f"{path}:line {n}", f"URL {url!r} names no web page; id from the text") for n in (1, 2, 3)
    ]


def test_real_urls_keep_their_ids() -> None:
    """Ids of http(s) URLs, with or without 'www.' or a scheme, are what they always were."""
    key = "url:https://kompas.com/read/2019/09/10/x"
    expected = hashlib.blake2b(key.encode(), digest_size=8).hexdigest()
    for url in [
        "https://www.kompas.com/read/2019/09/10/x/?utm_source=fb",
        "http://kompas.com/read/2019/09/10/x",
        "www.kompas.com/read/2019/09/10/x",
        "kompas.com/read/2019/09/10/x",
    ]:
        assert article_id(url, "judul", "isi") == expected, url
