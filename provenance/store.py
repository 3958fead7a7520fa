"""Storage: the only module that speaks SQL.

One SQLite file holds the archive (documents and their locations), the
search index (shingle postings, MinHash signatures and LSH bands, and the
parameters they were built with) and the results of every trace. The schema
is a list of append-only migrations applied when a database is opened.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from .model import Document, Emphasis, ProvenanceError

migrations = sqlite_utils.Migrations("provenance")


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
    )


class Store:
    """A provenance database: open it, and pending migrations are applied."""

    def __init__(self, path: str | Path):
        self.path = str(path)
        try:
            self.db = sqlite_utils.Database(self.path)
            self.db.execute("PRAGMA foreign_keys = ON")
            migrations.apply(self.db)
        except Exception as error:  # sqlite3.DatabaseError and friends
            raise ProvenanceError(f"{self.path}: not a provenance database ({error})") from error

    def close(self) -> None:
        self.db.close()

    def atomic(self) -> Any:
        """A transaction: everything inside is written, or nothing is."""
        return self.db.atomic()

    # -- index parameters ---------------------------------------------------

    def index_params(self) -> dict[str, str]:
        return {row["name"]: row["value"] for row in self.db["index_params"].rows}

    def save_index_params(self, params: dict[str, str]) -> None:
        self.db.table("index_params").insert_all(
            [{"name": name, "value": value} for name, value in params.items()], replace=True
        )

    # -- documents ----------------------------------------------------------

    def document_by_hash(self, content_hash: str) -> Document | None:
        rows = list(self.db["documents"].rows_where("content_hash = ?", [content_hash]))
        return _row_to_document(rows[0]) if rows else None

    def document_by_id(self, document_id: str) -> Document | None:
        rows = list(self.db["documents"].rows_where("id = ?", [document_id]))
        return _row_to_document(rows[0]) if rows else None

    def documents_by_key(self, keys: Iterable[int]) -> dict[int, Document]:
        wanted = sorted(set(keys))
        found: dict[int, Document] = {}
        for chunk in _chunks(wanted, 500):
            marks = ",".join("?" * len(chunk))
            for row in self.db.query(f"SELECT * FROM documents WHERE key IN ({marks})", chunk):
                found[row["key"]] = _row_to_document(row)
        return found

    def is_indexed(self, key: int) -> bool:
        row = self.db.execute("SELECT indexed FROM documents WHERE key = ?", [key]).fetchone()
        return bool(row and row[0])

    def add_document(
        self, document: Document, *, content_hash: str, word_count: int, indexed: bool
    ) -> Document:
        """Insert a new document row; return it with its key."""
        if document.id and self.document_by_id(document.id):
            raise ProvenanceError(
                f"{document.path or 'input'}: a different document already has id {document.id!r}"
            )
        row = {
            "id": document.id or content_hash[:16],
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
            "indexed": int(indexed),
            "added_at": _now(),
        }
        key = self.db.table("documents").insert(row).last_pk
        assert isinstance(key, int)
        self.add_location(key, document)
        return _row_to_document({**row, "key": key})

    def add_location(self, key: int, document: Document) -> None:
        for location in {document.url, document.path} - {None, "-"}:
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
        self, key: int, shingles: Iterable[int], signature: bytes, buckets: Sequence[int]
    ) -> None:
        self.db.conn.executemany(
            "INSERT OR IGNORE INTO shingles (hash, document_key) VALUES (?, ?)",
            ((shingle, key) for shingle in shingles),
        )
        self.db.execute(
            "INSERT OR REPLACE INTO minhashes (document_key, signature) VALUES (?, ?)",
            [key, signature],
        )
        self.db.conn.executemany(
            "INSERT OR IGNORE INTO lsh_bands (band, bucket, document_key) VALUES (?, ?, ?)",
            ((band, bucket, key) for band, bucket in enumerate(buckets)),
        )

    def postings(self, shingles: Iterable[int]) -> Iterator[tuple[int, int]]:
        """(shingle, document key) for every indexed document holding a shingle."""
        for chunk in _chunks(sorted(set(shingles)), 500):
            marks = ",".join("?" * len(chunk))
            yield from self.db.execute(
                f"SELECT hash, document_key FROM shingles WHERE hash IN ({marks})", chunk
            )

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
