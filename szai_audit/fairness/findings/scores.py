"""Article 72(4) findings on scores: ranking quality (AUC) and calibration by group."""

from __future__ import annotations

import numpy as np

from ...core.findings import Finding, Status
from ...core.judging import TOLERANCE, Judgeable, Measured
from ...core.messages import Message
from ...core.policy import Policy
from ...core.stats import normal_p_value, z_value
from .. import words
from ..checks import ARTICLE, AUC, CALIBRATION
from ..scores import ScoreMetrics

#: A group's AUC is compared only with at least this many actual positives and negatives.
MIN_CLASS_COUNT = 5


def _not_assessed(check: str, ground: str, message: Message) -> Finding:
    return Finding(
        check=check, article=ARTICLE, status=Status.NOT_ASSESSED, message=message, ground=ground
    )


def score_findings(
    sm: ScoreMetrics | None,
    ground: str,
    policy: Policy,
    *,
    has_outcomes: bool,
    has_scores: bool,
    favorable_is_positive: bool,
    positive_label: object,
) -> list[Finding | Judgeable]:
    """AUC and calibration comparisons of one ground (pending the audit-wide correction)."""
    if not has_scores:
        reason = words.msg_no_scores()
        return [_not_assessed(c, ground, reason) for c in (AUC.id, CALIBRATION.id)]
    if not has_outcomes or sm is None:
        return [
            _not_assessed(AUC.id, ground, words.msg_no_outcomes("auc")),
            _not_assessed(CALIBRATION.id, ground, words.msg_no_outcomes("calibration_offset")),
        ]
    return [
        _auc(sm, ground, policy),
        _calibration(sm, ground, policy, favorable_is_positive, positive_label),
    ]


def _too_few(check: str, ground: str, metric: str, sm: ScoreMetrics, policy: Policy) -> Finding:
    small = {str(g): int(c) for g, c in sm.by_group["count"].items() if c < policy.min_group_size}
    return Finding(
        check=check,
        article=ARTICLE,
        status=Status.INSUFFICIENT_DATA,
        message=words.msg_too_few_groups(ground, metric, policy.min_group_size, small),
        ground=ground,
        details={"suppressed": small},
    )


def _auc(sm: ScoreMetrics, ground: str, policy: Policy) -> Finding | Judgeable:
    g = sm.by_group
    ok = (
        (g["count"] >= policy.min_group_size)
        & (g["positives"] >= MIN_CLASS_COUNT)
        & (g["negatives"] >= MIN_CLASS_COUNT)
        & g["auc"].notna()
        & (g.index != "(missing)")
    )
    comp = g[ok]
    if len(comp) < 2:
        return _too_few(AUC.id, ground, "auc", sm, policy)
    worst, best = str(comp["auc"].idxmin()), str(comp["auc"].idxmax())
    value = float(comp.loc[best, "auc"] - comp.loc[worst, "auc"])
    se = float(np.hypot(comp.loc[best, "auc_se"], comp.loc[worst, "auc_se"]))
    z = z_value(policy.confidence_level)
    ci = (value - z * se, value + z * se)
    p_raw = float(normal_p_value(value, se)[0])
    threshold = policy.auc_difference_max
    tie = value <= TOLERANCE
    worst_auc, best_auc = float(comp.loc[worst, "auc"]), float(comp.loc[best, "auc"])

    def message(status: Status, p_adjusted: float) -> Message:
        return words.msg_auc(
            ground,
            worst=worst,
            best=best,
            worst_auc=worst_auc,
            best_auc=best_auc,
            value=value,
            ci=ci,
            threshold=threshold,
            level=policy.confidence_level,
            status=status.value,
            p_value=p_adjusted,
        )

    return Measured(
        check=AUC.id,
        article=ARTICLE,
        ground=ground,
        value=value,
        threshold=threshold,
        over=value > threshold + TOLERANCE,
        ci=ci,
        p_raw=p_raw,
        worst=None if tie else worst,
        best=None if tie else best,
        message=message,
        details={
            "metric": "auc",
            "auc": {str(k): float(v) for k, v in comp["auc"].items()},
            "test": "delong_z",
        },
    )


def _calibration(
    sm: ScoreMetrics,
    ground: str,
    policy: Policy,
    favorable_is_positive: bool,
    positive_label: object,
) -> Finding | Judgeable:
    if not sm.probabilities:
        return _not_assessed(CALIBRATION.id, ground, words.msg_scores_not_probabilities())
    g = sm.by_group
    comp = g[(g["count"] >= policy.min_group_size) & (g.index != "(missing)")]
    if len(comp) < 2:
        return _too_few(CALIBRATION.id, ground, "calibration_offset", sm, policy)
    hi, lo = str(comp["calibration_offset"].idxmax()), str(comp["calibration_offset"].idxmin())
    # Under-scored (actual outcomes above the scores) is worse off when positive is favourable.
    worst, best = (hi, lo) if favorable_is_positive else (lo, hi)
    value = float(comp.loc[hi, "calibration_offset"] - comp.loc[lo, "calibration_offset"])
    se = float(np.hypot(comp.loc[hi, "calibration_se"], comp.loc[lo, "calibration_se"]))
    z = z_value(policy.confidence_level)
    ci = (value - z * se, value + z * se)
    p_raw = float(normal_p_value(value, se)[0])  # the same quantity as the value and interval
    threshold = policy.calibration_difference_max
    tie = value <= TOLERANCE
    offsets = {str(k): float(v) for k, v in comp["calibration_offset"].items()}

    def message(status: Status, p_adjusted: float) -> Message:
        return words.msg_calibration(
            ground,
            worst=worst,
            best=best,
            worst_offset=offsets[worst],
            best_offset=offsets[best],
            value=value,
            ci=ci,
            threshold=threshold,
            level=policy.confidence_level,
            status=status.value,
            p_value=p_adjusted,
            positive_label=positive_label,
        )

    return Measured(
        check=CALIBRATION.id,
        article=ARTICLE,
        ground=ground,
        value=value,
        threshold=threshold,
        over=value > threshold + TOLERANCE,
        ci=ci,
        p_raw=p_raw,
        worst=None if tie else worst,
        best=None if tie else best,
        message=message,
        details={"metric": "calibration_offset", "offsets": offsets, "test": "z"},
    )
