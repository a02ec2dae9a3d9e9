"""The proxy ranking as it was before issue 13 (kept only to be measured against by
``bench_proxies.py``; the package no longer uses it).

Proxies: input features that carry information about a sensitive attribute.

A model that never sees gender can still discriminate by gender through a feature that stands in
for it (a marital-status code that encodes sex, a postcode that encodes ethnicity). For each
sensitive attribute this module ranks every input feature by

* its **mutual information** with the attribute (features discretised: categories as they are,
  numbers into quantile bins; in bits, and as a share of the attribute's entropy), and
* the **cross-validated AUC** of a small model predicting the attribute from that feature
  alone (a smoothed lookup table per category or bin, which is the best any model can do with
  one discretised feature), with balanced accuracy;

and scores all features together with a cross-validated gradient-boosting model. It works
whether or not the sensitive column is a model input.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from szai_audit.core.stats import z_value
from szai_audit.fairness.scores import auc_with_se

__all__ = ["ProxyReport", "find_proxies"]


@dataclass(frozen=True)
class ProxyReport:
    """How well each feature, and all features together, predict a sensitive attribute.

    Attributes
    ----------
    features : DataFrame
        One row per feature, most informative first: ``kind`` (``"categorical"`` or
        ``"numeric"``), ``auc``, ``auc_low`` (lower bound of its DeLong interval, for a
        two-group attribute), ``balanced_accuracy``, ``mutual_information`` (bits),
        ``normalized_mi`` (share of the attribute's entropy).
    all_features_auc, all_features_balanced_accuracy : float
        Cross-validated scores of a model using every feature.
    n_rows : int
        Rows used (a stratified sample when the data are larger than ``max_rows``).
    n_classes : int
        Groups of the sensitive attribute used (AUC is one-vs-rest, macro-averaged, beyond
        two).
    left_out : dict
        Groups too small to cross-validate (fewer rows than folds): label -> rows, left out.
    """

    features: pd.DataFrame
    all_features_auc: float
    all_features_balanced_accuracy: float
    n_rows: int
    n_classes: int
    left_out: dict[str, int] = field(default_factory=dict)


def _discretize(col: pd.Series, n_bins: int) -> tuple[np.ndarray, str]:
    """Integer codes per row (missing values a code of their own) and the feature kind."""
    numeric = pd.api.types.is_numeric_dtype(col.dtype) and not pd.api.types.is_bool_dtype(col.dtype)
    if numeric and col.nunique(dropna=True) > n_bins:
        values = col.to_numpy(dtype=float, na_value=np.nan)
        edges = np.unique(np.nanquantile(values, np.linspace(0, 1, n_bins + 1)[1:-1]))
        codes = np.searchsorted(edges, values, side="right")
        codes[np.isnan(values)] = len(edges) + 1
        return codes.astype(np.int64), "numeric"
    codes, _ = pd.factorize(col, use_na_sentinel=False)
    return np.asarray(codes, dtype=np.int64), "numeric" if numeric else "categorical"


def _scores(y: np.ndarray, proba: np.ndarray, n_classes: int) -> tuple[float, float]:
    from sklearn.metrics import balanced_accuracy_score, roc_auc_score

    if n_classes == 2:
        auc = roc_auc_score(y, proba[:, 1])
    else:
        auc = roc_auc_score(y, proba, multi_class="ovr", average="macro", labels=range(n_classes))
    return float(auc), float(balanced_accuracy_score(y, proba.argmax(axis=1)))


def _lookup_cv(codes: np.ndarray, y: np.ndarray, n_classes: int, folds: list) -> np.ndarray:
    """Out-of-fold class probabilities of a Laplace-smoothed lookup table on ``codes``."""
    k = int(codes.max()) + 1
    out = np.empty((len(y), n_classes))
    for train, test in folds:
        table = np.ones((k, n_classes))  # add-one smoothing: unseen codes get the prior shape
        np.add.at(table, (codes[train], y[train]), 1.0)
        out[test] = (table / table.sum(axis=1, keepdims=True))[codes[test]]
    return out


def _entropy_bits(y: np.ndarray) -> float:
    p = np.bincount(y) / len(y)
    p = p[p > 0]
    return float(-(p * np.log2(p)).sum())


def find_proxies(
    data: pd.DataFrame,
    sensitive: Any,
    *,
    exclude: tuple[str, ...] = (),
    max_rows: int = 20_000,
    n_splits: int = 3,
    n_bins: int = 10,
    random_state: int | None = 0,
    all_features: bool = True,
    level: float = 0.95,
) -> ProxyReport:
    """Rank the columns of ``data`` by how much they reveal about ``sensitive``.

    Parameters
    ----------
    data : DataFrame
        Candidate features (the model's inputs).
    sensitive : array-like
        The sensitive attribute, one value per row (missing values are left out).
    exclude : tuple of str
        Columns not to rank (the sensitive column itself, when it is an input).
    max_rows : int
        Larger data are sampled down to this many rows, stratified by the attribute.
    n_splits : int
        Cross-validation folds.
    n_bins : int
        Quantile bins for numeric features.
    random_state : int or None
        Seed of the sample and of the folds.
    all_features : bool
        Also fit a gradient-boosting model on every feature together.
    level : float
        Confidence level of ``auc_low``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> sex = rng.choice(["f", "m"], 600)
    >>> X = pd.DataFrame({"noise": rng.normal(size=600),
    ...                   "title": np.where(sex == "f", "Ms", "Mr")})
    >>> report = find_proxies(X, sex, all_features=False)
    >>> report.features.index[0], float(report.features.loc["title", "auc"])
    ('title', 1.0)
    """
    s = pd.Series(np.asarray(sensitive, dtype=object), index=data.index)
    sizes = s.value_counts()
    left_out, plan = proxy_sample_plan(sizes, n_splits, max_rows, random_state)
    keep = s.notna().to_numpy() & ~s.isin(list(sizes.index[sizes < n_splits])).to_numpy()
    frame = data.loc[keep, [c for c in data.columns if c not in exclude]]
    y_codes, _ = pd.factorize(s[keep], sort=True)
    y = np.asarray(y_codes, dtype=np.int64)
    if plan is not None:  # stratified sample
        take = np.sort(
            np.concatenate([np.flatnonzero(y == c)[ordinals] for c, ordinals in enumerate(plan)])
        )
        frame, y = frame.iloc[take], y[take]
    return rank_proxies(frame, y, left_out, n_splits, n_bins, random_state, all_features, level)


def proxy_sample_plan(
    sizes: pd.Series, n_splits: int, max_rows: int, random_state: int | None
) -> tuple[dict[str, int], list[np.ndarray] | None]:
    """Which rows :func:`find_proxies` uses, from the size of each group alone.

    Groups smaller than ``n_splits`` are left out (a group must appear in every fold); when the
    rest exceed ``max_rows``, each group ``c`` (in sorted order) keeps the rows at positions
    ``plan[c]`` (sorted) among its own rows, a sample proportional to its size. ``plan`` is None
    when every row is kept. Data seen in parts are sampled the same way.
    """
    tiny = sizes[sizes < n_splits]
    left_out = {str(k): int(v) for k, v in tiny.items()}
    kept = sizes[sizes >= n_splits].sort_index()
    total = int(kept.sum())
    if total <= max_rows:
        return left_out, None
    rng = np.random.default_rng(random_state)
    plan = [
        np.sort(rng.choice(int(m), size=max(1, round(int(m) * max_rows / total)), replace=False))
        for m in kept.to_numpy()
    ]
    return left_out, plan


def rank_proxies(
    frame: pd.DataFrame,
    y: np.ndarray,
    left_out: dict[str, int],
    n_splits: int = 3,
    n_bins: int = 10,
    random_state: int | None = 0,
    all_features: bool = True,
    level: float = 0.95,
) -> ProxyReport:
    """The ranking of :func:`find_proxies` on rows already chosen: ``y`` holds each row's group
    code (0 to k-1, every group present)."""
    from sklearn.model_selection import StratifiedKFold

    n_classes = int(y.max()) + 1 if len(y) else 0
    smallest = int(np.bincount(y).min()) if n_classes else 0
    splits = min(n_splits, smallest)
    if n_classes < 2 or splits < 2:
        empty = pd.DataFrame(
            columns=[
                "kind",
                "auc",
                "auc_low",
                "balanced_accuracy",
                "mutual_information",
                "normalized_mi",
            ]
        )
        return ProxyReport(empty, math.nan, math.nan, len(y), n_classes, left_out)
    cv = StratifiedKFold(n_splits=splits, shuffle=True, random_state=random_state)
    folds = list(cv.split(np.zeros(len(y)), y))
    from sklearn.metrics import mutual_info_score

    z = z_value(level)
    h = _entropy_bits(y)
    rows = []
    for col in frame.columns:
        codes, kind = _discretize(frame[col], n_bins)
        proba = _lookup_cv(codes, y, n_classes, folds)
        auc, bal = _scores(y, proba, n_classes)
        low = math.nan
        if n_classes == 2:
            _, se = auc_with_se(y == 1, proba[:, 1])
            low = auc - z * se
        mi = mutual_info_score(y, codes) / math.log(2)
        rows.append(
            {
                "feature": str(col),
                "kind": kind,
                "auc": auc,
                "auc_low": low,
                "balanced_accuracy": bal,
                "mutual_information": mi,
                "normalized_mi": mi / h if h > 0 else math.nan,
            }
        )
    columns = ["feature", "kind", "auc", "auc_low", "balanced_accuracy"]
    columns += ["mutual_information", "normalized_mi"]
    # No candidate feature (data holds only the attribute itself): an empty ranking.
    table = pd.DataFrame(rows, columns=columns).set_index("feature")
    if len(table):
        table = table.sort_values(["auc", "mutual_information"], ascending=False)
    all_auc = all_bal = math.nan
    if all_features and len(frame.columns):
        all_auc, all_bal = _all_features(frame, y, n_classes, folds, random_state)
    return ProxyReport(table, all_auc, all_bal, len(y), n_classes, left_out)


def _all_features(
    frame: pd.DataFrame, y: np.ndarray, n_classes: int, folds: list, random_state: int | None
) -> tuple[float, float]:
    """Cross-validated scores of a small gradient-boosting model on every feature."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    encoded = pd.DataFrame(index=frame.index)
    categorical = []
    for col in frame.columns:
        c = frame[col]
        if c.isna().all() or c.nunique(dropna=False) < 2:
            continue  # carries no information (and the booster cannot bin it)
        if pd.api.types.is_numeric_dtype(c.dtype) and not pd.api.types.is_bool_dtype(c.dtype):
            encoded[col] = c.to_numpy(dtype=float, na_value=np.nan)
        else:
            codes, _ = pd.factorize(c)
            # Rare categories beyond 250 share one code (the model's limit per feature).
            codes = np.where(codes >= 250, 250, codes).astype(float)
            codes[codes < 0] = np.nan
            encoded[col] = codes
            categorical.append(True)
            continue
        categorical.append(False)
    if encoded.shape[1] == 0:
        return math.nan, math.nan
    x = encoded.to_numpy()
    proba = np.empty((len(y), n_classes))
    for train, test in folds:
        model = HistGradientBoostingClassifier(
            max_iter=100,
            max_depth=3,
            learning_rate=0.1,
            categorical_features=np.asarray(categorical),
            early_stopping=False,
            random_state=random_state,
        )
        model.fit(x[train], y[train])
        p = model.predict_proba(x[test])
        full = np.zeros((len(test), n_classes))
        full[:, model.classes_] = p
        proba[test] = full
    return _scores(y, proba, n_classes)
