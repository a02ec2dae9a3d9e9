"""The words of Art. 71: plain-language explanation sentences and the public notice.

Public text (the summary, the example reasons, the notice) avoids technical words: no "SHAP",
"log-odds" or "attribution"; influence is given as a share of the model's total influence. The
technical appendix names the method. Every number is formatted here from the computed value.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from ..core.findings import Status
from ..core.messages import Message, first_upper, fmt_pct, fmt_ratio, minus

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
    *,
    favourable_higher: bool = True,
    output: Message | None = None,
) -> list[Message]:
    """At most five sentences: the main factors with their shares, their directions, the rest.

    ``top`` holds (label, share, direction) of up to three features; ``direction`` as returned
    by :meth:`Explanation.direction`, already oriented towards the favourable decision
    (``sign`` +1: higher values make it more likely) with category names in ``raising`` and
    ``lowering``. ``rest`` is (number of other features, their total share); ``favourable_higher``
    and ``output`` as in :func:`direction_sentence`.
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
            f"模型{'计算结果' if numeric_output else '作出决定'}时影响最大的因素是：{joined_zh}。",
            f"The factors that weigh most in the model's "
            f"{'results' if numeric_output else 'decisions'} are {joined_en}.",
        )
    ]
    for lbl, _share, d in top:
        sentences.append(
            direction_sentence(
                lbl, d, numeric_output, favourable_higher=favourable_higher, output=output
            )
        )
    others, share = rest
    if others > 0:
        sentences.append(
            Message(
                f"其余 {others} 个因素合计占 {fmt_pct(share)}。",
                f"The other {others} factors together account for {fmt_pct(share)}.",
            )
        )
    return sentences[:5]


def direction_sentence(
    label: Message,
    d: dict,
    numeric_output: bool = False,
    *,
    favourable_higher: bool = True,
    output: Message | None = None,
) -> Message:
    """How one factor pushes towards the favourable decision, in one sentence; for a numeric
    output (an amount, a price), how it moves the output itself.

    ``d`` is oriented towards the favourable decision (``sign`` +1: higher values are more
    favourable). ``favourable_higher`` says which end of a numeric output is favourable (a
    price: the lower), ``output`` names the output (:data:`OUTPUT_VALUE` by default).

    >>> d = {"kind": "numeric", "sign": -1}
    >>> direction_sentence(Message("行程距离", "trip distance"), d, True,
    ...                    favourable_higher=False, output=Message("价格", "price")).zh
    '行程距离越高，价格越高。'
    """
    if numeric_output:
        return _output_direction(label, d, favourable_higher, output or OUTPUT_VALUE)
    if d.get("kind") == "numeric":
        if d.get("sign", 0) != 0:
            up = d.get("sign", 0) > 0
            return Message(
                f"{label.zh}越高，获得有利决定的可能性越{'大' if up else '小'}。",
                f"The higher the {label.en}, the {'more' if up else 'less'} likely a favourable "
                f"decision.",
            )
        return _no_direction(label)
    raising, lowering = d.get("raising"), d.get("lowering")
    if raising is None or raising == lowering:
        return _no_difference(label)
    return Message(
        f"{label.zh}为“{raising}”时最有利，为“{lowering}”时最不利。",
        f"For {label.en}, “{raising}” helps most and “{lowering}” least.",
    )


def _no_direction(label: Message) -> Message:
    return Message(
        f"{label.zh}的影响没有单一方向，取决于其他因素。",
        f"The {label.en} has no single direction of effect; it depends on the other factors.",
    )


def _no_difference(label: Message) -> Message:
    return Message(
        f"{label.zh}各取值的影响相近。",
        f"The values of {label.en} differ little in effect.",
    )


def _output_direction(label: Message, d: dict, favourable_higher: bool, output: Message) -> Message:
    """How a factor moves a numeric output: "行程距离越高，价格越高"."""
    if d.get("kind") == "numeric":
        sign = d.get("sign", 0)
        if sign == 0:
            return _no_direction(label)
        up = (sign > 0) == favourable_higher  # the output rises with the factor
        return Message(
            f"{label.zh}越高，{output.zh}越{'高' if up else '低'}。",
            f"The higher the {label.en}, the {'higher' if up else 'lower'} the {output.en}.",
        )
    raising, lowering = d.get("raising"), d.get("lowering")
    if raising is None or raising == lowering:
        return _no_difference(label)
    high, low = (raising, lowering) if favourable_higher else (lowering, raising)
    return Message(
        f"{label.zh}为“{high}”时{output.zh}最高，为“{low}”时最低。",
        f"The {output.en} is highest when the {label.en} is “{high}” and lowest when it is "
        f"“{low}”.",
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
        "决定指示值（作出该决定时取 1，否则取 0）", "decision indicator (1 if decided, else 0)"
    ),
    "raw": Message("数值本身", "value itself"),
    "log_raw": Message("数值的对数", "logarithm"),
}

#: A numeric output when the audit does not name it (a pricing audit calls it a price).
OUTPUT_VALUE = Message("模型给出的数值", "model's output")

#: What a numeric output is called, by task.
OUTPUT_NAMES = {
    "pricing": Message("价格", "price"),
    "regression": OUTPUT_VALUE,
}


def output_explained(
    output_space: str,
    positive_label: object,
    *,
    numeric_output: bool,
    favorable_is_positive: bool,
    output: Message | None = None,
) -> Message:
    """What the explanation decomposes, in words: "价格（数值本身）" or "模型判为“1”（有利决定）的
    概率", never an internal flag such as the favourable direction.

    >>> output_explained("raw", "lower", numeric_output=True, favorable_is_positive=False,
    ...                  output=Message("价格", "price")).zh
    '价格（数值本身；越低对当事人越有利）'
    >>> output_explained("probability", 1, numeric_output=False, favorable_is_positive=True).zh
    '模型判为“1”（有利决定）的概率'
    """
    space = SPACES[output_space]
    if numeric_output:
        out = output or OUTPUT_VALUE
        end = Message("越高", "higher") if favorable_is_positive else Message("越低", "lower")
        return Message(
            f"{out.zh}（{space.zh}；{end.zh}对当事人越有利）",
            f"the {space.en} of the {out.en} ({end.en} is more favourable to the person)",
        )
    side = Message("有利决定", "the favourable decision")
    if not favorable_is_positive:
        side = Message("不利决定", "the unfavourable decision")
    return Message(
        f"模型判为“{positive_label}”（{side.zh}）的{space.zh}",
        f"the {space.en} of “{positive_label}” ({side.en})",
    )


_METHODS = (
    (
        r"exact Tree SHAP \(path-dependent\), shap\.TreeExplainer",
        "树模型的精确 SHAP 算法（路径依赖）",
    ),
    (r"exact Tree SHAP computed by (\w+) \((\w+)\)", r"由 \1 计算的树模型精确 SHAP 值"),
    (
        r"exact Tree SHAP computed by (\w+) \((\w+), single precision\)",
        r"由 \1 计算的树模型精确 SHAP 值（单精度）",
    ),
    (
        r"exact linear form w_j \(x_j - mean_j\) on the model's inputs",
        "线性模型的精确分解：每项输入的贡献 = 系数 ×（取值 − 基准均值）",
    ),
)
_BACKGROUNDS = (
    (r"(?:the mean of )?(\d+) rows drawn at random from the (\d+) given", ""),
    (
        r"the training data, through the trees' node counts \(path-dependent\)",
        "训练数据（按各决策树节点的样本数，路径依赖）",
    ),
)


def background_words(background: str) -> Message:
    """What the baseline is taken over, in Chinese as well (the English as the engine wrote it).

    >>> background_words("the mean of 100 rows drawn at random from the 3000 given").zh
    '从所给 3,000 行中随机抽取的 100 行的均值'
    """
    m = re.fullmatch(_BACKGROUNDS[0][0], background)
    if m:
        mean = "的均值" if background.startswith("the mean of") else ""
        n, total = int(m[1]), int(m[2])
        return Message(f"从所给 {total:,} 行中随机抽取的 {n:,} 行{mean}", background)
    if re.fullmatch(_BACKGROUNDS[1][0], background):
        return Message(_BACKGROUNDS[1][1], background)
    return Message(background, background)


def method_words(method: str) -> Message:
    """The engine, in Chinese as well (the English as the engine wrote it).

    >>> method_words("exact Tree SHAP computed by lightgbm (pred_contrib)").zh
    '由 lightgbm 计算的树模型精确 SHAP 值'
    """
    for pattern, zh in _METHODS:
        m = re.fullmatch(pattern, method)
        if m:
            return Message(m.expand(zh), method)
    m = re.fullmatch(
        r"shap Permutation explainer on the raw columns \(background: (.+); (\d+) model calls "
        r"per row and background row\)",
        method,
    )
    if m:
        bg = background_words(m[1])
        return Message(
            f"SHAP 置换算法，作用于原始输入列（基准：{bg.zh}；"
            f"每行、每个基准行调用模型 {int(m[2]):,} 次）",
            method,
        )
    return Message(method, method)


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
    numeric_output: bool = False,
    favorable_is_positive: bool = True,
    output: Message | None = None,
) -> list[Message]:
    """The technical appendix (method words allowed here; the numbers and the output explained
    in words, see :func:`output_explained`)."""
    explained = output_explained(
        output_space,
        positive_label,
        numeric_output=numeric_output,
        favorable_is_positive=favorable_is_positive,
        output=output,
    )
    engine, bg = method_words(method), background_words(background)
    sample_zh = (
        f"在 {n_total:,} 行中按敏感属性组 × 决定分层、按比例抽取 {n_rows:,} 行。"
        if stratified and n_rows < n_total
        else f"解释了全部 {n_rows:,} 行。"
        if n_rows == n_total
        else f"从 {n_total:,} 行中随机抽取 {n_rows:,} 行。"
    )
    sample_en = (
        f"{n_rows:,} of {n_total:,} rows, sampled proportionally within strata of sensitive "
        f"group x decision."
        if stratified and n_rows < n_total
        else f"All {n_rows:,} rows were explained."
        if n_rows == n_total
        else f"{n_rows:,} of {n_total:,} rows, sampled at random."
    )
    base = minus(f"{base_value:.4f}")
    return [
        Message(
            f"方法：Shapley 值（SHAP）。计算方式：{engine.zh}。"
            f"被解释的输出：{explained.zh}。基准（期望）取自{bg.zh}。",
            f"Method: Shapley values (SHAP). Engine: {engine.en}. Output explained: "
            f"{explained.en}. The baseline (expectation) is taken over {bg.en}.",
        ),
        Message(
            f"样本：{sample_zh}可加性检验：每一行的基准值（{base}）"
            f"加各输入的贡献都等于模型输出，最大相对误差 {additivity_error:.1e}"
            f"（容许 {tolerance:.0e}）。"
            f"流水线中由同一原始列生成的各列贡献已合并回该列。",
            f"Sample: {sample_en} Additivity: for every row the baseline ({base}) plus "
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


#: The system-card facts the public notice needs, by ``metadata`` key, in plain words.
NOTICE_FIELDS = {
    "purpose": Message("用途", "purpose"),
    "affected": Message("适用对象", "who is affected"),
    "decision_process": Message("决定与复核方式", "how decisions are made and reviewed"),
    "appeal": Message("申诉途径", "how to appeal"),
    "contact": Message("联系方式", "contact"),
}

#: Who approves the notice, and where the approval is recorded (there is no argument for it:
#: the approval is a person's act, recorded in the committee's sign-off).
NOTICE_APPROVAL = Message(
    "由系统负责人逐段审定后方可发布；审定人、日期和结论记入本报告第七十二条部分的伦理委员会签署栏。",
    "the person responsible for the system must approve its text, section by section, before "
    "it is published; the approver, the date and the conclusion are recorded in the ethics "
    "committee's sign-off in the Art. 72 part of this report.",
)


def notice_drafted() -> Message:
    """The notice finding when the system card gives every fact: a draft, awaiting approval."""
    return Message(
        "本工具已根据模型的解释和系统信息（用途、适用对象、决定与复核方式、申诉途径、联系方式）"
        "起草公开算法说明。本工具不能判断说明是否准确、完整，须" + NOTICE_APPROVAL.zh,
        "The tool drafted the public notice from the explanation of the model and the system "
        "card (purpose, who is affected, how decisions are made and reviewed, how to appeal, "
        "contact). The tool cannot judge whether it is accurate and complete: "
        + NOTICE_APPROVAL.en,
    )


def notice_missing(missing: Sequence[str]) -> Message:
    """The notice finding when the system card lacks facts (``metadata`` keys)."""
    fields = [NOTICE_FIELDS.get(k, Message(f"“{k}”", f"“{k}”")) for k in missing]
    return Message(
        "本工具起草的公开算法说明缺少只有组织本身才能提供的信息："
        + "、".join(f.zh for f in fields)
        + "（草稿中标为“未提供”）。须由组织补充，再"
        + NOTICE_APPROVAL.zh,
        "The public notice the tool drafted lacks facts only the organisation can supply: "
        + ", ".join(f.en for f in fields)
        + " (marked “not provided” in the draft; give them in the audit's metadata= "
        "argument). Once they are given, " + NOTICE_APPROVAL.en,
    )


def explained_text(top: Sequence[Message], n_rows: int, n_total: int) -> Message:
    """The explanation finding: rows explained and the main factors."""
    rows_zh = (
        f"全部 {n_total:,} 行" if n_rows == n_total else f" {n_rows:,} 行（共 {n_total:,} 行）"
    )
    rows_en = f"all {n_total:,} rows" if n_rows == n_total else f"{n_rows:,} of {n_total:,} rows"
    return Message(
        f"已根据{rows_zh}数据生成面向公众的算法说明；影响最大的因素依次为"
        f"{'、'.join(t.zh for t in top)}（详见下文）。",
        f"A plain-language explanation was produced from {rows_en}; the factors that weigh "
        f"most are, in order, {', '.join(t.en for t in top)} (see below).",
    )


def share_text(
    ground: Message,
    column: Message | None,
    own: float | None,
    proxies: Sequence[tuple[Message, float]],
    limit: float,
    status: Status,
    stand_in: tuple[Message, float] | None = None,
) -> Message:
    """The 72(4) finding on the share of the model's influence carried by a sensitive
    attribute (``column``, its display name; None when it is not a model input; ``own`` None
    when the model does not use it) and its proxies."""
    if stand_in is not None and own is None:
        proxy, auc = stand_in
        parts = [
            Message(
                f"模型未直接使用{ground.zh}一栏，但{proxy.zh}几乎完全等同于{ground.zh}"
                f"（AUC {fmt_ratio(auc, 3)}），模型通过它使用了{ground.zh}信息",
                f"the model does not use the {ground.en} column itself, but {proxy.en} all but "
                f"equals {ground.en} (AUC {fmt_ratio(auc, 3)}), and through it the model uses "
                f"{ground.en}",
            )
        ]
    elif column is None:
        parts = [Message("该属性不是模型输入", "the attribute is not a model input")]
    elif own is None:
        parts = [
            Message(
                f"模型未使用该属性本身（{column.zh}）",
                f"the model does not use the attribute itself ({column.en})",
            )
        ]
    else:
        parts = [
            Message(
                f"该属性本身（{column.zh}）占模型全部影响的 {fmt_pct(own)}",
                f"the attribute itself ({column.en}) carries {fmt_pct(own)} of the model's "
                f"influence",
            )
        ]
    if proxies:
        parts.append(
            Message(
                "其代理变量的占比为：" + "、".join(f"{p.zh} {fmt_pct(s)}" for p, s in proxies),
                "its proxies carry " + ", ".join(f"{p.en} {fmt_pct(s)}" for p, s in proxies),
            )
        )
    head = Message(
        f"{ground.zh}：" + "；".join(p.zh for p in parts) + f"；本审计设定的容许上限为 "
        f"{fmt_pct(limit)}。",
        f"{first_upper(ground.en)}: "
        + "; ".join(p.en for p in parts)
        + f"; the tolerance this audit set is {fmt_pct(limit)}.",
    )
    if status is Status.FAIL and stand_in is not None and own is None:
        tail = Message(
            "这一几乎等同于该属性的输入的影响占比超出本审计设定的容许范围，表明模型依据该属性区别"
            "对待；如无正当理由，可能构成第七十二条第二款第（四）项所禁止的歧视。",
            "The share of this stand-in for the attribute is beyond the tolerance this audit "
            "set: this shows that the model treats people differently by the attribute; without "
            "a legitimate reason this may be discrimination of the kind Art. 72(2)(iv) forbids.",
        )
    elif status is Status.FAIL:
        tail = Message(
            "该属性本身的影响占比超出本审计设定的容许范围，表明模型依据该属性区别对待；"
            "如无正当理由，可能构成第七十二条第二款第（四）项所禁止的歧视。",
            "The attribute's own share is beyond the tolerance this audit set: this shows that "
            "the model treats people differently by this attribute; without a legitimate "
            "reason this may be discrimination of the kind Art. 72(2)(iv) forbids.",
        )
    elif status is Status.WARN:
        tail = Message(
            "代理变量的影响占比超出本审计设定的容许范围：模型通过它们间接依据该属性，须说明其正当性。",
            "The proxies' share is beyond the tolerance this audit set: the model relies on the "
            "attribute through them, which must be justified.",
        )
    else:
        tail = Message("在本审计设定的容许范围内。", "This is within the tolerance this audit set.")
    return head.join(tail)


def notice_text(missing: Sequence[str]) -> tuple[Message, Message]:
    """Page 1 on the public notice: its state, and what the organisation must do (supply the
    facts it lacks, then have it approved)."""
    if missing:
        fields = [NOTICE_FIELDS.get(k, Message(f"“{k}”", f"“{k}”")) for k in missing]
        names = Message("、".join(f.zh for f in fields), ", ".join(f.en for f in fields))
        return (
            Message(
                f"公开算法说明草稿已生成，但缺少{names.zh}。",
                f"The public notice is drafted but lacks {names.en}.",
            ),
            Message(
                f"补充{names.zh}，再由系统负责人审定公开算法说明后发布。",
                f"Supply {names.en}; then have the person responsible for the system approve "
                f"the public notice before it is published.",
            ),
        )
    return (
        Message(
            "公开算法说明草稿已生成，须经系统负责人审定后发布。",
            "The public notice is drafted and must be approved by the person responsible for "
            "the system before it is published.",
        ),
        Message(
            "由系统负责人审定公开算法说明，审定结果记入伦理委员会签署栏后再发布。",
            "Have the person responsible for the system approve the public notice, record the "
            "approval in the committee's sign-off, then publish it.",
        ),
    )


def conclusion_text(top: Sequence[Message], missing: Sequence[str]) -> tuple[Message, Message]:
    """Page 1 on Art. 71 when the model was explained: its main inputs and the notice's state
    (:func:`notice_text`), and what the organisation must do."""
    names = Message("、".join(t.zh for t in top), ", ".join(t.en for t in top))
    count = {1: "", 2: "两", 3: "三"}.get(len(top), str(len(top)) + " ")
    head = Message(
        f"模型最看重的{count}项输入是：{names.zh}；",
        f"The model weighs {'these inputs' if len(top) > 1 else 'this input'} most: {names.en}; ",
    )
    notice, action = notice_text(missing)
    return head.join(Message(notice.zh, notice.en[:1].lower() + notice.en[1:]), sep_en=""), action


#: Page 1 on Art. 71 when no explanation was produced.
NOT_EXPLAINED_ACTION = Message(
    "提供模型本身及其输入数据后重新审计，以生成面向公众的算法说明。",
    "Audit again with the model itself and its input data, so that a plain-language "
    "explanation can be produced.",
)
