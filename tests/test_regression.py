"""Numeric outputs (task="regression"): metrics, tests, findings, report."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps
from sklearn.linear_model import Ridge

import szai_audit as sa
from szai_audit import Status
from szai_audit.fairness.regression import regression_metrics, welch_test

SCHEMA = json.loads((Path(__file__).parents[1] / "docs" / "report.schema.json").read_text())


def _by_ground(result, ground):
    return {f.check: f for f in result.findings if f.ground == ground}


@pytest.fixture(scope="module")
def limits():
    """Credit limits: group b is under-predicted by 1,500 on a mean of about 20,000."""
    rng = np.random.default_rng(0)
    n = 4000
    group = rng.choice(["a", "b"], n)
    income = rng.normal(50, 10, n)
    actual = 400 * income + rng.normal(0, 2000, n)
    predicted = actual + rng.normal(0, 1500, n) - 1500 * (group == "b")
    return pd.DataFrame({"income": income, "group": group}), actual, predicted


def test_metrics_equal_pandas(limits):
    data, actual, predicted = limits
    rm = regression_metrics(actual, predicted, data["group"])
    frame = pd.DataFrame({"g": data["group"], "p": predicted, "t": actual})
    frame["r"] = frame["p"] - frame["t"]
    by = frame.groupby("g")
    np.testing.assert_allclose(rm.by_group["mean_prediction"], by["p"].mean(), rtol=1e-12)
    np.testing.assert_allclose(rm.by_group["mean_residual"], by["r"].mean(), rtol=1e-9)
    np.testing.assert_allclose(rm.by_group["mae"], by["r"].apply(lambda s: s.abs().mean()))
    np.testing.assert_allclose(rm.se()["mean_prediction"], by["p"].sem(), rtol=1e-9)
    assert rm.overall["mean_outcome"] == pytest.approx(actual.mean())
    assert rm.difference()["mean_residual"] == pytest.approx(
        by["r"].mean().max() - by["r"].mean().min()
    )


def test_welch_equals_scipy():
    rng = np.random.default_rng(1)
    a, b = rng.normal(0, 1, 40), rng.normal(0.5, 2, 70)
    t, p = welch_test(a.mean(), a.var(ddof=1), len(a), b.mean(), b.var(ddof=1), len(b))
    ref = sps.ttest_ind(a, b, equal_var=False)
    assert t == pytest.approx(ref.statistic) and p == pytest.approx(ref.pvalue)


def test_under_prediction_fails(limits):
    data, actual, predicted = limits
    result = sa.Audit(
        y_pred=predicted,
        y_true=actual,
        data=data[["income"]],
        task="regression",
        sensitive={"race": data["group"]},
    ).run()
    f = _by_ground(result, "race")
    bias = f["fairness.mean_residual_difference"]
    assert bias.status is Status.FAIL and bias.worst_group == "b"
    assert bias.value == pytest.approx(1500 / actual.mean(), rel=0.15)
    assert f["fairness.mae_ratio"].status in (Status.FAIL, Status.WARN, Status.PASS)
    # Lower is favourable (a premium): the over-predicted group is the one worse off.
    premium = sa.Audit(
        y_pred=predicted,
        y_true=actual,
        task="regression",
        favorable_direction="lower",
        sensitive={"race": data["group"]},
    ).run()
    assert _by_ground(premium, "race")["fairness.mean_residual_difference"].worst_group == "a"
    html = result.to_html(lang="en")
    assert "Mean prediction" in html and "Mean error" in html
    jsonschema.validate(result.to_dict(), SCHEMA)


def test_equal_predictions_pass_and_no_outcomes_not_assessed(limits):
    data, actual, _ = limits
    result = sa.Audit(y_pred=actual, task="regression", sensitive={"race": data["group"]}).run()
    f = _by_ground(result, "race")
    assert f["fairness.mean_prediction_ratio"].status is Status.PASS
    assert f["fairness.mean_residual_difference"].status is Status.NOT_ASSESSED
    assert f["fairness.mae_ratio"].status is Status.NOT_ASSESSED


def test_mean_prediction_gap_fails():
    rng = np.random.default_rng(2)
    group = rng.choice(["a", "b"], 3000)
    pred = np.where(group == "a", 10_000, 8_000) + rng.normal(0, 500, 3000)
    f = _by_ground(
        sa.Audit(y_pred=pred, task="regression", sensitive={"gender": group}).run(), "gender"
    )["fairness.mean_prediction_ratio"]
    assert f.status is Status.FAIL and f.worst_group == "b"
    assert f.value == pytest.approx(0.8, abs=0.01)
    assert f.ci[0] < f.value < f.ci[1]


def test_model_and_flip_on_numeric_outputs():
    rng = np.random.default_rng(3)
    n = 2000
    X = pd.DataFrame({"income": rng.normal(50, 10, n), "is_male": rng.integers(0, 2, n)})
    y = 400 * X["income"] + 3000 * X["is_male"] + rng.normal(0, 1000, n)
    model = Ridge().fit(X, y)
    result = sa.Audit(
        model=model, data=X, y_true=y, task="regression", sensitive={"gender": "is_male"}
    ).run()
    flip = _by_ground(result, "gender")["fairness.counterfactual_flip"]
    assert flip.status is Status.FAIL and flip.value == 1.0  # every prediction moves
    pairs = result.fairness.flips["gender"].pairs.set_index(["from_group", "to_group"])
    assert pairs.loc[("0", "1"), "mean_score_change"] == pytest.approx(model.coef_[1], rel=1e-9)
    assert pairs.loc[("0", "1"), "to_favourable"] == 1.0


def test_regression_errors():
    with pytest.raises(
        sa.errors.PredictionError, match=r"y_pred holds text \(e.g. 'a'\), not numbers"
    ):
        sa.Audit(y_pred=["a", "b"], task="regression", sensitive={"race": ["x", "y"]}).run()
    with pytest.raises(sa.errors.TargetError, match="missing or infinite"):
        sa.Audit(
            y_pred=[1.0, 2.0],
            y_true=[1.0, np.nan],
            task="regression",
            sensitive={"race": ["x", "y"]},
        ).run()
    with pytest.raises(sa.errors.InputError, match="favorable_direction"):
        sa.Audit(
            y_pred=[1.0, 2.0],
            task="regression",
            favorable_direction="up",
            sensitive={"race": ["x", "y"]},
        ).run()


def test_variances_are_exact_at_large_magnitudes():
    rng = np.random.default_rng(4)
    g = rng.choice(["a", "b"], 2000)
    actual = 1e7 + rng.normal(0, 1, 2000)
    pred = actual + rng.normal(0, 1, 2000)
    rm = regression_metrics(actual, pred, g)
    frame = pd.DataFrame({"g": g, "p": pred, "r": pred - actual})
    np.testing.assert_allclose(
        rm.variances()["mean_prediction"], frame.groupby("g")["p"].var(), rtol=1e-6
    )
    np.testing.assert_allclose(
        rm.variances()["mean_residual"], frame.groupby("g")["r"].var(), rtol=1e-9
    )
    pooled = rm._pooled()
    assert pooled["m2_pred"].iloc[0] / 1999 == pytest.approx(frame["p"].var(), rel=1e-6)


def test_a_one_person_group_does_not_poison_the_audit():
    rng = np.random.default_rng(5)
    g = np.array(["a"] * 200 + ["b"] * 200 + ["c"])
    actual = rng.normal(100, 5, 401)
    pred = actual - 20 * (g == "b") + rng.normal(0, 1, 401)
    result = sa.Audit(
        y_pred=pred,
        y_true=actual,
        task="regression",
        sensitive={"race": g},
        policy=sa.Policy(min_group_size=1),
    ).run()
    bias = _by_ground(result, "race")["fairness.mean_residual_difference"]
    assert bias.status is Status.FAIL and np.isfinite(bias.p_value)
    assert welch_test(1.0, np.nan, 1, 2.0, 1.0, 50) == (pytest.approx(np.nan, nan_ok=True), 1.0)
