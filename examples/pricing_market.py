"""Audit a fare model for price discrimination (Art. 72(2)(v)) on the synthetic ride-hailing
market, whose truth is known: premium-phone owners are charged 8% more and customers of a year or
more 5% more, on top of fares set by distance, vehicle class and time of day.

Run: python examples/pricing_market.py [output_dir]
"""

from __future__ import annotations

import sys
from pathlib import Path

import szai_audit as sa
from szai_audit.datasets import make_pricing_market

market = make_pricing_market(20_000, ability_markup=0.08, loyalty_markup=0.05, random_state=0)
result = sa.Audit(
    model=sa.CallableModel(market.pricing_rule),  # the market's own pricing function
    data=market.data,
    task="pricing",
    consumer_profile=market.consumer_profile,
    legitimate_factors=market.legitimate_factors,
    loyalty=market.loyalty,
    sensitive=market.sensitive,
    context=sa.UseContext("pricing_commerce", automation="fully_automated", scale=2_000_000),
    explain=False,
).run(random_state=0)

print(result)
device = result.pricing.gaps["device_tier"].table.loc["premium"]
print(
    f"premium phone, given the cost drivers: stratified {device['stratified']:+.1%}, "
    f"regression {device['regression']:+.1%} (truth +8.0%)"
)
print(
    f"loyal customers re-priced as new: {result.pricing.loyalty.counterfactual:+.1%} (truth +5.0%)"
)
out = Path(sys.argv[1] if len(sys.argv) > 1 else "out")
out.mkdir(parents=True, exist_ok=True)
result.to_html(out / "pricing_market.html")
print("wrote", out / "pricing_market.html")
