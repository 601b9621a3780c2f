"""Messages to people, one catalogue in two languages.

The web and the API speak Indonesian; the CLI speaks English. Code that has something to
say makes a ``Message`` (a code and its values); each front-end renders it in its language.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Language = Literal["id", "en"]

CATALOGUE: dict[str, dict[Language, str]] = {
    "query_cut": {
        "id": "kueri dipotong menjadi {limit} karakter",
        "en": "query cut to {limit} characters",
    },
    "syntax_unreadable": {
        "id": "sintaks kueri tidak dapat dibaca ({error}); dicari sebagai teks biasa",
        "en": "query syntax unreadable ({error}); searched as plain text",
    },
    "too_many_terms": {
        "id": "kueri terlalu panjang: hanya {limit} istilah pertama yang dipakai",
        "en": "query too long: only the first {limit} terms are searched",
    },
    "date_unreadable": {
        "id": 'tanggal tidak dikenali: {value!r} (contoh: 2023-08-31, 2023-08, "31 Agustus 2023")',
        "en": 'unreadable date {value!r} (write 2023-08-31, 2023-08 or "31 Agustus 2023")',
    },
    "date_range_unreadable": {
        "id": "rentang tanggal tidak dikenali: [{start} TO {end}]",
        "en": "unreadable date range [{start} TO {end}]",
    },
    "range_not_date": {
        "id": "rentang hanya untuk tanggal: {part}",
        "en": "ranges are for dates only: {part}",
    },
    "part_ignored": {
        "id": "bagian kueri diabaikan: {part}",
        "en": "part of the query ignored: {part}",
    },
    "only_exclusions": {
        "id": "kueri hanya berisi pengecualian; tambahkan kata yang dicari",
        "en": "the query only excludes; add words to search for",
    },
    "pattern_too_short": {
        "id": "pola terlalu pendek atau rumit: {pattern!r} (awalan minimal {letters} huruf, * hanya di akhir); "
        "dicari sebagai kata biasa",
        "en": "pattern too short or complex: {pattern!r} (a prefix of {letters} letters or more, * only at the end); "
        "searched as plain words",
    },
    "expansion_cut": {
        "id": "{pattern} cocok dengan {found} kata; hanya {kept} kata yang paling umum dicari",
        "en": "{pattern} matches {found} words; only the {kept} most common are searched",
    },
    "fuzzy_too_short": {
        "id": "kata {word!r} terlalu pendek untuk ejaan mirip; dicari persis",
        "en": "{word!r} is too short for spelling variants; searched exactly",
    },
    "too_many_fuzzy": {
        "id": "paling banyak {limit} kata dengan ~ per kueri; sisanya dicari persis",
        "en": "at most {limit} words with ~ per query; the rest are searched exactly",
    },
    "slop_cut": {
        "id": "jarak frasa dibatasi {limit} kata",
        "en": "phrase distance capped at {limit} words",
    },
    "empty_date_range": {
        "id": "rentang tanggal kosong ({first} sampai {last}): tidak ada artikel di dalamnya",
        "en": "empty date range ({first} to {last}): no article falls in it",
    },
    "search_refused": {
        "id": "pencarian dihentikan setelah {seconds} detik karena terlalu berat; persempit kueri "
        "(kata yang lebih jarang, frasa lebih pendek, lebih sedikit * dan ~)",
        "en": "search stopped after {seconds} s as too costly; narrow it (rarer words, shorter phrases, fewer * and ~)",
    },
    # Requests (search.requests): the web names the form's fields, the CLI its options.
    "page_range": {
        "id": "Nomor halaman harus bilangan bulat dari 1 sampai {high}.",
        "en": "page must be a whole number between 1 and {high}",
    },
    "limit_range": {
        "id": "Jumlah hasil per halaman harus bilangan bulat dari 1 sampai {high}.",
        "en": "limit must be a whole number between 1 and {high}",
    },
    "too_deep": {
        "id": "Hasil setelah urutan ke-{depth} tidak ditampilkan per halaman; persempit pencarian.",
        "en": "results deeper than {depth} are not paged; narrow the search",
    },
    "sort_unknown": {
        "id": "Urutan tidak dikenal: pilih relevance, newest atau oldest.",
        "en": "sort must be one of: relevance, newest, oldest",
    },
    "collapse_invalid": {
        "id": "Pilihan salinan (collapse) harus 0 atau 1.",
        "en": "collapse must be 0 or 1",
    },
    "date_unreadable_from": {
        "id": "Tanggal “Dari” tidak terbaca: {value}. Tulis misalnya 2023-08-31, 2023-08 atau 2023 (tahun 1744–2099).",
        "en": "unreadable --from date {value!r} (write 2023-08-31, 2023-08 or 2023; years 1744-2099)",
    },
    "date_unreadable_to": {
        "id": "Tanggal “Sampai” tidak terbaca: {value}. Tulis misalnya 2023-08-31, 2023-08 atau 2023 (tahun 1744–2099).",
        "en": "unreadable --to date {value!r} (write 2023-08-31, 2023-08 or 2023; years 1744-2099)",
    },
    "date_range_reversed": {
        "id": "Rentang tanggal terbalik; dicari dari {first} sampai {last}.",
        "en": "date range reversed; searched from {first} to {last}",
    },
    "text_too_long": {
        "id": "{label} terlalu panjang (paling banyak {limit} karakter).",
        "en": "{name} too long (at most {limit} characters)",
    },
    "facet_unknown": {
        "id": "Saringan tidak dikenal: {value}.",
        "en": "unknown facet {value!r}",
    },
    "page_past_end": {
        "id": "Halaman {page} tidak ada: halaman terakhir adalah {last_page}.",
        "en": "no page {page}: the last page is {last_page}",
    },
    "exports_busy": {
        "id": "Sedang ada {slots} unduhan berjalan; coba lagi dalam {seconds} detik.",
        "en": "{slots} exports are running; try again in {seconds} seconds",
    },
}


@dataclass(frozen=True)
class Message:
    code: str
    values: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def of(cls, code: str, **values: Any) -> Message:
        if code not in CATALOGUE:
            raise KeyError(f"no message {code!r} in the catalogue")
        return cls(code, tuple(values.items()))

    def text(self, language: Language = "id") -> str:
        return CATALOGUE[self.code][language].format(**dict(self.values))

    def __str__(self) -> str:
        return self.text("id")
