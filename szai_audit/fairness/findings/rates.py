"""Article 72(4) findings from group metrics: who is compared, who is worse off, how sure.

:func:`assess_table` measures every check of one table (a ground, or an intersection of
grounds): the value, its bootstrap interval and the raw p-value of the test between the worst-
and best-off groups, plus each group's test against the rest. The audit-wide correction and the
status follow in :func:`szai_audit.core.judging.finalize`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ...core.data import group_label, is_missing_group_key
from ...core.findings import Finding, Status
from ...core.judging import TOLERANCE, Measured, TableAssessment
from ...core.messages import Message
from ...core.policy import Policy
from ...core.stats import homogeneity_test, two_proportion_test
from .. import words
from ..checks import ARTICLE, DIFFERENCE_CHECKS, SELECTION_RATIO
from ..metrics import GroupMetrics

__all__ = ["TESTED_METRICS", "assess_table", "comparable_mask"]

#: Rates tested group by group (each group against the rest, and against a reference group).
TESTED_METRICS: tuple[str, ...] = ("selection_rate", "true_positive_rate", "false_positive_rate")


@dataclass(frozen=True)
class _Comparable:
    """The groups a check compares: rates of large-enough groups, and those left out."""

    rates: pd.Series  # label -> rate, only comparable groups
    positions: np.ndarray  # their positions in the table (columns of the bootstrap draws)
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


def comparable_mask(gm: GroupMetrics, metric: str, min_size: int) -> np.ndarray:
    """Groups whose ``metric`` rests on at least ``min_size`` people, the missing group excluded."""
    den = gm.denominators()[metric].to_numpy()
    not_missing = np.array([not is_missing_group_key(k) for k in gm.counts.index])
    return (den >= min_size) & not_missing & gm.by_group[metric].notna().to_numpy()


def _comparable(gm: GroupMetrics, metric: str, rates: pd.Series, min_size: int) -> _Comparable:
    den = gm.denominators()[metric]
    labels = [group_label(k) for k in den.index]
    not_missing = np.array([not is_missing_group_key(k) for k in den.index])
    small = (den < min_size).to_numpy() & not_missing
    keep = comparable_mask(gm, metric, min_size)
    return _Comparable(
        rates=pd.Series(rates.to_numpy()[keep], index=np.asarray(labels, dtype=object)[keep]),
        positions=np.flatnonzero(keep),
        denominators=pd.Series(den.to_numpy(), index=labels),
        suppressed={lbl: int(d) for lbl, d, s in zip(labels, den, small, strict=True) if s},
    )


def _percentile_ci(draws: np.ndarray, level: float) -> tuple[float, float] | None:
    finite = draws[np.isfinite(draws)]
    if finite.size < 10:
        return None
    lo, hi = np.quantile(finite, [(1 - level) / 2, 1 - (1 - level) / 2])
    return float(lo), float(hi)


def _ends(rates: pd.Series, lower_is_worse: bool) -> tuple[str, str] | None:
    """(worst, best) group labels, or None when every rate is equal (no one is worse off)."""
    if rates.max() - rates.min() <= TOLERANCE:
        return None
    worst = rates.idxmin() if lower_is_worse else rates.idxmax()
    best = rates.idxmax() if lower_is_worse else rates.idxmin()
    return str(worst), str(best)


def _insufficient(
    check: str, ground: str, metric: str, comp: _Comparable, policy: Policy, threshold: float
) -> Finding:
    return Finding(
        check=check,
        article=ARTICLE,
        status=Status.INSUFFICIENT_DATA,
        message=words.msg_too_few_groups(ground, metric, policy.min_group_size, comp.suppressed),
        threshold=threshold,
        ground=ground,
        details={
            "metric": metric,
            "sizes": comp.denominators.to_dict(),
            "suppressed": comp.suppressed,
        },
    )


def _not_assessed(check: str, ground: str, message: Message, threshold: float) -> Finding:
    return Finding(
        check=check,
        article=ARTICLE,
        status=Status.NOT_ASSESSED,
        message=message,
        threshold=threshold,
        ground=ground,
    )


def _measure(
    check: str,
    ground: str,
    metric: str,
    comp: _Comparable,
    draws: np.ndarray,
    *,
    lower_is_worse: bool,
    threshold: float,
    ratio: bool,
    counts: tuple[np.ndarray, np.ndarray],
    level: float,
) -> Measured:
    """Value, interval and raw test of one comparison."""
    rates = comp.rates
    ends = _ends(rates, lower_is_worse)
    labels = list(rates.index)
    if ends is None:  # every compared group has the same rate: no one is worse off
        worst_i, best_i = 0, 1
    else:
        worst_i, best_i = labels.index(ends[0]), labels.index(ends[1])
    w, b = comp.positions[worst_i], comp.positions[best_i]
    if ratio:
        value = float(rates.iloc[worst_i]) / float(rates.iloc[best_i])
        with np.errstate(divide="ignore", invalid="ignore"):
            stat = draws[:, w] / draws[:, b]
        over = value < threshold - TOLERANCE
    else:
        value = float(rates.max() - rates.min())
        stat = (
            np.abs(draws[:, b] - draws[:, w])
            if ends is None
            else (draws[:, b] - draws[:, w] if lower_is_worse else draws[:, w] - draws[:, b])
        )
        over = value > threshold + TOLERANCE
    k, n = counts
    # Every comparable group enters the test: the pair was chosen after seeing the data.
    pos = comp.positions
    p_raw, method = homogeneity_test(k[pos], n[pos], int(worst_i), int(best_i))
    ci = _percentile_ci(stat, level)
    groups = [str(x) for x in labels]

    def message(status: Status, p_adjusted: float) -> Message:
        return words.msg_comparison(
            ground,
            metric,
            worst=groups[worst_i],
            best=groups[best_i] if ends is not None else groups[worst_i],
            worst_rate=float(rates.iloc[worst_i]),
            best_rate=float(rates.iloc[best_i]),
            value=value,
            threshold=threshold,
            status=status.value,
            ci=ci,
            level=level,
            p_value=p_adjusted,
            groups=groups,
        )

    return Measured(
        check=check,
        article=ARTICLE,
        ground=ground,
        value=value,
        threshold=threshold,
        over=bool(over),
        ci=ci,
        p_raw=p_raw,
        worst=None if ends is None else ends[0],
        best=None if ends is None else ends[1],
        message=message,
        details={**comp.details(metric, lower_is_worse), "test": method},
    )


def assess_table(
    key: str,
    gm: GroupMetrics,
    policy: Policy,
    favorable_is_positive: bool,
    *,
    random_state: Any,
    reference: str | None = None,
) -> TableAssessment:
    """Measure the four Article 72(4) checks and the per-group tests of one table."""
    draws = gm.bootstrap(policy.n_bootstrap, random_state)
    level = policy.confidence_level
    items: list[Finding | Measured] = []
    num, den = gm.numerators(), gm.denominators()

    # Four-fifths rule on the favourable-decision rate.
    threshold = policy.selection_rate_ratio_min
    sel = gm.by_group["selection_rate"]
    fav = sel if favorable_is_positive else 1.0 - sel
    fav_draws = draws["selection_rate"] if favorable_is_positive else 1.0 - draws["selection_rate"]
    comp = _comparable(gm, "selection_rate", fav, policy.min_group_size)
    if len(comp.rates) < 2:
        items.append(
            _insufficient(SELECTION_RATIO.id, key, "favorable_rate", comp, policy, threshold)
        )
    elif float(comp.rates.max()) == 0:
        items.append(
            _not_assessed(SELECTION_RATIO.id, key, words.msg_no_favourable(key), threshold)
        )
    else:
        items.append(
            _measure(
                SELECTION_RATIO.id,
                key,
                "favorable_rate",
                comp,
                fav_draws,
                lower_is_worse=True,
                threshold=threshold,
                ratio=True,
                counts=(num["selection_rate"].to_numpy(), den["selection_rate"].to_numpy()),
                level=level,
            )
        )

    # Differences of decision rates: lower is worse when the positive decision is favourable.
    for check, (metric, policy_attr) in DIFFERENCE_CHECKS.items():
        threshold = float(getattr(policy, policy_attr))
        if metric != "selection_rate" and not gm.has_outcomes:
            items.append(_not_assessed(check, key, words.msg_no_outcomes(metric), threshold))
            continue
        comp = _comparable(gm, metric, gm.by_group[metric], policy.min_group_size)
        if len(comp.rates) < 2:
            items.append(_insufficient(check, key, metric, comp, policy, threshold))
            continue
        items.append(
            _measure(
                check,
                key,
                metric,
                comp,
                draws[metric],
                lower_is_worse=favorable_is_positive,
                threshold=threshold,
                ratio=False,
                counts=(num[metric].to_numpy(), den[metric].to_numpy()),
                level=level,
            )
        )
    return TableAssessment(key, items, _group_tests(gm, policy, reference))


def _group_tests(gm: GroupMetrics, policy: Policy, reference: str | None) -> pd.DataFrame:
    """Raw p-values of each comparable group against the rest (and the reference group)."""
    labels = [group_label(k) for k in gm.counts.index]
    cols: dict[tuple[str, str], np.ndarray] = {}
    num, den = gm.numerators(), gm.denominators()
    for metric in TESTED_METRICS:
        if metric != "selection_rate" and not gm.has_outcomes:
            continue
        mask = comparable_mask(gm, metric, policy.min_group_size)
        p = np.full(len(labels), np.nan)
        rest = gm.test_vs_rest(metric)["p_value"].to_numpy()
        p[mask] = rest[mask]
        cols[(metric, "p_vs_rest")] = p
        if reference is not None and reference in labels:
            r = labels.index(reference)
            k, n = num[metric].to_numpy(), den[metric].to_numpy()
            pref = np.full(len(labels), np.nan)
            if mask[r]:
                others = np.flatnonzero(mask & (np.arange(len(labels)) != r))
                res = two_proportion_test(k[others], n[others], k[r], n[r])
                pref[others] = res.p_value
            cols[(metric, "p_vs_reference")] = pref
    frame = pd.DataFrame(cols, index=pd.Index(labels, name="group"))
    if cols:
        frame.columns = pd.MultiIndex.from_tuples(list(cols), names=["metric", "test"])
    return frame
