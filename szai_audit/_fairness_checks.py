"""Article 72(4) findings from group metrics: who is compared, who is worse off, how sure.

A comparison finding is built in two steps. :func:`assess_table` measures every check of one
table (a ground, or an intersection of grounds): the value, its bootstrap interval and the raw
p-value of the test between the worst- and best-off groups, plus each group's test against the
rest. Once every table of the audit is measured, :func:`finalize` adjusts all p-values together
(Benjamini-Hochberg) and sets each status: PASS within the tolerance; beyond it, FAIL when the
adjusted p-value is below the significance level, WARN when it is not.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import pandas as pd

from . import narrative as nv
from .data import group_label, is_missing_group_key
from .fairness import GroupMetrics
from .findings import Finding, Status
from .policy import Policy
from .stats import benjamini_hochberg, homogeneity_test, two_proportion_test

ARTICLE = "72(4)"

#: Values within this distance of a threshold count as meeting it: 32/100 ÷ 40/100 is
#: 0.7999999999999999 in floating point and must not fail a 0.8 threshold.
TOLERANCE = 1e-9

RATIO_CHECK = "fairness.selection_rate_ratio"

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

#: The checks on decision rates (a FAIL on one of them asks what a fix would cost).
RATE_CHECKS: tuple[str, ...] = (RATIO_CHECK, *DIFFERENCE_CHECKS)

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


def status_for(over: bool, p_adjusted: float, policy: Policy) -> Status:
    """The decision rule: PASS within the tolerance; beyond it FAIL if significant, else WARN."""
    if not over:
        return Status.PASS
    return Status.FAIL if p_adjusted < policy.significance_level else Status.WARN


class Judgeable(Protocol):
    """A measured comparison waiting for its adjusted p-value (see :func:`finalize`)."""

    p_raw: float

    def judge(self, p_adjusted: float, policy: Policy) -> Finding: ...


@dataclass
class Measured:
    """A comparison measured but not yet judged: value, interval and raw p-value.

    ``message`` writes the finding's text once the status and the adjusted p-value are known.
    Any module can build one; :func:`finalize` judges them all in one Benjamini-Hochberg family.
    """

    check: str
    ground: str
    value: float
    threshold: float
    over: bool  # beyond the tolerance
    ci: tuple[float, float] | None
    p_raw: float
    worst: str | None
    best: str | None
    message: Callable[[Status, float], nv.Message]
    details: dict[str, Any] = field(default_factory=dict)
    article: str = ARTICLE
    #: An informative comparison (a raw price gap, which legitimate factors may explain)
    #: never fails: WARN when beyond the tolerance and significant, PASS otherwise.
    informative: bool = False

    def judge(self, p_adjusted: float, policy: Policy) -> Finding:
        """The finding, once the audit-wide adjusted p-value is known."""
        status = status_for(self.over, p_adjusted, policy)
        if self.informative:
            status = Status.WARN if status is Status.FAIL else Status.PASS
        return Finding(
            check=self.check,
            article=self.article,
            status=status,
            message=self.message(status, p_adjusted),
            value=self.value,
            threshold=self.threshold,
            ground=self.ground,
            worst_group=self.worst,
            best_group=self.best,
            ci=self.ci,
            p_value=p_adjusted,
            details={**self.details, "p_value_raw": self.p_raw},
        )


@dataclass
class TableAssessment:
    """Everything measured on one table, before the audit-wide correction."""

    key: str
    items: list[Finding | Measured]
    tests: pd.DataFrame  # index = group label; columns (metric, p_vs_rest / p_vs_reference)


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
        message=nv.msg_too_few_groups(ground, metric, policy.min_group_size, comp.suppressed),
        threshold=threshold,
        ground=ground,
        details={
            "metric": metric,
            "sizes": comp.denominators.to_dict(),
            "suppressed": comp.suppressed,
        },
    )


def _not_assessed(check: str, ground: str, message: nv.Message, threshold: float) -> Finding:
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

    def message(status: Status, p_adjusted: float) -> nv.Message:
        return nv.msg_comparison(
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
        items.append(_insufficient(RATIO_CHECK, key, "favorable_rate", comp, policy, threshold))
    elif float(comp.rates.max()) == 0:
        items.append(_not_assessed(RATIO_CHECK, key, nv.msg_no_favourable(key), threshold))
    else:
        items.append(
            _measure(
                RATIO_CHECK,
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
            items.append(_not_assessed(check, key, nv.msg_no_outcomes(metric), threshold))
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


def finalize(
    tables: Sequence[TableAssessment],
    policy: Policy,
    extra: Sequence[Finding | Judgeable] = (),
) -> tuple[list[Finding], dict[str, pd.DataFrame]]:
    """Adjust every p-value of the audit together and turn pending comparisons into findings.

    ``extra`` holds comparisons measured elsewhere (score metrics, conditional gaps...): they
    join the same Benjamini-Hochberg family. Returns the findings (tables first, then
    ``extra``) and, per table, the group tests with raw and adjusted p-values (columns
    ``(metric, test)`` and ``(metric, test + "_adjusted")``).
    """
    raw: list[float] = []
    for t in tables:  # the same order as the loops below consume them
        raw += [i.p_raw for i in t.items if isinstance(i, Measured)]
        for col in t.tests.columns:
            raw += [float(v) for v in t.tests[col].to_numpy() if np.isfinite(v)]
    raw += [i.p_raw for i in extra if not isinstance(i, Finding)]
    adjusted = iter(benjamini_hochberg(np.asarray(raw)).tolist())
    findings: list[Finding] = []
    tests: dict[str, pd.DataFrame] = {}
    for t in tables:
        for item in t.items:
            findings.append(
                item if isinstance(item, Finding) else item.judge(next(adjusted), policy)
            )
        columns: dict[tuple[str, str], np.ndarray] = {}
        for col in t.tests.columns:  # each raw column followed by its adjusted one
            values = t.tests[col].to_numpy()
            adj = np.full(len(values), np.nan)
            for i in np.flatnonzero(np.isfinite(values)):
                adj[i] = next(adjusted)
            columns[col] = values
            columns[(col[0], col[1] + "_adjusted")] = adj
        frame = pd.DataFrame(columns, index=t.tests.index)
        if columns:
            frame.columns = pd.MultiIndex.from_tuples(list(columns), names=["metric", "test"])
        tests[t.key] = frame
    for other in extra:
        findings.append(
            other if isinstance(other, Finding) else other.judge(next(adjusted), policy)
        )
    return findings, tests


def ground_not_provided(ground: str) -> Finding:
    """NOT_ASSESSED finding for an Article 72(4) ground with no data."""
    return Finding(
        check="fairness.ground_not_provided",
        article=ARTICLE,
        status=Status.NOT_ASSESSED,
        message=nv.msg_ground_not_provided(ground),
        ground=ground,
    )


def intersection_too_large(key: str, n_groups: int, policy: Policy) -> Finding:
    """NOT_ASSESSED finding for a full intersection with too many groups to compare."""
    return Finding(
        check="fairness.intersection_not_assessed",
        article=ARTICLE,
        status=Status.NOT_ASSESSED,
        message=nv.msg_intersection_too_large(key, n_groups, policy.max_intersection_groups),
        ground=key,
        details={"groups": n_groups, "max_intersection_groups": policy.max_intersection_groups},
    )
