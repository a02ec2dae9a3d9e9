"""Where and how a system is used (Art. 66): the facts the risk tier rests on.

:class:`UseContext` says the system's domain, whether children, the elderly or people with
disabilities are affected (the special groups Art. 42 names; Art. 42 promotes products serving
them and is not cited as the legal basis of the tier), how automated its decisions are, how
many people it affects a year, and whether its effects can be undone.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..core.catalog import say
from ..core.errors import InputError, InputTypeError
from ..core.messages import Message
from ..core.metadata import meta_message

__all__ = ["AUTOMATION_LEVELS", "DOMAINS", "VULNERABLE_GROUPS", "UseContext", "choice"]


#: Domains of use, with their names in Chinese and English.
DOMAINS: dict[str, Message] = {
    "public_decision": say("risk.domains.public_decision"),
    "judicial": say("risk.domains.judicial"),
    "public_security": say("risk.domains.public_security"),
    "credit_finance": say("risk.domains.credit_finance"),
    "insurance": say("risk.domains.insurance"),
    "employment": say("risk.domains.employment"),
    "healthcare": say("risk.domains.healthcare"),
    "education": say("risk.domains.education"),
    "housing": say("risk.domains.housing"),
    "transport": say("risk.domains.transport"),
    "pricing_commerce": say("risk.domains.pricing_commerce"),
    "recommendation_marketing": say("risk.domains.recommendation_marketing"),
    "other": say("risk.domains.other"),
}


#: How automated the decisions are.
AUTOMATION_LEVELS: dict[str, Message] = {
    "fully_automated": say("risk.automation_levels.fully_automated"),
    "human_review": say("risk.automation_levels.human_review"),
    "advisory": say("risk.automation_levels.advisory"),
}


#: The special groups (those Art. 42 names: a promotion clause, not the tier's legal basis).
VULNERABLE_GROUPS: dict[str, Message] = {
    "children": say("risk.vulnerable_groups.children"),
    "elderly": say("risk.vulnerable_groups.elderly"),
    "disabled": say("risk.vulnerable_groups.disabled"),
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
        Special groups the system affects: ``"children"``, ``"elderly"``, ``"disabled"``.
    automation : str, default "human_review"
        ``"fully_automated"``, ``"human_review"`` or ``"advisory"``.
    scale : int, optional
        People affected per year.
    reversible : bool, default True
        Whether a person can have the effect of a decision undone (appeal, correction, refund).
    description : str or mapping, default ""
        A sentence on the use, for the report: one text for both languages, or a text per
        language, ``{"zh": ..., "en": ...}`` (kept as a
        :class:`~szai_audit.core.messages.Message`; either language may be left out, the
        other is then shown in both).

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
    description: str | Message | Mapping[str, str] = ""

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
        description = self.description
        if isinstance(description, Mapping) and not isinstance(description, Message):
            if set(description) - {"zh", "en"} or not all(
                isinstance(t, str) for t in description.values()
            ):
                raise InputTypeError(
                    f"description must be text or a text per language such as "
                    f"{{'zh': '个人贷款初审', 'en': 'First review of loan applications'}}, got "
                    f"{dict(description)!r}."
                )
            object.__setattr__(self, "description", meta_message({"d": description}, "d") or "")
        elif not isinstance(description, (str, Message)):
            raise InputTypeError(
                f"description must be text or a text per language {{'zh': ..., 'en': ...}}, "
                f"got {type(description).__name__}."
            )

    @property
    def vulnerable(self) -> bool:
        """Whether any special group is affected."""
        return bool(self.vulnerable_groups)

    def labels(self, older_people: int | None = None) -> list[tuple[Message, Message]]:
        """(field, value) pairs in Chinese and English, for the report.

        ``older_people``: how many audited people are aged 60 or over (None: unknown). When
        the data hold some and the elderly are not declared, the special-groups line says so
        rather than "none".

        >>> UseContext("other").labels()[1][1].en
        'none'
        >>> "12 people aged 60 or over" in UseContext("other").labels(older_people=12)[1][1].en
        True
        """
        groups = self.vulnerable_groups
        vul = (
            Message(
                "、".join(VULNERABLE_GROUPS[g].zh for g in groups),
                ", ".join(VULNERABLE_GROUPS[g].en for g in groups),
            )
            if groups
            else say("risk.labels.none")
        )
        if older_people and "elderly" not in groups:
            vul = (
                say("risk.labels.older_not_declared", groups=vul, n=older_people)
                if groups
                else say("risk.labels.none_declared_but_older", n=older_people)
            )
        rows = [
            (say("risk.labels.domain"), DOMAINS[self.domain]),
            (say("risk.labels.special_groups"), vul),
            (say("risk.labels.automation"), AUTOMATION_LEVELS[self.automation]),
            (
                say("risk.labels.people_affected_per_year"),
                say("risk.labels.not_stated")
                if self.scale is None
                else say("risk.labels.text", scale=self.scale),
            ),
            (
                say("risk.labels.effects_reversible"),
                say("risk.labels.yes") if self.reversible else say("risk.labels.no"),
            ),
        ]
        description = meta_message({"d": self.description}, "d")
        if description is not None:
            rows.append((say("risk.labels.description"), description))
        return rows

    def to_dict(self) -> dict[str, Any]:
        return {
            "domain": self.domain,
            "vulnerable_groups": list(self.vulnerable_groups),
            "automation": self.automation,
            "scale": self.scale,
            "reversible": self.reversible,
            "description": self.description.to_dict()
            if isinstance(self.description, Message)
            else self.description,
        }
