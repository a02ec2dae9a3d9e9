"""The judging step shared by every measured comparison: PASS, WARN or FAIL.

A comparison is built in two steps. A check *measures* it (:class:`Measured`: the value, its
interval and the raw p-value of its test); once every check of the audit has measured,
:func:`finalize` adjusts all p-values together (Benjamini-Hochberg, one family per audit) and
*judges* each one: PASS within the tolerance; beyond it, FAIL when the adjusted p-value is below
the significance level, WARN when it is not. Nothing here knows an article: a check passes its
own article and the function that writes its message.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import pandas as pd

from .findings import Finding, Status
from .messages import Message, fill, fmt_p
from .policy import Policy
from .stats import benjamini_hochberg

__all__ = [
    "OUTCOME_FAIL",
    "OUTCOME_PASS",
    "OUTCOME_WARN",
    "TOLERANCE",
    "Judgeable",
    "Measured",
    "TableAssessment",
    "finalize",
    "status_for",
    "verdict_tail",
]

#: The endings of a comparison's message, by status.
OUTCOME_PASS = Message("结论：通过。", "Result: pass.")


OUTCOME_FAIL = Message(
    "差异具有统计显著性（多重比较校正后 p {p}）。结论：不通过，“{worst}”组处于不利地位。",
    "The gap is statistically significant (adjusted p {p}). Result: fail; the group “{worst}” "
    "is worse off.",
)


OUTCOME_WARN = Message(
    "差异超出容许范围，但在多重比较校正后不具统计显著性（p {p}），可能源于随机波动。"
    "结论：警示，建议用更多数据复核。",
    "The gap is beyond the tolerance but not statistically significant after correction "
    "(adjusted p {p}), so it may be chance. Result: warning; check it with more data.",
)


def verdict_tail(status: str, worst: str, p_value: float | None) -> Message:
    """The sentence that ends a comparison's message: pass, or fail / warning with the adjusted
    p-value and the group that is worse off."""
    if status == "PASS":
        return OUTCOME_PASS
    p = fmt_p(p_value if p_value is not None else 1.0)
    return fill(OUTCOME_FAIL if status == "FAIL" else OUTCOME_WARN, worst=worst, p=p)


#: Values within this distance of a threshold count as meeting it: 32/100 ÷ 40/100 is
#: 0.7999999999999999 in floating point and must not fail a 0.8 threshold.
TOLERANCE = 1e-9


def status_for(over: bool, p_adjusted: float, policy: Policy) -> Status:
    """The decision rule: PASS within the tolerance; beyond it FAIL if significant, else WARN."""
    if not over:
        return Status.PASS
    return Status.FAIL if p_adjusted < policy.significance_level else Status.WARN


class Judgeable(Protocol):
    """A measured comparison waiting for its adjusted p-value (see :func:`finalize`)."""

    p_raw: float

    def judge(self, p_adjusted: float, policy: Policy) -> Finding: ...


@dataclass(kw_only=True)
class Measured:
    """A comparison measured but not yet judged: value, interval and raw p-value.

    ``message`` writes the finding's text once the status and the adjusted p-value are known.
    Any module can build one; :func:`finalize` judges them all in one Benjamini-Hochberg family.
    """

    check: str
    article: str
    ground: str
    value: float
    threshold: float
    over: bool  # beyond the tolerance
    ci: tuple[float, float] | None
    p_raw: float
    worst: str | None
    best: str | None
    message: Callable[[Status, float], Message]
    details: dict[str, Any] = field(default_factory=dict)
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
