"""Art. 71: how much each input moved each decision, in the space of the raw input columns.

:func:`explain` returns an :class:`Explanation`: per-row contributions (Shapley values) of every
*raw* input column, summing exactly, with the base value, to the model's output. The engine is
chosen by the model, never guessed from its outputs:

* **tree models** (scikit-learn decision trees, random forests, extra trees, gradient boosting,
  histogram gradient boosting; xgboost; lightgbm; binary or regression): exact path-dependent
  Tree SHAP. LightGBM and xgboost compute it themselves (``pred_contrib``), reading pandas
  categories as the model does; scikit-learn trees go through ``shap.TreeExplainer``. Output
  space: log-odds for boosted classifiers, probability for forests and single trees, the raw
  value for regressors (its logarithm for Poisson, gamma and Tweedie boosters).
* **linear models** whose output is exactly ``X w + b`` (see ``engines.LINEAR``): the exact
  linear form ``w_j (x_j - mean_j)`` on the model's inputs, the means taken over a background
  sample, checked against the model's own ``decision_function`` / ``predict``. Output space:
  log-odds for logistic regression, the decision score for other linear classifiers, the raw
  value for regressors.
* **anything else** (multi-class boosted trees, histogram gradient boosting with categorical
  splits, GLMs with a link function, callables), or a pipeline whose preprocessing cannot be
  traced back to the raw columns: shap's Permutation explainer on the raw columns (categorical
  columns integer-coded for the masker and decoded inside the model call), with at most 50
  background rows drawn at random. Output space: the probability of the positive label; for a
  model that returns decisions only, 1 when it decides the positive label, else 0; the raw value
  for numeric outputs. Shap's KernelExplainer is never used.

Through a scikit-learn Pipeline whose first step is a ColumnTransformer (OneHotEncoder,
OrdinalEncoder, scalers, imputers, passthrough), the contributions of every transformed column
are summed into the raw column it comes from. Additivity (base value + sum of contributions =
model output) is checked on every row, relative to the size of the numbers added up: within
1e-6 for engines that compute in double precision, 1e-4 for xgboost, which computes its trees and
contributions in single precision (float32 rounding over thousands of trees reaches ~3e-5).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..core.data import is_numeric, positions_within
from ..core.errors import ExplanationError, InputError, InputTypeError, SzaiAuditError
from ..core.models import CallableModel, adapt_model, model_input
from .columns import NoMapping, as_matrix, column_map
from .engines import (
    Fallback,
    family_of,
    linear,
    output_function,
    permutation,
    tree_lightgbm,
    tree_sklearn,
    tree_xgboost,
)

__all__ = [
    "ADDITIVITY_TOL",
    "ADDITIVITY_TOL_SINGLE",
    "Explanation",
    "ExplanationError",
    "RowSample",
    "explain",
    "explain_sample",
    "stratified_ordinals",
    "stratified_sample",
]

#: Additivity tolerance, per row: |base + sum - output| <= ADDITIVITY_TOL * scale, where
#: scale = max(1, |output|, |base| + sum |contribution|) (the size of the numbers added up).
ADDITIVITY_TOL = 1e-6
#: The tolerance for xgboost, which computes in single precision (float32).
ADDITIVITY_TOL_SINGLE = 1e-4


# --------------------------------------------------------------------------------------------
# The result
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Explanation:
    """Contributions of each raw input column to each explained row's model output.

    Attributes
    ----------
    values : DataFrame
        One row per explained row (same index as ``data``), one column per raw input column.
    base_value : float
        The model's expected output (over the background): ``base_value + values.sum(axis=1)``
        is the model output of each row.
    output : ndarray
        The model output that is explained, per row, in ``output_space``.
    output_space : {"probability", "log_odds", "score", "decision", "raw", "log_raw"}
        ``probability``: of the positive label; ``log_odds``: of the positive label (boosted
        trees, logistic regression); ``score``: a linear classifier's decision score (positive
        towards the positive label); ``decision``: 1 when the model decides the positive label,
        else 0 (models that return decisions only); ``raw``: the numeric prediction;
        ``log_raw``: its logarithm (Poisson, gamma, Tweedie boosters).
    method : str
        The engine used, in words.
    additivity_error : float
        Largest relative gap between ``base_value + sum`` and ``output`` over the rows.
    additivity_tolerance : float
        The largest gap allowed for the engine (1e-6; 1e-4 for xgboost's float32).
    data : DataFrame
        The explained raw rows (kept for directions and readable values; never written to a
        report or to JSON).
    n_total : int
        Rows the sample was drawn from.
    positions : ndarray
        Positions in ``X`` of the explained rows.
    unused : list of str
        Columns of ``X`` the model's preprocessing drops: they have no influence and are left
        out of ``values``.
    background : str
        What the expectation is taken over.
    """

    values: pd.DataFrame
    base_value: float
    output: np.ndarray
    output_space: str
    method: str
    additivity_error: float
    data: pd.DataFrame
    n_total: int
    background: str
    positions: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=int))
    unused: list[str] = field(default_factory=list)
    additivity_tolerance: float = ADDITIVITY_TOL
    _cache: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def n_rows(self) -> int:
        """Rows explained."""
        return len(self.values)

    @property
    def features(self) -> list[str]:
        return [str(c) for c in self.values.columns]

    def importance(
        self, level: float = 0.95, n_boot: int = 200, random_state: int | None = 0
    ) -> pd.DataFrame:
        """Mean absolute contribution of each feature, most important first.

        Columns: ``importance``, ``share`` (of the total over features), ``low`` and ``high``
        (percentile bootstrap interval of ``importance`` over the explained rows: the sampling
        uncertainty), ``share_low`` and ``share_high``.

        Examples
        --------
        >>> from sklearn.linear_model import LinearRegression
        >>> X = pd.DataFrame({"a": [0.0, 1, 2, 3], "b": [1.0, 0, 1, 0]})
        >>> ex = explain(LinearRegression().fit(X, 2 * X["a"] + X["b"]), X)
        >>> ex.importance()[["importance", "share"]].round(3)
           importance  share
        a         2.0    0.8
        b         0.5    0.2
        """
        key = ("importance", level, n_boot, random_state)
        if key in self._cache:
            return self._cache[key].copy()
        mag = np.abs(self.values.to_numpy(dtype=float))
        imp = mag.mean(axis=0)
        total = imp.sum()
        rng = np.random.default_rng(random_state)
        n = len(mag)
        boots = np.empty((n_boot, mag.shape[1]))
        for b in range(n_boot):
            boots[b] = mag[rng.integers(0, n, n)].mean(axis=0)
        shares = boots / np.maximum(boots.sum(axis=1, keepdims=True), 1e-300)
        q = [(1 - level) / 2, 1 - (1 - level) / 2]
        low, high = np.quantile(boots, q, axis=0)
        share_low, share_high = np.quantile(shares, q, axis=0)
        frame = pd.DataFrame(
            {
                "importance": imp,
                "share": imp / total if total > 0 else np.zeros_like(imp),
                "low": low,
                "high": high,
                "share_low": share_low,
                "share_high": share_high,
            },
            index=self.values.columns,
        ).sort_values("importance", ascending=False, kind="stable")
        self._cache[key] = frame
        return frame.copy()

    def direction(self, feature: str, min_count: int = 5) -> dict[str, Any]:
        """How a feature pushes the output.

        Numeric: ``{"kind": "numeric", "correlation": rho, "sign": 1 | -1 | 0}`` where ``rho``
        is the Spearman correlation between the feature's value and its contribution (sign 0
        when ``|rho| < 0.1``: no single direction). Categorical: ``{"kind": "categorical",
        "by_category": {category: mean contribution}}`` over categories with at least
        ``min_count`` explained rows, plus ``raising`` and ``lowering``, the categories with
        the highest and lowest mean contribution.
        """
        col = self.data[feature]
        contrib = self.values[feature].to_numpy(dtype=float)
        if is_numeric(col):
            x = col.to_numpy(dtype=float, na_value=np.nan)
            ok = ~np.isnan(x)
            rho = math.nan
            if ok.sum() > 2 and np.ptp(x[ok]) > 0 and np.ptp(contrib[ok]) > 0:
                from scipy.stats import spearmanr

                rho = float(spearmanr(x[ok], contrib[ok]).statistic)
            sign = 0 if not math.isfinite(rho) or abs(rho) < 0.1 else (1 if rho > 0 else -1)
            return {"kind": "numeric", "correlation": rho, "sign": sign}
        labels = col.astype(object).where(col.notna(), "(missing)").astype(str)
        frame = pd.DataFrame({"c": labels.to_numpy(), "v": contrib})
        stats = frame.groupby("c")["v"].agg(["mean", "size"])
        stats = stats[stats["size"] >= min_count].sort_values("mean")
        by_cat = {str(k): float(v) for k, v in stats["mean"].items()}
        return {
            "kind": "categorical",
            "by_category": by_cat,
            "raising": str(stats.index[-1]) if len(stats) else None,
            "lowering": str(stats.index[0]) if len(stats) else None,
        }

    def reasons(self, i: int, k: int = 3) -> pd.DataFrame:
        """The ``k`` features that moved the ``i``-th explained row's output most (by absolute
        contribution).

        ``i`` is a position in ``values`` (0 to ``n_rows - 1``; ``positions[i]`` is its
        position in ``X``). Columns: ``value`` (the raw value), ``contribution``.
        """
        if not isinstance(i, (int, np.integer)) or not -self.n_rows <= i < self.n_rows:
            raise InputError(
                f"reasons(i=...) must be a row position between 0 and {self.n_rows - 1}, got {i!r}."
            )
        contrib = self.values.iloc[int(i)].astype(float)
        order = np.argsort(-np.abs(contrib.to_numpy()), kind="stable")[:k]
        top = contrib.index[order]
        raw = self.data.iloc[int(i)]
        return pd.DataFrame(
            {
                "value": [raw[f] for f in top],
                "contribution": contrib.to_numpy()[order],
            },
            index=top,
        )


# --------------------------------------------------------------------------------------------
# Pipelines: which transformed column comes from which raw column
# --------------------------------------------------------------------------------------------


# --------------------------------------------------------------------------------------------
# Engines
# --------------------------------------------------------------------------------------------


# --------------------------------------------------------------------------------------------
# Sampling
# --------------------------------------------------------------------------------------------


def stratified_sample(
    n: int, size: int | None, strata: np.ndarray | None, random_state: int | None
) -> np.ndarray:
    """Row positions of a sample of ``size`` rows, proportional within ``strata`` (every
    stratum keeps at least one row). All rows when ``size`` is None or not smaller than n."""
    if size is None or size >= n:
        return np.arange(n)
    if strata is None:
        return np.sort(np.random.default_rng(random_state).choice(n, size, replace=False))
    codes, _ = pd.factorize(pd.Series(np.asarray(strata, dtype=object)), use_na_sentinel=False)
    plan = stratified_ordinals(n, size, np.bincount(codes), random_state)
    return positions_within(codes, plan)


def stratified_ordinals(
    n: int, size: int, sizes: np.ndarray, random_state: int | None
) -> list[np.ndarray]:
    """The draws of :func:`stratified_sample` from the stratum sizes alone (strata in order of
    first appearance): for each stratum, which of its rows (0 for its first) are sampled."""
    rng = np.random.default_rng(random_state)
    out = []
    for m in np.asarray(sizes, dtype=np.int64):
        take = min(int(m), max(1, round(size * int(m) / n)))
        out.append(np.sort(rng.choice(int(m), take, replace=False)))
    return out


# --------------------------------------------------------------------------------------------
# The entry point
# --------------------------------------------------------------------------------------------


def explain(
    model: Any,
    X: pd.DataFrame,
    *,
    positive_label: Any = 1,
    sample_size: int | None = None,
    strata: Sequence[Any] | np.ndarray | None = None,
    background_size: int = 100,
    random_state: int | None = 0,
    progress: bool = True,
    permutation_sample_size: int = 300,
) -> Explanation:
    """Explain a fitted model on the raw rows ``X``: contributions per raw input column.

    Parameters
    ----------
    model : estimator, Pipeline, booster or callable
        The fitted model (see the module documentation for the engines), or a
        :class:`szai_audit.CallableModel` / function (Permutation explainer).
    X : DataFrame
        The model's raw inputs.
    positive_label : scalar or None, default 1
        The class whose score is explained, for classifiers; it must be one of the model's
        classes. For a model that returns decisions only (a classifier without
        ``predict_proba``, a label-returning function), the explained output is 1 when the
        decision is ``positive_label``, else 0. ``None``: the model's output is a number
        (a regression, a price) and is explained as it is.
    sample_size : int, optional
        Explain a sample of this many rows (stratified by ``strata``); all rows by default.
    strata : array-like, optional
        A label per row (sensitive group and outcome, say) to stratify the sample by.
    background_size : int, default 100
        Rows drawn from ``X`` as background: the expectation of linear and permutation
        explanations is taken over them.
    random_state : int or None, default 0
        Seed of the sample, the background and the permutations.
    progress : bool, default True
        Show a progress bar (on stderr) when a run takes more than 3 seconds.
    permutation_sample_size : int, default 300
        With the model-agnostic Permutation explainer (``10 p`` model calls per row and
        background row, ``p`` columns), at most this many rows are explained (a sub-sample of
        the sample, same strata), fewer for wide data (at most 40,000 row evaluations, at least
        10 rows), and at most 50 background rows, drawn at random, are used.

    Returns
    -------
    Explanation

    Raises
    ------
    ExplanationError
        The model cannot be explained, ``positive_label`` is not one of its classes, or the
        contributions fail the additivity check.

    Examples
    --------
    >>> from sklearn.ensemble import RandomForestClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame({"income": rng.normal(size=300), "noise": rng.normal(size=300)})
    >>> y = (X["income"] > 0).astype(int)
    >>> ex = explain(RandomForestClassifier(n_estimators=20, random_state=0).fit(X, y), X)
    >>> ex.output_space, ex.importance().index[0]
    ('probability', 'income')
    >>> bool(ex.additivity_error < 1e-6)
    True
    """
    _check_explain_args(model, X, background_size, permutation_sample_size)
    sample = _row_sample(X, sample_size, strata, background_size, random_state)
    return explain_sample(
        model,
        sample,
        positive_label=positive_label,
        random_state=random_state,
        progress=progress,
        permutation_sample_size=permutation_sample_size,
    )


def _check_explain_args(
    model: Any, X: Any, background_size: int, permutation_sample_size: int
) -> None:
    """Refuse inputs :func:`explain` cannot work with, with a message naming the problem."""
    if not isinstance(X, pd.DataFrame):
        raise InputTypeError(f"X must be a pandas DataFrame of raw inputs, got {type(X).__name__}.")
    if len(X) == 0 or X.shape[1] == 0:
        raise InputError("X is empty: nothing to explain.")
    adapt_model(model)  # an unusable or unfitted model is refused here, by name
    if background_size < 1:
        raise InputError(f"background_size must be at least 1, got {background_size}.")
    if permutation_sample_size < 1:
        raise InputError(
            f"permutation_sample_size must be at least 1, got {permutation_sample_size}."
        )


def _row_sample(
    X: pd.DataFrame,
    sample_size: int | None,
    strata: Sequence[Any] | np.ndarray | None,
    background_size: int,
    random_state: int | None,
) -> RowSample:
    """The rows :func:`explain` explains (stratified sample) and its random background rows."""
    n_total = len(X)
    strata_arr = None if strata is None else np.asarray(strata)
    if strata_arr is not None and len(strata_arr) != n_total:
        raise InputError(f"strata has {len(strata_arr)} labels for {n_total} rows of X.")
    take = stratified_sample(n_total, sample_size, strata_arr, random_state)
    rng = np.random.default_rng(None if random_state is None else random_state + 1)
    return RowSample(
        frame=X,
        positions=np.arange(n_total),
        n_total=n_total,
        take=take,
        background=rng.choice(n_total, min(background_size, n_total), replace=False),
        strata=None if strata_arr is None else strata_arr[take],
    )


@dataclass(frozen=True)
class RowSample:
    """The rows an explanation uses, drawn in advance from data of ``n_total`` rows (which need
    not be in memory): ``frame`` holds the rows at the sorted global ``positions``; ``take``
    (the rows explained, sorted) and ``background`` (in the order drawn) are global positions,
    and ``strata`` the stratum of each row of ``take``."""

    frame: pd.DataFrame
    positions: np.ndarray
    n_total: int
    take: np.ndarray
    background: np.ndarray
    strata: np.ndarray | None = None

    def rows(self, positions: np.ndarray) -> pd.DataFrame:
        """The rows at these global positions."""
        return self.frame.iloc[np.searchsorted(self.positions, positions)]


def explain_sample(
    model: Any,
    sample: RowSample,
    *,
    positive_label: Any = 1,
    random_state: int | None = 0,
    progress: bool = True,
    permutation_sample_size: int = 300,
    every_row: bool = False,
) -> Explanation:
    """:func:`explain` on rows drawn in advance (see :class:`RowSample`), for data seen in
    parts; the arguments are those of :func:`explain`. With ``every_row``, the permutation
    explainer explains every row of ``take`` (no cap on the rows explained)."""
    X = sample.frame
    n_total, take, bg_take = sample.n_total, sample.take, sample.background
    rows = sample.rows(take)
    background = sample.rows(np.sort(bg_take))
    pre, est, family = _split_model(model)
    family, xt, mapping = _model_inputs(pre, family, rows, X)

    bg_text = f"{len(background)} rows drawn at random from the {n_total} given"
    try:
        try:
            values, base, output, space, method, bg_text = _exact_engine(
                family, est, pre, xt, background, positive_label, bg_text
            )
        except Fallback:
            family = "other"
            predict, space = output_function(model, positive_label)
            p = X.shape[1]
            evals = max(2 * p + 1, 10 * p)
            cap = min(permutation_sample_size, max(10, 40_000 // evals))
            if len(rows) > cap and not every_row:
                sub = stratified_sample(len(rows), cap, sample.strata, random_state)
                take, rows = take[sub], rows.iloc[sub]
            if len(background) > 50:
                background = sample.rows(np.sort(bg_take[:50]))  # bg_take is in random order
                bg_text = f"50 rows drawn at random from the {n_total} given"
            values, base, output = permutation(
                predict, rows, background, random_state, progress, evals
            )
            method = (
                f"shap Permutation explainer on the raw columns (background: {bg_text}; "
                f"{evals} model calls per row and background row)"
            )
            mapping = list(range(p))
    except SzaiAuditError:
        raise
    except Exception as exc:
        raise ExplanationError(
            f"the explanation failed ({type(exc).__name__}: {exc}); the model may not be supported."
        ) from exc

    assert mapping is not None
    raw = np.zeros((len(rows), X.shape[1]))
    np.add.at(raw.T, np.asarray(mapping), np.asarray(values, dtype=float).T)
    output = np.asarray(output, dtype=float)
    error, tolerance = _additivity_error(raw, base, output, family)
    used = sorted({int(m) for m in mapping})
    unused = [str(c) for j, c in enumerate(X.columns) if j not in used]
    return Explanation(
        values=pd.DataFrame(raw[:, used], index=rows.index, columns=X.columns[used]),
        base_value=float(base),
        output=output,
        output_space=space,
        method=method,
        additivity_error=error,
        additivity_tolerance=tolerance,
        data=rows,
        n_total=n_total,
        background=bg_text,
        positions=np.asarray(take, dtype=int),
        unused=unused,
    )


def _split_model(model: Any) -> tuple[Any, Any, str]:
    """The preprocessing (None without a pipeline), the final estimator and its engine family."""
    pre, est = None, model
    if hasattr(model, "steps") and len(model.steps) > 1:
        pre, est = model[:-1], model.steps[-1][1]
    elif hasattr(model, "steps"):
        est = model.steps[-1][1]
    family = "other" if isinstance(model, CallableModel) else family_of(est)
    return pre, est, family


def _model_inputs(
    pre: Any, family: str, rows: pd.DataFrame, X: pd.DataFrame
) -> tuple[str, Any, list[int] | None]:
    """The engine family, the estimator's inputs for ``rows`` and the raw column of each input
    column; the family becomes "other" when the inputs cannot be traced to raw columns."""
    mapping: list[int] | None = None
    xt: Any = None
    if family != "other":
        try:
            xt = as_matrix(pre.transform(model_input(rows)) if pre is not None else rows)
            mapping = (
                column_map(pre, X, xt.shape[1]) if pre is not None else list(range(X.shape[1]))
            )
            if isinstance(xt, pd.DataFrame) and family not in ("lightgbm", "xgboost"):
                raise NoMapping("the model's inputs are not numeric")
        except NoMapping:
            family = "other"
        except (ValueError, TypeError) as exc:
            raise ExplanationError(
                f"the model's preprocessing failed on X ({type(exc).__name__}: {exc})."
            ) from exc
    return family, xt, mapping


def _exact_engine(
    family: str,
    est: Any,
    pre: Any,
    xt: Any,
    background: pd.DataFrame,
    positive_label: Any,
    bg_text: str,
) -> tuple[np.ndarray, float, np.ndarray, str, str, str]:
    """Values, base, output, space and method of a tree or linear engine, and what the
    expectation is taken over; raises Fallback for any other family."""
    if family == "sklearn_tree":
        values, base, output, space, method = tree_sklearn(est, xt, positive_label)
    elif family == "lightgbm":
        values, base, output, space, method = tree_lightgbm(est, xt, positive_label)
    elif family == "xgboost":
        values, base, output, space, method = tree_xgboost(est, xt, positive_label)
    elif family == "linear":
        xt_bg = as_matrix(pre.transform(model_input(background)) if pre is not None else background)
        values, base, output, space, method = linear(est, xt, xt_bg, positive_label)
        return values, base, output, space, method, f"the mean of {bg_text}"
    else:
        raise Fallback(family)
    bg_text = "the training data, through the trees' node counts (path-dependent)"
    return values, base, output, space, method, bg_text


def _additivity_error(
    raw: np.ndarray, base: float, output: np.ndarray, family: str
) -> tuple[float, float]:
    """Largest relative gap between base + contributions and the output, and the tolerance
    of the engine; raises ExplanationError beyond the tolerance."""
    total = base + raw.sum(axis=1)
    scale = np.maximum.reduce([np.ones(len(raw)), np.abs(output), abs(base) + np.abs(raw).sum(1)])
    error = float(np.max(np.abs(total - output) / scale))
    tolerance = ADDITIVITY_TOL_SINGLE if family == "xgboost" else ADDITIVITY_TOL
    if not error <= tolerance:
        raise ExplanationError(
            f"additivity check failed: base value + contributions differs from the model output "
            f"by up to {error:.2e} (relative); the tolerance is {tolerance:g}."
        )
    return error, tolerance
