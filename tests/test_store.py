"""The schema: migrations build it on a blank database, and traces are stored."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from provenance.model import Document, ProvenanceError
from provenance.store import Store, migrations


def test_blank_database_is_migrated(fresh_db: Store) -> None:
    tables = set(fresh_db.db.table_names())
    assert {"documents", "locations", "index_params", "posting_blocks", "minhashes", "lsh_bands",
            "traces", "quotations", "quotation_sources", "alterations"} <= tables
    columns = {c.name for c in fresh_db.db["quotations"].columns}
    assert {"start", "end", "text", "kind", "status", "speaker", "speaker_name", "source_key",
            "closest_key", "parent_id", "score"} <= columns
    columns = {c.name for c in fresh_db.db["alterations"].columns}
    assert {"kind", "severity", "start", "end", "source_start", "source_end", "quoted",
            "original"} <= columns
    assert not migrations.pending(fresh_db.db)


def test_reopening_applies_nothing_twice(db_path: Path) -> None:
    Store(db_path).close()
    store = Store(db_path)
    names = [m.name for m in migrations.applied(store.db)]
    assert len(names) == len(set(names))


def test_a_new_database_has_large_pages_and_an_old_one_keeps_its_own(tmp_path: Path) -> None:
    import sqlite3

    from provenance.store import PAGE_SIZE

    new = tmp_path / "new.db"
    Store(new).close()
    assert sqlite3.connect(new).execute("PRAGMA page_size").fetchone() == (PAGE_SIZE,)
    old = tmp_path / "old.db"
    connection = sqlite3.connect(old)
    connection.execute("PRAGMA page_size = 4096")
    connection.execute("CREATE TABLE notes (text TEXT)")
    connection.close()
    store = Store(old)
    store.add_document(Document(text="Kept on small pages."), content_hash="h", word_count=4, indexed=False)
    store.close()
    connection = sqlite3.connect(old)
    assert connection.execute("PRAGMA page_size").fetchone() == (4096,)
    assert connection.execute("SELECT text FROM documents").fetchall() == [("Kept on small pages.",)]


def test_not_a_database(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.db"
    bogus.write_text("this is not sqlite at all " * 100)
    with pytest.raises(ProvenanceError, match="not a provenance database"):
        Store(bogus)


def _found(store: Store, word: str) -> list[int]:
    rows = store.db.execute("SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?", [word])
    return [row[0] for row in rows]


def _add(store: Store, text: str, digest: str) -> int:
    stored = store.add_document(Document(text=text, id=digest), content_hash=digest,
                                word_count=len(text.split()), indexed=False)
    assert stored.key is not None
    return stored.key


def test_full_text_follows_text_changes_only(fresh_db: Store) -> None:
    """The full-text index is rewritten when a document's text changes, and left alone
    when only another column does (marking a document indexed)."""
    db = fresh_db.db
    key = _add(fresh_db, "zebra crossing", "h")
    changes = db.conn.total_changes
    db.execute("UPDATE documents SET indexed = 1 WHERE key = ?", [key])
    assert db.conn.total_changes - changes == 1  # the row itself, and no full-text rows
    assert _found(fresh_db, "zebra") == [key]
    db.execute("UPDATE documents SET text = 'giraffe crossing' WHERE key = ?", [key])
    assert _found(fresh_db, "zebra") == [] and _found(fresh_db, "giraffe") == [key]


def test_full_text_is_indexed_when_the_transaction_ends(fresh_db: Store) -> None:
    """New documents' full texts go into the index together, at the end of the outermost
    transaction; a rolled-back savepoint's documents never do."""
    with fresh_db.atomic():
        kept = _add(fresh_db, "zebra crossing", "a")
        with pytest.raises(RuntimeError), fresh_db.atomic():
            _add(fresh_db, "zebra stripes", "b")
            raise RuntimeError("the file turned out bad")
        assert _found(fresh_db, "zebra") == []  # not yet
    assert _found(fresh_db, "zebra") == [kept]
    assert fresh_db.db.execute("SELECT count(*) FROM documents").fetchone()[0] == 1
    # the external-content index holds exactly what the documents table does
    fresh_db.db.execute("INSERT INTO documents_fts (documents_fts) VALUES ('integrity-check')")


def test_values_held_more_than_a_limit_are_found_in_a_sorted_array() -> None:
    from provenance.store import _more_than

    rng = np.random.default_rng(0)
    for size, high in [(0, 1), (5, 2), (100, 1), (101, 1), (102, 3), (5000, 40), (5000, 60)]:
        ordered = np.sort(rng.integers(0, high, size)).astype(np.uint64)
        values, counts = np.unique(ordered, return_counts=True)
        assert _more_than(ordered, 100).tolist() == values[counts > 100].tolist()


def test_an_added_document_is_the_one_read_back(fresh_db: Store) -> None:
    """add_document returns what document_by_id reads from the row (dates, emphasis,
    quotations in markup, notes), for plain text, HTML pages and feeds."""
    from provenance import ingest
    from provenance.ingest import content_hash

    root = Path(__file__).parent
    paths = [str(root / "data" / "web" / name) for name in
             ("news_article.html", "syndicated_copy.html", "newsroom_atom.xml")]
    documents = [document for path in ingest.expand_paths([*paths, str(root.parent / "fixtures")])
                 for document in ingest.read_path(path)]
    assert any(d.emphasis for d in documents) and any(d.quotes for d in documents)
    assert any(d.published for d in documents) and any(d.notes for d in documents)
    for document in documents:
        stored = fresh_db.add_document(document, content_hash=content_hash(document.text),
                                       word_count=1, indexed=False)
        assert stored == fresh_db.document_by_id(stored.id or "")


def test_a_database_from_before_m012_keeps_its_full_text_and_drops_the_insert_trigger(
    db_path: Path,
) -> None:
    store = Store(db_path)
    old = _add(store, "zebra crossing", "a")
    store.db.execute(  # the insert trigger of m003, as sqlite-utils made it
        "CREATE TRIGGER [documents_ai] AFTER INSERT ON [documents] BEGIN\n"
        "  INSERT INTO [documents_fts] (rowid, [title], [text])\n"
        "    VALUES (new.rowid, new.[title], new.[text]);\n"
        "END")
    store.db.execute("DELETE FROM _sqlite_migrations WHERE name = 'm012_full_text_in_batches'")
    store.db.conn.commit()
    store.close()
    migrated = Store(db_path)
    assert "documents_ai" not in {row[0] for row in migrated.db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    new = _add(migrated, "zebra stripes", "b")
    assert sorted(_found(migrated, "zebra")) == [old, new]  # each indexed once
    migrated.db.execute("INSERT INTO documents_fts (documents_fts) VALUES ('integrity-check')")
