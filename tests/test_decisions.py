"""Issue 13: what makes a finding FAIL, PASS or WARN, on the synthetic cases the issue names,
each test cross-checked against an independent implementation (scipy, statsmodels, a direct
solution of the likelihood) or a closed form."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, stats

import szai_audit as sa
from szai_audit import Status, errors
from szai_audit.core.judging import (
    DECISION_RULES,
    MeasuredTwice,
    finalize,
    normal_comparison,
)
from szai_audit.core.margins import (
    exact_margin_test,
    margin_test,
    score_interval,
    score_margin_test,
)

PARITY = "fairness.demographic_parity_difference"
RATIO = "fairness.selection_rate_ratio"


def _labels(counts: dict[str, tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
    """Group labels and 0/1 decisions: ``counts[group] = (favourable, size)``."""
    groups, decisions = [], []
    for g, (k, n) in counts.items():
        groups += [g] * n
        decisions += [1] * k + [0] * (n - k)
    return np.array(groups), np.array(decisions)


def _findings(result, ground):
    return {f.check: f for f in result.findings if f.ground == ground}


# --------------------------------------------------------------------------------------------
# The tests behind the decisions, against independent implementations
# --------------------------------------------------------------------------------------------


def _restricted_mle_diff(k1, n1, k2, n2, delta):
    """p2 maximising the binomial likelihood under p1 = p2 + delta, by brentq on the score."""

    def score(p2):
        p1 = p2 + delta
        return k1 / p1 - (n1 - k1) / (1 - p1) + k2 / p2 - (n2 - k2) / (1 - p2)

    lo, hi = max(0.0, -delta) + 1e-12, min(1.0, 1.0 - delta) - 1e-12
    return optimize.brentq(score, lo, hi, xtol=1e-15)


def test_score_test_against_a_margin_equals_its_definition_and_statsmodels():
    """H0: p1 - p2 <= delta (Miettinen-Nurminen); for the ratio, statsmodels' score test."""
    k1, n1, k2, n2, delta = 21, 40, 80, 200, 0.10
    p2 = _restricted_mle_diff(k1, n1, k2, n2, delta)
    p1 = p2 + delta
    n = n1 + n2
    var = (p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2) * n / (n - 1)
    z = (k1 / n1 - k2 / n2 - delta) / math.sqrt(var)
    ours = score_margin_test(k1, n1, k2, n2, delta, scale="diff", alternative="greater")
    assert ours.statistic[0] == pytest.approx(z, rel=1e-9)
    assert ours.p_value[0] == pytest.approx(stats.norm.sf(z), rel=1e-9)
    from statsmodels.stats.proportion import confint_proportions_2indep, test_proportions_2indep

    sm = test_proportions_2indep(
        80, 200, 21, 40, value=0.8, method="score", compare="ratio", alternative="smaller"
    )
    ratio = score_margin_test(80, 200, 21, 40, 0.8, scale="ratio", alternative="less")
    assert ratio.p_value[0] == pytest.approx(sm.pvalue, rel=1e-9)
    lo, hi = score_interval(80, 200, 21, 40, scale="ratio", level=0.95)
    sm_lo, sm_hi = confint_proportions_2indep(80, 200, 21, 40, method="score", compare="ratio")
    assert (lo[0], hi[0]) == pytest.approx((sm_lo, sm_hi), rel=1e-8)


def test_exact_test_equals_barnard_at_no_gap_and_keeps_its_level_at_the_margin():
    """Chan's exact unconditional test: at margin 0 it is Barnard's test (scipy); at a margin
    its size, computed exactly over the binomial outcomes, never exceeds the level."""
    k1, n1, k2, n2 = 7, 12, 2, 11
    ours = exact_margin_test(k1, n1, k2, n2, 0.0, scale="diff", alternative="greater")
    barnard = stats.barnard_exact([[k1, k2], [n1 - k1, n2 - k2]], alternative="greater")
    assert ours.p_value[0] == pytest.approx(barnard.pvalue, abs=1e-6)
    # Size at the boundary p1 = p2 + 0.1, for several nuisance values: reject when p < 0.05.
    n1, n2, delta = 15, 15, 0.1
    k1, k2 = np.meshgrid(np.arange(n1 + 1), np.arange(n2 + 1), indexing="ij")
    p = exact_margin_test(
        k1.ravel(), n1, k2.ravel(), n2, delta, scale="diff", alternative="greater"
    ).p_value.reshape(k1.shape)
    for p2 in (0.1, 0.3, 0.5, 0.8):
        prob = np.outer(
            stats.binom.pmf(np.arange(n1 + 1), n1, p2 + delta),
            stats.binom.pmf(np.arange(n2 + 1), n2, p2),
        )
        assert prob[p < 0.05].sum() <= 0.05 + 1e-9


def test_score_test_keeps_its_level_at_the_margin():
    """Simulated at the boundary (the gap exactly at the tolerance), the one-sided score test
    rejects about 5% of the time, and less inside the tolerance."""
    rng = np.random.default_rng(0)
    sims = 4000
    for gap, at_most in ((0.10, 0.065), (0.0, 0.01)):
        k1 = rng.binomial(300, 0.5 - gap, sims)
        k2 = rng.binomial(300, 0.5, sims)
        p = margin_test(k2, 300, k1, 300, 0.10, scale="diff", alternative="greater").p_value
        assert (p < 0.05).mean() <= at_most


# --------------------------------------------------------------------------------------------
# Item 1: FAIL answers "beyond the tolerance?", for the pair the finding names
# --------------------------------------------------------------------------------------------


def test_three_groups_of_the_issue_warn_not_fail():
    """A 2450/5000, B 80/200, C 21/40: a 12.5-point gap with an interval from -4.1 to 28.7
    points is inconclusive against a 10-point tolerance (WARN), whatever other pairs show."""
    group, y = _labels({"A": (2450, 5000), "B": (80, 200), "C": (21, 40)})
    f = _findings(sa.Audit(y_pred=y, sensitive={"race": group}).run(), "race")
    parity = f[PARITY]
    assert parity.status is Status.WARN
    assert (parity.worst_group, parity.best_group) == ("B", "C")  # C is the best-off group
    assert parity.value == pytest.approx(21 / 40 - 80 / 200)
    # The interval is the score interval at the level of the family's test.
    level = parity.details["ci_level"]
    assert parity.details["ci_adjusted"] and level > 0.95
    lo, hi = score_interval(21, 40, 80, 200, scale="diff", level=level)
    assert parity.ci == pytest.approx((lo[0], hi[0]))
    raw = score_margin_test(21, 40, 80, 200, 0.10, scale="diff", alternative="greater")
    assert parity.details["p_value_raw"] == pytest.approx(raw.p_value[0])
    assert parity.p_value >= 0.05
    assert f[RATIO].status is Status.WARN


def test_a_ratio_just_below_its_limit_with_an_interval_across_it_is_warn():
    """Ratio 0.79 with an interval of about 0.74-0.84 against the 0.80 rule: not FAIL."""
    group, y = _labels({"a": (790, 2000), "b": (1000, 2000)})
    ratio = _findings(sa.Audit(y_pred=y, sensitive={"race": group}).run(), "race")[RATIO]
    assert ratio.value == pytest.approx(0.79)
    assert ratio.ci[0] < 0.8 < ratio.ci[1]
    assert ratio.ci == pytest.approx((0.74, 0.84), abs=0.01)
    assert ratio.status is Status.WARN and ratio.p_value > 0.05


def test_a_gap_shown_beyond_the_tolerance_fails_and_names_its_pair():
    group, y = _labels({"a": (300, 1000), "b": (500, 1000), "c": (480, 1000)})
    parity = _findings(sa.Audit(y_pred=y, sensitive={"race": group}).run(), "race")[PARITY]
    assert parity.status is Status.FAIL
    assert (parity.worst_group, parity.best_group) == ("a", "b")
    assert parity.ci[0] > 0.10  # the whole interval beyond the tolerance
    assert "beyond the tolerance this audit set" in parity.message.en
    assert "本审计设定的容许范围" in parity.message.zh
    assert "violation" not in parity.message.en.lower()


# --------------------------------------------------------------------------------------------
# Item 2: PASS does not hide a significant gap; one table for every check
# --------------------------------------------------------------------------------------------


def test_pass_needs_the_interval_within_and_says_when_the_gap_is_not_zero():
    """7 points on 4,000 people a group, tolerance 10: the interval lies within it, yet the gap
    is clearly not zero. PASS, and the message and details say so."""
    group, y = _labels({"a": (1720, 4000), "b": (2000, 4000)})
    parity = _findings(sa.Audit(y_pred=y, sensitive={"race": group}).run(), "race")[PARITY]
    assert parity.status is Status.PASS and parity.ci[1] < 0.10
    assert parity.details["gap_not_zero"] is True
    assert "yet the gap is not zero" in parity.message.en
    assert "差距与零有统计显著差异" in parity.message.zh
    # 7 points on 300 a group: the interval reaches past 10 points: not a bare PASS but WARN.
    group, y = _labels({"a": (129, 300), "b": (150, 300)})
    parity = _findings(sa.Audit(y_pred=y, sensitive={"race": group}).run(), "race")[PARITY]
    assert parity.ci[1] > 0.10 and parity.status is Status.WARN


def test_two_estimates_that_disagree_are_warn():
    """The decision table's "two estimates" row, on comparisons built by hand."""
    policy = sa.Policy()

    def c(value, se):
        return normal_comparison(
            "b", "a", value, se, threshold=0.1, direction="at_most", level=0.95
        )

    measured = MeasuredTwice(
        check="fairness.conditional_gap",
        article="72(4)",
        ground="race",
        threshold=0.1,
        direction="at_most",
        comparisons=[c(0.20, 0.01)],  # stratified: clearly beyond
        second=[c(0.02, 0.01)],  # regression: clearly within
        message=lambda v: sa.Message("", ""),
    )
    (finding,), _ = finalize([], policy, [measured])
    assert finding.status is Status.WARN and finding.details["estimates_disagree"]
    agreeing = MeasuredTwice(**{**measured.__dict__, "second": [c(0.19, 0.01)]})
    (finding,), _ = finalize([], policy, [agreeing])
    assert finding.status is Status.FAIL and not finding.details["estimates_disagree"]


def test_raw_price_gaps_over_the_tolerance_never_fail_and_follow_the_same_table():
    rng = np.random.default_rng(2)
    n = 4000
    g = rng.choice(["x", "y"], n)
    price = np.exp(3 + 0.10 * (g == "y") + rng.normal(0, 0.05, n))
    data = pd.DataFrame({"g": g, "km": rng.uniform(1, 10, n)})
    result = sa.Audit(
        y_pred=price, data=data, task="pricing", sensitive={"race": "g"}, explain=False
    ).run()
    raw = next(f for f in result.findings if f.check == "pricing.raw_gap")
    assert raw.ci[0] > 0.02 and raw.status is Status.WARN  # shown beyond, but informative
    assert "legitimate factors, which may explain it" in raw.message.en
    # Issue 28: said so, never "inconclusive", in the finding and on page 1.
    assert "inconclusive" not in raw.message.en and "无法确定" not in raw.message.zh
    from szai_audit.report.conclusion import _generic

    (line,) = _generic([raw], raw.article, 0.95)
    assert "Inconclusive" not in line.text.en and "无法确定" not in line.text.zh
    assert "legitimate factors" in line.text.en and "正当因素" in line.text.zh
    level = f"{round(100 * raw.details['ci_level'], 2):g}%"
    assert line.text.en.count(level) == 1


def test_the_decision_table_names_every_status_a_measured_check_can_take():
    assert [s for s, _ in DECISION_RULES] == [
        "FAIL",
        "PASS",
        "WARN",
        "WARN (two estimates)",
        "WARN (no comparable rows)",
        "WARN (informative)",
        "INSUFFICIENT_DATA",
    ]


# --------------------------------------------------------------------------------------------
# Item 3: a small group elsewhere does not change the pair's test
# --------------------------------------------------------------------------------------------


def test_a_small_group_outside_the_pair_does_not_swap_the_test():
    counts = {"a": (300, 1000), "b": (500, 1000)}
    before = _findings(
        sa.Audit(y_pred=_labels(counts)[1], sensitive={"race": _labels(counts)[0]}).run(), "race"
    )[PARITY]
    more = {**counts, "c": (2, 41)}  # 41 people, an expected count below 5 in its own pairs
    group, y = _labels(more)
    after = _findings(sa.Audit(y_pred=y, sensitive={"race": group}).run(), "race")[PARITY]
    assert before.status is after.status is Status.FAIL
    row = next(c for c in after.details["comparisons"] if c["group"] == "a")
    assert row["p_value_raw"] == before.details["p_value_raw"]
    assert row["test"] == "score"
    # The exact test is used where the pair itself needs it (an expected count below 5).
    assert margin_test(1, 40, 3, 40, 0.1, scale="diff").method[0] == "exact"
    assert margin_test(300, 1000, 500, 1000, 0.1, scale="diff").method[0] == "score"


# --------------------------------------------------------------------------------------------
# Item 4: gaps after legitimate factors
# --------------------------------------------------------------------------------------------


def _factor_data(rng, n, shift):
    g = rng.choice(["a", "b"], n, p=[0.5, 0.5])
    s = np.where(rng.random(n) < np.where(g == "a", 0.8, 0.2), "s1", "s2")
    p = np.where(s == "s1", 0.5, 0.7) - shift * (g == "b")
    y = (rng.random(n) < p).astype(int)
    return pd.DataFrame({"g": g, "s": s}), y


def test_the_verdict_after_factors_does_not_depend_on_the_reference():
    rng = np.random.default_rng(4)
    data, y = _factor_data(rng, 6000, 0.2)
    out = {}
    for ref in ("a", "b"):
        r = sa.Audit(
            y_pred=y,
            data=data,
            sensitive={"race": "g"},
            legitimate_factors=["s"],
            reference={"race": ref},
            explain=False,
        ).run()
        out[ref] = _findings(r, "race")["fairness.conditional_gap"]
    assert out["a"].status is out["b"].status is Status.FAIL
    assert out["a"].worst_group == out["b"].worst_group == "b"
    assert out["a"].value == pytest.approx(out["b"].value, rel=1e-12)


def test_strata_covering_few_rows_leave_the_decision_to_the_regression():
    """Issue 13 (4): 10 of 100 rows of group b in strata shared with the reference: the
    stratified gap is not used; the regression estimate alone cannot FAIL (issue 28: a model
    extrapolation), and the message says why."""
    rng = np.random.default_rng(5)
    n_a = 2000
    s_a = rng.choice(["s1", "s2"], n_a)
    s_b = np.array(["s1"] * 10 + ["s3"] * 90)  # s3 holds no row of a
    data = pd.DataFrame({"g": ["a"] * n_a + ["b"] * 100, "s": np.r_[s_a, s_b]})
    y = (rng.random(n_a + 100) < np.where(data["g"] == "b", 0.3, 0.6)).astype(int)
    r = sa.Audit(
        y_pred=y, data=data, sensitive={"race": "g"}, legitimate_factors=["s"], explain=False
    ).run()
    cond = _findings(r, "race")["fairness.conditional_gap"]
    assert "b" in cond.details["unsupported"]
    assert all(c["estimate"] == "regression" for c in cond.details["comparisons"])
    assert "only the regression-adjusted estimate exists" in cond.message.en
    assert cond.status is not Status.FAIL and cond.details["extrapolated"]
    assert "10 of the group" in cond.message.en


# --------------------------------------------------------------------------------------------
# Item 5: numeric attributes
# --------------------------------------------------------------------------------------------


def _soda(n=400, seed=7):
    """Store-level prices of a soda in dollars, rising $0.115 per unit of a neighbourhood's
    share of residents of one ethnicity (from 0 to 1: the published slope, a regression of the
    price in dollars, not of its log), with store size a legitimate cost driver."""
    rng = np.random.default_rng(seed)
    share = rng.uniform(0, 0.9, n)
    size = rng.normal(0, 1, n)
    price = 0.956 + 0.115 * share - 0.03 * size + rng.normal(0, 0.05, n)
    return pd.DataFrame({"share_black": share, "size": size}), price


def test_a_price_trend_along_a_share_is_found_and_equals_statsmodels():
    data, price = _soda()
    result = sa.Audit(
        y_pred=price,
        data=data,
        task="pricing",
        sensitive={"race": "share_black"},
        legitimate_factors=["size"],
        explain=False,
    ).run()
    trend = next(f for f in result.findings if f.check == "pricing.trend")
    assert trend.status is Status.FAIL and trend.article == "72(4)"
    # The slope is statsmodels' OLS with HC1 errors on the same design.
    import statsmodels.api as smapi

    z = (data["size"] - data["size"].mean()) / data["size"].std(ddof=0)
    fit = smapi.OLS(
        np.log(price), smapi.add_constant(np.column_stack([data["share_black"], z]))
    ).fit(cov_type="HC1")
    assert trend.details["slope"] == pytest.approx(fit.params[1], rel=1e-9)
    assert trend.details["slope_se"] == pytest.approx(fit.bse[1], rel=1e-9)
    low, high = np.quantile(data["share_black"], [0.1, 0.9])
    assert trend.value == pytest.approx(math.expm1(fit.params[1] * (high - low)), rel=1e-9)
    # The quartile comparisons say the attribute was binned, and how.
    gaps = [f for f in result.findings if f.check == "pricing.conditional_gap"]
    assert "grouped by quantiles" in gaps[0].message.en and "分位数" in gaps[0].message.zh
    assert gaps[0].details["binning"]["method"] == "quantile"
    # The reference of the bins is the lowest-priced one, not the most frequent.
    table = result.pricing.gaps["race"].table
    big = table[table["count"] >= 30]
    assert result.pricing.gaps["race"].reference == str(big["mean"].idxmin())


def test_a_decision_trend_along_age_equals_statsmodels():
    rng = np.random.default_rng(8)
    n = 3000
    age = rng.uniform(20, 70, n)
    y = (rng.random(n) < 0.9 - 0.006 * (age - 20)).astype(int)
    r = sa.Audit(y_pred=y, sensitive={"age": age}, explain=False).run()
    trend = _findings(r, "age")["fairness.trend"]
    import statsmodels.api as smapi

    fit = smapi.OLS(y.astype(float), smapi.add_constant(age)).fit(cov_type="HC1")
    assert trend.details["slope"] == pytest.approx(fit.params[1], rel=1e-9)
    assert trend.details["slope_se"] == pytest.approx(fit.bse[1], rel=1e-9)
    low, high = np.quantile(age, [0.1, 0.9])
    assert trend.value == pytest.approx(-fit.params[1] * (high - low), rel=1e-9)
    assert trend.worst_group.startswith("P90")  # the old are worse off
    assert trend.status is Status.FAIL  # about 24 points from P10 to P90
    rates = _findings(r, "age")[PARITY]
    assert "grouped by quantiles" in rates.message.en


# --------------------------------------------------------------------------------------------
# Items 6 and 7: one minimum per check; reference= changes the pair
# --------------------------------------------------------------------------------------------


def test_auc_and_true_positive_rate_use_the_same_minimum():
    """A group with 9 actual positives: left out of the true-positive rate and of the AUC."""
    rng = np.random.default_rng(9)
    sizes = {"big": (300, 300), "small": (9, 200)}  # (positives, negatives)
    group, y_true, score = [], [], []
    for g, (pos, neg) in sizes.items():
        group += [g] * (pos + neg)
        y_true += [1] * pos + [0] * neg
        score += list(rng.uniform(0.4, 1, pos)) + list(rng.uniform(0, 0.6, neg))
    r = sa.Audit(
        y_score=np.array(score), y_true=np.array(y_true), sensitive={"race": np.array(group)}
    ).run()
    f = _findings(r, "race")
    assert f["fairness.true_positive_rate_difference"].status is Status.INSUFFICIENT_DATA
    assert f["fairness.auc_difference"].status is Status.INSUFFICIENT_DATA
    from szai_audit.core.checks import get

    assert get("fairness.auc_difference").minimum == "both_outcomes"
    assert get("fairness.true_positive_rate_difference").minimum == "rate"


def test_a_chosen_reference_is_the_pair_compared_both_ways():
    """COMPAS-like: with reference Caucasian the race finding compares with Caucasian, also
    when Caucasian is the group worse off."""
    counts = {"African-American": (500, 1000), "Caucasian": (400, 1000), "Other": (620, 1000)}
    group, y = _labels(counts)
    default = _findings(sa.Audit(y_pred=y, sensitive={"race": group}).run(), "race")[PARITY]
    assert default.best_group == "Other"
    chosen = _findings(
        sa.Audit(y_pred=y, sensitive={"race": group}, reference={"race": "Caucasian"}).run(),
        "race",
    )[PARITY]
    assert "Caucasian" in (chosen.worst_group, chosen.best_group)
    assert {(c["group"], c["reference"]) for c in chosen.details["comparisons"]} == {
        ("African-American", "Caucasian"),
        ("Other", "Caucasian"),
        ("Caucasian", "African-American"),
        ("Caucasian", "Other"),
    }
    # Caucasian (40%) is the worse off against Other (62%): named, and the message says so.
    assert (chosen.worst_group, chosen.best_group) == ("Caucasian", "Other")
    assert chosen.status is Status.FAIL
    assert "the reference group “Caucasian”" in chosen.message.en


# --------------------------------------------------------------------------------------------
# Item 8: the threshold decides
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def scored():
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(10)
    n = 3000
    X = pd.DataFrame({"x": rng.normal(size=n), "sex": rng.choice(["f", "m"], n)})
    y = (rng.random(n) < 1 / (1 + np.exp(-X["x"]))).astype(int)
    model = LogisticRegression().fit(X[["x"]], y)

    class OnX:
        classes_ = model.classes_

        def predict(self, frame):
            return model.predict(frame[["x"]])

        def predict_proba(self, frame):
            return model.predict_proba(frame[["x"]])

    return X, y, OnX()


def test_threshold_makes_the_decisions_of_a_model_with_predict(scored):
    X, y, model = scored
    cut = sa.Audit(model, X, y, sensitive={"gender": "sex"}, threshold=0.3, explain=False).run()
    proba = model.predict_proba(X)[:, 1]
    expected = (proba >= 0.3).mean()
    assert cut.scope.decision_rule == "predict_proba(data)[:, 1] >= 0.3 (1), else 0"
    rates = cut.fairness.group_metrics["gender"].counts
    assert rates["predicted_positive"].sum() / rates["n"].sum() == pytest.approx(expected)
    assert cut.fairness.score_metrics["gender"].threshold == 0.3
    by_predict = sa.Audit(model, X, y, sensitive={"gender": "sex"}, explain=False).run()
    assert by_predict.scope.decision_rule == "model.predict(data)"
    assert by_predict.fairness.score_metrics["gender"].threshold is None


def test_threshold_where_it_cannot_decide_is_refused(scored):
    X, y, _ = scored
    with pytest.raises(errors.InputError, match="given with y_pred"):
        sa.Audit(
            y_pred=y,
            y_score=np.full(len(y), 0.5),
            y_true=y,
            threshold=0.3,
            sensitive={"gender": X["sex"]},
        ).run()
    with pytest.raises(errors.InputError, match="task='regression'"):
        sa.Audit(
            y_pred=np.arange(len(y), dtype=float),
            task="regression",
            threshold=0.3,
            sensitive={"gender": X["sex"]},
        ).run()
    with pytest.raises(errors.InputError, match="returns decisions"):
        sa.Audit(
            sa.CallableModel(lambda f: np.ones(len(f), int)),
            X,
            y,
            threshold=0.3,
            sensitive={"gender": "sex"},
        ).run()
    score = sa.CallableModel(lambda f: 1 / (1 + np.exp(-f["x"])), output="score")
    r = sa.Audit(score, X, y, sensitive={"gender": "sex"}, threshold=0.7, explain=False).run()
    assert r.scope.decision_rule == "score >= 0.7 (1), else 0"


# --------------------------------------------------------------------------------------------
# Item 9: proxies carry an interval and a p-value
# --------------------------------------------------------------------------------------------


def test_proxy_findings_carry_intervals_and_are_decided_by_the_table():
    from szai_audit.fairness.scores import auc_with_se

    rng = np.random.default_rng(11)
    n = 4000
    sex = rng.choice(["f", "m"], n)
    data = pd.DataFrame(
        {
            "title": np.where(rng.random(n) < 0.9, np.where(sex == "f", "Ms", "Mr"), "Dr"),
            "noise": rng.normal(size=n),
            "sex": sex,
        }
    )
    r = sa.Audit(y_pred=rng.integers(0, 2, n), data=data, sensitive={"gender": "sex"}).run()
    proxy = _findings(r, "gender")["fairness.proxy"]
    assert proxy.status is Status.WARN  # shown beyond the limit: informative, never FAIL
    assert proxy.worst_group is None and proxy.ci is not None and proxy.p_value < 0.05
    rows = {c["group"]: c for c in proxy.details["comparisons"]}
    assert set(rows) == {"title", "noise", "(all inputs)"}
    assert rows["(all inputs)"]["p_value_raw"] < 1e-6
    assert "“title”" in proxy.message.en
    report = r.fairness.proxies["gender"]
    assert report.features.loc["title", "auc_low"] > 0.7
    # The interval is the DeLong one of the out-of-fold lookup probabilities.
    from sklearn.model_selection import StratifiedKFold

    y = (np.asarray(sex)[np.asarray(data.index)] == "m").astype(int)
    codes = pd.factorize(data["title"])[0]
    oof = np.empty(n)
    for train, test in StratifiedKFold(3, shuffle=True, random_state=0).split(codes, y):
        table = np.ones((codes.max() + 1, 2))
        np.add.at(table, (codes[train], y[train]), 1.0)
        oof[test] = (table / table.sum(1, keepdims=True))[codes[test], 1]
    auc, se = auc_with_se(y == 1, oof)
    assert report.features.loc["title", "auc"] == pytest.approx(auc, abs=1e-12)
    assert report.features.loc["title", "auc_se"] == pytest.approx(se, rel=1e-9)
    # Nothing revealing: PASS, every interval below the limit.
    quiet = data.assign(title=rng.choice(["Ms", "Mr"], n))
    r = sa.Audit(y_pred=rng.integers(0, 2, n), data=quiet, sensitive={"gender": "sex"}).run()
    assert _findings(r, "gender")["fairness.proxy"].status is Status.PASS


# --------------------------------------------------------------------------------------------
# Item 11: check titles follow the favourable label
# --------------------------------------------------------------------------------------------


def test_error_rate_titles_say_what_they_compare_when_the_favourable_label_is_zero():
    rng = np.random.default_rng(12)
    n = 2000
    g = rng.choice(["a", "b"], n)
    y_true = rng.integers(0, 2, n)
    y_pred = rng.integers(0, 2, n)
    r = sa.Audit(y_pred=y_pred, y_true=y_true, sensitive={"race": g}, favorable_label=0).run()
    f = _findings(r, "race")
    tpr, fpr = (
        f["fairness.true_positive_rate_difference"],
        f["fairness.false_positive_rate_difference"],
    )
    assert "equal opportunity" not in tpr.title.en
    assert "unfavourable decisions among people with the unfavourable outcome" in tpr.title.en
    assert "equal opportunity" in fpr.title.en and "机会均等" in fpr.title.zh
    r1 = sa.Audit(y_pred=y_pred, y_true=y_true, sensitive={"race": g}).run()
    assert (
        "(equal opportunity)"
        in _findings(r1, "race")["fairness.true_positive_rate_difference"].title.en
    )
    assert r.to_dict()["findings"][0]["title"]  # the JSON carries the finding's own title


# --------------------------------------------------------------------------------------------
# Item 12: the audit's own model fits use the usable cores only
# --------------------------------------------------------------------------------------------


def test_threads_are_capped_at_the_usable_cores(tmp_path, monkeypatch):
    from threadpoolctl import threadpool_info

    from szai_audit.core import threads

    with threads.limited_threads(1) as cap:
        assert cap == 1
        assert all(p["num_threads"] == 1 for p in threadpool_info())
    quota = tmp_path / "cpu.max"
    quota.write_text("150000 100000\n")
    monkeypatch.setattr(threads, "_CGROUP_V2", quota)
    assert threads.usable_cores() == min(2, len(__import__("os").sched_getaffinity(0)))
    quota.write_text("max 100000\n")
    assert threads.usable_cores() == len(__import__("os").sched_getaffinity(0))
