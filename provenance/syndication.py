"""Recognise syndicated copies by the footer that feed plugins append.

WordPress (and the many sites that republish through its RSS feeds) ends a
copied post with "The post <TITLE> appeared first on <SITE>." In HTML both are
links: the first to the original article, the second to the original site.
A document carrying that footer is a copy; the footer names its original.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from lxml import etree

from . import index
from .model import Document
from .normalize import words

if TYPE_CHECKING:
    from .store import Store

FOOTER = re.compile(
    r"The post\s+(?P<title>.+?)\s+appeared first on\s+(?P<publisher>.+?)\s*\.?\s*$",
    re.DOTALL,
)
FOOTER_LINE = re.compile(r"^[ \t]*The post\s+.+?\s+appeared first on\s+.+?$", re.MULTILINE)


@dataclass(frozen=True)
class Syndication:
    """Where a syndicated copy says its original appeared."""

    title: str
    publisher: str
    url: str | None = None
    site_url: str | None = None

    def note(self) -> str:
        where = f" <{self.url}>" if self.url else ""
        return f"syndicated: original “{self.title}”{where} appeared first on {self.publisher}"


def find_syndication_in_text(text: str) -> Syndication | None:
    """The footer's title and publisher, from the last footer line of a plain text."""
    lines = FOOTER_LINE.findall(text)
    if not lines:
        return None
    match = FOOTER.match(lines[-1].strip())
    if not match:
        return None
    return Syndication(title=_clean(match["title"]), publisher=_clean(match["publisher"]))


def find_syndication(tree: etree._Element) -> Syndication | None:
    """The footer in an HTML tree, with the links to the original post and site."""
    found: Syndication | None = None
    for element in tree.iter("p", "div", "footer", "span", "section"):
        words = " ".join("".join(element.itertext()).split())
        match = FOOTER.fullmatch(words)
        if not match:
            continue
        links = [a.get("href") for a in element.iter("a") if a.get("href")]
        found = Syndication(
            title=_clean(match["title"]),
            publisher=_clean(match["publisher"]),
            url=links[0] if links else None,
            site_url=links[1] if len(links) > 1 else None,
        )
        # the innermost element wins: keep looking in document order
    return found


def _clean(words: str) -> str:
    return " ".join(words.split()).strip(" .")


NOTE_PREFIX = "syndicated: original “"


def from_notes(notes: tuple[str, ...] | list[str]) -> Syndication | None:
    """The Syndication a reader recorded in a document's notes (see ``Syndication.note``)."""
    for note in notes:
        if not note.startswith(NOTE_PREFIX):
            continue
        title, _, rest = note[len(NOTE_PREFIX) :].partition("”")
        url = None
        rest = rest.strip()
        if rest.startswith("<"):
            url, _, rest = rest[1:].partition(">")
        publisher = rest.strip().removeprefix("appeared first on").strip()
        return Syndication(title=title, publisher=publisher, url=url or None)
    return None


def syndication_of(text: str, notes: tuple[str, ...] | list[str] = ()) -> Syndication | None:
    """What a document says about its original: from its notes, else from its text."""
    return from_notes(notes) or find_syndication_in_text(text)


def shingles(text: str, *, size: int = 5) -> set[tuple[str, ...]]:
    """Word ``size``-grams of the normalised text."""
    folded = [word.norm for word in words(text)]
    return {tuple(folded[i : i + size]) for i in range(max(len(folded) - size + 1, 1))}


def containment(copy: str, original: str, *, size: int = 5) -> float:
    """Share of the copy's word 5-grams found in the original (1.0: all of it)."""
    copied = shingles(copy, size=size)
    if not copied:
        return 0.0
    return len(copied & shingles(original, size=size)) / len(copied)


COPY_THRESHOLD = 0.8
"""A copy may add a footer, a byline or a "Read more"; 80% of its 5-grams must be the original's."""


def is_copy(copy: str, original: str, *, threshold: float = COPY_THRESHOLD) -> bool:
    """True when (nearly) all of ``copy`` is ``original``'s text."""
    return containment(copy, original) >= threshold


@dataclass(frozen=True)
class Original:
    """The original of a syndicated copy, as found in the archive, and how it was found."""

    document: Document
    how: str


def find_original(store: Store, copy: Document) -> Original | None:
    """The indexed original of ``copy``: named by its footer, else a near-identical earlier text.

    A footer's link is looked up among stored locations, then its title
    among documents of that publisher; failing both, the earliest indexed
    document whose shingles nearly equal the copy's (MinHash, Jaccard >= 0.8)
    and that was published before it.
    """
    syndication = syndication_of(copy.text, copy.notes)
    if syndication is not None:
        for location in filter(None, (syndication.url,)):
            for document in store.documents_at(location):
                if document.text != copy.text:
                    return Original(document, f"named by its footer ({location})")
        for document in store.documents_titled(syndication.title):
            if document.text != copy.text and _before(document, copy):
                return Original(document, f"named by its footer (“{syndication.title}”)")
    earlier = [
        document
        for key, _ in index.near_duplicates(store, words(copy.text), threshold=0.8)
        for document in store.documents_by_key([key]).values()
        if document.text != copy.text and _before(document, copy)
        and is_copy(copy.text, document.text)
    ]
    if earlier:
        first = min(earlier, key=lambda document: document.published or datetime.max.replace(tzinfo=UTC))
        return Original(first, "nearly all of its text is this earlier document's")
    return None


def _before(document: Document, copy: Document) -> bool:
    if document.published is None or copy.published is None:
        return True
    return document.published < copy.published


def original_note(original: Original) -> str:
    document = original.document
    when = document.published.isoformat() if document.published else "undated"
    who = document.publisher or "unknown publisher"
    return (
        f"Syndicated copy: the original is “{document.title or document.id}” ({who}, {when}), "
        f"document {document.id}; {original.how}."
    )
