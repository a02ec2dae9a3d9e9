"""The smallest gap a rate finding could show beyond its tolerance (issue 31, item 4).

:func:`szai_audit.core.power.score_power` is checked against statsmodels' normal power with
an independently computed null variance, :func:`min_detectable_gap` against statsmodels'
power for two proportions and by simulation of the very test the audit uses, and the demo's
findings and page-1 list against what the method promises.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import brentq, minimize_scalar
from statsmodels.stats.power import normal_power_het
from statsmodels.stats.proportion import power_proportions_2indep

import szai_audit as sa
from szai_audit.core.errors import InputError
from szai_audit.core.judging import finalize
from szai_audit.core.margins import margin_test
from szai_audit.core.power import min_detectable_gap, score_power
from szai_audit.fairness.findings.rates import assess_table
from szai_audit.fairness.power import (
    POWER,
    UNDERPOWERED_FACTOR,
    is_underpowered,
    underpowered_grounds,
    underpowered_message,
)


def _null_mle(p1, n1, p2, n2, margin, scale):
    """The proportions constrained to the margin that maximise the likelihood of the expected
    counts, by numerical search (not the closed forms the package uses)."""
    k1, k2 = n1 * p1, n2 * p2

    def on(q2):
        return q2 + margin if scale == "diff" else margin * q2

    def nll(q2):
        q1 = on(q2)
        eps = 1e-12
        return -(
            k1 * math.log(max(q1, eps))
            + (n1 - k1) * math.log(max(1 - q1, eps))
            + k2 * math.log(max(q2, eps))
            + (n2 - k2) * math.log(max(1 - q2, eps))
        )

    lo = max(0.0, -margin) if scale == "diff" else 0.0
    hi = min(1.0, 1.0 - margin) if scale == "diff" else min(1.0, 1.0 / margin)
    q2 = minimize_scalar(nll, bounds=(lo, hi), method="bounded", options={"xatol": 1e-12}).x
    return on(q2), q2


CASES = [
    # p1, n1, p2, n2, margin, scale, alternative
    (0.85, 209, 0.60, 91, 0.10, "diff", "greater"),
    (0.30, 500, 0.10, 80, 0.05, "diff", "greater"),
    (0.55, 120, 0.50, 60, 0.10, "diff", "greater"),
    (0.50, 91, 0.85, 209, 0.80, "ratio", "less"),
    (0.20, 300, 0.40, 1000, 0.80, "ratio", "less"),
]


@pytest.mark.parametrize(("p1", "n1", "p2", "n2", "margin", "scale", "alternative"), CASES)
def test_score_power_is_statsmodels_normal_power_with_the_null_variance(
    p1, n1, p2, n2, margin, scale, alternative
):
    """The power is statsmodels' ``normal_power_het`` given the score test's standard errors
    under the null (the likelihood maximised numerically on the margin) and at the truth."""
    q1, q2 = _null_mle(p1, n1, p2, n2, margin, scale)
    w = 1.0 if scale == "diff" else margin**2
    n = n1 + n2
    std_null = math.sqrt((q1 * (1 - q1) / n1 + w * q2 * (1 - q2) / n2) * n / (n - 1))
    std_alt = math.sqrt(p1 * (1 - p1) / n1 + w * p2 * (1 - p2) / n2)
    gap = p1 - p2 - margin if scale == "diff" else p1 - margin * p2
    if alternative == "less":
        gap = -gap
    alpha = 0.01
    expected = normal_power_het(gap, 1, alpha, std_null, std_alt, alternative="larger")
    got = score_power(p1, n1, p2, n2, margin, scale=scale, alternative=alternative, alpha=alpha)
    assert got == pytest.approx(float(expected), abs=1e-6)


@pytest.mark.parametrize(("p_ref", "n_group", "n_ref"), [(0.85, 91, 209), (0.5, 400, 400)])
def test_min_gap_against_no_gap_matches_statsmodels(p_ref, n_group, n_ref):
    """With a tolerance of 0 the test is the classic two-proportion test: the smallest gap it
    shows with 80% power is statsmodels' (pooled variance), up to the test's N/(N - 1)."""
    alpha = 0.01

    def shortfall(d):
        r = power_proportions_2indep(
            d, p_ref - d, n_ref, ratio=n_group / n_ref, alpha=alpha, alternative="larger"
        )
        return float(r.power) - POWER

    expected = brentq(shortfall, 1e-6, p_ref - 1e-6)
    got = min_detectable_gap(p_ref, n_group, n_ref, 0.0, alpha=alpha)
    assert got == pytest.approx(expected, abs=0.002)
    assert got > expected  # the factor N / (N - 1) widens the null variance a little


def test_min_gap_closed_form_with_equal_variances():
    """Far from 0 and 1 with large groups, the smallest gap is the textbook
    ``t + (z_a + z_b) sqrt(p(1-p)(1/n1 + 1/n2))`` to within a point."""
    from scipy.stats import norm

    p, n, t, alpha = 0.5, 2000, 0.05, 0.025
    textbook = t + (norm.ppf(1 - alpha) + norm.ppf(POWER)) * math.sqrt(p * (1 - p) * 2 / n)
    got = min_detectable_gap(p, n, n, t, alpha=alpha)
    assert got == pytest.approx(textbook, abs=0.01)


def test_power_at_the_min_gap_is_the_stated_power_and_grows_with_the_gap():
    alpha = 0.05 / 7
    d = min_detectable_gap(0.847, 91, 209, 0.10, alpha=alpha)
    assert d is not None and 0.2 < d < 0.35
    at = score_power(0.847, 209, 0.847 - d, 91, 0.10, alpha=alpha)
    assert at == pytest.approx(POWER, abs=1e-6)
    assert score_power(0.847, 209, 0.847 - d - 0.02, 91, 0.10, alpha=alpha) > POWER
    # At the tolerance itself the power is the level, no more.
    assert score_power(0.847, 209, 0.747, 91, 0.10, alpha=alpha) < 2 * alpha
    # More people, a smaller gap; a lower level, a larger gap.
    assert min_detectable_gap(0.847, 910, 2090, 0.10, alpha=alpha) < d
    assert min_detectable_gap(0.847, 91, 209, 0.10, alpha=alpha / 10) > d


def test_min_gap_none_when_no_gap_the_rates_allow_is_enough():
    assert min_detectable_gap(0.05, 30, 30, 0.10) is None  # a 5% rate cannot fall 10 points
    assert min_detectable_gap(0.9, 30, 30, 1.0) is None  # a tolerance of 100 points (allowed)
    assert min_detectable_gap(0.3, 5, 5, 0.10) is None  # five people a side
    assert min_detectable_gap(0.0, 50, 50, 0.8, scale="ratio") is None
    higher = min_detectable_gap(0.2, 100, 100, 0.10, direction="higher")
    assert higher is not None and 0.1 < higher < 0.8


@pytest.mark.parametrize(
    ("kwargs", "word"),
    [
        ({"reference_rate": 1.5}, "reference_rate"),
        ({"n_group": 0}, "n_group"),
        ({"power": 1.0}, "power"),
        ({"scale": "log"}, "scale"),
        ({"direction": "sideways"}, "direction"),
        ({"scale": "ratio", "direction": "higher"}, "direction"),
        ({"scale": "ratio", "tolerance": 1.2}, "tolerance"),
        ({"tolerance": -0.1}, "tolerance"),
    ],
)
def test_min_gap_rejects_bad_arguments_by_name(kwargs, word):
    args = {"reference_rate": 0.8, "n_group": 50, "n_reference": 50, "tolerance": 0.1}
    if kwargs.get("scale") == "ratio" and "tolerance" not in kwargs:
        args["tolerance"] = 0.8
    args.update(kwargs)
    with pytest.raises(InputError, match=word):
        min_detectable_gap(**args)


def _reject_rate(p_ref, n_ref, p_group, n_group, margin, scale, alpha, draws, seed):
    """The share of ``draws`` samples in which the audit's margin test rejects at ``alpha``."""
    rng = np.random.default_rng(seed)
    k_ref = rng.binomial(n_ref, p_ref, draws)
    k_g = rng.binomial(n_group, p_group, draws)
    if scale == "ratio":  # H0: group / reference >= margin
        test = margin_test(k_g, n_group, k_ref, n_ref, margin, scale="ratio", alternative="less")
    else:  # H0: reference - group <= margin
        test = margin_test(k_ref, n_ref, k_g, n_group, margin, scale="diff")
    return float(np.mean(test.p_value < alpha))


@pytest.mark.parametrize("scale", ["diff", "ratio"])
def test_simulated_power_at_the_min_gap_is_the_stated_power(scale):
    """2,000 samples of the demo's gender comparison (91 women, 209 men, the men's approval
    rate 84.7%) drawn at the smallest detectable gap: the audit's test (the Miettinen-Nurminen
    score test, exact where counts are small) at the level of a family of 7 questions rejects
    in about 80% of them (three Monte Carlo standard errors, ±2.7 points)."""
    alpha, p_ref, n_ref, n_g = 0.05 / 7, 0.847, 209, 91
    tol = 0.10 if scale == "diff" else 0.80
    d = min_detectable_gap(p_ref, n_g, n_ref, tol, alpha=alpha, scale=scale)
    assert d is not None
    p_group = p_ref - d if scale == "diff" else d * p_ref
    draws = 2000
    rate = _reject_rate(p_ref, n_ref, p_group, n_g, tol, scale, alpha, draws, seed=31)
    se = math.sqrt(POWER * (1 - POWER) / draws)
    assert abs(rate - POWER) < 3 * se, rate


@pytest.mark.slow
def test_simulated_audits_fail_at_least_as_often_as_stated():
    """400 audits of two groups (the machinery: group metrics, the ground's family, Benjamini-
    Hochberg, the decision rule) drawn at the smallest gap the finding states: the approval-
    rate difference FAILs in at least about 80% of them (the level alpha / m is the least the
    family rejects at, so the stated power is a lower bound)."""
    rng = np.random.default_rng(5)
    policy = sa.Policy()
    groups = pd.Series(["f"] * 91 + ["m"] * 209, name="gender")
    # The finding states its smallest gap from a first sample at these rates.
    y = np.r_[rng.random(91) < 0.70, rng.random(209) < 0.85].astype(int)
    first = _parity(y, groups, policy)
    record = first.details["min_detectable_gap"]
    p_ref = record["reference_rate"]
    p_group = p_ref - record["value"]
    draws, fails = 400, 0
    for _ in range(draws):
        y = np.r_[rng.random(91) < p_group, rng.random(209) < p_ref].astype(int)
        fails += _parity(y, groups, policy).status is sa.Status.FAIL
    se = math.sqrt(POWER * (1 - POWER) / draws)
    assert fails / draws > POWER - 3 * se, fails / draws


def _parity(y, groups, policy):
    gm = sa.fairness.group_metrics(None, y, groups)
    found, _ = finalize([assess_table("gender", gm, policy, True)], policy)
    return next(f for f in found if f.check == "fairness.demographic_parity_difference")


def test_is_underpowered_at_twice_the_tolerance():
    assert UNDERPOWERED_FACTOR == 2.0
    assert is_underpowered(0.2001, 0.10, False) and not is_underpowered(0.1999, 0.10, False)
    assert is_underpowered(0.59, 0.80, True) and not is_underpowered(0.61, 0.80, True)
    assert is_underpowered(None, 0.10, False)


# --------------------------------------------------------------------------------------------
# The demo
# --------------------------------------------------------------------------------------------


def _finding(result, check, ground):
    return next(f for f in result.findings if f.check == check and f.ground == ground)


def test_demo_gender_gap_says_not_zero_and_the_smallest_gap_it_could_show(credit_demo):
    """The gender approval gap (14.4 points, clearly not zero, not shown beyond 10): its
    message says both, and the smallest gap the sample could show (28.4 points at 80% power,
    level 0.05 / 7)."""
    f = _finding(credit_demo, "fairness.demographic_parity_difference", "gender")
    assert f.status is sa.Status.WARN
    record = f.details["min_detectable_gap"]
    assert record["questions"] == f.details["family"]["questions"] == 7
    assert record["level"] == pytest.approx(0.05 / 7)
    assert record["power"] == POWER
    assert (record["group"], record["reference"]) == (f.worst_group, f.best_group)
    assert (record["group_size"], record["reference_size"]) == (91, 209)
    expected = min_detectable_gap(record["reference_rate"], 91, 209, 0.10, alpha=0.05 / 7)
    assert record["value"] == pytest.approx(expected)
    assert round(100 * record["value"], 1) == 28.4
    assert record["underpowered"] is True
    zh, en = f.message.zh, f.message.en
    assert "差距确实存在" in zh and "clearly not zero" in en
    assert (
        "只有当差距至少约 28.4 个百分点时，才有 80% 的把握判定其超出 10.0 个百分点的容许范围" in zh
    )
    assert "at least about 28.4 percentage points to be shown beyond the tolerance of 10.0" in en
    assert "单侧检验水平 0.00714" in zh and "one-sided level 0.00714" in en and "7 questions" in en
    ratio = _finding(credit_demo, "fairness.selection_rate_ratio", "gender")
    assert "0.59" in ratio.message.zh and "或更低" in ratio.message.zh


def test_a_failing_finding_records_but_does_not_say_its_smallest_gap():
    """A FAIL has shown the gap: the smallest gap is in its details, not in its message."""
    rng = np.random.default_rng(1)
    policy = sa.Policy()
    groups = pd.Series(["f"] * 400 + ["m"] * 600, name="gender")
    y = np.r_[rng.random(400) < 0.40, rng.random(600) < 0.85].astype(int)
    f = _parity(y, groups, policy)
    assert f.status is sa.Status.FAIL
    assert f.details["min_detectable_gap"]["value"] < 0.2
    assert "只有当差距至少约" not in f.message.zh and "would have to be" not in f.message.en


def test_demo_underpowered_grounds(credit_demo):
    """Gender and age are compared but could only show gaps far beyond the tolerance;
    nationality (13 people not foreign workers) could not be compared at all."""
    found = underpowered_grounds(credit_demo)
    by = {(u.ground, u.check): u for u in found}
    gender = by[("gender", "fairness.demographic_parity_difference")]
    assert gender.reason == "underpowered"
    assert gender.min_gap > UNDERPOWERED_FACTOR * gender.tolerance
    assert by[("nationality", "fairness.demographic_parity_difference")].reason == "too_few"
    assert by[("age", "fairness.demographic_parity_difference")].reason == "underpowered"
    # Every listed compared finding is one whose record says so, and no FAIL is listed.
    for u in found:
        f = _finding(credit_demo, u.check, u.ground)
        assert f.status is not sa.Status.FAIL
        if u.reason == "underpowered":
            assert f.details["min_detectable_gap"]["underpowered"] is True
    message = underpowered_message(credit_demo)
    assert message is not None
    zh, en = message.zh, message.en
    assert zh.index("性别") < zh.index("国籍") < zh.index("年龄")
    assert "28.4" in zh and "28.4" in en
    assert "另有 4 个属性组合" in zh and "4 intersections" in en
    assert "性别 × 年龄" not in zh  # intersections counted, not listed
    assert "性别 × 年龄" in underpowered_message(credit_demo, intersections=True).zh


def test_no_underpowered_grounds_with_a_large_sample():
    rng = np.random.default_rng(2)
    policy = sa.Policy()
    groups = pd.Series(["f"] * 5000 + ["m"] * 5000, name="gender")
    y = np.r_[rng.random(5000) < 0.80, rng.random(5000) < 0.82].astype(int)
    gm = sa.fairness.group_metrics(None, y, groups)
    found, _ = finalize([assess_table("gender", gm, policy, True)], policy)
    assert underpowered_grounds(found) == []
    assert underpowered_message(found) is None


def test_measured_records_what_its_verdict_details_give():
    """The hook the rate findings use: ``Measured.verdict_details`` sees the verdict (the
    family, the pair named) and its entries join the finding's details."""
    from szai_audit.core.findings import Finding
    from szai_audit.core.judging import Measured, normal_comparison
    from szai_audit.core.messages import Message

    c = normal_comparison("b", "a", 0.12, 0.05, threshold=0.1, direction="at_most", level=0.95)
    seen = []

    def details(verdict):
        seen.append(verdict)
        return {"questions_seen": verdict.family.size, "named": verdict.comparison.group}

    item = Measured(
        check="x.y",
        article="72(4)",
        ground="g",
        threshold=0.1,
        direction="at_most",
        comparisons=[c],
        message=lambda v: Message("", ""),
        verdict_details=details,
    )
    found, _ = finalize([], sa.Policy(), extra=[item])
    assert isinstance(found[0], Finding)
    assert found[0].details["questions_seen"] == 1 and found[0].details["named"] == "b"
    assert len(seen) == 1
