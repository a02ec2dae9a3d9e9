"""Explanations: additivity for every model family, raw-column mapping, directions, reasons."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.decomposition import PCA
from sklearn.ensemble import (
    ExtraTreesClassifier,
    GradientBoostingClassifier,
    GradientBoostingRegressor,
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

import szai_audit as sa
from szai_audit.explain import ExplanationError, explain

# The explained output and the contributions do not depend on the threads of the models fitted
# here: one thread, for scikit-learn's through OpenMP (conftest.one_thread), for LightGBM's and
# XGBoost's by their own setting (n_jobs=1). At their default, a thread per core, a 100-tree
# LightGBM fit of 1,500 rows took 10-50 s instead of 0.03 s on a shared machine under load.
pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.fixture(scope="module")
def numeric():
    rng = np.random.default_rng(0)
    n = 600
    X = pd.DataFrame(
        {
            "income": rng.normal(50, 10, n),
            "debt": rng.normal(0.3, 0.1, n),
            "noise": rng.normal(size=n),
        }
    )
    score = 0.08 * (X["income"] - 50) - 6 * (X["debt"] - 0.3)
    y = (score + rng.normal(scale=0.5, size=n) > 0).astype(int)
    amount = 100 * X["income"] - 2000 * X["debt"] + rng.normal(scale=50, size=n)
    return X, y, amount


@pytest.fixture(scope="module")
def mixed():
    rng = np.random.default_rng(1)
    n = 800
    X = pd.DataFrame(
        {
            "purpose": rng.choice(["car", "education", "home", "other"], n),
            "housing": rng.choice(["rent", "own", "free"], n),
            "duration": rng.integers(6, 60, n).astype(float),
            "amount": rng.gamma(2, 2000, n),
        }
    )
    X.loc[rng.random(n) < 0.05, "amount"] = np.nan
    logit = -0.04 * X["duration"] + 1.0 * (X["purpose"] == "car") + 0.5 * (X["housing"] == "own")
    y = (logit + rng.normal(scale=0.5, size=n) > -0.8).astype(int)
    return X, y


CLASSIFIERS = [
    DecisionTreeClassifier(max_depth=4, random_state=0),
    RandomForestClassifier(n_estimators=30, max_depth=5, random_state=0),
    ExtraTreesClassifier(n_estimators=30, max_depth=5, random_state=0),
    GradientBoostingClassifier(n_estimators=30, random_state=0),
    HistGradientBoostingClassifier(max_iter=30, random_state=0),
    LogisticRegression(),
]
REGRESSORS = [
    DecisionTreeRegressor(max_depth=4, random_state=0),
    RandomForestRegressor(n_estimators=30, max_depth=5, random_state=0),
    GradientBoostingRegressor(n_estimators=30, random_state=0),
    HistGradientBoostingRegressor(max_iter=30, random_state=0),
    LinearRegression(),
]


def _check_additive(ex):
    total = ex.base_value + ex.values.sum(axis=1).to_numpy()
    np.testing.assert_allclose(total, ex.output, rtol=1e-6, atol=1e-6)
    assert ex.additivity_error <= 1e-6


@pytest.mark.parametrize("model", CLASSIFIERS, ids=lambda m: type(m).__name__)
def test_sklearn_classifiers_are_exact_and_additive(model, numeric):
    X, y, _ = numeric
    fitted = model.fit(X, y)
    ex = explain(fitted, X)
    _check_additive(ex)
    assert ex.importance().index[-1] == "noise"
    name = type(model).__name__
    expected_space = (
        "log_odds"
        if name
        in ("GradientBoostingClassifier", "HistGradientBoostingClassifier", "LogisticRegression")
        else "probability"
    )
    assert ex.output_space == expected_space
    assert ("linear" in ex.method) == (name == "LogisticRegression")
    # The output explained is the model's own: probability of class 1, or its log-odds.
    if expected_space == "probability":
        np.testing.assert_allclose(ex.output, fitted.predict_proba(X)[:, 1])
    else:
        np.testing.assert_allclose(ex.output, fitted.decision_function(X))


@pytest.mark.parametrize("model", REGRESSORS, ids=lambda m: type(m).__name__)
def test_sklearn_regressors_are_exact_and_additive(model, numeric):
    X, _, amount = numeric
    fitted = model.fit(X, amount)
    ex = explain(fitted, X)
    _check_additive(ex)
    assert ex.output_space == "raw"
    np.testing.assert_allclose(ex.output, fitted.predict(X))


def test_boosters_are_exact_and_additive(numeric):
    lgb = pytest.importorskip("lightgbm")
    xgb = pytest.importorskip("xgboost")
    X, y, amount = numeric
    for model in (
        lgb.LGBMClassifier(n_estimators=30, verbose=-1, n_jobs=1).fit(X, y),
        lgb.LGBMRegressor(n_estimators=30, verbose=-1, n_jobs=1).fit(X, amount),
        xgb.XGBClassifier(n_estimators=30, max_depth=3, n_jobs=1).fit(X, y),
        xgb.XGBRegressor(n_estimators=30, max_depth=3, n_jobs=1).fit(X, amount),
    ):
        ex = explain(model, X)
        total = ex.base_value + ex.values.sum(axis=1).to_numpy()
        rel = np.abs(total - ex.output) / np.maximum(1, np.abs(ex.output))
        assert rel.max() <= 1e-6, (type(model).__name__, rel.max())
        assert "pred_contrib" in ex.method
    booster = lgb.LGBMClassifier(n_estimators=30, verbose=-1, n_jobs=1).fit(X, y).booster_
    ex = explain(booster, X)
    assert ex.output_space == "log_odds"
    np.testing.assert_allclose(ex.output, booster.predict(X, raw_score=True), rtol=1e-6)


def test_pipeline_columns_are_summed_into_raw_columns(mixed):
    shap = pytest.importorskip("shap")
    X, y = mixed
    pre = ColumnTransformer(
        [
            ("onehot", OneHotEncoder(handle_unknown="ignore"), ["purpose", "housing"]),
            ("num", make_pipeline(SimpleImputer(), StandardScaler()), ["duration", "amount"]),
        ]
    )
    pipe = Pipeline([("pre", pre), ("gbm", GradientBoostingClassifier(n_estimators=30))]).fit(X, y)
    ex = explain(pipe, X)
    _check_additive(ex)
    assert list(ex.values.columns) == list(X.columns)
    # Independent check: shap on the transformed matrix, columns summed by name.
    xt = pipe[:-1].transform(X)
    direct = shap.TreeExplainer(pipe[-1])(xt).values
    names = pipe[:-1].get_feature_names_out()
    for raw in X.columns:
        cols = [i for i, n in enumerate(names) if n.split("__", 1)[1].startswith(raw)]
        np.testing.assert_allclose(ex.values[raw], direct[:, cols].sum(axis=1), atol=1e-9)


def test_linear_pipeline_with_ordinal_and_one_hot(mixed):
    X, y = mixed
    pre = ColumnTransformer(
        [
            ("ord", OrdinalEncoder(), ["housing"]),
            ("onehot", OneHotEncoder(drop="first"), ["purpose"]),
            ("num", make_pipeline(SimpleImputer(), StandardScaler()), ["duration", "amount"]),
        ]
    )
    pipe = Pipeline([("pre", pre), ("lr", LogisticRegression())]).fit(X, y)
    ex = explain(pipe, X)
    _check_additive(ex)
    assert ex.output_space == "log_odds"
    np.testing.assert_allclose(ex.output, pipe.decision_function(X))
    direction = ex.direction("duration")
    assert direction["kind"] == "numeric" and direction["sign"] == -1
    cat = ex.direction("purpose")
    assert cat["raising"] == "car"


@pytest.mark.slow
def test_untraceable_pipelines_and_other_models_use_permutation(numeric, mixed):
    X, y, _ = numeric
    pca = make_pipeline(StandardScaler(), PCA(n_components=2), LogisticRegression()).fit(X, y)
    ex = explain(pca, X.iloc[:80], background_size=30)
    assert "Permutation" in ex.method and ex.output_space == "probability"
    _check_additive(ex)
    knn = KNeighborsClassifier().fit(X, y)
    ex = explain(knn, X.iloc[:60], background_size=20)
    assert "Permutation" in ex.method
    np.testing.assert_allclose(ex.output, knn.predict_proba(X.iloc[:60])[:, 1])
    _check_additive(ex)
    Xm, _ym = mixed
    rule = sa.CallableModel(
        lambda d: ((d["purpose"] == "car") | (d["duration"] < 20)).astype(float).to_numpy(),
        output="score",
    )
    ex = explain(rule, Xm.iloc[:100], background_size=30)
    _check_additive(ex)
    assert set(ex.importance().index[:2]) == {"purpose", "duration"}


def test_sampling_reasons_and_errors(numeric):
    X, y, _ = numeric
    model = RandomForestClassifier(n_estimators=20, random_state=0).fit(X, y)
    strata = np.where(X["income"] > 60, "rich", "other")
    ex = explain(model, X, sample_size=100, strata=strata, random_state=3)
    assert ex.n_rows == pytest.approx(100, abs=2) and ex.n_total == len(X)
    share_rich = (strata[X.index.get_indexer(ex.values.index)] == "rich").mean()
    assert share_rich == pytest.approx((strata == "rich").mean(), abs=0.02)
    reasons = ex.reasons(0, k=2)
    assert len(reasons) == 2
    assert abs(reasons["contribution"].iloc[0]) >= abs(reasons["contribution"].iloc[1])
    assert reasons["value"].iloc[0] == X.iloc[ex.positions[0]][reasons.index[0]]
    assert reasons["contribution"].iloc[0] == ex.values.iloc[0][reasons.index[0]]
    with pytest.raises(sa.errors.InputError, match="row position"):
        ex.reasons(ex.n_rows)
    imp = ex.importance()
    assert (imp["low"] <= imp["importance"]).all() and (imp["importance"] <= imp["high"]).all()
    assert imp["share"].sum() == pytest.approx(1.0)
    with pytest.raises(sa.errors.InputTypeError):
        explain(model, X.to_numpy())
    with pytest.raises(ExplanationError, match="preprocessing failed"):
        explain(make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y), X[["income"]])


# ------------------------------------------------------------------------------------------
# Art. 71 words: the notice awaits approval; plain Chinese; page-1 statements
# ------------------------------------------------------------------------------------------

CODE_WORDS = ("Attestation", "privacy=", "metadata", "result.", "()", "lower", "higher", "=")

FULL_CARD = {
    "purpose": "贷款初审",
    "affected": "申请人",
    "decision_process": "人工复核拒绝",
    "appeal": "15 日内书面申诉",
    "contact": "ethics@example.invalid",
}


def test_notice_is_needs_review_until_a_person_approves_it():
    from szai_audit.explain.findings import notice_complete

    complete = notice_complete(FULL_CARD)
    assert complete.status is sa.Status.NEEDS_REVIEW  # never a PASS the tool gives itself
    assert complete.details["missing"] == []
    assert "系统负责人" in complete.message.zh and "签署" in complete.message.zh
    assert "approve" in complete.message.en and "sign-off" in complete.message.en
    partial = notice_complete({"purpose": "x"})
    assert partial.status is sa.Status.NEEDS_REVIEW
    assert "适用对象、决定与复核方式、申诉途径、联系方式" in partial.message.zh
    assert partial.message.en.count("system card") == 1  # in words, no argument name
    for f in (complete, partial):
        for word in CODE_WORDS:
            assert word not in f.message.zh, (word, f.message.zh)


def test_numeric_output_directions_name_the_output_not_a_flag():
    from szai_audit.core.messages import Message
    from szai_audit.explain import words as w

    price = Message("价格", "price")
    up = {"kind": "numeric", "sign": -1}  # less favourable as distance grows
    d = w.direction_sentence(
        Message("行程距离", "trip distance"), up, True, favourable_higher=False, output=price
    )
    assert d.zh == "行程距离越高，价格越高。" and d.en.endswith("the higher the price.")
    cat = {"kind": "categorical", "raising": "economy", "lowering": "business"}
    d = w.direction_sentence(
        Message("车型", "vehicle class"), cat, True, favourable_higher=False, output=price
    )
    assert d.zh == "车型为“business”时价格最高，为“economy”时最低。"
    out = w.output_explained(
        "raw", "lower", numeric_output=True, favorable_is_positive=False, output=price
    )
    assert "lower" not in out.zh and "“" not in out.zh and "价格" in out.zh
    assert (
        w.method_words("exact Tree SHAP (path-dependent), shap.TreeExplainer").zh.isascii() is False
    )
    bg = w.background_words("the mean of 100 rows drawn at random from the 3000 given")
    assert bg.zh == "从所给 3,000 行中随机抽取的 100 行的均值"


def _summary(numeric_output=False):
    from szai_audit.core.messages import Message
    from szai_audit.explain.summary import ExplanationSummary, FactorSummary

    factors = [
        FactorSummary(
            f, Message(zh, en), share, share, share, share, {"kind": "numeric", "sign": 1}
        )
        for f, zh, en, share in (
            ("checking_status", "支票账户状况", "checking account status", 0.16),
            ("duration_months", "贷款期限", "loan duration", 0.12),
            ("credit_history", "信用记录", "credit history", 0.09),
            ("purpose", "贷款用途", "loan purpose", 0.05),
        )
    ]
    return ExplanationSummary(
        factors=factors,
        sentences=[],
        examples=[],
        appendix=[],
        method="m",
        output_space="log_odds",
        n_rows=1999,
        n_total=6000,
        additivity_error=0.0,
        base_value=0.0,
        favorable_is_positive=True,
        numeric_output=numeric_output,
    )


def test_explained_finding_names_factors_and_counts_with_separators():
    from szai_audit.explain.findings import explained

    f = explained(_summary(), None)
    assert "1,999 行（共 6,000 行）" in f.message.zh and "1,999 of 6,000 rows" in f.message.en
    assert "支票账户状况、贷款期限、信用记录" in f.message.zh
    assert "checking_status" not in f.message.zh


def test_conclusion_statements_71():
    from types import SimpleNamespace

    from szai_audit.explain.findings import explained, notice_complete
    from szai_audit.explain.page import conclusion_statements

    summary = _summary()
    findings = [explained(summary, None), notice_complete(FULL_CARD)]
    result = SimpleNamespace(findings=findings, explanation_summary=summary)
    [s] = conclusion_statements(result)
    assert s.article == "71" and s.anchor == "art-71"
    assert s.status is sa.Status.NEEDS_REVIEW  # the worst of PASS and NEEDS_REVIEW
    assert s.text.zh.startswith("模型最看重的三项输入是：支票账户状况、贷款期限、信用记录；")
    assert "须经系统负责人审定后发布" in s.text.zh
    assert s.action is not None and "审定公开算法说明" in s.action.zh
    assert s.checks == ("explanation.produced@", "explanation.notice_complete@")
    missing = notice_complete({"purpose": "x", "contact": "y"})
    [s] = conclusion_statements(
        SimpleNamespace(findings=[findings[0], missing], explanation_summary=summary)
    )
    assert "缺少适用对象、决定与复核方式、申诉途径" in s.text.zh
    assert s.action is not None and s.action.zh.startswith("补充适用对象")
    # No Art. 71 finding: nothing to say.
    assert conclusion_statements(SimpleNamespace(findings=[], explanation_summary=None)) == []
    # Not explained: the reason, and what to do.
    not_done = explained(None, None)
    said = conclusion_statements(
        SimpleNamespace(findings=[not_done, missing], explanation_summary=None)
    )
    assert [x.status for x in said] == [sa.Status.NOT_ASSESSED, sa.Status.NEEDS_REVIEW]
    assert said[0].action is not None
    for x in said:
        for word in CODE_WORDS:
            assert word not in x.text.zh and (x.action is None or word not in x.action.zh)


def test_attribution_share_names_columns_by_display_name():
    from szai_audit.core.policy import Policy
    from szai_audit.explain.findings import attribution_share

    summary = _summary()
    f = attribution_share(summary, "gender", "purpose", ["duration_months"], Policy())
    assert "贷款用途" in f.message.zh and "贷款期限 12.0%" in f.message.zh
    assert "purpose" not in f.message.zh and "duration_months" not in f.message.zh
    assert "容许" in f.message.zh
    unused = attribution_share(summary, "gender", "sex", [], Policy())
    assert "“sex”" in unused.message.zh  # no display name: the raw name, quoted
