"""What the checks of each task read, the same whether the data was in memory (one entry per
row, :mod:`szai_audit.inputs.memory`) or seen in parts (one entry per cell of rows that share
their sensitive values, decision and outcome, :mod:`szai_audit.inputs.chunked`)."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..core.data import GroupEncoding
from ..core.manifest import build_manifest
from ..core.models import ModelAdapter
from ..explain.turned import ScoreRange
from ..fairness.regression import RegressionMetrics
from ..fairness.scores import ScoreMetrics
from .attributes import Attribute
from .rows import RowAccess
from .settings import Settings

__all__ = ["Prepared", "PreparedNumeric", "PreparedPrices", "RowsFactory", "manifest"]

#: ``rows(encodings)``: the rows of the sampled checks, once each ground's groups are encoded.
RowsFactory = Callable[[Mapping[str, GroupEncoding]], RowAccess]


@dataclass(frozen=True)
class Prepared:
    """What the classification checks read: entry ``i`` of ``pred_pos``, ``true_pos``,
    ``score_sums`` and of each attribute's values stands for ``weights[i]`` rows (one each
    when ``weights`` is None, data in memory)."""

    n_rows: int
    pos: Any
    attrs: list[Attribute]
    pred_pos: np.ndarray
    true_pos: np.ndarray | None
    weights: np.ndarray | None
    score_sums: tuple[np.ndarray, np.ndarray] | None
    rule: str
    adapter: ModelAdapter | None
    labels: tuple[str, ...]
    score_metrics: Callable[[GroupEncoding, int], ScoreMetrics] | None
    manifest: dict[str, Any]
    rows: RowsFactory
    #: Whether the positive label is the favourable decision.
    favorable_is_positive: bool
    #: Scores of every row (for the fairness-constraint illustration); None in parts.
    score: np.ndarray | None = None
    #: The favourable decision's score over every decision, which the cut-off of the
    #: decisions turned by the inputs tied to protected grounds is verified against (a model
    #: explained; None otherwise, or without such a score).
    score_range: ScoreRange | None = None


@dataclass(frozen=True)
class PreparedNumeric:
    """What the checks of numeric outputs read (``task="regression"``)."""

    n_rows: int
    attrs: list[Attribute]
    has_outcomes: bool
    rule: str
    adapter: ModelAdapter | None
    manifest: dict[str, Any]
    #: ``metrics(encoding)``: mean prediction, outcome, error by group of the encoding.
    metrics: Callable[[GroupEncoding], RegressionMetrics]
    rows: RowsFactory
    #: The predictions, for the trends along numeric grounds: one per row; for data seen in
    #: parts, each cell's mean, with its rows and their sum of squared deviations.
    predictions: np.ndarray | None = None
    prediction_weights: np.ndarray | None = None
    prediction_m2: np.ndarray | None = None
    #: For data seen in parts: the median prediction and, per cell, its rows strictly beyond
    #: it on the favourable side (in memory, the scoring rates come from ``predictions``).
    scoring: tuple[float, np.ndarray] | None = None


@dataclass(frozen=True)
class PreparedPrices:
    """What the checks of a pricing audit read, from data in memory or seen in parts.

    ``prices`` and each attribute's values are per order; ``columns`` holds the profile,
    legitimate-factor and loyalty columns of every order (the whole data in memory; those
    columns only, for data seen in parts), and ``rows_at(positions)`` the model's inputs of
    the orders the counterfactual tests re-price (sorted positions drawn by
    :func:`szai_audit.pricing.counterfactual.draw_orders` and
    :func:`szai_audit.pricing.loyalty.draw_loyal`)."""

    n_rows: int
    attrs: list[Attribute]
    prices: np.ndarray
    rule: str
    adapter: ModelAdapter | None
    manifest: dict[str, Any]
    rows: RowsFactory
    columns: pd.DataFrame
    rows_at: Callable[[np.ndarray], pd.DataFrame]


def manifest(
    settings: Settings,
    started: _dt.datetime,
    y_true: np.ndarray | None,
    y_pred: np.ndarray,
    adapter: ModelAdapter | None,
    random_state: int | None,
) -> dict[str, Any]:
    """The reproducibility manifest of an audit of data in memory."""
    return build_manifest(
        data=settings.data,
        y_true=y_true,
        y_pred=y_pred,
        model=adapter.describe() if adapter is not None else None,
        random_state=None if random_state is None else int(random_state),
        generated_at=started,
    )
