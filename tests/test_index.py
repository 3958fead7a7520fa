"""The index: what it guarantees to find, its parameters, and parallel ingest."""

from __future__ import annotations

import gc
import itertools
import json
import random
import sqlite3
from pathlib import Path
from typing import Any

import datasketch
import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from conftest import FIXTURES
from provenance import index, retrieve
from provenance.ingest import content_hash, ingest
from provenance.model import Document, ProvenanceError
from provenance.normalize import words
from provenance.store import Store


def vocabulary_text(rng: random.Random, count: int) -> list[str]:
    return [f"w{rng.randrange(50_000)}" for _ in range(count)]


@pytest.fixture
def source_db(tmp_path: Path) -> tuple[Store, list[str]]:
    """An archive of one 5,000-word source among 20 other documents."""
    rng = random.Random(5)
    source = vocabulary_text(rng, 5000)
    lines = [{"id": "source", "text": " ".join(source), "published": "2020-01-01"}]
    lines += [{"id": f"other-{n}", "text": " ".join(vocabulary_text(rng, 600))} for n in range(20)]
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("\n".join(json.dumps(line) for line in lines))
    store = Store(tmp_path / "archive.db")
    assert not ingest(store, [str(corpus)]).skipped
    return store, source


def test_ten_words_with_two_changed_are_always_found(source_db: tuple[Store, list[str]]) -> None:
    """The pigeonhole guarantee: 8 unchanged words of 10 in at most 3 runs keep a
    3-word shingle, wherever the two changes fall and wherever the quotation sits."""
    store, source = source_db
    source_key = store.key_by_hash(content_hash(" ".join(source)))
    assert source_key is not None
    for start in (0, 2345, 4990):
        original = source[start : start + 10]
        for changed in itertools.combinations(range(10), 2):
            quoted = [f"changed{n}" if n in changed else word for n, word in enumerate(original)]
            article = words("He said " + " ".join(quoted) + " and left.")
            hits = retrieve.shingle_hits(store, article)
            assert source_key[0] in retrieve.candidates(hits, 2, 12), (start, changed)


def test_minhash_equals_datasketch() -> None:
    prepared = index.entry_of_text("the quick brown fox jumps over the lazy dog " * 3 + "again and again")
    reference = datasketch.MinHash(num_perm=index.NUM_PERM, seed=index.SEED,
                                   scheme=index.SCHEME, hashfunc=lambda value: value)
    reference.update_batch([int(h) & 0xFFFFFFFF for h in prepared.hashes])
    assert prepared.signature == np.asarray(reference.hashvalues, dtype="<u4").tobytes()


@given(st.text())
def test_fast_norms_equal_normalize_words(text: str) -> None:
    assert index.norms(text) == [word.norm for word in words(text)]


@given(st.text(alphabet="aZ9_' \n.-’"))
@example("Rock'n'roll, 'quoted', don''t ' '' x'_y")
def test_ascii_norms_equal_normalize_words(text: str) -> None:
    """ASCII text takes a faster path; apostrophes inside, around and between words."""
    assert index.norms(text) == [word.norm for word in words(text)]


def test_permutations_are_datasketchs() -> None:
    a, b = datasketch.MinHash(num_perm=index.NUM_PERM, seed=index.SEED, scheme=index.SCHEME).permutations
    drawn = index._permutations()
    assert drawn[0].tolist() == a.tolist() and drawn[1].tolist() == b.tolist()


def test_shingle_hashes_fit_32_bits_and_depend_on_order() -> None:
    hashes = index.shingle_array(["a", "b", "c", "b", "a"])
    assert len(hashes) == 3 and all(-(2**31) <= h < 2**31 for h in hashes.tolist())
    assert len(set(hashes.tolist())) == 3  # "a b c", "b c b", "c b a" all differ


def test_other_parameters_are_refused(tmp_path: Path) -> None:
    store = Store(tmp_path / "old.db")
    store.save_index_params({**index.PARAMS, "shingle": "words:3:blake2b64"})
    with pytest.raises(ProvenanceError, match="rebuild the index into a new database"):
        ingest(store, [])


def test_near_duplicates_find_a_syndicated_copy(source_db: tuple[Store, list[str]]) -> None:
    store, source = source_db
    copy = words(" ".join(source[:4000]) + " Reprinted with permission.")
    found = index.near_duplicates(store, copy, threshold=0.6)
    assert found and found[0][1] >= 0.6


def test_common_shingles_are_left_out_of_postings(tmp_path: Path) -> None:
    corpus = tmp_path / "c.jsonl"
    corpus.write_text("\n".join(json.dumps({"text": f"one of the best {n} things"}) for n in range(5)))
    store = Store(tmp_path / "a.db")
    ingest(store, [str(corpus)])
    common = index.shingle_array(["one", "of", "the"]).tolist()
    assert len(list(store.postings(common))) == 5
    assert list(store.postings(common, limit=4)) == []


def dump(path: Path) -> dict[str, list[tuple]]:
    connection = sqlite3.connect(path)
    tables = {
        "documents": "SELECT key, id, content_hash, word_count, indexed, path FROM documents ORDER BY key",
        "locations": "SELECT * FROM locations ORDER BY 1, 2",
        "posting_blocks": "SELECT * FROM posting_blocks ORDER BY 1",
        "minhashes": "SELECT * FROM minhashes ORDER BY 1",
        "lsh_bands": "SELECT * FROM lsh_bands ORDER BY 1, 2, 3",
        "full_text": "SELECT * FROM documents_fts_docsize ORDER BY 1",  # each text's words counted
    }
    return {name: connection.execute(sql).fetchall() for name, sql in tables.items()}


def test_parallel_ingest_equals_single_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Also the merge that ends a bulk load, whose hash ranges the workers read and sort."""
    from provenance import ingest as ingest_module
    from provenance import store as store_module

    monkeypatch.setattr(ingest_module, "COMMIT_DOCUMENTS", 40)  # several segments to merge
    monkeypatch.setattr(store_module, "MERGE_SLICE", 1 << 12)  # in many hash ranges
    pooled: list[Any] = []  # the tasks the workers were given
    results = ingest_module._results
    monkeypatch.setattr(ingest_module, "_results",
                        lambda pool, function, tasks: results(pool, function, pooled.extend(tasks) or pooled))
    rng = random.Random(9)
    folder = tmp_path / "in"
    folder.mkdir()
    for shard in range(20):  # enough files for ingest to start its reader processes
        lines = [json.dumps({"text": " ".join(vocabulary_text(rng, 300))}) for _ in range(15)]
        lines.append(json.dumps({"text": "the same text in every shard, one document"}))
        (folder / f"shard-{shard}.jsonl").write_text("\n".join(lines))
    (folder / "bad.jsonl").write_text("{not json")
    single, parallel = Store(tmp_path / "one.db"), Store(tmp_path / "two.db")
    first = ingest(single, [str(folder)], workers=1)
    second = ingest(parallel, [str(folder)], workers=2)
    assert (first.added, first.present, first.skipped) == (second.added, second.present, second.skipped)
    assert len(first.added) == 20 * 15 + 1 and len(first.skipped) == 1
    assert len(parallel.segments()) == 1 and len(pooled) > 8  # merged, from many ranges
    single.close(), parallel.close()
    assert dump(tmp_path / "one.db") == dump(tmp_path / "two.db")


@pytest.mark.parametrize("first", ["good", "bad JSON", "id taken"])
def test_a_first_big_file_read_in_parts_equals_single_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, first: str
) -> None:
    """The first of big files is prepared in parts by the workers; stored, it is the same
    as one process's, and so are the files after it when it is skipped as bad JSON or
    for an id taken, after some of its parts were stored."""
    from provenance import ingest as ingest_module

    monkeypatch.setattr(ingest_module, "READ_AHEAD_MIN_BYTES", 1000)  # these files count as big
    rng = random.Random(11)
    folder = tmp_path / "in"
    folder.mkdir()
    for shard in range(3):
        records = [{"id": f"s{shard}-{n}", "text": " ".join(vocabulary_text(rng, 200))} for n in range(9)]
        if shard == 0 and first == "id taken":
            records[3]["id"] = "s0-1"  # in its second part: found while the file is being stored
        lines = [json.dumps(record) for record in records]
        if shard == 0 and first == "bad JSON":
            lines[8] = "{not json"
        (folder / f"shard-{shard}.jsonl").write_text("\n".join(lines))
    single, parallel = Store(tmp_path / "one.db"), Store(tmp_path / "two.db")
    one = ingest(single, [str(folder)], workers=1)
    two = ingest(parallel, [str(folder)], workers=2)
    assert (one.added, one.skipped) == (two.added, two.skipped)
    assert len(one.added) == (27 if first == "good" else 18)
    single.close(), parallel.close()
    assert dump(tmp_path / "one.db") == dump(tmp_path / "two.db")


def test_document_frequency_limit_across_segments(tmp_path: Path) -> None:
    """Common shingles are left out whether they are common in one segment (known at
    ingest) or only across segments together (counted at query time)."""
    from collections import Counter

    from provenance.store import COMMON_LIMIT

    files = []
    for number, (phrase, count) in enumerate([("one of the", 60), ("one of the", 60),
                                              ("in the end", COMMON_LIMIT + 20), ("rare words here", 3)]):
        path = tmp_path / f"f{number}.jsonl"
        path.write_text("\n".join(json.dumps({"text": f"{phrase} item{number}x{n}"}) for n in range(count)))
        files.append(str(path))
    store = Store(tmp_path / "a.db")
    for path in files:  # one ingest, one transaction, one segment each
        ingest(store, [path])
    assert len(store.segments()) > 1
    shingles = [index.shingle_array(p.split()).tolist()[0]
                for p in ("one of the", "in the end", "rare words here")]
    everything = list(store.postings(shingles))
    counts = Counter(shingle for shingle, _ in everything)
    expected = sorted(row for row in everything if counts[row[0]] <= COMMON_LIMIT)
    assert sorted(store.postings(shingles, limit=COMMON_LIMIT)) == expected
    assert {shingle for shingle, _ in expected} == {shingles[2]}


@pytest.mark.parametrize("per_block, merge_slice", [(4, 64), (64, 8)])
def test_postings_survive_blocks_merges_and_slices(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, per_block: int, merge_slice: int
) -> None:
    """Small blocks or small merge slices (a block then spans slices), many batches:
    every posting written is read back, and nothing else, whatever its segment."""
    from provenance import store as store_module

    monkeypatch.setattr(store_module, "POSTINGS_PER_BLOCK", per_block)
    monkeypatch.setattr(store_module, "MERGE_SLICE", merge_slice)
    rng = np.random.default_rng(3)
    store = Store(tmp_path / "a.db")
    store.db.execute("PRAGMA foreign_keys = OFF")  # postings of documents not stored here
    written: list[tuple[int, int]] = []
    for batch in range(13):  # enough batches for merges of merges
        entries = []
        for key in range(batch * 5 + 1, batch * 5 + 6):
            hashes = np.unique(rng.integers(-(2**31), 2**31, 40))
            hashes[:3] = [-(2**31), 2**31 - 1, 0]  # the edges of the hash space
            entries.append((key, hashes, b"", []))
            written.extend((h, key) for h in hashes.tolist())
        with store.atomic():
            store.add_postings_many(entries)
    segments = store.segments()
    assert len(segments) < 13 and max(bits for _, _, bits in segments) >= 2
    assert sum(postings for _, postings, _ in segments) == len(written)
    everything = sorted({h for h, _ in written})
    assert sorted(store.postings(everything)) == sorted(written)
    some = everything[::7] + [12345]  # and one hash nobody has
    assert sorted(store.postings(some)) == sorted(row for row in written if row[0] in set(some))


@pytest.mark.parametrize("merge_slice", [8, 1 << 20])
def test_the_runs_of_a_bulk_load_are_read_back_whole_in_any_slices(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, merge_slice: int
) -> None:
    """Run files are searched by hash range (the edges of the hash space included, and
    ranges that fall between two runs' postings): the segment the load ends with holds
    every posting written, once."""
    from provenance import store as store_module

    monkeypatch.setattr(store_module, "MERGE_SLICE", merge_slice)
    rng = np.random.default_rng(4)
    store = Store(tmp_path / "a.db")
    store.db.execute("PRAGMA foreign_keys = OFF")  # postings of documents not stored here
    written: set[tuple[int, int]] = set()
    with store.bulk_load():
        for batch in range(6):
            entries = []
            for key in range(batch * 4 + 1, batch * 4 + 5):
                hashes = np.unique(rng.integers(-(2**31), 2**31, 30 + 40 * (batch % 2)))
                hashes[:4] = [-(2**31), 2**31 - 1, 0, -1]  # the edges of the hash space
                entries.append((key, hashes, b"", []))
                written.update((h, key) for h in hashes.tolist())
            entries.append((batch * 4 + 1, entries[0][1], b"", []))  # a document twice: once
            with store.atomic():
                store.add_postings_many(entries)
        with store.atomic():
            store.add_postings_many([])  # nothing: no run
        assert len(store._listed_runs()) == 6
    assert store.postings_total() == len(written) and len(store.segments()) == 1
    everything = sorted({h for h, _ in written})
    assert sorted(store.postings(everything)) == sorted(written)


def test_postings_from_before_blocks_are_moved(tmp_path: Path) -> None:
    """A database indexed before posting blocks (migration m010) keeps its postings."""
    path = tmp_path / "old.db"
    store = Store(path)
    ingest(store, [str(FIXTURES)])
    rows = store.postings_array(_all_hashes(store)).tolist()
    assert rows
    db = store.db  # put the index back as it was stored before m010
    db.execute("DROP TABLE posting_blocks")
    db.execute("DROP TABLE shingle_segments")
    db.execute("CREATE TABLE shingles (segment INTEGER NOT NULL, hash INTEGER NOT NULL, document_key "
               "INTEGER NOT NULL, PRIMARY KEY (segment, hash, document_key)) WITHOUT ROWID")
    db.execute("CREATE TABLE shingle_segments (segment INTEGER PRIMARY KEY, postings INTEGER NOT NULL)")
    halves = {1: rows[::2], 2: rows[1::2]}
    for segment, part in halves.items():
        db.conn.executemany("INSERT INTO shingles VALUES (?, ?, ?)", [(segment, *row) for row in part])
        db.execute("INSERT INTO shingle_segments VALUES (?, ?)", [segment, len(part)])
    db.execute("DELETE FROM _sqlite_migrations WHERE name = 'm010_posting_blocks'")
    db.conn.commit()
    store.close()
    moved = Store(path)
    assert "shingles" not in moved.db.table_names()
    assert sorted(moved.postings_array(_all_hashes(moved)).tolist()) == sorted(rows)


def _all_hashes(store: Store) -> list[int]:
    texts = [row[0] for row in store.db.execute("SELECT text FROM documents")]
    return sorted({h for text in texts for h in index.shingle_array(index.norms(text)).tolist()})


def test_a_bulk_load_ends_in_one_segment_and_a_small_ingest_does_not_merge_it(tmp_path: Path) -> None:
    rng = random.Random(4)

    def shard(name: str, documents: int) -> str:
        path = tmp_path / name
        path.write_text("\n".join(json.dumps({"text": " ".join(vocabulary_text(rng, 200))})
                                  for _ in range(documents)))
        return str(path)

    store = Store(tmp_path / "a.db")
    ingest(store, [shard("first.jsonl", 12)])
    for number in range(3):  # small ingests into a larger index: a segment each, left alone
        ingest(store, [shard(f"small{number}.jsonl", 3)])
    assert len(store.segments()) == 4
    before = sorted(store.postings(_all_hashes(store)))
    ingest(store, [shard("bulk.jsonl", 60)])  # most of the index: merged into one segment
    assert len(store.segments()) == 1
    after = sorted(store.postings(_all_hashes(store)))
    assert set(before) < set(after) and store.postings_total() == len(after)


def test_common_shingles_neither_break_nor_make_a_copied_passage() -> None:
    """At a large archive, every other shingle of a copied passage may be too common to
    look up: the rare ones left still make one passage, and common ones alone make none."""
    rare = np.arange(0, 30, 2)  # a 32-word copy whose odd shingles are common phrasing
    common = np.arange(1, 30, 2)
    hits = retrieve.Hits(np.ones(len(rare), dtype=np.int64), rare, common)
    assert [(p.start, p.end) for p in retrieve.copied_passages(hits, [1])] == [(0, 31)]
    assert retrieve.copied_passages(retrieve.Hits(hits.keys_array, rare), [1]) == []
    scattered = np.arange(0, 60, 6)  # a rare shingle every six words, nothing common between
    assert retrieve.copied_passages(retrieve.Hits(np.ones(10, dtype=np.int64), scattered, common), [1]) == []


def test_a_sentence_whose_other_shingles_are_common_is_a_candidate_copy() -> None:
    """Its share of shared shingles counts only the shingles that were looked up."""
    rare = np.array([0, 9])  # two rare shingles shared in a 20-word sentence ...
    keys = np.ones(2, dtype=np.int64)
    common = np.array([p for p in range(18) if p not in (0, 9)])  # ... the rest too common to look up
    found = retrieve.copied_sentence_candidates(retrieve.Hits(keys, rare, common), [1], [(0, 20)],
                                                archive_size=1000)
    assert found == [(0, 20, [1])]
    missed = retrieve.Hits(keys, rare)  # the same hits, had the other shingles been looked up and missed
    assert retrieve.copied_sentence_candidates(missed, [1], [(0, 20)], archive_size=1000) == []


def _random_batch(rng: np.random.Generator, key: int, size: int = 50
                  ) -> list[tuple[int, np.ndarray, bytes, list[int]]]:
    return [(key, np.unique(rng.integers(-(2**31), 2**31, size)), b"", [])]


def test_a_bulk_load_writes_runs_and_then_one_segment(tmp_path: Path) -> None:
    """In a bulk load each commit's postings go to a run file beside the database, not
    into a segment; the load ends by writing them all into one segment (each posting is
    written to the database once), and the run files are gone. After it, batches go
    into segments in tiers of 4 again; the postings are the same either way."""
    rng = np.random.default_rng(5)
    store = Store(tmp_path / "a.db")
    store.db.execute("PRAGMA foreign_keys = OFF")  # postings of documents not stored here
    segments_written = []
    write_segment = store._write_segment

    def counted(segment: int, postings: int, parts: Any) -> None:
        segments_written.append(postings)
        write_segment(segment, postings, parts)

    store._write_segment = counted  # type: ignore[method-assign]
    written = []
    folder = tmp_path / "a.db-bulk"
    with store.bulk_load():
        for number in range(1, 11):
            written += _random_batch(rng, number)
            with store.atomic():
                store.add_postings_many(written[-1:])
            assert store.segments() == [] and len(store._listed_runs()) == number
            assert len(list(folder.glob("*.postings"))) == number
        assert segments_written == []
    assert segments_written == [store.postings_total()] == [sum(len(h) for _, h, _, _ in written)]
    assert len(store.segments()) == 1 and store._listed_runs() == [] and not folder.exists()
    for number in range(11, 15):
        written += _random_batch(rng, number)
        with store.atomic():
            store.add_postings_many(written[-1:])
    assert len(store.segments()) == 2  # the bulk load's, and the 4 new ones merged
    everything = sorted({h for _, hashes, _, _ in written for h in hashes.tolist()})
    assert sorted(store.postings(everything)) == sorted(
        (h, key) for key, hashes, _, _ in written for h in hashes.tolist())


def test_the_segments_an_interrupted_bulk_load_leaves_are_merged_into_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """More segments than tiers of 4 would hold (a bulk load of a version before runs,
    stopped before its final merge): the next batch merges them all, once, and later
    batches go on in tiers."""
    rng = np.random.default_rng(8)
    store = Store(tmp_path / "a.db")
    store.db.execute("PRAGMA foreign_keys = OFF")  # postings of documents not stored here
    with monkeypatch.context() as patched:
        patched.setattr(store, "_merge_segments", lambda: None)
        for number in range(1, 41):
            with store.atomic():
                store.add_postings_many(_random_batch(rng, number, 20))
    assert len(store.segments()) == 40
    total = store.postings_total()
    with store.atomic():
        store.add_postings_many(_random_batch(rng, 41, 20))
    assert len(store.segments()) == 1 and store.postings_total() > total
    for number in range(42, 45):
        with store.atomic():
            store.add_postings_many(_random_batch(rng, number, 20))
    assert len(store.segments()) == 4  # the big one and three small: not of a size yet


def _interrupted_bulk_load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A database whose bulk load stopped (Ctrl-C) after four commits of five documents."""
    from provenance import ingest as ingest_module

    rng = random.Random(6)
    shard = tmp_path / "shard.jsonl"
    shard.write_text("\n".join(json.dumps({"text": " ".join(vocabulary_text(rng, 120))})
                               for _ in range(30)))
    monkeypatch.setattr(ingest_module, "COMMIT_DOCUMENTS", 1)  # a commit after each file
    files = []
    for number in range(6):
        part = tmp_path / f"part{number}.jsonl"
        part.write_text("\n".join(shard.read_text().splitlines()[5 * number:5 * number + 5]))
        files.append(str(part))
    calls = []
    add_document = ingest_module.add_document

    def interrupted(*args: Any, **options: Any) -> Any:
        calls.append(1)
        if len(calls) == 23:  # in the fifth file
            raise KeyboardInterrupt
        return add_document(*args, **options)

    monkeypatch.setattr(ingest_module, "add_document", interrupted)
    path = tmp_path / "a.db"
    store = Store(path)
    with pytest.raises(KeyboardInterrupt):
        ingest(store, files)
    assert store.document_count() == 20 and store.segments() == [] and len(store._listed_runs()) == 4
    store.close()
    return path


def _expected_postings(store: Store) -> list[tuple[int, int]]:
    rows = store.db.execute("SELECT key, text FROM documents").fetchall()
    return sorted({(h, key) for key, text in rows for h in index.entry_of_text(text).hashes.tolist()})


def _index_is_whole(store: Store) -> None:
    """Its postings and LSH band rows are those of its documents' texts, no more, no less."""
    expected = _expected_postings(store)
    assert sorted(store.postings({h for h, _ in expected})) == expected
    texts = store.db.execute("SELECT key, text FROM documents").fetchall()
    bands = sorted((band, bucket, key) for key, text in texts
                   for band, bucket in enumerate(index.entry_of_text(text).buckets))
    assert store.db.execute("SELECT band, bucket, document_key FROM lsh_bands ORDER BY 1, 2, 3"
                            ).fetchall() == bands


@pytest.mark.parametrize("damage", ["none", "missing", "cut short", "zero-filled", "another's"])
def test_an_interrupted_bulk_load_is_indexed_when_the_database_is_next_opened(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: str) -> None:
    """Its committed documents are stored, with their postings in run files; opening the
    database merges the runs into a segment. A run file lost or damaged (a crash of the
    machine) is written again from the stored texts of its documents."""
    path = _interrupted_bulk_load(tmp_path, monkeypatch)
    run = tmp_path / "a.db-bulk" / "2.postings"
    data = run.read_bytes()
    if damage == "missing":
        run.unlink()
    elif damage == "cut short":
        run.write_bytes(data[:-8])
    elif damage == "zero-filled":
        run.write_bytes(data[:4096] + bytes(len(data) - 4096))
    elif damage == "another's":  # the right length, sorted, but not its documents' postings
        run.write_bytes((tmp_path / "a.db-bulk" / "1.postings").read_bytes()[:len(data)])
    said: list[str] = []
    store = Store(path, announce=said.append)
    assert said == [f"{path}: indexing the 20 documents of a bulk load that was interrupted..."]
    assert len(store.segments()) == 1 and store._listed_runs() == []
    assert not (tmp_path / "a.db-bulk").exists()
    _index_is_whole(store)


def test_runs_are_left_alone_while_another_process_bulk_loads(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A database opened while a bulk load holds its run folder does not merge its runs,
    and an ingest into it writes segments; the runs are merged once the lock is free."""
    import subprocess
    import sys

    path = _interrupted_bulk_load(tmp_path, monkeypatch)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import fcntl, sys; f = open(sys.argv[1], 'w'); "
         "fcntl.flock(f, fcntl.LOCK_EX); print('locked', flush=True); sys.stdin.read()",
         str(tmp_path / "a.db-bulk" / "lock")],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        store = Store(path)
        assert len(store._listed_runs()) == 4 and store.segments() == []
        more = tmp_path / "more.jsonl"
        more.write_text(json.dumps({"text": " ".join(vocabulary_text(random.Random(1), 99))}))
        ingest(store, [str(more)])
        assert len(store._listed_runs()) == 4 and len(store.segments()) == 1
        store.close()
    finally:
        holder.communicate("")
    store = Store(path)
    assert store._listed_runs() == [] and len(store.segments()) == 1  # runs and segment merged
    _index_is_whole(store)


def _write_settings(store: Store) -> tuple[int, ...]:
    fts = dict(store.db.execute(
        "SELECT k, v FROM documents_fts_config WHERE k IN ('automerge', 'crisismerge', 'hashsize')"))
    checkpoint = store.db.execute("PRAGMA wal_autocheckpoint").fetchone()[0]
    mapped = store.db.execute("PRAGMA mmap_size").fetchone()[0]
    return (fts.get("automerge", 4), fts.get("crisismerge", 16), fts.get("hashsize", 1 << 20),
            checkpoint, mapped)


def test_a_bulk_load_tunes_the_full_text_index_and_checkpoints_and_restores_them(tmp_path: Path) -> None:
    """Within a bulk load, FTS5 merges 16 segments at a time and holds 64 MB before it
    writes one, the write-ahead log is copied every 8,192 pages, and nothing is read
    through a memory map; after it, the defaults are back, and what was loaded is found
    by the full-text index."""
    store = Store(tmp_path / "a.db")
    before = _write_settings(store)
    assert before[:4] == (4, 16, 1 << 20, 1000) and before[4] > 0  # mapped (up to SQLite's cap)
    with store.bulk_load():
        assert _write_settings(store) == (16, 64, 64 << 20, 8192, 0)
        for number in range(40):
            with store.atomic():
                store.add_document(Document(text=f"a fair word{number} here", id=str(number)),
                                   content_hash=str(number), word_count=4, indexed=False)
        store.add_postings(1, [1, 2, 3], b"", [])  # a flush of postings leaves the map off
        assert _write_settings(store)[-1] == 0
    assert _write_settings(store) == before
    assert store.word_document_counts(["word7", "fair"]) == {"word7": 1, "fair": 40}


def test_an_ingest_leaves_the_cycle_collector_as_it_found_it(tmp_path: Path) -> None:
    store = Store(tmp_path / "a.db")
    ingest(store, [str(FIXTURES)])
    assert gc.isenabled()
    gc.disable()
    try:
        ingest(store, [str(FIXTURES)])
        assert not gc.isenabled()
    finally:
        gc.enable()
