"""The Art. 72(2)(iv) charts: rates, mean predictions and calibration by group.

The report's charts are written as SVG directly (:mod:`szai_audit.core.svg`);
:func:`plot_group_rates` draws the same rate panels with matplotlib on an ``ax`` the caller
owns.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..core.catalog import say
from ..core.charts import (
    despine,
    error_bars,
    mpl_font_family,
    nice_ticks,
    plain_text,
    text_of,
    warn_without_cjk_font,
)
from ..core.data import group_label, is_missing_group_key
from ..core.messages import Message, fmt_amount, fmt_pct
from ..core.policy import Policy
from ..core.svg import BAR, MISSING_BAR, REFERENCE, Canvas, Frame, bar_rows, text_width
from .metrics import GroupMetrics
from .words import METRIC_LABELS, metric_label

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
    name: Message | None = None,
) -> Axes:
    """Horizontal bar chart of one rate by group, on ``ax`` (a new Figure if None).

    ``tick_label`` turns a group's label (``"female"``, ``"female × yes"``) into the text
    shown (its display label, say); the label itself by default.

    No pyplot state is touched: without ``ax`` a standalone ``matplotlib.figure.Figure`` is
    created. Every group has a row, in the order of ``gm.by_group`` (so panels drawn with
    ``sharey=True`` line up); a group whose rate rests on fewer than ``min_group_size`` people,
    or is undefined, gets no bar but a "—". Labels are plain text (``$`` is not mathtext).

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
    name : Message, optional
        The favourable decision's name: its rate's axis says 低风险比例 / Low risk rate.

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
    values, shown, bounds = _rate_values(gm, metric, favorable_is_positive, ci, min_group_size)
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
    fonts = mpl_font_family()  # CJK fonts first: Chinese labels drawn, not empty boxes
    for yi, v, r, ok in zip(y, vals, right, shown, strict=True):
        text = fmt_pct(v) if ok else "—"
        ax.text(
            (r if ok else 0) + 0.015, yi, text, va="center", fontsize=8, color="#222",
            fontfamily=fonts,
        )  # fmt: skip
    _style_rate_axes(ax, keys, y, reference, metric_label(metric, name), lang, tick_label)
    return ax


def _rate_values(
    gm: GroupMetrics,
    metric: str,
    favorable_is_positive: bool,
    ci: pd.DataFrame | None,
    min_size: int,
) -> tuple[pd.Series, np.ndarray, tuple[np.ndarray, np.ndarray] | None]:
    """The rate drawn per group, whether it is shown (:meth:`GroupMetrics.shown`, and not
    NaN) and its interval bounds (None without ci; NaN where not shown)."""
    base = "selection_rate" if metric == "favorable_rate" else metric
    values = gm.by_group[base]
    shown = gm.shown(min_size)[base].to_numpy() & values.notna().to_numpy()
    bounds = None
    if ci is not None:
        low, high = ci[(base, "low")].to_numpy(float), ci[(base, "high")].to_numpy(float)
        bounds = np.where(shown, low, np.nan), np.where(shown, high, np.nan)
    if metric == "favorable_rate" and not favorable_is_positive:
        values = 1.0 - values
        bounds = None if bounds is None else (1.0 - bounds[1], 1.0 - bounds[0])
    return values, shown, bounds


def _style_rate_axes(
    ax: Axes,
    keys: list[Any],
    y: np.ndarray,
    reference: float | None,
    axis_label: Message,
    lang: str,
    tick_label: Callable[[str], str] | None = None,
) -> None:
    """Group tick labels, limits, percentage axis, reference line and label of a rate chart."""
    name = tick_label or (lambda label: label)
    fonts = mpl_font_family()
    labels = [plain_text(name(group_label(k))) for k in keys]
    warn_without_cjk_font([*labels, text_of(axis_label, lang)])
    ax.set_yticks(y, labels, fontfamily=fonts)
    ax.set_ylim(-0.6, len(keys) - 0.4)
    ax.set_xlim(0, 1.18)
    ax.set_xticks(ROUND_TICKS)
    ax.xaxis.set_major_formatter(lambda x, _pos: f"{100 * x:.0f}%")
    if reference is not None and math.isfinite(reference):
        ax.axvline(reference, color="#b3261e", linestyle="--", linewidth=1)
    ax.set_xlabel(text_of(axis_label, lang), fontsize=9, fontfamily=fonts)
    for label in ax.get_xticklabels():
        label.set_fontfamily(fonts)
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
    name: Message | None = None,
) -> str | None:
    """Bar charts of the compared rates with their intervals, written as SVG directly (a few
    milliseconds, where the same chart through matplotlib took 0.1-0.25 s); None when fewer
    than two groups can be drawn, or too many to read (more than 40). ``tick_label``: see
    :func:`plot_group_rates`, which draws the same panels on a matplotlib ``ax``; ``name``:
    the favourable decision's, which names its rate (:func:`~.words.rate_name`)."""
    min_size = policy.min_group_size
    not_missing = np.array([not is_missing_group_key(k) for k in gm.by_group.index])
    comparable = gm.shown(min_size)["selection_rate"].to_numpy() & not_missing
    if comparable.sum() < 2 or len(gm.by_group) > 40:
        return None
    sel = gm.by_group["selection_rate"][comparable]
    best = float((sel if favorable_is_positive else 1.0 - sel).max())
    panels = ["favorable_rate"]
    if gm.has_outcomes:
        panels += ["true_positive_rate", "false_positive_rate"]
    tick = tick_label or (lambda label: label)
    keys = list(gm.by_group.index)
    labels = [tick(group_label(k)) for k in keys]
    titles = [text_of(metric_label(m, name), lang).split("\n") for m in panels]
    row, size = 22.0, 8.0
    label_room = max(text_width(t, size) for t in labels) + 10
    panel, gap = 200.0, 22.0
    lines = max(len(t) for t in titles)
    height = 8 + row * len(keys) + 5 + 1.2 * size + 1.2 * 9 * lines + 8
    canvas = Canvas(label_room + len(panels) * (panel + gap), height)
    ticks = [(t, f"{100 * t:.0f}%") for t in ROUND_TICKS]
    for p, metric in enumerate(panels):
        frame = Frame(
            label_room + p * (panel + gap), 8, panel, row * len(keys), 0, 1.18, -0.6,
            len(keys) - 0.4,
        )  # fmt: skip
        values, shown, bounds = _rate_values(gm, metric, favorable_is_positive, ci, min_size)
        vals = np.where(shown, values.to_numpy(dtype=float), np.nan)
        if p == 0:
            frame.row_labels(canvas, labels, size)
        bar_rows(
            canvas,
            frame,
            vals.tolist(),
            [MISSING_BAR if is_missing_group_key(k) else BAR for k in keys],
            [fmt_pct(v) if ok else "—" for v, ok in zip(vals, shown, strict=True)],
            None if bounds is None else list(zip(bounds[0], bounds[1], strict=True)),
            size,
        )
        if metric == "favorable_rate":
            ref = policy.selection_rate_ratio_min * best
            if math.isfinite(ref):
                canvas.line(
                    frame.x(ref), frame.top, frame.x(ref), frame.bottom, REFERENCE, 1.0, "4 2"
                )
        frame.axes(canvas)
        frame.x_ticks(canvas, ticks, size)
        frame.x_label(canvas, titles[p])
    title = " / ".join(" ".join(t) for t in titles)
    return canvas.svg(chart_id, title)


def regression_chart(
    rm: Any, chart_id: str, policy: Policy, lang: str, ci: pd.DataFrame | None
) -> str | None:
    """Mean prediction by group with intervals (groups below the minimum size left blank),
    written as SVG directly."""
    means = rm.by_group
    shown = rm.shown(policy.min_group_size)
    if shown.sum() < 2 or len(means) > 40:
        return None
    keys = list(means.index)
    vals = np.where(shown, means["mean_prediction"].to_numpy(dtype=float), np.nan)
    bounds = None
    if ci is not None:
        lo = np.where(shown, ci[("mean_prediction", "low")].to_numpy(float), np.nan)
        hi = np.where(shown, ci[("mean_prediction", "high")].to_numpy(float), np.nan)
        bounds = list(zip(lo, hi, strict=True))
    ends = [v for v in vals if np.isfinite(v)]
    if bounds is not None:
        ends += [b for i, pair in enumerate(bounds) if shown[i] for b in pair if np.isfinite(b)]
    low, high = min(0.0, *ends), max(0.0, *ends)
    span = (high - low) or 1.0
    low, high = (low - 0.05 * span if low < 0 else 0.0), high + 0.18 * span
    labels = [group_label(k) for k in keys]
    title = text_of(METRIC_LABELS["mean_prediction"], lang)
    lines = title.split("\n")
    row, size = 22.0, 8.0
    left = max(text_width(t, size) for t in labels) + 10
    canvas = Canvas(
        left + 440 + 20, 8 + row * len(keys) + 5 + 1.2 * size + 1.2 * 9 * len(lines) + 8
    )
    frame = Frame(left, 8, 440, row * len(keys), low, high, -0.6, len(keys) - 0.4)
    frame.row_labels(canvas, labels, size)
    bar_rows(
        canvas, frame, vals.tolist(), [BAR] * len(keys),
        [fmt_amount(v) if ok else "—" for v, ok in zip(vals, shown, strict=True)],
        bounds, size,
    )  # fmt: skip
    frame.axes(canvas)
    frame.x_ticks(canvas, [(t, fmt_amount(t)) for t in nice_ticks(low, high, 5)], size)
    frame.x_label(canvas, lines)
    return canvas.svg(chart_id, title.replace("\n", " "))


#: The colours of the groups' lines (matplotlib's default cycle, as the charts drawn with it).
LINE_COLOURS = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
)  # fmt: skip


def reliability_chart(
    sm: Any,
    shown: np.ndarray,
    lang: str,
    chart_id: str,
    tick_label: Callable[[str], str] | None = None,
) -> str | None:
    """Observed rate against mean score per bin, one line per group (the bins ``shown``,
    :meth:`~szai_audit.fairness.scores.ScoreMetrics.bins_shown`), written as SVG directly;
    ``tick_label`` names a group in the legend (see
    :func:`plot_group_rates`)."""
    name = tick_label or (lambda label: label)
    cal = sm.calibration[np.asarray(shown, dtype=bool)]
    groups = [g for g in sm.by_group.index if (cal["group"] == g).sum() >= 2]
    if not groups:
        return None
    x_title = text_of(say("fairness.reliability_chart.model_score_predicted_rate"), lang)
    y_title = text_of(say("fairness.reliability_chart.actual_rate"), lang)
    size, side = 8.0, 230.0
    y_lines, x_lines = y_title.split("\n"), x_title.split("\n")
    left = 12 + 1.2 * 9 * len(y_lines) + text_width("100%", size) + 8
    canvas = Canvas(left + side + 12, 10 + side + 5 + 1.2 * size + 1.2 * 9 * len(x_lines) + 8)
    frame = Frame(left, 10, side, side, 0.0, 1.0, 0.0, 1.0)
    ticks = [(t, f"{100 * t:.0f}%") for t in ROUND_TICKS]
    canvas.line(frame.x(0), frame.y(0), frame.x(1), frame.y(1), MISSING_BAR, 1.0, "4 2")
    legend_y = frame.top + 8
    for i, g in enumerate(groups):
        colour = LINE_COLOURS[i % len(LINE_COLOURS)]
        part = cal[cal["group"] == g].sort_values("bin")
        points = [
            (frame.x(float(x)), frame.y(float(y)))
            for x, y in zip(part["mean_score"], part["observed_rate"], strict=True)
        ]
        canvas.polyline(points, colour, 1.2)
        for x, y in points:
            canvas.circle(x, y, 1.8, colour)
        canvas.line(frame.left + 8, legend_y, frame.left + 24, legend_y, colour, 1.2)
        canvas.circle(frame.left + 16, legend_y, 1.8, colour)
        canvas.text(frame.left + 28, legend_y, name(str(g)), size=size)
        legend_y += 1.4 * size
    frame.axes(canvas)
    frame.x_ticks(canvas, ticks, size)
    frame.y_ticks(canvas, ticks, size)
    frame.x_label(canvas, x_lines)
    x = 12
    for line in y_lines:  # read upwards, the first line outermost
        canvas.text(x, frame.top + side / 2, line, size=9, anchor="middle", rotate=True)
        x += 1.2 * 9
    return canvas.svg(chart_id, f"{x_title} / {y_title}".replace("\n", " "))
