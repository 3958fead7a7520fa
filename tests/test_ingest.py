"""Ingest: metadata, idempotency, and bad input that costs nothing already stored."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from conftest import FIXTURES, SEED
from provenance import ingest
from provenance.model import ProvenanceError
from provenance.store import Store


def test_fixtures_ingest_with_metadata(fresh_db: Store) -> None:
    summary = ingest.ingest(fresh_db, [str(FIXTURES)])
    assert not summary.skipped
    assert len(summary.added) == 12  # nine text files and three JSON lines
    nyt = fresh_db.document_by_id("nyt-2019-01-16-manbij")
    assert nyt is not None and nyt.publisher == "The New York Times"
    assert nyt.published is not None and nyt.published.isoformat() == "2019-01-16T17:05:00-05:00"
    wire = fresh_db.document_by_id("wire-2019-04-02-rail-tunnel")  # a JSON line's own id
    assert wire is not None and wire.published is not None
    assert wire.published.isoformat() == "2019-04-02T00:00:00+00:00"  # date only: midnight UTC


def test_ingest_is_idempotent_by_content(fresh_db: Store, tmp_path: Path) -> None:
    ingest.ingest(fresh_db, [str(FIXTURES)])
    again = ingest.ingest(fresh_db, [str(FIXTURES)])
    assert again.added == [] and len(again.present) == 12
    copy = tmp_path / "copy.txt"  # the same text under another name, with other spacing
    copy.write_text(SEED.read_text(encoding="utf-8").replace("\n", "\r\n"), encoding="utf-8")
    ingest.ingest(fresh_db, [str(SEED)])
    assert ingest.ingest(fresh_db, [str(copy)]).present == ["duran-isis-attack-2019-01-18"]
    assert fresh_db.document_count() == 13


def test_time_zones_are_respected() -> None:
    early = ingest.parse_published("2019-01-16T10:00:00-05:00", where="x")
    later = ingest.parse_published("2019-01-16T16:00:00+00:00", where="x")
    assert early is not None and later is not None and early < later  # 15:00 UTC < 16:00 UTC


@pytest.mark.parametrize("content, problem", [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
    (b"caf\xe9 au lait", "not UTF-8"),
])
def test_bad_text_files(fresh_db: Store, tmp_path: Path, content: bytes, problem: str) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    summary = ingest.ingest(fresh_db, [str(bad), str(SEED)])
    assert summary.skipped[0][0] == str(bad)
    assert problem in summary.skipped[0][1] and str(bad) in summary.skipped[0][1]
    assert summary.added == ["duran-isis-attack-2019-01-18"]  # the good file is kept


def test_invalid_json_line_stores_nothing_of_that_file(fresh_db: Store, tmp_path: Path) -> None:
    lines = tmp_path / "batch.jsonl"
    good = {"id": "good-1", "text": "A perfectly good line of text about the harbour."}
    lines.write_text(json.dumps(good) + "\n{not json\n", encoding="utf-8")
    summary = ingest.ingest(fresh_db, [str(lines)])
    assert summary.added == []
    assert f"{lines}:2: invalid JSON" in summary.skipped[0][1]
    assert fresh_db.document_count() == 0


def test_unparseable_date_names_the_file(fresh_db: Store, tmp_path: Path) -> None:
    story = tmp_path / "story.txt"
    story.write_text("Some story text for the archive.", encoding="utf-8")
    (tmp_path / "story.meta.json").write_text(json.dumps({"published": "last Tuesday"}))
    summary = ingest.ingest(fresh_db, [str(story)])
    assert "unparseable published date 'last Tuesday'" in summary.skipped[0][1]
    assert str(story) in summary.skipped[0][1]
    assert fresh_db.document_count() == 0


def test_missing_file(fresh_db: Store, tmp_path: Path) -> None:
    summary = ingest.ingest(fresh_db, [str(tmp_path / "nope.txt")])
    assert summary.skipped == [(str(tmp_path / "nope.txt"), f"{tmp_path / 'nope.txt'}: no such file")]


def test_failure_mid_file_rolls_back_the_whole_file(fresh_db: Store, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    ingest.ingest(fresh_db, [str(SEED)])
    lines = tmp_path / "batch.jsonl"
    lines.write_text("\n".join(json.dumps({"id": f"d{n}", "text": f"story number {n} about rain"})
                               for n in range(3)), encoding="utf-8")
    original = ingest.index.index_document
    calls = []

    def failing(store: Store, key: int, words: list, **options: bool) -> None:
        calls.append(key)
        if len(calls) == 3:
            raise ProvenanceError("simulated failure while indexing")
        original(store, key, words, **options)

    monkeypatch.setattr(ingest.index, "index_document", failing)
    summary = ingest.ingest(fresh_db, [str(lines)])
    assert summary.skipped and summary.added == []
    assert fresh_db.document_count() == 1  # only the seed from before
    blobs = b"".join(blob for (blob,) in fresh_db.db.execute("SELECT postings FROM posting_blocks"))
    assert set((np.frombuffer(blobs, dtype="<u8") & 0xFFFFFFFF).tolist()) == {1}  # the seed's only


def test_metadata_overrides_for_one_file(fresh_db: Store, tmp_path: Path) -> None:
    story = tmp_path / "story.txt"
    story.write_text("The council approved the plan on Monday night.", encoding="utf-8")
    ingest.ingest(fresh_db, [str(story)], overrides={"published": "2020-05-01", "title": "Plan",
                                                    "id": "plan", "url": None})
    stored = fresh_db.document_by_id("plan")
    assert stored is not None and stored.title == "Plan"
    with pytest.raises(ProvenanceError, match="exactly one file"):
        ingest.ingest(fresh_db, [str(story), str(SEED)], overrides={"title": "x"})


def test_index_params_mismatch_is_refused(fresh_db: Store) -> None:
    ingest.ingest(fresh_db, [str(SEED)])
    fresh_db.save_index_params({"shingle": "words:5:md5"})
    with pytest.raises(ProvenanceError, match="index built with shingle='words:5:md5'"):
        ingest.ingest(fresh_db, [str(SEED)])


def test_a_file_with_an_id_taken_by_other_text_is_skipped_whole(tmp_path: Path) -> None:
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    first.write_text(json.dumps({"id": "story-1", "text": "The mayor opened the bridge."}))
    second.write_text("\n".join(json.dumps(record) for record in (
        {"id": "story-2", "text": "Rain is expected all week."},
        {"id": "story-1", "text": "A different story under the same id."})))
    store = Store(tmp_path / "a.db")
    summary = ingest.ingest(store, [str(first), str(second)])
    assert summary.added == ["story-1"]
    assert summary.skipped == [(str(second), f"{second}: a different document already has id 'story-1'")]
    assert store.document_count() == 1 and store.document_by_id("story-2") is None
