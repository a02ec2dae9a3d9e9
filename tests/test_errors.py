"""Bad input gets a specific exception, under SzaiAuditError, naming the parameter and the fix."""

from __future__ import annotations

import inspect

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

import szai_audit as sa
from szai_audit import errors


@pytest.fixture(scope="module")
def case():
    rng = np.random.default_rng(1)
    n = 200
    X = pd.DataFrame({"x": rng.normal(size=n), "sex": np.where(rng.random(n) < 0.5, "f", "m")})
    y = (X["x"] > 0).astype(int)
    model = LogisticRegression().fit(X[["x"]], y)
    return X, y, model


def test_every_error_derives_from_the_base_class():
    classes = [
        c for _, c in inspect.getmembers(errors, inspect.isclass) if issubclass(c, Exception)
    ]
    assert len(classes) == len(errors.__all__)
    for cls in classes:
        assert issubclass(cls, errors.SzaiAuditError)
    assert issubclass(errors.InputError, ValueError)
    assert issubclass(errors.InputTypeError, TypeError)
    # The tree is documented in the module docstring.
    for name in errors.__all__:
        assert name in errors.__doc__


def test_length_mismatch(case):
    X, y, _ = case
    with pytest.raises(errors.LengthMismatchError, match=r"y_true has 199 rows but data has 200"):
        sa.Audit(y_pred=y, data=X, y_true=y.iloc[:-1], sensitive={"gender": "sex"}).run()
    with pytest.raises(errors.LengthMismatchError, match=r"sensitive\['gender'\] has 10 rows"):
        sa.Audit(y_pred=y, data=X, sensitive={"gender": ["f"] * 10}).run()


def test_shuffled_index_is_paired_by_label(case):
    X, y, _ = case
    shuffled = y.sample(frac=1.0, random_state=0)
    kw = {"y_pred": y, "data": X, "sensitive": {"gender": "sex"}}
    paired = sa.Audit(y_true=shuffled, **kw).run().fairness.group_metrics["gender"]
    assert paired.overall["accuracy"] == 1.0
    with pytest.raises(errors.LengthMismatchError, match=r"reindex\(data.index\)"):
        sa.Audit(y_true=shuffled.set_axis(shuffled.index + 1), **kw).run()


def test_unknown_column_suggests_close_names(case):
    X, y, _ = case
    with pytest.raises(errors.ColumnNotFoundError, match=r"'sexx'.*Did you mean \['sex'\]"):
        sa.Audit(y_pred=y, data=X, sensitive={"gender": "sexx"}).run()


def test_non_binary_target(case):
    X, _, _ = case
    y3 = np.array(["low", "mid", "high"])[np.arange(len(X)) % 3]
    with pytest.raises(errors.TargetError, match=r"3 labels.*one class against the rest"):
        sa.Audit(y_pred=np.roll(y3, 1), y_true=y3, data=X, sensitive={"gender": "sex"}).run()
    with pytest.raises(errors.TargetError, match=r"have none in common"):
        sa.Audit(y_pred=np.ones(len(X), int), y_true=y3, data=X, sensitive={"gender": "sex"}).run()


def test_favorable_label_not_among_labels(case):
    X, y, _ = case
    with pytest.raises(errors.TargetError, match=r"favorable_label='good' is not among the labels"):
        sa.Audit(
            y_pred=y, y_true=y, data=X, favorable_label="good", sensitive={"gender": "sex"}
        ).run()


def test_single_group(case):
    X, y, _ = case
    with pytest.raises(errors.SensitiveAttributeError, match=r"single group 'f'.*at least two"):
        sa.Audit(y_pred=y, data=X, sensitive={"gender": ["f"] * len(X)}).run()


def test_nan_predictions_given_and_from_model(case):
    X, y, _model = case
    bad = y.astype(float).copy()
    bad.iloc[3] = np.nan
    with pytest.raises(errors.PredictionError, match=r"y_pred has 1 missing values"):
        sa.Audit(y_pred=bad, data=X, sensitive={"gender": "sex"}).run()
    nan_model = sa.CallableModel(lambda f: np.where(f["x"] > 1, np.nan, 0.5), output="score")
    with pytest.raises(errors.PredictionError, match=r"missing values \(NaN\)"):
        sa.Audit(model=nan_model, data=X, sensitive={"gender": "sex"}).run()
    with pytest.raises(errors.PredictionError, match="y_score has 1 NaN"):
        sa.Audit(y_score=bad, data=X, sensitive={"gender": "sex"}).run()


def test_nan_outcomes(case):
    X, y, _ = case
    bad = y.astype(float).copy()
    bad.iloc[0] = np.nan
    with pytest.raises(errors.TargetError, match=r"y_true has 1 missing values.*y_true=None"):
        sa.Audit(y_pred=y, y_true=bad, data=X, sensitive={"gender": "sex"}).run()


def test_model_problems(case):
    X, y, model = case
    with pytest.raises(errors.ModelError, match="no predict method and is not callable"):
        sa.Audit(model=42, data=X, sensitive={"gender": "sex"}).run()
    with pytest.raises(errors.ModelError, match="not fitted"):
        sa.Audit(model=LogisticRegression(), data=X, sensitive={"gender": "sex"}).run()
    # The model was trained on column x only; data lacking it fails with a clear message.
    with pytest.raises(errors.ModelError, match="raw input columns"):
        sa.Audit(model=model, data=X[["sex"]], sensitive={"gender": "sex"}).run()
    with pytest.raises(errors.InputError, match="not both"):
        sa.Audit(model=model, data=X, y_pred=y, sensitive={"gender": "sex"}).run()
    with pytest.raises(errors.InputError, match="without data"):
        sa.Audit(model=model, sensitive={"gender": ["f", "m"]}).run()


def test_settings_errors(case):
    X, y, _ = case
    with pytest.raises(errors.InputError, match="nothing to audit"):
        sa.Audit(data=X, sensitive={"gender": "sex"}).run()
    # 0/1 outputs are not prices: a pricing audit refuses them by name.
    with pytest.raises(errors.PredictionError, match="not positive numbers"):
        sa.Audit(y_pred=y, data=X, task="pricing", sensitive={"gender": "sex"}).run()
    with pytest.raises(errors.InputError, match="task must be one of"):
        sa.Audit(y_pred=y, data=X, task="astrology", sensitive={"gender": "sex"}).run()
    with pytest.raises(errors.InputTypeError, match="data must be a pandas DataFrame"):
        sa.Audit(y_pred=y, data=X.to_numpy(), sensitive={"gender": "sex"}).run()
    with pytest.raises(errors.SensitiveAttributeError, match="sensitive is empty"):
        sa.Audit(y_pred=y, data=X).run()
    with pytest.raises(errors.InputTypeError, match="sensitive must map grounds"):
        sa.Audit(y_pred=y, data=X, sensitive=["sex"]).run()
    with pytest.raises(errors.SensitiveAttributeError, match="name the same ground"):
        sa.Audit(y_pred=y, data=X, sensitive={"sex": "sex", "gender": "sex"}).run()
    with pytest.raises(errors.SensitiveAttributeError, match="not numeric"):
        sa.Audit(y_pred=y, data=X, sensitive={"gender": "sex"}, bins={"gender": [1]}).run()
    with pytest.raises(errors.SensitiveAttributeError, match="strictly increasing"):
        sa.Audit(y_pred=y, data=X, sensitive={"x": "x"}, bins={"x": [1, 0]}).run()
    with pytest.raises(errors.SensitiveAttributeError, match="not keys of sensitive"):
        sa.Audit(y_pred=y, data=X, sensitive={"gender": "sex"}, bins={"age": [1]}).run()
    with pytest.raises(errors.InputError, match=r"threshold must be a number in \(0, 1\)"):
        sa.Audit(
            y_score=np.full(len(X), 0.3), data=X, sensitive={"gender": "sex"}, threshold=2
        ).run()
    with pytest.raises(errors.InputTypeError, match="policy must be"):
        sa.Audit(y_pred=y, data=X, sensitive={"gender": "sex"}, policy={"min_group_size": 5}).run()
    with pytest.raises(errors.InputTypeError, match="random_state"):
        sa.Audit(y_pred=y, data=X, sensitive={"gender": "sex"}).run(random_state="zero")


def test_policy_errors():
    with pytest.raises(errors.PolicyError, match="min_group_size must be an integer >= 1"):
        sa.Policy(min_group_size=0)
    with pytest.raises(errors.PolicyError, match=r"demographic_parity_max must be in \[0, 1\]"):
        sa.Policy(demographic_parity_max=float("nan"))
    with pytest.raises(errors.PolicyError, match="no setting"):
        sa.Policy().replace(four_fifths=0.9)
    assert sa.Policy().replace(min_group_size=5).min_group_size == 5


def test_report_errors(german_result, tmp_path):
    with pytest.raises(errors.ReportError, match="lang must be one of"):
        german_result.to_html(lang="fr")
    # Missing folders are created (issue 15); a file standing where a folder should be is not.
    (tmp_path / "f").write_text("")
    with pytest.raises(errors.ReportError, match="cannot write"):
        german_result.to_html(tmp_path / "f" / "r.html")


def test_values_that_print_the_same():
    g = np.array([1] * 100 + ["1"] * 100, dtype=object)
    with pytest.raises(errors.SensitiveAttributeError, match="read the same"):
        sa.Audit(y_pred=np.ones(200, int), sensitive={"race": g}).run()


def test_missing_label_is_reserved():
    g = np.array(["(missing)"] * 100 + ["x"] * 99 + [None], dtype=object)
    with pytest.raises(errors.SensitiveAttributeError, match="rename that value"):
        sa.Audit(y_pred=np.ones(200, int), sensitive={"race": g}).run()


def test_scores_outside_unit_interval(case):
    X, y, _ = case
    logits = np.linspace(-3, 3, len(X))
    with pytest.raises(errors.PredictionError, match=r"needs probabilities in \[0, 1\]"):
        sa.Audit(y_score=logits, data=X, sensitive={"gender": "sex"}).run()
    # With the decisions given, the score is only summarised: logits are fine.
    result = sa.Audit(y_pred=y, y_score=logits, data=X, sensitive={"gender": "sex"}).run()
    assert result.fairness.group_metrics["gender"].overall["mean_score"] == pytest.approx(
        0.0, abs=1e-12
    )
    with pytest.raises(errors.PredictionError, match="infinite"):
        sa.Audit(
            y_pred=y, y_score=np.r_[np.inf, logits[1:]], data=X, sensitive={"gender": "sex"}
        ).run()


def test_partly_overlapping_or_disjoint_index_is_refused(case):
    X, y, _ = case
    shifted = y.copy()
    shifted.index = shifted.index + 10
    kw = {"y_pred": y, "data": X, "sensitive": {"gender": "sex"}}
    with pytest.raises(errors.LengthMismatchError, match=r"e\.g\. 200, 201, 202.*e\.g\. 0, 1, 2"):
        sa.Audit(y_true=shifted, **kw).run()
    disjoint = y.copy()
    disjoint.index = disjoint.index + 10_000
    with pytest.raises(errors.LengthMismatchError, match=r"to_numpy\(\)"):
        sa.Audit(y_true=disjoint, **kw).run()
    result = sa.Audit(y_true=disjoint.to_numpy(), **kw).run()  # by position
    assert result.fairness.group_metrics["gender"].overall["accuracy"] == 1.0


def test_favorable_label_must_be_one_label(case):
    X, y, _ = case
    with pytest.raises(errors.InputTypeError, match="single label"):
        sa.Audit(y_pred=y, data=X, favorable_label=np.array([1]), sensitive={"gender": "sex"}).run()


def test_random_state_range(case):
    X, y, _ = case
    for bad in (-1, 2**32, 1.5, "0", True):
        with pytest.raises(errors.InputTypeError, match="random_state"):
            sa.Audit(y_pred=y, data=X, sensitive={"gender": "sex"}).run(random_state=bad)
    sa.Audit(y_pred=y, data=X, sensitive={"gender": "sex"}).run(random_state=2**32 - 1)


def test_data_holding_only_the_attribute_gives_a_finding_not_a_crash():
    # No other column to rank as a proxy: the proxy check says so (found by review).
    data = pd.DataFrame({"sex": ["f", "m"] * 100})
    result = sa.Audit(y_pred=np.arange(200) % 2, data=data, sensitive={"gender": "sex"}).run()
    (proxy,) = [f for f in result.findings if f.check == "fairness.proxy"]
    assert proxy.status is sa.Status.NOT_ASSESSED
    assert result.fairness.proxies["gender"].features.empty
