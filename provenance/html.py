"""Read an HTML page into a Document: main text, metadata, emphasis, quotations.

trafilatura finds the main text (dropping navigation, ads, comments, footers)
and gives it back as an XML tree that still carries the formatting
(``<hi rend="#b">``) and quotations (``<quote>``). We render that tree to plain
text ourselves, so that every emphasis and every quoted passage becomes a span
with exact offsets into the text we return: no markdown asterisks, nothing that
the page did not say. ``<q>`` is rendered with the curly quote marks a browser
shows, so quotation extraction finds it like any quoted text.

Metadata comes from trafilatura (title, author, site name, canonical URL) and
from the page's own machine-readable timestamps (``article:published_time``,
JSON-LD ``datePublished``, ...), which keep the time of day; htmldate is the
fallback, to the day.
"""

from __future__ import annotations

import codecs
import json
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import lxml.html
from lxml import etree

from .model import Document, Emphasis, ProvenanceError
from .syndication import find_syndication

# trafilatura, htmldate and charset_normalizer are imported where they are used: together
# they take about 0.1 s to import, which a command that reads no HTML should not pay.
# They log every page they find dubious; the caller reports.
for _name in ("trafilatura", "htmldate", "charset_normalizer", "courlan"):
    logging.getLogger(_name).setLevel(logging.CRITICAL)

FETCHED_FROM = "fetched from: "  # a note: where the page was fetched, when not at its canonical URL
CAPTURE_DATE_NOTE = "date: none on the page; the capture date stands in"
MAX_HTML_BYTES = 20_000_000
"""Larger "pages" are data dumps, not articles; lxml would need gigabytes."""

EMPHASIS_STYLES = {
    "#b": "bold",
    "#i": "italic",
    "#u": "underline",
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
}

# Tags of trafilatura's output tree and of plain HTML (feed entries) that start a new line.
BLOCK_TAGS = frozenset((
    "p", "head", "list", "item", "table", "row", "code", "quote", "div",
    "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "dl", "dt", "dd",
    "blockquote", "pre", "tr", "figure", "figcaption", "section", "article",
    "header", "footer", "aside",
))  # table cells are not: a row is one line, its cells separated by tabs
SKIP_TAGS = frozenset((
    "graphic", "img", "script", "style", "noscript", "iframe", "svg", "video", "audio",
    "button", "form",
))
QUOTE_TAGS = frozenset(("quote", "blockquote", "q"))
CELL_TAGS = frozenset(("cell", "td", "th"))
LINE_BREAK_TAGS = frozenset(("lb", "br"))

MAGIC_NUMBERS = (
    (b"%PDF", "a PDF file"),
    (b"PK\x03\x04", "a zip archive (perhaps .docx or .epub)"),
    (b"\x1f\x8b", "gzip-compressed data"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"WARC/", "a WARC archive"),
)
HTML_SIGNS = re.compile(r"<(?:!doctype\s+html|html|head|body|p|div|article|title|meta)\b", re.IGNORECASE)
DECLARED_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)|<\?xml[^>]+encoding\s*=\s*["']([a-zA-Z0-9_.:-]+)""",
    re.IGNORECASE,
)
WHITESPACE = re.compile(r"\s+")
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


@dataclass
class _Text:
    """Plain text under construction, with the spans found along the way."""

    parts: list[str] = field(default_factory=list)
    length: int = 0
    emphasis: list[Emphasis] = field(default_factory=list)
    quotes: list[Emphasis] = field(default_factory=list)

    def tail(self) -> str:
        return self.parts[-1][-1] if self.parts and self.parts[-1] else ""

    def add(self, words: str, *, verbatim: bool = False) -> None:
        if not verbatim:
            words = WHITESPACE.sub(" ", words)
            if self.tail() in ("", " ", "\n"):
                words = words.lstrip(" ")
        if words:
            self.parts.append(words)
            self.length += len(words)

    def trim(self) -> None:
        """Drop trailing spaces, so that spans never end in whitespace."""
        while self.parts and self.parts[-1].endswith((" ", "\t")):
            stripped = self.parts[-1].rstrip(" \t")
            self.length -= len(self.parts[-1]) - len(stripped)
            self.parts[-1] = stripped
            if not stripped:
                self.parts.pop()

    def newline(self, count: int = 1) -> None:
        """End the current line, with ``count`` newlines in all (2 for a blank line)."""
        self.trim()
        if not self.parts:
            return
        text_end = "".join(self.parts[-3:])
        have = len(text_end) - len(text_end.rstrip("\n"))
        if have < count:
            self.add("\n" * (count - have), verbatim=True)

    def text(self) -> str:
        return "".join(self.parts)


def _render(element: etree._Element, out: _Text, *, inline_quote_depth: int = 0) -> None:
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag in SKIP_TAGS or not tag:
        if element.tail:
            out.add(element.tail)
        return
    is_block = tag in BLOCK_TAGS
    block_quote = tag in ("quote", "blockquote") and _is_block_quote(element)
    inline_quote = tag == "q" or (tag == "quote" and not block_quote)
    style = EMPHASIS_STYLES.get(element.get("rend", "") if tag == "hi" else tag)

    if block_quote:
        out.newline(2)
    elif (is_block and not inline_quote) or tag in LINE_BREAK_TAGS:
        out.newline(1)
    elif tag in CELL_TAGS and out.tail() not in ("", "\n"):
        out.add("\t", verbatim=True)

    verbatim = tag in ("code", "pre")
    marks = ("“", "”") if inline_quote_depth % 2 == 0 else ("‘", "’")
    if inline_quote and not _already_quoted(element):
        out.add(marks[0])
    start = out.length
    if element.text:
        out.add(element.text, verbatim=verbatim)
    for child in element:
        _render(child, out, inline_quote_depth=inline_quote_depth + inline_quote)
    if block_quote or is_block and not inline_quote:
        out.trim()
    end = out.length
    if inline_quote and not _already_quoted(element):
        out.add(marks[1])

    if style and end > start:
        out.emphasis.append(Emphasis(start, end, style))
    if (block_quote or inline_quote) and end > start:
        out.quotes.append(Emphasis(start, end, "block" if block_quote else "inline"))

    if block_quote:
        out.newline(2)
    elif is_block and not inline_quote:
        out.newline(1)
    if element.tail:
        out.add(element.tail)


def _is_block_quote(element: etree._Element) -> bool:
    """A quotation element is a block unless it sits inside a paragraph's running text."""
    if element.tag == "blockquote":
        return True
    parent = element.getparent()
    return parent is None or parent.tag in ("body", "div", "doc", "quote", "main", "article")


def _already_quoted(element: etree._Element) -> bool:
    """Some sites put the quote marks inside their <q>; do not double them."""
    words = "".join(element.itertext()).strip()
    return len(words) > 1 and words[0] in "\"“‘«„'" and words[-1] in "\"”’»“'"


def _trimmed(text: str, span: Emphasis, shift: int) -> Emphasis:
    """The span moved by ``shift``, without whitespace at either end, within ``text``."""
    start, end = max(span.start - shift, 0), min(span.end - shift, len(text))
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Emphasis(start, end, span.style)


def render(root: etree._Element) -> tuple[str, tuple[Emphasis, ...], tuple[Emphasis, ...]]:
    """Plain text of a trafilatura body (or an HTML fragment), its emphasis and its quotations.

    Blocks are separated by one newline, a block quotation is set off by blank
    lines; offsets in both span lists are indices into the returned text.
    """
    out = _Text()
    out.add(root.text or "")
    for child in root:
        _render(child, out)
    out.trim()
    text = out.text()
    leading = len(text) - len(text.lstrip())
    text = text.strip()

    def shift(spans: Iterable[Emphasis]) -> tuple[Emphasis, ...]:
        shifted = (_trimmed(text, span, leading) for span in spans)
        return tuple(sorted((s for s in shifted if s.end > s.start), key=lambda s: (s.start, s.end)))

    return text, shift(out.emphasis), shift(out.quotes)


def decode(data: bytes, *, name: str, encoding: str | None = None) -> tuple[str, str]:
    """Text and encoding of a page: BOM, then the HTTP or <meta> charset, then detection.

    A declared charset is used only when the bytes really decode with it.
    """
    for bom, codec in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                       (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(codec, errors="replace"), codec
    for kind, label in MAGIC_NUMBERS:
        if data.startswith(kind):
            raise ProvenanceError(f"{name}: this is {label}, not an HTML page")
    candidates: list[str] = [encoding] if encoding else []
    declared = DECLARED_CHARSET.search(data[:4096])
    if declared:
        candidates.append((declared.group(1) or declared.group(2)).decode("ascii"))
    candidates.append("utf-8")
    for candidate in candidates:
        codec_name = _codec(candidate)
        if codec_name:
            try:
                return data.decode(codec_name), codec_name
            except UnicodeDecodeError:
                continue
    if b"\x00" in data[:4096]:
        raise ProvenanceError(f"{name}: binary data, not an HTML page")
    import charset_normalizer

    best = charset_normalizer.from_bytes(data[:200_000]).best()
    if best is None or best.encoding is None:
        raise ProvenanceError(f"{name}: cannot tell the text encoding; is this an HTML page?")
    text = data.decode(best.encoding, errors="replace")
    # Latin code pages agree on most bytes; where windows-1252 reads the page the
    # same, prefer it: it is what browsers assume for an undeclared Western page.
    try:
        if best.encoding != "cp1252" and data.decode("cp1252") == text:
            return text, "cp1252"
    except UnicodeDecodeError:
        pass
    return text, best.encoding


def _codec(label: str) -> str | None:
    try:
        codec = codecs.lookup(label).name
    except LookupError:
        return None
    # Browsers read latin-1 and ascii labels as windows-1252 (WHATWG encoding standard).
    return "cp1252" if codec in ("latin-1", "iso8859-1", "ascii") else codec


PUBLISHED_XPATH = (
    "//meta[@property='article:published_time' or @name='article:published_time'"
    " or @itemprop='datePublished' or @name='pubdate' or @name='publishdate'"
    " or @name='DC.date.issued' or @name='dcterms.created' or @property='og:published_time']/@content"
    " | //*[@itemprop='datePublished']/@datetime"
)
MODIFIED_XPATH = (
    "//meta[@property='article:modified_time' or @name='article:modified_time'"
    " or @property='og:updated_time' or @itemprop='dateModified'"
    " or @name='dcterms.modified' or @name='last-modified']/@content"
    " | //*[@itemprop='dateModified']/@datetime"
)


def _parse_timestamp(value: str) -> datetime | None:
    value = value.strip()
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00") if value.endswith("Z") else value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _json_ld_dates(tree: lxml.html.HtmlElement) -> dict[str, str]:
    dates: dict[str, str] = {}
    for script in tree.xpath("//script[@type='application/ld+json']/text()"):
        try:
            data = json.loads(script)
        except ValueError:
            continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                for key in ("datePublished", "dateModified"):
                    if isinstance(item.get(key), str):
                        dates.setdefault(key, item[key])
                stack.extend(v for v in item.values() if isinstance(v, (dict, list)))
    return dates


def page_dates(
    tree: lxml.html.HtmlElement, *, url: str | None = None, before: datetime | None = None
) -> tuple[datetime | None, datetime | None, str]:
    """Published and modified dates of a page, and where the published one came from."""
    json_ld = _json_ld_dates(tree)

    def first(values: Iterable[str]) -> datetime | None:
        for value in values:
            moment = _parse_timestamp(value)
            if moment and (before is None or moment <= before):
                return moment
        return None

    published = first([*tree.xpath(PUBLISHED_XPATH), json_ld.get("datePublished", "")])
    modified = first([*tree.xpath(MODIFIED_XPATH), json_ld.get("dateModified", "")])
    if published:
        return published, modified, "page metadata"
    import htmldate

    day = htmldate.find_date(
        tree, original_date=True, url=url, max_date=before.date().isoformat() if before else None
    )
    if day:
        return datetime.fromisoformat(day).replace(tzinfo=UTC), modified, "htmldate (day only)"
    return None, modified, ""


SENTENCE_END = re.compile(r"[.!?…:;][\"”’)\]]*(?:\s|$)|[。！？]")


PAGE_START = re.compile(rb"\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)\b", re.IGNORECASE | re.DOTALL)


def looks_like_html(head: bytes) -> bool:
    """True for bytes that start like an HTML page (after a BOM, blanks and comments)."""
    for bom in (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        if head.startswith(bom):
            head = head[len(bom) :]
            if bom != codecs.BOM_UTF8:
                head = head.decode("utf-16-le" if bom == codecs.BOM_UTF16_LE else "utf-16-be",
                                   errors="ignore").encode("utf-8")
            break
    return bool(PAGE_START.match(head))


def has_prose(text: str, *, min_words: int = 8) -> bool:
    """True when some line reads as a sentence, not a menu: enough words and an end mark.

    trafilatura falls back to any text it finds, so a login page comes back as
    its menu ("News Politics Sport Sign in"); that is not an article.
    """
    return any(
        # scripts without spaces between words (Chinese, Japanese) count by characters
        (len(line.split()) >= min_words or len(line.strip()) >= 5 * min_words)
        and SENTENCE_END.search(line)
        for line in text.splitlines()
    )


def load_tree(text: str, *, name: str) -> lxml.html.HtmlElement:
    import trafilatura.utils

    tree = trafilatura.utils.load_html(text)
    if tree is None:
        raise ProvenanceError(f"{name}: cannot be parsed as HTML")
    return tree


def read_html(
    data: bytes | str,
    *,
    path: str | None = None,
    url: str | None = None,
    fetched: datetime | None = None,
    encoding: str | None = None,
    fast: bool = True,
) -> Document:
    """Read one HTML page into a Document.

    ``url`` is where the page was fetched from and ``fetched`` when (a WARC
    capture date); the page's canonical URL wins over ``url``, and ``fetched``
    stands in for the date only when the page carries none (a note says so).
    ``encoding`` is a charset from outside the page (an HTTP header). ``fast``
    skips trafilatura's fallback extractors.
    """
    import trafilatura
    import trafilatura.settings

    name = path or url or "<html>"
    if len(data) > MAX_HTML_BYTES:
        raise ProvenanceError(
            f"{name}: {len(data) / 1e6:.0f} MB is more than the {MAX_HTML_BYTES // 1_000_000} MB "
            "an HTML page may have"
        )
    notes: list[str] = []
    if isinstance(data, bytes):
        text, used = decode(data, name=name, encoding=encoding)
        if used not in ("utf-8", "utf-8-sig"):
            notes.append(f"encoding: {used}")
    else:
        text = data
    if not HTML_SIGNS.search(text[:65536]):
        raise ProvenanceError(f"{name}: no HTML tags; this does not look like an HTML page")
    text = CONTROL_CHARACTERS.sub("", text)  # lxml refuses them; browsers do not show them
    try:
        tree = load_tree(text, name=name)
        syndication = find_syndication(tree) if "appeared first on" in text else None
        inline_passages = _write_q_marks(tree)
        extracted = trafilatura.bare_extraction(
            tree,
            url=url,
            with_metadata=True,
            include_formatting=True,
            include_comments=False,
            include_tables=True,
            include_links=False,
            fast=fast,
            output_format="xml",  # keeps the tree and skips trafilatura's own text rendering
        )
    except ProvenanceError:
        raise
    except Exception as error:  # noqa: BLE001 (untrusted markup: any parser failure is this page's)
        raise ProvenanceError(f"{name}: cannot parse the page ({type(error).__name__}: {error})") from error
    body = extracted.body if isinstance(extracted, trafilatura.settings.Document) else None
    if not isinstance(extracted, trafilatura.settings.Document) or body is None:
        raise ProvenanceError(f"{name}: no main text found on the page")
    main_text, emphasis, quotes = render(body)
    if inline_passages:
        found = _find_passages(main_text, inline_passages)
        quotes = tuple(sorted((*quotes, *found), key=lambda span: (span.start, span.end)))
    if not has_prose(main_text):
        raise ProvenanceError(f"{name}: no main text found on the page (only menus or forms?)")

    published, modified, date_source = page_dates(tree, url=url, before=fetched)
    if published is None and fetched is not None:
        published = fetched if fetched.tzinfo else fetched.replace(tzinfo=UTC)
        notes.append(CAPTURE_DATE_NOTE)
    elif date_source == "htmldate (day only)":
        notes.append("date: found by htmldate, to the day")
    if modified is not None:
        notes.append(f"modified: {modified.isoformat()}")
    canonical = extracted.url or None
    if url and canonical and canonical != url:
        notes.append(f"{FETCHED_FROM}{url}")
    if syndication:
        notes.append(syndication.note())
    return Document(
        text=main_text,
        title=extracted.title or None,
        url=canonical or url,
        publisher=extracted.sitename or extracted.hostname or None,
        author=extracted.author or None,
        published=published,
        path=path,
        format="html",
        emphasis=emphasis,
        notes=tuple(notes),
        quotes=quotes,
    )


def _write_q_marks(tree: lxml.html.HtmlElement) -> list[str]:
    """Write each <q>'s quote marks into the text, as a browser shows them, and drop the tag.

    trafilatura renames <q> to <quote> like <blockquote>, and moves a nested
    <q> out of its sentence; so the marks go in first. Returns each quoted
    passage (without its own marks) in document order, for ``_find_passages``.
    """
    elements = list(tree.iter("q"))
    if not elements:
        return []
    for q in elements:
        if _already_quoted(q):
            continue
        depth = sum(1 for _ in q.iterancestors("q"))
        opening, closing = ("“", "”") if depth % 2 == 0 else ("‘", "’")
        q.text = opening + (q.text or "")
        if len(q):
            q[-1].tail = (q[-1].tail or "") + closing
        else:
            q.text += closing
    passages = [" ".join("".join(q.itertext()).split())[1:-1].strip() for q in elements]
    etree.strip_tags(tree, "q")
    return passages


def _find_passages(text: str, passages: list[str]) -> list[Emphasis]:
    """Inline quotation spans: each passage found in order (a nested one inside its parent)."""
    spans = []
    cursor = 0
    for passage in passages:
        if not passage:
            continue
        at = text.find(passage, cursor)
        if at < 0:
            continue  # the extractor dropped it (a <q> in a sidebar)
        spans.append(Emphasis(at, at + len(passage), "inline"))
        cursor = at + 1
    return spans
