"""Measure alteration flags: planted changes in real news text, precision and recall per kind.

From PolNeAR articles (the sources), build quoting documents that quote a passage
of one source with one planted alteration of a known kind, plus unaltered
controls; index the sources; trace every quoting document with the real pipeline;
compare the kinds flagged (against the planted source) with the kinds planted.

A planted change can truthfully imply other kinds: inserting "not" is also an
insertion; a loose paraphrase is also a set of substitutions. Each case carries
the set of kinds that are really there (``expected``). Recall of a kind: the share
of cases planted with it where it was flagged. Precision of a kind: the share of
flags of it (over all cases, controls included) on cases where it is really there.
False alarms: controls with any non-cosmetic alteration.

Also measures, on the Clough-Stevenson corpus, how well coverage and alteration
counts separate cut, light, heavy and non answers (ROC-AUC).

    python benchmarks/alterations.py ../shared/corpora/polnear --per-kind 200
    python benchmarks/alterations.py ../shared/corpora/polnear --clough ../shared/corpora/clough-stevenson

No corpus text is written anywhere but a temporary database.
"""

from __future__ import annotations

import argparse
import csv
import random
import re
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from provenance import coverage, ingest, trace
from provenance.alterations import NEGATIONS, QUALIFIERS, polarity_words
from provenance.model import Document, Emphasis
from provenance.store import Store

KINDS = ("cosmetic", "substitution", "insertion", "omission", "ellipsis", "truncation", "splice",
         "reorder", "emphasis_added", "negation", "misattribution", "paraphrase")
POLAR = NEGATIONS | QUALIFIERS
SENTENCE_RE = re.compile(r"[^.!?\n]*[.!?]")
WORD = re.compile(r"\S+")
QUOTE_CHARS = set("\"“”‘’'«»„…[]*_")
AUXILIARIES = ("is", "was", "are", "were", "will", "would", "can", "could", "should", "has", "have",
               "had", "does", "did")
PRONOUNS = frozenset("he she they it who i we you his her its their this that".split())


@dataclass
class Case:
    kind: str  # planted kind, or "control"
    source: Document
    quote: str
    speaker: str | None = None
    expected: set[str] = field(default_factory=set)
    emphasis: tuple[tuple[int, int, str], ...] = ()  # offsets inside the quote
    note: str = ""


# -- reading PolNeAR -----------------------------------------------------------

def load_articles(corpus: Path) -> list[Document]:
    meta = {}
    with (corpus / "metadata.tsv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            meta[row["filename"]] = row
    documents = []
    for path in sorted(corpus.glob("*/text/*.txt")):
        row = meta.get(path.stem, {})
        published = None
        if row.get("publication_date"):
            published = datetime.fromisoformat(row["publication_date"]).replace(tzinfo=UTC)
        documents.append(Document(
            path.read_text(encoding="utf-8"), id=path.stem, title=row.get("title"),
            publisher=row.get("publisher"), author=row.get("author"), published=published,
        ))
    return documents


def gold_quotes(corpus: Path, document: Document) -> list[tuple[str, str]]:
    """(quoted words, speaker name) from the first annotator's direct quotations."""
    anns = sorted(corpus.glob(f"*/attributions/{document.id}_*.ann"))
    if not anns:
        return []
    spans: dict[str, tuple[str, int, int, str]] = {}
    found = []
    for line in anns[0].read_text(encoding="utf-8").splitlines():
        fields = line.split("\t")
        if line.startswith("T") and len(fields) >= 3:
            kind, _, offsets = fields[1].partition(" ")
            if ";" in offsets:
                continue
            start, end = map(int, offsets.split())
            spans[fields[0]] = (kind, start, end, fields[2])
        elif line.startswith("E") and len(fields) >= 2:
            roles = dict(part.split(":", 1) for part in fields[1].split() if ":" in part)
            content, source = spans.get(roles.get("Content", "")), spans.get(roles.get("Source", ""))
            if not content or not source:
                continue
            name = source[3].strip()
            if not re.fullmatch(r"(?:[A-Z][\w.'’\-]+ ){0,2}[A-Z][\w'’\-]+", name):
                continue
            if name.casefold() in PRONOUNS or len(name) < 4:
                continue
            paragraph_start = document.text.rfind("\n", 0, content[1]) + 1
            paragraph_end = document.text.find("\n", content[2])
            if "<" in document.text[paragraph_start : paragraph_end if paragraph_end > 0 else None]:
                continue  # embedded tweets and markup
            for match in re.finditer(r"“([^“”]{40,300})[,.]?”", document.text[content[1] : content[2]]):
                inner = match.group(1).rstrip(",. ")
                if not set(inner) & QUOTE_CHARS and 8 <= len(inner.split()) <= 45 \
                        and "@" not in inner and "http" not in inner:
                    found.append((inner, name))
    return found


BOUNDARY_RE = re.compile(r"(?<=[a-z]{3}[.!?])\s+(?=[A-Z])")


def sentences(document: Document) -> list[tuple[int, str]]:
    """(paragraph number, sentence) for plain sentences with clear boundaries: split only
    after a lower-case word of three letters or more (never after "Mr." or "U.S."),
    and kept only without quote marks, markup or inner full stops."""
    found = []
    for number, paragraph in enumerate(document.text.split("\n")):
        if "<" in paragraph or ">" in paragraph:
            continue
        for sentence in BOUNDARY_RE.split(paragraph.strip()):
            count = len(sentence.split())
            if 12 <= count <= 40 and not set(sentence) & QUOTE_CHARS and sentence[0].isupper() \
                    and sentence[-1] in ".!?" and ". " not in sentence and "? " not in sentence:
                found.append((number, sentence))
    return found


# -- planting ----------------------------------------------------------------

def plain_word(word: str) -> bool:
    return word.isalpha() and len(word) >= 4 and word.casefold() not in POLAR and word.islower()


def polarity_changed(before: str, after: str) -> bool:
    return polarity_words(before) != polarity_words(after)


class Planter:
    def __init__(self, rng: random.Random, documents: list[Document], corpus: Path):
        self.rng = rng
        self.documents = documents
        self.sentences = {d.id: sentences(d) for d in documents}
        self.vocabulary = sorted({
            w for d in documents[:200] for w in re.findall(r"\b[a-z]{5,10}\b", d.text)
            if w not in POLAR
        })
        self.gold = [(d, q, n) for d in documents for q, n in gold_quotes(corpus, d)]
        self.names = sorted({n for _, _, n in self.gold})

    def sentence(self) -> tuple[Document, int, str]:
        while True:
            document = self.rng.choice(self.documents)
            found = self.sentences[document.id]
            if found:
                number, sentence = self.rng.choice(found)
                return document, number, sentence

    def other_word(self, word: str) -> str:
        while True:
            replacement = self.rng.choice(self.vocabulary)
            if replacement != word.casefold():
                return replacement

    def case(self, kind: str) -> Case | None:
        return getattr(self, "plant_" + kind)()

    def plant_control(self) -> Case | None:
        if self.rng.random() < 0.5 and self.gold:
            document, quote, name = self.rng.choice(self.gold)
            return Case("control", document, quote, speaker=name)
        document, _, sentence = self.sentence()
        return Case("control", document, sentence)

    def plant_cosmetic(self) -> Case | None:
        document, _, sentence = self.sentence()
        if "'" in sentence or "’" in sentence:
            quote = sentence.replace("’", "'") if "’" in sentence else sentence.replace("'", "’")
        else:
            quote = sentence[0].lower() + sentence[1:] if sentence[1:2].islower() else None
            if quote is None:
                return None
            quote = quote.replace(" - ", " — ")
        return Case("cosmetic", document, quote, expected={"cosmetic"})

    def plant_substitution(self) -> Case | None:
        document, _, sentence = self.sentence()
        words = sentence.split()
        spots = [n for n in range(1, len(words) - 1) if plain_word(words[n])]
        if len(words) < 15 or not spots:
            return None
        for n in self.rng.sample(spots, min(len(spots), self.rng.choice((1, 1, 2)))):
            words[n] = self.other_word(words[n])
        return Case("substitution", document, " ".join(words), expected={"substitution"})

    def plant_insertion(self) -> Case | None:
        document, _, sentence = self.sentence()
        words = sentence.split()
        n = self.rng.randrange(2, len(words) - 1)
        added = [self.other_word("") for _ in range(self.rng.choice((1, 2, 3)))]
        text = " ".join(added)
        if self.rng.random() < 0.3:
            text = f"[{text}]"
        words[n:n] = [text]
        return Case("insertion", document, " ".join(words), expected={"insertion"})

    def plant_omission(self) -> Case | None:
        document, _, sentence = self.sentence()
        words = sentence.split()
        size = self.rng.choice((1, 2, 3))
        n = self.rng.randrange(2, len(words) - 2 - size)
        dropped = words[n : n + size]
        if any(not w.isalpha() for w in dropped) or any(w.casefold() in POLAR for w in dropped):
            return None
        quote = " ".join(words[:n] + words[n + size :])
        return Case("omission", document, quote, expected={"omission"})

    def plant_ellipsis(self) -> Case | None:
        document, _, sentence = self.sentence()
        words = sentence.split()
        size = self.rng.randrange(3, min(15, len(words) - 6))
        n = self.rng.randrange(3, len(words) - 2 - size)
        mark = self.rng.choice((" … ", " ... ", " […] "))
        quote = " ".join(words[:n]) + mark + " ".join(words[n + size :])
        expected = {"ellipsis"}
        if polarity_changed(sentence, quote):
            expected.add("negation")
        return Case("ellipsis", document, quote, expected=expected)

    def plant_truncation(self) -> Case | None:
        document, _, sentence = self.sentence()
        words = sentence.split()
        cut = self.rng.randrange(3, max(4, len(words) // 3))
        quote_words = words[cut:] if self.rng.random() < 0.5 else words[:-cut]
        quote = " ".join(quote_words).rstrip(",;:")
        expected = {"truncation"}
        if polarity_changed(sentence, quote):
            expected.add("negation")
        return Case("truncation", document, quote, expected=expected)

    def plant_splice(self) -> Case | None:
        document, number, sentence = self.sentence()
        lines = document.text.split("\n")
        filled = [n for n, line in enumerate(lines) if line.strip()]
        rank = {n: r for r, n in enumerate(filled)}  # paragraph numbers without blank lines
        others = [s for p, s in self.sentences[document.id] if abs(rank[p] - rank[number]) >= 2]
        if not others:
            return None
        other = self.rng.choice(others)
        first, second = (sentence, other) if document.text.find(sentence) < document.text.find(other) \
            else (other, sentence)
        mark = self.rng.choice((" ", " ", " … "))
        return Case("splice", document, first + mark + second, expected={"splice"})

    def plant_reorder(self) -> Case | None:
        document, number, sentence = self.sentence()
        found = self.sentences[document.id]
        position = found.index((number, sentence))
        if position + 1 >= len(found) or found[position + 1][0] != number:
            # one sentence: swap its two halves at a comma
            parts = sentence.rstrip(".!?").split(", ", 1)
            if len(parts) < 2 or min(len(p.split()) for p in parts) < 5:
                return None
            return Case("reorder", document, f"{parts[1]}, {parts[0]}.", expected={"reorder"})
        following = found[position + 1][1]
        if document.text.find(sentence + " " + following) < 0:
            return None
        return Case("reorder", document, following + " " + sentence, expected={"reorder"})

    def plant_emphasis_added(self) -> Case | None:
        document, _, sentence = self.sentence()
        words = sentence.split()
        spots = [n for n in range(1, len(words) - 1) if plain_word(words[n])]
        if not spots:
            return None
        n = self.rng.choice(spots)
        style = self.rng.choice(("bold", "italics", "underscore", "caps", "html", "note"))
        if style == "note":
            return Case("emphasis_added", document, sentence, expected={"emphasis_added"},
                        note=" (emphasis added)")
        if style == "html":
            start = len(" ".join(words[:n])) + 1
            return Case("emphasis_added", document, sentence, expected={"emphasis_added"},
                        emphasis=((start, start + len(words[n]), "bold"),))
        marker = {"bold": "**", "italics": "*", "underscore": "_"}.get(style)
        words[n] = f"{marker}{words[n]}{marker}" if marker else words[n].upper()
        return Case("emphasis_added", document, " ".join(words), expected={"emphasis_added"})

    def plant_negation(self) -> Case | None:
        document, _, sentence = self.sentence()
        words = sentence.split()
        lowered = [w.casefold() for w in words]
        choice = self.rng.random()
        expected = {"negation"}
        if "not" in lowered[1:-1] and choice < 0.3:
            n = lowered.index("not", 1)
            del words[n]
            expected.add("omission")
        elif any(w in AUXILIARIES for w in lowered[1:-1]) and choice < 0.7:
            n = next(i for i, w in enumerate(lowered) if i > 0 and w in AUXILIARIES)
            words.insert(n + 1, self.rng.choice(("not", "never")))
            expected.add("insertion")
        else:
            spots = [n for n in range(1, len(words) - 1) if plain_word(words[n])]
            if not spots:
                return None
            n = self.rng.choice(spots)
            words.insert(n, self.rng.choice(("only", "allegedly", "possibly")))
            expected.add("insertion")
        return Case("negation", document, " ".join(words), expected=expected)

    def plant_misattribution(self) -> Case | None:
        if not self.gold:
            return None
        document, quote, name = self.rng.choice(self.gold)
        surname = name.split()[-1].casefold()
        others = [n for n in self.names if n.split()[-1].casefold() != surname]
        return Case("misattribution", document, quote, speaker=self.rng.choice(others),
                    expected={"misattribution"})

    def plant_paraphrase(self) -> Case | None:
        document, _, sentence = self.sentence()
        words = sentence.split()
        if len(words) < 15:
            return None
        share = self.rng.uniform(0.3, 0.45)  # loose: 55 to 70 per cent of the words kept
        chosen = sorted(self.rng.sample(range(len(words)), int(share * len(words))))
        for n in chosen:
            if words[n].casefold() in POLAR:
                continue
            words[n] = self.other_word(words[n])
        quote = " ".join(words)
        expected = {"paraphrase", "substitution", "insertion", "omission", "truncation", "splice"}
        if polarity_changed(sentence, quote):
            expected.add("negation")
        return Case("paraphrase", document, quote, expected=expected)


# -- the quoting document --------------------------------------------------------

INTRO = "This is a commentary written for the benchmark and published online.\n\n"
OUTRO = "\n\nFurther paragraphs follow here."


def quoting_document(case: Case, number: int) -> tuple[Document, int, int]:
    """The article: the quotation in curly marks, credited to the speaker if any."""
    if case.speaker:
        lead = INTRO + "“"
        tail = f",” said {case.speaker}.{case.note}"
    else:
        lead = INTRO + "One passage of the report reads: “"
        tail = f"”{case.note}"
    text = lead + case.quote + tail + OUTRO
    start = len(lead)
    emphasis = tuple(Emphasis(start + s, start + e, style) for s, e, style in case.emphasis)
    article = Document(text, id=f"case-{number}", published=datetime(2030, 1, 1, tzinfo=UTC),
                       emphasis=emphasis)
    return article, start, start + len(case.quote)


def flagged(store: Store, case: Case, number: int) -> tuple[set[str], bool, list]:
    """Kinds flagged against the planted source, and whether the quotation was traced to it."""
    article, start, end = quoting_document(case, number)
    result = trace.trace(store, article)
    for traced in result.quotations:
        if traced.quotation.end <= start or traced.quotation.start >= end or traced.quotation.term:
            continue
        for alignment in traced.chain:
            if alignment.document.id == case.source.id:
                return {a.kind for a in alignment.alterations}, True, list(alignment.alterations)
    return set(), False, []


def run(corpus: Path, per_kind: int, seed: int, show: list[str]) -> None:
    rng = random.Random(seed)
    documents = load_articles(corpus)
    planter = Planter(rng, documents, corpus)
    cases: list[Case] = []
    for kind in KINDS + ("control",):
        wanted = per_kind * (2 if kind == "control" else 1)
        made = 0
        while made < wanted:
            case = planter.case(kind)
            if case is not None and case.quote.strip():
                cases.append(case)
                made += 1
    with tempfile.TemporaryDirectory() as folder:
        store = Store(Path(folder) / "bench.db")
        began = time.perf_counter()
        with store.atomic():
            for document in documents:
                ingest.add_document(store, document)
        print(f"indexed {len(documents)} PolNeAR articles in {time.perf_counter() - began:.1f} s")
        began = time.perf_counter()
        results = [flagged(store, case, number) for number, case in enumerate(cases)]
        elapsed = time.perf_counter() - began
    print(f"traced {len(cases)} quoting documents in {elapsed:.1f} s "
          f"({1000 * elapsed / len(cases):.1f} ms each)")
    report(cases, results)
    for kind in show:
        for case, (kinds, _traced, found) in zip(cases, results, strict=False):
            if (kind in kinds) != (kind in case.expected or case.kind == kind):
                print(f"\n[{kind}] planted {case.kind}: {case.quote!r} (speaker {case.speaker})")
                for a in found:
                    print(f"    {a.kind} {a.severity} {a.quoted[:60]!r} | {a.original[:100]!r} {a.note[:80]}")


def report(cases: list[Case], results: list[tuple[set[str], bool, list]]) -> None:
    flags: Counter[str] = Counter()
    right: Counter[str] = Counter()
    planted: Counter[str] = Counter()
    found: Counter[str] = Counter()
    untraced: Counter[str] = Counter()
    confusions: dict[str, Counter[str]] = defaultdict(Counter)
    for case, (kinds, traced, _) in zip(cases, results, strict=False):
        untraced[case.kind] += not traced
        planted[case.kind] += 1
        found[case.kind] += case.kind in kinds
        for kind in kinds:
            flags[kind] += 1
            right[kind] += kind in case.expected
            if kind not in case.expected:
                confusions[kind][case.kind] += 1
    print("\n| kind | planted | recall | flagged | precision | not traced |")
    print("|---|---|---|---|---|---|")
    for kind in KINDS:
        recall = found[kind] / planted[kind] if planted[kind] else float("nan")
        precision = right[kind] / flags[kind] if flags[kind] else float("nan")
        print(f"| {kind} | {planted[kind]} | {recall:.3f} | {flags[kind]} | {precision:.3f} "
              f"| {untraced[kind]} |")
    controls = [(c, r) for c, r in zip(cases, results, strict=False) if c.kind == "control"]
    alarms = [c for c, (kinds, _, _) in controls if kinds - {"cosmetic"}]
    print(f"\ncontrols: {len(controls)}, with any non-cosmetic alteration: {len(alarms)} "
          f"({100 * len(alarms) / len(controls):.2f}%), not traced: {untraced['control']}")
    for kind, counts in sorted(confusions.items()):
        print(f"  false {kind}: " + ", ".join(f"{k} {n}" for k, n in counts.most_common()))


# -- Clough-Stevenson -----------------------------------------------------------

def auc(positives: list[float], negatives: list[float]) -> float:
    wins = sum((p > n) + 0.5 * (p == n) for p in positives for n in negatives)
    return wins / (len(positives) * len(negatives))


def clough(folder: Path) -> None:
    base = folder / "corpus-20090418"
    labels = {}
    with (folder / "file_list_from_xls.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            labels[row["File"]] = row["Category"]
    scores: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "clough.db")
        originals = {}
        for task in "abcde":
            text = (base / f"orig_task{task}.txt").read_text(encoding="latin-1")
            originals[task] = Document(text, id=f"orig_task{task}",
                                       published=datetime(2000, 1, 1, tzinfo=UTC))
            ingest.add_document(store, originals[task])
        for name, label in sorted(labels.items()):
            text = (base / name).read_text(encoding="latin-1")
            task = name.split("_task")[1][0]
            answer = Document(text, id=name, published=datetime(2009, 1, 1, tzinfo=UTC))
            result = trace.trace(store, answer)
            covered = {c.document.id: c for c in coverage.of_trace(result)}
            share = covered[f"orig_task{task}"].share if f"orig_task{task}" in covered else 0.0
            copied = sum(q.quotation.end - q.quotation.start for q in result.quotations
                         if q.status == "traced" and q.parent is None) / max(len(text), 1)
            changes = sum(1 for q in result.quotations if q.closest for a in q.closest.alterations
                          if a.kind != "cosmetic")
            copied_words = sum(len(q.quotation.text.split()) for q in result.quotations
                               if q.status == "traced" and q.parent is None)
            scores["source share quoted (coverage)"][label].append(share)
            scores["answer share copied"][label].append(copied)
            scores["non-cosmetic alterations (count)"][label].append(changes)
            # For cut vs heavy: the fewer changes per copied word, the closer the copy.
            scores["alterations per copied word (fewer = closer)"][label].append(
                -changes / copied_words if copied_words else -1.0)
    print("\n| score | cut+light vs non | heavy vs non | cut vs heavy | n (cut/light/heavy/non) |")
    # ROC-AUC: the chance that a random answer of the first group scores above one of
    # the second (ties count half); 0.5 is no separation.
    print("|---|---|---|---|---|")
    for score, by_label in scores.items():
        counts = "/".join(str(len(by_label[k])) for k in ("cut", "light", "heavy", "non"))
        print(f"| {score} | {auc(by_label['cut'] + by_label['light'], by_label['non']):.3f} "
              f"| {auc(by_label['heavy'], by_label['non']):.3f} "
              f"| {auc(by_label['cut'], by_label['heavy']):.3f} | {counts} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", default="../shared/corpora/polnear")
    parser.add_argument("--per-kind", type=int, default=200)
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--clough", default="../shared/corpora/clough-stevenson",
                        help="Clough-Stevenson folder ('' to skip)")
    parser.add_argument("--skip-planted", action="store_true")
    parser.add_argument("--show", action="append", default=[],
                        help="print the cases where this kind is wrongly flagged or missed")
    args = parser.parse_args()
    if not args.skip_planted:
        run(Path(args.corpus), args.per_kind, args.seed, args.show)
    if args.clough and Path(args.clough).exists():
        clough(Path(args.clough))


if __name__ == "__main__":
    main()
