"""Page structure and charts of the pricing audit (Article 72(5)), before any HTML."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Protocol

import numpy as np

from ..core.charts import chart_style, despine, figure_to_svg, plain_text, text_of
from ..core.findings import Finding
from ..core.grounds import ground_label
from ..core.messages import Message, fmt_amount, fmt_level, fmt_pct
from ..core.policy import Policy
from ..core.scope import Scope
from ..core.stats import z_value
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

__all__ = ["Results", "ground_blocks", "pricing_section"]


class Results(Protocol):
    """What the Article 72(5) page part reads of an audit's result
    (:class:`szai_audit.AuditResult` has all of it)."""

    @property
    def findings(self) -> list[Finding]: ...
    @property
    def policy(self) -> Policy: ...
    @property
    def scope(self) -> Scope: ...
    @property
    def pricing(self) -> PricingAnalysis | None: ...
    @property
    def metadata(self) -> Mapping[str, str]: ...


GAP_COLOURS = {"raw": "#8c959f", "stratified": "#3b6ea8", "regression": "#d4860b"}


def _pct_ci(lo: float, hi: float) -> str:
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return ""
    return f"{pw.signed_pct(lo)} – {pw.signed_pct(hi)}"


def _ratio_ci(lo: float, hi: float) -> str:
    return f"{lo:.3f}–{hi:.3f}" if math.isfinite(lo) and math.isfinite(hi) else ""


def gap_table(g: PriceGaps, min_size: int) -> dict[str, Any]:
    """Rows of the price table of one dimension; groups below ``min_size`` withheld."""
    rows = []
    for group, r in g.table.iterrows():
        count = int(r["count"])
        reference = str(group) == g.reference
        if count < min_size:
            rows.append(
                {"group": str(group), "count": count, "reference": reference, "withheld": True}
            )
            continue
        cells = [
            {"text": fmt_amount(float(r["mean"])), "ci": ""},
            {"text": fmt_amount(float(r["median"])), "ci": ""},
            {
                "text": f"{float(r['mean_ratio']):.3f}",
                "ci": "" if reference else _ratio_ci(r["mean_ratio_low"], r["mean_ratio_high"]),
            },
            {
                "text": f"{float(r['median_ratio']):.3f}",
                "ci": "" if reference else _ratio_ci(r["median_ratio_low"], r["median_ratio_high"]),
            },
        ]
        if g.factors:
            for m in ("stratified", "regression"):
                v = float(r[m])
                cells.append(
                    {
                        "text": "—" if reference or not math.isfinite(v) else pw.signed_pct(v),
                        "ci": "" if reference else _pct_ci(r[f"{m}_low"], r[f"{m}_high"]),
                    }
                )
            cov = float(r["coverage"])
            cells.append({"text": "—" if reference else fmt_pct(cov), "ci": ""})
        rows.append(
            {
                "group": str(group),
                "count": count,
                "reference": reference,
                "withheld": False,
                "cells": cells,
            }
        )
    columns = [
        Message("平均价格", "Mean price"),
        Message("中位数", "Median"),
        Message("平均价之比", "Mean ratio"),
        Message("中位数之比", "Median ratio"),
    ]
    if g.factors:
        columns += [
            Message("分层法价差", "Stratified gap"),
            Message("回归调整价差", "Regression gap"),
            Message("分层覆盖率", "Coverage"),
        ]
    return {"columns": columns, "rows": rows, "width": len(columns)}


def gap_chart(
    g: PriceGaps, chart_id: str, min_size: int, tolerance: float, lang: str
) -> str | None:
    """Each group's price gap against the reference: raw (mean ratio) and, given the
    legitimate factors, stratified and regression-adjusted, with intervals."""

    t = g.table
    groups = [
        str(k) for k in t.index if str(k) != g.reference and int(t.loc[k, "count"]) >= min_size
    ]
    if not groups or int(t.loc[g.reference, "count"]) < min_size or len(groups) > 30:
        return None
    from matplotlib.figure import Figure

    series = [("raw", "mean_ratio", -1.0)]
    if g.factors:
        series += [("stratified", "stratified", 0.0), ("regression", "regression", 0.0)]
    names = {
        "raw": Message("未调整（平均价之比）", "unadjusted (mean ratio)"),
        "stratified": Message("控制正当因素：分层法", "given the factors: stratified"),
        "regression": Message("控制正当因素：回归调整", "given the factors: regression"),
    }
    y = np.arange(len(groups))[::-1].astype(float)
    step = 0.22
    values = []
    with chart_style():
        fig = Figure(figsize=(7.0, 0.55 * len(groups) + 1.6), layout="constrained")
        ax = fig.subplots()
        for i, (key, col, shift) in enumerate(series):
            offset = (i - (len(series) - 1) / 2) * step
            if key == "raw":
                v = t.loc[groups, col].to_numpy(float) + shift
                lo = t.loc[groups, "mean_ratio_low"].to_numpy(float) + shift
                hi = t.loc[groups, "mean_ratio_high"].to_numpy(float) + shift
            else:
                v = t.loc[groups, col].to_numpy(float)
                lo = t.loc[groups, f"{col}_low"].to_numpy(float)
                hi = t.loc[groups, f"{col}_high"].to_numpy(float)
            ok = np.isfinite(v)
            values += list(v[ok]) + list(lo[ok]) + list(hi[ok])
            ax.errorbar(
                v[ok],
                (y - offset)[ok],
                xerr=np.clip(np.vstack([v - lo, hi - v])[:, ok], 0, None),
                fmt="o" if key != "raw" else "s",
                color=GAP_COLOURS[key],
                ecolor=GAP_COLOURS[key],
                elinewidth=1,
                capsize=2,
                markersize=5,
                label=plain_text(text_of(names[key], lang)),
            )
        ax.axvline(0, color="#222", linewidth=0.8)
        for s in (-tolerance, tolerance):
            ax.axvline(s, color="#b3261e", linewidth=0.8, linestyle="--")
        span = max([abs(x) for x in values] + [tolerance]) * 1.15
        ax.set_xlim(-span, span)
        ax.set_yticks(y, [plain_text(gr) for gr in groups])
        ax.xaxis.set_major_formatter(lambda x, _pos: f"{100 * x:+.0f}%")
        ax.set_xlabel(
            text_of(
                Message(
                    f"相对参照组“{g.reference}”的价差",
                    f"Price gap against the reference group “{g.reference}”",
                ),
                lang,
            )
        )
        fig.legend(loc="outside lower center", ncols=len(series), fontsize=7, frameon=False)
        despine(ax)
        return figure_to_svg(fig, chart_id)


def change_chart(result: Results, lang: str) -> str | None:
    """Distribution of the counterfactual price changes, one panel per swap."""

    p = result.pricing
    if p is None or p.counterfactual is None:
        return None
    cf = p.counterfactual
    from matplotlib.figure import Figure

    swaps = list(cf.histogram)
    centres = (CHANGE_EDGES[:-1] + CHANGE_EDGES[1:]) / 2
    width = CHANGE_EDGES[1] - CHANGE_EDGES[0]
    with chart_style(8):
        ncols = 2
        nrows = -(-len(swaps) // ncols)
        fig = Figure(figsize=(7.5, 1.9 * nrows + 0.6), layout="constrained")
        grid = fig.subplots(nrows, ncols, sharey=True, sharex=True, squeeze=False)
        axes = list(grid.ravel())
        for extra in axes[len(swaps) :]:
            extra.set_visible(False)
        middle = int(np.argmin(np.abs(centres)))  # the bin of (almost) unchanged prices
        top = 0.0
        for swap in swaps:
            counts = np.asarray(cf.histogram[swap], dtype=float)
            others = np.delete(counts, middle) / max(counts.sum(), 1)
            top = max(top, float(others.max()) if others.size else 0.0)
        top = max(top * 1.25, 0.05)
        for ax, swap in zip(axes, swaps, strict=False):
            counts = np.asarray(cf.histogram[swap], dtype=float)
            share = counts / max(counts.sum(), 1)
            colours = ["#3b6ea8"] * len(share)
            colours[middle] = "#c9ced4"
            ax.bar(centres, np.minimum(share, top), width=width * 0.9, color=colours)
            kind = pw.KIND_LABELS[swap]
            title = Message(
                f"{kind.zh}（几乎不变：{fmt_pct(share[middle])}）",
                f"{kind.en} (about unchanged: {fmt_pct(share[middle])})",
            )
            ax.set_ylim(0, top)
            for s in (-cf.tolerance, cf.tolerance):
                ax.axvline(s, color="#b3261e", linewidth=0.8, linestyle="--")
            ax.set_title(text_of(title, lang), fontsize=8)
            ax.xaxis.set_major_formatter(lambda x, _pos: f"{100 * x:+.0f}%")
            ax.set_xlim(CHANGE_EDGES[0], CHANGE_EDGES[-1])
            despine(ax)
        for row in grid:
            row[0].yaxis.set_major_formatter(lambda x, _pos: f"{100 * x:.0f}%")
        fig.supylabel(text_of(Message("订单–顾客组合", "Order-customer pairs"), lang), fontsize=8)
        fig.supxlabel(text_of(Message("价格变动", "Price change"), lang), fontsize=8)
        return figure_to_svg(fig, "chart-price-changes")


def dimension_block(
    result: Results, name: str, g: PriceGaps, chart_id: str, lang: str
) -> dict[str, Any]:
    policy = result.policy
    article = "72(4)" if g.kind == "ground" else ARTICLE
    p = result.pricing
    assert p is not None
    label = pw.dimension_label(name, g.kind, p.labels)
    notes = []
    if name in p.binning:
        notes.append(
            Message(
                f"数值按分位数分组：{'、'.join(p.binning[name])}。",
                f"Numbers grouped by quantiles: {', '.join(p.binning[name])}.",
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
        "table": gap_table(g, policy.min_group_size),
        "chart": gap_chart(g, chart_id, policy.min_group_size, policy.price_gap_max, lang),
        "reference": g.reference,
        "factors": pw.quoted(g.factors, p.labels).zh,
        "factors_en": pw.quoted(g.factors, p.labels).en,
        "strata": g.n_strata,
        "currency": p.currency,
    }


def pricing_section(result: Results, lang: str) -> dict[str, Any] | None:
    """Section "Article 72(5): price discrimination"."""
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
    effects = [] if cf is None else _effect_rows(cf, p, result.policy.min_group_size)
    return {
        "dims": dims,
        "counterfactual": {
            "findings": [f for f in result.findings if f.check == COUNTERFACTUAL.id],
            "chart": change_chart(result, lang),
            "swaps": swaps,
            "effects": effects,
            "tolerance": fmt_pct(result.policy.price_change_tolerance),
            "orders": 0 if cf is None else int(cf.summary["orders"].iloc[0]),
            "donors": 0 if cf is None else int(cf.summary["donors"].iloc[0]),
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
        "currency": p.currency,
        "orders": p.n_orders,
        "mean_price": pw.money(p.mean_price, p.currency),
    }


def _swap_rows(cf: CounterfactualPrices, p: PricingAnalysis, z: float) -> list[dict[str, Any]]:
    """Display rows of the counterfactual summary, one per swap."""
    swaps = []
    for swap, r in cf.summary.iterrows():
        se = float(r["share_changed_se"])
        share = float(r["share_changed"])
        swaps.append(
            {
                "label": pw.KIND_LABELS[str(swap)],
                "columns": pw.quoted(cf.columns[str(swap)], p.labels),
                "share": fmt_pct(share),
                "ci": ""
                if not math.isfinite(se)
                else f"{fmt_pct(max(0.0, share - z * se))}–{fmt_pct(min(1.0, share + z * se))}",
                "mean_abs": fmt_pct(float(r["mean_abs_change"])),
                "p95": fmt_pct(float(r["p95_abs_change"])),
                "max": fmt_pct(float(r["max_abs_change"])),
                "amount": pw.money(float(r["mean_change_amount"]), p.currency),
            }
        )
    return swaps


def _effect_rows(
    cf: CounterfactualPrices, p: PricingAnalysis, min_group_size: int
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
                "group": e["group"],
                "reference": e["reference"],
                "effect": pw.signed_pct(e["effect"]),
                "ci": _pct_ci(e["low"], e["high"]),
                "n": e["n"],
            }
        )
    return effects


def ground_blocks(result: Results, lang: str) -> dict[str, dict[str, Any]]:
    """Price blocks of the Article 72(4) grounds, by ground."""
    p = result.pricing
    if p is None:
        return {}
    grounds = [(name, g) for name, g in p.gaps.items() if g.kind == "ground"]
    return {
        name: dimension_block(result, name, g, f"chart-ground-{i}", lang)
        for i, (name, g) in enumerate(grounds, start=1)
    }
