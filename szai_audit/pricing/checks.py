"""The Art. 72(2)(v) checks, declared once (see :mod:`szai_audit.core.checks`).

A price gap across a consumer-profile column evidences Art. 72(2)(v); the same check across an
Art. 72(2)(iv) ground (prices by sex, say) evidences 72(4).
"""

from __future__ import annotations

from ..core.articles import DISCRIMINATION, PRICES
from ..core.checks import Check, register
from ..core.messages import Message
from .words import subject_label

__all__ = [
    "ARTICLE",
    "ATTRIBUTION",
    "CONDITIONAL",
    "COUNTERFACTUAL",
    "IDS",
    "LOYALTY",
    "NO_PROFILE",
    "RAW",
    "TREND",
]

#: The article these checks evidence: no different prices by habits, preferences or ability to
#: pay.
ARTICLE = PRICES

_FINDINGS = "szai_audit.pricing.findings"

RAW = register(
    Check(
        "pricing.raw_gap",
        ARTICLE,
        Message("原始价差（未调整）", "Raw price gap (unadjusted)"),
        unit="percent",
        computed_by=f"{_FINDINGS}:gap_findings",
        minimum="orders",
        also=(DISCRIMINATION,),
        subject=subject_label,
    )
)
CONDITIONAL = register(
    Check(
        "pricing.conditional_gap",
        ARTICLE,
        Message("控制正当因素后的价差", "Price gap given the legitimate factors"),
        unit="percent",
        computed_by=f"{_FINDINGS}:gap_findings",
        minimum="covered",
        also=(DISCRIMINATION,),
        subject=subject_label,
    )
)
TREND = register(
    Check(
        "pricing.trend",
        ARTICLE,
        Message("沿数值的价格趋势", "Price trend along a numeric column"),
        unit="percent",
        computed_by=f"{_FINDINGS}:trend_finding",
        also=(DISCRIMINATION,),
        subject=subject_label,
        minimum="trend",
    )
)
COUNTERFACTUAL = register(
    Check(
        "pricing.counterfactual",
        ARTICLE,
        Message("同一订单换一位顾客（反事实）", "Same order, different customer (counterfactual)"),
        unit="percent",
        computed_by=f"{_FINDINGS}:counterfactual_findings",
        minimum="orders",
        subject=subject_label,
    )
)
LOYALTY = register(
    Check(
        "pricing.loyalty",
        ARTICLE,
        Message("老顾客价格（杀熟）", "Loyal customers charged more"),
        unit="percent",
        computed_by=f"{_FINDINGS}:loyalty_finding",
        minimum="covered",
        subject=subject_label,
        binned=False,
    )
)
ATTRIBUTION = register(
    Check(
        "pricing.profile_attribution",
        ARTICLE,
        Message("顾客画像对价格的影响占比", "Profile's share of the price model's influence"),
        unit="percent",
        computed_by=f"{_FINDINGS}:attribution_finding",
        minimum="none",
        subject=subject_label,
    )
)
NO_PROFILE = register(
    Check(
        "pricing.profile_not_provided",
        ARTICLE,
        Message("未提供顾客画像", "Consumer profile not provided"),
        unit="none",
        direction="none",
        computed_by=f"{_FINDINGS}:profile_not_provided",
        minimum="none",
        subject=subject_label,
    )
)

#: Every price check's id.
IDS: tuple[str, ...] = tuple(
    c.id for c in (RAW, CONDITIONAL, TREND, COUNTERFACTUAL, LOYALTY, ATTRIBUTION, NO_PROFILE)
)
