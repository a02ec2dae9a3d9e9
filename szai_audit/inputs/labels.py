"""The labels of category values (``value_labels``), read against the data once its groups are
known: which ground reads which column, which raw values the data hold, and which labelled
values the data do not hold (a warning, not an error)."""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence

import pandas as pd

from ..core.data import MISSING_LABEL, needs_binning
from ..core.grounds import ground_label
from ..core.labels import ValueLabels, as_label
from ..core.messages import Message
from ..core.rare import rare_values
from .attributes import Attribute, small_group_label
from .settings import Settings

__all__ = ["value_labels"]


def _categories(values: pd.Series, limit: int) -> frozenset[str] | None:
    """The raw values of a column as text; None for numbers the audit cuts into bins."""
    numeric = pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(
        values.dtype
    )
    if numeric and needs_binning(values, limit):
        return None
    return frozenset(str(v) for v in pd.unique(values.dropna()))


def _column(settings: Settings, name: str, columns: pd.DataFrame | None = None) -> pd.Series | None:
    """A column of ``data`` or ``sensitive_data`` held in memory, or of ``columns`` (the
    columns of a pricing audit kept for every order of data seen in parts); None otherwise."""
    for frame in (columns, settings.data, settings.sensitive_data):
        if isinstance(frame, pd.DataFrame) and name in frame.columns:
            return frame[name]
    return None


def _names(settings: Settings, attrs: Sequence[Attribute]) -> dict[str, Message]:
    """Display names of the labelled keys: a ground's name for its column, else the column's
    display name from ``feature_labels``."""
    names = {
        str(c): Message(str(spec[0]), str(spec[1]))
        for c, spec in (settings.feature_labels or {}).items()
        if len(spec) >= 2
    }
    for a in attrs:
        names[a.info.column or a.info.ground] = ground_label(a.info.ground)
    return names


def _key(a: Attribute) -> str:
    """The key a ground's values are labelled under: its column, or the ground for an array."""
    return a.info.column if a.info.source != "array" and a.info.column else a.info.ground


def _warn_absent(key: str, given: Iterable[str], present: frozenset[str]) -> None:
    absent = [raw for raw in given if raw not in present]
    if absent:
        warnings.warn(
            f"value_labels[{key!r}] labels {absent}, which are not values of {key!r} in the "
            f"data (its values: {sorted(present)[:20]}); those labels are not used.",
            UserWarning,
            stacklevel=6,
        )


def value_labels(
    settings: Settings, attrs: Sequence[Attribute], kept: pd.DataFrame | None = None
) -> ValueLabels:
    """The audit's :class:`~szai_audit.core.labels.ValueLabels`: the user's labels by column,
    each ground's column, the category values the data hold (grounds and consumer-profile
    columns; binned numbers left out) and the keys' display names.

    Warns (``UserWarning``) of each labelled raw value that is not in the data (a group of
    the ground, bins included, or a value of the column); such a label is kept but never used.
    ``kept`` holds columns of every row when the data are seen in parts (pricing).
    """
    limit = settings.policy.max_groups_before_binning
    columns: dict[str, str | None] = {}
    known: dict[str, frozenset[str]] = {}
    groups: dict[str, frozenset[str]] = {}
    for a in attrs:
        key = _key(a)
        columns[a.info.ground] = key
        present = frozenset(g for g in a.info.groups if g != MISSING_LABEL)
        groups[key] = present
        if a.info.binning is None:
            known[key] = present
    for c in (c for cols in settings.consumer_profile.values() for c in cols):
        values = _column(settings, c, kept)
        found = None if values is None else _categories(values, limit)
        if found is not None:
            known[c] = found
    withheld = {_key(a): frozenset(str(v) for v in a.withheld.values()) for a in attrs}
    for key, table in settings.value_labels.items():
        if key in groups:
            present = groups[key] | known.get(key, frozenset()) | withheld.get(key, frozenset())
            _warn_absent(key, table, present)
            continue
        values = _column(settings, key, kept)
        if values is not None:
            _warn_absent(key, table, frozenset(str(v) for v in pd.unique(values.dropna())))
    # A label of a value held by fewer than k rows would name that value in the JSON: the
    # JSON leaves it out (the value itself appears under a stand-in, or pooled).
    rare = {key: frozenset(map(str, vs)) for key, vs in withheld.items()}
    rare |= {a.info.ground: rare[_key(a)] for a in attrs}
    for key in settings.value_labels:
        values = None if key in groups else _column(settings, key, kept)
        if values is not None:
            rare[key] = frozenset(map(str, rare_values(values, settings.policy.k_anonymity)))
    by_column = {
        key: {raw: as_label(pair) for raw, pair in table.items()}
        for key, table in settings.value_labels.items()
    }
    for a in attrs:  # the stand-ins of groups too small to be named read as such
        # Under the ground's column, and under the ground when the user labelled by ground.
        keys = [_key(a), *([a.info.ground] if a.info.ground in by_column else [])]
        for stand_in in a.withheld:
            shown = small_group_label(stand_in, settings.policy.k_anonymity)
            assert shown is not None  # every key of ``withheld`` is a stand-in
            for key in keys:
                by_column.setdefault(key, {})[stand_in] = shown
    return ValueLabels(by_column, columns, known, _names(settings, attrs), rare)
