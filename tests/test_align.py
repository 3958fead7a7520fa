"""Alignment: segments at ellipses, pieces where the shingle chain jumps."""

from __future__ import annotations

from provenance.align import SourceText, align, score, split_segments

SOURCE = (
    "Four Americans were among nineteen people killed in Syria on Wednesday in a suicide "
    "bombing that was claimed by the Islamic State.\n\n"
    "The attack targeted an American military convoy in the northern city of Manbij while "
    "troops were inside a restaurant where they often stopped to eat during patrols.\n\n"
    "The Pentagon said the dead included two service members, a civilian employee of the "
    "Defense Department and a contractor working for the military.\n\n"
    "Officials said the withdrawal, which planners expect to take several months, was "
    "proceeding, and that equipment had already begun to leave some bases."
)


def aligned(quote: str, source: str = SOURCE):
    return align(quote, 0, len(quote), SourceText.of(source))


def source_words(segment, source: str = SOURCE) -> str:
    words = SourceText.of(source).words
    first, last = segment.source_span
    return source[words[first].start : words[last - 1].end]


def test_split_segments_cuts_at_each_ellipsis_and_keeps_the_mark():
    quote = "one two three … four five ... six"
    pieces = split_segments(quote, 0, len(quote))
    assert [[w.norm for w in words] for words, _ in pieces] == [
        ["one", "two", "three"], ["four", "five"], ["six"]]
    assert [quote[m[0]:m[1]] for _, m in pieces if m] == ["…", "..."]


def test_exact_quotation_is_one_segment_scoring_100():
    quote = "The attack targeted an American military convoy in the northern city of Manbij"
    segments = aligned(quote)
    assert len(segments) == 1
    assert score(segments, len(quote.split())) == 100.0
    assert source_words(segments[0]) == quote


def test_unmarked_splice_from_two_paragraphs_is_two_pieces():
    quote = ("Four Americans were among nineteen people killed in Syria on Wednesday. "
             "The Pentagon said the dead included two service members")
    segments = aligned(quote)
    assert len(segments) == 2
    assert source_words(segments[0]).startswith("Four Americans")
    assert source_words(segments[1]).startswith("The Pentagon said")
    assert segments[0].mark is None


def test_reordered_parts_are_found_in_source_order_reversed():
    quote = ("a civilian employee of the Defense Department and a contractor working for the "
             "military, the Pentagon said the dead included two service members")
    segments = aligned(quote)
    assert len(segments) == 2
    assert segments[0].source_span[0] > segments[1].source_span[0]


def test_a_repeated_phrase_just_before_the_passage_does_not_steal_the_match():
    source = "He spoke to the State Department.\n\nThe State Department deleted much of the file."
    quote = "The State Department deleted much of the file."
    segments = aligned(quote, source)
    assert len(segments) == 1
    assert all(tag == "equal" for tag, *_ in segments[0].ops)
    assert source_words(segments[0], source) == quote.rstrip(".")


def test_markdown_markers_do_not_disturb_the_alignment():
    quote = "The attack targeted an **American** military convoy in the _northern_ city"
    segments = aligned(quote)
    assert score(segments, 11) == 100.0


def test_words_the_source_lacks_stay_inside_the_piece_as_added():
    quote = ("The attack targeted an American military convoy, hated by everyone in town, in the "
             "northern city of Manbij")
    segments = aligned(quote)
    tags = [tag for segment in segments for tag, *_ in segment.ops]
    assert "added" in tags
    assert sum(s.matched for s in segments) == 13


def test_absent_quotation_is_not_aligned():
    assert aligned("Nothing in this sentence appears anywhere in that report at all") is None
