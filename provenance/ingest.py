"""Ingest: read dated documents from files and add them to the archive and index.

Readers turn a file into ``Document`` values and validate everything first
(text encoding, JSON, dates), so that a bad file is rejected whole and
nothing of it is stored. Each file is added in one transaction. Documents
are identified by their content: the same text twice is one document.

Plain text metadata lives in a sidecar JSON file beside the text
(``story.txt`` + ``story.meta.json``), so that the text itself is never
touched and offsets into it stay exact.
"""

from __future__ import annotations

import collections
import concurrent.futures
import contextlib
import functools
import gc
import glob
import hashlib
import itertools
import json
import os
import sys
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from . import feeds, html, index, warc
from . import workers as worker_processes
from .model import Document, ProvenanceError
from .normalize import Word, words
from .problems import Problem
from .store import Store

METADATA_KEYS = ("id", "title", "url", "publisher", "author", "published")
SIDECAR_SUFFIX = ".meta.json"


@dataclass
class IngestSummary:
    added: list[str] = field(default_factory=list)
    present: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    capture_dated: list[str] = field(default_factory=list)  # added with a WARC capture date


def parse_published(value: Any, *, where: str) -> datetime | None:
    """An ISO-8601 date or date-time; a date alone means midnight UTC."""
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise ProvenanceError(f"{where}: published date must be a string, got {value!r}")
    text = value.strip().replace("Z", "+00:00")
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime(day.year, day.month, day.day, tzinfo=UTC)
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ProvenanceError(
            f"{where}: unparseable published date {value!r} (use ISO-8601, e.g. 2019-01-16 "
            "or 2019-01-16T17:05:00-05:00)"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def content_hash(text: str) -> str:
    """Identity by content: whitespace differences do not make a new document."""
    return hashlib.sha256(" ".join(text.split()).encode()).hexdigest()


def decode(data: bytes, *, where: str) -> str:
    if b"\x00" in data[:65536]:
        raise ProvenanceError(f"{where}: binary file, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ProvenanceError(f"{where}: not UTF-8 text ({error.reason} at byte {error.start})") from None


def metadata_document(text: str, meta: dict[str, Any], *, where: str, **fields: Any) -> Document:
    """A Document from text and a metadata mapping, validated."""
    for name in METADATA_KEYS:
        if meta.get(name) is not None and not isinstance(meta[name], str | int):
            raise ProvenanceError(f"{where}: {name!r} must be a string")
    notes = meta.get("notes") or ([meta["note"]] if meta.get("note") else [])
    return Document(
        text=text,
        id=str(meta["id"]) if meta.get("id") not in (None, "") else None,
        title=meta.get("title"),
        url=meta.get("url"),
        publisher=meta.get("publisher"),
        author=meta.get("author"),
        published=parse_published(meta.get("published"), where=where),
        notes=tuple(str(note) for note in notes),
        **fields,
    )


def sidecar_path(path: Path) -> Path:
    return path.with_name(path.stem + SIDECAR_SUFFIX)


def read_sidecar(path: Path) -> dict[str, Any]:
    sidecar = sidecar_path(path)
    if not sidecar.exists():
        return {}
    try:
        meta = json.loads(sidecar.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ProvenanceError(f"{sidecar}: invalid metadata JSON ({error})") from None
    if not isinstance(meta, dict):
        raise ProvenanceError(f"{sidecar}: metadata must be a JSON object")
    return meta


def read_text(data: bytes, *, path: str) -> list[Document]:
    meta = read_sidecar(Path(path)) if path != "-" else {}
    text = decode(data, where=path)
    return [metadata_document(text, meta, where=path, path=path, format="text")]


def read_jsonl(data: bytes, *, path: str) -> list[Document]:
    documents = []
    for number, line in enumerate(decode(data, where=path).splitlines(), 1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise ProvenanceError(f"{where}: invalid JSON ({error.msg})") from None
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            raise ProvenanceError(f"{where}: each line must be an object with a 'text' string")
        documents.append(
            metadata_document(record["text"], record, where=where, path=path, format="jsonl")
        )
    return documents


def read_html_page(data: bytes, *, path: str) -> list[Document]:
    return [html.read_html(data, path=path)]


def read_feed(data: bytes, *, path: str) -> Iterable[Document]:
    return feeds.read_feed(data, path=path)


def read_warc(data: bytes, *, path: str) -> Iterable[Document]:
    return warc.read_warc(data, path=path)


# A reader returns the documents of one file. Readers of containers (WARC, feeds)
# return an iterable with a ``problems`` list: records they skipped, with reasons.
READERS: dict[str, Callable[..., Iterable[Document]]] = {
    "text": read_text,
    "jsonl": read_jsonl,
    "html": read_html_page,
    "feed": read_feed,
    "warc": read_warc,
}
EXTENSIONS = {
    ".txt": "text", ".text": "text", ".md": "text", ".jsonl": "jsonl", ".ndjson": "jsonl",
    ".html": "html", ".htm": "html", ".xhtml": "html", ".shtml": "html",
    ".rss": "feed", ".atom": "feed", ".xml": "feed",
    ".warc": "warc", ".warc.gz": "warc",
}
MAX_BYTES = {"html": html.MAX_HTML_BYTES, "feed": 100_000_000}
SNIFF_BYTES = 4096


def detect_format(path: str) -> str | None:
    """The format a file's name says it has (``story.html.gz``: html)."""
    name = Path(path).name.lower()
    if name.endswith(".warc.gz"):
        return "warc"
    if name.endswith(".gz"):
        return detect_format(name[:-3])
    return EXTENSIONS.get(Path(name).suffix)


GZIP_MAGIC = b"\x1f\x8b"
MAX_GUNZIPPED = 1_000_000_000


def gunzip(data: bytes, *, path: str, limit: int = MAX_GUNZIPPED) -> bytes:
    """A gzip file's content (all members); a truncated or corrupt one is refused by name."""
    parts: list[bytes] = []
    size = 0
    rest = data
    while rest:
        decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            part = decompressor.decompress(rest, limit - size + 1)
        except zlib.error as error:
            raise ProvenanceError(f"{path}: corrupt gzip data ({error})") from None
        size += len(part)
        parts.append(part)
        if size > limit:
            raise ProvenanceError(f"{path}: decompresses to more than {limit // 1_000_000} MB")
        if not decompressor.eof:
            raise ProvenanceError(
                f"{path}: truncated gzip file (it ends before its end marker, "
                f"after {size} bytes of content)"
            )
        rest = decompressor.unused_data.lstrip(b"\x00")
    return b"".join(parts)


def sniff_format(head: bytes) -> str | None:
    """The format a file's first bytes show, where they are unmistakable."""
    if warc.looks_like_warc(head):
        return "warc"
    if feeds.looks_like_feed(head):
        return "feed"
    if html.looks_like_html(head):
        return "html"
    return None


def read_path(path: str, *, format: str | None = None) -> Iterable[Document]:
    """Read one file (or '-' for stdin) into documents; raise ProvenanceError if bad.

    The format is ``format`` if given, else what the content shows (a WARC, a
    feed, an HTML page), else what the name says. A WARC file is read from
    disk as it goes, never whole into memory.
    """
    if path == "-":
        data = sys.stdin.buffer.read()
        given = format or sniff_format(data[:SNIFF_BYTES]) or "text"
        return READERS[given](data, path=path)
    try:
        with open(path, "rb") as handle:
            head = handle.read(SNIFF_BYTES)
            size = os.fstat(handle.fileno()).st_size
            kind = format or sniff_format(head) or detect_format(path)
            if head.startswith(GZIP_MAGIC) and kind != "warc":
                data = gunzip(head + handle.read(), path=path)
                kind = format or sniff_format(data[:SNIFF_BYTES]) or detect_format(path)
                if kind is None or kind not in READERS:
                    raise ProvenanceError(f"{path}: unknown format inside the gzip file; use --format")
                if kind == "warc":
                    return warc.read_warc(data, path=path)
                return READERS[kind](data, path=path)
            if kind is None or kind not in READERS:
                raise ProvenanceError(
                    f"{path}: unknown format {kind or Path(path).suffix!r}; use --format "
                    f"({', '.join(READERS)})"
                )
            if kind == "warc":
                return warc.read_warc(path)
            if size > MAX_BYTES.get(kind, size):
                raise ProvenanceError(
                    f"{path}: {size / 1e6:.0f} MB is more than the "
                    f"{MAX_BYTES[kind] // 1_000_000} MB allowed for {kind} input"
                )
            data = head + handle.read()
    except FileNotFoundError:
        raise ProvenanceError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ProvenanceError(f"{path}: is a directory") from None
    except OSError as error:
        raise ProvenanceError(f"{path}: cannot read ({error.strerror})") from None
    return READERS[kind](data, path=path)


def expand_paths(paths: Iterable[str]) -> list[str]:
    """Files from paths, folders (recursive, known extensions) and globs, in order."""
    found: list[str] = []
    for given in paths:
        if given == "-":
            found.append(given)
        elif os.path.isdir(given):
            for root, dirs, files in os.walk(given):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                found.extend(
                    os.path.join(root, name)
                    for name in sorted(files)
                    if detect_format(name) and not name.endswith(SIDECAR_SUFFIX)
                    and name.lower() != "readme.md"
                )
        elif any(ch in given for ch in "*?["):
            found.extend(sorted(glob.glob(given, recursive=True)))
        else:
            found.append(given)
    return found


@dataclass(frozen=True)
class Prepared:
    """A document's content hash and index entry, computed ahead (in a reader process)."""

    content_hash: str
    entry: index.Entry


def prepare(document: Document) -> Prepared:
    return Prepared(content_hash(document.text), index.entry_of_text(document.text))


def add_document(
    store: Store, document: Document, *, prepared: Prepared | None = None
) -> tuple[Document, bool]:
    """Store and index a document unless its content is already there.

    ``prepared`` carries the content hash and index entry when a reader
    process computed them already.
    """
    digest = prepared.content_hash if prepared else content_hash(document.text)
    existing = store.document_by_hash(digest) if store.key_by_hash(digest) else None  # most are new
    document_words = [] if prepared else words(document.text)
    if existing is not None:
        assert existing.key is not None
        _add_locations(store, existing.key, document)
        if not store.is_indexed(existing.key):  # stored by a trace, now archived
            _index(store, existing.key, document_words, prepared)
            return existing, True
        return existing, False
    word_count = prepared.entry.word_count if prepared else len(document_words)
    # written as indexed: its postings go in within the same transaction (an UPDATE of
    # each row afterwards took 5 s of a 100k-document ingest's 35)
    stored = store.add_document(document, content_hash=digest, word_count=word_count, indexed=True)
    assert stored.key is not None
    _add_locations(store, stored.key, document)
    _index(store, stored.key, document_words, prepared, mark=False)
    return stored, True


def _add_locations(store: Store, key: int, document: Document) -> None:
    """Its URL and path, and the URL it was fetched from when that is not its canonical one."""
    store.add_location(key, document)
    for note in document.notes:
        if note.startswith(html.FETCHED_FROM):
            store.add_location(key, replace(document, url=note[len(html.FETCHED_FROM) :], path=None))


def _index(store: Store, key: int, document_words: list[Word], prepared: Prepared | None,
           *, mark: bool = True) -> None:
    if prepared:
        index.add_entry(store, key, prepared.entry, mark=mark)
    else:
        index.index_document(store, key, document_words, mark=mark)


def ingest(
    store: Store,
    paths: Iterable[str],
    *,
    format: str | None = None,
    overrides: dict[str, Any] | None = None,
    progress: Callable[[str], None] | None = None,
    workers: int = 1,
    progress_bytes: Callable[[int], None] | None = None,
    merging: Callable[[int], None] | None = None,
) -> IngestSummary:
    """Ingest files; a bad file is skipped whole and reported, the rest kept.

    In a WARC or a feed, a bad record is skipped and reported, the rest kept.
    ``workers`` processes read and extract files ahead of the one that stores
    them; with 1, this process reads each file as it stores it.
    ``progress(path)`` is called as each file starts; ``progress_bytes(n)`` as
    each file's bytes are done, within a WARC as its records are stored.
    A bulk load ends by merging the index into one segment; ``merging(postings)``
    is called as that starts (it can take minutes).
    """
    index.check_params(store)
    summary = IngestSummary()
    files = expand_paths(paths)
    postings_before = store.postings_total()
    if overrides and len(files) != 1:
        raise ProvenanceError("metadata options (--published, --title, ...) need exactly one file")
    with contextlib.ExitStack() as stack:
        stack.enter_context(_no_cycle_collection())
        pool = None
        if workers > 1:
            pool = stack.enter_context(concurrent.futures.ProcessPoolExecutor(
                workers, initializer=worker_processes.started, initargs=(os.getpid(),)))
        if postings_before == 0 and isinstance(store, Store):  # a bulk load (Redis: no segments)
            stack.enter_context(store.bulk_load())
        with _Transactions(store) as transactions:
            _ingest_files(store, files, summary, transactions, pool, format=format,
                          overrides=overrides, progress=progress, progress_bytes=progress_bytes)
        # the final merge of a bulk load: the workers read and sort, this process writes
        store.merge_bulk_load(postings_before, merging,
                              map_=functools.partial(_results, pool) if pool else None)
    return summary


@contextlib.contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Python's cycle collector paused: an ingest makes millions of short-lived objects
    and no cycles worth collecting (reference counting frees them), and collecting
    took about 2.5 s of the storing process's 48 s in a 100k-document ingest."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _ingest_files(
    store: Store,
    files: list[str],
    summary: IngestSummary,
    transactions: _Transactions,
    pool: concurrent.futures.Executor | None,
    *,
    format: str | None,
    overrides: dict[str, Any] | None,
    progress: Callable[[str], None] | None,
    progress_bytes: Callable[[int], None] | None,
) -> None:
    """Each file read (by ``pool`` if there is one), stored and counted in ``summary``."""
    for path, ready, failure in _read_ahead(files, format=format, pool=pool):
        if progress:
            progress(path)
        done = _BytesDone(path, progress_bytes)
        if failure is not None:
            done.finish()
            summary.skipped.append((path, failure))
            continue
        try:
            if ready is None:
                documents = read_path(path, format=format)
                problems: list[Problem] | None = getattr(documents, "problems", None)
                if overrides and problems is None:
                    documents = (apply_overrides(d, overrides, where=path) for d in documents)
                if problems is not None:  # a WARC or a feed: read as it is stored
                    done.position = getattr(documents, "position", None)
                    pairs: Iterable[tuple[Document, Prepared | None]]
                    if pool is not None and isinstance(documents, warc.WarcDocuments):
                        pairs = _extract_captures(pool, documents)
                    else:
                        pairs = ((document, None) for document in documents)
                    if overrides:
                        pairs = ((apply_overrides(d, overrides, where=path), p) for d, p in pairs)
                    _add_container(store, pairs, problems, summary, transactions,
                                   done=done.update)
                    done.finish()
                    continue
                ready = [(document, None) for document in documents]  # read it whole first
            transactions.begin()
            with store.atomic():  # a savepoint: this file goes in whole or not at all
                outcomes = [add_document(store, doc, prepared=prep) for doc, prep in ready]
        except ProvenanceError as error:
            summary.skipped.append((path, str(error)))
            done.finish()
            continue
        _count(summary, outcomes)
        transactions.stored(len(outcomes))
        done.finish()


class _BytesDone:
    """Reports a file's bytes to a progress callback once, or bit by bit (a WARC's records)."""

    def __init__(self, path: str, report: Callable[[int], None] | None) -> None:
        self.report = report
        self.reported = 0
        self.size = os.path.getsize(path) if report and path != "-" and os.path.isfile(path) else 0
        self.position: Callable[[], int] | None = None  # how far a container's reading has come

    def update(self) -> None:
        if self.position is not None:
            self.to(self.position())

    def to(self, position: int) -> None:
        position = min(position, self.size)
        if self.report and position > self.reported:
            self.report(position - self.reported)
            self.reported = position

    def finish(self) -> None:
        self.to(self.size)


READ_AHEAD_MIN_FILES = 16  # below this, starting worker processes costs more than it saves
READ_AHEAD_MIN_BYTES = 4_000_000  # ... unless the files are big (JSON-lines shards)
FIRST_FILE_PARTS = 4  # a first big file is read in parts: storing starts after the first part


Ready = list[tuple[Document, Prepared | None]]
Task = tuple[list[str], int, int]  # files, and which part of each of how many to prepare


def _read_ahead(
    files: list[str], *, format: str | None, pool: concurrent.futures.Executor | None
) -> Iterator[tuple[str, Iterable[tuple[Document, Prepared | None]] | None, str | None]]:
    """(path, documents, failure) for each file, in order, read by worker processes.

    The workers also hash and shingle each document (``prepare``), leaving only
    the database work to the storing process. ``documents`` is None when the
    file is left to the caller: stdin, a WARC or a feed (read as they are
    stored), or no workers. The first of big files is prepared in parts, by all
    workers at once, and its documents come as the parts are done.
    """
    if pool is None or (len(files) < READ_AHEAD_MIN_FILES and _size(files) < READ_AHEAD_MIN_BYTES):
        for path in files:
            yield path, None, None
        return
    per_chunk = 4 if _size(files) < READ_AHEAD_MIN_BYTES * len(files) / 4 else 1  # big files: one each
    chunks = [files[i : i + per_chunk] for i in range(0, len(files), per_chunk)]
    parts = FIRST_FILE_PARTS if per_chunk == 1 else 1  # else the storing process waits for all of it
    tasks: list[Task] = [(chunks[0], part, parts) for part in range(parts)]
    tasks += [(chunk, 0, 1) for chunk in chunks[1:]]
    results = _ordered_map(pool, _read_files, tasks, format)
    for (chunk, _, pieces), outcomes in results:
        if pieces == 1:
            for path, (documents, failure) in zip(chunk, outcomes, strict=True):
                yield path, documents, failure
            continue
        [(documents, failure)] = outcomes  # every part reads and checks the whole file: same failure
        rest = (outcome for _ in range(pieces - 1) for outcome in next(results)[1])
        if documents is None or failure is not None:
            collections.deque(rest, maxlen=0)
            yield chunk[0], documents, failure
            continue
        later = (pair for more, _ in rest for pair in more or [])
        yield chunk[0], itertools.chain(documents, later), None
        collections.deque(later, maxlen=0)  # parts the caller left (it gave the file up)


def _size(files: list[str]) -> int:
    return sum(os.path.getsize(f) for f in files if f != "-" and os.path.isfile(f))


def _ordered_map(
    pool: concurrent.futures.Executor, function: Callable[..., Any], chunks: Iterable[Any], *args: Any,
    ahead: int = 4,
) -> Iterator[tuple[Any, Any]]:
    """(chunk, function(chunk, *args)) in order, a bounded number of chunks ahead.

    Only a few chunks per worker (``ahead``) are in flight, so a slow store never
    piles up documents in memory.
    """
    window = ahead * (getattr(pool, "_max_workers", 1) or 1) + 1
    pending: collections.deque[tuple[Any, concurrent.futures.Future[Any]]] = collections.deque()
    for chunk in chunks:
        pending.append((chunk, pool.submit(function, chunk, *args)))
        if len(pending) >= window:
            done_chunk, future = pending.popleft()
            yield done_chunk, future.result()
    while pending:
        done_chunk, future = pending.popleft()
        yield done_chunk, future.result()


def _results(pool: concurrent.futures.Executor, function: Callable[..., Any],
             tasks: Iterable[Any]) -> Iterator[Any]:
    """function(task) for each task, in order, one ahead per worker and one more: each
    result is large (a merge's hash range of postings, about 8 MB)."""
    return (result for _, result in _ordered_map(pool, function, tasks, ahead=1))


def _extract_captures(
    pool: concurrent.futures.Executor, documents: warc.WarcDocuments
) -> Iterator[tuple[Document, Prepared | None]]:
    """A WARC's pages extracted by worker processes, in order; failures join its problems."""
    captures = documents.captures()
    chunks = iter(lambda: list(itertools.islice(captures, 8)), [])
    for _, results in _ordered_map(pool, _extract_chunk, chunks):
        for document, prepared, where, reason in results:
            if document is None:
                documents.problems.append(Problem(where, reason))
            else:
                yield document, prepared


def _extract_chunk(
    captures: list[warc.Capture],
) -> list[tuple[Document | None, Prepared | None, str, str]]:
    """In a worker process: each archived page's document and index entry, or why not."""
    results: list[tuple[Document | None, Prepared | None, str, str]] = []
    for capture in captures:
        try:
            document = capture.document()
        except ProvenanceError as error:
            results.append((None, None, capture.where, str(error).removeprefix(f"{capture.path}: ")))
            continue
        results.append((document, prepare(document), "", ""))
    return results


def _read_files(task: Task, format: str | None) -> list[tuple[Ready | None, str | None]]:
    """In a worker process: each file's documents (the given part of them, prepared), or
    None to leave the file to the caller, or why not."""
    paths, part, parts = task
    results: list[tuple[Ready | None, str | None]] = []
    for path in paths:
        if path == "-":
            results.append((None, None))
            continue
        try:
            documents = read_path(path, format=format)
            if hasattr(documents, "problems"):
                results.append((None, None))
            else:
                documents = list(documents)
                share = documents[len(documents) * part // parts : len(documents) * (part + 1) // parts]
                results.append(([(doc, prepare(doc)) for doc in share], None))
        except ProvenanceError as error:
            results.append(([], str(error)))
    return results


def _count(summary: IngestSummary, outcomes: list[tuple[Document, bool]]) -> None:
    for stored, added in outcomes:
        (summary.added if added else summary.present).append(stored.id or "")
        if added and html.CAPTURE_DATE_NOTE in stored.notes:
            summary.capture_dated.append(stored.id or "")


COMMIT_DOCUMENTS = 8000
COMMIT_SECONDS = 10.0


class _Transactions:
    """Several files to a transaction, committed every COMMIT_DOCUMENTS or COMMIT_SECONDS.

    A commit per file made ingest wait on the disk (about 12 pages/s); files
    still go in whole or not at all, each inside its own savepoint. A kill
    loses at most the open transaction, and a re-run adds it again. Fewer,
    larger commits write fewer index segments and rewrite the pages of the
    B-trees that grow at random (content hashes, LSH bands) less often: 4,000
    documents instead of 500 took the storing process from 47 to 43 s of CPU in a
    100k-document ingest (8,000: see BENCHMARKS.md, "Fourth round").
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self.limit = COMMIT_DOCUMENTS
        self.seconds = COMMIT_SECONDS
        self.open: contextlib.ExitStack | None = None
        self.pending = 0
        self.started = 0.0

    def __enter__(self) -> Self:
        return self

    def begin(self) -> None:
        if self.open is None:
            self.open = contextlib.ExitStack()
            self.open.enter_context(self.store.atomic())
            self.started = time.monotonic()

    def stored(self, count: int) -> None:
        self.pending += count
        if self.pending >= self.limit or time.monotonic() - self.started >= self.seconds:
            self.commit()

    def commit(self) -> None:
        if self.open is not None:
            self.open.close()
            self.open = None
            self.pending = 0

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self.open is not None:
            self.open.__exit__(kind, error, trace)  # commits, or rolls back on an exception
            self.open = None


CONTAINER_BATCH = 100


def _add_container(
    store: Store,
    documents: Iterable[tuple[Document, Prepared | None]],
    problems: list[Problem],
    summary: IngestSummary,
    transactions: _Transactions,
    *,
    done: Callable[[], None] | None = None,
) -> None:
    """Documents of a WARC or feed, stored as they are read; its bad records become skips.

    Bad records do not reject the file: each is reported and the rest stored.
    """
    batch: list[tuple[Document, Prepared | None]] = []

    def flush() -> None:
        transactions.begin()
        with store.atomic():
            outcomes = [add_document(store, doc, prepared=prep) for doc, prep in batch]
        _count(summary, outcomes)
        transactions.stored(len(outcomes))
        batch.clear()
        if done:
            done()

    try:
        for pair in documents:
            batch.append(pair)
            if len(batch) >= CONTAINER_BATCH:
                flush()
        flush()
    finally:
        summary.skipped.extend((problem.where, problem.reason) for problem in problems)


def apply_overrides(document: Document, overrides: dict[str, Any], *, where: str) -> Document:
    values = {k: v for k, v in overrides.items() if v is not None}
    if "published" in values:
        values["published"] = parse_published(values["published"], where=where)
    return replace(document, **values)


def read_article(path: str, *, format: str | None = None) -> Document:
    """The one article in a file, with an id derived from its content when it has none."""
    documents = list(read_path(path, format=format))
    if len(documents) != 1:
        raise ProvenanceError(f"{path}: holds {len(documents)} documents; trace takes one article per file")
    article = documents[0]
    return article if article.id else replace(article, id=content_hash(article.text)[:16])
