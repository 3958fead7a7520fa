"""The corpus-wide scan: every document traced against the earlier ones, resumably."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from click.testing import CliRunner

from provenance import scan
from provenance.cli import cli
from provenance.ingest import ingest
from provenance.store import Store

ROOT = Path(__file__).resolve().parent.parent


def archive(path: Path) -> Store:
    store = Store(path)
    ingest(store, [str(ROOT / "fixtures")])
    return store


def reuse(db: Path) -> set[tuple[str, str, int, int, str, int]]:
    """(document, kind, start, end, earliest source, alterations) of every traced quotation."""
    rows = sqlite3.connect(db).execute(
        "SELECT d.id, q.kind, q.start, q.\"end\", s.id, "
        "(SELECT count(*) FROM alterations a WHERE a.quotation_id = q.id) FROM quotations q "
        "JOIN documents d ON d.key = q.document_key JOIN documents s ON s.key = q.source_key "
        "WHERE q.status = 'traced'")
    return set(rows)


def test_scan_finds_the_repost_copying_the_nyt(tmp_path: Path) -> None:
    store = archive(tmp_path / "a.db")
    summary = scan.scan(store)
    assert summary.scanned == store.document_count()
    found = reuse(tmp_path / "a.db")
    assert ("globalaffairsdigest-2019-01-20-duran-repost", "unmarked") in {f[:2] for f in found}
    sources = {f[4] for f in found}
    assert {"nyt-2019-01-16-manbij", "senate-judiciary-2019-01-16-barr-hearing"} <= sources
    # the hearing is the oldest of them: nothing earlier can be its source
    assert not [f for f in found if f[0] == "senate-judiciary-2019-01-16-barr-hearing"]


def test_an_interrupted_scan_resumes_to_the_same_results(tmp_path: Path) -> None:
    whole, parts = archive(tmp_path / "whole.db"), archive(tmp_path / "parts.db")
    scan.scan(whole)
    first = scan.scan(parts, limit=4)
    second = scan.scan(parts)
    assert (first.scanned, second.already) == (4, 4)
    assert first.scanned + second.scanned == whole.document_count()
    assert scan.scan(parts).scanned == 0  # nothing left
    assert reuse(tmp_path / "whole.db") == reuse(tmp_path / "parts.db")
    traces = sqlite3.connect(tmp_path / "parts.db").execute("SELECT count(*) FROM traces")
    assert traces.fetchone()[0] == whole.document_count()  # no document traced twice


def test_two_workers_give_the_same_graph(tmp_path: Path) -> None:
    one, two = archive(tmp_path / "one.db"), archive(tmp_path / "two.db")
    scan.scan(one, workers=1)
    scan.scan(two, workers=2)
    assert reuse(tmp_path / "one.db") == reuse(tmp_path / "two.db")


def test_scan_command(tmp_path: Path) -> None:
    archive(tmp_path / "c.db").close()
    result = CliRunner().invoke(cli, ["scan", str(tmp_path / "c.db"), "-j", "1"],
                                catch_exceptions=False)
    assert result.exit_code == 0
    assert "12 documents scanned" in result.output
