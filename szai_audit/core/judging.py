"""The decision rule every measured comparison follows: FAIL, WARN or PASS.

A check *measures* (:class:`Measured`): for each compared group, its gap to the reference group
(:class:`Comparison`: the value, its interval, the one-sided p-value of the test whose null is
"the gap is within the tolerance", and the two-sided p-value of "there is no gap"). Once every
check of the audit has measured, :func:`finalize` adjusts the p-values of each kind together
(Benjamini-Hochberg, one family of "beyond the tolerance" tests and one of "no gap" tests per
audit) and *judges* each finding by :data:`DECISION_RULES`:

* **FAIL**: the data show the gap beyond the tolerance: the adjusted p-value of the one-sided
  test of ``H0: the gap is within the tolerance`` is below the significance level, for the pair
  the finding names (the first such group, largest gap first);
* **PASS**: the interval of every compared group's gap lies within the tolerance;
* **WARN**: neither: the gap may be beyond the tolerance, or not; the data cannot tell.

An *informative* comparison (a raw price gap, which legitimate factors may explain) never
fails: where the rule says FAIL it is a WARN. A PASS whose gap is nonetheless different from
zero (adjusted "no gap" p-value below the significance level) says so in its message. Nothing
here knows an article: a check passes its own article and the function writing its message.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol

import numpy as np
import pandas as pd

from .catalog import say
from .findings import Finding, Status
from .margins import normal_interval, normal_margin_test
from .messages import Message, fmt_p
from .policy import Policy
from .stats import benjamini_hochberg, normal_p_value

__all__ = [
    "DECISION_RULES",
    "OUTCOME_PASS",
    "SCALES",
    "TOLERANCE",
    "Comparison",
    "Judgeable",
    "Measured",
    "MeasuredTwice",
    "TableAssessment",
    "Verdict",
    "both_ways",
    "decision_table",
    "disagreement",
    "finalize",
    "mirrored",
    "normal_comparison",
    "sides",
    "verdict_tail",
    "within",
]

#: Values within this distance of a threshold count as meeting it: 32/100 ÷ 40/100 is
#: 0.7999999999999999 in floating point and must not fail a 0.8 threshold.
TOLERANCE = 1e-9

#: The decision rule, one row per status, as :meth:`Measured.judge` applies it (docs/concepts.md
#: prints this table; a test keeps the two equal).
DECISION_RULES: tuple[tuple[str, str], ...] = (
    (
        "FAIL",
        'The data show the gap beyond the tolerance: the one-sided test of H0 "the gap is '
        'within the tolerance", for the pair the finding names, has a Benjamini-Hochberg '
        "adjusted p-value below `significance_level` (the family: every such test of the audit).",
    ),
    (
        "PASS",
        "Not FAIL, and the interval (`confidence_level`) of every compared pair's gap lies "
        "within the tolerance. When the named gap is nonetheless different from zero (the "
        "adjusted p-value of the two-sided test of no gap is below `significance_level`), the "
        "message says so and `details.gap_not_zero` is true.",
    ),
    (
        "WARN",
        "Neither: an interval reaches beyond the tolerance but the test does not show the gap "
        "beyond it. The data cannot tell; more data would.",
    ),
    (
        "WARN (two estimates)",
        "A gap measured two ways (after legitimate factors: stratified and regression-adjusted) "
        "is WARN for a pair where the two reach different results; the message gives both.",
    ),
    (
        "WARN (informative)",
        "A comparison that legitimate factors may explain (a raw price gap, a price trend "
        "without factors) or that is not discrimination by itself (a proxy) is never FAIL: "
        "where the rule says FAIL, it is WARN.",
    ),
    (
        "INSUFFICIENT_DATA",
        "Fewer than two groups reach the check's minimum (the `minimum` column of "
        "[the checks](checks.md)), or the reference group does not; no rule above applies.",
    ),
)


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
class Verdict:
    """What the message of a judged finding is written from."""

    status: Status
    comparison: Comparison  # the pair the finding names
    p_adjusted: float
    p_zero_adjusted: float | None
    compared: int  # how many groups were compared with the reference
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

    @property
    def gap_not_zero(self) -> bool:
        """A gap within the tolerance that is nonetheless different from zero."""
        return self.p_zero_adjusted is not None and self.p_zero_adjusted < self.alpha

    @property
    def shown_beyond(self) -> bool:
        """Whether the test shows the gap beyond the tolerance (before the informative rule)."""
        return self.p_adjusted < self.alpha


class Judgeable(Protocol):
    """A measured comparison waiting for its adjusted p-values (see :func:`finalize`)."""

    def p_values(self) -> tuple[list[float], list[float]]:
        """The raw p-values: of the "beyond the tolerance" tests, then of the "no gap" tests."""
        ...

    def judge(self, beyond: list[float], zero: list[float], policy: Policy) -> Finding:
        """The finding, once the audit-wide adjusted p-values are known."""
        ...


@dataclass(kw_only=True)
class Measured:
    """A check measured but not yet judged: one :class:`Comparison` per compared group.

    ``direction`` says which side of ``threshold`` a value must stay on (``"at_most"``,
    ``"at_least"``, ``"below"``); ``message(verdict)`` writes the finding's text once the
    status and the adjusted p-values are known. Any module can build one; :func:`finalize`
    judges them all in one Benjamini-Hochberg family per kind of test.
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

    def p_values(self) -> tuple[list[float], list[float]]:
        beyond = [_finite_p(c.p_beyond) for c in self.comparisons]
        zero = [_finite_p(c.p_zero) for c in self.comparisons if c.p_zero is not None]
        return beyond, zero

    def _harm(self, c: Comparison) -> float:
        """How far a gap goes to the harmful side (larger is worse), from its tolerance."""
        gap = c.value - self._limit(c)
        return -gap if self.direction == "at_least" else gap

    def _limit(self, c: Comparison) -> float:
        """The tolerance ``c`` is judged against."""
        return self.threshold if c.threshold is None else c.threshold

    def judge(self, beyond: list[float], zero: list[float], policy: Policy) -> Finding:
        """The finding: the status by :data:`DECISION_RULES`, and the pair it names."""
        alpha = policy.significance_level
        zeros = iter(zero)
        zero_adj = [None if c.p_zero is None else next(zeros) for c in self.comparisons]
        order = sorted(range(len(self.comparisons)), key=lambda i: -self._harm(self.comparisons[i]))
        failing = [i for i in order if beyond[i] < alpha]
        if failing:
            named, status = failing[0], Status.FAIL
        else:
            named = order[0]
            ok = all(
                _interval_within(c.ci, self._limit(c), self.direction) for c in self.comparisons
            )
            status = Status.PASS if ok else Status.WARN
        if self.informative and status is Status.FAIL:
            status = Status.WARN
        c = self.comparisons[named]
        verdict = Verdict(
            status,
            c,
            beyond[named],
            zero_adj[named],
            len(self.comparisons),
            alpha,
            self.informative,
            every=tuple(zip(self.comparisons, beyond, strict=True)),
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
            p_value=beyond[named],
            details={
                **self.details,
                "p_value_raw": c.p_beyond,
                "test": c.method,
                "gap_not_zero": status is Status.PASS and verdict.gap_not_zero,
                "comparisons": _comparison_rows(self.comparisons, beyond, zero_adj),
            },
        )


def _status_of(
    c: Comparison, p_adjusted: float, threshold: float, direction: str, alpha: float
) -> Status:
    """The decision rule for one comparison."""
    if p_adjusted < alpha:
        return Status.FAIL
    return Status.PASS if _interval_within(c.ci, threshold, direction) else Status.WARN


class _GroupResult(NamedTuple):
    """One compared group of a :class:`MeasuredTwice`."""

    named: Comparison
    p_named: float
    other: Comparison | None
    p_other: float | None
    status: Status
    #: (first estimator's status, second's) when both estimated this group.
    statuses: tuple[Status, Status] | None


@dataclass(kw_only=True)
class MeasuredTwice(Measured):
    """A gap measured by two estimators of it (the stratified and the regression-adjusted gap
    after legitimate factors), for each compared group.

    ``comparisons`` holds the first estimator's comparison of each group, ``second`` the other
    one's (same order); a first estimate the data cannot support is left out of
    ``comparisons`` and named in ``unsupported``. A group's result is the rule's result when
    the two agree (or only the second exists), and WARN when they disagree; the finding is
    FAIL when a group's is, else WARN when a group's is, else PASS.
    """

    second: list[Comparison] = field(default_factory=list)
    #: Groups whose first estimate the data cannot support (too few rows covered).
    unsupported: tuple[str, ...] = ()

    def p_values(self) -> tuple[list[float], list[float]]:
        first, zero_first = super().p_values()
        second = [_finite_p(c.p_beyond) for c in self.second]
        zero_second = [_finite_p(c.p_zero) for c in self.second if c.p_zero is not None]
        return first + second, zero_first + zero_second

    def _groups(self, beyond: list[float], alpha: float) -> list[_GroupResult]:
        """Per group: the named estimate and its adjusted p, the other estimate and its p,
        the group's status, and the two estimators' own statuses when both exist."""
        n = len(self.comparisons)
        first = {(c.group, c.reference): (c, beyond[i]) for i, c in enumerate(self.comparisons)}
        out: list[_GroupResult] = []
        for j, c2 in enumerate(self.second):
            p2 = beyond[n + j]
            s2 = _status_of(c2, p2, self._limit(c2), self.direction, alpha)
            if (c2.group, c2.reference) not in first:
                out.append(_GroupResult(c2, p2, None, None, s2, None))
                continue
            c1, p1 = first[(c2.group, c2.reference)]
            s1 = _status_of(c1, p1, self._limit(c1), self.direction, alpha)
            status = s1 if s1 is s2 else Status.WARN
            out.append(_GroupResult(c1, p1, c2, p2, status, (s1, s2)))
        return out

    def judge(self, beyond: list[float], zero: list[float], policy: Policy) -> Finding:
        alpha = policy.significance_level
        groups = self._groups(beyond, alpha)
        every = self.comparisons + self.second
        zeros = iter(zero)
        zero_adj = [None if c.p_zero is None else next(zeros) for c in every]
        zero_of = {id(c): z for c, z in zip(every, zero_adj, strict=True)}
        severity = {Status.FAIL: 0, Status.WARN: 1, Status.PASS: 2}
        groups.sort(key=lambda g: (severity[g.status], -self._harm(g.named)))
        named, p_named, other, p_other, status, statuses = groups[0]
        disagree = statuses is not None and statuses[0] is not statuses[1]
        if self.informative and status is Status.FAIL:
            status = Status.WARN
        verdict = Verdict(
            status,
            named,
            p_named,
            zero_of[id(named)],
            len(groups),
            alpha,
            self.informative,
            other=other,
            other_p_adjusted=p_other,
            disagree=disagree,
            statuses=statuses,
        )
        rows = _comparison_rows(every, beyond, zero_adj)
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
            p_value=p_named,
            details={
                **self.details,
                "p_value_raw": named.p_beyond,
                "test": named.method,
                "estimates_disagree": disagree,
                "gap_not_zero": status is Status.PASS and verdict.gap_not_zero,
                "unsupported": list(self.unsupported),
                "comparisons": rows,
            },
        )


def _finite_p(p: float) -> float:
    """A p-value for the family: an undefined one (NaN) counts as 1, no evidence."""
    return float(p) if math.isfinite(p) else 1.0


def _comparison_rows(
    comparisons: Sequence[Comparison], beyond: Sequence[float], zero: Sequence[float | None]
) -> list[dict[str, Any]]:
    return [
        {
            "group": c.group,
            "reference": c.reference,
            "value": c.value,
            "ci": None if c.ci is None else list(c.ci),
            "p_value_raw": c.p_beyond,
            "p_value": p,
            "p_no_gap_raw": c.p_zero,
            "p_no_gap": pz,
            "test": c.method,
            "size": c.size,
            **c.extra,
        }
        for c, p, pz in zip(comparisons, beyond, zero, strict=True)
    ]


@dataclass
class TableAssessment:
    """Everything measured on one table, before the audit-wide correction."""

    key: str
    items: list[Finding | Measured]
    #: Index = group label; columns (metric, p_vs_rest / p_vs_reference): tests of no gap.
    tests: pd.DataFrame


def finalize(
    tables: Sequence[TableAssessment],
    policy: Policy,
    extra: Sequence[Finding | Judgeable] = (),
) -> tuple[list[Finding], dict[str, pd.DataFrame]]:
    """Adjust every p-value of the audit, each kind together, and judge what was measured.

    The "beyond the tolerance" tests of every measured check form one Benjamini-Hochberg
    family; the tests of no gap (each comparison's, and the group tests of the tables) form
    another. ``extra`` holds checks measured outside the tables (score metrics, conditional
    gaps, prices...). Returns the findings (tables first, then ``extra``) and, per table, the
    group tests with raw and adjusted p-values (columns ``(metric, test)`` and
    ``(metric, test + "_adjusted")``).
    """
    pending: list[Judgeable] = [i for t in tables for i in t.items if not isinstance(i, Finding)]
    pending += [i for i in extra if not isinstance(i, Finding)]
    beyond_raw: list[float] = []
    zero_raw: list[float] = []
    for item in pending:
        b, z = item.p_values()
        beyond_raw += b
        zero_raw += z
    for t in tables:
        for col in t.tests.columns:
            zero_raw += [float(v) for v in t.tests[col].to_numpy() if np.isfinite(v)]
    beyond_adj = iter(benjamini_hochberg(np.asarray(beyond_raw)).tolist())
    zero_adj = iter(benjamini_hochberg(np.asarray(zero_raw)).tolist())
    judged: dict[int, Finding] = {}
    for item in pending:
        b, z = item.p_values()
        judged[id(item)] = item.judge(
            [next(beyond_adj) for _ in b], [next(zero_adj) for _ in z], policy
        )
    findings: list[Finding] = []
    tests: dict[str, pd.DataFrame] = {}
    for t in tables:
        findings += [i if isinstance(i, Finding) else judged[id(i)] for i in t.items]
        tests[t.key] = _adjusted_tests(t.tests, zero_adj)
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

_WITHIN = say("core.within")


_RESULTS: dict[Status, Message] = {
    Status.FAIL: say("core.results.shown_beyond_tolerance"),
    Status.PASS: say("core.results.interval_within_tolerance"),
    Status.WARN: say("core.results.inconclusive"),
}


def disagreement(verdict: Verdict, show: Callable[[float], str]) -> Message:
    """The sentence of a gap whose two estimates reach different results: each estimate
    (written by ``show``), its interval and what the rule says of it."""
    if not verdict.disagree or verdict.other is None or verdict.statuses is None:
        return Message("", "")
    parts = []
    for c, status in zip((verdict.comparison, verdict.other), verdict.statuses, strict=True):
        lo, hi = c.ci if c.ci is not None else (math.nan, math.nan)
        r = _RESULTS[status]
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
    """The sentence that ends a comparison's message: what the data show, and the result.
    ``about`` says what is beyond the tolerance, when it is not a group being worse off."""
    worst = verdict.comparison.group
    if verdict.status is Status.FAIL:
        if about is not None:
            return say("core.beyond_about", about=about, p=fmt_p(verdict.p_adjusted))
        return say("core.beyond", worst=worst, p=fmt_p(verdict.p_adjusted))
    if verdict.status is Status.PASS:
        if verdict.gap_not_zero:
            assert verdict.p_zero_adjusted is not None
            return say("core.within_not_zero", p=fmt_p(verdict.p_zero_adjusted))
        return _WITHIN
    if verdict.disagree:  # the message says why: two estimates reach different results
        return _WARNING
    if verdict.informative and verdict.shown_beyond:
        return say("core.informative", p=fmt_p(verdict.p_adjusted))
    return say("core.inconclusive", p=fmt_p(verdict.p_adjusted))
