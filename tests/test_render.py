"""The HTML a fact-checker reads: every change visible, no document text live."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from provenance.model import ALTERATION_KINDS
from provenance.render import alteration_html, highlight_quotations, report_html, safe_url

PAYLOADS = [
    "<script>alert('x')</script>",
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(1)">click</a>',
    '" onmouseover="alert(1)',
    "</mark></div><script>alert(2)</script>",
]
HOSTILE = " ".join(PAYLOADS)


class Inspector(HTMLParser):
    """Collect what a browser would make live: tags, attributes, link targets, text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str | None]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes.extend(attrs)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def inspect(html: str) -> Inspector:
    parser = Inspector()
    parser.feed(html)
    parser.close()
    return parser


def assert_inert(html: str) -> Inspector:
    page = inspect(html)
    assert "script" not in page.tags
    assert "img" not in page.tags
    assert not [name for name, _ in page.attributes if name.startswith("on")]
    for name, value in page.attributes:
        if name in ("href", "src"):
            assert not (value or "").strip().lower().startswith("javascript:"), value
    return page


def hostile_alteration(kind: str) -> dict:
    return {
        "kind": kind,
        "severity": "major",
        "start": 10,
        "end": 20,
        "source_start": 100,
        "source_end": 140,
        "quoted": "quoted " + HOSTILE,
        "original": "original " + HOSTILE,
        "note": HOSTILE,
    }


@pytest.mark.parametrize("kind", ALTERATION_KINDS)
def test_every_kind_renders_its_label_and_words(kind):
    alteration = {
        "kind": kind,
        "severity": "minor",
        "start": 0,
        "end": 5,
        "source_start": 0,
        "source_end": 9,
        "quoted": "we will act",
        "original": "we will not act",
    }
    page = inspect(alteration_html(alteration))
    text = "".join(page.text)
    assert kind in text
    assert "minor" in text
    # the reader sees the source words, whatever the kind
    assert "not" in text
    if kind not in ("omission", "ellipsis", "truncation", "splice"):
        assert "we will act" in text or "act" in text


@pytest.mark.parametrize("kind", ALTERATION_KINDS + ("made_up_kind<b>",))
def test_hostile_text_in_every_field_is_inert(kind):
    alteration = hostile_alteration(kind)
    alteration["severity"] = '"><script>alert(3)</script>'
    html = alteration_html(alteration)
    page = assert_inert(html)
    # escaped, not dropped: the reader still sees exactly what the document says
    assert "<script>alert('x')</script>" in "".join(page.text)


def test_ellipsis_shows_the_original_text_it_stands_for():
    html = alteration_html({
        "kind": "ellipsis",
        "severity": "major",
        "start": 50,
        "end": 51,
        "source_start": 200,
        "source_end": 260,
        "quoted": "…",
        "original": "The senator added that the agreement was not final.",
    })
    page = inspect(html)
    assert "del" in page.tags  # the cut words are struck through
    text = "".join(page.text)
    assert "…" in text
    assert "The senator added that the agreement was not final." in text
    assert "original text" in text


def test_substitution_strikes_deleted_words_and_marks_inserted_ones():
    html = alteration_html({
        "kind": "substitution", "severity": "major", "start": 0, "end": 1,
        "source_start": 0, "source_end": 1,
        "quoted": "the plan will fail", "original": "the plan may fail",
    })
    assert "<del>may</del>" in html
    assert "<ins>will</ins>" in html
    assert "the plan" in html


def test_highlight_marks_spans_and_escapes_everything_around_them():
    text = "Intro <b>bold</b> said: " + HOSTILE + " end."
    start = text.index("<script>")
    end = start + len("<script>alert('x')</script>")
    html = highlight_quotations(text, [(start, end, "q<1>", "javascript:alert(1)")])
    page = assert_inert(html)
    assert page.tags.count("mark") == 1
    assert "".join(page.text).startswith("Intro <b>bold</b> said: ")
    # the unsafe link target was dropped, the label escaped into a tooltip
    assert ("title", "q<1>") in page.attributes


def test_highlight_offsets_slice_back_to_the_marked_text():
    text = "He said “we will win” and left."
    start, end = text.index("we"), text.index("win") + 3
    html = highlight_quotations(text, [(start, end, "q1", "#q1")], id_prefix="q")
    assert '<mark class="prov-quotation" id="q1" title="q1">we will win<sup>' in html
    assert 'href="#q1"' in html


def test_nested_and_crossing_spans_stay_well_formed():
    text = "abcdefghij"
    html = highlight_quotations(text, [(0, 8, "outer"), (2, 5, "inner"), (6, 10, "crossing")])
    assert html.count("<mark") == html.count("</mark>") == 3
    assert "".join(inspect(html).text) == text


def test_out_of_range_spans_are_clipped_not_fatal():
    html = highlight_quotations("short", [(-5, 2, "a"), (3, 99, "b"), (4, 1, "empty")])
    assert "".join(inspect(html).text) == "short"
    assert html.count("<mark") == 2


@pytest.mark.parametrize(
    "url, expected",
    [
        ("https://www.nytimes.com/x", "https://www.nytimes.com/x"),
        ("http://example.org", "http://example.org"),
        ("javascript:alert(1)", None),
        (" JaVaScRiPt:alert(1)", None),
        ("data:text/html,<script>", None),
        ("vbscript:x", None),
        ("/relative", None),
        (None, None),
    ],
)
def test_safe_url(url, expected):
    assert safe_url(url) == expected


def hostile_trace() -> dict:
    article = "Title line.\n\nHe said “" + HOSTILE + "” yesterday. Then “we will … win”."
    q1_start = article.index("<script>")
    q1_end = article.index("” yesterday")
    q2_start = article.index("we will")
    q2_end = article.index("win") + 3
    source = {
        "id": "nyt<script>", "title": HOSTILE, "url": "javascript:alert(1)",
        "published": "2019-01-16T00:00:00+00:00", "start": 100, "end": 160,
        "text": "we will, the senator said, " + HOSTILE + " win",
    }
    return {
        "document": {"path": "seeds/<script>.txt", "id": '"><img src=x onerror=alert(1)>',
                     "title": HOSTILE, "published": "2019-01-18", "url": "javascript:alert(9)",
                     "text": article},
        "quotations": [
            {"start": q1_start, "end": q1_end, "text": article[q1_start:q1_end],
             "kind": "quoted", "status": "unsourced",
             "speaker": {"text": HOSTILE, "start": 0, "end": 2},
             "source": None, "closest": None, "chain": [], "score": None, "alterations": []},
            {"start": q2_start, "end": q2_end, "text": article[q2_start:q2_end],
             "kind": "quoted", "status": "traced", "speaker": None,
             "source": source, "closest": dict(source, id="closest"),
             "chain": [{"id": "a<script>", "published": HOSTILE, "score": 90.0},
                       {"id": "b", "published": "2019-01-17", "score": HOSTILE}],
             "score": 88.0,
             "alterations": [hostile_alteration(kind) for kind in ALTERATION_KINDS]},
        ],
    }


def test_report_is_one_inert_self_contained_page():
    html = report_html(hostile_trace())
    page = assert_inert(html)
    assert html.startswith("<!DOCTYPE html>")
    # self-contained: no external stylesheet, script, image or frame
    assert not {"link", "script", "img", "iframe", "object", "embed"} & set(page.tags)
    assert page.tags.count("style") == 1
    for name, value in page.attributes:
        if name == "href":
            assert value.startswith(("#", "http://", "https://")), value
    # a CSP stops scripts even if something slipped through
    assert ("http-equiv", "Content-Security-Policy") in page.attributes
    text = "".join(page.text)
    assert "<script>alert('x')</script>" in text
    assert "javascript:alert(1)" in text  # shown as text, never as a link


def test_report_shows_every_quotation_source_and_change():
    trace = hostile_trace()
    html = report_html(trace)
    page = inspect(html)
    text = "".join(page.text)
    assert "Earliest source" in text and "Closest source" in text
    assert "No indexed source contains this quotation." in text
    for kind in ALTERATION_KINDS:
        assert f"{kind} · major" in text
    # the article text is there with both quotations marked and linked to their cards
    assert ("href", "#q1") in page.attributes and ("href", "#q2") in page.attributes
    assert ("id", "q1") in page.attributes and ("id", "q2") in page.attributes
    assert "Chain of sources" in text


def test_report_without_article_text_or_quotations():
    html = report_html({"document": {"path": "empty.txt"}, "quotations": []})
    text = "".join(inspect(html).text)
    assert "No quotation found in this article." in text
    assert "empty.txt" in text
