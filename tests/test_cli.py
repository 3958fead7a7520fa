"""The command line, as a user runs it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import FIXTURES, SEED
from provenance import ingest as ingest_module
from provenance.cli import cli
from provenance.store import Store


def run(*args: str, input: str | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


def test_ingest_then_trace_json_follows_the_contract(tmp_path: Path) -> None:
    db = str(tmp_path / "a.db")
    result = run("ingest", db, str(FIXTURES))
    assert result.exit_code == 0
    assert "12 added, 0 already present, 0 skipped" in result.output
    result = run("trace", db, str(SEED), "--json")
    assert result.exit_code == 0
    [traced] = json.loads(result.output)
    assert set(traced["document"]) >= {"path", "id", "title", "published"}
    assert traced["document"]["published"] == "2019-01-18T00:00:00+00:00"
    for quotation in traced["quotations"]:
        assert set(quotation) >= {"start", "end", "text", "kind", "status", "speaker", "source",
                                  "closest", "chain", "score", "alterations"}
        assert quotation["kind"] in ("quoted", "block", "unmarked")
        assert quotation["status"] in ("traced", "unsourced", "term")
        for alteration in quotation["alterations"]:
            assert set(alteration) >= {"kind", "severity", "start", "end", "source_start",
                                       "source_end", "quoted", "original"}
    # stored for Datasette, unless --no-store
    store = Store(db)
    assert store.db["traces"].count == 1
    assert store.db["quotations"].count == len(traced["quotations"])
    assert store.db["alterations"].count >= 1
    ellipsis = next(store.db["alterations"].rows_where("kind = 'ellipsis'"))
    assert ellipsis["original"].startswith("The Islamic State has lost")
    run("trace", db, str(SEED), "--no-store", "--nl")
    assert store.db["traces"].count == 1


def test_nl_prints_one_object_per_line(tmp_path: Path) -> None:
    db = str(tmp_path / "a.db")
    run("ingest", db, str(FIXTURES))
    repost = str(FIXTURES / "newsaggregator_2019-01-20_repost.txt")
    result = run("trace", db, str(SEED), repost, "--nl", "--no-store")
    lines = result.output.strip().splitlines()
    assert len(lines) == 2
    assert [json.loads(line)["document"]["path"] for line in lines] == [str(SEED), repost]


def test_human_report(tmp_path: Path) -> None:
    db = str(tmp_path / "a.db")
    run("ingest", db, str(FIXTURES))
    output = run("trace", db, str(SEED)).output
    assert "TRACED unmarked" in output
    assert "earliest: Hearing on the nomination of William Barr" in output
    assert "closest:  Americans Among 19 Killed" in output
    assert "speaker: Lindsey Graham" in output
    assert "ellipsis" in output and "The Islamic State has lost" in output
    assert "\x1b[" not in output  # no colour when not on a terminal


def test_trace_an_indexed_document_by_id(tmp_path: Path) -> None:
    db = str(tmp_path / "a.db")
    run("ingest", db, str(FIXTURES), str(SEED.parent))
    result = run("trace", db, "globalaffairsdigest-2019-01-20-duran-repost", "--json", "--no-store")
    [traced] = json.loads(result.output)
    assert traced["document"]["id"] == "globalaffairsdigest-2019-01-20-duran-repost"
    sources = {q["source"]["id"] for q in traced["quotations"] if q["source"]}
    assert "duran-isis-attack-2019-01-18" in sources


def test_quotes_needs_no_database(tmp_path: Path) -> None:
    result = run("quotes", str(SEED), "--json")
    [found] = json.loads(result.output)
    assert "source" not in found["quotations"][0]
    assert {q["text"] for q in found["quotations"] if q["status"] == "term"} >= {"gas", "managed"}


def test_user_errors_have_no_traceback(tmp_path: Path) -> None:
    db = str(tmp_path / "a.db")
    result = run("trace", db, str(SEED))
    assert result.exit_code == 1 and "no such database" in result.output
    run("ingest", db, str(FIXTURES))
    result = run("trace", db, "no-such-id")
    assert result.exit_code == 1
    assert "no-such-id: no such file, and no document with that id" in result.output
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "fine"}\n{oops\n')
    result = run("ingest", db, str(bad))
    assert result.exit_code == 1
    assert f"skipped {bad}:2: invalid JSON" in result.output


def test_stdin_and_help(tmp_path: Path) -> None:
    db = str(tmp_path / "a.db")
    result = run("ingest", db, "-", "--published", "2020-01-01", "--title", "From stdin",
                 input="A story read from standard input about the river.")
    assert "1 added" in result.output
    assert Store(db).db["documents"].count == 1
    assert "Usage:" in run("trace", "-h").output


def test_a_bulk_load_says_it_merges_the_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Enough documents for several commits, so several segments: the merge that ends
    a bulk load is announced (at a million documents it takes minutes)."""
    monkeypatch.setattr(ingest_module, "COMMIT_DOCUMENTS", 500)
    for shard in range(3):
        lines = (json.dumps({"text": f"document {shard} {n} " + "words of its own " * 5 + str(n * 7)})
                 for n in range(300))
        (tmp_path / f"shard-{shard}.jsonl").write_text("\n".join(lines))
    db = str(tmp_path / "a.db")
    result = run("ingest", db, str(tmp_path / "shard-0.jsonl"), str(tmp_path / "shard-1.jsonl"),
                 str(tmp_path / "shard-2.jsonl"), "-j", "1")
    assert result.exit_code == 0, result.output
    assert "Merging the index into one segment" in result.output
    assert len(Store(db).segments()) == 1
    result = run("ingest", db, str(FIXTURES), "-j", "1")  # small next to the index: no merge
    assert result.exit_code == 0 and "Merging" not in result.output
