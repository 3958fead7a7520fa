"""Alteration flags: name every change between a quotation and its source.

Works on the aligned segments from ``align``: word operations become
cosmetic changes, substitutions, insertions and omissions; the gaps between
segments become ellipses (with the source text they hid), splices (parts far
apart or from different paragraphs joined as if continuous) or reorders; the
source sentence around the quotation tells whether it was truncated. Bold,
italics, underline or capitals the source lacks, and notes such as
"(emphasis added)", are ``emphasis_added``; a speaker the source does not
name is ``misattribution``; a quotation that matches only loosely is a
``paraphrase``. A change that adds or removes a negation or a qualifier is
also flagged as ``negation`` and is always major.

Decisions a fact-checker should know:

- Gaps. Parts joined across a paragraph break, or over more than 60 words
  behind an ellipsis (20 without one), or over a sentence end without a mark,
  are a ``splice``; a shorter marked gap is an ``ellipsis``, a shorter unmarked
  one an ``omission``. Negations are looked for only in the hidden words of
  the sentences the joined parts stand in.
- Emphasis. Markdown ``**``/``*``/``_``, capitals the source writes in lower
  case, and the article's HTML emphasis spans (``Document.emphasis``) that the
  source's spans lack. A note such as "(emphasis added)" next to a quotation
  with no visible emphasis is still reported, as a claim (plain text may have
  lost the markup: the seed article is such a case); "italics in original"
  turns the markup checks off for that quotation.
- Misattribution compares surnames: the article's speaker against a transcript
  label above the passage, or the resolved name the source's own attribution
  gives. It stays silent when the source names nobody, or names the credited
  person within 300 characters of the passage (an exchange of remarks).

Every alteration slices back: ``article[start:end] == quoted`` and
``source[source_start:source_end] == original``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import replace

from rapidfuzz import fuzz

from . import quotes
from .align import Segment, SourceText
from .model import Alteration, Emphasis, Quotation, Speaker
from .normalize import ELLIPSIS_RE, WORD_RE, Word, fold_punctuation, normalize_word

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


def flag(article: str, segments: Sequence[Segment], source: SourceText, *,
         emphasis: Sequence[Emphasis] = (), speaker: Speaker | None = None
         ) -> list[Alteration]:
    """Every alteration of the quotation against this source, in article order.

    ``emphasis`` are the article's own emphasis spans (from HTML markup);
    ``speaker`` is whom the article credits with the quotation.
    """
    found: list[Alteration] = []
    for segment in segments:
        found.extend(_word_changes(article, segment, source))
    found.extend(_truncations(article, segments, source))
    found.extend(list(_negations(found)))
    found.extend(_gaps(article, segments, source))  # with their own negation checks
    found.extend(_emphasis(article, segments, source, emphasis))
    found.extend(_misattribution(article, segments, source, speaker))
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
        if quoted != original and not _capitalised(quoted, original):
            note = "case" if quoted.casefold() == original.casefold() else "typography"
            if fold_punctuation(quoted) == fold_punctuation(original) and note == "typography":
                note = "quote or apostrophe style"
            yield Alteration("cosmetic", "cosmetic", quote_word.start, quote_word.end,
                             source_word.start, source_word.end, quoted, original, note)


def _capitalised(quoted: str, original: str) -> bool:
    """A word set in capitals that the source writes in lower case: emphasis, not case."""
    letters = [ch for ch in quoted if ch.isalpha()]
    return len(letters) >= 2 and quoted.isupper() and not original.isupper()


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


SPLICE_MARKED_WORDS = 60  # an ellipsis hiding more words than this joins distant parts
SPLICE_UNMARKED_WORDS = 20


def _gaps(article: str, segments: Sequence[Segment], source: SourceText) -> Iterator[Alteration]:
    """What lies between consecutive segments: an ellipsis, an omission, a splice of
    distant parts, or parts put in another order."""
    covered = {n for segment in segments for n in range(*segment.source_span)}
    for before, after in zip(segments, segments[1:], strict=False):
        mark = before.mark or (before.quote_words[-1].end, before.quote_words[-1].end)
        end_word = before.source_span[1]
        start_word = after.source_span[0]
        if start_word >= end_word:
            if all(n in covered for n in range(end_word, start_word)) and start_word > end_word:
                continue  # the words between are quoted elsewhere (a reordered part)
            raw_start = source.words[end_word - 1].end if end_word > 0 else 0
            raw_end = source.words[start_word].start if start_word < len(source.words) \
                else len(source.text)
            source_start, source_end = _between(source, end_word, start_word)
            original = source.text[source_start:source_end]
            if not ELLIPSIS_RE.sub("", original).strip(" \n\t\u00a0.,;"):
                if not before.mark or ELLIPSIS_RE.search(source.text, raw_start, raw_end):
                    continue  # nothing left out, or the source has the same mark
                yield Alteration("ellipsis", "cosmetic", mark[0], mark[1], source_start, source_end,
                                 article[mark[0] : mark[1]], original, "nothing omitted")
                continue
            gap = _gap(article, mark, bool(before.mark), source, source_start, source_end,
                       source.text[raw_start:raw_end])
            yield gap
            yield from _negations([gap], _joint_clauses(source.text[raw_start:raw_end]))
        else:
            after_start = source.words[start_word].start
            before_end = source.words[end_word - 1].end
            yield Alteration("reorder", "major", mark[0], mark[1], after_start, before_end,
                             article[mark[0] : mark[1]], source.text[after_start:before_end],
                             "the part after this point comes earlier in the source")


def _between(source: SourceText, end_word: int, start_word: int) -> tuple[int, int]:
    """The source text between two words, without the spaces and stops that open it."""
    start = source.words[end_word - 1].end if end_word > 0 else 0
    end = source.words[start_word].start if start_word < len(source.words) else len(source.text)
    while start < end and source.text[start] in " \n\t\u00a0.,;":
        start += 1
    while end > start and source.text[end - 1] in " \n\t\u00a0,;":  # keep a full stop
        end -= 1
    return start, end


def _gap(article: str, mark: tuple[int, int], marked: bool, source: SourceText,
         source_start: int, source_end: int, raw: str) -> Alteration:
    """Name one stretch of source words the quotation leaves out (``raw``: all the source
    text between the quoted words, stops and line breaks included)."""
    original = source.text[source_start:source_end]
    count = len(WORD_RE.findall(original))
    paragraphs = "\n" in raw
    sentences = any(True for _ in sentence_ends(raw + " ", 0, len(raw) + 1))
    quoted = article[mark[0] : mark[1]]
    where = "from different paragraphs" if paragraphs else f"{count} words apart"
    if marked and (paragraphs or count > SPLICE_MARKED_WORDS):
        return Alteration("splice", "major", mark[0], mark[1], source_start, source_end, quoted,
                          original, f"marked with an ellipsis, but joins parts {where}")
    if not marked and (paragraphs or sentences or count > SPLICE_UNMARKED_WORDS):
        return Alteration("splice", "major", mark[0], mark[1], source_start, source_end, quoted,
                          original, f"joins parts {where} with no mark")
    kind = "ellipsis" if marked else "omission"
    return Alteration(kind, _severity("ellipsis" if marked else "omission", "", original),
                      mark[0], mark[1], source_start, source_end, quoted, original)


def _truncations(article: str, segments: Sequence[Segment], source: SourceText
                 ) -> Iterator[Alteration]:
    """The quotation starts or stops inside a source sentence."""
    # The source extent of all the parts: a reordered quotation may begin with the
    # sentence's second half and still quote the whole sentence.
    first_word = min(segment.source_span[0] for segment in segments)
    last_word = max(segment.source_span[1] for segment in segments)
    if first_word >= len(source.words) or last_word <= 0:
        return
    quote_start = segments[0].quote_words[0].start
    quote_end = segments[-1].quote_words[-1].end
    begin = source.words[first_word].start
    sentence_start = max(sentence_ends(source.text, max(0, begin - 2000), begin), default=0)
    cut = source.text[sentence_start:begin]
    # Where the source itself opens a quotation, the article follows its boundary.
    if WORD_RE.search(cut) and not cut.rstrip().endswith(tuple(OPENING_MARKS)):
        cut_start, cut_end = _stripped(source.text, sentence_start, begin)
        yield Alteration("truncation", _truncation_severity(cut), quote_start, quote_start,
                         cut_start, cut_end, "", source.text[cut_start:cut_end],
                         "starts inside a source sentence")
    finish = source.words[last_word - 1].end
    sentence_end = next(sentence_ends(source.text, finish, len(source.text)), len(source.text))
    cut = source.text[finish:sentence_end].rstrip()
    if WORD_RE.search(cut) and not cut.lstrip(",.;:!? ").startswith(tuple(CLOSING_MARKS)):
        cut_start, cut_end = _stripped(source.text, finish, sentence_end)
        yield Alteration("truncation", _truncation_severity(cut), quote_end, quote_end,
                         cut_start, cut_end, "", source.text[cut_start:cut_end],
                         "stops inside a source sentence")


def _stripped(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _truncation_severity(cut: str) -> str:
    return "major" if polarity_words(cut) else "minor"


def _joint_clauses(hidden: str) -> str:
    """Of the source text hidden between two quoted parts, what belongs to the sentences
    the parts stand in: whole sentences dropped in between qualify nothing quoted."""
    ends = list(sentence_ends(hidden + " ", 0, len(hidden) + 1))
    if not ends:
        return hidden
    last = max(ends)
    return hidden[: min(ends)] + " " + (hidden[last:] if last <= len(hidden) else "")


def _negations(found: Sequence[Alteration], hidden: str | None = None) -> Iterator[Alteration]:
    """A negation or qualifier added or removed by a change; for a gap, ``hidden`` is the
    part of the left-out text that could qualify the quoted words."""
    for alteration in found:
        if alteration.kind in ("cosmetic", "reorder", "negation"):
            continue
        original = alteration.original if hidden is None else hidden
        added = polarity_words(alteration.quoted) - polarity_words(original)
        removed = polarity_words(original) - polarity_words(alteration.quoted)
        if added or removed:
            what = ", ".join(
                [f"adds {w!r}" for w in sorted(added)] + [f"removes {w!r}" for w in sorted(removed)]
            )
            yield Alteration("negation", "major", alteration.start, alteration.end,
                             alteration.source_start, alteration.source_end,
                             alteration.quoted, alteration.original,
                             f"{alteration.kind} {what}")


# -- emphasis -----------------------------------------------------------------

MARKDOWN_RE = re.compile(
    r"(?P<strong>\*\*|__)(?=\S)(?P<inner>.+?)(?<=\S)(?P=strong)"
    r"|(?<![*\w])(?P<em>[*_])(?=[^\s*_])(?P<inner2>[^*_\n]+?)(?<=[^\s*_])(?P=em)(?![*\w])"
)
MARKDOWN_STYLES = {"**": "bold", "__": "bold", "*": "italics", "_": "italics"}
EMPHASIS_NOTE_RE = re.compile(
    r"[(\[]?\s*(?:(?:emphasis|italics|bold(?:ing)?|underlin(?:e|ing)|capitals|caps|highlighting)"
    r"\s+(?P<how>added|mine|ours|supplied|in\s+(?:the\s+)?original)"
    r"|(?:my|our)\s+emphasis)\s*[)\]]?",
    re.IGNORECASE,
)
NOTE_GAP_RE = re.compile(r"[\s.,:;“”\"‘’'«»—–-]*")  # what may stand between a note and a quotation
NOTE_REACH = 400  # characters: a note farther from the quotation is about something else


def _emphasis(article: str, segments: Sequence[Segment], source: SourceText,
              spans: Sequence[Emphasis]) -> Iterator[Alteration]:
    """Visible emphasis the source lacks, and the article's own notes about emphasis."""
    start, end = segments[0].quote_words[0].start, segments[-1].quote_words[-1].end
    notes = list(_emphasis_notes(article, start, end))
    in_original = any("original" in how for _, how in notes)
    found: list[Alteration] = []
    if not in_original:  # the article says the source had it: trust, but report nothing added
        word_map = _word_map(segments, source)
        found.extend(_markdown(article, start, end, source, word_map))
        found.extend(_markup(article, start, end, source, word_map, spans))
        found.extend(_capitals(article, segments, source))
    yield from found
    for note, how in notes:
        if "original" in how or _copied(note, segments):
            continue
        if found:
            continue  # the visible emphasis is flagged; the note only confirms it
        anchor = source.words[segments[0].source_span[0]].start
        yield Alteration(
            "emphasis_added", "minor", note.start(), note.end(), anchor, anchor, note.group(), "",
            f"the article says {note.group().strip('()[] ')!r}, but no emphasis is visible in "
            "the quotation as given (plain text may have dropped it): a claim, not a visible change",
        )


def _copied(note: re.Match[str], segments: Sequence[Segment]) -> bool:
    """A note inside the quotation that the source has too: the source's own note."""
    for segment in segments:
        for tag, q1, q2, _, _ in segment.ops:
            if tag == "equal" and segment.quote_words[q1].start <= note.start() \
                    and note.end() <= segment.quote_words[q2 - 1].end:
                return True
    return False


def _emphasis_notes(article: str, start: int, end: int) -> Iterator[tuple[re.Match[str], str]]:
    lo, hi = max(0, start - NOTE_REACH), min(len(article), end + NOTE_REACH)
    for note in EMPHASIS_NOTE_RE.finditer(article, lo, hi):
        if note.end() <= start:
            between = article[note.end() : start]
        elif note.start() >= end:
            between = article[end : note.start()]
        else:
            between = ""  # the note sits inside the quotation
        if NOTE_GAP_RE.fullmatch(between) and between.count("\n") <= 2:
            yield note, (note.group("how") or "mine").casefold()


def _word_map(segments: Sequence[Segment], source: SourceText) -> dict[int, Word]:
    """Quotation word start offset -> the source word it matched unchanged."""
    found = {}
    for segment in segments:
        for tag, q1, q2, s1, _ in segment.ops:
            if tag == "equal":
                for offset in range(q2 - q1):
                    found[segment.quote_words[q1 + offset].start] = source.words[s1 + offset]
    return found


def _source_range(word_map: dict[int, Word], start: int, end: int) -> tuple[int, int] | None:
    matched = [word for offset, word in word_map.items() if start <= offset < end]
    if not matched:
        return None
    return min(w.start for w in matched), max(w.end for w in matched)


def _markdown(article: str, start: int, end: int, source: SourceText,
              word_map: dict[int, Word]) -> Iterator[Alteration]:
    lo = start
    while lo > 0 and article[lo - 1] in "*_":  # markers just outside the first word
        lo -= 1
    hi = end
    while hi < len(article) and article[hi] in "*_":
        hi += 1
    for match in MARKDOWN_RE.finditer(article, lo, hi):
        marker = match.group("strong") or match.group("em")
        inner = match.start("inner") if match.group("inner") is not None else match.start("inner2")
        inner_end = match.end("inner") if match.group("inner") is not None else match.end("inner2")
        original = _source_range(word_map, inner, inner_end)
        if original is None:
            continue  # words the source lacks: an insertion, flagged as such
        if marker in source.text[max(0, original[0] - 2) : original[1] + 2]:
            continue  # the source has the same markers
        yield Alteration("emphasis_added", "minor", match.start(), match.end(), original[0],
                         original[1], match.group(), source.text[original[0] : original[1]],
                         f"{MARKDOWN_STYLES[marker]} ({marker}…{marker}) not in the source")


def _markup(article: str, start: int, end: int, source: SourceText, word_map: dict[int, Word],
            spans: Sequence[Emphasis]) -> Iterator[Alteration]:
    source_spans = source.document.emphasis if source.document else ()
    for span in spans:
        lo, hi = max(span.start, start), min(span.end, end)
        if lo >= hi:
            continue
        original = _source_range(word_map, lo, hi)
        if original is None:
            continue
        if any(s.start < original[1] and original[0] < s.end and s.style == span.style
               for s in source_spans):
            continue
        yield Alteration("emphasis_added", "minor", lo, hi, original[0], original[1],
                         article[lo:hi], source.text[original[0] : original[1]],
                         f"{span.style} not in the source")


def _capitals(article: str, segments: Sequence[Segment], source: SourceText
              ) -> Iterator[Alteration]:
    """Words set in capitals the source writes in lower case, as one run each."""
    runs: list[list[tuple[Word, Word]]] = []
    for segment in segments:
        for tag, q1, q2, s1, _ in segment.ops:
            if tag != "equal":
                continue
            for offset in range(q2 - q1):
                quote_word, source_word = segment.quote_words[q1 + offset], source.words[s1 + offset]
                if _capitalised(article[quote_word.start : quote_word.end],
                                source.text[source_word.start : source_word.end]):
                    if runs and runs[-1][-1][0].end + 2 >= quote_word.start:
                        runs[-1].append((quote_word, source_word))
                    else:
                        runs.append([(quote_word, source_word)])
    for run in runs:
        start, end = run[0][0].start, run[-1][0].end
        source_start, source_end = run[0][1].start, run[-1][1].end
        yield Alteration("emphasis_added", "minor", start, end, source_start, source_end,
                         article[start:end], source.text[source_start:source_end],
                         "capitals not in the source")


# -- misattribution -----------------------------------------------------------

TRANSCRIPT_LABEL_RE = re.compile(
    r"(?m)^[ \t]*(?:(?:SEN|SENATOR|REP|REPRESENTATIVE|MR|MS|MRS|DR|GOV|GEN|ADM|AMB|SECRETARY|"
    r"PRESIDENT|VICE PRESIDENT|THE PRESIDENT|JUDGE|JUSTICE)\.?\s+)?"
    r"(?P<name>[A-Z][A-Z'’\-]+(?:\s+[A-Z][A-Z'’\-.]*){0,3})(?:\s*\([^)\n]{1,40}\))?:[ \t]+\S"
)
NAME_SUFFIXES = frozenset("jr jr. sr sr. ii iii iv".split())


def surname(name: str) -> str:
    """The last name of a person (or the last word of an organisation), folded."""
    parts = [part.strip(".,’'") for part in name.split()]
    parts = [p for p in parts if p and p.casefold() not in NAME_SUFFIXES]
    if not parts:
        return ""
    last = re.sub(r"[’']s$", "", parts[-1])
    return normalize_word(last)


def source_speaker(source: SourceText, start: int, end: int) -> Speaker | None:
    """Who the source says spoke the words at [start, end): a transcript label above the
    passage, or the speaker its own attribution names."""
    return _source_attribution(source, start, end)[0]


def _source_attribution(source: SourceText, start: int, end: int) -> tuple[Speaker | None, bool]:
    """The source's speaker of [start, end), and whether a transcript label names them."""
    labels = list(TRANSCRIPT_LABEL_RE.finditer(source.text, 0, end))
    if len(labels) >= 2 or (labels and len(TRANSCRIPT_LABEL_RE.findall(source.text)) >= 2):
        before = [label for label in labels if label.start() <= start]
        if before:
            label = before[-1]
            return Speaker(label.group("name"), label.start("name"), label.end("name"),
                           label.group("name").title()), True
    speaker = quotes.find_speaker(source.text, start, end)
    # Only a speaker resolved to a person's name: a role ("the star") or a pronoun left
    # unresolved says nothing a fact-checker could compare.
    if speaker is None or not speaker.name or not all(
            part[:1].isupper() for part in speaker.name.split()):
        return _named_right_after(source.text, end), False
    return speaker, False


NAME = r"[A-Z][\w'’\-]+(?:\s+[A-Z][\w'’\-]+){0,2}"
SAID = r"said|says|wrote|writes|told|added|asked|questioned|tweeted|argued|explained|continued"
RIGHT_AFTER_RE = re.compile(
    rf"[,.!?]?[”\"]\s*,?\s*(?:(?P<before>{NAME})\s+(?:{SAID})\b|(?:{SAID})\s+(?P<after>{NAME}))")


def _named_right_after(text: str, end: int) -> Speaker | None:
    """A name beside the closing quote mark right after the passage ("…?” Beck asked)."""
    match = RIGHT_AFTER_RE.match(text, end, min(len(text), end + 80))
    if match is None:
        return None
    group = "before" if match.group("before") else "after"
    name = match.group(group)
    if name.split()[0] in ("The", "He", "She", "They", "It", "I", "We", "A", "An"):
        return None
    return Speaker(name, match.start(group), match.end(group), name)


SAME_NAME = 80  # surname similarity (rapidfuzz ratio) above which two spellings are one name
MISATTRIBUTION_REACH = 300  # characters either side of the passage in the source


PERSON_RE = re.compile(r"(?:[A-Z][\w'’.\-]*\s+){0,3}[A-Z][\w'’\-]+")


def _name_like(text: str) -> str | None:
    """The speaker words as given when they look like a name ("O'Neill", "Yahoo News")."""
    first = text.split()[0] if text.split() else ""
    if PERSON_RE.fullmatch(text) and first not in ("The", "A", "An", "He", "She", "They", "It"):
        return text
    return None


def _misattribution(article: str, segments: Sequence[Segment], source: SourceText,
                    speaker: Speaker | None) -> Iterator[Alteration]:
    credited = speaker.name or _name_like(speaker.text) if speaker else None
    if speaker is None or not credited:
        return
    first, last = segments[0].source_span[0], max(s.source_span[1] for s in segments)
    start, end = source.words[first].start, source.words[last - 1].end
    original, labelled = _source_attribution(source, start, end)
    if original is None:
        return
    named = surname(credited)
    document = source.document
    own = {surname(x) for x in (document.author, document.publisher) if x} if document else set()
    said = surname(original.name or original.text)
    if not named or not said or named in own or fuzz.ratio(named, said) >= SAME_NAME:
        return  # the same person (a spelling variant: Bornstein, Bornsten)
    if named in {normalize_word(w) for w in (original.name or original.text).split()}:
        return
    # The source names the credited person right by the passage: it may well be theirs
    # (an exchange, a reply); the attribution found may be the wrong one of two.
    near = source.text[max(0, start - MISATTRIBUTION_REACH) : end + MISATTRIBUTION_REACH]
    if not labelled and named in {normalize_word(w.group()) for w in WORD_RE.finditer(near)}:
        return
    yield Alteration(
        "misattribution", "major", speaker.start, speaker.end, original.start, original.end,
        article[speaker.start : speaker.end], source.text[original.start : original.end],
        f"the article credits {credited}; the source attributes the words to "
        f"{original.name or original.text}",
    )


# -- paraphrase ---------------------------------------------------------------

PARAPHRASE_SCORE = 85.0  # a marked quotation holding fewer of its words unchanged is loose


SCATTERED = 3  # separate word changes that make a loose match a paraphrase, not one edit


def paraphrase(quotation: Quotation, score: float, source_text: str, source_start: int,
               source_end: int, changes: Sequence[Alteration] = ()) -> Alteration | None:
    """A quotation in quote marks whose words match the source only loosely: few of its
    words unchanged, the changes scattered (one inserted clause is an insertion)."""
    if quotation.kind == "unmarked" or score >= PARAPHRASE_SCORE:
        return None
    edits = [a for a in changes if a.kind in ("substitution", "insertion", "omission")]
    if score >= 60 and len(edits) < SCATTERED:
        return None
    severity = "major" if score < 70 else "minor"
    return Alteration(
        "paraphrase", severity, quotation.start, quotation.end, source_start, source_end,
        quotation.text, source_text[source_start:source_end],
        f"presented as a quotation, but only {score:.0f}% of its words appear unchanged "
        "in the source",
    )


# -- chains -------------------------------------------------------------------

def introduced_by(found: Sequence[Alteration], hops: Sequence[tuple[str, Sequence[Alteration]]]
                  ) -> tuple[Alteration, ...]:
    """Say which hop made each change against the earliest source A.

    ``hops`` are the intermediate sources in date order, each with its own
    alterations against A: a change already there (same kind, same place in A)
    was introduced by that source; otherwise the article made it.
    """
    def same(a: Alteration, b: Alteration) -> bool:
        return a.kind == b.kind and a.source_start <= b.source_end and b.source_start <= a.source_end
    return tuple(
        replace(alteration, introduced_by=next(
            (hop for hop, theirs in hops if any(same(alteration, other) for other in theirs)),
            "article",
        ))
        for alteration in found
    )
