"""Art. 72(2)(v), same order, different customer: the counterfactual test of a price model.

Sampled orders are given the profile of other customers, every legitimate factor held fixed,
and re-priced by the model in vectorised batches; the distribution of the price changes is the
direct evidence that the profile, not the order, moves the price.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..core.errors import InputError
from ..core.findings import finite_or_none
from ..core.stats import z_value
from .gaps import CHANGE_EDGES, positive_prices

__all__ = ["CounterfactualPrices", "draw_orders", "same_order_different_customer"]


@dataclass(frozen=True)
class CounterfactualPrices:
    """Price changes when orders are given the profile of other customers.

    Attributes
    ----------
    summary : DataFrame
        One row per swap (``"all"``: every profile column at once, then each kind alone):
        ``orders``, ``donors`` (per order), ``mean_change`` (mean relative change, 0.01 =
        +1%), ``mean_abs_change``, ``p95_abs_change``, ``max_abs_change``,
        ``mean_change_amount`` (in currency), ``share_changed`` (share of order-donor pairs
        whose price moves by more than ``tolerance``) and ``share_changed_se`` (its standard
        error, orders as clusters).
    effects : DataFrame
        One row per (swap, column, donor group): ``n`` pairs, ``effect`` (how much more an
        order costs with a donor of that group than with a donor of the column's reference
        group, as a fraction), ``low``, ``high``.
    histogram : dict
        Swap -> counts of relative changes in :data:`CHANGE_EDGES` bins (changes beyond +-30%
        counted in the end bins).
    tolerance : float
    columns : dict
        Swap -> the columns swapped.
    """

    summary: pd.DataFrame
    effects: pd.DataFrame
    histogram: dict[str, list[int]]
    tolerance: float
    columns: dict[str, list[str]]
    references: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "tolerance": self.tolerance,
            "swaps": [
                {"swap": str(k), "columns": self.columns.get(str(k), [])}
                | {c: finite_or_none(v) for c, v in row.items()}
                for k, row in self.summary.iterrows()
            ],
            "effects": [
                {
                    k: (finite_or_none(v) if isinstance(v, (float, np.floating)) else v)
                    for k, v in r.items()
                }
                for r in self.effects.to_dict(orient="records")
            ],
            "histogram": {"edges": CHANGE_EDGES.tolist(), "counts": self.histogram},
            "references": dict(self.references),
        }


def _predict_batched(
    predict: Callable[[pd.DataFrame], Any], frame: pd.DataFrame, batch_rows: int, what: str
) -> np.ndarray:
    parts = []
    for start in range(0, len(frame), batch_rows):
        chunk = frame.iloc[start : start + batch_rows]
        parts.append(positive_prices(what, predict(chunk)))
    return np.concatenate(parts) if parts else np.empty(0)


def same_order_different_customer(
    predict: Callable[[pd.DataFrame], Any],
    data: pd.DataFrame,
    profile: Mapping[str, Sequence[str]],
    *,
    labels: Mapping[str, Any] | None = None,
    references: Mapping[str, str] | None = None,
    n_orders: int = 2000,
    n_donors: int = 10,
    tolerance: float = 0.02,
    level: float = 0.95,
    random_state: int | None = 0,
    batch_rows: int = 250_000,
    rows: Callable[[np.ndarray], pd.DataFrame] | None = None,
) -> CounterfactualPrices:
    """Give sampled orders the profile of other customers and re-price them.

    For ``n_orders`` orders drawn at random, ``n_donors`` other customers are drawn at random;
    each order is copied once per donor with the profile columns replaced by the donor's
    (all of them, then one kind at a time) and every other column, the legitimate factors
    included, left as it is. The copies are priced by ``predict`` in batches of
    ``batch_rows`` rows (one call per batch, never a loop over rows). ``data`` is not modified.

    Parameters
    ----------
    predict : callable
        Frame of orders -> positive prices.
    data : DataFrame
        The model's inputs.
    profile : mapping
        Kind -> profile columns of ``data``.
    labels : mapping, optional
        Column -> group label of every row (binned labels for numbers), for the effects by
        donor group; ``references`` gives each column's reference group.
    n_orders, n_donors : int
    tolerance : float, default 0.02
        A price "changes" when it moves by more than this share.
    level : float
    random_state : int or None
    batch_rows : int
    rows : callable, optional
        The model's inputs of the orders at these (sorted) positions; ``data.iloc[positions]``
        by default. With it, ``data`` need only hold the profile columns of every order (data
        seen in parts: the orders drawn, :func:`draw_orders`, are read in a second pass).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> orders = pd.DataFrame({"km": rng.gamma(2, 4, 500), "phone": rng.choice(["a", "b"], 500)})
    >>> fare = lambda d: (5 + 2 * d["km"]) * np.where(d["phone"] == "b", 1.1, 1.0)
    >>> cf = same_order_different_customer(fare, orders, {"ability_to_pay": ["phone"]},
    ...                                    n_orders=200, n_donors=5)
    >>> s = cf.summary.loc["ability_to_pay"]
    >>> bool(0.3 < s["share_changed"] < 0.7), round(float(s["max_abs_change"]), 3)
    (True, 0.1)
    """
    cols_all = _profile_columns(data, profile, n_orders, n_donors)
    orders, donors = draw_orders(len(data), n_orders, n_donors, random_state)
    m = len(orders)
    base = (data.iloc[orders] if rows is None else rows(orders)).reset_index(drop=True)
    before = _predict_batched(predict, base, batch_rows, "the model's prices")
    repeated = base.iloc[np.repeat(np.arange(m), n_donors)].reset_index(drop=True)
    before_rep = np.repeat(before, n_donors)
    swaps: dict[str, list[str]] = {"all": cols_all}
    swaps.update({str(k): [str(c) for c in v] for k, v in profile.items() if len(v)})
    z = z_value(level)
    summary, effects, hist = {}, [], {}
    for swap, cols in swaps.items():
        frame = _with_donors(repeated, data, cols, donors)
        after = _predict_batched(predict, frame, batch_rows, "the model's prices")
        rel = after / before_rep - 1
        summary[swap] = _change_summary(rel, after, before_rep, m, n_donors, tolerance)
        hist[swap] = _change_histogram(rel)
        if swap == "all" or labels is None:
            continue
        log_rel = np.log(after / before_rep)
        for c in cols:
            if c in labels:
                effects.extend(_donor_effects(swap, c, labels[c], references, donors, log_rel, z))
    return _counterfactual_prices(summary, effects, hist, tolerance, swaps, references)


def draw_orders(
    n: int, n_orders: int, n_donors: int, random_state: int | None
) -> tuple[np.ndarray, np.ndarray]:
    """The orders re-priced (sorted positions, at most ``n_orders`` of the ``n``) and each
    one's ``n_donors`` donors (positions, with replacement), drawn from ``random_state``.

    >>> orders, donors = draw_orders(100, 5, 3, 0)
    >>> len(orders), donors.shape, bool((orders[1:] > orders[:-1]).all())
    (5, (5, 3), True)
    """
    rng = np.random.default_rng(random_state)
    m = min(n_orders, n)
    orders = np.sort(rng.choice(n, m, replace=False))
    return orders, rng.integers(0, n, size=(m, n_donors))


def _profile_columns(
    data: pd.DataFrame, profile: Mapping[str, Sequence[str]], n_orders: int, n_donors: int
) -> list[str]:
    """Every profile column, once the columns and the sample sizes are checked."""
    cols_all = [str(c) for cols in profile.values() for c in cols]
    missing = [c for c in cols_all if c not in data.columns]
    if missing:
        raise InputError(f"profile columns {missing} are not in data.")
    if len(data) < 2:
        raise InputError("the counterfactual test needs at least two orders.")
    if n_orders < 1 or n_donors < 1:
        raise InputError(f"n_orders and n_donors must be at least 1, got {n_orders}, {n_donors}.")
    return cols_all


def _with_donors(
    repeated: pd.DataFrame, data: pd.DataFrame, cols: list[str], donors: np.ndarray
) -> pd.DataFrame:
    """The repeated orders with the columns ``cols`` taken from their donors."""
    frame = repeated.copy()
    for c in cols:
        frame[c] = data[c].take(donors.ravel()).array
    return frame


def _change_histogram(rel: np.ndarray) -> list[int]:
    """Counts of relative changes in the :data:`CHANGE_EDGES` bins (beyond: the end bins)."""
    clipped = np.clip(rel, CHANGE_EDGES[0], CHANGE_EDGES[-1])
    return np.histogram(clipped, CHANGE_EDGES)[0].astype(int).tolist()


def _change_summary(
    rel: np.ndarray,
    after: np.ndarray,
    before_rep: np.ndarray,
    m: int,
    n_donors: int,
    tolerance: float,
) -> dict[str, Any]:
    """The summary row of one swap from the relative price changes of its pairs."""
    beyond = (np.abs(rel) > tolerance).reshape(m, n_donors).mean(axis=1)
    return {
        "orders": m,
        "donors": n_donors,
        "mean_change": float(rel.mean()),
        "mean_abs_change": float(np.abs(rel).mean()),
        "p95_abs_change": float(np.quantile(np.abs(rel), 0.95)),
        "max_abs_change": float(np.abs(rel).max()),
        "mean_change_amount": float((after - before_rep).mean()),
        "share_changed": float(beyond.mean()),
        "share_changed_se": float(beyond.std(ddof=1) / math.sqrt(m)) if m > 1 else math.nan,
    }


def _donor_effects(
    swap: str,
    c: str,
    column_labels: Any,
    references: Mapping[str, str] | None,
    donors: np.ndarray,
    log_rel: np.ndarray,
    z: float,
) -> list[dict[str, Any]]:
    """Effects of one swapped column by donor group, against the column's reference group."""
    donor_labels = pd.Series(np.asarray(column_labels, dtype=object)).take(donors.ravel())
    stats = (
        pd.DataFrame({"g": donor_labels.astype(str).to_numpy(), "v": log_rel})[
            donor_labels.notna().to_numpy()
        ]
        .groupby("g")["v"]
        .agg(["mean", "var", "size"])
    )
    ref = (references or {}).get(c)
    if ref not in stats.index:
        ref = str(stats["size"].idxmax()) if len(stats) else None
    if ref is None:
        return []
    effects = []
    rm, rv, rn = stats.loc[ref, ["mean", "var", "size"]]
    for g, (gm, gv, gn) in stats[["mean", "var", "size"]].iterrows():
        diff = gm - rm
        se = math.sqrt(np.nan_to_num(gv) / gn + np.nan_to_num(rv) / rn)
        effects.append(
            {
                "swap": swap,
                "column": c,
                "group": str(g),
                "reference": str(ref),
                "n": int(gn),
                "effect": math.expm1(diff),
                "low": math.expm1(diff - z * se),
                "high": math.expm1(diff + z * se),
            }
        )
    return effects


def _counterfactual_prices(
    summary: dict[str, dict[str, Any]],
    effects: list[dict[str, Any]],
    hist: dict[str, list[int]],
    tolerance: float,
    swaps: dict[str, list[str]],
    references: Mapping[str, str] | None,
) -> CounterfactualPrices:
    """The result from the summary rows, effects and histograms of every swap."""
    frame_summary = pd.DataFrame.from_dict(summary, orient="index")
    frame_summary.index.name = "swap"
    return CounterfactualPrices(
        summary=frame_summary,
        effects=pd.DataFrame(
            effects, columns=["swap", "column", "group", "reference", "n", "effect", "low", "high"]
        ),
        histogram=hist,
        tolerance=tolerance,
        columns=swaps,
        references={str(k): str(v) for k, v in (references or {}).items()},
    )
