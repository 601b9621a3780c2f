"""Verifying an index: every segment opens, every document reads, ids are unique; and files
that no table of contents names (left by interrupted runs) are counted, or removed."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from berita_search.index.orphans import IndexBusyError, Orphan, find_orphans, remove_orphans, run_lock, writer_at_work
from berita_search.index.postings_arrays import outdated_segments, write_missing
from berita_search.index.records import quote_name
from berita_search.index.whoosh_internals import committed_segments
from berita_search.index.writer import group_settled_segments
from whoosh import index as whoosh_index


@dataclass
class CheckReport:
    lines: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    orphans: list[Orphan] = field(default_factory=list)  # found, or removed with repair
    repaired: bool = False


def megabytes(orphans: list[Orphan]) -> str:
    return f"{sum(o.bytes for o in orphans) / 1e6:,.1f} MB"


def check_index(index_dir: Path, repair: bool = False) -> CheckReport:
    """Check the index; with ``repair``, also remove the files no table of contents names."""
    report = CheckReport()
    shown = quote_name(index_dir)
    if not index_dir.is_dir():
        report.problems.append(f"no index folder at {shown}")
        return report
    try:
        exists = whoosh_index.exists_in(str(index_dir))
    except Exception as exc:  # a damaged table of contents
        report.problems.append(f"the table of contents is unreadable: {type(exc).__name__}: {exc}")
        return report
    if not exists:
        report.problems.append(f"{shown} holds no index (no table of contents)")
        return report
    try:
        ix = whoosh_index.open_dir(str(index_dir))
        reader = ix.reader()
    except Exception as exc:
        report.problems.append(f"the index does not open: {type(exc).__name__}: {exc}")
        return report
    try:
        segments = committed_segments(ix)
        report.lines.append(f"Index: {shown} (generation {ix.latest_generation()}, {len(segments)} segments)")
        live = 0
        ids: set[str] = set()
        duplicates = 0
        for segment in segments:
            try:
                count = segment.doc_count()
                report.lines.append(
                    f"  segment {segment.segid}: {count:,} documents, {segment.deleted_count():,} deleted"
                )
            except Exception as exc:
                report.problems.append(f"segment {getattr(segment, 'segid', '?')} unreadable: {exc}")
        for docnum, stored in reader.iter_docs():
            live += 1
            article_id = stored.get("id")
            if not article_id:
                report.problems.append(f"document {docnum} has no id")
            elif article_id in ids:
                duplicates += 1
            else:
                ids.add(article_id)
        # Every term's postings must decode and point at documents that exist.
        terms = 0
        bad_terms: list[str] = []
        for fieldname, text in reader.all_terms():
            terms += 1
            try:
                for docnum in reader.postings(fieldname, text).all_ids():
                    if not 0 <= docnum < reader.doc_count_all():
                        raise ValueError(f"document {docnum} out of range")
            except Exception as exc:
                if len(bad_terms) < 5:
                    bad_terms.append(f"{fieldname}:{text!r} ({type(exc).__name__}: {exc})"[:200])
                else:
                    bad_terms.append("")
        if bad_terms:
            report.problems.append(f"{len(bad_terms):,} terms have unreadable postings, e.g. {bad_terms[0]}")
        report.lines.append(f"Terms: {terms:,} read")
        # Every live id must be findable through the id field's postings.
        missing = sum(1 for article_id in ids if not list(reader.postings("id", article_id).all_ids()))
        if duplicates:
            report.problems.append(f"{duplicates:,} documents share an id with another")
        if missing:
            report.problems.append(f"{missing:,} ids are stored but not searchable")
        if live != reader.doc_count():
            report.problems.append(f"read {live:,} documents but the index counts {reader.doc_count():,}")
        report.lines.append(f"Documents: {live:,} ({len(ids):,} distinct ids)")
        try:
            _unnamed_files(index_dir, repair, report)
        except Exception as exc:  # an older table of contents that does not read: count nothing
            report.lines.append(f"Unnamed files: not counted ({type(exc).__name__}: {exc})")
        if not report.problems:
            _search_arrays(index_dir, ix, repair, report)
        report.lines.append("OK" if not report.problems else "DAMAGED")
    except Exception as exc:
        report.problems.append(f"reading failed: {type(exc).__name__}: {exc}")
    finally:
        reader.close()
    return report


def _unnamed_files(index_dir: Path, repair: bool, report: CheckReport) -> None:
    """Count (or with ``repair`` remove) what interrupted runs left: space, not damage."""
    if writer_at_work(index_dir):
        report.lines.append("Unnamed files: not counted while a writer is at work")
        return
    if not repair:
        report.orphans = find_orphans(index_dir)
        if report.orphans:
            report.lines.append(
                f"Unnamed files: {len(report.orphans):,} ({megabytes(report.orphans)}) that no table of contents"
                " names, left by interrupted runs; 'berita-search check --repair' or the next"
                " 'berita-search index' removes them"
            )
        return
    try:
        with run_lock(index_dir):
            removed = remove_orphans(index_dir)
    except IndexBusyError:
        removed = None
    if removed is None:
        report.lines.append("Unnamed files: not removed, a writer started meanwhile")
        return
    report.orphans, report.repaired = removed, True
    report.lines.append(f"Unnamed files: removed {len(removed):,} ({megabytes(removed)})")


def _search_arrays(index_dir: Path, ix: whoosh_index.Index, repair: bool, report: CheckReport) -> None:
    """Segments whose postings arrays are missing or older than this version's (no positions,
    word pairs or empty fields) are searched correctly but more slowly, through Whoosh; with
    ``repair`` their arrays are written again and settled segments grouped again."""
    outdated = outdated_segments(ix, index_dir)
    if not outdated:
        return
    if not repair:
        report.lines.append(
            f"Search arrays: {len(outdated):,} of {len(committed_segments(ix)):,} segments have missing or older"
            " arrays, searched more slowly; 'berita-search check --repair' writes them (about a minute per"
            " 20,000 articles)"
        )
        return
    try:
        with run_lock(index_dir):
            written = write_missing(ix, index_dir, older=True)
            group_settled_segments(ix)
    except IndexBusyError:
        report.lines.append("Search arrays: not written, a writer started meanwhile")
        return
    report.repaired = True
    report.lines.append(f"Search arrays: written for {len(written):,} segments")
