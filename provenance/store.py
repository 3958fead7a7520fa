"""Storage: the only module that speaks SQL.

One SQLite file holds the archive (documents and their locations), the
search index (shingle postings, MinHash signatures and LSH bands, and the
parameters they were built with) and the results of every trace. The schema
is a list of append-only migrations applied when a database is opened.
"""

from __future__ import annotations

import fcntl
import json
import math
import os
import shutil
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import sqlite_utils

from . import index
from .index import distinct
from .model import Document, Emphasis, ProvenanceError

migrations = sqlite_utils.Migrations("provenance")
# file descriptors of the run-folder locks this process holds (see Store.bulk_load)
_LOCKS_HELD: set[int] = set()
# an ordered map of a function over tasks (a pool of worker processes)
SliceMap = Callable[[Callable[[Any], np.ndarray], Sequence[Any]], Iterable[np.ndarray]]
MMAP_BYTES = 1 << 34
# Pages of 32 KB instead of 4 KB: an ingest writes fewer, larger pages (one write-ahead-log
# frame each) and the index is smaller. Measured with benchmarks/scale.py, 2 workers:
# 10k documents 1,740-1,837 -> 1,945-2,022 documents/s, 100k 1,533 -> 1,807, 1M 946 ->
# 1,091; index 1.83 -> 1.73 x the raw text at 1M; trace latency unchanged.
PAGE_SIZE = 32768
# FTS5's and SQLite's defaults, and a bulk load's (see Store.bulk_load)
WRITE_DEFAULTS = {"automerge": 4, "crisismerge": 16, "hashsize": 1 << 20, "checkpoint": 1000}
BULK_WRITES = {"automerge": 16, "crisismerge": 64, "hashsize": 64 << 20, "checkpoint": 8192}


@migrations()
def m001_archive(db: sqlite_utils.Database) -> None:
    for statement in (
        """CREATE TABLE documents (
            key INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            content_hash TEXT NOT NULL UNIQUE,
            title TEXT, url TEXT, publisher TEXT, author TEXT,
            published TEXT,
            path TEXT, format TEXT,
            word_count INTEGER,
            text TEXT NOT NULL,
            emphasis TEXT NOT NULL DEFAULT '[]',
            notes TEXT NOT NULL DEFAULT '[]',
            indexed INTEGER NOT NULL DEFAULT 0,
            added_at TEXT NOT NULL)""",
        "CREATE INDEX documents_published ON documents(published)",
        """CREATE TABLE locations (
            document_key INTEGER NOT NULL REFERENCES documents(key),
            location TEXT NOT NULL,
            PRIMARY KEY (document_key, location)) WITHOUT ROWID""",
        "CREATE TABLE index_params (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
        """CREATE TABLE shingles (
            hash INTEGER NOT NULL,
            document_key INTEGER NOT NULL,
            PRIMARY KEY (hash, document_key)) WITHOUT ROWID""",
        """CREATE TABLE minhashes (
            document_key INTEGER PRIMARY KEY REFERENCES documents(key),
            signature BLOB NOT NULL)""",
        """CREATE TABLE lsh_bands (
            band INTEGER NOT NULL, bucket INTEGER NOT NULL, document_key INTEGER NOT NULL,
            PRIMARY KEY (band, bucket, document_key)) WITHOUT ROWID""",
    ):
        db.execute(statement)


@migrations()
def m002_traces(db: sqlite_utils.Database) -> None:
    for statement in (
        """CREATE TABLE traces (
            id INTEGER PRIMARY KEY,
            document_key INTEGER NOT NULL REFERENCES documents(key),
            created_at TEXT NOT NULL,
            quotation_count INTEGER NOT NULL,
            notes TEXT NOT NULL DEFAULT '[]')""",
        """CREATE TABLE quotations (
            id INTEGER PRIMARY KEY,
            trace_id INTEGER NOT NULL REFERENCES traces(id),
            document_key INTEGER NOT NULL REFERENCES documents(key),
            position INTEGER NOT NULL,
            parent_id INTEGER REFERENCES quotations(id),
            start INTEGER NOT NULL, "end" INTEGER NOT NULL,
            text TEXT NOT NULL,
            kind TEXT NOT NULL, status TEXT NOT NULL,
            speaker TEXT, speaker_name TEXT, speaker_start INTEGER, speaker_end INTEGER,
            score REAL,
            source_key INTEGER REFERENCES documents(key),
            source_start INTEGER, source_end INTEGER, source_text TEXT,
            closest_key INTEGER REFERENCES documents(key),
            closest_start INTEGER, closest_end INTEGER, closest_text TEXT,
            notes TEXT NOT NULL DEFAULT '[]')""",
        "CREATE INDEX quotations_trace ON quotations(trace_id)",
        "CREATE INDEX quotations_source ON quotations(source_key)",
        """CREATE TABLE quotation_sources (
            quotation_id INTEGER NOT NULL REFERENCES quotations(id),
            document_key INTEGER NOT NULL REFERENCES documents(key),
            role TEXT NOT NULL,
            published TEXT,
            score REAL NOT NULL,
            start INTEGER NOT NULL, "end" INTEGER NOT NULL,
            PRIMARY KEY (quotation_id, document_key))""",
        """CREATE TABLE alterations (
            id INTEGER PRIMARY KEY,
            quotation_id INTEGER NOT NULL REFERENCES quotations(id),
            document_key INTEGER NOT NULL REFERENCES documents(key),
            kind TEXT NOT NULL, severity TEXT NOT NULL,
            start INTEGER NOT NULL, "end" INTEGER NOT NULL,
            source_start INTEGER NOT NULL, source_end INTEGER NOT NULL,
            quoted TEXT NOT NULL, original TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT '')""",
        "CREATE INDEX alterations_quotation ON alterations(quotation_id)",
    ):
        db.execute(statement)


# -- browsing (Datasette): full-text search and views for the common questions --


@migrations()
def m003_browse_search(db: sqlite_utils.Database) -> None:
    """Full-text search on documents and quotations, kept current by triggers."""
    db.table("documents").enable_fts(["title", "text"], create_triggers=True)
    db.table("quotations").enable_fts(["text", "speaker_name"], create_triggers=True)


BROWSE_VIEWS = {
    "altered_quotations": """
        SELECT a.id AS alteration_id, a.quotation_id, q.trace_id,
               coalesce(article.title, article.path, article.id) AS article,
               article.publisher AS article_publisher,
               a.kind, a.severity,
               CASE a.severity WHEN 'major' THEN 3 WHEN 'minor' THEN 2 ELSE 1 END
                   AS severity_rank,
               a.quoted, a.original, a.note, q.speaker_name,
               source.title AS source, source.publisher AS source_publisher,
               source.published AS source_published
        FROM alterations a
        JOIN quotations q ON q.id = a.quotation_id
        JOIN documents article ON article.key = q.document_key
        LEFT JOIN documents source ON source.key = a.document_key
        ORDER BY severity_rank DESC, a.quotation_id, a.start""",
    "unsourced_quotations": """
        SELECT q.id AS quotation_id, q.trace_id, coalesce(article.title, article.path, article.id) AS article,
               article.publisher AS article_publisher,
               article.published AS article_published,
               q.kind, q.speaker_name, q.text
        FROM quotations q JOIN documents article ON article.key = q.document_key
        WHERE q.status = 'unsourced'
        ORDER BY q.trace_id DESC, q.position""",
    "sources_quoted_most": """
        SELECT d.key AS source_key, d.title, d.publisher, d.published, d.url,
               count(DISTINCT q.id) AS quotations,
               count(DISTINCT CASE WHEN q.source_key = d.key THEN q.id END) AS as_earliest,
               count(DISTINCT CASE WHEN q.closest_key = d.key THEN q.id END) AS as_closest,
               count(DISTINCT q.document_key) AS articles
        FROM documents d JOIN quotations q ON d.key IN (q.source_key, q.closest_key)
        GROUP BY d.key
        ORDER BY quotations DESC, articles DESC""",
    "articles_by_quoted_share": """
        SELECT t.id AS trace_id, d.key AS article_key,
               coalesce(d.title, d.path, d.id) AS title, d.publisher, d.published,
               length(d.text) AS characters,
               coalesce(sum(CASE WHEN q.status != 'term' AND q.parent_id IS NULL
                            THEN q."end" - q.start END), 0) AS quoted_characters,
               round(100.0 * coalesce(sum(CASE WHEN q.status != 'term' AND q.parent_id IS NULL
                            THEN q."end" - q.start END), 0) / max(length(d.text), 1), 1)
                   AS quoted_percent,
               count(CASE WHEN q.status != 'term' THEN q.id END) AS quotations,
               count(CASE WHEN q.status = 'traced' THEN q.id END) AS traced,
               count(CASE WHEN q.status = 'unsourced' THEN q.id END) AS unsourced,
               (SELECT count(*) FROM alterations a JOIN quotations aq ON aq.id = a.quotation_id
                WHERE aq.trace_id = t.id AND a.severity = 'major') AS major_alterations
        FROM traces t
        JOIN documents d ON d.key = t.document_key
        LEFT JOIN quotations q ON q.trace_id = t.id
        WHERE t.id = (SELECT max(id) FROM traces latest WHERE latest.document_key = t.document_key)
        GROUP BY t.id
        ORDER BY quoted_percent DESC""",
    "provenance_chain": """
        SELECT qs.quotation_id, q.trace_id, q.text AS quotation,
               CASE WHEN qs.document_key = q.source_key THEN 'earliest'
                    WHEN qs.document_key = q.closest_key THEN 'closest'
                    ELSE qs.role END AS role,
               qs.published, qs.document_key, d.title, d.publisher, d.url, qs.score,
               substr(d.text, qs.start + 1, qs."end" - qs.start) AS passage
        FROM quotation_sources qs
        JOIN quotations q ON q.id = qs.quotation_id
        JOIN documents d ON d.key = qs.document_key
        ORDER BY qs.quotation_id, qs.published IS NULL, qs.published""",
}


@migrations()
def m004_browse_views(db: sqlite_utils.Database) -> None:
    """Views for the questions a fact-checker asks first (see metadata.json)."""
    for name, sql in BROWSE_VIEWS.items():
        db.create_view(name, sql.strip(), replace=True)


@migrations()
def m005_alteration_hops(db: sqlite_utils.Database) -> None:
    # Which hop of a quotation chain made the change: "article", or an intermediate
    # source's id (the change was already there when the article copied it).
    db.execute("ALTER TABLE alterations ADD COLUMN introduced_by TEXT")


@migrations()
def m006_scan(db: sqlite_utils.Database) -> None:
    db.execute(
        """CREATE TABLE IF NOT EXISTS scanned (
            document_key INTEGER PRIMARY KEY REFERENCES documents(key),
            trace_id INTEGER NOT NULL REFERENCES traces(id),
            scanned_at TEXT NOT NULL)"""
    )


@migrations()
def m007_postings_segments(db: sqlite_utils.Database) -> None:
    """Postings in segments (a log-structured merge): a batch is written into a new,
    small segment, so an insert never walks the whole B-tree at random; segments of
    similar size are merged, so a query visits only a few. An index built before this
    migration used other hashes and is refused anyway (index_params): rebuild it."""
    db.execute("DROP TABLE shingles")
    db.execute(
        """CREATE TABLE shingles (
            segment INTEGER NOT NULL,
            hash INTEGER NOT NULL,
            document_key INTEGER NOT NULL,
            PRIMARY KEY (segment, hash, document_key)) WITHOUT ROWID"""
    )
    db.execute(
        """CREATE TABLE shingle_segments (
            segment INTEGER PRIMARY KEY,
            postings INTEGER NOT NULL)"""
    )


@migrations()
def m008_common_shingles(db: sqlite_utils.Database) -> None:
    """Shingles held by more than COMMON_LIMIT documents within one posting segment:
    common phrasing, never evidence of copying; a query skips them without counting."""
    db.execute("CREATE TABLE common_shingles (hash INTEGER PRIMARY KEY)")


@migrations()
def m009_document_quotes(db: sqlite_utils.Database) -> None:
    """Passages a document's markup marks as quotations (HTML <blockquote>: "block",
    <q>: "inline"), as JSON [[start, end, style], ...] into its text: a stored HTML
    article traced by id finds its block quotations as the file does."""
    db.execute("ALTER TABLE documents ADD COLUMN quotes TEXT NOT NULL DEFAULT '[]'")


@migrations()
def m010_posting_blocks(db: sqlite_utils.Database) -> None:
    """Postings in blocks: one row holds the sorted postings of a hash range of one
    segment (about POSTINGS_PER_BLOCK of them, 8 bytes each), instead of one B-tree
    row of about 16 bytes per posting. Existing postings are moved, segment by segment."""
    db.execute("CREATE TABLE posting_blocks (id INTEGER PRIMARY KEY, postings BLOB NOT NULL)")
    db.execute("ALTER TABLE shingle_segments ADD COLUMN bits INTEGER NOT NULL DEFAULT 0")
    for (segment,) in db.execute("SELECT segment FROM shingle_segments").fetchall():
        rows = db.execute("SELECT hash, document_key FROM shingles WHERE segment = ?", [segment])
        pairs = np.array(rows.fetchall(), dtype=np.int64).reshape(-1, 2)
        packed = np.sort(_pack(pairs[:, 0], pairs[:, 1]))
        bits = block_bits(len(packed))
        db.conn.executemany("INSERT INTO posting_blocks (id, postings) VALUES (?, ?)",
                            _block_rows(segment, bits, packed))
        db.execute("UPDATE shingle_segments SET bits = ? WHERE segment = ?", [bits, segment])
    db.execute("DROP TABLE shingles")


@migrations()
def m011_fts_update_triggers(db: sqlite_utils.Database) -> None:
    """Re-index a row's full text only when its text changes: the triggers of
    m003 fired on every UPDATE (marking a document indexed tokenised its text twice)."""
    for table, columns in (("documents", ("title", "text")), ("quotations", ("text", "speaker_name"))):
        names = ", ".join(f"[{column}]" for column in columns)
        old = ", ".join(f"old.[{column}]" for column in columns)
        new = ", ".join(f"new.[{column}]" for column in columns)
        db.execute(f"DROP TRIGGER [{table}_au]")
        db.execute(
            f"CREATE TRIGGER [{table}_au] AFTER UPDATE OF {names} ON [{table}] BEGIN\n"
            f"  INSERT INTO [{table}_fts] ([{table}_fts], rowid, {names})\n"
            f"    VALUES('delete', old.rowid, {old});\n"
            f"  INSERT INTO [{table}_fts] (rowid, {names}) VALUES (new.rowid, {new});\n"
            "END")


@migrations()
def m012_full_text_in_batches(db: sqlite_utils.Database) -> None:
    """A new document's full text is indexed by the store when its transaction ends, one
    statement for all of them, instead of by the insert trigger: FTS5 wrote a small segment
    per triggering statement and then merged them, about 0.3 ms per document (0.1 in a batch)."""
    db.execute("DROP TRIGGER [documents_ai]")


@migrations()
def m013_bulk_runs(db: sqlite_utils.Database) -> None:
    """A bulk load keeps each commit's postings out of the database, in a run file in a
    folder beside it (see Store.bulk_load), listed here in that commit's transaction with
    the keys of its documents; the load ends by merging them all into one segment."""
    db.execute(
        """CREATE TABLE bulk_runs (
            run INTEGER PRIMARY KEY,
            postings INTEGER NOT NULL,
            document_keys BLOB NOT NULL)""")


COMMON_LIMIT = 100  # = retrieve.MAX_DOCUMENT_FREQUENCY; the common_shingles table is built with it
POSTINGS_PER_BLOCK = 64
# postings a merge holds in memory at once (8 MB); small enough that the final merge of a
# bulk load, read by the workers, flows: at 10k documents 4M made two slices, and the
# merge took 0.64-0.69 s against 0.44-0.49 s with 1M
MERGE_SLICE = 1 << 20


def block_bits(postings: int) -> int:
    """How many leading bits of the 32-bit hash name a block in a segment of this size."""
    return min(26, max(0, math.ceil(math.log2(max(postings, 1) / POSTINGS_PER_BLOCK))))


def _pack(hashes: np.ndarray, keys: np.ndarray | int) -> np.ndarray:
    """Postings as unsigned 64-bit (hash as unsigned 32 bits, document key): sorting them
    sorts by hash, and the leading bits of the hash name the block."""
    unsigned = np.asarray(hashes, dtype=np.int64).astype(np.uint32).astype(np.uint64)
    return (unsigned << np.uint64(32)) | np.asarray(keys, dtype=np.int64).astype(np.uint64)


def with_common(rows: np.ndarray, common: Iterable[int] | np.ndarray) -> np.ndarray:
    """Postings rows and a (shingle, -1) row for each shingle left out as common."""
    marks = np.asarray(common, dtype=np.int64)
    return np.concatenate([rows, np.stack([marks, np.full(len(marks), -1)], axis=1)])


def _unpack(packed: np.ndarray) -> np.ndarray:
    """(signed 32-bit hash, document key) rows of packed postings."""
    hashes = (packed >> np.uint64(32)).astype(np.uint32).view(np.int32).astype(np.int64)
    keys = (packed & np.uint64(0xFFFFFFFF)).astype(np.int64)
    return np.stack([hashes, keys], axis=1)


def _more_than(ordered: np.ndarray, limit: int) -> np.ndarray:
    """The distinct values held more than ``limit`` times by a sorted array: those equal
    to the value ``limit`` places on (one comparison, no counting of every value)."""
    if limit < 1:
        return distinct(ordered)
    head = ordered[:-limit]
    return distinct(head[head == ordered[limit:]])


def _merge_sorted(runs: np.ndarray) -> np.ndarray:
    """Sort an array made of sorted runs (segments, documents' hashes): numpy's stable sort
    is a timsort, which merges the runs it finds, about 6 times as fast as its quicksort here."""
    return np.sort(runs, kind="stable")


def _packed_postings(documents: Iterable[tuple[int, Sequence[int] | np.ndarray]]) -> np.ndarray:
    """The postings of (document key, shingle hashes), packed, sorted, each once (a
    document indexed twice in one batch is posted once)."""
    parts = [_pack(np.asarray(shingles, dtype=np.int64), key) for key, shingles in documents]
    return distinct(_merge_sorted(np.concatenate(parts))) if parts else np.zeros(0, np.uint64)


def _blocks(unsigned_hashes: np.ndarray, bits: int) -> np.ndarray:
    if not bits:
        return np.zeros(len(unsigned_hashes), dtype=np.uint64)
    return unsigned_hashes >> np.uint64(32 - bits)


def _block_id(segment: int, block: int) -> int:
    """The row id of a block: segment in the high bits, so a segment is one id range
    and is written in order at the end of the table."""
    return (segment << 32) | block


def _from_blocks(rows: Sequence[tuple[bytes]]) -> np.ndarray:
    """The packed postings of block rows read back, in order."""
    return np.frombuffer(b"".join(blob for (blob,) in rows), dtype="<u8").astype(np.uint64, copy=False)


def _read_slice(connection: sqlite3.Connection | None, segments: Sequence[tuple[int, int, int]],
                low: int, high: int, runs: Sequence[str] = ()) -> np.ndarray:
    """The postings of these segments and run files whose hash is in [low, high), sorted."""
    parts = [_read_run(path, low, high) for path in runs]
    for segment, _, bits in segments:
        assert connection is not None  # given whenever there are segments
        blobs = connection.execute(
            "SELECT postings FROM posting_blocks WHERE id BETWEEN ? AND ?",
            [_block_id(segment, low >> (32 - bits) if bits else 0),
             _block_id(segment, (high - 1) >> (32 - bits) if bits else 0)]).fetchall()
        packed = _from_blocks(blobs)
        hashes = packed >> np.uint64(32)
        parts.append(packed[(hashes >= low) & (hashes < high)])
    return _merge_sorted(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.uint64)


def read_slice(task: tuple[str, Sequence[tuple[int, int, int]], int, int, Sequence[str]]
               ) -> np.ndarray:
    """In a worker process: ``_read_slice`` from the database at a path, as committed."""
    path, segments, low, high, runs = task
    if not segments:
        return _read_slice(None, segments, low, high, runs)
    connection = sqlite3.connect(path)
    try:
        return _read_slice(connection, segments, low, high, runs)
    finally:
        connection.close()


def close_inherited_locks() -> None:
    """In a process forked from one holding a run-folder lock: let go of its copy, so that
    the lock ends with the process that took it (a lock is held while any process has it)."""
    for descriptor in _LOCKS_HELD:
        os.close(descriptor)
    _LOCKS_HELD.clear()


def _read_run(path: str, low: int, high: int) -> np.ndarray:
    """The postings of a run file (sorted, packed, little-endian) with hash in [low, high):
    found by binary search in the mapped file, and only they are read."""
    if not os.path.getsize(path):
        return np.zeros(0, dtype=np.uint64)
    mapped = np.memmap(path, dtype="<u8", mode="r")
    start = int(np.searchsorted(mapped, np.uint64(low << 32), side="left"))
    stop = int(np.searchsorted(mapped, np.uint64((high << 32) - 1), side="right"))
    found = np.array(mapped[start:stop], dtype=np.uint64)
    del mapped
    return found


def _block_rows(segment: int, bits: int, packed: np.ndarray) -> list[tuple[int, bytes]]:
    """(row id, little-endian postings) of each block of sorted packed postings."""
    if not len(packed):
        return []
    blocks = _blocks(packed >> np.uint64(32), bits)
    starts = np.flatnonzero(np.concatenate([[True], blocks[1:] != blocks[:-1]]))
    ids = (blocks[starts].astype(np.int64) | _block_id(segment, 0)).tolist()
    offsets = [*(8 * starts).tolist(), 8 * len(packed)]
    data = packed.astype("<u8").tobytes()  # sliced as bytes: one object per block, no array views
    return [(block_id, data[start:end])
            for block_id, start, end in zip(ids, offsets[:-1], offsets[1:], strict=True)]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _row_to_document(row: dict[str, Any]) -> Document:
    published = datetime.fromisoformat(row["published"]) if row["published"] else None
    return Document(
        text=row["text"],
        id=row["id"],
        title=row["title"],
        url=row["url"],
        publisher=row["publisher"],
        author=row["author"],
        published=published,
        path=row["path"],
        format=row["format"] or "text",
        emphasis=tuple(Emphasis(*span) for span in json.loads(row["emphasis"])),
        notes=tuple(json.loads(row["notes"])),
        key=row["key"],
        quotes=tuple(Emphasis(*span) for span in json.loads(row.get("quotes") or "[]")),
    )


class Store:
    """A provenance database: open it, and pending migrations are applied."""

    def __init__(self, path: str | Path, *, announce: Callable[[str], None] | None = None):
        """``announce(message)`` is told when opening takes long: the runs of a bulk load
        that was interrupted are merged (see ``bulk_load``)."""
        self.path = str(path)
        self._pending: list[tuple[int, np.ndarray, bytes, Sequence[int]]] = []
        self._unsearchable: list[int] = []  # keys of new documents not yet in documents_fts
        self._runs: Path | None = None  # in a bulk load, the folder of its run files
        self._mmap_bytes = MMAP_BYTES  # 0 in a bulk load
        try:
            self.db = sqlite_utils.Database(self.path)
            # before anything is written: a new file gets large pages (an existing one keeps its own)
            self.db.execute(f"PRAGMA page_size = {PAGE_SIZE}")
            self.db.execute("PRAGMA foreign_keys = ON")
            # WAL: readers (scan workers, datasette) never block the writer, and a
            # commit is one sequential append; synchronous=NORMAL keeps every
            # transaction atomic (a crash loses at most the last commits, never half of one).
            if self.path != ":memory:":
                self.db.execute("PRAGMA journal_mode = WAL")
            self.db.execute("PRAGMA synchronous = NORMAL")
            self.db.execute("PRAGMA cache_size = -262144")  # 256 MB of page cache, at most
            # reads map the file: a cold query costs page faults from the OS cache, not a
            # read() call per page (the mapped pages are the OS's, shared and reclaimable)
            self.db.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")
            migrations.apply(self.db)
        except Exception as error:  # sqlite3.DatabaseError and friends
            raise ProvenanceError(f"{self.path}: not a provenance database ({error})") from error
        self._recover_runs(announce)

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def atomic(self) -> Iterator[None]:
        """A transaction: everything inside is written, or nothing is. Nested, a savepoint.

        Postings wait until the outermost transaction ends and then go in as one
        segment (many small segments would make every query slower); so do the
        full texts of new documents, into the full-text index.
        """
        outer = not self.db.conn.in_transaction
        mark, text_mark = len(self._pending), len(self._unsearchable)
        try:
            with self.db.atomic():
                yield
                if outer:
                    self._flush_full_text()
                    self._flush_postings()
        except BaseException:
            # what the rolled-back part of the transaction added
            del self._pending[mark:], self._unsearchable[text_mark:]
            raise

    # -- index parameters ---------------------------------------------------

    def index_params(self) -> dict[str, str]:
        return {row["name"]: row["value"] for row in self.db["index_params"].rows}

    def save_index_params(self, params: dict[str, str]) -> None:
        self.db.table("index_params").insert_all(
            [{"name": name, "value": value} for name, value in params.items()], replace=True
        )

    # -- documents ----------------------------------------------------------

    def document_by_hash(self, content_hash: str) -> Document | None:
        return self._document_where("content_hash = ?", content_hash)

    def document_by_id(self, document_id: str) -> Document | None:
        return self._document_where("id = ?", document_id)

    def _document_where(self, condition: str, value: str) -> Document | None:
        # a query of its own: rows_where looks the table up first (a third of an ingest's lookups)
        rows = list(self.db.query(f"SELECT * FROM documents WHERE {condition}", [value]))
        return _row_to_document(rows[0]) if rows else None

    def key_by_hash(self, content_hash: str) -> tuple[int, str, bool] | None:
        """(key, id, indexed) of the document with this content, without reading its text."""
        row = self.db.execute(
            "SELECT key, id, indexed FROM documents WHERE content_hash = ?", [content_hash]
        ).fetchone()
        return (row[0], row[1], bool(row[2])) if row else None

    def has_id(self, document_id: str) -> bool:
        return self.db.execute("SELECT 1 FROM documents WHERE id = ?", [document_id]).fetchone() is not None

    def documents_by_key(self, keys: Iterable[int]) -> dict[int, Document]:
        wanted = sorted(set(keys))
        found: dict[int, Document] = {}
        for chunk in _chunks(wanted, 500):
            marks = ",".join("?" * len(chunk))
            for row in self.db.query(f"SELECT * FROM documents WHERE key IN ({marks})", chunk):
                found[row["key"]] = _row_to_document(row)
        return found

    def published_dates(self, keys: Iterable[int]) -> dict[int, datetime | None]:
        """Publication date of each document, without reading its text."""
        found: dict[int, datetime | None] = {}
        for chunk in _chunks(sorted(set(keys)), 500):
            marks = ",".join("?" * len(chunk))
            for key, published in self.db.execute(
                f"SELECT key, published FROM documents WHERE key IN ({marks})", chunk
            ):
                found[key] = datetime.fromisoformat(published) if published else None
        return found

    def is_indexed(self, key: int) -> bool:
        row = self.db.execute("SELECT indexed FROM documents WHERE key = ?", [key]).fetchone()
        return bool(row and row[0])

    def add_document(
        self, document: Document, *, content_hash: str, word_count: int, indexed: bool
    ) -> Document:
        """Insert a new document row; return it with its key.

        Its full text is indexed when the transaction ends (see ``atomic``).
        """
        if not self.db.conn.in_transaction:  # the row and its full text in one transaction
            with self.atomic():
                return self.add_document(document, content_hash=content_hash,
                                         word_count=word_count, indexed=indexed)
        document_id = document.id or content_hash[:16]
        row = {
            "id": document_id,
            "content_hash": content_hash,
            "title": document.title,
            "url": document.url,
            "publisher": document.publisher,
            "author": document.author,
            "published": document.published.isoformat() if document.published else None,
            "path": document.path,
            "format": document.format,
            "word_count": word_count,
            "text": document.text,
            "emphasis": json.dumps([[e.start, e.end, e.style] for e in document.emphasis]),
            "notes": json.dumps(list(document.notes)),
            "quotes": json.dumps([[q.start, q.end, q.style] for q in document.quotes]),
            "indexed": int(indexed),
            "added_at": _now(),
        }
        columns = ", ".join(f"[{name}]" for name in row)
        marks = ", ".join("?" for _ in row)
        try:  # the UNIQUE constraint finds an id taken: no lookup before each insert
            key = self.db.execute(
                f"INSERT INTO documents ({columns}) VALUES ({marks})", list(row.values())
            ).lastrowid
        except sqlite3.IntegrityError as error:
            if "documents.id" not in str(error):
                raise
            raise ProvenanceError(
                f"{document.path or 'input'}: a different document already has id {document_id!r}"
            ) from None
        assert isinstance(key, int)
        self._unsearchable.append(key)
        self.add_location(key, document)
        return replace(document, id=document_id, key=key)  # what document_by_id would read back

    def _flush_full_text(self) -> None:
        """Index the full text of the documents added in this transaction, in one statement
        (as the ``documents_ai`` trigger of m003 did one row at a time)."""
        keys, self._unsearchable = self._unsearchable, []
        if keys:
            self.db.execute(
                "INSERT INTO documents_fts (rowid, title, text) SELECT key, title, text "
                "FROM documents WHERE key IN (SELECT value FROM json_each(?))", [json.dumps(keys)])

    def add_location(self, key: int, document: Document) -> None:
        for location in sorted({loc for loc in (document.url, document.path) if loc and loc != "-"}):
            self.db.execute(
                "INSERT OR IGNORE INTO locations (document_key, location) VALUES (?, ?)",
                [key, location],
            )

    def documents_at(self, location: str) -> list[Document]:
        """Documents stored from this URL or path, oldest publication first."""
        rows = self.db.query(
            "SELECT d.* FROM documents d JOIN locations l ON l.document_key = d.key"
            " WHERE l.location = ? ORDER BY d.published IS NULL, d.published",
            [location],
        )
        return [_row_to_document(row) for row in rows]

    def documents_titled(self, title: str) -> list[Document]:
        """Documents with exactly this title, oldest publication first."""
        rows = self.db.query(
            "SELECT * FROM documents WHERE title = ? ORDER BY published IS NULL, published",
            [title],
        )
        return [_row_to_document(row) for row in rows]

    def mark_indexed(self, key: int) -> None:
        self.db.execute("UPDATE documents SET indexed = 1 WHERE key = ?", [key])

    def document_count(self) -> int:
        return self.db["documents"].count

    # -- the index ----------------------------------------------------------

    def add_postings(
        self, key: int, shingles: Iterable[int] | np.ndarray, signature: bytes, buckets: Sequence[int]
    ) -> None:
        """Index one document; inside a transaction, its postings are written when it ends."""
        hashes = shingles if isinstance(shingles, np.ndarray) else np.fromiter(shingles, np.int64)
        self._pending.append((key, hashes, signature, buckets))
        if not self.db.conn.in_transaction:
            with self.db.atomic():
                self._flush_postings()

    def _flush_postings(self) -> None:
        entries, self._pending = self._pending, []
        # no memory map while writing: a merge reads whole segments, and mapped pages
        # would all count as this process's memory; the page cache is bounded
        self.db.execute("PRAGMA mmap_size = 0")
        try:
            self.add_postings_many(entries)
        finally:
            self.db.execute(f"PRAGMA mmap_size = {self._mmap_bytes}")

    def add_postings_many(
        self, entries: Sequence[tuple[int, Sequence[int] | np.ndarray, bytes, Sequence[int]]]
    ) -> None:
        """Index many documents: (key, shingle hashes, MinHash signature, band buckets).

        The postings of the batch go into a new segment: sorted by hash, cut into
        blocks of about POSTINGS_PER_BLOCK, one row each, appended at the end of the
        table. Then the newest segments are merged four at a time when they are of a
        size: a query visits a few segments per size tier, about 3 * log4(batches).
        """
        if not entries:
            return
        packed = _packed_postings((key, shingles) for key, shingles, _, _ in entries)
        if self._runs is not None:
            self._write_run(packed, [key for key, _, _, _ in entries])
        else:
            self._write_segment(self._next_segment(), len(packed), [packed])
            self._merge_segments()
        self.db.conn.executemany(
            "INSERT OR REPLACE INTO minhashes (document_key, signature) VALUES (?, ?)",
            [(key, signature) for key, _, signature, _ in entries],
        )
        self.db.conn.executemany(  # in order: each page of the B-tree visited once
            "INSERT OR IGNORE INTO lsh_bands (band, bucket, document_key) VALUES (?, ?, ?)",
            sorted((band, bucket, key) for key, _, _, buckets in entries
                   for band, bucket in enumerate(buckets)),
        )

    def _write_segment(self, segment: int, postings: int, parts: Iterable[np.ndarray]) -> None:
        """Write a segment of ``postings`` packed postings, given as sorted parts over
        disjoint hash ranges in order; note the shingles common within it."""
        bits = block_bits(postings)
        for part in parts:
            self.db.conn.executemany("INSERT INTO posting_blocks (id, postings) VALUES (?, ?)",
                                     _block_rows(segment, bits, part))
            common = _unpack(_more_than(part >> np.uint64(32), COMMON_LIMIT) << np.uint64(32))[:, 0]
            self.db.conn.executemany("INSERT OR IGNORE INTO common_shingles (hash) VALUES (?)",
                                     [(value,) for value in common.tolist()])
        self.db.execute("INSERT INTO shingle_segments (segment, postings, bits) VALUES (?, ?, ?)",
                        [segment, postings, bits])

    def segments(self) -> list[tuple[int, int, int]]:
        """(segment, postings, block bits) of the posting segments, oldest first."""
        return [tuple(row) for row in self.db.execute(  # type: ignore[misc]
            "SELECT segment, postings, bits FROM shingle_segments ORDER BY segment")]

    def _next_segment(self) -> int:
        row = self.db.execute("SELECT max(segment) FROM shingle_segments").fetchone()
        return (row[0] or 0) + 1

    @contextmanager
    def bulk_load(self) -> Iterator[None]:
        """Within, each commit's postings go to a run file (sorted, packed) in a folder
        beside the database, ``DB-bulk``, not into a segment: the load ends by merging
        the runs into one segment (``merge_bulk_load``), so each posting is written to
        the database once. Writing them as segments too (and their pages through the
        write-ahead log and back) was about a fifth of a 100k-document ingest. A run is
        listed in ``bulk_runs`` in its commit's transaction; runs left by a load that
        was interrupted are merged when the database is next opened.

        The full-text index merges its segments 16 at a time (FTS5's ``automerge``;
        ``crisismerge`` 64) and holds up to 64 MB of new entries before it writes a
        segment (``hashsize``; the default 1 MB is less than a commit's new entries), and the
        write-ahead log is copied into the database every 8,192 pages (256 MB) instead
        of 1,000: a page rewritten by every commit (a B-tree's upper levels) is then
        copied once per checkpoint.

        And no memory map: FTS5 merges read its older segments back, and every mapped
        page read stays counted as this process's memory; the page cache is bounded.

        If another process is bulk loading this database, postings go into segments."""
        with self._runs_locked() as folder:
            self._runs = folder
            self._tune_writes(**BULK_WRITES, mmap_bytes=0)
            try:
                if folder is not None:  # runs left by a load running when this store opened
                    self._repair_runs()
                yield
                if folder is not None and self._listed_runs():  # its runs, not merged by the caller
                    self.merge_bulk_load(0)
            finally:
                self._runs = None
                self._tune_writes(**WRITE_DEFAULTS, mmap_bytes=MMAP_BYTES)

    @contextmanager
    def _runs_locked(self) -> Iterator[Path | None]:
        """The run folder, locked against other processes; None if one holds it, or for
        an in-memory database (no later open to recover its runs: it writes segments)."""
        if self.path == ":memory:":
            yield None
            return
        folder = Path(f"{self.path}-bulk")
        folder.mkdir(exist_ok=True)
        with open(folder / "lock", "w") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield None
                return
            _LOCKS_HELD.add(lock.fileno())
            try:
                yield folder
            finally:
                _LOCKS_HELD.discard(lock.fileno())
                if not self._listed_runs():
                    shutil.rmtree(folder, ignore_errors=True)

    def _run_path(self, run: int) -> Path:
        assert self._runs is not None
        return self._runs / f"{run}.postings"

    def _listed_runs(self) -> list[tuple[int, int, np.ndarray]]:
        """(run, postings, document keys) of the runs not yet merged, oldest first."""
        return [(run, postings, np.frombuffer(keys, dtype="<i8"))
                for run, postings, keys in self.db.execute(
                    "SELECT run, postings, document_keys FROM bulk_runs ORDER BY run")]

    def _write_run(self, packed: np.ndarray, keys: Sequence[int]) -> None:
        """This commit's postings into a new run file, listed with its documents' keys.
        A crash before the commit leaves an unlisted file, overwritten by the next run
        of that number or removed with the folder; one after, a listed run."""
        row = self.db.execute("SELECT max(run) FROM bulk_runs").fetchone()
        run = (row[0] or 0) + 1
        packed.astype("<u8", copy=False).tofile(self._run_path(run))
        self.db.execute("INSERT INTO bulk_runs (run, postings, document_keys) VALUES (?, ?, ?)",
                        [run, len(packed), np.asarray(sorted(set(keys)), dtype="<i8").tobytes()])

    def _recover_runs(self, announce: Callable[[str], None] | None) -> None:
        """Merge the runs a bulk load left when it was interrupted (unless another
        process is bulk loading); a run file lost or damaged is first written again
        from the stored texts of its documents."""
        if self.path == ":memory:" or not self._listed_runs():
            return
        with self._runs_locked() as folder:
            if folder is None:
                return
            self._runs = folder
            try:
                if announce:
                    documents = sum(len(keys) for _, _, keys in self._listed_runs())
                    announce(f"{self.path}: indexing the {documents:,} documents of a bulk load "
                             "that was interrupted...")
                self._repair_runs()
                self.merge_bulk_load(0)
            finally:
                self._runs = None

    def _repair_runs(self) -> None:
        for run, postings, keys in self._listed_runs():
            if not self._run_intact(run, postings, keys):
                self._rewrite_run(run, keys)

    def _run_intact(self, run: int, postings: int, keys: np.ndarray) -> bool:
        """Whether a run file is whole: of its length, sorted, and of its documents only
        (a file cut short or zero-filled by a crash is none of these)."""
        path = self._run_path(run)
        if not path.is_file() or path.stat().st_size != 8 * postings:
            return False
        packed = np.fromfile(path, dtype="<u8")
        document_keys = (packed & np.uint64(0xFFFFFFFF)).astype(np.int64)
        return bool(np.all(packed[1:] > packed[:-1]) and np.isin(document_keys, keys).all())

    def _rewrite_run(self, run: int, keys: np.ndarray) -> None:
        packed = _packed_postings((key, index.entry_of_text(document.text).hashes)
                                  for key, document in self.documents_by_key(keys.tolist()).items())
        packed.astype("<u8", copy=False).tofile(self._run_path(run))
        with self.atomic():
            self.db.execute("UPDATE bulk_runs SET postings = ? WHERE run = ?", [len(packed), run])

    def _tune_writes(self, *, automerge: int, crisismerge: int, hashsize: int, checkpoint: int,
                     mmap_bytes: int) -> None:
        self._mmap_bytes = mmap_bytes
        self.db.execute(f"PRAGMA mmap_size = {int(mmap_bytes)}")
        for option, value in (("automerge", automerge), ("crisismerge", crisismerge),
                              ("hashsize", hashsize)):
            self.db.execute("INSERT INTO documents_fts (documents_fts, rank) VALUES (?, ?)",
                            [option, value])
        self.db.execute(f"PRAGMA wal_autocheckpoint = {int(checkpoint)}")

    def _merge_segments(self) -> None:
        """Merge the newest 4 segments when they are of a size (tiered: each posting is
        rewritten about log4(batches) times). When there are more than 6 merges' worth
        (24 segments, as a bulk load interrupted before runs (m013) left), merge them all
        into one: merging the newest few instead, batch after batch, rewrote the largest
        segments again and again (58 times each posting over 2,000 batches, not 3)."""
        fanout = 4
        segments = self.segments()
        while len(segments) >= fanout:
            if len(segments) > 6 * fanout:
                self._merge(segments)
                return
            newest = segments[-fanout:]
            sizes = [postings for _, postings, _ in newest]
            if max(sizes) > 2 * min(sizes):
                return
            self._merge(newest)
            segments = self.segments()

    def _merge(self, segments: Sequence[tuple[int, int, int]], map_: SliceMap | None = None,
               runs: Sequence[tuple[int, int, Any]] = ()) -> None:
        """Merge consecutive segments (the newest ones), and listed runs, into a new
        segment; ``map_`` reads and sorts its hash ranges in other processes (see
        ``merge_bulk_load``). The runs' files are the caller's to remove."""
        total = sum(postings for _, postings, _ in segments) + sum(postings for _, postings, _ in runs)
        paths = [str(self._run_path(run)) for run, _, _ in runs]
        self._write_segment(self._next_segment(), total, self._merged(segments, total, map_, paths))
        if segments:
            first, last = segments[0][0], segments[-1][0]
            self.db.execute("DELETE FROM posting_blocks WHERE id BETWEEN ? AND ?",
                            [_block_id(first, 0), _block_id(last + 1, 0) - 1])
            self.db.execute("DELETE FROM shingle_segments WHERE segment BETWEEN ? AND ?", [first, last])
        if runs:
            self.db.execute("DELETE FROM bulk_runs WHERE run BETWEEN ? AND ?", [runs[0][0], runs[-1][0]])

    def postings_total(self) -> int:
        return int(self.db.execute("SELECT coalesce(sum(postings), 0) FROM shingle_segments").fetchone()[0])

    def merge_bulk_load(self, postings_before: int, announce: Callable[[int], None] | None = None,
                        *, map_: SliceMap | None = None) -> bool:
        """After an ingest that wrote most of the index (a bulk load), merge all its
        segments into one: a query then reads one block per shingle, not one per
        segment. After a small ingest into a large index, leave the tiers alone (a
        full merge would rewrite the whole index for a few documents).

        ``map_(read_slice, tasks)``, an ordered map over worker processes, has them
        read and sort the hash ranges of the committed segments (a reader never
        waits for the writer in WAL mode) while this process writes the merged
        segment: the ingest's workers are idle by then."""
        segments = self.segments()
        runs = self._listed_runs() if self._runs is not None else []  # not another's, in progress
        total = sum(postings for _, postings, _ in segments) + sum(postings for _, postings, _ in runs)
        if not runs and (len(segments) < 2 or total - postings_before < total / 2):
            return False
        if announce:
            announce(total)
        with self.atomic():
            self._merge(segments, map_ if self.path != ":memory:" else None, runs)
        for run, _, _ in runs:  # merged and committed
            self._run_path(run).unlink(missing_ok=True)
        return True

    def _merged(self, segments: Sequence[tuple[int, int, int]], total: int,
                map_: SliceMap | None = None, runs: Sequence[str] = ()) -> Iterable[np.ndarray]:
        """The postings of these segments, sorted, one hash range (slice) at a time:
        memory holds about MERGE_SLICE postings per slice in hand, however large the
        segments."""
        slice_bits = min(block_bits(total), max(0, math.ceil(math.log2(max(total, 1) / MERGE_SLICE))))
        ranges = [(number << (32 - slice_bits), (number + 1) << (32 - slice_bits))
                  for number in range(1 << slice_bits)]
        if map_ is None:
            return (_read_slice(self.db.conn, segments, low, high, runs) for low, high in ranges)
        return map_(read_slice, [(self.path, tuple(segments), low, high, tuple(runs))
                                 for low, high in ranges])

    def postings(self, shingles: Iterable[int], *, limit: int | None = None
                 ) -> Iterator[tuple[int, int]]:
        """(shingle, document key) for every indexed document holding a shingle.

        With ``limit``, a shingle held by more than ``limit`` documents is left
        out (boilerplate).
        """
        yield from map(tuple, self.postings_array(shingles, limit=limit).tolist())

    def _common(self, shingles: list[int]) -> set[int]:
        common: set[int] = set()
        for chunk in _chunks(shingles, 500):
            marks = ",".join("?" * len(chunk))
            common.update(row[0] for row in self.db.execute(
                f"SELECT hash FROM common_shingles WHERE hash IN ({marks})", chunk))
        return common

    def postings_array(self, shingles: Iterable[int], *, limit: int | None = None,
                       mark_common: bool = False) -> np.ndarray:
        """``postings`` as an array of (shingle, document key) rows; with ``mark_common``,
        a row (shingle, -1) for each shingle left out for being over the limit.

        In each segment, the blocks that can hold a wanted hash are read (one
        statement), and their postings filtered to the wanted hashes.
        """
        wanted = sorted(set(shingles))
        known: list[int] = []
        if limit == COMMON_LIMIT:  # common shingles are known: no need to read them
            known = sorted(self._common(wanted))
            wanted = sorted(set(wanted) - set(known))
        unsigned = np.unique(_pack(np.asarray(wanted, dtype=np.int64), 0) >> np.uint64(32))
        found = []
        for segment, _, bits in self.segments() if len(unsigned) else []:
            blocks = np.unique(_blocks(unsigned, bits)).tolist()
            blobs = self.db.execute(
                "SELECT p.postings FROM json_each(?) j JOIN posting_blocks p ON p.id = ? + j.value",
                [json.dumps(blocks), _block_id(segment, 0)]).fetchall()
            packed = _from_blocks(blobs)
            hashes = packed >> np.uint64(32)
            at = np.minimum(np.searchsorted(unsigned, hashes), len(unsigned) - 1)
            found.append(packed[unsigned[at] == hashes])
        rows = _unpack(np.concatenate(found)) if found else np.zeros((0, 2), dtype=np.int64)
        if limit is None:
            return rows
        hashes, counts = np.unique(rows[:, 0], return_counts=True)
        over = hashes[counts > limit]
        rows = rows[~np.isin(rows[:, 0], over)]
        return with_common(rows, np.concatenate([over, known])) if mark_common else rows

    def lsh_candidates(self, buckets: Sequence[int]) -> set[int]:
        clauses = " OR ".join("(band = ? AND bucket = ?)" for _ in buckets)
        values = [v for band, bucket in enumerate(buckets) for v in (band, bucket)]
        if not buckets:
            return set()
        rows = self.db.execute(
            f"SELECT DISTINCT document_key FROM lsh_bands WHERE {clauses}", values
        )
        return {row[0] for row in rows}

    def signatures(self, keys: Iterable[int]) -> dict[int, bytes]:
        wanted = sorted(set(keys))
        found: dict[int, bytes] = {}
        for chunk in _chunks(wanted, 500):
            marks = ",".join("?" * len(chunk))
            for key, signature in self.db.execute(
                f"SELECT document_key, signature FROM minhashes WHERE document_key IN ({marks})",
                chunk,
            ):
                found[key] = signature
        return found

    # -- corpus scan --------------------------------------------------------

    def scan_queue(self) -> list[int]:
        """Indexed documents not yet scanned, oldest first (undated last)."""
        return [row[0] for row in self.db.execute(
            "SELECT key FROM documents WHERE indexed = 1 AND key NOT IN "
            "(SELECT document_key FROM scanned) ORDER BY published IS NULL, published, key"
        )]

    def scanned_count(self) -> int:
        return self.db["scanned"].count

    def mark_scanned(self, key: int, trace_id: int) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO scanned (document_key, trace_id, scanned_at) VALUES (?, ?, ?)",
            [key, trace_id, _now()],
        )

    # -- traces -------------------------------------------------------------

    def add_trace(self, document_key: int, quotations: list[dict[str, Any]], notes: list[str]) -> int:
        """Store one trace: quotation rows carry their 'sources' and 'alterations' lists."""
        trace_id = self.db.table("traces").insert(
            {
                "document_key": document_key,
                "created_at": _now(),
                "quotation_count": len(quotations),
                "notes": json.dumps(notes),
            }
        ).last_pk
        ids: list[int] = []
        for position, quotation in enumerate(quotations):
            sources = quotation.pop("sources")
            alterations = quotation.pop("alterations")
            parent = quotation.pop("parent")
            row = {
                **quotation,
                "trace_id": trace_id,
                "document_key": document_key,
                "position": position,
                "parent_id": ids[parent] if parent is not None else None,
                "notes": json.dumps(quotation.get("notes", [])),
            }
            quotation_id = self.db.table("quotations").insert(row).last_pk
            assert isinstance(quotation_id, int)
            ids.append(quotation_id)
            self.db.table("quotation_sources").insert_all(
                [{**source, "quotation_id": quotation_id} for source in sources]
            )
            self.db.table("alterations").insert_all(
                [{**alteration, "quotation_id": quotation_id} for alteration in alterations]
            )
        assert isinstance(trace_id, int)
        return trace_id

    # -- recall fallback ----------------------------------------------------
    # The full-text index on documents (documents_fts, for browsing) also finds
    # the source of a quotation whose edits left it no shingle in common with it.

    def word_document_counts(self, words: Iterable[str]) -> dict[str, int]:
        """How many documents hold each word (a word the full-text index does not
        know as one token, such as "Trump's", is left out)."""
        self.db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.documents_fts_vocabulary "
                        "USING fts5vocab(main, 'documents_fts', 'row')")
        counts = {}
        for word in sorted(set(words)):
            row = self.db.execute(
                "SELECT doc FROM temp.documents_fts_vocabulary WHERE term = ?", [word]).fetchone()
            if row:
                counts[word] = row[0]
        return counts

    def documents_with_phrases(self, phrases: Sequence[Sequence[str]], *, limit: int = 5,
                               exclude: Iterable[int] = ()) -> list[int]:
        """Keys of the documents whose text holds the most of these word sequences
        (the rarer a sequence, the more it counts: bm25), best first."""
        query = " OR ".join(
            '"' + " ".join(word.replace('"', "") for word in phrase) + '"' for phrase in phrases)
        if not query:
            return []
        excluded = set(exclude)
        # indexed documents only: a traced article is stored, but is nobody's source
        rows = self.db.execute(
            "SELECT f.rowid FROM documents_fts f JOIN documents d ON d.key = f.rowid "
            "WHERE documents_fts MATCH ? AND d.indexed = 1 ORDER BY f.rank LIMIT ?",
            [f"text : ({query})", limit + len(excluded)])
        return [key for key, in rows if key not in excluded][:limit]

    # -- common shingles, where a sentence needs them ----------------------

    def postings_up_to(self, shingles: Iterable[int], most: int) -> np.ndarray:
        """(shingle, document key) rows of the shingles held by at most ``most``
        documents, and a (shingle, -1) row for each other one (unknown).

        A block of more than ``most`` postings is not read: SQLite knows a blob's
        length without reading it, and the commonest phrases ("one of the") fill
        blocks of hundreds of thousands of postings.
        """
        wanted = np.unique(_pack(np.asarray(sorted(set(shingles)), dtype=np.int64), 0) >> np.uint64(32))
        found, unread = [], []
        for segment, _, bits in self.segments() if len(wanted) else []:
            blocks = _blocks(wanted, bits)
            read = self.db.execute(
                "SELECT j.value, CASE WHEN length(p.postings) <= ? THEN p.postings END "
                "FROM json_each(?) j JOIN posting_blocks p ON p.id = ? + j.value",
                [8 * most, json.dumps(np.unique(blocks).tolist()), _block_id(segment, 0)]).fetchall()
            skipped = np.asarray([block for block, blob in read if blob is None], dtype=np.uint64)
            unread.append(wanted[np.isin(blocks, skipped)])
            packed = _from_blocks([(blob,) for _, blob in read if blob is not None])
            hashes = packed >> np.uint64(32)
            at = np.minimum(np.searchsorted(wanted, hashes), len(wanted) - 1)
            found.append(packed[wanted[at] == hashes])
        # blocks come back in order, each sorted: a stable sort of sorted runs is cheap
        packed = np.sort(np.concatenate(found), kind="stable") if found else np.zeros(0, dtype=np.uint64)
        hashes = packed >> np.uint64(32)  # over ``most`` only across segments
        unknown = np.union1d(_more_than(hashes, most), np.concatenate(unread) if unread else hashes[:0])
        at = np.minimum(np.searchsorted(unknown, hashes), max(len(unknown) - 1, 0))
        known = packed[unknown[at] != hashes] if len(unknown) else packed
        return with_common(_unpack(known), _unpack(unknown << np.uint64(32))[:, 0])


def _chunks(values: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for offset in range(0, len(values), size):
        yield values[offset : offset + size]


def trace_rows(result: dict[str, Any], keys: dict[str, int]) -> list[dict[str, Any]]:
    """Database rows for the quotations of one trace (JSON contract in, rows out)."""
    rows = []
    for quotation in result["quotations"]:
        source, closest = quotation.get("source"), quotation.get("closest")
        speaker = quotation.get("speaker") or {}
        against = closest or source
        rows.append({
            "parent": quotation.get("parent"),
            "start": quotation["start"], "end": quotation["end"], "text": quotation["text"],
            "kind": quotation["kind"], "status": quotation["status"],
            "speaker": speaker.get("text"), "speaker_name": speaker.get("name") or speaker.get("text"),
            "speaker_start": speaker.get("start"), "speaker_end": speaker.get("end"),
            "score": quotation.get("score"),
            "source_key": keys[source["id"]] if source else None,
            "source_start": source["start"] if source else None,
            "source_end": source["end"] if source else None,
            "source_text": source["text"] if source else None,
            "closest_key": keys[closest["id"]] if closest else None,
            "closest_start": closest["start"] if closest else None,
            "closest_end": closest["end"] if closest else None,
            "closest_text": closest["text"] if closest else None,
            "notes": quotation.get("notes", []),
            "sources": [
                {"document_key": keys[link["id"]], "role": role, "published": link["published"],
                 "score": link["score"], "start": link["start"], "end": link["end"]}
                for role in ("chain", "later") for link in quotation.get(role, [])
            ],
            "alterations": [
                {**alteration, "document_key": keys[against["id"]]}
                for alteration in quotation.get("alterations", [])
            ],
        })
    return rows
