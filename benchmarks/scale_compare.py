"""Side by side, in one run: provenance against a brute-force rapidfuzz scan and Quid.

On the same test articles of a synthetic archive (scale_corpus.py), already
ingested into DB (scale.py):

* provenance: ``trace`` of each article against the whole index (it must find
  the quotations itself);
* brute force: each planted quotation (given its exact span, which favours
  the baseline) compared with every archived document by
  ``rapidfuzz.fuzz.partial_ratio_alignment`` on word lists (the fast way to use
  it); found when the best-scoring document is the true source;
* Quid: ``Quid().compare(source, article)`` of each article with its true
  sources only (favours Quid: it is told where to look); found when a match
  covers at least half of the planted span.

Times are reported as ratios to provenance's (absolute times are noisy on a
shared machine), with each system's recall on the same quotations.

    python benchmarks/scale_compare.py /tmp/sc-10k --db /tmp/sc-10k.db --articles 10
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz

from provenance import index, report
from provenance import ingest as ingest_stage
from provenance import trace as trace_stage
from provenance.store import Store

sys.path.insert(0, str(Path(__file__).parent))
from scale import evaluate  # noqa: E402  (the same criterion as the scale benchmark)


def load_sources(corpus: Path) -> tuple[list[str], list[list[str]], dict[str, str]]:
    """Every archived document's id and normalised words (streamed from the shards)."""
    ids, word_lists, texts = [], [], {}
    for shard in sorted((corpus / "corpus").glob("shard-*.jsonl")):
        with open(shard) as lines:
            for line in lines:
                record = json.loads(line)
                ids.append(record["id"])
                word_lists.append(index.norms(record["text"]))
                texts[record["id"]] = record["text"]
    return ids, word_lists, texts


def brute_force(quotation: str, ids: list[str], word_lists: list[list[str]]) -> str | None:
    quoted = index.norms(quotation)
    best, best_score = None, 0.0
    for document_id, source in zip(ids, word_lists, strict=True):
        alignment = fuzz.partial_ratio_alignment(quoted, source, score_cutoff=max(best_score, 60))
        if alignment is not None and alignment.score > best_score:
            best, best_score = document_id, alignment.score
    return best


def quid_found(quid: Any, article: str, source: str, plant: dict[str, Any]) -> bool:
    for match in quid.compare(source, article):
        span = match.target_span
        overlap = min(span.end, plant["end"]) - max(span.start, plant["start"])
        if overlap >= 0.5 * (plant["end"] - plant["start"]):
            return True
    return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--db", required=True)
    parser.add_argument("--articles", type=int, default=10)
    arguments = parser.parse_args()
    from quid.core.Quid import Quid

    truths = [json.loads(line) for line in open(arguments.corpus / "articles.jsonl")]
    truths = truths[: arguments.articles]
    store = Store(arguments.db)
    ids, word_lists, texts = load_sources(arguments.corpus)
    quid = Quid()
    seconds = {"provenance": 0.0, "rapidfuzz": 0.0, "quid": 0.0}
    found = {"provenance": 0, "rapidfuzz": 0, "quid": 0}
    planted = 0
    for truth in truths:
        path = arguments.corpus / truth["article"]
        article = ingest_stage.read_article(str(path))
        started = time.perf_counter()
        result = report.trace_json(trace_stage.trace(store, article))
        seconds["provenance"] += time.perf_counter() - started
        hits, _, _ = evaluate(result, truth["quotations"])
        found["provenance"] += sum(hits)
        for plant in truth["quotations"]:
            planted += 1
            started = time.perf_counter()
            best = brute_force(article.text[plant["start"] : plant["end"]], ids, word_lists)
            seconds["rapidfuzz"] += time.perf_counter() - started
            found["rapidfuzz"] += best == plant["source"]
            started = time.perf_counter()
            hit = quid_found(quid, article.text, texts[plant["source"]], plant)
            seconds["quid"] += time.perf_counter() - started
            found["quid"] += hit
    base = seconds["provenance"]
    print(json.dumps({
        "documents": len(ids), "articles": len(truths), "planted": planted,
        "seconds": {k: round(v, 2) for k, v in seconds.items()},
        "time_ratio_to_provenance": {k: round(v / base, 1) for k, v in seconds.items()},
        "recall": {k: round(v / planted, 3) for k, v in found.items()},
    }, indent=1))


if __name__ == "__main__":
    main()
