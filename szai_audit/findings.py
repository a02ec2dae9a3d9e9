"""Findings: the unit of an audit's result, one per check, tied to an article."""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .narrative import CHECK_TITLES, STATUS_LABELS, Message

__all__ = ["Finding", "Status"]


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


def _clean(value: Any) -> Any:
    """Plain-Python, JSON-safe copy of a value (NaN -> None, numpy scalars -> Python)."""
    if isinstance(value, Mapping):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
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
        The Article 72(4) ground (``"gender"``...) for fairness checks.
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
        return CHECK_TITLES.get(self.check, Message(self.check, self.check))

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict; the field names are those of the report's JSON schema."""
        return {
            "check": self.check,
            "article": self.article,
            "status": self.status.value,
            "title": self.title.to_dict(),
            "message": self.message.to_dict(),
            "value": _clean(self.value),
            "threshold": _clean(self.threshold),
            "ground": self.ground,
            "worst_group": self.worst_group,
            "best_group": self.best_group,
            "ci": _clean(self.ci),
            "p_value": _clean(self.p_value),
            "details": _clean(self.details),
        }

    def __repr__(self) -> str:
        value = "" if self.value is None else f", value={self.value:.4g}"
        return f"<Finding {self.check} [{self.ground or '-'}] {self.status.value}{value}>"
