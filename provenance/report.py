"""Output: the JSON contract of DESIGN.md and the report a person reads.

``trace_json`` is the one place a Trace becomes plain data; the database rows
and the human report are both made from it.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime
from typing import Any

from . import coverage
from .model import Alignment, Document, Quotation, Trace, TracedQuotation


def document_json(document: Document) -> dict[str, Any]:
    return {
        "path": document.path,
        "id": document.id,
        "title": document.title,
        "url": document.url,
        "publisher": document.publisher,
        "author": document.author,
        "published": document.published.isoformat() if document.published else None,
    }


def _source_json(alignment: Alignment | None) -> dict[str, Any] | None:
    if alignment is None:
        return None
    document = alignment.document
    return {
        "id": document.id,
        "title": document.title,
        "url": document.url,
        "publisher": document.publisher,
        "published": document.published.isoformat() if document.published else None,
        "start": alignment.start,
        "end": alignment.end,
        "text": alignment.text,
        "score": alignment.score,
    }


def _chain_json(alignment: Alignment) -> dict[str, Any]:
    document = alignment.document
    return {
        "id": document.id,
        "title": document.title,
        "publisher": document.publisher,
        "published": document.published.isoformat() if document.published else None,
        "score": alignment.score,
        "start": alignment.start,
        "end": alignment.end,
    }


def quotation_json(quotation: Quotation) -> dict[str, Any]:
    speaker = asdict(quotation.speaker) if quotation.speaker else None
    return {
        "start": quotation.start,
        "end": quotation.end,
        "text": quotation.text,
        "kind": quotation.kind,
        "status": "term" if quotation.term else None,
        "speaker": speaker,
    }


def traced_json(traced: TracedQuotation) -> dict[str, Any]:
    best = traced.closest
    return {
        **quotation_json(traced.quotation),
        "status": traced.status,
        "parent": traced.parent,
        "source": _source_json(traced.source),
        "closest": _source_json(traced.closest),
        "chain": [_chain_json(a) for a in traced.chain],
        "later": [_chain_json(a) for a in traced.later],
        "score": best.score if best else None,
        "alterations": [asdict(a) for a in best.alterations] if best else [],
        "source_alterations": [asdict(a) for a in traced.source.alterations]
        if traced.source and traced.source is not best else [],
        "notes": list(traced.notes),
    }


def trace_json(trace: Trace) -> dict[str, Any]:
    covered = [coverage.coverage_json(c) for c in coverage.of_trace(trace)]
    by_id = {c["id"]: c for c in covered}
    quotations = [traced_json(q) for q in trace.quotations]
    for quotation in quotations:
        for role in ("source", "closest"):
            if quotation.get(role) and quotation[role]["id"] in by_id:
                quotation[role]["coverage"] = by_id[quotation[role]["id"]]
    document = document_json(trace.document)
    document["near_duplicates"] = [
        {"id": found.id, "title": found.title, "publisher": found.publisher,
         "published": found.published.isoformat() if found.published else None,
         "similarity": round(similarity, 3)}
        for found, similarity in trace.near_duplicates
    ]
    return {
        "document": document,
        "quotations": quotations,
        "notes": list(trace.notes),
        "coverage": covered,
    }


def quotes_json(document: Document, found: list[Quotation]) -> dict[str, Any]:
    return {
        "document": document_json(document),
        "quotations": [
            {**quotation_json(q), "status": "term" if q.term else "quoted"} for q in found
        ],
    }


# -- the human report -------------------------------------------------------

Style = Callable[..., str]


def plain(text: str, **_: Any) -> str:
    return text


def _describe(source: dict[str, Any]) -> str:
    parts = [source.get("title") or source["id"], source.get("publisher"), source.get("published")]
    return " — ".join(str(p) for p in parts if p)


def _short(text: str, width: int = 300) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def render_text(result: dict[str, Any], *, style: Style = plain) -> str:
    """A terminal report for one traced article (``style`` is click.style on a TTY)."""
    document = result["document"]
    lines = [style(f"{document.get('title') or document['path']}", bold=True)]
    lines.append(f"  {document.get('publisher') or 'unknown publisher'}, "
                 f"{document.get('published') or 'undated'}  ({document['path'] or document['id']})")
    lines.extend(f"  note: {note}" for note in result.get("notes", []))
    lines.extend(
        f"  {_copy_relation(document, found)} {_describe(found)} "
        f"(MinHash similarity {found['similarity']:.2f})"
        for found in document.get("near_duplicates", [])
    )
    quotations = result["quotations"]
    counts = {s: sum(1 for q in quotations if q["status"] == s) for s in ("traced", "unsourced", "term")}
    lines.append(f"  {len(quotations)} quotations: {counts['traced']} traced, "
                 f"{counts['unsourced']} unsourced, {counts['term']} terms (scare quotes, titles)")
    for number, quotation in enumerate(quotations, 1):
        lines.append("")
        lines.extend(_render_quotation(number, quotation, style))
    if result.get("coverage"):
        lines.append("")
        lines.extend(_render_coverage(result, style))
    return "\n".join(lines)


def _render_coverage(result: dict[str, Any], style: Style) -> list[str]:
    """Selective quoting: the share of each source quoted and the paragraphs left out."""
    titles = {
        source["id"]: _describe(source)
        for quotation in result["quotations"] for role in ("source", "closest")
        if (source := quotation.get(role))
    }
    lines = [style("Selective quoting", bold=True)]
    for covered in result["coverage"]:
        partly = f", {len(covered['partly_quoted'])} in part" if covered["partly_quoted"] else ""
        lines.append(f"  {titles.get(covered['id'], covered['id'])}")
        lines.append(f"    quoted {covered['quoted_words']} of {covered['words']} words "
                     f"({100 * covered['share']:.0f}%); paragraphs quoted: "
                     f"{len(covered['quoted_paragraphs'])} of {covered['paragraphs']}{partly}")
        if covered["left_out"]:
            lines.append(f"    left out {len(covered['left_out'])} paragraph(s):")
            lines.extend(f"      ¶{p['number']} {_short(p['preview'], 90)}" for p in covered["left_out"])
    return lines


def _copy_relation(document: dict[str, Any], duplicate: dict[str, Any]) -> str:
    """A near-duplicate published later is a copy of the article, not its original."""
    if document.get("published") and duplicate.get("published"):
        if datetime.fromisoformat(duplicate["published"]) > datetime.fromisoformat(document["published"]):
            return "nearly the same text later in"
    return "near-duplicate of"


STATUS_COLOURS = {"traced": "green", "unsourced": "yellow", "term": "blue"}
SEVERITY_COLOURS = {"cosmetic": "bright_black", "minor": "yellow", "major": "red"}


def _render_quotation(number: int, quotation: dict[str, Any], style: Style) -> list[str]:
    status = style(quotation["status"].upper(), fg=STATUS_COLOURS[quotation["status"]], bold=True)
    inside = f", inside #{quotation['parent'] + 1}" if quotation.get("parent") is not None else ""
    head = f"#{number} {status} {quotation['kind']} [{quotation['start']}:{quotation['end']}]{inside}"
    lines = [head, textwrap.indent(textwrap.fill(f"“{_short(quotation['text'])}”", 96), "    ")]
    speaker = quotation.get("speaker")
    if speaker:
        name = speaker.get("name") or speaker["text"]
        lines.append(f"    speaker: {name}" + (f" (“{speaker['text']}”)" if name != speaker["text"] else ""))
    if quotation["status"] != "traced":
        lines.extend(f"    {note}" for note in quotation.get("notes", []))
        return lines
    source, closest = quotation["source"], quotation["closest"]
    lines.append(f"    earliest: {_describe(source)}  (score {source['score']})")
    if closest["id"] != source["id"]:
        lines.append(f"    closest:  {_describe(closest)}  (score {closest['score']})")
    if len(quotation["chain"]) > 1:
        lines.append("    chain:    " + " → ".join(
            f"{c['publisher'] or c['id']} {(c['published'] or 'undated')[:10]}" for c in quotation["chain"]))
    if quotation.get("later"):
        lines.append(f"    also in {len(quotation['later'])} later document(s), not counted as origins")
    lines.extend(f"    note: {note}" for note in quotation.get("notes", []))
    lines.extend(_render_changes(quotation["alterations"], closest, style))
    if source["id"] != closest["id"]:
        lines.extend(_render_changes(quotation.get("source_alterations", []), source, style,
                                     closest=closest))
    return lines


def _render_changes(alterations: list[dict[str, Any]], against: dict[str, Any], style: Style,
                    *, closest: dict[str, Any] | None = None) -> list[str]:
    changes = [a for a in alterations if a["kind"] != "cosmetic"]
    cosmetic = len(alterations) - len(changes)
    name = against["publisher"] or against["id"]
    if not changes:
        return [f"    changes against {name}: none" + (f" ({cosmetic} cosmetic)" if cosmetic else "")]
    head = f"    changes against {name}" + (f" (+{cosmetic} cosmetic)" if cosmetic else "") + ":"
    return [head] + [_render_alteration(a, style) + _hop(a, closest) for a in changes]


def _hop(alteration: dict[str, Any], closest: dict[str, Any] | None) -> str:
    """Which hop of the chain made a change against the earliest source."""
    hop = alteration.get("introduced_by")
    if not hop or closest is None:
        return ""
    if hop == "article":
        return "  [made by the article]"
    name = closest["publisher"] or hop if hop == closest["id"] else hop
    return f"  [already in {name}]"


def _render_alteration(alteration: dict[str, Any], style: Style) -> str:
    severity = style(alteration["severity"], fg=SEVERITY_COLOURS[alteration["severity"]])
    deleted = style(f"[-{_short(alteration['original'], 160)}-]", fg="red") if alteration["original"] else ""
    inserted = style(f"{{+{_short(alteration['quoted'], 160)}+}}", fg="green") if alteration["quoted"] else ""
    note = f"  ({alteration['note']})" if alteration.get("note") else ""
    return f"      {alteration['kind']:<14} {severity:<8} {deleted} {inserted}{note}".rstrip()
