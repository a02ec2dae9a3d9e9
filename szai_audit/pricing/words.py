"""The words of Art. 72(2)(v): finding messages and method notes of the pricing audit.

Every number is formatted here from the computed value, the same in both languages.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

from ..core.findings import Status
from ..core.grounds import ground_label
from ..core.judging import Comparison, Verdict, sides, verdict_tail
from ..core.messages import Message, fill, first_upper, fmt_level, fmt_pct, minus
from ..core.policy import Policy
from ..core.scope import Scope

__all__ = ["KIND_LABELS", "dimension_label", "method_paragraphs", "subject_label"]

KIND_LABELS = {
    "habits": Message("消费习惯", "habits"),
    "preferences": Message("消费偏好", "preferences"),
    "ability_to_pay": Message("支付能力", "ability to pay"),
    "all": Message("全部画像特征", "the whole profile"),
}


def _tiny(x: float) -> bool:
    """Whether a relative change rounds to 0.0% at one decimal."""
    return abs(x) < 0.0005


def signed_pct(x: float) -> str:
    """A relative change for a table cell: ``+8.0%``, ``−2.4%`` (U+2212), ``0.0%``.

    >>> signed_pct(0.08), signed_pct(-0.024) == "\u22122.4%", signed_pct(-0.0001)
    ('+8.0%', True, '0.0%')
    """
    if x != x:
        return "—"
    return "0.0%" if _tiny(x) else minus(f"{100 * x:+.1f}%")


def count(n: int) -> str:
    """A count with thousands separators: ``2,000``."""
    return f"{int(n):,}"


#: Chinese names of common currencies (a code not listed is written as it is).
CURRENCY_ZH = {"CNY": "元", "RMB": "元", "元": "元", "USD": "美元", "EUR": "欧元", "HKD": "港元"}


def currency_unit(currency: str) -> Message:
    """The currency's unit in each language: ``元`` / ``CNY``."""
    code = currency.strip()
    return Message(CURRENCY_ZH.get(code.upper(), code), "CNY" if code == "元" else code)


def money(x: float, currency: str) -> Message:
    """An amount rounded to the cent with thousands separators: ``1,234.50 元`` / ``CNY
    1,234.50`` (the minus sign U+2212).

    >>> money(3.164, "CNY").zh, money(1234.5, "CNY").en
    ('3.16 元', 'CNY 1,234.50')
    """
    if not math.isfinite(x):
        return Message("—", "—")
    unit = currency_unit(currency)
    text = minus(f"{x:,.2f}")
    return Message(f"{text} {unit.zh}", f"{unit.en} {text}")


def money_size(x: float, currency: str) -> Message:
    """The size of an amount, for a sentence that says its direction: ``3.16 元``, and
    ``不到 0.01 元`` / ``less than CNY 0.01`` below a cent."""
    if math.isfinite(x) and abs(x) < 0.005:
        unit = currency_unit(currency)
        return Message(f"不到 0.01 {unit.zh}", f"less than {unit.en} 0.01")
    return money(abs(x), currency)


def _than(other: Message, x: float) -> Message:
    """``比参照组“B”高 8.2%`` / ``8.2% more than the reference group “B”``."""
    if _tiny(x):
        return Message(f"与{other.zh}基本相同", f"about the same as {other.en}")
    word, en = ("高", "more") if x > 0 else ("低", "less")
    return Message(
        f"比{other.zh}{word} {fmt_pct(abs(x))}", f"{fmt_pct(abs(x))} {en} than {other.en}"
    )


def relative(x: float) -> Message:
    """A relative change said in words: ``高 4.4%`` / ``4.4% higher``."""
    if x != x:
        return Message("—", "—")
    if _tiny(x):
        return Message("基本相同", "about the same")
    if x > 0:
        return Message(f"高 {fmt_pct(x)}", f"{fmt_pct(x)} higher")
    return Message(f"低 {fmt_pct(-x)}", f"{fmt_pct(-x)} lower")


def interval(lo: float, hi: float, x: float) -> Message:
    """An interval of a relative change ``x`` said as :func:`relative` says it: the sizes
    (``2.4% 至 3.4%``) when both bounds lie on the side of ``x``, else signed bounds
    (``−0.1% 至 +9.2%``).

    >>> interval(0.024, 0.034, 0.029).zh, interval(-0.055, -0.041, -0.048).en
    ('2.4% 至 3.4%', '4.1% to 5.5%')
    >>> interval(-0.001, 0.092, 0.044).zh == "\u22120.1% 至 +9.2%"
    True
    """
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return Message("—", "—")
    if not _tiny(x) and x > 0 and lo >= 0:
        a, b = fmt_pct(lo), fmt_pct(hi)
    elif not _tiny(x) and x < 0 and hi <= 0:
        a, b = fmt_pct(-hi), fmt_pct(-lo)
    else:
        a, b = signed_pct(lo), signed_pct(hi)
    return Message(f"{a} 至 {b}", f"{a} to {b}")


def number(x: float) -> str:
    """A value of a numeric column: an integer with thousands separators, else 3 significant
    digits (the minus sign U+2212).

    >>> number(120000.0), number(2.5), number(-3.0) == "\u22123"
    ('120,000', '2.5', True)
    """
    if not math.isfinite(x):
        return "—"
    if float(x).is_integer():
        return minus(f"{int(x):,}")
    return minus(f"{x:,.0f}") if abs(x) >= 100 else minus(f"{x:.3g}")


def feature_name(name: str, labels: Mapping[str, Sequence[str]] | None = None) -> Message:
    """A column's display name from ``feature_labels``; its name, quoted, when it has none."""
    spec = (labels or {}).get(name)
    if spec:
        return Message(str(spec[0]), str(spec[1]))
    return Message(f"“{name}”", f"“{name}”")


def unit_of(name: str, labels: Mapping[str, Sequence[str]] | None = None) -> Message:
    """A column's unit from the third element of its label (``"月/months"``), as written
    after a number (``个月`` / ``months``); empty when none was given."""
    spec = (labels or {}).get(name)
    if not spec or len(spec) < 3 or not str(spec[2]).strip():
        return Message("", "")
    zh, _, en = str(spec[2]).partition("/")
    zh, en = zh.strip(), (en or zh).strip()
    return Message({"月": "个月", "周": "周", "年": "年"}.get(zh, zh), en)


def with_unit(value: str, unit: Message) -> Message:
    """A value and its unit: ``27 个月`` / ``27 months``."""
    return Message(
        f"{value} {unit.zh}".strip() if unit.zh else value,
        f"{value} {unit.en}".strip() if unit.en else value,
    )


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
    """What a price finding is about: for Art. 72(2)(v), the profile column or kind (a price
    gap on an Art. 72(2)(iv) ground is about the ground)."""
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


def _pays(group: Message, other: Message, x: float, plural: bool = False) -> Message:
    """``“A”组的价格比参照组“B”高 8.2%`` / ``“A” pays 8.2% more than the reference group “B”``."""
    than = _than(other, x)
    verb = "pay" if plural else "pays"
    return Message(f"{group.zh}的价格{than.zh}", f"{group.en} {verb} {than.en}")


def per_order(amount: float, currency: str) -> Message:
    """The size of a gap per order: ``每单约 3.16 元`` / ``about CNY 3.16 per order``
    (``每单不到 0.01 元`` below a cent)."""
    size = money_size(amount, currency)
    if math.isfinite(amount) and abs(amount) < 0.005:
        return Message(f"每单{size.zh}", f"{size.en} per order")
    return Message(f"每单约 {size.zh}", f"about {size.en} per order")


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
    diff = mean_group - mean_reference
    group, other = sides(c)
    ref_price = money(mean_reference, currency)
    than = _than(Message(f"{other.zh}（{ref_price.zh}）", f"{other.en} ({ref_price.en})"), c.value)
    per_order = (
        Message("", "")
        if abs(diff) < 0.005
        else Message(
            f"每单{'多' if diff > 0 else '少'} {money_size(diff, currency).zh}；",
            f"{money_size(diff, currency).en} {'more' if diff > 0 else 'less'} per order; ",
        )
    )
    ci, median = interval(lo, hi, c.value), relative(median_ratio - 1)
    body = Message(
        f"{dim.zh}：{group.zh}的平均价格为 {money(mean_group, currency).zh}，{than.zh}"
        f"（{per_order.zh}{fmt_level(level)}置信区间 {ci.zh}；中位数{median.zh}）；"
        f"容许上限为 {fmt_pct(threshold)}。这是未考虑任何正当因素时的差异。",
        f"{first_upper(dim.en)}: the mean price for {group.en} is "
        f"{money(mean_group, currency).en}, "
        f"{than.en} ({per_order.en}{fmt_level(level)} CI {ci.en}; median {median.en}); the "
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

#: What the decision rule says of one estimate of a gap measured two ways.
_ESTIMATE_RESULTS: dict[Status, Message] = {
    Status.FAIL: Message("数据表明超出容许范围", "shown beyond the tolerance"),
    Status.PASS: Message("区间在容许范围内", "its interval within the tolerance"),
    Status.WARN: Message("无法确定", "inconclusive"),
}


def _method(c: Comparison) -> Message:
    """Which estimator measured a gap after the legitimate factors."""
    if c.extra.get("estimate") == "stratified":
        return Message("分层法", "stratified")
    if c.extra.get("estimate") == "regression":
        return Message("回归调整法", "regression adjustment")
    return Message("模型重新定价", "re-priced by the model")


def _disagreement(verdict: Verdict) -> Message:
    """The two estimates of a gap that reach different results, each with its interval."""
    if not verdict.disagree or verdict.other is None or verdict.statuses is None:
        return Message("", "")
    parts = []
    for c, status in zip((verdict.comparison, verdict.other), verdict.statuses, strict=True):
        lo, hi = c.ci if c.ci is not None else (math.nan, math.nan)
        r = _ESTIMATE_RESULTS.get(status, Message("", ""))
        v, ci = relative(c.value), interval(lo, hi, c.value)
        name = "stratified" if c.extra.get("estimate") == "stratified" else "regression-adjusted"
        parts.append(
            Message(
                f"{_method(c).zh}（{v.zh}，区间 {ci.zh}：{r.zh}）",
                f"the {name} estimate ({v.en}, interval {ci.en}: {r.en})",
            )
        )
    first, second = parts
    return Message(
        f"{first.zh}与{second.zh}的结论不一致。",
        f" {first_upper(first.en)} and {second.en} reach different results.",
    )


def _estimates(verdict: Verdict, min_size: int, min_coverage: float) -> Message:
    """Why the regression estimate decides, or what the other estimate says and whether the
    two disagree."""
    c = verdict.comparison
    if c.extra.get("estimate") == "regression":
        return fill(
            _REGRESSION_ONLY,
            covered=count(c.extra["covered"]),
            ref_covered=count(c.extra["reference_covered"]),
            coverage=fmt_pct(c.extra["coverage"]),
            min_size=count(min_size),
            min_coverage=fmt_pct(min_coverage),
        )
    if verdict.other is None:
        return Message("", "")
    if verdict.disagree:
        return _disagreement(verdict)
    other = relative(verdict.other.value)
    return Message(f"按回归调整法，价格{other.zh}。", f" Regression adjustment: {other.en}.")


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
    m = per_order(c.extra["mean"] * c.value / (1 + c.value), currency)
    method = _method(c)
    group, other = sides(c)
    pays, ci, raw = (
        _pays(group, other, c.value),
        interval(lo, hi, c.value),
        relative(c.extra["raw"]),
    )
    body = Message(
        f"{dim.zh}：在正当因素（{named.zh}）相同的订单中，{pays.zh}（{m.zh}；"
        f"{method.zh}，{fmt_level(level)}置信区间 {ci.zh}；未调整时{raw.zh}）。"
        f"容许上限为 {fmt_pct(threshold)}。",
        f"{first_upper(dim.en)}: for orders alike in the legitimate factors ({named.en}), "
        f"{pays.en} "
        f"({m.en}; {method.en}, {fmt_level(level)} CI {ci.en}; unadjusted "
        f"{raw.en}). The tolerance is {fmt_pct(threshold)}.",
    )
    body = body.join(_estimates(verdict, min_size, min_coverage), sep_en="")
    return body.join(verdict_tail(verdict))


def msg_no_factors(dim: Message) -> Message:
    return Message(
        f"{dim.zh}：未提供正当因素（如距离、商品、时段等影响成本的因素），无法区分正当的价格差异与"
        f"歧视；本项未评估。",
        f"{first_upper(dim.en)}: no legitimate factors (cost drivers such as distance, product or "
        f"time) "
        f"were given, so legitimate price differences cannot be told from discrimination; not "
        f"assessed.",
    )


def msg_gap_too_few(dim: Message, min_size: int) -> Message:
    return Message(
        f"{dim.zh}：订单数达到最小样本量（{count(min_size)} 单）的组少于两个，无法比较价格。",
        f"{first_upper(dim.en)}: fewer than two groups reach the minimum size of {count(min_size)} "
        f"orders; prices cannot be compared.",
    )


def _mean_change(amount: float, currency: str) -> Message:
    """``平均每单价格上升 0.01 元`` / ``on average the price of an order rises by CNY 0.01``."""
    size = money_size(amount, currency)
    if abs(amount) < 0.005:
        return Message(
            f"平均每单价格变化{size.zh}", f"on average an order's price moves by {size.en}"
        )
    if amount > 0:
        return Message(
            f"平均每单价格上升 {size.zh}", f"on average an order's price rises by {size.en}"
        )
    return Message(f"平均每单价格下降 {size.zh}", f"on average an order's price falls by {size.en}")


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
    held = quoted(factors, labels, ("其余各列", "every other column"))
    change = _mean_change(amount, currency)
    body = Message(
        f"同一订单、换一位顾客：{count(orders)} 个订单各换上 {count(donors)} 位其他顾客的{k.zh}"
        f"（{swapped.zh}），{held.zh}保持不变，再由模型重新定价。{fmt_pct(share)} 的订单–顾客"
        f"组合价格变动超过 {fmt_pct(tolerance)}（{fmt_level(level)}置信区间 {fmt_pct(ci[0])} 至 "
        f"{fmt_pct(ci[1])}）；变动幅度平均 {fmt_pct(mean_abs)}，95% 的变动不超过 {fmt_pct(p95)}；"
        f"{change.zh}。容许比例上限为 {fmt_pct(threshold)}。",
        f"Same order, different customer: {count(orders)} orders were each given the {k.en} "
        f"({swapped.en}) of {count(donors)} other customers, {held.en} held fixed, and re-priced "
        f"by the model. For {fmt_pct(share)} of order-customer pairs the price moves by more "
        f"than {fmt_pct(tolerance)} ({fmt_level(level)} CI {fmt_pct(ci[0])} to "
        f"{fmt_pct(ci[1])}); the mean size of a change is {fmt_pct(mean_abs)}, 95% of changes "
        f"are within {fmt_pct(p95)}, and {change.en}. At most {fmt_pct(threshold)} is "
        f"acceptable.",
    )
    if strongest is not None and abs(strongest[2]) >= 0.005:
        column, group, effect = strongest
        name, moved = quoted([column], labels), relative(effect)
        body = body.join(
            Message(
                f"影响最大的是{name.zh}：换上“{group}”组顾客的资料时，价格平均比换上参照组顾客的"
                f"资料时{moved.zh}。",
                f"The strongest is {name.en}: with the profile of a “{group}” customer the price "
                f"is on average {moved.en} than with that of a customer of the reference group.",
            )
        )
    return body.join(
        verdict_tail(
            verdict, Message("价格因顾客画像而不同", "prices depend on who the customer is")
        )
    )


def msg_no_model(what: Message) -> Message:
    return Message(
        f"{what.zh}需要模型本身才能重新定价；仅提供价格记录时本项未评估。",
        f"{first_upper(what.en)} needs the model itself to re-price orders; with prices only, it "
        f"was "
        f"not assessed.",
    )


COUNTERFACTUAL_WHAT = Message("反事实检验（同一订单、换一位顾客）", "the counterfactual test")

_RULE = re.compile(r"^(?P<column>.*) (?P<op>==|>=|<=|is) (?P<value>\S+)$")


def tenure_rule(
    rule: str, labels: Mapping[str, Sequence[str]] | None = None, named: bool = True
) -> Message:
    """Who counts as a loyal or a new customer, in words, from a rule of
    :func:`~szai_audit.pricing.loyalty.loyalty_groups`: ``注册时长不少于 27 个月`` / ``time as
    a customer at least 27 months``. ``named=False`` leaves out an unlabelled column's name
    (given once already): ``取值为 0``.

    >>> names = {"tenure_months": ("注册时长", "tenure", "月/months")}
    >>> tenure_rule("tenure_months >= 27", names).zh
    '注册时长不少于 27 个月'
    >>> tenure_rule("months == 0", None, named=False).en
    'a value of 0'
    """
    m = _RULE.match(rule)
    if m is None:
        return Message(rule, rule)
    column, op, raw = m.group("column"), m.group("op"), m.group("value")
    labelled = bool((labels or {}).get(column))
    name = feature_name(column, labels)
    if not labelled and not named:
        name = Message("取值", "a value")
    if op == "is":
        yes = raw == "True"
        return Message(
            f"{name.zh}为“{'是' if yes else '否'}”", f"{name.en} {'true' if yes else 'false'}"
        )
    try:
        value = with_unit(number(float(raw)), unit_of(column, labels))
    except ValueError:
        value = Message(raw, raw)
    zh_op, en_op = {
        "==": ("为", "of"),
        ">=": ("不少于", "of at least"),
        "<=": ("不超过", "of at most"),
    }[op]
    return Message(f"{name.zh}{zh_op} {value.zh}", f"{name.en} {en_op} {value.en}")


def _loyalty_model(counterfactual: float) -> Message:
    """What the model's re-pricing of the loyal customers' orders as new customers' says."""
    if not math.isfinite(counterfactual):
        return Message("", "")
    if _tiny(counterfactual):
        return Message(
            "由模型重新定价：同一订单由老顾客或新顾客下单，价格基本相同。",
            "Re-priced by the model, the same orders cost about the same placed by a loyal "
            "customer or by a new one.",
        )
    word, en = ("多付", "more") if counterfactual > 0 else ("少付", "less")
    size = fmt_pct(abs(counterfactual))
    return Message(
        f"由模型重新定价：同一订单，老顾客比以新顾客身份下单{word} {size}。",
        f"Re-priced by the model, the same orders cost {size} {en} placed by a loyal customer "
        f"than by a new one.",
    )


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
    labels: Mapping[str, Sequence[str]] | None = None,
) -> Message:
    """Loyal customers against new ones: the estimate that decides (stratified, regression
    adjustment when the strata cover too few orders, or the model's re-pricing without
    factors), the other estimates, and the raw gap. ``labels`` (``feature_labels``) names the
    tenure column and its unit."""
    c = verdict.comparison
    lo, hi = c.ci if c.ci is not None else (math.nan, math.nan)
    amount = mean_loyal * c.value / (1 + c.value) if c.value > -1 else math.nan
    cash = per_order(amount, currency) if math.isfinite(amount) else None
    method, ci = _method(c), interval(lo, hi, c.value)
    loyal, new = tenure_rule(loyal_rule, labels), tenure_rule(new_rule, labels, named=False)
    pays = _pays(Message("老顾客", "loyal customers"), Message("新顾客", "new ones"), c.value, True)
    body = Message(
        f"{loyal.zh}的老顾客（{count(n_loyal)} 单）与{new.zh}的新顾客（{count(n_new)} 单）相比，"
        f"在正当因素相同时，{pays.zh}（"
        + (f"{cash.zh}；" if cash else "")
        + f"{method.zh}，{fmt_level(level)}置信区间 {ci.zh}；未调整时{relative(raw).zh}）。",
        f"Loyal customers ({loyal.en}; {count(n_loyal)} orders) against new ones ({new.en}; "
        f"{count(n_new)} orders), for the same legitimate factors: {pays.en} ("
        + (f"{cash.en}; " if cash else "")
        + f"{method.en}, {fmt_level(level)} CI {ci.en}; unadjusted {relative(raw).en}).",
    )
    if c.extra.get("estimate") in ("stratified", "regression"):
        body = body.join(_estimates(verdict, min_size, min_coverage), sep_en="")
    if c.extra.get("estimate") != "counterfactual":
        body = body.join(_loyalty_model(counterfactual))
    body = body.join(
        Message(
            f"老顾客多付的容许上限为 {fmt_pct(threshold)}（“杀熟”）。",
            f"Loyal customers may pay at most {fmt_pct(threshold)} more (no penalty on loyalty).",
        )
    )
    return body.join(verdict_tail(verdict, Message("老顾客被多收费", "loyal customers pay more")))


def msg_no_loyalty() -> Message:
    return Message(
        "未指定表示顾客在网时长的列（例如注册月数），无法检查是否对老顾客收取更高价格；本项未评估。",
        "No column of how long customers have been customers (months since sign-up, say) was "
        "named, so whether loyal customers are charged more cannot be checked; not assessed.",
    )


def msg_no_profile() -> Message:
    """No consumer profile was declared: Art. 72(2)(v) is not assessed."""
    return Message(
        "未指定顾客画像列（消费习惯、偏好、支付能力），无法检查是否依据顾客画像实施价格歧视；"
        "本项未评估。",
        "No consumer-profile columns were named (habits, preferences, ability to pay), so "
        "price discrimination by the customer's profile cannot be checked; not assessed.",
    )


def msg_profile_attribution(
    share: float,
    by_kind: Mapping[str, float],
    threshold: float,
    status: str,
    by_column: Mapping[str, float] | None = None,
    labels: Mapping[str, Sequence[str]] | None = None,
) -> Message:
    """The profile's share of the model's influence on the price, by kind, and the column of
    the largest share (``by_column``, named by ``labels``)."""
    parts_zh = "、".join(f"{KIND_LABELS[k].zh} {fmt_pct(v)}" for k, v in by_kind.items())
    parts_en = ", ".join(f"{KIND_LABELS[k].en} {fmt_pct(v)}" for k, v in by_kind.items())
    top = Message("", "")
    if by_column:
        column, largest = max(by_column.items(), key=lambda kv: kv[1])
        if largest >= 0.0005:
            name = quoted([column], labels)
            top = Message(
                f"，其中最大的是{name.zh}（{fmt_pct(largest)}）",
                f"; the largest is {name.en} ({fmt_pct(largest)})",
            )
    body = Message(
        f"顾客画像特征合计占模型对价格全部影响的 {fmt_pct(share)}（{parts_zh}）{top.zh}；"
        f"上限为 {fmt_pct(threshold)}。",
        f"The consumer-profile features carry {fmt_pct(share)} of the model's total influence "
        f"on the price ({parts_en}){top.en}; the limit is {fmt_pct(threshold)}.",
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
            f"{count(n_boot)} 次自助重抽样的 {fmt_level(level)} 百分位区间。"
            f"原始价差可能完全来自正当因素，因此最多给出警示。",
            f"Raw gap: each group's mean (and median) price over the reference group's, with "
            f"{fmt_level(level)} percentile intervals from {count(n_boot)} bootstrap resamples "
            f"of each group's prices. A raw gap may come entirely from legitimate factors, so it "
            f"can only warn.",
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
            f"反事实检验：随机抽取 {count(orders)} 个订单，每个订单换上 {count(donors)} 位"
            f"随机顾客的画像特征（先全部，再按习惯、偏好、支付能力分别），其余各列（包括全部正当因素）不变，由模型"
            f"批量重新定价。价格变动超过 {fmt_pct(tolerance)} 的订单–顾客组合比例超过 "
            f"{fmt_pct(share_max)} 且显著时不通过。",
            f"Counterfactual test: {count(orders)} orders drawn at random are each given the "
            f"profile features of {count(donors)} customers drawn at random (all of them, then "
            f"habits, preferences and ability to pay one kind at a time), every other column, the "
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
            f"本次审计涵盖 {count(scope.n_rows)} 个订单的价格（越低对顾客越有利）。"
            + ("价格由被审计的模型给出。" if scope.mode == "model" else "价格为提交的价格记录。")
            + "价格检查的方法见第七十二条第二款第（五）项一节末尾。",
            f"The audit covers the prices of {count(scope.n_rows)} orders (lower is better for the "
            f"customer). Prices come from: {scope.decision_rule}. The methods of the price "
            f"checks are at the end of the Art. 72(2)(v) section.",
        ),
        Message(
            f"判定规则：在容许范围内为“通过”；超出时，整份审计的全部比较一起作 "
            f"Benjamini-Hochberg 校正，校正后 p 值低于 {policy.significance_level:g} 为"
            f"“不通过”，否则为“警示”。"
            f"订单数不足 {count(policy.min_group_size)} 的组不参与比较、不显示数值。",
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


def trend_end(label: str, value: float, unit: Message) -> Message:
    """One end of a trend (``"P90 (50)"``) in words: ``第90百分位（50 个月）一端`` / ``the
    90th-percentile end (50 months)``."""
    q = "90" if label.startswith("P90") else "10"
    v = with_unit(number(value), unit)
    return Message(f"第{q}百分位（{v.zh}）一端", f"the {q}th-percentile end ({v.en})")


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
    unit: Message | None = None,
) -> Message:
    """The price trend along a numeric column, read between its 10th and 90th percentiles:
    given the legitimate factors when they were given (``raw``: the unadjusted one beside
    it), else unadjusted (informative). ``unit``: the column's unit (:func:`unit_of`)."""
    c = verdict.comparison
    lo, hi = c.ci if c.ci is not None else (math.nan, math.nan)
    u = unit or Message("", "")
    ends = {"P10": c.extra["low"], "P90": c.extra["high"]}
    group = trend_end(c.group, ends.get(c.group[:3], math.nan), u)
    other = trend_end(c.reference, ends.get(c.reference[:3], math.nan), u)
    named = quoted(factors, labels)
    given = (
        Message(
            f"在正当因素（{named.zh}）相同时，", f" for the same legitimate factors ({named.en})"
        )
        if factors
        else Message("", "")
    )
    pays, ci = _pays(group, other, c.value), interval(lo, hi, c.value)
    body = Message(
        f"{dim.zh}（按数值本身拟合直线，{count(c.extra['rows'])} 单）：{given.zh}{pays.zh}"
        f"（{fmt_level(level)}置信区间 {ci.zh}）。容许上限为 {fmt_pct(threshold)}。",
        f"{first_upper(dim.en)} (a straight line along the numbers themselves, "
        f"{count(c.extra['rows'])} orders){given.en}: {pays.en} ({fmt_level(level)} CI "
        f"{ci.en}). The tolerance is {fmt_pct(threshold)}.",
    )
    if raw is not None:
        r = relative(raw.value)
        body = body.join(Message(f"未调整时{r.zh}。", f" Unadjusted: {r.en}."), sep_en="")
    about = Message(f"{group.zh}价格更高", f"{group.en} pays more")
    return body.join(verdict_tail(verdict, about))


def msg_trend_not_fitted(dim: Message, reason: Message) -> Message:
    return Message(
        f"{dim.zh}：数据不足以沿数值拟合价格趋势；本项数据不足。",
        f"{first_upper(dim.en)}: no price trend along the numbers could be fitted ({reason.en}); "
        f"insufficient data.",
    )


# --------------------------------------------------------------------------------------------
# Page 1: the Art. 72(2)(v) statements and the actions they call for
# --------------------------------------------------------------------------------------------


def plain_names(names: Sequence[str], labels: Mapping[str, Sequence[str]] | None = None) -> Message:
    """Columns by their display names, unquoted (a column without one quoted):
    ``行程距离、车型、时段`` / ``trip distance, vehicle class and time of day``."""
    shown = [feature_name(n, labels) for n in names]
    zh = "、".join(m.zh for m in shown)
    en = [m.en for m in shown]
    return Message(zh, en[0] if len(en) == 1 else ", ".join(en[:-1]) + " and " + en[-1])


def _more(x: float) -> Message:
    """``多付 8.2%`` / ``pay 8.2% more``."""
    if _tiny(x):
        return Message("价格基本相同", "pay about the same")
    word, en = ("多付", "more") if x > 0 else ("少付", "less")
    return Message(f"{word} {fmt_pct(abs(x))}", f"pay {fmt_pct(abs(x))} {en}")


def stmt_uses(name: Message, share: float | None) -> Message:
    """``模型定价时使用了手机档次（占模型对价格全部影响的 4.1%）``."""
    if share is None:
        return Message(f"模型定价时使用了{name.zh}", f"The model prices by {name.en}")
    return Message(
        f"模型定价时使用了{name.zh}（占模型对价格全部影响的 {fmt_pct(share)}）",
        f"The model prices by {name.en} ({fmt_pct(share)} of its total influence on the price)",
    )


def stmt_gap(
    name: Message,
    group: Message,
    reference: Message,
    gap: float,
    amount: Message | None,
    factors: Message,
) -> Message:
    """A gap given the legitimate factors: ``在行程距离、车型、时段相同的订单中，手机档次为
    “高端”的顾客比为“低端”的多付 8.2%（每单约 3.16 元）``."""
    more, cash = _more(gap), amount or Message("", "")
    zh_cash, en_cash = (f"（{cash.zh}）", f" ({cash.en})") if amount else ("", "")
    return Message(
        f"在{factors.zh}相同的订单中，{name.zh}为“{group.zh}”的顾客比为“{reference.zh}”的"
        f"{more.zh}{zh_cash}",
        f"for orders alike in {factors.en}, customers whose {name.en} is “{group.en}” "
        f"{more.en} than those with “{reference.en}”{en_cash}",
    )


def stmt_loyalty(
    loyal: Message | None, new: Message, gap: float, amount: Message | None, factors: Message
) -> Message:
    """``在行程距离、车型、时段相同的订单中，注册时长不少于 27 个月的老顾客比注册时长为 0 个月
    的新顾客多付 4.7%``; ``loyal`` None when a sentence before named them."""
    more = _more(gap)
    zh_cash, en_cash = (f"（{amount.zh}）", f" ({amount.en})") if amount else ("", "")
    who = Message(f"{loyal.zh}的", f" ({loyal.en})") if loyal else Message("", "")
    return Message(
        f"在{factors.zh}相同的订单中，{who.zh}老顾客比{new.zh}的新顾客{more.zh}{zh_cash}",
        f"for orders alike in {factors.en}, loyal customers{who.en} {more.en} than new ones "
        f"({new.en}){en_cash}",
    )


def stmt_loyalty_model(loyal: Message, counterfactual: float) -> Message:
    """``同一订单，注册时长不少于 27 个月的老顾客比以新顾客身份下单多付 4.8%``."""
    more = _more(counterfactual)
    return Message(
        f"同一订单，{loyal.zh}的老顾客比以新顾客身份下单{more.zh}",
        f"for the same orders, loyal customers ({loyal.en}) {more.en} than they would as new "
        f"customers",
    )


def stmt_swap(name: Message, group: Message, effect: float) -> Message:
    """``同一订单换上手机档次为“高端”的顾客的资料，模型报价平均高 7.9%``."""
    moved = relative(effect)
    return Message(
        f"同一订单换上{name.zh}为“{group.zh}”的顾客的资料，模型报价平均{moved.zh}",
        f"the same order given the profile of a customer whose {name.en} is “{group.en}” is "
        f"quoted {moved.en} on average",
    )


def stmt_trend(name: Message, gap: float, factors: Message) -> Message:
    """The trend along a number: ``……注册时长处于第90百分位的顾客比处于第10百分位的多付 3.7%``."""
    more = _more(gap)
    return Message(
        f"在{factors.zh}相同的订单中，{name.zh}处于第90百分位的顾客比处于第10百分位的{more.zh}",
        f"for orders alike in {factors.en}, customers at the 90th percentile of {name.en} "
        f"{more.en} than those at the 10th",
    )


def stmt_not_used(name: Message, share: float) -> Message:
    """The model hardly uses the column itself: the gap comes with other features."""
    return Message(
        f"模型本身几乎不使用{name.zh}（占模型对价格全部影响的 {fmt_pct(share)}），差价来自与之相关"
        f"的其他特征",
        f"the model itself hardly uses {name.en} ({fmt_pct(share)} of its total influence on "
        f"the price): the gap comes with other features related to it",
    )


def stmt_unsure(disagree: bool, threshold: float) -> Message:
    """Why a statement is a warning: the two estimates disagree, or the data cannot tell."""
    if disagree:
        return Message(
            "两种估计方法对是否超出容许范围的结论不一致",
            "the two estimates disagree on whether it is beyond the tolerance",
        )
    return Message(
        f"数据尚不足以确定是否超出 {fmt_pct(threshold)} 的容许范围",
        f"the data cannot yet tell whether it is beyond the {fmt_pct(threshold)} tolerance",
    )


def stmt_join(lead: Message | None, facts: Sequence[Message]) -> Message:
    """A statement from its lead (``模型定价时使用了…``) and its facts: ``lead：a；b。``."""
    zh = "；".join(f.zh for f in facts if f.zh)
    en = "; ".join(f.en for f in facts if f.en)
    if lead is not None:
        return Message(f"{lead.zh}：{zh}。", f"{lead.en}: {en}.")
    return Message(f"{zh}。", f"{first_upper(en)}.")


def stmt_kind(
    kind: str, columns: Message, share: float, tolerance: float, swap: Message | None
) -> Message:
    """A kind of profile feature that moves the model's prices (the counterfactual test)."""
    k = KIND_LABELS[kind]
    facts = [
        Message(
            f"同一订单换上其他顾客的{k.zh}资料（{columns.zh}），{fmt_pct(share)} 的订单价格"
            f"变动超过 {fmt_pct(tolerance)}",
            f"given other customers' {k.en} ({columns.en}), the price of {fmt_pct(share)} of the "
            f"same orders moves by more than {fmt_pct(tolerance)}",
        )
    ]
    return stmt_join(
        Message(f"模型定价时使用了顾客的{k.zh}", f"The model prices by {k.en}"),
        [*facts, *([swap] if swap else [])],
    )


def stmt_attribution(share: float, top: Message | None) -> Message:
    """The profile's share of the model's influence, when no column statement says it."""
    zh_top, en_top = (f"，其中最大的是{top.zh}", f", {top.en} most") if top else ("", "")
    return Message(
        f"模型定价时使用了顾客画像：画像特征合计占模型对价格全部影响的 {fmt_pct(share)}{zh_top}。",
        f"The model uses the customer's profile: its features carry {fmt_pct(share)} of the "
        f"model's total influence on the price{en_top}.",
    )


def stmt_pass(
    names: Message | None, kinds: Message | None, threshold: float, factors: Message
) -> Message:
    """One sentence for every dimension within the tolerance."""
    facts = []
    if names is not None:
        facts.append(
            Message(
                f"在{factors.zh}相同的订单中，按{names.zh}比较，价差均在 {fmt_pct(threshold)} 的"
                f"容许范围内",
                f"for orders alike in {factors.en}, the price gaps by {names.en} are within the "
                f"{fmt_pct(threshold)} tolerance",
            )
        )
    if kinds is not None:
        facts.append(
            Message(
                f"同一订单换上其他顾客的{kinds.zh}资料，价格变动在容许范围内",
                f"given other customers' {kinds.en}, the same orders' prices stay within the "
                f"tolerance",
            )
        )
    return stmt_join(None, facts)


def stmt_missing(titles: Sequence[Message], status: Status) -> Message:
    """The checks that could not run (or lacked data)."""
    zh = "、".join(f"“{t.zh}”" for t in titles)
    en = ", ".join(f"“{t.en}”" for t in titles)
    if status is Status.INSUFFICIENT_DATA:
        return Message(
            f"以下检查数据不足，未能得出结论：{zh}。", f"Too little data to decide: {en}."
        )
    return Message(f"以下检查未能进行：{zh}。", f"Not assessed: {en}.")


def action_stop_using(name: Message) -> Message:
    return Message(
        f"停止在定价中使用{name.zh}，或证明其与成本相关并在备案中说明理由。",
        f"Stop using {name.en} in prices, or show that it reflects a cost and explain it in the "
        f"filing.",
    )


def action_review_use(name: Message) -> Message:
    return Message(
        f"复核{name.zh}在定价中的作用：用更多订单重新测量，或证明其与成本相关并在备案中说明。",
        f"Review the part {name.en} plays in prices: measure it again on more orders, or show "
        f"that it reflects a cost and explain it in the filing.",
    )


def action_loyalty(name: Message) -> Message:
    return Message(
        f"停止按{name.zh}对老顾客加价：同一订单对新老顾客报同一价格，或证明差价来自成本并在备案中"
        f"说明。",
        f"Stop charging loyal customers more by {name.en}: quote new and loyal customers the "
        f"same price for the same order, or show that the difference reflects a cost and explain "
        f"it in the filing.",
    )


def action_explain_gap(name: Message) -> Message:
    return Message(
        f"查明{name.zh}不同的顾客价格不同的原因（模型所用的哪些特征与之相关），消除这一差价，或证明"
        f"其来自正当的成本因素并在备案中说明。",
        f"Find out why customers who differ in {name.en} pay different prices (which features "
        f"the model uses go with it), remove the gap, or show that it comes from legitimate cost "
        f"factors and explain it in the filing.",
    )


def action_recheck_gap(name: Message) -> Message:
    return Message(
        f"用更多订单复核按{name.zh}的价差；若确实超出容许范围，查明原因并消除。",
        f"Check the price gap by {name.en} again on more orders; if it is beyond the tolerance, "
        f"find out why and remove it.",
    )


def action_kind(kind: str, columns: Message) -> Message:
    k = KIND_LABELS[kind]
    return Message(
        f"停止在定价中使用顾客的{k.zh}（{columns.zh}），或证明其与成本相关并在备案中说明。",
        f"Stop using the customer's {k.en} ({columns.en}) in prices, or show that it reflects a "
        f"cost and explain it in the filing.",
    )


def action_attribution() -> Message:
    return Message(
        "说明模型为何需要顾客画像特征，或在定价中不再使用。",
        "Explain why the model needs the customer's profile features, or stop using them in "
        "prices.",
    )


def action_missing() -> Message:
    return Message(
        "补充所缺的输入（模型、正当因素、顾客画像列或更多订单）后重新审计这些检查。",
        "Supply what is missing (the model, the legitimate factors, the profile columns or more "
        "orders) and run these checks again.",
    )
