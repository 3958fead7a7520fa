"""Unmarked copies on real news: how many does trace report, and what are they?

Indexes PolNeAR's train articles (dated, from metadata.tsv) into a temporary
database, traces each dev article against them, and counts the unmarked
quotations that trace reports as traced (copied without quote marks from an
indexed article). Real news shares boilerplate ("Senate Majority Leader Mitch
McConnell, R-Ky."); this shows whether it is taken for copying. Every copy is
printed with its source passage, for inspection.

    python benchmarks/reuse_polnear.py ../shared/corpora/polnear
    python benchmarks/reuse_polnear.py ../shared/corpora/polnear --json
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from provenance import ingest, report, trace
from provenance.model import Document
from provenance.store import Store


def read_split(corpus: Path, split: str) -> list[Document]:
    """The articles of one split, with publisher, title and date from metadata.tsv."""
    with open(corpus / "metadata.tsv", encoding="utf-8") as table:
        meta = {row["filename"]: row for row in csv.DictReader(table, delimiter="\t")}
    documents = []
    for path in sorted((corpus / split / "text").glob("*.txt")):
        row = meta.get(path.stem, {})
        date = row.get("publication_date")
        documents.append(Document(
            text=path.read_text(encoding="utf-8"), id=path.stem, title=row.get("title"),
            publisher=row.get("publisher"), path=str(path),
            published=datetime.fromisoformat(date).replace(tzinfo=UTC) if date else None))
    return documents


def copies(store: Store, articles: list[Document]
           ) -> tuple[list[dict[str, Any]], list[float], dict[str, int]]:
    """Unmarked traced quotations of every article, each trace's latency, and how
    many quotations of each kind were traced."""
    found, latencies = [], []
    traced: dict[str, int] = {}
    for article in articles:
        started = time.perf_counter()
        result = trace.trace(store, article)
        latencies.append(time.perf_counter() - started)
        for quotation in report.trace_json(result)["quotations"]:
            name = f"{quotation['kind']} {quotation['status']}"
            traced[name] = traced.get(name, 0) + 1
            if quotation["kind"] == "unmarked" and quotation["status"] == "traced":
                closest = quotation["closest"]
                found.append({"article": article.id, "text": quotation["text"],
                              "words": len(quotation["text"].split()), "score": quotation["score"],
                              "source": closest["id"], "source_text": closest["text"],
                              "sources": len(quotation["chain"])})
    return found, latencies, traced


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpus", type=Path, help="PolNeAR folder (metadata.tsv, train/, dev/)")
    parser.add_argument("--json", action="store_true", help="print the copies as JSON")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        store = Store(Path(folder) / "polnear.db")
        train = read_split(arguments.corpus, "train")
        with store.atomic():
            for document in train:
                ingest.add_document(store, document)
        dev = read_split(arguments.corpus, "dev")
        found, latencies, traced = copies(store, dev)
        store.close()
    if arguments.json:
        print(json.dumps(found, indent=1))
    else:
        for copy in found:
            print(f"{copy['article']} ({copy['words']} words, score {copy['score']}, "
                  f"{copy['sources']} source(s), closest {copy['source']}):\n"
                  f"  article: {copy['text']!r}\n  source:  {copy['source_text']!r}")
    lengths = [copy["words"] for copy in found]
    print(json.dumps({
        "indexed": len(train), "traced": len(dev), "unmarked_copies": len(found),
        "articles_with_copies": len({copy["article"] for copy in found}),
        "copies_under_12_words": sum(1 for n in lengths if n < 12),
        "trace_p50_ms": round(1000 * statistics.median(latencies), 1),
        "quotations": dict(sorted(traced.items())),
    }))


if __name__ == "__main__":
    main()
