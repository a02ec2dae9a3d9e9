"""Explanations on the models and pipelines users actually hand over: categories, positions,
native boosters, decision-only models, multi-class, wide data. Each test checks the explained
output against the model's own output and the contributions against an independent source."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import (
    GradientBoostingClassifier,
    HistGradientBoostingClassifier,
    RandomForestClassifier,
)
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, PoissonRegressor, RidgeClassifier
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder
from sklearn.svm import LinearSVC

import szai_audit as sa
from szai_audit.explain import ExplanationError, explain

lgb = pytest.importorskip("lightgbm")
xgb = pytest.importorskip("xgboost")

# The explained output and the contributions do not depend on the threads of the models fitted
# here: one thread, for scikit-learn's through OpenMP (conftest.one_thread), for LightGBM's and
# XGBoost's by their own setting (n_jobs=1). At their default, a thread per core, a 100-tree
# LightGBM fit of 1,500 rows took 10-50 s instead of 0.03 s on a shared machine under load.
pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.fixture(scope="module")
def credit():
    rng = np.random.default_rng(5)
    n = 1500
    X = pd.DataFrame(
        {
            "income": rng.normal(50, 10, n),
            "debt": rng.normal(size=n),
            "region": rng.choice(["north", "south", "east"], n),
        }
    )
    score = 0.2 * (X["income"] - 50) - X["debt"] + 1.5 * (X["region"] == "south")
    y = (score + rng.normal(size=n) > 0).astype(int)
    return X, y


def _additive(ex, tol=1e-6):
    total = ex.base_value + ex.values.sum(axis=1).to_numpy()
    scale = np.maximum.reduce(
        [np.ones(ex.n_rows), np.abs(ex.output), abs(ex.base_value) + ex.values.abs().sum(axis=1)]
    )
    assert (np.abs(total - ex.output) / scale).max() <= tol


def test_integer_positions_follow_the_fitted_names(credit):
    """Positions in a ColumnTransformer are positions in the *fitted* columns: an extra column
    (the sensitive attribute, say) in front of the audit data must not shift them."""
    X, y = credit
    pipe = Pipeline(
        [
            (
                "pre",
                ColumnTransformer([("oh", OneHotEncoder(), [2]), ("num", "passthrough", [0, 1])]),
            ),
            ("rf", RandomForestClassifier(n_estimators=20, max_depth=4, random_state=0)),
        ]
    ).fit(X, y)
    base = explain(pipe, X)
    wider = X.copy()
    wider.insert(0, "sex", np.where(np.arange(len(X)) % 2 == 0, "f", "m"))
    shifted = explain(pipe, wider)
    assert shifted.unused == ["sex"]
    pd.testing.assert_frame_equal(shifted.values[list(X.columns)], base.values[list(X.columns)])
    # Selectors resolved at fit time and label slices behave the same.
    sliced = Pipeline(
        [
            (
                "pre",
                ColumnTransformer(
                    [
                        ("oh", OneHotEncoder(), ["region"]),
                        ("n", "passthrough", slice("income", "debt")),
                    ]
                ),
            ),
            ("rf", RandomForestClassifier(n_estimators=20, max_depth=4, random_state=0)),
        ]
    ).fit(X, y)
    ex = explain(sliced, wider)
    assert ex.unused == ["sex"] and "Tree SHAP" in ex.method
    _additive(ex)


@pytest.mark.slow
def test_pandas_categories_reach_the_boosters_untouched(credit):
    X, y = credit
    Xc = X.assign(region=X["region"].astype("category"))
    # lightgbm: the explained output is the model's own raw score, and the contributions are
    # lightgbm's own, column for column.
    m = lgb.LGBMClassifier(n_estimators=40, verbose=-1, n_jobs=1).fit(Xc, y)
    ex = explain(m, Xc)
    np.testing.assert_allclose(ex.output, m.predict(Xc, raw_score=True), rtol=1e-12)
    direct = m.predict(Xc, pred_contrib=True)
    np.testing.assert_allclose(ex.values.to_numpy(), direct[:, :-1], rtol=1e-12)
    assert ex.direction("region")["raising"] == "south"
    # Numeric category labels are category codes to lightgbm, not numbers.
    Xn = X.assign(region=X["region"].map({"north": 10, "south": 20, "east": 30}).astype("category"))
    mn = lgb.LGBMClassifier(n_estimators=40, verbose=-1, n_jobs=1).fit(Xn, y)
    exn = explain(mn, Xn)
    np.testing.assert_allclose(exn.output, mn.predict(Xn, raw_score=True), rtol=1e-12)
    # xgboost with native categories.
    mx = xgb.XGBClassifier(
        n_estimators=40, enable_categorical=True, tree_method="hist", n_jobs=1
    ).fit(Xc, y)
    ex = explain(mx, Xc)
    np.testing.assert_allclose(ex.output, mx.predict(Xc, output_margin=True), rtol=1e-6)
    _additive(ex)
    # HistGradientBoosting's categorical splits: model-agnostic engine, on the model's output.
    hgb = HistGradientBoostingClassifier(max_iter=30, categorical_features="from_dtype").fit(Xc, y)
    ex = explain(hgb, Xc, background_size=20, permutation_sample_size=40)
    assert "Permutation" in ex.method and ex.output_space == "probability"
    np.testing.assert_allclose(ex.output, hgb.predict_proba(Xc.iloc[ex.positions])[:, 1])
    _additive(ex)
    # A forest cannot read text: same.
    rf = make_pipeline(
        ColumnTransformer([("oh", OneHotEncoder(), ["region"])], remainder="passthrough"),
        RandomForestClassifier(n_estimators=10, random_state=0),
    ).fit(X, y)
    assert "Tree SHAP" in explain(rf, X).method


@pytest.mark.parametrize("seed", range(5))
def test_xgboost_single_precision_passes_the_relative_check(credit, seed):
    """xgboost adds its trees in float32: its rounding (about 1e-6 relative over 100 trees)
    passes its own tolerance, 1e-4; double-precision engines keep 1e-6."""
    X, y = credit
    Xn = X[["income", "debt"]]
    m = xgb.XGBClassifier(random_state=seed, n_jobs=1).fit(Xn, y)
    ex = explain(m, Xn)
    assert ex.additivity_tolerance == 1e-4
    assert 0 < ex.additivity_error <= 1e-4
    assert (
        explain(
            lgb.LGBMClassifier(n_estimators=100, verbose=-1, n_jobs=1).fit(Xn, y), Xn
        ).additivity_tolerance
        == 1e-6
    )
    np.testing.assert_allclose(ex.output, m.predict(Xn, output_margin=True), rtol=1e-6)


def test_function_transformers_are_not_assumed_column_wise(credit):
    X, y = credit
    Xn = X[["income", "debt"]]
    mixing = make_pipeline(
        FunctionTransformer(lambda Z: np.column_stack([Z[:, 0] + Z[:, 1], Z[:, 1]])),
        RandomForestClassifier(n_estimators=10, random_state=0),
    ).fit(Xn.to_numpy(), y)
    ex = explain(
        lambda d: mixing.predict(d.to_numpy()), Xn, background_size=20, permutation_sample_size=30
    )
    assert ex.output_space == "decision"
    ct = Pipeline(
        [
            (
                "pre",
                ColumnTransformer(
                    [("f", FunctionTransformer(lambda Z: np.asarray(Z)[:, ::-1]), [0, 1])]
                ),
            ),
            ("rf", RandomForestClassifier(n_estimators=10, random_state=0)),
        ]
    ).fit(Xn, y)
    ex = explain(ct, Xn, background_size=20, permutation_sample_size=30)
    assert "Permutation" in ex.method
    np.testing.assert_allclose(ex.output, ct.predict_proba(Xn.iloc[ex.positions])[:, 1])
    identity = make_pipeline(FunctionTransformer(), RandomForestClassifier(n_estimators=10)).fit(
        Xn, y
    )
    assert "Tree SHAP" in explain(identity, Xn).method


def test_permutation_background_is_drawn_at_random():
    """Data sorted by the decisive column: a background taken from the first rows would put the
    base value near 0; a random one puts it near the share of positives (0.5)."""
    n = 1000
    X = pd.DataFrame({"income": np.linspace(-1, 1, n), "other": np.tile([0.0, 1.0], n // 2)})
    y = (X["income"] > 0).astype(int)
    knn = KNeighborsClassifier(5).fit(X, y)
    ex = explain(knn, X, permutation_sample_size=20)
    assert abs(ex.base_value - 0.5) < 0.2
    _additive(ex)
    again = explain(knn, X, permutation_sample_size=20)
    pd.testing.assert_frame_equal(ex.values, again.values)


def test_models_that_return_decisions(credit):
    X, y = credit
    labels = sa.CallableModel(
        lambda d: np.where(d["income"] > 50, "approved", "denied"), output="label"
    )
    ex = explain(
        labels, X, positive_label="approved", background_size=20, permutation_sample_size=40
    )
    assert ex.output_space == "decision"
    np.testing.assert_array_equal(ex.output, (X["income"].iloc[ex.positions] > 50).astype(float))
    assert ex.importance().index[0] == "income"
    _additive(ex)
    # A numeric function (an amount) with positive_label=None is explained as it is.
    amount = sa.CallableModel(lambda d: 3.0 * d["income"].to_numpy(), output="label")
    ex = explain(amount, X, positive_label=None, background_size=20, permutation_sample_size=40)
    assert ex.output_space == "raw"
    np.testing.assert_allclose(ex.output, 3 * X["income"].iloc[ex.positions])
    # A classifier without predict_proba, inside a pipeline that cannot be traced.
    knn = make_pipeline(FunctionTransformer(lambda Z: Z * 1.0), LinearSVC(random_state=0)).fit(
        X[["income", "debt"]], y
    )
    ex = explain(knn, X[["income", "debt"]], background_size=20, permutation_sample_size=30)
    assert ex.output_space == "decision"
    np.testing.assert_array_equal(ex.output, knn.predict(X[["income", "debt"]].iloc[ex.positions]))


def test_linear_models_only_when_the_output_is_linear(credit):
    X, y = credit
    Xn = X[["income", "debt"]]
    ridge = RidgeClassifier().fit(Xn, y)
    ex = explain(ridge, Xn)
    assert "linear" in ex.method and ex.output_space == "score"
    np.testing.assert_allclose(ex.output, ridge.decision_function(Xn))
    svc = LinearSVC(random_state=0).fit(Xn, np.where(y == 1, "yes", "no"))
    ex = explain(svc, Xn, positive_label="no")
    np.testing.assert_allclose(ex.output, -svc.decision_function(Xn))
    # A GLM with a log link is not X w + b: its prediction is explained model-agnostically.
    counts = np.random.default_rng(0).poisson(np.exp(0.02 * (Xn["income"] - 50)))
    glm = PoissonRegressor().fit(Xn, counts)
    ex = explain(glm, Xn, positive_label=None, background_size=20, permutation_sample_size=30)
    assert "Permutation" in ex.method and ex.output_space == "raw"
    np.testing.assert_allclose(ex.output, glm.predict(Xn.iloc[ex.positions]))
    # The positive label must be one of the classes, never silently the second one.
    lr = LogisticRegression().fit(Xn, np.where(y == 1, "approved", "denied"))
    with pytest.raises(ExplanationError, match="positive_label=1 is not among"):
        explain(lr, Xn)
    with pytest.raises(sa.errors.ExplanationError, match="'denied'"):
        explain(RandomForestClassifier(n_estimators=5).fit(Xn, y), Xn, positive_label="denied")
    flipped = explain(lr, Xn, positive_label="denied")
    np.testing.assert_allclose(flipped.output, -explain(lr, Xn, positive_label="approved").output)


def test_native_boosters_read_their_objective(credit):
    X, y = credit
    Xn = X[["income", "debt"]]
    dm = xgb.DMatrix(Xn, label=y)
    binary = xgb.train({"objective": "binary:logistic", "max_depth": 2, "nthread": 1}, dm, 10)
    ex = explain(binary, Xn)
    assert ex.output_space == "log_odds"
    np.testing.assert_allclose(
        ex.output, binary.predict(xgb.DMatrix(Xn), output_margin=True), rtol=1e-6
    )
    zero = explain(binary, Xn, positive_label=0)
    np.testing.assert_allclose(zero.output, -ex.output)
    counts = xgb.train(
        {"objective": "count:poisson", "max_depth": 2, "nthread": 1},
        xgb.DMatrix(Xn, label=y * 3),
        10,
    )
    ex = explain(counts, Xn, positive_label=None)
    assert ex.output_space == "log_raw"
    np.testing.assert_allclose(np.exp(ex.output), counts.predict(xgb.DMatrix(Xn)), rtol=1e-5)
    reg = lgb.train(
        {"objective": "regression", "verbose": -1, "num_threads": 1},
        lgb.Dataset(Xn, Xn["income"]),
        10,
    )
    assert explain(reg, Xn, positive_label=None).output_space == "raw"
    multi = lgb.train(
        {"objective": "multiclass", "num_class": 3, "verbose": -1, "num_threads": 1},
        lgb.Dataset(Xn, np.digitize(Xn["income"], [45, 55])),
        5,
    )
    with pytest.raises(ExplanationError, match="multi-class"):
        explain(multi, Xn)


@pytest.mark.parametrize(
    "model",
    [
        GradientBoostingClassifier(n_estimators=10, random_state=0),
        HistGradientBoostingClassifier(max_iter=10, random_state=0),
        lgb.LGBMClassifier(n_estimators=10, verbose=-1, n_jobs=1),
        RandomForestClassifier(n_estimators=10, random_state=0),
    ],
    ids=lambda m: type(m).__name__,
)
def test_multi_class_models_explain_the_positive_class(credit, model):
    X, _ = credit
    Xn = X[["income", "debt"]]
    y3 = np.select([Xn["income"] > 55, Xn["debt"] > 0.5], ["high", "mid"], "low")
    model.fit(Xn, y3)
    ex = explain(model, Xn, positive_label="mid", background_size=20, permutation_sample_size=40)
    assert ex.output_space == "probability"
    c = list(model.classes_).index("mid")
    np.testing.assert_allclose(
        ex.output, model.predict_proba(Xn.iloc[ex.positions])[:, c], atol=1e-9
    )
    _additive(ex)
    with pytest.raises(ExplanationError, match="'nope'"):
        explain(model, Xn, positive_label="nope", background_size=20, permutation_sample_size=20)


@pytest.mark.slow
def test_odd_inputs(credit):
    X, y = credit
    # An all-missing column that an imputer drops: the pipeline cannot be traced, so the
    # model-agnostic engine is used rather than an error.
    Xe = X.assign(empty=pd.Series([np.nan] * len(X), dtype=object))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pipe = Pipeline(
            [
                (
                    "pre",
                    ColumnTransformer(
                        [
                            (
                                "cat",
                                make_pipeline(
                                    SimpleImputer(strategy="most_frequent"), OneHotEncoder()
                                ),
                                ["region", "empty"],
                            ),
                            ("num", "passthrough", ["income", "debt"]),
                        ]
                    ),
                ),
                ("rf", RandomForestClassifier(n_estimators=10, random_state=0)),
            ]
        ).fit(Xe, y)
        ex = explain(pipe, Xe, background_size=20, permutation_sample_size=30)
    _additive(ex)
    # Duplicate index labels: reasons() works by position.
    rf = RandomForestClassifier(n_estimators=10, random_state=0).fit(X[["income"]], y)
    dup = explain(rf, X[["income"]].set_axis([0] * len(X)))
    assert dup.reasons(3)["value"].iloc[0] == X["income"].iloc[dup.positions[3]]
    with pytest.raises(sa.errors.InputError, match="strata"):
        explain(rf, X[["income"]], strata=["a"] * 3)


@pytest.mark.slow
def test_wide_data_limits_the_model_calls():
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(300, 100)), columns=[f"c{i}" for i in range(100)])
    y = (X["c0"] > 0).astype(int)
    knn = KNeighborsClassifier(5).fit(X, y)
    ex = explain(knn, X, background_size=5)
    # 10 p = 1000 calls per row: at most 40,000 row evaluations, so 40 rows.
    assert ex.n_rows == 40
    assert "1000 model calls per row" in ex.method
    _additive(ex)
