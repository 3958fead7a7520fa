"""The browse commands: `provenance serve` and `provenance trace --html`."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from provenance.cli import cli
from provenance.store import BROWSE_VIEWS, Store

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_3a0d1274ca379c80.txt"


def run(*args: str, ok: bool = True):
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert (result.exit_code == 0) == ok, result.output
    return result


@pytest.fixture(scope="module")
def traced_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "archive.db"
    run("ingest", str(path), str(ROOT / "fixtures"))
    return path


def test_trace_html_writes_one_self_contained_report(traced_db, tmp_path):
    report = tmp_path / "seed.html"
    run("trace", str(traced_db), str(SEED), "--html", str(report), "--no-store")
    html = report.read_text("utf-8")
    tags: list[str] = []
    attributes: list[tuple[str, str | None]] = []

    class Collect(HTMLParser):
        def handle_starttag(self, tag, attrs):
            tags.append(tag)
            attributes.extend(attrs)

    Collect().feed(html)
    assert not {"script", "link", "img", "iframe"} & set(tags)
    assert not [value for name, value in attributes if name == "src"]
    assert "The ISIS attack in Syria appears to have failed in its real mission" in html
    assert 'class="prov-ellipsis-mark"' in html
    assert "The Islamic State has lost nearly all of the territory" in html


def test_trace_html_takes_one_file(traced_db, tmp_path):
    result = run("trace", str(traced_db), str(SEED), str(SEED), "--html",
                 str(tmp_path / "x.html"), ok=False)
    assert "exactly one" in result.output
    assert not (tmp_path / "x.html").exists()


def test_serve_passes_datasette_options_after_migrating(tmp_path, monkeypatch):
    pytest.importorskip("datasette")
    from provenance import datasette_plugin

    calls = []
    monkeypatch.setattr(datasette_plugin, "serve", lambda db, options: calls.append((db, options)))
    db = tmp_path / "blank.db"
    db.touch()
    run("serve", str(db), "--port", "8123", "--host", "127.0.0.1")
    assert calls == [(str(db), ["--port", "8123", "--host", "127.0.0.1"])]
    names = set(Store(db).db.view_names())
    assert set(BROWSE_VIEWS) <= names


def test_serve_refuses_a_missing_database(tmp_path):
    result = run("serve", str(tmp_path / "nope.db"), ok=False)
    assert "nope.db" in result.output


def test_blank_database_gets_search_and_views(tmp_path):
    store = Store(tmp_path / "fresh.db")
    assert {"documents_fts", "quotations_fts"} <= set(store.db.table_names())
    assert store.db["documents"].detect_fts() == "documents_fts"
    assert store.db["quotations"].detect_fts() == "quotations_fts"
    assert set(store.db.view_names()) == set(BROWSE_VIEWS)
    columns = {view: [c.name for c in store.db[view].columns] for view in BROWSE_VIEWS}
    assert columns["altered_quotations"][:3] == ["alteration_id", "quotation_id", "trace_id"]
    assert {"quoted", "original", "kind", "severity"} <= set(columns["altered_quotations"])
    assert "quoted_percent" in columns["articles_by_quoted_share"]


def test_metadata_describes_the_real_schema(tmp_path):
    """Every table, view and column the metadata describes exists, and every
    column of a shown table or view has a description."""
    from provenance.datasette_plugin import packaged_metadata

    db = Store(tmp_path / "fresh.db").db
    tables = packaged_metadata()["tables"]
    for name, meta in tables.items():
        assert db[name].exists(), name
        real = {column.name for column in db[name].columns}
        described = set(meta.get("columns", {}))
        assert described <= real, (name, described - real)
        if not meta.get("hidden"):
            assert real <= described, (name, real - described)
    shown = set(db.table_names()) - {t for t in db.table_names() if "_fts" in t}
    assert shown | set(db.view_names()) <= set(tables)
