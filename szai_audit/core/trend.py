"""Dose-response: how an outcome moves along a numeric attribute, raw and given factors.

Cutting a number (a neighbourhood's share of residents of one ethnicity, an age) into a few
bins and comparing the bins can hide a steady trend: every bin is close to its neighbour, yet
the outcome climbs from one end to the other. :func:`fit_trend` fits the straight line
``outcome = a + b * value (+ factors)`` by ordinary least squares with heteroskedasticity-
robust (HC1) standard errors, and reads it between the attribute's 10th and 90th percentiles
(P10 and P90, where most of the data lie): the *effect* is the change of the fitted outcome
from P10 to P90, ``b * (P90 - P10)``, and :meth:`Trend.level_at` gives the fitted outcome at a
value with the factors at their mean.

The numbers are those of ``statsmodels.OLS(y, X).fit(cov_type="HC1")``; ``tests/test_trend.py``
checks them against it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .errors import InputError
from .judging import SCALES, Comparison, normal_comparison
from .stats import weighted_quantile

__all__ = ["Trend", "ends_compared", "fit_lines", "fit_trend", "ols_hc1", "trend_comparisons"]

#: The percentiles a trend is read between.
LOW_QUANTILE, HIGH_QUANTILE = 0.10, 0.90


#: Rows of the regressors formed and summed at a time: the normal equations and the HC1 meat
#: are sums over rows, so memory stays at a block whatever the number of rows (and a single
#: block, up to this many rows, is the plain matrix product).
OLS_BLOCK = 1 << 16

#: ``block(start, stop)``: the regressors of rows ``start:stop``, formed on demand.
Regressors = Callable[[int, int], np.ndarray]


def ols_hc1(
    x: np.ndarray | Regressors,
    y: np.ndarray,
    weights: np.ndarray | None = None,
    within: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """OLS coefficients and their HC1 covariance, from the normal equations (the
    pseudo-inverse gives the minimum-norm solution when columns are collinear).

    An entry may stand for ``weights`` rows sharing its regressors, with ``y`` their mean and
    ``within`` the sum of their squared deviations from it: the result is that of the rows.
    ``x`` is the matrix of regressors, or a function giving the regressors of a block of rows
    (``x(start, stop)``), so that the whole matrix of millions of rows is never held; the sums
    run over blocks of :data:`OLS_BLOCK` rows.

    >>> x = np.column_stack([np.ones(4), [0.0, 1.0, 2.0, 3.0]])
    >>> beta, cov = ols_hc1(x, np.array([1.0, 3.0, 5.0, 7.0]))
    >>> beta.round(6).tolist(), bool(np.allclose(cov, 0))
    ([1.0, 2.0], True)
    """
    rows = len(y)
    w = np.ones(rows) if weights is None else np.asarray(weights, dtype=float)
    ss = np.zeros(rows) if within is None else np.asarray(within, dtype=float)
    block: Regressors = x if callable(x) else (lambda start, stop: x[start:stop])
    spans = [(s, min(s + OLS_BLOCK, rows)) for s in range(0, rows, OLS_BLOCK)] or [(0, 0)]
    xtx: np.ndarray | None = None
    xty: np.ndarray | None = None
    for s, e in spans:
        xb = block(s, e)
        part, part_y = xb.T @ (xb * w[s:e, None]), xb.T @ (w[s:e] * y[s:e])
        xtx, xty = (part, part_y) if xtx is None or xty is None else (xtx + part, xty + part_y)
    assert xtx is not None and xty is not None
    n, p = float(w.sum()), xtx.shape[0]
    bread = np.linalg.pinv(xtx)
    beta = bread @ xty
    meat = np.zeros_like(xtx)
    for s, e in spans:
        xb = block(s, e)
        resid = y[s:e] - xb @ beta
        meat = meat + (xb * (w[s:e] * resid**2 + ss[s:e])[:, None]).T @ xb
    return beta, bread @ meat @ bread * (n / max(n - p, 1))


@dataclass(frozen=True)
class Trend:
    """A straight-line fit of an outcome on a numeric attribute (and factors).

    Attributes
    ----------
    slope, slope_se : float
        The coefficient of the attribute and its HC1 standard error.
    low, high : float
        The attribute's 10th and 90th percentiles.
    effect, effect_se : float
        ``slope * (high - low)``: the change of the fitted outcome from ``low`` to ``high``.
    p_value : float
        Two-sided p-value of ``slope == 0`` (normal reference, as statsmodels with HC1).
    n : int
        Rows fitted (those with a value and an outcome).
    n_factors : int
        Columns of the factors' design (0: the raw trend).
    """

    slope: float
    slope_se: float
    low: float
    high: float
    effect: float
    effect_se: float
    p_value: float
    n: int
    n_factors: int
    #: Coefficients and their covariance, for fitted levels and their ratio.
    beta: np.ndarray
    cov: np.ndarray
    design_mean: np.ndarray

    def _row(self, value: float) -> np.ndarray:
        return np.concatenate([[1.0, value], self.design_mean])

    def level_at(self, value: float) -> float:
        """The fitted outcome at ``value``, the factors at their mean."""
        return float(self._row(value) @ self.beta)

    def log_ratio(self) -> tuple[float, float]:
        """``log(level_at(high) / level_at(low))`` and its delta-method standard error (NaN
        when a fitted level is not positive)."""
        lo, hi = self.level_at(self.low), self.level_at(self.high)
        if lo <= 0 or hi <= 0:
            return math.nan, math.nan
        grad = self._row(self.high) / hi - self._row(self.low) / lo
        return math.log(hi / lo), float(math.sqrt(max(grad @ self.cov @ grad, 0.0)))


def fit_trend(
    outcome: np.ndarray,
    value: np.ndarray,
    design: np.ndarray | None = None,
    *,
    weights: np.ndarray | None = None,
    within: np.ndarray | None = None,
) -> Trend:
    """The straight line of ``outcome`` on ``value`` (and the factors' ``design`` columns).

    Rows without a value or an outcome are left out. For data seen in parts, each entry can
    stand for ``weights`` rows sharing the value, ``outcome`` their mean and ``within`` the
    sum of their squared deviations from it: the fit, its HC1 errors and the percentiles
    are then those of the rows themselves.

    Parameters
    ----------
    outcome : ndarray of float
        One per row (a 0/1 favourable decision, a log price, a prediction).
    value : ndarray of float
        The numeric attribute, same rows (NaN: unknown).
    design : ndarray, optional
        The legitimate factors' regression columns, same rows
        (:attr:`~szai_audit.core.conditional.PreparedFactors.design`).
    weights, within : ndarray, optional
        Rows per entry, and their outcome's sum of squared deviations (default 1 and 0).

    Returns
    -------
    Trend

    Raises
    ------
    InputError
        When fewer than three rows have a value, or P10 and P90 coincide.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> share = rng.uniform(0, 1, 5000)
    >>> log_price = 1 + 0.115 * share + rng.normal(0, 0.05, 5000)
    >>> t = fit_trend(log_price, share)
    >>> round(t.slope, 2), round(t.low, 1), round(t.high, 1)
    (0.12, 0.1, 0.9)
    """
    y, x, d, w, ss = _kept(outcome, value, design, weights, within)
    n = round(float(w.sum()))
    if n < 3:
        raise InputError(f"a trend needs at least 3 rows with a value, got {n}.")
    low, high = _percentiles(x, None if weights is None else w)
    if not high > low:
        raise InputError(
            f"the values' 10th and 90th percentiles coincide ({low:g}); there is no range "
            f"to read a trend over."
        )
    beta, cov = ols_hc1(np.column_stack([np.ones(len(y)), x, d]), y, w, ss)
    slope, slope_se = float(beta[1]), float(math.sqrt(max(cov[1, 1], 0.0)))
    z = slope / slope_se if slope_se > 0 else (0.0 if slope == 0 else math.inf)
    return Trend(
        slope=slope,
        slope_se=slope_se,
        low=low,
        high=high,
        effect=slope * (high - low),
        effect_se=slope_se * (high - low),
        p_value=float(math.erfc(abs(z) / math.sqrt(2))),
        n=n,
        n_factors=d.shape[1],
        beta=beta,
        cov=cov,
        design_mean=(w @ d) / w.sum() if d.shape[1] else np.empty(0),
    )


def _kept(
    outcome: np.ndarray,
    value: np.ndarray,
    design: np.ndarray | None,
    weights: np.ndarray | None,
    within: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The entries with a value and an outcome: outcome, value, design, weights, within."""
    y = np.asarray(outcome, dtype=float)
    x = np.asarray(value, dtype=float)
    d = np.empty((len(y), 0)) if design is None else np.asarray(design, dtype=float)
    w = np.ones(len(y)) if weights is None else np.asarray(weights, dtype=float)
    ss = np.zeros(len(y)) if within is None else np.asarray(within, dtype=float)
    if not (len(y) == len(x) == len(d) == len(w) == len(ss)):
        raise InputError(
            f"outcome, value, design and weights must have the same rows, got {len(y)}, "
            f"{len(x)}, {len(d)} and {len(w)}."
        )
    keep = np.isfinite(y) & np.isfinite(x) & (w > 0)
    return y[keep], x[keep], d[keep], w[keep], ss[keep]


def _percentiles(x: np.ndarray, w: np.ndarray | None) -> tuple[float, float]:
    """P10 and P90 of the rows (numpy's "linear" quantiles; weighted entries expanded)."""
    qs = np.array([LOW_QUANTILE, HIGH_QUANTILE])
    if w is None:
        low, high = np.quantile(x, qs)
    else:
        values, inverse = np.unique(x, return_inverse=True)
        counts = np.bincount(inverse, weights=w).round().astype(np.int64)
        low, high = weighted_quantile(values, counts, qs)
    return float(low), float(high)


def trend_comparisons(
    trend: Trend,
    *,
    scale: str,
    threshold: float,
    level: float,
    labels: tuple[str, str],
    higher_is_better: bool,
    extra: dict[str, object] | None = None,
) -> list[Comparison]:
    """The trend as two comparisons, the high end (P90) against the low end (P10) and the low
    against the high, each valued as the harm to its group, so that the decision rule reads
    both ends: FAIL when either end is shown worse off beyond the tolerance, PASS when both
    intervals lie within it.

    ``scale``: ``"points"`` (a rate: the value is the gap in proportions, ``at_most``
    ``threshold``), ``"log"`` (a price: the value is the relative gap, tested on the log scale
    against ``log1p(threshold)``) or ``"ratio"`` (a mean: the value is the ratio of the
    fitted means, tested on the log scale, ``at_least`` ``threshold``). ``labels`` names the
    low and the high end.
    """
    low_label, high_label = labels
    if scale == "ratio":
        est, se = trend.log_ratio()
    else:
        est, se = trend.effect, trend.effect_se
    common = {
        "slope": trend.slope,
        "slope_se": trend.slope_se,
        "low": trend.low,
        "high": trend.high,
        "level_low": trend.level_at(trend.low),
        "level_high": trend.level_at(trend.high),
        "rows": trend.n,
        **(extra or {}),
    }
    out: list[Comparison] = []
    for group, reference, sign in ((high_label, low_label, 1.0), (low_label, high_label, -1.0)):
        up = sign * est  # the group's outcome above the reference's, on the fitted line
        harm = -up if higher_is_better else up
        if scale == "ratio":  # the group's fitted mean over the reference's, harmed when low
            value, direction, to = -harm, "at_least", "log"
        elif scale == "log":  # a relative price gap, harmed when high
            value, direction, to = harm, "at_most", "log1p"
        else:
            value, direction, to = harm, "at_most", "identity"
        out.append(
            normal_comparison(
                group,
                reference,
                SCALES[to][1](value),
                se,
                threshold=threshold,
                direction=direction,
                level=level,
                scale=to,
                method=f"ols_hc1_{scale}",
                size=trend.n,
                extra=common,
            )
        )
    return out


def fit_lines(
    outcome: np.ndarray,
    value: np.ndarray,
    design: np.ndarray | None = None,
    *,
    min_rows: int,
    what: str = "rows",
    weights: np.ndarray | None = None,
    within: np.ndarray | None = None,
) -> tuple[Trend, Trend | None]:
    """The raw line of ``outcome`` on ``value`` and, given the factors' ``design``, the line
    given them (None without a design): the two lines every trend finding reads.

    Raises
    ------
    InputError
        When fewer than ``min_rows`` rows (``what``: "rows", "orders") have a value, or a
        line cannot be fitted; the finding says so.

    >>> x = np.arange(40.0); y = (x > 20).astype(float)
    >>> raw, given = fit_lines(y, x, min_rows=30)
    >>> bool(np.isclose(raw.slope, np.polyfit(x, y, 1)[0])), given is None  # OLS slope
    (True, True)
    """
    x = np.asarray(value, dtype=float)
    w = np.ones(len(x)) if weights is None else np.asarray(weights, dtype=float)
    known = round(float(w[np.isfinite(x)].sum()))
    if known < min_rows:
        raise InputError(f"{known} {what} have a value; at least {min_rows}")
    raw = fit_trend(outcome, x, weights=weights, within=within)
    return raw, None if design is None else fit_trend(outcome, x, design)


def ends_compared(
    raw: Trend, *, scale: str, threshold: float, level: float, higher_is_better: bool
) -> Callable[[Trend], list[Comparison]]:
    """A function giving a line's two comparisons (:func:`trend_comparisons`) with the ends
    named by the raw line's percentiles (``P10 (24.8)``, ``P90 (64.7)``), so that the raw line
    and the line given the factors compare the same two ends under the same names."""
    ends = (f"P10 ({raw.low:.3g})", f"P90 ({raw.high:.3g})")

    def compare(t: Trend) -> list[Comparison]:
        return trend_comparisons(
            t,
            scale=scale,
            threshold=threshold,
            level=level,
            labels=ends,
            higher_is_better=higher_is_better,
        )

    return compare
