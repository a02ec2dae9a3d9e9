"""The Art. 66(2) and 72 parts of the report: the risk tier with its duties, and the ethics-
review checklist with the attestations and the sign-off."""

from __future__ import annotations

from collections import Counter
from typing import Any, Protocol

from ..core import checks
from ..core.articles import CHECKLIST_ITEMS as ITEM_PROVISIONS
from ..core.articles import ETHICS_REVIEW, GRADING_MEASURES, RISK
from ..core.catalog import say
from ..core.conclusion import Statement
from ..core.findings import Finding, Status
from ..core.grounds import ground_label
from ..core.html import subject_label
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
    """What the Art. 66(2)/72 page part reads of an audit's result."""

    @property
    def findings(self) -> list[Finding]: ...
    @property
    def risk(self) -> RiskAssessment | None: ...
    @property
    def checklist(self) -> tuple[ChecklistItem, ...]: ...


def _escalation(keys: tuple[str, ...], findings: list[Finding], shown: int = 3) -> Message | None:
    """The failed checks that raised the tier, in words: the first few and how many more."""
    if not keys:
        return None
    by_key = {f"{f.check}@{f.ground}" if f.ground else f.check: f for f in findings}
    parts = []
    for key in keys[:shown]:
        check, _, ground = key.partition("@")
        title = checks.title(check)
        f = by_key.get(key)
        if f is not None and f.ground:
            g = subject_label(f)
            parts.append(say("risk.escalation.text", ground=g, title=title))
        elif ground:
            g = ground_label(ground)
            parts.append(say("risk.escalation.text", ground=g, title=title))
        else:
            parts.append(title)
    more = len(keys) - shown
    zh = "；".join(p.zh for p in parts) + (f"；另 {more} 项" if more > 0 else "")
    en = "; ".join(p.en for p in parts) + (f"; {more} more" if more > 0 else "")
    return Message(zh, en)


def risk_part(result: Results) -> dict[str, Any] | None:
    """The risk tier, the rule that decided it, what raised it, its duties and Art. 71."""
    risk = result.risk
    if risk is None:
        return None
    return {
        "tier": risk.tier,
        "label": TIERS[risk.tier],
        "base_label": TIERS[risk.base_tier],
        "reason": risk.reason,
        "rule": risk.rule,
        "escalated_by": _escalation(risk.escalated_by, result.findings),
        "escalation_text": risk.escalation_text,
        "duties": list(risk.duties),
        "article_71": risk.article_71_reason,
        "article_71_applies": risk.article_71_applies,
        "context_rows": risk.context.labels(),
        "source": risk.rules_source,
        "preliminary": preliminary_note(),
    }


def preliminary_note() -> Message:
    """Why the tier is this tool's preliminary grading: the city's measures are still to come."""
    m = GRADING_MEASURES
    return say("risk.preliminary_note.this_this_tool_s", citation=m.citation, text=m.text)


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
    """Page 1 on Art. 66(2): the preliminary tier, why, and the duties that follow."""
    risk = result.risk
    if risk is None:
        return [
            Statement(RISK, f.status, f.message, _NO_CONTEXT_ACTION, (f.check,), "risk")
            for f in result.findings
            if f.article == RISK
        ]
    label = TIERS[risk.tier]
    duties = Message(
        "、".join(d.zh.split("：")[0] for d in risk.duties),
        ", ".join(d.en.split(":")[0].lower() for d in risk.duties),
    )
    raised = (
        say("risk.conclusion_statements.raised_from_because_checks", value=TIERS[risk.base_tier])
        if risk.escalated_by
        else Message("", "")
    )
    body = say(
        "risk.conclusion_statements.this_tool_s_preliminary",
        label=label,
        raised=raised,
        reason=risk.reason,
        duties=duties,
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
            "本可由检查测量，但本次审计未测量",
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
