"""Binning, group encoding and fingerprints."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from szai_audit.core.data import bin_numeric, encode_groups, fingerprint, needs_binning
from szai_audit.errors import SensitiveAttributeError


def test_user_cut_points_integer_labels():
    cats, spec = bin_numeric(np.array([18, 24, 25, 39, 40, 59, 60, 90]), "age", [25, 40, 60])
    assert list(cats) == ["<25", "<25", "25–39", "25–39", "40–59", "40–59", "≥60", "≥60"]
    assert spec.method == "user" and spec.labels == ("<25", "25–39", "40–59", "≥60")


def test_float_labels_and_missing_values():
    x = pd.Series([0.5, 1.5, np.nan, 2.5], dtype="Float64")
    cats, spec = bin_numeric(x, "score", [1.0, 2.25])
    assert spec.labels == ("<1", "[1, 2.25)", "≥2.25")
    assert pd.isna(cats[2]) and list(cats[[0, 1, 3]]) == ["<1", "[1, 2.25)", "≥2.25"]


def test_quantile_bins_are_rounded_and_balanced():
    x = np.arange(18, 98)  # 80 integer ages
    cats, spec = bin_numeric(x, "age", None, n_bins=4)
    assert spec.method == "quantile"
    assert all(float(e).is_integer() for e in spec.edges)
    counts = pd.Series(cats).value_counts().to_numpy()
    assert counts.min() >= 19 and counts.max() <= 21


def test_bin_errors():
    with pytest.raises(SensitiveAttributeError, match="strictly increasing"):
        bin_numeric(np.arange(10), "x", [5, 5])
    with pytest.raises(SensitiveAttributeError, match="finite"):
        bin_numeric(np.arange(10), "x", [np.inf])
    with pytest.raises(SensitiveAttributeError, match="no non-missing"):
        bin_numeric(np.array([np.nan, np.nan]), "x", [1])
    with pytest.raises(SensitiveAttributeError, match="at least 2 quantile bins"):
        bin_numeric(np.arange(10), "x", 1)


def test_needs_binning():
    assert needs_binning(pd.Series(np.arange(50)), 10)
    assert not needs_binning(pd.Series(np.arange(5)), 10)
    assert not needs_binning(pd.Series(["a"] * 50), 10)
    assert not needs_binning(pd.Series([True, False] * 20), 10)


def test_encode_groups_category_order_and_missing_last():
    s = pd.Series(pd.Categorical(["lo", "hi", None, "mid"], categories=["lo", "mid", "hi"]))
    enc = encode_groups({"level": s})
    assert enc.index.tolist() == ["lo", "mid", "hi", "(missing)"]
    assert enc.codes.tolist() == [0, 2, 3, 1]
    assert enc.missing == {"level": 1}


def test_encode_groups_mixed_types_do_not_crash():
    enc = encode_groups({"g": np.array([1, "a", 1, "b"], dtype=object)})
    assert sorted(map(str, enc.index)) == ["1", "a", "b"]
    assert enc.codes[0] == enc.codes[2]


def test_fingerprint_depends_on_content_not_index():
    a = pd.DataFrame({"x": [1, 2], "y": ["a", "b"]})
    b = a.set_axis([10, 11])
    assert fingerprint(a) == fingerprint(b)
    assert fingerprint(a) != fingerprint(a.assign(x=[1, 3]))
    assert fingerprint(a) != fingerprint(a.rename(columns={"x": "z"}))
    assert len(fingerprint(np.arange(3))) == 64
