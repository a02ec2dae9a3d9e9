"""Article 72(4) finding on the gap that remains after legitimate factors."""

from __future__ import annotations

import math

import numpy as np

from ...core.conditional import ConditionalGaps
from ...core.findings import Finding, Status
from ...core.judging import TOLERANCE, Judgeable, Measured
from ...core.messages import Message
from ...core.policy import Policy
from ...core.stats import normal_p_value, z_value
from .. import words
from ..checks import ARTICLE, CONDITIONAL


def conditional_finding(
    gaps: ConditionalGaps, ground: str, policy: Policy, sizes: dict[str, int]
) -> Finding | Judgeable:
    """The largest adjusted gap in favourable-decision rate between a group and the reference.

    ``gaps`` compares the favourable-decision indicator (1 = favourable); only groups of at
    least ``policy.min_group_size`` people (``sizes``) are compared.
    """
    table = gaps.table
    ok = [
        g
        for g in table.index
        if sizes.get(str(g), 0) >= policy.min_group_size
        and np.isfinite(table.loc[g, "stratified_gap"])
    ]
    if not ok or sizes.get(gaps.reference, 0) < policy.min_group_size:
        return _too_few_groups(gaps, ground, policy, sizes)
    part = table.loc[ok]
    group = str(part["stratified_gap"].abs().idxmax())
    row = part.loc[group]
    gap, se = float(row["stratified_gap"]), float(row["stratified_se"])
    value = abs(gap)
    z = z_value(policy.confidence_level)
    ci = (value - z * se, value + z * se)
    worse, better = (group, gaps.reference) if gap < 0 else (gaps.reference, group)
    threshold = policy.demographic_parity_max
    p_raw = float(normal_p_value(gap, se)[0])

    def message(status: Status, p_adjusted: float) -> Message:
        return words.msg_conditional(
            ground,
            group=group,
            reference=gaps.reference,
            factors=gaps.factors,
            stratified=gap,
            regression=float(row["regression_gap"]),
            raw=float(row["raw_gap"]),
            coverage=float(row["coverage"]),
            ci=ci,
            threshold=threshold,
            level=policy.confidence_level,
            status=status.value,
            worse=worse,
            p_value=p_adjusted,
        )

    return Measured(
        check=CONDITIONAL.id,
        article=ARTICLE,
        ground=ground,
        value=value,
        threshold=threshold,
        over=value > threshold + TOLERANCE,
        ci=ci,
        p_raw=p_raw if math.isfinite(p_raw) else 1.0,
        worst=worse,
        best=better,
        message=message,
        details={
            "reference": gaps.reference,
            "group": group,
            "factors": gaps.factors,
            "strata": gaps.n_strata,
            "stratified_gap": gap,
            "regression_gap": float(row["regression_gap"]),
            "raw_gap": float(row["raw_gap"]),
            "coverage": float(row["coverage"]),
            "test": "z (stratified estimate)",
        },
    )


def _too_few_groups(
    gaps: ConditionalGaps, ground: str, policy: Policy, sizes: dict[str, int]
) -> Finding:
    """The insufficient-data finding when the reference or every other group is too small."""
    small = {g: n for g, n in sizes.items() if n < policy.min_group_size}
    return Finding(
        check=CONDITIONAL.id,
        article=ARTICLE,
        status=Status.INSUFFICIENT_DATA,
        message=words.msg_too_few_groups(ground, "favorable_rate", policy.min_group_size, small),
        ground=ground,
        threshold=policy.demographic_parity_max,
        details={"reference": gaps.reference, "factors": gaps.factors},
    )
