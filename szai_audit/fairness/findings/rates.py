"""Art. 72(2)(iv) findings from group metrics: who is compared, who is worse off, how sure.

:func:`assess_table` measures every check of one table (a ground, or an intersection of
grounds): the value, its bootstrap interval and the raw p-value of the test between the worst-
and best-off groups, plus each group's test against the rest. The correction per ground and the
status follow in :func:`szai_audit.core.judging.finalize`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property, partial
from typing import Any

import numpy as np
import pandas as pd

from ...core.data import group_label, is_missing_group_key
from ...core.design import Design, log_ratio, mean_difference
from ...core.findings import Finding, Status
from ...core.judging import (
    TOLERANCE,
    Comparison,
    Measured,
    TableAssessment,
    Verdict,
    normal_comparison,
)
from ...core.margins import margin_test, score_interval
from ...core.messages import Message
from ...core.policy import Policy
from ...core.stats import two_proportion_test
from .. import power, words
from ..checks import ARTICLE, DIFFERENCE_CHECKS, SELECTION_RATIO
from ..metrics import GroupMetrics

__all__ = ["TESTED_METRICS", "DesignRows", "assess_table", "comparable_mask"]

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
    """Groups whose ``metric`` is shown (it rests on at least ``min_size`` people and is not
    withheld to protect a small group: :meth:`GroupMetrics.shown`), the missing group
    excluded."""
    shown = gm.shown(min_size)[metric].to_numpy()
    not_missing = np.array([not is_missing_group_key(k) for k in gm.counts.index])
    return shown & not_missing & gm.by_group[metric].notna().to_numpy()


def _comparable(gm: GroupMetrics, metric: str, rates: pd.Series, min_size: int) -> _Comparable:
    den = gm.denominators()[metric]
    labels = [group_label(k) for k in den.index]
    not_missing = np.array([not is_missing_group_key(k) for k in den.index])
    shown = gm.shown(min_size)
    small = ~shown[metric].to_numpy() & not_missing
    keep = comparable_mask(gm, metric, min_size)
    # A group whose decisions are withheld is given by its number of people: the number of its
    # actual positives (or favourable decisions) would tell its outcomes (decisions).
    sizes = np.where(shown["selection_rate"].to_numpy(), den.to_numpy(), gm.counts["n"].to_numpy())
    return _Comparable(
        rates=pd.Series(rates.to_numpy()[keep], index=np.asarray(labels, dtype=object)[keep]),
        positions=np.flatnonzero(keep),
        denominators=pd.Series(sizes, index=labels),
        suppressed={lbl: int(d) for lbl, d, s in zip(labels, sizes, small, strict=True) if s},
    )


def _named(details: dict[str, Any]) -> dict[str, Any]:
    """The favourable decision's name of ``details`` (for a finding's title), if any."""
    return {k: v for k, v in details.items() if k == "favorable_name"}


def _insufficient(
    check: str,
    ground: str,
    metric: str,
    comp: _Comparable,
    policy: Policy,
    threshold: float,
    details: dict[str, Any],
) -> Finding:
    name = words.favorable_name_of(details)
    return Finding(
        check=check,
        article=ARTICLE,
        status=Status.INSUFFICIENT_DATA,
        message=words.msg_too_few_groups(
            ground, metric, policy.min_group_size, comp.suppressed, name
        ),
        threshold=threshold,
        ground=ground,
        details={
            "metric": metric,
            "sizes": comp.denominators.to_dict(),
            "suppressed": comp.suppressed,
            **_named(details),
        },
    )


def _not_assessed(
    check: str, ground: str, message: Message, threshold: float, details: dict[str, Any]
) -> Finding:
    return Finding(
        check=check,
        article=ARTICLE,
        status=Status.NOT_ASSESSED,
        message=message,
        threshold=threshold,
        ground=ground,
        details=_named(details),
    )


@dataclass(frozen=True)
class DesignRows:
    """Every row of a table, for the design-based gaps (``cluster=`` / ``weights=``).

    Attributes
    ----------
    labels : ndarray of str
        The group of every row, as the table labels it.
    pred_pos, true_pos : ndarray
        Whether the decision (the outcome) of every row is the positive label; ``true_pos``
        None without outcomes.
    design : Design
        The weights and clusters of the rows.
    """

    labels: np.ndarray
    pred_pos: np.ndarray
    true_pos: np.ndarray | None
    design: Design

    @cached_property
    def _codes(self) -> tuple[np.ndarray, dict[str, int]]:
        codes, names = pd.factorize(self.labels)
        return np.asarray(codes), {str(name): i for i, name in enumerate(names)}

    def member(self, group: str) -> np.ndarray:
        """Whether each row is in ``group``: integer codes compared, factorised once (the
        labels themselves compared per group and pair were 10^9 comparisons of text for
        1,000 groups of 100,000 rows)."""
        codes, number = self._codes
        return codes == number.get(group, -2)

    def outcome(self, metric: str, complement: bool) -> tuple[np.ndarray, np.ndarray]:
        """The 0/1 outcome a rate is the mean of, and the rows it is a rate among: every row
        for the selection rate, the actual positives (negatives) for the true (false)
        positive rate."""
        y = self.pred_pos.astype(float)
        y = 1.0 - y if complement else y
        if metric == "selection_rate":
            return y, np.ones(len(y), dtype=bool)
        assert self.true_pos is not None
        if metric == "true_positive_rate":
            return y, self.true_pos == 1
        if metric == "false_positive_rate":
            return y, self.true_pos == 0
        raise ValueError(f"no design-based estimate of {metric!r}")


@dataclass(frozen=True)
class _Rates:
    """One rate of a table, oriented so that its harmful side is known."""

    metric: str  # the metric as messages name it ("favorable_rate", "selection_rate"...)
    rates: pd.Series  # label -> rate, comparable groups only
    k: pd.Series  # label -> count above the line
    n: pd.Series  # label -> count below the line
    lower_is_worse: bool
    #: The rate of GroupMetrics it is, and whether it counts the other decision.
    base: str = "selection_rate"
    complement: bool = False


def _reference(r: _Rates, chosen: str | None) -> tuple[str | None, str]:
    """The group every other is compared with: the user's, else the best-off one."""
    if chosen is not None:
        return (chosen, "chosen") if chosen in r.rates.index else (None, "chosen")
    best = r.rates.idxmax() if r.lower_is_worse else r.rates.idxmin()
    return str(best), "best_off"


def _compare(
    r: _Rates,
    ref: str,
    threshold: float,
    ratio: bool,
    level: float,
    mirror: bool = False,
    rows: DesignRows | None = None,
) -> list[Comparison]:
    """Every comparable group but the reference, against the reference; with ``mirror`` (a
    reference the user chose, which may itself be worse off) also the reference against each
    of them. With ``rows`` (a sampling design), the design-based comparisons."""
    others = [str(g) for g in r.rates.index if g != ref]
    pairs = [(g, ref) for g in others] + ([(ref, g) for g in others] if mirror else [])
    if rows is not None:
        return [
            _design_comparison(r, g, h, threshold, ratio, level, rows, mirrored=g == ref)
            for g, h in pairs
        ]
    kg = np.array([float(r.k[g]) for g, _ in pairs])
    ng = np.array([float(r.n[g]) for g, _ in pairs])
    kr = np.array([float(r.k[h]) for _, h in pairs])
    nr = np.array([float(r.n[h]) for _, h in pairs])
    if ratio:  # H0: rate_g / rate_ref >= threshold
        test = margin_test(kg, ng, kr, nr, threshold, scale="ratio", alternative="less")
        counts, scale = (kg, ng, kr, nr), "ratio"
        values = (kg / ng) / (kr / nr)
    elif r.lower_is_worse:  # H0: rate_ref - rate_g <= threshold
        test = margin_test(kr, nr, kg, ng, threshold, scale="diff", alternative="greater")
        counts, scale = (kr, nr, kg, ng), "diff"
        values = kr / nr - kg / ng
    else:  # H0: rate_g - rate_ref <= threshold
        test = margin_test(kg, ng, kr, nr, threshold, scale="diff", alternative="greater")
        counts, scale = (kg, ng, kr, nr), "diff"
        values = kg / ng - kr / nr
    intervals = _ScoreIntervals(counts, scale)
    lo, hi = intervals.at_level(level)
    zero = two_proportion_test(kg, ng, kr, nr)
    return [
        Comparison(
            group=g,
            reference=h,
            value=float(values[i]),
            ci=(float(lo[i]), float(hi[i])),
            p_beyond=float(test.p_value[i]),
            p_zero=float(zero.p_value[i]),
            method=str(test.method[i]),
            size=int(ng[i]),
            interval_at=partial(intervals.one, i),
            extra={
                "rate": float(kg[i] / ng[i]),
                "reference_rate": float(kr[i] / nr[i]),
                **({"mirrored": True} if g == ref else {}),
            },
        )
        for i, (g, h) in enumerate(pairs)
    ]


class _ScoreIntervals:
    """The score intervals (the inversion of the score test that decides each pair) of the
    comparisons of one check, at any two-sided level: inverted for all of them at once the
    first time a level is asked (70 steps of the vectorised statistic), not once per pair
    (13,000 pairs took 140 s)."""

    def __init__(self, counts: tuple[np.ndarray, ...], scale: str) -> None:
        self.counts, self.scale = counts, scale
        self._levels: dict[float, tuple[np.ndarray, np.ndarray]] = {}

    def at_level(self, level: float) -> tuple[np.ndarray, np.ndarray]:
        """Every pair's interval at ``level``: the lower ends, the upper ends."""
        if level not in self._levels:
            self._levels[level] = score_interval(*self.counts, scale=self.scale, level=level)
        return self._levels[level]

    def one(self, i: int, level: float) -> tuple[float, float]:
        """Pair ``i``'s interval at ``level``."""
        lo, hi = self.at_level(level)
        return float(lo[i]), float(hi[i])


def _design_comparison(
    r: _Rates,
    g: str,
    h: str,
    threshold: float,
    ratio: bool,
    level: float,
    rows: DesignRows,
    *,
    mirrored: bool,
) -> Comparison:
    """Group ``g`` against ``h`` on weighted rates with design-based errors: the log of the
    ratio (:func:`~szai_audit.core.design.log_ratio`) or the difference
    (:func:`~szai_audit.core.design.mean_difference`), a normal interval and tests."""
    y, among = rows.outcome(r.base, r.complement)
    in_g, in_h = among & rows.member(g), among & rows.member(h)
    if ratio:  # H0: rate_g / rate_h >= threshold, on the log scale
        gap = log_ratio(y, in_g, in_h, rows.design)
        value, direction, scale, method = gap.value, "at_least", "log", "design_log"
        rate, reference_rate = gap.mean, gap.reference_mean
    elif r.lower_is_worse:  # H0: rate_h - rate_g <= threshold
        gap = mean_difference(y, in_h, in_g, rows.design)
        value, direction, scale, method = gap.value, "at_most", "identity", "design"
        rate, reference_rate = gap.reference_mean, gap.mean
    else:  # H0: rate_g - rate_h <= threshold
        gap = mean_difference(y, in_g, in_h, rows.design)
        value, direction, scale, method = gap.value, "at_most", "identity", "design"
        rate, reference_rate = gap.mean, gap.reference_mean
    return normal_comparison(
        g,
        h,
        value,
        gap.se,
        threshold=threshold,
        direction=direction,
        level=level,
        scale=scale,
        method=method,
        size=int(r.n[g]),
        extra={
            "rate": rate,
            "reference_rate": reference_rate,
            "n_clusters": gap.n_clusters,
            **({"mirrored": True} if mirrored else {}),
        },
    )


def _measure(
    check: str,
    ground: str,
    r: _Rates,
    comp: _Comparable,
    *,
    threshold: float,
    ratio: bool,
    reference: str,
    reference_rule: str,
    level: float,
    details: dict[str, Any],
    rows: DesignRows | None = None,
) -> Measured:
    """Every comparable group against the reference, waiting for the judgement of its family."""
    comparisons = _compare(r, reference, threshold, ratio, level, reference_rule == "chosen", rows)
    equal = float(r.rates.max() - r.rates.min()) <= TOLERANCE
    groups = [str(x) for x in r.rates.index]

    def detectable(verdict: Verdict) -> dict[str, Any]:
        """The smallest gap the named pair's sample would show beyond the tolerance (not
        under a sampling design: the binomial variances would not be the design's)."""
        if rows is not None:
            return {}
        c = verdict.comparison
        record = power.detectable_gap(
            verdict,
            reference_rate=float(r.k[c.reference] / r.n[c.reference]),
            n_group=float(r.n[c.group]),
            n_reference=float(r.n[c.reference]),
            ratio=ratio,
            lower_is_worse=r.lower_is_worse,
        )
        return {"min_detectable_gap": record}

    def message(verdict: Verdict) -> Message:
        record = detectable(verdict).get("min_detectable_gap")
        said = record is not None and verdict.status is not Status.FAIL and not equal
        return words.msg_comparison(
            ground,
            r.metric,
            verdict,
            threshold=threshold,
            level=level,
            reference_rule=reference_rule,
            groups=groups if equal else (),
            positive=details.get("positive_label"),
            favorable_is_positive=bool(details.get("favorable_is_positive", True)),
            name=words.favorable_name_of(details),
            power=power.power_sentence(record) if said and record is not None else None,
        )

    return Measured(
        check=check,
        article=ARTICLE,
        ground=ground,
        threshold=threshold,
        direction="at_least" if ratio else "at_most",
        comparisons=comparisons,
        message=message,
        verdict_details=detectable,
        details={
            **comp.details(r.metric, r.lower_is_worse),
            **details,
            "reference": reference,
            "reference_rule": reference_rule,
            # Under a design the rates compared are the weighted ones.
            **({"rates": {str(k): float(v) for k, v in r.rates.items()}} if rows else {}),
        },
    )


def _one_check(
    check: str,
    key: str,
    r: _Rates,
    comp: _Comparable,
    policy: Policy,
    *,
    threshold: float,
    ratio: bool,
    reference: str | None,
    details: dict[str, Any],
    rows: DesignRows | None = None,
) -> Finding | Measured:
    """A check's finding: too few groups, a reference too small, or the comparisons."""
    name = words.favorable_name_of(details)
    if len(r.rates) < 2:
        return _insufficient(check, key, r.metric, comp, policy, threshold, details)
    ref, rule = _reference(r, reference)
    if ref is None:  # the chosen reference is below the minimum: the data cannot support it
        return Finding(
            check=check,
            article=ARTICLE,
            status=Status.INSUFFICIENT_DATA,
            message=words.msg_reference_too_small(
                key, r.metric, str(reference), policy.min_group_size, name
            ),
            threshold=threshold,
            ground=key,
            details=_named(details),
        )
    if ratio and float(r.rates[ref]) == 0:
        no_favourable = words.msg_no_favourable(key, name)
        return _not_assessed(check, key, no_favourable, threshold, details)
    return _measure(
        check,
        key,
        r,
        comp,
        threshold=threshold,
        ratio=ratio,
        reference=ref,
        reference_rule=rule,
        level=policy.confidence_level,
        details=details,
        rows=rows,
    )


def _rates(
    gm: GroupMetrics,
    metric: str,
    comp: _Comparable,
    *,
    lower_is_worse: bool,
    complement: bool = False,
    name: str | None = None,
) -> _Rates:
    """The comparable groups' rate with the counts above and below its line; ``complement``
    counts the other decision (the favourable one when the positive label is not)."""
    labels = [group_label(k) for k in gm.counts.index]
    num = pd.Series(gm.numerators()[metric].to_numpy(float), index=labels)
    den = pd.Series(gm.denominators()[metric].to_numpy(float), index=labels)
    if complement:
        num = den - num
    keep = list(comp.rates.index)
    rates = num[keep] / den[keep]
    return _Rates(name or metric, rates, num[keep], den[keep], lower_is_worse, metric, complement)


def _weighted(r: _Rates, rows: DesignRows | None) -> _Rates:
    """The rates of ``r`` weighted by the design's weights (as they are without ``rows`` or
    weights): the best-off group and the rates shown are then the weighted ones."""
    if rows is None or rows.design.weights is None:
        return r
    y, among = rows.outcome(r.base, r.complement)
    w = rows.design.weights
    rates = {}
    for g in r.rates.index:
        mask = among & rows.member(g)
        total = float(w[mask].sum())
        rates[g] = float(w[mask] @ y[mask]) / total if total > 0 else np.nan
    return replace(r, rates=pd.Series(rates).reindex(r.rates.index))


def assess_table(
    key: str,
    gm: GroupMetrics,
    policy: Policy,
    favorable_is_positive: bool,
    *,
    random_state: Any = None,
    reference: str | None = None,
    rows: DesignRows | None = None,
    favorable_name: Message | None = None,
) -> TableAssessment:
    """Measure the four Art. 72(2)(iv) checks and the per-group tests of one table.

    Each check compares every group whose rate rests on enough people
    (``policy.min_group_size``, counted as the check's registry entry says) with the
    reference group: ``reference`` when given, else the best-off group (the highest
    favourable-decision rate; for the error rates, the lowest harm). ``favorable_name`` is
    what the favourable decision is called (its rate's name in the messages and titles, and
    ``details["favorable_name"]``). ``random_state`` is accepted for the caller's seeds; no
    check here draws random numbers.

    With ``rows`` (every row of the table and the sampling design, given when ``cluster=`` or
    ``weights=`` was), the rates are weighted and each comparison is a normal one on the
    design-based standard error (:mod:`szai_audit.core.design`), in place of the score and
    exact tests and intervals, which take the rows as independent and unweighted. The group
    sizes behind ``policy.min_group_size`` stay counts of rows.
    """
    items: list[Finding | Measured] = []
    details = _table_details(gm, favorable_is_positive, favorable_name)
    sel = gm.by_group["selection_rate"]
    fav = sel if favorable_is_positive else 1.0 - sel
    comp = _comparable(gm, "selection_rate", fav, policy.min_group_size)
    r = _rates(
        gm,
        "selection_rate",
        comp,
        lower_is_worse=True,
        complement=not favorable_is_positive,
        name="favorable_rate",
    )
    r = _weighted(r, rows)
    items.append(
        _one_check(
            SELECTION_RATIO.id,
            key,
            r,
            comp,
            policy,
            threshold=policy.selection_rate_ratio_min,
            ratio=True,
            reference=reference,
            details=details,
            rows=rows,
        )
    )
    for check, (metric, policy_attr) in DIFFERENCE_CHECKS.items():
        threshold = float(getattr(policy, policy_attr))
        if metric != "selection_rate" and not gm.has_outcomes:
            no_outcomes = words.msg_no_outcomes(metric)
            items.append(_not_assessed(check, key, no_outcomes, threshold, details))
            continue
        comp = _comparable(gm, metric, gm.by_group[metric], policy.min_group_size)
        r = _weighted(_rates(gm, metric, comp, lower_is_worse=favorable_is_positive), rows)
        items.append(
            _one_check(
                check,
                key,
                r,
                comp,
                policy,
                threshold=threshold,
                ratio=False,
                reference=reference,
                details=details,
                rows=rows,
            )
        )
    return TableAssessment(key, items, _group_tests(gm, policy, reference))


def _table_details(
    gm: GroupMetrics, favorable_is_positive: bool, favorable_name: Message | None
) -> dict[str, Any]:
    """What every rate check of a table records: which decision is favourable, and its name."""
    details: dict[str, Any] = {
        "favorable_is_positive": favorable_is_positive,
        "positive_label": gm.pos_label,
    }
    if favorable_name is not None:
        details["favorable_name"] = favorable_name.to_dict()
    return details


def _group_tests(gm: GroupMetrics, policy: Policy, reference: str | None) -> pd.DataFrame:
    """Raw p-values of each comparable group against the rest (and the reference group)."""
    labels = [group_label(k) for k in gm.counts.index]
    cols: dict[tuple[str, str], np.ndarray] = {}
    num, den = gm.numerators(), gm.denominators()
    for metric in TESTED_METRICS:
        if metric != "selection_rate" and not gm.has_outcomes:
            continue
        mask = comparable_mask(gm, metric, policy.min_group_size)
        cols[(metric, "p_vs_rest")] = gm.test_vs_rest(metric, mask)["p_value"].to_numpy()
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
