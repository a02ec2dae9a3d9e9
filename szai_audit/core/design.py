"""Rows that are not independent, rows that are not the population: the sampling design.

By default every row is taken as one independent person (or order) of the population the audit
speaks of, each counting once. Two arguments of :class:`szai_audit.Audit` say otherwise:

* ``cluster=``: a column naming the independent unit each row belongs to (a person with
  several applications, a policy with several claims). Rows of one cluster may be alike; the
  clusters are taken as independent, the rows within them are not.
* ``weights=``: a column of sampling (survey) weights: how many people of the population a row
  stands for. Rates and means are weighted.

Under either, the gaps that honour the design (:data:`HONOURED`) are estimated as weighted
means and their standard errors by linearisation (the sandwich), the clusters as the
independent units; every such estimate equals a weighted least squares fit whose
cluster-robust covariance statsmodels computes, and is tested against it:

* a **difference of means** (of a 0/1 decision, a rate; or of an amount) of group ``g`` and
  the reference ``r`` (:func:`mean_difference`) is the coefficient of the group's indicator in
  the regression of the outcome on an intercept and that indicator, on the rows of the two
  groups: ``WLS(y, [1, d], weights=w).fit(cov_type="cluster", cov_kwds={"groups": c})``
  (``cov_type="HC1"`` without clusters);
* a **ratio of means** (:func:`log_ratio`) is that of a Poisson GLM with the log link on the
  same rows (``GLM(y, [1, d], family=Poisson(), var_weights=w)``): its coefficient is the log
  of the ratio of the weighted means, its sandwich the delta method;
* a **stratified difference** (:func:`stratified_difference`): the weighted means of every
  group x stratum cell the two groups share are the coefficients of the regression of the
  outcome on the cells' indicators; the gap is a fixed combination of them (each stratum
  weighted by the two groups' weight in it) and its variance that combination of the
  cluster-robust covariance;
* a **regression-adjusted gap** (:func:`wls`): weighted least squares of the outcome on an
  intercept, group indicators and the legitimate factors, cluster-robust.

With ``G`` clusters, ``N`` rows and ``K`` coefficients the covariance is

.. math::

    V = \\frac{G}{G-1}\\,\\frac{N-1}{N-K}\\,
        (X^\\top W X)^{-1}\\Big(\\sum_{c} s_c s_c^\\top\\Big)(X^\\top W X)^{-1},
    \\qquad s_c = \\sum_{i \\in c} w_i x_i e_i,

statsmodels' correction for ``cov_type="cluster"``; with weights alone each row is its own
cluster, and the factor ``N / (N - 1) * (N - 1) / (N - K) = N / (N - K)`` is HC1's. So with
each row its own cluster the clustered error equals HC1 exactly, and with weights all 1 the
weighted estimate equals the unweighted one. ``N`` counts rows (a row of weight 0 counts, but
weighs nothing); ``G`` the clusters among the rows fitted. Scaling every weight by a constant
changes nothing.

Examples
--------
>>> rng = np.random.default_rng(0)
>>> person = np.repeat(np.arange(200), 3)  # three rows per person
>>> group = np.where(person < 100, "a", "b")
>>> y = (rng.normal(size=200)[person] + rng.normal(size=600) > 0).astype(float)
>>> design = Design.of(clusters=person, cluster_column="person")
>>> gap = mean_difference(y, group == "b", group == "a", design)
>>> gap.n_clusters, round(gap.se, 4)
(200, 0.0524)
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .catalog import say
from .errors import InputError
from .findings import Finding, Status
from .messages import Message

__all__ = [
    "HONOURED",
    "Design",
    "Gap",
    "design_paragraph",
    "log_ratio",
    "mean_difference",
    "stratified_difference",
    "with_design_notes",
    "wls",
]

#: The checks whose estimates honour ``cluster=`` and ``weights=``; every other measured
#: finding says that it treats the rows as independent and unweighted.
HONOURED: frozenset[str] = frozenset(
    {
        "fairness.selection_rate_ratio",
        "fairness.demographic_parity_difference",
        "fairness.true_positive_rate_difference",
        "fairness.false_positive_rate_difference",
        "fairness.conditional_gap",
        "fairness.mean_prediction_ratio",
        "pricing.raw_gap",
        "pricing.conditional_gap",
    }
)


#: Checks that count no rows (an attribute not given, a table too large to assess): no note.
_NO_ROWS = frozenset(
    {
        "fairness.ground_not_provided",
        "fairness.intersection_not_assessed",
        "pricing.profile_not_provided",
    }
)
#: Other checks that measure rows, besides those of fairness and pricing.
_ROW_CHECKS = frozenset({"privacy.k_anonymity", "privacy.l_diversity"})


@dataclass(frozen=True)
class Design:
    """How the rows were drawn: their weights and the clusters they belong to.

    Attributes
    ----------
    weights : ndarray of float or None
        The sampling weight of every row (None: every row counts once).
    clusters : ndarray of int or None
        The cluster of every row, as codes 0..G-1 (None: every row is its own cluster).
    weights_column, cluster_column : str or None
        The columns of ``data`` they were read from (recorded in the result, never the values).
    """

    weights: np.ndarray | None = None
    clusters: np.ndarray | None = None
    weights_column: str | None = None
    cluster_column: str | None = None

    @classmethod
    def of(
        cls,
        *,
        weights: Any = None,
        clusters: Any = None,
        weights_column: str | None = None,
        cluster_column: str | None = None,
    ) -> Design:
        """A design from the weights and the cluster labels of the rows (any hashable labels;
        they are coded 0..G-1).

        >>> d = Design.of(clusters=["p1", "p1", "p2"], cluster_column="person")
        >>> d.clusters.tolist(), d.n_clusters, d.active
        ([0, 0, 1], 2, True)
        """
        w = None if weights is None else np.asarray(weights, dtype=float)
        c = None
        if clusters is not None:
            c = pd.factorize(np.asarray(clusters, dtype=object), sort=False)[0].astype(np.int64)
            if (c < 0).any():
                raise InputError("cluster labels must not be missing.")
        return cls(w, c, weights_column, cluster_column)

    @property
    def active(self) -> bool:
        """Whether a weight or a cluster was declared (else rows are independent, unweighted)."""
        return self.weights is not None or self.clusters is not None

    @property
    def n_clusters(self) -> int | None:
        """The number of clusters (None without ``cluster=``)."""
        return None if self.clusters is None else len(np.unique(self.clusters))

    def subset(self, mask: np.ndarray) -> Design:
        """The design of the rows ``mask`` selects (a boolean mask or positions)."""
        return Design(
            None if self.weights is None else self.weights[mask],
            None if self.clusters is None else self.clusters[mask],
            self.weights_column,
            self.cluster_column,
        )

    def row_weights(self, n: int) -> np.ndarray:
        """The weights of ``n`` rows (ones without ``weights=``)."""
        return np.ones(n) if self.weights is None else self.weights

    def to_dict(self) -> dict[str, Any]:
        """What the result's JSON records: the columns and the number of clusters.

        >>> Design().to_dict()
        {'independent': True, 'cluster': None, 'weights': None, 'n_clusters': None}
        """
        return {
            "independent": not self.active,
            "cluster": self.cluster_column,
            "weights": self.weights_column,
            "n_clusters": self.n_clusters,
        }


@dataclass(frozen=True)
class Gap:
    """A design-based estimate: its value, its standard error, the rows and clusters behind it.

    ``value`` is a difference (:func:`mean_difference`, :func:`stratified_difference`) or a
    ratio (:func:`log_ratio`, whose ``se`` is that of the log of the ratio).
    """

    value: float
    se: float
    n_rows: int
    n_clusters: int
    mean: float
    reference_mean: float


def _factor(n: int, g: int, k: int) -> float:
    """statsmodels' small-sample factor: G/(G-1) (N-1)/(N-K) (HC1's N/(N-K) when G = N)."""
    if g < 2 or n <= k:
        return math.nan
    return (g / (g - 1)) * ((n - 1) / (n - k))


def _cluster_sums(scores: np.ndarray, clusters: np.ndarray | None) -> np.ndarray:
    """The scores summed within each cluster (each row its own cluster without clusters)."""
    if clusters is None:
        return scores
    _, codes = np.unique(clusters, return_inverse=True)
    size = int(codes.max()) + 1 if len(codes) else 0
    if scores.ndim == 1:
        return np.bincount(codes, weights=scores, minlength=size)
    return np.stack(
        [np.bincount(codes, weights=scores[:, j], minlength=size) for j in range(scores.shape[1])],
        axis=1,
    )


def _groups(clusters: np.ndarray | None, n: int) -> int:
    return n if clusters is None else len(np.unique(clusters))


def _weighted_mean(y: np.ndarray, w: np.ndarray) -> float:
    total = float(w.sum())
    return float(w @ y / total) if total > 0 else math.nan


def _two_groups(
    y: Any, in_group: Any, in_reference: Any, design: Design
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
    y = np.asarray(y, dtype=float)
    g = np.asarray(in_group, dtype=bool)
    r = np.asarray(in_reference, dtype=bool)
    if len(g) != len(y) or len(r) != len(y):
        raise InputError(f"the masks must have one entry per row ({len(y)}).")
    if (g & r).any():
        raise InputError("a row cannot be in the group and in the reference.")
    rows = g | r
    sub = design.subset(rows)
    return y[rows], g[rows], sub.row_weights(int(rows.sum())), sub.clusters


def mean_difference(y: Any, in_group: Any, in_reference: Any, design: Design) -> Gap:
    """The weighted mean of ``y`` in the group minus that in the reference, with its
    design-based standard error.

    It is the coefficient ``b`` of the weighted least squares fit ``y = a + b d`` on the rows
    of the two groups (``d`` = 1 in the group), and its standard error that of
    ``cov_type="cluster"`` (HC1 without clusters): with ``z_i = w_i e_i / W_g`` in the group
    and ``-w_i e_i / W_r`` in the reference (``e_i`` the deviation from the own group's
    weighted mean, ``W`` the sums of weights), ``se² = G/(G-1) (N-1)/(N-2) Σ_c (Σ_{i∈c}
    z_i)²``.

    Examples
    --------
    >>> y = np.array([1.0, 0, 1, 1, 0, 0, 1, 0])
    >>> g = np.array([1, 1, 1, 1, 0, 0, 0, 0], dtype=bool)
    >>> gap = mean_difference(y, g, ~g, Design.of(weights=[1, 1, 2, 2, 1, 1, 1, 1]))
    >>> round(gap.value, 4), round(gap.mean, 4), round(gap.se, 4)
    (0.5833, 0.8333, 0.3122)
    """
    y, g, w, c = _two_groups(y, in_group, in_reference, design)
    wg, wr = float(w[g].sum()), float(w[~g].sum())
    mg, mr = _weighted_mean(y[g], w[g]), _weighted_mean(y[~g], w[~g])
    if not (wg > 0 and wr > 0):
        return Gap(math.nan, math.nan, len(y), _groups(c, len(y)), mg, mr)
    z = np.where(g, w * (y - mg) / wg, -w * (y - mr) / wr)
    n, groups = len(y), _groups(c, len(y))
    var = _factor(n, groups, 2) * float(np.sum(_cluster_sums(z, c) ** 2))
    return Gap(mg - mr, math.sqrt(var) if var >= 0 else math.nan, n, groups, mg, mr)


def log_ratio(y: Any, in_group: Any, in_reference: Any, design: Design) -> Gap:
    """The ratio of the weighted means of ``y`` (group over reference), with the
    design-based standard error of its log.

    The log of the ratio is the coefficient of the group's indicator in a Poisson GLM with
    the log link on the rows of the two groups (``var_weights`` the weights), and the error
    its sandwich with ``cov_type="cluster"``: the delta method, ``z_i = w_i e_i / (W_g m_g)``
    in the group, ``-w_i e_i / (W_r m_r)`` in the reference, the same factor as
    :func:`mean_difference`. ``y`` must be non-negative with positive means (a rate, a price).

    Examples
    --------
    >>> y = np.array([1.0, 0, 1, 1, 0, 0, 1, 0])
    >>> g = np.array([1, 1, 1, 1, 0, 0, 0, 0], dtype=bool)
    >>> gap = log_ratio(y, g, ~g, Design.of(clusters=[0, 0, 1, 1, 2, 2, 3, 3]))
    >>> round(gap.value, 4), round(gap.se, 4)
    (3.0, 0.9296)
    """
    y, g, w, c = _two_groups(y, in_group, in_reference, design)
    wg, wr = float(w[g].sum()), float(w[~g].sum())
    mg, mr = _weighted_mean(y[g], w[g]), _weighted_mean(y[~g], w[~g])
    n, groups = len(y), _groups(c, len(y))
    if not (wg > 0 and wr > 0 and mg > 0 and mr > 0):
        value = mg / mr if wg > 0 and wr > 0 and mr > 0 else math.nan
        return Gap(value, math.nan, n, groups, mg, mr)
    z = np.where(g, w * (y - mg) / (wg * mg), -w * (y - mr) / (wr * mr))
    var = _factor(n, groups, 2) * float(np.sum(_cluster_sums(z, c) ** 2))
    return Gap(mg / mr, math.sqrt(var) if var >= 0 else math.nan, n, groups, mg, mr)


def stratified_difference(
    y: Any, in_group: Any, in_reference: Any, strata: Any, design: Design
) -> tuple[Gap, np.ndarray]:
    """The stratified gap of the group against the reference: in every stratum both share,
    the difference of their weighted means, averaged with the two groups' weight in the
    stratum as its weight (so the gap of g against r is minus that of r against g).

    Its standard error is that of the combination ``Σ_s a_s (b_gs - b_rs)`` of the
    coefficients of the weighted regression of ``y`` on the indicators of the shared
    group x stratum cells (no intercept), with the cluster-robust covariance
    (``K`` = the number of cells). Returns the gap and the mask of the rows it rests on (the
    rows of the two groups in the shared strata).

    Examples
    --------
    >>> y = np.array([1.0, 0, 1, 0, 1, 1, 0, 0])
    >>> g = np.array([1, 1, 0, 0, 1, 1, 0, 0], dtype=bool)
    >>> s = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    >>> gap, used = stratified_difference(y, g, ~g, s, Design.of(weights=np.ones(8)))
    >>> round(gap.value, 4), int(used.sum())
    (0.5, 8)
    """
    y_all = np.asarray(y, dtype=float)
    g_all, r_all = np.asarray(in_group, dtype=bool), np.asarray(in_reference, dtype=bool)
    s_all = np.asarray(strata)
    w_all = design.row_weights(len(y_all))
    wg_s = pd.Series(w_all[g_all]).groupby(s_all[g_all]).sum()
    wr_s = pd.Series(w_all[r_all]).groupby(s_all[r_all]).sum()
    shared = wg_s.index.intersection(wr_s.index)
    shared = shared[(wg_s[shared] > 0).to_numpy() & (wr_s[shared] > 0).to_numpy()]
    used = (g_all | r_all) & np.isin(s_all, shared.to_numpy())
    if len(shared) == 0:
        return Gap(math.nan, math.nan, 0, 0, math.nan, math.nan), used
    yy, gg, ss = y_all[used], g_all[used], s_all[used]
    sub = design.subset(used)
    w, c = sub.row_weights(len(yy)), sub.clusters
    codes = pd.Index(shared).get_indexer(ss)
    k = len(shared)
    tot_g = np.bincount(codes[gg], weights=w[gg], minlength=k)
    tot_r = np.bincount(codes[~gg], weights=w[~gg], minlength=k)
    mean_g = np.bincount(codes[gg], weights=w[gg] * yy[gg], minlength=k) / tot_g
    mean_r = np.bincount(codes[~gg], weights=w[~gg] * yy[~gg], minlength=k) / tot_r
    a = (tot_g + tot_r) / float((tot_g + tot_r).sum())
    value = float(a @ (mean_g - mean_r))
    own = np.where(gg, mean_g[codes], mean_r[codes])
    z = np.where(
        gg, a[codes] * w * (yy - own) / tot_g[codes], -a[codes] * w * (yy - own) / tot_r[codes]
    )
    n, groups = len(yy), _groups(c, len(yy))
    var = _factor(n, groups, 2 * k) * float(np.sum(_cluster_sums(z, c) ** 2))
    gap = Gap(
        value,
        math.sqrt(var) if var >= 0 else math.nan,
        n,
        groups,
        _weighted_mean(yy[gg], w[gg]),
        _weighted_mean(yy[~gg], w[~gg]),
    )
    return gap, used


def wls(x: np.ndarray, y: Any, design: Design) -> tuple[np.ndarray, np.ndarray]:
    """Weighted least squares of ``y`` on ``x`` and the design-based covariance of the
    coefficients: statsmodels' ``WLS(y, x, weights=w).fit(cov_type="cluster",
    cov_kwds={"groups": clusters})``, or ``cov_type="HC1"`` without clusters (``OLS`` without
    weights). The pseudo-inverse gives the minimum-norm solution when columns are collinear.

    Examples
    --------
    >>> x = np.column_stack([np.ones(6), [0.0, 0, 0, 1, 1, 1]])
    >>> beta, cov = wls(x, np.array([1.0, 2, 3, 3, 5, 7]), Design.of(clusters=[0, 1, 2, 0, 1, 2]))
    >>> beta.round(4).tolist(), round(float(np.sqrt(cov[1, 1])), 4)
    ([2.0, 3.0], 0.6455)
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    n, k = x.shape
    w = design.row_weights(n)
    bread = np.linalg.pinv(x.T @ (x * w[:, None]))
    beta = bread @ (x.T @ (w * y))
    scores = x * (w * (y - x @ beta))[:, None]
    sums = _cluster_sums(scores, design.clusters)
    meat = sums.T @ sums
    factor = _factor(n, _groups(design.clusters, n), k)
    return beta, bread @ meat @ bread * factor


def _how(design: Mapping[str, Any]) -> Message:
    """How the rows were drawn, as a phrase (for a design with a cluster or weights)."""
    cluster, weights = design.get("cluster"), design.get("weights")
    if cluster is not None and weights is not None:
        return say(
            "core.design.how.clustered_weighted",
            cluster=cluster,
            weights=weights,
            n_clusters=design.get("n_clusters"),
        )
    if cluster is not None:
        return say(
            "core.design.how.clustered", cluster=cluster, n_clusters=design.get("n_clusters")
        )
    return say("core.design.how.weighted", weights=weights)


def design_paragraph(design: Mapping[str, Any] | None) -> Message:
    """The method section's sentence on the design (:meth:`Design.to_dict`; None: none given).

    >>> print(design_paragraph(None).en[:60])
    Rows are taken as independent and unweighted (one row = one
    >>> d = {"independent": False, "cluster": "person", "weights": None, "n_clusters": 40}
    >>> "clustered by the column “person” (40 clusters" in design_paragraph(d).en
    True
    """
    if design is None or design.get("independent", True):
        return say("core.design.independent")
    return say("core.design.declared", how=_how(design))


def with_design_notes(findings: Sequence[Finding], design: Design) -> list[Finding]:
    """``findings`` with the design recorded: under a declared design (``cluster=`` or
    ``weights=``), each measured finding (PASS, WARN, FAIL) of a check that measures rows
    gets ``details["design"]`` (the columns, the number of clusters, ``honoured``) and a
    sentence saying whether it honours the design (:data:`HONOURED`) or treats the rows as
    independent and unweighted. Without a design the findings are returned as they are."""
    if not design.active:
        return list(findings)
    how = _how(design.to_dict())
    out = []
    for f in findings:
        measures = f.check.startswith(("fairness.", "pricing.")) or f.check in _ROW_CHECKS
        measured = f.status in (Status.PASS, Status.WARN, Status.FAIL)
        if not measures or not measured or f.check in _NO_ROWS:
            out.append(f)
            continue
        honoured = f.check in HONOURED
        note = say(
            "core.design.finding_honoured" if honoured else "core.design.finding_ignores",
            how=how,
        )
        out.append(
            dataclasses.replace(
                f,
                message=f.message.join(note, sep_en=""),
                details={**f.details, "design": {**design.to_dict(), "honoured": honoured}},
            )
        )
    return out
