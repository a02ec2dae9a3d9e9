"""Article 72(5): price discrimination by habits, preferences and ability to pay.

Prices may differ for legitimate reasons (a longer trip costs more, and richer customers may
simply take longer trips); Article 72(5) forbids prices that differ *because of* the
customer's habits, preferences or ability to pay. The measures here separate the two:

* :func:`price_gaps`: prices by group of one profile feature (or an Article 72(4) ground):
  the raw ratio of mean and of median prices to a reference group, with bootstrap intervals,
  and the gap that remains given the legitimate factors, by exact stratification and by
  regression adjustment side by side (from :func:`szai_audit.conditional.conditional_gaps` on
  log prices, reported as percentages).
* :func:`same_order_different_customer`: the counterfactual test. Sampled orders are given the
  profile of other customers, every legitimate factor held fixed, and re-priced by the model in
  vectorised batches; the distribution of the price changes is the direct evidence.
* :func:`loyalty_gap`: whether existing customers pay more than new ones for the same
  legitimate factors (and, with the model, than they would as new customers).

Prices must be positive (a price, a fee, a premium): gaps are ratios.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .conditional import PreparedFactors, conditional_gaps, prepare_factors
from .errors import InputError, LengthMismatchError, PredictionError
from .stats import normal_p_value, z_value

__all__ = [
    "CHANGE_EDGES",
    "PROFILE_KINDS",
    "CounterfactualPrices",
    "LoyaltyGap",
    "PriceGaps",
    "PricingAnalysis",
    "loyalty_gap",
    "loyalty_groups",
    "positive_prices",
    "price_gaps",
    "same_order_different_customer",
    "strata_bins",
]

#: The kinds of consumer-profile features Article 72(5) names.
PROFILE_KINDS = ("habits", "preferences", "ability_to_pay")

#: Bins of the chart of counterfactual price changes: 1% wide, centred on -30% ... +30% (the
#: middle bin, -0.5% to +0.5%, holds the unchanged prices).
CHANGE_EDGES = np.linspace(-0.305, 0.305, 62)


def positive_prices(name: str, values: Any) -> np.ndarray:
    """``values`` as a float array of positive, finite prices, or a clear error."""
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise PredictionError(f"{name} must be numbers (prices), got {exc}.") from exc
    if arr.ndim != 1:
        raise PredictionError(f"{name} must be one price per row, got shape {arr.shape}.")
    bad = ~np.isfinite(arr) | (arr <= 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise PredictionError(
            f"{name} has {int(bad.sum())} prices that are not positive numbers (the first, at "
            f"row {i}, is {arr[i]!r}); price gaps are ratios, so every price must be > 0. For "
            f"discounts, audit the final price paid."
        )
    return arr


# --------------------------------------------------------------------------------------------
# Raw and conditional gaps
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PriceGaps:
    """Prices by group of one dimension, raw and given the legitimate factors.

    Attributes
    ----------
    dimension : str
        The profile column, or the Article 72(4) ground.
    kind : str
        ``"habits"``, ``"preferences"``, ``"ability_to_pay"`` or ``"ground"``.
    reference : str
        The group every other group is compared with.
    table : DataFrame
        One row per group (the reference included): ``count``, ``mean``, ``median``,
        ``mean_ratio`` (group mean / reference mean) with ``mean_ratio_low`` and
        ``mean_ratio_high`` (bootstrap percentile interval), ``median_ratio`` with its
        interval, ``mean_ratio_p`` (delta-method z-test of the log ratio), and given the
        factors: ``stratified`` (the price gap in percent of the reference's price, as a
        fraction: 0.08 = 8% more) with ``stratified_low``, ``stratified_high``,
        ``stratified_p``, ``coverage``, and ``regression`` with ``regression_low``,
        ``regression_high``, ``regression_p``. NaN for the reference and without factors.
    factors : list of str
        The legitimate factors (empty: no conditional gaps).
    n_strata : int
        Strata formed by the factors.
    level : float
        Confidence level of the intervals.
    n_boot : int
        Bootstrap resamples.
    """

    dimension: str
    kind: str
    reference: str
    table: pd.DataFrame
    factors: list[str]
    n_strata: int
    level: float
    n_boot: int

    def to_dict(self, min_group_size: int = 0) -> dict[str, Any]:
        """Plain dictionary; groups smaller than ``min_group_size`` keep their count only."""
        rows = []
        for group, row in self.table.iterrows():
            small = row["count"] < min_group_size
            rows.append(
                {"group": str(group), "count": int(row["count"]), "withheld": bool(small)}
                | ({} if small else {k: _num(v) for k, v in row.items() if k != "count"})
            )
        return {
            "dimension": self.dimension,
            "kind": self.kind,
            "reference": self.reference,
            "factors": list(self.factors),
            "strata": self.n_strata,
            "level": self.level,
            "bootstrap_resamples": self.n_boot,
            "groups": rows,
        }


def _prepared(
    factors: pd.DataFrame | PreparedFactors | None, n_bins: int | None
) -> PreparedFactors | None:
    """The factors as strata and design (None without factors)."""
    if factors is None or isinstance(factors, PreparedFactors):
        return factors if factors is None or factors.names else None
    if factors.shape[1] == 0:
        return None
    return prepare_factors(factors, strata_bins(factors) if n_bins is None else n_bins)


def _num(v: Any) -> Any:
    v = float(v)
    return v if math.isfinite(v) else None


def _histogram(values: np.ndarray, max_values: int) -> tuple[np.ndarray, np.ndarray]:
    """Distinct values and their counts; beyond ``max_values`` distinct values, the sorted
    values are merged into ``max_values`` equal-count bins, each represented by its mean (so
    the mean stays exact and the median moves by less than one bin)."""
    uniq, counts = np.unique(values, return_counts=True)
    if len(uniq) <= max_values:
        return uniq, counts
    v = np.sort(values)
    edges = np.linspace(0, len(v), max_values + 1).round().astype(int)
    sums = np.add.reduceat(v, edges[:-1])
    sizes = np.diff(edges)
    return sums / sizes, sizes


def _boot_mean_median(
    values: np.ndarray, n_boot: int, rng: np.random.Generator, max_values: int
) -> tuple[np.ndarray, np.ndarray]:
    """Bootstrap means and medians of ``values`` from Poisson resamples of its histogram: each
    distinct value's count is drawn as Poisson(count), the Poisson bootstrap, which matches
    the row bootstrap for groups of more than a few orders and costs nothing per order. A
    resample that draws no order at all (possible in a group of one or two) is NaN."""
    support, counts = _histogram(values, max_values)
    draws = rng.poisson(counts, size=(n_boot, len(counts)))
    totals = draws.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = (draws @ support) / totals
    cum = np.cumsum(draws, axis=1)
    medians = support[np.argmax(cum >= totals[:, None] / 2, axis=1)]
    empty = totals == 0
    means[empty] = np.nan
    medians = np.where(empty, np.nan, medians)
    return means, medians


def price_gaps(
    price: Any,
    groups: Any,
    *,
    reference: str | None = None,
    factors: pd.DataFrame | PreparedFactors | None = None,
    level: float = 0.95,
    n_boot: int = 1000,
    random_state: int | None = 0,
    n_bins: int | None = None,
    max_values: int = 2000,
    dimension: str = "",
    kind: str = "",
    order: Sequence[str] | None = None,
) -> PriceGaps:
    """Price of each group against a reference group: raw ratios and conditional gaps.

    Parameters
    ----------
    price : array-like of float
        Positive prices, one per order.
    groups : array-like
        The group of each order (missing: left out).
    reference : str, optional
        The reference group; the largest group by default.
    factors : DataFrame or PreparedFactors, optional
        Legitimate factors, same rows: the conditional gaps are measured given them. Pass
        :func:`szai_audit.conditional.prepare_factors` of them to share the strata and the
        regression design between several calls on the same orders.
    level : float, default 0.95
    n_boot : int, default 1000
        Bootstrap resamples of the mean and median ratios (Poisson resamples of each group's
        price histogram, so the cost does not grow with the number of orders).
    random_state : int or None, default 0
    n_bins : int, optional
        Quantile bins per numeric factor in the stratification; by default
        :func:`strata_bins` (about 50 orders per stratum, 3 to 50 bins).
    max_values : int, default 2000
        Distinct prices kept per group in the bootstrap; more are merged into equal-count bins.
    dimension, kind : str
        Labels carried into the result.
    order : sequence of str, optional
        The order of the groups in the table (bins in their natural order); sorted by name
        otherwise.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> n = 20_000
    >>> rich = rng.random(n) < 0.3
    >>> km = rng.gamma(2, 4, n) * np.where(rich, 1.5, 1.0)  # the rich ride further
    >>> price = 5 + 2 * km  # the fare depends on the distance only
    >>> gaps = price_gaps(price, np.where(rich, "rich", "other"), reference="other",
    ...                   factors=pd.DataFrame({"km": km}), n_bins=50)
    >>> row = gaps.table.loc["rich"]
    >>> bool(row["mean_ratio"] > 1.3), bool(abs(row["stratified"]) < 0.01)
    (True, True)
    """
    y = positive_prices("price", price)
    labels = pd.Series(np.asarray(groups, dtype=object))
    if len(labels) != len(y):
        raise LengthMismatchError(f"groups has {len(labels)} values for {len(y)} prices.")
    if factors is not None and len(factors) != len(y):
        raise LengthMismatchError(f"factors has {len(factors)} rows for {len(y)} prices.")
    if not 0 < level < 1:
        raise InputError(f"level must be in (0, 1), got {level!r}.")
    keep = labels.notna().to_numpy()
    text = labels.where(keep, None).astype(object)
    text[keep] = text[keep].astype(str)
    codes, names = pd.factorize(text[keep].to_numpy(), sort=True)
    names = [str(g) for g in names]
    if len(names) < 2:
        raise InputError(f"price gaps need at least two groups, got {names}.")
    yk = y[keep]
    counts = np.bincount(codes, minlength=len(names))
    if reference is None:
        reference = names[int(np.argmax(counts))]
    if reference not in names:
        raise InputError(f"reference group {reference!r} is not among the groups {names}.")
    r = names.index(reference)
    rng = np.random.default_rng(random_state)
    by_group = np.argsort(codes, kind="stable")
    bounds = np.concatenate([[0], np.cumsum(counts)])
    per_group = [yk[by_group[bounds[i] : bounds[i + 1]]] for i in range(len(names))]
    boots = [_boot_mean_median(v, n_boot, rng, max_values) for v in per_group]
    q = [(1 - level) / 2, 1 - (1 - level) / 2]
    ref_mean, ref_median = float(per_group[r].mean()), float(np.median(per_group[r]))
    ref_var = float(per_group[r].var(ddof=1)) if counts[r] > 1 else 0.0
    rows = {}
    for i, g in enumerate(names):
        v = per_group[i]
        mean, median = float(v.mean()), float(np.median(v))
        mean_ratio = boots[i][0] / boots[r][0]
        median_ratio = boots[i][1] / boots[r][1]
        var = float(v.var(ddof=1)) if len(v) > 1 else 0.0
        se_log = math.sqrt(var / (len(v) * mean**2) + ref_var / (counts[r] * ref_mean**2))
        rows[g] = {
            "count": int(counts[i]),
            "mean": mean,
            "median": median,
            "mean_ratio": mean / ref_mean,
            "mean_ratio_low": float(np.nanquantile(mean_ratio, q[0])) if i != r else 1.0,
            "mean_ratio_high": float(np.nanquantile(mean_ratio, q[1])) if i != r else 1.0,
            "median_ratio": median / ref_median,
            "median_ratio_low": float(np.nanquantile(median_ratio, q[0])) if i != r else 1.0,
            "median_ratio_high": float(np.nanquantile(median_ratio, q[1])) if i != r else 1.0,
            "mean_ratio_p": float(normal_p_value(math.log(mean / ref_mean), se_log)[0])
            if i != r and se_log > 0
            else math.nan,
        }
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "group"
    cond_cols = [
        "stratified",
        "stratified_low",
        "stratified_high",
        "stratified_p",
        "coverage",
        "regression",
        "regression_low",
        "regression_high",
        "regression_p",
    ]
    for c in cond_cols:
        table[c] = np.nan
    n_strata = 0
    names_f: list[str] = []
    prepared = _prepared(factors, n_bins)
    if prepared is not None:
        gaps = conditional_gaps(y, text.to_numpy(), prepared, reference, log=True)
        n_strata, names_f = gaps.n_strata, gaps.factors
        z = z_value(level)
        for g, row in gaps.table.iterrows():
            for method, gap, se in (
                ("stratified", row["stratified_gap"], row["stratified_se"]),
                ("regression", row["regression_gap"], row["regression_se"]),
            ):
                table.loc[g, method] = math.expm1(gap)
                table.loc[g, f"{method}_low"] = math.expm1(gap - z * se)
                table.loc[g, f"{method}_high"] = math.expm1(gap + z * se)
                table.loc[g, f"{method}_p"] = (
                    float(normal_p_value(gap, se)[0]) if se > 0 else math.nan
                )
            table.loc[g, "coverage"] = row["coverage"]
    if order is not None:
        first = [str(g) for g in order if str(g) in table.index]
        table = table.loc[first + [g for g in table.index if g not in first]]
    return PriceGaps(
        dimension=dimension,
        kind=kind,
        reference=reference,
        table=table,
        factors=names_f,
        n_strata=n_strata,
        level=level,
        n_boot=n_boot,
    )


# --------------------------------------------------------------------------------------------
# Same order, different customer
# --------------------------------------------------------------------------------------------


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
                | {c: _num(v) for c, v in row.items()}
                for k, row in self.summary.iterrows()
            ],
            "effects": [
                {k: (_num(v) if isinstance(v, (float, np.floating)) else v) for k, v in r.items()}
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
    n = len(data)
    cols_all = [str(c) for cols in profile.values() for c in cols]
    missing = [c for c in cols_all if c not in data.columns]
    if missing:
        raise InputError(f"profile columns {missing} are not in data.")
    if n < 2:
        raise InputError("the counterfactual test needs at least two orders.")
    if n_orders < 1 or n_donors < 1:
        raise InputError(f"n_orders and n_donors must be at least 1, got {n_orders}, {n_donors}.")
    rng = np.random.default_rng(random_state)
    m = min(n_orders, n)
    orders = np.sort(rng.choice(n, m, replace=False))
    donors = rng.integers(0, n, size=(m, n_donors))
    base = data.iloc[orders].reset_index(drop=True)
    before = _predict_batched(predict, base, batch_rows, "the model's prices")
    repeated = base.iloc[np.repeat(np.arange(m), n_donors)].reset_index(drop=True)
    before_rep = np.repeat(before, n_donors)
    swaps: dict[str, list[str]] = {"all": cols_all}
    swaps.update({str(k): [str(c) for c in v] for k, v in profile.items() if len(v)})
    z = z_value(level)
    summary, effects, hist = {}, [], {}
    for swap, cols in swaps.items():
        frame = repeated.copy()
        for c in cols:
            frame[c] = data[c].take(donors.ravel()).array
        after = _predict_batched(predict, frame, batch_rows, "the model's prices")
        rel = after / before_rep - 1
        beyond = (np.abs(rel) > tolerance).reshape(m, n_donors).mean(axis=1)
        summary[swap] = {
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
        clipped = np.clip(rel, CHANGE_EDGES[0], CHANGE_EDGES[-1])
        hist[swap] = np.histogram(clipped, CHANGE_EDGES)[0].astype(int).tolist()
        if swap == "all" or labels is None:
            continue
        log_rel = np.log(after / before_rep)
        for c in cols:
            if c not in labels:
                continue
            donor_labels = pd.Series(np.asarray(labels[c], dtype=object)).take(donors.ravel())
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
                continue
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


# --------------------------------------------------------------------------------------------
# Loyalty
# --------------------------------------------------------------------------------------------


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

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for k, v in self.__dict__.items():
            out[k] = _num(v) if isinstance(v, (float, np.floating)) else v
        out["new_value"] = (
            self.new_value.item() if isinstance(self.new_value, np.generic) else self.new_value
        )
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
    cond: dict[str, float] = {}
    prepared = _prepared(factors, n_bins)
    if prepared is not None:
        if len(prepared) != len(y):
            raise LengthMismatchError(f"factors has {len(prepared)} rows for {len(y)} prices.")
        gaps = conditional_gaps(y, labels, prepared, "new", log=True)
        row = gaps.table.loc["loyal"]
        for method, gap, se in (
            ("stratified", row["stratified_gap"], row["stratified_se"]),
            ("regression", row["regression_gap"], row["regression_se"]),
        ):
            cond[method] = math.expm1(gap)
            cond[f"{method}_low"] = math.expm1(gap - z * se)
            cond[f"{method}_high"] = math.expm1(gap + z * se)
            cond[f"{method}_p"] = float(normal_p_value(gap, se)[0]) if se > 0 else math.nan
        cond["coverage"] = float(row["coverage"])
    keys = ["stratified", "regression"]
    fields: dict[str, Any] = {
        f"{k}{s}": cond.get(f"{k}{s}", math.nan) for k in keys for s in ("", "_low", "_high", "_p")
    }
    cf: dict[str, Any] = {}  # mixed floats and a count
    if predict is not None and data is not None:
        rng = np.random.default_rng(random_state)
        loyal_rows = np.flatnonzero(is_loyal)
        take = np.sort(rng.choice(loyal_rows, min(n_orders, len(loyal_rows)), replace=False))
        orders = data.iloc[take].reset_index(drop=True)
        as_new = orders.copy()
        as_new[str(tenure.name)] = pd.Series(
            [new_value] * len(orders), dtype=data[str(tenure.name)].dtype
        ).array
        now = positive_prices("the model's prices", predict(orders))
        then = positive_prices("the model's prices", predict(as_new))
        rel = now / then - 1
        se = float(rel.std(ddof=1) / math.sqrt(len(rel))) if len(rel) > 1 else 0.0
        mean = float(rel.mean())
        cf = {
            "counterfactual": mean,
            "counterfactual_low": mean - z * se,
            "counterfactual_high": mean + z * se,
            "counterfactual_orders": len(rel),
        }
    return LoyaltyGap(
        column=str(tenure.name),
        new_rule=new_rule,
        loyal_rule=loyal_rule,
        new_value=new_value,
        n_new=int(is_new.sum()),
        n_loyal=int(is_loyal.sum()),
        raw=raw,
        mean_loyal=float(y[is_loyal].mean()),
        coverage=cond.get("coverage", math.nan),
        **fields,
        **cf,
    )


# --------------------------------------------------------------------------------------------
# The pricing part of an audit
# --------------------------------------------------------------------------------------------


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
    n_orders : int
    labels : dict
        Display names of profile columns, ``{column: [zh, en]}`` (from ``feature_labels``).
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
            "mean_price": self.mean_price,
            "consumer_profile": {k: list(v) for k, v in self.profile.items()},
            "legitimate_factors": list(self.legitimate_factors),
            "binning": {k: list(v) for k, v in self.binning.items()},
            "gaps": {k: g.to_dict(min_group_size) for k, g in self.gaps.items()},
            "counterfactual": None
            if self.counterfactual is None
            else self.counterfactual.to_dict(),
            "loyalty": None if self.loyalty is None else self.loyalty.to_dict(),
        }


def strata_bins(factors: pd.DataFrame, per_stratum: int = 50, most: int = 50) -> int:
    """Quantile bins per numeric factor so that strata hold about ``per_stratum`` orders.

    Finer strata leave less of the factors' own effect inside a stratum (a longer trip within
    the same distance bin); the number grows with the data, between 3 and ``most``.

    >>> strata_bins(pd.DataFrame({"km": np.arange(20_000.0), "car": ["a", "b"] * 10_000}))
    50
    >>> strata_bins(pd.DataFrame({"km": np.arange(1_000.0), "age": np.arange(1_000.0)}))
    4
    """
    numeric = [
        c
        for c in factors.columns
        if pd.api.types.is_numeric_dtype(factors[c].dtype)
        and not pd.api.types.is_bool_dtype(factors[c].dtype)
        and factors[c].nunique() > 10
    ]
    cells = 1
    for c in factors.columns:
        if c not in numeric:
            cells *= max(1, int(factors[c].nunique(dropna=False)))
    if not numeric:
        return 10
    b = int((len(factors) / (per_stratum * cells)) ** (1 / len(numeric)))
    return max(3, min(most, b))
