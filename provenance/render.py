"""Render traces as HTML for people: the browse stage.

Pure functions from the JSON contract (plain dicts) to HTML strings. The same
pieces serve the Datasette plugin and the self-contained report of
``provenance trace --html``. Every piece of document text is untrusted: it is
escaped with markupsafe before it touches markup, and a URL becomes a link only
when its scheme is http or https.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from markupsafe import Markup, escape

SAFE_URL_SCHEMES = ("http", "https")

KIND_LABELS = {
    "cosmetic": "cosmetic change",
    "substitution": "words replaced",
    "insertion": "words added",
    "omission": "words dropped without a mark",
    "ellipsis": "words cut at an ellipsis",
    "truncation": "quotation cut short",
    "splice": "separate passages joined",
    "reorder": "passages reordered",
    "emphasis_added": "emphasis added",
    "negation": "negation or qualifier changed",
    "misattribution": "different speaker",
    "paraphrase": "loose paraphrase",
}

# Kinds whose `original` is source text the quotation left out.
_CUT_KINDS = ("omission", "ellipsis", "truncation", "splice")

STYLE = """
.prov-alteration{display:inline;line-height:1.6}
.prov-label{display:inline-block;font:600 .75em/1.4 system-ui,sans-serif;
 padding:0 .4em;margin-right:.3em;border-radius:.3em;background:#e8e8e8;color:#222;
 text-transform:uppercase;letter-spacing:.03em;vertical-align:.1em}
.prov-severity-major .prov-label{background:#b00020;color:#fff}
.prov-severity-minor .prov-label{background:#f3c623;color:#000}
.prov-severity-cosmetic .prov-label{background:#d8e6f3;color:#123}
.prov-alteration del,.prov-cut{background:#fde2e1;color:#7a0010;text-decoration:line-through}
.prov-alteration ins{background:#d9f5d6;color:#0b4a08;text-decoration:underline}
.prov-ellipsis-mark{font-weight:700;background:#fff2a8;padding:0 .15em}
.prov-recovered{border-left:3px solid #b00020;padding-left:.3em;margin-left:.2em}
.prov-recovered-label{font:italic .8em system-ui,sans-serif;color:#555}
.prov-note{font:italic .85em system-ui,sans-serif;color:#555}
.prov-text{white-space:pre-wrap;font-family:Georgia,serif;line-height:1.55}
mark.prov-quotation{background:#fff2a8;padding:0 .05em}
mark.prov-quotation mark.prov-quotation{background:#ffd866}
mark.prov-source{background:#d9f5d6}
td.col-text .prov-text{min-width:40em;max-width:60em}
td.col-content_hash,td.col-emphasis,td.col-quotes{max-width:9em;word-break:break-all;font-size:.8em}
dl.column-descriptions{display:grid;grid-template-columns:max-content 1fr;gap:0 1em;
 font-size:.85em;max-height:12em;overflow:auto;border:1px solid #ddd;padding:.3em .6em}
dl.column-descriptions dd{margin:0}
td.col-quoted{min-width:22em}
mark.prov-quotation a,mark.prov-source a{color:inherit;text-decoration:none}
"""


def safe_url(url: object) -> str | None:
    """Return ``url`` if it is safe to put in an href (http or https), else None."""
    if not isinstance(url, str):
        return None
    candidate = url.strip()
    match = re.match(r"([A-Za-z][A-Za-z0-9+.\-]*):", candidate)
    if match is None or match.group(1).lower() not in SAFE_URL_SCHEMES:
        return None
    if any(ord(char) < 32 for char in candidate):
        return None
    return candidate


def _href(value: object) -> str | None:
    """A safe absolute URL, or a link inside this site or page."""
    if isinstance(value, str) and value[:1] in ("#", "/") and not value.startswith("//"):
        return value
    return safe_url(value)


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _tokens(text: str) -> list[str]:
    """Words and the whitespace between them, so joining them gives the text back."""
    return re.findall(r"\s+|[^\s]+", text)


def word_diff(original: str, quoted: str) -> Markup:
    """Show how ``quoted`` differs from ``original`` word by word.

    Words only in the source are struck through (``<del>``), words only in the
    quotation are marked (``<ins>``), shared words are plain.
    """
    before, after = _tokens(original), _tokens(quoted)
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    parts: list[Markup] = []
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(escape("".join(after[b1:b2])))
            continue
        if a2 > a1:
            parts.append(Markup("<del>%s</del>") % "".join(before[a1:a2]))
        if b2 > b1:
            parts.append(Markup("<ins>%s</ins>") % "".join(after[b1:b2]))
    return Markup("").join(parts)


def _body(kind: str, quoted: str, original: str, note: str) -> Markup:
    if kind == "ellipsis":
        mark = quoted or "…"
        return Markup(
            '<span class="prov-ellipsis-mark" title="cut here">{mark}</span>'
            '<span class="prov-recovered"><span class="prov-recovered-label">'
            "original text: </span><del>{original}</del></span>"
        ).format(mark=mark, original=original)
    if kind in _CUT_KINDS:
        shown = Markup("<del>{}</del>").format(original) if original else Markup("")
        if quoted and kind != "omission":
            shown = Markup("{} <ins>{}</ins>").format(shown, quoted)
        return shown
    if kind == "insertion" and not original:
        return Markup("<ins>{}</ins>").format(quoted)
    if kind == "misattribution":
        return Markup(
            "the article names <ins>{quoted}</ins>; the source names <del>{original}</del>"
        ).format(quoted=quoted, original=original)
    if kind == "reorder":
        return Markup("<ins>{quoted}</ins> <span class=\"prov-note\">source order:</span> "
                      "<del>{original}</del>").format(quoted=quoted, original=original)
    if kind == "emphasis_added" and (note or quoted == original):
        return Markup("<ins><strong>{}</strong></ins>").format(quoted)
    return word_diff(original, quoted)


def alteration_html(alteration: Mapping[str, Any]) -> str:
    """Render one alteration of the JSON contract as an inline diff.

    Deleted source words are struck through, inserted words marked; an
    ellipsis shows the original text it stands for.
    """
    kind = _text(alteration.get("kind")) or "change"
    severity = _text(alteration.get("severity")) or "minor"
    quoted = _text(alteration.get("quoted"))
    original = _text(alteration.get("original"))
    note = _text(alteration.get("note"))
    css_kind = re.sub(r"[^a-z0-9_]", "", kind.lower()) or "change"
    css_severity = re.sub(r"[^a-z0-9_]", "", severity.lower()) or "minor"
    title = KIND_LABELS.get(kind, kind)
    html = Markup(
        '<span class="prov-alteration prov-kind-{css_kind} prov-severity-{css_severity}" '
        'data-kind="{css_kind}" title="{title}">'
        '<span class="prov-label">{kind} · {severity}</span>{body}'
    ).format(
        css_kind=css_kind,
        css_severity=css_severity,
        title=title,
        kind=kind,
        severity=severity,
        body=_body(kind, quoted, original, note),
    )
    if note:
        html += Markup(' <span class="prov-note">({})</span>').format(note)
    return html + Markup("</span>")


def _nest(spans: Sequence[tuple[int, int, int]]) -> list[tuple[int, int, int, list[Any]]]:
    """Turn (start, end, index) spans into a forest; a span crossing its parent's
    end is clipped to it, so the markup stays well formed."""
    roots: list[tuple[int, int, int, list[Any]]] = []
    stack: list[tuple[int, int, int, list[Any]]] = []
    for start, end, index in sorted(spans, key=lambda span: (span[0], -span[1], span[2])):
        while stack and start >= stack[-1][1]:
            stack.pop()
        if stack:
            end = min(end, stack[-1][1])
        if end <= start:
            continue
        node: tuple[int, int, int, list[Any]] = (start, end, index, [])
        (stack[-1][3] if stack else roots).append(node)
        stack.append(node)
    return roots


def highlight_quotations(
    text: str,
    spans: Iterable[Sequence[Any]],
    *,
    css_class: str = "prov-quotation",
    id_prefix: str | None = None,
    link_text: str = "↗",
) -> str:
    """Escape ``text`` and mark each ``(start, end, label[, href[, anchor]])`` span in it.

    ``label`` becomes the mark's tooltip, ``href`` (if safe) makes the span a
    link, ``anchor`` (or ``id_prefix`` plus the span's position) gives the mark
    an id to link to. Nested spans nest; offsets outside the text are clipped.
    """
    spans = [tuple(span) for span in spans]
    clipped: list[tuple[int, int, int]] = []
    for index, span in enumerate(spans):
        start, end = max(0, int(span[0])), min(len(text), int(span[1]))
        if end > start:
            clipped.append((start, end, index))

    def emit(start: int, end: int, children: list[Any]) -> Markup:
        out: list[Markup] = []
        position = start
        for child_start, child_end, index, grandchildren in children:
            out.append(escape(text[position:child_start]))
            out.append(open_mark(index))
            out.append(emit(child_start, child_end, grandchildren))
            out.append(close_mark(index))
            position = child_end
        out.append(escape(text[position:end]))
        return Markup("").join(out)

    def open_mark(index: int) -> Markup:
        span = spans[index]
        label = _text(span[2]) if len(span) > 2 else ""
        anchor = _text(span[4]) if len(span) > 4 and span[4] is not None else None
        if anchor is None and id_prefix is not None:
            anchor = f"{id_prefix}{index + 1}"
        attributes = Markup(' class="{}"').format(css_class)
        if anchor:
            attributes += Markup(' id="{}"').format(anchor)
        if label:
            attributes += Markup(' title="{}"').format(label)
        return Markup("<mark{}>").format(attributes)

    def close_mark(index: int) -> Markup:
        # A link after the span, not around it: spans nest, and links must not.
        span = spans[index]
        href = _href(span[3]) if len(span) > 3 else None
        if href is None:
            return Markup("</mark>")
        return Markup('<sup><a class="prov-ref" href="{}" title="{}">{}</a></sup></mark>').format(
            href, _text(span[2]) if len(span) > 2 else "", link_text
        )

    return Markup('<div class="prov-text">{}</div>').format(
        emit(0, len(text), _nest(clipped))
    )


REPORT_STYLE = """
body{max-width:58em;margin:2em auto;padding:0 1em;font:16px/1.5 system-ui,sans-serif;color:#111}
h1{font-size:1.6em;margin-bottom:.2em}h2{margin-top:2em;border-bottom:1px solid #ccc}
.prov-meta{color:#444;margin:0}.prov-summary td,.prov-summary th{padding:.1em .8em .1em 0;text-align:left}
.prov-card{border:1px solid #ccc;border-radius:.4em;padding:.6em 1em;margin:1em 0}
.prov-card.prov-status-unsourced{border-color:#b00020}.prov-card.prov-status-term{opacity:.7}
.prov-card h3{margin:.2em 0 .4em;font-size:1.05em}
.prov-status{font:600 .75em system-ui,sans-serif;text-transform:uppercase;padding:0 .4em;
 border-radius:.3em;background:#d9f5d6}.prov-status-unsourced .prov-status{background:#fde2e1}
blockquote{margin:.4em 0;padding:.2em .8em;border-left:4px solid #ddd;background:#fafafa}
dl.prov-sources dt{font-weight:600;margin-top:.4em}dl.prov-sources dd{margin-left:1em}
ul.prov-alterations{padding-left:1.2em}ul.prov-alterations li{margin:.4em 0}
table.prov-chain{border-collapse:collapse}table.prov-chain td,table.prov-chain th{
 border-bottom:1px solid #eee;padding:.1em .8em .1em 0;text-align:left}
footer{margin-top:3em;color:#666;font-size:.85em}
"""

# No script may run in a report, whatever slips through: the browser enforces it.
_REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def _document_line(document: Mapping[str, Any] | None) -> Markup:
    if not document:
        return Markup("")
    parts: list[Markup] = []
    title = _text(document.get("title")) or _text(document.get("id")) or "untitled"
    href = safe_url(document.get("url"))
    if href:
        parts.append(Markup('<a href="{}">{}</a>').format(href, title))
    else:
        parts.append(Markup("<cite>{}</cite>").format(title))
    for key in ("publisher", "author", "published"):
        if document.get(key):
            parts.append(Markup("{}").format(document[key]))
    if document.get("url") and not href:
        parts.append(Markup("<code>{}</code>").format(document["url"]))
    if document.get("id") and document.get("title"):
        parts.append(Markup("id <code>{}</code>").format(document["id"]))
    if document.get("score") is not None:
        parts.append(Markup("score {}").format(document["score"]))
    return Markup(" · ").join(parts)


def _passage_html(passage: Mapping[str, Any], alterations: Sequence[Mapping[str, Any]]) -> Markup:
    """The source passage, with the source words each alteration touched marked."""
    text = _text(passage.get("text"))
    offset = passage.get("start")
    spans = []
    if isinstance(offset, int):
        for alteration in alterations:
            start, end = alteration.get("source_start"), alteration.get("source_end")
            if isinstance(start, int) and isinstance(end, int) and end > start:
                spans.append((start - offset, end - offset, _text(alteration.get("kind"))))
    return Markup(highlight_quotations(text, spans, css_class="prov-source"))


def _links_html(summary: str, links: Sequence[Mapping[str, Any]]) -> Markup:
    rows = Markup("").join(
        Markup("<tr><td>{}</td><td>{}</td><td>{}</td></tr>").format(
            _text(link.get("published")),
            _document_line({k: link.get(k) for k in ("id", "title", "url", "publisher")}),
            _text(link.get("score")),
        )
        for link in links
    )
    return Markup(
        "<details open><summary>{}</summary>"
        '<table class="prov-chain"><tr><th>published</th><th>document</th>'
        "<th>score</th></tr>{}</table></details>"
    ).format(summary, rows)


def _quotation_html(number: int, quotation: Mapping[str, Any]) -> Markup:
    status = _text(quotation.get("status")) or "traced"
    css_status = re.sub(r"[^a-z]", "", status.lower())
    speaker = quotation.get("speaker") or {}
    alterations = [a for a in quotation.get("alterations") or [] if isinstance(a, Mapping)]
    out = [
        Markup('<section class="prov-card prov-status-{}" id="q{}">').format(css_status, number),
        Markup('<h3>#{} <span class="prov-status">{}</span> {}').format(
            number, status, _text(quotation.get("kind"))
        ),
    ]
    if isinstance(speaker, Mapping) and (speaker.get("name") or speaker.get("text")):
        out.append(Markup(" — {}").format(speaker.get("name") or speaker.get("text")))
    if quotation.get("score") is not None:
        out.append(Markup(" · score {}").format(quotation["score"]))
    out.append(Markup("</h3><blockquote class=\"prov-text\">{}</blockquote>").format(
        _text(quotation.get("text"))
    ))
    source, closest = quotation.get("source"), quotation.get("closest")
    if source or closest:
        out.append(Markup('<dl class="prov-sources">'))
        if source:
            out.append(Markup("<dt>Earliest source</dt><dd>{}</dd>").format(_document_line(source)))
        if closest:
            out.append(Markup("<dt>Closest source (wording followed)</dt><dd>{}</dd>").format(
                _document_line(closest)
            ))
        passage = closest if closest and closest.get("text") else source
        if passage and passage.get("text"):
            out.append(Markup("<dt>Source passage</dt><dd><blockquote>{}</blockquote></dd>").format(
                _passage_html(passage, alterations)
            ))
        out.append(Markup("</dl>"))
    elif status == "unsourced":
        out.append(Markup('<p class="prov-note">No indexed source contains this quotation.</p>'))
    for key, summary in (("chain", "Chain of sources, oldest first"),
                         ("later", "Copies published after the article")):
        links = [link for link in quotation.get(key) or [] if isinstance(link, Mapping)]
        if len(links) > (1 if key == "chain" else 0):
            out.append(_links_html(summary, links))
    if alterations:
        items = Markup("").join(
            Markup("<li>{}</li>").format(Markup(alteration_html(a))) for a in alterations
        )
        out.append(Markup('<h4>Changes</h4><ul class="prov-alterations">{}</ul>').format(items))
    elif status == "traced":
        out.append(Markup('<p class="prov-note">Quoted exactly.</p>'))
    out.append(Markup("</section>"))
    return Markup("").join(out)


def _summary_html(quotations: Sequence[Mapping[str, Any]]) -> Markup:
    counts: dict[str, int] = {}
    severities: dict[str, int] = {}
    for quotation in quotations:
        status = _text(quotation.get("status"))
        counts[status] = counts.get(status, 0) + 1
        for alteration in quotation.get("alterations") or []:
            severity = _text(alteration.get("severity"))
            severities[severity] = severities.get(severity, 0) + 1
    rows = [("quotations", len(quotations))]
    rows += [(status or "unknown", n) for status, n in sorted(counts.items())]
    rows += [(f"{severity} changes", n) for severity, n in sorted(severities.items())]
    return Markup('<table class="prov-summary">{}</table>').format(
        Markup("").join(Markup("<tr><th>{}</th><td>{}</td></tr>").format(k, v) for k, v in rows)
    )


def report_html(trace: Mapping[str, Any]) -> str:
    """One whole trace of the JSON contract as one self-contained HTML page.

    Inline CSS only: no script, no external asset, so the file can travel as an
    email attachment and open anywhere.
    """
    document = trace.get("document") or {}
    quotations = [q for q in trace.get("quotations") or [] if isinstance(q, Mapping)]
    title = _text(document.get("title")) or _text(document.get("path")) or _text(
        document.get("id")
    ) or "article"
    out = [
        Markup(
            '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            '<meta http-equiv="Content-Security-Policy" content="{csp}">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            "<title>Provenance: {title}</title><style>{style}{report_style}</style></head><body>"
        ).format(csp=_REPORT_CSP, title=title, style=Markup(STYLE), report_style=Markup(REPORT_STYLE)),
        Markup("<h1>{}</h1>").format(title),
    ]
    meta = [
        Markup("{}: <code>{}</code>").format(key, document[key])
        for key in ("path", "id", "published", "publisher", "author")
        if document.get(key)
    ]
    href = safe_url(document.get("url"))
    if href:
        meta.append(Markup('<a href="{}">{}</a>').format(href, href))
    if meta:
        out.append(Markup('<p class="prov-meta">{}</p>').format(Markup(" · ").join(meta)))
    out.append(_summary_html(quotations))
    text = document.get("text")
    if isinstance(text, str) and text:
        spans = [
            (q.get("start", 0), q.get("end", 0), _text(q.get("status")), f"#q{n}")
            for n, q in enumerate(quotations, 1)
            if isinstance(q.get("start"), int) and isinstance(q.get("end"), int)
        ]
        out.append(Markup("<h2>Article</h2>{}").format(Markup(highlight_quotations(text, spans))))
    out.append(Markup("<h2>Quotations</h2>"))
    if not quotations:
        out.append(Markup('<p class="prov-note">No quotation found in this article.</p>'))
    out.extend(_quotation_html(n, q) for n, q in enumerate(quotations, 1))
    out.append(Markup("<footer>Made by provenance. Offsets are character positions in the "
                      "text as read.</footer></body></html>\n"))
    return Markup("").join(out)
