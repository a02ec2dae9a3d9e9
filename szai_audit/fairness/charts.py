"""The Art. 72(2)(iv) charts: rates, mean predictions and calibration by group.

Each chart is a standalone matplotlib Figure turned into inline SVG (see
:mod:`szai_audit.core.charts`); :func:`plot_group_rates` draws on an ``ax`` the caller owns.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..core.charts import chart_style, despine, error_bars, figure_to_svg, plain_text, text_of
from ..core.data import group_label, is_missing_group_key
from ..core.messages import Message, fmt_amount, fmt_pct
from ..core.policy import Policy
from .metrics import GroupMetrics
from .words import METRIC_LABELS

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "ROUND_TICKS",
    "plot_group_rates",
    "rates_chart",
    "regression_chart",
    "reliability_chart",
]

#: The ticks of a share axis: round values only (0%, 20%, ... 100%).
ROUND_TICKS = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)


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
    tick_label: Callable[[str], str] | None = None,
) -> Axes:
    """Horizontal bar chart of one rate by group, on ``ax`` (a new Figure if None).

    ``tick_label`` turns a group's label (``"female"``, ``"female × yes"``) into the text
    shown (its display label, say); the label itself by default.

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
    values, den, bounds = _rate_values(gm, metric, favorable_is_positive, ci)
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
        error_bars(ax, vals[shown], y[shown], np.clip(np.nan_to_num(err), 0, None))
        right = np.where(np.isfinite(high), np.maximum(high, vals), vals)
    for yi, v, r, ok in zip(y, vals, right, shown, strict=True):
        text = fmt_pct(v) if ok else "—"
        ax.text((r if ok else 0) + 0.015, yi, text, va="center", fontsize=8, color="#222")
    _style_rate_axes(ax, keys, y, reference, metric, lang, tick_label)
    return ax


def _rate_values(
    gm: GroupMetrics, metric: str, favorable_is_positive: bool, ci: pd.DataFrame | None
) -> tuple[pd.Series, pd.Series, tuple[np.ndarray, np.ndarray] | None]:
    """The rate drawn per group, its denominators and its interval bounds (None without ci)."""
    base = "selection_rate" if metric == "favorable_rate" else metric
    values, den = gm.by_group[base], gm.denominators()[base]
    bounds = None
    if ci is not None:
        bounds = ci[(base, "low")].to_numpy(float), ci[(base, "high")].to_numpy(float)
    if metric == "favorable_rate" and not favorable_is_positive:
        values = 1.0 - values
        bounds = None if bounds is None else (1.0 - bounds[1], 1.0 - bounds[0])
    return values, den, bounds


def _style_rate_axes(
    ax: Axes,
    keys: list[Any],
    y: np.ndarray,
    reference: float | None,
    metric: str,
    lang: str,
    tick_label: Callable[[str], str] | None = None,
) -> None:
    """Group tick labels, limits, percentage axis, reference line and label of a rate chart."""
    name = tick_label or (lambda label: label)
    ax.set_yticks(y, [plain_text(name(group_label(k))) for k in keys])
    ax.set_ylim(-0.6, len(keys) - 0.4)
    ax.set_xlim(0, 1.18)
    ax.set_xticks(ROUND_TICKS)
    ax.xaxis.set_major_formatter(lambda x, _pos: f"{100 * x:.0f}%")
    if reference is not None and math.isfinite(reference):
        ax.axvline(reference, color="#b3261e", linestyle="--", linewidth=1)
    ax.set_xlabel(text_of(METRIC_LABELS[metric], lang), fontsize=9)
    ax.tick_params(labelsize=8)
    despine(ax)


def rates_chart(
    gm: GroupMetrics,
    chart_id: str,
    policy: Policy,
    lang: str,
    favorable_is_positive: bool,
    ci: pd.DataFrame | None,
    tick_label: Callable[[str], str] | None = None,
) -> str | None:
    """Bar charts of the compared rates with their intervals; None when fewer than two groups
    can be drawn, or too many to read (more than 40). ``tick_label``: see
    :func:`plot_group_rates`."""
    from matplotlib.figure import Figure

    min_size = policy.min_group_size
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
    with chart_style():
        fig = Figure(figsize=(3.0 * len(panels) + 1.2, 0.32 * n_groups + 1.4), layout="constrained")
        axes = fig.subplots(1, len(panels), sharey=True, squeeze=False)[0]
        for ax, metric in zip(axes, panels, strict=True):
            ref = policy.selection_rate_ratio_min * best
            plot_group_rates(
                gm,
                metric,
                ax=ax,
                min_group_size=min_size,
                favorable_is_positive=favorable_is_positive,
                reference=ref if metric == "favorable_rate" else None,
                lang=lang,
                ci=ci,
                tick_label=tick_label,
            )
        return figure_to_svg(fig, chart_id)


def regression_chart(
    rm: Any, chart_id: str, policy: Policy, lang: str, ci: pd.DataFrame | None
) -> str | None:
    """Mean prediction by group with intervals (groups below the minimum size left blank)."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    means = rm.by_group
    if (means["count"] >= policy.min_group_size).sum() < 2 or len(means) > 40:
        return None
    keys = list(means.index)
    shown = (means["count"] >= policy.min_group_size).to_numpy()
    vals = means["mean_prediction"].to_numpy(dtype=float)
    y = np.arange(len(keys))[::-1]
    with chart_style():
        fig = Figure(figsize=(6.5, 0.32 * len(keys) + 1.4), layout="constrained")
        ax = fig.subplots()
        ax.barh(y[shown], vals[shown], color="#3b6ea8", height=0.6)
        if ci is not None:
            lo = ci[("mean_prediction", "low")].to_numpy(float)
            hi = ci[("mean_prediction", "high")].to_numpy(float)
            err = np.vstack([vals - lo, hi - vals])[:, shown]
            error_bars(ax, vals[shown], y[shown], np.clip(np.nan_to_num(err), 0, None))
        for yi, v, ok in zip(y, vals, shown, strict=True):
            text = " " + (fmt_amount(v) if ok else "—")
            ax.text(v if ok else 0, yi, text, va="center", fontsize=8)
        ax.set_yticks(y, [plain_text(group_label(k)) for k in keys])
        ax.xaxis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]))
        ax.xaxis.set_major_formatter(lambda x, _pos: fmt_amount(x))
        ax.set_xlabel(text_of(METRIC_LABELS["mean_prediction"], lang), fontsize=9)
        despine(ax)
        return figure_to_svg(fig, chart_id)


def reliability_chart(
    sm: Any,
    min_size: int,
    lang: str,
    chart_id: str,
    tick_label: Callable[[str], str] | None = None,
) -> str | None:
    """Observed rate against mean score per bin, one line per group (bins of enough people);
    ``tick_label`` names a group in the legend (see :func:`plot_group_rates`)."""
    name = tick_label or (lambda label: label)
    from matplotlib.figure import Figure

    cal = sm.calibration[sm.calibration["count"] >= min_size]
    groups = [g for g in sm.by_group.index if (cal["group"] == g).sum() >= 2]
    if not groups:
        return None
    with chart_style():
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
                label=plain_text(name(str(g))),
            )
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_xticks(ROUND_TICKS)
        ax.set_yticks(ROUND_TICKS)
        ax.set_xlabel(
            text_of(Message("模型评分（预测比例）", "Model score (predicted rate)"), lang)
        )
        ax.set_ylabel(text_of(Message("实际比例", "Actual rate"), lang))
        ax.legend(fontsize=8, frameon=False)
        despine(ax)
        return figure_to_svg(fig, chart_id)
