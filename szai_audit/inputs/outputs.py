"""The outputs an audit judges, from the model or as given, checked: decisions, scores and
outcomes (classification), numbers (regression), prices (pricing).

Each function takes the validated :class:`~szai_audit.inputs.settings.Settings`; a value that
cannot be used raises an error naming it (missing decisions, scores that are not numbers,
non-binary labels, a favourable label that does not occur).
"""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..core.data import align_rows, is_missing_array, plain, real_numbers, to_1d
from ..core.errors import InputError, PredictionError, TargetError
from ..core.models import ModelAdapter, adapt_model
from ..core.policy import Policy
from ..core.rare import rare_values, shown_value
from ..explain.turned import ScoreRange
from ..pricing.gaps import positive_prices
from .settings import Settings

__all__ = [
    "Decisions",
    "as_numbers",
    "decision_rule",
    "decision_threshold",
    "decisions",
    "given_decisions",
    "given_numbers",
    "given_outcomes",
    "numeric_outputs",
    "numeric_scores",
    "plain",
    "positive_label",
    "prices",
    "run_time",
    "same_label",
    "shown_labels",
    "true_array",
]

#: ``(y_pred, y_true, score, decision rule, model adapter, score range)`` of a
#: classification audit (the range: :class:`~szai_audit.explain.turned.ScoreRange`).
Decisions = tuple[
    np.ndarray, "np.ndarray | None", "np.ndarray | None", str, "ModelAdapter | None",
    "ScoreRange | None",
]  # fmt: skip


def as_numbers(name: str, values: Any, error: type = PredictionError) -> np.ndarray:
    """Finite floats, or a clear error naming ``name`` (text, complex numbers and numbers
    beyond :data:`~szai_audit.core.data.LARGEST` too: :func:`~.real_numbers`)."""
    out = real_numbers(name, values, error)
    if out.ndim != 1:
        raise error(f"{name} must be one number per row, got an array of shape {out.shape}.")
    bad = ~np.isfinite(out)
    if bad.any():
        raise error(
            f"{name} has {int(bad.sum())} missing or infinite values out of {len(out)}; every "
            f"row needs a number."
        )
    return out


def run_time() -> _dt.datetime:
    """The time stamped on the result: now, or ``SOURCE_DATE_EPOCH`` (seconds since 1970, the
    reproducible-builds convention) when set, so that two runs give byte-identical reports."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is None:
        return _dt.datetime.now(_dt.timezone.utc)
    try:
        return _dt.datetime.fromtimestamp(int(epoch), _dt.timezone.utc)
    except (ValueError, OverflowError, OSError) as exc:
        raise InputError(
            f"SOURCE_DATE_EPOCH must be whole seconds since 1970-01-01, got {epoch!r}."
        ) from exc


def numeric_scores(score: np.ndarray, where: str = "") -> np.ndarray:
    """Scores as finite floats, or a :class:`~szai_audit.errors.PredictionError` (``where``:
    which rows, such as ``" in partition 3"``).

    >>> numeric_scores(np.array([0.2, np.nan]))
    Traceback (most recent call last):
    ...
    szai_audit.errors.PredictionError: y_score has 1 NaN values; every row needs a score.
    """
    out = real_numbers("y_score", score, PredictionError, where)
    if np.isnan(out).any():
        raise PredictionError(
            f"y_score has {int(np.isnan(out).sum())} NaN values{where}; every row needs a score."
        )
    if np.isinf(out).any():
        raise PredictionError(
            f"y_score has {int(np.isinf(out).sum())} infinite values{where}; scores must be finite."
        )
    return out


def same_label(a: Any, b: Any) -> bool:
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False


def positive_label(y_pred: np.ndarray, y_true: np.ndarray | None, favorable: Any) -> Any:
    """The label metrics count as positive: 1 for 0/1 (or -1/1, False/True) labels, else the
    favourable label. Also checks the labels contain the favourable one.

    With more than two labels (a multiclass model), the favourable label must be one of them:
    the audit is then one class against the rest (:func:`one_vs_rest`), and the favourable
    class is the positive label."""
    labels = set(pd.unique(y_pred).tolist())
    if y_true is not None:
        outcomes = set(pd.unique(y_true).tolist())
        if len(labels | outcomes) > 2 and not any(
            same_label(a, b) for a in labels for b in outcomes
        ):
            raise TargetError(
                f"y_pred's labels {_named(labels, y_pred, y_true)} and y_true's "
                f"{_named(outcomes, y_pred, y_true)} have none in common; decisions and "
                f"outcomes must use the same labels (e.g. both 0/1, or both 'approve'/'decline')."
            )
        labels |= outcomes
    if len(labels) > 2:
        if not any(same_label(lbl, favorable) for lbl in labels):
            shown = _named(labels, y_pred, y_true)
            raise TargetError(
                f"y_pred and y_true together have {len(labels)} labels (e.g. {shown}) and "
                f"favorable_label={favorable!r} is none of them. A multiclass model is audited "
                f"one class against the rest: pass the favourable class as favorable_label, "
                f"e.g. favorable_label={shown[0]!r}."
            )
        return next(lbl for lbl in labels if same_label(lbl, favorable))
    if len(labels) == 2 and not any(same_label(lbl, favorable) for lbl in labels):
        shown = _named(labels, y_pred, y_true)
        raise TargetError(
            f"favorable_label={favorable!r} is not among the labels {shown}; pass the label of "
            f"the favourable decision, e.g. favorable_label={shown[-1]!r}."
        )
    numeric = all(
        isinstance(lbl, (bool, int, float, np.bool_, np.integer, np.floating)) for lbl in labels
    )
    if numeric and (labels <= {0, 1} or labels <= {-1, 1}):
        return 1
    return favorable


def _named(labels: set[Any], y_pred: np.ndarray, y_true: np.ndarray | None) -> list[str]:
    """Up to six ``labels`` as an error message names them: a label of fewer than
    ``Policy().k_anonymity`` rows (a name typed into one outcome) by its stand-in."""
    rows = [*np.asarray(y_pred).tolist(), *([] if y_true is None else np.asarray(y_true).tolist())]
    k = Policy().k_anonymity
    rare = rare_values(pd.Series(rows, dtype=object), k)
    return sorted({shown_value(lbl, rare, k) for lbl in labels})[:6]


def one_vs_rest(labels: set[Any] | tuple[Any, ...], pos: Any) -> str:
    """How a multiclass audit reads its decisions, for the decision rule; "" for two labels.

    >>> print(one_vs_rest({"a", "b", "c"}, "a"))
    ; one class against the rest: 'a' is the favourable decision, 'b' and 'c' the unfavourable one
    """
    others = sorted((str(lbl) for lbl in labels if not same_label(lbl, pos)), key=str)
    if len(others) < 2:
        return ""
    rest = ", ".join(repr(o) for o in others[:-1]) + f" and {others[-1]!r}"
    return (
        f"; one class against the rest: {str(pos)!r} is the favourable decision, {rest} the "
        f"unfavourable one"
    )


def _index(data: Any) -> pd.Index | None:
    """The rows' labels that pandas inputs are paired by (None without data in memory)."""
    return data.index if isinstance(data, pd.DataFrame) else None


def shown_labels(
    labels: set[Any] | tuple[Any, ...], held: Mapping[Any, int], pos: Any, k: int
) -> tuple[tuple[str, ...], str]:
    """The decisions' and outcomes' labels as the outputs name them (sorted text), and the
    one-vs-rest clause of the decision rule (:func:`one_vs_rest`): a label held by fewer than
    ``k`` rows (``held``: label -> rows whose decision or outcome it is), other than the
    positive one the user named, is shown by its stand-in (:mod:`szai_audit.core.rare`).

    >>> shown_labels({"good", "bad", "Wang"}, {"good": 60, "bad": 40, "Wang": 1}, "good", 5)[0]
    ('(value held by fewer than 5 people)', 'bad', 'good')
    """
    rare = {lbl for lbl in rare_values(None, k, held) if not same_label(lbl, pos)}
    if not rare:
        return tuple(sorted(map(str, labels))), one_vs_rest(labels, pos)
    texts = {shown_value(lbl, rare, k) for lbl in labels}
    return tuple(sorted(texts)), one_vs_rest(texts, str(pos))


def _rows(part: int | None) -> str:
    """Which rows a message is about: all (""), or one partition of a Dask DataFrame."""
    return "" if part is None else f" in partition {part}"


def given_outcomes(y_true: Any, n: int, data: Any, part: int | None = None) -> np.ndarray:
    """The outcomes of a classification audit, checked: one per row, none missing.

    The one reading of them, for data in memory and for each partition of a Dask DataFrame.

    Parameters
    ----------
    y_true : array-like
        The outcomes, one per row.
    n : int
        The number of rows (of the data, or of the decisions without data).
    data : pandas.DataFrame or None
        The rows the outcomes describe (all of them, or one partition): their index.
    part : int, optional
        The partition's number, named in the errors.

    Returns
    -------
    numpy.ndarray

    Raises
    ------
    TargetError
        Missing outcomes.
    LengthMismatchError
        Another number of rows, or an index that cannot be paired with the data's (a pandas
        input is paired by index label, :func:`~szai_audit.core.data.align_rows`).

    Examples
    --------
    >>> given_outcomes([1, 0, 1], 3, None).tolist()
    [1, 0, 1]
    >>> given_outcomes([1, None, 0], 3, None)
    Traceback (most recent call last):
    ...
    szai_audit.errors.TargetError: y_true has 1 missing values (NaN/None) out of 3. Drop ...
    """
    y_true = align_rows("y_true", y_true, _index(data))
    arr = to_1d("y_true", y_true, n, "data" if data is not None else "y_pred")
    missing = is_missing_array(arr)
    if missing.any():
        raise TargetError(
            f"y_true has {int(missing.sum())} missing values (NaN/None) out of {n}"
            f"{_rows(part)}. Drop those rows from data and y_true, or pass y_true=None to audit "
            f"decisions only."
        )
    return arr


def true_array(settings: Settings, n: int) -> np.ndarray | None:
    """The outcomes of a classification audit, one per row, none missing."""
    if settings.y_true is None:
        return None
    return given_outcomes(settings.y_true, n, settings.data)


#: The cut-off on scores when decisions come from scores and no ``threshold=`` was given.
DEFAULT_THRESHOLD = 0.5


def _score_cut(threshold: float | None) -> float:
    return DEFAULT_THRESHOLD if threshold is None else float(threshold)


def decision_threshold(settings: Settings, adapter: ModelAdapter | None) -> float | None:
    """The cut-off on scores that made the decisions: the model's (None when they come from
    ``model.predict`` or a function returning decisions), None for decisions given as
    ``y_pred``, else ``threshold`` (0.5 by default) on ``y_score``. The same for data in
    memory and in parts (``y_pred`` then names a column)."""
    if adapter is not None:
        return adapter.threshold
    if settings.y_pred is not None:
        return None
    return _score_cut(settings.threshold)


def decision_rule(adapter: ModelAdapter | None, cut: float | None) -> str:
    """How the decisions were made: the model's rule, else a cut on ``y_score`` (``cut``, from
    :func:`decision_threshold`), or decisions given (``cut`` None).

    >>> decision_rule(None, 0.3), decision_rule(None, None)
    ('y_score >= 0.3 (1), else 0', 'y_pred (given)')
    """
    if adapter is not None:
        return adapter.decision_rule
    return "y_pred (given)" if cut is None else f"y_score >= {cut:g} (1), else 0"


def given_decisions(
    given: Mapping[str, Any], threshold: float | None, data: Any, part: int | None = None
) -> tuple[np.ndarray, np.ndarray | None]:
    """The decisions and scores given to a classification audit, checked.

    The one reading of given outputs, for data in memory and for each partition of a Dask
    DataFrame, so that both check the same things with the same words.

    Parameters
    ----------
    given : mapping
        ``"y_pred"`` and / or ``"y_score"`` (a missing or None entry is not given) to their
        values, one per row.
    threshold : float or None
        The cut-off making decisions from ``y_score`` when ``y_pred`` is not given (None: 0.5).
    data : pandas.DataFrame or None
        The rows the values describe (all of them, or one partition): their number and index.
    part : int, optional
        The partition's number, named in the errors.

    Returns
    -------
    tuple of numpy.ndarray
        The decisions, and the scores (None when not given).

    Raises
    ------
    PredictionError
        Decisions missing, scores that are not finite numbers, or scores outside [0, 1] that
        would have to make the decisions.
    LengthMismatchError
        Values for another number of rows, or an index that cannot be paired with the data's.

    Examples
    --------
    >>> y_pred, score = given_decisions({"y_score": [0.2, 0.7]}, None, None)
    >>> y_pred.tolist(), score.tolist()
    ([0, 1], [0.2, 0.7])
    >>> given_decisions({"y_pred": [1, None]}, None, None, part=3)
    Traceback (most recent call last):
    ...
    szai_audit.errors.PredictionError: ... out of 2 in partition 3; every row needs a decision.
    """
    n = len(data) if data is not None else None
    score = None
    if given.get("y_score") is not None:
        score = to_1d("y_score", align_rows("y_score", given["y_score"], _index(data)), n)
        score = numeric_scores(score, _rows(part))
        n = len(score)
        if given.get("y_pred") is None and score.size and (score.min() < 0 or score.max() > 1):
            raise PredictionError(
                f"y_score ranges over [{score.min():.4g}, {score.max():.4g}]{_rows(part)}, but "
                f"without y_pred the decisions are y_score >= threshold, which needs "
                f"probabilities in [0, 1]. Pass y_pred with the decisions, or probabilities as "
                f"y_score."
            )
    if given.get("y_pred") is None:
        if score is None:
            raise InputError("given_decisions() needs y_pred or y_score.")
        return (score >= _score_cut(threshold)).astype(np.int64), score
    y_pred = align_rows("y_pred", given["y_pred"], _index(data))
    y_pred = to_1d("y_pred", y_pred, n, "y_score" if data is None else "data")
    missing = is_missing_array(y_pred)
    if missing.any():
        raise PredictionError(
            f"y_pred has {int(missing.sum())} missing values (NaN/None) out of {len(y_pred)}"
            f"{_rows(part)}; every row needs a decision."
        )
    return y_pred, score


def decisions(settings: Settings) -> Decisions:
    """Decisions, outcomes, scores, how decisions were made, the model adapter, and (with a
    model explained) the range of the favourable decision's score that its cut-off is
    verified against (:class:`~szai_audit.explain.turned.ScoreRange`), of a classification
    audit of data in memory."""
    if settings.model is not None:
        adapter = adapt_model(settings.model, settings.threshold)
        out = adapter.outputs(settings.data)  # one call of the model where it can be
        y_pred = out.decisions
        y_true = true_array(settings, len(y_pred))
        pos = positive_label(y_pred, y_true, settings.favorable_label)
        score = out.score(pos)
        limits = ScoreRange.of_outputs(out, settings.favorable_label) if settings.explain else None
        return y_pred, y_true, score, adapter.decision_rule, adapter, limits
    given = {"y_pred": settings.y_pred, "y_score": settings.y_score}
    y_pred, score = given_decisions(given, settings.threshold, settings.data)
    rule = decision_rule(None, decision_threshold(settings, None))
    return y_pred, true_array(settings, len(y_pred)), score, rule, None, None


def given_numbers(
    adapter: ModelAdapter | None, inputs: Any, given: Mapping[str, Any], data: Any
) -> tuple[np.ndarray, np.ndarray | None]:
    """The numeric predictions and outcomes of a regression audit, as finite numbers.

    The one reading of them, for data in memory and for each partition of a Dask DataFrame.

    Parameters
    ----------
    adapter : ModelAdapter or None
        The model, called on ``inputs``; None: the predictions are ``given["y_pred"]``.
    inputs : pandas.DataFrame or None
        The model's inputs (all rows, or one partition).
    given : mapping
        ``"y_pred"`` (without a model) and ``"y_true"`` (optional; a missing or None entry is
        not given) to their values, one per row.
    data : pandas.DataFrame or None
        The rows the values describe: their number and index.

    Returns
    -------
    tuple of numpy.ndarray
        The predictions, and the outcomes (None when not given).

    Raises
    ------
    PredictionError, TargetError
        Predictions (or outcomes) that are not finite numbers, one per row.

    Examples
    --------
    >>> y_pred, y_true = given_numbers(None, None, {"y_pred": [1.5, 2], "y_true": [1, 2]}, None)
    >>> y_pred.tolist(), y_true.tolist()
    ([1.5, 2.0], [1.0, 2.0])
    """
    if adapter is not None:
        y_pred = as_numbers("the model's predictions", adapter.predict(inputs))
    else:
        n = len(data) if data is not None else None
        values = align_rows("y_pred", given["y_pred"], _index(data))
        y_pred = as_numbers("y_pred", to_1d("y_pred", values, n, "data"))
    y_true = None
    if given.get("y_true") is not None:
        values = align_rows("y_true", given["y_true"], _index(data))
        y_true = as_numbers(
            "y_true", to_1d("y_true", values, len(y_pred), "y_pred"), error=TargetError
        )
    return y_pred, y_true


def numeric_outputs(
    settings: Settings,
) -> tuple[ModelAdapter | None, np.ndarray, np.ndarray | None, str]:
    """The model adapter, numeric predictions, outcomes and how predictions were made
    (``task="regression"``, data in memory)."""
    adapter = None
    if settings.model is not None:
        adapter = adapt_model(settings.model, settings.threshold)
    given = {"y_pred": settings.y_pred, "y_true": settings.y_true}
    y_pred, y_true = given_numbers(adapter, settings.data, given, settings.data)
    rule = "model.predict(data)" if adapter is not None else "y_pred (given)"
    return adapter, y_pred, y_true, rule


def prices(settings: Settings) -> tuple[ModelAdapter | None, np.ndarray, str]:
    """The model adapter, the prices (positive numbers) and how they were set
    (``task="pricing"``)."""
    data = settings.data
    if settings.model is not None:
        adapter = adapt_model(settings.model, settings.threshold)
        values = positive_prices("the model's prices", adapter.predict(data))
        return adapter, values, "model.predict(data)"
    given = align_rows("y_pred", settings.y_pred, _index(data))
    values = positive_prices("y_pred", to_1d("y_pred", given, len(data), "data"))
    return None, values, "y_pred (given)"
