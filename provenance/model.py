"""The small value types that flow between the pipeline stages.

Every span is a pair of Python string indices into the raw text it belongs to
(the article as read, or a stored document's text): ``text[start:end]`` gives
the span back exactly. Nothing here is normalised.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

QUOTATION_KINDS = ("quoted", "block", "unmarked")
STATUSES = ("traced", "unsourced", "term")
SEVERITIES = ("cosmetic", "minor", "major")
ALTERATION_KINDS = (
    "cosmetic",
    "substitution",
    "insertion",
    "omission",
    "ellipsis",
    "truncation",
    "splice",
    "reorder",
    "emphasis_added",
    "negation",
    "misattribution",
    "paraphrase",
)


class ProvenanceError(Exception):
    """A problem the user can fix: the message says what and where."""


@dataclass(frozen=True)
class Emphasis:
    """A run of emphasised text (bold, italic, underline, caps) in a document."""

    start: int
    end: int
    style: str


@dataclass(frozen=True)
class Document:
    """One dated text: an archived source, or the article being traced.

    ``key`` is the database's integer key once stored; ``id`` is the caller's
    own id where the input gave one, else derived from the content hash.
    """

    text: str
    id: str | None = None
    title: str | None = None
    url: str | None = None
    publisher: str | None = None
    author: str | None = None
    published: datetime | None = None
    path: str | None = None
    format: str = "text"
    emphasis: tuple[Emphasis, ...] = ()
    notes: tuple[str, ...] = ()
    key: int | None = None
    # Passages the markup itself marks as quotations (HTML <blockquote>: style
    # "block", <q>: style "inline"), as spans into ``text``.
    quotes: tuple[Emphasis, ...] = ()


@dataclass(frozen=True)
class Speaker:
    """Who the article says spoke: the words in the article and the resolved name."""

    text: str
    start: int
    end: int
    name: str | None = None


@dataclass(frozen=True)
class Quotation:
    """A quotation found in an article, before it is traced.

    ``start``/``end`` delimit the quoted words without their quote marks.
    ``term`` is true for scare quotes and titles of works.
    """

    start: int
    end: int
    text: str
    kind: str
    speaker: Speaker | None = None
    term: bool = False


@dataclass(frozen=True)
class Alteration:
    """One change between a quotation and its source passage."""

    kind: str
    severity: str
    start: int
    end: int
    source_start: int
    source_end: int
    quoted: str
    original: str
    note: str = ""
    # In a chain A -> B -> article: "article" if the article made the change, else the
    # id of the intermediate source that already had it. None when there is no chain.
    introduced_by: str | None = None


@dataclass(frozen=True)
class Alignment:
    """A quotation aligned word by word with a passage of one source document."""

    document: Document
    start: int
    end: int
    score: float
    alterations: tuple[Alteration, ...] = ()
    segments: tuple[tuple[int, int, int, int], ...] = ()

    @property
    def text(self) -> str:
        return self.document.text[self.start : self.end]


@dataclass(frozen=True)
class TracedQuotation:
    """A quotation with its earliest source, closest source and the chain between."""

    quotation: Quotation
    status: str
    source: Alignment | None = None
    closest: Alignment | None = None
    chain: tuple[Alignment, ...] = ()
    later: tuple[Alignment, ...] = ()
    parent: int | None = None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Trace:
    """Everything found for one article."""

    document: Document
    quotations: tuple[TracedQuotation, ...] = field(default_factory=tuple)
    notes: tuple[str, ...] = ()
    near_duplicates: tuple[tuple[Document, float], ...] = ()  # (document, estimated Jaccard)
