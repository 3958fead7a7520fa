"""Read WARC and WARC.gz web archives: one Document per HTML page captured.

Every successful (2xx) HTML ``response`` record, and every HTML ``resource``
record, becomes a Document with the record's target URL; the capture date
(``WARC-Date``) stands in for the publication date when the page carries
none, and the document's notes say so.

Archives in the wild are damaged: a crawler died mid-write (a truncated
gzip), a record's length is wrong, bytes were spliced in. A bad record is
recorded as a ``Problem`` and reading resumes at the next record header, so
one bad record never costs the rest of the archive.

warcio reads about 35,000 records/s here and fastwarc 180,000 (BENCHMARKS.md);
both are two orders of magnitude faster than main-text extraction, so we use
warcio, which the tests also write with, and which reports offsets we can
resume from.
"""

from __future__ import annotations

import contextlib
import io
import logging
import mmap
import os
import zlib
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import BinaryIO, cast

from warcio.archiveiterator import ArchiveIterator
from warcio.recordloader import ArcWarcRecord

from .html import looks_like_html, read_html
from .model import Document, ProvenanceError
from .problems import Problem

# warcio logs and prints a warning for every odd record; the problems we report say it better.
logging.getLogger("warcio").setLevel(logging.CRITICAL)

HTML_TYPES = ("text/html", "application/xhtml+xml")
RECORD_TYPES = frozenset((
    "warcinfo", "response", "resource", "request", "metadata", "revisit", "conversion",
    "continuation",
))
GZIP_MAGIC = b"\x1f\x8b\x08"
MAX_RECORD_BYTES = 20_000_000


class _QuietArchiveIterator(ArchiveIterator):  # type: ignore[misc]
    """warcio writes straight to stderr when a record's length looks wrong; keep stderr clean."""

    def _consume_blanklines(self):  # type: ignore[no-untyped-def]
        with contextlib.redirect_stderr(io.StringIO()):
            return super()._consume_blanklines()


class WarcDocuments(Iterator[Document]):
    """The documents of one archive, in order; ``problems`` fills up as it is read.

    ``pages`` counts the HTML pages found, ``records`` all records read.
    """

    def __init__(
        self, source: str | os.PathLike[str] | bytes, *, path: str | None = None, fast: bool = True
    ) -> None:
        self.data = source if isinstance(source, bytes) else None
        self.path = path or ("-" if isinstance(source, bytes) else os.fspath(source))
        self.fast = fast
        self.extract = True  # False: yield Captures (see ``captures``)
        self.problems: list[Problem] = []
        self.records = 0
        self.pages = 0
        self.offset = 0  # where the record being read starts: how far reading has come
        self._documents = self._read()

    def __next__(self) -> Document:
        return cast(Document, next(self._documents))

    def position(self) -> int:
        """Bytes of the archive read so far."""
        return self.offset

    def _problem(self, offset: int, reason: str, url: str | None = None) -> None:
        where = f"{self.path} (record at byte {offset}" + (f", {url})" if url else ")")
        self.problems.append(Problem(where, reason))

    def _read(self) -> Iterator[Document | Capture]:
        if self.data is not None:
            yield from self._read_all(io.BytesIO(self.data), self.data)
            return
        try:
            handle = open(self.path, "rb")  # noqa: SIM115 (closed below; open errors reported)
        except OSError as error:
            raise ProvenanceError(f"{self.path}: cannot open: {error.strerror}") from error
        with handle:
            if os.fstat(handle.fileno()).st_size == 0:
                raise ProvenanceError(f"{self.path}: empty file, not a WARC archive")
            # mapped, the archive is searched for the next record without reading it all
            with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
                yield from self._read_all(handle, mapped)

    def _read_all(self, handle: BinaryIO, content: mmap.mmap | bytes) -> Iterator[Document | Capture]:
        size = len(content)
        if size == 0:
            raise ProvenanceError(f"{self.path}: empty file, not a WARC archive")
        compressed = content[:3] == GZIP_MAGIC
        if not compressed and content[:5] != b"WARC/":
            raise ProvenanceError(f"{self.path}: does not start with a WARC record header")
        position: int | None = 0
        while position is not None and position < size:
            handle.seek(position)
            position = yield from self._read_from(handle, position, size, content, compressed)

    def _read_from(
        self, handle: BinaryIO, start: int, size: int, mapped: mmap.mmap | bytes, compressed: bool
    ) -> Generator[Document | Capture, None, int | None]:
        """Read records from ``start``; on damage, return where to resume (None: done)."""
        records = _QuietArchiveIterator(handle)
        offset = start
        try:
            for record in records:
                offset = self.offset = records.offset
                self.records += 1
                if not _valid_length(record):
                    # without a length, warcio reads on into the next records and loses them
                    self._problem(offset, "damaged record header (no valid Content-Length)",
                                  record.rec_headers.get_header("WARC-Target-URI"))
                    return _next_record_start(mapped, offset + 1, compressed)
                document = self._document(record, offset)
                if document is not None:
                    yield document
            end = records.offset
        except Exception as error:  # noqa: BLE001 (warcio raises bare Exceptions, zlib and EOF errors)
            # past the last good record, warcio's offset is where the bad one starts
            offset = max(offset, records.offset)
            reason = f"damaged record ({type(error).__name__}: {_shorten(str(error))})"
            self._problem(offset, reason)
            return _next_record_start(mapped, offset + 1, compressed)
        if end < size and mapped[end:size].strip():
            self._problem(end, f"archive ends in {size - end} bytes that are not a complete record "
                               "(truncated download or crawl?)")
            return _next_record_start(mapped, end + 1, compressed)
        return None

    def _document(self, record: ArcWarcRecord, offset: int) -> Document | Capture | None:
        found = self._capture(record, offset)
        if found is None or not self.extract:
            return found
        try:
            return found.document(fast=self.fast)
        except ProvenanceError as error:
            self._problem(offset, str(error).removeprefix(f"{self.path}: "), found.url)
            return None

    def _capture(self, record: ArcWarcRecord, offset: int) -> Capture | None:
        url = record.rec_headers.get_header("WARC-Target-URI")
        verdict = _classify(record)
        if verdict not in ("html", "sniff"):
            if verdict:
                self._problem(offset, verdict, url)
            return None
        self.pages += 1
        declared = int(record.rec_headers.get_header("Content-Length") or 0)
        if declared > MAX_RECORD_BYTES:
            self._problem(offset, f"page of {declared / 1e6:.0f} MB is too large to be an article", url)
            return None
        try:
            payload = record.content_stream().read()
        except Exception as error:  # noqa: BLE001 (a broken chunked or gzip content-encoding)
            self._problem(offset, f"cannot decode the page body ({_shorten(str(error))})", url)
            return None
        if record.raw_stream.limit > 0:
            self._problem(offset, f"record is cut short ({record.raw_stream.limit} bytes missing)", url)
            return None
        if verdict == "sniff" and not looks_like_html(payload[:4096]):
            return None
        captured = _capture_date(record)
        if captured is None:  # required in every WARC record: its header is damaged
            self._problem(offset, "record header damaged: no readable WARC-Date", url)
            return None
        return Capture(payload, self.path, offset, url, captured, _charset(record))

    def captures(self) -> Iterator[Capture]:
        """The HTML pages as archived, not yet extracted (for extraction in other processes).

        Problems with the records land in ``problems`` as usual; problems with
        the pages surface when each ``Capture.document`` is called.
        """
        self.extract = False
        return cast(Iterator[Capture], self._documents)


@dataclass(frozen=True)
class Capture:
    """One archived HTML response, before its main text is extracted."""

    payload: bytes
    path: str
    offset: int
    url: str | None
    fetched: datetime | None
    encoding: str | None

    @property
    def where(self) -> str:
        return f"{self.path} (record at byte {self.offset}" + (f", {self.url})" if self.url else ")")

    def document(self, *, fast: bool = True) -> Document:
        """The page read by ``read_html``; ProvenanceError if it has no main text."""
        return read_html(self.payload, path=self.path, url=self.url, fetched=self.fetched,
                         encoding=self.encoding, fast=fast)


def read_warc(
    source: str | os.PathLike[str] | bytes, *, path: str | None = None, fast: bool = True
) -> WarcDocuments:
    """Documents of every HTML page in a WARC or WARC.gz; bad records land in ``.problems``.

    ``source`` is a file name, or the archive's bytes (stdin) with ``path`` naming it.
    Raises ProvenanceError only when the file is not a WARC archive at all.
    """
    return WarcDocuments(source, path=path, fast=fast)


def _valid_length(record: ArcWarcRecord) -> bool:
    value = record.rec_headers.get_header("Content-Length")
    return value is not None and value.strip().isdigit()


def _classify(record: ArcWarcRecord) -> str:
    """"html" for a page, "sniff" when the headers do not say, "" for other records,
    and otherwise what is wrong with the record's headers."""
    if record.rec_type not in RECORD_TYPES:
        return f"unknown record type {_shorten(str(record.rec_type))!r} (damaged header?)"
    if record.rec_type == "response":
        if record.http_headers is None:
            payload_type = record.rec_headers.get_header("Content-Type") or ""
            return "response without HTTP headers (damaged target URI?)" if "http" in payload_type else ""
        status = record.http_headers.get_statuscode() or ""
        if not (len(status) == 3 and status.isdigit()):
            return "damaged HTTP status line"
        if not status.startswith("2"):
            return ""
        content_type = record.http_headers.get_header("Content-Type")
    elif record.rec_type == "resource":
        content_type = record.rec_headers.get_header("Content-Type")
    else:
        return ""
    if content_type is None:
        return "sniff"  # as browsers do
    if not (content_type.isascii() and content_type.isprintable()):
        return "damaged Content-Type header"
    return "html" if content_type.split(";")[0].strip().lower() in HTML_TYPES else ""


def _charset(record: ArcWarcRecord) -> str | None:
    headers = record.http_headers if record.http_headers is not None else record.rec_headers
    content_type = headers.get_header("Content-Type") or ""
    for parameter in content_type.split(";")[1:]:
        key, _, value = parameter.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'")
    return None


def _capture_date(record: ArcWarcRecord) -> datetime | None:
    value = record.rec_headers.get_header("WARC-Date")
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _next_record_start(mapped: mmap.mmap | bytes, position: int, compressed: bool) -> int | None:
    """Byte offset of the next plausible record header at or after ``position``."""
    size = len(mapped)
    while position < size:
        if compressed:
            found = mapped.find(GZIP_MAGIC, position)
            if found < 0:
                return None
            try:
                head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(mapped[found : found + 512], 16)
            except zlib.error:
                head = b""
            if head.startswith(b"WARC/"):
                return found
        else:
            found = mapped.find(b"WARC/1.", position)
            if found < 0:
                return None
            if found == 0 or mapped[found - 1 : found] == b"\n":
                return found
        position = found + 1
    return None


def _shorten(message: str, limit: int = 100) -> str:
    """An error message fit to print: binary junk quoted by warcio is cut off."""
    message = " ".join(message.split())
    clean = []
    for character in message:
        if not (character.isascii() and character.isprintable()):
            clean.append("…")
            break
        clean.append(character)
    text = "".join(clean)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def looks_like_warc(head: bytes) -> bool:
    """True for bytes that start a WARC record, plain or gzip-compressed."""
    if head.startswith(b"WARC/"):
        return True
    if head.startswith(GZIP_MAGIC):
        try:
            return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, 16).startswith(b"WARC/")
        except zlib.error:
            return False
    return False
