"""Synthetic news pages shaped like real ones (about 30 KB each), for the HTML benchmarks.

Deterministic for a given seed: navigation, inline scripts, JSON-LD, a byline,
a dozen paragraphs with bold/italic and quotations, ads, related links, a
comment thread and a footer. No real text: words are drawn from a fixed list.
"""

from __future__ import annotations

import random
from pathlib import Path

WORDS = (
    "council", "harbour", "bridge", "vote", "mayor", "budget", "residents", "ferry", "traders",
    "commuters", "project", "engineers", "contract", "tender", "consultation", "district",
    "waterfront", "minister", "report", "committee", "funding", "regional", "transport",
    "delay", "cost", "estimate", "noise", "quay", "north", "bank", "evening", "session",
    "statement", "critics", "support", "opposition", "plan", "decade", "agreement", "public",
    "record", "hearing",
)
NAMES = ["Lena Brandt", "Tomas Reyes", "Priya Natarajan", "Maria Okafor", "Jon Halvorsen", "Aiko Mori"]


def sentence(rng: random.Random, low: int = 8, high: int = 24) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(low, high))]
    return " ".join(words).capitalize() + "."


def paragraph(rng: random.Random) -> str:
    parts = []
    for _ in range(rng.randint(3, 6)):
        text = sentence(rng)
        roll = rng.random()
        if roll < 0.15:
            text = f"<strong>{text}</strong>"
        elif roll < 0.3:
            text = f"<em>{text}</em>"
        elif roll < 0.45:
            text = f"“{text[:-1]},” said {rng.choice(NAMES)}."
        parts.append(text)
    return "<p>" + " ".join(parts) + "</p>"


def news_page(number: int, *, seed: int = 0) -> str:
    rng = random.Random(seed * 1_000_003 + number)
    title = sentence(rng, 6, 10)[:-1]
    day = 1 + number % 28
    url = f"https://news.example/{2020 + number % 5}/{1 + number % 12:02d}/{day:02d}/story-{number}"
    nav = "".join(f'<li><a href="/section/{w}">{w.title()}</a></li>' for w in rng.sample(WORDS, 30))
    script = "var cfg = {" + ",".join(f'"k{i}": "{rng.choice(WORDS)}{i}"' for i in range(600)) + "};"
    body = []
    for index in range(15):
        body.append(paragraph(rng))
        if index == 4:
            body.append(f"<blockquote><p>{sentence(rng, 20, 30)} {sentence(rng)}</p></blockquote>")
        if index in (3, 8):
            body.append('<div class="ad"><span>Advertisement</span><a href="https://ads.example/c">'
                        f"{sentence(rng, 5, 8)}</a></div>")
    related = "".join(
        f'<li><a href="/story-{number + i}">{sentence(rng, 5, 9)}</a></li>' for i in range(1, 9)
    )
    comments = "".join(
        f'<div class="comment"><span class="user">reader{rng.randint(1, 999)}</span>'
        f"<p>{sentence(rng)}</p></div>"
        for _ in range(16)
    )
    footer = "".join(f'<a href="/{w}">{w.title()}</a> | ' for w in rng.sample(WORDS, 15))
    published = f"{2020 + number % 5}-{1 + number % 12:02d}-{day:02d}T{number % 24:02d}:15:00+00:00"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title} | The Example News</title>
<meta property="og:title" content="{title}"><meta property="og:site_name" content="The Example News">
<meta name="author" content="{rng.choice(NAMES)}"><link rel="canonical" href="{url}">
<meta property="article:published_time" content="{published}">
<script type="application/ld+json">{{"@context":"https://schema.org","@type":"NewsArticle","headline":"{title}"}}</script>
<script>{script}</script><style>body{{font-family:serif}} .ad{{border:1px solid #ccc}}</style></head>
<body><header><a class="logo" href="/">The Example News</a><nav><ul>{nav}</ul></nav></header>
<main><article><h1>{title}</h1><div class="byline">By {rng.choice(NAMES)}</div>
{"".join(body)}
</article><aside class="related"><h3>Related</h3><ul>{related}</ul></aside>
<section class="comments"><h3>Comments</h3>{comments}</section></main>
<footer><p>{footer}</p><p>&copy; The Example News</p></footer></body></html>
"""


def write_pages(folder: Path, count: int, *, seed: int = 0) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for number in range(count):
        path = folder / f"page-{number:05d}.html"
        path.write_text(news_page(number, seed=seed), encoding="utf-8")
        paths.append(path)
    return paths
