"""Model adapters: decisions and scores from any supported model, without guessing.

Supported, in the order they are recognised:

* scikit-learn estimators and Pipelines, and anything with the scikit-learn API (xgboost's
  ``XGBClassifier``, lightgbm's ``LGBMClassifier``, ...): decisions from ``predict``; the score is
  the probability of the positive label from ``predict_proba``, else ``decision_function``.
  An object that only has these methods (a class of one's own with ``fit``, ``predict`` and
  ``predict_proba``, not derived from scikit-learn's ``BaseEstimator``) is used the same way:
  its methods are called directly, never through scikit-learn's checks; without ``classes_``,
  the second column of ``predict_proba`` is taken to be label 1.
* native boosters, ``lightgbm.Booster`` and ``xgboost.Booster``: their output (the probability
  of label 1 for a binary objective) is the score, and decisions are ``score >= threshold``
  coded 1/0.
* :class:`CallableModel`, wrapping a plain function and saying what it returns; a plain
  function passed as the model is taken to return decisions (labels).

Nothing here imports xgboost or lightgbm unless such a model is passed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from .catalog import say
from .data import align_rows, is_missing_array, real_numbers
from .errors import InputError, InputTypeError, LengthMismatchError, ModelError, PredictionError
from .messages import Message, fmt_pct

__all__ = [
    "CallableModel",
    "ModelAdapter",
    "Outputs",
    "Repeat",
    "adapt_model",
    "call_model",
    "describe_model",
    "model_input",
]

#: Classifiers whose ``predict`` is, in their own source, the class of the largest column of
#: their ``predict_proba`` (package, class name): their decisions are taken from that one call.
#: Others (logistic regression, scikit-learn's gradient boosting: ``predict`` cuts the raw score
#: at 0, which ``predict_proba`` can round to a tie at 0.5) are asked for both.
ARGMAX_PREDICT = frozenset(
    {
        ("sklearn", "RandomForestClassifier"),
        ("sklearn", "ExtraTreesClassifier"),
        ("sklearn", "CalibratedClassifierCV"),
        ("lightgbm", "LGBMClassifier"),
        ("xgboost", "XGBClassifier"),
    }
)


@dataclass(frozen=True)
class CallableModel:
    """A plain function used as a model, with what it returns stated.

    Parameters
    ----------
    func : callable
        Called as ``func(X)`` with the audit's data frame; returns one value per row.
    output : {"label", "score"}, default "label"
        ``"label"``: the function returns decisions. ``"score"``: it returns the probability of
        the positive label (in [0, 1]); decisions are then ``score >= threshold``, coded 1/0.
    threshold : float, default 0.5
        Decision threshold for ``output="score"``; the audit's ``threshold=``, when given,
        replaces it.

    Examples
    --------
    >>> import pandas as pd
    >>> m = CallableModel(lambda X: (X["income"] / 10_000).clip(0, 1), output="score")
    >>> ad = adapt_model(m)
    >>> ad.predict(pd.DataFrame({"income": [2_000, 8_000]})).tolist()
    [0, 1]
    """

    func: Callable[[Any], Any]
    output: Literal["label", "score"] = "label"
    threshold: float = 0.5

    def __post_init__(self) -> None:
        if not callable(self.func):
            raise InputTypeError(
                f"CallableModel(func=...) must be callable, got {type(self.func).__name__}."
            )
        if self.output not in ("label", "score"):
            raise InputTypeError(
                f"CallableModel(output=...) must be 'label' or 'score', got {self.output!r}."
            )


def _final_step(model: Any) -> Any:
    """The estimator that makes a Pipeline's predictions (the model itself otherwise)."""
    steps = getattr(model, "steps", None)
    if isinstance(steps, list) and steps and isinstance(steps[-1], tuple):
        return _final_step(steps[-1][-1])
    return model


def predicts_by_argmax(model: Any) -> bool:
    """Whether ``model.predict`` is the class of the largest ``predict_proba`` column
    (:data:`ARGMAX_PREDICT`; a Pipeline by its last step).

    >>> from sklearn.ensemble import RandomForestClassifier
    >>> from sklearn.linear_model import LogisticRegression
    >>> predicts_by_argmax(RandomForestClassifier()), predicts_by_argmax(LogisticRegression())
    (True, False)
    """
    final = _final_step(model)
    package = type(final).__module__.split(".")[0]
    return (package, type(final).__name__) in ARGMAX_PREDICT


@dataclass(frozen=True)
class Outputs:
    """A model's decisions on a set of rows, with what it computed to make them, so that the
    score of any label is read without calling the model again (:meth:`ModelAdapter.outputs`)."""

    adapter: ModelAdapter
    rows: Any
    decisions: np.ndarray
    #: ``predict_proba``'s matrix, when the decisions were read from it.
    proba: np.ndarray | None = None
    #: The score of label 1 (boosters, a score function), when the decisions were cut from it.
    positive_score: np.ndarray | None = None

    def score(self, pos_label: Any) -> np.ndarray | None:
        """The score of ``pos_label`` per row (as :meth:`ModelAdapter.score`)."""
        if self.positive_score is not None:
            return self.positive_score
        if self.proba is not None:
            col = _class_column(self.adapter.classes(), pos_label, self.proba.shape[1])
            return _numbers("model.predict_proba", self.proba[:, col], len(self.rows))
        return self.adapter.score(self.rows, pos_label)


def model_input(X: Any) -> Any:
    """What the model is given in place of ``X``: a copy, rows numbered 0 to n-1.

    The model may change the frame it is given (a preprocessing step that clips a column in
    place, drops one): the change then stays in the copy, and the caller's data, which the
    audit reads, is as it was. The rows are numbered so that a Series the model returns is
    paired with them by these labels (:func:`call_model`). An array is copied; anything else
    is given as it is.

    >>> X = pd.DataFrame({"x": [1.0, 2.0]}, index=["a", "b"])
    >>> model_input(X).index.tolist(), model_input(X) is X
    ([0, 1], False)
    """
    if isinstance(X, pd.DataFrame):
        out = X.copy(deep=True)
        out.index = pd.RangeIndex(len(out))
        return out
    if isinstance(X, np.ndarray):
        return X.copy()
    return X


def call_model(fn: Callable[[Any], Any], X: Any, what: str = "the model") -> Any:
    """``fn`` (a model's ``predict``, ``predict_proba``, a function) called on a copy of ``X``
    (:func:`model_input`), its output with the rows in ``X``'s order.

    The one way the audit calls a model, wherever it does (decisions, scores, flip tests,
    explanations, recourse, counterfactual prices). A pandas Series or DataFrame returned is
    paired with the rows by its index labels (0 to n-1, the rows' positions): in another
    order, it is reordered; with other labels, or a label twice, it is refused.

    Raises
    ------
    PredictionError
        The output's index is not the rows' numbers, in any order.

    Examples
    --------
    >>> sort = lambda X: X["x"].sort_values()
    >>> call_model(sort, pd.DataFrame({"x": [3.0, 1.0, 2.0]})).tolist()
    [3.0, 1.0, 2.0]
    """
    out = fn(model_input(X))
    if isinstance(out, (pd.Series, pd.DataFrame)) and len(out) == len(X):
        shown = f"the {type(out).__name__} {what} returned"
        hint = (
            "The model is given a copy of the data with its rows numbered 0 to n-1, and a "
            "pandas output is paired with them by index label: return it with that index (in "
            "any order), or as an array in the rows' order."
        )
        try:
            out = align_rows(shown, out, pd.RangeIndex(len(X)), "the input", hint)
        except LengthMismatchError as exc:
            raise PredictionError(str(exc)) from None
    return out


#: How many rows the model is called on twice, to see whether its outputs are a function of
#: its inputs (:meth:`ModelAdapter.repeat`).
REPEAT_ROWS = 200


@dataclass(frozen=True)
class Repeat:
    """The model called twice on the same rows: how many, and the share whose output (the
    decision, a score, a number) differed between the two calls.

    A model whose outputs differ (it draws at random when called) gives no finding that
    compares two calls of it: the flip test, recourse, the counterfactual prices and the
    explanation would measure its randomness. Those are NOT_ASSESSED, saying why with
    :meth:`why` and recording :meth:`details`; the findings on its decisions as made stand.

    >>> Repeat(200, 0.5).why().en
    'called twice on the same 200 rows, the model gave a different output for 50.0% of them'
    """

    rows: int
    differ: float

    @property
    def deterministic(self) -> bool:
        """Whether every row got the same output both times."""
        return self.differ == 0

    def why(self) -> Message:
        """What was seen, for the findings that are not assessed."""
        return say("core.model_not_repeatable", rows=self.rows, share=fmt_pct(self.differ))

    def details(self) -> dict[str, Any]:
        """What a finding records of it: ``outputs_differ`` and ``rows_called_twice``."""
        return {"outputs_differ": self.differ, "rows_called_twice": self.rows}


def _differ(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Which rows differ between two outputs (numbers beyond rounding; labels at all)."""
    if a.dtype.kind in "fiub" and b.dtype.kind in "fiub":
        same = np.isclose(a, b, rtol=1e-9, atol=1e-12, equal_nan=True)
    else:
        same = np.asarray(a == b, dtype=bool)
    return ~same.reshape(len(a), -1).all(axis=1)


def _qualname(obj: Any) -> str:
    t = type(obj)
    return f"{t.__module__}.{t.__qualname__}"


def _output_1d(name: str, out: Any, n: int) -> np.ndarray:
    arr = out.to_numpy() if isinstance(out, (pd.Series, pd.DataFrame)) else np.asarray(out)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1 or len(arr) != n:
        raise PredictionError(
            f"{name} returned an array of shape {arr.shape} for {n} rows; expected one value "
            f"per row."
        )
    missing = is_missing_array(arr)
    if missing.any():
        raise PredictionError(
            f"{name} returned {int(missing.sum())} missing values (NaN) out of {n}; check the "
            f"model's inputs for values it cannot handle."
        )
    return arr


def _numbers(name: str, out: Any, n: int) -> np.ndarray:
    """One real, finite number per row of a model's output (a score), or the error naming
    ``name``: text, complex numbers, numbers beyond :data:`~.data.LARGEST`, infinities."""
    arr = real_numbers(f"the output of {name}", _output_1d(name, out, n), PredictionError)
    infinite = np.isinf(arr)
    if infinite.any():
        raise PredictionError(
            f"{name} returned {int(infinite.sum())} infinite values out of {n}; scores must be "
            f"finite."
        )
    return arr


#: How far a row of ``predict_proba`` may sum from 1 (single-precision models round).
PROBA_TOLERANCE = 1e-5


def _check_proba(proba: np.ndarray) -> np.ndarray:
    """``predict_proba``'s matrix as real numbers whose rows are probabilities summing to 1.

    >>> _check_proba(np.array([[0.3, 0.3], [0.5, 0.5]]))
    Traceback (most recent call last):
    ...
    szai_audit.errors.PredictionError: model.predict_proba returned 1 rows of 2 that do not ...
    """
    out = real_numbers("the output of model.predict_proba", proba, PredictionError)
    with np.errstate(invalid="ignore"):
        outside = (out < -PROBA_TOLERANCE) | (out > 1 + PROBA_TOLERANCE)
        off = np.abs(out.sum(axis=1) - 1) > PROBA_TOLERANCE
    if outside.any():
        row, col = (int(v[0]) for v in np.nonzero(outside))
        raise PredictionError(
            f"model.predict_proba returned {int(outside.any(axis=1).sum())} rows of {len(out)} "
            f"with values outside [0, 1] (the first, row {row}, column {col}: "
            f"{out[row, col]:.6g}); its columns must be the probabilities of classes_."
        )
    if off.any():
        row = int(np.flatnonzero(off)[0])
        raise PredictionError(
            f"model.predict_proba returned {int(off.sum())} rows of {len(out)} that do not sum "
            f"to 1 (the first, row {row}, sums to {out[row].sum():.6g}); its columns must be "
            f"the probabilities of classes_, each row summing to 1. If its scores are not "
            f"probabilities, audit the decisions as y_pred= and the scores as y_score=."
        )
    return out


class ModelAdapter:
    """Uniform access to a model's decisions and scores (internal; built by :func:`adapt_model`).

    Attributes
    ----------
    kind : str
        ``"sklearn"``, ``"lightgbm-booster"``, ``"xgboost-booster"`` or ``"callable"``.
    decision_rule : str
        How decisions are obtained, in words, for the report.
    """

    def __init__(self, model: Any, kind: str, threshold: float | None = None) -> None:
        self.model = model
        self.kind = kind
        #: The cut-off on scores that makes the decisions; None when they come from
        #: ``model.predict`` or a function returning decisions.
        self.threshold = (
            threshold if threshold is not None or kind == "sklearn" or self._labels else 0.5
        )

    @property
    def _labels(self) -> bool:
        return self.kind == "callable" and self.model.output == "label"

    @property
    def decision_rule(self) -> str:
        if self.kind == "sklearn":
            if self.threshold is None:
                return "model.predict(data)"
            low, high = self._binary_classes()
            return f"predict_proba(data)[:, 1] >= {self.threshold:g} ({high!r}), else {low!r}"
        if self._labels:
            return "func(data)"
        return f"score >= {self.threshold:g} (1), else 0"

    def _binary_classes(self) -> tuple[Any, Any]:
        classes = self.classes()
        if classes is None or len(classes) != 2 or not _has(self.model, "predict_proba"):
            raise ModelError(
                f"threshold={self.threshold!r} decides at predict_proba(data)[:, 1] >= "
                f"threshold, which needs a fitted binary classifier with predict_proba and "
                f"classes_; {type(self.model).__name__} has "
                f"{'no classes_' if classes is None else f'classes_ {classes}'}"
                f"{'' if _has(self.model, 'predict_proba') else ' and no predict_proba'}. "
                f"Leave threshold out to audit model.predict, or pass y_score and no y_pred."
            )
        return classes[0], classes[1]

    def _call(self, what: str, fn: Callable[[Any], Any], X: Any) -> Any:
        try:
            return call_model(fn, X, what)
        except PredictionError:
            raise
        except Exception as exc:
            raise ModelError(
                f"calling {what} on the audit data failed ({type(exc).__name__}: {exc}). The "
                f"data passed to Audit must hold the model's raw input columns, as in training."
            ) from exc

    def _booster_score(self, X: Any) -> np.ndarray:
        if self.kind == "xgboost-booster":
            import xgboost

            def run(frame: Any) -> Any:
                return self.model.predict(xgboost.DMatrix(frame, enable_categorical=True))

            out = self._call("xgboost Booster.predict", run, X)
        else:
            out = self._call("lightgbm Booster.predict", self.model.predict, X)
        arr = np.asarray(out, dtype=float)
        if arr.ndim != 1:
            raise ModelError(
                f"the booster returned an array of shape {arr.shape}; only binary objectives "
                f"(one probability per row) are supported."
            )
        return arr

    def outputs(self, X: Any) -> Outputs:
        """The decisions on ``X``, calling the model once when they follow from its scores
        (a threshold on a score; a classifier of :data:`ARGMAX_PREDICT`), and
        :meth:`Outputs.score` then reads any label's score from that call.

        >>> from sklearn.ensemble import RandomForestClassifier
        >>> X = pd.DataFrame({"x": [0.0, 1.0, 2.0, 3.0]})
        >>> forest = RandomForestClassifier(random_state=0).fit(X, [0, 0, 1, 1])
        >>> out = adapt_model(forest).outputs(X)
        >>> out.decisions.tolist(), out.score(1).tolist()
        ([0, 0, 1, 1], [0.04, 0.04, 0.69, 0.91])
        """
        n = len(X)
        if self.kind in ("lightgbm-booster", "xgboost-booster") or (
            self.kind == "callable" and not self._labels
        ):
            score = self.score(X, pos_label=1)
            assert score is not None and self.threshold is not None
            return Outputs(self, X, (score >= self.threshold).astype(np.int64), None, score)
        if self.kind != "sklearn" or not _has(self.model, "predict_proba"):
            return Outputs(self, X, self.predict(X))
        if self.threshold is None and not predicts_by_argmax(self.model):
            return Outputs(self, X, self.predict(X))
        classes = self.classes()
        if classes is None:
            return Outputs(self, X, self.predict(X))
        proba = self._proba(X)
        if self.threshold is not None:
            low, high = self._binary_classes()
            col = _class_column(classes, high, proba.shape[1])
            score = _numbers("model.predict_proba", proba[:, col], n)
            return Outputs(self, X, np.where(score >= self.threshold, high, low), proba)
        for col in range(proba.shape[1]):  # no missing values in any column
            _output_1d("model.predict_proba", proba[:, col], n)
        # As the model's own predict does: its classes_ (with their dtype) at the largest column.
        decisions = np.asarray(self.model.classes_).take(proba.argmax(axis=1), axis=0)
        return Outputs(self, X, decisions, proba)

    def _proba(self, X: Any) -> np.ndarray:
        """``predict_proba``'s matrix, checked to have a row per row of ``X``."""
        proba = np.asarray(self._call("model.predict_proba", self.model.predict_proba, X))
        if proba.ndim != 2 or proba.shape[0] != len(X):
            raise PredictionError(
                f"model.predict_proba returned shape {proba.shape}; expected ({len(X)}, n_classes)."
            )
        return _check_proba(proba)

    def predict(self, X: Any) -> np.ndarray:
        """Decisions, one per row."""
        n = len(X)
        if self.kind == "sklearn" and self.threshold is not None:
            low, high = self._binary_classes()
            score = self.score(X, high)
            assert score is not None
            return np.where(score >= self.threshold, high, low)
        if self.kind == "sklearn":
            return _output_1d(
                "model.predict", self._call("model.predict", self.model.predict, X), n
            )
        if self._labels:
            return _output_1d(
                "the model function", self._call("the model function", self.model.func, X), n
            )
        score = self.score(X, pos_label=1)
        assert score is not None and self.threshold is not None
        return (score >= self.threshold).astype(np.int64)

    def classes(self) -> list[Any] | None:
        classes = getattr(self.model, "classes_", None)
        return None if classes is None else list(np.asarray(classes).tolist())

    def score(self, X: Any, pos_label: Any) -> np.ndarray | None:
        """Score of the positive label per row, or None when the model gives none."""
        n = len(X)
        if self.kind in ("lightgbm-booster", "xgboost-booster"):
            return _numbers("the booster", self._booster_score(X), n)
        if self.kind == "callable":
            if self.model.output != "score":
                return None
            what = "the model function"
            arr = _numbers(what, self._call(what, self.model.func, X), n)
            if arr.size and (arr.min() < 0 or arr.max() > 1):
                raise PredictionError(
                    f"CallableModel(output='score') returned values in [{arr.min():.3g}, "
                    f"{arr.max():.3g}]; scores must be probabilities in [0, 1]."
                )
            return arr
        classes = self.classes()
        if _has(self.model, "predict_proba"):
            proba = self._proba(X)
            col = _class_column(classes, pos_label, proba.shape[1])
            return _numbers("model.predict_proba", proba[:, col], n)
        if _has(self.model, "decision_function"):
            what = "model.decision_function"
            dec = np.asarray(self._call(what, self.model.decision_function, X))
            if dec.ndim == 2 and classes is not None and dec.shape[1] == len(classes) > 2:
                dec = dec[:, _class_column(classes, pos_label, dec.shape[1])]  # one vs rest
            dec = _numbers(what, dec, n)
            if classes is not None and len(classes) == 2 and classes[0] == pos_label:
                return -dec
            return dec
        return None

    def repeat(self, X: Any, numeric: bool = False) -> Repeat:
        """Call the model twice on the rows ``X`` and compare: the decisions and the scores
        (every column of ``predict_proba``), or the numbers (``numeric``: a regression, a
        price).

        >>> X = pd.DataFrame({"x": [0.0, 1.0, 2.0, 3.0]})
        >>> adapt_model(CallableModel(lambda X: X["x"] > 1)).repeat(X).deterministic
        True
        """
        first, second = self._all_outputs(X, numeric), self._all_outputs(X, numeric)
        differ = np.zeros(len(X), dtype=bool)
        for a, b in zip(first, second, strict=True):
            differ |= _differ(a, b)
        return Repeat(len(X), float(differ.mean()) if len(X) else 0.0)

    def _all_outputs(self, X: Any, numeric: bool) -> list[np.ndarray]:
        """Everything the audit reads of one call of the model on ``X``."""
        if numeric:
            return [np.asarray(self.predict(X), dtype=float)]
        out = self.outputs(X)
        scores = out.proba if out.proba is not None else out.positive_score
        if scores is None and self.kind == "sklearn" and _has(self.model, "predict_proba"):
            scores = self._proba(X)
        decisions = np.asarray(out.decisions)
        return [decisions] if scores is None else [decisions, np.asarray(scores, dtype=float)]

    def describe(self) -> dict[str, Any]:
        """Class and parameters, JSON-safe, for the reproducibility manifest."""
        model = self.model.func if self.kind == "callable" else self.model
        out = describe_model(model)
        out["adapter"] = self.kind
        out["decision_rule"] = self.decision_rule
        return out


def _has(obj: Any, name: str) -> bool:
    try:
        return callable(getattr(obj, name))
    except AttributeError:  # sklearn's available_if raises for a Pipeline whose last step lacks it
        return False


def _class_column(classes: list[Any] | None, pos_label: Any, n_cols: int) -> int:
    if classes is None:
        if n_cols == 2 and pos_label in (1, True):
            return 1
        raise PredictionError(
            "the model has predict_proba but no classes_, so the column of the positive label "
            "is unknown; wrap it in CallableModel(lambda X: model.predict_proba(X)[:, k], "
            "output='score')."
        )
    if pos_label not in classes:
        raise PredictionError(
            f"the positive label {pos_label!r} is not among the model's classes_ {classes}."
        )
    return classes.index(pos_label)


def adapt_model(model: Any, threshold: float | None = None) -> ModelAdapter:
    """Recognise ``model`` and return an adapter; raise :class:`ModelError` if unusable.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> clf = LogisticRegression().fit([[0.0], [1.0]], [0, 1])
    >>> adapt_model(clf).kind
    'sklearn'
    >>> adapt_model(LogisticRegression())
    Traceback (most recent call last):
    ...
    szai_audit.errors.ModelError: the model LogisticRegression is not fitted; ...
    """
    if isinstance(model, CallableModel):
        if model.output == "label" and threshold is not None:
            raise InputError(
                f"threshold={threshold!r} cuts scores, but CallableModel(output='label') "
                f"returns decisions; leave threshold out, or return scores (output='score')."
            )
        return ModelAdapter(model, "callable", model.threshold if threshold is None else threshold)
    module = type(model).__module__
    name = type(model).__name__
    if name == "Booster" and module.startswith("lightgbm"):
        return ModelAdapter(model, "lightgbm-booster", threshold)
    if name == "Booster" and module.startswith("xgboost"):
        return ModelAdapter(model, "xgboost-booster", threshold)
    if _has(model, "predict"):
        if getattr(model, "classes_", None) is None and _is_unfitted_sklearn(model):
            raise ModelError(
                f"the model {name} is not fitted; fit it before auditing, or audit its "
                f"predictions with y_pred= instead of model=."
            )
        adapter = ModelAdapter(model, "sklearn", threshold)
        if threshold is not None:
            adapter._binary_classes()  # refused now, not halfway through the audit
        return adapter
    if callable(model):
        if threshold is not None:
            raise InputError(
                f"threshold={threshold!r} cuts scores, but the model is a plain function, "
                f"taken to return decisions; wrap it in CallableModel(func, output='score') "
                f"if it returns scores."
            )
        return ModelAdapter(CallableModel(model, output="label"), "callable", None)
    raise ModelError(
        f"model of type {_qualname(model)} has no predict method and is not callable. Pass a "
        f"fitted estimator, a function wrapped in szai_audit.CallableModel, or give "
        f"y_pred= instead of model=."
    )


def _is_unfitted_sklearn(model: Any) -> bool:
    """Whether ``model`` is a scikit-learn estimator that is not fitted. A model that only has
    the scikit-learn API (``predict``, ``predict_proba``) without being an estimator is called
    directly and never passed to scikit-learn's checks, whose tag machinery it lacks."""
    try:
        from sklearn.base import BaseEstimator
        from sklearn.exceptions import NotFittedError
        from sklearn.utils.validation import check_is_fitted
    except ImportError:  # pragma: no cover - sklearn is a dependency
        return False
    if not (isinstance(model, BaseEstimator) or hasattr(model, "__sklearn_tags__")):
        return False
    try:
        check_is_fitted(model)
    except NotFittedError:
        return True
    except (TypeError, AttributeError):  # not an sklearn estimator, or tags it cannot give
        return False
    return False


_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


def _jsonable(value: Any, depth: int = 0) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, np.generic):
        return value.item()
    if depth < 8 and hasattr(value, "get_params"):
        return describe_model(value, depth + 1)
    if isinstance(value, (list, tuple)) and depth < 8:
        return [_jsonable(v, depth + 1) for v in value]
    if isinstance(value, dict) and depth < 8:
        return {str(k): _jsonable(v, depth + 1) for k, v in value.items()}
    # Drop memory addresses ("<function f at 0x7f...>") so identical runs describe it alike.
    text = _ADDRESS.sub("", repr(value))
    return text if len(text) <= 200 else text[:197] + "..."


def describe_model(model: Any, depth: int = 0) -> dict[str, Any]:
    """Class name and (shallow, recursive for nested estimators) parameters of a model."""
    out: dict[str, Any] = {"class": _qualname(model)}
    if hasattr(model, "get_params"):
        try:
            params = model.get_params(deep=False)
        except Exception:  # some wrappers fail get_params; the class name still identifies it
            params = {}
        out["params"] = {str(k): _jsonable(v, depth) for k, v in sorted(params.items())}
    elif callable(model):
        out["class"] = getattr(model, "__qualname__", _qualname(model))
    return out
