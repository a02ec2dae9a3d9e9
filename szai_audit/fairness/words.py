"""Every Art. 72(2)(iv) sentence a person reads, in Chinese (zh-CN) and English.

Nothing here computes: callers pass the numbers, this module turns them into text from fixed
templates, so the Chinese and English versions are written side by side and a reviewer can read
all of them at once. The number formats are those of :mod:`szai_audit.core.messages`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence

from ..core.catalog import say
from ..core.grounds import ground_label
from ..core.judging import (
    OUTCOME_PASS,
    Comparison,
    Verdict,
    decision_rule_paragraph,
    disagreement,
    sides,
    verdict_tail,
)
from ..core.labels import column_name, column_unit
from ..core.messages import (
    Message,
    first_upper,
    fmt_amount,
    fmt_level,
    fmt_p,
    fmt_pct,
    fmt_ratio,
    listing,
    minus,
)
from ..core.models import Repeat
from ..core.policy import Policy
from ..core.scope import Scope, decision_source

#: ``feature_labels={column: (zh, en[, unit])}``, as the audit was given them (or None).
Labels = Mapping[str, Sequence[str]] | None

__all__ = [
    "FLIP_BEYOND",
    "GROUND_UNITS",
    "METRIC_EXPLANATIONS",
    "METRIC_LABELS",
    "Labels",
    "favorable_name_of",
    "method_paragraphs",
    "metric_label",
    "rate_in_sentence",
    "rate_name",
    "regression_method_paragraphs",
    "unit_of",
]


def rate_name(name: Message | None = None) -> Message:
    """What the rate of favourable decisions is called, as a label: the neutral 有利决定率 /
    Favourable-decision rate, or from the favourable decision's name (``Audit(favorable_name=
    ...)``) 低风险比例 / Low risk rate. Inside a sentence, :func:`rate_in_sentence`.

    >>> rate_name().en, rate_name(Message("获批", "approval")).to_dict()
    ('Favourable-decision rate', {'zh': '获批比例', 'en': 'Approval rate'})
    """
    if name is None:
        return say("fairness.rate_name.favourable_decision")
    return say("fairness.rate_name.named", name=name)


def rate_in_sentence(name: Message | None = None) -> Message:
    """:func:`rate_name` inside a sentence: ``favourable-decision rate``, ``low risk rate``."""
    label = rate_name(name)
    return Message(label.zh, label.en[:1].lower() + label.en[1:])


def favorable_name_of(details: Mapping[str, object] | None) -> Message | None:
    """The favourable decision's name a finding's ``details`` record (``favorable_name``,
    ``{"zh", "en"}``), or None."""
    named = (details or {}).get("favorable_name")
    if isinstance(named, Mapping) and "zh" in named and "en" in named:
        return Message(str(named["zh"]), str(named["en"]))
    return None


def metric_label(metric: str, name: Message | None = None) -> Message:
    """A metric's label; the rate of favourable decisions (``selection_rate``,
    ``favorable_rate``) by :func:`rate_name`."""
    if metric in ("selection_rate", "favorable_rate"):
        return rate_name(name)
    return METRIC_LABELS[metric]


METRIC_LABELS: dict[str, Message] = {
    "count": say("fairness.metric_labels.count"),
    "selection_rate": rate_name(),
    "favorable_rate": rate_name(),
    "true_positive_rate": say("fairness.metric_labels.true_positive_rate"),
    "false_positive_rate": say("fairness.metric_labels.false_positive_rate"),
    "false_negative_rate": say("fairness.metric_labels.false_negative_rate"),
    "precision": say("fairness.metric_labels.precision"),
    "accuracy": say("fairness.metric_labels.accuracy"),
    "mean_score": say("fairness.metric_labels.mean_score"),
    "auc": say("fairness.metric_labels.auc"),
    "calibration_offset": say("fairness.metric_labels.calibration_offset"),
    "positive_rate_at_threshold": say("fairness.metric_labels.positive_rate_at_threshold"),
    "mean_prediction": say("fairness.metric_labels.mean_prediction"),
    "mean_outcome": say("fairness.metric_labels.mean_outcome"),
    "mean_residual": say("fairness.metric_labels.mean_residual"),
    "mae": say("fairness.metric_labels.mae"),
}

#: What each rate counts, in words: ``{side}`` is the positive class, 有利 / favourable (or
#: 不利 / unfavourable where the positive label is the decision against the person), never the
#: raw label (:func:`metric_explanation`).
METRIC_EXPLANATIONS: dict[str, Message] = {
    "selection_rate": Message(
        "模型作出有利决定的人所占比例。",
        "Share of people the model gives the favourable decision.",
    ),
    "true_positive_rate": Message(
        "实际结果{side}的人中，模型也作出{side}决定的比例。",
        "Among people whose actual outcome was {side}, the share the model also gives the "
        "{side} decision.",
    ),
    "false_positive_rate": Message(
        "实际结果并非{side}的人中，模型却作出{side}决定的比例。",
        "Among people whose actual outcome was not {side}, the share the model still gives the "
        "{side} decision.",
    ),
    "false_negative_rate": Message(
        "实际结果{side}的人中，模型未作出{side}决定的比例。",
        "Among people whose actual outcome was {side}, the share the model does not give the "
        "{side} decision.",
    ),
    "precision": Message(
        "模型作出{side}决定的人中，实际结果也{side}的比例。",
        "Among people the model gives the {side} decision, the share whose actual outcome was "
        "{side}.",
    ),
    "accuracy": say("fairness.metric_explanations.accuracy"),
    "mean_score": say("fairness.metric_explanations.mean_score"),
}


def metric_explanation(metric: str, favourable: bool = True) -> Message:
    """What a rate counts, in words, the positive class being the favourable decision (or,
    ``favourable=False``, the unfavourable one).

    >>> metric_explanation("true_positive_rate").zh
    '实际结果有利的人中，模型也作出有利决定的比例。'
    >>> metric_explanation("false_positive_rate", favourable=False).en
    'Among people whose actual outcome was not unfavourable, the share the model still gives \
the unfavourable decision.'
    """
    e = METRIC_EXPLANATIONS[metric]
    zh, en = ("有利", "favourable") if favourable else ("不利", "unfavourable")
    return Message(e.zh.format(side=zh), e.en.format(side=en))


# --------------------------------------------------------------------------------------------
# Number formatting, the same in both languages so that the two texts carry equal numbers.
# --------------------------------------------------------------------------------------------


# --------------------------------------------------------------------------------------------
# Finding messages
# --------------------------------------------------------------------------------------------

#: How the reference group of a comparison was chosen.
REFERENCE_RULES: dict[str, Message] = {
    "best_off": say("fairness.reference_rules.best_off"),
    "chosen": say("fairness.reference_rules.chosen"),
}


#: The clause that ends every measured finding of a check comparing the model with the recorded
#: outcomes (``Check.outcomes``): they are taken as the truth, a bias in them unseen.
RECORDED_OUTCOMES = say("fairness.recorded_outcomes")

#: The checks of decision rates that compare decisions with the recorded outcomes.
_OUTCOME_RATES = ("true_positive_rate", "false_positive_rate")


def with_recorded_outcomes(body: Message) -> Message:
    """``body`` ending with :data:`RECORDED_OUTCOMES`."""
    return body.join(RECORDED_OUTCOMES)


def msg_base_rate_conflict(
    ground: str, rates: Mapping[str, float], p_value: float, positive: object
) -> Message:
    """The note of a ground whose base rates differ where calibration and an error rate were
    both measured: the two cannot in general both hold (Kleinberg et al. 2016; Chouldechova
    2017), and the committee must choose which matters (see :mod:`szai_audit.fairness.outcomes`).
    ``positive`` is the outcome label the base rate counts."""
    listed = listing(
        [say("core.values.count", value=str(g), n=fmt_pct(r)) for g, r in rates.items()]
    )
    label = str(positive)
    return say(
        "fairness.base_rate_conflict",
        ground=ground_label(ground),
        positive=Message(label, label),  # an outcome, not a group: never relabelled
        rates=listed,
        p=fmt_p(p_value),
    )


def msg_intersection_too_large(ground: str, n: int, limit: int) -> Message:
    """Message when the full intersection has too many groups."""
    g = ground_label(ground)
    return say("fairness.intersection_too_large", ground=g, n=n, max=limit)


_NO_SCORES = say("fairness.no_scores")
_NOT_PROBABILITIES = say("fairness.not_probabilities")


def msg_no_scores() -> Message:
    """Message for score checks without scores."""
    return _NO_SCORES


def msg_scores_not_probabilities() -> Message:
    """Message for calibration when scores are not probabilities."""
    return _NOT_PROBABILITIES


def _lower(text: str) -> str:
    """A label inside a sentence: its first letter lower-cased, an abbreviation kept."""
    return text[:1].lower() + text[1:]


def _points(x: float) -> str:
    """A proportion as percentage points with one decimal, the minus sign U+2212."""
    return minus(f"{100 * x:.1f}")


def _higher_lower(x: float) -> Message:
    """``x`` (a difference of proportions) in words: ``高 0.3 个百分点`` / ``低 2.4 个百分点``."""
    size = f"{abs(100 * x):.1f}"
    if x >= 0:
        return say("fairness.higher_lower.points_higher", size=size)
    return say("fairness.higher_lower.points_lower", size=size)


def msg_auc(
    ground: str,
    *,
    worst: str,
    best: str,
    worst_auc: float,
    best_auc: float,
    value: float,
    ci: tuple[float, float],
    threshold: float,
    level: float,
    verdict: Verdict,
) -> Message:
    """Message of the AUC comparison (values on the AUC scale, 3 decimals)."""
    g = ground_label(ground)
    body = say(
        "fairness.auc",
        ground=g,
        worst=worst,
        best=best,
        worst_auc=fmt_ratio(worst_auc, 3),
        best_auc=fmt_ratio(best_auc, 3),
        value=fmt_ratio(value, 3),
        low=fmt_ratio(ci[0], 3),
        high=fmt_ratio(ci[1], 3),
        threshold=fmt_ratio(threshold, 3),
        level=fmt_level(verdict.level),
    )
    return with_recorded_outcomes(body.join(verdict_tail(verdict)))


def msg_calibration(
    ground: str,
    *,
    worst: str,
    best: str,
    worst_offset: float,
    best_offset: float,
    value: float,
    ci: tuple[float, float],
    threshold: float,
    level: float,
    verdict: Verdict,
    positive_label: object,
    favorable_is_positive: bool = True,
) -> Message:
    """Message of the calibration comparison (offsets and gap in percentage points; each
    offset, the actual share of the positive outcome minus the share the scores predict, in
    words: higher or lower)."""
    g = ground_label(ground)
    outcome = (
        say("fairness.calibration.favourable_outcome")
        if favorable_is_positive
        else say("fairness.calibration.text", positive_label=positive_label)
    )
    w, b = _higher_lower(worst_offset), _higher_lower(best_offset)
    body = say(
        "fairness.calibration",
        ground=g,
        outcome=outcome,
        worst=worst,
        best=best,
        worst_offset=w,
        best_offset=b,
        value=_points(value),
        low=_points(ci[0]),
        high=_points(ci[1]),
        threshold=_points(threshold),
        level=fmt_level(verdict.level),
    )
    return with_recorded_outcomes(body.join(verdict_tail(verdict)))


def feature_name(name: str, labels: Labels = None) -> Message:
    """Display name of a model input from ``feature_labels={column: (zh, en[, unit])}``; the
    raw name when it has none.

    >>> feature_name("purpose", {"purpose": ("贷款用途", "loan purpose")}).zh
    '贷款用途'
    >>> feature_name("x").en
    'x'
    """
    return column_name(name, labels)


def feature_names(names: Sequence[str], labels: Labels = None) -> Message:
    """Display names of inputs, each quoted once: ``“贷款金额”、“贷款期限”``."""
    shown = [feature_name(str(n), labels) for n in names]
    return listing([say("core.values.quoted", value=m) for m in shown])


def unit_of(ground: str, column: str | None, labels: Labels) -> Message:
    """The unit of a numeric ground: the third element of its column's feature label
    (``"岁/years"``), else the usual unit of a known ground (age: years), else none."""
    unit = column_unit(column or ground, labels)
    return unit if unit.zh or unit.en else GROUND_UNITS.get(ground, Message("", ""))


#: The unit of a numeric ground when its feature label gives none.
GROUND_UNITS: dict[str, Message] = {"age": say("fairness.ground_units.age")}


def _auc_with_ci(c: Comparison, level: float) -> Message:
    lo, hi = c.ci if c.ci is not None else (math.nan, math.nan)
    v, a, b = fmt_ratio(c.value, 3), fmt_ratio(lo, 3), fmt_ratio(hi, 3)
    lv = fmt_level(level)
    return say("fairness.auc_with_ci.auc_ci", v=v, lv=lv, a=a, b=b)


def msg_stand_in(ground: str, feature: str, auc: float, labels: Labels = None) -> Message:
    """The sentence for an input that is all but the attribute itself (a perfect proxy:
    cross-validated AUC of at least :data:`~szai_audit.fairness.proxies.PERFECT_PROXY_AUC`)."""
    g, f = ground_label(ground), feature_name(feature, labels)
    return say("fairness.stand_in.all_but_equals_auc", f=f, ground=g, auc=fmt_ratio(auc, 3))


def _proxy_head(
    g: Message,
    verdict: Verdict,
    *,
    together: str,
    threshold: float,
    listed: int,
    level: float,
    labels: Labels,
) -> tuple[Message, Message]:
    """What the proxy message opens and closes with: the inputs shown beyond their limit,
    those whose interval reaches it, or the best one."""
    alpha = verdict.alpha

    def listing(cs: list[Comparison]) -> Message:
        parts = [
            (feature_name(c.group, labels), _auc_with_ci(c, level))
            for c in cs
            if c.group != together
        ][:listed]
        return Message(
            "、".join(f"“{n.zh}”（{a.zh}）" for n, a in parts),
            ", ".join(f"“{n.en}” ({a.en})" for n, a in parts),
        )

    shown = [c for c, p in verdict.every if p < alpha]
    limit = {id(c): threshold if c.threshold is None else c.threshold for c, _ in verdict.every}
    unsure = [
        c
        for c, p in verdict.every
        if p >= alpha and (c.ci is None or c.ci[1] >= limit[id(c)] - 1e-9)
    ]
    if shown:
        single = listing(shown)
        head = (
            say("fairness.proxy_head.data_show_these_inputs", ground=g, alpha=alpha, single=single)
            if single.zh
            else say("fairness.proxy_head.no_single_input_shown", ground=g)
        )
        return head, say("fairness.proxy_head.even_without_attribute_itself")
    if unsure:
        near = listing(unsure)
        head = Message(
            f"{g.zh}：以下输入预测{g.zh}的置信区间达到阈值，但数据不足以表明超过阈值："
            f"{near.zh or '全部输入合起来'}。",
            f"{first_upper(g.en)}: the intervals of these inputs predicting {g.en} reach the "
            f"limit, but the data do not show them beyond it: {near.en or 'all inputs together'}.",
        )
        return head, say("fairness.proxy_head.result_warning_inconclusive_check")
    inputs = [c for c, _ in verdict.every if c.group != together]
    top = max(inputs, key=lambda c: c.value) if inputs else verdict.comparison
    name, auc = feature_name(top.group, labels), _auc_with_ci(top, level)
    head = say("fairness.proxy_head.no_input_predicts_well", ground=g, name=name, auc=auc)
    return head, OUTCOME_PASS


def msg_proxy(
    ground: str,
    verdict: Verdict,
    *,
    threshold: float,
    all_threshold: float,
    level: float,
    listed: int,
    together: str,
    labels: Labels = None,
    stand_in: tuple[str, float] | None = None,
    proxies: Sequence[str] | None = None,
) -> Message:
    """Message of the proxy check: the inputs shown to predict the attribute beyond their
    limit, those whose interval reaches it, or the best one (by display name, AUCs with 3
    decimals and their intervals), then all inputs together and the limits; ``stand_in``
    (an input and its AUC) names an input that all but equals the attribute; ``proxies``
    (when given) the inputs this audit calls the attribute's proxies (AUC at least
    ``threshold``), or that there is none."""
    g = ground_label(ground)
    level = verdict.level  # the intervals are shown at the level of the family's tests
    head, tail = _proxy_head(
        g,
        verdict,
        together=together,
        threshold=threshold,
        listed=listed,
        level=level,
        labels=labels,
    )
    everything = next((c for c, _ in verdict.every if c.group == together), None)
    together_text = Message("", "")
    if everything is not None:
        auc = _auc_with_ci(everything, level)
        together_text = say("fairness.proxy.all_inputs_together_predict", ground=g, auc=auc)
    limits = say(
        "fairness.proxy.limit_auc_one_input", threshold=threshold, all_threshold=all_threshold
    )
    body = head.join(together_text).join(limits)
    if proxies is not None:
        body = body.join(msg_proxies_named(ground, proxies, threshold, labels))
    if stand_in is not None:
        body = body.join(msg_stand_in(ground, stand_in[0], stand_in[1], labels))
    return body.join(tail)


def msg_proxies_named(
    ground: str, proxies: Sequence[str], threshold: float, labels: Labels = None
) -> Message:
    """The inputs this audit calls the attribute's proxies, by its one rule (single-input AUC
    at least ``threshold``; :func:`~szai_audit.fairness.proxies.is_proxy`), or that none is.

    >>> print(msg_proxies_named("nationality", ["purpose"], 0.7).zh)
    按本审计的规则（单个输入预测国籍的 AUC 不低于 0.70），国籍的代理变量为：“purpose”。
    """
    g, auc = ground_label(ground), fmt_ratio(threshold, 2)
    if not proxies:
        return say("fairness.proxies_named.none", ground=g, threshold=auc)
    return say(
        "fairness.proxies_named.some", ground=g, threshold=auc, names=feature_names(proxies, labels)
    )


def msg_proxy_no_data(ground: str) -> Message:
    """Proxy check without input data."""
    g = ground_label(ground)
    return say("fairness.proxy_no_data.no_model_inputs_data", ground=g)


def msg_proxy_too_few(ground: str, left_out: Mapping[str, int]) -> Message:
    """Proxy check when too few groups are large enough to cross-validate."""
    g = ground_label(ground)
    listed = listing([say("core.values.count", value=str(k), n=v) for k, v in left_out.items()])
    return say(
        "fairness.proxy_too_few.fewer_than_two_groups",
        ground=g,
        listed_zh_text=listed,
    )


def msg_proxy_all_inputs_capped(ground: str, n_groups: int, cap: int) -> Message:
    """The note of a proxy finding whose all-inputs model was not fitted (too many groups)."""
    g = ground_label(ground)
    return say(
        "fairness.proxy_all_inputs_capped.has_groups_more_than",
        ground=g,
        n_groups=n_groups,
        cap=cap,
    )


def msg_proxy_lumped(ground: str, n_groups: int, kept: int, lumped: int, rows: int) -> Message:
    """The note of a proxy finding whose smallest groups were taken together as one."""
    g = ground_label(ground)
    return say(
        "fairness.proxy_lumped.largest_one_by_one",
        ground=g,
        n_groups=n_groups,
        kept=kept,
        lumped=lumped,
        rows=rows,
    )


def msg_flip_few_people(ground: str, n: int, min_size: int) -> Message:
    """The note of a flip test on a group too small for a rate comparison: why the flip test
    can decide where a rate cannot (it re-asks the model on every row, changing only the
    attribute: a property of the model, not a comparison of groups)."""
    g = ground_label(ground)
    return say("fairness.flip_few_people", ground=g, n=n, min_size=min_size)


def msg_flip_decides(ground: str) -> Message:
    """The note of a rate finding too small to judge whose ground's flip test did decide."""
    return say("fairness.flip_decides", ground=ground_label(ground))


def msg_flip_not_tried(ground: str, tried: int, not_tried: int) -> Message:
    """The note of a flip test that wrote only the largest groups' values into the others'."""
    g = ground_label(ground)
    return say("fairness.flip_not_tried.largest_values_only", ground=g, tried=tried, n=not_tried)


def msg_proxy_no_features(ground: str) -> Message:
    """Proxy check with no feature left to rank."""
    g = ground_label(ground)
    return say("fairness.proxy_no_features.there_no_input_besides", ground=g)


def msg_flip_not_assessed(ground: str, reason: str, repeat: Repeat | None = None) -> Message:
    """Flip test that cannot run."""
    g = ground_label(ground)
    if reason == "no_model":
        return say("fairness.flip_not_assessed.only_decisions_were_given", ground=g)
    if reason == "unrepeatable" and repeat is not None:
        return say("fairness.flip_not_assessed.model_not_repeatable", ground=g, why=repeat.why())
    return say("fairness.flip_not_assessed.attribute_not_model_input", ground=g)


#: The ending of a flip test beyond its tolerance: what the change shows, calibrated.
FLIP_BEYOND = say("fairness.flip_beyond")


def _score_shift(
    score_change: float | None,
    outputs: Message,
    numeric: bool,
    amount: Callable[[float], Message] | None = None,
) -> Message:
    """The mean change of the score (or of a numeric output) in words, its size without a
    sign: a numeric output's change written by ``amount`` with its unit (a price in its
    currency), else as a number; a score's with three decimals."""
    if score_change is None:
        return Message("", "")
    if score_change == 0:
        if numeric:
            return say("fairness.score_shift.numeric_unchanged", outputs=outputs)
        return say("fairness.score_shift.score_unchanged")
    up = score_change > 0
    if not numeric:
        size = f"{abs(score_change):.3f}"
        return say(
            "fairness.score_shift.score_up" if up else "fairness.score_shift.score_down", size=size
        )
    written = amount(abs(score_change)) if amount is not None else fmt_amount(abs(score_change))
    return say(
        "fairness.score_shift.numeric_up" if up else "fairness.score_shift.numeric_down",
        outputs=outputs,
        size=written,
    )


def msg_flip(
    ground: str,
    *,
    source: str,
    target: str,
    changed: float,
    to_favourable: float,
    to_unfavourable: float,
    score_change: float | None,
    tolerance: float,
    n_rows: int,
    failed: bool,
    numeric: bool = False,
    change_rtol: float = 0.0,
    outputs: Message | None = None,
    stand_in: Message | None = None,
    amount: Callable[[float], Message] | None = None,
) -> Message:
    """Message of the counterfactual flip test (``numeric``: outputs are numbers, a change
    counting when larger than ``change_rtol`` of the value; ``outputs``: what they are called,
    decisions by default, predictions for numbers; ``stand_in``: the sentence of an input that
    all but equals the attribute, which turns a pass into a case for review; ``amount``: how
    a numeric output's mean change is written with its unit, a price in its currency)."""
    g = ground_label(ground)
    if outputs is None:
        outputs = say("fairness.flip.predictions") if numeric else say("fairness.flip.decisions")
    if numeric and change_rtol > 0:
        moved = say(
            "fairness.flip.their_by_more_than", outputs=outputs, change_rtol=fmt_pct(change_rtol)
        )
    else:
        moved = say("fairness.flip.their", outputs=outputs)
    shift = _score_shift(score_change, outputs, numeric, amount)
    body = say(
        "fairness.flip.changing_only_from_people",
        ground=g,
        source=source,
        n_rows=n_rows,
        target=target,
        changed=fmt_pct(changed),
        moved=moved,
        to_favourable=fmt_pct(to_favourable),
        to_unfavourable=fmt_pct(to_unfavourable),
        shift=shift,
        tolerance=fmt_pct(tolerance),
    )
    if failed:
        return body.join(FLIP_BEYOND)
    if stand_in is not None:
        if score_change == 0 and changed == 0:
            body = body.join(say("fairness.flip.score_does_not_move", ground=g))
        return body.join(stand_in).join(say("fairness.flip.changing_only_column_while", ground=g))
    return body.join(OUTCOME_PASS)


def _gap_words(group: Message, value: float) -> Message:
    """Who a gap after the factors harms, in words (``value`` positive: ``group`` worse off)."""
    if value > 0:
        return say("fairness.gap_words.disadvantage", group=group)
    return say("fairness.gap_words.not_worse_off", group=group)


def _estimate_name(c: Comparison) -> Message:
    """The estimator of a gap after legitimate factors, as a message names it."""
    if c.extra.get("estimate") == "stratified":
        return say("fairness.conditional.stratified")
    return say("fairness.conditional.regression_adjustment")


def msg_conditional(
    ground: str,
    verdict: Verdict,
    *,
    factors: Sequence[str],
    threshold: float,
    level: float,
    min_coverage: float,
    min_size: int,
    labels: Labels = None,
    name: Message | None = None,
) -> Message:
    """Message of the gap after legitimate factors (named by their display names; ``name``: the
    favourable decision's, see :func:`rate_name`): the estimate that decides (stratified, or
    regression-adjusted when the strata cover too few rows), the other, and the raw gap; gaps
    in percentage points, positive when the group is worse off than the reference, and said
    so in words."""
    g = ground_label(ground)
    c = verdict.comparison
    listed = feature_names(factors, labels)
    low, high = c.ci if c.ci is not None else (float("nan"), float("nan"))
    name = _estimate_name(c)
    group, other = sides(c)
    harm = _gap_words(group, c.value)
    body = say(
        "fairness.conditional.extrapolated"
        if verdict.extrapolated
        else "fairness.conditional.after_adjusting_legitimate_factors",
        ground=g,
        rate=rate_in_sentence(name),
        listed=listed,
        group=group,
        other=other,
        value=_points(c.value),
        name=name,
        level=fmt_level(verdict.level),
        low=_points(low),
        high=_points(high),
        harm=harm,
        value_2=_points(c.extra["raw"]),
        threshold=_points(threshold),
    )
    return _two_ways(
        body,
        verdict,
        lambda v: say("fairness.conditional.regression_adjusted_gap_points", value=_points(v)),
        _points,
        min_size,
        min_coverage,
    )


def _two_ways(
    body: Message,
    verdict: Verdict,
    other_estimate: Callable[[float], Message],
    show: Callable[[float], str],
    min_size: int,
    min_coverage: float,
) -> Message:
    """The end of the message of a gap measured two ways (after legitimate factors): why the
    regression estimate alone decides, or what the other estimate is (``other_estimate`` of
    its value); where the two disagree, both results (values written by ``show``); the
    result."""
    c = verdict.comparison
    if c.extra.get("estimate") == "regression":
        body = body.join(
            say(
                "fairness.regression_only",
                covered=f"{c.extra['covered']:,}",
                ref_covered=f"{c.extra['reference_covered']:,}",
                coverage=fmt_pct(c.extra["coverage"]),
                min_size=min_size,
                min_coverage=fmt_pct(min_coverage),
            ),
            sep_en="",
        )
    elif verdict.other is not None:
        body = body.join(other_estimate(verdict.other.value), sep_en="")
    if verdict.disagree and verdict.other is not None:
        body = body.join(disagreement(verdict, show), sep_en="")
    return body.join(verdict_tail(verdict))


def msg_not_positive(ground: str) -> Message:
    """Ratio checks on outputs that are not all positive."""
    g = ground_label(ground)
    return say("fairness.not_positive.group_means_not_all", ground=g)


def msg_perfect(ground: str) -> Message:
    """Every compared group predicted without error."""
    g = ground_label(ground)
    return with_recorded_outcomes(say("fairness.perfect.every_compared_group_predicted", ground=g))


def msg_mean_ratio(
    ground: str,
    metric: str,
    *,
    worst: str,
    best: str,
    worst_value: float,
    best_value: float,
    value: float,
    ci: tuple[float, float] | None,
    threshold: float,
    level: float,
    verdict: Verdict,
    factors: Sequence[str] = (),
    intersection: bool = False,
    labels: Labels = None,
) -> Message:
    """Lowest over highest group mean (mean prediction, or mean absolute error). With
    legitimate ``factors`` (a raw mean-prediction ratio, informative), it says the factors may
    explain the gap and where the ratio given them is: the finding of the same ground, or of
    each ground alone for an ``intersection``."""
    g, m = ground_label(ground), METRIC_LABELS[metric]
    low, high = ci if ci is not None else (float("nan"), float("nan"))
    body = say(
        "fairness.mean_ratio",
        ground=g,
        metric=Message(m.zh, _lower(m.en)),
        worst=worst,
        best=best,
        worst_value=fmt_amount(worst_value),
        best_value=fmt_amount(best_value),
        value=fmt_ratio(value),
        level=fmt_level(verdict.level),
        low=fmt_ratio(low),
        high=fmt_ratio(high),
        threshold=fmt_ratio(threshold),
    )
    if factors:
        note = say(
            "fairness.mean_ratio.before_factors_each_ground"
            if intersection
            else "fairness.mean_ratio.before_factors",
            listed=feature_names(factors, labels),
            title=say("fairness.mean_conditional.ratio_after_legitimate_factors"),
        )
        body = body.join(note, sep_en="")
    body = body.join(verdict_tail(verdict))
    return with_recorded_outcomes(body) if metric == "mae" else body


def _level_gap(mean: float, reference: float, other: Message, log: bool) -> Message:
    """How a mean prediction stands to another's: "1.81 (25.5%) lower than for ..." (only the
    percentage for a gap measured on the log scale)."""
    diff, rel = mean - reference, mean / reference - 1
    if abs(rel) < 5e-4:
        return say("fairness.mean_conditional.same", other=other)
    share = fmt_pct(abs(rel))
    amount = (
        Message(share, share)
        if log
        else say("fairness.mean_conditional.amount", amount=fmt_amount(abs(diff)), share=share)
    )
    return say(
        "fairness.mean_conditional.higher" if diff > 0 else "fairness.mean_conditional.lower",
        amount=amount,
        other=other,
    )


def msg_mean_conditional(
    ground: str,
    verdict: Verdict,
    *,
    factors: Sequence[str],
    threshold: float,
    level: float,
    min_coverage: float,
    min_size: int,
    log: bool,
    labels: Labels = None,
) -> Message:
    """Message of the mean prediction after legitimate factors (numeric outputs): the group's
    mean prediction given the factors against the reference's, in the output's unit and in
    percent (percent only on the log scale), the ratio judged with its interval, the estimate
    that decides and the other, and the gap before the factors on the same scale."""
    c = verdict.comparison
    low, high = c.ci if c.ci is not None else (float("nan"), float("nan"))
    name = _estimate_name(c)
    group, other = sides(c)
    body = say(
        "fairness.mean_conditional",
        ground=ground_label(ground),
        listed=feature_names(factors, labels),
        group=group,
        gap=_level_gap(c.extra["mean"], c.extra["reference_mean"], other, log),
        name=name,
        value=fmt_ratio(c.value),
        level=fmt_level(level),
        low=fmt_ratio(low),
        high=fmt_ratio(high),
        threshold=fmt_ratio(threshold),
        raw=_level_gap(c.extra["observed"], c.extra["reference_observed"], other, log),
    )
    return _two_ways(
        body,
        verdict,
        lambda v: say("fairness.mean_conditional.regression_ratio", value=fmt_ratio(v)),
        fmt_ratio,
        min_size,
        min_coverage,
    )


def msg_log_needs_positive(ground: str, n: int) -> Message:
    """The mean prediction after legitimate factors on the log scale, with outputs that are
    not all positive."""
    return say(
        "fairness.mean_conditional.log_needs_positive", ground=ground_label(ground), n=f"{n:,}"
    )


def msg_residual(
    ground: str,
    *,
    worst: str,
    best: str,
    worst_value: float,
    best_value: float,
    value: float,
    ci: tuple[float, float],
    threshold: float,
    level: float,
    verdict: Verdict,
) -> Message:
    """Difference of mean errors, as a share of the mean actual value."""
    g = ground_label(ground)
    body = say(
        "fairness.residual.model_s_mean_error",
        ground=g,
        worst=worst,
        worst_value=fmt_amount(worst_value),
        best=best,
        best_value=fmt_amount(best_value),
        value=fmt_pct(value),
        level=fmt_level(verdict.level),
        ci_0=fmt_pct(ci[0]),
        ci_1=fmt_pct(ci[1]),
        threshold=fmt_pct(threshold),
    )
    return with_recorded_outcomes(body.join(verdict_tail(verdict)))


def msg_ground_not_provided(ground: str) -> Message:
    """Message for an Art. 72(2)(iv) ground the user did not provide."""
    label = ground_label(ground)
    return say("fairness.not_provided", ground=label)


def msg_no_outcomes(metric: str) -> Message:
    """Message for an outcome-based check when no ``y_true`` was given."""
    m = METRIC_LABELS[metric]
    return say("fairness.no_outcomes", metric=Message(m.zh, _lower(m.en)))


def msg_too_few_groups(
    ground: str, metric: str, min_size: int, small: Mapping[str, int], name: Message | None = None
) -> Message:
    """Message when fewer than two groups can be compared: those below ``min_size`` people,
    and those large enough but withheld to protect a smaller group (complementary
    suppression), each said for what it is."""
    g, m = ground_label(ground), metric_label(metric, name)

    def listed(part: dict[str, int]) -> Message:
        return listing([say("core.values.people", value=str(k), n=v) for k, v in part.items()])

    too_small = {k: v for k, v in small.items() if v < min_size}
    withheld = {k: v for k, v in small.items() if v >= min_size}
    below = Message("", "")
    if too_small:
        below = say("fairness.too_few_groups.below", listed=listed(too_small))
    if withheld:  # large enough, withheld by complementary suppression
        protected = say("fairness.too_few_groups.withheld", listed=listed(withheld))
        below = below.join(protected, sep_en="")
    return say(
        "fairness.too_few_groups",
        ground=g,
        metric=Message(m.zh, _lower(m.en)),
        min_size=min_size,
        small=below,
    )


def msg_no_favourable(ground: str, name: Message | None = None) -> Message:
    """Message when no group receives any favourable decision."""
    g = ground_label(ground)
    return say("fairness.no_favourable", ground=g, rate=rate_in_sentence(name))


def fmt_value(metric: str, value: float) -> str:
    """How a comparison's value is written: a ratio with 2 decimals, a gap in points with 1.

    >>> fmt_value("favorable_rate", 0.8304), fmt_value("selection_rate", 0.14359)
    ('0.83', '14.4')
    """
    if value is None or math.isnan(value):
        return "—"
    return fmt_ratio(value) if metric == "favorable_rate" else minus(f"{100 * value:.1f}")


def msg_reference_too_small(
    ground: str, metric: str, reference: str, min_size: int, name: Message | None = None
) -> Message:
    """The chosen reference group is too small for one rate."""
    g, m = ground_label(ground), metric_label(metric, name)
    return say(
        "fairness.reference_too_small",
        ground=g,
        metric=Message(m.zh, _lower(m.en)),
        reference=reference,
        min_size=min_size,
    )


def rate_label(
    metric: str,
    favorable_is_positive: bool = True,
    positive: object = None,
    name: Message | None = None,
) -> Message:
    """The name of a rate as a person reads it: the share of favourable decisions by
    :func:`rate_name` (``name``: the favourable decision's); when the positive label is the
    unfavourable decision, the share assigned it is named by that label.

    >>> rate_label("selection_rate").zh, rate_label("selection_rate", False, "reject").zh
    ('有利决定率', '获得“reject”决定的比例')
    """
    if metric == "selection_rate" and not favorable_is_positive:
        return say("fairness.rate_label.share_assigned", positive=positive)
    return metric_label(metric, name)


def _among(compared: int) -> Message:
    if compared <= 1:
        return Message("", "")
    return say("fairness.among", n=compared)


def _what_it_compares(metric: str, positive: object) -> Message:
    """What an outcome rate counts, when the positive label (``positive``) is not the
    favourable one: in words, the unfavourable decision, never the raw label."""
    if metric not in ("true_positive_rate", "false_positive_rate"):
        return Message("", "")
    m, e = METRIC_LABELS[metric], metric_explanation(metric, favourable=False)
    return Message(f"（{m.zh}：{e.zh}）", f" ({m.en}: {e.en})")


def msg_comparison(
    ground: str,
    metric: str,
    verdict: Verdict,
    *,
    threshold: float,
    level: float = 0.95,
    reference_rule: str = "best_off",
    groups: Sequence[str] = (),
    positive: object = None,
    favorable_is_positive: bool = True,
    name: Message | None = None,
    power: Message | None = None,
) -> Message:
    """Message of one rate compared between each group and the reference group (``name``: the
    favourable decision's, see :func:`rate_name`).

    ``metric="favorable_rate"`` is the four-fifths check (the value a ratio); any other metric
    is a difference of proportions, shown in percentage points. ``groups`` (every compared
    group) is given when every group has the same rate. ``power`` (the smallest gap the sample
    could show beyond the tolerance, :func:`szai_audit.fairness.power.power_sentence`) follows
    the result.
    """
    g, m = ground_label(ground), rate_label(metric, favorable_is_positive, positive, name)
    c = verdict.comparison
    if groups:  # every compared group has the same rate
        same = say(
            "fairness.equal",
            ground=g,
            metric=Message(m.zh, _lower(m.en)),
            groups=listing([say("core.values.quoted", value=str(x)) for x in groups]),
            rate=fmt_pct(c.extra.get("rate")),
        ).join(verdict_tail(verdict))
        return with_recorded_outcomes(same) if metric in _OUTCOME_RATES else same
    low, high = c.ci if c.ci is not None else (float("nan"), float("nan"))
    rule = REFERENCE_RULES.get(reference_rule, REFERENCE_RULES["best_off"])
    among = _among(verdict.compared)
    worst, best = sides(c)
    # The rule names the reference, which a mirrored pair names as the group worse off.
    if c.extra.get("mirrored"):
        worst = say("fairness.side_with_rule", side=worst, rule=rule)
    else:
        best = say("fairness.side_with_rule", side=best, rule=rule)
    body = say(
        "fairness.ratio" if metric == "favorable_rate" else "fairness.difference",
        ground=g,
        rate=rate_in_sentence(name),
        metric=Message(m.zh, _lower(m.en)),
        worst=c.group,
        worst_side=worst,
        best_side=best,
        worst_rate=fmt_pct(c.extra.get("rate")),
        best_rate=fmt_pct(c.extra.get("reference_rate")),
        value=fmt_value(metric, c.value),
        threshold=fmt_value(metric, threshold),
        low=fmt_value(metric, low),
        high=fmt_value(metric, high),
        level=fmt_level(verdict.level),
        among=among,
    )
    if not favorable_is_positive:
        body = body.join(_what_it_compares(metric, positive), sep_en="")
    body = body.join(verdict_tail(verdict))
    if power is not None:
        body = body.join(power)
    return with_recorded_outcomes(body) if metric in _OUTCOME_RATES else body


# --------------------------------------------------------------------------------------------
# Report notes and the method section
# --------------------------------------------------------------------------------------------


def regression_method_paragraphs(
    scope: Scope, policy: Policy, factors: Sequence[str] = (), labels: Labels = None
) -> list[Message]:
    """The method section of an audit of numeric outputs (``task="regression"``); with
    legitimate ``factors``, how the gap given them is measured and judged."""
    higher = scope.favorable_is_positive
    direction = (
        say("fairness.regression_method_paragraphs.higher_better")
        if higher
        else say("fairness.regression_method_paragraphs.lower_better")
    )
    level = fmt_level(policy.confidence_level)
    return [
        say(
            "fairness.regression_method_paragraphs.audit_covers_rows_model",
            n_rows=scope.n_rows,
            direction=direction,
            source=decision_source(scope.decision_rule),
        ),
        say("fairness.regression_method_paragraphs.each_group_mean_prediction", level=level),
        say(
            "fairness.regression_method_paragraphs.checks_smaller_group_mean",
            mean_prediction_ratio_min=fmt_ratio(policy.mean_prediction_ratio_min),
            mean_residual_difference_max=fmt_pct(policy.mean_residual_difference_max),
            mae_ratio_min=fmt_ratio(policy.mae_ratio_min),
        ),
        decision_rule_paragraph(policy).join(
            say(
                "fairness.regression_method_paragraphs.groups_too_small",
                min_group_size=policy.min_group_size,
            )
        ),
        *([_factors_paragraph(policy, factors, labels)] if factors else []),
        say("fairness.regression_method_paragraphs.privacy_report_holds_statistics"),
    ]


def _factors_paragraph(policy: Policy, factors: Sequence[str], labels: Labels) -> Message:
    """How the mean prediction after legitimate factors is measured and judged."""
    scale = (
        say("fairness.regression_method_paragraphs.scale_log")
        if policy.regression_gap_scale == "log"
        else say("fairness.regression_method_paragraphs.scale_difference")
    )
    return say(
        "fairness.regression_method_paragraphs.legitimate_factors",
        factors=feature_names(factors, labels),
        scale=scale,
        mean_prediction_ratio_min=fmt_ratio(policy.mean_prediction_ratio_min),
    )


def method_paragraphs(scope: Scope, policy: Policy) -> list[Message]:
    """The method section of a classification audit: what was measured and how findings are
    decided."""
    rate = rate_in_sentence(scope.favorable_name)
    paras = _scope_paragraphs(scope)
    paras.append(_threshold_paragraph(policy, rate))
    paras.append(_terms_paragraph(rate))
    paras.append(_worse_off_paragraph(scope))
    paras.extend(_decision_paragraphs(policy))
    if not scope.has_outcomes:
        paras.append(say("fairness.method_paragraphs.no_actual_outcomes_were", rate=rate))
    paras.append(_privacy_paragraph(policy))
    return paras


def _scope_paragraphs(scope: Scope) -> list[Message]:
    """What a classification audit covers and the rates it compares."""
    favourable = scope.favorable_is_positive
    positive = (
        say("fairness.scope_paragraphs.positive_favourable")
        if favourable
        else say("fairness.scope_paragraphs.positive_unfavourable")
    )
    if favourable and scope.favorable_name is not None:
        positive = say("fairness.scope_paragraphs.positive_named", name=scope.favorable_name)
    paras = [
        say(
            "fairness.scope_paragraphs.audit_covers_rows_decisions",
            n_rows=scope.n_rows,
            source=decision_source(scope.decision_rule),
            positive=positive,
        ),
        say("fairness.scope_paragraphs.every_metric_computed_exactly"),
    ]
    for m in ("selection_rate", "true_positive_rate", "false_positive_rate"):
        e = metric_explanation(m, favourable)
        label = metric_label(m, scope.favorable_name)
        paras.append(Message(f"{label.zh}：" + e.zh, f"{label.en}: " + e.en))
    return paras


def _threshold_paragraph(policy: Policy, rate: Message) -> Message:
    """How the ratio and difference checks are compared with their thresholds, and the terms
    they use (explained once, here)."""
    ratio = fmt_ratio(policy.selection_rate_ratio_min)
    dp = _points(policy.demographic_parity_max)
    tpr = _points(policy.true_positive_rate_difference_max)
    fpr = _points(policy.false_positive_rate_difference_max)
    return say(
        "fairness.threshold_paragraph.approval_rate_ratio_lowest",
        rate=rate,
        ratio=ratio,
        dp=dp,
        tpr=tpr,
        fpr=fpr,
    )


def _terms_paragraph(rate: Message) -> Message:
    """The fairness terms of the checks' titles, explained once."""
    return say("fairness.terms_paragraph.terms_demographic_parity_means", rate=rate)


def _worse_off_paragraph(scope: Scope) -> Message:
    """Which group is worse off, given which decision is favourable to the person."""
    if scope.favorable_is_positive:
        return say("fairness.worse_off_paragraph.worse_off_every_rate")
    return say("fairness.worse_off_paragraph.worse_off_unfavourable_decision")


def _decision_paragraphs(policy: Policy) -> list[Message]:
    """The small-group, uncertainty and decision rules of the checks."""
    paras: list[Message] = []
    paras.append(
        say(
            "fairness.decision_paragraphs.small_groups_rate_resting",
            min_group_size=policy.min_group_size,
        )
    )
    paras.append(
        say(
            "fairness.decision_paragraphs.uncertainty_every_rate_gap",
            confidence_level=fmt_level(policy.confidence_level),
            n_bootstrap=policy.n_bootstrap,
        )
    )
    paras.append(decision_rule_paragraph(policy))
    return paras


def _privacy_paragraph(policy: Policy) -> Message:
    """What the report discloses about individual rows."""
    return say(
        "fairness.privacy_paragraph.privacy_report_holds_statistics",
        min_group_size=policy.min_group_size,
        k=policy.k_anonymity,
    )


def trend_end(label: str, unit: Message | None = None) -> Message:
    """A trend's end in words: ``"P10 (24)"`` is ``第10百分位（24 岁）``.

    >>> trend_end("P10 (24)", Message("岁", "years")).zh
    '第10百分位（24 岁）'
    >>> trend_end("P90 (52.5)").en
    'the 90th percentile (52.5)'
    """
    head, _, rest = label.partition(" (")
    value = minus(rest.rstrip(")"))
    u = unit if unit is not None and unit.zh else None
    zh_v = f"{value} {u.zh}" if u else value
    en_v = f"{value} {u.en}" if u else value
    pct = head.lstrip("P")
    return say("fairness.trend_end.th_percentile", pct=pct, v=Message(zh_v, en_v))


def trend_about(c: Comparison, harm: Message, unit: Message | None = None) -> Message:
    """What a trend shown beyond the tolerance is about: one end of the attribute."""
    end = trend_end(c.group, unit)
    return say("fairness.trend_about.end_at", end=end, harm=harm)


def msg_trend(
    ground: str,
    verdict: Verdict,
    *,
    scale: str,
    metric: str,
    threshold: float,
    level: float,
    adjusted: Comparison | None = None,
    factors: Sequence[str] = (),
    labels: Labels = None,
    column: str | None = None,
    name: Message | None = None,
) -> Message:
    """A dose-response finding: the fitted line of ``metric`` (``name``: the favourable
    decision's) along a numeric ground, read between its 10th and 90th percentiles
    (``scale``: ``"points"`` for a rate, ``"ratio"`` for a mean), with the same gap given the
    factors (by display name) beside it; the ends in the ground's unit (``labels``)."""
    g, m = ground_label(ground), metric_label(metric, name)
    c = verdict.comparison
    unit = unit_of(ground, column, labels)
    p10, p90 = (
        trend_end(f"P10 ({c.extra['low']:.4g})", unit),
        trend_end(f"P90 ({c.extra['high']:.4g})", unit),
    )
    lo, hi = c.ci if c.ci is not None else (math.nan, math.nan)
    show = fmt_ratio if scale == "ratio" else _points
    levels = (
        (fmt_pct(c.extra["level_low"]), fmt_pct(c.extra["level_high"]))
        if scale == "points"
        else (fmt_amount(c.extra["level_low"]), fmt_amount(c.extra["level_high"]))
    )
    body = Message(
        f"{g.zh}（按数值本身，直线拟合，{c.extra['rows']:,} 行，HC1 稳健标准误）：{m.zh}从"
        f"{p10.zh}的 {levels[0]} 变为{p90.zh}的 {levels[1]}。",
        f"{first_upper(g.en)} (the numbers themselves, a straight-line fit on "
        f"{c.extra['rows']:,} rows, HC1 robust standard errors): the {_lower(m.en)} goes from "
        f"{levels[0]} at {p10.en} to {levels[1]} at {p90.en}.",
    )
    end, other = trend_end(c.group, unit), trend_end(c.reference, unit)
    interval = say("fairness.trend.ci", level=fmt_level(verdict.level), lo=show(lo), hi=show(hi))
    if scale == "ratio":
        body = body.join(
            say(
                "fairness.trend.worse_off_end_over",
                end=end,
                other=other,
                value=show(c.value),
                interval=interval,
                threshold=fmt_ratio(threshold),
            )
        )
    else:
        body = body.join(
            say(
                "fairness.trend.end_at_than_end",
                end=end,
                other=other,
                gap=_higher_lower(-c.value),
                interval=interval,
                threshold=show(threshold),
            )
        )
    if adjusted is not None:
        a_lo, a_hi = adjusted.ci if adjusted.ci is not None else (math.nan, math.nan)
        u = Message("", "") if scale == "ratio" else say("fairness.trend.points")
        names = feature_names(factors, labels)
        body = body.join(
            say(
                "fairness.trend.same_legitimate_factors_same",
                names=names,
                value=show(adjusted.value),
                u=u,
                level=fmt_level(level),
                a_lo=show(a_lo),
                a_hi=show(a_hi),
            )
        )
    about = trend_about(c, say("fairness.trend.worse_off"), unit)
    return body.join(verdict_tail(verdict, about))


def msg_trend_not_assessed(ground: str, reason: Message) -> Message:
    g = ground_label(ground)
    return say("fairness.trend_not_assessed.no_trend_along_numbers", ground=g, reason=reason)


# --------------------------------------------------------------------------------------------
# Page 1: the statements of the conclusion and the limits of the audit
# --------------------------------------------------------------------------------------------


def stmt_rates(
    ground: str,
    *,
    worst: str,
    worst_rate: float,
    best: str,
    best_rate: float,
    adjusted: tuple[float, tuple[float, float], Message] | None = None,
    level: float = 0.95,
    name: Message | None = None,
) -> Message:
    """Page 1: the favourable-decision rates of the worst- and best-off groups (``name``: the
    favourable decision's, see :func:`rate_name`) and, with legitimate factors, the gap left
    after them (``adjusted``: gap, interval, the factors' names).

    >>> m = stmt_rates("gender", worst="female", worst_rate=0.703, best="male",
    ...                best_rate=0.847, adjusted=(0.118, (0.018, 0.218), Message("“贷款金额”", "")))
    >>> m.zh[:51]
    '性别：“female”组有利决定率 70.3%，“male”组 84.7%，相差 14.4 个百分点；'
    >>> m.zh[51:]
    '控制“贷款金额”后仍差 11.8 个百分点（95% 置信区间 1.8 至 21.8）。'
    """
    g = ground_label(ground)
    gap = _points(best_rate - worst_rate)
    body = say(
        "fairness.stmt_rates.approval_rate_gap_percentage",
        ground=g,
        rate=rate_in_sentence(name),
        worst=worst,
        worst_rate=fmt_pct(worst_rate),
        best=best,
        best_rate=fmt_pct(best_rate),
        gap=gap,
    )
    if adjusted is None:
        return body.join(Message("。", "."), sep_en="")
    value, (low, high), factors = adjusted
    lv, lo, hi = fmt_level(level), _points(low), _points(high)
    still = say("fairness.stmt_rates.gap_still") if value > 0 else say("fairness.stmt_rates.gap")
    return body.join(
        say(
            "fairness.stmt_rates.after_adjusting_points_ci",
            factors=factors,
            still=still,
            value=_points(value),
            lv=lv,
            lo=lo,
            hi=hi,
        ),
        sep_en="",
    )


def stmt_too_small(
    ground: str, small: Mapping[str, int], min_size: int, name: Message | None = None
) -> Message:
    """Page 1: a ground whose groups are too small to judge (``small``: group -> people)."""
    g = ground_label(ground)
    listed = listing([say("core.values.group_people", value=str(k), n=v) for k, v in small.items()])
    return say(
        "fairness.stmt_too_small.groups_too_small_judge",
        ground=g,
        rate=rate_in_sentence(name),
        min_size=min_size,
        text=listed,
    )


def stmt_flip(
    ground: str, *, source: str, target: str, n: int, changed: float, prices: bool = False
) -> Message:
    """Page 1: what changing only the attribute did to the decisions (``prices``: to the
    prices, in a pricing audit, where a change counts beyond the price tolerance).

    >>> stmt_flip("nationality", source="否", target="是", n=13, changed=0.308).zh
    '国籍：只把国籍从“否”改为“是”、其他条件不变，13 人中 30.8% 的决定随之改变。'
    >>> stmt_flip("gender", source="女", target="男", n=30, changed=0.0, prices=True).zh
    '性别：只把性别从“女”改为“男”、其他条件不变，30 人中 0.0% 的价格变动超出容许幅度。'
    """
    g = ground_label(ground)
    return say(
        "fairness.stmt_flip.prices" if prices else "fairness.stmt_flip.decisions",
        ground=g,
        source=source,
        target=target,
        n=n,
        pct=fmt_pct(changed),
    )


def stmt_share(ground: str, share: float, limit: float) -> Message:
    """Page 1: the attribute's own share of the model's influence, beyond its limit."""
    g = ground_label(ground)
    return say(
        "fairness.stmt_share.itself_carries_model_s",
        ground=g,
        share=fmt_pct(share),
        limit=fmt_pct(limit),
    )


def stmt_stand_in(
    ground: str, feature: Message, auc: float, share: float | None, unused: bool
) -> Message:
    """Page 1: the model uses a stand-in for the attribute (a perfect proxy).

    >>> stmt_stand_in("gender", Message("婚姻状况与性别", "marital status and sex"), 1.0,
    ...               0.066, True).zh  # doctest: +ELLIPSIS
    '性别：模型未直接使用性别一栏，但“婚姻状况与性别”几乎完全等同于性别（AUC 1.000），...'
    """
    g = ground_label(ground)
    head = say("fairness.stmt_stand_in.model_does_not_use", ground=g) if unused else Message("", "")
    if share is not None and share > 0:
        uses = say(
            "fairness.stmt_stand_in.model_uses_through_carries", ground=g, share=fmt_pct(share)
        )
    else:
        uses = say("fairness.stmt_stand_in.model_can_use_through", ground=g)
    auc_text = fmt_ratio(auc, 3)
    return say(
        "fairness.stmt_stand_in.all_but_equals_auc",
        ground=g,
        head=head,
        feature=feature,
        auc_text=auc_text,
        uses=uses,
    )


def stmt_turned(n: int, up: int, down: int) -> Message:
    """Page 1: the decisions that would change without the contributions of the inputs tied
    to protected grounds (``up``: unfavourable ones becoming favourable; ``down``: the other
    way), of ``n`` explained.

    >>> stmt_turned(300, 26, 0).zh  # doctest: +ELLIPSIS
    '300 个决定中有 26 个（8.7%）在不计与受保护特征相关的输入的影响时会改变（26 个不利决定...'
    >>> stmt_turned(300, 0, 0).en  # doctest: +ELLIPSIS
    'None of 300 decisions would change without the contributions of the inputs tied to ...'
    """
    k = up + down
    if not k:
        return say("fairness.stmt_turned.none", n=n)
    return say("fairness.stmt_turned.some", n=n, k=k, share=fmt_pct(k / n), up=up, down=down)


def action_turned() -> Message:
    """Page 1: what to do about decisions that rest on inputs tied to protected grounds."""
    return say("fairness.action_turned.review_decisions")


def action_rates(ground: str, failed: bool, name: Message | None = None) -> Message:
    """Page 1: what to do about a favourable-decision rate gap beyond (or possibly beyond)
    tolerance."""
    g, rate = ground_label(ground), rate_in_sentence(name)
    if failed:
        return say("fairness.action_rates.give_legitimate_reason_approval", ground=g, rate=rate)
    return say("fairness.action_rates.check_approval_rate_gap", ground=g, rate=rate)


def action_attribute(ground: str, proxies: Message | None = None) -> Message:
    """Page 1: what to do when the model treats people differently by the attribute
    (``proxies``: its proxies' names, listed; none when empty or None)."""
    g = ground_label(ground)
    if proxies is None or not proxies.zh:
        return say("fairness.action_attribute.without_proxies", ground=g)
    return say("fairness.action_attribute.state_legitimate_reason_model", ground=g, proxies=proxies)


def action_stand_in(feature: Message) -> Message:
    """Page 1: what to do about an input that stands in for the attribute."""
    return say("fairness.action_stand_in.state_legitimate_reason_using", feature=feature)


def limit_small_groups(ground: str, small: Mapping[str, int], min_size: int) -> Message:
    """Limits: the groups of a ground too small to judge, with their sizes."""
    g = ground_label(ground)
    listed = listing([say("core.values.people", value=str(k), n=v) for k, v in small.items()])
    return say(
        "fairness.limit_small_groups.these_groups_have_fewer",
        ground=g,
        min_size=min_size,
        text=listed,
    )


def limit_not_provided(grounds: Sequence[str]) -> Message:
    """Limits: the grounds Art. 72(2)(iv) names that the audit was not given."""
    labels = [ground_label(g) for g in grounds]
    return Message(
        f"未提供{'、'.join(m.zh for m in labels)}的数据，未检查是否存在基于这些事由的区别对待"
        f"（第七十二条第二款第（四）项）。",
        f"No data was given for {', '.join(m.en for m in labels)}; differences in treatment on "
        f"these grounds (Art. 72(2)(iv)) were not checked.",
    )
