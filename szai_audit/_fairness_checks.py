"""Article 72(4) findings from group metrics: which groups are compared, who is worse off."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import narrative as nv
from .data import group_label, is_missing_group_key
from .fairness import GroupMetrics
from .findings import Finding, Status
from .policy import Policy

ARTICLE = "72(4)"

#: Values within this distance of a threshold count as meeting it: 32/100 ÷ 40/100 is
#: 0.7999999999999999 in floating point and must not fail a 0.8 threshold.
TOLERANCE = 1e-9

#: check id -> (metric, policy attribute holding its tolerance)
DIFFERENCE_CHECKS: dict[str, tuple[str, str]] = {
    "fairness.demographic_parity_difference": ("selection_rate", "demographic_parity_max"),
    "fairness.true_positive_rate_difference": (
        "true_positive_rate",
        "true_positive_rate_difference_max",
    ),
    "fairness.false_positive_rate_difference": (
        "false_positive_rate",
        "false_positive_rate_difference_max",
    ),
}


@dataclass(frozen=True)
class _Comparable:
    """The groups a check compares: rates of large-enough groups, and those left out."""

    rates: pd.Series  # label -> rate, only comparable groups
    denominators: pd.Series  # label -> size behind each rate, all groups
    suppressed: dict[str, int]  # label -> size, groups below the minimum size

    def details(self, metric: str, lower_is_worse: bool) -> dict[str, object]:
        return {
            "metric": metric,
            "direction": "lower_is_worse" if lower_is_worse else "higher_is_worse",
            "rates": {k: float(v) for k, v in self.rates.items()},
            "sizes": {k: int(v) for k, v in self.denominators.items()},
            "suppressed": dict(self.suppressed),
        }


def _comparable(gm: GroupMetrics, metric: str, rates: pd.Series, min_size: int) -> _Comparable:
    den = gm.denominators()[metric]
    labels = [group_label(k) for k in den.index]
    den = pd.Series(den.to_numpy(), index=labels)
    rates = pd.Series(rates.to_numpy(), index=labels)
    is_missing_group = np.array([is_missing_group_key(k) for k in den.index])
    small = (den < min_size).to_numpy() & ~is_missing_group
    keep = ~small & ~is_missing_group & rates.notna().to_numpy()
    return _Comparable(
        rates=rates[keep],
        denominators=den,
        suppressed={k: int(v) for k, v in den[small].items()},
    )


def _ends(rates: pd.Series, lower_is_worse: bool) -> tuple[str, str] | None:
    """(worst, best) group labels, or None when every rate is equal (no one is worse off)."""
    if rates.max() - rates.min() <= TOLERANCE:
        return None
    worst = rates.idxmin() if lower_is_worse else rates.idxmax()
    best = rates.idxmax() if lower_is_worse else rates.idxmin()
    return str(worst), str(best)


def _not_assessed(check: str, ground: str, message: nv.Message, threshold: float) -> Finding:
    return Finding(
        check=check,
        article=ARTICLE,
        status=Status.NOT_ASSESSED,
        message=message,
        threshold=threshold,
        ground=ground,
    )


def _insufficient(
    check: str, ground: str, metric: str, comp: _Comparable, policy: Policy, threshold: float
) -> Finding:
    return Finding(
        check=check,
        article=ARTICLE,
        status=Status.INSUFFICIENT_DATA,
        message=nv.msg_too_few_groups(ground, metric, policy.min_group_size, comp.suppressed),
        threshold=threshold,
        ground=ground,
        details={
            "metric": metric,
            "sizes": comp.denominators.to_dict(),
            "suppressed": comp.suppressed,
        },
    )


def _compared(
    check: str,
    ground: str,
    metric: str,
    comp: _Comparable,
    *,
    lower_is_worse: bool,
    value: float,
    threshold: float,
    failed: bool,
) -> Finding:
    """PASS / FAIL finding of a comparison, naming the groups at both ends."""
    ends = _ends(comp.rates, lower_is_worse)
    first = str(comp.rates.index[0])
    worst, best = ends if ends is not None else (first, first)
    return Finding(
        check=check,
        article=ARTICLE,
        status=Status.FAIL if failed else Status.PASS,
        message=nv.msg_comparison(
            ground,
            metric,
            worst=worst,
            best=best,
            worst_rate=float(comp.rates[worst]),
            best_rate=float(comp.rates[best]),
            value=value,
            threshold=threshold,
            failed=failed,
            groups=[str(g) for g in comp.rates.index],
        ),
        value=value,
        threshold=threshold,
        ground=ground,
        worst_group=None if ends is None else worst,
        best_group=None if ends is None else best,
        details=comp.details(metric, lower_is_worse),
    )


def selection_rate_ratio(
    gm: GroupMetrics, ground: str, policy: Policy, favorable_is_positive: bool
) -> Finding:
    """Four-fifths rule on the favourable-decision rate (min / max over comparable groups)."""
    check = "fairness.selection_rate_ratio"
    threshold = policy.selection_rate_ratio_min
    sel = gm.by_group["selection_rate"]
    favourable = sel if favorable_is_positive else 1.0 - sel
    comp = _comparable(gm, "selection_rate", favourable, policy.min_group_size)
    if len(comp.rates) < 2:
        return _insufficient(check, ground, "favorable_rate", comp, policy, threshold)
    best_rate = float(comp.rates.max())
    if best_rate == 0:
        return _not_assessed(check, ground, nv.msg_no_favourable(ground), threshold)
    value = float(comp.rates.min()) / best_rate
    return _compared(
        check,
        ground,
        "favorable_rate",
        comp,
        lower_is_worse=True,
        value=value,
        threshold=threshold,
        failed=value < threshold - TOLERANCE,
    )


def rate_difference(
    check: str, gm: GroupMetrics, ground: str, policy: Policy, favorable_is_positive: bool
) -> Finding:
    """max - min of a decision rate over comparable groups; who is worse off follows from
    whether the positive label is the favourable one."""
    metric, policy_attr = DIFFERENCE_CHECKS[check]
    threshold = float(getattr(policy, policy_attr))
    if metric != "selection_rate" and not gm.has_outcomes:
        return _not_assessed(check, ground, nv.msg_no_outcomes(metric), threshold)
    comp = _comparable(gm, metric, gm.by_group[metric], policy.min_group_size)
    if len(comp.rates) < 2:
        return _insufficient(check, ground, metric, comp, policy, threshold)
    value = float(comp.rates.max() - comp.rates.min())
    # Every rate here is P(decision = positive | ...): lower is worse when positive is favourable.
    return _compared(
        check,
        ground,
        metric,
        comp,
        lower_is_worse=favorable_is_positive,
        value=value,
        threshold=threshold,
        failed=value > threshold + TOLERANCE,
    )


def fairness_findings(
    gm: GroupMetrics, ground: str, policy: Policy, favorable_is_positive: bool
) -> list[Finding]:
    """All Article 72(4) findings for one ground."""
    out = [selection_rate_ratio(gm, ground, policy, favorable_is_positive)]
    out += [
        rate_difference(c, gm, ground, policy, favorable_is_positive) for c in DIFFERENCE_CHECKS
    ]
    return out


def ground_not_provided(ground: str) -> Finding:
    """NOT_ASSESSED finding for an Article 72(4) ground with no data."""
    return Finding(
        check="fairness.ground_not_provided",
        article=ARTICLE,
        status=Status.NOT_ASSESSED,
        message=nv.msg_ground_not_provided(ground),
        ground=ground,
    )
