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

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .data import group_label

__all__ = ["ScoreMetrics", "auc_with_se", "score_metrics"]


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
    threshold : float
    probabilities : bool
        Whether every score lies in [0, 1] (calibration is only meaningful then).
    """

    by_group: pd.DataFrame
    calibration: pd.DataFrame
    threshold: float
    probabilities: bool

    def reordered(self, order: list[str]) -> ScoreMetrics:
        """The same metrics with groups in ``order`` (labels not in ``order`` go last)."""
        known = [g for g in order if g in self.by_group.index]
        rest = [g for g in self.by_group.index if g not in known]
        return ScoreMetrics(
            self.by_group.loc[known + rest], self.calibration, self.threshold, self.probabilities
        )


def score_metrics(
    y_true: Any,
    y_score: Any,
    groups: Any,
    *,
    threshold: float = 0.5,
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
    threshold : float
        Decision threshold for the positive rate.
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
    labels = np.asarray([group_label(k) for k in groups], dtype=object)
    probabilities = bool(s.size and s.min() >= 0 and s.max() <= 1)
    if probabilities:
        edges = np.linspace(0, 1, n_bins + 1)[1:-1]
    else:
        edges = np.unique(np.quantile(s, np.linspace(0, 1, n_bins + 1)[1:-1]))
    bins = np.searchsorted(edges, s, side="right")
    rows, cal_rows = [], []
    codes, uniques = pd.factorize(labels, sort=False)
    for code, name in enumerate(uniques):
        mask = codes == code
        ys, ss = y[mask], s[mask]
        auc, auc_se = auc_with_se(ys, ss)
        n = int(mask.sum())
        residual = ys.astype(float) - ss
        rows.append(
            {
                "group": name,
                "count": n,
                "positives": int(ys.sum()),
                "negatives": int(n - ys.sum()),
                "auc": auc,
                "auc_se": auc_se,
                "mean_score": float(ss.mean()),
                "observed_rate": float(ys.mean()),
                "calibration_offset": float(residual.mean()),
                "calibration_se": float(residual.std(ddof=1) / np.sqrt(n)) if n > 1 else np.nan,
                "positive_rate_at_threshold": float((ss >= threshold).mean()),
            }
        )
        b = bins[mask]
        count = np.bincount(b, minlength=n_bins)
        pos = np.bincount(b, weights=ys, minlength=n_bins)
        ssum = np.bincount(b, weights=ss, minlength=n_bins)
        for i in np.flatnonzero(count):
            cal_rows.append(
                {
                    "group": name,
                    "bin": int(i),
                    "count": int(count[i]),
                    "positives": int(pos[i]),
                    "mean_score": float(ssum[i] / count[i]),
                    "observed_rate": float(pos[i] / count[i]),
                }
            )
    by_group = pd.DataFrame(rows).set_index("group")
    return ScoreMetrics(by_group, pd.DataFrame(cal_rows), float(threshold), probabilities)
