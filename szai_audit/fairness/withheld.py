"""The figures of the group tables withheld so that no small group can be worked out from the
others: complementary suppression (:mod:`szai_audit.core.disclosure`) over every table of one
audit at once (the grounds and their intersections share their people).

Two blocks of figures are protected, each with its own margins:

* **decisions** (the selection rate, the mean score; the base rates and score tables follow
  them): a set of people is private when it has 1 to ``k - 1`` people;
* **outcomes** (true- and false-positive, false-negative rates, precision, accuracy: given a
  group's decisions and outcomes, each gives its number of true positives): a set is private
  when its actual positives, actual negatives, favourable or unfavourable decisions number 1
  to ``k - 1`` (one actual positive in a group of a hundred: her true-positive rate is her
  decision).

``k`` is ``policy.k_anonymity``; the sizes below which a figure is not shown at all are
``policy.min_group_size`` (:meth:`~szai_audit.fairness.metrics.GroupMetrics.shown`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import numpy as np
import pandas as pd

from ..core.data import is_missing_group_key
from ..core.disclosure import Cells, protect
from ..core.policy import Policy
from .metrics import OUTCOME_METRICS, RATE_METRICS, GroupMetrics

__all__ = ["withhold"]


def withhold(
    tables: Mapping[str, GroupMetrics],
    codes: Mapping[str, np.ndarray],
    pred_pos: np.ndarray,
    true_pos: np.ndarray | None,
    policy: Policy,
    weights: np.ndarray | None = None,
) -> dict[str, GroupMetrics]:
    """``tables`` with the figures to withhold marked (``GroupMetrics.private``).

    Parameters
    ----------
    tables : mapping of str to GroupMetrics
        Every table of the audit (grounds and intersections).
    codes : mapping of str to ndarray
        Per table, each entry's group (its encoding's codes).
    pred_pos, true_pos : ndarray
        Each entry's decision and outcome (1: the positive label); ``true_pos`` None without
        outcomes.
    policy : Policy
    weights : ndarray, optional
        The rows each entry stands for (data seen in parts); one each by default.

    Returns
    -------
    dict of str to GroupMetrics
    """
    keys = list(tables)
    n = np.ones(len(pred_pos)) if weights is None else np.asarray(weights, dtype=float)
    pp = np.asarray(pred_pos, dtype=float) * n
    first = {t: np.array([is_missing_group_key(k) for k in tables[t].counts.index]) for t in keys}
    shown = {t: tables[t].shown(policy.min_group_size) for t in keys}

    def block(margins: np.ndarray, visible: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        sizes = {t: len(tables[t].counts) for t in keys}
        cells = Cells({t: codes[t] for t in keys}, sizes, margins, visible, first)
        return protect(cells, policy.k_anonymity)

    decisions = block(n[:, None], {t: shown[t]["selection_rate"].to_numpy() for t in keys})
    outcomes = {t: np.ones(len(tables[t].counts), dtype=bool) for t in keys}
    if true_pos is not None:
        p = np.asarray(true_pos, dtype=float) * n
        margins = np.column_stack([p, n - p, pp, n - pp])
        visible = {
            t: shown[t][list(OUTCOME_METRICS)].to_numpy().any(axis=1) & ~decisions[t] for t in keys
        }
        outcomes = block(margins, visible)
    return {t: _marked(tables[t], decisions[t], outcomes[t] | decisions[t]) for t in keys}


def _marked(gm: GroupMetrics, decisions: np.ndarray, outcomes: np.ndarray) -> GroupMetrics:
    """``gm`` with its withheld figures: a decision-block row withholds every figure."""
    frame = pd.DataFrame(
        {m: outcomes if m in OUTCOME_METRICS else decisions for m in RATE_METRICS},
        index=gm.counts.index,
    )
    return replace(gm, private=frame, _cache={})
