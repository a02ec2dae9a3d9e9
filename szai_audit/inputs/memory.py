"""The inputs of each task from data in memory (a pandas DataFrame): one entry per row."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..core.data import GroupEncoding
from ..fairness.regression import RegressionMetrics, regression_metrics_from_codes
from ..fairness.scores import ScoreMetrics, round_scores, score_metrics
from .attributes import attributes
from .outputs import (
    decision_threshold,
    decisions,
    numeric_outputs,
    positive_label,
    prices,
    same_label,
    shown_labels,
)
from .prepared import Prepared, PreparedNumeric, PreparedPrices, RowsFactory, manifest
from .rows import InMemoryRows, RowAccess
from .settings import Settings

__all__ = ["classification_in_memory", "pricing_in_memory", "regression_in_memory"]


def _in_memory_rows(settings: Settings, favourable: np.ndarray) -> RowsFactory:
    def rows(encodings: Mapping[str, GroupEncoding]) -> RowAccess:
        return InMemoryRows(settings.data, encodings, favourable)

    return rows


def classification_in_memory(
    settings: Settings, random_state: int | None, started: _dt.datetime
) -> Prepared:
    """The classification audit's inputs from data in memory: one entry per row."""
    policy = settings.policy
    y_pred, y_true, score, rule, adapter, score_range = decisions(settings)
    cut = decision_threshold(settings, adapter)
    n = len(y_pred)
    pos = positive_label(y_pred, y_true, settings.favorable_label)
    attrs = attributes(settings, n, policy)
    pred_pos = np.asarray(y_pred == pos, dtype=np.uint8)
    true_pos = None if y_true is None else np.asarray(y_true == pos, dtype=np.uint8)
    favorable_is_positive = same_label(pos, settings.favorable_label)

    def scores(enc: GroupEncoding, n_bins: int) -> ScoreMetrics:
        assert score is not None and true_pos is not None
        labels_per_row = enc.index.take(enc.codes)
        rounded = round_scores(score, policy.score_resolution)
        return score_metrics(true_pos, rounded, labels_per_row, threshold=cut, n_bins=n_bins)

    labels = set(pd.unique(y_pred).tolist())
    if y_true is not None:
        labels |= set(pd.unique(y_true).tolist())
    held = {
        lbl: int(((y_pred == lbl) | (False if y_true is None else (y_true == lbl))).sum())
        for lbl in labels
    }
    shown, rest = shown_labels(labels, held, pos, policy.k_anonymity)
    favourable = (pred_pos if favorable_is_positive else 1 - pred_pos).astype(bool)
    return Prepared(
        n_rows=n,
        pos=pos,
        attrs=attrs,
        pred_pos=pred_pos,
        true_pos=true_pos,
        weights=None,
        score_sums=None if score is None else (score, score * score),
        rule=rule + rest,
        adapter=adapter,
        labels=shown,
        score_metrics=scores if score is not None and true_pos is not None else None,
        manifest=manifest(settings, started, y_true, y_pred, adapter, random_state),
        rows=_in_memory_rows(settings, favourable),
        score=score,
        favorable_is_positive=favorable_is_positive,
        score_range=score_range,
    )


def regression_in_memory(
    settings: Settings, random_state: int | None, started: _dt.datetime
) -> PreparedNumeric:
    """The inputs of an audit of numeric outputs from data in memory."""
    adapter, y_pred, y_true, rule = numeric_outputs(settings)
    above = y_pred >= np.median(y_pred)
    favourable = above if settings.direction == "higher" else ~above

    def metrics(enc: GroupEncoding) -> RegressionMetrics:
        return regression_metrics_from_codes(enc.codes, enc.index, y_pred, y_true)

    return PreparedNumeric(
        n_rows=len(y_pred),
        attrs=attributes(settings, len(y_pred), settings.policy),
        has_outcomes=y_true is not None,
        rule=rule,
        adapter=adapter,
        manifest=manifest(settings, started, y_true, y_pred, adapter, random_state),
        metrics=metrics,
        rows=_in_memory_rows(settings, favourable),
        predictions=y_pred,
    )


def pricing_in_memory(
    settings: Settings, random_state: int | None, started: _dt.datetime
) -> PreparedPrices:
    """The inputs of a pricing audit (data in memory): the prices and the attributes."""
    adapter, values, rule = prices(settings)
    data = settings.data
    return PreparedPrices(
        n_rows=len(values),
        attrs=attributes(settings, len(values), settings.policy),
        prices=values,
        rule=rule,
        adapter=adapter,
        manifest=manifest(settings, started, None, values, adapter, random_state),
        rows=_in_memory_rows(settings, values <= np.median(values)),
        columns=data,
        rows_at=lambda positions: data.iloc[positions],
    )
