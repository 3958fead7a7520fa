"""Alteration flags: name every change between a quotation and its source.

Works on the aligned segments from ``align``: word operations become
cosmetic changes, substitutions, insertions and omissions; the gaps between
segments become ellipses (with the source text they hid) or reorders; the
source sentence around the quotation tells whether it was truncated. A
change that adds or removes a negation or a qualifier is also flagged as
``negation`` and is always major.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from .align import Segment, SourceText
from .model import Alteration
from .normalize import ELLIPSIS_RE, WORD_RE, fold_punctuation, normalize_word

NEGATIONS = frozenset(
    "not no never nothing none nobody neither nor without cannot".split()
)
QUALIFIERS = frozenset(
    "only may might could allegedly reportedly perhaps possibly probably likely unlikely "
    "maybe supposedly apparently".split()
)
SENTENCE_END = re.compile(r"[.!?][\"”’'»)]*\s|\n|:\s")
ABBREVIATIONS = frozenset(
    "mr mrs ms dr sen rep gov gen lt col sgt st jr sr prof no vs u.s a.m p.m".split()
)
OPENING_MARKS = "“\"‘'«„‚"
CLOSING_MARKS = "”\"’'»“"


def sentence_ends(text: str, start: int, end: int) -> Iterator[int]:
    """Offsets just after each sentence end in text[start:end] (not after "Mr." and the like)."""
    for match in SENTENCE_END.finditer(text, start, end):
        if text[match.start()] == ".":
            word = re.search(r"([\w.]+)$", text[max(0, match.start() - 12) : match.start()])
            if word and (word.group(1).casefold() in ABBREVIATIONS or len(word.group(1)) == 1):
                continue
        yield match.end()


def polarity_words(text: str) -> set[str]:
    found = set()
    for match in WORD_RE.finditer(text):
        norm = normalize_word(match.group())
        if norm in NEGATIONS or norm in QUALIFIERS:
            found.add(norm)
        elif norm.endswith("n't"):
            found.add("not")
    return found


def flag(article: str, segments: Sequence[Segment], source: SourceText) -> list[Alteration]:
    """Every alteration of the quotation against this source, in article order."""
    found: list[Alteration] = []
    for segment in segments:
        found.extend(_word_changes(article, segment, source))
    found.extend(_gaps(article, segments, source))
    found.extend(_truncations(article, segments, source))
    found.extend(list(_negations(found)))
    return sorted(found, key=lambda a: (a.start, a.end, a.kind))


def _raw(text: str, words: Sequence, lo: int, hi: int, anchor: int) -> tuple[int, int, str]:
    """Raw span of words[lo:hi]; an empty range is the point ``anchor``."""
    if lo >= hi:
        return anchor, anchor, ""
    start, end = words[lo].start, words[hi - 1].end
    return start, end, text[start:end]


def _word_changes(article: str, segment: Segment, source: SourceText) -> Iterator[Alteration]:
    quote = segment.quote_words
    for tag, q1, q2, s1, s2 in segment.ops:
        q_anchor = quote[q1 - 1].end if q1 > 0 else quote[0].start
        s_anchor = source.words[s1 - 1].end if s1 > 0 else 0
        start, end, quoted = _raw(article, quote, q1, q2, q_anchor)
        source_start, source_end, original = _raw(source.text, source.words, s1, s2, s_anchor)
        if tag == "equal":
            yield from _cosmetic(article, segment, source, q1, q2, s1)
            continue
        if tag == "replace":
            bracketed = _bracketed(article, start, end)
            kind = "insertion" if bracketed else "substitution"
            note = "bracketed: editorial replacement" if bracketed else ""
        elif tag == "added":
            bracketed = _bracketed(article, start, end)
            kind, note = "insertion", "bracketed" if bracketed else ""
        else:
            kind, note, bracketed = "omission", "", False
        if bracketed:
            start, end, quoted = _widen_brackets(article, start, end)
        severity = _severity(kind, quoted, original, bracketed)
        yield Alteration(kind, severity, start, end, source_start, source_end, quoted, original, note)


def _cosmetic(article: str, segment: Segment, source: SourceText, q1: int, q2: int, s1: int
              ) -> Iterator[Alteration]:
    for offset in range(q2 - q1):
        quote_word = segment.quote_words[q1 + offset]
        source_word = source.words[s1 + offset]
        quoted = article[quote_word.start : quote_word.end]
        original = source.text[source_word.start : source_word.end]
        if quoted != original:
            note = "case" if quoted.casefold() == original.casefold() else "typography"
            if fold_punctuation(quoted) == fold_punctuation(original) and note == "typography":
                note = "quote or apostrophe style"
            yield Alteration("cosmetic", "cosmetic", quote_word.start, quote_word.end,
                             source_word.start, source_word.end, quoted, original, note)


def _bracketed(article: str, start: int, end: int) -> bool:
    before = article[:start].rstrip()
    after = article[end:].lstrip()
    return before.endswith("[") and after.startswith("]")


def _widen_brackets(article: str, start: int, end: int) -> tuple[int, int, str]:
    start = article.rindex("[", 0, start)
    end = article.index("]", end) + 1
    return start, end, article[start:end]


def _severity(kind: str, quoted: str, original: str, bracketed: bool = False) -> str:
    if polarity_words(quoted) != polarity_words(original):
        return "major"
    if bracketed:
        return "minor"
    changed = len(WORD_RE.findall(quoted)) + len(WORD_RE.findall(original))
    digits = any(ch.isdigit() for ch in quoted + original)
    if kind == "substitution":
        return "major" if digits or changed > 4 else "minor"
    if kind == "ellipsis":
        return "major" if changed > 40 else "minor"
    return "major" if changed > 2 or digits else "minor"


def _gaps(article: str, segments: Sequence[Segment], source: SourceText) -> Iterator[Alteration]:
    """What lies between consecutive segments: an ellipsis, or parts put in another order."""
    for before, after in zip(segments, segments[1:], strict=False):
        mark = before.mark or (before.quote_words[-1].end, after.quote_words[0].start)
        end_word = before.source_span[1]
        start_word = after.source_span[0]
        if start_word >= end_word:
            source_start = source.words[end_word - 1].end
            source_end = source.words[start_word].start if start_word < len(source.words) else source_start
            original = source.text[source_start:source_end].lstrip(" \n\t\u00a0.,;").rstrip()
            if not ELLIPSIS_RE.sub("", original).strip(" \n\t\u00a0.,;"):
                if not before.mark or original:  # the source has the same mark, or no mark
                    continue
                yield Alteration("ellipsis", "cosmetic", mark[0], mark[1], source_start, source_end,
                                 article[mark[0] : mark[1]], "", "nothing omitted")
                continue
            kind = "ellipsis" if before.mark else "omission"
            yield Alteration(kind, _severity("ellipsis", "", original), mark[0], mark[1],
                             source_start, source_end, article[mark[0] : mark[1]], original)
        else:
            after_start = source.words[start_word].start
            before_end = source.words[end_word - 1].end
            yield Alteration("reorder", "major", mark[0], mark[1], after_start, before_end,
                             article[mark[0] : mark[1]], source.text[after_start:before_end],
                             "the part after this point comes earlier in the source")


def _truncations(article: str, segments: Sequence[Segment], source: SourceText
                 ) -> Iterator[Alteration]:
    """The quotation starts or stops inside a source sentence."""
    first_word, last_word = segments[0].source_span[0], segments[-1].source_span[1]
    if first_word >= len(source.words) or last_word <= 0:
        return
    quote_start = segments[0].quote_words[0].start
    quote_end = segments[-1].quote_words[-1].end
    begin = source.words[first_word].start
    sentence_start = max(sentence_ends(source.text, max(0, begin - 2000), begin), default=0)
    cut = source.text[sentence_start:begin]
    # Where the source itself opens a quotation, the article follows its boundary.
    if WORD_RE.search(cut) and not cut.rstrip().endswith(tuple(OPENING_MARKS)):
        yield Alteration("truncation", _truncation_severity(cut), quote_start, quote_start,
                         sentence_start, begin, "", cut.strip(), "starts inside a source sentence")
    finish = source.words[last_word - 1].end
    sentence_end = next(sentence_ends(source.text, finish, len(source.text)), len(source.text))
    cut = source.text[finish:sentence_end].rstrip()
    if WORD_RE.search(cut) and not cut.lstrip(",.;:!? ").startswith(tuple(CLOSING_MARKS)):
        yield Alteration("truncation", _truncation_severity(cut), quote_end, quote_end,
                         finish, sentence_end, "", cut.strip(), "stops inside a source sentence")


def _truncation_severity(cut: str) -> str:
    return "major" if polarity_words(cut) else "minor"


def _negations(found: Sequence[Alteration]) -> Iterator[Alteration]:
    for alteration in found:
        if alteration.kind in ("cosmetic", "truncation"):
            continue
        added = polarity_words(alteration.quoted) - polarity_words(alteration.original)
        removed = polarity_words(alteration.original) - polarity_words(alteration.quoted)
        if added or removed:
            what = ", ".join(
                [f"adds {w!r}" for w in sorted(added)] + [f"removes {w!r}" for w in sorted(removed)]
            )
            yield Alteration("negation", "major", alteration.start, alteration.end,
                             alteration.source_start, alteration.source_end,
                             alteration.quoted, alteration.original,
                             f"{alteration.kind} {what}")
