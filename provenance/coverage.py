"""Coverage: how much of each source the article quotes, and what it leaves out.

Selective quoting is an alteration of the whole: an article can quote four
paragraphs of a report word for word and skip the six that follow, where the
other side had its say. For every (article, source) pair this stage joins the
source spans of all the article's aligned segments and reports, per source
paragraph, the share of its words the article quoted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .model import Alignment, Document, Trace
from .normalize import words

QUOTED = 0.9  # a paragraph with at least this share of its words quoted counts as quoted
PREVIEW = 160  # characters of a left-out paragraph shown in the report


@dataclass(frozen=True)
class Paragraph:
    """One source paragraph: its span, its word count and how many the article quoted."""

    number: int  # 1-based, in source order
    start: int
    end: int
    words: int
    quoted_words: int

    @property
    def share(self) -> float:
        return self.quoted_words / self.words if self.words else 0.0


@dataclass(frozen=True)
class Coverage:
    """What the article took from one source document."""

    document: Document
    paragraphs: tuple[Paragraph, ...]

    @property
    def words(self) -> int:
        return sum(p.words for p in self.paragraphs)

    @property
    def quoted_words(self) -> int:
        return sum(p.quoted_words for p in self.paragraphs)

    @property
    def share(self) -> float:
        return self.quoted_words / self.words if self.words else 0.0

    @property
    def left_out(self) -> tuple[Paragraph, ...]:
        return tuple(p for p in self.paragraphs if p.quoted_words == 0)

    @property
    def partly(self) -> tuple[Paragraph, ...]:
        return tuple(p for p in self.paragraphs if 0 < p.quoted_words and p.share < QUOTED)


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """Paragraphs split at blank lines; a text without blank lines splits at line breaks."""
    breaker = r"\n[ \t]*\n\s*" if re.search(r"\n[ \t]*\n", text) else r"\n\s*"
    spans = []
    cursor = 0
    for match in re.finditer(breaker, text):
        spans.append((cursor, match.start()))
        cursor = match.end()
    spans.append((cursor, len(text)))
    return [(start, end) for start, end in spans if text[start:end].strip()]


def of_document(document: Document, spans: list[tuple[int, int]]) -> Coverage:
    """Coverage of one source given the character spans of it the article quoted."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    paragraphs = []
    for number, (start, end) in enumerate(paragraph_spans(document.text), 1):
        paragraph_words = words(document.text, start, end)
        quoted = sum(1 for w in paragraph_words if any(s <= w.start and w.end <= e for s, e in merged))
        paragraphs.append(Paragraph(number, start, end, len(paragraph_words), quoted))
    return Coverage(document, tuple(paragraphs))


def of_trace(trace: Trace) -> list[Coverage]:
    """Coverage of every source of the article, in order of first use."""
    spans: dict[int | str, list[tuple[int, int]]] = {}
    documents: dict[int | str, Document] = {}
    for traced in trace.quotations:
        if traced.status != "traced":
            continue
        for alignment in traced.chain:
            key = _key(alignment)
            documents.setdefault(key, alignment.document)
            spans.setdefault(key, []).extend(_segment_spans(alignment))
    return [of_document(documents[key], spans[key]) for key in spans]


def _key(alignment: Alignment) -> int | str:
    document = alignment.document
    return document.key if document.key is not None else (document.id or str(id(document)))


def _segment_spans(alignment: Alignment) -> list[tuple[int, int]]:
    if alignment.segments:
        return [(s_start, s_end) for _, _, s_start, s_end in alignment.segments]
    return [(alignment.start, alignment.end)]


def coverage_json(coverage: Coverage) -> dict[str, Any]:
    text = coverage.document.text
    return {
        "id": coverage.document.id,
        "words": coverage.words,
        "quoted_words": coverage.quoted_words,
        "share": round(coverage.share, 3),
        "paragraphs": len(coverage.paragraphs),
        "quoted_paragraphs": [p.number for p in coverage.paragraphs if p.share >= QUOTED],
        "partly_quoted": [
            {"number": p.number, "start": p.start, "end": p.end, "share": round(p.share, 3)}
            for p in coverage.partly
        ],
        "left_out": [
            {"number": p.number, "start": p.start, "end": p.end, "words": p.words,
             "preview": _preview(text[p.start : p.end])}
            for p in coverage.left_out
        ],
    }


def _preview(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= PREVIEW else flat[: PREVIEW - 1] + "…"
