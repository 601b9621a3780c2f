"""The cluster backend: the same searches on an OpenSearch 2.19 cluster, which shards, replicates
and fails over on its own.

Searches read an alias (``OpenSearchSettings.index``) that points at one versioned index
(``search.backends.opensearch_writer``). Every count is exact: totals with
``track_total_hits``, facets with composite aggregations paged to the end, and stories
(copies collapsed) from the articles that share a story key, which are counted exactly because
every copy of a story lives on one shard (documents are routed by their story key). Rankings use
``dfs_query_then_fetch`` when the index has more than one shard, so scores do not depend on how
articles fell onto shards, and ``allow_partial_search_results=false``, so a lost shard is an
error the client retries, never a silently short answer.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Hashable, Iterator
from typing import Any

from berita_search.index.fields import FACETS
from berita_search.index.schema import ADDED_FIELD, DEFAULT_STEMMER
from berita_search.search.backends import opensearch_query as OQ
from berita_search.search.backends.base import (
    DAY,
    IndexStats,
    Matches,
    RankedArticle,
    SearchSpec,
    StoredArticle,
    Summary,
    Tally,
)
from berita_search.search.backends.opensearch_client import (
    OpenSearchSettings,
    OpenSearchUnavailable,
    explain_failure,
    make_client,
)
from berita_search.search.backends.opensearch_mapping import (
    COPY_FIELD,
    DATE_FIELD,
    FACET_FIELDS,
    META_KEY,
    ORDER_FIELD,
    STORED_FIELD,
    stored_of,
    tokens,
)
from rapidfuzz.distance import Levenshtein

MAX_WINDOW = 10_000  # index.max_result_window: deeper hits come through iterate()
EAGER_HITS = 100  # rankings up to this long come with their articles; longer ones read them when sliced
COMPOSITE_PAGE = 10_000  # facet values per composite aggregation page
COPIES_PAGE = 10_000  # stories with copies counted in one terms aggregation
ITERATE_PAGE = 1_000  # hits per search_after page
PIT_KEEP_ALIVE = "2m"
GENERATION_TTL = 1.0  # seconds a generation is trusted before the cluster is asked again
RELATED_TERMS = 12  # as Whoosh's more_like(numterms=12)
SUGGESTION_CANDIDATES = 25
READ_ATTEMPTS = 4
READ_BACKOFF = 0.25  # seconds before the second attempt; doubled after each
# Root causes of a failed search that mean a node went away under it: the same search succeeds
# on the copies that remain.
LOST_NODE_ERRORS = frozenset(
    {
        "node_disconnected_exception",
        "node_not_connected_exception",
        "connect_transport_exception",
        "node_closed_exception",
        "send_request_transport_exception",
        "no_shard_available_action_exception",
        "transport_exception",
        "search_context_missing_exception",
        "failed_node_exception",
        "receive_timeout_transport_exception",
        "remote_transport_exception",
        "shard_not_found_exception",
        "index_shard_closed_exception",
        "illegal_index_shard_state_exception",
        "shard_not_in_primary_mode_exception",
    }
)


class OpenSearchBackend:
    """Articles in an OpenSearch index (through an alias)."""

    def __init__(
        self, settings: OpenSearchSettings, client: Any | None = None, generation_ttl: float = GENERATION_TTL
    ) -> None:
        self.settings = settings
        self.alias = settings.index
        self.client = client if client is not None else make_client(settings)
        self.generation_ttl = generation_ttl
        self._lock = threading.Lock()
        self._generation: tuple[Hashable, float] | None = None
        self._index: str | None = None  # the concrete index the alias pointed at, last we asked
        self._stemmer = DEFAULT_STEMMER
        self._shards = 1
        try:
            self._describe()
        except (OpenSearchUnavailable, FileNotFoundError):
            raise
        except Exception as error:
            raise OpenSearchUnavailable(explain_failure(settings, error)) from None

    # ---------------------------------------------------------------- the index

    def _describe(self) -> None:
        """Read which index the alias names, its stemmer and its shard count."""
        from opensearchpy import NotFoundError

        try:
            mappings = self.client.indices.get_mapping(index=self.alias)
        except NotFoundError:
            raise FileNotFoundError(
                f"no index {self.alias!r} on {self.settings.location.rsplit('/', 1)[0]} "
                "(run 'berita-search index --backend opensearch' first)"
            ) from None
        if len(mappings) != 1:
            raise OpenSearchUnavailable(f"{self.alias!r} names {len(mappings)} indices; it must name one")
        ((index, mapping),) = mappings.items()
        meta = (mapping.get("mappings", {}).get("_meta") or {}).get(META_KEY)
        if meta is None:
            raise OpenSearchUnavailable(f"index {index!r} was not written by berita-search (no _meta.{META_KEY})")
        settings = self.client.indices.get_settings(index=index, name="index.number_of_shards")
        self._shards = int(settings[index]["settings"]["index"]["number_of_shards"])
        self._stemmer = str(meta.get("stemmer") or DEFAULT_STEMMER)
        self._index = index

    @property
    def stemmer(self) -> str:
        return self._stemmer

    @property
    def location(self) -> str:
        return self.settings.location

    def generation(self) -> Hashable:
        """The concrete index and how many times it was refreshed (the writer refreshes once
        per batch, and only then do searches see changes), asked at most once per
        ``generation_ttl`` seconds."""
        now = time.monotonic()
        with self._lock:
            if self._generation is not None and now - self._generation[1] < self.generation_ttl:
                return self._generation[0]
        stats = self.client.indices.stats(index=self.alias, metric="refresh")
        indices = stats.get("indices", {})
        generation = tuple(
            sorted(
                (name, body["primaries"]["refresh"].get("external_total", body["primaries"]["refresh"]["total"]))
                for name, body in indices.items()
            )
        )
        with self._lock:
            changed = self._generation is None or self._generation[0] != generation
            self._generation = (generation, now)
        if changed and generation and generation[0][0] != self._index:
            self._describe()  # a rebuild swapped the alias: its stemmer may differ
        return generation

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.client.close()

    # ---------------------------------------------------------------- requests

    def _search(self, body: dict[str, Any], ranked: bool = True, **params: Any) -> dict[str, Any]:
        """A search on the alias; never a partial answer."""
        if ranked and self._shards > 1:
            params.setdefault("search_type", "dfs_query_then_fetch")
        return self._read(
            self.client.search, index=self.alias, body=body, allow_partial_search_results="false", params=params or None
        )

    def _read(self, call: Any, **kwargs: Any) -> Any:
        """A read request, sent again when a node was lost under it. The client already tries
        another node when one does not answer; a search whose shards were on a node that
        disconnected mid-search comes back as a 500 from the node that coordinated it."""
        for attempt in range(READ_ATTEMPTS):
            try:
                return call(**kwargs)
            except Exception as error:
                if attempt == READ_ATTEMPTS - 1 or not _lost_node(error):
                    raise
                time.sleep(READ_BACKOFF * 2**attempt)
        raise AssertionError("unreachable")

    @staticmethod
    def _query(spec: SearchSpec, query: OQ.Query) -> OQ.Query:
        filters = OQ.filter_query(spec.filters)
        if OQ.MATCH_NONE in filters:
            return OQ.MATCH_NONE
        if filters:
            query = {"bool": {"must": [query], "filter": filters}}
        return OQ.fit_expansions(query)

    @staticmethod
    def _sort(sort: str) -> list[dict[str, Any]]:
        # Ties rank in the order articles were written, as Whoosh's document numbers do. An
        # undated article sorts as the Whoosh index sorts it: as if newer than every date.
        if sort == "newest":
            first: dict[str, Any] = {DATE_FIELD: {"order": "desc", "missing": "_first"}}
        elif sort == "oldest":
            first = {DATE_FIELD: {"order": "asc", "missing": "_last"}}
        else:
            first = {"_score": {"order": "desc"}}
        return [first, {ORDER_FIELD: {"order": "asc"}}, {"id": {"order": "asc"}}]

    def _ranking(self, spec: SearchSpec) -> OQ.Query:
        if spec.sort == "relevance":
            return OQ.ranking_query(spec.plan, spec.proximity, spec.phrases)
        return OQ.compile_plan(spec.plan)

    # ---------------------------------------------------------------- search

    def search(self, spec: SearchSpec) -> Matches:
        query = self._query(spec, self._ranking(spec))
        if OQ.is_nothing(query) or OQ.is_nothing(OQ.compile_plan(spec.plan)):
            return Matches(0, 0, [])
        size = min(spec.top, MAX_WINDOW)
        # A deep page reads only its own hits' articles, after the ranking (``_LazyRanking``).
        lazy = size > EAGER_HITS
        body: dict[str, Any] = {
            "query": query,
            "size": size,
            "track_total_hits": True,
            "sort": self._sort(spec.sort),
            "_source": [COPY_FIELD] if lazy else [STORED_FIELD, COPY_FIELD],
            "aggs": {"copies": _copies_aggregation()},
        }
        if spec.collapse:
            body["collapse"] = {"field": COPY_FIELD}
        if spec.facets:
            body["aggs"].update(_facet_aggregations())
        response = self._search(body, ranked=spec.sort == "relevance")
        articles = int(response["hits"]["total"]["value"])
        copies = self._copies(query, response["aggregations"]["copies"])
        stories = articles - sum(count - 1 for count in copies.values())
        facets = self._facets(query, response["aggregations"]) if spec.facets else {}
        hits = response["hits"]["hits"]
        ranked: list[RankedArticle]
        if spec.top > size and len(hits) == size:
            ranked = list(_take(self._ranking_pages(spec), spec.top))
        elif lazy:
            ranked = _LazyRanking(self, [self._ranked(hit, copies, spec.collapse) for hit in hits])
        else:
            ranked = [self._ranked(hit, copies, spec.collapse) for hit in hits]
        return Matches(articles, stories, ranked, facets)

    def _ranked(self, hit: dict[str, Any], copies: dict[str, int], collapse: bool) -> RankedArticle:
        key = hit["_source"].get(COPY_FIELD)
        stored = stored_of(hit["_source"]) if STORED_FIELD in hit["_source"] else {"id": hit["_id"]}
        return RankedArticle(stored, float(hit.get("_score") or 0.0), copies.get(key, 1) if collapse else 1)

    def _stored(self, article_ids: list[str]) -> dict[str, StoredArticle]:
        """The stored articles of these ids, in one request."""
        body = {"query": {"ids": {"values": article_ids}}, "size": len(article_ids), "_source": [STORED_FIELD]}
        hits = self._search(body, ranked=False)["hits"]["hits"]
        return {hit["_id"]: stored_of(hit["_source"]) for hit in hits}

    def count(self, spec: SearchSpec) -> int:
        query = self._query(spec, OQ.compile_plan(spec.plan))
        if OQ.is_nothing(query):
            return 0
        return int(self._read(self.client.count, index=self.alias, body={"query": query})["count"])

    def _ranking_pages(self, spec: SearchSpec) -> Iterator[RankedArticle]:
        """Every match in the order ``search`` ranks them (ties in writing order, undated as
        newest), one per story when collapsing: the deep pages of ``search``."""
        for hit, copies in self._pit_hits(spec, self._sort(spec.sort), None):
            yield self._ranked(hit, copies, spec.collapse)

    def _pit_hits(
        self, spec: SearchSpec, sort: list[dict[str, Any]], after: list[Any] | None
    ) -> Iterator[tuple[dict[str, Any], dict[str, int]]]:
        """Every hit of the spec's ranking query in ``sort`` order after the sort values
        ``after``, one per story when collapsing (its first hit in that order), with the copies
        of each story counted when collapsing: one point in time read with ``search_after``."""
        query = self._query(spec, self._ranking(spec))
        if OQ.is_nothing(query) or OQ.is_nothing(OQ.compile_plan(spec.plan)):
            return
        pit = self._read(self.client.create_pit, index=self.alias, params={"keep_alive": PIT_KEEP_ALIVE})["pit_id"]
        try:
            copies: dict[str, int] = {}
            if spec.collapse:
                first = self._search_pit(
                    {"query": query, "size": 0, "aggs": {"copies": _copies_aggregation()}, "pit": _pit(pit)},
                    ranked=False,
                )
                copies = self._copies(query, first["aggregations"]["copies"], pit)
            seen: set[str] = set()
            while True:
                body: dict[str, Any] = {
                    "query": query,
                    "size": ITERATE_PAGE,
                    "sort": sort,
                    "_source": [STORED_FIELD, COPY_FIELD],
                    "track_total_hits": False,
                    "pit": _pit(pit),
                }
                if after is not None:
                    body["search_after"] = after
                hits = self._search_pit(body, ranked=spec.sort == "relevance")["hits"]["hits"]
                for hit in hits:
                    if spec.collapse:
                        key = hit["_source"].get(COPY_FIELD)
                        if key in seen:
                            continue
                        seen.add(key)
                    yield hit, copies
                if len(hits) < ITERATE_PAGE:
                    return
                after = hits[-1]["sort"]
        finally:
            with contextlib.suppress(Exception):
                self.client.delete_pit(body={"pit_id": [pit]})

    # ---------------------------------------------------------------- the research workflow

    @staticmethod
    def _total_sort(sort: str) -> list[dict[str, Any]]:
        """The protocol's total order: the sort's value (missing values last), then the id."""
        if sort == "relevance":
            first: dict[str, Any] = {"_score": {"order": "desc"}}
        elif sort in ("newest", "oldest"):
            first = {DATE_FIELD: {"order": "desc" if sort == "newest" else "asc", "missing": "_last"}}
        elif sort == "added":
            first = {ADDED_FIELD: {"order": "desc", "missing": "_last"}}
        else:
            raise ValueError(f"unknown sort {sort!r}")
        return [first, {"id": {"order": "asc"}}]

    @staticmethod
    def _at_or_before(key: list[Any], after: tuple[Any, ...], sort: str) -> bool:
        """Whether a hit's sort values come at or before ``after`` in ``_total_sort``'s order
        (OpenSearch gives a missing value as the extreme number that sorts it last)."""
        value, article_id = key
        after_value, after_id = after
        if value != after_value:
            return value > after_value if sort in ("relevance", "newest", "added") else value < after_value
        return str(article_id) <= str(after_id)

    def iterate(self, spec: SearchSpec) -> Iterator[RankedArticle]:
        """Every match, ordered by the sort's value and then the id (undated last), one per story
        when collapsing (its first copy in that order, with the story's copies counted), after
        ``spec.after`` when given: a point in time read with ``search_after``. With collapsing,
        the stories before ``spec.after`` are read again to know which ones were shown."""
        # Without collapsing, resume right after the key; with it, read from the start.
        after = list(spec.after) if spec.after is not None and not spec.collapse else None
        for hit, copies in self._pit_hits(spec, self._total_sort(spec.sort), after):
            if spec.collapse and spec.after is not None and self._at_or_before(hit["sort"], spec.after, spec.sort):
                continue
            ranked = self._ranked(hit, copies, spec.collapse)
            ranked.sort_key = tuple(hit["sort"])
            yield ranked

    def summarize(self, spec: SearchSpec) -> Summary:
        query = self._query(spec, OQ.compile_plan(spec.plan))
        if OQ.is_nothing(query):
            return Summary(0, 0, None, None, {})
        body: dict[str, Any] = {
            "query": query,
            "size": 0,
            "track_total_hits": True,
            "aggs": {"copies": _copies_aggregation()},
        }
        if spec.facets:
            body["aggs"].update(_facet_aggregations())
        response = self._search(body, ranked=False)
        articles = int(response["hits"]["total"]["value"])
        copies = self._copies(query, response["aggregations"]["copies"])
        stories = articles - sum(count - 1 for count in copies.values())
        facets = self._facets(query, response["aggregations"]) if spec.facets else {}

        def edge(order: str) -> str | None:
            dated = {"bool": {"filter": [query, {"exists": {"field": DATE_FIELD}}]}}
            found = self._search(
                {
                    "query": dated,
                    "size": 1,
                    "sort": [{DATE_FIELD: {"order": order}}, {"id": "asc"}],
                    "_source": [STORED_FIELD],
                },
                ranked=False,
            )["hits"]["hits"]
            return stored_of(found[0]["_source"]).get("published_iso") if found else None

        return Summary(articles, stories, edge("asc") if articles else None, edge("desc") if articles else None, facets)

    def last_added(self) -> int:
        response = self._search({"size": 0, "aggs": {"newest": {"max": {"field": ADDED_FIELD}}}}, ranked=False)
        value = response["aggregations"]["newest"].get("value")
        return int(value) if value else 0

    def ids_with_prefix(self, prefix: str, limit: int) -> list[str]:
        body = {
            "query": {"prefix": {"id": prefix}},
            "size": limit,
            "sort": [{"id": {"order": "asc"}}],
            "_source": False,
        }
        return [hit["_id"] for hit in self._search(body, ranked=False)["hits"]["hits"]]

    def _search_pit(self, body: dict[str, Any], ranked: bool) -> dict[str, Any]:
        params: dict[str, Any] = {"allow_partial_search_results": "false"}
        if ranked and self._shards > 1:
            params["search_type"] = "dfs_query_then_fetch"
        return self._read(self.client.search, body=body, params=params)

    # ---------------------------------------------------------------- exact counts

    def _copies(self, query: OQ.Query, aggregation: dict[str, Any], pit: str | None = None) -> dict[str, int]:
        """Matching articles per story, for the stories with more than one. Exact: a story's
        articles share a shard, so each shard's counts are whole; when the page is full, the
        stories are counted by a composite aggregation paged to the end."""
        buckets = aggregation["buckets"]
        if len(buckets) < COPIES_PAGE:
            return {b["key"]: int(b["doc_count"]) for b in buckets}
        counts = self._composite(query, COPY_FIELD, pit)
        return {key: count for key, count in counts.items() if count > 1}

    def _facets(self, query: OQ.Query, aggregations: dict[str, Any]) -> dict[str, list[tuple[str, int]]]:
        facets: dict[str, list[tuple[str, int]]] = {}
        for facet in FACETS:
            aggregation = aggregations[f"facet_{facet.name}"]
            counts = {str(b["key"][facet.name]): int(b["doc_count"]) for b in aggregation["buckets"]}
            if aggregation.get("after_key") and len(aggregation["buckets"]) >= COMPOSITE_PAGE:
                counts.update(self._composite(query, FACET_FIELDS[facet.name], after=aggregation["after_key"]))
            items = [(key, count) for key, count in counts.items() if key]
            items.sort(key=(lambda kv: kv) if facet.ordered_by_value else (lambda kv: (-kv[1], kv[0])))
            facets[facet.name] = items
        return facets

    def _composite(
        self, query: OQ.Query, field: str, pit: str | None = None, after: dict[str, Any] | None = None
    ) -> dict[str, int]:
        """Matching articles per value of a keyword field, every value, page by page."""
        counts: dict[str, int] = {}
        while True:
            composite: dict[str, Any] = {"size": COMPOSITE_PAGE, "sources": [{"value": {"terms": {"field": field}}}]}
            if after is not None:
                composite["after"] = {"value": next(iter(after.values()))}
            body: dict[str, Any] = {"query": query, "size": 0, "aggs": {"values": {"composite": composite}}}
            if pit is not None:
                body["pit"] = _pit(pit)
                response = self._search_pit(body, ranked=False)
            else:
                response = self._search(body, ranked=False)
            aggregation = response["aggregations"]["values"]
            for bucket in aggregation["buckets"]:
                counts[str(bucket["key"]["value"])] = int(bucket["doc_count"])
            if len(aggregation["buckets"]) < COMPOSITE_PAGE or not aggregation.get("after_key"):
                return counts
            after = aggregation["after_key"]

    # ---------------------------------------------------------------- tallies (coverage series)

    def tally(self, spec: SearchSpec, keys: tuple[str, ...]) -> Tally:
        """Matching articles by day (the ``day`` keyword, the dateline's day as in the Whoosh index)
        and facet values: one composite aggregation paged to the end, with a bucket for no value,
        so that the counts sum to the articles ``count`` finds."""
        generation = self.generation()
        query = self._query(spec, OQ.compile_plan(spec.plan))
        if OQ.is_nothing(query) or OQ.is_nothing(OQ.compile_plan(spec.plan)):
            return Tally(keys, {}, generation)
        fields = [DAY if key == DAY else FACET_FIELDS[key] for key in keys]
        sources = [{f"k{i}": {"terms": {"field": field, "missing_bucket": True}}} for i, field in enumerate(fields)]
        counts: dict[tuple[str | None, ...], int] = {}
        after: dict[str, Any] | None = None
        while True:
            composite: dict[str, Any] = {"size": COMPOSITE_PAGE, "sources": sources}
            if after is not None:
                composite["after"] = after
            body = {"query": query, "size": 0, "aggs": {"tally": {"composite": composite}}}
            aggregation = self._search(body, ranked=False)["aggregations"]["tally"]
            for bucket in aggregation["buckets"]:
                raw = (bucket["key"][f"k{i}"] for i in range(len(keys)))
                values = tuple(None if v in (None, "") else str(v) for v in raw)
                counts[values] = counts.get(values, 0) + int(bucket["doc_count"])
            if len(aggregation["buckets"]) < COMPOSITE_PAGE or not aggregation.get("after_key"):
                return Tally(keys, counts, generation)
            after = aggregation["after_key"]

    # ---------------------------------------------------------------- articles

    def _source_of(self, article_id: str) -> dict[str, Any] | None:
        response = self._search(
            {"query": {"term": {"id": article_id}}, "size": 1, "_source": [STORED_FIELD, COPY_FIELD]}, ranked=False
        )
        hits = response["hits"]["hits"]
        return hits[0]["_source"] if hits else None

    def article(self, article_id: str) -> StoredArticle | None:
        source = self._source_of(article_id)
        return stored_of(source) if source is not None else None

    def related(self, article_id: str, limit: int) -> list[RankedArticle]:
        """``more_like_this`` on the roots of the article's title and body (as Whoosh's
        ``more_like`` on ``body_stem``), one per story, never the article's own story."""
        source = self._source_of(article_id)
        if source is None:
            return []
        stored = stored_of(source)
        text = f"{stored.get('title', '')}\n{stored.get('body', '')}"
        words = tokens("body_stem", text, self._stemmer)
        if not words:
            return []
        query = {
            "bool": {
                "must": [
                    {
                        "more_like_this": {
                            "fields": ["body_stem"],
                            "like": " ".join(words),
                            "max_query_terms": RELATED_TERMS,
                            "min_term_freq": 1,
                            "min_doc_freq": 2,
                            "minimum_should_match": 1,
                        }
                    }
                ],
                "must_not": [{"term": {"id": article_id}}, {"term": {COPY_FIELD: source[COPY_FIELD]}}],
            }
        }
        body = {
            "query": query,
            "size": limit,
            "sort": self._sort("relevance"),
            "collapse": {"field": COPY_FIELD},
            "_source": [STORED_FIELD, COPY_FIELD],
        }
        hits = self._search(body)["hits"]["hits"]
        return [RankedArticle(stored_of(h["_source"]), float(h.get("_score") or 0.0)) for h in hits]

    # ---------------------------------------------------------------- words

    def word_frequency(self, word: str) -> int:
        body = {
            "size": 0,
            "track_total_hits": False,
            "aggs": {
                "title": {"filter": {"term": {"title": word}}},
                "body": {"filter": {"term": {"body": word}}},
            },
        }
        aggregations = self._search(body, ranked=False)["aggregations"]
        return max(int(aggregations["title"]["doc_count"]), int(aggregations["body"]["doc_count"]))

    def similar_words(self, word: str, limit: int) -> list[str]:
        """Indexed body words within two edits sharing the first letter, the closest first, then
        the most widespread (the term suggester proposes them; the order is decided here)."""
        body = {
            "size": 0,
            "track_total_hits": False,
            "suggest": {
                "words": {
                    "text": word,
                    "term": {
                        "field": "body",
                        "suggest_mode": "always",
                        "max_edits": 2,
                        "prefix_length": 1,
                        "min_word_length": 1,
                        "size": SUGGESTION_CANDIDATES,
                        "sort": "score",
                    },
                }
            },
        }
        entries = self._search(body, ranked=False)["suggest"]["words"]
        options = {o["text"]: int(o["freq"]) for entry in entries for o in entry["options"] if o["text"] != word}
        # Edits as Whoosh's spelling automaton counts them (insertions, deletions, substitutions).
        edits = {text: Levenshtein.distance(word, text) for text in options}
        ranked = sorted((text for text in options if edits[text] <= 2), key=lambda t: (edits[t], -options[t], t))
        return ranked[:limit]

    # ---------------------------------------------------------------- the whole index

    def stats(self, top: int) -> IndexStats:
        everything: dict[str, Any] = {"match_all": {}}
        body = {
            "query": everything,
            "size": 0,
            "track_total_hits": True,
            "aggs": {
                **_facet_aggregations(),
                "undated": {"missing": {"field": "year"}},
            },
        }
        response = self._search(body, ranked=False)
        documents = int(response["hits"]["total"]["value"])
        facets = {
            name: sorted(items, key=lambda kv: (-kv[1], kv[0]))[:top]
            for name, items in self._facets(everything, response["aggregations"]).items()
        }
        undated = int(response["aggregations"]["undated"]["doc_count"])
        first = last = None
        if documents > undated:
            dated = {"exists": {"field": DATE_FIELD}}
            ends = []
            for order in ("asc", "desc"):
                hits = self._search(
                    {
                        "query": dated,
                        "size": 1,
                        "sort": [{DATE_FIELD: {"order": order}}, {ORDER_FIELD: {"order": "asc"}}],
                        "_source": [STORED_FIELD],
                    },
                    ranked=False,
                )["hits"]["hits"]
                ends.append(stored_of(hits[0]["_source"]).get("published_iso") if hits else None)
            first, last = ends
        return IndexStats(documents, undated, first, last, facets, self.location)


def _lost_node(error: Exception) -> bool:
    """Whether a failed read failed because a node was lost (worth sending again)."""
    from opensearchpy import ConnectionError as TransportConnectionError
    from opensearchpy import TransportError

    if isinstance(error, TransportConnectionError):
        return True
    if not isinstance(error, TransportError):
        return False
    if error.status_code in (429, 502, 503, 504):
        return True
    if error.status_code != 500:
        return False
    info = error.info if isinstance(error.info, dict) else {}
    error_body = info.get("error")
    body: dict[str, Any] = error_body if isinstance(error_body, dict) else {}
    causes = [c.get("type") for c in body.get("root_cause") or [] if isinstance(c, dict)]
    # Shards failed on every copy tried (``allow_partial_search_results=false``) because a node
    # went away: sent again, they are searched on their remaining copies. A query the cluster
    # cannot run (too many clauses, a bad field) fails the same way every time: not sent again.
    if body.get("type") != "search_phase_execution_exception":
        return any(c in LOST_NODE_ERRORS for c in causes)
    return not causes or any(c in LOST_NODE_ERRORS for c in causes)


def _pit(pit_id: str) -> dict[str, str]:
    return {"id": pit_id, "keep_alive": PIT_KEEP_ALIVE}


def _copies_aggregation() -> dict[str, Any]:
    """Stories with at least two matching articles, and how many."""
    return {
        "terms": {
            "field": COPY_FIELD,
            "min_doc_count": 2,
            "shard_min_doc_count": 2,
            "size": COPIES_PAGE,
            "shard_size": COPIES_PAGE,
        }
    }


def _facet_aggregations() -> dict[str, Any]:
    return {
        f"facet_{facet.name}": {
            "composite": {
                "size": COMPOSITE_PAGE,
                "sources": [{facet.name: {"terms": {"field": FACET_FIELDS[facet.name]}}}],
            }
        }
        for facet in FACETS
    }


class _LazyRanking(list):
    """A long ranking whose articles are read from the cluster only when a slice or an item of
    it is read (the engine reads one page: ``ranked[first:last]``), in one request per read."""

    def __init__(self, backend: OpenSearchBackend, ranked: list[RankedArticle]) -> None:
        super().__init__(ranked)
        self._backend = backend
        self._loaded = [False] * len(ranked)

    def _load(self, positions: range) -> None:
        wanted = [i for i in positions if not self._loaded[i]]
        if not wanted:
            return
        items = [list.__getitem__(self, i) for i in wanted]
        stored = self._backend._stored([item.stored["id"] for item in items])
        for i, item in zip(wanted, items, strict=True):
            item.stored = stored.get(item.stored["id"], item.stored)
            self._loaded[i] = True

    def __getitem__(self, index):  # noqa: ANN001, ANN204
        if isinstance(index, slice):
            self._load(range(*index.indices(len(self))))
        else:
            self._load(range(len(self))[index : index + 1 or None])
        return list.__getitem__(self, index)

    def __iter__(self) -> Iterator[RankedArticle]:
        self._load(range(len(self)))
        return list.__iter__(self)


def _take(items: Iterator[RankedArticle], count: int) -> Iterator[RankedArticle]:
    for number, item in enumerate(items):
        if number >= count:
            return
        yield item
