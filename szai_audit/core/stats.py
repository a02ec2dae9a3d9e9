"""Statistical tests and corrections used by the audit, vectorised over many comparisons.

* :func:`two_proportion_test`: two groups' rates compared with Pearson's chi-square test on the
  2x2 table, or Fisher's exact test when an expected count is below 5.
* :func:`benjamini_hochberg`: adjusted p-values controlling the false discovery rate.
* :func:`normal_p_value`: two-sided p-value of an estimate and its standard error.
* :func:`clopper_pearson`: the exact interval of a proportion.

Only ``scipy.special`` / ``scipy.stats`` distributions are used; the tests themselves are
written out here (and cross-checked against ``scipy.stats.chi2_contingency`` and
``scipy.stats.fisher_exact`` in the test suite).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import InputError

__all__ = [
    "ProportionTest",
    "benjamini_hochberg",
    "clopper_pearson",
    "normal_p_value",
    "two_proportion_test",
    "weighted_median",
    "weighted_quantile",
    "z_value",
]

#: Below this expected cell count the chi-square approximation is not trusted (Cochran's rule).
MIN_EXPECTED = 5.0


@dataclass(frozen=True)
class ProportionTest:
    """p-values of a batch of 2x2 comparisons and the test used for each."""

    p_value: np.ndarray
    method: np.ndarray  # "chi2" or "fisher" per comparison


def two_proportion_test(
    k1: np.ndarray | int, n1: np.ndarray | int, k2: np.ndarray | int, n2: np.ndarray | int
) -> ProportionTest:
    """Two-sided test that ``k1/n1`` and ``k2/n2`` are equal.

    Pearson's chi-square test (no continuity correction) on the table
    ``[[k1, n1 - k1], [k2, n2 - k2]]``, or Fisher's exact test where any expected count is below
    5. A comparison with an empty group, or where every row has the same outcome, has
    p-value 1.

    Examples
    --------
    >>> r = two_proportion_test([30], [100], [50], [100])
    >>> round(float(r.p_value[0]), 4), str(r.method[0])
    (0.0039, 'chi2')
    >>> r = two_proportion_test([1], [10], [7], [10])
    >>> round(float(r.p_value[0]), 4), str(r.method[0])
    (0.0198, 'fisher')
    """
    from scipy import special

    k1, n1, k2, n2 = (np.atleast_1d(np.asarray(v, dtype=float)) for v in (k1, n1, k2, n2))
    n = n1 + n2
    k = k1 + k2
    with np.errstate(divide="ignore", invalid="ignore"):
        # Expected counts of the four cells under equal proportions.
        e11, e12 = n1 * k / n, n1 * (n - k) / n
        e21, e22 = n2 * k / n, n2 * (n - k) / n
        stat = (
            (k1 - e11) ** 2 / e11
            + ((n1 - k1) - e12) ** 2 / e12
            + (k2 - e21) ** 2 / e21
            + ((n2 - k2) - e22) ** 2 / e22
        )
    degenerate = (n1 == 0) | (n2 == 0) | (k == 0) | (k == n)
    p = np.where(degenerate, 1.0, special.chdtrc(1, np.nan_to_num(stat)))
    min_expected = np.minimum.reduce([e11, e12, e21, e22])
    use_fisher = ~degenerate & (min_expected < MIN_EXPECTED)
    if use_fisher.any():
        p = p.copy()
        idx = np.flatnonzero(use_fisher)
        p[idx] = _fisher_exact(k1[idx], n1[idx], k2[idx], n2[idx])
    method = np.where(use_fisher, "fisher", "chi2")
    return ProportionTest(np.clip(p, 0.0, 1.0), method)


#: Support points of the tables whose probabilities one scipy call computes: a batch of
#: tables is cut into parts of about this many, so that memory stays bounded.
FISHER_BATCH = 1_000_000


def _fisher_exact(k1: np.ndarray, n1: np.ndarray, k2: np.ndarray, n2: np.ndarray) -> np.ndarray:
    """Two-sided Fisher exact tests (sum of the tables no more probable than the observed
    one) of many 2x2 tables: the hypergeometric probabilities of the tables' supports in one
    scipy call per part of :data:`FISHER_BATCH` points (one call per table cost 1 ms: 28 s
    for 10,000 groups); each table's p-value is the sum scipy's test would take."""
    k1, n1, k2, n2 = (np.asarray(x, dtype=np.int64) for x in (k1, n1, k2, n2))
    positives = k1 + k2
    low = np.maximum(0, positives - n2)
    sizes = np.minimum(positives, n1) - low + 1
    out = np.empty(len(k1))
    ends = np.cumsum(sizes)
    start = 0
    while start < len(k1):
        stop = int(np.searchsorted(ends, ends[start] - sizes[start] + FISHER_BATCH, "right"))
        part = slice(start, max(stop, start + 1))
        out[part] = _fisher_part(k1[part], n1[part], n2[part], positives[part], low[part])
        start = part.stop
    return out


def _fisher_part(
    k1: np.ndarray, n1: np.ndarray, n2: np.ndarray, positives: np.ndarray, low: np.ndarray
) -> np.ndarray:
    """:func:`_fisher_exact` of a few tables, their supports in one array."""
    from scipy.stats import hypergeom

    sizes = np.minimum(positives, n1) - low + 1
    table = np.repeat(np.arange(len(k1)), sizes)
    first = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    support = np.arange(len(table)) - first[table] + low[table]
    probs = hypergeom.pmf(support, (n1 + n2)[table], positives[table], n1[table])
    observed = probs[first + k1 - low]
    # The same relative tolerance scipy uses, so that ties in probability count.
    kept = np.flatnonzero(probs <= observed[table] * (1 + 1e-7))
    # Each table's own sum (numpy's pairwise sum, as for one table at a time); the observed
    # table always counts, so none is empty.
    parts = np.split(probs[kept], np.searchsorted(kept, first)[1:])
    return np.minimum(1.0, [float(x.sum()) for x in parts])


def benjamini_hochberg(p_values: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (false discovery rate), same order as given.

    Examples
    --------
    >>> benjamini_hochberg(np.array([0.01, 0.04, 0.03, 0.5])).round(3).tolist()
    [0.04, 0.053, 0.053, 0.5]

    A NaN (a test that could not run) stays NaN and does not count as a comparison.
    """
    p = np.asarray(p_values, dtype=float)
    out = np.full(p.shape, np.nan)
    finite = np.isfinite(p)  # a test that could not be computed is left out, not poisoning
    q = p[finite]
    m = q.size
    if m == 0:
        return out
    order = np.argsort(q, kind="stable")
    ranked = q[order] * (m / np.arange(1, m + 1))  # m / i >= 1: never rounds below q
    adjusted = np.minimum.accumulate(ranked[::-1])[::-1]
    sub = np.empty(m)
    sub[order] = np.clip(adjusted, 0.0, 1.0)
    out[finite] = sub
    return out


def z_value(level: float) -> float:
    """The two-sided normal quantile of a confidence level: 1.96 for 0.95.

    >>> round(z_value(0.95), 4)
    1.96
    """
    from scipy.special import ndtri

    return float(ndtri(1 - (1 - level) / 2))


def normal_p_value(estimate: np.ndarray | float, se: np.ndarray | float) -> np.ndarray:
    """Two-sided p-value of ``estimate / se`` under a standard normal (1 when se is 0 or NaN)."""
    from scipy import special

    est = np.atleast_1d(np.asarray(estimate, dtype=float))
    se_arr = np.broadcast_to(np.asarray(se, dtype=float), est.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.abs(est / se_arr)
    p = 2.0 * special.ndtr(-z)
    return np.where(np.isfinite(z), p, np.where((se_arr == 0) & (est != 0), 0.0, 1.0))


def clopper_pearson(k: int, n: int, level: float) -> tuple[float, float]:
    """The exact (Clopper-Pearson) interval of the proportion ``k / n`` at ``level``.

    Its ends are the ``(1 - level) / 2`` quantile of Beta(k, n - k + 1) and the
    ``(1 + level) / 2`` quantile of Beta(k + 1, n - k): the proportions at which seeing ``k``
    or more (``k`` or fewer) of ``n`` has probability ``(1 - level) / 2``; 0 below when
    ``k = 0`` and 1 above when ``k = n``. It covers the proportion with probability at least
    ``level`` whatever it is (conservative for a count). The same interval as
    ``scipy.stats.binomtest(k, n).proportion_ci(level, method="exact")``.

    Examples
    --------
    >>> [round(x, 4) for x in clopper_pearson(26, 300, 0.95)]
    [0.0574, 0.1244]
    >>> clopper_pearson(0, 300, 0.95)[0]
    0.0
    """
    from scipy.special import betaincinv

    if n < 1 or not 0 <= k <= n:
        raise InputError(f"clopper_pearson needs 0 <= k <= n and n >= 1, got k={k}, n={n}.")
    if not 0 < level < 1:
        raise InputError(f"clopper_pearson needs a level between 0 and 1, got {level!r}.")
    tail = (1 - level) / 2
    low = 0.0 if k == 0 else float(betaincinv(k, n - k + 1, tail))
    high = 1.0 if k == n else float(betaincinv(k + 1, n - k, 1 - tail))
    return low, high


def _sorted_value_at(values: np.ndarray, cum: np.ndarray, index: np.ndarray) -> np.ndarray:
    """Element ``index`` (0-based) of the sorted sample with distinct ``values`` occurring
    ``cum[i] - cum[i-1]`` times."""
    return values[np.searchsorted(cum, index, side="right")]


def weighted_quantile(values: np.ndarray, counts: np.ndarray, qs: np.ndarray) -> np.ndarray:
    """``np.quantile(np.repeat(values, counts), qs)`` (the default "linear" method) without
    building the repeated sample: quantiles of data seen as counts of distinct values.

    ``values`` must be sorted and distinct. The interpolation is numpy's, step for step, so
    the result is the same to the last bit.

    Examples
    --------
    >>> v, c = np.array([1.0, 2.0, 7.0]), np.array([3, 1, 2])
    >>> bool(np.array_equal(weighted_quantile(v, c, np.array([0.1, 0.5, 0.9])),
    ...                     np.quantile(np.repeat(v, c), [0.1, 0.5, 0.9])))
    True
    """
    values = np.asarray(values, dtype=float)
    cum = np.cumsum(np.asarray(counts, dtype=np.int64))
    n = int(cum[-1])
    qs = np.asarray(qs, dtype=float)
    virtual = (n - 1) * qs
    prev = np.floor(virtual)
    nxt = prev + 1
    above = virtual >= n - 1
    prev[above] = n - 1
    nxt[above] = n - 1
    nxt = np.minimum(nxt, n - 1)
    gamma = virtual - prev
    a = _sorted_value_at(values, cum, prev.astype(np.int64))
    b = _sorted_value_at(values, cum, nxt.astype(np.int64))
    diff = b - a
    out = a + diff * gamma
    return np.where(gamma >= 0.5, b - diff * (1 - gamma), out)


def weighted_median(values: np.ndarray, counts: np.ndarray) -> float:
    """``np.median(np.repeat(values, counts))`` from distinct sorted values and their counts.

    Examples
    --------
    >>> weighted_median(np.array([1.0, 2.0, 7.0]), np.array([1, 1, 2]))
    4.5
    """
    values = np.asarray(values, dtype=float)
    cum = np.cumsum(np.asarray(counts, dtype=np.int64))
    n = int(cum[-1])
    mid = np.array([(n - 1) // 2, n // 2], dtype=np.int64)
    a, b = _sorted_value_at(values, cum, mid)
    return float(a) if n % 2 else float(np.mean([a, b]))
