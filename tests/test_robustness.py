"""Damaged input never escapes as anything but a ProvenanceError (or a reported problem).

The ingest loop skips a file on ProvenanceError; any other exception would stop
the whole batch, so the readers must turn every failure into one.
"""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from provenance.feeds import read_feed
from provenance.html import read_html
from provenance.model import Document, ProvenanceError
from provenance.warc import read_warc

WEB = Path(__file__).parent / "data" / "web"
SAMPLES = sorted(p.read_bytes() for p in WEB.iterdir())


@st.composite
def damaged(draw: st.DrawFn) -> bytes:
    """A fixture file cut short, overwritten in places, or spliced with random bytes."""
    data = bytearray(draw(st.sampled_from(SAMPLES)))
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["cut", "overwrite", "splice"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if kind == "cut":
            data = data[:at]
        elif kind == "overwrite":
            noise = draw(st.binary(min_size=1, max_size=64))
            data[at : at + len(noise)] = noise
        else:
            data[at:at] = draw(st.binary(min_size=1, max_size=256))
    return bytes(data)


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(damaged())
def test_damaged_html_gives_a_document_or_a_provenance_error(data):
    try:
        document = read_html(data, path="page.html")
    except ProvenanceError as error:
        assert str(error).startswith("page.html: ")
    else:
        assert isinstance(document, Document) and document.text
        for span in (*document.emphasis, *document.quotes):
            assert 0 <= span.start < span.end <= len(document.text)


@SETTINGS
@given(damaged())
def test_damaged_feed_gives_documents_or_a_provenance_error(data):
    try:
        entries = read_feed(data, path="feed.xml")
        found = list(entries)
    except ProvenanceError as error:
        assert str(error).startswith("feed.xml: ")
    else:
        assert all(document.text for document in found)


@functools.cache
def archive_bytes(gzip: bool) -> bytes:
    """The test archive of test_warc, written once so that every example damages the same bytes."""
    from test_warc import write_warc

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "capture.warc"
        write_warc(path, gzip=gzip)
        return path.read_bytes()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(gzip=st.booleans(), data=st.data())
def test_damaged_warc_gives_documents_and_problems(gzip, data):
    original = archive_bytes(gzip)
    at = data.draw(st.integers(0, len(original) - 1))
    noise = data.draw(st.binary(min_size=1, max_size=512))
    damaged_bytes = original[:at] + noise + original[at + len(noise) :]
    try:
        documents = read_warc(damaged_bytes, path="capture.warc.gz")
        found = list(documents)
    except ProvenanceError as error:
        assert str(error).startswith("capture.warc.gz: ")
        assert at < 5  # only a damaged file header makes the whole archive unreadable
    else:
        # damage can hide a page (a Content-Type of "text/htmq" is no page) but never
        # invent one, and what is read is whole
        assert len(found) <= 4
        for document in found:
            assert document.text and document.published is not None
            for span in document.emphasis:
                assert 0 <= span.start < span.end <= len(document.text)


def test_damaged_headers_are_reported_not_ignored():
    original = archive_bytes(False)
    for header, damaged_header in (
        (b"Content-Type: text/html; charset=utf-8", b"Content-Type: te\x00t/html; charset=utf-8"),
        (b"HTTP/1.1 200 OK\r\nContent-Type: text/html", b"HTTP/1.1 2\x010 OK\r\nContent-Type: text/html"),
        (b"WARC-Type: response", b"WARC-Type: respo\x00se"),
        (b"WARC-Date: 2024-03-13T17:05:00Z\r\nWARC-Type: response",
         b"WARC-Date: 2024-03-1\x00T17:05:00Z\r\nWARC-Type: response"),
    ):
        damaged_bytes = original.replace(header, damaged_header, 1)
        assert damaged_bytes != original
        documents = read_warc(damaged_bytes, path="capture.warc")
        found = list(documents)
        assert len(found) == 3
        reasons = [p.reason for p in documents.problems]
        assert any("damaged" in reason for reason in reasons), reasons
