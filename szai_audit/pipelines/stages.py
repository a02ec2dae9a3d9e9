"""The stages every task shares: the checks that read rows (proxies and the flip test of each
ground), the explanation (Art. 71) with the findings that follow from it, the grounds
Art. 72(2)(iv) names that were not provided, and the labels of category values put into the
text (:func:`labelled`)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ..core.catalog import say
from ..core.data import MISSING_LABEL, GroupEncoding
from ..core.errors import SzaiAuditError
from ..core.findings import Finding
from ..core.judging import Judgeable
from ..core.labels import ValueLabels, merge_unlabelled
from ..core.messages import Message
from ..core.models import REPEAT_ROWS, ModelAdapter, Repeat
from ..core.progress import stage
from ..explain import findings as explain_findings
from ..explain.engine import Explanation
from ..explain.summary import (
    TOP,
    Example,
    ExplanationSummary,
    notice_reviews,
    notice_values,
    summarize,
    with_reviews,
)
from ..explain.words import OUTPUT_NAMES
from ..fairness.counterfactual import FlipResult, flip_test, flip_values, without_directions
from ..fairness.findings import inputs as input_findings
from ..fairness.findings.grounds import ARTICLE_72_4_GROUNDS, ground_not_provided
from ..fairness.proxies import ProxyReport, possible_stand_ins, proxies_of, stand_in
from ..fairness.recourse import sensitive_inputs
from ..inputs.attributes import Attribute
from ..inputs.rows import RowAccess
from ..inputs.settings import Settings

__all__ = [
    "Explained",
    "InputChecks",
    "Labelled",
    "explanation",
    "grounds_not_provided",
    "input_checks",
    "labelled",
    "protected_inputs",
    "repeatability",
]

#: ``(proxy reports, flip tests, findings)`` of the checks that read rows, per ground.
InputChecks = tuple[dict[str, ProxyReport], dict[str, FlipResult], list[Finding | Judgeable]]
#: ``(findings, explanation summary, raw values shown without a label by column)``.
Labelled = tuple[list[Finding], ExplanationSummary | None, dict[str, list[str]]]
#: ``(explanation, its summary, findings)`` of the explanation stage.
Explained = tuple[Explanation | None, ExplanationSummary | None, list[Finding]]


def repeatability(
    adapter: ModelAdapter | None, rows: RowAccess, numeric: bool, random_state: int | None
) -> Repeat | None:
    """The model called twice on the same rows (:data:`~szai_audit.core.models.REPEAT_ROWS`
    of its inputs, drawn at random) and its outputs compared, before any check that compares
    two calls of it; None without a model or its inputs.

    A model that draws at random gives the flip test, recourse, the counterfactual prices
    and the explanation nothing but its randomness to measure: they are then NOT_ASSESSED,
    saying what share of the rows got another output (:class:`~szai_audit.core.models.Repeat`).
    The audit is not refused: the decisions as made are still what the people received.
    """
    if adapter is None or not rows.has_data:
        return None
    frame = rows.model_rows(REPEAT_ROWS, random_state)
    return adapter.repeat(frame, numeric) if len(frame) else None


def input_checks(
    settings: Settings,
    attrs: Sequence[Attribute],
    encodings: Mapping[str, GroupEncoding],
    adapter: ModelAdapter | None,
    rows: RowAccess,
    random_state: int | None,
    *,
    pos: Any,
    favorable_is_positive: bool,
    numeric: bool = False,
    change_rtol: float = 0.0,
    outputs: Message | None = None,
    amount: Callable[[float], Message] | None = None,
    unrepeatable: Repeat | None = None,
) -> InputChecks:
    """Proxy ranking and counterfactual flip test of every ground (``change_rtol``: the
    relative change of a numeric output that counts; ``outputs``: what the outputs are
    called in the messages; ``amount``: how a change of a numeric output is written with its
    unit, a price in its currency; ``unrepeatable``: the model gave other outputs when called
    twice on the same rows, so no flip test, :func:`repeatability`)."""
    policy = settings.policy
    proxies: dict[str, ProxyReport] = {}
    flips: dict[str, FlipResult] = {}
    findings: list[Finding | Judgeable] = []
    if rows.has_data and attrs:  # one bar for every ground's proxy check
        with stage("proxies") as bar:
            for a in attrs:
                info = a.info
                bar.describe(info.ground)
                exclude = (info.column,) if info.source == "data" and info.column else ()
                proxies[info.ground] = rows.proxies(info.ground, exclude, policy, random_state)
    flipped = [
        a for a in attrs if adapter is not None and a.info.source == "data" and a.info.column
    ]
    if rows.has_data and flipped and adapter is not None and unrepeatable is None:
        with stage("flip test") as bar:
            for a in flipped:
                bar.describe(a.info.ground)
                frame, labels = rows.flip_rows(a.info.ground, policy, random_state)
                assert a.info.column is not None
                flip = flip_test(
                    adapter,
                    frame,
                    a.info.column,
                    labels,
                    flip_values(a.info, encodings[a.info.ground], rows.column_counts, a.withheld),
                    pos_label=pos,
                    favorable_is_positive=favorable_is_positive,
                    max_rows=policy.flip_max_rows,
                    random_state=random_state,
                    numeric=numeric,
                    change_rtol=change_rtol,
                    withheld=a.withheld.keys(),
                )
                flips[a.info.ground] = without_directions(flip, policy.k_anonymity)
    names = settings.feature_labels
    for a in attrs:
        ground = a.info.ground
        report = proxies.get(ground)
        findings.append(input_findings.proxy_finding(report, ground, policy, names))
        if ground not in flips:
            why = "no_model" if adapter is None else "not_input"
            why = "unrepeatable" if any(a is f for f in flipped) and unrepeatable else why
            findings.append(input_findings.flip_not_assessed(ground, why, unrepeatable))
        else:
            findings.append(
                input_findings.flip_finding(
                    flips[ground],
                    ground,
                    policy,
                    numeric=numeric,
                    change_rtol=change_rtol,
                    outputs=outputs,
                    proxy=report,
                    labels=names,
                    amount=amount,
                )
            )
    return proxies, flips, findings


def _why_not_explained(
    settings: Settings, adapter: ModelAdapter | None, unrepeatable: Repeat | None
) -> Message | None:
    if not settings.explain:
        return say("pipelines.why_not_explained.explanation_was_switched_off")
    if adapter is None or settings.data is None:
        return say("pipelines.why_not_explained.only_decisions_were_given")
    if unrepeatable is not None:
        return say("pipelines.why_not_explained.model_not_repeatable", why=unrepeatable.why())
    return None


def explanation(
    settings: Settings,
    attrs: Sequence[Attribute],
    adapter: ModelAdapter | None,
    rows: RowAccess,
    proxies: Mapping[str, ProxyReport],
    random_state: int | None,
    *,
    pos: Any,
    favorable_is_positive: bool,
    numeric: bool = False,
    unrepeatable: Repeat | None = None,
) -> Explained:
    """Art. 71: the explanation, its summary, and the findings that follow from it (the
    explanation itself, the public notice's facts and the sentences of it a person must
    review, and each ground's share of the model's influence); none from a model whose
    outputs differ between two calls (``unrepeatable``).

    The summary carries why the public text's sentence on an input must be reviewed
    (:func:`~szai_audit.explain.summary.with_reviews`): the inputs tied to a protected ground
    by the rule of :func:`~szai_audit.fairness.recourse.sensitive_inputs` (the rule of the
    person notices and of the proxy finding), and the inputs whose most favourable value
    contradicts the declared ``value_order``."""
    policy = settings.policy
    reason = _why_not_explained(settings, adapter, unrepeatable)
    explained = summary = None
    if reason is None:
        assert adapter is not None
        model = adapter.model if adapter.kind == "callable" else settings.model
        try:
            explained = rows.explain(model, None if numeric else pos, policy, random_state)
        except SzaiAuditError as exc:
            reason = say("pipelines.explanation.no_explanation_could_be", exc=exc)
    if explained is not None:
        summary = summarize(
            explained,
            labels=settings.feature_labels,
            favorable_is_positive=favorable_is_positive,
            favourable=rows.favourable_at(explained.positions),
            positive_label=pos if pos is not None else settings.direction,
            stratified=True,
            level=policy.confidence_level,
            k=policy.k_anonymity,
            random_state=random_state,
            numeric_output=numeric,
            output=OUTPUT_NAMES.get(settings.task) if numeric else None,
        )
        summary = with_reviews(
            summary,
            protected_inputs(explained.features, attrs, proxies, policy.proxy_auc_threshold),
            settings.value_order,
            policy.proxy_auc_threshold,
        )
    flagged = [(f.label, r) for f, r in notice_reviews(summary)]
    findings = [
        explain_findings.explained(summary, reason),
        explain_findings.notice_complete(settings.metadata, flagged, numeric_output=numeric),
    ]
    findings += _shares(summary, attrs, proxies, settings)
    return explained, summary, findings


def protected_inputs(
    columns: Sequence[Any],
    attrs: Sequence[Attribute],
    proxies: Mapping[str, ProxyReport],
    threshold: float,
) -> dict[str, list[tuple[str, float | None]]]:
    """The model inputs tied to a protected ground, by the rule of
    :func:`~szai_audit.fairness.recourse.sensitive_inputs` (a ground's own column among
    ``columns``, and each ground's proxies with single-input AUC at or above ``threshold``),
    each with its grounds: ``(ground, None)`` for the ground's own column, ``(ground, auc)``
    for a proxy."""
    tied = sensitive_inputs(columns, [a.info.column for a in attrs], proxies, threshold)
    out: dict[str, list[tuple[str, float | None]]] = {str(c): [] for c in tied}
    for a in attrs:
        if a.info.column is not None and str(a.info.column) in out:
            out[str(a.info.column)].append((a.info.ground, None))
    for ground, report in proxies.items():
        aucs = {str(c): float(a) for c, a in report.features["auc"].items()}
        for c in proxies_of(report, threshold):
            if c in out and (ground, None) not in out[c]:
                out[c].append((str(ground), aucs[c]))
    return out


def _shares(
    summary: ExplanationSummary | None,
    attrs: Sequence[Attribute],
    proxies: Mapping[str, ProxyReport],
    settings: Settings,
) -> list[Finding]:
    """Each ground's (and its proxies') share of the model's influence: the proxies by the
    one rule (:func:`~szai_audit.fairness.proxies.proxies_of`), and, weighed with them for
    caution but never called proxies, the possible stand-ins (inputs whose AUC interval
    reaches the proxy limit, :func:`~szai_audit.fairness.proxies.possible_stand_ins`)."""
    limit = settings.policy.proxy_auc_threshold
    out = []
    for a in attrs:
        ground = a.info.ground
        if summary is None:
            out.append(
                explain_findings.share_not_assessed(
                    ground,
                    say("pipelines.shares.without_explanation_attribute_s"),
                )
            )
            continue
        column = a.info.column if a.info.source == "data" else None
        out.append(
            explain_findings.attribution_share(
                summary,
                ground,
                column,
                proxies_of(proxies.get(ground), limit),
                settings.policy,
                stand_in=stand_in(proxies.get(ground)),
                possible=possible_stand_ins(proxies.get(ground), limit),
            )
        )
    return out


def grounds_not_provided(attrs: Sequence[Attribute]) -> list[Finding]:
    """NOT_ASSESSED for each ground Art. 72(2)(iv) names that the audit was not given."""
    provided = {a.info.ground for a in attrs}
    return [ground_not_provided(g) for g in ARTICLE_72_4_GROUNDS if g not in provided]


#: Values the explanation writes itself (categories pooled or missing), not the data's.
_POOLED = ("(other)", MISSING_LABEL)


def _labelled_example(
    example: Example, features: Mapping[str, tuple[str, bool]], labels: ValueLabels
) -> tuple[Example, dict[str, list[str]]]:
    """An example decision with its category values by their labels (``features``: a reason's
    label text -> its column and whether its values are categories)."""
    reasons = []
    shown: dict[str, list[str]] = {}
    for label, value, towards in example.reasons:
        feature, categorical = features.get(label.zh, ("", False))
        raw = value.zh
        if categorical and raw == value.en:
            if labels.has(feature, raw):
                value = labels.value(feature, raw)
            elif raw not in _POOLED:
                shown.setdefault(feature, []).append(raw)
        reasons.append((label, value, towards))
    return dataclasses.replace(example, reasons=reasons), shown


def _labelled_summary(
    summary: ExplanationSummary, labels: ValueLabels
) -> tuple[ExplanationSummary, dict[str, list[str]]]:
    """The summary's sentences and examples with the category values by their labels; the
    values the public notice and these sentences show without one."""
    sentences = list(summary.sentences)
    # Sentence 0 names the main factors; sentence i + 1 gives the direction of factor i.
    for i, f in enumerate(summary.factors[: min(TOP, len(sentences) - 1)]):
        sentences[i + 1] = labels.localise(sentences[i + 1], f.feature)
    features = {
        f.label.zh: (f.feature, f.direction.get("kind") != "numeric") for f in summary.factors
    }
    examples, shown = [], []
    for e in summary.examples:
        example, found = _labelled_example(e, features, labels)
        examples.append(example)
        shown.append(found)
    quoted = {
        f: [v for v in values if not labels.has(f, v) and v not in _POOLED]
        for f, values in notice_values(summary).items()
    }
    changed = dataclasses.replace(summary, sentences=sentences, examples=examples)
    return changed, merge_unlabelled(quoted, *shown)


def labelled(
    findings: Sequence[Finding], summary: ExplanationSummary | None, labels: ValueLabels
) -> Labelled:
    """The findings' messages and the explanation's text with each quoted raw value of a
    finding's ground (or dimension) replaced by its label, and the raw values still shown
    without one, by column (:attr:`szai_audit.AuditResult.unlabelled_values`)."""
    out, shown = [], []
    for f in findings:
        # A finding speaks of its ground's values, or (a re-pricing across a profile
        # dimension) of the values of the column with the strongest effect.
        strongest = f.details.get("strongest") if isinstance(f.details, dict) else None
        column = strongest.get("column") if isinstance(strongest, dict) else None
        for key in (k for k in (column, f.ground) if k):
            shown.append(labels.unlabelled_in(f.message, key))
            f = dataclasses.replace(f, message=labels.localise(f.message, key))
        out.append(f)
    if summary is not None:
        summary, found = _labelled_summary(summary, labels)
        shown.append(found)
    return out, summary, merge_unlabelled(*shown)
