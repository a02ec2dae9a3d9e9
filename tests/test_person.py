"""One person's decision explained (Art. 71; PIPL Art. 24(3)): the principal reasons from the
exact contributions, and recourse verified against the model."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

import szai_audit as sa
from szai_audit.explain.person import person_notice


@pytest.fixture(scope="module")
def lending():
    rng = np.random.default_rng(0)
    n = 800
    X = pd.DataFrame(
        {
            "income": rng.normal(5, 2, n),
            "debts": rng.integers(0, 6, n),
            "age": rng.integers(18, 70, n),
            "region": rng.choice(["north", "south", "east"], n),
        }
    )
    X["region_code"] = X["region"].map({"north": 0, "south": 1, "east": 2})
    inputs = X[["income", "debts", "age", "region_code"]]
    y = (
        inputs["income"] - 0.8 * inputs["debts"] + 0.3 * inputs["region_code"] + rng.normal(size=n)
        > 2.5
    ).astype(int)
    return inputs, LogisticRegression().fit(inputs, y)


def _refused(model, X, k=0):
    return X.index[model.predict(X) == 0][k]


def test_reasons_are_the_exact_contributions(lending):
    """For a logistic regression the contribution of input j is w_j (x_j - mean_j) on the
    log-odds scale, the mean over the background drawn from the seed: the reasons are the
    most negative ones, in order, with those values."""
    X, model = lending
    who = _refused(model, X)
    p = person_notice(model, X, who, n_reasons=4, background_size=100, random_state=3)
    bg = np.sort(np.random.default_rng(3).choice(len(X), 100, replace=False))
    expected = model.coef_[0] * (X.loc[who].to_numpy() - X.iloc[bg].to_numpy().mean(axis=0))
    expected = pd.Series(expected, index=X.columns)
    against = expected[expected < 0].sort_values()
    assert [r.column for r in p.reasons] == list(against.index[:4])
    for r in p.reasons:
        assert r.contribution == pytest.approx(expected[r.column], rel=1e-9)
    assert not p.favourable and p.decision == 0
    assert p.score == pytest.approx(model.predict_proba(X.loc[[who]])[0, 1])


def test_recourse_flips_the_model_and_respects_the_limits(lending):
    X, model = lending
    who = _refused(model, X)
    p = person_notice(
        model,
        X,
        who,
        immutable=["age"],
        sensitive=["region_code"],
        actionable={"income": "increase", "debts": "decrease"},
    )
    assert p.recourse, p.recourse_note.en
    before = X.loc[who]
    for option in p.recourse:
        row = X.loc[[who]].copy()
        for ch in option.changes:
            assert ch.column in ("income", "debts")
            row[ch.column] = ch.after
            assert (
                (ch.after > before[ch.column])
                if ch.column == "income"
                else (ch.after < before[ch.column])
            )
        assert model.predict(row)[0] == 1 == option.decision_after  # verified by the model
    # Options are diverse (different sets of columns) and cheapest first.
    sets = [frozenset(c.column for c in o.changes) for o in p.recourse]
    assert len(set(sets)) == len(sets)
    costs = [o.cost for o in p.recourse]
    assert costs == sorted(costs)
    # The cheapest income-only change is narrowed to the model's boundary: for a logistic
    # regression, the income at which the score is one half, w·x + b = 0 (closed form).
    only = next(o for o in p.recourse if sets[p.recourse.index(o)] == {"income"})
    w = pd.Series(model.coef_[0], index=X.columns)
    boundary = -(model.intercept_[0] + (w * before).sum() - w["income"] * before["income"])
    boundary /= w["income"]
    grid = np.unique(np.quantile(X["income"], np.linspace(0, 1, 21)))
    gap = np.diff(grid).max()
    assert boundary <= only.changes[0].after <= boundary + gap / 2**8
    # The sensitive column is never a reason.
    assert all(r.column != "region_code" for r in p.reasons)


def test_no_recourse_is_said_plainly(lending):
    X, model = lending
    who = _refused(model, X)
    p = person_notice(model, X, who, actionable={"age": "increase"})  # age barely counts
    assert p.recourse == ()
    assert "no change was found" in p.recourse_note.en and "没有找到" in p.recourse_note.zh
    assert "no change was found" in p.text("en")


def test_a_favourable_decision_gives_the_reasons_for_it(lending):
    X, model = lending
    granted = X.index[model.predict(X) == 1][0]
    p = person_notice(model, X, granted)
    assert p.favourable and p.recourse == ()
    assert all(r.contribution > 0 for r in p.reasons)
    assert p.text("zh").startswith("模型对您作出了有利的决定")


def test_words_in_both_languages_with_labels(lending):
    X, model = lending
    who = _refused(model, X)
    p = person_notice(
        model,
        X,
        who,
        feature_labels={"income": ("月收入", "monthly income", "千元/thousand yuan")},
        actionable={"income": "increase"},
    )
    zh, en = p.text("zh"), p.text("en")
    assert "月收入" in zh and "千元" in zh and "monthly income" in en and "thousand yuan" in en
    assert "because" not in en.lower() and "因为" not in zh  # the model's weights, not causes
    assert "income" not in zh  # no column names in Chinese sentences


def test_same_seed_same_result_and_data_untouched(lending):
    X, model = lending
    copy = X.copy()
    who = _refused(model, X, 3)
    a = person_notice(model, X, who, random_state=5)
    b = person_notice(model, X, who, random_state=5)
    assert a.text("en") == b.text("en") and a.recourse == b.recourse
    pd.testing.assert_frame_equal(X, copy)


@pytest.mark.parametrize(
    ("kw", "error", "match"),
    [
        ({"actionable": {"nope": "any"}}, sa.errors.ColumnNotFoundError, "nope"),
        ({"actionable": {"income": "up"}}, sa.errors.InputError, "increase"),
        ({"immutable": ["income"], "actionable": {"income": "any"}}, sa.errors.InputError, "both"),
        ({"sensitive": ["sex"]}, sa.errors.ColumnNotFoundError, "sex"),
        ({"n_reasons": 0}, sa.errors.InputTypeError, "n_reasons"),
    ],
)
def test_bad_arguments_are_named(lending, kw, error, match):
    X, model = lending
    with pytest.raises(error, match=match):
        person_notice(model, X, _refused(model, X), **kw)


def test_a_row_that_is_not_in_data_is_named(lending):
    X, model = lending
    with pytest.raises(sa.errors.InputError, match="not in data's index"):
        person_notice(model, X, 10**9)
    p = person_notice(model, X, X.iloc[0])  # a Series works
    assert p.decision in (0, 1)


def test_explain_person_on_an_audit_result(credit_demo):
    """From the demo audit: its display names and value labels, and the grounds among the
    inputs and their proxies kept out of the reasons and the changes."""
    result = credit_demo
    model, X = result.inputs
    refused = X.index[model.predict(X) == 0][0]
    p = result.explain_person(refused, immutable=["age"])
    hidden = set(result.sensitive_inputs(X))
    assert {"foreign_worker", "age", "personal_status"} <= hidden  # grounds and a proxy
    assert not p.favourable and p.reasons
    assert all(r.column not in hidden for r in p.reasons)
    assert all(c.column not in hidden for o in p.recourse for c in o.changes)
    for option in p.recourse:
        row = X.loc[[refused]].copy()
        for ch in option.changes:
            row[ch.column] = ch.after
        assert model.predict(row)[0] == 1
    text = p.text("zh")
    assert all(name not in text for name in X.columns)  # display names, not columns
    text_columns = [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])]
    raw = [str(v) for c in text_columns for v in X[c].unique()]
    assert raw and not any(f"“{v}”" in text for v in raw)  # value labels, not raw codes


def test_explain_person_needs_a_model():
    rng = np.random.default_rng(0)
    result = sa.Audit(
        y_pred=rng.integers(0, 2, 100), sensitive={"gender": rng.choice(["f", "m"], 100)}
    ).run()
    with pytest.raises(sa.errors.UnsupportedError, match="explain_person"):
        result.explain_person(0)


def test_a_change_of_two_columns_when_no_single_one_works():
    """A rule that approves only a high income with few debts: no single change flips a
    low-income, indebted person; the pair search finds one that changes both."""
    rng = np.random.default_rng(2)
    X = pd.DataFrame({"income": rng.uniform(0, 10, 400), "debts": rng.integers(0, 6, 400)})
    rule = sa.CallableModel(lambda f: ((f["income"] > 7) & (f["debts"] < 2)).astype(int))
    person = pd.Series({"income": 4.0, "debts": 4}).astype(object)
    p = person_notice(
        rule, X, person, actionable={"income": "increase", "debts": "decrease"}, background_size=10
    )
    assert p.recourse, p.recourse_note.en
    for option in p.recourse:
        changed = {c.column: c.after for c in option.changes}
        assert set(changed) == {"income", "debts"}
        assert changed["income"] > 7 and changed["debts"] < 2  # what the rule asks, verified
