"""Art. 72(2)(iv) on recourse: the findings of :mod:`szai_audit.fairness.recourse` (the share
of the unfavourably decided who could reach the favourable decision, and the median change
they need, by group), with their words."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from ...core.catalog import say
from ...core.data import is_missing_group_key
from ...core.findings import Finding, Status
from ...core.grounds import ground_label
from ...core.judging import Measured, Verdict, both_ways, sides, verdict_tail
from ...core.messages import Message, fmt_level, fmt_pct, fmt_ratio, listing
from ...core.models import Repeat
from ...core.policy import Policy
from ..checks import ARTICLE, RECOURSE_COST, RECOURSE_SHARE
from ..recourse import RecourseSample, by_group, cost_comparisons, share_comparisons
from ..words import Labels, feature_name, unit_of

__all__ = ["recourse_findings", "recourse_not_assessed"]

#: Why recourse was not assessed, by key.
REASONS = {
    "no_model": say("fairness.reasons.no_model"),
    "in_parts": say("fairness.reasons.in_parts"),
    "not_asked": say("fairness.reasons.not_asked"),
    "none_refused": say("fairness.reasons.none_refused"),
    "nothing_changeable": say("fairness.reasons.nothing_changeable"),
}


def recourse_not_assessed(ground: str, reason: str, repeat: Repeat | None = None) -> list[Finding]:
    """Both recourse findings of ``ground``, NOT_ASSESSED for ``reason`` (a key of
    :data:`REASONS`, or ``"unrepeatable"``: the model gave other outputs when called twice on
    the same rows, ``repeat``, recorded in the details)."""
    g = ground_label(ground)
    why = REASONS[reason] if repeat is None else repeat.why()
    return [
        Finding(
            check=check.id,
            article=ARTICLE,
            status=Status.NOT_ASSESSED,
            message=say(
                "fairness.recourse_not_assessed.recourse_was_not_assessed", ground=g, why=why
            ),
            ground=ground,
            details={} if repeat is None else repeat.details(),
        )
        for check in (RECOURSE_SHARE, RECOURSE_COST)
    ]


def recourse_findings(
    ground: str,
    sample: RecourseSample,
    groups: np.ndarray,
    policy: Policy,
    *,
    reference: str | None = None,
    random_state: int | None = 0,
    labels: Labels = None,
    hidden: frozenset[str] = frozenset(),
) -> list[Finding | Measured]:
    """The two recourse findings of one ground, from the people searched (``sample``) and
    each one's group (``groups``, aligned with ``sample.positions``): the share with recourse
    (``fairness.recourse_share``) and the median cost of recourse
    (``fairness.recourse_cost_ratio``), each group against ``reference`` (the user's, else the
    best-off group on the measure). The groups ``hidden`` (whose decisions the group table
    withholds: their number refused would give them back) are neither compared nor given a
    figure.

    >>> rng = np.random.default_rng(0)
    >>> costs = np.r_[rng.exponential(1.0, 400), rng.exponential(2.0, 400)]
    >>> groups = np.array(["a"] * 400 + ["b"] * 400, dtype=object)
    >>> s = RecourseSample(np.arange(800), costs, {"income": "increase"}, 800)
    >>> share, cost = recourse_findings("gender", s, groups, Policy())
    >>> [c.group for c in cost.comparisons], round(cost.comparisons[0].value, 2)
    (['b'], 0.58)
    """
    table = by_group(sample.costs, groups)
    table = table.loc[[g for g in table.index if not is_missing_group_key(g)]]
    details = _details(sample, table, labels, hidden)
    table = table.loc[[g for g in table.index if str(g) not in hidden]]
    out: list[Finding | Measured] = []
    level, size = policy.confidence_level, policy.min_group_size
    for check, column, best in (
        (RECOURSE_SHARE, "refused", lambda t: t["share"].idxmax()),
        (RECOURSE_COST, "with_recourse", lambda t: t["median_cost"].idxmin()),
    ):
        eligible = table[table[column] >= size]
        threshold = (
            policy.recourse_share_gap_max
            if check is RECOURSE_SHARE
            else policy.recourse_cost_ratio_min
        )
        if len(eligible) < 2 or (reference is not None and reference not in eligible.index):
            out.append(_insufficient(check.id, ground, threshold, size, table[column]))
            continue
        ref = reference if reference is not None else str(best(eligible))
        if check is RECOURSE_SHARE:
            comparisons = share_comparisons(eligible, ref, threshold=threshold, level=level)
        else:
            comparisons = cost_comparisons(
                sample.costs, groups, eligible, ref, threshold=threshold, level=level,
                n_bootstrap=policy.n_bootstrap, random_state=random_state,
                unit_scale=_one_number(sample),
            )  # fmt: skip
        if reference is not None:  # a chosen reference may itself be the group worse off
            comparisons = both_ways(
                comparisons, threshold=threshold, direction=check.direction, level=level
            )
        out.append(
            Measured(
                check=check.id,
                article=ARTICLE,
                ground=ground,
                threshold=threshold,
                direction=check.direction,
                comparisons=comparisons,
                message=_message(check.id, ground, sample, threshold, level, labels),
                details=details
                if check is RECOURSE_SHARE
                else {**details, "largest_change_ratio": 1 / threshold},
            )
        )
    return out


def _one_number(sample: RecourseSample) -> float | None:
    """The cost unit of the only input that may change, when it is a number."""
    if len(sample.changeable) == 1:
        return sample.scales.get(next(iter(sample.changeable)))
    return None


def _details(
    sample: RecourseSample, table: pd.DataFrame, labels: Labels, hidden: frozenset[str]
) -> dict[str, Any]:
    return {
        "searched": len(sample.positions),
        "refused": sample.n_unfavourable,
        "changeable": {
            c: (list(d) if isinstance(d, tuple) else d) for c, d in sample.changeable.items()
        },
        "changeable_names": [feature_name(c, labels).en for c in sample.changeable],
        "by_group": [
            {"group": str(g), "withheld": True}
            if str(g) in hidden
            else {
                "group": str(g),
                "refused": int(r["refused"]),
                "with_recourse": int(r["with_recourse"]),
                "share": float(r["share"]),
                "median_cost": None if math.isnan(r["median_cost"]) else float(r["median_cost"]),
            }
            for g, r in table.iterrows()
        ],
    }


def _insufficient(
    check: str, ground: str, threshold: float, size: int, counts: pd.Series
) -> Finding:
    g = ground_label(ground)
    who = (
        say("fairness.insufficient.people_decided_unfavourably")
        if counts.name == "refused"
        else say("fairness.insufficient.people_with_recourse")
    )
    listed = (
        listing([say("core.values.people_bare", value=str(k), n=int(v)) for k, v in counts.items()])
        if len(counts)
        else say("core.values.none")
    )
    return Finding(
        check=check,
        article=ARTICLE,
        status=Status.INSUFFICIENT_DATA,
        message=say(
            "fairness.insufficient.fewer_than_two_groups",
            ground=g,
            who=who,
            size=size,
            listed=listed,
        ),
        threshold=threshold,
        ground=ground,
        details={str(counts.name): {str(k): int(v) for k, v in counts.items()}},
    )


def _searched(sample: RecourseSample, labels: Labels) -> Message:
    names = [feature_name(c, labels) for c in sample.changeable]
    zh, en = "、".join(n.zh for n in names), ", ".join(n.en for n in names)
    some = (
        say("fairness.searched.drawn_at_random", positions=len(sample.positions))
        if sample.sampled
        else say("fairness.searched.all", positions=len(sample.positions))
    )
    return say(
        "fairness.searched.people_model_decided_unfavourably",
        n_unfavourable=sample.n_unfavourable,
        some=some,
        text=Message(zh, en),
    )


def _message(
    check: str,
    ground: str,
    sample: RecourseSample,
    threshold: float,
    level: float,
    labels: Labels,
) -> Any:
    g = ground_label(ground)

    def write(verdict: Verdict) -> Message:
        c = verdict.comparison
        worse, other = sides(c)
        lo, hi = c.ci if c.ci is not None else (math.nan, math.nan)
        lead = _searched(sample, labels)
        numbers = {
            "worse": worse,
            "other": other,
            "level": fmt_level(verdict.level),
        }
        if check == RECOURSE_SHARE.id:
            body = say(
                "fairness.recourse.share",
                ground=g,
                lead=lead,
                share=fmt_pct(c.extra["share"]),
                reference_share=fmt_pct(c.extra["reference_share"]),
                value=f"{100 * c.value:.1f}",
                low=f"{100 * lo:.1f}",
                high=f"{100 * hi:.1f}",
                threshold=f"{100 * threshold:.1f}",
                **numbers,
            )
        else:
            body = say(
                "fairness.recourse.median",
                ground=g,
                lead=lead,
                median=f"{c.extra['median']:.2f}",
                reference_median=f"{c.extra['reference_median']:.2f}",
                value=fmt_ratio(c.value),
                low=fmt_ratio(lo),
                high=fmt_ratio(hi),
                threshold=fmt_ratio(threshold),
                inverse=fmt_ratio(1 / threshold),
                **numbers,
            )
        if "median_change" in c.extra:
            body = body.join(_in_units(c, sample, labels, worse, other))
        return body.join(verdict_tail(verdict))

    return write


def _in_units(
    c: Any, sample: RecourseSample, labels: Labels, worse: Message, other: Message
) -> Message:
    """The medians of the only number that may change, in its own unit."""
    column = next(iter(sample.changeable))
    name, unit = feature_name(column, labels), unit_of("", column, labels)
    g, r = f"{c.extra['median_change']:.2f}", f"{c.extra['reference_median_change']:.2f}"
    if unit.zh or unit.en:
        unit = say("fairness.in_units.text", unit=unit)
    return say(
        "fairness.in_units.itself_median_change",
        name=name,
        worse=worse,
        ground=g,
        unit=unit,
        other=other,
        r=r,
    )
