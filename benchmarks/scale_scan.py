"""Scan benchmark: `provenance scan` over an ingested synthetic archive.

Scans the first N documents (oldest first), then checks the quotations that
scale_corpus.py planted in the archive itself (``truth.jsonl``: a document
quoting an earlier one): recall is the share of planted quotations in the
scanned documents whose true source the scan names (earliest, closest or in
the chain); precision is the share of traced quotations that are planted ones
with their source named. Also times an interrupted scan: it is stopped after
half the documents and resumed, and the stored results must equal an
uninterrupted scan's.

    python benchmarks/scale_scan.py /tmp/sc-10k --db /tmp/sc-10k.db --limit 2000 --workers 2
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import time
from pathlib import Path

from provenance import scan
from provenance.store import Store


def results(db: str) -> set[tuple[str, int, int, str]]:
    connection = sqlite3.connect(db)
    rows = connection.execute(
        "SELECT d.id, q.start, q.\"end\", coalesce(s.id, '') FROM quotations q "
        "JOIN traces t ON t.id = q.trace_id JOIN scanned sc ON sc.trace_id = t.id "
        "JOIN documents d ON d.key = q.document_key LEFT JOIN documents s ON s.key = q.source_key "
        "WHERE q.status = 'traced'").fetchall()
    return set(rows)


def named_sources(db: str) -> dict[str, set[str]]:
    connection = sqlite3.connect(db)
    named: dict[str, set[str]] = {}
    for article, source in connection.execute(
        "SELECT d.id, s.id FROM quotations q JOIN documents d ON d.key = q.document_key "
        "JOIN quotation_sources qs ON qs.quotation_id = q.id "
        "JOIN documents s ON s.key = qs.document_key WHERE q.status = 'traced'"):
        named.setdefault(article, set()).add(source)
    return named


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--db", required=True, help="an ingested archive (copied, not changed)")
    parser.add_argument("--limit", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    arguments = parser.parse_args()
    whole, resumed = arguments.db + ".scan-whole.db", arguments.db + ".scan-resumed.db"
    for copy in (whole, resumed):
        Store(arguments.db).db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        shutil.copy(arguments.db, copy)
    started = time.perf_counter()
    summary = scan.scan(Store(whole), workers=arguments.workers, limit=arguments.limit)
    seconds = time.perf_counter() - started
    half = arguments.limit // 2
    scan.scan(Store(resumed), workers=arguments.workers, limit=half)  # "interrupted" here
    scan.scan(Store(resumed), workers=arguments.workers, limit=arguments.limit - half)

    scanned = {row[0] for row in sqlite3.connect(whole).execute(
        "SELECT d.id FROM scanned s JOIN documents d ON d.key = s.document_key")}
    truth = [json.loads(line) for line in open(arguments.corpus / "truth.jsonl")]
    truth = [t for t in truth if t["document"] in scanned]
    named = named_sources(whole)
    found = sum(1 for t in truth if t["source"] in named.get(t["document"], set()))
    planted_pairs = {(t["document"], t["source"]) for t in truth}
    traced = results(whole)
    correct = sum(1 for article, _, _, source in traced if (article, source) in planted_pairs)
    print(json.dumps({
        "scanned": summary.scanned, "seconds": round(seconds, 1),
        "documents_per_s": round(summary.scanned / seconds, 1), "workers": arguments.workers,
        "planted": len(truth), "recall": round(found / len(truth), 4) if truth else None,
        "traced_quotations": len(traced),
        "precision": round(correct / len(traced), 4) if traced else None,
        "resumed_equals_uninterrupted": results(whole) == results(resumed),
    }, indent=1))


if __name__ == "__main__":
    main()
