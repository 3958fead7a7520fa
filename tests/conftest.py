"""Shared fixtures: fresh databases, the golden corpus, the seed article."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from provenance import ingest, report, trace
from provenance.store import Store

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
SEED = ROOT / "seeds" / "000_3a0d1274ca379c80.txt"


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "test.db"


@pytest.fixture
def fresh_db(db_path: Path) -> Store:
    return Store(db_path)


@pytest.fixture(scope="session")
def corpus_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """fixtures/ and seeds/ ingested once; tests get their own copy."""
    path = tmp_path_factory.mktemp("corpus") / "corpus.db"
    store = Store(path)
    summary = ingest.ingest(store, [str(FIXTURES), str(SEED.parent)])
    assert not summary.skipped, summary.skipped
    store.close()
    return path


@pytest.fixture
def archive(corpus_db: Path, tmp_path: Path) -> Store:
    copy = tmp_path / "archive.db"
    shutil.copy(corpus_db, copy)
    return Store(copy)


@pytest.fixture(scope="session")
def fixtures_only_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """fixtures/ alone, as the README's first command builds it."""
    path = tmp_path_factory.mktemp("fixtures") / "fixtures.db"
    store = Store(path)
    ingest.ingest(store, [str(FIXTURES)])
    store.close()
    return path


@pytest.fixture(scope="session")
def seed_result(fixtures_only_db: Path) -> dict[str, Any]:
    """The seed article traced against fixtures/, as the JSON contract."""
    store = Store(fixtures_only_db)
    result = report.trace_json(trace.trace(store, ingest.read_article(str(SEED))))
    store.close()
    return result


def quotation_containing(result: dict[str, Any], words: str) -> dict[str, Any]:
    found = [q for q in result["quotations"] if words in q["text"]]
    assert found, f"no quotation containing {words!r}"
    return min(found, key=lambda q: len(q["text"]))
