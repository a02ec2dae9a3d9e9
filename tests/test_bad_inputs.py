"""Hostile and broken inputs across the public API: each gets a specific SzaiAuditError (with a
message naming the problem) or a documented finding, never an unrelated traceback or a silent
wrong number; and the caller's objects are unchanged afterwards."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

import szai_audit as sa
from szai_audit import Status, errors

RNG = np.random.default_rng(0)
N = 200
DATA = pd.DataFrame(
    {
        "x": RNG.normal(size=N),
        "sex": RNG.choice(["f", "m"], N),
        "region": RNG.choice(["north", "south", "east"], N),
    }
)
Y = (DATA["x"] + RNG.normal(size=N) > 0).astype(int).to_numpy()
PRED = (DATA["x"] > 0).astype(int).to_numpy()
MODEL = LogisticRegression().fit(DATA[["x"]], Y)


def _audit(**kw: Any) -> sa.AuditResult:
    kw.setdefault("data", DATA)
    kw.setdefault("sensitive", {"gender": "sex"})
    kw.setdefault("explain", False)
    if "model" not in kw:
        kw.setdefault("y_pred", PRED)
    return sa.Audit(**kw).run()


def _status(result: sa.AuditResult, check: str, ground: str | None = None) -> Status:
    found = [
        f for f in result.findings if f.check == check and (ground is None or f.ground == ground)
    ]
    assert found, f"no finding {check}"
    return found[0].status


class _Raising:
    def predict(self, X):
        raise RuntimeError("database connection lost")


class _WrongShape:
    def predict(self, X):
        return np.zeros((len(X), 2))


class _WrongLength:
    def predict(self, X):
        return np.zeros(len(X) - 1)


class _SklearnApiOnly:
    """fit / predict / predict_proba, and not a scikit-learn estimator."""

    def fit(self, X, y):
        return self

    def predict(self, X):
        return (X["x"].to_numpy() > 0).astype(int)

    def predict_proba(self, X):
        p = 1 / (1 + np.exp(-X["x"].to_numpy()))
        return np.c_[1 - p, p]


@dataclass
class Case:
    name: str
    call: Callable[[], Any]
    error: type[Exception] | None = None
    match: str | None = None
    check: Callable[[Any], None] | None = None


def _dup_columns() -> pd.DataFrame:
    frame = DATA.copy()
    frame.columns = ["x", "sex", "x"]
    return frame


def _int_columns():
    frame = DATA.rename(columns={"x": 0, "region": 1})
    return _audit(data=frame)


def _mixed_object():
    frame = DATA.assign(note=[1, "a", 2.5, None, b"bytes"] * (N // 5))
    return _audit(data=frame)


def _many_levels():
    ids = np.arange(10_000).astype(str)
    frame = pd.DataFrame({"person": ids, "v": np.zeros(10_000)})
    return sa.Audit(
        y_pred=np.arange(10_000) % 2, data=frame, sensitive={"region": "person"}, explain=False
    ).run()


CASES = [
    Case("empty frame", lambda: _audit(data=DATA.iloc[:0], y_pred=PRED[:0]), errors.InputError),
    Case(
        "one row",
        lambda: _audit(data=DATA.iloc[:1], y_pred=PRED[:1]),
        errors.SensitiveAttributeError,
        "single group",
    ),
    Case(
        "all one class in y_true",
        lambda: _audit(y_true=np.ones(N, dtype=int)),
        check=lambda r: _status(r, "fairness.true_positive_rate_difference") is not Status.FAIL,
    ),
    Case(
        "all one group",
        lambda: _audit(data=DATA.assign(sex="f")),
        errors.SensitiveAttributeError,
        "single group",
    ),
    Case(
        "NaN in y_pred",
        lambda: _audit(y_pred=np.where(PRED == 1, np.nan, 0.0)),
        errors.PredictionError,
    ),
    Case("inf in y_score", lambda: _audit(y_score=np.full(N, np.inf)), errors.PredictionError),
    Case("NaN in y_true", lambda: _audit(y_true=np.where(Y == 1, np.nan, 0.0)), errors.TargetError),
    Case(
        "NaN in the sensitive column",
        lambda: _audit(data=DATA.assign(sex=DATA["sex"].where(DATA["x"] > -1))),
        # Missing values form a group of their own, reported as such.
        check=lambda r: "(missing)" in r.fairness.group_metrics["gender"].by_group.index,
    ),
    Case(
        "inf in a model input",
        lambda: _audit(model=MODEL, data=DATA.assign(x=np.inf)),
        errors.ModelError,
    ),
    Case("object column of mixed types", _mixed_object, check=lambda r: None),
    Case(
        "duplicate column names",
        lambda: _audit(data=_dup_columns()),
        errors.InputError,
        "duplicate",
    ),
    Case("non-string column names", _int_columns, check=lambda r: None),
    Case(
        # One value per row names people, not groups (issue 15): refused, not printed.
        "10,000-level sensitive attribute",
        _many_levels,
        errors.SensitiveAttributeError,
        "looks like an identifier",
    ),
    Case(
        "mismatched index",
        lambda: _audit(y_pred=pd.Series(PRED, index=DATA.index + N)),
        errors.LengthMismatchError,
    ),
    Case(
        "y as strings",
        lambda: _audit(
            y_true=np.where(Y == 1, "good", "bad"),
            y_pred=np.where(PRED == 1, "good", "bad"),
            favorable_label="good",
        ),
        check=lambda r: isinstance(r, sa.AuditResult),
    ),
    Case(
        "favorable_label not among the labels",
        lambda: _audit(y_true=Y, favorable_label="approved"),
        errors.TargetError,
    ),
    Case(
        "probabilities outside [0, 1]",
        lambda: _audit(y_true=Y, y_score=DATA["x"].to_numpy() + 1),
        # Scores that are not probabilities cannot be calibrated: the check says so.
        check=lambda r: _status(r, "fairness.calibration_difference") is Status.NOT_ASSESSED,
    ),
    Case(
        "a model with the scikit-learn API but no estimator base",
        lambda: _audit(model=_SklearnApiOnly(), data=DATA, y_true=Y),
        check=lambda r: _status(r, "fairness.auc_difference") is not Status.NOT_ASSESSED,
    ),
    Case(
        "y_pred named as a column of data",
        lambda: _audit(y_pred="sex", favorable_label="m", sensitive={"region": "region"}),
        # Taken out of the inputs (a copy; DATA is unchanged, as every case checks).
        check=lambda r: "sex" not in r.fairness.proxies["region"].features.index,
    ),
    Case(
        "y_true names a column that is not there",
        lambda: _audit(y_true="xx"),
        errors.ColumnNotFoundError,
        r"Did you mean \['x'\]",
    ),
    Case(
        "bins names an unknown ground",
        lambda: _audit(sensitive={"gender": "sex", "age": DATA["x"] * 30 + 40}, bins={"ag": 3}),
        errors.SensitiveAttributeError,
        r"'ag', which is unknown.*Did you mean \['age'\]",
    ),
    Case("a model that raises", lambda: _audit(model=_Raising()), errors.ModelError, "database"),
    Case(
        "a model returning the wrong shape",
        lambda: _audit(model=_WrongShape()),
        errors.SzaiAuditError,
    ),
    Case(
        "a model returning too few rows",
        lambda: _audit(model=_WrongLength()),
        errors.SzaiAuditError,
    ),
    Case("y_true of another length", lambda: _audit(y_true=Y[:-5]), errors.LengthMismatchError),
    Case(
        "sensitive column missing",
        lambda: _audit(sensitive={"gender": "gender_col"}),
        errors.ColumnNotFoundError,
    ),
    Case("sensitive not a mapping", lambda: _audit(sensitive=["sex"]), errors.InputTypeError),
    Case("data not a DataFrame", lambda: _audit(data=DATA.to_numpy()), errors.InputTypeError),
    Case("unknown task", lambda: _audit(task="ranking"), errors.InputError, "task must be one of"),
    Case(
        "policy of the wrong type",
        lambda: _audit(policy={"min_group_size": 5}),
        errors.InputTypeError,
    ),
    Case("policy out of range", lambda: sa.Policy(min_group_size=-1), errors.PolicyError),
    Case(
        "bins not increasing",
        lambda: _audit(sensitive={"age": DATA["x"] * 30 + 40}, bins={"age": [60, 25]}),
        errors.SensitiveAttributeError,
    ),
    Case(
        "random_state a string",
        lambda: sa.Audit(y_pred=PRED, data=DATA, sensitive={"gender": "sex"}).run("0"),
        errors.InputTypeError,
    ),
    Case(
        "three classes in y_true, the favourable label none of them",
        lambda: _audit(y_true=np.array(["a", "b", "c"])[np.arange(N) % 3]),
        errors.TargetError,
    ),
    Case(
        "y_score with two columns", lambda: _audit(y_score=np.zeros((N, 2))), errors.InputTypeError
    ),
    Case(
        "group_metrics length mismatch",
        lambda: sa.group_metrics(Y, PRED[:-1], DATA["sex"]),
        errors.LengthMismatchError,
    ),
    Case(
        "group_metrics 2-D y_pred",
        lambda: sa.group_metrics(Y, np.c_[PRED, PRED], DATA["sex"]),
        errors.InputTypeError,
    ),
    Case(
        "negative prices",
        lambda: _audit(task="pricing", y_pred=-np.ones(N), consumer_profile={"habits": ["region"]}),
        errors.PredictionError,
    ),
    Case(
        "NaN prices",
        lambda: _audit(
            task="pricing", y_pred=np.full(N, np.nan), consumer_profile={"habits": ["region"]}
        ),
        errors.PredictionError,
    ),
    Case(
        "explain an unfitted model",
        lambda: sa.explain.explain(LogisticRegression(), DATA[["x"]]),
        errors.SzaiAuditError,
    ),
    Case(
        "privacy scan of an array", lambda: sa.privacy.scan(DATA.to_numpy()), errors.InputTypeError
    ),
    Case(
        "unknown domain",
        lambda: sa.UseContext("astrology"),
        errors.InputError,
        "domain must be one of",
    ),
    Case("unknown report language", lambda: _audit().to_html(lang="fr"), errors.ReportError),
    Case(
        "compare with a missing file",
        lambda: _audit().compare("/nonexistent/audit.json"),
        errors.InputError,
    ),
    Case(
        "metadata with a non-text value",
        lambda: _audit(metadata={"system_name": ["a", "b"]}),
        # Documented: a value is a text, or a text per language {"zh": ..., "en": ...}.
        errors.InputTypeError,
        r"metadata\['system_name'\] must be a text, or a text per language",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input(case: Case):
    before = (DATA.copy(deep=True), Y.copy(), PRED.copy(), copy.deepcopy(MODEL.coef_))
    if case.error is not None:
        with pytest.raises(case.error, match=case.match) as info:
            case.call()
        assert isinstance(info.value, errors.SzaiAuditError)
        assert len(str(info.value)) > 20  # a sentence, not a bare key
    else:
        result = case.call()
        if isinstance(result, sa.AuditResult):
            result.to_dict()  # serialisable
        assert case.check is not None
        assert case.check(result) is not False
    pd.testing.assert_frame_equal(DATA, before[0])
    np.testing.assert_array_equal(Y, before[1])
    np.testing.assert_array_equal(PRED, before[2])
    np.testing.assert_array_equal(MODEL.coef_, before[3])


def test_there_are_at_least_thirty_cases():
    assert len(CASES) >= 30
