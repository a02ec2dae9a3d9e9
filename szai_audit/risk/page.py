"""The Article 66 and 72 parts of the report: the risk tier with its duties, and the ethics-
review checklist with the attestations and the sign-off."""

from __future__ import annotations

from collections import Counter
from typing import Any, Protocol

from ..core import checks
from ..core.findings import Finding, Status
from ..core.grounds import INTERSECTION_SEP, ground_label
from ..core.messages import Message
from .checks import ITEMS
from .review import CHECKLIST_ITEMS, ChecklistItem
from .rules import TIERS
from .tiers import RiskAssessment

__all__ = ["Results", "checklist_part", "risk_part"]

_BASIS = {
    "measured": Message("本次审计测量", "measured by this audit"),
    "attested": Message("审查人书面确认", "attested by a reviewer"),
    "needs_review": Message("待审查人确认", "awaiting a reviewer"),
}

_ORDER = sorted(Status, key=lambda s: s.severity)

#: The report section each measured checklist item links to.
_ITEM_ANCHORS = {2: "art-33", 4: "art-72-4", 5: "art-72-5"}


class Results(Protocol):
    """What the Article 66/72 page part reads of an audit's result."""

    @property
    def findings(self) -> list[Finding]: ...
    @property
    def risk(self) -> RiskAssessment | None: ...
    @property
    def checklist(self) -> tuple[ChecklistItem, ...]: ...


def _escalation(keys: tuple[str, ...], shown: int = 3) -> Message | None:
    """The failed checks that raised the tier, in words: the first few and how many more."""
    if not keys:
        return None
    parts = []
    for key in keys[:shown]:
        check, _, ground = key.partition("@")
        title = checks.title(check)
        g = (
            INTERSECTION_SEP.join(ground_label(x).zh for x in ground.split(INTERSECTION_SEP)),
            INTERSECTION_SEP.join(ground_label(x).en for x in ground.split(INTERSECTION_SEP)),
        )
        parts.append(Message(f"{g[0]}：{title.zh}", f"{title.en} ({g[1]})"))
    more = len(keys) - shown
    zh = "；".join(p.zh for p in parts) + (f"；另 {more} 项" if more > 0 else "")
    en = "; ".join(p.en for p in parts) + (f"; {more} more" if more > 0 else "")
    return Message(zh, en)


def risk_part(result: Results) -> dict[str, Any] | None:
    """The risk tier, the rule that decided it, what raised it, its duties and Article 71."""
    risk = result.risk
    if risk is None:
        return None
    return {
        "tier": risk.tier,
        "label": TIERS[risk.tier],
        "base_label": TIERS[risk.base_tier],
        "reason": risk.reason,
        "rule": risk.rule,
        "escalated_by": _escalation(risk.escalated_by),
        "escalation_text": risk.escalation_text,
        "duties": list(risk.duties),
        "article_71": risk.article_71_reason,
        "article_71_applies": risk.article_71_applies,
        "context_rows": risk.context.labels(),
        "source": risk.rules_source,
    }


def checklist_part(result: Results) -> list[dict[str, Any]]:
    """One row per Article 72 item: its status, basis, evidence and attestations."""
    findings_by_key = {(f.check, f.ground): f for f in result.findings}
    items = []
    for item in result.checklist:
        evidence = Counter(Status(e["status"]) for e in item.evidence)
        items.append(
            {
                "item": item.item,
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
