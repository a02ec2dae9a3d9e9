"""What page 1 of the report says: one sentence per finding worth a committee's attention.

Each article's page part (``fairness.page``, ``pricing.page``, ``explain.page``,
``privacy.page``, ``risk.page``) turns its findings into :class:`Statement` objects; the report
orders them, most serious first, per article, and ties each to the action it calls for.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .findings import Status
from .messages import Message

__all__ = ["Limit", "Statement", "most_serious_first"]


@dataclass(frozen=True)
class Statement:
    """One finding said in plain words for page 1.

    Attributes
    ----------
    article : str
        The article's machine key (``"72(4)"``).
    status : Status
        The most serious status of the findings the sentence stands for.
    text : Message
        The finding in a sentence, with display names and value labels, no column names or
        code: ``女性申请人批准率 70.3%，男性 84.7%……``.
    action : Message or None
        What the organisation must do about it, or None when nothing is asked.
    checks : tuple of str
        ``"check@ground"`` keys of the findings behind the sentence.
    anchor : str or None
        The id of the report section with the details.
    """

    article: str
    status: Status
    text: Message
    action: Message | None = None
    checks: tuple[str, ...] = field(default_factory=tuple)
    anchor: str | None = None


@dataclass(frozen=True)
class Limit:
    """A limit of the audit the committee must weigh (rows against people affected, groups too
    small to judge, grounds not assessed, tolerances that are policy)."""

    text: Message


def most_serious_first(statements: list[Statement]) -> list[Statement]:
    """Statements ordered by status, most serious first; the original order within a status.

    >>> s = [Statement("71", Status.PASS, Message("a", "a")),
    ...      Statement("71", Status.FAIL, Message("b", "b"))]
    >>> [x.text.en for x in most_serious_first(s)]
    ['b', 'a']
    """
    return sorted(statements, key=lambda s: s.status.severity)
