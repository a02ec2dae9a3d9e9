"""Art. 72(2)(iv) findings on scores: ranking quality (AUC) and calibration by group."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ...core.findings import Finding, Status
from ...core.judging import Judgeable, Measured, Verdict, both_ways, normal_comparison
from ...core.messages import Message
from ...core.policy import Policy
from .. import words
from ..checks import ARTICLE, AUC, CALIBRATION
from ..scores import ScoreMetrics


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
    reference: str | None = None,
) -> list[Finding | Judgeable]:
    """AUC and calibration comparisons of one ground (pending the correction of their family):
    each group against ``reference``, else against the best-off group."""
    if not has_scores:
        reason = words.msg_no_scores()
        return [_not_assessed(c, ground, reason) for c in (AUC.id, CALIBRATION.id)]
    if not has_outcomes or sm is None:
        return [
            _not_assessed(AUC.id, ground, words.msg_no_outcomes("auc")),
            _not_assessed(CALIBRATION.id, ground, words.msg_no_outcomes("calibration_offset")),
        ]
    return [
        _auc(sm, ground, policy, reference),
        _calibration(sm, ground, policy, favorable_is_positive, positive_label, reference),
    ]


def _too_few(
    check: str, ground: str, metric: str, sizes: pd.Series, policy: Policy, shown: Any = None
) -> Finding:
    """INSUFFICIENT_DATA: fewer than two groups shown (``shown``; by default those of at
    least ``policy.min_group_size``)."""
    ok = sizes >= policy.min_group_size if shown is None else np.asarray(shown, dtype=bool)
    small = {str(g): int(c) for (g, c), o in zip(sizes.items(), ok, strict=True) if not o}
    return Finding(
        check=check,
        article=ARTICLE,
        status=Status.INSUFFICIENT_DATA,
        message=words.msg_too_few_groups(ground, metric, policy.min_group_size, small),
        ground=ground,
        details={"suppressed": small},
    )


def _pick_reference(harm: pd.Series, chosen: str | None) -> tuple[str | None, str]:
    """The user's reference (None when it is not comparable), else the least harmed group."""
    if chosen is not None:
        return (chosen, "chosen") if chosen in harm.index else (None, "chosen")
    return str(harm.idxmin()), "best_off"


def _auc(sm: ScoreMetrics, ground: str, policy: Policy, chosen: str | None) -> Finding | Judgeable:
    g = sm.by_group
    # The check's minimum (the registry's): both classes reach the minimum group size. A group
    # whose figures are withheld is given by its number of people (its numbers of positives
    # and negatives would tell its outcomes).
    visible = sm.shown(policy.min_group_size)
    sizes = pd.Series(
        np.where(visible, np.minimum(g["positives"], g["negatives"]), g["count"]), index=g.index
    )
    ok = visible & (sizes >= policy.min_group_size) & g["auc"].notna() & (g.index != "(missing)")
    comp = g[ok]
    threshold = policy.auc_difference_max
    if len(comp) < 2:
        present = g.index != "(missing)"
        return _too_few(AUC.id, ground, "auc", sizes[present], policy, ok[present])
    ref, rule = _pick_reference(-comp["auc"], chosen)
    if ref is None:
        return _reference_too_small(AUC.id, ground, "auc", str(chosen), policy)
    level = policy.confidence_level
    comparisons = [
        normal_comparison(
            str(k),
            ref,
            float(comp.loc[ref, "auc"] - comp.loc[k, "auc"]),
            float(np.hypot(comp.loc[ref, "auc_se"], comp.loc[k, "auc_se"])),
            threshold=threshold,
            direction="at_most",
            level=level,
            method="delong_z",
            size=int(sizes[k]),
            extra={"auc": float(comp.loc[k, "auc"]), "reference_auc": float(comp.loc[ref, "auc"])},
        )
        for k in comp.index
        if k != ref
    ]
    if rule == "chosen":  # the user's reference may itself be the group worse off
        comparisons = both_ways(comparisons, threshold=threshold, direction="at_most", level=level)

    def message(verdict: Verdict) -> Message:
        c = verdict.comparison
        return words.msg_auc(
            ground,
            worst=c.group,
            best=c.reference,
            worst_auc=c.extra["auc"],
            best_auc=c.extra["reference_auc"],
            value=c.value,
            ci=c.ci or (float("nan"), float("nan")),
            threshold=threshold,
            level=level,
            verdict=verdict,
        )

    return Measured(
        check=AUC.id,
        article=ARTICLE,
        ground=ground,
        threshold=threshold,
        direction="at_most",
        comparisons=comparisons,
        message=message,
        details={
            "metric": "auc",
            "auc": {str(k): float(v) for k, v in comp["auc"].items()},
            "reference_rule": rule,
        },
    )


def _reference_too_small(
    check: str, ground: str, metric: str, reference: str, policy: Policy
) -> Finding:
    """The chosen reference group is below the check's minimum: the data cannot support it."""
    return Finding(
        check=check,
        article=ARTICLE,
        status=Status.INSUFFICIENT_DATA,
        message=words.msg_reference_too_small(ground, metric, reference, policy.min_group_size),
        ground=ground,
    )


def _calibration(
    sm: ScoreMetrics,
    ground: str,
    policy: Policy,
    favorable_is_positive: bool,
    positive_label: object,
    chosen: str | None,
) -> Finding | Judgeable:
    if not sm.probabilities:
        return _not_assessed(CALIBRATION.id, ground, words.msg_scores_not_probabilities())
    g = sm.by_group
    sizes = g["count"]
    comp = g[sm.shown(policy.min_group_size) & (g.index != "(missing)")]
    if len(comp) < 2:
        shown = sm.shown(policy.min_group_size)
        return _too_few(CALIBRATION.id, ground, "calibration_offset", sizes, policy, shown)
    # Under-scored (actual outcomes above the scores) is worse off when positive is favourable.
    sign = 1.0 if favorable_is_positive else -1.0
    harm = sign * comp["calibration_offset"]
    ref, rule = _pick_reference(harm, chosen)
    if ref is None:
        return _reference_too_small(
            CALIBRATION.id, ground, "calibration_offset", str(chosen), policy
        )
    threshold, level = policy.calibration_difference_max, policy.confidence_level
    offsets = {str(k): float(v) for k, v in comp["calibration_offset"].items()}
    comparisons = [
        normal_comparison(
            str(k),
            ref,
            float(harm[k] - harm[ref]),
            float(np.hypot(comp.loc[ref, "calibration_se"], comp.loc[k, "calibration_se"])),
            threshold=threshold,
            direction="at_most",
            level=level,
            method="z",
            size=int(sizes[k]),
        )
        for k in comp.index
        if k != ref
    ]
    if rule == "chosen":
        comparisons = both_ways(comparisons, threshold=threshold, direction="at_most", level=level)

    def message(verdict: Verdict) -> Message:
        c = verdict.comparison
        return words.msg_calibration(
            ground,
            worst=c.group,
            best=c.reference,
            worst_offset=offsets[c.group],
            best_offset=offsets[c.reference],
            value=c.value,
            ci=c.ci or (float("nan"), float("nan")),
            threshold=threshold,
            level=level,
            verdict=verdict,
            positive_label=positive_label,
            favorable_is_positive=favorable_is_positive,
        )

    return Measured(
        check=CALIBRATION.id,
        article=ARTICLE,
        ground=ground,
        threshold=threshold,
        direction="at_most",
        comparisons=comparisons,
        message=message,
        details={"metric": "calibration_offset", "offsets": offsets, "reference_rule": rule},
    )
