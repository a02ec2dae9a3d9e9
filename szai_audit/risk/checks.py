"""The checks of Articles 66 (risk tier) and 72 (the ethics-review checklist), declared once
(see :mod:`szai_audit.core.checks`)."""

from __future__ import annotations

from ..core.articles import ETHICS_REVIEW, RISK
from ..core.catalog import say
from ..core.checks import Check, register

__all__ = ["ARTICLE", "CHECKLIST_ARTICLE", "ITEMS", "TIER"]

#: The article of the risk tier: supervision graded by risk level, scenario and scope.
ARTICLE = RISK
#: The article of the checklist: ethics and safety review; items (1) to (7) of what is
#: forbidden.
CHECKLIST_ARTICLE = ETHICS_REVIEW

TIER = register(
    Check(
        "risk.tier",
        ARTICLE,
        say("risk.tier.risk_tier"),
        unit="none",
        direction="none",
        computed_by="szai_audit.risk.tiers:assess",
        minimum="none",
    )
)

_ITEM_TITLES = {
    1: say("risk.item_titles.1"),
    2: say("risk.item_titles.2"),
    3: say("risk.item_titles.3"),
    4: say("risk.item_titles.4"),
    5: say("risk.item_titles.5"),
    6: say("risk.item_titles.6"),
    7: say("risk.item_titles.7"),
}

#: The checklist's items, by number: the finding of an item no check of the audit measured.
ITEMS: dict[int, Check] = {
    item: register(
        Check(
            f"ethics.item_{item}",
            CHECKLIST_ARTICLE,
            title,
            unit="none",
            direction="none",
            computed_by="szai_audit.risk.review:item_findings",
            minimum="none",
        )
    )
    for item, title in _ITEM_TITLES.items()
}
