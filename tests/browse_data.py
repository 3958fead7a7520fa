"""Databases to browse: the fixtures ingested, with traces stored the way
``provenance trace`` stores them (JSON contract in, rows out).

``seed_trace_json`` is hand-made from the real texts of the seed and the
fixtures, so the browse tests do not depend on the tracer's quality; a hostile
article carries script, event-handler and javascript: payloads in every field
a page shows.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from provenance import ingest
from provenance.store import Store, trace_rows

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_3a0d1274ca379c80.txt"
NYT_ID = "nyt-2019-01-16-manbij"
HEARING_ID = "senate-judiciary-2019-01-16-barr-hearing"

PAYLOAD = (
    "<script>document.title='pwned'</script>"
    '<img src=x onerror="document.title=\'pwned\'">'
    '<a href="javascript:document.title=\'pwned\'">click</a>'
)
HOSTILE_ID = "hostile<script>"
HOSTILE_TEXT = (
    "A page that tries to run code. "
    f"It said “{PAYLOAD} we will not act” and left.\n\n"
    f"Then: “never trust {PAYLOAD}”."
)


def _span(text: str, needle: str, start: int = 0) -> tuple[int, int]:
    found = text.index(needle, start)
    return found, found + len(needle)


def _source(store: Store, document_id: str, start: int, end: int, score: float) -> dict[str, Any]:
    document = store.document_by_id(document_id)
    assert document is not None, document_id
    return {
        "id": document.id, "title": document.title, "url": document.url,
        "publisher": document.publisher,
        "published": document.published.isoformat() if document.published else None,
        "start": start, "end": end, "text": document.text[start:end], "score": score,
    }


def _link(source: dict[str, Any]) -> dict[str, Any]:
    return {key: source[key] for key in ("id", "title", "publisher", "published", "score",
                                         "start", "end")}


def seed_trace_json(store: Store) -> dict[str, Any]:
    """The seed's trace: the third NYT paragraph with its ellipsis, Graham's words
    inside it, and a scare quote."""
    article = SEED.read_text("utf-8")
    nyt = store.document_by_id(NYT_ID)
    hearing = store.document_by_id(HEARING_ID)
    assert nyt and hearing
    first = "The bombing raised new questions"
    last = "criticized the military drawdown."
    q_start, q_end = _span(article, first)[0], _span(article, last)[1]
    s_start, s_end = _span(nyt.text, first)[0], _span(nyt.text, last)[1]
    ellipsis = _span(article, "strike…", q_start)[0] + len("strike")
    cut_start = _span(nyt.text, "strike.", s_start)[0] + len("strike")
    cut_end = _span(nyt.text, "guerrilla-style attacks.", cut_start)[1]
    nyt_source = _source(store, NYT_ID, s_start, s_end, 96.0)

    words = "set in motion enthusiasm by the enemy we’re fighting"
    g_start, g_end = _span(article, words, q_start)
    h_start, h_end = _span(hearing.text, "set in motion enthusiasm by the enemy we're fighting")
    n_start, n_end = _span(nyt.text, words)
    hearing_source = _source(store, HEARING_ID, h_start, h_end, 98.0)
    nyt_graham = _source(store, NYT_ID, n_start, n_end, 100.0)
    apostrophe = article.index("’", g_start)

    t_start, t_end = _span(article, "Caliphate")
    return {
        "document": {"path": str(SEED), "id": None, "title": None, "url": None,
                     "publisher": None, "author": None, "published": None},
        "quotations": [
            {"start": q_start, "end": q_end, "text": article[q_start:q_end], "kind": "unmarked",
             "status": "traced", "speaker": None, "parent": None,
             "source": nyt_source, "closest": nyt_source, "chain": [_link(nyt_source)],
             "later": [], "score": 96.0, "notes": [],
             "alterations": [{
                 "kind": "ellipsis", "severity": "major", "start": ellipsis,
                 "end": ellipsis + 1, "source_start": cut_start, "source_end": cut_end,
                 "quoted": "…", "original": nyt.text[cut_start:cut_end], "note": "",
             }]},
            {"start": g_start, "end": g_end, "text": article[g_start:g_end], "kind": "quoted",
             "status": "traced", "parent": 0,
             "speaker": {"text": "Senator Lindsey Graham", "name": "Lindsey Graham",
                         "start": article.index("Senator Lindsey Graham"),
                         "end": article.index("Senator Lindsey Graham") + 22},
             "source": hearing_source, "closest": nyt_graham,
             "chain": [_link(hearing_source), _link(nyt_graham)], "later": [],
             "score": 100.0, "notes": [],
             "alterations": [{
                 "kind": "cosmetic", "severity": "cosmetic", "start": apostrophe,
                 "end": apostrophe + 1, "source_start": h_start + words.index("’"),
                 "source_end": h_start + words.index("’") + 1, "quoted": "’", "original": "'",
                 "note": "quote style",
             }]},
            {"start": t_start, "end": t_end, "text": "Caliphate", "kind": "quoted",
             "status": "term", "speaker": None, "parent": None, "source": None,
             "closest": None, "chain": [], "later": [], "score": None, "notes": [],
             "alterations": []},
        ],
        "notes": [],
    }


def hostile_trace_json(store: Store, path: Path) -> dict[str, Any]:
    """A hostile article quoting a hostile source, both ingested."""
    article = path.read_text("utf-8")
    first = _span(article, f"{PAYLOAD} we will not act")
    second = _span(article, f"never trust {PAYLOAD}")
    source_doc = store.document_by_id("evil-source")
    assert source_doc is not None
    s_start, s_end = _span(source_doc.text, f"{PAYLOAD} we will act")
    source = _source(store, "evil-source", s_start, s_end, 90.0)
    not_at = article.index("not act")
    return {
        "document": {"path": str(path), "id": HOSTILE_ID, "title": PAYLOAD,
                     "url": "javascript:alert(1)", "publisher": PAYLOAD, "author": PAYLOAD,
                     "published": "2019-02-01T00:00:00+00:00"},
        "quotations": [
            {"start": first[0], "end": first[1], "text": article[first[0]:first[1]],
             "kind": "quoted", "status": "traced", "parent": None,
             "speaker": {"text": PAYLOAD, "name": PAYLOAD, "start": 0, "end": 1},
             "source": source, "closest": source, "chain": [_link(source)], "later": [],
             "score": 90.0, "notes": [PAYLOAD],
             "alterations": [
                 {"kind": kind, "severity": "major", "start": not_at, "end": not_at + 3,
                  "source_start": s_start, "source_end": s_end,
                  "quoted": f"not {PAYLOAD}", "original": PAYLOAD, "note": PAYLOAD}
                 for kind in ("negation", "ellipsis", "substitution")
             ]},
            {"start": second[0], "end": second[1], "text": article[second[0]:second[1]],
             "kind": "quoted", "status": "unsourced", "parent": None, "speaker": None,
             "source": None, "closest": None, "chain": [], "later": [], "score": None,
             "notes": [], "alterations": []},
        ],
        "notes": [],
    }


def build(db_path: Path, work: Path) -> dict[str, int]:
    """Ingest fixtures/ and two hostile documents, store the seed's and the hostile
    article's traces; return the trace ids by name."""
    work.mkdir(parents=True, exist_ok=True)
    evil = work / "evil.jsonl"
    evil.write_text(evil_jsonl(), "utf-8")
    hostile = work / "hostile.txt"
    hostile.write_text(HOSTILE_TEXT, "utf-8")
    store = Store(db_path)
    try:
        summary = ingest.ingest(store, [str(ROOT / "fixtures"), str(evil)])
        assert not summary.skipped, summary.skipped
        ids = {}
        for name, trace_json, text in (
            ("seed", seed_trace_json(store), SEED.read_text("utf-8")),
            ("hostile", hostile_trace_json(store, hostile), HOSTILE_TEXT),
        ):
            ids[name] = _save(store, trace_json, text)
        return ids
    finally:
        store.close()


def evil_jsonl() -> str:
    """A JSON-lines source whose every field a page shows carries a payload."""
    return json.dumps({
        "id": "evil-source", "title": PAYLOAD, "publisher": PAYLOAD, "author": PAYLOAD,
        "url": "javascript:document.title='pwned'", "published": "2019-01-01T00:00:00+00:00",
        "text": f"Intro. {PAYLOAD} we will act. End.",
    }) + "\n"


def _save(store: Store, trace_json: dict[str, Any], text: str) -> int:
    """Store the article (unindexed) and its trace, as trace.save does."""
    from provenance.ingest import content_hash
    from provenance.model import Document
    from provenance.normalize import words

    keys = {}
    for quotation in trace_json["quotations"]:
        for link in quotation["chain"] + quotation["later"]:
            found = store.document_by_id(link["id"])
            assert found is not None and found.key is not None
            keys[link["id"]] = found.key
    meta = trace_json["document"]
    with store.atomic():
        digest = content_hash(text)
        article = store.document_by_hash(digest) or store.add_document(
            Document(text=text, id=meta["id"], title=meta["title"], url=meta["url"],
                     publisher=meta["publisher"], author=meta["author"], path=meta["path"]),
            content_hash=digest, word_count=len(words(text)), indexed=False,
        )
        assert article.key is not None
        return store.add_trace(article.key, trace_rows(trace_json, keys), [])
