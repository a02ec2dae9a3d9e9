"""Article 72(4) along a numeric ground: the dose-response finding.

A numeric ground with many values (an age, a neighbourhood's share of residents of one
ethnicity) is cut into bins for the group checks; :func:`trend_finding` also reads the numbers
themselves: the straight line of the outcome on the attribute (HC1 robust standard errors),
read between its 10th and 90th percentiles, each end compared with the other under the
decision rule (:mod:`szai_audit.core.judging`). The raw line decides, as the group checks do;
the line given the legitimate factors is written beside it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from ...core.errors import InputError
from ...core.findings import Finding, Status
from ...core.judging import Comparison, Measured, Verdict
from ...core.messages import Message
from ...core.policy import Policy
from ...core.trend import Trend, fit_trend, trend_comparisons
from .. import words
from ..checks import ARTICLE, MEAN_TREND, TREND

__all__ = ["trend_finding"]


def trend_finding(
    ground: str,
    value: np.ndarray,
    outcome: np.ndarray,
    policy: Policy,
    *,
    scale: str = "points",
    higher_is_better: bool = True,
    design: np.ndarray | None = None,
    factors: Sequence[str] = (),
    weights: np.ndarray | None = None,
    within: np.ndarray | None = None,
) -> Finding | Measured:
    """The trend of ``outcome`` along the numeric ground ``value`` (one per row; NaN unknown;
    for data seen in parts, one per cell of ``weights`` rows, ``within`` their outcome's sum
    of squared deviations: see :func:`~szai_audit.core.trend.fit_trend`).

    ``scale="points"``: ``outcome`` is the 0/1 favourable decision and the tolerance is
    ``policy.demographic_parity_max`` (check ``fairness.trend``); ``scale="ratio"``: it is a
    numeric prediction, the ends compared by the ratio of their fitted means against
    ``policy.mean_prediction_ratio_min`` (check ``fairness.mean_prediction_trend``;
    ``higher_is_better`` says which side is favourable). ``design`` (the legitimate factors'
    regression columns, :class:`~szai_audit.core.conditional.PreparedFactors`) adds the line
    given the factors, written beside the raw one.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> age = rng.uniform(20, 70, 4000)
    >>> approved = (rng.uniform(size=4000) < 0.9 - 0.006 * (age - 20)).astype(float)
    >>> m = trend_finding("age", age, approved, Policy())
    >>> [c.group for c in m.comparisons], round(m.comparisons[0].value, 2)
    (['P90 (64.7)', 'P10 (24.8)'], 0.26)
    """
    check = MEAN_TREND if scale == "ratio" else TREND
    threshold = (
        policy.mean_prediction_ratio_min if scale == "ratio" else policy.demographic_parity_max
    )
    x = np.asarray(value, dtype=float)
    w = np.ones(len(x)) if weights is None else np.asarray(weights, dtype=float)
    known = round(float(w[np.isfinite(x)].sum()))
    try:
        if known < policy.min_group_size:
            raise InputError(f"{known} rows have a value; at least {policy.min_group_size}")
        raw = fit_trend(outcome, x, weights=weights, within=within)
        adjusted = None if design is None else fit_trend(outcome, x, design)
    except InputError as e:
        return Finding(
            check=check.id,
            article=ARTICLE,
            status=Status.INSUFFICIENT_DATA,
            message=words.msg_trend_not_assessed(ground, Message(str(e), str(e))),
            threshold=threshold,
            ground=ground,
        )
    if scale == "ratio" and not math.isfinite(raw.log_ratio()[0]):
        return Finding(
            check=check.id,
            article=ARTICLE,
            status=Status.NOT_ASSESSED,
            message=words.msg_not_positive(ground),
            threshold=threshold,
            ground=ground,
        )
    labels = (f"P10 ({raw.low:.3g})", f"P90 ({raw.high:.3g})")
    level = policy.confidence_level

    def compare(t: Trend) -> list[Comparison]:
        return trend_comparisons(
            t,
            scale=scale,
            threshold=threshold,
            level=level,
            labels=labels,
            higher_is_better=higher_is_better,
        )

    comparisons = compare(raw)
    beside = {c.group: c for c in compare(adjusted)} if adjusted is not None else {}
    metric = "mean_prediction" if scale == "ratio" else "favorable_rate"

    def message(verdict: Verdict) -> Message:
        return words.msg_trend(
            ground,
            verdict,
            scale=scale,
            metric=metric,
            threshold=threshold,
            level=level,
            adjusted=beside.get(verdict.comparison.group),
            factors=factors,
        )

    details: dict[str, object] = {
        "slope": raw.slope,
        "slope_se": raw.slope_se,
        "slope_p_value": raw.p_value,
        "p10": raw.low,
        "p90": raw.high,
        "rows": raw.n,
        "scale": scale,
    }
    if adjusted is not None:
        details |= {
            "factors": list(factors),
            "adjusted_slope": adjusted.slope,
            "adjusted_slope_se": adjusted.slope_se,
            "adjusted_slope_p_value": adjusted.p_value,
        }
    return Measured(
        check=check.id,
        article=ARTICLE,
        ground=ground,
        threshold=threshold,
        direction=check.direction,
        comparisons=comparisons,
        message=message,
        details=details,
    )
