"""Art. 72(2)(v) sentences and chart axes: percentages in words, money to the cent, no column
names in Chinese, round ticks."""

from __future__ import annotations

import re
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from szai_audit.core.charts import nice_ticks, percent_axis, percent_tick
from szai_audit.core.messages import MINUS
from szai_audit.pricing import page, price_gaps
from szai_audit.pricing import words as pw

LABELS = {"tenure_months": ("注册时长", "time as a customer", "月/months")}


def test_money_is_rounded_to_the_cent_with_separators():
    assert pw.money(0.0136, "CNY").zh == "0.01 元"
    assert pw.money(0.461, "CNY").zh == "0.46 元"
    assert pw.money(1234.567, "CNY").zh == "1,234.57 元"
    assert pw.money(-0.0941, "CNY").zh == f"{MINUS}0.09 元"
    assert pw.money(3.16, "CNY").en == "CNY 3.16"
    assert "CNY" not in pw.money(3.16, "CNY").zh
    assert pw.money_size(0.000443, "CNY").zh == "不到 0.01 元"
    assert pw.per_order(3.164, "CNY").zh == "每单约 3.16 元"


def test_relative_changes_are_said_in_words():
    assert pw.relative(0.082).zh == "高 8.2%" and pw.relative(-0.048).zh == "低 4.8%"
    assert pw.relative(0.0001).zh == "基本相同"
    assert pw.interval(0.024, 0.034, 0.029).zh == "2.4% 至 3.4%"
    assert pw.interval(-0.055, -0.041, -0.048).zh == "4.1% 至 5.5%"
    assert pw.interval(-0.001, 0.092, 0.044).zh == f"{MINUS}0.1% 至 +9.2%"
    assert pw.signed_pct(-0.00001) == "0.0%" and pw.signed_pct(-0.024) == f"{MINUS}2.4%"
    assert pw.count(2000) == "2,000"


def test_tenure_rules_name_the_column_by_its_display_name_and_unit():
    assert pw.tenure_rule("tenure_months >= 27", LABELS).zh == "注册时长不少于 27 个月"
    assert pw.tenure_rule("tenure_months == 0", LABELS).zh == "注册时长为 0 个月"
    assert pw.tenure_rule("tenure_months >= 27", LABELS).en == (
        "time as a customer of at least 27 months"
    )
    # Without a display name the column is quoted once, then called "取值".
    assert pw.tenure_rule("months >= 12").zh == "“months”不少于 12"
    assert pw.tenure_rule("months == 0", named=False).zh == "取值为 0"
    assert pw.tenure_rule("member is True").zh == "“member”为“是”"


def test_trend_ends_are_percentiles_with_units():
    end = pw.trend_end("P90 (50)", 50.0, pw.unit_of("tenure_months", LABELS))
    assert end.zh == "第90百分位（50 个月）一端"
    assert end.en == "the 90th-percentile end (50 months)"
    assert pw.number(120000.0) == "120,000"


def test_nice_ticks_are_round_and_labelled_exactly():
    ticks = nice_ticks(-0.025, 0.025)
    assert ticks == [-0.02, -0.01, 0.0, 0.01, 0.02]
    assert nice_ticks(-0.092, 0.092) == [-0.075, -0.05, -0.025, 0.0, 0.025, 0.05, 0.075]
    labels = [percent_tick(t, 0.025, signed=True) for t in nice_ticks(-0.092, 0.092)]
    assert labels[0] == f"{MINUS}7.5%" and labels[-1] == "+7.5%" and "0%" in labels
    # Each label reads back as its tick: never "+3%" for 2.5%.
    for t, text in zip(nice_ticks(-0.092, 0.092), labels, strict=True):
        assert float(text.replace(MINUS, "-").rstrip("%")) == pytest.approx(100 * t)
    assert percent_tick(0.025, 0.005, signed=True) == "+2.5%"


def test_percent_axis_sets_round_ticks_with_the_minus_sign():
    from matplotlib.figure import Figure

    ax = Figure().subplots()
    ticks = percent_axis(ax, -0.025, 0.025, signed=True)
    assert ax.get_xlim() == (-0.025, 0.025)
    shown = [t.get_text() for t in ax.get_xticklabels()]
    assert shown == [f"{MINUS}2%", f"{MINUS}1%", "0%", "+1%", "+2%"]
    assert list(ax.get_xticks()) == pytest.approx(ticks)


def test_empty_price_tables_and_charts_are_not_drawn():
    rng = np.random.default_rng(0)
    group = np.array(["a"] * 200 + ["b"] * 10)
    price = rng.lognormal(3, 0.2, group.size)
    gaps = price_gaps(price, group, reference="a", n_boot=50)
    assert page.gap_table(gaps, 30) is None  # only the reference has enough orders
    assert page.gap_chart(gaps, "c", 30, 0.02, "zh") is None
    table = page.gap_table(gaps, 5)
    assert table is not None
    headers = [c.zh for c in table["columns"]]
    assert "平均价格" in headers and "每单金额差" in headers
    assert not any("批准" in h or "决定" in h for h in headers)


def test_no_pricing_part_no_statements():
    result = SimpleNamespace(pricing=None, findings=[], policy=None)
    assert page.conclusion_statements(result) == []


def test_pricing_messages_have_no_signed_comparisons():
    # The message of a conditional gap, from a small audit of a market with a markup.
    frame = pd.DataFrame({"km": np.tile([2.0, 8.0], 1000), "tier": np.repeat(["lo", "hi"], 1000)})
    price = (5 + 2 * frame["km"]) * np.where(frame["tier"] == "hi", 1.08, 1.0)
    gaps = price_gaps(price, frame["tier"], reference="lo", factors=frame[["km"]], n_boot=50)
    row = gaps.table.loc["hi"]
    assert row["stratified"] == pytest.approx(0.08, abs=1e-9)
    assert not re.search(r"比[^（）。；，]*[+\-−]\d", pw.relative(row["stratified"]).zh)


def _priced_by_gender(currency="CNY"):
    """A fare model charging women 0.80 more per order, audited for gender (flip test) and an
    ability-to-pay column (same order, different customer)."""
    import szai_audit as sa

    rng = np.random.default_rng(0)
    n = 600
    data = pd.DataFrame(
        {
            "km": rng.uniform(1, 20, n),
            "sex": rng.choice(["f", "m"], n),
            "device": rng.choice(["hi", "lo"], n),
        }
    )

    def model(x):
        fare = 10 + 2.0 * x["km"].to_numpy() + np.where(x["device"] == "hi", 1.0, 0.0)
        return fare + np.where(x["sex"] == "f", 0.8, 0.0)

    return sa.Audit(
        model=model,
        data=data,
        task="pricing",
        sensitive={"gender": "sex"},
        legitimate_factors=["km"],
        consumer_profile={"ability_to_pay": ["device"]},
        explain=False,
        currency=currency,
    ).run(random_state=0)


def test_the_price_flip_test_gives_the_change_with_its_currency():
    """Changing only gender moves a price by 0.80 on average: the flip test's message says it
    in the audit's currency (元 / CNY, USD), never as a bare number, and the report's table of
    the flip test names the currency of its mean price change."""
    from szai_audit.report.page import build_page

    result = _priced_by_gender()
    flip = next(f for f in result.findings if f.check == "fairness.counterfactual_flip")
    assert "平均上升 0.80 元" in flip.message.zh, flip.message.zh
    assert "on average the prices rise by CNY 0.80" in flip.message.en, flip.message.en
    assert not re.search(r"rise by \d", flip.message.en)
    usd = next(
        f for f in _priced_by_gender("USD").findings if f.check == "fairness.counterfactual_flip"
    )
    assert "0.80 美元" in usd.message.zh and "USD 0.80" in usd.message.en
    sections = build_page(result, "bilingual")["grounds"]
    (flips,) = [s["flips"] for s in sections if s["key"] == "gender" and s["flips"]]
    assert flips["heads"]["score"].en.endswith("(CNY)") and flips["heads"]["score"].zh.endswith(
        "（元）"
    )
    assert {row["score"] for row in flips["rows"]} <= {"0.80", f"{MINUS}0.80"}
    # Same order, different customer: the mean change in currency is net of rises and falls
    # (here about nothing), beside the mean size of a change (a percentage).
    swap = next(f for f in result.findings if f.check == "pricing.counterfactual")
    assert "net of rises and falls, an order's price changes by less than CNY 0.01" in (
        swap.message.en
    )
    assert "升降相抵后，平均每单价格变化不到 0.01 元" in swap.message.zh
