"""The gold of the PolNeAR benchmark (benchmarks/quotes_polnear.py), on a made-up article:
the corpus itself is not part of the repository."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent / "benchmarks"))
from quotes_polnear import gold_quotations  # noqa: E402  (benchmarks/ is not a package)

TEXT = (
    "Partial transcript as follows:\n\n"
    "\"WALLACE: Let's start with the news. Will she be there?\n\n"
    "\"PENCE: Well, look, she thinks this is an episode of “Shark Tank.” But this is America.\n\n"
    "\"Melanie thought the whole thing was outrageous.\n\n"
    "Smith said “we won” on Sunday."
)


def attribution(number: int, source: str, cue: str, content: str) -> str:
    """brat lines of one attribution; each span is found after the one before it."""
    lines, position = [], 0
    for offset, (kind, words) in enumerate((("Source", source), ("Cue", cue), ("Content", content))):
        start = TEXT.index(words, position)
        position = start + len(words)
        lines.append(f"T{number + offset}\t{kind} {start} {position}\t{words}\n")
    lines.append(f"E{number}\tAttribution:T{number + 1} Content:T{number + 2} "
                 f"Cue:T{number + 1} Source:T{number}\n")
    return "".join(lines)


def test_a_quoted_transcript_turn_is_gold_whole(tmp_path: Path) -> None:
    """A turn's marks open before its label, so no mark is inside its Content span; the
    title inside Pence's turn is part of his quotation, not a quotation of its own.
    Indirect speech inside a quoted paragraph ("Melanie thought ...") stays indirect."""
    ann = tmp_path / "article_a.ann"
    ann.write_text(
        attribution(1, "WALLACE", ":", "Let's start with the news. Will she be there?")
        + attribution(10, "PENCE", ":", "Well, look, she thinks this is an episode of “Shark Tank.” "
                      "But this is America.")
        + attribution(20, "Melanie", "thought", "the whole thing was outrageous")
        + attribution(30, "Smith", "said", "we won"),
        encoding="utf-8",
    )
    golds = {TEXT[g.start : g.end]: g.source[2] if g.source else None for g in gold_quotations(TEXT, ann)}
    assert golds == {
        "Let's start with the news. Will she be there?": "WALLACE",
        "Well, look, she thinks this is an episode of “Shark Tank.” But this is America.": "PENCE",
        "we won": "Smith",
    }
