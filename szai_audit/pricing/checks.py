"""The Art. 72(2)(v) checks, declared once (see :mod:`szai_audit.core.checks`).

A price gap across a consumer-profile column evidences Art. 72(2)(v); the same check across an
Art. 72(2)(iv) ground (prices by sex, say) evidences 72(4).
"""

from __future__ import annotations

from ..core.articles import DISCRIMINATION, PRICES
from ..core.catalog import say
from ..core.checks import Check, register
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
        say("pricing.raw.raw_price_gap_unadjusted"),
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
        say("pricing.conditional.price_gap_given_legitimate"),
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
        say("pricing.trend.price_trend_along_numeric"),
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
        say("pricing.counterfactual.same_order_different_customer"),
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
        say("pricing.loyalty.loyal_customers_charged_more"),
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
        say("pricing.attribution.profile_s_share_price"),
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
        say("pricing.no_profile.consumer_profile_not_provided"),
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
