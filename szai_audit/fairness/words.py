"""Every Art. 72(2)(iv) sentence a person reads, in Chinese (zh-CN) and English.

Nothing here computes: callers pass the numbers, this module turns them into text from fixed
templates, so the Chinese and English versions are written side by side and a reviewer can read
all of them at once. The number formats are those of :mod:`szai_audit.core.messages`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from ..core.grounds import ground_label
from ..core.judging import OUTCOME_PASS, Comparison, Verdict, disagreement, sides, verdict_tail
from ..core.messages import (
    Message,
    fill,
    first_upper,
    fmt_amount,
    fmt_level,
    fmt_pct,
    fmt_ratio,
    minus,
)
from ..core.policy import Policy
from ..core.scope import Scope

#: ``feature_labels={column: (zh, en[, unit])}``, as the audit was given them (or None).
Labels = Mapping[str, Sequence[str]] | None

__all__ = [
    "FLIP_BEYOND",
    "GROUND_UNITS",
    "METRIC_EXPLANATIONS",
    "METRIC_LABELS",
    "Labels",
    "method_paragraphs",
    "regression_method_paragraphs",
    "unit_of",
]


METRIC_LABELS: dict[str, Message] = {
    "count": Message("人数", "Count"),
    "selection_rate": Message("批准率", "Approval rate"),
    "favorable_rate": Message("批准率", "Approval rate"),
    "true_positive_rate": Message("真阳性率", "True-positive rate"),
    "false_positive_rate": Message("假阳性率", "False-positive rate"),
    "false_negative_rate": Message("假阴性率", "False-negative rate"),
    "precision": Message("精确率", "Precision"),
    "accuracy": Message("准确率", "Accuracy"),
    "mean_score": Message("平均评分", "Mean score"),
    "auc": Message("排序准确度（AUC）", "Ranking accuracy (AUC)"),
    "calibration_offset": Message("校准偏差", "Calibration offset"),
    "positive_rate_at_threshold": Message("阈值处正类比例", "Positive rate at threshold"),
    "mean_prediction": Message("平均预测值", "Mean prediction"),
    "mean_outcome": Message("平均实际值", "Mean actual value"),
    "mean_residual": Message("平均误差（预测 − 实际）", "Mean error (prediction − actual)"),
    "mae": Message("平均绝对误差", "Mean absolute error"),
}

METRIC_EXPLANATIONS: dict[str, Message] = {
    "selection_rate": Message(
        "模型给出有利决定（“{pos}”）的人所占比例。",
        "Share of people the model gives the favourable decision (“{pos}”).",
    ),
    "true_positive_rate": Message(
        "实际结果为“{pos}”的人中，模型也判为“{pos}”的比例。",
        "Among people whose actual outcome was “{pos}”, the share the model also assigns “{pos}”.",
    ),
    "false_positive_rate": Message(
        "实际结果不是“{pos}”的人中，模型却判为“{pos}”的比例。",
        "Among people whose actual outcome was not “{pos}”, the share the model still assigns "
        "“{pos}”.",
    ),
    "false_negative_rate": Message(
        "实际结果为“{pos}”的人中，模型未判为“{pos}”的比例。",
        "Among people whose actual outcome was “{pos}”, the share the model does not assign "
        "“{pos}”.",
    ),
    "precision": Message(
        "模型判为“{pos}”的人中，实际结果也为“{pos}”的比例。",
        "Among people the model assigns “{pos}”, the share whose actual outcome was “{pos}”.",
    ),
    "accuracy": Message(
        "模型决定与实际结果一致的比例。", "Share of decisions that match the actual outcome."
    ),
    "mean_score": Message("模型评分的平均值。", "Average of the model's score."),
}


# --------------------------------------------------------------------------------------------
# Number formatting, the same in both languages so that the two texts carry equal numbers.
# --------------------------------------------------------------------------------------------


# --------------------------------------------------------------------------------------------
# Finding messages
# --------------------------------------------------------------------------------------------

_NOT_PROVIDED = Message(
    "未提供“{zh}”对应的数据，第七十二条第二款第（四）项关于{zh}的歧视未作检查。",
    "No data was provided for {en}; discrimination by {en} under Art. 72(2)(iv) was not checked.",
)

_NO_OUTCOMES = Message(
    "未提供实际结果（y_true），{metric_zh}无法计算，本项未评估。",
    "No actual outcomes (y_true) were provided, so the {metric_en} cannot be computed; this "
    "check was not assessed.",
)

_TOO_FEW_GROUPS = Message(
    "{ground_zh}：人数达到 {min_size} 人的组少于两个，组太小，无法判断{metric_zh}是否有差距。"
    "{small_zh}",
    "{ground_en}: fewer than two groups have the {min_size} people needed to compare the "
    "{metric_en}; the groups are too small to judge.{small_en}",
)

_NO_FAVOURABLE = Message(
    "{ground_zh}：所有组的批准率均为 0，比率无定义，本项未评估。",
    "{ground_en}: no group received any favourable decision, so the ratio is undefined; this "
    "check was not assessed.",
)

_RATIO = Message(
    "{ground_zh}：{worst_zh}的批准率为 {worst_rate}，{best_zh}（{rule_zh}）为 "
    "{best_rate}，二者之比为 {value}（{level}置信区间 {low} 至 {high}）；容许下限为 "
    "{threshold}。{among_zh}",
    "{ground_en}: the approval rate is {worst_rate} for {worst_en} and {best_rate} for "
    "{best_en} ({rule_en}); the ratio is {value} ({level} CI "
    "{low} to {high}), and the tolerance is at least {threshold}.{among_en}",
)

_EQUAL = Message(
    "{ground_zh}：所有参与比较的组（{groups_zh}）{metric_zh}相同，均为 {rate}。",
    "{ground_en}: every compared group ({groups_en}) has the same {metric_en}, {rate}.",
)

_DIFFERENCE = Message(
    "{ground_zh}：{metric_zh}在{worst_zh}为 {worst_rate}，在{best_zh}（{rule_zh}）为 "
    "{best_rate}，相差 {value} 个百分点（{level}置信区间 {low} 至 {high}），“{worst}”组处于"
    "不利地位；容许上限为 {threshold} 个百分点。{among_zh}",
    "{ground_en}: the {metric_en} is {worst_rate} for {worst_en} and {best_rate} for "
    "{best_en} ({rule_en}), a gap of {value} percentage points ({level} CI {low} to {high}) "
    "to the disadvantage of “{worst}”; the tolerance is {threshold} points.{among_en}",
)

#: How the reference group of a comparison was chosen.
REFERENCE_RULES: dict[str, Message] = {
    "best_off": Message("处境最好的组", "the best-off group"),
    "chosen": Message("由审计指定", "chosen by the audit"),
}

_AMONG = Message(
    "共有 {n} 个组与参照组比较，此为差距最大者。",
    " Of the {n} groups compared with the reference, this is the largest gap.",
)

_REFERENCE_TOO_SMALL = Message(
    "{ground_zh}：参照组“{reference}”计算{metric_zh}所依据的人数少于 {min_size} 人，无法与之比较；"
    "本项数据不足。",
    "{ground_en}: the reference group “{reference}” has fewer than {min_size} people behind its "
    "{metric_en}, so no group can be compared with it; insufficient data.",
)


_INTERSECTION_TOO_LARGE = Message(
    "{ground_zh}：全部事由的交叉组合有 {n} 个组，超过上限 {max}，未逐组比较；"
    "各两两交叉组合已评估。",
    "{ground_en}: the intersection of all grounds has {n} groups, more than the limit of {max}, "
    "so it was not compared group by group; every pair of grounds was assessed.",
)


def msg_intersection_too_large(ground: str, n: int, limit: int) -> Message:
    """Message when the full intersection has too many groups."""
    g = ground_label(ground)
    return fill(_INTERSECTION_TOO_LARGE, ground_zh=g.zh, ground_en=g.en, n=n, max=limit)


_NO_SCORES = Message(
    "模型未提供评分（如 predict_proba），也未给出 y_score，评分类检查未评估。",
    "The model gives no score (such as predict_proba) and no y_score was given, so score "
    "checks were not assessed.",
)
_NOT_PROBABILITIES = Message(
    "评分不在 0 到 1 之间，不是概率，无法检查校准，本项未评估。",
    "The scores are not probabilities (not all within 0 to 1), so calibration cannot be "
    "checked; this check was not assessed.",
)
_AUC = Message(
    "{ground_zh}：模型对“{worst}”组的排序准确度（AUC {worst_auc}）"
    "低于“{best}”组（AUC {best_auc}），相差 {value}（{level}置信区间 {low} 至 {high}）；"
    "容许上限为 {threshold}。",
    "{ground_en}: the model ranks people less accurately for “{worst}” (AUC {worst_auc}) than "
    "for “{best}” (AUC {best_auc}), a difference of {value} ({level} CI {low} to {high}); the "
    "tolerance is {threshold}.",
)
_CALIBRATION = Message(
    "{ground_zh}：相同评分下各组的实际结果不同（实际为{outcome_zh}的比例与评分所预测的比例相比："
    "“{worst}”组{worst_zh}，“{best}”组{best_zh}），两组相差 {value} 个百分点"
    "（{level}置信区间 {low} 至 {high}）；容许上限为 {threshold} 个百分点。",
    "{ground_en}: at the same score, actual outcomes differ by group (the actual share with "
    "{outcome_en} against the share the scores predict: {worst_en} for “{worst}”, {best_en} "
    "for “{best}”), a difference of {value} points ({level} CI {low} to {high}); the "
    "tolerance is {threshold} points.",
)


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
        return Message(f"高 {size} 个百分点", f"{size} points higher")
    return Message(f"低 {size} 个百分点", f"{size} points lower")


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
    body = fill(
        _AUC,
        ground_zh=g.zh,
        ground_en=first_upper(g.en),
        worst=worst,
        best=best,
        worst_auc=fmt_ratio(worst_auc, 3),
        best_auc=fmt_ratio(best_auc, 3),
        value=fmt_ratio(value, 3),
        low=fmt_ratio(ci[0], 3),
        high=fmt_ratio(ci[1], 3),
        threshold=fmt_ratio(threshold, 3),
        level=fmt_level(level),
    )
    return body.join(verdict_tail(verdict))


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
        Message("有利结果", "the favourable outcome")
        if favorable_is_positive
        else Message(f"“{positive_label}”", f"“{positive_label}”")
    )
    w, b = _higher_lower(worst_offset), _higher_lower(best_offset)
    body = fill(
        _CALIBRATION,
        ground_zh=g.zh,
        ground_en=first_upper(g.en),
        outcome_zh=outcome.zh,
        outcome_en=outcome.en,
        worst=worst,
        best=best,
        worst_zh=w.zh,
        worst_en=w.en,
        best_zh=b.zh,
        best_en=b.en,
        value=_points(value),
        low=_points(ci[0]),
        high=_points(ci[1]),
        threshold=_points(threshold),
        level=fmt_level(level),
    )
    return body.join(verdict_tail(verdict))


def feature_name(name: str, labels: Labels = None) -> Message:
    """Display name of a model input from ``feature_labels={column: (zh, en[, unit])}``; the
    raw name when it has none.

    >>> feature_name("purpose", {"purpose": ("贷款用途", "loan purpose")}).zh
    '贷款用途'
    >>> feature_name("x").en
    'x'
    """
    spec = (labels or {}).get(name)
    if not spec:
        return Message(name, name)
    return Message(str(spec[0]), str(spec[1]))


def feature_names(names: Sequence[str], labels: Labels = None) -> Message:
    """Display names of inputs, each quoted once: ``“贷款金额”、“贷款期限”``."""
    shown = [feature_name(str(n), labels) for n in names]
    return Message("、".join(f"“{m.zh}”" for m in shown), ", ".join(f"“{m.en}”" for m in shown))


def unit_of(ground: str, column: str | None, labels: Labels) -> Message:
    """The unit of a numeric ground: the third element of its column's feature label
    (``"岁/years"``), else the usual unit of a known ground (age: years), else none."""
    spec = (labels or {}).get(column or ground)
    if spec and len(spec) > 2 and str(spec[2]):
        zh, _, en = str(spec[2]).partition("/")
        return Message(zh.strip(), (en or zh).strip())
    return GROUND_UNITS.get(ground, Message("", ""))


#: The unit of a numeric ground when its feature label gives none.
GROUND_UNITS: dict[str, Message] = {"age": Message("岁", "years")}


def _auc_with_ci(c: Comparison, level: float) -> Message:
    lo, hi = c.ci if c.ci is not None else (math.nan, math.nan)
    v, a, b = fmt_ratio(c.value, 3), fmt_ratio(lo, 3), fmt_ratio(hi, 3)
    lv = fmt_level(level)
    return Message(f"AUC {v}，{lv}置信区间 {a} 至 {b}", f"AUC {v}, {lv} CI {a} to {b}")


def msg_stand_in(ground: str, feature: str, auc: float, labels: Labels = None) -> Message:
    """The sentence for an input that is all but the attribute itself (a perfect proxy:
    cross-validated AUC of at least :data:`~szai_audit.fairness.proxies.PERFECT_PROXY_AUC`)."""
    g, f = ground_label(ground), feature_name(feature, labels)
    return Message(
        f"“{f.zh}”几乎完全等同于{g.zh}（AUC {fmt_ratio(auc, 3)}），模型即使不使用{g.zh}一栏，"
        f"也能通过它使用{g.zh}信息。",
        f"“{f.en}” all but equals {g.en} (AUC {fmt_ratio(auc, 3)}): even without the {g.en} "
        f"column, the model can use {g.en} through it.",
    )


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
            Message(
                f"{g.zh}：数据表明以下输入对{g.zh}的预测能力超过阈值（单侧检验，多重比较校正后 "
                f"p < {alpha:g}）：{single.zh}。",
                f"{first_upper(g.en)}: the data show these inputs predicting {g.en} beyond the "
                f"limit (one-sided test, adjusted p < {alpha:g}): {single.en}.",
            )
            if single.zh
            else Message(
                f"{g.zh}：单个输入都不足以代替{g.zh}，但数据表明全部输入合起来的预测能力超过阈值。",
                f"{first_upper(g.en)}: no single input is shown to stand in for {g.en}, but the "
                f"data show all inputs together predicting it beyond the limit.",
            )
        )
        return head, Message(
            "即使模型不使用该属性本身，也可能通过这些输入区别对待；代理变量本身不等于歧视，"
            "请结合控制正当因素后的差异核查，或说明使用这些输入的正当理由。结论：警示。",
            "Even without the attribute itself, the model can treat people differently through "
            "them; a proxy is not discrimination by itself, so check them against the gap after "
            "legitimate factors, or give the legitimate reason for using them. Result: warning.",
        )
    if unsure:
        near = listing(unsure)
        head = Message(
            f"{g.zh}：以下输入预测{g.zh}的置信区间达到阈值，但数据不足以表明超过阈值："
            f"{near.zh or '全部输入合起来'}。",
            f"{first_upper(g.en)}: the intervals of these inputs predicting {g.en} reach the "
            f"limit, but the data do not show them beyond it: {near.en or 'all inputs together'}.",
        )
        return head, Message(
            "结论：警示，无法确定，建议用更多数据复核。",
            "Result: warning, inconclusive; check it with more data.",
        )
    inputs = [c for c, _ in verdict.every if c.group != together]
    top = max(inputs, key=lambda c: c.value) if inputs else verdict.comparison
    name, auc = feature_name(top.group, labels), _auc_with_ci(top, level)
    head = Message(
        f"{g.zh}：没有输入能很好地预测{g.zh}（最高为“{name.zh}”，{auc.zh}，整个区间低于阈值）。",
        f"{first_upper(g.en)}: no input predicts {g.en} well (highest: “{name.en}”, {auc.en}, "
        f"the whole interval below the limit).",
    )
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
) -> Message:
    """Message of the proxy check: the inputs shown to predict the attribute beyond their
    limit, those whose interval reaches it, or the best one (by display name, AUCs with 3
    decimals and their intervals), then all inputs together and the limits; ``stand_in``
    (an input and its AUC) names an input that all but equals the attribute."""
    g = ground_label(ground)
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
        together_text = Message(
            f"全部输入合起来预测{g.zh}：{auc.zh}。",
            f"All inputs together predict {g.en} with {auc.en}.",
        )
    limits = Message(
        f"单个输入的阈值为 AUC {threshold:.3f}，全部输入合起来为 {all_threshold:.3f}。",
        f"The limit is AUC {threshold:.3f} for one input and {all_threshold:.3f} for all "
        f"inputs together.",
    )
    body = head.join(together_text).join(limits)
    if stand_in is not None:
        body = body.join(msg_stand_in(ground, stand_in[0], stand_in[1], labels))
    return body.join(tail)


def msg_proxy_no_data(ground: str) -> Message:
    """Proxy check without input data."""
    g = ground_label(ground)
    return Message(
        f"{g.zh}：未提供模型输入数据（data），无法检查代理变量，本项未评估。",
        f"{first_upper(g.en)}: no model inputs (data) were given, so proxies cannot be "
        f"checked; this check was not assessed.",
    )


def msg_proxy_too_few(ground: str, left_out: Mapping[str, int]) -> Message:
    """Proxy check when too few groups are large enough to cross-validate."""
    g = ground_label(ground)
    listed = ", ".join(f"“{k}” ({v})" for k, v in left_out.items())
    listed_zh = "、".join(f"“{k}”（{v}）" for k, v in left_out.items())
    return Message(
        f"{g.zh}：人数足以交叉验证的组少于两个（人数过少的组：{listed_zh}），无法检查代理变量。",
        f"{first_upper(g.en)}: fewer than two groups have enough people to cross-validate "
        f"(groups too small: {listed}), so proxies cannot be checked.",
    )


def msg_proxy_all_inputs_capped(ground: str, n_groups: int, cap: int) -> Message:
    """The note of a proxy finding whose all-inputs model was not fitted (too many groups)."""
    g = ground_label(ground)
    return Message(
        f"{g.zh}有 {n_groups:,} 个组，多于 {cap} 个，未拟合“全部输入合起来”的模型"
        f"（其计算量随组数增长），只评估了单个输入；所有输入合起来揭示该属性的程度未评估。",
        f"{first_upper(g.en)} has {n_groups:,} groups, more than {cap}, so the model of all "
        f"inputs together was not fitted (its cost grows with the groups); single inputs were "
        f"ranked, and how far all inputs together reveal the attribute was not assessed.",
    )


def msg_proxy_no_features(ground: str) -> Message:
    """Proxy check with no feature left to rank."""
    g = ground_label(ground)
    return Message(
        f"{g.zh}：除该属性本身外没有其他输入，代理变量检查未评估。",
        f"{first_upper(g.en)}: there is no input besides the attribute itself, so proxies "
        f"were not assessed.",
    )


def msg_flip_not_assessed(ground: str, reason: str) -> Message:
    """Flip test that cannot run."""
    g = ground_label(ground)
    if reason == "no_model":
        return Message(
            f"{g.zh}：仅有决定记录、没有模型，无法做反事实翻转检验，本项未评估。",
            f"{first_upper(g.en)}: only decisions were given, not the model, so the flip test "
            f"cannot run; this check was not assessed.",
        )
    return Message(
        f"{g.zh}：该属性不是模型输入，不存在直接使用；间接影响见代理变量检查。本项未评估。",
        f"{first_upper(g.en)}: the attribute is not a model input, so it cannot be used "
        f"directly; indirect use is covered by the proxy check. Not assessed.",
    )


#: The ending of a flip test beyond its tolerance: what the change shows, calibrated.
FLIP_BEYOND = Message(
    "表明模型依据该属性区别对待；如无正当理由，可能构成第七十二条第二款第（四）项所禁止的歧视。"
    "结论：超出本审计设定的容许范围。",
    "This shows that the model treats people differently by this attribute; without a "
    "legitimate reason this may be discrimination of the kind Art. 72(2)(iv) forbids. Result: "
    "beyond the tolerance this audit set.",
)


def _score_shift(score_change: float | None, outputs: Message, numeric: bool) -> Message:
    """The mean change of the score (or of a numeric output) in words, no sign."""
    if score_change is None:
        return Message("", "")
    size = f"{abs(score_change):,.4g}" if numeric else f"{abs(score_change):.3f}"
    zh_name = outputs.zh if numeric else "评分"
    en_name = f"on average the {outputs.en}" if numeric else "the mean score"
    if score_change == 0:
        verb0 = "do not change" if numeric else "does not change"
        return Message(f"，{zh_name}平均不变", f"; {en_name} {verb0}")
    up = score_change > 0
    verb = ("rise" if up else "fall") if numeric else ("rises" if up else "falls")
    return Message(
        f"，{zh_name}平均{'上升' if up else '下降'} {size}", f"; {en_name} {verb} by {size}"
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
) -> Message:
    """Message of the counterfactual flip test (``numeric``: outputs are numbers, a change
    counting when larger than ``change_rtol`` of the value; ``outputs``: what they are called,
    decisions by default, predictions for numbers; ``stand_in``: the sentence of an input that
    all but equals the attribute, which turns a pass into a case for review)."""
    g = ground_label(ground)
    if outputs is None:
        outputs = Message("预测值", "predictions") if numeric else Message("决定", "decisions")
    if numeric and change_rtol > 0:
        moved = Message(
            f"的{outputs.zh}随之变动超过 {fmt_pct(change_rtol)}",
            f"of their {outputs.en} by more than {fmt_pct(change_rtol)}",
        )
    else:
        moved = Message(f"的{outputs.zh}随之改变", f"of their {outputs.en}")
    shift = _score_shift(score_change, outputs, numeric)
    body = Message(
        f"{g.zh}：对“{source}”组的 {n_rows:,} 人只把{g.zh}从“{source}”改为“{target}”、"
        f"其他条件不变，其中 {fmt_pct(changed)} {moved.zh}（{fmt_pct(to_favourable)} 变为有利，"
        f"{fmt_pct(to_unfavourable)} 变为不利{shift.zh}）；容许上限为 {fmt_pct(tolerance)}。",
        f"{first_upper(g.en)}: changing only {g.en} from “{source}” to “{target}” for the "
        f"{n_rows:,} people of “{source}”, everything else equal, changes {fmt_pct(changed)} "
        f"{moved.en} ({fmt_pct(to_favourable)} to favourable, {fmt_pct(to_unfavourable)} to "
        f"unfavourable{shift.en}); the tolerance is {fmt_pct(tolerance)}.",
    )
    if failed:
        return body.join(FLIP_BEYOND)
    if stand_in is not None:
        if score_change == 0 and changed == 0:
            body = body.join(
                Message(
                    f"评分完全不变，说明模型未直接使用{g.zh}一栏。",
                    f"The score does not move at all: the model does not use the {g.en} "
                    f"column itself.",
                )
            )
        return body.join(stand_in).join(
            Message(
                f"只改变{g.zh}一栏而保留这一输入，检验无法说明模型是否依据{g.zh}区别对待。"
                f"结论：须人工复核（例如同时改变该输入后重新检验，或说明使用它的正当理由）。",
                f"Changing only the {g.en} column while keeping that input cannot show whether "
                f"the model treats people differently by {g.en}. Result: needs review (for "
                f"example, test again changing that input too, or give the legitimate reason "
                f"for using it).",
            )
        )
    return body.join(OUTCOME_PASS)


_REGRESSION_ONLY = Message(
    "两组共有的分层覆盖的记录太少（该组 {covered} 行、参照组 {ref_covered} 行，占该组 "
    "{coverage}；要求各至少 {min_size} 行且不低于 {min_coverage}），分层估计不可靠，"
    "以下按回归调整估计判断。",
    " The strata the two groups share hold too few rows ({covered} of the group, {ref_covered} "
    "of the reference, {coverage} of the group's rows; at least {min_size} each and "
    "{min_coverage} are needed), so the stratified estimate is not used and the "
    "regression-adjusted one decides.",
)


def _gap_words(group: Message, value: float) -> Message:
    """Who a gap after the factors harms, in words (``value`` positive: ``group`` worse off)."""
    if value > 0:
        return Message(f"，{group.zh}处于不利地位", f", to the disadvantage of {group.en}")
    return Message(f"，{group.zh}并未处于不利地位", f"; {group.en} is not worse off")


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
) -> Message:
    """Message of the gap after legitimate factors (named by their display names): the
    estimate that decides (stratified, or regression-adjusted when the strata cover too few
    rows), the other, and the raw gap; gaps in percentage points, positive when the group is
    worse off than the reference, and said so in words."""
    g = ground_label(ground)
    c = verdict.comparison
    listed = feature_names(factors, labels)
    low, high = c.ci if c.ci is not None else (float("nan"), float("nan"))
    name = (
        Message("分层法", "stratified")
        if c.extra.get("estimate") == "stratified"
        else Message("回归调整法", "regression adjustment")
    )
    group, other = sides(c)
    harm = _gap_words(group, c.value)
    body = Message(
        f"{g.zh}：控制正当因素（{listed.zh}）后，{group.zh}与{other.zh}的批准率差距为 "
        f"{_points(c.value)} 个百分点（{name.zh}，{fmt_level(level)}置信区间 {_points(low)} 至 "
        f"{_points(high)}）{harm.zh}；未调整时差距为 {_points(c.extra['raw'])} 个百分点；"
        f"容许上限为 {_points(threshold)} 个百分点。",
        f"{first_upper(g.en)}: after adjusting for the legitimate factors ({listed.en}), the "
        f"approval-rate gap between {group.en} and {other.en} is {_points(c.value)} percentage "
        f"points ({name.en}, {fmt_level(level)} CI {_points(low)} to {_points(high)}){harm.en}; "
        f"unadjusted it is {_points(c.extra['raw'])} points; the tolerance is "
        f"{_points(threshold)} points.",
    )
    if c.extra.get("estimate") == "regression":
        body = body.join(
            fill(
                _REGRESSION_ONLY,
                covered=f"{c.extra['covered']:,}",
                ref_covered=f"{c.extra['reference_covered']:,}",
                coverage=fmt_pct(c.extra["coverage"]),
                min_size=min_size,
                min_coverage=fmt_pct(min_coverage),
            ),
            sep_en="",
        )
    elif verdict.other is not None:
        body = body.join(
            Message(
                f"回归调整法估计的差距为 {_points(verdict.other.value)} 个百分点。",
                f" The regression-adjusted gap is {_points(verdict.other.value)} points.",
            ),
            sep_en="",
        )
    if verdict.disagree and verdict.other is not None:
        body = body.join(disagreement(verdict, _points), sep_en="")
    return body.join(verdict_tail(verdict))


def msg_not_positive(ground: str) -> Message:
    """Ratio checks on outputs that are not all positive."""
    g = ground_label(ground)
    return Message(
        f"{g.zh}：各组平均值并非都为正数，比值没有意义，本项未评估；请参考差值。",
        f"{first_upper(g.en)}: the group means are not all positive, so a ratio is "
        f"meaningless; this check was not assessed (see the differences).",
    )


def msg_perfect(ground: str) -> Message:
    """Every compared group predicted without error."""
    g = ground_label(ground)
    return Message(
        f"{g.zh}：各组预测均无误差。结论：通过。",
        f"{first_upper(g.en)}: every compared group is predicted without error. Result: pass.",
    )


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
) -> Message:
    """Lowest over highest group mean (mean prediction, or mean absolute error)."""
    g, m = ground_label(ground), METRIC_LABELS[metric]
    low, high = ci if ci is not None else (float("nan"), float("nan"))
    body = Message(
        f"{g.zh}：{m.zh}在“{worst}”组为 {fmt_amount(worst_value)}，在“{best}”组为 "
        f"{fmt_amount(best_value)}，较小值与较大值之比为 {fmt_ratio(value)}"
        f"（{fmt_level(level)}置信区间 {fmt_ratio(low)} 至 {fmt_ratio(high)}）；"
        f"要求不低于 {fmt_ratio(threshold)}。",
        f"{first_upper(g.en)}: the {_lower(m.en)} is {fmt_amount(worst_value)} for “{worst}” "
        f"and {fmt_amount(best_value)} for “{best}”; the smaller over the larger is "
        f"{fmt_ratio(value)} ({fmt_level(level)} CI {fmt_ratio(low)} to "
        f"{fmt_ratio(high)}), and the policy requires at least {fmt_ratio(threshold)}.",
    )
    return body.join(verdict_tail(verdict))


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
    body = Message(
        f"{g.zh}：模型平均误差（预测 − 实际）在“{worst}”组为 {fmt_amount(worst_value)}，"
        f"在“{best}”组为 {fmt_amount(best_value)}，差距相当于平均实际值的 {fmt_pct(value)}"
        f"（{fmt_level(level)}置信区间 {fmt_pct(ci[0])} 至 {fmt_pct(ci[1])}）；容许上限为 "
        f"{fmt_pct(threshold)}。",
        f"{first_upper(g.en)}: the model's mean error (prediction − actual) is "
        f"{fmt_amount(worst_value)} for “{worst}” and {fmt_amount(best_value)} for “{best}”, a "
        f"difference of {fmt_pct(value)} of the mean actual value ({fmt_level(level)} CI "
        f"{fmt_pct(ci[0])} to {fmt_pct(ci[1])}); the tolerance is {fmt_pct(threshold)}.",
    )
    return body.join(verdict_tail(verdict))


def msg_ground_not_provided(ground: str) -> Message:
    """Message for an Art. 72(2)(iv) ground the user did not provide."""
    label = ground_label(ground)
    return fill(_NOT_PROVIDED, zh=label.zh, en=label.en)


def msg_no_outcomes(metric: str) -> Message:
    """Message for an outcome-based check when no ``y_true`` was given."""
    m = METRIC_LABELS[metric]
    return fill(_NO_OUTCOMES, metric_zh=m.zh, metric_en=_lower(m.en))


def msg_too_few_groups(
    ground: str, metric: str, min_size: int, small: Mapping[str, int]
) -> Message:
    """Message when fewer than two groups are large enough to compare."""
    g, m = ground_label(ground), METRIC_LABELS[metric]
    if small:
        listed = ", ".join(f"“{k}” ({v:,} people)" for k, v in small.items())
        listed_zh = "、".join(f"“{k}”（{v:,} 人）" for k, v in small.items())
        small_zh = f"人数不足的组：{listed_zh}。"
        small_en = f" Groups below the minimum: {listed}."
    else:
        small_zh = small_en = ""
    return fill(
        _TOO_FEW_GROUPS,
        ground_zh=g.zh,
        ground_en=first_upper(g.en),
        metric_zh=m.zh,
        metric_en=_lower(m.en),
        min_size=min_size,
        small_zh=small_zh,
        small_en=small_en,
    )


def msg_no_favourable(ground: str) -> Message:
    """Message when no group receives any favourable decision."""
    g = ground_label(ground)
    return fill(_NO_FAVOURABLE, ground_zh=g.zh, ground_en=first_upper(g.en))


def fmt_value(metric: str, value: float) -> str:
    """How a comparison's value is written: a ratio with 2 decimals, a gap in points with 1.

    >>> fmt_value("favorable_rate", 0.8304), fmt_value("selection_rate", 0.14359)
    ('0.83', '14.4')
    """
    if value is None or math.isnan(value):
        return "—"
    return fmt_ratio(value) if metric == "favorable_rate" else minus(f"{100 * value:.1f}")


def msg_reference_too_small(ground: str, metric: str, reference: str, min_size: int) -> Message:
    """The chosen reference group is too small for one rate."""
    g, m = ground_label(ground), METRIC_LABELS[metric]
    return fill(
        _REFERENCE_TOO_SMALL,
        ground_zh=g.zh,
        ground_en=first_upper(g.en),
        metric_zh=m.zh,
        metric_en=_lower(m.en),
        reference=reference,
        min_size=min_size,
    )


def rate_label(metric: str, favorable_is_positive: bool = True, positive: object = None) -> Message:
    """The name of a rate as a person reads it: the share of favourable decisions is the
    approval rate; when the positive label is the unfavourable decision, the share assigned
    it is named by that label.

    >>> rate_label("selection_rate").zh, rate_label("selection_rate", False, "reject").zh
    ('批准率', '获得“reject”决定的比例')
    """
    if metric == "selection_rate" and not favorable_is_positive:
        return Message(f"获得“{positive}”决定的比例", f"Share assigned “{positive}”")
    return METRIC_LABELS[metric]


def _among(compared: int) -> Message:
    if compared <= 1:
        return Message("", "")
    return fill(_AMONG, n=compared)


def _what_it_compares(metric: str, positive: object) -> Message:
    """What an outcome rate counts, when the positive label is not the favourable one."""
    if metric not in ("true_positive_rate", "false_positive_rate"):
        return Message("", "")
    m, e = METRIC_LABELS[metric], METRIC_EXPLANATIONS[metric]
    return Message(
        f"（{m.zh}：{e.zh.format(pos=positive)}）", f" ({m.en}: {e.en.format(pos=positive)})"
    )


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
) -> Message:
    """Message of one rate compared between each group and the reference group.

    ``metric="favorable_rate"`` is the four-fifths check (the value a ratio); any other metric
    is a difference of proportions, shown in percentage points. ``groups`` (every compared
    group) is given when every group has the same rate.
    """
    g, m = ground_label(ground), rate_label(metric, favorable_is_positive, positive)
    c = verdict.comparison
    if groups:  # every compared group has the same rate
        return fill(
            _EQUAL,
            ground_zh=g.zh,
            ground_en=first_upper(g.en),
            metric_zh=m.zh,
            metric_en=_lower(m.en),
            groups_zh="、".join(f"“{x}”" for x in groups),
            groups_en=", ".join(f"“{x}”" for x in groups),
            rate=fmt_pct(c.extra.get("rate")),
        ).join(verdict_tail(verdict))
    template = _RATIO if metric == "favorable_rate" else _DIFFERENCE
    low, high = c.ci if c.ci is not None else (float("nan"), float("nan"))
    rule = REFERENCE_RULES.get(reference_rule, REFERENCE_RULES["best_off"])
    among = _among(verdict.compared)
    worst, best = sides(c)
    body = fill(
        template,
        ground_zh=g.zh,
        ground_en=first_upper(g.en),
        metric_zh=m.zh,
        metric_en=_lower(m.en),
        worst=c.group,
        worst_zh=worst.zh,
        worst_en=worst.en,
        best_zh=best.zh,
        best_en=best.en,
        rule_zh=rule.zh,
        rule_en=rule.en,
        worst_rate=fmt_pct(c.extra.get("rate")),
        best_rate=fmt_pct(c.extra.get("reference_rate")),
        value=fmt_value(metric, c.value),
        threshold=fmt_value(metric, threshold),
        low=fmt_value(metric, low),
        high=fmt_value(metric, high),
        level=fmt_level(level),
        among_zh=among.zh,
        among_en=among.en,
    )
    if not favorable_is_positive:
        body = body.join(_what_it_compares(metric, positive), sep_en="")
    return body.join(verdict_tail(verdict))


# --------------------------------------------------------------------------------------------
# Report notes and the method section
# --------------------------------------------------------------------------------------------


def regression_method_paragraphs(scope: Scope, policy: Policy) -> list[Message]:
    """The method section of an audit of numeric outputs (``task="regression"``)."""
    higher = scope.favorable_is_positive
    direction = (
        Message("越高越有利", "higher is better")
        if higher
        else Message("越低越有利", "lower is better")
    )
    level = fmt_level(policy.confidence_level)
    return [
        Message(
            f"本次审计涵盖 {scope.n_rows:,} 行记录，模型输出为数值（{direction.zh}）。"
            f"输出来源：{scope.decision_rule}。",
            f"The audit covers {scope.n_rows:,} rows; the model outputs numbers ({direction.en}). "
            f"Outputs come from: {scope.decision_rule}.",
        ),
        Message(
            "每组计算平均预测值、平均实际值、平均误差（预测 − 实际，为负表示低估）与平均绝对误差，"
            f"均由每组的和与平方和精确得到；{level}置信区间按均值的正态近似计算。",
            "For each group: the mean prediction, the mean actual value, the mean error "
            "(prediction − actual; negative means the group is under-predicted) and the mean "
            f"absolute error, exact from each group's sums and sums of squares; {level} "
            "intervals use the normal approximation of a mean.",
        ),
        Message(
            f"检查：平均预测值较小组与较大组之比不低于 "
            f"{fmt_ratio(policy.mean_prediction_ratio_min)}；"
            f"各组平均误差之差不超过平均实际值的 {fmt_pct(policy.mean_residual_difference_max)}；"
            f"平均绝对误差较小组与较大组之比不低于 {fmt_ratio(policy.mae_ratio_min)}。",
            f"Checks: the smaller group mean prediction over the larger is at least "
            f"{fmt_ratio(policy.mean_prediction_ratio_min)}; groups' mean errors differ by at "
            f"most {fmt_pct(policy.mean_residual_difference_max)} of the mean actual value; the "
            f"smaller mean absolute error over the larger is at least "
            f"{fmt_ratio(policy.mae_ratio_min)}.",
        ),
        Message(
            f"判定规则：在容许范围内为“通过”；超出时以 Welch t 检验比较两组，"
            f"并与整份审计的其他比较一起作 Benjamini-Hochberg 校正："
            f"校正后 p 值低于 {policy.significance_level:g} 为“不通过”，"
            f"否则为“警示”。人数不足 {policy.min_group_size} 的组不参与比较。",
            f"Decision rule: within the tolerance is a pass; beyond it the two groups are "
            f"compared with Welch's t-test, adjusted with every other comparison of the audit "
            f"(Benjamini-Hochberg): below {policy.significance_level:g} fails, otherwise a "
            f"warning. Groups of fewer than {policy.min_group_size} people are not compared.",
        ),
        Message(
            "隐私：报告只包含按组汇总的统计，不列出任何一行数据。",
            "Privacy: the report holds statistics by group only, never a row of the data.",
        ),
    ]


def method_paragraphs(scope: Scope, policy: Policy) -> list[Message]:
    """The method section of a classification audit: what was measured and how findings are
    decided."""
    paras = _scope_paragraphs(scope)
    paras.append(_threshold_paragraph(policy))
    paras.append(_terms_paragraph())
    paras.append(_worse_off_paragraph(scope))
    paras.extend(_decision_paragraphs(policy))
    if not scope.has_outcomes:
        paras.append(
            Message(
                "未提供实际结果，因此只评估批准率；真阳性率、假阳性率等依赖结果的检查为“未评估”。",
                "No actual outcomes were given, so only approval rates were assessed; checks "
                "that need outcomes (true- and false-positive rates) are “Not assessed”.",
            )
        )
    paras.append(_privacy_paragraph())
    return paras


def _scope_paragraphs(scope: Scope) -> list[Message]:
    """What a classification audit covers and the rates it compares."""
    pos, fav = scope.positive_label, scope.favorable_label
    paras = [
        Message(
            f"本次审计涵盖 {scope.n_rows:,} 行记录。决定的来源：{scope.decision_rule}。"
            f"统计指标以“{pos}”为正类；对当事人有利的决定为“{fav}”。",
            f"The audit covers {scope.n_rows:,} rows. Decisions come from: {scope.decision_rule}. "
            f"Rates count “{pos}” as the positive label; the decision favourable to the person "
            f"is “{fav}”.",
        ),
        Message(
            "所有指标均由每组的四格计数（真阳性、假阳性、假阴性、真阴性）精确计算，不做抽样。",
            "Every metric is computed exactly from four counts per group (true positives, false "
            "positives, false negatives, true negatives), without sampling.",
        ),
    ]
    for m in ("selection_rate", "true_positive_rate", "false_positive_rate"):
        e = METRIC_EXPLANATIONS[m]
        label = METRIC_LABELS[m]
        paras.append(
            Message(f"{label.zh}：" + e.zh.format(pos=pos), f"{label.en}: " + e.en.format(pos=pos))
        )
    return paras


def _threshold_paragraph(policy: Policy) -> Message:
    """How the ratio and difference checks are compared with their thresholds, and the terms
    they use (explained once, here)."""
    ratio = fmt_ratio(policy.selection_rate_ratio_min)
    dp = _points(policy.demographic_parity_max)
    tpr = _points(policy.true_positive_rate_difference_max)
    fpr = _points(policy.false_positive_rate_difference_max)
    return Message(
        f"批准率之比 = 批准率最低组 ÷ 最高组；低于 {ratio} 即超出容许范围。{ratio} 取自“五分之四"
        f"规则”：这是美国平等就业机会委员会（EEOC）的惯例，本审计仅将其用作自设的容许范围，"
        f"并非中国法律标准。差异类指标 = 最高组 − 最低组，超过容许上限（批准率 {dp} 个百分点，"
        f"真阳性率 {tpr} 个百分点，假阳性率 {fpr} 个百分点）即超出容许范围。恰好等于阈值视为满足"
        f"（比较时容许 10⁻⁹ 的浮点误差）。",
        f"Approval-rate ratio = lowest group ÷ highest group; below {ratio} is beyond the "
        f"tolerance. {ratio} comes from the “four-fifths rule”, a US convention (EEOC), used "
        f"here as this audit's tolerance, not a Chinese legal standard. Difference checks = "
        f"highest group − lowest group; above the tolerance (approval rate {dp} percentage "
        f"points, true-positive rate {tpr} points, false-positive rate {fpr} points) is beyond "
        f"the tolerance. A value exactly at the threshold meets it (compared with a tolerance "
        f"of 10⁻⁹ for floating-point error).",
    )


def _terms_paragraph() -> Message:
    """The fairness terms of the checks' titles, explained once."""
    return Message(
        "术语：人口均等，指各组批准率相同；机会均等，指实际结果相同的人，无论属于哪一组，"
        "获得有利决定的机会相同（比较真阳性率）；翻转检验，指只改变该属性、其他条件不变，"
        "看模型的决定是否随之改变；代理变量，指能透露该属性的其他输入。",
        "Terms: demographic parity means equal approval rates across groups; equal opportunity "
        "means that people with the same actual outcome have the same chance of the favourable "
        "decision, whatever their group (it compares true-positive rates); the flip test "
        "changes only the attribute, everything else equal, and sees whether the decision "
        "changes; a proxy is another input that reveals the attribute.",
    )


def _worse_off_paragraph(scope: Scope) -> Message:
    """Which group is worse off, given which decision is favourable to the person."""
    pos, fav = scope.positive_label, scope.favorable_label
    if scope.favorable_is_positive:
        worse = Message(
            f"处于不利地位的组：各比率越低越不利（获得“{fav}”的机会更少）。",
            f"Worse off: for every rate, the group with the lower rate (less likely to receive "
            f"“{fav}”).",
        )
    else:
        worse = Message(
            f"处于不利地位的组：“{pos}”对当事人不利，因此各比率越高越不利（例如假阳性率越高，"
            f"被错误判为“{pos}”的人越多）。",
            f"Worse off: “{pos}” is the unfavourable decision, so the group with the higher "
            f"rate is worse off (a higher false-positive rate means more people wrongly "
            f"assigned “{pos}”).",
        )
    return worse


def _decision_paragraphs(policy: Policy) -> list[Message]:
    """The small-group, uncertainty and decision rules of the checks."""
    paras: list[Message] = []
    paras.append(
        Message(
            f"小样本规则：某组计算某项比率所依据的人数少于 {policy.min_group_size} 时，"
            f"该比率不予显示、"
            f"不参与比较；可比较的组少于两个时，结论为“数据不足”，而非通过或不通过。缺少敏感属性的"
            f"记录单列一组，仅展示。",
            f"Small groups: a rate resting on fewer than {policy.min_group_size} people is "
            f"withheld and not compared; a check with fewer than two comparable groups is "
            f"“Insufficient data”, never pass or fail. Rows missing the attribute form a group "
            f"of their own that is shown but not compared.",
        )
    )
    paras.append(
        Message(
            f"不确定性：每个比率及每项差异、比值都给出 {fmt_level(policy.confidence_level)} "
            f"置信区间，由 {policy.n_bootstrap} 次自助重抽样得到"
            f"（直接对各组四格计数做多项分布重抽样，与逐行重抽样等价）。"
            f"差异、比值的区间针对处境最差与最好的两组。",
            f"Uncertainty: every rate, gap and ratio carries a "
            f"{fmt_level(policy.confidence_level)} confidence interval from "
            f"{policy.n_bootstrap} bootstrap resamples (drawn as multinomial resamples of each "
            f"group's four counts, equivalent to resampling rows). The interval of a gap or "
            f"ratio is that of the worst- and best-off groups.",
        )
    )
    paras.append(
        Message(
            f"判定规则：在容许范围内为“通过”。超出容许范围时，检验各参与比较的组之间是否存在差异"
            f"（全部组的卡方检验；期望频数小于 5 时，对最差与最好两组用 Fisher 精确检验并按可能的"
            f"组对数作 Bonferroni 校正），并对整份审计的全部比较"
            f"（含各组对其余各组的检验）作 Benjamini-Hochberg 多重比较校正：校正后 p 值低于 "
            f"{policy.significance_level:g} 为“不通过”，否则为“警示”（差异可能源于随机波动）。",
            f"Decision rule: within the tolerance is a pass. Beyond it, all compared groups are "
            f"tested together (chi-square test of the groups' table, since the worst and best "
            f"groups are picked after seeing the data; when an expected count is below 5, "
            f"Fisher's exact test of those two groups with a Bonferroni factor for every pair) "
            f"and every p-value of the audit, the tests of each "
            f"group against the rest included, is adjusted together (Benjamini-Hochberg): an "
            f"adjusted p-value below {policy.significance_level:g} fails, otherwise the result "
            f"is a warning (the gap may be chance).",
        )
    )
    return paras


def _privacy_paragraph() -> Message:
    """What the report discloses about individual rows."""
    return Message(
        "隐私：报告只包含按组汇总的统计，不列出任何一行数据。人数不足的组不显示比率，但这只是"
        "防止误读小样本，并非严格的披露控制：用总体数字减去其他组，仍可能推算出被隐去的小组"
        "（甚至只有一人的组）的结果。若存在极小的组，请将本报告视为含个人信息的材料。",
        "Privacy: the report holds statistics by group only, never a row of the data. Rates "
        "of groups below the minimum size are withheld, but this guards against reading "
        "small samples, not against disclosure: subtracting the shown groups from the "
        "overall figures can still reveal a withheld group's results, even a group of one "
        "person. When such tiny groups exist, handle the report as personal information.",
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
    return Message(f"第{pct}百分位（{zh_v}）", f"the {pct}th percentile ({en_v})")


def trend_about(c: Comparison, harm: Message, unit: Message | None = None) -> Message:
    """What a trend shown beyond the tolerance is about: one end of the attribute."""
    end = trend_end(c.group, unit)
    return Message(f"{end.zh}一端{harm.zh}", f"the end at {end.en} {harm.en}")


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
) -> Message:
    """A dose-response finding: the fitted line of ``metric`` along a numeric ground, read
    between its 10th and 90th percentiles (``scale``: ``"points"`` for a rate, ``"ratio"`` for
    a mean), with the same gap given the legitimate factors (by display name) when they were
    given; the ends in the ground's unit (from ``labels`` of ``column``, or the usual one)."""
    g, m = ground_label(ground), METRIC_LABELS[metric]
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
    interval = Message(
        f"（{fmt_level(level)}置信区间 {show(lo)} 至 {show(hi)}）",
        f" ({fmt_level(level)} CI {show(lo)} to {show(hi)})",
    )
    if scale == "ratio":
        body = body.join(
            Message(
                f"处于不利一端的{end.zh}与{other.zh}之比为 {show(c.value)}{interval.zh}；"
                f"要求不低于 {fmt_ratio(threshold)}。",
                f"The worse-off end, {end.en}, over {other.en}: {show(c.value)}{interval.en}; "
                f"the policy requires at least {fmt_ratio(threshold)}.",
            )
        )
    else:
        gap = _higher_lower(-c.value)
        body = body.join(
            Message(
                f"{end.zh}一端比{other.zh}一端{gap.zh}{interval.zh}；容许上限为 "
                f"{show(threshold)} 个百分点。",
                f"The end at {end.en} is {gap.en} than the end at {other.en}{interval.en}; "
                f"the tolerance is {show(threshold)} points.",
            )
        )
    if adjusted is not None:
        a_lo, a_hi = adjusted.ci if adjusted.ci is not None else (math.nan, math.nan)
        u = Message("", "") if scale == "ratio" else Message(" 个百分点", " points")
        names = feature_names(factors, labels)
        body = body.join(
            Message(
                f"在正当因素（{names.zh}）相同时，同一比较为 {show(adjusted.value)}{u.zh}"
                f"（{fmt_level(level)}置信区间 {show(a_lo)} 至 {show(a_hi)}；仅供参考，"
                f"结论依据上面未调整的决定）。",
                f"For the same legitimate factors ({names.en}) the same comparison is "
                f"{show(adjusted.value)}{u.en} ({fmt_level(level)} CI {show(a_lo)} to "
                f"{show(a_hi)}; for information: the result rests on the decisions as made).",
            )
        )
    about = trend_about(c, Message("处于不利地位", "is worse off"), unit)
    return body.join(verdict_tail(verdict, about))


def msg_trend_not_assessed(ground: str, reason: Message) -> Message:
    g = ground_label(ground)
    return Message(
        f"{g.zh}：无法沿数值估计趋势（{reason.zh}）；本项数据不足。",
        f"{first_upper(g.en)}: no trend along the numbers could be fitted ({reason.en}); "
        f"insufficient data.",
    )


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
) -> Message:
    """Page 1: the approval rates of the worst- and best-off groups and, with legitimate
    factors, the gap left after them (``adjusted``: gap, interval, the factors' names).

    >>> m = stmt_rates("gender", worst="female", worst_rate=0.703, best="male",
    ...                best_rate=0.847, adjusted=(0.118, (0.018, 0.218), Message("“贷款金额”", "")))
    >>> m.zh[:49]
    '性别：“female”组批准率 70.3%，“male”组 84.7%，相差 14.4 个百分点；'
    >>> m.zh[49:]
    '控制“贷款金额”后仍差 11.8 个百分点（95% 置信区间 1.8 至 21.8）。'
    """
    g = ground_label(ground)
    gap = _points(best_rate - worst_rate)
    text = Message(
        f"{g.zh}：“{worst}”组批准率 {fmt_pct(worst_rate)}，“{best}”组 {fmt_pct(best_rate)}，"
        f"相差 {gap} 个百分点",
        f"{first_upper(g.en)}: approval rate {fmt_pct(worst_rate)} for “{worst}”, "
        f"{fmt_pct(best_rate)} for “{best}”, a gap of {gap} percentage points",
    )
    if adjusted is None:
        return text.join(Message("。", "."), sep_en="")
    value, (low, high), factors = adjusted
    lv, lo, hi = fmt_level(level), _points(low), _points(high)
    still = Message("仍差", "the gap is still") if value > 0 else Message("差距为", "the gap is")
    return text.join(
        Message(
            f"；控制{factors.zh}后{still.zh} {_points(value)} 个百分点（{lv} 置信区间 {lo} 至 "
            f"{hi}）。",
            f"; after adjusting for {factors.en} {still.en} {_points(value)} points ({lv} CI "
            f"{lo} to {hi}).",
        ),
        sep_en="",
    )


def stmt_too_small(ground: str, small: Mapping[str, int], min_size: int) -> Message:
    """Page 1: a ground whose groups are too small to judge (``small``: group -> people)."""
    g = ground_label(ground)
    zh = "、".join(f"“{k}”组 {v:,} 人" for k, v in small.items())
    en = ", ".join(f"“{k}” {v:,} people" for k, v in small.items())
    return Message(
        f"{g.zh}：组太小，无法判断批准率是否有差距（{zh}，少于 {min_size:,} 人）。",
        f"{first_upper(g.en)}: the groups are too small to judge whether approval rates differ "
        f"({en}; fewer than {min_size:,}).",
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
    pct = fmt_pct(changed)
    what = (
        Message(
            f"{pct} 的价格变动超出容许幅度",
            f"moves the price of {pct} of {n:,} people beyond the tolerance",
        )
        if prices
        else Message(f"{pct} 的决定随之改变", f"changes {pct} of the decisions of {n:,} people")
    )
    return Message(
        f"{g.zh}：只把{g.zh}从“{source}”改为“{target}”、其他条件不变，{n:,} 人中 {what.zh}。",
        f"{first_upper(g.en)}: changing only {g.en} from “{source}” to “{target}”, everything "
        f"else equal, {what.en}.",
    )


def stmt_share(ground: str, share: float, limit: float) -> Message:
    """Page 1: the attribute's own share of the model's influence, beyond its limit."""
    g = ground_label(ground)
    return Message(
        f"{g.zh}本身占模型全部影响的 {fmt_pct(share)}（容许上限 {fmt_pct(limit)}）。",
        f"{first_upper(g.en)} itself carries {fmt_pct(share)} of the model's influence (the "
        f"tolerance is {fmt_pct(limit)}).",
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
    head = (
        Message(f"模型未直接使用{g.zh}一栏，但", f"the model does not use the {g.en} column, but ")
        if unused
        else Message("", "")
    )
    if share is not None and share > 0:
        uses = Message(
            f"模型通过它使用了{g.zh}信息（它占模型全部影响的 {fmt_pct(share)}）",
            f"the model uses {g.en} through it (it carries {fmt_pct(share)} of the model's "
            f"influence)",
        )
    else:
        uses = Message(f"模型可以通过它使用{g.zh}信息", f"the model can use {g.en} through it")
    auc_text = fmt_ratio(auc, 3)
    return Message(
        f"{g.zh}：{head.zh}“{feature.zh}”几乎完全等同于{g.zh}（AUC {auc_text}），{uses.zh}。",
        f"{first_upper(g.en)}: {head.en}“{feature.en}” all but equals {g.en} (AUC {auc_text}); "
        f"{uses.en}.",
    )


def action_rates(ground: str, failed: bool) -> Message:
    """Page 1: what to do about an approval-rate gap beyond (or possibly beyond) tolerance."""
    g = ground_label(ground)
    if failed:
        return Message(
            f"说明{g.zh}之间批准率差距的正当理由，或调整模型、缩小差距后重新审计。",
            f"Give the legitimate reason for the approval-rate gap by {g.en}, or change the "
            f"model to narrow it and audit again.",
        )
    return Message(
        f"用更多数据复核{g.zh}之间的批准率差距，并说明其正当理由。",
        f"Check the approval-rate gap by {g.en} with more data, and give its legitimate reason.",
    )


def action_attribute(ground: str) -> Message:
    """Page 1: what to do when the model treats people differently by the attribute."""
    g = ground_label(ground)
    return Message(
        f"说明模型使用{g.zh}的正当理由，或从模型输入中去除该属性及其代理变量后重新审计。",
        f"State the legitimate reason for the model's use of {g.en}, or remove the attribute "
        f"and its proxies from the model's inputs and audit again.",
    )


def action_stand_in(feature: Message) -> Message:
    """Page 1: what to do about an input that stands in for the attribute."""
    return Message(
        f"说明使用“{feature.zh}”的正当理由，或从模型输入中去除它后重新审计。",
        f"State the legitimate reason for using “{feature.en}”, or remove it from the model's "
        f"inputs and audit again.",
    )


def limit_small_groups(ground: str, small: Mapping[str, int], min_size: int) -> Message:
    """Limits: the groups of a ground too small to judge, with their sizes."""
    g = ground_label(ground)
    zh = "、".join(f"“{k}”（{v:,} 人）" for k, v in small.items())
    en = ", ".join(f"“{k}” ({v:,} people)" for k, v in small.items())
    return Message(
        f"{g.zh}：以下组人数少于 {min_size:,} 人，太小，无法判断：{zh}。",
        f"{first_upper(g.en)}: these groups have fewer than {min_size:,} people, too few to "
        f"judge: {en}.",
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
