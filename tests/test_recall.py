"""Recall on short and edited copies, without taking shared boilerplate for copying."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from provenance import index, ingest, report, retrieve, trace
from provenance import store as store_stage
from provenance.model import Document
from provenance.normalize import words
from provenance.store import Store

SYLLABLES = "ka lo mi ne su ta ri vo pe gu da fi zo be ha".split()
VOCABULARY = [a + b for a in SYLLABLES for b in SYLLABLES]
EARLIER = datetime(2020, 1, 1, tzinfo=UTC)
LATER = datetime(2021, 1, 1, tzinfo=UTC)


def filler(seed: int, sentences: int) -> str:
    """Sentences of made-up words: no phrase of them is shared by chance."""
    chooser = random.Random(seed)
    found = []
    for _ in range(sentences):
        sentence = " ".join(chooser.choice(VOCABULARY) for _ in range(chooser.randint(12, 20)))
        found.append(sentence.capitalize() + ".")
    return " ".join(found)


def archive(store: Store, texts: list[str]) -> None:
    for number, text in enumerate(texts):
        ingest.add_document(store, Document(text=text, id=f"source-{number}", published=EARLIER))


def traced_quotation(store: Store, quoted: str, word: str) -> dict[str, Any]:
    """The traced quotation holding ``word``, of an article that quotes ``quoted`` between filler."""
    text = f"{filler(3, 10)} {quoted} {filler(4, 10)}"
    result = report.trace_json(trace.trace(store, Document(text=text, id="article", published=LATER)))
    [quotation] = [q for q in result["quotations"] if word in q["text"]]
    return quotation


def unmarked_traced(store: Store, text: str) -> list[dict[str, Any]]:
    result = report.trace_json(trace.trace(store, Document(text=text, id="article", published=LATER)))
    found = [q for q in result["quotations"] if q["kind"] == "unmarked" and q["status"] == "traced"]
    for quotation in found:
        assert text[quotation["start"] : quotation["end"]] == quotation["text"]
    return found


def test_edited_short_sentence_copied_from_a_long_source(fresh_db: Store) -> None:
    # 10 words, one replaced: no 12 words in a row are shared, so no passage finds it
    original = "Dredging of the eastern channel will begin in late March."
    edited = "Dredging of the eastern channel will start in late March."
    archive(fresh_db, [f"{filler(1, 20)} {original} {filler(2, 20)}"])
    found = unmarked_traced(fresh_db, f"{filler(3, 10)} {edited} {filler(4, 10)}")
    assert [q["text"] for q in found] == [edited.rstrip(".")]
    assert found[0]["source"]["id"] == "source-0"
    assert found[0]["source"]["text"] == original.rstrip(".")
    assert [a["kind"] for a in found[0]["alterations"]] == ["substitution"]


def test_sentence_with_words_from_all_over_a_source_is_not_a_copy(fresh_db: Store) -> None:
    # the source holds each piece, but far apart: that is not a copied sentence
    archive(fresh_db, [f"{filler(1, 10)} Dredging of the eastern channel. {filler(2, 10)} "
                       f"Will begin in late March. {filler(5, 10)}"])
    assert unmarked_traced(fresh_db, f"{filler(3, 10)} Dredging of the eastern channel will "
                                     f"begin in late March. {filler(4, 10)}") == []


@pytest.mark.parametrize("holders", [1, 5])
def test_short_sentence_is_a_copy_unless_many_documents_hold_it(fresh_db: Store, holders: int) -> None:
    boilerplate = "Senate Majority Leader Mitch McConnell declined to comment on Tuesday."
    archive(fresh_db, [f"{filler(10 + n, 12)} {boilerplate} {filler(20 + n, 12)}" for n in range(holders)])
    found = unmarked_traced(fresh_db, f"{filler(3, 10)} {boilerplate} {filler(4, 10)}")
    if holders == 1:  # one other document holds it: copied
        assert [q["text"] for q in found] == [boilerplate.rstrip(".")]
    else:  # house style that many documents share: not evidence of copying
        assert found == []


@given(st.lists(st.sampled_from(["Word", "two", ".", "!", "\n", " ", ", ", "U.S.", "’s"]), max_size=30))
def test_sentences_cover_every_word_once_and_end_at_a_mark(pieces: list[str]) -> None:
    text = " ".join(pieces)
    article_words = words(text)
    found = trace.sentences(article_words, text)
    assert [n for start, end in found for n in range(start, end)] == list(range(len(article_words)))
    for (_, end), _next in zip(found, found[1:], strict=False):
        assert any(mark in text[article_words[end - 1].end : article_words[end].start] for mark in ".!?\n")


def test_marked_quotation_with_three_replaced_words_found_in_a_long_source(fresh_db: Store) -> None:
    # "harbour board would reopen the northern pier soon", words 2, 5 and 7 replaced:
    # no three words in a row are left, so no shingle leads to the source
    source = f"{filler(1, 30)} The harbour board would reopen the northern pier soon. {filler(2, 30)}"
    archive(fresh_db, [source] + [filler(100 + n, 30) for n in range(5)])
    quotation = traced_quotation(
        fresh_db, "The mayor said: “Harbour council would reopen a northern jetty soon.”", "jetty")
    assert quotation["status"] == "traced"
    assert quotation["source"]["id"] == "source-0"
    assert quotation["source"]["text"] == "harbour board would reopen the northern pier soon"
    assert source[quotation["source"]["start"] : quotation["source"]["end"]] == quotation["source"]["text"]
    assert sorted(a["quoted"] for a in quotation["alterations"] if a["kind"] == "substitution") \
        == ["a", "council", "jetty"]


def test_short_marked_quotation_is_not_traced_on_a_few_common_words(fresh_db: Store) -> None:
    # four of its six words stand in order in the source, but so they do in a lot of text
    archive(fresh_db, [f"{filler(1, 30)} She is someone who cares about people like me. {filler(2, 30)}"]
            + [filler(100 + n, 30) for n in range(5)])
    quotation = traced_quotation(fresh_db, "A voter said: “Finally, someone who thinks like me.”", "thinks")
    assert quotation["status"] == "unsourced"


def made_up(seed: int, count: int) -> list[str]:
    chooser = random.Random(seed)
    return [chooser.choice(VOCABULARY) for _ in range(count)]


@pytest.fixture
def common_over_3(monkeypatch: pytest.MonkeyPatch) -> None:
    """Shingles held by more than 3 documents are common: never looked up by a trace
    (in a 1M archive, half the shingles of plain prose are held by more than 100)."""
    monkeypatch.setattr(store_stage, "COMMON_LIMIT", 3)
    monkeypatch.setattr(retrieve, "MAX_DOCUMENT_FREQUENCY", 3)


@pytest.mark.parametrize("ranked", [True, False])
def test_edited_sentence_of_common_phrases_found_by_its_common_shingles(
        fresh_db: Store, common_over_3: None, monkeypatch: pytest.MonkeyPatch, ranked: bool) -> None:
    if not ranked:  # in a large archive, many documents with as few shingles rank above the source
        monkeypatch.setattr(retrieve, "candidates", lambda *args, **kwargs: [])
    # the source's 10-word sentence; its first 6 words stand in 4 more documents, so 4
    # of its shingles are common, and the edit leaves one rare shingle: too little alone
    sentence = made_up(7, 10)
    source = f"{filler(1, 10)} {' '.join(sentence).capitalize()}. {filler(2, 10)}"
    archive(fresh_db, [source] + [f"{filler(10 + n, 10)} {' '.join(sentence[:6]).capitalize()} "
                                  f"{' '.join(made_up(20 + n, 6))}. {filler(30 + n, 10)}" for n in range(4)])
    edited = " ".join(sentence[:7] + ["dredging"] + sentence[8:]).capitalize()
    found = unmarked_traced(fresh_db, f"{filler(3, 10)} {edited}. {filler(4, 10)}")
    assert [q["text"] for q in found] == [edited]
    assert found[0]["source"]["id"] == "source-0"
    assert found[0]["source"]["text"] == " ".join(sentence).capitalize()
    assert [(a["kind"], a["quoted"]) for a in found[0]["alterations"]] == [("substitution", "dredging")]


def test_sentence_whose_other_shingles_other_documents_hold_is_not_a_copy(
        fresh_db: Store, common_over_3: None) -> None:
    # the first document holds 7 of the 10 words in a row, but the last three shingles
    # are another document's: the sentence is made of phrases others use, not copied
    sentence = made_up(7, 10)
    first = f"{filler(1, 10)} {' '.join(sentence[:7] + made_up(8, 3)).capitalize()}. {filler(2, 10)}"
    other = f"{filler(5, 10)} {' '.join(made_up(9, 3) + sentence[5:]).capitalize()}. {filler(6, 10)}"
    archive(fresh_db, [first, other] + [f"{filler(10 + n, 10)} {' '.join(sentence[:6]).capitalize()} "
                                        f"{' '.join(made_up(20 + n, 6))}. {filler(30 + n, 10)}"
                                        for n in range(4)])
    assert unmarked_traced(fresh_db, f"{filler(3, 10)} {' '.join(sentence).capitalize()}. "
                                     f"{filler(4, 10)}") == []


def test_postings_up_to_a_limit_are_whole_or_unknown(fresh_db: Store) -> None:
    phrase = " ".join(made_up(7, 8))
    archive(fresh_db, [f"{filler(n, 10)} {phrase if n < 5 else ''}. {filler(50 + n, 10)}" for n in range(8)])
    shingles = index.shingle_array(index.norms(f"{phrase} {filler(3, 10)}")).tolist()
    every = fresh_db.postings_array(shingles)
    holders = {h: set(every[every[:, 0] == h, 1].tolist()) for h in shingles}
    assert any(len(keys) == 5 for keys in holders.values())
    for most in (1, 4, 5, 40, 10**6):
        rows = fresh_db.postings_up_to(shingles, most)
        unknown = set(rows[rows[:, 1] < 0, 0].tolist())
        for shingle, keys in holders.items():
            if len(keys) > most:
                assert shingle in unknown
            if shingle not in unknown:
                assert set(rows[rows[:, 0] == shingle, 1].tolist()) == keys
        if most == 10**6:
            assert not unknown


def test_marked_quotation_found_when_its_changed_words_rank_other_documents_first(
        fresh_db: Store) -> None:
    # "Workers painted the old tower red last spring", words 1, 4 and 6 replaced: the
    # source holds one pair of the quotation ("the old"), a dozen documents hold three
    # pairs the changes made ("workers repainted", "lighthouse red", "this spring"),
    # each far from the next, so the full-text index ranks the source 13th
    source = f"{filler(1, 3)} Workers painted the old tower red last spring. {filler(2, 3)}"
    decoys = [f"{filler(10 + n, 6)} Workers repainted. {filler(30 + n, 6)} Lighthouse red. "
              f"{filler(50 + n, 6)} This spring. {filler(70 + n, 6)}" for n in range(12)]
    others = [f"{filler(90 + n, 20)} The old. {filler(110 + n, 20)}" for n in range(4)]
    archive(fresh_db, [source, *decoys, *others, *(filler(200 + n, 10) for n in range(40))])
    quotation = traced_quotation(
        fresh_db, "A painter said: “Workers repainted the old lighthouse red this spring.”", "lighthouse")
    assert quotation["status"] == "traced"
    assert quotation["source"]["id"] == "source-0"
