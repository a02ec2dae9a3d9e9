"""Score metrics by group: AUC (against sklearn), DeLong errors, calibration, CMH, findings."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

import szai_audit as sa
from szai_audit import Status
from szai_audit.fairness.scores import auc_with_se, score_metrics


def test_auc_equals_sklearn_with_ties():
    rng = np.random.default_rng(0)
    for _ in range(20):
        n = int(rng.integers(20, 400))
        y = rng.integers(0, 2, n)
        s = np.round(rng.random(n) + 0.3 * y, 1)  # rounding makes ties
        auc, se = auc_with_se(y, s)
        assert auc == pytest.approx(roc_auc_score(y, s), abs=1e-12)
        assert se > 0
    assert np.isnan(auc_with_se(np.ones(5), np.arange(5.0))[0])


@pytest.mark.slow
def test_delong_standard_error_matches_the_bootstrap():
    rng = np.random.default_rng(1)
    n = 1500
    y = rng.integers(0, 2, n)
    s = rng.normal(size=n) + 0.8 * y
    _, se = auc_with_se(y, s)
    boots = []
    for _ in range(600):
        i = rng.integers(0, n, n)
        boots.append(roc_auc_score(y[i], s[i]))
    assert se == pytest.approx(np.std(boots, ddof=1), rel=0.1)


def test_calibration_offset_and_positive_rate():
    rng = np.random.default_rng(2)
    n = 4000
    g = np.where(rng.random(n) < 0.5, "a", "b")
    s = rng.random(n)
    y = rng.random(n) < np.clip(s + np.where(g == "b", 0.15, 0.0), 0, 1)
    sm = score_metrics(y, s, g, threshold=0.6)
    for grp in ("a", "b"):
        m = g == grp
        assert sm.by_group.loc[grp, "calibration_offset"] == pytest.approx(
            y[m].mean() - s[m].mean()
        )
        assert sm.by_group.loc[grp, "positive_rate_at_threshold"] == pytest.approx(
            (s[m] >= 0.6).mean()
        )
    assert (
        sm.by_group.loc["b", "calibration_offset"]
        > 0.1
        > abs(sm.by_group.loc["a", "calibration_offset"])
    )
    cal = sm.calibration
    assert cal.groupby("group")["count"].sum().to_dict() == {
        "a": (g == "a").sum(),
        "b": (g == "b").sum(),
    }


def _by_ground(result, ground):
    return {f.check: f for f in result.findings if f.ground == ground}


def test_score_findings_fail_on_planted_gaps():
    rng = np.random.default_rng(3)
    n = 6000
    g = np.where(rng.random(n) < 0.5, "a", "b")
    truth = rng.random(n)
    y = (rng.random(n) < truth).astype(int)
    # For group b the score is half noise (lower AUC) and understates outcomes by 15 points.
    s = np.where(g == "a", truth, np.clip(0.5 * truth + 0.5 * rng.random(n) - 0.15, 0, 1))
    result = sa.Audit(y_score=s, y_true=y, sensitive={"race": g}).run()
    f = _by_ground(result, "race")
    auc = f["fairness.auc_difference"]
    assert auc.status is Status.FAIL and auc.worst_group == "b"
    sm = result.fairness.score_metrics["race"]
    assert auc.value == pytest.approx(sm.by_group.loc["a", "auc"] - sm.by_group.loc["b", "auc"])
    cal = f["fairness.calibration_difference"]
    assert cal.status is Status.FAIL and cal.worst_group == "b"  # under-scored, 1 favourable
    assert cal.value > 0.1
    # Calibration rows follow the groups' order, then the bins.
    order = list(pd.unique(sm.calibration["group"]))
    assert order == list(sm.by_group.index)
    assert sm.calibration.groupby("group")["bin"].apply(lambda b: b.is_monotonic_increasing).all()
    # The test is on the same quantity as the value and its interval.
    assert (cal.ci[0] > 0) == (cal.details["p_value_raw"] < 0.05)
    # With 1 = high risk (favourable 0), the over-scored group is the one worse off.
    risk = sa.Audit(y_score=s, y_true=y, favorable_label=0, sensitive={"race": g}).run()
    assert _by_ground(risk, "race")["fairness.calibration_difference"].worst_group == "a"


def test_score_findings_pass_when_calibrated_and_equal():
    rng = np.random.default_rng(4)
    n = 6000
    g = np.where(rng.random(n) < 0.5, "a", "b")
    s = rng.random(n)
    y = (rng.random(n) < s).astype(int)
    f = _by_ground(sa.Audit(y_score=s, y_true=y, sensitive={"race": g}).run(), "race")
    assert f["fairness.auc_difference"].status is Status.PASS
    assert f["fairness.calibration_difference"].status is Status.PASS


def test_score_checks_not_assessed_without_scores_or_outcomes():
    g = np.array(["a", "b"] * 100)
    y = np.tile([0, 1, 1, 0], 50)
    no_scores = _by_ground(sa.Audit(y_pred=y, y_true=y, sensitive={"race": g}).run(), "race")
    assert no_scores["fairness.auc_difference"].status is Status.NOT_ASSESSED
    no_outcomes = _by_ground(
        sa.Audit(y_score=np.linspace(0, 1, 200), sensitive={"race": g}).run(), "race"
    )
    assert no_outcomes["fairness.calibration_difference"].status is Status.NOT_ASSESSED
    assert "No actual outcomes" in no_outcomes["fairness.calibration_difference"].message.en
    margins = _by_ground(
        sa.Audit(y_pred=y, y_score=np.linspace(-2, 2, 200), y_true=y, sensitive={"race": g}).run(),
        "race",
    )
    assert margins["fairness.calibration_difference"].status is Status.NOT_ASSESSED
    assert margins["fairness.auc_difference"].status in (Status.PASS, Status.WARN, Status.FAIL)


def test_calibration_rows_follow_the_group_order():
    """The table of (group, bin) rows comes in the groups' order (first appearance here), not
    in the alphabetical order of their names."""
    rng = np.random.default_rng(2)
    g = np.where(np.arange(400) < 200, "z", "a")
    s = rng.random(400)
    sm = score_metrics(rng.random(400) < s, s, g)
    assert list(sm.by_group.index) == ["z", "a"]
    assert list(pd.unique(sm.calibration["group"])) == ["z", "a"]


def test_calibration_says_it_measures_a_mean_offset():
    """The calibration check compares each group's observed outcome rate minus its mean score
    (a mean offset over the group), not outcomes at the same score: its title and message say
    what it measures, and that it does not compare people at the same score."""
    from szai_audit.core.checks import get

    title = get("fairness.calibration_difference").title
    assert "same score" not in title.en and "同分" not in title.zh
    assert "mean score" in title.en and "平均评分" in title.zh
    rng = np.random.default_rng(3)
    n = 4000
    g = np.where(rng.random(n) < 0.5, "a", "b")
    s = rng.random(n)
    y = (rng.random(n) < np.clip(s + np.where(g == "b", 0.1, 0.0), 0, 1)).astype(int)
    cal = _by_ground(sa.Audit(y_score=s, y_true=y, sensitive={"race": g}).run(), "race")[
        "fairness.calibration_difference"
    ]
    assert cal.status in (Status.PASS, Status.WARN, Status.FAIL)
    assert "at the same score" not in cal.message.en and "相同评分下" not in cal.message.zh
    assert "mean score" in cal.message.en and "平均评分" in cal.message.zh
    assert "not people with the same score" in cal.message.en
    assert "并非比较评分相同的人" in cal.message.zh
