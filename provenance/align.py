"""Alignment: a quotation against one source document, word by word.

The quotation is split at its ellipses and each segment is aligned on its
own (aligned as one piece, an elided quotation looks like a poor match).
A segment is located in the source by the colinear chain of its shared
shingles. Where the chain jumps (consecutive shingles far apart in the source,
or quotation words between them that the source does not hold there), the
segment is cut into pieces and each piece is aligned on its own: that is how
unmarked splices and reordered parts are seen. Each piece is aligned with
longest-common-subsequence opcodes over normalised words inside a small window; the tails
are trimmed back to the matched words. Markdown emphasis markers (``**``,
``*``, ``_``) are not word characters, so they never disturb the alignment. Offsets of every
word are raw offsets, so alterations are reported on the text as given.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz
from rapidfuzz.distance import Indel

from . import index
from .model import Document
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
    """A source document's words and shingle positions, computed once per trace.

    ``document`` (when known) lends its metadata and emphasis spans to the
    alteration checks: who published it, which words it set in bold.
    """

    text: str
    words: list[Word]
    positions: dict[int, list[int]]
    document: Document | None = None

    @classmethod
    def of(cls, text: str, document: Document | None = None) -> SourceText:
        source_words = words(text)
        positions: dict[int, list[int]] = defaultdict(list)
        for position, shingle in enumerate(index.shingles(source_words)):
            positions[shingle].append(position)
        return cls(text, source_words, dict(positions), document)


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


JUMP = 8  # words: a chain step this far off its diagonal starts a new piece
MIN_PIECE = 4  # words: shorter runs off the chain stay with their neighbour


def locate(quote: Sequence[Word], source: SourceText) -> tuple[int, int] | None:
    """The source word window most likely to hold this segment (as one piece)."""
    pieces = locate_pieces(quote, source)
    if not pieces:
        return None
    return min(p[2][0] for p in pieces), max(p[2][1] for p in pieces)


def locate_pieces(quote: Sequence[Word], source: SourceText, text: str = ""
                  ) -> list[tuple[int, int, tuple[int, int]]]:
    """Cut the segment where its shingle chain jumps: (quote from, quote to, source window),
    in quotation order. Words that no piece holds stay with the piece before them."""
    pieces = _pieces(quote, 0, len(quote), source, depth=0)
    pieces = _sentence_starts(_fill_holes(sorted(pieces), len(quote)), quote, source, text)
    # Room for a few changed words at an edge the shingles do not reach; none where
    # they do (slack there lets a repeated phrase just before the passage steal a match).
    slack = 3
    return [
        (start, end, (max(0, first_s - (first_q - start) - (slack if first_q > start else 0)),
                      min(len(source.words),
                          last_s + (end - 1 - last_q) + 1 + (slack if last_q < end - 1 else 0))))
        for start, end, (first_q, first_s, last_q, last_s) in pieces
    ]


Piece = tuple[int, int, tuple[int, int, int, int]]  # quote from, to, (anchor q, s, last q, s)


def _pieces(quote: Sequence[Word], lo: int, hi: int, source: SourceText, *, depth: int
            ) -> list[Piece]:
    part = quote[lo:hi]
    hits = sorted(
        (quote_pos, source_pos)
        for quote_pos, shingle in enumerate(index.shingles(part))
        for source_pos in source.positions.get(shingle, ())
    )
    if not hits:
        if depth:
            return []
        found = _exact([word.norm for word in part], source)
        return [(lo, hi, (lo, found[0], hi - 1, found[1] - 1))] if found else []
    runs = _split_runs(_colinear(hits))
    if depth:  # a part off the main chain must match on four words in a row at least
        runs = [run for run in runs if len(run) > 1]
    size = index.SHINGLE_WORDS
    pieces: list[Piece] = []
    cursor = 0
    for run in runs:
        (first_q, first_s), (last_q, last_s) = run[0], run[-1]
        if first_q - cursor >= MIN_PIECE and depth < 3:
            pieces.extend(_pieces(quote, lo + cursor, lo + first_q, source, depth=depth + 1))
        covered = last_q + size
        pieces.append((lo + first_q, lo + covered,
                       (lo + first_q, first_s, lo + covered - 1, last_s + size - 1)))
        cursor = covered
    if len(part) - cursor >= MIN_PIECE and depth < 3:
        pieces.extend(_pieces(quote, lo + cursor, hi, source, depth=depth + 1))
    return pieces


def _fill_holes(pieces: list[Piece], size: int) -> list[Piece]:
    """Make the pieces cover the segment: words between pieces join the piece before,
    words before the first piece join it."""
    filled: list[Piece] = []
    for start, end, anchors in pieces:
        if filled and start < filled[-1][1]:
            # Overlap: a word both pieces match (shingles run across sentence ends, and
            # "The" starts many sentences) goes to the piece that starts with it.
            previous = filled[-1]
            if start <= previous[0]:
                continue
            filled[-1] = (previous[0], start, previous[2])
        if filled and start > filled[-1][1]:
            previous = filled[-1]
            filled[-1] = (previous[0], start, previous[2])
        filled.append((start, end, anchors))
    if filled:
        filled[0] = (0, filled[0][1], filled[0][2])
        filled[-1] = (filled[-1][0], size, filled[-1][2])
    return filled


def _sentence_starts(pieces: list[Piece], quote: Sequence[Word], source: SourceText, text: str
                     ) -> list[Piece]:
    """A word that opens a sentence of the quotation ("… 9. The letter") belongs to the
    piece after it when the source has it there too: a shingle running over the
    sentence end ("9 the letter") must not pull it into the piece before."""
    for number in range(len(pieces) - 1):
        (a_start, a_end, a_anchor), (b_start, b_end, b_anchor) = pieces[number], pieces[number + 1]
        if a_end - a_start < 2 or a_end != b_start:
            continue
        word, before = quote[a_end - 1], quote[a_end - 2]
        opened = b_anchor[1] - (b_anchor[0] - b_start)  # source word facing the piece start
        gap = text[before.end : word.start]
        if any(mark in gap for mark in ".!?") and 0 < opened <= len(source.words) \
                and source.words[opened - 1].norm == word.norm:
            pieces[number] = (a_start, a_end - 1, a_anchor)
            pieces[number + 1] = (b_start - 1, b_end, b_anchor)
    return pieces


def _split_runs(chain: list[tuple[int, int]]) -> list[list[tuple[int, int]]]:
    """Cut a colinear chain where it leaves its diagonal by more than JUMP words.
    A run of one shingle between two jumps is a chance match and is dropped."""
    runs: list[list[tuple[int, int]]] = [[chain[0]]]
    for before, after in zip(chain, chain[1:], strict=False):
        drift = (after[1] - before[1]) - (after[0] - before[0])
        if abs(drift) > JUMP:
            runs.append([after])
        else:
            runs[-1].append(after)
    if len(runs) > 1:
        runs = [run for run in runs if len(run) > 1] or [max(runs, key=len)]
    return runs


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
    # Among equally long chains the search keeps the lowest source positions; move each
    # hit onto the diagonal of the next one where the same shingle also stands there.
    present = set(hits)
    for number in range(len(chain) - 2, -1, -1):
        (q, s), (next_q, next_s) = chain[number], chain[number + 1]
        wanted = q + (next_s - next_q)
        if wanted != s and (q, wanted) in present and wanted < next_s and (
                number == 0 or wanted > chain[number - 1][1]):
            chain[number] = (q, wanted)

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
    """Word operations between a piece and a source window.

    The matching is the longest common subsequence (Indel): with Levenshtein's
    replace, slack words at the window's edge could pair with changed words and
    hide the words that really match ("… polite be easy" against "be easy. X Y").
    Adjacent deletions and insertions between two matches become one replace.
    """
    lo, hi = window
    source_norms = [word.norm for word in source.words[lo:hi]]
    ops: list[Op] = []
    for op in Indel.opcodes([w.norm for w in quote], source_norms):
        tag = TAGS[op.tag]
        if ops and tag != "equal" and ops[-1][0] != "equal":
            _, q1, _, s1, _ = ops[-1]
            ops[-1] = ("replace", q1, op.src_end, s1, op.dest_end + lo)
        else:
            ops.append((tag, op.src_start, op.src_end, op.dest_start + lo, op.dest_end + lo))
    ops = [
        ("added" if s1 == s2 else "omitted" if q1 == q2 else tag, q1, q2, s1, s2)
        for tag, q1, q2, s1, s2 in ops
    ]
    ops = _edge_in_sentence(ops, quote, source, at_start=True)
    ops = _edge_in_sentence(ops, quote, source, at_start=False)
    return _trim(ops, quote, source)


def _edge_in_sentence(ops: list[Op], quote: Sequence[Word], source: SourceText, *, at_start: bool
                      ) -> list[Op]:
    """Keep the words before the first (after the last) solid match in its source sentence.

    A common word at the quotation's edge ("The", "In") otherwise matches the same
    word in the sentence before (after), across a sentence end in the source, and a
    changed second word then looks like a cut sentence.
    """
    solid = [n for n, op in enumerate(ops) if op[0] == "equal" and op[2] - op[1] >= 3]
    if not solid:
        return ops
    k = solid[0] if at_start else solid[-1]
    if at_start:
        # where the quotation's first word stands (slack before it does not count)
        outer = next(op[3] for op in ops if op[0] != "omitted")
        anchor_q, anchor_s = ops[k][1], ops[k][3]
        cuts = [b for b in range(outer + 1, anchor_s + 1) if _sentence_edge(source, b)]
        if not cuts or k == 0 or anchor_s - outer <= anchor_q:  # no source words skipped
            return ops
        cut = cuts[-1]
        take = min(anchor_q, anchor_s - cut)
        head: list[Op] = [("added", 0, anchor_q - take, anchor_s - take, anchor_s - take)] \
            if anchor_q > take else []
        pairs = [(anchor_q - take + i, anchor_s - take + i) for i in range(take)]
        return _merge(head + _diagonal(pairs, quote, source)) + ops[k:]
    end_q, end_s = ops[k][2], ops[k][4]
    outer = next(op[4] for op in reversed(ops) if op[0] != "omitted")
    cuts = [b for b in range(end_s, outer) if _sentence_edge(source, b)]
    if not cuts or k == len(ops) - 1 or outer - end_s <= len(quote) - end_q:
        return ops
    cut = cuts[0]
    rest = len(quote) - end_q
    take = min(rest, cut - end_s)
    pairs = [(end_q + i, end_s + i) for i in range(take)]
    tail: list[Op] = [("added", end_q + take, len(quote), end_s + take, end_s + take)] \
        if rest > take else []
    return ops[: k + 1] + _merge(_diagonal(pairs, quote, source) + tail)


def _diagonal(pairs: list[tuple[int, int]], quote: Sequence[Word], source: SourceText) -> list[Op]:
    return [("equal" if quote[q].norm == source.words[s].norm else "replace", q, q + 1, s, s + 1)
            for q, s in pairs]


def _merge(ops: list[Op]) -> list[Op]:
    merged: list[Op] = []
    for op in ops:
        if merged and merged[-1][0] == op[0] and merged[-1][2] == op[1] and merged[-1][4] == op[3]:
            merged[-1] = (op[0], merged[-1][1], op[2], merged[-1][3], op[4])
        else:
            merged.append(op)
    return merged


def _trim(ops: list[Op], quote: Sequence[Word], source: SourceText) -> list[Op]:
    """Drop window words outside the quotation; dissimilar edge words are insertions.

    What lies before the first and after the last matched word is one edit at
    each edge: source words there are window slack unless quotation words face them.
    """
    equal = [n for n, op in enumerate(ops) if op[0] == "equal"]
    if not equal:
        return []
    first, last = equal[0], equal[-1]
    middle = ops[first : last + 1]
    head, tail = ops[:first], ops[last + 1 :]
    if head and head[-1][2] > head[0][1]:  # quotation words before the first match
        q1, q2, s2 = head[0][1], head[-1][2], head[-1][4]
        s1 = max(head[0][3], s2 - (q2 - q1))
        middle.insert(0, _edge(q1, q2, s1, s2, quote, source, at_start=True))
    if tail and tail[-1][2] > tail[0][1]:
        q1, q2, s1 = tail[0][1], tail[-1][2], tail[0][3]
        s2 = min(tail[-1][4], s1 + (q2 - q1))
        middle.append(_edge(q1, q2, s1, s2, quote, source, at_start=False))
    return middle


def _edge(q1: int, q2: int, s1: int, s2: int, quote: Sequence[Word], source: SourceText,
          *, at_start: bool) -> Op:
    quoted = " ".join(w.norm for w in quote[q1:q2])
    original = " ".join(w.norm for w in source.words[s1:s2])
    if s1 < s2 and fuzz.ratio(quoted, original) >= 50:
        return ("replace", q1, q2, s1, s2)
    # As many words as the source has up to its sentence boundary: a changed word there.
    if s1 < s2 and q2 - q1 == s2 - s1 <= 2 and _sentence_edge(source, s1 if at_start else s2):
        return ("replace", q1, q2, s1, s2)
    anchor = s2 if at_start else s1
    return ("added", q1, q2, anchor, anchor)


def _sentence_edge(source: SourceText, boundary: int) -> bool:
    """A sentence or paragraph boundary falls just before source word ``boundary``."""
    if boundary <= 0 or boundary >= len(source.words):
        return True
    between = source.text[source.words[boundary - 1].end : source.words[boundary].start]
    return any(mark in between for mark in ".!?\n")


def align(text: str, start: int, end: int, source: SourceText) -> list[Segment] | None:
    """Align the quotation ``text[start:end]`` with a source; None if not found there."""
    segments: list[Segment] = []
    for quote, mark in split_segments(text, start, end):
        pieces = locate_pieces(quote, source, text)
        for number, (first, last, window) in enumerate(pieces):
            piece = quote[first:last]
            ops = align_segment(piece, source, window)
            if any(op[0] == "equal" for op in ops):
                piece_mark = mark if number == len(pieces) - 1 else None
                segments.append(Segment(tuple(piece), tuple(ops), piece_mark))
    return segments or None


def score(segments: Sequence[Segment], quote_word_count: int) -> float:
    """Share of the quotation's words found unchanged in the source, 0 to 100."""
    matched = sum(segment.matched for segment in segments)
    return round(100.0 * matched / max(quote_word_count, 1), 1)
