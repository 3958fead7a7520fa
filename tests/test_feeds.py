"""The feed reader: every RSS or Atom entry with its date and link; syndicated copies named."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from provenance.feeds import looks_like_feed, read_feed
from provenance.model import ProvenanceError
from provenance.syndication import find_syndication_in_text

WEB = Path(__file__).parent / "data" / "web"
SEEDS = Path(__file__).parent.parent / "seeds"


def feed(name: str):
    return read_feed((WEB / name).read_bytes(), path=name)


def test_rss_entries_with_dates_links_and_publisher():
    documents = feed("wordpress_rss.xml")
    bridge, ferry = list(documents)
    assert bridge.title == "Council approves harbour bridge after late-night vote"
    assert bridge.url == "https://regionalwiredigest.example/2024/03/14/council-approves-harbour-bridge-after-late-night-vote/"
    assert bridge.published == datetime(2024, 3, 14, 6, 30, 12, tzinfo=UTC)
    assert bridge.publisher == "Regional Wire Digest"
    assert bridge.author == "wiredesk"
    assert bridge.format == "feed" and bridge.path == "wordpress_rss.xml"
    # the full content:encoded, not the truncated description
    assert "The council will publish the full tender documents next month." in bridge.text
    assert "Continue reading" not in bridge.text
    # the entry's own UTC offset is kept
    assert ferry.published == datetime(2024, 3, 13, 17, 5, tzinfo=timezone(timedelta(hours=1)))


def test_rss_entry_markup_becomes_spans():
    bridge = next(iter(feed("wordpress_rss.xml")))
    assert [(bridge.text[e.start : e.end], e.style) for e in bridge.emphasis] == [
        ("as early as next spring", "bold")
    ]
    assert [(bridge.text[q.start : q.end], q.style) for q in bridge.quotes] == [
        (
            "We are not against a bridge. We are against this bridge, at this price, on this timetable.",
            "block",
        )
    ]


def test_syndicated_entry_names_its_original():
    bridge = next(iter(feed("wordpress_rss.xml")))
    assert bridge.notes == (
        (
            "syndicated: original “Council approves harbour bridge after late-night vote” "
            "<https://lakesidecourier.example/news/2024/03/12/harbour-bridge-vote> "
            "appeared first on The Lakeside Courier"
        ),
    )


def test_entry_without_text_is_reported_and_the_rest_kept():
    documents = feed("wordpress_rss.xml")
    assert len(list(documents)) == 2
    (problem,) = documents.problems
    assert problem.where == "wordpress_rss.xml (entry 3, https://regionalwiredigest.example/2024/03/12/regatta-gallery/)"
    assert problem.reason == "entry has no text"


def test_atom_entries():
    statement, consultation = list(feed("newsroom_atom.xml"))
    assert statement.title == "Statement from the Mayor on the harbour bridge vote"
    assert statement.url == "https://cityhall.example/press/2024/03/12/harbour-bridge-statement"
    assert statement.published == datetime(2024, 3, 12, 23, 40, tzinfo=timezone(timedelta(hours=-5)))
    assert statement.author == "Lena Brandt"
    assert statement.publisher == "City Hall Press Office"
    assert [statement.text[e.start : e.end] for e in statement.emphasis] == ["a promise"]
    # no <published>: the update date stands in, and the note says so
    assert consultation.published == datetime(2024, 3, 10, 12, tzinfo=UTC)
    assert consultation.notes == ("date: the entry's last update; it gives no publication date",)
    assert consultation.text.startswith("A public consultation on the approach roads")


def test_broken_xml_is_read_leniently_and_reported():
    data = (WEB / "wordpress_rss.xml").read_bytes().replace(b"</channel>", b"<unclosed></channel>")
    documents = read_feed(data, path="broken.xml")
    assert len(list(documents)) == 2
    assert any("not well-formed" in p.reason for p in documents.problems)


@pytest.mark.parametrize("data", [b"", b"<html><body><p>A web page</p></body></html>", b"\x00\x01binary"])
def test_not_a_feed_is_refused_by_name(data):
    with pytest.raises(ProvenanceError, match="notes.xml: not an RSS or Atom feed"):
        list(read_feed(data, path="notes.xml"))


def test_feed_bytes_are_never_taken_for_a_file_name(tmp_path, monkeypatch):
    # feedparser opens a string or bytes that name a file; we must only ever parse the data
    (tmp_path / "secret").write_text('<rss version="2.0"><channel><title>leak</title></channel></rss>')
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ProvenanceError):
        list(read_feed(b"secret", path="x"))


def test_looks_like_feed():
    assert looks_like_feed((WEB / "wordpress_rss.xml").read_bytes())
    assert looks_like_feed((WEB / "newsroom_atom.xml").read_bytes())
    assert looks_like_feed(b'<?xml version="1.0"?>\n<!-- generated -->\n<rdf:RDF xmlns:rdf="x">')
    assert not looks_like_feed((WEB / "news_article.html").read_bytes())
    assert not looks_like_feed(b'<?xml version="1.0"?><svg></svg>')


def test_text_footer_of_the_seed_article():
    seed = next(SEEDS.glob("*.txt")).read_text(encoding="utf-8")
    syndication = find_syndication_in_text(seed)
    assert syndication is not None
    assert syndication.publisher == "The Duran"
    assert syndication.title == "The ISIS attack in Syria appears to have failed in its real mission"


def test_no_footer_no_syndication():
    assert find_syndication_in_text("The post office closed early. It appeared first in 1902.") is None


def test_syndication_round_trips_through_notes():
    from provenance.syndication import syndication_of

    bridge = next(iter(feed("wordpress_rss.xml")))
    syndication = syndication_of(bridge.text, bridge.notes)
    assert syndication is not None
    assert syndication.url == "https://lakesidecourier.example/news/2024/03/12/harbour-bridge-vote"
    assert syndication.publisher == "The Lakeside Courier"
    assert syndication.title == "Council approves harbour bridge after late-night vote"


def test_a_syndicated_page_is_a_copy_of_its_original_and_not_the_reverse_of_a_different_story():
    from provenance.html import read_html
    from provenance.syndication import containment, is_copy

    original = read_html((WEB / "news_article.html").read_bytes())
    copy = read_html((WEB / "syndicated_copy.html").read_bytes())
    other = read_html((WEB / "cp1252_undeclared.html").read_bytes())
    assert is_copy(copy.text, original.text)
    assert containment(copy.text, original.text) > 0.9
    assert not is_copy(other.text, original.text)
    assert containment(other.text, original.text) < 0.2
