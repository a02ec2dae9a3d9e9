"""Art. 72(2)(v), loyal customers: do existing customers pay more than new ones ("杀熟")?

Compared for the same legitimate factors and, with the model, against the price each loyal
customer would be quoted as a new one.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..core.conditional import PreparedFactors, conditional_gaps
from ..core.data import plain
from ..core.errors import InputError, LengthMismatchError
from ..core.findings import finite_or_none
from ..core.stats import z_value
from .gaps import as_prepared_factors, percent_gaps, positive_prices

__all__ = ["LoyaltyGap", "draw_loyal", "loyalty_gap", "loyalty_groups"]


@dataclass(frozen=True)
class LoyaltyGap:
    """Whether existing customers pay more than new ones for the same legitimate factors.

    Attributes
    ----------
    column : str
    new_rule, loyal_rule : str
        Which rows count as new and as loyal customers (``"tenure_months == 0"``,
        ``"tenure_months >= 24"``).
    new_value : object
        The value that makes a customer new (used by the counterfactual).
    n_new, n_loyal : int
    raw : float
        Mean price ratio loyal / new, minus 1.
    stratified, stratified_low, stratified_high, stratified_p, coverage : float
        The gap given the legitimate factors, by stratification (0.05 = loyal pay 5% more).
    regression, regression_low, regression_high, regression_p : float
        The same by regression adjustment.
    counterfactual, counterfactual_low, counterfactual_high : float
        With the model: how much more the sampled loyal customers' orders cost than the same
        orders would as a new customer's (NaN without the model).
    counterfactual_orders : int
    mean_loyal : float
        Mean price of the loyal customers' orders (for the gap in currency).
    stratified_se, regression_se : float
        Standard errors of the two gaps on the log scale.
    covered, reference_covered : int
        Loyal and new customers' orders in strata the two share.
    """

    column: str
    new_rule: str
    loyal_rule: str
    new_value: Any
    n_new: int
    n_loyal: int
    raw: float
    stratified: float
    stratified_low: float
    stratified_high: float
    stratified_p: float
    coverage: float
    regression: float
    regression_low: float
    regression_high: float
    regression_p: float
    counterfactual: float = math.nan
    counterfactual_low: float = math.nan
    counterfactual_high: float = math.nan
    counterfactual_orders: int = 0
    mean_loyal: float = math.nan
    stratified_se: float = math.nan
    regression_se: float = math.nan
    covered: int = 0
    reference_covered: int = 0

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for k, v in self.__dict__.items():
            out[k] = finite_or_none(v) if isinstance(v, (float, np.floating)) else v
        out["new_value"] = plain(self.new_value)
        return out


def loyalty_groups(values: pd.Series, min_group_size: int = 30) -> tuple[np.ndarray, str, str, Any]:
    """Label each row "new", "loyal" or None from a tenure column.

    Numbers (months, years, past orders): new customers are the rows at the smallest value
    when at least ``min_group_size`` rows have it, otherwise the lowest quarter; loyal ones
    are the highest quarter. Booleans: False is new, True is loyal.
    """
    name = str(values.name)
    if pd.api.types.is_bool_dtype(values.dtype):
        present = values.notna().to_numpy()
        truth = values.fillna(False).to_numpy(dtype=bool)
        labels = np.full(len(values), None, dtype=object)
        labels[present & truth] = "loyal"
        labels[present & ~truth] = "new"
        return labels, f"{name} is False", f"{name} is True", False
    if not pd.api.types.is_numeric_dtype(values.dtype):
        raise InputError(
            f"loyalty column {name!r} must be numeric (tenure in months or years, past orders) "
            f"or boolean (True = existing customer), got dtype {values.dtype}."
        )
    x = values.to_numpy(dtype=float, na_value=np.nan)
    present = x[~np.isnan(x)]
    if present.size == 0:
        raise InputError(f"loyalty column {name!r} has no values.")
    low = float(present.min())
    high_cut = float(np.quantile(present, 0.75))
    at_min = x == low
    integer = bool(np.all(present == np.floor(present)))

    def show(v: float) -> str:
        return str(int(v)) if integer else f"{v:.4g}"

    if at_min.sum() >= min_group_size and at_min.mean() <= 0.5:
        new, new_rule, new_value = at_min, f"{name} == {show(low)}", low
    else:
        cut = float(np.quantile(present, 0.25))
        new, new_rule, new_value = x <= cut, f"{name} <= {show(cut)}", low
    loyal = (x >= high_cut) & ~new
    if high_cut <= low or not loyal.any():
        raise InputError(
            f"loyalty column {name!r} does not separate new from loyal customers (its upper "
            f"quarter starts at its smallest value {show(low)})."
        )
    labels = np.full(len(x), None, dtype=object)
    labels[new], labels[loyal] = "new", "loyal"
    if pd.api.types.is_integer_dtype(values.dtype):
        new_value = int(new_value)
    return labels, new_rule, f"{name} >= {show(high_cut)}", new_value


def loyalty_gap(
    price: Any,
    tenure: pd.Series,
    factors: pd.DataFrame | PreparedFactors | None,
    *,
    predict: Callable[[pd.DataFrame], Any] | None = None,
    data: pd.DataFrame | None = None,
    min_group_size: int = 30,
    level: float = 0.95,
    n_orders: int = 2000,
    n_bins: int | None = None,
    random_state: int | None = 0,
    rows: Callable[[np.ndarray], pd.DataFrame] | None = None,
) -> LoyaltyGap:
    """Loyal against new customers: the price gap given the legitimate factors, and with the
    model, what the loyal customers' orders would cost if they were new customers.

    Parameters
    ----------
    price : array-like of float
        Positive prices, one per order.
    tenure : Series
        How long each customer has been one (months, years, past orders) or a boolean
        (True = existing customer); :func:`loyalty_groups` says who is new and who is loyal.
    factors : DataFrame or PreparedFactors or None
        The legitimate factors, same rows (None: no conditional gap).
    predict : callable, optional
        Frame of orders -> prices. With ``data``, up to ``n_orders`` loyal customers' orders
        are re-priced with the tenure of a new customer (the smallest tenure).
    data : DataFrame, optional
        The model's inputs, same rows (not modified).
    min_group_size : int, default 30
    level : float, default 0.95
    n_orders : int, default 2000
    n_bins : int, optional
        Quantile bins per numeric factor; by default :func:`strata_bins`.
    random_state : int or None, default 0
    rows : callable, optional
        The model's inputs of the orders at these (sorted) positions; ``data.iloc[positions]``
        by default. With it, ``data`` need only hold the tenure column (data seen in parts: the
        orders drawn, :func:`draw_loyal`, are read in a second pass).

    Returns
    -------
    LoyaltyGap

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> d = pd.DataFrame({"km": rng.gamma(2, 4, 4000), "months": rng.choice([0, 3, 12, 36], 4000)})
    >>> fare = lambda f: (5 + 2 * f["km"]) * np.where(f["months"] >= 12, 1.05, 1.0)
    >>> gap = loyalty_gap(fare(d), d["months"], d[["km"]], predict=fare, data=d, n_bins=20)
    >>> gap.new_rule, gap.loyal_rule, round(gap.counterfactual, 3)
    ('months == 0', 'months >= 12', 0.05)
    """
    y = positive_prices("price", price)
    labels, new_rule, loyal_rule, new_value = loyalty_groups(tenure, min_group_size)
    is_new, is_loyal = labels == "new", labels == "loyal"
    raw = float(y[is_loyal].mean() / y[is_new].mean() - 1)
    z = z_value(level)
    fields = _conditional_fields(
        _conditional_loyalty(y, labels, as_prepared_factors(factors, n_bins), z)
    )
    cf: dict[str, Any] = {}  # mixed floats and a count
    if predict is not None and data is not None:
        take = draw_loyal(is_loyal, n_orders, random_state)
        orders = (data.iloc[take] if rows is None else rows(take)).reset_index(drop=True)
        cf = _counterfactual_loyalty(predict, orders, data, tenure, new_value, z)
    return LoyaltyGap(
        column=str(tenure.name),
        new_rule=new_rule,
        loyal_rule=loyal_rule,
        new_value=new_value,
        n_new=int(is_new.sum()),
        n_loyal=int(is_loyal.sum()),
        raw=raw,
        mean_loyal=float(y[is_loyal].mean()),
        **fields,
        **cf,
    )


def _conditional_fields(cond: dict[str, float]) -> dict[str, Any]:
    """The :class:`LoyaltyGap` fields of the conditional gaps (NaN, or 0 rows, when absent)."""
    fields: dict[str, Any] = {
        f"{k}{s}": cond.get(f"{k}{s}", math.nan)
        for k in ("stratified", "regression")
        for s in ("", "_low", "_high", "_p", "_se")
    }
    fields["coverage"] = cond.get("coverage", math.nan)
    fields["covered"] = int(cond.get("covered", 0))
    fields["reference_covered"] = int(cond.get("reference_covered", 0))
    return fields


def _conditional_loyalty(
    y: np.ndarray, labels: np.ndarray, prepared: PreparedFactors | None, z: float
) -> dict[str, float]:
    """The loyal customers' gap given the factors, by stratification and by regression."""
    cond: dict[str, float] = {}
    if prepared is not None:
        if len(prepared) != len(y):
            raise LengthMismatchError(f"factors has {len(prepared)} rows for {len(y)} prices.")
        gaps = conditional_gaps(y, labels, prepared, "new", log=True)
        row = gaps.table.loc["loyal"]
        cond.update(percent_gaps(row, z))
        cond["coverage"] = float(row["coverage"])
        cond["covered"] = float(row["covered"])
        cond["reference_covered"] = float(row["reference_covered"])
    return cond


def draw_loyal(is_loyal: np.ndarray, n_orders: int, random_state: int | None) -> np.ndarray:
    """The loyal customers' orders re-priced as a new customer's: at most ``n_orders`` sorted
    positions among those ``is_loyal`` marks, drawn from ``random_state``.

    >>> draw_loyal(np.array([True, False, True, True]), 2, 0).tolist()
    [2, 3]
    """
    rng = np.random.default_rng(random_state)
    loyal_rows = np.flatnonzero(is_loyal)
    return np.sort(rng.choice(loyal_rows, min(n_orders, len(loyal_rows)), replace=False))


def _counterfactual_loyalty(
    predict: Callable[[pd.DataFrame], Any],
    orders: pd.DataFrame,
    data: pd.DataFrame,
    tenure: pd.Series,
    new_value: Any,
    z: float,
) -> dict[str, Any]:
    """How much more the sampled loyal customers' ``orders`` cost than as a new customer's."""
    as_new = orders.copy()
    as_new[str(tenure.name)] = pd.Series(
        [new_value] * len(orders), dtype=data[str(tenure.name)].dtype
    ).array
    now = positive_prices("the model's prices", predict(orders))
    then = positive_prices("the model's prices", predict(as_new))
    rel = now / then - 1
    se = float(rel.std(ddof=1) / math.sqrt(len(rel))) if len(rel) > 1 else 0.0
    mean = float(rel.mean())
    return {
        "counterfactual": mean,
        "counterfactual_low": mean - z * se,
        "counterfactual_high": mean + z * se,
        "counterfactual_orders": len(rel),
    }
