"""Datasets shipped with szai_audit (no download at run time).

* :func:`load_german_credit`: the UCI Statlog German Credit data (Hofmann, 1994), decoded;
  the display names of its columns (:data:`GERMAN_LABELS`) and of their values
  (:data:`GERMAN_VALUE_LABELS`), for ``Audit(feature_labels=..., value_labels=...)``.
* :func:`load_insurance`: medical insurance costs of 1,338 people (Lantz), public domain.
* :func:`make_pricing_market`: a seeded synthetic ride-hailing market with known price
  discrimination (Art. 72(2)(v)); the display names of its columns (:data:`MARKET_LABELS`)
  and values (:data:`MARKET_VALUE_LABELS`).
"""

from __future__ import annotations

from ._german_credit import GERMAN_LABELS, GERMAN_VALUE_LABELS, load_german_credit
from ._insurance import load_insurance
from ._pricing_market import (
    MARKET_LABELS,
    MARKET_VALUE_LABELS,
    PricingMarket,
    make_pricing_market,
)

__all__ = [
    "GERMAN_LABELS",
    "GERMAN_VALUE_LABELS",
    "MARKET_LABELS",
    "MARKET_VALUE_LABELS",
    "PricingMarket",
    "load_german_credit",
    "load_insurance",
    "make_pricing_market",
]
