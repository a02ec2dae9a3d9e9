"""The report's first section: the verdict, one row per article with its counts by status,
and the governance block (risk tier, checklist, attestations) the templates read."""

from __future__ import annotations

from collections import Counter
from typing import Any

from ..core.articles import DISCRIMINATION, ETHICS_REVIEW, EXPLANATION, PRICES, PRIVACY, RISK
from ..core.findings import Status
from ..core.messages import Message
from ..risk.page import checklist_part, risk_part
from .results import Results

__all__ = ["ARTICLE_ROWS", "article_rows", "governance_page"]

#: The articles of the executive summary, in reading order, with the anchor of their section.
ARTICLE_ROWS: list[tuple[str, Message, str]] = [
    (RISK, Message("第六十六条：风险等级", "Art. 66: risk tier"), "summary"),
    (
        DISCRIMINATION,
        Message("第七十二条第（四）项：歧视", "Art. 72(4): discrimination"),
        "art-72-4",
    ),
    (
        PRICES,
        Message("第七十二条第（五）项：价格歧视", "Art. 72(5): price discrimination"),
        "art-72-5",
    ),
    (EXPLANATION, Message("第七十一条：算法说明", "Art. 71: explanation"), "art-71"),
    (PRIVACY, Message("第三十三条：去标识化", "Art. 33: de-identification"), "art-33"),
    (
        ETHICS_REVIEW,
        Message("第七十二条：伦理安全审查清单", "Art. 72: ethics review checklist"),
        "art-72",
    ),
]


_ORDER = sorted(Status, key=lambda s: s.severity)


def _row(label: Message, anchor: str, statuses: list[Status], article: str) -> dict[str, Any]:
    counts = Counter(statuses)
    worst = min(statuses, key=lambda s: s.severity) if statuses else None
    return {
        "article": article,
        "label": label,
        "anchor": anchor,
        "counts": [(s, counts.get(s, 0)) for s in _ORDER],
        "worst": worst,
        "total": len(statuses),
    }


def article_rows(result: Results) -> list[dict[str, Any]]:
    """One row per article: the statuses of its findings (of its items, for the checklist);
    Article 72(5) only in a pricing audit or when it has findings."""
    rows = []
    for article, label, anchor in ARTICLE_ROWS:
        if article == ETHICS_REVIEW:
            statuses = [item.status for item in result.checklist]
        else:
            statuses = [f.status for f in result.findings if f.article == article]
        if article == PRICES and result.pricing is None and not statuses:
            continue
        rows.append(_row(label, anchor, statuses, article))
    return rows


def governance_page(result: Results) -> dict[str, Any]:
    """Risk tier, one row per article with counts by status, the context, the checklist."""
    return {
        "risk": risk_part(result),
        "articles": article_rows(result),
        "checklist": checklist_part(result),
        "attestations": [a for item in result.checklist for a in item.attestations],
        "privacy_findings": [f for f in result.findings if f.article == PRIVACY],
        "risk_findings": [f for f in result.findings if f.article == RISK],
        "item_findings": [f for f in result.findings if f.article == ETHICS_REVIEW],
    }
