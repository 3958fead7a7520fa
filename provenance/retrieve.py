"""Candidate retrieval: which indexed documents share words with the article, and where.

One query fetches the postings of every shingle of the article. From them
come the candidate sources of each quotation (documents ranked by shared
shingles inside it) and the passages copied without quote marks (long runs
of the article whose shingles one document also holds).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from . import index
from .normalize import Word
from .store import Store

MAX_DOCUMENT_FREQUENCY = 1000  # a shingle in more documents than this is boilerplate


@dataclass(frozen=True)
class Passage:
    """Article words [start, end) that indexed documents also hold, in a long run."""

    start: int
    end: int
    document_keys: frozenset[int]


def shingle_hits(
    store: Store, article_words: Sequence[Word], *, exclude: Collection[int] = ()
) -> dict[int, list[int]]:
    """For each indexed document, the article word positions where a shared shingle starts."""
    positions: dict[int, list[int]] = defaultdict(list)
    for position, shingle in enumerate(index.shingles(article_words)):
        positions[shingle].append(position)
    holders: dict[int, list[int]] = defaultdict(list)
    for shingle, key in store.postings(positions):
        holders[shingle].append(key)
    hits: dict[int, set[int]] = defaultdict(set)
    for shingle, keys in holders.items():
        if len(keys) > MAX_DOCUMENT_FREQUENCY:
            continue
        for key in keys:
            if key not in exclude:
                hits[key].update(positions[shingle])
    return {key: sorted(found) for key, found in hits.items()}


def candidates(
    hits: dict[int, list[int]], start_word: int, end_word: int, *, limit: int = 20
) -> list[int]:
    """Documents sharing shingles inside article words [start_word, end_word), best first."""
    last = end_word - index.SHINGLE_WORDS
    counts = {
        key: sum(1 for p in found if start_word <= p <= last) for key, found in hits.items()
    }
    ranked = sorted((key for key, count in counts.items() if count), key=lambda k: -counts[k])
    return ranked[:limit]


def copied_passages(
    hits: dict[int, list[int]],
    eligible: Collection[int],
    *,
    min_words: int = 12,
    max_gap: int = 6,
) -> list[Passage]:
    """Runs of at least ``min_words`` article words shared with one eligible document.

    Runs from several documents over (nearly) the same words make one passage;
    a shorter run inside a longer one stays a passage of its own (nested).
    """
    runs: list[tuple[int, int, int]] = []
    for key in eligible:
        for run in _runs(hits.get(key, []), max_gap):
            start, end = run[0], run[-1] + index.SHINGLE_WORDS
            if end - start >= min_words:
                runs.append((start, end, key))
    return _cluster(runs)


def _runs(positions: list[int], max_gap: int) -> list[list[int]]:
    """Split sorted hit positions at gaps; trim lone hits off each end (chance matches)."""
    runs: list[list[int]] = []
    for position in positions:
        if runs and position - runs[-1][-1] <= max_gap:
            runs[-1].append(position)
        else:
            runs.append([position])
    for run in runs:
        while len(run) > 1 and run[1] - run[0] > 1:
            run.pop(0)
        while len(run) > 1 and run[-1] - run[-2] > 1:
            run.pop()
    return runs


def _cluster(runs: list[tuple[int, int, int]]) -> list[Passage]:
    clusters: list[tuple[int, int, set[int]]] = []
    for start, end, key in sorted(runs, key=lambda r: (r[0], -r[1])):
        for number, (c_start, c_end, keys) in enumerate(clusters):
            overlap = min(end, c_end) - max(start, c_start)
            if overlap >= 0.8 * (end - start) and overlap >= 0.8 * (c_end - c_start):
                clusters[number] = (min(start, c_start), max(end, c_end), keys | {key})
                break
        else:
            clusters.append((start, end, {key}))
    return [Passage(start, end, frozenset(keys)) for start, end, keys in clusters]
