"""Datasets shipped with szai_audit (no download at run time).

* :func:`load_german_credit`: the UCI Statlog German Credit data (Hofmann, 1994), decoded.
* :func:`load_insurance`: medical insurance costs of 1,338 people (Lantz), public domain.
* :func:`make_pricing_market`: a seeded synthetic ride-hailing market with known price
  discrimination (Art. 72(2)(v)).
"""

from __future__ import annotations

from ._german_credit import load_german_credit
from ._insurance import load_insurance
from ._pricing_market import PricingMarket, make_pricing_market

__all__ = ["PricingMarket", "load_german_credit", "load_insurance", "make_pricing_market"]
