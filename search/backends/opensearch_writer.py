"""Writing articles into OpenSearch: the same ids, change detection and summary as the Whoosh
writer (``index.writer``), through bulk requests.

* Each article is analysed here and sent as tokens (``search.backends.opensearch_mapping``),
  routed by its story key so that a story's copies share a shard (exact story counts).
* Bulk requests carry up to ``BULK_ARTICLES`` articles; an article the cluster refuses is
  reported in the summary's failures with the cluster's reason, as a bad row of a file is, and
  the others are kept. Whole requests or single articles answered 429 (too busy) or 503 (a
  shard unavailable) are sent again with exponential backoff.
* Every ``batch_size`` articles the index is refreshed: from then on searches see the batch,
  as after a Whoosh commit. A run that is killed keeps everything the cluster acknowledged; the
  next run reads every indexed id, content hash and raw-row digest back and skips them.
* One run at a time per index: a lease document in ``<alias>-lock`` (renewed while the run
  lives; a killed run's lease is taken over once it expires, or at once when its process is
  known to be gone).
* Rebuilds (``reindex``) write a new versioned index (``<alias>-v<N>``) from the current one's
  ``_source`` (analysed again, so a changed analysis takes effect) or from files, then move the
  alias in one atomic request: searches never see a missing or half-built index.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from berita_search.index.check import CheckReport
from berita_search.index.copies import (
    CANDIDATE_LIMIT,
    COPY_BANDS_FIELD,
    Candidate,
    CopyFinder,
    CopyText,
    copy_text,
)
from berita_search.index.records import Failure, Record
from berita_search.index.schema import ADDED_FIELD, DEFAULT_STEMMER
from berita_search.index.writer import (
    BUSY_MESSAGE,
    AddedStamps,
    IndexBusyError,
    IndexSummary,
    article_fields,
    articles_to_write,
)
from berita_search.search.backends.opensearch_client import (
    OpenSearchSettings,
    OpenSearchUnavailable,
    explain_failure,
    make_client,
)
from berita_search.search.backends.opensearch_mapping import (
    COPY_FIELD,
    META_KEY,
    ORDER_FIELD,
    SCHEMA_VERSION,
    STORED_FIELD,
    document,
    fields_of,
    index_body,
    stored_of,
)

BATCH_SIZE = 1000  # articles between refreshes (a Whoosh commit's worth)
BULK_ARTICLES = 250  # articles per bulk request
BULK_BYTES = 8_000_000  # and at most this much JSON per request
RETRY_STATUSES = frozenset({429, 503})
MAX_ATTEMPTS = 8
FIRST_BACKOFF = 0.5  # seconds; doubled at each attempt, at most MAX_BACKOFF
MAX_BACKOFF = 30.0
BULK_TIMEOUT = "2m"  # how long the cluster waits for an unavailable shard before answering 503
BULK_REQUEST_SECONDS = 180  # how long this side waits for the answer
LOCK_LEASE = 30.0  # seconds a writer's lease lasts without renewal
SCAN_PAGE = 2_000
DEFAULT_SHARDS = 1

ProgressCallback = Callable[[IndexSummary, str], None]


# ---------------------------------------------------------------------------------------------
# The index and its alias


def versioned_indices(client: Any, alias: str) -> list[str]:
    """The versioned indices of ``alias`` (``<alias>-v<N>``), oldest first."""
    pattern = re.compile(rf"^{re.escape(alias)}-v(\d+)$")
    names = client.indices.get(index=f"{alias}-v*", params={"expand_wildcards": "open,closed"}) if alias else {}
    return sorted((n for n in names if pattern.match(n)), key=lambda n: int(pattern.match(n).group(1)))  # type: ignore[union-attr]


def current_index(client: Any, alias: str) -> str | None:
    """The index ``alias`` points at, or None when there is no alias yet."""
    if not client.indices.exists_alias(name=alias):
        if client.indices.exists(index=alias):
            raise OpenSearchUnavailable(
                f"{alias!r} is an index, not an alias: berita-search keeps its articles in versioned indices "
                f"behind an alias (set {alias!r} aside or choose another name in $BERITA_SEARCH_OPENSEARCH_INDEX)"
            )
        return None
    names = list(client.indices.get_alias(name=alias))
    if len(names) != 1:
        raise OpenSearchUnavailable(
            f"alias {alias!r} names {len(names)} indices ({', '.join(sorted(names))}); it must name one"
        )
    return names[0]


def create_versioned_index(client: Any, alias: str, stemmer: str, shards: int, replicas: int | None) -> str:
    existing = versioned_indices(client, alias)
    number = int(existing[-1].rsplit("-v", 1)[1]) + 1 if existing else 1
    name = f"{alias}-v{number}"
    client.indices.create(index=name, body=index_body(stemmer, shards, replicas))
    client.cluster.health(index=name, wait_for_status="yellow", params={"timeout": "60s", "request_timeout": 90})
    return name


def index_meta(client: Any, index: str) -> dict[str, Any]:
    mapping = client.indices.get_mapping(index=index)[index]["mappings"]
    meta = (mapping.get("_meta") or {}).get(META_KEY)
    if meta is None:
        raise OpenSearchUnavailable(f"index {index!r} was not written by berita-search (no _meta.{META_KEY})")
    if int(meta.get("schema", 0)) != SCHEMA_VERSION:
        raise OpenSearchUnavailable(
            f"index {index!r} has mapping version {meta.get('schema')}, this berita-search writes {SCHEMA_VERSION}: "
            "run 'berita-search reindex --backend opensearch'"
        )
    return dict(meta)


# ---------------------------------------------------------------------------------------------
# One writer at a time


class WriterLease:
    """A lease on an index for one writing run, held as a document in ``<alias>-lock``.

    Created with ``op_type=create``, so two runs cannot both hold it; renewed by a thread while
    the run lives; deleted when the run ends. A lease whose holder stopped renewing (a killed
    run) expires after ``LOCK_LEASE`` seconds, and at once when its holder ran on this machine
    and its process is gone.
    """

    DOC_ID = "writer"

    def __init__(self, client: Any, alias: str, wait_seconds: float, on_wait: Callable[[str], None] | None) -> None:
        self.client = client
        self.index = f"{alias}-lock"
        self.wait_seconds = wait_seconds
        self.on_wait = on_wait
        self.token = uuid.uuid4().hex
        self._stop = threading.Event()
        self._renewer: threading.Thread | None = None

    def _holder(self) -> dict[str, Any]:
        return {
            "token": self.token,
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "expires": time.time() + LOCK_LEASE,
        }

    def acquire(self) -> None:
        from opensearchpy import ConflictError, NotFoundError

        if not self.client.indices.exists(index=self.index):
            with contextlib.suppress(Exception):  # another run may create it at the same moment
                self.client.indices.create(
                    index=self.index,
                    body={"settings": {"number_of_shards": 1, "auto_expand_replicas": "0-1"}},
                )
        deadline = time.monotonic() + self.wait_seconds
        told = False
        while True:
            try:
                self.client.create(index=self.index, id=self.DOC_ID, body=self._holder(), params={"refresh": "true"})
                break
            except ConflictError:
                pass
            with contextlib.suppress(NotFoundError):
                held = self.client.get(index=self.index, id=self.DOC_ID)
                if self._stale(held["_source"]):
                    with contextlib.suppress(ConflictError, NotFoundError):
                        self.client.delete(
                            index=self.index,
                            id=self.DOC_ID,
                            params={"if_seq_no": held["_seq_no"], "if_primary_term": held["_primary_term"]},
                        )
                    continue
            if time.monotonic() >= deadline:
                raise IndexBusyError(BUSY_MESSAGE)
            if self.on_wait and not told:
                self.on_wait(f"{BUSY_MESSAGE}; waiting up to {self.wait_seconds:g} s")
                told = True
            time.sleep(0.5)
        self._renewer = threading.Thread(target=self._renew, name="berita-search lease", daemon=True)
        self._renewer.start()

    @staticmethod
    def _stale(holder: dict[str, Any]) -> bool:
        if float(holder.get("expires", 0)) < time.time():
            return True
        if holder.get("host") == socket.gethostname():
            pid = int(holder.get("pid", 0))
            if pid == os.getpid():
                return False
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return True
            except PermissionError:
                return False
        return False

    def _renew(self) -> None:
        while not self._stop.wait(LOCK_LEASE / 3):
            with contextlib.suppress(Exception):  # a missed renewal is retried; the lease lasts three periods
                self.client.index(index=self.index, id=self.DOC_ID, body=self._holder())

    def release(self) -> None:
        self._stop.set()
        if self._renewer is not None:
            self._renewer.join(timeout=5)
        with contextlib.suppress(Exception):
            held = self.client.get(index=self.index, id=self.DOC_ID)
            if held["_source"].get("token") == self.token:
                self.client.delete(
                    index=self.index,
                    id=self.DOC_ID,
                    params={"if_seq_no": held["_seq_no"], "if_primary_term": held["_primary_term"], "refresh": "true"},
                )

    def __enter__(self) -> WriterLease:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


# ---------------------------------------------------------------------------------------------
# What the index holds


@dataclass
class IndexState:
    """What is indexed, read once per run: per id its content hash, routing and order."""

    hashes: dict[str, str] = field(default_factory=dict)  # id -> content hash
    routings: dict[str, str] = field(default_factory=dict)  # id -> story key it is routed by
    rows: dict[str, str] = field(default_factory=dict)  # raw-row digest -> id
    next_seq: int = 0
    newest_added: int = 0  # the largest ``ADDED_FIELD`` stamp: this run's articles get larger ones
    stale: list[tuple[str, str]] = field(default_factory=list)  # (id, routing) of superseded copies


def scan(client: Any, index: str, source: list[str] | bool) -> Iterator[dict[str, Any]]:
    """Every document of ``index`` (its hits, with ``_routing``), through a point in time."""
    pit = client.create_pit(index=index, params={"keep_alive": "5m"})["pit_id"]
    try:
        after: list[Any] | None = None
        while True:
            body: dict[str, Any] = {
                "size": SCAN_PAGE,
                "query": {"match_all": {}},
                "sort": [{ORDER_FIELD: "asc"}, {"id": "asc"}],
                "_source": source,
                "track_total_hits": False,
                "pit": {"id": pit, "keep_alive": "5m"},
            }
            if after is not None:
                body["search_after"] = after
            hits = client.search(body=body)["hits"]["hits"]
            yield from hits
            if len(hits) < SCAN_PAGE:
                return
            after = hits[-1]["sort"]
    finally:
        with contextlib.suppress(Exception):
            client.delete_pit(body={"pit_id": [pit]})


def read_state(client: Any, index: str) -> IndexState:
    """Every indexed article's id, content hash, row digest, routing and order. An article that
    appears twice (a run killed between writing an article under its new story key and
    deleting it under its old one) keeps its newest copy; the others are listed as stale."""
    client.indices.refresh(index=index)  # acknowledged writes of a killed run count as indexed
    state = IndexState()
    seqs: dict[str, int] = {}
    for hit in scan(client, index, ["id", "id_hash", ORDER_FIELD, ADDED_FIELD]):
        source = hit["_source"]
        state.newest_added = max(state.newest_added, int(source.get(ADDED_FIELD) or 0))
        article_id, content_hash, *digest = str(source["id_hash"]).split(":")
        seq = int(source.get(ORDER_FIELD, 0))
        routing = hit.get("_routing", "")
        state.next_seq = max(state.next_seq, seq + 1)
        if article_id in seqs:
            if seq < seqs[article_id]:
                state.stale.append((article_id, routing))
                continue
            state.stale.append((article_id, state.routings[article_id]))
        seqs[article_id] = seq
        state.hashes[article_id] = content_hash
        state.routings[article_id] = routing
        if digest and digest[0]:
            state.rows[digest[0]] = article_id
    return state


# ---------------------------------------------------------------------------------------------
# Bulk requests


@dataclass
class _Item:
    action: dict[str, Any]
    source: dict[str, Any] | None
    origin: str
    kind: str  # added, updated, copied, or removed (an older copy under another story key)


@dataclass
class _Outcome:
    failed: list[tuple[_Item, str]] = field(default_factory=list)


class BulkSender:
    """Sends articles in bulk requests from a thread while the caller analyses the next ones.

    An item answered 429 or 503, or a whole request that fails that way or cannot reach any
    node, is sent again after a pause that doubles each time (at most ``MAX_ATTEMPTS`` sends).
    Any other refusal is a failure of that article, with the cluster's reason.
    """

    def __init__(
        self, client: Any, index: str, sleep: Callable[[float], None] = time.sleep, bulk_timeout: str = BULK_TIMEOUT
    ) -> None:
        self.client = client
        self.index = index
        self.sleep = sleep
        self.bulk_timeout = bulk_timeout
        self.items: list[_Item] = []
        self.bytes = 0
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="berita-search bulk")
        self._running: Future[_Outcome] | None = None
        self.retried = 0  # items or requests sent again, for tests and reports

    def add(self, item: _Item) -> _Outcome | None:
        """Queue an item; returns the outcome of the request before, when one had to finish first."""
        self.items.append(item)
        self.bytes += len(json.dumps(item.source, ensure_ascii=False)) if item.source is not None else 100
        if len(self.items) >= BULK_ARTICLES or self.bytes >= BULK_BYTES:
            return self.send()
        return None

    def send(self) -> _Outcome | None:
        """Start sending the queued items; returns the outcome of the request that was running."""
        outcome = self.wait()
        if self.items:
            items, self.items, self.bytes = self.items, [], 0
            self._running = self._pool.submit(self._send, items)
        return outcome

    def wait(self) -> _Outcome | None:
        if self._running is None:
            return None
        running, self._running = self._running, None
        return running.result()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _lines(self, items: list[_Item]) -> str:
        lines = []
        for item in items:
            lines.append(json.dumps(item.action))
            if item.source is not None:
                lines.append(json.dumps(item.source, ensure_ascii=False))
        return "\n".join(lines) + "\n"

    def _send(self, items: list[_Item]) -> _Outcome:
        from opensearchpy import ConnectionError as TransportConnectionError
        from opensearchpy import TransportError

        outcome = _Outcome()
        pending = items
        reason = ""
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                response = self.client.bulk(
                    body=self._lines(pending),
                    params={"timeout": self.bulk_timeout, "request_timeout": BULK_REQUEST_SECONDS},
                )
            except TransportConnectionError as error:
                reason = f"no node answered: {error.info or error}"
                retry = pending
            except TransportError as error:
                if error.status_code not in RETRY_STATUSES:
                    outcome.failed.extend((item, f"OpenSearch refused the request: {error.error}") for item in pending)
                    return outcome
                reason, retry = f"OpenSearch answered {error.status_code}: {error.error}", pending
            else:
                retry = []
                for item, answer in zip(pending, response["items"], strict=True):
                    (result,) = answer.values()
                    status = int(result.get("status", 500))
                    if status in RETRY_STATUSES:
                        retry.append(item)
                        reason = _reason(result)
                    elif "error" in result and not (item.kind == "removed" and status == 404):
                        outcome.failed.append((item, _reason(result)))
            if not retry:
                return outcome
            if attempt == MAX_ATTEMPTS:
                outcome.failed.extend((item, f"{reason} (gave up after {MAX_ATTEMPTS} attempts)") for item in retry)
                return outcome
            self.retried += len(retry)
            pending = retry
            self.sleep(min(MAX_BACKOFF, FIRST_BACKOFF * 2 ** (attempt - 1)))
        return outcome


def _reason(result: dict[str, Any]) -> str:
    error = result.get("error")
    if isinstance(error, dict):
        text = f"{error.get('type', 'error')}: {error.get('reason', '')}"
        cause = error.get("caused_by")
        if isinstance(cause, dict) and cause.get("reason"):
            text += f" ({cause.get('reason')})"
        return f"OpenSearch refused the article: {text}"
    return f"OpenSearch answered {result.get('status')}: {error}"


class ClusterCopyFinder(CopyFinder):
    """A ``CopyFinder`` over an articles index on the cluster: committed articles are found by
    their band terms in the ``copy_bands`` keyword field, most shared bands first (one request
    an article), so the cluster and a Whoosh index decide the same copies."""

    def __init__(self, client: Any, index: str) -> None:
        super().__init__()
        self.client = client
        self.index = index

    def _stored_candidates(self, bands: list[str]) -> list[Candidate]:
        if not bands:
            return []
        body = {
            # Each shared band scores one: the score is the number shared, as in the Whoosh index.
            "query": {
                "bool": {"should": [{"constant_score": {"filter": {"term": {COPY_BANDS_FIELD: b}}}} for b in bands]}
            },
            "sort": [{"_score": "desc"}, {"id": "asc"}],
            # Room for this article's own older version and the ones this run replaces.
            "size": 2 * CANDIDATE_LIMIT,
            "track_total_hits": False,
            "_source": ["id", COPY_FIELD, f"{STORED_FIELD}.title", f"{STORED_FIELD}.body"],
        }
        answer = self.client.search(index=self.index, body=body)
        return [
            Candidate(hit["_source"]["id"], round(hit["_score"]), stored=hit["_source"])
            for hit in answer["hits"]["hits"]
        ]

    def _stored_text(self, candidate: Candidate) -> CopyText:
        if candidate.text is None:
            stored = stored_of(candidate.stored or {})
            candidate.text = copy_text(stored.get("title", ""), stored.get("body", ""))
        return candidate.text

    def _stored_dup_key(self, candidate: Candidate) -> str:
        return str((candidate.stored or {})[COPY_FIELD])


class _Sink:
    """Articles to one index: bulk requests, refreshed every ``batch_size`` articles, failures
    moved from the counts into the summary's failures. ``copies`` hears when a batch is
    searchable, so that it reads those articles from the cluster from then on."""

    def __init__(
        self, client: Any, index: str, summary: IndexSummary, batch_size: int, copies: CopyFinder | None = None
    ) -> None:
        self.copies = copies
        self.client = client
        self.index = index
        self.summary = summary
        self.batch_size = batch_size
        self.sender = BulkSender(client, index)
        self.in_batch = 0

    def remove(self, article_id: str, routing: str, origin: str) -> None:
        action = {"delete": {"_index": self.index, "_id": article_id, "routing": routing}}
        self._take(self.sender.add(_Item(action, None, origin, "removed")))

    def add(self, doc: dict[str, Any], origin: str, kind: str) -> None:
        action = {"index": {"_index": self.index, "_id": doc["id"], "routing": doc[COPY_FIELD]}}
        self._take(self.sender.add(_Item(action, doc, origin, kind)))
        self.in_batch += 1
        if self.in_batch >= self.batch_size:
            self.commit()

    def commit(self) -> None:
        if self.copies is not None:
            self.copies.batch_ended()
        self._take(self.sender.send())
        self._take(self.sender.wait())
        self.client.indices.refresh(index=self.index)
        if self.copies is not None:
            self.copies.batch_committed()
        self.in_batch = 0

    def close(self) -> None:
        self.sender.close()

    def _take(self, outcome: _Outcome | None) -> None:
        if outcome is None:
            return
        for item, reason in outcome.failed:
            if item.kind == "added":
                self.summary.added -= 1
            elif item.kind == "updated":
                self.summary.updated -= 1
            elif item.kind == "removed":
                reason = f"its older version could not be removed: {reason}"
            self.summary.failed.append(Failure(item.origin, reason))


# ---------------------------------------------------------------------------------------------
# Indexing runs


def _open(settings: OpenSearchSettings, client: Any | None) -> Any:
    client = client if client is not None else make_client(settings)
    try:
        client.cluster.health(params={"timeout": "10s", "request_timeout": 20})
    except Exception as error:
        raise OpenSearchUnavailable(explain_failure(settings, error)) from None
    return client


def index_records_opensearch(
    settings: OpenSearchSettings,
    records: Iterable[Record],
    batch_size: int | None = None,
    progress: ProgressCallback | None = None,
    wait_seconds: float = 0.0,
    on_wait: Callable[[str], None] | None = None,
    known_rows: dict[str, str] | None = None,
    shards: int = DEFAULT_SHARDS,
    replicas: int | None = None,
    client: Any | None = None,
) -> IndexSummary:
    """Add, update or skip each record, as ``index.writer.index_records`` does for a Whoosh
    folder; creates the versioned index and its alias (``shards`` primaries with ``replicas``
    copies each) when there is none. ``known_rows`` is filled with the indexed raw-row digests
    before the first record is read."""
    started = time.perf_counter()
    client = _open(settings, client)
    with WriterLease(client, settings.index, wait_seconds, on_wait):
        index = current_index(client, settings.index)
        if index is None:
            index = create_versioned_index(client, settings.index, DEFAULT_STEMMER, shards, replicas)
            client.indices.update_aliases(body={"actions": [{"add": {"index": index, "alias": settings.index}}]})
        stemmer = str(index_meta(client, index).get("stemmer") or DEFAULT_STEMMER)
        state = read_state(client, index)
        if known_rows is not None:
            known_rows.update(state.rows)
        summary = _write(client, index, records, state, stemmer, batch_size or BATCH_SIZE, progress)
    summary.seconds = time.perf_counter() - started
    return summary


def _write(
    client: Any,
    index: str,
    records: Iterable[Record],
    state: IndexState,
    stemmer: str,
    batch_size: int,
    progress: ProgressCallback | None,
) -> IndexSummary:
    summary = IndexSummary()
    copies = ClusterCopyFinder(client, index)
    sink = _Sink(client, index, summary, batch_size, copies)
    seq = state.next_seq
    stamps = AddedStamps(state.newest_added)
    try:
        for article_id, routing in state.stale:
            sink.remove(article_id, routing, f"{index}: {article_id}")
        for record, article_id, content_hash in articles_to_write(records, summary, state.hashes, progress):
            try:
                copy = copies.decide(record, article_id, content_hash)
                fields = article_fields(record, article_id, content_hash, copy, added=stamps.next())
                doc = document(fields, seq, stemmer)
            except Exception as error:  # one article the analysis cannot take never stops the run
                summary.failed.append(Failure(record.origin, f"cannot analyse: {type(error).__name__}: {error}"))
                continue
            seq += 1
            replaces = article_id in state.hashes
            old_routing = state.routings.get(article_id)
            if replaces and old_routing is not None and old_routing != doc[COPY_FIELD]:
                # Under its new story key it lives on another shard: the old copy goes.
                sink.remove(article_id, old_routing, record.origin)
            if replaces:
                summary.updated += 1
            else:
                summary.added += 1
            sink.add(doc, record.origin, "updated" if replaces else "added")
        sink.commit()
    finally:
        sink.close()
    return summary


# ---------------------------------------------------------------------------------------------
# Rebuilds


@dataclass
class RebuildSummary:
    summary: IndexSummary
    old_index: str | None
    new_index: str
    removed_old: bool


def reindex_opensearch(
    settings: OpenSearchSettings,
    records: Iterable[Record] | None = None,
    shards: int | None = None,
    replicas: int | None = None,
    stemmer: str | None = None,
    keep_old: bool = False,
    wait_seconds: float = 0.0,
    on_wait: Callable[[str], None] | None = None,
    progress: ProgressCallback | None = None,
    client: Any | None = None,
) -> RebuildSummary:
    """Build a new versioned index and point the alias at it in one atomic step.

    Without ``records`` the articles come from the current index's ``_source`` and are analysed
    again (ids, content hashes, story keys and order kept); with ``records`` (files read by
    ``index.readers``) the new index holds exactly those. Shards, replicas and stemmer default to
    the current index's. The old index is deleted once the alias has moved, unless ``keep_old``.
    """
    started = time.perf_counter()
    client = _open(settings, client)
    with WriterLease(client, settings.index, wait_seconds, on_wait):
        old = current_index(client, settings.index)
        if old is None and records is None:
            raise OpenSearchUnavailable(f"no index {settings.index!r} to rebuild from; give files to index")
        if old is not None:
            meta = index_meta(client, old)
            current = client.indices.get_settings(index=old)[old]["settings"]["index"]
            shards = shards or int(current["number_of_shards"])
            if replicas is None and "auto_expand_replicas" not in current:
                replicas = int(current["number_of_replicas"])
            stemmer = stemmer or str(meta.get("stemmer") or DEFAULT_STEMMER)
        stemmer = stemmer or DEFAULT_STEMMER
        new = create_versioned_index(client, settings.index, stemmer, shards or DEFAULT_SHARDS, replicas)
        try:
            if records is None:
                assert old is not None
                summary = _copy(client, old, new, stemmer, progress)
                client.indices.refresh(index=new)
                expected = int(client.count(index=old)["count"])
                copied = int(client.count(index=new)["count"])
                if copied != expected and not summary.failed:
                    raise OpenSearchUnavailable(f"{new} holds {copied} articles, {old} {expected}: alias not moved")
            else:
                summary = _write(client, new, records, IndexState(), stemmer, BATCH_SIZE, progress)
            if summary.failed and records is None:
                raise OpenSearchUnavailable(
                    f"{len(summary.failed)} articles could not be copied (first: {summary.failed[0].reason}); "
                    f"the alias still points at {old}"
                )
            actions: list[dict[str, Any]] = [{"add": {"index": new, "alias": settings.index}}]
            if old is not None:
                actions.insert(0, {"remove": {"index": old, "alias": settings.index}})
            client.cluster.health(index=new, wait_for_status="yellow", params={"timeout": "60s", "request_timeout": 90})
            client.indices.update_aliases(body={"actions": actions})
        except BaseException:
            with contextlib.suppress(Exception):
                client.indices.delete(index=new)
            raise
        removed = False
        if old is not None and not keep_old:
            client.indices.delete(index=old)
            removed = True
    summary.seconds = time.perf_counter() - started
    return RebuildSummary(summary, old, new, removed)


def _copy(client: Any, old: str, new: str, stemmer: str, progress: ProgressCallback | None) -> IndexSummary:
    summary = IndexSummary()
    sink = _Sink(client, new, summary, BATCH_SIZE)
    try:
        for hit in scan(client, old, True):
            source = hit["_source"]
            origin = f"{old}: {source.get('id', hit['_id'])}"
            try:
                doc = document(fields_of(source), int(source.get(ORDER_FIELD, 0)), stemmer)
            except Exception as error:
                summary.failed.append(Failure(origin, f"cannot analyse: {type(error).__name__}: {error}"))
                continue
            summary.added += 1
            sink.add(doc, origin, "added")
            if progress:
                progress(summary, origin)
        sink.commit()
    finally:
        sink.close()
    return summary


# ---------------------------------------------------------------------------------------------
# Verification


def check_opensearch(settings: OpenSearchSettings, client: Any | None = None) -> CheckReport:
    """What ``berita-search check`` says of a cluster index: health, the alias and its index,
    the mapping version, shard copies, and that every article is there once."""
    report = CheckReport()
    try:
        client = _open(settings, client)
        health = client.cluster.health(params={"request_timeout": 20})
        report.lines.append(
            f"Cluster: {health['cluster_name']}, status {health['status']}, {health['number_of_nodes']} node(s)"
        )
        index = current_index(client, settings.index)
        if index is None:
            report.problems.append(f"no index {settings.index!r} (run 'berita-search index --backend opensearch')")
            return report
        meta = index_meta(client, index)
        index_health = client.cluster.health(index=index, params={"request_timeout": 20})
        documents = int(client.count(index=index)["count"])
        report.lines.append(
            f"Index: {settings.index} -> {index} (mapping version {meta['schema']}, stemmer {meta.get('stemmer')}), "
            f"{documents:,} articles, status {index_health['status']}, {index_health['active_primary_shards']} "
            f"primary and {index_health['active_shards'] - index_health['active_primary_shards']} replica shards active"
        )
        if index_health["status"] == "red":
            report.problems.append(f"{index}: a primary shard is unassigned: some articles cannot be searched")
        elif index_health["unassigned_shards"]:
            report.lines.append(
                f"  {index_health['unassigned_shards']} replica shards unassigned (fewer copies than asked)"
            )
        ids: dict[str, int] = {}
        for hit in scan(client, index, ["id"]):
            article_id = hit["_source"].get("id")
            ids[article_id] = ids.get(article_id, 0) + 1
        repeated = {i: n for i, n in ids.items() if n > 1}
        if repeated:
            report.problems.append(
                f"{len(repeated)} articles are held twice (a run was killed while moving them); "
                "the next 'berita-search index' removes the older copies"
            )
        report.lines.append(f"Read {sum(ids.values()):,} articles, {len(ids):,} distinct ids")
    except OpenSearchUnavailable as error:
        report.problems.append(str(error))
    except Exception as error:
        report.problems.append(explain_failure(settings, error))
    return report
