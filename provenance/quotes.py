"""Quotation and speaker extraction.

The idea, in three passes over the article:

1. Quote marks.  One scan classifies every mark as opening or closing from its
   direction and its neighbours (a ’ between letters is an apostrophe), pairs the
   marks with a stack, keeps nested quotations, and carries a quotation over a
   paragraph break only when the next paragraph opens with a quote mark (the
   newspaper convention for multi-paragraph quotations).  A stray mark never
   swallows more than its own paragraph.  Markdown ``>`` lines and indented
   paragraphs introduced by a colon are block quotations.
2. Attributions.  One scan finds the speech cues ("said", "told", "according
   to", "wrote on Twitter", a headline "Name:") and the speaker phrase next to
   each: a name (titles stripped), a pronoun, or a role ("a White House
   spokesman").  Names and pronouns are resolved to the last fitting full name.
3. Linking.  Each quotation takes the cue right after it, else the nearest cue
   before it in the same sentence, else a cue later in its sentence, else the
   speaker of the passage it continues (a colon, the previous quotation, the
   previous paragraph).  Short quotations with no cue in their sentence, and
   titles in title case, are terms (scare quotes, titles of works), not quotations.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass

from provenance.model import Quotation, Speaker

# --- quote marks -------------------------------------------------------------

DOUBLE_MARKS = '"“”„«»‟'
SINGLE_MARKS = "'‘’‚‹›‛"
# NYT archives write a double quote as two apostrophes ('').
MARK_RE = re.compile(r"\n|''|[" + re.escape(DOUBLE_MARKS + SINGLE_MARKS) + "]")
OPENING_DIRECTION = {"“": True, "„": True, "«": True, "‘": True, "‚": True, "‹": True,
                     "‟": True, "‛": True, "”": False, "»": False, "’": False, "›": False}
OPEN_CONTEXT = set(" \t\n([{—–-/\u00a0") | set(DOUBLE_MARKS + SINGLE_MARKS)
CLOSE_CONTEXT = set(" \t\n)]}.,;:!?—–-/…\u00a0") | set(DOUBLE_MARKS + SINGLE_MARKS)
NEXT_PARAGRAPH_RE = re.compile(r"\s*(''|[" + re.escape(DOUBLE_MARKS) + "])")
SENTENCE_END_RE = re.compile(r"[.!?…][)\]”\"’']?$")


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


BLOCK_RE = re.compile(r"(?m)^>[ \t]?(.*(?:\n>[ \t]?.*)*)")
INDENTED_RE = re.compile(r"(?:(?<=:\n)|(?<=:\n\n))((?:(?:    |\t)[ \t]*\S.*(?:\n|$))+)")
LIST_ITEM_RE = re.compile(r"\s*(?:[-*•]|\d+[.)])\s")


def _block_spans(text: str) -> list[tuple[int, int]]:
    """Markdown ``>`` blocks, and indented paragraphs introduced by a colon."""
    spans = [(m.start(1), m.end(1)) for m in BLOCK_RE.finditer(text) if m.group(1).strip()]
    for match in INDENTED_RE.finditer(text):
        block = match.group(1)
        if LIST_ITEM_RE.match(block) or len(block.split()) < 5:
            continue
        start = match.start(1) + len(block) - len(block.lstrip())
        end = match.start(1) + len(block.rstrip())
        spans.append((start, end))
    return spans


# --- attributions -----------------------------------------------------------

CUE_WORDS = (
    "said|says|say|saying|told|tells|tell|telling|added|adds|asked|asks|wrote|writes|"
    "tweeted|tweets|posted|explained|explains|stated|states|noted|notes|argued|argues|"
    "continued|continues|insisted|insists|recalled|recalls|warned|warns|claimed|claims|"
    "replied|replies|responded|acknowledged|acknowledges|admitted|admits|announced|"
    "remarked|joked|jokes|quipped|suggested|suggests|conceded|predicted|declared|declares|"
    "answered|shouted|yelled|testified|emphasized|stressed|complained|boasted|bragged|"
    "vowed|promised|urged|called|calls|described|describes|charged|countered|concluded|"
    "observed|mused|lamented|retorted|cautioned|reiterated|confirmed|denied|contended|"
    "maintained|agreed|exclaimed|wondered|reported|reports|read|reads|opined|pointed out|"
    "went on|chimed in|put it|wrote in|added in|blasted|slammed|mocked|accused|labeled|"
    "dubbed|praised|thanked|proclaimed|insisting|adding|noting|arguing|explaining|asking|"
    "calling|describing|warning|writing|declaring|tweeting|claiming|promising|boasting"
)
TITLES = (
    r"(?:Mr|Mrs|Ms|Miss|Dr|Sen|Sens|Rep|Reps|Gov|Gen|Lt|Col|Sgt|Capt|Adm|Prof|Rev|Sec|Atty|Hon)\.?"
    r"|President|Vice President|President-elect|Senator|Representative|Congressman|Congresswoman|"
    r"Governor|Secretary|Speaker|Chairman|Chairwoman|Judge|Justice|Mayor|Attorney General|"
    r"Ambassador|Director|General|Former|former|Sheriff|Chief|Professor|Pastor|Bishop|Pope|King|"
    r"Queen|Prince|Princess|Lord|Lady|Sir|Dame|Father|Sister|Brother|Officer|Detective|Agent|"
    r"Commissioner|Councilman|Councilwoman|Mrs|Mr|Ms|Dr|the Rev\.|Democrat|Republican|GOP|"
    r"Democratic|nominee|candidate"
)
NAME_WORD = r"(?:[A-Z][\w’'\-]*\.?|O’[A-Z]\w+|Mc[A-Z]\w+|(?:de|van|von|der|al|bin|la|le|du)(?=\s+[A-Z]))"
NAME = rf"{NAME_WORD}(?:[ \t]+(?:{NAME_WORD}|[A-Z]\.))*(?:,?[ \t]+(?:Jr|Sr|III|II)\.?)?"
PRONOUNS = r"he|she|they|it|I|we|He|She|They|It|We|who|which"
DETERMINER = r"(?:[Tt]he|[Aa]n?|[Aa]nother|[Oo]ne|[Tt]wo|[Tt]hree|[Ss]everal|[Mm]any|[Ss]ome|[Hh]is|[Hh]er|[Tt]heir|[Ii]ts|[Oo]ther|[A-Z][\w]*[’']s)"
BARE_PLURALS = (
    r"officials|sources|aides|critics|experts|analysts|advisers|advisors|Democrats|Republicans|"
    r"supporters|voters|people|reporters|observers|others|residents|police|authorities|"
    r"protesters|Protesters|economists|researchers|scientists|lawmakers|conservatives|liberals|"
    r"polls|surveys|studies|Officials|Critics|Experts|Aides|Sources|Analysts|Democrats|Republicans"
)
SPEAKER_PHRASE = (
    rf"(?P<pronoun>\b(?:{PRONOUNS}))"
    rf"|(?P<role>\b{DETERMINER}(?:[ \t]+[\w’'\-.]+){{1,4}}?)"
    rf"|(?:\b(?:{TITLES})[ \t]+)*(?P<name>\b{NAME})"
    rf"|(?P<plural>\b(?:{BARE_PLURALS}))"
)
ADVERBS = r"(?:[ \t]+(?:also|later|then|previously|recently|once|has|had|have|would|will|had|again|further|simply|\w+ly))*"


def _trie(words: list[str]) -> str:
    """A regex alternation grouped by first letters: Python's re has no trie of its own."""
    if all(not word for word in words):
        return ""
    groups: dict[str, list[str]] = {}
    for word in words:
        groups.setdefault(word[:1], []).append(word[1:])
    parts = []
    for first, rests in sorted(groups.items()):
        if not first:
            continue
        inner = _trie(rests)
        optional = "?" if "" in rests else ""
        parts.append(re.escape(first) + (f"(?:{inner}){optional}" if inner else ""))
    return "|".join(parts)


CUE_RE = re.compile(
    rf"\b(?=[a-z])(?:{_trie(sorted(set(CUE_WORDS.split('|')) | {'according to'}))})\b"
    r"|(?<=\w):(?=[ \t])"
)
BEFORE_CUE_RE = re.compile(
    rf"(?<![\w’'\-.])(?=[A-Za-z])(?:{SPEAKER_PHRASE})(?P<apposition>,[ \t][^,\n“”\"]{{1,80}},)?{ADVERBS}[ \t]*$"
)
AFTER_CUE_RE = re.compile(rf"[ \t]+(?:{SPEAKER_PHRASE})(?=[\s,.;:!?)—–]|$)")
# A sentence ends at . ! ? before a capital, except after a title or an initial.
SENTENCE_BREAK_RE = re.compile(
    r"(?<!\bMr)(?<!\bMrs)(?<!\bMs)(?<!\bDr)(?<!\bSt)(?<!\bSen)(?<!\bRep)(?<!\bGov)(?<!\bGen)"
    r"(?<!\bJr)(?<!\bRev)(?<!\bLt)(?<!\b[A-Z])[.!?…][”\"’')\]]*[ \t]+(?=[“\"‘']?[A-Z])|\n"
)
INVERTING_CUES = frozenset(
    "said says added asked wrote writes told tweeted continued explained noted replied "
    "declared stated recalled responded insisted argued warned concluded".split()
) | {"according to"}
STOP_CAPITALS = frozenset(
    "But And The In On At When While After Then So Yet Still Asked Also However Meanwhile "
    "Later Earlier As If This That It Though Although Because Since Now Here There Even "
    "Instead Indeed Speaking Later Today Yesterday On Friday Monday Tuesday Wednesday "
    "Thursday Saturday Sunday Or Nor For With Without Before During Under Over According "
    "Last Next A An His Her Their Our My".split()
)


@dataclass(frozen=True)
class Attribution:
    """A speech cue and the speaker phrase beside it, with the resolved name."""

    cue_start: int
    cue_end: int
    start: int  # where the clause (speaker phrase or cue) begins
    end: int  # where it ends
    speaker: Speaker


def _trim_name(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop sentence-initial function words and titles from a capitalised run."""
    words = list(re.finditer(r"\S+", text[start:end]))
    while len(words) > 1 and words[0].group().rstrip(".") in STOP_CAPITALS | TITLE_WORDS:
        words.pop(0)
    if not words:
        return start, start
    last = words[-1].group()
    end = start + words[-1].end()
    if last.endswith(".") and len(last) > 2 and last not in ("Jr.", "Sr."):
        end -= 1  # the full stop of the sentence, not an initial
    return start + words[0].start(), end


TITLE_WORDS = frozenset(
    "Mr Mrs Ms Miss Dr Sen Rep Gov Gen Lt Col Sgt Capt Adm Prof Rev President Senator "
    "Representative Congressman Congresswoman Governor Secretary Speaker Chairman Judge "
    "Justice Mayor Ambassador Director Former Sheriff Chief Professor Pastor Democrat "
    "Republican GOP Democratic Vice Attorney General".split()
)


def _speaker_from(text: str, match: re.Match[str]) -> tuple[int, int, str] | None:
    """The speaker span of a BEFORE/AFTER cue match and its kind."""
    for kind in ("pronoun", "role", "name", "plural"):
        if match.group(kind) is not None:
            start, end = match.span(kind)
            if kind == "name":
                start, end = _trim_name(text, start, end)
                if text[start:end].rstrip(".") in STOP_CAPITALS:
                    return None
            if kind == "role":
                trailing = re.search(rf"(?:{NAME})$", text[start:end])
                if trailing and " " in trailing.group() and trailing.group()[0].isupper():
                    start, end = _trim_name(text, start + trailing.start(), end)
                    kind = "name"
            return start, end, kind
    return None


NEAR = 700  # characters: cues farther than this from any quotation cannot attribute one


def _attributions(text: str, anchors: list[int] | None = None) -> list[Attribution]:
    """The speech cues of the text (those near an anchor, if given) with their speakers."""
    found: list[Attribution] = []
    for cue in CUE_RE.finditer(text):
        if anchors is not None and not _near(anchors, cue.start()):
            continue
        cue_word = cue.group()
        window_start = max(0, cue.start() - 100)
        line_start = text.rfind("\n", window_start, cue.start()) + 1
        before = BEFORE_CUE_RE.search(text, max(window_start, line_start), cue.start())
        if cue_word == ":" and (before is None or before.group("name") is None):
            continue
        spot = _speaker_from(text, before) if before and cue_word != "according to" else None
        if spot is None and cue_word in INVERTING_CUES:
            after = AFTER_CUE_RE.match(text, cue.end())
            if after:
                spot = _speaker_from(text, after)
                if spot:
                    found.append(_attribution(text, cue, cue.start(), spot[1], spot))
                    continue
        if spot is None:
            continue
        found.append(_attribution(text, cue, before.start() if before else spot[0], cue.end(), spot))
    return found


def _near(anchors: list[int], position: int) -> bool:
    index = bisect.bisect_left(anchors, position)
    return any(abs(anchors[i] - position) < NEAR for i in (index - 1, index) if 0 <= i < len(anchors))


def _attribution(text: str, cue: re.Match[str], start: int, end: int,
                 spot: tuple[int, int, str]) -> Attribution:
    speaker = Speaker(text[spot[0] : spot[1]], spot[0], spot[1], None)
    return Attribution(cue.start(), cue.end(), start, end, speaker)


# --- name resolution -------------------------------------------------------

FULL_NAME_RE = re.compile(
    rf"\b(?=[A-Z])(?:(?P<title>{TITLES})[ \t]+)?\b(?P<name>[A-Z][a-z’'\-]+(?:[ \t]+(?:[A-Z]\.|[A-Z][a-z’'\-]+|Mc[A-Z]\w+)){{1,3}})"
)
FEMALE_TITLES = frozenset("Mrs Ms Miss Lady Queen Princess Sister Dame Congresswoman Chairwoman".split())
MALE_TITLES = frozenset("Mr Sir King Prince Lord Father Brother Congressman".split())
FEMALE_FIRST = frozenset(
    "Hillary Chelsea Kellyanne Melania Ivanka Michelle Nancy Elizabeth Loretta Huma Donna "
    "Debbie Jill Sarah Marina Mary Susan Karen Linda Barbara Patricia Jennifer Maria Lisa "
    "Sandra Betty Margaret Dorothy Kimberly Emily Donna Carol Michelle Amanda Melissa Deborah "
    "Stephanie Rebecca Laura Sharon Cynthia Kathleen Amy Shirley Angela Anna Ruth Brenda "
    "Pamela Nicole Katherine Samantha Christine Catherine Virginia Debra Rachel Janet Carolyn "
    "Heather Diane Joyce Julie Kelly Christina Joan Evelyn Judith Andrea Hannah Megyn Katy "
    "Kate Katie Alicia Condoleezza Theresa Angela Marine Ann Anne Jane Claire Tulsi Kamala "
    "Kirsten Dianne Barbara Gretchen Dana Robin Hope Omarosa Sheryl Nikki Jeanne Janet Sally "
    "Carly Meghan Megan Rosie Oprah Beyonce Madonna Cher Cecile Sheila Maxine Gwen".split()
)


@dataclass(frozen=True)
class _Mention:
    start: int
    end: int
    name: str
    gender: str  # "f", "m" or ""


MALE_FIRST = frozenset(
    "Donald Bernie Barack Joe Mike Ted Marco Jeb Chris John Paul Tom Bill Ben Rand Scott Mitt "
    "George Ron Rudy Newt Harry Mitch Lindsey Bob Robert James Michael David Richard Charles "
    "Thomas Mark Steven Steve Kevin Brian Jeff Jeffrey Eric Corey Reince Sean Jason Tim Tony "
    "Jim Jerry Jack Peter Martin Rick Dick Al Andrew Anthony Roger Rudolph Vladimir Barry "
    "Frank Gary Larry Dennis Jesse Carl Ryan Matt Adam Josh Joshua Patrick Pat Jake Dan Daniel"
    .split()
)


def _gender(first: str, title: str | None) -> str:
    """"f", "m", or "" when a title or a common first name does not say."""
    title = (title or "").rstrip(".")
    if title in FEMALE_TITLES or first in FEMALE_FIRST:
        return "f"
    if title in MALE_TITLES or first in MALE_FIRST:
        return "m"
    return ""


def _mentions(text: str) -> list[_Mention]:
    """Full names (two to four capitalised words) in order of appearance."""
    mentions = []
    for match in FULL_NAME_RE.finditer(text):
        words = match.group("name").split()
        while words and words[0] in STOP_CAPITALS | TITLE_WORDS:
            words.pop(0)
        if len(words) < 2:
            continue
        gender = _gender(words[0], match.group("title"))
        mentions.append(_Mention(match.start("name"), match.end("name"), " ".join(words), gender))
    return mentions


def _resolve(speaker: Speaker, kind_text: str, mentions: list[_Mention],
             previous: list[Speaker]) -> str | None:
    """The full name a speaker phrase refers to, if one fits."""
    words = speaker.text.split()
    lowered = speaker.text.lower()
    if lowered in ("he", "she", "who"):
        wanted = {"he": "m", "she": "f"}.get(lowered, "")
        return _last_fitting(speaker.start, wanted, mentions, previous)
    if not words or not words[-1][:1].isupper():
        return None
    surname = words[-1]
    position = bisect.bisect_left([m.start for m in mentions], speaker.start)
    for mention in reversed(mentions[:position]):
        if mention.name.split()[-1] == surname:
            return mention.name
    for mention in mentions[position:]:
        if mention.name.split()[-1] == surname:
            return mention.name
    return speaker.text


def _last_fitting(position: int, wanted: str, mentions: list[_Mention],
                  previous: list[Speaker]) -> str | None:
    """The most recent named speaker or person before ``position`` of the wanted gender."""
    genders = {m.name: m.gender for m in mentions}
    for earlier in reversed(previous):
        if earlier.start < position and earlier.name and (
            genders.get(earlier.name, "") in (wanted, "")
        ) and earlier.text.lower() not in ("he", "she", "who") and position - earlier.start < 1500:
            return earlier.name
    index = bisect.bisect_left([m.start for m in mentions], position)
    for mention in reversed(mentions[:index]):
        if mention.gender in (wanted, ""):
            return mention.name
    return None


# --- linking quotations to speakers -----------------------------------------

MARK_CHARS = DOUBLE_MARKS + SINGLE_MARKS
ADJACENT_GAP_RE = re.compile(rf"[\s,;:—–\-]*(?:(?:{TITLES})[ \t]+)*")
QUOTE_IN_GAP_RE = re.compile(r"[“\"]|''")

TERM_MAX_WORDS = 4
SMALL_WORDS = frozenset("a an and the of in on for to at by with or nor but from as is".split())


class _Article:
    """The attributions of one article, resolved, with lookups by position."""

    def __init__(self, text: str, anchors: list[int] | None = None) -> None:
        self.text = text
        mentions = self.mentions = _mentions(text)
        self.mention_starts = [m.start for m in mentions]
        resolved: list[Attribution] = []
        speakers: list[Speaker] = []
        for attribution in _attributions(text, anchors):
            speaker = attribution.speaker
            name = _resolve(speaker, speaker.text, mentions, speakers)
            speaker = Speaker(speaker.text, speaker.start, speaker.end, name)
            speakers.append(speaker)
            resolved.append(Attribution(attribution.cue_start, attribution.cue_end,
                                        attribution.start, attribution.end, speaker))
        self.attributions = resolved
        self.starts = [a.start for a in resolved]

    def same_sentence(self, start: int, end: int) -> bool:
        return start <= end and SENTENCE_BREAK_RE.search(self.text, start, end) is None

    def speaker_for(self, start: int, end: int, *, previous: Speaker | None) -> tuple[Speaker | None, bool]:
        """The speaker of ``text[start:end]`` (marks excluded), and whether a cue is in its sentence."""
        text = self.text
        close = end
        while close < len(text) and close < end + 2 and text[close] in MARK_CHARS:
            close += 1
        open_ = start
        while open_ > 0 and open_ > start - 2 and text[open_ - 1] in MARK_CHARS:
            open_ -= 1
        index = bisect.bisect_left(self.starts, close)
        ended = SENTENCE_END_RE.search(text, max(start, end - 3), end) is not None
        for attribution in self.attributions[index : index + 3]:
            gap = text[close : attribution.start]
            if ADJACENT_GAP_RE.fullmatch(gap) or (
                not ended and attribution.start - close < 80 and "\n" not in gap
                and not QUOTE_IN_GAP_RE.search(gap) and self.same_sentence(close, attribution.start)
            ):
                return attribution.speaker, True
        for attribution in reversed(self.attributions[:index]):
            if attribution.cue_end <= open_:
                if self.same_sentence(attribution.cue_end, open_):
                    return attribution.speaker, True
                break
        return self._context_speaker(open_, previous), False

    def _context_speaker(self, open_: int, previous: Speaker | None) -> Speaker | None:
        """A speaker from before the sentence: the last quotation's, or a nearby cue's."""
        index = bisect.bisect_left(self.starts, open_)
        last = self.attributions[index - 1] if index else None
        recent = previous is not None and open_ - previous.end < 1200
        if recent and (last is None or last.speaker.start <= previous.start):  # type: ignore[union-attr]
            return previous
        if last is not None and open_ - last.cue_end < 600:
            return last.speaker
        if recent:
            return previous
        return self._last_person(open_)

    def _last_person(self, open_: int) -> Speaker | None:
        """The person named last in the previous few sentences (the subject, usually)."""
        index = bisect.bisect_left(self.mention_starts, open_)
        if index and open_ - self.mentions[index - 1].end < 400:
            mention = self.mentions[index - 1]
            return Speaker(self.text[mention.start : mention.end], mention.start, mention.end, mention.name)
        return None


FUNCTION_WORDS = frozenset(
    "and or but nor to of in on for with that which who whom is was are were be been as at by "
    "from than because if when while after before so it he she they we i you this these those "
    "has have had will would can could should may might not into about over said says".split()
)


def _is_term(text: str, start: int, end: int, attached: bool) -> bool:
    """Scare quotes and titles of works: short, no sentence inside, no cue before them."""
    quoted = text[start:end]
    words = quoted.split()
    if not words or len(words) > 12 or re.search(r"[.!?,;:]\s|[.!?,;:…]$", quoted):
        return False
    following = re.match(r"[”\"’'»]*[ \t]+([a-z]+)\b", text[end : end + 30])
    if len(words) <= 2 and following and following.group(1) not in FUNCTION_WORDS:
        return True  # a modifier: the “gas” attack
    if attached:
        return False
    title_case = all(w[:1].isupper() or w.lower() in SMALL_WORDS or not w[:1].isalpha() for w in words)
    if title_case and len(words) > 1 and start > 1 and text[start - 2 : start - 1] not in ("\n", ":"):
        return True
    if len(words) > TERM_MAX_WORDS:
        return False
    return not _cue_before(text, start)


def _cue_before(text: str, start: int) -> bool:
    """Whether a speech cue stands before ``start`` in its sentence."""
    breaks = [m.end() for m in SENTENCE_BREAK_RE.finditer(text, max(0, start - 300), start)]
    sentence_start = breaks[-1] if breaks else max(0, start - 300)
    return CUE_RE.search(text, sentence_start, max(sentence_start, start - 1)) is not None


def find_quotations(text: str, *, blocks: Sequence[tuple[int, int]] = ()) -> list[Quotation]:
    """Every marked quotation in ``text``, sorted by (start, -end).

    ``blocks`` are block quotations the source format marked itself (HTML
    ``<blockquote>``, see ``Document.quotes``), which plain text cannot show.
    """
    spans = [(s, e, "quoted") for s, e in _quoted_spans(text)]
    found_blocks = set(_block_spans(text)) | {(s, e) for s, e in blocks if e > s}
    spans += [(s, e, "block") for s, e in sorted(found_blocks)]
    spans.sort(key=lambda span: (span[0], -span[1]))
    article = _Article(text, sorted(p for s, e, _ in spans for p in (s, e)))
    quotations: list[Quotation] = []
    previous: Speaker | None = None
    for start, end, kind in spans:
        speaker, attached = article.speaker_for(start, end, previous=previous)
        term = kind == "quoted" and _is_term(text, start, end, attached)
        if term:
            speaker = None
        elif speaker is not None:
            previous = speaker
        quotations.append(Quotation(start, end, text[start:end], kind, speaker, term))
    return quotations


def find_speaker(text: str, start: int, end: int) -> Speaker | None:
    """The speaker of a passage found by other means, by the same rules."""
    return _Article(text, [start, end]).speaker_for(start, end, previous=None)[0]
