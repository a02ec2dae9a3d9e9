"""The words of Article 72(5): finding messages and method notes of the pricing audit.

Every number is formatted here from the computed value, the same in both languages.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from ..core.grounds import ground_label
from ..core.judging import Comparison, Verdict, disagreement, sides, verdict_tail
from ..core.messages import Message, fill, fmt_amount, fmt_level, fmt_pct
from ..core.policy import Policy
from ..core.scope import Scope

__all__ = ["KIND_LABELS", "dimension_label", "method_paragraphs", "subject_label"]

KIND_LABELS = {
    "habits": Message("消费习惯", "habits"),
    "preferences": Message("消费偏好", "preferences"),
    "ability_to_pay": Message("支付能力", "ability to pay"),
    "all": Message("全部画像特征", "the whole profile"),
}


def signed_pct(x: float) -> str:
    """A relative change as written in messages: ``+8.0%``."""
    return "—" if x != x else f"{100 * x:+.1f}%"


def money(x: float, currency: str) -> Message:
    """An amount with its currency: ``3.20 元`` / ``CNY 3.20``."""
    zh_unit = "元" if currency.upper() in ("CNY", "RMB", "元") else currency
    return Message(f"{fmt_amount(x)} {zh_unit}", f"{currency} {fmt_amount(x)}")


def dimension_label(
    name: str, kind: str, labels: Mapping[str, Sequence[str]] | None = None
) -> Message:
    """How a profile column or a ground is named: ``支付能力“手机档次”`` / ``ability to pay
    (“phone tier”)``."""
    if kind == "ground":
        g = ground_label(name)
        return Message(g.zh, g.en)
    spec = (labels or {}).get(name)
    zh, en = (str(spec[0]), str(spec[1])) if spec else (name, name)
    k = KIND_LABELS.get(kind, Message(kind, kind))
    return Message(f"{k.zh}“{zh}”", f"{k.en} (“{en}”)")


def subject_label(f: Any) -> Message:
    """What a price finding is about: for Article 72(5), the profile column or kind (a price
    gap on an Article 72(4) ground is about the ground)."""
    if f.article != "72(5)":
        return ground_label(str(f.ground))
    if f.ground in KIND_LABELS:
        return KIND_LABELS[str(f.ground)]
    label = f.details.get("label")
    if isinstance(label, (list, tuple)) and len(label) == 2:
        return Message(str(label[0]), str(label[1]))
    kind = str(f.details.get("kind", ""))
    return dimension_label(str(f.ground), kind) if kind else Message(str(f.ground), str(f.ground))


def quoted(
    names: Sequence[str],
    labels: Mapping[str, Sequence[str]] | None = None,
    empty: tuple[str, str] = ("", ""),
) -> Message:
    """Column names as a quoted list, by their display names where ``labels`` has them:
    ``“行程距离”、“车型”`` / ``“trip distance”, “vehicle class”``."""
    if not names:
        return Message(*empty)
    specs = [(labels or {}).get(n) for n in names]
    zh = [str(s[0]) if s else n for n, s in zip(names, specs, strict=True)]
    en = [str(s[1]) if s else n for n, s in zip(names, specs, strict=True)]
    return Message("、".join(f"“{x}”" for x in zh), ", ".join(f"“{x}”" for x in en))


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def msg_raw_gap(
    dim: Message,
    verdict: Verdict,
    *,
    median_ratio: float,
    threshold: float,
    level: float,
    currency: str,
) -> Message:
    """The raw price gap: informative only (legitimate factors may explain it); the value is
    the group's mean price over the reference's, minus one."""
    c = verdict.comparison
    mean_group, mean_reference = c.extra["mean"], c.extra["reference_mean"]
    lo, hi = c.ci if c.ci is not None else (math.nan, math.nan)
    diff = money(mean_group - mean_reference, currency)
    group, other = sides(c)
    body = Message(
        f"{dim.zh}：{group.zh}的平均价格为 {money(mean_group, currency).zh}，比{other.zh}"
        f"（{money(mean_reference, currency).zh}）{signed_pct(c.value)}"
        f"（差 {diff.zh}；{fmt_level(level)}置信区间 {signed_pct(lo)} 至 {signed_pct(hi)}；"
        f"中位数之比 {median_ratio:.3f}）；容许上限为 {fmt_pct(threshold)}。"
        f"这是未考虑任何正当因素时的差异。",
        f"{_cap(dim.en)}: the mean price for {group.en} is {money(mean_group, currency).en}, "
        f"{signed_pct(c.value)} against {other.en} "
        f"({money(mean_reference, currency).en}; a difference of {diff.en}; {fmt_level(level)} "
        f"CI {signed_pct(lo)} to {signed_pct(hi)}; median ratio {median_ratio:.3f}); the "
        f"tolerance is {fmt_pct(threshold)}. This is the gap before any legitimate factor.",
    )
    return body.join(verdict_tail(verdict))


_REGRESSION_ONLY = Message(
    "两组共有的分层覆盖的订单太少（该组 {covered} 单、参照组 {ref_covered} 单，占该组 "
    "{coverage}；要求各至少 {min_size} 单且不低于 {min_coverage}），分层估计不可靠，以回归调整"
    "估计判断。",
    " The strata the two groups share hold too few orders ({covered} of the group, "
    "{ref_covered} of the reference, {coverage} of the group's orders; at least {min_size} "
    "each and {min_coverage} are needed), so the regression-adjusted estimate decides.",
)


def _method(c: Comparison) -> Message:
    """Which estimator measured a gap after the legitimate factors."""
    if c.extra.get("estimate") == "stratified":
        return Message("分层法", "stratified")
    if c.extra.get("estimate") == "regression":
        return Message("回归调整法", "regression adjustment")
    return Message("模型重新定价", "re-priced by the model")


def _estimates(verdict: Verdict, min_size: int, min_coverage: float) -> Message:
    """Why the regression estimate decides, or what the other estimate says and whether the
    two disagree."""
    c = verdict.comparison
    if c.extra.get("estimate") == "regression":
        return fill(
            _REGRESSION_ONLY,
            covered=c.extra["covered"],
            ref_covered=c.extra["reference_covered"],
            coverage=fmt_pct(c.extra["coverage"]),
            min_size=min_size,
            min_coverage=fmt_pct(min_coverage),
        )
    out = Message("", "")
    if verdict.other is not None:
        out = Message(
            f"回归调整法为 {signed_pct(verdict.other.value)}。",
            f" Regression adjustment: {signed_pct(verdict.other.value)}.",
        )
        out = out.join(disagreement(verdict, signed_pct), sep_en="")
    return out


def msg_conditional_gap(
    dim: Message,
    verdict: Verdict,
    *,
    factors: Sequence[str],
    threshold: float,
    level: float,
    currency: str,
    min_size: int,
    min_coverage: float,
    labels: Mapping[str, Sequence[str]] | None = None,
) -> Message:
    """The price gap given the legitimate factors: the estimate that decides (stratified, or
    regression-adjusted when the strata cover too few orders), the other, and the raw gap."""
    c = verdict.comparison
    named = quoted(factors, labels)
    lo, hi = c.ci if c.ci is not None else (math.nan, math.nan)
    m = money(c.extra["mean"] * c.value / (1 + c.value), currency)
    method = _method(c)
    group, other = sides(c)
    body = Message(
        f"{dim.zh}：在正当因素（{named.zh}）相同的订单中，{group.zh}的价格比{other.zh}"
        f"{signed_pct(c.value)}（每单约 {m.zh}；{method.zh}，"
        f"{fmt_level(level)}置信区间 {signed_pct(lo)} 至 {signed_pct(hi)}；未调整时为 "
        f"{signed_pct(c.extra['raw'])}）。容许上限为 {fmt_pct(threshold)}。",
        f"{_cap(dim.en)}: for orders alike in the legitimate factors ({named.en}), {group.en} "
        f"pays {signed_pct(c.value)} against {other.en} (about {m.en} "
        f"per order; {method.en}, {fmt_level(level)} CI {signed_pct(lo)} to {signed_pct(hi)}; "
        f"unadjusted {signed_pct(c.extra['raw'])}). The tolerance is {fmt_pct(threshold)}.",
    )
    body = body.join(_estimates(verdict, min_size, min_coverage), sep_en="")
    return body.join(verdict_tail(verdict))


def msg_no_factors(dim: Message) -> Message:
    return Message(
        f"{dim.zh}：未提供正当因素（legitimate_factors），无法区分正当的价格差异与歧视，本项未评估。",
        f"{_cap(dim.en)}: no legitimate factors were given (legitimate_factors=), so legitimate "
        f"price differences cannot be told from discrimination; not assessed.",
    )


def msg_gap_too_few(dim: Message, min_size: int) -> Message:
    return Message(
        f"{dim.zh}：达到最小样本量（{min_size}）的组少于两个，无法比较价格。",
        f"{_cap(dim.en)}: fewer than two groups reach the minimum size of {min_size}; prices "
        f"cannot be compared.",
    )


def msg_counterfactual(
    kind: str,
    *,
    columns: Sequence[str],
    factors: Sequence[str],
    share: float,
    ci: tuple[float, float],
    tolerance: float,
    mean_abs: float,
    p95: float,
    amount: float,
    strongest: tuple[str, str, float] | None,
    orders: int,
    donors: int,
    threshold: float,
    level: float,
    verdict: Verdict,
    currency: str,
    labels: Mapping[str, Sequence[str]] | None = None,
) -> Message:
    """Same order, different customer."""
    k = KIND_LABELS[kind]
    swapped = quoted(columns, labels)
    cols, cols_en = swapped.zh, swapped.en
    fixed = quoted(factors, labels, ("其余各列", "every other column"))
    held, held_en = fixed.zh, fixed.en
    m = money(amount, currency)
    body = Message(
        f"同一订单、换一位顾客：{orders} 个订单各换上 {donors} 位其他顾客的{k.zh}（{cols}），"
        f"{held}保持不变，再由模型重新定价。{fmt_pct(share)} 的订单–顾客组合价格变动超过 "
        f"{fmt_pct(tolerance)}（{fmt_level(level)}置信区间 {fmt_pct(ci[0])} 至 "
        f"{fmt_pct(ci[1])}）；平均变动幅度 {fmt_pct(mean_abs)}，95% 的变动不超过 {fmt_pct(p95)}；"
        f"平均金额变化 {m.zh}。容许比例上限为 {fmt_pct(threshold)}。",
        f"Same order, different customer: {orders} orders were each given the {k.en} "
        f"({cols_en}) of {donors} other customers, {held_en} held fixed, and re-priced by the "
        f"model. For {fmt_pct(share)} of order-customer pairs the price moves by more than "
        f"{fmt_pct(tolerance)} ({fmt_level(level)} CI {fmt_pct(ci[0])} to {fmt_pct(ci[1])}); "
        f"the mean size of a change is {fmt_pct(mean_abs)}, 95% of changes are within "
        f"{fmt_pct(p95)}, and the mean change is {m.en}. At most {fmt_pct(threshold)} is "
        f"acceptable.",
    )
    if strongest is not None and abs(strongest[2]) >= 0.005:
        column, group, effect = strongest
        name = quoted([column], labels)
        body = body.join(
            Message(
                f"影响最大的是{name.zh}：换成“{group}”顾客的资料时价格平均{signed_pct(effect)}。",
                f"The strongest is {name.en}: with the profile of a “{group}” customer the "
                f"price moves by {signed_pct(effect)} on average.",
            )
        )
    return body.join(
        verdict_tail(
            verdict, Message("价格因顾客画像而不同", "prices depend on who the customer is")
        )
    )


def msg_no_model(what: Message) -> Message:
    return Message(
        f"{what.zh}需要模型本身（model=）才能重新定价，仅有价格记录时本项未评估。",
        f"{_cap(what.en)} needs the model itself (model=) to re-price orders; with prices only, "
        f"it was not assessed.",
    )


COUNTERFACTUAL_WHAT = Message("反事实检验（同一订单、换一位顾客）", "the counterfactual test")


def msg_loyalty(
    verdict: Verdict,
    *,
    column: str,
    loyal_rule: str,
    new_rule: str,
    n_loyal: int,
    n_new: int,
    raw: float,
    counterfactual: float,
    threshold: float,
    level: float,
    min_size: int,
    min_coverage: float,
    mean_loyal: float = math.nan,
    currency: str = "CNY",
) -> Message:
    """Loyal customers against new ones: the estimate that decides (stratified, regression
    adjustment when the strata cover too few orders, or the model's re-pricing without
    factors), the other estimates, and the raw gap."""
    c = verdict.comparison
    lo, hi = c.ci if c.ci is not None else (math.nan, math.nan)
    amount = mean_loyal * c.value / (1 + c.value) if c.value > -1 else math.nan
    cash = money(amount, currency) if math.isfinite(amount) else None
    method = _method(c)
    body = Message(
        f"老顾客（{loyal_rule}，{n_loyal} 单）与新顾客（{new_rule}，{n_new} 单）相比，"
        f"在正当因素相同时价格{signed_pct(c.value)}"
        + (f"（每单约 {cash.zh}）" if cash else "")
        + f"（{method.zh}，{fmt_level(level)}置信区间 "
        f"{signed_pct(lo)} 至 {signed_pct(hi)}；未调整 {signed_pct(raw)}）。",
        f"Loyal customers ({loyal_rule}, {n_loyal} orders) against new ones ({new_rule}, "
        f"{n_new} orders), for the same legitimate factors: {signed_pct(c.value)}"
        + (f" (about {cash.en} per order)" if cash else "")
        + f" ({method.en}, {fmt_level(level)} CI {signed_pct(lo)} to {signed_pct(hi)}; "
        f"unadjusted {signed_pct(raw)}).",
    )
    if c.extra.get("estimate") in ("stratified", "regression"):
        body = body.join(_estimates(verdict, min_size, min_coverage), sep_en="")
    if math.isfinite(counterfactual) and c.extra.get("estimate") != "counterfactual":
        body = body.join(
            Message(
                f"由模型重新定价：老顾客的同一订单若由新顾客下单，老顾客要多付 "
                f"{signed_pct(counterfactual)}。",
                f"Re-priced by the model, the loyal customers' orders cost "
                f"{signed_pct(counterfactual)} against the same orders placed as a new customer.",
            )
        )
    body = body.join(
        Message(
            f"老顾客多付的容许上限为 {fmt_pct(threshold)}（“杀熟”）。",
            f"Loyal customers may pay at most {fmt_pct(threshold)} more (no penalty on loyalty).",
        )
    )
    return body.join(verdict_tail(verdict, Message("老顾客被多收费", "loyal customers pay more")))


def msg_no_loyalty() -> Message:
    return Message(
        "未指定表示顾客在网时长的列（loyalty=，例如注册月数），无法检查是否对老顾客收取更高价格；本项未评估。",
        "No tenure column was named (loyalty=, e.g. months as a customer), so whether loyal "
        "customers are charged more cannot be checked; not assessed.",
    )


def msg_no_profile() -> Message:
    """No consumer profile was declared: Article 72(5) is not assessed."""
    return Message(
        "未指定顾客画像列（consumer_profile=，消费习惯、偏好、支付能力），无法检查是否依据顾客画像"
        "实施价格歧视；本项未评估。",
        "No consumer-profile columns were named (consumer_profile=: habits, preferences, ability "
        "to pay), so price discrimination by the customer's profile cannot be checked; not "
        "assessed.",
    )


def msg_profile_attribution(
    share: float, by_kind: Mapping[str, float], threshold: float, status: str
) -> Message:
    parts_zh = "，".join(f"{KIND_LABELS[k].zh} {fmt_pct(v)}" for k, v in by_kind.items())
    parts_en = ", ".join(f"{KIND_LABELS[k].en} {fmt_pct(v)}" for k, v in by_kind.items())
    body = Message(
        f"消费者画像特征合计占模型对价格全部影响的 {fmt_pct(share)}（{parts_zh}）；"
        f"上限为 {fmt_pct(threshold)}。",
        f"The consumer-profile features carry {fmt_pct(share)} of the model's total influence "
        f"on the price ({parts_en}); the limit is {fmt_pct(threshold)}.",
    )
    if status == "PASS":
        return body.join(Message("结论：通过。", "Result: pass."))
    return body.join(
        Message(
            "模型定价时使用了顾客画像；其对价格的实际影响以反事实检验为准。结论：警示。",
            "The model uses the customer's profile in its prices; the counterfactual test "
            "measures how much that moves them. Result: warning.",
        )
    )


def msg_profile_not_assessed(reason: Message) -> Message:
    return Message(
        f"无法衡量顾客画像对价格的影响占比：{reason.zh}",
        f"The profile's share of the model's influence cannot be measured: {reason.en}",
    )


def method_paragraphs(
    *,
    factors: Sequence[str],
    n_boot: int,
    level: float,
    price_gap_max: float,
    tolerance: float,
    share_max: float,
    orders: int,
    donors: int,
    labels: Mapping[str, Sequence[str]] | None = None,
) -> list[Message]:
    """The method note of the pricing audit."""
    named = quoted(factors, labels, ("（未提供）", "(none given)"))
    zh_f, en_f = named.zh, named.en
    return [
        Message(
            f"原始价差：各组平均价格（及中位数）与参照组之比；区间为对各组价格分布的 "
            f"{n_boot} 次自助重抽样的 {fmt_level(level)} 百分位区间。"
            f"原始价差可能完全来自正当因素，因此最多给出警示。",
            f"Raw gap: each group's mean (and median) price over the reference group's, with "
            f"{fmt_level(level)} percentile intervals from {n_boot} bootstrap resamples of each "
            f"group's prices. A raw gap may come entirely from legitimate factors, so it can "
            f"only warn.",
        ),
        Message(
            f"控制正当因素（{zh_f}）后的价差，两种方法并列：精确分层（类别原样、数值按分位数分箱，"
            f"在每个层内比较该组与参照组的对数价格，再按该组的分布加权）与回归调整（对数价格对组别"
            f"和各因素做最小二乘，HC1 稳健标准误）。以分层法为准：超过 {fmt_pct(price_gap_max)} "
            f"且经多重比较校正后显著为不通过，超过但不显著为警示。层内仍可能残留因素差异。",
            f"Gap given the legitimate factors ({en_f}), two methods side by side: exact "
            f"stratification (categories as they are, numbers in quantile bins; within each "
            f"stratum the group's log price is compared with the reference group's and the "
            f"differences are weighted by the group's own distribution) and regression "
            f"adjustment (least squares of the log price on the groups and the factors, HC1 "
            f"robust errors). The stratified gap decides: beyond {fmt_pct(price_gap_max)} and "
            f"significant after correction fails, beyond but not significant warns. Differences "
            f"in the factors within a stratum may remain.",
        ),
        Message(
            f"反事实检验：随机抽取 {orders} 个订单，每个订单换上 {donors} 位随机顾客的画像特征"
            f"（先全部，再按习惯、偏好、支付能力分别），其余各列（包括全部正当因素）不变，由模型"
            f"批量重新定价。价格变动超过 {fmt_pct(tolerance)} 的订单–顾客组合比例超过 "
            f"{fmt_pct(share_max)} 且显著时不通过。",
            f"Counterfactual test: {orders} orders drawn at random are each given the profile "
            f"features of {donors} customers drawn at random (all of them, then habits, "
            f"preferences and ability to pay one kind at a time), every other column, the "
            f"legitimate factors included, unchanged, and re-priced by the model in batches. "
            f"More than {fmt_pct(share_max)} of order-customer pairs moving by more than "
            f"{fmt_pct(tolerance)}, significantly, fails.",
        ),
        Message(
            f"老顾客：在网时长最短者（通常为 0）为新顾客，最长的四分之一为老顾客；"
            f"老顾客在正当因素相同时多付超过 {fmt_pct(price_gap_max)} 且显著为不通过；"
            f"有模型时另报告同一订单改由新顾客下单的价格差。",
            f"Loyalty: customers at the shortest tenure (usually 0) are new, the longest quarter "
            f"loyal; loyal customers paying more than {fmt_pct(price_gap_max)} more for the same "
            f"legitimate factors, significantly, fails; with the model, the price of the same "
            f"orders placed as a new customer is reported too.",
        ),
    ]


def audit_method_paragraphs(scope: Scope, policy: Policy) -> list[Message]:
    """The method section of a pricing audit (the price checks' own methods are in
    :func:`method_paragraphs`)."""
    return [
        Message(
            f"本次审计涵盖 {scope.n_rows} 个订单的价格（越低对顾客越有利）。价格来源："
            f"{scope.decision_rule}。价格检查的方法见第七十二条第（五）项一节末尾。",
            f"The audit covers the prices of {scope.n_rows} orders (lower is better for the "
            f"customer). Prices come from: {scope.decision_rule}. The methods of the price "
            f"checks are at the end of the Article 72(5) section.",
        ),
        Message(
            f"判定规则：在容许范围内为“通过”；超出时，整份审计的全部比较一起作 "
            f"Benjamini-Hochberg 校正，校正后 p 值低于 {policy.significance_level:g} 为"
            f"“不通过”，否则为“警示”。"
            f"订单数不足 {policy.min_group_size} 的组不参与比较、不显示数值。",
            f"Decision rule: within the tolerance is a pass; beyond it, every comparison of the "
            f"audit is adjusted together (Benjamini-Hochberg): below "
            f"{policy.significance_level:g} fails, otherwise a warning. Groups of fewer than "
            f"{policy.min_group_size} orders are neither compared nor shown.",
        ),
        Message(
            "隐私：报告只包含按组汇总的统计，不列出任何订单或顾客的记录。",
            "Privacy: the report holds statistics by group only, never an order or a customer.",
        ),
    ]


def msg_price_trend(
    dim: Message,
    verdict: Verdict,
    *,
    threshold: float,
    level: float,
    currency: str,
    raw: Comparison | None = None,
    factors: Sequence[str] = (),
    labels: Mapping[str, Sequence[str]] | None = None,
) -> Message:
    """The price trend along a numeric column, read between its 10th and 90th percentiles:
    given the legitimate factors when they were given (``raw``: the unadjusted one beside
    it), else unadjusted (informative)."""
    c = verdict.comparison
    lo, hi = c.ci if c.ci is not None else (math.nan, math.nan)
    low, high = f"{c.extra['low']:.4g}", f"{c.extra['high']:.4g}"
    given = (
        Message(f"在正当因素（{quoted(factors, labels).zh}）相同时，", "")
        if factors
        else Message("", "")
    )
    given_en = f" for the same legitimate factors ({quoted(factors, labels).en})" if factors else ""
    body = Message(
        f"{dim.zh}（按数值本身，直线拟合 {c.extra['rows']} 单的对数价格，HC1 稳健标准误）："
        f"{given.zh}第10百分位（P10 = {low}）与第90百分位（P90 = {high}）之间，"
        f"“{c.group}”一端比“{c.reference}”一端价格{signed_pct(c.value)}"
        f"（{fmt_level(level)}置信区间 {signed_pct(lo)} 至 {signed_pct(hi)}）。"
        f"容许上限为 {fmt_pct(threshold)}。",
        f"{_cap(dim.en)} (the numbers themselves: a straight-line fit of the log price on "
        f"{c.extra['rows']} orders, HC1 robust standard errors): between the 10th percentile "
        f"(P10 = {low}) and the 90th (P90 = {high}){given_en}, the “{c.group}” end pays "
        f"{signed_pct(c.value)} against the “{c.reference}” end ({fmt_level(level)} CI "
        f"{signed_pct(lo)} to {signed_pct(hi)}). The tolerance is {fmt_pct(threshold)}.",
    )
    if raw is not None:
        body = body.join(
            Message(
                f"未调整时为 {signed_pct(raw.value)}。",
                f" Unadjusted: {signed_pct(raw.value)}.",
            ),
            sep_en="",
        )
    about = Message(f"“{c.group}”一端价格更高", f"the “{c.group}” end pays more")
    return body.join(verdict_tail(verdict, about))


def msg_trend_not_fitted(dim: Message, reason: Message) -> Message:
    return Message(
        f"{dim.zh}：无法沿数值估计价格趋势（{reason.zh}）；本项数据不足。",
        f"{_cap(dim.en)}: no price trend along the numbers could be fitted ({reason.en}); "
        f"insufficient data.",
    )
