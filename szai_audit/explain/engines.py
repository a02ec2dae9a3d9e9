"""The engines that compute contributions, chosen by the model (see :mod:`.engine`).

Exact Tree SHAP for tree models (scikit-learn through ``shap.TreeExplainer``; LightGBM and
xgboost through their own ``pred_contrib``), the exact linear form for linear models, and shap's
Permutation explainer on the raw columns for anything else. Each engine returns the
contributions on the model's inputs, the base value, the output explained, its space and a
sentence describing the method.
"""

from __future__ import annotations

import json
import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from ..core.data import is_numeric, plain
from ..core.errors import ExplanationError, ModelError
from ..core.models import CallableModel, call_model
from ..core.progress import stage

__all__ = [
    "LINEAR",
    "Fallback",
    "class_index",
    "family_of",
    "linear",
    "n_classes",
    "output_function",
    "permutation",
    "tree_lightgbm",
    "tree_sklearn",
    "tree_xgboost",
]


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
LINEAR = {
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


class Fallback(Exception):
    """The model-specific engine does not apply: use the Permutation explainer."""


def n_classes(est: Any) -> int:
    try:
        classes = getattr(est, "classes_", None)
    except Exception:  # lightgbm regressors raise on classes_
        return 0
    return 0 if classes is None else len(classes)


def family_of(est: Any) -> str:
    name, module = type(est).__name__, type(est).__module__
    if name == "Booster":
        return "lightgbm" if module.startswith("lightgbm") else "xgboost"
    if not hasattr(est, "predict"):
        return "other"
    if module.startswith("lightgbm"):
        return "lightgbm" if n_classes(est) <= 2 else "other"
    if module.startswith("xgboost"):
        return "xgboost" if n_classes(est) <= 2 else "other"
    if not module.startswith("sklearn"):
        return "other"
    if name in _SKLEARN_TREES:
        if n_classes(est) > 2 and name not in _PROBABILITY_TREES:
            return "other"  # boosted multi-class: one score per class
        categorical = getattr(est, "is_categorical_", None)
        if categorical is not None and np.any(categorical):
            return "other"  # native categorical splits: not readable by shap's tree walker
        return "sklearn_tree"
    if name in LINEAR and np.atleast_2d(np.asarray(est.coef_)).shape[0] == 1:
        return "linear"
    return "other"


def class_index(est: Any, positive: Any, classes: list[Any] | None = None) -> int:
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
        f"{[plain(c) for c in classes]}; pass the class whose score is explained."
    )


def _as_input(est: Any, xt: np.ndarray) -> Any:
    """The matrix as the estimator was fitted: a frame with its column names if it has them."""
    names = getattr(est, "feature_names_in_", None)
    if names is not None and len(names) == xt.shape[1]:
        return pd.DataFrame(xt, columns=list(names))
    return xt


def _import_shap() -> Any:
    with warnings.catch_warnings():  # shap's own import warns about matplotlib colormaps
        warnings.simplefilter("ignore", (DeprecationWarning, PendingDeprecationWarning))
        import shap
    return shap


def tree_sklearn(
    est: Any, xt: np.ndarray, positive: Any
) -> tuple[np.ndarray, float, np.ndarray, str, str]:
    shap = _import_shap()
    explainer = shap.TreeExplainer(est)
    exp = explainer(xt, check_additivity=False)
    values, base = np.asarray(exp.values), np.asarray(exp.base_values)
    name = type(est).__name__
    if values.ndim == 3:  # one slice per class (forests, single trees: probabilities)
        c = class_index(est, positive)
        values, base = values[:, :, c], base[:, c]
        output = est.predict_proba(_as_input(est, xt))[:, c]
        space = "probability"
    elif hasattr(est, "predict_proba"):  # boosted binary classifiers: log-odds of classes_[1]
        sign = 1.0 if class_index(est, positive) == 1 else -1.0
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
    if n_classes(est) > 0 or name in _LOGIT_OBJECTIVES:
        return "log_odds"
    return "log_raw" if name in _LOG_OBJECTIVES else "raw"


def tree_lightgbm(est: Any, xt: Any, positive: Any) -> tuple[Any, ...]:
    booster = _booster(est)
    if booster.num_model_per_iteration() > 1:
        if hasattr(est, "predict_proba"):
            raise Fallback("multi-class")
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
    sign = -1.0 if space == "log_odds" and class_index(est, positive) == 0 else 1.0
    return (
        sign * contrib[:, :-1],
        float(sign * contrib[0, -1]),
        sign * raw,
        space,
        "exact Tree SHAP computed by lightgbm (pred_contrib)",
    )


def tree_xgboost(est: Any, xt: Any, positive: Any) -> tuple[Any, ...]:
    import xgboost

    booster = _booster(est)
    learner = json.loads(booster.save_config())["learner"]
    objective = str(learner.get("objective", {}).get("name", ""))
    if (
        objective.startswith(("multi:", "rank:"))
        or int(learner.get("learner_model_param", {}).get("num_class", "0") or 0) > 1
    ):
        if hasattr(est, "predict_proba"):
            raise Fallback("multi-class")
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
    sign = -1.0 if space == "log_odds" and class_index(est, positive) == 0 else 1.0
    return (
        sign * contrib[:, :-1],
        float(sign * contrib[0, -1]),
        sign * raw,
        space,
        "exact Tree SHAP computed by xgboost (pred_contribs, single precision)",
    )


def linear(est: Any, xt: np.ndarray, background: np.ndarray, positive: Any) -> tuple[Any, ...]:
    coef = np.ravel(np.asarray(est.coef_, dtype=float))
    intercept = float(np.ravel(np.asarray(est.intercept_, dtype=float))[0])
    mean = background.mean(axis=0)
    values = (xt - mean) * coef
    base = float(mean @ coef + intercept)
    classifier = hasattr(est, "classes_")
    if classifier:  # the model's own score, so that the additivity check tests the form
        output = np.asarray(est.decision_function(_as_input(est, xt)), dtype=float)
        sign = -1.0 if class_index(est, positive) == 0 else 1.0
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


def permutation(
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
        if not is_numeric(rows[c]):
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
    with stage("explanation", show=progress) as bar:
        bar.start(len(z), "rows explained")
        for part in np.array_split(z, chunks):
            exp = explainer(part, max_evals=max_evals, silent=True)
            values.append(np.asarray(exp.values, dtype=float))
            base.append(np.asarray(exp.base_values, dtype=float))
            bar.update(len(part))
    vals = np.vstack(values)
    return vals, float(np.concatenate(base)[0]), f(z)


def output_function(model: Any, positive: Any) -> tuple[Callable[[pd.DataFrame], np.ndarray], str]:
    """What a model-agnostic explainer explains, and its space: the probability of the positive
    label, the indicator of the positive decision, or the numeric output. The model is called
    as the audit calls it (:func:`~szai_audit.core.models.call_model`: on a copy of the rows,
    its output in their order)."""

    def numbers(call: Callable[[Any], Any]) -> Callable[[pd.DataFrame], np.ndarray]:
        return lambda frame: np.asarray(call_model(call, frame), dtype=float)

    def indicator(decide: Callable[[pd.DataFrame], Any]) -> Callable[[pd.DataFrame], np.ndarray]:
        return lambda frame: (np.asarray(call_model(decide, frame)) == positive).astype(float)

    if isinstance(model, CallableModel):
        func = model.func
        if model.output == "score":
            return numbers(func), "probability"
        return (numbers(func), "raw") if positive is None else (indicator(func), "decision")
    est = model.steps[-1][1] if hasattr(model, "steps") else model
    if type(est).__name__ == "Booster":
        raise ExplanationError(
            f"a {type(est).__module__.split('.')[0]} Booster inside a pipeline cannot be "
            f"explained; pass the booster itself with its input columns."
        )
    if n_classes(est) > 0 and positive is not None:
        classes = list(est.classes_)
        c = class_index(est, positive, classes)
        if callable(getattr(model, "predict_proba", None)):
            proba = model.predict_proba
            return (lambda frame: np.asarray(call_model(proba, frame))[:, c]), "probability"
        return indicator(model.predict), "decision"
    if n_classes(est) > 0:
        raise ExplanationError(
            "positive_label=None, but the model is a classifier; pass the class whose score is "
            "explained."
        )
    if callable(getattr(model, "predict", None)):
        return numbers(model.predict), "raw"
    if callable(model):
        return (numbers(model), "raw") if positive is None else (indicator(model), "decision")
    raise ModelError(f"cannot explain a model of type {type(model).__name__}.")
