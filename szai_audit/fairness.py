"""Article 72(4): group metrics computed from per-group cell counts.

Every metric of a binary decision is a ratio of four counts per group: true positives (tp),
false positives (fp), false negatives (fn) and true negatives (tn). This module counts them once
with ``np.bincount`` over integer group codes and derives every rate from the counts, so results
are exact, fast and (being sums) mergeable across chunks of data.

The public entry point is :func:`group_metrics`, returning a :class:`GroupMetrics` with the
vocabulary of fairlearn's ``MetricFrame``: ``by_group``, ``overall``, ``difference()``,
``ratio()``, ``group_min()``, ``group_max()``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal

import numpy as np
import pandas as pd

from .data import GroupEncoding, encode_groups, is_missing_array, to_1d
from .errors import InputTypeError, PredictionError, TargetError

__all__ = ["METRICS", "OUTCOME_METRICS", "GroupMetrics", "group_metrics"]

#: Columns of ``GroupMetrics.by_group``, in order.
METRICS: tuple[str, ...] = (
    "count",
    "selection_rate",
    "true_positive_rate",
    "false_positive_rate",
    "false_negative_rate",
    "precision",
    "accuracy",
    "mean_score",
)
#: Rates that need the actual outcomes (``y_true``).
OUTCOME_METRICS: tuple[str, ...] = (
    "true_positive_rate",
    "false_positive_rate",
    "false_negative_rate",
    "precision",
    "accuracy",
)
RATE_METRICS: tuple[str, ...] = METRICS[1:]

#: For each rate: the count column that is its denominator.
DENOMINATOR: dict[str, str] = {
    "selection_rate": "n",
    "true_positive_rate": "actual_positive",
    "false_positive_rate": "actual_negative",
    "false_negative_rate": "actual_positive",
    "precision": "predicted_positive",
    "accuracy": "n",
    "mean_score": "n",
}

COUNT_COLUMNS: tuple[str, ...] = ("n", "predicted_positive", "tp", "fp", "fn", "tn")


def _divide(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """num / den as float, NaN where den == 0 (no warning)."""
    num = np.asarray(num, dtype=float)
    den = np.asarray(den, dtype=float)
    out = np.full(np.broadcast(num, den).shape, np.nan)
    np.divide(num, den, out=out, where=den != 0)
    return out


def rates_from_counts(counts: Mapping[str, np.ndarray], score_sum: np.ndarray | None) -> dict:
    """Every rate from cell counts; arrays of any (equal) shape, so resampled counts work too.

    ``counts`` holds ``n`` and ``predicted_positive`` and, when outcomes are known, ``tp``,
    ``fp``, ``fn``, ``tn`` (else those keys are absent and the outcome rates are NaN).
    """
    n = counts["n"]
    out: dict[str, np.ndarray] = {"selection_rate": _divide(counts["predicted_positive"], n)}
    if "tp" in counts:
        tp, fp, fn, tn = counts["tp"], counts["fp"], counts["fn"], counts["tn"]
        out["true_positive_rate"] = _divide(tp, tp + fn)
        out["false_positive_rate"] = _divide(fp, fp + tn)
        out["false_negative_rate"] = _divide(fn, tp + fn)
        out["precision"] = _divide(tp, tp + fp)
        out["accuracy"] = _divide(tp + tn, n)
    else:
        nan = np.full(np.shape(n), np.nan)
        for m in OUTCOME_METRICS:
            out[m] = nan
    out["mean_score"] = (
        _divide(score_sum, n) if score_sum is not None else np.full(np.shape(n), np.nan)
    )
    return out


@dataclass(frozen=True, eq=False)
class GroupMetrics:
    """Metrics of a binary decision by group, all derived from per-group cell counts.

    Build it with :func:`group_metrics`. Rates are proportions in [0, 1]; a rate whose
    denominator is zero in a group (no actual positives for the true-positive rate, say) is NaN,
    never 0.

    Attributes
    ----------
    counts : pandas.DataFrame
        The sufficient statistics, one row per group: ``n``, ``predicted_positive`` and, when
        outcomes were given, ``tp``, ``fp``, ``fn``, ``tn`` (plus ``score_sum`` with scores).
    pos_label : object
        The label counted as positive.
    has_outcomes : bool
        Whether ``y_true`` was given (else outcome-based rates are NaN).
    has_scores : bool
        Whether ``y_score`` was given (else ``mean_score`` is NaN).
    """

    counts: pd.DataFrame
    pos_label: Any
    has_outcomes: bool
    has_scores: bool

    @property
    def sensitive_names(self) -> list[str]:
        """Names of the sensitive attributes (one, or several for an intersection)."""
        return [str(n) for n in self.counts.index.names]

    def _count_arrays(self, frame: pd.DataFrame) -> dict[str, np.ndarray]:
        cols = COUNT_COLUMNS if self.has_outcomes else COUNT_COLUMNS[:2]
        return {c: frame[c].to_numpy(dtype=np.int64) for c in cols}

    @cached_property
    def by_group(self) -> pd.DataFrame:
        """One row per observed group: ``count`` and every rate of :data:`METRICS`."""
        score_sum = self.counts["score_sum"].to_numpy() if self.has_scores else None
        rates = rates_from_counts(self._count_arrays(self.counts), score_sum)
        frame = pd.DataFrame(rates, index=self.counts.index)
        frame.insert(0, "count", self.counts["n"].to_numpy())
        return frame[list(METRICS)]

    @cached_property
    def overall(self) -> pd.Series:
        """The metrics on all rows together (the rows dropped for a missing group excluded)."""
        totals = self.counts.sum(axis=0)
        arrays = {c: np.asarray(totals[c]) for c in self._count_arrays(self.counts)}
        score_sum = np.asarray(totals["score_sum"]) if self.has_scores else None
        rates = rates_from_counts(arrays, score_sum)
        values = {"count": int(totals["n"]), **{k: float(v) for k, v in rates.items()}}
        return pd.Series(values, name="overall")[list(METRICS)]

    def denominators(self) -> pd.DataFrame:
        """For each group and rate, how many people the rate is computed over."""
        c = self.counts
        base = {
            "n": c["n"].to_numpy(),
            "predicted_positive": c["predicted_positive"].to_numpy(),
        }
        if self.has_outcomes:
            base["actual_positive"] = (c["tp"] + c["fn"]).to_numpy()
            base["actual_negative"] = (c["fp"] + c["tn"]).to_numpy()
        zeros = np.zeros(len(c), dtype=np.int64)
        return pd.DataFrame(
            {m: base.get(DENOMINATOR[m], zeros) for m in RATE_METRICS}, index=c.index
        )

    def _rates(self) -> pd.DataFrame:
        return self.by_group[list(RATE_METRICS)]

    def group_min(self) -> pd.Series:
        """Smallest value of each rate across groups (NaN groups skipped)."""
        return self._rates().min(axis=0)

    def group_max(self) -> pd.Series:
        """Largest value of each rate across groups (NaN groups skipped)."""
        return self._rates().max(axis=0)

    def difference(
        self, method: Literal["between_groups", "to_overall"] = "between_groups"
    ) -> pd.Series:
        """Largest gap of each rate: max - min across groups, or max |group - overall|.

        Examples
        --------
        >>> gm = group_metrics([1, 0, 1, 1], [1, 0, 0, 1], ["a", "a", "b", "b"])
        >>> float(gm.difference()["selection_rate"])
        0.0
        >>> float(gm.difference()["true_positive_rate"])
        0.5
        """
        rates = self._rates()
        if method == "between_groups":
            return rates.max(axis=0) - rates.min(axis=0)
        if method == "to_overall":
            overall = self.overall[list(RATE_METRICS)]
            return (rates - overall).abs().max(axis=0)
        raise InputTypeError(f"method must be 'between_groups' or 'to_overall', got {method!r}.")

    def ratio(
        self, method: Literal["between_groups", "to_overall"] = "between_groups"
    ) -> pd.Series:
        """Smallest ratio of each rate: min / max across groups, or min of group/overall and
        overall/group. NaN when the denominator is 0.

        Examples
        --------
        >>> gm = group_metrics(None, [1, 0, 1, 1], ["a", "a", "b", "b"])
        >>> float(gm.ratio()["selection_rate"])
        0.5
        """
        rates = self._rates()
        if method == "between_groups":
            return pd.Series(
                _divide(rates.min(axis=0).to_numpy(), rates.max(axis=0).to_numpy()),
                index=rates.columns,
            )
        if method == "to_overall":
            overall = self.overall[list(RATE_METRICS)].to_numpy(dtype=float)
            r = _divide(rates.to_numpy(), overall[None, :])
            r = np.where(r > 1, _divide(np.ones_like(r), r), r)
            return pd.Series(pd.DataFrame(r, columns=rates.columns).min(axis=0))
        raise InputTypeError(f"method must be 'between_groups' or 'to_overall', got {method!r}.")

    def __repr__(self) -> str:
        names = " × ".join(self.sensitive_names)
        return (
            f"<GroupMetrics by {names}: {len(self.counts)} groups, n={int(self.counts['n'].sum())}>"
        )


def _binary_indicator(
    name: str, values: np.ndarray, pos_label: Any, error: type
) -> tuple[np.ndarray, set[Any]]:
    """``values == pos_label`` as uint8 and the labels seen, after checking for missing and
    non-binary values."""
    missing = is_missing_array(values)
    if missing.any():
        raise error(
            f"{name} has {int(missing.sum())} missing values (NaN/None); every row needs a "
            f"value. Drop those rows from all inputs, or fill them."
        )
    labels = pd.unique(values)
    if len(labels) > 2:
        shown = sorted(map(str, labels[:6]))
        raise error(
            f"{name} must be binary for a classification audit, but has {len(labels)} distinct "
            f"values (e.g. {shown}). Binarise it first, e.g. {name} = ({name} == label)."
        )
    return np.asarray(values == pos_label, dtype=np.uint8), set(labels.tolist())


def _as_columns(sensitive: Any) -> dict[str, Any]:
    """Sensitive features in any accepted form -> {name: 1-D values}."""
    if isinstance(sensitive, pd.DataFrame):
        return {str(c): sensitive[c] for c in sensitive.columns}
    if isinstance(sensitive, Mapping):
        return {str(k): v for k, v in sensitive.items()}
    if isinstance(sensitive, pd.Series):
        return {str(sensitive.name) if sensitive.name is not None else "sensitive": sensitive}
    arr = np.asarray(sensitive, dtype=object) if isinstance(sensitive, list) else sensitive
    if isinstance(arr, np.ndarray) and arr.ndim == 2:
        return {f"sensitive_{i}": arr[:, i] for i in range(arr.shape[1])}
    return {"sensitive": sensitive}


def counts_by_group(
    encoding: GroupEncoding,
    y_pred_pos: np.ndarray,
    y_true_pos: np.ndarray | None,
    y_score: np.ndarray | None,
) -> pd.DataFrame:
    """Per-group cell counts via one ``np.bincount`` over combined cell codes."""
    g = encoding.codes
    keep = g >= 0
    if not keep.all():
        g, y_pred_pos = g[keep], y_pred_pos[keep]
        y_true_pos = y_true_pos[keep] if y_true_pos is not None else None
        y_score = y_score[keep] if y_score is not None else None
    k = encoding.n_groups
    data: dict[str, np.ndarray] = {}
    if y_true_pos is not None:
        cells = np.bincount(g * 4 + y_true_pos * 2 + y_pred_pos, minlength=4 * k).reshape(k, 4)
        data["tn"], data["fp"], data["fn"], data["tp"] = cells.T
        data["n"] = cells.sum(axis=1)
        data["predicted_positive"] = data["tp"] + data["fp"]
    else:
        cells = np.bincount(g * 2 + y_pred_pos, minlength=2 * k).reshape(k, 2)
        data["n"] = cells.sum(axis=1)
        data["predicted_positive"] = cells[:, 1]
    cols = [c for c in COUNT_COLUMNS if c in data]
    frame = pd.DataFrame({c: data[c].astype(np.int64) for c in cols}, index=encoding.index)
    if y_score is not None:
        frame["score_sum"] = np.bincount(g, weights=y_score, minlength=k)
    return frame


def group_metrics(
    y_true: Any,
    y_pred: Any,
    sensitive: Any,
    y_score: Any = None,
    *,
    pos_label: Any = 1,
    missing: Literal["group", "drop", "raise"] = "group",
) -> GroupMetrics:
    """Metrics of binary decisions by group (or by intersection of several attributes).

    Parameters
    ----------
    y_true : array-like or None
        Actual outcomes, binary. None for a decision log without outcomes: then only ``count``,
        ``selection_rate`` (and ``mean_score``) are computed and outcome rates are NaN.
    y_pred : array-like
        Decisions, binary.
    sensitive : array-like, Series, DataFrame or mapping of name to array-like
        The group of each row. Several columns (a DataFrame or a mapping) give the intersection;
        ``by_group`` then has a MultiIndex with only the combinations that occur.
    y_score : array-like, optional
        A numeric score per row (probability of the positive label, say); gives ``mean_score``.
    pos_label : scalar, default 1
        The label counted as positive in ``y_true`` and ``y_pred``.
    missing : {"group", "drop", "raise"}, default "group"
        Rows with a missing sensitive value form their own group ``"(missing)"``, are left out,
        or raise :class:`~szai_audit.errors.SensitiveAttributeError`.

    Returns
    -------
    GroupMetrics
        Always the same type and the same columns, whatever the input.

    Raises
    ------
    LengthMismatchError
        The inputs have different lengths.
    TargetError, PredictionError
        ``y_true`` / ``y_pred`` are missing values or are not binary, or ``pos_label`` does not
        occur among two labels.

    Examples
    --------
    >>> gm = group_metrics(
    ...     y_true=[1, 0, 1, 0, 1, 1],
    ...     y_pred=[1, 0, 0, 0, 1, 1],
    ...     sensitive=["f", "f", "f", "m", "m", "m"],
    ... )
    >>> gm.by_group[["count", "selection_rate", "true_positive_rate"]]
              count  selection_rate  true_positive_rate
    sensitive
    f             3        0.333333                 0.5
    m             3        0.666667                 1.0
    >>> round(float(gm.difference()["selection_rate"]), 4)
    0.3333
    """
    y_pred_arr = to_1d("y_pred", y_pred)
    n = len(y_pred_arr)
    y_true_arr = None if y_true is None else to_1d("y_true", y_true, n, "y_pred")
    score_arr = None
    if y_score is not None:
        score_arr = to_1d("y_score", y_score, n, "y_pred")
        try:
            score_arr = score_arr.astype(float)
        except (TypeError, ValueError) as exc:
            raise PredictionError(
                f"y_score must be numeric, got values of dtype {score_arr.dtype}."
            ) from exc
        if np.isnan(score_arr).any():
            raise PredictionError(
                f"y_score has {int(np.isnan(score_arr).sum())} NaN values; every row needs a score."
            )
    pred_pos, labels = _binary_indicator("y_pred", y_pred_arr, pos_label, PredictionError)
    true_pos = None
    if y_true_arr is not None:
        true_pos, true_labels = _binary_indicator("y_true", y_true_arr, pos_label, TargetError)
        labels |= true_labels
        if len(labels) > 2:
            raise TargetError(
                f"y_true and y_pred together have {len(labels)} labels {sorted(map(str, labels))}; "
                f"they must share the same two labels."
            )
    if len(labels) == 2 and pos_label not in labels:
        shown = sorted(map(str, labels))
        raise TargetError(
            f"pos_label={pos_label!r} is not one of the labels {shown}; pass the label that "
            f"counts as positive, e.g. pos_label={shown[-1]!r}."
        )
    encoding = encode_groups(_as_columns(sensitive), missing=missing, n=n)
    counts = counts_by_group(encoding, pred_pos, true_pos, score_arr)
    return GroupMetrics(
        counts=counts,
        pos_label=pos_label,
        has_outcomes=true_pos is not None,
        has_scores=score_arr is not None,
    )
