"""From an Explanation to what a reader sees: factors, directions, sentences, examples, notice.

Everything here is derived from the computed contributions; the examples are built on values in
ranges and only from combinations of reasons shared by at least ``k`` explained rows, so no
individual record is shown.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..core.catalog import say
from ..core.data import bin_numeric, is_numeric
from ..core.findings import Status
from ..core.labels import ValueLabels, column_unit, with_unit
from ..core.messages import Message, fmt_pct
from ..core.metadata import meta_message
from ..core.orders import Order
from . import words as w
from .engine import Explanation
from .public import InputReview, NoticeParagraph, review_input

#: Features named in the summary sentences.
TOP = 3
#: Features in an example's reasons.
REASONS = 3
#: Features the public notice describes, one paragraph each.
NOTICE_FACTORS = 5


@dataclass(frozen=True)
class FactorSummary:
    feature: str
    label: Message
    share: float
    share_low: float
    share_high: float
    importance: float
    direction: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {
            "feature": self.feature,
            "label": self.label.to_dict(),
            "share": self.share,
            "share_ci": [self.share_low, self.share_high],
            "importance": self.importance,
            "direction": {
                k: (v if not isinstance(v, float) or np.isfinite(v) else None)
                for k, v in self.direction.items()
            },
        }


@dataclass(frozen=True)
class Example:
    favourable: bool
    reasons: list[tuple[Message, Message, bool]]  # label, value in words, towards favourable
    shared_by: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "favourable": self.favourable,
            "shared_by_at_least": self.shared_by,
            "reasons": [
                {"feature": lbl.to_dict(), "value": val.to_dict(), "towards_favourable": fav}
                for lbl, val, fav in self.reasons
            ],
        }


@dataclass(frozen=True)
class ExplanationSummary:
    """The explanation as the report and the JSON present it."""

    factors: list[FactorSummary]
    sentences: list[Message]
    examples: list[Example]
    appendix: list[Message]
    method: str
    output_space: str
    n_rows: int
    n_total: int
    additivity_error: float
    base_value: float
    favorable_is_positive: bool
    unused: list[str] = field(default_factory=list)
    additivity_tolerance: float = 1e-6
    numeric_output: bool = False
    output: Message | None = None
    labels: Mapping[str, Message] = field(default_factory=dict)
    #: Why the public text's sentence on an input must be reviewed before publication, by
    #: input (:func:`with_reviews`); the inputs with nothing to review are absent.
    reviews: Mapping[str, InputReview] = field(default_factory=dict)

    def share(self, feature: str) -> float | None:
        """The feature's share of the model's influence; None when the model does not use it."""
        for f in self.factors:
            if f.feature == feature:
                return f.share
        return None

    def label(self, feature: str) -> Message:
        """The display name of an input column (``feature_labels``), or its name in quotes
        when it has none."""
        for f in self.factors:
            if f.feature == feature:
                return f.label
        if feature in self.labels:
            return self.labels[feature]
        return say("explain.label.text", feature=feature)

    def direction(self, factor: FactorSummary) -> Message:
        """The sentence on how ``factor`` moves the decision (or the numeric output)."""
        return w.direction_sentence(
            factor.label,
            factor.direction,
            self.numeric_output,
            favourable_higher=self.favorable_is_positive,
            output=self.output,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "output_space": self.output_space,
            "rows_explained": self.n_rows,
            "rows_total": self.n_total,
            "additivity_error": self.additivity_error,
            "additivity_tolerance": self.additivity_tolerance,
            "base_value": self.base_value,
            "factors": [f.to_dict() for f in self.factors],
            "unused_columns": list(self.unused),
            "summary": [s.to_dict() for s in self.sentences],
            "examples": [e.to_dict() for e in self.examples],
            "appendix": [a.to_dict() for a in self.appendix],
        }


def _oriented(direction: dict[str, Any], favorable_is_positive: bool) -> dict[str, Any]:
    """A direction turned towards the favourable decision (the explained score may be the
    unfavourable class's)."""
    if favorable_is_positive:
        return dict(direction)
    d = dict(direction)
    if d.get("kind") == "numeric":
        d["sign"] = -d.get("sign", 0)
        if isinstance(d.get("correlation"), float):
            d["correlation"] = -d["correlation"]
    else:
        d["raising"], d["lowering"] = d.get("lowering"), d.get("raising")
        d["by_category"] = {k: -v for k, v in d.get("by_category", {}).items()}
    return d


def _value_bins(
    ex: Explanation, labels: Mapping[str, Sequence[str]] | None, k: int
) -> dict[str, pd.Series]:
    """Each explained row's value of each feature, in words: numbers as quintile ranges,
    categories shared by fewer than ``k`` rows as "other"."""
    out: dict[str, pd.Series] = {}
    for f in ex.features:
        col = ex.data[f]
        unit = column_unit(f, labels)
        if is_numeric(col) and col.nunique(dropna=True) > 5:
            cats, _ = bin_numeric(col, f, 5)
            text = pd.Series(np.asarray(cats, dtype=object), index=col.index).fillna("(missing)")
            # "[41, 46.9)" reads as "41–46.9" for the public.
            text = text.str.replace(r"^\[(.+), (.+)\)$", r"\1–\2", regex=True)
        else:
            text = col.astype(object).where(col.notna(), "(missing)").astype(str)
            counts = text.value_counts()
            rare = set(counts[counts < k].index)
            text = text.where(~text.isin(rare), "(other)")
        out[f] = text.map(lambda v, unit=unit: with_unit_cached(str(v), unit))
    return out


def with_unit_cached(value: str, unit: Message) -> tuple[str, str]:
    msg = with_unit(value, unit)
    return (msg.zh, msg.en)


def _examples(
    ex: Explanation,
    favourable: np.ndarray,
    labels: Mapping[str, Sequence[str]] | None,
    favorable_is_positive: bool,
    k: int,
) -> list[Example]:
    """A representative favourable and unfavourable decision, shown through shared reasons."""
    values = ex.values.to_numpy(dtype=float)
    towards_fav = values if favorable_is_positive else -values
    words = _value_bins(ex, labels, k)
    out = []
    for fav in (False, True):
        rows = np.flatnonzero(favourable == fav)
        if len(rows) < k:
            continue
        centre = towards_fav[rows].mean(axis=0)
        order = rows[np.argsort(((towards_fav[rows] - centre) ** 2).sum(axis=1), kind="stable")]
        for r in order[:50]:
            push = towards_fav[r] if fav else -towards_fav[r]  # reasons for this outcome
            top = [int(j) for j in np.argsort(-push, kind="stable")[:REASONS] if push[j] > 0]
            if not top:
                continue
            shared = np.ones(len(values), dtype=bool)
            for j in top:
                series = words[ex.features[j]]
                shared &= (series == series.iloc[r]).to_numpy()
            if shared.sum() < k:
                continue
            reasons = []
            for j in top:
                zh, en = words[ex.features[j]].iloc[r]
                reasons.append(
                    (w.feature_label(ex.features[j], labels), Message(zh, en), bool(fav))
                )
            out.append(Example(fav, reasons, int(shared.sum())))
            break
    return out


def summarize(
    ex: Explanation,
    *,
    labels: Mapping[str, Sequence[str]] | None,
    favorable_is_positive: bool,
    favourable: np.ndarray,
    positive_label: Any,
    stratified: bool,
    level: float = 0.95,
    k: int = 5,
    random_state: int | None = 0,
    numeric_output: bool = False,
    output: Message | None = None,
) -> ExplanationSummary:
    """The summary of an explanation (``favourable``: per explained row, whether the decision
    was favourable; ``output``: what a numeric output is, "价格" for a price, by default
    :data:`~.words.OUTPUT_VALUE`)."""
    imp = ex.importance(level=level, random_state=random_state)
    factors = [
        FactorSummary(
            feature=str(f),
            label=w.feature_label(str(f), labels),
            share=float(row["share"]),
            share_low=float(row["share_low"]),
            share_high=float(row["share_high"]),
            importance=float(row["importance"]),
            direction=_oriented(ex.direction(str(f), min_count=k), favorable_is_positive),
        )
        for f, row in imp.iterrows()
    ]
    top = factors[:TOP]
    rest = factors[TOP:]
    sentences = w.summary_sentences(
        [(f.label, f.share, f.direction) for f in top],
        (len(rest), float(sum(f.share for f in rest))),
        numeric_output,
        favourable_higher=favorable_is_positive,
        output=output,
    )
    return ExplanationSummary(
        factors=factors,
        sentences=sentences,
        examples=[]
        if numeric_output
        else _examples(ex, favourable, labels, favorable_is_positive, k),
        appendix=w.appendix(
            method=ex.method,
            output_space=ex.output_space,
            positive_label=positive_label,
            background=ex.background,
            n_rows=ex.n_rows,
            n_total=ex.n_total,
            stratified=stratified,
            additivity_error=ex.additivity_error,
            tolerance=ex.additivity_tolerance,
            base_value=ex.base_value,
            level=level,
            k=k,
            numeric_output=numeric_output,
            favorable_is_positive=favorable_is_positive,
            output=output,
        ),
        method=ex.method,
        output_space=ex.output_space,
        n_rows=ex.n_rows,
        n_total=ex.n_total,
        additivity_error=ex.additivity_error,
        base_value=ex.base_value,
        favorable_is_positive=favorable_is_positive,
        unused=list(ex.unused),
        additivity_tolerance=ex.additivity_tolerance,
        numeric_output=numeric_output,
        output=output,
        labels={str(c): w.feature_label(str(c), labels) for c in labels or {}},
    )


def with_reviews(
    summary: ExplanationSummary,
    protected: Mapping[str, Sequence[tuple[str, float | None]]],
    value_order: Mapping[str, Order] | None = None,
    threshold: float = 0.0,
) -> ExplanationSummary:
    """The summary with :attr:`~ExplanationSummary.reviews`: each factor whose sentence in the
    public text must be reviewed before publication (:func:`~.public.review_input`).

    ``protected`` maps each input tied to a protected ground to its grounds, each with the
    input's single-input AUC (None: the ground's own column), by the rule of
    :func:`szai_audit.fairness.recourse.sensitive_inputs`; ``value_order`` the audit's
    declared orders; ``threshold`` its ``proxy_auc_threshold``.
    """
    orders = value_order or {}
    reviews = {}
    for f in summary.factors:
        found = review_input(
            f.feature, f.direction, protected.get(f.feature, ()), orders.get(f.feature), threshold
        )
        if found is not None:
            reviews[f.feature] = found
    return dataclasses.replace(summary, reviews=reviews)


def notice_reviews(
    summary: ExplanationSummary | None, n_factors: int = NOTICE_FACTORS
) -> list[tuple[FactorSummary, InputReview]]:
    """The factors whose paragraph in the public notice must be reviewed before publication,
    in the notice's order, with why."""
    if summary is None:
        return []
    return [
        (f, summary.reviews[f.feature])
        for f in summary.factors[:n_factors]
        if f.feature in summary.reviews
    ]


def notice(
    summary: ExplanationSummary | None,
    metadata: Mapping[str, Any],
    *,
    model_class: str | None,
    numeric_output: bool = False,
    n_factors: int = NOTICE_FACTORS,
    value_labels: ValueLabels | None = None,
) -> list[tuple[Message, list[Message]]]:
    """The public algorithm notice: (heading, paragraphs) in the order of the notice.

    Plain words only: the decision process is described, never given as code; for a numeric
    output (an amount, a price) the wording speaks of results, not decisions. The category
    values a factor's direction quotes are shown by their ``value_labels`` (the raw value when
    none was given; :func:`notice_values` lists them).

    Each factor's paragraph is a :class:`~.public.NoticeParagraph`: NEEDS_REVIEW, with the
    reason, when the input is a protected ground or a strong proxy, or when the model's most
    favourable value contradicts its declared order (:attr:`ExplanationSummary.reviews`).
    """

    def meta(key: str) -> Message:
        value = meta_message(metadata, key)
        return w.NOT_PROVIDED if value is None else value

    principle = _principle(metadata, model_class, numeric_output)
    factors = _factor_paragraphs(summary, numeric_output, n_factors, value_labels)
    affected, process, appeal = meta("affected"), meta("decision_process"), meta("appeal")
    contact = meta("contact")
    return [
        (w.NOTICE_HEADINGS["principle"], [principle]),
        (w.NOTICE_HEADINGS["purpose"], [meta("purpose")]),
        (w.NOTICE_HEADINGS["factors"], factors),
        (
            w.NOTICE_HEADINGS["mechanism"],
            [
                say("explain.notice.who_affected", affected=affected),
                say("explain.notice.how_decisions_made_reviewed", process=process),
            ],
        ),
        (
            w.NOTICE_HEADINGS["rights"],
            [
                say("explain.notice.how_appeal", appeal=appeal),
                say("explain.notice.contact", contact=contact),
            ],
        ),
    ]


def _principle(
    metadata: Mapping[str, Any], model_class: str | None, numeric_output: bool
) -> Message:
    """The notice's paragraph on the principle: which system, what kind of model, how it decides."""
    system = meta_message(metadata, "system_name") or say("explain.principle.this_system")
    organisation = meta_message(metadata, "organisation")
    kind = w.model_kind(model_class or "")
    how = (
        say("explain.principle.each_case_combines_factors")
        if numeric_output
        else say("explain.principle.each_case_combines_factors_2")
    )
    return say(
        "explain.principle.uses_that_learned_patterns",
        system=system,
        kind=kind,
        how=how,
        value=Message("", "")
        if organisation is None
        else Message("（" + organisation.zh + "）", " (" + organisation.en + ")"),
    )


def notice_values(summary: ExplanationSummary | None, n_factors: int = 5) -> dict[str, list[str]]:
    """The raw category values the notice quotes, by feature: the values that help most and
    least, for each of the first ``n_factors`` factors whose direction names them."""
    out: dict[str, list[str]] = {}
    for f in summary.factors[:n_factors] if summary is not None else []:
        d = f.direction
        raising, lowering = d.get("raising"), d.get("lowering")
        if d.get("kind") != "numeric" and raising is not None and raising != lowering:
            out[f.feature] = [str(v) for v in (raising, lowering) if v is not None]
    return out


def _factor_paragraphs(
    summary: ExplanationSummary | None,
    numeric_output: bool,
    n_factors: int,
    value_labels: ValueLabels | None = None,
) -> list[Message]:
    """One notice paragraph per main factor: its share of the influence and its direction
    (the values it quotes by their labels)."""
    labels = value_labels or ValueLabels()
    factors: list[Message] = []
    if summary is not None:
        for f in summary.factors[:n_factors]:
            d = labels.localise(summary.direction(f), f.feature)
            text = say(
                "explain.factor_paragraphs.total_influence",
                label=f.label,
                share=fmt_pct(f.share),
                d=d,
            )
            review = summary.reviews.get(f.feature)
            factors.append(
                NoticeParagraph(
                    text.zh,
                    text.en,
                    feature=f.feature,
                    status=None if review is None else Status.NEEDS_REVIEW,
                    reason=None
                    if review is None
                    else review.reason(f.label, labels, numeric_output=numeric_output),
                )
            )
    else:
        factors.append(say("explain.factor_paragraphs.factors_could_not_be"))
    return factors


#: System-card keys the public notice needs.
NOTICE_KEYS = ("purpose", "affected", "decision_process", "appeal", "contact")
