"""A seeded synthetic archive for the scale benchmarks, streamed to disk.

Word statistics come from real text: a bigram model over words and sentence
punctuation, trained on ../shared/corpora (PolNeAR news) when present and on
fixtures/ otherwise. Documents are generated 1,000 at a time (vectorised
sampling over the bigram table), written as JSON-lines shards and never held
in memory all at once.

Planted quotations, with their true source recorded:

* in the archive itself, a share of documents quote an earlier document
  (``truth.jsonl``: what `provenance scan` must find);
* 1,000-word test articles dated after the archive (``articles/``), each with
  planted quotations of 8 to 80 words, 0 to 3 edited words, marked (in quote
  marks, with a speaker) or unmarked (``articles.jsonl``).

    python benchmarks/scale_corpus.py OUT --documents 10000 --articles 100
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

TOKEN_RE = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)?|[.,;:!?]")
PUNCTUATION = set(".,;:!?")
BATCH = 1000
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
SPEAKERS = ["Maria Lopez", "John Carter", "Senator Amy Reed", "the mayor", "Dr. Sam Patel",
            "a spokesman", "Governor Tom Hale", "Ms. Chen"]


class WordModel:
    """A bigram model: P(next token | token), sampled for many documents at once."""

    def __init__(self, texts: list[str], *, min_count: int = 2):
        tokens = [t for text in texts for t in TOKEN_RE.findall(text.replace("’", "'"))]
        counts = Counter(tokens)
        vocab = sorted(t for t, c in counts.items() if c >= min_count)
        self.vocab = np.array(vocab, dtype=object)
        self.words = np.array([i for i, t in enumerate(vocab) if t not in PUNCTUATION])
        number = {t: i for i, t in enumerate(vocab)}
        ids = np.array([number.get(t, -1) for t in tokens])
        pairs = np.stack([ids[:-1], ids[1:]], axis=1)
        pairs = pairs[(pairs >= 0).all(axis=1)]
        keys, weights = np.unique(pairs[:, 0] * len(vocab) + pairs[:, 1], return_counts=True)
        first, self.successor = keys // len(vocab), keys % len(vocab)
        # global cumulative key: token id + cumulative probability inside the token's row
        totals = np.bincount(first, weights=weights, minlength=len(vocab))
        cumulative = np.zeros(len(keys))
        order = np.argsort(first, kind="stable")
        running = np.cumsum(weights[order])
        row_start = np.concatenate([[0], np.cumsum(np.bincount(first, minlength=len(vocab)))])
        before = np.concatenate([[0], running])[row_start[first[order]]]
        cumulative[order] = (running - before) / totals[first[order]]
        self.keys = first + np.minimum(cumulative, 1 - 1e-12)
        self.has_successor = totals > 0
        self.full_stop = number["."]

    def sample(self, rng: np.random.Generator, documents: int, length: int) -> np.ndarray:
        """Token ids, one row per document."""
        out = np.empty((documents, length), dtype=np.int64)
        current = np.full(documents, self.full_stop)
        for step in range(length):
            stuck = ~self.has_successor[current]
            current = np.where(stuck, self.full_stop, current)
            picks = np.searchsorted(self.keys, current + rng.random(documents))
            current = self.successor[np.minimum(picks, len(self.keys) - 1)]
            out[:, step] = current
        return out

    def render(self, ids: np.ndarray) -> list[str]:
        return list(self.vocab[ids])

    def random_word(self, rng: np.random.Generator) -> str:
        return str(self.vocab[rng.choice(self.words)])


def join(tokens: list[str]) -> str:
    """Words with spaces, punctuation attached, a capital after a full stop."""
    out: list[str] = []
    capital = True
    for token in tokens:
        if token in PUNCTUATION:
            if out and out[-1][-1] not in PUNCTUATION:
                out[-1] += token
                capital = token in ".!?"
            continue
        out.append(token[:1].upper() + token[1:] if capital else token)
        capital = False
    return " ".join(out)


def training_texts(corpora: Path, fixtures: Path) -> tuple[list[str], str]:
    polnear = sorted((corpora / "polnear").glob("*/text/*.txt"))
    if polnear:
        return [p.read_text(encoding="utf-8") for p in polnear], f"{corpora}/polnear"
    texts = [p.read_text(encoding="utf-8") for p in sorted(fixtures.glob("*.txt"))]
    return texts, str(fixtures)


def edit(words: list[str], edits: int, model: WordModel, rng: np.random.Generator
         ) -> tuple[list[str], list[int]]:
    """Replace ``edits`` distinct words by other words of the vocabulary."""
    positions = sorted(rng.choice(len(words), size=min(edits, len(words)), replace=False).tolist())
    edited = list(words)
    for position in positions:
        while (word := model.random_word(rng)).lower() == words[position].lower():
            pass
        edited[position] = word
    return edited, positions


def plant(background: list[str], at: int, quoted: list[str], marked: bool, speaker: str
          ) -> tuple[list[str], int, int]:
    """Insert a quotation as its own sentence(s); return tokens and its token span."""
    before = background[:at]
    if before and before[-1] not in PUNCTUATION:
        before.append(".")
    if marked:
        piece = [f"{speaker[:1].upper()}{speaker[1:]}", "said", ":", "\u201c"] + quoted + ["\u201d"]
    else:
        piece = list(quoted)
    start = len(before) + (4 if marked else 0)
    return before + piece + ["."] + background[at:], start, start + len(quoted)


def join_quoted(tokens: list[str]) -> str:
    text = join([t for t in tokens])
    return text.replace("\u201c ", "\u201c").replace(" \u201d", "\u201d").replace(": \u201c", ": \u201c")


def generate(out: Path, *, documents: int, articles: int, seed: int, corpora: Path,
             fixtures: Path, quote_share: float = 0.1) -> dict[str, object]:
    texts, trained_on = training_texts(corpora, fixtures)
    model = WordModel(texts)
    rng = np.random.default_rng(seed)
    (out / "corpus").mkdir(parents=True, exist_ok=True)
    recent: list[tuple[int, list[str]]] = []  # a window of earlier documents to quote from
    raw_bytes = words_total = 0
    with open(out / "truth.jsonl", "w") as truth:
        for batch_start in range(0, documents, BATCH):
            size = min(BATCH, documents - batch_start)
            lengths = rng.integers(520, 760, size=size)  # tokens: ~600 words with punctuation
            ids = model.sample(rng, size, int(lengths.max()))
            with open(out / "corpus" / f"shard-{batch_start // BATCH:05d}.jsonl", "w") as shard:
                for row in range(size):
                    number = batch_start + row
                    tokens = model.render(ids[row, : lengths[row]])
                    record: dict[str, object] = {}
                    if recent and rng.random() < quote_share:
                        tokens, record = _quote_earlier(tokens, recent, model, rng)
                    text = join_quoted(tokens)
                    document = {"id": f"d{number:07d}", "title": f"Document {number}",
                                "published": (EPOCH + timedelta(minutes=10 * number)).isoformat(),
                                "text": text}
                    shard.write(json.dumps(document) + "\n")
                    raw_bytes += len(text.encode())
                    words_total += sum(1 for t in tokens if t not in PUNCTUATION)
                    if record:
                        truth.write(json.dumps({"document": document["id"], **record}) + "\n")
                    recent.append((number, [t for t in tokens if t not in "\u201c\u201d"]))
                    if len(recent) > 2000:
                        recent.pop(rng.integers(0, len(recent)))
    article_count = write_articles(out, model, rng, documents=documents, articles=articles)
    summary = {"documents": documents, "raw_text_bytes": raw_bytes, "words": words_total,
               "articles": article_count, "seed": seed, "trained_on": trained_on,
               "vocabulary": len(model.vocab)}
    (out / "summary.json").write_text(json.dumps(summary, indent=1))
    return summary


def _quote_earlier(tokens: list[str], recent: list[tuple[int, list[str]]], model: WordModel,
                   rng: np.random.Generator) -> tuple[list[str], dict[str, object]]:
    number, source = recent[rng.integers(0, len(recent))]
    source_words = [t for t in source if t not in PUNCTUATION]
    length = int(rng.integers(12, 60))
    first = int(rng.integers(0, max(1, len(source_words) - length)))
    quoted, _ = edit(source_words[first : first + length], int(rng.integers(0, 3)), model, rng)
    marked = bool(rng.random() < 0.5)
    at = int(rng.integers(0, len(tokens)))
    planted, start, end = plant(tokens, at, quoted, marked, SPEAKERS[rng.integers(len(SPEAKERS))])
    return planted, {"source": f"d{number:07d}", "words": length, "marked": marked}


def write_articles(out: Path, model: WordModel, rng: np.random.Generator, *, documents: int,
                   articles: int) -> int:
    """1,000-word articles quoting archive documents; sources read back from the shards."""
    plans = []
    for _article in range(articles):
        quotes = []
        for _ in range(int(rng.integers(3, 7))):
            quotes.append({"source": int(rng.integers(0, documents)),
                           "words": int(rng.integers(8, 81)),
                           "edits": int(rng.integers(0, 4)),
                           "marked": bool(rng.random() < 0.5)})
        plans.append(quotes)
    wanted = {q["source"] for quotes in plans for q in quotes}
    sources: dict[int, list[str]] = {}
    for shard in sorted((out / "corpus").glob("shard-*.jsonl")):
        base = int(shard.stem.split("-")[1]) * BATCH
        if not any(base <= s < base + BATCH for s in wanted):
            continue
        with open(shard) as lines:
            for offset, line in enumerate(lines):
                if base + offset in wanted:
                    text = json.loads(line)["text"]
                    sources[base + offset] = TOKEN_RE.findall(text.replace("’", "'"))
    (out / "articles").mkdir(exist_ok=True)
    published = (EPOCH + timedelta(minutes=10 * documents + 60)).isoformat()
    with open(out / "articles.jsonl", "w") as truth:
        for number, quotes in enumerate(plans):
            tokens = model.render(model.sample(rng, 1, 1100)[0])
            placed = []
            for quote in sorted(quotes, key=lambda q: -q["words"]):
                source_words = [t for t in sources[quote["source"]] if t not in PUNCTUATION]
                first = int(rng.integers(0, max(1, len(source_words) - quote["words"])))
                original = source_words[first : first + quote["words"]]
                quoted, positions = edit(original, quote["edits"], model, rng)
                placed.append({**quote, "source": f"d{quote['source']:07d}", "quoted": quoted,
                               "original": " ".join(original), "edited_positions": positions})
            text, spans = _compose(tokens, placed, rng)
            path = out / "articles" / f"a{number:04d}.txt"
            path.write_text(text)
            path.with_name(path.stem + ".meta.json").write_text(
                json.dumps({"id": f"article-{number:04d}", "published": published}))
            for quote, (start, end) in zip(placed, spans, strict=True):
                quote.update(start=start, end=end, quoted=text[start:end])
            truth.write(json.dumps({"article": str(path.relative_to(out)), "quotations": placed})
                        + "\n")
    return len(plans)


def _compose(background: list[str], placed: list[dict], rng: np.random.Generator
             ) -> tuple[str, list[tuple[int, int]]]:
    """Article text with each quotation inserted at its own sentence break."""
    breaks = sorted(rng.choice(np.arange(20, len(background) - 20), size=len(placed), replace=False))
    pieces: list[tuple[str, str]] = []  # (kind, text)
    last = 0
    for quote, at in zip(placed, breaks, strict=True):
        pieces.append(("text", join(background[last:at]).rstrip(",;:") + "."))
        quoted = join(quote["quoted"])
        quoted = quoted[:1].lower() + quoted[1:] if quote["quoted"][0][:1].islower() else quoted
        if quote["marked"]:
            speaker = SPEAKERS[rng.integers(len(SPEAKERS))]
            pieces.append(("lead", f"{speaker[:1].upper()}{speaker[1:]} said: \u201c"))
            pieces.append(("quote", quoted))
            pieces.append(("tail", ".\u201d"))
        else:
            pieces.append(("quote", quoted))
            pieces.append(("tail", "."))
        last = at
    pieces.append(("text", join(background[last:]).rstrip(",;:") + "."))
    text, spans = "", []
    for kind, piece in pieces:
        if kind in ("quote", "tail") and text.endswith("\u201c"):
            pass
        elif kind == "tail":
            text = text
        elif text:
            text += " "
        if kind == "quote":
            spans.append((len(text), len(text) + len(piece)))
        text += piece
    return text, spans


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--articles", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--corpora", type=Path, default=Path("../shared/corpora"))
    parser.add_argument("--fixtures", type=Path, default=Path("fixtures"))
    arguments = parser.parse_args()
    summary = generate(arguments.out, documents=arguments.documents, articles=arguments.articles,
                       seed=arguments.seed, corpora=arguments.corpora, fixtures=arguments.fixtures)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
