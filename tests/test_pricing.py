"""Art. 72(2)(v): price gaps, the same-order counterfactual, loyalty, and the pricing audit."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import numpy as np
import pandas as pd
import pytest

import szai_audit as sa
from szai_audit import Status, errors
from szai_audit.core.findings import Status as _S
from szai_audit.datasets import MARKET_LABELS, make_pricing_market
from szai_audit.pricing import (
    CHANGE_EDGES,
    loyalty_gap,
    loyalty_groups,
    price_gaps,
    same_order_different_customer,
)

SCHEMA = json.loads((Path(__file__).parents[1] / "docs" / "report.schema.json").read_text())


def _pricing(result, check, subject=None):
    found = [f for f in result.findings if f.check == check]
    if subject is not None:
        found = [f for f in found if f.ground == subject]
    return found


# ---------------------------------------------------------------------------------------------
# price_gaps
# ---------------------------------------------------------------------------------------------


def test_price_gaps_match_a_direct_computation():
    rng = np.random.default_rng(3)
    n = 6000
    group = rng.choice(["a", "b", "c"], n, p=[0.5, 0.3, 0.2])
    price = rng.lognormal(3, 0.4, n) * np.where(group == "b", 1.1, 1.0)
    gaps = price_gaps(price, group, reference="a", n_boot=400, random_state=0)
    frame = pd.DataFrame({"g": group, "p": price}).groupby("g")["p"]
    t = gaps.table
    assert list(t.index) == ["a", "b", "c"]
    np.testing.assert_array_equal(t["count"], frame.size().loc[["a", "b", "c"]])
    np.testing.assert_allclose(t["mean"], frame.mean().loc[["a", "b", "c"]], rtol=1e-12)
    np.testing.assert_allclose(t["median"], frame.median().loc[["a", "b", "c"]], rtol=1e-12)
    assert t.loc["b", "mean_ratio"] == pytest.approx(frame.mean()["b"] / frame.mean()["a"])
    assert t.loc["a", "mean_ratio"] == 1.0 and np.isnan(t.loc["a", "mean_ratio_p"])
    for g in ("b", "c"):
        assert t.loc[g, "mean_ratio_low"] < t.loc[g, "mean_ratio"] < t.loc[g, "mean_ratio_high"]
        assert (
            t.loc[g, "median_ratio_low"]
            <= t.loc[g, "median_ratio"]
            <= t.loc[g, "median_ratio_high"]
        )
    assert t.loc["b", "mean_ratio_p"] < 1e-6  # a real 10% markup
    assert t.loc["c", "mean_ratio_p"] > 0.001  # no markup
    # Without factors, no conditional gap is claimed.
    assert t["stratified"].isna().all() and gaps.factors == [] and gaps.n_strata == 0


def test_price_gap_bootstrap_agrees_with_a_row_bootstrap():
    # The histogram bootstrap must give the interval a naive row bootstrap gives.
    rng = np.random.default_rng(5)
    n = 3000
    group = np.where(rng.random(n) < 0.4, "x", "y")
    price = np.round(rng.gamma(3, 10, n), 2)
    gaps = price_gaps(price, group, reference="y", n_boot=2000, random_state=1)
    ratios = []
    px, py = price[group == "x"], price[group == "y"]
    for _ in range(2000):
        bx = rng.choice(px, px.size)
        by = rng.choice(py, py.size)
        ratios.append(bx.mean() / by.mean())
    low, high = np.quantile(ratios, [0.025, 0.975])
    row = gaps.table.loc["x"]
    width = high - low
    assert row["mean_ratio_low"] == pytest.approx(low, abs=0.1 * width)
    assert row["mean_ratio_high"] == pytest.approx(high, abs=0.1 * width)
    # And the delta-method standard error agrees with the bootstrap spread.
    se_log = np.sqrt(
        px.var(ddof=1) / (px.size * px.mean() ** 2) + py.var(ddof=1) / (py.size * py.mean() ** 2)
    )
    assert np.std(np.log(ratios)) == pytest.approx(se_log, rel=0.1)


def test_stratified_price_gap_by_hand():
    # Two strata (short and long trips); "rich" pays 5% more within each, and rides long more.
    rng = np.random.default_rng(0)
    n = 8000
    rich = rng.random(n) < 0.3
    long = rng.random(n) < np.where(rich, 0.7, 0.3)
    base = np.where(long, 40.0, 10.0) * rng.lognormal(0, 0.05, n)
    price = base * np.where(rich, 1.05, 1.0)
    groups = np.where(rich, "rich", "other")
    factors = pd.DataFrame({"trip": np.where(long, "long", "short")})
    gaps = price_gaps(price, groups, reference="other", factors=factors, n_boot=100)
    row = gaps.table.loc["rich"]
    logp = np.log(price)
    expected = 0.0
    for s in ("long", "short"):  # each stratum weighted by both groups' orders in it
        in_s = factors["trip"].to_numpy() == s
        w = in_s.sum() / n
        expected += w * (logp[in_s & rich].mean() - logp[in_s & ~rich].mean())
    assert row["stratified"] == pytest.approx(np.expm1(expected), rel=1e-9)
    assert row["stratified"] == pytest.approx(0.05, abs=0.005)
    assert row["regression"] == pytest.approx(0.05, abs=0.005)
    assert row["stratified_low"] < row["stratified"] < row["stratified_high"]
    assert row["coverage"] == 1.0 and gaps.n_strata == 2
    # The raw ratio is far larger: the rich take longer trips.
    assert row["mean_ratio"] > 1.4


def test_price_gaps_errors():
    with pytest.raises(errors.PredictionError, match="not positive numbers"):
        price_gaps([1.0, -2.0, 3.0], ["a", "b", "a"])
    with pytest.raises(errors.PredictionError, match="not positive numbers"):
        price_gaps([1.0, np.nan, 3.0], ["a", "b", "a"])
    with pytest.raises(errors.InputError, match="at least two groups"):
        price_gaps([1.0, 2.0], ["a", "a"])
    with pytest.raises(errors.InputError, match="reference group 'z'"):
        price_gaps([1.0, 2.0], ["a", "b"], reference="z")
    with pytest.raises(errors.LengthMismatchError):
        price_gaps([1.0, 2.0, 3.0], ["a", "b"])


# ---------------------------------------------------------------------------------------------
# Same order, different customer
# ---------------------------------------------------------------------------------------------


class _CountingRule:
    """The market's rule, counting calls and rows (to show the batches are vectorised)."""

    def __init__(self, market):
        self.market, self.calls, self.rows = market, 0, 0

    def __call__(self, frame):
        self.calls += 1
        self.rows += len(frame)
        return self.market.pricing_rule(frame)


def test_counterfactual_recovers_the_markup_in_few_calls():
    m = make_pricing_market(5000, ability_markup=0.08, loyalty_markup=0.0, random_state=2)
    before = m.data.copy(deep=True)
    rule = _CountingRule(m)
    labels = {"device_tier": m.data["device_tier"].astype(str).to_numpy()}
    cf = same_order_different_customer(
        rule,
        m.data,
        m.consumer_profile,
        labels=labels,
        references={"device_tier": "mid"},
        n_orders=500,
        n_donors=8,
        random_state=0,
    )
    pd.testing.assert_frame_equal(m.data, before)  # the user's data is untouched
    # One call for the original prices, one per swap (all, habits, preferences, ability).
    assert rule.calls == 1 + 4 and rule.rows == 500 + 4 * 500 * 8
    s = cf.summary
    assert s.loc["preferences", "max_abs_change"] == 0  # preferences are not priced
    assert s.loc["habits", "max_abs_change"] == 0  # nor habits (no loyalty markup here)
    # A swap changes the price exactly when premium meets non-premium: share = 2 q (1 - q).
    q = (m.data["device_tier"] == "premium").mean()
    assert s.loc["ability_to_pay", "share_changed"] == pytest.approx(2 * q * (1 - q), abs=0.04)
    assert s.loc["ability_to_pay", "max_abs_change"] == pytest.approx(0.08, abs=0.002)
    eff = cf.effects.set_index(["swap", "column", "group"])
    premium = eff.loc[("ability_to_pay", "device_tier", "premium")]
    assert premium["effect"] == pytest.approx(0.08, abs=0.003)
    assert premium["low"] <= premium["effect"] <= premium["high"]
    assert eff.loc[("ability_to_pay", "device_tier", "budget"), "effect"] == pytest.approx(
        0.0, abs=1e-3
    )
    # Histogram: every order-donor pair is counted once.
    assert sum(cf.histogram["ability_to_pay"]) == 500 * 8
    assert len(cf.histogram["all"]) == len(CHANGE_EDGES) - 1
    # Same seed, same answer.
    again = same_order_different_customer(
        m.pricing_rule, m.data, m.consumer_profile, n_orders=500, n_donors=8, random_state=0
    )
    pd.testing.assert_frame_equal(again.summary, cf.summary)


def test_counterfactual_errors():
    d = pd.DataFrame({"km": [1.0, 2.0, 3.0], "phone": ["a", "b", "a"]})
    with pytest.raises(errors.InputError, match="not in data"):
        same_order_different_customer(lambda f: f["km"], d, {"ability_to_pay": ["income"]})
    with pytest.raises(errors.InputError, match="at least 1"):
        same_order_different_customer(
            lambda f: f["km"], d, {"ability_to_pay": ["phone"]}, n_donors=0
        )
    with pytest.raises(errors.PredictionError, match="not positive"):
        same_order_different_customer(lambda f: f["km"] - 2, d, {"ability_to_pay": ["phone"]})


# ---------------------------------------------------------------------------------------------
# Loyalty
# ---------------------------------------------------------------------------------------------


def test_loyalty_groups_rules():
    months = pd.Series([0] * 40 + [1, 2, 3] * 20 + [24] * 40, name="months")
    labels, new_rule, loyal_rule, new_value = loyalty_groups(months)
    assert new_rule == "months == 0" and new_value == 0
    assert (labels[:40] == "new").all() and (labels[-40:] == "loyal").all()
    assert loyal_rule == "months >= 24"
    # Too few at the minimum: the lowest quarter is new.
    few = pd.Series(np.arange(200, dtype=float), name="orders")
    labels, new_rule, _, _ = loyalty_groups(few)
    assert new_rule.startswith("orders <= ") and (labels == "new").sum() == 50
    flags = pd.Series([True, False, True, None], dtype="boolean", name="member")
    labels, new_rule, loyal_rule, _ = loyalty_groups(flags)
    assert list(labels) == ["loyal", "new", "loyal", None] and new_rule == "member is False"
    with pytest.raises(errors.InputError, match="must be numeric"):
        loyalty_groups(pd.Series(["a", "b"], name="tier"))
    with pytest.raises(errors.InputError, match="does not separate"):
        loyalty_groups(pd.Series([0] * 90 + [5] * 10, name="months"))


def test_loyalty_gap_counterfactual_and_stratified():
    m = make_pricing_market(8000, ability_markup=0.0, loyalty_markup=0.06, random_state=4)
    gap = loyalty_gap(
        m.price,
        m.data[m.loyalty],
        m.data[m.legitimate_factors],
        predict=m.pricing_rule,
        data=m.data,
    )
    assert gap.new_rule == "tenure_months == 0"
    assert gap.counterfactual == pytest.approx(0.06, abs=0.002)
    assert gap.stratified == pytest.approx(0.06, abs=0.01)
    assert gap.regression == pytest.approx(0.06, abs=0.01)
    assert gap.stratified_low < gap.stratified < gap.stratified_high


# ---------------------------------------------------------------------------------------------
# The pricing audit
# ---------------------------------------------------------------------------------------------


def _audit(market, **kwargs):
    kwargs.setdefault("explain", False)
    return sa.Audit(
        model=sa.CallableModel(market.pricing_rule),
        data=market.data,
        task="pricing",
        consumer_profile=market.consumer_profile,
        legitimate_factors=market.legitimate_factors,
        loyalty=market.loyalty,
        sensitive=market.sensitive,
        **kwargs,
    )


@pytest.fixture(scope="module")
def fair_market():
    return make_pricing_market(20_000, ability_markup=0.0, loyalty_markup=0.0, random_state=1)


@pytest.fixture(scope="module")
def unfair_market():
    return make_pricing_market(20_000, ability_markup=0.08, loyalty_markup=0.05, random_state=1)


@pytest.fixture(scope="module")
def unfair_result(unfair_market):
    """The unfair market's audit, explained, with the demo's labels of its columns and values,
    run once for the tests of its numbers and of its words: labels change how a column or a
    value is named in a sentence, never a number or a status. Its 20,000 orders are what its
    numbers (markups recovered within 1.5 points) rest on: the tests that read it are slow."""
    return _audit(unfair_market, explain=True, feature_labels=MARKET_LABELS).run(random_state=0)


@pytest.mark.slow
def test_legitimate_differences_are_not_discrimination(fair_market):
    # Richer customers ride further and in better cars: raw gaps, but no markup.
    before = fair_market.data.copy(deep=True)
    result = _audit(fair_market).run(random_state=0)
    pd.testing.assert_frame_equal(fair_market.data, before)
    raw = _pricing(result, "pricing.raw_gap", "income_band")[0]
    assert raw.status is Status.WARN and raw.value > 0.2
    for check in ("pricing.conditional_gap", "pricing.counterfactual", "pricing.loyalty"):
        found = _pricing(result, check)
        assert found and all(f.status is Status.PASS for f in found), [
            (f.ground, f.status, f.value) for f in found
        ]
    assert not any(f.status is Status.FAIL for f in result.findings if f.article == "72(5)")


@pytest.mark.slow
def test_markups_are_found_and_measured(unfair_result):
    r = unfair_result
    assert r.verdict == "FAIL"
    device = _pricing(r, "pricing.conditional_gap", "device_tier")[0]
    assert device.status is Status.FAIL and device.article == "72(5)"
    row = r.pricing.gaps["device_tier"].table.loc["premium"]
    assert row["stratified"] == pytest.approx(0.08, abs=0.015)
    assert row["regression"] == pytest.approx(0.08, abs=0.015)
    loyal = _pricing(r, "pricing.loyalty")[0]
    assert loyal.status is Status.FAIL
    assert r.pricing.loyalty.stratified == pytest.approx(0.05, abs=0.015)
    assert r.pricing.loyalty.counterfactual == pytest.approx(0.05, abs=0.005)
    by_kind = {f.ground: f for f in _pricing(r, "pricing.counterfactual")}
    assert by_kind["ability_to_pay"].status is Status.FAIL
    assert by_kind["habits"].status is Status.FAIL  # tenure is a habit
    assert by_kind["preferences"].status is Status.PASS
    # Preferences are priced by nothing: their conditional gaps pass.
    for col in r.pricing.profile["preferences"]:
        assert _pricing(r, "pricing.conditional_gap", col)[0].status is Status.PASS
    # The protected grounds are not priced either: 72(4) passes for gender.
    g = _pricing(r, "pricing.conditional_gap", "gender")[0]
    assert g.article == "72(4)" and g.status is Status.PASS
    # The price's attribution: part of it comes from the profile.
    attr = _pricing(r, "pricing.profile_attribution")[0]
    assert attr.status in (Status.WARN, Status.FAIL) and attr.value > 0.02
    # Messages say the gap in percent, in words, and in currency, in both languages.
    assert re.search(r"pays 8\.\d% more than", device.message.en) and "CNY" in device.message.en
    assert (
        re.search(r"高 8\.\d%", device.message.zh)
        and "元" in device.message.zh
        and "CNY" not in device.message.zh
        and "超出本审计设定的容许范围" in device.message.zh
    )


@pytest.mark.slow
def test_pricing_result_serialises_and_renders(unfair_result, tmp_path):
    data = unfair_result.to_dict()
    jsonschema.validate(data, SCHEMA)
    assert data["pricing"]["currency"] == "CNY"
    gaps = data["pricing"]["gaps"]
    assert set(gaps) >= {"device_tier", "gender"}
    # By default each dimension's reference is its lowest-priced group of enough orders.
    assert gaps["device_tier"]["reference"] == "budget" and gaps["gender"]["kind"] == "ground"
    path = tmp_path / "p.html"
    unfair_result.to_html(path)
    html = path.read_text(encoding="utf-8")
    for anchor in ("art-72-5", "pricing-counterfactual", "pricing-loyalty"):
        assert f'id="{anchor}"' in html
    assert "第七十二条第二款第（五）项" in html and "Art. 72(2)(v)" in html
    # The charts are inline SVG: price gaps, the counterfactual changes, the grounds.
    for chart in ("chart-price-1", "chart-price-changes", "chart-ground-1"):
        assert f'id="{chart}"' in html


@pytest.mark.slow
def test_pricing_without_the_model(unfair_market):
    # Prices only: gaps and loyalty are measured; the counterfactual needs the model.
    m = unfair_market
    result = sa.Audit(
        y_pred=m.price,
        data=m.data,
        task="pricing",
        consumer_profile=m.consumer_profile,
        legitimate_factors=m.legitimate_factors,
        loyalty=m.loyalty,
        sensitive=m.sensitive,
    ).run()
    cf = _pricing(result, "pricing.counterfactual")
    assert cf and all(f.status is Status.NOT_ASSESSED for f in cf)
    assert _pricing(result, "pricing.conditional_gap", "device_tier")[0].status is Status.FAIL
    assert result.pricing.counterfactual is None
    assert np.isnan(result.pricing.loyalty.counterfactual)


@pytest.mark.slow
def test_pricing_audit_is_deterministic(fair_market, fast_policy):
    small = make_pricing_market(3000, random_state=7)
    # The same seed gives the same result at any number of resamples and orders: fast_policy().
    a = _audit(small, policy=fast_policy()).run(random_state=3)
    b = _audit(small, policy=fast_policy()).run(random_state=3)
    assert a.content_sha256 == b.content_sha256


def test_pricing_audit_errors(fair_market):
    m = fair_market
    d = m.data.head(500)
    base = {"data": d, "task": "pricing", "legitimate_factors": m.legitimate_factors}
    rule = sa.CallableModel(m.pricing_rule)
    with pytest.raises(errors.InputError, match=r"kinds Art\. 72"):
        sa.Audit(model=rule, consumer_profile={"wealth": ["income_band"]}, **base).run()
    with pytest.raises(errors.InputError, match="both a consumer_profile column and a legitimate"):
        sa.Audit(model=rule, consumer_profile={"preferences": ["vehicle"]}, **base).run()
    with pytest.raises(errors.ColumnNotFoundError, match="loyalty names the column"):
        sa.Audit(
            model=rule, consumer_profile=m.consumer_profile, loyalty="age_of_account", **base
        ).run()
    with pytest.raises(errors.ColumnNotFoundError, match="'salary'"):
        sa.Audit(model=rule, consumer_profile={"ability_to_pay": ["salary"]}, **base).run()
    with pytest.raises(errors.InputError, match="lower price is the favourable"):
        sa.Audit(
            model=rule, consumer_profile=m.consumer_profile, favorable_direction="higher", **base
        ).run()
    with pytest.raises(errors.InputError, match="y_score and y_true do not apply"):
        sa.Audit(
            model=rule, y_true=m.price.head(500), consumer_profile=m.consumer_profile, **base
        ).run()
    with pytest.raises(errors.InputError, match="needs data="):
        sa.Audit(y_pred=m.price, task="pricing", consumer_profile=m.consumer_profile).run()
    with pytest.raises(errors.InputError, match="needs consumer_profile"):
        sa.Audit(model=rule, **base).run()
    with pytest.raises(errors.PredictionError, match="not positive"):
        sa.Audit(y_pred=-m.price.head(500), consumer_profile=m.consumer_profile, **base).run()
    # Profile and loyalty belong to a pricing audit only.
    with pytest.raises(errors.InputError, match="consumer_profile"):
        sa.Audit(
            y_pred=np.ones(500, dtype=int),
            data=d,
            sensitive=m.sensitive,
            consumer_profile=m.consumer_profile,
        ).run()


@pytest.mark.slow
def test_a_fair_unconfounded_market_passes_everything():
    # Profile independent of the cost drivers and no markup: no raw gap either.
    m = make_pricing_market(60_000, confounded=False, random_state=11)
    result = _audit(m, explain=True).run(random_state=0)
    priced = [f for f in result.findings if f.check.startswith("pricing.")]
    # raw + conditional per column and ground, 3 kinds, loyalty, attribution, and a trend
    # along each binned number (trips per month, tenure, age)
    assert len(priced) == 2 * (7 + 2) + 3 + 1 + 1 + 3
    trends = {f.ground for f in priced if f.check == "pricing.trend"}
    assert trends == {"trips_per_month", "tenure_months", "age"}
    provided = [
        f
        for f in result.findings
        if f.check != "fairness.ground_not_provided" and f.article in ("72(4)", "72(5)", "71")
    ]
    judged = [f for f in provided if f.status is not Status.NEEDS_REVIEW]  # the notice's sign-off
    # A raw gap is informative: with prices this spread out, 15,000 orders a group still
    # leave its interval reaching past 2% (WARN, inconclusive), never FAIL. Every decided
    # check passes.
    raw = [f for f in judged if f.check == "pricing.raw_gap"]
    assert all(f.status in (Status.PASS, Status.WARN) for f in raw)
    decided = [f for f in judged if f.check != "pricing.raw_gap"]
    assert all(f.status is Status.PASS for f in decided), [
        (f.check, f.ground, f.status) for f in decided if f.status is not Status.PASS
    ]
    (attr,) = _pricing(result, "pricing.profile_attribution")
    assert attr.value == pytest.approx(0.0, abs=1e-9)  # the fare never looks at the profile


@pytest.mark.parametrize(("markup", "status"), [(0.01, Status.PASS), (0.05, Status.FAIL)])
def test_flip_test_on_prices_counts_moves_beyond_the_tolerance(markup, status):
    # A fare that charges women a little more: 1% is within the 2% tolerance, 5% is not.
    m = make_pricing_market(3000, random_state=5)

    def fare(frame):
        return m.pricing_rule(frame) * np.where(frame["sex"] == "female", 1 + markup, 1.0)

    result = sa.Audit(
        model=sa.CallableModel(fare),
        data=m.data,
        task="pricing",
        consumer_profile={"ability_to_pay": ["device_tier"]},
        legitimate_factors=m.legitimate_factors,
        sensitive={"gender": "sex"},
        explain=False,
    ).run(random_state=0)
    (flip,) = [f for f in result.findings if f.check == "fairness.counterfactual_flip"]
    assert flip.status is status
    assert flip.details["change_rtol"] == 0.02
    assert "prices by more than 2.0%" in flip.message.en
    assert flip.value == (0.0 if markup < 0.02 else 1.0)


def test_profile_groups_keep_the_largest_categories_and_pool_the_rest():
    from szai_audit.pricing.groups import profile_groups

    policy = sa.Policy()
    limit = policy.max_groups_before_binning
    # Brand i appears 1000 - 10 i times; one missing value.
    brands = [f"brand{i:02d}" for i in range(limit + 5) for _ in range(1000 - 10 * i)]
    values = pd.Series([*brands, None], name="brand", dtype=object)
    groups = profile_groups(values, policy)
    labels, ref = groups.labels, groups.reference
    assert ref == "brand00" and groups.binning is None and groups.numeric is None
    assert labels[-1] is None
    kept = {v for v in labels if v is not None}
    assert len(kept) == limit and "brand00" in kept and f"brand{limit + 4:02d}" not in kept
    pooled = {v for v in kept if not v.startswith("brand")}
    assert len(pooled) == 1  # every small brand in one pooled group
    # Numbers with many values are binned; without prices the lowest bin is the reference,
    # with prices the lowest-priced bin of enough orders (here the top one).
    spend = pd.Series(np.arange(1000.0), name="spend")
    groups = profile_groups(spend, policy)
    bins = groups.binning.labels
    assert groups.reference == bins[0] and set(groups.labels) == set(bins)
    assert groups.numeric.tolist() == spend.tolist()
    cheaper_at_the_top = profile_groups(spend, policy, prices=2000.0 - spend)
    assert cheaper_at_the_top.reference == bins[-1]
    # The user's reference wins; an unknown one is refused by name.
    assert profile_groups(spend, policy, reference=bins[1], prices=spend).reference == bins[1]
    with pytest.raises(errors.InputError, match="not a group of 'spend'"):
        profile_groups(spend, policy, reference="nope")


def test_a_column_is_either_a_ground_or_a_profile_feature():
    m = make_pricing_market(500, random_state=0)
    with pytest.raises(errors.InputError, match=r"both an Art\. 72\(2\)\(iv\) ground"):
        sa.Audit(
            y_pred=m.price,
            data=m.data,
            task="pricing",
            consumer_profile={"ability_to_pay": ["neighbourhood"]},
            sensitive={"region": "neighbourhood"},
        ).run()
    with pytest.raises(errors.InputError, match=r"both an Art\. 72\(2\)\(iv\) ground"):
        sa.Audit(
            y_pred=m.price,
            data=m.data,
            task="pricing",
            consumer_profile={"habits": ["age"]},
            sensitive={"age": m.data["age"].to_numpy()},
        ).run()


@pytest.mark.slow
def test_loyalty_alone_is_checked_and_the_profile_reported_missing(unfair_market):
    m = unfair_market
    result = sa.Audit(
        y_pred=m.price,
        data=m.data,
        task="pricing",
        legitimate_factors=m.legitimate_factors,
        loyalty=m.loyalty,
        sensitive=m.sensitive,
    ).run()
    (loyal,) = _pricing(result, "pricing.loyalty")
    assert loyal.status is Status.FAIL
    assert loyal.value == pytest.approx(0.05, abs=0.015)
    (missing,) = _pricing(result, "pricing.profile_not_provided")
    assert missing.status is Status.NOT_ASSESSED and missing.article == "72(5)"
    html = result.to_html()
    assert 'id="pricing-loyalty"' in html and 'id="pricing-counterfactual"' not in html


# ---------------------------------------------------------------------------------------------
# The words of the pricing findings and of page 1
# ---------------------------------------------------------------------------------------------


def _price_messages(result):
    return [f.message for f in result.findings if f.check.startswith("pricing.")]


@pytest.mark.slow
def test_pricing_sentences_say_differences_in_words(unfair_result):
    for m in _price_messages(unfair_result):
        zh = m.zh
        assert "+-" not in zh and "比参照组+" not in zh, zh
        assert not re.search(r"比[^（）。；，]*?[+\-−]\d", zh), zh  # 比…+x%: 高/低 x%
        assert not re.search(r"(多付|少付|高|低) [+\-−]", zh), zh  # no 多付 +4.8%
        assert not re.search(r"(^|[\s（(，；])-\d", zh), zh  # the minus sign is U+2212
        assert " – " not in zh, zh  # bounds joined by 至
        # Money to the cent, in 元, never CNY in Chinese.
        assert not re.search(r"\d\.\d{3,} ?元", zh), zh
        assert "CNY" not in zh, zh
        # Counts of a thousand and more have thousands separators.
        assert not re.search(r"(?<![\d,.])\d{4,} (个订单|单)", zh), zh
        assert not re.search(r"CNY \S*\d\.\d{3,}", m.en), m.en


@pytest.mark.slow
def test_the_loyalty_sentence_names_no_column(unfair_result):
    (loyal,) = _pricing(unfair_result, "pricing.loyalty")
    zh = loyal.message.zh
    assert "tenure_months" not in zh and ">=" not in zh and "==" not in zh
    assert re.search(r"注册时长不少于 \d+ 个月的老顾客", zh)
    assert re.search(r"注册时长为 0 个月的新顾客（\d{1,3}(,\d{3})* 单）", zh)
    assert "tenure_months" not in loyal.message.en


@pytest.mark.slow
def test_trend_sentences_name_percentile_ends_with_units(unfair_result):
    trend = _pricing(unfair_result, "pricing.trend", "tenure_months")[0]
    assert "P90 (" not in trend.message.zh and "P10 (" not in trend.message.zh
    assert re.search(r"第90百分位（\d+ 个月）一端", trend.message.zh)


@pytest.mark.slow
def test_page_one_statements_rank_what_the_model_uses_first(unfair_result):
    from szai_audit.pricing.page import conclusion_statements

    said = conclusion_statements(unfair_result)
    assert said and all(s.article == "72(5)" and s.anchor == "art-72-5" for s in said)
    severities = [s.status.severity for s in said]
    assert severities == sorted(severities)
    assert said[0].status is _S.FAIL
    for s in said:
        assert s.checks and all("@" in k for k in s.checks)
        if s.status in (_S.FAIL, _S.WARN):
            assert s.action is not None
        if s.status is _S.PASS:
            assert s.action is None
        for column in MARKET_LABELS:
            assert column not in s.text.zh, s.text.zh
        assert "+" not in s.text.zh and "CNY" not in s.text.zh
    # The phone tier, which the model prices by, comes before the income band, which only goes
    # with the price; its action asks to stop using it.
    texts = [s.text.zh for s in said]
    device = next(i for i, t in enumerate(texts) if "手机档次" in t and "模型定价时使用了" in t)
    income = next(i for i, t in enumerate(texts) if t.startswith("在") and "收入档次" in t)
    assert device < income
    assert "停止在定价中使用手机档次" in said[device].action.zh
    assert "pricing.conditional_gap@device_tier" in said[device].checks
    # Everything within the tolerance is one sentence.
    passed = [s for s in said if s.status is _S.PASS]
    assert len(passed) == 1 and "容许范围内" in passed[0].text.zh
