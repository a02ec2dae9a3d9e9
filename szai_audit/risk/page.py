"""The Art. 66 and 72 parts of the report: the risk tier with what the organisation should
prepare for its supervision, and the ethics-review checklist with the attestations and the
sign-off."""

from __future__ import annotations

from collections import Counter
from typing import Any, Protocol

from ..core.articles import CHECKLIST_ITEMS as ITEM_PROVISIONS
from ..core.articles import ETHICS_REVIEW, GRADING_MEASURES, PROVISIONS, RISK
from ..core.catalog import say
from ..core.conclusion import Statement
from ..core.findings import Finding, Status
from ..core.messages import Message, first_upper
from .checks import ITEMS
from .review import CHECKLIST_ITEMS, ChecklistItem
from .rules import TIERS
from .tiers import RiskAssessment

__all__ = [
    "Results",
    "checklist_part",
    "checklist_statements",
    "conclusion_statements",
    "preliminary_note",
    "risk_part",
]

_BASIS = {
    "measured": say("risk.basis.measured"),
    "attested": say("risk.basis.attested"),
    "needs_review": say("risk.basis.needs_review"),
    "partly_measured": say("risk.basis.partly_measured"),
}

_ORDER = sorted(Status, key=lambda s: s.severity)

#: The report section each measured checklist item links to.
_ITEM_ANCHORS = {2: "art-33", 4: "art-72-4", 5: "art-72-5"}


class Results(Protocol):
    """What the Art. 66/72 page part reads of an audit's result."""

    @property
    def findings(self) -> list[Finding]: ...
    @property
    def risk(self) -> RiskAssessment | None: ...
    @property
    def checklist(self) -> tuple[ChecklistItem, ...]: ...


def concerns_note(risk: RiskAssessment) -> Message | None:
    """The checks beyond tolerance, named beside the tier they do not change (None when there
    are none).

    >>> from szai_audit.risk import UseContext, assess
    >>> concerns_note(assess(UseContext("other"))) is None
    True
    """
    n = len(risk.concerns)
    if n == 0:
        return None
    if n == 1:
        return say("risk.concerns_note.one_check_beyond_tolerance")
    return say("risk.concerns_note.checks_beyond_tolerance", n=n)


def risk_part(result: Results) -> dict[str, Any] | None:
    """The risk tier, the rule that decided it, the checks beyond tolerance beside it, what the
    organisation should prepare, and Art. 71."""
    risk = result.risk
    if risk is None:
        return None
    return {
        "tier": risk.tier,
        "label": TIERS[risk.tier],
        "reason": risk.reason,
        "rule": risk.rule,
        "concerns": concerns_note(risk),
        "supervision": supervision_note(risk),
        "duties": list(risk.duties),
        "article_71": risk.article_71_reason,
        "article_71_applies": risk.article_71_applies,
        "context_rows": risk.context.labels(risk.older_people),
        "source": risk.rules_source,
        "preliminary": preliminary_note(),
    }


def preliminary_note() -> Message:
    """Why the tier is this tool's preliminary grading: the city's measures are still to come
    (Art. 66(3), quoted without its full stop inside the sentence that quotes it).

    >>> note = preliminary_note().zh
    >>> "第六十六条第三款" in note and "另行制定”" in note and "。”" not in note
    True
    """
    m = GRADING_MEASURES
    text = Message(m.text.zh.rstrip("。"), m.text.en.rstrip("."))
    return say("risk.preliminary_note.this_this_tool_s", citation=m.citation, text=text)


def older_note(risk: RiskAssessment) -> Message | None:
    """When the data hold people aged 60 or over and the context does not declare the elderly
    affected: say so, since the tier rests on the groups declared (None otherwise)."""
    n = risk.older_people
    if not n or "elderly" in risk.context.vulnerable_groups:
        return None
    return say("risk.older_note.data_hold_older_people", n=n)


def supervision_note(risk: RiskAssessment) -> Message:
    """What Art. 66(2) says of the tier: the government's supervision, not the organisation's
    duty; and so what the organisation should prepare."""
    return say(
        "risk.supervision_note.high" if risk.tier == "HIGH" else "risk.supervision_note.medium_low",
        citation=PROVISIONS[RISK].citation,
        duties=_duty_names(risk),
    )


def _spaced(note: Message | None) -> Message:
    """A sentence to follow another: a space before it in English; nothing for None."""
    return Message("", "") if note is None else Message(note.zh, " " + note.en)


def _duty_names(risk: RiskAssessment) -> Message:
    """The names of what the tier suggests preparing: ``事前评估材料和风险预警安排``."""
    zh = [d.zh.split("：")[0] for d in risk.duties]
    en = [d.en.split(":")[0].lower() for d in risk.duties]
    if len(zh) < 2:
        return Message("".join(zh), "".join(en))
    return Message("、".join(zh[:-1]) + "和" + zh[-1], ", ".join(en[:-1]) + " and " + en[-1])


def checklist_part(result: Results) -> list[dict[str, Any]]:
    """One row per Art. 72 item: its status, basis, evidence and attestations."""
    findings_by_key = {(f.check, f.ground): f for f in result.findings}
    items = []
    for item in result.checklist:
        evidence = Counter(Status(e["status"]) for e in item.evidence)
        items.append(
            {
                "item": item.item,
                "citation_short": Message(
                    f"（{ITEM_PROVISIONS[item.item].citation.zh[-3]}）",
                    "(" + ITEM_PROVISIONS[item.item].citation.en.split("(")[-1],
                ),
                "title": item.title,
                "status": item.status,
                "basis": _BASIS[item.basis],
                "evidence": [(s, evidence[s]) for s in _ORDER if evidence.get(s)],
                "anchor": _ITEM_ANCHORS.get(item.item) if item.evidence else None,
                "measured_by": CHECKLIST_ITEMS[item.item][1],
                "attestations": list(item.attestations),
                "finding": findings_by_key.get((ITEMS[item.item].id, None)),
            }
        )
    return items


def conclusion_statements(result: Results) -> list[Statement]:
    """Page 1 on Art. 66: the preliminary tier from the use, why, what Art. 66(2) says of its
    supervision and so what to prepare, and the checks beyond tolerance beside it (which do not
    change it)."""
    risk = result.risk
    if risk is None:
        return [
            Statement(RISK, f.status, f.message, _NO_CONTEXT_ACTION, (f.check,), "risk")
            for f in result.findings
            if f.article == RISK
        ]
    body = say(
        "risk.conclusion_statements.this_tool_s_preliminary",
        label=TIERS[risk.tier],
        reason=risk.reason,
        supervision=supervision_note(risk),
        concerns=_spaced(older_note(risk)).join(_spaced(concerns_note(risk)), sep_en=""),
    )
    status = Status.WARN if risk.tier == "HIGH" else Status.NEEDS_REVIEW
    action = say("risk.conclusion_statements.arrange_assessment_or_disclosure")
    return [Statement(RISK, status, body, action, ("risk.tier",), "risk")]


_NO_CONTEXT_ACTION = say("risk.no_context_action")


def checklist_statements(result: Results) -> list[Statement]:
    """Page 1 on the Art. 72 checklist: the items that await a reviewer, or that a reviewer
    found not met."""
    waiting = [
        i
        for i in result.checklist
        if i.status is Status.NEEDS_REVIEW
        or (i.basis == "partly_measured" and not i.attestations)  # the part a person judges
    ]
    unmeasured = [
        i for i in waiting if CHECKLIST_ITEMS[i.item][1] is not None and i.basis == "needs_review"
    ]
    waiting = [i for i in waiting if i not in unmeasured]
    failed = [
        i
        for i in result.checklist
        if i.basis in ("attested", "partly_measured")
        and any(a.status is Status.FAIL for a in i.attestations)
    ]
    out = []
    for items, status, zh, en, act_zh, act_en in (
        (
            unmeasured,
            Status.NEEDS_REVIEW,
            "可以通过检查测量，但本次审计未做相应检查",
            "could be measured by checks this audit did not run",
            "补做相应检查，或由审查人书面说明不适用的理由",
            "run the checks, or have a reviewer state in writing why they do not apply",
        ),
        (
            failed,
            Status.FAIL,
            "审查人确认未满足",
            "a reviewer attested as not met",
            "整改后由审查人重新确认",
            "remedy, then have the reviewer attest again",
        ),
        (
            waiting,
            Status.NEEDS_REVIEW,
            "只能由人判断，尚待审查人署名确认",
            "can only be judged by a person and await a reviewer's signed attestation",
            "由审查人在第 3 部分清单中逐项写明结论并签署",
            "the reviewers state and sign their conclusion on each item in part 3",
        ),
    ):
        if not items:
            continue
        cites = "、".join(f"第（{ITEM_PROVISIONS[i.item].citation.zh[-3]}）项" for i in items)
        out.append(
            Statement(
                ETHICS_REVIEW,
                status,
                Message(
                    f"第七十二条第二款清单{cites}{zh}。",
                    f"Art. 72(2) checklist {_items_en(items)} {en}.",
                ),
                Message(act_zh + "。", first_upper(act_en) + "."),
                tuple(ITEMS[i.item].id for i in items),
                "art-72",
            )
        )
    return out


def _items_en(items: list[ChecklistItem]) -> str:
    """``item (v)`` or ``items (i), (iii)``."""
    numbers = ", ".join(f"({ITEM_PROVISIONS[i.item].citation.en.split('(')[-1]}" for i in items)
    return ("items " if len(items) > 1 else "item ") + numbers
