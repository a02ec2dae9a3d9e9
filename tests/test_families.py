"""Issue 28: decisions a submitter cannot move. One question, one test (families per ground,
a pair asked once, one test per gap whatever the number of estimators, never-FAIL checks
apart); intervals that say what the test says; no FAIL without comparable rows; zero is zero;
a WARN whose gap is clearly not zero says so; the selected pair is named as selected."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import szai_audit as sa
from szai_audit import Status
from szai_audit.core.judging import (
    Family,
    Measured,
    MeasuredTwice,
    both_ways,
    finalize,
    normal_comparison,
    verdict_tail,
)
from szai_audit.core.stats import benjamini_hochberg

pytestmark = pytest.mark.usefixtures("one_thread")

CONDITIONAL = "fairness.conditional_gap"


def _silent(_verdict):
    return sa.Message("", "")


def _twice(first, second, se=0.02, t=0.1, extra=None, unsupported=()):
    """A gap after legitimate factors of group b against a, read both ways: the stratified
    estimates ``first`` and the regression ones ``second`` (values, harmful above ``t``)."""

    def both(values):
        cs = [
            normal_comparison(
                "b", "a", float(v), se, threshold=t, direction="at_most", level=0.95, extra=extra
            )
            for v in values
        ]
        return both_ways(cs, threshold=t, direction="at_most", level=0.95)

    return MeasuredTwice(
        check=CONDITIONAL,
        article="72(4)",
        ground="g",
        threshold=t,
        direction="at_most",
        comparisons=both(first),
        second=both(second),
        unsupported=unsupported,
        message=_silent,
    )


# --------------------------------------------------------------------------------------------
# Item 1: the family. A synthetic mortgage log: denials by race given payment-to-income.
# --------------------------------------------------------------------------------------------


def _mortgage(seed: int = 3, k_noise: int = 0, second_ground: bool = False) -> pd.DataFrame:
    """600 white and 150 black applicants; the approval rate falls with payment-to-income
    (PTI), and black applicants are approved 17 points less often at the same PTI."""
    rng = np.random.default_rng(seed)
    race = np.array(["white"] * 600 + ["black"] * 150)
    pti = rng.choice([0.2, 0.3, 0.4, 0.5], race.size)
    p = 0.95 - 0.6 * pti - 0.17 * (race == "black")
    frame = pd.DataFrame({"race": race, "pti": pti})
    frame["approved"] = (rng.uniform(size=race.size) < p).astype(int)
    noise = np.random.default_rng(seed + 100)
    for j in range(k_noise):
        frame[f"noise_{j}"] = noise.normal(size=race.size)
    if second_ground:
        frame["region"] = noise.choice(["north", "south", "east"], race.size)
    return frame


def _race_decisions(frame: pd.DataFrame, policy: sa.Policy) -> dict[str, tuple]:
    sensitive = {"race": "race", **({"region": "region"} if "region" in frame else {})}
    result = sa.Audit(
        y_pred="approved",
        data=frame,
        sensitive=sensitive,
        legitimate_factors=["pti"],
        explain=False,
        policy=policy,
    ).run(random_state=0)
    return {
        f.check: (f.status, f.worst_group, f.best_group, f.p_value, f.ci)
        for f in result.findings
        if f.ground == "race" and f.check != "fairness.proxy"
    }


def test_noise_columns_and_a_second_ground_never_move_a_decision(fast_policy):
    """The race FAIL after PTI stays FAIL, with the same adjusted p-value and interval, when
    k = 2 or 8 columns of noise join ``data=`` or an unrelated ground is audited too."""
    policy = fast_policy()
    base = _race_decisions(_mortgage(), policy)
    assert base[CONDITIONAL][0] is Status.FAIL
    for variant in (_mortgage(k_noise=2), _mortgage(k_noise=8), _mortgage(second_ground=True)):
        assert _race_decisions(variant, policy) == base


def _family(items, policy=None):
    findings, _ = finalize([], policy or sa.Policy(), items)
    return findings


def _pair(value, se, *, ground="g", informative=False, mirror=True, threshold=0.1):
    c = normal_comparison("b", "a", value, se, threshold=threshold, direction="at_most", level=0.95)
    comparisons = both_ways([c], threshold=threshold, direction="at_most", level=0.95)
    return Measured(
        check="x",
        article="72(4)",
        ground=ground,
        threshold=threshold,
        direction="at_most",
        comparisons=comparisons if mirror else [c],
        message=_silent,
        informative=informative,
    )


def test_a_pair_read_both_ways_is_one_question():
    """The mirrored direction (p near 1 by construction) is not a second member: a pair read
    both ways has the adjusted p-value of the pair read one way."""
    both = _family([_pair(0.16, 0.025), _pair(0.0, 0.05)])
    one_way = _family([_pair(0.16, 0.025, mirror=False), _pair(0.0, 0.05, mirror=False)])
    assert both[0].p_value == pytest.approx(one_way[0].p_value)
    assert both[0].details["family"]["questions"] == 2
    rows = both[0].details["comparisons"]
    assert [r["tested"] for r in rows] == [True, False]  # the direction that points is tested


def test_informative_checks_and_other_grounds_are_other_families():
    """Adding a never-FAIL check or another ground's questions leaves a decision's adjusted
    p-value where it was; adding a decisive question on the same ground moves it."""
    alone = _family([_pair(0.16, 0.025)])[0]
    p_raw = alone.details["p_value_raw"]
    assert alone.p_value == pytest.approx(p_raw)  # one question: nothing to adjust
    crowd = [_pair(0.0, 0.05, informative=True) for _ in range(6)]
    crowd += [_pair(0.0, 0.05, ground="other") for _ in range(6)]
    assert _family([_pair(0.16, 0.025), *crowd])[0].p_value == pytest.approx(p_raw)
    same_ground = _family([_pair(0.16, 0.025), _pair(0.0, 0.05)])[0]
    assert (
        same_ground.p_value
        == pytest.approx(
            benjamini_hochberg(np.array([p_raw, same_ground.details["p_value_raw"] * 0 + 1.0]))[0]
        )
        or same_ground.p_value > p_raw
    )


def test_two_estimators_of_one_gap_are_one_question_the_larger_p():
    """The intersection-union test: the pair's p-value is the larger of the two estimators',
    and the family counts the pair once."""
    twice = _twice([0.17], [0.15])
    beyond, _ = twice.p_values()
    p_strat = stats.norm.sf((0.17 - 0.1) / 0.02)
    p_reg = stats.norm.sf((0.15 - 0.1) / 0.02)
    assert beyond == [pytest.approx(max(p_strat, p_reg))]
    (finding,) = _family([twice])
    assert finding.status is Status.FAIL
    assert finding.details["family"]["questions"] == 1


def test_the_level_at_the_margin_stays_at_most_five_percent():
    """Simulation: a true gap exactly at the tolerance, the pair read both ways (and measured
    by two correlated estimators): the share of FAIL stays at most 5% (plus three Monte Carlo
    standard errors); with the gap inside the tolerance it is smaller."""
    rng = np.random.default_rng(0)
    sims, se, t = 4000, 0.03, 0.10
    bound = 0.05 + 3 * math.sqrt(0.05 * 0.95 / sims)
    for true_gap, limit in ((t, bound), (0.05, 0.01)):
        z = rng.normal(size=(sims, 2))
        first = true_gap + se * z[:, 0]
        second = true_gap + se * (0.8 * z[:, 0] + 0.6 * z[:, 1])
        fails_once = fails_twice = 0
        for a, b in zip(first, second, strict=True):
            fails_once += _family([_pair(float(a), se)])[0].status is Status.FAIL
            twice = _twice([a], [b], se=se, t=t)
            fails_twice += _family([twice])[0].status is Status.FAIL
        assert fails_once / sims <= limit, (true_gap, fails_once / sims)
        assert fails_twice / sims <= limit, (true_gap, fails_twice / sims)


# --------------------------------------------------------------------------------------------
# Item 2: the interval says what the test says
# --------------------------------------------------------------------------------------------


def test_the_interval_is_at_the_level_of_the_adjusted_test():
    """m questions, R rejected: a FAIL's interval is at 1 - 2 max(R, 1) alpha / m and lies
    wholly beyond the tolerance; a PASS's is at ``confidence_level`` and lies within; a WARN's
    is the wider of the two and reaches across the edge."""
    values = (0.17, 0.16, 0.13, 0.05, 0.0)
    found = _family([_pair(v, 0.025) for v in values])
    raw = [f.details["p_value_raw"] for f in found]
    rejected = int((benjamini_hochberg(np.array(raw)) < 0.05).sum())
    assert rejected == 2
    level = 1 - 2 * rejected * 0.05 / len(values)
    assert Family("g", False, len(values), rejected, 0.05).level == pytest.approx(level)
    statuses = []
    for f, v in zip(found, values, strict=True):
        shown = {Status.FAIL: level, Status.PASS: 0.95, Status.WARN: max(level, 0.95)}[f.status]
        z = stats.norm.ppf(1 - (1 - shown) / 2)
        assert f.ci == pytest.approx((v - z * 0.025, v + z * 0.025))
        assert f.details["ci_level"] == pytest.approx(shown)
        assert (f.status is Status.FAIL) == (f.ci[0] > 0.1)
        assert (f.status is Status.PASS) == (f.ci[1] <= 0.1)
        statuses.append(f.status)
    assert statuses == [Status.FAIL, Status.FAIL, Status.WARN, Status.PASS, Status.PASS]


def test_a_warn_never_calls_an_interval_wholly_beyond_inconclusive(credit_demo, pricing_demo):
    """On both demos: every FAIL's interval lies wholly beyond its tolerance, every PASS's
    within, and no WARN says "inconclusive" of an interval wholly beyond; adjusted p-values
    come with the unadjusted one."""
    seen = 0
    for result in (credit_demo, pricing_demo):
        for f in result.findings:
            if not f.details.get("ci_adjusted") or f.ci is None or f.threshold is None:
                continue
            seen += 1
            rows = f.details["comparisons"]
            direction = "at_least" if f.check in _AT_LEAST else "at_most"
            lo, hi = f.ci
            beyond = hi < f.threshold if direction == "at_least" else lo > f.threshold
            if f.status is Status.FAIL:
                assert beyond, f
            if f.status is Status.WARN and beyond:
                assert "inconclusive" not in f.message.en, f
            if f.check != "fairness.proxy" and "adjusted p" in f.message.en:
                assert "unadjusted p" in f.message.en, f
            assert all("ci_level" in r for r in rows)
    assert seen >= 5


_AT_LEAST = {
    "fairness.selection_rate_ratio",
    "fairness.mean_prediction_ratio",
    "fairness.mae_ratio",
    "fairness.mean_prediction_trend",
}


# --------------------------------------------------------------------------------------------
# Item 3: no FAIL without comparable rows
# --------------------------------------------------------------------------------------------


def _premium_book(seed: int = 5) -> pd.DataFrame:
    """Region A sells only through channel "agent", region B only through "online": no
    stratum is shared, and B pays 12.6% more than A."""
    rng = np.random.default_rng(seed)
    region = np.array(["A"] * 800 + ["B"] * 800)
    channel = np.where(region == "A", "agent", "online")
    age = rng.integers(20, 70, region.size)
    premium = np.exp(6 + 0.01 * age + np.log(1.126) * (region == "B") + rng.normal(0, 0.1, 1600))
    return pd.DataFrame({"region": region, "channel": channel, "age": age, "premium": premium})


def test_a_regression_gap_without_shared_strata_cannot_fail():
    book = _premium_book()
    result = sa.Audit(
        y_pred=book["premium"].to_numpy(),
        data=book[["region", "channel"]],
        task="pricing",
        sensitive={"region": "region"},
        legitimate_factors=["channel"],
        explain=False,
    ).run(random_state=0)
    cond = next(
        f for f in result.findings if f.check == "pricing.conditional_gap" and f.ground == "region"
    )
    assert cond.status is Status.WARN
    assert cond.details["extrapolated"]
    assert "extrapolation" in cond.message.en and "外推" in cond.message.zh
    assert "for orders alike in the legitimate factors" not in cond.message.en
    rows = cond.details["comparisons"]
    assert all(r["coverage"] == 0 for r in rows)


def test_a_regression_alone_beyond_the_tolerance_is_warn_with_its_coverage():
    coverage = {"coverage": 0.0, "covered": 0, "reference_covered": 0}
    twice = _twice([], [0.3], se=0.01, extra=coverage, unsupported=("b",))
    assert twice.p_values() == ([], [])  # not a question of the family
    (finding,) = _family([twice])
    assert finding.status is Status.WARN and finding.details["extrapolated"]


# --------------------------------------------------------------------------------------------
# Item 6: zero is zero
# --------------------------------------------------------------------------------------------


def test_constant_decisions_along_a_numeric_ground_have_no_gap():
    rng = np.random.default_rng(1)
    age = rng.integers(18, 80, 600)
    result = sa.Audit(y_pred=np.ones(600, dtype=int), sensitive={"age": age}, explain=False).run()
    trend = next(f for f in result.findings if f.check == "fairness.trend")
    assert trend.status is Status.PASS
    assert not trend.details["gap_not_zero"]
    assert "not zero" not in trend.message.en and "与零有" not in trend.message.zh


def test_a_numerically_zero_gap_is_not_tested_against_zero():
    c = normal_comparison("b", "a", -4e-16, 2.6e-17, threshold=0.1, direction="at_most", level=0.95)
    assert c.value == 0.0 and c.p_zero is None and c.ci == (0.0, 0.0)


# --------------------------------------------------------------------------------------------
# Item 7: a WARN whose gap is clearly non-zero says so
# --------------------------------------------------------------------------------------------


def test_a_warn_with_a_clear_gap_says_the_gap_exists():
    """A 12.7-point gap, se 2.6 points: clearly not zero (p about 1e-6), its interval across
    the 10-point tolerance: WARN, and the message says there is a gap."""
    pair = _pair(0.127, 0.026)
    pair.message = verdict_tail
    (f,) = _family([pair])
    assert f.status is Status.WARN
    assert "clearly not zero" in f.message.en and "差距确实存在" in f.message.zh
    assert "unadjusted p" in f.message.en


# --------------------------------------------------------------------------------------------
# Item 8: the selected pair
# --------------------------------------------------------------------------------------------


def test_the_extreme_pair_of_many_groups_is_named_as_selected():
    """40 groups of 40 people, no true gap: the finding names its pair as the extremes picked
    after seeing the data, and says the interval does not account for that choice."""
    rng = np.random.default_rng(4)
    group = np.repeat([f"g{i:02d}" for i in range(40)], 40)
    y = rng.binomial(1, 0.5, group.size)
    result = sa.Audit(y_pred=y, sensitive={"region": group}, explain=False).run()
    parity = next(f for f in result.findings if f.check == "fairness.demographic_parity_difference")
    assert parity.details["selected_of"] == 40
    assert "extremes of the 40 groups" in parity.message.en
    assert "40 个组中的两端" in parity.message.zh
    assert parity.status is not Status.FAIL


# --------------------------------------------------------------------------------------------
# Item 10: words that count right
# --------------------------------------------------------------------------------------------


def test_a_chosen_reference_counts_each_pair_once_and_names_itself():
    """With a chosen reference and four other groups, the message counts four groups, not
    eight; "(chosen by the audit)" follows the reference, also when it is the group worse off."""
    counts = {"ref": (100, 400), "a": (150, 400), "b": (160, 400), "c": (155, 400), "d": (150, 400)}
    group, y = [], []
    for g, (k, n) in counts.items():
        group += [g] * n
        y += [1] * k + [0] * (n - k)
    result = sa.Audit(
        y_pred=np.array(y), sensitive={"region": np.array(group)}, reference={"region": "ref"}
    ).run()
    parity = next(f for f in result.findings if f.check == "fairness.demographic_parity_difference")
    assert parity.worst_group == "ref"  # the reference is the group worse off
    assert "Of the 4 groups" in parity.message.en and "共有 4 个组" in parity.message.zh
    en = parity.message.en
    assert "the reference group “ref” (chosen by the audit)" in en
    assert "“b” (chosen by the audit)" not in en


def test_page_one_never_lists_a_warn_under_the_fail_badge(credit_demo, pricing_demo):
    """A page-1 statement carries the FAIL badge only when a finding it stands for is FAIL,
    and never a badge more serious than its findings' worst."""
    from szai_audit.report.conclusion import statements

    for result in (credit_demo, pricing_demo):
        status = {f"{f.check}@{f.ground or ''}": f.status for f in result.findings}
        status |= {f.check: f.status for f in result.findings if not f.ground}
        for block in statements(result):
            for s in block["statements"]:
                found = [status[k] for k in s.checks if k in status]
                if not found:
                    continue
                worst = min(found, key=lambda x: x.severity)
                assert s.status is worst, (s.status, s.checks, found)
