"""The groups prices are compared across, for one consumer-profile column, and the default
reference group of a dimension (a profile column or a ground)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..core.data import BinSpec, bin_numeric, needs_binning
from ..core.errors import InputError
from ..core.policy import Policy

__all__ = ["OTHER", "ProfileGroups", "lowest_priced_group", "profile_groups"]

#: The pooled group of a category's least frequent values.
OTHER = "other"


@dataclass(frozen=True)
class ProfileGroups:
    """The groups of one profile column.

    Attributes
    ----------
    labels : ndarray of object
        Every row's group (None: no value).
    reference : str
        The group the others are compared with: the user's, else :func:`lowest_priced_group`.
    binning : BinSpec or None
        How a number with many values was cut into quantile bins.
    numeric : ndarray or None
        A binned number's values, one per row (NaN: none), for the trend along it.
    """

    labels: np.ndarray
    reference: str
    binning: BinSpec | None = None
    numeric: np.ndarray | None = None


def lowest_priced_group(prices: np.ndarray, labels: np.ndarray, min_size: int) -> str | None:
    """The default reference group of a dimension: the lowest mean price among the groups of
    at least ``min_size`` orders (the pooled ``other`` and rows without a group left out; a
    tie goes to the larger group). None when no group is that large.

    >>> lowest_priced_group(np.array([5.0, 5, 3, 3, 9]), np.array(["a", "a", "b", "b", None]), 2)
    'b'
    """
    frame = pd.DataFrame({"price": np.asarray(prices, dtype=float), "group": labels})
    stats = frame.dropna(subset=["group"]).groupby("group")["price"].agg(["mean", "size"])
    stats = stats[(stats["size"] >= min_size) & (stats.index != OTHER)]
    if stats.empty:
        return None
    return str(stats.sort_values(["mean", "size"], ascending=[True, False]).index[0])


def profile_groups(
    values: pd.Series, policy: Policy, reference: Any = None, prices: Any = None
) -> ProfileGroups:
    """The group of every row for one profile column, and its reference group. Numbers with
    many values are cut into quantile bins; categories keep their most frequent values and
    the rest, with every value of fewer than ``policy.k_anonymity`` orders, are pooled as
    "other". The reference is ``reference`` when given, else the
    group of the lowest mean ``prices`` among those of at least ``policy.min_group_size``
    orders (without prices, or no group that large: the most frequent category, or the
    lowest bin)."""
    name = str(values.name)
    numeric = pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(
        values.dtype
    )
    spec: BinSpec | None = None
    raw: np.ndarray | None = None
    if numeric and needs_binning(values, policy.max_groups_before_binning):
        raw = values.to_numpy(dtype=float, na_value=np.nan)
        cats, spec = bin_numeric(values, name, None, n_bins=policy.n_bins)
        labels = np.asarray(cats.astype(object), dtype=object)
        labels[pd.isna(cats)] = None
        fallback = spec.labels[0]
    else:
        # Vectorised: factorise once, name each distinct value, then index.
        codes, uniques = pd.factorize(values.astype(object), use_na_sentinel=True)
        names = np.array([str(u) for u in uniques] + [None], dtype=object)
        counts = pd.Series(np.bincount(codes[codes >= 0], minlength=len(uniques)), index=names[:-1])
        counts = (
            counts.groupby(level=0, sort=False).sum().sort_values(ascending=False, kind="stable")
        )
        limit = policy.max_groups_before_binning
        # A value of fewer than k orders (a villa two orders came from, a name typed into a
        # row) is about a customer or two: it joins the pooled rest and is never named.
        common = counts[counts >= policy.k_anonymity]
        if len(counts) > limit or len(common) < len(counts):
            kept = set(common.index[: limit - 1] if len(counts) > limit else common.index)
            names = np.array([v if v is None or v in kept else OTHER for v in names], dtype=object)
        labels = names[np.where(codes >= 0, codes, len(uniques))]
        # The most frequent category itself (never the pooled rest).
        fallback = str(counts.index[0]) if len(counts) else ""
    present = {str(v) for v in pd.unique(labels) if v is not None}
    if len(present) < 2:
        raise InputError(
            f"consumer_profile column {name!r} has a single group {sorted(present)}; prices "
            f"cannot be compared across it."
        )
    if reference is None:
        cheapest = (
            None
            if prices is None
            else lowest_priced_group(np.asarray(prices), labels, policy.min_group_size)
        )
        ref = fallback if cheapest is None else cheapest
    else:
        ref = str(reference)
    if ref not in present:
        raise InputError(
            f"reference[{name!r}] is {reference!r}, which is not a group of {name!r}: "
            f"{sorted(present)[:20]}."
        )
    return ProfileGroups(labels, ref, spec, raw)
