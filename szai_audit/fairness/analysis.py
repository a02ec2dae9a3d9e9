"""Everything the Art. 72(2)(iv) audit measured, in one object (``AuditResult.fairness``), and
its part of the audit's JSON."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..core.conditional import ConditionalGaps
from ..core.grounds import INTERSECTION_SEP
from ..core.policy import Policy
from .counterfactual import FlipResult
from .metrics import GroupMetrics
from .outcomes import BaseRates
from .proxies import ProxyReport
from .regression import RegressionMetrics, ScoringRates
from .scores import ScoreMetrics
from .serialize import (
    conditional_dict,
    flip_dict,
    metrics_table_dict,
    mitigation_dict,
    proxy_dict,
    regression_dict,
    score_dict,
)

__all__ = ["FairnessAnalysis"]


@dataclass(frozen=True, eq=False)
class FairnessAnalysis:
    """Everything the Art. 72(2)(iv) audit measured (``AuditResult.fairness``).

    Attributes
    ----------
    grounds : tuple of str
        The grounds audited, in order (those of ``AuditResult.sensitive``).
    group_metrics : dict of str to GroupMetrics
        Art. 72(2)(iv) metrics per ground.
    intersections : dict of str to GroupMetrics
        Metrics by every pair of grounds (``"gender × age"``) and, with three or more grounds,
        by all of them together (when it has at most ``policy.max_intersection_groups`` groups).
    cis : dict of str to DataFrame
        Bootstrap intervals of every rate, per ground and intersection (see
        :meth:`GroupMetrics.ci`).
    group_tests : dict of str to DataFrame
        Per ground and intersection: each comparable group against the rest (and against the
        reference group), raw and Benjamini-Hochberg adjusted p-values.
    score_metrics : dict of str to ScoreMetrics
        Per ground, with scores and outcomes: AUC, calibration, positive rate at the threshold.
    proxies : dict of str to ProxyReport
        Per ground, with input data: how well each input predicts the attribute.
    flips : dict of str to FlipResult
        Per ground that is a model input: the counterfactual flip test.
    mitigation : dict of str to DataFrame
        Per ground failing a decision-rate check, with scores and outcomes: what group
        thresholds (fairlearn's ThresholdOptimizer) would reach on the audit data, and the
        accuracy they would give up (see :func:`szai_audit.fairness.mitigation.threshold_tradeoff`).
    conditional : dict of str to ConditionalGaps
        Per ground, with ``legitimate_factors``: favourable-decision gaps against the reference
        group before and after adjusting for them (stratified and regression).
    regression_metrics : dict of str to RegressionMetrics
        With ``task="regression"``: mean prediction, mean outcome, mean error and mean absolute
        error by group, per ground and intersection (the classification tables are empty).
    scoring_rates : dict of str to ScoringRates
        With ``task="regression"``: per table, each group's share scoring
        on the favourable side of the sample's median (the scoring rate of NYC Local Law 144,
        used by the ``"bias_audit"`` filing).
    base_rates : dict of str to BaseRates
        Per ground, with outcomes (``task="classification"``): each group's share of the
        positive outcome, whether the groups differ, and the note on calibration against
        equal error rates where both were measured (see :mod:`szai_audit.fairness.outcomes`).
    """

    grounds: tuple[str, ...] = ()
    group_metrics: Mapping[str, GroupMetrics] = field(default_factory=dict)
    intersections: Mapping[str, GroupMetrics] = field(default_factory=dict)
    cis: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    group_tests: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    score_metrics: Mapping[str, ScoreMetrics] = field(default_factory=dict)
    proxies: Mapping[str, ProxyReport] = field(default_factory=dict)
    flips: Mapping[str, FlipResult] = field(default_factory=dict)
    mitigation: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    conditional: Mapping[str, ConditionalGaps] = field(default_factory=dict)
    regression_metrics: Mapping[str, RegressionMetrics] = field(default_factory=dict)
    scoring_rates: Mapping[str, ScoringRates] = field(default_factory=dict)
    base_rates: Mapping[str, BaseRates] = field(default_factory=dict)

    @property
    def intersection(self) -> GroupMetrics | None:
        """Metrics by the intersection of all grounds (None with one ground, or when too large)."""
        if len(self.grounds) < 2:
            return None
        return self.intersections.get(INTERSECTION_SEP.join(self.grounds))

    def tables(self) -> dict[str, GroupMetrics]:
        """Every assessed table: the grounds, then their intersections.

        Returns
        -------
        dict of str to GroupMetrics
        """
        return {**self.group_metrics, **self.intersections}

    def to_dict(self, policy: Policy) -> dict[str, Any]:
        """The Art. 72(2)(iv) part of the audit's JSON (keys ``group_metrics``,
        ``intersection``, ``intersections``, ``score_metrics``, ``proxies``, ``flip_tests``,
        ``mitigation``, ``conditional``, ``regression_metrics``, ``base_rates``;
        docs/json-schema.md).

        Parameters
        ----------
        policy : Policy
            The audit's policy: figures of groups below ``min_group_size`` are withheld.

        Returns
        -------
        dict
        """
        return {
            "group_metrics": {
                key: self._table_dict(key, gm, policy) for key, gm in self.group_metrics.items()
            },
            "intersection": None
            if self.intersection is None
            else self._table_dict(INTERSECTION_SEP.join(self.grounds), self.intersection, policy),
            "intersections": {
                key: self._table_dict(key, gm, policy) for key, gm in self.intersections.items()
            },
            "score_metrics": {
                key: score_dict(sm, policy) for key, sm in self.score_metrics.items()
            },
            "proxies": {key: proxy_dict(r) for key, r in self.proxies.items()},
            "flip_tests": {key: flip_dict(r) for key, r in self.flips.items()},
            "mitigation": {key: mitigation_dict(m) for key, m in self.mitigation.items()},
            "conditional": {key: conditional_dict(c) for key, c in self.conditional.items()},
            "regression_metrics": {
                key: regression_dict(
                    rm, self.cis.get(key), policy.min_group_size, self.scoring_rates.get(key)
                )
                for key, rm in self.regression_metrics.items()
            },
            "base_rates": {key: b.to_dict() for key, b in self.base_rates.items()},
        }

    def _table_dict(self, key: str, gm: GroupMetrics, policy: Policy) -> dict[str, Any]:
        return metrics_table_dict(
            gm, policy.min_group_size, self.cis.get(key), self.group_tests.get(key)
        )
