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
    # The research workflow (search.workflow): saved searches, collections, batch search, cursors.
    "name_empty": {
        "id": "Nama {what} harus diisi.",
        "en": "the {what_en} name is empty",
    },
    "name_too_long": {
        "id": "Nama {what} terlalu panjang (paling banyak {limit} karakter).",
        "en": "the {what_en} name is too long (at most {limit} characters)",
    },
    "note_too_long": {
        "id": "Catatan terlalu panjang (paling banyak {limit} karakter).",
        "en": "the note is too long (at most {limit} characters)",
    },
    "too_many_tags": {
        "id": "Terlalu banyak tag (paling banyak {limit}).",
        "en": "too many tags (at most {limit})",
    },
    "tag_too_long": {
        "id": "Tag terlalu panjang: {tag} (paling banyak {limit} karakter).",
        "en": "tag too long: {tag!r} (at most {limit} characters)",
    },
    "too_many_saved": {
        "id": "Sudah ada {limit} pencarian tersimpan; hapus yang tidak dipakai.",
        "en": "there are already {limit} saved searches; remove some first",
    },
    "too_many_collections": {
        "id": "Sudah ada {limit} koleksi; hapus yang tidak dipakai.",
        "en": "there are already {limit} collections; remove some first",
    },
    "collection_full": {
        "id": "Koleksi {name} sudah berisi {limit} artikel.",
        "en": "collection {name!r} already holds {limit} articles",
    },
    "saved_unknown": {
        "id": "Tidak ada pencarian tersimpan bernama atau bernomor {ref}.",
        "en": "no saved search named or numbered {ref!r}",
    },
    "collection_unknown": {
        "id": "Tidak ada koleksi bernama atau bernomor {ref}.",
        "en": "no collection named or numbered {ref!r}",
    },
    "article_unknown": {
        "id": "Artikel {ref} tidak ada di indeks.",
        "en": "no article {ref!r} in the index",
    },
    "not_in_collection": {
        "id": "Artikel {ref} tidak ada di koleksi {name}.",
        "en": "article {ref!r} is not in collection {name!r}",
    },
    "article_ref_ambiguous": {
        "id": "Awalan id {ref} cocok dengan {count} artikel; tulis lebih panjang.",
        "en": "id prefix {ref!r} matches {count} articles; type more of it",
    },
    "article_ref_short": {
        "id": "Awalan id {ref} terlalu pendek (paling sedikit {least} karakter).",
        "en": "id prefix {ref!r} is too short (at least {least} characters)",
    },
    "saved_needs_search": {
        "id": "Tidak ada yang disimpan: isi kata kunci atau saringan dahulu.",
        "en": "nothing to save: give a query or a filter",
    },
    "name_taken": {
        "id": "Nama {name} sudah dipakai {what} lain.",
        "en": "the name {name!r} is taken by another {what_en}",
    },
    "batch_empty": {
        "id": "Daftar kosong: tulis satu nama atau frasa per baris.",
        "en": "the list is empty: one name or phrase per line",
    },
    "batch_too_many": {
        "id": "Daftar terlalu panjang: paling banyak {limit} baris.",
        "en": "the list is too long: at most {limit} lines",
    },
    "batch_too_large": {
        "id": "Berkas terlalu besar: paling banyak {limit} KB.",
        "en": "the file is too large: at most {limit} KB",
    },
    "batch_line_too_long": {
        "id": "Baris {line} terlalu panjang (paling banyak {limit} karakter).",
        "en": "line {line} is too long (at most {limit} characters)",
    },
    "batch_column_unknown": {
        "id": "Kolom {column} tidak ada di berkas CSV (kolom: {columns}).",
        "en": "no column {column!r} in the CSV file (columns: {columns})",
    },
    "batch_unreadable": {
        "id": "Berkas tidak terbaca sebagai teks: {reason}.",
        "en": "the file cannot be read as text: {reason}",
    },
    "cursor_invalid": {
        "id": "Kursor tidak sah untuk pencarian ini; mulai lagi tanpa kursor.",
        "en": "the cursor does not belong to this search; start again without one",
    },
    "form_expired": {
        "id": "Formulir kedaluwarsa atau tidak berasal dari halaman ini; muat ulang halaman lalu kirim lagi.",
        "en": "the form expired or did not come from this site; reload the page and send it again",
    },
    "form_too_large": {
        "id": "Kiriman terlalu besar (paling banyak {limit} KB).",
        "en": "the request is too large (at most {limit} KB)",
    },
    "state_unavailable": {
        "id": "Data pencarian tersimpan dan koleksi tidak dapat dipakai: {reason}",
        "en": "saved searches and collections are unavailable: {reason}",
    },
    "index_without_desks": {
        "id": "indeks ini dibuat sebelum ada desk: belum ada artikel yang berdesk; indeks ulang arsip ke folder baru "
        "untuk mengisinya",
        "en": "this index was written before desks existed: no article has one yet; re-index the archive into a new "
        "folder to fill them",
    },
    "too_many_values": {
        "id": "{label}: paling banyak {limit} nilai sekaligus.",
        "en": "{label}: at most {limit} values at once",
    },
    # Coverage over time (search.coverage): the web names the page's controls, the CLI its options.
    "compare_too_many": {
        "id": "Paling banyak {limit} pencarian dapat dibandingkan sekaligus.",
        "en": "at most {limit} searches can be compared at once",
    },
    "interval_unknown": {
        "id": "Interval tidak dikenal: pilih day, week, month atau year (kosong: otomatis).",
        "en": "interval must be one of: day, week, month, year",
    },
    "split_unknown": {
        "id": "Pemisah tidak dikenal: pilih {choices}.",
        "en": "--by must be one of: {choices}",
    },
    "top_range": {
        "id": "Jumlah seri teratas harus bilangan bulat dari 1 sampai {high}.",
        "en": "top must be a whole number between 1 and {high}",
    },
    "share_invalid": {
        "id": "Pilihan proporsi (share) harus 0 atau 1.",
        "en": "share must be 0 or 1",
    },
    "layout_unknown": {
        "id": "Tata letak tidak dikenal: pilih stacked atau multiples.",
        "en": "layout must be one of: stacked, multiples",
    },
    "interval_widened": {
        "id": "{periods_id} periode per {wanted_id} terlalu banyak untuk satu grafik (paling banyak {limit}); "
        "ditampilkan per {used_id}. Persempit rentang tanggal untuk melihat per {wanted_id}.",
        "en": "{periods_en} periods by {wanted_en} are too many for one chart (at most {limit}); shown by {used_en}; "
        "narrow the dates to see them by {wanted_en}",
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
