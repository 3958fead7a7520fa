"""Scan: trace every archived document against all the others, the corpus-wide reuse graph.

Each indexed document is traced like an article (so quotations, unmarked
copies, sources, chains and alteration flags are the same as for any trace),
oldest first. A source dated after a document is never its origin, so the
graph points from each document to the earlier ones it reuses. Each result is
stored as an ordinary trace, browsable like any other, together with a row in
``scanned`` in the same transaction: an interrupted scan resumes where it
stopped and never stores a document twice.

Tracing runs in worker processes (each with its own read connection: WAL
lets them read while this process writes); this process alone writes, in
queue order.
"""

from __future__ import annotations

import multiprocessing
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from . import report
from . import trace as trace_stage
from .model import Trace
from .store import Store

_worker_index: Any = None


@dataclass
class ScanSummary:
    scanned: int = 0
    already: int = 0
    quotations: int = 0
    traced: int = 0


def _open_worker(db: str, index_url: str | None) -> None:
    global _worker_index
    from .redis_index import open_index

    _worker_index = open_index(db, index_url)


def _trace_key(key: int) -> tuple[int, Trace | None]:
    article = _worker_index.documents_by_key([key]).get(key)
    if article is None:
        return key, None
    return key, trace_stage.trace(_worker_index, article)


def _traces(db: str, index_url: str | None, keys: list[int], workers: int
            ) -> Iterator[tuple[int, Trace | None]]:
    if workers <= 1 or len(keys) < 2:
        _open_worker(db, index_url)
        yield from map(_trace_key, keys)
        return
    context = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")
    with context.Pool(workers, initializer=_open_worker, initargs=(db, index_url)) as pool:
        yield from pool.imap(_trace_key, keys, chunksize=4)


def scan(
    store: Store,
    *,
    workers: int = 1,
    limit: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> ScanSummary:
    """Trace every indexed document not yet scanned; store each result as a trace."""
    summary = ScanSummary(already=store.scanned_count())
    keys = store.scan_queue()[:limit]
    for key, traced in _traces(store.path, None, keys, workers):
        if traced is not None:
            result = report.trace_json(traced)
            with store.atomic():
                trace_id = trace_stage.save(store, traced, result)
                store.mark_scanned(key, trace_id)
            summary.scanned += 1
            summary.quotations += len(traced.quotations)
            summary.traced += sum(1 for q in traced.quotations if q.status == "traced")
        if progress:
            progress(1)
    return summary


def queue_length(store: Store) -> int:
    return len(store.scan_queue())
