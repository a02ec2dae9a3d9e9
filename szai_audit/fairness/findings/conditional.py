"""Art. 72(2)(iv) findings on the gap that remains after legitimate factors: in favourable
decisions (``fairness.conditional_gap``) and in mean predictions, for numeric outputs
(``fairness.mean_prediction_conditional``).

Each group of enough people is compared with the reference group by two estimates of the same
gap: the stratified one (when the strata the two groups share hold enough of their rows) and
the regression-adjusted one. A group's result is the decision rule's result when the two agree
and WARN when they do not; the finding says which.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ...core.checks import Check
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
from ..checks import ARTICLE, CONDITIONAL, MEAN_CONDITIONAL
from ..words import Labels

__all__ = [
    "conditional_finding",
    "mean_conditional_finding",
    "mean_conditional_not_assessed",
    "supports_stratified",
]


def supports_stratified(row: pd.Series, policy: Policy) -> bool:
    """Whether the strata a group shares with the reference support the stratified gap
    (:meth:`~szai_audit.Policy.supports_strata`)."""
    return math.isfinite(float(row["stratified_gap"])) and policy.supports_strata(
        row["covered"], row["reference_covered"], row["coverage"]
    )


#: ``compare(group, estimate, gap, se, size, extra)``: one estimate of a group's gap (a row of
#: :class:`~szai_audit.core.conditional.ConditionalGaps`) as the comparison a check judges.
Compare = Callable[[str, str, float, float, int, dict[str, Any]], Comparison]


def _estimates(
    gaps: ConditionalGaps,
    groups: list[str],
    policy: Policy,
    compare: Compare,
    raw: Callable[[str, pd.Series], float],
) -> tuple[list[Comparison], list[Comparison], tuple[str, ...]]:
    """The stratified (where the shared strata support it) and the regression comparison of
    each group; ``raw(group, row)`` is the unadjusted gap on the comparisons' scale."""
    stratified, regression, unsupported = [], [], []
    for g in groups:
        row = gaps.table.loc[g]
        extra = {
            "raw": raw(g, row),
            "coverage": float(row["coverage"]),
            "reference_coverage": float(row["reference_coverage"]),
            "covered": int(row["covered"]),
            "reference_covered": int(row["reference_covered"]),
        }
        if supports_stratified(row, policy):
            stratified.append(
                compare(
                    g,
                    "stratified",
                    float(row["stratified_gap"]),
                    float(row["stratified_se"]),
                    int(row["covered"]),
                    {**extra, "estimate": "stratified"},
                )
            )
        else:
            unsupported.append(g)
        regression.append(
            compare(
                g,
                "regression",
                float(row["regression_gap"]),
                float(row["regression_se"]),
                int(row["count"]),
                {**extra, "estimate": "regression"},
            )
        )
    return stratified, regression, tuple(unsupported)


def _compared(gaps: ConditionalGaps, policy: Policy, sizes: Mapping[str, int]) -> list[str]:
    """The groups of at least ``min_group_size`` rows (none when the reference is smaller)."""
    if sizes.get(gaps.reference, 0) < policy.min_group_size:
        return []
    return [str(g) for g in gaps.table.index if sizes.get(str(g), 0) >= policy.min_group_size]


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
    ok = _compared(gaps, policy, sizes)
    if not ok:
        return _too_few_groups(gaps, ground, policy, sizes, name=name)
    threshold, level = policy.demographic_parity_max, policy.confidence_level

    def compare(
        g: str, estimate: str, gap: float, se: float, size: int, extra: dict[str, Any]
    ) -> Comparison:
        # A group with fewer favourable decisions than the reference is worse off.
        return normal_comparison(
            g,
            gaps.reference,
            -gap,
            se,
            method="stratified_z" if estimate == "stratified" else "regression_hc1_z",
            size=size,
            extra=extra,
            threshold=threshold,
            direction="at_most",
            level=level,
        )

    stratified, regression, unsupported = _estimates(
        gaps, ok, policy, compare, lambda g, row: -float(row["raw_gap"])
    )
    # The reference was chosen before the factors: after them it may be the group worse off.
    stratified = both_ways(stratified, threshold=threshold, direction="at_most", level=level)
    regression = both_ways(regression, threshold=threshold, direction="at_most", level=level)
    message = _message(words.msg_conditional, ground, gaps, policy, threshold, labels, name=name)
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


def _message(
    write: Callable[..., Message],
    ground: str,
    gaps: ConditionalGaps,
    policy: Policy,
    threshold: float,
    labels: Labels,
    **more: Any,
) -> Callable[[Verdict], Message]:
    """The message of a gap after legitimate factors, written by ``write``
    (:func:`~szai_audit.fairness.words.msg_conditional` and the like) once judged."""

    def message(verdict: Verdict) -> Message:
        return write(
            ground,
            verdict,
            factors=gaps.factors,
            threshold=threshold,
            level=policy.confidence_level,
            min_coverage=policy.min_coverage,
            min_size=policy.min_group_size,
            labels=labels,
            **more,
        )

    return message


def _too_few_groups(
    gaps: ConditionalGaps,
    ground: str,
    policy: Policy,
    sizes: Mapping[str, int],
    check: Check = CONDITIONAL,
    name: Message | None = None,
) -> Finding:
    """The insufficient-data finding when the reference or every other group is too small
    (``name``: the favourable decision's)."""
    small = {g: n for g, n in sizes.items() if n < policy.min_group_size}
    numeric = check is MEAN_CONDITIONAL
    metric = "mean_prediction" if numeric else "favorable_rate"
    return Finding(
        check=check.id,
        article=ARTICLE,
        status=Status.INSUFFICIENT_DATA,
        message=words.msg_too_few_groups(ground, metric, policy.min_group_size, small, name),
        ground=ground,
        threshold=policy.mean_prediction_ratio_min if numeric else policy.demographic_parity_max,
        details={"reference": gaps.reference, "factors": gaps.factors},
    )


# --------------------------------------------------------------------------------------------
# Numeric outputs (task="regression"): the mean prediction after legitimate factors
# --------------------------------------------------------------------------------------------


def mean_conditional_finding(
    gaps: ConditionalGaps,
    ground: str,
    policy: Policy,
    sizes: Mapping[str, int],
    reference_mean: float,
    *,
    higher_is_favorable: bool = True,
    labels: Labels = None,
) -> Finding | Judgeable:
    """Every group's mean prediction against the reference's, given the legitimate factors,
    by stratification and by regression adjustment (``fairness.mean_prediction_conditional``).

    ``gaps`` compares the predictions, in their unit (``gaps.log`` False) or as logs; each
    estimate is judged as a ratio against ``policy.mean_prediction_ratio_min``, as the raw
    mean-prediction ratio is (see :class:`_MeanRatios`; ``reference_mean``: the reference
    group's mean prediction), both ways round, as the reference was chosen before the
    factors. Only groups of at least ``policy.min_group_size`` rows (``sizes``) are compared;
    NOT_ASSESSED when a mean (the reference's, or a group's given the factors) is not
    positive.

    Examples
    --------
    >>> import numpy as np
    >>> from szai_audit.core.conditional import conditional_gaps
    >>> rng = np.random.default_rng(0)
    >>> n = 4000
    >>> sex = rng.choice(["f", "m"], n)
    >>> tenure = rng.exponential(np.where(sex == "f", 3.6, 6.5))
    >>> wage = 5 + 0.3 * tenure - 1.0 * (sex == "f") + rng.normal(0, 1, n)
    >>> gaps = conditional_gaps(wage, sex, pd.DataFrame({"tenure": tenure}), "m")
    >>> sizes = {"f": int((sex == "f").sum()), "m": int((sex == "m").sum())}
    >>> found = mean_conditional_finding(gaps, "gender", Policy(), sizes, wage[sex == "m"].mean())
    >>> [(c.group, round(c.value, 2)) for c in found.second][:1]
    [('f', 0.86)]
    """
    ok = _compared(gaps, policy, sizes)
    if not ok:
        return _too_few_groups(gaps, ground, policy, sizes, MEAN_CONDITIONAL)
    ratios = _MeanRatios(gaps, float(reference_mean), higher_is_favorable, policy)
    estimates = [*gaps.table["stratified_gap"], *gaps.table["regression_gap"]]
    if ratios.reference_mean <= 0 or any(
        ratios.level(float(x)) <= 0 for x in estimates if math.isfinite(float(x))
    ):
        return mean_conditional_not_assessed(
            ground, policy, words.msg_not_positive(ground), gaps.factors
        )
    threshold, level = policy.mean_prediction_ratio_min, policy.confidence_level
    stratified, regression, unsupported = _estimates(
        gaps, ok, policy, ratios.compare, lambda g, row: ratios.ratio(float(row["raw_gap"]))
    )
    return MeasuredTwice(
        check=MEAN_CONDITIONAL.id,
        article=ARTICLE,
        ground=ground,
        threshold=threshold,
        direction="at_least",
        comparisons=both_ways(stratified, threshold=threshold, direction="at_least", level=level),
        second=both_ways(regression, threshold=threshold, direction="at_least", level=level),
        unsupported=unsupported,
        message=_message(
            words.msg_mean_conditional, ground, gaps, policy, threshold, labels, log=gaps.log
        ),
        details={
            "reference": gaps.reference,
            "factors": gaps.factors,
            "strata": gaps.n_strata,
            "scale": "log" if gaps.log else "difference",
            "sizes": {g: int(sizes.get(g, 0)) for g in ok},
        },
    )


@dataclass(frozen=True)
class _MeanRatios:
    """A gap in mean prediction (a row of :class:`ConditionalGaps`) as the ratio judged.

    An estimate ``g`` of a group's gap gives the group's mean prediction given the factors,
    ``m + g`` (``m * exp(g)`` for a gap between logs), ``m`` being the reference's mean
    prediction; the ratio is that over ``m`` (its inverse when lower outputs are favourable),
    tested on the log scale against ``mean_prediction_ratio_min`` with ``m`` taken as known
    (delta method: the standard error of the log ratio is that of ``g`` over ``m + g``; for
    logs, that of ``g`` itself). The unadjusted gap is written the same way."""

    gaps: ConditionalGaps
    reference_mean: float
    higher_is_favorable: bool
    policy: Policy

    def level(self, gap: float) -> float:
        """The group's mean prediction given the factors."""
        m = self.reference_mean
        return m * math.exp(gap) if self.gaps.log else m + gap

    def ratio(self, gap: float) -> float:
        mean, m = self.level(gap), self.reference_mean
        return mean / m if self.higher_is_favorable else m / mean

    def compare(
        self, g: str, estimate: str, gap: float, se: float, size: int, extra: dict[str, Any]
    ) -> Comparison:
        """One estimate of a group's gap as a :class:`Comparison` (:data:`Compare`)."""
        mean, m = self.level(gap), self.reference_mean
        method = "stratified" if estimate == "stratified" else "regression_hc1"
        scale = "log" if self.gaps.log else "difference"
        return normal_comparison(
            g,
            self.gaps.reference,
            self.ratio(gap),
            se if self.gaps.log else se / mean,
            threshold=self.policy.mean_prediction_ratio_min,
            direction="at_least",
            level=self.policy.confidence_level,
            scale="log",
            method=f"{method}_{scale}_z",
            size=size,
            extra={
                **extra,
                "mean": mean,
                "reference_mean": m,
                "observed": self.level(float(self.gaps.table.loc[g, "raw_gap"])),
                "reference_observed": m,
            },
        )


def mean_conditional_not_assessed(
    ground: str, policy: Policy, message: Message, factors: Sequence[str]
) -> Finding:
    """``fairness.mean_prediction_conditional`` when it cannot be measured (``message`` says
    why).

    >>> f = mean_conditional_not_assessed("gender", Policy(), Message("…", "..."), ["educ"])
    >>> f.status.value, f.details
    ('NOT_ASSESSED', {'factors': ['educ']})
    """
    return Finding(
        check=MEAN_CONDITIONAL.id,
        article=ARTICLE,
        status=Status.NOT_ASSESSED,
        message=message,
        ground=ground,
        threshold=policy.mean_prediction_ratio_min,
        details={"factors": list(factors)},
    )
