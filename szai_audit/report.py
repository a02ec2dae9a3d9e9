"""The HTML report: page structure from a result, charts as inline SVG, Jinja2 rendering.

Three stages, kept apart: :class:`~szai_audit.result.AuditResult` holds the numbers;
:func:`build_page` turns them into a page structure (sections, rows, texts in both languages,
charts); the Jinja2 templates in ``templates/`` turn that structure into one HTML file with
inline CSS and SVG, no script and no external URL. Autoescape is always on: every value from
the user's data (column names, group labels, metadata) is escaped.
"""

from __future__ import annotations

import io
import json
import math
import re
import warnings
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
import numpy as np
import pandas as pd

from ._explain_words import EXAMPLE_TITLES, reason_phrase
from ._governance_report import governance_page, privacy_page
from .data import group_label, is_missing_group_key
from .errors import ReportError
from .fairness import GroupMetrics
from .findings import Finding, Status
from .narrative import (
    METADATA_LABELS,
    METRIC_LABELS,
    Message,
    binning_note,
    fmt_amount,
    fmt_pct,
    fmt_ratio,
    ground_label,
    method_paragraphs,
    missing_note,
    source_note,
)
from .stats import z_value

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from .result import AuditResult
    from .tracking import Comparison

__all__ = ["build_page", "plot_group_rates", "render_report"]

#: CSS font stack for Chinese and Latin text, used by the page and by the charts' SVG text.
FONT_STACK = (
    "'Noto Sans CJK SC', 'Source Han Sans SC', 'PingFang SC', 'Microsoft YaHei', "
    "'Hiragino Sans GB', 'WenQuanYi Micro Hei', 'DejaVu Sans', Arial, sans-serif"
)
#: The same for Latin text: a Latin face first, CJK faces as fallback.
FONT_STACK_LATIN = (
    "'Noto Sans', 'Segoe UI', 'Helvetica Neue', Arial, 'DejaVu Sans', 'Noto Sans CJK SC', "
    "'PingFang SC', 'Microsoft YaHei', sans-serif"
)
_MPL_CJK_CANDIDATES = (
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "PingFang SC",
)
TABLE_METRICS = (
    "selection_rate",
    "true_positive_rate",
    "false_positive_rate",
    "false_negative_rate",
    "precision",
    "accuracy",
)
STATUS_CSS = {s.value: s.value.lower().replace("_", "-") for s in Status}


# --------------------------------------------------------------------------------------------
# Jinja2
# --------------------------------------------------------------------------------------------


def templates_dir() -> Path:
    """The templates folder: inside the installed package, or at the top of a source tree."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "templates", here.parent / "templates"):
        if (candidate / "report.html.j2").is_file():
            return candidate
    raise ReportError(
        f"report templates not found next to {here}; reinstall szai_audit (the wheel ships "
        f"them as szai_audit/templates)."
    )


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The Jinja2 environment: autoescape on for every template, undefined names raise."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals.update(
        status_css=STATUS_CSS,
        msg=Message,
        ground_label=ground_label,
        subject_label=_subject_label,
        fmt_value=_fmt_value,
        fmt_threshold=_fmt_threshold,
        article_label=_article_label,
        count_label=METRIC_LABELS["count"],
        overall_label=Message("全部", "Overall"),
    )
    return env


_ARTICLES = {
    "72(4)": Message("第七十二条第（四）项", "Art. 72(4)"),
    "72(5)": Message("第七十二条第（五）项", "Art. 72(5)"),
    "71": Message("第七十一条", "Art. 71"),
    "66": Message("第六十六条", "Art. 66"),
    "72": Message("第七十二条", "Art. 72"),
    "33": Message("第三十三条", "Art. 33"),
}


def _article_label(article: str) -> Message:
    return _ARTICLES.get(article, Message(article, f"Art. {article}"))


def _same(text: str) -> Message:
    return Message(text, text)


def _points(x: float) -> Message:
    return Message(f"{100 * x:.1f} 个百分点", f"{100 * x:.1f} pp")


def _subject_label(f: Finding) -> Message:
    """What a finding is about: the ground, or for Article 72(5) the profile column or kind."""
    if f.article != "72(5)":
        return ground_label(str(f.ground))
    from ._pricing_words import KIND_LABELS, dimension_label

    if f.ground in KIND_LABELS:
        return KIND_LABELS[str(f.ground)]
    label = f.details.get("label")
    if isinstance(label, (list, tuple)) and len(label) == 2:
        return Message(str(label[0]), str(label[1]))
    kind = str(f.details.get("kind", ""))
    return dimension_label(str(f.ground), kind) if kind else Message(str(f.ground), str(f.ground))


def _value_format(f: Finding) -> tuple[Callable[[float], Message], str]:
    """How a finding's value and threshold are written, and the side the threshold bounds."""
    if f.check.startswith("pricing."):
        return lambda x: _same(fmt_pct(x)), "≤"
    if f.check.endswith("_ratio"):
        return lambda x: _same(fmt_ratio(x)), "≥"
    if f.check in ("fairness.auc_difference",):
        return lambda x: _same(f"{x:.3f}"), "≤"
    if f.check == "fairness.proxy":
        return lambda x: _same(f"AUC {x:.3f}"), "<"
    if f.check in ("fairness.counterfactual_flip", "fairness.mean_residual_difference"):
        return lambda x: _same(fmt_pct(x)), "≤"
    return _points, "≤"


def _fmt_value(f: Finding) -> Message:
    if f.value is None:
        return _same("—")
    fmt, _side = _value_format(f)
    return fmt(f.value)


def _fmt_threshold(f: Finding) -> Message:
    if f.threshold is None:
        return _same("—")
    fmt, side = _value_format(f)
    text = fmt(f.threshold)
    return Message(f"{side} {text.zh}", f"{side} {text.en}")


# --------------------------------------------------------------------------------------------
# Charts
# --------------------------------------------------------------------------------------------


def _plain_text(text: str) -> str:
    """Escape ``$`` so matplotlib draws user text as written, never as mathtext."""
    return text.replace("$", r"\$")


def _label(msg: Message, lang: str) -> str:
    if lang == "bilingual" and msg.zh == msg.en:
        return msg.en
    if lang == "bilingual":
        return f"{msg.zh}\n{msg.en}"
    return msg[lang]


def plot_group_rates(
    gm: GroupMetrics,
    metric: str = "selection_rate",
    *,
    ax: Axes | None = None,
    min_group_size: int = 1,
    favorable_is_positive: bool = True,
    reference: float | None = None,
    lang: str = "en",
    ci: pd.DataFrame | None = None,
) -> Axes:
    """Horizontal bar chart of one rate by group, on ``ax`` (a new Figure if None).

    No pyplot state is touched: without ``ax`` a standalone ``matplotlib.figure.Figure`` is
    created. Every group has a row, in the order of ``gm.by_group`` (so panels drawn with
    ``sharey=True`` line up); a group whose rate rests on fewer than ``min_group_size`` people,
    or is undefined, gets no bar but a "—". Labels are drawn as plain text (``$`` is not
    mathtext).

    Parameters
    ----------
    gm : GroupMetrics
    metric : str
        ``"favorable_rate"`` (share of favourable decisions) or a column of ``gm.by_group``.
    ax : matplotlib Axes, optional
    min_group_size : int
        Rates resting on fewer people are not drawn.
    favorable_is_positive : bool
        Used by ``"favorable_rate"``: whether the positive label is the favourable decision.
    reference : float, optional
        Draw a dashed vertical line at this value (e.g. four fifths of the best rate).
    lang : {"en", "zh", "bilingual"}
        Language of the axis label.
    ci : DataFrame, optional
        Intervals from :meth:`GroupMetrics.ci`, drawn as error bars.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> from szai_audit.fairness import group_metrics
    >>> gm = group_metrics(None, [1, 0, 1, 1], ["a", "a", "b", "b"])
    >>> ax = plot_group_rates(gm)
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['a', 'b']
    """
    if ax is None:
        from matplotlib.figure import Figure

        ax = Figure(figsize=(6, 0.4 * len(gm.by_group) + 1.2)).subplots()
    base = "selection_rate" if metric == "favorable_rate" else metric
    values, den = gm.by_group[base], gm.denominators()[base]
    bounds = None
    if ci is not None:
        bounds = ci[(base, "low")].to_numpy(float), ci[(base, "high")].to_numpy(float)
    if metric == "favorable_rate" and not favorable_is_positive:
        values = 1.0 - values
        bounds = None if bounds is None else (1.0 - bounds[1], 1.0 - bounds[0])
    shown = (den >= min_group_size).to_numpy() & values.notna().to_numpy()
    keys = list(values.index)
    y = np.arange(len(keys))[::-1]
    vals = values.to_numpy(dtype=float)
    colors = ["#9aa5b1" if is_missing_group_key(k) else "#3b6ea8" for k in keys]
    ax.barh(y[shown], vals[shown], color=np.asarray(colors)[shown].tolist(), height=0.6)
    right = vals.copy()
    if bounds is not None:
        low, high = bounds
        err = np.vstack([vals - low, high - vals])[:, shown]
        ax.errorbar(
            vals[shown],
            y[shown],
            xerr=np.clip(np.nan_to_num(err), 0, None),
            fmt="none",
            ecolor="#222",
            elinewidth=0.8,
            capsize=2,
        )
        right = np.where(np.isfinite(high), np.maximum(high, vals), vals)
    for yi, v, r, ok in zip(y, vals, right, shown, strict=True):
        text = fmt_pct(v) if ok else "—"
        ax.text((r if ok else 0) + 0.015, yi, text, va="center", fontsize=8, color="#222")
    ax.set_yticks(y, [_plain_text(group_label(k)) for k in keys])
    ax.set_ylim(-0.6, len(keys) - 0.4)
    ax.set_xlim(0, 1.18)
    ax.xaxis.set_major_formatter(lambda x, _pos: f"{100 * x:.0f}%")
    if reference is not None and math.isfinite(reference):
        ax.axvline(reference, color="#b3261e", linestyle="--", linewidth=1)
    ax.set_xlabel(_label(METRIC_LABELS[metric], lang), fontsize=9)
    ax.tick_params(labelsize=8)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return ax


@lru_cache(maxsize=1)
def _mpl_font_family() -> list[str]:
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    return [n for n in _MPL_CJK_CANDIDATES if n in names] + ["DejaVu Sans"]


_SVG_PROLOGUE = re.compile(r"^.*?(?=<svg)", re.S)
_SVG_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.S)
_SVG_XMLNS = re.compile(r'\s+xmlns(:\w+)?="[^"]*"')
_SVG_FONT = re.compile(r"font-family:[^;\"]*")
_SVG_ID = re.compile(r'\b(id)="([^"]+)"')
_SVG_HREF = re.compile(r'((?:xlink:)?href)="#([^"]+)"')
_SVG_URL = re.compile(r"url\(#([^)]+)\)")


def figure_to_svg(fig: Figure, chart_id: str) -> str:
    """Inline SVG of a Figure: text kept as text, no XML prologue, no namespace URLs.

    ``chart_id`` prefixes every element id (and every reference to one), so that several charts
    in one page never share an id.
    """
    import matplotlib

    buf = io.StringIO()
    with (
        matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": chart_id}),
        warnings.catch_warnings(),
    ):
        # Very long labels (user column names) can leave no room for constrained layout;
        # bbox_inches="tight" still fits the drawing, so the warning says nothing to the reader.
        warnings.filterwarnings("ignore", message="constrained_layout not applied")
        fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    svg = buf.getvalue()
    svg = _SVG_PROLOGUE.sub("", svg, count=1)
    svg = _SVG_METADATA.sub("", svg)
    svg = _SVG_XMLNS.sub("", svg)
    svg = _SVG_FONT.sub("font-family: " + FONT_STACK.replace('"', "'"), svg)
    # Prefix every id and reference with the chart's id: ids stay unique in the page.
    svg = _SVG_ID.sub(lambda m: f'{m.group(1)}="{chart_id}-{m.group(2)}"', svg)
    svg = _SVG_HREF.sub(lambda m: f'{m.group(1)}="#{chart_id}-{m.group(2)}"', svg)
    svg = _SVG_URL.sub(lambda m: f"url(#{chart_id}-{m.group(1)})", svg)
    svg = svg.replace("<svg ", f'<svg role="img" class="chart" id="{chart_id}" ', 1)
    return svg.strip()


def _fairness_chart(
    gm: GroupMetrics,
    chart_id: str,
    result: AuditResult,
    lang: str,
    favorable_is_positive: bool,
    ci: pd.DataFrame | None,
) -> str | None:
    """Bar charts of the compared rates with their intervals; None when fewer than two groups
    can be drawn, or too many to read (more than 40)."""
    import matplotlib
    from matplotlib.figure import Figure

    min_size = result.policy.min_group_size
    not_missing = np.array([not is_missing_group_key(k) for k in gm.by_group.index])
    comparable = (gm.denominators()["selection_rate"] >= min_size).to_numpy() & not_missing
    if comparable.sum() < 2 or len(gm.by_group) > 40:
        return None
    sel = gm.by_group["selection_rate"][comparable]
    best = float((sel if favorable_is_positive else 1.0 - sel).max())

    panels = ["favorable_rate"]
    if gm.has_outcomes:
        panels += ["true_positive_rate", "false_positive_rate"]
    n_groups = len(gm.by_group)
    with matplotlib.rc_context({"font.family": _mpl_font_family(), "font.size": 9}):
        fig = Figure(figsize=(3.0 * len(panels) + 1.2, 0.32 * n_groups + 1.4), layout="constrained")
        axes = fig.subplots(1, len(panels), sharey=True, squeeze=False)[0]
        for ax, metric in zip(axes, panels, strict=True):
            ref = result.policy.selection_rate_ratio_min * best
            plot_group_rates(
                gm,
                metric,
                ax=ax,
                min_group_size=min_size,
                favorable_is_positive=favorable_is_positive,
                reference=ref if metric == "favorable_rate" else None,
                lang=lang,
                ci=ci,
            )
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Glyph .* missing from", category=UserWarning)
            return figure_to_svg(fig, chart_id)


# --------------------------------------------------------------------------------------------
# Page structure
# --------------------------------------------------------------------------------------------


def _group_row(key: Any, count: int, suppressed: bool, cells: list[Any]) -> dict[str, Any]:
    """One row of a group table (a group, or an intersection of groups)."""
    return {
        "group": group_label(key),
        "group_keys": [str(k) for k in (key if isinstance(key, tuple) else (key,))],
        "count": count,
        "suppressed": suppressed,
        "missing": is_missing_group_key(key),
        "cells": cells,
    }


def _regression_table(
    rm: Any, min_size: int, columns: dict[str, str | None], ci: pd.DataFrame | None
) -> dict[str, Any]:
    """Rows of a numeric-output table: means with intervals, small groups withheld."""
    metrics = ["mean_prediction"]
    if rm.has_outcomes:
        metrics += ["mean_outcome", "mean_residual", "mae"]
    rows = []
    for i, (key, row) in enumerate(rm.by_group.iterrows()):
        count = int(row["count"])
        suppressed = count < min_size
        cells = []
        for m in metrics:
            if suppressed:
                cells.append({"text": "—", "withheld": True, "ci": ""})
                continue
            interval = ""
            if ci is not None:
                lo, hi = float(ci.iloc[i][(m, "low")]), float(ci.iloc[i][(m, "high")])
                if np.isfinite(lo) and np.isfinite(hi):
                    interval = f"{fmt_amount(lo)}–{fmt_amount(hi)}"
            cells.append({"text": fmt_amount(float(row[m])), "withheld": False, "ci": interval})
        rows.append(_group_row(key, count, suppressed, cells))
    overall = rm.overall
    return {
        "attributes": [_attribute_header(a, columns) for a in rm.sensitive_names],
        "columns": [METRIC_LABELS[m] for m in metrics],
        "rows": rows,
        "overall": {
            "count": int(overall["count"]),
            "cells": [fmt_amount(float(overall[m])) for m in metrics],
        },
    }


def _regression_chart(
    rm: Any, chart_id: str, result: AuditResult, lang: str, ci: pd.DataFrame | None
) -> str | None:
    """Mean prediction by group with intervals (groups below the minimum size left blank)."""
    import matplotlib
    from matplotlib.figure import Figure

    means = rm.by_group
    if (means["count"] >= result.policy.min_group_size).sum() < 2 or len(means) > 40:
        return None
    keys = list(means.index)
    shown = (means["count"] >= result.policy.min_group_size).to_numpy()
    vals = means["mean_prediction"].to_numpy(dtype=float)
    y = np.arange(len(keys))[::-1]
    with matplotlib.rc_context({"font.family": _mpl_font_family(), "font.size": 9}):
        fig = Figure(figsize=(6.5, 0.32 * len(keys) + 1.4), layout="constrained")
        ax = fig.subplots()
        ax.barh(y[shown], vals[shown], color="#3b6ea8", height=0.6)
        if ci is not None:
            lo = ci[("mean_prediction", "low")].to_numpy(float)
            hi = ci[("mean_prediction", "high")].to_numpy(float)
            err = np.vstack([vals - lo, hi - vals])[:, shown]
            ax.errorbar(
                vals[shown],
                y[shown],
                xerr=np.clip(np.nan_to_num(err), 0, None),
                fmt="none",
                ecolor="#222",
                elinewidth=0.8,
                capsize=2,
            )
        for yi, v, ok in zip(y, vals, shown, strict=True):
            text = " " + (fmt_amount(v) if ok else "—")
            ax.text(v if ok else 0, yi, text, va="center", fontsize=8)
        ax.set_yticks(y, [_plain_text(group_label(k)) for k in keys])
        ax.set_xlabel(_label(METRIC_LABELS["mean_prediction"], lang), fontsize=9)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Glyph .* missing from", category=UserWarning)
            return figure_to_svg(fig, chart_id)


def _attribute_header(ground: str, columns: dict[str, str | None]) -> Message:
    label, column = ground_label(ground), columns.get(ground)
    if not column or column == ground:
        return label
    return Message(f"{label.zh}（{column}）", f"{label.en} ({column})")


def _table(
    gm: GroupMetrics,
    min_size: int,
    columns: dict[str, str | None],
    ci: pd.DataFrame | None = None,
) -> dict[str, Any]:
    """Rows of formatted cells with intervals; rates resting on fewer than ``min_size`` people
    withheld."""
    metrics = [m for m in TABLE_METRICS if gm.has_outcomes or m == "selection_rate"]
    if gm.has_scores:
        metrics.append("mean_score")
    by_group, den = gm.by_group, gm.denominators()
    rows = []
    for i, (key, row) in enumerate(by_group.iterrows()):
        count = int(row["count"])
        suppressed = count < min_size
        cells = []
        for m in metrics:
            if suppressed or int(den.loc[key, m]) < min_size:
                cells.append({"text": "—", "withheld": True, "ci": ""})
                continue
            fmt = (lambda v: fmt_ratio(v, 3)) if m == "mean_score" else fmt_pct
            interval = ""
            if ci is not None:
                lo, hi = float(ci.iloc[i][(m, "low")]), float(ci.iloc[i][(m, "high")])
                if np.isfinite(lo) and np.isfinite(hi):
                    interval = f"{fmt(lo)}–{fmt(hi)}"
            cells.append({"text": fmt(float(row[m])), "withheld": False, "ci": interval})
        rows.append(_group_row(key, count, suppressed, cells))
    overall = gm.overall
    overall_cells = [
        fmt_ratio(float(overall[m]), 3) if m == "mean_score" else fmt_pct(float(overall[m]))
        for m in metrics
    ]
    return {
        "attributes": [_attribute_header(a, columns) for a in gm.sensitive_names],
        "columns": [METRIC_LABELS[m] for m in metrics],
        "rows": rows,
        "overall": {"count": int(overall["count"]), "cells": overall_cells},
    }


def _score_section(
    result: AuditResult, key: str, lang: str, chart_id: str
) -> dict[str, Any] | None:
    """Score metrics of one ground: table with intervals and a reliability chart."""
    sm = result.score_metrics.get(key)
    if sm is None:
        return None
    z = z_value(result.policy.confidence_level)
    min_size = result.policy.min_group_size
    rows = []
    for name, row in sm.by_group.iterrows():
        shown = int(row["count"]) >= min_size

        def cell(value: float, se: float | None, fmt: Any, shown: bool = shown) -> dict[str, str]:
            if not shown or not np.isfinite(value):
                return {"text": "—", "ci": ""}
            ci = ""
            if se is not None and np.isfinite(se):
                ci = f"{fmt(value - z * se)}–{fmt(value + z * se)}"
            return {"text": fmt(value), "ci": ci}

        def three(v: float) -> str:
            return f"{v:.3f}"

        def points(v: float) -> str:
            return f"{100 * v:+.1f}".replace("-", "−")

        rows.append(
            {
                "group": str(name),
                "count": int(row["count"]),
                "cells": [
                    cell(float(row["auc"]), float(row["auc_se"]), three),
                    cell(float(row["calibration_offset"]), float(row["calibration_se"]), points)
                    if sm.probabilities
                    else {"text": "—", "ci": ""},
                    cell(float(row["positive_rate_at_threshold"]), None, fmt_pct),
                ],
            }
        )
    return {
        "threshold": f"{sm.threshold:g}",
        "columns": [
            METRIC_LABELS["auc"],
            METRIC_LABELS["calibration_offset"].join(Message("（百分点）", "(points)")),
            METRIC_LABELS["positive_rate_at_threshold"],
        ],
        "rows": rows,
        "chart": _reliability_chart(sm, min_size, lang, chart_id) if sm.probabilities else None,
    }


def _reliability_chart(sm: Any, min_size: int, lang: str, chart_id: str) -> str | None:
    """Observed rate against mean score per bin, one line per group (bins of enough people)."""
    import matplotlib
    from matplotlib.figure import Figure

    cal = sm.calibration[sm.calibration["count"] >= min_size]
    groups = [g for g in sm.by_group.index if (cal["group"] == g).sum() >= 2]
    if not groups:
        return None
    with matplotlib.rc_context({"font.family": _mpl_font_family(), "font.size": 9}):
        fig = Figure(figsize=(4.8, 3.6), layout="constrained")
        ax = fig.subplots()
        ax.plot([0, 1], [0, 1], color="#9aa5b1", linestyle="--", linewidth=1)
        for g in groups:
            part = cal[cal["group"] == g].sort_values("bin")
            ax.plot(
                part["mean_score"],
                part["observed_rate"],
                marker="o",
                markersize=3,
                linewidth=1.2,
                label=_plain_text(str(g)),
            )
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_xlabel(_label(Message("模型评分（预测比例）", "Model score (predicted rate)"), lang))
        ax.set_ylabel(_label(Message("实际比例", "Actual rate"), lang))
        ax.legend(fontsize=8, frameon=False)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Glyph .* missing from", category=UserWarning)
            return figure_to_svg(fig, chart_id)


def _proxy_section(result: AuditResult, key: str) -> dict[str, Any] | None:
    """The proxy ranking of one ground (top 10 features)."""
    report = result.proxies.get(key)
    if report is None or report.features.empty:
        return None
    threshold = result.policy.proxy_auc_threshold
    rows = []
    for name, row in report.features.head(10).iterrows():
        flagged = row["auc"] >= threshold and not (row["auc_low"] <= 0.5)
        rows.append(
            {
                "feature": str(name),
                "kind": Message("类别", "categorical")
                if row["kind"] == "categorical"
                else Message("数值", "numeric"),
                "auc": f"{row['auc']:.3f}",
                "auc_low": "" if not np.isfinite(row["auc_low"]) else f"≥ {row['auc_low']:.3f}",
                "balanced_accuracy": fmt_pct(float(row["balanced_accuracy"])),
                "mi": f"{row['mutual_information']:.3f}",
                "nmi": fmt_pct(float(row["normalized_mi"])),
                "flagged": bool(flagged),
            }
        )
    all_auc = report.all_features_auc
    return {
        "rows": rows,
        "all_auc": "—" if not np.isfinite(all_auc) else f"{all_auc:.3f}",
        "n_rows": report.n_rows,
        "threshold": f"{threshold:.2f}",
    }


def _flip_section(result: AuditResult, key: str) -> dict[str, Any] | None:
    """The counterfactual flip test of one ground, one row per (from, to) pair."""
    flip = result.flips.get(key)
    if flip is None or flip.pairs.empty:
        return None
    rows = [
        {
            "source": str(r["from_group"]),
            "target": str(r["to_group"]),
            "n": int(r["n"]),
            "changed": fmt_pct(float(r["changed"])),
            "to_favourable": fmt_pct(float(r["to_favourable"])),
            "to_unfavourable": fmt_pct(float(r["to_unfavourable"])),
            "score": "—"
            if not np.isfinite(r["mean_score_change"])
            else f"{r['mean_score_change']:+.3f}",
            "flagged": float(r["changed"]) > result.policy.flip_tolerance,
        }
        for _, r in flip.pairs.iterrows()
    ]
    return {"rows": rows, "n_rows": flip.n_rows}


_MITIGATION_ROWS = {
    "audited": Message("审计的决定", "Audited decisions"),
    "demographic_parity": Message("分组阈值：人口均等", "Group thresholds: demographic parity"),
    "equalized_odds": Message("分组阈值：均等化几率", "Group thresholds: equalized odds"),
}


def _mitigation_section(result: AuditResult, key: str) -> dict[str, Any] | None:
    """What group thresholds would reach, and cost, on the audit data."""
    frame = result.mitigation.get(key)
    if frame is None:
        return None

    def points(v: float, signed: bool = False) -> str:
        if not np.isfinite(v):
            return "—"
        return f"{100 * v:+.1f}" if signed else f"{100 * v:.1f}"

    rows = []
    for name, row in frame.iterrows():
        rows.append(
            {
                "label": _MITIGATION_ROWS.get(str(name), Message(str(name), str(name))),
                "accuracy": fmt_pct(float(row["accuracy"])),
                "change": "—" if name == "audited" else points(float(row["accuracy_change"]), True),
                "dp": points(float(row["selection_rate_difference"])),
                "eo": points(float(row["equalized_odds_difference"])),
                "error": row["error"],
            }
        )
    return {"rows": rows, "rows_used": frame.attrs.get("rows_used"), "n_rows": result.scope.n_rows}


def _conditional_section(result: AuditResult, key: str) -> dict[str, Any] | None:
    """Favourable-decision gaps against the reference, before and after legitimate factors."""
    gaps = result.conditional.get(key)
    if gaps is None or gaps.table.empty:
        return None
    z = z_value(result.policy.confidence_level)

    def fmt(v: float, se: float) -> dict[str, str]:
        if not np.isfinite(v):
            return {"text": "—", "ci": ""}
        ci = "" if not np.isfinite(se) else f"{100 * (v - z * se):+.1f}–{100 * (v + z * se):+.1f}"
        return {"text": f"{100 * v:+.1f}", "ci": ci}

    rows = [
        {
            "group": str(g),
            "count": int(r["count"]),
            "cells": [
                fmt(float(r["raw_gap"]), float(r["raw_se"])),
                fmt(float(r["stratified_gap"]), float(r["stratified_se"])),
                fmt(float(r["regression_gap"]), float(r["regression_se"])),
                {"text": fmt_pct(float(r["coverage"])), "ci": ""},
            ],
        }
        for g, r in gaps.table.iterrows()
        if int(r["count"]) >= result.policy.min_group_size
    ]
    return {
        "reference": gaps.reference,
        "factors": ", ".join(gaps.factors),
        "strata": gaps.n_strata,
        "rows": rows,
    }


def _tests_table(result: AuditResult, key: str) -> dict[str, Any] | None:
    """Adjusted p-values of each group against the rest (and the reference), formatted."""
    tests = result.group_tests.get(key)
    if tests is None or tests.empty:
        return None
    alpha = result.policy.significance_level
    columns = []
    for metric, test in tests.columns:
        if test.endswith("_adjusted"):
            continue
        versus = (
            Message("对其余各组", "vs rest")
            if test == "p_vs_rest"
            else Message("对参照组", "vs reference")
        )
        columns.append(((metric, test + "_adjusted"), METRIC_LABELS[metric].join(versus, " ")))
    rows = []
    for group, row in tests.iterrows():
        cells = []
        for col, _label in columns:
            p = float(row[col])
            if not np.isfinite(p):
                cells.append({"text": "—", "significant": False})
            else:
                text = "<0.001" if p < 0.001 else f"{p:.3f}"
                cells.append({"text": text, "significant": p < alpha})
        if any(c["text"] != "—" for c in cells):
            rows.append({"group": str(group), "cells": cells})
    if not rows:
        return None
    return {"columns": [label for _col, label in columns], "rows": rows}


def _manifest_rows(result: AuditResult) -> list[tuple[Message, str | Message, bool]]:
    m = result.manifest
    rows: list[tuple[Message, str | Message, bool]] = [
        (Message("szai_audit 版本", "szai_audit version"), str(m.get("szai_audit")), False),
        (Message("Python 版本", "Python version"), str(m.get("python")), False),
        (Message("运行平台", "Platform"), str(m.get("platform")), False),
        (
            Message("依赖库版本", "Dependency versions"),
            ", ".join(f"{k} {v}" for k, v in (m.get("dependencies") or {}).items()),
            False,
        ),
    ]
    data = m.get("data")
    if data:
        rows.append(
            (
                Message("数据指纹（sha256）与规模", "Data fingerprint (sha256) and shape"),
                f"{data['sha256']}  ({data['shape'][0]} × {data['shape'][1]})",
                True,
            )
        )
    for key, label in (
        ("y_true_sha256", Message("实际结果指纹（sha256）", "Outcomes fingerprint (sha256)")),
        ("y_pred_sha256", Message("决定指纹（sha256）", "Decisions fingerprint (sha256)")),
    ):
        if m.get(key):
            rows.append((label, str(m[key]), True))
    if m.get("model"):
        rows.append(
            (
                Message("模型类别与参数", "Model class and parameters"),
                json.dumps(m["model"], ensure_ascii=False, indent=1),
                True,
            )
        )
    processing = m.get("processing")
    if processing:
        skipped = processing.get("not_computed", [])
        p = processing
        rows.append(
            (
                Message("分块读取（数据未全部载入内存）", "Read in parts (not held in memory)"),
                Message(
                    f"{p['engine']}：{p['partitions']} 个分区，汇总为 {p['cells']} 个计数单元；"
                    f"抽样检查再次读取 {p['rows_read_again']} 行。"
                    + ("未计算：整改代价示意。" if "mitigation" in skipped else ""),
                    f"{p['engine']}: {p['partitions']} partitions summarised as {p['cells']} "
                    f"cells of counts; {p['rows_read_again']} rows read again for the sampled "
                    f"checks."
                    + (" Not computed: what a fix would cost." if "mitigation" in skipped else ""),
                ),
                False,
            )
        )
    rows.append((Message("随机种子", "random_state"), str(m.get("random_state")), False))
    rows.append(
        (Message("生成时间（UTC）", "Generated at (UTC)"), str(m.get("generated_at")), False)
    )
    return rows


def build_page(result: AuditResult, lang: str = "bilingual") -> dict[str, Any]:
    """The report's structure (sections, rows, texts, SVG charts) before any HTML is written."""
    scope = result.scope
    counts = [(Status(s), n) for s, n in result.status_counts.items()]
    system_rows = [(METADATA_LABELS.get(k, Message(k, k)), v) for k, v in result.metadata.items()]
    columns = {s.ground: s.column for s in result.sensitive}
    infos = {s.ground: s for s in result.sensitive}
    sections = []
    regression = result.scope.task == "regression"
    if result.pricing is not None:
        from ._pricing_report import ground_blocks

        for key, block in ground_blocks(result, lang).items():
            info = infos.get(key)
            notes = [] if info is None else [source_note(info), binning_note(info)]
            sections.append(
                {
                    "key": key,
                    "label": ground_label(key),
                    "intersection": False,
                    "notes": [n for n in notes if n is not None],
                    "findings": [
                        f
                        for f in result.findings
                        if f.ground == key
                        and f.article == "72(4)"
                        and not f.check.startswith("pricing.")
                    ],
                    "prices": block,
                    "table": None,
                    "tests": None,
                    "scores": None,
                    "proxies": _proxy_section(result, key),
                    "flips": _flip_section(result, key),
                    "mitigation": None,
                    "conditional": None,
                    "chart": None,
                    "chart_caption": None,
                    "outcome_panels": False,
                }
            )
    all_tables: dict[str, Any] = dict(result.regression_metrics) if regression else result.tables()
    for index, (key, gm) in enumerate(all_tables.items(), start=1):
        info = infos.get(key)
        notes = [] if info is None else [source_note(info), binning_note(info), missing_note(info)]
        ci = result.cis.get(key)
        findings = [
            f
            for f in result.findings
            if f.ground == key
            and f.article == "72(4)"
            and f.check != "fairness.intersection_not_assessed"
        ]
        if regression:
            sections.append(
                {
                    "key": key,
                    "label": ground_label(key),
                    "intersection": info is None,
                    "notes": [n for n in notes if n is not None],
                    "table": _regression_table(gm, result.policy.min_group_size, columns, ci),
                    "tests": None,
                    "scores": None,
                    "proxies": _proxy_section(result, key),
                    "flips": _flip_section(result, key),
                    "mitigation": None,
                    "conditional": None,
                    "chart": _regression_chart(gm, f"chart-{index}", result, lang, ci),
                    "chart_caption": Message(
                        "各组平均预测值，横线为置信区间；人数不足 "
                        f"{result.policy.min_group_size} 的组不画柱。",
                        "Mean prediction by group with confidence intervals; groups of fewer "
                        f"than {result.policy.min_group_size} people have no bar.",
                    ),
                    "outcome_panels": False,
                    "prices": None,
                    "findings": findings,
                }
            )
            continue
        sections.append(
            {
                "key": key,
                "label": ground_label(key),
                "intersection": info is None,
                "notes": [n for n in notes if n is not None],
                "table": _table(gm, result.policy.min_group_size, columns, ci),
                "tests": _tests_table(result, key),
                "scores": _score_section(result, key, lang, f"calibration-{index}"),
                "proxies": _proxy_section(result, key),
                "flips": _flip_section(result, key),
                "mitigation": _mitigation_section(result, key),
                "conditional": _conditional_section(result, key),
                "chart": _fairness_chart(
                    gm, f"chart-{index}", result, lang, scope.favorable_is_positive, ci
                ),
                "chart_caption": None,
                "outcome_panels": gm.has_outcomes,
                "prices": None,
                "findings": findings,
            }
        )
    grounds = [s for s in sections if not s["intersection"]]
    intersections = [s for s in sections if s["intersection"]]
    not_provided = [
        f
        for f in result.findings
        if f.check in ("fairness.ground_not_provided", "fairness.intersection_not_assessed")
    ]
    findings_sorted = sorted(result.findings, key=lambda f: f.status.severity)
    policy_rows = [(k, v) for k, v in result.policy.to_dict().items()]

    def same(text: str) -> Message:
        return Message(text, text)

    attrs = [
        Message(
            s.label.zh + (f"（{s.column}）" if s.column else ""),
            s.label.en + (f" ({s.column})" if s.column else ""),
        )
        for s in result.sensitive
    ]
    scope_rows = [
        (Message("审计行数", "Rows audited"), same(str(scope.n_rows))),
        (
            Message("审计方式", "Mode"),
            Message("模型", "model")
            if scope.mode == "model"
            else Message("仅决定记录", "predictions only"),
        ),
        (Message("决定来源", "Decision rule"), same(scope.decision_rule)),
        (Message("有利方向", "Favourable direction"), Message("价格越低越有利", "a lower price"))
        if scope.task == "pricing"
        else (Message("有利决定", "Favourable decision"), same(str(scope.favorable_label))),
        (
            Message("实际结果", "Actual outcomes"),
            Message("有", "yes") if scope.has_outcomes else Message("无", "no"),
        ),
        (
            Message("敏感属性", "Sensitive attributes"),
            Message("、".join(a.zh for a in attrs), ", ".join(a.en for a in attrs)),
        ),
    ]
    return {
        "lang": lang,
        "html_lang": {"zh": "zh-CN", "en": "en", "bilingual": "zh-CN"}[lang],
        "font_stack": FONT_STACK,
        "font_stack_latin": FONT_STACK_LATIN,
        "title": Message("人工智能算法合规审计报告", "AI algorithm compliance audit report"),
        "subtitle": Message(
            "依据《深圳经济特区人工智能产业促进条例》",
            "Under the Shenzhen Special Economic Zone "
            "Regulations on Promoting the Artificial Intelligence Industry",
        ),
        "system_name": result.metadata.get("system_name"),
        "verdict": result.verdict,
        "verdict_message": result.verdict_message,
        "counts": counts,
        "findings_sorted": findings_sorted,
        "system_rows": system_rows,
        "scope_rows": scope_rows,
        "grounds": grounds,
        "not_provided": not_provided,
        "intersections": intersections,
        "pricing": _pricing_page(result, lang),
        "explanation": _explanation_section(result, lang),
        "explanation_findings": [f for f in result.findings if f.article == "71"],
        "notice": result.notice_sections(),
        "governance": governance_page(result),
        "privacy": privacy_page(result),
        "tracking": None,
        "alpha": result.policy.significance_level,
        "min_group_size": result.policy.min_group_size,
        "ratio_min": fmt_ratio(result.policy.selection_rate_ratio_min),
        "method": method_paragraphs(result.scope, result.policy),
        "policy_rows": policy_rows,
        "manifest_rows": _manifest_rows(result),
        "content_sha256": result.content_sha256,
        "generated_at": result.manifest.get("generated_at"),
    }


def _pricing_page(result: AuditResult, lang: str) -> dict[str, Any] | None:
    if result.pricing is None:
        return None
    from ._pricing_report import pricing_section

    return pricing_section(result, lang)


def _explanation_chart(result: AuditResult, lang: str) -> str | None:
    """Share of the model's influence of the main factors, with intervals, coloured by
    direction (towards or against the favourable outcome)."""
    summary = result.explanation_summary
    if summary is None or not summary.factors:
        return None
    import matplotlib
    from matplotlib.figure import Figure

    factors = summary.factors[:10]
    shares = np.array([f.share for f in factors])
    low = np.array([f.share_low for f in factors])
    high = np.array([f.share_high for f in factors])
    colours = []
    for f in factors:
        sign = f.direction.get("sign", 0) if f.direction.get("kind") == "numeric" else 0
        colours.append("#1a7f37" if sign > 0 else "#b3261e" if sign < 0 else "#6e7781")
    labels = [_plain_text(_label(f.label, lang).replace("\n", " / ")) for f in factors]
    y = np.arange(len(factors))[::-1]
    with matplotlib.rc_context({"font.family": _mpl_font_family(), "font.size": 9}):
        fig = Figure(figsize=(7.5, 0.34 * len(factors) + 1.3), layout="constrained")
        ax = fig.subplots()
        ax.barh(y, shares, color=colours, height=0.6)
        ax.errorbar(
            shares,
            y,
            xerr=np.clip(np.vstack([shares - low, high - shares]), 0, None),
            fmt="none",
            ecolor="#222",
            elinewidth=0.8,
            capsize=2,
        )
        for yi, s, h in zip(y, shares, high, strict=True):
            ax.text(max(s, h) + 0.005, yi, fmt_pct(s), va="center", fontsize=8)
        ax.set_yticks(y, labels)
        ax.set_xlim(0, min(1.0, float(high.max()) * 1.25 + 0.02))
        ax.xaxis.set_major_formatter(lambda x, _pos: f"{100 * x:.0f}%")
        ax.set_xlabel(
            _label(Message("占模型全部影响的比例", "Share of the model's influence"), lang)
        )
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Glyph .* missing from", category=UserWarning)
            return figure_to_svg(fig, "chart-explanation")


def _explanation_section(result: AuditResult, lang: str) -> dict[str, Any] | None:
    summary = result.explanation_summary
    if summary is None:
        return None
    from ._explain_words import direction_sentence

    numeric_output = result.scope.task in ("regression", "pricing")
    rows = [
        {
            "label": f.label,
            "share": fmt_pct(f.share),
            "ci": f"{fmt_pct(f.share_low)}–{fmt_pct(f.share_high)}",
            "direction": direction_sentence(f.label, f.direction, numeric_output),
        }
        for f in summary.factors[:15]
    ]
    return {
        "sentences": summary.sentences,
        "chart": _explanation_chart(result, lang),
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
        "n_rows": summary.n_rows,
        "n_total": summary.n_total,
    }


def render_notice(
    result: AuditResult, sections: list[tuple[Message, list[Message]]], lang: str
) -> str:
    """The public algorithm notice as a standalone HTML page."""
    page = {
        "html_lang": {"zh": "zh-CN", "en": "en", "bilingual": "zh-CN"}[lang],
        "font_stack": FONT_STACK,
        "font_stack_latin": FONT_STACK_LATIN,
        "system_name": result.metadata.get("system_name"),
        "organisation": result.metadata.get("organisation"),
        "sections": sections,
    }
    return environment().get_template("notice.html.j2").render(page=page, lang=lang)


def render_report(
    result: AuditResult, lang: str = "bilingual", comparison: Comparison | None = None
) -> str:
    """Render the full HTML report for ``result`` (with an ex-post tracking section when a
    ``comparison`` with an earlier audit is given)."""
    page = build_page(result, lang)
    if comparison is not None:
        from .tracking import comparison_page

        page["tracking"] = comparison_page(comparison, lang)
    return environment().get_template("report.html.j2").render(page=page, lang=lang)


def render_notebook_summary(result: AuditResult) -> str:
    """A compact summary for notebooks: inline styles only, so nothing leaks into the page."""
    page = {
        "verdict": result.verdict,
        "verdict_message": result.verdict_message,
        "counts": [(Status(s), n) for s, n in result.status_counts.items() if n],
        "findings": sorted(result.findings, key=lambda f: f.status.severity),
        "n_rows": result.scope.n_rows,
    }
    return environment().get_template("notebook.html.j2").render(page=page)
