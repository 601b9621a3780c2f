"""The berita-search command line: index, query, show, stats, check, serve (and the workflow's
commands of ``search.cli_workflow``)."""

from __future__ import annotations

import functools
import json
import re
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from berita_search.index.readers import (
    SUPPORTED_SUFFIXES,
    estimate_records,
    input_bytes,
    iter_files,
    quote_name,
    read_paths,
)
from berita_search.index.writer import (
    INDEX_ENV,
    IndexBusyError,
    IndexSummary,
    IndexWorkerError,
    default_workers,
    index_dir_from,
    index_records,
)
from berita_search.search.backends import BACKEND_ENV, BACKENDS, BackendChoice, choose_backend, open_backend
from berita_search.search.backends.opensearch_client import URL_ENV, OpenSearchUnavailable
from berita_search.search.coverage import CSV_KEYS as COVERAGE_CSV_KEYS
from berita_search.search.coverage import Coverage, CoverageService, Series
from berita_search.search.engine import CACHE_ENV, RESULT_CACHE_SIZE, SearchEngine, SearchResult
from berita_search.search.messages import Message
from berita_search.search.output import article_row, hit_row, json_line, rows_csv, write_csv, write_xlsx
from berita_search.search.quotes import CSV_KEYS as QUOTE_CSV_KEYS
from berita_search.search.requests import (
    DEFAULT_TOP,
    INTERVALS,
    MAX_TOP,
    SORTS,
    SPLITS,
    CoverageRequest,
    RequestError,
    SearchRequest,
)

EXIT_OK, EXIT_NO_HITS, EXIT_USAGE = 0, 1, 2
MAX_FAILURES_SHOWN = 200

index_option = click.option(
    "--index",
    "index_dir",
    metavar="DIR",
    envvar=INDEX_ENV,
    help=f"Index folder (default: ${INDEX_ENV} or ./berita-index).",
)


class UsageFailure(click.ClickException):
    """A one-line error with the usage exit code."""

    exit_code = EXIT_USAGE


def backend_options(command: Callable[..., None]) -> Callable[..., None]:
    """``--backend`` and ``--opensearch-url``: which backend a command uses (``current_backend``)."""

    @click.option(
        "--opensearch-url",
        metavar="URL",
        envvar=URL_ENV,
        help=f"OpenSearch node(s), comma-separated (default: ${URL_ENV} or http://127.0.0.1:9200).",
    )
    @click.option(
        "--backend",
        type=click.Choice(BACKENDS),
        envvar=BACKEND_ENV,
        help=f"Where the articles are: a Whoosh folder or an OpenSearch cluster (default: ${BACKEND_ENV} or whoosh).",
    )
    @functools.wraps(command)
    def run(*args: object, backend: str | None, opensearch_url: str | None, **kwargs: object) -> None:
        click.get_current_context().meta[_BACKEND_KEY] = (backend, opensearch_url)
        command(*args, **kwargs)

    return run


_BACKEND_KEY = "berita_search.backend"


def current_backend(index_dir: str | None) -> BackendChoice:
    """The backend the command line (or the environment) chose."""
    backend, url = click.get_current_context().meta.get(_BACKEND_KEY, (None, None))
    try:
        return choose_backend(backend, index_dir, url)
    except ValueError as exc:
        raise UsageFailure(str(exc)) from None


def open_engine(index_dir: str | None, cache_size: int = 0) -> SearchEngine:
    choice = current_backend(index_dir)
    where = choice.opensearch.location if choice.opensearch else choice.index_dir
    try:
        return SearchEngine(open_backend(choice), cache_size=cache_size)
    except FileNotFoundError as exc:
        raise UsageFailure(str(exc)) from None
    except OpenSearchUnavailable as exc:
        raise click.ClickException(str(exc)) from None
    except Exception as exc:  # a damaged or foreign folder
        raise UsageFailure(f"cannot open the index at {where}: {type(exc).__name__}: {exc}") from None


class _Commands(click.Group):
    """The command group, ending the product's way: one line for every error, never a traceback,
    exit 130 when interrupted. Tests invoke it in process and see what a user sees."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["standalone_mode"] = False
        try:
            return super().main(*args, **kwargs)
        except (click.exceptions.Abort, KeyboardInterrupt):
            click.echo("berita-search: interrupted", err=True)
            sys.exit(130)
        except click.ClickException as exc:
            click.echo(f"berita-search: error: {exc.format_message()}", err=True)
            sys.exit(exc.exit_code)
        except click.exceptions.Exit as exc:
            sys.exit(exc.exit_code)
        except BrokenPipeError:
            sys.exit(0)
        except Exception as exc:  # never a traceback for the user
            click.echo(f"berita-search: error: {type(exc).__name__}: {exc}", err=True)
            sys.exit(1)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="berita-search")
def cli() -> None:
    """Full-text search for Indonesian news archives."""


# ---------------------------------------------------------------- index


@cli.command("index")
@index_option
@backend_options
@click.option(
    "--batch-size",
    default=None,
    type=click.IntRange(1, 100_000),
    help="Articles per commit [default: 1,000; 6,000 with worker processes].",
)
@click.option(
    "--wait",
    "wait_seconds",
    default=0.0,
    type=click.FloatRange(0, 86_400),
    help="Seconds to wait for another writer to finish.",
)
@click.option(
    "--workers",
    default=None,
    type=click.IntRange(1, 64),
    help="Processes that analyse and write articles [default: one per core, up to 4; 1 for small inputs].",
)
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
def index_command(
    index_dir: str | None, batch_size: int | None, wait_seconds: float, workers: int | None, paths: tuple[Path, ...]
) -> None:
    """Add articles from files or folders (raw pages .txt, .jsonl, .csv, .xlsx)."""
    choice = current_backend(index_dir)
    target = choice.index_dir or index_dir_from(index_dir)
    files = [f for p in paths if p.exists() for f in iter_files(p)]
    if workers is None:
        workers = default_workers(input_bytes(files))
    show_bar = sys.stderr.isatty()  # logs and pipes get the summary, not a bar's label
    expected = (
        {quote_name(f): estimate_records(f) for f in files if f.suffix.lower() in SUPPORTED_SUFFIXES}
        if show_bar
        else {}
    )
    counted: dict[str, int] = {}
    with click.progressbar(
        length=sum(expected.values()) or 1,
        label="Indexing",
        file=sys.stderr,
        show_pos=False,
        show_percent=True,
        item_show_func=lambda text: text,
        hidden=not show_bar,
    ) as bar:
        current = [""]

        def progress(summary: IndexSummary, origin: str) -> None:
            file = re.split(r":(?:line|row|item) \d+$", origin)[0]
            if file != current[0]:
                # The previous file is done: its estimate may have been high (CSV rows span lines).
                previous = current[0]
                bar.update(max(0, expected.get(previous, 0) - counted.get(previous, 0)))
                current[0] = file
            if counted.get(file, 0) < expected.get(file, 0):
                bar.update(1)
            counted[file] = counted.get(file, 0) + 1
            if summary.seen % 100 == 0:
                bar.update(0, f"{summary.seen:,} articles")

        known_rows: dict[str, str] = {}  # filled by index_records: rows indexed before
        try:
            summary = _write_records(
                choice,
                read_paths(paths, known_rows),
                known_rows=known_rows,
                batch_size=batch_size,
                progress=progress,
                wait_seconds=wait_seconds,
                on_wait=lambda message: click.echo(f"berita-search: {message}", err=True),
                workers=workers,
            )
        except IndexWorkerError as exc:
            raise click.ClickException(f"{exc}; the batches committed before it are kept") from None
        except IndexBusyError as exc:
            raise click.ClickException(f"{exc}; try again later or pass --wait SECONDS") from None
        except OpenSearchUnavailable as exc:
            raise click.ClickException(str(exc)) from None
        except OSError as exc:
            raise click.ClickException(
                f"cannot write the index at {quote_name(target)}: {exc.strerror or exc}"
            ) from None
    _print_summary(summary, choice.opensearch.location if choice.opensearch else target)
    if summary.failed:
        sys.exit(1)


def _write_records(choice: BackendChoice, records: Any, workers: int = 1, **options: Any) -> IndexSummary:
    """``index_records`` into the chosen backend. On a cluster, analysis runs in this process
    and bulk requests in a thread (``workers`` is for Whoosh's segment writers)."""
    if choice.opensearch is None:
        assert choice.index_dir is not None
        return index_records(choice.index_dir, records, workers=workers, **options)
    from berita_search.search.backends.opensearch_client import explain_failure
    from berita_search.search.backends.opensearch_writer import index_records_opensearch

    try:
        return index_records_opensearch(choice.opensearch, records, **options)
    except (OpenSearchUnavailable, IndexBusyError):
        raise
    except Exception as exc:  # the cluster failed mid-run: what it acknowledged is kept
        message = explain_failure(choice.opensearch, exc)
        raise OpenSearchUnavailable(f"{message}; the batches acknowledged before are kept") from None


def _print_summary(summary: IndexSummary, target: Path | str) -> None:
    """The summary; every file name in it is printed through quote_name (in the records'
    origins too), so no name can forge a line."""
    echo = click.echo
    echo(
        f"Indexed into {quote_name(target)} in {summary.seconds:.1f} s: added {summary.added:,}, updated {summary.updated:,}, "
        f"unchanged {summary.unchanged:,}, duplicates {summary.duplicates:,}, failed {len(summary.failed):,}"
    )
    if summary.dates_flagged:
        echo(f"Dates flagged (kept; see date_note): {summary.dates_flagged:,}")
    if summary.orphans_removed:
        removed = summary.orphans_removed
        echo(
            f"Removed {len(removed):,} files ({sum(o.bytes for o in removed) / 1e6:,.1f} MB) "
            "that interrupted runs had left"
        )
    if summary.skipped:
        first = summary.skipped[0]
        echo(f"Skipped {len(summary.skipped):,} files that hold no articles, e.g. {first.origin} ({first.reason})")
    for note in summary.notes[:MAX_FAILURES_SHOWN]:
        echo(f"  note: {note.origin}: {note.reason}", err=True)
    for duplicate in summary.duplicate_of[:MAX_FAILURES_SHOWN]:
        echo(f"  duplicate: {duplicate.origin}: {duplicate.reason}", err=True)
    for failure in summary.failed[:MAX_FAILURES_SHOWN]:
        echo(f"  failed: {failure.origin}: {failure.reason}", err=True)
    if len(summary.failed) > MAX_FAILURES_SHOWN:
        echo(f"  ... and {len(summary.failed) - MAX_FAILURES_SHOWN:,} more failures", err=True)


# ---------------------------------------------------------------- query


SORT_CHOICE = click.Choice(SORTS)
FACET_MISSING = {
    "category": "no category",
    "desk": "no desk",
    "reporter": "no reporter",
    "source": "no source",
    "year": "undated",
}


def date_options(command: Callable[..., None]) -> Callable[..., None]:
    """--from and --to: the publication dates a search keeps to."""
    command = click.option("--to", "date_to", metavar="DATE", help="Published on or before.")(command)
    return click.option(
        "--from", "date_from", metavar="DATE", help="Published on or after (2023-08-31, 2023-08, 2023)."
    )(command)


def filter_options(command: Callable[..., None]) -> Callable[..., None]:
    """--reporter, --category, --source and --desk, each repeatable: any of a filter's values."""
    for name, text in reversed(
        [
            ("reporter", "Reporter name (any of its parts, any case)."),
            ("category", "Category (rubrik), exact, any case."),
            ("source", "Publisher, exact, any case."),
            ("desk", "Common desk across outlets (Nasional, Olahraga, ...), exact, any case."),
            ("person", "Person named in the article, canonical name (Joko Widodo), exact, any case."),
            ("organisation", "Organisation named in the article, canonical name, exact, any case."),
            ("place", "Place named in the article, canonical name, exact, any case."),
        ]
    ):
        command = click.option(f"--{name}", multiple=True, help=f"{text} Repeat for any of several.")(command)
    return command


@cli.command("query")
@index_option
@backend_options
@click.argument("query", required=False, default="")
@click.option("--limit", default=10, show_default=True, type=int, help="Hits per page (1-100).")
@click.option("--page", default=1, show_default=True, type=int, help="Page number (1-100).")
@click.option("--sort", default="relevance", show_default=True, type=SORT_CHOICE)
@date_options
@filter_options
@click.option(
    "--facets", is_flag=True, help="Print article counts by category, desk, reporter, source, year and month."
)
@click.option("--no-collapse", is_flag=True, help="Show near-duplicate copies as separate hits.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per hit per line.")
@click.option("--csv", "as_csv", is_flag=True, help="CSV with a header row, for spreadsheets.")
@click.option("--xlsx", "xlsx_file", metavar="FILE", type=click.Path(dir_okay=False), help="Write the hits to FILE.")
def query_command(
    index_dir: str | None,
    query: str,
    limit: int,
    page: int,
    sort: str,
    date_from: str | None,
    date_to: str | None,
    facets: bool,
    no_collapse: bool,
    as_json: bool,
    as_csv: bool,
    xlsx_file: str | None,
    **filters: tuple[str, ...],
) -> None:
    """Search the index. Exit status: 0 with hits, 1 with none, 2 for usage errors."""
    if sum([as_json, as_csv, xlsx_file is not None]) > 1:
        raise UsageFailure("choose one of --json, --csv and --xlsx")
    machine = as_json or as_csv or xlsx_file is not None
    request = SearchRequest(
        q=query,
        page=page,
        limit=limit,
        sort=sort,
        date_from=date_from,
        date_to=date_to,
        collapse=not no_collapse,
        facets=facets or not machine,
        **filters,  # type: ignore[arg-type]
    )
    if not query.strip() and not request.has_filters:
        raise UsageFailure(
            "give a query or a filter (--reporter, --category, --desk, --source, --person, --from, --to)"
        )
    try:
        request.validate()
    except RequestError as exc:
        raise UsageFailure(exc.text("en")) from None
    engine = open_engine(index_dir)
    result = engine.search(request)
    for message in result.messages:
        _note(message)
    if result.past_end:
        _note(Message.of("page_past_end", page=request.page, last_page=result.last_page))
        sys.exit(EXIT_NO_HITS)
    rows = [hit_row(hit, result.ranked) for hit in result.hits]
    if as_json:
        for row in rows:
            click.echo(json_line(row))
    elif as_csv:
        write_csv(rows, sys.stdout)
    elif xlsx_file is not None:
        try:
            written = write_xlsx([rows], xlsx_file)
        except OSError as exc:
            raise UsageFailure(f"cannot write {xlsx_file}: {exc.strerror or exc}") from None
        click.echo(f"berita-search: {written:,} hits written to {xlsx_file}", err=True)
    else:
        _print_results(result, show_facets=facets)
    if result.suggestion and machine:
        click.echo(f"note: did you mean: {result.suggestion}", err=True)
    sys.exit(EXIT_OK if result.hits else EXIT_NO_HITS)


@cli.command("quotes")
@index_option
@backend_options
@click.argument("query", required=False, default="")
@date_options
@filter_options
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 10_000), help="Quotes printed.")
@click.option("--json", "as_json", is_flag=True, help="Every quote, one JSON object per line.")
@click.option("--csv", "as_csv", is_flag=True, help="Every quote as CSV with a header row.")
def quotes_command(
    index_dir: str | None,
    query: str,
    date_from: str | None,
    date_to: str | None,
    limit: int,
    as_json: bool,
    as_csv: bool,
    **filters: tuple[str, ...],
) -> None:
    """Who said what: the quotes of the matching articles, newest first. Parts of the query on
    speaker:/pembicara: and quote:/kutipan: are matched quote by quote. Exit status: 0 with
    quotes, 1 with none, 2 for usage errors."""
    if as_json and as_csv:
        raise UsageFailure("choose one of --json and --csv")
    request = SearchRequest(q=query, date_from=date_from, date_to=date_to, **filters)  # type: ignore[arg-type]
    try:
        _parsed, result = open_engine(index_dir).quotes(request)
    except RequestError as exc:
        raise UsageFailure(exc.text("en")) from None
    for message in result.messages:
        _note(message)
    if as_json:
        for row in result.rows():
            click.echo(json_line(row))
    elif as_csv:
        sys.stdout.write(rows_csv(QUOTE_CSV_KEYS, result.rows(), bom=False))
    else:
        click.echo(f"{result.total:,} quotes in {result.articles:,} articles")
        for hit in result.quotes[:limit]:
            speaker = hit.quote.speaker or hit.quote.as_written or "(speaker not found)"
            click.echo(f"\n{speaker} ({hit.quote.kind}), {hit.published_display} · {hit.source}")
            click.echo(f"   {hit.quote.text}")
            click.echo(f"   article {hit.article_id}, paragraph {hit.quote.paragraph + 1}: {hit.title}")
        if result.total > limit:
            click.echo(f"\n... {result.total - limit:,} more (--limit, --json or --csv for all)")
    sys.exit(EXIT_OK if result.quotes else EXIT_NO_HITS)


def _note(message: Message) -> None:
    click.echo(f"note: {message.text('en')}", err=True)


def _counts(result: SearchResult) -> str:
    """The headline's numbers with their units: stories and articles, or articles alone."""
    if result.request.collapse:
        return f"{result.stories:,} stories, {result.articles:,} articles"
    return f"{result.articles:,} articles"


def _print_results(result: SearchResult, show_facets: bool) -> None:
    color = sys.stdout.isatty()
    request = result.request
    if result.total:
        click.echo(
            f"{_counts(result)} for “{request.q}” ({result.first:,}–{result.last:,}, "
            f"page {request.page} of {result.last_page})"
        )
    else:
        click.echo(f"No results for “{request.q}”.")
    if result.suggestion:
        click.echo(f"Did you mean: {result.suggestion}")
    if result.as_reporter:
        name, articles = result.as_reporter
        click.echo(f'Search as a reporter: --reporter "{name}" ({articles:,} articles)')
    for number, hit in enumerate(result.hits, result.first):
        click.echo("")
        title = click.style(hit.title, bold=True) if color else hit.title
        click.echo(f"{number}. {title}")
        meta = [hit.published_display, hit.reporter, hit.category, hit.source]
        click.echo("   " + " · ".join(m for m in meta if m))
        snippet = hit.snippet.ansi() if color else hit.snippet.plain()
        if snippet:
            click.echo(f"   {snippet}")
        if hit.duplicates:
            click.echo(f"   (+{hit.duplicates} similar copies hidden; --no-collapse shows them)")
        click.echo(f"   id: {hit.id}" + (f"  {hit.url}" if hit.url else ""))
    if show_facets and result.total:
        click.echo("\nArticle counts:")
        for name, items in result.facets.items():
            lacking = result.missing(name)
            shown = [f"{k} ({v:,})" for k, v in items[:10]]
            if lacking:
                shown.append(f"({FACET_MISSING.get(name, 'undated')}) ({lacking:,})")
            if shown:
                click.echo(f"{name}: " + ", ".join(shown))


# ---------------------------------------------------------------- timeline


GLYPHS = "█▓▒░▚▞▙▛▜▟#"  # one per stacked series (others last); colours too on a terminal
COLOURS = ("blue", "yellow", "green", "magenta", "cyan", "red", "bright_blue", "bright_yellow", "bright_green")


@cli.command("timeline")
@index_option
@backend_options
@click.argument("query", required=False, default="")
@click.option("--compare", multiple=True, metavar="QUERY", help="Another search on the same chart (up to four).")
@click.option("--by", type=click.Choice(SPLITS), help="Split each search by a facet's values.")
@click.option("--interval", type=click.Choice(INTERVALS), help="Period of each bar [default: picked by the span].")
@click.option("--normalise", "--normalize", "normalise", is_flag=True, help="Share of all articles, not counts.")
@click.option(
    "--top", default=DEFAULT_TOP, show_default=True, type=int, help=f"Values of --by drawn apart (1-{MAX_TOP})."
)
@click.option("--from", "date_from", metavar="DATE", help="First period (2019-09-01, 2019-09, 2019).")
@click.option("--to", "date_to", metavar="DATE", help="Last period.")
@filter_options
@click.option("--json", "as_json", is_flag=True, help="Every series as one JSON object.")
@click.option("--csv", "as_csv", is_flag=True, help="One CSV row per series and period.")
def timeline_command(
    index_dir: str | None,
    query: str,
    compare: tuple[str, ...],
    by: str | None,
    interval: str | None,
    normalise: bool,
    top: int,
    date_from: str | None,
    date_to: str | None,
    as_json: bool,
    as_csv: bool,
    **filters: tuple[str, ...],
) -> None:
    """Articles over time: per day, week, month or year, split by outlet (or desk, category,
    reporter), as a share of all articles, several searches side by side. Periods are the days of
    the articles' datelines (Asia/Jakarta for WIB); exit status 0 with articles, 1 without."""
    if as_json and as_csv:
        raise UsageFailure("choose one of --json and --csv")
    kept = SearchRequest(date_from=date_from, date_to=date_to, **filters)  # type: ignore[arg-type]
    request = CoverageRequest(
        queries=(query, *compare),
        filters=kept,
        interval=interval or "",
        by=by or "",
        top=top,
        share=normalise,
    )
    if not any(q.strip() for q in request.queries) and not kept.has_filters:
        raise UsageFailure("give a query or a filter (--source, --category, --desk, --reporter, --from, --to)")
    try:
        request.validate()
    except RequestError as exc:
        raise UsageFailure(exc.text("en")) from None
    coverage = CoverageService(open_engine(index_dir), cache_size=0).coverage(request, budget=None)
    for message in coverage.messages:
        _note(message)
    if as_json:
        click.echo(json.dumps(coverage.document("en"), ensure_ascii=False))
    elif as_csv:
        sys.stdout.write(rows_csv(COVERAGE_CSV_KEYS, coverage.rows(), bom=False))
    else:
        _print_timeline(coverage, normalise)
    sys.exit(EXIT_OK if any(s.articles for s in coverage.searches) else EXIT_NO_HITS)


def _print_timeline(coverage: Coverage, share: bool) -> None:
    color = sys.stdout.isatty()
    width = shutil.get_terminal_size((100, 24)).columns
    for search in coverage.searches:
        name = f"“{search.query}”" if search.query else "(filters only)"
        undated = f" ({search.undated:,} undated, in no period)" if search.undated else ""
        click.echo(f"{name}: {search.articles:,} articles{undated}")
    if not coverage.periods:
        click.echo("No dated article to draw.")
        return
    how = "auto" if coverage.auto else "asked"
    measure = "share of all articles" if share else "articles"
    span = f"{coverage.periods[0].first} to {coverage.periods[-1].last}"
    click.echo(f"{measure.capitalize()} per {coverage.interval} ({how}), {span}, {len(coverage.periods)} periods")
    label_width = max(len(p.date_from) for p in coverage.periods)
    stacked = not share and len(coverage.searches) == 1
    if stacked:
        _print_stacked(coverage, label_width, width, color)
    else:
        _print_columns(coverage, label_width, width, color, share)


def _style(text: str, position: int, series: Series, color: bool) -> str:
    if not color or not text:
        return text
    return click.style(text, fg="white" if series.kind == "others" else COLOURS[position % len(COLOURS)])


def _print_stacked(coverage: Coverage, label_width: int, width: int, color: bool) -> None:
    """One row per period: the search's series stacked as one bar, the period's total after it."""
    series = coverage.series
    glyphs = [GLYPHS[-1] if s.kind == "others" else GLYPHS[i % (len(GLYPHS) - 1)] for i, s in enumerate(series)]
    if len(series) > 1:
        click.echo(
            "  ".join(
                _style(g, i, s, color) + f" {s.label('en')} {s.total:,}"
                for i, (g, s) in enumerate(zip(glyphs, series, strict=True))
            )
        )
    top = max(coverage.max_count, 1)
    room = max(10, width - label_width - 10)
    for number, period in enumerate(coverage.periods):
        total = coverage.period_total(0, number)
        bar, used = "", 0.0
        for i, s in enumerate(series):
            before = round(used)
            used += room * s.counts[number] / top
            bar += _style(glyphs[i] * (round(used) - before), i, s, color)
        if total and not bar:
            bar = "▏"  # fewer articles than one character stands for, but not none
        click.echo(f"{period.date_from:<{label_width}} {bar}{' ' if total else ''}{total:,}")


def _print_columns(coverage: Coverage, label_width: int, width: int, color: bool, share: bool) -> None:
    """One row per period, a column per series (searches compared, or shares): a short bar and its value."""
    series = coverage.series
    column = max(12, (width - label_width - 1) // max(len(series), 1))
    values = [s.shares if share else [float(c) for c in s.counts] for s in series]
    top = max((v for row in values for v in row if v is not None), default=0.0) or 1.0
    names = [s.label("en") if len(coverage.searches) == 1 else _series_name(coverage, s) for s in series]
    headers = [f"{name[: column - 1]:<{column}}" for name in names]
    click.echo(" " * (label_width + 1) + "".join(headers))
    text_width = 7 if share else 6
    room = column - text_width - 2
    for number, period in enumerate(coverage.periods):
        cells = []
        for i, s in enumerate(series):
            value = values[i][number]
            shown = "-" if value is None else (f"{value * 100:.1f}%" if share else f"{int(value):,}")
            bar = "█" * round(room * (value or 0.0) / top)
            cells.append(f"{_style(bar, i, s, color)}{' ' * (room - len(bar))} {shown:>{text_width}} ")
        click.echo(f"{period.date_from:<{label_width}} " + "".join(cells))
    totals = []
    for s in series:
        said = percent_en(s.share_total) if share else f"{s.total:,}"
        totals.append(f"{'total ' + said:>{column - 1}} ")
    click.echo(" " * (label_width + 1) + "".join(totals))


def _series_name(coverage: Coverage, series: Series) -> str:
    if series.kind == "all":
        return series.label("en")
    query = coverage.searches[series.query_index].query
    return f"{query}: {series.label('en')}"


def percent_en(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.2f}%"


# ---------------------------------------------------------------- show, stats


@cli.command("show")
@index_option
@backend_options
@click.argument("article_id")
@click.option("--json", "as_json", is_flag=True)
def show_command(index_dir: str | None, article_id: str, as_json: bool) -> None:
    """Print one article in full: by id, a unique prefix of its id, or its URL."""
    from berita_search.search.workflow import NotFoundError, find_article

    engine = open_engine(index_dir)
    try:
        article = find_article(engine, article_id)
    except NotFoundError:
        click.echo(f"berita-search: no article with id or URL {article_id!r}", err=True)
        sys.exit(EXIT_NO_HITS)
    except RequestError as exc:
        raise UsageFailure(exc.text("en")) from None
    if as_json:
        click.echo(json.dumps(article_row(article), ensure_ascii=False))
        return
    click.echo(article.title)
    click.echo("=" * min(len(article.title), 80))
    for label, value in [
        ("Date", article.published_display),
        ("Reporter", article.reporter),
        ("Category", article.category),
        ("Subcategory", article.subcategory),
        ("Source", article.source),
        ("URL", article.url),
        ("Photo", article.caption),
        ("Tags", ", ".join(article.tags)),
        ("Date note", article.date_note),
        ("Id", article.id),
    ]:
        if value:
            click.echo(f"{label}: {value}")
    click.echo("")
    click.echo(article.body)


@cli.command("stats")
@index_option
@backend_options
@click.option("--json", "as_json", is_flag=True)
def stats_command(index_dir: str | None, as_json: bool) -> None:
    """Counts, date range and top facets of the index."""
    stats = open_engine(index_dir).stats()
    if as_json:
        click.echo(json.dumps(stats, ensure_ascii=False))
        return
    click.echo(f"Index: {stats['index']}")
    click.echo(f"Articles: {stats['documents']:,} ({stats['undated']:,} without a date)")
    click.echo(f"Published: {stats['first_published'] or '-'} to {stats['last_published'] or '-'}")
    for name, items in stats["facets"].items():
        if items:
            click.echo(f"Top {name} (articles): " + ", ".join(f"{k} ({v:,})" for k, v in items))


# ---------------------------------------------------------------- check


@cli.command("check")
@index_option
@click.option(
    "--repair",
    is_flag=True,
    help="Remove files that no table of contents names (left by killed runs); write search arrays"
    " that are missing or older.",
)
@backend_options
def check_command(index_dir: str | None, repair: bool) -> None:
    """Verify an index: open every segment, read every document; non-zero exit on damage.
    Also counts the files that interrupted runs left behind, and the segments whose search
    arrays are missing or older."""
    from berita_search.index.check import check_index

    choice = current_backend(index_dir)
    if choice.opensearch is not None:
        from berita_search.search.backends.opensearch_writer import check_opensearch

        if repair:
            raise UsageFailure("--repair is for a Whoosh index folder; a cluster keeps no loose files")
        report = check_opensearch(choice.opensearch)
    else:
        report = check_index(index_dir_from(index_dir), repair=repair)
    for line in report.lines:
        click.echo(line)
    if report.problems:
        for problem in report.problems:
            click.echo(f"problem: {problem}", err=True)
        sys.exit(1)


@cli.command("reindex")
@backend_options
@click.option("--shards", type=click.IntRange(1, 1024), help="Primary shards of the new index [default: as now].")
@click.option("--replicas", type=click.IntRange(0, 16), help="Copies of each shard [default: as now].")
@click.option("--keep-old", is_flag=True, help="Keep the previous index instead of deleting it.")
@click.option(
    "--wait",
    "wait_seconds",
    default=0.0,
    type=click.FloatRange(0, 86_400),
    help="Seconds to wait for another writer to finish.",
)
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def reindex_command(
    shards: int | None, replicas: int | None, keep_old: bool, wait_seconds: float, paths: tuple[Path, ...]
) -> None:
    """Rebuild the OpenSearch index without downtime: a new versioned index, from the current
    one's stored articles (or from PATHS), then the alias moved to it in one step."""
    from berita_search.search.backends.opensearch_writer import reindex_opensearch

    choice = current_backend(None)
    if choice.opensearch is None:
        raise UsageFailure(
            "reindex rebuilds an OpenSearch index (--backend opensearch); a Whoosh index is rebuilt by indexing into a new folder"
        )
    try:
        rebuilt = reindex_opensearch(
            choice.opensearch,
            read_paths(paths) if paths else None,
            shards=shards,
            replicas=replicas,
            keep_old=keep_old,
            wait_seconds=wait_seconds,
            on_wait=lambda message: click.echo(f"berita-search: {message}", err=True),
        )
    except IndexBusyError as exc:
        raise click.ClickException(f"{exc}; try again later or pass --wait SECONDS") from None
    except OpenSearchUnavailable as exc:
        raise click.ClickException(str(exc)) from None
    _print_summary(rebuilt.summary, f"{choice.opensearch.location} ({rebuilt.new_index})")
    moved = f"{rebuilt.old_index} to {rebuilt.new_index}" if rebuilt.old_index else rebuilt.new_index
    click.echo(
        f"Alias {choice.opensearch.index} moved from {moved}" + ("; old index deleted" if rebuilt.removed_old else "")
    )
    if rebuilt.summary.failed:
        sys.exit(1)


# ---------------------------------------------------------------- serve


@cli.command("serve")
@index_option
@backend_options
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--workers", default=1, show_default=True, type=click.IntRange(1, 64), help="Server processes (one per core)."
)
@click.option(
    "--cache-size",
    default=RESULT_CACHE_SIZE,
    show_default=True,
    type=click.IntRange(0, 100_000),
    help="Result pages each process keeps for repeated searches (0: none).",
)
@click.option(
    "--state",
    "state_file",
    metavar="FILE",
    envvar="BERITA_SEARCH_STATE",
    help="Saved searches and collections (default: DIR.workflow.sqlite3 beside the index folder).",
)
def serve_command(
    index_dir: str | None, host: str, port: int, workers: int, cache_size: int, state_file: str | None
) -> None:
    """Start the web search box and JSON API."""
    import os

    import uvicorn
    from berita_search.search.state import STATE_ENV, StateStore, state_path
    from berita_search.web.app import create_app

    engine = open_engine(index_dir, cache_size)  # fails here, with one line, if there is no index
    state = state_path(state_file, Path(engine.location)).resolve()
    click.echo(f"berita-search: serving {engine.location} on http://{host}:{port}/ (state: {state})", err=True)
    if workers == 1:
        uvicorn.run(create_app(engine, state_store=StateStore(state)), host=host, port=port, log_level="warning")
        return
    engine.close()
    # Each process opens its own searcher on the same index folder (or its own cluster client),
    # and the same state file.
    os.environ.update(current_backend(index_dir).environment())
    os.environ[CACHE_ENV] = str(cache_size)
    os.environ[STATE_ENV] = str(state)
    uvicorn.run(
        "berita_search.web.app:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
    )


# The research workflow's commands (saved searches, collections, exports, batch, citations).
from berita_search.search import cli_workflow  # noqa: E402,F401  (registers its commands on cli)


def main() -> None:
    cli()


if __name__ == "__main__":
    # As ``python -m``: the package's own module holds the commands cli_workflow registered.
    from berita_search.search.cli import main as package_main

    package_main()
