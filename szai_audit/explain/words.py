"""The words of Art. 71: plain-language explanation sentences and the public notice.

Public text (the summary, the example reasons, the notice) avoids technical words: no "SHAP",
"log-odds" or "attribution"; influence is given as a share of the model's total influence. The
technical appendix names the method. Every number is formatted here from the computed value.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from ..core.catalog import say
from ..core.findings import Status
from ..core.labels import column_name
from ..core.messages import Message, fmt_pct, fmt_ratio, listing, minus

#: Words no public sentence may contain (checked by the tests).
JARGON = ("SHAP", "Shapley", "log-odds", "logit", "attribution", "归因", "对数几率")

NOT_PROVIDED = say("explain.not_provided")


def feature_label(feature: str, labels: Mapping[str, Sequence[str]] | None) -> Message:
    """Display name of a feature from ``feature_labels={col: (zh, en[, unit])}``."""
    return column_name(feature, labels)


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
            say(
                "explain.summary_sentences.other_factors_together_account",
                others=others,
                share=fmt_pct(share),
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
            return say(
                "explain.direction_sentence.higher_likely_favourable_decision",
                label=label,
                value=Message("大" if up else "小", "more" if up else "less"),
            )
        return _no_direction(label)
    raising, lowering = d.get("raising"), d.get("lowering")
    if raising is None or raising == lowering:
        return _no_difference(label)
    return say(
        "explain.direction_sentence.helps_most_least",
        label=label,
        raising=raising,
        lowering=lowering,
    )


def _no_direction(label: Message) -> Message:
    return say("explain.no_direction.has_no_single_direction", label=label)


def _no_difference(label: Message) -> Message:
    return say("explain.no_difference.values_differ_little_effect", label=label)


def _output_direction(label: Message, d: dict, favourable_higher: bool, output: Message) -> Message:
    """How a factor moves a numeric output: "行程距离越高，价格越高"."""
    if d.get("kind") == "numeric":
        sign = d.get("sign", 0)
        if sign == 0:
            return _no_direction(label)
        up = (sign > 0) == favourable_higher  # the output rises with the factor
        return say(
            "explain.output_direction.higher",
            label=label,
            output=output,
            value=Message("高" if up else "低", "higher" if up else "lower"),
        )
    raising, lowering = d.get("raising"), d.get("lowering")
    if raising is None or raising == lowering:
        return _no_difference(label)
    high, low = (raising, lowering) if favourable_higher else (lowering, raising)
    return say(
        "explain.output_direction.highest_when_lowest_when",
        label=label,
        high=high,
        output=output,
        low=low,
    )


def reason_phrase(label: Message, value: Message, towards_favourable: bool) -> Message:
    """One principal reason of an example decision."""
    if towards_favourable:
        return say("explain.reason_phrase.made_favourable_decision_more", label=label, value=value)
    return say("explain.reason_phrase.made_favourable_decision_less", label=label, value=value)


EXAMPLE_TITLES = {
    True: say("explain.example_titles.true"),
    False: say("explain.example_titles.false"),
}


#: What the explained output is, per ``Explanation.output_space``.
SPACES = {
    "probability": say("explain.spaces.probability"),
    "log_odds": say("explain.spaces.log_odds"),
    "score": say("explain.spaces.score"),
    "decision": say("explain.spaces.decision"),
    "raw": say("explain.spaces.raw"),
    "log_raw": say("explain.spaces.log_raw"),
}

#: A numeric output when the audit does not name it (a pricing audit calls it a price).
OUTPUT_VALUE = say("explain.output_value")

#: What a numeric output is called, by task.
OUTPUT_NAMES = {
    "pricing": say("explain.output_names.pricing"),
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
        end = (
            say("explain.output_explained.higher")
            if favorable_is_positive
            else say("explain.output_explained.lower")
        )
        return say("explain.output_explained.more_favourable_person", out=out, space=space, end=end)
    side = say("explain.output_explained.favourable_decision")
    if not favorable_is_positive:
        side = say("explain.output_explained.unfavourable_decision")
    return say(
        "explain.output_explained.text", positive_label=positive_label, side=side, space=space
    )


#: The engines as a reader reads them: the pattern of the engine's own (technical) name, and
#: its words in Chinese and in English (no code or formula names: issue 31, item 7).
_METHODS = (
    (
        r"exact Tree SHAP \(path-dependent\), shap\.TreeExplainer",
        "树模型的精确 SHAP 算法（路径依赖）",
        "exact Tree SHAP for tree models (path-dependent)",
    ),
    (
        r"exact Tree SHAP computed by (\w+) \((\w+)\)",
        r"由 \1 计算的树模型精确 SHAP 值",
        r"exact Tree SHAP computed by \1",
    ),
    (
        r"exact Tree SHAP computed by (\w+) \((\w+), single precision\)",
        r"由 \1 计算的树模型精确 SHAP 值（单精度）",
        r"exact Tree SHAP computed by \1 (single precision)",
    ),
    (
        r"exact linear form w_j \(x_j - mean_j\) on the model's inputs",
        "线性模型的精确分解：每项输入的贡献 = 系数 ×（取值 − 基准均值）",
        "the exact decomposition of a linear model: each input's contribution = coefficient × "
        "(value − baseline mean)",
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
    """The engine in words, in Chinese and in English (an engine not known here as it wrote
    itself).

    >>> method_words("exact Tree SHAP computed by lightgbm (pred_contrib)").to_dict()
    {'zh': '由 lightgbm 计算的树模型精确 SHAP 值', 'en': 'exact Tree SHAP computed by lightgbm'}
    """
    for pattern, zh, en in _METHODS:
        m = re.fullmatch(pattern, method)
        if m:
            return Message(m.expand(zh), m.expand(en))
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
        say(
            "explain.appendix.method_shapley_values_shap", engine=engine, explained=explained, bg=bg
        ),
        say(
            "explain.appendix.sample_additivity_every_row",
            base=base,
            additivity_error=additivity_error,
            tolerance=tolerance,
            sample=Message(sample_zh, sample_en),
        ),
        say(
            "explain.appendix.importance_mean_absolute_contribution",
            value=fmt_ratio(100 * level, 0),
            k=k,
        ),
        say("explain.appendix.examples_use_values_ranges", k=k),
    ]


NOTICE_HEADINGS = {
    "principle": say("explain.notice_headings.principle"),
    "purpose": say("explain.notice_headings.purpose"),
    "factors": say("explain.notice_headings.factors"),
    "mechanism": say("explain.notice_headings.mechanism"),
    "rights": say("explain.notice_headings.rights"),
}


def model_kind(class_name: str) -> Message:
    """The model's family in plain words."""
    name = class_name.rsplit(".", 1)[-1]
    if "Forest" in name or "ExtraTrees" in name:
        return say("explain.model_kind.statistical_model_made_many")
    if "Boost" in name or name in (
        "Booster",
        "LGBMClassifier",
        "LGBMRegressor",
        "XGBClassifier",
        "XGBRegressor",
    ):
        return say("explain.model_kind.statistical_model_decision_trees")
    if "Tree" in name:
        return say("explain.model_kind.decision_tree_model")
    if "Logistic" in name or "Linear" in name or "Ridge" in name or "Lasso" in name:
        return say("explain.model_kind.weighted_scoring_formula_linear")
    return say("explain.model_kind.statistical_model")


#: The system-card facts the public notice needs, by ``metadata`` key, in plain words.
NOTICE_FIELDS = {
    "purpose": say("explain.notice_fields.purpose"),
    "affected": say("explain.notice_fields.affected"),
    "decision_process": say("explain.notice_fields.decision_process"),
    "appeal": say("explain.notice_fields.appeal"),
    "contact": say("explain.notice_fields.contact"),
}

#: Who approves the notice, and where the approval is recorded (there is no argument for it:
#: the approval is a person's act, recorded in the committee's sign-off).
NOTICE_APPROVAL = say("explain.notice_approval")


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
    fields = [NOTICE_FIELDS.get(k, say("explain.notice_missing.text", k=k)) for k in missing]
    return Message(
        "本工具起草的公开算法说明缺少只有组织本身才能提供的信息："
        + "、".join(f.zh for f in fields)
        + "（草稿中标为“未提供”）。须由组织补充，再"
        + NOTICE_APPROVAL.zh,
        "The public notice the tool drafted lacks facts only the organisation can supply: "
        + ", ".join(f.en for f in fields)
        + " (marked “not provided” in the draft; give them in the audit's system card). "
        "Once they are given, " + NOTICE_APPROVAL.en,
    )


def notice_review(flagged: Sequence[tuple[Message, Any]], numeric_output: bool = False) -> Message:
    """The notice finding's sentence on the draft's sentences marked NEEDS_REVIEW: how many,
    and why (``flagged``: the display name of each one's input and its
    :class:`~.public.InputReview`)."""
    protected = [label for label, r in flagged if r.protected]
    against = [label for label, r in flagged if r.against_order]
    rule = say(
        "explain.review_reason.rule_result"
        if numeric_output
        else "explain.review_reason.rule_decision"
    )
    why = []
    if protected:
        why.append(say("explain.notice_review.protected", names=listing(protected), rule=rule))
    if against:
        why.append(say("explain.notice_review.against_order", names=listing(against)))
    return say(
        "explain.notice_review.sentences_flagged",
        n=len(flagged),
        why=listing(why, "；", "; "),
    )


def explained_text(top: Sequence[Message], n_rows: int, n_total: int) -> Message:
    """The explanation finding: rows explained and the main factors, and that its pass means
    only that the explanation was generated (a person approves whether the public can
    understand it)."""
    names = listing(list(top))
    if n_rows == n_total:
        return say("explain.explained.generated_all_rows", n_total=f"{n_total:,}", top=names)
    return say(
        "explain.explained.generated_some_rows",
        n_rows=f"{n_rows:,}",
        n_total=f"{n_total:,}",
        top=names,
    )


def share_text(
    ground: Message,
    column: Message | None,
    own: float | None,
    proxies: Sequence[tuple[Message, float]],
    limit: float,
    status: Status,
    stand_in: tuple[Message, float] | None = None,
    possible: Sequence[tuple[Message, float]] = (),
    threshold: float | None = None,
    proxies_heavy: bool = True,
) -> Message:
    """The 72(4) finding on the share of the model's influence carried by a sensitive
    attribute (``column``, its display name; None when it is not a model input; ``own`` None
    when the model does not use it), its proxies (single-input AUC at least ``threshold``)
    and its possible stand-ins (not proxies, but their AUC interval reaches ``threshold``),
    each with its share; ``proxies_heavy``: a WARN comes from a proxy's share (else from a
    possible stand-in's)."""
    if stand_in is not None and own is None:
        proxy, auc = stand_in
        parts = [
            say(
                "explain.share_text.model_does_not_use",
                ground=ground,
                proxy=proxy,
                auc=fmt_ratio(auc, 3),
            )
        ]
    elif column is None:
        parts = [say("explain.share_text.attribute_not_model_input")]
    elif own is None:
        parts = [say("explain.share_text.model_does_not_use_2", column=column)]
    else:
        parts = [
            say(
                "explain.share_text.attribute_itself_carries_model", column=column, own=fmt_pct(own)
            )
        ]
    auc_min = fmt_ratio(0.0 if threshold is None else threshold, 2)
    if proxies:
        parts.append(
            say(
                "explain.share_text.proxies_carry",
                ground=ground,
                threshold=auc_min,
                listed=_shares(proxies),
            )
        )
    if possible:
        parts.append(
            say(
                "explain.share_text.possible_stand_ins_carry",
                ground=ground,
                threshold=auc_min,
                listed=_shares(possible),
            )
        )
    head = say(
        "explain.share_text.head",
        ground=ground,
        parts=listing(parts, "；", "; "),
        limit=fmt_pct(limit),
    )
    if status is Status.FAIL and stand_in is not None and own is None:
        tail = say("explain.share_text.share_this_stand_attribute")
    elif status is Status.FAIL:
        tail = say("explain.share_text.attribute_s_own_share")
    elif status is Status.WARN and proxies_heavy:
        tail = say("explain.share_text.proxies_share_beyond_tolerance")
    elif status is Status.WARN:
        tail = say("explain.share_text.possible_share_beyond_tolerance")
    else:
        tail = say("explain.share_text.this_within_tolerance_this")
    return head.join(tail)


def _shares(inputs: Sequence[tuple[Message, float]]) -> Message:
    """Inputs, each with its share of the model's influence, listed."""
    return listing(
        [say("explain.share_text.input_share", name=p, share=fmt_pct(s)) for p, s in inputs]
    )


def notice_text(missing: Sequence[str], flagged: Sequence[Message] = ()) -> tuple[Message, Message]:
    """Page 1 on the public notice: its state, and what the organisation must do (settle the
    sentences marked NEEDS_REVIEW, on the inputs ``flagged``; supply the facts it lacks; then
    have it approved)."""
    if missing:
        fields = [NOTICE_FIELDS.get(k, say("explain.notice_text.text", k=k)) for k in missing]
        names = listing(list(fields))
        text = say("explain.notice_text.public_notice_drafted_but", names=names)
        action = say("explain.notice_text.supply_then_have_person", names=names)
    else:
        text = say("explain.notice_text.public_notice_drafted_must")
        action = say("explain.notice_text.have_person_responsible_system")
    if flagged:
        first = say("explain.notice_text.review_first", n=len(flagged), names=listing(flagged))
        action = first.join(Message(action.zh, action.en[:1].lower() + action.en[1:]), sep_en="")
    return text, action


def conclusion_text(
    top: Sequence[Message], missing: Sequence[str], flagged: Sequence[Message] = ()
) -> tuple[Message, Message]:
    """Page 1 on Art. 71 when the model was explained: its main inputs and the notice's state
    (:func:`notice_text`), and what the organisation must do."""
    names = listing(list(top))
    count = {1: "", 2: "两", 3: "三"}.get(len(top), str(len(top)) + " ")
    head = say(
        "explain.conclusion_text.model_weighs_most",
        names=names,
        count=Message(count, "these inputs" if len(top) > 1 else "this input"),
    )
    notice, action = notice_text(missing, flagged)
    return head.join(Message(notice.zh, notice.en[:1].lower() + notice.en[1:]), sep_en=""), action


#: Page 1 on Art. 71 when no explanation was produced.
NOT_EXPLAINED_ACTION = say("explain.not_explained_action")
