"""The groups prices are compared across, for one consumer-profile column."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..core.data import bin_numeric, needs_binning
from ..core.errors import InputError
from ..core.policy import Policy

__all__ = ["OTHER", "profile_groups"]

#: The pooled group of a category's least frequent values.
OTHER = "other"


def profile_groups(
    values: pd.Series, policy: Policy, reference: Any = None
) -> tuple[np.ndarray, str, list[str] | None]:
    """Group label of every row for one profile column, the reference group and, for a
    binned number, the bin labels. Numbers with many values are cut into quantile bins (the
    lowest bin is the reference); categories keep their most frequent values (the most
    frequent category is the reference) and the rest are pooled as "other"."""
    name = str(values.name)
    numeric = pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(
        values.dtype
    )
    bins: list[str] | None = None
    if numeric and needs_binning(values, policy.max_groups_before_binning):
        cats, spec = bin_numeric(values, name, None, n_bins=policy.n_bins)
        labels = np.asarray(cats.astype(object), dtype=object)
        labels[pd.isna(cats)] = None
        bins = list(spec.labels)
        default_ref = bins[0]
    else:
        # Vectorised: factorise once, name each distinct value, then index.
        codes, uniques = pd.factorize(values.astype(object), use_na_sentinel=True)
        names = np.array([str(u) for u in uniques] + [None], dtype=object)
        counts = pd.Series(np.bincount(codes[codes >= 0], minlength=len(uniques)), index=names[:-1])
        counts = (
            counts.groupby(level=0, sort=False).sum().sort_values(ascending=False, kind="stable")
        )
        limit = policy.max_groups_before_binning
        if len(counts) > limit:
            kept = set(counts.index[: limit - 1])
            names = np.array([v if v is None or v in kept else OTHER for v in names], dtype=object)
        labels = names[np.where(codes >= 0, codes, len(uniques))]
        # The most frequent category itself (never the pooled rest) is the reference.
        default_ref = str(counts.index[0]) if len(counts) else ""
    present = {str(v) for v in pd.unique(labels) if v is not None}
    if len(present) < 2:
        raise InputError(
            f"consumer_profile column {name!r} has a single group {sorted(present)}; prices "
            f"cannot be compared across it."
        )
    ref = default_ref if reference is None else str(reference)
    if ref not in present:
        raise InputError(
            f"reference[{name!r}] is {reference!r}, which is not a group of {name!r}: "
            f"{sorted(present)[:20]}."
        )
    return labels, ref, bins
