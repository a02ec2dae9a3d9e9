"""The figures of the group tables withheld so that no small group can be worked out from the
others: complementary suppression (:mod:`szai_audit.core.disclosure`) over every table of one
audit at once (the grounds and their intersections share their people).

A set of people is private when it holds 1 to ``k - 1`` people (``k``: ``policy.k_anonymity``):
no group of that size, no combination of the grounds' values held by that few, may have its
decisions, its outcomes or their agreement worked out. Every figure of a group (its selection
rate, mean score and base rate; its true- and false-positive rates, precision and accuracy,
which are shown only where its decisions are) is withheld together, as is the overall row when
it is the complement chosen. The sizes below which a figure is not shown at all are
``policy.min_group_size`` (:meth:`~szai_audit.fairness.metrics.GroupMetrics.shown`).

Not covered: a large group's few actual positives (three among a hundred) are not a set of
their own; their true-positive rate is withheld when fewer than ``min_group_size`` stand
behind it, but with the group's other rates it can be worked out (docs/method.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import numpy as np
import pandas as pd

from ..core.data import is_missing_group_key
from ..core.disclosure import Cells, protect
from ..core.policy import Policy
from .metrics import RATE_METRICS, GroupMetrics

__all__ = ["withhold"]


def withhold(
    tables: Mapping[str, GroupMetrics],
    codes: Mapping[str, np.ndarray],
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
    policy : Policy
    weights : ndarray, optional
        The rows each entry stands for (data seen in parts); one each by default.

    Returns
    -------
    dict of str to GroupMetrics
    """
    keys = list(tables)
    n = np.ones(len(codes[keys[0]])) if weights is None else np.asarray(weights, dtype=float)
    first = {t: np.array([is_missing_group_key(k) for k in tables[t].counts.index]) for t in keys}
    cells = Cells(
        {t: codes[t] for t in keys},
        {t: len(tables[t].counts) for t in keys},
        n[:, None],
        {t: tables[t].shown(policy.min_group_size)["selection_rate"].to_numpy() for t in keys},
        first,
        # A complement comes from the finest table first: a ground's own figures go last.
        {t: len(tables[t].sensitive_names) for t in keys},
    )
    withheld = protect(cells, policy.k_anonymity)
    overall = frozenset(RATE_METRICS) if withheld.overall else frozenset()
    return {t: _marked(tables[t], withheld[t], overall) for t in keys}


def _marked(gm: GroupMetrics, withheld: np.ndarray, overall: frozenset[str]) -> GroupMetrics:
    """``gm`` with its withheld figures: every figure of a withheld group."""
    frame = pd.DataFrame(dict.fromkeys(RATE_METRICS, withheld), index=gm.counts.index)
    return replace(gm, private=frame, overall_private=overall, _cache={})
