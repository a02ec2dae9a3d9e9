"""Where and how a system is used (Art. 66(2), 42): the facts the risk tier rests on.

:class:`UseContext` says the system's domain, whether children, the elderly or people with
disabilities are affected (Art. 42), how automated its decisions are, how many people it affects
a year, and whether its effects can be undone.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..core.errors import InputError, InputTypeError
from ..core.messages import Message

__all__ = ["AUTOMATION_LEVELS", "DOMAINS", "VULNERABLE_GROUPS", "UseContext", "choice"]


#: Domains of use, with their names in Chinese and English.
DOMAINS: dict[str, Message] = {
    "public_decision": Message("公共决策", "public decision-making"),
    "judicial": Message("司法", "judicial"),
    "public_security": Message("公共安全", "public security"),
    "credit_finance": Message("信贷与金融", "credit and finance"),
    "insurance": Message("保险", "insurance"),
    "employment": Message("就业", "employment"),
    "healthcare": Message("医疗健康", "healthcare"),
    "education": Message("教育", "education"),
    "housing": Message("住房", "housing"),
    "transport": Message("交通出行", "transport"),
    "pricing_commerce": Message("定价与商业", "pricing and commerce"),
    "recommendation_marketing": Message("推荐与营销", "recommendation and marketing"),
    "other": Message("其他", "other"),
}


#: How automated the decisions are.
AUTOMATION_LEVELS: dict[str, Message] = {
    "fully_automated": Message("完全自动决定", "fully automated"),
    "human_review": Message("人工复核后决定", "decided after human review"),
    "advisory": Message("仅供参考，由人决定", "advisory: a person decides"),
}


#: The special groups of Article 42.
VULNERABLE_GROUPS: dict[str, Message] = {
    "children": Message("儿童", "children"),
    "elderly": Message("老年人", "the elderly"),
    "disabled": Message("残疾人", "people with disabilities"),
}


def choice(name: str, value: Any, allowed: Mapping[str, Any]) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise InputError(f"{name} must be one of {sorted(allowed)}, got {value!r}.")
    return value


@dataclass(frozen=True)
class UseContext:
    """Where and how the audited system is used (the facts the risk tier rests on).

    Parameters
    ----------
    domain : str
        One of :data:`DOMAINS`: ``"public_decision"``, ``"judicial"``, ``"public_security"``,
        ``"credit_finance"``, ``"insurance"``, ``"employment"``, ``"healthcare"``,
        ``"education"``, ``"housing"``, ``"transport"``, ``"pricing_commerce"``,
        ``"recommendation_marketing"``, ``"other"``.
    vulnerable_groups : sequence of str, default ()
        Special groups of Article 42 the system affects: ``"children"``, ``"elderly"``,
        ``"disabled"``.
    automation : str, default "human_review"
        ``"fully_automated"``, ``"human_review"`` or ``"advisory"``.
    scale : int, optional
        People affected per year.
    reversible : bool, default True
        Whether a person can have the effect of a decision undone (appeal, correction, refund).
    description : str, default ""
        A sentence on the use, for the report.

    Examples
    --------
    >>> ctx = UseContext("credit_finance", automation="fully_automated", scale=250_000)
    >>> ctx.domain, ctx.vulnerable
    ('credit_finance', False)
    >>> UseContext("astrology")
    Traceback (most recent call last):
    ...
    szai_audit.errors.InputError: domain must be one of [...], got 'astrology'.
    """

    domain: str
    vulnerable_groups: Sequence[str] = ()
    automation: str = "human_review"
    scale: int | None = None
    reversible: bool = True
    description: str = ""

    def __post_init__(self) -> None:
        choice("domain", self.domain, DOMAINS)
        choice("automation", self.automation, AUTOMATION_LEVELS)
        groups = self.vulnerable_groups
        if isinstance(groups, str) or not isinstance(groups, Iterable):
            raise InputTypeError(
                f"vulnerable_groups must be a list such as ['children'], got {groups!r}."
            )
        groups = tuple(groups)
        for g in groups:
            choice("each of vulnerable_groups", g, VULNERABLE_GROUPS)
        object.__setattr__(self, "vulnerable_groups", groups)
        scale = self.scale
        if scale is not None:
            if isinstance(scale, (bool, np.bool_)) or not isinstance(scale, numbers.Integral):
                raise InputError(
                    f"scale must be a number of people per year (an int >= 0), got {scale!r}."
                )
            if scale < 0:
                raise InputError(f"scale must be >= 0 people per year, got {scale!r}.")
            object.__setattr__(self, "scale", int(scale))
        if not isinstance(self.reversible, (bool, np.bool_)):
            raise InputTypeError(f"reversible must be True or False, got {self.reversible!r}.")
        object.__setattr__(self, "reversible", bool(self.reversible))
        if not isinstance(self.description, str):
            raise InputTypeError(
                f"description must be text, got {type(self.description).__name__}."
            )

    @property
    def vulnerable(self) -> bool:
        """Whether any Article 42 group is affected."""
        return bool(self.vulnerable_groups)

    def labels(self) -> list[tuple[Message, Message]]:
        """(field, value) pairs in Chinese and English, for the report."""
        groups = self.vulnerable_groups
        vul = (
            Message(
                "、".join(VULNERABLE_GROUPS[g].zh for g in groups),
                ", ".join(VULNERABLE_GROUPS[g].en for g in groups),
            )
            if groups
            else Message("无", "none")
        )
        rows = [
            (Message("应用领域", "Domain"), DOMAINS[self.domain]),
            (Message("特殊人群（第四十二条）", "Special groups (Art. 42)"), vul),
            (Message("自动化程度", "Automation"), AUTOMATION_LEVELS[self.automation]),
            (
                Message("每年影响人数", "People affected per year"),
                Message("未说明", "not stated")
                if self.scale is None
                else Message(f"{self.scale:,}", f"{self.scale:,}"),
            ),
            (
                Message("影响可否撤销", "Effects reversible"),
                Message("可以", "yes") if self.reversible else Message("不可以", "no"),
            ),
        ]
        if self.description:
            rows.append(
                (Message("说明", "Description"), Message(self.description, self.description))
            )
        return rows

    def to_dict(self) -> dict[str, Any]:
        return {
            "domain": self.domain,
            "vulnerable_groups": list(self.vulnerable_groups),
            "automation": self.automation,
            "scale": self.scale,
            "reversible": self.reversible,
            "description": self.description,
        }
