"""Tracing the seed article and its repost against the golden corpus in fixtures/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FIXTURES, SEED, quotation_containing
from provenance import ingest, report, trace
from provenance.model import Document
from provenance.store import Store

NYT = "nyt-2019-01-16-manbij"
HEARING = "senate-judiciary-2019-01-16-barr-hearing"
DURAN = "duran-isis-attack-2019-01-18"


def test_nyt_block_found_unmarked_and_traced_to_nyt(seed_result: dict[str, Any]) -> None:
    text = SEED.read_text(encoding="utf-8")
    block = quotation_containing(seed_result, "Four Americans were among 19 people")
    assert block["kind"] == "unmarked"
    assert block["status"] == "traced"
    assert block["source"]["id"] == NYT
    assert block["closest"]["id"] == NYT
    # all four paragraphs, from the first word to the last
    assert block["text"].startswith("Four Americans were among 19 people killed")
    assert block["text"].endswith("Senate Judiciary Committee hearing on Wednesday")
    assert text[block["start"] : block["end"]] == block["text"]
    assert block["score"] == 100.0


def test_ellipsis_recovers_the_cut_text(seed_result: dict[str, Any]) -> None:
    block = quotation_containing(seed_result, "Four Americans were among 19 people")
    ellipses = [a for a in block["alterations"] if a["kind"] == "ellipsis"]
    assert len(ellipses) == 1
    ellipsis = ellipses[0]
    assert ellipsis["quoted"] == "…"
    nyt = (FIXTURES / "nyt_2019-01-16_manbij.txt").read_text(encoding="utf-8")
    cut_start = nyt.index("strike.") + len("strike.")
    cut_end = nyt.index("Mr. Trump’s withdrawal")
    assert ellipsis["original"] == nyt[cut_start:cut_end].strip()
    assert ellipsis["original"].startswith("The Islamic State has lost nearly all")
    assert ellipsis["original"] in nyt[ellipsis["source_start"] : ellipsis["source_end"]]
    # nothing else in the block was changed against the NYT
    # (besides the article's "(emphasis added)" note, reported as a claim: issue 4)
    assert {a["kind"] for a in block["alterations"]} <= {"ellipsis", "cosmetic", "emphasis_added"}


def test_graham_quotes_earliest_hearing_closest_nyt(seed_result: dict[str, Any]) -> None:
    for words in ("I saw this in Iraq. And I’m now seeing it in Syria",
                  "set in motion enthusiasm by the enemy we’re fighting"):
        quotation = quotation_containing(seed_result, words)
        assert quotation["kind"] == "quoted"
        assert quotation["status"] == "traced"
        assert quotation["source"]["id"] == HEARING, words
        assert quotation["closest"]["id"] == NYT, words
        assert quotation["speaker"]["name"] == "Lindsey Graham"
        assert [link["id"] for link in quotation["chain"]] == [HEARING, NYT]
        assert quotation["parent"] is not None  # nested in the unmarked NYT block


def test_hearing_shows_the_truncation_the_nyt_made(seed_result: dict[str, Any]) -> None:
    quotation = quotation_containing(seed_result, "set in motion enthusiasm")
    against_hearing = {a["kind"] for a in quotation["source_alterations"]}
    assert "truncation" in against_hearing
    assert not [a for a in quotation["alterations"] if a["kind"] != "cosmetic"]


def test_scare_quotes_are_terms(seed_result: dict[str, Any]) -> None:
    terms = {q["text"] for q in seed_result["quotations"] if q["status"] == "term"}
    assert {"Caliphate", "managed", "official", "gas", "American courage"} <= terms
    assert not [q for q in seed_result["quotations"] if q["status"] == "unsourced"]


def test_later_repost_is_never_an_origin(seed_result: dict[str, Any]) -> None:
    for quotation in seed_result["quotations"]:
        for link in quotation["chain"]:
            assert link["published"] <= seed_result["document"]["published"]
    block = quotation_containing(seed_result, "Four Americans were among 19 people")
    assert [link["id"] for link in block["later"]] == ["globalaffairsdigest-2019-01-20-duran-repost"]


def assert_offsets_slice_back(text: str, result: dict[str, Any]) -> None:
    """Quotation, speaker and alteration spans give back exactly the text they claim."""
    for quotation in result["quotations"]:
        assert text[quotation["start"] : quotation["end"]] == quotation["text"]
        if quotation["speaker"]:
            speaker = quotation["speaker"]
            assert text[speaker["start"] : speaker["end"]] == speaker["text"]
        for alteration in quotation["alterations"]:
            assert text[alteration["start"] : alteration["end"]] == alteration["quoted"]


def test_every_offset_slices_back(seed_result: dict[str, Any], fixtures_only_db: Path) -> None:
    store = Store(fixtures_only_db)
    assert_offsets_slice_back(SEED.read_text(encoding="utf-8"), seed_result)
    for quotation in seed_result["quotations"]:
        for role in ("source", "closest"):
            if quotation[role]:
                source = store.document_by_id(quotation[role]["id"])
                assert source is not None
                span = quotation[role]
                assert source.text[span["start"] : span["end"]] == span["text"]


def test_repost_traces_whole_article_to_the_duran(archive: Store) -> None:
    repost = ingest.read_article(str(FIXTURES / "newsaggregator_2019-01-20_repost.txt"))
    result = report.trace_json(trace.trace(archive, repost))
    whole = max(result["quotations"], key=lambda q: q["end"] - q["start"])
    assert whole["kind"] == "unmarked"
    assert whole["source"]["id"] == DURAN
    assert whole["end"] - whole["start"] > 0.9 * len(SEED.read_text(encoding="utf-8"))
    assert not [a for a in whole["alterations"] if a["kind"] != "cosmetic"]
    nested = quotation_containing(result, "Four Americans were among 19 people")
    assert nested["source"]["id"] == NYT  # earliest: the newspaper
    assert nested["closest"]["id"] == DURAN  # closest: the page the repost copied


def test_a_document_is_never_its_own_source(archive: Store) -> None:
    seed = ingest.read_article(str(SEED))
    result = report.trace_json(trace.trace(archive, seed))  # the seed is indexed too
    for quotation in result["quotations"]:
        assert DURAN not in [link["id"] for link in quotation["chain"] + quotation["later"]]


def test_same_day_tie_is_explained(fresh_db: Store) -> None:
    words = "the committee will vote on the measure next week after a long debate"
    for name in ("alpha", "beta"):
        doc = Document(text=f"In {name} news, {words}, officials said.", id=name, publisher=name,
                       published=ingest.parse_published("2020-03-01T12:00:00+00:00", where="test"))
        ingest.add_document(fresh_db, doc)
    article = Document(text=f"Officials told us “{words}” yesterday.", id="article",
                       published=ingest.parse_published("2020-03-05", where="test"))
    result = report.trace_json(trace.trace(fresh_db, article))
    quotation = quotation_containing(result, "committee will vote")
    assert quotation["status"] == "traced"
    assert any("same date" in note for note in quotation["notes"])


def test_undated_article_is_noted(fresh_db: Store) -> None:
    article = Document(text="Nothing “quoted here at all” today.", id="a")
    result = report.trace_json(trace.trace(fresh_db, article))
    assert any("no date" in note for note in result["notes"])
    assert result["quotations"][0]["status"] in ("unsourced", "term")


def test_ten_word_quote_with_two_changed_words_in_a_long_source(fresh_db: Store) -> None:
    filler = " ".join(f"word{n} filler{n % 7} text{n % 13}" for n in range(1700))  # ~5,100 words
    original = "the minister insisted that the new budget would protect every rural hospital"
    source = Document(text=f"{filler} {original} {filler}", id="long",
                      published=ingest.parse_published("2021-01-01", where="test"))
    ingest.add_document(fresh_db, source)
    quoted = "the minister insisted that the old budget would protect each rural hospital"
    article = Document(text=f"She said: “{quoted}.”", id="a",
                       published=ingest.parse_published("2021-02-01", where="test"))
    result = report.trace_json(trace.trace(fresh_db, article))
    quotation = quotation_containing(result, "minister insisted")
    assert quotation["source"]["id"] == "long"
    substitutions = sorted((a["original"], a["quoted"]) for a in quotation["alterations"]
                           if a["kind"] == "substitution")
    assert substitutions == [("every", "each"), ("new", "old")]


PLAIN = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=60)
MARKS = st.sampled_from(["“", "”", '"', "‘", "’", "'", "«", "»", "…", "...", "[", "]", "\n\n", " "])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pieces=st.lists(st.one_of(PLAIN, MARKS, st.sampled_from([
    "Four Americans were among 19 people killed in Syria on Wednesday",
    "set in motion enthusiasm by the enemy we’re fighting",
    "said Senator Lindsey Graham", "I saw this in Iraq."])), max_size=30))
def test_offsets_slice_back_on_generated_articles(fixtures_only_db: Path, pieces: list[str]) -> None:
    text = "".join(pieces)
    store = Store(fixtures_only_db)
    result = report.trace_json(trace.trace(store, Document(text=text, id="generated")))
    assert_offsets_slice_back(text, result)
    store.close()


def test_repost_is_a_near_duplicate_of_the_duran(archive: Store) -> None:
    repost = ingest.read_article(str(FIXTURES / "newsaggregator_2019-01-20_repost.txt"))
    result = report.trace_json(trace.trace(archive, repost))
    duplicates = result["document"]["near_duplicates"]
    assert [d["id"] for d in duplicates] == [DURAN]
    assert duplicates[0]["similarity"] >= 0.8


def _trace_against(store: Store, source: str, article: str) -> dict[str, Any]:
    ingest.add_document(store, Document(text=source, id="source", publisher="Wire",
                        published=ingest.parse_published("2022-05-01", where="t")))
    result = report.trace_json(trace.trace(store, Document(
        text=article, id="article", published=ingest.parse_published("2022-06-01", where="t"))))
    quoted = [q for q in result["quotations"] if q["kind"] == "quoted"]
    assert len(quoted) == 1 and quoted[0]["status"] == "traced", result
    return quoted[0]


SOURCE = ("The mayor spoke on Tuesday. We will not raise taxes this year, and the new library "
          "will open in the spring as planned. Reporters asked about the bridge.")


def kinds(quotation: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(a["kind"], a["quoted"], a["original"]) for a in quotation["alterations"]]


def test_unaltered_quotation_has_no_alterations(fresh_db: Store) -> None:
    quotation = _trace_against(fresh_db, SOURCE, "She said: “We will not raise taxes this year, "
                               "and the new library will open in the spring as planned.”")
    assert kinds(quotation) == []


def test_cosmetic_only(fresh_db: Store) -> None:
    quotation = _trace_against(fresh_db, SOURCE.replace("We will", "we will"),
                               "She said: “We will not raise taxes this year, "
                               "and the new library will open in the spring as planned.”")
    assert kinds(quotation) == [("cosmetic", "We", "we")]
    assert quotation["alterations"][0]["severity"] == "cosmetic"


def test_bracketed_insertion_and_unmarked_omission(fresh_db: Store) -> None:
    quotation = _trace_against(fresh_db, SOURCE, "She said: “We will not raise taxes [on families] "
                               "this year, and the library will open in the spring as planned.”")
    found = kinds(quotation)
    assert ("insertion", "[on families]", "") in found
    assert ("omission", "", "new") in found
    bracketed = next(a for a in quotation["alterations"] if a["kind"] == "insertion")
    assert bracketed["note"] == "bracketed" and bracketed["severity"] == "minor"


def test_omitted_not_is_a_major_negation(fresh_db: Store) -> None:
    quotation = _trace_against(fresh_db, SOURCE, "She said: “We will raise taxes this year, "
                               "and the new library will open in the spring as planned.”")
    found = {a["kind"]: a for a in quotation["alterations"]}
    assert found["omission"]["original"] == "not" and found["omission"]["severity"] == "major"
    assert found["negation"]["severity"] == "major"


def test_truncation_that_cuts_a_qualifier(fresh_db: Store) -> None:
    source = ("Officials said the vaccine is safe for most adults, but only after a second dose "
              "has been given.")
    quotation = _trace_against(fresh_db, source, "The officials said “the vaccine is safe for "
                               "most adults” on Monday.")
    truncations = [a for a in quotation["alterations"] if a["kind"] == "truncation"]
    assert [t["original"] for t in truncations] == [
        "Officials said", ", but only after a second dose has been given."]
    assert [t["severity"] for t in truncations] == ["minor", "major"]
