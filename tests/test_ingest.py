"""Readers, dates and the index writer on real files from ../shared."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

import pytest
from berita_search.index.article import Article, article_id, normalize_url
from berita_search.index.dates import format_id, parse_date, reconcile_with_url, url_date
from berita_search.index.readers import Failure, Skipped, parse_raw_page, read_file, read_paths, record_to_article
from berita_search.index.writer import STAGING_NAME, IndexSummary, index_records
from berita_search.search.engine import SearchEngine, SearchRequest
from whoosh import index as whoosh_index
from whoosh.query import Term

from tests.conftest import CLICKID, CLICKID_JSONL, SEED, clickid_rows, require_shared

MOJIBAKE = re.compile(r"â€|Ã[\x80-\xbf]|Â|‚Ä|¬†")
FURNITURE = ["Populer", "UPDATE", "Selengkapnya", "Pemuda Katolik", "2024", "Megawati", "Kejagung"]


# ---------------------------------------------------------------- the seed page


@pytest.fixture(scope="module")
def seed_article() -> Article:
    require_shared()
    (record,) = list(read_file(SEED))
    assert isinstance(record, Article), record
    return record


def test_seed_page_fields(seed_article: Article) -> None:
    a = seed_article
    assert a.title == "Vladimir Putin dan Kim Jong Un Bertukar Surat, Bahas Amunisi untuk Perang"
    assert a.category == "Dunia"
    assert a.reporter == "Sarah Meiliana Gunawan"
    assert a.published is not None and a.published.isoformat() == "2023-08-31T12:34:00+07:00"
    assert a.published_has_time
    assert a.body.startswith("Presiden Rusia Vladimir Putin")
    assert a.body.endswith("dari Korea Utara.")
    assert a.caption == "Pemimpin Korea Utara Kim Jong Un dan Presiden Rusia Vladimir Putin/Net"
    assert a.date_note == ""


def test_seed_page_keeps_no_site_furniture(seed_article: Article) -> None:
    fields = [seed_article.title, seed_article.body, seed_article.caption, seed_article.category, seed_article.reporter]
    for text in fields:
        for word in FURNITURE:
            assert word not in text, (word, text[:80])
    # 'Rabu (30/8)' in the body is an event date, not the publication date.
    assert "Rabu (30/8)" in seed_article.body
    assert seed_article.published.day == 31


RAW_PAGES = {
    "cnn": (
        "Nasional\n\nJokowi Lantik Menteri Baru di Istana Negara\n\nCNN Indonesia\nRabu, 23 Okt 2019 10:15 WIB\n\n"
        "Jakarta, CNN Indonesia -- Presiden Joko Widodo melantik menteri Kabinet Indonesia Maju di Istana Negara.\n\n"
        "Pelantikan berlangsung pada Rabu (23/10) pagi.\n\n(Penulis: Dewi Safitri)\n\nBaca juga\n\nBerita lain",
        {
            "title": "Jokowi Lantik Menteri Baru di Istana Negara",
            "reporter": "Dewi Safitri",
            "source": "CNN Indonesia",
            "published": "2019-10-23T10:15:00+07:00",
            "body_start": "Presiden Joko Widodo",
            "body_end": "pagi.",
        },
    ),
    "kompas": (
        "Regional\n\nBanjir Rendam Ratusan Rumah di Samarinda\n\nKompas.com - 05/11/2024, 14:04 WITA\n\n"
        "KOMPAS.com - Banjir merendam ratusan rumah warga di Samarinda, Kalimantan Timur, Selasa (5/11/2024).\n\n"
        "Warga mengungsi ke masjid terdekat.\n\nPenulis: Kontributor Samarinda, Zakarias Demon Daton\n\n"
        "Editor: Andi Hartik\n\nTerkini\n\nBerita lain yang tidak relevan",
        {
            "title": "Banjir Rendam Ratusan Rumah di Samarinda",
            "reporter": "Zakarias Demon Daton",
            "source": "KOMPAS.com",
            "published": "2024-11-05T14:04:00+08:00",
            "body_start": "Banjir merendam",
            "body_end": "masjid terdekat.",
        },
    ),
    "opinion": (
        "Opini\n\nMenjaga Marwah Pers di Tahun Politik\n\nSenin, 8 Januari 2024 | 09:00 WIT\n\nOleh: Ahmad Yani\n\n"
        "Pers adalah pilar keempat demokrasi.\n\nTahun politik menguji independensi redaksi.",
        {
            "title": "Menjaga Marwah Pers di Tahun Politik",
            "reporter": "Ahmad Yani",
            "source": "",
            "published": "2024-01-08T09:00:00+09:00",
            "body_start": "Pers adalah",
            "body_end": "independensi redaksi.",
        },
    ),
}


@pytest.mark.parametrize("name", sorted(RAW_PAGES))
def test_raw_pages_of_other_outlets(name: str) -> None:
    text, expected = RAW_PAGES[name]
    a = parse_raw_page(text, name)
    assert a.title == expected["title"]
    assert a.reporter == expected["reporter"]
    assert a.source == expected["source"]
    assert a.published is not None and a.published.isoformat() == expected["published"]
    assert a.body.startswith(expected["body_start"]), a.body[:60]
    assert a.body.endswith(expected["body_end"]), a.body[-60:]
    assert "Editor" not in a.body and "Berita lain" not in a.body


def test_raw_page_without_date_is_kept_and_flagged() -> None:
    a = parse_raw_page(
        "Ekonomi\n\nHarga Beras Naik Lagi di Pasar Induk\n\nHarga beras medium naik Rp500 per kilogram.", "x"
    )
    assert a.title == "Harga Beras Naik Lagi di Pasar Induk"
    assert a.published is None
    assert a.date_note == "baris tanggal tidak ditemukan; disimpan tanpa tanggal"


# ---------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("date", "time", "expected", "has_time"),
    [
        ("KAMIS, 31 AGUSTUS 2023 | 12:34 WIB | LAPORAN: SARAH", "", "2023-08-31T12:34:00+07:00", True),
        ("31 Juli 2019", "12:38", "2019-07-31T12:38:00+07:00", True),  # kapanlagi
        ("Oktober 19, 2019", "-", "2019-10-19T00:00:00+07:00", False),  # pos_metro
        ("10-Sep-19", "23:04", "2019-09-10T23:04:00+07:00", True),  # tribunnews
        ("2019-09-10T00:00:00", "13:30 WIB", "2019-09-10T13:30:00+07:00", True),  # fimela, xlsx cells
        ("16/09/2019", "22:58 WIB", "2019-09-16T22:58:00+07:00", True),  # kompas
        ("2019-09-13T00:00:00", "23:15:00", "2019-09-13T23:15:00+07:00", True),  # okezone
        (" Oct 2, 2019 ", "-", "2019-10-02T00:00:00+07:00", False),  # wowkeren
        ("Selasa, 5 Nov 2024 14.04 WITA", "", "2024-11-05T14:04:00+08:00", True),
        ("Senin, 8 Januari 2024 | 09:00 WIT", "", "2024-01-08T09:00:00+09:00", True),
        ("Jum'at, 1 Maret 2019 07:00", "", "2019-03-01T07:00:00+07:00", True),
        ("2023-08-31T05:34:00Z", "", "2023-08-31T05:34:00+00:00", True),
        ("3 Mei 2019", "", "2019-05-03T00:00:00+07:00", False),
        ("1 Desember 2019, 20:00 WIB", "", "2019-12-01T20:00:00+07:00", True),
    ],
)
def test_dates_seen_in_real_inputs(date: str, time: str, expected: str, has_time: bool) -> None:
    parsed = parse_date(date, time)
    assert parsed is not None
    assert parsed.value.isoformat() == expected
    assert parsed.has_time is has_time


@pytest.mark.parametrize(
    "text", ["-", "", "31 Februari 2023", "2019-13-01", "Rabu (30/8)", "12:34 WIB", "kemarin sore"]
)
def test_unreadable_or_impossible_dates_are_none(text: str) -> None:
    assert parse_date(text) is None


def test_url_date_corrects_excel_day_month_swap() -> None:
    url = "https://regional.kompas.com/read/2019/09/10/21485171/diduga-pasok-sabu-di-anambas"
    assert url_date(url) == datetime(2019, 9, 10).date()
    fixed, note = reconcile_with_url(parse_date("2019-10-09T00:00:00", "21:48 WIB"), url)
    assert fixed is not None and fixed.value.isoformat() == "2019-09-10T21:48:00+07:00"
    assert note == "hari dan bulan tertukar; tanggal diambil dari URL"


def test_indonesian_display_format() -> None:
    value = parse_date("KAMIS, 31 AGUSTUS 2023 | 12:34 WIB").value
    assert format_id(value) == "Kamis, 31 Agustus 2023 12:34 WIB"
    assert format_id(value, has_time=False) == "Kamis, 31 Agustus 2023"


# ---------------------------------------------------------------- JSONL, CSV and XLSX exports


def _row(url: str) -> dict:
    with CLICKID_JSONL.open(encoding="utf-8") as fh:
        for line in fh:
            if url in line:
                return json.loads(line)
    raise AssertionError(f"no row with {url}")


def test_clickid_kompas_row_with_swapped_date() -> None:
    require_shared()
    row = _row("regional.kompas.com/read/2019/09/10/21485171/")
    assert row["date"] == "2019-10-09T00:00:00"  # the upstream Excel swap
    a = record_to_article(row, "kompas")
    assert a.published.isoformat() == "2019-09-10T21:48:00+07:00"
    assert a.date_note == "hari dan bulan tertukar; tanggal diambil dari URL"
    assert a.source == "kompas.com"
    assert a.category == "News" and a.subcategory == "Regional"


def test_clickid_mojibake_repaired() -> None:
    require_shared()
    row = _row("wowkeren.com/berita/tampil/00276077.html")
    assert "‚Äò" in row["title"]
    a = record_to_article(row, "wowkeren")
    assert a.title == "Angkat Tema ‘Kawal Wajah Baru DPR’, Program Acara ‘Hotroom’ Metro TV Tuai Pujian"
    assert not MOJIBAKE.search(a.body)


def test_clickid_comma_joined_paragraphs_and_trailing_byline() -> None:
    require_shared()
    rows = [r for r in clickid_rows(1006) if "Penulis: Annesa K. Ramadhany" in r["content"]]
    a = record_to_article(rows[0], "kapanlagi")
    assert a.reporter == "Annesa K. Ramadhany"
    assert "Penulis" not in a.body
    assert "\n\n" in a.body and ".," not in a.body
    assert not a.body.startswith("-")


def test_column_aliases_in_indonesian() -> None:
    row = {
        "judul": "Gempa Magnitudo 5,1 Guncang Lombok",
        "isi_berita": "Gempa mengguncang Lombok Utara pada Senin pagi. BMKG menyatakan tidak berpotensi tsunami.",
        "tanggal": "Senin, 2 September 2019",
        "waktu": "07:10 WITA",
        "tautan": "https://www.example.co.id/berita/2019/09/02/gempa-lombok?utm_source=twitter",
        "kategori": "NASIONAL",
        "penulis": "FITRI RAHMAWATI",
        "media": "Contoh Media",
        "tag": "gempa, lombok, bmkg",
    }
    a = record_to_article(row, "aliases")
    assert a.title == "Gempa Magnitudo 5,1 Guncang Lombok"
    assert a.body.startswith("Gempa mengguncang")
    assert a.published.isoformat() == "2019-09-02T07:10:00+08:00"
    assert a.category == "Nasional"
    assert a.reporter == "Fitri Rahmawati"
    assert a.source == "Contoh Media"
    assert a.tags == ["gempa", "lombok", "bmkg"]
    # Tracking parameters do not change an article's identity.
    assert a.id == article_id("https://example.co.id/berita/2019/09/02/gempa-lombok", "", "")


def test_real_csv_file_reads_every_row() -> None:
    require_shared()
    records = list(read_file(CLICKID / "raw_articles" / "csv" / "kapanlagi.csv"))
    assert len(records) == 1006
    assert all(isinstance(r, Article) for r in records)
    first = records[0]
    assert first.title.startswith("Salmafina Sunan Ungkap")
    assert first.published.isoformat() == "2019-07-31T12:38:00+07:00"
    assert first.origin.endswith("kapanlagi.csv:row 2")


def test_real_xlsx_file_reads_every_row_without_mojibake() -> None:
    require_shared()
    records = list(read_file(CLICKID / "raw_articles" / "csv" / "fimela_combined.xlsx"))
    assert len(records) == 788
    articles = [r for r in records if isinstance(r, Article)]
    assert len(articles) == 788
    assert not [a.title for a in articles if MOJIBAKE.search(a.title)]
    assert articles[0].published.isoformat() == "2019-09-10T13:30:00+07:00"


@pytest.mark.slow
def test_every_clickid_row_is_accounted_for() -> None:
    """All 22,136 rows: each becomes an Article or a reported Failure; titles carry no mojibake."""
    require_shared()
    records = list(read_file(CLICKID_JSONL))
    assert len(records) == 22_136
    articles = [r for r in records if isinstance(r, Article)]
    failures = [r for r in records if isinstance(r, Failure)]
    assert len(articles) + len(failures) == 22_136
    assert all(f.reason for f in failures)
    assert not [a.title for a in articles if MOJIBAKE.search(a.title)]
    assert len({a.id for a in articles}) == len(articles)  # no duplicate URLs upstream
    swapped = sum(1 for a in articles if a.date_note.startswith("hari dan bulan tertukar"))
    assert swapped == 659  # as SOURCE.txt counts for kompas.xlsx


def test_directory_recursion_picks_reader_by_type(tmp_path: Path) -> None:
    require_shared()
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "seed.txt").write_bytes(SEED.read_bytes())
    lines = CLICKID_JSONL.read_text(encoding="utf-8").splitlines()[:5]
    (tmp_path / "a" / "b" / "rows.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "a" / "b" / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0")
    (tmp_path / "a" / "SOURCE.txt").write_text("Where these articles came from.\n", encoding="utf-8")
    records = list(read_paths([tmp_path, tmp_path / "missing.jsonl"]))
    articles = [r for r in records if isinstance(r, Article)]
    failures = {Path(f.origin).name: f.reason for f in records if isinstance(f, Failure)}
    skipped = {Path(f.origin).name: f.reason for f in records if isinstance(f, Skipped)}
    assert len(articles) == 6
    assert failures == {"missing.jsonl": "no such file or directory"}
    assert skipped == {"photo.jpg": "unsupported file type '.jpg'", "SOURCE.txt": "documentation file"}


# ---------------------------------------------------------------- the index


def test_stable_ids_from_normalised_urls() -> None:
    a = "https://www.kompas.com/read/2019/09/10/x/?utm_source=fb"
    b = "http://kompas.com/read/2019/09/10/x"
    assert normalize_url(a) == normalize_url(b)
    assert article_id(a, "t1", "b1") == article_id(b, "t2", "b2")
    # No URL: the text decides.
    assert article_id("", "Judul", "Isi  berita") == article_id("", "judul", "isi berita")
    assert article_id("", "Judul", "Isi") != article_id("", "Judul", "Isi lain")


@pytest.mark.slow
@pytest.mark.parametrize("workers", [1, 2])
def test_reindexing_is_idempotent_and_updates_changes(tmp_path: Path, workers: int) -> None:
    require_shared()
    source = tmp_path / "rows.jsonl"
    rows = clickid_rows(120)
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    index_dir = tmp_path / "ix"
    first = index_records(index_dir, read_paths([source]), batch_size=50, workers=workers)
    assert (first.added, first.updated, first.unchanged, len(first.failed)) == (120, 0, 0, 0)
    again = index_records(index_dir, read_paths([source]), batch_size=50, workers=workers)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 120)
    rows[3]["content"] += " Tambahan paragraf koreksi."
    rows[70]["title"] = "Judul yang diperbaiki redaksi"
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    changed = index_records(index_dir, read_paths([source]), batch_size=50, workers=workers)
    assert (changed.added, changed.updated, changed.unchanged) == (0, 2, 118)
    ix = whoosh_index.open_dir(str(index_dir))
    with ix.reader() as reader:
        assert reader.has_deletions()  # the replaced versions, whose terms are not live
    settled = index_records(index_dir, read_paths([source]), batch_size=50, workers=workers)
    assert (settled.added, settled.updated, settled.unchanged) == (0, 0, 120)
    # The rows as first indexed: their versions are deleted, so they are changes again.
    reverted = tmp_path / "reverted.jsonl"
    reverted.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in clickid_rows(120)), encoding="utf-8")
    for rows_file in (reverted, source):  # as the command line reads them: known rows skipped unparsed
        known_rows: dict[str, str] = {}
        run = index_records(
            index_dir, read_paths([rows_file], known_rows), batch_size=50, workers=workers, known_rows=known_rows
        )
        assert (run.updated, run.unchanged) == (2, 118)
    with ix.searcher() as searcher:
        assert searcher.doc_count() == 120
        ids = [fields["id"] for fields in searcher.all_stored_fields()]
        assert len(ids) == len(set(ids)) == 120
        updated = searcher.document(id=record_to_article(rows[3], "x").id)
        assert updated["body"].endswith("Tambahan paragraf koreksi.")
        retitled = searcher.search(Term("title", "diperbaiki"))
        assert [hit["id"] for hit in retitled] == [record_to_article(rows[70], "x").id]
    assert not (index_dir / STAGING_NAME).exists()


@pytest.mark.slow
def test_worker_processes_build_the_same_index(tmp_path: Path) -> None:
    """Articles analysed and written by worker processes are found, and scored, exactly alike."""
    require_shared()
    source = tmp_path / "rows.jsonl"
    rows = clickid_rows(900)
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    single, parallel = tmp_path / "single", tmp_path / "parallel"
    index_records(single, read_paths([source]), batch_size=300)
    summary = index_records(parallel, read_paths([source]), batch_size=300, workers=2)
    assert summary.added == len({record_to_article(r, "x").id for r in rows})
    queries = [
        "jokowi",
        "presiden",
        '"tidak ada yang"',
        "banjir jakarta",
        "sepak bola",
        '"wakil presiden"',
        "judul:polisi",
    ]
    one, two = SearchEngine(single), SearchEngine(parallel)
    assert one.stats()["documents"] == two.stats()["documents"] == summary.added
    for q in queries:
        a, b = one.search(SearchRequest(q=q, limit=20)), two.search(SearchRequest(q=q, limit=20))
        assert a.total == b.total > 0, q
        assert {h.id: round(h.score, 6) for h in a.hits} == {h.id: round(h.score, 6) for h in b.hits}, q


def test_duplicates_within_one_run_are_reported_once(tmp_path: Path) -> None:
    require_shared()
    source = tmp_path / "rows.jsonl"
    rows = clickid_rows(10)
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows + rows[:3]), encoding="utf-8")
    summary = index_records(tmp_path / "ix", read_paths([source]))
    assert (summary.added, summary.duplicates) == (10, 3)


@pytest.mark.slow
def test_rerun_skips_rows_already_indexed_without_parsing_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    require_shared()
    import berita_search.index.pages as pages
    import berita_search.index.records as records
    import berita_search.index.tabular as tabular

    rows = clickid_rows(150)
    jsonl = tmp_path / "rows.jsonl"
    jsonl.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    page = tmp_path / "seed.txt"
    page.write_bytes(SEED.read_bytes())
    index_dir = tmp_path / "ix"

    def run() -> IndexSummary:
        known: dict[str, str] = {}
        return index_records(index_dir, read_paths([jsonl, page], known), known_rows=known)

    first = run()
    assert (first.added, first.unchanged) == (151, 0)

    def must_not_parse(*args: object, **kwargs: object) -> None:
        raise AssertionError("an unchanged row was parsed again")

    with monkeypatch.context() as patched:
        patched.setattr(tabular, "_row_to_article", must_not_parse)
        patched.setattr(pages, "parse_raw_page", must_not_parse)
        again = run()
    assert (again.added, again.updated, again.unchanged, again.duplicates) == (0, 0, 151, 0)

    # A changed row is parsed and updated; a repeated row is still a duplicate.
    rows[5]["content"] += " Ralat: jumlah korban diperbarui."
    jsonl.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in [*rows, rows[7]]), encoding="utf-8")
    changed = run()
    assert (changed.added, changed.updated, changed.unchanged, changed.duplicates) == (0, 1, 150, 1)
    engine = SearchEngine(index_dir)
    assert engine.stats()["documents"] == 151
    updated = engine.article(record_to_article(rows[5], "x").id)
    assert updated is not None and updated.body.endswith("diperbarui.")

    # A new reader version parses every row again; content hashes still find them unchanged.
    monkeypatch.setattr(records, "READER_VERSION", "next")
    reparsed = run()
    assert (reparsed.added, reparsed.updated, reparsed.unchanged) == (0, 0, 151)
