"""The words of Art. 72(2)(v): finding messages and method notes of the pricing audit.

Every number is formatted here from the computed value, the same in both languages.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

from ..core.catalog import say
from ..core.findings import Status
from ..core.grounds import ground_label
from ..core.judging import (
    READINGS,
    Comparison,
    Verdict,
    decision_rule_paragraph,
    sides,
    verdict_tail,
)
from ..core.labels import column_name, column_unit, with_unit
from ..core.messages import Message, first_upper, fmt_level, fmt_pct, minus
from ..core.models import Repeat
from ..core.policy import Policy
from ..core.scope import Scope

__all__ = ["KIND_LABELS", "dimension_label", "method_paragraphs", "subject_label"]

KIND_LABELS = {
    "habits": say("pricing.kind_labels.habits"),
    "preferences": say("pricing.kind_labels.preferences"),
    "ability_to_pay": say("pricing.kind_labels.ability_to_pay"),
    "all": say("pricing.kind_labels.all"),
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
    return say("pricing.money.text", text=text, unit=unit)


def money_size(x: float, currency: str) -> Message:
    """The size of an amount, for a sentence that says its direction: ``3.16 元``, and
    ``不到 0.01 元`` / ``less than CNY 0.01`` below a cent."""
    if math.isfinite(x) and abs(x) < 0.005:
        unit = currency_unit(currency)
        return say("pricing.money_size.less_than_0_01", unit=unit)
    return money(abs(x), currency)


def _than(other: Message, x: float) -> Message:
    """``比参照组“B”高 8.2%`` / ``8.2% more than the reference group “B”``."""
    if _tiny(x):
        return say("pricing.than.about_same_as", other=other)
    word, en = ("高", "more") if x > 0 else ("低", "less")
    return say("pricing.than.than", other=other, value=fmt_pct(abs(x)), word=Message(word, en))


def relative(x: float) -> Message:
    """A relative change said in words: ``高 4.4%`` / ``4.4% higher``."""
    if x != x:
        return Message("—", "—")
    if _tiny(x):
        return say("pricing.relative.about_same")
    if x > 0:
        return say("pricing.relative.higher", x=fmt_pct(x))
    return say("pricing.relative.lower", value=fmt_pct(-x))


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
    return say("pricing.interval.text", a=a, b=b)


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
    return column_name(name, labels, quoted=True)


def unit_of(name: str, labels: Mapping[str, Sequence[str]] | None = None) -> Message:
    """A column's unit from the third element of its label (``"月/months"``), as written
    after a number (``个月`` / ``months``); empty when none was given."""
    return column_unit(name, labels)


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
    return say("pricing.dimension_label.text", k=k, text=Message(zh, en))


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
    return say("pricing.pays.plural" if plural else "pricing.pays.one", group=group, than=than)


def per_order(amount: float, currency: str) -> Message:
    """The size of a gap per order: ``每单约 3.16 元`` / ``about CNY 3.16 per order``
    (``每单不到 0.01 元`` below a cent)."""
    size = money_size(amount, currency)
    if math.isfinite(amount) and abs(amount) < 0.005:
        return say("pricing.per_order.per_order", size=size)
    return say("pricing.per_order.about_per_order", size=size)


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
    than = _than(say("pricing.raw_gap.text", other=other, ref_price=ref_price), c.value)
    per_order = (
        Message("", "")
        if abs(diff) < 0.005
        else say(
            "pricing.raw_gap.per_order",
            diff=money_size(diff, currency),
            value=Message("多" if diff > 0 else "少", "more" if diff > 0 else "less"),
        )
    )
    ci, median = interval(lo, hi, c.value), relative(median_ratio - 1)
    body = say(
        "pricing.raw_gap.mean_price_ci_median",
        dim=dim,
        group=group,
        mean_group=money(mean_group, currency),
        than=than,
        per_order=per_order,
        level=fmt_level(verdict.level),
        ci=ci,
        median=median,
        threshold=fmt_pct(threshold),
    )
    return body.join(verdict_tail(verdict))


def _method(c: Comparison) -> Message:
    """Which estimator measured a gap after the legitimate factors."""
    if c.extra.get("estimate") == "stratified":
        return say("pricing.method.stratified")
    if c.extra.get("estimate") == "regression":
        return say("pricing.method.regression_adjustment")
    return say("pricing.method.re_priced_by_model")


def _disagreement(verdict: Verdict) -> Message:
    """The two estimates of a gap that reach different results, each with its interval."""
    if not verdict.disagree or verdict.other is None or verdict.statuses is None:
        return Message("", "")
    parts = []
    for c, status in zip((verdict.comparison, verdict.other), verdict.statuses, strict=True):
        lo, hi = c.ci if c.ci is not None else (math.nan, math.nan)
        r = READINGS.get(status, Message("", ""))
        v, ci = relative(c.value), interval(lo, hi, c.value)
        name = "stratified" if c.extra.get("estimate") == "stratified" else "regression-adjusted"
        parts.append(
            say(
                "pricing.disagreement.estimate_interval",
                v=v,
                ci=ci,
                r=r,
                c=Message(_method(c).zh, name),
            )
        )
    first, second = parts
    return say("pricing.disagreement.reach_different_results", first=first, second=second)


def _estimates(verdict: Verdict, min_size: int, min_coverage: float) -> Message:
    """Why the regression estimate decides, or what the other estimate says and whether the
    two disagree."""
    c = verdict.comparison
    if c.extra.get("estimate") == "regression":
        return say(
            "pricing.regression_only",
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
    return say("pricing.estimates.regression_adjustment", other=other)


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
    body = say(
        "pricing.conditional_gap.extrapolated"
        if verdict.extrapolated
        else "pricing.conditional_gap.orders_alike_legitimate_factors",
        dim=dim,
        named=named,
        pays=pays,
        m=m,
        method=method,
        level=fmt_level(verdict.level),
        ci=ci,
        raw=raw,
        threshold=fmt_pct(threshold),
    )
    body = body.join(_estimates(verdict, min_size, min_coverage), sep_en="")
    return body.join(verdict_tail(verdict))


def msg_no_factors(dim: Message) -> Message:
    return say("pricing.no_factors.no_legitimate_factors_cost", dim=dim)


def msg_gap_too_few(dim: Message, min_size: int) -> Message:
    return say("pricing.gap_too_few.fewer_than_two_groups", dim=dim, min_size=count(min_size))


def _mean_change(amount: float, currency: str) -> Message:
    """The mean signed change of an order's price, rises and falls netted: ``升降相抵后，平均每单
    价格上升 0.01 元`` / ``on average, net of rises and falls, an order's price rises by CNY
    0.01`` (the size of the changes is said beside it)."""
    size = money_size(amount, currency)
    if abs(amount) < 0.005:
        return say("pricing.mean_change.average_order_s_price_2", size=size)
    if amount > 0:
        return say("pricing.mean_change.average_order_s_price_3", size=size)
    return say("pricing.mean_change.average_order_s_price", size=size)


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
    body = say(
        "pricing.counterfactual.same_order_different_customer_2",
        orders=count(orders),
        donors=count(donors),
        k=k,
        swapped=swapped,
        held=held,
        share=fmt_pct(share),
        tolerance=fmt_pct(tolerance),
        level=fmt_level(verdict.level),
        ci_0=fmt_pct(ci[0]),
        ci_1=fmt_pct(ci[1]),
        mean_abs=fmt_pct(mean_abs),
        p95=fmt_pct(p95),
        change=change,
        threshold=fmt_pct(threshold),
    )
    if strongest is not None and abs(strongest[2]) >= 0.005:
        column, group, effect = strongest
        name, moved = quoted([column], labels), relative(effect)
        body = body.join(
            say(
                "pricing.counterfactual.strongest_with_profile_customer",
                name=name,
                group=group,
                moved=moved,
            )
        )
    return body.join(
        verdict_tail(verdict, say("pricing.counterfactual.prices_depend_who_customer"))
    )


def msg_no_model(what: Message, repeat: Repeat | None = None) -> Message:
    """``what`` needs the model to re-price orders: it was not given, or its prices differed
    when called twice on the same orders (``repeat``)."""
    if repeat is not None:
        return say("pricing.no_model.model_not_repeatable", what=what, why=repeat.why())
    return say("pricing.no_model.needs_model_itself_re", what=what)


COUNTERFACTUAL_WHAT = say("pricing.counterfactual_what")

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
        name = say("pricing.tenure_rule.value")
    if op == "is":
        yes = raw == "True"
        return say(
            "pricing.tenure_rule.text_2",
            name=name,
            value=Message("是" if yes else "否", "true" if yes else "false"),
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
    return say("pricing.tenure_rule.text", name=name, value=value, op=Message(zh_op, en_op))


def _loyalty_model(counterfactual: float) -> Message:
    """What the model's re-pricing of the loyal customers' orders as new customers' says."""
    if not math.isfinite(counterfactual):
        return Message("", "")
    if _tiny(counterfactual):
        return say("pricing.loyalty_model.re_priced_by_model")
    word, en = ("多付", "more") if counterfactual > 0 else ("少付", "less")
    size = fmt_pct(abs(counterfactual))
    return say("pricing.loyalty_model.re_priced_by_model_2", size=size, word=Message(word, en))


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
    pays = _pays(
        say("pricing.loyalty.loyal_customers"), say("pricing.loyalty.new_ones"), c.value, True
    )
    lv = fmt_level(verdict.level)
    body = Message(
        f"{loyal.zh}的老顾客（{count(n_loyal)} 单）与{new.zh}的新顾客（{count(n_new)} 单）相比，"
        f"在正当因素相同时，{pays.zh}（"
        + (f"{cash.zh}；" if cash else "")
        + f"{method.zh}，{lv}置信区间 {ci.zh}；未调整时{relative(raw).zh}）。",
        f"Loyal customers ({loyal.en}; {count(n_loyal)} orders) against new ones ({new.en}; "
        f"{count(n_new)} orders), for the same legitimate factors: {pays.en} ("
        + (f"{cash.en}; " if cash else "")
        + f"{method.en}, {lv} CI {ci.en}; unadjusted {relative(raw).en}).",
    )
    if c.extra.get("estimate") in ("stratified", "regression"):
        body = body.join(_estimates(verdict, min_size, min_coverage), sep_en="")
    if c.extra.get("estimate") != "counterfactual":
        body = body.join(_loyalty_model(counterfactual))
    body = body.join(say("pricing.loyalty.loyal_customers_may_pay", threshold=fmt_pct(threshold)))
    return body.join(verdict_tail(verdict, say("pricing.loyalty.loyal_customers_pay_more")))


def msg_no_loyalty() -> Message:
    return say("pricing.no_loyalty.no_column_how_long")


def msg_no_profile() -> Message:
    """No consumer profile was declared: Art. 72(2)(v) is not assessed."""
    return say("pricing.no_profile.no_consumer_profile_columns")


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
            top = say("pricing.profile_attribution.largest", name=name, largest=fmt_pct(largest))
    body = say(
        "pricing.profile_attribution.consumer_profile_features_carry",
        share=fmt_pct(share),
        top=top,
        threshold=fmt_pct(threshold),
        parts=Message(parts_zh, parts_en),
    )
    if status == "PASS":
        return body.join(say("pricing.profile_attribution.result_pass"))
    return body.join(say("pricing.profile_attribution.model_uses_customer_s"))


def msg_profile_not_assessed(reason: Message) -> Message:
    return say("pricing.profile_not_assessed.profile_s_share_model", reason=reason)


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
        say(
            "pricing.method_paragraphs.raw_gap_each_group",
            n_boot=count(n_boot),
            level=fmt_level(level),
        ),
        say(
            "pricing.method_paragraphs.gap_given_legitimate_factors",
            price_gap_max=fmt_pct(price_gap_max),
            f=Message(zh_f, en_f),
        ),
        say(
            "pricing.method_paragraphs.counterfactual_test_orders_drawn",
            orders=count(orders),
            donors=count(donors),
            tolerance=fmt_pct(tolerance),
            share_max=fmt_pct(share_max),
        ),
        say(
            "pricing.method_paragraphs.loyalty_customers_at_shortest",
            price_gap_max=fmt_pct(price_gap_max),
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
            "customer). "
            + (
                "The prices are those the audited model gives. "
                if scope.mode == "model"
                else "The prices are the price records submitted. "
            )
            + "The methods of the price checks are at the end of the Art. 72(2)(v) section.",
        ),
        decision_rule_paragraph(policy).join(
            say(
                "pricing.audit_method_paragraphs.groups_too_small",
                min_group_size=Message(count(policy.min_group_size), str(policy.min_group_size)),
            )
        ),
        say("pricing.audit_method_paragraphs.privacy_report_holds_statistics"),
    ]


def trend_end(label: str, value: float, unit: Message) -> Message:
    """One end of a trend (``"P90 (50)"``) in words: ``第90百分位（50 个月）一端`` / ``the
    90th-percentile end (50 months)``."""
    q = "90" if label.startswith("P90") else "10"
    v = with_unit(number(value), unit)
    return say("pricing.trend_end.th_percentile_end", q=q, v=v)


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
        say("pricing.price_trend.same_legitimate_factors", named=named)
        if factors
        else Message("", "")
    )
    pays, ci = _pays(group, other, c.value), interval(lo, hi, c.value)
    body = say(
        "pricing.price_trend.straight_line_along_numbers",
        dim=dim,
        value=count(c.extra["rows"]),
        given=given,
        pays=pays,
        level=fmt_level(verdict.level),
        ci=ci,
        threshold=fmt_pct(threshold),
    )
    if raw is not None:
        r = relative(raw.value)
        body = body.join(say("pricing.price_trend.unadjusted", r=r), sep_en="")
    about = say("pricing.price_trend.pays_more", group=group)
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
        return say("pricing.more.pay_about_same")
    word, en = ("多付", "more") if x > 0 else ("少付", "less")
    return say("pricing.more.pay", value=fmt_pct(abs(x)), word=Message(word, en))


def stmt_uses(name: Message, share: float | None) -> Message:
    """``模型定价时使用了手机档次（占模型对价格全部影响的 4.1%）``."""
    if share is None:
        return say("pricing.stmt_uses.model_prices_by", name=name)
    return say("pricing.stmt_uses.model_prices_by_total", name=name, share=fmt_pct(share))


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
    return say(
        "pricing.stmt_gap.orders_alike_customers_whose",
        factors=factors,
        name=name,
        group=group,
        reference=reference,
        more=more,
        cash=Message(zh_cash, en_cash),
    )


def stmt_loyalty(
    loyal: Message | None, new: Message, gap: float, amount: Message | None, factors: Message
) -> Message:
    """``在行程距离、车型、时段相同的订单中，注册时长不少于 27 个月的老顾客比注册时长为 0 个月
    的新顾客多付 4.7%``; ``loyal`` None when a sentence before named them."""
    more = _more(gap)
    zh_cash, en_cash = (f"（{amount.zh}）", f" ({amount.en})") if amount else ("", "")
    who = say("pricing.stmt_loyalty.text", loyal=loyal) if loyal else Message("", "")
    return say(
        "pricing.stmt_loyalty.orders_alike_loyal_customers",
        factors=factors,
        who=who,
        new=new,
        more=more,
        cash=Message(zh_cash, en_cash),
    )


def stmt_loyalty_model(loyal: Message, counterfactual: float) -> Message:
    """``同一订单，注册时长不少于 27 个月的老顾客比以新顾客身份下单多付 4.8%``."""
    more = _more(counterfactual)
    return say("pricing.stmt_loyalty_model.same_orders_loyal_customers", loyal=loyal, more=more)


def stmt_swap(name: Message, group: Message, effect: float) -> Message:
    """``同一订单换上手机档次为“高端”的顾客的资料，模型报价平均高 7.9%``."""
    moved = relative(effect)
    return say("pricing.stmt_swap.same_order_given_profile", name=name, group=group, moved=moved)


def stmt_trend(name: Message, gap: float, factors: Message) -> Message:
    """The trend along a number: ``……注册时长处于第90百分位的顾客比处于第10百分位的多付 3.7%``."""
    more = _more(gap)
    return say(
        "pricing.stmt_trend.orders_alike_customers_at", factors=factors, name=name, more=more
    )


def stmt_not_used(name: Message, share: float) -> Message:
    """The model hardly uses the column itself: the gap comes with other features."""
    return say("pricing.stmt_not_used.model_itself_hardly_uses", name=name, share=fmt_pct(share))


def stmt_unsure(disagree: bool, threshold: float) -> Message:
    """Why a statement is a warning: the two estimates disagree, or the data cannot tell."""
    if disagree:
        return say("pricing.stmt_unsure.two_estimates_disagree_whether")
    return say("pricing.stmt_unsure.data_cannot_yet_tell", threshold=fmt_pct(threshold))


def stmt_join(lead: Message | None, facts: Sequence[Message]) -> Message:
    """A statement from its lead (``模型定价时使用了…``) and its facts: ``lead：a；b。``."""
    zh = "；".join(f.zh for f in facts if f.zh)
    en = "; ".join(f.en for f in facts if f.en)
    if lead is not None:
        return say("pricing.stmt_join.text", lead=lead, text=Message(zh, en))
    return Message(f"{zh}。", f"{first_upper(en)}.")


def stmt_kind(
    kind: str, columns: Message, share: float, tolerance: float, swap: Message | None
) -> Message:
    """A kind of profile feature that moves the model's prices (the counterfactual test)."""
    k = KIND_LABELS[kind]
    facts = [
        say(
            "pricing.stmt_kind.given_other_customers_price",
            k=k,
            columns=columns,
            share=fmt_pct(share),
            tolerance=fmt_pct(tolerance),
        )
    ]
    return stmt_join(
        say("pricing.stmt_kind.model_prices_by", k=k),
        [*facts, *([swap] if swap else [])],
    )


def stmt_attribution(share: float, top: Message | None) -> Message:
    """The profile's share of the model's influence, when no column statement says it."""
    zh_top, en_top = (f"，其中最大的是{top.zh}", f", {top.en} most") if top else ("", "")
    return say(
        "pricing.stmt_attribution.model_uses_customer_s",
        share=fmt_pct(share),
        top=Message(zh_top, en_top),
    )


def stmt_pass(
    names: Message | None, kinds: Message | None, threshold: float, factors: Message
) -> Message:
    """One sentence for every dimension within the tolerance."""
    facts = []
    if names is not None:
        facts.append(
            say(
                "pricing.stmt_pass.orders_alike_price_gaps",
                factors=factors,
                names=names,
                threshold=fmt_pct(threshold),
            )
        )
    if kinds is not None:
        facts.append(say("pricing.stmt_pass.given_other_customers_same", kinds=kinds))
    return stmt_join(None, facts)


def stmt_missing(titles: Sequence[Message], status: Status) -> Message:
    """The checks that could not run (or lacked data)."""
    zh = "、".join(f"“{t.zh}”" for t in titles)
    en = ", ".join(f"“{t.en}”" for t in titles)
    if status is Status.INSUFFICIENT_DATA:
        return say("pricing.stmt_missing.too_little_data_decide", text=Message(zh, en))
    return say("pricing.stmt_missing.not_assessed", text=Message(zh, en))


def action_stop_using(name: Message) -> Message:
    return say("pricing.action_stop_using.stop_using_prices_or", name=name)


def action_review_use(name: Message) -> Message:
    return say("pricing.action_review_use.review_part_plays_prices", name=name)


def action_loyalty(name: Message) -> Message:
    return say("pricing.action_loyalty.stop_charging_loyal_customers", name=name)


def action_explain_gap(name: Message) -> Message:
    return say("pricing.action_explain_gap.find_out_why_customers", name=name)


def action_recheck_gap(name: Message) -> Message:
    return say("pricing.action_recheck_gap.check_price_gap_by", name=name)


def action_kind(kind: str, columns: Message) -> Message:
    k = KIND_LABELS[kind]
    return say("pricing.action_kind.stop_using_customer_s", k=k, columns=columns)


def action_attribution() -> Message:
    return say("pricing.action_attribution.explain_why_model_needs")


def action_missing() -> Message:
    return say("pricing.action_missing.supply_what_missing_model")
