"""Art. 72(2)(iv) findings for numeric outputs: mean prediction, bias and error by group."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd

from ...core.data import group_label, is_missing_group_key
from ...core.design import Design, log_ratio
from ...core.findings import Finding, Status
from ...core.judging import (
    Comparison,
    Measured,
    TableAssessment,
    Verdict,
    both_ways,
    normal_comparison,
)
from ...core.messages import Message
from ...core.policy import Policy
from .. import words
from ..checks import ARTICLE, MAE_RATIO, MEAN_PREDICTION_RATIO, MEAN_RESIDUAL
from ..regression import RegressionMetrics
from ..words import Labels

__all__ = ["assess_regression_table", "best_off"]


@dataclass(frozen=True)
class PredictionRows:
    """Every row's group and prediction, with the sampling design (``cluster=`` /
    ``weights=``), for the design-based mean prediction ratio."""

    labels: np.ndarray
    predictions: np.ndarray
    design: Design

    def weighted_means(self, groups: list[str]) -> dict[str, float]:
        """The weighted mean prediction of each group."""
        w = self.design.row_weights(len(self.predictions))
        out = {}
        for g in groups:
            mask = self.labels == g
            total = float(w[mask].sum())
            out[g] = float(w[mask] @ self.predictions[mask]) / total if total > 0 else math.nan
        return out


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
    key: str,
    rm: RegressionMetrics,
    policy: Policy,
    higher_is_favorable: bool,
    reference: str | None = None,
    rows: PredictionRows | None = None,
    factors: Sequence[str] = (),
    labels: Labels = None,
) -> TableAssessment:
    """The three numeric-output checks of one table (a ground or an intersection).

    With ``rows`` (given when ``cluster=`` or ``weights=`` was), the mean prediction ratio is
    of weighted means with the design-based error of its log
    (:func:`szai_audit.core.design.log_ratio`); the mean residual and the MAE checks take the
    rows as independent and unweighted. With legitimate ``factors`` the mean-prediction ratio
    is informative (never FAIL: the factors may explain it;
    ``fairness.mean_prediction_conditional`` measures the ratio given them), and its message
    says so, naming the factors by ``labels``.
    """
    frame, small = _regression_frame(rm, policy)
    if rows is not None:
        frame = frame.assign(mean_prediction=pd.Series(rows.weighted_means(list(frame.index))))
    items: list[Finding | Measured] = []
    level = policy.confidence_level
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
    items.append(
        _mean_prediction_item(
            key,
            frame,
            policy,
            higher_is_favorable,
            level,
            reference,
            _Unadjusted(factors, len(rm.sensitive_names) > 1, labels),
            rows,
        )
    )
    if not rm.has_outcomes:
        for check, metric in ((MEAN_RESIDUAL.id, "mean_residual"), (MAE_RATIO.id, "mae")):
            items.append(_finding(check, key, Status.NOT_ASSESSED, words.msg_no_outcomes(metric)))
        return TableAssessment(key, items, pd.DataFrame())

    # 2. Bias: difference of mean residuals, relative to the mean absolute actual value.
    items.append(_residual_item(key, rm, frame, policy, higher_is_favorable, level, reference))
    # 3. Accuracy parity: lowest over highest mean absolute error.
    items.append(_mae_item(key, frame, policy, level, reference))
    return TableAssessment(key, items, pd.DataFrame())


class _Unadjusted(NamedTuple):
    """The legitimate factors a raw mean-prediction ratio leaves out (none: it decides)."""

    factors: Sequence[str] = ()
    intersection: bool = False
    labels: Labels = None


#: A raw ratio without legitimate factors: it decides.
_DECIDES = _Unadjusted()


def best_off(rm: RegressionMetrics, policy: Policy, higher_is_favorable: bool) -> str | None:
    """The default reference of a table: the group of at least ``min_group_size`` rows with
    the most favourable mean prediction (None when there is none).

    >>> from szai_audit.fairness.regression import regression_metrics
    >>> rm = regression_metrics(None, [10.0] * 40 + [8.0] * 40, ["a"] * 40 + ["b"] * 40)
    >>> best_off(rm, Policy(), True), best_off(rm, Policy(), False)
    ('a', 'b')
    """
    means = _regression_frame(rm, policy)[0]["mean_prediction"]
    if means.empty:
        return None
    return _reference(-means if higher_is_favorable else means, None)[0]


def _regression_frame(rm: RegressionMetrics, policy: Policy) -> tuple[pd.DataFrame, dict[str, int]]:
    """The per-group means and variances of the groups large enough to compare, and the rest."""
    means, var = rm.by_group, rm.variances()
    labels = [group_label(k) for k in means.index]
    ok = rm.shown(policy.min_group_size) & np.array(
        [not is_missing_group_key(k) for k in means.index], dtype=bool
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


def _group_se(frame: pd.DataFrame, group: str, metric: str) -> float:
    """Standard error of one group's mean of a metric."""
    r = frame.loc[group]
    return float(np.sqrt(r[f"var_{metric}"] / r["n"]))


def _ratio_comparisons(
    frame: pd.DataFrame,
    metric: str,
    ref: str,
    harm_up: bool,
    threshold: float,
    level: float,
    rows: PredictionRows | None = None,
) -> list[Comparison]:
    """Each group's mean against the reference's, as smaller over larger on the harmful side
    (``harm_up``: a larger mean harms), tested on the log scale (delta method; with ``rows``,
    the design-based error of the log of the ratio of weighted means)."""
    means = frame[metric]
    out = []
    for g in frame.index:
        if g == ref:
            continue
        num, den = (means[ref], means[g]) if harm_up else (means[g], means[ref])
        extra: dict[str, object] = {}
        if rows is not None:
            gap = log_ratio(rows.predictions, rows.labels == g, rows.labels == ref, rows.design)
            se_log = gap.se
            extra = {"n_clusters": gap.n_clusters}
        else:
            se_log = float(
                np.hypot(
                    _group_se(frame, g, metric) / means[g],
                    _group_se(frame, ref, metric) / means[ref],
                )
            )
        out.append(
            normal_comparison(
                str(g),
                ref,
                float(num / den),
                se_log,
                threshold=threshold,
                direction="at_least",
                level=level,
                scale="log",
                method="normal_log" if rows is None else "design_log",
                size=int(frame.loc[g, "n"]),
                extra={"mean": float(means[g]), "reference_mean": float(means[ref]), **extra},
            )
        )
    return out


def _reference(harm: pd.Series, chosen: str | None) -> tuple[str | None, str]:
    if chosen is not None:
        return (chosen, "chosen") if chosen in harm.index else (None, "chosen")
    return str(harm.idxmin()), "best_off"


def _ratio_measured(
    check: str,
    key: str,
    metric: str,
    frame: pd.DataFrame,
    harm_up: bool,
    threshold: float,
    level: float,
    chosen: str | None,
    min_size: int,
    unadjusted: _Unadjusted = _DECIDES,
    rows: PredictionRows | None = None,
) -> Finding | Measured:
    """Smaller over larger mean, every group against the reference; informative when
    ``unadjusted`` names legitimate factors it leaves out."""
    means = frame[metric]
    ref, rule = _reference(means if harm_up else -means, chosen)
    if ref is None:
        return _reference_missing(check, key, metric, str(chosen), min_size)
    comparisons = _ratio_comparisons(frame, metric, ref, harm_up, threshold, level, rows)
    if rule == "chosen":  # the user's reference may itself be the group worse off
        comparisons = both_ways(comparisons, threshold=threshold, direction="at_least", level=level)

    def message(verdict: Verdict) -> Message:
        c = verdict.comparison
        return words.msg_mean_ratio(
            key,
            metric,
            worst=c.group,
            best=c.reference,
            worst_value=c.extra["mean"],
            best_value=c.extra["reference_mean"],
            value=c.value,
            ci=c.ci,
            threshold=threshold,
            level=level,
            verdict=verdict,
            factors=unadjusted.factors,
            intersection=unadjusted.intersection,
            labels=unadjusted.labels,
        )

    return Measured(
        check=check,
        article=ARTICLE,
        ground=key,
        threshold=threshold,
        direction="at_least",
        comparisons=comparisons,
        message=message,
        details={
            "metric": metric,
            "reference_rule": rule,
            "means": {k: float(v) for k, v in means.items()},
            **({"unadjusted_for": list(unadjusted.factors)} if unadjusted.factors else {}),
        },
        informative=bool(unadjusted.factors),
    )


def _reference_missing(check: str, key: str, metric: str, reference: str, min_size: int) -> Finding:
    return _finding(
        check,
        key,
        Status.INSUFFICIENT_DATA,
        words.msg_reference_too_small(key, metric, reference, min_size),
    )


def _mean_prediction_item(
    key: str,
    frame: pd.DataFrame,
    policy: Policy,
    higher_is_favorable: bool,
    level: float,
    chosen: str | None,
    unadjusted: _Unadjusted,
    rows: PredictionRows | None = None,
) -> Finding | Measured:
    """The mean prediction ratio check, for positive predictions."""
    if (frame["mean_prediction"] <= 0).any():
        return _finding(
            MEAN_PREDICTION_RATIO.id, key, Status.NOT_ASSESSED, words.msg_not_positive(key)
        )
    return _ratio_measured(
        MEAN_PREDICTION_RATIO.id,
        key,
        "mean_prediction",
        frame,
        not higher_is_favorable,
        policy.mean_prediction_ratio_min,
        level,
        chosen,
        policy.min_group_size,
        unadjusted,
        rows,
    )


def _residual_item(
    key: str,
    rm: RegressionMetrics,
    frame: pd.DataFrame,
    policy: Policy,
    higher_is_favorable: bool,
    level: float,
    chosen: str | None,
) -> Finding | Measured:
    """The bias check: the gap in mean residuals over the mean absolute actual value."""
    scale = abs(float(rm.overall["mean_outcome"]))
    if scale == 0 or not math.isfinite(scale):
        return _finding(MEAN_RESIDUAL.id, key, Status.NOT_ASSESSED, words.msg_not_positive(key))
    r = frame["mean_residual"]
    # Under-predicted (a lower residual) is worse off when higher values are favourable.
    harm = -r if higher_is_favorable else r
    ref, rule = _reference(harm, chosen)
    if ref is None:
        return _reference_missing(
            MEAN_RESIDUAL.id, key, "mean_residual", str(chosen), policy.min_group_size
        )
    threshold = policy.mean_residual_difference_max
    comparisons = [
        normal_comparison(
            str(g),
            ref,
            float(harm[g] - harm[ref]) / scale,
            float(
                np.hypot(
                    _group_se(frame, g, "mean_residual"), _group_se(frame, ref, "mean_residual")
                )
            )
            / scale,
            threshold=threshold,
            direction="at_most",
            level=level,
            size=int(frame.loc[g, "n"]),
        )
        for g in frame.index
        if g != ref
    ]
    if rule == "chosen":
        comparisons = both_ways(comparisons, threshold=threshold, direction="at_most", level=level)

    def message(verdict: Verdict) -> Message:
        c = verdict.comparison
        return words.msg_residual(
            key,
            worst=c.group,
            best=c.reference,
            worst_value=float(r[c.group]),
            best_value=float(r[c.reference]),
            value=c.value,
            ci=c.ci or (float("nan"), float("nan")),
            threshold=threshold,
            level=level,
            verdict=verdict,
        )

    return Measured(
        check=MEAN_RESIDUAL.id,
        article=ARTICLE,
        ground=key,
        threshold=threshold,
        direction="at_most",
        comparisons=comparisons,
        message=message,
        details={
            "metric": "mean_residual",
            "scale": scale,
            "reference_rule": rule,
            "means": {k: float(v) for k, v in r.items()},
        },
    )


def _mae_item(
    key: str, frame: pd.DataFrame, policy: Policy, level: float, chosen: str | None
) -> Finding | Measured:
    """The accuracy parity check: smaller over larger mean absolute error."""
    if frame["mae"].max() <= 0:
        return _finding(MAE_RATIO.id, key, Status.PASS, words.msg_perfect(key))
    if (frame["mae"] <= 0).any():
        return _finding(MAE_RATIO.id, key, Status.NOT_ASSESSED, words.msg_not_positive(key))
    return _ratio_measured(
        MAE_RATIO.id,
        key,
        "mae",
        frame,
        True,
        policy.mae_ratio_min,
        level,
        chosen,
        policy.min_group_size,
    )
