"""Findings: the unit of an audit's result, one per check, tied to an article."""

from __future__ import annotations

import enum
import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from . import checks
from .articles import article_label
from .catalog import say
from .messages import Message

__all__ = [
    "STATUS_LABELS",
    "VERDICTS",
    "Finding",
    "Status",
    "finite_or_none",
    "jsonable",
    "status_counts",
    "verdict_of",
]

STATUS_LABELS: dict[str, Message] = {
    "FAIL": say("core.status_labels.fail"),
    "WARN": say("core.status_labels.warn"),
    "NEEDS_REVIEW": say("core.status_labels.needs_review"),
    "INSUFFICIENT_DATA": say("core.status_labels.insufficient_data"),
    "NOT_ASSESSED": say("core.status_labels.not_assessed"),
    "PASS": say("core.status_labels.pass"),
}


VERDICTS: dict[str, Message] = {
    "FAIL": say("core.verdicts.fail"),
    "WARN": say("core.verdicts.warn"),
    "INCOMPLETE": say("core.verdicts.incomplete"),
    "PASS": say("core.verdicts.pass"),
}


class Status(str, enum.Enum):
    """Outcome of one check.

    ``PASS`` and ``FAIL`` are verdicts on a measurement; ``WARN`` flags something to look at;
    ``INSUFFICIENT_DATA`` means the data cannot support a verdict (groups too small);
    ``NOT_ASSESSED`` means the check could not run (say why in the message); ``NEEDS_REVIEW``
    means only a person can judge.
    """

    PASS = "PASS"
    WARN = "WARN"
    FAIL = "FAIL"
    INSUFFICIENT_DATA = "INSUFFICIENT_DATA"
    NOT_ASSESSED = "NOT_ASSESSED"
    NEEDS_REVIEW = "NEEDS_REVIEW"

    @property
    def label(self) -> Message:
        """Display name in Chinese and English."""
        return STATUS_LABELS[self.value]

    @property
    def severity(self) -> int:
        """Order for sorting, most serious first (FAIL = 0)."""
        return _SEVERITY[self.value]

    def __str__(self) -> str:
        return self.value


_SEVERITY = {
    "FAIL": 0,
    "WARN": 1,
    "NEEDS_REVIEW": 2,
    "INSUFFICIENT_DATA": 3,
    "NOT_ASSESSED": 4,
    "PASS": 5,
}


def finite_or_none(value: Any) -> float | None:
    """``value`` as a float, or None when it is not finite (for JSON).

    >>> finite_or_none(2), finite_or_none(float("inf"))
    (2.0, None)
    """
    value = float(value)
    return value if math.isfinite(value) else None


def jsonable(value: Any) -> Any:
    """Plain-Python, JSON-safe copy of a value (NaN -> None, numpy scalars -> Python).

    >>> import numpy as np
    >>> jsonable({"a": np.float64("nan"), 1: (np.int64(2), "x")})
    {'a': None, '1': [2, 'x']}
    """
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, Message):
        return value.to_dict()
    if isinstance(value, enum.Enum):
        return value.value
    if hasattr(value, "item") and callable(value.item):  # numpy scalar
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


@dataclass(frozen=True)
class Finding:
    """The result of one check.

    Attributes
    ----------
    check : str
        Stable identifier of the check, e.g. ``"fairness.selection_rate_ratio"``.
    article : str
        The article it evidences, e.g. ``"72(4)"``.
    status : Status
    message : Message
        What was found, in Chinese (``message.zh``) and English (``message.en``).
    value : float or None
        The measured value the status rests on (a ratio or a difference of proportions).
    threshold : float or None
        The policy threshold it was compared with.
    ground : str or None
        The Art. 72(2)(iv) ground (``"gender"``...) for fairness checks.
    worst_group, best_group : str or None
        The groups at the two ends of the comparison; "worst" is the one worse off.
    ci : tuple of float or None
        Confidence interval of ``value`` when computed.
    p_value : float or None
        p-value of the comparison when a test was run.
    details : dict
        Check-specific supporting numbers (group rates, groups left out and why).
    """

    check: str
    article: str
    status: Status
    message: Message
    value: float | None = None
    threshold: float | None = None
    ground: str | None = None
    worst_group: str | None = None
    best_group: str | None = None
    ci: tuple[float, float] | None = None
    p_value: float | None = None
    details: Mapping[str, Any] = field(default_factory=dict)

    @property
    def title(self) -> Message:
        """Display name of the check."""
        return checks.title(self.check, self.details)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict; the field names are those of the report's JSON schema."""
        return {
            "check": self.check,
            "article": self.article,
            "citation": article_label(self.article).to_dict(),
            "status": self.status.value,
            "title": self.title.to_dict(),
            "message": self.message.to_dict(),
            "value": jsonable(self.value),
            "threshold": jsonable(self.threshold),
            "ground": self.ground,
            "worst_group": self.worst_group,
            "best_group": self.best_group,
            "ci": jsonable(self.ci),
            "p_value": jsonable(self.p_value),
            "details": jsonable(self.details),
        }

    def __repr__(self) -> str:
        value = "" if self.value is None else f", value={self.value:.4g}"
        return f"<Finding {self.check} [{self.ground or '-'}] {self.status.value}{value}>"


def status_counts(statuses: Iterable[Status | str]) -> dict[str, int]:
    """Number of findings per status, every status present (zeros included), most serious
    first."""
    counts = Counter(Status(s).value for s in statuses)
    return {s.value: counts.get(s.value, 0) for s in sorted(Status, key=lambda s: s.severity)}


def verdict_of(counts: Mapping[str, int]) -> str:
    """The verdict of an audit from its status counts: ``"FAIL"``, ``"WARN"``, ``"INCOMPLETE"``
    (nothing failed but something could not be assessed or needs review) or ``"PASS"``.

    >>> verdict_of({"FAIL": 0, "WARN": 0, "NEEDS_REVIEW": 1, "INSUFFICIENT_DATA": 0,
    ...             "NOT_ASSESSED": 0, "PASS": 3})
    'INCOMPLETE'
    """
    if counts["FAIL"]:
        return "FAIL"
    if counts["WARN"]:
        return "WARN"
    if counts["NEEDS_REVIEW"] or counts["INSUFFICIENT_DATA"] or counts["NOT_ASSESSED"]:
        return "INCOMPLETE"
    return "PASS"
