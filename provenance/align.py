"""Alignment: a quotation against one source document, word by word.

The quotation is split at its ellipses and each segment is aligned on its
own (aligned as one piece, an elided quotation looks like a poor match).
A segment is located in the source by the diagonal of its shared shingles,
then aligned with Levenshtein opcodes over normalised words inside a small
window; the tails are trimmed back to the matched words. Offsets of every
word are raw offsets, so alterations are reported on the text as given.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from . import index
from .normalize import Word, ellipses, words

# (tag, quote word from, quote word to, source word from, source word to); the tag is
# "equal", "replace", "added" (quote words the source lacks) or "omitted" (source
# words the quote lacks).
Op = tuple[str, int, int, int, int]
TAGS = {"equal": "equal", "replace": "replace", "delete": "added", "insert": "omitted"}


@dataclass(frozen=True)
class Segment:
    """One ellipsis-free piece of a quotation aligned with the source."""

    quote_words: tuple[Word, ...]
    ops: tuple[Op, ...]  # source indices are into SourceText.words
    mark: tuple[int, int] | None  # the ellipsis after this segment, if any

    @property
    def matched(self) -> int:
        return sum(q2 - q1 for tag, q1, q2, _, _ in self.ops if tag == "equal")

    @property
    def source_span(self) -> tuple[int, int]:
        """Source word range [from, to) the segment covers."""
        return self.ops[0][3], self.ops[-1][4]


@dataclass
class SourceText:
    """A source document's words and shingle positions, computed once per trace."""

    text: str
    words: list[Word]
    positions: dict[int, list[int]]

    @classmethod
    def of(cls, text: str) -> SourceText:
        source_words = words(text)
        positions: dict[int, list[int]] = defaultdict(list)
        for position, shingle in enumerate(index.shingles(source_words)):
            positions[shingle].append(position)
        return cls(text, source_words, dict(positions))


def split_segments(text: str, start: int, end: int) -> list[tuple[list[Word], tuple[int, int] | None]]:
    """The quotation's words cut at its ellipsis marks, each with the mark after it."""
    pieces: list[tuple[list[Word], tuple[int, int] | None]] = []
    cursor = start
    for mark_start, mark_end in ellipses(text, start, end):
        pieces.append((words(text, cursor, mark_start), (mark_start, mark_end)))
        cursor = mark_end
    pieces.append((words(text, cursor, end), None))
    merged: list[tuple[list[Word], tuple[int, int] | None]] = []
    for segment_words, mark in pieces:
        if segment_words:
            merged.append((segment_words, mark))
        elif merged and mark is not None:  # a doubled mark: keep the last one
            merged[-1] = (merged[-1][0], mark)
    return merged


def locate(quote: Sequence[Word], source: SourceText) -> tuple[int, int] | None:
    """The source word window most likely to hold this segment."""
    norms = [word.norm for word in quote]
    hits = sorted(
        (quote_pos, source_pos)
        for quote_pos, shingle in enumerate(index.shingles(quote))
        for source_pos in source.positions.get(shingle, ())
    )
    if not hits:
        return _exact(norms, source)
    chain = _colinear(hits)
    slack = 3  # room for a few changed words at either edge; more invites false matches
    (first_q, first_s), (last_q, last_s) = chain[0], chain[-1]
    return max(0, first_s - first_q - slack), min(len(source.words), last_s + len(quote) - last_q + slack)


def _colinear(hits: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The longest chain of hits increasing in both quotation and source order,
    without lone hits far off its diagonal at either end (chance matches)."""
    # Longest strictly increasing run of source positions; hits of one quotation
    # position are taken in descending source order so that at most one is used.
    hits = sorted(hits, key=lambda hit: (hit[0], -hit[1]))
    tails: list[int] = []  # tails[n]: the hit ending the best chain of length n + 1
    tail_values: list[int] = []
    previous: list[int] = [-1] * len(hits)
    for number, (_, source_pos) in enumerate(hits):
        length = bisect.bisect_left(tail_values, source_pos)
        previous[number] = tails[length - 1] if length else -1
        if length == len(tails):
            tails.append(number)
            tail_values.append(source_pos)
        else:
            tails[length] = number
            tail_values[length] = source_pos
    chain = []
    cursor = tails[-1]
    while cursor != -1:
        chain.append(hits[cursor])
        cursor = previous[cursor]
    chain.reverse()

    def far(a: tuple[int, int], b: tuple[int, int]) -> bool:
        return abs((b[1] - a[1]) - (b[0] - a[0])) > 10 + (b[0] - a[0])
    while len(chain) > 2 and far(chain[0], chain[1]):
        chain.pop(0)
    while len(chain) > 2 and far(chain[-2], chain[-1]):
        chain.pop()
    return chain


def _exact(norms: list[str], source: SourceText) -> tuple[int, int] | None:
    """Short segments (fewer words than a shingle): find the words in a row."""
    size = len(norms)
    source_norms = [word.norm for word in source.words]
    for position in range(len(source_norms) - size + 1):
        if source_norms[position : position + size] == norms:
            return position, position + size
    return None


def align_segment(quote: Sequence[Word], source: SourceText, window: tuple[int, int]) -> list[Op]:
    lo, hi = window
    source_norms = [word.norm for word in source.words[lo:hi]]
    ops: list[Op] = [
        (TAGS[op.tag], op.src_start, op.src_end, op.dest_start + lo, op.dest_end + lo)
        for op in Levenshtein.opcodes([w.norm for w in quote], source_norms)
    ]
    return _trim(ops, quote, source)


def _trim(ops: list[Op], quote: Sequence[Word], source: SourceText) -> list[Op]:
    """Drop window words outside the quotation; dissimilar edge words are insertions."""
    while ops and ops[0][0] == "omitted":
        ops.pop(0)
    while ops and ops[-1][0] == "omitted":
        ops.pop()
    if not ops:
        return ops
    tag, q1, q2, s1, s2 = ops[0]
    if tag == "replace":
        s1 = max(s1, s2 - (q2 - q1))
        ops[0] = _edge(q1, q2, s1, s2, quote, source, at_start=True)
    tag, q1, q2, s1, s2 = ops[-1]
    if tag == "replace":
        s2 = min(s2, s1 + (q2 - q1))
        ops[-1] = _edge(q1, q2, s1, s2, quote, source, at_start=False)
    return ops


def _edge(q1: int, q2: int, s1: int, s2: int, quote: Sequence[Word], source: SourceText,
          *, at_start: bool) -> Op:
    quoted = " ".join(w.norm for w in quote[q1:q2])
    original = " ".join(w.norm for w in source.words[s1:s2])
    if fuzz.ratio(quoted, original) >= 50:
        return ("replace", q1, q2, s1, s2)
    anchor = s2 if at_start else s1
    return ("added", q1, q2, anchor, anchor)


def align(text: str, start: int, end: int, source: SourceText) -> list[Segment] | None:
    """Align the quotation ``text[start:end]`` with a source; None if not found there."""
    segments: list[Segment] = []
    for quote, mark in split_segments(text, start, end):
        window = locate(quote, source)
        if window is None:
            continue
        ops = align_segment(quote, source, window)
        if any(op[0] == "equal" for op in ops):
            segments.append(Segment(tuple(quote), tuple(ops), mark))
    return segments or None


def score(segments: Sequence[Segment], quote_word_count: int) -> float:
    """Share of the quotation's words found unchanged in the source, 0 to 100."""
    matched = sum(segment.matched for segment in segments)
    return round(100.0 * matched / max(quote_word_count, 1), 1)
