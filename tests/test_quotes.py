"""Quotation and speaker extraction: the seed article and hand-made news sentences."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.model import Quotation
from provenance.quotes import find_quotations, find_speaker

SEED = Path(__file__).resolve().parent.parent / "seeds" / "000_3a0d1274ca379c80.txt"


def quotation(text: str, words: str) -> Quotation:
    """The one quotation whose text starts with ``words``."""
    found = [q for q in find_quotations(text) if q.text.startswith(words)]
    assert len(found) == 1, find_quotations(text)
    return found[0]


def speaker_name(text: str, words: str) -> str | None:
    speaker = quotation(text, words).speaker
    return speaker.name if speaker else None


@pytest.fixture(scope="module")
def seed() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.mark.parametrize("term", ["Caliphate", "managed", "official", "gas", "American courage"])
def test_seed_scare_quotes_are_terms(seed: str, term: str) -> None:
    assert quotation(seed, term).term


def test_seed_graham_after_cue(seed: str) -> None:
    found = quotation(seed, "set in motion enthusiasm")
    assert not found.term
    assert found.speaker is not None and found.speaker.name == "Lindsey Graham"
    assert seed[found.speaker.start : found.speaker.end] == "Lindsey Graham"


def test_seed_mr_graham_resolves_to_full_name(seed: str) -> None:
    found = quotation(seed, "I saw this in Iraq")
    assert found.speaker is not None
    assert found.speaker.text == "Graham"
    assert found.speaker.name == "Lindsey Graham"


def test_seed_offsets_slice_back(seed: str) -> None:
    for found in find_quotations(seed):
        assert seed[found.start : found.end] == found.text
        assert found.kind in ("quoted", "block")


@pytest.mark.parametrize(
    "text",
    [
        'Smith said, "We will win the vote tomorrow."',
        "Smith said, “We will win the vote tomorrow.”",
        "Smith said, «We will win the vote tomorrow.»",
        "Smith said, »We will win the vote tomorrow.«",
        "Smith said, „We will win the vote tomorrow.“",
        "Smith said, ‘We will win the vote tomorrow.’",
        "Smith said, 'We will win the vote tomorrow.'",
        "Smith said, ''We will win the vote tomorrow.''",
    ],
)
def test_quote_styles(text: str) -> None:
    found = [q for q in find_quotations(text) if not q.term]
    assert [q.text for q in found] == ["We will win the vote tomorrow."]
    assert found[0].speaker is not None and found[0].speaker.text == "Smith"


def test_apostrophes_are_not_quote_marks() -> None:
    text = "Trump’s rally in the ’90s style was rock ’n’ roll, and we’re told the Clintons’ plan won."
    assert find_quotations(text) == []


def test_nested_quotation_reports_outer_and_inner() -> None:
    text = "“He told me ‘never give up’ every day,” said Ann Lee."
    outer, inner = find_quotations(text)
    assert outer.text == "He told me ‘never give up’ every day,"
    assert inner.text == "never give up"
    assert outer.speaker is not None and outer.speaker.name == "Ann Lee"


def test_multi_paragraph_quotation_is_one() -> None:
    text = (
        "Mayor Jane Ortiz said:\n\n"
        "“We built the bridge in two years.\n\n"
        "“We will build the tunnel in three.”\n\nThen she left."
    )
    quotations = find_quotations(text)
    assert len(quotations) == 1
    assert quotations[0].text.startswith("We built") and quotations[0].text.endswith("three.")
    assert quotations[0].speaker is not None and quotations[0].speaker.name == "Jane Ortiz"


def test_stray_mark_does_not_swallow_the_article() -> None:
    text = "He said “this is broken.\n\nThe next paragraph has no marks at all.\n\nNor this one."
    for found in find_quotations(text):
        assert "next paragraph" not in found.text


def test_speaker_before_the_quotation() -> None:
    text = "Senator Maria Cantwell told reporters: “The bill is dead.”"
    assert speaker_name(text, "The bill") == "Maria Cantwell"


def test_pronoun_resolves_to_last_fitting_name() -> None:
    text = (
        "Governor Tom Baker met Senator Mary Ward on Monday. "
        "“We disagree on taxes,” she said. “But we agree on roads,” he said."
    )
    assert speaker_name(text, "We disagree") == "Mary Ward"
    assert speaker_name(text, "But we agree") == "Tom Baker"


def test_title_and_surname_resolve_to_full_name() -> None:
    text = "Lindsey Graham spoke first.\n\n“I saw this in Iraq,” Mr. Graham said."
    found = quotation(text, "I saw this")
    assert found.speaker is not None
    assert (found.speaker.text, found.speaker.name) == ("Graham", "Lindsey Graham")


def test_role_speaker() -> None:
    text = "“We have no comment at this time,” a White House spokesman said."
    found = quotation(text, "We have no comment")
    assert found.speaker is not None and "spokesman" in found.speaker.text


def test_split_quotation_shares_the_speaker() -> None:
    text = "“I saw this in Iraq,” Graham said, “and I am seeing it now in Syria.”"
    first, second = find_quotations(text)
    assert first.speaker is not None and second.speaker is not None
    assert first.speaker.text == second.speaker.text == "Graham"


@pytest.mark.parametrize(
    "text",
    [
        "“Taxes will rise next year for everyone,” according to Paul Ryan.",
        "“Taxes will rise next year for everyone,” Paul Ryan told reporters.",
        "“Taxes will rise next year for everyone,” Paul Ryan wrote on Twitter.",
        "“Taxes will rise next year for everyone,” Paul Ryan said in a statement.",
    ],
)
def test_cue_phrases(text: str) -> None:
    assert speaker_name(text, "Taxes will rise") == "Paul Ryan"


def test_speaker_in_previous_sentence() -> None:
    text = "Paul Ryan spoke after the vote. He was blunt.\n\n“Taxes will rise next year for everyone.”"
    assert speaker_name(text, "Taxes will rise") == "Paul Ryan"


def test_headline_quotation() -> None:
    text = "Sanders: Clinton needs to ‘get away from all of this personality stuff’\n\nBody text."
    found = quotation(text, "get away")
    assert not found.term
    assert found.speaker is not None and found.speaker.text == "Sanders"


def test_title_of_work_is_a_term() -> None:
    text = "She appeared on “The Late Show With Stephen Colbert” last night and smiled."
    assert quotation(text, "The Late Show").term


def test_markdown_block_quotation() -> None:
    text = "Graham wrote:\n\n> We must stay in Syria until the job is done.\n\nThat was all."
    blocks = [q for q in find_quotations(text) if q.kind == "block"]
    assert [b.text for b in blocks] == ["We must stay in Syria until the job is done."]


def test_list_item_is_not_a_block_quotation() -> None:
    text = "Reasons:\n\n    1. President Trump is showing his resolve in a decision.\n"
    assert [q for q in find_quotations(text) if q.kind == "block"] == []


def test_find_speaker_for_unmarked_passage() -> None:
    text = "Taxes will rise next year for everyone, Paul Ryan said on Monday."
    speaker = find_speaker(text, 0, text.index(","))
    assert speaker is not None and speaker.name == "Paul Ryan"


PIECES = st.sampled_from(
    ['"', "“", "”", "«", "»", "„", "‘", "’", "'", "''", "\n", "\n\n", " ", ", ", ". ",
     "said", " he said", " Mr. Graham said", "Lindsey Graham", " according to ", "we’re",
     "’90s", "rock ’n’ roll", "> ", "    ", ":", "word", "Senate", " she ", "who"]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(PIECES, st.text(max_size=5)), max_size=40).map("".join))
def test_offsets_always_slice_back(text: str) -> None:
    quotations = find_quotations(text)
    assert quotations == sorted(quotations, key=lambda q: (q.start, -q.end))
    for found in quotations:
        assert text[found.start : found.end] == found.text
        if found.speaker is not None:
            speaker = found.speaker
            assert text[speaker.start : speaker.end] == speaker.text
        again = find_speaker(text, found.start, found.end)
        if again is not None:
            assert text[again.start : again.end] == again.text
