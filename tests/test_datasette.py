"""Browsing in Datasette: what a fact-checker sees, and that nothing in a document runs."""

from __future__ import annotations

import asyncio
import json
import os
from html.parser import HTMLParser
from pathlib import Path

import pytest

try:
    from datasette import app as datasette_app
except ImportError:  # pragma: no cover - depends on the install
    if os.environ.get("CI"):
        raise  # CI installs the serve extra: a missing Datasette is a failure there
    pytest.skip("install provenance[serve] to test browsing", allow_module_level=True)

import browse_data
from datasette import hookspecs

from provenance.datasette_plugin import metadata_and_config, packaged_metadata
from provenance.store import BROWSE_VIEWS


@pytest.fixture(scope="module")
def browse_db(tmp_path_factory) -> tuple[Path, dict[str, int]]:
    work = tmp_path_factory.mktemp("browse")
    path = work / "browse.db"
    ids = browse_data.build(path, work)
    return path, ids


@pytest.fixture(scope="module")
def get(browse_db):
    """GET a path from a Datasette serving the database the way `datasette DB` does."""
    path, _ = browse_db
    if hasattr(hookspecs, "get_metadata"):  # 0.65: the plugin supplies the metadata
        datasette = datasette_app.Datasette([str(path)])
    else:  # 1.0a: what `provenance serve` passes as --metadata and --config
        metadata, config = metadata_and_config(path.stem)
        datasette = datasette_app.Datasette([str(path)], metadata=metadata, config=config)

    def fetch(url: str, status: int = 200) -> str:
        response = asyncio.run(datasette.client.get(url))
        assert response.status_code == status, (url, response.status_code, response.text[:500])
        return response.text

    return fetch


class Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str | None]] = []
        self.text: list[str] = []
        self.in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes.extend(attrs)
        self.in_script = tag == "script"

    def handle_endtag(self, tag):
        self.in_script = False

    def handle_data(self, data):
        if self.in_script:
            self.scripts.append(data)
        self.text.append(data)

    scripts: list[str]


def parse(html: str) -> Page:
    page = Page()
    page.scripts = []
    page.feed(html)
    page.close()
    return page


def assert_no_live_payload(html: str) -> Page:
    """Datasette's own scripts are fine; nothing from a document may become live."""
    page = parse(html)
    assert not any("pwned" in script for script in page.scripts)
    assert "img" not in page.tags
    for name, value in page.attributes:
        assert not name.startswith("on") or "pwned" not in (value or ""), (name, value)
        if name in ("href", "src"):
            assert not (value or "").lower().lstrip().startswith("javascript:"), value
    return page


def test_alterations_render_inline_with_the_ellipsis_original(get):
    html = get("/browse/alterations?kind=ellipsis&quotation_id=1")
    page = parse(html)
    text = "".join(page.text)
    assert "ellipsis · major" in text
    assert "original text:" in text
    assert "The Islamic State has lost nearly all of the territory" in text
    assert 'class="prov-ellipsis-mark"' in html
    assert "<del>. The Islamic State has lost" in html


def test_metadata_titles_facets_and_stylesheet(get):
    html = get("/browse/alterations")
    assert "<h1" in html and "Alterations" in html
    assert "Every change between a quotation and its source passage" in html
    assert 'data-column="kind"' in html and 'data-column="severity"' in html  # facets
    assert "/-/provenance.css" in html
    css = get("/-/provenance.css")
    assert ".prov-alteration" in css


def test_every_view_and_canned_query_answers(get):
    for view in BROWSE_VIEWS:
        rows = json.loads(get(f"/browse/{view}.json?_shape=array"))
        assert rows, view
    queries = packaged_metadata()["queries"]
    params = {"quotation_provenance": "quotation_id=2",
              "article_alterations": "article_id=hostile%3Cscript%3E",
              "search_quotations": "words=enthusiasm"}
    for name in queries:
        rows = json.loads(get(f"/browse/{name}.json?_shape=array&{params.get(name, '')}"))
        assert rows, name
    chain = json.loads(get("/browse/quotation_provenance.json?_shape=array&quotation_id=2"))
    assert [row["role"] for row in chain] == ["earliest", "closest"]
    assert chain[0]["publisher"] == "Senate Judiciary Committee"


def test_full_text_search_on_documents_and_quotations(get):
    found = json.loads(get("/browse/documents.json?_search=Manbij&_shape=array&_col=id"))
    assert "nyt-2019-01-16-manbij" in {row["id"] for row in found}
    found = json.loads(get("/browse/quotations.json?_search=enthusiasm&_shape=array"))
    assert [row["id"] for row in found] == [1, 2]  # Graham's words, and the paragraph holding them
    found = json.loads(get("/browse/quotations.json?_search=Caliphate&_shape=array"))
    assert [row["status"] for row in found] == ["term"]


def test_article_text_highlights_quotations_and_links_them(get):
    html = get("/browse/documents/14")  # the seed article, stored by its trace
    assert html.count('class="prov-quotation"') == 3
    assert 'id="q2"' in html and 'href="/browse/quotations/2"' in html
    source = get("/browse/documents/8")  # the hearing: the earliest source of Graham's words
    assert 'id="s2"' in source and 'class="prov-source"' in source


def test_quotation_links_to_its_source_passages(get):
    html = get("/browse/quotations/2")
    assert 'href="/browse/documents/8#s2"' in html  # earliest: the hearing
    assert 'href="/browse/documents/6#c2"' in html  # closest: the Times


def test_trace_report_page(get, browse_db):
    _, ids = browse_db
    html = get(f"/-/provenance/browse/trace/{ids['seed']}")
    text = "".join(parse(html).text)
    assert "Earliest source" in text and "Senate Judiciary Committee" in text
    assert "ellipsis · major" in text and "guerrilla-style attacks." in text
    assert 'report</a>' in get("/browse/traces")
    get("/-/provenance/browse/trace/999", status=404)


@pytest.mark.parametrize(
    "url",
    [
        "/browse/documents",
        "/browse/documents/13",
        "/browse/documents/15",
        "/browse/quotations",
        "/browse/alterations",
        "/browse/altered_quotations",
        "/browse/unsourced_quotations",
        "/browse/sources_quoted_most",
        "/browse/articles_by_quoted_share",
        "/browse/provenance_chain",
        "/browse/ellipses",
        "/browse/article_alterations?article_id=hostile%3Cscript%3E",
        "/browse/quotations?_search=pwned",
        "/-/provenance/browse/trace/2",
    ],
)
def test_hostile_documents_stay_inert_everywhere(get, url):
    html = get(url)
    page = assert_no_live_payload(html)
    if "documents" in url or "trace" in url or "quotations" in url:
        assert "document.title='pwned'" in "".join(page.text)  # shown, as text
