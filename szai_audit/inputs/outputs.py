"""The outputs an audit judges, from the model or as given, checked: decisions, scores and
outcomes (classification), numbers (regression), prices (pricing).

Each function takes the validated :class:`~szai_audit.inputs.settings.Settings`; a value that
cannot be used raises an error naming it (missing decisions, scores that are not numbers,
non-binary labels, a favourable label that does not occur).
"""

from __future__ import annotations

import datetime as _dt
import os
from typing import Any

import numpy as np
import pandas as pd

from ..core.data import check_index_order, is_missing_array, plain, to_1d
from ..core.errors import InputError, PredictionError, TargetError
from ..core.models import ModelAdapter, adapt_model
from ..pricing.gaps import positive_prices
from .settings import Settings

__all__ = [
    "Decisions",
    "as_numbers",
    "decision_threshold",
    "decisions",
    "numeric_outputs",
    "numeric_scores",
    "plain",
    "positive_label",
    "prices",
    "run_time",
    "same_label",
    "true_array",
]

#: ``(y_pred, y_true, score, decision rule, model adapter)`` of a classification audit.
Decisions = tuple[np.ndarray, "np.ndarray | None", "np.ndarray | None", str, "ModelAdapter | None"]


def as_numbers(name: str, values: Any, error: type = PredictionError) -> np.ndarray:
    """Finite floats, or a clear error naming ``name``."""
    arr = np.asarray(values)
    try:
        out = arr.astype(float)
    except (TypeError, ValueError) as exc:
        raise error(
            f"{name} must be numbers for task='regression', got values of dtype {arr.dtype}."
        ) from exc
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


def numeric_scores(score: np.ndarray) -> np.ndarray:
    try:
        out = score.astype(float)
    except (TypeError, ValueError) as exc:
        raise PredictionError(f"y_score must be numeric, got dtype {score.dtype}.") from exc
    if np.isnan(out).any():
        raise PredictionError(
            f"y_score has {int(np.isnan(out).sum())} NaN values; every row needs a score."
        )
    if np.isinf(out).any():
        raise PredictionError(
            f"y_score has {int(np.isinf(out).sum())} infinite values; scores must be finite."
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
                f"y_pred's labels {sorted(map(str, labels))[:6]} and y_true's "
                f"{sorted(map(str, outcomes))[:6]} have none in common; decisions and outcomes "
                f"must use the same labels (e.g. both 0/1, or both 'approve'/'decline')."
            )
        labels |= outcomes
    shown = sorted(map(str, labels))[:6]
    if len(labels) > 2:
        if not any(same_label(lbl, favorable) for lbl in labels):
            raise TargetError(
                f"y_pred and y_true together have {len(labels)} labels (e.g. {shown}) and "
                f"favorable_label={favorable!r} is none of them. A multiclass model is audited "
                f"one class against the rest: pass the favourable class as favorable_label, "
                f"e.g. favorable_label={shown[0]!r}."
            )
        return next(lbl for lbl in labels if same_label(lbl, favorable))
    if len(labels) == 2 and not any(same_label(lbl, favorable) for lbl in labels):
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


def true_array(settings: Settings, n: int) -> np.ndarray | None:
    """The outcomes of a classification audit, one per row, none missing."""
    if settings.y_true is None:
        return None
    where = "data" if settings.data is not None else "y_pred"
    arr = to_1d("y_true", settings.y_true, n, where)
    check_index_order("y_true", settings.y_true, settings.data)
    missing = is_missing_array(arr)
    if missing.any():
        raise TargetError(
            f"y_true has {int(missing.sum())} missing values (NaN/None) out of {n}. Drop "
            f"those rows from data and y_true, or pass y_true=None to audit decisions only."
        )
    return arr


#: The cut-off on scores when decisions come from scores and no ``threshold=`` was given.
DEFAULT_THRESHOLD = 0.5


def decision_threshold(settings: Settings, adapter: ModelAdapter | None) -> float | None:
    """The cut-off on scores that made the decisions: the model's (None when they come from
    ``model.predict`` or a function returning decisions), None for decisions given as
    ``y_pred``, else ``threshold`` (0.5 by default) on ``y_score``."""
    if adapter is not None:
        return adapter.threshold
    if settings.y_pred is not None:
        return None
    return DEFAULT_THRESHOLD if settings.threshold is None else float(settings.threshold)


def decisions(settings: Settings) -> Decisions:
    """Decisions, outcomes, scores, how decisions were made, and the model adapter, of a
    classification audit of data in memory."""
    if settings.model is not None:
        adapter = adapt_model(settings.model, settings.threshold)
        out = adapter.outputs(settings.data)  # one call of the model where it can be
        y_pred = out.decisions
        y_true = true_array(settings, len(y_pred))
        pos = positive_label(y_pred, y_true, settings.favorable_label)
        score = out.score(pos)
        return y_pred, y_true, score, adapter.decision_rule, adapter
    n = len(settings.data) if settings.data is not None else None
    score = None
    if settings.y_score is not None:
        score = to_1d("y_score", settings.y_score, n)
        check_index_order("y_score", settings.y_score, settings.data)
        score = numeric_scores(score)
        n = len(score)
        if settings.y_pred is None and (score.min() < 0 or score.max() > 1):
            raise PredictionError(
                f"y_score ranges over [{score.min():.4g}, {score.max():.4g}], but without "
                f"y_pred the decisions are y_score >= threshold, which needs probabilities "
                f"in [0, 1]. Pass y_pred with the decisions, or probabilities as y_score."
            )
    if settings.y_pred is not None:
        where = "y_score" if settings.data is None else "data"
        y_pred = to_1d("y_pred", settings.y_pred, n, where)
        check_index_order("y_pred", settings.y_pred, settings.data)
        missing = is_missing_array(y_pred)
        if missing.any():
            raise PredictionError(
                f"y_pred has {int(missing.sum())} missing values (NaN/None) out of "
                f"{len(y_pred)}; every row needs a decision."
            )
        rule = "y_pred (given)"
    else:
        assert score is not None
        cut = decision_threshold(settings, None)
        assert cut is not None
        y_pred = (score >= cut).astype(np.int64)
        rule = f"y_score >= {cut:g} (1), else 0"
    return y_pred, true_array(settings, len(y_pred)), score, rule, None


def numeric_outputs(
    settings: Settings,
) -> tuple[ModelAdapter | None, np.ndarray, np.ndarray | None, str]:
    """The model adapter, numeric predictions, outcomes and how predictions were made
    (``task="regression"``, data in memory)."""
    adapter = None
    if settings.model is not None:
        adapter = adapt_model(settings.model, settings.threshold)
        y_pred = as_numbers("the model's predictions", adapter.predict(settings.data))
        rule = "model.predict(data)"
    else:
        n0 = len(settings.data) if settings.data is not None else None
        y_pred = as_numbers("y_pred", to_1d("y_pred", settings.y_pred, n0, "data"))
        check_index_order("y_pred", settings.y_pred, settings.data)
        rule = "y_pred (given)"
    y_true = None
    if settings.y_true is not None:
        check_index_order("y_true", settings.y_true, settings.data)
        y_true = as_numbers(
            "y_true", to_1d("y_true", settings.y_true, len(y_pred), "y_pred"), error=TargetError
        )
    return adapter, y_pred, y_true, rule


def prices(settings: Settings) -> tuple[ModelAdapter | None, np.ndarray, str]:
    """The model adapter, the prices (positive numbers) and how they were set
    (``task="pricing"``)."""
    data = settings.data
    if settings.model is not None:
        adapter = adapt_model(settings.model, settings.threshold)
        values = positive_prices("the model's prices", adapter.predict(data))
        return adapter, values, "model.predict(data)"
    check_index_order("y_pred", settings.y_pred, data)
    values = positive_prices("y_pred", to_1d("y_pred", settings.y_pred, len(data), "data"))
    return None, values, "y_pred (given)"
