"""The research workflow both front-ends share: saved searches and what is new to them,
collections of articles with notes and tags, and finding an article by id, id prefix or URL.

What is new to a saved search is defined by the index's own record of when articles entered it
(``index.schema.ADDED_FIELD``: a stamp per article version, larger for every later commit). A
saved search remembers the newest stamp in the index when it was saved (``baseline_added``) and
at the last look (``seen_added``). At a look, the newest stamp now is read first (``upto``);
the new matches are the articles that match the search and whose current version carries a
stamp after ``seen_added`` and at or before ``upto``: articles added, or changed, by the commits
after the one last seen. Marking the look seen stores ``upto``; an article committed while the
look ran carries a larger stamp and is new at the next look, so nothing is shown twice or lost.
Articles indexed before stamps existed are never new. The feed lists the matches added after
``baseline_added``, most recently added first.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from berita_search.index.article import article_id, usable_url
from berita_search.search.engine import ArticleRecord, Hit, SearchEngine, SearchResult
from berita_search.search.messages import Message
from berita_search.search.requests import RequestError, SearchRequest, request_from_params
from berita_search.search.state import StateStore

NAME_MAX = 100  # characters of a saved search's or a collection's name
NOTE_MAX = 2_000
TAG_MAX = 40
TAGS_MAX = 10  # per collected article
SAVED_MAX = 500
COLLECTIONS_MAX = 500
ITEMS_MAX = 5_000  # articles per collection
FEED_ENTRIES = 100
ID_PREFIX_MIN = 4
ARTICLE_ID = re.compile(r"[0-9a-f]{16}")
# The URL parameters a saved search keeps (``search.requests.request_from_params`` reads them).
SEARCH_PARAMS = ("q", "from", "to", "reporter", "category", "source", "sort", "collapse")


class NotFoundError(RequestError):
    """Something named in a request does not exist (a saved search, a collection, an article)."""


def now_utc() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def added_time(stamp: int | None) -> datetime | None:
    """An ``added`` stamp as a UTC time."""
    return datetime.fromtimestamp(stamp / 1_000_000, UTC) if stamp else None


def clean_text(value: str) -> str:
    """Printable characters only (line breaks kept), spaces at the ends trimmed."""
    return "".join(ch for ch in value if ch.isprintable() or ch in "\n\t").strip()


def checked_name(value: str, what: str, what_en: str) -> str:
    name = " ".join(clean_text(value).split())
    if not name:
        raise RequestError(Message.of("name_empty", what=what, what_en=what_en))
    if len(name) > NAME_MAX:
        raise RequestError(Message.of("name_too_long", what=what, what_en=what_en, limit=NAME_MAX))
    return name


def checked_note(value: str) -> str:
    note = clean_text(value.replace("\r\n", "\n"))
    if len(note) > NOTE_MAX:
        raise RequestError(Message.of("note_too_long", limit=NOTE_MAX))
    return note


def checked_tags(values: list[str] | str) -> list[str]:
    """Tags from a list or a comma-separated string: trimmed, lower case, each once, in order."""
    raw = values.split(",") if isinstance(values, str) else [t for v in values for t in v.split(",")]
    tags: list[str] = []
    for value in raw:
        tag = " ".join(clean_text(value).split()).lower()
        if not tag or tag in tags:
            continue
        if len(tag) > TAG_MAX:
            raise RequestError(Message.of("tag_too_long", tag=tag[:TAG_MAX] + "…", limit=TAG_MAX))
        tags.append(tag)
    if len(tags) > TAGS_MAX:
        raise RequestError(Message.of("too_many_tags", limit=TAGS_MAX))
    return tags


def search_params(params: Mapping[str, str]) -> dict[str, str]:
    """The parameters of a search worth keeping, checked as any search's are (``RequestError``)."""
    kept = {k: params[k] for k in SEARCH_PARAMS if params.get(k, "") not in ("", None)}
    request = request_from_params(kept)
    filters = (request.date_from, request.date_to, request.reporter, request.category, request.source)
    if not request.q.strip() and not any(filters):
        raise RequestError(Message.of("saved_needs_search"))
    return kept


# ---------------------------------------------------------------- records


@dataclass(frozen=True)
class SavedSearch:
    id: int
    name: str
    params: dict[str, str]
    created_at: str
    baseline_added: int
    seen_added: int
    seen_at: str | None

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> SavedSearch:
        return cls(
            id=row["id"],
            name=row["name"],
            params=json.loads(row["params"]),
            created_at=row["created_at"],
            baseline_added=row["baseline_added"],
            seen_added=row["seen_added"],
            seen_at=row["seen_at"],
        )

    def request(self, **changes: Any) -> SearchRequest:
        return replace(request_from_params(self.params), **changes)

    @property
    def query(self) -> str:
        return self.params.get("q", "")


@dataclass
class NewMatches:
    """What is new to a saved search at one look (see the module's docstring)."""

    saved: SavedSearch
    upto: int  # the newest stamp in the index when the look began
    result: SearchResult  # the new matches, newest first: counts and the first hits

    @property
    def count(self) -> int:
        return self.result.total


@dataclass(frozen=True)
class CollectionInfo:
    id: int
    name: str
    created_at: str
    items: int


@dataclass
class CollectedArticle:
    article_id: str
    note: str
    tags: list[str]
    added_at: str
    title: str
    url: str
    source: str
    published: str | None
    article: ArticleRecord | None = None  # as the index holds it now; None when it no longer does


@dataclass
class Collection:
    info: CollectionInfo
    items: list[CollectedArticle] = field(default_factory=list)


# ---------------------------------------------------------------- articles by reference


def find_article(engine: SearchEngine, ref: str) -> ArticleRecord:
    """An article by its id, a unique prefix of its id, or its URL (any form the indexer would
    give the same id: with or without www., tracking parameters, trailing slash)."""
    ref = ref.strip()
    if ARTICLE_ID.fullmatch(ref.lower()):
        article = engine.article(ref.lower())
        if article is None:
            raise NotFoundError(Message.of("article_unknown", ref=ref))
        return article
    if re.fullmatch(r"[0-9a-fA-F]+", ref) and len(ref) < 16:
        if len(ref) < ID_PREFIX_MIN:
            raise RequestError(Message.of("article_ref_short", ref=ref, least=ID_PREFIX_MIN))
        found = engine.backend.ids_with_prefix(ref.lower(), 2)
        if not found:
            raise NotFoundError(Message.of("article_unknown", ref=ref))
        if len(found) > 1:
            count = len(engine.backend.ids_with_prefix(ref.lower(), 1000))
            raise RequestError(
                Message.of("article_ref_ambiguous", ref=ref, count=f"{count}+" if count >= 1000 else count)
            )
        article = engine.article(found[0])
        if article is None:  # pragma: no cover - removed between the two reads
            raise NotFoundError(Message.of("article_unknown", ref=ref))
        return article
    if usable_url(ref):
        article = engine.article(article_id(ref, "", ""))
        if article is not None:
            return article
    raise NotFoundError(Message.of("article_unknown", ref=ref[:200]))


# ---------------------------------------------------------------- the workflow


class Workflow:
    """Saved searches and collections over one engine and one state file."""

    def __init__(self, engine: SearchEngine, store: StateStore) -> None:
        self.engine = engine
        self.store = store

    # ------------------------------------------------------------ saved searches

    def save_search(self, name: str, params: Mapping[str, str]) -> SavedSearch:
        """Save a search under a name; its new matches are counted from now."""
        name = checked_name(name, "pencarian", "saved search")
        kept = search_params(params)
        newest = self.engine.backend.last_added()
        with self.store.writing() as db:
            if db.execute("SELECT COUNT(*) FROM saved_search").fetchone()[0] >= SAVED_MAX:
                raise RequestError(Message.of("too_many_saved", limit=SAVED_MAX))
            if db.execute("SELECT 1 FROM saved_search WHERE name = ?", (name,)).fetchone():
                raise RequestError(Message.of("name_taken", name=name, what="pencarian", what_en="saved search"))
            cursor = db.execute(
                "INSERT INTO saved_search (name, params, created_at, baseline_added, seen_added, seen_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (name, json.dumps(kept, ensure_ascii=False, sort_keys=True), now_utc(), newest, newest, now_utc()),
            )
            row = db.execute("SELECT * FROM saved_search WHERE id = ?", (cursor.lastrowid,)).fetchone()
        return SavedSearch.from_row(row)

    def saved_searches(self) -> list[SavedSearch]:
        with self.store.reading() as db:
            if db is None:
                return []
            return [SavedSearch.from_row(r) for r in db.execute("SELECT * FROM saved_search ORDER BY name")]

    def saved_search(self, ref: str | int) -> SavedSearch:
        """A saved search by number or name (any case)."""
        text = str(ref).strip()
        with self.store.reading() as db:
            row = None
            if db is not None:
                if text.isdigit():
                    row = db.execute("SELECT * FROM saved_search WHERE id = ?", (int(text),)).fetchone()
                if row is None:
                    row = db.execute("SELECT * FROM saved_search WHERE name = ?", (text,)).fetchone()
        if row is None:
            raise NotFoundError(Message.of("saved_unknown", ref=text[:NAME_MAX]))
        return SavedSearch.from_row(row)

    def remove_search(self, ref: str | int) -> SavedSearch:
        saved = self.saved_search(ref)
        with self.store.writing() as db:
            db.execute("DELETE FROM saved_search WHERE id = ?", (saved.id,))
        return saved

    def whats_new(self, saved: SavedSearch, limit: int = 20, page: int = 1) -> NewMatches:
        """The matches added after the last look, newest first; does not mark them seen."""
        upto = self.engine.backend.last_added()
        request = saved.request(
            added_after=saved.seen_added, added_upto=upto, sort="newest", limit=limit, page=page, facets=False
        )
        return NewMatches(saved, upto, self.engine.search(request))

    def mark_seen(self, saved: SavedSearch, upto: int) -> SavedSearch:
        """Record a look that saw everything up to stamp ``upto`` (never moves back)."""
        with self.store.writing() as db:
            db.execute(
                "UPDATE saved_search SET seen_added = MAX(seen_added, ?), seen_at = ? WHERE id = ?",
                (upto, now_utc(), saved.id),
            )
            row = db.execute("SELECT * FROM saved_search WHERE id = ?", (saved.id,)).fetchone()
        if row is None:
            raise NotFoundError(Message.of("saved_unknown", ref=str(saved.id)))
        return SavedSearch.from_row(row)

    def feed_hits(self, saved: SavedSearch, limit: int = FEED_ENTRIES) -> list[Hit]:
        """The matches added after the search was saved, most recently added first."""
        request = saved.request(added_after=saved.baseline_added, facets=False)
        parsed, ranked = self.engine.iterate(request, sort="added")
        hits: list[Hit] = []
        try:
            for item in ranked:
                hits.append(self.engine.hit_of(item, parsed, request))
                if len(hits) >= limit:
                    break
        finally:
            close = getattr(ranked, "close", None)
            if close is not None:
                close()
        return hits

    # ------------------------------------------------------------ collections

    def collections(self) -> list[CollectionInfo]:
        with self.store.reading() as db:
            if db is None:
                return []
            rows = db.execute(
                "SELECT c.id, c.name, c.created_at, COUNT(i.article_id) AS items FROM collection c "
                "LEFT JOIN collection_item i ON i.collection_id = c.id GROUP BY c.id ORDER BY c.name"
            ).fetchall()
        return [CollectionInfo(r["id"], r["name"], r["created_at"], r["items"]) for r in rows]

    def _collection_row(self, db: sqlite3.Connection | None, ref: str | int) -> sqlite3.Row | None:
        if db is None:
            return None
        text = str(ref).strip()
        query = (
            "SELECT c.id, c.name, c.created_at, (SELECT COUNT(*) FROM collection_item i "
            "WHERE i.collection_id = c.id) AS items FROM collection c WHERE "
        )
        row = db.execute(query + "c.id = ?", (int(text),)).fetchone() if text.isdigit() else None
        return row or db.execute(query + "c.name = ?", (text,)).fetchone()

    def collection(self, ref: str | int, with_articles: bool = True) -> Collection:
        """A collection by number or name, its articles in the order they were added."""
        with self.store.reading() as db:
            row = self._collection_row(db, ref)
            if row is None or db is None:
                raise NotFoundError(Message.of("collection_unknown", ref=str(ref)[:NAME_MAX]))
            info = CollectionInfo(row["id"], row["name"], row["created_at"], row["items"])
            items = db.execute(
                "SELECT * FROM collection_item WHERE collection_id = ? ORDER BY added_at, rowid", (info.id,)
            ).fetchall()
            tags: dict[str, list[str]] = {}
            for tag in db.execute(
                "SELECT article_id, tag FROM item_tag WHERE collection_id = ? ORDER BY rowid", (info.id,)
            ):
                tags.setdefault(tag["article_id"], []).append(tag["tag"])
        collected = [
            CollectedArticle(
                article_id=r["article_id"],
                note=r["note"],
                tags=tags.get(r["article_id"], []),
                added_at=r["added_at"],
                title=r["title"],
                url=r["url"],
                source=r["source"],
                published=r["published"],
                article=self.engine.article(r["article_id"]) if with_articles else None,
            )
            for r in items
        ]
        return Collection(info, collected)

    def add_to_collection(
        self,
        collection: str,
        article_ref: str,
        note: str = "",
        tags: list[str] | tuple[str, ...] | str = (),
        create: bool = True,
    ) -> tuple[CollectionInfo, ArticleRecord, bool]:
        """Keep an article in a collection (made when ``create`` and missing) with a note and
        tags; an article already there gets the new note and tags. Returns the collection, the
        article and whether it was newly added."""
        article = find_article(self.engine, article_ref)
        note = checked_note(note)
        tag_list = checked_tags(list(tags) if not isinstance(tags, str) else tags)
        with self.store.writing() as db:
            row = self._collection_row(db, collection)
            if row is None:
                if not create:
                    raise NotFoundError(Message.of("collection_unknown", ref=collection[:NAME_MAX]))
                name = checked_name(collection, "koleksi", "collection")
                if db.execute("SELECT COUNT(*) FROM collection").fetchone()[0] >= COLLECTIONS_MAX:
                    raise RequestError(Message.of("too_many_collections", limit=COLLECTIONS_MAX))
                db.execute("INSERT INTO collection (name, created_at) VALUES (?, ?)", (name, now_utc()))
                row = self._collection_row(db, name)
                assert row is not None
            info = CollectionInfo(row["id"], row["name"], row["created_at"], row["items"])
            present = db.execute(
                "SELECT 1 FROM collection_item WHERE collection_id = ? AND article_id = ?", (info.id, article.id)
            ).fetchone()
            if present:
                db.execute(
                    "UPDATE collection_item SET note = ? WHERE collection_id = ? AND article_id = ?",
                    (note, info.id, article.id),
                )
                db.execute("DELETE FROM item_tag WHERE collection_id = ? AND article_id = ?", (info.id, article.id))
            else:
                if info.items >= ITEMS_MAX:
                    raise RequestError(Message.of("collection_full", name=info.name, limit=ITEMS_MAX))
                db.execute(
                    "INSERT INTO collection_item (collection_id, article_id, note, added_at, title, url, source, "
                    "published) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        info.id,
                        article.id,
                        note,
                        now_utc(),
                        article.title,
                        article.url,
                        article.source,
                        article.published,
                    ),
                )
                info = replace(info, items=info.items + 1)
            db.executemany(
                "INSERT INTO item_tag (collection_id, article_id, tag) VALUES (?, ?, ?)",
                [(info.id, article.id, tag) for tag in tag_list],
            )
        return info, article, not present

    def remove_from_collection(self, collection: str | int, article_ref: str) -> CollectionInfo:
        info = self.collection(collection, with_articles=False).info
        ref = article_ref.strip().lower()
        with self.store.writing() as db:
            removed = db.execute(
                "DELETE FROM collection_item WHERE collection_id = ? AND article_id = ?", (info.id, ref)
            ).rowcount
        if not removed:
            raise NotFoundError(Message.of("not_in_collection", ref=article_ref[:40], name=info.name))
        return replace(info, items=info.items - 1)

    def delete_collection(self, collection: str | int) -> CollectionInfo:
        info = self.collection(collection, with_articles=False).info
        with self.store.writing() as db:
            db.execute("DELETE FROM collection WHERE id = ?", (info.id,))
        return info

    def collections_holding(self, article_id: str) -> list[tuple[CollectionInfo, CollectedArticle]]:
        """The collections an article is kept in, with its note and tags there."""
        with self.store.reading() as db:
            if db is None:
                return []
            rows = db.execute(
                "SELECT c.id, c.name, c.created_at, i.* FROM collection_item i JOIN collection c "
                "ON c.id = i.collection_id WHERE i.article_id = ? ORDER BY c.name",
                (article_id,),
            ).fetchall()
            found = []
            for r in rows:
                tags = [
                    t["tag"]
                    for t in db.execute(
                        "SELECT tag FROM item_tag WHERE collection_id = ? AND article_id = ? ORDER BY rowid",
                        (r["id"], article_id),
                    )
                ]
                item = CollectedArticle(
                    r["article_id"], r["note"], tags, r["added_at"], r["title"], r["url"], r["source"], r["published"]
                )
                found.append((CollectionInfo(r["id"], r["name"], r["created_at"], 0), item))
        return found


# ---------------------------------------------------------------- exports of a collection

COLLECTION_KEYS = (
    "id",
    "title",
    "url",
    "source",
    "category",
    "reporter",
    "published",
    "note",
    "tags",
    "collected_at",
    "in_index",
    "body",
)


def collection_rows(collection: Collection) -> Iterator[dict[str, Any]]:
    """One row per kept article: what the index holds now (or what was kept, when it no longer
    does), the note and the tags."""
    for item in collection.items:
        article = item.article
        yield {
            "id": item.article_id,
            "title": article.title if article else item.title,
            "url": article.url if article else item.url,
            "source": article.source if article else item.source,
            "category": article.category if article else "",
            "reporter": article.reporter if article else "",
            "published": article.published if article else item.published,
            "note": item.note,
            "tags": ", ".join(item.tags),
            "collected_at": item.added_at,
            "in_index": article is not None,
            "body": article.body if article else "",
        }
