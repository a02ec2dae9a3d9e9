"""Issue 29, items 1-5: inputs that used to give silently wrong numbers, or changed the user's
data. Series are paired with the data by index label (or refused), a model whose outputs change
from one call to the next gets no finding that compares two calls, scores and prices that are
not usable numbers are refused by name, the JSON never holds NaN or Infinity, a CSV with a
column named twice is refused, and the model is given a copy of the data."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

import szai_audit as sa
from szai_audit import Status, errors
from szai_audit.core.messages import fmt_pct

RNG = np.random.default_rng(29)
N = 400
DATA = pd.DataFrame(
    {
        "income": RNG.normal(50, 20, N),
        "debt": RNG.normal(10, 5, N),
        "sex": RNG.choice(["f", "m"], N),
    }
)
Y = pd.Series((DATA["income"] + RNG.normal(0, 10, N) > 50).astype(int), index=DATA.index)
PRED = pd.Series((DATA["income"] > 50).astype(int), index=DATA.index)
PERM = RNG.permutation(N)


def _tpr(result: sa.AuditResult) -> list[float]:
    return result.fairness.group_metrics["gender"].by_group["true_positive_rate"].tolist()


def _audit(**kw) -> sa.AuditResult:
    kw.setdefault("data", DATA[["income", "debt"]])
    kw.setdefault("sensitive", {"gender": DATA["sex"]})
    kw.setdefault("explain", False)
    return sa.Audit(**kw).run()


def _finding(result: sa.AuditResult, check: str, ground: str | None = None) -> sa.Finding:
    found = [
        f for f in result.findings if f.check == check and (ground is None or f.ground == ground)
    ]
    assert found, f"no finding {check}"
    return found[0]


# ---------------------------------------------------------------------------------------------
# 1. Series are paired with data by index label
# ---------------------------------------------------------------------------------------------


def test_permuted_series_are_paired_by_index_label():
    right = _audit(y_true=Y, y_pred=PRED)
    for kw in (
        {"y_true": Y.iloc[PERM], "y_pred": PRED},
        {"y_true": Y.iloc[PERM], "y_pred": PRED.iloc[PERM[::-1]]},
        {"y_true": Y, "y_pred": PRED, "sensitive": {"gender": DATA["sex"].iloc[PERM]}},
    ):
        assert _tpr(_audit(**kw)) == _tpr(right)
    # Arrays are paired by position.
    assert _tpr(_audit(y_true=Y.to_numpy(), y_pred=PRED.to_numpy())) == _tpr(right)


def test_a_permuted_sensitive_data_frame_is_paired_by_index_label():
    right = _audit(y_true=Y, y_pred=PRED)
    shuffled = DATA[["sex"]].iloc[PERM]
    result = _audit(y_true=Y, y_pred=PRED, sensitive_data=shuffled, sensitive={"gender": "sex"})
    assert _tpr(result) == _tpr(right)


def test_duplicate_index_labels_are_refused_unless_the_indexes_are_identical():
    twice = np.r_[np.arange(N // 2), np.arange(N // 2)]
    data = DATA[["income", "debt"]].set_axis(twice)
    y_true, y_pred = Y.set_axis(twice), PRED.set_axis(twice)
    sex = DATA["sex"].set_axis(twice)
    same = _audit(data=data, y_true=y_true, y_pred=y_pred, sensitive={"gender": sex})
    assert _tpr(same) == _tpr(_audit(y_true=Y, y_pred=PRED))
    with pytest.raises(errors.LengthMismatchError, match=r"y_true.*duplicate.*\b0\b") as info:
        _audit(data=data, y_true=y_true.iloc[PERM], y_pred=y_pred, sensitive={"gender": sex})
    assert "position 0" in str(info.value)


def test_an_index_with_other_labels_is_refused_naming_the_first_differences():
    elsewhere = Y.set_axis(pd.RangeIndex(10_000, 10_000 + N))
    with pytest.raises(errors.LengthMismatchError, match=r"y_true.*10000.*\b0\b.*to_numpy"):
        _audit(y_true=elsewhere, y_pred=PRED)
    partly = Y.set_axis(Y.index + 10)
    with pytest.raises(errors.LengthMismatchError, match=r"y_true.*\b400\b.*\b0\b"):
        _audit(y_true=partly, y_pred=PRED)
    with pytest.raises(errors.LengthMismatchError, match=r"sensitive\['gender'\]"):
        _audit(y_true=Y, y_pred=PRED, sensitive={"gender": DATA["sex"].set_axis(elsewhere.index)})


def test_without_data_the_series_are_paired_with_y_pred():
    kw = {"data": None, "y_pred": PRED}
    right = _audit(y_true=Y, sensitive={"gender": DATA["sex"]}, **kw)
    shuffled = _audit(y_true=Y.iloc[PERM], sensitive={"gender": DATA["sex"].iloc[PERM]}, **kw)
    assert _tpr(shuffled) == _tpr(right)


def test_group_metrics_pairs_series_with_y_pred_by_index_label():
    right = sa.group_metrics(Y, PRED, DATA["sex"], y_score=SCORE)
    shuffled = sa.group_metrics(
        Y.iloc[PERM], PRED, DATA["sex"].iloc[PERM[::-1]], y_score=pd.Series(SCORE).iloc[PERM]
    )
    pd.testing.assert_frame_equal(shuffled.by_group, right.by_group)
    with pytest.raises(errors.LengthMismatchError, match=r"y_true.*y_pred"):
        sa.group_metrics(Y.set_axis(Y.index + 1), PRED, DATA["sex"])


class _SeriesModel:
    """Returns its decisions as a Series sorted by value: another order than its rows'."""

    classes_ = np.array([0, 1])

    def __init__(self, index=None):
        self.index = index

    def predict(self, X):
        out = pd.Series((X["income"] > 50).astype(int).to_numpy(), index=X.index)
        if self.index is not None:
            out.index = self.index(X)
        return out.sort_values(kind="stable")


def test_a_model_returning_a_series_in_another_order_is_paired_by_index_label():
    right = _audit(y_true=Y, y_pred=PRED)
    assert _tpr(_audit(model=_SeriesModel(), y_true=Y)) == _tpr(right)
    shifted = DATA[["income", "debt"]].set_axis(DATA.index + 1000)
    sex = {"gender": DATA["sex"].set_axis(shifted.index)}
    result = _audit(
        model=_SeriesModel(), data=shifted, y_true=Y.set_axis(shifted.index), sensitive=sex
    )
    assert _tpr(result) == _tpr(right)
    foreign = _SeriesModel(lambda X: pd.RangeIndex(5, 5 + len(X)))
    with pytest.raises(errors.PredictionError, match=r"model\.predict.*index"):
        _audit(model=foreign, y_true=Y)


# ---------------------------------------------------------------------------------------------
# 2. A model whose outputs change from one call to the next
# ---------------------------------------------------------------------------------------------


class _Coin:
    """A new random decision and score at every call."""

    classes_ = np.array([0, 1])

    def predict(self, X):
        return np.random.default_rng().integers(0, 2, len(X))

    def predict_proba(self, X):
        p = np.random.default_rng().random(len(X))
        return np.c_[1 - p, p]


def test_a_model_that_is_not_deterministic_gets_no_finding_comparing_two_calls():
    data = DATA.copy()
    result = _audit(model=_Coin(), data=data, y_true=Y, sensitive={"gender": "sex"}, explain=True)
    flip = _finding(result, "fairness.counterfactual_flip", "gender")
    assert flip.status is Status.NOT_ASSESSED
    share = flip.details["outputs_differ"]
    assert 0.3 < share <= 1
    assert fmt_pct(share) in flip.message.en and "twice" in flip.message.en
    for check in (
        "fairness.recourse_share",
        "fairness.recourse_cost_ratio",
        "explanation.produced",
    ):
        found = _finding(result, check)
        assert found.status is Status.NOT_ASSESSED, check
        assert "twice" in found.message.en, check
    assert result.fairness.flips == {}
    # A deterministic model is flip-tested as before.
    fitted = LogisticRegression().fit(data[["income", "debt"]].assign(m=data["sex"] == "m"), Y)
    encode = FunctionTransformer(lambda X: X[["income", "debt"]].assign(m=X["sex"] == "m"))
    model = make_pipeline(encode, fitted)
    ok = _audit(model=model, data=data, y_true=Y, sensitive={"gender": "sex"})
    assert _finding(ok, "fairness.counterfactual_flip", "gender").status is not Status.NOT_ASSESSED


def test_a_model_that_is_not_deterministic_is_seen_with_data_in_parts_and_numbers():
    dd = pytest.importorskip("dask.dataframe")
    frame = DATA.assign(y=Y)
    parts = sa.Audit(
        model=_Coin(), data=dd.from_pandas(frame, npartitions=3), y_true="y", explain=False,
        sensitive={"gender": "sex"},
    ).run()  # fmt: skip
    flip = _finding(parts, "fairness.counterfactual_flip", "gender")
    assert flip.status is Status.NOT_ASSESSED and flip.details["outputs_differ"] > 0.3
    noisy = sa.CallableModel(lambda X: X["income"] + np.random.default_rng().normal(size=len(X)))
    numbers = _audit(model=noisy, data=DATA, task="regression", sensitive={"gender": "sex"})
    assert _finding(numbers, "fairness.counterfactual_flip").status is Status.NOT_ASSESSED


def test_a_pricing_model_that_is_not_deterministic_gets_no_counterfactual_price():
    orders = DATA.assign(distance=RNG.uniform(1, 20, N), tier=RNG.choice(["a", "b"], N))

    def price(X):
        return 10 + X["distance"] * np.random.default_rng().uniform(0.9, 1.1, len(X))

    result = sa.Audit(
        model=sa.CallableModel(price),
        data=orders,
        task="pricing",
        sensitive={"gender": "sex"},
        consumer_profile={"ability_to_pay": ["tier"]},
        legitimate_factors=["distance"],
        explain=False,
    ).run()
    for f in result.findings:
        if f.check in ("pricing.counterfactual", "fairness.counterfactual_flip"):
            assert f.status is Status.NOT_ASSESSED, f.check
            assert "twice" in f.message.en
    assert {f.check for f in result.findings} >= {"pricing.counterfactual"}


# ---------------------------------------------------------------------------------------------
# 3. Scores and prices that are not usable numbers; JSON without NaN or Infinity
# ---------------------------------------------------------------------------------------------


class _Unnormalised:
    classes_ = np.array([0, 1])

    def predict(self, X):
        return (X["income"] > 50).astype(int).to_numpy()

    def predict_proba(self, X):
        p = 1 / (1 + np.exp(-(X["income"].to_numpy() - 50) / 10))
        return np.c_[p, p]


SCORE = 1 / (1 + np.exp(-(DATA["income"].to_numpy() - 50) / 10))


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"model": _Unnormalised(), "threshold": 0.5}, r"predict_proba.*rows.*sum to 1"),
        ({"model": _Unnormalised()}, r"predict_proba.*rows.*sum to 1"),
        ({"y_pred": PRED, "y_score": SCORE + 0.5j}, r"y_score.*complex"),
        ({"y_score": [f"{s:.3f}" for s in SCORE]}, r"y_score.*text"),
        ({"y_pred": PRED, "y_score": np.where(SCORE > 0.5, 1e308, -1e308)}, r"y_score.*1e\+100"),
        (
            {"model": sa.CallableModel(lambda X: SCORE[: len(X)] + 0j, output="score")},
            r"model function.*complex",
        ),
    ],
    ids=["unnormalised", "unnormalised-argmax", "complex", "text", "huge", "complex-callable"],
)
def test_scores_that_are_not_usable_numbers_are_refused(kw, match):
    with pytest.raises(errors.PredictionError, match=match):
        _audit(y_true=Y, **kw)


def test_huge_prices_and_numeric_outputs_are_refused():
    huge = np.where(DATA["income"] > 50, 1e308, 5e307)
    with pytest.raises(errors.PredictionError, match=r"y_pred.*1e\+100"):
        _audit(task="pricing", data=DATA, y_pred=huge, sensitive={"gender": "sex"})
    with pytest.raises(errors.PredictionError, match=r"y_pred.*1e\+100"):
        _audit(task="regression", y_pred=huge)
    with pytest.raises(errors.TargetError, match=r"y_true.*1e\+100"):
        _audit(task="regression", y_pred=DATA["income"], y_true=huge)
    with pytest.raises(errors.PredictionError, match=r"prices.*1e\+100"):
        _audit(
            task="pricing",
            data=DATA,
            model=sa.CallableModel(lambda X: np.full(len(X), 1e308)),
            sensitive={"gender": "sex"},
        )


def test_huge_legitimate_factors_and_weights_are_refused():
    huge = DATA.assign(amount=np.where(DATA["income"] > 50, 1e308, -1e308), w=1e200)
    kw = {"data": huge, "y_true": Y, "y_pred": PRED, "sensitive": {"gender": "sex"}}
    with pytest.raises(errors.InputError, match=r"legitimate_factors column 'amount'.*1e\+100"):
        _audit(legitimate_factors=["amount"], **kw)
    with pytest.raises(errors.InputError, match=r"weights='w'.*1e\+100"):
        _audit(weights="w", **kw)
    age = {"gender": "sex", "age": huge["amount"] * RNG.uniform(0, 1, N)}
    with pytest.raises(errors.SensitiveAttributeError, match=r"sensitive\['age'\].*1e\+100"):
        _audit(**{**kw, "sensitive": age})
    orders = {"data": huge, "task": "pricing", "y_pred": 10 + huge["debt"].abs()}
    with pytest.raises(errors.InputError, match=r"consumer_profile column 'amount'.*1e\+100"):
        _audit(consumer_profile={"ability_to_pay": ["amount"]}, **orders)
    with pytest.raises(errors.InputError, match=r"loyalty='amount'.*1e\+100"):
        _audit(loyalty="amount", sensitive={"gender": "sex"}, **orders)


def test_the_json_writer_never_writes_nan_or_infinity():
    from szai_audit.core.files import json_text

    content = {"a": float("inf"), "b": [float("nan"), -float("inf"), 1.5], "c": {"d": 2}}
    text = json_text(content, indent=None)
    assert "Infinity" not in text and "NaN" not in text
    assert json.loads(text) == {"a": None, "b": [None, None, 1.5], "c": {"d": 2}}
    result = _audit(y_true=Y, y_pred=PRED, y_score=SCORE)

    def refuse(constant: str) -> None:
        raise AssertionError(f"the JSON holds {constant}")

    json.loads(result.to_json(), parse_constant=refuse)


# ---------------------------------------------------------------------------------------------
# 4. A CSV with a column named twice
# ---------------------------------------------------------------------------------------------


def _csv_config(tmp_path: Path, chunked: bool = False) -> Path:
    rows = ["income,sex,sex,y"]
    columns = zip(DATA["income"], DATA["sex"], DATA["sex"][::-1], Y, strict=True)
    rows += [f"{i:.3f},{s},{t},{y}" for i, s, t, y in columns]
    (tmp_path / "d.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    config = tmp_path / "c.toml"
    config.write_text(
        f'[data]\npath = "d.csv"\nchunked = {str(chunked).lower()}\n'
        '[columns]\ny_true = "y"\ny_pred = "y"\n[sensitive]\ngender = "sex"\n'
        '[output]\njson = "out.json"\n',
        encoding="utf-8",
    )
    return config


@pytest.mark.parametrize("chunked", [False, True], ids=["pandas", "dask"])
def test_a_csv_with_a_column_named_twice_is_refused(tmp_path, chunked):
    from szai_audit._config import load_config, run_config

    if chunked:
        pytest.importorskip("dask.dataframe")
    config = load_config(_csv_config(tmp_path, chunked))
    with pytest.raises(errors.InputError, match=r"d\.csv.*'sex'.*twice"):
        run_config(config)
    assert not (tmp_path / "out.json").exists()


def test_a_dask_frame_with_a_column_named_twice_is_refused():
    dd = pytest.importorskip("dask.dataframe")
    frame = DATA[["income", "sex"]].assign(again=DATA["sex"]).rename(columns={"again": "sex"})
    with pytest.raises(errors.InputError, match=r"data has duplicate column names \['sex'\]"):
        _audit(data=dd.from_pandas(frame, npartitions=2), y_pred="income", sensitive={"g": "sex"})


# ---------------------------------------------------------------------------------------------
# 5. The model is given a copy of the data
# ---------------------------------------------------------------------------------------------


def _clip_in_place(X):
    X["income"] = X["income"].clip(0, 60)  # changes the frame it was given
    return X[["income", "debt"]]


def _clip(X):
    return X[["income", "debt"]].assign(income=X["income"].clip(0, 60))


def test_a_pipeline_that_changes_its_input_in_place_leaves_the_data_as_it_was():
    data = DATA.copy()
    kept = data.copy()
    model = make_pipeline(FunctionTransformer(_clip_in_place), LogisticRegression())
    model.fit(data.copy(), Y)
    pure = make_pipeline(FunctionTransformer(_clip), LogisticRegression()).fit(data.copy(), Y)
    kw = {"data": data, "y_true": Y, "sensitive": {"gender": "sex"}, "explain": True}
    result = _audit(model=model, **kw)
    pd.testing.assert_frame_equal(data, kept)
    assert _tpr(result) == _tpr(_audit(model=pure, **kw))
    shown = result.explanation.data
    pd.testing.assert_frame_equal(shown, kept.loc[shown.index, shown.columns])


class _Dropper:
    """Drops the sensitive column of the frame it is given, then decides."""

    classes_ = np.array([0, 1])

    def predict(self, X):
        X.pop("sex")
        return (X["income"] > 50).astype(int).to_numpy()


def test_a_model_that_drops_a_column_of_its_input_is_audited_on_the_data_given():
    data = DATA.copy()
    kept = data.copy()
    result = _audit(model=_Dropper(), data=data, y_true=Y, sensitive={"gender": "sex"})
    pd.testing.assert_frame_equal(data, kept)
    assert _tpr(result) == _tpr(_audit(y_true=Y, y_pred=PRED))
    assert _finding(result, "fairness.counterfactual_flip", "gender").status is Status.PASS
