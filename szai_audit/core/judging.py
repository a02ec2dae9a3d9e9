"""The decision rule every measured comparison follows: FAIL, WARN or PASS.

A check *measures* (:class:`Measured`): for each compared group, its gap to the reference group
(:class:`Comparison`: the value, its interval, the one-sided p-value of the test whose null is
"the gap is within the tolerance", and the two-sided p-value of "there is no gap"). Once every
check of the audit has measured, :func:`finalize` groups the tests into families
(:class:`Family`: the questions asked about one ground, a pair asked once whatever its
direction and number of estimators; informative comparisons apart), adjusts each family
(Benjamini-Hochberg), shows each interval at the level matching its test, and *judges* each
finding by :data:`DECISION_RULES`:

* **FAIL**: the data show the gap beyond the tolerance: the adjusted p-value of the one-sided
  test of ``H0: the gap is within the tolerance`` is below the significance level, for the pair
  the finding names (the first such group, largest gap first): its interval lies wholly beyond;
* **PASS**: the interval of every compared group's gap lies wholly within the tolerance;
* **WARN**: neither: an interval reaches across the edge; the data cannot tell.

An *informative* comparison (a raw price gap, which legitimate factors may explain) never
fails: where the rule says FAIL it is a WARN; nor does a regression-adjusted gap without
comparable rows. A PASS (or WARN) whose gap is nonetheless different from zero (adjusted "no
gap" p-value below the significance level) says so in its message. Nothing here knows an
article: a check passes its own article and the function writing its message. How the
families and the intervals are chosen is :data:`METHOD` (docs/method.md prints it).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple, Protocol

import numpy as np
import pandas as pd

from .catalog import say
from .findings import Finding, Status
from .margins import normal_interval, normal_margin_test
from .messages import Message, fmt_level, fmt_p
from .policy import Policy
from .stats import benjamini_hochberg, normal_p_value

__all__ = [
    "DECISION_RULES",
    "METHOD",
    "NUMERICAL_ZERO",
    "OUTCOME_PASS",
    "READINGS",
    "SCALES",
    "TOLERANCE",
    "Comparison",
    "Family",
    "Judgeable",
    "Measured",
    "MeasuredTwice",
    "TableAssessment",
    "Verdict",
    "both_ways",
    "decision_rule_paragraph",
    "decision_table",
    "disagreement",
    "finalize",
    "method_text",
    "mirrored",
    "normal_comparison",
    "sides",
    "verdict_tail",
    "within",
]

#: Values within this distance of a threshold count as meeting it: 32/100 ÷ 40/100 is
#: 0.7999999999999999 in floating point and must not fail a 0.8 threshold.
TOLERANCE = 1e-9

#: A gap and a standard error both this close to zero (on the test's scale) are zero: what
#: is left of no gap after floating-point rounding, never "a gap different from zero".
NUMERICAL_ZERO = 1e-12

#: The decision rule, one row per status, as :meth:`Measured.judge` applies it (docs/concepts.md
#: prints this table; a test keeps the two equal).
DECISION_RULES: tuple[tuple[str, str], ...] = (
    (
        "FAIL",
        'The data show the gap beyond the tolerance: the one-sided test of H0 "the gap is '
        'within the tolerance", for the pair the finding names, has a Benjamini-Hochberg '
        "adjusted p-value below `significance_level` (the family: the questions asked about "
        "the same ground); equivalently, the pair's interval, at the level matching that "
        "test, lies wholly beyond the tolerance.",
    ),
    (
        "PASS",
        "Not FAIL, and the interval at `confidence_level` of every compared pair's gap lies "
        "wholly within the tolerance (every pair must: a claim about all of them, which needs "
        "no adjustment for their number). When the named gap is nonetheless different from "
        "zero (the adjusted p-value of the two-sided test of no gap is below "
        "`significance_level`), the message says so and `details.gap_not_zero` is true.",
    ),
    (
        "WARN",
        "Neither: an interval reaches across the edge of the tolerance. The data cannot tell; "
        "more data would. When the gap is nonetheless clearly not zero (the adjusted test of "
        "no gap), the message says so.",
    ),
    (
        "WARN (two estimates)",
        "A gap measured two ways (after legitimate factors: stratified and regression-adjusted) "
        "is one question, tested by the larger of the two p-values: FAIL only when both "
        "intervals lie beyond the tolerance. A pair where the two read differently is WARN; "
        "the message gives both.",
    ),
    (
        "WARN (no comparable rows)",
        "When the strata two groups share hold fewer than `min_group_size` rows of either or "
        "less than `min_coverage` of the group's rows, only the regression-adjusted gap "
        "exists: a model extrapolation, never FAIL (WARN where the rule says FAIL) and not "
        "among the questions adjusted for.",
    ),
    (
        "WARN (informative)",
        "A comparison that legitimate factors may explain (a raw price gap, a price trend "
        "without factors, the raw mean-prediction ratio of numeric outputs when factors are "
        "given) or that is not discrimination by itself (a proxy) is never FAIL: "
        "where the rule says FAIL, it is WARN. Such comparisons form a family of their own.",
    ),
    (
        "INSUFFICIENT_DATA",
        "Fewer than two groups reach the check's minimum (the `minimum` column of "
        "[the checks](checks.md)), or the reference group does not; no rule above applies.",
    ),
)

#: How the tests of an audit are grouped and their intervals chosen, as docs/method.md
#: prints it (a test keeps the two equal): heading, then text.
METHOD: tuple[tuple[str, str], ...] = (
    (
        "One family per ground",
        "A *question* is one pair of groups on one decided check. A pair read both ways is "
        "asked once, in the direction its estimate points (the smaller of its two one-sided "
        "p-values), and a gap measured by two estimators is one question (the "
        "intersection-union test: the larger of their two p-values). The questions about one "
        "ground (an attribute, an intersection, a consumer-profile dimension) form one "
        "Benjamini-Hochberg family at `significance_level`; its informative comparisons (raw "
        "price gaps, price trends without factors, raw mean-prediction ratios beside factors, "
        "proxies) form another, and checks without "
        "a test (flip tests, attribution shares, the count of decisions turned by the inputs "
        "tied to protected grounds, the Art. 33(2) scan) are in none. Adding "
        "inputs, a never-FAIL check or another ground therefore cannot change a decision on "
        "a ground. The false discovery rate is controlled at `significance_level` within each "
        "family (under independence or positive dependence of its tests), per ground and not "
        "for the audit as a whole: with several grounds, expect up to that share of false "
        "discoveries on each. The tests of no gap are adjusted the same way, per ground, with "
        "the group tests of the ground's table. Reading a pair in the direction its estimate "
        "points adds at most Φ(−z − 2t/se) to the level at the margin (the chance that the "
        "estimate lands beyond the tolerance t on the other side too), negligible unless the "
        "tolerance is small beside the standard error; `tests/test_decisions.py` simulates it.",
    ),
    (
        "Intervals that say what the test says",
        "A finding prints the interval its status rests on. A FAIL's interval is at the "
        "two-sided level 1 − 2q, q = max(R, 1) × `significance_level` / m, for a family of m "
        "questions of which the procedure rejects R (the false-coverage-rate intervals of "
        "Benjamini and Yekutieli, 2005): each end is a one-sided bound at level 1 − q, so it "
        "lies wholly beyond the tolerance exactly when the adjusted test rejects. A PASS's "
        "interval is at `confidence_level`, wholly within the tolerance for every pair (a "
        "claim about all pairs at once needs no adjustment for their number). A WARN's is the "
        "wider of the two, which reaches across the edge of the tolerance. The message names "
        "the level and, when it is the adjusted one, the m questions it is adjusted for (a "
        "family of one question has 1 − 2 × `significance_level`, the level of the one-sided "
        "test). Where the exact test used for small counts and the score interval disagree, "
        "the pair is WARN and its message says both. Every adjusted p-value is printed with "
        'the unadjusted one beside it; `details["comparisons"]` gives each pair\'s interval, '
        "its level and what it reads.",
    ),
    (
        "No FAIL without comparable rows",
        "The stratified estimate of a gap after legitimate factors is used only when the "
        "strata the two groups share hold at least `min_group_size` rows of each and at least "
        "`min_coverage` of the group's rows. Below that floor (certainly with no shared "
        "stratum) only the regression-adjusted estimate exists; it compares the groups "
        "through the model's extrapolation, so it cannot decide a FAIL: the pair is WARN at "
        "worst, is not among the questions of the family, and its message gives the rows the "
        "shared strata hold for each group.",
    ),
    (
        "The selected pair",
        "With the best-off group as the reference, the pair a finding names is the extreme of "
        "the compared groups, chosen after seeing the data. When more than two groups are "
        "compared the message says so: its interval is adjusted for the number of comparisons "
        "but not for choosing the reference from the data, so the gap between the extremes of "
        "many small groups can look large when no group is treated differently.",
    ),
)


def method_text() -> str:
    """:data:`METHOD` as Markdown sections (level-3 headings)."""
    return "\n".join(f"### {head}\n\n{text}\n" for head, text in METHOD)


def decision_table() -> str:
    """:data:`DECISION_RULES` as a Markdown table."""
    rows = ["| status | when |", "| --- | --- |"]
    rows += [f"| {status} | {rule} |" for status, rule in DECISION_RULES]
    return "\n".join(rows) + "\n"


def within(value: float, threshold: float, direction: str) -> bool:
    """Whether ``value`` meets the tolerance on the side ``direction`` names."""
    if direction == "at_least":
        return value >= threshold - TOLERANCE
    if direction == "below":
        return value < threshold + TOLERANCE
    return value <= threshold + TOLERANCE


def _interval_within(ci: tuple[float, float] | None, threshold: float, direction: str) -> bool:
    if ci is None or not all(math.isfinite(x) for x in ci):
        return False
    bound = ci[0] if direction == "at_least" else ci[1]
    return within(bound, threshold, direction)


@dataclass(frozen=True, kw_only=True)
class Comparison:
    """One compared group against the reference, on one check."""

    group: str
    reference: str
    #: The gap (or ratio) in the check's unit; its harmful side is the check's direction.
    value: float
    #: Its interval at the policy's confidence level (None when it cannot be computed).
    ci: tuple[float, float] | None
    #: One-sided p-value of the test of H0 "the gap is within the tolerance".
    p_beyond: float
    #: Two-sided p-value of the test of H0 "there is no gap" (None when not tested).
    p_zero: float | None
    #: The test behind ``p_beyond`` ("score", "exact", "normal", "welch"...).
    method: str
    #: What stands behind the group's side of the comparison (people, orders, rows covered).
    size: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    #: For a normal comparison: the standard error, and the scale (:data:`SCALES`) it is on.
    se: float | None = None
    scale: str = "identity"
    #: The tolerance this comparison is judged against, when not the check's own (the proxy
    #: check holds each feature to one limit and all features together to another).
    threshold: float | None = None
    #: For a comparison whose interval is not ``value ± z se`` (a score interval): its
    #: interval at a given two-sided level, so that it can be shown at the test's level.
    interval_at: Callable[[float], tuple[float, float]] | None = field(
        default=None, compare=False, repr=False
    )

    def at_level(self, level: float) -> tuple[float, float] | None:
        """The interval at the two-sided ``level`` (None when it cannot be computed).

        >>> c = normal_comparison("b", "a", 0.12, 0.02, threshold=0.1, direction="at_most",
        ...                       level=0.95)
        >>> [round(x, 4) for x in c.at_level(0.90)]
        [0.0871, 0.1529]
        """
        if self.se is not None:
            to, back = SCALES[self.scale]
            v = to(self.value)
            if not (math.isfinite(v) and math.isfinite(self.se)):
                return None
            lo, hi = normal_interval(v, self.se, level)
            return back(float(lo[0])), back(float(hi[0]))
        if self.interval_at is not None:
            return self.interval_at(level)
        return None


#: Scales a comparison can be tested on: name -> (to the test's scale, back). ``log`` for a
#: ratio (1 = no gap), ``log1p`` for a relative gap (0.05 = 5% more; 0 = no gap).
SCALES: dict[str, tuple[Callable[[float], float], Callable[[float], float]]] = {
    "identity": (float, float),
    "log": (lambda x: float(np.log(x)) if x > 0 else math.nan, lambda x: float(np.exp(x))),
    "log1p": (
        lambda x: float(np.log1p(x)) if x > -1 else math.nan,
        lambda x: float(np.expm1(x)),
    ),
}


def normal_comparison(
    group: str,
    reference: str,
    value: float,
    se: float,
    *,
    threshold: float,
    direction: str,
    level: float,
    scale: str = "identity",
    no_gap: float = 0.0,
    method: str = "normal",
    size: int | None = None,
    extra: dict[str, Any] | None = None,
) -> Comparison:
    """A comparison whose estimate has a standard error: its normal interval, the one-sided
    test against the threshold (on the harmful side ``direction`` names) and the two-sided
    test of no gap.

    With ``scale="log"`` (a ratio) or ``"log1p"`` (a relative gap) the test and the interval
    are on that scale, where ``se`` is given, and ``value``, ``threshold`` and the interval
    are on the natural one. ``no_gap`` is the value of no gap on the test's scale (0.5 for an
    AUC: chance).

    >>> c = normal_comparison("b", "a", 0.9, 0.02, threshold=0.8, direction="at_least",
    ...                       level=0.95, scale="log")
    >>> [round(x, 3) for x in c.ci], c.p_beyond > 0.99  # 0.9 is not below 0.8
    ([0.865, 0.936], True)
    """
    to, back = SCALES[scale]
    v, t = to(value), to(threshold)
    if abs(v - no_gap) <= NUMERICAL_ZERO and 0 <= se <= NUMERICAL_ZERO:
        # No gap up to rounding (a line fitted to constant decisions: slope -4e-16, se 3e-17):
        # the gap is zero, not "shown different from zero".
        v, se, value = no_gap, 0.0, back(no_gap)
    alternative = "less" if direction == "at_least" else "greater"
    p_beyond = float(normal_margin_test(v, se, t, alternative=alternative)[0])
    lo, hi = normal_interval(v, se, level)
    finite = math.isfinite(v) and math.isfinite(se)
    p_zero = float(normal_p_value(v - no_gap, se)[0]) if finite and se > 0 else None
    return Comparison(
        group=group,
        reference=reference,
        value=value,
        ci=(back(float(lo[0])), back(float(hi[0]))) if finite else None,
        p_beyond=p_beyond if finite else 1.0,
        p_zero=p_zero,
        method=method,
        size=size,
        extra=dict(extra or {}),
        se=se,
        scale=scale,
    )


def mirrored(c: Comparison, *, threshold: float, direction: str, level: float) -> Comparison:
    """A normal comparison the other way round: the reference against the group, its value
    the harm to the reference (the gap negated on the test's scale: minus a difference, the
    inverse of a ratio), tested against the same tolerance. The ``extra`` entries ``x`` and
    ``reference_x`` trade places; ``raw`` (the unadjusted gap) is turned like the value.

    >>> c = normal_comparison("b", "a", 1.25, 0.05, threshold=0.8, direction="at_least",
    ...                       level=0.95, scale="log", extra={"mean": 5, "reference_mean": 4})
    >>> m = mirrored(c, threshold=0.8, direction="at_least", level=0.95)
    >>> m.group, m.reference, m.value, m.extra["mean"], round(m.p_beyond, 4)
    ('a', 'b', 0.8, 4, 0.5)
    """
    if c.se is None:
        raise ValueError(f"only a normal comparison can be mirrored, got method {c.method!r}")
    to, back = SCALES[c.scale]
    extra = dict(c.extra)
    for key in [k for k in c.extra if f"reference_{k}" in c.extra]:
        extra[key], extra[f"reference_{key}"] = c.extra[f"reference_{key}"], c.extra[key]
    if "raw" in extra:
        extra["raw"] = back(-to(extra["raw"]))
    extra["mirrored"] = True
    return normal_comparison(
        c.reference,
        c.group,
        back(-to(c.value)),
        c.se,
        threshold=threshold,
        direction=direction,
        level=level,
        scale=c.scale,
        method=c.method,
        size=None,
        extra=extra,
    )


def sides(c: Comparison) -> tuple[Message, Message]:
    """How a message names the two sides of a comparison: the group, then the group it is
    compared with; the reference is called so, also when a mirrored comparison names it as
    the group worse off."""
    if c.extra.get("mirrored"):
        return (
            say("core.sides.reference_group_2", group=c.group),
            say("core.sides.text_2", reference=c.reference),
        )
    return (
        say("core.sides.text", group=c.group),
        say("core.sides.reference_group", reference=c.reference),
    )


def both_ways(
    comparisons: Sequence[Comparison], *, threshold: float, direction: str, level: float
) -> list[Comparison]:
    """``comparisons`` followed by their :func:`mirrored` ones: each pair judged for harm to
    either side. For a reference that is not the best-off group on the very measure compared
    (one the user chose; a gap after legitimate factors against a reference chosen before
    them), where the reference itself may be the group worse off."""
    return [
        *comparisons,
        *(mirrored(c, threshold=threshold, direction=direction, level=level) for c in comparisons),
    ]


@dataclass(frozen=True)
class Family:
    """One Benjamini-Hochberg family: the questions asked of one ground.

    A ground's *decisive* questions form one family, and its *informative* comparisons (which
    never FAIL: a raw price gap, a proxy) another, so that neither a never-FAIL check nor
    another ground can move a decision. A question is one pair of groups on one check, asked
    once whatever the direction and the number of estimators.
    """

    ground: str
    informative: bool
    #: m: the questions of the family.
    size: int
    #: R: the questions the Benjamini-Hochberg procedure rejects at ``alpha``.
    rejected: int
    alpha: float

    @property
    def side_level(self) -> float:
        """The one-sided level of each end of a finding's interval, ``max(R, 1) * alpha / m``:
        the false-coverage-rate adjustment of Benjamini and Yekutieli (2005), under which an
        interval lies wholly beyond the tolerance exactly when its question is rejected.

        >>> Family("sex", False, size=4, rejected=1, alpha=0.05).side_level
        0.0125
        """
        return max(self.rejected, 1) * self.alpha / max(self.size, 1)

    @property
    def level(self) -> float:
        """The two-sided level of a finding's interval, ``1 - 2 * side_level``."""
        return 1 - 2 * self.side_level


def _rejected(p_values: Sequence[float], alpha: float) -> int:
    """How many of ``p_values`` the Benjamini-Hochberg procedure rejects at ``alpha``."""
    p = np.sort(np.asarray(p_values, dtype=float))
    m = p.size
    hits = np.flatnonzero(p <= alpha * np.arange(1, m + 1) / max(m, 1))
    return int(hits[-1] + 1) if hits.size else 0


@dataclass(frozen=True)
class Verdict:
    """What the message of a judged finding is written from."""

    status: Status
    comparison: Comparison  # the pair the finding names, its interval at ``level``
    p_adjusted: float
    p_zero_adjusted: float | None
    compared: int  # how many pairs of groups were compared (a pair counted once)
    alpha: float  # the significance level
    informative: bool = False
    #: For a gap measured two ways: the other estimate's comparison, its adjusted p-value,
    #: and whether the two estimates reach different results.
    other: Comparison | None = None
    other_p_adjusted: float | None = None
    disagree: bool = False
    #: Every comparison of the finding with its adjusted p-value (for a message that lists
    #: them, as the proxy check's does).
    every: tuple[tuple[Comparison, float], ...] = ()
    #: For a gap measured two ways: what the rule says of each estimate (named, other).
    statuses: tuple[Status, Status] | None = None
    #: The two-sided level of the named comparison's interval, and whether it is adjusted for
    #: the questions of its family (False: the check's own interval at ``confidence_level``).
    level: float = 0.95
    adjusted: bool = False
    #: The family the finding's questions belong to.
    family: Family | None = None
    #: The regression-adjusted gap decided alone: the strata the two groups share hold too
    #: few of their rows for a stratified estimate, so it is a model extrapolation.
    extrapolated: bool = False
    #: The named comparison's tolerance and the side a value must stay on.
    threshold: float | None = None
    direction: str = "at_most"
    #: The reference was chosen from the data as the best off: the named pair is the extreme
    #: of the compared groups, selected after seeing them.
    selected: bool = False

    @property
    def p_raw(self) -> float:
        """The unadjusted one-sided p-value of the named comparison."""
        return self.comparison.p_beyond

    @property
    def gap_not_zero(self) -> bool:
        """A gap within the tolerance that is nonetheless different from zero."""
        return self.p_zero_adjusted is not None and self.p_zero_adjusted < self.alpha

    @property
    def shown_beyond(self) -> bool:
        """Whether the test shows the gap beyond the tolerance (before the informative rule)."""
        return self.p_adjusted < self.alpha

    @property
    def interval_beyond(self) -> bool:
        """Whether the named comparison's whole interval lies beyond its tolerance."""
        t = self.threshold
        return t is not None and _interval_beyond(self.comparison.ci, t, self.direction)


class Judgeable(Protocol):
    """A measured comparison waiting for its adjusted p-values (see :func:`finalize`)."""

    ground: str
    informative: bool

    def p_values(self) -> tuple[list[float], list[float]]:
        """The raw p-values of its questions: of the "beyond the tolerance" tests, then of the
        "no gap" tests (one of each per question)."""
        ...

    def judge(
        self, beyond: list[float], zero: list[float], policy: Policy, family: Family
    ) -> Finding:
        """The finding, once the adjusted p-values of its family are known."""
        ...


def _questions(comparisons: Sequence[Comparison]) -> list[list[int]]:
    """The comparisons grouped by question: one pair of groups, whichever way round."""
    keys: dict[frozenset[str], list[int]] = {}
    for i, c in enumerate(comparisons):
        keys.setdefault(frozenset((c.group, c.reference)), []).append(i)
    return list(keys.values())


def _interval_beyond(ci: tuple[float, float] | None, threshold: float, direction: str) -> bool:
    """Whether the whole interval lies on the harmful side of the tolerance."""
    if ci is None or not all(math.isfinite(x) for x in ci):
        return False
    near = ci[1] if direction == "at_least" else ci[0]
    return not within(near, threshold, direction)


class _Read(NamedTuple):
    """What a comparison's intervals say, and the one shown for it: the interval at the
    level of the family's test when it lies wholly beyond the tolerance (FAIL), the interval
    at ``confidence_level`` when it lies wholly within (PASS), else the wider of the two."""

    status: Status
    shown: Comparison
    level: float
    adjusted: bool


def _read(c: Comparison, family: Family, policy: Policy, limit: float, direction: str) -> _Read:
    """What ``c``'s intervals say (:class:`_Read`)."""
    conf = policy.confidence_level
    adjusted = c.at_level(family.level)
    if adjusted is None:  # not recomputed at another level: its own interval says all
        if _interval_beyond(c.ci, limit, direction):
            return _Read(Status.FAIL, c, conf, False)
        inside = _interval_within(c.ci, limit, direction)
        return _Read(Status.PASS if inside else Status.WARN, c, conf, False)
    if _interval_beyond(adjusted, limit, direction):
        return _Read(Status.FAIL, replace(c, ci=adjusted), family.level, True)
    if _interval_within(c.ci, limit, direction):
        return _Read(Status.PASS, c, conf, False)
    if family.level > conf:
        return _Read(Status.WARN, replace(c, ci=adjusted), family.level, True)
    return _Read(Status.WARN, c, conf, False)


@dataclass(kw_only=True)
class Measured:
    """A check measured but not yet judged: one :class:`Comparison` per compared group.

    ``direction`` says which side of ``threshold`` a value must stay on (``"at_most"``,
    ``"at_least"``, ``"below"``); ``message(verdict)`` writes the finding's text once the
    status and the adjusted p-values are known. Any module can build one; :func:`finalize`
    judges them all, one Benjamini-Hochberg family per ground (and one for its informative
    comparisons), a pair of groups asked once.
    """

    check: str
    article: str
    ground: str
    threshold: float
    direction: str
    comparisons: list[Comparison]
    message: Callable[[Verdict], Message]
    details: dict[str, Any] = field(default_factory=dict)
    #: An informative comparison (a raw price gap, which legitimate factors may explain)
    #: never fails: WARN where the rule says FAIL.
    informative: bool = False
    #: Whether the comparisons are of groups (the finding then names the one worse off and
    #: its reference); False for a check comparing something else (the proxy check's inputs).
    names_groups: bool = True
    #: Whether the reference group was chosen from the data as the best off (the named pair
    #: is then the extreme of the compared groups, selected after seeing them); also when
    #: ``details["reference_rule"]`` is ``"best_off"``.
    selected: bool = False
    #: What the finding records once judged, beside ``details``: entries that depend on the
    #: verdict (the family's level, the pair named), such as the smallest gap the sample could
    #: show beyond the tolerance (:mod:`szai_audit.fairness.power`).
    verdict_details: Callable[[Verdict], dict[str, Any]] | None = field(
        default=None, compare=False, repr=False
    )

    @property
    def _selected(self) -> bool:
        return self.selected or self.details.get("reference_rule") == "best_off"

    def p_values(self) -> tuple[list[float], list[float]]:
        """One p-value per question: the direction the estimate points (the smaller one-sided
        p-value of the pair), and the pair's test of no gap."""
        beyond, zero = [], []
        for members in _questions(self.comparisons):
            beyond.append(min(_finite_p(self.comparisons[i].p_beyond) for i in members))
            zs = [self.comparisons[i].p_zero for i in members]
            if any(z is not None for z in zs):
                zero.append(min(_finite_p(z) for z in zs if z is not None))
        return beyond, zero

    def _spread(
        self, beyond: list[float], zero: list[float]
    ) -> tuple[list[float], list[float | None], list[bool]]:
        """The adjusted p-values of the questions, back on each comparison: the direction
        the estimate points takes its question's; the other is not tested (p = 1)."""
        n = len(self.comparisons)
        adj, zero_adj = [1.0] * n, [None] * n  # type: list[float], list[float | None]
        tested = [False] * n
        zeros = iter(zero)
        for q, members in enumerate(_questions(self.comparisons)):
            pointing = min(members, key=lambda i: _finite_p(self.comparisons[i].p_beyond))
            adj[pointing], tested[pointing] = beyond[q], True
            if any(self.comparisons[i].p_zero is not None for i in members):
                z = next(zeros)
                for i in members:
                    if self.comparisons[i].p_zero is not None:
                        zero_adj[i] = z
        return adj, zero_adj, tested

    def _harm(self, c: Comparison) -> float:
        """How far a gap goes to the harmful side (larger is worse), from its tolerance."""
        gap = c.value - self._limit(c)
        return -gap if self.direction == "at_least" else gap

    def _limit(self, c: Comparison) -> float:
        """The tolerance ``c`` is judged against."""
        return self.threshold if c.threshold is None else c.threshold

    def _family(self, family: Family | None, beyond: list[float], alpha: float) -> Family:
        """The family given, or (a check judged alone) its own questions as one."""
        if family is not None:
            return family
        return Family(self.ground, self.informative, len(beyond), _rejected(beyond, alpha), alpha)

    def _read(self, c: Comparison, family: Family, policy: Policy) -> _Read:
        return _read(c, family, policy, self._limit(c), self.direction)

    def _decide(self, adj: list[float], reads: list[_Read], alpha: float) -> tuple[Status, int]:
        """The status and the comparison named: the first shown beyond the tolerance (largest
        gap first); else PASS when every interval lies within, named by the largest gap;
        else WARN, named by the largest gap whose interval does not lie within."""
        order = sorted(range(len(reads)), key=lambda i: -self._harm(self.comparisons[i]))
        failing = [i for i in order if adj[i] < alpha]
        if failing:
            return Status.FAIL, failing[0]
        if all(r.status is Status.PASS for r in reads):
            return Status.PASS, order[0]
        return Status.WARN, next(i for i in order if reads[i].status is not Status.PASS)

    def judge(
        self,
        beyond: list[float],
        zero: list[float],
        policy: Policy,
        family: Family | None = None,
    ) -> Finding:
        """The finding: the status by :data:`DECISION_RULES`, and the pair it names."""
        alpha = policy.significance_level
        family = self._family(family, beyond, alpha)
        adj, zero_adj, tested = self._spread(beyond, zero)
        reads = [self._read(c, family, policy) for c in self.comparisons]
        status, named = self._decide(adj, reads, alpha)
        if self.informative and status is Status.FAIL:
            status = Status.WARN
        r = reads[named]
        c = r.shown
        verdict = Verdict(
            status,
            c,
            adj[named],
            zero_adj[named],
            len(_questions(self.comparisons)),
            alpha,
            self.informative,
            every=tuple(zip([x.shown for x in reads], adj, strict=True)),
            level=r.level,
            adjusted=r.adjusted,
            family=family,
            threshold=self._limit(c),
            direction=self.direction,
            selected=self._selected,
        )
        # With no gap anywhere, no group is worse off than another.
        neutral = 1.0 if self.direction == "at_least" else 0.0
        equal = not self.names_groups or all(
            abs(x.value - neutral) <= TOLERANCE for x in self.comparisons
        )
        return Finding(
            check=self.check,
            article=self.article,
            status=status,
            message=self.message(verdict),
            value=c.value,
            threshold=self._limit(c),
            ground=self.ground,
            worst_group=None if equal else c.group,
            best_group=None if equal else c.reference,
            ci=c.ci,
            p_value=adj[named],
            details={
                **self.details,
                **_family_details(verdict),
                "p_value_raw": c.p_beyond,
                "test": c.method,
                "reading": r.status.value,
                "gap_not_zero": status is Status.PASS and verdict.gap_not_zero,
                "comparisons": _comparison_rows(reads, adj, zero_adj, tested),
                **(self.verdict_details(verdict) if self.verdict_details is not None else {}),
            },
        )


def _family_details(verdict: Verdict) -> dict[str, Any]:
    """The finding's record of its family and of its interval's level."""
    f = verdict.family
    if f is None:
        f = Family(verdict.comparison.group, verdict.informative, 1, 0, verdict.alpha)
    return {
        "family": {
            "ground": f.ground,
            "kind": "informative" if f.informative else "decisive",
            "questions": f.size,
            "rejected": f.rejected,
        },
        "ci_level": verdict.level,
        "ci_adjusted": verdict.adjusted,
        # The number of groups the named pair was picked from, after seeing the data.
        "selected_of": verdict.compared + 1 if verdict.selected and verdict.compared > 1 else None,
    }


class _GroupResult(NamedTuple):
    """One compared pair of a :class:`MeasuredTwice`, in one direction."""

    named: _Read
    p_named: float
    p_zero: float | None
    other: _Read | None
    status: Status
    #: (first estimator's reading, second's) when both estimated this pair.
    statuses: tuple[Status, Status] | None
    #: Only the second estimate (the strata hold too few of the pair's rows).
    extrapolated: bool


@dataclass(kw_only=True)
class MeasuredTwice(Measured):
    """A gap measured by two estimators of it (the stratified and the regression-adjusted gap
    after legitimate factors), for each compared group.

    ``comparisons`` holds the first estimator's comparison of each group, ``second`` the other
    one's; a first estimate the data cannot support is left out of ``comparisons`` and named
    in ``unsupported``. One pair is one question, whatever the number of estimators: its test
    is the intersection-union test of the two (p = the larger of their one-sided p-values;
    FAIL only when both show the gap beyond the tolerance). A pair with only the second
    estimate (no comparable rows) is a model extrapolation: it is not in the family and
    cannot FAIL. A pair's result is what both estimates' intervals say when they agree, WARN
    when they do not; the finding is FAIL when a pair's is, else WARN when a pair's is, else
    PASS.
    """

    second: list[Comparison] = field(default_factory=list)
    #: Groups whose first estimate the data cannot support (too few rows covered).
    unsupported: tuple[str, ...] = ()

    def _pairs(self) -> list[list[tuple[Comparison, Comparison | None]]]:
        """Per question (a pair of groups), its directions: (second estimate, first estimate
        of the same direction or None)."""
        first = {(c.group, c.reference): c for c in self.comparisons}
        return [
            [
                (self.second[i], first.get((self.second[i].group, self.second[i].reference)))
                for i in members
            ]
            for members in _questions(self.second)
        ]

    def p_values(self) -> tuple[list[float], list[float]]:
        """One p-value per pair with both estimates: the intersection-union test (the larger
        p-value of the two estimates) in the direction that points, and likewise for the test
        of no gap. A pair with only the second estimate is not asked (it cannot FAIL)."""
        beyond, zero = [], []
        for q in self._pairs():
            both = [(s, f) for s, f in q if f is not None]
            if not both:
                continue
            beyond.append(min(_iut(s.p_beyond, f.p_beyond) for s, f in both))
            zs = [_iut(s.p_zero, f.p_zero) for s, f in both if None not in (s.p_zero, f.p_zero)]
            if zs:
                zero.append(min(zs))
        return beyond, zero

    def _results(
        self, beyond: list[float], zero: list[float], policy: Policy, family: Family
    ) -> tuple[list[_GroupResult], list[tuple[_Read, float, float | None, bool]]]:
        """Each direction of each pair judged, and the rows of every estimate."""
        alpha = policy.significance_level
        q_beyond, q_zero = iter(beyond), iter(zero)
        groups: list[_GroupResult] = []
        rows: list[tuple[_Read, float, float | None, bool]] = []
        for q in self._pairs():
            both = any(f is not None for _, f in q)
            p_q = next(q_beyond) if both else 1.0
            has_zero = any(f is not None and None not in (s.p_zero, f.p_zero) for s, f in q)
            z_q = next(q_zero) if has_zero else None
            pointing = min(range(len(q)), key=lambda d: _iut(q[d][0].p_beyond, _p_of(q[d][1])))
            for d, (s, f) in enumerate(q):
                tested = f is not None and d == pointing
                # The extrapolation keeps its own raw p: it is outside the family.
                p = p_q if tested else (1.0 if both else _finite_p(s.p_beyond))
                second = self._read(s, family, policy)
                first = None if f is None else self._read(f, family, policy)
                groups.append(self._pair_result(second, first, p, z_q, alpha))
                if first is not None:
                    rows.append((first, p, z_q, tested))
                rows.append((second, p, z_q if f is not None else None, tested or not both))
        return groups, rows

    def judge(
        self,
        beyond: list[float],
        zero: list[float],
        policy: Policy,
        family: Family | None = None,
    ) -> Finding:
        alpha = policy.significance_level
        family = self._family(family, beyond, alpha)
        groups, rows = self._results(beyond, zero, policy, family)
        severity = {Status.FAIL: 0, Status.WARN: 1, Status.PASS: 2}
        groups.sort(key=lambda g: (severity[g.status], -self._harm(g.named.shown)))
        top = groups[0]
        status = Status.WARN if self.informative and top.status is Status.FAIL else top.status
        named = top.named.shown
        disagree = top.statuses is not None and top.statuses[0] is not top.statuses[1]
        verdict = Verdict(
            status,
            named,
            top.p_named,
            top.p_zero,
            len(self._pairs()),
            alpha,
            self.informative,
            other=None if top.other is None else top.other.shown,
            other_p_adjusted=None if top.other is None else top.p_named,
            disagree=disagree,
            statuses=top.statuses,
            level=top.named.level,
            adjusted=top.named.adjusted,
            family=family,
            extrapolated=top.extrapolated,
            threshold=self._limit(named),
            direction=self.direction,
            selected=self._selected,
        )
        return Finding(
            check=self.check,
            article=self.article,
            status=status,
            message=self.message(verdict),
            value=named.value,
            threshold=self._limit(named),
            ground=self.ground,
            worst_group=named.group,
            best_group=named.reference,
            ci=named.ci,
            p_value=top.p_named,
            details={
                **self.details,
                **_family_details(verdict),
                "p_value_raw": named.p_beyond,
                "test": named.method,
                "reading": top.named.status.value,
                "estimates_disagree": disagree,
                "extrapolated": top.extrapolated,
                "gap_not_zero": status is Status.PASS and verdict.gap_not_zero,
                "unsupported": list(self.unsupported),
                "comparisons": _comparison_rows(*zip(*rows, strict=True)),
                **(self.verdict_details(verdict) if self.verdict_details is not None else {}),
            },
        )

    @staticmethod
    def _pair_result(
        second: _Read, first: _Read | None, p: float, p_zero: float | None, alpha: float
    ) -> _GroupResult:
        """One direction of a pair: FAIL only when its test (the larger p) rejects, which is
        when both intervals lie beyond the tolerance; PASS or WARN when both estimates' read
        so; WARN when they differ. With only the second estimate, never FAIL."""
        status: Status = Status.WARN
        if first is None:  # no comparable rows: the regression extrapolates, it cannot FAIL
            if second.status is not Status.FAIL:
                status = second.status
            return _GroupResult(second, p, None, None, status, None, True)
        if p < alpha:
            status = Status.FAIL
        elif first.status is second.status and first.status is not Status.FAIL:
            status = first.status
        return _GroupResult(first, p, p_zero, second, status, (first.status, second.status), False)


def _iut(a: float | None, b: float | None) -> float:
    """The intersection-union test of two estimates of one gap: the larger p-value."""
    return max(_finite_p(a), _finite_p(b))


def _p_of(c: Comparison | None) -> float:
    """A comparison's one-sided p-value (0 for none: it does not constrain the larger)."""
    return 0.0 if c is None else c.p_beyond


def _finite_p(p: float | None) -> float:
    """A p-value for the family: an undefined one (NaN) counts as 1, no evidence."""
    return float(p) if p is not None and math.isfinite(p) else 1.0


def _comparison_rows(
    reads: Sequence[_Read],
    beyond: Sequence[float],
    zero: Sequence[float | None],
    tested: Sequence[bool],
) -> list[dict[str, Any]]:
    return [
        {
            "group": r.shown.group,
            "reference": r.shown.reference,
            "value": r.shown.value,
            "ci": None if r.shown.ci is None else list(r.shown.ci),
            "ci_level": r.level,
            "ci_adjusted": r.adjusted,
            "reading": r.status.value,
            "p_value_raw": r.shown.p_beyond,
            "p_value": p,
            "tested": t,
            "p_no_gap_raw": r.shown.p_zero,
            "p_no_gap": pz,
            "test": r.shown.method,
            "size": r.shown.size,
            **r.shown.extra,
        }
        for r, p, pz, t in zip(reads, beyond, zero, tested, strict=True)
    ]


@dataclass
class TableAssessment:
    """Everything measured on one table, before the correction per ground."""

    key: str
    items: list[Finding | Measured]
    #: Index = group label; columns (metric, p_vs_rest / p_vs_reference): tests of no gap.
    tests: pd.DataFrame


def finalize(
    tables: Sequence[TableAssessment],
    policy: Policy,
    extra: Sequence[Finding | Judgeable] = (),
) -> tuple[list[Finding], dict[str, pd.DataFrame]]:
    """Adjust the p-values of the audit, family by family, and judge what was measured.

    The families (:class:`Family`): per ground, the questions of its decisive checks (a pair
    of groups once per check, in the direction its estimate points; one test per gap
    whatever the number of estimators), and apart from them its informative comparisons.
    Each family's "beyond the tolerance" tests are adjusted together (Benjamini-Hochberg), and
    so are its tests of no gap (with the group tests of the ground's table). ``extra`` holds
    checks measured outside the tables (score metrics, conditional gaps, prices...). Returns
    the findings (tables first, then ``extra``) and, per table, the group tests with raw and
    adjusted p-values (columns ``(metric, test)`` and ``(metric, test + "_adjusted")``).
    """
    alpha = policy.significance_level
    pending: list[Judgeable] = [i for t in tables for i in t.items if not isinstance(i, Finding)]
    pending += [i for i in extra if not isinstance(i, Finding)]
    beyond_raw: dict[tuple[str, bool], list[float]] = {}
    zero_raw: dict[tuple[str, bool], list[float]] = {}
    asked = [(item, (item.ground, bool(item.informative)), *item.p_values()) for item in pending]
    for _, key, b, z in asked:
        beyond_raw.setdefault(key, []).extend(b)
        zero_raw.setdefault(key, []).extend(z)
    for t in tables:
        for col in t.tests.columns:
            found = [float(v) for v in t.tests[col].to_numpy() if np.isfinite(v)]
            zero_raw.setdefault((t.key, False), []).extend(found)
    beyond_adj = {
        k: iter(benjamini_hochberg(np.asarray(v)).tolist()) for k, v in beyond_raw.items()
    }
    zero_adj = {k: iter(benjamini_hochberg(np.asarray(v)).tolist()) for k, v in zero_raw.items()}
    families = {
        k: Family(k[0], k[1], size=len(v), rejected=_rejected(v, alpha), alpha=alpha)
        for k, v in beyond_raw.items()
    }
    judged: dict[int, Finding] = {}
    for item, key, b, z in asked:
        judged[id(item)] = item.judge(
            [next(beyond_adj[key]) for _ in b],
            [next(zero_adj[key]) for _ in z],
            policy,
            families[key],
        )
    findings: list[Finding] = []
    tests: dict[str, pd.DataFrame] = {}
    for t in tables:
        findings += [i if isinstance(i, Finding) else judged[id(i)] for i in t.items]
        tests[t.key] = _adjusted_tests(t.tests, zero_adj.get((t.key, False), iter(())))
    findings += [i if isinstance(i, Finding) else judged[id(i)] for i in extra]
    return findings, tests


def _adjusted_tests(tests: pd.DataFrame, adjusted: Any) -> pd.DataFrame:
    """A table's group tests, each raw column followed by its adjusted one."""
    columns: dict[tuple[str, str], np.ndarray] = {}
    for col in tests.columns:
        values = tests[col].to_numpy()
        adj = np.full(len(values), np.nan)
        for i in np.flatnonzero(np.isfinite(values)):
            adj[i] = next(adjusted)
        columns[col] = values
        columns[(col[0], col[1] + "_adjusted")] = adj
    frame = pd.DataFrame(columns, index=tests.index)
    if columns:
        frame.columns = pd.MultiIndex.from_tuples(list(columns), names=["metric", "test"])
    return frame


# --------------------------------------------------------------------------------------------
# The sentence that ends a comparison's message
# --------------------------------------------------------------------------------------------

#: The ending of a check that passes outside the decision rule (a flip test, a proxy ranking).
OUTCOME_PASS = say("core.outcome_pass")
_WARNING = say("core.warning")

#: What one estimate's interval says, as a message names it.
READINGS: dict[Status, Message] = {
    Status.FAIL: say("core.results.interval_beyond"),
    Status.PASS: say("core.results.interval_within_tolerance"),
    Status.WARN: say("core.results.interval_across"),
}


def decision_rule_paragraph(policy: Policy) -> Message:
    """The report's sentence of the decision rule (:data:`DECISION_RULES`, :data:`METHOD`)."""
    return say(
        "core.decision_rule",
        significance_level=f"{policy.significance_level:g}",
        confidence_level=fmt_level(policy.confidence_level),
    )


def interval_words(verdict: Verdict) -> Message:
    """How the finding's interval is named: its level, and whether (and for how many
    questions) it is adjusted, so that a reader knows it says the same as the test."""
    level = fmt_level(verdict.level)
    m = verdict.family.size if verdict.family is not None else 1
    if not verdict.adjusted:
        return say("core.interval.plain", level=level)
    if m <= 1:
        return say("core.interval.one_question", level=level)
    return say("core.interval.adjusted", level=level, m=m)


def disagreement(verdict: Verdict, show: Callable[[float], str]) -> Message:
    """The sentence of a gap whose two estimates reach different results: each estimate
    (written by ``show``), its interval and what its interval says."""
    if not verdict.disagree or verdict.other is None or verdict.statuses is None:
        return Message("", "")
    parts = []
    for c, status in zip((verdict.comparison, verdict.other), verdict.statuses, strict=True):
        lo, hi = c.ci if c.ci is not None else (math.nan, math.nan)
        r = READINGS[status]
        parts.append((show(c.value), (show(lo), show(hi)), r))
    (s_v, (s_lo, s_hi), s_r), (r_v, (r_lo, r_hi), r_r) = parts
    return say(
        "core.disagreement.stratified_estimate_interval_regression",
        s_v=s_v,
        s_lo=s_lo,
        s_hi=s_hi,
        s_r=s_r,
        r_v=r_v,
        r_lo=r_lo,
        r_hi=r_hi,
        r_r=r_r,
    )


def verdict_tail(verdict: Verdict, about: Message | None = None) -> Message:
    """The sentences that end a comparison's message: what the data show, the interval that
    says the same as the test, and the result. ``about`` says what is beyond the tolerance,
    when it is not a group being worse off.

    A WARN never says "inconclusive" of an interval wholly beyond the tolerance, and says so
    when its gap is nonetheless clearly not zero; every adjusted p-value has the unadjusted
    one beside it.
    """
    worst = verdict.comparison.group
    ps = {
        "p": fmt_p(verdict.p_adjusted),
        "raw": fmt_p(verdict.p_raw),
        "interval": interval_words(verdict),
    }
    if verdict.status is Status.FAIL:
        if about is not None:
            tail = say("core.beyond_about", about=about, **ps)
        else:
            tail = say("core.beyond", worst=worst, **ps)
    elif verdict.status is Status.PASS:
        if verdict.gap_not_zero:
            assert verdict.p_zero_adjusted is not None
            tail = say("core.within_not_zero", pz=fmt_p(verdict.p_zero_adjusted), **ps)
        else:
            tail = say("core.within", **ps)
    elif verdict.extrapolated:
        tail = say("core.extrapolated", **ps)
    elif verdict.disagree:  # the message says why: two estimates reach different results
        tail = _WARNING
    elif verdict.informative and (verdict.shown_beyond or verdict.interval_beyond):
        tail = say("core.informative", **ps)
    elif verdict.interval_beyond:  # the interval and the test differ (an exact test)
        tail = say("core.beyond_not_shown", method=verdict.comparison.method, **ps)
    elif verdict.gap_not_zero:
        assert verdict.p_zero_adjusted is not None
        tail = say("core.inconclusive_not_zero", pz=fmt_p(verdict.p_zero_adjusted), **ps)
    else:
        tail = say("core.inconclusive", **ps)
    if verdict.selected and verdict.compared > 1:
        tail = tail.join(say("core.selected", n=verdict.compared + 1))
    return tail
