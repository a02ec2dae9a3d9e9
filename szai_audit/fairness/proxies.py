"""Proxies: input features that carry information about a sensitive attribute.

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

from ..core.data import positions_within
from ..core.progress import Stage, stage
from ..core.stats import z_value
from ..core.threads import limited_threads
from .scores import auc_from_counts

__all__ = [
    "MAX_GROUPS",
    "PERFECT_PROXY_AUC",
    "ProxyReport",
    "find_proxies",
    "is_proxy",
    "lump_groups",
    "possible_stand_ins",
    "proxies_of",
    "stand_in",
]

#: A single input predicting the attribute at least this well (cross-validated AUC) all but
#: equals it: a model that uses the input uses the attribute.
PERFECT_PROXY_AUC = 0.99


@dataclass(frozen=True)
class ProxyReport:
    """How well each feature, and all features together, predict a sensitive attribute.

    Attributes
    ----------
    features : DataFrame
        One row per feature, most informative first: ``kind`` (``"categorical"`` or
        ``"numeric"``), ``auc``, ``auc_se`` (DeLong; beyond two groups, the mean of the
        one-vs-rest errors, an upper bound of the macro average's), ``auc_low`` and
        ``auc_high`` (its interval at ``level``), ``balanced_accuracy``,
        ``mutual_information`` (bits), ``normalized_mi`` (share of the attribute's entropy).
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
    #: The standard error of ``all_features_auc`` (as ``auc_se``, on the out-of-fold scores).
    all_features_auc_se: float = math.nan
    #: Whether the all-features model was left out because the attribute has more than
    #: :data:`ALL_FEATURES_MAX_GROUPS` groups (its cost grows with them).
    all_features_capped: bool = False
    #: The groups taken together as one (the attribute has more than :data:`MAX_GROUPS`:
    #: all but the largest ``MAX_GROUPS - 1``), and the rows of the sample they hold.
    lumped: tuple[str, ...] = ()
    lumped_rows: int = 0

    @property
    def n_groups(self) -> int:
        """The groups of the attribute analysed, counting each group taken together apart."""
        return self.n_classes - 1 + len(self.lumped) if self.lumped else self.n_classes


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


#: The columns of :attr:`ProxyReport.features`.
COLUMNS = [
    "kind",
    "auc",
    "auc_se",
    "auc_low",
    "auc_high",
    "balanced_accuracy",
    "mutual_information",
    "normalized_mi",
]

#: Boosting rounds and learning rate of the all-features model: 50 rounds at 0.2 (half the
#: trees of 100 at 0.1, the AUC within 0.002 on ``benchmarks/bench_proxies.py``). Stopping
#: early (issue 26) halved the time but moved the AUC of a weak proxy beyond its own interval
#: (0.561 to 0.578, interval ±0.011, on ``benchmarks/bench_audit.py``): not done.
ALL_FEATURES_ITERATIONS, ALL_FEATURES_LEARNING_RATE = 50, 0.2
#: Groups beyond which the all-features model is not fitted: boosting fits one tree per group
#: and round (150 trees per fold for 3 groups, 1,250 for 25), so six grounds of 25 groups took
#: 27 s and 1,000 groups 21 s on 20,000 rows (issue 26); the single inputs are still ranked,
#: and the finding says what was not computed.
ALL_FEATURES_MAX_GROUPS = 10
#: Groups beyond which the analysis takes the ``MAX_GROUPS - 1`` largest one by one and the
#: others together as one group: ranking an input costs an AUC per group, and memory per
#: group and category of the input (5,000 groups and an input of 20,000 categories would
#: hold 2.4 GB). The finding says which groups were taken together.
MAX_GROUPS = 20


def _auc_of_scores(score: np.ndarray, pos: np.ndarray, neg: np.ndarray) -> tuple[float, float]:
    """AUC and DeLong error from entries of a score with their positives and negatives."""
    distinct, inverse = np.unique(score, return_inverse=True)
    p = np.bincount(inverse, weights=pos, minlength=len(distinct))
    n = np.bincount(inverse, weights=neg, minlength=len(distinct))
    return auc_from_counts(p, n)


def _scores_from_counts(scores: np.ndarray, counts: np.ndarray) -> tuple[float, float, float]:
    """AUC (one-vs-rest macro average beyond two classes), its standard error and the
    balanced accuracy of predictions that take one probability vector per entry.

    ``scores[e, c]`` is entry ``e``'s probability of class ``c``, ``counts[e, c]`` the rows of
    class ``c`` it scores. The same numbers as scikit-learn's ``roc_auc_score`` and
    ``balanced_accuracy_score`` on the rows; the macro AUC's error is the mean of the classes'
    DeLong errors, an upper bound of the error of their mean.
    """
    k = counts.shape[1]
    rows = counts.sum(axis=1)
    if k == 2:
        auc, se = _auc_of_scores(scores[:, 1], counts[:, 1], counts[:, 0])
    else:
        per_class = [
            _auc_of_scores(scores[:, c], counts[:, c], rows - counts[:, c]) for c in range(k)
        ]
        auc = float(np.mean([a for a, _ in per_class]))
        se = float(np.mean([e for _, e in per_class]))
    predicted = scores.argmax(axis=1)
    hits = np.bincount(predicted, weights=counts[np.arange(len(counts)), predicted], minlength=k)
    return auc, se, float(np.mean(hits / counts.sum(axis=0)))


def _lookup_scores(
    codes: np.ndarray, y: np.ndarray, n_classes: int, fold_of: np.ndarray, n_folds: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Out-of-fold class probabilities of a Laplace-smoothed lookup table on ``codes``, one
    per (fold, code): the probabilities, the rows of each class they score, and the table of
    codes by class. A test row of fold ``f`` with code ``c`` gets the add-one smoothed class
    shares of code ``c`` among the other folds' rows."""
    k = int(codes.max()) + 1
    cells = np.bincount(
        (fold_of * k + codes) * n_classes + y, minlength=n_folds * k * n_classes
    ).reshape(n_folds, k, n_classes)
    table = cells.sum(axis=0)
    train = 1.0 + (table[None] - cells)  # add-one smoothing: unseen codes get the prior shape
    proba = train / train.sum(axis=2, keepdims=True)
    return proba.reshape(-1, n_classes), cells.reshape(-1, n_classes).astype(float), table


def _mutual_information(table: np.ndarray) -> float:
    """Mutual information (nats) of a contingency table of counts."""
    n = table.sum()
    joint = table[table > 0] / n
    rows = np.broadcast_to(table.sum(axis=1, keepdims=True) / n, table.shape)[table > 0]
    cols = np.broadcast_to(table.sum(axis=0, keepdims=True) / n, table.shape)[table > 0]
    return float(max((joint * np.log(joint / (rows * cols))).sum(), 0.0))


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
    rows = np.flatnonzero(keep)
    y_codes, classes = pd.factorize(s.iloc[rows], sort=True)
    y = np.asarray(y_codes, dtype=np.int64)
    if plan is not None:  # stratified sample
        take = positions_within(y, plan)
        rows, y = rows[take], y[take]
    # Only the rows used are copied (not every row first: a million rows, 20 inputs).
    columns = [i for i, c in enumerate(data.columns) if c not in exclude]
    frame = data.iloc[rows, columns]
    return rank_proxies(
        frame, y, left_out, n_splits, n_bins, random_state, all_features, level,
        labels=[str(c) for c in classes],
    )  # fmt: skip


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


def lump_groups(y: np.ndarray, labels: list[str], cap: int) -> tuple[np.ndarray, list[str]]:
    """``y`` with every group beyond the ``cap - 1`` largest (by rows of ``y``, ties in code
    order) taken together as the last group (the others keep their order), and the labels of
    those taken together (none when there are at most ``cap`` groups).

    >>> y, lumped = lump_groups(np.array([0, 1, 1, 2, 2, 2, 3]), ["a", "b", "c", "d"], 3)
    >>> y.tolist(), lumped
    ([2, 0, 0, 1, 1, 1, 2], ['a', 'd'])
    """
    sizes = np.bincount(y)
    if len(sizes) <= cap:
        return y, []
    order = np.argsort(-sizes, kind="stable")
    kept = np.sort(order[: cap - 1])
    code = np.full(len(sizes), cap - 1, dtype=np.int64)
    code[kept] = np.arange(cap - 1)
    return code[y], [labels[c] for c in np.sort(order[cap - 1 :])]


def rank_proxies(
    frame: pd.DataFrame,
    y: np.ndarray,
    left_out: dict[str, int],
    n_splits: int = 3,
    n_bins: int = 10,
    random_state: int | None = 0,
    all_features: bool = True,
    level: float = 0.95,
    labels: list[str] | None = None,
) -> ProxyReport:
    """The ranking of :func:`find_proxies` on rows already chosen: ``y`` holds each row's group
    code (0 to k-1, every group present), ``labels`` the groups' labels (the codes as text
    by default). Beyond :data:`MAX_GROUPS` groups, the smallest are taken together as one
    (:func:`lump_groups`; ``ProxyReport.lumped``)."""
    from sklearn.model_selection import StratifiedKFold

    n_groups = int(y.max()) + 1 if len(y) else 0
    y, lumped = lump_groups(y, labels or [str(c) for c in range(n_groups)], MAX_GROUPS)
    lumped_rows = int((y == MAX_GROUPS - 1).sum()) if lumped else 0
    n_classes = int(y.max()) + 1 if len(y) else 0
    smallest = int(np.bincount(y).min()) if n_classes else 0
    splits = min(n_splits, smallest)
    if n_classes < 2 or splits < 2:
        empty = pd.DataFrame(columns=COLUMNS)
        return ProxyReport(empty, math.nan, math.nan, len(y), n_classes, left_out)
    cv = StratifiedKFold(n_splits=splits, shuffle=True, random_state=random_state)
    folds = list(cv.split(np.zeros(len(y)), y))
    fold_of = np.empty(len(y), dtype=np.int64)
    for f, (_, test) in enumerate(folds):
        fold_of[test] = f
    z = z_value(level)
    h = _entropy_bits(y)
    capped = all_features and n_classes > ALL_FEATURES_MAX_GROUPS
    all_features = all_features and not capped
    with stage("proxies") as bar:  # one step per input, and per fold of the all-features model
        bar.add(len(frame.columns) + (len(folds) if all_features else 0))
        table, all_scores = _ranked(frame, y, n_classes, folds, fold_of, splits, n_bins, z, h,
                                    all_features, random_state, bar)  # fmt: skip
    all_auc, all_se, all_bal = all_scores
    return ProxyReport(
        table, all_auc, all_bal, len(y), n_classes, left_out, all_se, capped,
        tuple(lumped), lumped_rows,
    )  # fmt: skip


def _ranked(
    frame: pd.DataFrame,
    y: np.ndarray,
    n_classes: int,
    folds: list,
    fold_of: np.ndarray,
    splits: int,
    n_bins: int,
    z: float,
    h: float,
    all_features: bool,
    random_state: int | None,
    bar: Stage,
) -> tuple[pd.DataFrame, tuple[float, float, float]]:
    """The per-input table and the all-features scores of :func:`rank_proxies`, advancing
    ``bar`` one step per input and per fold."""
    rows = []
    for col in frame.columns:
        codes, kind = _discretize(frame[col], n_bins)
        scores, counts, table = _lookup_scores(codes, y, n_classes, fold_of, splits)
        auc, se, bal = _scores_from_counts(scores, counts)
        mi = _mutual_information(table) / math.log(2)
        rows.append(
            {
                "feature": str(col),
                "kind": kind,
                "auc": auc,
                "auc_se": se,
                "auc_low": auc - z * se,
                "auc_high": auc + z * se,
                "balanced_accuracy": bal,
                "mutual_information": mi,
                "normalized_mi": mi / h if h > 0 else math.nan,
            }
        )
        bar.update()
    # No candidate feature (data holds only the attribute itself): an empty ranking.
    table = pd.DataFrame(rows, columns=["feature", *COLUMNS]).set_index("feature")
    if len(table):
        table = table.sort_values(["auc", "mutual_information"], ascending=False)
    all_scores = (math.nan, math.nan, math.nan)
    if all_features and len(frame.columns):
        all_scores = _all_features(frame, y, n_classes, folds, random_state, bar)
    return table, all_scores


def _all_features(
    frame: pd.DataFrame,
    y: np.ndarray,
    n_classes: int,
    folds: list,
    random_state: int | None,
    bar: Stage,
) -> tuple[float, float, float]:
    """Cross-validated AUC, its standard error and the balanced accuracy of a small
    gradient-boosting model on every feature (:data:`ALL_FEATURES_ITERATIONS` rounds), on the
    audit's threads (one by default, see :mod:`szai_audit.core.threads`)."""
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
        return math.nan, math.nan, math.nan
    x = encoded.to_numpy()
    proba = np.empty((len(y), n_classes))
    with limited_threads():
        for train, test in folds:
            model = HistGradientBoostingClassifier(
                max_iter=ALL_FEATURES_ITERATIONS,
                max_depth=3,
                learning_rate=ALL_FEATURES_LEARNING_RATE,
                categorical_features=np.asarray(categorical),
                early_stopping=False,
                random_state=random_state,
            )
            model.fit(x[train], y[train])
            p = model.predict_proba(x[test])
            full = np.zeros((len(test), n_classes))
            full[:, model.classes_] = p
            proba[test] = full
            bar.update()
    counts = np.zeros((len(y), n_classes))
    counts[np.arange(len(y)), y] = 1.0
    return _scores_from_counts(proba, counts)


def stand_in(report: ProxyReport | None) -> tuple[str, float] | None:
    """The single input that all but equals the attribute (cross-validated AUC of at least
    :data:`PERFECT_PROXY_AUC`), with its AUC; None when there is none.

    >>> import pandas as pd
    >>> table = pd.DataFrame({"auc": [1.0, 0.6]}, index=["status", "age"])
    >>> r = ProxyReport(table, 1.0, 1.0, 300, 2)
    >>> stand_in(r)
    ('status', 1.0)
    """
    if report is None or report.features.empty:
        return None
    aucs = report.features["auc"].astype(float)
    top = aucs.idxmax()
    value = float(aucs[top])
    return (str(top), value) if value >= PERFECT_PROXY_AUC else None


def is_proxy(auc: float | None, threshold: float) -> bool:
    """The one rule for "proxy" (代理变量) across the audit's findings, actions, report,
    notices and filings: an input whose single-input cross-validated AUC for predicting the
    attribute (the point estimate) is at least ``threshold`` (``policy.proxy_auc_threshold``).

    >>> is_proxy(0.705, 0.7), is_proxy(0.69, 0.7), is_proxy(None, 0.7)
    (True, False, False)
    """
    return auc is not None and math.isfinite(float(auc)) and float(auc) >= threshold


def proxies_of(report: ProxyReport | None, threshold: float) -> list[str]:
    """The proxies of one ground (:func:`is_proxy`), most informative first.

    >>> table = pd.DataFrame({"auc": [1.0, 0.72, 0.6]}, index=["status", "age", "job"])
    >>> proxies_of(ProxyReport(table, 1.0, 1.0, 300, 2), 0.7)
    ['status', 'age']
    """
    if report is None or report.features.empty:
        return []
    return [str(c) for c, auc in report.features["auc"].items() if is_proxy(auc, threshold)]


def possible_stand_ins(report: ProxyReport | None, threshold: float) -> list[str]:
    """The inputs that are not proxies (:func:`is_proxy`) but whose interval for predicting
    the attribute reaches ``threshold`` (``auc_high``): the data cannot rule them out. The
    attribute-share check weighs them, cautiously, and calls them possible stand-ins
    (可能的替代变量), never proxies.

    >>> table = pd.DataFrame({"auc": [0.72, 0.65, 0.6], "auc_high": [0.8, 0.75, 0.68]},
    ...                      index=["age", "job", "x"])
    >>> possible_stand_ins(ProxyReport(table, 1.0, 1.0, 300, 2), 0.7)
    ['job']
    """
    if report is None or report.features.empty:
        return []
    table = report.features
    return [
        str(c)
        for c, row in table.iterrows()
        if not is_proxy(row["auc"], threshold)
        and math.isfinite(float(row["auc_high"]))
        and float(row["auc_high"]) >= threshold
    ]
