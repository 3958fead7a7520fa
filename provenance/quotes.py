"""Quotation extraction: quote marks, block quotations, and terms.

1. Quote marks.  One scan classifies every mark as opening or closing from its
   direction and its neighbours (a ’ between letters is an apostrophe), pairs the
   marks with a stack, keeps nested quotations, and carries a quotation over a
   paragraph break only when the next paragraph opens with a quote mark (the
   newspaper convention for multi-paragraph quotations).  A stray mark never
   swallows more than its own paragraph.  Markdown ``>`` lines and indented
   paragraphs introduced by a colon are block quotations.  A quoted transcript
   ("WALLACE: ... / "PENCE: ...) is cut into its turns, each spoken by its label.
2. Speakers come from ``provenance.speakers``.
3. Terms.  A short quoted phrase is a quotation when its sentence attributes it
   (a speech cue, or a word such as "called", "described as", "accusation"), or
   when it continues a quotation just attributed ("“We won,” she said. “Again.”"),
   or when its sentence opens with a person ("Clinton decried the GOP for
   “turning its back”": PolNeAR counts that as her words).  It is a term (a scare
   quote, a title of a work) when nothing attributes it, when it modifies a noun
   after a determiner (the “gas” attack; but "Smith said it was a “new” idea"
   quotes Smith), or when it is a title in title case.  In a headline written in
   title case, capitals say nothing: there a phrase is a quotation when the line
   attributes it, read in lower case ("Clinton Calls Remarks ‘Troubling’").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from provenance.model import Quotation, Speaker
from provenance.speakers import CUE_RE, Article

# --- quote marks -------------------------------------------------------------

DOUBLE_MARKS = '"“”„«»‟'
SINGLE_MARKS = "'‘’‚‹›‛"
# NYT archives write a double quote as two apostrophes ('').
# One character class first, so the scanner skips from mark to mark; '' after '.
MARK_RE = re.compile(r"[\n" + re.escape(DOUBLE_MARKS + SINGLE_MARKS) + r"](?:(?<=')')?")
OPENING_DIRECTION = {"“": True, "„": True, "«": True, "‘": True, "‚": True, "‹": True,
                     "‟": True, "‛": True, "”": False, "»": False, "’": False, "›": False}
OPEN_CONTEXT = set(" \t\n([{—–-/\u00a0") | set(DOUBLE_MARKS + SINGLE_MARKS)
CLOSE_CONTEXT = set(" \t\n)]}.,;:!?—–-/…\u00a0") | set(DOUBLE_MARKS + SINGLE_MARKS)
NEXT_PARAGRAPH_RE = re.compile(r"\s*(''|[" + re.escape(DOUBLE_MARKS) + "])")


@dataclass
class _Open:
    """An opening mark waiting for its closing partner."""

    position: int
    double: bool


def _direction(text: str, i: int, j: int) -> tuple[bool, bool]:
    """Whether the mark ``text[i:j]`` can open and can close a quotation."""
    before = text[i - 1] if i > 0 else "\n"
    after = text[j] if j < len(text) else "\n"
    can_open = before in OPEN_CONTEXT and after not in " \t\n\u00a0"
    can_close = before not in " \t\n\u00a0" and (after in CLOSE_CONTEXT or not after.isalnum())
    mark = text[i:j]
    if mark in SINGLE_MARKS:
        if before.isalnum() and after.isalnum():
            return False, False  # we’re, Trump’s, rock’n’roll
        if after.isdigit() and not before.isalnum():
            return False, False  # ’90s
        if text[i + 1 : i + 3] in ("n’", "n'") and before in " \t":
            return False, False  # rock ’n’ roll
    if can_open and can_close:
        directed = OPENING_DIRECTION.get(mark)
        if directed is not None:
            return directed, not directed
    if not can_open and not can_close:
        directed = OPENING_DIRECTION.get(mark)
        if directed is not None and mark in DOUBLE_MARKS:
            return directed, not directed
        if mark in ('"', "''"):
            return False, True  # spaced on both sides: it closes ('Primates,'  '' Ms. Ferriss noted)
    return can_open, can_close


def _paragraph_end(text: str, newline: int) -> int:
    """The end of the paragraph text before ``newline``, trailing spaces dropped."""
    end = newline
    while end > 0 and text[end - 1] in " \t\r\u00a0":
        end -= 1
    return end


def _quoted_spans(text: str) -> list[tuple[int, int]]:
    """Pairs of (start, end) of marked quotations, without their marks."""
    spans: list[tuple[int, int]] = []
    stack: list[_Open] = []
    skip = -1
    for match in MARK_RE.finditer(text):
        i, j = match.span()
        if i == skip:
            continue
        if match.group() == "\n":
            skip = _paragraph_break(text, i, stack, spans)
            continue
        can_open, can_close = _direction(text, i, j)
        double = j - i == 2 or text[i] in DOUBLE_MARKS
        partner = _partner(stack, double) if can_close else None
        if partner is not None:
            opened = stack[partner]
            del stack[partner:]
            if i > opened.position:
                spans.append((opened.position, i))
        elif can_open:
            stack.append(_Open(j, double))
    _paragraph_break(text, len(text), stack, spans)
    return spans


def _partner(stack: list[_Open], double: bool) -> int | None:
    """Index of the innermost open mark of the same kind, if any."""
    for index in range(len(stack) - 1, -1, -1):
        if stack[index].double == double:
            return index
    return None


def _paragraph_break(text: str, i: int, stack: list[_Open], spans: list[tuple[int, int]]) -> int:
    """Close or carry the open quotations at a paragraph break; return a mark to skip."""
    if not stack:
        return -1
    carried = NEXT_PARAGRAPH_RE.match(text, i)
    doubles = [opened for opened in stack if opened.double]
    if carried and doubles and i < len(text) and _direction(text, *carried.span(1))[0]:
        stack[:] = doubles[:1]
        return carried.start(1)
    end = _paragraph_end(text, i)
    for opened in doubles[:1]:
        if end > opened.position:
            spans.append((opened.position, end))
    stack.clear()
    return -1


# A transcript quoted whole, one turn per paragraph, each opening with its speaker's
# label: "WALLACE: Let's start ...  /  "PENCE: Well, look, ...  A label is a name in
# capitals (one to four words) or a name of two or three capitalised words.
TURN_LABEL_RE = re.compile(r"(?P<label>[A-Z][A-Z.’'\-]+(?:[ \t]+[A-Z][A-Z.’'\-]+){0,3}"
                           r"|[A-Z][a-z’'\-]+(?:[ \t]+[A-Z][a-z’'\-]+){1,2}):[ \t]+(?=\S)")
PARAGRAPH_OPENING_RE = re.compile(r"[ \t]*(?:''|[" + re.escape(DOUBLE_MARKS) + r"])?[ \t]*")
STAGE_DIRECTION_RE = re.compile(r"\([A-Z][A-Z ,.’'\-]*\)\.?[ \t]*(?:''|[" + re.escape(DOUBLE_MARKS)
                                + r"])?[ \t]*$")  # (CROSSTALK.)


def _turns(text: str, start: int, end: int) -> list[tuple[int, int, tuple[int, int]]]:
    """The turns of a quoted transcript in ``text[start:end]``: (start, end, label span)
    of each, labels and stage directions ("(CROSSTALK.)") left out.  None unless the
    quotation opens with a label and runs over two turns or more."""
    if TURN_LABEL_RE.match(text, start, end) is None:
        return []
    turns: list[tuple[int, int, tuple[int, int]]] = []
    labels = 0
    label: tuple[int, int] | None = None
    opened: int | None = None  # where the current turn's words begin
    closed = start  # where they end so far
    paragraph = start
    while paragraph < end:
        newline = text.find("\n", paragraph, end)
        stop = _paragraph_end(text, newline) if newline >= 0 else end
        opening = PARAGRAPH_OPENING_RE.match(text, paragraph, stop)
        words = opening.end() if opening else stop
        found = TURN_LABEL_RE.match(text, words, stop)
        if found or STAGE_DIRECTION_RE.match(text, words, stop):
            if opened is not None and label is not None:
                turns.append((opened, closed, label))
            opened = found.end() if found else None
            if found:
                labels, label = labels + 1, found.span("label")
        elif words < stop and opened is None:
            opened = words  # the turn goes on after a stage direction
        if words < stop:
            closed = stop
        paragraph = newline + 1 if newline >= 0 else end
    if opened is not None and label is not None:
        turns.append((opened, closed, label))
    if labels < 2:
        return []  # one label: a title ("Crippled America: How to ..."), a sign, a caption
    return [(s, e, turn_label) for s, e, turn_label in turns if e > s]


BLOCK_RE = re.compile(r"(?m)^>[ \t]?(.*(?:\n>[ \t]?.*)*)")
INDENTED_RE = re.compile(r"(?:(?<=:\n)|(?<=:\n\n))((?:(?:    |\t)[ \t]*\S.*(?:\n|$))+)")
LIST_ITEM_RE = re.compile(r"\s*(?:[-*•]|\d+[.)])\s")


def _block_spans(text: str) -> list[tuple[int, int]]:
    """Markdown ``>`` blocks, and indented paragraphs introduced by a colon."""
    blocks = BLOCK_RE.finditer(text) if ">" in text else ()
    spans = [(m.start(1), m.end(1)) for m in blocks if m.group(1).strip()]
    for match in INDENTED_RE.finditer(text) if ":\n" in text else ():
        block = match.group(1)
        if LIST_ITEM_RE.match(block) or len(block.split()) < 5:
            continue
        start = match.start(1) + len(block) - len(block.lstrip())
        end = match.start(1) + len(block.rstrip())
        spans.append((start, end))
    return spans


SMALL_WORDS = frozenset("a an and the of in on for to at by with or nor but from as is".split())
TERM_MAX_WORDS = 4
FUNCTION_WORDS = frozenset(
    "and or but nor to of in on for with that which who whom is was are were be been as at by "
    "from than because if when while after before so it he she they we i you this these those "
    "has have had will would can could should may might not into about over said says".split()
)


# Words that attribute a short quoted phrase to someone (PolNeAR counts such a phrase
# as a quotation): the speech cues, and nouns and verbs of naming and claiming.
ATTRIBUTING_RE = re.compile(
    r"\b(?:call|calls|calling|called|describe|describes|described|dub|dubbed|label|labels|"
    r"labeled|labelled|brand|branded|term|termed|refer|refers|referred|referring|chant|chants|"
    r"chanted|chanting|accusation|accusations|assertion|assertions|claim|claims|comment|"
    r"comments|remark|remarks|statement|statements|speech|interview|pledge|pledged|pledges|"
    r"promise|promises|promised|vow|vows|vowed|offer|offers|offered|warning|warnings|"
    r"characterize|characterizes|characterized|deride|derided|derides|tweet|tweets|"
    r"message|words|phrase|slogan|motto|ad|ads|argument|charge|charges|complaint|"
    r"praise|praised|criticism|criticized|criticizes|attack|attacked|attacks|accuse|"
    r"accused|accuses|insult|insulted|mocked|mocks|urge|urges|urging|ask|asking|asked|"
    r"say|tell|write|argue|note|add|announce|declare|insist|suggest|warn|predict|"
    r"according)\b"
)
MODIFIER_BEFORE_RE = re.compile(
    r"(?:\b(?:[Tt]he|[Aa]n?|[Hh]is|[Hh]er|[Tt]heir|[Ii]ts|[Oo]ur|[Tt]his|[Tt]hat)|[’']s)[ \t]+[“\"‘']+$"
)
DEFINITE_BEFORE_RE = re.compile(r"\b[Tt]he[ \t]+[“\"‘']+$")  # the “gas” attack
WORK_BEFORE_RE = re.compile(r"(?:\b(?:book|novel|memoir|autobiography|podcast|show|program|film|movie|"
                            r"song|album|series|play|ad|video|titled|entitled)|[’']s),?[ \t]+[“\"‘']+$")
TITLE_BEFORE_RE = re.compile(r"(?:\b(?:on|in|of|show|film|book|movie|song|album|series|program|titled|"
                             r"entitled|called|dubbed|named)|[’']s)[ \t]+[“\"‘']+$")


# A nickname between names (Gov. C.L. "Butch" Otter), a name given (the so-called “rebels”).
NICKNAME_RE = re.compile(r"(?<![\w’'])[A-Z][\w.’'\-]*[ \t]+[“\"‘']+[A-Z][\w’'\-]*[”\"’']+[ \t]+[A-Z]")
NAMING_BEFORE_RE = re.compile(r"\b(?:so-called|known as|(?:words|terms) such as)[ \t]+[“\"‘']+$")
SENTENCE_INSIDE_RE = re.compile(r"[.!?;:]\s|[!?…]$")  # a quotation with a sentence in it
FOLLOWING_WORD_RE = re.compile(r"[”\"’'»]*[ \t]+(?:\([^)]{0,30}\)[ \t]+)?([a-z]+)\b")


def _is_term(text: str, start: int, end: int, attached: bool, article: Article,
             headline: tuple[int, int] | None) -> bool:
    """Scare quotes and titles of works, told from quotations by the attribution
    around them: a short phrase with nothing attributing it in its sentence, a
    modifier inside a noun phrase (the “gas” attack), or a title in title case."""
    words = text[start:end].rstrip(".,;:").split()
    if not words or len(words) > 12 or SENTENCE_INSIDE_RE.search(text, start, end):
        return False
    sentences = article.sentences
    sentence_start, sentence_end = sentences.start_of(start), sentences.end_of(end)
    if _own_sentence(text, sentence_start, start, end, words):
        return False  # ... of Commerce. “Marco gets it.” (alone in its paragraph it is a subheading)
    if headline is not None:  # capitals tell nothing, and the verbs have them ("Clinton Calls")
        low, high = headline
        line = text[low:high].lower()
        return not attached and not _attributed(line, 0, len(line), start - low, end - low)
    if len(words) == 1 and NICKNAME_RE.search(text, max(0, start - 30), end + 4):
        return True
    if NAMING_BEFORE_RE.search(text, max(0, start - 25), start):
        return True
    if _is_modifier(text, start, end, words):
        # "Smith said it was a “new” idea" quotes Smith; after "the", only a person
        # speaking makes it a quotation (not "reports suggested that the “gas” attack").
        definite = DEFINITE_BEFORE_RE.search(text, max(0, start - 8), start) is not None
        return not (_attributed(text, sentence_start, sentence_end, start, end)
                    and (not definite or article.opens_with_person(start)))
    if _is_title(words) and not words[0].isupper() and WORK_BEFORE_RE.search(text, max(0, start - 30), start):
        return True  # NBC’s “Today”, his book, “A Time for Truth,”: a title even beside a cue
    titled = TITLE_BEFORE_RE.search(text, max(0, start - 30), start) or not attached
    if _is_title(words) and not words[0].isupper() and titled:
        return len(words) > 1 or not _attributed(text, sentence_start, sentence_end, start, end)
    if attached or len(words) > TERM_MAX_WORDS:
        return False
    if _attributed(text, sentence_start, sentence_end, start, end):
        return False
    # "He implied the judge was “hostile”": PolNeAR's annotators count it as his words
    return not article.opens_with_person(start)


def _own_sentence(text: str, sentence_start: int, start: int, end: int, words: list[str]) -> bool:
    """Whether the quotation is a whole sentence, not in title case, after other text of
    its paragraph."""
    if not words[0][:1].isupper() or text[end - 1] not in ".!?" or _is_title(words):
        return False
    if text[sentence_start:start].strip(" \t\n" + DOUBLE_MARKS + SINGLE_MARKS):
        return False
    paragraph_start = text.rfind("\n", 0, start) + 1
    return bool(text[paragraph_start:sentence_start].strip())


LINE_WORD_RE = re.compile(r"[A-Za-z][\w’'\-]*")
LOWER_WORD_RE = re.compile(r"(?<![\w’'\-])[a-z][\w’'\-]*")
CAPITAL_WORD_RE = re.compile(r"(?<![\w’'\-])[A-Z]")


def _title_case_line(text: str, start: int, end: int,
                     lines: dict[int, tuple[int, int] | None]) -> tuple[int, int] | None:
    """The bounds of the line holding ``text[start:end]`` when it is written in title case
    (a headline: most of its words capitalised, three or more outside the quotation).
    ``lines`` caches the verdict per line start: a line holds many quotations."""
    low = text.rfind("\n", 0, start) + 1
    if low not in lines:
        high = text.find("\n", end)
        high = len(text) if high < 0 else high
        lines[low] = None
        if high - low <= 300 and _few_lower_words(text, low, min(high, low + 60)):
            lower = [w for w in LOWER_WORD_RE.findall(text, low, high) if w not in SMALL_WORDS]
            if len(lower) <= 0.25 * len(CAPITAL_WORD_RE.findall(text, low, high)):
                lines[low] = (low, high)
    bounds = lines[low]
    if bounds is None:
        return None
    outside = len(LINE_WORD_RE.findall(text, low, start)) + len(LINE_WORD_RE.findall(text, end, bounds[1]))
    return bounds if outside >= 3 else None


def _few_lower_words(text: str, low: int, high: int) -> bool:
    """A quick look at the start of a line: body text has lower-case words at once."""
    return sum(w not in SMALL_WORDS for w in LOWER_WORD_RE.findall(text, low, high)) <= 2


def _is_title(words: list[str]) -> bool:
    return all(w[:1].isupper() or w.lower() in SMALL_WORDS or not w[:1].isalpha() for w in words)


def _is_modifier(text: str, start: int, end: int, words: list[str]) -> bool:
    """A quoted word or two between a determiner and a noun: the “gas” attack."""
    following = FOLLOWING_WORD_RE.match(text, end, end + 50)
    if len(words) > 2 or not following or following.group(1) in FUNCTION_WORDS or not text[end - 1].isalnum():
        return False
    return MODIFIER_BEFORE_RE.search(text, max(0, start - 12), start) is not None


def _attributed(text: str, sentence_start: int, sentence_end: int, start: int, end: int) -> bool:
    """Whether a speech cue or an attributing word stands in the sentence, outside the quotation."""
    for low, high in ((sentence_start, max(sentence_start, start - 1)), (end, sentence_end)):
        if CUE_RE.search(text, low, high) or ATTRIBUTING_RE.search(text, low, high):
            return True
    return False


# Between two parts of one speaker's quotation: “We won,” she said. “Again.”
CONTINUATION_RE = re.compile(r"(?:''|[”\"’'])?[^\n“”\"]{0,80}?(?:''|[“\"‘'])?")


def find_quotations(text: str, *, blocks: Sequence[tuple[int, int]] = ()) -> list[Quotation]:
    """Every marked quotation in ``text``, sorted by (start, -end).

    ``blocks`` are block quotations the source format marked itself (HTML
    ``<blockquote>``, see ``Document.quotes``), which plain text cannot show.
    """
    original = text
    text = _spaced(text)
    spans: list[tuple[int, int, str]] = []
    turns: dict[tuple[int, int], tuple[int, int]] = {}  # a transcript's turns, with their labels
    for s, e in _quoted_spans(text):
        split = _turns(text, s, e) if text.find(":", s, e) >= 0 else []
        turns.update(((start, end), label) for start, end, label in split)
        spans += [(start, end, "quoted") for start, end, _ in split] or [(s, e, "quoted")]
    found_blocks = set(_block_spans(text)) | {(s, e) for s, e in blocks if e > s}
    spans += [(s, e, "block") for s, e in sorted(found_blocks)]
    if not spans:
        return []
    spans.sort(key=lambda span: (span[0], -span[1]))
    article = Article(text, sorted(p for s, e, _ in spans for p in (s, e)), [(s, e) for s, e, _ in spans])
    quotations: list[Quotation] = []
    previous: Speaker | None = None
    last_end = -1000
    lines: dict[int, tuple[int, int] | None] = {}
    for start, end, kind in spans:
        speaker: Speaker | None
        term = False
        label = turns.get((start, end))
        if label is not None:  # a transcript turn: its label names the speaker
            speaker = article.labelled(*label)
        else:
            speaker, attached = article.speaker_for(start, end, previous=previous)
            headline = _title_case_line(text, start, end, lines)
            if headline is not None:
                speaker = article.headline_subject(*headline) or speaker
            continued = (CONTINUATION_RE.fullmatch(text, last_end, start) is not None
                         and CUE_RE.search(text, last_end, start) is not None)
            term = kind == "quoted" and _is_term(text, start, end, attached or continued, article, headline)
        if term:
            speaker = None
        else:
            last_end = max(last_end, end)
            previous = speaker or previous
        quotations.append(Quotation(start, end, original[start:end], kind,
                                    _as_written(original, speaker), term))
    return quotations


def find_speaker(text: str, start: int, end: int) -> Speaker | None:
    """The speaker of a passage found by other means, by the same rules."""
    speaker = Article(_spaced(text), [start, end]).speaker_for(start, end, previous=None)[0]
    return _as_written(text, speaker)


def _spaced(text: str) -> str:
    """The text with no-break spaces as plain spaces (same offsets): many articles write
    “...,” the company\u00a0said, and the rules match spaces and tabs."""
    return text.replace("\u00a0", " ") if "\u00a0" in text else text


def _as_written(text: str, speaker: Speaker | None) -> Speaker | None:
    """A speaker found in the spaced text, with its words as the article writes them."""
    if speaker is None or text[speaker.start : speaker.end] == speaker.text:
        return speaker
    return Speaker(text[speaker.start : speaker.end], speaker.start, speaker.end, speaker.name)
