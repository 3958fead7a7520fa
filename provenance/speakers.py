"""Speakers: who the article says spoke each quotation.

1. Cues.  One scan, near the quotations only, finds the speech cues ("said",
   "told", "according to", "wrote on Twitter", a colon after a name or before a
   quotation) and the speaker phrase beside each: a name (titles stripped), a
   pronoun, a role ("a White House spokesman"), or nothing of its own ("and
   said", ", adding"), when the cue takes the subject of its clause.  "said X"
   counts only right after a quotation or a comma, a passive cue ("was called")
   or a cue inside a quotation not at all.  A dash and a name right after a
   quotation sign it (“...” ― Sonya Herridge).
2. Names.  Full names are collected once; a surname, "Mr. Graham", a definite
   role ("the Vermont senator"), "he"/"she" (gender from titles and common first
   names) and "who" (the name right before it) resolve to the last fitting one.
3. Linking.  A quotation takes the cue right after it, else the last cue before
   it in its sentence, else its sentence's subject (a name, a pronoun, or a
   description: "The ad targets a “...”"), else the speaker of the passage it
   continues (the previous quotation, a nearby cue, the last person named).  In
   a title-case headline, whose verbs have capitals, the person the headline
   opens with ("Sanders Told A Reporter Not To ‘Moan’").
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from provenance.model import Speaker

# --- attributions -----------------------------------------------------------

# Speech verbs, inflected by _inflections below; irregular forms and phrases listed.
SPEECH_VERBS = (
    "add ask tweet post explain note argue continue insist recall warn claim reply respond "
    "acknowledge admit announce remark joke quip suggest concede predict declare answer shout "
    "yell testify emphasize stress complain boast brag vow promise urge describe charge counter "
    "conclude observe muse lament retort caution reiterate confirm deny contend maintain agree "
    "exclaim wonder report opine blast slam mock accuse label dub praise thank proclaim pledge "
    "chant recount assure cite tout criticize blame quote rant fume beam sigh laugh scoff snap "
    "interject assail bark demand plead thunder gush marvel grouse grumble shrug question "
    "challenge text email message scream echo dismiss whisper murmur reflect react assert "
    "allege affirm concur confide elaborate hint inform lecture mention protest remind reveal "
    "scold sneer speculate theorize threaten underscore vent whine tease advise counsel "
    "decry bemoan laud hail denounce condemn ridicule deride applaud commend characterize "
    "lambast excoriate imply reference knock rip brand defend propose recommend welcome"
)
IRREGULAR_CUES = (
    "said|says|say|saying|told|tells|tell|telling|wrote|writes|writing|read|reads|called|calling|"
    "cried|sang|pointed out|went on|chimed in|put it|wrote in|added in|wrote on|posted on|"
    "lashed out|fired back|shot back|stated|refers|referred|referring|swore|spoke|speaks"
)
# Forms that are mostly nouns: "a dozen states", "the notes", "a conference call".
NOUN_FORMS = frozenset(
    "posts notes charges counters reports quotes texts emails messages questions answers claims "
    "chants cites laughs sighs snaps post note charge counter report quote text email message "
    "question answer claim chant laugh sigh snap beam label echo thunder rant fume shrug blast "
    "praise blame thank tweet remark joke quip pledge vow promise warning remarks jokes quips "
    "comments warnings".split()
)


def _inflections(verb: str) -> list[str]:
    """The -s, -ed and -ing forms of a regular verb (snap: snaps, snapped, snapping)."""
    consonant_before = verb[-3] not in "aeiou" or verb[-4:-2] == "qu"
    double = verb[-1] in "pgtb" and verb[-2] in "aeiou" and consonant_before and len(verb) <= 5
    stem = verb + verb[-1] if double else verb
    if verb.endswith("e"):
        forms = [verb + "s", verb + "d", verb[:-1] + "ing"]
    elif verb.endswith("y") and verb[-2] not in "aeiou":
        forms = [verb[:-1] + "ies", verb[:-1] + "ied", verb + "ing"]
    elif verb.endswith(("s", "sh", "ch", "x")):
        forms = [verb + "es", verb + "ed", verb + "ing"]
    else:
        forms = [verb + "s", stem + "ed", stem + "ing"]
    return [form for form in [verb, *forms] if form not in NOUN_FORMS]


# Noun or verb: a cue only when punctuation or "that" follows ("the report states that",
# "the ad states: “...”"), not in "a dozen states held".
AMBIGUOUS_CUES = frozenset("states notes reports claims charges quotes posts remarks".split())
AMBIGUOUS_OK_RE = re.compile(r"[ \t]*(?:[,.:;!?—–”\"]|''|that\b|$)")
CUE_WORDS = "|".join(
    sorted(set(IRREGULAR_CUES.split("|")) | AMBIGUOUS_CUES
           | {f for v in SPEECH_VERBS.split() for f in _inflections(v)})
)


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


TITLE_ABBREVIATIONS = "Mr Mrs Ms Miss Dr Sen Sens Rep Reps Gov Gen Lt Col Sgt Capt Adm Prof Rev Sec Atty Hon"
TITLE_NAMES = (
    "President|Vice President|President-elect|Senator|Representative|Congressman|Congresswoman|"
    "Governor|Secretary|Speaker|Chairman|Chairwoman|Judge|Justice|Mayor|Attorney General|"
    "Ambassador|Director|General|Former|former|Sheriff|Chief|Professor|Pastor|Bishop|Pope|King|"
    "Queen|Prince|Princess|Lord|Lady|Sir|Dame|Father|Sister|Brother|Officer|Detective|Agent|"
    "Commissioner|Councilman|Councilwoman|Democrat|Republican|GOP|Democratic|nominee|candidate"
)
# Alternations built as tries: re tries the branches of an alternation one by one.
TITLES = (
    rf"(?:{_trie(TITLE_ABBREVIATIONS.split())})\.?|(?:{_trie(TITLE_NAMES.split('|'))})|the Rev\."
)
# "*+" keeps the whole word: a name ends where a word does, so giving letters back (re's
# default) only leads every pattern below to fail again after each letter.
NAME_WORD = r"(?:[A-Z][\w’'\-]*+|O’[A-Z]\w+|Mc[A-Z]\w+|(?:de|van|von|der|al|bin|la|le|du)(?=\s+[A-Z]))"
NAME = rf"{NAME_WORD}(?:[ \t]+(?:[A-Z]\.|{NAME_WORD}))*(?:,?[ \t]+(?:Jr|Sr|III|II)\.?)?"
PRONOUNS = r"he|she|they|it|I|we|He|She|They|It|We|who|which"
DETERMINER = (
    r"(?:[Tt]he|[Aa]n?|[Aa]nother|[Oo]ne|[Tt]wo|[Tt]hree|[Ss]everal|[Mm]any|[Ss]ome|[Hh]is|[Hh]er|"
    r"[Tt]heir|[Ii]ts|[Oo]ther|[A-Z][\w]*+[’']s)"
)
BARE_PLURALS = _trie(
    "officials sources aides critics experts analysts advisers advisors Democrats Republicans "
    "supporters voters people reporters observers others residents police authorities "
    "protesters Protesters economists researchers scientists lawmakers conservatives liberals "
    "polls surveys studies Officials Critics Experts Aides Sources Analysts".split()
)
# Nouns for people by their role: "Pennsylvania governor Ed Rendell", "the Vermont senator".
ROLE_NOUNS = _trie((
    "governor|senator|congressman|congresswoman|representative|moderator|adviser|advisor|"
    "spokesman|spokeswoman|spokesperson|chairman|chairwoman|chair|candidate|nominee|director|"
    "analyst|strategist|host|anchor|reporter|correspondent|official|leader|activist|executive|"
    "president|secretary|attorney|lawyer|professor|economist|pollster|consultant|commentator|"
    "columnist|writer|author|aide|manager|surrogate|supporter|delegate|mayor|judge|justice|"
    "sheriff|pastor|rabbi|actor|actress|comedian|singer|businessman|billionaire|mogul|"
    "frontrunner|front-runner|hopeful|contender|rival|opponent|challenger|incumbent|lawmaker|"
    "legislator|member|founder|chief|head|officer|ambassador|minister|premier|chancellor|"
    "general|commander|historian|scholar|expert|researcher|scientist|doctor|neurosurgeon|"
    "veteran|voter|resident|owner|student|teacher|worker|organizer|operative|donor|insider|"
    "speaker|editor|publisher|journalist|blogger|pundit|critic|ally|friend|wife|husband|"
    "daughter|son|mother|father|sister|brother"
).split("|"))
ROLE_STOP = _trie((
    "had|has|have|been|was|were|is|are|be|he|she|they|it|we|i|you|that|which|who|whom|will|would|"
    "can|could|should|may|might|not|said|says|told|and|but|or|if|when|as|than|this|these|those|"
    "there|then|so|also|to|did|does|do|his|her|their|its"
).split("|"))
ROLE_WORD = rf"(?!(?:{ROLE_STOP})\b)[\w’'\-]++(?:\.(?=\w))?"  # ++, *+: as in NAME_WORD
SPEAKER_PHRASE = (
    rf"(?P<pronoun>\b(?:{PRONOUNS}))"
    rf"|(?P<role>\b{DETERMINER}(?:[ \t]+{ROLE_WORD}){{1,4}}?)"
    rf"|(?:\b(?:{TITLES})[ \t]+)*(?P<name>\b{NAME})"
    rf"|(?P<plural>\b(?:{BARE_PLURALS}))"
)
DAYS = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
# Between a speaker and the cue: "Trump on Tuesday said", "Obama later told".
ADVERBS = (
    r"(?:[ \t]+(?:also|later|then|previously|recently|once|has|had|have|would|will|again|further|"
    rf"simply|\w+ly|(?:on|last|this|early|late)[ \t]+(?:{DAYS}|week|month|year|night|morning)|{DAYS}))*"
)


# The speaker always follows these; at a sentence start they are capitalised.
SPEAKER_AFTER_CUES = {"according to", "in the words of", "According to", "In the words of"}
DASHES = "―—–-"
WORD_CUE_RE = re.compile(
    rf"\b(?=[a-zAI])(?:{_trie(sorted(set(CUE_WORDS.split('|')) | SPEAKER_AFTER_CUES))})\b"
)
# The colon first, then the look-behind: re tries the pattern at every character.
COLON_CUE_RE = re.compile(r":(?<=\w:)(?=[ \t])")
CUE_RE = re.compile(f"{WORD_CUE_RE.pattern}|{COLON_CUE_RE.pattern}")
# A signature after a quotation: “...” ― Sonya Herridge; or a line "- Sanders." below it.
SIGNATURE_RE = re.compile(r"(?:''|[”\"’'])?[ \t]*(?:\n[ \t]*){0,2}([―—–-])(?=[ \t]*[A-Z])")
DASH_NAME_RE = re.compile(rf"[ \t]*(?:(?:{TITLES})[ \t]+)*(?P<name>{NAME})[ \t]*(?:[.,\n]|$)")
BEFORE_CUE_RE = re.compile(
    rf"(?<![\w’'\-.])(?=[A-Za-z])(?:{SPEAKER_PHRASE})"
    rf"(?P<apposition>,[ \t][^,\n“”\"]{{1,80}},|[ \t]\([^)\n]{{1,30}}\))?{ADVERBS}[ \t]*$"
)
PREFIX_STOP = "on|in|at|to|for|with|by|from|of|about|after|before|during|that|this|last|next|and|or|but"
# After an inverted cue the phrase runs to the punctuation: "said the Vermont senator.",
# "said former tech executive Carly Fiorina".
AFTER_CUE_RE = re.compile(
    rf"[ \t]+(?:(?P<pronoun>\bwho)(?=[\s,.;:!?)—–]|$)"
    rf"|(?P<role>{DETERMINER}(?:[ \t]+(?:{ROLE_WORD}|to|of|for|at|with|in|on|from)){{1,8}}?)"
    r"(?=[ \t]*(?:[,.;:!?)—–\n]|$))"
    rf"|(?:(?!(?:{PREFIX_STOP})\b)[a-z][\w\-]*[ \t]+){{0,3}}(?:(?:{TITLES})[ \t]+)*(?P<name>{NAME})"
    rf"|(?P<plural>\b(?:{BARE_PLURALS})))"
)
# A sentence ends at . ! ? before a capital, except after a title or an initial, and at a
# line break.  Opening with one character class lets re skip fast from mark to mark (it
# tries a pattern opening with an alternation at every character); then the look-ahead
# for the capital, then the costlier look-behinds.
SENTENCE_BREAK_RE = re.compile(
    r"[.!?…\n](?:(?<=\n)|(?=[”\"’')\]]*[ \t]+(?:''|[“\"‘'])?[A-Z])"
    r"(?<!\bMr\.)(?<!\bMrs\.)(?<!\bMs\.)(?<!\bDr\.)(?<!\bSt\.)(?<!\bSen\.)(?<!\bRep\.)"
    r"(?<!\bGov\.)(?<!\bGen\.)(?<!\bJr\.)(?<!\bRev\.)(?<!\bLt\.)(?<!\b[A-Z]\.)"
    r"[”\"’')\]]*[ \t]+)"
)
STOP_CAPITALS = frozenset(
    "But And The In On At When While After Then So Yet Still Asked Also However Meanwhile "
    "Later Earlier As If This That It Though Although Because Since Now Here There Even "
    "Instead Indeed Speaking Later Today Yesterday On Friday Monday Tuesday Wednesday "
    "Thursday Saturday Sunday Or Nor For With Without Before During Under Over According "
    "Last Next A An His Her Their Our My Much Many Some Most All Both Each Every Such Several "
    "Hours Days Weeks Months Years By From To Of Not No Outside Inside Amid Amidst First Second "
    "Third Finally Since Despite Following Among Within Throughout Against Through Across "
    "Behind Beyond Near Until Unlike Like Besides Once Whether Where Why How What Who Perhaps "
    "Maybe Probably Certainly Clearly Surely Obviously Asked Told Speaking Writing Just Only "
    "Moreover Specifically Furthermore Additionally Nonetheless Nevertheless Regardless Its "
    "Likewise Similarly Senators Sens Reps Representatives "
    "January February March April May June July August September October November December".split()
)


@dataclass(frozen=True)
class Attribution:
    """A speech cue and the speaker phrase beside it, with the resolved name."""

    cue_start: int
    cue_end: int
    start: int  # where the clause (speaker phrase or cue) begins
    end: int  # where it ends
    speaker: Speaker | None  # None: the cue has no subject of its own ("and said")


def _trim_name(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop sentence-initial function words and titles from a capitalised run."""
    words = list(WORD_RE.finditer(text[start:end]))
    while len(words) > 1 and words[0].group().rstrip(".") in SKIPPED_CAPITALS:
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
SKIPPED_CAPITALS = STOP_CAPITALS | TITLE_WORDS  # the words before a name, not of it
WORD_RE = re.compile(r"\S+")
APOSTROPHE_RE = re.compile(r"[’']")


PREPOSITION_RE = re.compile(
    r"\b(?:in|of|during|since|until|than|into|over|under)[ \t]+$"
)
WHO_ROLE_RE = re.compile(
    rf"(?<![\w’'])({DETERMINER}(?:[ \t]+[\w’'\-]+){{0,4}}?[ \t]+(?:{ROLE_NOUNS})s?)[ \t]+$"
)
TRAILING_NAME_RE = re.compile(rf"(?:{NAME})$")  # "the Vermont senator Bernie Sanders"
WHO_ANTECEDENT_RE = re.compile(rf"(?<![\w’'])(?:(?:{TITLES})[ \t]+)*({NAME}),[ \t]*$")


def _is_name(name: str) -> bool:
    """A capitalised run is a name unless it opens with a function word or a pronoun
    ("There’s", "I'm", "We") or is a dateline in capitals."""
    first = APOSTROPHE_RE.split(name.split()[0])[0] if name.strip() else ""
    if not first or first.rstrip(".") in STOP_CAPITALS or first.lower() in OTHER_PRONOUNS:
        return False
    return not (name.isupper() and len(name) > 4)


def _speaker_from(text: str, match: re.Match[str]) -> tuple[int, int, str] | None:
    """The speaker span of a BEFORE/AFTER cue match and its kind."""
    for kind in ("pronoun", "role", "name", "plural"):
        if match.group(kind) is not None:
            start, end = match.span(kind)
            if kind == "name":
                start, end = _trim_name(text, start, end)
                if not _is_name(text[start:end]):
                    return None
            if kind == "role" and PREPOSITION_RE.search(text, max(0, start - 12), start):
                return None  # "in the past described": not a speaker
            if kind == "pronoun" and text[start:end] == "who":
                named = WHO_ANTECEDENT_RE.search(text, max(0, start - 60), start)
                role = WHO_ROLE_RE.search(text, max(0, start - 60), start)
                if named:
                    start, end = _trim_name(text, *named.span(1))
                    kind = "name"
                elif role:  # "a White House official who spoke anonymously"
                    start, end = role.span(1)
                    kind = "role"
            if kind == "role":
                trailing = TRAILING_NAME_RE.search(text, start, end)
                if trailing and " " in trailing.group() and trailing.group()[0].isupper():
                    start, end = _trim_name(text, trailing.start(), end)
                    kind = "name"
            return start, end, kind
    return None


NEAR = 250  # characters: cues farther than this from any quotation cannot attribute one


WORD_CUE_BEFORE_RE = re.compile(rf"\b(?:{_trie(CUE_WORDS.split('|'))})\b[^.!?\n]*$")
QUOTE_AFTER_COLON_RE = re.compile(r"\s*(?:''|[“\"‘«])")
# "was called", "so-called", "(emphasis added)": not a speech cue.
PASSIVE_RE = re.compile(r"(?:\b(?:is|was|were|been|be|being|are|so|often|widely|emphasis)[ \t]+|-)$")
# "said Smith" only right after the quotation or a comma: elsewhere the words after
# "said" are what was said ("said the senator can win").
INVERSION_RE = re.compile(r"(?:[”\"’',—–]|'')[ \t]+$")  # a closing mark: a space before the cue


def _attributions(text: str, anchors: list[int] | None = None,
                  quoted: Sequence[tuple[int, int]] = ()) -> list[Attribution]:
    """The speech cues of the text (those near an anchor, if given) with their speakers;
    cues inside a quotation are the quoted person's words, not an attribution.

    A cue with no speaker of its own ("and said", ", adding") has speaker None: it
    takes the subject of its sentence later, once names are resolved.
    """
    found: list[Attribution] = []
    outer = _outermost(quoted)
    starts = [start for start, _ in outer]
    for low, high in _windows(len(text), anchors):
        for cue in _cues(text, low, high):
            index = bisect.bisect_right(starts, cue.start()) - 1
            if index >= 0 and cue.start() < outer[index][1]:
                continue
            attribution = _attribution_at(text, cue)
            if attribution is not None:
                found.append(attribution)
    for _, end in outer:
        signed = SIGNATURE_RE.match(text, end)
        attribution = _signature(text, signed.start(1), signed.end(1)) if signed else None
        if attribution is not None:
            found.append(attribution)
    return sorted(found, key=lambda attribution: attribution.start)


def _cues(text: str, low: int, high: int) -> list[re.Match[str]]:
    """The matches of CUE_RE in ``text[low:high]``, in order: the word cues by regex, the
    colons by str.find, which is much faster than re trying a colon at every character."""
    cues = list(WORD_CUE_RE.finditer(text, low, high))
    colon = text.find(":", low, high)
    while colon >= 0:
        cue = COLON_CUE_RE.match(text, colon, high)
        if cue is not None:
            cues.append(cue)
        colon = text.find(":", colon + 1, high)
    return sorted(cues, key=lambda cue: cue.start())


def _outermost(spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    outer: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if not outer or start >= outer[-1][1]:
            outer.append((start, end))
    return outer


def _windows(length: int, anchors: list[int] | None) -> list[tuple[int, int]]:
    """The stretches of text within NEAR of an anchor, merged; the whole text without anchors."""
    if anchors is None:
        return [(0, length)]
    windows: list[tuple[int, int]] = []
    for anchor in anchors:
        low, high = max(0, anchor - NEAR), min(length, anchor + NEAR)
        if windows and low <= windows[-1][1]:
            windows[-1] = (windows[-1][0], max(windows[-1][1], high))
        else:
            windows.append((low, high))
    return windows


def _phrase_before(text: str, cue_start: int) -> re.Match[str] | None:
    """The speaker phrase that ends right before a cue, if any.

    Only the stretch after the last line break or double quote mark is searched,
    and nothing when a mark or a dash ends the text before the cue: the regex is
    the costly part of the scan.
    """
    end = cue_start
    while end > 0 and text[end - 1] in " \t":
        end -= 1
    last = text[end - 1] if end else ""
    if not (last.isalnum() or last in ",)."):
        return None
    low = max(0, cue_start - 100)
    low = max([low] + [text.rfind(mark, low, cue_start) + 1 for mark in "\n“”\""])
    return BEFORE_CUE_RE.search(text, low, cue_start)


# "McConnell delivered a blunt message to Trump:": the name before the colon is an object.
OBJECT_BEFORE_RE = re.compile(r"\b(?:to|with|about|at|for|on|against|from|of|by|in)[ \t]+$")
# After "a group", "called" names it: "a super PAC called Future45" says nothing.
NAMING_CUES = frozenset("called calling dubbed labeled labelled".split())
INDEFINITE_RE = re.compile(r"(?:[Aa]n?|[Aa]nother)[ \t]")


def _attribution_at(text: str, cue: re.Match[str]) -> Attribution | None:
    """The attribution of one cue; None for a passive cue or a colon after no name."""
    cue_word = cue.group()
    if cue_word != ":" and PASSIVE_RE.search(text, max(0, cue.start() - 10), cue.start()):
        return None
    if cue_word in AMBIGUOUS_CUES and not AMBIGUOUS_OK_RE.match(text, cue.end()):
        return None
    before = _phrase_before(text, cue.start())
    if cue_word == ":" and (before is None or before.group("name") is None or _cue_in_clause(text, cue)
                            or OBJECT_BEFORE_RE.search(text, max(0, before.start() - 12), before.start())):
        return _colon_without_name(text, cue)
    # "according to X"; "..., saying": the phrase before a participle is its object.
    own_subject = cue_word not in SPEAKER_AFTER_CUES and not cue_word.endswith("ing")
    spot = _speaker_from(text, before) if before is not None and own_subject else None
    if spot is not None and cue_word in NAMING_CUES and INDEFINITE_RE.match(text, spot[0]):
        return None  # "a super PAC called Future45", "a program called Sandy Hook Promise"
    if spot is None and not cue_word.endswith("ing") and (
        cue_word in SPEAKER_AFTER_CUES or INVERSION_RE.search(text, max(0, cue.start() - 4), cue.start())
    ):
        after = AFTER_CUE_RE.match(text, cue.end())
        spot = _speaker_from(text, after) if after else None
        if spot:
            return _attribution(text, cue, cue.start(), spot[1], spot)
    if spot is None:
        return Attribution(cue.start(), cue.end(), cue.start(), cue.end(), None)
    return _attribution(text, cue, before.start() if before else spot[0], cue.end(), spot)


def _signature(text: str, dash_start: int, dash_end: int) -> Attribution | None:
    """A dash and a name alone after a quotation: “...” ― Sonya Herridge."""
    found = DASH_NAME_RE.match(text, dash_end)
    if found is None:
        return None
    start, end = _trim_name(text, *found.span("name"))
    if not _is_name(text[start:end]):
        return None
    return Attribution(dash_start, dash_end, dash_start, end, Speaker(text[start:end], start, end))


def _cue_in_clause(text: str, cue: re.Match[str]) -> bool:
    """Whether a word cue stands earlier in the clause of a colon ("said on Twitter:")."""
    low = max(text.rfind("\n", 0, cue.start()) + 1, cue.start() - 100)
    return WORD_CUE_BEFORE_RE.search(text, low, cue.start()) is not None


def _colon_without_name(text: str, cue: re.Match[str]) -> Attribution | None:
    """A colon with no name of its own: "Trump said on Twitter:" belongs to "said" (None
    here); "Trump issued the following statement:" before a quotation takes the subject."""
    if _cue_in_clause(text, cue) or not QUOTE_AFTER_COLON_RE.match(text, cue.end()):
        return None
    return Attribution(cue.start(), cue.end(), cue.start(), cue.end(), None)


def _attribution(text: str, cue: re.Match[str], start: int, end: int,
                 spot: tuple[int, int, str]) -> Attribution:
    speaker = Speaker(text[spot[0] : spot[1]], spot[0], spot[1], None)
    return Attribution(cue.start(), cue.end(), start, end, speaker)


# --- name resolution -------------------------------------------------------

# Starts with a character class, so that re can skip ahead fast; the title before a
# name is looked up separately.
FULL_NAME_RE = re.compile(r"[A-Z][a-z’'\-]+(?:[ \t]+(?:[A-Z]\.|[A-Z][a-z’'\-]+|Mc[A-Z]\w+)){1,3}")
TITLE_BEFORE_NAME_RE = re.compile(rf"(?:{TITLES})[ \t]+$")
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


class _Mention(NamedTuple):  # a tuple: an article has hundreds, made fast
    start: int
    end: int
    name: str
    gender: str  # "f", "m" or ""
    surname: str  # the last word of the name, kept for lookups


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
        start = match.start()
        if start and (text[start - 1].isalnum() or text[start - 1] in "’'"):
            continue
        words = match.group().split()
        title = None
        while words and words[0] in SKIPPED_CAPITALS:
            title = words.pop(0)
        if len(words) < 2:
            continue
        if title is None and text[start - 1 : start] in (" ", "\t"):  # a title needs a space after it
            before = TITLE_BEFORE_NAME_RE.search(text, max(0, start - 16), start)
            title = before.group().split()[0] if before else None
        start = text.index(words[0], start)
        gender = _gender(words[0], title)
        mentions.append(_Mention(start, match.end(), " ".join(words), gender, words[-1]))
    return mentions


DEFINITE_ROLE_RE = re.compile(rf"[Tt]he\b(?:[ \t][\w’'\-.]+)*?[ \t](?:{ROLE_NOUNS})$")
OTHER_PRONOUNS = frozenset("i we they it you me us them this that there which".split())


def _resolve(speaker: Speaker, mentions: list[_Mention], by_surname: dict[str, list[_Mention]],
             previous: list[Speaker]) -> str | None:
    """The full name a speaker phrase refers to, if one fits."""
    words = speaker.text.split()
    lowered = speaker.text.lower()
    if lowered in ("he", "she", "who"):
        wanted = {"he": "m", "she": "f"}.get(lowered, "")
        return _last_fitting(speaker.start, wanted, mentions, previous)
    if lowered in OTHER_PRONOUNS:
        return None
    if DEFINITE_ROLE_RE.match(speaker.text):  # "the Vermont senator": the person last named
        return _last_fitting(speaker.start, "", mentions, previous)
    if not words or not words[-1][:1].isupper():
        return None
    namesakes = by_surname.get(words[-1])
    if not namesakes:
        return speaker.text
    # The last one named so before the speaker, else the first after.
    index = bisect.bisect_left(namesakes, speaker.start, key=lambda m: m.start)
    return namesakes[max(index - 1, 0)].name


def _gender_of(name: str, mentions: list[_Mention]) -> str:
    return next((m.gender for m in mentions if m.name == name), "")


def _last_fitting(position: int, wanted: str, mentions: list[_Mention],
                  previous: list[Speaker]) -> str | None:
    """The most recent named speaker or person before ``position`` of the wanted gender."""
    for earlier in reversed(previous):
        if 0 < position - earlier.start < 1500 and _fits(earlier, wanted, mentions):
            return earlier.name
    index = bisect.bisect_left(mentions, position, key=lambda m: m.start)
    for mention in reversed(mentions[:index]):
        if not wanted or mention.gender in (wanted, ""):
            return mention.name
    return None


def _fits(earlier: Speaker, wanted: str, mentions: list[_Mention]) -> bool:
    """Whether an earlier speaker can be the person a pronoun or a role stands for: it has
    a name that looks like a person's (not "the Democrats"), of the wanted gender."""
    name = earlier.name
    if not name or not name[:1].isupper() or earlier.text.lower() in ("he", "she", "who"):
        return False
    if name.lower() in OTHER_PRONOUNS:
        return False
    if " " not in name and name.endswith("s") and not any(m.surname == name for m in mentions):
        return False  # "Democrats"
    return not wanted or _gender_of(name, mentions) in (wanted, "")


# --- linking quotations to speakers -----------------------------------------

# The quote marks of quotes.py, skipped around a quotation's text.
MARK_CHARS = '"“”„«»‟' + "'‘’‚‹›‛"
SENTENCE_END_RE = re.compile(r"[.!?…][)\]”\"’']?$")
# “...?” reporter Jackie Nespral asked: a title or a lowercase role may stand before the name.
ADJACENT_GAP_RE = re.compile(
    rf"[\s,;:—–\-]*(?:(?:{TITLES})[ \t]+|(?:[a-z][\w\-]*[ \t]+){{0,2}}(?:{ROLE_NOUNS})[ \t]+)*"
)
QUOTE_IN_GAP_RE = re.compile(r"[“\"]|''")
# The subject that opens a sentence, after a connective or an opening phrase, with a
# role before the name: "Hours later, Pennsylvania governor Ed Rendell said".
SUBJECT_RE = re.compile(
    rf"[ \t]*(?:(?:But|And|So|Yet|Still|Now|Then|Later|Earlier|Meanwhile|Instead|Also)[ \t,]+)?"
    rf"(?:[^,.;:!?“”\"\n]{{1,60}},[ \t]+)?"  # an opening phrase: "On Sunday, ", "Hours later, "
    rf"(?:(?:(?:{TITLES})[ \t]+)*(?:{NAME}[ \t]+(?:[a-z][\w\-]*[ \t]+)?(?:{ROLE_NOUNS})[ \t]+)?"
    rf"(?P<name>(?:[Tt]he[ \t]+)?{NAME})|(?P<pronoun>[Hh]e|[Ss]he|[Tt]hey|[Ww]e|I)\b)"
    rf"(?=,[ \t]|[ \t]+[a-z]|[ \t]+\()"
)
# A dateline opening an article: "NEW YORK, Dec. 11 (UPI) —", "Washington (AFP) –".
DATELINE_RE = re.compile(
    r"(?:[A-Z][A-Z.' ]+(?:,[^\n–—(]{1,30})?(?:[ \t]*\([A-Za-z]+\))?"
    r"|[A-Z][\w.' ]{1,40}(?:,[^\n–—(]{1,30})?[ \t]*\((?:AP|AFP|Reuters|UPI)\))[ \t]+(?:--|[–—-])[ \t]*"
)
ROLE_SUBJECT_RE = re.compile(
    rf"[ \t]*(?:(?:But|And|So|Yet|Still|Now|Then|Later|Meanwhile|Instead|Also)[ \t,]+)?"
    rf"(?P<role>(?:The|A|An|Its|His|Her|Their)(?:[ \t]+[a-z][\w’'\-]*){{1,3}}?)"
    rf"(?=[ \t]+(?:(?:{ROLE_STOP}|then|also|later|again|now)\b|[a-z]\w*(?:ed|ly|es|ts|ds|ns|ks)\b))"
)
CLAUSE_SUBJECT_RE = re.compile(
    rf"(?<![\w’'])(?:(?P<pronoun>he|she|they|He|She|They)\b|(?P<name>(?=[A-Z]){NAME}))"
)


# Between a cue and a later one it does not report: a quotation, a comma or clause break
# ("When I emailed him, he replied"), a coordination ("Smith said X and Jones said").
NOT_REPORTED_RE = re.compile(r"[“”\"]|''|[;(,]|\b(?:and|but|while|when|after)\b")


HEADLINE_WORD_RE = re.compile(r"([A-Z][\w\-]*(?:[’'][A-Z]\w+)?)(?:[’']s)?")  # O'Rourke, Kaine’s


class Sentences:
    """The sentence breaks of a text, found once, with lookups by position."""

    def __init__(self, text: str) -> None:
        breaks = list(SENTENCE_BREAK_RE.finditer(text))
        self.starts = [m.start() for m in breaks]
        self.ends = [m.end() for m in breaks]
        self.length = len(text)

    def start_of(self, position: int) -> int:
        """Where the sentence holding ``position`` begins (at most 300 characters back)."""
        index = bisect.bisect_right(self.ends, position)
        return max(self.ends[index - 1] if index else 0, position - 300)

    def end_of(self, position: int) -> int:
        index = bisect.bisect_left(self.starts, position)
        return min(self.starts[index] if index < len(self.starts) else self.length, position + 300)

    def same(self, start: int, end: int) -> bool:
        """Whether no sentence break lies between ``start`` and ``end``."""
        index = bisect.bisect_left(self.starts, start)
        return start <= end and (index == len(self.starts) or self.ends[index] > end)


class Article:
    """The attributions of one article, resolved, with lookups by position."""

    def __init__(self, text: str, anchors: list[int] | None = None,
                 quoted: Sequence[tuple[int, int]] = ()) -> None:
        self.text = text
        self.sentences = Sentences(text)
        mentions = self.mentions = _mentions(text)
        self.mention_starts = [m.start for m in mentions]
        self.by_surname: dict[str, list[_Mention]] = {}
        for mention in mentions:
            self.by_surname.setdefault(mention.surname, []).append(mention)
        self.speakers: list[Speaker] = []
        resolved: list[Attribution] = []
        for attribution in _attributions(text, anchors, quoted):
            speaker = attribution.speaker
            if speaker is None:
                speaker = self._inherited(attribution.cue_start, resolved)
                if speaker is None:
                    continue
            else:
                speaker = self._resolved(speaker)
            resolved.append(Attribution(attribution.cue_start, attribution.cue_end,
                                        attribution.start, attribution.end, speaker))
        self.attributions = resolved
        self.starts = [a.start for a in resolved]

    def _resolved(self, speaker: Speaker) -> Speaker:
        name = _resolve(speaker, self.mentions, self.by_surname, self.speakers)
        speaker = Speaker(speaker.text, speaker.start, speaker.end, name)
        self.speakers.append(speaker)
        return speaker

    def labelled(self, start: int, end: int) -> Speaker:
        """The speaker a transcript labels ``text[start:end]`` ("WALLACE", "Chris Matthews"):
        the person the article names so, else the label in ordinary capitals."""
        label = self.text[start:end]
        ordinary = " ".join(word.title() if word.isupper() else word for word in label.split())
        name = _resolve(Speaker(ordinary, start, end), self.mentions, self.by_surname, self.speakers)
        speaker = Speaker(label, start, end, name)
        self.speakers.append(speaker)
        return speaker

    def _inherited(self, cue_start: int, resolved: list[Attribution]) -> Speaker | None:
        """The speaker of a cue with no subject: the last speaker of its sentence, or its subject."""
        last = resolved[-1] if resolved else None
        if last is not None and last.speaker is not None and self.same_sentence(last.cue_end, cue_start):
            return last.speaker
        return self.subject(cue_start) or self._clause_subject(cue_start)

    def _clause_subject(self, cue_start: int) -> Speaker | None:
        """The last name or pronoun shortly before a cue in its sentence
        ("when Trump in his speech called")."""
        low = max(self.sentences.start_of(cue_start), cue_start - 80)
        low = max([low] + [self.text.rfind(mark, low, cue_start) + 1 for mark in "”\"'"])
        last = None
        for last in CLAUSE_SUBJECT_RE.finditer(self.text, low, cue_start):  # noqa: B007 (the last one)
            pass
        return self._named(last)

    def subject(self, position: int) -> Speaker | None:
        """The named person or pronoun that opens the sentence holding ``position``."""
        return self._named(SUBJECT_RE.match(self.text, self._opening(position), position))

    def _opening(self, position: int) -> int:
        """Where the sentence holding ``position`` begins, after any dateline
        ("WASHINGTON (AP) — Clinton said ...": the place is not the subject)."""
        start = self.sentences.start_of(position)
        dateline = DATELINE_RE.match(self.text, start, position)
        return dateline.end() if dateline else start

    def _named(self, match: re.Match[str] | None) -> Speaker | None:
        """The resolved speaker of a match with a ``name`` or a ``pronoun`` group."""
        if match is None:
            return None
        kind = "pronoun" if match.group("pronoun") else "name"
        start, end = match.span(kind)
        if kind == "name":
            start, end = _trim_name(self.text, start, end)
            if not _is_name(self.text[start:end]) or self._participle(self.text[start:end]):
                return None
        return self._resolved(Speaker(self.text[start:end], start, end, None))

    def _participle(self, name: str) -> bool:
        """A sentence opening with a participle ("Reprising one of her lines, ...") is
        no name, unless someone in the article has it as a surname (Fleming)."""
        if " " in name or not name.endswith("ing"):
            return False
        return name not in self.by_surname

    def opens_with_person(self, position: int) -> bool:
        """Whether the sentence holding ``position`` opens, before it, with a personal
        pronoun or a person's name (one named in full somewhere in the article): "Clinton
        decried ...", "He implied ...", not "While ISIS got ..."."""
        match = SUBJECT_RE.match(self.text, self.sentences.start_of(position), position)
        if match is None:
            return False
        if match.group("pronoun"):
            return True
        start, end = _trim_name(self.text, *match.span("name"))
        words = self.text[start:end].split()
        if not words or not _is_name(" ".join(words)):
            return False
        return len(words) > 1 or words[-1] in self.by_surname

    def headline_subject(self, low: int, high: int) -> Speaker | None:
        """The person a headline ``text[low:high]`` opens with, when the article names
        them in full elsewhere: "Sanders Told A Reporter Not To ‘Moan’" is Bernie Sanders's
        (the verbs of a title-case headline have capitals, so no cue is found there)."""
        first = HEADLINE_WORD_RE.match(self.text, low, high)
        if first is None:
            return None
        words = [first]
        second = HEADLINE_WORD_RE.match(self.text, first.end() + 1, high)
        if second is not None and self.text[first.end()] == " ":
            words.append(second)
        for mention in self.mentions:
            if low <= mention.start < high:
                continue
            for word in reversed(words):
                if word.group(1) == mention.surname:
                    end = word.end(1)
                    return Speaker(self.text[low:end], low, end, mention.name)
        return None

    def same_sentence(self, start: int, end: int) -> bool:
        return self.sentences.same(start, end)

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
        after, adjacent = self._cue_after(start, end, close, index)
        before = self._cue_before(open_, index)
        # The cue before wins unless the one after follows the quotation directly, mid-sentence:
        # Smith said “We won.” Jones said ...; Cruz accuses Obama of “x” and Trump says ...
        if before is not None and (after is None or not adjacent or text[end - 1 : end] == "."):
            return before, True
        if after is not None:
            return after, True
        introduced = self._introduced(open_)
        if introduced is not None:
            return introduced, False
        subject = self.subject(open_) or self._role_subject(open_)
        if subject is not None:
            return subject, False
        return self._context_speaker(open_, previous), False

    def _role_subject(self, position: int) -> Speaker | None:
        """A described subject opening the sentence: "The judge then turned to me: “...”",
        "The ad targets a “...”" (PolNeAR's source when no one is named)."""
        match = ROLE_SUBJECT_RE.match(self.text, self._opening(position), position)
        if match is None:
            return None
        start, end = match.span("role")
        return self._resolved(Speaker(self.text[start:end], start, end, None))

    def _introduced(self, open_: int) -> Speaker | None:
        """The speaker of a colon that ends the paragraph before a quotation: "President
        Smith released the following statement:" or "Frank quotes Alfred Kahn:"."""
        colon = open_
        while colon > 0 and self.text[colon - 1] in " \t\n\r\u00a0":
            colon -= 1
        if colon == open_ or colon == 0 or self.text[colon - 1] != ":" or "\n" not in self.text[colon:open_]:
            return None
        index = bisect.bisect_left(self.starts, colon)
        return self._cue_before(colon, index) or self.subject(colon - 1)

    def _cue_after(self, start: int, end: int, close: int, index: int) -> tuple[Speaker | None, bool]:
        """The speaker of a cue right after the quotation, or later in its sentence, and
        whether it is right after (nothing but punctuation and titles between)."""
        text = self.text
        ended = SENTENCE_END_RE.search(text, max(start, end - 3), end) is not None
        for attribution in self.attributions[index : index + 3]:
            gap = text[close : attribution.start]
            if not gap.strip() and text[attribution.cue_start] in DASHES:
                return attribution.speaker, True  # a signature, maybe on the next line
            if "\n" in gap:
                break
            if ADJACENT_GAP_RE.fullmatch(gap):
                return attribution.speaker, True
            if (not ended and attribution.start - close < 80
                    and not QUOTE_IN_GAP_RE.search(gap) and self.same_sentence(close, attribution.start)):
                return attribution.speaker, False
        return None, False

    def _cue_before(self, open_: int, index: int) -> Speaker | None:
        """The speaker of the last cue before the quotation in its sentence, or of the
        cue that reports it: "Obama said he expected that Americans will say “no”" and
        "Diaz said of Mr. Rubio: “...”" are the outer speaker's."""
        found = None
        for attribution in reversed(self.attributions[:index]):
            if attribution.cue_end > open_:
                continue
            if not self.same_sentence(attribution.cue_end, open_):
                break
            if found is not None and not self._reports(attribution, found):
                break
            found = attribution
        return found.speaker if found is not None else None

    def _reports(self, outer: Attribution, inner: Attribution) -> bool:
        """Whether ``inner`` stands in what ``outer`` reports: no quotation, clause break or
        coordination between them ("Smith said X, and Jones said")."""
        if outer.speaker is None or inner.speaker is None or outer.end > inner.start:
            return False
        if outer.cue_end - outer.cue_start < 2 or self.text[outer.cue_start] in DASHES:
            return False  # a colon or a signature reports nothing further
        return NOT_REPORTED_RE.search(self.text, outer.cue_end, inner.start) is None

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
            start = mention.start
            if self.text[start - 4 : start] == "The ":
                start -= 4  # "The New York Times", as the article writes it
            return Speaker(self.text[start : mention.end], start, mention.end, mention.name)
        return None
