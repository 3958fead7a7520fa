"""Read RSS and Atom feeds: one Document per entry, with its date and link.

feedparser (maintained, 6.0.x) parses RSS 0.9x/1.0/2.0 and Atom 0.3/1.0,
tolerates broken XML and sanitises the entries' HTML. It is given the bytes
as a stream: given a string or bytes it would treat them as a URL or a file
name. An entry's HTML is rendered by the same code as a page's main text, so
emphasis and quotations keep their spans.

Feeds are where syndicated copies come from: an entry ending in "The post ...
appeared first on ..." gets a note naming its original.
"""

from __future__ import annotations

import calendar
import email.utils
import io
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import lxml.html
from lxml import etree

from .html import CONTROL_CHARACTERS, render
from .model import Document, ProvenanceError
from .problems import Problem
from .syndication import find_syndication, find_syndication_in_text

HTML_TYPES = ("text/html", "application/xhtml+xml")


class FeedDocuments(Iterator[Document]):
    """The entries of one feed; ``problems`` lists the entries that were skipped."""

    def __init__(self, data: bytes, *, path: str) -> None:
        self.path = path
        self.problems: list[Problem] = []
        import feedparser  # here: it takes about 25 ms to import, and most ingests read no feed

        try:
            parsed = feedparser.parse(io.BytesIO(data), resolve_relative_uris=True, sanitize_html=True)
        except Exception as error:  # noqa: BLE001 (feedparser fails in many ways on garbage)
            reason = f"{type(error).__name__}: {error}"
            raise ProvenanceError(f"{path}: not an RSS or Atom feed ({reason})") from error
        if not parsed.get("version") and not parsed.entries:
            reason = parsed.get("bozo_exception") or "no <rss>, <feed> or <rdf:RDF> root"
            raise ProvenanceError(f"{path}: not an RSS or Atom feed ({reason})")
        self.version = parsed.get("version") or "unknown"
        self.feed = parsed.feed
        self.entries = parsed.entries
        if parsed.get("bozo") and parsed.entries:
            self.problems.append(
                Problem(path, f"feed is not well-formed XML, read leniently ({parsed.bozo_exception})")
            )
        self._documents = self._read()

    def __next__(self) -> Document:
        return next(self._documents)

    def _read(self) -> Iterator[Document]:
        for number, entry in enumerate(self.entries, start=1):
            where = f"{self.path} (entry {number}" + (f", {entry.get('link')})" if entry.get("link") else ")")
            try:
                yield self._document(entry)
            except ProvenanceError as error:
                self.problems.append(Problem(where, str(error)))

    def _document(self, entry: Any) -> Document:
        value, content_type = _entry_content(entry)
        notes: list[str] = []
        if content_type in HTML_TYPES:
            try:
                fragment = lxml.html.fragment_fromstring(
                    CONTROL_CHARACTERS.sub("", value), create_parent="div"
                )
            except (ValueError, etree.LxmlError) as error:
                raise ProvenanceError(f"entry's HTML cannot be parsed ({error})") from error
            text, emphasis, quotes = render(fragment)
            syndication = find_syndication(fragment)
        else:
            text, emphasis, quotes = value.strip(), (), ()
            syndication = find_syndication_in_text(text)
        if not text:
            raise ProvenanceError("entry has no text")
        published = _date(entry.get("published"), entry.get("published_parsed")) or _date(
            entry.get("updated"), entry.get("updated_parsed")
        )
        if published is None:
            notes.append("date: the entry carries none")
        elif not entry.get("published_parsed"):
            notes.append("date: the entry's last update; it gives no publication date")
        if syndication:
            notes.append(syndication.note())
        return Document(
            text=text,
            title=entry.get("title") or None,
            url=entry.get("link") or None,
            publisher=self.feed.get("title") or None,
            author=entry.get("author") or None,
            published=published,
            path=self.path,
            format="feed",
            emphasis=emphasis,
            notes=tuple(notes),
            quotes=quotes,
        )


def read_feed(data: bytes, *, path: str) -> FeedDocuments:
    """Documents of every entry of an RSS or Atom feed; skipped entries land in ``.problems``.

    Raises ProvenanceError when the data is not a feed at all.
    """
    return FeedDocuments(data, path=path)


def _entry_content(entry: Any) -> tuple[str, str]:
    """The fullest text an entry has: its content, else its summary."""
    candidates = [(c.get("value") or "", c.get("type") or "text/html") for c in entry.get("content", [])]
    if entry.get("summary"):
        detail = entry.get("summary_detail") or {}
        candidates.append((entry.summary, detail.get("type") or "text/html"))
    if not candidates:
        return "", "text/plain"
    return max(candidates, key=lambda candidate: len(candidate[0]))


def _date(raw: str | None, parsed: Any) -> datetime | None:
    """The entry's date with its own UTC offset where the raw value is RFC 822 or ISO 8601.

    feedparser's own parse (a UTC struct_time, any format) is the fallback.
    """
    if raw:
        for parse in (email.utils.parsedate_to_datetime, datetime.fromisoformat):
            try:
                moment = parse(raw.strip().replace("Z", "+00:00") if raw.endswith("Z") else raw.strip())
            except (TypeError, ValueError, IndexError):
                continue
            if moment.tzinfo is not None:
                return moment
    if not parsed:
        return None
    return datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)


def looks_like_feed(data: bytes) -> bool:
    """True for bytes that start like an RSS, RDF or Atom document."""
    head = data[:2048].lstrip().lower()
    if head.startswith(b"<?xml"):
        head = head[head.find(b"?>") + 2 :].lstrip()
        while head.startswith((b"<!--", b"<?")):
            end = head.find(b">")
            head = head[end + 1 :].lstrip()
    return head.startswith((b"<rss", b"<feed", b"<rdf:rdf"))


__all__ = ["FeedDocuments", "looks_like_feed", "read_feed"]
