"""A real browser on `provenance serve`: the seed's trace as a fact-checker sees it.

Ingests fixtures/ and two hostile documents with the CLI, traces the seed
article and the hostile one, starts `provenance serve` on a free loopback port
and drives Debian's headless Chromium through its chromedriver (selenium is
given both paths, so nothing is downloaded). A screenshot of the seed's trace is
saved under tests/artifacts/.

Without Chromium the test is skipped, except in CI (the CI variable set),
where it fails: .ci/system-deps installs what it needs.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import browse_data
import pytest

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
# The words the article cut at its "…", from the Times report (fixtures/nyt_...).
PROVENANCE = [sys.executable, "-c", "from provenance.cli import cli; cli()"]
CUT_TEXT = "The Islamic State has lost nearly all of the territory it once held in Iraq and Syria"


def _missing() -> str | None:
    for path in (CHROMIUM, CHROMEDRIVER):
        if not os.path.exists(path):
            return f"{path} not found (run: bash .ci/system-deps)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[test]')"
    try:
        import datasette  # noqa: F401
    except ImportError:
        return "datasette is not installed (pip install -e '.[test,serve]')"
    return None


@pytest.fixture(scope="module")
def browser_ready() -> None:
    reason = _missing()
    if reason is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"browser test cannot run in CI: {reason}")
    pytest.skip(reason)


def _provenance(*args: str) -> subprocess.CompletedProcess[str]:
    command = [*PROVENANCE, *args]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, (command, done.stdout[-2000:], done.stderr[-2000:])
    return done


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def site(browser_ready: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`provenance serve` on a traced database; yields the base URL."""
    work = tmp_path_factory.mktemp("browser")
    db = work / "evidence.db"
    evil = work / "evil.jsonl"
    evil.write_text(browse_data.evil_jsonl(), "utf-8")
    hostile = work / "hostile.txt"
    hostile.write_text(browse_data.HOSTILE_TEXT, "utf-8")
    _provenance("ingest", str(db), "fixtures", str(evil))
    _provenance("trace", str(db), str(browse_data.SEED))
    _provenance("trace", str(db), str(hostile))
    port = _free_port()
    log = (work / "serve.log").open("w")
    server = subprocess.Popen(
        [*PROVENANCE, "serve", str(db),
         "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(base + "/-/versions.json", timeout=2).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    pytest.fail("provenance serve did not start:\n"
                                + (work / "serve.log").read_text()[-3000:])
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


@pytest.fixture(scope="module")
def browser(browser_ready: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--window-size=1280,1000",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium')}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def _trace_url(browser, site: str, article_title_words: str) -> str:
    """The report link of an article's trace, found as a reader would: from the
    articles-by-quoted-share view."""
    from selenium.webdriver.common.by import By

    browser.get(site + "/evidence/articles_by_quoted_share")
    for row in browser.find_elements(By.CSS_SELECTOR, "table.rows-and-columns tbody tr"):
        if article_title_words in row.text:
            return str(row.find_element(By.LINK_TEXT, "report").get_attribute("href"))
    raise AssertionError(f"no trace of {article_title_words!r} listed")


def test_seed_trace_shows_the_ellipsis_and_the_words_it_cut(browser, site):
    from selenium.webdriver.common.by import By

    browser.get(_trace_url(browser, site, "The ISIS attack in Syria"))
    assert "The ISIS attack in Syria" in browser.title
    ellipses = browser.find_elements(By.CSS_SELECTOR, ".prov-alteration.prov-kind-ellipsis")
    assert ellipses, "no ellipsis alteration on the seed's trace"
    ellipsis = ellipses[0]
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'});", ellipsis)
    mark = ellipsis.find_element(By.CSS_SELECTOR, ".prov-ellipsis-mark")
    recovered = ellipsis.find_element(By.CSS_SELECTOR, ".prov-recovered")
    assert mark.is_displayed() and mark.text in ("…", "...")
    assert recovered.is_displayed()
    assert CUT_TEXT in recovered.text
    # the cut words are struck through, as the legend says
    struck = recovered.find_element(By.TAG_NAME, "del")
    assert "line-through" in struck.value_of_css_property("text-decoration")
    # and the card names where the words come from
    card = ellipsis.find_element(By.XPATH, "ancestor::section")
    assert "The New York Times" in card.text
    ARTIFACTS.mkdir(exist_ok=True)
    assert browser.save_screenshot(str(ARTIFACTS / "seed-trace.png"))


def test_alterations_table_renders_the_ellipsis_inline(browser, site):
    from selenium.webdriver.common.by import By

    browser.get(site + "/evidence/alterations?kind=ellipsis")
    cell = browser.find_element(By.CSS_SELECTOR, "td.col-quoted .prov-kind-ellipsis")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'});", cell)
    assert cell.is_displayed()
    assert CUT_TEXT in cell.find_element(By.CSS_SELECTOR, ".prov-recovered").text
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "alterations-table.png"))


def test_hostile_documents_execute_nothing(browser, site):
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.common.by import By

    pages = [
        site + "/evidence/documents?_search=Intro",
        site + "/evidence/documents?id=evil-source",
        site + "/evidence/quotations",
        site + "/evidence/alterations",
        _trace_url(browser, site, "hostile.txt"),
    ]
    for url in pages:
        browser.get(url)
        assert browser.title != "pwned", url  # what every payload tries to do
        try:
            alert = browser.switch_to.alert
        except NoAlertPresentException:
            alert = None
        assert alert is None, url
        # the payload is on the page, as text the reader can see
        assert "document.title='pwned'" in browser.find_element(By.TAG_NAME, "body").text, url
        live = browser.execute_script(
            "return [...document.querySelectorAll('script,img,[onerror],[onclick]')]"
            ".filter(e => (e.outerHTML || '').includes('pwned')).length"
            " + [...document.querySelectorAll('a[href]')]"
            ".filter(a => a.href.toLowerCase().startsWith('javascript:')).length"
        )
        assert live == 0, url
