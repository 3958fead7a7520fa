"""Syndicated copies are linked to their original when traced."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from provenance.cli import cli
from provenance.html import read_html
from provenance.store import Store
from provenance.syndication import find_original

WEB = Path(__file__).parent / "data" / "web"


@pytest.fixture
def archive(tmp_path):
    db = tmp_path / "archive.db"
    result = CliRunner().invoke(
        cli, ["ingest", str(db), str(WEB / "news_article.html"), str(WEB / "newsroom_atom.xml")],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    return db


def trace_notes(db: Path, path: Path) -> list[str]:
    result = CliRunner().invoke(cli, ["trace", str(db), str(path), "--json", "--no-store"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)[0]["notes"]


def test_a_copy_with_a_footer_link_is_traced_to_its_original(archive):
    notes = trace_notes(archive, WEB / "syndicated_copy.html")
    (note,) = [n for n in notes if n.startswith("Syndicated copy")]
    assert "(The Lakeside Courier, 2024-03-12T22:15:00+00:00)" in note
    assert "named by its footer (https://lakesidecourier.example/news/2024/03/12/harbour-bridge-vote)" in note


def test_the_copys_text_is_traced_to_the_original_as_earliest_source(archive):
    result = CliRunner().invoke(
        cli, ["trace", str(archive), str(WEB / "syndicated_copy.html"), "--json", "--no-store"],
        catch_exceptions=False,
    )
    (trace,) = json.loads(result.output)
    longest = max(trace["quotations"], key=lambda q: q["end"] - q["start"])
    assert longest["kind"] == "unmarked" and longest["end"] - longest["start"] > 1000
    assert longest["source"]["url"] == "https://lakesidecourier.example/news/2024/03/12/harbour-bridge-vote"


def test_a_plain_text_footer_is_matched_by_title(archive, tmp_path):
    copy = read_html((WEB / "syndicated_copy.html").read_bytes()).text
    # no links in plain text: only the title and the site name remain
    story = tmp_path / "copy.txt"
    story.write_text(copy, encoding="utf-8")
    (tmp_path / "copy.meta.json").write_text('{"published": "2024-03-15"}')
    notes = trace_notes(archive, story)
    (note,) = [n for n in notes if n.startswith("Syndicated copy")]
    assert "named by its footer (“Council approves harbour bridge after late-night vote”)" in note


def test_a_copy_without_footer_is_found_by_its_text(archive, tmp_path):
    copy = read_html((WEB / "syndicated_copy.html").read_bytes()).text
    body = copy[: copy.index("The post Council approves")].strip()
    story = tmp_path / "reprint.txt"
    story.write_text("Reprinted with permission.\n" + body, encoding="utf-8")
    (tmp_path / "reprint.meta.json").write_text('{"published": "2024-03-20", "publisher": "Weekly"}')
    notes = trace_notes(archive, story)
    (note,) = [n for n in notes if n.startswith("Syndicated copy")]
    assert "nearly all of its text is this earlier document's" in note


def test_no_original_for_an_original_or_an_unrelated_story(archive):
    store = Store(archive)
    try:
        original = read_html((WEB / "news_article.html").read_bytes())
        unrelated = read_html((WEB / "cp1252_undeclared.html").read_bytes())
        assert find_original(store, original) is None
        assert find_original(store, unrelated) is None
    finally:
        store.close()


def test_a_later_copy_is_never_the_original_of_an_earlier_page(tmp_path):
    # archive only the copy (14 March); the original (12 March) must not be called its copy
    db = tmp_path / "archive.db"
    CliRunner().invoke(cli, ["ingest", str(db), str(WEB / "syndicated_copy.html")], catch_exceptions=False)
    notes = trace_notes(db, WEB / "news_article.html")
    assert not [n for n in notes if n.startswith("Syndicated copy")]
