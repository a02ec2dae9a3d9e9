"""A multiclass model is audited one class against the rest: ``favorable_label`` names the
favourable class, every other class is the unfavourable decision. The result equals the audit
of the same model binarised by hand, in memory and on a Dask DataFrame.

Each test compares two audits of the same decisions run with the same seed, equal at any number
of bootstrap resamples: they run at ``fast_policy()`` (tests/conftest.py), on one thread."""

from __future__ import annotations

import dask.dataframe as dd
import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.svm import LinearSVC

import szai_audit as sa

GROUNDS = {"gender": "sex", "age": "age"}
FAVOURABLE = "approve"

pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.fixture(scope="module")
def three_classes():
    rng = np.random.default_rng(0)
    n = 3000
    X = pd.DataFrame(
        {"income": rng.normal(size=n), "sex": rng.integers(0, 2, n), "age": rng.integers(18, 70, n)}
    )
    z = X["income"] + 0.4 * X["sex"] + rng.normal(size=n)
    y = pd.Series(np.where(z > 0.8, "approve", np.where(z > -0.3, "refer", "decline")))
    return X, y, LogisticRegression(max_iter=1000).fit(X, y)


class _ByHand(BaseEstimator, ClassifierMixin):
    """The multiclass model as a binary one: approve (1) or not (0)."""

    def __init__(self, model):
        self.model = model

    @property
    def classes_(self):
        return np.array([0, 1])

    def predict(self, X):
        return (self.model.predict(X) == FAVOURABLE).astype(int)

    def predict_proba(self, X):
        p = self.model.predict_proba(X)[:, list(self.model.classes_).index(FAVOURABLE)]
        return np.c_[1 - p, p]


def _same_findings(a, b):
    assert [(f.check, f.ground, f.status) for f in a.findings] == [
        (f.check, f.ground, f.status) for f in b.findings
    ]
    for fa, fb in zip(a.findings, b.findings, strict=True):
        if isinstance(fa.value, float) and isinstance(fb.value, float):
            assert fa.value == pytest.approx(fb.value, rel=1e-9, nan_ok=True), fa.check
        else:
            assert fa.value == fb.value, fa.check


@pytest.mark.slow
def test_one_class_against_the_rest_equals_binarising_by_hand(three_classes, fast_policy):
    X, y, model = three_classes
    kw = {"sensitive": GROUNDS, "policy": fast_policy()}
    multi = sa.Audit(model, X, y, favorable_label=FAVOURABLE, **kw).run()
    binary = sa.Audit(_ByHand(model), X, (y == FAVOURABLE).astype(int), **kw).run()
    _same_findings(multi, binary)
    assert multi.scope.labels == ("approve", "decline", "refer")
    assert multi.scope.positive_label == FAVOURABLE
    assert "one class against the rest: 'approve' is the favourable decision" in (
        multi.scope.decision_rule
    )
    rates = multi.fairness.group_metrics["gender"].by_group["selection_rate"]
    expected = pd.Series(model.predict(X) == FAVOURABLE).groupby(X["sex"].to_numpy()).mean()
    np.testing.assert_allclose(rates.to_numpy(), expected.to_numpy())
    # The flip test counts a decision as changed when it crosses approve / not approve
    # (refer -> decline is the same unfavourable decision).
    flips = multi.fairness.flips["gender"].pairs
    row = flips.iloc[0]
    rows = X[X["sex"].astype(str) == row["from_group"]]
    before = model.predict(rows) == FAVOURABLE
    after = model.predict(rows.assign(sex=row["value"])) == FAVOURABLE
    assert row["changed"] == pytest.approx(np.mean(before != after))


@pytest.mark.slow
def test_decisions_given_and_a_model_without_probabilities(three_classes, fast_policy):
    X, y, model = three_classes
    kw = {
        "favorable_label": FAVOURABLE,
        "sensitive": GROUNDS,
        "policy": fast_policy(),
    }
    given = sa.Audit(data=X, y_true=y, y_pred=model.predict(X), **kw).run()
    assert given.scope.positive_label == FAVOURABLE
    modelled = sa.Audit(model, X, y, **kw).run()
    rates = [c for c in given.fairness.group_metrics["gender"].by_group if "score" not in c]
    pd.testing.assert_frame_equal(
        given.fairness.group_metrics["gender"].by_group[rates],
        modelled.fairness.group_metrics["gender"].by_group[rates],
    )  # the same decisions given or made: the same rates (scores only with the model)
    svc = LinearSVC().fit(X, y)  # decision_function of shape (n, 3)
    result = sa.Audit(svc, X, y, **kw).run()
    assert result.scope.has_scores
    column = list(svc.classes_).index(FAVOURABLE)
    score = svc.decision_function(X)[:, column]
    for sex, auc in result.fairness.score_metrics["gender"].by_group["auc"].items():
        rows = (X["sex"] == int(sex)).to_numpy()
        expected = roc_auc_score(y[rows] == FAVOURABLE, score[rows])
        assert auc == pytest.approx(expected, rel=1e-9)  # AUC of the favourable class's column


def test_a_favourable_label_that_is_no_class_is_refused(three_classes):
    X, y, model = three_classes
    with pytest.raises(sa.errors.TargetError, match="one class against the rest"):
        sa.Audit(model, X, y, favorable_label="yes", sensitive=GROUNDS).run()


@pytest.mark.slow
def test_on_a_dask_dataframe_equals_in_memory(three_classes, fast_policy):
    X, y, model = three_classes
    kw = {
        "favorable_label": FAVOURABLE,
        "sensitive": GROUNDS,
        "recourse": False,
        "policy": fast_policy(),
    }
    mem = sa.Audit(model, X, y, **kw).run()
    ddf = dd.from_pandas(X.assign(outcome=y.to_numpy()), npartitions=3)
    chunked = sa.Audit(model, ddf, "outcome", **kw).run()
    _same_findings(mem, chunked)
    assert chunked.scope.decision_rule == mem.scope.decision_rule
