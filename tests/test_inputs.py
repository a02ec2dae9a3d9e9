"""The inputs of an audit (outputs named by column, index alignment, misspelt names, models with
the scikit-learn API only), proxies and the counterfactual flip test."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import mutual_info_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

import szai_audit as sa
from szai_audit import Status, errors
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
    flip = result.fairness.flips["gender"]
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
    flip = result.fairness.flips["age"]
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
    table = result.fairness.mitigation["gender"]
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
    result.fairness.mitigation["gender"].attrs["rows_used"] = 100  # as if the data were larger
    assert "Fitted on a random sample of 100 rows" in result.to_html(lang="en")
    assert result.to_dict()["mitigation"]["gender"]["rows_used"] == 100


def test_no_fix_cost_without_a_failure(lending):
    X, y = lending
    model = _pipe(["income"]).fit(X, y)
    rng = np.random.default_rng(9)
    result = sa.Audit(
        model=model, data=X, y_true=y, sensitive={"gender": rng.choice(["a", "b"], len(X))}
    ).run()
    assert result.fairness.mitigation == {}


@pytest.mark.slow
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


# --------------------------------------------------------------------------------------------
# Outputs named by column, index alignment, misspelt names, duck-typed models
# --------------------------------------------------------------------------------------------


class _Duck:
    """A model of one's own: fit / predict / predict_proba, no scikit-learn base class. It
    records the columns it was shown."""

    def __init__(self) -> None:
        self.seen: list[list[str]] = []

    def fit(self, X, y):
        return self

    def _p(self, X):
        self.seen.append([str(c) for c in X.columns])
        return 1 / (1 + np.exp(-X["x"].to_numpy()))

    def predict(self, X):
        return (self._p(X) >= 0.5).astype(int)

    def predict_proba(self, X):
        p = self._p(X)
        return np.c_[1 - p, p]


@pytest.fixture(scope="module")
def scored():
    rng = np.random.default_rng(21)
    n = 400
    frame = pd.DataFrame({"x": rng.normal(size=n), "sex": rng.choice(["f", "m"], n)})
    frame["outcome"] = (frame["x"] + rng.normal(size=n) > 0).astype(int)
    frame["decision"] = (frame["x"] > 0.1).astype(int)
    frame["score"] = 1 / (1 + np.exp(-frame["x"]))
    return frame


def test_outputs_named_by_column_are_taken_from_data(scored):
    before = scored.copy(deep=True)
    kw = {"sensitive": {"gender": "sex"}, "explain": False}
    named = sa.Audit(data=scored, y_true="outcome", y_pred="decision", y_score="score", **kw)
    given = sa.Audit(
        data=scored.drop(columns=["outcome", "decision", "score"]),
        y_true=scored["outcome"],
        y_pred=scored["decision"],
        y_score=scored["score"],
        **kw,
    )
    a, b = named.run().to_dict(), given.run().to_dict()
    assert a["findings"] == b["findings"]
    assert a["manifest"]["data"] == b["manifest"]["data"]
    pd.testing.assert_frame_equal(scored, before)  # the user's frame is not changed
    assert named.y_true == "outcome" and named.data is scored


def test_outcome_named_in_data_is_not_shown_to_the_model(scored):
    duck = _Duck()
    data = scored[["x", "sex", "outcome"]]
    before = data.copy(deep=True)
    result = sa.Audit(
        model=duck, data=data, y_true="outcome", sensitive={"gender": "sex"}, explain=False
    ).run()
    assert duck.seen and all(cols == ["x", "sex"] for cols in duck.seen)
    assert result.findings
    pd.testing.assert_frame_equal(data, before)


def test_outcome_named_in_sensitive_data(scored):
    result = sa.Audit(
        data=scored[["x"]],
        sensitive_data=scored[["sex", "outcome"]],
        y_true="outcome",
        y_pred=scored["decision"].to_numpy(),
        sensitive={"gender": "sex"},
        explain=False,
    ).run()
    tpr = [f for f in result.findings if f.check == "fairness.true_positive_rate_difference"]
    assert tpr and tpr[0].status is not Status.NOT_ASSESSED


def test_an_output_naming_no_column_is_refused_with_close_names(scored):
    with pytest.raises(errors.ColumnNotFoundError, match=r"y_true.*'outcom'.*\['outcome'\]"):
        sa.Audit(data=scored, y_true="outcom", y_pred="decision", sensitive={"gender": "sex"}).run()
    with pytest.raises(errors.ColumnNotFoundError, match="neither data= nor sensitive_data="):
        sa.Audit(y_pred="decision", sensitive={"gender": scored["sex"]}).run()
    with pytest.raises(errors.InputError, match="both as an output"):
        sa.Audit(data=scored, y_pred="sex", favorable_label="m", sensitive={"gender": "sex"}).run()


@pytest.mark.parametrize("which", ["y_pred", "y_true", "sensitive", "sensitive_data"])
def test_an_index_disjoint_from_data_is_refused(scored, which):
    n = len(scored)
    elsewhere = pd.RangeIndex(10_000, 10_000 + n)
    kw = {
        "data": scored[["x"]],
        "y_pred": scored["decision"].to_numpy(),
        "sensitive": {"gender": scored["sex"]},
        "explain": False,
    }
    if which == "y_pred":
        kw["y_pred"] = pd.Series(kw["y_pred"], index=elsewhere)
    elif which == "y_true":
        kw["y_true"] = scored["outcome"].set_axis(elsewhere)
    elif which == "sensitive":
        kw["sensitive"] = {"gender": scored["sex"].set_axis(elsewhere)}
    else:
        kw["sensitive_data"] = scored[["sex"]].set_axis(elsewhere)
        kw["sensitive"] = {"gender": "sex"}
    name = "sensitive['gender']" if which == "sensitive" else which
    with pytest.raises(errors.LengthMismatchError, match=r"by index label") as info:
        sa.Audit(**kw).run()
    assert str(info.value).startswith(f"{name} has index labels that data has not (e.g. 10000")


def test_aligned_inputs_do_not_warn(scored, recwarn):
    shifted = scored.set_axis(pd.RangeIndex(500, 500 + len(scored)))
    sa.Audit(
        data=shifted[["x"]],
        sensitive_data=shifted[["sex"]],
        y_true=shifted["outcome"],
        y_pred=shifted["decision"],
        sensitive={"gender": "sex"},
        explain=False,
    ).run()
    sa.Audit(
        data=scored[["x"]],
        y_pred=scored["decision"].to_numpy(),
        sensitive={"gender": scored["sex"]},
        explain=False,
    ).run()
    assert not [w for w in recwarn if "matched by position" in str(w.message)]


def test_a_misspelt_column_or_ground_is_named_with_close_names(scored):
    frame = scored.assign(age=np.arange(len(scored)) % 60 + 20)
    kw = {"data": frame[["x", "sex", "age"]], "y_pred": frame["decision"], "explain": False}
    with pytest.raises(errors.ColumnNotFoundError, match=r"'sexx'.*Did you mean \['sex'\]"):
        sa.Audit(sensitive={"gender": "sexx", "age": "age"}, bins={"age": [30, 50]}, **kw).run()
    sensitive = {"gender": "sex", "age": "age"}
    with pytest.raises(
        errors.SensitiveAttributeError, match=r"'gendr', which is unknown.*\['gender'\]"
    ) as info:
        sa.Audit(sensitive=sensitive, bins={"gendr": 2}, **kw).run()
    assert "numeric" not in str(info.value)
    with pytest.raises(errors.SensitiveAttributeError, match="keyed by ground"):
        sa.Audit(sensitive={"gender": "sex", "years": "age"}, bins={"age": 3}, **kw).run()


def test_a_model_with_the_sklearn_api_only_is_called_directly(scored):
    assert not isinstance(_Duck(), BaseEstimator)
    duck = _Duck()
    result = sa.Audit(
        model=duck,
        data=scored[["x", "sex"]],
        y_true=scored["outcome"],
        sensitive={"gender": "sex"},
        explain=False,
    ).run()
    auc = [f for f in result.findings if f.check == "fairness.auc_difference"]
    assert auc and auc[0].status is not Status.NOT_ASSESSED  # scores from predict_proba
    assert result.to_dict()["manifest"]["model"]["class"].endswith("_Duck")


def test_an_identifier_is_refused_as_a_ground():
    # Issue 15 item 7: a text attribute with (nearly) one value per row names people, not
    # groups: refused with a message, not written value by value into the report.
    rng = np.random.default_rng(0)
    n = 200
    data = pd.DataFrame({"x": rng.normal(size=n), "name": [f"person-{i:04d}" for i in range(n)]})
    y_pred = (data["x"] > 0).astype(int)
    with pytest.raises(sa.errors.SensitiveAttributeError, match="looks like an identifier"):
        sa.Audit(y_pred=y_pred, data=data, sensitive={"ethnicity": "name"}, explain=False).run()
    # A text ground with many rows per value is kept.
    data["region"] = np.where(np.arange(n) % 3 == 0, "north", "south")
    sa.Audit(y_pred=y_pred, data=data, sensitive={"region": "region"}, explain=False).run()


def _with_blank_groups(n=240, seed=11):
    """Decisions by a text attribute with empty and whitespace-only values among f and m."""
    rng = np.random.default_rng(seed)
    sex = rng.choice(["f", "m"], n).astype(object)
    sex[:12] = ""
    sex[12:20] = "   "
    decision = (rng.random(n) < np.where(sex == "f", 0.4, 0.6)).astype(int)
    return sex, decision


def test_empty_text_of_a_sensitive_attribute_is_missing():
    """An empty or whitespace-only value of a sensitive attribute is no value: it joins the
    rows missing the attribute (the group “(missing)”, shown, never compared), is never a
    group without a name, and the report's note says empty text counts as missing."""
    from szai_audit.fairness.page import ground_notes

    sex, decision = _with_blank_groups()
    result = sa.Audit(y_pred=decision, sensitive={"gender": sex}, explain=False).run()
    (info,) = result.sensitive
    assert info.groups == ("f", "m", "(missing)") or set(info.groups) == {"f", "m", "(missing)"}
    assert info.n_missing == 20
    counts = result.fairness.group_metrics["gender"].counts["n"]
    assert int(counts["(missing)"]) == 20 and "" not in counts.index and "   " not in counts.index
    named = {f.worst_group for f in result.findings} | {f.best_group for f in result.findings}
    assert not any(isinstance(g, str) and not g.strip() for g in named)
    notes = " ".join(m.en for m in ground_notes(info))
    assert "20 rows" in notes and "empty text" in notes, notes
    assert "空白" in " ".join(m.zh for m in ground_notes(info))
    # The same as giving them as missing values.
    none = np.where(np.char.strip(sex.astype(str)) == "", None, sex)
    same = sa.Audit(y_pred=decision, sensitive={"gender": none}, explain=False).run()
    assert [f.to_dict() for f in same.findings] == [f.to_dict() for f in result.findings]
