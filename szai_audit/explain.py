"""Article 71: how much each input moved each decision, in the space of the raw input columns.

:func:`explain` returns an :class:`Explanation`: per-row contributions (Shapley values) of every
*raw* input column, summing exactly, with the base value, to the model's output. The engine is
chosen by the model, never guessed from its outputs:

* **tree models** (scikit-learn decision trees, random forests, extra trees, gradient boosting,
  histogram gradient boosting; xgboost; lightgbm; binary or regression): exact path-dependent
  Tree SHAP. LightGBM and xgboost compute it themselves (``pred_contrib``), reading pandas
  categories as the model does; scikit-learn trees go through ``shap.TreeExplainer``. Output
  space: log-odds for boosted classifiers, probability for forests and single trees, the raw
  value for regressors (its logarithm for Poisson, gamma and Tweedie boosters).
* **linear models** whose output is exactly ``X w + b`` (see ``_LINEAR``): the exact linear form
  ``w_j (x_j - mean_j)`` on the model's inputs, the means taken over a background sample,
  checked against the model's own ``decision_function`` / ``predict``. Output space: log-odds
  for logistic regression, the decision score for other linear classifiers, the raw value for
  regressors.
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
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .errors import ExplanationError, InputError, InputTypeError, ModelError, SzaiAuditError

__all__ = ["Explanation", "ExplanationError", "explain"]

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
        if _is_numeric(col):
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

#: Transformers whose every output column is a function of one input column only.
_COLUMNWISE = {
    "StandardScaler",
    "MinMaxScaler",
    "MaxAbsScaler",
    "RobustScaler",
    "QuantileTransformer",
    "PowerTransformer",
    "OrdinalEncoder",
    "SimpleImputer",
    "KBinsDiscretizer",
}


class _NoMapping(Exception):
    """The preprocessing cannot be traced column by column, or its output is not numeric."""


def _is_numeric(col: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(col.dtype) and not pd.api.types.is_bool_dtype(col.dtype)


def _resolve_columns(spec: Any, X: pd.DataFrame, ct: Any) -> list[int]:
    """A fitted ColumnTransformer's column specification as positions in ``X``.

    Integers and slices are positions in the columns the transformer was *fitted* on; when it
    was fitted on a DataFrame, they are turned into those names and found in ``X`` by name (as
    the transformer itself does), so extra or reordered columns in ``X`` do not shift them.
    """
    fit_names = getattr(ct, "feature_names_in_", None)
    if fit_names is None:
        if X.shape[1] != getattr(ct, "n_features_in_", X.shape[1]):
            raise _NoMapping("the ColumnTransformer was fitted on an array of another width")
        universe: list[Any] = list(range(X.shape[1]))
    else:
        universe = [str(c) for c in fit_names]
    if callable(spec):
        spec = spec(X)
    if isinstance(spec, (str, int, np.integer)):
        spec = [spec]
    if isinstance(spec, slice):
        if isinstance(spec.start, str) or isinstance(spec.stop, str):  # label slice, inclusive
            lo = 0 if spec.start is None else universe.index(spec.start)
            hi = len(universe) if spec.stop is None else universe.index(spec.stop) + 1
            chosen = universe[lo:hi]
        else:
            chosen = universe[spec]
    else:
        arr = np.asarray(spec)
        if arr.dtype == bool:
            chosen = [universe[i] for i in np.flatnonzero(arr)]
        else:  # scikit-learn reads integers as positions, strings as names
            chosen = [
                universe[int(s)] if isinstance(s, (int, np.integer)) else s for s in arr.tolist()
            ]
    if fit_names is None:
        return [int(c) for c in chosen]
    cols = list(X.columns)
    return [cols.index(c) for c in chosen]


def _one_hot_widths(enc: Any, k: int) -> list[int]:
    widths = getattr(enc, "_n_features_outs", None)
    if widths is not None and len(widths) == k:
        return [int(w) for w in widths]
    drop = getattr(enc, "drop_idx_", None)
    return [
        len(c) - (0 if drop is None or drop[i] is None else 1)
        for i, c in enumerate(enc.categories_)
    ]


def _block_map(trans: Any, inputs: list[int], width: int) -> list[int]:
    """Raw column of each output of one transformer applied to ``inputs``."""
    if len(inputs) == 1:
        return inputs * width
    if width == len(inputs) and _columnwise(trans):
        return list(inputs)
    last = trans.steps[-1][1] if hasattr(trans, "steps") else trans
    if type(last).__name__ == "OneHotEncoder" and (
        not hasattr(trans, "steps") or all(_columnwise(s) for _, s in trans.steps[:-1])
    ):
        widths = _one_hot_widths(last, len(inputs))
        if sum(widths) == width:
            return [col for col, w in zip(inputs, widths, strict=True) for _ in range(w)]
    raise _NoMapping(f"cannot trace {type(trans).__name__} on several columns")


def _columnwise(trans: Any) -> bool:
    if isinstance(trans, str):
        return trans == "passthrough"
    if hasattr(trans, "steps"):
        return all(_columnwise(s) for _, s in trans.steps)
    name = type(trans).__name__
    if name == "FunctionTransformer":  # only the identity ("passthrough") is column-wise
        return getattr(trans, "func", None) is None
    if name == "SimpleImputer" and getattr(trans, "add_indicator", False):
        return False
    if name == "KBinsDiscretizer" and getattr(trans, "encode", "") != "ordinal":
        return False
    return name in _COLUMNWISE


def _flat_steps(pre: Any) -> list[Any]:
    """The transformers of a (possibly nested) Pipeline, in order."""
    if not hasattr(pre, "steps"):
        return [pre]
    return [t for _, step in pre.steps for t in _flat_steps(step)]


def column_map(pre: Any, X: pd.DataFrame, width: int) -> list[int]:
    """For each of the ``width`` columns ``pre`` outputs, the position of its raw column."""
    try:
        return _column_map(pre, X, width)
    except (ValueError, IndexError, KeyError, TypeError, AttributeError) as exc:
        raise _NoMapping(f"cannot trace the preprocessing ({type(exc).__name__})") from exc


def _column_map(pre: Any, X: pd.DataFrame, width: int) -> list[int]:
    steps = [s for s in _flat_steps(pre) if not (isinstance(s, str) and s == "passthrough")]
    if not steps:
        return list(range(X.shape[1]))
    first = steps[0]
    if type(first).__name__ == "ColumnTransformer":
        mapping: list[int | None] = [None] * sum(
            s.stop - s.start for s in first.output_indices_.values()
        )
        for name, trans, spec in first.transformers_:
            block = first.output_indices_.get(name)
            if block is None or block.stop == block.start or trans == "drop":
                continue
            inputs = _resolve_columns(spec, X, first)
            for offset, col in enumerate(_block_map(trans, inputs, block.stop - block.start)):
                mapping[block.start + offset] = col
        if any(m is None for m in mapping):
            raise _NoMapping("a ColumnTransformer output has no source column")
        result = [int(m) for m in mapping if m is not None]
    elif _columnwise(first) and width == X.shape[1]:
        result = list(range(X.shape[1]))
    else:
        raise _NoMapping(f"cannot trace {type(first).__name__}")
    for step in steps[1:]:
        if not _columnwise(step):
            raise _NoMapping(f"cannot trace {type(step).__name__}")
    if len(result) != width:
        raise _NoMapping("the traced width does not match the model's input width")
    return result


def _matrix(x: Any) -> np.ndarray | pd.DataFrame:
    """The model's input as a float matrix; a DataFrame holding categories or text is kept as
    it is (only the boosters read it natively)."""
    if hasattr(x, "toarray"):
        x = x.toarray()
    if isinstance(x, pd.DataFrame):
        plain = all(
            (pd.api.types.is_numeric_dtype(t) or pd.api.types.is_bool_dtype(t))
            and not isinstance(t, pd.CategoricalDtype)
            for t in x.dtypes
        )
        return x.to_numpy(dtype=float, na_value=np.nan) if plain else x
    try:
        return np.asarray(x, dtype=float)
    except (TypeError, ValueError) as exc:
        raise _NoMapping("the model's inputs are not numeric") from exc


# --------------------------------------------------------------------------------------------
# Engines
# --------------------------------------------------------------------------------------------

_SKLEARN_TREES = {
    "DecisionTreeClassifier",
    "DecisionTreeRegressor",
    "ExtraTreeClassifier",
    "ExtraTreeRegressor",
    "RandomForestClassifier",
    "RandomForestRegressor",
    "ExtraTreesClassifier",
    "ExtraTreesRegressor",
    "GradientBoostingClassifier",
    "GradientBoostingRegressor",
    "HistGradientBoostingClassifier",
    "HistGradientBoostingRegressor",
}
_PROBABILITY_TREES = {
    "DecisionTreeClassifier",
    "ExtraTreeClassifier",
    "RandomForestClassifier",
    "ExtraTreesClassifier",
}
#: scikit-learn models whose output (decision_function or predict) is exactly X w + b.
_LINEAR = {
    "LinearRegression",
    "Ridge",
    "RidgeCV",
    "Lasso",
    "LassoCV",
    "LassoLars",
    "LassoLarsCV",
    "LassoLarsIC",
    "ElasticNet",
    "ElasticNetCV",
    "Lars",
    "LarsCV",
    "OrthogonalMatchingPursuit",
    "OrthogonalMatchingPursuitCV",
    "BayesianRidge",
    "ARDRegression",
    "HuberRegressor",
    "QuantileRegressor",
    "TheilSenRegressor",
    "SGDRegressor",
    "PassiveAggressiveRegressor",
    "LinearSVR",
    "LogisticRegression",
    "LogisticRegressionCV",
    "SGDClassifier",
    "RidgeClassifier",
    "RidgeClassifierCV",
    "Perceptron",
    "PassiveAggressiveClassifier",
    "LinearSVC",
}
#: Booster objectives whose raw score is the log-odds, or the logarithm of the prediction.
_LOGIT_OBJECTIVES = {
    "binary",
    "cross_entropy",
    "xentropy",
    "binary:logistic",
    "binary:logitraw",
    "reg:logistic",
}
_LOG_OBJECTIVES = {
    "poisson",
    "gamma",
    "tweedie",
    "count:poisson",
    "reg:gamma",
    "reg:tweedie",
    "survival:cox",
    "survival:aft",
}


class _Fallback(Exception):
    """The model-specific engine does not apply: use the Permutation explainer."""


def _n_classes(est: Any) -> int:
    try:
        classes = getattr(est, "classes_", None)
    except Exception:  # lightgbm regressors raise on classes_
        return 0
    return 0 if classes is None else len(classes)


def _family(est: Any) -> str:
    name, module = type(est).__name__, type(est).__module__
    if name == "Booster":
        return "lightgbm" if module.startswith("lightgbm") else "xgboost"
    if not hasattr(est, "predict"):
        return "other"
    if module.startswith("lightgbm"):
        return "lightgbm" if _n_classes(est) <= 2 else "other"
    if module.startswith("xgboost"):
        return "xgboost" if _n_classes(est) <= 2 else "other"
    if not module.startswith("sklearn"):
        return "other"
    if name in _SKLEARN_TREES:
        if _n_classes(est) > 2 and name not in _PROBABILITY_TREES:
            return "other"  # boosted multi-class: one score per class
        categorical = getattr(est, "is_categorical_", None)
        if categorical is not None and np.any(categorical):
            return "other"  # native categorical splits: not readable by shap's tree walker
        return "sklearn_tree"
    if name in _LINEAR and np.atleast_2d(np.asarray(est.coef_)).shape[0] == 1:
        return "linear"
    return "other"


def _class_index(est: Any, positive: Any, classes: list[Any] | None = None) -> int:
    """Position of ``positive`` among the classes (``[0, 1]`` for native boosters)."""
    classes = list(getattr(est, "classes_", [])) if classes is None else classes
    if not classes:
        classes = [0, 1]
    if positive is not None:
        for i, c in enumerate(classes):
            if c == positive:
                return i
    raise ExplanationError(
        f"positive_label={positive!r} is not among the model's classes "
        f"{[_plain(c) for c in classes]}; pass the class whose score is explained."
    )


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _as_input(est: Any, xt: np.ndarray) -> Any:
    """The matrix as the estimator was fitted: a frame with its column names if it has them."""
    names = getattr(est, "feature_names_in_", None)
    if names is not None and len(names) == xt.shape[1]:
        return pd.DataFrame(xt, columns=list(names))
    return xt


def _import_shap() -> Any:
    import warnings

    with warnings.catch_warnings():  # shap's own import warns about matplotlib colormaps
        warnings.simplefilter("ignore", (DeprecationWarning, PendingDeprecationWarning))
        import shap
    return shap


def _tree_sklearn(
    est: Any, xt: np.ndarray, positive: Any
) -> tuple[np.ndarray, float, np.ndarray, str, str]:
    shap = _import_shap()
    explainer = shap.TreeExplainer(est)
    exp = explainer(xt, check_additivity=False)
    values, base = np.asarray(exp.values), np.asarray(exp.base_values)
    name = type(est).__name__
    if values.ndim == 3:  # one slice per class (forests, single trees: probabilities)
        c = _class_index(est, positive)
        values, base = values[:, :, c], base[:, c]
        output = est.predict_proba(_as_input(est, xt))[:, c]
        space = "probability"
    elif hasattr(est, "predict_proba"):  # boosted binary classifiers: log-odds of classes_[1]
        sign = 1.0 if _class_index(est, positive) == 1 else -1.0
        values, base = sign * values, sign * base
        output = sign * est.decision_function(_as_input(est, xt))
        space = "log_odds"
    else:
        output = est.predict(_as_input(est, xt))
        space = "raw" if name not in _PROBABILITY_TREES else "probability"
    return (
        values,
        float(np.ravel(base)[0]),
        np.asarray(output, float),
        space,
        ("exact Tree SHAP (path-dependent), shap.TreeExplainer"),
    )


def _booster(est: Any) -> Any:
    return (
        est.booster_
        if hasattr(est, "booster_")
        else est.get_booster()
        if hasattr(est, "get_booster")
        else est
    )


def _booster_space(est: Any, objective: str) -> str:
    name = objective.split(" ")[0]  # lightgbm writes "binary sigmoid:1"
    if _n_classes(est) > 0 or name in _LOGIT_OBJECTIVES:
        return "log_odds"
    return "log_raw" if name in _LOG_OBJECTIVES else "raw"


def _tree_lightgbm(est: Any, xt: Any, positive: Any) -> tuple[Any, ...]:
    booster = _booster(est)
    if booster.num_model_per_iteration() > 1:
        if hasattr(est, "predict_proba"):
            raise _Fallback("multi-class")
        raise ExplanationError(
            "multi-class lightgbm Boosters are not supported; use lightgbm's scikit-learn API "
            "(LGBMClassifier), explained on the probability of the positive label."
        )
    objective = str(booster.params.get("objective", "")) or str(
        booster.dump_model().get("objective", "")
    )
    space = _booster_space(est, objective)
    contrib = np.asarray(booster.predict(xt, pred_contrib=True), dtype=float)
    raw = np.asarray(booster.predict(xt, raw_score=True), dtype=float)
    sign = -1.0 if space == "log_odds" and _class_index(est, positive) == 0 else 1.0
    return (
        sign * contrib[:, :-1],
        float(sign * contrib[0, -1]),
        sign * raw,
        space,
        "exact Tree SHAP computed by lightgbm (pred_contrib)",
    )


def _tree_xgboost(est: Any, xt: Any, positive: Any) -> tuple[Any, ...]:
    import json

    import xgboost

    booster = _booster(est)
    learner = json.loads(booster.save_config())["learner"]
    objective = str(learner.get("objective", {}).get("name", ""))
    if (
        objective.startswith(("multi:", "rank:"))
        or int(learner.get("learner_model_param", {}).get("num_class", "0") or 0) > 1
    ):
        if hasattr(est, "predict_proba"):
            raise _Fallback("multi-class")
        raise ExplanationError(
            f"xgboost Boosters with objective {objective!r} are not supported; only binary and "
            f"regression objectives are."
        )
    names = booster.feature_names
    if isinstance(xt, pd.DataFrame):
        frame = xt.set_axis(names, axis=1) if names and len(names) == xt.shape[1] else xt
        dm = xgboost.DMatrix(frame, enable_categorical=True)
    else:
        frame = pd.DataFrame(xt, columns=names) if names and len(names) == xt.shape[1] else xt
        dm = xgboost.DMatrix(frame)
    contrib = np.asarray(booster.predict(dm, pred_contribs=True), dtype=float)
    raw = np.asarray(booster.predict(dm, output_margin=True), dtype=float)
    space = _booster_space(est, objective)
    sign = -1.0 if space == "log_odds" and _class_index(est, positive) == 0 else 1.0
    return (
        sign * contrib[:, :-1],
        float(sign * contrib[0, -1]),
        sign * raw,
        space,
        "exact Tree SHAP computed by xgboost (pred_contribs, single precision)",
    )


def _linear(est: Any, xt: np.ndarray, background: np.ndarray, positive: Any) -> tuple[Any, ...]:
    coef = np.ravel(np.asarray(est.coef_, dtype=float))
    intercept = float(np.ravel(np.asarray(est.intercept_, dtype=float))[0])
    mean = background.mean(axis=0)
    values = (xt - mean) * coef
    base = float(mean @ coef + intercept)
    classifier = hasattr(est, "classes_")
    if classifier:  # the model's own score, so that the additivity check tests the form
        output = np.asarray(est.decision_function(_as_input(est, xt)), dtype=float)
        sign = -1.0 if _class_index(est, positive) == 0 else 1.0
        values, base, output = sign * values, sign * base, sign * output
        log_loss = type(est).__name__.startswith("LogisticRegression") or (
            type(est).__name__ == "SGDClassifier"
            and getattr(est, "loss", "") in ("log_loss", "log")
        )
        space = "log_odds" if log_loss else "score"
    else:
        output = np.asarray(est.predict(_as_input(est, xt)), dtype=float)
        space = "raw"
    return values, base, output, space, "exact linear form w_j (x_j - mean_j) on the model's inputs"


def _permutation(
    predict: Callable[[pd.DataFrame], np.ndarray],
    rows: pd.DataFrame,
    background: pd.DataFrame,
    random_state: int | None,
    progress: bool,
    max_evals: int,
) -> tuple[np.ndarray, float, np.ndarray]:
    """Shap's Permutation explainer on raw columns (categories integer-coded for the masker)."""
    shap = _import_shap()

    codes: dict[str, pd.Index] = {}
    columns = list(rows.columns)

    def encode(frame: pd.DataFrame) -> np.ndarray:
        out = np.empty(frame.shape, dtype=float)
        for j, c in enumerate(columns):
            col = frame[c]
            if c in codes:
                out[:, j] = codes[c].get_indexer(col.astype(object).where(col.notna(), None))
            else:
                out[:, j] = col.to_numpy(dtype=float, na_value=np.nan)
        return out

    for c in columns:
        if not _is_numeric(rows[c]):
            values = pd.concat([rows[c], background[c]]).astype(object)
            codes[c] = pd.Index(pd.unique(values.where(values.notna(), None)))
    dtypes = rows.dtypes

    def decode(z: np.ndarray) -> pd.DataFrame:
        frame = {}
        for j, c in enumerate(columns):
            if c in codes:
                frame[c] = pd.Series(codes[c].take(z[:, j].astype(int)), dtype=object)
                if isinstance(dtypes[c], pd.CategoricalDtype) or pd.api.types.is_string_dtype(
                    dtypes[c]
                ):
                    frame[c] = frame[c].astype(dtypes[c])
            else:
                frame[c] = (
                    pd.Series(z[:, j]).astype(dtypes[c])
                    if pd.api.types.is_integer_dtype(dtypes[c])
                    else pd.Series(z[:, j])
                )
        return pd.DataFrame(frame)

    def f(z: np.ndarray) -> np.ndarray:
        return np.asarray(predict(decode(z)), dtype=float)

    masker = shap.maskers.Independent(encode(background), max_samples=len(background))
    explainer = shap.PermutationExplainer(f, masker, seed=random_state)
    z = encode(rows)
    chunks = max(1, math.ceil(len(z) / 50))
    values, base = [], []
    started = time.perf_counter()
    bar = _Progress(len(z), "explaining", enabled=progress)
    for part in np.array_split(z, chunks):
        exp = explainer(part, max_evals=max_evals, silent=True)
        values.append(np.asarray(exp.values, dtype=float))
        base.append(np.asarray(exp.base_values, dtype=float))
        bar.update(len(part), time.perf_counter() - started)
    bar.close()
    vals = np.vstack(values)
    return vals, float(np.concatenate(base)[0]), f(z)


class _Progress:
    """A progress bar on stderr, shown only once a run has taken more than 3 seconds."""

    def __init__(self, total: int, label: str, enabled: bool = True) -> None:
        self.total, self.label, self.enabled = total, label, enabled
        self.done = 0
        self.shown = False

    def update(self, n: int, elapsed: float) -> None:
        import sys

        self.done += n
        if not self.enabled or elapsed < 3:
            return
        self.shown = True
        share = self.done / max(self.total, 1)
        bar = "#" * int(30 * share)
        sys.stderr.write(f"\rszai_audit {self.label}: [{bar:<30}] {self.done}/{self.total}")
        sys.stderr.flush()

    def close(self) -> None:
        import sys

        if self.shown:
            sys.stderr.write("\n")


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
    return np.sort(np.concatenate([np.flatnonzero(codes == c)[o] for c, o in enumerate(plan)]))


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

    if not isinstance(X, pd.DataFrame):
        raise InputTypeError(f"X must be a pandas DataFrame of raw inputs, got {type(X).__name__}.")
    if len(X) == 0 or X.shape[1] == 0:
        raise InputError("X is empty: nothing to explain.")
    from .models import adapt_model

    adapt_model(model, 0.5)  # an unusable or unfitted model is refused here, by name
    if background_size < 1:
        raise InputError(f"background_size must be at least 1, got {background_size}.")
    if permutation_sample_size < 1:
        raise InputError(
            f"permutation_sample_size must be at least 1, got {permutation_sample_size}."
        )
    n_total = len(X)
    strata_arr = None if strata is None else np.asarray(strata)
    if strata_arr is not None and len(strata_arr) != n_total:
        raise InputError(f"strata has {len(strata_arr)} labels for {n_total} rows of X.")
    take = stratified_sample(n_total, sample_size, strata_arr, random_state)
    rng = np.random.default_rng(None if random_state is None else random_state + 1)
    sample = RowSample(
        frame=X,
        positions=np.arange(n_total),
        n_total=n_total,
        take=take,
        background=rng.choice(n_total, min(background_size, n_total), replace=False),
        strata=None if strata_arr is None else strata_arr[take],
    )
    return explain_sample(
        model,
        sample,
        positive_label=positive_label,
        random_state=random_state,
        progress=progress,
        permutation_sample_size=permutation_sample_size,
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
) -> Explanation:
    """:func:`explain` on rows drawn in advance (see :class:`RowSample`), for data seen in
    parts; the arguments are those of :func:`explain`."""
    from .models import CallableModel

    X = sample.frame
    n_total, take, bg_take = sample.n_total, sample.take, sample.background
    rows = sample.rows(take)
    background = sample.rows(np.sort(bg_take))

    pre, est = None, model
    if hasattr(model, "steps") and len(model.steps) > 1:
        pre, est = model[:-1], model.steps[-1][1]
    elif hasattr(model, "steps"):
        est = model.steps[-1][1]
    family = "other" if isinstance(model, CallableModel) else _family(est)

    mapping: list[int] | None = None
    xt: Any = None
    if family != "other":
        try:
            xt = _matrix(pre.transform(rows) if pre is not None else rows)
            mapping = (
                column_map(pre, X, xt.shape[1]) if pre is not None else list(range(X.shape[1]))
            )
            if isinstance(xt, pd.DataFrame) and family not in ("lightgbm", "xgboost"):
                raise _NoMapping("the model's inputs are not numeric")
        except _NoMapping:
            family = "other"
        except (ValueError, TypeError) as exc:
            raise ExplanationError(
                f"the model's preprocessing failed on X ({type(exc).__name__}: {exc})."
            ) from exc

    bg_text = f"{len(background)} rows drawn at random from the {n_total} given"
    try:
        try:
            if family == "sklearn_tree":
                values, base, output, space, method = _tree_sklearn(est, xt, positive_label)
            elif family == "lightgbm":
                values, base, output, space, method = _tree_lightgbm(est, xt, positive_label)
            elif family == "xgboost":
                values, base, output, space, method = _tree_xgboost(est, xt, positive_label)
            elif family == "linear":
                xt_bg = _matrix(pre.transform(background) if pre is not None else background)
                values, base, output, space, method = _linear(est, xt, xt_bg, positive_label)
                bg_text = f"the mean of {bg_text}"
            else:
                raise _Fallback(family)
            bg_text = (
                bg_text
                if family == "linear"
                else "the training data, through the trees' node counts (path-dependent)"
            )
        except _Fallback:
            family = "other"
            predict, space = _output_function(model, positive_label)
            p = X.shape[1]
            evals = max(2 * p + 1, 10 * p)
            cap = min(permutation_sample_size, max(10, 40_000 // evals))
            if len(rows) > cap:
                sub = stratified_sample(len(rows), cap, sample.strata, random_state)
                take, rows = take[sub], rows.iloc[sub]
            if len(background) > 50:
                background = sample.rows(np.sort(bg_take[:50]))  # bg_take is in random order
                bg_text = f"50 rows drawn at random from the {n_total} given"
            values, base, output = _permutation(
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
    total = base + raw.sum(axis=1)
    scale = np.maximum.reduce([np.ones(len(raw)), np.abs(output), abs(base) + np.abs(raw).sum(1)])
    error = float(np.max(np.abs(total - output) / scale))
    tolerance = ADDITIVITY_TOL_SINGLE if family == "xgboost" else ADDITIVITY_TOL
    if not error <= tolerance:
        raise ExplanationError(
            f"additivity check failed: base value + contributions differs from the model output "
            f"by up to {error:.2e} (relative); the tolerance is {tolerance:g}."
        )
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


def _output_function(model: Any, positive: Any) -> tuple[Callable[[pd.DataFrame], np.ndarray], str]:
    """What a model-agnostic explainer explains, and its space: the probability of the positive
    label, the indicator of the positive decision, or the numeric output."""
    from .models import CallableModel

    def indicator(decide: Callable[[pd.DataFrame], Any]) -> Callable[[pd.DataFrame], np.ndarray]:
        return lambda frame: (np.asarray(decide(frame)) == positive).astype(float)

    if isinstance(model, CallableModel):
        func = model.func
        if model.output == "score":
            return (lambda frame: np.asarray(func(frame), dtype=float)), "probability"
        return (
            (lambda frame: np.asarray(func(frame), dtype=float), "raw")
            if positive is None
            else (indicator(func), "decision")
        )
    est = model.steps[-1][1] if hasattr(model, "steps") else model
    if type(est).__name__ == "Booster":
        raise ExplanationError(
            f"a {type(est).__module__.split('.')[0]} Booster inside a pipeline cannot be "
            f"explained; pass the booster itself with its input columns."
        )
    if _n_classes(est) > 0 and positive is not None:
        classes = list(est.classes_)
        c = _class_index(est, positive, classes)
        if callable(getattr(model, "predict_proba", None)):
            return (lambda frame: np.asarray(model.predict_proba(frame))[:, c]), "probability"
        return indicator(model.predict), "decision"
    if _n_classes(est) > 0:
        raise ExplanationError(
            "positive_label=None, but the model is a classifier; pass the class whose score is "
            "explained."
        )
    if callable(getattr(model, "predict", None)):
        return (lambda frame: np.asarray(model.predict(frame), dtype=float)), "raw"
    if callable(model):
        if positive is None:
            return (lambda frame: np.asarray(model(frame), dtype=float)), "raw"
        return indicator(model), "decision"
    raise ModelError(f"cannot explain a model of type {type(model).__name__}.")
