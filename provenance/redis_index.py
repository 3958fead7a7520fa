"""The archive and its index in Redis, shared by workers on many machines.

An embedded SQLite file serves one machine. When several machines ingest and
trace, they share one Redis database instead (``--index redis://HOST:PORT/DB``):
it holds everything a worker needs, so no worker needs another's files.

* documents: one hash per document (``doc:KEY``: text and metadata), keys drawn
  from one counter (``INCR next_key``), content identity in ``by_hash`` and
  caller ids in ``by_id`` (claimed with HSETNX, so two workers ingesting the
  same text make one document);
* postings: the same 32-bit shingle hashes as the SQLite index, packed as
  8-byte records (hash, document key) and appended (APPEND) to one of 2^18
  bucket strings chosen by the hash's top 18 bits. A trace fetches every
  bucket its article touches in one MGET round trip and filters in numpy;
  one round trip per article, not one per shingle;
* MinHash signatures (``minhash`` hash) and LSH bands (``band:B:BUCKET`` sets).

Parameters are stored (``params``) and checked as for SQLite. The text lives
in Redis because alignment needs every candidate source's raw text: a shared
file system would do too, but then every worker must mount it at the same
path, and Redis is already the one thing all workers reach. The results of a
trace are written to the worker's own SQLite database, with copies of the
source documents they cite, so that they can be browsed like any trace.

Writes of one file go in one MULTI/EXEC transaction: all or nothing.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlparse

import numpy as np

from .model import Document, Emphasis, ProvenanceError, Trace
from .store import Store, with_common

BUCKET_BITS = 18  # 262,144 bucket strings: few enough to cost little memory each
RECORD = np.dtype([("hash", "<u4"), ("key", "<u4")])
REDIS_LAYOUT = f"buckets={BUCKET_BITS};records=u32hash,u32key;text=zlib"
TEXT_FIELDS = ("id", "content_hash", "title", "url", "publisher", "author", "published", "path",
               "format")


def is_redis_url(value: str | None) -> bool:
    return bool(value and value.startswith(("redis://", "rediss://", "unix://")))


class RedisIndex:
    """A provenance archive and index in one Redis database (the Store interface)."""

    def __init__(self, url: str, *, prefix: str = "provenance"):
        import redis

        self.path = url
        self.prefix = prefix
        try:
            self.client: Any = redis.Redis.from_url(url)
            self.client.ping()
        except redis.RedisError as error:
            raise ProvenanceError(f"{url}: cannot reach Redis ({error})") from None
        self._pipeline: Any = None
        self._claims: list[tuple[str, str]] = []
        self._pending: list[tuple[int, Any, bytes, Sequence[int]]] = []
        if urlparse(url).scheme not in ("redis", "rediss", "unix"):
            raise ProvenanceError(f"{url}: not a Redis URL (redis://HOST:PORT/DB)")

    def _key(self, *parts: object) -> str:
        return ":".join([self.prefix, *map(str, parts)])

    @property
    def _writer(self) -> Any:
        return self._pipeline if self._pipeline is not None else self.client

    def close(self) -> None:
        self.client.close()

    @contextmanager
    def atomic(self) -> Iterator[None]:
        """Writes inside are sent as one MULTI/EXEC transaction, or not at all.

        Nested, like a savepoint: if the inner part fails, the writes it queued are
        dropped and the ids it claimed released; the outer transaction goes on.
        """
        if self._pipeline is not None:
            queued, claimed = len(self._pipeline.command_stack), len(self._claims)
            pending = len(self._pending)
            try:
                yield
            except BaseException:
                del self._pipeline.command_stack[queued:]
                del self._pending[pending:]
                for table, field in self._claims[claimed:]:
                    self.client.hdel(table, field)
                del self._claims[claimed:]
                raise
            return
        self._pipeline = self.client.pipeline(transaction=True)
        self._claims = []
        self._pending = []
        try:
            yield
            entries, self._pending = self._pending, []
            self.add_postings_many(entries)
            self._pipeline.execute()
        except BaseException:
            for table, field in self._claims:  # release what the lost transaction claimed
                self.client.hdel(table, field)
            raise
        finally:
            self._pipeline.reset()
            self._pipeline = None
            self._claims = []
            self._pending = []

    # -- parameters -----------------------------------------------------------

    def index_params(self) -> dict[str, str]:
        self.check_layout()
        return {k.decode(): v.decode() for k, v in self.client.hgetall(self._key("params")).items()}

    def save_index_params(self, params: dict[str, str]) -> None:
        self.client.hset(self._key("params"), mapping={**params, "redis": REDIS_LAYOUT})

    def check_layout(self) -> None:
        stored = self.client.hget(self._key("params"), "redis")
        if stored is not None and stored.decode() != REDIS_LAYOUT:
            raise ProvenanceError(
                f"{self.path}: Redis index laid out as {stored.decode()!r}, this version uses "
                f"{REDIS_LAYOUT!r}; rebuild it into an empty Redis database")

    # -- documents ------------------------------------------------------------

    def key_by_hash(self, content_hash: str) -> tuple[int, str, bool] | None:
        key = self.client.hget(self._key("by_hash"), content_hash)
        if key is None:
            return None
        document_id, indexed = self.client.hmget(self._key("doc", int(key)), ["id", "indexed"])
        if document_id is None:  # claimed by a transaction that did not complete
            return None
        return int(key), document_id.decode(), indexed == b"1"

    def has_id(self, document_id: str) -> bool:
        return bool(self.client.hexists(self._key("by_id"), document_id))

    def add_document(self, document: Document, *, content_hash: str, word_count: int,
                     indexed: bool) -> Document:
        key = int(self.client.incr(self._key("next_key")))
        document_id = document.id or content_hash[:16]
        if not self.client.hsetnx(self._key("by_id"), document_id, key):
            raise ProvenanceError(
                f"{document.path or 'input'}: a different document already has id {document_id!r}"
            )
        self._claims.append((self._key("by_id"), document_id))
        if self.client.hsetnx(self._key("by_hash"), content_hash, key):
            self._claims.append((self._key("by_hash"), content_hash))
        row = {
            "id": document_id, "content_hash": content_hash, "title": document.title,
            "url": document.url, "publisher": document.publisher, "author": document.author,
            "published": document.published.isoformat() if document.published else None,
            "path": document.path, "format": document.format, "word_count": word_count,
            "text": zlib.compress(document.text.encode(), 6),  # a third of the memory
            "emphasis": json.dumps([[e.start, e.end, e.style] for e in document.emphasis]),
            "notes": json.dumps(list(document.notes)), "indexed": int(indexed),
            "quotes": json.dumps([[q.start, q.end, q.style] for q in document.quotes]),
        }
        self._writer.hset(self._key("doc", key),
                          mapping={k: v for k, v in row.items() if v is not None})
        if document.title:
            self._writer.sadd(self._key("titled", document.title), key)
        self.add_location(key, document)
        return replace(document, id=document_id, key=key)

    def add_location(self, key: int, document: Document) -> None:
        locations = sorted({loc for loc in (document.url, document.path) if loc and loc != "-"})
        if locations:
            self._writer.sadd(self._key("locations", key), *locations)
            for location in locations:
                self._writer.sadd(self._key("at", location), key)

    def is_indexed(self, key: int) -> bool:
        return self.client.hget(self._key("doc", key), "indexed") == b"1"

    def mark_indexed(self, key: int) -> None:
        self._writer.hset(self._key("doc", key), "indexed", 1)

    def document_count(self) -> int:
        return int(self.client.hlen(self._key("by_hash")))

    def document_by_hash(self, content_hash: str) -> Document | None:
        key = self.client.hget(self._key("by_hash"), content_hash)
        return self.documents_by_key([int(key)]).get(int(key)) if key is not None else None

    def document_by_id(self, document_id: str) -> Document | None:
        key = self.client.hget(self._key("by_id"), document_id)
        return self.documents_by_key([int(key)]).get(int(key)) if key is not None else None

    def documents_at(self, location: str) -> list[Document]:
        """Documents stored from this URL or path, oldest publication first."""
        return self._oldest_first(self.client.smembers(self._key("at", location)))

    def documents_titled(self, title: str) -> list[Document]:
        """Documents with exactly this title, oldest publication first."""
        return self._oldest_first(self.client.smembers(self._key("titled", title)))

    def _oldest_first(self, members: Iterable[bytes]) -> list[Document]:
        found = self.documents_by_key(int(member) for member in members)
        never = datetime.max.replace(tzinfo=UTC)
        return sorted(found.values(), key=lambda d: (d.published is None, d.published or never))

    def documents_by_key(self, keys: Iterable[int]) -> dict[int, Document]:
        wanted = sorted(set(keys))
        pipeline = self.client.pipeline(transaction=False)
        for key in wanted:
            pipeline.hgetall(self._key("doc", key))
        found = {}
        for key, row in zip(wanted, pipeline.execute(), strict=True):
            if row:
                text = zlib.decompress(row.pop(b"text")).decode()
                fields = {k.decode(): v.decode() for k, v in row.items()}
                found[key] = _document({**fields, "text": text}, key)
        return found

    def published_dates(self, keys: Iterable[int]) -> dict[int, datetime | None]:
        wanted = sorted(set(keys))
        pipeline = self.client.pipeline(transaction=False)
        for key in wanted:
            pipeline.hget(self._key("doc", key), "published")
        return {key: datetime.fromisoformat(value.decode()) if value else None
                for key, value in zip(wanted, pipeline.execute(), strict=True)}

    # -- the index ------------------------------------------------------------

    def add_postings(self, key: int, shingles: Iterable[int] | np.ndarray, signature: bytes,
                     buckets: Sequence[int]) -> None:
        """Index one document; inside a transaction, with the others at its end (fewer
        APPENDs: the records of many documents for one bucket go in one)."""
        entry = (key, list(shingles), signature, buckets)
        if self._pipeline is None:
            self.add_postings_many([entry])
        else:
            self._pending.append(entry)

    def add_postings_many(
        self, entries: Sequence[tuple[int, Sequence[int] | np.ndarray, bytes, Sequence[int]]]
    ) -> None:
        if not entries:
            return
        records = np.concatenate([_records(shingles, key) for key, shingles, _, _ in entries])
        records = records[np.argsort(records["hash"], kind="stable")]
        buckets = records["hash"] >> np.uint32(32 - BUCKET_BITS)
        cuts = np.flatnonzero(np.diff(buckets)) + 1
        writer = self._writer
        starts, ends = np.concatenate([[0], cuts]), np.concatenate([cuts, [len(records)]])
        for start, end in zip(starts, ends, strict=True):
            writer.append(self._key("p", int(buckets[start])), records[start:end].tobytes())
        writer.hset(self._key("minhash"), mapping={key: signature for key, _, signature, _ in entries})
        for key, _, _, band_buckets in entries:
            for band, bucket in enumerate(band_buckets):
                writer.sadd(self._key("band", band, bucket), key)

    def postings_total(self) -> int:
        return 0  # postings go straight into their hash buckets: no segments to count

    def merge_bulk_load(self, postings_before: int, announce: Any = None, *, map_: Any = None) -> bool:
        return False  # and none to merge

    def postings(self, shingles: Iterable[int], *, limit: int | None = None
                 ) -> Iterator[tuple[int, int]]:
        """(shingle, document key) for every indexed document holding a shingle; with
        ``limit``, shingles held by more documents are left out (as in the SQLite index)."""
        yield from map(tuple, self.postings_array(shingles, limit=limit).tolist())

    def postings_array(self, shingles: Iterable[int], *, limit: int | None = None,
                       mark_common: bool = False) -> np.ndarray:
        wanted = np.unique(np.asarray(list(shingles), dtype=np.int64)).astype(np.uint32)
        if not len(wanted):
            return np.zeros((0, 2), dtype=np.int64)
        buckets = np.unique(wanted >> np.uint32(32 - BUCKET_BITS))
        blobs = self.client.mget([self._key("p", int(b)) for b in buckets])
        data = b"".join(blob for blob in blobs if blob)
        records = np.unique(np.frombuffer(data, dtype=RECORD))  # sorted by (hash, key)
        records = records[np.isin(records["hash"], wanted)]
        over = np.zeros(0, dtype=np.uint32)
        if limit is not None and len(records):
            hashes, counts = np.unique(records["hash"], return_counts=True)
            over = hashes[counts > limit]
            records = records[~np.isin(records["hash"], over)]
        signed = records["hash"].view(np.int32).astype(np.int64)
        rows = np.stack([signed, records["key"].astype(np.int64)], axis=1)
        return with_common(rows, over.view(np.int32)) if mark_common else rows

    def postings_up_to(self, shingles: Iterable[int], most: int) -> np.ndarray:
        """As ``Store.postings_up_to``; a trace reads whole bucket strings anyway, so here
        only the shingles held by more than ``most`` documents are unknown."""
        return self.postings_array(shingles, limit=most, mark_common=True)

    def lsh_candidates(self, buckets: Sequence[int]) -> set[int]:
        if not buckets:
            return set()
        members = self.client.sunion([self._key("band", b, bucket) for b, bucket in enumerate(buckets)])
        return {int(member) for member in members}

    def signatures(self, keys: Iterable[int]) -> dict[int, bytes]:
        wanted = sorted(set(keys))
        if not wanted:
            return {}
        values = self.client.hmget(self._key("minhash"), wanted)
        return {key: value for key, value in zip(wanted, values, strict=True) if value is not None}


def _records(shingles: Sequence[int] | np.ndarray, key: int) -> np.ndarray:
    hashes = np.asarray(shingles, dtype=np.int64).astype(np.uint32)
    records = np.empty(len(hashes), dtype=RECORD)
    records["hash"] = hashes
    records["key"] = key
    return records


def _document(row: dict[str, str], key: int) -> Document:
    published = datetime.fromisoformat(row["published"]) if row.get("published") else None
    return Document(
        text=row["text"], id=row["id"], title=row.get("title"), url=row.get("url"),
        publisher=row.get("publisher"), author=row.get("author"), published=published,
        path=row.get("path"), format=row.get("format") or "text",
        emphasis=tuple(Emphasis(*span) for span in json.loads(row.get("emphasis", "[]"))),
        notes=tuple(json.loads(row.get("notes", "[]"))), key=key,
        quotes=tuple(Emphasis(*span) for span in json.loads(row.get("quotes", "[]"))),
    )


def open_index(db: str, index_url: str | None, *,
               announce: Callable[[str], None] | None = None) -> Any:
    """The index to trace against: the Redis one named by ``index_url``, else the DB itself
    (``announce``: see ``Store``)."""
    if not index_url or index_url in ("sqlite", db):
        return Store(db, announce=announce)
    if not is_redis_url(index_url):
        raise ProvenanceError(f"--index {index_url!r}: use redis://HOST:PORT/DB")
    return RedisIndex(index_url)


def localize(store: Store, result: Trace) -> Trace:
    """The trace with every cited source copied into ``store`` (unindexed) under its local
    key, so that results saved there refer to documents that are there."""
    from .ingest import content_hash
    from .normalize import words

    local: dict[int, Document] = {}

    def here(document: Document) -> Document:
        if document.key not in local:
            digest = content_hash(document.text)
            found = store.key_by_hash(digest)
            if found is None:
                stored = store.add_document(replace(document, key=None), content_hash=digest,
                                            word_count=len(words(document.text)), indexed=False)
                key = stored.key
            else:
                key = found[0]
            assert document.key is not None
            local[document.key] = replace(document, key=key)
        return local[document.key]

    def alignment(value: Any) -> Any:
        return replace(value, document=here(value.document)) if value is not None else None

    with store.atomic():
        quotations = tuple(
            replace(quotation, source=alignment(quotation.source),
                    closest=alignment(quotation.closest),
                    chain=tuple(alignment(a) for a in quotation.chain),
                    later=tuple(alignment(a) for a in quotation.later))
            for quotation in result.quotations
        )
    return replace(result, quotations=quotations)


def utcnow() -> datetime:
    return datetime.now(UTC)
