"""Conditional disparity: the gap between groups that remains after legitimate factors.

A raw gap can be explained: richer customers take longer trips and pay more; applicants with a
higher debt-to-income ratio are refused more often. What the law asks about is the gap that
remains between otherwise comparable people. This module measures it two ways, side by side:

* **stratification**: rows are grouped into strata by the legitimate factors (categories as
  they are, numbers into quantile bins); within each stratum the group is compared with the
  reference group, and the stratum gaps are averaged with the two groups' rows together as
  weights, so the estimate is symmetric: the gap of a against b is minus that of b against a.
  Strata where one of the two is absent are left out; the share of the group's rows kept is
  its *coverage* (``covered`` rows), and likewise for the reference.
* **regression adjustment**: ordinary least squares of the outcome on group indicators and the
  factors (numbers standardised, categories as indicators); the group's coefficient is the
  adjusted gap, with heteroskedasticity-robust (HC1) standard errors.

The outcome can be a 0/1 indicator (a favourable decision: gaps in proportions) or a positive
amount (a price: with ``log=True`` gaps are in log points, reported as percentages). The same
code serves Art. 72(2)(iv) (decisions) and Art. 72(2)(v) (prices).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .data import encode_groups, is_numeric, real_numbers
from .design import Design, mean_difference, stratified_difference, wls
from .errors import ColumnNotFoundError, InputError, SensitiveAttributeError
from .trend import ols_hc1

__all__ = [
    "ConditionalGaps",
    "PreparedFactors",
    "checked_factors",
    "conditional_gaps",
    "legitimate_frame",
    "prepare_factors",
    "strata_bins",
]


@dataclass(frozen=True)
class ConditionalGaps:
    """Raw and adjusted gaps of each group against a reference group.

    Attributes
    ----------
    table : DataFrame
        One row per group other than the reference: ``count``, ``raw_gap``, ``raw_se``,
        ``stratified_gap``, ``stratified_se``, ``coverage``, ``covered``,
        ``reference_covered``, ``reference_coverage``, ``regression_gap``,
        ``regression_se``. A gap is group minus reference, on the outcome's scale (log scale
        with ``log=True``).
    reference : str
        The reference group.
    factors : list of str
        The legitimate factors adjusted for.
    n_strata : int
        Strata formed by the factors.
    log : bool
        Whether gaps are differences of log outcomes.
    """

    table: pd.DataFrame
    reference: str
    factors: list[str]
    n_strata: int
    log: bool


def _strata_columns(factors: pd.DataFrame, n_bins: int) -> dict[str, Any]:
    """Each factor as stratum labels: numbers with many values binned by quantiles."""
    cols: dict[str, Any] = {}
    for name in factors.columns:
        col = factors[name]
        numeric = pd.api.types.is_numeric_dtype(col.dtype) and not pd.api.types.is_bool_dtype(
            col.dtype
        )
        if numeric and col.nunique(dropna=True) > n_bins:
            values = col.to_numpy(dtype=float, na_value=np.nan)
            edges = np.unique(np.nanquantile(values, np.linspace(0, 1, n_bins + 1)[1:-1]))
            codes = np.searchsorted(edges, values, side="right").astype(float)
            codes[np.isnan(values)] = -1.0
            cols[str(name)] = codes
        else:
            cols[str(name)] = col.to_numpy(dtype=object)  # missing: a stratum of its own
    return cols


def _design(factors: pd.DataFrame) -> np.ndarray:
    """Factor columns for the regression: numbers standardised (missing -> 0 plus an
    indicator), categories as indicators with the most frequent one left out."""
    parts: list[np.ndarray] = []
    for name in factors.columns:
        col = factors[name]
        if pd.api.types.is_numeric_dtype(col.dtype) and not pd.api.types.is_bool_dtype(col.dtype):
            x = col.to_numpy(dtype=float, na_value=np.nan)
            miss = np.isnan(x)
            sd = np.nanstd(x)
            z = np.where(miss, 0.0, (x - np.nanmean(x)) / (sd if sd > 0 else 1.0))
            parts.append(z[:, None])
            if miss.any():
                parts.append(miss.astype(float)[:, None])
        else:
            labels = col.astype(object).where(col.notna(), "(missing)")
            codes, levels = pd.factorize(labels.to_numpy(dtype=object))
            counts = np.bincount(codes, minlength=len(levels))
            for k in np.argsort(-counts, kind="stable")[1:]:
                parts.append((codes == k).astype(float)[:, None])
    return np.hstack(parts) if parts else np.empty((len(factors), 0))


@dataclass(frozen=True)
class PreparedFactors:
    """Legitimate factors turned once into stratum codes and a regression design, to be
    shared by several :func:`conditional_gaps` calls on the same rows (one per profile column
    or ground). Made by :func:`prepare_factors`.

    Attributes
    ----------
    names : list of str
        The factors.
    strata : ndarray of int
        The stratum of every row.
    n_strata : int
    design : ndarray
        The regression columns of the factors (numbers standardised, categories as
        indicators), one row per row of the data.
    """

    names: list[str]
    strata: np.ndarray
    n_strata: int
    design: np.ndarray

    def __len__(self) -> int:
        return len(self.strata)


def prepare_factors(factors: pd.DataFrame, n_bins: int) -> PreparedFactors:
    """Stratum codes (numbers in ``n_bins`` quantile bins) and the regression design of
    ``factors``, for several :func:`conditional_gaps` calls on the same rows.

    >>> f = prepare_factors(pd.DataFrame({"km": np.arange(100.0), "car": ["a", "b"] * 50}), 4)
    >>> f.n_strata, f.design.shape
    (8, (100, 2))
    """
    strata = encode_groups(_strata_columns(factors, n_bins), missing="group").codes
    return PreparedFactors(
        names=[str(c) for c in factors.columns],
        strata=np.asarray(strata),
        n_strata=int(strata.max()) + 1 if len(strata) else 0,
        design=_design(factors),
    )


def conditional_gaps(
    outcome: Any,
    groups: Any,
    factors: pd.DataFrame | PreparedFactors,
    reference: str,
    *,
    log: bool = False,
    n_bins: int | None = None,
    design: Design | None = None,
) -> ConditionalGaps:
    """Gap of ``outcome`` between each group and ``reference``, raw and adjusted for ``factors``.

    Parameters
    ----------
    outcome : array-like of float
        A 0/1 indicator or an amount, one per row.
    groups : array-like
        Group label per row (None: left out).
    factors : DataFrame or PreparedFactors
        The legitimate factors, same rows; or :func:`prepare_factors` of them, to share the
        strata and the design between calls (``n_bins`` is then already applied).
    reference : str
        The group every other group is compared with.
    log : bool
        Compare log outcomes (positive amounts): gaps become log ratios.
    n_bins : int, optional
        Quantile bins per numeric factor in the stratification; by default 10 for one numeric
        factor, 5 for two, 3 for more (so strata stay populated).
    design : Design, optional
        The sampling design (``cluster=`` / ``weights=``): with one that is active, the gaps
        are of weighted means and their errors design-based (:mod:`szai_audit.core.design`):
        the raw gap by :func:`~szai_audit.core.design.mean_difference`, the stratified one by
        :func:`~szai_audit.core.design.stratified_difference` (each shared stratum weighted by
        the two groups' weight in it), the regression-adjusted one by weighted least squares
        with the cluster-robust covariance (:func:`~szai_audit.core.design.wls`, statsmodels'
        ``cov_type="cluster"``; HC1 with weights alone). Counts and coverage stay counts of
        rows.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> n = 4000
    >>> g = rng.choice(["a", "b"], n)
    >>> need = rng.normal(size=n) + (g == "b")  # b needs more, legitimately
    >>> y = (need + rng.normal(size=n) > 0.5).astype(float)
    >>> gaps = conditional_gaps(y, g, pd.DataFrame({"need": need}), "a", n_bins=10)
    >>> row = gaps.table.loc["b"]
    >>> bool(row["raw_gap"] > 0.2), bool(abs(row["stratified_gap"]) < 0.05)
    (True, True)
    """
    y, labels, keep = _kept_outcome(outcome, groups, factors, reference, log)
    reference = str(reference)
    names, strata, n_strata, factor_x = _kept_factors(factors, keep, n_bins)
    g_codes, g_names = pd.factorize(labels.to_numpy(), sort=True)
    n_groups = len(g_names)
    count, total, sq, mean, var = _cell_moments(y, g_codes, n_groups, strata, n_strata)
    r = int(np.flatnonzero(g_names == reference)[0])

    others = [i for i in range(n_groups) if i != r]
    ids = np.asarray(others, dtype=np.int64)

    def regressors(start: int, stop: int) -> np.ndarray:
        """Intercept, group indicators and the factors' design, for rows start:stop."""
        dummies = (g_codes[start:stop, None] == ids[None, :]).astype(float)
        return np.hstack([np.ones((stop - start, 1)), dummies, factor_x[start:stop]])

    kept = None if design is None or not design.active else design.subset(keep)
    if kept is None:
        beta, cov = ols_hc1(regressors, y)
    else:
        beta, cov = wls(regressors(0, len(y)), y, kept)
    se = np.sqrt(np.clip(np.diag(cov), 0, None))

    rows = _gap_rows(g_names, others, r, count, total, sq, mean, var, beta, se)
    if kept is not None:
        _design_gaps(rows, y, labels.to_numpy(), strata, reference, kept)
    table = pd.DataFrame(rows).set_index("group") if rows else pd.DataFrame()
    return ConditionalGaps(table, reference, names, n_strata, log)


def _design_gaps(
    rows: list[dict[str, Any]],
    y: np.ndarray,
    labels: np.ndarray,
    strata: np.ndarray,
    reference: str,
    design: Design,
) -> None:
    """Replace each row's raw and stratified gaps by the design-based ones (weighted means,
    errors by linearisation over the clusters)."""
    in_ref = labels == reference
    for row in rows:
        in_group = labels == row["group"]
        raw = mean_difference(y, in_group, in_ref, design)
        row["raw_gap"], row["raw_se"] = raw.value, raw.se
        if row["covered"] > 0:
            strat, _ = stratified_difference(y, in_group, in_ref, strata, design)
            row["stratified_gap"], row["stratified_se"] = strat.value, strat.se


def _kept_outcome(
    outcome: Any,
    groups: Any,
    factors: pd.DataFrame | PreparedFactors,
    reference: str,
    log: bool,
) -> tuple[np.ndarray, pd.Series, np.ndarray]:
    """The checked outcome (logged if asked) and group labels of the rows kept, and the mask."""
    y = np.asarray(outcome, dtype=float)
    labels = pd.Series(np.asarray(groups, dtype=object))
    if log:
        if (y <= 0).any():
            raise InputError("log=True needs a positive outcome (an amount such as a price).")
        y = np.log(y)
    if len(factors) != len(y) or len(labels) != len(y):
        raise InputError(
            f"outcome, groups and factors must have the same rows, got {len(y)}, "
            f"{len(labels)} and {len(factors)}."
        )
    keep = labels.notna().to_numpy() & np.isfinite(y)
    y, labels = y[keep], labels[keep].astype(str)
    if not (labels.to_numpy() == str(reference)).any():
        raise InputError(f"reference group {reference!r} does not occur in the data.")
    return y, labels, keep


def _kept_factors(
    factors: pd.DataFrame | PreparedFactors, keep: np.ndarray, n_bins: int | None
) -> tuple[list[str], np.ndarray, int, np.ndarray]:
    """Factor names, stratum codes, number of strata and regression design of the kept rows."""
    if isinstance(factors, PreparedFactors):
        return factors.names, factors.strata[keep], factors.n_strata, factors.design[keep]
    frame = factors.loc[keep]
    names = [str(c) for c in factors.columns]
    if n_bins is None:
        numeric = sum(
            pd.api.types.is_numeric_dtype(frame[c].dtype)
            and not pd.api.types.is_bool_dtype(frame[c].dtype)
            for c in frame.columns
        )
        n_bins = 10 if numeric <= 1 else 5 if numeric == 2 else 3
    prepared = prepare_factors(frame, n_bins)
    return names, prepared.strata, prepared.n_strata, prepared.design


def _cell_moments(
    y: np.ndarray, g_codes: np.ndarray, n_groups: int, strata: np.ndarray, n_strata: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Count, sum, sum of squares, mean and variance of the outcome in each group x stratum."""
    cell = g_codes * n_strata + strata
    size = n_groups * n_strata
    count = np.bincount(cell, minlength=size).reshape(n_groups, n_strata).astype(float)
    total = np.bincount(cell, weights=y, minlength=size).reshape(n_groups, n_strata)
    sq = np.bincount(cell, weights=y * y, minlength=size).reshape(n_groups, n_strata)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / count
        # Unbiased within-cell variances; a cell of one person borrows the variance of its
        # whole stratum (every group), and failing that the group's overall variance.
        var = np.maximum((sq - count * mean**2) / (count - 1), 0.0)
        s_count, s_total, s_sq = count.sum(0), total.sum(0), sq.sum(0)
        s_var = np.maximum((s_sq - s_total**2 / s_count) / (s_count - 1), 0.0)
        g_count, g_total, g_sq = count.sum(1), total.sum(1), sq.sum(1)
        g_var = np.maximum((g_sq - g_total**2 / g_count) / (g_count - 1), 0.0)
    fallback = np.where(np.isfinite(s_var)[None, :], s_var[None, :], g_var[:, None])
    var = np.where(count >= 2, var, fallback)
    var = np.nan_to_num(var, nan=0.0)
    return count, total, sq, mean, var


def _gap_rows(
    g_names: Any,
    others: list[int],
    r: int,
    count: np.ndarray,
    total: np.ndarray,
    sq: np.ndarray,
    mean: np.ndarray,
    var: np.ndarray,
    beta: np.ndarray,
    se: np.ndarray,
) -> list[dict[str, Any]]:
    """One row per non-reference group: raw, stratified and regression gaps with errors."""
    rows = []
    ref_n = count[r].sum()
    ref_mean = total[r].sum() / ref_n
    ref_var = max(sq[r].sum() / ref_n - ref_mean**2, 0.0)
    for j, i in enumerate(others):
        n_i = count[i].sum()
        mean_i = total[i].sum() / n_i
        var_i = max(sq[i].sum() / n_i - mean_i**2, 0.0)
        common = (count[i] > 0) & (count[r] > 0)
        covered, ref_covered = count[i][common].sum(), count[r][common].sum()
        if covered > 0:
            # The two groups' rows together weight each shared stratum: the gap of i against
            # r is exactly minus that of r against i.
            pair = count[i][common] + count[r][common]
            w = pair / pair.sum()
            gap_s = mean[i][common] - mean[r][common]
            var_s = var[i][common] / count[i][common] + var[r][common] / count[r][common]
            strat, strat_se = float(w @ gap_s), float(math.sqrt(w**2 @ var_s))
        else:
            strat, strat_se = math.nan, math.nan
        rows.append(
            {
                "group": str(g_names[i]),
                "count": int(n_i),
                "raw_gap": float(mean_i - ref_mean),
                "raw_se": float(math.sqrt(var_i / n_i + ref_var / ref_n)),
                "stratified_gap": strat,
                "stratified_se": strat_se,
                "coverage": float(covered / n_i),
                "covered": int(covered),
                "reference_covered": int(ref_covered),
                "reference_coverage": float(ref_covered / ref_n),
                "regression_gap": float(beta[1 + j]),
                "regression_se": float(se[1 + j]),
            }
        )
    return rows


def legitimate_frame(data: pd.DataFrame | None, names: Sequence[str]) -> pd.DataFrame:
    """The legitimate-factor columns of ``data``, with a clear error for unknown names and for
    numbers beyond :data:`~szai_audit.core.data.LARGEST` (the regression on them would
    overflow)."""
    if data is None:
        raise InputError("legitimate_factors needs data= holding those columns.")
    missing = [c for c in names if c not in data.columns]
    if missing:
        raise ColumnNotFoundError(
            f"legitimate_factors names columns {missing} that are not in data; available: "
            f"{[str(c) for c in data.columns][:20]}."
        )
    frame = data[list(names)]
    for c in frame.columns if isinstance(frame, pd.DataFrame) else ():  # Dask: as it is read
        if is_numeric(frame[c]):
            values = frame[c].to_numpy(dtype=float, na_value=np.nan)
            real_numbers(f"legitimate_factors column {str(c)!r}", values, InputError)
    return frame


def checked_factors(
    data: pd.DataFrame | None, names: Sequence[str], sensitive: Sequence[str] = ()
) -> pd.DataFrame:
    """The legitimate-factor columns of ``data``, refused with a clear error when a name is
    not a column, when a factor is one of the ``sensitive`` columns (a protected ground cannot
    be a legitimate reason for a different outcome) or when a factor holds no value at all.

    Raises
    ------
    ColumnNotFoundError
        A name that is not a column of ``data``.
    SensitiveAttributeError
        A factor that is a sensitive attribute's column.
    InputError
        No ``data``, or a factor whose every value is missing.

    Examples
    --------
    >>> data = pd.DataFrame({"educ": [12, 16, None], "sex": ["f", "m", "f"]})
    >>> list(checked_factors(data, ["educ"], sensitive=["sex"]).columns)
    ['educ']
    >>> checked_factors(data, ["sex"], sensitive=["sex"])
    Traceback (most recent call last):
    ...
    szai_audit.errors.SensitiveAttributeError: legitimate_factors ['sex'] are sensitive ...
    """
    clash = sorted(set(names) & {c for c in sensitive if c})
    if clash:
        raise SensitiveAttributeError(
            f"legitimate_factors {clash} are sensitive attributes; a protected ground "
            f"cannot be a legitimate reason for a different decision or output."
        )
    frame = legitimate_frame(data, names)
    empty = [str(c) for c in frame.columns if not frame[c].notna().any()]
    if empty:
        raise InputError(
            f"legitimate_factors {empty} hold only missing values in the {len(frame):,} rows "
            f"audited; a factor with no value cannot explain a gap. Leave it out, or fill it."
        )
    return frame


def strata_bins(factors: pd.DataFrame, per_stratum: int = 50, most: int = 50) -> int:
    """Quantile bins per numeric factor so that strata hold about ``per_stratum`` rows.

    Finer strata leave less of the factors' own effect inside a stratum (a longer trip within
    the same distance bin); the number grows with the data, between 3 and ``most``. A numeric
    factor with at most 10 distinct values is not counted as numeric (its values are strata).

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
