"""Score metrics by group: ranking quality (AUC), calibration, positive rate at the threshold.

When a model gives scores (``predict_proba``, or ``y_score``), equal decision rates are not the
whole story: a score can rank one group's people less accurately (a lower AUC), or mean
something different for different groups (at the same score, one group's actual outcomes are
better: the model under-scores it). This module measures both, per group:

* **AUC** with its DeLong standard error (rank-based, exact with ties);
* **calibration**: per score bin, the mean score (expected rate) and the observed rate; the
  group's calibration offset is observed minus expected over all its rows (positive: the scores
  understate the group's actual positive rate); two groups' offsets are compared with a z-test;
* the **positive rate at the decision threshold** (share with score >= threshold).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..core.data import group_label
from ..core.disclosure import protect_table
from ..core.stats import weighted_quantile

__all__ = [
    "ScoreMetrics",
    "auc_from_counts",
    "auc_with_se",
    "merge_score_tables",
    "score_metrics",
    "score_metrics_from_table",
    "score_table",
]


def auc_with_se(y: np.ndarray, score: np.ndarray) -> tuple[float, float]:
    """Area under the ROC curve of ``score`` for binary ``y`` (1 = positive), and its DeLong
    standard error. NaN when a class is absent.

    Examples
    --------
    >>> auc, se = auc_with_se(np.array([0, 0, 1, 1]), np.array([0.1, 0.4, 0.35, 0.8]))
    >>> auc
    0.75
    """
    from scipy.stats import rankdata

    y = np.asarray(y, dtype=bool)
    m, n = int(y.sum()), int((~y).sum())
    if m == 0 or n == 0:
        return float("nan"), float("nan")
    ranks = rankdata(score)  # midranks: ties count one half
    pos_ranks = rankdata(score[y])
    neg_ranks = rankdata(score[~y])
    v10 = (ranks[y] - pos_ranks) / n  # each positive: share of negatives scored lower
    v01 = 1.0 - (ranks[~y] - neg_ranks) / m  # each negative: share of positives scored higher
    auc = float(v10.mean())
    var = (v10.var(ddof=1) / m if m > 1 else 0.0) + (v01.var(ddof=1) / n if n > 1 else 0.0)
    return auc, float(np.sqrt(var))


@dataclass(frozen=True)
class ScoreMetrics:
    """Score metrics of one sensitive attribute.

    Attributes
    ----------
    by_group : DataFrame
        ``count``, ``positives``, ``negatives``, ``auc``, ``auc_se``, ``mean_score``,
        ``observed_rate``, ``calibration_offset`` (observed - mean score), ``calibration_se``,
        ``positive_rate_at_threshold``.
    calibration : DataFrame
        One row per (group, bin): ``bin``, ``count``, ``positives``, ``mean_score``,
        ``observed_rate``.
    threshold : float or None
        The cut-off the decisions were made at; None when they were not made from the scores
        (``model.predict``, ``y_pred``), and ``positive_rate_at_threshold`` is then NaN.
    probabilities : bool
        Whether every score lies in [0, 1] (calibration is only meaningful then).
    hidden : frozenset of str
        Groups whose figures are withheld to protect a small group (those of its group
        table, :func:`szai_audit.fairness.withheld.withhold`), beside those of too few people
        (:meth:`shown`).
    """

    by_group: pd.DataFrame
    calibration: pd.DataFrame
    threshold: float | None
    probabilities: bool
    hidden: frozenset[str] = frozenset()

    def shown(self, min_size: int) -> np.ndarray:
        """Whether each group's figures may be published: at least ``min_size`` people, not
        ``hidden``."""
        big = self.by_group["count"].to_numpy() >= min_size
        return big & ~np.isin(np.asarray(self.by_group.index, dtype=object), list(self.hidden))

    def bins_shown(self, min_size: int, k: int) -> np.ndarray:
        """Whether each calibration bin (a row of ``calibration``) may be published: its group
        is shown, it holds at least ``min_size`` people, and the withheld bins of its group
        are not together a set of fewer than ``k`` people that the group's figures minus the
        shown bins would give back (:func:`~szai_audit.core.disclosure.protect_table`)."""
        cal = self.calibration
        out = np.zeros(len(cal), dtype=bool)
        groups = dict(zip(map(str, self.by_group.index), self.shown(min_size), strict=True))
        for g, rows in cal.groupby("group", sort=False).indices.items():
            if not groups.get(str(g), False):
                continue
            n = cal.iloc[rows]["count"].to_numpy(dtype=float)
            out[rows] = ~protect_table(n[:, None], n < min_size, k)
        return out

    def reordered(self, order: list[str]) -> ScoreMetrics:
        """The same metrics with groups in ``order`` (labels not in ``order`` go last)."""
        known = [g for g in order if g in self.by_group.index]
        rest = [g for g in self.by_group.index if g not in known]
        calibration = self.calibration
        if len(calibration):
            rank = calibration["group"].map({g: i for i, g in enumerate(known + rest)})
            calibration = (
                calibration.assign(_rank=rank)
                .sort_values(["_rank", "bin"], kind="stable")
                .drop(columns="_rank")
                .reset_index(drop=True)
            )
        return ScoreMetrics(
            self.by_group.loc[known + rest],
            calibration,
            self.threshold,
            self.probabilities,
            self.hidden,
        )


def score_metrics(
    y_true: Any,
    y_score: Any,
    groups: Any,
    *,
    threshold: float | None = 0.5,
    n_bins: int = 10,
) -> ScoreMetrics:
    """AUC, calibration and the positive rate at ``threshold``, by group.

    Parameters
    ----------
    y_true : array-like of bool or 0/1
        Actual outcomes, 1 (True) for the positive label.
    y_score : array-like of float
        Score of the positive label.
    groups : array-like
        Group label per row (an already encoded sensitive attribute).
    threshold : float or None
        Decision threshold for the positive rate (None: the decisions were not made from the
        scores, and the positive rate is NaN).
    n_bins : int
        Calibration bins: equal-width on [0, 1] for probabilities, else score deciles.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> s = rng.random(2000)
    >>> y = rng.random(2000) < s  # perfectly calibrated
    >>> g = np.where(rng.random(2000) < 0.5, "a", "b")
    >>> sm = score_metrics(y, s, g)
    >>> bool(abs(sm.by_group.loc["a", "calibration_offset"]) < 0.05)
    True
    """
    y = np.asarray(y_true).astype(bool)
    s = np.asarray(y_score, dtype=float)
    # Each distinct group named once, not each row (a million rows: 5 s in a Python loop).
    codes, uniques = pd.factorize(
        pd.Series(list(groups) if _ragged(groups) else groups), use_na_sentinel=False
    )
    names = np.asarray([group_label(k) for k in uniques], dtype=object)
    labels = names[codes] if len(names) else np.asarray([], dtype=object)
    table = score_table(labels, y, s)
    order = pd.unique(labels).tolist()
    return score_metrics_from_table(table, threshold=threshold, n_bins=n_bins).reordered(order)


def _ragged(groups: Any) -> bool:
    """Whether ``groups`` is a plain sequence (a list of tuples, say) rather than an array."""
    return not isinstance(groups, (np.ndarray, pd.Series, pd.Index, pd.Categorical))


def round_scores(score: np.ndarray, resolution: float | None) -> np.ndarray:
    """Scores rounded to a multiple of ``resolution`` (unchanged when it is None).

    Examples
    --------
    >>> round_scores(np.array([0.12344, 0.12346]), 1e-4).tolist()
    [0.1234, 0.1235]
    """
    if resolution is None:
        return score
    return np.round(np.asarray(score, dtype=float) / resolution) * resolution


def score_table(groups: np.ndarray, y: np.ndarray, score: np.ndarray) -> pd.DataFrame:
    """How many rows have each (group, outcome, score): the sufficient statistics of every score
    metric. Tables of parts of the data add up (:func:`merge_score_tables`).

    Examples
    --------
    >>> score_table(np.array(["a", "a", "b"]), np.array([1, 1, 0]), np.array([0.5, 0.5, 0.2]))
      group      y  score  count
    0     a   True    0.5      2
    1     b  False    0.2      1
    """
    # One integer key per row, (group, outcome, score) in sorted order, counted with np.unique:
    # the table pandas' groupby gives (sorted, missing groups last), 3x faster at 10M rows.
    g_codes, g_uniques = pd.factorize(
        np.asarray(groups, dtype=object), sort=True, use_na_sentinel=False
    )
    s_codes, s_uniques = pd.factorize(np.asarray(score, dtype=float), sort=True)
    outcome = np.asarray(y, dtype=bool).astype(np.int64)
    n_scores = max(len(s_uniques), 1)
    key = (np.asarray(g_codes, dtype=np.int64) * 2 + outcome) * n_scores + s_codes
    keys, counts = np.unique(key, return_counts=True)
    cell, s_index = np.divmod(keys, n_scores)
    g_index, y_index = np.divmod(cell, 2)
    return pd.DataFrame(
        {
            "group": np.asarray(g_uniques, dtype=object)[g_index],
            "y": y_index.astype(bool),
            "score": np.asarray(s_uniques, dtype=float)[s_index],
            "count": counts.astype(np.int64),
        }
    )


def merge_score_tables(tables: list[pd.DataFrame]) -> pd.DataFrame:
    """The score table of the union of the parts whose tables are given."""
    both = pd.concat(tables, ignore_index=True)
    out = both.groupby(["group", "y", "score"], sort=True, dropna=False)["count"].sum()
    return out.reset_index()


def auc_from_counts(pos: np.ndarray, neg: np.ndarray) -> tuple[float, float]:
    """AUC and DeLong standard error from the positives and negatives at each distinct score
    (in increasing order of score); ties count one half, as with mid-ranks."""
    m, n = float(pos.sum()), float(neg.sum())
    if m == 0 or n == 0:
        return float("nan"), float("nan")
    neg_below = np.cumsum(neg) - neg
    pos_below = np.cumsum(pos) - pos
    v10 = (neg_below + 0.5 * neg) / n  # each positive at this score: negatives scored lower
    v01 = 1.0 - (pos_below + 0.5 * pos) / m  # each negative: positives scored higher
    auc = float((pos * v10).sum() / m)
    mean01 = float((neg * v01).sum() / n)
    var10 = float((pos * (v10 - auc) ** 2).sum() / (m - 1)) if m > 1 else 0.0
    var01 = float((neg * (v01 - mean01) ** 2).sum() / (n - 1)) if n > 1 else 0.0
    return auc, float(np.sqrt(var10 / m + var01 / n))


def score_metrics_from_table(
    table: pd.DataFrame, *, threshold: float | None = 0.5, n_bins: int = 10
) -> ScoreMetrics:
    """:func:`score_metrics` from a score table (:func:`score_table`): the same numbers, for
    data seen in parts. Groups come in the table's (sorted) order."""
    s_all = table["score"].to_numpy(dtype=float)
    probabilities = bool(s_all.size and s_all.min() >= 0 and s_all.max() <= 1)
    qs = np.linspace(0, 1, n_bins + 1)[1:-1]
    if probabilities:
        edges = qs
    else:
        by_score = table.groupby("score", sort=True)["count"].sum()
        edges = np.unique(
            weighted_quantile(by_score.index.to_numpy(float), by_score.to_numpy(), qs)
        )
    rows, cal_rows = [], []
    for name, part in table.groupby("group", sort=False):
        # One row per distinct score, in increasing order, with its positives and negatives.
        yv = part["y"].to_numpy(dtype=bool)
        sv = part["score"].to_numpy(dtype=float)
        cv = part["count"].to_numpy(dtype=np.int64)
        distinct, inverse = np.unique(sv, return_inverse=True)
        pos = np.bincount(inverse, weights=np.where(yv, cv, 0), minlength=len(distinct))
        neg = np.bincount(inverse, weights=np.where(yv, 0, cv), minlength=len(distinct))
        auc, auc_se = auc_from_counts(pos, neg)
        n = int(cv.sum())
        positives = int(cv[yv].sum())
        wf = cv.astype(float)
        residual = yv.astype(float) - sv
        offset = float((wf * residual).sum() / n)
        var = float((wf * (residual - offset) ** 2).sum() / (n - 1)) if n > 1 else np.nan
        rows.append(
            {
                "group": name,
                "count": n,
                "positives": positives,
                "negatives": n - positives,
                "auc": auc,
                "auc_se": auc_se,
                "mean_score": float((wf * sv).sum() / n),
                "observed_rate": positives / n,
                "calibration_offset": offset,
                "calibration_se": float(np.sqrt(var) / np.sqrt(n)) if n > 1 else np.nan,
                "positive_rate_at_threshold": math.nan
                if threshold is None
                else float(cv[sv >= threshold].sum() / n),
            }
        )
        b = np.searchsorted(edges, sv, side="right")
        count = np.bincount(b, weights=wf, minlength=n_bins)
        pos_b = np.bincount(b, weights=np.where(yv, wf, 0.0), minlength=n_bins)
        ssum = np.bincount(b, weights=wf * sv, minlength=n_bins)
        for i in np.flatnonzero(count):
            cal_rows.append(
                {
                    "group": name,
                    "bin": int(i),
                    "count": int(count[i]),
                    "positives": int(pos_b[i]),
                    "mean_score": float(ssum[i] / count[i]),
                    "observed_rate": float(pos_b[i] / count[i]),
                }
            )
    by_group = pd.DataFrame(rows).set_index("group")
    cut = None if threshold is None else float(threshold)
    return ScoreMetrics(by_group, pd.DataFrame(cal_rows), cut, probabilities)
