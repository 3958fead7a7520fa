"""Alteration flags: one small hand-made case per kind, the hard ones, and properties."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from provenance import alterations, coverage, ingest, report, trace
from provenance.align import SourceText, align, score
from provenance.model import Alteration, Document, Emphasis, Quotation, Speaker
from provenance.store import Store

ROOT = Path(__file__).resolve().parent.parent

REPORT = (
    "The senator said the plan would not work without new funding from the states.\n\n"
    "The bombing raised new questions about the decision last month to end the ground war. "
    "Critics said the claim of victory may have emboldened its fighters and encouraged the strike. "
    "The group has lost nearly all of its territory, but commanders warned that thousands of "
    "fighters remain at large. The announcement set in motion enthusiasm by the enemy, said "
    "Senator Lindsey Graham, a Republican of South Carolina.\n\n"
    "The Pentagon said the dead included two service members and a contractor working for the "
    "military.\n\n"
    "“This attack is a tragic reminder that the fight is not finished,” said Senator Jack Reed "
    "of Rhode Island, the senior Democrat on the committee."
)


def flags(quote: str, source: str = REPORT, **options) -> list[Alteration]:
    """Alterations of ``quote`` (the whole string) against ``source``."""
    source_text = SourceText.of(source, options.pop("document", None))
    segments = align(quote, 0, len(quote), source_text)
    assert segments, "the quotation should be found in the source"
    found = alterations.flag(quote, segments, source_text, **options)
    for alteration in found:  # every span slices back
        assert quote[alteration.start : alteration.end] == alteration.quoted
        if alteration.kind not in ("misattribution",):
            assert source[alteration.source_start : alteration.source_end] == alteration.original
    return found


def kinds(found: list[Alteration]) -> set[str]:
    return {a.kind for a in found}


def only(found: list[Alteration], kind: str) -> Alteration:
    matching = [a for a in found if a.kind == kind]
    assert len(matching) == 1, found
    return matching[0]


# -- one per kind ----------------------------------------------------------------

def test_straight_versus_curly_quote_marks_is_cosmetic_and_nothing_else():
    source = "He said: “It’s the ‘only’ way,” and left. Then he called it a ‘plan’ for all."
    quote = "He said: \"It's the 'only' way,\" and left."
    found = flags(quote, source)
    assert kinds(found) == {"cosmetic"}
    assert all(a.severity == "cosmetic" for a in found)
    assert {a.note for a in found} == {"quote or apostrophe style"}


def test_substitution_names_both_words():
    found = flags("The Pentagon said the dead included two service members and a contractor "
                  "working for the navy.")
    change = only(found, "substitution")
    assert (change.quoted, change.original) == ("navy", "military")


def test_bracketed_insertion_is_an_editorial_insertion():
    found = flags("The Pentagon said the dead included two [American] service members and a "
                  "contractor working for the military.")
    change = only(found, "insertion")
    assert change.quoted == "[American]"
    assert change.note == "bracketed"
    assert change.severity == "minor"


def test_unmarked_omission():
    found = flags("The Pentagon said the dead included two service members and a contractor.")
    assert "truncation" in kinds(found)  # "working for the military" is cut at the end
    found = flags("The Pentagon said the dead included two members and a contractor working for "
                  "the military.")
    assert only(found, "omission").original == "service"


def test_ellipsis_recovers_the_original_text():
    quote = ("Critics said the claim of victory may have emboldened its fighters and encouraged "
             "the strike … The announcement set in motion enthusiasm by the enemy")
    found = flags(quote)
    ellipsis = only(found, "ellipsis")
    assert ellipsis.quoted == "…"
    assert ellipsis.original.startswith("The group has lost nearly all of its territory")
    assert ellipsis.original.endswith("fighters remain at large.")


def test_an_ellipsis_that_hides_a_not_is_a_major_negation():
    quote = "The senator said the plan would … work without new funding from the states."
    found = flags(quote)
    assert only(found, "ellipsis").original == "not"
    negation = only(found, "negation")
    assert negation.severity == "major"
    assert "removes 'not'" in negation.note


def test_truncation_reports_the_clause_cut_off():
    found = flags("the plan would not work")
    cuts = [a for a in found if a.kind == "truncation"]
    assert {a.original for a in cuts} == {"The senator said", "without new funding from the states."}


def test_two_sentences_from_different_paragraphs_spliced_without_a_mark():
    quote = ("The senator said the plan would not work without new funding from the states. "
             "The Pentagon said the dead included two service members and a contractor working "
             "for the military.")
    found = flags(quote)
    splice = only(found, "splice")
    assert splice.severity == "major"
    assert splice.quoted == ""
    assert "different paragraphs" in splice.note
    assert splice.original.startswith("The bombing raised new questions")
    assert "negation" not in kinds(found)  # whole sentences in between qualify nothing quoted


def test_an_ellipsis_across_paragraphs_is_a_splice():
    quote = ("The senator said the plan would not work without new funding from the states … "
             "The Pentagon said the dead included two service members")
    found = flags(quote)
    assert "splice" in kinds(found)
    assert "ellipsis" not in kinds(found)
    assert "marked with an ellipsis" in only(found, "splice").note


def test_reorder():
    quote = ("and a contractor working for the military, the Pentagon said the dead included two "
             "service members")
    found = flags(quote)
    assert only(found, "reorder").severity == "major"
    assert "splice" not in kinds(found)


def test_negation_added():
    found = flags("The Pentagon said the dead never included two service members and a "
                  "contractor working for the military.")
    assert only(found, "negation").severity == "major"
    assert only(found, "insertion").quoted == "never"


@pytest.mark.parametrize("qualifier", ["allegedly", "only", "might"])
def test_qualifiers_count_as_negation(qualifier):
    found = flags(f"The Pentagon said the dead {qualifier} included two service members and a "
                  "contractor working for the military.")
    assert "negation" in kinds(found)


def test_misattribution_to_the_wrong_senator():
    quote = "This attack is a tragic reminder that the fight is not finished"
    credited = Speaker("Senator Chuck Grassley", 0, 0, "Chuck Grassley")
    found = flags(quote, speaker=credited)
    wrong = only(found, "misattribution")
    assert wrong.severity == "major"
    assert "Jack Reed" in wrong.note
    right = flags(quote, speaker=Speaker("Reed", 0, 0, "Jack Reed"))
    assert "misattribution" not in kinds(right)


def test_misattribution_against_a_transcript_label():
    hearing = ("SEN. LINDSEY GRAHAM (R-S.C.): The committee will come to order.\n\n"
               "GRAHAM: I saw this in Iraq. And I am now seeing it in Syria.\n\n"
               "SEN. DIANNE FEINSTEIN (D-Calif.): Thank you very much, Mr. Chairman.")
    quote = "I saw this in Iraq. And I am now seeing it in Syria."
    found = flags(quote, hearing, speaker=Speaker("Feinstein", 0, 0, "Dianne Feinstein"))
    assert only(found, "misattribution").original == "GRAHAM"
    assert "misattribution" not in kinds(
        flags(quote, hearing, speaker=Speaker("Graham", 0, 0, "Lindsey Graham")))


def test_paraphrase_says_how_loosely():
    quotation = Quotation(0, 40, "x" * 40, "quoted")
    edits = [Alteration("substitution", "minor", n, n + 1, 0, 1, "x", "T") for n in (2, 9, 20)]
    loose = alterations.paraphrase(quotation, 64.0, REPORT, 0, 10, edits)
    assert loose is not None and loose.kind == "paraphrase"
    assert "64%" in loose.note
    assert alterations.paraphrase(quotation, 92.0, REPORT, 0, 10, edits) is None
    assert alterations.paraphrase(quotation, 64.0, REPORT, 0, 10, edits[:1]) is None  # one edit
    unmarked = Quotation(0, 40, "x" * 40, "unmarked")
    assert alterations.paraphrase(unmarked, 64.0, REPORT, 0, 10, edits) is None


# -- emphasis ---------------------------------------------------------------------

QUOTE = "The Pentagon said the dead included two service members and a contractor."


def test_markdown_bold_and_italics_are_emphasis_added():
    found = flags("The Pentagon said the dead included **two** service members and a _contractor_.")
    added = [a for a in found if a.kind == "emphasis_added"]
    assert [a.quoted for a in added] == ["**two**", "_contractor_"]
    assert [a.original for a in added] == ["two", "contractor"]


def test_capitals_the_source_lacks_are_emphasis_not_case():
    found = flags("The Pentagon said the dead included TWO SERVICE members and a contractor.")
    assert only(found, "emphasis_added").quoted == "TWO SERVICE"
    assert "cosmetic" not in kinds(found)


def test_bold_words_inside_an_html_quotation():
    article = "He wrote: “The Pentagon said the dead included two service members.”"
    start = article.index("The Pentagon")
    end = article.index(".”") + 1
    bold = Emphasis(article.index("two"), article.index("two") + len("two service"), "bold")
    source = SourceText.of(REPORT)
    segments = align(article, start, end, source)
    found = alterations.flag(article, segments, source, emphasis=(bold,))
    added = only(found, "emphasis_added")
    assert article[added.start : added.end] == "two service" == added.quoted
    assert added.note == "bold not in the source"
    # The same bold in the source is no change.
    source_bold = Emphasis(REPORT.index("two service"), REPORT.index("two service") + 11, "bold")
    with_bold = SourceText.of(REPORT, Document(REPORT, emphasis=(source_bold,)))
    assert "emphasis_added" not in kinds(alterations.flag(article, segments, with_bold,
                                                          emphasis=(bold,)))


def test_an_emphasis_note_without_visible_emphasis_is_reported_as_a_claim():
    article = f"As the report put it (emphasis added):\n\n{QUOTE}"
    start = article.index("The Pentagon")
    source = SourceText.of(REPORT)
    found = alterations.flag(article, align(article, start, len(article), source), source)
    claim = only(found, "emphasis_added")
    assert claim.quoted == "(emphasis added)"
    assert "no emphasis is visible" in claim.note


def test_italics_in_original_is_not_emphasis_added():
    article = "“The Pentagon said the dead included *two* service members” (italics in original)."
    source = SourceText.of(REPORT)
    segments = align(article, 1, article.index("”"), source)
    assert "emphasis_added" not in kinds(alterations.flag(article, segments, source))


# -- the seed, end to end: coverage and chain hops -----------------------------------

@pytest.fixture(scope="module")
def seed_trace(tmp_path_factory):
    store = Store(tmp_path_factory.mktemp("db") / "seed.db")
    ingest.ingest(store, [str(ROOT / "fixtures")])
    article = ingest.read_article(str(ROOT / "seeds" / "000_3a0d1274ca379c80.txt"))
    result = trace.trace(store, article)
    return result, report.trace_json(result)


def test_seed_coverage_names_the_nyt_paragraphs_the_article_skipped(seed_trace):
    _, result = seed_trace
    nyt = next(c for c in result["coverage"] if c["id"] and "nyt" in c["id"])
    assert nyt["quoted_paragraphs"] == [1, 2, 4]
    assert [p["number"] for p in nyt["partly_quoted"]] == [3]
    assert [p["number"] for p in nyt["left_out"]] == list(range(5, 14))
    assert nyt["left_out"][1]["preview"].startswith("Speaking at the State Department")
    assert 0.2 < nyt["share"] < 0.4
    block = next(q for q in result["quotations"] if q["kind"] == "unmarked")
    assert block["source"]["coverage"] == nyt
    assert "Selective quoting" in report.render_text(result)


def test_seed_reports_the_emphasis_claim_and_the_ellipsis(seed_trace):
    _, result = seed_trace
    block = next(q for q in result["quotations"] if q["kind"] == "unmarked")
    found = {a["kind"]: a for a in block["alterations"]}
    assert found["emphasis_added"]["quoted"] == "(emphasis added)"
    assert found["ellipsis"]["original"].startswith("The Islamic State has lost")


def test_seed_chain_says_the_truncation_was_already_in_the_times(seed_trace):
    _, result = seed_trace
    graham = next(q for q in result["quotations"] if q["text"].startswith("set in motion"))
    assert graham["alterations"] == []  # the article copied the Times exactly
    cuts = [a for a in graham["source_alterations"] if a["kind"] == "truncation"]
    assert cuts and all(a["introduced_by"] == "nyt-2019-01-16-manbij" for a in cuts)


def test_coverage_of_a_document_by_hand():
    document = Document("One two three four.\n\nFive six seven eight.\n\nNine ten.")
    covered = coverage.of_document(document, [(0, 18)])
    assert [p.quoted_words for p in covered.paragraphs] == [4, 0, 0]
    assert [p.number for p in covered.left_out] == [2, 3]
    assert covered.share == pytest.approx(4 / 10)


def test_trace_flags_a_paraphrase_and_credits_the_right_hop(tmp_path):
    store = Store(tmp_path / "p.db")
    source = Document(REPORT, id="report", published=datetime(2019, 1, 1, tzinfo=UTC))
    ingest.add_document(store, source)
    article = Document(
        "An op-ed said: “The Pentagon told us the dead were two soldiers and one contractor who "
        "was working for the military.”",
        id="op-ed", published=datetime(2019, 2, 1, tzinfo=UTC))
    result = trace.trace(store, article)
    quotation = result.quotations[0]
    assert quotation.status == "traced"
    loose = [a for a in quotation.closest.alterations if a.kind == "paraphrase"]
    assert loose and "%" in loose[0].note


# -- properties --------------------------------------------------------------------

VOCABULARY = [
    "budget", "council", "river", "harbor", "transit", "market", "school", "winter", "bridge",
    "station", "garden", "library", "museum", "vote", "tax", "road", "power", "water", "union",
    "county", "court", "police", "doctor", "farmer", "teacher", "worker", "mayor", "office",
    "report", "plan", "season", "league", "coach", "player", "ticket", "price", "store",
    "tablet", "phone", "screen", "battery", "storm", "heat", "flood", "fire", "north", "south",
    "east", "west", "morning", "evening", "week", "month", "year", "city", "town", "village",
]

sentence = st.lists(st.sampled_from(VOCABULARY), min_size=6, max_size=14, unique=True).map(
    lambda words: " ".join(words).capitalize() + ".")
paragraphs = st.lists(st.lists(sentence, min_size=1, max_size=3).map(" ".join),
                      min_size=2, max_size=5)


@settings(max_examples=120, deadline=None)
@given(paragraphs, st.data())
def test_an_unaltered_quotation_has_no_non_cosmetic_alterations(paras, data):
    source = "\n\n".join(paras)
    chosen = data.draw(st.sampled_from(paras))
    sentences = [s + "." for s in chosen.rstrip(".").split(". ")]
    first = data.draw(st.integers(0, len(sentences) - 1))
    last = data.draw(st.integers(first, len(sentences) - 1))
    quote = " ".join(sentences[first : last + 1])
    source_text = SourceText.of(source)
    # Only passages the source holds once: a repeated run of words is ambiguous to anyone.
    assume(all(len(places) == 1 for places in source_text.positions.values()))
    segments = align(quote, 0, len(quote), source_text)
    assert segments
    assert score(segments, len(quote.split())) == 100
    found = alterations.flag(quote, segments, source_text)
    assert [a for a in found if a.severity != "cosmetic"] == []


EDITS = st.lists(st.tuples(st.sampled_from(["drop", "add", "swap", "mark", "caps", "bold"]),
                           st.integers(0, 1000)), max_size=4)


@settings(max_examples=150, deadline=None)
@given(paragraphs, EDITS)
def test_every_alteration_slices_back_to_both_texts(paras, edits):
    source = "\n\n".join(paras)
    words = source.replace("\n\n", " ").split()
    words = words[: max(6, len(words) // 2)]
    for edit, where in edits:
        n = where % len(words)
        if edit == "drop" and len(words) > 4:
            del words[n]
        elif edit == "add":
            words.insert(n, "never")
        elif edit == "swap":
            words[n] = "hospital"
        elif edit == "mark":
            words.insert(n, "…")
        elif edit == "caps":
            words[n] = words[n].upper()
        elif edit == "bold":
            words[n] = f"**{words[n]}**"
    quote = " ".join(words)
    source_text = SourceText.of(source)
    segments = align(quote, 0, len(quote), source_text)
    if not segments:
        return
    for alteration in alterations.flag(quote, segments, source_text):
        assert quote[alteration.start : alteration.end] == alteration.quoted
        assert source[alteration.source_start : alteration.source_end] == alteration.original


def test_trace_flags_a_quotation_credited_to_the_wrong_senator(tmp_path):
    store = Store(tmp_path / "m.db")
    ingest.add_document(store, Document(REPORT, id="report",
                                        published=datetime(2019, 1, 1, tzinfo=UTC)))
    text = ("In a floor speech, the senator was blunt. “This attack is a tragic reminder that the "
            "fight is not finished,” said Senator Chuck Grassley.")
    result = trace.trace(store, Document(text, id="blog", published=datetime(2019, 2, 1, tzinfo=UTC)))
    traced = next(q for q in result.quotations if q.status == "traced")
    wrong = [a for a in traced.closest.alterations if a.kind == "misattribution"]
    assert wrong and text[wrong[0].start : wrong[0].end] == "Chuck Grassley"
    assert "Jack Reed" in wrong[0].note
