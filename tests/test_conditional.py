"""Conditional disparity: stratified and regression-adjusted gaps, and the 72(4) finding."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import szai_audit as sa
from szai_audit import Status
from szai_audit.fairness.conditional import conditional_gaps


def test_stratified_gap_by_hand():
    # Two strata; group b is 10 points lower within each.
    groups = np.array(["a"] * 100 + ["b"] * 100 + ["a"] * 50 + ["b"] * 150)
    stratum = np.array(["s1"] * 200 + ["s2"] * 200)
    y = np.r_[
        np.arange(100) < 60, np.arange(100) < 50, np.arange(50) < 40, np.arange(150) < 105
    ].astype(float)
    gaps = conditional_gaps(y, groups, pd.DataFrame({"stratum": stratum}), "a")
    row = gaps.table.loc["b"]
    # Each stratum weighted by the rows of both groups in it: 200 in s1, 200 in s2.
    expected = (200 * (0.50 - 0.60) + 200 * (0.70 - 0.80)) / 400
    assert row["stratified_gap"] == pytest.approx(expected)

    def v(p, n):  # unbiased variance of a 0/1 outcome, over n, for the mean's variance
        return p * (1 - p) * n / (n - 1) / n

    var = (200 / 400) ** 2 * (v(0.5, 100) + v(0.6, 100)) + (200 / 400) ** 2 * (
        v(0.7, 150) + v(0.8, 50)
    )
    assert row["stratified_se"] == pytest.approx(np.sqrt(var))
    assert row["raw_gap"] == pytest.approx(y[groups == "b"].mean() - y[groups == "a"].mean())
    assert row["coverage"] == 1.0


def test_stratified_gap_is_symmetric():
    """Issue 13 (4): "a against b" is minus "b against a", whichever group is the reference
    (the old estimator, weighted by the compared group's strata, gave +8.9% and -1.1%)."""
    rng = np.random.default_rng(3)
    n = 4000
    g = rng.choice(["a", "b"], n, p=[0.3, 0.7])
    # The groups sit in the strata differently, and the gap differs by stratum.
    stratum = np.where(rng.random(n) < np.where(g == "a", 0.8, 0.2), "s1", "s2")
    p = np.where(stratum == "s1", 0.5, 0.6) + np.where((g == "a") & (stratum == "s1"), 0.2, 0.0)
    y = (rng.random(n) < p).astype(float)
    f = pd.DataFrame({"stratum": stratum})
    ab = conditional_gaps(y, g, f, "b").table.loc["a"]
    ba = conditional_gaps(y, g, f, "a").table.loc["b"]
    assert ab["stratified_gap"] == pytest.approx(-ba["stratified_gap"], rel=1e-12)
    assert ab["stratified_se"] == pytest.approx(ba["stratified_se"], rel=1e-12)
    assert ab["covered"] == ba["reference_covered"] and ab["reference_covered"] == ba["covered"]


def test_regression_gap_equals_statsmodels_hc1():
    sm = pytest.importorskip("statsmodels.api")
    rng = np.random.default_rng(0)
    n = 3000
    g = rng.choice(["a", "b", "c"], n)
    income = rng.normal(size=n) + (g == "b")
    region = rng.choice(["n", "s", "e"], n)
    y = 0.3 * income + 0.2 * (region == "s") - 0.1 * (g == "c") + rng.normal(size=n)
    factors = pd.DataFrame({"income": income, "region": region})
    gaps = conditional_gaps(y, g, factors, "a")
    # The same model in statsmodels: standardised income, region indicators (most frequent
    # level left out), group indicators against "a".
    z = (income - income.mean()) / income.std()
    most = pd.Series(region).value_counts().index[0]
    cols = {"b": (g == "b") * 1.0, "c": (g == "c") * 1.0, "income": z}
    for level in sorted(set(region) - {most}):
        cols[level] = (region == level) * 1.0
    X = sm.add_constant(pd.DataFrame(cols))
    fit = sm.OLS(y, X).fit(cov_type="HC1")
    for grp in ("b", "c"):
        assert gaps.table.loc[grp, "regression_gap"] == pytest.approx(fit.params[grp], rel=1e-9)
        assert gaps.table.loc[grp, "regression_se"] == pytest.approx(fit.bse[grp], rel=1e-9)


@pytest.mark.slow
def test_sparse_strata_keep_the_nominal_level():
    """No true gap and a 100-level factor on 400 rows: the z-test rejects about 5%."""
    from szai_audit.core.stats import normal_p_value

    rng = np.random.default_rng(11)
    rejections, sims = 0, 200
    for _ in range(sims):
        g = rng.choice(["a", "b"], 400)
        cat = rng.choice([f"l{i}" for i in range(100)], 400).astype(object)
        p = 1 / (1 + np.exp(-(np.array([int(c[1:]) % 3 - 1 for c in cat]))))
        y = (rng.random(400) < p).astype(float)
        row = conditional_gaps(y, g, pd.DataFrame({"cat": cat}), "a").table.loc["b"]
        rejections += normal_p_value(row["stratified_gap"], row["stratified_se"])[0] < 0.05
    assert rejections / sims <= 0.09


def test_missing_values_in_a_categorical_factor_form_a_stratum():
    g = np.array(["a", "b"] * 120)
    cat = np.array(["u", "v", None] * 80, dtype=object)  # every (group, stratum) occurs
    y = np.tile([1.0, 0.0, 1.0, 1.0, 0.0], 48)
    gaps = conditional_gaps(y, g, pd.DataFrame({"cat": cat}), "a")
    assert gaps.n_strata == 3 and gaps.table.loc["b", "coverage"] == 1.0


def test_log_scale_and_errors():
    g = np.array(["a", "b"] * 50)
    price = np.where(g == "b", 110.0, 100.0)
    gaps = conditional_gaps(price, g, pd.DataFrame({"k": np.ones(100)}), "a", log=True)
    assert np.exp(gaps.table.loc["b", "stratified_gap"]) == pytest.approx(1.1)
    with pytest.raises(sa.errors.InputError, match="positive"):
        conditional_gaps(price - 200, g, pd.DataFrame({"k": np.ones(100)}), "a", log=True)
    with pytest.raises(sa.errors.InputError, match="does not occur"):
        conditional_gaps(price, g, pd.DataFrame({"k": np.ones(100)}), "z")


def _by_ground(result, ground):
    return {f.check: f for f in result.findings if f.ground == ground}


@pytest.fixture(scope="module")
def loans():
    """Approval depends on debt-to-income only; group b has more debt (legitimately)."""
    rng = np.random.default_rng(1)
    n = 6000
    group = rng.choice(["a", "b"], n)
    dti = rng.normal(0.3, 0.1, n) + 0.08 * (group == "b")
    approve_p = np.clip(1.4 - 2.5 * dti, 0, 1)
    data = pd.DataFrame({"dti": dti, "group": group})
    return data, approve_p, rng


def test_legitimate_gap_passes_after_adjustment(loans):
    data, approve_p, rng = loans
    y_pred = (rng.random(len(data)) < approve_p).astype(int)
    result = sa.Audit(
        y_pred=y_pred, data=data, sensitive={"race": "group"}, legitimate_factors=["dti"]
    ).run()
    f = _by_ground(result, "race")
    assert f["fairness.demographic_parity_difference"].status is Status.FAIL  # raw gap
    cond = f["fairness.conditional_gap"]
    assert cond.status is Status.PASS and cond.value < 0.03
    regression = [c for c in cond.details["comparisons"] if c["estimate"] == "regression"]
    assert abs(regression[0]["value"]) < 0.03
    assert cond.details["reference"] == "a"
    assert "dti" in cond.message.en


def test_direct_gap_fails_after_adjustment(loans):
    data, approve_p, rng = loans
    p = np.clip(approve_p - 0.15 * (data["group"] == "b"), 0, 1)
    y_pred = (rng.random(len(data)) < p).astype(int)
    result = sa.Audit(
        y_pred=y_pred, data=data, sensitive={"race": "group"}, legitimate_factors=["dti"]
    ).run()
    cond = _by_ground(result, "race")["fairness.conditional_gap"]
    assert cond.status is Status.FAIL and cond.worst_group == "b"
    assert cond.value == pytest.approx(0.15, abs=0.04)
    table = result.fairness.conditional["race"].table
    assert table.loc["b", "regression_gap"] == pytest.approx(-0.15, abs=0.04)
    html = result.to_html(lang="en")
    assert "Gaps after legitimate factors" in html


def test_legitimate_factor_errors(loans):
    data, _, _ = loans
    y = np.ones(len(data), int)
    with pytest.raises(sa.errors.ColumnNotFoundError, match="not in data"):
        sa.Audit(y_pred=y, data=data, sensitive={"race": "group"}, legitimate_factors=["x"]).run()
    with pytest.raises(sa.errors.InputError, match="cannot be a legitimate"):
        sa.Audit(
            y_pred=y, data=data, sensitive={"race": "group"}, legitimate_factors=["group"]
        ).run()
    with pytest.raises(sa.errors.InputTypeError, match="list of column names"):
        sa.Audit(y_pred=y, data=data, sensitive={"race": "group"}, legitimate_factors="dti").run()
