"""Art. 72's ethics-review checklist: items (1) to (7), measured or attested.

:func:`checklist` goes through the items: measured where the audit measured something
(privacy: the Art. 33(2) scan; discrimination: 72(4); prices: 72(5)), otherwise
``NEEDS_REVIEW`` until a named person's :class:`Attestation` settles it.
"""

from __future__ import annotations

import datetime as _dt
import numbers
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..core.articles import CHECKLIST_ITEMS as ITEM_PROVISIONS
from ..core.articles import DISCRIMINATION, PRICES, PRIVACY
from ..core.catalog import say
from ..core.errors import InputError, InputTypeError
from ..core.findings import Finding, Status
from ..core.messages import Message
from .checks import CHECKLIST_ARTICLE, ITEMS

__all__ = [
    "CHECKLIST_ITEMS",
    "ITEM_CHECKS",
    "PARTLY_MEASURED",
    "Attestation",
    "ChecklistItem",
    "checklist",
    "item_findings",
]


#: Art. 72(2)'s items: their words (verbatim, without the item number), and the article of the
#: findings that measure it (None: only a person can judge).
CHECKLIST_ITEMS: dict[int, tuple[Message, str | None]] = {
    item: (
        Message(
            re.sub(r"^（[一二三四五六七]）", "", p.text.zh),
            re.sub(r"^\([ivx]+\) ", "", p.text.en),
        ),
        {2: PRIVACY, 4: DISCRIMINATION, 5: PRICES}.get(item),
    )
    for item, p in ITEM_PROVISIONS.items()
}


#: The items the audit's checks measure only in part: what they measure. Item (ii), privacy and
#: personal-information rights, is measured by the Art. 33(2) scan (direct identifiers,
#: k-anonymity): de-identification only; lawful basis, consent, purpose, minimisation,
#: security and the individual's rights remain for a reviewer.
PARTLY_MEASURED: dict[int, Message] = {2: say("risk.partly_measured.de_identification_only")}


#: Check ids of the findings that stand for the person-judged items.
ITEM_CHECKS = {i: ITEMS[i].id for i in CHECKLIST_ITEMS}


@dataclass(frozen=True)
class Attestation:
    """A named person's statement on an Art. 72 item that only a person can judge.

    Parameters
    ----------
    item : int
        1 to 7 (Art. 72's items).
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
                f"Attestation item must be an integer 1 to 7 (Art. 72's items), got {self.item!r}."
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
    """One of Art. 72's items with its status and evidence.

    Attributes
    ----------
    item : int
    title : Message
    status : Status
    basis : str
        ``"measured"`` (findings of the audit), ``"partly_measured"`` (findings of the audit
        for part of the item, :data:`PARTLY_MEASURED`; the rest awaits a reviewer's
        attestation), ``"attested"`` (a person's statement) or ``"needs_review"``.
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
    """Art. 72's items (1) to (7), each measured, attested or awaiting review.

    An item with findings of its article (discrimination: "72(4)", prices: "72(5)") takes the
    most serious of all their statuses, those that could not be assessed included, so that the
    item and its article's line in the summary always agree; an attestation that the item
    fails makes it FAIL, and settles an item that nothing measured. An item the checks measure
    only in part (:data:`PARTLY_MEASURED`: item (ii), privacy, whose Art. 33 scan covers
    de-identification only) is ``"partly_measured"``: the most serious of its findings'
    statuses and of its attestations', NEEDS_REVIEW while no one has attested the rest (when
    its scan did not run, nothing of it was measured: NEEDS_REVIEW until attested). The
    other items are NEEDS_REVIEW until attested.

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
        if item in PARTLY_MEASURED and all(f.status is Status.NOT_ASSESSED for f in own):
            own = []  # the scan did not run: nothing of the item was measured
        attested = by_item[item]
        evidence = tuple(
            {"check": f.check, "ground": f.ground, "status": f.status.value, "article": f.article}
            for f in own
        )
        if own and item in PARTLY_MEASURED:
            # The rest of the item is a person's to judge: NEEDS_REVIEW until attested.
            rest = [a.status for a in attested] or [Status.NEEDS_REVIEW]
            status, basis = _worst([*(f.status for f in own), *rest]), "partly_measured"
        elif own:
            status, basis = _worst(f.status for f in own), "measured"
            if any(a.status is Status.FAIL for a in attested):
                status = Status.FAIL
        elif attested:
            status, basis = _worst(a.status for a in attested), "attested"
        else:
            status, basis = Status.NEEDS_REVIEW, "needs_review"
        out.append(ChecklistItem(item, title, status, basis, evidence, tuple(attested)))
    return out


def _item_message(it: ChecklistItem) -> Message:
    """What an item no check measured, or measured in part, says: who attested it, or what is
    still to be done."""
    cite = ITEM_PROVISIONS[it.item].citation
    head = say("risk.item_message.text", cite=cite, title=it.title)
    if it.basis == "partly_measured":
        head = say("risk.item_message.partly_measured", head=head, part=PARTLY_MEASURED[it.item])
        if not it.attestations:
            return say("risk.item_message.rest_awaits_reviewer", head=head)
    if it.attestations:
        names = "、".join(f"{a.reviewer}（{a.role}，{a.date}）" for a in it.attestations)
        names_en = "; ".join(f"{a.reviewer} ({a.role}, {a.date})" for a in it.attestations)
        verdict = (
            say("risk.item_message.result_pass")
            if it.status is Status.PASS
            else say("risk.item_message.result_fail")
        )
        return say(
            "risk.item_message.attested_writing_by",
            head=head,
            verdict=verdict,
            names=Message(names, names_en),
        )
    if CHECKLIST_ITEMS[it.item][1] is not None:
        check = {
            2: say("risk.item_message.2"),
            4: say("risk.item_message.4"),
            5: say("risk.item_message.5"),
        }[it.item]
        return say("risk.item_message.not_measured_by_this", head=head, check=check)
    return say("risk.item_message.only_reviewer_can_judge", head=head)


def item_findings(items: Sequence[ChecklistItem]) -> list[Finding]:
    """Findings for the items no check of the audit measured, or measured only in part (for
    the part a person must judge): NEEDS_REVIEW until attested.

    Examples
    --------
    >>> scan = Finding(check="privacy.k_anonymity", article="33", status=Status.PASS,
    ...                message=Message("", ""))
    >>> item = item_findings(checklist([scan]))[1]
    >>> item.check, item.status.value, item.details["basis"]
    ('ethics.item_2', 'NEEDS_REVIEW', 'partly_measured')
    """
    return [
        Finding(
            check=ITEM_CHECKS[it.item],
            article=CHECKLIST_ARTICLE,
            status=_person_part(it),
            message=_item_message(it),
            details={
                "item": it.item,
                "basis": it.basis,
                "attestations": [a.to_dict() for a in it.attestations],
            },
        )
        for it in items
        if it.basis != "measured"
    ]


def _person_part(it: ChecklistItem) -> Status:
    """The status of the part of an item a person judges: the item's own, or for an item
    measured in part, its attestations' (NEEDS_REVIEW while there is none)."""
    if it.basis != "partly_measured":
        return it.status
    return _worst(a.status for a in it.attestations) if it.attestations else Status.NEEDS_REVIEW
