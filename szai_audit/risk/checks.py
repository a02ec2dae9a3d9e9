"""The checks of Articles 66 (risk tier) and 72 (the ethics-review checklist), declared once
(see :mod:`szai_audit.core.checks`)."""

from __future__ import annotations

from ..core.articles import ETHICS_REVIEW, RISK
from ..core.checks import Check, register
from ..core.messages import Message

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
        Message("风险等级", "Risk tier"),
        unit="none",
        direction="none",
        computed_by="szai_audit.risk.tiers:assess",
        minimum="none",
    )
)

_ITEM_TITLES = {
    1: Message("国家安全与公共利益（人工审查）", "National security, public interest (review)"),
    2: Message("隐私与个人信息（人工审查）", "Privacy, personal information (review)"),
    3: Message("身心健康（人工审查）", "Physical and mental health (review)"),
    4: Message("歧视（人工审查）", "Discrimination (review)"),
    5: Message("价格歧视与消费欺诈（人工审查）", "Price discrimination, fraud (review)"),
    6: Message("深度合成（人工审查）", "Deep synthesis (review)"),
    7: Message("其他法律法规（人工审查）", "Other laws and norms (review)"),
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
