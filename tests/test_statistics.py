"""Intervals, tests and multiplicity control, checked against scipy, fairlearn and simulation."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as sps

import szai_audit as sa
from szai_audit import Status
from szai_audit.core.stats import benjamini_hochberg, normal_p_value, two_proportion_test


def _by_ground(result, ground):
    return {f.check: f for f in result.findings if f.ground == ground}


def test_two_proportion_test_equals_scipy():
    rng = np.random.default_rng(0)
    n1 = rng.integers(1, 400, 300)
    n2 = rng.integers(1, 400, 300)
    k1 = rng.binomial(n1, rng.uniform(0.01, 0.99, 300))
    k2 = rng.binomial(n2, rng.uniform(0.01, 0.99, 300))
    res = two_proportion_test(k1, n1, k2, n2)
    fisher_seen = chi2_seen = 0
    for i in range(300):
        table = [[k1[i], n1[i] - k1[i]], [k2[i], n2[i] - k2[i]]]
        if k1[i] + k2[i] in (0, n1[i] + n2[i]):
            assert res.p_value[i] == 1.0
            continue
        if res.method[i] == "fisher":
            fisher_seen += 1
            expected = sps.fisher_exact(table).pvalue
        else:
            chi2_seen += 1
            expected = sps.chi2_contingency(table, correction=False).pvalue
            assert sps.contingency.expected_freq(table).min() >= 5
        assert res.p_value[i] == pytest.approx(expected, rel=1e-9, abs=1e-12)
    assert fisher_seen > 10 and chi2_seen > 100


@pytest.mark.slow
def test_fair_model_with_many_groups_rarely_fails():
    """The worst and best of 10 equal groups differ by chance: FAIL must stay rare."""
    rng = np.random.default_rng(7)
    group = np.repeat([f"g{j}" for j in range(10)], 100)
    fails = 0
    sims = 120
    for i in range(sims):
        y_pred = (rng.random(1000) < 0.5).astype(int)
        result = sa.Audit(
            y_pred=y_pred, sensitive={"nationality": group}, policy=sa.Policy(n_bootstrap=100)
        ).run(random_state=i)
        fails += any(f.status is Status.FAIL for f in result.findings)
    assert fails / sims <= 0.05


def test_benjamini_hochberg_equals_scipy():
    rng = np.random.default_rng(1)
    p = np.concatenate([rng.uniform(0, 0.01, 20), rng.uniform(0, 1, 200)])
    np.testing.assert_allclose(benjamini_hochberg(p), sps.false_discovery_control(p), rtol=1e-12)
    assert benjamini_hochberg(np.array([])).size == 0
    # A test that could not run (NaN) does not poison the others.
    out = benjamini_hochberg(np.array([0.01, np.nan, 0.02]))
    assert np.isnan(out[1]) and out[0] == pytest.approx(0.02) and out[2] == pytest.approx(0.02)


def test_normal_p_value():
    assert normal_p_value(1.959963984540054, 1.0)[0] == pytest.approx(0.05)
    assert normal_p_value(0.0, 0.0)[0] == 1.0 and normal_p_value(1.0, 0.0)[0] == 0.0


@pytest.mark.slow
def test_bootstrap_interval_covers_the_true_rate():
    """Simulation: ~95% intervals contain the true selection rate ~95% of the time."""
    rng = np.random.default_rng(2)
    true = {"a": 0.3, "b": 0.6}
    trials, covered = 300, {"a": 0, "b": 0}
    group = np.array(["a"] * 200 + ["b"] * 300)
    p = np.where(group == "a", true["a"], true["b"])
    for t in range(trials):
        y_pred = (rng.random(group.size) < p).astype(int)
        ci = sa.group_metrics(None, y_pred, group).ci(n_boot=400, random_state=t)
        for g in ("a", "b"):
            low, high = ci.loc[g, "selection_rate"]
            covered[g] += bool(low <= true[g] <= high)
    for g in covered:
        # Binomial noise of the coverage estimate over 300 trials is ~1.3 points.
        assert 0.91 <= covered[g] / trials <= 0.985, covered


@pytest.mark.slow
def test_bootstrap_intervals_agree_with_fairlearn():
    """fairlearn resamples rows; resampling the cell counts must give the same intervals."""
    from fairlearn.metrics import MetricFrame, selection_rate, true_positive_rate

    rng = np.random.default_rng(3)
    n = 3_000
    group = rng.choice(["a", "b", "c"], n, p=[0.5, 0.3, 0.2])
    y_true = rng.integers(0, 2, n)
    y_pred = (rng.random(n) < np.where(y_true == 1, 0.7, 0.3)).astype(int)
    ours = sa.group_metrics(y_true, y_pred, group).ci(level=0.9, n_boot=2000, random_state=0)
    mf = MetricFrame(
        metrics={"selection_rate": selection_rate, "true_positive_rate": true_positive_rate},
        y_true=y_true,
        y_pred=y_pred,
        sensitive_features=group,
        n_boot=200,
        ci_quantiles=[0.05, 0.95],
        random_state=0,
    )
    low, high = mf.by_group_ci
    for m in ("selection_rate", "true_positive_rate"):
        for g in ("a", "b", "c"):
            # A 5% quantile from 200 resamples has a Monte Carlo error of about 0.05 of the
            # interval's width; allow three of those.
            width = high.loc[g, m] - low.loc[g, m]
            assert ours.loc[g, (m, "low")] == pytest.approx(low.loc[g, m], abs=0.15 * width)
            assert ours.loc[g, (m, "high")] == pytest.approx(high.loc[g, m], abs=0.15 * width)


def test_bootstrap_is_deterministic_and_cached():
    gm = sa.group_metrics([1, 0] * 100, [1, 1, 0, 0] * 50, ["a", "b"] * 100)
    a = gm.bootstrap(200, random_state=5)["selection_rate"]
    b = gm.bootstrap(200, random_state=5)["selection_rate"]
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, gm.bootstrap(200, random_state=6)["selection_rate"])
    with pytest.raises(sa.errors.InputTypeError, match="n_boot"):
        gm.bootstrap(0)


def _two_groups(n_a, n_b, rate_a, rate_b):
    """Exact rates: the first rate * n rows of each group are positive."""
    group = np.array(["a"] * n_a + ["b"] * n_b)
    y = np.r_[np.arange(n_a) < round(rate_a * n_a), np.arange(n_b) < round(rate_b * n_b)]
    return group, y.astype(int)


def test_real_gap_is_fail_no_gap_is_pass_small_sample_gap_is_warn():
    group, y = _two_groups(2000, 2000, 0.30, 0.50)
    f = _by_ground(sa.Audit(y_pred=y, sensitive={"race": group}).run(), "race")
    parity = f["fairness.demographic_parity_difference"]
    assert parity.status is Status.FAIL and parity.worst_group == "a"
    assert parity.p_value < 1e-6
    assert parity.ci[0] < 0.2 < parity.ci[1]
    assert f["fairness.selection_rate_ratio"].status is Status.FAIL

    group, y = _two_groups(2000, 2000, 0.40, 0.41)
    f = _by_ground(sa.Audit(y_pred=y, sensitive={"race": group}).run(), "race")
    assert f["fairness.demographic_parity_difference"].status is Status.PASS
    assert f["fairness.selection_rate_ratio"].status is Status.PASS

    # The same 20-point gap on 40 people per group is not significant: WARN, not FAIL.
    group, y = _two_groups(40, 40, 0.40, 0.60)
    f = _by_ground(sa.Audit(y_pred=y, sensitive={"race": group}).run(), "race")
    parity = f["fairness.demographic_parity_difference"]
    assert parity.value == pytest.approx(0.2)
    assert parity.status is Status.WARN and parity.p_value > 0.05
    assert "do not show the gap beyond" in parity.message.en
    assert "数据不足以表明差距超出容许范围" in parity.message.zh


def test_tiny_group_is_insufficient_data():
    group = np.array(["a"] * 500 + ["b"] * 12)
    y = np.r_[np.ones(500), np.zeros(12)].astype(int)
    f = _by_ground(sa.Audit(y_pred=y, sensitive={"race": group}).run(), "race")
    for check in ("fairness.selection_rate_ratio", "fairness.demographic_parity_difference"):
        assert f[check].status is Status.INSUFFICIENT_DATA
        assert f[check].details["suppressed"] == {"b": 12}


def test_multiplicity_correction_can_turn_fail_into_warn():
    """A gap borderline beyond the tolerance: its adjusted p-value is never below the raw one,
    and is the Benjamini-Hochberg value among every "beyond the tolerance" test of the audit."""
    group, y = _two_groups(300, 300, 0.40, 0.57)
    alone = _by_ground(sa.Audit(y_pred=y, sensitive={"race": group}).run(), "race")
    parity = alone["fairness.demographic_parity_difference"]
    raw = parity.details["p_value_raw"]
    assert raw < 0.05 and parity.p_value >= raw
    # Every p-value of the audit is adjusted together: the finding's adjusted value is the
    # Benjamini-Hochberg value of its raw p among all of them.
    result = sa.Audit(y_pred=y, sensitive={"race": group}).run()
    raws = [
        c["p_value_raw"]
        for f in result.findings
        if f.p_value is not None
        for c in f.details["comparisons"]
    ]
    adjusted = dict(zip(raws, benjamini_hochberg(np.array(raws)), strict=False))
    assert parity.p_value == pytest.approx(adjusted[raw])


def test_group_tests_against_rest_and_reference():
    rng = np.random.default_rng(4)
    group = rng.choice(["x", "y", "z"], 3000)
    p = np.select([group == "x", group == "y"], [0.5, 0.5], 0.3)
    y_pred = (rng.random(3000) < p).astype(int)
    result = sa.Audit(y_pred=y_pred, sensitive={"race": group}, reference={"race": "x"}).run()
    tests = result.fairness.group_tests["race"]
    sel = sa.group_metrics(None, y_pred, group)
    k = sel.numerators()["selection_rate"].to_numpy()
    n = sel.denominators()["selection_rate"].to_numpy()
    for i, g in enumerate(["x", "y", "z"]):
        table = [[k[i], n[i] - k[i]], [k.sum() - k[i], (n.sum() - n[i]) - (k.sum() - k[i])]]
        expected = sps.chi2_contingency(table, correction=False).pvalue
        assert tests.loc[g, ("selection_rate", "p_vs_rest")] == pytest.approx(expected)
    assert np.isnan(tests.loc["x", ("selection_rate", "p_vs_reference")])
    assert tests.loc["z", ("selection_rate", "p_vs_reference_adjusted")] < 0.001
    assert tests.loc["y", ("selection_rate", "p_vs_reference_adjusted")] > 0.05
    with pytest.raises(sa.errors.SensitiveAttributeError, match="not a group"):
        sa.Audit(y_pred=y_pred, sensitive={"race": group}, reference={"race": "w"}).run()


def test_intersectional_worst_group_is_found():
    """Only foreign women are disadvantaged: neither ground alone shows the full gap."""
    rng = np.random.default_rng(5)
    n = 8000
    sex = rng.choice(["female", "male"], n)
    foreign = rng.choice(["yes", "no"], n)
    p = np.where((sex == "female") & (foreign == "yes"), 0.35, 0.6)
    y_pred = (rng.random(n) < p).astype(int)
    result = sa.Audit(
        y_pred=y_pred,
        sensitive={"gender": sex, "nationality": foreign, "age": rng.integers(20, 70, n)},
    ).run()
    key = "gender × nationality"
    assert key in result.fairness.intersections
    f = _by_ground(result, key)["fairness.demographic_parity_difference"]
    assert f.worst_group == "female × yes" and f.status is Status.FAIL
    assert "性别 × 国籍" in f.message.zh
    assert "gender × nationality × age" in result.fairness.intersections  # 2 x 2 x 4 = 16 groups
    assert (
        result.fairness.intersection is result.fairness.intersections["gender × nationality × age"]
    )
    small = sa.Audit(
        y_pred=y_pred,
        sensitive={"gender": sex, "nationality": foreign, "age": rng.integers(20, 70, n)},
        policy=sa.Policy(max_intersection_groups=8),
    ).run()
    assert "gender × nationality × age" not in small.fairness.intersections
    skipped = [f for f in small.findings if f.check == "fairness.intersection_not_assessed"]
    assert len(skipped) == 1 and skipped[0].status is Status.NOT_ASSESSED


def test_quantiles_from_value_counts_equal_numpy_to_the_bit():
    """Bins of data seen in parts come from value counts: the same numbers as np.quantile and
    np.median of the rows, to the last bit."""
    from szai_audit.core.stats import weighted_median, weighted_quantile

    rng = np.random.default_rng(11)
    for _ in range(500):
        values = np.unique(rng.normal(size=rng.integers(1, 30)) * rng.choice([1, 100, 1e6]))
        counts = rng.integers(1, 50, len(values))
        rows = np.repeat(values, counts)
        qs = np.concatenate([np.sort(rng.random(5)), np.linspace(0, 1, 11)])
        assert np.array_equal(weighted_quantile(values, counts, qs), np.quantile(rows, qs))
        assert weighted_median(values, counts) == np.median(rows)


def test_ols_hc1_in_blocks_equals_statsmodels():
    """Over several blocks of rows (and with the regressors formed block by block) the
    coefficients and HC1 errors equal statsmodels' on the whole matrix."""
    import statsmodels.api as sm

    from szai_audit.core.trend import OLS_BLOCK, ols_hc1

    rng = np.random.default_rng(0)
    n = 3 * OLS_BLOCK + 123
    x = np.column_stack([np.ones(n), rng.normal(size=n), rng.integers(0, 2, n)])
    y = x @ [1.0, 2.0, 3.0] + rng.normal(size=n) * (1 + x[:, 2])  # heteroskedastic
    fit = sm.OLS(y, x).fit(cov_type="HC1")
    for given in (x, lambda start, stop: x[start:stop]):
        beta, cov = ols_hc1(given, y)
        np.testing.assert_allclose(beta, fit.params, rtol=1e-12)
        np.testing.assert_allclose(np.sqrt(np.diag(cov)), fit.bse, rtol=1e-10)
