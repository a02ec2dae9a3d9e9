"""The audit of binary decisions (``task="classification"``): Articles 72(4) and 71.

Group metrics per ground, per pair of grounds and for all together; score metrics (AUC,
calibration); the gap left after legitimate factors; what a fix by group thresholds would
cost; then the shared steps of :class:`~szai_audit.pipelines.skeleton.TaskRunner`.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from ..core.conditional import (
    ConditionalGaps,
    checked_factors,
    conditional_gaps,
    prepare_factors,
)
from ..core.data import GroupEncoding, encode_groups, group_label, is_missing_group_key, plain
from ..core.errors import SensitiveAttributeError, SzaiAuditError
from ..core.findings import Finding, Status
from ..core.grounds import INTERSECTION_SEP
from ..core.judging import Judgeable, Measured, TableAssessment
from ..core.messages import Message
from ..core.progress import stage
from ..explain.person import changeable
from ..explain.summary import ExplanationSummary
from ..explain.turned import (
    TurnedDecisions,
    favourable_threshold,
    turned_on,
    turned_positions,
)
from ..fairness.checks import CALIBRATION, ERROR_RATE_CHECKS, RATE_CHECKS
from ..fairness.findings.conditional import conditional_finding
from ..fairness.findings.grounds import intersection_too_large
from ..fairness.findings.rates import DesignRows, assess_table
from ..fairness.findings.recourse import recourse_findings, recourse_not_assessed
from ..fairness.findings.scores import score_findings
from ..fairness.findings.trend import trend_finding
from ..fairness.findings.turned import TurnedCounts, turned_finding, turned_not_assessed
from ..fairness.metrics import GroupMetrics, counts_from_cells
from ..fairness.mitigation import threshold_tradeoff
from ..fairness.outcomes import BaseRates, base_rates
from ..fairness.recourse import sample_recourse, sensitive_inputs, tied_inputs
from ..fairness.scores import ScoreMetrics
from ..fairness.withheld import withhold
from ..inputs.attributes import Attribute, references
from ..inputs.prepare import prepare_classification
from ..inputs.settings import Settings
from ..result import AuditResult
from .skeleton import Checked, Prepared, TaskRunner

__all__ = ["ClassificationRunner", "legitimate_factors", "require_grounds"]


def legitimate_factors(settings: Settings, attrs: list[Attribute]) -> pd.DataFrame | None:
    """The columns of ``settings.legitimate_factors`` (None when none were named), checked by
    :func:`~szai_audit.core.conditional.checked_factors`: each a column of the data, none the
    column of a sensitive attribute, none without any value."""
    names = settings.legitimate_factors
    if not names:
        return None
    sensitive = [a.info.column for a in attrs if a.info.source == "data" and a.info.column]
    return checked_factors(settings.data, names, sensitive)


def require_grounds(attrs: list[Attribute]) -> None:
    """A fairness audit needs at least one ground."""
    if not attrs:
        raise SensitiveAttributeError(
            "sensitive is empty: name at least one Art. 72(2)(iv) ground and its column, "
            "e.g. sensitive={'gender': 'sex'}."
        )


class ClassificationRunner(TaskRunner):
    """Binary decisions, from a model or as given, in memory or in parts."""

    @property
    def favorable_name(self) -> Message | None:
        """What the favourable decision is called (``Audit(favorable_name=...)``), or None."""
        name = self.settings.favorable_name
        return None if name is None else Message(*name)

    def prepare(self) -> Prepared:
        prep = prepare_classification(self.settings, self.random_state, self.started)
        require_grounds(prep.attrs)
        self.prep = prep
        self.metrics: dict[str, GroupMetrics] = {}
        self.encodings: dict[str, GroupEncoding] = {}
        for a in prep.attrs:
            ground = a.info.ground
            self.metrics[ground], self.encodings[ground] = self._metrics_by({ground: a.values})
        self.rows = prep.rows(self.encodings)
        return Prepared(
            attrs=prep.attrs,
            encodings=self.encodings,
            adapter=prep.adapter,
            rows=self.rows,
            pos=prep.pos,
            favorable_is_positive=prep.favorable_is_positive,
        )

    def _metrics_by(self, columns: dict[str, Any]) -> tuple[GroupMetrics, GroupEncoding]:
        prep = self.prep
        enc = encode_groups(columns, missing="group")
        counts = counts_from_cells(enc, prep.pred_pos, prep.true_pos, prep.weights, prep.score_sums)
        gm = GroupMetrics(
            counts,
            pos_label=prep.pos,
            has_outcomes=prep.true_pos is not None,
            has_scores=prep.score_sums is not None,
        )
        return gm, enc

    def measure(self) -> tuple[list[TableAssessment], list[Finding | Judgeable]]:
        extra: list[Finding | Judgeable] = []
        self.table_encodings: dict[str, GroupEncoding] = dict(self.encodings)
        self.intersections = self._intersections(extra)
        self._withhold()
        self.score_tables: dict[str, ScoreMetrics] = {}
        self.reference = references(
            self.settings,
            {g: [str(k) for k in gm.counts.index] for g, gm in self.metrics.items()},
        )
        scored: dict[str, list[Finding | Judgeable]] = {}
        for ground, enc in self.encodings.items():
            scored[ground] = self._score_findings(ground, enc)
            extra += scored[ground]
        extra += self._trends()
        tables = [*self.metrics.items(), *self.intersections.items()]
        rs = self.random_state
        self.seeds = [None if rs is None else (int(rs), i) for i in range(len(tables))]
        fav_positive = self.prep.favorable_is_positive
        assessed = []
        with stage("bootstrap") as bar:  # one step per ground and intersection
            bar.add(len(tables))
            for (key, gm), seed in zip(tables, self.seeds, strict=True):
                bar.describe(key)
                assessed.append(
                    assess_table(
                        key,
                        gm,
                        self.policy,
                        fav_positive,
                        random_state=seed,
                        reference=self.reference.get(key),
                        rows=self._design_rows(key),
                        favorable_name=self.favorable_name,
                    )
                )
                bar.update()
        self.base_rates = self._base_rates(scored, {t.key: t for t in assessed})
        return assessed, extra

    def _withhold(self) -> None:
        """Mark the figures every output withholds, so that no group of fewer than
        ``policy.k_anonymity`` people can be worked out from the others
        (:func:`~szai_audit.fairness.withheld.withhold`)."""
        prep = self.prep
        marked = withhold(
            {**self.metrics, **self.intersections},
            {key: enc.codes for key, enc in self.table_encodings.items()},
            self.policy,
            prep.weights,
        )
        self.metrics = {key: marked[key] for key in self.metrics}
        self.intersections = {key: marked[key] for key in self.intersections}

    def _design_rows(self, key: str) -> DesignRows | None:
        """Every row of a table with the sampling design, when ``cluster=`` or ``weights=``
        was given (else None: the rows are independent and unweighted)."""
        design = self.settings.design
        if not design.active:
            return None
        labels = np.asarray(self.table_encodings[key].row_labels(), dtype=object)
        return DesignRows(labels, self.prep.pred_pos, self.prep.true_pos, design)

    def _base_rates(
        self, scored: dict[str, list[Finding | Judgeable]], tables: dict[str, TableAssessment]
    ) -> dict[str, BaseRates]:
        """Each ground's base rates, and whether calibration and an error rate were both
        measured on it (see :mod:`szai_audit.fairness.outcomes`)."""
        out: dict[str, BaseRates] = {}
        for ground, gm in self.metrics.items():
            if not gm.has_outcomes:
                continue
            calibrated = any(
                isinstance(f, Measured) and f.check == CALIBRATION.id for f in scored[ground]
            )
            errors = any(
                isinstance(f, Measured) and f.check in ERROR_RATE_CHECKS
                for f in tables[ground].items
            )
            out[ground] = base_rates(
                gm,
                ground,
                self.policy.min_group_size,
                self.policy.significance_level,
                both_measured=calibrated and errors,
                positive=plain(self.prep.pos),
            )
        return out

    def _intersections(self, extra: list[Finding | Judgeable]) -> dict[str, GroupMetrics]:
        """Every pair of grounds, and all of them together when not too many groups."""
        attrs = self.prep.attrs
        out: dict[str, GroupMetrics] = {}
        for pair in itertools.combinations(attrs, 2):
            key = INTERSECTION_SEP.join(a.info.ground for a in pair)
            out[key], self.table_encodings[key] = self._metrics_by(
                {a.info.ground: a.values for a in pair}
            )
        if len(attrs) > 2:
            key = INTERSECTION_SEP.join(a.info.ground for a in attrs)
            full, enc = self._metrics_by({a.info.ground: a.values for a in attrs})
            if len(full.counts) <= self.policy.max_intersection_groups:
                out[key], self.table_encodings[key] = full, enc
            else:
                extra.append(intersection_too_large(key, len(full.counts), self.policy))
        return out

    def _score_findings(self, ground: str, enc: GroupEncoding) -> list[Finding | Judgeable]:
        """AUC and calibration of one ground, when scores and outcomes exist."""
        prep, policy = self.prep, self.policy
        sm = None
        if prep.score_metrics is not None:
            sizes = self.metrics[ground].counts["n"]
            big = sizes[sizes >= policy.min_group_size]
            # Bins of about min_group_size people or more in the smallest compared group.
            n_bins = int(np.clip((big.min() if len(big) else 0) // policy.min_group_size, 3, 10))
            gm = self.metrics[ground]
            order = [str(k) for k in gm.counts.index]
            # The score figures follow the group table's: withheld with its groups'.
            hidden = ~gm.shown(1)["selection_rate"]
            sm = replace(
                prep.score_metrics(enc, n_bins).reordered(order),
                hidden=frozenset(group_label(k) for k in hidden.index[hidden.to_numpy()]),
            )
            self.score_tables[ground] = sm
        return score_findings(
            sm,
            ground,
            policy,
            has_outcomes=prep.true_pos is not None,
            has_scores=prep.score_sums is not None,
            favorable_is_positive=prep.favorable_is_positive,
            positive_label=prep.pos,
            reference=self.reference.get(ground),
        )

    def after_explanation(
        self, summary: ExplanationSummary | None, found: list[Finding]
    ) -> list[Finding | Judgeable]:
        """The gaps after the legitimate factors, per ground; recourse by group; the
        decisions turned by the inputs tied to protected grounds."""
        self.conditional = self._conditional()
        out: list[Finding | Judgeable] = [*self._recourse(), self._turned()]
        for ground, gaps in self.conditional.items():
            counts = self.metrics[ground].counts["n"]
            shown = self._shown(ground)
            # A group withheld to protect a small one is neither compared nor listed.
            sizes = {
                group_label(k): int(v)
                for k, v in counts.items()
                if group_label(k) in shown or v < self.policy.min_group_size
            }
            out.append(
                conditional_finding(
                    gaps,
                    ground,
                    self.policy,
                    sizes,
                    labels=self.settings.feature_labels,
                    name=self.favorable_name,
                )
            )
        return out

    def _recourse(self) -> list[Finding | Measured]:
        """Recourse by group, per ground (see :mod:`szai_audit.fairness.recourse`)."""
        s, grounds = self.settings, list(self.metrics)
        reason = None
        if s.recourse is False:
            reason = "not_asked"
        elif s.model is None or self.prep.adapter is None:
            reason = "no_model"
        elif not isinstance(s.data, pd.DataFrame):
            reason = "in_parts"
        elif self.unrepeatable is not None:
            return [
                f
                for g in grounds
                for f in recourse_not_assessed(g, "unrepeatable", self.unrepeatable)
            ]
        favourable = self._favourable().astype(bool)
        if reason is None and favourable.all():
            reason = "none_refused"
        if reason is not None:
            return [f for g in grounds for f in recourse_not_assessed(g, reason)]
        options = s.recourse if isinstance(s.recourse, Mapping) else {}
        hidden = sensitive_inputs(
            s.data.columns,
            [a.info.column for a in self.prep.attrs],
            self.proxies,
            self.policy.proxy_auc_threshold,
        )
        allowed = changeable(
            s.data, list(options.get("immutable") or []), hidden, options.get("actionable"),
            s.value_order,
        )  # fmt: skip
        if not allowed:
            return [f for g in grounds for f in recourse_not_assessed(g, "nothing_changeable")]
        with stage("recourse"):
            sample = sample_recourse(
                self.prep.adapter, s.data, favourable, allowed,
                s.favorable_label, max_rows=self.policy.recourse_max_rows,
                random_state=self.random_state, orders=s.value_order,
            )  # fmt: skip
            out: list[Finding | Measured] = []
            for g in grounds:
                out += recourse_findings(
                    g, sample, self.encodings[g].row_labels()[sample.positions], self.policy,
                    reference=self.reference.get(g), random_state=self.random_state,
                    labels=s.feature_labels,
                    hidden=frozenset(map(str, self.encodings[g].index)) - self._shown(g),
                )  # fmt: skip
        return out

    def _turned(self) -> Finding:
        """The decisions that would change without the contributions of the inputs tied to
        protected grounds (:mod:`szai_audit.fairness.findings.turned`); the flags kept for
        :meth:`szai_audit.AuditResult.turned_decisions`."""
        self.turned_flags: pd.Series | None = None
        s, prep, grounds = self.settings, self.prep, list(self.metrics)
        adapter = prep.adapter
        if s.model is None or adapter is None:
            return turned_not_assessed("no_model")
        if self.unrepeatable is not None:
            why, details = self.unrepeatable.why(), self.unrepeatable.details()
            return turned_not_assessed("unrepeatable", why=why, details=details)
        if not s.explain:
            return turned_not_assessed("not_explained")
        own = {a.info.ground: a.info.column for a in prep.attrs}
        tied = tied_inputs(s.data.columns, own, self.proxies, self.policy.proxy_auc_threshold)
        if not tied:
            return turned_not_assessed("no_inputs", grounds)
        try:
            with stage("explanation"):
                found = self._turned_decisions(tied)
        except SzaiAuditError as exc:
            return turned_not_assessed("explanation_failed", why=Message(str(exc), str(exc)))
        if found.turned is None:
            reason = "no_cutoff" if found.cutoff is None else "scale"
            return turned_not_assessed(reason, details={"output_space": found.output_space})
        self.turned_flags = found.series()
        return turned_finding(_counts(found, own), self.policy, s.feature_labels)

    def _turned_decisions(self, tied: Mapping[str, list[str]]) -> TurnedDecisions:
        """The decisions turned (:func:`~szai_audit.explain.turned.turned_on`), on the rows
        drawn by :func:`~szai_audit.explain.turned.turned_positions` (read in advance for
        data in parts), the cut-off verified on every decision (``prep.score_range``)."""
        s, prep, policy = self.settings, self.prep, self.policy
        adapter = prep.adapter
        assert adapter is not None
        take, background = turned_positions(
            prep.n_rows, policy.explain_sample_size, policy.explain_background_size,
            self.random_state,
        )  # fmt: skip
        given = favourable_threshold(adapter, s.favorable_label, s.threshold)
        cutoff = None if prep.score_range is None else prep.score_range.cutoff(given)
        return turned_on(
            adapter.model if adapter.kind == "callable" else s.model,
            self.rows.rows_at(background), self.rows.rows_at(take), tied, positions=take,
            n_total=prep.n_rows, favourable=self.rows.favourable_at(take), cutoff=cutoff,
            favorable_label=s.favorable_label, random_state=self.random_state,
            progress=s.verbose,
        )  # fmt: skip

    def _factors(self) -> pd.DataFrame | None:
        """The legitimate factors, checked not to be sensitive attributes (None: not given)."""
        return legitimate_factors(self.settings, self.prep.attrs)

    def _favourable(self) -> np.ndarray:
        """The favourable decision of every row, as 0/1."""
        pred_pos = self.prep.pred_pos
        return pred_pos if self.prep.favorable_is_positive else 1 - pred_pos

    def _trends(self) -> list[Finding | Judgeable]:
        """The trend of favourable decisions along every binned numeric ground."""
        numeric = [a for a in self.prep.attrs if a.numeric is not None]
        if not numeric:
            return []
        factors = self._factors()
        design = None if factors is None else prepare_factors(factors, 3).design
        return [
            trend_finding(
                a.info.ground,
                a.numeric,
                self._favourable(),
                self.policy,
                design=design,
                factors=[] if factors is None else [str(c) for c in factors.columns],
                weights=self.prep.weights,
                labels=self.settings.feature_labels,
                column=a.info.column,
                name=self.favorable_name,
            )
            for a in numeric
            if a.numeric is not None
        ]

    def _conditional(self) -> dict[str, ConditionalGaps]:
        """Favourable-decision gaps after the legitimate factors, per ground."""
        factors = self._factors()
        if factors is None:
            return {}
        attrs = self.prep.attrs
        favourable = self._favourable()
        out: dict[str, ConditionalGaps] = {}
        for a in attrs:
            ground = a.info.ground
            ref = self.reference.get(ground)
            if ref is None:
                ref = self._most_favoured(ground)
            if ref is None:
                continue
            labels = self.encodings[ground].row_labels()
            gaps = conditional_gaps(favourable, labels, factors, ref, design=self.settings.design)
            # Only the groups whose figures are shown keep a row (every output reads it).
            shown = self._shown(ground) | {ref}
            kept = [str(g) in shown for g in gaps.table.index]
            out[ground] = replace(gaps, table=gaps.table[kept])
        return out

    def _shown(self, ground: str) -> set[str]:
        """The groups of a ground whose decision figures are shown
        (:meth:`~szai_audit.fairness.metrics.GroupMetrics.shown`)."""
        gm = self.metrics[ground]
        shown = gm.shown(self.policy.min_group_size)["selection_rate"]
        return {group_label(k) for k, ok in shown.items() if ok}

    def _most_favoured(self, ground: str) -> str | None:
        """The comparable group with the most favourable decisions (the default reference)."""
        gm = self.metrics[ground]
        fav_count = gm.counts["n"] - gm.counts["predicted_positive"]
        if self.prep.favorable_is_positive:
            fav_count = gm.counts["predicted_positive"]
        shown = self._shown(ground)
        rates = {
            group_label(k): f / n
            for k, f, n in zip(gm.counts.index, fav_count, gm.counts["n"], strict=True)
            if group_label(k) in shown and not is_missing_group_key(k)
        }
        return max(rates, key=rates.__getitem__) if rates else None

    def _mitigation(self, findings: list[Finding]) -> dict[str, Any]:
        """What group thresholds would cost, for each ground failing a decision-rate check."""
        prep = self.prep
        if prep.score is None or prep.true_pos is None:
            return {}
        failing = {f.ground for f in findings if f.status is Status.FAIL and f.check in RATE_CHECKS}
        if not failing:
            return {}
        with stage("fix cost"):
            return self._tradeoffs(failing)

    def _tradeoffs(self, failing: set[str | None]) -> dict[str, Any]:
        prep = self.prep
        assert prep.score is not None and prep.true_pos is not None
        out = {}
        for ground in self.metrics:
            if ground not in failing:
                continue
            # Only the people of groups whose figures are shown: the illustration's rates by
            # group and overall would otherwise give a withheld group back.
            enc = self.encodings[ground]
            labels = np.asarray(enc.row_labels(), dtype=object)
            ok = self.metrics[ground].shown(self.policy.min_group_size)["selection_rate"]
            kept = (enc.codes >= 0) & ok.to_numpy()[np.maximum(enc.codes, 0)]
            out[ground] = threshold_tradeoff(
                prep.true_pos[kept],
                prep.score[kept],
                prep.pred_pos[kept],
                labels[kept],
                random_state=self.random_state,
            )
        return out

    def assemble(self, checked: Checked) -> AuditResult:
        prep, policy = self.prep, self.policy
        tables = [*self.metrics.items(), *self.intersections.items()]
        cis = {}
        with stage("bootstrap") as bar:  # the intervals: one step per ground and intersection
            bar.add(len(tables))
            for (key, gm), seed in zip(tables, self.seeds, strict=True):
                cis[key] = gm.ci(policy.confidence_level, policy.n_bootstrap, seed)
                bar.update()
        scope = self.scope(
            prep.adapter,
            n_rows=prep.n_rows,
            favorable_label=plain(self.settings.favorable_label),
            positive_label=plain(prep.pos),
            labels=prep.labels,
            has_outcomes=prep.true_pos is not None,
            has_scores=prep.score_sums is not None,
            decision_rule=prep.rule,
            favorable_is_positive=prep.favorable_is_positive,
            favorable_name=self.favorable_name,
        )
        return self.result(
            checked,
            prep.attrs,
            scope,
            prep.manifest,
            fairness={
                "group_metrics": self.metrics,
                "intersections": self.intersections,
                "cis": cis,
                "group_tests": checked.group_tests,
                "score_metrics": self.score_tables,
                "mitigation": self._mitigation(checked.findings),
                "conditional": self.conditional,
                "base_rates": self.base_rates,
            },
            turned_flags=self.turned_flags,
        )


def _counts(found: TurnedDecisions, own: Mapping[str, str | None]) -> TurnedCounts:
    """The counts of the decisions turned (no row), for the finding."""
    assert found.turned is not None
    turned, fav = found.turned, found.favourable
    # The grounds of the inputs the model used: another's inputs turn nothing.
    named = {g for c, gs in found.inputs.items() if c not in found.unused for g in gs}
    return TurnedCounts(
        explained=found.n_explained,
        audited=found.n_total,
        to_favourable=int((turned & ~fav).sum()),
        to_unfavourable=int((turned & fav).sum()),
        used=int(found.used.sum()),
        by_ground={g: int(flags.sum()) for g, flags in found.by_ground.items() if g in named},
        inputs=found.inputs,
        own=[str(c) for c in own.values() if c is not None and str(c) in found.inputs],
        unused=found.unused,
    )
