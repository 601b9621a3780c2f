"""The OpenAPI description of the JSON API, served at /openapi.json."""

from __future__ import annotations

from importlib.metadata import version
from typing import Any

from berita_search.index.fields import BY_NAME
from berita_search.search.cursor import MAX_CURSOR_CHARS
from berita_search.search.output import ARTICLE_KEYS
from berita_search.search.querylang import MAX_QUERY_CHARS
from berita_search.search.requests import (
    DATE_PARAM_PATTERN,
    DEFAULT_TOP,
    EXCLUDE_PREFIX,
    INTERVALS,
    LAYOUTS,
    MAX_COMPARE,
    MAX_FILTER_VALUES,
    MAX_LIMIT,
    MAX_PAGE,
    MAX_PARAM_CHARS,
    MAX_TOP,
    SORTS,
    SPLITS,
)
from berita_search.web.params import API_LIMIT, FILTERS

FACET_KEYS = (*FILTERS, "year", "month")  # the facets of a search result (web.app.API_FACETS)
FILTER_DESCRIPTIONS = {
    "reporter": "Nama reporter",
    "category": "Kategori (rubrik) media itu sendiri",
    "source": "Media",
    "desk": "Desk bersama lintas media (Nasional, Olahraga, ...), dari kategori media",
}


def openapi_spec() -> dict[str, Any]:
    max_limit, max_page, max_query, default_limit = MAX_LIMIT, MAX_PAGE, MAX_QUERY_CHARS, API_LIMIT

    def param(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
        return {"name": name, "in": "query", "required": False, "description": description, "schema": schema}

    def repeated(name: str, description: str, item: dict[str, Any], most: int) -> dict[str, Any]:
        schema = {"type": "array", "items": item, "maxItems": most}
        return {**param(name, description, schema), "style": "form", "explode": True}

    text_item = {"type": "string", "maxLength": MAX_PARAM_CHARS}
    filter_params = [
        p
        for name in FILTERS
        for p in (
            repeated(
                name,
                f"{FILTER_DESCRIPTIONS[name]}; diulang untuk salah satu dari beberapa",
                text_item,
                MAX_FILTER_VALUES,
            ),
            repeated(
                EXCLUDE_PREFIX + name,
                f"{BY_NAME[name].label}: artikel dengan nilai ini dikecualikan; dapat diulang",
                text_item,
                MAX_FILTER_VALUES,
            ),
        )
    ]

    error = {
        "description": "Parameter di luar batas atau tidak terbaca",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    counts = {"type": "object", "additionalProperties": {"type": "integer"}}
    date = {"type": "string", "pattern": DATE_PARAM_PATTERN}
    missing = {
        "type": "object",
        "description": "Jumlah artikel tanpa nilai untuk tiap saringan (tanpa kategori, tanpa tanggal, ...)",
        "properties": {name: {"type": "integer"} for name in FACET_KEYS},
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "berita-search",
            "version": version("berita-search"),
            "description": "Pencarian teks penuh arsip berita berbahasa Indonesia. API ini hanya membaca.",
        },
        "paths": {
            "/api/search": {
                "get": {
                    "summary": "Cari artikel",
                    "operationId": "search",
                    "parameters": [
                        param(
                            "q",
                            'Kueri: kata, "frasa", OR/ATAU, NOT/TANPA/-kata, judul:, reporter:, kategori:, '
                            "sumber:, tanggal:2023-08, senja*, shoigu~",
                            {"type": "string", "maxLength": max_query},
                        ),
                        param("page", "Halaman", {"type": "integer", "minimum": 1, "maximum": max_page, "default": 1}),
                        param(
                            "limit",
                            "Hasil per halaman",
                            {"type": "integer", "minimum": 1, "maximum": max_limit, "default": default_limit},
                        ),
                        param(
                            "sort",
                            "Urutan; tanpa kueri (hanya saringan) relevance dibaca sebagai newest",
                            {"type": "string", "enum": list(SORTS), "default": "relevance"},
                        ),
                        param("from", "Terbit sejak (2023-08-31, 2023-08, 2023; tahun 1744-2099)", date),
                        param("to", "Terbit sampai; rentang terbalik ditukar, dengan catatan di messages", date),
                        *filter_params,
                        param(
                            "collapse",
                            "1: sembunyikan salinan serupa (bawaan); 0: tampilkan semua",
                            {"type": "integer", "enum": [0, 1], "default": 1},
                        ),
                    ],
                    "responses": {
                        "200": {
                            "description": "Hasil pencarian",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SearchResult"}}},
                        },
                        "400": error,
                        "404": {
                            "description": "Halaman sesudah halaman terakhir",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                        },
                    },
                }
            },
            "/api/hits": {
                "get": {
                    "summary": "Semua hasil pencarian, halaman demi halaman dengan kursor (tanpa batas halaman)",
                    "description": "Urutan: nilai urutan (skor, tanggal terbit) lalu id artikel; artikel tanpa "
                    "tanggal di akhir. Kirim next_cursor sebagai cursor untuk halaman berikutnya; null berarti "
                    "habis. Artikel yang masuk selama penelusuran muncul di tempat urutannya; tidak ada yang "
                    "terulang.",
                    "operationId": "hits",
                    "parameters": [
                        param("q", "Kueri, seperti /api/search", {"type": "string", "maxLength": max_query}),
                        param(
                            "limit",
                            "Hasil per halaman",
                            {"type": "integer", "minimum": 1, "maximum": max_limit, "default": max_limit},
                        ),
                        param("sort", "Urutan", {"type": "string", "enum": list(SORTS), "default": "relevance"}),
                        param("from", "Terbit sejak", date),
                        param("to", "Terbit sampai", date),
                        *filter_params,
                        param(
                            "collapse",
                            "1: sembunyikan salinan serupa (bawaan); 0: tampilkan semua",
                            {"type": "integer", "enum": [0, 1], "default": 1},
                        ),
                        param(
                            "cursor",
                            "next_cursor halaman sebelumnya; kosong untuk halaman pertama",
                            {"type": "string", "maxLength": MAX_CURSOR_CHARS},
                        ),
                    ],
                    "responses": {
                        "200": {
                            "description": "Satu halaman hasil",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/HitsPage"}}},
                        },
                        "400": error,
                    },
                }
            },
            "/api/coverage": {
                "get": {
                    "summary": "Liputan dari waktu ke waktu",
                    "description": "Jumlah artikel per hari, minggu, bulan atau tahun (hari tanggal artikel, yaitu hari "
                    "di Asia/Jakarta untuk tanggal WIB; minggu Senin-Minggu), untuk sampai "
                    f"{MAX_COMPARE} pencarian dengan saringan yang sama, bila diminta dipisah menurut "
                    "sumber, kategori, desk atau reporter (nilai teratas, lalu 'others' berisi sisanya), "
                    "beserta proporsinya dari semua artikel yang terbit pada periode itu.",
                    "operationId": "coverage",
                    "parameters": [
                        repeated(
                            "q",
                            f"Kueri; diulang untuk membandingkan sampai {MAX_COMPARE} pencarian",
                            {"type": "string", "maxLength": max_query},
                            MAX_COMPARE,
                        ),
                        param("from", "Periode pertama (2019-09-01, 2019-09, 2019)", date),
                        param("to", "Periode terakhir", date),
                        *filter_params,
                        param(
                            "interval",
                            "Panjang periode; tanpa parameter ini dipilih menurut rentang",
                            {"type": "string", "enum": list(INTERVALS)},
                        ),
                        param("by", "Pisahkan menurut nilai saringan ini", {"type": "string", "enum": list(SPLITS)}),
                        param(
                            "top",
                            "Jumlah nilai teratas yang dipisahkan",
                            {"type": "integer", "minimum": 1, "maximum": MAX_TOP, "default": DEFAULT_TOP},
                        ),
                        param(
                            "share",
                            "1: grafik menggambar proporsi (data selalu memuat jumlah dan proporsi)",
                            {"type": "integer", "enum": [0, 1], "default": 0},
                        ),
                        param("layout", "Tata letak grafik halaman web", {"type": "string", "enum": list(LAYOUTS)}),
                    ],
                    "responses": {
                        "200": {
                            "description": "Deret waktu tiap pencarian",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Coverage"}}},
                        },
                        "400": error,
                    },
                }
            },
            "/api/articles/{id}": {
                "get": {
                    "summary": "Satu artikel lengkap",
                    "operationId": "article",
                    "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
                    "responses": {
                        "200": {
                            "description": "Artikel",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Article"}}},
                        },
                        "404": {
                            "description": "Tidak ada artikel dengan id ini",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                        },
                    },
                }
            },
        },
        "components": {
            "schemas": {
                "Error": {
                    "type": "object",
                    "properties": {"message": {"type": "string"}, "status": {"type": "integer"}},
                    "required": ["message"],
                },
                "Hit": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "string"},
                        "title": {"type": "string"},
                        "url": {"type": "string"},
                        "source": {"type": "string"},
                        "category": {"type": "string"},
                        "reporter": {"type": "string"},
                        "published": {"type": ["string", "null"], "description": "ISO 8601"},
                        "score": {
                            "type": ["number", "null"],
                            "description": "Skor relevansi; null bila diurutkan menurut tanggal",
                        },
                        "snippet": {"type": "string"},
                    },
                },
                "SearchResult": {
                    "type": "object",
                    "properties": {
                        "query": {"type": "string"},
                        "total": {
                            "type": "integer",
                            "description": "Jumlah hasil yang dipaginasi: stories bila collapse=1, articles bila 0",
                        },
                        "articles": {
                            "type": "integer",
                            "description": "Jumlah artikel yang cocok, salinan serupa ikut dihitung",
                        },
                        "stories": {
                            "type": "integer",
                            "description": "Jumlah berita berbeda: salinan serupa dihitung satu",
                        },
                        "page": {"type": "integer"},
                        "pages": {"type": "integer", "description": "Halaman terakhir yang dapat diminta"},
                        "limit": {"type": "integer"},
                        "sort": {"type": "string"},
                        "hits": {"type": "array", "items": {"$ref": "#/components/schemas/Hit"}},
                        "facets": {
                            "type": "object",
                            "description": "Jumlah artikel per nilai (salinan ikut dihitung)",
                            "properties": {name: counts for name in FACET_KEYS},
                        },
                        "missing": missing,
                        "options": {
                            "type": "object",
                            "description": "Untuk tiap saringan yang berisi nilai: jumlah artikel tiap nilai bila "
                            "saringan itu sendiri dilepas (saringan lain tetap): yang ditambahkan bila nilai itu dipilih juga",
                            "properties": {name: counts for name in FILTERS},
                        },
                        "suggestion": {"type": ["string", "null"]},
                        "as_reporter": {
                            "description": "Kata-kata kueri sebagai nama reporter, bila itu menemukan lebih banyak",
                            "type": ["object", "null"],
                            "properties": {"name": {"type": "string"}, "articles": {"type": "integer"}},
                        },
                        "messages": {"type": "array", "items": {"type": "string"}},
                    },
                },
                "HitsPage": {
                    "type": "object",
                    "properties": {
                        "query": {"type": "string"},
                        "total": {"type": "integer"},
                        "articles": {"type": "integer"},
                        "stories": {"type": "integer"},
                        "limit": {"type": "integer"},
                        "sort": {"type": "string"},
                        "hits": {"type": "array", "items": {"$ref": "#/components/schemas/Hit"}},
                        "next_cursor": {"type": ["string", "null"]},
                        "messages": {"type": "array", "items": {"type": "string"}},
                    },
                    "required": ["total", "hits", "next_cursor"],
                },
                "Coverage": {
                    "type": "object",
                    "required": ["interval", "searches", "periods", "series", "messages"],
                    "properties": {
                        "interval": {
                            "type": "string",
                            "description": "day, week, month atau year; kosong bila tidak ada artikel bertanggal",
                        },
                        "auto_interval": {"type": "boolean"},
                        "by": {"type": "string"},
                        "top": {"type": "integer"},
                        "from": {"type": ["string", "null"]},
                        "to": {"type": ["string", "null"]},
                        "searches": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "query": {"type": "string"},
                                    "articles": {
                                        "type": "integer",
                                        "description": "Sama dengan articles di /api/search",
                                    },
                                    "dated": {"type": "integer"},
                                    "undated": {
                                        "type": "integer",
                                        "description": "Tanpa tanggal: tidak masuk periode mana pun",
                                    },
                                },
                            },
                        },
                        "periods": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "period": {"type": "string"},
                                    "first_day": {"type": "string"},
                                    "last_day": {"type": "string"},
                                    "label": {"type": "string"},
                                },
                            },
                        },
                        "series": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "query": {"type": "string"},
                                    "kind": {"type": "string", "enum": ["all", "value", "others"]},
                                    "value": {"type": "string"},
                                    "label": {"type": "string"},
                                    "total": {"type": "integer"},
                                    "all_articles_total": {"type": "integer"},
                                    "share_total": {"type": ["number", "null"]},
                                    "articles": {"type": "array", "items": {"type": "integer"}},
                                    "all_articles": {"type": "array", "items": {"type": "integer"}},
                                    "share": {"type": "array", "items": {"type": ["number", "null"]}},
                                },
                            },
                        },
                        "complete": {"type": "boolean"},
                        "messages": {"type": "array", "items": {"type": "string"}},
                    },
                },
                "Article": {
                    "type": "object",
                    "properties": {
                        **{k: {"type": "string"} for k in ARTICLE_KEYS if k not in ("published", "tags")},
                        "published": {"type": ["string", "null"]},
                        "tags": {"type": "array", "items": {"type": "string"}},
                        "related": {"type": "array", "items": {"type": "object"}},
                    },
                },
            }
        },
    }
