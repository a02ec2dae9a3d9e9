"""Art. 72(2)(v): no different prices, and no fraud, by the customer's habits, preferences or
ability to pay ("big-data price discrimination", charging loyal customers more).

Prices may differ for legitimate reasons (a longer trip costs more, and richer customers may
simply take longer trips); Art. 72(2)(v) forbids prices that differ *because of* the customer's
habits, preferences or ability to pay. The measures separate the two:

* :func:`price_gaps` (:mod:`.gaps`): prices by group of one profile feature (or an Art. 72(2)(iv)
  ground): the raw ratio of mean and of median prices to a reference group, with bootstrap
  intervals, and the gap that remains given the legitimate factors, by exact stratification and
  by regression adjustment side by side;
* :func:`same_order_different_customer` (:mod:`.counterfactual`): sampled orders re-priced with
  other customers' profiles, every legitimate factor held fixed;
* :func:`loyalty_gap` (:mod:`.loyalty`): whether existing customers pay more than new ones for
  the same legitimate factors.

Then the findings (:mod:`.findings`), the sentences (:mod:`.words`), the report's part
(:mod:`.page`) and the checks' declarations (:mod:`.checks`). Prices must be positive.
"""

from __future__ import annotations

from . import analysis, checks, counterfactual, findings, gaps, groups, loyalty, page, words
from .analysis import PricingAnalysis
from .counterfactual import CounterfactualPrices, same_order_different_customer
from .gaps import (
    CHANGE_EDGES,
    PROFILE_KINDS,
    PriceGaps,
    positive_prices,
    price_gaps,
    strata_bins,
)
from .loyalty import LoyaltyGap, loyalty_gap, loyalty_groups

__all__ = [
    "CHANGE_EDGES",
    "PROFILE_KINDS",
    "CounterfactualPrices",
    "LoyaltyGap",
    "PriceGaps",
    "PricingAnalysis",
    "analysis",
    "checks",
    "counterfactual",
    "findings",
    "gaps",
    "groups",
    "loyalty",
    "loyalty_gap",
    "loyalty_groups",
    "page",
    "positive_prices",
    "price_gaps",
    "same_order_different_customer",
    "strata_bins",
    "words",
]
