"""Recourse by group (issue 16, item 3): the share of the unfavourably decided who could be
approved within the allowed changes, and the median change they need, as Art. 72(2)(iv)
findings with intervals; their tests checked against statsmodels and a closed form."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats import proportion

import szai_audit as sa
from szai_audit.core.judging import finalize
from szai_audit.core.policy import Policy
from szai_audit.fairness.findings.recourse import recourse_findings
from szai_audit.fairness.recourse import (
    RecourseSample,
    by_group,
    cost_comparisons,
    share_comparisons,
)


def _rule(frame):
    """Approves an income above 5 without a default on record."""
    return ((frame["income"] > 5) & (frame["default"] == 0)).astype(int)


def _applicants(n=1600, seed=0, blocked_b=0.0):
    """Two groups with the same approval rate (70%): the refused of "a" are just below the
    income limit (4 to 5), those of "b" far below it (0 to 5); with ``blocked_b``, that share
    of b's refused have a default on record, which no change removes (immutable)."""
    rng = np.random.default_rng(seed)
    group = np.repeat(["a", "b"], n // 2)
    refused = rng.uniform(size=n) < 0.3
    income = np.where(
        refused,
        np.where(group == "a", rng.uniform(4, 5, n), rng.uniform(0, 5, n)),
        rng.uniform(5.01, 12, n),
    )
    default = ((group == "b") & refused & (rng.uniform(size=n) < blocked_b)).astype(int)
    data = pd.DataFrame({"income": income, "default": default, "tenure": rng.integers(0, 20, n)})
    return data, group


def _audit(data, group, **kw):
    model = sa.CallableModel(_rule)
    return sa.Audit(
        model=model,
        data=data,
        sensitive={"gender": group},
        recourse={"actionable": {"income": "increase"}, "immutable": ["default"]},
        verbose=False,
        explain=False,
        **kw,
    ).run(random_state=0)


def _finding(result, check):
    return next(f for f in result.findings if f.check == check and f.ground == "gender")


def test_equal_approval_but_unequal_change_needed_is_beyond_the_tolerance():
    """Same approval rate, but b's refused need about five times the change: the cost ratio
    (a's median over b's) is far below 0.8, FAIL; both groups' refused all have recourse."""
    data, group = _applicants()
    result = _audit(data, group)
    rates = pd.Series(_rule(data)).groupby(group).mean()
    assert abs(rates["a"] - rates["b"]) < 0.05  # the approval rates are about equal
    cost = _finding(result, "fairness.recourse_cost_ratio")
    assert cost.status is sa.Status.FAIL and cost.worst_group == "b"
    # The change needed is the distance to the limit over income's IQR: medians 0.5 and 2.5.
    iqr = np.subtract(*np.percentile(data["income"], [75, 25]))
    rows = {r["group"]: r for r in cost.details["by_group"]}
    assert rows["a"]["median_cost"] == pytest.approx(0.5 / iqr, rel=0.25)
    assert rows["b"]["median_cost"] == pytest.approx(2.5 / iqr, rel=0.25)
    assert cost.value == pytest.approx(rows["a"]["median_cost"] / rows["b"]["median_cost"])
    assert cost.ci[0] < cost.value < cost.ci[1] < 0.8
    share = _finding(result, "fairness.recourse_share")
    assert share.status is sa.Status.PASS and rows["a"]["share"] == rows["b"]["share"] == 1.0
    assert "beyond the tolerance this audit set" in cost.message.en
    assert "violation" not in cost.message.en.lower()


def test_refused_without_any_recourse_are_counted():
    """Half of b's refused carry a default on record, which no allowed change removes: b's
    share with recourse is about 50%, a's 100%: FAIL on the share."""
    data, group = _applicants(blocked_b=0.5)
    result = _audit(data, group)
    share = _finding(result, "fairness.recourse_share")
    assert share.status is sa.Status.FAIL and share.worst_group == "b"
    rows = {r["group"]: r for r in share.details["by_group"]}
    refused_b = (_rule(data) == 0) & (group == "b")
    blocked = (data["default"] == 1) & refused_b
    assert rows["b"]["with_recourse"] == int(refused_b.sum() - blocked.sum())
    assert share.value == pytest.approx(1 - rows["b"]["share"])
    assert share.details["changeable"] == {"income": "increase"}


def test_a_fair_model_passes_both():
    rng = np.random.default_rng(4)
    n = 3000
    data = pd.DataFrame({"income": rng.uniform(0, 12, n), "default": 0})
    group = rng.choice(["a", "b"], n)
    result = _audit(data, group)
    for check in ("fairness.recourse_share", "fairness.recourse_cost_ratio"):
        assert _finding(result, check).status is sa.Status.PASS, _finding(result, check).message.en


def test_the_share_test_is_statsmodels_wald_test():
    """H0: p_ref - p_group <= tolerance; the same one-sided z-test as statsmodels'
    test_proportions_2indep(method="wald")."""
    table = pd.DataFrame(
        {"refused": [400, 300], "with_recourse": [360, 222]}, index=["a", "b"]
    ).assign(share=lambda t: t["with_recourse"] / t["refused"])
    (c,) = share_comparisons(table, "a", threshold=0.1, level=0.95)
    ref = proportion.test_proportions_2indep(
        360, 400, 222, 300, value=0.1, method="wald", compare="diff", alternative="larger"
    )
    assert c.value == pytest.approx(0.9 - 0.74)
    assert c.p_beyond == pytest.approx(ref.pvalue, rel=1e-9)
    se = math.sqrt(0.9 * 0.1 / 400 + 0.74 * 0.26 / 300)
    assert c.ci == pytest.approx((c.value - 1.959964 * se, c.value + 1.959964 * se), rel=1e-5)


def test_the_cost_ratio_standard_error_matches_its_closed_form():
    """Exponential costs: the median's log has asymptotic standard error 1 / (ln 2 sqrt n),
    so the log ratio's is sqrt(1/n_a + 1/n_b) / ln 2; the bootstrap agrees within 10%."""
    rng = np.random.default_rng(1)
    n_a, n_b = 1500, 1000
    costs = np.r_[rng.exponential(1.0, n_a), rng.exponential(1.5, n_b)]
    groups = np.array(["a"] * n_a + ["b"] * n_b, dtype=object)
    table = by_group(costs, groups)
    (c,) = cost_comparisons(
        costs, groups, table, "a", threshold=0.8, level=0.95, n_bootstrap=2000, random_state=0
    )
    expected = math.sqrt(1 / n_a + 1 / n_b) / math.log(2)
    assert c.se == pytest.approx(expected, rel=0.1)
    assert c.value == pytest.approx(np.median(costs[:n_a]) / np.median(costs[n_a:]))
    assert c.value == pytest.approx(1 / 1.5, rel=0.12)


def test_small_groups_are_insufficient_data_and_say_their_counts():
    costs = np.r_[np.ones(40), np.ones(10)]
    groups = np.array(["a"] * 40 + ["b"] * 10, dtype=object)
    sample = RecourseSample(np.arange(50), costs, {"x": "any"}, 50)
    found, _ = finalize([], Policy(), recourse_findings("gender", sample, groups, Policy()))
    assert {f.status for f in found} == {sa.Status.INSUFFICIENT_DATA}
    assert all("“b” 10" in f.message.en for f in found)


def test_same_seed_same_findings_and_not_assessed_reasons():
    data, group = _applicants(n=800)
    a, b = _audit(data, group), _audit(data, group)
    pick = [(f.check, f.status, f.value, f.ci) for f in a.findings if "recourse" in f.check]
    assert pick == [(f.check, f.status, f.value, f.ci) for f in b.findings if "recourse" in f.check]
    off = sa.Audit(
        model=sa.CallableModel(_rule), data=data, sensitive={"gender": group}, recourse=False,
        verbose=False, explain=False,
    ).run()  # fmt: skip
    mine = [f for f in off.findings if "recourse" in f.check]
    assert len(mine) == 2 and all(f.status is sa.Status.NOT_ASSESSED for f in mine)
    given = sa.Audit(y_pred=_rule(data), sensitive={"gender": group}, verbose=False).run()
    assert all(
        f.status is sa.Status.NOT_ASSESSED and "no model" in f.message.en
        for f in given.findings
        if "recourse" in f.check
    )


@pytest.mark.parametrize(
    ("recourse", "error", "match"),
    [
        ("yes", sa.errors.InputTypeError, "recourse must be"),
        ({"actionable": {"nope": "any"}}, sa.errors.ColumnNotFoundError, "nope"),
        ({"mutable": []}, sa.errors.InputError, "unknown keys"),
        ({"immutable": "default"}, sa.errors.InputTypeError, "list of columns"),
    ],
)
def test_bad_recourse_settings_are_named(recourse, error, match):
    data, group = _applicants(n=200)
    with pytest.raises(error, match=match):
        sa.Audit(
            model=sa.CallableModel(_rule), data=data, sensitive={"gender": group},
            recourse=recourse,
        ).run()  # fmt: skip


def test_the_grounds_proxies_never_change():
    """tenure predicts the group perfectly here: a proxy, so recourse may not change it even
    when every other input may change (the default)."""
    data, group = _applicants(n=1200)
    data = data.assign(tenure=np.where(group == "a", 1, 15))
    result = sa.Audit(
        model=sa.CallableModel(_rule),
        data=data,
        sensitive={"gender": group},
        verbose=False,
        explain=False,
    ).run()
    share = _finding(result, "fairness.recourse_share")
    assert "tenure" not in share.details["changeable"]
    assert set(share.details["changeable"]) == {"income", "default"}


def test_the_change_in_the_numbers_own_unit_and_every_number_in_the_json():
    """With one number allowed to change, the cost finding also gives the medians in its unit
    (distance to the income limit: about 2.5 and 0.5); every number a message shows is in
    the JSON result, in Chinese and English alike (the rule of tests/test_messages.py)."""
    from test_messages import _check

    data, group = _applicants()
    result = _audit(data, group, feature_labels={"income": ("月收入", "monthly income", "千元/k")})
    cost = _finding(result, "fairness.recourse_cost_ratio")
    (row,) = [r for r in cost.details["comparisons"] if r["group"] == "b"]
    assert row["median_change"] == pytest.approx(2.5, rel=0.25)
    assert row["reference_median_change"] == pytest.approx(0.5, rel=0.25)
    assert f"{row['median_change']:.2f} 千元" in cost.message.zh
    assert f"{row['median_change']:.2f} k" in cost.message.en
    assert _check(result) > 10


def test_a_persons_recourse_follows_the_audits_settings_unless_given():
    """explain_person uses Audit(recourse=...)'s actionable and immutable by default, the
    same changes the recourse findings allowed; given ones replace them."""
    data, group = _applicants(n=600)
    result = _audit(data, group)
    assert result.recourse_options == {
        "actionable": {"income": "increase"},
        "immutable": ["default"],
    }
    refused = data.index[_rule(data) == 0][:10]
    people = result.explain_people(refused)
    assert all(p.changeable == ("income",) for p in people)
    assert any(p.recourse for p in people)
    assert all(
        c.column == "income" and c.after > c.before
        for p in people
        for o in p.recourse
        for c in o.changes
    )
    freer = result.explain_person(refused[0], actionable={"tenure": "any"})
    assert freer.changeable == ("tenure",)


def test_recourse_findings_show_the_group_labels():
    """The recourse sentences quote their groups as arguments: with value labels every group
    is shown by its label, in the body as in the verdict, never by its raw value."""
    data, group = _applicants(blocked_b=0.5)
    labels = {"gender": {"a": ("甲组", "group A"), "b": ("乙组", "group B")}}
    result = _audit(data, group, value_labels=labels)
    for check in ("fairness.recourse_share", "fairness.recourse_cost_ratio"):
        m = _finding(result, check).message
        assert "“group B”" in m.en and "“乙组”" in m.zh, m.en
        assert "“b”" not in m.en and "“a”" not in m.en and "“b”" not in m.zh, m.en
