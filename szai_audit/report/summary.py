"""The report's first section: the verdict, one row per article with its counts by status,
and the governance block (risk tier, checklist, attestations) the templates read."""

from __future__ import annotations

from collections import Counter
from typing import Any

from ..core.articles import (
    DISCRIMINATION,
    ETHICS_REVIEW,
    EXPLANATION,
    ITEMS_LEAD_IN,
    PRICES,
    PRIVACY,
    PROVISIONS,
    RISK,
)
from ..core.findings import Status
from ..core.messages import Message
from ..risk.page import checklist_part, risk_part
from .results import Results

__all__ = ["ARTICLE_ROWS", "article_rows", "governance_page"]

#: The articles of the executive summary, in reading order, with the anchor of their section.
ARTICLE_ROWS: list[tuple[str, Message, str]] = [
    (key, PROVISIONS[key].heading(), anchor)
    for key, anchor in (
        (RISK, "risk"),
        (DISCRIMINATION, "body-72-4"),
        (PRICES, "body-72-5"),
        (EXPLANATION, "body-71"),
        (PRIVACY, "body-33"),
        (ETHICS_REVIEW, "art-72"),
    )
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
    """One row per article: the statuses of its findings, so that the rows add up to every
    check (the Art. 72 row counts the checklist items no other article measured); Art. 72(2)(v)
    only in a pricing audit or when it has findings."""
    rows = []
    for article, label, anchor in ARTICLE_ROWS:
        statuses = [f.status for f in result.findings if f.article == article]
        if article == PRICES and result.pricing is None and not statuses:
            continue
        rows.append(_row(label, anchor, statuses, article))
    return rows


def governance_page(result: Results) -> dict[str, Any]:
    """Risk tier, one row per article with counts by status, the context, the checklist."""
    return {
        "risk": risk_part(result),
        "review_quote": PROVISIONS[ETHICS_REVIEW],
        "items_lead_in": ITEMS_LEAD_IN,
        "articles": article_rows(result),
        "checklist": checklist_part(result),
        "attestations": [a for item in result.checklist for a in item.attestations],
        "privacy_findings": [f for f in result.findings if f.article == PRIVACY],
        "risk_findings": [f for f in result.findings if f.article == RISK],
        "item_findings": [f for f in result.findings if f.article == ETHICS_REVIEW],
    }
