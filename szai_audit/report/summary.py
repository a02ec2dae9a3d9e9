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
from ..core.conclusion import Statement
from ..core.findings import Finding, Status
from ..core.messages import Message
from ..risk.page import checklist_part, risk_part
from .conclusion import SOURCES
from .results import Results

__all__ = [
    "ARTICLE_ROWS",
    "article_rows",
    "article_totals",
    "governance_page",
    "unbacked_statements",
]

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


def _row(
    label: Message, anchor: str, statuses: list[Status], article: str, lines: int = 0
) -> dict[str, Any]:
    counts = Counter(statuses)
    worst = min(statuses, key=lambda s: s.severity) if statuses else None
    return {
        "article": article,
        "label": label,
        "anchor": anchor,
        "counts": [(s, counts.get(s, 0)) for s in _ORDER],
        "worst": worst,
        "total": len(statuses),
        "page_lines": lines,
    }


def _key(f: Finding) -> set[str]:
    """The keys a page-1 statement may name a finding by: ``check``, ``check@ground``,
    ``check@`` (no ground)."""
    return {f.check, f"{f.check}@{f.ground or ''}"}


def unbacked_statements(result: Results, article: str) -> list[Statement]:
    """The page-1 lines of ``article`` that stand for no finding of the audit but carry a badge
    (the risk tier with a use context: a grading, not a check)."""
    source = dict(SOURCES).get(article)
    if source is None:
        return []
    keys = set().union(*(_key(f) for f in result.findings)) if result.findings else set()
    return [s for s in source(result) if not any(c in keys for c in s.checks)]


def article_rows(result: Results) -> list[dict[str, Any]]:
    """One row per article: the statuses of its findings and of its page-1 lines that stand
    for no finding (the risk tier's), so that every badge on page 1 is counted in its
    article's row (the Art. 72 row counts the checklist items no other article measured);
    Art. 72(2)(v) only in a pricing audit or when it has findings. ``page_lines`` says how many
    of a row's counts are such lines rather than checks."""
    rows = []
    for article, label, anchor in ARTICLE_ROWS:
        statuses = [f.status for f in result.findings if f.article == article]
        if article == PRICES and result.pricing is None and not statuses:
            continue
        lines = [s.status for s in unbacked_statements(result, article)]
        rows.append(_row(label, anchor, statuses + lines, article, len(lines)))
    return rows


def article_totals(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The sums of the rows of :func:`article_rows`, for the table's last line: every check,
    and the page-1 lines that stand for none."""
    counts: Counter[Status] = Counter()
    for row in rows:
        counts.update(dict(row["counts"]))
    return {
        "counts": [(s, counts.get(s, 0)) for s in _ORDER],
        "total": sum(row["total"] for row in rows),
        "page_lines": sum(row["page_lines"] for row in rows),
    }


def governance_page(result: Results) -> dict[str, Any]:
    """Risk tier, one row per article with counts by status, the context, the checklist."""
    rows = article_rows(result)
    return {
        "risk": risk_part(result),
        "review_quote": PROVISIONS[ETHICS_REVIEW],
        "items_lead_in": ITEMS_LEAD_IN,
        "articles": rows,
        "article_totals": article_totals(rows),
        "checklist": checklist_part(result),
        "attestations": [a for item in result.checklist for a in item.attestations],
        "privacy_findings": [f for f in result.findings if f.article == PRIVACY],
        "risk_findings": [f for f in result.findings if f.article == RISK],
        "item_findings": [f for f in result.findings if f.article == ETHICS_REVIEW],
    }
