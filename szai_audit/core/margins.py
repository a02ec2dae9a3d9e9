"""Tests and intervals for a gap against a tolerance: is it shown beyond it, or within it?

A finding compares a group with a reference group and asks whether the gap between them is
beyond the tolerance the audit's policy sets. The null hypothesis of every decided finding is
"the gap is within the tolerance" (``H0: gap <= margin``, or ``ratio >= margin`` for a ratio
rule); rejecting it is evidence that the gap is beyond the tolerance.

Two proportions (a rate of one group against the same rate of the reference):

* :func:`score_margin_test`: the score test of Miettinen and Nurminen (1985) for the
  difference ``p1 - p2`` or the ratio ``p1 / p2`` against a margin (Farrington and Manning,
  1990), with the variance taken under the null (the maximum-likelihood proportions constrained
  to the margin) and the factor N / (N - 1);
* :func:`exact_margin_test`: the exact unconditional version (Chan, 1998) for small counts: the
  same score statistic, its p-value the largest over the nuisance parameter on the boundary of
  the null of the probability of a table at least as extreme;
* :func:`margin_test`: the score test, or the exact one where an expected count under the null
  is below 5 (Cochran's rule) and the tables are few enough to enumerate;
* :func:`score_interval`: the interval of all margins the score test does not reject (the
  Miettinen-Nurminen interval), so that the interval and the test never disagree.

An estimate with a standard error (an AUC, a mean, a regression coefficient):
:func:`normal_margin_test` and :func:`normal_interval`.

The constrained maximum-likelihood proportions are found by bisection: the score equation is
strictly monotone in the reference's proportion, so its root is unique.

Examples
--------
>>> r = score_margin_test(21, 40, 80, 200, 0.10, scale="diff", alternative="greater")
>>> round(float(r.p_value[0]), 3)  # 52.5% vs 40%: a gap of 12.5 points, not shown beyond 10
0.386
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import InputError

__all__ = [
    "MIN_EXPECTED",
    "MarginTest",
    "exact_margin_test",
    "margin_test",
    "normal_interval",
    "normal_margin_test",
    "score_interval",
    "score_margin_test",
]

#: Below this expected cell count the normal approximation is not trusted (Cochran's rule).
MIN_EXPECTED = 5.0
#: The exact test enumerates (n1 + 1) (n2 + 1) tables; beyond this many it is not used.
MAX_EXACT_TABLES = 250_000
_SCALES = ("diff", "ratio")
_ALTERNATIVES = ("greater", "less")


@dataclass(frozen=True)
class MarginTest:
    """p-values of a batch of comparisons against a margin, and the test used for each."""

    statistic: np.ndarray
    p_value: np.ndarray
    method: np.ndarray  # "score" or "exact" per comparison


def _ndtr(x: np.ndarray) -> np.ndarray:
    from scipy.special import ndtr

    return np.asarray(ndtr(x), dtype=float)


def _arrays(*values: object) -> list[np.ndarray]:
    arrays = [np.atleast_1d(np.asarray(v, dtype=float)) for v in values]
    return list(np.broadcast_arrays(*arrays))


def _check(scale: str, alternative: str) -> None:
    if scale not in _SCALES:
        raise InputError(f"scale must be one of {list(_SCALES)}, got {scale!r}.")
    if alternative not in _ALTERNATIVES:
        raise InputError(f"alternative must be one of {list(_ALTERNATIVES)}, got {alternative!r}.")


def _bounds(margin: np.ndarray, scale: str) -> tuple[np.ndarray, np.ndarray]:
    """The range of the reference's proportion p2 that keeps p1 (on the margin) in [0, 1]."""
    if scale == "diff":  # p1 = p2 + margin
        return np.maximum(0.0, -margin), np.minimum(1.0, 1.0 - margin)
    return np.zeros_like(margin), np.minimum(1.0, 1.0 / margin)  # p1 = margin * p2


def _on_margin(p2: np.ndarray, margin: np.ndarray | float, scale: str) -> np.ndarray:
    return p2 + margin if scale == "diff" else margin * p2


def constrained_mle(
    k1: np.ndarray, n1: np.ndarray, k2: np.ndarray, n2: np.ndarray, margin: np.ndarray, scale: str
) -> tuple[np.ndarray, np.ndarray]:
    """The maximum-likelihood proportions (p1, p2) of two binomial samples under the constraint
    ``p1 - p2 = margin`` (``scale="diff"``) or ``p1 = margin * p2`` (``"ratio"``).

    The closed forms of Miettinen and Nurminen (1985) and Farrington and Manning (1990): the
    root of a cubic for the difference, of a quadratic for the ratio; where rounding leaves
    them undefined (a proportion at 0 or 1 on the margin's edge), the score equation is
    bisected instead.
    """
    k1, n1, k2, n2, margin = (np.asarray(x, dtype=float) for x in (k1, n1, k2, n2, margin))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        p2 = _closed_form(k1, n1, k2, n2, margin, scale)
    lo, hi = _bounds(margin, scale)
    bad = ~np.isfinite(p2) | (p2 < lo - 1e-12) | (p2 > hi + 1e-12)
    if bad.any():
        idx = np.flatnonzero(bad)
        p2 = np.array(p2, dtype=float)
        p2[idx] = _bisect_mle(k1[idx], n1[idx], k2[idx], n2[idx], margin[idx], scale)
    p2 = np.clip(p2, lo, hi)
    return np.clip(_on_margin(p2, margin, scale), 0.0, 1.0), p2


def _closed_form(
    k1: np.ndarray, n1: np.ndarray, k2: np.ndarray, n2: np.ndarray, margin: np.ndarray, scale: str
) -> np.ndarray:
    """The reference's constrained proportion p2 in closed form (NaN where undefined)."""
    if scale == "ratio":
        a = (n1 + n2) * margin
        b = -(n1 * margin + k1 + n2 + k2 * margin)
        c = k1 + k2
        disc = np.sqrt(np.maximum(b * b - 4 * a * c, 0.0))
        return np.asarray((-b - disc) / (2 * a))
    x1, x2, d = k1 / n1, k2 / n2, margin
    theta = n2 / n1
    a = 1 + theta
    b = -(1 + theta + x1 + theta * x2 + d * (theta + 2))
    c = d * d + d * (2 * x1 + theta + 1) + x1 + theta * x2
    e = -x1 * d * (1 + d)
    v = b**3 / (27 * a**3) - b * c / (6 * a**2) + e / (2 * a)
    u = np.sign(v) * np.sqrt(np.maximum(b * b / (9 * a * a) - c / (3 * a), 0.0))
    # u = 0 only where v = 0 too (a triple root): the cosine term vanishes.
    cosine = np.where(u != 0, np.clip(v / np.where(u != 0, u, 1.0) ** 3, -1.0, 1.0), 0.0)
    w = (np.pi + np.arccos(cosine)) / 3
    p1 = 2 * u * np.cos(w) - b / (3 * a)
    return np.asarray(p1 - d)


def _bisect_mle(
    k1: np.ndarray, n1: np.ndarray, k2: np.ndarray, n2: np.ndarray, margin: np.ndarray, scale: str
) -> np.ndarray:
    """The constrained p2 by bisection of the score equation (strictly decreasing in p2)."""
    lo, hi = _bounds(margin, scale)
    slope = 1.0 if scale == "diff" else margin

    def score(p2: np.ndarray) -> np.ndarray:
        p1 = _on_margin(p2, margin, scale)
        with np.errstate(divide="ignore", invalid="ignore"):
            s1 = np.where(k1 > 0, k1 / p1, 0.0) - np.where(n1 - k1 > 0, (n1 - k1) / (1 - p1), 0.0)
            s2 = np.where(k2 > 0, k2 / p2, 0.0) - np.where(n2 - k2 > 0, (n2 - k2) / (1 - p2), 0.0)
        return np.nan_to_num(slope * s1 + s2, nan=0.0, posinf=1e300, neginf=-1e300)

    a, b = lo.copy(), hi.copy()
    for _ in range(80):
        mid = (a + b) / 2
        positive = score(mid) > 0
        a = np.where(positive, mid, a)
        b = np.where(positive, b, mid)
    return (a + b) / 2


def _statistic(
    k1: np.ndarray, n1: np.ndarray, k2: np.ndarray, n2: np.ndarray, margin: np.ndarray, scale: str
) -> np.ndarray:
    """The Miettinen-Nurminen score statistic of ``p1 - p2 - margin`` (or ``p1 - margin p2``)."""
    p1, p2 = k1 / n1, k2 / n2
    q1, q2 = constrained_mle(k1, n1, k2, n2, margin, scale)
    weight = 1.0 if scale == "diff" else margin**2
    n = n1 + n2
    var = (q1 * (1 - q1) / n1 + weight * q2 * (1 - q2) / n2) * n / (n - 1)
    gap = p1 - p2 - margin if scale == "diff" else p1 - margin * p2
    with np.errstate(divide="ignore", invalid="ignore"):
        z = gap / np.sqrt(var)
    # A null variance of 0 (every proportion at 0 or 1): the gap alone decides.
    return np.where(var > 0, z, _signed_infinity(gap))


def _signed_infinity(gap: np.ndarray) -> np.ndarray:
    return np.where(gap > 0, np.inf, np.where(gap < 0, -np.inf, 0.0))


def _one_sided(z: np.ndarray, alternative: str) -> np.ndarray:
    p = _ndtr(-z) if alternative == "greater" else _ndtr(z)
    return np.where(np.isnan(z), 1.0, p)


def score_margin_test(
    k1: object,
    n1: object,
    k2: object,
    n2: object,
    margin: object,
    *,
    scale: str = "diff",
    alternative: str = "greater",
) -> MarginTest:
    """One-sided score test of two proportions against a margin.

    ``alternative="greater"`` tests ``H0: p1 - p2 <= margin`` against ``p1 - p2 > margin``
    (``scale="diff"``) or ``H0: p1 / p2 <= margin`` (``"ratio"``); ``"less"`` the other side.

    Examples
    --------
    >>> r = score_margin_test(158, 200, 1000, 1000, 0.8, scale="ratio", alternative="less")
    >>> round(float(r.statistic[0]), 3), round(float(r.p_value[0]), 3)
    (-0.353, 0.362)
    """
    _check(scale, alternative)
    k1, n1, k2, n2, m = _arrays(k1, n1, k2, n2, margin)
    z = _statistic(k1, n1, k2, n2, m, scale)
    return MarginTest(z, _one_sided(z, alternative), np.full(z.shape, "score", dtype=object))


def _binomial_pmf(n: int, p: np.ndarray) -> np.ndarray:
    """P(X = x) for x = 0..n, one row per p."""
    from scipy.stats import binom

    return np.asarray(binom.pmf(np.arange(n + 1)[None, :], n, p[:, None]), dtype=float)


def _exact_one(
    k1: int, n1: int, k2: int, n2: int, margin: float, scale: str, alternative: str
) -> tuple[float, float]:
    x1, x2 = np.meshgrid(np.arange(n1 + 1.0), np.arange(n2 + 1.0), indexing="ij")
    shape = x1.shape
    m = np.full(x1.size, margin)
    z = _statistic(x1.ravel(), np.full(x1.size, n1), x2.ravel(), np.full(x1.size, n2), m, scale)
    z = z.reshape(shape)
    z_obs = float(z[k1, k2])
    extreme = (z >= z_obs - 1e-9) if alternative == "greater" else (z <= z_obs + 1e-9)
    lo, hi = (float(v[0]) for v in _bounds(np.array([margin]), scale))
    best = 0.0
    grid = np.linspace(lo, hi, 201)
    for _ in range(3):  # a grid of the nuisance parameter, refined around the largest value
        p2 = grid
        p1 = np.clip(_on_margin(p2, margin, scale), 0.0, 1.0)
        probs = np.einsum("gi,ij,gj->g", _binomial_pmf(n1, p1), extreme, _binomial_pmf(n2, p2))
        i = int(np.argmax(probs))
        best = max(best, float(probs[i]))
        step = grid[1] - grid[0]
        grid = np.linspace(max(lo, grid[i] - step), min(hi, grid[i] + step), 41)
    return z_obs, min(1.0, best)


def exact_margin_test(
    k1: object,
    n1: object,
    k2: object,
    n2: object,
    margin: object,
    *,
    scale: str = "diff",
    alternative: str = "greater",
) -> MarginTest:
    """The exact unconditional version of :func:`score_margin_test` (Chan, 1998).

    The p-value is the largest, over the reference's proportion on the boundary of the null
    (``p1 - p2 = margin``, or ``p1 = margin * p2``), of the probability of every table whose
    score statistic is at least as extreme as the one observed. The largest is searched on a
    grid of 201 points, refined twice around its best point.

    Examples
    --------
    >>> r = exact_margin_test(1, 10, 7, 10, 0.0, scale="diff", alternative="less")
    >>> round(float(r.p_value[0]), 4)
    0.004
    """
    _check(scale, alternative)
    k1, n1, k2, n2, m = _arrays(k1, n1, k2, n2, margin)
    z = np.empty(k1.shape)
    p = np.empty(k1.shape)
    for i in range(k1.size):
        z[i], p[i] = _exact_one(
            int(k1[i]), int(n1[i]), int(k2[i]), int(n2[i]), float(m[i]), scale, alternative
        )
    return MarginTest(z, p, np.full(z.shape, "exact", dtype=object))


def margin_test(
    k1: object,
    n1: object,
    k2: object,
    n2: object,
    margin: object,
    *,
    scale: str = "diff",
    alternative: str = "greater",
) -> MarginTest:
    """:func:`score_margin_test`, or :func:`exact_margin_test` for a comparison where an
    expected count under the null is below 5 and there are at most 250,000 tables.

    Examples
    --------
    >>> r = margin_test([21, 3], [40, 12], [80, 90], [200, 100], 0.1)
    >>> [str(m) for m in r.method]
    ['score', 'exact']
    """
    _check(scale, alternative)
    k1, n1, k2, n2, m = _arrays(k1, n1, k2, n2, margin)
    result = score_margin_test(k1, n1, k2, n2, m, scale=scale, alternative=alternative)
    q1, q2 = constrained_mle(k1, n1, k2, n2, m, scale)
    expected = np.minimum.reduce([n1 * q1, n1 * (1 - q1), n2 * q2, n2 * (1 - q2)])
    small = (expected < MIN_EXPECTED) & ((n1 + 1) * (n2 + 1) <= MAX_EXACT_TABLES)
    if not small.any():
        return result
    z, p, method = result.statistic.copy(), result.p_value.copy(), result.method.copy()
    idx = np.flatnonzero(small)
    exact = exact_margin_test(
        k1[idx], n1[idx], k2[idx], n2[idx], m[idx], scale=scale, alternative=alternative
    )
    z[idx], p[idx], method[idx] = exact.statistic, exact.p_value, "exact"
    return MarginTest(z, p, method)


def score_interval(
    k1: object, n1: object, k2: object, n2: object, *, scale: str = "diff", level: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """The Miettinen-Nurminen interval of ``p1 - p2`` (or ``p1 / p2``): every margin the
    two-sided score test at ``1 - level`` does not reject.

    Examples
    --------
    >>> lo, hi = score_interval(21, 40, 80, 200, level=0.95)
    >>> round(float(lo[0]), 4), round(float(hi[0]), 4)
    (-0.0412, 0.2868)
    """
    from scipy.special import ndtri

    _check(scale, "greater")
    k1, n1, k2, n2 = _arrays(k1, n1, k2, n2)
    crit = float(ndtri(1 - (1 - level) / 2))
    if scale == "diff":
        lo_end, hi_end = np.full(k1.shape, -1.0), np.full(k1.shape, 1.0)
        to_margin = lambda x: x  # noqa: E731 - the margin itself
    else:  # bisect on log(ratio), the ratio ranging over (e^-40, e^40)
        lo_end, hi_end = np.full(k1.shape, -40.0), np.full(k1.shape, 40.0)
        to_margin = np.exp

    def root(target: float) -> np.ndarray:
        a, b = lo_end.copy(), hi_end.copy()
        for _ in range(70):  # z decreases as the margin grows
            mid = (a + b) / 2
            above = _statistic(k1, n1, k2, n2, to_margin(mid), scale) > target
            a, b = np.where(above, mid, a), np.where(above, b, mid)
        return np.asarray(to_margin((a + b) / 2))

    return root(crit), root(-crit)


def normal_margin_test(
    estimate: object, se: object, margin: object, *, alternative: str = "greater"
) -> np.ndarray:
    """One-sided p-value of an estimate with a standard error against a margin:
    ``alternative="greater"`` tests ``H0: value <= margin``. A standard error of 0 decides by
    the estimate alone.

    Examples
    --------
    >>> round(float(normal_margin_test(0.07, 0.033, 0.10)[0]), 3)
    0.818
    """
    _check("diff", alternative)
    est, se_, m = _arrays(estimate, se, margin)
    gap = est - m
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(se_ > 0, gap / se_, _signed_infinity(gap))
    return _one_sided(z, alternative)


def normal_interval(estimate: object, se: object, level: float) -> tuple[np.ndarray, np.ndarray]:
    """``estimate ± z se``, the two-sided interval at ``level``."""
    from scipy.special import ndtri

    est, se_ = _arrays(estimate, se)
    z = float(ndtri(1 - (1 - level) / 2))
    return est - z * se_, est + z * se_
