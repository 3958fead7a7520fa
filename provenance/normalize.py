"""Text normalisation with a map back to the raw text.

Matching happens on normalised words (case folded, apostrophes and quote
styles unified, punctuation dropped); every normalised word keeps the offsets
of the raw characters it came from, so that alignments and alterations are
always reported on the text the user gave.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

# A word: letters or digits, joined by inner apostrophes ("we're", "Trump’s").
WORD_RE = re.compile(r"[^\W_]+(?:['’ʼ][^\W_]+)*")
ELLIPSIS_RE = re.compile(r"…|\.\s?\.\s?\.|\[\s*(?:…|\.\.\.)\s*\]")
APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "‘": "'"})


class Word(NamedTuple):
    """A normalised word and where it stands in the raw text (a named tuple: an article
    and each source aligned against it make thousands, and a tuple is quick to make)."""

    norm: str
    start: int
    end: int


@lru_cache(maxsize=1 << 18)
def normalize_word(raw: str) -> str:
    """Fold case, accents and apostrophe styles so equal words compare equal."""
    if raw.isascii():  # the common case, and the same result: nothing to fold but case
        return raw.lower()
    folded = unicodedata.normalize("NFKD", raw.translate(APOSTROPHES).casefold())
    return "".join(ch for ch in folded if not unicodedata.combining(ch))


def words(text: str, start: int = 0, end: int | None = None) -> list[Word]:
    """The words of ``text[start:end]`` with offsets into ``text``."""
    stop = len(text) if end is None else end
    return [
        Word(normalize_word(match.group()), match.start(), match.end())
        for match in WORD_RE.finditer(text, start, stop)
    ]


def ellipses(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Spans of ellipsis marks ("…", "...", "[...]") inside ``text[start:end]``."""
    stop = len(text) if end is None else end
    return [(m.start(), m.end()) for m in ELLIPSIS_RE.finditer(text, start, stop)]


def fold_punctuation(raw: str) -> str:
    """Typography that does not change meaning: quote styles, dashes, spacing."""
    table = str.maketrans(
        {"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'", "’": "'",
         "–": "-", "—": "-", "‐": "-", "\u00a0": " "}
    )
    return " ".join(raw.translate(table).split())
