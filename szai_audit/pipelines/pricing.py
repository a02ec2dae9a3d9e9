"""The audit of prices (``task="pricing"``): Art. 72(2)(v) for the consumer profile, 72(4) for
the grounds, 71 for the explanation.

Price gaps per profile column and per ground (raw and given the legitimate factors), the same
orders re-priced with other customers' profiles, and loyal customers against new ones; then the
shared steps of :class:`~szai_audit.pipelines.skeleton.TaskRunner`.
"""

from __future__ import annotations

import functools
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from ..core.articles import DISCRIMINATION
from ..core.catalog import say
from ..core.conditional import PreparedFactors, legitimate_frame, prepare_factors
from ..core.data import MISSING_LABEL, BinSpec, GroupEncoding, encode_groups
from ..core.disclosure import Cells, protect
from ..core.errors import InputError
from ..core.findings import Finding
from ..core.judging import Judgeable, TableAssessment
from ..core.messages import Message
from ..explain.checks import EXPLAINED
from ..explain.summary import ExplanationSummary
from ..inputs.attributes import Attribute
from ..inputs.prepare import prepare_pricing
from ..pricing import findings as pc
from ..pricing import words as pw
from ..pricing.analysis import PricingAnalysis
from ..pricing.counterfactual import CounterfactualPrices, same_order_different_customer
from ..pricing.gaps import PriceGaps, price_gaps, strata_bins
from ..pricing.groups import lowest_priced_group, profile_groups
from ..pricing.loyalty import LoyaltyGap, loyalty_gap
from ..result import AuditResult
from .skeleton import Checked, Prepared, TaskRunner

__all__ = ["PricingRunner"]


class PricingRunner(TaskRunner):
    """Prices (a fare, a fee, a premium) set by a model or as given."""

    numeric = True
    outputs = say("pipelines.pricing_runner.prices")

    def prepare(self) -> Prepared:
        settings = self.settings
        # The flip test counts a price as moved when it changes by more than the tolerance,
        # and writes the mean change in the audit's currency.
        self.change_rtol = self.policy.price_change_tolerance
        self.amount = functools.partial(pw.money, currency=settings.currency)
        prep = prepare_pricing(settings, self.random_state, self.started)
        self.prep = prep
        factors = settings.legitimate_factors
        frame = legitimate_frame(prep.columns, factors) if factors else None
        # Strata and regression design of the factors, built once for every dimension.
        self.factors: PreparedFactors | None = (
            None if frame is None else prepare_factors(frame, strata_bins(frame))
        )
        profile = settings.consumer_profile
        if not profile and not prep.attrs:
            raise InputError(
                "task='pricing' needs consumer_profile= (habits, preferences, ability to pay) or "
                "sensitive= grounds to compare prices across."
            )
        self._check_overlap()
        self.encodings = {
            a.info.ground: encode_groups({a.info.ground: a.values}, missing="group")
            for a in prep.attrs
        }
        return Prepared(
            attrs=prep.attrs,
            encodings=self.encodings,
            adapter=prep.adapter,
            rows=prep.rows(self.encodings),
            pos=None,
            favorable_is_positive=False,
        )

    def kept_columns(self) -> pd.DataFrame | None:
        """The profile, factor and loyalty columns (every order's, also from data in parts)."""
        return self.prep.columns

    def _check_overlap(self) -> None:
        """A column is either a protected ground or a profile feature, not both."""
        profile_cols = {
            c: kind for kind, cols in self.settings.consumer_profile.items() for c in cols
        }
        for a in self.prep.attrs:
            clash = a.info.ground if a.info.ground in profile_cols else None
            if a.info.source == "data" and a.info.column in profile_cols:
                clash = a.info.column
            if clash is not None:
                raise InputError(
                    f"{clash!r} is both an Art. 72(2)(iv) ground (sensitive={{{a.info.ground!r}: "
                    f"...}}) and a consumer_profile column (under {profile_cols[clash]!r}); a "
                    f"column is either a protected ground or a profile feature, so give it once."
                )

    def _gaps(self, values: Any, ref: str, dimension: str, kind: str, order: Any) -> PriceGaps:
        policy = self.policy
        return price_gaps(
            self.prep.prices,
            values,
            reference=ref,
            factors=self.factors,
            level=policy.confidence_level,
            n_boot=policy.n_bootstrap,
            random_state=self.random_state,
            dimension=dimension,
            kind=kind,
            order=order,
            design=self.settings.design,
        )

    def _profile_gaps(self) -> dict[str, PriceGaps]:
        """Price gaps across every consumer-profile column."""
        data, reference = self.prep.columns, dict(self.settings.reference or {})
        self.labels_by_col: dict[str, np.ndarray] = {}
        self.refs: dict[str, str] = {}
        self.binning: dict[str, list[str]] = {}
        self.bin_specs: dict[str, tuple[str, BinSpec]] = {}  # column -> its kind, its bins
        self.numbers: dict[str, np.ndarray] = {}  # binned column -> its values
        gaps = {}
        for kind, cols in self.settings.consumer_profile.items():
            for c in cols:
                groups = profile_groups(data[c], self.policy, reference.get(c), self.prep.prices)
                self.labels_by_col[c], self.refs[c] = groups.labels, groups.reference
                bins = None
                if groups.binning is not None and groups.numeric is not None:
                    bins = list(groups.binning.labels)
                    self.binning[c] = bins
                    self.bin_specs[c] = (kind, groups.binning)
                    self.numbers[c] = groups.numeric
                gaps[c] = self._gaps(groups.labels, groups.reference, c, kind, bins)
        return gaps

    def _ground_gaps(self) -> dict[str, PriceGaps]:
        """Price gaps across every Art. 72(2)(iv) ground; by default each group against the
        lowest-priced one of at least ``min_group_size`` orders."""
        reference = dict(self.settings.reference or {})
        gaps = {}
        for a in self.prep.attrs:
            ground = a.info.ground
            enc: GroupEncoding = self.encodings[ground]
            row_labels = np.asarray(enc.row_labels(), dtype=object)
            row_labels[row_labels == MISSING_LABEL] = None
            counts = pd.Series(row_labels).value_counts()
            chosen = reference.get(ground, reference.get(a.info.column or ""))
            if chosen is None:
                cheapest = lowest_priced_group(
                    self.prep.prices, row_labels, self.policy.min_group_size
                )
                chosen = counts.index[0] if cheapest is None else cheapest
            if str(chosen) not in counts.index:
                raise InputError(
                    f"reference[{ground!r}] is {chosen!r}, which is not a group of {ground}: "
                    f"{list(counts.index)}."
                )
            order = [str(k) for k in enc.index]
            gaps[ground] = self._gaps(row_labels, str(chosen), ground, "ground", order)
            self.labels_by_col[ground] = row_labels
        return gaps

    def _withhold(self, gaps: dict[str, PriceGaps]) -> dict[str, PriceGaps]:
        """``gaps`` with the groups whose prices every output withholds so that no group of
        fewer than ``policy.k_anonymity`` orders can be worked out from the others and the
        overall mean price (:func:`~szai_audit.core.disclosure.protect`, over every
        dimension at once: they share their orders)."""
        codes, sizes, shown = {}, {}, {}
        for key, g in gaps.items():
            names = [str(k) for k in g.table.index]
            where = {name: i for i, name in enumerate(names)}
            labels = pd.Series(self.labels_by_col[key], dtype=object)
            text = labels.where(labels.isna(), labels.astype(str))
            codes[key] = text.map(where).fillna(-1).to_numpy(dtype=np.int64)
            sizes[key] = len(names)
            shown[key] = g.shown(self.policy.min_group_size).to_numpy()
        n = len(self.prep.prices)
        withheld = protect(Cells(codes, sizes, np.ones((n, 1)), shown), self.policy.k_anonymity)
        self.mean_hidden = withheld.overall  # the overall mean price is withheld too
        return {
            key: replace(
                g,
                hidden=frozenset(
                    str(k) for k, w in zip(g.table.index, withheld[key], strict=True) if w
                ),
            )
            for key, g in gaps.items()
        }

    def _trends(self) -> list[Finding | Judgeable]:
        """The price trend along every binned number: profile columns, then grounds."""
        settings, policy = self.settings, self.policy
        labels, currency = settings.feature_labels, settings.currency
        out: list[Finding | Judgeable] = []
        for c, (kind, _) in self.bin_specs.items():
            out.append(
                pc.trend_finding(
                    c,
                    pw.dimension_label(c, kind, labels),
                    self.numbers[c],
                    self.prep.prices,
                    policy,
                    article=pc.ARTICLE,
                    currency=currency,
                    factors=self.factors,
                    labels=labels,
                )
            )
        for a in self.prep.attrs:
            if a.numeric is None:
                continue
            out.append(
                pc.trend_finding(
                    a.info.ground,
                    pw.dimension_label(a.info.ground, "ground", labels),
                    a.numeric,
                    self.prep.prices,
                    policy,
                    article=DISCRIMINATION,
                    currency=currency,
                    factors=self.factors,
                    labels=labels,
                    column=a.info.column,
                )
            )
        return out

    def binned(self, attrs: list[Attribute]) -> dict[str, tuple[Message, BinSpec]]:
        """The binned grounds and the binned profile columns."""
        labels = self.settings.feature_labels
        return super().binned(attrs) | {
            c: (pw.dimension_label(c, kind, labels), spec)
            for c, (kind, spec) in self.bin_specs.items()
        }

    def _counterfactual(self) -> CounterfactualPrices | None:
        """The same orders re-priced with other customers' profiles (needs the model)."""
        adapter, profile, policy = self.prep.adapter, self.settings.consumer_profile, self.policy
        if adapter is None or not profile or self.unrepeatable is not None:
            return None
        return same_order_different_customer(
            adapter.predict,
            self.prep.columns,
            profile,
            labels=self.labels_by_col,
            references=self.refs,
            n_orders=policy.counterfactual_orders,
            n_donors=policy.counterfactual_donors,
            tolerance=policy.price_change_tolerance,
            level=policy.confidence_level,
            random_state=self.random_state,
            rows=self.prep.rows_at,
        )

    def _loyalty(self) -> LoyaltyGap | None:
        """Loyal customers against new ones, for the same legitimate factors."""
        column, adapter, policy = self.settings.loyalty, self.prep.adapter, self.policy
        if column is None:
            return None
        if self.unrepeatable is not None:  # the orders are not re-priced as new customers'
            adapter = None
        return loyalty_gap(
            self.prep.prices,
            self.prep.columns[column],
            self.factors,
            predict=None if adapter is None else adapter.predict,
            data=self.prep.columns,
            min_group_size=policy.min_group_size,
            level=policy.confidence_level,
            n_orders=policy.counterfactual_orders,
            random_state=self.random_state,
            rows=self.prep.rows_at,
        )

    def measure(self) -> tuple[list[TableAssessment], list[Finding | Judgeable]]:
        self.gaps = self._withhold({**self._profile_gaps(), **self._ground_gaps()})
        self.counterfactual = self._counterfactual()
        self.loyalty = self._loyalty()
        return [], self._price_findings() + self._trends()

    def _price_findings(self) -> list[Finding | Judgeable]:
        """The Art. 72(2)(v) findings (and the 72(4) ones of prices across the grounds)."""
        settings, policy = self.settings, self.policy
        labels, currency, profile = (
            settings.feature_labels,
            settings.currency,
            settings.consumer_profile,
        )
        extra: list[Finding | Judgeable] = []
        chosen = self._chosen()
        for c, g in self.gaps.items():
            article = "72(4)" if g.kind == "ground" else pc.ARTICLE
            dimension = pw.dimension_label(c, g.kind, labels)
            extra += pc.gap_findings(
                g,
                dimension,
                article=article,
                policy=policy,
                currency=currency,
                labels=labels,
                chosen=c in chosen,
            )
        if profile:
            if self.counterfactual is not None:
                extra += pc.counterfactual_findings(
                    self.counterfactual,
                    profile,
                    settings.legitimate_factors,
                    policy,
                    currency,
                    labels,
                )
            else:
                extra += pc.counterfactual_not_assessed(profile, self.unrepeatable)
        if profile or settings.loyalty is not None:
            loyalty_label = None
            if settings.loyalty is not None:
                kind = next(
                    (k for k, cols in profile.items() if settings.loyalty in cols), "habits"
                )
                loyalty_label = pw.dimension_label(settings.loyalty, kind, labels)
            extra.append(pc.loyalty_finding(self.loyalty, policy, loyalty_label, currency, labels))
        return extra

    def _chosen(self) -> set[str]:
        """The dimensions (profile columns, grounds) whose reference the user chose."""
        given = {str(k) for k in (self.settings.reference or {})}
        grounds = {a.info.ground for a in self.prep.attrs if {a.info.ground, a.info.column} & given}
        return given | grounds

    def after_explanation(
        self, summary: ExplanationSummary | None, found: list[Finding]
    ) -> list[Finding | Judgeable]:
        """How much of the price model's influence comes from the consumer profile."""
        profile = self.settings.consumer_profile
        if not profile:
            return [pc.profile_not_provided()]
        reason = None
        if summary is None:
            reason = next(f for f in found if f.check == EXPLAINED.id).message
        return [
            pc.attribution_finding(
                summary, profile, self.policy, reason, self.settings.feature_labels
            )
        ]

    def _analysis(self) -> PricingAnalysis:
        settings, prep = self.settings, self.prep
        profile, factors = settings.consumer_profile, settings.legitimate_factors
        return PricingAnalysis(
            profile=profile,
            legitimate_factors=factors,
            gaps=self.gaps,
            counterfactual=self.counterfactual,
            loyalty=self.loyalty,
            currency=settings.currency,
            binning=self.binning,
            mean_price=float("nan") if self.mean_hidden else float(prep.prices.mean()),
            n_orders=prep.n_rows,
            labels={
                c: [str(v) for v in spec[:3]]
                for c, spec in (settings.feature_labels or {}).items()
                if c in self.binning or c in factors or any(c in cols for cols in profile.values())
            },
        )

    def assemble(self, checked: Checked) -> AuditResult:
        prep = self.prep
        scope = self.scope(
            prep.adapter,
            n_rows=prep.n_rows,
            favorable_label="lower",
            positive_label=None,
            labels=(),
            has_outcomes=False,
            has_scores=False,
            decision_rule=prep.rule,
            favorable_is_positive=False,
        )
        return self.result(checked, prep.attrs, scope, prep.manifest, pricing=self._analysis())
