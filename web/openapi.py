"""The OpenAPI description of the JSON API, served at /openapi.json."""

from __future__ import annotations

from typing import Any

# The fields of one article in the JSON API, in order.
ARTICLE_KEYS = (
    "id",
    "title",
    "url",
    "source",
    "category",
    "subcategory",
    "reporter",
    "published",
    "published_display",
    "caption",
    "tags",
    "date_note",
    "body",
)


def openapi_spec(max_limit: int, max_page: int, max_query: int, default_limit: int) -> dict[str, Any]:
    def param(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
        return {"name": name, "in": "query", "required": False, "description": description, "schema": schema}

    error = {
        "description": "Parameter di luar batas atau tidak terbaca",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    counts = {"type": "object", "additionalProperties": {"type": "integer"}}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "berita-search",
            "version": "0.1.0",
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
                            "Urutan",
                            {"type": "string", "enum": ["relevance", "newest", "oldest"], "default": "relevance"},
                        ),
                        param("from", "Terbit sejak (2023-08-31, 2023-08, 2023)", {"type": "string"}),
                        param("to", "Terbit sampai (2023-08-31, 2023-08, 2023)", {"type": "string"}),
                        param("reporter", "Nama reporter", {"type": "string"}),
                        param("category", "Kategori (rubrik)", {"type": "string"}),
                        param("source", "Media", {"type": "string"}),
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
                        "score": {"type": "number"},
                        "snippet": {"type": "string"},
                    },
                },
                "SearchResult": {
                    "type": "object",
                    "properties": {
                        "query": {"type": "string"},
                        "total": {"type": "integer"},
                        "page": {"type": "integer"},
                        "pages": {"type": "integer"},
                        "limit": {"type": "integer"},
                        "sort": {"type": "string"},
                        "hits": {"type": "array", "items": {"$ref": "#/components/schemas/Hit"}},
                        "facets": {
                            "type": "object",
                            "properties": {"category": counts, "reporter": counts, "source": counts, "month": counts},
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
