"""The OpenAPI description of the JSON API, served at /openapi.json."""

from __future__ import annotations

from importlib.metadata import version
from typing import Any

from berita_search.search.output import ARTICLE_KEYS
from berita_search.search.querylang import MAX_QUERY_CHARS
from berita_search.search.requests import DATE_PARAM_PATTERN, MAX_LIMIT, MAX_PAGE, MAX_PARAM_CHARS, SORTS
from berita_search.web.params import API_LIMIT


def openapi_spec() -> dict[str, Any]:
    max_limit, max_page, max_query, default_limit = MAX_LIMIT, MAX_PAGE, MAX_QUERY_CHARS, API_LIMIT

    def param(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
        return {"name": name, "in": "query", "required": False, "description": description, "schema": schema}

    error = {
        "description": "Parameter di luar batas atau tidak terbaca",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    counts = {"type": "object", "additionalProperties": {"type": "integer"}}
    date = {"type": "string", "pattern": DATE_PARAM_PATTERN}
    text = {"type": "string", "maxLength": MAX_PARAM_CHARS}
    missing = {
        "type": "object",
        "description": "Jumlah artikel tanpa nilai untuk tiap saringan (tanpa kategori, tanpa tanggal, ...)",
        "properties": {name: {"type": "integer"} for name in ("category", "reporter", "source", "year", "month")},
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "berita-search",
            "version": version("berita-search"),
            "description": "Pencarian teks penuh arsip berita berbahasa Indonesia. Hanya baca.",
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
                        param("reporter", "Nama reporter", text),
                        param("category", "Kategori (rubrik)", text),
                        param("source", "Media", text),
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
                            "properties": {
                                name: counts for name in ("category", "reporter", "source", "year", "month")
                            },
                        },
                        "missing": missing,
                        "suggestion": {"type": ["string", "null"]},
                        "as_reporter": {
                            "description": "Kata-kata kueri sebagai nama reporter, bila itu menemukan lebih banyak",
                            "type": ["object", "null"],
                            "properties": {"name": {"type": "string"}, "articles": {"type": "integer"}},
                        },
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
