"""Ingesting what people archive: HTML pages, WARC captures, feeds, folders, stdin.

Bad input never costs good data: each bad file (or record) is reported by name
and reason, the rest is stored, and the exit code says something was skipped.
"""

from __future__ import annotations

import io
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from provenance import ingest
from provenance.cli import cli
from provenance.store import Store

WEB = Path(__file__).parent / "data" / "web"
sys.path.insert(0, str(Path(__file__).parent.parent / "benchmarks"))
from pages import news_page, write_pages  # noqa: E402  (benchmarks/ is not a package)


def run(*args: str, input: bytes | None = None):
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


def documents(db: Path) -> list[dict]:
    store = Store(db)
    try:
        return [dict(row) for row in store.db.query("SELECT * FROM documents ORDER BY key")]
    finally:
        store.close()


def locations(db: Path) -> dict[int, set[str]]:
    with sqlite3.connect(db) as connection:
        found: dict[int, set[str]] = {}
        for key, location in connection.execute("SELECT document_key, location FROM locations"):
            found.setdefault(key, set()).add(location)
        return found


def write_warc(path: Path, captures: list[tuple[str, bytes, str]], *, gzip: bool = True) -> None:
    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=gzip)
        for url, body, date in captures:
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(
                url, "response", payload=io.BytesIO(body), http_headers=headers,
                warc_headers_dict={"WARC-Date": date},
            ))


@pytest.fixture
def archive_folder(tmp_path):
    """A folder as people keep them: pages, a feed, a capture, in subfolders."""
    folder = tmp_path / "archive"
    (folder / "pages" / "2024").mkdir(parents=True)
    (folder / "feeds").mkdir()
    for name in ("news_article.html", "syndicated_copy.html", "cp1252_undeclared.html"):
        (folder / "pages" / "2024" / name).write_bytes((WEB / name).read_bytes())
    (folder / "feeds" / "newsroom.atom").write_bytes((WEB / "newsroom_atom.xml").read_bytes())
    write_warc(folder / "capture.warc.gz", [
        ("https://ferries.example/a", news_page(1).encode(), "2024-03-13T17:05:00Z"),
        ("https://ferries.example/b", news_page(2).encode(), "2024-03-13T17:06:00Z"),
    ])
    return folder


def test_a_folder_is_read_recursively_with_every_format(tmp_path, archive_folder):
    db = tmp_path / "archive.db"
    result = run("ingest", str(db), str(archive_folder))
    assert result.exit_code == 0, result.output
    formats = sorted(row["format"] for row in documents(db))
    assert formats == ["feed", "feed", "html", "html", "html", "html", "html"]
    assert "7 added, 0 already present, 0 skipped" in result.output


def test_ingest_is_idempotent(tmp_path, archive_folder):
    db = tmp_path / "archive.db"
    run("ingest", str(db), str(archive_folder))
    again = run("ingest", str(db), str(archive_folder))
    assert again.exit_code == 0
    assert "0 added, 7 already present, 0 skipped" in again.output
    assert len(documents(db)) == 7


def test_the_summary_says_which_dates_are_capture_dates(tmp_path):
    undated = (
        b"<html><head><title>Ferry notice</title></head><body><article><h1>Ferry notice</h1>"
        b"<p>The harbour ferry will run every twenty minutes instead of every quarter hour.</p>"
        b"</article></body></html>"
    )
    warc = tmp_path / "capture.warc.gz"
    write_warc(warc, [
        ("https://ferries.example/notice", undated, "2024-03-13T17:05:00Z"),
        ("https://ferries.example/a", news_page(1).encode(), "2024-03-13T17:06:00Z"),
    ])
    db = tmp_path / "archive.db"
    result = run("ingest", str(db), str(warc))
    assert "2 added" in result.output
    assert "1 of those added carry no date of their own: their capture date stands in" in result.output
    dated = {row["url"]: row["published"] for row in documents(db)}
    assert dated["https://ferries.example/notice"] == "2024-03-13T17:05:00+00:00"


def test_the_same_text_from_two_urls_is_one_document_with_both_locations(tmp_path):
    page = (WEB / "cp1252_undeclared.html").read_bytes()
    warc = tmp_path / "two.warc.gz"
    write_warc(warc, [
        ("https://quayside.example/traders", page, "2023-11-03T10:00:00Z"),
        ("https://mirror.example/quayside/traders", page, "2023-11-05T10:00:00Z"),
    ])
    db = tmp_path / "archive.db"
    result = run("ingest", str(db), str(warc))
    assert "1 added, 1 already present" in result.output
    (row,) = documents(db)
    assert locations(db)[row["key"]] >= {
        "https://quayside.example/traders", "https://mirror.example/quayside/traders",
    }


def test_a_capture_is_located_at_its_target_url_and_its_canonical_url(tmp_path):
    warc = tmp_path / "capture.warc.gz"
    target = "https://lakesidecourier.example/news/2024/03/12/harbour-bridge-vote?utm_source=feed"
    write_warc(warc, [(target, (WEB / "news_article.html").read_bytes(), "2024-03-13T10:00:00Z")])
    db = tmp_path / "archive.db"
    run("ingest", str(db), str(warc))
    (row,) = documents(db)
    assert row["url"] == "https://lakesidecourier.example/news/2024/03/12/harbour-bridge-vote"
    assert locations(db)[row["key"]] == {row["url"], target, str(warc)}


def test_globs_and_format_detection_by_content(tmp_path):
    # a WARC saved without extension and a feed saved as .xml are recognised by their content
    write_warc(tmp_path / "capture-2024-03-13", [
        ("https://ferries.example/a", news_page(1).encode(), "2024-03-13T17:05:00Z"),
    ])
    (tmp_path / "feed.xml").write_bytes((WEB / "wordpress_rss.xml").read_bytes())
    (tmp_path / "page.htm").write_bytes((WEB / "news_article.html").read_bytes())
    db = tmp_path / "archive.db"
    result = run("ingest", str(db), str(tmp_path / "capture-*"), str(tmp_path / "*.xml"),
                 str(tmp_path / "page.htm"))
    assert result.exit_code == 1  # the feed's image-only entry is skipped, and said so
    assert "entry 3" in result.output and "entry has no text" in result.output
    assert sorted(row["format"] for row in documents(db)) == ["feed", "feed", "html", "html"]


def test_stdin_with_format_and_metadata_overrides(tmp_path):
    db = tmp_path / "archive.db"
    result = run("ingest", str(db), "-", "--format", "html", "--published", "2024-03-12T22:15:00Z",
                 "--publisher", "Courier (print edition)",
                 input=(WEB / "news_article.html").read_bytes())
    assert result.exit_code == 0, result.output
    (row,) = documents(db)
    assert row["format"] == "html"
    assert row["publisher"] == "Courier (print edition)"
    assert row["title"] == "Council approves harbour bridge after late-night vote"
    assert row["published"].startswith("2024-03-12T22:15:00")


def test_html_emphasis_is_stored(tmp_path):
    db = tmp_path / "archive.db"
    run("ingest", str(db), str(WEB / "news_article.html"))
    (row,) = documents(db)
    assert '"underline"' in row["emphasis"] and '"bold"' in row["emphasis"]


@pytest.fixture
def bad_folder(tmp_path):
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "good.html").write_bytes((WEB / "news_article.html").read_bytes())
    (folder / "login.html").write_bytes((WEB / "no_main_text.html").read_bytes())
    (folder / "report.html").write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")
    with open(folder / "huge.html", "wb") as handle:  # 200 MB, sparse: costs no disk
        handle.truncate(200_000_000)
    write_warc(folder / "cut.warc.gz", [
        ("https://ferries.example/a", news_page(1).encode(), "2024-03-13T17:05:00Z"),
        ("https://ferries.example/b", news_page(2).encode(), "2024-03-13T17:06:00Z"),
    ])
    data = (folder / "cut.warc.gz").read_bytes()
    (folder / "cut.warc.gz").write_bytes(data[:-400])  # truncated download
    write_warc(folder / "garbage.warc", [
        ("https://ferries.example/c", news_page(3).encode(), "2024-03-13T17:05:00Z"),
        ("https://ferries.example/d", news_page(4).encode(), "2024-03-13T17:06:00Z"),
    ], gzip=False)
    raw = (folder / "garbage.warc").read_bytes()
    second = raw.index(b"WARC/1", 10)
    (folder / "garbage.warc").write_bytes(raw[:second] + b"\x00\xffJUNK\r\n\r\n" + raw[second:])
    return folder


def test_bad_files_are_reported_by_name_and_reason_and_the_rest_kept(tmp_path, bad_folder):
    db = tmp_path / "archive.db"
    result = run("ingest", str(db), str(bad_folder))
    assert result.exit_code == 1
    output = result.output
    assert "login.html: no main text found" in output
    assert "report.html: this is a PDF file, not an HTML page" in output
    assert "huge.html: 200 MB is more than the 20 MB allowed for html input" in output
    assert "cut.warc.gz (record at byte" in output
    assert "garbage.warc (record at byte" in output and "damaged record" in output
    urls = sorted(row["url"] or "" for row in documents(db))
    assert "https://lakesidecourier.example/news/2024/03/12/harbour-bridge-vote" in urls
    # the first capture of the truncated WARC and both pages around the garbage survive
    assert len(urls) == 4, urls
    assert "4 added, 0 already present, 5 skipped" in output


def _kill_mid_ingest(folder, db, count, *, group=True):
    """Start an ingest, kill -9 it once some documents are stored (with its reader processes,
    or not); False if it finished first."""
    write_pages(folder, count)
    # commits every 100 documents (not 4,000): several before the kill, in any ingest here
    program = "import provenance.ingest as i; i.COMMIT_DOCUMENTS = 100; from provenance.cli import cli; cli()"
    command = [sys.executable, "-c", program, "ingest", str(db), str(folder), "--workers", "2"]
    # its own process group: the kill takes its reader processes too, and leaves no orphans
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.02)
        try:
            with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.2) as connection:
                stored = connection.execute("SELECT count(*) FROM documents").fetchone()[0]
        except sqlite3.Error:
            continue
        if stored >= 1:
            break
    if group:
        os.killpg(process.pid, signal.SIGKILL)
    else:
        process.kill()
    process.wait()
    return command, process.returncode == -signal.SIGKILL, process.pid


def _count_documents(db):
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as connection:
        return connection.execute("SELECT count(*) FROM documents").fetchone()[0]


def test_the_readers_of_a_killed_ingest_exit_and_its_runs_are_merged_on_the_next_open(tmp_path):
    """The storing process alone is killed (as the kernel's out-of-memory killer would):
    its reader processes exit instead of waiting for work forever, and let go of the run
    folder's lock, so the next open of the database merges the bulk load's runs."""
    for attempt, count in enumerate((400, 1200, 3600)):
        folder, db = tmp_path / f"pages{attempt}", tmp_path / f"archive{attempt}.db"
        command, killed, group = _kill_mid_ingest(folder, db, count, group=False)
        if killed and _count_documents(db) < count:  # read as it is: opening a Store would merge the runs
            break
    else:
        pytest.fail("every ingest stored all its documents before the kill")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            os.killpg(group, 0)  # a session of its own: its process group is its pid's
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        os.killpg(group, signal.SIGKILL)
        pytest.fail("the reader processes outlived the storing process")
    stored = _count_documents(db)
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as connection:
        assert connection.execute("SELECT count(*) FROM bulk_runs").fetchone()[0] > 0
    rerun = subprocess.run(command, check=False, capture_output=True, text=True, timeout=600)
    assert f"indexing the {stored:,} documents of a bulk load that was interrupted" in rerun.stderr
    assert f"{count - stored} added, {stored} already present, 0 skipped" in rerun.stderr
    assert not Path(f"{db}-bulk").exists()
    store = Store(db)
    assert store._listed_runs() == [] and len(store.segments()) == 1
    store.close()


def test_a_killed_ingest_leaves_a_consistent_database_and_can_be_rerun(tmp_path):
    # A fast or busy machine may finish a small ingest before the kill lands: try bigger ones.
    for attempt, count in enumerate((400, 1200, 3600)):
        folder, db = tmp_path / f"pages{attempt}", tmp_path / f"archive{attempt}.db"
        command, killed, _ = _kill_mid_ingest(folder, db, count)
        if killed and len(documents(db)) < count:
            break
    else:
        pytest.fail("every ingest stored all its documents before the kill")

    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        total = connection.execute("SELECT count(*) FROM documents").fetchone()[0]
        assert 0 < total < count, total
        # every stored document is fully indexed and located: no half-written document
        half = connection.execute(
            "SELECT count(*) FROM documents d WHERE indexed = 0"
            " OR NOT EXISTS (SELECT 1 FROM minhashes m WHERE m.document_key = d.key)"
            " OR NOT EXISTS (SELECT 1 FROM locations l WHERE l.document_key = d.key)"
        ).fetchone()[0]
        assert half == 0

    rerun = subprocess.run(command, check=False, capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stderr
    expected = f"{count - total} added, {total} already present, 0 skipped"
    assert expected in rerun.stderr, (expected, rerun.stderr[-2000:])
    assert len(documents(db)) == count


def test_detect_format_by_name():
    assert ingest.detect_format("a/b/capture.warc.gz") == "warc"
    assert ingest.detect_format("capture.WARC") == "warc"
    assert ingest.detect_format("page.HTM") == "html"
    assert ingest.detect_format("feed.rss") == "feed"
    assert ingest.detect_format("story.txt") == "text"


def test_reader_processes_store_the_same_documents_in_the_same_order(tmp_path):
    folder = tmp_path / "pages"
    write_pages(folder, 30)
    (folder / "page-00007.html").write_bytes((WEB / "no_main_text.html").read_bytes())
    captures = [(f"https://ferries.example/{n}", news_page(100 + n).encode(), "2024-03-13T17:05:00Z")
                for n in range(20)]
    captures[5] = ("https://ferries.example/login", (WEB / "no_main_text.html").read_bytes(),
                   "2024-03-13T17:05:00Z")
    write_warc(folder / "capture.warc.gz", captures)
    results = {}
    for workers in (1, 2):
        db = tmp_path / f"w{workers}.db"
        result = run("ingest", str(db), str(folder), "--workers", str(workers))
        assert result.exit_code == 1
        assert f"{folder}/page-00007.html: no main text found" in result.output
        assert "capture.warc.gz (record at byte" in result.output
        assert "https://ferries.example/login): no main text found" in result.output
        results[workers] = [(row["id"], row["url"], row["text"]) for row in documents(db)]
    assert len(results[1]) == 48  # 29 pages and 19 archived ones
    assert results[1] == results[2]


def test_quotes_and_trace_read_an_html_article_with_its_blockquote(tmp_path):
    import json

    result = run("quotes", str(WEB / "news_article.html"), "--json")
    (article,) = json.loads(result.output)
    kinds = [(q["kind"], q["text"][:26]) for q in article["quotations"]]
    assert kinds == [
        ("quoted", "a promise kept to every co"),
        ("block", "We are not against a bridg"),
        ("quoted", "This is the single most im"),
    ]
    assert article["quotations"][1]["speaker"]["text"].endswith("Tomas Reyes")

    db = tmp_path / "archive.db"
    run("ingest", str(db), str(WEB / "newsroom_atom.xml"))
    traced = run("trace", str(db), str(WEB / "news_article.html"), "--json", "--no-store")
    assert traced.exit_code == 0, traced.output
    (trace,) = json.loads(traced.output)
    assert trace["document"]["title"] == "Council approves harbour bridge after late-night vote"
    promise = next(q for q in trace["quotations"] if q["text"].startswith("a promise kept"))
    block = next(q for q in trace["quotations"] if q["kind"] == "block")
    assert block["status"] == "unsourced"  # the councillor's statement is in no archived document
    # the Mayor's statement went out after the article (04:40 UTC next day): not its origin
    assert promise["status"] == "unsourced" and len(promise["later"]) == 1


def test_progress_counts_every_byte_and_moves_within_an_archive(tmp_path):
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "page.html").write_bytes((WEB / "news_article.html").read_bytes())
    (folder / "login.html").write_bytes((WEB / "no_main_text.html").read_bytes())
    write_warc(folder / "big.warc.gz", [
        (f"https://ferries.example/{n}", news_page(n).encode(), "2024-03-13T17:05:00Z")
        for n in range(250)
    ])
    steps: list[int] = []
    store = Store(tmp_path / "archive.db")
    try:
        summary = ingest.ingest(store, [str(folder)], progress_bytes=steps.append)
    finally:
        store.close()
    assert len(summary.added) == 251 and len(summary.skipped) == 1
    total = sum(p.stat().st_size for p in folder.iterdir())
    assert sum(steps) == total
    assert all(step > 0 for step in steps)
    assert len(steps) >= 4  # the archive's 250 records are reported in batches, not at the end


def test_gzip_compressed_files_are_read_and_a_truncated_one_reported(tmp_path):
    import gzip

    folder = tmp_path / "zipped"
    folder.mkdir()
    (folder / "story.html.gz").write_bytes(gzip.compress((WEB / "news_article.html").read_bytes()))
    (folder / "feed.xml.gz").write_bytes(gzip.compress((WEB / "newsroom_atom.xml").read_bytes()))
    whole = gzip.compress((WEB / "cp1252_undeclared.html").read_bytes())
    (folder / "cut.html.gz").write_bytes(whole[: len(whole) // 2])
    db = tmp_path / "archive.db"
    result = run("ingest", str(db), str(folder))
    assert result.exit_code == 1
    assert "3 added, 0 already present, 1 skipped" in result.output
    assert f"{folder}/cut.html.gz: truncated gzip file" in result.output
    assert sorted(row["format"] for row in documents(db)) == ["feed", "feed", "html"]


def test_a_stored_html_article_keeps_its_block_quotation_when_traced_by_id(tmp_path):
    import json

    db = tmp_path / "archive.db"
    assert run("ingest", str(db), str(WEB / "news_article.html")).exit_code == 0
    (row,) = documents(db)
    spans = [tuple(span) for span in json.loads(row["quotes"])]
    ((start, end, _),), text = [span for span in spans if span[2] == "block"], row["text"]
    assert text[start:end].startswith("We are not against a bridge.")

    stored = Store(db)
    try:
        document = stored.document_by_id(row["id"])
    finally:
        stored.close()
    assert document is not None
    assert [(q.start, q.end, q.style) for q in document.quotes] == spans

    blocks = {}
    for given in (row["id"], str(WEB / "news_article.html")):
        traced = run("trace", str(db), given, "--json", "--no-store")
        assert traced.exit_code == 0, traced.output
        (trace,) = json.loads(traced.output)
        (block,) = [q for q in trace["quotations"] if q["kind"] == "block"]
        assert text[block["start"] : block["end"]] == block["text"]
        assert block["text"].startswith("We are not against a bridge.")
        blocks[given] = (block["start"], block["end"], block["text"])
    assert blocks[row["id"]] == blocks[str(WEB / "news_article.html")]


def test_a_blank_database_gets_the_quotes_column(tmp_path):
    store = Store(tmp_path / "blank.db")
    try:
        columns = {column.name: column for column in store.db["documents"].columns}
        assert "quotes" in columns and columns["quotes"].notnull
        assert "m009_document_quotes" in {
            row["name"] for row in store.db["_sqlite_migrations"].rows}
    finally:
        store.close()
