"""whoosh3's private names the product relies on (index.whoosh_internals): an upgrade of the
pinned version, or a name gone, fails here first and says where to look."""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from berita_search.index.whoosh_internals import CHECKED_VERSION, PRIVATE_NAMES, installed_version

# Set by constructors: the tests below use each on a real instance.
INSTANCE_NAMES = {"_added", "_field_B", "_blocklimit", "_compression", "_inlinelimit", "_terminfo", "_ids", "_weights"}
INSTANCE_NAMES |= {"_values", "pool"}


def every_posting(reader: Any, fieldnames: Iterable[str]) -> dict[tuple[str, bytes], list[tuple]]:
    """Every posting (document, weight, value) of every term of ``fieldnames``, as Whoosh reads it."""
    found = {}
    for fieldname in fieldnames:
        for term in reader.lexicon(fieldname):
            matcher = reader.postings(fieldname, term)
            items = []
            while matcher.is_active():
                items.append((matcher.id(), matcher.weight(), bytes(matcher.value() or b"")))
                matcher.next()
            found[(fieldname, term)] = items
    return found


def test_the_installed_whoosh_is_the_version_the_private_uses_were_checked_against() -> None:
    assert installed_version() == CHECKED_VERSION, (
        f"whoosh3 {installed_version()} is installed; index/whoosh_internals.py was checked against "
        f"{CHECKED_VERSION}: check each private use listed there, then update CHECKED_VERSION"
    )


@pytest.mark.parametrize("owner", sorted(PRIVATE_NAMES))
def test_each_private_name_still_exists(owner: str) -> None:
    module_name, class_name = owner.rsplit(".", 1)
    cls = getattr(importlib.import_module(module_name), class_name)
    missing = [name for name in PRIVATE_NAMES[owner] if name not in INSTANCE_NAMES and not hasattr(cls, name)]
    assert missing == [], f"{owner} lost {missing}: see index/whoosh_internals.py"


def test_a_segment_writer_counts_what_it_added(tmp_path) -> None:  # noqa: ANN001
    """``_added`` is an instance attribute: checked on a real writer."""
    from berita_search.index.whoosh_internals import finish_segment, unlocked_segment_writer
    from berita_search.index.writer import open_index

    ix = open_index(tmp_path, create=True)
    writer = unlocked_segment_writer(ix)
    assert finish_segment(writer) is None
    writer = unlocked_segment_writer(ix)
    writer.add_document(id="a" * 16, title="Banjir di Semarang", body="Air naik.")
    segment = finish_segment(writer)
    assert segment is not None and segment.doc_count_all() == 1


def test_bm25f_reads_the_b_of_each_field() -> None:
    """``_field_B`` is an instance attribute: checked on real weightings."""
    from berita_search.index.whoosh_internals import bm25f_field_b
    from whoosh.scoring import BM25F

    assert bm25f_field_b(BM25F(), "body") == 0.75
    weighting = BM25F(B=0.5, title_B=0.9)
    assert bm25f_field_b(weighting, "title") == 0.9 and bm25f_field_b(weighting, "body") == 0.5


def test_a_watching_writer_shows_each_posting_and_the_finished_segment(tmp_path) -> None:  # noqa: ANN001
    from berita_search.index.whoosh_internals import finish_segment, watching_segment_writer
    from berita_search.index.writer import open_index

    class Watcher:
        def __init__(self, schema: object) -> None:
            self.seen: list[tuple] = []
            self.written: list[tuple] = []
            watchers.append(self)

        def wrap(self, postings):  # noqa: ANN001, ANN202
            for posting in postings:
                self.seen.append(posting[:3])
                yield posting

        def write(self, folder: str, segment_id: str, doc_count: int) -> None:
            self.written.append((folder, segment_id, doc_count))

    watchers: list[Watcher] = []
    ix = open_index(tmp_path, create=True)
    writer = watching_segment_writer(ix, Watcher, locked=False)
    writer.add_document(id="a" * 16, title="Banjir di Semarang", body="Air naik.")
    segment = finish_segment(writer)
    assert segment is not None and len(watchers) == 1
    assert ("title", b"banjir", 0) in watchers[0].seen
    assert watchers[0].seen == sorted(watchers[0].seen)
    assert watchers[0].written == [(str(tmp_path), segment.segment_id(), 1)]


def test_inlined_postings_read_and_merge_as_written_in_blocks(tmp_path) -> None:  # noqa: ANN001
    """One-article words are written into their term entries: every field's postings (with
    positions, frequencies or presence only) read back the same as from a codec that writes
    blocks, before and after the segments are merged into one."""
    from berita_search.index.whoosh_internals import InliningCodec
    from berita_search.index.writer import open_index
    from whoosh.codec.whoosh3 import W3Codec
    from whoosh.writing import SegmentWriter

    articles = [
        {"id": f"{n:016x}", "title": f"Banjir {word} di Semarang", "body": f"Air naik {word} lagi. Banjir {n % 3}."}
        for n, word in enumerate(["kanal", "rob", "hujan", "kanal", "pompa", "tanggul"])
    ]

    def postings(index_dir) -> dict:  # noqa: ANN001
        with open_index(index_dir).reader() as reader:
            return every_posting(reader, ("title", "body", "title_stem", "body_pairs"))

    results = {}
    for name, codec in (("blocks", W3Codec()), ("inlined", InliningCodec(inlinelimit=2))):
        ix = open_index(tmp_path / name, create=True)
        for half in (articles[:3], articles[3:]):
            writer = SegmentWriter(ix, codec=codec, merge=False)
            for article in half:
                writer.add_document(**article)
            writer.commit(merge=False)
        separate = postings(tmp_path / name)
        writer = SegmentWriter(ix, codec=codec)
        writer.commit(optimize=True)
        assert len(open_index(tmp_path / name).reader().leaf_readers()) == 1
        results[name] = (separate, postings(tmp_path / name))
    assert results["inlined"] == results["blocks"]
    assert results["inlined"][0] == results["inlined"][1]
    assert any(len(items) == 1 for items in results["inlined"][1].values())


def test_the_compact_pool_writes_the_segment_whooshs_pool_writes(tmp_path) -> None:  # noqa: ANN001
    """The indexing workers' pool (``index.posting_pool``): the sample corpus's articles, with
    every field the index writes, give the same postings (term, document, weight, value, in
    every field), stored fields and postings-arrays file as Whoosh's own pool; one posting
    without a value comes back as None."""
    from berita_search.index.article import Article, article_id
    from berita_search.index.copies import CopyDecision
    from berita_search.index.posting_pool import CompactPostingPool
    from berita_search.index.postings_arrays import file_name
    from berita_search.index.readers import read_paths
    from berita_search.index.writer import arrays_segment_writer, article_fields, open_index

    articles = [r for r in read_paths([Path("sample")]) if isinstance(r, Article)]
    assert len(articles) > 250
    documents = []
    for n, article in enumerate(articles):
        identifier = article_id(article.url, article.title, article.body)
        copy = CopyDecision(dup_key=identifier, bands=[f"band{n % 7}"], copy_of=None)
        documents.append(article_fields(article, identifier, article.content_hash, copy))

    def write(name: str, compact: bool) -> tuple[dict, list, bytes]:
        ix = open_index(tmp_path / name, create=True)
        writer = arrays_segment_writer(ix, compact_pool=compact)
        assert isinstance(writer.pool, CompactPostingPool) is compact
        for fields in documents:
            writer.add_document(**dict(fields))
        writer.commit(merge=False)
        with open_index(tmp_path / name).reader() as reader:
            postings = every_posting(reader, [f for f in reader.schema.names() if reader.schema[f].indexed])
            stored = list(reader.all_stored_fields())
            (segment,) = [leaf.segment() for leaf, _ in reader.leaf_readers()]
        arrays = (tmp_path / name / file_name(segment.segment_id())).read_bytes()
        return postings, stored, arrays

    whoosh_pool, compact_pool = write("whoosh", compact=False), write("compact", compact=True)
    assert len(whoosh_pool[0]) > 50_000 and len(whoosh_pool[1]) == len(documents)
    assert compact_pool[0] == whoosh_pool[0]
    assert compact_pool[1] == whoosh_pool[1]
    assert compact_pool[2] == whoosh_pool[2]

    pool = CompactPostingPool()
    for posting in [
        ("b", b"x", 1, 1.0, None),
        ("a", b"y", 2, 2.0, b"v"),
        ("a", b"y", 0, 1.5, b""),
        ("b", b"w", 3, 1.0, b"z"),
    ]:
        pool.add(posting)
    assert list(pool.iter_postings()) == [
        ("a", b"y", 0, 1.5, b""),
        ("a", b"y", 2, 2.0, b"v"),
        ("b", b"w", 3, 1.0, b"z"),
        ("b", b"x", 1, 1.0, None),
    ]
