"""What a fix would cost: group-specific thresholds fitted on the audit data.

For a classifier with scores that fails an Art. 72(2)(iv) check, fairlearn's ``ThresholdOptimizer``
(Hardt, Price and Srebro, 2016) chooses a decision threshold per group that satisfies demographic
parity or equalized odds while keeping accuracy as high as it can. Fitted and evaluated on the
audit data, it shows the order of magnitude of the trade-off: the disparity it would reach and the
accuracy it would give up. It is an illustration on the audit data (in-sample, randomised at the
thresholds), not a validated or deployed fix, and the report says so.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["CONSTRAINTS", "threshold_tradeoff"]

CONSTRAINTS = ("demographic_parity", "equalized_odds")


def _disparities(
    y: np.ndarray, decision: np.ndarray, groups: np.ndarray
) -> tuple[float, float, dict[str, float]]:
    """Selection-rate difference, equalized-odds difference and selection rate by group."""
    sel, tpr, fpr = {}, [], []
    for g in pd.unique(groups):
        m = groups == g
        sel[str(g)] = float(decision[m].mean())
        pos, neg = m & (y == 1), m & (y == 0)
        if pos.any():
            tpr.append(decision[pos].mean())
        if neg.any():
            fpr.append(decision[neg].mean())
    dp = max(sel.values()) - min(sel.values())
    eo = max(
        (max(tpr) - min(tpr)) if tpr else 0.0,
        (max(fpr) - min(fpr)) if fpr else 0.0,
    )
    return float(dp), float(eo), sel


def threshold_tradeoff(
    y_true: np.ndarray,
    y_score: np.ndarray,
    decisions: np.ndarray,
    groups: np.ndarray,
    *,
    random_state: int | None = 0,
    max_rows: int | None = 50_000,
) -> pd.DataFrame:
    """Metrics of the audited decisions and of group thresholds under each constraint.

    Parameters
    ----------
    y_true : ndarray of 0/1
        Actual outcomes (1 = positive label).
    y_score : ndarray of float
        The model's score for the positive label (any real scale).
    decisions : ndarray of 0/1
        The audited decisions (1 = positive label).
    groups : ndarray
        Group label per row; rows with a missing label (None) are left out.
    random_state : int or None
        Seed of the randomised thresholds (and of the sample).
    max_rows : int or None, default 50000
        Larger data are fitted and evaluated on a random sample of this many rows (the
        optimizer's cost grows with the rows); None uses every row. The rows used are in
        ``frame.attrs["rows_used"]``.

    Returns
    -------
    DataFrame
        Index ``"audited"`` and each constraint; columns ``accuracy``,
        ``selection_rate_difference``, ``equalized_odds_difference``, ``accuracy_change``
        (against the audited decisions) and ``selection_rate_by_group`` (a dict). A constraint
        the optimizer cannot meet on these data has an ``error`` instead.
    """
    from fairlearn.postprocessing import ThresholdOptimizer
    from sklearn.base import BaseEstimator, ClassifierMixin

    class _Score(ClassifierMixin, BaseEstimator):
        """The audited score, as an already fitted estimator of one column."""

        def fit(self, X: Any, y: Any = None) -> _Score:
            self.classes_ = np.array([0, 1])
            return self

        def decision_function(self, X: Any) -> np.ndarray:
            return np.asarray(X, dtype=float)[:, 0]

    y, s, d, g = _kept_rows(y_true, y_score, decisions, groups, max_rows, random_state)
    x = s.reshape(-1, 1)
    rows: dict[str, dict[str, Any]] = {"audited": _metrics_row(y, d, g, None)}
    base_acc = rows["audited"]["accuracy"]
    for constraint in CONSTRAINTS:
        try:
            opt = ThresholdOptimizer(
                estimator=_Score().fit(x, y),
                constraints=constraint,
                prefit=True,
                predict_method="decision_function",
            )
            opt.fit(x, y, sensitive_features=g)
            new = np.asarray(opt.predict(x, sensitive_features=g, random_state=random_state))
        except Exception as exc:  # the optimizer refuses some data (a group with one class)
            rows[constraint] = {
                "accuracy": np.nan,
                "selection_rate_difference": np.nan,
                "equalized_odds_difference": np.nan,
                "accuracy_change": np.nan,
                "selection_rate_by_group": {},
                "error": f"{type(exc).__name__}: {exc}",
            }
            continue
        rows[constraint] = _metrics_row(y, new, g, base_acc)
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.attrs["rows_used"] = len(y)
    return frame


def _kept_rows(
    y_true: np.ndarray,
    y_score: np.ndarray,
    decisions: np.ndarray,
    groups: np.ndarray,
    max_rows: int | None,
    random_state: int | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Outcomes, scores, decisions and groups of the rows with a group, sampled to max_rows."""
    keep = np.array([g is not None for g in groups])
    y, s, d, g = (
        np.asarray(y_true)[keep].astype(int),
        np.asarray(y_score, dtype=float)[keep],
        np.asarray(decisions)[keep].astype(int),
        np.asarray(groups, dtype=object)[keep].astype(str),
    )
    if max_rows is not None and len(y) > max_rows:
        take = np.sort(np.random.default_rng(random_state).choice(len(y), max_rows, replace=False))
        y, s, d, g = y[take], s[take], d[take], g[take]
    return y, s, d, g


def _metrics_row(
    y: np.ndarray, decision: np.ndarray, groups: np.ndarray, base_acc: float | None
) -> dict[str, Any]:
    """Accuracy, disparities and selection rates of ``decision``, with the accuracy change
    against ``base_acc`` (None: these are the audited decisions, change 0)."""
    acc = float((decision == y).mean())
    dp, eo, sel = _disparities(y, decision, groups)
    return {
        "accuracy": acc,
        "selection_rate_difference": dp,
        "equalized_odds_difference": eo,
        "accuracy_change": 0.0 if base_acc is None else acc - base_acc,
        "selection_rate_by_group": sel,
        "error": None,
    }
