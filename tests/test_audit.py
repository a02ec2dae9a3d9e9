"""The Audit API: model families, predictions-only audits, grounds, bins, labels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC

import szai_audit as sa
from szai_audit import Status

# The models' threads change no result: one thread (conftest.one_thread; n_jobs=1 for the
# boosters, whose own setting it is).
pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.fixture(scope="module")
def numeric_case():
    """A numeric design matrix, outcomes, and sensitive columns kept apart from the inputs."""
    rng = np.random.default_rng(0)
    n = 1_200
    X = pd.DataFrame({"x1": rng.normal(size=n), "x2": rng.normal(size=n), "x3": rng.normal(size=n)})
    sex = np.where(rng.random(n) < 0.5, "female", "male")
    # The outcome depends on x1, and x1 is shifted by sex: a model reproduces the gap.
    X["x1"] += np.where(sex == "male", 0.6, 0.0)
    y = (X["x1"] + 0.5 * X["x2"] + rng.normal(scale=0.8, size=n) > 0.3).astype(int)
    sens = pd.DataFrame({"sex": sex, "age": rng.integers(18, 80, n)})
    return X, y, sens


def _by_ground(result, ground):
    return {f.check: f for f in result.findings if f.ground == ground}


def _selection_rates(y_pred, groups):
    return pd.Series(np.asarray(y_pred) == 1).groupby(np.asarray(groups)).mean()


def test_sklearn_model_decisions_match_manual_computation(numeric_case):
    X, y, sens = numeric_case
    model = LogisticRegression().fit(X, y)
    result = sa.Audit(model=model, data=X, y_true=y, sensitive={"gender": sens["sex"]}).run()
    y_pred = model.predict(X)
    rates = _selection_rates(y_pred, sens["sex"])
    f = _by_ground(result, "gender")
    assert f["fairness.demographic_parity_difference"].value == pytest.approx(
        rates.max() - rates.min(), abs=1e-12
    )
    assert f["fairness.selection_rate_ratio"].value == pytest.approx(
        rates.min() / rates.max(), abs=1e-12
    )
    assert f["fairness.selection_rate_ratio"].worst_group == rates.idxmin() == "female"
    # Scores are predict_proba of the positive class.
    gm = result.fairness.group_metrics["gender"]
    proba = model.predict_proba(X)[:, 1]
    assert gm.by_group.loc["female", "mean_score"] == pytest.approx(
        proba[sens["sex"].to_numpy() == "female"].mean()
    )


def test_pipeline_with_column_transformer(german_result, german_split, german_pipeline):
    _, X_test, _, _y_test = german_split
    y_pred = german_pipeline.predict(X_test)
    rates = _selection_rates(y_pred, X_test["sex"])
    f = _by_ground(german_result, "gender")["fairness.demographic_parity_difference"]
    assert f.value == pytest.approx(rates.max() - rates.min(), abs=1e-12)
    assert german_result.scope.mode == "model"
    assert german_result.manifest["model"]["class"] == "sklearn.pipeline.Pipeline"


def test_decision_function_model(numeric_case):
    X, y, sens = numeric_case
    model = LinearSVC().fit(X, y)
    result = sa.Audit(model=model, data=X, y_true=y, sensitive={"gender": sens["sex"]}).run()
    gm = result.fairness.group_metrics["gender"]
    assert gm.has_scores
    dec = model.decision_function(X)
    assert gm.overall["mean_score"] == pytest.approx(dec.mean())


def test_lightgbm_sklearn_and_booster(numeric_case):
    lgb = pytest.importorskip("lightgbm")
    X, y, sens = numeric_case
    clf = lgb.LGBMClassifier(n_estimators=20, verbose=-1, n_jobs=1).fit(X, y)
    r1 = sa.Audit(model=clf, data=X, y_true=y, sensitive={"gender": sens["sex"]}).run()
    expected = _selection_rates(clf.predict(X), sens["sex"])
    assert r1.fairness.group_metrics["gender"].by_group[
        "selection_rate"
    ].to_numpy() == pytest.approx(expected.to_numpy())
    booster = clf.booster_
    r2 = sa.Audit(model=booster, data=X, y_true=y, sensitive={"gender": sens["sex"]}).run()
    proba = booster.predict(X)
    expected2 = _selection_rates((proba >= 0.5).astype(int), sens["sex"])
    assert r2.fairness.group_metrics["gender"].by_group[
        "selection_rate"
    ].to_numpy() == pytest.approx(expected2.to_numpy())
    assert r2.scope.decision_rule.startswith("score >= 0.5")
    assert r2.manifest["model"]["adapter"] == "lightgbm-booster"


def test_xgboost_sklearn_and_booster(numeric_case):
    xgb = pytest.importorskip("xgboost")
    X, y, sens = numeric_case
    clf = xgb.XGBClassifier(n_estimators=20, max_depth=3, n_jobs=1).fit(X, y)
    r1 = sa.Audit(model=clf, data=X, y_true=y, sensitive={"gender": sens["sex"]}).run()
    expected = _selection_rates(clf.predict(X), sens["sex"])
    assert r1.fairness.group_metrics["gender"].by_group[
        "selection_rate"
    ].to_numpy() == pytest.approx(expected.to_numpy())
    booster = clf.get_booster()
    r2 = sa.Audit(
        model=booster, data=X, y_true=y, sensitive={"gender": sens["sex"]}, threshold=0.4
    ).run()
    proba = booster.predict(xgb.DMatrix(X))
    expected2 = _selection_rates((proba >= 0.4).astype(int), sens["sex"])
    assert r2.fairness.group_metrics["gender"].by_group[
        "selection_rate"
    ].to_numpy() == pytest.approx(expected2.to_numpy())


def test_plain_callable_and_score_callable(numeric_case, fast_policy):
    X, y, sens = numeric_case
    # A callable is explained by calling it (permutations of 2,000 rows at the default policy);
    # the rates asserted here do not depend on the explanation's sample: 200 rows.
    policy = fast_policy(explain_sample_size=200, explain_background_size=20)
    kw = {"y_true": y, "sensitive": {"gender": sens["sex"]}, "policy": policy}
    rule = lambda frame: (frame["x1"] > 0.3).astype(int).to_numpy()  # noqa: E731
    r1 = sa.Audit(model=rule, data=X, **kw).run()
    expected = _selection_rates(rule(X), sens["sex"])
    assert r1.fairness.group_metrics["gender"].by_group[
        "selection_rate"
    ].to_numpy() == pytest.approx(expected.to_numpy())
    score = sa.CallableModel(
        lambda f: 1 / (1 + np.exp(-f["x1"].to_numpy())), output="score", threshold=0.6
    )
    r2 = sa.Audit(model=score, data=X, **kw).run()
    p = 1 / (1 + np.exp(-X["x1"].to_numpy()))
    expected2 = _selection_rates((p >= 0.6).astype(int), sens["sex"])
    assert r2.fairness.group_metrics["gender"].by_group[
        "selection_rate"
    ].to_numpy() == pytest.approx(expected2.to_numpy())
    assert r2.fairness.group_metrics["gender"].has_scores


def test_predictions_only_equals_model_audit(numeric_case):
    X, y, sens = numeric_case
    model = RandomForestClassifier(n_estimators=10, random_state=0).fit(X, y)
    with_model = sa.Audit(model=model, data=X, y_true=y, sensitive={"gender": sens["sex"]}).run()
    preds_only = sa.Audit(
        y_pred=model.predict(X),
        y_score=model.predict_proba(X)[:, 1],
        y_true=y,
        sensitive={"gender": sens["sex"]},
    ).run()
    assert preds_only.scope.mode == "predictions"
    pd.testing.assert_frame_equal(
        with_model.fairness.group_metrics["gender"].by_group,
        preds_only.fairness.group_metrics["gender"].by_group,
    )
    # The same verdicts on every check both can run; only the model audit can flip inputs.
    model_only = {
        "fairness.counterfactual_flip",
        "fairness.proxy",
        "explanation.produced",
        "fairness.attribution_share",
        "fairness.recourse_share",
        "fairness.recourse_cost_ratio",
    }
    assert [f.status for f in with_model.findings if f.check not in model_only] == [
        f.status for f in preds_only.findings if f.check not in model_only
    ]


def test_scores_only_thresholded(numeric_case):
    _, y, sens = numeric_case
    score = np.linspace(0, 1, len(y))
    result = sa.Audit(
        y_score=score, y_true=y, sensitive={"gender": sens["sex"]}, threshold=0.25
    ).run()
    expected = _selection_rates((score >= 0.25).astype(int), sens["sex"])
    assert result.fairness.group_metrics["gender"].by_group[
        "selection_rate"
    ].to_numpy() == pytest.approx(expected.to_numpy())


def test_without_outcomes_outcome_checks_not_assessed(numeric_case):
    X, y, sens = numeric_case
    model = LogisticRegression().fit(X, y)
    result = sa.Audit(model=model, data=X, sensitive={"gender": sens["sex"]}).run()
    f = _by_ground(result, "gender")
    assert f["fairness.true_positive_rate_difference"].status is Status.NOT_ASSESSED
    assert f["fairness.false_positive_rate_difference"].status is Status.NOT_ASSESSED
    assert "No actual outcomes" in f["fairness.true_positive_rate_difference"].message.en
    assert f["fairness.selection_rate_ratio"].status in (Status.PASS, Status.WARN, Status.FAIL)
    assert f["fairness.demographic_parity_difference"].value is not None


def test_favorable_label_zero_flips_who_is_worse_off():
    """In a risk score (1 = high risk), the group flagged more often is the one worse off."""
    rng = np.random.default_rng(3)
    n = 2_000
    group = np.where(rng.random(n) < 0.5, "A", "B")
    y_true = rng.integers(0, 2, n)
    # Group B is flagged high-risk (1) more often, including when it is actually low-risk.
    flag_p = np.where(group == "B", 0.6, 0.3)
    y_pred = (rng.random(n) < flag_p).astype(int)
    risk = sa.Audit(
        y_pred=y_pred, y_true=y_true, favorable_label=0, sensitive={"race": group}
    ).run()
    f = _by_ground(risk, "race")
    assert risk.scope.positive_label == 1 and risk.scope.favorable_label == 0
    for check in (
        "fairness.selection_rate_ratio",
        "fairness.demographic_parity_difference",
        "fairness.false_positive_rate_difference",
    ):
        assert f[check].worst_group == "B", check
        assert f[check].status is Status.FAIL
    # The ratio is on favourable (label 0) rates: min/max of P(pred == 0).
    fav = pd.Series(y_pred == 0).groupby(group).mean()
    assert f["fairness.selection_rate_ratio"].value == pytest.approx(fav.min() / fav.max())
    # With favourable = 1 the same data make A the worse-off group.
    benefit = sa.Audit(
        y_pred=y_pred, y_true=y_true, favorable_label=1, sensitive={"race": group}
    ).run()
    assert _by_ground(benefit, "race")["fairness.demographic_parity_difference"].worst_group == "A"


def test_string_labels_and_favorable_label():
    y_true = np.array(["approve", "deny"] * 50)
    y_pred = np.array(["approve"] * 60 + ["deny"] * 40)
    group = np.array(["x"] * 50 + ["y"] * 50)
    result = sa.Audit(
        y_pred=y_pred, y_true=y_true, favorable_label="approve", sensitive={"gender": group}
    ).run()
    assert result.scope.positive_label == "approve"
    gm = result.fairness.group_metrics["gender"]
    assert gm.by_group["selection_rate"].tolist() == [1.0, 0.2]


def test_sensitive_from_separate_frame_array_and_data(numeric_case):
    X, y, sens = numeric_case
    model = LogisticRegression().fit(X, y)
    base = sa.Audit(model=model, data=X, y_true=y, sensitive={"gender": sens["sex"]}).run()
    from_frame = sa.Audit(
        model=model, data=X, y_true=y, sensitive={"gender": "sex"}, sensitive_data=sens
    ).run()
    from_array = sa.Audit(
        model=model, data=X, y_true=y, sensitive={"gender": sens["sex"].to_numpy()}
    ).run()
    for other in (from_frame, from_array):
        pd.testing.assert_frame_equal(
            base.fairness.group_metrics["gender"].by_group,
            other.fairness.group_metrics["gender"].by_group,
        )
    assert from_frame.sensitive[0].source == "sensitive_data"
    assert from_frame.sensitive[0].column == "sex"
    assert from_array.sensitive[0].source == "array"


def test_sex_alias_and_user_named_grounds(numeric_case):
    X, y, sens = numeric_case
    result = sa.Audit(
        y_pred=y,
        data=X,
        sensitive={"sex": sens["sex"], "caste": sens["sex"].map({"female": "p", "male": "q"})},
    ).run()
    grounds = [s.ground for s in result.sensitive]
    assert grounds == ["gender", "caste"]
    not_provided = {f.ground for f in result.findings if f.check == "fairness.ground_not_provided"}
    assert not_provided == {"race", "nationality", "ethnicity", "religion"}
    for f in result.findings:
        if f.check == "fairness.ground_not_provided":
            assert f.status is Status.NOT_ASSESSED
            assert sa.core.grounds.ground_label(f.ground).zh in f.message.zh


def test_age_is_binned_with_reported_bins(numeric_case):
    X, y, sens = numeric_case
    auto = sa.Audit(y_pred=y, y_true=y, data=X, sensitive={"age": sens["age"]}).run()
    info = auto.sensitive[0]
    assert info.binning is not None and info.binning.method == "quantile"
    assert len(info.binning.labels) == 4
    assert list(info.groups) == list(info.binning.labels)
    counts = auto.fairness.group_metrics["age"].by_group["count"]
    edges = info.binning.edges
    assert counts.iloc[0] == int((sens["age"] < edges[0]).sum())
    assert counts.iloc[-1] == int((sens["age"] >= edges[-1]).sum())
    explicit = sa.Audit(
        y_pred=y, y_true=y, data=X, sensitive={"age": sens["age"]}, bins={"age": [30, 50]}
    ).run()
    assert explicit.sensitive[0].binning.labels == ("<30", "30–49", "≥50")
    assert explicit.fairness.group_metrics["age"].by_group["count"].tolist() == [
        int((sens["age"] < 30).sum()),
        int(((sens["age"] >= 30) & (sens["age"] < 50)).sum()),
        int((sens["age"] >= 50).sum()),
    ]
    assert explicit.to_dict()["sensitive_attributes"][0]["binning"]["edges"] == [30.0, 50.0]


def test_small_groups_are_insufficient_data_not_pass_or_fail():
    n_big, n_small = 200, 12
    group = np.array(["big_a"] * n_big + ["big_b"] * n_big + ["tiny"] * n_small)
    y_pred = np.array([1] * n_big + [1] * n_big + [0] * n_small)
    result = sa.Audit(y_pred=y_pred, sensitive={"nationality": group}).run()
    f = _by_ground(result, "nationality")["fairness.selection_rate_ratio"]
    # "tiny" would fail badly, but it is too small to compare: the two big groups pass.
    assert f.status is Status.PASS
    assert f.details["suppressed"] == {"tiny": 12}
    only_small = sa.Audit(
        y_pred=y_pred, sensitive={"nationality": group}, policy=sa.Policy(min_group_size=250)
    ).run()
    g = _by_ground(only_small, "nationality")["fairness.selection_rate_ratio"]
    assert g.status is Status.INSUFFICIENT_DATA
    assert "250" in g.message.en and "250" in g.message.zh
    # Withheld in the JSON as well.
    rows = only_small.to_dict()["group_metrics"]["nationality"]["groups"]
    assert all(r["selection_rate"] is None and r["suppressed"] for r in rows)


def test_policy_thresholds_change_the_status(numeric_case):
    X, y, sens = numeric_case
    model = LogisticRegression().fit(X, y)
    strict = sa.Audit(
        model=model,
        data=X,
        y_true=y,
        sensitive={"gender": sens["sex"]},
        policy=sa.Policy(demographic_parity_max=0.0),
    ).run()
    lax = sa.Audit(
        model=model,
        data=X,
        y_true=y,
        sensitive={"gender": sens["sex"]},
        policy=sa.Policy(demographic_parity_max=1.0),
    ).run()
    s = _by_ground(strict, "gender")["fairness.demographic_parity_difference"]
    lx = _by_ground(lax, "gender")["fairness.demographic_parity_difference"]
    assert s.value == lx.value > 0
    assert s.status is Status.FAIL and lx.status is Status.PASS
    assert s.threshold == 0.0 and lx.threshold == 1.0


def test_missing_sensitive_values_form_a_group_not_compared():
    group = np.array(["a"] * 100 + ["b"] * 100 + [None] * 40, dtype=object)
    y_pred = np.array([1] * 100 + [1] * 100 + [0] * 40)
    result = sa.Audit(y_pred=y_pred, sensitive={"gender": group}).run()
    assert result.sensitive[0].n_missing == 40
    assert "(missing)" in result.fairness.group_metrics["gender"].by_group.index
    f = _by_ground(result, "gender")["fairness.selection_rate_ratio"]
    assert f.status is Status.PASS and f.value == 1.0


def test_intersection_is_computed(german_result, german_split):
    _, X_test, _, _ = german_split
    inter = german_result.fairness.intersection
    assert inter is not None
    assert inter.sensitive_names == ["gender", "nationality", "age"]
    assert inter.by_group["count"].sum() == len(X_test)


@pytest.mark.slow
def test_same_inputs_same_result(numeric_case, fast_policy):
    X, y, sens = numeric_case
    model = LogisticRegression().fit(X, y)
    audit = sa.Audit(
        model=model,
        data=X,
        y_true=y,
        sensitive={"gender": sens["sex"], "age": sens["age"]},
        policy=fast_policy(),  # the same seed, the same result, at any number of resamples
    )
    a, b = audit.run(random_state=7), audit.run(random_state=7)
    assert a.content_sha256 == b.content_sha256
    assert a.to_json() != "" and a.to_dict()["content_sha256"] == b.to_dict()["content_sha256"]
    c = audit.run(random_state=8)
    assert c.content_sha256 != a.content_sha256  # the seed is part of the recorded content


@pytest.mark.slow
def test_inputs_are_never_mutated(german_split, german_pipeline, fast_policy):
    _, X_test, _, y_test = german_split
    X_copy, y_copy = X_test.copy(deep=True), y_test.copy(deep=True)
    extra = pd.DataFrame(
        {"region": np.where(np.arange(len(X_test)) % 3 == 0, "north", "south")}, index=X_test.index
    )
    extra_copy = extra.copy(deep=True)
    audit = sa.Audit(
        model=german_pipeline,
        data=X_test,
        y_true=y_test,
        sensitive={"gender": "sex", "age": "age", "region": "region"},
        sensitive_data=extra,
        policy=fast_policy(),  # what the audit writes to its inputs does not depend on it
    )
    audit.run()
    pd.testing.assert_frame_equal(X_test, X_copy)
    pd.testing.assert_series_equal(y_test, y_copy)
    pd.testing.assert_frame_equal(extra, extra_copy)
    assert audit.data is X_test  # __init__ stores, it does not copy or convert


def test_result_contract(german_result):
    """The names DESIGN.md promises: findings is a list of Finding with these fields."""
    assert isinstance(german_result.findings, list)
    f = german_result.findings[0]
    assert isinstance(f, sa.Finding)
    for field in ("check", "article", "status", "value", "threshold", "ci", "p_value", "message"):
        assert hasattr(f, field), field
    assert f.article == "72(4)" and isinstance(f.status, Status)
    assert f.message.zh and f.message.en


def test_equal_rates_name_no_worst_group():
    group = np.array(["a"] * 50 + ["b"] * 50 + ["c"] * 50)
    result = sa.Audit(
        y_pred=np.ones(150, int), y_true=np.ones(150, int), sensitive={"race": group}
    ).run()
    passed = [f for f in result.findings if f.ground == "race" and f.status is Status.PASS]
    assert len(passed) == 3  # ratio, parity and TPR; FPR has no actual negatives
    for f in passed:
        assert f.worst_group is None and f.best_group is None
        assert f.value in (0.0, 1.0)
        assert "same" in f.message.en and "相同" in f.message.zh
        assert "“a”, “b” and “c”" in f.message.en and "100.0%" in f.message.en


def test_threshold_is_met_exactly_despite_rounding_error():
    """32/100 ÷ 40/100 is 0.7999999999999999 in floating point; 0.8 - 0.7 is 0.10000000000000009.
    A gap exactly at the tolerance is not shown beyond it (one-sided p 0.5), and its interval
    reaches past it: WARN, never FAIL."""
    group = np.array(["a"] * 100 + ["b"] * 100)
    y_pred = np.r_[np.ones(32), np.zeros(68), np.ones(40), np.zeros(60)].astype(int)
    f = _by_ground(sa.Audit(y_pred=y_pred, sensitive={"race": group}).run(), "race")
    ratio = f["fairness.selection_rate_ratio"]
    assert ratio.value == pytest.approx(0.8)
    assert ratio.status is Status.WARN and ratio.details["p_value_raw"] == pytest.approx(0.5)
    y_pred = np.r_[np.ones(80), np.zeros(20), np.ones(70), np.zeros(30)].astype(int)
    f = _by_ground(sa.Audit(y_pred=y_pred, sensitive={"race": group}).run(), "race")
    parity = f["fairness.demographic_parity_difference"]
    assert parity.value == pytest.approx(0.1)
    assert parity.status is Status.WARN and parity.details["p_value_raw"] == pytest.approx(0.5)
    # Just beyond the tolerance: 11 points on 100 people each is not significant (WARN).
    y_pred = np.r_[np.ones(81), np.zeros(19), np.ones(70), np.zeros(30)].astype(int)
    f = _by_ground(sa.Audit(y_pred=y_pred, sensitive={"race": group}).run(), "race")
    assert f["fairness.demographic_parity_difference"].status is Status.WARN


def test_policy_threshold_is_named_in_messages():
    group = np.array(["a"] * 1000 + ["b"] * 1000)
    y_pred = np.r_[np.ones(850), np.zeros(150), np.ones(1000)].astype(int)
    result = sa.Audit(
        y_pred=y_pred, sensitive={"race": group}, policy=sa.Policy(selection_rate_ratio_min=0.9)
    ).run()
    f = _by_ground(result, "race")["fairness.selection_rate_ratio"]
    assert f.status is Status.FAIL and f.value == pytest.approx(0.85)
    assert "the tolerance is at least 0.90" in f.message.en and "容许下限为 0.90" in f.message.zh
    assert "four-fifths" not in f.message.en


def test_init_only_stores():
    # Invalid settings do not raise until run(): __init__ does no work.
    audit = sa.Audit(model="not a model", data=None, task="astrology", threshold=7)
    assert audit.task == "astrology" and audit.threshold == 7
    with pytest.raises(sa.SzaiAuditError):
        audit.run()


def test_boolean_and_float_labels_agree_everywhere():
    """favorable_label=True (or 1.0) with bool (or 0/1) labels: findings, chart and method agree."""
    rng = np.random.default_rng(4)
    n = 400
    group = np.where(rng.random(n) < 0.5, "f", "m")
    y_pred = rng.random(n) < np.where(group == "f", 0.2, 0.6)
    for labels, fav in ((y_pred, True), (y_pred.astype(float), 1.0)):
        result = sa.Audit(y_pred=labels, sensitive={"gender": group}, favorable_label=fav).run()
        assert result.scope.favorable_is_positive
        f = _by_ground(result, "gender")["fairness.selection_rate_ratio"]
        f_rate = float(np.mean(y_pred[group == "f"]))
        assert f.details["rates"]["f"] == pytest.approx(f_rate)
        html = result.to_html(lang="en")
        assert f"{100 * f_rate:.1f}%" in html  # the chart's bar label and the table
        assert "is the unfavourable decision" not in html


def test_grounds_named_in_chinese_or_capitalised():
    group = np.array(["a", "b"] * 100)
    result = sa.Audit(
        y_pred=np.tile([1, 0, 0, 1], 50),
        sensitive={"性别": group, "Ethnicity": group[::-1].copy(), "民族宗教": group},
    ).run()
    assert [s.ground for s in result.sensitive] == ["gender", "ethnicity", "民族宗教"]
    missing = {f.ground for f in result.findings if f.check == "fairness.ground_not_provided"}
    assert missing == {"race", "nationality", "religion"}
    with pytest.raises(sa.errors.SensitiveAttributeError, match="same ground"):
        sa.Audit(y_pred=np.ones(200, int), sensitive={"性别": group, "gender": group}).run()


@pytest.mark.slow
def test_content_hash_is_the_same_in_two_processes():
    """Model parameters holding functions (a FunctionTransformer's lambda) are described
    without their memory address."""
    import subprocess
    import sys

    code = (
        "import numpy as np, pandas as pd, szai_audit as sa\n"
        "from sklearn.pipeline import make_pipeline\n"
        "from sklearn.preprocessing import FunctionTransformer\n"
        "from sklearn.linear_model import LogisticRegression\n"
        "X = pd.DataFrame({'x': np.arange(200.0)}); y = (X['x'] > 90).astype(int)\n"
        "m = make_pipeline(FunctionTransformer(lambda a: a / 100), LogisticRegression())\n"
        "m.fit(X, y)\n"
        "g = np.array(['a', 'b'] * 100)\n"
        "print(sa.Audit(model=m, data=X, y_true=y, sensitive={'race': g}).run().content_sha256)\n"
    )
    # The two processes run side by side (each spends most of its time importing and compiling).
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    outputs = [run.communicate() for run in runs]
    assert [run.returncode for run in runs] == [0, 0], [err for _, err in outputs]
    hashes = {out.strip() for out, _ in outputs}
    assert len(hashes) == 1 and len(next(iter(hashes))) == 64


def test_int64_with_missing_keeps_integer_labels():
    s = pd.Series([1, 2, None] * 40, dtype="Int64")
    result = sa.Audit(y_pred=np.tile([1, 0, 1], 40), sensitive={"region": s}).run()
    assert result.sensitive[0].groups == ("1", "2", "(missing)")


def test_binning_when_one_value_dominates():
    rng = np.random.default_rng(0)
    x = np.where(rng.random(1000) < 0.9, 0, rng.integers(1, 12, 1000))
    result = sa.Audit(y_pred=rng.integers(0, 2, 1000), sensitive={"disability": x}).run()
    info = result.sensitive[0]
    assert info.binning is not None and len(info.binning.labels) >= 2
    assert result.fairness.group_metrics["disability"].by_group["count"].sum() == 1000
