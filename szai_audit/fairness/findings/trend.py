"""Art. 72(2)(iv) along a numeric ground: the dose-response finding.

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
from ...core.judging import Measured, Verdict
from ...core.messages import Message
from ...core.policy import Policy
from ...core.trend import Trend, ends_compared, fit_lines
from .. import words
from ..checks import ARTICLE, MEAN_TREND, TREND
from ..words import Labels

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
    labels: Labels = None,
    column: str | None = None,
    name: Message | None = None,
) -> Finding | Measured:
    """The trend of ``outcome`` along the numeric ground ``value`` (NaN: unknown; data seen
    in parts: one entry per cell, see :func:`~szai_audit.core.trend.fit_trend`).
    ``scale="points"``: the 0/1 favourable decision against ``demographic_parity_max``
    (``fairness.trend``); ``"ratio"``: a prediction, the ends' fitted means against
    ``mean_prediction_ratio_min`` (``fairness.mean_prediction_trend``). ``design`` (the
    legitimate factors' columns) adds the line given the factors, written beside the raw one;
    ``labels`` (``feature_labels``) names them and gives the unit of ``column`` (``岁/years``);
    ``name`` is the favourable decision's (:func:`~szai_audit.fairness.words.rate_name`).

    >>> rng = np.random.default_rng(0); age = rng.uniform(20, 70, 4000)
    >>> approved = (rng.uniform(size=4000) < 0.9 - 0.006 * (age - 20)).astype(float)
    >>> m = trend_finding("age", age, approved, Policy())
    >>> [c.group for c in m.comparisons], round(m.comparisons[0].value, 2)
    (['P90 (64.7)', 'P10 (24.8)'], 0.26)
    """
    check = MEAN_TREND if scale == "ratio" else TREND
    threshold = (
        policy.mean_prediction_ratio_min if scale == "ratio" else policy.demographic_parity_max
    )
    fitted = _fits(ground, value, outcome, policy, check.id, threshold, design, weights, within)
    if isinstance(fitted, Finding):
        return fitted
    raw, adjusted = fitted
    if scale == "ratio" and not math.isfinite(raw.log_ratio()[0]):
        return _unmeasured(
            check.id, ground, threshold, Status.NOT_ASSESSED, words.msg_not_positive(ground)
        )
    level = policy.confidence_level
    compare = ends_compared(
        raw, scale=scale, threshold=threshold, level=level, higher_is_better=higher_is_better
    )

    beside = {c.group: c for c in compare(adjusted)} if adjusted is not None else {}

    def message(verdict: Verdict) -> Message:
        return words.msg_trend(
            ground,
            verdict,
            scale=scale,
            metric="mean_prediction" if scale == "ratio" else "favorable_rate",
            threshold=threshold,
            level=level,
            adjusted=beside.get(verdict.comparison.group),
            factors=factors,
            labels=labels,
            column=column,
            name=name,
        )

    details = _details(raw, adjusted, scale, factors)
    if name is not None:
        details["favorable_name"] = name.to_dict()
    return Measured(
        check=check.id,
        article=ARTICLE,
        ground=ground,
        threshold=threshold,
        direction=check.direction,
        comparisons=compare(raw),
        message=message,
        details=details,
    )


def _unmeasured(
    check: str, ground: str, threshold: float, status: Status, message: Message
) -> Finding:
    return Finding(
        check=check,
        article=ARTICLE,
        status=status,
        message=message,
        threshold=threshold,
        ground=ground,
    )


def _fits(
    ground: str,
    value: np.ndarray,
    outcome: np.ndarray,
    policy: Policy,
    check: str,
    threshold: float,
    design: np.ndarray | None,
    weights: np.ndarray | None,
    within: np.ndarray | None,
) -> tuple[Trend, Trend | None] | Finding:
    """The raw line and the line given the factors, or the finding saying why there is none."""
    try:
        return fit_lines(
            outcome, value, design, min_rows=policy.min_group_size, weights=weights, within=within
        )
    except InputError as e:
        reason = words.msg_trend_not_assessed(ground, Message(str(e), str(e)))
        return _unmeasured(check, ground, threshold, Status.INSUFFICIENT_DATA, reason)


def _details(
    raw: Trend, adjusted: Trend | None, scale: str, factors: Sequence[str]
) -> dict[str, object]:
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
    return details
