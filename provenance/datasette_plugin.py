"""Datasette plugin: show traces the way a fact-checker reads them.

Registered through the ``datasette`` entry point group, so ``datasette DB``
picks it up as soon as the package is installed. It renders an alteration
inline (struck-through source words, marked insertions, the text behind an
ellipsis), highlights each quotation inside an article's text and links it to
its source passage, and serves one trace as a whole report page.

Hooks name only the arguments they use: pluggy passes just those, so the same
code runs on Datasette 0.65 and 1.0a. Document text is untrusted and is only
ever rendered through ``provenance.render``, which escapes it.
"""

from __future__ import annotations

import functools
import json
import sqlite3
from pathlib import Path
from typing import Any

from datasette import Response, hookimpl, hookspecs
from markupsafe import Markup

from . import render
from .store import BROWSE_VIEWS

CSS_PATH = "/-/provenance.css"
TRACE_PATH = "/-/provenance/{database}/trace/{trace_id}"

# Columns that mark a row as an alteration, in a table, a view or a query.
_ALTERATION_COLUMNS = {"kind", "quoted", "original"}


def _row_dict(row: Any) -> dict[str, Any]:
    if row is None:
        return {}
    if isinstance(row, dict):
        return row
    try:
        return {key: row[key] for key in row.keys()}  # noqa: SIM118 (sqlite3.Row)
    except (AttributeError, TypeError):
        return {}


def _plain(value: Any) -> Any:
    """A foreign key cell may arrive expanded as {"value": ..., "label": ...}."""
    return value["value"] if isinstance(value, dict) and "value" in value else value


@hookimpl
def render_cell(row, value, column, table, database, datasette):  # type: ignore[no-untyped-def]
    values = _row_dict(row)
    if column == "quoted" and _ALTERATION_COLUMNS <= values.keys():
        alteration = {key: _plain(item) for key, item in values.items()}
        return Markup(render.alteration_html(alteration))
    if table == "documents" and column == "text" and isinstance(value, str) and "key" in values:
        key = _plain(values["key"])

        async def article_with_quotations() -> Markup:
            return await _document_text_html(datasette, database, key, value)

        return article_with_quotations
    if column in ("text", "quotation") and "source_key" in values and (
        "quotation_id" in values or (table == "quotations" and "id" in values)
    ):
        return _quotation_text_html(datasette, database, values, value)
    if table == "traces" and column == "quotation_count" and "id" in values:
        # Datasette renders a primary key itself, so the report link goes here.
        href = datasette.urls.path(TRACE_PATH.format(database=database, trace_id=values["id"]))
        return Markup('{} <a class="prov-report-link" href="{}">report</a>').format(value, href)
    if table is None or table in BROWSE_VIEWS:  # views and queries have no foreign keys
        if column == "trace_id" and isinstance(value, int):
            return _trace_link(datasette, database, value)
        if column == "quotation_id" and isinstance(value, int):
            href = datasette.urls.row(database, "quotations", str(value))
            return Markup('<a href="{}">{}</a>').format(href, value)
    return None


def _trace_link(datasette: Any, database: str, trace_id: int) -> Markup:
    href = datasette.urls.path(TRACE_PATH.format(database=database, trace_id=trace_id))
    return Markup('{} <a class="prov-report-link" href="{}">report</a>').format(trace_id, href)


def _quotation_text_html(
    datasette: Any, database: str, values: dict[str, Any], text: Any
) -> Markup:
    """The quotation, with links to the passages of its earliest and closest sources."""
    quotation_id = _plain(values.get("quotation_id", values.get("id")))
    links = []
    for role, column, prefix in (("earliest", "source_key", "s"), ("closest", "closest_key", "c")):
        key = _plain(values.get(column))
        if key is None:
            continue
        href = datasette.urls.row(database, "documents", str(key)) + f"#{prefix}{quotation_id}"
        links.append(Markup('<a class="prov-source-link" href="{}">{} source passage</a>').format(
            href, role
        ))
    shown = Markup('<span class="prov-quotation-text">{}</span>').format(render._text(text))
    if links:
        shown += Markup(" <small>[{}]</small>").format(Markup(" · ").join(links))
    return shown


async def _document_text_html(datasette: Any, database: str, key: Any, text: str) -> Markup:
    """An article's text with its quotations marked, or a source's with the passages
    quoted from it marked; each mark links to the quotation it belongs to."""
    db = datasette.get_database(database)
    quotations_url = datasette.urls.table(database, "quotations")
    try:
        result = await db.execute(
            """
            SELECT id, start, "end", status, NULL AS role FROM quotations WHERE document_key = :key
            UNION ALL
            SELECT id, source_start, source_end, status, 's' FROM quotations
             WHERE source_key = :key AND source_start IS NOT NULL
            UNION ALL
            SELECT id, closest_start, closest_end, status, 'c' FROM quotations
             WHERE closest_key = :key AND closest_start IS NOT NULL
               AND (source_key IS NOT :key OR source_start IS NOT closest_start
                    OR source_end IS NOT closest_end)
            """,
            {"key": key},
        )
    except sqlite3.Error:  # not a provenance database after all: plain escaped text
        return Markup(render.highlight_quotations(text, []))
    article_spans, source_spans = [], []
    for quotation_id, start, end, status, role in result.rows:
        href = f"{quotations_url}/{quotation_id}"
        if role is None:
            article_spans.append((start, end, f"quotation {quotation_id}: {status}", href,
                                  f"q{quotation_id}"))
        else:
            label = "earliest source of" if role == "s" else "closest source of"
            source_spans.append((start, end, f"{label} quotation {quotation_id}", href,
                                 f"{role}{quotation_id}"))
    if source_spans and not article_spans:
        return Markup(render.highlight_quotations(text, source_spans, css_class="prov-source"))
    # An article that is also a source: mark its own quotations; a source role
    # shows on the quotation rows that point here.
    return Markup(render.highlight_quotations(text, article_spans or source_spans))


@hookimpl
def extra_css_urls(datasette):  # type: ignore[no-untyped-def]
    return [datasette.urls.path(CSS_PATH)]


async def _stylesheet() -> Response:
    return Response(render.STYLE, content_type="text/css; charset=utf-8",
                    headers={"Cache-Control": "max-age=300"})


async def _trace_page(request: Any, datasette: Any) -> Response:
    database = request.url_vars["database"]
    try:
        trace_id = int(request.url_vars["trace_id"])
        db = datasette.get_database(database)
    except (KeyError, ValueError):
        return Response.html("No such trace.", status=404)
    trace = await db.execute_fn(lambda conn: trace_from_connection(conn, trace_id))
    if trace is None:
        return Response.html(Markup("No trace {} in {}.").format(trace_id, database), status=404)
    return Response.html(render.report_html(trace))


@hookimpl
def register_routes():  # type: ignore[no-untyped-def]
    return [
        (r"^/-/provenance\.css$", _stylesheet),
        (r"^/-/provenance/(?P<database>[^/]+)/trace/(?P<trace_id>[0-9]+)$", _trace_page),
    ]


def trace_from_connection(conn: sqlite3.Connection, trace_id: int) -> dict[str, Any] | None:
    """Rebuild one stored trace in the shape of the JSON contract."""
    conn = _dict_rows(conn)
    trace = conn.execute("SELECT * FROM traces WHERE id = ?", [trace_id]).fetchone()
    if trace is None:
        return None
    documents: dict[int, dict[str, Any]] = {}

    def document(key: int | None) -> dict[str, Any] | None:
        if key is None:
            return None
        if key not in documents:
            row = conn.execute(
                "SELECT key, id, title, url, publisher, author, published, path, text "
                "FROM documents WHERE key = ?", [key]
            ).fetchone()
            documents[key] = dict(row) if row else {"key": key}
        return documents[key]

    article = dict(document(trace["document_key"]) or {})
    quotations = []
    for row in conn.execute(
        "SELECT * FROM quotations WHERE trace_id = ? ORDER BY position", [trace_id]
    ).fetchall():
        quotation: dict[str, Any] = {
            key: row[key] for key in ("id", "start", "end", "text", "kind", "status", "score")
        }
        if row["speaker"]:
            quotation["speaker"] = {"text": row["speaker"], "name": row["speaker_name"],
                                    "start": row["speaker_start"], "end": row["speaker_end"]}
        for role in ("source", "closest"):
            found = document(row[f"{role}_key"])
            if found is None:
                quotation[role] = None
                continue
            quotation[role] = {
                **{k: found.get(k) for k in ("id", "title", "url", "publisher", "published")},
                "start": row[f"{role}_start"], "end": row[f"{role}_end"],
                "text": row[f"{role}_text"],
            }
        links = [
            {**{k: (document(link["document_key"]) or {}).get(k)
                for k in ("id", "title", "url", "publisher")},
             "published": link["published"], "score": link["score"], "role": link["role"]}
            for link in conn.execute(
                "SELECT * FROM quotation_sources WHERE quotation_id = ? "
                "ORDER BY published IS NULL, published", [row["id"]]
            ).fetchall()
        ]
        quotation["chain"] = [link for link in links if link["role"] != "later"]
        quotation["later"] = [link for link in links if link["role"] == "later"]
        quotation["alterations"] = [
            dict(alteration) for alteration in conn.execute(
                'SELECT kind, severity, start, "end", source_start, source_end, quoted, original, '
                "note FROM alterations WHERE quotation_id = ? ORDER BY start, id", [row["id"]]
            ).fetchall()
        ]
        quotations.append(quotation)
    return {"document": article, "quotations": quotations, "trace_id": trace_id,
            "created_at": trace["created_at"]}


def _dict_rows(conn: sqlite3.Connection) -> sqlite3.Connection:
    conn.row_factory = sqlite3.Row
    return conn


# -- metadata -----------------------------------------------------------------

METADATA_PATH = Path(__file__).with_name("metadata.json")


@functools.cache
def _metadata_text() -> str:
    return METADATA_PATH.read_text("utf-8")


def packaged_metadata() -> dict[str, Any]:
    """Titles, descriptions, facets, sort orders and canned queries for one database."""
    metadata: dict[str, Any] = json.loads(_metadata_text())
    return metadata


def _is_provenance_database(path: str | None) -> bool:
    if not path:
        return False
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        finally:
            conn.close()
    except sqlite3.Error:
        return False
    return {"documents", "quotations", "alterations"} <= names


_provenance_paths: set[str] = set()


def metadata_for(datasette: Any) -> dict[str, Any]:
    """The packaged metadata, applied to every provenance database being served."""
    databases = {}
    for name, db in datasette.databases.items():
        path = getattr(db, "path", None)
        if path and path not in _provenance_paths and _is_provenance_database(path):
            _provenance_paths.add(path)
        if path in _provenance_paths:
            databases[name] = packaged_metadata()
    return {"databases": databases} if databases else {}


if hasattr(hookspecs, "get_metadata"):  # Datasette 0.65; 1.0a reads metadata elsewhere

    @hookimpl
    def get_metadata(datasette):  # type: ignore[no-untyped-def]
        return metadata_for(datasette)



# Keys Datasette 1.0a reads from its configuration file, not from metadata.
_CONFIG_TABLE_KEYS = {"facets", "sort", "sort_desc", "label_column", "hidden", "size",
                      "sortable_columns", "fts_table", "fts_pk", "searchmode"}


def metadata_and_config(database: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The packaged metadata for one database, split the way Datasette 1.0a wants
    it: descriptions in metadata; facets, sort orders and queries in config."""
    packaged = packaged_metadata()
    metadata = {key: value for key, value in packaged.items() if key not in ("tables", "queries")}
    config: dict[str, Any] = {"queries": packaged.get("queries", {}), "tables": {}}
    metadata["tables"] = {}
    for name, table in packaged.get("tables", {}).items():
        metadata["tables"][name] = {k: v for k, v in table.items() if k not in _CONFIG_TABLE_KEYS}
        settings = {k: v for k, v in table.items() if k in _CONFIG_TABLE_KEYS}
        if settings:
            config["tables"][name] = settings
    return {"databases": {database: metadata}}, {"databases": {database: config}}


def serve(db: str, options: list[str]) -> None:
    """Run ``datasette serve DB OPTIONS...`` in this process (it does not return).

    On Datasette 0.65 the plugin's get_metadata hook supplies the metadata. On
    1.0a, which has no such hook, it goes in as a metadata file and a config
    file, unless the caller gave their own (-m/--metadata, -c/--config).
    """
    from datasette.cli import cli as datasette_cli

    arguments = ["serve", db, *options]
    if not hasattr(hookspecs, "get_metadata"):
        metadata, config = metadata_and_config(Path(db).stem)
        if not {"-m", "--metadata"} & set(options):
            arguments += ["--metadata", _json_file(metadata)]
        if not {"-c", "--config"} & set(options):
            arguments += ["--config", _json_file(config)]
    datasette_cli.main(arguments, prog_name="provenance serve")


def _json_file(content: dict[str, Any]) -> str:
    import atexit
    import os
    import tempfile

    handle, path = tempfile.mkstemp(prefix="provenance-datasette-", suffix=".json")
    with os.fdopen(handle, "w", encoding="utf-8") as file:
        json.dump(content, file)
    atexit.register(os.remove, path)
    return path
