"""Proxies and the counterfactual flip test."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import mutual_info_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

import szai_audit as sa
from szai_audit import Status
from szai_audit.fairness.proxies import find_proxies


def _by_ground(result, ground):
    return {f.check: f for f in result.findings if f.ground == ground}


@pytest.fixture(scope="module")
def planted():
    """Ethnicity is not an input, but a district code encodes it 85% of the time."""
    rng = np.random.default_rng(0)
    n = 3000
    ethnicity = rng.choice(["han", "hui", "uyghur"], n, p=[0.6, 0.25, 0.15])
    home = {"han": "d1", "hui": "d2", "uyghur": "d3"}
    district = np.where(
        rng.random(n) < 0.85, [home[e] for e in ethnicity], rng.choice(["d1", "d2", "d3", "d4"], n)
    )
    X = pd.DataFrame(
        {
            "income": rng.normal(size=n) + 0.2 * (ethnicity == "han"),
            "district": district,
            "noise_num": rng.normal(size=n),
            "noise_cat": rng.choice(list("abcdef"), n),
        }
    )
    return X, ethnicity


def test_planted_proxy_is_ranked_first(planted):
    X, ethnicity = planted
    report = find_proxies(X, ethnicity, random_state=0)
    table = report.features
    assert table.index[0] == "district"
    assert table.loc["district", "auc"] > 0.85
    for noise in ("noise_num", "noise_cat"):
        assert 0.4 < table.loc[noise, "auc"] < 0.6
        assert table.loc[noise, "mutual_information"] < 0.01
    assert report.all_features_auc > 0.85
    # Three groups: the interval rests on the mean of the one-vs-rest DeLong errors.
    assert report.n_classes == 3
    assert table.loc["district", "auc_low"] < table.loc["district", "auc"]
    assert table.loc["district", "auc_low"] > 0.85


def test_mutual_information_equals_sklearn(planted):
    X, ethnicity = planted
    report = find_proxies(X, ethnicity, all_features=False)
    expected = mutual_info_score(ethnicity, X["district"]) / np.log(2)
    assert report.features.loc["district", "mutual_information"] == pytest.approx(expected)
    h = -sum(p * np.log2(p) for p in pd.Series(ethnicity).value_counts(normalize=True))
    assert report.features.loc["district", "normalized_mi"] == pytest.approx(expected / h)


def test_binary_attribute_auc_and_sampling():
    rng = np.random.default_rng(1)
    n = 5000
    sex = rng.choice(["f", "m"], n)
    X = pd.DataFrame({"title": np.where(sex == "f", "Ms", "Mr"), "x": rng.normal(size=n)})
    report = find_proxies(X, sex, max_rows=1000, all_features=False)
    assert report.n_rows == 1000
    assert report.features.loc["title", "auc"] == 1.0
    assert report.features.loc["title", "auc_low"] > 0.99
    assert report.features.loc["x", "auc_low"] < 0.5


def test_proxy_finding_warns_and_passes(planted):
    X, ethnicity = planted
    y_pred = (X["income"] > 0).astype(int)
    result = sa.Audit(y_pred=y_pred, data=X, sensitive={"ethnicity": ethnicity}).run()
    f = _by_ground(result, "ethnicity")["fairness.proxy"]
    assert f.status is Status.WARN and f.details["top_feature"] == "district"
    assert "district" in f.message.en and "district" in f.message.zh
    clean = X[["noise_num", "noise_cat"]]
    result = sa.Audit(y_pred=y_pred, data=clean, sensitive={"ethnicity": ethnicity}).run()
    f = _by_ground(result, "ethnicity")["fairness.proxy"]
    assert f.status is Status.PASS
    no_data = sa.Audit(y_pred=y_pred, sensitive={"ethnicity": ethnicity}).run()
    assert _by_ground(no_data, "ethnicity")["fairness.proxy"].status is Status.NOT_ASSESSED


@pytest.fixture(scope="module")
def lending():
    rng = np.random.default_rng(2)
    n = 2000
    X = pd.DataFrame(
        {
            "income": rng.normal(size=n),
            "sex": rng.choice(["female", "male"], n),
            "age": rng.integers(20, 70, n),
        }
    )
    y = (X["income"] + 0.8 * (X["sex"] == "male") + rng.normal(scale=0.5, size=n)) > 0.4
    return X, y.astype(int)


def _pipe(columns):
    categorical = [c for c in columns if c == "sex"]
    numeric = [c for c in columns if c != "sex"]
    return Pipeline(
        [
            (
                "enc",
                ColumnTransformer(
                    [("cat", OneHotEncoder(), categorical), ("num", "passthrough", numeric)]
                ),
            ),
            ("lr", LogisticRegression()),
        ]
    )


def test_flip_test_detects_direct_use(lending):
    X, y = lending
    X_before = X.copy(deep=True)
    uses_sex = _pipe(["income", "sex", "age"]).fit(X, y)
    result = sa.Audit(model=uses_sex, data=X, y_true=y, sensitive={"gender": "sex"}).run()
    f = _by_ground(result, "gender")["fairness.counterfactual_flip"]
    assert f.status is Status.FAIL
    flip = result.flips["gender"]
    # Check one pair by hand: all women set to "male".
    women = X[X["sex"] == "female"]
    as_men = women.assign(sex="male")
    manual = np.mean(uses_sex.predict(as_men) != uses_sex.predict(women))
    row = flip.pairs.set_index(["from_group", "to_group"]).loc[("female", "male")]
    assert row["changed"] == pytest.approx(manual)
    assert row["to_favourable"] == pytest.approx(manual)  # men are favoured: women gain
    assert row["to_unfavourable"] == 0
    assert row["mean_score_change"] > 0
    assert f.value == pytest.approx(flip.pairs["changed"].max())
    pd.testing.assert_frame_equal(X, X_before)


def test_flip_test_passes_when_attribute_unused(lending):
    X, y = lending
    blind = _pipe(["income", "age"]).fit(X, y)
    result = sa.Audit(model=blind, data=X, y_true=y, sensitive={"gender": "sex"}).run()
    f = _by_ground(result, "gender")["fairness.counterfactual_flip"]
    assert f.status is Status.PASS and f.value == 0.0


def test_flip_test_on_a_binned_numeric_input(lending):
    X, y = lending
    model = _pipe(["income", "age"]).fit(X, y)
    result = sa.Audit(
        model=model, data=X, y_true=y, sensitive={"age": "age"}, bins={"age": [40]}
    ).run()
    flip = result.flips["age"]
    values = dict(zip(flip.pairs["to_group"], flip.pairs["value"], strict=True))
    assert values["<40"] == round(np.median(X.loc[X["age"] < 40, "age"]))
    assert values["≥40"] == round(np.median(X.loc[X["age"] >= 40, "age"]))
    assert flip.pairs["changed"].max() > 0  # the model does use age


def test_flip_not_assessed_without_model_or_input(lending):
    X, y = lending
    preds = sa.Audit(y_pred=y, data=X, sensitive={"gender": "sex"}).run()
    f = _by_ground(preds, "gender")["fairness.counterfactual_flip"]
    assert f.status is Status.NOT_ASSESSED and "not the model" in f.message.en
    model = _pipe(["income"]).fit(X, y)
    separate = sa.Audit(
        model=model, data=X[["income"]], y_true=y, sensitive={"gender": X["sex"]}
    ).run()
    f = _by_ground(separate, "gender")["fairness.counterfactual_flip"]
    assert f.status is Status.NOT_ASSESSED and "not a model input" in f.message.en


def test_fix_cost_on_a_failing_ground(lending):
    from fairlearn.postprocessing import ThresholdOptimizer  # noqa: F401  (the method used)

    X, y = lending
    model = _pipe(["income", "sex"]).fit(X, y)
    result = sa.Audit(model=model, data=X, y_true=y, sensitive={"gender": "sex"}).run()
    assert any(f.status is Status.FAIL for f in result.findings if f.ground == "gender"), (
        "the planted gap must fail"
    )
    table = result.mitigation["gender"]
    audited = table.loc["audited"]
    assert audited["accuracy"] == pytest.approx(np.mean(model.predict(X) == y))
    dp = table.loc["demographic_parity"]
    assert dp["selection_rate_difference"] < 0.05 < audited["selection_rate_difference"]
    assert dp["accuracy_change"] == pytest.approx(dp["accuracy"] - audited["accuracy"])
    assert (
        table.loc["equalized_odds", "equalized_odds_difference"]
        < audited["equalized_odds_difference"]
    )
    html = result.to_html(lang="en")
    assert "What a fix would cost" in html and "not a fix" in html
    assert result.to_dict()["mitigation"]["gender"]["rows"]["audited"]["accuracy"] == pytest.approx(
        audited["accuracy"]
    )


def test_fix_cost_on_a_sample_of_large_data(lending):
    """The optimizer's cost grows with the rows: above max_rows it is fitted on a seeded random
    sample, and the report says so."""
    from szai_audit.fairness.mitigation import threshold_tradeoff

    X, y = lending
    model = _pipe(["income", "sex"]).fit(X, y)
    score = model.predict_proba(X)[:, 1]
    decisions = model.predict(X)
    groups = X["sex"].to_numpy(dtype=object)
    full = threshold_tradeoff(y.to_numpy(), score, decisions, groups, random_state=0)
    part = threshold_tradeoff(
        y.to_numpy(), score, decisions, groups, random_state=0, max_rows=len(X) // 2
    )
    assert full.attrs["rows_used"] == len(X) and part.attrs["rows_used"] == len(X) // 2
    again = threshold_tradeoff(
        y.to_numpy(), score, decisions, groups, random_state=0, max_rows=len(X) // 2
    )
    pd.testing.assert_frame_equal(part, again)
    # The sample's audited accuracy is that of the sampled rows, close to the whole's.
    assert part.loc["audited", "accuracy"] != full.loc["audited", "accuracy"]
    assert abs(part.loc["audited", "accuracy"] - full.loc["audited", "accuracy"]) < 0.05
    result = sa.Audit(model=model, data=X, y_true=y, sensitive={"gender": "sex"}).run()
    result.mitigation["gender"].attrs["rows_used"] = 100  # as if the data were larger
    assert "Fitted on a random sample of 100 rows" in result.to_html(lang="en")
    assert result.to_dict()["mitigation"]["gender"]["rows_used"] == 100


def test_no_fix_cost_without_a_failure(lending):
    X, y = lending
    model = _pipe(["income"]).fit(X, y)
    rng = np.random.default_rng(9)
    result = sa.Audit(
        model=model, data=X, y_true=y, sensitive={"gender": rng.choice(["a", "b"], len(X))}
    ).run()
    assert result.mitigation == {}


def test_flip_names_the_disadvantaged_group():
    """A rule favouring "m": flipping m to f loses approvals, so "f" is the one worse off."""
    rng = np.random.default_rng(12)
    X = pd.DataFrame({"sex": rng.choice(["f", "m"], 400), "x": rng.normal(size=400)})
    rule = sa.CallableModel(lambda d: ((d["sex"] == "m") & (d["x"] > -0.3)).astype(int).to_numpy())
    result = sa.Audit(model=rule, data=X, sensitive={"gender": "sex"}).run()
    f = _by_ground(result, "gender")
    assert f["fairness.selection_rate_ratio"].worst_group == "f"
    assert f["fairness.counterfactual_flip"].worst_group == "f"


def test_proxies_with_a_one_person_group_and_an_empty_column():
    rng = np.random.default_rng(13)
    nat = np.array(["cn"] * 150 + ["hk"] * 149 + ["fr"])
    X = pd.DataFrame({"passport": nat, "empty": np.full(300, np.nan), "x": rng.normal(size=300)})
    report = find_proxies(X, nat)
    assert report.left_out == {"fr": 1}
    assert report.features.index[0] == "passport" and report.features.iloc[0]["auc"] == 1.0
    assert np.isfinite(report.all_features_auc)
    result = sa.Audit(y_pred=np.ones(300, int), data=X, sensitive={"nationality": nat}).run()
    assert _by_ground(result, "nationality")["fairness.proxy"].status is Status.WARN
    tiny = sa.Audit(
        y_pred=np.ones(4, int),
        data=X.iloc[:4],
        sensitive={"nationality": ["a", "b", "a", "b"]},
        policy=sa.Policy(min_group_size=1),
    ).run()
    f = _by_ground(tiny, "nationality")["fairness.proxy"]
    assert f.status is Status.INSUFFICIENT_DATA and "too small" in f.message.en
