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


TRANSCRIPT = (
    "Mike Pence spoke to Chris Wallace on Sunday. Partial transcript as follows:\n\n"
    "\"WALLACE: Let's start with the news. Will she be there?\n\n"
    "\"PENCE: Well, look, Hillary Clinton thinks this is an episode of “Shark Tank.” "
    "But this is America.\n\n"
    "\"(CROSSTALK.)\n\n"
    "\"WALLACE: If I may, sir.\n\n"
    "\"PENCE: She will not be attending.\n\n"
    "\"And that's why Donald Trump is on his way to the White House.\""
)


def test_quoted_transcript_is_one_quotation_per_turn() -> None:
    quotations = [q for q in find_quotations(TRANSCRIPT) if not q.term]
    turns = [(q.text, q.speaker.text if q.speaker else None, q.speaker.name if q.speaker else None)
             for q in quotations]
    assert turns == [
        ("Let's start with the news. Will she be there?", "WALLACE", "Chris Wallace"),
        ("Well, look, Hillary Clinton thinks this is an episode of “Shark Tank.” But this is America.",
         "PENCE", "Mike Pence"),
        ("If I may, sir.", "WALLACE", "Chris Wallace"),
        ("She will not be attending.\n\n\"And that's why Donald Trump is on his way to the White House.",
         "PENCE", "Mike Pence"),
    ]
    for quotation in find_quotations(TRANSCRIPT):
        assert TRANSCRIPT[quotation.start : quotation.end] == quotation.text
        if quotation.speaker is not None:
            speaker = quotation.speaker
            assert TRANSCRIPT[speaker.start : speaker.end] == speaker.text
    assert [q.text for q in find_quotations(TRANSCRIPT) if q.term] == ["Shark Tank."]


def test_a_title_with_a_colon_is_no_transcript() -> None:
    text = ("Mexican newspapers have been inspecting Trump's new book, "
            "\"Crippled America: How to Make America Great Again,\" for clues.")
    (quotation,) = find_quotations(text)
    assert quotation.text == "Crippled America: How to Make America Great Again,"
    assert quotation.speaker is None or quotation.speaker.text != "Crippled America"


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
     "’90s", "rock ’n’ roll", "> ", "    ", ":", "word", "Senate", " she ", "who",
     "WALLACE: ", "Chris Wallace: ", "\n\n\"PENCE: ", "(CROSSTALK.)", "\n\n\""]
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


# --- the attribution around a quotation decides term or quotation -----------------


def test_short_phrase_with_a_cue_is_a_quotation() -> None:
    text = "The mayor called the new budget “a disaster” on Monday."
    found = quotation(text, "a disaster")
    assert not found.term
    assert found.speaker is not None and found.speaker.text == "The mayor"


def test_scare_quote_without_a_cue_is_a_term() -> None:
    text = "The “experts” were wrong again, and the market fell."
    assert quotation(text, "experts").term


def test_title_of_a_show_after_on_is_a_term() -> None:
    text = "She told reporters on “Meet the Press” that she would run again."
    assert quotation(text, "Meet the Press").term


def test_short_phrase_in_a_sentence_opened_by_a_person_is_a_quotation() -> None:
    # PolNeAR counts the phrase as the subject's words even without a speech verb.
    text = ("Senator Dana Whitfield spoke in Ohio on Monday.\n\n"
            "Whitfield decried the council for “turning its back” on the workers.")
    found = quotation(text, "turning its back")
    assert not found.term
    assert found.speaker is not None and found.speaker.name == "Dana Whitfield"


def test_short_phrase_after_a_subject_that_is_no_person_is_a_term() -> None:
    text = "While the agency got quietly aided by its allies, the plan could be “managed” for years."
    assert quotation(text, "managed").term


def test_quoted_adjective_after_a_in_an_attributed_sentence_is_a_quotation() -> None:
    text = "Carla Benton said the city faced a “ferocious” battle over the budget."
    found = quotation(text, "ferocious")
    assert not found.term
    assert found.speaker is not None and found.speaker.text == "Carla Benton"


def test_quoted_adjective_after_the_with_no_person_speaking_is_a_term() -> None:
    text = "Reports from the region suggested that the “gas” attack was staged."
    assert quotation(text, "gas").term


def test_phrase_in_a_title_case_headline_with_a_capitalised_cue_is_a_quotation() -> None:
    text = "Mayor Calls The Bridge Plan ‘A Total Failure’ At Hearing\n\nThe mayor spoke on Monday."
    assert not quotation(text, "A Total Failure").term


def test_phrase_in_a_title_case_headline_without_a_cue_is_a_term() -> None:
    text = "Democrats Lose Court Battle Over The State’s ‘Golden Week’ Of Voting\n\nThe court ruled."
    assert quotation(text, "Golden Week").term


def test_title_of_a_show_beside_a_cue_is_a_term() -> None:
    text = "“I could hardly hear him,” Paula Greer told NBC’s “Today” on Monday."
    assert quotation(text, "Today").term
    text = "In his new book, “Bridges to Nowhere,” and in an interview, Mr. Hale said the plan failed."
    assert quotation(text, "Bridges to Nowhere").term


def test_nickname_between_names_is_a_term() -> None:
    text = "Gov. Dale “Buddy” Harlan said the vote was close."
    assert quotation(text, "Buddy").term
    assert find_quotations(text)[0].speaker is None


def test_phrase_after_so_called_or_known_as_is_a_term() -> None:
    assert quotation("Senator Ames said the so-called “rebels” were armed by the agency.", "rebels").term
    assert quotation("Mr. Dunn told us the hacker known as “Ghost,” was caught.", "Ghost,").term


def test_short_quoted_sentence_after_its_speaker_is_named_is_a_quotation() -> None:
    text = "The crowd cheered for the new director of the chamber. “Carla gets it.”"
    assert not quotation(text, "Carla gets it").term


def test_short_quoted_sentence_alone_in_its_paragraph_is_a_subheading() -> None:
    text = "The plant closed in May.\n\n‘A really tough decision.’\n\nWorkers met on Thursday."
    assert quotation(text, "A really tough decision").term


def test_verbs_of_judging_are_speech_cues() -> None:
    text = ("“It is a betrayal of the workers,” Dana Whitfield said on Monday. "
            "“It is a disgrace to the city,” Carla Benton decried.")
    found = quotation(text, "It is a disgrace")
    assert found.speaker is not None and found.speaker.name == "Carla Benton"


def test_name_before_a_colon_after_a_preposition_is_no_speaker() -> None:
    text = "Mayor Carla Benton delivered a blunt message to Whitfield: “Stop blocking the budget now.”"
    assert speaker_name(text, "Stop blocking") == "Carla Benton"


def test_described_subject_of_the_sentence_is_the_speaker() -> None:
    text = ("Dana Whitfield released a new campaign video on Monday.\n\n"
            "The video targets a “rigged system that hurts working families” in the city.")
    found = quotation(text, "rigged system")
    assert found.speaker is not None and found.speaker.text == "The video"


def test_participle_opening_a_sentence_is_no_speaker() -> None:
    text = ("Dana Whitfield spoke for an hour in Ohio on Monday. "
            "Acknowledging that the plan “has real problems for our workers,” she moved on.")
    assert speaker_name(text, "has real problems") == "Dana Whitfield"


def test_dateline_is_not_the_subject() -> None:
    text = ("Springfield (AFP) – Senator Dana Whitfield took a swipe at the council, saying "
            "that its “reckless spending plans” would hurt the city.")
    assert speaker_name(text, "reckless spending") == "Dana Whitfield"


def test_short_sentence_continuing_a_quotation_is_a_quotation() -> None:
    text = "“We won the vote in every county,” Maria Lopez said. “Again.”"
    found = quotation(text, "Again")
    assert not found.term
    assert found.speaker is not None and found.speaker.name == "Maria Lopez"


def test_headline_quotation_is_the_headline_subjects() -> None:
    text = ("Whitfield Tells Council The Plan Is ‘A Total Failure’ At Hearing\n\n"
            "Senator Dana Whitfield spoke to the city council on Monday.")
    found = quotation(text, "A Total Failure")
    assert not found.term
    assert found.speaker is not None and found.speaker.name == "Dana Whitfield"
    assert text[found.speaker.start : found.speaker.end] == found.speaker.text


# --- speakers -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "words", "name"),
    [
        # inversion only right after a quotation or a comma
        ("Tom Wilson praised the plan and said the Florida senator can “bring real change” to it.",
         "bring real change", "Tom Wilson"),
        # a participle takes the subject of its clause, not the object before it
        ("Ann Bolton distanced herself from the movement by saying she would “support him fully.”",
         "support him fully", "Ann Bolton"),
        # "said he would": he is not an inverted speaker
        (("Pete Seat, a consultant whose firm was hired by the campaign last year, said he would "
          "be “shocked” by that."), "shocked", "Pete Seat"),
        # who refers to the name right before it
        ("The vote was praised by Maria Lopez, who called it “a turning point for the city.”",
         "a turning point", "Maria Lopez"),
        # a lowercase descriptor before an inverted name
        ("“We will not stop,” said former tech executive Carly Fiorina.", "We will not stop",
         "Carly Fiorina"),
        # the subject after an opening phrase
        ("Hours later, Tom Baker returned the compliment, telling Reuters, “He is an amazing man.”",
         "He is an amazing", "Tom Baker"),
        # the subject after a role descriptor
        ("Former Pennsylvania governor Ed Rendell praised the senator, calling it “an incredible feat.”",
         "an incredible feat", "Ed Rendell"),
    ],
)
def test_speaker_of_the_clause(text: str, words: str, name: str) -> None:
    assert speaker_name(text, words) == name


def test_colon_after_a_cue_belongs_to_the_cue() -> None:
    text = "Donald Trump spoke in Ohio.\n\nMr. Trump said on Twitter: “The polls are rigged.”"
    found = quotation(text, "The polls")
    assert found.speaker is not None
    assert (found.speaker.text, found.speaker.name) == ("Trump", "Donald Trump")


def test_colon_before_a_quotation_takes_the_subject() -> None:
    text = "Donald Trump issued the following statement:\n\n“Our prayers are with the victims.”"
    assert speaker_name(text, "Our prayers") == "Donald Trump"


def test_definite_role_resolves_to_the_person_named() -> None:
    text = "Senator Bernie Sanders spoke in Iowa. “We will win this state,” the Vermont senator said."
    found = quotation(text, "We will win")
    assert found.speaker is not None
    assert (found.speaker.text, found.speaker.name) == ("the Vermont senator", "Bernie Sanders")


def test_indefinite_role_is_not_resolved() -> None:
    text = "Senator Bernie Sanders spoke in Iowa. “No comment,” a campaign spokesman said."
    found = quotation(text, "No comment")
    assert found.speaker is not None
    assert found.speaker.text == "a campaign spokesman" and found.speaker.name is None


def test_according_to_at_a_sentence_start() -> None:
    text = "Prices rose again.\n\nAccording to Paul Sperry of the institute, “G4S moved people quietly.”"
    assert speaker_name(text, "G4S moved") == "Paul Sperry"


def test_cue_after_the_quotation_in_a_later_clause_loses_to_the_cue_before() -> None:
    text = "Ted Cruz accuses Obama of “leading from behind” and Donald Trump says he is losing."
    assert speaker_name(text, "leading from behind") == "Ted Cruz"


def test_pronoun_subject_after_an_opening_phrase() -> None:
    text = "Al Sharpton spoke on Monday.\n\nEight years ago, he said, “We will not forget this.”"
    assert speaker_name(text, "We will not forget") == "Al Sharpton"


def test_cue_words_inside_a_quotation_are_not_attributions() -> None:
    text = ("Bernie Sanders spoke late.\n\nHe vowed to “continue the fight in the next primary,” "
            "and to “take our fight to Philadelphia.”")
    assert speaker_name(text, "continue the fight") == "Bernie Sanders"
    assert speaker_name(text, "take our fight") == "Bernie Sanders"


def test_role_noun_between_quotation_and_name() -> None:
    text = "Trump spoke on Monday. “He should get the award.”\n“But why?” reporter Jackie Nespral asked him."
    assert speaker_name(text, "But why") == "Jackie Nespral"


def test_states_is_a_cue_only_as_a_verb() -> None:
    text = "“She will fight for you,” a voice-over in the ad states."
    found = quotation(text, "She will fight")
    assert found.speaker is not None and found.speaker.text == "a voice-over in the ad"
    text = ("“Rallying around Ted Cruz may be the only way,” Lindsey Graham told CBS News, when a dozen "
            "states held contests. “But I am not so sure.”")
    assert speaker_name(text, "But I am not") == "Lindsey Graham"


def test_closing_mark_spaced_after_an_inner_quotation() -> None:
    text = ("''There was a backlash against 'Primates of Park Avenue,'  '' Ms. Ferriss noted. "
            "''That suggests to me that this might not have many followers.''")
    found = [q for q in find_quotations(text) if not q.term]
    assert found[0].text.startswith("There was") and found[0].text.endswith("Avenue,'  ")
    assert any(q.text.startswith("That suggests") for q in found)


def test_who_after_a_role_is_that_role() -> None:
    text = ("Josh Earnest spoke on Monday. A White House official who spoke anonymously "
            "said, “There are discussions every week.”")
    found = quotation(text, "There are discussions")
    assert found.speaker is not None
    assert found.speaker.name != "Josh Earnest"


def test_signature_after_a_quotation() -> None:
    text = ("Voters spoke.\n\n“Mr. Trump embodies the legacy of racism.” ― Sonya Herridge\n"
            "“Boeing and GE pay zero taxes.”\n\n- Sanders.\n\nMore text.")
    assert speaker_name(text, "Mr. Trump embodies") == "Sonya Herridge"
    assert speaker_name(text, "Boeing and GE") == "Sanders"


def test_seed_copied_passage_speaker_is_the_newspaper(seed: str) -> None:
    start = seed.index("Four Americans were among")
    end = seed.index(".\n\n", seed.index("I saw this in Iraq")) + 1  # the passage trace finds
    speaker = find_speaker(seed, start, end)
    assert speaker is not None and speaker.name == "New York Times"


def test_emphasis_added_is_not_a_cue() -> None:
    text = "Keep American forces in the region (emphasis added).\n\nTaxes will rise next year."
    start = text.index("Taxes")
    speaker = find_speaker(text, start, len(text) - 1)
    assert speaker is None or speaker.text != "American"


@pytest.mark.parametrize("text, words, expected", [
    ("Mayor Ana Ortiz said she expected that voters will say “no” to the tax plan.", "no", "Ana Ortiz"),
    ("Councilman Ray Dunn said of Ms. Ortiz: “She has never once returned my calls.”", "She has", "Ray Dunn"),
])
def test_nested_attribution_credits_the_outer_speaker(text: str, words: str, expected: str) -> None:
    speaker = quotation(text, words).speaker
    assert speaker is not None and speaker.text == expected


@pytest.mark.parametrize("text, expected", [
    # a fronted clause with its own cue: the main clause speaks
    ("When the reporter asked Ms. Ortiz about the vote, Dunn replied, “We will win it.”", "Dunn"),
    # two coordinated attributions: the nearer one speaks
    ("Ortiz said the vote was close and Dunn said “we will win it.”", "Dunn"),
])
def test_cues_that_do_not_report_the_later_one(text: str, expected: str) -> None:
    assert speaker_name(text, "We will" if "We will" in text else "we will") == expected


def test_paragraph_after_a_colon_is_the_introducer() -> None:
    text = ("The council met on Tuesday. When the vote failed, Mayor Ana Ortiz released the "
            "following statement:\n\n“We will bring the plan back next year.”\n\nRay Dunn said nothing.")
    speaker = quotation(text, "We will").speaker
    assert speaker is not None and speaker.text == "Ana Ortiz"


def test_no_break_space_before_the_cue() -> None:
    text = "The firm said little.\n\n“We wish them well,” the firm\u00a0said in a statement.\n"
    found = quotation(text, "We wish them well")
    assert found.speaker is not None and found.speaker.text == "the firm"
    assert found.text == "We wish them well,"


def test_no_break_space_in_a_name_is_kept_as_written() -> None:
    text = "“We will win,” said Jane\u00a0Doe.\n"
    speaker = quotation(text, "We will win").speaker
    assert speaker is not None and speaker.text == "Jane\u00a0Doe"


def test_called_after_an_indefinite_group_names_it() -> None:
    text = ("“They are attacking me in Ohio,” Smith said, citing a donor group called Acme Fund. "
            "“So they think I will win.”\n")
    assert speaker_name(text, "So they think") == "Smith"
