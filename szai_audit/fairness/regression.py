"""Art. 72(2)(iv) for numeric outputs (a credit limit, a score): metrics by group.

Every metric is a mean of a per-row quantity, so each group is summarised by sufficient
statistics (count, sum and sum of squares of the prediction, of the outcome, of the residual
``prediction - outcome`` and of its absolute value). From them come, per group:

* ``mean_prediction``, ``mean_outcome``, ``mean_residual`` (bias: positive means the model
  over-predicts for the group), ``mae`` (mean absolute error);
* standard errors of those means (normal intervals: for a mean, the bootstrap distribution
  converges to the same normal law), and Welch's t-test between two groups.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from ..core.data import encode_groups, group_label, is_missing_array, to_1d
from ..core.errors import PredictionError, TargetError
from ..core.stats import z_value
from .metrics import as_columns

__all__ = [
    "REGRESSION_METRICS",
    "RegressionMetrics",
    "ScoringRates",
    "regression_metrics",
    "scoring_rates",
    "scoring_rates_from_cells",
    "welch_test",
]

#: Columns of ``RegressionMetrics.by_group``.
REGRESSION_METRICS: tuple[str, ...] = (
    "count",
    "mean_prediction",
    "mean_outcome",
    "mean_residual",
    "mae",
)
#: Per-row quantity behind each mean.
_QUANTITY = {
    "mean_prediction": "pred",
    "mean_outcome": "true",
    "mean_residual": "resid",
    "mae": "abs",
}


def welch_test(
    m1: float, v1: float, n1: float, m2: float, v2: float, n2: float
) -> tuple[float, float]:
    """Welch's two-sample t-test from means, variances (ddof=1) and sizes: (t, p two-sided)."""
    from scipy.stats import t as t_dist

    if n1 < 2 or n2 < 2 or not (np.isfinite(v1) and np.isfinite(v2)):
        return float("nan"), 1.0  # a variance needs two people: no evidence either way
    se2 = v1 / n1 + v2 / n2
    if se2 <= 0:
        return (0.0, 1.0) if m1 == m2 else (float("inf"), 0.0)
    t = (m1 - m2) / np.sqrt(se2)
    df = se2**2 / ((v1 / n1) ** 2 / max(n1 - 1, 1) + (v2 / n2) ** 2 / max(n2 - 1, 1))
    return float(t), float(2 * t_dist.sf(abs(t), df))


@dataclass(frozen=True, eq=False)
class RegressionMetrics:
    """Metrics of numeric predictions by group, from per-group sufficient statistics.

    Attributes
    ----------
    stats : DataFrame
        One row per group: ``n`` and, for each quantity ``pred``, ``true``, ``resid``, ``abs``
        (the last three only with outcomes), its mean and its sum of squared deviations from
        that mean (``mean_pred``, ``m2_pred``...): stable at any magnitude, and mergeable.
    has_outcomes : bool
    hidden : frozenset of str
        Groups whose figures are withheld so that no group of fewer than
        ``policy.k_anonymity`` people can be worked out from the others
        (:mod:`szai_audit.core.disclosure`), beside those of too few people (:meth:`shown`);
        ``overall_hidden``: the overall figures too.
    """

    stats: pd.DataFrame
    has_outcomes: bool
    _cache: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)
    hidden: frozenset[str] = frozenset()
    #: Whether the overall figures are withheld too (they would give a small group back).
    overall_hidden: bool = False

    def shown(self, min_size: int) -> np.ndarray:
        """Whether each group's figures may be published: at least ``min_size`` people, and
        not ``hidden``."""
        labels = [group_label(k) for k in self.stats.index]
        big = self.stats["n"].to_numpy() >= min_size
        return big & np.array([lbl not in self.hidden for lbl in labels], dtype=bool)

    @property
    def sensitive_names(self) -> list[str]:
        return [str(n) for n in self.stats.index.names]

    def _moments(self, frame: pd.DataFrame) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        n = frame["n"].to_numpy(dtype=float)
        out = {}
        for metric, q in _QUANTITY.items():
            if f"mean_{q}" not in frame:
                nan = np.full(len(n), np.nan)
                out[metric] = (nan, nan)
                continue
            with np.errstate(invalid="ignore", divide="ignore"):
                var = frame[f"m2_{q}"].to_numpy() / (n - 1)
            out[metric] = (frame[f"mean_{q}"].to_numpy(), np.where(n > 1, var, np.nan))
        return out

    def _pooled(self) -> pd.DataFrame:
        """All groups merged into one row (Chan et al.'s combination of means and m2)."""
        n = self.stats["n"].to_numpy(dtype=float)
        total = n.sum()
        row: dict[str, float] = {"n": total}
        for q in _QUANTITY.values():
            if f"mean_{q}" not in self.stats:
                continue
            means = self.stats[f"mean_{q}"].to_numpy()
            mean = float((n * means).sum() / total)
            row[f"mean_{q}"] = mean
            row[f"m2_{q}"] = float(
                self.stats[f"m2_{q}"].to_numpy().sum() + (n * (means - mean) ** 2).sum()
            )
        return pd.DataFrame([row])

    @cached_property
    def by_group(self) -> pd.DataFrame:
        """``count`` and the four means by group."""
        moments = self._moments(self.stats)
        frame = pd.DataFrame({m: moments[m][0] for m in _QUANTITY}, index=self.stats.index)
        frame.insert(0, "count", self.stats["n"].to_numpy())
        return frame

    @cached_property
    def overall(self) -> pd.Series:
        totals = self._pooled()
        moments = self._moments(totals)
        values: dict[str, float] = {"count": int(totals["n"].iloc[0])}
        values.update({m: float(moments[m][0][0]) for m in _QUANTITY})
        return pd.Series(values, name="overall")[list(REGRESSION_METRICS)]

    def variances(self) -> pd.DataFrame:
        """Per-row variance (ddof=1) of the quantity behind each mean, by group."""
        moments = self._moments(self.stats)
        return pd.DataFrame({m: moments[m][1] for m in _QUANTITY}, index=self.stats.index)

    def se(self) -> pd.DataFrame:
        """Standard error of each mean, by group."""
        n = self.stats["n"].to_numpy(dtype=float)
        return np.sqrt(self.variances().div(n, axis=0))

    def ci(self, level: float = 0.95) -> pd.DataFrame:
        """Normal intervals of each mean: columns ``(metric, "low" / "high")``."""
        z = z_value(level)
        means, se = self.by_group, self.se()
        cols = {}
        for m in _QUANTITY:
            cols[(m, "low")] = means[m] - z * se[m]
            cols[(m, "high")] = means[m] + z * se[m]
        frame = pd.DataFrame(cols, index=self.stats.index)
        frame.columns = pd.MultiIndex.from_tuples(frame.columns, names=["metric", "bound"])
        return frame

    def difference(self) -> pd.Series:
        """Largest minus smallest group mean, per metric."""
        means = self.by_group[list(_QUANTITY)]
        return means.max(axis=0) - means.min(axis=0)

    def ratio(self) -> pd.Series:
        """Smallest over largest group mean, per metric (NaN unless every mean is positive)."""
        means = self.by_group[list(_QUANTITY)]
        lo, hi = means.min(axis=0), means.max(axis=0)
        return (lo / hi).where((lo > 0) & (hi > 0))


def _numeric(name: str, values: Any, n: int | None, error: type) -> np.ndarray:
    arr = to_1d(name, values, n, "y_pred")
    try:
        out = arr.astype(float)
    except (TypeError, ValueError) as exc:
        raise error(
            f"{name} must be numeric for task='regression', got dtype {arr.dtype}."
        ) from exc
    bad = is_missing_array(out) | ~np.isfinite(out)
    if bad.any():
        raise error(
            f"{name} has {int(bad.sum())} missing or infinite values out of {len(out)}; every "
            f"row needs a number."
        )
    return out


def regression_metrics(y_true: Any, y_pred: Any, sensitive: Any) -> RegressionMetrics:
    """Metrics of numeric predictions by group (or by the intersection of several attributes).

    Examples
    --------
    >>> rm = regression_metrics([10, 12, 20, 22], [11, 11, 18, 20], ["a", "a", "b", "b"])
    >>> rm.by_group[["mean_prediction", "mean_residual", "mae"]]
               mean_prediction  mean_residual  mae
    sensitive
    a                     11.0            0.0  1.0
    b                     19.0           -2.0  2.0
    """
    pred = _numeric("y_pred", y_pred, None, PredictionError)
    n = len(pred)
    true = None if y_true is None else _numeric("y_true", y_true, n, TargetError)
    enc = encode_groups(as_columns(sensitive), missing="group", n=n)
    return regression_metrics_from_codes(enc.codes, enc.index, pred, true)


def regression_metrics_from_codes(
    codes: np.ndarray, index: pd.Index, pred: np.ndarray, true: np.ndarray | None
) -> RegressionMetrics:
    """Sufficient statistics by group from integer codes (rows with code -1 left out)."""
    keep = codes >= 0
    g, k = codes[keep], len(index)
    quantities = {"pred": pred[keep]}
    if true is not None:
        resid = pred[keep] - true[keep]
        quantities.update(true=true[keep], resid=resid, abs=np.abs(resid))
    count = np.bincount(g, minlength=k)
    data: dict[str, np.ndarray] = {"n": count}
    with np.errstate(invalid="ignore", divide="ignore"):
        for q, x in quantities.items():
            mean = np.bincount(g, weights=x, minlength=k) / count
            # Second pass: squared deviations from each group's own mean (no cancellation).
            data[f"mean_{q}"] = mean
            data[f"m2_{q}"] = np.bincount(g, weights=(x - mean[g]) ** 2, minlength=k)
    return RegressionMetrics(pd.DataFrame(data, index=index), has_outcomes=true is not None)


def regression_metrics_from_cells(
    codes: np.ndarray, index: pd.Index, stats: pd.DataFrame, has_outcomes: bool
) -> RegressionMetrics:
    """Sufficient statistics by group from those of cells of rows (data seen in parts): cell
    ``i``, in group ``codes[i]`` (-1: left out), has ``stats.n``, the means and the sums of
    squared deviations; they combine exactly (Chan et al.), equal to the rows' to rounding."""
    keep = codes >= 0
    g, k = codes[keep], len(index)
    n_cell = stats["n"].to_numpy(dtype=float)[keep]
    count = np.bincount(g, weights=n_cell, minlength=k)
    data: dict[str, np.ndarray] = {"n": count.astype(np.int64)}
    with np.errstate(invalid="ignore", divide="ignore"):
        for q in _QUANTITY.values():
            if f"mean_{q}" not in stats:
                continue
            means = stats[f"mean_{q}"].to_numpy()[keep]
            mean = np.bincount(g, weights=n_cell * means, minlength=k) / count
            spread = n_cell * (means - mean[g]) ** 2
            m2 = np.bincount(g, weights=stats[f"m2_{q}"].to_numpy()[keep], minlength=k)
            data[f"mean_{q}"] = mean
            data[f"m2_{q}"] = m2 + np.bincount(g, weights=spread, minlength=k)
    return RegressionMetrics(pd.DataFrame(data, index=index), has_outcomes=has_outcomes)


@dataclass(frozen=True)
class ScoringRates:
    """The share of each group scoring on the favourable side of the whole sample's median
    (the "scoring rate" of NYC Local Law 144 bias audits, 6 RCNY §5-301).

    Attributes
    ----------
    median : float
        The median prediction of every row audited, unknown groups included.
    side : {"above", "below"}
        ``"above"`` when a higher output is favourable (the law's wording: a score above the
        median), ``"below"`` when a lower one is; a prediction equal to the median counts on
        neither side.
    rates : ndarray
        One rate per group, in the order of the group table's index.
    """

    median: float
    side: str
    rates: np.ndarray


def scoring_rates(
    codes: np.ndarray, n_groups: int, predictions: np.ndarray, *, higher: bool = True
) -> ScoringRates:
    """Each group's share of predictions strictly beyond the sample's median.

    Rows with code -1 (left out) count in the median, not in any group.

    Examples
    --------
    >>> r = scoring_rates(np.array([0, 0, 1, 1]), 2, np.array([1.0, 4.0, 2.0, 3.0]))
    >>> r.median, r.rates.tolist()
    (2.5, [0.5, 0.5])
    >>> scoring_rates(np.array([0, 0, 1, 1]), 2, np.array([1.0, 2.0, 3.0, 4.0])).rates.tolist()
    [0.0, 1.0]
    """
    pred = np.asarray(predictions, dtype=float)
    median = float(np.median(pred))
    beyond = pred > median if higher else pred < median
    keep = codes >= 0
    count = np.bincount(codes[keep], minlength=n_groups)
    hits = np.bincount(codes[keep], weights=beyond[keep].astype(float), minlength=n_groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        rates = hits / count
    return ScoringRates(median, "above" if higher else "below", rates)


def scoring_rates_from_cells(
    codes: np.ndarray,
    n_groups: int,
    beyond: np.ndarray,
    sizes: np.ndarray,
    median: float,
    *,
    higher: bool = True,
) -> ScoringRates:
    """:func:`scoring_rates` for data seen in parts: per cell, its rows beyond the median
    (counted when every prediction was at hand) and its rows; ``codes`` the group of each cell.

    >>> r = scoring_rates_from_cells(np.array([0, 1, 1]), 2, np.array([1.0, 0.0, 2.0]),
    ...                              np.array([2.0, 1.0, 3.0]), 2.5)
    >>> r.rates.tolist()
    [0.5, 0.5]
    """
    keep = codes >= 0
    count = np.bincount(codes[keep], weights=sizes[keep], minlength=n_groups)
    hits = np.bincount(codes[keep], weights=beyond[keep], minlength=n_groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        rates = hits / count
    return ScoringRates(float(median), "above" if higher else "below", rates)
