"""The Art. 71 part of the report (the explanation: sentences, chart, factors, examples,
method) and the public algorithm notice as a page of its own."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from ..core.catalog import say
from ..core.charts import percent_ticks, text_of
from ..core.conclusion import Statement
from ..core.findings import Finding, Status
from ..core.html import FONT_STACK, FONT_STACK_LATIN, environment
from ..core.labels import ValueLabels
from ..core.messages import Message, fmt_pct
from ..core.metadata import meta_text
from ..core.scope import Scope
from ..core.svg import Canvas, Frame, bar_rows, text_width
from .checks import ARTICLE, EXPLAINED, NOTICE
from .public import NoticeParagraph
from .summary import TOP, ExplanationSummary
from .words import (
    EXAMPLE_TITLES,
    NOT_EXPLAINED_ACTION,
    conclusion_text,
    notice_text,
    reason_phrase,
)

__all__ = [
    "Results",
    "conclusion_statements",
    "explanation_chart",
    "explanation_section",
    "render_notice",
]


class Results(Protocol):
    """What the Art. 71 page part reads of an audit's result."""

    @property
    def explanation_summary(self) -> ExplanationSummary | None: ...
    @property
    def value_labels(self) -> ValueLabels: ...
    @property
    def scope(self) -> Scope: ...
    @property
    def findings(self) -> Sequence[Finding]: ...


def explanation_chart(result: Results, lang: str) -> str | None:
    """Share of the model's influence of the main factors, with intervals, coloured by
    direction (towards or against the favourable outcome), written as SVG directly."""
    summary = result.explanation_summary
    if summary is None or not summary.factors:
        return None
    factors = summary.factors[:10]
    shares = [float(f.share) for f in factors]
    colours = []
    for f in factors:
        sign = f.direction.get("sign", 0) if f.direction.get("kind") == "numeric" else 0
        colours.append("#1a7f37" if sign > 0 else "#b3261e" if sign < 0 else "#6e7781")
    labels = [text_of(f.label, lang).replace("\n", " / ") for f in factors]
    high = max(float(f.share_high) for f in factors)
    top = min(1.0, high * 1.25 + 0.02)
    title = text_of(say("explain.explanation_chart.share_model_s_influence"), lang)
    lines = title.split("\n")
    row, size = 24.0, 8.0
    left = max(text_width(t, size) for t in labels) + 10
    canvas = Canvas(
        left + 420 + 50, 8 + row * len(factors) + 5 + 1.2 * size + 1.2 * 9 * len(lines) + 8
    )
    frame = Frame(left, 8, 420, row * len(factors), 0.0, top, -0.6, len(factors) - 0.4)
    frame.row_labels(canvas, labels, size)
    bar_rows(
        canvas,
        frame,
        shares,
        colours,
        [fmt_pct(v) for v in shares],
        [(float(f.share_low), float(f.share_high)) for f in factors],
        size,
    )
    frame.axes(canvas)
    frame.x_ticks(canvas, percent_ticks(0.0, top), size)
    frame.x_label(canvas, lines)
    return canvas.svg("chart-explanation", title.replace("\n", " "))


def explanation_section(result: Results, lang: str) -> dict[str, Any] | None:
    summary = result.explanation_summary
    if summary is None:
        return None
    rows = [
        {
            "label": f.label,
            "share": fmt_pct(f.share),
            "ci": f"{fmt_pct(f.share_low)} 至 {fmt_pct(f.share_high)}",
            "ci_en": f"{fmt_pct(f.share_low)} to {fmt_pct(f.share_high)}",
            "direction": result.value_labels.localise(summary.direction(f), f.feature),
        }
        for f in summary.factors[:15]
    ]
    return {
        "sentences": _reviewed_sentences(summary, result.value_labels),
        "chart": explanation_chart(result, lang),
        "rows": rows,
        "more": max(0, len(summary.factors) - 15),
        "examples": [
            {
                "title": EXAMPLE_TITLES[e.favourable],
                "reasons": [reason_phrase(lbl, val, fav) for lbl, val, fav in e.reasons],
                "shared_by": e.shared_by,
            }
            for e in summary.examples
        ],
        "appendix": summary.appendix,
        "n_rows": f"{summary.n_rows:,}",
        "n_total": f"{summary.n_total:,}",
        "numeric_output": summary.numeric_output,
    }


def _reviewed_sentences(summary: ExplanationSummary, labels: ValueLabels) -> list[Message]:
    """The summary's sentences, each direction sentence on an input a person must review
    before publication (:attr:`ExplanationSummary.reviews`) marked NEEDS_REVIEW with why, as
    the public notice's paragraph on it is."""
    out = list(summary.sentences)
    # Sentence 0 names the main factors; sentence i + 1 gives the direction of factor i.
    for i, f in enumerate(summary.factors[: min(TOP, len(out) - 1)]):
        review = summary.reviews.get(f.feature)
        if review is not None:
            s = out[i + 1]
            why = review.reason(f.label, labels, numeric_output=summary.numeric_output)
            out[i + 1] = NoticeParagraph(s.zh, s.en, f.feature, Status.NEEDS_REVIEW, why)
    return out


def render_notice(
    metadata: Mapping[str, Any], sections: list[tuple[Message, list[Message]]], lang: str
) -> str:
    """The public algorithm notice as a standalone HTML page."""
    page = {
        "html_lang": {"zh": "zh-CN", "en": "en", "bilingual": "zh-CN"}[lang],
        "font_stack": FONT_STACK,
        "font_stack_latin": FONT_STACK_LATIN,
        "system_name": meta_text(metadata, "system_name", lang),
        "organisation": meta_text(metadata, "organisation", lang),
        "sections": sections,
    }
    return environment().get_template("notice.html.j2").render(page=page, lang=lang)


def conclusion_statements(result: Results) -> list[Statement]:
    """Page 1 on Art. 71: the inputs the model weighs most and the state of the public notice
    (a draft a person must approve), with what the organisation must do; [] when the result
    holds no Art. 71 finding."""
    mine = [f for f in result.findings if f.check in (EXPLAINED.id, NOTICE.id)]
    if not mine:
        return []
    keys = tuple(f"{f.check}@{f.ground or ''}" for f in mine)
    status = min((f.status for f in mine), key=lambda st: st.severity)
    summary = result.explanation_summary
    produced = next((f for f in mine if f.check == EXPLAINED.id), None)
    notice = next((f for f in mine if f.check == NOTICE.id), None)
    missing = list(notice.details.get("missing", [])) if notice is not None else []
    review = list(notice.details.get("review", [])) if notice is not None else []
    if summary is not None and summary.factors:
        flagged = [summary.label(str(r["feature"])) for r in review]
        text, action = conclusion_text([f.label for f in summary.factors[:3]], missing, flagged)
        return [Statement(ARTICLE, status, text, action, keys, "art-71")]
    out = []
    if produced is not None:
        todo = None if produced.status is Status.PASS else NOT_EXPLAINED_ACTION
        key = (f"{produced.check}@",)
        out.append(Statement(ARTICLE, produced.status, produced.message, todo, key, "art-71"))
    if notice is not None:
        text, action = notice_text(missing)
        key = (f"{notice.check}@",)
        out.append(Statement(ARTICLE, notice.status, text, action, key, "art-71"))
    return out
