"""Ranking as arrays returns what Whoosh's own ranking returns: the same matches, the same
BM25F scores, the same order (ties by document number), on several segments with deletions."""

from __future__ import annotations

import itertools
import json
import shutil
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from berita_search.index.fields import ALL_TEXT, ENTITY_FIELDS, FACETS
from berita_search.index.postings_arrays import (
    EXTENSION,
    LENGTH_OF_BYTE,
    PostingsCapture,
    SegmentArrays,
    _segment_postings,
    captured,
    commit_units,
    outdated_segments,
    write_groups,
    write_missing,
)
from berita_search.index.readers import read_paths
from berita_search.index.schema import facet_column
from berita_search.index.whoosh_internals import committed_segments
from berita_search.index.writer import index_records, open_index
from berita_search.search.backends.base import SearchSpec
from berita_search.search.backends.whoosh import WhooshBackend, _Deadline, _filter_query, _head
from berita_search.search.backends.whoosh_query import Compiler
from berita_search.search.querylang import parse_query
from whoosh import sorting

from tests.conftest import CLICKID_JSONL, require_shared

ARTICLES = 1200
UPDATED = range(150, 230)  # re-indexed with a changed title: deletions in the first segments


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require_shared()
    folder = tmp_path_factory.mktemp("ranking-identity")
    rows = [json.loads(line) for line in itertools.islice(CLICKID_JSONL.open(encoding="utf-8"), ARTICLES)]
    first = folder / "first.jsonl"
    first.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    index_records(folder / "index", read_paths([first]), batch_size=250)
    changed = folder / "changed.jsonl"
    changed.write_text(
        "".join(
            json.dumps({**rows[i], "title": f"{rows[i].get('title', '')} diperbarui"}, ensure_ascii=False) + "\n"
            for i in UPDATED
        ),
        encoding="utf-8",
    )
    summary = index_records(folder / "index", read_paths([changed]), batch_size=250)
    assert summary.updated == len(UPDATED)
    return folder / "index"


def _queries(index_dir: Path) -> list[str]:
    """Words of high, middle and low frequency, pairs, names as phrases, operators, fields."""
    ix = open_index(index_dir)
    df: Counter[str] = Counter()
    with ix.searcher() as searcher:
        for number, stored in enumerate(searcher.all_stored_fields()):
            if number >= 500:
                break
            df.update({w.lower() for w in stored.get("body", "").split() if w.isalpha() and len(w) > 3})
    ranked = [w for w, _ in df.most_common()]
    words = ranked[:15] + ranked[200:215] + ranked[1500:1510] + [w for w, n in df.items() if n == 1][:10]
    pairs = [f"{a} {b}" for a, b in itertools.pairwise(ranked[20:60])][:20]
    return [
        *words,
        *pairs,
        '"joko widodo"',
        '"kim jong un"',
        '"presiden joko widodo" jakarta',
        "presiden OR menteri",
        "(jakarta OR bandung) DAN polisi",
        "gempa -palu",
        "presiden NOT jokowi",
        "judul:gempa",
        "isi:korupsi kpk",
        "pemerintah*",
        "korupsi~",
        "jakarta tanggal:2019",
        "diperbarui",
        "kpk diperbarui",
    ]


def _grouped_copy(index_dir: Path, copy: Path) -> Path:
    """A copy of the index whose segments' arrays are grouped two by two, then the groups two by
    two (levels 1 and 2), as commits group settled segments eight by eight."""
    shutil.copytree(index_dir, copy)
    segments = [(s.segment_id(), s.doc_count_all()) for s in committed_segments(open_index(copy))]
    assert write_groups(copy, segments, {segment_id for segment_id, _count in segments}, factor=2) >= 3
    units = commit_units(copy, segments)
    assert len(units) < len(segments) and max(u.arrays.level for u in units if u.arrays is not None) == 2
    return copy


def _whoosh_ranking(searcher, query) -> list[tuple[int, float]]:
    results = searcher.search(query, limit=None, terms=False)
    return [(hit.docnum, hit.score) for hit in results]


def test_arrays_hold_whooshs_postings_and_lengths(index_dir: Path) -> None:
    ix = open_index(index_dir)
    checked = positioned = empties = 0
    with ix.searcher() as searcher:
        leaves = searcher.leaf_searchers()
        assert len(leaves) >= 3
        assert any(leaf.reader().has_deletions() for leaf, _ in leaves)
        for leaf, _offset in leaves:
            reader = leaf.reader()
            segment = reader.segment()
            arrays = SegmentArrays.open(index_dir, segment.segment_id(), segment.doc_count_all())
            assert arrays is not None
            for fieldname in reader.indexed_field_names():
                if not captured(reader.schema, fieldname):
                    continue
                positional = reader.schema[fieldname].format.supports("positions")
                assert arrays.has_positions(fieldname) == positional, fieldname
                for term in itertools.islice(reader.lexicon(fieldname), 0, None, 5):
                    matcher = reader.postings(fieldname, term)
                    expected = []
                    expected_positions = []
                    while matcher.is_active():
                        expected.append((matcher.id(), matcher.weight()))
                        if positional:
                            expected_positions += [(matcher.id(), p) for p in matcher.value_as("positions")]
                        matcher.next()
                    docs, weights = arrays.postings(fieldname, term)
                    if positional:
                        live = np.asarray([d for d in docs.tolist() if not reader.is_deleted(d)], dtype=np.int64)
                        held, positions = arrays.positions(fieldname, term, live)
                        assert list(zip(held.tolist(), positions.tolist(), strict=True)) == expected_positions
                        positioned += 1
                    # The arrays keep deleted documents, as Whoosh's files do; its reader hides them.
                    kept = [
                        (d, w) for d, w in zip(docs.tolist(), weights.tolist(), strict=True) if not reader.is_deleted(d)
                    ]
                    assert kept == expected, (fieldname, term)
                    checked += 1
                if reader.schema[fieldname].scorable:
                    lengths = arrays.lengths(fieldname)
                    assert lengths is not None
                    for docnum in range(reader.doc_count_all()):
                        stored = reader.doc_field_length(docnum, fieldname, 1)
                        assert (LENGTH_OF_BYTE[lengths[docnum]] if lengths[docnum] else None) == stored
            assert arrays.postings("body", b"katayangtidakada")[0].size == 0
            # Fields without a posting in the segment are held too (empty), not asked of Whoosh.
            empty = [
                n
                for n in reader.schema.names()
                if captured(reader.schema, n) and not any(True for _ in reader.lexicon(n))
            ]
            assert all(arrays.has_field(n) for n in reader.schema.names() if captured(reader.schema, n))
            assert all(arrays.postings(n, b"apa")[0].size == 0 for n in empty)
            empties += len(empty)
    assert checked > 3000 and positioned > 1000 and empties > 0


@pytest.mark.parametrize("postings", ["arrays", "whoosh", "grouped"], ids=["arrays", "whoosh-postings", "grouped"])
def test_array_ranking_is_whooshs_ranking(index_dir: Path, tmp_path: Path, postings: str) -> None:
    if postings == "whoosh":  # an index written before the arrays: postings read through Whoosh
        copy = tmp_path / "index"
        shutil.copytree(index_dir, copy)
        for path in copy.glob(f"*.{EXTENSION}"):
            path.unlink()
        index_dir = copy
    elif postings == "grouped":
        index_dir = _grouped_copy(index_dir, tmp_path / "index")
    backend = WhooshBackend(index_dir)
    compared = nonempty = 0
    with backend.snapshot() as snap:
        searcher = snap.searcher
        if postings == "whoosh":
            assert all(view.arrays is None for view in snap.view().segments)
        if postings == "grouped":
            assert any(group is not None for group, _offset, _members in snap.view().units)
        for text in _queries(index_dir):
            parsed = parse_query(text, backend.stemmer)
            query = Compiler(searcher).ranking(parsed.plan, tuple(parsed.proximity), bool(parsed.phrases))
            expected = _whoosh_ranking(searcher, query)
            docs, scores = snap.ranked(query, None, _Deadline(None))
            got = dict(zip(docs.tolist(), scores.tolist(), strict=True))
            assert sorted(got) == sorted(d for d, _ in expected), text
            assert got == pytest.approx(dict(expected), rel=1e-12, abs=0), text
            order = [int(docs[i]) for i in _head(docs, scores, len(docs))]
            by_whoosh = {d: s for d, s in expected}
            # Best first, ties by document number; scores equal to the last place may swap.
            for a, b in itertools.pairwise(order):
                assert by_whoosh[a] > by_whoosh[b] or (
                    by_whoosh[a] == pytest.approx(by_whoosh[b], rel=1e-12) and (a < b or by_whoosh[a] != by_whoosh[b])
                ), (text, a, b)
            # Whoosh's top ten with its block-quality skipping can only miss hits, never add one
            # (it skipped a block holding the fourth best of 'bersama sebuah'): at every rank the
            # array ranking's score is at least as high.
            results = searcher.search(query, limit=10, terms=False)
            top = [results[i].score for i in range(results.scored_length())]
            assert len(order[:10]) == len(top), text
            ours = [by_whoosh[d] for d in order[: len(top)]]
            assert all(a >= b - 1e-9 for a, b in zip(ours, top, strict=True)), text
            compared += 1
            nonempty += bool(expected)
    backend.close()
    assert compared >= 80 and nonempty >= 70


def test_filters_totals_and_facets_match_whoosh(index_dir: Path) -> None:
    """The unscored pass (totals, facets) against Whoosh's own matching of the same query."""
    backend = WhooshBackend(index_dir)
    with backend.snapshot() as snap:
        searcher = snap.searcher
        for text in ["jakarta", "presiden OR menteri", "gempa -palu", "pemerintah*", "jakarta tanggal:2019"]:
            parsed = parse_query(text, backend.stemmer)
            compiler = Compiler(searcher)
            query = compiler.plan(parsed.plan)
            expected = sorted(searcher.docs_for_query(query))
            got = snap.matching(query, None, _Deadline(None))
            assert got.tolist() == expected, text
            ranked, _scores = snap.ranked(query, None, _Deadline(None))
            assert ranked.tolist() == expected, text
            years = Counter(searcher.stored_fields(d).get("published_iso", "")[:4] for d in expected)
            column = snap.columns()["year"]
            counts = column.counts(np.asarray(expected, dtype=np.int64))
            got_years = {column.labels[i] or "": int(counts[i]) for i in np.flatnonzero(counts)}
            assert got_years == {y: n for y, n in years.items()}, text
    backend.close()


def test_text_fields_are_captured(index_dir: Path) -> None:
    ix = open_index(index_dir)
    for name in ALL_TEXT:
        assert captured(ix.schema, name)
        assert captured(ix.schema, f"{name}_stem") or f"{name}_stem" not in ix.schema
    assert not captured(ix.schema, "id")
    # Numeric trie terms are not; word pairs (a phrase's filter) and the copy finder's band
    # terms are (it looks them up).
    assert captured(ix.schema, "body_pairs") and captured(ix.schema, "title_pairs")
    assert not captured(ix.schema, "published") and not captured(ix.schema, "added")
    assert captured(ix.schema, "copy_bands")


def test_similar_words_are_whooshs_suggestions(index_dir: Path) -> None:
    """'Did you mean' candidates: the same words, in the same order, as Whoosh's suggest()."""
    backend = WhooshBackend(index_dir)
    typed = ["jokowl", "presidn", "gubernue", "korupsu", "bandunng", "xyzzy", "zz", "kpk", "a"]
    with backend.snapshot() as snap:
        body = [w.decode() for w in itertools.islice(snap.searcher.reader().lexicon("body"), 0, 40_000, 900)]
        typed += [w[1:] + w[:1] for w in body if len(w) > 3] + [w[:-1] for w in body if len(w) > 4]
        compared = 0
        for word in typed:
            expected = list(snap.searcher.suggest("body", word, limit=5, maxdist=2, prefix=1))
            assert backend.similar_words(word, 5) == expected, word
            compared += bool(expected)
    backend.close()
    assert compared > 30


# ---------------------------------------------------------------- the whole search, end to end

# Exclusions, phrases, operators, fields, prefixes, filters and the words the re-indexed titles
# added (matches in segments written before and after the deletions).
END_TO_END = [
    "jakarta",
    "presiden",
    "gempa -palu",
    "gempa NOT palu",
    "presiden NOT jokowi",
    "jakarta -polisi -banjir",
    "(jakarta OR bandung) -polisi",
    '"joko widodo"',
    '"kim jong un"',
    '"presiden joko widodo" jakarta',
    '"menteri keuangan" -"sri mulyani"',
    "presiden OR menteri",
    "(jakarta OR bandung) DAN polisi",
    "judul:gempa",
    "isi:korupsi kpk",
    "pemerintah*",
    "korupsi~",
    "jakarta tanggal:2019",
    "diperbarui",
    "kpk diperbarui",
    "sepak bola",
]
FILTERED = [("jakarta", "tanggal:2019"), ("presiden -jokowi", "tanggal:[2019-01 TO 2019-06]")]


def _whoosh_reference(searcher, compiler: Compiler, spec: SearchSpec) -> tuple[int, int, list, list, dict]:
    """What ``search`` and ``iterate`` must answer, from Whoosh alone: its full scored (or
    date-sorted) ranking of every match for the page, copies grouped by the stored ``dup_key``
    column, facets by its own grouping collector; for the export, the same matches in the
    iterator's total order (Whoosh's score, or the raw publication time with undated articles
    last, then article id), one per story."""
    query = compiler.ranking(spec.plan, spec.proximity, spec.phrases)
    filter_q = _filter_query(compiler, spec.filters)
    kwargs: dict = {"filter": filter_q, "terms": False}
    if spec.sort != "relevance":
        kwargs["sortedby"] = sorting.FieldFacet("published", reverse=spec.sort == "newest")
    results = searcher.search(query, limit=None, **kwargs)
    order = [hit.docnum for hit in results]
    reader = searcher.reader()
    dup_key = reader.column_reader("dup_key")
    copies = Counter(dup_key[d] for d in order)
    ids = {d: searcher.stored_fields(d)["id"] for d in order}

    def stories(ranking: list[int]) -> list:
        every, seen = [], set()
        for docnum in ranking:
            key = dup_key[docnum]
            if spec.collapse and key in seen:
                continue
            seen.add(key)
            every.append((ids[docnum], copies[key] if spec.collapse else 1))
        return every

    if spec.sort == "relevance":
        score = {hit.docnum: hit.score for hit in results}
        exported = sorted(order, key=lambda d: (-score[d], ids[d]))
    else:
        published = reader.column_reader("published", translate=False)
        year = reader.column_reader(facet_column("year"))
        sign = -1 if spec.sort == "newest" else 1

        def key(d: int) -> tuple:
            return ((0, sign * published[d]) if year[d] else (1, 0), ids[d])

        exported = sorted(order, key=key)
    # An entity facet counts an article under each of its names: Whoosh's overlapping grouping of the terms.
    grouped = {
        f.name: sorting.FieldFacet(f.name, allow_overlap=True)
        if f.name in ENTITY_FIELDS
        else sorting.FieldFacet(facet_column(f.name))
        for f in FACETS
    }
    results = searcher.search(compiler.plan(spec.plan), limit=None, filter=filter_q, groupedby=grouped)
    facets = {
        f.name: {str(v): len(ds) for v, ds in results.groups(f.name).items() if v not in (None, "", b"")}
        for f in FACETS
    }
    assert len(results) == len(order)  # the ranking and the unscored query match the same articles
    return len(order), len(copies), stories(order), stories(exported), facets


def _specs(stemmer: str) -> list[tuple[str, SearchSpec]]:
    specs = []
    for text in END_TO_END:
        parsed = parse_query(text, stemmer)
        base = SearchSpec(parsed.plan, (), tuple(parsed.proximity), bool(parsed.phrases), top=10)
        specs.append((text, base))
        specs.append((f"{text} (no collapse)", replace(base, collapse=False, top=25)))
    for text, filter_text in FILTERED:
        parsed = parse_query(text, stemmer)
        filters = (parse_query(filter_text, stemmer).plan,)
        base = SearchSpec(parsed.plan, filters, tuple(parsed.proximity), bool(parsed.phrases), top=10)
        specs += [(f"{text} | {filter_text}", base), (f"{text} | {filter_text} newest", replace(base, sort="newest"))]
    return specs


def _answer(matches) -> tuple[int, int, list, dict]:
    return (
        matches.articles,
        matches.stories,
        [(r.stored["id"], r.copies) for r in matches.ranked],
        {name: dict(items) for name, items in matches.facets.items()},
    )


@pytest.mark.parametrize(
    "arrays", ["all", "none", "some", "grouped"], ids=["arrays", "older-index", "mixed", "grouped"]
)
def test_search_answers_what_whoosh_answers(index_dir: Path, tmp_path: Path, arrays: str) -> None:
    """Top ten (one per story, with its copies), totals, stories and every facet, from
    ``WhooshBackend.search``, and every story from ``iterate``, equal Whoosh's own ranking
    and grouping collector. ``none`` is an index as versions before the arrays wrote it;
    ``some`` one they wrote and this one added to; ``grouped`` one whose arrays are grouped."""
    if arrays == "grouped":
        index_dir = _grouped_copy(index_dir, tmp_path / "index")
    elif arrays != "all":
        copy = tmp_path / "index"
        shutil.copytree(index_dir, copy)
        files = sorted(copy.glob(f"*.{EXTENSION}"))
        for path in files if arrays == "none" else files[::2]:
            path.unlink()
        index_dir = copy
    backend = WhooshBackend(index_dir)
    with backend.snapshot() as snap:
        with_arrays = [view.arrays is not None for view in snap.view().segments]
        assert {"all": {True}, "grouped": {True}, "none": {False}, "some": {True, False}}[arrays] == set(with_arrays)
        compiler = Compiler(snap.searcher)
        specs = _specs(backend.stemmer)
        expected = {text: _whoosh_reference(snap.searcher, compiler, spec) for text, spec in specs}
    assert sum(1 for total, *_ in expected.values() if total) >= len(specs) - 4
    assert any(stories < total for total, stories, *_ in expected.values())  # copies were collapsed
    for text, spec in specs:
        total, stories, every, in_export_order, facets = expected[text]
        assert _answer(backend.search(spec)) == (total, stories, every[: spec.top], facets), text
        exported = [(r.stored["id"], r.copies) for r in backend.iterate(spec)]
        assert exported == in_export_order, text
    backend.close()


def test_search_under_threads_answers_as_alone(index_dir: Path) -> None:
    """Eight threads on a fresh backend race to build the commit's shared arrays, columns and
    word lists, then keep searching: every answer equals the one a single thread gets."""
    alone = WhooshBackend(index_dir)
    specs = _specs(alone.stemmer)
    expected = {text: _answer(alone.search(spec)) for text, spec in specs}
    suggestions = {w: alone.similar_words(w, 5) for w in ("presidn", "gubernue", "korupsu")}
    alone.close()
    shared = WhooshBackend(index_dir)
    start = threading.Barrier(8)

    def run(worker: int) -> int:
        start.wait()
        checked = 0
        for round_ in range(3):
            for i, (text, spec) in enumerate(specs):
                if (i + worker + round_) % 2:
                    continue
                assert _answer(shared.search(spec)) == expected[text], text
                checked += 1
            for word, words in suggestions.items():
                assert shared.similar_words(word, 5) == words, word
        return checked

    with ThreadPoolExecutor(max_workers=8) as pool:
        done = list(pool.map(run, range(8)))
    shared.close()
    assert sum(done) >= len(specs) * 8 * 3 // 2 - 8


def test_write_missing_gives_older_segments_the_arrays_commits_write(index_dir: Path, tmp_path: Path) -> None:
    """Arrays read back from Whoosh's postings for an index written without them hold what
    the commits wrote, for every live document."""
    copy = tmp_path / "index"
    shutil.copytree(index_dir, copy)
    for path in copy.glob(f"*.{EXTENSION}"):
        path.unlink()
    ix = open_index(copy)
    written = write_missing(ix, copy)
    assert len(written) == len(list(index_dir.glob(f"*.{EXTENSION}"))) and len(written) >= 2
    assert write_missing(ix, copy) == [] and write_missing(ix, copy, older=True) == []
    with ix.reader() as top:
        for reader, _base in top.leaf_readers():
            segment = reader.segment()
            count = segment.doc_count_all()
            committed = SegmentArrays.open(index_dir, segment.segment_id(), count)
            rebuilt = SegmentArrays.open(copy, segment.segment_id(), count)
            assert committed is not None and rebuilt is not None
            live = np.asarray([not reader.is_deleted(d) for d in range(count)])
            for name in ("title", "body", "body_stem", "source_key"):
                for tbytes in itertools.islice(reader.lexicon(name), 0, None, 37):
                    docs, weights = committed.postings(name, tbytes)
                    keep = live[docs]
                    again, again_weights = rebuilt.postings(name, tbytes)
                    assert again.tolist() == docs[keep].tolist(), (name, tbytes)
                    assert again_weights.tolist() == weights[keep].tolist(), (name, tbytes)
                    if name in ("title", "body"):
                        expected = committed.positions(name, tbytes, docs[keep])
                        got = rebuilt.positions(name, tbytes, again)
                        assert [a.tolist() for a in got] == [a.tolist() for a in expected], (name, tbytes)
                lengths = committed.lengths(name)
                if lengths is not None:
                    assert rebuilt.lengths(name)[live].tolist() == lengths[live].tolist()


def test_check_repair_rewrites_older_arrays(index_dir: Path, tmp_path: Path) -> None:
    """A segment whose arrays an older version wrote (no positions) is reported by ``check``
    and written again by ``check --repair``, with its positions; ``check`` then reports
    nothing."""
    from tests.cli_runner import run_cli

    copy = tmp_path / "index"
    shutil.copytree(index_dir, copy)
    ix = open_index(copy)
    with ix.reader() as top:
        reader, _base = next(iter(top.leaf_readers()))
        segment = reader.segment()
        capture = PostingsCapture(reader.schema)
        for _posting in capture.wrap(_segment_postings(reader)):
            pass
        capture.positions.clear()  # as written before positions were recorded
        capture.write(str(copy), segment.segment_id(), segment.doc_count_all())
    older = SegmentArrays.open(copy, segment.segment_id(), segment.doc_count_all())
    assert older is not None and not older.has_positions("body") and not older.current(ix.schema)
    assert outdated_segments(ix, copy) == [segment.segment_id()]
    checked = run_cli("check", "--index", str(copy))
    assert checked.returncode == 0 and "Search arrays: 1 of" in checked.stdout, checked.stdout
    repaired = run_cli("check", "--repair", "--index", str(copy))
    assert repaired.returncode == 0 and "Search arrays: written for 1 segments" in repaired.stdout, repaired.stdout
    assert outdated_segments(ix, copy) == []
    rewritten = SegmentArrays.open(copy, segment.segment_id(), segment.doc_count_all())
    assert rewritten is not None and rewritten.has_positions("body") and rewritten.current(ix.schema)
    assert "Search arrays" not in run_cli("check", "--index", str(copy)).stdout


def test_groups_hold_their_segments_postings(index_dir: Path, tmp_path: Path) -> None:
    """A group's postings of a term are its segments' postings, in order, shifted by each
    segment's first document; a group is not used once its segments no longer stand together
    in the commit, and the next grouping deletes it."""
    copy = _grouped_copy(index_dir, tmp_path / "index")
    segments = [(s.segment_id(), s.doc_count_all()) for s in committed_segments(open_index(copy))]
    units = commit_units(copy, segments)
    ix = open_index(copy)
    with ix.reader() as top:
        terms = {name: list(itertools.islice(top.lexicon(name), 0, None, 29)) for name in ("title", "body", "person")}
    checked = positioned = 0
    for unit in units:
        if unit.arrays is None:
            continue
        members = segments[unit.first : unit.first + unit.count]
        assert unit.arrays.members == [segment_id for segment_id, _count in members]
        parts = [SegmentArrays.open(copy, segment_id, count) for segment_id, count in members]
        offsets = np.cumsum([0] + [count for _id, count in members])
        for name, tbytes_list in terms.items():
            for tbytes in tbytes_list:
                docs, weights = unit.arrays.postings(name, tbytes)
                pieces = [(p.postings(name, tbytes), int(o)) for p, o in zip(parts, offsets, strict=False)]
                assert docs.tolist() == [int(d) + o for (ds, _w), o in pieces for d in ds], (name, tbytes)
                assert weights.tolist() == [w for (_ds, ws), _o in pieces for w in ws.tolist()], (name, tbytes)
                checked += len(docs)
                if name != "person":  # positional: the segments' positions of the term, in order
                    assert unit.arrays.has_positions(name)
                    held, positions = unit.arrays.positions(name, tbytes, docs)
                    expected = [p.positions(name, tbytes, ds) for ((ds, _w), _o), p in zip(pieces, parts, strict=False)]
                    assert held.tolist() == [
                        int(d) + o for (h, _p), (_x, o) in zip(expected, pieces, strict=True) for d in h
                    ]
                    assert positions.tolist() == [int(x) for _h, ps in expected for x in ps]
                    positioned += len(positions)
    assert checked > 1000 and positioned > checked
    # The commit without its second segment (as if merged away): groups holding it do not fit.
    first_group = next(u for u in units if u.arrays is not None)
    gone = segments[first_group.first + 1]
    shorter = [s for s in segments if s != gone]
    assert all(u.arrays is None or gone[0] not in u.arrays.members for u in commit_units(copy, shorter))
    before = {p.name for p in copy.glob("*.g*." + EXTENSION)}
    write_groups(copy, shorter, set(), factor=2)
    after = {p.name for p in copy.glob("*.g*." + EXTENSION)}
    assert after < before and all(gone[0] not in SegmentArrays.open_file(copy / n, None).members for n in after)


def test_commits_group_settled_segments(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Indexing groups the arrays of segments merging will leave alone after its commits (here
    with small settled segments and groups of two), and searches answer as without groups."""
    from berita_search.index import postings_arrays, writer

    monkeypatch.setattr(writer, "MAX_MERGED_ARTICLES", 1000)  # segments of 250 are settled
    monkeypatch.setattr(postings_arrays, "GROUP_FACTOR", 2)
    rows = list(itertools.islice(CLICKID_JSONL.open(encoding="utf-8"), 1000))
    source = tmp_path / "rows.jsonl"
    source.write_text("".join(rows), encoding="utf-8")
    index_records(tmp_path / "index", read_paths([source]), batch_size=250)
    groups = sorted((tmp_path / "index").glob("*.g*." + EXTENSION))
    assert len(groups) == 1  # four segments: two groups of two, merged into a group of those
    backend = WhooshBackend(tmp_path / "index")
    with backend.snapshot() as snap:
        view = snap.view()
        assert len(view.units) == 1 and view.units[0][0] is not None and view.units[0][0].level == 2
        for text in ("presiden", "jakarta banjir", '"joko widodo"', "polisi -jakarta"):
            parsed = parse_query(text, backend.stemmer)
            query = Compiler(snap.searcher).ranking(parsed.plan, tuple(parsed.proximity), bool(parsed.phrases))
            expected = _whoosh_ranking(snap.searcher, query)
            docs, scores = snap.ranked(query, None, _Deadline(None))
            assert dict(zip(docs.tolist(), scores.tolist(), strict=True)) == pytest.approx(dict(expected), rel=1e-12)
            assert len(docs) > 0, text
    backend.close()
