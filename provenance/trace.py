"""Trace: the whole pipeline for one article, top to bottom.

1. find the marked quotations (quotes) and the passages copied without marks
   (retrieve: long runs of shared shingles; and sentences that one source holds
   nearly whole, checked by alignment), and nest them;
2. for each quotation, align it with every candidate source (align) and flag
   the changes (alterations); a marked quotation that no shingle led to a source
   is looked up in the full-text index (_fallback);
3. pick the earliest source, the closest one and the chain between them, by
   date and by wording. A document never counts as its own source, and a
   document published after the article is never its origin.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from rapidfuzz import fuzz

from . import align, alterations, index, quotes, retrieve, syndication
from .ingest import content_hash
from .model import Alignment, Document, Quotation, Trace, TracedQuotation
from .normalize import Word, words
from .store import Store, trace_rows

MIN_SCORE = 60.0  # share of quotation words a source must hold unchanged
# Words in quote marks are a claim to quote: a looser match (down to this) is still
# traced, and reported as a paraphrase (alterations.PARAPHRASE_SCORE says how loose).
MIN_SCORE_MARKED = 50.0
NEVER = datetime.max.replace(tzinfo=UTC)


@dataclass
class _Context:
    """What one trace computes once and shares between quotations."""

    store: Store
    article: Document
    article_words: list[Word]
    hits: Mapping[int, list[int]]
    documents: dict[int, Document]
    sources: dict[int, align.SourceText]
    exclude: set[int]
    # sources that found each unmarked passage (by its character span): candidates even
    # where few of the shingles looked up lead to them (see _copied_sentences)
    finders: dict[tuple[int, int], frozenset[int]] = field(default_factory=dict)

    def source_text(self, key: int) -> align.SourceText:
        if key not in self.sources:
            self.sources[key] = align.SourceText.of(self.documents[key].text, self.documents[key])
        return self.sources[key]


def trace(store: Store, article: Document) -> Trace:
    """Find and trace every quotation in ``article`` against the indexed archive."""
    index.check_params(store)
    article_words = words(article.text)
    own = store.document_by_hash(content_hash(article.text))
    exclude = {own.key} if own and own.key is not None else set()
    hits = retrieve.shingle_hits(store, article_words, exclude=exclude)
    documents = retrieve.Documents(store)  # read when a candidate is aligned, not before
    context = _Context(store, article, article_words, hits, documents, {}, exclude)

    eligible = retrieve.not_after(store, hits, article.published)
    passages = retrieve.copied_passages(hits, eligible)
    marked = quotes.find_quotations(article.text, blocks=marked_blocks(article))
    passages += _copied_sentences(context, eligible, passages, marked)
    unmarked = _unmarked(article, article_words, passages)
    context.finders = {(q.start, q.end): p.document_keys for q, p in zip(unmarked, passages, strict=True)}
    found = _nest(marked + unmarked)
    traced: list[TracedQuotation] = []
    for quotation, parent in found:
        parent_source = traced[parent].closest if parent is not None else None
        traced.append(_trace_one(context, quotation, parent, parent_source))
    notes = [] if article.published else [
        "The article has no date: sources published after it cannot be ruled out as origins."
    ]
    original = syndication.find_original(store, article)
    if original is not None:
        notes.append(syndication.original_note(original))
    duplicates = tuple(
        (duplicate, similarity)
        for key, similarity in index.near_duplicates(store, article_words)
        if key not in exclude and (duplicate := store.documents_by_key([key]).get(key))
    )
    return Trace(article, tuple(traced), tuple(notes), duplicates)


def marked_blocks(article: Document) -> list[tuple[int, int]]:
    """Block quotations the article's markup marked (HTML <blockquote>)."""
    return [(span.start, span.end) for span in article.quotes if span.style == "block"]


def _after(document: Document, article: Document) -> bool:
    return bool(document.published and article.published and document.published > article.published)


def _unmarked(article: Document, article_words: list[Word], passages: Sequence[retrieve.Passage]
              ) -> list[Quotation]:
    found = []
    for passage in passages:
        first, last = _snap_to_sentences(article_words, passage.start, passage.end, article.text)
        start, end = article_words[first].start, article_words[last - 1].end
        speaker = quotes.find_speaker(article.text, start, end)
        found.append(Quotation(start, end, article.text[start:end], "unmarked", speaker))
    return found


SENTENCE_SHARE = 2 / 3  # of a sentence's words a source must hold, in order, to be its copy
SENTENCE_WORDS = 8  # shorter sentences are shared by chance too often


def _copied_sentences(context: _Context, eligible: list[int], passages: Sequence[retrieve.Passage],
                      marked: Sequence[Quotation]) -> list[retrieve.Passage]:
    """Article sentences that one source holds nearly whole (an edited or short copy),
    outside the passages and marked quotations already found; checked by alignment.
    Sentences left without a source get a second look at their common shingles."""
    article_words, text = context.article_words, context.article.text
    taken = [(p.start, p.end) for p in passages] + [_word_range(article_words, q) for q in marked]
    archive_size = context.store.document_count()
    spans = sentences(article_words, text)
    candidates = retrieve.copied_sentence_candidates(context.hits, eligible, spans,
                                                     archive_size=archive_size)
    found = _confirmed(context, candidates, taken)
    taken += [(p.start, p.end) for p in found]
    if isinstance(context.hits, retrieve.Hits):
        left = [(first, last) for first, last in spans
                if last - first >= SENTENCE_WORDS and not _overlaps(first, last, taken)]
        candidates = retrieve.common_sentence_candidates(
            context.store, article_words, context.hits, left, archive_size=archive_size,
            exclude=context.exclude)
        found += _confirmed(context, _not_after(context, candidates), taken)
    return found


def _overlaps(first: int, last: int, taken: Sequence[tuple[int, int]]) -> bool:
    return any(min(last, end) - max(first, start) >= 0.5 * (last - first) for start, end in taken)


def _confirmed(context: _Context, candidates: Sequence[tuple[int, int, list[int]]],
               taken: Sequence[tuple[int, int]]) -> list[retrieve.Passage]:
    """The candidate sentences that a candidate source holds (by alignment)."""
    found = []
    for first, last, keys in candidates:
        if _overlaps(first, last, taken):
            continue
        held = [key for key in keys if _holds(context, first, last, key)]
        if held:
            found.append(retrieve.Passage(first, last, frozenset(held)))
    return found


def _not_after(context: _Context, candidates: Sequence[tuple[int, int, list[int]]]
               ) -> list[tuple[int, int, list[int]]]:
    """Candidates without the sources published after the article (not its origins)."""
    published = context.article.published
    dates = context.store.published_dates({key for _, _, keys in candidates for key in keys})

    def later(key: int) -> bool:
        date = dates.get(key)
        return bool(published and date and date > published)
    return [(first, last, [key for key in keys if not later(key)]) for first, last, keys in candidates]


def _holds(context: _Context, first: int, last: int, key: int) -> bool:
    """Does the source hold article words [first, last) in one stretch, mostly unchanged?"""
    norms = [word.norm for word in context.article_words[first:last]]
    placed = retrieve.word_window(norms, index.norms(context.documents[key].text))
    if not placed or placed[2] < SENTENCE_SHARE * len(norms):  # a quick look saves an alignment
        return False
    source = context.source_text(key)
    start, end = context.article_words[first].start, context.article_words[last - 1].end
    segments = align.align(context.article.text, start, end, source)
    if not segments or align.score(segments, last - first) < 100 * SENTENCE_SHARE:
        return False
    spans = [segment.source_span for segment in segments]
    # one stretch of the source, not words gathered from all over it
    return max(e for _, e in spans) - min(s for s, _ in spans) <= (last - first) + 3


SENTENCE_END = re.compile(r"[.!?\n]")


def sentences(article_words: list[Word], text: str) -> list[tuple[int, int]]:
    """The article's sentences (and headlines, list items) as word ranges [start, end)."""
    ends = [word.end for word in article_words]
    cuts = {0, len(article_words)}
    for mark in SENTENCE_END.finditer(text):
        after = bisect_right(ends, mark.start())  # the first word ending after the mark
        if 0 < after < len(article_words) and article_words[after].start >= mark.end():
            cuts.add(after)
    ordered = sorted(cuts)
    return list(zip(ordered, ordered[1:], strict=False))


def _ends_sentence(gap: str) -> bool:
    return SENTENCE_END.search(gap) is not None


def _snap_to_sentences(article_words: list[Word], first: int, last: int, text: str
                       ) -> tuple[int, int]:
    """Drop a stray word or two that a passage shares across a sentence boundary
    ("on Wednesday. The ..."): shingles do not see punctuation, people do."""
    def boundary(before: int) -> bool:  # a sentence ends between word before and before + 1
        return _ends_sentence(text[article_words[before].end : article_words[before + 1].start])
    for cut in range(last - 2, max(first, last - 3), -1):
        if boundary(cut):
            last = cut + 1
            break
    for cut in range(first, min(last - 1, first + 2)):
        if boundary(cut):
            first = cut + 1
            break
    return first, last


def _nest(found: list[Quotation]) -> list[tuple[Quotation, int | None]]:
    """Order quotations by position; each is nested in the smallest one holding it.

    An unmarked passage that a marked quotation already covers (nearly) whole
    is dropped: it is the same quotation found twice.
    """
    marked = [q for q in found if q.kind != "unmarked"]
    kept = [
        q for q in found
        if q.kind != "unmarked" or not any(
            m.start <= q.start + 3 and q.end - 3 <= m.end or
            (q.start <= m.start and m.end <= q.end and (m.end - m.start) >= 0.8 * (q.end - q.start))
            for m in marked
        )
    ]
    ordered = sorted(set(kept), key=lambda q: (q.start, -q.end, q.kind))
    nested: list[tuple[Quotation, int | None]] = []
    for number, quotation in enumerate(ordered):
        holders = [
            other for other in range(number)
            if ordered[other].start <= quotation.start and quotation.end <= ordered[other].end
        ]
        parent = min(holders, key=lambda o: ordered[o].end - ordered[o].start) if holders else None
        nested.append((quotation, parent))
    return nested


def _trace_one(context: _Context, quotation: Quotation, parent: int | None,
               parent_source: Alignment | None) -> TracedQuotation:
    if quotation.term:
        return TracedQuotation(quotation, "term", parent=parent)
    first, last = _word_range(context.article_words, quotation)
    if last - first < 1:
        return TracedQuotation(quotation, "unsourced", parent=parent,
                               notes=("No words to trace.",))
    alignments = [
        alignment
        for key in _candidates(context, quotation, first, last)
        if (alignment := _align(context, quotation, key, last - first)) is not None
    ]
    if not alignments and quotation.kind != "unmarked":
        alignments = _fallback(context, quotation, first, last)
    origins = [a for a in alignments if not _after(a.document, context.article)]
    later = tuple(sorted((a for a in alignments if a not in origins), key=_date_key))
    if not origins:
        why = (
            "Found only in documents published after the article; they may have copied it."
            if later else "No indexed document holds these words."
        )
        return TracedQuotation(quotation, "unsourced", later=later, parent=parent, notes=(why,))
    chain = tuple(sorted(origins, key=_date_key))
    earliest, notes = _earliest(chain)
    closest = max(origins, key=lambda a: _closeness(context.article.text, quotation, a, parent_source))
    chain, earliest, closest = _hops(context, chain, earliest, closest)
    return TracedQuotation(quotation, "traced", earliest, closest, chain, later, parent, notes)


def _candidates(context: _Context, quotation: Quotation, first: int, last: int) -> list[int]:
    ranked = retrieve.candidates(context.hits, first, last)
    finders = context.finders.get((quotation.start, quotation.end), frozenset())
    return ranked + sorted(finders - set(ranked))


def _hops(context: _Context, chain: tuple[Alignment, ...], earliest: Alignment, closest: Alignment
          ) -> tuple[tuple[Alignment, ...], Alignment, Alignment]:
    """Mark which hop introduced each change: the article, or a source between it and
    the earliest one (whose passage, aligned with the earliest, already shows it)."""
    if earliest is closest or earliest.document.key is None:
        return chain, earliest, closest
    origin = context.source_text(earliest.document.key)
    hops = []
    for middle in chain:
        if middle is earliest or _date_key(middle) < _date_key(earliest):
            continue
        text = middle.document.text
        segments = align.align(text, middle.start, middle.end, origin)
        theirs = alterations.flag(text, segments, origin) if segments else []
        hops.append((middle.document.id or str(middle.document.key), theirs))
    marked_earliest = replace(earliest, alterations=alterations.introduced_by(earliest.alterations, hops))
    marked_closest = replace(closest, alterations=tuple(
        replace(a, introduced_by="article") for a in closest.alterations))
    swap = {id(earliest): marked_earliest, id(closest): marked_closest}
    return tuple(swap.get(id(a), a) for a in chain), marked_earliest, marked_closest


def _word_range(article_words: list[Word], quotation: Quotation) -> tuple[int, int]:
    inside = [n for n, w in enumerate(article_words) if quotation.start <= w.start and w.end <= quotation.end]
    return (inside[0], inside[-1] + 1) if inside else (0, 0)


# The full-text index proposes FALLBACK_POOL documents; the FALLBACK_SOURCES of them that
# hold most of the quotation's words in place are aligned. The pairs a changed word makes
# can be rare and rank other documents first: a 9-word quotation's source ranked 20th at 1M.
FALLBACK_POOL = 25
FALLBACK_SOURCES = 3
# Shorter, a few common words in a row match by chance; longer, a quotation that kept
# no three words of its source in a row is a paraphrase at most.
FALLBACK_WORDS = range(8, 25)


def _fallback(context: _Context, quotation: Quotation, first: int, last: int) -> list[Alignment]:
    """Sources of a marked quotation that no shared shingle led to.

    Three changed words can leave an 8-word quotation without three unchanged words
    in a row, so the shingle index cannot see its source; the words around each
    change are still there in pairs. The full-text index ranks the documents by the
    pairs they hold; as a pair that a changed word made can be rare and rank a stray
    document high, the best FALLBACK_POOL are looked at again for how many of the
    quotation's words stand in place, and the best of those aligned word by word.
    The match must be closer than a shingle-found one (MIN_SCORE): the evidence is
    thinner.
    The Redis index has no full-text index, so it has no fallback: there a
    quotation changed this much stays unsourced.
    """
    store = context.store
    if last - first not in FALLBACK_WORDS or not hasattr(store, "documents_with_phrases"):
        return []
    norms = [word.norm for word in context.article_words[first:last]]
    phrases = retrieve.rare_phrases(norms, store.word_document_counts(norms), store.document_count())
    pool = store.documents_with_phrases(phrases, limit=FALLBACK_POOL, exclude=context.exclude)
    context.documents.update(store.documents_by_key(k for k in pool if k not in context.documents))
    in_place = {}
    for key in pool:
        placed = retrieve.word_window(norms, index.norms(context.documents[key].text))
        # where too few of the words stand in place, alignment cannot reach MIN_SCORE
        if placed and placed[2] >= MIN_SCORE / 100 * len(norms):
            in_place[key] = placed[2]
    best = sorted(in_place, key=lambda key: -in_place[key])[:FALLBACK_SOURCES]
    return [alignment for key in best
            if (alignment := _align(context, quotation, key, last - first, by_words=True)) is not None]


def _align_by_words(text: str, quotation: Quotation, source: align.SourceText) -> list[align.Segment]:
    """Align each segment of the quotation where its words stand in the source, when no
    shingle places it (see _fallback)."""
    source_norms = [word.norm for word in source.words]
    segments = []
    for quote, mark in align.split_segments(text, quotation.start, quotation.end):
        placed = retrieve.word_window([word.norm for word in quote], source_norms)
        ops = align.align_segment(quote, source, (placed[0], placed[1])) if placed else []
        if any(op[0] == "equal" for op in ops):
            segments.append(align.Segment(tuple(quote), tuple(ops), mark))
    return segments


def _align(context: _Context, quotation: Quotation, key: int, word_count: int, *,
           by_words: bool = False) -> Alignment | None:
    """The quotation aligned with one source; ``by_words``: found by the fallback."""
    source = context.source_text(key)
    segments = align.align(context.article.text, quotation.start, quotation.end, source)
    if not segments and by_words:
        segments = _align_by_words(context.article.text, quotation, source)
    if not segments:
        return None
    score = align.score(segments, word_count)
    if score < (MIN_SCORE if quotation.kind == "unmarked" or by_words else MIN_SCORE_MARKED):
        return None
    spans = [segment.source_span for segment in segments]
    start = source.words[min(s for s, _ in spans)].start
    end = source.words[max(e for _, e in spans) - 1].end
    flags = alterations.flag(context.article.text, segments, source,
                             emphasis=context.article.emphasis, speaker=quotation.speaker)
    loose = alterations.paraphrase(quotation, score, source.text, start, end, flags)
    if loose:
        flags.append(loose)
    segment_spans = tuple(
        (s.quote_words[0].start, s.quote_words[-1].end,
         source.words[s.source_span[0]].start, source.words[s.source_span[1] - 1].end)
        for s in segments
    )
    return Alignment(context.documents[key], start, end, score, tuple(flags), segment_spans)


def _date_key(alignment: Alignment) -> tuple[datetime, float]:
    return (alignment.document.published or NEVER, -alignment.score)


def _earliest(chain: Sequence[Alignment]) -> tuple[Alignment, tuple[str, ...]]:
    earliest = chain[0]
    notes = []
    if earliest.document.published is None:
        notes.append("No source has a date: the earliest is the best match among undated ones.")
    else:
        ties = [a for a in chain if a.document.published == earliest.document.published]
        if len(ties) > 1:
            notes.append(
                f"{len(ties)} sources carry the same date; the best-matching of them is named earliest."
            )
        undated = [a for a in chain if a.document.published is None]
        if undated:
            notes.append(f"{len(undated)} undated source(s) could be earlier still.")
    return earliest, tuple(notes)


def _closeness(article: str, quotation: Quotation, alignment: Alignment,
               parent_source: Alignment | None) -> tuple[float, bool, float, datetime]:
    """The version whose wording the article follows: score, then the source of the
    enclosing copied passage, then raw character similarity, then the latest date."""
    in_parent = bool(parent_source and parent_source.document.key == alignment.document.key)
    raw = fuzz.ratio(quotation.text, alignment.text)
    published = alignment.document.published or datetime.min.replace(tzinfo=UTC)
    return (alignment.score, in_parent, raw, published)


def article_from_store(store: Store, document_id: str) -> Document | None:
    """An indexed document, by id, to be traced like a file."""
    found = store.document_by_id(document_id)
    return replace(found, path=None) if found else None


def save(store: Store, result: Trace, result_json: dict[str, Any]) -> int:
    """Store one trace (and the article, unindexed, if new) in one transaction."""
    article = result.document
    keys = {
        alignment.document.id: alignment.document.key
        for quotation in result.quotations
        for alignment in quotation.chain + quotation.later
        if alignment.document.id and alignment.document.key is not None
    }
    with store.atomic():
        digest = content_hash(article.text)
        stored = store.document_by_hash(digest) or store.add_document(
            article, content_hash=digest, word_count=len(words(article.text)), indexed=False
        )
        assert stored.key is not None
        rows = trace_rows(result_json, keys)
        return store.add_trace(stored.key, rows, list(result.notes))
