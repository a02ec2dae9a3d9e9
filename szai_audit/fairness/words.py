"""Every Article 72(4) sentence a person reads, in Chinese (zh-CN) and English.

Nothing here computes: callers pass the numbers, this module turns them into text from fixed
templates, so the Chinese and English versions are written side by side and a reviewer can read
all of them at once. The number formats are those of :mod:`szai_audit.core.messages`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from ..core.grounds import ground_label
from ..core.judging import OUTCOME_PASS, Comparison, Verdict, disagreement, sides, verdict_tail
from ..core.messages import Message, fill, fmt_amount, fmt_level, fmt_pct, fmt_ratio
from ..core.policy import Policy
from ..core.scope import Scope

__all__ = [
    "METRIC_EXPLANATIONS",
    "METRIC_LABELS",
    "method_paragraphs",
    "regression_method_paragraphs",
]


METRIC_LABELS: dict[str, Message] = {
    "count": Message("人数", "Count"),
    "selection_rate": Message("选择率", "Selection rate"),
    "favorable_rate": Message("有利决定率", "Favourable-decision rate"),
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
        "模型给出“{pos}”决定的人所占比例。", "Share of people the model assigns “{pos}”."
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
    "未提供“{zh}”对应的数据，第七十二条第（四）项关于{zh}的歧视未作检查。",
    "No data was provided for {en}; discrimination by {en} under Article 72(4) was not checked.",
)

_NO_OUTCOMES = Message(
    "未提供实际结果（y_true），{metric_zh}无法计算，本项未评估。",
    "No actual outcomes (y_true) were provided, so the {metric_en} cannot be computed; this "
    "check was not assessed.",
)

_TOO_FEW_GROUPS = Message(
    "{ground_zh}：满足最小样本量（{min_size}）的组少于两个，无法比较{metric_zh}。{small_zh}",
    "{ground_en}: fewer than two groups reach the minimum size of {min_size} needed to compare "
    "the {metric_en}.{small_en}",
)

_NO_FAVOURABLE = Message(
    "{ground_zh}：所有组的有利决定率均为 0，比率无定义，本项未评估。",
    "{ground_en}: no group received any favourable decision, so the ratio is undefined; this "
    "check was not assessed.",
)

_RATIO = Message(
    "{ground_zh}：{worst_zh}的有利决定率为 {worst_rate}，{best_zh}（参照组：{rule_zh}）为 "
    "{best_rate}，二者之比为 {value}（{level}置信区间 {low} 至 {high}）；容许下限为 "
    "{threshold}。{among_zh}",
    "{ground_en}: {worst_en} receives a favourable decision {worst_rate} of the time and "
    "{best_en} (the reference: {rule_en}) {best_rate}; the ratio is {value} ({level} CI "
    "{low} to {high}), and the tolerance is at least {threshold}.{among_en}",
)

_EQUAL = Message(
    "{ground_zh}：所有参与比较的组（{groups_zh}）{metric_zh}相同，均为 {rate}。",
    "{ground_en}: every compared group ({groups_en}) has the same {metric_en}, {rate}.",
)

_DIFFERENCE = Message(
    "{ground_zh}：{metric_zh}在{worst_zh}为 {worst_rate}，在{best_zh}（参照组：{rule_zh}）为 "
    "{best_rate}，“{worst}”组不利的差距为 {value} 个百分点（{level}置信区间 {low} 至 {high}）；"
    "容许上限为 {threshold} 个百分点。{among_zh}",
    "{ground_en}: the {metric_en} is {worst_rate} for {worst_en} and {best_rate} for "
    "{best_en} (the reference: {rule_en}), a gap of {value} percentage points to the "
    "disadvantage of “{worst}” ({level} CI {low} to {high}); the tolerance is {threshold} "
    "points.{among_en}",
)

#: How the reference group of a comparison was chosen.
REFERENCE_RULES: dict[str, Message] = {
    "best_off": Message("处境最好的组", "the best-off group"),
    "chosen": Message("审计指定的参照组", "the reference the audit chose"),
}

_AMONG = Message(
    "共有 {n} 个组与参照组比较，此为差距最大者。",
    " Of the {n} groups compared with the reference, this is the largest gap.",
)

_REFERENCE_TOO_SMALL = Message(
    "{ground_zh}：参照组“{reference}”计算{metric_zh}所依据的人数少于 {min_size}，无法与之比较；"
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
    "{ground_zh}：相同评分下各组的实际结果不同（实际“{pos}”比例减去评分预测值：“{worst}”组 "
    "{worst_offset} 个百分点，“{best}”组 {best_offset} 个百分点），相差 {value} 个百分点"
    "（{level}置信区间 {low} 至 {high}）；容许上限为 {threshold} 个百分点。",
    "{ground_en}: at the same score, actual outcomes differ by group (actual rate of “{pos}” "
    "minus the rate the scores predict: {worst_offset} points for “{worst}”, {best_offset} "
    "points for “{best}”), a difference of {value} points ({level} CI {low} to {high}); the "
    "tolerance is {threshold} points.",
)


def msg_no_scores() -> Message:
    """Message for score checks without scores."""
    return _NO_SCORES


def msg_scores_not_probabilities() -> Message:
    """Message for calibration when scores are not probabilities."""
    return _NOT_PROBABILITIES


def _signed_points(x: float) -> str:
    return f"{100 * x:+.1f}"


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
        ground_en=g.en.capitalize(),
        worst=worst,
        best=best,
        worst_auc=f"{worst_auc:.3f}",
        best_auc=f"{best_auc:.3f}",
        value=f"{value:.3f}",
        low=f"{ci[0]:.3f}",
        high=f"{ci[1]:.3f}",
        threshold=f"{threshold:.3f}",
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
) -> Message:
    """Message of the calibration comparison (offsets and gap in percentage points)."""
    g = ground_label(ground)
    body = fill(
        _CALIBRATION,
        ground_zh=g.zh,
        ground_en=g.en.capitalize(),
        pos=positive_label,
        worst=worst,
        best=best,
        worst_offset=_signed_points(worst_offset),
        best_offset=_signed_points(best_offset),
        value=f"{100 * value:.1f}",
        low=f"{100 * ci[0]:.1f}",
        high=f"{100 * ci[1]:.1f}",
        threshold=f"{100 * threshold:.1f}",
        level=fmt_level(level),
    )
    return body.join(verdict_tail(verdict))


def _auc_with_ci(c: Comparison) -> str:
    lo, hi = c.ci if c.ci is not None else (math.nan, math.nan)
    return f"{c.value:.3f} [{lo:.3f}, {hi:.3f}]"


def _proxy_head(
    g: Message, verdict: Verdict, *, together: str, threshold: float, listed: int, level: float
) -> tuple[Message, Message]:
    """What the proxy message opens and closes with: the inputs shown beyond their limit,
    those whose interval reaches it, or the best one."""
    alpha = verdict.alpha
    names = Message(f"（AUC [{fmt_level(level)}置信区间]）", f" (AUC [{fmt_level(level)} CI])")

    def listing(cs: list[Comparison], sep: str) -> str:
        shown_cs = [c for c in cs if c.group != together][:listed]
        return sep.join(f"“{c.group}” {_auc_with_ci(c)}" for c in shown_cs)

    shown = [c for c, p in verdict.every if p < alpha]
    limit = {id(c): threshold if c.threshold is None else c.threshold for c, _ in verdict.every}
    unsure = [
        c
        for c, p in verdict.every
        if p >= alpha and (c.ci is None or c.ci[1] >= limit[id(c)] - 1e-9)
    ]
    if shown:
        single = [c for c in shown if c.group != together]
        head = (
            Message(
                f"{g.zh}：数据表明以下输入对{g.zh}的预测能力超过阈值（单侧检验，多重比较校正后 "
                f"p < {alpha:g}）{names.zh}：{listing(single, '、')}。",
                f"{g.en.capitalize()}: the data show these inputs predicting {g.en} beyond the "
                f"limit (one-sided test, adjusted p < {alpha:g}){names.en}: "
                f"{listing(single, ', ')}.",
            )
            if single
            else Message(
                f"{g.zh}：单个输入都不足以代替{g.zh}，但数据表明全部输入合起来的预测能力超过阈值。",
                f"{g.en.capitalize()}: no single input is shown to stand in for {g.en}, but the "
                f"data show all inputs together predicting it beyond the limit.",
            )
        )
        return head, Message(
            "即使模型不使用该属性本身，也可能借助这些输入造成歧视；代理变量本身不等于歧视，"
            "请结合条件差异分析核查，或说明其正当性。结论：警示。",
            "The model can discriminate through them even without the attribute itself; a "
            "proxy is not discrimination by itself, so check them with the conditional "
            "analysis or justify them. Result: warning.",
        )
    if unsure:
        head = Message(
            f"{g.zh}：以下预测能力的置信区间达到阈值，但数据不足以表明超过阈值{names.zh}："
            f"{listing(unsure, '、') or together}。",
            f"{g.en.capitalize()}: the intervals of these reach the limit, but the data do not "
            f"show them beyond it{names.en}: {listing(unsure, ', ') or together}.",
        )
        return head, Message(
            "结论：警示，无法确定，建议用更多数据复核。",
            "Result: warning, inconclusive; check it with more data.",
        )
    inputs = [c for c, _ in verdict.every if c.group != together]
    top = max(inputs, key=lambda c: c.value) if inputs else verdict.comparison
    head = Message(
        f"{g.zh}：没有输入能很好地预测{g.zh}（最高为“{top.group}”，AUC {_auc_with_ci(top)}，"
        f"整个区间低于阈值）。",
        f"{g.en.capitalize()}: no input predicts {g.en} well (highest: “{top.group}”, AUC "
        f"{_auc_with_ci(top)}, the whole interval below the limit).",
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
) -> Message:
    """Message of the proxy check: the inputs shown to predict the attribute beyond their
    limit, those whose interval reaches it, or the best one (AUCs with 3 decimals and their
    intervals), then all inputs together and the limits."""
    g = ground_label(ground)
    head, tail = _proxy_head(
        g, verdict, together=together, threshold=threshold, listed=listed, level=level
    )
    everything = next((c for c, _ in verdict.every if c.group == together), None)
    together_text = (
        Message("", "")
        if everything is None
        else Message(
            f"全部输入合起来预测{g.zh}的 AUC 为 {_auc_with_ci(everything)}。",
            f"All inputs together predict {g.en} with AUC {_auc_with_ci(everything)}.",
        )
    )
    limits = Message(
        f"单个输入的阈值为 AUC {threshold:.3f}，全部输入合起来为 {all_threshold:.3f}。",
        f"The limit is AUC {threshold:.3f} for one input and {all_threshold:.3f} for all "
        f"inputs together.",
    )
    return head.join(together_text).join(limits).join(tail)


def msg_proxy_no_data(ground: str) -> Message:
    """Proxy check without input data."""
    g = ground_label(ground)
    return Message(
        f"{g.zh}：未提供模型输入数据（data），无法检查代理变量，本项未评估。",
        f"{g.en.capitalize()}: no model inputs (data) were given, so proxies cannot be "
        f"checked; this check was not assessed.",
    )


def msg_proxy_too_few(ground: str, left_out: Mapping[str, int]) -> Message:
    """Proxy check when too few groups are large enough to cross-validate."""
    g = ground_label(ground)
    listed = ", ".join(f"“{k}” ({v})" for k, v in left_out.items())
    listed_zh = "、".join(f"“{k}”（{v}）" for k, v in left_out.items())
    return Message(
        f"{g.zh}：人数足以交叉验证的组少于两个（人数过少的组：{listed_zh}），无法检查代理变量。",
        f"{g.en.capitalize()}: fewer than two groups have enough people to cross-validate "
        f"(groups too small: {listed}), so proxies cannot be checked.",
    )


def msg_proxy_no_features(ground: str) -> Message:
    """Proxy check with no feature left to rank."""
    g = ground_label(ground)
    return Message(
        f"{g.zh}：除该属性本身外没有其他输入，代理变量检查未评估。",
        f"{g.en.capitalize()}: there is no input besides the attribute itself, so proxies "
        f"were not assessed.",
    )


def msg_flip_not_assessed(ground: str, reason: str) -> Message:
    """Flip test that cannot run."""
    g = ground_label(ground)
    if reason == "no_model":
        return Message(
            f"{g.zh}：仅有决定记录、没有模型，无法做反事实翻转检验，本项未评估。",
            f"{g.en.capitalize()}: only decisions were given, not the model, so the flip test "
            f"cannot run; this check was not assessed.",
        )
    return Message(
        f"{g.zh}：该属性不是模型输入，不存在直接使用；间接影响见代理变量检查。本项未评估。",
        f"{g.en.capitalize()}: the attribute is not a model input, so it cannot be used "
        f"directly; indirect use is covered by the proxy check. Not assessed.",
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
) -> Message:
    """Message of the counterfactual flip test (``numeric``: outputs are numbers, a change
    counting when larger than ``change_rtol`` of the value; ``outputs``: what they are called,
    decisions by default, predictions for numbers)."""
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
    if numeric and score_change is not None:
        score_zh = f"，{outputs.zh}平均变化 {score_change:+,.4g}"
        score_en = f"; on average the {outputs.en} change by {score_change:+,.4g}"
    else:
        score_zh = "" if score_change is None else f"，评分平均变化 {score_change:+.3f}"
        score_en = (
            "" if score_change is None else f"; the mean score changes by {score_change:+.3f}"
        )
    body = Message(
        f"{g.zh}：对“{source}”组的 {n_rows} 人只把{g.zh}从“{source}”改为“{target}”，其余不变，"
        f"其中 {fmt_pct(changed)} {moved.zh}（{fmt_pct(to_favourable)} 变为有利，"
        f"{fmt_pct(to_unfavourable)} 变为不利{score_zh}）；容许上限为 {fmt_pct(tolerance)}。",
        f"{g.en.capitalize()}: changing only {g.en} from “{source}” to “{target}” for the "
        f"{n_rows} people of “{source}”, everything else equal, changes {fmt_pct(changed)} "
        f"{moved.en} ({fmt_pct(to_favourable)} to favourable, {fmt_pct(to_unfavourable)} to "
        f"unfavourable{score_en}); the tolerance is {fmt_pct(tolerance)}.",
    )
    if failed:
        return body.join(
            Message(
                "模型直接依据该属性作出不同决定，构成直接歧视的证据。结论：不通过。",
                "The model decides differently because of the attribute itself: evidence of "
                "direct discrimination. Result: fail.",
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


def msg_conditional(
    ground: str,
    verdict: Verdict,
    *,
    factors: Sequence[str],
    threshold: float,
    level: float,
    min_coverage: float,
    min_size: int,
) -> Message:
    """Message of the gap after legitimate factors: the estimate that decides (stratified, or
    regression-adjusted when the strata cover too few rows), the other, and the raw gap; gaps
    in points, positive when the group is worse off than the reference."""
    g = ground_label(ground)
    c = verdict.comparison
    listed_zh = "、".join(f"“{f}”" for f in factors)
    listed_en = ", ".join(f"“{f}”" for f in factors)
    low, high = c.ci if c.ci is not None else (float("nan"), float("nan"))
    name = (
        Message("分层法", "stratified")
        if c.extra.get("estimate") == "stratified"
        else Message("回归调整法", "regression adjustment")
    )
    group, other = sides(c)
    body = Message(
        f"{g.zh}：控制正当因素（{listed_zh}）后，{group.zh}相对{other.zh}的"
        f"有利决定率差距为 {100 * c.value:+.1f} 个百分点（{name.zh}，{fmt_level(level)}置信区间 "
        f"{100 * low:+.1f} 至 {100 * high:+.1f}；未调整 {100 * c.extra['raw']:+.1f} 个百分点；"
        f"正数表示该组不利）；容许上限为 {100 * threshold:.1f} 个百分点。",
        f"{g.en.capitalize()}: after adjusting for the legitimate factors ({listed_en}), the "
        f"gap in favourable-decision rate of {group.en} against {other.en} is "
        f"{100 * c.value:+.1f} points ({name.en}, {fmt_level(level)} CI "
        f"{100 * low:+.1f} to {100 * high:+.1f}; unadjusted {100 * c.extra['raw']:+.1f} "
        f"points; positive means the group is worse off); the tolerance is "
        f"{100 * threshold:.1f} points.",
    )
    if c.extra.get("estimate") == "regression":
        body = body.join(
            fill(
                _REGRESSION_ONLY,
                covered=c.extra["covered"],
                ref_covered=c.extra["reference_covered"],
                coverage=fmt_pct(c.extra["coverage"]),
                min_size=min_size,
                min_coverage=fmt_pct(min_coverage),
            ),
            sep_en="",
        )
    elif verdict.other is not None:
        body = body.join(
            Message(
                f"回归调整估计为 {100 * verdict.other.value:+.1f} 个百分点。",
                f" The regression-adjusted estimate is {100 * verdict.other.value:+.1f} points.",
            ),
            sep_en="",
        )
    if verdict.disagree and verdict.other is not None:
        body = body.join(
            disagreement(verdict, lambda x: f"{100 * x:+.1f}"),
            sep_en="",
        )
    return body.join(verdict_tail(verdict))


def msg_not_positive(ground: str) -> Message:
    """Ratio checks on outputs that are not all positive."""
    g = ground_label(ground)
    return Message(
        f"{g.zh}：各组平均值并非都为正数，比值没有意义，本项未评估；请参考差值。",
        f"{g.en.capitalize()}: the group means are not all positive, so a ratio is "
        f"meaningless; this check was not assessed (see the differences).",
    )


def msg_perfect(ground: str) -> Message:
    """Every compared group predicted without error."""
    g = ground_label(ground)
    return Message(
        f"{g.zh}：各组预测均无误差。结论：通过。",
        f"{g.en.capitalize()}: every compared group is predicted without error. Result: pass.",
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
        f"{g.en.capitalize()}: the {m.en.lower()} is {fmt_amount(worst_value)} for “{worst}” "
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
        f"{g.en.capitalize()}: the model's mean error (prediction − actual) is "
        f"{fmt_amount(worst_value)} for “{worst}” and {fmt_amount(best_value)} for “{best}”, a "
        f"difference of {fmt_pct(value)} of the mean actual value ({fmt_level(level)} CI "
        f"{fmt_pct(ci[0])} to {fmt_pct(ci[1])}); the tolerance is {fmt_pct(threshold)}.",
    )
    return body.join(verdict_tail(verdict))


def msg_ground_not_provided(ground: str) -> Message:
    """Message for an Article 72(4) ground the user did not provide."""
    label = ground_label(ground)
    return fill(_NOT_PROVIDED, zh=label.zh, en=label.en)


def msg_no_outcomes(metric: str) -> Message:
    """Message for an outcome-based check when no ``y_true`` was given."""
    m = METRIC_LABELS[metric]
    return fill(_NO_OUTCOMES, metric_zh=m.zh, metric_en=m.en.lower())


def msg_too_few_groups(
    ground: str, metric: str, min_size: int, small: Mapping[str, int]
) -> Message:
    """Message when fewer than two groups are large enough to compare."""
    g, m = ground_label(ground), METRIC_LABELS[metric]
    if small:
        listed = ", ".join(f"“{k}” ({v})" for k, v in small.items())
        listed_zh = "、".join(f"“{k}”（{v}）" for k, v in small.items())
        small_zh = f"样本量不足的组：{listed_zh}。"
        small_en = f" Groups below the minimum (size): {listed}."
    else:
        small_zh = small_en = ""
    return fill(
        _TOO_FEW_GROUPS,
        ground_zh=g.zh,
        ground_en=g.en.capitalize(),
        metric_zh=m.zh,
        metric_en=m.en.lower(),
        min_size=min_size,
        small_zh=small_zh,
        small_en=small_en,
    )


def msg_no_favourable(ground: str) -> Message:
    """Message when no group receives any favourable decision."""
    g = ground_label(ground)
    return fill(_NO_FAVOURABLE, ground_zh=g.zh, ground_en=g.en.capitalize())


def fmt_value(metric: str, value: float) -> str:
    """How a comparison's value is written: a ratio with 2 decimals, a gap in points with 1.

    >>> fmt_value("favorable_rate", 0.8304), fmt_value("selection_rate", 0.14359)
    ('0.83', '14.4')
    """
    if value is None or math.isnan(value):
        return "—"
    return fmt_ratio(value) if metric == "favorable_rate" else f"{100 * value:.1f}"


def msg_reference_too_small(ground: str, metric: str, reference: str, min_size: int) -> Message:
    """The chosen reference group is too small for one rate."""
    g, m = ground_label(ground), METRIC_LABELS[metric]
    return fill(
        _REFERENCE_TOO_SMALL,
        ground_zh=g.zh,
        ground_en=g.en.capitalize(),
        metric_zh=m.zh,
        metric_en=m.en.lower(),
        reference=reference,
        min_size=min_size,
    )


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
    g, m = ground_label(ground), METRIC_LABELS[metric]
    c = verdict.comparison
    if groups:  # every compared group has the same rate
        return fill(
            _EQUAL,
            ground_zh=g.zh,
            ground_en=g.en.capitalize(),
            metric_zh=m.zh,
            metric_en=m.en.lower(),
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
        ground_en=g.en.capitalize(),
        metric_zh=m.zh,
        metric_en=m.en.lower(),
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
            f"本次审计涵盖 {scope.n_rows} 行记录，模型输出为数值（{direction.zh}）。"
            f"输出来源：{scope.decision_rule}。",
            f"The audit covers {scope.n_rows} rows; the model outputs numbers ({direction.en}). "
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
    paras.append(_worse_off_paragraph(scope))
    paras.extend(_decision_paragraphs(policy))
    if not scope.has_outcomes:
        paras.append(
            Message(
                "未提供实际结果，因此只评估决定率；真阳性率、假阳性率等依赖结果的检查为“未评估”。",
                "No actual outcomes were given, so only decision rates were assessed; checks "
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
            f"本次审计涵盖 {scope.n_rows} 行记录。决定的来源：{scope.decision_rule}。"
            f"统计指标以“{pos}”为正类；对当事人有利的决定为“{fav}”。",
            f"The audit covers {scope.n_rows} rows. Decisions come from: {scope.decision_rule}. "
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
    """How the ratio and difference checks are compared with their thresholds."""
    return Message(
        f"有利决定率之比 = 有利决定率最低组 ÷ 最高组；低于 "
        f"{fmt_ratio(policy.selection_rate_ratio_min)} "
        f"为不通过（五分之四规则取 0.80）。差异类指标 = 最高组 − 最低组；超过容许上限（选择率 "
        f"{fmt_pct(policy.demographic_parity_max)}，真阳性率 "
        f"{fmt_pct(policy.true_positive_rate_difference_max)}，假阳性率 "
        f"{fmt_pct(policy.false_positive_rate_difference_max)}）为不通过。恰好等于阈值视为满足"
        f"（比较时容许 10⁻⁹ 的浮点误差）。",
        f"Favourable-decision rate ratio = lowest group ÷ highest group; below "
        f"{fmt_ratio(policy.selection_rate_ratio_min)} fails (the four-fifths rule uses 0.80). "
        f"Difference "
        f"checks = highest group − lowest group; above the tolerance (selection rate "
        f"{fmt_pct(policy.demographic_parity_max)}, true-positive rate "
        f"{fmt_pct(policy.true_positive_rate_difference_max)}, false-positive rate "
        f"{fmt_pct(policy.false_positive_rate_difference_max)}) fails. A value exactly at the "
        f"threshold meets it (compared with a tolerance of 10⁻⁹ for floating-point error).",
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


def _ends(c: Comparison) -> tuple[str, str]:
    """The attribute's 10th and 90th percentiles, as a trend's comparison holds them."""
    return f"{c.extra['low']:.4g}", f"{c.extra['high']:.4g}"


def trend_about(c: Comparison, harm: Message) -> Message:
    """What a trend shown beyond the tolerance is about: one end of the attribute."""
    return Message(f"“{c.group}”一端{harm.zh}", f"the “{c.group}” end {harm.en}")


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
) -> Message:
    """A dose-response finding: the fitted line of ``metric`` along a numeric ground, read
    between its 10th and 90th percentiles (``scale``: ``"points"`` for a rate, ``"ratio"`` for
    a mean), with the same gap given the legitimate factors when they were given."""
    g, m = ground_label(ground), METRIC_LABELS[metric]
    c = verdict.comparison
    low, high = _ends(c)
    lo, hi = c.ci if c.ci is not None else (math.nan, math.nan)
    show = fmt_ratio if scale == "ratio" else (lambda x: f"{100 * x:.1f}")
    levels = (
        (fmt_pct(c.extra["level_low"]), fmt_pct(c.extra["level_high"]))
        if scale == "points"
        else (fmt_amount(c.extra["level_low"]), fmt_amount(c.extra["level_high"]))
    )
    body = Message(
        f"{g.zh}（按数值本身，直线拟合，{c.extra['rows']} 行，HC1 稳健标准误）：{m.zh}从第10百分位"
        f"（P10 = {low}）的 {levels[0]} 变为第90百分位（P90 = {high}）的 {levels[1]}。",
        f"{g.en.capitalize()} (the numbers themselves, a straight-line fit on "
        f"{c.extra['rows']} rows, HC1 robust standard errors): the {m.en.lower()} goes from "
        f"{levels[0]} at the 10th percentile (P10 = {low}) to {levels[1]} at the 90th "
        f"(P90 = {high}).",
    )
    if scale == "ratio":
        body = body.join(
            Message(
                f"处于不利一端的“{c.group}”与“{c.reference}”之比为 {show(c.value)}"
                f"（{fmt_level(level)}置信区间 {show(lo)} 至 {show(hi)}）；要求不低于 "
                f"{fmt_ratio(threshold)}。",
                f"The worse-off end “{c.group}” over “{c.reference}”: {show(c.value)} "
                f"({fmt_level(level)} CI {show(lo)} to {show(hi)}); the policy requires at "
                f"least {fmt_ratio(threshold)}.",
            )
        )
    else:
        body = body.join(
            Message(
                f"“{c.group}”一端比“{c.reference}”一端低 {show(c.value)} 个百分点"
                f"（{fmt_level(level)}置信区间 {show(lo)} 至 {show(hi)}）；容许上限为 "
                f"{show(threshold)} 个百分点。",
                f"The “{c.group}” end is {show(c.value)} points below the “{c.reference}” end "
                f"({fmt_level(level)} CI {show(lo)} to {show(hi)}); the tolerance is "
                f"{show(threshold)} points.",
            )
        )
    if adjusted is not None:
        a_lo, a_hi = adjusted.ci if adjusted.ci is not None else (math.nan, math.nan)
        unit = Message("", "") if scale == "ratio" else Message(" 个百分点", " points")
        body = body.join(
            Message(
                f"在正当因素（{'、'.join(factors)}）相同时，同一比较为 {show(adjusted.value)}"
                f"{unit.zh}（{fmt_level(level)}置信区间 {show(a_lo)} 至 {show(a_hi)}；仅供参考，"
                f"结论依据上面未调整的决定）。",
                f"For the same legitimate factors ({', '.join(factors)}) the same comparison is "
                f"{show(adjusted.value)}{unit.en} ({fmt_level(level)} CI {show(a_lo)} to "
                f"{show(a_hi)}; for information: the result rests on the decisions as made).",
            )
        )
    about = trend_about(c, Message("处于不利地位", "is worse off"))
    return body.join(verdict_tail(verdict, about))


def msg_trend_not_assessed(ground: str, reason: Message) -> Message:
    g = ground_label(ground)
    return Message(
        f"{g.zh}：无法沿数值估计趋势（{reason.zh}）；本项数据不足。",
        f"{g.en.capitalize()}: no trend along the numbers could be fitted ({reason.en}); "
        f"insufficient data.",
    )
