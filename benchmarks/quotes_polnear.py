"""Evaluate quotation and speaker extraction on PolNeAR (direct quotations only).

Gold quotations are the quote-mark segments inside annotated Content spans (one
annotator per article: the first .ann file in name order; every piece of a
discontinuous span, in any order), cut at paragraph breaks as brat cuts the spans;
their speaker is the attribution's Source.  Predicted quotations are cut at paragraph
breaks the same way for scoring.  A predicted quotation matches a gold one exactly when both
agree after stripping marks, spaces and surrounding punctuation, and by overlap
when they share at least half of the longer span.  A speaker is right when its
span overlaps the gold Source, or when its resolved name has the surname of the
gold Source (of the named Source a gold pronoun refers to: the nearest earlier
Source of the same annotator that is not a pronoun).

    python benchmarks/quotes_polnear.py --corpus ../shared/corpora/polnear --split dev
"""

from __future__ import annotations

import argparse
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from provenance.model import Quotation, Speaker
from provenance.quotes import find_quotations

DOUBLE = '"“”„«»'
SINGLE = "‘’'"
STRIP = " \t\n\r\u00a0\"“”„«»‘’'.,;:!?—–-…"
PRONOUNS = frozenset("he she they it who which i we you his her its their this that".split())
NAME_RE = re.compile(r"[A-Z][\w\-’']+")
LINE_RE = re.compile(r"[^\n]+")


@dataclass(frozen=True)
class Gold:
    start: int
    end: int
    source: tuple[int, int, str] | None
    referent: str | None  # the name the source stands for


def parse_ann(path: Path) -> tuple[dict[str, tuple[str, list[tuple[int, int]], str]], list[dict[str, str]]]:
    spans: dict[str, tuple[str, list[tuple[int, int]], str]] = {}
    events: list[dict[str, str]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        fields = line.split("\t")
        if line.startswith("T") and len(fields) >= 3:
            kind, _, offsets = fields[1].partition(" ")
            pieces = [tuple(map(int, part.split())) for part in offsets.split(";")]
            spans[fields[0]] = (kind, pieces, fields[2])  # type: ignore[arg-type]
        elif line.startswith("E") and len(fields) >= 2:
            roles = dict(part.split(":", 1) for part in fields[1].split() if ":" in part)
            events.append(roles)
    return spans, events


DOUBLE_RE = re.compile(r"''|[\"“”„«»]")
SINGLE_RE = re.compile(r"[‘’']")


def segments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Quote-mark segments inside text[start:end], paired simply and independently.

    NYT articles in PolNeAR write a double quote as two apostrophes ('').
    """
    while start > 0 and text[start - 1] in DOUBLE + SINGLE:
        start -= 1
    while end < len(text) and text[end] in DOUBLE + SINGLE:
        end += 1
    marks = DOUBLE_RE if DOUBLE_RE.search(text, start, end) else SINGLE_RE
    found: list[tuple[int, int]] = []
    opened: int | None = None
    for mark in marks.finditer(text, start, end):
        i, j = mark.span()
        before = text[i - 1] if i > 0 else " "
        after = text[j] if j < len(text) else " "
        if marks is SINGLE_RE and before.isalnum() and after.isalnum():
            continue
        opening = (i == start or before.isspace() or before in "([—–-") and not after.isspace()
        if opening:
            if opened is None:
                opened = j
        elif opened is not None:
            found.append((opened, i))
            opened = None
        elif not found and marks is DOUBLE_RE:
            found.append((start, i))
    if opened is not None and end > opened:
        found.append((opened, end))
    return [(s, e) for s, e in found if text[s:e].strip(STRIP)]


def referent(source_text: str, earlier: list[str]) -> str | None:
    if source_text.lower() not in PRONOUNS:
        return source_text
    for name in reversed(earlier):
        if name.lower() not in PRONOUNS and NAME_RE.search(name):
            return name
    return None


def gold_quotations(text: str, ann: Path) -> list[Gold]:
    spans, events = parse_ann(ann)
    by_start = sorted(
        ((spans[e["Source"]][1][0][0], e) for e in events if e.get("Source") in spans),
        key=lambda pair: pair[0],
    )
    sources_in_order = [(s, spans[e["Source"]][2]) for s, e in by_start]
    golds: dict[tuple[int, int], Gold] = {}
    for event in events:
        for role in ("Content", "Content2"):  # brat numbers a second content span Content2
            content = spans.get(event.get(role, ""))
            if content is not None:
                add_segments(text, golds, content[1], event, spans, sources_in_order)
    return sorted(golds.values(), key=lambda g: g.start)


def add_segments(text: str, golds: dict[tuple[int, int], Gold], pieces: list[tuple[int, int]],
                 event: dict[str, str], spans: dict[str, tuple[str, list[tuple[int, int]], str]],
                 sources_in_order: list[tuple[int, str]]) -> None:
    """The quote-mark segments of one Content span, with the event's Source."""
    source = spans.get(event.get("Source", ""))
    source_span = None
    name = None
    if source is not None:
        s, e = source[1][0][0], source[1][-1][1]
        source_span = (s, e, text[s:e])
        earlier = [t for start, t in sources_in_order if start < s]
        name = referent(text[s:e], earlier)
    low, high = min(s for s, _ in pieces), max(e for _, e in pieces)
    turn = quoted_turn(text, low, spans.get(event.get("Source", "")), spans.get(event.get("Cue", "")))
    # A turn is quoted whole: marks inside it are nested.
    for seg_start, seg_end in sorted(pieces) if turn else segments(text, low, high):
        if not any(s < seg_end and seg_start < e for s, e in pieces):
            continue  # in a gap of a discontinuous span: not this content
        for start, end in by_paragraph(text, seg_start, seg_end):
            if turn and not TURN_OPENING_RE.match(text, text.rfind("\n", 0, start) + 1):
                continue  # a paragraph of the turn that the marks do not reach
            golds.setdefault((start, end), Gold(start, end, source_span, name))


TURN_OPENING_RE = re.compile(r"[ \t]*(?:''|[\"“])")


def quoted_turn(text: str, low: int, source: tuple[str, list[tuple[int, int]], str] | None,
                cue: tuple[str, list[tuple[int, int]], str] | None) -> bool:
    """Whether the Content starting at ``low`` is a transcript turn the article quotes
    whole: its paragraph opens with a quote mark, the turn's own Source and a colon
    (\"WALLACE: Let's start ...).  The marks enclose the Source and the Cue, so none of
    them is inside the Content span."""
    if source is None or cue is None or cue[2].strip() != ":":
        return False
    paragraph = text.rfind("\n", 0, low) + 1
    opening = TURN_OPENING_RE.match(text, paragraph, low)
    source_start, source_end = source[1][0][0], source[1][-1][1]
    cue_start, cue_end = cue[1][0][0], cue[1][-1][1]
    return (opening is not None and opening.end() == source_start and source_end <= cue_start
            and not text[source_end:cue_start].strip() and not text[cue_end:low].strip())


def by_paragraph(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """A span cut at its paragraph breaks: the pieces with any text left after stripping."""
    if "\n" not in text[start:end]:
        return [(start, end)]
    return [m.span() for m in LINE_RE.finditer(text, start, end) if m.group().strip(STRIP)]


def stripped(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in STRIP:
        start += 1
    while end > start and text[end - 1] in STRIP:
        end -= 1
    return start, end


def surname(name: str | None) -> str | None:
    """The last capitalised word of a name, before any apposition: "Rep. Beto O'Rourke
    (D-Tex.), a Clinton endorser" is O'Rourke, not Clinton."""
    if not name:
        return None
    head = re.split(r",|\(| who | of the ", name)[0] or name
    words = NAME_RE.findall(re.sub(r"[’']s\b", "", head))
    return words[-1] if words else name.lower().strip()


def speaker_right(gold: Gold, speaker: Speaker | None) -> bool:
    if gold.source is None or speaker is None:
        return False
    s, e, _ = gold.source
    if speaker.start < e and s < speaker.end:
        return True
    wanted = surname(gold.referent)
    return wanted is not None and wanted in (surname(speaker.name), surname(speaker.text))


def match(text: str, golds: list[Gold], predicted: list[Quotation], exact: bool
          ) -> list[tuple[Gold, Quotation]]:
    pairs = []
    used: set[int] = set()
    for gold in golds:
        gs, ge = stripped(text, gold.start, gold.end)
        best, best_score = None, 0.0
        for index, quotation in enumerate(predicted):
            if index in used:
                continue
            ps, pe = stripped(text, quotation.start, quotation.end)
            if exact:
                score = 1.0 if (ps, pe) == (gs, ge) else 0.0
            else:
                shared = min(ge, pe) - max(gs, ps)
                score = shared / max(ge - gs, pe - ps, 1)
            if score > best_score:
                best, best_score = index, score
        if best is not None and best_score >= (1.0 if exact else 0.5):
            used.add(best)
            pairs.append((gold, predicted[best]))
    return pairs


NAME_NEAR_RE = re.compile(r"(?:[A-Z][\w’'\-.]+\s){0,2}[A-Z][\w’'\-]+")
BASELINE_QUOTE_RE = re.compile(r"“([^”\n]+)”|\"([^\"\n]+)\"|''([^\n]+?)''")
BASELINE_CUE_RE = re.compile(r"\b(?:said|says|told|according to)\b")


def baseline(text: str) -> list[Quotation]:
    """Plain regex: paired marks on one line, nearest name to the nearest "said"."""
    quotations = []
    for m in BASELINE_QUOTE_RE.finditer(text):
        group = next(g for g in (1, 2, 3) if m.group(g) is not None)
        start, end = m.span(group)
        cues = [c for c in BASELINE_CUE_RE.finditer(text, max(0, start - 150), min(len(text), end + 150))]
        speaker = None
        if cues:
            cue = min(cues, key=lambda c: min(abs(c.start() - end), abs(start - c.end())))
            names = [n for n in NAME_NEAR_RE.finditer(text, max(0, cue.start() - 60), cue.end() + 60)
                     if not (start <= n.start() < end)]
            if names:
                n = min(names, key=lambda n: min(abs(n.start() - cue.end()), abs(cue.start() - n.end())))
                speaker = Speaker(n.group(), n.start(), n.end(), n.group())
        quotations.append(Quotation(start, end, text[start:end], "quoted", speaker))
    return quotations


def article_golds(text: str, anns: list[Path], annotators: str) -> list[Gold]:
    """Gold quotations of one article: the first annotator's, or those a union or
    majority of its annotators agree on (by overlap, the first annotator's span kept)."""
    per_annotator = [gold_quotations(text, ann) for ann in anns]
    if annotators == "first" or len(per_annotator) == 1:
        return per_annotator[0]
    needed = 1 if annotators == "union" else len(per_annotator) // 2 + 1
    pooled: list[tuple[Gold, int]] = []
    for golds in per_annotator:
        for gold in golds:
            for index, (kept, votes) in enumerate(pooled):
                if min(kept.end, gold.end) - max(kept.start, gold.start) > 0:
                    pooled[index] = (kept, votes + 1)
                    break
            else:
                pooled.append((gold, 1))
    return sorted((g for g, votes in pooled if votes >= needed), key=lambda g: g.start)


def evaluate(corpus: Path, split: str, extract: Callable[[str], list[Quotation]],
             annotators: str = "first", dump: set[str] | None = None) -> dict[str, float]:
    counts = {"gold": 0, "pred": 0, "tp": 0, "tp_exact": 0, "scored": 0, "right": 0, "e2e": 0}
    for path in sorted((corpus / split / "text").glob("*.txt")):
        anns = sorted((corpus / split / "attributions").glob(path.stem + "_*.ann"))
        if not anns:
            continue
        text = path.read_text(encoding="utf-8")
        golds = article_golds(text, anns, annotators)
        quotations = extract(text)
        predicted = scored_segments(text, quotations)
        pairs = match(text, golds, predicted, exact=False)
        exact_pairs = match(text, golds, predicted, exact=True)
        counts["gold"] += len(golds)
        counts["pred"] += len(predicted)
        counts["tp"] += len(pairs)
        counts["tp_exact"] += len(exact_pairs)
        for gold, quotation in pairs:
            right = speaker_right(gold, quotation.speaker)
            if gold.source is not None:
                counts["scored"] += 1
                counts["right"] += right
            counts["e2e"] += right
        if dump:
            show_errors(path.stem, text, golds, quotations, predicted, pairs, exact_pairs, dump)
    return summarize(counts)


def _context(text: str, start: int, end: int) -> str:
    return _clip(text, max(0, start - 80), min(len(text), end + 60), 240)


def _clip(text: str, start: int, end: int, width: int = 90) -> str:
    half = width // 2
    snippet = text[start:end]
    if end - start > width:
        snippet = f"{text[start : start + half]} … {text[end - half : end]}"
    return snippet.replace("\n", " ⏎ ")


def show_errors(name: str, text: str, golds: list[Gold], quotations: list[Quotation],
                predicted: list[Quotation], pairs: list[tuple[Gold, Quotation]],
                exact_pairs: list[tuple[Gold, Quotation]], dump: set[str]) -> None:
    """Print misses, false positives, inexact spans and wrong speakers, for tuning on train."""
    matched_gold = {(g.start, g.end) for g, _ in pairs}
    matched_pred = {(q.start, q.end) for _, q in pairs}
    exact_gold = {(g.start, g.end) for g, _ in exact_pairs}
    terms = {(q.start, q.end) for q in quotations if q.term}
    for gold in golds:
        if "miss" in dump and (gold.start, gold.end) not in matched_gold:
            why = "term" if any(min(e, gold.end) - max(s, gold.start) > 0 for s, e in terms) else "none"
            print(f"MISS[{why}] {name} {gold.start}: «{_clip(text, gold.start, gold.end)}» "
                  f"ctx: {_context(text, gold.start, gold.end)}")
    for quotation in predicted:
        if "fp" in dump and (quotation.start, quotation.end) not in matched_pred:
            print(f"FP {name} {quotation.start}: «{_clip(text, quotation.start, quotation.end)}» "
                  f"ctx: {_context(text, quotation.start, quotation.end)}")
    for gold, quotation in pairs:
        if "inexact" in dump and (gold.start, gold.end) not in exact_gold:
            print(f"INEXACT {name}: gold «{_clip(text, gold.start, gold.end)}» "
                  f"got «{_clip(text, quotation.start, quotation.end)}»")
        if "speaker" in dump and gold.source is not None and not speaker_right(gold, quotation.speaker):
            got = f"{quotation.speaker.text!r}->{quotation.speaker.name!r}" if quotation.speaker else None
            print(f"SPEAKER {name} {gold.start}: gold {gold.source[2]!r}->{gold.referent!r} got {got} "
                  f"«{_clip(text, gold.start, gold.end, 60)}» "
                  f"ctx: {_clip(text, max(0, gold.start - 200), min(len(text), gold.end + 100), 400)}")


def scored_segments(text: str, quotations: list[Quotation]) -> list[Quotation]:
    """What is scored of a system's output: its outermost non-term quotations, each cut
    at its paragraph breaks as the gold is (a scoring choice; the output is unchanged)."""
    return [replace(q, start=s, end=e, text=text[s:e])
            for q in outermost([q for q in quotations if not q.term])
            for s, e in by_paragraph(text, q.start, q.end)]


def outermost(quotations: list[Quotation]) -> list[Quotation]:
    """Drop quotations nested inside another: the gold marks the outer segments only."""
    kept: list[Quotation] = []
    for quotation in sorted(quotations, key=lambda q: (q.start, -q.end)):
        if kept and quotation.end <= kept[-1].end:
            continue
        kept.append(quotation)
    return kept


def f1(tp: float, pred: float, gold: float) -> tuple[float, float, float]:
    p = tp / pred if pred else 0.0
    r = tp / gold if gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def summarize(c: dict[str, int]) -> dict[str, float]:
    p, r, f = f1(c["tp"], c["pred"], c["gold"])
    pe, re_, fe = f1(c["tp_exact"], c["pred"], c["gold"])
    _, _, f_e2e = f1(c["e2e"], c["pred"], c["gold"])
    return dict(gold=c["gold"], pred=c["pred"], p=p, r=r, f1=f, p_exact=pe, r_exact=re_,
                f1_exact=fe, speaker=c["right"] / c["scored"] if c["scored"] else 0.0,
                scored=c["scored"], e2e_f1=f_e2e)


def speed(corpus: Path, split: str, repeat: int) -> tuple[float, float]:
    """Articles per second for extraction alone: the best of ``repeat`` passes by wall
    clock and by process CPU time (other jobs on a shared machine slow the wall clock)."""
    texts = [p.read_text(encoding="utf-8") for p in sorted((corpus / split / "text").glob("*.txt"))]
    best_wall = best_cpu = float("inf")
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        for text in texts:
            find_quotations(text)
        best_wall = min(best_wall, time.perf_counter() - wall)
        best_cpu = min(best_cpu, time.process_time() - cpu)
    return len(texts) / best_wall, len(texts) / best_cpu


def main() -> None:
    here = Path(__file__).resolve().parent.parent
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=here.parent / "shared" / "corpora" / "polnear")
    parser.add_argument("--split", default="dev")
    parser.add_argument("--repeat", type=int, default=5,
                        help="passes over the split for the speed figure (the best one counts)")
    parser.add_argument("--annotators", choices=("first", "union", "majority"), default="first",
                        help="gold from the first annotator of each article, or the union or majority of all")
    parser.add_argument("--dump", default="",
                        help="comma-separated: miss,fp,inexact,speaker (errors of provenance.quotes)")
    args = parser.parse_args()
    dump = set(filter(None, args.dump.split(",")))
    if dump:
        evaluate(args.corpus, args.split, find_quotations, args.annotators, dump)
        return
    rows = [("regex baseline", evaluate(args.corpus, args.split, baseline, args.annotators)),
            ("provenance.quotes", evaluate(args.corpus, args.split, find_quotations, args.annotators))]
    gold = rows[0][1]["gold"]
    print(f"PolNeAR {args.split} ({args.annotators} annotator gold): {gold} gold direct quotations")
    header = ("| system | P | R | F1 (overlap) | P exact | R exact | F1 (exact) | speaker acc "
              "| end-to-end F1 |")
    print(header)
    print("|" + "---|" * 9)
    for name, m in rows:
        print(f"| {name} | {m['p']:.3f} | {m['r']:.3f} | {m['f1']:.3f} | {m['p_exact']:.3f} | "
              f"{m['r_exact']:.3f} | {m['f1_exact']:.3f} | {m['speaker']:.3f} (n={m['scored']}) | "
              f"{m['e2e_f1']:.3f} |")
    wall, cpu = speed(args.corpus, args.split, args.repeat)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"extraction speed: {wall:.0f} articles/s (best of {args.repeat} passes, wall clock), "
          f"{cpu:.0f} articles per CPU-second; load average {load:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
