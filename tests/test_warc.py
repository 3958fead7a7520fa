"""The WARC reader: HTML responses become documents; damage is reported, never fatal."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from provenance.model import ProvenanceError
from provenance.warc import read_warc

WEB = Path(__file__).parent / "data" / "web"

UNDATED = (
    b"<html><head><title>Ferry notice</title></head><body><nav>Home | Timetables</nav><article>"
    b"<h1>Ferry notice</h1>"
    b"<p>The harbour ferry will run every twenty minutes instead of every quarter hour, "
    b"the operator said.</p>"
    b"<p>Season tickets bought before the change remain valid until they expire, the operator added.</p>"
    b"</article></body></html>"
)

CAPTURES = [
    # (target URL, status, content type, body, WARC-Date)
    ("https://lakesidecourier.example/news/2024/03/12/harbour-bridge-vote?utm_source=feed", "200 OK",
     "text/html; charset=utf-8", (WEB / "news_article.html").read_bytes(), "2024-03-13T10:00:00Z"),
    ("https://ferries.example/notice", "200 OK", "text/html", UNDATED, "2024-03-13T17:05:00Z"),
    ("https://lakesidecourier.example/logo.png", "200 OK", "image/png", b"\x89PNG\r\n\x1a\n....",
     "2024-03-13T10:00:01Z"),
    ("https://lakesidecourier.example/gone", "404 Not Found", "text/html",
     b"<html><body><p>Page not found. Sorry, we could not find that page anywhere at all.</p></body></html>",
     "2024-03-13T10:00:02Z"),
    ("https://lakesidecourier.example/login", "200 OK", "text/html",
     (WEB / "no_main_text.html").read_bytes(), "2024-03-13T10:00:03Z"),
    ("https://quayside.example/traders", "200 OK", "text/html; charset=windows-1252",
     (WEB / "cp1252_undeclared.html").read_bytes(), "2024-03-13T10:00:04Z"),
    ("https://regionalwiredigest.example/2024/03/14/council-approves/", "200 OK", "text/html",
     (WEB / "syndicated_copy.html").read_bytes(), "2024-03-14T08:00:00Z"),
]


def write_warc(path: Path, *, gzip: bool) -> list[int]:
    """Write the captures (with a request record before each) and return each response's offset."""
    offsets = []
    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=gzip)
        for url, status, content_type, body, date in CAPTURES:
            request = writer.create_warc_record(
                url, "request", payload=io.BytesIO(b""),
                http_headers=StatusAndHeaders("GET / HTTP/1.1", [("Host", "x")], is_http_request=True),
                warc_headers_dict={"WARC-Date": date},
            )
            writer.write_record(request)
            offsets.append(handle.tell())
            headers = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
            response = writer.create_warc_record(
                url, "response", payload=io.BytesIO(body), http_headers=headers,
                warc_headers_dict={"WARC-Date": date},
            )
            writer.write_record(response)
    return offsets


@pytest.fixture(params=[True, False], ids=["warc.gz", "warc"])
def archive(request, tmp_path):
    path = tmp_path / ("capture.warc.gz" if request.param else "capture.warc")
    offsets = write_warc(path, gzip=request.param)
    return path, offsets


def test_every_html_response_becomes_a_document(archive):
    path, _ = archive
    titles = [d.title for d in read_warc(path)]
    assert titles == [
        "Council approves harbour bridge after late-night vote",
        "Ferry notice",
        "Harbour traders fear a long winter",
        "Council approves harbour bridge after late-night vote",
    ]
    urls = [d.url for d in read_warc(path)]
    assert urls == [
        "https://lakesidecourier.example/news/2024/03/12/harbour-bridge-vote",  # canonical wins
        "https://ferries.example/notice",
        "https://quayside.example/traders",
        "https://regionalwiredigest.example/2024/03/14/council-approves-harbour-bridge-after-late-night-vote/",
    ]


def test_capture_date_stands_in_only_when_the_page_has_none(archive):
    path, _ = archive
    documents = {d.url: d for d in read_warc(path)}
    ferry = documents["https://ferries.example/notice"]
    assert ferry.published == datetime(2024, 3, 13, 17, 5, tzinfo=UTC)
    assert "date: none on the page; the capture date stands in" in ferry.notes
    bridge = documents["https://lakesidecourier.example/news/2024/03/12/harbour-bridge-vote"]
    assert bridge.published == datetime(2024, 3, 12, 22, 15, tzinfo=UTC)
    assert not any("capture date" in note for note in bridge.notes)
    fetched = "https://lakesidecourier.example/news/2024/03/12/harbour-bridge-vote?utm_source=feed"
    assert f"fetched from: {fetched}" in bridge.notes
    assert bridge.path == str(path)
    assert bridge.emphasis  # formatting survives the archive


def test_http_charset_decodes_an_undeclared_page(archive):
    path, _ = archive
    traders = next(d for d in read_warc(path) if d.url == "https://quayside.example/traders")
    assert "The café on the corner" in traders.text
    assert "encoding: cp1252" in traders.notes


def test_page_without_main_text_is_a_problem_naming_record_and_url(archive):
    path, offsets = archive
    documents = read_warc(path)
    list(documents)
    assert [(p.where, p.reason) for p in documents.problems] == [
        (f"{path} (record at byte {offsets[4]}, https://lakesidecourier.example/login)",
         "no main text found on the page (only menus or forms?)"),
    ]
    assert documents.pages == 5  # the image and the 404 are not pages


def test_garbage_between_records_costs_only_itself(tmp_path):
    clean = tmp_path / "clean.warc"
    offsets = write_warc(clean, gzip=False)
    data = clean.read_bytes()
    damaged = tmp_path / "damaged.warc"
    cut = offsets[1]  # just before the ferry response
    damaged.write_bytes(data[:cut] + b"GET /garbage HTTP/1.1\r\n\x00\xff\xfe junk\r\n\r\n" + data[cut:])
    documents = read_warc(damaged)
    urls = [d.url for d in documents]
    assert urls == [d.url for d in read_warc(clean)]
    (problem,) = [p for p in documents.problems if "damaged record" in p.reason]
    assert problem.where == f"{damaged} (record at byte {cut})"


def test_garbage_inside_a_gzip_member_loses_only_that_record(tmp_path):
    clean = tmp_path / "clean.warc.gz"
    offsets = write_warc(clean, gzip=True)
    data = bytearray(clean.read_bytes())
    # overwrite the middle of the ferry response's gzip member
    middle = offsets[1] + 60
    data[middle : middle + 40] = b"\x00" * 40
    damaged = tmp_path / "damaged.warc.gz"
    damaged.write_bytes(bytes(data))
    documents = read_warc(damaged)
    urls = [d.url for d in documents]
    assert "https://ferries.example/notice" not in urls
    assert len(urls) == 3  # the other three pages survive
    assert any("damaged record" in p.reason for p in documents.problems)


def test_truncated_gzip_keeps_what_came_before(tmp_path):
    clean = tmp_path / "clean.warc.gz"
    write_warc(clean, gzip=True)
    data = clean.read_bytes()
    truncated = tmp_path / "truncated.warc.gz"
    truncated.write_bytes(data[: len(data) - 500])  # cut into the last (syndicated) response
    documents = read_warc(truncated)
    urls = [d.url for d in documents]
    assert len(urls) == 3 and "regionalwiredigest" not in " ".join(urls)
    assert documents.problems, "a truncated archive must be reported"
    assert any("truncated" in p.reason or "cut short" in p.reason or "damaged" in p.reason
               for p in documents.problems)


def test_truncated_plain_warc_reports_the_cut_record(tmp_path):
    clean = tmp_path / "clean.warc"
    write_warc(clean, gzip=False)
    truncated = tmp_path / "truncated.warc"
    truncated.write_bytes(clean.read_bytes()[:-800])
    documents = read_warc(truncated)
    assert len(list(documents)) == 3
    (problem,) = [p for p in documents.problems if "cut short" in p.reason]
    assert "regionalwiredigest.example" in problem.where


@pytest.mark.parametrize("content", [b"", b"<html><body>not an archive</body></html>"])
def test_a_file_that_is_not_a_warc_is_refused(tmp_path, content):
    path = tmp_path / "fake.warc"
    path.write_bytes(content)
    with pytest.raises(ProvenanceError, match="fake.warc: "):
        list(read_warc(path))


def test_archive_bytes_read_like_the_file(archive):
    path, _ = archive
    from_bytes = read_warc(path.read_bytes(), path="-")
    assert [d.url for d in from_bytes] == [d.url for d in read_warc(path)]
    assert all(p.where.startswith("- (record at byte") for p in from_bytes.problems)


def test_looks_like_warc(archive):
    from provenance.warc import looks_like_warc

    path, _ = archive
    assert looks_like_warc(path.read_bytes()[:4096])
    assert not looks_like_warc(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03garbage")
    assert not looks_like_warc(b"<html><body>WARC/1.0</body></html>")
