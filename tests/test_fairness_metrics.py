"""group_metrics against fairlearn's MetricFrame (an independent implementation)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import (
    MetricFrame,
    count,
    false_negative_rate,
    false_positive_rate,
    selection_rate,
    true_positive_rate,
)
from sklearn.metrics import accuracy_score, precision_score

import szai_audit as sa
from szai_audit.errors import LengthMismatchError, PredictionError, TargetError

FL_METRICS = {
    "count": count,
    "selection_rate": selection_rate,
    "true_positive_rate": true_positive_rate,
    "false_positive_rate": false_positive_rate,
    "false_negative_rate": false_negative_rate,
    "precision": lambda yt, yp: precision_score(yt, yp, zero_division=np.nan),
    "accuracy": accuracy_score,
}
# Rate -> the mask of rows forming its denominator, to know where it is undefined.
DENOMINATOR = {
    "true_positive_rate": lambda yt, yp: yt == 1,
    "false_negative_rate": lambda yt, yp: yt == 1,
    "false_positive_rate": lambda yt, yp: yt == 0,
    "precision": lambda yt, yp: yp == 1,
}


def _random_case(seed: int, n: int, kinds: tuple[str, ...]):
    """Binary y_true / y_pred and sensitive columns of the requested kinds."""
    rng = np.random.default_rng(seed)
    y_true = rng.integers(0, 2, n)
    # Correlated with y_true so rates differ by group, with a few dependent flips.
    y_pred = np.where(rng.random(n) < 0.7, y_true, rng.integers(0, 2, n))
    cols = {}
    for i, kind in enumerate(kinds):
        k = int(rng.integers(2, 6))
        codes = rng.integers(0, k, n)
        if kind == "str":
            cols[f"s{i}"] = pd.Series(np.array([f"grp_{c}" for c in codes], dtype=object))
        elif kind == "int":
            cols[f"s{i}"] = pd.Series(codes * 10 + 3)
        elif kind == "category":
            cats = [f"c{j}" for j in range(k)][::-1]  # category order differs from sort order
            cols[f"s{i}"] = pd.Series(pd.Categorical.from_codes(codes, categories=cats))
        elif kind == "missing":
            vals = np.array([f"m{c}" for c in codes], dtype=object)
            vals[rng.random(n) < 0.1] = None
            cols[f"s{i}"] = pd.Series(vals)
    # A group with no actual positives (rates with that denominator undefined).
    first = next(iter(cols))
    if kinds[0] == "str":
        mask = cols[first] == "grp_0"
        y_true = np.where(mask, 0, y_true)
    return y_true, y_pred, pd.DataFrame(cols)


def _fairlearn_frame(y_true, y_pred, sensitive: pd.DataFrame) -> pd.DataFrame:
    sf = sensitive.copy()
    for c in sf.columns:  # fairlearn refuses missing values: give them our label
        if sf[c].isna().any():
            sf[c] = sf[c].astype(object).where(sf[c].notna(), "(missing)")
    mf = MetricFrame(metrics=FL_METRICS, y_true=y_true, y_pred=y_pred, sensitive_features=sf)
    by_group = mf.by_group
    return by_group[by_group["count"].notna() & (by_group["count"] > 0)]


CASES = [
    (0, ("str",)),
    (1, ("int",)),
    (2, ("category",)),
    (3, ("missing",)),
    (4, ("str", "int")),
    (5, ("str", "category")),
    (6, ("missing", "str", "int")),
    (7, ("category", "missing")),
]


@pytest.mark.parametrize(("seed", "kinds"), CASES)
def test_by_group_equals_fairlearn(seed, kinds):
    n = 3_000
    y_true, y_pred, sensitive = _random_case(seed, n, kinds)
    ours = sa.group_metrics(y_true, y_pred, sensitive).by_group
    theirs = _fairlearn_frame(y_true, y_pred, sensitive)
    assert len(ours) == len(theirs)
    # Same groups (compare as text, since missing labels become "(missing)").
    ours_keys = {tuple(map(str, k)) if isinstance(k, tuple) else (str(k),) for k in ours.index}
    theirs_keys = {tuple(map(str, k)) if isinstance(k, tuple) else (str(k),) for k in theirs.index}
    assert ours_keys == theirs_keys
    theirs = theirs.copy()
    theirs.index = pd.Index(
        [tuple(map(str, k)) if isinstance(k, tuple) else (str(k),) for k in theirs.index]
    )
    ours = ours.copy()
    ours.index = pd.Index(
        [tuple(map(str, k)) if isinstance(k, tuple) else (str(k),) for k in ours.index]
    )
    theirs = theirs.loc[ours.index]
    np.testing.assert_array_equal(ours["count"].to_numpy(), theirs["count"].to_numpy())
    for metric in FL_METRICS:
        if metric == "count":
            continue
        a = ours[metric].to_numpy(dtype=float)
        b = theirs[metric].to_numpy(dtype=float)
        defined = ~np.isnan(a)
        # Where a rate is defined, it equals fairlearn's to 1e-12.
        np.testing.assert_allclose(a[defined], b[defined], rtol=0, atol=1e-12)
        # Where it is undefined, the denominator really is empty (fairlearn reports 0 there).
        if (~defined).any():
            assert metric in DENOMINATOR
            np.testing.assert_array_equal(b[~defined][~np.isnan(b[~defined])], 0.0)


def test_group_without_positives_gives_nan_not_error():
    y_true = [0, 0, 0, 1, 1, 0]
    y_pred = [1, 0, 0, 1, 0, 0]
    gm = sa.group_metrics(y_true, y_pred, ["a", "a", "a", "b", "b", "b"])
    assert np.isnan(gm.by_group.loc["a", "true_positive_rate"])
    assert np.isnan(gm.by_group.loc["a", "false_negative_rate"])
    assert gm.by_group.loc["a", "false_positive_rate"] == pytest.approx(1 / 3)
    assert gm.by_group.loc["b", "true_positive_rate"] == 0.5


@pytest.mark.parametrize("method", ["between_groups", "to_overall"])
@pytest.mark.parametrize("seed", [11, 12, 13])
def test_difference_and_ratio_equal_fairlearn(seed, method):
    y_true, y_pred, sensitive = _random_case(seed, 2_000, ("str", "int"))
    y_true = np.random.default_rng(seed).integers(0, 2, len(y_pred))  # no empty denominators
    gm = sa.group_metrics(y_true, y_pred, sensitive)
    metrics = {k: v for k, v in FL_METRICS.items() if k != "count"}
    mf = MetricFrame(metrics=metrics, y_true=y_true, y_pred=y_pred, sensitive_features=sensitive)
    ours_d, ours_r = gm.difference(method), gm.ratio(method)
    theirs_d, theirs_r = mf.difference(method=method), mf.ratio(method=method)
    for m in metrics:
        assert ours_d[m] == pytest.approx(theirs_d[m], abs=1e-12)
        assert ours_r[m] == pytest.approx(theirs_r[m], abs=1e-12)
    for m in metrics:
        assert gm.overall[m] == pytest.approx(mf.overall[m], abs=1e-12)


def test_overall_counts_every_row():
    y_true, y_pred, sensitive = _random_case(21, 1_000, ("missing",))
    gm = sa.group_metrics(y_true, y_pred, sensitive)
    assert gm.overall["count"] == 1_000
    assert gm.overall["selection_rate"] == pytest.approx(np.mean(y_pred == 1), abs=1e-15)
    assert gm.overall["accuracy"] == pytest.approx(np.mean(y_true == y_pred), abs=1e-15)


def test_decision_log_without_outcomes():
    gm = sa.group_metrics(None, [1, 0, 1, 1], pd.Series(["a", "a", "b", "b"], name="g"))
    assert list(gm.by_group.columns) == list(sa.fairness.METRICS)
    assert gm.by_group["selection_rate"].tolist() == [0.5, 1.0]
    assert gm.by_group["true_positive_rate"].isna().all()
    assert not gm.has_outcomes
    assert gm.by_group.index.name == "g"


def test_string_labels_with_pos_label():
    y_true = np.array(["good", "bad", "good", "bad"])
    y_pred = np.array(["good", "good", "bad", "bad"])
    gm = sa.group_metrics(y_true, y_pred, ["x", "x", "y", "y"], pos_label="good")
    assert gm.by_group["true_positive_rate"].tolist() == [1.0, 0.0]
    assert gm.by_group["false_positive_rate"].tolist() == [1.0, 0.0]


def test_mean_score_by_group():
    gm = sa.group_metrics(
        [1, 0, 1, 0], [1, 0, 1, 0], ["a", "a", "b", "b"], y_score=[0.9, 0.1, 0.6, 0.2]
    )
    assert gm.by_group["mean_score"].tolist() == pytest.approx([0.5, 0.4])
    assert gm.overall["mean_score"] == pytest.approx(0.45)


def test_missing_drop_and_raise():
    s = ["a", None, "b", "a"]
    gm = sa.group_metrics(None, [1, 1, 0, 0], s, missing="drop")
    assert gm.by_group["count"].tolist() == [2, 1]
    assert gm.overall["count"] == 3
    with pytest.raises(sa.errors.SensitiveAttributeError, match="missing values"):
        sa.group_metrics(None, [1, 1, 0, 0], s, missing="raise")


def test_intersection_index_is_multiindex_of_observed_combinations():
    sens = pd.DataFrame({"sex": ["f", "f", "m", "m"], "fw": ["y", "n", "y", "y"]})
    gm = sa.group_metrics(None, [1, 0, 1, 1], sens)
    assert gm.by_group.index.names == ["sex", "fw"]
    assert list(gm.by_group.index) == [("f", "n"), ("f", "y"), ("m", "y")]


def test_group_metrics_errors():
    with pytest.raises(LengthMismatchError, match="y_true has 3 rows but y_pred has 4"):
        sa.group_metrics([1, 0, 1], [1, 0, 1, 0], ["a"] * 4)
    with pytest.raises(LengthMismatchError, match="sensitive"):
        sa.group_metrics([1, 0, 1, 0], [1, 0, 1, 0], ["a"] * 3)
    with pytest.raises(PredictionError, match="binary"):
        sa.group_metrics(None, [0, 1, 2, 1], ["a"] * 4)
    with pytest.raises(TargetError, match="missing values"):
        sa.group_metrics([1, np.nan, 0, 1], [1, 0, 1, 0], ["a"] * 4)
    with pytest.raises(PredictionError, match="missing values"):
        sa.group_metrics([1, 0, 0, 1], [1, None, 1, 0], ["a"] * 4)
    with pytest.raises(TargetError, match="pos_label=1 is not one of the labels"):
        sa.group_metrics(["y", "n"], ["y", "n"], ["a", "b"])
    with pytest.raises(sa.errors.InputTypeError, match="method"):
        sa.group_metrics(None, [1, 0], ["a", "b"]).difference("bogus")


def test_large_cardinality_intersection_uses_sparse_path():
    rng = np.random.default_rng(5)
    n = 2_000
    sens = pd.DataFrame({f"a{i}": rng.integers(0, 60, n) for i in range(4)})  # 60**4 cells
    y_pred = rng.integers(0, 2, n)
    gm = sa.group_metrics(None, y_pred, sens)
    expected = sens.assign(y=y_pred).groupby(list(sens.columns))["y"].agg(["size", "mean"])
    assert len(gm.by_group) == len(expected)
    np.testing.assert_array_equal(gm.by_group["count"].to_numpy(), expected["size"].to_numpy())
    np.testing.assert_allclose(
        gm.by_group["selection_rate"].to_numpy(), expected["mean"].to_numpy()
    )
