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

import glob
import hashlib
import json
import os
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from . import index
from .model import Document, ProvenanceError
from .normalize import words
from .store import Store

METADATA_KEYS = ("id", "title", "url", "publisher", "author", "published")
SIDECAR_SUFFIX = ".meta.json"


@dataclass
class IngestSummary:
    added: list[str] = field(default_factory=list)
    present: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)


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
    unknown = {"text", "note", "notes", *METADATA_KEYS}
    for name in METADATA_KEYS:
        if meta.get(name) is not None and not isinstance(meta[name], str | int):
            raise ProvenanceError(f"{where}: {name!r} must be a string")
    notes = meta.get("notes") or ([meta["note"]] if meta.get("note") else [])
    del unknown
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


READERS: dict[str, Callable[..., list[Document]]] = {"text": read_text, "jsonl": read_jsonl}
EXTENSIONS = {".txt": "text", ".text": "text", ".md": "text", ".jsonl": "jsonl", ".ndjson": "jsonl"}


def detect_format(path: str) -> str | None:
    return EXTENSIONS.get(Path(path).suffix.lower())


def read_path(path: str, *, format: str | None = None) -> list[Document]:
    """Read one file (or '-' for stdin) into documents; raise ProvenanceError if bad."""
    kind = format or detect_format(path) or ("text" if path == "-" else None)
    if kind not in READERS:
        raise ProvenanceError(
            f"{path}: unknown format {kind or Path(path).suffix!r}; use --format "
            f"({', '.join(READERS)})"
        )
    if path == "-":
        data = sys.stdin.buffer.read()
    else:
        try:
            data = Path(path).read_bytes()
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


def add_document(store: Store, document: Document) -> tuple[Document, bool]:
    """Store and index a document unless its content is already there."""
    digest = content_hash(document.text)
    existing = store.document_by_hash(digest)
    document_words = words(document.text)
    if existing is not None:
        assert existing.key is not None
        store.add_location(existing.key, document)
        if not store.is_indexed(existing.key):  # stored by a trace, now archived
            index.index_document(store, existing.key, document_words)
            return existing, True
        return existing, False
    stored = store.add_document(
        document, content_hash=digest, word_count=len(document_words), indexed=False
    )
    assert stored.key is not None
    index.index_document(store, stored.key, document_words)
    return stored, True


def ingest(
    store: Store,
    paths: Iterable[str],
    *,
    format: str | None = None,
    overrides: dict[str, Any] | None = None,
    progress: Callable[[str], None] | None = None,
) -> IngestSummary:
    """Ingest files; a bad file is skipped whole and reported, the rest kept."""
    index.check_params(store)
    summary = IngestSummary()
    files = expand_paths(paths)
    if overrides and len(files) != 1:
        raise ProvenanceError("metadata options (--published, --title, ...) need exactly one file")
    for path in files:
        if progress:
            progress(path)
        try:
            documents = read_path(path, format=format)
            if overrides:
                documents = [apply_overrides(doc, overrides, where=path) for doc in documents]
            with store.atomic():
                outcomes = [add_document(store, doc) for doc in documents]
        except ProvenanceError as error:
            summary.skipped.append((path, str(error)))
            continue
        for stored, added in outcomes:
            (summary.added if added else summary.present).append(stored.id or "")
    return summary


def apply_overrides(document: Document, overrides: dict[str, Any], *, where: str) -> Document:
    values = {k: v for k, v in overrides.items() if v is not None}
    if "published" in values:
        values["published"] = parse_published(values["published"], where=where)
    return replace(document, **values)


def read_article(path: str, *, format: str | None = None) -> Document:
    """The one article in a file, with an id derived from its content when it has none."""
    documents = read_path(path, format=format)
    if len(documents) != 1:
        raise ProvenanceError(f"{path}: holds {len(documents)} documents; trace takes one article per file")
    article = documents[0]
    return article if article.id else replace(article, id=content_hash(article.text)[:16])
