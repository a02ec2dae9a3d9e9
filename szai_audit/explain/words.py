"""The words of Article 71: plain-language explanation sentences and the public notice.

Public text (the summary, the example reasons, the notice) avoids technical words: no "SHAP",
"log-odds" or "attribution"; influence is given as a share of the model's total influence. The
technical appendix names the method. Every number is formatted here from the computed value.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..core.messages import Message, fmt_pct, fmt_ratio

#: Words no public sentence may contain (checked by the tests).
JARGON = ("SHAP", "Shapley", "log-odds", "logit", "attribution", "归因", "对数几率")

NOT_PROVIDED = Message("（未提供）", "(not provided)")


def feature_label(feature: str, labels: Mapping[str, Sequence[str]] | None) -> Message:
    """Display name of a feature from ``feature_labels={col: (zh, en[, unit])}``."""
    spec = (labels or {}).get(feature)
    if not spec:
        return Message(feature, feature)
    return Message(str(spec[0]), str(spec[1]))


def feature_unit(feature: str, labels: Mapping[str, Sequence[str]] | None) -> str:
    """The unit given as the third element of a feature label ("月/months"), or ""."""
    spec = (labels or {}).get(feature)
    return str(spec[2]) if spec and len(spec) > 2 else ""


def _unit_pair(unit: str) -> Message:
    if "/" in unit:
        zh, en = unit.split("/", 1)
        return Message(zh.strip(), en.strip())
    return Message(unit, unit)


def with_unit(value: str, unit: str) -> Message:
    """A value followed by its unit in each language ("24–35 月", "24–35 months")."""
    if not unit:
        return Message(value, value)
    u = _unit_pair(unit)
    return Message(f"{value} {u.zh}", f"{value} {u.en}")


def summary_sentences(
    top: Sequence[tuple[Message, float, dict]],
    rest: tuple[int, float],
    numeric_output: bool = False,
) -> list[Message]:
    """At most five sentences: the main factors with their shares, their directions, the rest.

    ``top`` holds (label, share, direction) of up to three features; ``direction`` as returned
    by :meth:`Explanation.direction`, already oriented towards the favourable decision
    (``sign`` +1: higher values make it more likely) with category names in ``raising`` and
    ``lowering``. ``rest`` is (number of other features, their total share).
    """
    if not top:
        return []
    parts_zh = [
        f"{lbl.zh}（{'占全部影响的 ' if i == 0 else ''}{fmt_pct(s)}）"
        for i, (lbl, s, _) in enumerate(top)
    ]
    parts_en = [
        f"{lbl.en} ({fmt_pct(s)}{' of its total influence' if i == 0 else ''})"
        for i, (lbl, s, _) in enumerate(top)
    ]
    joined_zh = "、".join(parts_zh[:-1]) + ("和" if len(parts_zh) > 1 else "") + parts_zh[-1]
    joined_en = (", ".join(parts_en[:-1]) + " and " if len(parts_en) > 1 else "") + parts_en[-1]
    sentences = [
        Message(
            f"模型作出决定时影响最大的因素是：{joined_zh}。",
            f"The factors that weigh most in the model's decisions are {joined_en}.",
        )
    ]
    for lbl, _share, d in top:
        sentences.append(direction_sentence(lbl, d, numeric_output))
    others, share = rest
    if others > 0:
        sentences.append(
            Message(
                f"其余 {others} 个因素合计占 {fmt_pct(share)}。",
                f"The other {others} factors together account for {fmt_pct(share)}.",
            )
        )
    return sentences[:5]


def direction_sentence(label: Message, d: dict, numeric_output: bool = False) -> Message:
    """How one factor pushes towards the favourable decision (or, for numeric outputs, the
    favourable end of the output), in one sentence."""
    if d.get("kind") == "numeric":
        if d.get("sign", 0) != 0:
            up = d.get("sign", 0) > 0
            if numeric_output:
                return Message(
                    f"{label.zh}越高，输出结果对当事人越{'有利' if up else '不利'}。",
                    f"The higher the {label.en}, the {'more' if up else 'less'} favourable the "
                    f"output for the person.",
                )
            return Message(
                f"{label.zh}越高，获得有利决定的可能性越{'大' if up else '小'}。",
                f"The higher the {label.en}, the {'more' if up else 'less'} likely a favourable "
                f"decision.",
            )
        return Message(
            f"{label.zh}的影响没有单一方向，取决于其他因素。",
            f"The {label.en} has no single direction of effect; it depends on the other factors.",
        )
    raising, lowering = d.get("raising"), d.get("lowering")
    if raising is None or raising == lowering:
        return Message(
            f"{label.zh}各取值的影响相近。",
            f"The values of {label.en} differ little in effect.",
        )
    return Message(
        f"{label.zh}为“{raising}”时最有利，为“{lowering}”时最不利。",
        f"For {label.en}, “{raising}” helps most and “{lowering}” least.",
    )


def reason_phrase(label: Message, value: Message, towards_favourable: bool) -> Message:
    """One principal reason of an example decision."""
    if towards_favourable:
        return Message(
            f"{label.zh}为 {value.zh}（提高了获得有利决定的可能性）",
            f"{label.en} is {value.en} (made a favourable decision more likely)",
        )
    return Message(
        f"{label.zh}为 {value.zh}（降低了获得有利决定的可能性）",
        f"{label.en} is {value.en} (made a favourable decision less likely)",
    )


EXAMPLE_TITLES = {
    True: Message("获得有利决定的典型情形", "A typical favourable decision"),
    False: Message("未获有利决定的典型情形", "A typical unfavourable decision"),
}


#: What the explained output is, per ``Explanation.output_space``.
SPACES = {
    "probability": Message("概率", "probability"),
    "log_odds": Message("对数几率（log-odds）", "log-odds"),
    "score": Message("决策分数（线性分类器）", "decision score (linear classifier)"),
    "decision": Message(
        "决定指示值（决定为该类时取 1，否则取 0）", "decision indicator (1 if decided, else 0)"
    ),
    "raw": Message("原始输出值", "raw output value"),
    "log_raw": Message("输出值的对数", "logarithm of the output value"),
}


def appendix(
    *,
    method: str,
    output_space: str,
    positive_label: object,
    background: str,
    n_rows: int,
    n_total: int,
    stratified: bool,
    additivity_error: float,
    base_value: float,
    level: float,
    k: int,
    tolerance: float = 1e-6,
) -> list[Message]:
    """The technical appendix (method words allowed here)."""
    space = SPACES[output_space]
    sample_zh = (
        f"在 {n_total} 行中按敏感属性组 × 决定分层、按比例抽取 {n_rows} 行。"
        if stratified and n_rows < n_total
        else f"解释了全部 {n_rows} 行。"
        if n_rows == n_total
        else f"从 {n_total} 行中随机抽取 {n_rows} 行。"
    )
    sample_en = (
        f"{n_rows} of {n_total} rows, sampled proportionally within strata of sensitive group x "
        f"decision."
        if stratified and n_rows < n_total
        else f"All {n_rows} rows were explained."
        if n_rows == n_total
        else f"{n_rows} of {n_total} rows, sampled at random."
    )
    return [
        Message(
            f"方法：Shapley 值（SHAP）。引擎：{method}。"
            f"被解释的输出：“{positive_label}”的{space.zh}。基准（期望）取自：{background}。",
            f"Method: Shapley values (SHAP). Engine: {method}. Output explained: the "
            f"{space.en} of “{positive_label}”. The baseline (expectation) is taken over "
            f"{background}.",
        ),
        Message(
            f"样本：{sample_zh}可加性检验：每一行的基准值（{base_value:.4f}）"
            f"加各输入的贡献都等于模型输出，最大相对误差 {additivity_error:.1e}"
            f"（容许 {tolerance:.0e}）。"
            f"流水线中由同一原始列生成的各列贡献已合并回该列。",
            f"Sample: {sample_en} Additivity: for every row the baseline ({base_value:.4f}) plus "
            f"the contributions equals the model output, largest relative error "
            f"{additivity_error:.1e} (tolerance {tolerance:.0e}). Contributions of the columns a "
            f"pipeline derives from one raw column are summed into it.",
        ),
        Message(
            f"重要性 = 各行贡献绝对值的平均；占比 = 重要性 ÷ 全部输入重要性之和；"
            f"区间为对各行自助重抽样的 {fmt_ratio(100 * level, 0)}% 百分位区间（抽样不确定性）。"
            f"方向：数值型输入取其取值与贡献的 Spearman 相关系数（绝对值小于 0.1 视为无单一方向）；"
            f"类别型输入比较至少 {k} 行的各类别平均贡献。",
            f"Importance = mean absolute contribution over rows; share = importance / sum over "
            f"inputs; intervals: {fmt_ratio(100 * level, 0)}% percentile bootstrap over rows "
            f"(sampling uncertainty). Direction: for numeric inputs the Spearman correlation of "
            f"value and contribution (below 0.1 in absolute value: no single direction); for "
            f"categorical inputs the mean contribution of each category with at least {k} rows.",
        ),
        Message(
            f"示例说明使用分段后的取值，并只展示在样本中至少有 {k} 人共享的原因组合，"
            f"不展示任何个人记录。",
            f"Examples use values in ranges and show only combinations of reasons shared by at "
            f"least {k} people in the sample; no individual record is shown.",
        ),
    ]


NOTICE_HEADINGS = {
    "principle": Message("基本原理", "Basic principle"),
    "purpose": Message("目的意图", "Purpose"),
    "factors": Message("主要因素及其影响", "Main factors and their effect"),
    "mechanism": Message("运行机制", "How it operates"),
    "rights": Message("复核与申诉", "Review and appeal"),
}


def model_kind(class_name: str) -> Message:
    """The model's family in plain words."""
    name = class_name.rsplit(".", 1)[-1]
    if "Forest" in name or "ExtraTrees" in name:
        return Message(
            "由许多决策树组成的统计模型", "a statistical model made of many decision trees"
        )
    if "Boost" in name or name in (
        "Booster",
        "LGBMClassifier",
        "LGBMRegressor",
        "XGBClassifier",
        "XGBRegressor",
    ):
        return Message(
            "逐步改进的决策树组合模型", "a statistical model of decision trees built step by step"
        )
    if "Tree" in name:
        return Message("决策树模型", "a decision-tree model")
    if "Logistic" in name or "Linear" in name or "Ridge" in name or "Lasso" in name:
        return Message("加权评分公式（线性模型）", "a weighted scoring formula (a linear model)")
    return Message("统计模型", "a statistical model")
