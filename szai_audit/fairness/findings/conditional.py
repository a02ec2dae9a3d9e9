"""Art. 72(2)(iv) finding on the gap that remains after legitimate factors.

Each group of enough people is compared with the reference group by two estimates of the same
gap: the stratified one (when the strata the two groups share hold enough of their rows) and
the regression-adjusted one. A group's result is the decision rule's result when the two agree
and WARN when they do not; the finding says which.
"""

from __future__ import annotations

import math

import pandas as pd

from ...core.conditional import ConditionalGaps
from ...core.findings import Finding, Status
from ...core.judging import (
    Comparison,
    Judgeable,
    MeasuredTwice,
    Verdict,
    both_ways,
    normal_comparison,
)
from ...core.messages import Message
from ...core.policy import Policy
from .. import words
from ..checks import ARTICLE, CONDITIONAL
from ..words import Labels

__all__ = ["conditional_finding", "supports_stratified"]


def supports_stratified(row: pd.Series, policy: Policy) -> bool:
    """Whether the strata a group shares with the reference support the stratified gap
    (:meth:`~szai_audit.Policy.supports_strata`)."""
    return math.isfinite(float(row["stratified_gap"])) and policy.supports_strata(
        row["covered"], row["reference_covered"], row["coverage"]
    )


def _estimates(
    gaps: ConditionalGaps, groups: list[str], policy: Policy, sign: float
) -> tuple[list[Comparison], list[Comparison], tuple[str, ...]]:
    """The stratified and the regression comparisons of each group (``sign`` turns the gap so
    that a positive value harms the group)."""
    threshold, level = policy.demographic_parity_max, policy.confidence_level
    stratified, regression, unsupported = [], [], []
    for g in groups:
        row = gaps.table.loc[g]
        extra = {
            "raw": sign * float(row["raw_gap"]),  # oriented as the value: positive harms
            "coverage": float(row["coverage"]),
            "reference_coverage": float(row["reference_coverage"]),
            "covered": int(row["covered"]),
            "reference_covered": int(row["reference_covered"]),
        }
        if supports_stratified(row, policy):
            stratified.append(
                normal_comparison(
                    g,
                    gaps.reference,
                    sign * float(row["stratified_gap"]),
                    float(row["stratified_se"]),
                    method="stratified_z",
                    size=int(row["covered"]),
                    extra={**extra, "estimate": "stratified"},
                    threshold=threshold,
                    direction="at_most",
                    level=level,
                )
            )
        else:
            unsupported.append(g)
        regression.append(
            normal_comparison(
                g,
                gaps.reference,
                sign * float(row["regression_gap"]),
                float(row["regression_se"]),
                method="regression_hc1_z",
                size=int(row["count"]),
                extra={**extra, "estimate": "regression"},
                threshold=threshold,
                direction="at_most",
                level=level,
            )
        )
    return stratified, regression, tuple(unsupported)


def conditional_finding(
    gaps: ConditionalGaps,
    ground: str,
    policy: Policy,
    sizes: dict[str, int],
    labels: Labels = None,
    name: Message | None = None,
) -> Finding | Judgeable:
    """Every group's gap in favourable-decision rate to the reference, given the legitimate
    factors, by stratification and by regression adjustment.

    ``gaps`` compares the favourable-decision indicator (1 = favourable); only groups of at
    least ``policy.min_group_size`` people (``sizes``) are compared. ``labels`` (the audit's
    ``feature_labels``) gives the factors' display names, ``name`` the favourable decision's.
    """
    table = gaps.table
    ok = [str(g) for g in table.index if sizes.get(str(g), 0) >= policy.min_group_size]
    if not ok or sizes.get(gaps.reference, 0) < policy.min_group_size:
        return _too_few_groups(gaps, ground, policy, sizes, name)
    # A group with fewer favourable decisions than the reference is worse off.
    stratified, regression, unsupported = _estimates(gaps, ok, policy, -1.0)
    threshold, level = policy.demographic_parity_max, policy.confidence_level
    # The reference was chosen before the factors: after them it may be the group worse off.
    stratified = both_ways(stratified, threshold=threshold, direction="at_most", level=level)
    regression = both_ways(regression, threshold=threshold, direction="at_most", level=level)

    def message(verdict: Verdict) -> Message:
        return words.msg_conditional(
            ground,
            verdict,
            factors=gaps.factors,
            threshold=threshold,
            level=level,
            min_coverage=policy.min_coverage,
            min_size=policy.min_group_size,
            labels=labels,
            name=name,
        )

    return MeasuredTwice(
        check=CONDITIONAL.id,
        article=ARTICLE,
        ground=ground,
        threshold=threshold,
        direction="at_most",
        comparisons=stratified,
        second=regression,
        unsupported=unsupported,
        message=message,
        details={
            "reference": gaps.reference,
            "factors": gaps.factors,
            "strata": gaps.n_strata,
            "sizes": {g: int(sizes.get(g, 0)) for g in ok},
        },
    )


def _too_few_groups(
    gaps: ConditionalGaps,
    ground: str,
    policy: Policy,
    sizes: dict[str, int],
    name: Message | None = None,
) -> Finding:
    """The insufficient-data finding when the reference or every other group is too small."""
    small = {g: n for g, n in sizes.items() if n < policy.min_group_size}
    message = words.msg_too_few_groups(ground, "favorable_rate", policy.min_group_size, small, name)
    return Finding(
        check=CONDITIONAL.id,
        article=ARTICLE,
        status=Status.INSUFFICIENT_DATA,
        message=message,
        ground=ground,
        threshold=policy.demographic_parity_max,
        details={"reference": gaps.reference, "factors": gaps.factors},
    )
