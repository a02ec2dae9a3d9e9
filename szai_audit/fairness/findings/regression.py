"""Article 72(4) findings for numeric outputs: mean prediction, bias and error by group."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ...core.data import group_label, is_missing_group_key
from ...core.findings import Finding, Status
from ...core.judging import TOLERANCE, Measured, TableAssessment
from ...core.messages import Message
from ...core.policy import Policy
from ...core.stats import z_value
from .. import words
from ..checks import ARTICLE, MAE_RATIO, MEAN_PREDICTION_RATIO, MEAN_RESIDUAL
from ..regression import RegressionMetrics, welch_test


def _finding(
    check: str,
    ground: str,
    status: Status,
    message: Message,
    details: dict[str, object] | None = None,
) -> Finding:
    return Finding(
        check=check,
        article=ARTICLE,
        status=status,
        message=message,
        ground=ground,
        details=details or {},
    )


def assess_regression_table(
    key: str, rm: RegressionMetrics, policy: Policy, higher_is_favorable: bool
) -> TableAssessment:
    """The three numeric-output checks of one table (a ground or an intersection)."""
    frame, small = _regression_frame(rm, policy)
    items: list[Finding | Measured] = []
    level = policy.confidence_level
    z = z_value(level)
    if len(frame) < 2:
        for check, metric in (
            (MEAN_PREDICTION_RATIO.id, "mean_prediction"),
            (MEAN_RESIDUAL.id, "mean_residual"),
            (MAE_RATIO.id, "mae"),
        ):
            items.append(
                _finding(
                    check,
                    key,
                    Status.INSUFFICIENT_DATA,
                    words.msg_too_few_groups(key, metric, policy.min_group_size, small),
                    details={"suppressed": small},
                )
            )
        return TableAssessment(key, items, pd.DataFrame())

    # 1. Mean prediction ratio (lowest over highest), for positive predictions.
    items.append(_mean_prediction_item(key, frame, policy, higher_is_favorable, z, level))
    if not rm.has_outcomes:
        for check, metric in ((MEAN_RESIDUAL.id, "mean_residual"), (MAE_RATIO.id, "mae")):
            items.append(_finding(check, key, Status.NOT_ASSESSED, words.msg_no_outcomes(metric)))
        return TableAssessment(key, items, pd.DataFrame())

    # 2. Bias: difference of mean residuals, relative to the mean absolute actual value.
    items.append(_residual_item(key, rm, frame, policy, higher_is_favorable, z, level))
    # 3. Accuracy parity: lowest over highest mean absolute error.
    items.append(_mae_item(key, frame, policy, z, level))
    return TableAssessment(key, items, pd.DataFrame())


def _regression_frame(rm: RegressionMetrics, policy: Policy) -> tuple[pd.DataFrame, dict[str, int]]:
    """The per-group means and variances of the groups large enough to compare, and the rest."""
    means, var = rm.by_group, rm.variances()
    labels = [group_label(k) for k in means.index]
    ok = np.array(
        [
            n >= policy.min_group_size and not is_missing_group_key(k)
            for k, n in zip(means.index, means["count"], strict=True)
        ]
    )
    small = {
        lbl: int(n)
        for lbl, n, good, k in zip(labels, means["count"], ok, means.index, strict=True)
        if not good and not is_missing_group_key(k)
    }
    frame = pd.DataFrame(
        {
            "n": means["count"].to_numpy(dtype=float),
            **{m: means[m].to_numpy() for m in ("mean_prediction", "mean_residual", "mae")},
            **{f"var_{m}": var[m].to_numpy() for m in ("mean_prediction", "mean_residual", "mae")},
        },
        index=labels,
    )[ok]
    return frame, small


def _welch_p(frame: pd.DataFrame, a: str, b: str, metric: str) -> float:
    """Welch t-test p-value for the difference of one metric between two groups."""
    ra, rb = frame.loc[a], frame.loc[b]
    return welch_test(
        ra[metric], ra[f"var_{metric}"], ra["n"], rb[metric], rb[f"var_{metric}"], rb["n"]
    )[1]


def _group_se(frame: pd.DataFrame, group: str, metric: str) -> float:
    """Standard error of one group's mean of a metric."""
    r = frame.loc[group]
    return float(np.sqrt(r[f"var_{metric}"] / r["n"]))


def _mean_prediction_item(
    key: str,
    frame: pd.DataFrame,
    policy: Policy,
    higher_is_favorable: bool,
    z: float,
    level: float,
) -> Finding | Measured:
    """The mean prediction ratio check (lowest over highest), for positive predictions."""
    m = frame["mean_prediction"]
    if (m <= 0).any():
        return _finding(
            MEAN_PREDICTION_RATIO.id, key, Status.NOT_ASSESSED, words.msg_not_positive(key)
        )
    lo, hi = str(m.idxmin()), str(m.idxmax())
    worst, best = (lo, hi) if higher_is_favorable else (hi, lo)
    return _ratio_item(
        MEAN_PREDICTION_RATIO.id,
        key,
        "mean_prediction",
        lo,
        hi,
        worst,
        best,
        frame,
        policy.mean_prediction_ratio_min,
        z,
        level,
    )


def _residual_item(
    key: str,
    rm: RegressionMetrics,
    frame: pd.DataFrame,
    policy: Policy,
    higher_is_favorable: bool,
    z: float,
    level: float,
) -> Finding | Measured:
    """The bias check: difference of mean residuals over the mean absolute actual value."""
    scale = abs(float(rm.overall["mean_outcome"]))
    r = frame["mean_residual"]
    hi, lo = str(r.idxmax()), str(r.idxmin())
    if scale == 0 or not math.isfinite(scale):
        return _finding(MEAN_RESIDUAL.id, key, Status.NOT_ASSESSED, words.msg_not_positive(key))
    # Under-predicted (lowest residual) is worse off when higher values are favourable.
    worst, best = (lo, hi) if higher_is_favorable else (hi, lo)
    diff = float(r[hi] - r[lo])
    value = diff / scale
    se_hi, se_lo = _group_se(frame, hi, "mean_residual"), _group_se(frame, lo, "mean_residual")
    half = z * float(np.hypot(se_hi, se_lo)) / scale
    ci = (value - half, value + half)
    threshold = policy.mean_residual_difference_max

    def residual_message(status: Status, p: float) -> Message:
        return words.msg_residual(
            key,
            worst=worst,
            best=best,
            worst_value=float(r[worst]),
            best_value=float(r[best]),
            value=value,
            ci=ci,
            threshold=threshold,
            level=level,
            status=status.value,
            p_value=p,
        )

    return Measured(
        check=MEAN_RESIDUAL.id,
        article=ARTICLE,
        ground=key,
        value=value,
        threshold=threshold,
        over=value > threshold + TOLERANCE,
        ci=ci,
        p_raw=_welch_p(frame, hi, lo, "mean_residual"),
        worst=worst if diff > TOLERANCE else None,
        best=best if diff > TOLERANCE else None,
        message=residual_message,
        details={
            "metric": "mean_residual",
            "scale": scale,
            "test": "welch_t",
            "means": {k: float(v) for k, v in r.items()},
        },
    )


def _mae_item(
    key: str, frame: pd.DataFrame, policy: Policy, z: float, level: float
) -> Finding | Measured:
    """The accuracy parity check: lowest over highest mean absolute error."""
    e = frame["mae"]
    lo, hi = str(e.idxmin()), str(e.idxmax())
    if e[hi] <= 0:
        return _finding(MAE_RATIO.id, key, Status.PASS, words.msg_perfect(key))
    return _ratio_item(
        MAE_RATIO.id,
        key,
        "mae",
        lo,
        hi,
        hi,
        lo,
        frame,
        policy.mae_ratio_min,
        z,
        level,
    )


def _ratio_item(
    check: str,
    key: str,
    metric: str,
    lo: str,
    hi: str,
    worst: str,
    best: str,
    frame: pd.DataFrame,
    threshold: float,
    z: float,
    level: float,
) -> Measured:
    """Lowest over highest group mean, with a delta-method interval on the log scale."""
    means = frame[metric]
    value = float(means[lo] / means[hi])
    ci = None  # the log-scale interval needs a positive smaller mean
    if means[lo] > 0:
        se_lo, se_hi = _group_se(frame, lo, metric), _group_se(frame, hi, metric)
        se_log = float(np.hypot(se_lo / means[lo], se_hi / means[hi]))
        ci = (value * math.exp(-z * se_log), value * math.exp(z * se_log))
    tie = value >= 1 - TOLERANCE

    def message(status: Status, p: float) -> Message:
        return words.msg_mean_ratio(
            key,
            metric,
            worst=worst,
            best=best,
            worst_value=float(means[worst]),
            best_value=float(means[best]),
            value=value,
            ci=ci,
            threshold=threshold,
            level=level,
            status=status.value,
            p_value=p,
        )

    return Measured(
        check=check,
        article=ARTICLE,
        ground=key,
        value=value,
        threshold=threshold,
        over=value < threshold - TOLERANCE,
        ci=ci,
        p_raw=float(_welch_p(frame, lo, hi, metric)),
        worst=None if tie else worst,
        best=None if tie else best,
        message=message,
        details={
            "metric": metric,
            "test": "welch_t",
            "means": {k: float(v) for k, v in means.items()},
        },
    )
