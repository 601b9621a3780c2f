"""The research workflow's commands: saved searches (save, saved, unsave, watch), collections
(collect, collections, collection), full exports (export), batch search (batch) and
citations (cite). Registered on the ``berita-search`` group by ``search.cli``."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import click
from berita_search.index.writer import index_dir_from
from berita_search.search import citation
from berita_search.search.batch import MAX_LINES, batch_search, read_names
from berita_search.search.cli import (
    EXIT_NO_HITS,
    EXIT_OK,
    SORT_CHOICE,
    UsageFailure,
    backend_options,
    cli,
    index_option,
    open_engine,
)
from berita_search.search.engine import Hit, SearchEngine
from berita_search.search.fullexport import FULL_KEYS, full_csv_chunks, full_rows, write_full_xlsx
from berita_search.search.output import csv_chunks, json_line, write_xlsx
from berita_search.search.requests import RequestError, SearchRequest, filter_values
from berita_search.search.state import STATE_ENV, StateError, StateStore, state_path
from berita_search.search.workflow import (
    COLLECTION_KEYS,
    NotFoundError,
    SavedSearch,
    Workflow,
    collection_rows,
    find_article,
)

state_option = click.option(
    "--state",
    "state_file",
    metavar="FILE",
    envvar=STATE_ENV,
    help=f"Saved searches and collections (default: ${STATE_ENV} or DIR.workflow.sqlite3 beside the index folder).",
)


class NotFoundFailure(click.ClickException):
    exit_code = EXIT_NO_HITS


def _filters(function: Callable[..., Any]) -> Callable[..., Any]:
    """The search options every workflow command that takes a search shares."""
    for option in reversed(
        [
            click.option("--sort", default="relevance", show_default=True, type=SORT_CHOICE),
            click.option(
                "--from", "date_from", metavar="DATE", help="Published on or after (2023-08-31, 2023-08, 2023)."
            ),
            click.option("--to", "date_to", metavar="DATE", help="Published on or before."),
            click.option("--reporter", help="Reporter name (any of its parts, any case)."),
            click.option("--category", help="Category (rubrik), exact, any case."),
            click.option("--source", help="Publisher, exact, any case."),
            click.option("--no-collapse", is_flag=True, help="Count near-duplicate copies as separate hits."),
        ]
    ):
        function = option(function)
    return function


def _params(query: str, options: dict[str, Any]) -> dict[str, str]:
    """The search as URL parameters (the form a saved search keeps)."""
    pairs = {
        "q": query,
        "from": options.get("date_from") or "",
        "to": options.get("date_to") or "",
        "reporter": options.get("reporter") or "",
        "category": options.get("category") or "",
        "source": options.get("source") or "",
        "sort": options.get("sort") or "relevance",
    }
    if options.get("no_collapse"):
        pairs["collapse"] = "0"
    return {k: v for k, v in pairs.items() if v and not (k == "sort" and v == "relevance")}


def _request(query: str, options: dict[str, Any]) -> SearchRequest:
    request = SearchRequest(
        q=query,
        sort=options.get("sort") or "relevance",
        date_from=options.get("date_from"),
        date_to=options.get("date_to"),
        reporter=filter_values(options.get("reporter")),
        category=filter_values(options.get("category")),
        source=filter_values(options.get("source")),
        collapse=not options.get("no_collapse"),
        facets=False,
    )
    try:
        request.validate()
    except RequestError as exc:
        raise UsageFailure(exc.text("en")) from None
    return request


def _workflow(index_dir: str | None, state_file: str | None) -> Workflow:
    engine = open_engine(index_dir)
    try:
        path = state_path(state_file, index_dir_from(index_dir))
    except StateError as exc:
        raise click.ClickException(str(exc)) from None
    return Workflow(engine, StateStore(path))


def _run(action: Callable[[], Any]) -> Any:
    """Errors of the workflow as one line: not found (exit 1), bad input (exit 2), state file (exit 1)."""
    try:
        return action()
    except NotFoundError as exc:
        raise NotFoundFailure(exc.text("en")) from None
    except RequestError as exc:
        raise UsageFailure(exc.text("en")) from None
    except StateError as exc:
        raise click.ClickException(str(exc)) from None


def _describe(saved: SavedSearch) -> str:
    parts = [f"“{saved.query}”"] if saved.query else []
    labels = {"from": "from", "to": "to", "reporter": "reporter", "category": "category", "source": "source"}
    parts += [f"{label} {saved.params[key]}" for key, label in labels.items() if saved.params.get(key)]
    if saved.params.get("sort"):
        parts.append(f"sorted {saved.params['sort']}")
    if saved.params.get("collapse") == "0":
        parts.append("copies shown")
    return ", ".join(parts)


def _hit_line(hit: Hit) -> str:
    meta = " · ".join(m for m in (hit.published_display, hit.source) if m)
    return f"  {hit.id}  {hit.title or '(untitled)'}  ({meta})"


# ---------------------------------------------------------------- saved searches


@cli.command("save")
@index_option
@backend_options
@state_option
@click.argument("name")
@click.argument("query", required=False, default="")
@_filters
def save_command(index_dir: str | None, state_file: str | None, name: str, query: str, **options: Any) -> None:
    """Save a search under NAME; `watch` then lists what is new to it."""
    workflow = _workflow(index_dir, state_file)
    saved = _run(lambda: workflow.save_search(name, _params(query, options)))
    click.echo(f"Saved search {saved.id} “{saved.name}”: {_describe(saved)}. New matches are counted from now.")


@cli.command("saved")
@index_option
@backend_options
@state_option
@click.option("--json", "as_json", is_flag=True, help="One JSON object per saved search per line.")
def saved_command(index_dir: str | None, state_file: str | None, as_json: bool) -> None:
    """List the saved searches, with how many matches are new since the last look."""
    workflow = _workflow(index_dir, state_file)
    searches = _run(workflow.saved_searches)
    if not searches and not as_json:
        click.echo(f"No saved searches in {workflow.store.path}.")
        return
    for saved in searches:
        new = _run(functools.partial(workflow.whats_new, saved, limit=1))
        if as_json:
            row = {
                "id": saved.id,
                "name": saved.name,
                "params": saved.params,
                "created_at": saved.created_at,
                "seen_at": saved.seen_at,
                "new": new.count,
            }
            click.echo(json_line(row))
        else:
            click.echo(f"{saved.id}. {saved.name}: {_describe(saved)}; {new.count:,} new since {saved.seen_at or '-'}")


@cli.command("unsave")
@index_option
@backend_options
@state_option
@click.argument("ref")
def unsave_command(index_dir: str | None, state_file: str | None, ref: str) -> None:
    """Remove a saved search (by number or name)."""
    workflow = _workflow(index_dir, state_file)
    saved = _run(lambda: workflow.remove_search(ref))
    click.echo(f"Removed saved search {saved.id} “{saved.name}”.")


@cli.command("watch")
@index_option
@backend_options
@state_option
@click.argument("refs", nargs=-1)
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 100), help="New hits listed per search.")
@click.option("--peek", is_flag=True, help="List without marking the new matches as seen.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per new hit per line.")
def watch_command(
    index_dir: str | None, state_file: str | None, refs: tuple[str, ...], limit: int, peek: bool, as_json: bool
) -> None:
    """What is new to each saved search (or to REFS) since the last look: the matching articles
    that later commits of the index added or changed. Marks them seen unless --peek. Exit
    status 0 when something is new, 1 when nothing is."""
    workflow = _workflow(index_dir, state_file)
    searches = (
        [_run(functools.partial(workflow.saved_search, r)) for r in refs] if refs else _run(workflow.saved_searches)
    )
    if not searches:
        click.echo(
            f"No saved searches in {workflow.store.path} (save one with 'berita-search save NAME QUERY').", err=True
        )
        sys.exit(EXIT_NO_HITS)
    anything = False
    for saved in searches:
        new = _run(functools.partial(workflow.whats_new, saved, limit=limit))
        anything = anything or new.count > 0
        if as_json:
            for hit in new.result.hits:
                click.echo(
                    json_line(
                        {
                            "saved_search": saved.id,
                            "name": saved.name,
                            "id": hit.id,
                            "title": hit.title,
                            "url": hit.url,
                            "source": hit.source,
                            "published": hit.published,
                        }
                    )
                )
        else:
            since = saved.seen_at or saved.created_at
            click.echo(f"{saved.id}. {saved.name} ({_describe(saved)}): {new.count:,} new since {since}")
            for hit in new.result.hits:
                click.echo(_hit_line(hit))
            if new.count > len(new.result.hits):
                click.echo(f"  ... and {new.count - len(new.result.hits):,} more")
        if not peek:
            _run(functools.partial(workflow.mark_seen, saved, new.upto))
    sys.exit(EXIT_OK if anything else EXIT_NO_HITS)


# ---------------------------------------------------------------- collections


@cli.command("collect")
@index_option
@backend_options
@state_option
@click.argument("collection")
@click.argument("article")
@click.option("--note", default="", help="Why this article matters (at most 2,000 characters).")
@click.option("--tag", "tags", multiple=True, help="A tag (repeat, or separate with commas; at most 10).")
def collect_command(
    index_dir: str | None, state_file: str | None, collection: str, article: str, note: str, tags: tuple[str, ...]
) -> None:
    """Keep ARTICLE (an id, a unique id prefix or its URL) in COLLECTION, made if missing.
    Collecting it again replaces its note and tags."""
    workflow = _workflow(index_dir, state_file)
    info, record, added = _run(lambda: workflow.add_to_collection(collection, article, note, list(tags)))
    verb = "Added" if added else "Updated"
    click.echo(f"{verb} {record.id} “{record.title}” in collection {info.id} “{info.name}” ({info.items:,} articles).")


@cli.command("collections")
@index_option
@backend_options
@state_option
@click.option("--json", "as_json", is_flag=True)
def collections_command(index_dir: str | None, state_file: str | None, as_json: bool) -> None:
    """List the collections."""
    workflow = _workflow(index_dir, state_file)
    found = _run(workflow.collections)
    if not found and not as_json:
        click.echo(f"No collections in {workflow.store.path}.")
    for info in found:
        if as_json:
            click.echo(
                json_line({"id": info.id, "name": info.name, "created_at": info.created_at, "items": info.items})
            )
        else:
            click.echo(f"{info.id}. {info.name}: {info.items:,} articles (since {info.created_at})")


@cli.command("collection")
@index_option
@backend_options
@state_option
@click.argument("ref")
@click.option("--remove", "remove_article", metavar="ARTICLE", help="Take an article (id) out of the collection.")
@click.option("--delete", is_flag=True, help="Delete the whole collection.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per article per line.")
@click.option("--csv", "as_csv", is_flag=True, help="CSV (UTF-8 with BOM) with the note, tags and full text.")
@click.option("--xlsx", "xlsx_file", metavar="FILE", type=click.Path(dir_okay=False), help="Write a workbook to FILE.")
def collection_command(
    index_dir: str | None,
    state_file: str | None,
    ref: str,
    remove_article: str | None,
    delete: bool,
    as_json: bool,
    as_csv: bool,
    xlsx_file: str | None,
) -> None:
    """Show a collection (by number or name): its articles with notes and tags."""
    if sum([as_json, as_csv, xlsx_file is not None, remove_article is not None, delete]) > 1:
        raise UsageFailure("choose one of --remove, --delete, --json, --csv and --xlsx")
    workflow = _workflow(index_dir, state_file)
    if delete:
        info = _run(lambda: workflow.delete_collection(ref))
        click.echo(f"Deleted collection {info.id} “{info.name}” ({info.items:,} articles).")
        return
    if remove_article is not None:
        info = _run(lambda: workflow.remove_from_collection(ref, remove_article))
        click.echo(f"Removed {remove_article} from collection “{info.name}” ({info.items:,} articles left).")
        return
    kept = _run(lambda: workflow.collection(ref))
    rows = list(collection_rows(kept))
    if as_json:
        for row in rows:
            click.echo(json_line(row))
    elif as_csv:
        for chunk in csv_chunks([rows], bom=True, keys=COLLECTION_KEYS):
            sys.stdout.write(chunk)
    elif xlsx_file is not None:
        try:
            written = write_xlsx([rows], xlsx_file, keys=COLLECTION_KEYS)
        except OSError as exc:
            raise UsageFailure(f"cannot write {xlsx_file}: {exc.strerror or exc}") from None
        click.echo(f"berita-search: {written:,} articles written to {xlsx_file}", err=True)
    else:
        click.echo(f"{kept.info.id}. {kept.info.name}: {kept.info.items:,} articles")
        for item in kept.items:
            record = item.article
            title = record.title if record else f"{item.title} (no longer in the index)"
            day = record.published_display if record else (item.published or "")
            click.echo(f"\n  {item.article_id}  {title}")
            click.echo("    " + " · ".join(p for p in (day, record.source if record else item.source) if p))
            if item.tags:
                click.echo(f"    tags: {', '.join(item.tags)}")
            if item.note:
                for line in item.note.splitlines():
                    click.echo(f"    note: {line}")


# ---------------------------------------------------------------- full exports


EXPORT_FORMATS = ("csv", "csv-semicolon", "xlsx", "jsonl")


@cli.command("export")
@index_option
@backend_options
@click.argument("query", required=False, default="")
@_filters
@click.option(
    "--format",
    "export_format",
    default="csv",
    show_default=True,
    type=click.Choice(EXPORT_FORMATS),
    help="csv (UTF-8 with BOM), csv-semicolon (for spreadsheets in an Indonesian locale), xlsx, jsonl.",
)
@click.option("-o", "--output", metavar="FILE", type=click.Path(dir_okay=False), help="Write to FILE (xlsx needs one).")
def export_command(index_dir: str | None, query: str, export_format: str, output: str | None, **options: Any) -> None:
    """Every hit of a search with its full text, however many, streamed."""
    if not query.strip() and not any(
        options.get(k) for k in ("date_from", "date_to", "reporter", "category", "source")
    ):
        raise UsageFailure("give a query or a filter (--reporter, --category, --source, --from, --to)")
    if export_format == "xlsx" and output is None:
        raise UsageFailure("--format xlsx needs --output FILE")
    request = _request(query, options)
    engine = open_engine(index_dir)
    rows = full_rows(engine, request)
    counted = [0]

    def counting(source: Any) -> Any:
        for row in source:
            counted[0] += 1
            yield row

    try:
        if export_format == "xlsx":
            assert output is not None
            write_full_xlsx(counting(rows), output)
        else:
            stream = open(output, "w", encoding="utf-8", newline="") if output else sys.stdout  # noqa: SIM115
            try:
                if export_format == "jsonl":
                    for row in counting(rows):
                        stream.write(json_line(row) + "\n")
                else:
                    delimiter = ";" if export_format == "csv-semicolon" else ","
                    for chunk in full_csv_chunks(counting(rows), delimiter=delimiter):
                        stream.write(chunk)
            finally:
                if output:
                    stream.close()
    except OSError as exc:
        raise UsageFailure(f"cannot write {output or 'the output'}: {exc.strerror or exc}") from None
    click.echo(f"berita-search: {counted[0]:,} articles exported ({', '.join(FULL_KEYS)})", err=True)
    sys.exit(EXIT_OK if counted[0] else EXIT_NO_HITS)


# ---------------------------------------------------------------- batch search


@cli.command("batch")
@index_option
@backend_options
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--column", metavar="NAME", help="Read the names from this column of a CSV file (header row).")
@click.option("--as-query", is_flag=True, help="Read each line in the query language instead of as a phrase.")
@_filters
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line of the list.")
@click.option("--csv", "as_csv", is_flag=True, help="CSV (UTF-8 with BOM).")
@click.option(
    "--base-url",
    default="http://127.0.0.1:8000",
    show_default=True,
    help="Where 'berita-search serve' answers, for links.",
)
def batch_command(
    index_dir: str | None,
    file: Path,
    column: str | None,
    as_query: bool,
    as_json: bool,
    as_csv: bool,
    base_url: str,
    **options: Any,
) -> None:
    """Check a list of names or phrases (one a line, or a CSV column) against the archive: hits,
    first and last dates and top outlets of each. At most 1,000 lines."""
    if as_json and as_csv:
        raise UsageFailure("choose one of --json and --csv")
    try:
        listed = file.read_bytes()
    except OSError as exc:
        raise UsageFailure(f"cannot read {file}: {exc.strerror or exc}") from None
    names = _run(
        lambda: read_names(listed, column, csv_file=file.suffix.lower() in (".csv", ".tsv"), max_lines=MAX_LINES)
    )
    template = _request("", options)
    engine: SearchEngine = open_engine(index_dir)
    base = base_url.rstrip("/")
    rows = batch_search(engine, names, template, as_query=as_query)
    if as_csv:
        from berita_search.search.batch import BATCH_KEYS

        def pages() -> Any:
            for row in rows:
                data = row.as_dict()
                data["link"] = base + data["link"]
                yield [data]

        for chunk in csv_chunks(pages(), bom=True, keys=BATCH_KEYS):
            sys.stdout.write(chunk)
        return
    width = max(len(name) for _, name in names)
    found = 0
    for row in rows:
        found += row.articles > 0
        data = row.as_dict()
        data["link"] = base + data["link"]
        if as_json:
            click.echo(json_line(data))
            continue
        span = f"{(row.first or '')[:10]} to {(row.last or '')[:10]}" if row.first else "-"
        click.echo(
            f"{row.name:<{width}}  {row.articles:>6,} articles  {row.stories:>6,} stories  {span:<24}  "
            f"{data['top_sources'] or '-'}"
        )
    if not as_json:
        click.echo(f"\n{found:,} of {len(names):,} lines found in the archive.", err=True)


# ---------------------------------------------------------------- citations


@cli.command("cite")
@index_option
@backend_options
@click.argument("article")
@click.option("--style", default="plain", show_default=True, type=click.Choice(citation.STYLES))
@click.option("--accessed", metavar="DATE", help="The day accessed (2024-12-05) [default: today in Jakarta].")
def cite_command(index_dir: str | None, article: str, style: str, accessed: str | None) -> None:
    """A citation of ARTICLE (an id, a unique id prefix or its URL): plain, BibTeX or CSL-JSON."""
    day = None
    if accessed:
        try:
            day = date.fromisoformat(accessed)
        except ValueError:
            raise UsageFailure(f"unreadable --accessed date {accessed!r} (write 2024-12-05)") from None
    engine = open_engine(index_dir)
    record = _run(lambda: find_article(engine, article))
    click.echo(citation.cite(record, style, day))
