"""A seeded synthetic ride-hailing market with known price discrimination (ground truth)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..core.errors import InputError

__all__ = ["MARKET_LABELS", "MARKET_VALUE_LABELS", "PricingMarket", "make_pricing_market"]

_BASE = {"economy": 8.0, "comfort": 12.0, "business": 20.0}
_PER_KM = {"economy": 2.0, "comfort": 2.8, "business": 4.5}
_SURGE = {"off_peak": 1.0, "peak": 1.3, "night": 1.15}
LOYAL_MONTHS = 12


def fair_price(frame: pd.DataFrame) -> np.ndarray:
    """The cost-based fare: (base + per-km rate x distance) x time-of-day surge, by vehicle."""
    vehicle = frame["vehicle"].astype(str)
    base = vehicle.map(_BASE).to_numpy(dtype=float)
    per_km = vehicle.map(_PER_KM).to_numpy(dtype=float)
    surge = frame["time_band"].astype(str).map(_SURGE).to_numpy(dtype=float)
    if np.isnan(base).any() or np.isnan(surge).any():
        raise InputError(
            f"vehicle must be one of {list(_BASE)} and time_band one of {list(_SURGE)}."
        )
    return (base + per_km * frame["distance_km"].to_numpy(dtype=float)) * surge


@dataclass(frozen=True)
class PricingMarket:
    """Orders of a synthetic ride-hailing market, with its pricing rule and the truth.

    Attributes
    ----------
    data : DataFrame
        One order per row: the legitimate cost drivers (``distance_km``, ``vehicle``,
        ``time_band``), the customer's profile (habits ``trips_per_month``, ``tenure_months``;
        preferences ``payment``, ``preferred_vehicle``; ability to pay ``income_band``,
        ``device_tier``, ``neighbourhood``) and two Art. 72(2)(iv) grounds (``sex``, ``age``).
    price : Series
        The price charged (the market's pricing rule applied to ``data``).
    fair_price : Series
        The price from the legitimate cost drivers alone.
    consumer_profile : dict
        The profile columns by kind, as ``Audit(consumer_profile=...)`` takes them.
    legitimate_factors : list of str
    loyalty : str
        The column saying how long the customer has been one (0 = new).
    sensitive : dict
        Art. 72(2)(iv) grounds and their columns.
    truth : dict
        ``ability_markup`` (share added for ``device_tier == "premium"``), ``loyalty_markup``
        (share added for ``tenure_months >= 12``).
    """

    data: pd.DataFrame
    price: pd.Series
    fair_price: pd.Series
    consumer_profile: dict[str, list[str]]
    legitimate_factors: list[str]
    loyalty: str
    sensitive: dict[str, str]
    truth: dict[str, float] = field(default_factory=dict)

    def pricing_rule(self, frame: pd.DataFrame) -> np.ndarray:
        """The market's price for any orders ``frame`` (the true pricing model): the fair
        price, raised by the ability-to-pay and loyalty markups, rounded to cents."""
        return _priced(frame, self.truth["ability_markup"], self.truth["loyalty_markup"])


def _priced(frame: pd.DataFrame, ability_markup: float, loyalty_markup: float) -> np.ndarray:
    price = fair_price(frame)
    premium = frame["device_tier"].astype(str).to_numpy() == "premium"
    loyal = frame["tenure_months"].to_numpy(dtype=float) >= LOYAL_MONTHS
    price = price * (1 + ability_markup * premium) * (1 + loyalty_markup * loyal)
    return np.round(price, 2)


def _choice(rng: np.random.Generator, options: list[str], probs: np.ndarray) -> np.ndarray:
    """One draw per row from ``options`` with row-wise probabilities ``probs`` (n x k)."""
    cum = np.cumsum(probs, axis=1)
    u = rng.random(len(probs))[:, None]
    return np.asarray(options, dtype=object)[(u > cum).sum(axis=1)]


def make_pricing_market(
    n: int = 20_000,
    *,
    ability_markup: float = 0.0,
    loyalty_markup: float = 0.0,
    confounded: bool = True,
    random_state: int | None = 0,
) -> PricingMarket:
    """A seeded synthetic ride-hailing market where the truth about its prices is known.

    Richer customers take longer trips in better cars and at busier times, so prices differ by
    ability to pay even when the pricing rule only uses cost drivers: a raw gap that the
    legitimate factors explain. ``ability_markup`` adds that share to the price of customers
    with a premium phone; ``loyalty_markup`` to that of customers of 12 months or more.

    Ground truth: the fair price is ``(base + per_km x distance_km) x surge`` with base
    8 / 12 / 20, per km 2.0 / 2.8 / 4.5 for economy / comfort / business, and surge 1.0 / 1.3 /
    1.15 off-peak / peak / night. Income band drives the device tier, the neighbourhood, the
    payment method, the vehicle and (by +30% for high income) the distance; tenure drives the
    trip frequency; sex and age are independent of everything. With ``confounded=False`` the
    profile is independent of every legitimate factor (no raw gap either).

    Parameters
    ----------
    n : int, default 20000
        Orders.
    ability_markup, loyalty_markup : float, default 0
        Markups in [0, 1) (0.08 = 8%).
    confounded : bool, default True
        Whether income drives the vehicle, the distance and the preferred vehicle.
    random_state : int or None, default 0

    Returns
    -------
    PricingMarket

    Examples
    --------
    >>> m = make_pricing_market(1000, ability_markup=0.08, random_state=0)
    >>> m.data.shape
    (1000, 12)
    >>> premium = m.data["device_tier"] == "premium"
    >>> bool(np.allclose(m.price[premium], m.fair_price[premium] * 1.08, atol=0.01))
    True
    """
    _check_market_args(n, ability_markup, loyalty_markup)
    rng = np.random.default_rng(random_state)
    data = _draw_orders(rng, n, confounded)
    return PricingMarket(
        data=data,
        price=pd.Series(
            _priced(data, ability_markup, loyalty_markup), index=data.index, name="price"
        ),
        fair_price=pd.Series(np.round(fair_price(data), 2), index=data.index, name="fair_price"),
        consumer_profile={
            "habits": ["trips_per_month", "tenure_months"],
            "preferences": ["payment", "preferred_vehicle"],
            "ability_to_pay": ["income_band", "device_tier", "neighbourhood"],
        },
        legitimate_factors=["distance_km", "vehicle", "time_band"],
        loyalty="tenure_months",
        sensitive={"gender": "sex", "age": "age"},
        truth={"ability_markup": float(ability_markup), "loyalty_markup": float(loyalty_markup)},
    )


def _check_market_args(n: int, ability_markup: float, loyalty_markup: float) -> None:
    """Refuse a market size or markups :func:`make_pricing_market` cannot use."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 10:
        raise InputError(f"n must be an integer of at least 10, got {n!r}.")
    for name, v in (("ability_markup", ability_markup), ("loyalty_markup", loyalty_markup)):
        if not isinstance(v, (int, float)) or not 0 <= v < 1:
            raise InputError(f"{name} must be a number in [0, 1), got {v!r}.")


def _draw_orders(rng: np.random.Generator, n: int, confounded: bool) -> pd.DataFrame:
    """The orders of the market: cost drivers, customer profile and grounds, drawn from ``rng``."""
    income = rng.choice(["low", "middle", "high"], n, p=[0.35, 0.45, 0.20])
    hi, mid = income == "high", income == "middle"

    def by_income(low: list[float], middle: list[float], high: list[float]) -> np.ndarray:
        return np.where(hi[:, None], high, np.where(mid[:, None], middle, low))

    device = _choice(
        rng,
        ["budget", "mid", "premium"],
        by_income([0.6, 0.3, 0.1], [0.3, 0.45, 0.25], [0.1, 0.3, 0.6]),
    )
    neighbourhood = _choice(
        rng, ["outer", "inner", "cbd"], by_income([0.6, 0.3, 0.1], [0.4, 0.4, 0.2], [0.2, 0.4, 0.4])
    )
    payment = _choice(
        rng,
        ["cash", "card", "wallet"],
        by_income([0.3, 0.3, 0.4], [0.15, 0.4, 0.45], [0.05, 0.5, 0.45]),
    )
    vehicle_p = (
        by_income([0.8, 0.17, 0.03], [0.6, 0.3, 0.1], [0.35, 0.35, 0.3])
        if confounded
        else np.tile([0.6, 0.3, 0.1], (n, 1))
    )
    vehicle = _choice(rng, ["economy", "comfort", "business"], vehicle_p)
    preferred = np.where((rng.random(n) < 0.7) & confounded, vehicle, rng.choice(list(_BASE), n))
    time_band = rng.choice(list(_SURGE), n, p=[0.55, 0.3, 0.15])
    longer = np.where(hi & confounded, 1.3, 1.0)
    distance = np.round(rng.gamma(2.0, 3.5, n) * longer + 0.5, 1)
    new = rng.random(n) < 0.25
    tenure = np.where(new, 0, np.minimum(np.ceil(rng.exponential(24, n)), 120)).astype(int)
    trips = rng.poisson(np.where(new, 2.0, 5.0) + 2.0 * hi)
    data = pd.DataFrame(
        {
            "distance_km": distance,
            "vehicle": vehicle.astype(str),
            "time_band": time_band.astype(str),
            "trips_per_month": trips,
            "tenure_months": tenure,
            "payment": payment.astype(str),
            "preferred_vehicle": preferred.astype(str),
            "income_band": income.astype(str),
            "device_tier": device.astype(str),
            "neighbourhood": neighbourhood.astype(str),
            "sex": rng.choice(["female", "male"], n),
            "age": rng.integers(18, 76, n),
        }
    )
    return data


#: Display names of the ride-hailing market's columns.
MARKET_LABELS = {
    "distance_km": ("行程距离", "trip distance", "公里/km"),
    "vehicle": ("车型", "vehicle class"),
    "time_band": ("时段", "time of day"),
    "trips_per_month": ("月均打车次数", "trips per month", "次/trips"),
    "tenure_months": ("注册时长", "time as a customer", "月/months"),
    "payment": ("支付方式", "payment method"),
    "preferred_vehicle": ("常用车型", "usual vehicle class"),
    "income_band": ("收入档次", "income band"),
    "device_tier": ("手机档次", "phone price tier"),
    "neighbourhood": ("居住片区", "home neighbourhood"),
    "sex": ("性别", "sex"),
    "age": ("年龄", "age", "岁/years"),
}


_VEHICLES = {
    "economy": ("经济型", "economy"),
    "comfort": ("舒适型", "comfort"),
    "business": ("商务型", "business"),
}

#: Display names of the ride-hailing market's category values (``value_labels``).
MARKET_VALUE_LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "payment": {
        "card": ("银行卡", "card"),
        "cash": ("现金", "cash"),
        "wallet": (
            "电子钱包",
            "e-wallet",
        ),
    },
    "preferred_vehicle": _VEHICLES,
    "vehicle": _VEHICLES,
    "income_band": {
        "low": ("低收入", "low income"),
        "middle": ("中等收入", "middle income"),
        "high": ("高收入", "high income"),
    },
    "device_tier": {
        "budget": ("低价位手机", "budget phone"),
        "mid": ("中价位手机", "mid-range phone"),
        "premium": ("高价位手机", "premium phone"),
    },
    "neighbourhood": {
        "cbd": ("中心商务区", "central business district"),
        "inner": ("内城区", "inner city"),
        "outer": ("外围城区", "outer districts"),
    },
    "time_band": {
        "peak": ("高峰时段", "peak hours"),
        "off_peak": ("平峰时段", "off-peak hours"),
        "night": ("夜间", "night"),
    },
    "sex": {"female": ("女性", "female"), "male": ("男性", "male")},
}
