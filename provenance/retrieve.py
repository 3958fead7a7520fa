"""Candidate retrieval: which indexed documents share words with the article, and where.

One query fetches the postings of every shingle of the article. From them
come the candidate sources of each quotation (documents ranked by shared
shingles inside it) and the passages copied without quote marks (long runs
of the article whose shingles one document also holds, and sentences whose
rare shingles one document holds, for trace to check by alignment).

When edits leave a quotation no shingle in common with its source, its pairs
of adjacent words go to the full-text index instead (``rare_phrases``), and
``word_window`` finds where in a proposed document its words stand.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np

from . import index
from .model import Document
from .normalize import Word
from .store import COMMON_LIMIT

MAX_DOCUMENT_FREQUENCY = COMMON_LIMIT  # in more documents than this: common phrasing, not evidence
# A shingle held by no more than this share of the archive (and at least by 2 documents)
# points to its few holders: chance sharing grows with the archive, and so does the limit.
RARE_SHARE = 1 / 10_000
# Where a sentence has too few rare shingles, its common ones are read up to this many
# documents each (common_sentence_candidates): far enough for most of a sentence's
# shingles in a 1M archive, short of the commonest phrases, whose postings are long.
COMMON_READ = 1_000


@dataclass(frozen=True)
class Passage:
    """Article words [start, end) that indexed documents also hold, in a long run."""

    start: int
    end: int
    document_keys: frozenset[int]


class Hits(Mapping[int, list[int]]):
    """Document key -> sorted article word positions of shared shingles, read lazily
    from two parallel arrays (sorted by key, then position) that counting uses directly."""

    def __init__(self, keys: np.ndarray, positions: np.ndarray, common: np.ndarray | None = None):
        self.keys_array, self.positions_array = keys, positions
        # article positions whose shingle too many documents hold to count as evidence
        self.common = np.zeros(0, dtype=np.int64) if common is None else common
        distinct, cuts = np.unique(keys, return_index=True)
        self.distinct = distinct
        self._index = dict(zip(distinct.tolist(), range(len(distinct)), strict=True))
        self._bounds = [*cuts.tolist(), len(keys)]
        self._flat = positions.tolist()

    def __getitem__(self, key: int) -> list[int]:
        number = self._index[key]
        return self._flat[self._bounds[number] : self._bounds[number + 1]]

    def __iter__(self) -> Iterator[int]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)

    def with_at_least(self, count: int) -> list[int]:
        """Keys of the documents with at least ``count`` hits."""
        sizes = np.diff(np.asarray(self._bounds))
        return self.distinct[sizes >= count].tolist()


def shingle_hits(
    store: Any, article_words: Sequence[Word], *, exclude: Collection[int] = ()
) -> Mapping[int, list[int]]:
    """For each indexed document, the article word positions where a shared shingle starts."""
    hashes = index.shingle_array([word.norm for word in article_words])
    empty = np.zeros(0, dtype=np.int64)
    if not len(hashes):
        return Hits(empty, empty)
    postings = store.postings_array(np.unique(hashes).tolist(), limit=MAX_DOCUMENT_FREQUENCY,
                                    mark_common=True)
    marked_common = postings[:, 1] < 0
    common = np.flatnonzero(np.isin(hashes, postings[marked_common, 0]))
    postings = postings[~marked_common]
    if exclude and len(postings):
        postings = postings[~np.isin(postings[:, 1], list(exclude))]
    if not len(postings):
        return Hits(empty, empty, common)
    keys, positions = _expand(hashes, postings)
    pairs = np.unique(keys << np.int64(32) | positions)
    return Hits(pairs >> np.int64(32), pairs & np.int64(0xFFFFFFFF), common)


def _expand(hashes: np.ndarray, postings: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every (document key, article position) pair of the postings: each posting
    expands to the positions where its shingle stands in ``hashes``."""
    order = np.argsort(hashes, kind="stable")
    ordered = hashes[order]
    first = np.searchsorted(ordered, postings[:, 0], "left")
    counts = np.searchsorted(ordered, postings[:, 0], "right") - first
    starts = np.repeat(first - np.cumsum(counts) + counts, counts)
    return np.repeat(postings[:, 1], counts), order[starts + np.arange(counts.sum())]


def candidates(
    hits: Mapping[int, list[int]], start_word: int, end_word: int, *, limit: int = 20,
    share: float = 0.25,
) -> list[int]:
    """Documents sharing shingles inside article words [start_word, end_word), best first.

    A document sharing fewer than ``share`` of the best one's shingles is a chance
    match on common phrases (aligning it would cost time and find nothing).
    """
    last = end_word - index.SHINGLE_WORDS
    if isinstance(hits, Hits):
        inside = (hits.positions_array >= start_word) & (hits.positions_array <= last)
        keys, found = np.unique(hits.keys_array[inside], return_counts=True)
        counts = dict(zip(keys.tolist(), found.tolist(), strict=True))
    else:
        counts = {}
        for key, positions in hits.items():
            count = bisect_right(positions, last) - bisect_left(positions, start_word)
            if count > 0:
                counts[key] = count
    if not counts:
        return []
    floor = share * max(counts.values())
    ranked = sorted((key for key, count in counts.items() if count >= floor),
                    key=lambda k: (-counts[k], k))
    return ranked[:limit]


class Documents(dict[int, Document]):
    """Indexed documents by key, read from the index on first use."""

    def __init__(self, store: Any):
        super().__init__()
        self.store = store

    def __missing__(self, key: int) -> Document:
        self.update(self.store.documents_by_key([key]))
        return self[key]


def not_after(store: Any, hits: Mapping[int, list[int]], published: datetime | None) -> list[int]:
    """Documents with hits that are not dated after ``published`` (could be origins)."""
    if isinstance(hits, Hits):  # a passage needs 2 hits
        keys = hits.with_at_least(2)
    else:
        keys = [key for key, found in hits.items() if len(found) >= 2]
    if published is None:
        return keys
    dates = store.published_dates(keys)
    return [key for key in keys if not (dates.get(key) and dates[key] > published)]


def copied_passages(
    hits: Mapping[int, list[int]],
    eligible: Collection[int],
    *,
    min_words: int = 12,
    max_gap: int = 6,
) -> list[Passage]:
    """Runs of at least ``min_words`` article words shared with one eligible document.

    Runs from several documents over (nearly) the same words make one passage;
    a shorter run inside a longer one stays a passage of its own (nested).
    Gaps are counted without the positions of common shingles: those were never
    looked up, so they neither break a run nor extend one.
    """
    common = hits.common if isinstance(hits, Hits) else np.zeros(0, dtype=np.int64)
    runs: list[tuple[int, int, int]] = []
    for key in eligible:
        positions = hits.get(key, [])
        squeezed = (np.asarray(positions, dtype=np.int64) - np.searchsorted(common, positions)).tolist()
        at = dict(zip(squeezed, positions, strict=True))
        for run in _runs(squeezed, max_gap):
            start, end = at[run[0]], at[run[-1]] + index.SHINGLE_WORDS
            if end - start >= min_words:
                runs.append((start, end, key))
    return _cluster(runs)


def copied_sentence_candidates(
    hits: Mapping[int, list[int]],
    eligible: Collection[int],
    sentences: Sequence[tuple[int, int]],
    *,
    archive_size: int,
    min_words: int = 8,
    min_share: float = 0.25,
    min_rare: int = 2,
    limit: int = 3,
) -> list[tuple[int, int, list[int]]]:
    """Article sentences of at least ``min_words`` words (word ranges [start, end)), each
    with the eligible documents that may hold it nearly whole, most shared shingles first.

    An edited or short copy keeps too few shingles in a row to make a passage; what
    it keeps are shingles that few documents hold. A document is a candidate for a
    sentence when it holds at least ``min_share`` of the sentence's shingles, and at
    least ``min_rare`` of them are rare (held by no more than RARE_SHARE of the
    ``archive_size`` documents, or 2): a sentence that many documents hold is
    boilerplate or house style, not evidence of copying. Only alignment can tell
    whether it was copied (see trace).
    """
    rare_documents = max(2, int(archive_size * RARE_SHARE))
    long_enough = [(start, end) for start, end in sentences if end - start >= min_words]
    if not long_enough or not len(hits) or not eligible:
        return []
    if isinstance(hits, Hits):
        keys, positions = hits.keys_array, hits.positions_array
    else:
        pairs = [(key, position) for key, found in hits.items() for position in found]
        keys = np.array([key for key, _ in pairs], dtype=np.int64)
        positions = np.array([position for _, position in pairs], dtype=np.int64)
    starts = np.array([start for start, _ in long_enough])
    ends = np.array([end for _, end in long_enough])
    number = np.searchsorted(starts, positions, "right") - 1
    inside = (number >= 0) & (positions <= ends[number] - index.SHINGLE_WORDS)
    pair = np.where(inside, number << np.int64(32) | keys, -1)  # (sentence, document) of each hit
    # first the few pairs with enough rare shingles, then all their shingles
    rare = inside & (np.bincount(positions)[positions] <= rare_documents)
    rare_pairs, rare_counts = np.unique(pair[rare], return_counts=True)
    wanted = rare_pairs[rare_counts >= min_rare]
    found_pairs, counts = np.unique(pair[np.isin(pair, wanted)], return_counts=True)
    allowed = set(eligible)
    # shingles too common to be looked up are unknown, not missing (as in copied_passages)
    common = hits.common if isinstance(hits, Hits) else np.zeros(0, dtype=np.int64)
    looked_up = (ends - starts - index.SHINGLE_WORDS + 1) - (
        np.searchsorted(common, ends - index.SHINGLE_WORDS, "right") - np.searchsorted(common, starts))
    ranked: dict[int, list[tuple[int, int]]] = {}
    for code, count in zip(found_pairs.tolist(), counts.tolist(), strict=True):
        sentence, key = code >> 32, code & 0xFFFFFFFF
        if key in allowed and count >= min_share * looked_up[sentence]:
            ranked.setdefault(sentence, []).append((-count, key))
    return [(*long_enough[sentence], [key for _, key in sorted(found)[:limit]])
            for sentence, found in sorted(ranked.items())]


def common_sentence_candidates(
    store: Any, article_words: Sequence[Word], hits: Hits, sentences: Sequence[tuple[int, int]],
    *, archive_size: int, exclude: Collection[int] = (), most: int = COMMON_READ,
    min_share: float = 3 / 4, limit: int = 3,
) -> list[tuple[int, int, list[int]]]:
    """Candidate sources of sentences (word ranges [start, end), in order) whose
    shingles are mostly common, as in ``copied_sentence_candidates``.

    In a large archive, half the shingles of a sentence can be held by more than
    MAX_DOCUMENT_FREQUENCY documents, and an edited copy keeps one rare shingle:
    too little to point to its source. Here the common shingles are read too, up
    to ``most`` documents each (one held by more stays unknown). A document is a
    candidate when it holds a rare shingle of the sentence, at least one more, and
    at least ``min_share`` of the sentence's shingles that any document holds (an
    unknown one counts as not its). What a source lacks of its edited copy, nobody
    has: the edits made those shingles. What a chance match lacks, other documents
    hold: it is stock phrasing. Only sentences that could pass, were every common
    shingle theirs, are read. Candidates are not filtered by date.
    """
    if not sentences or not len(hits.common):
        return []
    rare_documents = max(2, int(archive_size * RARE_SHARE))
    spans = np.array(sentences, dtype=np.int64)
    spans = spans[_per_sentence(hits.common, spans) > 0]  # the others were seen whole
    # an upper bound first, from the hits alone: every common shingle of the sentence held
    sentence, _, held, present = _tally(hits.keys_array, hits.positions_array, spans, rare_documents)
    common = _per_sentence(hits.common, spans)
    hopeful = held + common[sentence] >= np.maximum(2, min_share * (present + common)[sentence])
    spans = spans[np.unique(sentence[hopeful])]
    wanted = hits.common[_sentence_of(hits.common, spans) > 0]
    if not len(wanted):
        return []
    hashes = index.shingle_array([word.norm for word in article_words])
    postings = store.postings_up_to(np.unique(hashes[wanted]).tolist(), most)
    unknown = postings[:, 1] < 0
    read = np.setdiff1d(hashes[wanted], postings[unknown, 0])
    postings = postings[~unknown]
    if exclude:
        postings = postings[~np.isin(postings[:, 1], list(exclude))]
    keys, positions = _expand(hashes, postings)
    sentence, key, held, present = _tally(np.concatenate([hits.keys_array, keys]),
                                          np.concatenate([hits.positions_array, positions]),
                                          spans, rare_documents)
    unknown_positions = hits.common[~np.isin(hashes[hits.common], read)]
    enough = held >= np.maximum(2, min_share * (present + _per_sentence(unknown_positions, spans))[sentence])
    ranked: dict[int, list[tuple[int, int]]] = {}
    for number, document, count in zip(sentence[enough].tolist(), key[enough].tolist(),
                                       held[enough].tolist(), strict=True):
        ranked.setdefault(number, []).append((-count, document))
    return [(*spans[number].tolist(), [document for _, document in sorted(found)[:limit]])
            for number, found in sorted(ranked.items())]


def _sentence_of(positions: np.ndarray, spans: np.ndarray) -> np.ndarray:
    """1 + the number of the sentence (row of ``spans``: start, end) in which the
    shingle at each position lies whole; 0 outside every sentence."""
    if not len(spans):
        return np.zeros(len(positions), dtype=np.int64)
    number = np.searchsorted(spans[:, 0], positions, "right") - 1
    inside = (number >= 0) & (positions <= spans[number, 1] - index.SHINGLE_WORDS)
    return np.where(inside, number + 1, 0)


def _per_sentence(positions: np.ndarray, spans: np.ndarray) -> np.ndarray:
    """How many of these (distinct) positions each sentence holds."""
    return np.bincount(_sentence_of(positions, spans), minlength=len(spans) + 1)[1:]


def _tally(keys: np.ndarray, positions: np.ndarray, spans: np.ndarray, rare_documents: int
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """From (document key, article position) hits, one pair per document and position:
    each (sentence, document) pair with a rare shingle in the sentence, as sentence
    numbers, documents and how many of the sentence's shingles the document holds;
    and how many shingles of each sentence any document holds."""
    sentence = _sentence_of(positions, spans)
    inside = sentence > 0
    sentence, keys, positions = sentence[inside], keys[inside], positions[inside]
    documents = np.bincount(positions)  # per article position
    pairs, which, held = np.unique(sentence << np.int64(32) | keys, return_inverse=True,
                                   return_counts=True)
    rare = np.bincount(which, weights=documents[positions] <= rare_documents, minlength=len(pairs)) > 0
    present = _per_sentence(np.flatnonzero(documents), spans)
    pairs, held = pairs[rare], held[rare]
    return (pairs >> np.int64(32)) - 1, pairs & np.int64(0xFFFFFFFF), held, present


def rare_phrases(norms: Sequence[str], counts: Mapping[str, int], documents: int, *,
                 common: float = 0.3, cheap: int = 100) -> list[tuple[str, str]]:
    """The quotation's pairs of adjacent words, except pairs of two common words (a
    common word is held by more than ``common`` of the ``documents`` and by more than
    ``cheap`` documents; ``counts``: documents per word, a word missing there is held
    by none). A changed word breaks only the pairs it is in; a pair of common words
    ("of the") would cost a long read in a large archive and prove nothing."""
    def common_word(word: str) -> bool:
        return counts.get(word, 0) > max(common * documents, cheap)
    return sorted({(a, b) for a, b in zip(norms, norms[1:], strict=False)
                   if not (common_word(a) and common_word(b))})


def word_window(quote: Sequence[str], source: Sequence[str], *, slack: int = 3
                ) -> tuple[int, int, int] | None:
    """The source words [from, to) where most of the quotation's words stand in place,
    and how many do (an upper bound: a word found twice there counts twice).

    Each source word equal to a quotation word votes for an offset (source position
    minus quotation position); the offset with most votes, give or take ``slack``
    words (an insertion or omission shifts the rest), places the quotation. A
    replaced word moves nothing, so the words around it still agree.
    """
    wanted = set(quote)
    where: dict[str, list[int]] = {}
    for position, word in enumerate(source):
        if word in wanted:
            where.setdefault(word, []).append(position)
    votes = Counter(found - position for position, word in enumerate(quote)
                    for found in where.get(word, ()))
    if not votes:
        return None
    near = {offset: sum(votes.get(offset + shift, 0) for shift in range(-slack, slack + 1))
            for offset in votes}
    best = max(votes, key=lambda offset: (near[offset], votes[offset], -offset))
    return max(0, best - slack), min(len(source), best + len(quote) + slack), near[best]


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
