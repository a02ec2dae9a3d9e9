"""Page structure and charts of the pricing audit (Art. 72(2)(v)), before any HTML, and its
sentences for page 1 (:func:`conclusion_statements`)."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Any, Protocol

import numpy as np

from ..core.catalog import say
from ..core.charts import percent_ticks, text_of
from ..core.conclusion import Statement
from ..core.findings import Finding
from ..core.grounds import ground_label
from ..core.labels import ValueLabels
from ..core.messages import Message, fmt_level, fmt_pct
from ..core.policy import Policy
from ..core.scope import Scope
from ..core.stats import z_value
from ..core.svg import BAR, INK, REFERENCE, Canvas, Frame, marker, text_width
from . import conclusion as pc
from . import words as pw
from .analysis import PricingAnalysis
from .checks import (
    ARTICLE,
    ATTRIBUTION,
    CONDITIONAL,
    COUNTERFACTUAL,
    LOYALTY,
    NO_PROFILE,
    RAW,
    TREND,
)
from .counterfactual import CounterfactualPrices
from .gaps import CHANGE_EDGES, PriceGaps

__all__ = [
    "Results",
    "conclusion_statements",
    "gap_chart",
    "gap_table",
    "ground_blocks",
    "pricing_section",
]


class Results(Protocol):
    """What the Art. 72(2)(v) page part reads of an audit's result
    (:class:`szai_audit.AuditResult` has all of it; ``value_labels``, when it has them, are
    read with ``getattr``)."""

    @property
    def findings(self) -> list[Finding]: ...
    @property
    def value_labels(self) -> ValueLabels: ...
    @property
    def policy(self) -> Policy: ...
    @property
    def scope(self) -> Scope: ...
    @property
    def pricing(self) -> PricingAnalysis | None: ...
    @property
    def metadata(self) -> Mapping[str, Any]: ...


GAP_COLOURS = {"raw": "#8c959f", "stratified": "#3b6ea8", "regression": "#d4860b"}

_DASH = Message("—", "—")


def conclusion_statements(result: Results) -> list[Statement]:
    """The Art. 72(2)(v) sentences of page 1, most serious first: what the model uses apart
    from what only goes with the price, an action for each FAIL and WARN, one sentence for
    what passes (:func:`szai_audit.pricing.conclusion.statements`); none without a pricing
    audit."""
    return pc.statements(result)


def _values(result: Results) -> ValueLabels:
    """The result's value labels (none before they are given)."""
    return result.value_labels


def _group_label(values: ValueLabels, g: PriceGaps, group: str) -> Message:
    """A group of a dimension by its display name."""
    if g.kind == "ground":
        return values.group(g.dimension, group)
    return values.value(g.dimension, group)


def _cell(text: Message, ci: Message | None = None) -> dict[str, Any]:
    return {"text": text, "ci": ci}


def _signed_money(x: float, currency: str) -> Message:
    """``多 3.16 元`` / ``CNY 3.16 more``."""
    size = pw.money_size(x, currency)
    if abs(x) < 0.005:
        return size
    if x > 0:
        return say("pricing.signed_money.more", size=size)
    return say("pricing.signed_money.less", size=size)


def _gap_cells(g: PriceGaps, r: Any, reference: bool, currency: str) -> list[dict[str, Any]]:
    """The cells of one group's row after its mean and median price."""
    raw = float(r["mean_ratio"]) - 1
    if reference:
        cells = [_cell(say("pricing.gap_cells.reference"))]
    else:
        lo, hi = float(r["mean_ratio_low"]) - 1, float(r["mean_ratio_high"]) - 1
        cells = [_cell(pw.relative(raw), pw.interval(lo, hi, raw))]
    deciding = raw
    if g.factors:
        for m in ("stratified", "regression"):
            v = float(r[m])
            if reference or not math.isfinite(v):
                cells.append(_cell(_DASH))
                continue
            ci = pw.interval(float(r[f"{m}_low"]), float(r[f"{m}_high"]), v)
            cells.append(_cell(pw.relative(v), ci))
        strat = float(r["stratified"])
        deciding = strat if math.isfinite(strat) else float(r["regression"])
    ok = math.isfinite(deciding) and deciding > -1
    amount = float(r["mean"]) * deciding / (1 + deciding) if ok else math.nan
    shown = not reference and math.isfinite(amount)
    cells.append(_cell(_signed_money(amount, currency) if shown else _DASH))
    if g.factors:
        cov = fmt_pct(float(r["coverage"]))
        cells.append(_cell(_DASH if reference else Message(cov, cov)))
    return cells


def gap_table(
    g: PriceGaps, min_size: int, currency: str = "CNY", values: ValueLabels | None = None
) -> dict[str, Any] | None:
    """Rows of the price table of one dimension (groups below ``min_size`` withheld), the
    groups by their ``values`` labels; None when no group but the reference has numbers."""
    values = values or ValueLabels()
    rows, shown = [], 0
    for (group, r), ok in zip(g.table.iterrows(), g.shown(min_size), strict=True):
        n = int(r["count"])
        reference = str(group) == g.reference
        row = {
            "group": _group_label(values, g, str(group)),
            "count": pw.count(n),
            "reference": reference,
        }
        if not ok:
            rows.append(row | {"withheld": True})
            continue
        shown += not reference
        prices = [
            _cell(pw.money(float(r["mean"]), currency)),
            _cell(pw.money(float(r["median"]), currency)),
        ]
        cells = prices + _gap_cells(g, r, reference, currency)
        rows.append(row | {"withheld": False, "cells": cells})
    if not shown:
        return None
    columns = [
        say("pricing.gap_table.mean_price"),
        say("pricing.gap_table.median_price"),
        say("pricing.gap_table.against_reference_unadjusted"),
    ]
    if g.factors:
        columns += [
            say("pricing.gap_table.against_reference_stratified"),
            say("pricing.gap_table.against_reference_regression_adjusted"),
        ]
    columns.append(say("pricing.gap_table.difference_per_order"))
    if g.factors:
        columns.append(say("pricing.gap_table.comparable_orders"))
    return {"columns": columns, "rows": rows, "width": len(columns)}


def _series(t: Any, groups: list[str], key: str) -> tuple[Any, Any, Any]:
    """The values and interval bounds of one series of the gap chart."""
    if key == "raw":
        cols, shift = ("mean_ratio", "mean_ratio_low", "mean_ratio_high"), -1.0
    else:
        cols, shift = (key, f"{key}_low", f"{key}_high"), 0.0
    v, lo, hi = (t.loc[groups, c].to_numpy(float) + shift for c in cols)
    return v, lo, hi


_SERIES_NAMES = {
    "raw": say("pricing.series_names.raw"),
    "stratified": say("pricing.series_names.stratified"),
    "regression": say("pricing.series_names.regression"),
}


def gap_chart(
    g: PriceGaps,
    chart_id: str,
    min_size: int,
    tolerance: float,
    lang: str,
    values: ValueLabels | None = None,
) -> str | None:
    """Each group's price gap against the reference: raw (mean ratio) and, given the
    legitimate factors, stratified and regression-adjusted, with intervals, on an axis of
    round percentages; None when there is nothing to draw."""
    values = values or ValueLabels()
    t = g.table
    shown = g.shown(min_size)
    groups = [str(k) for k in t.index if str(k) != g.reference and shown[k]]
    if not groups or not shown[g.reference] or len(groups) > 30:
        return None
    keys = ["raw", "stratified", "regression"] if g.factors else ["raw"]
    drawn = {k: _series(t, groups, k) for k in keys}
    if not any(np.isfinite(v).any() for v, _, _ in drawn.values()):
        return None
    spread = [tolerance]
    for v, lo, hi in drawn.values():
        ok = np.isfinite(v)
        spread += [abs(float(x)) for x in (*v[ok], *lo[ok], *hi[ok]) if math.isfinite(x)]
    span = max(spread) * 1.15
    labels = [text_of(_group_label(values, g, k), lang).replace("\n", " / ") for k in groups]
    ref = _group_label(values, g, g.reference)
    axis = say("pricing.gap_chart.price_gap_against_reference", ref=ref)
    lines = text_of(axis, lang).split("\n")
    names = [text_of(_SERIES_NAMES[k], lang).replace("\n", " / ") for k in keys]
    size, row = 8.0, 40.0
    left = max(text_width(t, size) for t in labels) + 10
    width = 440.0
    legend_top = 8 + row * len(groups) + 5 + 1.2 * size + 1.2 * 9 * len(lines) + 8
    canvas = Canvas(left + width + 20, legend_top + 1.6 * 7 * len(keys) + 6)
    frame = Frame(left, 8, width, row * len(groups), -span, span, -0.6, len(groups) - 0.4)
    canvas.line(frame.x(0), frame.top, frame.x(0), frame.bottom, INK, 0.8)
    for edge in (-tolerance, tolerance):
        canvas.line(frame.x(edge), frame.top, frame.x(edge), frame.bottom, REFERENCE, 0.8, "4 2")
    frame.row_labels(canvas, labels, size)
    for i in range(len(labels)):
        y = len(groups) - 1 - i
        canvas.line(frame.left - 3.5, frame.y(y), frame.left, frame.y(y))
        for j, (key, (v, lo, hi)) in enumerate(drawn.items()):
            if not np.isfinite(v[i]):
                continue
            mid = frame.y(y - (j - (len(keys) - 1) / 2) * 0.22)
            colour = GAP_COLOURS[key]
            if np.isfinite(lo[i]) and np.isfinite(hi[i]):
                low, high = min(lo[i], v[i]), max(hi[i], v[i])
                canvas.line(frame.x(low), mid, frame.x(high), mid, colour, 1.0)
                for end in (low, high):
                    canvas.line(frame.x(end), mid - 2, frame.x(end), mid + 2, colour, 1.0)
            marker(canvas, frame.x(v[i]), mid, colour, square=key == "raw")
    frame.axes(canvas)
    frame.x_ticks(canvas, percent_ticks(-span, span, signed=True), size)
    frame.x_label(canvas, lines)
    at = legend_top
    for key, name in zip(keys, names, strict=True):  # the legend, below, one series a line
        marker(canvas, left + 4, at, GAP_COLOURS[key], square=key == "raw")
        canvas.text(left + 12, at, name, size=7)
        at += 1.6 * 7
    return canvas.svg(chart_id, " / ".join([lines[-1], *names]))


def change_chart(result: Results, lang: str) -> str | None:
    """Distribution of the counterfactual price changes, one panel per swap."""

    p = result.pricing
    if p is None or p.counterfactual is None or not p.counterfactual.histogram:
        return None
    cf = p.counterfactual
    if not any(sum(c) for c in cf.histogram.values()):
        return None
    swaps = list(cf.histogram)
    lo_edge, hi_edge = float(CHANGE_EDGES[0]), float(CHANGE_EDGES[-1])
    middle = int(np.argmin(np.abs((CHANGE_EDGES[:-1] + CHANGE_EDGES[1:]) / 2)))  # ~unchanged
    top = 0.0
    for swap in swaps:
        counts = np.asarray(cf.histogram[swap], dtype=float)
        others = np.delete(counts, middle) / max(counts.sum(), 1)
        top = max(top, float(others.max()) if others.size else 0.0)
    top = max(top * 1.25, 0.05)
    x_ticks = percent_ticks(lo_edge, hi_edge, signed=True)
    y_ticks = percent_ticks(0.0, top, 4)
    size, ncols = 7.0, 2
    nrows = -(-len(swaps) // ncols)
    titles = []
    for swap in swaps:
        counts = np.asarray(cf.histogram[swap], dtype=float)
        kind, kept = pw.KIND_LABELS[swap], fmt_pct(counts[middle] / max(counts.sum(), 1))
        title = say("pricing.change_chart.about_unchanged", kind=kind, kept=kept)
        titles.append(text_of(title, lang).split("\n"))
    title_room = 1.2 * 8 * max(len(t) for t in titles) + 4
    y_title = text_of(say("pricing.change_chart.order_customer_pairs"), lang).split("\n")
    x_title = text_of(say("pricing.change_chart.price_change"), lang).split("\n")
    left = 10 + 1.2 * 8 * len(y_title) + text_width("100%", size) + 8
    panel_w, panel_h, gap_x = 230.0, 100.0, 30.0
    cell_h = title_room + panel_h + 5 + 1.2 * size + 10
    canvas = Canvas(
        left + ncols * (panel_w + gap_x), 6 + nrows * cell_h + 1.2 * 8 * len(x_title) + 6
    )
    for n, swap in enumerate(swaps):
        r, c = divmod(n, ncols)
        frame = Frame(
            left + c * (panel_w + gap_x), 6 + r * cell_h + title_room, panel_w, panel_h,
            lo_edge, hi_edge, 0.0, top,
        )  # fmt: skip
        counts = np.asarray(cf.histogram[swap], dtype=float)
        share = counts / max(counts.sum(), 1)
        width = (frame.x(float(CHANGE_EDGES[1])) - frame.x(float(CHANGE_EDGES[0]))) * 0.9
        for b, value in enumerate(share):
            centre = frame.x(float(CHANGE_EDGES[b] + CHANGE_EDGES[b + 1]) / 2)
            height = frame.bottom - frame.y(min(float(value), top))
            colour = "#c9ced4" if b == middle else BAR
            canvas.rect(centre - width / 2, frame.bottom - height, width, height, colour)
        for edge in (-cf.tolerance, cf.tolerance):
            canvas.line(
                frame.x(edge), frame.top, frame.x(edge), frame.bottom, REFERENCE, 0.8, "4 2"
            )
        for k, line in enumerate(titles[n]):
            y = frame.top - title_room + 4 + 1.2 * 8 * (k + 0.5)
            canvas.text(frame.left + panel_w / 2, y, line, size=8, anchor="middle")
        frame.axes(canvas)
        frame.x_ticks(canvas, x_ticks, size)
        frame.y_ticks(canvas, y_ticks, size)
    x = 10.0
    for line in y_title:  # read upwards, along the whole grid
        canvas.text(x, 6 + nrows * cell_h / 2, line, size=8, anchor="middle", rotate=True)
        x += 1.2 * 8
    y = 6 + nrows * cell_h + 0.6 * 8
    for line in x_title:
        canvas.text(left + ncols * (panel_w + gap_x) / 2, y, line, size=8, anchor="middle")
        y += 1.2 * 8
    return canvas.svg("chart-price-changes", " / ".join([x_title[-1], *(t[-1] for t in titles)]))


def dimension_block(
    result: Results, name: str, g: PriceGaps, chart_id: str, lang: str
) -> dict[str, Any]:
    policy = result.policy
    article = "72(4)" if g.kind == "ground" else ARTICLE
    p = result.pricing
    assert p is not None
    label = pw.dimension_label(name, g.kind, p.labels)
    values = _values(result)
    notes = []
    if name in p.binning:
        notes.append(
            say(
                "pricing.dimension_block.numbers_grouped_by_quantiles",
                value=Message("、".join(p.binning[name]), ", ".join(p.binning[name])),
            )
        )
    return {
        "key": name,
        "label": label if g.kind != "ground" else ground_label(name),
        "notes": notes,
        "findings": [
            f
            for f in result.findings
            if f.ground == name
            and f.article == article
            and f.check in (RAW.id, CONDITIONAL.id, TREND.id)
        ],
        "table": gap_table(g, policy.min_group_size, p.currency, values),
        "chart": gap_chart(g, chart_id, policy.min_group_size, policy.price_gap_max, lang, values),
        "reference": _group_label(values, g, g.reference),
        "factors": pw.quoted(g.factors, p.labels).zh,
        "factors_en": pw.quoted(g.factors, p.labels).en,
        "strata": pw.count(g.n_strata),
        "currency": pw.currency_unit(p.currency),
    }


def pricing_section(result: Results, lang: str) -> dict[str, Any] | None:
    """Section "Art. 72(2)(v): price discrimination"."""
    p = result.pricing
    if p is None:
        return None
    dims = [
        dimension_block(result, name, g, f"chart-price-{i}", lang)
        for i, (name, g) in enumerate(p.gaps.items(), start=1)
        if g.kind != "ground"
    ]
    cf = p.counterfactual
    level = result.policy.confidence_level
    z = z_value(level)
    swaps = [] if cf is None else _swap_rows(cf, p, z)
    values = _values(result)
    effects = [] if cf is None else _effect_rows(cf, p, result.policy.min_group_size, values)
    return {
        "dims": dims,
        "counterfactual": {
            "findings": [
                _labelled(f, values) for f in result.findings if f.check == COUNTERFACTUAL.id
            ],
            "chart": change_chart(result, lang),
            "swaps": swaps,
            "effects": effects,
            "tolerance": fmt_pct(result.policy.price_change_tolerance),
            "orders": pw.count(0 if cf is None else int(cf.summary["orders"].iloc[0])),
            "donors": pw.count(0 if cf is None else int(cf.summary["donors"].iloc[0])),
            "level": fmt_level(level),
        },
        "loyalty": [f for f in result.findings if f.check == LOYALTY.id],
        "not_provided": [f for f in result.findings if f.check == NO_PROFILE.id],
        "attribution": [f for f in result.findings if f.check == ATTRIBUTION.id],
        "method": pw.method_paragraphs(
            factors=p.legitimate_factors,
            n_boot=result.policy.n_bootstrap,
            level=level,
            price_gap_max=result.policy.price_gap_max,
            tolerance=result.policy.price_change_tolerance,
            share_max=result.policy.counterfactual_share_max,
            orders=result.policy.counterfactual_orders,
            donors=result.policy.counterfactual_donors,
            labels=p.labels,
        ),
        "profile": [
            (pw.KIND_LABELS[k], pw.quoted(cols, p.labels)) for k, cols in p.profile.items()
        ],
        "factors": pw.quoted(p.legitimate_factors, p.labels, ("（未提供）", "(none given)")),
        "currency": pw.currency_unit(p.currency),
        "orders": pw.count(p.n_orders),
        "mean_price": pw.money(p.mean_price, p.currency),
    }


def _swap_rows(cf: CounterfactualPrices, p: PricingAnalysis, z: float) -> list[dict[str, Any]]:
    """Display rows of the counterfactual summary, one per swap."""
    swaps = []
    for swap, r in cf.summary.iterrows():
        se = float(r["share_changed_se"])
        share = float(r["share_changed"])
        lo, hi = fmt_pct(max(0.0, share - z * se)), fmt_pct(min(1.0, share + z * se))
        swaps.append(
            {
                "label": pw.KIND_LABELS[str(swap)],
                "columns": pw.quoted(cf.columns[str(swap)], p.labels),
                "share": fmt_pct(share),
                "ci": None
                if not math.isfinite(se)
                else say("pricing.swap_rows.text", lo=lo, hi=hi),
                "mean_abs": fmt_pct(float(r["mean_abs_change"])),
                "p95": fmt_pct(float(r["p95_abs_change"])),
                "max": fmt_pct(float(r["max_abs_change"])),
                "amount": pw.money(float(r["mean_change_amount"]), p.currency),
            }
        )
    return swaps


def _effect_rows(
    cf: CounterfactualPrices, p: PricingAnalysis, min_group_size: int, values: ValueLabels
) -> list[dict[str, Any]]:
    """Display rows of the effects by donor group (large enough groups, reference left out)."""
    effects = []
    for e in cf.effects.to_dict(orient="records"):
        if e["n"] < min_group_size or e["group"] == e["reference"]:
            continue
        effects.append(
            {
                "swap": pw.KIND_LABELS[e["swap"]],
                "column": pw.quoted([e["column"]], p.labels),
                "group": _column_value(p, values, e["column"], e["group"]),
                "reference": _column_value(p, values, e["column"], e["reference"]),
                "effect": pw.relative(float(e["effect"])),
                "ci": pw.interval(float(e["low"]), float(e["high"]), float(e["effect"])),
                "n": pw.count(e["n"]),
            }
        )
    return effects


def _column_value(p: PricingAnalysis, values: ValueLabels, column: str, raw: object) -> Message:
    """A group of a profile column by its label (a binned number's group with its unit)."""
    if column in p.binning:
        return pw.with_unit(str(raw), pw.unit_of(column, p.labels))
    return values.value(column, raw)


def _labelled(f: Finding, values: ValueLabels) -> Finding:
    """A counterfactual finding with the group of its strongest column by its label."""
    top = f.details.get("strongest")
    if not isinstance(top, Mapping) or not values.by_column:
        return f
    return dataclasses.replace(f, message=values.localise(f.message, str(top["column"])))


def ground_blocks(result: Results, lang: str) -> dict[str, dict[str, Any]]:
    """Price blocks of the Art. 72(2)(iv) grounds, by ground."""
    p = result.pricing
    if p is None:
        return {}
    grounds = [(name, g) for name, g in p.gaps.items() if g.kind == "ground"]
    return {
        name: dimension_block(result, name, g, f"chart-ground-{i}", lang)
        for i, (name, g) in enumerate(grounds, start=1)
    }
