"""A small real index for the web tests: the seed page, a few hundred clickid articles, the
sample folder, and hand-made articles that carry hostile markup or are near-duplicates."""

from __future__ import annotations

import itertools
from datetime import datetime
from pathlib import Path

import pytest
from berita_search.index.article import Article
from berita_search.index.dates import WIB

from tests.conftest import CLICKID_JSONL, SAMPLE, SEED, require_shared

CLICKID_ROWS = 250
SEED_ID = "c9fe20ff2c1c3bd4"
HOSTILE_TITLE = "Bahaya <script>alert(1)</script> di judul"

_built: dict[str, Path] = {}


def hostile_articles() -> list[Article]:
    return [
        Article(
            title=HOSTILE_TITLE,
            body='Isi berita tentang <b onmouseover="alert(2)">serangan</b> skrip & "kutipan" di Pyongyang. Kim Jong Un tidak terlibat.',
            url="https://contoh.test/berita/xss",
            source="Contoh <Media>",
            category="Uji <i>",
            reporter="Penguji <img src=x onerror=alert(3)>",
            published=datetime(2023, 9, 1, 8, 0, tzinfo=WIB),
            published_has_time=True,
        ),
        Article(
            title='=HYPERLINK("http://contoh.test","klik") rumus di judul',
            body="Sel lembar kerja yang diawali tanda sama dengan dijalankan sebagai rumus.",
            url="javascript:alert(4)",
            source="Contoh <Media>",
            category="Uji <i>",
            published=datetime(2023, 9, 2, 9, 0, tzinfo=WIB),
            published_has_time=True,
        ),
    ]


def duplicate_articles() -> list[Article]:
    # One story syndicated under two URLs: the search collapses them into one hit.
    body = (
        "Banjir rob merendam kawasan pesisir Semarang sejak Selasa pagi. Warga mengungsi ke balai desa "
        "sementara petugas memompa air dari permukiman."
    )
    title = "Banjir Rob Rendam Pesisir Semarang, Ratusan Warga Mengungsi"
    return [
        Article(
            title=title,
            body=body,
            url=f"https://{host}/berita/banjir-rob-semarang",
            source=host,
            category="Daerah",
            published=datetime(2023, 8, 29, 10, 0, tzinfo=WIB),
            published_has_time=True,
        )
        for host in ("satu.test", "dua.test")
    ]


def undated_articles() -> list[Article]:
    # Kept without a date, as the indexer keeps any article whose date cannot be read.
    return [
        Article(
            title="Artis Lawas Tampil Lagi di Panggung Reuni",
            body="Seorang artis lawas tampil lagi di panggung reuni sekolahnya. Tanggal terbit tidak tercatat.",
            url="https://arsip.test/artis-lawas",
            source="arsip.test",
            date_note="tanggal tidak terbaca",
        )
    ]


def build_web_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built once per session, however many test modules ask for it."""
    if "index" in _built:
        return _built["index"]
    from berita_search.index.readers import read_paths
    from berita_search.index.writer import index_records

    require_shared()
    folder = tmp_path_factory.mktemp("web-index")
    subset = folder / "clickid-subset.jsonl"
    with CLICKID_JSONL.open(encoding="utf-8") as src, subset.open("w", encoding="utf-8") as dst:
        dst.writelines(itertools.islice(src, CLICKID_ROWS))
    index_dir = folder / "index"
    summary = index_records(index_dir, read_paths([SEED, subset, SAMPLE]))
    assert not summary.failed, summary.failed[:3]
    summary = index_records(index_dir, [*hostile_articles(), *duplicate_articles(), *undated_articles()])
    assert summary.added == 5, summary
    _built["index"] = index_dir
    return index_dir
