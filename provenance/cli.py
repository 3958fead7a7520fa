"""The command line: parse arguments, call the library, print its results."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click

from . import ingest as ingest_stage
from . import report
from .model import Document, ProvenanceError
from .redis_index import localize, open_index
from .store import Store

CONTEXT = {"help_option_names": ["-h", "--help"]}


@click.group(context_settings=CONTEXT)
@click.version_option(package_name="provenance")
def cli() -> None:
    """Trace every quotation in an article to its earliest dated source."""


def say(message: str) -> None:
    """A note on stderr, beside the progress bars."""
    click.echo(message, err=True)


@contextmanager
def user_errors() -> Iterator[None]:
    """A ProvenanceError is the user's to fix: show the message, not a traceback."""
    try:
        yield
    except ProvenanceError as error:
        raise click.ClickException(str(error)) from None


def index_option(function: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--index", "index_url", metavar="URL", envvar="PROVENANCE_INDEX",
        help="Keep the archive and index in Redis (redis://HOST:PORT/DB), shared by workers "
             "on many machines; DB then keeps only trace results.")(function)


def output_options(function: Callable[..., Any]) -> Callable[..., Any]:
    function = click.option("--nl", "as_nl", is_flag=True, help="One JSON object per line.")(function)
    return click.option("--json", "as_json", is_flag=True, help="JSON list, one object per file.")(function)


def emit(results: list[dict[str, Any]], *, as_json: bool, as_nl: bool,
         human: Callable[[dict[str, Any]], str]) -> None:
    if as_nl:
        for result in results:
            click.echo(json.dumps(result, ensure_ascii=False))
    elif as_json:
        click.echo(json.dumps(results, ensure_ascii=False, indent=2))
    else:
        click.echo("\n\n".join(human(result) for result in results))


@cli.command()
@click.argument("db", type=click.Path(dir_okay=False))
@click.argument("paths", nargs=-1, required=True)
@click.option("--format", "format_", type=click.Choice(sorted(ingest_stage.READERS)),
              help="Read every file as this format instead of guessing from its name.")
@click.option("--id", "id_", help="Document id (one file only).")
@click.option("--published", help="Publication date, ISO-8601 (one file only).")
@click.option("--url", help="URL (one file only).")
@click.option("--title", help="Title (one file only).")
@click.option("--publisher", help="Publisher (one file only).")
@click.option("--author", help="Author (one file only).")
@index_option
@click.option("-j", "--workers", type=click.IntRange(min=1), default=os.cpu_count() or 1,
              show_default="all cores",
              help="Processes that read, extract and hash files ahead of the one storing them.")
def ingest(db: str, paths: tuple[str, ...], format_: str | None, id_: str | None,
           index_url: str | None, workers: int, **metadata: str | None) -> None:
    """Add dated documents to the archive and index: files, folders, globs, - for stdin.

    \b
    Text files take metadata from a sidecar NAME.meta.json (id, title, url,
    publisher, author, published); JSON lines files hold one object per line
    with "text" and the same optional keys. HTML pages (.html, .htm), RSS and
    Atom feeds (.rss, .atom, .xml) and web archives (.warc, .warc.gz) are read
    for their main text, metadata and emphasis; a file's content decides its
    format before its name does.

    \b
    Examples:
        provenance ingest archive.db fixtures/
        provenance ingest archive.db story.txt --published 2019-01-16 --publisher NYT
        provenance ingest archive.db crawl.warc.gz feeds/*.xml
        curl -s URL | provenance ingest archive.db - --format html --url URL
        provenance ingest local.db shard-*.jsonl --index redis://10.0.0.5:6379/0
    """
    overrides = {"id": id_, **metadata} if id_ or any(metadata.values()) else None
    with user_errors():
        store = open_index(db, index_url, announce=say)
        files = ingest_stage.expand_paths(paths)
        size = sum(os.path.getsize(f) for f in files if f != "-" and os.path.isfile(f))
        show = sys.stderr.isatty() and (len(files) > 1 or size > 10_000_000)
        with click.progressbar(length=max(size, 1), label="Ingesting", file=sys.stderr,
                               hidden=not show) as bar:
            summary = ingest_stage.ingest(store, files, format=format_, overrides=overrides,
                                          progress_bytes=bar.update, workers=workers,
                                          merging=_announce_merge)
    click.echo(f"{len(summary.added)} added, {len(summary.present)} already present, "
               f"{len(summary.skipped)} skipped", err=True)
    if summary.capture_dated:
        click.echo(f"{len(summary.capture_dated)} of those added carry no date of their own: "
                   "their capture date stands in", err=True)
    for path, reason in summary.skipped:
        click.echo(f"skipped {reason}" if reason.startswith(path) else f"skipped {path}: {reason}", err=True)
    if summary.skipped:
        sys.exit(1)


def _announce_merge(postings: int) -> None:
    click.echo(f"\nMerging the index into one segment ({postings:,} postings; once, after a "
               "bulk load)...", err=True)


def load_article(store: Any, given: str) -> Document:
    from . import trace as trace_stage

    if os.path.exists(given) or given == "-":
        return ingest_stage.read_article(given)
    found = trace_stage.article_from_store(store, given)
    if found is None:
        raise ProvenanceError(f"{given}: no such file, and no document with that id in {store.path}")
    return found


@cli.command()
@click.argument("db", type=click.Path(dir_okay=False))
@click.argument("files", nargs=-1, required=True)
@output_options
@click.option("--no-store", is_flag=True, help="Do not write the results to the database.")
@click.option("--html", "html_path", type=click.Path(dir_okay=False, writable=True),
              help="Also write a self-contained HTML report to this file (one FILE only).")
@index_option
def trace(db: str, files: tuple[str, ...], as_json: bool, as_nl: bool, no_store: bool,
          html_path: str | None, index_url: str | None) -> None:
    """Find every quotation in each FILE and trace it to its earliest source.

    FILE may also be the id of an indexed document.

    \b
    Examples:
        provenance trace archive.db seeds/000_3a0d1274ca379c80.txt
        provenance trace archive.db article.txt --json --no-store
        provenance trace archive.db article.txt --html report.html
    """
    from . import trace as trace_stage  # here, not above: it imports the quotation patterns

    if html_path and len(files) != 1:
        raise click.BadParameter("--html writes the report of one FILE; give exactly one.",
                                 param_hint="--html")
    if not os.path.exists(db) and not index_url:
        raise click.ClickException(f"{db}: no such database; create it with: provenance ingest {db} PATH...")
    results = []
    with user_errors():
        index = open_index(db, index_url, announce=say)
        store = index if isinstance(index, Store) else Store(db, announce=say)
        for given in files:
            article = load_article(index, given)
            traced = trace_stage.trace(index, article)
            result = report.trace_json(traced)
            if not no_store:
                local = traced if index is store else localize(store, traced)
                result["trace_id"] = trace_stage.save(store, local, report.trace_json(local))
            results.append(result)
            if html_path:
                write_report(html_path, result, traced.document.text)
    colour = sys.stdout.isatty()
    emit(results, as_json=as_json, as_nl=as_nl,
         human=lambda r: report.render_text(r, style=click.style if colour else report.plain))


def write_report(path: str, result: dict[str, Any], text: str) -> None:
    from .render import report_html

    page = report_html({**result, "document": {**result["document"], "text": text}})
    with open(path, "w", encoding="utf-8") as file:
        file.write(page)
    click.echo(f"Report written to {path}", err=True)


@cli.command(context_settings={**CONTEXT, "ignore_unknown_options": True,
                               "allow_extra_args": True})
@click.argument("db", type=click.Path(exists=True, dir_okay=False))
@click.pass_context
def serve(ctx: click.Context, db: str) -> None:
    """Browse DB in Datasette, with this project's metadata and rendering.

    Any option of `datasette serve` works after DB.

    \b
    Examples:
        provenance serve archive.db
        provenance serve archive.db --port 8001 --host 127.0.0.1 --open
    """
    try:
        from . import datasette_plugin
    except ImportError:
        raise click.ClickException(
            "Datasette is not installed: pip install 'provenance[serve]'"
        ) from None
    with user_errors():
        Store(db, announce=say).close()  # apply pending migrations: the views and search need them
    datasette_plugin.serve(db, list(ctx.args))


@cli.command()
@click.argument("db", type=click.Path(exists=True, dir_okay=False))
@click.option("-j", "--workers", type=click.IntRange(1), default=os.cpu_count() or 1,
              show_default="all cores", help="Processes that trace documents.")
@click.option("--limit", type=click.IntRange(1), help="Scan at most this many documents now.")
def scan(db: str, workers: int, limit: int | None) -> None:
    """Trace every archived document against the earlier ones: the reuse graph.

    Each result is stored as a trace; an interrupted scan resumes where it stopped.

    \b
    Examples:
        provenance scan archive.db
        datasette archive.db   # browse traces, quotations, alterations
    """
    from . import scan as scan_stage

    with user_errors():
        store = Store(db, announce=say)
        queued = scan_stage.queue_length(store)
        if limit:
            queued = min(queued, limit)
        with click.progressbar(length=queued, label="Scanning", file=sys.stderr,
                               hidden=not sys.stderr.isatty()) as bar:
            summary = scan_stage.scan(store, workers=workers, limit=limit, progress=bar.update)
    click.echo(f"{summary.scanned} documents scanned ({summary.already} earlier), "
               f"{summary.traced} traced quotations of {summary.quotations} found", err=True)


@cli.command()
@click.argument("files", nargs=-1, required=True)
@output_options
def quotes(files: tuple[str, ...], as_json: bool, as_nl: bool) -> None:
    """List the quotations in each FILE, with speakers; no database needed.

    \b
    Example:
        provenance quotes seeds/000_3a0d1274ca379c80.txt --json
    """
    from . import quotes as quotes_stage
    from . import trace as trace_stage

    results = []
    with user_errors():
        for given in files:
            article = ingest_stage.read_article(given)
            found = quotes_stage.find_quotations(
                article.text, blocks=trace_stage.marked_blocks(article))
            results.append(report.quotes_json(article, found))
    emit(results, as_json=as_json, as_nl=as_nl, human=_quotes_text)


def _quotes_text(result: dict[str, Any]) -> str:
    lines = [result["document"]["path"] or result["document"]["id"]]
    for quotation in result["quotations"]:
        speaker = quotation["speaker"]
        who = f" — {speaker.get('name') or speaker['text']}" if speaker else ""
        lines.append(f"  [{quotation['start']}:{quotation['end']}] {quotation['status']:<6} "
                     f"“{report._short(quotation['text'], 120)}”{who}")
    return "\n".join(lines)
