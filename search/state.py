"""The research workflow's own records: saved searches and collections, in one SQLite file.

The file sits beside the index folder (``berita-index`` -> ``berita-index.workflow.sqlite3``),
or wherever ``--state`` / ``$BERITA_SEARCH_STATE`` says (the only way for a remote backend).
It is never inside the index, and nothing here opens the index: a damaged state file costs
the saved searches and collections, never an article.

Writes are short transactions in write-ahead-log mode with a busy timeout, so a server keeps
reading while the command line (or another server process) writes. The schema grows by
ordered migration steps recorded in ``schema_migrations``; a file from a newer version is
refused rather than guessed at.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

STATE_ENV = "BERITA_SEARCH_STATE"
STATE_SUFFIX = ".workflow.sqlite3"
BUSY_TIMEOUT_SECONDS = 5.0

# (version, what it adds, SQL): the missing steps are applied in order, each recorded.
MIGRATIONS: tuple[tuple[int, str, str], ...] = (
    (
        1,
        "saved searches",
        """
        CREATE TABLE saved_search (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE COLLATE NOCASE,
            params TEXT NOT NULL,            -- the search's URL parameters, as a JSON object
            created_at TEXT NOT NULL,        -- ISO 8601, UTC
            baseline_added INTEGER NOT NULL, -- the index's newest 'added' stamp when saved
            seen_added INTEGER NOT NULL,     -- the index's newest 'added' stamp at the last look
            seen_at TEXT                     -- when that look was (ISO 8601, UTC)
        );
        """,
    ),
    (
        2,
        "collections",
        """
        CREATE TABLE collection (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE COLLATE NOCASE,
            created_at TEXT NOT NULL
        );
        CREATE TABLE collection_item (
            collection_id INTEGER NOT NULL REFERENCES collection(id) ON DELETE CASCADE,
            article_id TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT '',
            added_at TEXT NOT NULL,
            -- what the article was when kept, shown if the index no longer holds it
            title TEXT NOT NULL DEFAULT '',
            url TEXT NOT NULL DEFAULT '',
            source TEXT NOT NULL DEFAULT '',
            published TEXT,
            PRIMARY KEY (collection_id, article_id)
        );
        CREATE INDEX collection_item_by_article ON collection_item(article_id);
        """,
    ),
    (
        3,
        "tags on collected articles",
        """
        CREATE TABLE item_tag (
            collection_id INTEGER NOT NULL,
            article_id TEXT NOT NULL,
            tag TEXT NOT NULL,
            PRIMARY KEY (collection_id, article_id, tag),
            FOREIGN KEY (collection_id, article_id)
                REFERENCES collection_item(collection_id, article_id) ON DELETE CASCADE
        );
        CREATE INDEX item_tag_by_tag ON item_tag(tag);
        """,
    ),
)
LATEST_VERSION = MIGRATIONS[-1][0]


class StateError(RuntimeError):
    """The state file cannot be used: one line that says which file and why."""


def state_path_for(index_dir: Path) -> Path:
    """The state file beside an index folder."""
    folder = index_dir.resolve()
    return folder.parent / f"{folder.name}{STATE_SUFFIX}"


def state_path(option: str | None, index_dir: Path | None) -> Path:
    """``--state`` first, then ``$BERITA_SEARCH_STATE``, then the file beside the index folder."""
    chosen = option or os.environ.get(STATE_ENV)
    if chosen:
        return Path(chosen)
    if index_dir is None:
        raise StateError(f"no state file: give --state FILE or set ${STATE_ENV}")
    return state_path_for(index_dir)


class StateStore:
    """One state file. Every operation opens its own short-lived connection, so the store may be
    shared by the threads of a server."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._ready = False

    @property
    def exists(self) -> bool:
        return self.path.exists()

    def _problem(self, error: BaseException) -> StateError:
        reason = str(error) or type(error).__name__
        if isinstance(error, sqlite3.DatabaseError) and not isinstance(error, sqlite3.OperationalError):
            return StateError(
                f"the state file {self.path} is damaged or not a SQLite database ({reason}); "
                "move it aside to start afresh (the index is not affected)"
            )
        return StateError(f"cannot use the state file {self.path}: {reason}")

    def _open(self) -> sqlite3.Connection:
        try:
            connection = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
        except sqlite3.Error as error:
            raise self._problem(error) from None
        connection.row_factory = sqlite3.Row
        try:
            connection.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
            connection.execute("PRAGMA foreign_keys = ON")
        except sqlite3.Error as error:
            connection.close()
            raise self._problem(error) from None
        return connection

    def _prepare(self, connection: sqlite3.Connection) -> None:
        """Write-ahead logging and the schema's missing steps, once per store."""
        if self._ready:
            return
        mode = connection.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise StateError(f"the state file {self.path} cannot use write-ahead logging (journal mode {mode})")
        migrate(connection, self.path)
        self._ready = True

    @contextlib.contextmanager
    def reading(self) -> Iterator[sqlite3.Connection | None]:
        """A connection for reading, or None when there is no state file yet (nothing saved)."""
        if not self.path.exists():
            yield None
            return
        connection = self._open()
        try:
            try:
                version = current_version(connection)
            except sqlite3.Error as error:
                raise self._problem(error) from None
            if version > LATEST_VERSION:
                raise newer_version(self.path, version)
            if version < LATEST_VERSION:
                # An older file: brought up to date first (a write, short, like any other).
                self._prepare_locked(connection)
            try:
                yield connection
            except sqlite3.Error as error:
                raise self._problem(error) from None
        finally:
            connection.close()

    @contextlib.contextmanager
    def writing(self) -> Iterator[sqlite3.Connection]:
        """A connection inside one immediate transaction: committed when the block ends, rolled
        back when it fails. Creates the file (and its folder's file only) when missing."""
        if not self.path.parent.is_dir():
            raise StateError(f"cannot create the state file {self.path}: its folder does not exist")
        connection = self._open()
        try:
            try:
                self._prepare(connection)
                connection.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as error:
                raise self._problem(error) from None
            try:
                yield connection
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    connection.execute("ROLLBACK")
                raise
            try:
                connection.execute("COMMIT")
            except sqlite3.Error as error:
                raise self._problem(error) from None
        except sqlite3.Error as error:
            raise self._problem(error) from None
        finally:
            connection.close()

    def _prepare_locked(self, connection: sqlite3.Connection) -> None:
        try:
            self._prepare(connection)
        except sqlite3.Error as error:
            raise self._problem(error) from None


def current_version(connection: sqlite3.Connection) -> int:
    """The schema version of an open state file (0 for an empty file)."""
    has_table = connection.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
    ).fetchone()
    if not has_table:
        return 0
    row = connection.execute("SELECT MAX(version) FROM schema_migrations").fetchone()
    return int(row[0] or 0)


def newer_version(path: Path, version: int) -> StateError:
    return StateError(
        f"the state file {path} was written by a newer berita-search (schema {version}; this one knows "
        f"{LATEST_VERSION}); upgrade berita-search or use another --state file"
    )


def migrate(connection: sqlite3.Connection, path: Path, upto: int = LATEST_VERSION) -> int:
    """Apply the missing steps up to ``upto`` in one transaction (all or none); returns the version.
    Two processes migrating at once: the second waits for the first and finds nothing to do."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        connection.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT "
            "(strftime('%Y-%m-%dT%H:%M:%SZ', 'now')))"
        )
        version = current_version(connection)
        if version > LATEST_VERSION:
            raise newer_version(path, version)
        for step, name, sql in MIGRATIONS:
            if version < step <= upto:
                for statement in _statements(sql):
                    connection.execute(statement)
                connection.execute("INSERT INTO schema_migrations (version, name) VALUES (?, ?)", (step, name))
                version = step
        connection.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(sqlite3.Error):
            connection.execute("ROLLBACK")
        raise
    return version


def _statements(sql: str) -> list[str]:
    """The statements of a migration step (``executescript`` would commit the transaction)."""
    statements: list[str] = []
    pending = ""
    for line in sql.splitlines(keepends=True):
        pending += line.split("--", 1)[0] + ("\n" if "--" in line else "")
        if sqlite3.complete_statement(pending):
            if pending.strip():
                statements.append(pending.strip())
            pending = ""
    if pending.strip():
        statements.append(pending.strip())
    return statements
