"""Dates that lie: an article whose date cannot be read, or is not a plausible publication
date (before 1744, the first Indonesian newspaper, or after tomorrow in Jakarta), is kept
without a date and flagged in date_note, in Bahasa Indonesia; never dropped, never guessed."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from berita_search.index.dates import WIB
from berita_search.index.readers import Article, read_paths, record_to_article
from berita_search.index.writer import index_records
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import CLICKID, CLICKID_JSONL, require_shared

BODY = "Pemerintah Kabupaten Bogor menyiapkan posko banjir di tiga kecamatan. Warga diminta waspada."


def article(path: Path) -> Article:
    (record,) = [r for r in read_paths([path]) if isinstance(r, Article)]
    return record


@pytest.mark.parametrize(
    ("date_text", "note"),
    [
        ("2024-03-04T10:00:00+24:00", "tanggal tidak terbaca: '2024-03-04T10:00:00+24:00'; disimpan tanpa tanggal"),
        ("2024-03-04T10:00:00-25:30", "tanggal tidak terbaca: '2024-03-04T10:00:00-25:30'; disimpan tanpa tanggal"),
        ("01/01/0001", "tanggal tidak masuk akal: 0001-01-01; disimpan tanpa tanggal"),
        ("1 Januari 0001", "tanggal tidak masuk akal: 0001-01-01; disimpan tanpa tanggal"),
        ("0001-01-01", "tanggal tidak masuk akal: 0001-01-01; disimpan tanpa tanggal"),
        ("31 Desember 9999", "tanggal tidak masuk akal: 9999-12-31; disimpan tanpa tanggal"),
        ("1743-12-31", "tanggal tidak masuk akal: 1743-12-31; disimpan tanpa tanggal"),
    ],
)
def test_unreadable_and_implausible_dates_are_kept_undated_and_flagged(
    tmp_path: Path, date_text: str, note: str
) -> None:
    path = tmp_path / "tanggal.jsonl"
    path.write_text(json.dumps({"title": "Berita bertanggal aneh", "content": BODY, "date": date_text}) + "\n")
    summary = index_records(tmp_path / "ix", read_paths([path]))
    assert (summary.added, len(summary.failed), summary.dates_flagged) == (1, 0, 1)
    kept = article(path)
    assert kept.published is None
    assert kept.date_note == note


def test_two_digit_years_are_still_read() -> None:
    a = record_to_article({"title": "Judul", "content": BODY, "date": "10-Sep-19", "time": "23:04"}, "x")
    assert a.published is not None and a.published.isoformat() == "2019-09-10T23:04:00+07:00"
    assert a.date_note == ""


def test_first_plausible_day_is_kept() -> None:
    a = record_to_article({"title": "Bataviasche Nouvelles", "content": BODY, "date": "1744-08-07"}, "x")
    assert a.published is not None and a.published.date() == date(1744, 8, 7)
    assert a.date_note == ""


def test_page_dated_in_the_year_9999(tmp_path: Path) -> None:
    path = tmp_path / "halaman.txt"
    path.write_text(
        f"Nasional\n\nBanjir Rendam Ratusan Rumah di Bogor\n\nJumat, 31 Desember 9999 10:00 WIB\n\n{BODY}",
        encoding="utf-8",
    )
    kept = article(path)
    assert kept.title == "Banjir Rendam Ratusan Rumah di Bogor"
    assert kept.body == BODY  # the date line still separates title from body
    assert kept.published is None
    assert kept.date_note == "tanggal tidak masuk akal: 9999-12-31; disimpan tanpa tanggal"


def test_url_dated_2099() -> None:
    url = "https://contoh.id/read/2099/12/31/123/banjir-di-bogor"
    undated = record_to_article({"title": "Banjir", "content": BODY, "url": url}, "x")
    assert undated.published is None
    assert undated.date_note == "tanggal di URL tidak masuk akal: 2099-12-31; disimpan tanpa tanggal"
    dated = record_to_article({"title": "Banjir", "content": BODY, "url": url, "date": "04/03/2024"}, "x")
    assert dated.published is not None and dated.published.date() == date(2024, 3, 4)
    assert dated.date_note == "tanggal di URL tidak masuk akal: 2099-12-31"


def test_a_plausible_url_still_corrects_an_implausible_field() -> None:
    url = "https://regional.kompas.com/read/2019/09/10/21485171/x"
    a = record_to_article({"title": "Judul", "content": BODY, "url": url, "date": "9999-12-31"}, "x")
    assert a.published is not None and a.published.date() == date(2019, 9, 10)
    assert a.date_note == "tanggal tidak masuk akal: 9999-12-31; tanggal diambil dari URL"


@settings(max_examples=300, deadline=None)
@given(st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)))
def test_any_date_is_kept_only_where_plausible(day: date) -> None:
    tomorrow = datetime.now(WIB).date() + timedelta(days=1)
    plausible = date(1744, 1, 1) <= day <= tomorrow
    a = record_to_article(
        {"title": "Judul", "content": BODY, "date": f"{day.year:04d}-{day.month:02d}-{day.day:02d}"}, "x"
    )
    if plausible:
        assert a.published is not None and a.published.date() == day and a.date_note == ""
    else:
        assert a.published is None
        assert a.date_note == f"tanggal tidak masuk akal: {day.isoformat()}; disimpan tanpa tanggal"


# Every date_note the readers write: the reasons, then what became of the date.
FINDING = (
    r"tidak ada tanggal|baris tanggal tidak ditemukan|tanggal tidak terbaca: '.*'|"
    r"tanggal(?: di URL)? tidak masuk akal: \d{4}-\d{2}-\d{2}|hari dan bulan tertukar|tanggal berbeda dengan URL"
)
INDONESIAN_NOTE = re.compile(
    rf"^(?:(?:{FINDING})(?:; (?:{FINDING}))*(?:; (?:tanggal diambil dari URL|disimpan tanpa tanggal))?"
    r"|tanggal diambil dari URL)$"
)


@pytest.mark.slow
def test_every_clickid_date_note_is_in_bahasa_indonesia() -> None:
    require_shared()
    notes: dict[str, int] = {}
    for record in read_paths([CLICKID_JSONL, CLICKID / "raw_articles"]):
        if isinstance(record, Article) and record.date_note:
            notes[record.date_note] = notes.get(record.date_note, 0) + 1
    assert notes, "CLICK-ID has flagged dates (659 day/month swaps in kompas.xlsx alone)"
    assert [note for note in notes if not INDONESIAN_NOTE.match(note)] == []
    # Both copies of kompas.xlsx's swaps (the JSONL and the workbook), as SOURCE.txt counts them.
    assert notes["hari dan bulan tertukar; tanggal diambil dari URL"] == 2 * 659
