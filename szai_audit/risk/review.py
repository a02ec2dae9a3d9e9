"""Article 72's ethics-review checklist: items (1) to (7), measured or attested.

:func:`checklist` goes through the items: measured where the audit measured something
(privacy: the Article 33 scan; discrimination: 72(4); prices: 72(5)), otherwise
``NEEDS_REVIEW`` until a named person's :class:`Attestation` settles it.
"""

from __future__ import annotations

import datetime as _dt
import numbers
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..core.articles import DISCRIMINATION, PRICES, PRIVACY
from ..core.errors import InputError, InputTypeError
from ..core.findings import Finding, Status
from ..core.messages import Message
from .checks import CHECKLIST_ARTICLE, ITEMS

__all__ = [
    "CHECKLIST_ITEMS",
    "ITEM_CHECKS",
    "Attestation",
    "ChecklistItem",
    "checklist",
    "item_findings",
]


#: Article 72's items: title, and the article of the findings that measure it (None: only a
#: person can judge).
CHECKLIST_ITEMS: dict[int, tuple[Message, str | None]] = {
    1: (
        Message(
            "不得提供危害国家安全或者社会公共利益的产品和服务",
            "No products or services that endanger national security or the public interest",
        ),
        None,
    ),
    2: (
        Message(
            "不得侵犯个人隐私或者侵害个人信息权益",
            "No infringement of privacy or personal information rights",
        ),
        PRIVACY,
    ),
    3: (
        Message(
            "不得提供危害身心健康的产品和服务",
            "No products or services that harm physical or mental health",
        ),
        None,
    ),
    4: (
        Message(
            "不得因种族、性别、国籍、民族和宗教信仰等歧视用户",
            "No discrimination against users by race, gender, nationality, ethnicity, "
            "religious belief and the like",
        ),
        DISCRIMINATION,
    ),
    5: (
        Message(
            "不得利用算法根据用户习惯、偏好、支付能力实施价格歧视或者消费欺诈",
            "No price discrimination or consumer fraud by users' habits, preferences or "
            "ability to pay",
        ),
        PRICES,
    ),
    6: (
        Message("不得利用深度合成技术从事禁止行为", "No prohibited acts using deep synthesis"),
        None,
    ),
    7: (
        Message(
            "不得从事其他违反有关法律法规和伦理安全规范的行为",
            "No other acts against laws, regulations and ethics and safety norms",
        ),
        None,
    ),
}


#: Check ids of the findings that stand for the person-judged items.
ITEM_CHECKS = {i: ITEMS[i].id for i in CHECKLIST_ITEMS}


@dataclass(frozen=True)
class Attestation:
    """A named person's statement on an Article 72 item that only a person can judge.

    Parameters
    ----------
    item : int
        1 to 7 (Article 72's items).
    reviewer : str
        Who attests (name).
    role : str
        Their role (e.g. "伦理委员会委员 / ethics committee member").
    date : str or datetime.date
        When (ISO date, ``"2026-11-29"``).
    statement : str
        What they checked and concluded.
    conclusion : {"pass", "fail"}, default "pass"
        ``"pass"``: the item is met (or does not apply, as the statement says); ``"fail"``: it
        is not.

    Examples
    --------
    >>> a = Attestation(1, "张伟", "伦理委员会主任", "2026-11-29", "不涉及国家安全。")
    >>> a.date, a.status.value
    ('2026-11-29', 'PASS')
    """

    item: int
    reviewer: str
    role: str
    date: str | _dt.date
    statement: str
    conclusion: str = "pass"

    def __post_init__(self) -> None:
        if (
            isinstance(self.item, (bool, np.bool_))
            or not isinstance(self.item, numbers.Integral)
            or int(self.item) not in CHECKLIST_ITEMS
        ):
            raise InputError(
                f"Attestation item must be an integer 1 to 7 (Article 72's items), got "
                f"{self.item!r}."
            )
        object.__setattr__(self, "item", int(self.item))
        for name in ("reviewer", "role", "statement"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise InputError(f"Attestation {name} must be non-empty text, got {value!r}.")
        date = self.date
        if isinstance(date, _dt.datetime):
            date = date.date()
        if isinstance(date, _dt.date):
            date = date.isoformat()
        text = str(date)
        try:
            if len(text) != 10:
                raise ValueError(text)
            day = _dt.date.fromisoformat(text)
        except ValueError as exc:
            raise InputError(
                f"Attestation date must be an ISO date such as '2026-11-29', got {self.date!r}."
            ) from exc
        if day > _dt.date.today():
            raise InputError(f"Attestation date {text} is in the future; give the day it was made.")
        object.__setattr__(self, "date", day.isoformat())
        if self.conclusion not in ("pass", "fail"):
            raise InputError(
                f"Attestation conclusion must be 'pass' or 'fail', got {self.conclusion!r}."
            )

    @property
    def status(self) -> Status:
        return Status.PASS if self.conclusion == "pass" else Status.FAIL

    def to_dict(self) -> dict[str, Any]:
        return {
            "item": self.item,
            "reviewer": self.reviewer,
            "role": self.role,
            "date": self.date,
            "statement": self.statement,
            "conclusion": self.conclusion,
        }


@dataclass(frozen=True)
class ChecklistItem:
    """One of Article 72's items with its status and evidence.

    Attributes
    ----------
    item : int
    title : Message
    status : Status
    basis : str
        ``"measured"`` (findings of the audit), ``"attested"`` (a person's statement) or
        ``"needs_review"``.
    evidence : tuple of dict
        The findings behind a measured status: ``check``, ``ground``, ``status``, ``article``.
    attestations : tuple of Attestation
    """

    item: int
    title: Message
    status: Status
    basis: str
    evidence: tuple[dict[str, Any], ...]
    attestations: tuple[Attestation, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "item": self.item,
            "title": self.title.to_dict(),
            "status": self.status.value,
            "basis": self.basis,
            "evidence": [dict(e) for e in self.evidence],
            "attestations": [a.to_dict() for a in self.attestations],
        }


def _worst(statuses: Iterable[Status]) -> Status:
    return min(statuses, key=lambda s: s.severity)


def checklist(
    findings: Sequence[Finding], attestations: Sequence[Attestation] = ()
) -> list[ChecklistItem]:
    """Article 72's items (1) to (7), each measured, attested or awaiting review.

    An item with findings of its article (privacy: "33", discrimination: "72(4)", prices:
    "72(5)") takes the most serious of their statuses (checks that could not run are left out
    while others ran); an attestation that the item fails makes it FAIL, and settles an item
    that nothing measured. The other items are NEEDS_REVIEW until attested.

    Examples
    --------
    >>> items = checklist([], [Attestation(6, "李娜", "法务", "2026-11-29", "未使用深度合成。")])
    >>> [(i.item, i.status.value, i.basis) for i in items][4:6]
    [(5, 'NEEDS_REVIEW', 'needs_review'), (6, 'PASS', 'attested')]
    """
    by_item: dict[int, list[Attestation]] = {i: [] for i in CHECKLIST_ITEMS}
    for a in attestations:
        if not isinstance(a, Attestation):
            raise InputTypeError(
                f"attestations must be szai_audit.Attestation objects, got {type(a).__name__}."
            )
        by_item[a.item].append(a)
    out = []
    for item, (title, article) in CHECKLIST_ITEMS.items():
        own = [f for f in findings if article is not None and f.article == article]
        ran = [f for f in own if f.status is not Status.NOT_ASSESSED]
        used = ran or own
        attested = by_item[item]
        evidence = tuple(
            {"check": f.check, "ground": f.ground, "status": f.status.value, "article": f.article}
            for f in used
        )
        if ran:
            status, basis = _worst(f.status for f in ran), "measured"
            if any(a.status is Status.FAIL for a in attested):
                status = Status.FAIL
        elif attested:
            status, basis = _worst(a.status for a in attested), "attested"
        else:
            status, basis = Status.NEEDS_REVIEW, "needs_review"
        out.append(ChecklistItem(item, title, status, basis, evidence, tuple(attested)))
    return out


def item_findings(items: Sequence[ChecklistItem]) -> list[Finding]:
    """Findings for the items no check of the audit measured: NEEDS_REVIEW until attested."""
    out = []
    for it in items:
        if it.basis == "measured":
            continue
        if it.attestations:
            names = "、".join(f"{a.reviewer}（{a.role}，{a.date}）" for a in it.attestations)
            names_en = "; ".join(f"{a.reviewer} ({a.role}, {a.date})" for a in it.attestations)
            verdict = (
                Message("结论：通过。", "Result: pass.")
                if it.status is Status.PASS
                else Message("结论：不通过。", "Result: fail.")
            )
            message = Message(
                f"第七十二条第（{_CN[it.item]}）项“{it.title.zh}”：由{names}书面确认。{verdict.zh}",
                f"Article 72({it.item}), “{it.title.en}”: attested in writing by {names_en}. "
                f"{verdict.en}",
            )
        elif CHECKLIST_ITEMS[it.item][1] is not None:
            check = {
                2: Message("去标识化检查（privacy=）", "de-identification scan (privacy=)"),
                4: Message("歧视检查（sensitive=）", "discrimination checks (sensitive=)"),
                5: Message("价格审计（task='pricing'）", "pricing audit (task='pricing')"),
            }[it.item]
            message = Message(
                f"第七十二条第（{_CN[it.item]}）项“{it.title.zh}”：本次审计未测量（{check.zh}）；"
                f"请运行该检查，或由审查人通过 Attestation 说明不适用的理由。",
                f"Article 72({it.item}), “{it.title.en}”: not measured by this audit "
                f"({check.en}); run that check, or have a reviewer attest why it does not apply "
                f"(Attestation).",
            )
        else:
            message = Message(
                f"第七十二条第（{_CN[it.item]}）项“{it.title.zh}”：须由审查人判断，尚无署名确认；"
                f"请通过 Attestation 提供审查人、职务、日期和结论。",
                f"Article 72({it.item}), “{it.title.en}”: only a reviewer can judge this, and no "
                f"one has attested it yet; supply an Attestation (reviewer, role, date, "
                f"statement).",
            )
        out.append(
            Finding(
                check=ITEM_CHECKS[it.item],
                article=CHECKLIST_ARTICLE,
                status=it.status,
                message=message,
                details={
                    "item": it.item,
                    "basis": it.basis,
                    "attestations": [a.to_dict() for a in it.attestations],
                },
            )
        )
    return out


_CN = {1: "一", 2: "二", 3: "三", 4: "四", 5: "五", 6: "六", 7: "七"}
