"""Counterfactual flip test: change only the sensitive attribute and re-ask the model.

When a sensitive attribute is itself a model input, the most direct evidence of
discrimination is a decision that changes when only that attribute changes: the same applicant,
same everything, but "female" instead of "male". For each group and each other value of the
attribute, the test sets the column to that value on the group's rows (a copy of the data; the
user's frame is never touched), re-runs the model in one vectorised call, and counts the
decisions that change and how far the score moves.

A numeric attribute that the audit binned (age) is set to the median of the other bin's values.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..core.data import MISSING_LABEL, GroupEncoding, plain
from ..core.models import ModelAdapter
from ..core.progress import stage
from ..core.scope import SensitiveInfo
from ..core.stats import weighted_median

__all__ = ["FlipResult", "flip_test", "flip_values"]


@dataclass(frozen=True)
class FlipResult:
    """Outcome of the flip test of one attribute.

    Attributes
    ----------
    pairs : DataFrame
        One row per (``from_group``, ``to_group``): ``n`` rows flipped, ``changed`` (share of
        decisions that change), ``to_favourable`` and ``to_unfavourable`` (shares changing in
        each direction), ``mean_score_change`` (NaN without scores), ``value`` (what the
        column was set to).
    by_group : DataFrame
        Per original group: ``n``, ``changed`` (share of its rows whose decision changes for at
        least one other value), ``max_changed`` (largest share over target values),
        ``mean_score_change`` (largest in absolute value over targets).
    n_rows : int
        Rows tested (a random sample of larger data).
    """

    pairs: pd.DataFrame
    by_group: pd.DataFrame
    n_rows: int

    @property
    def max_changed(self) -> float:
        """Largest share of decisions changed by any flip (0 when nothing was flipped)."""
        return float(self.pairs["changed"].max()) if len(self.pairs) else 0.0


def _with_value(column: pd.Series, value: Any) -> pd.Series:
    """``column`` with every entry set to ``value``, keeping its dtype (categories included)."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return pd.Series(
            pd.Categorical([value] * len(column), dtype=column.dtype), index=column.index
        )
    try:
        return pd.Series(value, index=column.index, dtype=column.dtype)
    except (TypeError, ValueError):
        return pd.Series([value] * len(column), index=column.index)


def flip_test(
    adapter: ModelAdapter,
    data: pd.DataFrame,
    column: str,
    groups: np.ndarray,
    values: dict[str, Any],
    *,
    pos_label: Any,
    favorable_is_positive: bool,
    max_rows: int = 20_000,
    random_state: int | None = 0,
    numeric: bool = False,
    change_rtol: float = 0.0,
    withheld: Collection[str] = (),
) -> FlipResult:
    """Flip ``column`` to each other group's value and measure what the model changes.

    Parameters
    ----------
    adapter : ModelAdapter
        The audited model.
    data : DataFrame
        The model's inputs (not modified).
    column : str
        The sensitive column among the inputs.
    groups : ndarray
        The group label of every row (binned labels for a binned attribute).
    values : dict
        Group label -> the value written into ``column`` to make a row belong to that group.
    pos_label : object
        The positive label (for scores and for the direction of changes).
    favorable_is_positive : bool
        Whether the positive decision is the favourable one.
    max_rows : int
        Larger data are tested on a random sample of this many rows.
    random_state : int or None
        Seed of that sample.
    numeric : bool
        The model outputs numbers (``task="regression"``): a change is any difference in the
        prediction, "favourable" means higher when ``favorable_is_positive``, and the mean
        change is that of the prediction.
    change_rtol : float, default 0
        With ``numeric``: a prediction counts as changed when it moves by more than this
        share of its value (a price moving by more than 2%: ``0.02``); 0 counts any change.
    withheld : collection of str
        Groups whose value is withheld from the outputs (too few people to be named): the
        result records their label, not the value written.
    """
    n = len(data)
    rows = np.arange(n)
    if n > max_rows:
        rows = np.sort(np.random.default_rng(random_state).choice(n, max_rows, replace=False))
    base = data.iloc[rows]
    labels = np.asarray(groups, dtype=object)[rows]
    decisions, scores = _outputs(adapter, base, numeric, pos_label)
    pairs: list[dict[str, Any]] = []
    per_group: dict[str, dict[str, Any]] = {}
    with stage("flip test") as bar:  # one step per group whose rows are given the others' values
        bar.add(len(values))
        for source in values:
            mask = labels == source
            bar.update()
            if not mask.any():
                continue
            group_pairs, per_group[source] = _flip_group(
                adapter,
                base,
                column,
                source,
                mask,
                decisions,
                scores,
                values,
                pos_label=pos_label,
                favorable_is_positive=favorable_is_positive,
                numeric=numeric,
                change_rtol=change_rtol,
            )
            pairs.extend(group_pairs)
    return _flip_result(pairs, per_group, len(rows), withheld)


def _outputs(
    adapter: ModelAdapter, rows: pd.DataFrame, numeric: bool, pos_label: Any
) -> tuple[np.ndarray, np.ndarray | None]:
    """The model's outputs on ``rows`` and their scores (the outputs themselves when they are
    numbers), from one call of the model where the decisions follow from the scores."""
    if numeric:
        values = np.asarray(adapter.predict(rows))
        return values, values.astype(float)
    out = adapter.outputs(rows)
    return np.asarray(out.decisions), out.score(pos_label)


def _decision_changes(
    after: np.ndarray, before: np.ndarray, numeric: bool, change_rtol: float, pos_label: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Which decisions changed, and which moved to / away from the positive (or higher) side."""
    if numeric:
        changed = ~np.isclose(after, before, rtol=max(change_rtol, 1e-9), atol=0.0)
        gained, lost = changed & (after > before), changed & (after < before)
    else:  # the positive decision or not (a multiclass model: one class against the rest)
        pos_after, pos_before = after == pos_label, before == pos_label
        changed = pos_after != pos_before
        gained = pos_after & ~pos_before
        lost = pos_before & ~pos_after
    return changed, gained, lost


def _flip_group(
    adapter: ModelAdapter,
    base: pd.DataFrame,
    column: str,
    source: str,
    mask: np.ndarray,
    decisions: np.ndarray,
    scores: np.ndarray | None,
    values: dict[str, Any],
    *,
    pos_label: Any,
    favorable_is_positive: bool,
    numeric: bool,
    change_rtol: float,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The flips of one group's rows to every other group's value, and the group's summary."""
    subset = base.iloc[np.flatnonzero(mask)]
    before = decisions[mask]
    any_change = np.zeros(int(mask.sum()), dtype=bool)
    worst_shift = 0.0
    pairs: list[dict[str, Any]] = []
    for target, value in values.items():
        if target == source:
            continue
        flipped = subset.copy()
        flipped[column] = _with_value(subset[column], value)
        after, new_scores = _outputs(adapter, flipped, numeric, pos_label)
        changed, gained, lost = _decision_changes(after, before, numeric, change_rtol, pos_label)
        any_change |= changed
        to_fav, to_unfav = (gained, lost) if favorable_is_positive else (lost, gained)
        shift = np.nan
        if scores is not None:
            assert new_scores is not None
            shift = float(np.mean(new_scores - scores[mask]))
            if abs(shift) > abs(worst_shift):
                worst_shift = shift
        pairs.append(
            {
                "from_group": source,
                "to_group": target,
                "value": value if np.isscalar(value) else str(value),
                "n": int(mask.sum()),
                "changed": float(changed.mean()),
                "to_favourable": float(to_fav.mean()),
                "to_unfavourable": float(to_unfav.mean()),
                "mean_score_change": shift,
            }
        )
    shares = [float(p["changed"]) for p in pairs if p["from_group"] == source]
    summary = {
        "n": int(mask.sum()),
        "changed": float(any_change.mean()),
        "max_changed": max(shares, default=0.0),
        "mean_score_change": worst_shift if scores is not None else np.nan,
    }
    return pairs, summary


def _flip_result(
    pairs: list[dict[str, Any]],
    per_group: dict[str, dict[str, Any]],
    n_rows: int,
    withheld: Collection[str],
) -> FlipResult:
    """The pair and per-group tables of the flip test (the value written into a ``withheld``
    group recorded as its label)."""
    for pair in pairs:
        if pair["to_group"] in withheld:
            pair["value"] = pair["to_group"]
    pair_frame = pd.DataFrame(
        pairs,
        columns=[
            "from_group",
            "to_group",
            "value",
            "n",
            "changed",
            "to_favourable",
            "to_unfavourable",
            "mean_score_change",
        ],
    )
    by_group = pd.DataFrame.from_dict(per_group, orient="index")
    by_group.index.name = "group"
    return FlipResult(pair_frame, by_group, n_rows)


def without_directions(result: FlipResult, k: int) -> FlipResult:
    """``result`` with the directions of the changes and the mean score change NaN for every
    group of fewer than ``k`` rows tested (``policy.k_anonymity``): they would tell its
    people's decisions; whether decisions change is kept.

    >>> pairs = pd.DataFrame({"n": [1, 40], "to_favourable": [1.0, 0.1],
    ...                       "to_unfavourable": [0.0, 0.0], "mean_score_change": [0.2, 0.0]})
    >>> by_group = pd.DataFrame({"n": [1, 40], "mean_score_change": [0.2, 0.0]})
    >>> without_directions(FlipResult(pairs, by_group, 41), 5).pairs["to_favourable"].tolist()
    [nan, 0.1]
    """
    pairs, by_group = result.pairs.copy(), result.by_group.copy()
    small = pairs["n"].to_numpy() < k
    pairs.loc[small, ["to_favourable", "to_unfavourable", "mean_score_change"]] = math.nan
    if len(by_group):
        by_group.loc[by_group["n"].to_numpy() < k, "mean_score_change"] = math.nan
    return FlipResult(pairs, by_group, result.n_rows)


def flip_values(
    info: SensitiveInfo,
    enc: GroupEncoding,
    column_counts: Callable[[str], tuple[np.ndarray, np.ndarray, bool]],
    withheld: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Group label -> the value written into the column to put a row in that group: the
    group's own value (for a group whose value is withheld from the outputs, ``withheld``
    maps its stand-in label to that value), or for a binned number the median of the rows in
    the bin."""
    if info.binning is None:
        withheld = withheld or {}
        return {
            str(k): withheld.get(str(k), plain(k)) for k in enc.index if str(k) != MISSING_LABEL
        }
    assert info.column is not None
    distinct, counts, integer = column_counts(info.column)
    codes = np.searchsorted(np.asarray(info.binning.edges), distinct, side="right")
    out: dict[str, Any] = {}
    for code, label in enumerate(info.binning.labels):
        inside = codes == code
        if inside.any():
            median = weighted_median(distinct[inside], counts[inside])
            out[label] = round(median) if integer else median
    return out
