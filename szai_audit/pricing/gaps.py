"""Art. 72(2)(v) price gaps: prices by group, raw and given the legitimate factors.

Prices by group of one profile feature (or an Art. 72(2)(iv) ground): the raw ratio of mean and
of median prices to a reference group, with bootstrap intervals, and the gap that remains given
the legitimate factors, by exact stratification and by regression adjustment side by side (from
:func:`szai_audit.core.conditional.conditional_gaps` on log prices, reported as percentages).
Prices must be positive (a price, a fee, a premium): gaps are ratios.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..core.conditional import PreparedFactors, conditional_gaps, prepare_factors, strata_bins
from ..core.data import real_numbers
from ..core.design import Design, log_ratio
from ..core.errors import InputError, LengthMismatchError, PredictionError
from ..core.findings import finite_or_none
from ..core.stats import normal_p_value, z_value

__all__ = [
    "CHANGE_EDGES",
    "PROFILE_KINDS",
    "PriceGaps",
    "as_prepared_factors",
    "percent_gaps",
    "positive_prices",
    "price_gaps",
    "strata_bins",
]

#: The kinds of consumer-profile features Art. 72(2)(v) names.
PROFILE_KINDS = ("habits", "preferences", "ability_to_pay")

#: Bins of the chart of counterfactual price changes: 1% wide, centred on -30% ... +30% (the
#: middle bin, -0.5% to +0.5%, holds the unchanged prices).
CHANGE_EDGES = np.linspace(-0.305, 0.305, 62)


def positive_prices(name: str, values: Any) -> np.ndarray:
    """``values`` as a float array of positive, finite prices, or a clear error (text, complex
    numbers and prices beyond :data:`~szai_audit.core.data.LARGEST` too)."""
    arr = real_numbers(name, values, PredictionError)
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
        The profile column, or the Art. 72(2)(iv) ground.
    kind : str
        ``"habits"``, ``"preferences"``, ``"ability_to_pay"`` or ``"ground"``.
    reference : str
        The group every other group is compared with.
    table : DataFrame
        One row per group (the reference included): ``count``, ``mean``, ``median``,
        ``mean_ratio`` (group mean / reference mean) with ``mean_ratio_low`` and
        ``mean_ratio_high`` (bootstrap percentile interval), ``median_ratio`` with its
        interval, ``mean_ratio_p`` and ``mean_ratio_se_log`` (delta-method z-test and
        standard error of the log ratio), and given the factors: ``stratified`` (the price gap
        in percent of the reference's price, as a fraction: 0.08 = 8% more) with
        ``stratified_low``, ``stratified_high``, ``stratified_p``, ``stratified_se`` (on the
        log scale), and ``regression`` likewise; ``coverage``, ``covered``,
        ``reference_covered`` and ``reference_coverage`` (orders in strata the group shares
        with the reference, and their share of the reference's orders). NaN
        for the reference and without factors.
    factors : list of str
        The legitimate factors (empty: no conditional gaps).
    n_strata : int
        Strata formed by the factors.
    level : float
        Confidence level of the intervals.
    n_boot : int
        Bootstrap resamples.
    hidden : frozenset of str
        Groups whose prices are withheld so that no group of fewer than
        ``policy.k_anonymity`` orders can be worked out from the others and the overall
        mean price (:mod:`szai_audit.core.disclosure`), beside those of too few orders
        (:meth:`shown`).
    """

    dimension: str
    kind: str
    reference: str
    table: pd.DataFrame
    factors: list[str]
    n_strata: int
    level: float
    n_boot: int
    hidden: frozenset[str] = frozenset()

    def shown(self, min_group_size: int = 0) -> pd.Series:
        """Whether each group's prices may be published: at least ``min_group_size`` orders,
        and not ``hidden``."""
        big = self.table["count"] >= min_group_size
        return big & ~self.table.index.map(lambda g: str(g) in self.hidden).to_numpy(bool)

    def to_dict(self, min_group_size: int = 0) -> dict[str, Any]:
        """Plain dictionary; groups not shown (:meth:`shown`) keep their count only."""
        rows = []
        for (group, row), ok in zip(self.table.iterrows(), self.shown(min_group_size), strict=True):
            small = not ok
            rows.append(
                {"group": str(group), "count": int(row["count"]), "withheld": bool(small)}
                | ({} if small else {k: finite_or_none(v) for k, v in row.items() if k != "count"})
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


def as_prepared_factors(
    factors: pd.DataFrame | PreparedFactors | None, n_bins: int | None
) -> PreparedFactors | None:
    """The factors as strata and design (None without factors)."""
    if factors is None or isinstance(factors, PreparedFactors):
        return factors if factors is None or factors.names else None
    if factors.shape[1] == 0:
        return None
    return prepare_factors(factors, strata_bins(factors) if n_bins is None else n_bins)


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
    design: Design | None = None,
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
        :func:`szai_audit.core.conditional.prepare_factors` of them to share the strata and the
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
    design : Design, optional
        ``cluster=`` / ``weights=``: weighted means and medians, the mean ratio's normal
        interval from :func:`szai_audit.core.design.log_ratio`, no median-ratio interval
        (NaN), design-based gaps given the factors; counts stay counts of orders.

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
    text, keep = _group_text(groups, y, factors, level)
    codes, names, counts, reference = _group_codes(text, keep, reference)
    rng = np.random.default_rng(random_state)
    r = names.index(reference)
    table = _raw_table(y[keep], codes, names, counts, r, rng, n_boot, max_values, level)
    active = design if design is not None and design.active else None
    if active is not None:
        _design_raw(table, y[keep], codes, names, r, active.subset(keep), level)
    prepared = as_prepared_factors(factors, n_bins)
    n_strata, names_f = _conditional_columns(table, y, text, prepared, reference, level, active)
    if order is not None:
        first = [str(g) for g in order if str(g) in table.index]
        table = table.loc[first + [g for g in table.index if g not in first]]
    return PriceGaps(dimension, kind, reference, table, names_f, n_strata, level, n_boot)


#: The columns of the gaps given the legitimate factors (NaN until measured).
_COND_COLUMNS = [
    "stratified",
    "stratified_low",
    "stratified_high",
    "stratified_p",
    "stratified_se",
    "regression",
    "regression_low",
    "regression_high",
    "regression_p",
    "regression_se",
    "coverage",
    "covered",
    "reference_covered",
    "reference_coverage",
]


def _group_text(
    groups: Any, y: np.ndarray, factors: pd.DataFrame | PreparedFactors | None, level: float
) -> tuple[pd.Series, np.ndarray]:
    """Each order's group as text (None: missing) and which orders have one, inputs checked."""
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
    return text, keep


def _group_codes(
    text: pd.Series, keep: np.ndarray, reference: str | None
) -> tuple[np.ndarray, list[str], np.ndarray, str]:
    """Group codes of the orders kept, the group names (sorted), their sizes and the reference."""
    codes, uniques = pd.factorize(text[keep].to_numpy(), sort=True)
    names = [str(g) for g in uniques]
    if len(names) < 2:
        raise InputError(f"price gaps need at least two groups, got {names}.")
    counts = np.bincount(codes, minlength=len(names))
    if reference is None:
        reference = names[int(np.argmax(counts))]
    if reference not in names:
        raise InputError(f"reference group {reference!r} is not among the groups {names}.")
    return codes, names, counts, reference


def _raw_table(
    yk: np.ndarray,
    codes: np.ndarray,
    names: list[str],
    counts: np.ndarray,
    r: int,
    rng: np.random.Generator,
    n_boot: int,
    max_values: int,
    level: float,
) -> pd.DataFrame:
    """Raw mean and median ratios of each group to the reference ``r``, with bootstrap
    intervals and p-values; the conditional columns NaN."""
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
            "mean_ratio_se_log": se_log if i != r else math.nan,
        }
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "group"
    for c in _COND_COLUMNS:
        table[c] = np.nan
    return table


def _weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    """The smallest value at or below which lies at least half the weight (the lower weighted
    median; the middle of the two middle values when the halves are exactly even, as
    ``np.median`` with equal weights)."""
    order = np.argsort(values, kind="stable")
    v, cum = values[order], np.cumsum(weights[order])
    half = cum[-1] / 2
    i = int(np.searchsorted(cum, half, side="left"))
    if np.isclose(cum[i], half) and i + 1 < len(v):
        return float((v[i] + v[i + 1]) / 2)
    return float(v[i])


def _design_raw(
    table: pd.DataFrame,
    yk: np.ndarray,
    codes: np.ndarray,
    names: list[str],
    r: int,
    design: Design,
    level: float,
) -> None:
    """Replace the raw columns by the design-based ones: weighted means and medians, the mean
    ratio with the normal interval and p-value of its log's design-based error, no interval
    for the median ratio."""
    z = z_value(level)
    w = design.row_weights(len(yk))
    in_ref = codes == r
    ref_median = _weighted_median(yk[in_ref], w[in_ref])
    for i, g in enumerate(names):
        in_g = codes == i
        median = _weighted_median(yk[in_g], w[in_g])
        table.loc[g, "median"] = median
        table.loc[g, "median_ratio"] = median / ref_median
        table.loc[g, ["median_ratio_low", "median_ratio_high"]] = (
            (1.0, 1.0) if i == r else (math.nan, math.nan)
        )
        if i == r:
            table.loc[g, "mean"] = float(w[in_g] @ yk[in_g] / w[in_g].sum())
            continue
        gap = log_ratio(yk, in_g, in_ref, design)
        log_gap = math.log(gap.value)
        table.loc[g, "mean"] = gap.mean
        table.loc[g, "mean_ratio"] = gap.value
        table.loc[g, "mean_ratio_low"] = math.exp(log_gap - z * gap.se)
        table.loc[g, "mean_ratio_high"] = math.exp(log_gap + z * gap.se)
        table.loc[g, "mean_ratio_se_log"] = gap.se
        table.loc[g, "mean_ratio_p"] = (
            float(normal_p_value(log_gap, gap.se)[0]) if gap.se > 0 else math.nan
        )


def _conditional_columns(
    table: pd.DataFrame,
    y: np.ndarray,
    text: pd.Series,
    prepared: PreparedFactors | None,
    reference: str,
    level: float,
    design: Design | None = None,
) -> tuple[int, list[str]]:
    """Fill ``table``'s gaps given the factors (in percent); the strata and the factors used."""
    if prepared is None:
        return 0, []
    gaps = conditional_gaps(y, text.to_numpy(), prepared, reference, log=True, design=design)
    z = z_value(level)
    for g, row in gaps.table.iterrows():
        for column, value in percent_gaps(row, z).items():
            table.loc[g, column] = value
        for column in ("coverage", "covered", "reference_covered", "reference_coverage"):
            table.loc[g, column] = row[column]
    return gaps.n_strata, gaps.factors


def percent_gaps(row: pd.Series, z: float) -> dict[str, float]:
    """A group's stratified and regression gaps on log prices (a row of
    :class:`~szai_audit.core.conditional.ConditionalGaps`), as relative price differences with
    their intervals (``z`` standard errors) and p-values."""
    out: dict[str, float] = {}
    for method, gap, se in (
        ("stratified", row["stratified_gap"], row["stratified_se"]),
        ("regression", row["regression_gap"], row["regression_se"]),
    ):
        out[method] = math.expm1(gap)
        out[f"{method}_low"] = math.expm1(gap - z * se)
        out[f"{method}_high"] = math.expm1(gap + z * se)
        out[f"{method}_p"] = float(normal_p_value(gap, se)[0]) if se > 0 else math.nan
        out[f"{method}_se"] = float(se)
    return out
