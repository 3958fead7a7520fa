"""Index query latency alone: SQLite against Redis, the same articles and corpus.

For each test article, the postings of all its shingles (with the document
frequency limit a trace uses), once per article in turn, alternating the two
indexes so that machine load hits both alike.

    python benchmarks/scale_query.py /tmp/sc-10k --db /tmp/sc-10k.db --index redis://127.0.0.1:6390/1
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from provenance import index, retrieve
from provenance import ingest as ingest_stage
from provenance.redis_index import RedisIndex
from provenance.store import Store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--db", required=True)
    parser.add_argument("--index", required=True)
    arguments = parser.parse_args()
    stores = {"sqlite": Store(arguments.db), "redis": RedisIndex(arguments.index)}
    seconds: dict[str, list[float]] = {name: [] for name in stores}
    postings: dict[str, int] = {name: 0 for name in stores}
    for path in sorted((arguments.corpus / "articles").glob("*.txt")):
        shingles = index.shingle_array(index.norms(ingest_stage.read_article(str(path)).text))
        for name, store in stores.items():
            started = time.perf_counter()
            found = store.postings_array(shingles.tolist(), limit=retrieve.MAX_DOCUMENT_FREQUENCY)
            seconds[name].append(time.perf_counter() - started)
            postings[name] += len(found)
    print(json.dumps({
        name: {"p50_ms": round(1000 * statistics.median(values), 2),
               "p95_ms": round(1000 * sorted(values)[int(0.95 * (len(values) - 1))], 2),
               "postings": postings[name], "articles": len(values)}
        for name, values in seconds.items()}, indent=1))


if __name__ == "__main__":
    main()
