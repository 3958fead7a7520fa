"""Scale benchmark: ingest a synthetic archive, then trace its test articles.

Reports ingest rate (documents/s, MB/s of raw text), index size on disk
against the raw text, peak memory of the ingest (all its processes together),
trace latency p50/p95 for the 1,000-word articles, and recall and precision
on the planted quotations.

    python benchmarks/scale_corpus.py /tmp/sc-10k --documents 10000
    python benchmarks/scale.py /tmp/sc-10k --db /tmp/sc-10k.db --workers 2
    python benchmarks/scale.py /tmp/sc-10k --db /tmp/sc-10k.db --index redis://127.0.0.1:6390/0

A traced quotation is correct when at least half of it lies in a planted
quotation and it names that quotation's true source (as earliest source,
closest source, or in the chain); a planted quotation is found when correct
traced quotations cover at least half of it (an edit can split an unmarked
copy into two traced passages). Precision: the share of all traced
quotations in the articles that are correct.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from provenance import ingest as ingest_stage
from provenance import report
from provenance import trace as trace_stage
from provenance.store import Store


def tree_rss(pid: int) -> int:
    """Resident memory of a process and all its descendants, in bytes."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            with open(f"/proc/{current}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as children:
                    stack.extend(int(child) for child in children.read().split())
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def run_measured(command: list[str]) -> tuple[float, int]:
    """Wall time and peak memory (whole process tree, sampled every 0.1 s) of a command."""
    started = time.perf_counter()
    process = subprocess.Popen(command)
    peak = 0
    while process.poll() is None:
        peak = max(peak, tree_rss(process.pid))
        time.sleep(0.1)
    if process.returncode:
        raise SystemExit(f"failed ({process.returncode}): {' '.join(command)}")
    return time.perf_counter() - started, peak


def index_bytes(db: str) -> dict[str, int]:
    """Bytes on disk of each table and index (dbstat), after a checkpoint."""
    import sqlite3

    connection = sqlite3.connect(db)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    rows = connection.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name").fetchall()
    connection.close()
    return dict(rows)


def evaluate(result: dict[str, Any], planted: list[dict[str, Any]]) -> tuple[list[bool], int, int]:
    """Found flag per planted quotation; traced quotations; correct traced quotations.

    A traced quotation is correct when at least half of it lies in a planted
    quotation whose true source it names (earliest, closest or in the chain). A
    planted quotation is found when correct traced quotations cover at least half
    of it: an edit can split an unmarked copy into two passages, each traced.
    """
    traced = [q for q in result["quotations"] if q["status"] == "traced"]
    covered = [0] * len(planted)
    correct = 0
    for quotation in traced:
        ids = {link["id"] for link in quotation.get("chain", [])}
        ids |= {(quotation.get(role) or {}).get("id") for role in ("source", "closest")}
        right = False
        for number, plant in enumerate(planted):
            overlap = min(quotation["end"], plant["end"]) - max(quotation["start"], plant["start"])
            if overlap >= 0.5 * (quotation["end"] - quotation["start"]) and plant["source"] in ids:
                covered[number] += overlap
                right = True
        correct += right
    found = [covered[n] >= 0.5 * (p["end"] - p["start"]) for n, p in enumerate(planted)]
    return found, len(traced), correct


def trace_articles(index: Any, corpus: Path, limit: int | None) -> dict[str, Any]:
    truths = [json.loads(line) for line in open(corpus / "articles.jsonl")][:limit]
    latencies, rows = [], []
    traced_total = correct_total = 0
    for truth in truths:
        article = ingest_stage.read_article(str(corpus / truth["article"]))
        started = time.perf_counter()
        result = trace_stage.trace(index, article)
        latencies.append(time.perf_counter() - started)
        found, traced, correct = evaluate(report.trace_json(result), truth["quotations"])
        traced_total += traced
        correct_total += correct
        rows.extend({**plant, "found": hit} for plant, hit in zip(truth["quotations"], found, strict=True))
    latencies.sort()
    return {
        "articles": len(truths),
        "trace_p50_ms": round(1000 * statistics.median(latencies), 1),
        "trace_p95_ms": round(1000 * latencies[int(0.95 * (len(latencies) - 1))], 1),
        "planted": len(rows),
        "recall": round(sum(r["found"] for r in rows) / len(rows), 4),
        "precision": round(correct_total / traced_total, 4) if traced_total else None,
        "recall_by": breakdown(rows),
        "missed": [{k: r[k] for k in ("source", "words", "edits", "marked", "quoted")}
                   for r in rows if not r["found"]][:20],
    }


def breakdown(rows: list[dict[str, Any]]) -> dict[str, str]:
    groups: dict[str, list[bool]] = defaultdict(list)
    for row in rows:
        length = "8-11" if row["words"] < 12 else "12-29" if row["words"] < 30 else "30-80"
        groups[f"{'marked' if row['marked'] else 'unmarked'} {length} words"].append(row["found"])
        groups[f"{row['edits']} edits"].append(row["found"])
    return {name: f"{sum(found)}/{len(found)}" for name, found in sorted(groups.items())}


INDEX_TABLES = ("posting_blocks", "shingle_segments", "common_shingles", "minhashes", "lsh_bands")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpus", type=Path, help="folder written by scale_corpus.py")
    parser.add_argument("--db", required=True)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--index", help="redis://HOST:PORT/DB: keep the index in Redis")
    parser.add_argument("--articles", type=int, help="trace only the first N articles")
    parser.add_argument("--skip-ingest", action="store_true")
    arguments = parser.parse_args()
    summary = json.loads((arguments.corpus / "summary.json").read_text())
    out: dict[str, Any] = {"documents": summary["documents"], "raw_text_mb":
                           round(summary["raw_text_bytes"] / 1e6, 1),
                           "workers": arguments.workers, "index": arguments.index or "sqlite"}
    provenance = str(Path(sys.executable).with_name("provenance"))
    if not arguments.skip_ingest:
        command = [provenance, "ingest", arguments.db, str(arguments.corpus / "corpus"),
                   "-j", str(arguments.workers)]
        if arguments.index:
            command += ["--index", arguments.index]
        seconds, peak = run_measured(command)
        out.update(ingest_s=round(seconds, 1), docs_per_s=round(summary["documents"] / seconds),
                   mb_per_s=round(summary["raw_text_bytes"] / 1e6 / seconds, 2),
                   ingest_peak_rss_mb=round(peak / 1e6))
    if not arguments.index:
        sizes = index_bytes(arguments.db)
        index_total = sum(v for k, v in sizes.items() if k in INDEX_TABLES)
        out.update(index_mb=round(index_total / 1e6, 1),
                   index_to_raw=round(index_total / summary["raw_text_bytes"], 2),
                   file_mb=round(sum(sizes.values()) / 1e6, 1),
                   tables_mb={k: round(v / 1e6, 1) for k, v in sizes.items() if v > 1e6})
    store = Store(arguments.db)
    index: Any = store
    if arguments.index:
        from provenance.redis_index import RedisIndex

        index = RedisIndex(arguments.index)
        memory = index.client.info("memory")["used_memory"]
        out.update(redis_used_memory_mb=round(memory / 1e6, 1),
                   redis_memory_to_raw=round(memory / summary["raw_text_bytes"], 2))
    out.update(trace_articles(index, arguments.corpus, arguments.articles))
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
