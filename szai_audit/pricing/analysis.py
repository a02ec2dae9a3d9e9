"""Everything a pricing audit measured, in one object (``AuditResult.pricing``)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from .counterfactual import CounterfactualPrices
from .gaps import PriceGaps
from .loyalty import LoyaltyGap

__all__ = ["PricingAnalysis"]


@dataclass(frozen=True)
class PricingAnalysis:
    """Everything the pricing audit measured (``AuditResult.pricing``).

    Attributes
    ----------
    profile : dict
        Kind -> profile columns.
    legitimate_factors : list of str
    gaps : dict
        Profile column or ground -> :class:`PriceGaps`.
    counterfactual : CounterfactualPrices or None
        Without the model: None.
    loyalty : LoyaltyGap or None
        Without a ``loyalty`` column: None.
    currency : str
    binning : dict
        Binned numeric profile column -> its bin labels.
    mean_price : float
        NaN when withheld so that no group of fewer than ``policy.k_anonymity`` orders can
        be worked out from it and the groups' mean prices (None in the JSON).
    n_orders : int
    labels : dict
        Display names (and units) of profile columns, ``{column: [zh, en(, unit)]}`` (from
        ``feature_labels``).
    """

    profile: dict[str, list[str]]
    legitimate_factors: list[str]
    gaps: dict[str, PriceGaps]
    counterfactual: CounterfactualPrices | None
    loyalty: LoyaltyGap | None
    currency: str
    binning: dict[str, list[str]]
    mean_price: float
    n_orders: int
    labels: dict[str, list[str]] = field(default_factory=dict)

    def to_dict(self, min_group_size: int = 0) -> dict[str, Any]:
        return {
            "currency": self.currency,
            "orders": self.n_orders,
            "mean_price": self.mean_price if math.isfinite(self.mean_price) else None,
            "consumer_profile": {k: list(v) for k, v in self.profile.items()},
            "legitimate_factors": list(self.legitimate_factors),
            "binning": {k: list(v) for k, v in self.binning.items()},
            "gaps": {k: g.to_dict(min_group_size) for k, g in self.gaps.items()},
            "counterfactual": None
            if self.counterfactual is None
            else self.counterfactual.to_dict(),
            "loyalty": None if self.loyalty is None else self.loyalty.to_dict(),
        }
