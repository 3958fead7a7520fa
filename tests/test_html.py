"""The HTML reader: main text without boilerplate, metadata, emphasis and quotation spans."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance import html
from provenance.html import decode, read_html, render
from provenance.model import ProvenanceError

WEB = Path(__file__).parent / "data" / "web"


def page(name: str) -> bytes:
    return (WEB / name).read_bytes()


@pytest.fixture(scope="module")
def article():
    return read_html(page("news_article.html"), path="news_article.html")


def test_main_text_keeps_the_story_and_drops_the_boilerplate(article):
    assert article.text.startswith("Council approves harbour bridge after late-night vote\n")
    assert "The city council voted seven to four" in article.text
    assert article.text.rstrip().endswith("runs for six weeks.")
    for boilerplate in (
        "Subscribe",  # navigation
        "Refinance your boat",  # advertisement
        "Win tickets to the Spring Regatta",  # inline advertisement
        "Related stories",
        "harbourwatcher",  # comments
        "Nobody asked us about the noise",
        "All rights reserved",  # footer
        "Share on social",
    ):
        assert boilerplate not in article.text


def test_metadata_from_the_page(article):
    assert article.title == "Council approves harbour bridge after late-night vote"
    assert article.author == "Maria Okafor"
    assert article.publisher == "The Lakeside Courier"
    assert article.url == "https://lakesidecourier.example/news/2024/03/12/harbour-bridge-vote"
    # the time of day survives (htmldate alone gives only the day)
    assert article.published == datetime(2024, 3, 12, 22, 15, tzinfo=UTC)
    assert "modified: 2024-03-13T08:02:00+00:00" in article.notes
    assert article.format == "html"
    assert article.path == "news_article.html"


def test_emphasis_spans_slice_back_to_the_emphasised_words(article):
    found = {(article.text[e.start : e.end], e.style) for e in article.emphasis}
    assert found == {
        ("as early as next spring", "bold"),
        ("never", "italic"),
        ("the longest of its kind in the province", "italic"),
        (
            (
                "“This is the single most important infrastructure decision the city has made "
                "in a generation,”"
            ),
            "bold",
        ),
        ("a third of their passing trade", "underline"),
    }
    assert "*" not in article.text and "<u>" not in article.text


def test_q_is_rendered_with_quote_marks_and_recorded_inline(article):
    expected = "the result “a promise kept to every commuter who has waited in the ferry queue” and"
    assert expected in article.text
    inline = [q for q in article.quotes if q.style == "inline"]
    assert [article.text[q.start : q.end] for q in inline] == [
        "a promise kept to every commuter who has waited in the ferry queue"
    ]


def test_blockquote_is_set_off_and_recorded_as_a_block(article):
    (block,) = [q for q in article.quotes if q.style == "block"]
    quoted = article.text[block.start : block.end]
    assert quoted.startswith("We are not against a bridge.")
    assert quoted.endswith("will live with the noise for years.")
    assert article.text[block.start - 2 : block.start] == "\n\n"
    assert article.text[block.end : block.end + 2] == "\n\n"


def test_str_and_bytes_give_the_same_document():
    data = page("news_article.html")
    assert read_html(data) == read_html(data.decode("utf-8"))


def test_syndicated_copy_names_its_original():
    copy = read_html(page("syndicated_copy.html"), path="syndicated_copy.html")
    assert copy.publisher == "Regional Wire Digest"
    assert copy.published == datetime(2024, 3, 14, 6, 30, 12, tzinfo=UTC)
    (note,) = [n for n in copy.notes if n.startswith("syndicated:")]
    assert "https://lakesidecourier.example/news/2024/03/12/harbour-bridge-vote" in note
    assert note.endswith("appeared first on The Lakeside Courier")
    assert "Leave a Reply" not in copy.text and "Proudly powered" not in copy.text
    assert "About time. The ferry queue is a joke." not in copy.text


def test_undeclared_windows_1252_is_detected():
    document = read_html(page("cp1252_undeclared.html"), path="cp1252_undeclared.html")
    assert "The café on the corner" in document.text
    assert "“We have lost a third of our passing trade,”" in document.text
    assert "Traders’ Association" in document.text
    assert "encoding: cp1252" in document.notes
    # no machine-readable date: htmldate finds "Published 3 November 2023" in the text
    assert document.published == datetime(2023, 11, 3, tzinfo=UTC)
    assert "date: found by htmldate, to the day" in document.notes


def test_a_wrong_charset_declaration_does_not_garble_the_text():
    data = page("cp1252_undeclared.html").replace(b"<head>", b'<head><meta charset="utf-8">')
    assert "The café on the corner" in read_html(data).text


def test_a_declared_legacy_charset_is_used():
    text = page("news_article.html").decode("utf-8").replace("Old Quay", "Vieux Quai à Nîmes")
    data = text.replace('<meta charset="utf-8">', '<meta charset="iso-8859-15">').encode("iso-8859-15")
    document = read_html(data)
    assert "Vieux Quai à Nîmes" in document.text
    assert "encoding: iso8859-15" in document.notes


def test_page_without_main_text_is_refused_by_name():
    with pytest.raises(ProvenanceError, match=r"no_main_text.html: no main text"):
        read_html(page("no_main_text.html"), path="no_main_text.html")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", "a PDF file"),
        (b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03garbage", "gzip-compressed"),
        (b'{"id": "a1", "text": "not html at all"}\n', "does not look like an HTML page"),
    ],
)
def test_a_file_that_is_not_html_is_refused(data, message):
    with pytest.raises(ProvenanceError, match=f"story.html: .*{message}"):
        read_html(data, path="story.html")


def test_an_oversized_page_is_refused_without_parsing(monkeypatch):
    monkeypatch.setattr(html, "MAX_HTML_BYTES", 1000)
    with pytest.raises(ProvenanceError, match=r"big.html: .* MB is more than"):
        read_html(b"<html>" + b"x" * 2000, path="big.html")


UNDATED = (
    "<html><head><title>Ferry notice</title></head><body><article><h1>Ferry notice</h1>"
    "<p>The harbour ferry will run every twenty minutes instead of every quarter hour, the operator said.</p>"
    "<p>Season tickets bought before the change remain valid until they expire, the operator added.</p>"
    "</article></body></html>"
)


def test_capture_date_stands_in_for_a_missing_date_and_says_so():
    captured = datetime(2024, 3, 13, 17, 5, tzinfo=UTC)
    document = read_html(UNDATED, url="https://ferries.example/notice", fetched=captured)
    assert document.published == captured
    assert "date: none on the page; the capture date stands in" in document.notes
    assert document.url == "https://ferries.example/notice"


def test_page_date_wins_over_capture_date(article):
    captured = datetime(2024, 5, 1, tzinfo=UTC)
    document = read_html(page("news_article.html"), url="https://mirror.example/x", fetched=captured)
    assert document.published == article.published
    assert "fetched from: https://mirror.example/x" in document.notes
    assert document.url == article.url


def test_decode_prefers_bom():
    text, codec = decode("\ufeff<p>naïve</p>".encode("utf-8"), name="x")
    assert (text, codec) == ("<p>naïve</p>", "utf-8-sig")


# A paragraph made of runs, some emphasised: the spans must give back exactly those runs.
WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyzé’“”", min_size=1, max_size=8)
RUN = st.tuples(
    st.lists(WORD, min_size=1, max_size=5).map(" ".join),
    st.sampled_from(["", "b", "i", "em", "strong", "u"]),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(RUN, min_size=1, max_size=8))
def test_emphasis_offsets_always_slice_back(runs):
    import lxml.html

    markup = " ".join(f"<{tag}>{words}</{tag}>" if tag else words for words, tag in runs)
    text, emphasis, _ = render(lxml.html.fragment_fromstring(f"<p>{markup}</p>", create_parent="div"))
    assert text == " ".join(words for words, _ in runs)
    expected = [words for words, tag in runs if tag]
    assert [text[e.start : e.end] for e in emphasis] == expected
    styles = {"b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline"}
    assert [e.style for e in emphasis] == [styles[tag] for _, tag in runs if tag]


RUSSIAN = (
    "<html><head><title>Мост</title></head><body><article>"
    "<h1>Городской совет одобрил строительство моста</h1>"
    "<p>Городской совет во вторник поздно вечером проголосовал за строительство нового моста через гавань, "
    "завершив спор, который длился более десяти лет.</p></article></body></html>"
)
JAPANESE = (
    "<html><head><title>橋</title></head><body><article><h1>市議会が港の橋の建設を承認</h1>"
    "<p>市議会は火曜日の深夜、港に新しい橋を建設する計画を賛成七、反対四で承認した。十年以上続いた議論に決着がついた。</p>"
    "</article></body></html>"
)


@pytest.mark.parametrize(
    ("page_text", "encoding", "expected"),
    [
        (RUSSIAN, "koi8-r", "проголосовал за строительство"),
        (RUSSIAN, "cp1251", "проголосовал за строительство"),
        (RUSSIAN, "utf-16", "проголосовал за строительство"),  # with a byte order mark
        (JAPANESE, "shift_jis", "港に新しい橋を建設する計画"),
        pytest.param(
            JAPANESE, "euc-jp", "港に新しい橋を建設する計画",
            marks=pytest.mark.xfail(
                strict=True, reason="charset_normalizer 3.5 takes two lines of EUC-JP for cp949"
            ),
        ),
    ],
)
def test_undeclared_legacy_encodings_are_detected(page_text, encoding, expected):
    document = read_html(page_text.encode(encoding), path="page.html")
    assert expected in document.text


MARKUP = """<html><head><title>Markup test</title></head><body><article><h1>Heading for a test page</h1>
<p>The minister said <q>we heard the words <q>never again</q> too often</q> and left without questions.</p>
<p>Another source wrote <q>\u201cwe will not wait,\u201d</q> in a letter to the council on Monday evening.</p>
<blockquote><p>First paragraph of a long quotation with <b>bold words</b> in it, as the report said.</p>
<p>Second paragraph of the same quotation, which goes on for a while longer.</p></blockquote>
<p>Line one of an address<br>Line two of the address, which is longer than the first line was.</p>
<table><tr><td>Votes for</td><td>7</td></tr><tr><td>Votes against</td><td>4</td></tr></table>
<p>Final paragraph of the test page with enough words to count as real prose here.</p>
</article></body></html>"""


@pytest.fixture(scope="module")
def markup():
    return read_html(MARKUP)


def test_nested_q_stays_in_its_sentence_with_alternating_marks(markup):
    assert "said “we heard the words ‘never again’ too often” and left" in markup.text
    inline = [markup.text[q.start : q.end] for q in markup.quotes if q.style == "inline"]
    assert inline[:2] == ["we heard the words ‘never again’ too often", "never again"]


def test_q_that_carries_its_own_marks_is_not_double_quoted(markup):
    assert "wrote “we will not wait,” in a letter" in markup.text
    inline = [markup.text[q.start : q.end] for q in markup.quotes if q.style == "inline"]
    assert inline[2] == "we will not wait,"


def test_a_blockquote_of_several_paragraphs_is_one_block(markup):
    (block,) = [q for q in markup.quotes if q.style == "block"]
    assert markup.text[block.start : block.end] == (
        "First paragraph of a long quotation with bold words in it, as the report said.\n"
        "Second paragraph of the same quotation, which goes on for a while longer."
    )
    (bold,) = markup.emphasis
    assert block.start < bold.start < bold.end < block.end


def test_line_breaks_and_table_rows(markup):
    assert "Line one of an address\nLine two of the address" in markup.text
    assert "\nVotes for\t7\nVotes against\t4\n" in markup.text


def test_looks_like_html():
    assert html.looks_like_html(page("news_article.html")[:4096])
    assert html.looks_like_html(b"\n  <!-- cached 2024 -->\n<HTML><body>x</body></HTML>")
    assert html.looks_like_html("<!DOCTYPE html><html>".encode("utf-16"))  # with its BOM
    assert not html.looks_like_html(b"Plain text that mentions <html> later on.")
    assert not html.looks_like_html(b'<?xml version="1.0"?><rss version="2.0">')
