"""The audit of numeric outputs (``task="regression"``): Articles 72(4) and 71.

Mean prediction, mean outcome, mean error and mean absolute error by group, per ground, per
pair of grounds and for all together (exact from sums and sums of squares, in memory or in
parts); with legitimate factors (data in memory), the mean prediction of each ground's groups
given them, by stratification and by regression adjustment as prices are compared; then the
shared steps of :class:`~szai_audit.pipelines.skeleton.TaskRunner`.
"""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np

from ..core.conditional import (
    ConditionalGaps,
    PreparedFactors,
    conditional_gaps,
    prepare_factors,
    strata_bins,
)
from ..core.data import (
    MISSING_LABEL,
    GroupEncoding,
    encode_groups,
    group_label,
    is_missing_group_key,
)
from ..core.disclosure import Cells, protect
from ..core.findings import Finding
from ..core.grounds import INTERSECTION_SEP
from ..core.judging import Judgeable, TableAssessment
from ..fairness import words
from ..fairness.findings.conditional import (
    mean_conditional_finding,
    mean_conditional_not_assessed,
)
from ..fairness.findings.grounds import intersection_too_large
from ..fairness.findings.regression import PredictionRows, assess_regression_table, best_off
from ..fairness.findings.trend import trend_finding
from ..fairness.regression import (
    RegressionMetrics,
    ScoringRates,
    scoring_rates,
    scoring_rates_from_cells,
)
from ..inputs.attributes import Attribute, references
from ..inputs.prepare import prepare_regression
from ..result import AuditResult
from .classification import legitimate_factors, require_grounds
from .skeleton import Checked, Prepared, TaskRunner

__all__ = ["RegressionRunner"]


class RegressionRunner(TaskRunner):
    """Numeric outputs (a credit limit, a score), from a model or as given."""

    numeric = True

    def prepare(self) -> Prepared:
        prep = prepare_regression(self.settings, self.random_state, self.started)
        require_grounds(prep.attrs)
        self.prep = prep
        self.tables: dict[str, RegressionMetrics] = {}
        self.scoring: dict[str, ScoringRates] = {}
        self.encodings: dict[str, GroupEncoding] = {}
        for a in prep.attrs:
            enc = encode_groups({a.info.ground: a.values}, missing="group")
            self.tables[a.info.ground], self.encodings[a.info.ground] = prep.metrics(enc), enc
            self._score(a.info.ground, enc)
        # The legitimate factors (refused on data in parts by the settings), as strata and a
        # regression design built once for every ground, the strata binned as prices are.
        frame = legitimate_factors(self.settings, prep.attrs)
        self.factors: PreparedFactors | None = (
            None if frame is None else prepare_factors(frame, strata_bins(frame))
        )
        self.conditional: dict[str, ConditionalGaps] = {}
        return Prepared(
            attrs=prep.attrs,
            encodings=self.encodings,
            adapter=prep.adapter,
            rows=prep.rows(self.encodings),
            pos=None,
            favorable_is_positive=self.settings.direction == "higher",
        )

    def measure(self) -> tuple[list[TableAssessment], list[Finding | Judgeable]]:
        extra: list[Finding | Judgeable] = []
        attrs = self.prep.attrs
        combos: list[tuple[Attribute, ...]] = list(itertools.combinations(attrs, 2))
        if len(attrs) > 2:
            combos.append(tuple(attrs))
        for combo in combos:
            key = INTERSECTION_SEP.join(a.info.ground for a in combo)
            enc = encode_groups({a.info.ground: a.values for a in combo}, missing="group")
            rm = self.prep.metrics(enc)
            if len(combo) > 2 and len(rm.stats) > self.policy.max_intersection_groups:
                extra.append(intersection_too_large(key, len(rm.stats), self.policy))
                continue
            self.tables[key] = rm
            self.encodings[key] = enc
            self._score(key, enc)
        self._withhold()
        higher = self.settings.direction == "higher"
        self.reference = references(
            self.settings,
            {g: [str(k) for k in rm.stats.index] for g, rm in self.tables.items()},
        )
        names = [] if self.factors is None else self.factors.names
        assessed = [
            assess_regression_table(
                key,
                rm,
                self.policy,
                higher,
                reference=self.reference.get(key),
                rows=self._design_rows(key),
                factors=names,
                labels=self.settings.feature_labels,
            )
            for key, rm in self.tables.items()
        ]
        return assessed, extra + self._conditional(higher) + self._trends(higher)

    def _withhold(self) -> None:
        """Mark the groups whose figures every output withholds, so that no group of fewer
        than ``policy.k_anonymity`` people can be worked out from the others
        (:func:`~szai_audit.core.disclosure.protect`, over every table at once)."""
        keys = list(self.tables)
        codes = {key: self.encodings[key].codes for key in keys}
        sizes = {key: len(self.tables[key].stats) for key in keys}
        shown = {key: self.tables[key].shown(self.policy.min_group_size) for key in keys}
        weights = self.prep.prediction_weights
        n = np.ones(len(codes[keys[0]])) if weights is None else np.asarray(weights, float)
        rank = {key: len(self.tables[key].sensitive_names) for key in keys}
        cells = Cells(codes, sizes, n[:, None], shown, rank=rank)
        withheld = protect(cells, self.policy.k_anonymity)
        for key in keys:
            rm = self.tables[key]
            labels = [group_label(k) for k in rm.stats.index]
            hidden = frozenset(g for g, w in zip(labels, withheld[key], strict=True) if w)
            self.tables[key] = replace(
                rm, hidden=hidden, overall_hidden=withheld.overall, _cache={}
            )

    def _conditional(self, higher: bool) -> list[Finding | Judgeable]:
        """Per ground, the mean prediction of each group given the legitimate factors against
        the reference's (the user's, else the best-off group), on the policy's scale."""
        factors, predictions = self.factors, self.prep.predictions
        if factors is None or predictions is None:
            return []
        policy, log = self.policy, self.policy.regression_gap_scale == "log"
        not_positive = int((predictions <= 0).sum())
        out: list[Finding | Judgeable] = []
        for a in self.prep.attrs:
            ground = a.info.ground
            if log and not_positive:
                reason = words.msg_log_needs_positive(ground, not_positive)
                out.append(mean_conditional_not_assessed(ground, policy, reason, factors.names))
                continue
            rm = self.tables[ground]
            # A group withheld to protect a small one is neither compared nor listed.
            few = rm.by_group["count"] < policy.min_group_size
            kept = [
                (group_label(k), row)
                for (k, row), ok, small in zip(
                    rm.by_group.iterrows(), rm.shown(policy.min_group_size), few, strict=True
                )
                if not is_missing_group_key(k) and (ok or small)
            ]
            sizes = {g: int(row["count"]) for g, row in kept}
            means = {g: float(row["mean_prediction"]) for g, row in kept}
            reference = self.reference.get(ground) or best_off(rm, policy, higher)
            if reference is None:  # no group is large enough: the finding says so
                reference = max(sizes, key=sizes.__getitem__)
            # Rows missing the ground are left out, as in prices.
            labels = np.asarray(self.encodings[ground].row_labels(), dtype=object)
            labels[labels == MISSING_LABEL] = None
            gaps = conditional_gaps(predictions, labels, factors, reference, log=log)
            names = [group_label(k) for k in rm.stats.index]
            shown = rm.shown(policy.min_group_size)
            visible = {g for g, ok in zip(names, shown, strict=True) if ok}
            rows = [str(g) in visible | {reference} for g in gaps.table.index]
            self.conditional[ground] = replace(gaps, table=gaps.table[rows])
            out.append(
                mean_conditional_finding(
                    gaps,
                    ground,
                    policy,
                    sizes,
                    means.get(reference, float("nan")),
                    higher_is_favorable=higher,
                    labels=self.settings.feature_labels,
                )
            )
        return out

    def _design_rows(self, key: str) -> PredictionRows | None:
        """Every row's group and prediction with the sampling design, when ``cluster=`` or
        ``weights=`` was given (rows in memory; else None)."""
        design = self.settings.design
        if not design.active or self.prep.predictions is None:
            return None
        labels = np.asarray(self.encodings[key].row_labels(), dtype=object)
        return PredictionRows(labels, np.asarray(self.prep.predictions, dtype=float), design)

    def _score(self, key: str, enc: GroupEncoding) -> None:
        """The scoring rates of a table's groups: from every row's prediction in memory, from
        each cell's rows beyond the median for data seen in parts."""
        prep = self.prep
        higher = self.settings.direction == "higher"
        if prep.scoring is not None and prep.prediction_weights is not None:
            median, beyond = prep.scoring
            self.scoring[key] = scoring_rates_from_cells(
                enc.codes, enc.n_groups, beyond, prep.prediction_weights, median, higher=higher
            )
        elif prep.predictions is not None and prep.prediction_weights is None:
            self.scoring[key] = scoring_rates(
                enc.codes, enc.n_groups, prep.predictions, higher=higher
            )

    def _trends(self, higher: bool) -> list[Finding | Judgeable]:
        """The trend of the mean prediction along every binned numeric ground."""
        prep = self.prep
        return [
            trend_finding(
                a.info.ground,
                a.numeric,
                prep.predictions,
                self.policy,
                scale="ratio",
                higher_is_better=higher,
                weights=prep.prediction_weights,
                within=prep.prediction_m2,
                design=None if self.factors is None else self.factors.design,
                factors=[] if self.factors is None else self.factors.names,
                labels=self.settings.feature_labels,
                column=a.info.column,
            )
            for a in prep.attrs
            if a.numeric is not None and prep.predictions is not None
        ]

    def assemble(self, checked: Checked) -> AuditResult:
        prep, policy = self.prep, self.policy
        scope = self.scope(
            prep.adapter,
            n_rows=prep.n_rows,
            favorable_label=self.settings.direction,
            positive_label=None,
            labels=(),
            has_outcomes=prep.has_outcomes,
            has_scores=False,
            decision_rule=prep.rule,
            favorable_is_positive=self.settings.direction == "higher",
        )
        return self.result(
            checked,
            prep.attrs,
            scope,
            prep.manifest,
            fairness={
                "cis": {key: rm.ci(policy.confidence_level) for key, rm in self.tables.items()},
                "regression_metrics": self.tables,
                "scoring_rates": self.scoring,
                "conditional": self.conditional,
            },
        )
