"""Issue 30, item 1 (the audit's finding): ``fairness.protected_turned`` counts the decisions
that would change without the contributions of the inputs tied to protected grounds, with
Clopper-Pearson's exact interval, and the result flags them. Checked against the closed form
of a logistic model on raw numbers (a contribution is ``w_j (x_j - mean x_j)`` on the
log-odds, the mean over the background), against scipy's exact interval, and against the
notices' own flag (``PersonExplanation.turned``) person by person."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binomtest
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.svm import LinearSVC

import szai_audit as sa
from szai_audit.core.errors import InputError
from szai_audit.core.stats import clopper_pearson
from szai_audit.explain.person import Cutoff, decision_cutoff
from szai_audit.explain.turned import ScoreRange, protected_turned
from szai_audit.fairness.checks import TURNED
from szai_audit.fairness.findings.turned import TurnedCounts, turned_finding

N = 400


def _synthetic(n=N, seed=1):
    """Income, debts, a protected 0/1 column and a proxy of it (rows labelled "p0", "p1",
    ...), and an outcome that depends on all four."""
    rng = np.random.default_rng(seed)
    group = rng.integers(0, 2, n)
    X = pd.DataFrame(
        {
            "income": rng.normal(5, 2, n),
            "debts": rng.integers(0, 6, n).astype(float),
            "group": group,
            "proxy": group + rng.normal(0, 0.5, n),
        },
        index=[f"p{i}" for i in range(n)],
    )
    logit = X["income"] - 0.8 * X["debts"] - 1.2 * X["group"] - 0.6 * X["proxy"] - 0.5
    y = (logit + rng.logistic(size=n) > 0).astype(int)
    return X, y


def _audit(model, X, y, policy=None, **kwargs):
    """An audit whose background is every row (the closed form's mean)."""
    policy = policy or sa.Policy(explain_background_size=len(X), n_bootstrap=200)
    return sa.Audit(
        model, X, y, sensitive={"gender": "group"}, policy=policy, verbose=False, **kwargs
    ).run(random_state=0)


def _finding(result):
    return next(f for f in result.findings if f.check == TURNED.id)


def _closed_form(model, X, tied, cut=None):
    """The decisions turned, from the model's coefficients: the log-odds less
    ``w_j (x_j - mean x_j)`` of every tied input, against the cut-off (0.5, or ``cut``
    inclusive), and the favourable decisions."""
    w = dict(zip(X.columns, model.coef_[0], strict=True))
    logit = model.decision_function(X)
    without = logit - sum(w[c] * (X[c] - X[c].mean()).to_numpy() for c in tied)
    if cut is None:
        return (without > 0) != (logit > 0), logit > 0
    p, q = 1 / (1 + np.exp(-logit)), 1 / (1 + np.exp(-without))
    return (q >= cut) != (p >= cut), p >= cut


@pytest.fixture(scope="module")
def synthetic():
    X, y = _synthetic()
    model = LogisticRegression(C=1e6, max_iter=2000).fit(X, y)
    return X, y, model, _audit(model, X, y)


def test_the_count_is_the_closed_form_and_the_interval_scipy_s(synthetic):
    X, _y, model, result = synthetic
    tied = result.protected_inputs(X)
    assert set(tied) == {"group", "proxy"}  # the ground's column and its proxy
    expected, favourable = _closed_form(model, X, tied)
    assert expected.sum() >= 10  # the check means something
    f = _finding(result)
    k = int(expected.sum())
    assert f.status is sa.Status.WARN and f.ground is None
    assert f.details["turned"] == k and f.details["explained"] == N
    assert f.details["to_favourable"] == int((expected & ~favourable).sum())
    assert f.details["to_unfavourable"] == int((expected & favourable).sum())
    assert f.value == pytest.approx(k / N) and f.threshold == 0.0
    ci = binomtest(k, N).proportion_ci(0.95, method="exact")
    assert f.ci == pytest.approx((ci.low, ci.high), abs=1e-10)
    assert f.details["ci_level"] == 0.95 and not f.details["sampled"]
    # the flags, over the audited data's own labels
    flags = result.turned_decisions()
    assert list(flags.index) == list(X.index) and flags.dtype == bool
    assert np.array_equal(flags.to_numpy(), expected)
    assert f"{k} " in f.message.en and f"{k} 个" in f.message.zh


def test_each_flag_is_the_notice_s(synthetic):
    """The audit's flag of each person is the ``turned`` of their notice, by default."""
    X, _, _, result = synthetic
    flags = result.turned_decisions()
    people = result.explain_people(list(X.index))
    assert [p.turned for p in people] == flags.tolist()


def test_each_ground_alone_and_the_inputs_named(synthetic):
    X, _, model, result = synthetic
    f = _finding(result)
    assert f.details["by_ground"] == {"gender": f.details["turned"]}  # one ground: all
    assert f.details["inputs"] == {"group": ["gender"], "proxy": ["gender"]}
    assert f.details["own"] == ["group"] and f.details["unused"] == []
    # taking off the proxy alone is another count, computed the same way
    alone, _ = _closed_form(model, X, ["proxy"])
    found = protected_turned(
        model, X, {"proxy": ["gender"]}, background_size=len(X), random_state=0
    )
    assert int(found.turned.sum()) == int(alone.sum())


def test_a_sample_of_the_rows_is_said_to_be_one(synthetic):
    """With more rows than ``explain_sample_size``, a random sample is explained: its count,
    scipy's interval on it, and the notices' flags of the same people."""
    X, y, model, _ = synthetic
    result = _audit(model, X, y, sa.Policy(explain_sample_size=100, explain_background_size=N))
    f = _finding(result)
    flags = result.turned_decisions()
    assert len(flags) == 100 and f.details["sampled"] and f.details["audited"] == N
    assert set(flags.index) <= set(X.index)
    assert [X.index.get_loc(i) for i in flags.index] == sorted(
        X.index.get_loc(i) for i in flags.index
    )
    expected, _ = _closed_form(model, X, result.protected_inputs(X))
    assert np.array_equal(flags.to_numpy(), expected[[X.index.get_loc(i) for i in flags.index]])
    ci = binomtest(int(flags.sum()), 100).proportion_ci(0.95, method="exact")
    assert f.ci == pytest.approx((ci.low, ci.high), abs=1e-10)
    assert "drawn at random" in f.message.en and "随机抽取" in f.message.zh
    assert f"all {N} decisions audited" in f.message.en
    assert [p.turned for p in result.explain_people(list(flags.index))] == flags.tolist()


def test_a_model_that_drops_the_ground_and_its_proxy_turns_none():
    X, y = _synthetic()
    model = Pipeline(
        [
            ("drop", ColumnTransformer([("keep", "passthrough", ["income", "debts"])])),
            ("lr", LogisticRegression()),
        ]
    ).fit(X, y)
    result = _audit(model, X, y)
    f = _finding(result)
    assert f.status is sa.Status.PASS and f.value == 0.0
    assert f.details["used"] == 0 and set(f.details["unused"]) == {"group", "proxy"}
    assert "weigh on none" in f.message.en and "均无影响" in f.message.zh
    assert not result.turned_decisions().any()


def test_a_model_that_uses_the_ground_but_turns_none_passes_and_says_so():
    """A tiny weight on the ground: used in every decision, no decision turns on it."""
    X, y = _synthetic()
    model = LogisticRegression(max_iter=2000).fit(X[["income", "debts", "group"]], y)
    model.coef_[0, 2] = 1e-9
    data = X[["income", "debts", "group"]]
    result = sa.Audit(
        model, data, y, sensitive={"gender": "group"}, verbose=False,
        policy=sa.Policy(explain_background_size=N, n_bootstrap=200),
    ).run(random_state=0)  # fmt: skip
    f = _finding(result)
    assert f.status is sa.Status.PASS and f.details["turned"] == 0
    assert f.details["used"] == N
    assert f"in {N}, but none would change" in f.message.en
    high = binomtest(0, N).proportion_ci(0.95, method="exact").high
    assert f.ci == pytest.approx((0.0, high), abs=1e-10)


def test_a_threshold_of_the_audit_is_the_cut_off(synthetic):
    """``Audit(threshold=0.3)``: decisions at a score of 0.3 or above; a decision turns when
    the probability less the inputs' contributions falls on the other side of 0.3."""
    X, y, model, at_half = synthetic
    result = _audit(model, X, y, threshold=0.3)
    tied = result.protected_inputs(X)
    expected, _ = _closed_form(model, X, tied, cut=0.3)
    f = _finding(result)
    assert f.details["turned"] == int(expected.sum())
    assert f.details["turned"] != _finding(at_half).details["turned"]
    assert np.array_equal(result.turned_decisions().to_numpy(), expected)
    people = result.explain_people(list(X.index[:50]))
    assert people[0].cutoff == Cutoff(0.3, True)
    assert [p.turned for p in people] == result.turned_decisions().iloc[:50].tolist()


def test_a_score_function_without_predict_proba_is_read_at_its_threshold():
    """A function returning scores, additive on the probability scale: the permutation
    explanation is exact (``0.2 (g - mean g)`` over its 50 background rows, here rows 0 to
    49, the first 50 of a background of every row); decisions at 0.4 or above."""
    rng = np.random.default_rng(3)
    X = pd.DataFrame({"x": rng.uniform(0, 1, 100), "g": rng.integers(0, 2, 100)})
    model = sa.CallableModel(lambda d: 0.2 + 0.3 * d["x"] + 0.2 * d["g"], output="score")
    result = sa.Audit(
        model, X, sensitive={"gender": "g"}, threshold=0.4, verbose=False, recourse=False,
        policy=sa.Policy(explain_background_size=100, n_bootstrap=100, min_group_size=20),
    ).run(random_state=0)  # fmt: skip
    p = 0.2 + 0.3 * X["x"] + 0.2 * X["g"]
    without = p - 0.2 * (X["g"] - X["g"].iloc[:50].mean())
    expected = (without >= 0.4) != (p >= 0.4)
    assert expected.sum() >= 5
    f = _finding(result)
    assert f.details["turned"] == int(expected.sum())
    assert np.array_equal(result.turned_decisions().to_numpy(), expected.to_numpy())


def test_a_decision_score_without_a_probability_is_not_assessed():
    X, y = _synthetic()
    result = _audit(LinearSVC().fit(X, y), X, y)
    f = _finding(result)
    assert f.status is sa.Status.NOT_ASSESSED and f.details["reason"] == "no_cutoff"
    assert "single cut-off" in f.message.en and result.turned_decisions() is None


def test_a_multiclass_model_is_not_assessed():
    X, y = _synthetic()
    rng = np.random.default_rng(0)
    labels = np.where(y == 1, "approve", np.where(rng.random(N) < 0.5, "refer", "decline"))
    model = LogisticRegression(max_iter=2000).fit(X, labels)
    # The cut-off is looked for on every decision; a small sample keeps the permutation
    # explanations quick (the reason does not depend on it).
    result = sa.Audit(
        model, X, labels, favorable_label="approve", sensitive={"gender": "group"},
        verbose=False, policy=sa.Policy(n_bootstrap=200, explain_sample_size=40),
    ).run(random_state=0)  # fmt: skip
    f = _finding(result)
    assert f.status is sa.Status.NOT_ASSESSED and f.details["reason"] == "no_cutoff"


def test_no_model_and_no_tied_input_are_not_assessed_with_the_reason():
    X, y = _synthetic()
    given = sa.Audit(data=X, y_pred=y, sensitive={"gender": "group"}, verbose=False).run()
    f = _finding(given)
    assert f.status is sa.Status.NOT_ASSESSED and f.details["reason"] == "no_model"
    assert given.turned_decisions() is None
    # the ground is not an input, and no input stands in for it
    inputs = X[["income", "debts"]]
    model = LogisticRegression().fit(inputs, y)
    unrelated = np.random.default_rng(5).integers(0, 2, N)
    result = sa.Audit(
        model, inputs, y, sensitive={"gender": unrelated}, verbose=False,
        policy=sa.Policy(n_bootstrap=200),
    ).run(random_state=0)  # fmt: skip
    f = _finding(result)
    assert f.status is sa.Status.NOT_ASSESSED and f.details["reason"] == "no_inputs"
    assert "性别" in f.message.zh and "proxy check" in f.message.en
    model = LogisticRegression().fit(X, y)
    off = sa.Audit(
        model, X, y, sensitive={"gender": "group"}, explain=False, verbose=False,
        policy=sa.Policy(n_bootstrap=200),
    ).run(random_state=0)  # fmt: skip
    assert _finding(off).details["reason"] == "not_explained"


def test_the_credit_demo_count_is_the_notices_count(credit_demo):
    """Every audited applicant of the demo: the finding's count is the number of notices
    flagged ``turned``; the report and the JSON hold counts, never a row."""
    _model, X = credit_demo.inputs
    flags = credit_demo.turned_decisions()
    assert list(flags.index) == list(X.index)  # every audited row (300 < explain_sample_size)
    people = credit_demo.explain_people(list(flags.index))
    turned = [p.turned for p in people]
    f = _finding(credit_demo)
    assert sum(turned) == f.details["turned"] == int(flags.sum()) > 0
    assert turned == flags.tolist()
    up = sum(t and not p.favourable for t, p in zip(turned, people, strict=True))
    assert f.details["to_favourable"] == up
    assert f.status is sa.Status.WARN
    # the inputs named are those the model uses: sex is in the data, unused
    assert f.details["unused"] == ["sex"] and "“sex”" not in f.message.zh
    doc = credit_demo.to_dict()
    (saved,) = [g for g in doc["findings"] if g["check"] == TURNED.id]
    assert saved["details"]["turned"] == f.details["turned"]
    text = json.dumps(doc)
    assert "turned_flags" not in text and str(X.index[0]) not in saved["details"].values()
    page = credit_demo.to_html(lang="en")
    assert f"{f.details['turned']} of {len(X)} decisions" in page  # page 1
    assert "flagged in the notices of the people concerned" in page  # its action


def test_the_data_is_not_changed(synthetic):
    X, _y = _synthetic()
    before = X.copy()
    protected_turned(synthetic[2], X, {"group": ["gender"]}, max_rows=50)
    pd.testing.assert_frame_equal(X, before)


@pytest.mark.parametrize("k, n", [(0, 1), (0, 300), (26, 300), (300, 300), (1, 2), (7, 9)])
@pytest.mark.parametrize("level", [0.9, 0.95, 0.99])
def test_clopper_pearson_is_scipy_s_exact_interval(k, n, level):
    ci = binomtest(k, n).proportion_ci(level, method="exact")
    assert clopper_pearson(k, n, level) == pytest.approx((ci.low, ci.high), abs=1e-10)


def test_clopper_pearson_refuses_impossible_counts():
    with pytest.raises(InputError, match="0 <= k <= n"):
        clopper_pearson(3, 2, 0.95)
    with pytest.raises(InputError, match="level"):
        clopper_pearson(1, 2, 95)


def test_the_messages_of_the_rule():
    """WARN names both directions and each ground alone; PASS says whether the inputs were
    used; a sample says what its interval is for."""
    policy = sa.Policy()
    tied = {"sex": ["gender"], "age": ["age", "gender"], "purpose": ["nationality"]}
    warn = turned_finding(
        TurnedCounts(300, 300, 26, 3, 290, {"gender": 20, "age": 5, "nationality": 9}, tied,
                     own=["sex", "age"]),
        policy, {"purpose": ("贷款用途", "loan purpose")},
    )  # fmt: skip
    assert warn.status is sa.Status.WARN
    assert "29 个" in warn.message.zh and "26 个不利决定会变为有利，3 个有利决定会变为不利" in (
        warn.message.zh
    )
    assert "以及代理变量“贷款用途”" in warn.message.zh
    assert "gender 20, age 5 and nationality 9" in warn.message.en
    assert warn.message.zh.endswith("结论：警示。")
    sampled = turned_finding(TurnedCounts(100, 5000, 0, 0, 80, inputs=tied), policy)
    assert sampled.status is sa.Status.PASS and sampled.details["sampled"]
    assert "5,000" in sampled.message.en and sampled.message.zh.endswith("结论：通过。")
    assert "in 80, but none would change" in sampled.message.en


def test_data_read_in_parts_gives_the_same_finding_and_flags(synthetic):
    """A Dask DataFrame: the rows and the background drawn from the number of rows alone,
    the cut-off verified on the range of scores gathered part by part; the same finding and
    flags as in memory, on a sample of the rows."""
    dask = pytest.importorskip("dask")
    import dask.dataframe as dd

    X, y, model, _ = synthetic
    policy = sa.Policy(explain_sample_size=150, explain_background_size=50, n_bootstrap=200)
    mem = _audit(model, X, y, policy)
    with dask.config.set({"dataframe.convert-string": False, "scheduler": "synchronous"}):
        parts = dd.from_pandas(X.assign(outcome=y), npartitions=3, sort=False)
        chunked = sa.Audit(
            model, parts, "outcome", sensitive={"gender": "group"}, policy=policy,
            verbose=False,
        ).run(random_state=0)  # fmt: skip
    a, b = _finding(mem), _finding(chunked)
    assert a.status is b.status is sa.Status.WARN and a.details["sampled"]
    assert a.details == b.details and a.ci == b.ci and a.message == b.message
    pd.testing.assert_series_equal(mem.turned_decisions(), chunked.turned_decisions())


def test_the_range_of_scores_finds_the_cut_off_the_notices_find():
    """``ScoreRange`` (gathered part by part) gives ``decision_cutoff`` of all the decisions,
    for cut-offs met, broken, at ties and with a threshold given."""
    rng = np.random.default_rng(7)
    for trial in range(400):
        n = int(rng.integers(1, 40))
        score = np.round(rng.uniform(0, 1, n), 1)  # ties at 0.5 and at the given value
        given = [None, 0.3, 0.5][trial % 3]
        cut = 0.5 if given is None else given
        favourable = score > cut if trial % 4 else score >= cut
        if trial % 5 == 0:  # a decision against the cut-off
            favourable = favourable.copy()
            favourable[0] = ~favourable[0]
        expected = decision_cutoff(score, favourable, given)
        whole = ScoreRange.of(score, favourable)
        split = int(rng.integers(0, n + 1))
        merged = ScoreRange().merge(ScoreRange.of(score[:split], favourable[:split]))
        merged = merged.merge(ScoreRange.of(score[split:], favourable[split:]))
        assert whole.cutoff(given) == expected == merged.cutoff(given), (score, favourable)
    assert ScoreRange.of(None, np.array([True])) is None
    assert ScoreRange.of(np.array([np.nan, 0.7]), np.array([False, True])).cutoff(None) is None
